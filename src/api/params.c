/* Rows/export query parameters -> a typed, validated struct api_rows_req
 * (api.h): page, page_size, the sort syntaxes, search, filter.<col> and the
 * cursor token (kept as text for api_rows). Column names are resolved
 * against the live table here, so db/ only ever sees column indexes. Needs
 * no database: tests feed it a hand-built struct db_table. Every parameter it
 * reads must be valid UTF-8 (util/text.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "http/http.h"
#include "util/mem.h"
#include "util/text.h"

#define VAL_SHOWN 40        /* bytes of a rejected value quoted back in errors */
#define COLUMN_LIST_MAX 200 /* bytes of column names listed in an unknown-column error */

/* Parses an unsigned decimal (digits only, at least one). Saturates at
 * INT64_MAX and sets *big instead of overflowing. */
static bool parse_digits(const char *s, int64_t *out, bool *big)
{
    if (!*s)
        return false;
    int64_t v = 0;
    *big = false;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9')
            return false;
        if (v > (INT64_MAX - 9) / 10)
            *big = true;
        else
            v = v * 10 + (*c - '0');
    }
    *out = *big ? INT64_MAX : v;
    return true;
}

static enum seeki_code parse_page(const char *v, struct api_rows_req *out, struct seeki_err *err)
{
    if (strcasecmp(v, "last") == 0) {
        out->page_last = true;
        return SEEKI_E_OK;
    }
    int64_t n;
    bool big;
    if (!parse_digits(v, &n, &big) || n < 1)
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Parameter 'page' must be a whole number from 1 up, or 'last'; got "
                          "'%.*s'",
                          VAL_SHOWN, v);
    if (big || n > API_PAGE_MAX)
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Parameter 'page' must be at most %lld; got '%.*s'",
                          (long long)API_PAGE_MAX, VAL_SHOWN, v);
    out->page = n;
    out->page_last = false;
    return SEEKI_E_OK;
}

static enum seeki_code parse_page_size(const char *v, struct api_rows_req *out,
                                       struct seeki_err *err)
{
    bool neg = v[0] == '-';
    int64_t n;
    bool big;
    if (!parse_digits(v + (neg || v[0] == '+'), &n, &big))
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Parameter 'page_size' must be a whole number (it is clamped to 1-%d); "
                          "got '%.*s'",
                          API_PAGE_SIZE_MAX, VAL_SHOWN, v);
    if (neg || n < 1)
        n = 1;
    out->page_size = n > API_PAGE_SIZE_MAX ? API_PAGE_SIZE_MAX : n;
    return SEEKI_E_OK;
}

/* "Unknown column 'x' in <where>; columns of 't' are: a, b, … (N more)" */
static enum seeki_code unknown_column(const struct db_table *t, const char *name, size_t nlen,
                                      const char *where, struct seeki_err *err)
{
    struct buf list;
    buf_init(&list, 0);
    size_t shown = 0;
    for (; shown < t->ncols; shown++) {
        const char *c = t->cols[shown].name;
        if (list.len + strlen(c) > COLUMN_LIST_MAX && shown > 0)
            break;
        if ((shown && buf_puts(&list, ", ") != 0) || buf_puts(&list, c) != 0)
            break;
    }
    if (shown < t->ncols && buf_printf(&list, ", … (%zu more)", t->ncols - shown) != 0)
        buf_reset(&list); /* cannot happen: list has no maximum */
    seeki_fail(err, SEEKI_E_BAD_PARAM, "Unknown column '%.*s' in %s; columns of '%s' are: %s",
               (int)(nlen > 100 ? 100 : nlen), name, where, t->name, buf_str(&list));
    buf_free(&list);
    return SEEKI_E_BAD_PARAM;
}

static long find_col(const struct db_table *t, const char *s, size_t n)
{
    char *name = xstrndup(s, n);
    long i = strlen(name) == n ? db_find_column(t, name) : -1;
    free(name);
    return i;
}

static int parse_dir(const char *s, size_t n)
{
    if (n == 3 && strncasecmp(s, "asc", 3) == 0)
        return 0;
    if (n == 4 && strncasecmp(s, "desc", 4) == 0)
        return 1;
    return -1;
}

/* Resolves one "column[:direction]" item; the LAST ':' separates the
 * direction. A suffix that is not asc/desc belongs to the name when the whole
 * item is a column ("a:b"). err may be NULL (trial resolution). */
