/* libmicrohttpd wiring, the only file that includes <microhttpd.h>: binds the
 * listening socket ourselves (so a busy port gets a precise message), runs MHD
 * with a thread per connection (so a handler that waits on the database only
 * ever holds up its own client; docs/architecture.md says why) and
 * per-connection limits, turns each MHD request into a struct http_req, hands
 * it to http_dispatch (guard.c) and turns the struct http_resp back into an
 * MHD response (buffer or stream). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/http.h"
#include "log.h"
#include "util/mem.h"

struct http_server {
    struct MHD_Daemon *daemon;
    http_handler *handler;
    void *ctx;            /* borrowed; outlives the server */
    char *bind_host;      /* as configured, brackets removed */
    int port;             /* the port actually bound */
    atomic_ulong next_id; /* request counter for req=N */
};

/* Per-request state: created by the URI callback (MHD calls it once per
 * request, before headers are parsed), freed by the completion callback, which
 * MHD then always calls -- also for requests MHD refuses itself (414/431). */
struct http_conn {
    struct http_req req;
    char *target;                  /* raw request target as sent */
    struct timespec start;         /* CLOCK_MONOTONIC at the request line */
    int status;                    /* status queued; 0 when MHD answered on its own */
    bool seen;                     /* the access handler ran once (headers collected) */
    bool answered;                 /* a response was queued */
    unsigned long long body_bytes; /* request body received so far (kept in req.body) */
};

/* Adapter from MHD's content-reader signature to http_resp's producer. */
struct http_stream {
    ssize_t (*read)(void *cls, char *dst, size_t max);
    void (*free_cls)(void *cls);
    void *cls;
};

/* ---- listening socket ------------------------------------------------------ */

static enum seeki_code bind_fail(struct seeki_err *err, int e, const char *host, int port)
{
    switch (e) {
    case EADDRINUSE:
        return seeki_fail(err, SEEKI_E_IO,
                          "Port %d on %s is already in use. Stop the other program or pick "
                          "another port with --port or SEEKI_BIND.",
                          port, host);
    case EADDRNOTAVAIL:
        return seeki_fail(err, SEEKI_E_IO,
                          "Cannot listen on %s port %d: %s is not an address of this machine. "
                          "Set server.host (or --host / SEEKI_BIND) to 127.0.0.1 or one of this "
                          "machine's addresses.",
                          host, port, host);
    case EACCES:
        return seeki_fail(err, SEEKI_E_IO,
                          "Cannot listen on %s port %d: permission denied (ports below 1024 need "
                          "privileges). Pick a port from 1024 up with --port or SEEKI_BIND.",
                          host, port);
    default:
        return seeki_fail(err, SEEKI_E_IO,
                          "Cannot listen on %s port %d: %s. Check server.host and server.port "
                          "(or --host/--port, SEEKI_BIND).",
                          host, port, strerror(e));
    }
}

/* Opens a non-blocking listening socket on host:port. *v6 tells the family. */
static enum seeki_code listen_on(const char *host, int port, int *fd_out, bool *v6,
                                 struct seeki_err *err)
{
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0)
        return seeki_fail(err, SEEKI_E_IO,
                          "Cannot listen on '%s': the address does not resolve (%s). Set "
                          "server.host (or --host / SEEKI_BIND) to an address such as 127.0.0.1.",
                          host, gai_strerror(rc));
    int first_errno = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        int fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            if (!first_errno)
                first_errno = errno;
            continue;
        }
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (ai->ai_family == AF_INET6)
            (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0) {
            *fd_out = fd;
            *v6 = ai->ai_family == AF_INET6;
            freeaddrinfo(res);
            return SEEKI_E_OK;
        }
        if (!first_errno)
            first_errno = errno;
        close(fd);
    }
    freeaddrinfo(res);
    return bind_fail(err, first_errno ? first_errno : EADDRNOTAVAIL, host, port);
}

/* ---- MHD callbacks ------------------------------------------------------- */

