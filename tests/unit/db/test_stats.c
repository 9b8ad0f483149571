/* Column statistics: the exact SQL db/sql/stats.c builds for both dialects
 * (source subquery with the rows WHERE, LIMIT or TABLESAMPLE, the four
 * statements), and db_stats (db/stats.c) end to end on a real SQLite file:
 * exact figures, values kept as the engine produced them, and the bounded
 * prefix past DB_STATS_EXACT_MAX rows. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbtest.h"
#include "util/mem.h"

static const struct dbt_col cols[] = {{"id", DB_VT_INT, false, true, NULL},
                                      {"name", DB_VT_TEXT, true, false, "text"},
                                      {"doc", DB_VT_JSON, true, false, "json"}};

static void check(enum db_dialect d, const struct db_query *q, size_t col,
                  const struct db_stats_plan *p, enum db_stats_stmt what, const char *want,
                  const char *want_params)
{
    struct db_sql sql;
    struct seeki_err err;
    cr_assert_eq(db_sql_stats(d, q, col, p, what, &sql, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect_str_eq(sql.text, want);
    char *params = dbt_params(&sql);
    cr_expect_str_eq(params, want_params);
    free(params);
    db_sql_free(&sql);
}

Test(stats, sql_both_dialects)
{
    struct db_table *t = dbt_table("public", "people", cols, 3, true);
    struct db_filter f = {.col = 0, .op = DB_F_GT, .a = (char *)"5"};
    struct db_query q = {.table = t, .filters = &f, .nfilters = 1, .search = "ab", .limit = -1};
    struct db_stats_plan all = {.src = DB_STATS_SRC_ALL, .avg = true};
    check(DB_SQL_PG, &q, 0, &all, DB_STATS_AGG,
          "SELECT COUNT(*), COUNT(v), COUNT(DISTINCT v), AVG(v)::float8 FROM (SELECT \"id\" AS v "
          "FROM \"public\".\"people\" WHERE \"id\" > $1::bigint AND (\"name\" ILIKE $2 ESCAPE "
          "'\\')) AS s",
          "t:5|t:%ab%");
    check(DB_SQL_SQLITE, &q, 0, &all, DB_STATS_AGG,
          "SELECT COUNT(*), COUNT(v), COUNT(DISTINCT v), AVG(v) FROM (SELECT \"id\" AS v FROM "
          "\"public\".\"people\" WHERE \"id\" > ? AND (seeki_icontains(\"name\", ?))) AS s",
          "i:5|t:ab");
    struct db_stats_plan mm = {.src = DB_STATS_SRC_ALL, .avg = true, .minmax = true};
    q.nfilters = 0;
    q.search = NULL;
    check(DB_SQL_PG, &q, 0, &mm, DB_STATS_AGG,
          "SELECT COUNT(*), COUNT(v), COUNT(DISTINCT v), MIN(v), MAX(v), AVG(v)::float8 FROM "
          "(SELECT \"id\" AS v FROM \"public\".\"people\") AS s",
          "");
    struct db_stats_plan lim = {.src = DB_STATS_SRC_LIMIT, .limit = 100000};
    q.nfilters = 0;
    q.search = NULL;
    check(DB_SQL_SQLITE, &q, 1, &lim, DB_STATS_TOP,
          "SELECT v, COUNT(*) FROM (SELECT \"name\" AS v FROM \"public\".\"people\" LIMIT ?) AS "
          "s WHERE v IS NOT NULL GROUP BY v ORDER BY 2 DESC, 1 ASC LIMIT 10",
          "i:100000");
    struct db_stats_plan smp = {.src = DB_STATS_SRC_SAMPLE, .sample_pct = 12.5, .as_text = true};
    check(DB_SQL_PG, &q, 2, &smp, DB_STATS_MAX,
          "SELECT v FROM (SELECT \"doc\"::text AS v FROM \"public\".\"people\" TABLESAMPLE "
          "SYSTEM (12.500000) REPEATABLE (0)) AS s WHERE v IS NOT NULL ORDER BY v DESC LIMIT 1",
          "");
    check(DB_SQL_PG, &q, 1, &all, DB_STATS_MIN,
          "SELECT v FROM (SELECT \"name\" AS v FROM \"public\".\"people\") AS s WHERE v IS NOT "
          "NULL ORDER BY v ASC LIMIT 1",
          "");
    struct db_sql sql;
    struct seeki_err err;
    cr_expect_eq(db_sql_stats(DB_SQL_PG, &q, 3, &all, DB_STATS_AGG, &sql, &err), SEEKI_E_BAD_PARAM);
    dbt_table_destroy(t);
}

/* A SQLite file with n rows (id, name: "n<i % 3>" or NULL every 4th, doc). */
static char *make_db(int n)
{
    char *path = xstrdup("/tmp/seeki-stats-XXXXXX.db");
    int fd = mkstemps(path, 3);
    cr_assert(fd >= 0);
    close(fd);
    unlink(path);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db,
                              "CREATE TABLE people (id INTEGER PRIMARY KEY NOT NULL, name TEXT, "
                              "doc JSON);"
                              "BEGIN;",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO people VALUES (?, ?, ?)", -1, &st, NULL),
                 SQLITE_OK);
    for (int i = 1; i <= n; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i % 3);
        sqlite3_bind_int(st, 1, i);
        if (i % 4 == 0)
            sqlite3_bind_null(st, 2);
        else
            sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, "{\"big\":12345678901234567890}", -1, SQLITE_STATIC);
        cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    cr_assert_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    return path;
}

