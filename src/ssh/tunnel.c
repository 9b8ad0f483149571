/* Tunnel lifecycle: the kept 127.0.0.1:0 listener, start-up (session, test
 * forward, "SSH tunnel ready"), the one I/O thread that owns the libssh
 * session (poll loop, keepalive, loss detection, reconnect with backoff),
 * the thread-safe status snapshot and the clean shutdown. The byte pumping
 * itself is pump.c; docs/internals/tunnel.md describes the whole design. */
#include <errno.h>
#include <libssh/server.h> /* ssh_send_keepalive */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "ssh/tunnel_int.h"
#include "util/mem.h"
#include "util/clock.h"

#define TUNNEL_PASS_MAX 16 /* pump passes per poll round before polling again */

double tunnel_now(void)
{
    return clock_s();
}

const char *tunnel_state_name(enum tunnel_state s)
{
    switch (s) {
    case TUNNEL_UP: return "up";
    case TUNNEL_RECONNECTING: return "reconnecting";
    case TUNNEL_DOWN: return "down";
    }
    return "down";
}

/* ---- status (any thread) -------------------------------------------------- */

static void tunnel_set_state(struct tunnel *t, enum tunnel_state s, unsigned attempt,
                             const char *last_error)
{
    pthread_mutex_lock(&t->mu);
    if (t->st.state != s)
        t->st.since = time(NULL);
    t->st.state = s;
    t->st.attempt = attempt;
    if (last_error)
        snprintf(t->st.last_error, sizeof t->st.last_error, "%s", last_error);
    pthread_mutex_unlock(&t->mu);
}

void tunnel_get_status(const struct tunnel *t, struct tunnel_status *out)
{
    struct tunnel *mt = (struct tunnel *)t; /* the mutex is the only thing touched */
    pthread_mutex_lock(&mt->mu);
    *out = t->st;
    pthread_mutex_unlock(&mt->mu);
}

int tunnel_local_port(const struct tunnel *t)
{
    return t->local_port;
}

bool tunnel_unavailable(const struct tunnel *t, char *buf, size_t n)
{
    struct tunnel_status st;
    tunnel_get_status(t, &st);
    if (st.state == TUNNEL_UP)
        return false;
    if (st.state == TUNNEL_RECONNECTING)
        snprintf(buf, n, "SSH tunnel reconnecting (attempt %u): %s", st.attempt,
                 st.last_error[0] ? st.last_error : "connection to the bastion lost");
    else
        snprintf(buf, n, "SSH tunnel is down: %s",
                 st.last_error[0] ? st.last_error : "SeeKi is shutting down");
    return true;
}

static bool tunnel_stopping(struct tunnel *t)
{
    pthread_mutex_lock(&t->mu);
    bool s = t->stop;
    pthread_mutex_unlock(&t->mu);
    return s;
}

/* ---- listener ------------------------------------------------------------- */

static enum seeki_code tunnel_listen(struct tunnel *t, struct seeki_err *err)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return seeki_fail(err, SEEKI_E_IO, "Cannot create the tunnel's local socket: %s",
                          strerror(errno));
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    socklen_t sl = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        int e = errno;
        close(fd);
        return seeki_fail(err, SEEKI_E_IO,
                          "Cannot listen on 127.0.0.1 for the SSH tunnel: %s. Is the loopback "
                          "interface up?",
                          strerror(e));
    }
    t->listen_fd = fd;
    t->local_port = ntohs(sa.sin_port);
    return SEEKI_E_OK;
}

/* ---- session hand-over to the I/O thread -------------------------------- */

