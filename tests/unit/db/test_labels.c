/* Labels of foreign-key values: the label query's exact SQL and parameters
 * in both dialects (db/sql/labels.c), and db_labels (db/labels.c) on a real
 * SQLite file: distinct values bound, first + last name joined, missing
 * rows and NULL labels left out, a key without a label column gives
 * nothing, and a failing query is an error for the caller. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbtest.h"
#include "util/mem.h"

static const struct dbt_col people[] = {
    {"id", DB_VT_BIGINT, false, true, NULL},
    {"first_name", DB_VT_TEXT, true, false, "text"},
    {"last_name", DB_VT_TEXT, true, false, "text"},
};

Test(labels_sql, both_dialects_bind_every_value)
{
    struct db_table *t = dbt_table("main", "people", people, 3, true);
    t->label_col = 1;
    t->label_col2 = 2;
    struct db_keyval vals[3] = {{.kind = DB_CELL_INT, .i = 4},
                                {.kind = DB_CELL_TEXT, .s = "x'y", .len = 3},
                                {.kind = DB_CELL_REAL, .d = 2.5}};
    struct db_sql sql;
    cr_assert_eq(db_sql_labels(DB_SQL_SQLITE, t, 0, vals, 3, &sql, NULL), SEEKI_E_OK);
    cr_expect_str_eq(sql.text,
                     "SELECT \"id\", \"first_name\", \"last_name\" FROM \"main\".\"people\""
                     " WHERE \"id\" IN (?, ?, ?) LIMIT ?");
    char *p = dbt_params(&sql);
    cr_expect_str_eq(p, "i:4|t:x'y|r:2.5|i:3");
    free(p);
    db_sql_free(&sql);
    t->label_col2 = -1;
    free(t->schema);
    t->schema = xstrdup("public");
    cr_assert_eq(db_sql_labels(DB_SQL_PG, t, 0, vals, 2, &sql, NULL), SEEKI_E_OK);
    cr_expect_str_eq(sql.text, "SELECT \"id\", \"first_name\" FROM \"public\".\"people\""
                               " WHERE \"id\" IN ($1, $2) LIMIT $3");
    p = dbt_params(&sql);
    cr_expect_str_eq(p, "t:4|t:x'y|i:2");
    free(p);
    db_sql_free(&sql);
    dbt_table_destroy(t);
}

static char dir[64];
static char path[128];

static void make_db(void)
{
    snprintf(dir, sizeof dir, "/tmp/seeki-labtest-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db,
                              "CREATE TABLE drivers (id INTEGER PRIMARY KEY, first_name TEXT,"
                              " last_name TEXT);"
                              "CREATE TABLE tags (id INTEGER PRIMARY KEY, n INTEGER);"
                              "CREATE TABLE trips (id INTEGER PRIMARY KEY,"
                              " driver_id INTEGER REFERENCES drivers, tag_id INTEGER"
                              " REFERENCES tags);"
                              "INSERT INTO drivers VALUES (1, 'Ann', 'Lee'), (2, NULL, 'Bo'),"
                              " (3, NULL, NULL);",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);
}

static void drop_db(void)
{
    unlink(path);
    rmdir(dir);
}

TestSuite(labels, .init = make_db, .fini = drop_db);

Test(labels, values_of_a_page)
{
    struct cfg *c = cfg_new_demo(path);
    struct db_engine *e = NULL;
    struct seeki_err err;
    seeki_err_clear(&err);
    cr_assert_eq(db_open(c, NULL, &e, &err), SEEKI_E_OK, "%s", err.msg);
    const struct db_table *t = NULL;
    cr_assert_eq(db_find_table(db_catalog(e), "trips", &t, &err), SEEKI_E_OK);
    cr_assert_eq(t->nfkeys, 2);
    cr_expect(db_fkey_has_labels(e, t, 0));  /* drivers: first + last name */
    cr_expect(!db_fkey_has_labels(e, t, 1)); /* tags: no label column */
    struct db_keyval vals[4] = {{.kind = DB_CELL_INT, .i = 1},
                                {.kind = DB_CELL_INT, .i = 2},
                                {.kind = DB_CELL_INT, .i = 3},
                                {.kind = DB_CELL_INT, .i = 99}};
    struct db_label *lab = NULL;
    size_t n = 0;
    cr_assert_eq(db_labels(e, t, 0, vals, 4, &lab, &n, &err), SEEKI_E_OK, "%s", err.msg);
    cr_assert_eq(n, 2); /* 3 has no label, 99 no row */
    cr_expect_str_eq(lab[0].key, "1");
    cr_expect_str_eq(lab[0].label, "Ann Lee");
    cr_expect_str_eq(lab[1].key, "2");
    cr_expect_str_eq(lab[1].label, "Bo");
    db_labels_free(lab, n);
    cr_assert_eq(db_labels(e, t, 1, vals, 4, &lab, &n, &err), SEEKI_E_OK);
    cr_expect_eq(n, 0);
    cr_expect_null(lab);

    /* the referenced table renamed behind SeeKi's back: an error, for the
     * caller to drop the labels */
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "ALTER TABLE drivers RENAME TO gone", NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);
    cr_expect_neq(db_labels(e, t, 0, vals, 2, &lab, &n, &err), SEEKI_E_OK);
    cr_expect_null(lab);
    db_close(e);
    cfg_destroy(c);
}
