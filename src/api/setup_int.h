/* Internals of the setup wizard's two routes (SPEC §7): POST
 * /api/setup/test-connection (setup_test.c) and POST /api/setup/save
 * (setup_save.c), and what they share (setup.c): the setup-mode gate, the
 * body (the JSON image of seeki.toml plus "secrets" and "accept_host_key"),
 * the validation through cfg_from_json, and opening tunnel + database. The
 * POST guard (JSON content type, same origin) is http_post_refused
 * (http/guard.c); the 64 KiB body cap is http/'s. */
#ifndef SEEKI_API_SETUP_INT_H
#define SEEKI_API_SETUP_INT_H

#include "api/api_int.h"
#include "ssh/tunnel.h"

/* A parsed wizard body. */
struct setup_body {
    json_t *doc;           /* the body without accept_host_key (owned) */
    char *accept_host_key; /* "SHA256:..." or NULL (owned) */
    char *config_path;     /* where save writes seeki.toml (owned, absolute) */
    char *config_dir;      /* its directory (owned) */
    struct cfg *cfg;       /* doc validated (owned) */
};

/* The POST guard (http_post_refused: 403 cross-site, 415 not JSON), the
 * setup-mode gate (409 once configured), then the body: JSON object,
 * accept_host_key, validation (422 step "config"). only_connection keeps
 * only database, ssh and secrets of the body (test-connection). On failure
 * fills resp and returns false with nothing to free. */
bool setup_body_parse(struct api_ctx *ctx, const struct http_req *req, bool only_connection,
                      struct setup_body *out, struct http_resp *resp);
void setup_body_free(struct setup_body *b);

/* 422 {"error","step"}, or 409 {"error","step":"host_key","host_key"} when
 * the bastion's key is only unknown. */
void setup_fail(struct http_resp *resp, const char *step, const struct seeki_err *err,
                const struct tunnel_open_info *info, unsigned long req_id);

/* Opens the tunnel (when [ssh]) with topts and then the database through it,
 * as startup does. On failure returns the step name ("config", "ssh",
 * "host_key", "auth", "forward", "database") with err and info filled, and
 * nothing left open; NULL on success. */
const char *setup_open(const struct cfg *c, const struct tunnel_open_opts *topts,
                       struct tunnel **tunnel, struct db_engine **db,
                       struct tunnel_open_info *info, struct seeki_err *err);

#endif