static struct db_engine *open_db(const char *path, struct cfg **cfg)
{
    *cfg = cfg_new_demo(path);
    struct db_engine *e = NULL;
    struct seeki_err err;
    cr_assert_eq(db_open(*cfg, NULL, &e, &err), SEEKI_E_OK, "%s", err.msg);
    return e;
}

static char *json_of(const struct db_column *c, const struct db_keyval *v)
{
    struct buf b;
    buf_init(&b, 0);
    struct db_cell cell = db_keyval_cell(v);
    cr_assert_eq(db_cell_json(c, &cell, &b), 0);
    return buf_take(&b);
}

Test(stats, exact_figures_on_sqlite)
{
    char *path = make_db(12);
    struct cfg *cfg;
    struct db_engine *e = open_db(path, &cfg);
    const struct db_table *t = &db_catalog(e)->tables[0];
    struct db_query q = {.table = t, .limit = -1};
    struct db_stats s;
    struct seeki_err err;
    cr_assert_eq(db_stats(e, &q, 1, &s, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect(s.exact && s.has_top && s.has_minmax && !s.has_avg);
    cr_expect_eq(s.count, 12);
    cr_expect_eq(s.nulls, 3);
    cr_expect_eq(s.distinct, 3);
    cr_assert_eq(s.ntop, 3);
    /* i % 3 over the 9 non-NULL ids 1,2,3,5,6,7,9,10,11: n1 x3 ... ties by value */
    char *v = json_of(&t->cols[1], &s.top[0]);
    cr_expect_str_eq(v, "\"n0\"");
    free(v);
    cr_expect_eq(s.top_count[0] + s.top_count[1] + s.top_count[2], 9);
    v = json_of(&t->cols[1], &s.min);
    cr_expect_str_eq(v, "\"n0\"");
    free(v);
    db_stats_free(&s);

    cr_assert_eq(db_stats(e, &q, 0, &s, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect(s.has_avg && !s.has_top);
    struct db_column fcol = {.name = "avg", .vtype = DB_VT_FLOAT};
    v = json_of(&fcol, &s.avg);
    cr_expect_str_eq(v, "6.5");
    free(v);
    db_stats_free(&s);

    cr_assert_eq(db_stats(e, &q, 2, &s, &err), SEEKI_E_OK, "%s", err.msg);
    cr_assert_eq(s.ntop, 1);
    v = json_of(&t->cols[2], &s.top[0]); /* a JSON cell, inlined with its big number */
    cr_expect_str_eq(v, "{\"big\":12345678901234567890}");
    free(v);
    cr_expect_eq(s.top_count[0], 12);
    db_stats_free(&s);
    db_close(e);
    cfg_destroy(cfg);
    unlink(path);
    free(path);
}

Test(stats, bounded_prefix_past_the_limit, .timeout = 60)
{
    char *path = make_db(DB_STATS_EXACT_MAX + 50);
    struct cfg *cfg;
    struct db_engine *e = open_db(path, &cfg);
    const struct db_table *t = &db_catalog(e)->tables[0];
    struct db_query q = {.table = t, .limit = -1};
    struct db_stats s;
    struct seeki_err err;
    cr_assert_eq(db_stats(e, &q, 0, &s, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect(!s.exact);
    cr_expect_eq(s.count, DB_STATS_EXACT_MAX);
    cr_expect_eq(s.distinct, DB_STATS_EXACT_MAX);
    db_stats_free(&s);
    db_close(e);
    cfg_destroy(cfg);
    unlink(path);
    free(path);
}
