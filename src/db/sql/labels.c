/* The label query of one foreign key (SPEC §9): the referenced table's key
 * column and label column(s) for a page's key values,
 *   SELECT "key", "label"[, "label2"] FROM "schema"."rel"
 *   WHERE "key" IN (?, ?, …) LIMIT n
 * Identifiers come from the catalog; every value is a bound parameter. On
 * PostgreSQL the parameters are untyped, so the server reads them as the key
 * column's own type and its index serves the IN. */
#include <string.h>

#include "db/sql/sql.h"
#include "util/mem.h"

enum seeki_code db_sql_labels(enum db_dialect d, const struct db_table *ref, size_t key_col,
                              const struct db_keyval *vals, size_t n, struct db_sql *out,
                              struct seeki_err *err)
{
    memset(out, 0, sizeof *out);
    struct sqlb b = {.d = d, .t = ref, .out = out};
    buf_init(&b.text, BUF_MAX_SQL);
    const struct db_column *cols = ref->cols;
    db_sqlb_puts(&b, "SELECT ");
    if (db_sql_quote_ident(&b.text, cols[key_col].name) != 0)
        b.full = true;
    long lab[2] = {ref->label_col, ref->label_col2};
    for (int i = 0; i < 2; i++) {
        if (lab[i] < 0)
            continue;
        db_sqlb_puts(&b, ", ");
        if (db_sql_quote_ident(&b.text, cols[lab[i]].name) != 0)
            b.full = true;
    }
    db_sqlb_puts(&b, " FROM ");
    if (db_sql_quote_ident(&b.text, ref->schema) != 0 || buf_putc(&b.text, '.') != 0 ||
        db_sql_quote_ident(&b.text, ref->relname) != 0)
        b.full = true;
    db_sqlb_puts(&b, " WHERE ");
    if (db_sql_quote_ident(&b.text, cols[key_col].name) != 0)
        b.full = true;
    db_sqlb_puts(&b, " IN (");
    for (size_t i = 0; i < n; i++) {
        if (i)
            db_sqlb_puts(&b, ", ");
        const struct db_keyval *v = &vals[i];
        char *text = v->kind == DB_CELL_INT    ? xasprintf("%lld", (long long)v->i)
                     : v->kind == DB_CELL_REAL ? xasprintf("%.17g", v->d)
                                               : xstrndup(v->s ? v->s : "", v->len);
        enum db_param_kind k = DB_PARAM_TEXT;
        if (d == DB_SQL_SQLITE)
            k = v->kind == DB_CELL_INT    ? DB_PARAM_INT
                : v->kind == DB_CELL_REAL ? DB_PARAM_REAL
                : v->kind == DB_CELL_BLOB ? DB_PARAM_BLOB
                                          : DB_PARAM_TEXT;
        db_sqlb_param_take(&b, k, text, v->i, v->d);
        if (k == DB_PARAM_BLOB)
            out->params[out->nparams - 1].len = v->len;
    }
    db_sqlb_puts(&b, ") LIMIT ");
    db_sqlb_param_int(&b, (int64_t)n);
    if (b.full) {
        buf_free(&b.text);
        db_sql_free(out);
        return seeki_fail(err, SEEKI_E_INTERNAL, "label query for table '%s' would be too long",
                          ref->name);
    }
    out->text = buf_take(&b.text);
    return SEEKI_E_OK;
}