static enum seeki_code resolve_sort_item(const struct db_table *t, const char *s, size_t n,
                                         long *col, bool *desc, struct seeki_err *err)
{
    const char *colon = NULL;
    for (size_t i = n; i-- > 0;)
        if (s[i] == ':') {
            colon = s + i;
            break;
        }
    size_t nlen = colon ? (size_t)(colon - s) : n;
    int dir = 0;
    if (colon) {
        size_t dlen = n - nlen - 1;
        dir = dlen == 0 ? 0 : parse_dir(colon + 1, dlen);
        if (dir < 0) {
            long whole = find_col(t, s, n);
            if (whole >= 0) {
                *col = whole;
                *desc = false;
                return SEEKI_E_OK;
            }
            if (find_col(t, s, nlen) >= 0)
                return seeki_fail(err, SEEKI_E_BAD_PARAM,
                                  "Sort direction '%.*s' for column '%.*s' must be asc or desc",
                                  (int)(dlen > VAL_SHOWN ? VAL_SHOWN : dlen), colon + 1,
                                  (int)(nlen > 100 ? 100 : nlen), s);
            return err ? unknown_column(t, s, n, "sort", err) : SEEKI_E_BAD_PARAM;
        }
    }
    if (nlen == 0)
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Parameter 'sort' has an empty column name; write sort=column:asc "
                          "or sort=column:desc");
    long i = find_col(t, s, nlen);
    if (i < 0)
        return err ? unknown_column(t, s, nlen, "sort", err) : SEEKI_E_BAD_PARAM;
    *col = i;
    *desc = dir == 1;
    return SEEKI_E_OK;
}

static enum seeki_code push_sort(struct api_rows_req *out, long col, bool desc,
                                 struct seeki_err *err)
{
    const struct db_column *c = &out->table->cols[col];
    if (c->no_order)
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Column '%s' cannot be sorted: its type %s has no ordering; sort by "
                          "another column",
                          c->name, c->data_type ? c->data_type : "?");
    for (size_t i = 0; i < out->nsorts; i++)
        if (out->sorts[i].col == (size_t)col)
            return seeki_fail(err, SEEKI_E_BAD_PARAM,
                              "Column '%s' appears more than once in the sort; list each column "
                              "once",
                              out->table->cols[col].name);
    if (out->nsorts >= API_MAX_SORTS)
        return seeki_fail(err, SEEKI_E_BAD_PARAM, "Too many sort columns; at most %d are allowed",
                          API_MAX_SORTS);
    out->sorts[out->nsorts].col = (size_t)col;
    out->sorts[out->nsorts].desc = desc;
    out->nsorts++;
    return SEEKI_E_OK;
}

/* One `sort` value. When `sort` occurs once, the value is a comma-separated
 * list -- unless the whole value already names one column (with an optional
 * direction), so a lone column called "a,b" still works. When `sort`
 * repeats, each value is exactly one item. */
static enum seeki_code parse_sort_value(struct api_rows_req *out, const char *v, bool repeated,
                                        struct seeki_err *err)
{
    long col;
    bool desc;
    size_t n = strlen(v);
    if (repeated || !strchr(v, ',') ||
        resolve_sort_item(out->table, v, n, &col, &desc, NULL) == SEEKI_E_OK) {
        enum seeki_code rc = resolve_sort_item(out->table, v, n, &col, &desc, err);
        return rc != SEEKI_E_OK ? rc : push_sort(out, col, desc, err);
    }
    for (const char *p = v; *p;) {
        size_t len = strcspn(p, ",");
        if (len > 0) { /* empty items ("a,,b", trailing comma) are skipped */
            enum seeki_code rc = resolve_sort_item(out->table, p, len, &col, &desc, err);
            if (rc == SEEKI_E_OK)
                rc = push_sort(out, col, desc, err);
            if (rc != SEEKI_E_OK)
                return rc;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return SEEKI_E_OK;
}

static enum seeki_code parse_sorts(const struct http_req *req, struct api_rows_req *out,
                                   struct seeki_err *err)
{
    size_t nsort = 0;
    for (size_t i = 0; i < req->nparams; i++)
        if (strcmp(req->params[i].key, "sort") == 0 && req->params[i].value[0])
            nsort++;
    out->sorts = xcalloc(API_MAX_SORTS, sizeof *out->sorts);
    for (size_t i = 0; i < req->nparams; i++) {
        if (strcmp(req->params[i].key, "sort") != 0 || !req->params[i].value[0])
            continue;
        enum seeki_code rc = parse_sort_value(out, req->params[i].value, nsort > 1, err);
        if (rc != SEEKI_E_OK)
            return rc;
    }
    const char *sc = http_req_param(req, "sort_column");
    if (!sc || !*sc)
        return SEEKI_E_OK; /* a sort_direction alone has nothing to apply to: ignored */
    const char *sd = http_req_param(req, "sort_direction");
    int dir = 0;
    if (sd && *sd && (dir = parse_dir(sd, strlen(sd))) < 0)
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Parameter 'sort_direction' must be asc or desc; got '%.*s'", VAL_SHOWN,
                          sd);
    long col = db_find_column(out->table, sc);
    if (col < 0)
        return unknown_column(out->table, sc, strlen(sc), "sort_column", err);
    return push_sort(out, col, dir == 1, err);
}

static enum seeki_code parse_filters(const struct http_req *req, struct api_rows_req *out,
                                     struct seeki_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < req->nparams; i++)
        if (strncmp(req->params[i].key, "filter.", 7) == 0 && req->params[i].value[0])
            n++;
    if (n > API_MAX_FILTERS)
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Too many filters (%zu); at most %d filter.<column> parameters are "
                          "allowed",
                          n, API_MAX_FILTERS);
    if (n == 0)
        return SEEKI_E_OK;
    out->filters = xcalloc(n, sizeof *out->filters);
    for (size_t i = 0; i < req->nparams; i++) {
        const struct http_kv *p = &req->params[i];
        if (strncmp(p->key, "filter.", 7) != 0 || !p->value[0])
            continue;
        const char *name = p->key + 7;
        if (!*name)
            return seeki_fail(err, SEEKI_E_BAD_PARAM,
                              "Parameter 'filter.' needs a column name: "
                              "filter.<column>=<expression>");
        long col = db_find_column(out->table, name);
        if (col < 0)
            return unknown_column(out->table, name, strlen(name), "filter", err);
        enum seeki_code rc = db_filter_parse(&out->table->cols[col], (size_t)col, p->value,
                                             &out->filters[out->nfilters], err);
        if (rc != SEEKI_E_OK)
            return rc;
        out->nfilters++;
    }
    return SEEKI_E_OK;
}

