/* The HTTP server: libmicrohttpd with a thread per connection, the Host guard, size and
 * time limits, and one application handler given at start (api/router.c:
 * routes, gates, assets); http/ knows nothing of api/, db/ or ssh/. Only
 * http/server.c includes libmicrohttpd; everything below is MHD-free so handlers, routing and
 * guards can be unit-tested without a socket. docs/api.md is the user-facing
 * description of the routes, guards and limits implemented here. */
#ifndef SEEKI_HTTP_H
#define SEEKI_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/buf.h"
#include "util/err.h"

/* Limits (bytes / seconds). Requests beyond them are refused, never buffered. */
#define HTTP_MAX_HEADER_BYTES (16u * 1024u) /* all header names + values: 431 beyond */
#define HTTP_MAX_BODY_BYTES BUF_MAX_BODY    /* request body: 413 beyond */
#define HTTP_POOL_BYTES (32u * 1024u)       /* MHD per-connection memory: 414 for longer URIs */
#define HTTP_IDLE_TIMEOUT_S 30u             /* idle connections are closed after this */
#define HTTP_STREAM_BLOCK (32u * 1024u)     /* streamed bodies are produced in chunks of this */
/* Connections served at once (each has its own thread); MHD refuses more at
 * accept time. Idle keep-alive connections count until HTTP_IDLE_TIMEOUT_S. */
#define HTTP_DEFAULT_MAX_CLIENTS 512u

struct http_server;
struct http_req;
struct http_resp;

/* The application: fills resp for req (always sets a status). ctx is the
 * pointer given to http_start. Called from the server's threads, several at
 * once. */
typedef void http_handler(void *ctx, const struct http_req *req, struct http_resp *resp);

struct http_options {
    const char *host;        /* bind address: IPv4/IPv6 literal or a name such as "localhost" */
    int port;                /* 0 = pick a free port (tests); see http_port() */
    unsigned max_clients;    /* connections at once; 0 = default (HTTP_DEFAULT_MAX_CLIENTS) */
    unsigned idle_timeout_s; /* close connections idle this long; 0 = default (30) */
};

/* Binds and starts serving requests through handler(ctx, ...). ctx is
 * borrowed and must outlive the server.
 * A busy port is SEEKI_E_IO with advice (--port / SEEKI_BIND); an address that
 * is not on this machine or cannot be resolved is SEEKI_E_IO too. */
enum seeki_code http_start(const struct http_options *opts, http_handler *handler, void *ctx,
                           struct http_server **out, struct seeki_err *err) SEEKI_MUST_CHECK;
/* The port actually bound. */
int http_port(const struct http_server *s);
/* Stops accepting, finishes or aborts in-flight requests, frees. NULL ok. */
void http_stop(struct http_server *s);

/* ---- requests ------------------------------------------------------------ */

/* One key/value pair (query parameter, request header or response header).
 * Both strings are heap-owned by the struct that holds the pair. */
struct http_kv {
    char *key;
    char *value; /* "" for a query parameter without '=' */
};

/* A request as handlers see it. Everything is owned by the request and freed
 * by http_req_free; handlers borrow it for the duration of the call only
 * (copy what must outlive it, e.g. into a streaming producer). */
struct http_req {
    char *method;           /* "GET", "HEAD", ... as sent */
    char *version;          /* "HTTP/1.1", "HTTP/1.0" as sent; NULL when unknown (unit tests) */
    char *path;             /* raw path as sent, still percent-encoded, no query */
    struct http_kv *params; /* query parameters in order, repeats kept, decoded
                             * ('+' is a space, %XX a byte); never NUL inside */
    size_t nparams;
    struct http_kv *headers; /* request headers in order; names as sent */
    size_t nheaders;
    unsigned long id; /* request number for log lines (req=N) */
    int client_fd;    /* the connection's socket (borrowed), -1 when none (unit tests) */
    /* The request body (POST routes), NUL-terminated, at most
     * HTTP_MAX_BODY_BYTES (a longer one never reaches a handler); NULL when
     * the request had none. body_len excludes the NUL. */
    char *body;
    size_t body_len;
};

void http_req_init(struct http_req *r);
/* True when the client has closed its side of the connection (a handler
 * waiting for its turn gives up instead of working for nobody). Never blocks;
 * false without a socket. */
bool http_req_client_gone(const struct http_req *r);
void http_req_free(struct http_req *r); /* NULL ok; r may be re-initialised */

/* Splits a request target ("/path?a=1&b=%20x") into r->path and r->params.
 * A malformed %-escape or an encoded NUL in a parameter is SEEKI_E_BAD_PARAM
 * naming the parameter. r->params is replaced. */
enum seeki_code http_req_set_target(struct http_req *r, const char *target,
                                    struct seeki_err *err) SEEKI_MUST_CHECK;
/* Appends n bytes to r->body (server.c, unit tests). Returns -1, leaving the
 * body as it was, when it would grow past HTTP_MAX_BODY_BYTES. */
int http_req_append_body(struct http_req *r, const char *data, size_t n);
/* Appends a query parameter / header (copies both strings). */
void http_req_add_param(struct http_req *r, const char *key, const char *value);
void http_req_add_header(struct http_req *r, const char *name, const char *value);

