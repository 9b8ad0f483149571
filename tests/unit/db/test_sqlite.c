/* The SQLite engine end to end on a temp database made with the sqlite3 API:
 * catalog naming and kinds, include/exclude, find_table errors, paging,
 * multi-sort with NULL order, search with literal % and _, every filter op,
 * counts, reverse pages, read-only handles, the statement timeout and the
 * pool limit. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbtest.h"
#include "util/clock.h"
#include "util/mem.h"

static char dir[64];
static char path[128];

static const char *const schema_sql =
    "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, age INTEGER, score REAL, born DATE,"
    " seen DATETIME, active BOOLEAN, tags JSON, photo BLOB, \"Mixed Case\" TEXT);"
    "INSERT INTO people VALUES"
    " (1, 'Ann', 34, 4.5, '1990-01-15', '2026-04-15 10:30:00', 1, '{\"a\":1}', x'01ab', 'x'),"
    " (2, 'bob', NULL, 3.0, '1985-06-30', '2026-04-15T11:45:00Z', 0, '[1,2]', NULL, NULL),"
    " (3, '50% off', 12, NULL, '2012-04-01', '2026-03-31 23:59:59', 1, 'not json', NULL, ''),"
    " (4, '500 off', 18, 2.25, NULL, NULL, 0, NULL, NULL, '   '),"
    " (5, 'a_b', 70, 5.0, '1956-02-29', '2026-05-01 00:00:00', NULL, NULL, NULL, NULL),"
    " (6, 'axb', 45, 1.5, '1981-04-30', '2026-04-30 23:59:59', 'true', NULL, NULL, NULL),"
    " (7, NULL, 29, NULL, '1997-04-15', '2026-04-01 00:00:00', 'no', NULL, NULL, NULL),"
    " (8, '\xc3\x89mile', 52, 4.0, '1974-12-31', '2025-12-31 23:59:59', 1, NULL, NULL, NULL),"
    " (9, '', 8, 0.5, '2018-04-15', '2026-04-15 00:00:00', 0, NULL, NULL, NULL),"
    " (10, 'Zo\xc3\xab', 61, 3.5, '1965-07-04', '2026-04-16 00:00:00', 1, NULL, NULL, NULL);"
    "CREATE TABLE \"Order Items\" (\"Item ID\" INTEGER, qty INTEGER);"
    "INSERT INTO \"Order Items\" VALUES (3, 2), (1, 5), (2, NULL);"
    "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;"
    "INSERT INTO kv VALUES ('b', '2'), ('a', '1'), ('c', NULL);"
    "CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT);"
    "INSERT INTO auto (x) VALUES ('one');"
    "CREATE VIEW adults AS SELECT id, name, age FROM people WHERE age >= 18;"
    "CREATE VIEW slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE"
    " x < 100000000) SELECT x FROM c WHERE x < 0;";

static void make_db(void)
{
    snprintf(dir, sizeof dir, "/tmp/seeki-dbtest-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, schema_sql, NULL, NULL, &msg);
    cr_assert_eq(rc, SQLITE_OK, "schema: %s", msg ? msg : "");
    /* an FTS5 table brings shadow tables that must not be listed */
    sqlite3_exec(db, "CREATE VIRTUAL TABLE docs USING fts5(body)", NULL, NULL, NULL);
    sqlite3_close(db);
}

static void drop_db(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s/t.db", dir);
    unlink(cmd);
    snprintf(cmd, sizeof cmd, "%s/not.db", dir);
    unlink(cmd);
    rmdir(dir);
}

TestSuite(sqlite, .init = make_db, .fini = drop_db);

static struct cfg *cfg_for(const char *p)
{
    struct cfg *c = cfg_new_demo(p);
    c->statement_timeout_ms = 300;
    c->max_connections = 2;
    return c;
}

static struct db_engine *open_engine(struct cfg *c)
{
    struct db_engine *e = NULL;
    struct seeki_err err;
    seeki_err_clear(&err);
    enum seeki_code rc = db_open(c, NULL, &e, &err);
    cr_assert_eq(rc, SEEKI_E_OK, "db_open: %s", err.msg);
    return e;
}