static void tunnel_quickack(struct tunnel *t)
{
    /* Linux leaves quick-ACK mode on its own; asking again after every read
     * keeps our ACKs prompt, so a sender held by Nagle is released at once.
     * (Behind jump hosts the bastion's fd is a socketpair: a harmless no-op;
     * the first hop's relay does it on the TCP socket.) */
    int fd = t->sess ? ssh_get_fd(t->sess) : -1;
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

/* The I/O thread takes over an opened chain. */
static void tunnel_adopt(struct tunnel *t, struct tunnel_chain *c)
{
    t->chain = *c;
    memset(c, 0, sizeof *c);
    t->sess = t->chain.bastion;
    tunnel_ka_start(&t->ka, t->sess);
    char fp[TUNNEL_FP_MAX] = "";
    ssh_key k = NULL;
    if (ssh_get_server_publickey(t->sess, &k) == SSH_OK && k) {
        char *f = tunnel_fingerprint(k);
        if (f)
            snprintf(fp, sizeof fp, "%s", f);
        free(f);
        ssh_key_free(k);
    }
    pthread_mutex_lock(&t->mu);
    snprintf(t->st.host_key, sizeof t->st.host_key, "%s", fp);
    t->st.last_keepalive_rtt_ms = -1;
    pthread_mutex_unlock(&t->mu);
    ssh_set_blocking(t->sess, 0);
    ssh_event_add_session(t->ev, t->sess);
    tunnel_quickack(t);
}

static void tunnel_drop_session(struct tunnel *t)
{
    pump_close_all(t);
    if (t->sess) {
        if (t->ev)
            ssh_event_remove_session(t->ev, t->sess);
        tunnel_ka_stop(t->sess);
        ssh_set_blocking(t->sess, 1);
    }
    tunnel_chain_close(&t->chain); /* frees t->sess too */
    t->sess = NULL;
}

static void tunnel_bastion_text(const struct tunnel_params *p, char *buf, size_t n)
{
    tunnel_hop_text(p, buf, n);
}

/* ---- keepalive and loss ------------------------------------------------------ */

/* Returns a reason when the chain is gone or stopped answering, else NULL
 * (and sends a keepalive when the line has been quiet for an interval). */
static const char *tunnel_health(struct tunnel *t, char *buf, size_t n)
{
    if (tunnel_chain_lost(&t->chain, buf, n))
        return buf;
    char who[64], tag[32];
    snprintf(who, sizeof who, "the bastion%s", tunnel_hop_tag(&t->p, tag, sizeof tag));
    const char *lost = tunnel_ka_check(&t->ka, t->sess, t->p.keepalive_s, who, buf, n);
    /* Behind jump hosts, the hop that really failed is named: a relay that
     * ended (its session closed), or one whose keepalive times out at about
     * the same moment as the bastion's (the bastion's traffic rides it), is
     * given up to one more interval to report. */
    if (lost && t->njumps) {
        bool silent = strstr(lost, "stopped answering") != NULL;
        int waits = silent ? (t->p.keepalive_s > 0 ? t->p.keepalive_s : 1) * 100 + 50 : 20;
        for (int i = 0; i < waits; i++) {
            if (tunnel_chain_lost(&t->chain, buf, n))
                break;
            usleep(10 * 1000);
        }
    }
    pthread_mutex_lock(&t->mu);
    t->st.last_keepalive_rtt_ms = t->ka.rtt_ms;
    pthread_mutex_unlock(&t->mu);
    return lost;
}

/* ---- the I/O thread ---------------------------------------------------------- */

static void tunnel_register_fixed(struct tunnel *t)
{
    if (!t->wake_reg)
        t->wake_reg = ssh_event_add_fd(t->ev, t->wake[0], POLLIN, pump_note_events,
                                       &t->wake_revents) == SSH_OK;
    if (!t->listen_reg)
        t->listen_reg = ssh_event_add_fd(t->ev, t->listen_fd, POLLIN, pump_note_events,
                                         &t->listen_revents) == SSH_OK;
}

static void tunnel_drain_wake(struct tunnel *t)
{
    char b[64];
    while (read(t->wake[0], b, sizeof b) > 0)
        ;
    t->wake_revents = 0;
}

/* Waits up to ms, closing connections that arrive meanwhile; false when
 * asked to stop. */
static bool tunnel_sleep(struct tunnel *t, int ms)
{
    double end = tunnel_now() + ms / 1000.0;
    while (!tunnel_stopping(t)) {
        double left = end - tunnel_now();
        if (left <= 0)
            return true;
        struct pollfd pf[2] = {{.fd = t->wake[0], .events = POLLIN},
                               {.fd = t->listen_fd, .events = POLLIN}};
        int r = poll(pf, 2, (int)(left * 1000.0) + 1);
        if (r > 0 && (pf[1].revents & POLLIN))
            pump_accept(t, false);
        if (r > 0 && (pf[0].revents & POLLIN))
            tunnel_drain_wake(t);
    }
    return false;
}

/* Session lost: reconnect with backoff until it works or we are stopped. */
static void tunnel_reconnect(struct tunnel *t, const char *reason)
{
    char bastion[TUNNEL_BASTION_MAX];
    tunnel_bastion_text(&t->p, bastion, sizeof bastion);
    log_warn("ssh", "SSH tunnel via %s lost: %s; reconnecting", bastion, reason);
    tunnel_set_state(t, TUNNEL_RECONNECTING, 1, reason);
    tunnel_drop_session(t);
    int backoff = TUNNEL_BACKOFF_MIN_S;
    for (unsigned attempt = 1;; attempt++) {
        tunnel_set_state(t, TUNNEL_RECONNECTING, attempt, NULL);
        if (!tunnel_sleep(t, backoff * 1000))
            return;
        struct seeki_err err;
        seeki_err_clear(&err);
        struct tunnel_chain c;
        /* Every hop again, every host key verified again. */
        if (tunnel_chain_open(t->jumps, t->njumps, &t->p, &c, &err) == SEEKI_E_OK) {
            tunnel_adopt(t, &c);
            pthread_mutex_lock(&t->mu);
            t->st.reconnects++;
            pthread_mutex_unlock(&t->mu);
            tunnel_set_state(t, TUNNEL_UP, 0, NULL);
            log_info("ssh", "SSH tunnel re-established via %s (attempt %u)", bastion, attempt);
            return;
        }
        if (tunnel_stopping(t))
            return;
        log_warn("ssh", "SSH tunnel reconnect attempt %u failed: %s", attempt, err.msg);
        tunnel_set_state(t, TUNNEL_RECONNECTING, attempt, err.msg);
        backoff = backoff * 2 > TUNNEL_BACKOFF_MAX_S ? TUNNEL_BACKOFF_MAX_S : backoff * 2;
    }
}

static void *tunnel_main(void *arg)
{
    struct tunnel *t = arg;
    while (!tunnel_stopping(t)) {
        if (!t->sess) {
            /* Only reachable when a reconnect was interrupted by stop. */
            break;
        }
        tunnel_register_fixed(t);
        pump_register(t);
        int wait = pump_pending(t) ? 0 : tunnel_ka_wait_ms(&t->ka, t->p.keepalive_s,
                                                            TUNNEL_TICK_MS);
        ssh_event_dopoll(t->ev, wait);
        tunnel_quickack(t);
        if (t->wake_revents)
            tunnel_drain_wake(t);
        if (t->listen_revents) {
            t->listen_revents = 0;
            pump_accept(t, true);
        }
        for (int i = 0; i < TUNNEL_PASS_MAX && pump_pass(t); i++)
            ;
        char why[TUNNEL_ERROR_MAX];
        const char *lost = tunnel_health(t, why, sizeof why);
        if (lost && !tunnel_stopping(t))
            tunnel_reconnect(t, lost);
    }
    tunnel_drop_session(t);
    return NULL;
}

/* ---- open / close ------------------------------------------------------------ */

static enum seeki_code tunnel_precheck_one(const struct tunnel_params *p, struct seeki_err *err)
{
    /* Problems that need no bastion are reported before connecting. */
    if (p->auth == CFG_AUTH_PASSWORD && !p->password)
        return tunnel_password_missing(p, err);
    if (p->auth == CFG_AUTH_KEY && !p->keys_defaulted)
        for (size_t i = 0; i < p->nkeys; i++) {
            enum seeki_code rc = tunnel_key_check_mode(p->keys[i], p, err);
            if (rc != SEEKI_E_OK)
                return rc;
        }
    return SEEKI_E_OK;
}

static enum seeki_code tunnel_precheck(const struct tunnel *t, struct seeki_err *err)
{
    for (size_t i = 0; i < t->njumps; i++) {
        enum seeki_code rc = tunnel_precheck_one(&t->jumps[i], err);
        if (rc != SEEKI_E_OK)
            return rc;
    }
    return tunnel_precheck_one(&t->p, err);
}

const char *tunnel_step_name(enum tunnel_step s)
{
    switch (s) {
    case TUNNEL_STEP_NONE: return NULL;
    case TUNNEL_STEP_CONFIG: return "config";
    case TUNNEL_STEP_SSH: return "ssh";
    case TUNNEL_STEP_HOST_KEY: return "host_key";
    case TUNNEL_STEP_AUTH: return "auth";
    case TUNNEL_STEP_FORWARD: return "forward";
    }
    return NULL;
}

enum seeki_code tunnel_open(const struct cfg *cfg, const char *db_host, int db_port,
                            struct tunnel **out, struct seeki_err *err)
{
    return tunnel_open_ex(cfg, db_host, db_port, NULL, out, NULL, err);
}

enum seeki_code tunnel_open_ex(const struct cfg *cfg, const char *db_host, int db_port,
                               const struct tunnel_open_opts *opts, struct tunnel **out,
                               struct tunnel_open_info *info, struct seeki_err *err)
{
    *out = NULL;
    if (info)
        memset(info, 0, sizeof *info);
    if (!cfg->ssh.enabled || !cfg->ssh.host) {
        if (info)
            info->step = TUNNEL_STEP_CONFIG;
        return seeki_fail(err, SEEKI_E_CONFIG, "tunnel_open: no [ssh] table in the config");
    }
    struct tunnel *t = xcalloc(1, sizeof *t);
    t->listen_fd = -1;
    t->wake[0] = t->wake[1] = -1;
    pthread_mutex_init(&t->mu, NULL);
    t->st.last_keepalive_rtt_ms = -1;
    struct tunnel_chain chain;
    memset(&chain, 0, sizeof chain);
    enum seeki_code rc = SEEKI_E_OK;
    if (pipe2(t->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        rc = seeki_fail(err, SEEKI_E_IO, "Cannot create the tunnel's wake-up pipe: %s",
                        strerror(errno));
        tunnel_abort_init(&t->abort, -1);
        goto fail;
    }
    tunnel_abort_init(&t->abort, t->wake[0]);
    rc = tunnel_hops_resolve(cfg, db_host, db_port, &t->jumps, &t->njumps, &t->p, err);
    if (rc != SEEKI_E_OK) {
        if (info)
            info->step = TUNNEL_STEP_CONFIG;
        goto fail;
    }
    for (size_t i = 0; i <= t->njumps; i++) {
        struct tunnel_params *hp = i < t->njumps ? &t->jumps[i] : &t->p;
        hp->info = info;
        hp->abort = &t->abort;
        if (opts)
            hp->hk_no_write = opts->no_write_known_hosts;
        if (i < TUNNEL_HOPS_MAX)
            tunnel_hop_text(hp, t->st.hops[t->st.nhops++], TUNNEL_BASTION_MAX);
    }
    if (opts) {
        t->p.hk_write_accepted = opts->write_accepted_key;
        t->p.hk_accept_fp = opts->accept_host_key ? xstrdup(opts->accept_host_key) : NULL;
    }
    tunnel_bastion_text(&t->p, t->st.bastion, sizeof t->st.bastion);
    rc = tunnel_precheck(t, err);
    if (rc != SEEKI_E_OK) {
        tunnel_note_step(&t->p, TUNNEL_STEP_AUTH);
        goto fail;
    }
    rc = tunnel_listen(t, err);
    if (rc != SEEKI_E_OK)
        goto fail;
    t->st.local_port = t->local_port;
    if (t->njumps) {
        char via[TUNNEL_BASTION_MAX * 2];
        snprintf(via, sizeof via, "%s", t->p.via ? t->p.via : "");
        log_info("ssh", "connecting to the bastion %s via %s (timeout %d s per hop)",
                 t->st.bastion, via, t->p.timeout_s);
    } else {
        log_info("ssh", "connecting to the bastion %s (timeout %d s)", t->st.bastion,
                 t->p.timeout_s);
    }
    rc = tunnel_chain_open(t->jumps, t->njumps, &t->p, &chain, err);
    if (rc != SEEKI_E_OK)
        goto fail;
    rc = tunnel_forward_test(chain.bastion, &t->p, err);
    if (rc != SEEKI_E_OK)
        goto fail;
    t->ev = ssh_event_new();
    if (!t->ev) {
        rc = seeki_fail(err, SEEKI_E_INTERNAL, "libssh could not create an event loop");
        goto fail;
    }
    tunnel_adopt(t, &chain);
    for (size_t i = 0; i < t->njumps; i++)
        t->jumps[i].info = NULL;
    t->p.info = NULL; /* the caller's struct is not ours past this call */
    /* Reconnects must never append a key the user has not confirmed again. */
    t->p.hk_write_accepted = false;
    t->st.state = TUNNEL_UP;
    t->st.since = time(NULL);
    int perr = pthread_create(&t->thread, NULL, tunnel_main, t);
    if (perr != 0) { /* pthread_create returns the error; errno is not set */
        rc = seeki_fail(err, SEEKI_E_INTERNAL, "Cannot start the tunnel thread: %s",
                        strerror(perr));
        goto fail;
    }
    t->thread_started = true;
    bool v6 = strchr(db_host, ':') != NULL;
    log_info("ssh", "SSH tunnel ready: 127.0.0.1:%d \xe2\x86\x92 %s%s%s:%d via %s",
             t->local_port, v6 ? "[" : "", db_host, v6 ? "]" : "", db_port, t->st.bastion);
    *out = t;
    return SEEKI_E_OK;
fail:
    if (info && info->step == TUNNEL_STEP_NONE)
        info->step = TUNNEL_STEP_SSH;
    t->p.info = NULL;
    for (size_t i = 0; i < t->njumps; i++)
        t->jumps[i].info = NULL;
    tunnel_chain_close(&chain);
    tunnel_close(t);
    return rc;
}

void tunnel_close(struct tunnel *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_mutex_unlock(&t->mu);
    /* A reconnect in flight is cut short: its sockets are shut down and its
     * TCP connect watches the wake pipe. */
    tunnel_abort_all(&t->abort);
    if (t->wake[1] >= 0) {
        ssize_t w = write(t->wake[1], "x", 1);
        (void)w;
    }
    if (t->thread_started)
        pthread_join(t->thread, NULL);
    else
        tunnel_drop_session(t);
    if (t->thread_started)
        log_info("ssh", "SSH tunnel closed");
    tunnel_set_state(t, TUNNEL_DOWN, 0, NULL);
    if (t->ev) {
        /* libssh frees an fd's bookkeeping only in ssh_event_remove_fd. */
        if (t->wake_reg)
            ssh_event_remove_fd(t->ev, t->wake[0]);
        if (t->listen_reg)
            ssh_event_remove_fd(t->ev, t->listen_fd);
        ssh_event_free(t->ev);
    }
    if (t->listen_fd >= 0)
        close(t->listen_fd);
    if (t->wake[0] >= 0)
        close(t->wake[0]);
    if (t->wake[1] >= 0)
        close(t->wake[1]);
    tunnel_params_free(&t->p);
    tunnel_hops_free(t->jumps, t->njumps);
    tunnel_abort_destroy(&t->abort);
    pthread_mutex_destroy(&t->mu);
    free(t);
}
