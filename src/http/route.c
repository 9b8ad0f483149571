/* Everything between "a request arrived" and "a response is ready" that does
 * not need libmicrohttpd: size guards, the Host guard against DNS rebinding,
 * the route table, the method check, the setup-mode gate, static assets and
 * the common response headers. server.c calls http_dispatch once per request. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/assets.h"
#include "http/http.h"
#include "log.h"
#include "ssh/tunnel.h"
#include "util/mem.h"

/* ---- Host guard ---------------------------------------------------------- */

/* Parses an IP literal (IPv4 dotted quad or IPv6, without brackets) into a
 * family + 16 bytes. Returns false for anything else (names). */
static bool ip_parse(const char *s, size_t n, int *family, unsigned char addr[16])
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, tmp, addr) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, tmp, addr) == 1) {
        *family = AF_INET6;
        return true;
    }
    return false;
}

static bool ip_equal(const char *a, size_t an, const char *b)
{
    int fa, fb;
    unsigned char x[16], y[16];
    return ip_parse(a, an, &fa, x) && ip_parse(b, strlen(b), &fb, y) && fa == fb &&
           memcmp(x, y, 16) == 0;
}

static bool ip_is_wildcard(const char *s)
{
    int f;
    unsigned char a[16];
    static const unsigned char zero[16];
    return ip_parse(s, strlen(s), &f, a) && memcmp(a, zero, 16) == 0;
}

bool http_host_allowed(const char *host, const char *bind_host, int port)
{
    if (!host)
        return true; /* HTTP/1.0 without Host: not a browser, see http.h */
    size_t len = strlen(host);
    const char *name = host;
    size_t nlen;
    const char *rest;
    bool bracketed = false;
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (!close)
            return false;
        name = host + 1;
        nlen = (size_t)(close - name);
        rest = close + 1;
        bracketed = true;
    } else {
        const char *colon = strchr(host, ':');
        if (colon && strchr(colon + 1, ':'))
            return false; /* an unbracketed IPv6 literal is not a valid Host */
        nlen = colon ? (size_t)(colon - host) : len;
        rest = host + nlen;
    }
    if (nlen == 0)
        return false;
    if (*rest) {
        if (*rest != ':' || !rest[1] || strlen(rest + 1) > 5)
            return false;
        long p = 0;
        for (const char *c = rest + 1; *c; c++) {
            if (*c < '0' || *c > '9')
                return false;
            p = p * 10 + (*c - '0');
        }
        if (p != port)
            return false;
    }
    int fam;
    unsigned char addr[16];
    bool is_ip = ip_parse(name, nlen, &fam, addr);
    if (bracketed && (!is_ip || fam != AF_INET6))
        return false;
    if (!bracketed && is_ip && fam == AF_INET6)
        return false;
    if (is_ip) {
        if (ip_equal(name, nlen, "127.0.0.1") || ip_equal(name, nlen, "::1"))
            return true;
        if (bind_host && ip_equal(name, nlen, bind_host))
            return true;
        /* Bound to every interface: any address literal names this machine
         * as far as a browser is concerned, and literals cannot be rebound. */
        return bind_host && ip_is_wildcard(bind_host);
    }
    if (nlen == 9 && strncasecmp(name, "localhost", 9) == 0)
        return true;
    return bind_host && strlen(bind_host) == nlen && strncasecmp(name, bind_host, nlen) == 0;
}

/* ---- route table --------------------------------------------------------- */

/* Splits the part of raw_path after "/api/" into at most 4 raw segments.
 * Returns the number of segments, or 5 when there are more. */
static int split_segments(const char *p, const char *seg[4], size_t seglen[4])
{
    int n = 0;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t l = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 4)
            return 5;
        seg[n] = p;
        seglen[n] = l;
        n++;
        if (!slash)
            return n;
        p = slash + 1;
    }
}

static bool seg_is(const char *seg, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(seg, lit, len) == 0;
}

