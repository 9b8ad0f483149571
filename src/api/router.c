/* The application's side of a request: the route table (/api/... -> a
 * handler), the method check, the setup-mode and tunnel gates, and the
 * embedded static assets. http/ calls api_handle through the http_handler it
 * was started with, after its own guards; it knows nothing of the routes. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/assets.h"
#include "http/http.h"
#include "log.h"
#include "ssh/tunnel.h"
#include "util/mem.h"

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

void api_route_match(const char *raw_path, struct api_route *out)
{
    out->id = API_R_ASSET;
    out->table = NULL;
    out->column = NULL;
    if (strcmp(raw_path, "/api") == 0) {
        out->id = API_R_NOT_FOUND;
        return;
    }
    if (strncmp(raw_path, "/api/", 5) != 0)
        return;
    out->id = API_R_NOT_FOUND;
    const char *seg[4];
    size_t len[4];
    int n = split_segments(raw_path + 5, seg, len);
    if (n == 1 && seg_is(seg[0], len[0], "status")) {
        out->id = API_R_STATUS;
    } else if (n == 1 && seg_is(seg[0], len[0], "tables")) {
        out->id = API_R_TABLES;
    } else if (n == 2 && seg_is(seg[0], len[0], "config") && seg_is(seg[1], len[1], "display")) {
        out->id = API_R_DISPLAY;
    } else if (n == 2 && seg_is(seg[0], len[0], "setup") &&
               seg_is(seg[1], len[1], "test-connection")) {
        out->id = API_R_SETUP_TEST;
    } else if (n == 2 && seg_is(seg[0], len[0], "setup") && seg_is(seg[1], len[1], "save")) {
        out->id = API_R_SETUP_SAVE;
    } else if (n == 3 && len[1] > 0 &&
               ((seg_is(seg[0], len[0], "tables") &&
                 (seg_is(seg[2], len[2], "columns") || seg_is(seg[2], len[2], "rows") ||
                  seg_is(seg[2], len[2], "count"))) ||
                (seg_is(seg[0], len[0], "export") && seg_is(seg[2], len[2], "csv")))) {
        if (http_pct_decode(seg[1], len[1], false, &out->table) != 0) {
            out->id = API_R_BAD_PATH;
            return;
        }
        if (seg_is(seg[0], len[0], "export"))
            out->id = API_R_EXPORT;
        else if (seg_is(seg[2], len[2], "count"))
            out->id = API_R_COUNT;
        else
            out->id = seg_is(seg[2], len[2], "rows") ? API_R_ROWS : API_R_COLUMNS;
    } else if (n == 4 && len[1] > 0 && len[3] > 0 && seg_is(seg[0], len[0], "tables") &&
               seg_is(seg[2], len[2], "stats")) {
        if (http_pct_decode(seg[1], len[1], false, &out->table) != 0 ||
            http_pct_decode(seg[3], len[3], false, &out->column) != 0) {
            free(out->table);
            free(out->column);
            out->table = out->column = NULL;
            out->id = API_R_BAD_PATH;
            return;
        }
        out->id = API_R_STATS;
    }
}

/* ---- dispatch ------------------------------------------------------------ */

static bool method_is_get(const struct http_req *req)
{
    return req->method && (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0);
}

static bool route_is_post(enum api_route_id id)
{
    return id == API_R_SETUP_TEST || id == API_R_SETUP_SAVE;
}

static bool route_needs_data(enum api_route_id id)
{
    return id == API_R_TABLES || id == API_R_COLUMNS || id == API_R_ROWS || id == API_R_COUNT ||
           id == API_R_EXPORT || id == API_R_STATS;
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

static void serve_api(const struct http_req *req, struct api_ctx *ctx, const struct api_route *rt,
                      struct http_resp *resp)
{
    if (ctx->setup_mode && route_needs_data(rt->id)) {
        http_resp_error(resp, 503, "This endpoint is not available in setup mode");
        return;
    }
    /* Routes that query the database wait for the tunnel; the catalog
     * (tables, columns) is cached and keeps answering meanwhile. */
    char why[SEEKI_ERR_MSG_MAX];
    if ((rt->id == API_R_ROWS || rt->id == API_R_COUNT || rt->id == API_R_EXPORT ||
         rt->id == API_R_STATS) &&
        ctx->tunnel &&
        tunnel_unavailable(ctx->tunnel, why, sizeof why)) {
        http_resp_error(resp, 503, why);
        return;
    }
    switch (rt->id) {
    case API_R_STATUS:
        api_status(ctx, req, resp);
        break;
    case API_R_TABLES:
        api_tables(ctx, req, resp);
        break;
    case API_R_COLUMNS:
        api_columns(ctx, req, rt->table, resp);
        break;
    case API_R_ROWS:
        api_rows(ctx, req, rt->table, resp);
        break;
    case API_R_COUNT:
        api_count(ctx, req, rt->table, resp);
        break;
    case API_R_DISPLAY:
        api_display(ctx, req, resp);
        break;
    case API_R_EXPORT:
        api_export(ctx, req, rt->table, resp);
        break;
    case API_R_STATS:
        api_stats(ctx, req, rt->table, rt->column, resp);
        break;
    case API_R_SETUP_TEST:
        api_setup_test(ctx, req, resp);
        break;
    case API_R_SETUP_SAVE:
        api_setup_save(ctx, req, resp);
        break;
    default: {
        struct seeki_err e;
        seeki_fail(&e, SEEKI_E_INTERNAL, "route %d has no handler", (int)rt->id);
        http_resp_fail(resp, &e, req->id);
    }
    }
}

void api_handle(void *ctxp, const struct http_req *req, struct http_resp *resp)
{
    struct api_ctx *ctx = ctxp;
    struct api_route rt = {API_R_ASSET, NULL, NULL};
    const char *path = req->path ? req->path : "";
    bool api = strcmp(path, "/api") == 0 || strncmp(path, "/api/", 5) == 0;
    api_route_match(path, &rt);
    if (route_is_post(rt.id) && !(req->method && strcmp(req->method, "POST") == 0)) {
        char *msg = xasprintf("Method %.20s is not allowed on %.200s; use POST with a JSON body",
                              req->method ? req->method : "?", path);
        http_resp_error(resp, 405, msg);
        http_resp_add_header(resp, "Allow", "POST");
        free(msg);
        goto done;
    }
    if (rt.id != API_R_NOT_FOUND && rt.id != API_R_BAD_PATH && !route_is_post(rt.id) &&
        !method_is_get(req)) {
        char *msg = xasprintf("Method %.20s is not allowed on %.200s; use GET",
                              req->method ? req->method : "?", path);
        http_resp_error(resp, 405, msg);
        http_resp_add_header(resp, "Allow", "GET, HEAD");
        free(msg);
        goto done;
    }
    switch (rt.id) {
    case API_R_ASSET:
        serve_asset(req, resp);
        break;
    case API_R_NOT_FOUND: {
        char *msg =
            xasprintf("Unknown API route '%.200s'; the routes are listed in docs/api.md", path);
        http_resp_error(resp, 404, msg);
        free(msg);
        break;
    }
    case API_R_BAD_PATH:
        http_resp_error(resp, 400,
                        "The table name in the path has a malformed %-escape or an encoded NUL; "
                        "percent-encode the name (e.g. encodeURIComponent) and retry");
        break;
    default:
        serve_api(req, ctx, &rt, resp);
    }
done:
    if (api) /* API answers are never cached; assets say no-cache themselves */
        http_resp_add_header(resp, "Cache-Control", "no-store");
    free(rt.table);
    free(rt.column);
}
