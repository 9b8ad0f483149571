/* The PostgreSQL engine (pgdb_): libpq connections in a db_pool, read-only
 * by construction (session options pin default_transaction_read_only, the
 * statement timeout, DateStyle/IntervalStyle/TimeZone), rows streamed in
 * single-row mode and cancelled when abandoned, estimates, change tokens and
 * budgeted exact counts for db/counts.c, and broken connections replaced on
 * next use.
 * docs/postgresql.md describes the behaviour for users. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/pg/pg_int.h"
#include "db/sql/sql.h"
#include "log.h"
#include "util/mem.h"

/* Rows a reverse page (page=last) may hold in memory. */
#define PG_REVERSE_MAX 100000
/* Exports read through a cursor, this many rows per FETCH: the statement
 * timeout bounds each FETCH (the work between two batches), not the whole
 * export, as SQLite's bounds each step. */
#define PG_FETCH_ROWS 5000
#define PG_CURSOR "seeki_export"
#define PG_STR_(x) #x
#define SEEKI_STR(x) PG_STR_(x)

struct pg_iter {
    struct db_iter base;
    struct pg_engine *e;
    struct pg_conn *c; /* NULL once returned to the pool */
    const struct db_table *t;
    struct db_cell *row;
    size_t nrow;   /* cells allocated in row */
    bool keys_only;
    PGresult *res;  /* the current result (one row when streaming) */
    bool stream;    /* single-row mode; else res holds the whole page */
    bool handed;    /* res's row went out: fetch the next on the next call */
    int next_index; /* full mode: rows handed out so far */
    bool done;
    bool cursor;    /* an export: rows come from FETCHes inside a read-only transaction */
    int batch_rows; /* rows of the current FETCH so far */
};

/* ---- connections ------------------------------------------------------------ */

/* "H:P" and "host=H:P db=D user=U" of a connection (live or failed). */
static void pg_describe(PGconn *pg, char *hostport, size_t hpcap, char *where, size_t wcap)
{
    const char *h = pg ? PQhost(pg) : NULL;
    const char *p = pg ? PQport(pg) : NULL;
    const char *d = pg ? PQdb(pg) : NULL;
    const char *u = pg ? PQuser(pg) : NULL;
    snprintf(hostport, hpcap, "%s:%s", h && *h ? h : "localhost", p && *p ? p : "5432");
    snprintf(where, wcap, "host=%s db=%s user=%s", hostport, d && *d ? d : "?",
             u && *u ? u : "?");
}

static void pg_disconnect(void *ctx, void *conn)
{
    (void)ctx;
    struct pg_conn *c = conn;
    if (!c)
        return;
    PQfinish(c->pg);
    free(c);
}

static enum seeki_code pg_connect(void *ctx, void **out, struct seeki_err *err)
{
    struct pg_engine *e = ctx;
    const struct pgdb_params *p = e->params;
    PGconn *pg = PQconnectdbParams((const char *const *)p->keys, (const char *const *)p->vals, 0);
    char hostport[300], where[512];
    if (!pg)
        return seeki_fail(err, SEEKI_E_DB_UNAVAILABLE,
                          "Database unavailable: out of memory opening a PostgreSQL connection");
    if (PQstatus(pg) != CONNECTION_OK) {
        pg_describe(pg, hostport, sizeof hostport, where, sizeof where);
        enum seeki_code rc =
            pgdb_connect_error(PQerrorMessage(pg), hostport, where, !e->started, err);
        log_warn("db", "PostgreSQL connection to %s failed", where);
        PQfinish(pg);
        return rc;
    }
    if (!e->started) { /* single-threaded: db_open has not returned yet */
        pg_describe(pg, hostport, sizeof hostport, where, sizeof where);
        const char *d = PQdb(pg), *u = PQuser(pg), *v = PQparameterStatus(pg, "server_version");
        snprintf(e->where, sizeof e->where, "%s/%s user=%s", hostport, d ? d : "?", u ? u : "?");
        snprintf(e->user, sizeof e->user, "%s", u ? u : "?");
        snprintf(e->version, sizeof e->version, "%.*s", v ? (int)strcspn(v, " ") : 1,
                 v ? v : "?");
    }
    struct pg_conn *c = xcalloc(1, sizeof *c);
    c->pg = pg;
    *out = c;
    return SEEKI_E_OK;
}

