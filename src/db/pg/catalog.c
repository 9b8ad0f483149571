/* PostgreSQL introspection (pgdb_load_tables): relations of the selected
 * schemas (tables, partitioned tables as one table, views, materialized
 * views, foreign tables; never partitions), their columns with
 * format_type() types mapped by db_pg_vtype (domains resolved to their base
 * type), primary keys, plain b-tree indexes and foreign keys, all in four
 * catalog reads. */
#include <stdlib.h>
#include <string.h>

#include "db/pg/pg_int.h"
#include "log.h"
#include "util/buf.h"
#include "util/mem.h"

/* The schemas as a text[] literal: {"a","b"} with " and \ escaped. */
static char *pgcat_schema_array(const struct cfg *cfg)
{
    struct buf b;
    buf_init(&b, 0);
    buf_must_putc(&b, '{');
    for (size_t i = 0; i < cfg->nschemas; i++) {
        if (i)
            buf_must_putc(&b, ',');
        buf_must_putc(&b, '"');
        for (const char *p = cfg->schemas[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_must_putc(&b, '\\');
            buf_must_putc(&b, *p);
        }
        buf_must_putc(&b, '"');
    }
    if (cfg->nschemas == 0)
        buf_must_append(&b, "\"public\"", 8);
    buf_must_putc(&b, '}');
    return buf_take(&b);
}

static const char pgcat_rel_sql[] =
    "SELECT c.oid::bigint, n.nspname, c.relname, c.relkind, c.reltuples::float8, "
    "c.relkind = 'r' AND pg_catalog.has_column_privilege(c.oid, 'ctid', 'SELECT') "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r','p','v','m','f') "
    "AND NOT c.relispartition "
    "AND n.nspname NOT IN ('pg_catalog','information_schema','pg_toast') "
    "AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%' "
    "ORDER BY 1";

/* Domains resolve up to three levels deep (domain over domain over domain). */
static const char pgcat_col_sql[] =
    "SELECT a.attrelid::bigint, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
    "bt.typname, bt.typcategory, et.typname, et.typcategory, a.attnotnull, a.attnum, "
    "pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'SELECT'), "
    /* sortable: a default b-tree operator class for the base type or a type it
     * is binary-coercible to (varchar -> text, cidr -> inet); for an array, for
     * its element type; enums and ranges always have one */
    "CASE WHEN bt.typcategory = 'A' THEN et.typcategory IN ('E','R') OR EXISTS ("
    "SELECT 1 FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_am am ON am.oid = oc.opcmethod "
    "WHERE am.amname = 'btree' AND oc.opcdefault AND (oc.opcintype = et.oid OR EXISTS ("
    "SELECT 1 FROM pg_catalog.pg_cast k WHERE k.castsource = et.oid "
    "AND k.casttarget = oc.opcintype AND k.castmethod = 'b'))) "
    "WHEN bt.typcategory IN ('E','R') THEN true ELSE EXISTS ("
    "SELECT 1 FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_am am ON am.oid = oc.opcmethod "
    "WHERE am.amname = 'btree' AND oc.opcdefault AND (oc.opcintype = bt.oid OR EXISTS ("
    "SELECT 1 FROM pg_catalog.pg_cast k WHERE k.castsource = bt.oid "
    "AND k.casttarget = oc.opcintype AND k.castmethod = 'b'))) END "
    "FROM pg_catalog.pg_attribute a "
    "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_catalog.pg_type t0 ON t0.oid = a.atttypid "
    "LEFT JOIN pg_catalog.pg_type t1 ON t0.typtype = 'd' AND t1.oid = t0.typbasetype "
    "LEFT JOIN pg_catalog.pg_type t2 ON t1.typtype = 'd' AND t2.oid = t1.typbasetype "
    "JOIN pg_catalog.pg_type bt ON bt.oid = COALESCE(t2.oid, t1.oid, t0.oid) "
    "LEFT JOIN pg_catalog.pg_type e0 ON bt.typcategory = 'A' AND e0.oid = bt.typelem "
    "LEFT JOIN pg_catalog.pg_type e1 ON e0.typtype = 'd' AND e1.oid = e0.typbasetype "
    "LEFT JOIN pg_catalog.pg_type et ON et.oid = COALESCE(e1.oid, e0.oid) "
    "WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r','p','v','m','f') "
    "AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped "
    "ORDER BY 1, a.attnum";

static const char pgcat_idx_sql[] =
    "SELECT i.indrelid::bigint, i.indisprimary, i.indisunique, i.indnkeyatts, "
    "i.indkey::text "
    "FROM pg_catalog.pg_index i "
    "JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
    "JOIN pg_catalog.pg_am am ON am.oid = ic.relam "
    "WHERE n.nspname = ANY($1::text[]) AND am.amname = 'btree' AND i.indisvalid "
    "AND i.indpred IS NULL AND i.indexprs IS NULL AND NOT c.relispartition "
    "ORDER BY 1, i.indisprimary DESC, ic.relname";

/* Foreign keys between relations of the selected schemas (a key on a
 * partitioned table once, not per partition): attnums of both sides. */
static const char pgcat_fk_sql[] =
    "SELECT k.conrelid::bigint, k.confrelid::bigint, k.conkey::text, k.confkey::text "
    "FROM pg_catalog.pg_constraint k "
    "JOIN pg_catalog.pg_class c ON c.oid = k.conrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE k.contype = 'f' AND k.conparentid = 0 AND n.nspname = ANY($1::text[]) "
    "AND NOT c.relispartition "
    "ORDER BY 1, k.conname";

struct pgcat {
    struct pg_engine *e;
    struct pg_conn *c;
    const char *schemas;
    struct db_table *tabs;
    int64_t *oids;
    size_t n;
};

static enum seeki_code pgcat_exec(struct pgcat *k, const char *sql, PGresult **out,
                                  struct seeki_err *err)
{
    const char *params[1] = {k->schemas};
    PGresult *r = PQexecParams(k->c->pg, sql, 1, NULL, params, NULL, NULL, 0);
    k->c->used = true;
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        *out = r;
        return SEEKI_E_OK;
    }
    struct pgdb_fail f = {.sqlstate = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL,
                          .message = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL,
                          .conn_bad = PQstatus(k->c->pg) == CONNECTION_BAD};
    if (!f.message)
        f.message = PQerrorMessage(k->c->pg);
    enum seeki_code rc = pgdb_fail_map(&f, NULL, k->e->user, k->e->timeout_ms, err);
    PQclear(r);
    *out = NULL;
    return rc;
}

