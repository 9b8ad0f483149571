/* The generic connection pool: lazy creation, the max_connections ceiling
 * under contention, broken handles discarded, connect failures releasing
 * their slot, and the busy-pool timeout. */
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
        if (db_pool_get(w->p, &c, NULL) != SEEKI_E_OK) {
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
    cr_expect_eq(db_pool_get(p, &c, &err), SEEKI_E_DB_UNAVAILABLE);
    cr_expect_str_eq(err.msg, "Database unavailable: test says no");
    cr_expect_null(c);
    cr_expect_eq(db_pool_open_count(p), 0);
    atomic_store(&f.fail, false);
    cr_expect_eq(db_pool_get(p, &c, &err), SEEKI_E_OK);
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
    cr_assert_eq(db_pool_get(p, &a, &err), SEEKI_E_OK);
    int64_t t0 = clock_ms();
    cr_expect_eq(db_pool_get(p, &b, &err), SEEKI_E_TIMEOUT);
    int64_t took = clock_ms() - t0;
    cr_expect(took >= 140 && took < 2000, "waited %lld ms", (long long)took);
    cr_expect(strstr(err.msg, "database.max_connections = 1") != NULL, "%s", err.msg);
    db_pool_put(p, a, false);
    cr_expect_eq(db_pool_get(p, &b, &err), SEEKI_E_OK);
    cr_expect_eq(b, a, "the idle connection is reused");
    cr_expect_eq(atomic_load(&f.connects), 1);
    db_pool_put(p, b, true);
    cr_expect_eq(db_pool_open_count(p), 0);
    db_pool_destroy(p);
}
