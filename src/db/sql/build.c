/* The only place SQL text is built from request input (ARCHITECTURE.md
 * "Boundaries"). Identifiers come from the live catalog (struct db_table) and
 * are always quoted; every value from a request becomes a bound parameter.
 * Two dialects: SQLite (? placeholders, LIKE) and PostgreSQL ($n, ILIKE,
 * explicit casts). docs/internals/paging.md explains the ORDER BY rules. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/sql/sql.h"
#include "db/engine.h"
#include "util/buf.h"
#include "util/mem.h"

void db_sqlb_puts(struct sqlb *b, const char *s)
{
    if (buf_puts(&b->text, s) != 0)
        b->full = true;
}

int db_sql_quote_ident(struct buf *out, const char *ident)
{
    if (buf_putc(out, '"') != 0)
        return -1;
    for (const char *p = ident; *p; p++) {
        if (*p == '"' && buf_putc(out, '"') != 0)
            return -1;
        if (buf_putc(out, *p) != 0)
            return -1;
    }
    return buf_putc(out, '"');
}

void db_sqlb_ident(struct sqlb *b, const char *ident)
{
    if (db_sql_quote_ident(&b->text, ident) != 0)
        b->full = true;
}

/* Adds a parameter (text owned by the statement from now on) and writes its
 * placeholder. */
void db_sqlb_param_take(struct sqlb *b, enum db_param_kind kind, char *text, int64_t i, double d)
{
    struct db_sql *s = b->out;
    if (s->nparams == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->params = xrealloc(s->params, s->cap * sizeof *s->params);
    }
    struct db_param *p = &s->params[s->nparams++];
    p->kind = kind;
    p->text = text;
    p->i = i;
    p->d = d;
    if (b->d == DB_SQL_PG) {
        if (buf_printf(&b->text, "$%zu", s->nparams) != 0)
            b->full = true;
    } else {
        db_sqlb_puts(b, "?");
    }
}

/* A text parameter; for PostgreSQL a second use of the same value may refer
 * back to it with db_sqlb_param_ref. */
static size_t sqlb_param_text(struct sqlb *b, const char *text)
{
    db_sqlb_param_take(b, DB_PARAM_TEXT, xstrdup(text), 0, 0);
    return b->out->nparams;
}

void db_sqlb_param_ref(struct sqlb *b, size_t n)
{
    if (buf_printf(&b->text, "$%zu", n) != 0)
        b->full = true;
}

void db_sqlb_param_int(struct sqlb *b, int64_t v)
{
    db_sqlb_param_take(b, DB_PARAM_INT, xasprintf("%lld", (long long)v), v, 0);
}

/* A numeric filter operand: bound as an integer when it is one, else as a
 * real (SQLite); PostgreSQL binds the text and casts it. */
static enum seeki_code sqlb_param_number(struct sqlb *b, const struct db_column *c,
                                         const char *text, struct seeki_err *err)
{
    char *end = NULL;
    errno = 0;
    long long i = strtoll(text, &end, 10);
    if (errno == 0 && end != text && *end == '\0') {
        db_sqlb_param_take(b, DB_PARAM_INT, xstrdup(text), i, 0);
        return SEEKI_E_OK;
    }
    errno = 0;
    double d = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE)
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Filter on column '%s': '%s' is not a number. Use digits such as 42 "
                          "or 4.5",
                          c->name, text);
    db_sqlb_param_take(b, DB_PARAM_REAL, xstrdup(text), 0, d);
    return SEEKI_E_OK;
}

enum sql_class { SC_TEXT, SC_OTHER, SC_NUMBER, SC_DATE, SC_BOOL };

/* The builder's coarser view of db_vclass_of: numbers and dates by kind. */
static enum sql_class sql_class_of(enum db_vtype v)
{
    static const enum sql_class of[] = {[DB_VC_TEXT] = SC_TEXT, [DB_VC_OTHER] = SC_OTHER,
                                        [DB_VC_INT] = SC_NUMBER, [DB_VC_DEC] = SC_NUMBER,
                                        [DB_VC_DATE] = SC_DATE,  [DB_VC_TS] = SC_DATE,
                                        [DB_VC_BOOL] = SC_BOOL};
    return of[db_vclass_of(v)];
}

/* PostgreSQL cast for a comparison operand, so the value is read as the
 * column's kind whatever the column's exact type (int4 vs int8, domains). */
