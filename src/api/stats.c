/* GET /api/tables/{t}/stats/{column}: figures for one column over the rows
 * the rows route would match (search, filter.*; sorts and paging ignored):
 * {"column","count","nulls","distinct","min","max","avg","top":[{"value",
 * "count"}],"exact"}. db_stats bounds the work; values are written with
 * db_cell_json, exactly as the column's cells are. */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "util/text.h"

#define API_STATS_BODY_MAX (1u << 20)

/* Appends one value as a cell of column c (null when there is none). */
static int put_value(struct buf *b, const struct db_column *c, const struct db_keyval *v)
{
    struct db_cell cell = db_keyval_cell(v);
    return db_cell_json(c, &cell, b);
}

static int put_stats(struct buf *b, const struct db_column *c, const struct db_stats *s)
{
    /* avg is a double whatever the column's type: encoded as a float cell */
    struct db_column fcol = {.name = c->name, .vtype = DB_VT_FLOAT};
    int bad = buf_puts(b, "{\"column\":");
    bad |= text_json_string(b, c->name, strlen(c->name));
    bad |= buf_printf(b, ",\"count\":%lld,\"nulls\":%lld,\"distinct\":%lld,\"min\":",
                      (long long)s->count, (long long)s->nulls, (long long)s->distinct);
    bad |= s->has_minmax ? put_value(b, c, &s->min) : buf_puts(b, "null");
    bad |= buf_puts(b, ",\"max\":");
    bad |= s->has_minmax ? put_value(b, c, &s->max) : buf_puts(b, "null");
    bad |= buf_puts(b, ",\"avg\":");
    bad |= s->has_avg ? put_value(b, &fcol, &s->avg) : buf_puts(b, "null");
    bad |= buf_puts(b, ",\"top\":");
    if (s->has_top) {
        bad |= buf_putc(b, '[');
        for (size_t i = 0; i < s->ntop; i++) {
            bad |= buf_puts(b, i ? ",{\"value\":" : "{\"value\":");
            bad |= put_value(b, c, &s->top[i]);
            bad |= buf_printf(b, ",\"count\":%lld}", (long long)s->top_count[i]);
        }
        bad |= buf_putc(b, ']');
    } else {
        bad |= buf_puts(b, "null");
    }
    bad |= buf_printf(b, ",\"exact\":%s}", s->exact ? "true" : "false");
    return bad;
}

void api_stats(struct api_ctx *ctx, const struct http_req *req, const char *table,
               const char *column, struct http_resp *resp)
{
    const struct db_table *t;
    if (!api_find_table(ctx, req, table, &t, resp))
        return;
    struct seeki_err err;
    seeki_err_clear(&err);
    long col = db_find_column(t, column);
    if (col < 0) {
        /* an excluded column answers exactly like one that never existed */
        seeki_fail(&err, SEEKI_E_NOT_FOUND,
                   "Column '%.100s' not found in table '%s'; GET /api/tables/{t}/columns lists "
                   "its columns",
                   column, t->name);
        http_resp_fail(resp, &err, req->id);
        return;
    }
    struct api_rows_req p;
    if (!api_find_rows_req(ctx, req, table, true, &p, resp))
        return;
    struct db_query q = {
        .table = t, .search = p.search, .filters = p.filters, .nfilters = p.nfilters, .limit = -1};
    struct db_stats s;
    struct buf body;
    buf_init(&body, API_STATS_BODY_MAX);
    if (db_stats(ctx->db, &q, (size_t)col, &s, &err) != SEEKI_E_OK) {
        http_resp_fail(resp, &err, req->id);
    } else if (put_stats(&body, &t->cols[col], &s) != 0) {
        seeki_fail(&err, SEEKI_E_INTERNAL, "statistics of '%s'.'%s' exceed %u bytes", t->name,
                   t->cols[col].name, API_STATS_BODY_MAX);
        http_resp_fail(resp, &err, req->id);
    } else {
        http_resp_set(resp, 200, API_JSON, buf_str(&body), body.len);
    }
    buf_free(&body);
    db_stats_free(&s);
    api_rows_req_free(&p);
}
