/* Handler tests against a real SQLite database created in a temp directory:
 * each handler is called directly (no socket) and its JSON / CSV checked. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "http/http.h"
#include "util/mem.h"

static char dir[] = "/tmp/seeki-api-XXXXXX";
static char *dbpath;
static struct cfg *cfg;
static struct db_engine *db;
static struct api_ctx ctx;

static void exec_sql(sqlite3 *h, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
    cr_assert_eq(rc, SQLITE_OK, "%s: %s", sql, msg ? msg : "");
}

static void add_label(const char *table, const char *column, const char *label)
{
    cfg->labels = xrealloc(cfg->labels, (cfg->nlabels + 1) * sizeof *cfg->labels);
    cfg->labels[cfg->nlabels++] =
        (struct cfg_label){xstrdup(table), xstrdup(column), xstrdup(label)};
}

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    dbpath = xasprintf("%s/t.db", dir);
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(dbpath, &h), SQLITE_OK);
    exec_sql(h, "CREATE TABLE drivers (id INTEGER PRIMARY KEY, name TEXT, supervisor_id INTEGER,"
                " active BOOLEAN, rating REAL, notes TEXT);"
                "INSERT INTO drivers VALUES"
                " (1, 'Ann', NULL, 1, 4.5, 'plain'),"
                " (2, 'Bob', 1, 0, NULL, ''),"
                " (3, 'Chloé', 1, 1, 3.25, 'comma, here'),"
                " (4, 'Dan', 2, NULL, 5, 'quote \"x\"'),"
                " (5, NULL, 2, 1, 1.5, 'line\nbreak'),"
                " (6, 'eve', 3, 0, 2, NULL),"
                " (7, 'Zed', 3, 1, 4, '日本');"
                "CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT);"
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120)"
                " INSERT INTO log SELECT i, 'message ' || i FROM n;"
                "CREATE TABLE empty (id INTEGER PRIMARY KEY);"
                "CREATE TABLE \"odd name\" (\"x\"\"y\" TEXT, \"a:b\" INTEGER);"
                "INSERT INTO \"odd name\" VALUES ('q', 1);");
    sqlite3_close(h);
    cfg = cfg_new_demo(dbpath);
    add_label("drivers", NULL, "Fleet drivers");
    add_label("drivers", "name", "Driver name");
    free(cfg->subtitle);
    cfg->subtitle = xstrdup("Test fleet");
    struct seeki_err err;
    seeki_err_clear(&err);
    cr_assert_eq(db_open(cfg, NULL, &db, &err), SEEKI_E_OK, "%s", err.msg);
    ctx = (struct api_ctx){.cfg = cfg, .db = db, .setup_mode = false, .version = "0.1.0"};
}

static void teardown(void)
{
    db_close(db);
    cfg_destroy(cfg);
    unlink(dbpath);
    free(dbpath);
    rmdir(dir);
}

TestSuite(handlers, .init = setup, .fini = teardown);

enum route { R_STATUS, R_TABLES, R_COLUMNS, R_ROWS, R_DISPLAY, R_EXPORT };

static void call(enum route r, const char *method, const char *table, const char *query,
                 struct http_resp *resp)
{
    struct http_req req;
    http_req_init(&req);
    req.method = xstrdup(method);
    req.id = 42;
    char *target = xasprintf("/x?%s", query ? query : "");
    struct seeki_err err;
    cr_assert_eq(http_req_set_target(&req, target, &err), SEEKI_E_OK);
    free(target);
    http_resp_init(resp);
    switch (r) {
    case R_STATUS:
        api_status(&ctx, &req, resp);
        break;
    case R_TABLES:
        api_tables(&ctx, &req, resp);
        break;
    case R_COLUMNS:
        api_columns(&ctx, &req, table, resp);
        break;
    case R_ROWS:
        api_rows(&ctx, &req, table, resp);
        break;
    case R_DISPLAY:
        api_display(&ctx, &req, resp);
        break;
    case R_EXPORT:
        api_export(&ctx, &req, table, resp);
        break;
    }
    http_req_free(&req);
}

/* Calls a JSON route and parses the answer; checks the status. */
static json_t *call_json(enum route r, const char *table, const char *query, int status)
{
    struct http_resp resp;
    call(r, "GET", table, query, &resp);
    cr_assert_eq(resp.status, status, "%s?%s: status %d, body %s", table ? table : "",
                 query ? query : "", resp.status, buf_str(&resp.body));
    cr_assert_str_eq(resp.content_type, "application/json");
    json_error_t je;
    json_t *j = json_loads(buf_str(&resp.body), 0, &je);
    cr_assert_not_null(j, "invalid JSON (%s): %s", je.text, buf_str(&resp.body));
    http_resp_free(&resp);
    return j;
}

