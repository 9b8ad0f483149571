/* The JSON API (SPEC §5): one file per resource (status, tables, columns,
 * rows, display, export) plus params.c, which turns query strings into typed,
 * validated requests. Handlers never see libmicrohttpd: they take a
 * struct http_req and fill a struct http_resp (http/http.h), so they can be
 * unit-tested without a socket. */
#ifndef SEEKI_API_H
#define SEEKI_API_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "db/engine.h"

/* Everything a handler may read. Owned by main; outlives the HTTP server.
 * Read-only after startup, so handlers may use it from any thread -- except
 * for the one switch from setup to normal mode (api/setup_save.c), which sets
 * cfg, db and tunnel and then clears setup_mode. Handlers therefore read
 * setup_mode first and touch cfg, db and tunnel only when it is false; main
 * frees whatever the fields hold at the end. */
struct api_ctx {
    const struct cfg *cfg; /* NULL in setup mode */
    struct db_engine *db;  /* NULL in setup mode */
    _Atomic bool setup_mode;
    const char *setup_config_path; /* --config PATH (setup mode writes there), or NULL */
    const char *version; /* SEEKI_VERSION */
    struct tunnel *tunnel; /* the SSH tunnel when [ssh] is configured, else NULL */
};

struct http_req;
struct http_resp;

/* ---- handlers ---------------------------------------------------------------
 * Each fills resp completely (status, content type, body or stream), including
 * error responses; none of them fails. req and ctx are borrowed for the call.
 * table is the route's percent-decoded table segment. The router (api/router.c)
 * answers 503 for data routes in setup mode before calling them. */
void api_status(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp);
void api_tables(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp);
void api_columns(struct api_ctx *ctx, const struct http_req *req, const char *table,
                 struct http_resp *resp);
void api_rows(struct api_ctx *ctx, const struct http_req *req, const char *table,
              struct http_resp *resp);
/* GET /api/tables/{t}/count: the view's count, waiting up to
 * API_COUNT_WAIT_MS for a background exact count (api/count.c). */
#define API_COUNT_WAIT_MS 2000
void api_count(struct api_ctx *ctx, const struct http_req *req, const char *table,
               struct http_resp *resp);
/* Works in setup mode too (defaults: title "SeeKi", no labels). */
void api_display(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp);
/* Streams CSV; a HEAD request gets the headers only and runs no query. */
void api_export(struct api_ctx *ctx, const struct http_req *req, const char *table,
                struct http_resp *resp);
/* GET /api/tables/{t}/stats/{column} (api/stats.c). */
void api_stats(struct api_ctx *ctx, const struct http_req *req, const char *table,
               const char *column, struct http_resp *resp);

/* The setup wizard (SPEC §7; setup mode only, 409 afterwards). Bodies are the
 * JSON image of seeki.toml plus "secrets" and "accept_host_key". */
void api_setup_test(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp);
void api_setup_save(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp);

/* ---- rows parameters (api/params.c) ---------------------------------------- */

#define API_PAGE_SIZE_DEFAULT 50
#define API_PAGE_SIZE_MAX 1000
#define API_PAGE_MAX INT64_C(1000000000000) /* page numbers above this are refused */
#define API_MAX_SORTS 16
#define API_MAX_FILTERS 64

/* A validated rows/export request. Column indexes refer to table->cols. */
struct api_rows_req {
    const struct db_table *table; /* borrowed from the catalog */
    int64_t page;                 /* >= 1; meaningless when page_last */
    bool page_last;               /* page=last */
    int64_t page_size;            /* 1..API_PAGE_SIZE_MAX */
    struct db_sort *sorts;        /* owned; at most API_MAX_SORTS */
    size_t nsorts;
    char *search;              /* owned; NULL when absent or empty */
    struct db_filter *filters; /* owned (db_filter_free each); at most API_MAX_FILTERS */
    size_t nfilters;
    char *cursor; /* owned; the cursor token (NULL when absent), checked by api_rows */
    bool labels_off; /* labels=off: no labels of foreign-key values (SPEC §9) */
};

/* Turns req's query parameters into a typed request for table t:
 *   page (whole number >= 1 or "last"; default 1), page_size (whole number,
 *   clamped to 1..1000; default 50), sort=col[:dir][,col[:dir]...] (may
 *   repeat: then one column per occurrence, split at the last ':'),
 *   sort_column + sort_direction, search, filter.<col>=expr (repeatable,
 *   AND-ed), cursor (a next_cursor/prev_cursor token, kept as text: api_rows decodes
 *   it against the view; when present, page is ignored), labels (on | off;
 *   default on). Unknown parameters are
 *   ignored; an empty value counts as absent.
 * With for_export, page, page_size and cursor are not read at all.
 * Every parameter read must be valid UTF-8 in name and value (checked first,
 * so no invalid byte ever reaches a database).
 * Errors are SEEKI_E_BAD_PARAM with a message naming the parameter or column
 * (filter value errors come from db_filter_parse). On error *out is left
 * empty (nothing to free); on success free it with api_rows_req_free. */
enum seeki_code api_params_parse(const struct http_req *req, const struct db_table *t,
                                 bool for_export, struct api_rows_req *out,
                                 struct seeki_err *err) SEEKI_MUST_CHECK;
void api_rows_req_free(struct api_rows_req *r); /* NULL ok */

/* ---- routing (api/router.c) ------------------------------------------------ */

enum api_route_id {
    API_R_NOT_FOUND, /* an unknown /api/... route */
    API_R_BAD_PATH,  /* malformed percent-encoding in an /api/ path */
    API_R_STATUS,
    API_R_TABLES,
    API_R_COLUMNS,
    API_R_ROWS,
    API_R_COUNT,
    API_R_DISPLAY,
    API_R_EXPORT,
    API_R_STATS,
    API_R_SETUP_TEST, /* POST /api/setup/test-connection */
    API_R_SETUP_SAVE, /* POST /api/setup/save */
    API_R_ASSET /* anything outside /api/: embedded static files */
};

struct api_route {
    enum api_route_id id;
    char *table;  /* percent-decoded table segment (COLUMNS/ROWS/COUNT/EXPORT/STATS); heap, else
                   * NULL */
    char *column; /* percent-decoded column segment (STATS); heap, else NULL */
};

/* Matches a raw (still percent-encoded) path against the route table. Segments
 * are split on '/' before decoding, so "sales%2Forders" is one table name.
 * Always fills out; free out->table and out->column. */
void api_route_match(const char *raw_path, struct api_route *out);

/* The http_handler SeeKi serves with (ctx is a struct api_ctx *): the route
 * table, the method check (GET/HEAD; POST for the setup routes), the setup-mode gate (503 for data
 * routes), the tunnel gate (503 for rows/export while it is down), the
 * handlers, and the embedded static assets for everything outside /api/. */
void api_handle(void *ctx, const struct http_req *req, struct http_resp *resp);

#endif
