/* Keyset seeks for db_sql_select (docs/internals/paging.md "The seek"):
 * "strictly after the boundary row in read order" as one row value, as the
 * expanded OR form, or -- for an ascending read with a nullable key -- as a
 * UNION ALL of branches that each start an index range. */
#include <stdlib.h>
#include <string.h>

#include "db/sql/sql.h"
#include "db/engine.h"
#include "util/buf.h"
#include "util/mem.h"

static bool key_nullable(const struct db_table *t, const struct db_order_key *k)
{
    return k->col >= 0 && t->cols[k->col].is_nullable;
}

/* A boundary value as a parameter. SQLite binds the storage class the value
 * came with (so comparisons match ORDER BY); PostgreSQL binds the text form
 * untyped, so the server infers the column's type from the comparison.
 * pgref[i] remembers the $n of a value already bound, for reuse. */
static void sqlb_keyval(struct sqlb *b, const struct db_keyval *v, size_t *pgref)
{
    if (b->d == DB_SQL_PG && *pgref) {
        db_sqlb_param_ref(b, *pgref);
        return;
    }
    switch (v->kind) {
    case DB_CELL_INT:
        db_sqlb_param_take(b, b->d == DB_SQL_PG ? DB_PARAM_TEXT : DB_PARAM_INT,
                           xasprintf("%lld", (long long)v->i), v->i, 0);
        break;
    case DB_CELL_REAL:
        db_sqlb_param_take(b, b->d == DB_SQL_PG ? DB_PARAM_TEXT : DB_PARAM_REAL,
                           xasprintf("%.17g", v->d), 0, v->d);
        break;
    case DB_CELL_BLOB:
        if (b->d == DB_SQL_SQLITE) {
            char *bytes = xmalloc(v->len + 1);
            memcpy(bytes, v->s ? v->s : "", v->len);
            bytes[v->len] = '\0';
            db_sqlb_param_take(b, DB_PARAM_BLOB, bytes, 0, 0);
            b->out->params[b->out->nparams - 1].len = v->len;
            break;
        }
        /* PostgreSQL hands every value over as text */
        __attribute__((fallthrough));
    default:
        db_sqlb_param_take(b, DB_PARAM_TEXT, xstrndup(v->s ? v->s : "", v->len), 0, 0);
        break;
    }
    *pgref = b->out->nparams;
}

/* "key comes after v" for one key in read direction desc (NULLs last
 * ascending, first descending). Returns false when nothing can come after
 * (ascending past a NULL), writing nothing. */
static bool sqlb_key_after(struct sqlb *b, const struct db_order_key *k, bool desc,
                           const struct db_keyval *v, size_t *pgref)
{
    bool vnull = v->kind == DB_CELL_NULL, nullable = key_nullable(b->t, k);
    if (!desc && vnull)
        return false;
    if (desc && vnull) {
        db_sqlb_key_expr(b, k);
        db_sqlb_puts(b, " IS NOT NULL");
        return true;
    }
    bool or_null = !desc && nullable;
    if (or_null)
        db_sqlb_puts(b, "(");
    db_sqlb_key_expr(b, k);
    db_sqlb_puts(b, desc ? " < " : " > ");
    sqlb_keyval(b, v, pgref);
    if (or_null) {
        db_sqlb_puts(b, " OR ");
        db_sqlb_key_expr(b, k);
        db_sqlb_puts(b, " IS NULL)");
    }
    return true;
}

static void sqlb_key_eq(struct sqlb *b, const struct db_order_key *k, const struct db_keyval *v,
                        size_t *pgref)
{
    db_sqlb_key_expr(b, k);
    if (v->kind == DB_CELL_NULL) {
        db_sqlb_puts(b, " IS NULL");
        return;
    }
    db_sqlb_puts(b, " = ");
    sqlb_keyval(b, v, pgref);
}

/* The keyset predicate "strictly after the boundary in read order":
 * (k1, …, km) > (v1, …, vm) as a row value where the keys share a read
 * direction, the boundary values are not NULL and no NULL comes after them
 * (NOT NULL columns, or any column read descending); else the expanded form
 *   after(k1) OR (k1 = v1 AND after(k2)) OR … ,
 * whose trailing run of such keys still collapses into one row-value
 * comparison. NULL boundary values use IS [NOT] NULL. */
