/* Table-driven tests of api_params_parse: every parameter form and rejection,
 * against a hand-built table (no database needed). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "http/http.h"
#include "util/buf.h"
#include "util/mem.h"

static struct db_column cols[] = {
    {.name = "id", .data_type = "INTEGER", .vtype = DB_VT_INT, .is_primary_key = true},
    {.name = "name", .data_type = "TEXT", .vtype = DB_VT_TEXT, .is_nullable = true},
    {.name = "a:b", .data_type = "TEXT", .vtype = DB_VT_TEXT},
    {.name = "x,y", .data_type = "TEXT", .vtype = DB_VT_TEXT},
    {.name = "active", .data_type = "BOOLEAN", .vtype = DB_VT_BOOL},
    {.name = "created_at", .data_type = "TIMESTAMP", .vtype = DB_VT_TIMESTAMP},
};
static struct db_table drivers = {.name = "drivers",
                                  .schema = "main",
                                  .relname = "drivers",
                                  .cols = cols,
                                  .ncols = sizeof cols / sizeof cols[0]};

static const char *op_name(enum db_filter_op op)
{
    static const char *names[] = {"CONTAINS", "EQ",    "GT",   "GE",      "LT",       "LE",
                                  "BETWEEN",  "RANGE", "BOOL", "IS_NULL", "NOT_NULL", "NONE"};
    return (size_t)op < sizeof names / sizeof names[0] ? names[op] : "?";
}

/* Renders the parsed request as "page=N size=N sort=a:asc|b:desc
 * filter=col:OP(a,b)|... search=S" so cases compare one string. */
static char *render(const struct api_rows_req *r)
{
    struct buf b;
    buf_init(&b, 0);
    int bad = 0;
    if (r->page_last)
        bad |= buf_printf(&b, "page=last");
    else
        bad |= buf_printf(&b, "page=%lld", (long long)r->page);
    bad |= buf_printf(&b, " size=%lld sort=", (long long)r->page_size);
    for (size_t i = 0; i < r->nsorts; i++)
        bad |= buf_printf(&b, "%s%s:%s", i ? "|" : "", r->table->cols[r->sorts[i].col].name,
                          r->sorts[i].desc ? "desc" : "asc");
    bad |= buf_puts(&b, " filter=");
    for (size_t i = 0; i < r->nfilters; i++) {
        const struct db_filter *f = &r->filters[i];
        bad |= buf_printf(&b, "%s%s:%s", i ? "|" : "", r->table->cols[f->col].name, op_name(f->op));
        if (f->a)
            bad |= buf_printf(&b, "(%s%s%s)", f->a, f->b ? "," : "", f->b ? f->b : "");
    }
    bad |= buf_printf(&b, " search=%s", r->search ? r->search : "-");
    if (r->labels_off)
        bad |= buf_puts(&b, " labels=off");
    cr_assert_eq(bad, 0);
    return buf_take(&b);
}

struct pcase {
    const char *query;
    const char *want; /* rendering on success, or a substring of the error message */
    bool fails;
};

#define OK(q, w)                                                                                   \
    {                                                                                              \
        q, w, false                                                                                \
    }
#define BAD(q, w)                                                                                  \
    {                                                                                              \
        q, w, true                                                                                 \
    }
#define DEF_TAIL " sort= filter= search=-"

