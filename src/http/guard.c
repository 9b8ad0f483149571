/* Everything between "a request arrived" and "a response is ready" that does
 * not need libmicrohttpd and is not the application's: size guards, the Host
 * guard against DNS rebinding, the call of the application's handler, and the
 * common response headers. server.c calls http_dispatch once per request. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "log.h"
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

/* ---- guards and dispatch -------------------------------------------------- */

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

bool http_post_refused(const struct http_req *req, struct http_resp *resp)
{
    const char *host = http_req_header(req, "Host");
    const char *site = http_req_header(req, "Sec-Fetch-Site");
    const char *origin = http_req_header(req, "Origin");
    bool foreign = site && strcasecmp(site, "same-origin") != 0 && strcasecmp(site, "none") != 0;
    if (!foreign && origin) {
        char *own = host ? xasprintf("http://%s", host) : NULL;
        foreign = !own || strcasecmp(origin, own) != 0;
        free(own);
    }
    if (foreign) {
        char *msg = xasprintf("Cross-site POST refused (Origin '%.100s', Sec-Fetch-Site "
                              "'%.20s'); only SeeKi's own page may send it: open "
                              "http://%.100s/ and use the setup page there",
                              origin ? origin : "-", site ? site : "-",
                              host ? host : "127.0.0.1:3141");
        http_resp_error(resp, 403, msg);
        free(msg);
        return true;
    }
    const char *ct = http_req_header(req, "Content-Type");
    size_t n = ct ? strcspn(ct, ";") : 0;
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (!ct || n != 16 || strncasecmp(ct, "application/json", 16) != 0) {
        char *msg = xasprintf("POST needs Content-Type: application/json (got '%.100s'); send "
                              "the body as JSON",
                              ct ? ct : "none");
        http_resp_error(resp, 415, msg);
        free(msg);
        return true;
    }
    return false;
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

static bool resp_has_header(const struct http_resp *resp, const char *name)
{
    for (size_t i = 0; i < resp->nheaders; i++)
        if (strcasecmp(resp->headers[i].key, name) == 0)
            return true;
    return false;
}

void http_dispatch(const struct http_req *req, http_handler *handler, void *ctx,
                   const char *bind_host, int port, struct http_resp *resp)
{
    if (!guard(req, bind_host, port, resp))
        handler(ctx, req, resp);
    if (resp->status == 0) { /* a handler forgot to answer: never send an empty 200 */
        struct seeki_err e;
        seeki_fail(&e, SEEKI_E_INTERNAL, "no response for %s", req->path ? req->path : "");
        http_resp_fail(resp, &e, req->id);
    }
    http_resp_add_common_headers(resp,
                                 resp->status >= 400 && !resp_has_header(resp, "Cache-Control"));
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