enum seeki_code db_sqlb_seek(struct sqlb *b, const struct db_query *q, struct seeki_err *err)
{
    struct db_order_key *keys = NULL;
    size_t m = db_sql_order_keys(b->d, q, &keys);
    if (m == 0 || m != q->nseek) {
        free(keys);
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Invalid cursor: it holds %zu key values but the order of table '%s' "
                          "has %zu keys; drop cursor= and ask for a page number instead",
                          q->nseek, b->t->name, m);
    }
    const struct db_keyval *v = q->seek;
    size_t *pgref = xcalloc(m, sizeof *pgref);
    /* the row-value suffix [s, m): same read direction, non-NULL boundary
     * values, and no NULL row that comes after: a key read descending puts
     * its NULLs first (before any value), so there a nullable column joins
     * too -- a NULL makes the row comparison NULL, i.e. "not after", which
     * is right. Only an ascending nullable key needs "OR k IS NULL". One row
     * value is what an index range scan can start from; the expanded OR
     * form makes PostgreSQL walk the index from its start (cost grows with
     * depth). */
    size_t s = m;
    bool sdesc = keys[m - 1].desc != q->reverse;
    while (s > 0 && v[s - 1].kind != DB_CELL_NULL && (keys[s - 1].desc != q->reverse) == sdesc &&
           (sdesc || !key_nullable(b->t, &keys[s - 1])))
        s--;
    bool any = false;
    db_sqlb_puts(b, "(");
    for (size_t i = 0; i <= s && i < m; i++) {
        bool suffix = i == s;
        size_t mark = b->text.len, nmark = b->out->nparams;
        if (any)
            db_sqlb_puts(b, " OR ");
        bool paren = i > 0; /* a term with an equality prefix is an AND */
        if (paren)
            db_sqlb_puts(b, "(");
        for (size_t j = 0; j < i; j++) {
            sqlb_key_eq(b, &keys[j], &v[j], &pgref[j]);
            db_sqlb_puts(b, " AND ");
        }
        bool ok = true;
        if (suffix && m - s > 1) {
            db_sqlb_puts(b, "(");
            for (size_t j = s; j < m; j++) {
                if (j > s)
                    db_sqlb_puts(b, ", ");
                db_sqlb_key_expr(b, &keys[j]);
            }
            db_sqlb_puts(b, sdesc ? ") < (" : ") > (");
            for (size_t j = s; j < m; j++) {
                if (j > s)
                    db_sqlb_puts(b, ", ");
                sqlb_keyval(b, &v[j], &pgref[j]);
            }
            db_sqlb_puts(b, ")");
        } else {
            ok = sqlb_key_after(b, &keys[i], keys[i].desc != q->reverse, &v[i], &pgref[i]);
        }
        if (paren)
            db_sqlb_puts(b, ")");
        if (!ok) {
            /* nothing comes after this key's NULL: drop the term (and any
             * parameters it bound, with their PostgreSQL back-references) */
            b->text.len = mark;
            b->text.data[mark] = '\0';
            while (b->out->nparams > nmark)
                free(b->out->params[--b->out->nparams].text);
            for (size_t j = 0; j < m; j++)
                if (pgref[j] > nmark)
                    pgref[j] = 0;
            continue;
        }
        any = true;
    }
    if (!any)
        db_sqlb_puts(b, "1 = 0");
    db_sqlb_puts(b, ")");
    free(pgref);
    free(keys);
    return SEEKI_E_OK;
}

/* Whether q's seek is read as a UNION ALL (db_sqlb_seek_union): every key
 * read ascending (NULLs last), no NULL boundary value, at least one nullable
 * key, a LIMIT, and every key addressable by its output column. */
static bool union_fits(const struct sqlb *b, const struct db_query *q, const struct db_order_key *k,
                       size_t m)
{
    int64_t off = q->offset > 0 ? q->offset : 0;
    if (m == 0 || m != q->nseek || q->limit < 0 || q->limit > INT64_MAX - off)
        return false;
    bool nullable = false;
    for (size_t i = 0; i < m; i++) {
        if (k[i].desc != q->reverse || q->seek[i].kind == DB_CELL_NULL)
            return false;
        if (!q->keys_only && !q->with_keys && k[i].col < 0)
            return false; /* a row id that is not in the select list */
        nullable = nullable || key_nullable(b->t, &k[i]);
    }
    return nullable;
}

/* The 1-based output column of order key j. */
static size_t union_key_pos(const struct db_query *q, const struct db_order_key *k, size_t j)
{
    if (q->keys_only)
        return j + 1;
    if (q->with_keys)
        return q->table->ncols + j + 1;
    return (size_t)k[j].col + 1;
}

