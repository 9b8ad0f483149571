/* The chain of SSH sessions laptop -> jump hosts -> bastion (SPEC §3 "Jump
 * hosts"), and the keepalive bookkeeping every session shares.
 *
 * libssh 0.10 has no ProxyJump. Each hop is its own libssh session; hop k+1
 * runs over one end of a socketpair (SSH_OPTIONS_FD), and a relay thread
 * owned by hop k pumps the other end to a direct-tcpip channel of hop k's
 * session. A relay thread per jump host, not the tunnel's I/O thread,
 * because every later hop is set up with blocking libssh calls (handshake,
 * auth, channel opens: the same code as a direct bastion) that only
 * progress while the earlier hop's channel is pumped; and each libssh
 * session is only ever used by one thread at a time (the relay thread owns
 * its session once started). docs/architecture.md records the choice. */
#include <errno.h>
#include <fcntl.h>
#include <libssh/server.h> /* ssh_send_keepalive */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "ssh/ssh_int.h"
#include "util/clock.h"
#include "util/mem.h"

#define RELAY_BUF (64u * 1024u)
#define RELAY_TICK_MS 1000

/* ---- keepalive ---------------------------------------------------------------- */

void tunnel_ka_start(struct tunnel_ka *k, ssh_session s)
{
    memset(k, 0, sizeof *k);
    ssh_set_counters(s, &k->rx_sock, &k->rx_raw);
    k->last_rx_at = clock_s();
    k->last_ka_at = k->last_rx_at;
    k->rtt_ms = -1;
}

void tunnel_ka_stop(ssh_session s)
{
    if (s)
        ssh_set_counters(s, NULL, NULL);
}

const char *tunnel_ka_check(struct tunnel_ka *k, ssh_session s, int interval_s, const char *who,
                            char *buf, size_t n)
{
    int status = ssh_get_status(s);
    if (!ssh_is_connected(s) || (status & (SSH_CLOSED | SSH_CLOSED_ERROR))) {
        char eb[300];
        snprintf(buf, n, "%s closed the SSH session (%s)", who,
                 tunnel_ssh_error(s, eb, sizeof eb));
        return buf;
    }
    double now = clock_s();
    if (k->rx_sock.in_bytes != k->last_rx_bytes) {
        k->last_rx_bytes = k->rx_sock.in_bytes;
        k->last_rx_at = now;
        if (k->ka_sent_at > 0) {
            /* Bytes after a keepalive on a quiet line: its answer. */
            k->rtt_ms = (int)((now - k->ka_sent_at) * 1000.0 + 0.5);
            k->ka_sent_at = 0;
        }
    }
    if (interval_s <= 0)
        return NULL;
    if (now - k->last_rx_at >= 2.0 * interval_s) {
        snprintf(buf, n,
                 "%s stopped answering (no reply to keepalives for %d s, "
                 "2 x ssh.keepalive_seconds)",
                 who, 2 * interval_s);
        return buf;
    }
    if (now - k->last_rx_at >= interval_s && now - k->last_ka_at >= interval_s) {
        /* libssh keeps one global request outstanding: the first call collects a
         * previous answer (if any), the second sends a new keepalive@openssh.com
         * with want-reply; the server answers it, which is what we watch for. */
        ssh_send_keepalive(s);
        ssh_send_keepalive(s);
        k->last_ka_at = now;
        k->ka_sent_at = now;
        log_trace("ssh", "keepalive sent to %s", who);
    }
    return NULL;
}

int tunnel_ka_wait_ms(const struct tunnel_ka *k, int interval_s, int cap_ms)
{
    if (interval_s <= 0)
        return cap_ms;
    double now = clock_s();
    double next = k->last_rx_at + interval_s;
    if (next < k->last_ka_at + interval_s)
        next = k->last_ka_at + interval_s;
    if (now - k->last_rx_at >= interval_s)
        next = k->last_rx_at + 2.0 * interval_s;
    double ms = (next - now) * 1000.0 + 5.0;
    if (ms < 0)
        ms = 0;
    return ms > cap_ms ? cap_ms : (int)ms;
}

/* ---- one relay ---------------------------------------------------------------- */

struct tunnel_relay {
    const struct tunnel_params *p; /* this jump host (borrowed from the tunnel) */
    ssh_session sess;              /* this hop; the thread's once started */
    ssh_channel ch;                /* direct-tcpip to the next hop */
    int fd;                        /* our socketpair end; the next hop runs over the other */
    int wake[2];
    pthread_t thread;
    bool started;
    struct tunnel_ka ka;
    char who[TUNNEL_BASTION_MAX + 40];
    char up[RELAY_BUF]; /* fd -> channel */
    size_t up_len;
    char down[RELAY_BUF]; /* channel -> fd */
    size_t down_off, down_len;
    short fd_revents, wake_revents;

