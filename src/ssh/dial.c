/* The TCP connection to the first hop, made by SeeKi itself (not libssh) so
 * it can be cancelled: a non-blocking connect to every address of the host
 * in turn, within ssh.connect_timeout_seconds, that also watches the
 * tunnel's wake pipe. The connected socket is then handed to libssh
 * (SSH_OPTIONS_FD). Also the registry of fds in blocking set-up that
 * tunnel_close shuts down (struct tunnel_abort). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "ssh/ssh_int.h"
#include "util/clock.h"

void tunnel_abort_init(struct tunnel_abort *a, int wake_fd)
{
    memset(a, 0, sizeof *a);
    pthread_mutex_init(&a->mu, NULL);
    a->wake_fd = wake_fd;
}

void tunnel_abort_destroy(struct tunnel_abort *a)
{
    pthread_mutex_destroy(&a->mu);
}

bool tunnel_abort_add(struct tunnel_abort *a, int fd)
{
    if (!a)
        return true;
    pthread_mutex_lock(&a->mu);
    bool ok = !a->stopping && a->nfds < TUNNEL_ABORT_MAX;
    if (ok)
        a->fds[a->nfds++] = fd;
    pthread_mutex_unlock(&a->mu);
    return ok || !a->stopping; /* a full registry only loses cancellation */
}

void tunnel_abort_remove(struct tunnel_abort *a, int fd)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->nfds; i++)
        if (a->fds[i] == fd) {
            a->fds[i] = a->fds[--a->nfds];
            break;
        }
    pthread_mutex_unlock(&a->mu);
}

bool tunnel_aborting(struct tunnel_abort *a)
{
    if (!a)
        return false;
    pthread_mutex_lock(&a->mu);
    bool s = a->stopping;
    pthread_mutex_unlock(&a->mu);
    return s;
}

void tunnel_abort_all(struct tunnel_abort *a)
{
    pthread_mutex_lock(&a->mu);
    a->stopping = true;
    for (size_t i = 0; i < a->nfds; i++)
        shutdown(a->fds[i], SHUT_RDWR);
    pthread_mutex_unlock(&a->mu);
}

/* One address: 0 connected, else an errno (ETIMEDOUT when the deadline
 * passed, ECANCELED when stopping). */
static int dial_one(const struct addrinfo *ai, double deadline, struct tunnel_abort *ab,
                    int *out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
    if (fd < 0)
        return errno;
    int e = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        e = errno;
        while (e == EINPROGRESS || e == EINTR) {
            double left = deadline - clock_s();
            if (left <= 0) {
                e = ETIMEDOUT;
                break;
            }
            struct pollfd pf[2] = {{.fd = fd, .events = POLLOUT},
                                   {.fd = ab ? ab->wake_fd : -1, .events = POLLIN}};
            int r = poll(pf, 2, (int)(left * 1000.0) + 1);
            if (tunnel_aborting(ab)) {
                e = ECANCELED;
                break;
            }
            if (r < 0 && errno == EINTR)
                continue;
            if (r > 0 && pf[0].revents) {
                socklen_t sl = sizeof e;
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) != 0)
                    e = errno;
                break;
            }
            if (r > 0 && pf[1].revents)
                continue; /* a wake-up that is not a stop: keep waiting */
            e = EINPROGRESS;
        }
    }
    if (e != 0) {
        close(fd);
        return e;
    }
    int one = 1;
    /* Small packets (a query, an ACK-sized reply) must not wait for Nagle. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* libssh expects a blocking socket in blocking mode. */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    *out = fd;
    return 0;
}

enum seeki_code tunnel_dial(const struct tunnel_params *p, int *fd, struct seeki_err *err)
{
    *fd = -1;
    char port[16];
    snprintf(port, sizeof port, "%d", p->port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    double t0 = clock_s();
    int g = getaddrinfo(p->hostname, port, &hints, &res);
    if (g != 0)
        tunnel_note_stage(p, TUNNEL_CHECK_DNS, false, t0, "%s", "");
    if (g != 0)
        return tunnel_fail_conn(err, p, TUNNEL_STAGE_CONNECT,
                                "cannot resolve host name '%s' (%s). Check ssh.host (and "
                                "HostName in ~/.ssh/config) and your DNS or VPN",
                                p->hostname, gai_strerror(g));
    char addr[NI_MAXHOST] = "";
    if (getnameinfo(res->ai_addr, res->ai_addrlen, addr, sizeof addr, NULL, 0,
                    NI_NUMERICHOST) != 0)
        addr[0] = '\0';
    tunnel_note_stage(p, TUNNEL_CHECK_DNS, true, t0, "%s resolved to %s%s", p->hostname, addr,
                      res->ai_next ? " (and more)" : "");
    t0 = clock_s();
    double deadline = t0 + p->timeout_s;
    int e = ENOENT;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        e = dial_one(ai, deadline, p->abort, fd);
        if (e == 0 || e == ETIMEDOUT || e == ECANCELED)
            break;
    }
    freeaddrinfo(res);
    tunnel_note_stage(p, TUNNEL_CHECK_TCP, e == 0, t0, "%s", "");
    if (e == 0)
        return SEEKI_E_OK;
    if (e == ECANCELED)
        return seeki_fail(err, SEEKI_E_SSH, "SSH connection cancelled: SeeKi is shutting down");
    if (e == ETIMEDOUT)
        return tunnel_fail_conn(err, p, TUNNEL_STAGE_CONNECT,
                                "timed out after %d s (ssh.connect_timeout_seconds); the "
                                "bastion did not answer. Check ssh.host and ssh.port, and "
                                "that no firewall or VPN blocks the way",
                                p->timeout_s);
    return tunnel_fail_conn(err, p, TUNNEL_STAGE_CONNECT,
                            "%s. Check ssh.host and ssh.port, and that no firewall or VPN "
                            "blocks the way",
                            strerror(e));
}
