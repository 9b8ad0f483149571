/* api/router.c through http_dispatch, without a socket: route matching
 * (including traversal attempts), the method check, the setup-mode gate,
 * static assets, and the dispatch-level guards and headers as a request meets
 * them. */
#include <criterion/criterion.h>
#include <string.h>

#include "http/assets.h"
#include "api/api.h"
#include "http/http.h"
#include "util/mem.h"

struct route_case {
    const char *path;
    enum api_route_id id;
    const char *table;
};

static const struct route_case route_cases[] = {
    {"/api/status", API_R_STATUS, NULL},
    {"/api/tables", API_R_TABLES, NULL},
    {"/api/config/display", API_R_DISPLAY, NULL},
    {"/api/tables/drivers/columns", API_R_COLUMNS, "drivers"},
    {"/api/tables/drivers/rows", API_R_ROWS, "drivers"},
    {"/api/export/drivers/csv", API_R_EXPORT, "drivers"},
    {"/api/tables/sales.orders/rows", API_R_ROWS, "sales.orders"},
    {"/api/tables/my%20table/rows", API_R_ROWS, "my table"},
    {"/api/tables/my+table/rows", API_R_ROWS, "my+table"},
    {"/api/tables/it%27s%20%22q%22/columns", API_R_COLUMNS, "it's \"q\""},
    {"/api/tables/sales%2Forders/rows", API_R_ROWS, "sales/orders"},
    {"/api/export/%E6%97%A5%E6%9C%AC/csv", API_R_EXPORT, "\xE6\x97\xA5\xE6\x9C\xAC"},
    {"/api/tables/drivers/stats/name", API_R_STATS, "drivers"},
    {"/api/tables/drivers/stats/a%zz", API_R_BAD_PATH, NULL},
    {"/api/tables/drivers/stats/", API_R_NOT_FOUND, NULL},
    {"/api/tables//stats/x", API_R_NOT_FOUND, NULL},
    {"/api/tables/drivers/stats/a/b", API_R_NOT_FOUND, NULL},
    {"/api/tables/a%2/rows", API_R_BAD_PATH, NULL},
    {"/api/tables/a%zzb/rows", API_R_BAD_PATH, NULL},
    {"/api/tables/a%00b/rows", API_R_BAD_PATH, NULL},
    {"/api/tables//rows", API_R_NOT_FOUND, NULL},
    {"/api/tables/x/rows/", API_R_NOT_FOUND, NULL},
    {"/api/tables/x/rows/extra", API_R_NOT_FOUND, NULL},
    {"/api/tables/../status", API_R_NOT_FOUND, NULL},
    {"/api/export/drivers/json", API_R_NOT_FOUND, NULL},
    {"/api/status/", API_R_NOT_FOUND, NULL},
    {"/api/STATUS", API_R_NOT_FOUND, NULL},
    {"/api/%73tatus", API_R_NOT_FOUND, NULL},
    {"/api/setup/save", API_R_SETUP_SAVE, NULL},
    {"/api/setup/test-connection", API_R_SETUP_TEST, NULL},
    {"/api/setup/other", API_R_NOT_FOUND, NULL},
    {"/api", API_R_NOT_FOUND, NULL},
    {"/api/", API_R_NOT_FOUND, NULL},
    {"/apix", API_R_ASSET, NULL},
    {"/API/status", API_R_ASSET, NULL},
    {"/", API_R_ASSET, NULL},
    {"/index.html", API_R_ASSET, NULL},
    {"/../../etc/passwd", API_R_ASSET, NULL},
};

Test(routes, table)
{
    for (size_t i = 0; i < sizeof route_cases / sizeof route_cases[0]; i++) {
        const struct route_case *c = &route_cases[i];
        struct api_route rt;
        api_route_match(c->path, &rt);
        cr_expect_eq(rt.id, c->id, "%s: route %d, expected %d", c->path, rt.id, c->id);
        if (c->table)
            cr_expect(rt.table && strcmp(rt.table, c->table) == 0, "%s: table '%s', expected '%s'",
                      c->path, rt.table ? rt.table : "(null)", c->table);
        else
            cr_expect_null(rt.table, "%s: unexpected table '%s'", c->path, rt.table);
        if (rt.id != API_R_STATS)
            cr_expect_null(rt.column, "%s: unexpected column '%s'", c->path, rt.column);
        free(rt.table);
        free(rt.column);
    }
}

/* The stats route decodes its column segment on its own: '/' inside a name
 * is %2F, and the column is never split. */
