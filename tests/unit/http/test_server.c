/* Starts a real server on 127.0.0.1 (port 0) and talks raw HTTP to it over a
 * socket, to prove the libmicrohttpd wiring: routing, the Host guard, MHD's
 * own size limits (414/431) with the server still serving afterwards, the
 * body guard, the idle timeout, a busy port and an IPv6 bind, and that a
 * handler that blocks holds up only its own connection. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "http/http.h"
#include "util/buf.h"
#include "util/mem.h"

static struct api_ctx ctx = {.cfg = NULL, .db = NULL, .setup_mode = true, .version = "1.2.3"};

static int connect_to(int family, int port)
{
    int fd = socket(family, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int rc;
    if (family == AF_INET6) {
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
        a.sin6_addr = in6addr_loopback;
        rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    } else {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    }
    cr_assert_eq(rc, 0, "connect: %s", strerror(errno));
    return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return; /* the server may close early (e.g. after a 414); fine */
        p += w;
        n -= (size_t)w;
    }
}

/* Reads until the server closes the connection. Heap string. */
static char *read_all(int fd)
{
    struct buf b;
    buf_init(&b, 0);
    char tmp[4096];
    ssize_t n;
    while ((n = recv(fd, tmp, sizeof tmp, 0)) > 0)
        cr_assert_eq(buf_append(&b, tmp, (size_t)n), 0);
    return buf_take(&b);
}

static char *request(int family, int port, const char *raw, size_t len)
{
    int fd = connect_to(family, port);
    send_all(fd, raw, len);
    char *resp = read_all(fd);
    close(fd);
    return resp;
}

