/* tunnel_probe: drives src/ssh/ the way SeeKi's startup does, for the tunnel
 * tests (tests/tunnel/test_tunnel.py). Loads a seeki.toml with cfg_load, takes
 * the database target from database.url (db_pg_target), opens the tunnel and
 * then obeys one command per line on stdin, answering one line on stdout:
 *   status                 -> STATUS state=.. bastion=.. local_port=.. reconnects=.. attempt=..
 *                             since=.. hops=u@h:p,.. host_key=SHA256:.. rtt_ms=.. last_error=..
 *   query [SQL]            -> OK <first value> | FAIL <libpq message>   (fresh connection)
 *   open / run [SQL] / close  a kept connection: OK ... | FAIL ...
 *   concurrent N M         -> OK <N*M> | FAIL ...  (N threads, each its own connection, M queries)
 *   bench N KB [PORT]      -> OK <median ms> <min ms>  (N selects of a KB-kilobyte result;
 *                             through 127.0.0.1:PORT instead of the tunnel when given)
 *   fetch N                -> OK <rows> <bytes> <fnv1a-64 hex>  (N rows of 992 bytes, hashed
 *                             here: proves big results arrive intact)
 *   upload KB              -> OK <md5 the server computed of a KB-kilobyte literal we sent>
 *   wait STATE SECONDS     -> OK <elapsed s> | TIMEOUT <state>
 *   unavailable            -> OK <503 text> | UP
 *   quit                   -> closes the tunnel, exits 0
 * At start it prints "READY <local port>" or, when tunnel_open fails, logs the
 * startup message exactly as seeki does ("ERROR cli: ..."), prints
 * "STEP <step> unknown=<0|1> host_key=<fingerprint>" and exits 1.
 * Options after the config (the setup wizard's tunnel_open_ex): --no-write
 * (never write known_hosts), --accept FP (accept_host_key), --write-accepted.
 * SIGTERM/SIGINT close the tunnel and exit 0. */
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "db/pg/url.h"
#include "log.h"
#include "ssh/tunnel.h"

static volatile sig_atomic_t probe_stop;
static const struct cfg *probe_cfg;
static int probe_port;

static void probe_on_signal(int sig)
{
    (void)sig;
    probe_stop = 1;
}

static PGconn *probe_connect_port(int local_port)
{
    char port[16];
    snprintf(port, sizeof port, "%d", local_port);
    /* As the PostgreSQL engine will: the URL as written, with hostaddr and
     * port pointing at the tunnel (host is kept for TLS name checks). */
    const char *keys[] = {"dbname", "hostaddr", "port", "connect_timeout", NULL};
    const char *vals[] = {probe_cfg->db_url, "127.0.0.1", port, "10", NULL};
    return PQconnectdbParams(keys, vals, 1);
}

static PGconn *probe_connect(void)
{
    return probe_connect_port(probe_port);
}

static void probe_clean(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

/* Runs sql on c; prints OK <first value> or FAIL <message>. */
static int probe_run(PGconn *c, const char *sql, char *out, size_t n)
{
    if (PQstatus(c) != CONNECTION_OK) {
        snprintf(out, n, "FAIL %s", PQerrorMessage(c));
        probe_clean(out);
        return -1;
    }
    PGresult *r = PQexec(c, sql);
    int rc = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        snprintf(out, n, "OK %s", PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "(no rows)");
    else if (PQresultStatus(r) == PGRES_COMMAND_OK)
        snprintf(out, n, "OK (command)");
    else {
        snprintf(out, n, "FAIL %s", PQerrorMessage(c));
        rc = -1;
    }
    PQclear(r);
    probe_clean(out);
    return rc;
}

struct probe_job {
    int queries;
    int ok;
    char err[512];
};

static void *probe_worker(void *arg)
{
    struct probe_job *j = arg;
    PGconn *c = probe_connect();
    char out[512];
    for (int i = 0; i < j->queries; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT %d + count(*) FROM generate_series(1, 200)", i);
        if (probe_run(c, sql, out, sizeof out) == 0)
            j->ok++;
        else
            snprintf(j->err, sizeof j->err, "%s", out);
    }
    PQfinish(c);
    return NULL;
}

static double probe_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int probe_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void probe_bench(int n, int kb, int port)
{
    PGconn *c = probe_connect_port(port > 0 ? port : probe_port);
    char out[512];
    if (probe_run(c, "SELECT 1", out, sizeof out) != 0) {
        printf("%s\n", out);
        PQfinish(c);
        return;
    }
    char sql[200];
    /* kb rows of ~1000 bytes: a multi-segment result, like a page of rows. */
    snprintf(sql, sizeof sql, "SELECT repeat(md5(g::text), 31) FROM generate_series(1, %d) g",
             kb);
    double *ms = calloc((size_t)n, sizeof *ms);
    for (int i = 0; i < n; i++) {
        double t0 = probe_now();
        PGresult *r = PQexec(c, sql);
        ms[i] = (probe_now() - t0) * 1000.0;
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            PQclear(r);
            printf("FAIL %s\n", PQerrorMessage(c));
            free(ms);
            PQfinish(c);
            return;
        }
        PQclear(r);
    }
    qsort(ms, (size_t)n, sizeof *ms, probe_cmp);
    printf("OK %.3f %.3f\n", ms[n / 2], ms[0]);
    free(ms);
    PQfinish(c);
}

