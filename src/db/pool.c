/* A small generic connection pool for both engines: at most `max` handles,
 * opened lazily on demand, handed out one per borrower (mutex + condvar),
 * and closed instead of reused when a borrower reports them broken.
 *
 * Two kinds of borrower (struct db_pool_want): pages (short statements) may
 * use every connection; bulk work -- exports and background counts -- may
 * hold at most max - 1 of them (1 when max is 1), so an export burst never
 * takes the last connection from pages. Bulk borrowers that must wait queue
 * first come, first served; a waiter whose client left (want->gone) gives its
 * place up within DB_POOL_POLL_MS. Nobody waits longer than its own budget,
 * and a page's budget is short: a busy pool answers 503 naming its size
 * rather than holding the request for a statement timeout.
 * docs/internals/paging.md notes how pages and counts borrow from it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "db/db_int.h"
#include "util/mem.h"

#define DB_POOL_POLL_MS 100 /* how often a waiter checks whether its client left */

/* One bulk borrower waiting for its turn (lives on the waiter's stack). */
struct pool_waiter {
    struct pool_waiter *next;
};

struct db_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* broadcast when a connection or a slot frees up */
    const struct db_pool_ops *ops;
    void *ctx;
    int max;      /* >= 1 */
    int bulk_max; /* bulk borrowers at once: max - 1, at least 1 */
    int wait_ms;  /* a page's wait budget */
    int open;     /* connections open or being opened (<= max) */
    void **idle;  /* stack of idle connections, capacity max */
    int nidle;
    void **bulk; /* connections lent to bulk borrowers (capacity max) */
    int nbulk;
    struct pool_waiter *head, *tail; /* bulk borrowers waiting, in arrival order */
};

struct db_pool *db_pool_new(int max, int wait_ms, const struct db_pool_ops *ops, void *ctx)
{
    struct db_pool *p = xcalloc(1, sizeof *p);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&p->mu, NULL);
    p->ops = ops;
    p->ctx = ctx;
    p->max = max < 1 ? 1 : max;
    p->bulk_max = p->max > 1 ? p->max - 1 : 1;
    p->wait_ms = wait_ms < 1 ? 1 : wait_ms;
    p->idle = xcalloc((size_t)p->max, sizeof *p->idle);
    p->bulk = xcalloc((size_t)p->max, sizeof *p->bulk);
    return p;
}

static void deadline_in(struct timespec *t, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, t);
    t->tv_sec += ms / 1000;
    t->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

static bool passed(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* The earlier of the deadline and one poll interval from now. */
static void next_wake(struct timespec *wake, const struct timespec *deadline)
{
    deadline_in(wake, DB_POOL_POLL_MS);
    if (wake->tv_sec > deadline->tv_sec ||
        (wake->tv_sec == deadline->tv_sec && wake->tv_nsec > deadline->tv_nsec))
        *wake = *deadline;
}

static void queue_leave(struct db_pool *p, struct pool_waiter *w)
{
    struct pool_waiter **pp = &p->head, *prev = NULL;
    while (*pp && *pp != w) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp)
        return;
    *pp = w->next;
    if (p->tail == w)
        p->tail = prev;
    pthread_cond_broadcast(&p->cv); /* the next in line may go now */
}

/* Whether this borrower may take a connection now (lock held). */
static bool may_take(const struct db_pool *p, bool bulk, const struct pool_waiter *w)
{
    if (p->nidle == 0 && p->open >= p->max)
        return false;
    if (!bulk)
        return true;
    return p->nbulk < p->bulk_max && (w ? p->head == w : p->head == NULL);
}

static enum seeki_code busy_fail(const struct db_pool *p, bool bulk, int waited_ms,
                                 struct seeki_err *err)
{
    if (bulk)
        return seeki_fail(err, SEEKI_E_BUSY,
                          "%d exports are already running (at most %d at once with "
                          "database.max_connections = %d) and none finished within %d ms; try "
                          "again when one finishes, or raise database.max_connections",
                          p->nbulk, p->bulk_max, p->max, waited_ms);
    return seeki_fail(err, SEEKI_E_BUSY,
                      "All %d database connections stayed busy for %d ms "
                      "(database.max_connections = %d); try again in a moment, or raise "
                      "database.max_connections",
                      p->max, waited_ms, p->max);
}

