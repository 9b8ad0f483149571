/* The SQLite engine (litedb_): read-only handles (SQLITE_OPEN_READONLY and
 * PRAGMA query_only) in a db_pool, catalog introspection through
 * pragma_table_list / pragma_table_xinfo, and pages, counts and pings built
 * by db/sql/. A progress handler enforces database.statement_timeout_ms on
 * every step; docs/internals/paging.md describes ordering and reverse reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "db/sql/sql.h"
#include "db/sqlite/sqlite_int.h"
#include "db/engine.h"
#include "log.h"
#include "util/clock.h"
#include "util/mem.h"

/* Row estimates at startup: COUNT(*) gets this long per relation, and all of
 * them together at most LITE_ESTIMATE_TOTAL_MS; past that the estimate is
 * unknown (-1) rather than a slow start. */
#define LITE_ESTIMATE_MS 50
#define LITE_ESTIMATE_TOTAL_MS 1000
/* VM instructions between two looks at the clock. */
#define LITE_PROGRESS_OPS 1000
/* Rows a reverse page may hold in memory. */
#define LITE_REVERSE_MAX 100000

struct lite_conn {
    sqlite3 *db;
    int64_t deadline_ms; /* monotonic ms; 0 = no limit. Set around each step. */
    bool timed_out;      /* the progress handler stopped the last step */
    const struct db_pool_want *want; /* during a count: its gone() also stops it */
};

struct lite_engine {
    struct db_engine base; /* first: engine.c casts */
    char *path;            /* absolute file path; never a URL */
    struct db_pool *pool;
    int timeout_ms; /* database.statement_timeout_ms */
};

struct lite_iter {
    struct db_iter base;
    struct lite_engine *e;
    struct lite_conn *conn; /* NULL once returned to the pool */
    sqlite3_stmt *st;
    const struct db_table *t;
    size_t ncells;       /* result columns: t->ncols, plus/only order keys */
    struct db_cell *row; /* ncells cells handed to the caller */
    bool have_row;       /* st holds a stepped row not handed out yet */
    bool done;
    /* reverse queries: the whole page, copied, handed out last to first */
    struct db_cell *buffered; /* nbuf * ncols cells; TEXT/BLOB bytes owned */
    size_t nbuf;
    size_t given; /* buffered rows handed out so far */
};

static int lite_progress(void *arg)
{
    struct lite_conn *c = arg;
    if (c->deadline_ms && clock_ms() > c->deadline_ms) {
        c->timed_out = true;
        return 1; /* interrupts the statement: SQLITE_INTERRUPT */
    }
    if (c->want && c->want->gone && c->want->gone(c->want->gone_arg))
        return 1; /* the count's asker left (shutdown) */
    return 0;
}

static bool lite_is_broken(int rc)
{
    int prim = rc & 0xff;
    return prim == SQLITE_IOERR || prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB ||
           prim == SQLITE_CANTOPEN || prim == SQLITE_NOMEM;
}

/* Turns a SQLite failure into the project's codes. what names the object
 * ("table 'x'"). Never includes SQL text or values. */
static enum seeki_code lite_fail(struct lite_engine *e, struct lite_conn *c, int rc,
                                 const char *what, struct seeki_err *err)
{
    const char *why = c && c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
    int prim = rc & 0xff;
    if (prim == SQLITE_INTERRUPT && c && c->timed_out)
        return seeki_fail(err, SEEKI_E_TIMEOUT,
                          "Query on %s was stopped after %d ms (database.statement_timeout_ms); "
                          "narrow it with a search or filters, or raise "
                          "database.statement_timeout_ms",
                          what, e->timeout_ms);
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        return seeki_fail(err, SEEKI_E_DB_UNAVAILABLE,
                          "Database unavailable: SQLite file '%s' is locked by another program "
                          "(%s); try again when its write finishes",
                          e->path, why);
    if (lite_is_broken(rc))
        return seeki_fail(err, SEEKI_E_DB_UNAVAILABLE,
                          "Database unavailable: reading SQLite file '%s' failed (%s); check the "
                          "file is still there and readable",
                          e->path, why);
    /* A table dropped or renamed after the catalog was read: the table is
     * gone, which is a 404 for the user, not a server fault. */
    if (prim == SQLITE_ERROR && strncmp(why, "no such table", 13) == 0 &&
        strncmp(what, "table ", 6) == 0)
        return seeki_fail(err, SEEKI_E_NOT_FOUND,
                          "Table %s not found: it was dropped or renamed after SeeKi started; "
                          "restart SeeKi to reload the table list",
                          what + 6);
    return seeki_fail(err, SEEKI_E_DB, "SQLite error on %s: %s", what, why);
}

