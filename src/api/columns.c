/* GET /api/tables/{t}/columns: the table's columns in ordinal order. */
#include "api/api_int.h"

void api_columns(struct api_ctx *ctx, const struct http_req *req, const char *table,
                 struct http_resp *resp)
{
    const struct db_table *t;
    if (!api_find_table(ctx, req, table, &t, resp))
        return;
    json_t *arr = json_array();
    for (size_t i = 0; i < t->ncols; i++)
        json_array_append_new(arr, api_column_json(&t->cols[i]));
    api_send_json(resp, 200, json_pack("{s:o}", "columns", arr), req->id);
}
