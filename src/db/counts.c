/* Counts that never hold a page up (db_count, db_count_wait; the rules are
 * in docs/paging.md "Counts"). Per view -- table, search, filters -- a small
 * cache keeps the last exact count with the table's change token from the
 * engine's estimate (PostgreSQL: server start, relfilenode and the row
 * change counters; SQLite: the database and WAL files' size and mtime). A
 * request gets, in this order: a cached exact count whose token still
 * matches and which is younger than its life; an exact count made in line
 * when the estimate is small (under a short budget); else the estimate, and
 * the view goes on a queue that one background thread counts exactly, as a
 * bulk borrower of the pool (never the last connection, never ahead of a
 * waiting export) under the statement timeout. The cache is bounded
 * (COUNT_CACHE_MAX views, least recently used out first; a view whose key is
 * longer than COUNT_KEY_MAX is never cached) and empty after every start. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_int.h"
#include "log.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/mem.h"

#define COUNT_CACHE_MAX 256
#define COUNT_QUEUE_MAX 16
#define COUNT_KEY_MAX 4096
#define COUNT_RETRY_MS 200 /* a queued count that found no free connection tries again */

/* Estimates below the engine's count_inline_below (or this, when a test set
 * it) are counted exactly in line, within count_inline_ms. */
static int64_t count_small = -1;
static int count_inline_ms = 1000;
/* How long an exact count is served: tracked tables (the token sees row
 * changes) and untracked views (only a restart shows). */
static int count_ttl_ms = 60000;
static int count_ttl_untracked_ms = 10000;

enum count_state {
    COUNT_IDLE,    /* nothing to do: n is valid when exact */
    COUNT_QUEUED,  /* waiting for the worker */
    COUNT_RUNNING, /* the worker is counting it */
    COUNT_SLOW     /* the last exact count ran past the statement timeout */
};

/* A private copy of a view, for the worker. */
struct count_view {
    struct db_query q;
    char *search;
    struct db_filter *filters;
};

struct count_entry {
    char *key; /* NULL: free slot */
    enum count_state state;
    bool exact;                    /* n holds an exact count (of version) */
    int64_t n;
    char version[DB_VERSION_MAX];  /* the change token n was counted under */
    bool tracked;
    int64_t at_ms;   /* when n was counted (or found too slow) */
    int64_t used_ms; /* last asked for (eviction) */
    uint64_t seq;    /* queue order */
    struct count_view *view; /* while QUEUED or RUNNING */
};

struct db_counts {
    struct db_engine *e;
    pthread_mutex_t mu;
    pthread_cond_t work; /* the worker: a view was queued, or stop */
    pthread_cond_t done; /* waiters: a count finished */
    struct count_entry entries[COUNT_CACHE_MAX];
    uint64_t seq;
    atomic_bool stop;
    pthread_t thread;
    bool started;
};

#ifdef SEEKI_UNIT
void db_counts_set_limits(int64_t small, int inline_ms, int ttl_ms)
{
    count_small = small;
    count_inline_ms = inline_ms;
    count_ttl_ms = ttl_ms;
    count_ttl_untracked_ms = ttl_ms;
}
#endif

/* ---- views ------------------------------------------------------------------ */

/* table, search and filters as one unambiguous string (lengths first), or
 * NULL past COUNT_KEY_MAX. */
static char *view_key(const struct db_query *q)
{
    struct buf b;
    buf_init(&b, COUNT_KEY_MAX);
    const char *s = q->search && *q->search ? q->search : "";
    int bad = buf_printf(&b, "%p|%zu:", (const void *)q->table, strlen(s)) || buf_puts(&b, s);
    for (size_t i = 0; i < q->nfilters && !bad; i++) {
        const struct db_filter *f = &q->filters[i];
        if (f->op == DB_F_NONE)
            continue;
        const char *a = f->a ? f->a : "", *bb = f->b ? f->b : "";
        bad |= buf_printf(&b, "|%zu,%d,%zu:", f->col, (int)f->op, strlen(a)) || buf_puts(&b, a);
        bad |= buf_printf(&b, ",%zu:", strlen(bb)) || buf_puts(&b, bb);
    }
    if (bad) {
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b);
}