/* ---- connections ------------------------------------------------------- */

static void lite_disconnect(void *ctx, void *conn)
{
    (void)ctx;
    struct lite_conn *c = conn;
    if (!c)
        return;
    sqlite3_close_v2(c->db);
    free(c);
}

static enum seeki_code lite_connect(void *ctx, void **out, struct seeki_err *err)
{
    struct lite_engine *e = ctx;
    struct lite_conn *c = xcalloc(1, sizeof *c);
    enum seeki_code code = SEEKI_E_OK;
    /* READONLY, and no SQLITE_OPEN_URI: the path is a file name, never a URI. */
    int rc = sqlite3_open_v2(e->path, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        code = seeki_fail(err, SEEKI_E_DB_UNAVAILABLE,
                          "Cannot open SQLite file '%s' read-only: %s. Check the file's "
                          "permissions and database.url",
                          e->path, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, e->timeout_ms < 5000 ? e->timeout_ms : 5000);
    rc = sqlite3_exec(c->db, "PRAGMA query_only = ON", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = db_sqlite_register_fold(c->db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_NOTADB)
            code = seeki_fail(err, SEEKI_E_DB,
                              "File '%s' is not a SQLite database (%s). Check that database.url "
                              "points at the right file",
                              e->path, sqlite3_errmsg(c->db));
        else
            code = lite_fail(e, c, rc, "the schema", err);
        goto fail;
    }
    sqlite3_progress_handler(c->db, LITE_PROGRESS_OPS, lite_progress, c);
    *out = c;
    return SEEKI_E_OK;
fail:
    lite_disconnect(e, c);
    return code;
}

static const struct db_pool_ops lite_pool_ops = {lite_connect, lite_disconnect};

static enum seeki_code lite_borrow(struct lite_engine *e, const struct db_pool_want *want,
                                   struct lite_conn **c, struct seeki_err *err)
{
    void *p = NULL;
    enum seeki_code rc = db_pool_get(e->pool, want, &p, err);
    *c = p;
    return rc;
}

/* Steps st with the statement timeout (or budget_ms when > 0). */
static int lite_step(struct lite_engine *e, struct lite_conn *c, sqlite3_stmt *st, int budget_ms)
{
    c->timed_out = false;
    c->deadline_ms = clock_ms() + (budget_ms > 0 ? budget_ms : e->timeout_ms);
    int rc = sqlite3_step(st);
    c->deadline_ms = 0;
    return rc;
}

static int lite_bind(sqlite3_stmt *st, const struct db_sql *sql)
{
    for (size_t i = 0; i < sql->nparams; i++) {
        const struct db_param *p = &sql->params[i];
        int idx = (int)i + 1, rc;
        if (p->kind == DB_PARAM_INT)
            rc = sqlite3_bind_int64(st, idx, p->i);
        else if (p->kind == DB_PARAM_REAL)
            rc = sqlite3_bind_double(st, idx, p->d);
        else if (p->kind == DB_PARAM_BLOB)
            rc = sqlite3_bind_blob(st, idx, p->text, (int)p->len, SQLITE_TRANSIENT);
        else
            rc = sqlite3_bind_text(st, idx, p->text, -1, SQLITE_TRANSIENT);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

/* Prepares and binds sql on c. */
static enum seeki_code lite_prepare(struct lite_engine *e, struct lite_conn *c,
                                    const struct db_sql *sql, const char *what, sqlite3_stmt **st,
                                    struct seeki_err *err)
{
    log_trace("db", "sqlite: %s", sql->text);
    int rc = sqlite3_prepare_v2(c->db, sql->text, -1, st, NULL);
    if (rc == SQLITE_OK)
        rc = lite_bind(*st, sql);
    if (rc != SQLITE_OK) {
        enum seeki_code code = lite_fail(e, c, rc, what, err);
        sqlite3_finalize(*st);
        *st = NULL;
        return code;
    }
    return SEEKI_E_OK;
}

/* ---- introspection -------------------------------------------------------- */

/* Columns, primary key and nullability of main.<name>. */
static enum seeki_code lite_load_columns(struct lite_engine *e, struct lite_conn *c,
                                         struct db_table *t, struct seeki_err *err)
{
    sqlite3_stmt *st = NULL;
    const char *q = "SELECT name, type, \"notnull\", pk, hidden FROM pragma_table_xinfo(?1, "
                    "'main') ORDER BY cid";
    int rc = sqlite3_prepare_v2(c->db, q, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, t->relname, -1, SQLITE_TRANSIENT);
    size_t cap = 0;
    int *pkpos = NULL; /* pk ordinal per column (0: not in the key) */
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        if (sqlite3_column_int(st, 4) == 1)
            continue; /* hidden column of a virtual table */
        if (t->ncols == cap) {
            cap = cap ? cap * 2 : 16;
            t->cols = xrealloc(t->cols, cap * sizeof *t->cols);
            pkpos = xrealloc(pkpos, cap * sizeof *pkpos);
        }
        struct db_column *col = &t->cols[t->ncols];
        memset(col, 0, sizeof *col);
        col->name = xstrdup((const char *)sqlite3_column_text(st, 0));
        const char *decl = (const char *)sqlite3_column_text(st, 1);
        col->data_type = xstrdup(decl ? decl : "");
        col->vtype = db_sqlite_vtype(col->data_type);
        col->elem_vtype = DB_VT_TEXT;
        col->is_nullable = sqlite3_column_int(st, 2) == 0;
        int pk = sqlite3_column_int(st, 3);
        col->is_primary_key = pk > 0;
        col->position = (int)t->ncols + 1;
        pkpos[t->ncols] = pk;
        t->ncols++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(pkpos);
        char what[300];
        snprintf(what, sizeof what, "the columns of '%s'", t->relname);
        return lite_fail(e, c, rc, what, err);
    }
    /* primary key in key order (pk is the 1-based position in the key) */
    size_t nkey = 0;
    for (size_t i = 0; i < t->ncols; i++)
        nkey += pkpos[i] > 0;
    if (nkey > 0) {
        t->pk = xcalloc(nkey, sizeof *t->pk);
        for (size_t i = 0; i < t->ncols; i++)
            if (pkpos[i] > 0 && (size_t)pkpos[i] <= nkey)
                t->pk[pkpos[i] - 1] = i;
        t->npk = nkey;
    }
    free(pkpos);
    /* INTEGER PRIMARY KEY is the rowid itself and can never be NULL. */
    if (t->has_rowid && t->npk == 1 && strcasecmp(t->cols[t->pk[0]].data_type, "INTEGER") == 0)
        t->cols[t->pk[0]].is_nullable = false;
    return SEEKI_E_OK;
}

/* The key columns of one index, or false when it is not a plain ascending
 * index on columns (expressions, DESC keys) and so cannot serve a sort. */
static bool lite_index_cols(struct lite_conn *c, const char *index, struct db_index *ix)
{
    sqlite3_stmt *st = NULL;
    bool plain = true;
    const char *q = "SELECT cid, \"desc\" FROM pragma_index_xinfo(?1, 'main') WHERE key = 1 "
                    "ORDER BY seqno";
    if (sqlite3_prepare_v2(c->db, q, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, index, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        plain = false;
    while (plain && sqlite3_step(st) == SQLITE_ROW) {
        int cid = sqlite3_column_int(st, 0);
        if (cid < 0 || sqlite3_column_int(st, 1) != 0) {
            plain = false;
            break;
        }
        ix->cols = xrealloc(ix->cols, (ix->ncols + 1) * sizeof *ix->cols);
        ix->cols[ix->ncols++] = (size_t)cid;
    }
    sqlite3_finalize(st);
    return plain && ix->ncols > 0;
}

/* Plain, non-partial b-tree indexes of main.<table> into t->indexes (for
 * numbered jumps). Column ids are cids, which equal positions in t->cols for
 * ordinary tables (pragma_table_xinfo lists them in cid order). A failure
 * only leaves the list short: jumps then fall back to OFFSET. */
static void lite_load_indexes(struct lite_conn *c, struct db_table *t)
{
    sqlite3_stmt *st = NULL;
    const char *q = "SELECT name, \"unique\" FROM pragma_index_list(?1, 'main') WHERE partial = 0";
    if (sqlite3_prepare_v2(c->db, q, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, t->relname, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
        sqlite3_finalize(st);
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct db_index ix = {0};
        const char *name = (const char *)sqlite3_column_text(st, 0);
        ix.unique = sqlite3_column_int(st, 1) != 0;
        bool ok = name && lite_index_cols(c, name, &ix);
        for (size_t i = 0; ok && i < ix.ncols; i++)
            ok = ix.cols[i] < t->ncols;
        if (!ok) {
            free(ix.cols);
            continue;
        }
        t->indexes = xrealloc(t->indexes, (t->nindexes + 1) * sizeof *t->indexes);
        t->indexes[t->nindexes++] = ix;
    }
    sqlite3_finalize(st);
}

/* Row estimate: sqlite_stat1 when ANALYZE ran, else COUNT(*) within a small
 * budget, else -1. *spent_ms accumulates the time COUNT(*) took. */
static int64_t lite_estimate(struct lite_engine *e, struct lite_conn *c, sqlite3_stmt *stat1,
                             const struct db_table *t, int64_t *spent_ms)
{
    if (stat1) {
        sqlite3_reset(stat1);
        sqlite3_bind_text(stat1, 1, t->relname, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(stat1) == SQLITE_ROW && sqlite3_column_type(stat1, 0) != SQLITE_NULL)
            return sqlite3_column_int64(stat1, 0);
    }
    int64_t left = LITE_ESTIMATE_TOTAL_MS - *spent_ms;
    if (left <= 0)
        return -1;
    struct db_query q = {.table = t, .limit = -1};
    struct db_sql sql;
    int64_t n = -1, t0 = clock_ms();
    if (db_sql_count(DB_SQL_SQLITE, &q, &sql, NULL) != SEEKI_E_OK)
        return -1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql.text, -1, &st, NULL) == SQLITE_OK &&
        lite_step(e, c, st, left < LITE_ESTIMATE_MS ? (int)left : LITE_ESTIMATE_MS) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    db_sql_free(&sql);
    *spent_ms += clock_ms() - t0;
    return n;
}

static enum seeki_code lite_load_tables(struct db_engine *base, struct db_table **out, size_t *nout,
                                        struct seeki_err *err)
{
    struct lite_engine *e = (struct lite_engine *)base;
    struct lite_conn *c = NULL;
    sqlite3_stmt *st = NULL, *stat1 = NULL;
    struct db_table *tabs = NULL;
    size_t n = 0, cap = 0;
    int64_t spent = 0;
    enum seeki_code code = lite_borrow(e, NULL, &c, err);
    if (code != SEEKI_E_OK)
        return code;
    /* pragma_table_list (SQLite >= 3.37) tells tables, views, virtual and
     * shadow tables apart and flags WITHOUT ROWID ("wr"). */
    const char *q = "SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main' AND "
                    "type IN ('table', 'view', 'virtual') AND name NOT LIKE 'sqlite\\_%' "
                    "ESCAPE '\\' ORDER BY name";
    int rc = sqlite3_prepare_v2(c->db, q, -1, &st, NULL);
    if (sqlite3_prepare_v2(c->db,
                           "SELECT MAX(CAST(stat AS INTEGER)) FROM main.sqlite_stat1 WHERE tbl "
                           "= ?1",
                           -1, &stat1, NULL) != SQLITE_OK) {
        sqlite3_finalize(stat1); /* no ANALYZE statistics: fine */
        stat1 = NULL;
    }
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            tabs = xrealloc(tabs, cap * sizeof *tabs);
        }
        struct db_table *t = &tabs[n];
        memset(t, 0, sizeof *t);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        t->schema = xstrdup("main");
        t->relname = xstrdup((const char *)sqlite3_column_text(st, 0));
        t->kind = strcmp(type, "view") == 0 ? DB_VIEW : DB_TABLE;
        t->has_rowid = strcmp(type, "table") == 0 && sqlite3_column_int(st, 2) == 0;
        code = lite_load_columns(e, c, t, err);
        if (code != SEEKI_E_OK) {
            /* a broken view (it names a dropped table) must not stop SeeKi */
            log_warn("db", "skipping %s '%s': %s", type, t->relname, err ? err->msg : "");
            seeki_err_clear(err);
            db_table_free(t);
            code = SEEKI_E_OK;
            rc = SQLITE_OK;
            continue;
        }
        if (t->has_rowid || strcmp(type, "table") == 0) {
            lite_load_indexes(c, t);
            db_sqlite_load_fkeys(c->db, t);
        }
        t->row_estimate = lite_estimate(e, c, stat1, t, &spent);
        n++;
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE)
        code = lite_fail(e, c, rc, "the list of tables", err);
    sqlite3_finalize(stat1);
    sqlite3_finalize(st);
    db_pool_put(e->pool, c, rc != SQLITE_DONE && lite_is_broken(rc));
    if (code != SEEKI_E_OK) {
        db_tables_free(tabs, n);
        return code;
    }
    db_sqlite_fkeys_canon(tabs, n);
    *out = tabs;
    *nout = n;
    return SEEKI_E_OK;
}

/* ---- rows ----------------------------------------------------------------- */

static void lite_fill_row(sqlite3_stmt *st, struct db_cell *row, size_t ncols)
{
    for (size_t i = 0; i < ncols; i++) {
        struct db_cell *cell = &row[i];
        memset(cell, 0, sizeof *cell);
        int col = (int)i;
        switch (sqlite3_column_type(st, col)) {
        case SQLITE_INTEGER:
            cell->kind = DB_CELL_INT;
            cell->i = sqlite3_column_int64(st, col);
            break;
        case SQLITE_FLOAT:
            cell->kind = DB_CELL_REAL;
            cell->d = sqlite3_column_double(st, col);
            break;
        case SQLITE_TEXT:
            cell->kind = DB_CELL_TEXT;
            cell->s = (const char *)sqlite3_column_text(st, col);
            cell->len = (size_t)sqlite3_column_bytes(st, col);
            break;
        case SQLITE_BLOB:
            cell->kind = DB_CELL_BLOB;
            cell->s = sqlite3_column_blob(st, col);
            cell->len = (size_t)sqlite3_column_bytes(st, col);
            if (!cell->s)
                cell->s = "";
            break;
        default:
            cell->kind = DB_CELL_NULL;
            break;
        }
    }
}

/* Hands the iterator's connection back (finalizing its statement). */
static void lite_iter_release(struct lite_iter *it, bool broken)
{
    sqlite3_finalize(it->st);
    it->st = NULL;
    if (it->conn)
        db_pool_put(it->e->pool, it->conn, broken);
    it->conn = NULL;
}

static void lite_iter_close(struct db_iter *base)
{
    struct lite_iter *it = (struct lite_iter *)base;
    lite_iter_release(it, false);
    size_t ncols = it->ncells;
    for (size_t i = 0; i < it->nbuf * ncols; i++)
        if (it->buffered[i].kind == DB_CELL_TEXT || it->buffered[i].kind == DB_CELL_BLOB)
            free((char *)it->buffered[i].s);
    free(it->buffered);
    free(it->row);
    free(it);
}

/* Steps once; on a row sets have_row, at the end sets done. */
static enum seeki_code lite_iter_step(struct lite_iter *it, struct seeki_err *err)
{
    int rc = lite_step(it->e, it->conn, it->st, 0);
    if (rc == SQLITE_ROW) {
        it->have_row = true;
        return SEEKI_E_OK;
    }
    if (rc == SQLITE_DONE) {
        it->done = true;
        lite_iter_release(it, false); /* the connection is free as soon as rows end */
        return SEEKI_E_OK;
    }
    char what[300];
    snprintf(what, sizeof what, "table '%s'", it->t->name);
    enum seeki_code code = lite_fail(it->e, it->conn, rc, what, err);
    it->done = true;
    lite_iter_release(it, lite_is_broken(rc));
    return code;
}

static enum seeki_code lite_iter_next(struct db_iter *base, const struct db_cell **row,
                                      struct seeki_err *err)
{
    struct lite_iter *it = (struct lite_iter *)base;
    size_t ncols = it->ncells;
    if (it->buffered) {
        /* read backwards, so the last row read is the page's first */
        if (it->given == it->nbuf)
            return SEEKI_E_OK;
        *row = &it->buffered[(it->nbuf - 1 - it->given++) * ncols];
        return SEEKI_E_OK;
    }
    if (!it->have_row && !it->done) {
        enum seeki_code rc = lite_iter_step(it, err);
        if (rc != SEEKI_E_OK)
            return rc;
    }
    if (!it->have_row)
        return SEEKI_E_OK;
    lite_fill_row(it->st, it->row, ncols);
    it->have_row = false;
    *row = it->row;
    return SEEKI_E_OK;
}

static const struct db_iter_ops lite_iter_ops = {lite_iter_next, lite_iter_close};

/* Reverse pages: read the whole (bounded) page now and keep copies, so rows
 * can go out in forward order and the connection returns at once. */
static enum seeki_code lite_iter_buffer(struct lite_iter *it, struct seeki_err *err)
{
    size_t ncols = it->ncells, cap = 0;
    it->buffered = xmalloc(sizeof *it->buffered);
    while (!it->done) {
        enum seeki_code rc = it->have_row ? SEEKI_E_OK : lite_iter_step(it, err);
        if (rc != SEEKI_E_OK)
            return rc;
        if (!it->have_row)
            break;
        if (it->nbuf == cap) {
            cap = cap ? cap * 2 : 64;
            size_t cells = cap * ncols;
            it->buffered = xrealloc(it->buffered, (cells ? cells : 1) * sizeof *it->buffered);
        }
        struct db_cell *dst = &it->buffered[it->nbuf * ncols];
        lite_fill_row(it->st, dst, ncols);
        for (size_t i = 0; i < ncols; i++)
            if (dst[i].kind == DB_CELL_TEXT || dst[i].kind == DB_CELL_BLOB) {
                char *copy = xmalloc(dst[i].len + 1);
                memcpy(copy, dst[i].s, dst[i].len);
                copy[dst[i].len] = '\0';
                dst[i].s = copy;
            }
        it->nbuf++;
        it->have_row = false;
    }
    return SEEKI_E_OK;
}

/* Prepares a built statement on a pooled connection and wraps it in an
 * iterator; buffer: read it whole now (a reverse page). */
static enum seeki_code lite_open(struct lite_engine *e, const struct db_sql *sql,
                                 const struct db_query *q, bool buffer, struct db_iter **out,
                                 struct seeki_err *err)
{
    struct lite_iter *it = xcalloc(1, sizeof *it);
    it->base.ops = &lite_iter_ops;
    it->e = e;
    it->t = q->table;
    char what[300];
    snprintf(what, sizeof what, "table '%s'", q->table->name);
    struct db_pool_want want;
    db_pool_want_of(q, e->timeout_ms, &want);
    enum seeki_code rc = lite_borrow(e, &want, &it->conn, err);
    if (rc == SEEKI_E_OK)
        rc = lite_prepare(e, it->conn, sql, what, &it->st, err);
    /* rows are as wide as the statement: with_keys / keys_only change it */
    it->ncells = it->st ? (size_t)sqlite3_column_count(it->st) : 0;
    it->row = xcalloc(it->ncells ? it->ncells : 1, sizeof *it->row);
    /* The first step runs now, so a timeout or a locked file is reported
     * before the caller starts answering. */
    if (rc == SEEKI_E_OK)
        rc = buffer ? lite_iter_buffer(it, err) : lite_iter_step(it, err);
    if (rc != SEEKI_E_OK) {
        lite_iter_close(&it->base);
        return rc;
    }
    *out = &it->base;
    return SEEKI_E_OK;
}

static enum seeki_code lite_rows_open(struct db_engine *base, const struct db_query *q,
                                      struct db_iter **out, struct seeki_err *err)
{
    struct lite_engine *e = (struct lite_engine *)base;
    struct db_sql sql;
    if (q->reverse && (q->limit < 0 || q->limit > LITE_REVERSE_MAX))
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Reading table '%s' backwards needs a page size from 0 to %d",
                          q->table->name, LITE_REVERSE_MAX);
    enum seeki_code rc = db_sql_select(DB_SQL_SQLITE, q, &sql, err);
    if (rc != SEEKI_E_OK)
        return rc;
    rc = lite_open(e, &sql, q, q->reverse, out, err);
    db_sql_free(&sql);
    return rc;
}

static enum seeki_code lite_sql_open(struct db_engine *base, const struct db_sql *sql,
                                     const struct db_query *q, struct db_iter **out,
                                     struct seeki_err *err)
{
    return lite_open((struct lite_engine *)base, sql, q, false, out, err);
}

/* The change token of the database: size and mtime of the file and of its
 * WAL (every commit changes one of them). */
static void lite_version(const struct lite_engine *e, char *version)
{
    struct stat a, w;
    bool ha = stat(e->path, &a) == 0;
    char *wal = xasprintf("%s-wal", e->path);
    bool hw = stat(wal, &w) == 0;
    free(wal);
    snprintf(version, DB_VERSION_MAX, "%lld.%09ld/%lld/%lld.%09ld/%lld",
             ha ? (long long)a.st_mtim.tv_sec : 0LL, ha ? a.st_mtim.tv_nsec : 0L,
             ha ? (long long)a.st_size : -1LL, hw ? (long long)w.st_mtim.tv_sec : 0LL,
             hw ? w.st_mtim.tv_nsec : 0L, hw ? (long long)w.st_size : -1LL);
}

/* SQLite has no planner estimate for a search: -1 then (db/counts.c counts
 * in line, or falls back on the table's). */
static enum seeki_code lite_estimate_op(struct db_engine *base, const struct db_query *q,
                                        int64_t *n, char *version, bool *tracked,
                                        struct seeki_err *err)
{
    (void)err;
    struct lite_engine *e = (struct lite_engine *)base;
    *n = db_query_is_plain(q) ? q->table->row_estimate : -1;
    *tracked = true;
    lite_version(e, version);
    return SEEKI_E_OK;
}

static enum seeki_code lite_count(struct db_engine *base, const struct db_query *q, int budget_ms,
                                  const struct db_pool_want *want, int64_t *n,
                                  struct seeki_err *err)
{
    struct lite_engine *e = (struct lite_engine *)base;
    struct db_sql sql;
    struct lite_conn *c = NULL;
    sqlite3_stmt *st = NULL;
    char what[300];
    snprintf(what, sizeof what, "table '%s'", q->table->name);
    enum seeki_code rc = db_sql_count(DB_SQL_SQLITE, q, &sql, err);
    if (rc != SEEKI_E_OK)
        return rc;
    rc = lite_borrow(e, want, &c, err);
    if (rc == SEEKI_E_OK)
        rc = lite_prepare(e, c, &sql, what, &st, err);
    int src = SQLITE_OK;
    if (rc == SEEKI_E_OK) {
        c->want = want;
        src = lite_step(e, c, st, budget_ms);
        c->want = NULL;
        if (src == SQLITE_ROW)
            *n = sqlite3_column_int64(st, 0);
        else if ((src & 0xff) == SQLITE_INTERRUPT && !c->timed_out)
            rc = seeki_fail(err, SEEKI_E_BUSY, "the count of '%s' was cancelled",
                            q->table->name);
        else if ((src & 0xff) == SQLITE_INTERRUPT)
            rc = seeki_fail(err, SEEKI_E_TIMEOUT,
                            "Counting the rows of '%s' took longer than %d ms", q->table->name,
                            budget_ms > 0 ? budget_ms : e->timeout_ms);
        else
            rc = lite_fail(e, c, src, what, err);
    }
    sqlite3_finalize(st);
    if (c)
        db_pool_put(e->pool, c, src != SQLITE_ROW && lite_is_broken(src));
    db_sql_free(&sql);
    return rc;
}

/* The status route's probe never waits for a busy pool (SEEKI_E_BUSY). */
static const struct db_pool_want ping_want = {.wait_ms = -1};

static enum seeki_code lite_ping(struct db_engine *base, struct seeki_err *err)
{
    struct lite_engine *e = (struct lite_engine *)base;
    struct lite_conn *c = NULL;
    enum seeki_code rc = lite_borrow(e, &ping_want, &c, err);
    if (rc != SEEKI_E_OK)
        return rc;
    int src = sqlite3_exec(c->db, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL, NULL, NULL);
    if (src != SQLITE_OK)
        rc = lite_fail(e, c, src, "the database", err);
    db_pool_put(e->pool, c, src != SQLITE_OK && lite_is_broken(src));
    return rc;
}

static void lite_destroy(struct db_engine *base)
{
    struct lite_engine *e = (struct lite_engine *)base;
    db_pool_destroy(e->pool);
    free(e->path);
    free(e);
}

static const struct db_engine_ops lite_ops = {
    .kind_name = "sqlite",
    .dialect = DB_SQL_SQLITE,
    .default_schema = "main",
    .load_tables = lite_load_tables,
    .rows_open = lite_rows_open,
    .count_inline_below = 1000000,
    .estimate = lite_estimate_op,
    .count = lite_count,
    .sql_open = lite_sql_open,
    .ping = lite_ping,
    .destroy = lite_destroy,
};

enum seeki_code litedb_open(const struct cfg *cfg, struct db_engine **out, struct seeki_err *err)
{
    *out = NULL;
    const char *where = cfg->path ? cfg->path : "your seeki.toml";
    if (!cfg->sqlite_path || !*cfg->sqlite_path)
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "database.url in %s names no SQLite file; use sqlite:///abs/path.db "
                          "or sqlite:relative.db",
                          where);
    if (sqlite3_libversion_number() < 3037000)
        return seeki_fail(err, SEEKI_E_DB,
                          "SQLite %s is too old for SeeKi (3.37 or newer is needed); install a "
                          "newer libsqlite3",
                          sqlite3_libversion());
    struct stat sb;
    if (stat(cfg->sqlite_path, &sb) != 0) {
        int e = errno;
        if (e == ENOENT)
            return seeki_fail(err, SEEKI_E_DB,
                              "SQLite database file '%s' does not exist. Check database.url in "
                              "%s, or run `seeki --demo` to try SeeKi on the bundled demo "
                              "database",
                              cfg->sqlite_path, where);
        return seeki_fail(err, SEEKI_E_DB,
                          "Cannot read SQLite database file '%s': %s. Check the path in "
                          "database.url and its permissions",
                          cfg->sqlite_path, strerror(e));
    }
    if (S_ISDIR(sb.st_mode))
        return seeki_fail(err, SEEKI_E_DB,
                          "'%s' is a directory, not a SQLite database file. Point database.url "
                          "in %s at the .db file",
                          cfg->sqlite_path, where);
    struct lite_engine *e = xcalloc(1, sizeof *e);
    e->base.ops = &lite_ops;
    e->base.cfg = cfg;
    e->path = xstrdup(cfg->sqlite_path);
    e->timeout_ms = cfg->statement_timeout_ms > 0 ? cfg->statement_timeout_ms : 30000;
    e->pool = db_pool_new(cfg->max_connections, db_pool_wait_for(e->timeout_ms), &lite_pool_ops, e);
    /* open one handle now so a bad file fails at startup, not on a page */
    struct lite_conn *c = NULL;
    enum seeki_code rc = lite_borrow(e, NULL, &c, err);
    if (rc != SEEKI_E_OK) {
        lite_destroy(&e->base);
        return rc;
    }
    db_pool_put(e->pool, c, false);
    log_info("db", "sqlite %s opened read-only (pool of %d, statement timeout %d ms)", e->path,
             cfg->max_connections, e->timeout_ms);
    *out = &e->base;
    return SEEKI_E_OK;
}

#ifdef SEEKI_UNIT
enum seeki_code litedb_test_exec(struct db_engine *base, const char *sql, struct seeki_err *err)
{
    struct lite_engine *e = (struct lite_engine *)base;
    struct lite_conn *c = NULL;
    enum seeki_code rc = lite_borrow(e, NULL, &c, err);
    if (rc != SEEKI_E_OK)
        return rc;
    int src = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    if (src != SQLITE_OK)
        rc = lite_fail(e, c, src, "the test statement", err);
    db_pool_put(e->pool, c, false);
    return rc;
}
#endif
