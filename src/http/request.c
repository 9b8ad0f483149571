/* The MHD-free request and response structs (http.h): request-target parsing
 * and percent-decoding, parameter and header lookup, response building
 * (JSON errors, the fixed 500 body, extra headers, streams) and the
 * Content-Disposition builder for downloads. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "log.h"
#include "util/mem.h"
#include "util/text.h"

#define HTTP_500_BODY "Internal server error"

/* ---- requests ---------------------------------------------------------- */

void http_req_init(struct http_req *r)
{
    memset(r, 0, sizeof *r);
    r->client_fd = -1;
}

bool http_req_client_gone(const struct http_req *r)
{
    if (!r || r->client_fd < 0)
        return false;
    /* POLLRDHUP: the peer closed (or shut down its sending side); a reset
     * shows as POLLERR/POLLHUP. Pipelined bytes alone are POLLIN: not gone. */
    struct pollfd p = {.fd = r->client_fd, .events = POLLRDHUP};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

static void kv_free_all(struct http_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

void http_req_free(struct http_req *r)
{
    if (!r)
        return;
    free(r->method);
    free(r->version);
    free(r->path);
    kv_free_all(r->params, r->nparams);
    kv_free_all(r->headers, r->nheaders);
    free(r->body);
    http_req_init(r);
}

int http_req_append_body(struct http_req *r, const char *data, size_t n)
{
    if (n > HTTP_MAX_BODY_BYTES - r->body_len)
        return -1;
    r->body = xrealloc(r->body, r->body_len + n + 1);
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return 0;
}

static void kv_push(struct http_kv **arr, size_t *n, char *key, char *value)
{
    /* Capacity is implicit: 8, then doubling whenever n reaches a power of two. */
    if (*n == 0 || (*n >= 8 && (*n & (*n - 1)) == 0))
        *arr = xrealloc(*arr, (*n == 0 ? 8 : *n * 2) * sizeof **arr);
    (*arr)[*n].key = key;
    (*arr)[*n].value = value;
    (*n)++;
}

void http_req_add_param(struct http_req *r, const char *key, const char *value)
{
    kv_push(&r->params, &r->nparams, xstrdup(key), xstrdup(value ? value : ""));
}

void http_req_add_header(struct http_req *r, const char *name, const char *value)
{
    kv_push(&r->headers, &r->nheaders, xstrdup(name), xstrdup(value ? value : ""));
}

static bool is_alnum_ascii(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int http_pct_decode(const char *src, size_t n, bool plus_is_space, char **out)
{
    char *d = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '%') {
            if (n - i < 3 || hexval((unsigned char)src[i + 1]) < 0 ||
                hexval((unsigned char)src[i + 2]) < 0)
                goto fail;
            c = (unsigned char)(hexval((unsigned char)src[i + 1]) * 16 +
                                hexval((unsigned char)src[i + 2]));
            i += 2;
            if (c == 0)
                goto fail;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        } else if (c == 0) {
            goto fail;
        }
        d[o++] = (char)c;
    }
    d[o] = '\0';
    *out = d;
    return 0;
fail:
    free(d);
    *out = NULL;
    return -1;
}

enum seeki_code http_req_set_target(struct http_req *r, const char *target, struct seeki_err *err)
{
    kv_free_all(r->params, r->nparams);
    r->params = NULL;
    r->nparams = 0;
    free(r->path);
    const char *q = strchr(target, '?');
    size_t plen = q ? (size_t)(q - target) : strlen(target);
    const char *hash = memchr(target, '#', plen);
    r->path = xstrndup(target, hash ? (size_t)(hash - target) : plen);
    if (!q)
        return SEEKI_E_OK;
    const char *p = q + 1;
    while (*p) {
        size_t n = strcspn(p, "&#");
        if (n > 0) {
            const char *eq = memchr(p, '=', n);
            size_t klen = eq ? (size_t)(eq - p) : n;
            char *key = NULL, *value = NULL;
            if (http_pct_decode(p, klen, true, &key) != 0 ||
                http_pct_decode(eq ? eq + 1 : "", eq ? n - klen - 1 : 0, true, &value) != 0) {
                free(key);
                return seeki_fail(err, SEEKI_E_BAD_PARAM,
                                  "Query parameter '%.*s' has a malformed %%-escape or an encoded "
                                  "NUL byte; encode '%%' as %%25 and leave out NUL characters",
                                  (int)(klen > 60 ? 60 : klen), p);
            }
            kv_push(&r->params, &r->nparams, key, value);
        }
        p += n;
        if (*p == '#')
            break;
        if (*p == '&')
            p++;
    }
    return SEEKI_E_OK;
}

const char *http_req_param(const struct http_req *r, const char *key)
{
    for (size_t i = r->nparams; i-- > 0;)
        if (strcmp(r->params[i].key, key) == 0)
            return r->params[i].value;
    return NULL;
}

const char *http_req_header(const struct http_req *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].key, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/* ---- responses ----------------------------------------------------------- */

void http_resp_init(struct http_resp *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->body, 0);
}

