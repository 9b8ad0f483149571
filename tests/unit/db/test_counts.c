/* db/counts.c on a real SQLite file: a small view counted in line and
 * cached; a large one (the in-line limit set to 0) answered with the
 * estimate while the exact count runs in the background, then served from
 * the cache; a write to the file (a new change token) ends the cached
 * count; the cache keeps views apart; db_close stops a waiting worker. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbtest.h"
#include "util/clock.h"

static char dir[64];
static char path[128];

static void exec(const char *sql)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s", msg ? msg : "");
    sqlite3_close(db);
}

static void make_db(void)
{
    snprintf(dir, sizeof dir, "/tmp/seeki-counts-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/c.db", dir);
    exec("CREATE TABLE t (id INTEGER PRIMARY KEY, g INTEGER);"
         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
         "INSERT INTO t SELECT i, i % 10 FROM n;");
}

static void drop_db(void)
{
    db_counts_set_limits(-1, 1000, 60000);
    unlink(path);
    rmdir(dir);
}

TestSuite(counts, .init = make_db, .fini = drop_db);

static struct db_engine *open_engine(struct cfg **c)
{
    *c = cfg_new_demo(path);
    (*c)->max_connections = 2;
    struct db_engine *e = NULL;
    struct seeki_err err;
    cr_assert_eq(db_open(*c, NULL, &e, &err), SEEKI_E_OK, "%s", err.msg);
    return e;
}

static const struct db_table *table_t(struct db_engine *e)
{
    const struct db_table *t = NULL;
    cr_assert_eq(db_find_table(db_catalog(e), "t", &t, NULL), SEEKI_E_OK);
    return t;
}

Test(counts, small_views_are_counted_in_line)
{
    struct cfg *c;
    struct db_engine *e = open_engine(&c);
    struct db_query q = {.table = table_t(e), .limit = -1};
    struct db_total tot;
    struct seeki_err err;
    cr_assert_eq(db_count(e, &q, &tot, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect(tot.exact && !tot.pending && tot.n == 5000, "n %lld", (long long)tot.n);
    db_close(e);
    cfg_destroy(c);
}

Test(counts, large_views_count_in_the_background_and_are_cached_until_a_change)
{
    db_counts_set_limits(0, 1000, 60000); /* every view is "large" */
    struct cfg *c;
    struct db_engine *e = open_engine(&c);
    const struct db_table *t = table_t(e);
    struct db_query q = {.table = t, .limit = -1};
    struct db_total tot;
    struct seeki_err err;
    cr_assert_eq(db_count(e, &q, &tot, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect(!tot.exact && tot.pending, "first answer: the estimate, exact count pending");
    cr_expect_eq(tot.n, t->row_estimate, "the table's estimate");
    cr_assert_eq(db_count_wait(e, &q, 5000, &tot, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect(tot.exact && !tot.pending && tot.n == 5000, "then exact: n %lld", (long long)tot.n);
    cr_assert_eq(db_count(e, &q, &tot, &err), SEEKI_E_OK);
    cr_expect(tot.exact && tot.n == 5000, "served from the cache");

    /* another view of the same table is its own entry */
    struct db_filter f;
    cr_assert_eq(db_filter_parse(&t->cols[1], 1, "3", &f, NULL), SEEKI_E_OK);
    struct db_query fq = {.table = t, .filters = &f, .nfilters = 1, .limit = -1};
    cr_assert_eq(db_count_wait(e, &fq, 5000, &tot, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect(tot.exact && tot.n == 500, "filtered n %lld", (long long)tot.n);

    /* a write elsewhere changes the file: the cached count is not served */
    usleep(20 * 1000); /* a new mtime even on coarse clocks */
    exec("INSERT INTO t VALUES (5001, 1)");
    cr_assert_eq(db_count(e, &q, &tot, &err), SEEKI_E_OK);
    cr_expect(!tot.exact && tot.pending, "after a change: counting again");
    cr_assert_eq(db_count_wait(e, &q, 5000, &tot, &err), SEEKI_E_OK);
    cr_expect(tot.exact && tot.n == 5001, "n %lld", (long long)tot.n);
    db_filter_free(&f);
    db_close(e);
    cfg_destroy(c);
}

Test(counts, cached_counts_expire)
{
    db_counts_set_limits(0, 1000, 100); /* a 100 ms life */
    struct cfg *c;
    struct db_engine *e = open_engine(&c);
    struct db_query q = {.table = table_t(e), .limit = -1};
    struct db_total tot;
    cr_assert_eq(db_count_wait(e, &q, 5000, &tot, NULL), SEEKI_E_OK);
    cr_expect(tot.exact);
    usleep(200 * 1000);
    cr_assert_eq(db_count(e, &q, &tot, NULL), SEEKI_E_OK);
    cr_expect(!tot.exact && tot.pending, "expired: counted again");
    db_close(e); /* with a count maybe running: stops it */
    cfg_destroy(c);
}