/* MHD calls this with the raw request target, before it splits the query into
 * its own table of GET arguments. SeeKi never reads that table: it parses its
 * copy of the target itself (http_req_set_target). So the query in MHD's buffer
 * is cut right after the '?', and MHD parses an empty argument list.
 *
 * Why: libmicrohttpd 0.9.75 (Debian 12) spends a 56-byte record of the 32 KiB
 * connection pool on every query segment, so ~500 short parameters (or "&&&")
 * exhaust it. It then queues its 431 but overwrites the connection state
 * afterwards, and the client gets nothing until the idle timeout (fixed
 * upstream in 1.0). Without the records, a long target is bounded only by the
 * read buffer, and MHD's 414/431 for that path are sent at once.
 * uri points into MHD's read buffer (writable; const only in the prototype),
 * and MHD looks for the '?' before this call, so the path is untouched. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct http_server *s = cls;
    struct http_conn *st = xcalloc(1, sizeof *st);
    http_req_init(&st->req);
    st->req.id = atomic_fetch_add(&s->next_id, 1) + 1;
    const union MHD_ConnectionInfo *ci =
        c ? MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD) : NULL;
    st->req.client_fd = ci ? (int)ci->connect_fd : -1;
    st->target = xstrdup(uri ? uri : "");
    clock_gettime(CLOCK_MONOTONIC, &st->start);
    char *q = uri ? strchr((char *)uri, '?') : NULL;
    if (q)
        q[1] = '\0';
    return st;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    if (key)
        http_req_add_header(cls, key, value ? value : "");
    return MHD_YES;
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct http_stream *st = cls;
    ssize_t n = st->read(st->cls, buf, max);
    if (n == HTTP_STREAM_END)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n <= 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n;
}

static void stream_free(void *cls)
{
    struct http_stream *st = cls;
    if (st->free_cls)
        st->free_cls(st->cls);
    free(st);
}

/* Builds the MHD response; takes over resp's stream. NULL on failure. */
static struct MHD_Response *make_response(struct http_resp *resp)
{
    struct MHD_Response *r;
    if (resp->stream_read) {
        struct http_stream *st = xmalloc(sizeof *st);
        st->read = resp->stream_read;
        st->free_cls = resp->stream_free;
        st->cls = resp->stream_cls;
        resp->stream_read = NULL;
        resp->stream_free = NULL;
        resp->stream_cls = NULL;
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HTTP_STREAM_BLOCK, stream_reader,
                                              st, stream_free);
        if (!r)
            stream_free(st);
    } else {
        /* The body moves to MHD, which frees it when the response is done. */
        size_t len = resp->body.len;
        char *data = buf_take(&resp->body);
        r = MHD_create_response_from_buffer_with_free_callback(len, data, free);
        if (!r)
            free(data);
    }
    if (!r)
        return NULL;
    if (resp->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    for (size_t i = 0; i < resp->nheaders; i++)
        MHD_add_response_header(r, resp->headers[i].key, resp->headers[i].value);
    return r;
}

/* Dispatches the request and queues the answer. */
static enum MHD_Result answer(struct http_server *s, struct MHD_Connection *conn,
                              struct http_conn *st)
{
    st->answered = true;
    struct http_resp resp;
    http_resp_init(&resp);
    struct seeki_err err;
    seeki_err_clear(&err);
    if (http_req_set_target(&st->req, st->target, &err) != SEEKI_E_OK) {
        http_resp_error(&resp, 400, err.msg);
        http_resp_add_common_headers(&resp, true);
    } else {
        http_dispatch(&st->req, s->handler, s->ctx, s->bind_host, s->port, &resp);
    }
    struct MHD_Response *r = make_response(&resp);
    enum MHD_Result ret = MHD_NO;
    if (r) {
        st->status = resp.status;
        ret = MHD_queue_response(conn, (unsigned)resp.status, r);
        MHD_destroy_response(r);
    } else {
        log_error("http", "req=%lu could not create a response (out of memory?)", st->req.id);
    }
    http_resp_free(&resp);
    return ret;
}

/* MHD calls this once when the headers are in, then once per body chunk, then
 * once more with no data. We answer on that last call: libmicrohttpd 0.9.75
 * closes the connection after any answer queued on the first call, which would
 * cost keep-alive on every request. Only a body announced as too large is
 * refused on the first call (closing is then what we want). */
static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    (void)url;
    struct http_server *s = cls;
    struct http_conn *st = *con_cls;
    if (!st)
        return MHD_NO; /* the URI callback always runs first */
    if (!st->seen) {
        st->seen = true;
        st->req.method = xstrdup(method);
        st->req.version = xstrdup(version);
        MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &st->req);
        const char *cl = http_req_header(&st->req, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > HTTP_MAX_BODY_BYTES)
            return answer(s, conn, st); /* http_dispatch answers 413 */
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* Kept in req.body up to the limit; a (chunked) body that grows past
         * it is cut off. */
        st->body_bytes += *upload_data_size;
        bool over = st->body_bytes > HTTP_MAX_BODY_BYTES ||
                    http_req_append_body(&st->req, upload_data, *upload_data_size) != 0;
        *upload_data_size = 0;
        if (over) {
            /* libmicrohttpd cannot queue an answer mid-body: close instead. */
            log_debug("http", "req=%lu body over %u bytes: connection closed", st->req.id,
                      HTTP_MAX_BODY_BYTES);
            return MHD_NO;
        }
        return MHD_YES;
    }
    if (st->answered)
        return MHD_YES;
    return answer(s, conn, st);
}

