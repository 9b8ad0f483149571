/* GET /api/export/{t}/csv: every row matching the view's sort, search and
 * filters as streamed CSV (RFC 4180, "\n" line ends, display names as the
 * header). Memory stays constant whatever the table size: the server pulls
 * chunks of at most HTTP_STREAM_BLOCK bytes and each pull encodes only as many
 * rows as fill it. The query is opened (and its first row fetched) before the
 * response starts, so early errors are ordinary JSON errors; a failure after
 * that ends the stream early and is logged. */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "log.h"
#include "util/mem.h"
#include "util/text.h"

/* Largest encoded row kept in memory at once; a row beyond it ends the export. */
#define API_EXPORT_ROW_MAX (64u * 1024u * 1024u)

struct export_stream {
    struct db_iter *it;       /* holds one pooled connection until freed */
    const struct db_table *t; /* borrowed from the catalog (outlives the server) */
    struct buf pending;       /* encoded bytes not yet handed to the server */
    size_t pos;               /* bytes of pending already handed out */
    bool eof;                 /* the iterator is exhausted */
    bool failed;
    unsigned long req_id;
    long long rows; /* rows encoded so far */
};

static int encode_row(struct export_stream *st, const struct db_cell *row)
{
    for (size_t i = 0; i < st->t->ncols; i++) {
        if (i && buf_putc(&st->pending, ',') != 0)
            return -1;
        if (db_cell_csv(&st->t->cols[i], &row[i], &st->pending) != 0)
            return -1;
    }
    st->rows++;
    return buf_putc(&st->pending, '\n');
}

static ssize_t export_read(void *cls, char *dst, size_t max)
{
    struct export_stream *st = cls;
    if (st->failed)
        return HTTP_STREAM_ERROR;
    if (st->pos > 0) { /* drop what was already sent */
        memmove(st->pending.data, st->pending.data + st->pos, st->pending.len - st->pos);
        st->pending.len -= st->pos;
        st->pending.data[st->pending.len] = '\0';
        st->pos = 0;
    }
    while (st->pending.len < max && !st->eof) {
        const struct db_cell *row = NULL;
        struct seeki_err err;
        seeki_err_clear(&err);
        if (db_iter_next(st->it, &row, &err) != SEEKI_E_OK) {
            log_error("api", "req=%lu export of '%s' stopped after %lld rows: %s", st->req_id,
                      st->t->name, st->rows, err.msg);
            st->failed = true;
            return HTTP_STREAM_ERROR;
        }
        if (!row) {
            st->eof = true;
            break;
        }
        if (encode_row(st, row) != 0) {
            log_error("api",
                      "req=%lu export of '%s' stopped after %lld rows: a row is larger than %u "
                      "MiB",
                      st->req_id, st->t->name, st->rows, API_EXPORT_ROW_MAX >> 20);
            st->failed = true;
            return HTTP_STREAM_ERROR;
        }
    }
    size_t n = st->pending.len < max ? st->pending.len : max;
    if (n == 0)
        return HTTP_STREAM_END;
    memcpy(dst, st->pending.data, n);
    st->pos = n;
    return (ssize_t)n;
}

static void export_free(void *cls)
{
    struct export_stream *st = cls;
    if (!st)
        return;
    log_debug("api", "req=%lu export of '%s': %lld rows%s", st->req_id, st->t->name, st->rows,
              st->eof ? "" : " (not finished)");
    db_iter_close(st->it);
    buf_free(&st->pending);
    free(st);
}

void api_export(struct api_ctx *ctx, const struct http_req *req, const char *table,
                struct http_resp *resp)
{
    struct api_rows_req p;
    if (!api_find_rows_req(ctx, req, table, true, &p, resp))
        return;
    const struct db_table *t = p.table;
    struct seeki_err err;
    seeki_err_clear(&err);
    char *disp = http_content_disposition(t->name, ".csv");
    struct export_stream *st = xcalloc(1, sizeof *st);
    st->t = t;
    st->req_id = req->id;
    buf_init(&st->pending, API_EXPORT_ROW_MAX);
    for (size_t i = 0; i < t->ncols; i++) {
        const char *h = t->cols[i].display_name ? t->cols[i].display_name : t->cols[i].name;
        if ((i && buf_putc(&st->pending, ',') != 0) ||
            text_csv_field(&st->pending, h, strlen(h)) != 0) {
            seeki_fail(&err, SEEKI_E_INTERNAL, "CSV header of '%s' too large", t->name);
            goto fail;
        }
    }
    if (buf_putc(&st->pending, '\n') != 0) {
        seeki_fail(&err, SEEKI_E_INTERNAL, "CSV header of '%s' too large", t->name);
        goto fail;
    }
    if (strcmp(req->method ? req->method : "GET", "HEAD") == 0) {
        /* Headers only: no query runs for HEAD. */
        http_resp_set(resp, 200, "text/csv; charset=utf-8", "", 0);
        st->eof = true;
        export_free(st);
        st = NULL;
    } else {
        struct db_query q = {.table = t,
                             .sorts = p.sorts,
                             .nsorts = p.nsorts,
                             .search = p.search,
                             .filters = p.filters,
                             .nfilters = p.nfilters,
                             .offset = 0,
                             .limit = -1,
                             .bulk = true,
                             .gone = api_client_gone,
                             .gone_arg = (void *)req};
        if (db_rows_open(ctx->db, &q, &st->it, &err) != SEEKI_E_OK)
            goto fail;
        /* Fetch the first row now: most query errors surface here, while a
         * JSON error can still be sent. */
        const struct db_cell *row = NULL;
        if (db_iter_next(st->it, &row, &err) != SEEKI_E_OK)
            goto fail;
        if (!row)
            st->eof = true;
        else if (encode_row(st, row) != 0) {
            seeki_fail(&err, SEEKI_E_BAD_PARAM,
                       "A row of '%s' is larger than %u MiB of CSV and cannot be exported", t->name,
                       API_EXPORT_ROW_MAX >> 20);
            goto fail;
        }
        http_resp_stream(resp, 200, "text/csv; charset=utf-8", export_read, export_free, st);
        st = NULL;
    }
    http_resp_add_header(resp, "Content-Disposition", disp);
    free(disp);
    api_rows_req_free(&p);
    return;
fail:
    http_resp_fail(resp, &err, req->id);
    if (st)
        st->eof = true;
    export_free(st);
    free(disp);
    api_rows_req_free(&p);
}
