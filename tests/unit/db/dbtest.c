/* Implementation of the db tests' shared helpers (see dbtest.h). */
#include "dbtest.h"

#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

void dbt_table_fill(struct db_table *t, const char *schema, const char *rel,
                    const struct dbt_col *cols, size_t n, bool has_rowid)
{
    memset(t, 0, sizeof *t);
    t->schema = xstrdup(schema);
    t->relname = xstrdup(rel);
    t->kind = DB_TABLE;
    t->row_estimate = -1;
    t->has_rowid = has_rowid;
    t->cols = xcalloc(n ? n : 1, sizeof *t->cols);
    t->ncols = n;
    t->pk = xcalloc(n ? n : 1, sizeof *t->pk);
    for (size_t i = 0; i < n; i++) {
        struct db_column *c = &t->cols[i];
        c->name = xstrdup(cols[i].name);
        c->data_type = xstrdup(cols[i].data_type ? cols[i].data_type : "t");
        c->vtype = cols[i].vt;
        c->elem_vtype = DB_VT_TEXT;
        c->is_nullable = cols[i].nullable;
        c->is_primary_key = cols[i].pk;
        c->position = (int)i + 1;
        if (cols[i].pk)
            t->pk[t->npk++] = i;
    }
}

struct db_table *dbt_table(const char *schema, const char *rel, const struct dbt_col *cols,
                           size_t n, bool has_rowid)
{
    struct db_table *t = xcalloc(1, sizeof *t);
    dbt_table_fill(t, schema, rel, cols, n, has_rowid);
    bool bare = strcmp(schema, "main") == 0 || strcmp(schema, "public") == 0;
    t->name = bare ? xstrdup(rel) : xasprintf("%s.%s", schema, rel);
    return t;
}

void dbt_table_destroy(struct db_table *t)
{
    db_table_free(t);
    free(t);
}

char *dbt_params(const struct db_sql *s)
{
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < s->nparams; i++) {
        const struct db_param *p = &s->params[i];
        char k = p->kind == DB_PARAM_INT ? 'i' : p->kind == DB_PARAM_REAL ? 'r' : 't';
        if (buf_printf(&b, "%s%c:%s", i ? "|" : "", k, p->text) != 0)
            abort();
    }
    return buf_take(&b);
}

char **dbt_strv(size_t *n, const char *const *items)
{
    size_t k = 0;
    while (items[k])
        k++;
    char **v = xcalloc(k ? k : 1, sizeof *v);
    for (size_t i = 0; i < k; i++)
        v[i] = xstrdup(items[i]);
    *n = k;
    return v;
}

void dbt_check_select(enum db_dialect d, const struct db_query *q, const char *what,
                      const char *want, const char *want_params)
{
    struct db_sql s;
    struct seeki_err err;
    seeki_err_clear(&err);
    enum seeki_code rc = db_sql_select(d, q, &s, &err);
    cr_assert_eq(rc, SEEKI_E_OK, "%s: %s", what, err.msg);
    char *params = dbt_params(&s);
    const char *dn = d == DB_SQL_PG ? "pg" : "sqlite";
    cr_expect_str_eq(s.text, want, "%s [%s]:\n got  %s\n want %s", what, dn, s.text, want);
    cr_expect_str_eq(params, want_params, "%s [%s] params:\n got  %s\n want %s", what, dn, params,
                     want_params);
    free(params);
    db_sql_free(&s);
}