/* The value of the LAST occurrence of query parameter key, or NULL. */
const char *http_req_param(const struct http_req *r, const char *key);
/* The value of the first header called name (case-insensitive), or NULL. */
const char *http_req_header(const struct http_req *r, const char *name);

/* Percent-decodes src[0..n) into a heap string (*out). plus_is_space turns
 * '+' into ' ' (query strings). Returns -1 on a malformed escape ("%4", "%zz")
 * or a decoded NUL byte; *out is then NULL. */
int http_pct_decode(const char *src, size_t n, bool plus_is_space, char **out);

/* ---- responses ----------------------------------------------------------- */

#define HTTP_RESP_MAX_HEADERS 8

/* A streaming producer fills dst with up to max bytes and returns how many it
 * wrote (> 0), HTTP_STREAM_END when the body is complete, or
 * HTTP_STREAM_ERROR to abort the transfer (the client sees a truncated body;
 * log why before returning it). It is called from one server thread at a time.
 * stream_free runs exactly once when the response is done with (completed,
 * aborted, client gone, or never sent), from any server thread. */
#define HTTP_STREAM_END ((ssize_t)-1)
#define HTTP_STREAM_ERROR ((ssize_t)-2)

struct http_resp {
    int status;                                    /* HTTP status; 0 until a handler sets one */
    const char *content_type;                      /* static string */
    struct buf body;                               /* the whole body, unless streaming */
    struct http_kv headers[HTTP_RESP_MAX_HEADERS]; /* extra headers, owned */
    size_t nheaders;
    /* Streaming body (CSV export): when stream_read is set, body is unused. */
    ssize_t (*stream_read)(void *cls, char *dst, size_t max);
    void (*stream_free)(void *cls);
    void *stream_cls;
};

void http_resp_init(struct http_resp *r);
/* Frees body and headers; calls stream_free when a stream is still attached.
 * NULL ok. */
void http_resp_free(struct http_resp *r);
/* Replaces the body with len bytes of text. */
void http_resp_set(struct http_resp *r, int status, const char *content_type, const char *body,
                   size_t len);
/* Adds an extra header (both copied). Beyond HTTP_RESP_MAX_HEADERS it is a
 * programming error: logged and dropped. */
void http_resp_add_header(struct http_resp *r, const char *name, const char *value);
/* {"error": msg} with the given status; msg is made valid UTF-8 and escaped.
 * A status of 500 gets the fixed text body "Internal server error" instead
 * (log the detail yourself, or use http_resp_fail). */
void http_resp_error(struct http_resp *r, int status, const char *msg);
/* Maps an error to its status (seeki_code_http). Codes that map to 500 are
 * logged at error level with the request id and answered with the fixed body;
 * the others carry err->msg (or the code's default text when msg is empty). */
void http_resp_fail(struct http_resp *r, const struct seeki_err *err, unsigned long req_id);
/* Attaches a streaming producer (ownership of cls moves to the response). */
void http_resp_stream(struct http_resp *r, int status, const char *content_type,
                      ssize_t (*read)(void *cls, char *dst, size_t max),
                      void (*free_cls)(void *cls), void *cls);

/* Content-Disposition for a download called <name><ext>: an ASCII fallback
 * filename="..." (anything outside [A-Za-z0-9._-] becomes '_', at most 100
 * bytes, "export" when nothing is left) plus filename*=UTF-8''<percent-encoded
 * original> (RFC 6266/5987). Heap string. */
char *http_content_disposition(const char *name, const char *ext);

/* ---- guards and dispatch (http/guard.c) ----------------------------------- */

/* Is the Host header acceptable for a server bound to bind_host:port?
 * Accepted names: bind_host, "localhost", "127.0.0.1", "[::1]" (and any IP
 * literal when bind_host is a wildcard such as 0.0.0.0 or ::), each either
 * without a port or with exactly `port`. A NULL host (an HTTP/1.0 request
 * without Host; http_dispatch refuses HTTP/1.1 without one with 400 first) is
 * accepted: browsers, the DNS-rebinding vector, always send one. */
bool http_host_allowed(const char *host, const char *bind_host, int port);

/* The guard of the POST routes (SPEC §5; the setup wizard's): refuses (403)
 * a request whose Sec-Fetch-Site is present and not same-origin/none, or
 * whose Origin is present and not this server (http:// + the Host header,
 * which the Host guard has checked), then (415) one without Content-Type:
 * application/json. Returns true when resp was filled. */
bool http_post_refused(const struct http_req *req, struct http_resp *resp);

/* The hardening headers every response SeeKi builds carries (docs/api.md):
 * X-Content-Type-Options, Content-Security-Policy, Referrer-Policy, and
 * Cache-Control: no-store when no_store. */
void http_resp_add_common_headers(struct http_resp *resp, bool no_store);

/* Runs one request through the guards, then the handler, then adds the
 * common headers (and Cache-Control: no-store to an error that has none),
 * filling resp. bind_host/port describe the server (Host guard, advice in
 * messages). Never fails: every problem becomes a response. */
void http_dispatch(const struct http_req *req, http_handler *handler, void *ctx,
                   const char *bind_host, int port, struct http_resp *resp);

#endif
