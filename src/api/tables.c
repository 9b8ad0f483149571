/* GET /api/tables: the allowed tables of the live catalog, in catalog order
 * (sorted by name), with display names and row estimates (null if unknown). */
#include "api/api_int.h"

void api_tables(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    if (!api_need_db(ctx, req, resp))
        return;
    const struct db_catalog *cat = db_catalog(ctx->db);
    json_t *arr = json_array();
    for (size_t i = 0; cat && i < cat->ntables; i++) {
        const struct db_table *t = &cat->tables[i];
        json_t *o = json_pack("{s:o, s:o, s:o, s:s}", "name", api_jstr(t->name), "schema",
                              api_jstr(t->schema), "display_name",
                              api_jstr(t->display_name ? t->display_name : t->name), "kind",
                              db_table_kind_name(t->kind));
        json_object_set_new(o, "row_count_estimate",
                            t->row_estimate < 0 ? json_null() : json_integer(t->row_estimate));
        json_array_append_new(arr, o);
    }
    api_send_json(resp, 200, json_pack("{s:o}", "tables", arr), req->id);
}