static struct db_table *pgcat_find(struct pgcat *k, int64_t oid)
{
    size_t lo = 0, hi = k->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (k->oids[mid] == oid)
            return &k->tabs[mid];
        if (k->oids[mid] < oid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int64_t pgcat_i64(const PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static void pgcat_relations(struct pgcat *k, const PGresult *r)
{
    int rows = PQntuples(r);
    k->tabs = xcalloc((size_t)rows + 1, sizeof *k->tabs);
    k->oids = xcalloc((size_t)rows + 1, sizeof *k->oids);
    for (int i = 0; i < rows; i++) {
        struct db_table *t = &k->tabs[k->n];
        k->oids[k->n++] = pgcat_i64(r, i, 0);
        t->schema = xstrdup(PQgetvalue(r, i, 1));
        t->relname = xstrdup(PQgetvalue(r, i, 2));
        char kind = PQgetvalue(r, i, 3)[0];
        t->kind = kind == 'v' ? DB_VIEW : kind == 'm' ? DB_MATVIEW : kind == 'f' ? DB_FOREIGN
                                                                                   : DB_TABLE;
        double tuples = strtod(PQgetvalue(r, i, 4), NULL);
        /* reltuples < 0: never vacuumed or analyzed; views have none */
        t->row_estimate = (kind == 'v' || kind == 'f' || tuples < 0) ? -1 : (int64_t)tuples;
        /* ctid: plain tables only, and not readable with column privileges only */
        t->has_rowid = strcmp(PQgetvalue(r, i, 5), "t") == 0;
    }
}

/* Drops the columns of t that the role may not SELECT (GRANT SELECT (a, b)
 * ON t gives some columns only), with one line naming them. When it may read
 * none, all stay: reading the table then answers 403 as for a table without
 * SELECT. */
static void pgcat_drop_unreadable(struct db_table *t, const bool *readable)
{
    size_t keep = 0;
    for (size_t i = 0; i < t->ncols; i++)
        keep += readable[i];
    if (keep == 0 || keep == t->ncols)
        return;
    struct buf names;
    buf_init(&names, 0);
    (void)db_table_drop_columns(t, readable, &names);
    log_warn("db",
             "Table %s.%s: this role may not read column(s) %s, so SeeKi shows only the other "
             "%zu; to show them, GRANT SELECT on those columns to the role",
             t->schema, t->relname, names.data, keep);
    buf_free(&names);
}

static void pgcat_columns(struct pgcat *k, const PGresult *r)
{
    int rows = PQntuples(r);
    struct db_table *t = NULL;
    int64_t cur = -1;
    size_t cap = 0;
    bool *readable = NULL; /* per column of t */
    for (int i = 0; i < rows; i++) {
        int64_t oid = pgcat_i64(r, i, 0);
        if (oid != cur) {
            if (t)
                pgcat_drop_unreadable(t, readable);
            cur = oid;
            t = pgcat_find(k, oid);
            cap = 0;
        }
        if (!t)
            continue;
        if (t->ncols == cap) {
            cap = cap ? cap * 2 : 16;
            t->cols = xrealloc(t->cols, cap * sizeof *t->cols);
            readable = xrealloc(readable, cap * sizeof *readable);
        }
        readable[t->ncols] = strcmp(PQgetvalue(r, i, 9), "t") == 0;
        struct db_column *col = &t->cols[t->ncols];
        memset(col, 0, sizeof *col);
        col->name = xstrdup(PQgetvalue(r, i, 1));
        col->data_type = xstrdup(PQgetvalue(r, i, 2));
        col->vtype = db_pg_vtype(PQgetvalue(r, i, 3), PQgetvalue(r, i, 4)[0]);
        col->elem_vtype = DB_VT_TEXT;
        if (col->vtype == DB_VT_ARRAY && !PQgetisnull(r, i, 5)) {
            col->elem_vtype = db_pg_vtype(PQgetvalue(r, i, 5), PQgetvalue(r, i, 6)[0]);
            if (col->elem_vtype == DB_VT_OTHER)
                col->elem_vtype = DB_VT_TEXT;
        }
        col->is_nullable = strcmp(PQgetvalue(r, i, 7), "t") != 0;
        col->no_order = strcmp(PQgetvalue(r, i, 10), "t") != 0;
        col->position = (int)pgcat_i64(r, i, 8); /* attnum: 1-based, gaps after drops */
        t->ncols++;
    }
    if (t)
        pgcat_drop_unreadable(t, readable);
    free(readable);
}

/* attnum -> index into t->cols, or -1. */
static long pgcat_col_of(const struct db_table *t, long attnum)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i].position == attnum)
            return (long)i;
    return -1;
}

