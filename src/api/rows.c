/* GET /api/tables/{t}/rows: one page of rows as JSON. Takes the best count at
 * hand first (db_count: never waits on a large count; page=last needs the
 * total), then reads the page -- by a keyset seek from a cursor, a
 * numbered jump (index-only boundary lookup, else OFFSET), or for page=last
 * the tail in reversed order -- and writes each row object as JSON text
 * straight from the engine's cells (db_cell_json), so values keep their exact
 * text forms, plus next_cursor/prev_cursor from the page's edge rows. The
 * whole page is built in memory, bounded by API_ROWS_BODY_MAX. */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "api/labels.h"
#include "log.h"
#include "util/mem.h"
#include "util/text.h"

#define API_ROWS_BODY_MAX (64u * 1024u * 1024u)
/* page=last waits this long for a background count before reading the tail. */
#define API_LAST_COUNT_WAIT_MS 1000

/* Pre-escaped `"name":` for every column, written once per page. */
static char **row_keys(const struct db_table *t)
{
    char **keys = xcalloc(t->ncols ? t->ncols : 1, sizeof *keys);
    for (size_t i = 0; i < t->ncols; i++) {
        struct buf b;
        buf_init(&b, 0);
        /* b has no maximum, so these appends cannot fail. */
        if (text_json_string(&b, t->cols[i].name, strlen(t->cols[i].name)) != 0 ||
            buf_putc(&b, ':') != 0)
            buf_reset(&b);
        keys[i] = buf_take(&b);
    }
    return keys;
}

/* What write_rows saw: how many rows, and the order-key values of the first
 * and last row (for the cursors). */
struct page_edges {
    size_t nrows;
    size_t nkeys;
    struct db_keyval *first, *last; /* owned, nkeys each; NULL without rows */
    struct api_labels *labels;      /* owned; the page's foreign-key values (api/labels.c) */
};

static void edges_free(struct page_edges *e)
{
    db_keyvals_free(e->first, e->nkeys);
    db_keyvals_free(e->last, e->nkeys);
    e->first = e->last = NULL;
    api_labels_free(e->labels);
    e->labels = NULL;
}

/* Copies the key cells that follow the table's columns in a with_keys row. */
static struct db_keyval *row_keyvals(const struct db_cell *row, size_t ncols, size_t nkeys)
{
    struct db_keyval *v = xcalloc(nkeys ? nkeys : 1, sizeof *v);
    for (size_t k = 0; k < nkeys; k++)
        db_keyval_from_cell(&v[k], &row[ncols + k]);
    return v;
}

/* Appends the rows array's elements. */
static enum seeki_code write_rows(struct db_engine *db, const struct db_query *q, struct buf *out,
                                  struct page_edges *edges, struct seeki_err *err)
{
    const struct db_table *t = q->table;
    struct db_iter *it = NULL;
    enum seeki_code rc = db_rows_open(db, q, &it, err);
    if (rc != SEEKI_E_OK)
        return rc;
    char **keys = row_keys(t);
    bool first = true;
    const struct db_cell *prev = NULL;
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
        api_labels_add(edges->labels, row);
        if (first && edges->nkeys)
            edges->first = row_keyvals(row, t->ncols, edges->nkeys);
        first = false;
        edges->nrows++;
        prev = row;
        if (bad) {
            rc = seeki_fail(err, SEEKI_E_BAD_PARAM,
                            "This page of '%s' is larger than %u MiB of JSON; ask for fewer rows "
                            "with a smaller page_size",
                            t->name, API_ROWS_BODY_MAX >> 20);
            break;
        }
        /* the last row's keys: copied only when the iterator moves on */
        if (edges->nkeys) {
            db_keyvals_free(edges->last, edges->nkeys);
            edges->last = row_keyvals(prev, t->ncols, edges->nkeys);
        }
    }
    strv_free(keys, t->ncols);
    db_iter_close(it);
    return rc;
}

/* How one page will be read. */
struct page_plan {
    int64_t page;       /* the page number answered */
    bool empty;         /* known to be past the end: no query */
    struct db_keyval *boundary; /* owned; numbered jump's seek values */
    size_t nboundary;
};