static const char *sql_pg_cast(enum db_vtype v)
{
    switch (v) {
    case DB_VT_INT:
    case DB_VT_BIGINT:
        return "::bigint";
    case DB_VT_FLOAT:
        return "::float8";
    case DB_VT_NUMERIC:
        return "::numeric";
    case DB_VT_MONEY:
        return "::money";
    case DB_VT_DATE:
        return "::date";
    case DB_VT_TIMESTAMP:
        return "::timestamp";
    case DB_VT_TIMESTAMPTZ:
        return "::timestamptz";
    case DB_VT_BOOL:
        return "::boolean";
    default:
        return "";
    }
}

/* text and varchar: PostgreSQL's ILIKE and = take them as they are. Every
 * other Text column (enums and domains over them have no ILIKE at all; char(n),
 * name, citext and domains over text) is compared by its text form. */
static bool sql_pg_plain_text(const struct db_column *c)
{
    const char *t = c->data_type ? c->data_type : "";
    return strcasecmp(t, "text") == 0 || strncasecmp(t, "character varying", 17) == 0 ||
           strncasecmp(t, "varchar", 7) == 0;
}

/* The column as text: itself for text columns (on PostgreSQL only text and
 * varchar), else its text form. */
static void sqlb_text_expr(struct sqlb *b, const struct db_column *c)
{
    if (sql_class_of(c->vtype) == SC_TEXT && (b->d == DB_SQL_SQLITE || sql_pg_plain_text(c))) {
        db_sqlb_ident(b, c->name);
    } else if (b->d == DB_SQL_PG) {
        db_sqlb_ident(b, c->name);
        db_sqlb_puts(b, "::text");
    } else {
        db_sqlb_puts(b, "CAST(");
        db_sqlb_ident(b, c->name);
        db_sqlb_puts(b, " AS TEXT)");
    }
}

/* The left-hand side of a comparison. SQLite dates are stored as text, with
 * either ' ' or 'T' between date and time: against a bound with a time part,
 * compare the ' ' form (day-level bounds compare correctly either way and
 * keep an index usable). */
static void sqlb_cmp_lhs(struct sqlb *b, const struct db_column *c, const struct db_filter *f)
{
    enum sql_class sc = sql_class_of(c->vtype);
    if (sc == SC_OTHER || sc == SC_TEXT) {
        sqlb_text_expr(b, c);
        return;
    }
    bool timed = (f->a && strlen(f->a) > 10) || (f->b && strlen(f->b) > 10);
    if (sc == SC_DATE && b->d == DB_SQL_SQLITE && timed) {
        db_sqlb_puts(b, "replace(");
        db_sqlb_ident(b, c->name);
        db_sqlb_puts(b, ", 'T', ' ')");
        return;
    }
    db_sqlb_ident(b, c->name);
}

/* One comparison operand with its binding and cast. */
static enum seeki_code sqlb_operand(struct sqlb *b, const struct db_column *c, const char *v,
                                    struct seeki_err *err)
{
    enum sql_class sc = sql_class_of(c->vtype);
    if (sc == SC_NUMBER && b->d == DB_SQL_SQLITE)
        return sqlb_param_number(b, c, v, err);
    (void)sqlb_param_text(b, v);
    if (b->d == DB_SQL_PG && (sc == SC_NUMBER || sc == SC_DATE))
        db_sqlb_puts(b, sql_pg_cast(c->vtype));
    return SEEKI_E_OK;
}

/* %value% with \, % and _ escaped for ILIKE ... ESCAPE '\'. Heap string. */
static char *sql_like_pattern(const char *s)
{
    struct buf p;
    buf_init(&p, 0);
    buf_must_putc(&p, '%');
    for (; *s; s++) {
        if (*s == '\\' || *s == '%' || *s == '_')
            buf_must_putc(&p, '\\');
        buf_must_putc(&p, *s);
    }
    buf_must_putc(&p, '%');
    return buf_take(&p);
}

/* A case-insensitive substring test of column c against needle: on
 * PostgreSQL `expr ILIKE $n ESCAPE '\'` (the pattern escaped), on SQLite
 * `seeki_icontains(expr, ?)` with the needle as it is (a function SeeKi
 * registers on its connections: Unicode case folding, db/sqlite/fold.c).
 * With reuse, PostgreSQL refers back to parameter ref (the same pattern);
 * returns the PostgreSQL parameter used. */