static const struct pcase cases[] = {
    /* page */
    OK("", "page=1 size=50" DEF_TAIL),
    OK("page=2", "page=2 size=50" DEF_TAIL),
    OK("page=last", "page=last size=50" DEF_TAIL),
    OK("page=LAST", "page=last size=50" DEF_TAIL),
    OK("page=", "page=1 size=50" DEF_TAIL),
    OK("page=2&page=7", "page=7 size=50" DEF_TAIL),
    OK("page=last&page=3", "page=3 size=50" DEF_TAIL),
    OK("page=1000000000000", "page=1000000000000 size=50" DEF_TAIL),
    BAD("page=abc", "Parameter 'page' must be a whole number from 1 up, or 'last'; got 'abc'"),
    BAD("page=0", "Parameter 'page' must be a whole number from 1 up, or 'last'; got '0'"),
    BAD("page=-1", "got '-1'"),
    BAD("page=1.5", "got '1.5'"),
    BAD("page=%2B2", "got '+2'"),
    BAD("page=+2", "got ' 2'"),
    BAD("page=%202", "got ' 2'"),
    BAD("page=1000000000001", "Parameter 'page' must be at most 1000000000000"),
    BAD("page=99999999999999999999999", "Parameter 'page' must be at most"),
    /* page_size: clamped, never refused when numeric */
    OK("page_size=10", "page=1 size=10" DEF_TAIL),
    OK("page_size=1", "page=1 size=1" DEF_TAIL),
    OK("page_size=0", "page=1 size=1" DEF_TAIL),
    OK("page_size=-5", "page=1 size=1" DEF_TAIL),
    OK("page_size=1000", "page=1 size=1000" DEF_TAIL),
    OK("page_size=1001", "page=1 size=1000" DEF_TAIL),
    OK("page_size=99999999999999999999999", "page=1 size=1000" DEF_TAIL),
    OK("page_size=", "page=1 size=50" DEF_TAIL),
    BAD("page_size=abc", "Parameter 'page_size' must be a whole number (it is clamped to 1-1000); "
                         "got 'abc'"),
    BAD("page_size=1e3", "got '1e3'"),
    BAD("page_size=-", "got '-'"),
    /* sort, one parameter */
    OK("sort=name", "page=1 size=50 sort=name:asc filter= search=-"),
    OK("sort=name:desc", "page=1 size=50 sort=name:desc filter= search=-"),
    OK("sort=name:DESC", "page=1 size=50 sort=name:desc filter= search=-"),
    OK("sort=name:Asc,id:desc", "page=1 size=50 sort=name:asc|id:desc filter= search=-"),
    OK("sort=id,name:desc", "page=1 size=50 sort=id:asc|name:desc filter= search=-"),
    OK("sort=id,,name", "page=1 size=50 sort=id:asc|name:asc filter= search=-"),
    OK("sort=name:", "page=1 size=50 sort=name:asc filter= search=-"),
    OK("sort=a:b", "page=1 size=50 sort=a:b:asc filter= search=-"),
    OK("sort=a:b:desc", "page=1 size=50 sort=a:b:desc filter= search=-"),
    OK("sort=x,y", "page=1 size=50 sort=x,y:asc filter= search=-"),
    OK("sort=x,y:desc", "page=1 size=50 sort=x,y:desc filter= search=-"),
    OK("sort=a%3Ab%3Adesc", "page=1 size=50 sort=a:b:desc filter= search=-"),
    OK("sort=", "page=1 size=50" DEF_TAIL),
    /* sort, repeated: one column each, split at the last ':' */
    OK("sort=name:desc&sort=id", "page=1 size=50 sort=name:desc|id:asc filter= search=-"),
    OK("sort=a:b:desc&sort=id", "page=1 size=50 sort=a:b:desc|id:asc filter= search=-"),
    OK("sort=a:b&sort=x,y:desc", "page=1 size=50 sort=a:b:asc|x,y:desc filter= search=-"),
    OK("sort=x,y&sort=a:b", "page=1 size=50 sort=x,y:asc|a:b:asc filter= search=-"),
    /* sort_column + sort_direction */
    OK("sort_column=name&sort_direction=desc", "page=1 size=50 sort=name:desc filter= search=-"),
    OK("sort_column=name", "page=1 size=50 sort=name:asc filter= search=-"),
    OK("sort_column=a:b&sort_direction=DESC", "page=1 size=50 sort=a:b:desc filter= search=-"),
    OK("sort_direction=desc", "page=1 size=50" DEF_TAIL),
    OK("sort=id&sort_column=name&sort_direction=desc",
       "page=1 size=50 sort=id:asc|name:desc filter= search=-"),
    /* sort rejections */
    BAD("sort=name:sideways", "Sort direction 'sideways' for column 'name' must be asc or desc"),
    BAD("sort=nope", "Unknown column 'nope' in sort; columns of 'drivers' are: id, name, a:b, "
                     "x,y, active, created_at"),
    BAD("sort=nope:desc", "Unknown column 'nope' in sort"),
    BAD("sort=id,nope", "Unknown column 'nope' in sort"),
    BAD("sort=nope&sort=id", "Unknown column 'nope' in sort"),
    BAD("sort=NAME", "Unknown column 'NAME' in sort"),
    BAD("sort=id&sort=id:desc", "Column 'id' appears more than once in the sort"),
    BAD("sort=:desc", "Parameter 'sort' has an empty column name"),
    BAD("sort_column=name&sort_direction=up",
        "Parameter 'sort_direction' must be asc or desc; got 'up'"),
    BAD("sort_column=nope", "Unknown column 'nope' in sort_column; columns of 'drivers' are:"),
    BAD("sort=id&sort_column=id", "Column 'id' appears more than once"),
    /* search */
    OK("search=foo%20bar", "page=1 size=50 sort= filter= search=foo bar"),
    OK("search=a+b", "page=1 size=50 sort= filter= search=a b"),
    OK("search=%25_", "page=1 size=50 sort= filter= search=%_"),
    OK("search=", "page=1 size=50" DEF_TAIL),
    OK("search=one&search=two", "page=1 size=50 sort= filter= search=two"),
    /* filters */
    OK("filter.name=bob", "page=1 size=50 sort= filter=name:CONTAINS(bob) search=-"),
    OK("filter.name==Bob", "page=1 size=50 sort= filter=name:EQ(Bob) search=-"),
    OK("filter.id=%3E5&filter.id=%3C10", "page=1 size=50 sort= filter=id:GT(5)|id:LT(10) search=-"),
    OK("filter.id=3..7", "page=1 size=50 sort= filter=id:BETWEEN(3,7) search=-"),
    OK("filter.name=is+null", "page=1 size=50 sort= filter=name:IS_NULL search=-"),
    OK("filter.active=yes", "page=1 size=50 sort= filter=active:BOOL(1) search=-"),
    OK("filter.a:b=x&filter.x,y=z",
       "page=1 size=50 sort= filter=a:b:CONTAINS(x)|x,y:CONTAINS(z) search=-"),
    OK("filter.name=", "page=1 size=50" DEF_TAIL),
    BAD("filter.id=%3Eabc", "Filter on column 'id'"),
    BAD("filter.active=maybe", "Filter on column 'active'"),
    BAD("filter.nope=1", "Unknown column 'nope' in filter; columns of 'drivers' are: id, name"),
    BAD("filter.=1", "Parameter 'filter.' needs a column name"),
    /* ignored parameters */
    OK("cursor=abc&foo=bar&filter=x&sort_col=id", "page=1 size=50" DEF_TAIL),
    /* UTF-8: every parameter read must be valid UTF-8 (libunistring's u8_check) */
    OK("search=%C3%A9", "page=1 size=50 sort= filter= search=\xc3\xa9"),
    OK("search=%F0%9F%98%80", "page=1 size=50 sort= filter= search=\xf0\x9f\x98\x80"),
    OK("foo=%FF&filter%FF=x&x%FF=%FF", "page=1 size=50" DEF_TAIL), /* ignored: not checked */
    BAD("search=%FF", "Parameter 'search' is not valid UTF-8 (byte 0xFF at offset 0 of its "
                      "value); send text as UTF-8, percent-encoded (encodeURIComponent does "
                      "this)"),
    BAD("search=ab%C0%AF", "Parameter 'search' is not valid UTF-8 (byte 0xC0 at offset 2 of its "
                           "value)"),                     /* overlong '/' */
    BAD("search=%ED%A0%80", "(byte 0xED at offset 0"),    /* UTF-16 surrogate */
    BAD("search=%F4%90%80%80", "(byte 0xF4 at offset 0"), /* above U+10FFFF */
    BAD("search=%E2%82", "(byte 0xE2 at offset 0"),       /* truncated */
    BAD("search=%80", "(byte 0x80 at offset 0"),          /* lone continuation */
    BAD("filter.name=%FF", "Parameter 'filter.name' is not valid UTF-8"),
    BAD("filter.name=x&filter.id=%C0%AF", "Parameter 'filter.id' is not valid UTF-8"),
    BAD("filter.%FF=1", "is not valid UTF-8 (byte 0xFF at offset 7 of its name)"),
    BAD("sort=%FF", "Parameter 'sort' is not valid UTF-8"),
    BAD("sort_column=%ED%A0%80", "Parameter 'sort_column' is not valid UTF-8"),
    BAD("sort_column=id&sort_direction=%FF", "Parameter 'sort_direction' is not valid UTF-8"),
    BAD("page=%FF", "Parameter 'page' is not valid UTF-8"),
    BAD("page_size=%FF", "Parameter 'page_size' is not valid UTF-8"),
    BAD("cursor=%FF", "Parameter 'cursor' is not valid UTF-8"),
    /* labels */
    OK("labels=off", "page=1 size=50" DEF_TAIL " labels=off"),
    OK("labels=on", "page=1 size=50" DEF_TAIL),
    OK("labels=", "page=1 size=50" DEF_TAIL),
    OK("labels=off&labels=on", "page=1 size=50" DEF_TAIL),
    BAD("labels=no", "Parameter 'labels' must be on or off, got 'no'; labels=off leaves out"),
    OK("labels=OFF", "page=1 size=50" DEF_TAIL " labels=off"),
    BAD("labels=0", "Parameter 'labels' must be on or off, got '0'"),
    BAD("labels=%FF", "Parameter 'labels' is not valid UTF-8"),
    /* everything together */
    OK("page=3&page_size=25&sort=name:desc&search=x&filter.id=%3E%3D2",
       "page=3 size=25 sort=name:desc filter=id:GE(2) search=x"),
};