static struct count_view *view_copy(const struct db_query *q)
{
    struct count_view *v = xcalloc(1, sizeof *v);
    v->q.table = q->table;
    v->q.limit = -1;
    if (q->search && *q->search)
        v->search = xstrdup(q->search);
    v->q.search = v->search;
    if (q->nfilters) {
        v->filters = xcalloc(q->nfilters, sizeof *v->filters);
        for (size_t i = 0; i < q->nfilters; i++) {
            v->filters[i] = q->filters[i];
            v->filters[i].a = q->filters[i].a ? xstrdup(q->filters[i].a) : NULL;
            v->filters[i].b = q->filters[i].b ? xstrdup(q->filters[i].b) : NULL;
        }
    }
    v->q.filters = v->filters;
    v->q.nfilters = q->nfilters;
    return v;
}

static void view_free(struct count_view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->q.nfilters; i++)
        db_filter_free(&v->filters[i]);
    free(v->filters);
    free(v->search);
    free(v);
}

/* ---- the cache (lock held) ---------------------------------------------------- */

static struct count_entry *find(struct db_counts *c, const char *key)
{
    for (size_t i = 0; key && i < COUNT_CACHE_MAX; i++)
        if (c->entries[i].key && strcmp(c->entries[i].key, key) == 0)
            return &c->entries[i];
    return NULL;
}

/* A free slot, else the least recently used idle one (emptied). */
static struct count_entry *slot(struct db_counts *c)
{
    struct count_entry *lru = NULL;
    for (size_t i = 0; i < COUNT_CACHE_MAX; i++) {
        struct count_entry *x = &c->entries[i];
        if (!x->key)
            return x;
        if ((x->state == COUNT_IDLE || x->state == COUNT_SLOW) &&
            (!lru || x->used_ms < lru->used_ms))
            lru = x;
    }
    if (lru) {
        free(lru->key);
        memset(lru, 0, sizeof *lru);
    }
    return lru;
}

static struct count_entry *find_or_add(struct db_counts *c, const char *key)
{
    struct count_entry *x = find(c, key);
    if (!x && key && (x = slot(c)) != NULL)
        x->key = xstrdup(key);
    return x;
}

static int ttl_of(const struct count_entry *x)
{
    return x->tracked ? count_ttl_ms : count_ttl_untracked_ms;
}

static bool fresh(const struct count_entry *x, const char *version, int64_t now)
{
    return strcmp(x->version, version) == 0 && now - x->at_ms < ttl_of(x);
}

static void store(struct count_entry *x, int64_t n, const char *version, bool tracked,
                  int64_t now)
{
    x->exact = true;
    x->n = n;
    snprintf(x->version, sizeof x->version, "%s", version);
    x->tracked = tracked;
    x->at_ms = now;
    x->used_ms = now;
}

static size_t queued(const struct db_counts *c)
{
    size_t n = 0;
    for (size_t i = 0; i < COUNT_CACHE_MAX; i++)
        n += c->entries[i].key && c->entries[i].state == COUNT_QUEUED;
    return n;
}

/* ---- the worker ------------------------------------------------------------------ */

static bool stopping(void *arg)
{
    return atomic_load(&((struct db_counts *)arg)->stop);
}

static struct count_entry *next_job(struct db_counts *c)
{
    struct count_entry *best = NULL;
    for (size_t i = 0; i < COUNT_CACHE_MAX; i++) {
        struct count_entry *x = &c->entries[i];
        if (x->key && x->state == COUNT_QUEUED && (!best || x->seq < best->seq))
            best = x;
    }
    return best;
}

static void wait_ms_locked(struct db_counts *c, int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&c->work, &c->mu, &t);
}