static size_t sqlb_icontains(struct sqlb *b, const struct db_column *c, const char *needle,
                             size_t ref, bool reuse)
{
    size_t used = ref;
    if (b->d == DB_SQL_PG) {
        sqlb_text_expr(b, c);
        db_sqlb_puts(b, " ILIKE ");
        if (reuse) {
            db_sqlb_param_ref(b, ref);
        } else {
            char *pat = sql_like_pattern(needle);
            used = sqlb_param_text(b, pat);
            free(pat);
        }
        db_sqlb_puts(b, " ESCAPE '\\'");
        return used;
    }
    db_sqlb_puts(b, DB_SQLITE_ICONTAINS "(");
    sqlb_text_expr(b, c);
    db_sqlb_puts(b, ", ");
    (void)sqlb_param_text(b, needle);
    db_sqlb_puts(b, ")");
    return used;
}

static void sqlb_bool(struct sqlb *b, const struct db_column *c, const struct db_filter *f)
{
    bool yes = f->a && strcmp(f->a, "1") == 0;
    if (b->d == DB_SQL_PG) {
        db_sqlb_ident(b, c->name);
        db_sqlb_puts(b, " = ");
        (void)sqlb_param_text(b, yes ? "true" : "false");
        db_sqlb_puts(b, "::boolean");
        return;
    }
    /* SQLite has no boolean storage: 1/0 (any numeric form), or words. */
    db_sqlb_puts(b, "(");
    db_sqlb_ident(b, c->name);
    db_sqlb_puts(b, " = ");
    db_sqlb_param_int(b, yes ? 1 : 0);
    db_sqlb_puts(b, " OR lower(");
    db_sqlb_ident(b, c->name);
    db_sqlb_puts(b, yes ? ") IN ('true', 't', 'yes', 'y'))" : ") IN ('false', 'f', 'no', 'n'))");
}

static enum seeki_code sqlb_filter(struct sqlb *b, const struct db_filter *f, struct seeki_err *err)
{
    const struct db_column *c = &b->t->cols[f->col];
    static const char *const cmp[] = {[DB_F_EQ] = " = ",
                                      [DB_F_GT] = " > ",
                                      [DB_F_GE] = " >= ",
                                      [DB_F_LT] = " < ",
                                      [DB_F_LE] = " <= "};
    enum seeki_code rc = SEEKI_E_OK;
    bool need_a = f->op != DB_F_IS_NULL && f->op != DB_F_NOT_NULL;
    bool need_b = f->op == DB_F_BETWEEN || f->op == DB_F_RANGE;
    if ((need_a && !f->a) || (need_b && !f->b))
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Filter on column '%s' has no value; give a value such as =x", c->name);
    switch (f->op) {
    case DB_F_IS_NULL:
    case DB_F_NOT_NULL:
        db_sqlb_ident(b, c->name);
        db_sqlb_puts(b, f->op == DB_F_IS_NULL ? " IS NULL" : " IS NOT NULL");
        break;
    case DB_F_CONTAINS:
        (void)sqlb_icontains(b, c, f->a, 0, false);
        break;
    case DB_F_BOOL:
        sqlb_bool(b, c, f);
        break;
    case DB_F_EQ:
    case DB_F_GT:
    case DB_F_GE:
    case DB_F_LT:
    case DB_F_LE:
        sqlb_cmp_lhs(b, c, f);
        db_sqlb_puts(b, cmp[f->op]);
        rc = sqlb_operand(b, c, f->a, err);
        break;
    case DB_F_BETWEEN:
        sqlb_cmp_lhs(b, c, f);
        db_sqlb_puts(b, " BETWEEN ");
        rc = sqlb_operand(b, c, f->a, err);
        db_sqlb_puts(b, " AND ");
        if (rc == SEEKI_E_OK)
            rc = sqlb_operand(b, c, f->b, err);
        break;
    case DB_F_RANGE:
        db_sqlb_puts(b, "(");
        sqlb_cmp_lhs(b, c, f);
        db_sqlb_puts(b, " >= ");
        rc = sqlb_operand(b, c, f->a, err);
        db_sqlb_puts(b, " AND ");
        sqlb_cmp_lhs(b, c, f);
        db_sqlb_puts(b, " < ");
        if (rc == SEEKI_E_OK)
            rc = sqlb_operand(b, c, f->b, err);
        db_sqlb_puts(b, ")");
        break;
    case DB_F_NONE:
        break;
    }
    return rc;
}