static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return "";
    case MHD_REQUEST_TERMINATED_WITH_ERROR:
        return " (aborted: error)";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return " (aborted: idle timeout)";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return " (aborted: shutdown)";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return " (aborted: read error)";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return " (aborted: client went away)";
    default:
        return " (aborted)";
    }
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    struct http_conn *st = *con_cls;
    if (!st)
        return;
    if (log_enabled(LOG_DEBUG, "http")) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double ms = (double)(now.tv_sec - st->start.tv_sec) * 1e3 +
                    (double)(now.tv_nsec - st->start.tv_nsec) / 1e6;
        /* The path only: query values may be sensitive and never reach the log. */
        size_t plen = strcspn(st->target, "?#");
        if (st->status)
            log_debug("http", "req=%lu %s %.*s %d %.1fms%s", st->req.id,
                      st->req.method ? st->req.method : "-", (int)(plen > 300 ? 300 : plen),
                      st->target, st->status, ms, termination_name(toe));
        else
            log_debug("http", "req=%lu %.*s refused by the HTTP layer (oversized or malformed)%s",
                      st->req.id, (int)(plen > 300 ? 300 : plen), st->target,
                      termination_name(toe));
    }
    http_req_free(&st->req);
    free(st->target);
    free(st);
    *con_cls = NULL;
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (!log_enabled(LOG_DEBUG, "http"))
        return;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    log_debug("http", "libmicrohttpd: %s", line);
}

/* ---- lifecycle ------------------------------------------------------------- */

static char *strip_brackets(const char *h)
{
    size_t n = strlen(h);
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
        return xstrndup(h + 1, n - 2);
    return xstrdup(h);
}

enum seeki_code http_start(const struct http_options *opts, http_handler *handler, void *ctx,
                           struct http_server **out, struct seeki_err *err)
{
    *out = NULL;
    if (opts->port < 0 || opts->port > 65535)
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Port %d is out of range; use 1-65535 (server.port, --port or "
                          "SEEKI_BIND)",
                          opts->port);
    struct http_server *s = xcalloc(1, sizeof *s);
    s->handler = handler;
    s->ctx = ctx;
    s->bind_host = strip_brackets(opts->host && *opts->host ? opts->host : "127.0.0.1");
    atomic_init(&s->next_id, 0);
    int fd = -1;
    bool v6 = false;
    enum seeki_code rc = listen_on(s->bind_host, opts->port, &fd, &v6, err);
    if (rc != SEEKI_E_OK)
        goto fail;
    /* The real port must be known before the first request (Host guard). */
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    else
        s->port = opts->port;
    unsigned clients = opts->max_clients ? opts->max_clients : HTTP_DEFAULT_MAX_CLIENTS;
    /* A thread per connection, each polling only its own socket (poll, not
     * select: no FD_SETSIZE ceiling). A handler may block on the database
     * (a count, a pool wait, an export chunk) without stalling anyone else. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    if (v6)
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_access, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_CONNECTION_LIMIT, clients,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_POOL_BYTES, MHD_OPTION_CONNECTION_TIMEOUT,
        opts->idle_timeout_s ? opts->idle_timeout_s : (unsigned)HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        if (fcntl(fd, F_GETFD) != -1) /* MHD may or may not have closed it */
            close(fd);
        rc = seeki_fail(err, SEEKI_E_IO,
                        "Cannot start the HTTP server on %s port %d (libmicrohttpd refused the "
                        "settings: %u clients). Run with SEEKI_LOG=http=debug for its reason.",
                        s->bind_host, opts->port, clients);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (info && info->port && info->port != s->port)
        log_warn("http", "libmicrohttpd reports port %u, the socket says %d", info->port, s->port);
    log_debug("http", "serving on %s port %d, a thread per connection, at most %u clients",
              s->bind_host, s->port, clients);
    *out = s;
    return SEEKI_E_OK;
fail:
    free(s->bind_host);
    free(s);
    return rc;
}

int http_port(const struct http_server *s)
{
    return s ? s->port : 0;
}

void http_stop(struct http_server *s)
{
    if (!s)
        return;
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    free(s->bind_host);
    free(s);
}