static const struct db_pool_ops pg_pool_ops = {pg_connect, pg_disconnect};

/* Borrows a connection that still looks alive: an idle one whose server went
 * away (restart) is noticed by reading what is pending on its socket, closed,
 * and replaced. */
static enum seeki_code pg_borrow(struct pg_engine *e, const struct db_pool_want *want,
                                 struct pg_conn **out, struct seeki_err *err)
{
    *out = NULL;
    for (int tries = 0; tries <= e->base.cfg->max_connections; tries++) {
        void *v = NULL;
        enum seeki_code rc = db_pool_get(e->pool, want, &v, err);
        if (rc != SEEKI_E_OK)
            return rc;
        struct pg_conn *c = v;
        if (c->used) {
            PQconsumeInput(c->pg);
            if (PQstatus(c->pg) != CONNECTION_OK ||
                PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
                log_info("db", "discarding a broken PostgreSQL connection");
                db_pool_put(e->pool, c, true);
                continue;
            }
        }
        *out = c;
        return SEEKI_E_OK;
    }
    return seeki_fail(err, SEEKI_E_DB_UNAVAILABLE,
                      "Database unavailable: every PostgreSQL connection broke; retry in a "
                      "moment");
}

/* Reads and frees results until the connection is idle again. */
static void pg_drain(PGconn *pg)
{
    PGresult *r;
    while ((r = PQgetResult(pg)) != NULL)
        PQclear(r);
}

/* Fills f from a failed result (r may be NULL). Pointers borrow r / pg. */
static void pg_fail_of(PGconn *pg, const PGresult *r, struct pgdb_fail *f)
{
    f->sqlstate = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    f->message = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!f->message)
        f->message = PQerrorMessage(pg);
    f->conn_bad = PQstatus(pg) == CONNECTION_BAD;
}

/* Returns c to the pool: broken when the connection is bad or not idle. */
static void pg_release(struct pg_engine *e, struct pg_conn *c, bool broken)
{
    if (!c)
        return;
    if (!broken && (PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) != PQTRANS_IDLE))
        broken = true;
    db_pool_put(e->pool, c, broken);
}

static void pg_param_texts(const struct db_sql *sql, const char **vals)
{
    for (size_t i = 0; i < sql->nparams; i++)
        vals[i] = sql->params[i].text;
}

/* Sends the next FETCH of an export's cursor in single-row mode. */
static bool pg_send_fetch(PGconn *pg)
{
    static const char fetch[] = "FETCH FORWARD " SEEKI_STR(PG_FETCH_ROWS) " FROM " PG_CURSOR;
    log_trace("db", "postgres: %s", fetch);
    return PQsendQuery(pg, fetch) && PQsetSingleRowMode(pg);
}

/* Opens an export's cursor on c: BEGIN READ ONLY, DECLARE (sql with its
 * parameters), then the first FETCH is sent. NULL on success, else the
 * failed result (or NULL result with *sent false: the connection broke). */
static PGresult *pg_open_cursor(PGconn *pg, const struct db_sql *sql, const char **vals,
                                bool *sent)
{
    *sent = false;
    PGresult *r = PQexec(pg, "BEGIN READ ONLY");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return r;
    PQclear(r);
    char *decl = xasprintf("DECLARE " PG_CURSOR " NO SCROLL CURSOR FOR %s", sql->text);
    r = PQexecParams(pg, decl, (int)sql->nparams, NULL, vals, NULL, NULL, 0);
    free(decl);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return r;
    PQclear(r);
    *sent = pg_send_fetch(pg);
    return NULL;
}