static const struct db_table *table(struct db_engine *e, const char *name)
{
    const struct db_table *t = NULL;
    struct seeki_err err;
    cr_assert_eq(db_find_table(db_catalog(e), name, &t, &err), SEEKI_E_OK, "%s", err.msg);
    return t;
}

/* Runs q and returns the JSON of column `col` of every row, comma-joined. */
static char *column_of(struct db_engine *e, const struct db_query *q, size_t col)
{
    struct db_iter *it = NULL;
    struct seeki_err err;
    seeki_err_clear(&err);
    cr_assert_eq(db_rows_open(e, q, &it, &err), SEEKI_E_OK, "rows_open: %s", err.msg);
    struct buf b;
    buf_init(&b, 0);
    const struct db_cell *row;
    for (;;) {
        cr_assert_eq(db_iter_next(it, &row, &err), SEEKI_E_OK, "next: %s", err.msg);
        if (!row)
            break;
        if (b.len)
            cr_assert_eq(buf_putc(&b, ','), 0);
        cr_assert_eq(db_cell_json(&q->table->cols[col], &row[col], &b), 0);
    }
    db_iter_close(it);
    return buf_take(&b);
}

static void expect_rows(struct db_engine *e, const struct db_query *q, const char *want,
                        const char *what)
{
    char *got = column_of(e, q, 0);
    cr_expect_str_eq(got, want, "%s: got [%s], want [%s]", what, got, want);
    free(got);
}

Test(sqlite, catalog_names_kinds_keys_and_estimates)
{
    struct cfg *c = cfg_for(path);
    struct db_engine *e = open_engine(c);
    cr_expect_str_eq(db_kind_name(e), "sqlite");
    const struct db_catalog *cat = db_catalog(e);
    struct buf names;
    buf_init(&names, 0);
    for (size_t i = 0; i < cat->ntables; i++)
        cr_assert_eq(buf_printf(&names, "%s%s", i ? "|" : "", cat->tables[i].name), 0);
    bool fts = strstr(buf_str(&names), "docs") != NULL;
    cr_expect_str_eq(buf_str(&names), fts ? "Order Items|adults|auto|docs|kv|people|slow"
                                          : "Order Items|adults|auto|kv|people|slow");
    buf_free(&names);

    const struct db_table *p = table(e, "people");
    cr_expect_str_eq(p->schema, "main");
    cr_expect_str_eq(p->display_name, "People");
    cr_expect_eq(p->kind, DB_TABLE);
    cr_expect(p->has_rowid);
    cr_expect_eq(p->row_estimate, 10);
    cr_assert_eq(p->ncols, 10);
    cr_assert_eq(p->npk, 1);
    cr_expect_eq(p->pk[0], 0);
    cr_expect(p->cols[0].is_primary_key);
    cr_expect(!p->cols[0].is_nullable, "INTEGER PRIMARY KEY is the rowid: never NULL");
    cr_expect(p->cols[1].is_nullable);
    cr_expect_str_eq(p->cols[2].data_type, "INTEGER");
    cr_expect_str_eq(db_display_type(&p->cols[2]), "Number");
    cr_expect_str_eq(db_display_type(&p->cols[3]), "Decimal");
    cr_expect_str_eq(db_display_type(&p->cols[4]), "Date");
    cr_expect_str_eq(db_display_type(&p->cols[5]), "Date & Time");
    cr_expect_str_eq(db_display_type(&p->cols[6]), "Yes/No");
    cr_expect_str_eq(db_display_type(&p->cols[7]), "JSON");
    cr_expect_str_eq(db_display_type(&p->cols[8]), "Binary");
    cr_expect_str_eq(p->cols[9].name, "Mixed Case");
    cr_expect_str_eq(p->cols[9].display_name, "Mixed Case");
    cr_expect_eq(p->cols[9].position, 10);

    const struct db_table *oi = table(e, "Order Items");
    cr_expect(oi->has_rowid);
    cr_expect_eq(oi->npk, 0);
    cr_expect_str_eq(oi->cols[0].display_name, "Item");
    cr_expect_str_eq(oi->display_name, "Order Items");

    const struct db_table *kv = table(e, "kv");
    cr_expect(!kv->has_rowid, "WITHOUT ROWID");
    cr_expect_eq(kv->npk, 1);

    const struct db_table *v = table(e, "adults");
    cr_expect_eq(v->kind, DB_VIEW);
    cr_expect(!v->has_rowid);
    cr_expect_eq(v->npk, 0);
    cr_expect_eq(v->ncols, 3);
    cr_expect_eq(v->row_estimate, 7);
    cr_expect_eq(table(e, "slow")->row_estimate, -1, "too slow to count at startup");

    const struct db_table *t = NULL;
    struct seeki_err err;
    cr_expect_eq(db_find_table(cat, "main.people", &t, &err), SEEKI_E_OK);
    cr_expect_eq(db_find_table(cat, "sqlite_sequence", &t, &err), SEEKI_E_NOT_FOUND);
    cr_expect_str_eq(err.msg, "Table 'sqlite_sequence' not found");
    cr_expect_eq(db_find_table(cat, "docs_content", &t, &err), SEEKI_E_NOT_FOUND);
    cr_expect_eq(db_find_table(cat, "People", &t, &err), SEEKI_E_NOT_FOUND);
    cr_expect_eq(db_ping(e, &err), SEEKI_E_OK, "%s", err.msg);
    db_close(e);
    cfg_destroy(c);
}

