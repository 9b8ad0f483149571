/* The HTTP server: libmicrohttpd with a thread pool, the Host guard, size and
 * time limits, routing to api/ handlers and static assets. Only http/
 * includes libmicrohttpd. */
#ifndef SEEKI_HTTP_H
#define SEEKI_HTTP_H

#include "api/api.h"
#include "util/err.h"

struct http_server;

struct http_options {
    const char *host;  /* bind address, e.g. "127.0.0.1" */
    int port;          /* 0 = pick a free port (tests); see http_port() */
    unsigned threads;  /* thread-pool size; 0 = default (4) */
};

/* Binds and starts serving. ctx is borrowed and must outlive the server.
 * A busy port is SEEKI_E_IO with advice (--port / SEEKI_BIND). */
enum seeki_code http_start(const struct http_options *opts, struct api_ctx *ctx,
                           struct http_server **out, struct seeki_err *err) SEEKI_MUST_CHECK;
/* The port actually bound. */
int http_port(const struct http_server *s);
/* Stops accepting, finishes or aborts in-flight requests, frees. NULL ok. */
void http_stop(struct http_server *s);

#endif