/* page=N: with an index serving the order, find the last row of page N-1
 * by an index-only scan and seek past it; else OFFSET (said at debug). The
 * rows are the same either way. */
static enum seeki_code plan_numbered(struct api_ctx *ctx, struct db_query *q, int64_t page,
                                     int64_t page_size, const struct db_total *tot, size_t nkeys,
                                     struct page_plan *plan, struct seeki_err *err)
{
    plan->page = page;
    q->offset = (page - 1) * page_size;
    q->limit = page_size;
    if (tot->exact && q->offset >= tot->n && page > 1) {
        plan->empty = true;
        return SEEKI_E_OK;
    }
    if (page == 1 || nkeys == 0)
        return SEEKI_E_OK;
    /* A page of this view served a moment ago, a few pages back, under the
     * same change token: seek past its last row, skip the pages between. */
    int64_t from = 0;
    if (db_bounds_near(ctx->db, q, page_size, page, tot, &from, &plan->boundary,
                       &plan->nboundary)) {
        log_debug("api", "page %lld of '%s': seeking from page %lld's last row",
                  (long long)page, q->table->name, (long long)from);
        q->seek = plan->boundary;
        q->nseek = plan->nboundary;
        q->offset = (page - 1 - from) * page_size;
        return SEEKI_E_OK;
    }
    if (!db_index_serves(ctx->db, q)) {
        log_debug("api", "page %lld of '%s': no index serves this order; reading with OFFSET %lld",
                  (long long)page, q->table->name, (long long)q->offset);
        return SEEKI_E_OK;
    }
    bool found = false;
    enum seeki_code rc = db_seek_boundary(ctx->db, q, q->offset - 1, &plan->boundary,
                                          &plan->nboundary, &found, err);
    if (rc != SEEKI_E_OK)
        return rc;
    if (!found) {
        plan->empty = true;
        return SEEKI_E_OK;
    }
    q->seek = plan->boundary;
    q->nseek = plan->nboundary;
    q->offset = 0;
    return SEEKI_E_OK;
}

/* Appends "name":"token" or "name":null. */
static int put_cursor(struct buf *out, const char *name, char *token)
{
    int bad = token ? buf_printf(out, ",\"%s\":\"%s\"", name, token)
                    : buf_printf(out, ",\"%s\":null", name);
    free(token);
    return bad;
}