Test(sqlite, include_and_exclude_hide_tables)
{
    struct cfg *c = cfg_for(path);
    static const char *const exc[] = {"kv", "main.slow", NULL};
    c->exclude = dbt_strv(&c->nexclude, exc);
    struct db_engine *e = open_engine(c);
    const struct db_table *t;
    struct seeki_err err;
    cr_expect_eq(db_find_table(db_catalog(e), "kv", &t, &err), SEEKI_E_NOT_FOUND);
    cr_expect_str_eq(err.msg, "Table 'kv' not found");
    cr_expect_eq(db_find_table(db_catalog(e), "slow", &t, &err), SEEKI_E_NOT_FOUND);
    cr_expect_eq(db_find_table(db_catalog(e), "people", &t, &err), SEEKI_E_OK);
    db_close(e);
    cfg_destroy(c);

    c = cfg_for(path);
    static const char *const inc[] = {"people", "Order Items", NULL};
    c->include_set = true;
    c->include = dbt_strv(&c->ninclude, inc);
    e = open_engine(c);
    cr_expect_eq(db_catalog(e)->ntables, 2);
    db_close(e);
    cfg_destroy(c);
}

Test(sqlite, paging_sorting_and_null_order)
{
    struct cfg *c = cfg_for(path);
    struct db_engine *e = open_engine(c);
    const struct db_table *p = table(e, "people");
    struct db_query q = {.table = p, .limit = 3, .offset = 3};
    expect_rows(e, &q, "4,5,6", "page 2 of 3 in key order");
    q.offset = 9;
    expect_rows(e, &q, "10", "last partial page");
    q.offset = 50;
    expect_rows(e, &q, "", "past the end");

    struct db_sort age_asc[] = {{2, false}}, age_desc[] = {{2, true}};
    q = (struct db_query){.table = p, .sorts = age_asc, .nsorts = 1, .limit = 100};
    expect_rows(e, &q, "9,3,4,7,1,6,8,10,5,2", "age asc, NULL last");
    q.sorts = age_desc;
    expect_rows(e, &q, "2,5,10,8,6,1,7,4,3,9", "age desc, NULL first");
    /* booleans stored as numbers and as words, then names as tie-break */
    struct db_sort mix[] = {{6, true}, {1, false}};
    q.sorts = mix;
    q.nsorts = 2;
    expect_rows(e, &q, "5,6,7,3,1,10,8,9,4,2", "active desc, name asc");
    /* reverse: the page from the end, handed back in forward order */
    q = (struct db_query){.table = p, .limit = 3, .reverse = true};
    expect_rows(e, &q, "8,9,10", "reverse last page");
    q.offset = 3;
    expect_rows(e, &q, "5,6,7", "reverse second-to-last page");
    q = (struct db_query){.table = p, .sorts = age_asc, .nsorts = 1, .limit = 4, .reverse = true};
    expect_rows(e, &q, "8,10,5,2", "reverse with a sort keeps NULLs last");

    /* spaced identifiers and rowid order */
    const struct db_table *oi = table(e, "Order Items");
    q = (struct db_query){.table = oi, .limit = 10};
    expect_rows(e, &q, "3,1,2", "rowid order");
    struct db_sort qty_desc[] = {{1, true}};
    q.sorts = qty_desc;
    q.nsorts = 1;
    expect_rows(e, &q, "2,1,3", "qty desc NULL first");
    const struct db_table *kv = table(e, "kv");
    q = (struct db_query){.table = kv, .limit = 10, .reverse = true};
    expect_rows(e, &q, "\"a\",\"b\",\"c\"", "WITHOUT ROWID by key, reversed back");

    /* a view has no order key: forward works, reverse is refused */
    const struct db_table *v = table(e, "adults");
    q = (struct db_query){.table = v, .limit = 100};
    char *got = column_of(e, &q, 0);
    cr_expect_eq(strlen(got) > 0, 1);
    free(got);
    q.reverse = true;
    struct db_iter *it = NULL;
    struct seeki_err err;
    cr_expect_eq(db_rows_open(e, &q, &it, &err), SEEKI_E_BAD_PARAM);
    cr_expect_null(it);
    q.limit = -1;
    q.reverse = true;
    cr_expect_eq(db_rows_open(e, &q, &it, &err), SEEKI_E_BAD_PARAM);
    db_close(e);
    cfg_destroy(c);
}