enum seeki_code db_pool_get(struct db_pool *p, const struct db_pool_want *want, void **conn,
                            struct seeki_err *err)
{
    *conn = NULL;
    static const struct db_pool_want page = {0};
    if (!want)
        want = &page;
    bool bulk = want->bulk;
    int budget = want->wait_ms > 0 ? want->wait_ms : want->wait_ms < 0 ? 0 : p->wait_ms;
    struct timespec deadline;
    deadline_in(&deadline, budget);
    struct pool_waiter me = {0};
    bool queued = false;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (may_take(p, bulk, queued ? &me : NULL)) {
            if (queued)
                queue_leave(p, &me);
            void *c = NULL;
            enum seeki_code rc = SEEKI_E_OK;
            if (p->nidle > 0) {
                c = p->idle[--p->nidle];
            } else {
                p->open++; /* reserve the slot, connect without holding the lock */
                if (bulk)
                    p->bulk[p->nbulk++] = NULL; /* and the bulk slot (NULL: connecting) */
                pthread_mutex_unlock(&p->mu);
                rc = p->ops->connect(p->ctx, &c, err);
                pthread_mutex_lock(&p->mu);
                if (bulk) /* puts may have moved the reserved slot: find it */
                    for (int i = 0; i < p->nbulk; i++)
                        if (!p->bulk[i]) {
                            p->bulk[i] = p->bulk[--p->nbulk];
                            break;
                        }
                if (rc != SEEKI_E_OK) {
                    p->open--;
                    pthread_cond_broadcast(&p->cv);
                    pthread_mutex_unlock(&p->mu);
                    return rc;
                }
            }
            if (bulk)
                p->bulk[p->nbulk++] = c;
            pthread_mutex_unlock(&p->mu);
            *conn = c;
            return SEEKI_E_OK;
        }
        bool gone = want->gone && want->gone(want->gone_arg);
        if (gone || budget == 0 || passed(&deadline)) {
            if (queued)
                queue_leave(p, &me);
            enum seeki_code rc =
                gone ? seeki_fail(err, SEEKI_E_BUSY, "the client left while waiting for a "
                                                     "database connection")
                     : busy_fail(p, bulk, budget, err);
            pthread_mutex_unlock(&p->mu);
            return rc;
        }
        if (bulk && !queued) {
            if (p->tail)
                p->tail->next = &me;
            else
                p->head = &me;
            p->tail = &me;
            queued = true;
        }
        struct timespec wake;
        next_wake(&wake, &deadline);
        pthread_cond_timedwait(&p->cv, &p->mu, &wake);
    }
}

void db_pool_put(struct db_pool *p, void *conn, bool broken)
{
    if (!p || !conn)
        return;
    if (broken)
        p->ops->disconnect(p->ctx, conn);
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->nbulk; i++) {
        if (p->bulk[i] == conn) {
            p->bulk[i] = p->bulk[--p->nbulk];
            break;
        }
    }
    if (broken)
        p->open--;
    else
        p->idle[p->nidle++] = conn;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

int db_pool_wait_for(int timeout_ms)
{
    return timeout_ms > 0 && timeout_ms < DB_POOL_WAIT_MS ? timeout_ms : DB_POOL_WAIT_MS;
}

void db_pool_want_of(const struct db_query *q, int timeout_ms, struct db_pool_want *out)
{
    *out = (struct db_pool_want){0};
    if (!q)
        return;
    out->bulk = q->bulk;
    out->wait_ms = q->bulk ? timeout_ms : 0;
    out->gone = q->gone;
    out->gone_arg = q->gone_arg;
}

int db_pool_open_count(struct db_pool *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->open;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void db_pool_destroy(struct db_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nidle; i++)
        p->ops->disconnect(p->ctx, p->idle[i]);
    free(p->idle);
    free(p->bulk);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
