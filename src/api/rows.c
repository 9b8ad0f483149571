/* GET /api/tables/{t}/rows: one page of rows as JSON. Counts first (page=last
 * needs the total), then reads the page -- forward with an offset, or for
 * page=last the tail in reversed order -- and writes each row object as JSON
 * text straight from the engine's cells (db_cell_json), so values keep their
 * exact text forms. The whole page is built in memory, bounded by
 * API_ROWS_BODY_MAX. */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "util/mem.h"

#define API_ROWS_BODY_MAX (64u * 1024u * 1024u)

/* Pre-escaped `"name":` for every column, written once per page. */
static char **row_keys(const struct db_table *t)
{
    char **keys = xcalloc(t->ncols ? t->ncols : 1, sizeof *keys);
    for (size_t i = 0; i < t->ncols; i++) {
        struct buf b;
        buf_init(&b, 0);
        /* b has no maximum, so these appends cannot fail. */
        if (api_json_string(&b, t->cols[i].name, strlen(t->cols[i].name)) != 0 ||
            buf_putc(&b, ':') != 0)
            buf_reset(&b);
        keys[i] = buf_take(&b);
    }
    return keys;
}

static void free_keys(char **keys, size_t n)
{
    for (size_t i = 0; keys && i < n; i++)
        free(keys[i]);
    free(keys);
}

/* Appends the rows array's elements. */
static enum seeki_code write_rows(struct db_engine *db, const struct db_query *q, struct buf *out,
                                  struct seeki_err *err)
{
    const struct db_table *t = q->table;
    struct db_iter *it = NULL;
    enum seeki_code rc = db_rows_open(db, q, &it, err);
    if (rc != SEEKI_E_OK)
        return rc;
    char **keys = row_keys(t);
    bool first = true;
    for (;;) {
        const struct db_cell *row = NULL;
        rc = db_iter_next(it, &row, err);
        if (rc != SEEKI_E_OK || !row)
            break;
        int bad = buf_puts(out, first ? "{" : ",{");
        for (size_t i = 0; i < t->ncols && !bad; i++) {
            if (i)
                bad |= buf_putc(out, ',');
            bad |= buf_puts(out, keys[i]);
            bad |= db_cell_json(&t->cols[i], &row[i], out);
        }
        bad |= buf_putc(out, '}');
        first = false;
        if (bad) {
            rc = seeki_fail(err, SEEKI_E_BAD_PARAM,
                            "This page of '%s' is larger than %u MiB of JSON; ask for fewer rows "
                            "with a smaller page_size",
                            t->name, API_ROWS_BODY_MAX >> 20);
            break;
        }
    }
    free_keys(keys, t->ncols);
    db_iter_close(it);
    return rc;
}

void api_rows(struct api_ctx *ctx, const struct http_req *req, const char *table,
              struct http_resp *resp)
{
    const struct db_table *t;
    if (!api_find_table(ctx, req, table, &t, resp))
        return;
    struct seeki_err err;
    seeki_err_clear(&err);
    struct api_rows_req p;
    struct buf body;
    buf_init(&body, API_ROWS_BODY_MAX);
    char *cols = NULL;
    if (api_params_parse(req, t, false, &p, &err) != SEEKI_E_OK) {
        http_resp_fail(resp, &err, req->id);
        return;
    }
    struct db_query q = {.table = t,
                         .sorts = p.sorts,
                         .nsorts = p.nsorts,
                         .search = p.search,
                         .filters = p.filters,
                         .nfilters = p.nfilters};
    int64_t total = 0;
    bool exact = true;
    if (db_count(ctx->db, &q, &total, &exact, &err) != SEEKI_E_OK)
        goto fail;
    int64_t page = p.page;
    if (p.page_last) {
        int64_t pages = total > 0 ? (total + p.page_size - 1) / p.page_size : 1;
        page = pages;
        if (p.nsorts > 0 || db_table_has_order_key(t)) {
            /* Read the tail in reversed order, so the last page costs the
             * same however deep it is. */
            q.reverse = true;
            q.offset = 0;
            q.limit = total > 0 ? total - (pages - 1) * p.page_size : 0;
        } else {
            /* No stable order to reverse: fall back to an offset. */
            q.offset = (pages - 1) * p.page_size;
            q.limit = p.page_size;
        }
    } else {
        q.offset = (page - 1) * p.page_size;
        q.limit = p.page_size;
    }

    json_t *carr = json_array();
    for (size_t i = 0; i < t->ncols; i++)
        json_array_append_new(carr, api_column_json(&t->cols[i]));
    cols = json_dumps(carr, JSON_COMPACT);
    json_decref(carr);
    if (!cols) {
        seeki_fail(&err, SEEKI_E_INTERNAL, "could not serialise the columns of '%s'", t->name);
        goto fail;
    }
    if (buf_printf(&body, "{\"columns\":%s,\"rows\":[", cols) != 0) {
        seeki_fail(&err, SEEKI_E_INTERNAL, "column list of '%s' too large", t->name);
        goto fail;
    }
    /* A page past the end (or an empty table) is an empty array, not an error. */
    if (q.limit > 0 && (q.reverse || total > q.offset || !exact) &&
        write_rows(ctx->db, &q, &body, &err) != SEEKI_E_OK)
        goto fail;
    if (buf_printf(&body,
                   "],\"total_rows\":%lld,\"total_rows_exact\":%s,\"page\":%lld,"
                   "\"page_size\":%lld,\"next_cursor\":null,\"prev_cursor\":null}",
                   (long long)total, exact ? "true" : "false", (long long)page,
                   (long long)p.page_size) != 0) {
        seeki_fail(&err, SEEKI_E_BAD_PARAM,
                   "This page of '%s' is too large; ask for fewer rows with a smaller page_size",
                   t->name);
        goto fail;
    }
    /* Hand the page over without copying it. */
    http_resp_set(resp, 200, API_JSON, "", 0);
    buf_free(&resp->body);
    resp->body = body;
    free(cols);
    api_rows_req_free(&p);
    return;
fail:
    http_resp_fail(resp, &err, req->id);
    free(cols);
    buf_free(&body);
    api_rows_req_free(&p);
}