/* OR over the text columns of a case-insensitive substring match; a table
 * without text columns matches nothing. */
static void sqlb_search(struct sqlb *b, const char *search)
{
    const struct db_table *t = b->t;
    size_t first = 0;
    bool any = false;
    db_sqlb_puts(b, "(");
    for (size_t i = 0; i < t->ncols; i++) {
        if (!db_vtype_is_text(t->cols[i].vtype))
            continue;
        if (any)
            db_sqlb_puts(b, " OR ");
        first = sqlb_icontains(b, &t->cols[i], search, first, any);
        any = true;
    }
    if (!any)
        db_sqlb_puts(b, "1 = 0");
    db_sqlb_puts(b, ")");
}

enum seeki_code db_sqlb_check(const struct db_query *q, struct seeki_err *err)
{
    if (!q || !q->table)
        return seeki_fail(err, SEEKI_E_INTERNAL, "query without a table");
    for (size_t i = 0; i < q->nsorts; i++)
        if (q->sorts[i].col >= q->table->ncols)
            return seeki_fail(err, SEEKI_E_BAD_PARAM,
                              "Sort column #%zu is out of range for table '%s'", q->sorts[i].col,
                              q->table->name);
    for (size_t i = 0; i < q->nfilters; i++)
        if (q->filters[i].col >= q->table->ncols)
            return seeki_fail(err, SEEKI_E_BAD_PARAM,
                              "Filter column #%zu is out of range for table '%s'",
                              q->filters[i].col, q->table->name);
    return SEEKI_E_OK;
}

enum seeki_code db_sqlb_where(struct sqlb *b, const struct db_query *q, struct seeki_err *err)
{
    bool first = true;
    for (size_t i = 0; i < q->nfilters; i++) {
        if (q->filters[i].op == DB_F_NONE)
            continue;
        db_sqlb_puts(b, first ? " WHERE " : " AND ");
        first = false;
        enum seeki_code rc = sqlb_filter(b, &q->filters[i], err);
        if (rc != SEEKI_E_OK)
            return rc;
    }
    if (q->search && *q->search) {
        db_sqlb_puts(b, first ? " WHERE " : " AND ");
        first = false;
        sqlb_search(b, q->search);
    }
    return SEEKI_E_OK;
}

/* WHERE for a page: filters, search, and the keyset seek when q has one. */
static enum seeki_code sqlb_where_seek(struct sqlb *b, const struct db_query *q,
                                       struct seeki_err *err)
{
    size_t before = b->text.len;
    enum seeki_code rc = db_sqlb_where(b, q, err);
    if (rc != SEEKI_E_OK || !q->seek)
        return rc;
    bool have_where = b->text.len > before;
    db_sqlb_puts(b, have_where ? " AND " : " WHERE ");
    return db_sqlb_seek(b, q, err);
}

void db_sqlb_from(struct sqlb *b)
{
    db_sqlb_puts(b, " FROM ");
    db_sqlb_ident(b, b->t->schema);
    db_sqlb_puts(b, ".");
    db_sqlb_ident(b, b->t->relname);
}

/* The physical row id's name: SQLite's rowid unless a column shadows it
 * (then _rowid_ or oid), PostgreSQL's ctid; NULL when none is usable. */
static const char *sql_rowid_name(enum db_dialect d, const struct db_table *t)
{
    if (!t->has_rowid)
        return NULL;
    static const char *const lite[] = {"rowid", "_rowid_", "oid"};
    if (d == DB_SQL_PG)
        return db_find_column(t, "ctid") < 0 ? "ctid" : NULL;
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(lite); i++)
        if (db_find_column(t, lite[i]) < 0)
            return lite[i];
    return NULL;
}

bool db_table_has_order_key(const struct db_table *t)
{
    return t->npk > 0 || t->has_rowid;
}

static void sqlb_order_key(struct sqlb *b, bool *first, const struct db_column *c, bool desc)
{
    db_sqlb_puts(b, *first ? " ORDER BY " : ", ");
    *first = false;
    db_sqlb_ident(b, c->name);
    db_sqlb_puts(b, desc ? " DESC" : " ASC");
    /* NULLs last ascending, first descending (SPEC §5); a NOT NULL column
     * needs no clause, which keeps SQLite able to walk an index. */
    if (c->is_nullable)
        db_sqlb_puts(b, desc ? " NULLS FIRST" : " NULLS LAST");
}

