/* What the setup wizard's routes share (setup_int.h): the gate, the body,
 * validation with the config loader's own rules, and opening the tunnel and
 * the database like startup does. Request bodies hold passwords: nothing of
 * them is ever logged. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/setup_int.h"
#include "db/pg/url.h"
#include "log.h"
#include "store/store.h"
#include "util/mem.h"

/* {"error": msg, "step": step} with status. */
static void setup_send(struct http_resp *resp, int status, const char *step, const char *msg,
                       const char *host_key, unsigned long req_id)
{
    json_t *o = json_object();
    json_object_set_new(o, "error", api_jstr(msg));
    if (step)
        json_object_set_new(o, "step", json_string(step));
    if (host_key)
        json_object_set_new(o, "host_key", api_jstr(host_key));
    api_send_json(resp, status, o, req_id);
}

void setup_fail(struct http_resp *resp, const char *step, const struct seeki_err *err,
                const struct tunnel_open_info *info, unsigned long req_id)
{
    const char *msg = err->msg[0] ? err->msg : seeki_code_text(err->code);
    if (info && info->host_key_unknown && info->host_key[0]) {
        setup_send(resp, 409, "host_key", msg, info->host_key, req_id);
        return;
    }
    log_debug("api", "req=%lu setup: %s step failed: %s", req_id, step, msg);
    setup_send(resp, 422, step, msg, NULL, req_id);
}

void setup_body_free(struct setup_body *b)
{
    if (!b)
        return;
    json_decref(b->doc);
    free(b->accept_host_key);
    free(b->config_path);
    free(b->config_dir);
    cfg_destroy(b->cfg);
    memset(b, 0, sizeof *b);
}

/* Where save writes: --config PATH when given, else the user config path. */
static char *setup_target(const struct api_ctx *ctx)
{
    if (ctx->setup_config_path && *ctx->setup_config_path) {
        const char *p = ctx->setup_config_path;
        if (p[0] == '/')
            return xstrdup(p);
        char cwd[4096];
        return xasprintf("%s/%s", getcwd(cwd, sizeof cwd) ? cwd : ".", p);
    }
    return cfg_user_path();
}

static bool setup_gate(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    if (ctx->setup_mode)
        return true;
    (void)req;
    char *msg = xasprintf("SeeKi is already configured (%.300s); the setup routes only answer in "
                          "setup mode. Edit that file and restart SeeKi to change the settings",
                          ctx->cfg && ctx->cfg->path ? ctx->cfg->path : "a config file");
    http_resp_error(resp, 409, msg);
    free(msg);
    return false;
}

bool setup_body_parse(struct api_ctx *ctx, const struct http_req *req, bool only_connection,
                      struct setup_body *out, struct http_resp *resp)
{
    memset(out, 0, sizeof *out);
    if (http_post_refused(req, resp) || !setup_gate(ctx, req, resp))
        return false;
    json_error_t jerr;
    json_t *doc = req->body ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr)
                            : NULL;
    if (!doc || !json_is_object(doc)) {
        char *msg = doc ? xstrdup("The request body must be a JSON object: the JSON image of "
                                  "seeki.toml plus an optional \"secrets\" object")
                        : req->body ? xasprintf("The request body is not valid JSON (line %d, "
                                                "column %d: %.200s); send the JSON image of "
                                                "seeki.toml",
                                                jerr.line, jerr.column, jerr.text)
                                    : xstrdup("The request has no body; send the JSON image "
                                              "of seeki.toml");
        http_resp_error(resp, 400, msg);
        free(msg);
        json_decref(doc);
        return false;
    }
    out->doc = doc;
    json_t *ak = json_object_get(doc, "accept_host_key");
    if (ak) {
        if (!json_is_string(ak) || strncmp(json_string_value(ak), "SHA256:", 7) != 0) {
            struct seeki_err e;
            seeki_fail(&e, SEEKI_E_CONFIG,
                       "`accept_host_key` must be the bastion's fingerprint as \"SHA256:...\", "
                       "copied from the 409 answer");
            setup_fail(resp, "config", &e, NULL, req->id);
            setup_body_free(out);
            return false;
        }
        out->accept_host_key = xstrdup(json_string_value(ak));
        json_object_del(doc, "accept_host_key");
    }
    if (only_connection) {
        /* test-connection reads only these; the rest is save's business. */
        json_t *slim = json_object();
        static const char *const keep[] = {"database", "ssh", "secrets"};
        for (size_t i = 0; i < 3; i++) {
            json_t *v = json_object_get(doc, keep[i]);
            if (v)
                json_object_set(slim, keep[i], v);
        }
        json_decref(out->doc);
        out->doc = slim;
    }
    out->config_path = setup_target(ctx);
    if (!out->config_path) {
        http_resp_error(resp, 422,
                        "Cannot tell where to save the configuration: neither HOME nor "
                        "XDG_CONFIG_HOME is set. Start SeeKi with --config PATH");
        setup_body_free(out);
        return false;
    }
    out->config_dir = store_dir_of(out->config_path);
    struct seeki_err err;
    seeki_err_clear(&err);
    if (cfg_from_json(out->doc, NULL, out->config_dir, CFG_JSON_SECRETS, &out->cfg, &err) !=
        SEEKI_E_OK) {
        setup_fail(resp, "config", &err, NULL, req->id);
        setup_body_free(out);
        return false;
    }
    return true;
}

const char *setup_open(const struct cfg *c, const struct tunnel_open_opts *topts,
                       struct tunnel **tunnel, struct db_engine **db,
                       struct tunnel_open_info *info, struct seeki_err *err)
{
    *tunnel = NULL;
    *db = NULL;
    memset(info, 0, sizeof *info);
    if (c->ssh.enabled) {
        /* as cli_open_tunnel does at startup */
        if (c->db_kind != CFG_DB_POSTGRES) {
            seeki_fail(err, SEEKI_E_CONFIG,
                       "The SSH tunnel reaches a PostgreSQL server, but the database is SQLite. "
                       "Untick \"Use SSH tunnel\", or connect to PostgreSQL");
            return "config";
        }
        char *host = NULL;
        int port = 0;
        if (db_pg_target(c, &host, &port, err) != SEEKI_E_OK)
            return "config";
        enum seeki_code rc = tunnel_open_ex(c, host, port, topts, tunnel, info, err);
        free(host);
        if (rc != SEEKI_E_OK) {
            const char *step = tunnel_step_name(info->step);
            return step ? step : "ssh";
        }
    }
    struct db_open_opts dopts = {.tunnel_port = *tunnel ? tunnel_local_port(*tunnel) : 0};
    if (db_open(c, &dopts, db, err) != SEEKI_E_OK) {
        tunnel_close(*tunnel);
        *tunnel = NULL;
        *db = NULL;
        return "database";
    }
    return NULL;
}
