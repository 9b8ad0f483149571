/* GET /api/status: mode, version, database kind and liveness, tunnel (null
 * until the SSH tunnel module reports its state). Answers in setup mode too. */
#include "api/api_int.h"
#include "log.h"

void api_status(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    json_t *db = json_object();
    const char *kind = NULL;
    bool connected = false;
    if (ctx->db) {
        kind = db_kind_name(ctx->db);
        struct seeki_err err;
        seeki_err_clear(&err);
        connected = db_ping(ctx->db, &err) == SEEKI_E_OK;
        if (!connected)
            log_debug("api", "req=%lu status: database ping failed: %s", req->id, err.msg);
    } else if (ctx->cfg) {
        kind = ctx->cfg->db_kind == CFG_DB_SQLITE ? "sqlite" : "postgres";
    }
    json_object_set_new(db, "kind", kind ? json_string(kind) : json_null());
    json_object_set_new(db, "connected", json_boolean(connected));
    json_t *root = json_object();
    json_object_set_new(root, "mode", json_string(ctx->setup_mode ? "setup" : "normal"));
    json_object_set_new(root, "version", api_jstr(ctx->version ? ctx->version : ""));
    json_object_set_new(root, "database", db);
    json_object_set_new(root, "tunnel", json_null());
    api_send_json(resp, 200, root, req->id);
}