    pthread_mutex_t mu;
    bool stop;                       /* guarded by mu */
    bool dead;                       /* guarded by mu */
    int rtt_ms;                      /* guarded by mu: the keepalive round trip, -1 unknown */
    char error[TUNNEL_ERROR_MAX];    /* guarded by mu: why it ended */
};

static int relay_note(socket_t fd, int revents, void *userdata)
{
    (void)fd;
    *(short *)userdata |= (short)revents;
    return 0;
}

static bool relay_stopping(struct tunnel_relay *r)
{
    pthread_mutex_lock(&r->mu);
    bool s = r->stop;
    pthread_mutex_unlock(&r->mu);
    return s;
}

/* Moves bytes both ways; returns a reason when the relay must end. */
static const char *relay_pump(struct tunnel_relay *r, char *buf, size_t n)
{
    /* fd -> up */
    while (r->up_len < RELAY_BUF) {
        ssize_t k = recv(r->fd, r->up + r->up_len, RELAY_BUF - r->up_len, MSG_DONTWAIT);
        if (k > 0) {
            r->up_len += (size_t)k;
            continue;
        }
        if (k == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            snprintf(buf, n, "the next hop's session over %s ended", r->who);
            return buf;
        }
        break;
    }
    /* up -> channel */
    while (r->up_len > 0) {
        uint32_t win = ssh_channel_window_size(r->ch);
        if (win == 0)
            break;
        uint32_t m = r->up_len < win ? (uint32_t)r->up_len : win;
        int w = ssh_channel_write(r->ch, r->up, m);
        if (w < 0) {
            char eb[300];
            snprintf(buf, n, "%s: the channel to the next hop failed (%s)", r->who,
                     tunnel_ssh_error(r->sess, eb, sizeof eb));
            return buf;
        }
        if (w == 0)
            break;
        memmove(r->up, r->up + w, r->up_len - (size_t)w);
        r->up_len -= (size_t)w;
    }
    /* channel -> down */
    if (r->down_off == r->down_len)
        r->down_off = r->down_len = 0;
    while (r->down_len < RELAY_BUF) {
        int k = ssh_channel_read_nonblocking(r->ch, r->down + r->down_len,
                                             (uint32_t)(RELAY_BUF - r->down_len), 0);
        if (k > 0) {
            r->down_len += (size_t)k;
            continue;
        }
        if (k < 0 || ssh_channel_is_eof(r->ch) || ssh_channel_is_closed(r->ch)) {
            if (r->down_len > r->down_off)
                break; /* deliver what arrived first */
            snprintf(buf, n, "%s closed the connection to the next hop", r->who);
            return buf;
        }
        break;
    }
    /* down -> fd */
    while (r->down_off < r->down_len) {
        ssize_t k = send(r->fd, r->down + r->down_off, r->down_len - r->down_off,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (k > 0) {
            r->down_off += (size_t)k;
            continue;
        }
        if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            snprintf(buf, n, "the next hop's session over %s ended", r->who);
            return buf;
        }
        break;
    }
    return NULL;
}