/* FNV-1a 64 over every value of a big result, in row order. */
static void probe_fetch(int n)
{
    PGconn *c = probe_connect();
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT repeat(md5(g::text), 31) FROM generate_series(1, %d) g ORDER BY g", n);
    PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        char out[512];
        snprintf(out, sizeof out, "FAIL %s", PQerrorMessage(c));
        probe_clean(out);
        printf("%s\n", out);
    } else {
        unsigned long long h = 1469598103934665603ULL;
        size_t bytes = 0;
        for (int i = 0; i < PQntuples(r); i++) {
            const unsigned char *v = (const unsigned char *)PQgetvalue(r, i, 0);
            for (; *v; v++, bytes++) {
                h ^= *v;
                h *= 1099511628211ULL;
            }
        }
        printf("OK %d %zu %016llx\n", PQntuples(r), bytes, h);
    }
    PQclear(r);
    PQfinish(c);
}

/* Sends a kb-kilobyte literal (pattern 'a'..'z') and prints the server's md5 of it. */
static void probe_upload(int kb)
{
    size_t n = (size_t)kb * 1024;
    char *sql = malloc(n + 64);
    size_t off = (size_t)snprintf(sql, 64, "SELECT md5('");
    for (size_t i = 0; i < n; i++)
        sql[off++] = (char)('a' + i % 26);
    memcpy(sql + off, "')", 3);
    PGconn *c = probe_connect();
    char out[512];
    probe_run(c, sql, out, sizeof out);
    printf("%s\n", out);
    PQfinish(c);
    free(sql);
}

static void probe_status(const struct tunnel *t)
{
    struct tunnel_status st;
    tunnel_get_status(t, &st);
    char hops[TUNNEL_HOPS_MAX * TUNNEL_BASTION_MAX] = "";
    size_t off = 0;
    for (size_t i = 0; i < st.nhops && off < sizeof hops; i++)
        off += (size_t)snprintf(hops + off, sizeof hops - off, "%s%s", i ? "," : "", st.hops[i]);
    printf("STATUS state=%s bastion=%s local_port=%d reconnects=%u attempt=%u since=%ld "
           "hops=%s host_key=%s rtt_ms=%d last_error=%s\n",
           tunnel_state_name(st.state), st.bastion, st.local_port, st.reconnects, st.attempt,
           (long)st.since, hops, st.host_key[0] ? st.host_key : "-", st.last_keepalive_rtt_ms,
           st.last_error);
}

static void probe_wait(const struct tunnel *t, const char *want, double secs)
{
    double t0 = probe_now();
    struct tunnel_status st;
    for (;;) {
        tunnel_get_status(t, &st);
        if (strcmp(tunnel_state_name(st.state), want) == 0) {
            printf("OK %.2f\n", probe_now() - t0);
            return;
        }
        if (probe_now() - t0 > secs || probe_stop) {
            printf("TIMEOUT %s\n", tunnel_state_name(st.state));
            return;
        }
        usleep(20000);
    }
}