static void run_case(const struct pcase *c, bool for_export)
{
    struct http_req req;
    http_req_init(&req);
    char *target = xasprintf("/api/tables/drivers/rows?%s", c->query);
    struct seeki_err err;
    seeki_err_clear(&err);
    cr_assert_eq(http_req_set_target(&req, target, &err), SEEKI_E_OK, "%s: %s", c->query, err.msg);
    struct api_rows_req r;
    enum seeki_code rc = api_params_parse(&req, &drivers, for_export, &r, &err);
    if (c->fails) {
        cr_expect_eq(rc, SEEKI_E_BAD_PARAM, "query '%s' should fail, got %d", c->query, rc);
        cr_expect(strstr(err.msg, c->want) != NULL, "query '%s': message\n  %s\nlacks\n  %s",
                  c->query, err.msg, c->want);
        cr_expect_eq(r.nsorts + r.nfilters, 0, "failed parse must leave the request empty");
    } else {
        cr_expect_eq(rc, SEEKI_E_OK, "query '%s' failed: %s", c->query, err.msg);
        if (rc == SEEKI_E_OK) {
            char *got = render(&r);
            cr_expect_str_eq(got, c->want, "query '%s'", c->query);
            free(got);
        }
    }
    api_rows_req_free(&r);
    http_req_free(&req);
    free(target);
}