static void pgcat_indexes(struct pgcat *k, const PGresult *r)
{
    int rows = PQntuples(r);
    for (int i = 0; i < rows; i++) {
        struct db_table *t = pgcat_find(k, pgcat_i64(r, i, 0));
        if (!t)
            continue;
        bool primary = strcmp(PQgetvalue(r, i, 1), "t") == 0;
        long nkey = strtol(PQgetvalue(r, i, 3), NULL, 10);
        size_t *cols = xcalloc((size_t)(nkey > 0 ? nkey : 1), sizeof *cols);
        size_t ncols = 0;
        bool ok = nkey > 0;
        const char *p = PQgetvalue(r, i, 4);
        for (long j = 0; j < nkey && ok; j++) {
            char *end = NULL;
            long attnum = strtol(p, &end, 10);
            long ci = end == p ? -1 : pgcat_col_of(t, attnum);
            ok = ci >= 0;
            if (ok)
                cols[ncols++] = (size_t)ci;
            p = end;
        }
        if (!ok) {
            free(cols);
            continue;
        }
        if (primary && t->npk == 0) {
            t->pk = xcalloc(ncols, sizeof *t->pk);
            memcpy(t->pk, cols, ncols * sizeof *cols);
            t->npk = ncols;
            for (size_t j = 0; j < ncols; j++)
                t->cols[cols[j]].is_primary_key = true;
        }
        t->indexes = xrealloc(t->indexes, (t->nindexes + 1) * sizeof *t->indexes);
        t->indexes[t->nindexes].cols = cols;
        t->indexes[t->nindexes].ncols = ncols;
        t->indexes[t->nindexes].unique = strcmp(PQgetvalue(r, i, 2), "t") == 0;
        t->nindexes++;
    }
}