static void probe_loop(struct tunnel *t)
{
    char line[1024];
    PGconn *kept = NULL;
    while (!probe_stop) {
        if (!fgets(line, sizeof line, stdin)) {
            if (errno == EINTR && !feof(stdin)) {
                clearerr(stdin);
                continue;
            }
            break;
        }
        line[strcspn(line, "\r\n")] = '\0';
        char out[1024];
        char arg[900] = "";
        int n1 = 0, n2 = 0;
        double d = 0;
        if (strcmp(line, "status") == 0) {
            probe_status(t);
        } else if (strncmp(line, "query", 5) == 0) {
            PGconn *c = probe_connect();
            probe_run(c, line[5] ? line + 6 : "SELECT inet_server_addr()::text", out, sizeof out);
            PQfinish(c);
            printf("%s\n", out);
        } else if (strcmp(line, "open") == 0) {
            PQfinish(kept);
            kept = probe_connect();
            probe_run(kept, "SELECT 1", out, sizeof out);
            printf("%s\n", out);
        } else if (strncmp(line, "run", 3) == 0) {
            probe_run(kept, line[3] ? line + 4 : "SELECT 1", out, sizeof out);
            printf("%s\n", out);
        } else if (strcmp(line, "close") == 0) {
            PQfinish(kept);
            kept = NULL;
            printf("OK\n");
        } else if (sscanf(line, "concurrent %d %d", &n1, &n2) == 2 && n1 > 0 && n1 <= 200) {
            pthread_t th[200];
            struct probe_job jobs[200];
            memset(jobs, 0, sizeof jobs);
            for (int i = 0; i < n1; i++) {
                jobs[i].queries = n2;
                pthread_create(&th[i], NULL, probe_worker, &jobs[i]);
            }
            int ok = 0;
            const char *e = NULL;
            for (int i = 0; i < n1; i++) {
                pthread_join(th[i], NULL);
                ok += jobs[i].ok;
                if (jobs[i].err[0] && !e)
                    e = jobs[i].err;
            }
            if (ok == n1 * n2)
                printf("OK %d\n", ok);
            else
                printf("FAIL %d of %d: %s\n", ok, n1 * n2, e ? e : "?");
        } else if (sscanf(line, "bench %d %d", &n1, &n2) == 2 && n1 > 0) {
            int alt = 0;
            if (sscanf(line, "bench %*d %*d %d", &alt) != 1)
                alt = 0;
            probe_bench(n1, n2, alt);
        } else if (sscanf(line, "fetch %d", &n1) == 1 && n1 > 0) {
            probe_fetch(n1);
        } else if (sscanf(line, "upload %d", &n1) == 1 && n1 > 0 && n1 <= 65536) {
            probe_upload(n1);
        } else if (sscanf(line, "wait %63s %lf", arg, &d) == 2) {
            probe_wait(t, arg, d);
        } else if (strcmp(line, "unavailable") == 0) {
            if (tunnel_unavailable(t, out, sizeof out))
                printf("OK %s\n", out);
            else
                printf("UP\n");
        } else if (strcmp(line, "quit") == 0) {
            break;
        } else {
            printf("FAIL unknown command\n");
        }
        fflush(stdout);
    }
    PQfinish(kept);
}

int main(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[1], "--config") != 0) {
        fprintf(stderr, "usage: tunnel_probe --config seeki.toml [--no-write] [--accept FP] "
                        "[--write-accepted]\n");
        return 2;
    }
    struct tunnel_open_opts opts;
    memset(&opts, 0, sizeof opts);
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--no-write") == 0)
            opts.no_write_known_hosts = true;
        else if (strcmp(argv[i], "--write-accepted") == 0)
            opts.write_accepted_key = true;
        else if (strcmp(argv[i], "--accept") == 0 && i + 1 < argc)
            opts.accept_host_key = argv[++i];
        else {
            fprintf(stderr, "tunnel_probe: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    struct tunnel_open_info info;
    memset(&info, 0, sizeof info);
    char msg[256];
    if (log_configure(getenv("SEEKI_LOG"), msg, sizeof msg) != 0)
        fprintf(stderr, "%s\n", msg);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = probe_on_signal; /* no SA_RESTART: fgets returns on a signal */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct seeki_err err;
    seeki_err_clear(&err);
    struct cfg *cfg = NULL;
    struct tunnel *t = NULL;
    char *host = NULL;
    int port = 0, status = 1;
    if (cfg_load(argv[2], &cfg, &err) != SEEKI_E_OK)
        goto fail;
    probe_cfg = cfg;
    if (db_pg_target(cfg, &host, &port, &err) != SEEKI_E_OK)
        goto fail;
    if (tunnel_open_ex(cfg, host, port, &opts, &t, &info, &err) != SEEKI_E_OK) {
        printf("STEP %s unknown=%d host_key=%s\n", tunnel_step_name(info.step),
               info.host_key_unknown, info.host_key);
        goto fail;
    }
    probe_port = tunnel_local_port(t);
    printf("READY %d\n", probe_port);
    fflush(stdout);
    probe_loop(t);
    status = 0;
    goto done;
fail:
    log_error("cli", "%s", err.msg);
done:
    tunnel_close(t);
    free(host);
    cfg_destroy(cfg);
    return status;
}