void http_resp_free(struct http_resp *r)
{
    if (!r)
        return;
    buf_free(&r->body);
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].key);
        free(r->headers[i].value);
    }
    r->nheaders = 0;
    if (r->stream_free)
        r->stream_free(r->stream_cls);
    r->stream_read = NULL;
    r->stream_free = NULL;
    r->stream_cls = NULL;
}

void http_resp_set(struct http_resp *r, int status, const char *content_type, const char *body,
                   size_t len)
{
    r->status = status;
    r->content_type = content_type;
    buf_reset(&r->body);
    if (buf_append(&r->body, body, len) != 0) /* body has no maximum: cannot happen */
        log_error("http", "response body of %zu bytes refused by its buffer", len);
}

void http_resp_add_header(struct http_resp *r, const char *name, const char *value)
{
    if (r->nheaders >= HTTP_RESP_MAX_HEADERS) {
        log_error("http", "too many response headers; dropping '%s'", name);
        return;
    }
    r->headers[r->nheaders].key = xstrdup(name);
    r->headers[r->nheaders].value = xstrdup(value);
    r->nheaders++;
}

void http_resp_error(struct http_resp *r, int status, const char *msg)
{
    if (status == 500) {
        http_resp_set(r, 500, "text/plain; charset=utf-8", HTTP_500_BODY, sizeof HTTP_500_BODY - 1);
        return;
    }
    struct buf b;
    buf_init(&b, 0);
    if (buf_puts(&b, "{\"error\":") != 0 || text_json_string(&b, msg, strlen(msg)) != 0 ||
        buf_putc(&b, '}') != 0)
        log_error("http", "could not build an error body");
    http_resp_set(r, status, "application/json", buf_str(&b), b.len);
    buf_free(&b);
}

void http_resp_fail(struct http_resp *r, const struct seeki_err *err, unsigned long req_id)
{
    enum seeki_code code = err ? err->code : SEEKI_E_INTERNAL;
    if (code == SEEKI_E_OK)
        code = SEEKI_E_INTERNAL;
    int status = seeki_code_http(code);
    const char *msg = err && err->msg[0] ? err->msg : seeki_code_text(code);
    if (status == 500) {
        log_error("http", "req=%lu %s: %s", req_id, seeki_code_name(code), msg);
        http_resp_error(r, 500, NULL);
        return;
    }
    http_resp_error(r, status, msg);
    if (code == SEEKI_E_BUSY) /* every connection busy: worth retrying soon */
        http_resp_add_header(r, "Retry-After", "1");
}

void http_resp_stream(struct http_resp *r, int status, const char *content_type,
                      ssize_t (*read)(void *cls, char *dst, size_t max),
                      void (*free_cls)(void *cls), void *cls)
{
    if (r->stream_free)
        r->stream_free(r->stream_cls);
    buf_reset(&r->body);
    r->status = status;
    r->content_type = content_type;
    r->stream_read = read;
    r->stream_free = free_cls;
    r->stream_cls = cls;
}

/* ---- Content-Disposition -------------------------------------------------- */

#define HTTP_FILENAME_MAX 100

char *http_content_disposition(const char *name, const char *ext)
{
    struct buf b;
    buf_init(&b, 0);
    size_t n = strlen(name);
    size_t elen = strlen(ext);
    int ok = buf_puts(&b, "attachment; filename=\"");
    /* ASCII fallback: safe characters only, so no quoting problems and no
     * path separators whatever the table is called. */
    size_t start = b.len;
    for (size_t i = 0; i < n && b.len - start < HTTP_FILENAME_MAX - elen; i++) {
        unsigned char c = (unsigned char)name[i];
        bool safe = is_alnum_ascii(c) || c == '.' || c == '-' || c == '_';
        ok |= buf_putc(&b, safe && c < 0x80 ? (char)c : '_');
    }
    /* A name made only of dots or replacement characters says nothing. */
    bool meaningful = false;
    for (size_t i = start; i < b.len; i++)
        if (is_alnum_ascii((unsigned char)b.data[i]))
            meaningful = true;
    if (!meaningful) {
        b.len = start;
        ok |= buf_puts(&b, "export");
    }
    ok |= buf_puts(&b, ext);
    ok |= buf_puts(&b, "\"; filename*=UTF-8''");
    static const char attr[] = "!#$&+-.^_`|~"; /* RFC 5987 attr-char besides ALPHA/DIGIT */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x80 && (is_alnum_ascii(c) || strchr(attr, c)))
            ok |= buf_putc(&b, (char)c);
        else
            ok |= buf_printf(&b, "%%%02X", c);
    }
    for (size_t i = 0; i < elen; i++)
        ok |= buf_putc(&b, ext[i]);
    if (ok != 0)
        log_error("http", "could not build a Content-Disposition header");
    return buf_take(&b);
}