static void *worker(void *arg)
{
    struct db_counts *c = arg;
    struct db_engine *e = c->e;
    int timeout = e->cfg->statement_timeout_ms > 0 ? e->cfg->statement_timeout_ms : 30000;
    struct db_pool_want want = {.bulk = true, .wait_ms = -1, .gone = stopping, .gone_arg = c};
    pthread_mutex_lock(&c->mu);
    while (!atomic_load(&c->stop)) {
        struct count_entry *x = next_job(c);
        if (!x) {
            pthread_cond_wait(&c->work, &c->mu);
            continue;
        }
        x->state = COUNT_RUNNING;
        struct count_view *v = x->view;
        char *key = xstrdup(x->key);
        pthread_mutex_unlock(&c->mu);

        struct seeki_err err;
        seeki_err_clear(&err);
        int64_t est = -1, n = 0, t0 = clock_ms();
        char version[DB_VERSION_MAX] = "";
        bool tracked = false;
        /* the token before counting: a change while it runs shows next time */
        enum seeki_code rc = e->ops->estimate(e, &v->q, &est, version, &tracked, &err);
        if (rc == SEEKI_E_OK)
            rc = e->ops->count(e, &v->q, timeout, &want, &n, &err);
        int64_t now = clock_ms();

        pthread_mutex_lock(&c->mu);
        /* the entry may have moved meanwhile? No: RUNNING entries are never
         * evicted, so x is still this view's. */
        if (rc == SEEKI_E_BUSY && !atomic_load(&c->stop)) {
            x->state = COUNT_QUEUED; /* no free bulk connection now: later */
            wait_ms_locked(c, COUNT_RETRY_MS);
            free(key);
            continue;
        }
        x->view = NULL;
        if (rc == SEEKI_E_OK) {
            store(x, n, version, tracked, now);
            x->state = COUNT_IDLE;
            log_debug("db", "counted '%s' in the background: %lld rows (%lld ms)",
                      v->q.table->name, (long long)n, (long long)(now - t0));
        } else {
            x->state = rc == SEEKI_E_TIMEOUT ? COUNT_SLOW : COUNT_IDLE;
            x->exact = false;
            x->at_ms = now;
            snprintf(x->version, sizeof x->version, "%s", version);
            x->tracked = tracked;
            if (!atomic_load(&c->stop))
                log_info("db", "no exact count of '%s' in the background: %s", v->q.table->name,
                         err.msg);
        }
        free(key);
        pthread_cond_broadcast(&c->done);
        pthread_mutex_unlock(&c->mu);
        view_free(v);
        pthread_mutex_lock(&c->mu);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

struct db_counts *db_counts_start(struct db_engine *e)
{
    struct db_counts *c = xcalloc(1, sizeof *c);
    c->e = e;
    pthread_mutex_init(&c->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->work, &ca);
    pthread_cond_init(&c->done, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&c->stop, false);
    int perr = pthread_create(&c->thread, NULL, worker, c);
    c->started = perr == 0;
    if (!c->started) /* then every large count stays an estimate */
        log_warn("db", "cannot start the background counter (%s): large views show estimates",
                 strerror(perr));
    return c;
}

void db_counts_stop(struct db_counts *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    atomic_store(&c->stop, true);
    pthread_cond_broadcast(&c->work);
    pthread_cond_broadcast(&c->done);
    pthread_mutex_unlock(&c->mu);
    if (c->started)
        pthread_join(c->thread, NULL);
    for (size_t i = 0; i < COUNT_CACHE_MAX; i++) {
        free(c->entries[i].key);
        view_free(c->entries[i].view);
    }
    pthread_cond_destroy(&c->work);
    pthread_cond_destroy(&c->done);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* ---- the front door ---------------------------------------------------------------- */

enum seeki_code db_count(struct db_engine *e, const struct db_query *q, struct db_total *out,
                         struct seeki_err *err)
{
    *out = (struct db_total){0};
    struct db_counts *c = e->counts;
    int64_t est = -1;
    char version[DB_VERSION_MAX] = "";
    bool tracked = false;
    enum seeki_code rc = e->ops->estimate(e, q, &est, version, &tracked, err);
    if (rc != SEEKI_E_OK)
        return rc;
    char *key = view_key(q);
    int64_t now = clock_ms();
    pthread_mutex_lock(&c->mu);
    struct count_entry *x = find(c, key);
    if (x) {
        x->used_ms = now;
        if (x->exact && fresh(x, version, now)) {
            *out = (struct db_total){.n = x->n, .exact = true};
            goto unlock;
        }
        if (x->state == COUNT_QUEUED || x->state == COUNT_RUNNING) {
            out->pending = true;
            goto estimate;
        }
        if (x->state == COUNT_SLOW && fresh(x, version, now))
            goto estimate; /* too slow a moment ago: not again yet */
    }
    pthread_mutex_unlock(&c->mu);

    if (est < (count_small >= 0 ? count_small : e->ops->count_inline_below)) {
        /* small (or unknown): count in line, briefly */
        int64_t n = 0;
        struct db_pool_want want;
        db_pool_want_of(q, 0, &want);
        int budget = e->cfg->statement_timeout_ms > 0 &&
                             e->cfg->statement_timeout_ms < count_inline_ms
                         ? e->cfg->statement_timeout_ms
                         : count_inline_ms;
        rc = e->ops->count(e, q, budget, &want, &n, err);
        if (rc == SEEKI_E_OK) {
            pthread_mutex_lock(&c->mu);
            struct count_entry *y = find_or_add(c, key);
            if (y && y->state != COUNT_QUEUED && y->state != COUNT_RUNNING) {
                store(y, n, version, tracked, clock_ms());
                y->state = COUNT_IDLE;
            }
            pthread_mutex_unlock(&c->mu);
            *out = (struct db_total){.n = n, .exact = true};
            free(key);
            return SEEKI_E_OK;
        }
        if (rc != SEEKI_E_TIMEOUT) {
            free(key);
            return rc;
        }
        seeki_err_clear(err); /* too slow in line: the background takes it */
        rc = SEEKI_E_OK;
    }

    pthread_mutex_lock(&c->mu);
    x = c->started ? find_or_add(c, key) : NULL;
    if (x && (x->state == COUNT_QUEUED || x->state == COUNT_RUNNING)) {
        out->pending = true;
    } else if (x && queued(c) < COUNT_QUEUE_MAX) {
        x->state = COUNT_QUEUED;
        x->seq = ++c->seq;
        x->used_ms = now;
        view_free(x->view);
        x->view = view_copy(q);
        pthread_cond_signal(&c->work);
        out->pending = true;
    }
estimate:
    if (est < 0) /* no planner estimate (SQLite with a search): the table's */
        est = q->table->row_estimate;
    out->n = est > 0 ? est : 0;
    out->exact = false;
unlock:
    pthread_mutex_unlock(&c->mu);
    free(key);
    return rc;
}

enum seeki_code db_count_wait(struct db_engine *e, const struct db_query *q, int wait_ms,
                              struct db_total *out, struct seeki_err *err)
{
    enum seeki_code rc = db_count(e, q, out, err);
    if (rc != SEEKI_E_OK || !out->pending)
        return rc;
    struct db_counts *c = e->counts;
    char *key = view_key(q);
    int64_t until = clock_ms() + wait_ms;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        struct count_entry *x = find(c, key);
        if (!x || (x->state != COUNT_QUEUED && x->state != COUNT_RUNNING) ||
            atomic_load(&c->stop))
            break;
        int64_t left = until - clock_ms();
        if (left <= 0)
            break;
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        t.tv_sec += left / 1000;
        t.tv_nsec += (long)(left % 1000) * 1000000L;
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&c->done, &c->mu, &t);
    }
    pthread_mutex_unlock(&c->mu);
    free(key);
    return db_count(e, q, out, err);
}
