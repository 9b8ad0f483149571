/* A small generic connection pool for both engines: at most `max` handles,
 * opened lazily on demand, handed out one per borrower (mutex + condvar),
 * and closed instead of reused when a borrower reports them broken.
 * docs/internals/paging.md notes how pages and counts borrow from it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "db/db_int.h"
#include "util/mem.h"

struct db_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled when a connection or a slot frees up */
    const struct db_pool_ops *ops;
    void *ctx;
    int max;     /* >= 1 */
    int wait_ms; /* how long a borrower waits for a busy pool */
    int open;    /* connections open or being opened (<= max) */
    void **idle; /* stack of idle connections, capacity max */
    int nidle;
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
    p->wait_ms = wait_ms < 1 ? 1 : wait_ms;
    p->idle = xcalloc((size_t)p->max, sizeof *p->idle);
    return p;
}

enum seeki_code db_pool_get(struct db_pool *p, void **conn, struct seeki_err *err)
{
    *conn = NULL;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += p->wait_ms / 1000;
    deadline.tv_nsec += (long)(p->wait_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->nidle > 0) {
            *conn = p->idle[--p->nidle];
            pthread_mutex_unlock(&p->mu);
            return SEEKI_E_OK;
        }
        if (p->open < p->max) {
            p->open++; /* reserve the slot, connect without holding the lock */
            pthread_mutex_unlock(&p->mu);
            void *c = NULL;
            enum seeki_code rc = p->ops->connect(p->ctx, &c, err);
            if (rc == SEEKI_E_OK) {
                *conn = c;
                return SEEKI_E_OK;
            }
            pthread_mutex_lock(&p->mu);
            p->open--;
            pthread_cond_signal(&p->cv);
            pthread_mutex_unlock(&p->mu);
            return rc;
        }
        if (pthread_cond_timedwait(&p->cv, &p->mu, &deadline) == ETIMEDOUT && p->nidle == 0 &&
            p->open >= p->max) {
            int max = p->max;
            pthread_mutex_unlock(&p->mu);
            return seeki_fail(err, SEEKI_E_TIMEOUT,
                              "All %d database connections stayed busy for %d ms "
                              "(database.max_connections = %d); wait for running exports to "
                              "finish or raise database.max_connections",
                              max, p->wait_ms, max);
        }
    }
}

void db_pool_put(struct db_pool *p, void *conn, bool broken)
{
    if (!p || !conn)
        return;
    if (broken) {
        p->ops->disconnect(p->ctx, conn);
        pthread_mutex_lock(&p->mu);
        p->open--;
    } else {
        pthread_mutex_lock(&p->mu);
        p->idle[p->nidle++] = conn;
    }
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
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
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