void http_route_match(const char *raw_path, struct http_route *out)
{
    out->id = HTTP_R_ASSET;
    out->table = NULL;
    if (strcmp(raw_path, "/api") == 0) {
        out->id = HTTP_R_NOT_FOUND;
        return;
    }
    if (strncmp(raw_path, "/api/", 5) != 0)
        return;
    out->id = HTTP_R_NOT_FOUND;
    const char *seg[4];
    size_t len[4];
    int n = split_segments(raw_path + 5, seg, len);
    if (n == 1 && seg_is(seg[0], len[0], "status")) {
        out->id = HTTP_R_STATUS;
    } else if (n == 1 && seg_is(seg[0], len[0], "tables")) {
        out->id = HTTP_R_TABLES;
    } else if (n == 2 && seg_is(seg[0], len[0], "config") && seg_is(seg[1], len[1], "display")) {
        out->id = HTTP_R_DISPLAY;
    } else if (n == 3 && len[1] > 0 &&
               ((seg_is(seg[0], len[0], "tables") &&
                 (seg_is(seg[2], len[2], "columns") || seg_is(seg[2], len[2], "rows"))) ||
                (seg_is(seg[0], len[0], "export") && seg_is(seg[2], len[2], "csv")))) {
        if (http_pct_decode(seg[1], len[1], false, &out->table) != 0) {
            out->id = HTTP_R_BAD_PATH;
            return;
        }
        if (seg_is(seg[0], len[0], "export"))
            out->id = HTTP_R_EXPORT;
        else
            out->id = seg_is(seg[2], len[2], "rows") ? HTTP_R_ROWS : HTTP_R_COLUMNS;
    }
}

/* ---- dispatch ------------------------------------------------------------ */

static bool method_is_get(const struct http_req *req)
{
    return req->method && (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0);
}

static size_t header_bytes(const struct http_req *req)
{
    size_t n = 0;
    for (size_t i = 0; i < req->nheaders; i++)
        n += strlen(req->headers[i].key) + strlen(req->headers[i].value) + 4; /* ": " CRLF */
    return n;
}

/* Shows the URL the user should open instead, for the 403 message. */
static char *site_url(const char *bind_host, int port)
{
    if (!bind_host || !*bind_host || ip_is_wildcard(bind_host))
        return xasprintf("http://127.0.0.1:%d", port);
    if (strchr(bind_host, ':'))
        return xasprintf("http://[%s]:%d", bind_host, port);
    return xasprintf("http://%s:%d", bind_host, port);
}

/* Refuses oversized headers, foreign Host values and oversized bodies.
 * Returns true when resp was filled. */
static bool guard(const struct http_req *req, const char *bind_host, int port,
                  struct http_resp *resp)
{
    size_t hb = header_bytes(req);
    if (hb > HTTP_MAX_HEADER_BYTES) {
        char *msg = xasprintf("Request headers total %zu bytes, more than the %u KiB SeeKi "
                              "accepts; remove large cookies or headers and retry",
                              hb, HTTP_MAX_HEADER_BYTES / 1024);
        http_resp_error(resp, 431, msg);
        free(msg);
        return true;
    }
    /* RFC 9112 section 3.2: 400 for more than one Host, and for HTTP/1.1
     * without one (HTTP/1.0 may omit it; the Host guard then has nothing to
     * check, see http_host_allowed). */
    size_t nhost = 0;
    for (size_t i = 0; i < req->nheaders; i++)
        nhost += strcasecmp(req->headers[i].key, "Host") == 0;
    const char *host = http_req_header(req, "Host");
    bool http10 = req->version && strcmp(req->version, "HTTP/1.0") == 0;
    if (nhost > 1 || (nhost == 0 && !http10)) {
        char *url = site_url(bind_host, port);
        char *msg = nhost > 1 ? xasprintf("Request has %zu Host headers; send exactly one, e.g. "
                                          "open SeeKi at %s",
                                          nhost, url)
                              : xasprintf("%.20s request without a Host header; send one, e.g. "
                                          "open SeeKi at %s",
                                          req->version ? req->version : "HTTP/1.1", url);
        http_resp_error(resp, 400, msg);
        free(msg);
        free(url);
        return true;
    }
    if (!http_host_allowed(host, bind_host, port)) {
        char *url = site_url(bind_host, port);
        char *msg = xasprintf("Host '%.100s' is not allowed; open SeeKi at %s", host, url);
        http_resp_error(resp, 403, msg);
        free(msg);
        free(url);
        return true;
    }
    const char *cl = http_req_header(req, "Content-Length");
    if (cl) {
        char *end;
        unsigned long long n = strtoull(cl, &end, 10);
        if (end != cl && n > HTTP_MAX_BODY_BYTES) {
            char *msg = xasprintf("Request body of %llu bytes is larger than the %u KiB limit", n,
                                  HTTP_MAX_BODY_BYTES / 1024);
            http_resp_error(resp, 413, msg);
            free(msg);
            return true;
        }
    }
    return false;
}

static bool route_needs_data(enum http_route_id id)
{
    return id == HTTP_R_TABLES || id == HTTP_R_COLUMNS || id == HTTP_R_ROWS || id == HTTP_R_EXPORT;
}