static const char *jerr(json_t *j)
{
    return json_string_value(json_object_get(j, "error"));
}

Test(handlers, status_normal_mode)
{
    json_t *j = call_json(R_STATUS, NULL, NULL, 200);
    char *s = json_dumps(j, JSON_COMPACT);
    cr_expect_str_eq(s, "{\"mode\":\"normal\",\"version\":\"0.1.0\",\"database\":{\"kind\":"
                        "\"sqlite\",\"connected\":true},\"tunnel\":null}");
    free(s);
    json_decref(j);
}

Test(handlers, tables_list)
{
    json_t *j = call_json(R_TABLES, NULL, NULL, 200);
    json_t *arr = json_object_get(j, "tables");
    cr_assert(json_is_array(arr));
    cr_expect_eq(json_array_size(arr), 4);
    bool seen = false;
    size_t i;
    json_t *t;
    json_array_foreach(arr, i, t)
    {
        cr_expect_eq(json_object_size(t), 5,
                     "keys: name, schema, display_name, kind, "
                     "row_count_estimate");
        cr_expect(json_is_string(json_object_get(t, "schema")));
        cr_expect_str_eq(json_string_value(json_object_get(t, "kind")), "table");
        json_t *est = json_object_get(t, "row_count_estimate");
        cr_expect(json_is_integer(est) || json_is_null(est));
        if (strcmp(json_string_value(json_object_get(t, "name")), "drivers") == 0) {
            seen = true;
            cr_expect_str_eq(json_string_value(json_object_get(t, "display_name")),
                             "Fleet drivers");
        }
    }
    cr_expect(seen);
    json_decref(j);
}

Test(handlers, columns_shape)
{
    json_t *j = call_json(R_COLUMNS, "drivers", NULL, 200);
    json_t *cols = json_object_get(j, "columns");
    cr_assert_eq(json_array_size(cols), 6);
    const char *names[] = {"id", "name", "supervisor_id", "active", "rating", "notes"};
    for (size_t i = 0; i < 6; i++)
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(cols, i), "name")),
                         names[i]);
    char *id = json_dumps(json_array_get(cols, 0), JSON_COMPACT);
    cr_expect_str_eq(id,
                     "{\"name\":\"id\",\"display_name\":\"ID\",\"data_type\":\"INTEGER\","
                     "\"display_type\":\"Number\",\"is_nullable\":false,\"is_primary_key\":true,"
                     "\"sortable\":true,\"sensitive\":false,\"references\":null}");
    free(id);
    cr_expect_eq(json_array_size(json_object_get(j, "foreign_keys")), 0);
    cr_expect_eq(json_array_size(json_object_get(j, "referenced_by")), 0);
    json_t *c1 = json_array_get(cols, 1);
    cr_expect_str_eq(json_string_value(json_object_get(c1, "display_name")), "Driver name");
    json_t *c2 = json_array_get(cols, 2);
    cr_expect_str_eq(json_string_value(json_object_get(c2, "display_name")), "Supervisor");
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(cols, 3), "display_type")),
                     "Yes/No");
    json_decref(j);

    j = call_json(R_COLUMNS, "nope", NULL, 404);
    cr_expect_str_eq(jerr(j), "Table 'nope' not found");
    json_decref(j);
    j = call_json(R_COLUMNS, "main.drivers", NULL, 200);
    json_decref(j);
}

