/* The JSON API (SPEC §5): one file per resource (status, tables, columns,
 * rows, display, export) plus params.c, which turns query strings into typed,
 * validated requests. Handlers never see libmicrohttpd: they take a
 * struct http_req and fill a struct http_resp (http/http.h), so they can be
 * unit-tested without a socket. */
#ifndef SEEKI_API_H
#define SEEKI_API_H

#include <stdbool.h>

#include "config/config.h"
#include "db/engine.h"

/* Everything a handler may read. Owned by main; outlives the HTTP server.
 * Read-only after startup, so handlers may use it from any thread. */
struct api_ctx {
    const struct cfg *cfg;   /* NULL in setup mode */
    struct db_engine *db;    /* NULL in setup mode */
    bool setup_mode;
    const char *version;     /* SEEKI_VERSION */
};

#endif
