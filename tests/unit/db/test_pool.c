/* The generic connection pool: lazy creation, the max_connections ceiling
 * under contention, broken handles discarded, connect failures releasing
 * their slot, the busy-pool budget, the bulk cap (pages keep a connection),
 * bulk waiters served in arrival order, and a waiter whose client left. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbtest.h"
#include "util/clock.h"

struct fake {
    atomic_int connects, disconnects, live, max_live;
    atomic_bool fail;
};

static enum seeki_code fake_connect(void *ctx, void **conn, struct seeki_err *err)
{
    struct fake *f = ctx;
    if (atomic_load(&f->fail))
        return seeki_fail(err, SEEKI_E_DB_UNAVAILABLE, "Database unavailable: test says no");
    atomic_fetch_add(&f->connects, 1);
    *conn = malloc(1);
    return SEEKI_E_OK;
}

static void fake_disconnect(void *ctx, void *conn)
{
    struct fake *f = ctx;
    atomic_fetch_add(&f->disconnects, 1);
    free(conn);
}

static const struct db_pool_ops fake_ops = {fake_connect, fake_disconnect};

struct worker {
    struct db_pool *p;
    struct fake *f;
    int failures;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 200; i++) {
        void *c = NULL;
        if (db_pool_get(w->p, NULL, &c, NULL) != SEEKI_E_OK) {
            w->failures++;
            continue;
        }
        int live = atomic_fetch_add(&w->f->live, 1) + 1;
        int seen = atomic_load(&w->f->max_live);
        while (live > seen && !atomic_compare_exchange_weak(&w->f->max_live, &seen, live))
            ;
        usleep(50);
        atomic_fetch_sub(&w->f->live, 1);
        db_pool_put(w->p, c, i % 50 == 49); /* now and then a broken one */
    }
    return NULL;
}

Test(pool, never_more_than_max_under_contention)
{
    struct fake f;
    memset(&f, 0, sizeof f);
    struct db_pool *p = db_pool_new(3, 5000, &fake_ops, &f);
    cr_expect_eq(db_pool_open_count(p), 0, "connections are opened lazily");
    pthread_t th[8];
    struct worker w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (struct worker){p, &f, 0};
        cr_assert_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        cr_expect_eq(w[i].failures, 0);
    }
    cr_expect(atomic_load(&f.max_live) <= 3, "max live %d", atomic_load(&f.max_live));
    cr_expect(atomic_load(&f.max_live) >= 2, "contention expected");
    cr_expect(db_pool_open_count(p) <= 3);
    /* 8 workers x 4 broken puts each were closed and replaced */
    cr_expect_eq(atomic_load(&f.disconnects), 32);
    cr_expect_eq(atomic_load(&f.connects) - atomic_load(&f.disconnects), db_pool_open_count(p));
    db_pool_destroy(p);
    cr_expect_eq(atomic_load(&f.connects), atomic_load(&f.disconnects), "destroy closes idle");
}

Test(pool, connect_failure_frees_the_slot)
{
    struct fake f;
    memset(&f, 0, sizeof f);
    struct db_pool *p = db_pool_new(1, 100, &fake_ops, &f);
    atomic_store(&f.fail, true);
    void *c = NULL;
    struct seeki_err err;
    cr_expect_eq(db_pool_get(p, NULL, &c, &err), SEEKI_E_DB_UNAVAILABLE);
    cr_expect_str_eq(err.msg, "Database unavailable: test says no");
    cr_expect_null(c);
    cr_expect_eq(db_pool_open_count(p), 0);
    atomic_store(&f.fail, false);
    cr_expect_eq(db_pool_get(p, NULL, &c, &err), SEEKI_E_OK);
    cr_expect_not_null(c);
    db_pool_put(p, c, false);
    db_pool_destroy(p);
    db_pool_destroy(NULL);
}

Test(pool, busy_pool_times_out_then_recovers)
{
    struct fake f;
    memset(&f, 0, sizeof f);
    struct db_pool *p = db_pool_new(1, 150, &fake_ops, &f);
    void *a = NULL, *b = NULL;
    struct seeki_err err;
    cr_assert_eq(db_pool_get(p, NULL, &a, &err), SEEKI_E_OK);
    int64_t t0 = clock_ms();
    cr_expect_eq(db_pool_get(p, NULL, &b, &err), SEEKI_E_BUSY);
    int64_t took = clock_ms() - t0;
    cr_expect(took >= 140 && took < 2000, "waited %lld ms", (long long)took);
    cr_expect_str_eq(err.msg, "All 1 database connections stayed busy for 150 ms "
                              "(database.max_connections = 1); try again in a moment, or raise "
                              "database.max_connections");
    db_pool_put(p, a, false);
    cr_expect_eq(db_pool_get(p, NULL, &b, &err), SEEKI_E_OK);
    cr_expect_eq(b, a, "the idle connection is reused");
    cr_expect_eq(atomic_load(&f.connects), 1);
    db_pool_put(p, b, true);
    cr_expect_eq(db_pool_open_count(p), 0);
    db_pool_destroy(p);
}

