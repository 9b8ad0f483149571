/* SeeKi's entry point: the startup sequence (config -> database -> HTTP) and
 * the orderly shutdown on SIGINT/SIGTERM in reverse order. Everything that can
 * fail before listening ends the process with exit 1 and one clear message;
 * nothing after that point may end it except a signal. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "config/config.h"
#include "db/engine.h"
#include "http/http.h"
#include "log.h"
#include "ssh/tunnel.h"

/* Loads the configuration the command line asks for: the demo database, an
 * explicit --config, or the lookup order. *setup is set when no file exists. */
static enum seeki_code main_config(const struct cli_args *a, struct cfg **out, bool *setup,
                                   struct seeki_err *err)
{
    *setup = false;
    if (a->demo) {
        char *path = cli_demo_path();
        log_info("cli", "preparing the demo database at %s (built once, kept for later runs)",
                 path);
        enum seeki_code rc = db_demo_create(path, err);
        if (rc == SEEKI_E_OK)
            *out = cfg_new_demo(path);
        free(path);
        return rc;
    }
    enum seeki_code rc = cfg_load(a->config, out, err);
    if (rc == SEEKI_E_NO_CONFIG) {
        *setup = true;
        *out = NULL;
        return SEEKI_E_OK;
    }
    return rc;
}

/* --host/--port beat SEEKI_BIND, which beats [server]. */
static enum seeki_code main_bind(const struct cli_args *a, struct cfg *c, struct seeki_err *err)
{
    const char *bind = getenv("SEEKI_BIND");
    if (bind && *bind) {
        char *host = NULL;
        int port = 0;
        enum seeki_code rc = cfg_parse_bind(bind, &host, &port, err);
        if (rc != SEEKI_E_OK)
            return rc;
        rc = cfg_override_bind(c, host, port, err);
        free(host);
        if (rc != SEEKI_E_OK)
            return rc;
    }
    if (a->host || a->port >= 0) {
        /* port 0 asks for any free port (tests); cfg_override_bind treats 0 as keep */
        enum seeki_code rc = cfg_override_bind(c, a->host, a->port > 0 ? a->port : 0, err);
        if (rc != SEEKI_E_OK)
            return rc;
        if (a->port == 0)
            c->server_port = 0;
    }
    return SEEKI_E_OK;
}

static int main_fail(const struct seeki_err *err)
{
    log_error("cli", "%s", err->msg);
    return CLI_EXIT_FAIL;
}

int main(int argc, char **argv)
{
    struct seeki_err err;
    seeki_err_clear(&err);
    char logmsg[512];
    if (log_configure(getenv("SEEKI_LOG"), logmsg, sizeof logmsg) != 0)
        log_warn("cli", "%s", logmsg);

    struct cli_args args;
    if (cli_parse_args(argc, argv, &args, &err) != SEEKI_E_OK) {
        fprintf(stderr, "seeki: %s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    if (args.help) {
        cli_print_help();
        return CLI_EXIT_OK;
    }
    if (args.version) {
        printf("seeki %s\n", SEEKI_VERSION);
        return CLI_EXIT_OK;
    }
    if (args.check)
        return cli_check(&args);

    /* Signals are handled by sigwait() below; block them before any thread
     * starts so every thread inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct cfg *cfg = NULL;
    struct cfg *setup_cfg = NULL;
    struct db_engine *db = NULL;
    struct tunnel *tunnel = NULL;
    struct http_server *srv = NULL;
    int status = CLI_EXIT_FAIL;
    bool setup = false;

    if (main_config(&args, &cfg, &setup, &err) != SEEKI_E_OK)
        goto fail;
    /* In setup mode a default config only carries the bind address. */
    if (setup)
        setup_cfg = cfg_new_demo("");
    struct cfg *bindcfg = cfg ? cfg : setup_cfg;
    if (main_bind(&args, bindcfg, &err) != SEEKI_E_OK)
        goto fail;
    if (cfg) {
        if (cfg->path)
            log_info("cli", "config loaded from %s", cfg->path);
        if (cli_open_tunnel(cfg, NULL, &tunnel, &err) != SEEKI_E_OK)
            goto fail;
        struct db_open_opts dopts = {.tunnel_port = tunnel ? tunnel_local_port(tunnel) : 0};
        if (db_open(cfg, &dopts, &db, &err) != SEEKI_E_OK)
            goto fail;
    }

    struct api_ctx ctx = {.cfg = cfg, .db = db, .setup_mode = setup, .version = SEEKI_VERSION,
                           .tunnel = tunnel};
    struct http_options hopts = {.host = bindcfg->server_host, .port = bindcfg->server_port};
    enum seeki_code hrc = http_start(&hopts, &ctx, &srv, &err);
    if (hrc == SEEKI_E_OK) {
        const char *h = bindcfg->server_host;
        bool v6 = strchr(h, ':') != NULL;
        char url[300];
        snprintf(url, sizeof url, "http://%s%s%s:%d", v6 ? "[" : "", h, v6 ? "]" : "",
                 http_port(srv));
        if (setup)
            log_info("http", "No config found; open %s to set up SeeKi", url);
        log_info("http", "SeeKi listening on %s", url);
    }
    if (hrc != SEEKI_E_OK)
        goto fail;

    int sig = 0;
    sigwait(&sigs, &sig);
    log_info("cli", "received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    status = CLI_EXIT_OK;
    goto done;

fail:
    status = main_fail(&err);
done:
    http_stop(srv);
    db_close(db);
    tunnel_close(tunnel);
    cfg_destroy(cfg);
    cfg_destroy(setup_cfg);
    return status;
}