Test(handlers, rows_default_page)
{
    json_t *j = call_json(R_ROWS, "drivers", NULL, 200);
    const char *keys[] = {"columns", "rows",      "total_rows",  "total_rows_exact",
                          "page",    "page_size", "next_cursor", "prev_cursor"};
    for (size_t i = 0; i < 8; i++)
        cr_expect_not_null(json_object_get(j, keys[i]), "missing %s", keys[i]);
    cr_expect_eq(json_integer_value(json_object_get(j, "total_rows")), 7);
    cr_expect(json_is_true(json_object_get(j, "total_rows_exact")));
    cr_expect_eq(json_integer_value(json_object_get(j, "page")), 1);
    cr_expect_eq(json_integer_value(json_object_get(j, "page_size")), 50);
    cr_expect(json_is_null(json_object_get(j, "next_cursor")));
    cr_expect(json_is_null(json_object_get(j, "prev_cursor")));
    cr_expect_eq(json_array_size(json_object_get(j, "columns")), 6);
    json_t *rows = json_object_get(j, "rows");
    cr_assert_eq(json_array_size(rows), 7);
    char *r0 = json_dumps(json_array_get(rows, 0), JSON_COMPACT);
    cr_expect_str_eq(r0, "{\"id\":1,\"name\":\"Ann\",\"supervisor_id\":null,\"active\":true,"
                         "\"rating\":4.5,\"notes\":\"plain\"}");
    free(r0);
    json_t *r1 = json_array_get(rows, 1);
    cr_expect_str_eq(json_string_value(json_object_get(r1, "notes")), "", "empty string kept");
    cr_expect(json_is_null(json_object_get(r1, "rating")));
    cr_expect(json_is_false(json_object_get(r1, "active")));
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(rows, 2), "name")), "Chloé");
    json_decref(j);
}

static void expect_ids(json_t *j, const char *want)
{
    struct buf b;
    buf_init(&b, 0);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(j, "rows"), i, r)
    {
        cr_assert_eq(buf_printf(&b, "%s%lld", i ? "," : "",
                                (long long)json_integer_value(json_object_get(r, "id"))),
                     0);
    }
    cr_expect_str_eq(buf_str(&b), want);
    buf_free(&b);
}

Test(handlers, rows_paging_sorting_filters)
{
    json_t *j = call_json(R_ROWS, "drivers", "sort=name:desc&page_size=2&page=2", 200);
    cr_expect_eq(json_integer_value(json_object_get(j, "page")), 2);
    cr_expect_eq(json_integer_value(json_object_get(j, "page_size")), 2);
    cr_expect_eq(json_array_size(json_object_get(j, "rows")), 2);
    json_decref(j);

    j = call_json(R_ROWS, "drivers", "filter.id=%3E3", 200);
    cr_expect_eq(json_integer_value(json_object_get(j, "total_rows")), 4);
    expect_ids(j, "4,5,6,7");
    json_decref(j);

    j = call_json(R_ROWS, "drivers", "filter.id=%3E1&filter.active=yes&sort=id:desc", 200);
    expect_ids(j, "7,5,3");
    json_decref(j);

    /* NULLs come first descending */
    j = call_json(R_ROWS, "drivers", "sort=supervisor_id:desc&sort=id:desc&page_size=3", 200);
    expect_ids(j, "1,7,6");
    json_decref(j);

    j = call_json(R_ROWS, "drivers", "search=E", 200); /* case-insensitive, name and notes */
    expect_ids(j, "3,4,5,6,7");
    json_decref(j);

    j = call_json(R_ROWS, "drivers", "page=99", 200);
    cr_expect_eq(json_array_size(json_object_get(j, "rows")), 0, "a page past the end is empty");
    cr_expect_eq(json_integer_value(json_object_get(j, "total_rows")), 7);
    cr_expect_eq(json_integer_value(json_object_get(j, "page")), 99);
    json_decref(j);
}