static void *relay_main(void *arg)
{
    struct tunnel_relay *r = arg;
    ssh_set_blocking(r->sess, 0);
    ssh_event ev = ssh_event_new();
    bool sess_in = ev && ssh_event_add_session(ev, r->sess) == SSH_OK;
    bool wake_in = ev && ssh_event_add_fd(ev, r->wake[0], POLLIN, relay_note,
                                          &r->wake_revents) == SSH_OK;
    short fd_events = -1;
    char why[TUNNEL_ERROR_MAX];
    const char *lost = ev ? NULL : "libssh could not create an event loop";
    tunnel_ka_start(&r->ka, r->sess);
    int tcp = ssh_get_fd(r->sess), one = 1;
    while (!lost && !relay_stopping(r)) {
        short want = 0;
        if (r->up_len < RELAY_BUF)
            want |= POLLIN;
        if (r->down_off < r->down_len)
            want |= POLLOUT;
        if (want != fd_events) {
            if (fd_events >= 0)
                ssh_event_remove_fd(ev, r->fd);
            fd_events = ssh_event_add_fd(ev, r->fd, want, relay_note, &r->fd_revents) == SSH_OK
                            ? want
                            : -1;
        }
        bool pending = ssh_channel_poll(r->ch, 0) > 0;
        ssh_event_dopoll(ev, pending ? 0 : tunnel_ka_wait_ms(&r->ka, r->p->keepalive_s,
                                                             RELAY_TICK_MS));
        setsockopt(tcp, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one); /* as tunnel.c */
        r->fd_revents = r->wake_revents = 0;
        for (int i = 0; i < 16 && !lost; i++) {
            size_t before = r->up_len + r->down_len - r->down_off;
            lost = relay_pump(r, why, sizeof why);
            if (r->up_len + r->down_len - r->down_off == before && ssh_channel_poll(r->ch, 0) <= 0)
                break;
        }
        /* A channel that failed because the whole session did: say so. */
        if (lost && lost == why) {
            char sess_why[TUNNEL_ERROR_MAX];
            const char *dead = tunnel_ka_check(&r->ka, r->sess, 0, r->who, sess_why,
                                               sizeof sess_why);
            if (dead)
                snprintf(why, sizeof why, "%s", dead);
        }
        if (!lost)
            lost = tunnel_ka_check(&r->ka, r->sess, r->p->keepalive_s, r->who, why, sizeof why);
        pthread_mutex_lock(&r->mu);
        r->rtt_ms = r->ka.rtt_ms;
        pthread_mutex_unlock(&r->mu);
    }
    tunnel_ka_stop(r->sess);
    if (ev) {
        if (fd_events >= 0)
            ssh_event_remove_fd(ev, r->fd);
        if (wake_in)
            ssh_event_remove_fd(ev, r->wake[0]);
        if (sess_in)
            ssh_event_remove_session(ev, r->sess);
        ssh_event_free(ev);
    }
    /* The next hop sees EOF at once and fails over to a reconnect. */
    shutdown(r->fd, SHUT_RDWR);
    pthread_mutex_lock(&r->mu);
    r->dead = true;
    if (lost && !r->stop)
        snprintf(r->error, sizeof r->error, "%s", lost);
    bool stopped = r->stop;
    pthread_mutex_unlock(&r->mu);
    if (lost && !stopped)
        log_warn("ssh", "SSH jump host relay ended: %s", lost);
    ssh_set_blocking(r->sess, 1);
    return NULL;
}

/* Stops (when started), joins and frees everything of r. */
static void relay_free(struct tunnel_relay *r)
{
    if (r->started) {
        pthread_mutex_lock(&r->mu);
        r->stop = true;
        pthread_mutex_unlock(&r->mu);
        ssize_t w = write(r->wake[1], "x", 1);
        (void)w;
        pthread_join(r->thread, NULL);
        r->started = false;
    }
    if (r->ch) {
        if (ssh_is_connected(r->sess) && !ssh_channel_is_closed(r->ch))
            ssh_channel_close(r->ch);
        ssh_channel_free(r->ch);
        r->ch = NULL;
    }
    tunnel_session_free(r->sess);
    r->sess = NULL;
    if (r->fd >= 0)
        close(r->fd);
    for (int i = 0; i < 2; i++)
        if (r->wake[i] >= 0)
            close(r->wake[i]);
    r->fd = r->wake[0] = r->wake[1] = -1;
    pthread_mutex_destroy(&r->mu);
}

/* ---- the chain -------------------------------------------------------------------- */

/* Opens the direct-tcpip channel of jump host p's session s to next. */
static enum seeki_code chain_channel(ssh_session s, const struct tunnel_params *p,
                                     const struct tunnel_params *next, ssh_channel *out,
                                     struct seeki_err *err)
{
    *out = NULL;
    char here[TUNNEL_BASTION_MAX];
    tunnel_hop_text(p, here, sizeof here);
    double t0 = clock_s();
    ssh_channel ch = ssh_channel_new(s);
    int r = ch ? ssh_channel_open_forward(ch, next->hostname, next->port, "127.0.0.1", 0)
               : SSH_ERROR;
    tunnel_note_stage(next, TUNNEL_CHECK_TCP, r == SSH_OK, t0, "via hop %d", p->hop);
    if (r == SSH_OK) {
        *out = ch;
        return SEEKI_E_OK;
    }
    char eb[400];
    if (r == SSH_AGAIN) {
        snprintf(eb, sizeof eb, "no answer within %d s (ssh.connect_timeout_seconds)",
                 next->timeout_s);
    } else {
        tunnel_ssh_error(s, eb, sizeof eb);
        /* libssh: "Channel opening failure: channel N error (CODE) TEXT": keep TEXT. */
        const char *paren = strstr(eb, "error (");
        if (paren && (paren = strchr(paren, ')')) && paren[1] == ' ' && paren[2])
            memmove(eb, paren + 2, strlen(paren + 2) + 1);
    }
    ssh_channel_free(ch);
    return tunnel_fail_conn(err, next, TUNNEL_STAGE_CONNECT,
                            "the jump host %s (hop %d) could not open a connection to %s:%d "
                            "(%s). Check this hop's host and port as that jump host sees them "
                            "(ssh.jump, or ProxyJump and HostName in ~/.ssh/config)",
                            here, p->hop, next->hostname, next->port, eb);
}