/* Sends sql and reads its first result (one row in stream mode, else all).
 * A connection that turns out dead on its first use here is replaced and
 * the statement retried, so the first request after a server restart works.
 * On success *cp holds the connection and *rp the first result. */
static enum seeki_code pg_start(struct pg_engine *e, const struct db_sql *sql, bool stream,
                                bool cursor, const struct db_query *q, struct pg_conn **cp,
                                PGresult **rp, struct seeki_err *err)
{
    *cp = NULL;
    *rp = NULL;
    const char **vals = xcalloc(sql->nparams + 1, sizeof *vals);
    pg_param_texts(sql, vals);
    enum seeki_code rc = SEEKI_E_OK;
    struct db_pool_want want;
    db_pool_want_of(q, e->timeout_ms, &want);
    for (int attempt = 0;; attempt++) {
        struct pg_conn *c = NULL;
        rc = pg_borrow(e, &want, &c, err);
        if (rc != SEEKI_E_OK)
            break;
        bool reused = c->used;
        c->used = true;
        log_trace("db", "postgres: %s", sql->text);
        PGresult *r = NULL;
        if (cursor) {
            bool sent = false;
            r = pg_open_cursor(c->pg, sql, vals, &sent);
            if (sent)
                r = PQgetResult(c->pg);
        } else if (PQsendQueryParams(c->pg, sql->text, (int)sql->nparams, NULL, vals, NULL, NULL,
                                     0)) {
            /* without single-row mode an export would hold the whole result in
             * memory: never go on without it */
            if (stream && !PQsetSingleRowMode(c->pg)) {
                pg_drain(c->pg);
                pg_release(e, c, false);
                rc = seeki_fail(err, SEEKI_E_INTERNAL,
                                "Could not stream rows from PostgreSQL (single-row mode refused); "
                                "try again, and report this if it persists");
                break;
            }
            r = PQgetResult(c->pg);
        }
        ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE || st == PGRES_COMMAND_OK) {
            *cp = c;
            *rp = r;
            break;
        }
        struct pgdb_fail f;
        pg_fail_of(c->pg, r, &f);
        bool broken = pgdb_fail_is_broken(&f);
        if (broken && reused && attempt < e->base.cfg->max_connections) {
            PQclear(r);
            db_pool_put(e->pool, c, true);
            continue;
        }
        rc = pgdb_fail_map(&f, q, e->user, e->timeout_ms, err);
        PQclear(r);
        if (!broken)
            pg_drain(c->pg);
        if (!broken && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
            PQclear(PQexec(c->pg, "ROLLBACK")); /* the export's transaction */
        pg_release(e, c, broken);
        break;
    }
    free(vals);
    return rc;
}

/* ---- rows --------------------------------------------------------------------- */

/* Cells of one result row. The statement's result columns decide the count
 * (with_keys / keys_only queries carry other cells than table->ncols), so
 * it->row grows to fit. */
static void pg_fill_row(struct pg_iter *it, const PGresult *r, int tup)
{
    int nf = PQnfields(r);
    size_t ncols = nf > 0 ? (size_t)nf : 0;
    if (ncols < it->t->ncols && !it->keys_only)
        ncols = it->t->ncols;
    if (ncols > it->nrow) {
        it->row = xrealloc(it->row, ncols * sizeof *it->row);
        it->nrow = ncols;
    }
    struct db_cell *row = it->row;
    for (size_t i = 0; i < ncols; i++) {
        struct db_cell *cell = &row[i];
        memset(cell, 0, sizeof *cell);
        if ((int)i >= nf || PQgetisnull(r, tup, (int)i)) {
            cell->kind = DB_CELL_NULL;
            continue;
        }
        cell->kind = DB_CELL_TEXT;
        cell->s = PQgetvalue(r, tup, (int)i);
        cell->len = (size_t)PQgetlength(r, tup, (int)i);
    }
}

/* Gives the connection back. Mid-stream (the client went away) the running
 * query is cancelled and its results drained first. */
