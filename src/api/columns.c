/* GET /api/tables/{t}/columns: the table's columns in ordinal order (each
 * with "references" when it alone is a foreign key, api_column_json), plus
 * the table's relations (SPEC §9): foreign_keys and referenced_by. */
#include "api/api_int.h"

/* Names of the columns idx[0..n) of t as a JSON array. */
static json_t *col_names(const struct db_table *t, const size_t *idx, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, api_jstr(t->cols[idx[i]].name));
    return a;
}

void api_columns(struct api_ctx *ctx, const struct http_req *req, const char *table,
                 struct http_resp *resp)
{
    const struct db_table *t;
    if (!api_find_table(ctx, req, table, &t, resp))
        return;
    const struct db_catalog *cat = db_catalog(ctx->db);
    json_t *arr = json_array();
    for (size_t i = 0; i < t->ncols; i++)
        json_array_append_new(arr, api_column_json(&t->cols[i]));
    json_t *fks = json_array();
    for (size_t k = 0; k < t->nfkeys; k++) {
        const struct db_fkey *f = &t->fkeys[k];
        const struct db_table *r = &cat->tables[f->ref_table];
        json_array_append_new(
            fks, json_pack("{s:o, s:o, s:o}", "columns", col_names(t, f->cols, f->ncols), "table",
                           api_jstr(r->name), "ref_columns", col_names(r, f->ref_cols, f->ncols)));
    }
    json_t *refby = json_array();
    for (size_t k = 0; k < t->nrefby; k++) {
        const struct db_table *child = &cat->tables[t->refby[k].table];
        const struct db_fkey *f = &child->fkeys[t->refby[k].fkey];
        json_array_append_new(refby, json_pack("{s:o, s:o, s:o}", "table", api_jstr(child->name),
                                               "columns", col_names(child, f->cols, f->ncols),
                                               "ref_columns", col_names(t, f->ref_cols, f->ncols)));
    }
    api_send_json(
        resp, 200,
        json_pack("{s:o, s:o, s:o}", "columns", arr, "foreign_keys", fks, "referenced_by", refby),
        req->id);
}