Test(params, table)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i], false);
}

Test(params, export_ignores_page_and_page_size)
{
    static const struct pcase ex[] = {
        OK("page=abc&page_size=zz", "page=1 size=50" DEF_TAIL),
        OK("page=last&sort=name:desc", "page=1 size=50 sort=name:desc filter= search=-"),
        OK("page=%FF&page_size=%C0%AF&cursor=%ED%A0%80", "page=1 size=50" DEF_TAIL),
        OK("labels=maybe", "page=1 size=50" DEF_TAIL), /* exports carry no labels */
        BAD("sort=nope", "Unknown column 'nope' in sort"),
        BAD("search=%FF", "Parameter 'search' is not valid UTF-8"),
        BAD("filter.name=%C0%AF", "Parameter 'filter.name' is not valid UTF-8"),
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++)
        run_case(&ex[i], true);
}

static char *many_filters(size_t n)
{
    struct buf b;
    buf_init(&b, 0);
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        bad |= buf_printf(&b, "%sfilter.id=%%3E%zu", i ? "&" : "", i);
    cr_assert_eq(bad, 0);
    return buf_take(&b);
}

Test(params, filter_cap)
{
    char *q64 = many_filters(API_MAX_FILTERS);
    char *q65 = many_filters(API_MAX_FILTERS + 1);
    char *q10k = many_filters(10000);
    struct pcase ok64 = {q64, NULL, false};
    struct http_req req;
    struct api_rows_req r;
    struct seeki_err err;
    const char *queries[] = {q64, q65, q10k};
    for (int k = 0; k < 3; k++) {
        http_req_init(&req);
        char *target = xasprintf("/x?%s", queries[k]);
        cr_assert_eq(http_req_set_target(&req, target, &err), SEEKI_E_OK);
        enum seeki_code rc = api_params_parse(&req, &drivers, false, &r, &err);
        if (k == 0) {
            cr_expect_eq(rc, SEEKI_E_OK, "64 filters must be accepted: %s", err.msg);
            cr_expect_eq(r.nfilters, 64);
        } else {
            cr_expect_eq(rc, SEEKI_E_BAD_PARAM);
            cr_expect(strstr(err.msg, "Too many filters") && strstr(err.msg, "at most 64"), "%s",
                      err.msg);
        }
        api_rows_req_free(&r);
        http_req_free(&req);
        free(target);
    }
    (void)ok64;
    free(q64);
    free(q65);
    free(q10k);
}