void api_rows(struct api_ctx *ctx, const struct http_req *req, const char *table,
              struct http_resp *resp)
{
    struct api_rows_req p;
    if (!api_find_rows_req(ctx, req, table, false, &p, resp))
        return;
    const struct db_table *t = p.table;
    struct seeki_err err;
    seeki_err_clear(&err);
    struct buf body;
    buf_init(&body, API_ROWS_BODY_MAX);
    char *cols = NULL;
    struct db_cursor cur = {0};
    struct page_plan plan = {0};
    struct page_edges edges = {0};
    struct db_query q = {.table = t,
                         .sorts = p.sorts,
                         .nsorts = p.nsorts,
                         .search = p.search,
                         .filters = p.filters,
                         .nfilters = p.nfilters,
                         .gone = api_client_gone,
                         .gone_arg = (void *)req};
    struct db_order_key *okeys = NULL;
    size_t nkeys = db_order_keys(ctx->db, &q, &okeys);
    free(okeys);
    /* A bad token is a 400 before any database work. */
    if (p.cursor && db_cursor_decode(&q, p.page_size, p.cursor, &cur, &err) != SEEKI_E_OK)
        goto fail;
    if (p.cursor && cur.nkeys != 0 && cur.nkeys != nkeys) {
        seeki_fail(&err, SEEKI_E_BAD_PARAM,
                   "Invalid cursor: it holds %zu key values but this view of '%s' orders by %zu; "
                   "drop the cursor parameter and ask for page=N instead",
                   cur.nkeys, t->name, nkeys);
        goto fail;
    }
    /* The best count at hand; never waits on counting a large view (an
     * exact count then arrives in the background: count_pending). page=last
     * needs the real end, so it waits a moment for that count. */
    struct db_total tot;
    if ((p.page_last && !p.cursor
             ? db_count_wait(ctx->db, &q, API_LAST_COUNT_WAIT_MS, &tot, &err)
             : db_count(ctx->db, &q, &tot, &err)) != SEEKI_E_OK)
        goto fail;
    int64_t total = tot.n;
    bool exact = tot.exact;
    edges.nkeys = nkeys;
    edges.labels = api_labels_new(ctx->db, t, p.labels_off);
    if (p.cursor && cur.nkeys > 0) {
        /* keyset seek from the token's boundary row: same cost at any depth */
        plan.page = cur.page;
        q.seek = cur.keys;
        q.nseek = cur.nkeys;
        q.reverse = cur.prev;
        q.offset = 0;
        q.limit = p.page_size;
    } else if (p.cursor) {
        if (plan_numbered(ctx, &q, cur.page, p.page_size, &tot, nkeys, &plan, &err) !=
            SEEKI_E_OK)
            goto fail;
    } else if (p.page_last) {
        int64_t pages = total > 0 ? (total + p.page_size - 1) / p.page_size : 1;
        plan.page = pages;
        if (nkeys > 0) {
            /* Read the tail in reversed order, so the last page costs the
             * same however deep it is. Without an exact count the page is
             * the last page_size rows (its number then an estimate too). */
            q.reverse = true;
            q.offset = 0;
            q.limit = !exact ? p.page_size : total > 0 ? total - (pages - 1) * p.page_size : 0;
        } else {
            /* No stable order to reverse: fall back to an offset. */
            q.offset = (pages - 1) * p.page_size;
            q.limit = p.page_size;
        }
    } else if (plan_numbered(ctx, &q, p.page, p.page_size, &tot, nkeys, &plan, &err) !=
               SEEKI_E_OK) {
        goto fail;
    }
    q.with_keys = nkeys > 0;

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
    if (q.limit > 0 && !plan.empty && write_rows(ctx->db, &q, &body, &edges, &err) != SEEKI_E_OK)
        goto fail;
    int64_t page = plan.page;
    /* where this page ends, for a numbered jump a few pages on (only pages
     * whose number is their position: not page=last read from an estimate) */
    if (edges.last && (int64_t)edges.nrows == p.page_size && !(p.page_last && !exact && !p.cursor))
        db_bounds_remember(ctx->db, &q, p.page_size, page, edges.last, nkeys, &tot);
    /* next: a full page that is not known to be the last one */
    char *next = NULL, *prev = NULL;
    bool at_end = (p.page_last && !p.cursor) || (exact && page * p.page_size >= total);
    if (edges.nrows > 0 && (int64_t)edges.nrows >= p.page_size && !at_end) {
        struct db_cursor c = {.page = page + 1, .prev = false, .keys = edges.last,
                              .nkeys = nkeys};
        next = db_cursor_encode(&q, p.page_size, &c);
    }
    if (page > 1) {
        struct db_cursor c = {.page = page - 1, .prev = true, .keys = edges.first,
                              .nkeys = edges.first ? nkeys : 0};
        prev = db_cursor_encode(&q, p.page_size, &c);
    }
    int bad = buf_printf(&body,
                         "],\"total_rows\":%lld,\"total_rows_exact\":%s,\"count_pending\":%s,"
                         "\"page\":%lld,\"page_size\":%lld",
                         (long long)total, exact ? "true" : "false",
                         tot.pending ? "true" : "false", (long long)page, (long long)p.page_size);
    bad |= put_cursor(&body, "next_cursor", next);
    bad |= put_cursor(&body, "prev_cursor", prev);
    bad |= api_labels_write(edges.labels, &body);
    bad |= buf_putc(&body, '}');
    if (bad) {
        seeki_fail(&err, SEEKI_E_BAD_PARAM,
                   "This page of '%s' is too large; ask for fewer rows with a smaller page_size",
                   t->name);
        goto fail;
    }
    /* Hand the page over without copying it. */
    http_resp_set(resp, 200, API_JSON, "", 0);
    buf_free(&resp->body);
    resp->body = body;
    goto done;
fail:
    http_resp_fail(resp, &err, req->id);
    buf_free(&body);
done:
    free(cols);
    edges_free(&edges);
    db_keyvals_free(plan.boundary, plan.nboundary);
    db_cursor_free(&cur);
    api_rows_req_free(&p);
}