Test(handlers, rows_page_last)
{
    json_t *j = call_json(R_ROWS, "log", "page=last", 200);
    cr_expect_eq(json_integer_value(json_object_get(j, "page")), 3);
    json_t *rows = json_object_get(j, "rows");
    cr_assert_eq(json_array_size(rows), 20);
    cr_expect_eq(json_integer_value(json_object_get(json_array_get(rows, 0), "id")), 101,
                 "last page is in forward order");
    cr_expect_eq(json_integer_value(json_object_get(json_array_get(rows, 19), "id")), 120);
    json_decref(j);

    j = call_json(R_ROWS, "log", "page=last&page_size=40&sort=id:desc", 200);
    cr_expect_eq(json_integer_value(json_object_get(j, "page")), 3);
    rows = json_object_get(j, "rows");
    cr_assert_eq(json_array_size(rows), 40);
    cr_expect_eq(json_integer_value(json_object_get(json_array_get(rows, 0), "id")), 40);
    cr_expect_eq(json_integer_value(json_object_get(json_array_get(rows, 39), "id")), 1);
    json_decref(j);

    j = call_json(R_ROWS, "empty", "page=last", 200);
    cr_expect_eq(json_integer_value(json_object_get(j, "page")), 1);
    cr_expect_eq(json_array_size(json_object_get(j, "rows")), 0);
    cr_expect_eq(json_integer_value(json_object_get(j, "total_rows")), 0);
    json_decref(j);
}

Test(handlers, rows_errors)
{
    json_t *j = call_json(R_ROWS, "drivers", "page=abc", 400);
    cr_expect_str_eq(jerr(j),
                     "Parameter 'page' must be a whole number from 1 up, or 'last'; got 'abc'");
    json_decref(j);
    j = call_json(R_ROWS, "drivers", "sort=nope", 400);
    cr_expect_str_eq(jerr(j), "Unknown column 'nope' in sort; columns of 'drivers' are: id, "
                              "name, supervisor_id, active, rating, notes");
    json_decref(j);
    j = call_json(R_ROWS, "drivers", "filter.rating=%3Eabc", 400);
    cr_expect(strstr(jerr(j), "'rating'") != NULL, "%s", jerr(j));
    json_decref(j);
    j = call_json(R_ROWS, "no such", NULL, 404);
    cr_expect_str_eq(jerr(j), "Table 'no such' not found");
    json_decref(j);
}

Test(handlers, rows_odd_names_are_escaped)
{
    json_t *j = call_json(R_ROWS, "odd name", NULL, 200);
    json_t *r = json_array_get(json_object_get(j, "rows"), 0);
    cr_assert_not_null(r);
    cr_expect_str_eq(json_string_value(json_object_get(r, "x\"y")), "q");
    cr_expect_eq(json_integer_value(json_object_get(r, "a:b")), 1);
    json_decref(j);
    j = call_json(R_ROWS, "odd name", "sort=a:b:desc&sort=x%22y", 200);
    json_decref(j);
}

Test(handlers, display)
{
    json_t *j = call_json(R_DISPLAY, NULL, NULL, 200);
    char *s = json_dumps(j, JSON_COMPACT);
    cr_expect_str_eq(s, "{\"branding\":{\"title\":\"SeeKi\",\"subtitle\":\"Test fleet\"},"
                        "\"tables\":{\"drivers\":\"Fleet drivers\"},"
                        "\"columns\":{\"drivers\":{\"name\":\"Driver name\"}}}");
    free(s);
    json_decref(j);
}

/* Drains a streamed response in chunks of at most max bytes. */
static char *drain(struct http_resp *r, size_t max)
{
    cr_assert_not_null(r->stream_read, "expected a streamed body");
    struct buf b;
    buf_init(&b, 0);
    char *chunk = xmalloc(max);
    for (;;) {
        ssize_t n = r->stream_read(r->stream_cls, chunk, max);
        if (n == HTTP_STREAM_END)
            break;
        cr_assert_gt(n, 0, "stream error");
        cr_assert_leq((size_t)n, max);
        cr_assert_eq(buf_append(&b, chunk, (size_t)n), 0);
    }
    free(chunk);
    return buf_take(&b);
}