/* Is key a parameter api_params_parse reads (for this route)? */
static bool param_is_read(const char *key, bool for_export)
{
    static const char *const always[] = {"sort", "sort_column", "sort_direction", "search"};
    static const char *const rows_only[] = {"page", "page_size", "cursor", "labels"};
    if (strncmp(key, "filter.", 7) == 0)
        return true;
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++)
        if (strcmp(key, always[i]) == 0)
            return true;
    for (size_t i = 0; !for_export && i < sizeof rows_only / sizeof rows_only[0]; i++)
        if (strcmp(key, rows_only[i]) == 0)
            return true;
    return false;
}

/* Every parameter that is read must be valid UTF-8, name and value, before
 * anything reaches a database: PostgreSQL would refuse the bytes (SQLSTATE
 * 22021, a 500) and SQLite would compare them as they are, so both engines
 * answer the same 400 here instead. Ignored parameters are not checked. */
static enum seeki_code check_utf8(const struct http_req *req, bool for_export,
                                  struct seeki_err *err)
{
    for (size_t i = 0; i < req->nparams; i++) {
        const struct http_kv *p = &req->params[i];
        if (!param_is_read(p->key, for_export))
            continue;
        const char *bad_in = "name";
        const char *s = p->key;
        size_t n = strlen(s), at = text_utf8_bad_offset(s, n);
        if (at == n) {
            bad_in = "value";
            s = p->value;
            n = strlen(s);
            at = text_utf8_bad_offset(s, n);
        }
        if (at < n)
            return seeki_fail(err, SEEKI_E_BAD_PARAM,
                              "Parameter '%.60s' is not valid UTF-8 (byte 0x%02X at offset %zu of "
                              "its %s); send text as UTF-8, percent-encoded (encodeURIComponent "
                              "does this)",
                              p->key, (unsigned)(unsigned char)s[at], at, bad_in);
    }
    return SEEKI_E_OK;
}

enum seeki_code api_params_parse(const struct http_req *req, const struct db_table *t,
                                 bool for_export, struct api_rows_req *out, struct seeki_err *err)
{
    memset(out, 0, sizeof *out);
    out->table = t;
    out->page = 1;
    out->page_size = API_PAGE_SIZE_DEFAULT;
    enum seeki_code rc = check_utf8(req, for_export, err);
    if (rc != SEEKI_E_OK)
        goto fail;
    if (!for_export) {
        const char *v = http_req_param(req, "page");
        if (v && *v && (rc = parse_page(v, out, err)) != SEEKI_E_OK)
            goto fail;
        v = http_req_param(req, "page_size");
        if (v && *v && (rc = parse_page_size(v, out, err)) != SEEKI_E_OK)
            goto fail;
        v = http_req_param(req, "labels");
        if (v && *v && strcasecmp(v, "on") != 0 && strcasecmp(v, "off") != 0) {
            rc = seeki_fail(err, SEEKI_E_BAD_PARAM,
                            "Parameter 'labels' must be on or off, got '%.40s'; labels=off "
                            "leaves out the labels of foreign-key values",
                            v);
            goto fail;
        }
        out->labels_off = v && strcasecmp(v, "off") == 0;
    }
    if ((rc = parse_filters(req, out, err)) != SEEKI_E_OK)
        goto fail;
    if ((rc = parse_sorts(req, out, err)) != SEEKI_E_OK)
        goto fail;
    const char *s = http_req_param(req, "search");
    if (s && *s)
        out->search = xstrdup(s);
    /* cursor: decoded by api_rows, which knows the engine and the view */
    s = for_export ? NULL : http_req_param(req, "cursor");
    if (s && *s)
        out->cursor = xstrdup(s);
    return SEEKI_E_OK;
fail:
    api_rows_req_free(out);
    return rc;
}

void api_rows_req_free(struct api_rows_req *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nfilters; i++)
        db_filter_free(&r->filters[i]);
    free(r->filters);
    free(r->sorts);
    free(r->search);
    free(r->cursor);
    const struct db_table *t = r->table;
    memset(r, 0, sizeof *r);
    r->table = t;
}