static enum seeki_code sqlb_order(struct sqlb *b, const struct db_query *q, struct seeki_err *err)
{
    const struct db_table *t = q->table;
    bool first = true;
    for (size_t i = 0; i < q->nsorts; i++)
        sqlb_order_key(b, &first, &t->cols[q->sorts[i].col], q->sorts[i].desc != q->reverse);
    /* Tie-breaker so paging is stable: the primary key (columns not sorted
     * on already), else the physical row id -- in the direction of the last
     * sort (ascending without one), so a one-direction sort stays one
     * direction: an index can serve it and a keyset seek is one row-value
     * comparison. */
    bool tie_desc = q->nsorts > 0 && q->sorts[q->nsorts - 1].desc;
    if (t->npk > 0) {
        for (size_t k = 0; k < t->npk; k++) {
            bool sorted = false;
            for (size_t i = 0; i < q->nsorts; i++)
                if (q->sorts[i].col == t->pk[k])
                    sorted = true;
            if (!sorted)
                sqlb_order_key(b, &first, &t->cols[t->pk[k]], tie_desc != q->reverse);
        }
    } else {
        const char *rowid = sql_rowid_name(b->d, t);
        if (rowid) {
            db_sqlb_puts(b, first ? " ORDER BY " : ", ");
            first = false;
            db_sqlb_puts(b, rowid);
            db_sqlb_puts(b, tie_desc != q->reverse ? " DESC" : " ASC");
        }
    }
    if (q->reverse && first)
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Table '%s' has no primary key or row id, so it cannot be read "
                          "backwards; sort by a column first, or page forwards",
                          t->name);
    return SEEKI_E_OK;
}

size_t db_sql_order_keys(enum db_dialect d, const struct db_query *q, struct db_order_key **out)
{
    const struct db_table *t = q->table;
    size_t cap = q->nsorts + t->npk + 1, n = 0;
    struct db_order_key *k = xcalloc(cap, sizeof *k);
    bool tie_desc = q->nsorts > 0 && q->sorts[q->nsorts - 1].desc; /* as in sqlb_order */
    for (size_t i = 0; i < q->nsorts; i++)
        k[n++] = (struct db_order_key){(long)q->sorts[i].col, q->sorts[i].desc};
    if (t->npk > 0) {
        for (size_t p = 0; p < t->npk; p++) {
            bool sorted = false;
            for (size_t i = 0; i < q->nsorts; i++)
                if (q->sorts[i].col == t->pk[p])
                    sorted = true;
            if (!sorted)
                k[n++] = (struct db_order_key){(long)t->pk[p], tie_desc};
        }
    } else if (sql_rowid_name(d, t)) {
        k[n++] = (struct db_order_key){-1, tie_desc};
    }
    if (n == 0) {
        free(k);
        k = NULL;
    }
    *out = k;
    return n;
}

/* One order key as an expression: its quoted column, or the row id. */
void db_sqlb_key_expr(struct sqlb *b, const struct db_order_key *k)
{
    if (k->col < 0)
        db_sqlb_puts(b, sql_rowid_name(b->d, b->t));
    else
        db_sqlb_ident(b, b->t->cols[k->col].name);
}

void db_sqlb_limit(struct sqlb *b, const struct db_query *q)
{
    int64_t off = q->offset > 0 ? q->offset : 0;
    if (q->limit >= 0) {
        db_sqlb_puts(b, " LIMIT ");
        db_sqlb_param_int(b, q->limit);
        db_sqlb_puts(b, " OFFSET ");
        db_sqlb_param_int(b, off);
    } else if (off > 0) {
        /* SQLite needs a LIMIT before OFFSET; -1 means none. */
        db_sqlb_puts(b, b->d == DB_SQL_SQLITE ? " LIMIT -1 OFFSET " : " OFFSET ");
        db_sqlb_param_int(b, off);
    }
}

void db_sqlb_init(struct sqlb *b, enum db_dialect d, const struct db_query *q, struct db_sql *out)
{
    memset(out, 0, sizeof *out);
    b->d = d;
    b->t = q->table;
    b->out = out;
    b->full = false;
    buf_init(&b->text, BUF_MAX_SQL);
}