static void pg_iter_release(struct pg_iter *it)
{
    struct pg_conn *c = it->c;
    if (!c)
        return;
    it->c = NULL;
    bool broken = false;
    if (!it->done) {
        PGcancel *cancel = PQgetCancel(c->pg);
        char buf[256];
        if (!cancel || !PQcancel(cancel, buf, (int)sizeof buf))
            broken = true;
        PQfreeCancel(cancel);
        pg_drain(c->pg);
    }
    if (!broken && PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        PQclear(PQexec(c->pg, "ROLLBACK")); /* an export's cursor */
    pg_release(it->e, c, broken);
}

static void pg_iter_close(struct db_iter *base)
{
    struct pg_iter *it = (struct pg_iter *)base;
    PQclear(it->res);
    it->res = NULL;
    pg_iter_release(it);
    free(it->row);
    free(it);
}

static enum seeki_code pg_iter_next(struct db_iter *base, const struct db_cell **row,
                                    struct seeki_err *err)
{
    struct pg_iter *it = (struct pg_iter *)base;
    if (it->done)
        return SEEKI_E_OK;
    if (!it->stream) { /* reverse page: hand the rows out last to first */
        int n = it->res ? PQntuples(it->res) : 0;
        if (it->next_index >= n) {
            it->done = true;
            return SEEKI_E_OK;
        }
        pg_fill_row(it, it->res, n - 1 - it->next_index++);
        *row = it->row;
        return SEEKI_E_OK;
    }
    if (it->handed) {
        PQclear(it->res);
        it->res = PQgetResult(it->c->pg);
        it->handed = false;
    }
    ExecStatusType st = it->res ? PQresultStatus(it->res) : PGRES_FATAL_ERROR;
    if (st == PGRES_TUPLES_OK && it->cursor && it->batch_rows == PG_FETCH_ROWS) {
        /* a full batch: there may be more */
        PQclear(it->res);
        pg_drain(it->c->pg);
        it->batch_rows = 0;
        it->res = pg_send_fetch(it->c->pg) ? PQgetResult(it->c->pg) : NULL;
        st = it->res ? PQresultStatus(it->res) : PGRES_FATAL_ERROR;
    }
    if (st == PGRES_SINGLE_TUPLE) {
        pg_fill_row(it, it->res, 0);
        it->handed = true;
        it->batch_rows++;
        *row = it->row;
        return SEEKI_E_OK;
    }
    it->done = true;
    if (st == PGRES_TUPLES_OK) {
        PQclear(it->res);
        it->res = NULL;
        pg_drain(it->c->pg);
        if (it->cursor)
            PQclear(PQexec(it->c->pg, "COMMIT"));
        pg_release(it->e, it->c, false);
        it->c = NULL;
        return SEEKI_E_OK;
    }
    struct pgdb_fail f;
    pg_fail_of(it->c->pg, it->res, &f);
    struct db_query q = {.table = it->t};
    enum seeki_code rc = pgdb_fail_map(&f, &q, it->e->user, it->e->timeout_ms, err);
    bool broken = pgdb_fail_is_broken(&f);
    PQclear(it->res);
    it->res = NULL;
    if (!broken)
        pg_drain(it->c->pg);
    if (!broken && it->cursor)
        PQclear(PQexec(it->c->pg, "ROLLBACK"));
    pg_release(it->e, it->c, broken);
    it->c = NULL;
    return rc;
}

static const struct db_iter_ops pg_iter_ops = {pg_iter_next, pg_iter_close};

/* Sends a built statement and wraps it in an iterator (stream: single-row
 * mode, or with cursor a server-side cursor read in batches; else the whole
 * result is read and handed out last to first, for a reverse page). */
static enum seeki_code pg_open(struct pg_engine *e, const struct db_sql *sql,
                               const struct db_query *q, bool stream, bool cursor,
                               struct db_iter **out, struct seeki_err *err)
{
    struct pg_iter *it = xcalloc(1, sizeof *it);
    it->base.ops = &pg_iter_ops;
    it->e = e;
    it->t = q->table;
    it->stream = stream;
    it->cursor = cursor;
    it->keys_only = q->keys_only;
    it->nrow = q->table->ncols ? q->table->ncols : 1;
    it->row = xcalloc(it->nrow, sizeof *it->row);
    /* The statement is sent (and its first row read) now: nothing of q is
     * needed afterwards, so the caller may free it while exporting. */
    enum seeki_code rc = pg_start(e, sql, it->stream, it->cursor, q, &it->c, &it->res, err);
    if (rc == SEEKI_E_OK && !it->stream) {
        pg_drain(it->c->pg); /* the whole page is in res: the connection is free */
        pg_release(e, it->c, false);
        it->c = NULL;
    }
    if (rc != SEEKI_E_OK) {
        pg_iter_close(&it->base);
        return rc;
    }
    *out = &it->base;
    return SEEKI_E_OK;
}

static enum seeki_code pg_rows_open(struct db_engine *base, const struct db_query *q,
                                    struct db_iter **out, struct seeki_err *err)
{
    struct pg_engine *e = (struct pg_engine *)base;
    if (q->reverse && (q->limit < 0 || q->limit > PG_REVERSE_MAX))
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Reading table '%s' backwards needs a page size from 0 to %d",
                          q->table->name, PG_REVERSE_MAX);
    struct db_sql sql;
    enum seeki_code rc = db_sql_select(DB_SQL_PG, q, &sql, err);
    if (rc != SEEKI_E_OK)
        return rc;
    rc = pg_open(e, &sql, q, !q->reverse, q->bulk && !q->reverse && q->limit < 0, out, err);
    db_sql_free(&sql);
    return rc;
}

