/* `seeki check`: walks the startup sequence step by step without serving,
 * printing one ✓/✗ line per step with advice, so a user can see exactly where
 * a setup breaks. Exit 0 when every step passes, 1 otherwise. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "config/config.h"
#include "db/engine.h"
#include "ssh/tunnel.h"

#define CHECK_OK "\xe2\x9c\x93"   /* ✓ */
#define CHECK_FAIL "\xe2\x9c\x97" /* ✗ */

static void check_line(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check_line(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s ", ok ? CHECK_OK : CHECK_FAIL);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

/* Reads one row of every visible table, so a missing grant shows up here
 * rather than in the browser. Returns the number of tables that failed. */
static int check_tables(struct db_engine *db)
{
    const struct db_catalog *cat = db_catalog(db);
    int failed = 0;
    for (size_t i = 0; i < cat->ntables; i++) {
        const struct db_table *t = &cat->tables[i];
        struct db_query q = {.table = t, .limit = 1};
        struct db_iter *it = NULL;
        struct seeki_err err;
        seeki_err_clear(&err);
        const struct db_cell *row = NULL;
        enum seeki_code rc = db_rows_open(db, &q, &it, &err);
        if (rc == SEEKI_E_OK)
            rc = db_iter_next(it, &row, &err);
        db_iter_close(it);
        if (rc != SEEKI_E_OK) {
            check_line(false, "Table %s: %s", t->name, err.msg);
            failed++;
        }
    }
    if (!failed)
        check_line(true, "Read access: %zu table%s readable", cat->ntables,
                   cat->ntables == 1 ? "" : "s");
    return failed;
}

/* What to try when a stage fails and the message has no advice of its own
 * (every tunnel message has; this names the stage only). */
static void check_stage_label(const struct tunnel_stage_rec *r, char *buf, size_t n)
{
    if (r->nhops > 1)
        snprintf(buf, n, "SSH hop %d of %d (%s)", r->hop, r->nhops, r->who);
    else if (r->kind == TUNNEL_CHECK_FORWARD)
        snprintf(buf, n, "SSH port forward");
    else
        snprintf(buf, n, "SSH bastion (%s)", r->who);
}

/* The tunnel, one line per hop and stage in the order they ran (TCP
 * connect, handshake, host key, authentication; then the forward to the
 * database), each with its time; the failed stage carries the tunnel's
 * one-line message, which says what to try. */
static int check_tunnel(const struct cfg *cfg, struct tunnel **tunnel)
{
    struct seeki_err err;
    seeki_err_clear(&err);
    struct tunnel_open_info *info = calloc(1, sizeof *info);
    if (!info) {
        check_line(false, "SSH tunnel: out of memory");
        return -1;
    }
    enum seeki_code rc = cli_open_tunnel(cfg, info, tunnel, &err);
    int status = 0;
    if (rc != SEEKI_E_OK && info->step == TUNNEL_STEP_CONFIG) {
        check_line(false, "SSH settings: %s", err.msg);
        status = -1;
        goto done;
    }
    check_line(true, "SSH settings: resolved (seeki.toml and ~/.ssh/config)");
    for (size_t i = 0; i < info->nstages; i++) {
        const struct tunnel_stage_rec *r = &info->stages[i];
        char label[TUNNEL_BASTION_MAX + 40];
        check_stage_label(r, label, sizeof label);
        const char *stage = r->kind == TUNNEL_CHECK_FORWARD
                                ? "the bastion reaches the database at"
                                : tunnel_stage_kind_name(r->kind);
        bool space = r->kind == TUNNEL_CHECK_FORWARD || r->kind == TUNNEL_CHECK_DNS;
        if (r->ok)
            check_line(true, "%s: %s%s%s (%.0f ms)", label, stage,
                       r->detail[0] ? (space ? " " : ", ") : "", r->detail, r->ms);
        else
            check_line(false, "%s: %s failed after %.0f ms: %s", label, stage, r->ms, err.msg);
    }
    if (rc != SEEKI_E_OK) {
        if (info->nstages == 0 || info->stages[info->nstages - 1].ok)
            check_line(false, "SSH tunnel: %s", err.msg);
        status = -1;
        goto done;
    }
    struct tunnel_status st;
    tunnel_get_status(*tunnel, &st);
    check_line(true, "SSH tunnel: up via %s on 127.0.0.1:%d", st.bastion, st.local_port);
done:
    free(info);
    return status;
}

int cli_check(const struct cli_args *args)
{
    struct seeki_err err;
    seeki_err_clear(&err);
    struct cfg *cfg = NULL;
    struct db_engine *db = NULL;
    struct tunnel *tunnel = NULL;
    int status = CLI_EXIT_FAIL;

    enum seeki_code rc = cfg_load(args->config, &cfg, &err);
    if (rc == SEEKI_E_NO_CONFIG) {
        check_line(false, "Config: %s Run seeki without arguments to use the setup wizard, or "
                          "pass --config PATH.",
                   err.msg);
        goto done;
    }
    if (rc != SEEKI_E_OK) {
        check_line(false, "Config: %s", err.msg);
        goto done;
    }
    check_line(true, "Config: %s is valid", cfg->path);

    if (cfg->ssh.enabled && check_tunnel(cfg, &tunnel) != 0)
        goto done;
    struct db_open_opts dopts = {.tunnel_port = tunnel ? tunnel_local_port(tunnel) : 0};
    if (db_open(cfg, &dopts, &db, &err) != SEEKI_E_OK) {
        check_line(false, "Database: %s", err.msg);
        goto done;
    }
    size_t n = db_catalog(db)->ntables;
    check_line(true, "Database: connected to %s (%zu table%s visible)", db_kind_name(db), n,
               n == 1 ? "" : "s");
    if (n == 0) {
        check_line(false, "Tables: no tables are visible. Check database.schemas and "
                          "tables.include / tables.exclude in %s.",
                   cfg->path);
        goto done;
    }
    if (check_tables(db) == 0)
        status = CLI_EXIT_OK;
done:
    if (status == CLI_EXIT_OK)
        printf("All checks passed.\n");
    else
        printf("Some checks failed; fix the first %s above and run seeki check again.\n",
               CHECK_FAIL);
    db_close(db);
    tunnel_close(tunnel);
    cfg_destroy(cfg);
    fflush(stdout);
    return status;
}
