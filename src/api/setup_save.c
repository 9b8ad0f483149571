/* POST /api/setup/save (SPEC §7): validates the body like test-connection,
 * writes seeki.toml and, only when the body has secrets, .seeki.secrets
 * beside it (both 0600, through store/, never replacing a file), loads what
 * it wrote with the normal config loader, opens tunnel (writing the accepted
 * bastion key to known_hosts, the only time the wizard writes it) and
 * database, and switches SeeKi to normal mode. When the connection fails
 * the files it wrote are removed again and SeeKi stays in setup mode. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/setup_int.h"
#include "log.h"
#include "store/store.h"
#include "util/mem.h"
#include "util/secret.h"

/* One save at a time: the second waits, then finds SeeKi configured (409). */
static pthread_mutex_t save_mu = PTHREAD_MUTEX_INITIALIZER;

/* 409 naming path when something is already there. */
static bool save_exists(const char *path, struct http_resp *resp)
{
    struct stat st;
    if (lstat(path, &st) != 0 && errno == ENOENT)
        return false;
    char *msg = xasprintf("%.400s already exists; SeeKi never overwrites it. Move it away and "
                          "save again, or start SeeKi with --config %.400s to use it",
                          path, path);
    http_resp_error(resp, 409, msg);
    free(msg);
    return true;
}

/* The TOML text of member key of doc, or of doc without it (key NULL: the
 * config without "secrets"). */
static enum seeki_code save_text(json_t *doc, bool secrets, char **out, struct seeki_err *err)
{
    json_t *part = secrets ? json_incref(json_object_get(doc, "secrets")) : json_copy(doc);
    if (!secrets)
        json_object_del(part, "secrets");
    enum seeki_code rc = cfg_toml_write(part, out, err);
    json_decref(part);
    return rc;
}

static bool has_secrets(const struct cfg *c)
{
    return c->secrets.key_passphrase || c->secrets.ssh_password || c->secrets.db_password;
}

static void save_write_fail(struct http_resp *resp, const char *path, int e)
{
    char *msg = xasprintf("Cannot write %.400s: %s. Fix the permissions of its directory, or "
                          "start SeeKi with --config PATH somewhere writable",
                          path, strerror(e));
    http_resp_error(resp, 422, msg);
    free(msg);
}

/* Writes the files; on failure fills resp and leaves nothing behind. */
static bool save_files(const struct setup_body *b, const char *secrets_path,
                       struct http_resp *resp, unsigned long req_id)
{
    struct seeki_err err;
    seeki_err_clear(&err);
    char *conf = NULL, *sec = NULL;
    bool ok = false;
    if (save_text(b->doc, false, &conf, &err) != SEEKI_E_OK ||
        (secrets_path && save_text(b->doc, true, &sec, &err) != SEEKI_E_OK)) {
        setup_fail(resp, "config", &err, NULL, req_id);
        goto out;
    }
    /* secrets first: once seeki.toml exists, a restart loads both */
    if (sec && store_write_new(secrets_path, sec, strlen(sec)) != 0) {
        save_write_fail(resp, secrets_path, errno);
        goto out;
    }
    if (store_write_new(b->config_path, conf, strlen(conf)) != 0) {
        int e = errno;
        if (sec)
            (void)unlink(secrets_path);
        save_write_fail(resp, b->config_path, e);
        goto out;
    }
    ok = true;
out:
    free(conf);
    secret_free(sec);
    return ok;
}

void api_setup_save(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    pthread_mutex_lock(&save_mu);
    struct setup_body b;
    char *secrets_path = NULL;
    struct cfg *loaded = NULL;
    struct tunnel *t = NULL;
    struct db_engine *db = NULL;
    bool written = false;
    struct seeki_err err;
    seeki_err_clear(&err);
    if (!setup_body_parse(ctx, req, false, &b, resp))
        goto unlock;
    if (b.cfg->db_kind == CFG_DB_POSTGRES && cfg_url_has_password(b.cfg->db_url)) {
        seeki_fail(&err, SEEKI_E_CONFIG,
                   "`database.url` holds a password, and SeeKi never writes one into "
                   "seeki.toml: remove it from the URL and send it as "
                   "secrets.database.password (kept in .seeki.secrets, mode 0600)");
        setup_fail(resp, "config", &err, NULL, req->id);
        goto out;
    }
    if (has_secrets(b.cfg))
        secrets_path = xstrdup(b.cfg->secrets.path);
    /* A secrets file already there is refused even when this config needs
     * none: the loader would read it beside the new seeki.toml. */
    if (save_exists(b.config_path, resp) || save_exists(b.cfg->secrets.path, resp))
        goto out;
    if (!save_files(&b, secrets_path, resp, req->id))
        goto out;
    written = true;
    /* What a restart would load, loaded the same way. */
    if (cfg_load(b.config_path, &loaded, &err) != SEEKI_E_OK) {
        setup_fail(resp, "config", &err, NULL, req->id);
        goto out;
    }
    struct tunnel_open_opts topts = {.no_write_known_hosts = true,
                                     .accept_host_key = b.accept_host_key,
                                     .write_accepted_key = true};
    struct tunnel_open_info info;
    const char *step = setup_open(loaded, &topts, &t, &db, &info, &err);
    if (step) {
        setup_fail(resp, step, &err, &info, req->id);
        goto out;
    }
    /* The switch: pointers first, then the mode, which every reader checks
     * first (atomic), so a handler that sees normal mode sees them too. */
    ctx->cfg = loaded;
    ctx->db = db;
    ctx->tunnel = t;
    atomic_store(&ctx->setup_mode, false);
    log_info("api", "Setup finished: wrote %s%s%s; SeeKi now serves the %s database", b.config_path,
             secrets_path ? " and " : "", secrets_path ? secrets_path : "", db_kind_name(db));
    loaded = NULL;
    written = false;
    api_send_json(resp, 201, json_pack("{s:o}", "config_path", api_jstr(b.config_path)),
                  req->id);
out:
    if (written) { /* not switched: take the files back, so the user can retry */
        (void)unlink(b.config_path);
        if (secrets_path)
            (void)unlink(secrets_path);
        log_info("api", "req=%lu setup: save did not connect; removed %s again", req->id,
                 b.config_path);
    }
    cfg_destroy(loaded);
    free(secrets_path);
    setup_body_free(&b);
unlock:
    pthread_mutex_unlock(&save_mu);
}