struct fcase {
    const char *col, *expr, *ids;
};

// clang-format off
static const struct fcase filter_cases[] = {
    {"age", ">=45", "5,6,8,10"},
    {"age", "10..30", "3,4,7"},
    {"age", "is null", "2"},
    {"age", "is not null", "1,3,4,5,6,7,8,9,10"},
    {"age", "=8", "9"},
    {"age", "<12", "9"},
    {"age", "<=12", "3,9"},
    {"score", "<2", "6,9"},
    {"score", "4.5", "1"},
    {"score", "2..4", "2,4,8,10"},
    {"name", "=", "9"},
    {"name", "OFF", "3,4"},
    {"name", "=bob", "2"},
    {"name", "=Bob", ""},
    {"name", "0%", "3"},
    {"name", "_", "5"},
    {"name", "null", "7"},
    {"born", "2012", "3"},
    {"born", ">2000", "3,9"},
    {"born", "<=1960", "5"},
    {"born", "1956-02-29", "5"},
    {"born", "1981-04..1985-06", "2,6"},
    {"seen", "2026-04-15", "1,2,9"},
    {"seen", "2026-04-15 11", "2"},
    {"seen", "2026-04-15 11:45:00", "2"},
    {"seen", "2026-04", "1,2,6,7,9,10"},
    {"seen", ">2026-04-30", "5"},
    {"seen", "<2026", "8"},
    {"active", "yes", "1,3,6,8,10"},
    {"active", "no", "2,4,7,9"},
    {"active", "is null", "5"},
    {"tags", "a", "1"},
    {"tags", "=[1,2]", "2"},
    {"Mixed Case", "=   ", "4"},
    {"Mixed Case", "=", "3"},
    {"Mixed Case", "is not null", "1,3,4"},
    {"photo", "is not null", "1"},
};
// clang-format on