static void serve_asset(const struct http_req *req, struct http_resp *resp)
{
    const char *path = req->path ? req->path : "";
    const struct asset *a = assets_find(path);
    if (!a) {
        char *msg =
            xasprintf("Nothing at '%.200s'; SeeKi's UI is at / and its API under /api/", path);
        http_resp_error(resp, 404, msg);
        free(msg);
        return;
    }
    http_resp_set(resp, 200, a->mime, (const char *)a->data, a->len);
    http_resp_add_header(resp, "Cache-Control", "no-cache");
}

static void serve_api(const struct http_req *req, struct api_ctx *ctx, const struct http_route *rt,
                      struct http_resp *resp)
{
    if (ctx->setup_mode && route_needs_data(rt->id)) {
        http_resp_error(resp, 503, "This endpoint is not available in setup mode");
        return;
    }
    /* Routes that query the database wait for the tunnel; the catalog
     * (tables, columns) is cached and keeps answering meanwhile. */
    char why[SEEKI_ERR_MSG_MAX];
    if (ctx->tunnel && (rt->id == HTTP_R_ROWS || rt->id == HTTP_R_EXPORT) &&
        tunnel_unavailable(ctx->tunnel, why, sizeof why)) {
        http_resp_error(resp, 503, why);
        return;
    }
    switch (rt->id) {
    case HTTP_R_STATUS:
        api_status(ctx, req, resp);
        break;
    case HTTP_R_TABLES:
        api_tables(ctx, req, resp);
        break;
    case HTTP_R_COLUMNS:
        api_columns(ctx, req, rt->table, resp);
        break;
    case HTTP_R_ROWS:
        api_rows(ctx, req, rt->table, resp);
        break;
    case HTTP_R_DISPLAY:
        api_display(ctx, req, resp);
        break;
    case HTTP_R_EXPORT:
        api_export(ctx, req, rt->table, resp);
        break;
    default: {
        struct seeki_err e;
        seeki_fail(&e, SEEKI_E_INTERNAL, "route %d has no handler", (int)rt->id);
        http_resp_fail(resp, &e, req->id);
    }
    }
}

void http_dispatch(const struct http_req *req, struct api_ctx *ctx, const char *bind_host, int port,
                   struct http_resp *resp)
{
    struct http_route rt = {HTTP_R_ASSET, NULL};
    const char *path = req->path ? req->path : "";
    bool api = strcmp(path, "/api") == 0 || strncmp(path, "/api/", 5) == 0;
    if (guard(req, bind_host, port, resp))
        goto done;
    http_route_match(path, &rt);
    if (rt.id != HTTP_R_NOT_FOUND && rt.id != HTTP_R_BAD_PATH && !method_is_get(req)) {
        char *msg = xasprintf("Method %.20s is not allowed on %.200s; use GET",
                              req->method ? req->method : "?", path);
        http_resp_error(resp, 405, msg);
        http_resp_add_header(resp, "Allow", "GET, HEAD");
        free(msg);
        goto done;
    }
    switch (rt.id) {
    case HTTP_R_ASSET:
        serve_asset(req, resp);
        break;
    case HTTP_R_NOT_FOUND: {
        char *msg =
            xasprintf("Unknown API route '%.200s'; the routes are listed in docs/api.md", path);
        http_resp_error(resp, 404, msg);
        free(msg);
        break;
    }
    case HTTP_R_BAD_PATH:
        http_resp_error(resp, 400,
                        "The table name in the path has a malformed %-escape or an encoded NUL; "
                        "percent-encode the name (e.g. encodeURIComponent) and retry");
        break;
    default:
        serve_api(req, ctx, &rt, resp);
    }
done:
    if (resp->status == 0) { /* a handler forgot to answer: never send an empty 200 */
        struct seeki_err e;
        seeki_fail(&e, SEEKI_E_INTERNAL, "no response for %s", path);
        http_resp_fail(resp, &e, req->id);
    }
    http_resp_add_common_headers(resp, api || resp->status >= 400);
    free(rt.table);
}

void http_resp_add_common_headers(struct http_resp *resp, bool no_store)
{
    if (no_store)
        http_resp_add_header(resp, "Cache-Control", "no-store");
    http_resp_add_header(resp, "X-Content-Type-Options", "nosniff");
    /* The UI builds its HTML with innerHTML from escaped strings; this policy
     * is the second line: no inline or foreign script, style, frame or
     * connection, and no framing of SeeKi by other sites. */
    http_resp_add_header(resp, "Content-Security-Policy",
                         "default-src 'self'; frame-ancestors 'none'");
    http_resp_add_header(resp, "Referrer-Policy", "no-referrer");
}
