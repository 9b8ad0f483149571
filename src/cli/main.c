/* SeeKi's entry point: the startup sequence (config -> database -> HTTP) and
 * the orderly shutdown on SIGINT/SIGTERM in reverse order. Everything that can
 * fail before listening ends the process with exit 1 and one clear message;
 * nothing after that point may end it except a signal. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli.h"
#include "config/config.h"
#include "db/engine.h"
#include "demo/demo.h"
#include "http/http.h"
#include "log.h"
#include "ssh/tunnel.h"
#include "util/mem.h"

/* SIGINT/SIGTERM, read by one thread from the start. Until SeeKi listens,
 * the startup steps (demo build, tunnel, database connect) may block for a
 * long time: a signal then stops the process at once, naming the step and
 * removing a half-built demo file. Once serving, it wakes main for the
 * orderly shutdown. */
struct sigwatch {
    sigset_t set;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int sig;
    bool serving;
    const char *step;   /* what startup is doing, for the log line */
    char *demo_tmp[2];  /* removed when stopped mid-build */
};

static const char *sig_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

static void *sigwatch_main(void *arg)
{
    struct sigwatch *w = arg;
    int sig = 0;
    while (sigwait(&w->set, &sig) != 0) {
    }
    pthread_mutex_lock(&w->mu);
    if (!w->serving) {
        log_info("cli", "received %s while %s; stopped before SeeKi was listening",
                 sig_name(sig), w->step);
        for (size_t i = 0; i < 2; i++)
            if (w->demo_tmp[i])
                (void)unlink(w->demo_tmp[i]);
        _exit(CLI_EXIT_FAIL); /* threads may be blocked in connect(); do not wait */
    }
    w->sig = sig;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void sigwatch_step(struct sigwatch *w, const char *step)
{
    pthread_mutex_lock(&w->mu);
    w->step = step;
    pthread_mutex_unlock(&w->mu);
}

/* The demo's display.labels: a journey's vehicle_id shows the vehicle's
 * number plate (drivers and depots get theirs from SPEC §9's heuristic). */
static void cli_demo_labels(struct cfg *c)
{
    c->label_cols = xrealloc(c->label_cols, (c->nlabel_cols + 1) * sizeof *c->label_cols);
    c->label_cols[c->nlabel_cols++] =
        (struct cfg_label_col){.table = xstrdup("vehicles"), .column = xstrdup("plate")};
}

/* Loads the configuration the command line asks for: the demo database, an
 * explicit --config, or the lookup order. *setup is set when no file exists. */
static enum seeki_code main_config(const struct cli_args *a, struct sigwatch *w,
                                   struct cfg **out, bool *setup, struct seeki_err *err)
{
    *setup = false;
    if (a->demo) {
        char *path = cli_demo_path();
        log_info("cli", "preparing the demo database at %s (built once, kept for later runs)",
                 path);
        pthread_mutex_lock(&w->mu);
        w->step = "building the demo database";
        w->demo_tmp[0] = demo_tmp_path(path, false);
        w->demo_tmp[1] = demo_tmp_path(path, true);
        pthread_mutex_unlock(&w->mu);
        enum seeki_code rc = demo_create(path, err);
        if (rc == SEEKI_E_OK) {
            *out = cfg_new_demo(path);
            cli_demo_labels(*out);
        }
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

    /* Signals go to the sigwatch thread only: block them before any thread
     * starts so every thread inherits the mask. */
    static struct sigwatch w = {.mu = PTHREAD_MUTEX_INITIALIZER,
                                .cv = PTHREAD_COND_INITIALIZER,
                                .step = "reading the configuration"};
    sigemptyset(&w.set);
    sigaddset(&w.set, SIGINT);
    sigaddset(&w.set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &w.set, NULL);
    signal(SIGPIPE, SIG_IGN);
    pthread_t sigthread;
    int perr = pthread_create(&sigthread, NULL, sigwatch_main, &w);
    if (perr != 0) {
        log_error("cli", "Cannot start the signal thread: %s", strerror(perr));
        return CLI_EXIT_FAIL;
    }
    pthread_detach(sigthread);

    struct cfg *cfg = NULL;
    struct cfg *setup_cfg = NULL;
    struct db_engine *db = NULL;
    struct tunnel *tunnel = NULL;
    struct http_server *srv = NULL;
    /* The setup wizard may fill cfg, db and tunnel in here (api.h). */
    static struct api_ctx ctx;
    int status = CLI_EXIT_FAIL;
    bool setup = false;

    if (main_config(&args, &w, &cfg, &setup, &err) != SEEKI_E_OK)
        goto fail;
    sigwatch_step(&w, "starting up");
    /* In setup mode a default config only carries the bind address. */
    if (setup)
        setup_cfg = cfg_new_demo("");
    struct cfg *bindcfg = cfg ? cfg : setup_cfg;
    if (main_bind(&args, bindcfg, &err) != SEEKI_E_OK)
        goto fail;
    if (cfg) {
        if (cfg->path)
            log_info("cli", "config loaded from %s", cfg->path);
        if (cfg->ssh.enabled)
            sigwatch_step(&w, "opening the SSH tunnel");
        if (cli_open_tunnel(cfg, NULL, &tunnel, &err) != SEEKI_E_OK)
            goto fail;
        sigwatch_step(&w, "connecting to the database");
        struct db_open_opts dopts = {.tunnel_port = tunnel ? tunnel_local_port(tunnel) : 0};
        if (db_open(cfg, &dopts, &db, &err) != SEEKI_E_OK)
            goto fail;
        sigwatch_step(&w, "starting the HTTP server");
    }

    ctx.cfg = cfg;
    ctx.db = db;
    ctx.setup_mode = setup;
    ctx.setup_config_path = args.config;
    ctx.version = SEEKI_VERSION;
    ctx.tunnel = tunnel;
    struct http_options hopts = {.host = bindcfg->server_host, .port = bindcfg->server_port};
    enum seeki_code hrc = http_start(&hopts, api_handle, &ctx, &srv, &err);
    if (hrc == SEEKI_E_OK) {
        /* serving from here: a signal now means the orderly shutdown (set
         * before the "listening" line, which whoever started us waits for) */
        pthread_mutex_lock(&w.mu);
        w.serving = true;
        pthread_mutex_unlock(&w.mu);
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

    pthread_mutex_lock(&w.mu);
    while (w.sig == 0)
        pthread_cond_wait(&w.cv, &w.mu);
    int sig = w.sig;
    pthread_mutex_unlock(&w.mu);
    log_info("cli", "received %s, shutting down", sig_name(sig));
    status = CLI_EXIT_OK;
    goto done;

fail:
    status = main_fail(&err);
done:
    http_stop(srv);
    if (ctx.cfg != cfg) { /* set by the setup wizard's save */
        db_close(ctx.db);
        tunnel_close(ctx.tunnel);
        cfg_destroy((struct cfg *)ctx.cfg);
    }
    db_close(db);
    tunnel_close(tunnel);
    cfg_destroy(cfg);
    cfg_destroy(setup_cfg);
    pthread_mutex_lock(&w.mu);
    w.serving = true; /* from here a signal only waits for the exit */
    free(w.demo_tmp[0]);
    free(w.demo_tmp[1]);
    w.demo_tmp[0] = w.demo_tmp[1] = NULL;
    pthread_mutex_unlock(&w.mu);
    return status;
}