enum seeki_code db_sqlb_finish(struct sqlb *b, enum seeki_code rc, struct seeki_err *err)
{
    if (rc == SEEKI_E_OK && b->full)
        rc = seeki_fail(err, SEEKI_E_INTERNAL,
                        "SQL for table '%s' would exceed %u bytes; use fewer filters or a "
                        "shorter search",
                        b->t->name, (unsigned)BUF_MAX_SQL);
    if (rc != SEEKI_E_OK) {
        buf_free(&b->text);
        db_sql_free(b->out);
        return rc;
    }
    b->out->text = buf_take(&b->text);
    return SEEKI_E_OK;
}

void db_sqlb_select_from(struct sqlb *b, const struct db_query *q)
{
    db_sqlb_puts(b, "SELECT ");
    size_t nsel = 0;
    if (!q->keys_only)
        for (; nsel < q->table->ncols; nsel++) {
            if (nsel)
                db_sqlb_puts(b, ", ");
            db_sqlb_ident(b, q->table->cols[nsel].name);
        }
    if (q->keys_only || q->with_keys) {
        struct db_order_key *keys = NULL;
        size_t m = db_sql_order_keys(b->d, q, &keys);
        for (size_t i = 0; i < m; i++, nsel++) {
            if (nsel)
                db_sqlb_puts(b, ", ");
            db_sqlb_key_expr(b, &keys[i]);
        }
        free(keys);
    }
    if (nsel == 0)
        db_sqlb_puts(b, "NULL");
    db_sqlb_from(b);
}

enum seeki_code db_sql_select(enum db_dialect d, const struct db_query *q, struct db_sql *out,
                              struct seeki_err *err)
{
    struct sqlb b;
    memset(out, 0, sizeof *out);
    enum seeki_code rc = db_sqlb_check(q, err);
    if (rc != SEEKI_E_OK)
        return rc;
    db_sqlb_init(&b, d, q, out);
    bool done = false;
    if (q->seek) {
        /* an ascending read with a nullable key: one index range per branch */
        rc = db_sqlb_seek_union(&b, q, &done, err);
        if (rc != SEEKI_E_OK || done)
            return db_sqlb_finish(&b, rc, err);
    }
    db_sqlb_select_from(&b, q);
    rc = sqlb_where_seek(&b, q, err);
    if (rc == SEEKI_E_OK)
        rc = sqlb_order(&b, q, err);
    if (rc == SEEKI_E_OK)
        db_sqlb_limit(&b, q);
    return db_sqlb_finish(&b, rc, err);
}

enum seeki_code db_sql_count(enum db_dialect d, const struct db_query *q, struct db_sql *out,
                             struct seeki_err *err)
{
    struct sqlb b;
    memset(out, 0, sizeof *out);
    enum seeki_code rc = db_sqlb_check(q, err);
    if (rc != SEEKI_E_OK)
        return rc;
    db_sqlb_init(&b, d, q, out);
    db_sqlb_puts(&b, "SELECT COUNT(*)");
    db_sqlb_from(&b);
    rc = db_sqlb_where(&b, q, err);
    return db_sqlb_finish(&b, rc, err);
}

void db_sql_free(struct db_sql *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nparams; i++)
        free(s->params[i].text);
    free(s->params);
    free(s->text);
    memset(s, 0, sizeof *s);
}

bool db_query_is_plain(const struct db_query *q)
{
    if (q->search && *q->search)
        return false;
    for (size_t i = 0; i < q->nfilters; i++)
        if (q->filters[i].op != DB_F_NONE)
            return false;
    return true;
}

enum db_vclass db_vclass_of(enum db_vtype v)
{
    switch (v) {
    case DB_VT_TEXT:
        return DB_VC_TEXT;
    case DB_VT_INT:
    case DB_VT_BIGINT:
        return DB_VC_INT;
    case DB_VT_FLOAT:
    case DB_VT_NUMERIC:
    case DB_VT_MONEY:
        return DB_VC_DEC;
    case DB_VT_DATE:
        return DB_VC_DATE;
    case DB_VT_TIMESTAMP:
    case DB_VT_TIMESTAMPTZ:
        return DB_VC_TS;
    case DB_VT_BOOL:
        return DB_VC_BOOL;
    default:
        return DB_VC_OTHER;
    }
}