static const struct db_pool_want bulk_now = {.bulk = true, .wait_ms = -1};

Test(pool, bulk_borrowers_leave_pages_a_connection)
{
    struct fake f;
    memset(&f, 0, sizeof f);
    struct db_pool *p = db_pool_new(3, 100, &fake_ops, &f);
    void *e1 = NULL, *e2 = NULL, *e3 = NULL, *pg1 = NULL, *pg2 = NULL;
    struct seeki_err err;
    cr_assert_eq(db_pool_get(p, &bulk_now, &e1, &err), SEEKI_E_OK);
    cr_assert_eq(db_pool_get(p, &bulk_now, &e2, &err), SEEKI_E_OK);
    /* a third export would take the last connection: refused */
    cr_expect_eq(db_pool_get(p, &bulk_now, &e3, &err), SEEKI_E_BUSY);
    cr_expect_str_eq(err.msg, "2 exports are already running (at most 2 at once with "
                              "database.max_connections = 3) and none finished within 0 ms; "
                              "try again when one finishes, or raise database.max_connections");
    cr_expect_null(e3);
    /* a page still gets the third one */
    cr_expect_eq(db_pool_get(p, NULL, &pg1, &err), SEEKI_E_OK);
    cr_expect_eq(db_pool_get(p, NULL, &pg2, &err), SEEKI_E_BUSY, "and only one");
    db_pool_put(p, pg1, false);
    /* an export that ends frees its bulk slot, also when it broke */
    db_pool_put(p, e1, true);
    cr_expect_eq(db_pool_get(p, &bulk_now, &e3, &err), SEEKI_E_OK, "%s", err.msg);
    db_pool_put(p, e2, false);
    db_pool_put(p, e3, false);
    db_pool_destroy(p);
}

Test(pool, a_pool_of_one_still_serves_exports)
{
    struct fake f;
    memset(&f, 0, sizeof f);
    struct db_pool *p = db_pool_new(1, 100, &fake_ops, &f);
    void *c = NULL;
    struct seeki_err err;
    cr_expect_eq(db_pool_get(p, &bulk_now, &c, &err), SEEKI_E_OK, "%s", err.msg);
    db_pool_put(p, c, false);
    db_pool_destroy(p);
}

struct bulk_waiter {
    struct db_pool *p;
    int id;
    int *order, *norder;
    pthread_mutex_t *mu;
    atomic_bool gone;
    enum seeki_code rc;
};

static bool waiter_gone(void *arg)
{
    return atomic_load(&((struct bulk_waiter *)arg)->gone);
}

static void *bulk_wait(void *arg)
{
    struct bulk_waiter *w = arg;
    struct db_pool_want want = {.bulk = true, .wait_ms = 5000, .gone = waiter_gone,
                                .gone_arg = w};
    void *c = NULL;
    w->rc = db_pool_get(w->p, &want, &c, NULL);
    if (w->rc == SEEKI_E_OK) {
        pthread_mutex_lock(w->mu);
        w->order[(*w->norder)++] = w->id;
        pthread_mutex_unlock(w->mu);
        usleep(20 * 1000);
        db_pool_put(w->p, c, false);
    }
    return NULL;
}

Test(pool, bulk_waiters_are_served_in_arrival_order_and_a_gone_one_leaves)
{
    struct fake f;
    memset(&f, 0, sizeof f);
    struct db_pool *p = db_pool_new(2, 100, &fake_ops, &f); /* one bulk slot */
    void *held = NULL;
    cr_assert_eq(db_pool_get(p, &bulk_now, &held, NULL), SEEKI_E_OK);
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    int order[5], norder = 0;
    struct bulk_waiter w[5];
    pthread_t th[5];
    for (int i = 0; i < 5; i++) {
        w[i] = (struct bulk_waiter){.p = p, .id = i, .order = order, .norder = &norder, .mu = &mu};
        atomic_init(&w[i].gone, false);
        cr_assert_eq(pthread_create(&th[i], NULL, bulk_wait, &w[i]), 0);
        usleep(30 * 1000); /* so they queue in this order */
    }
    /* waiter 2's client leaves: it gives up its place within the poll interval */
    atomic_store(&w[2].gone, true);
    int64_t t0 = clock_ms();
    pthread_join(th[2], NULL);
    cr_expect(clock_ms() - t0 < 1000, "left after %lld ms", (long long)(clock_ms() - t0));
    cr_expect_eq(w[2].rc, SEEKI_E_BUSY);
    /* pages are not held up by the export queue */
    void *page = NULL;
    cr_expect_eq(db_pool_get(p, NULL, &page, NULL), SEEKI_E_OK);
    db_pool_put(p, page, false);
    db_pool_put(p, held, false);
    for (int i = 0; i < 5; i++)
        if (i != 2)
            pthread_join(th[i], NULL);
    cr_assert_eq(norder, 4);
    cr_expect(order[0] == 0 && order[1] == 1 && order[2] == 3 && order[3] == 4,
              "served %d %d %d %d", order[0], order[1], order[2], order[3]);
    db_pool_destroy(p);
}