/* One branch: the page's SELECT restricted to branch `nul` (0: the row value
 * (k1..km) > (v1..vm); i > 0: k1 = v1 AND … AND k(i-1) = v(i-1) AND ki IS
 * NULL), in order, at most limit + offset rows. Keys known not NULL in the
 * branch (k1 in branch 0, k1..ki in branch i) drop their NULLS LAST, which
 * changes nothing there and lets SQLite walk an index. */
static enum seeki_code union_branch(struct sqlb *b, const struct db_query *q,
                                    const struct db_order_key *k, size_t m, size_t nul,
                                    size_t *pgref, struct seeki_err *err)
{
    db_sqlb_puts(b, b->d == DB_SQL_SQLITE ? "SELECT * FROM (" : "(");
    db_sqlb_select_from(b, q);
    size_t before = b->text.len;
    enum seeki_code rc = db_sqlb_where(b, q, err);
    if (rc != SEEKI_E_OK)
        return rc;
    db_sqlb_puts(b, b->text.len > before ? " AND " : " WHERE ");
    size_t nconst = 1;
    if (nul == 0) {
        db_sqlb_puts(b, m > 1 ? "(" : "");
        for (size_t j = 0; j < m; j++) {
            db_sqlb_puts(b, j ? ", " : "");
            db_sqlb_key_expr(b, &k[j]);
        }
        db_sqlb_puts(b, m > 1 ? ") > (" : " > ");
        for (size_t j = 0; j < m; j++) {
            db_sqlb_puts(b, j ? ", " : "");
            sqlb_keyval(b, &q->seek[j], &pgref[j]);
        }
        db_sqlb_puts(b, m > 1 ? ")" : "");
    } else {
        for (size_t j = 0; j + 1 < nul; j++) {
            sqlb_key_eq(b, &k[j], &q->seek[j], &pgref[j]);
            db_sqlb_puts(b, " AND ");
        }
        db_sqlb_key_expr(b, &k[nul - 1]);
        db_sqlb_puts(b, " IS NULL");
        nconst = nul;
    }
    for (size_t j = 0; j < m; j++) {
        db_sqlb_puts(b, j ? ", " : " ORDER BY ");
        db_sqlb_key_expr(b, &k[j]);
        db_sqlb_puts(b, " ASC");
        if (j >= nconst && key_nullable(b->t, &k[j]))
            db_sqlb_puts(b, " NULLS LAST");
    }
    db_sqlb_puts(b, " LIMIT ");
    db_sqlb_param_int(b, q->limit + (q->offset > 0 ? q->offset : 0));
    db_sqlb_puts(b, ")");
    return SEEKI_E_OK;
}

/* An ascending read past a non-NULL boundary is, under NULLS LAST, the rows
 * that first differ from it at some key i and there are either greater
 * (together: the row value, which a NULL never satisfies) or NULL (one
 * branch per nullable key, the keys before it equal to the boundary). The
 * branches are disjoint, each is one index range, and each needs at most
 * limit + offset rows; the outer SELECT merges them in the page's order. The
 * expanded OR form would make PostgreSQL and SQLite walk the index from its
 * start. */
enum seeki_code db_sqlb_seek_union(struct sqlb *b, const struct db_query *q, bool *done,
                                   struct seeki_err *err)
{
    struct db_order_key *k = NULL;
    size_t m = db_sql_order_keys(b->d, q, &k);
    *done = union_fits(b, q, k, m);
    if (!*done) {
        free(k);
        return SEEKI_E_OK;
    }
    size_t *pgref = xcalloc(m, sizeof *pgref);
    enum seeki_code rc = union_branch(b, q, k, m, 0, pgref, err);
    for (size_t i = 0; i < m && rc == SEEKI_E_OK; i++) {
        if (!key_nullable(b->t, &k[i]))
            continue;
        db_sqlb_puts(b, " UNION ALL ");
        rc = union_branch(b, q, k, m, i + 1, pgref, err);
    }
    if (rc == SEEKI_E_OK) {
        for (size_t j = 0; j < m; j++) {
            db_sqlb_puts(b, j ? ", " : " ORDER BY ");
            if (buf_printf(&b->text, "%zu ASC", union_key_pos(q, k, j)) != 0)
                b->full = true;
            if (key_nullable(b->t, &k[j]))
                db_sqlb_puts(b, " NULLS LAST");
        }
        db_sqlb_limit(b, q);
    }
    free(pgref);
    free(k);
    return rc;
}