static enum seeki_code pg_sql_open(struct db_engine *base, const struct db_sql *sql,
                                   const struct db_query *q, struct db_iter **out,
                                   struct seeki_err *err)
{
    return pg_open((struct pg_engine *)base, sql, q, true, false, out, err);
}

/* ---- counts ----------------------------------------------------------------------- */

/* Runs sql on c and returns its result (status TUPLES_OK/COMMAND_OK) or maps
 * the failure into err (result NULL; *broken set). */
static PGresult *pg_exec(struct pg_engine *e, struct pg_conn *c, const struct db_sql *sql,
                         const char *text, const struct db_query *q, bool *broken,
                         enum seeki_code *rc, char *state, struct seeki_err *err)
{
    const char **vals = NULL;
    int n = 0;
    if (sql) {
        vals = xcalloc(sql->nparams + 1, sizeof *vals);
        pg_param_texts(sql, vals);
        n = (int)sql->nparams;
        text = sql->text;
    }
    log_trace("db", "postgres: %s", text);
    c->used = true;
    /* plain text (no parameters) may hold several statements: simple protocol */
    PGresult *r = sql ? PQexecParams(c->pg, text, n, NULL, vals, NULL, NULL, 0)
                      : PQexec(c->pg, text);
    free(vals);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return r;
    struct pgdb_fail f;
    pg_fail_of(c->pg, r, &f);
    if (state) /* 6 bytes */
        snprintf(state, 6, "%s", f.sqlstate ? f.sqlstate : "");
    *broken = pgdb_fail_is_broken(&f);
    *rc = pgdb_fail_map(&f, q, e->user, e->timeout_ms, err);
    PQclear(r);
    return NULL;
}

/* One catalog read for q's table: the estimate of a whole table (reltuples
 * scaled to the table's current size, as the planner does; -1 before the
 * first ANALYZE or for views) and the change token. The token is the
 * server's start time, and for tables and materialized views also the
 * relfilenode (TRUNCATE, VACUUM FULL, REFRESH change it) and the row change
 * counters of the statistics system (they lag a committed change by up to
 * a few seconds). */