Test(sqlite, every_filter_op_and_count)
{
    struct cfg *c = cfg_for(path);
    struct db_engine *e = open_engine(c);
    const struct db_table *p = table(e, "people");
    for (size_t i = 0; i < sizeof filter_cases / sizeof filter_cases[0]; i++) {
        const struct fcase *fc = &filter_cases[i];
        long col = db_find_column(p, fc->col);
        cr_assert(col >= 0, "%s", fc->col);
        struct db_filter f;
        struct seeki_err err;
        cr_assert_eq(db_filter_parse(&p->cols[col], (size_t)col, fc->expr, &f, &err), SEEKI_E_OK,
                     "%s", err.msg);
        struct db_query q = {.table = p, .filters = &f, .nfilters = 1, .limit = 100};
        char what[128];
        snprintf(what, sizeof what, "filter %s '%s'", fc->col, fc->expr);
        expect_rows(e, &q, fc->ids, what);
        struct db_total tot;
        cr_assert_eq(db_count(e, &q, &tot, &err), SEEKI_E_OK, "%s", err.msg);
        size_t want = fc->ids[0] ? 1 : 0;
        for (const char *s = fc->ids; *s; s++)
            want += *s == ',';
        cr_expect_eq(tot.n, (int64_t)want, "%s: count %lld, want %zu", what, (long long)tot.n,
                     want);
        cr_expect(tot.exact && !tot.pending, "a small view is counted in line");
        db_filter_free(&f);
    }
    /* two filters AND-ed, plus search */
    struct db_filter fs[2];
    cr_assert_eq(db_filter_parse(&p->cols[2], 2, ">=18", &fs[0], NULL), SEEKI_E_OK);
    cr_assert_eq(db_filter_parse(&p->cols[6], 6, "yes", &fs[1], NULL), SEEKI_E_OK);
    struct db_query q = {.table = p, .filters = fs, .nfilters = 2, .limit = 100};
    expect_rows(e, &q, "1,6,8,10", "age >= 18 and active");
    q.search = "x";
    expect_rows(e, &q, "1,6", "... and search x (name or Mixed Case)");
    db_filter_free(&fs[0]);
    db_filter_free(&fs[1]);
    q = (struct db_query){.table = p, .search = "0%", .limit = 100};
    expect_rows(e, &q, "3", "search with a literal %");
    q.search = "_";
    expect_rows(e, &q, "5", "search with a literal _");
    q.search = "ZO";
    expect_rows(e, &q, "10", "search is case-insensitive");
    struct db_total tot;
    q.search = NULL;
    cr_assert_eq(db_count(e, &q, &tot, NULL), SEEKI_E_OK);
    cr_expect_eq(tot.n, 10);
    db_close(e);
    cfg_destroy(c);
}

Test(sqlite, cells_keep_storage_classes_and_encode)
{
    struct cfg *c = cfg_for(path);
    struct db_engine *e = open_engine(c);
    const struct db_table *p = table(e, "people");
    struct db_query q = {.table = p, .limit = 1};
    struct db_iter *it = NULL;
    cr_assert_eq(db_rows_open(e, &q, &it, NULL), SEEKI_E_OK);
    const struct db_cell *row = NULL;
    cr_assert_eq(db_iter_next(it, &row, NULL), SEEKI_E_OK);
    cr_assert_not_null(row);
    cr_expect_eq(row[0].kind, DB_CELL_INT);
    cr_expect_eq(row[1].kind, DB_CELL_TEXT);
    cr_expect_eq(row[3].kind, DB_CELL_REAL);
    cr_expect_eq(row[8].kind, DB_CELL_BLOB);
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < p->ncols; i++) {
        cr_assert_eq(buf_puts(&b, i ? "," : "["), 0);
        cr_assert_eq(db_cell_json(&p->cols[i], &row[i], &b), 0);
    }
    cr_expect_str_eq(buf_str(&b), "[1,\"Ann\",34,4.5,\"1990-01-15\",\"2026-04-15 10:30:00\",true,"
                                  "{\"a\":1},\"\\\\x01ab\",\"x\"");
    buf_free(&b);
    cr_assert_eq(db_iter_next(it, &row, NULL), SEEKI_E_OK);
    cr_expect_null(row);
    db_iter_close(it);
    db_iter_close(NULL);
    db_close(e);
    db_close(NULL);
    cfg_destroy(c);
}