enum seeki_code tunnel_chain_open(const struct tunnel_params *jumps, size_t njumps,
                                  const struct tunnel_params *bastion,
                                  struct tunnel_chain *out, struct seeki_err *err)
{
    memset(out, 0, sizeof *out);
    const struct tunnel_params *first = njumps ? &jumps[0] : bastion;
    int fd = -1;
    enum seeki_code rc = tunnel_dial(first, &fd, err);
    if (rc != SEEKI_E_OK)
        return rc;
    if (njumps)
        out->relays = xcalloc(njumps, sizeof *out->relays);
    for (size_t i = 0; i <= njumps; i++) {
        const struct tunnel_params *p = i < njumps ? &jumps[i] : bastion;
        const struct tunnel_params *next = i + 1 < njumps ? &jumps[i + 1] : bastion;
        if (!tunnel_abort_add(p->abort, fd)) {
            close(fd);
            rc = seeki_fail(err, SEEKI_E_SSH, "SSH connection cancelled: SeeKi is shutting down");
            goto fail;
        }
        ssh_session s = NULL;
        rc = tunnel_session_open_fd(p, fd, &s, err);
        if (rc != SEEKI_E_OK) {
            tunnel_abort_remove(p->abort, fd); /* closed by now: only the number remains */
            goto fail;
        }
        if (i == njumps) {
            tunnel_abort_remove(p->abort, fd);
            out->bastion = s;
            return SEEKI_E_OK;
        }
        struct tunnel_relay *r = &out->relays[out->nrelays++];
        r->p = p;
        r->sess = s;
        r->fd = r->wake[0] = r->wake[1] = -1;
        r->rtt_ms = -1;
        pthread_mutex_init(&r->mu, NULL);
        char hop[TUNNEL_BASTION_MAX];
        tunnel_hop_text(p, hop, sizeof hop);
        snprintf(r->who, sizeof r->who, "the jump host %s (hop %d of %d)", hop, p->hop,
                 p->nhops);
        rc = chain_channel(s, p, next, &r->ch, err);
        tunnel_abort_remove(p->abort, fd); /* its relay (or relay_free) handles it now */
        if (rc != SEEKI_E_OK)
            goto fail;
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
            pipe2(r->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
            rc = seeki_fail(err, SEEKI_E_IO, "Cannot create the jump host relay's sockets: %s",
                            strerror(errno));
            goto fail;
        }
        r->fd = sv[1];
        fd = sv[0];
        int perr = pthread_create(&r->thread, NULL, relay_main, r);
        if (perr != 0) {
            close(fd);
            rc = seeki_fail(err, SEEKI_E_INTERNAL, "Cannot start the jump host relay: %s",
                            strerror(perr));
            goto fail;
        }
        r->started = true;
        log_debug("ssh", "jump host %s (hop %d of %d) relays to %s:%d", hop, p->hop, p->nhops,
                  next->hostname, next->port);
    }
fail:
    tunnel_chain_close(out);
    return rc;
}

bool tunnel_chain_lost(struct tunnel_chain *c, char *buf, size_t n)
{
    for (size_t i = 0; i < c->nrelays; i++) {
        struct tunnel_relay *r = &c->relays[i];
        pthread_mutex_lock(&r->mu);
        bool dead = r->dead && r->error[0];
        if (dead)
            snprintf(buf, n, "%s", r->error);
        pthread_mutex_unlock(&r->mu);
        if (dead)
            return true;
    }
    return false;
}

void tunnel_chain_rtts(struct tunnel_chain *c, int *rtt, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rtt[i] = -1;
    for (size_t i = 0; i < c->nrelays && i < n; i++) {
        struct tunnel_relay *r = &c->relays[i];
        pthread_mutex_lock(&r->mu);
        rtt[i] = r->rtt_ms;
        pthread_mutex_unlock(&r->mu);
    }
}

void tunnel_chain_close(struct tunnel_chain *c)
{
    /* The bastion first, while the relays still carry its goodbye. */
    tunnel_session_free(c->bastion);
    c->bastion = NULL;
    for (size_t i = c->nrelays; i-- > 0;)
        relay_free(&c->relays[i]);
    free(c->relays);
    memset(c, 0, sizeof *c);
}
