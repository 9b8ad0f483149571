/* GET /api/config/display: branding plus every display-name override from
 * the config, so the UI can label tables and columns. In setup mode (no
 * config yet) it answers the defaults. */
#include "api/api_int.h"

void api_display(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    const struct cfg *c = ctx->setup_mode ? NULL : ctx->cfg; /* mode first: api.h */
    json_t *branding = json_object();
    json_object_set_new(branding, "title", api_jstr(c && c->title ? c->title : "SeeKi"));
    json_object_set_new(branding, "subtitle",
                        c && c->subtitle ? api_jstr(c->subtitle) : json_null());
    json_t *tables = json_object();
    json_t *columns = json_object();
    for (size_t i = 0; c && i < c->nlabels; i++) {
        const struct cfg_label *l = &c->labels[i];
        if (!l->table || !l->label)
            continue;
        if (!l->column) {
            json_object_set_new(tables, l->table, api_jstr(l->label));
            continue;
        }
        json_t *t = json_object_get(columns, l->table);
        if (!t) {
            t = json_object();
            json_object_set_new(columns, l->table, t);
        }
        json_object_set_new(t, l->column, api_jstr(l->label));
    }
    json_t *root = json_object();
    json_object_set_new(root, "branding", branding);
    json_object_set_new(root, "tables", tables);
    json_object_set_new(root, "columns", columns);
    api_send_json(resp, 200, root, req->id);
}