static const char PG_FACTS_SQL[] =
    "SELECT CASE WHEN c.relkind IN ('r', 'm') AND c.reltuples >= 0 THEN "
    "CASE WHEN c.relpages > 0 THEN c.reltuples / c.relpages * "
    "ceil(pg_catalog.pg_relation_size(c.oid) / "
    "current_setting('block_size')::float8) ELSE c.reltuples END END::float8, "
    "c.relkind IN ('r', 'm'), "
    "extract(epoch FROM pg_catalog.pg_postmaster_start_time())::text || '/' || "
    "c.relfilenode || '/' || coalesce(pg_catalog.pg_stat_get_tuples_inserted(c.oid) + "
    "pg_catalog.pg_stat_get_tuples_updated(c.oid) + "
    "pg_catalog.pg_stat_get_tuples_deleted(c.oid), 0) "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relname = $2";

static bool pg_table_facts(struct pg_conn *c, const struct db_table *t, int64_t *est,
                           char *version, bool *tracked)
{
    const char *vals[2] = {t->schema, t->relname};
    log_trace("db", "postgres: %s", PG_FACTS_SQL);
    PGresult *r = PQexecParams(c->pg, PG_FACTS_SQL, 2, NULL, vals, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (ok && PQntuples(r) == 1) {
        *est = PQgetisnull(r, 0, 0) ? -1 : (int64_t)strtod(PQgetvalue(r, 0, 0), NULL);
        *tracked = PQgetvalue(r, 0, 1)[0] == 't';
        snprintf(version, DB_VERSION_MAX, "%s", PQgetvalue(r, 0, 2));
        if (!*tracked) /* a view: the server's start time only */
            version[strcspn(version, "/")] = '\0';
    }
    PQclear(r);
    return ok;
}

/* The planner's row estimate for q's rows. */
static bool pg_plan_rows(struct pg_engine *e, struct pg_conn *c, const struct db_query *q,
                         int64_t *n, bool *broken, enum seeki_code *rc, struct seeki_err *err)
{
    struct db_query plain = *q;
    plain.nsorts = 0;
    plain.offset = 0;
    plain.limit = -1;
    plain.reverse = false;
    plain.seek = NULL;
    plain.nseek = 0;
    plain.with_keys = plain.keys_only = false;
    struct db_sql sql;
    *rc = db_sql_select(DB_SQL_PG, &plain, &sql, err);
    if (*rc != SEEKI_E_OK)
        return false;
    char *text = xasprintf("EXPLAIN (FORMAT JSON) %s", sql.text);
    free(sql.text);
    sql.text = text;
    PGresult *r = pg_exec(e, c, &sql, NULL, q, broken, rc, NULL, err);
    db_sql_free(&sql);
    bool ok = r && PQntuples(r) >= 1 && pgdb_explain_rows(PQgetvalue(r, 0, 0), n);
    PQclear(r);
    return ok;
}

static enum seeki_code pg_estimate(struct db_engine *base, const struct db_query *q, int64_t *n,
                                   char *version, bool *tracked, struct seeki_err *err)
{
    struct pg_engine *e = (struct pg_engine *)base;
    struct pg_conn *c = NULL;
    struct db_pool_want want;
    db_pool_want_of(q, e->timeout_ms, &want);
    want.bulk = false;
    want.wait_ms = 0;
    enum seeki_code rc = pg_borrow(e, &want, &c, err);
    if (rc != SEEKI_E_OK)
        return rc;
    *n = -1;
    *tracked = false;
    version[0] = '\0';
    c->used = true;
    bool broken = false;
    if (!pg_table_facts(c, q->table, n, version, tracked) && PQstatus(c->pg) == CONNECTION_BAD) {
        /* found dead on first use (a restart): the rows query will say so */
        broken = true;
    } else if (!db_query_is_plain(q) || *n < 0) {
        int64_t plan = -1;
        if (pg_plan_rows(e, c, q, &plan, &broken, &rc, err))
            *n = plan;
        else if (rc != SEEKI_E_OK && broken)
            goto out;
        else if (rc != SEEKI_E_OK) /* an EXPLAIN that fails: no estimate, the count decides */
            log_debug("db", "no plan estimate for '%s': %s", q->table->name, err->msg);
        seeki_err_clear(err);
        rc = SEEKI_E_OK;
    }
out:
    pg_release(e, c, broken);
    return rc;
}

/* Waits for the statement sent on c, polling every 100 ms for want->gone
 * (then cancels it). Returns the last result (NULL when the connection
 * broke); the connection is idle again afterwards unless it broke. */
static PGresult *pg_wait_result(PGconn *pg, const struct db_pool_want *want)
{
    PGresult *last = NULL;
    bool cancelled = false;
    for (;;) {
        while (!PQisBusy(pg)) {
            PGresult *r = PQgetResult(pg);
            if (!r)
                return last;
            PQclear(last);
            last = r;
        }
        struct pollfd p = {.fd = PQsocket(pg), .events = POLLIN};
        if (p.fd < 0)
            break;
        int pr = poll(&p, 1, 100);
        if (pr < 0 && errno != EINTR)
            break;
        if (!cancelled && want && want->gone && want->gone(want->gone_arg)) {
            PGcancel *cancel = PQgetCancel(pg);
            char buf[256];
            if (cancel)
                PQcancel(cancel, buf, (int)sizeof buf);
            PQfreeCancel(cancel);
            cancelled = true;
        }
        if (pr > 0 && !PQconsumeInput(pg))
            break;
    }
    PQclear(last);
    return NULL;
}

static enum seeki_code pg_count(struct db_engine *base, const struct db_query *q, int budget_ms,
                                const struct db_pool_want *want, int64_t *n,
                                struct seeki_err *err)
{
    struct pg_engine *e = (struct pg_engine *)base;
    struct pg_conn *c = NULL;
    struct db_sql sql;
    enum seeki_code rc = db_sql_count(DB_SQL_PG, q, &sql, err);
    if (rc != SEEKI_E_OK)
        return rc;
    rc = pg_borrow(e, want, &c, err);
    if (rc != SEEKI_E_OK) {
        db_sql_free(&sql);
        return rc;
    }
    bool broken = false;
    int budget = budget_ms > 0 && budget_ms < e->timeout_ms ? budget_ms : e->timeout_ms;
    char begin[96];
    snprintf(begin, sizeof begin, "BEGIN READ ONLY; SET LOCAL statement_timeout = %d", budget);
    PGresult *b = pg_exec(e, c, NULL, begin, q, &broken, &rc, NULL, err);
    if (b) {
        PQclear(b);
        const char **vals = xcalloc(sql.nparams + 1, sizeof *vals);
        pg_param_texts(&sql, vals);
        log_trace("db", "postgres: %s", sql.text);
        PGresult *r = PQsendQueryParams(c->pg, sql.text, (int)sql.nparams, NULL, vals, NULL,
                                        NULL, 0)
                          ? pg_wait_result(c->pg, want)
                          : NULL;
        free(vals);
        if (PQresultStatus(r) == PGRES_TUPLES_OK) {
            *n = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
        } else {
            struct pgdb_fail f;
            pg_fail_of(c->pg, r, &f);
            broken = pgdb_fail_is_broken(&f);
            if (f.sqlstate && strcmp(f.sqlstate, "57014") == 0)
                rc = want && want->gone && want->gone(want->gone_arg)
                         ? seeki_fail(err, SEEKI_E_BUSY, "the count of '%s' was cancelled",
                                      q->table->name)
                         : seeki_fail(err, SEEKI_E_TIMEOUT,
                                      "Counting the rows of '%s' took longer than %d ms",
                                      q->table->name, budget);
            else
                rc = pgdb_fail_map(&f, q, e->user, e->timeout_ms, err);
        }
        PQclear(r);
        if (!broken)
            PQclear(PQexec(c->pg, rc == SEEKI_E_OK ? "COMMIT" : "ROLLBACK"));
    }
    pg_release(e, c, broken);
    db_sql_free(&sql);
    return rc;
}

/* ---- ping, open, close --------------------------------------------------------------- */

/* The status route's probe never waits for a busy pool (SEEKI_E_BUSY). */
static const struct db_pool_want ping_want = {.wait_ms = -1};

static enum seeki_code pg_ping(struct db_engine *base, struct seeki_err *err)
{
    struct pg_engine *e = (struct pg_engine *)base;
    struct pg_conn *c = NULL;
    enum seeki_code rc = pg_borrow(e, &ping_want, &c, err);
    if (rc != SEEKI_E_OK)
        return rc;
    bool broken = false;
    PGresult *r = pg_exec(e, c, NULL, "SELECT 1", NULL, &broken, &rc, NULL, err);
    PQclear(r);
    pg_release(e, c, broken);
    return rc;
}

static enum seeki_code pg_load_tables(struct db_engine *base, struct db_table **tables, size_t *n,
                                      struct seeki_err *err)
{
    struct pg_engine *e = (struct pg_engine *)base;
    struct pg_conn *c = NULL;
    enum seeki_code rc = pg_borrow(e, NULL, &c, err);
    if (rc != SEEKI_E_OK)
        return rc;
    rc = pgdb_load_tables(e, c, tables, n, err);
    pg_release(e, c, false);
    return rc;
}

static void pg_opened(struct db_engine *base)
{
    struct pg_engine *e = (struct pg_engine *)base;
    e->started = true;
    log_info("db", "connected to PostgreSQL %s at %s (%zu tables)", e->version, e->where,
             e->base.catalog.ntables);
}

static void pg_destroy(struct db_engine *base)
{
    struct pg_engine *e = (struct pg_engine *)base;
    db_pool_destroy(e->pool);
    pgdb_params_free(e->params);
    free(e);
}

static const struct db_engine_ops pg_ops = {
    .kind_name = "postgres",
    .dialect = DB_SQL_PG,
    .default_schema = "public",
    .load_tables = pg_load_tables,
    .rows_open = pg_rows_open,
    .count_inline_below = 100000,
    .estimate = pg_estimate,
    .count = pg_count,
    .sql_open = pg_sql_open,
    .ping = pg_ping,
    .destroy = pg_destroy,
    .opened = pg_opened,
};

enum seeki_code pgdb_open(const struct cfg *cfg, int tunnel_port, struct db_engine **out,
                          struct seeki_err *err)
{
    *out = NULL;
    struct pg_engine *e = xcalloc(1, sizeof *e);
    e->base.ops = &pg_ops;
    e->base.cfg = cfg;
    e->timeout_ms = cfg->statement_timeout_ms > 0 ? cfg->statement_timeout_ms : 30000;
    snprintf(e->user, sizeof e->user, "?");
    enum seeki_code rc = pgdb_params_build(cfg, tunnel_port, &e->params, err);
    if (rc != SEEKI_E_OK) {
        free(e);
        return rc;
    }
    e->pool = db_pool_new(cfg->max_connections, db_pool_wait_for(e->timeout_ms), &pg_pool_ops, e);
    /* one connection now, so an unreachable database fails at startup; and
     * proof that the session really is read-only */
    struct pg_conn *c = NULL;
    rc = pg_borrow(e, NULL, &c, err);
    if (rc != SEEKI_E_OK)
        goto fail;
    bool broken = false;
    PGresult *r = pg_exec(e, c, NULL, "SHOW default_transaction_read_only", NULL, &broken, &rc,
                          NULL, err);
    if (r && strcmp(PQgetvalue(r, 0, 0), "on") != 0)
        rc = seeki_fail(err, SEEKI_E_DB,
                        "PostgreSQL session at %s is not read-only "
                        "(default_transaction_read_only is off); SeeKi refuses to browse "
                        "without it. Check the `options` in database.url",
                        e->where);
    PQclear(r);
    pg_release(e, c, broken);
    if (rc != SEEKI_E_OK)
        goto fail;
    *out = &e->base;
    return SEEKI_E_OK;
fail:
    pg_destroy(&e->base);
    return rc;
}
