/* The channel pump: accepted client sockets on 127.0.0.1 <-> direct-tcpip
 * channels of the one SSH session. Runs only on the tunnel's I/O thread.
 * Buffers are bounded per direction (TUNNEL_CONN_BUF), EOF is passed on in
 * both directions, and a connection ends when both sides are done or either
 * fails. TCP_NODELAY on every client socket keeps small writes prompt. */
#include <errno.h>
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

int pump_note_events(socket_t fd, int revents, void *userdata)
{
    (void)fd;
    *(short *)userdata |= (short)revents;
    return 0;
}

static void pump_unregister(struct tunnel *t, struct pump *c)
{
    if (c->reg_events >= 0 && t->ev)
        ssh_event_remove_fd(t->ev, c->fd);
    c->reg_events = -1;
}

static void pump_free(struct tunnel *t, struct pump *c)
{
    pump_unregister(t, c);
    if (c->ch) {
        /* A channel never confirmed has no remote number yet: closing it would
         * send CLOSE for channel 0. ssh_channel_free just forgets it. */
        if (c->was_open && t->sess && ssh_is_connected(t->sess) &&
            !ssh_channel_is_closed(c->ch))
            ssh_channel_close(c->ch);
        ssh_channel_free(c->ch);
    }
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}

void pump_close_all(struct tunnel *t)
{
    struct pump *c = t->pumps;
    while (c) {
        struct pump *n = c->next;
        pump_free(t, c);
        c = n;
    }
    t->pumps = NULL;
    t->npumps = 0;
}

/* Sends the direct-tcpip open (again, in non-blocking mode, until answered). */
static void pump_try_open(struct tunnel *t, struct pump *c)
{
    int r = ssh_channel_open_forward(c->ch, t->p.db_host, t->p.db_port, "127.0.0.1",
                                     c->peer_port);
    if (r == SSH_OK) {
        c->state = PUMP_OPEN;
        c->was_open = true;
        log_debug("ssh", "channel open for 127.0.0.1:%d -> %s:%d", c->peer_port, t->p.db_host,
                  t->p.db_port);
    } else if (r != SSH_AGAIN) {
        struct seeki_err err;
        seeki_err_clear(&err);
        (void)tunnel_fail_forward(&err, &t->p, t->sess, NULL);
        log_warn("ssh", "%s", err.msg);
        c->state = PUMP_DEAD;
    } else if (tunnel_now() - c->open_at >= t->p.timeout_s) {
        /* The bastion's own connect to the database hangs (a firewall
         * dropping packets): give the client up, as the startup forward does. */
        char why[200];
        snprintf(why, sizeof why,
                 "no answer within %d s (ssh.connect_timeout_seconds): the bastion's "
                 "connection attempt hangs",
                 t->p.timeout_s);
        struct seeki_err err;
        seeki_err_clear(&err);
        (void)tunnel_fail_forward(&err, &t->p, t->sess, why);
        log_warn("ssh", "%s", err.msg);
        c->state = PUMP_DEAD;
    }
}

void pump_accept(struct tunnel *t, bool up)
{
    for (;;) {
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        int fd = accept4(t->listen_fd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                errno != ECONNABORTED)
                log_warn("ssh", "accept on 127.0.0.1:%d failed: %s", t->local_port,
                         strerror(errno));
            return;
        }
        if (!up || t->npumps >= TUNNEL_MAX_CONNS) {
            if (up)
                log_warn("ssh", "refusing a connection: %d forwarded connections are open "
                         "(limit %d)", (int)t->npumps, TUNNEL_MAX_CONNS);
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ssh_channel ch = ssh_channel_new(t->sess);
        if (!ch) {
            close(fd);
            continue;
        }
        struct pump *c = xcalloc(1, sizeof *c);
        c->fd = fd;
        c->peer_port = ntohs(sa.sin_port);
        c->ch = ch;
        c->state = PUMP_OPENING;
        c->open_at = tunnel_now();
        c->reg_events = -1;
        c->next = t->pumps;
        t->pumps = c;
        t->npumps++;
        pump_try_open(t, c);
    }
}

/* client -> up buffer. */
static bool pump_read_client(struct pump *c)
{
    bool progress = false;
    while (!c->client_eof && !c->client_gone && c->up_len < TUNNEL_CONN_BUF) {
        ssize_t n = recv(c->fd, c->up + c->up_len, TUNNEL_CONN_BUF - c->up_len, 0);
        if (n > 0) {
            c->up_len += (size_t)n;
            progress = true;
        } else if (n == 0) {
            c->client_eof = true;
            progress = true;
        } else {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                c->client_gone = true;
                c->client_eof = true;
                progress = true;
            }
            break;
        }
    }
    return progress;
}

/* up buffer -> channel, as far as the bastion's window allows. */
static bool pump_write_channel(struct pump *c)
{
    bool progress = false;
    while (c->up_len > 0) {
        uint32_t win = ssh_channel_window_size(c->ch);
        if (win == 0)
            break;
        uint32_t n = c->up_len < win ? (uint32_t)c->up_len : win;
        int w = ssh_channel_write(c->ch, c->up, n);
        if (w < 0) {
            c->state = PUMP_DEAD;
            return true;
        }
        if (w == 0)
            break;
        memmove(c->up, c->up + w, c->up_len - (size_t)w);
        c->up_len -= (size_t)w;
        progress = true;
    }
    if (c->client_eof && c->up_len == 0 && !c->eof_sent) {
        ssh_channel_send_eof(c->ch);
        c->eof_sent = true;
        progress = true;
    }
    return progress;
}

