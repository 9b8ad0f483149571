/* GET /api/tables/{t}/count: how many rows match the view (search,
 * filters; sort and paging parameters are ignored). The UI asks this after
 * a page answered with "count_pending": true, to turn "about N" into N; it
 * waits for the background count up to API_COUNT_WAIT_MS, then answers what
 * is known (still pending: ask again). docs/paging.md "Counts". */
#include "api/api_int.h"

void api_count(struct api_ctx *ctx, const struct http_req *req, const char *table,
               struct http_resp *resp)
{
    struct api_rows_req p;
    if (!api_find_rows_req(ctx, req, table, true, &p, resp))
        return;
    struct seeki_err err;
    seeki_err_clear(&err);
    struct db_query q = {.table = p.table,
                         .search = p.search,
                         .filters = p.filters,
                         .nfilters = p.nfilters,
                         .limit = -1,
                         .gone = api_client_gone,
                         .gone_arg = (void *)req};
    struct db_total tot;
    if (db_count_wait(ctx->db, &q, API_COUNT_WAIT_MS, &tot, &err) != SEEKI_E_OK) {
        http_resp_fail(resp, &err, req->id);
    } else {
        json_t *o = json_object();
        json_object_set_new(o, "total_rows", json_integer(tot.n));
        json_object_set_new(o, "total_rows_exact", json_boolean(tot.exact));
        json_object_set_new(o, "count_pending", json_boolean(tot.pending));
        api_send_json(resp, 200, o, req->id);
    }
    api_rows_req_free(&p);
}
