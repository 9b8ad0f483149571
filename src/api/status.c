/* GET /api/status: mode, version, database kind and liveness, and the SSH
 * tunnel's state (null without [ssh]). Answers in setup mode too. */
#include <time.h>

#include "api/api_int.h"
#include "log.h"
#include "ssh/tunnel.h"

/* {"state","bastion","local_port","since","reconnects","last_error","hops",
 * "host_key","last_keepalive_rtt_ms"} or null. */
static json_t *status_tunnel(const struct tunnel *t)
{
    if (!t)
        return json_null();
    struct tunnel_status st;
    tunnel_get_status(t, &st);
    char since[32];
    struct tm tm;
    gmtime_r(&st.since, &tm);
    strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *o = json_object();
    json_object_set_new(o, "state", json_string(tunnel_state_name(st.state)));
    json_object_set_new(o, "bastion", api_jstr(st.bastion));
    json_object_set_new(o, "local_port", json_integer(st.local_port));
    json_object_set_new(o, "since", json_string(since));
    json_object_set_new(o, "reconnects", json_integer(st.reconnects));
    json_object_set_new(o, "last_error", st.last_error[0] ? api_jstr(st.last_error) : json_null());
    json_t *hops = json_array();
    for (size_t i = 0; i < st.nhops; i++)
        json_array_append_new(hops, api_jstr(st.hops[i]));
    json_object_set_new(o, "hops", hops);
    json_object_set_new(o, "host_key", st.host_key[0] ? api_jstr(st.host_key) : json_null());
    json_object_set_new(o, "last_keepalive_rtt_ms", st.last_keepalive_rtt_ms >= 0
                                                        ? json_integer(st.last_keepalive_rtt_ms)
                                                        : json_null());
    return o;
}

void api_status(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    json_t *db = json_object();
    const char *kind = NULL;
    bool connected = false;
    bool setup = ctx->setup_mode; /* first: cfg, db and tunnel are set before it clears */
    if (setup) {
        /* nothing configured yet */
    } else if (ctx->db) {
        kind = db_kind_name(ctx->db);
        struct seeki_err err;
        seeki_err_clear(&err);
        enum seeki_code rc = db_ping(ctx->db, &err);
        /* every connection busy: they are working, so the database is up */
        connected = rc == SEEKI_E_OK || rc == SEEKI_E_BUSY;
        if (!connected)
            log_debug("api", "req=%lu status: database ping failed: %s", req->id, err.msg);
    } else if (ctx->cfg) {
        kind = ctx->cfg->db_kind == CFG_DB_SQLITE ? "sqlite" : "postgres";
    }
    json_object_set_new(db, "kind", kind ? json_string(kind) : json_null());
    json_object_set_new(db, "connected", json_boolean(connected));
    json_t *root = json_object();
    json_object_set_new(root, "mode", json_string(setup ? "setup" : "normal"));
    json_object_set_new(root, "version", api_jstr(ctx->version ? ctx->version : ""));
    json_object_set_new(root, "database", db);
    json_object_set_new(root, "tunnel", status_tunnel(setup ? NULL : ctx->tunnel));
    api_send_json(resp, 200, root, req->id);
}