static const char *hdr(const struct http_resp *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].key, name) == 0)
            return r->headers[i].value;
    return NULL;
}

Test(handlers, export_csv)
{
    struct http_resp r;
    call(R_EXPORT, "GET", "drivers", "page=abc&page_size=zz", &r);
    cr_assert_eq(r.status, 200, "%s", buf_str(&r.body));
    cr_expect_str_eq(r.content_type, "text/csv; charset=utf-8");
    cr_expect_str_eq(hdr(&r, "Content-Disposition"),
                     "attachment; filename=\"drivers.csv\"; filename*=UTF-8''drivers.csv");
    char *csv = drain(&r, 7); /* tiny chunks: rows straddle chunk borders */
    cr_expect_str_eq(csv, "ID,Driver name,Supervisor,Active,Rating,Notes\n"
                          "1,Ann,,true,4.5,plain\n"
                          "2,Bob,1,false,,\"\"\n"
                          "3,Chloé,1,true,3.25,\"comma, here\"\n"
                          "4,Dan,2,,5,\"quote \"\"x\"\"\"\n"
                          "5,,2,true,1.5,\"line\nbreak\"\n"
                          "6,eve,3,false,2,\n"
                          "7,Zed,3,true,4,日本\n");
    free(csv);
    http_resp_free(&r);

    call(R_EXPORT, "GET", "drivers", "filter.id=%3E5&sort=id:desc", &r);
    csv = drain(&r, 32 * 1024);
    cr_expect_str_eq(csv, "ID,Driver name,Supervisor,Active,Rating,Notes\n"
                          "7,Zed,3,true,4,日本\n"
                          "6,eve,3,false,2,\n");
    free(csv);
    http_resp_free(&r);
}

Test(handlers, export_large_and_abandoned)
{
    struct http_resp r;
    call(R_EXPORT, "GET", "log", NULL, &r);
    char *csv = drain(&r, 100);
    struct buf want;
    buf_init(&want, 0);
    cr_assert_eq(buf_puts(&want, "ID,Msg\n"), 0);
    for (int i = 1; i <= 120; i++)
        cr_assert_eq(buf_printf(&want, "%d,message %d\n", i, i), 0);
    cr_expect_str_eq(csv, buf_str(&want));
    buf_free(&want);
    free(csv);
    http_resp_free(&r);

    /* a client that goes away mid-stream: free without draining (no leak,
     * the pooled connection returns) */
    call(R_EXPORT, "GET", "log", NULL, &r);
    char tmp[16];
    cr_expect_gt(r.stream_read(r.stream_cls, tmp, sizeof tmp), 0);
    http_resp_free(&r);
    for (int i = 0; i < 20; i++) { /* would exhaust the pool if connections leaked */
        call(R_EXPORT, "GET", "log", NULL, &r);
        cr_expect_eq(r.status, 200);
        http_resp_free(&r);
    }
}

Test(handlers, export_errors_are_json_before_streaming)
{
    struct http_resp r;
    call(R_EXPORT, "GET", "drivers", "sort=nope", &r);
    cr_expect_eq(r.status, 400);
    cr_expect_null(r.stream_read);
    cr_expect(strstr(buf_str(&r.body), "Unknown column 'nope' in sort") != NULL);
    http_resp_free(&r);
    call(R_EXPORT, "GET", "ghost", NULL, &r);
    cr_expect_eq(r.status, 404);
    http_resp_free(&r);
    call(R_EXPORT, "HEAD", "drivers", NULL, &r);
    cr_expect_eq(r.status, 200);
    cr_expect_null(r.stream_read, "HEAD runs no query");
    cr_expect_not_null(hdr(&r, "Content-Disposition"));
    http_resp_free(&r);
}