Test(sqlite, handles_are_read_only)
{
    struct cfg *c = cfg_for(path);
    struct db_engine *e = open_engine(c);
    struct seeki_err err;
    cr_expect_eq(litedb_test_exec(e, "INSERT INTO kv VALUES ('z', 'z')", &err), SEEKI_E_DB);
    cr_expect(strstr(err.msg, "readonly") || strstr(err.msg, "query_only"), "%s", err.msg);
    /* even with query_only switched off, the file handle itself is read-only */
    cr_expect_eq(litedb_test_exec(e, "PRAGMA query_only = OFF; DELETE FROM kv", &err), SEEKI_E_DB);
    cr_expect(strstr(err.msg, "readonly") != NULL, "%s", err.msg);
    cr_expect_eq(litedb_test_exec(e, "CREATE TABLE nope (x)", &err), SEEKI_E_DB);
    db_close(e);
    cfg_destroy(c);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM kv", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_expect_eq(sqlite3_column_int(st, 0), 3, "nothing was written");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

Test(sqlite, statement_timeout_stops_slow_queries)
{
    struct cfg *c = cfg_for(path);
    struct db_engine *e = open_engine(c);
    const struct db_table *slow = table(e, "slow");
    struct db_filter f;
    cr_assert_eq(db_filter_parse(&slow->cols[0], 0, "5", &f, NULL), SEEKI_E_OK);
    struct db_query q = {.table = slow, .filters = &f, .nfilters = 1, .limit = 10};
    struct seeki_err err;
    int64_t t0 = clock_ms();
    struct db_total tot;
    /* a count too slow to make in line is no error: the estimate, and the
     * exact count goes to the background (where it times out too) */
    cr_expect_eq(db_count(e, &q, &tot, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect(!tot.exact && tot.pending, "exact %d pending %d", tot.exact, tot.pending);
    int64_t took = clock_ms() - t0;
    cr_expect(took >= 250 && took < 3000, "count took %lld ms", (long long)took);
    cr_expect_eq(db_count_wait(e, &q, 5000, &tot, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect(!tot.exact && !tot.pending, "too slow in the background: not retried at once");
    struct db_iter *it = NULL;
    cr_expect_eq(db_rows_open(e, &q, &it, &err), SEEKI_E_TIMEOUT);
    cr_expect_null(it);
    cr_expect(strstr(err.msg, "database.statement_timeout_ms") != NULL);
    /* the connections came back: a quick query still works */
    const struct db_table *p = table(e, "people");
    struct db_query pq = {.table = p, .limit = 1};
    expect_rows(e, &pq, "1", "after a timeout");
    db_filter_free(&f);
    db_close(e);
    cfg_destroy(c);
}

Test(sqlite, pool_never_exceeds_max_connections)
{
    struct cfg *c = cfg_for(path);
    struct db_engine *e = open_engine(c);
    const struct db_table *p = table(e, "people");
    struct db_query q = {.table = p, .limit = 10};
    struct db_iter *a = NULL, *b = NULL, *d = NULL;
    struct seeki_err err;
    cr_assert_eq(db_rows_open(e, &q, &a, &err), SEEKI_E_OK);
    cr_assert_eq(db_rows_open(e, &q, &b, &err), SEEKI_E_OK);
    struct db_total tot;
    cr_expect_eq(db_count(e, &q, &tot, &err), SEEKI_E_BUSY);
    cr_expect_str_eq(err.msg, "All 2 database connections stayed busy for 300 ms "
                              "(database.max_connections = 2); try again in a moment, or raise "
                              "database.max_connections");
    db_iter_close(a);
    cr_expect_eq(db_count(e, &q, &tot, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect_eq(tot.n, 10);
    /* an iterator that reached its end has already given its connection back */
    const struct db_cell *row;
    do
        cr_assert_eq(db_iter_next(b, &row, &err), SEEKI_E_OK);
    while (row);
    cr_assert_eq(db_rows_open(e, &q, &d, &err), SEEKI_E_OK);
    cr_expect_eq(db_ping(e, &err), SEEKI_E_OK, "%s", err.msg);
    db_iter_close(b);
    db_iter_close(d);
    db_close(e);
    cfg_destroy(c);
}

Test(sqlite, missing_file_non_database_and_directory_fail_clearly)
{
    char missing[200];
    snprintf(missing, sizeof missing, "%s/missing.db", dir);
    struct cfg *c = cfg_for(missing);
    struct db_engine *e = NULL;
    struct seeki_err err;
    cr_expect_eq(db_open(c, NULL, &e, &err), SEEKI_E_DB);
    cr_expect_null(e);
    char *want = xasprintf("SQLite database file '%s' does not exist. Check database.url in "
                           "your seeki.toml, or run `seeki --demo` to try SeeKi on the bundled "
                           "demo database",
                           missing);
    cr_expect_str_eq(err.msg, want);
    free(want);
    cfg_destroy(c);

    char notdb[200];
    snprintf(notdb, sizeof notdb, "%s/not.db", dir);
    FILE *f = fopen(notdb, "w");
    cr_assert_not_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database file at all. ", f);
    fclose(f);
    c = cfg_for(notdb);
    cr_expect_eq(db_open(c, NULL, &e, &err), SEEKI_E_DB);
    cr_expect(strstr(err.msg, "is not a SQLite database") != NULL, "%s", err.msg);
    cr_expect(strstr(err.msg, notdb) != NULL, "%s", err.msg);
    cfg_destroy(c);

    c = cfg_for(dir);
    cr_expect_eq(db_open(c, NULL, &e, &err), SEEKI_E_DB);
    cr_expect(strstr(err.msg, "is a directory") != NULL, "%s", err.msg);
    cfg_destroy(c);

    /* A SQLite URL handed to the PostgreSQL engine is refused, not dialled. */
    c = cfg_for(path);
    c->db_kind = CFG_DB_POSTGRES;
    cr_expect_eq(db_open(c, NULL, &e, &err), SEEKI_E_CONFIG);
    cr_expect(strstr(err.msg, "not a valid PostgreSQL URL") != NULL, "%s", err.msg);
    cfg_destroy(c);
}

/* A primary key past the 256th column (and in another order than the columns):
 * every key column is found, in key order. Before, only the first 256 columns
 * were looked at, and this table had no key. */
Test(sqlite, primary_key_past_the_256th_column)
{
    char wide[300];
    snprintf(wide, sizeof wide, "%s/wide.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(wide, &db), SQLITE_OK);
    struct buf sql;
    buf_init(&sql, 0);
    cr_assert_eq(buf_puts(&sql, "CREATE TABLE wide ("), 0);
    for (int i = 1; i <= 300; i++)
        cr_assert_eq(buf_printf(&sql, "c%d INTEGER%s", i, i < 300 ? ", " : ""), 0);
    cr_assert_eq(buf_puts(&sql, ", PRIMARY KEY (c290, c5)) WITHOUT ROWID;"
                                "INSERT INTO wide (c290, c5, c1) VALUES (2, 1, 10), (1, 9, 20);"),
                 0);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(db, sql.data, NULL, NULL, &msg), SQLITE_OK, "%s", msg);
    sqlite3_close(db);
    buf_free(&sql);

    struct cfg *c = cfg_for(wide);
    struct db_engine *e = open_engine(c);
    const struct db_table *t = table(e, "wide");
    cr_assert_eq(t->ncols, 300);
    cr_assert_eq(t->npk, 2);
    cr_expect_eq(t->pk[0], 289);
    cr_expect_eq(t->pk[1], 4);
    cr_expect(t->cols[289].is_primary_key && t->cols[4].is_primary_key);
    cr_expect(!t->cols[0].is_primary_key);
    /* default order is the key: (c290, c5) = (1, 9) then (2, 1) */
    struct db_query q = {.table = t, .limit = -1};
    expect_rows(e, &q, "20,10", "rows in key order");
    db_close(e);
    cfg_destroy(c);
    unlink(wide);
}