Test(params, unknown_column_list_is_truncated_for_wide_tables)
{
    enum { N = 80 };
    static struct db_column wide[N];
    static char names[N][32];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "column_number_%02d", i);
        wide[i] = (struct db_column){.name = names[i], .data_type = "TEXT", .vtype = DB_VT_TEXT};
    }
    struct db_table t = {
        .name = "wide", .schema = "main", .relname = "wide", .cols = wide, .ncols = N};
    struct http_req req;
    http_req_init(&req);
    struct seeki_err err;
    cr_assert_eq(http_req_set_target(&req, "/x?sort=nope", &err), SEEKI_E_OK);
    struct api_rows_req r;
    cr_assert_eq(api_params_parse(&req, &t, false, &r, &err), SEEKI_E_BAD_PARAM);
    cr_expect(strstr(err.msg, "Unknown column 'nope' in sort; columns of 'wide' are: "
                              "column_number_00, column_number_01"),
              "%s", err.msg);
    cr_expect(strstr(err.msg, "more)") != NULL, "list should say how many were left out: %s",
              err.msg);
    cr_expect_lt(strlen(err.msg), 400, "message too long: %zu", strlen(err.msg));
    http_req_free(&req);
}

Test(params, query_string_decoding_errors_name_the_parameter)
{
    static const struct {
        const char *target;
        const char *want;
    } bad[] = {
        {"/x?page=%zz", "Query parameter 'page' has a malformed %-escape"},
        {"/x?search=%4", "Query parameter 'search'"},
        {"/x?search=a%00b", "encoded NUL"},
        {"/x?fil%ter.id=1", "Query parameter 'fil%ter.id'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_req req;
        http_req_init(&req);
        struct seeki_err err;
        seeki_err_clear(&err);
        cr_expect_eq(http_req_set_target(&req, bad[i].target, &err), SEEKI_E_BAD_PARAM, "%s",
                     bad[i].target);
        cr_expect(strstr(err.msg, bad[i].want) != NULL, "%s: %s", bad[i].target, err.msg);
        http_req_free(&req);
    }
}

Test(params, query_string_keeps_order_and_repeats)
{
    struct http_req req;
    http_req_init(&req);
    struct seeki_err err;
    cr_assert_eq(http_req_set_target(&req, "/p/a%20b?x=1&y&x=2&&z=a=b#frag", &err), SEEKI_E_OK);
    cr_expect_str_eq(req.path, "/p/a%20b");
    cr_assert_eq(req.nparams, 4);
    const char *want[][2] = {{"x", "1"}, {"y", ""}, {"x", "2"}, {"z", "a=b"}};
    for (size_t i = 0; i < 4; i++) {
        cr_expect_str_eq(req.params[i].key, want[i][0]);
        cr_expect_str_eq(req.params[i].value, want[i][1]);
    }
    cr_expect_str_eq(http_req_param(&req, "x"), "2", "last occurrence wins");
    cr_expect_null(http_req_param(&req, "nope"));
    http_req_free(&req);
}
