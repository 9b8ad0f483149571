/* JSON helpers for the API handlers: jansson glue (the byte-safe JSON string
 * writer is util/text.h), and the shared column object and
 * table lookup. Everything here is reentrant. */
#include <string.h>

#include "api/api_int.h"
#include "log.h"
#include "util/mem.h"
#include "util/text.h"

json_t *api_jstr(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    /* Not valid UTF-8: replace the bad bytes with U+FFFD. */
    struct buf b;
    buf_init(&b, 0); /* no maximum: appends cannot fail */
    int bad = text_utf8_clean(&b, s, strlen(s));
    j = bad ? NULL : json_string(buf_str(&b));
    buf_free(&b);
    return j ? j : json_string("");
}

void api_send_json(struct http_resp *resp, int status, json_t *j, unsigned long req_id)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text) {
        struct seeki_err e;
        seeki_fail(&e, SEEKI_E_INTERNAL, "could not serialise a JSON response");
        http_resp_fail(resp, &e, req_id);
        return;
    }
    http_resp_set(resp, status, API_JSON, text, strlen(text));
    free(text);
}

json_t *api_column_json(const struct db_column *c)
{
    json_t *ref = c->ref_table ? json_pack("{s:o, s:o}", "table", api_jstr(c->ref_table),
                                           "column", api_jstr(c->ref_column))
                               : json_null();
    return json_pack("{s:o, s:o, s:o, s:o, s:b, s:b, s:b, s:b, s:o}", "name", api_jstr(c->name),
                     "display_name", api_jstr(c->display_name ? c->display_name : c->name),
                     "data_type", api_jstr(c->data_type ? c->data_type : ""), "display_type",
                     api_jstr(db_display_type(c)), "is_nullable", c->is_nullable,
                     "is_primary_key", c->is_primary_key, "sortable", !c->no_order,
                     "sensitive", c->sensitive, "references", ref);
}

bool api_client_gone(void *arg)
{
    return http_req_client_gone(arg);
}

bool api_need_db(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    if (ctx->db)
        return true;
    struct seeki_err err;
    seeki_fail(&err, SEEKI_E_DB_UNAVAILABLE,
               "Database unavailable: SeeKi has no open database connection; check the "
               "[database] section of the config and run `seeki check`");
    http_resp_fail(resp, &err, req->id);
    return false;
}

bool api_find_table(struct api_ctx *ctx, const struct http_req *req, const char *name,
                    const struct db_table **out, struct http_resp *resp)
{
    if (!api_need_db(ctx, req, resp))
        return false;
    struct seeki_err err;
    seeki_err_clear(&err);
    if (db_find_table(db_catalog(ctx->db), name, out, &err) != SEEKI_E_OK) {
        http_resp_fail(resp, &err, req->id);
        return false;
    }
    return true;
}

bool api_find_rows_req(struct api_ctx *ctx, const struct http_req *req, const char *name,
                       bool for_export, struct api_rows_req *out, struct http_resp *resp)
{
    const struct db_table *t;
    if (!api_find_table(ctx, req, name, &t, resp))
        return false;
    struct seeki_err err;
    seeki_err_clear(&err);
    if (api_params_parse(req, t, for_export, out, &err) != SEEKI_E_OK) {
        http_resp_fail(resp, &err, req->id);
        return false;
    }
    return true;
}