static char *get(int port, const char *target, const char *host)
{
    char *raw = xasprintf("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, host);
    char *resp = request(AF_INET, port, raw, strlen(raw));
    free(raw);
    return resp;
}

static int status_of(const char *resp)
{
    int code = 0;
    if (sscanf(resp, "HTTP/1.%*d %d", &code) != 1)
        return -1;
    return code;
}

static struct http_server *start(const char *host, unsigned timeout_s)
{
    struct http_options o = {.host = host, .port = 0, .max_clients = 8, .idle_timeout_s = timeout_s};
    struct http_server *s = NULL;
    struct seeki_err err;
    seeki_err_clear(&err);
    cr_assert_eq(http_start(&o, api_handle, &ctx, &s, &err), SEEKI_E_OK, "%s", err.msg);
    cr_assert_gt(http_port(s), 0);
    return s;
}

Test(server, status_and_host_guard)
{
    struct http_server *s = start("127.0.0.1", 0);
    int port = http_port(s);
    char host[64];
    snprintf(host, sizeof host, "127.0.0.1:%d", port);

    char *r = get(port, "/api/status", host);
    cr_expect_eq(status_of(r), 200, "%s", r);
    cr_expect(strstr(r, "\"mode\":\"setup\"") != NULL, "%s", r);
    cr_expect(strcasestr(r, "\r\nContent-Type: application/json\r\n") != NULL, "%s", r);
    cr_expect(strcasestr(r, "\r\nCache-Control: no-store\r\n") != NULL, "%s", r);
    cr_expect(strcasestr(r, "\r\nX-Content-Type-Options: nosniff\r\n") != NULL, "%s", r);
    free(r);

    r = get(port, "/api/status", "evil.example");
    cr_expect_eq(status_of(r), 403, "%s", r);
    char want[128];
    snprintf(want, sizeof want,
             "{\"error\":\"Host 'evil.example' is not allowed; open SeeKi at "
             "http://127.0.0.1:%d\"}",
             port);
    cr_expect(strstr(r, want) != NULL, "%s", r);
    free(r);

    snprintf(host, sizeof host, "localhost:%d", port + 1 > 65535 ? 1 : port + 1);
    r = get(port, "/api/status", host);
    cr_expect_eq(status_of(r), 403, "wrong port must be refused: %s", r);
    free(r);

    r = get(port, "/", "localhost");
    cr_expect_eq(status_of(r), 200, "%s", r);
    cr_expect(strcasestr(r, "text/html") != NULL);
    free(r);

    r = get(port, "/%2e%2e/%2e%2e/etc/passwd", "localhost");
    cr_expect_eq(status_of(r), 404, "%s", r);
    free(r);

    /* HTTP/1.0 without Host is allowed (documented) */
    const char *h10 = "GET /api/status HTTP/1.0\r\n\r\n";
    r = request(AF_INET, port, h10, strlen(h10));
    cr_expect_eq(status_of(r), 200, "%s", r);
    free(r);

    const char *post = "POST /api/status HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
                       "Connection: close\r\n\r\n{}";
    r = request(AF_INET, port, post, strlen(post));
    cr_expect_eq(status_of(r), 405, "%s", r);
    cr_expect(strcasestr(r, "\r\nAllow: GET, HEAD\r\n") != NULL, "%s", r);
    free(r);

    const char *head = "HEAD /api/status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    r = request(AF_INET, port, head, strlen(head));
    cr_expect_eq(status_of(r), 200, "%s", r);
    cr_expect(strstr(r, "\"mode\"") == NULL, "HEAD must not carry a body: %s", r);
    free(r);
    http_stop(s);
}

Test(server, limits_refuse_and_keep_serving)
{
    struct http_server *s = start("127.0.0.1", 0);
    int port = http_port(s);

    /* 1 MB query string: 414 from libmicrohttpd */
    size_t big = 1024 * 1024;
    char *q = xmalloc(big + 200);
    int n = snprintf(q, 200, "GET /api/tables/x/rows?search=");
    memset(q + n, 'a', big);
    snprintf(q + n + big, 200, " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    char *r = request(AF_INET, port, q, strlen(q));
    cr_expect_eq(status_of(r), 414, "%.200s", r);
    free(r);
    free(q);

    /* 20 KiB of headers: 431 (from us or from libmicrohttpd) */
    char *cookie = xmalloc(20 * 1024 + 1);
    memset(cookie, 'c', 20 * 1024);
    cookie[20 * 1024] = '\0';
    char *raw = xasprintf("GET /api/status HTTP/1.1\r\nHost: localhost\r\nCookie: %s\r\n"
                          "Connection: close\r\n\r\n",
                          cookie);
    r = request(AF_INET, port, raw, strlen(raw));
    cr_expect(status_of(r) == 431 || status_of(r) == 400, "%.200s", r);
    free(r);
    free(raw);
    free(cookie);

    /* 17 KiB of headers, inside MHD's pool: our own 431 */
    cookie = xmalloc(17 * 1024 + 1);
    memset(cookie, 'c', 17 * 1024);
    cookie[17 * 1024] = '\0';
    raw = xasprintf("GET /api/status HTTP/1.1\r\nHost: localhost\r\nCookie: %s\r\n"
                    "Connection: close\r\n\r\n",
                    cookie);
    r = request(AF_INET, port, raw, strlen(raw));
    cr_expect(status_of(r) == 431, "%.300s", r);
    free(r);
    free(raw);
    free(cookie);

    /* a body announced over 64 KiB: 413 without reading it */
    const char *body = "GET /api/status HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n"
                       "Connection: close\r\n\r\nxxxx";
    r = request(AF_INET, port, body, strlen(body));
    cr_expect_eq(status_of(r), 413, "%s", r);
    free(r);

    /* still serving */
    r = get(port, "/api/status", "localhost");
    cr_expect_eq(status_of(r), 200, "%s", r);
    free(r);
    http_stop(s);
}

Test(server, idle_clients_are_cut_off)
{
    struct http_server *s = start("127.0.0.1", 1);
    int fd = connect_to(AF_INET, http_port(s));
    send_all(fd, "GET /api/status HTTP/1.1\r\nHost: local", 37); /* and then nothing */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *r = read_all(fd); /* returns when the server closes */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_expect_lt(secs, 5.0, "idle connection kept for %.1fs", secs);
    cr_expect_eq(strstr(r, "200 OK"), NULL);
    free(r);
    close(fd);
    http_stop(s);
}

Test(server, busy_port_is_a_clear_error)
{
    struct http_server *s = start("127.0.0.1", 0);
    struct http_options o = {.host = "127.0.0.1", .port = http_port(s)};
    struct http_server *s2 = NULL;
    struct seeki_err err;
    seeki_err_clear(&err);
    cr_expect_eq(http_start(&o, api_handle, &ctx, &s2, &err), SEEKI_E_IO);
    cr_expect_null(s2);
    char want[160];
    snprintf(want, sizeof want,
             "Port %d on 127.0.0.1 is already in use. Stop the other program or pick another "
             "port with --port or SEEKI_BIND.",
             http_port(s));
    cr_expect_str_eq(err.msg, want);
    http_stop(s);

    /* http_stop releases the port: it can be bound again at once */
    cr_expect_eq(http_start(&o, api_handle, &ctx, &s2, &err), SEEKI_E_OK, "%s", err.msg);
    http_stop(s2);
    s2 = NULL;

    o.host = "192.0.2.77"; /* TEST-NET: not on this machine */
    o.port = 0;
    cr_expect_eq(http_start(&o, api_handle, &ctx, &s2, &err), SEEKI_E_IO);
    cr_expect(strstr(err.msg, "is not an address of this machine") != NULL, "%s", err.msg);
}

Test(server, ipv6_loopback)
{
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6};
    a.sin6_addr = in6addr_loopback;
    bool have_v6 = probe >= 0 && bind(probe, (struct sockaddr *)&a, sizeof a) == 0;
    if (probe >= 0)
        close(probe);
    if (!have_v6)
        cr_skip_test("no IPv6 loopback on this machine");
    struct http_server *s = start("[::1]", 0);
    char *raw = xasprintf("GET /api/status HTTP/1.1\r\nHost: [::1]:%d\r\nConnection: close\r\n\r\n",
                          http_port(s));
    char *r = request(AF_INET6, http_port(s), raw, strlen(raw));
    cr_expect_eq(status_of(r), 200, "%s", r);
    free(r);
    free(raw);
    http_stop(s);
}

Test(server, keep_alive_and_pipelining)
{
    struct http_server *s = start("127.0.0.1", 0);
    const char *two =
        "GET /api/status HTTP/1.1\r\nHost: localhost\r\n\r\n"
        "GET /api/config/display HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    char *r = request(AF_INET, http_port(s), two, strlen(two));
    const char *first = strstr(r, "HTTP/1.1 200");
    cr_assert_not_null(first, "%s", r);
    cr_expect_not_null(strstr(first + 1, "HTTP/1.1 200"), "both answered on one connection: %s", r);
    cr_expect(strstr(r, "\"branding\"") != NULL, "%s", r);
    free(r);

    /* a small body on a GET route is read and ignored; the answer still comes */
    const char *body = "GET /api/status HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                       "Connection: close\r\n\r\nhello";
    r = request(AF_INET, http_port(s), body, strlen(body));
    cr_expect_eq(status_of(r), 200, "%s", r);
    free(r);

    /* a chunked body that grows past 64 KiB is cut off */
    struct buf b;
    buf_init(&b, 0);
    cr_assert_eq(buf_puts(&b, "POST /api/status HTTP/1.1\r\nHost: localhost\r\n"
                              "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"),
                 0);
    char chunk[8192];
    memset(chunk, 'z', sizeof chunk);
    for (int i = 0; i < 10; i++) {
        cr_assert_eq(buf_printf(&b, "%zx\r\n", sizeof chunk), 0);
        cr_assert_eq(buf_append(&b, chunk, sizeof chunk), 0);
        cr_assert_eq(buf_puts(&b, "\r\n"), 0);
    }
    cr_assert_eq(buf_puts(&b, "0\r\n\r\n"), 0);
    r = request(AF_INET, http_port(s), b.data, b.len);
    cr_expect(status_of(r) != 200, "%.100s", r);
    free(r);
    buf_free(&b);
    r = get(http_port(s), "/api/status", "localhost");
    cr_expect_eq(status_of(r), 200, "still serving: %s", r);
    free(r);
    http_stop(s);
}

/* A handler that blocks (as one waiting on the database does) for /slow, and
 * answers everything else at once. */
static void blocking_handler(void *c, const struct http_req *req, struct http_resp *resp)
{
    (void)c;
    if (req->path && strcmp(req->path, "/slow") == 0) {
        struct timespec ts = {1, 500 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    http_resp_set(resp, 200, "text/plain", "ok", 2);
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

Test(server, a_blocked_handler_holds_up_only_its_own_connection)
{
    struct http_options o = {.host = "127.0.0.1", .port = 0, .max_clients = 32};
    struct http_server *s = NULL;
    cr_assert_eq(http_start(&o, blocking_handler, NULL, &s, NULL), SEEKI_E_OK);
    int port = http_port(s);
    /* 12 requests blocked in the handler: more than any fixed thread pool
     * SeeKi ever had (4) */
    int fds[12];
    for (int i = 0; i < 12; i++) {
        fds[i] = connect_to(AF_INET, port);
        const char *raw = "GET /slow HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        send_all(fds[i], raw, strlen(raw));
    }
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    long long t0 = now_ms();
    char *r = get(port, "/fast", "localhost");
    long long took = now_ms() - t0;
    cr_expect_eq(status_of(r), 200, "%s", r);
    cr_expect(took < 1000, "a quick request waited %lld ms behind blocked ones", took);
    free(r);
    for (int i = 0; i < 12; i++) {
        char *x = read_all(fds[i]);
        cr_expect_eq(status_of(x), 200, "%s", x);
        free(x);
        close(fds[i]);
    }
    http_stop(s);
}

Test(server, a_handler_sees_its_client_leave)
{
    /* http_req_client_gone on the connection's socket: false while the
     * client is there, true once it closed */
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct http_req req;
    http_req_init(&req);
    cr_expect_not(http_req_client_gone(&req), "no socket: never gone");
    req.client_fd = sv[0];
    cr_expect_not(http_req_client_gone(&req));
    send_all(sv[1], "GET / HTTP/1.1\r\n", 16); /* pipelined bytes are not a goodbye */
    cr_expect_not(http_req_client_gone(&req));
    close(sv[1]);
    cr_expect(http_req_client_gone(&req));
    close(sv[0]);
    http_req_free(&req);
}

/* The request body reaches the handler whole (Content-Length and chunked),
 * NUL-terminated; no body is NULL. */
static void echo_body(void *cls, const struct http_req *req, struct http_resp *resp)
{
    (void)cls;
    if (!req->body) {
        http_resp_set(resp, 200, "text/plain", "(none)", 6);
        return;
    }
    cr_assert_eq(req->body[req->body_len], '\0');
    http_resp_set(resp, 200, "text/plain", req->body, req->body_len);
}

Test(server, request_body_reaches_the_handler)
{
    struct http_options o = {.host = "127.0.0.1", .port = 0};
    struct http_server *s = NULL;
    struct seeki_err err;
    seeki_err_clear(&err);
    cr_assert_eq(http_start(&o, echo_body, NULL, &s, &err), SEEKI_E_OK, "%s", err.msg);
    const char *raw = "POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\n"
                      "Connection: close\r\n\r\n{\"a\": \"b\"}\n";
    char *r = request(AF_INET, http_port(s), raw, strlen(raw));
    cr_assert_eq(status_of(r), 200, "%s", r);
    cr_assert(strstr(r, "\r\n\r\n{\"a\": \"b\"}\n") != NULL, "%s", r);
    free(r);
    raw = "POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
          "Connection: close\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
    r = request(AF_INET, http_port(s), raw, strlen(raw));
    cr_assert(strstr(r, "\r\n\r\nabcdefg") != NULL, "%s", r);
    free(r);
    r = get(http_port(s), "/x", "localhost");
    cr_assert(strstr(r, "\r\n\r\n(none)") != NULL, "%s", r);
    free(r);
    /* exactly 64 KiB is accepted whole */
    struct buf b;
    buf_init(&b, 0);
    buf_must_append(&b, "POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 65536\r\n"
                        "Connection: close\r\n\r\n", 79);
    for (int i = 0; i < 65536; i++)
        buf_must_putc(&b, 'z');
    r = request(AF_INET, http_port(s), b.data, b.len);
    cr_assert_eq(status_of(r), 200, "%.200s", r);
    cr_assert_geq(strlen(r), 65536u);
    free(r);
    buf_free(&b);
    http_stop(s);
}