/* "{3,1}" -> attnums mapped to column names of t; false when one is not
 * a shown column (dropped as unreadable) or the count is not n. */
static bool pgcat_attnames(const struct db_table *t, const char *arr, char **names, size_t n)
{
    const char *p = arr;
    size_t got = 0;
    while (*p && got <= n) {
        while (*p == '{' || *p == ',' || *p == '}')
            p++;
        if (!*p)
            break;
        char *end = NULL;
        long attnum = strtol(p, &end, 10);
        long ci = end == p ? -1 : pgcat_col_of(t, attnum);
        if (ci < 0 || got == n)
            break;
        names[got++] = xstrdup(t->cols[ci].name);
        p = end;
    }
    while (*p == '}')
        p++;
    if (got == n && !*p)
        return true;
    for (size_t i = 0; i < got; i++)
        free(names[i]);
    return false;
}

static size_t pgcat_count_elems(const char *arr)
{
    size_t n = *arr && strcmp(arr, "{}") != 0;
    for (const char *p = arr; *p; p++)
        n += *p == ',';
    return n;
}

static void pgcat_fkeys(struct pgcat *k, const PGresult *r)
{
    int rows = PQntuples(r);
    for (int i = 0; i < rows; i++) {
        struct db_table *t = pgcat_find(k, pgcat_i64(r, i, 0));
        struct db_table *ref = pgcat_find(k, pgcat_i64(r, i, 1));
        if (!t || !ref)
            continue; /* the referenced table is outside the selected schemas */
        size_t n = pgcat_count_elems(PQgetvalue(r, i, 2));
        if (n == 0 || n != pgcat_count_elems(PQgetvalue(r, i, 3)))
            continue;
        struct db_fkey f = {.ncols = n};
        f.cols_raw = xcalloc(n, sizeof *f.cols_raw);
        f.ref_cols_raw = xcalloc(n, sizeof *f.ref_cols_raw);
        if (!pgcat_attnames(t, PQgetvalue(r, i, 2), f.cols_raw, n) ||
            !pgcat_attnames(ref, PQgetvalue(r, i, 3), f.ref_cols_raw, n)) {
            for (size_t j = 0; j < n; j++)
                free(f.cols_raw[j]);
            free(f.cols_raw);
            free(f.ref_cols_raw);
            continue;
        }
        f.ref_schema = xstrdup(ref->schema);
        f.ref_relname = xstrdup(ref->relname);
        t->fkeys = xrealloc(t->fkeys, (t->nfkeys + 1) * sizeof *t->fkeys);
        t->fkeys[t->nfkeys++] = f;
    }
}

enum seeki_code pgdb_load_tables(struct pg_engine *e, struct pg_conn *c, struct db_table **out,
                                 size_t *nout, struct seeki_err *err)
{
    struct pgcat k = {.e = e, .c = c};
    PGresult *rel = NULL, *col = NULL, *idx = NULL, *fk = NULL;
    char *schemas = pgcat_schema_array(e->base.cfg);
    k.schemas = schemas;
    enum seeki_code rc = pgcat_exec(&k, pgcat_rel_sql, &rel, err);
    if (rc == SEEKI_E_OK)
        rc = pgcat_exec(&k, pgcat_col_sql, &col, err);
    if (rc == SEEKI_E_OK)
        rc = pgcat_exec(&k, pgcat_idx_sql, &idx, err);
    if (rc == SEEKI_E_OK)
        rc = pgcat_exec(&k, pgcat_fk_sql, &fk, err);
    if (rc != SEEKI_E_OK)
        goto fail;
    pgcat_relations(&k, rel);
    pgcat_columns(&k, col);
    pgcat_indexes(&k, idx);
    pgcat_fkeys(&k, fk); /* before positions are renumbered: it maps attnums */
    /* positions become 1-based ordinals in the shown column list */
    for (size_t i = 0; i < k.n; i++)
        for (size_t j = 0; j < k.tabs[i].ncols; j++)
            k.tabs[i].cols[j].position = (int)j + 1;
    *out = k.tabs;
    *nout = k.n;
    k.tabs = NULL;
fail:
    PQclear(rel);
    PQclear(col);
    PQclear(idx);
    PQclear(fk);
    free(schemas);
    free(k.oids);
    if (k.tabs)
        db_tables_free(k.tabs, k.n);
    return rc;
}