/* channel -> down buffer. */
static bool pump_read_channel(struct pump *c)
{
    bool progress = false;
    if (c->down_off == c->down_len)
        c->down_off = c->down_len = 0;
    while (!c->chan_eof && c->down_len < TUNNEL_CONN_BUF) {
        int n = ssh_channel_read_nonblocking(c->ch, c->down + c->down_len,
                                             (uint32_t)(TUNNEL_CONN_BUF - c->down_len), 0);
        if (n > 0) {
            c->down_len += (size_t)n;
            progress = true;
        } else if (n == SSH_EOF || (n == 0 && ssh_channel_is_eof(c->ch) &&
                                    ssh_channel_poll(c->ch, 0) == SSH_EOF)) {
            c->chan_eof = true;
            progress = true;
        } else if (n < 0) {
            c->chan_eof = true; /* channel or session error: finish what we have */
            progress = true;
            break;
        } else {
            break;
        }
    }
    return progress;
}

/* down buffer -> client. */
static bool pump_write_client(struct pump *c)
{
    bool progress = false;
    if (c->client_gone) {
        progress = c->down_len != c->down_off;
        c->down_off = c->down_len = 0;
        return progress;
    }
    while (c->down_off < c->down_len) {
        ssize_t n = send(c->fd, c->down + c->down_off, c->down_len - c->down_off, MSG_NOSIGNAL);
        if (n > 0) {
            c->down_off += (size_t)n;
            progress = true;
        } else {
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                c->client_gone = true;
                c->client_eof = true;
                progress = true;
            }
            break;
        }
    }
    if (c->down_off == c->down_len) {
        c->down_off = c->down_len = 0;
        if (c->chan_eof && !c->shut_wr) {
            shutdown(c->fd, SHUT_WR);
            c->shut_wr = true;
            progress = true;
        }
    }
    return progress;
}

/* One step for one pump; true when anything moved. */
static bool pump_step(struct tunnel *t, struct pump *c)
{
    bool progress = false;
    short ev = c->revents;
    c->revents = 0;
    if (c->state == PUMP_OPENING) {
        pump_try_open(t, c);
        if (c->state == PUMP_OPENING)
            return false;
        progress = true;
    }
    if (c->state != PUMP_OPEN)
        return true;
    if (ev & (POLLERR | POLLNVAL)) {
        c->client_gone = true;
        c->client_eof = true;
    }
    progress |= pump_read_client(c);
    if (ev & POLLHUP)
        c->client_eof = true; /* read what was left above; nothing more will come */
    progress |= pump_write_channel(c);
    if (c->state != PUMP_OPEN)
        return true;
    progress |= pump_read_channel(c);
    progress |= pump_write_client(c);
    bool down_done = c->chan_eof && c->down_len == 0 && (c->shut_wr || c->client_gone);
    bool up_done = c->client_eof && c->eof_sent;
    if ((down_done && up_done) || (c->client_gone && c->eof_sent) ||
        (down_done && ssh_channel_is_closed(c->ch))) {
        c->state = PUMP_DEAD;
        progress = true;
    }
    return progress;
}

bool pump_pass(struct tunnel *t)
{
    bool progress = false;
    struct pump **pp = &t->pumps;
    while (*pp) {
        struct pump *c = *pp;
        progress |= pump_step(t, c);
        if (c->state == PUMP_DEAD) {
            *pp = c->next;
            t->npumps--;
            log_debug("ssh", "connection from 127.0.0.1:%d closed", c->peer_port);
            pump_free(t, c);
        } else {
            pp = &c->next;
        }
    }
    return progress;
}

bool pump_pending(struct tunnel *t)
{
    for (struct pump *c = t->pumps; c; c = c->next) {
        if (c->state != PUMP_OPEN)
            continue;
        if (!c->chan_eof && c->down_len < TUNNEL_CONN_BUF && ssh_channel_poll(c->ch, 0) != 0)
            return true;
        if (c->up_len > 0 && ssh_channel_window_size(c->ch) > 0)
            return true;
    }
    return false;
}

void pump_register(struct tunnel *t)
{
    for (struct pump *c = t->pumps; c; c = c->next) {
        short want = 0;
        if (c->state == PUMP_OPEN && !c->client_gone) {
            if (!c->client_eof && c->up_len < TUNNEL_CONN_BUF)
                want |= POLLIN;
            if (c->down_off < c->down_len)
                want |= POLLOUT;
        }
        /* A socket that hung up or failed would report POLLHUP forever; once
         * we know, it leaves the poll set. */
        bool keep = c->state == PUMP_OPEN && !c->client_gone && (want || !c->client_eof);
        if (!keep) {
            pump_unregister(t, c);
            continue;
        }
        if (c->reg_events == want)
            continue;
        pump_unregister(t, c);
        if (ssh_event_add_fd(t->ev, c->fd, want, pump_note_events, &c->revents) == SSH_OK)
            c->reg_events = want;
    }
}