Test(routes, stats_column_segment)
{
    static const char *const cases[][2] = {{"/api/tables/t/stats/name", "name"},
                                           {"/api/tables/t/stats/unit%20price", "unit price"},
                                           {"/api/tables/t/stats/a%2Fb", "a/b"},
                                           {"/api/tables/t/stats/%E6%97%A5", "\xE6\x97\xA5"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct api_route rt;
        api_route_match(cases[i][0], &rt);
        cr_expect_eq(rt.id, API_R_STATS, "%s", cases[i][0]);
        cr_expect(rt.column && strcmp(rt.column, cases[i][1]) == 0, "%s: column '%s'", cases[i][0],
                  rt.column ? rt.column : "(null)");
        cr_expect(rt.table && strcmp(rt.table, "t") == 0, "%s", cases[i][0]);
        free(rt.table);
        free(rt.column);
    }
}

/* ---- dispatch ------------------------------------------------------------ */

static struct api_ctx setup_ctx = {.cfg = NULL, .db = NULL, .setup_mode = true, .version = "9.9.9"};
static struct api_ctx nodb_ctx = {.cfg = NULL, .db = NULL, .setup_mode = false, .version = "9.9.9"};

static const char *resp_header(const struct http_resp *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].key, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/* Runs target through http_dispatch with Host: 127.0.0.1:3141 (unless host
 * is given) and returns the response (caller frees). */
static void run(struct api_ctx *ctx, const char *method, const char *target, const char *host,
                struct http_resp *resp)
{
    struct http_req req;
    http_req_init(&req);
    req.method = xstrdup(method);
    req.id = 7;
    struct seeki_err err;
    cr_assert_eq(http_req_set_target(&req, target, &err), SEEKI_E_OK, "%s", target);
    http_req_add_header(&req, "Host", host ? host : "127.0.0.1:3141");
    http_resp_init(resp);
    http_dispatch(&req, api_handle, ctx, "127.0.0.1", 3141, resp);
    cr_expect_str_eq(resp_header(resp, "X-Content-Type-Options"), "nosniff", "%s", target);
    http_req_free(&req);
}

Test(dispatch, foreign_host_is_403_with_advice)
{
    struct http_resp r;
    run(&setup_ctx, "GET", "/api/status", "evil.example", &r);
    cr_expect_eq(r.status, 403);
    cr_expect_str_eq(buf_str(&r.body), "{\"error\":\"Host 'evil.example' is not allowed; open "
                                       "SeeKi at http://127.0.0.1:3141\"}");
    cr_expect_str_eq(r.content_type, "application/json");
    http_resp_free(&r);
    run(&setup_ctx, "GET", "/", "127.0.0.1.evil.com", &r);
    cr_expect_eq(r.status, 403, "static files are guarded too");
    http_resp_free(&r);
}

Test(dispatch, status_in_setup_mode)
{
    struct http_resp r;
    run(&setup_ctx, "GET", "/api/status", NULL, &r);
    cr_expect_eq(r.status, 200);
    cr_expect_str_eq(buf_str(&r.body), "{\"mode\":\"setup\",\"version\":\"9.9.9\",\"database\":"
                                       "{\"kind\":null,\"connected\":false},\"tunnel\":null}");
    cr_expect_str_eq(resp_header(&r, "Cache-Control"), "no-store");
    http_resp_free(&r);
}

Test(dispatch, data_routes_are_503_in_setup_mode)
{
    const char *paths[] = {"/api/tables", "/api/tables/x/columns", "/api/tables/x/rows?page=2",
                           "/api/export/x/csv"};
    for (size_t i = 0; i < 4; i++) {
        struct http_resp r;
        run(&setup_ctx, "GET", paths[i], NULL, &r);
        cr_expect_eq(r.status, 503, "%s", paths[i]);
        cr_expect_str_eq(buf_str(&r.body),
                         "{\"error\":\"This endpoint is not available in setup mode\"}", "%s",
                         paths[i]);
        cr_expect_str_eq(resp_header(&r, "Cache-Control"), "no-store");
        http_resp_free(&r);
    }
}

Test(dispatch, display_in_setup_mode_gives_defaults)
{
    struct http_resp r;
    run(&setup_ctx, "GET", "/api/config/display", NULL, &r);
    cr_expect_eq(r.status, 200);
    cr_expect_str_eq(buf_str(&r.body), "{\"branding\":{\"title\":\"SeeKi\",\"subtitle\":null},"
                                       "\"tables\":{},\"columns\":{}}");
    http_resp_free(&r);
}

Test(dispatch, no_database_is_503)
{
    struct http_resp r;
    run(&nodb_ctx, "GET", "/api/tables", NULL, &r);
    cr_expect_eq(r.status, 503);
    cr_expect(strstr(buf_str(&r.body), "Database unavailable:") != NULL, "%s", buf_str(&r.body));
    http_resp_free(&r);
}

Test(dispatch, unknown_api_route_is_404_json)
{
    struct http_resp r;
    run(&setup_ctx, "GET", "/api/nope?x=1", NULL, &r);
    cr_expect_eq(r.status, 404);
    cr_expect_str_eq(buf_str(&r.body), "{\"error\":\"Unknown API route '/api/nope'; the routes "
                                       "are listed in docs/api.md\"}");
    cr_expect_str_eq(resp_header(&r, "Cache-Control"), "no-store");
    http_resp_free(&r);
}

Test(dispatch, bad_escape_in_table_is_400)
{
    struct http_resp r;
    run(&nodb_ctx, "GET", "/api/tables/a%zz/rows", NULL, &r);
    cr_expect_eq(r.status, 400);
    cr_expect(strstr(buf_str(&r.body), "malformed %-escape") != NULL, "%s", buf_str(&r.body));
    http_resp_free(&r);
}

Test(dispatch, wrong_method_is_405_with_allow)
{
    const char *targets[] = {"/api/status", "/api/tables/x/rows", "/", "/index.html"};
    const char *methods[] = {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"};
    for (size_t i = 0; i < 4; i++) {
        for (size_t m = 0; m < 5; m++) {
            struct http_resp r;
            run(&setup_ctx, methods[m], targets[i], NULL, &r);
            cr_expect_eq(r.status, 405, "%s %s", methods[m], targets[i]);
            cr_expect_str_eq(resp_header(&r, "Allow"), "GET, HEAD");
            http_resp_free(&r);
        }
    }
}

Test(dispatch, head_is_allowed)
{
    struct http_resp r;
    run(&setup_ctx, "HEAD", "/api/status", NULL, &r);
    cr_expect_eq(r.status, 200);
    http_resp_free(&r);
}

Test(dispatch, static_assets_exact_match_only)
{
    struct http_resp r;
    run(&setup_ctx, "GET", "/", NULL, &r);
    const struct asset *idx = assets_find("/index.html");
    cr_assert_not_null(idx);
    cr_expect_eq(r.status, 200);
    cr_expect_str_eq(r.content_type, "text/html; charset=utf-8");
    cr_expect_eq(r.body.len, idx->len);
    cr_expect_eq(memcmp(r.body.data, idx->data, idx->len), 0);
    cr_expect_null(resp_header(&r, "Set-Cookie"));
    http_resp_free(&r);

    const char *traversal[] = {
        "/../../etc/passwd",     "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc/passwd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "//etc/passwd",          "/./index.html",
        "/js/../index.html",     "/index.html/",
        "/index.html%00",        "/%69ndex.html",
        "/..\\..\\etc\\passwd",  "/etc/passwd",
        "/web/index.html",       "/src/http/server.c",
        "/tables/drivers",
    };
    for (size_t i = 0; i < sizeof traversal / sizeof traversal[0]; i++) {
        run(&setup_ctx, "GET", traversal[i], NULL, &r);
        cr_expect_eq(r.status, 404, "%s -> %d", traversal[i], r.status);
        cr_expect_str_eq(r.content_type, "application/json");
        cr_expect(strstr(buf_str(&r.body), "root:") == NULL);
        http_resp_free(&r);
    }
}

Test(dispatch, oversized_headers_are_431)
{
    struct http_req req;
    http_req_init(&req);
    req.method = xstrdup("GET");
    struct seeki_err err;
    cr_assert_eq(http_req_set_target(&req, "/api/status", &err), SEEKI_E_OK);
    http_req_add_header(&req, "Host", "127.0.0.1:3141");
    char *big = xmalloc(17 * 1024);
    memset(big, 'a', 17 * 1024 - 1);
    big[17 * 1024 - 1] = '\0';
    http_req_add_header(&req, "Cookie", big);
    struct http_resp r;
    http_resp_init(&r);
    http_dispatch(&req, api_handle, &setup_ctx, "127.0.0.1", 3141, &r);
    cr_expect_eq(r.status, 431);
    cr_expect(strstr(buf_str(&r.body), "more than the 16 KiB") != NULL, "%s", buf_str(&r.body));
    http_resp_free(&r);
    free(big);
    http_req_free(&req);
}

Test(dispatch, oversized_body_is_413)
{
    const char *lens[] = {"65537", "1000000", "99999999999999999999"};
    for (size_t i = 0; i < 3; i++) {
        struct http_req req;
        http_req_init(&req);
        req.method = xstrdup("GET");
        struct seeki_err err;
        cr_assert_eq(http_req_set_target(&req, "/api/status", &err), SEEKI_E_OK);
        http_req_add_header(&req, "Host", "localhost:3141");
        http_req_add_header(&req, "Content-Length", lens[i]);
        struct http_resp r;
        http_resp_init(&r);
        http_dispatch(&req, api_handle, &setup_ctx, "127.0.0.1", 3141, &r);
        cr_expect_eq(r.status, 413, "Content-Length %s", lens[i]);
        http_resp_free(&r);
        http_req_free(&req);
    }
    /* exactly at the limit is fine */
    struct http_req req;
    http_req_init(&req);
    req.method = xstrdup("GET");
    struct seeki_err err;
    cr_assert_eq(http_req_set_target(&req, "/api/status", &err), SEEKI_E_OK);
    http_req_add_header(&req, "Host", "localhost:3141");
    http_req_add_header(&req, "Content-Length", "65536");
    struct http_resp r;
    http_resp_init(&r);
    http_dispatch(&req, api_handle, &setup_ctx, "127.0.0.1", 3141, &r);
    cr_expect_eq(r.status, 200);
    http_resp_free(&r);
    http_req_free(&req);
}

/* ---- responses ----------------------------------------------------------- */

/* Dispatches GET /api/status with the given version and Host headers
 * (hosts is NULL-terminated). */
static void run_hosts(const char *version, const char *const *hosts, struct http_resp *resp)
{
    struct http_req req;
    http_req_init(&req);
    req.method = xstrdup("GET");
    req.version = version ? xstrdup(version) : NULL;
    struct seeki_err err;
    cr_assert_eq(http_req_set_target(&req, "/api/status", &err), SEEKI_E_OK);
    for (size_t i = 0; hosts[i]; i++)
        http_req_add_header(&req, i % 2 ? "host" : "Host", hosts[i]);
    http_resp_init(resp);
    http_dispatch(&req, api_handle, &setup_ctx, "127.0.0.1", 3141, resp);
    http_req_free(&req);
}

Test(dispatch, host_header_count_rules)
{
    static const char *const none[] = {NULL};
    static const char *const one[] = {"127.0.0.1:3141", NULL};
    static const char *const two[] = {"127.0.0.1:3141", "127.0.0.1:3141", NULL};
    static const char *const three[] = {"localhost", "evil.example", "localhost", NULL};
    struct http_resp r;
    run_hosts("HTTP/1.1", none, &r);
    cr_expect_eq(r.status, 400);
    cr_expect_str_eq(buf_str(&r.body), "{\"error\":\"HTTP/1.1 request without a Host header; send "
                                       "one, e.g. open SeeKi at http://127.0.0.1:3141\"}");
    http_resp_free(&r);
    run_hosts(NULL, none, &r); /* unknown version: treated as HTTP/1.1 */
    cr_expect_eq(r.status, 400);
    http_resp_free(&r);
    run_hosts("HTTP/1.0", none, &r);
    cr_expect_eq(r.status, 200, "HTTP/1.0 may omit Host: %s", buf_str(&r.body));
    http_resp_free(&r);
    run_hosts("HTTP/1.1", one, &r);
    cr_expect_eq(r.status, 200, "%s", buf_str(&r.body));
    http_resp_free(&r);
    run_hosts("HTTP/1.1", two, &r);
    cr_expect_eq(r.status, 400);
    cr_expect_str_eq(buf_str(&r.body), "{\"error\":\"Request has 2 Host headers; send exactly one, "
                                       "e.g. open SeeKi at http://127.0.0.1:3141\"}");
    http_resp_free(&r);
    run_hosts("HTTP/1.0", three, &r);
    cr_expect_eq(r.status, 400, "two Hosts are refused in HTTP/1.0 too");
    cr_expect(strstr(buf_str(&r.body), "Request has 3 Host headers") != NULL, "%s",
              buf_str(&r.body));
    http_resp_free(&r);
}

Test(dispatch, hardening_headers_on_every_response)
{
    const char *targets[] = {"/", "/app.css", "/api/status", "/api/nope", "/nope"};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        struct http_resp r;
        run(&setup_ctx, "GET", targets[i], NULL, &r);
        cr_expect_str_eq(resp_header(&r, "Content-Security-Policy"),
                         "default-src 'self'; frame-ancestors 'none'", "%s", targets[i]);
        cr_expect_str_eq(resp_header(&r, "Referrer-Policy"), "no-referrer", "%s", targets[i]);
        http_resp_free(&r);
    }
}
