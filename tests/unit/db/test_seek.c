/* The keyset predicate sql.c builds for cursors and numbered jumps: exact SQL
 * and parameters for both dialects, for every direction mix, NULL boundary
 * values, reversed (prev) reads, filters, the row id tie-breaker, plus
 * db_order_keys and db_index_serves. Queries use keys_only to keep the
 * expected text short (the select list is then the order keys). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dbtest.h"
#include "util/mem.h"

static const struct dbt_col s_cols[] = {
    {"id", DB_VT_BIGINT, false, true, "INTEGER"},
    {"name", DB_VT_TEXT, true, false, NULL},
    {"n", DB_VT_BIGINT, false, false, NULL},
    {"score", DB_VT_FLOAT, true, false, NULL},
};
enum { ID, NAME, N, SCORE };

#define KI(v) {.kind = DB_CELL_INT, .i = (v)}
#define KR(v) {.kind = DB_CELL_REAL, .d = (v)}
#define KT(v) {.kind = DB_CELL_TEXT, .s = (char *)(v), .len = sizeof(v) - 1}
#define KN {.kind = DB_CELL_NULL}

struct seekcase {
    const char *what;
    struct db_sort sorts[3];
    size_t nsorts;
    bool reverse;
    bool filter; /* add filter n > 1 */
    struct db_keyval keys[3];
    size_t nkeys;
    const char *lite, *lite_params, *pg, *pg_params;
};

#define FROM " FROM \"main\".\"s\""
// clang-format off
static const struct seekcase cases[] = {
    {"primary key order", {{0}}, 0, false, false, {KI(5)}, 1,
     "SELECT \"id\"" FROM " WHERE (\"id\" > ?) ORDER BY \"id\" ASC LIMIT ? OFFSET ?", "i:5|i:10|i:0",
     "SELECT \"id\"" FROM " WHERE (\"id\" > $1) ORDER BY \"id\" ASC LIMIT $2 OFFSET $3", "t:5|i:10|i:0"},
    {"primary key order, read backwards (prev)", {{0}}, 0, true, false, {KI(5)}, 1,
     "SELECT \"id\"" FROM " WHERE (\"id\" < ?) ORDER BY \"id\" DESC LIMIT ? OFFSET ?", "i:5|i:10|i:0",
     "SELECT \"id\"" FROM " WHERE (\"id\" < $1) ORDER BY \"id\" DESC LIMIT $2 OFFSET $3", "t:5|i:10|i:0"},
    {"NOT NULL ascending sort: one row-value comparison", {{N, false}}, 1, false, false,
     {KI(3), KI(7)}, 2,
     "SELECT \"n\", \"id\"" FROM " WHERE ((\"n\", \"id\") > (?, ?)) ORDER BY \"n\" ASC, \"id\" ASC "
     "LIMIT ? OFFSET ?", "i:3|i:7|i:10|i:0",
     "SELECT \"n\", \"id\"" FROM " WHERE ((\"n\", \"id\") > ($1, $2)) ORDER BY \"n\" ASC, \"id\" ASC "
     "LIMIT $3 OFFSET $4", "t:3|t:7|i:10|i:0"},
    {"NOT NULL descending sort: the tie-breaker follows, still a row value", {{N, true}}, 1, false,
     false, {KI(3), KI(7)}, 2,
     "SELECT \"n\", \"id\"" FROM " WHERE ((\"n\", \"id\") < (?, ?)) ORDER BY \"n\" DESC, \"id\" DESC "
     "LIMIT ? OFFSET ?", "i:3|i:7|i:10|i:0",
     "SELECT \"n\", \"id\"" FROM " WHERE ((\"n\", \"id\") < ($1, $2)) ORDER BY \"n\" DESC, \"id\" DESC "
     "LIMIT $3 OFFSET $4", "t:3|t:7|i:10|i:0"},
    {"mixed directions: expanded OR form, PostgreSQL reuses $n", {{N, false}, {ID, true}}, 2,
     false, false, {KI(3), KI(7)}, 2,
     "SELECT \"n\", \"id\"" FROM " WHERE (\"n\" > ? OR (\"n\" = ? AND \"id\" < ?)) ORDER BY \"n\" ASC, "
     "\"id\" DESC LIMIT ? OFFSET ?", "i:3|i:3|i:7|i:10|i:0",
     "SELECT \"n\", \"id\"" FROM " WHERE (\"n\" > $1 OR (\"n\" = $1 AND \"id\" < $2)) ORDER BY \"n\" "
     "ASC, \"id\" DESC LIMIT $3 OFFSET $4", "t:3|t:7|i:10|i:0"},
    {"nullable ascending, value: a row-value branch UNION ALL the NULL branch", {{NAME, false}},
     1, false, false, {KT("bob"), KI(7)}, 2,
     "SELECT * FROM (SELECT \"name\", \"id\" FROM \"main\".\"s\" WHERE (\"name\", \"id\") > "
     "(?, ?) ORDER BY \"name\" ASC, \"id\" ASC LIMIT ?) UNION ALL SELECT * FROM (SELECT "
     "\"name\", \"id\" FROM \"main\".\"s\" WHERE \"name\" IS NULL ORDER BY \"name\" ASC, "
     "\"id\" ASC LIMIT ?) ORDER BY 1 ASC NULLS LAST, 2 ASC LIMIT ? OFFSET ?",
     "t:bob|i:7|i:10|i:10|i:10|i:0",
     "(SELECT \"name\", \"id\" FROM \"main\".\"s\" WHERE (\"name\", \"id\") > ($1, $2) ORDER "
     "BY \"name\" ASC, \"id\" ASC LIMIT $3) UNION ALL (SELECT \"name\", \"id\" FROM "
     "\"main\".\"s\" WHERE \"name\" IS NULL ORDER BY \"name\" ASC, \"id\" ASC LIMIT $4) ORDER "
     "BY 1 ASC NULLS LAST, 2 ASC LIMIT $5 OFFSET $6",
     "t:bob|t:7|i:10|i:10|i:10|i:0"},
    {"nullable first of two sort keys: the NULL branch leaves later keys free",
     {{NAME, false}, {N, false}}, 2, false, true, {KT("bob"), KI(3), KI(7)}, 3,
     "SELECT * FROM (SELECT \"name\", \"n\", \"id\" FROM \"main\".\"s\" WHERE \"n\" > ? AND "
     "(\"name\", \"n\", \"id\") > (?, ?, ?) ORDER BY \"name\" ASC, \"n\" ASC, \"id\" ASC "
     "LIMIT ?) UNION ALL SELECT * FROM (SELECT \"name\", \"n\", \"id\" FROM \"main\".\"s\" "
     "WHERE \"n\" > ? AND \"name\" IS NULL ORDER BY \"name\" ASC, \"n\" ASC, \"id\" ASC LIMIT "
     "?) ORDER BY 1 ASC NULLS LAST, 2 ASC, 3 ASC LIMIT ? OFFSET ?",
     "i:1|t:bob|i:3|i:7|i:10|i:1|i:10|i:10|i:0",
     "(SELECT \"name\", \"n\", \"id\" FROM \"main\".\"s\" WHERE \"n\" > $1::bigint AND "
     "(\"name\", \"n\", \"id\") > ($2, $3, $4) ORDER BY \"name\" ASC, \"n\" ASC, \"id\" ASC "
     "LIMIT $5) UNION ALL (SELECT \"name\", \"n\", \"id\" FROM \"main\".\"s\" WHERE \"n\" > "
     "$6::bigint AND \"name\" IS NULL ORDER BY \"name\" ASC, \"n\" ASC, \"id\" ASC LIMIT $7) "
     "ORDER BY 1 ASC NULLS LAST, 2 ASC, 3 ASC LIMIT $8 OFFSET $9",
     "t:1|t:bob|t:3|t:7|i:10|t:1|i:10|i:10|i:0"},
    {"two nullable keys: a NULL branch per key, earlier keys equal",
     {{NAME, false}, {SCORE, false}}, 2, false, false, {KT("bob"), KR(1.5), KI(7)}, 3,

     "SELECT * FROM (SELECT \"name\", \"score\", \"id\" FROM \"main\".\"s\" WHERE (\"name\", "
     "\"score\", \"id\") > (?, ?, ?) ORDER BY \"name\" ASC, \"score\" ASC NULLS LAST, \"id\" "
     "ASC LIMIT ?) UNION ALL SELECT * FROM (SELECT \"name\", \"score\", \"id\" FROM "
     "\"main\".\"s\" WHERE \"name\" IS NULL ORDER BY \"name\" ASC, \"score\" ASC NULLS LAST, "
     "\"id\" ASC LIMIT ?) UNION ALL SELECT * FROM (SELECT \"name\", \"score\", \"id\" FROM "
     "\"main\".\"s\" WHERE \"name\" = ? AND \"score\" IS NULL ORDER BY \"name\" ASC, "
     "\"score\" ASC, \"id\" ASC LIMIT ?) ORDER BY 1 ASC NULLS LAST, 2 ASC NULLS LAST, 3 ASC "
     "LIMIT ? OFFSET ?",
     "t:bob|r:1.5|i:7|i:10|i:10|t:bob|i:10|i:10|i:0",
     "(SELECT \"name\", \"score\", \"id\" FROM \"main\".\"s\" WHERE (\"name\", \"score\", "
     "\"id\") > ($1, $2, $3) ORDER BY \"name\" ASC, \"score\" ASC NULLS LAST, \"id\" ASC "
     "LIMIT $4) UNION ALL (SELECT \"name\", \"score\", \"id\" FROM \"main\".\"s\" WHERE "
     "\"name\" IS NULL ORDER BY \"name\" ASC, \"score\" ASC NULLS LAST, \"id\" ASC LIMIT $5) "
     "UNION ALL (SELECT \"name\", \"score\", \"id\" FROM \"main\".\"s\" WHERE \"name\" = $1 "
     "AND \"score\" IS NULL ORDER BY \"name\" ASC, \"score\" ASC, \"id\" ASC LIMIT $6) ORDER "
     "BY 1 ASC NULLS LAST, 2 ASC NULLS LAST, 3 ASC LIMIT $7 OFFSET $8",
     "t:bob|t:1.5|t:7|i:10|i:10|i:10|i:10|i:0"},
    {"nullable descending read backwards (prev), value: ascending, so UNION ALL", {{NAME, true}},
     1, true, false, {KT("bob"), KI(7)}, 2,
     "SELECT * FROM (SELECT \"name\", \"id\" FROM \"main\".\"s\" WHERE (\"name\", \"id\") > "
     "(?, ?) ORDER BY \"name\" ASC, \"id\" ASC LIMIT ?) UNION ALL SELECT * FROM (SELECT "
     "\"name\", \"id\" FROM \"main\".\"s\" WHERE \"name\" IS NULL ORDER BY \"name\" ASC, "
     "\"id\" ASC LIMIT ?) ORDER BY 1 ASC NULLS LAST, 2 ASC LIMIT ? OFFSET ?",
     "t:bob|i:7|i:10|i:10|i:10|i:0",
     "(SELECT \"name\", \"id\" FROM \"main\".\"s\" WHERE (\"name\", \"id\") > ($1, $2) ORDER "
     "BY \"name\" ASC, \"id\" ASC LIMIT $3) UNION ALL (SELECT \"name\", \"id\" FROM "
     "\"main\".\"s\" WHERE \"name\" IS NULL ORDER BY \"name\" ASC, \"id\" ASC LIMIT $4) ORDER "
     "BY 1 ASC NULLS LAST, 2 ASC LIMIT $5 OFFSET $6",
     "t:bob|t:7|i:10|i:10|i:10|i:0"},
    {"nullable ascending, mixed directions: the expanded OR form", {{NAME, false}, {N, true}}, 2,
     false, false, {KT("bob"), KI(3), KI(7)}, 3,
     "SELECT \"name\", \"n\", \"id\" FROM \"main\".\"s\" WHERE ((\"name\" > ? OR \"name\" IS "
     "NULL) OR (\"name\" = ? AND (\"n\", \"id\") < (?, ?))) ORDER BY \"name\" ASC NULLS LAST, "
     "\"n\" DESC, \"id\" DESC LIMIT ? OFFSET ?",
     "t:bob|t:bob|i:3|i:7|i:10|i:0",
     "SELECT \"name\", \"n\", \"id\" FROM \"main\".\"s\" WHERE ((\"name\" > $1 OR \"name\" IS "
     "NULL) OR (\"name\" = $1 AND (\"n\", \"id\") < ($2, $3))) ORDER BY \"name\" ASC NULLS "
     "LAST, \"n\" DESC, \"id\" DESC LIMIT $4 OFFSET $5",
     "t:bob|t:3|t:7|i:10|i:0"},
    {"nullable ascending, NULL boundary: only later NULLs", {{NAME, false}}, 1, false, false,
     {KN, KI(7)}, 2,
     "SELECT \"name\", \"id\"" FROM " WHERE ((\"name\" IS NULL AND \"id\" > ?)) ORDER BY \"name\" ASC "
     "NULLS LAST, \"id\" ASC LIMIT ? OFFSET ?", "i:7|i:10|i:0",
     "SELECT \"name\", \"id\"" FROM " WHERE ((\"name\" IS NULL AND \"id\" > $1)) ORDER BY \"name\" ASC "
     "NULLS LAST, \"id\" ASC LIMIT $2 OFFSET $3", "t:7|i:10|i:0"},
    /* read descending, NULLs come first: none comes after a value, so a
     * nullable key still makes one row value (an index range scan; the OR
     * form made PostgreSQL walk the index from its start) */
    {"nullable descending, value: NULLs came first, one row value", {{NAME, true}}, 1, false,
     false, {KT("bob"), KI(7)}, 2,
     "SELECT \"name\", \"id\"" FROM " WHERE ((\"name\", \"id\") < (?, ?)) ORDER BY "
     "\"name\" DESC NULLS FIRST, \"id\" DESC LIMIT ? OFFSET ?", "t:bob|i:7|i:10|i:0",
     "SELECT \"name\", \"id\"" FROM " WHERE ((\"name\", \"id\") < ($1, $2)) ORDER BY "
     "\"name\" DESC NULLS FIRST, \"id\" DESC LIMIT $3 OFFSET $4", "t:bob|t:7|i:10|i:0"},
    {"nullable descending, NULL boundary: every value comes after", {{NAME, true}}, 1, false, false,
     {KN, KI(7)}, 2,
     "SELECT \"name\", \"id\"" FROM " WHERE (\"name\" IS NOT NULL OR (\"name\" IS NULL AND \"id\" < ?)) "
     "ORDER BY \"name\" DESC NULLS FIRST, \"id\" DESC LIMIT ? OFFSET ?", "i:7|i:10|i:0",
     "SELECT \"name\", \"id\"" FROM " WHERE (\"name\" IS NOT NULL OR (\"name\" IS NULL AND \"id\" < $1)) "
     "ORDER BY \"name\" DESC NULLS FIRST, \"id\" DESC LIMIT $2 OFFSET $3", "t:7|i:10|i:0"},
    {"nullable ascending read backwards (prev), value: one row value", {{NAME, false}}, 1, true,
     false, {KT("bob"), KI(7)}, 2,
     "SELECT \"name\", \"id\"" FROM " WHERE ((\"name\", \"id\") < (?, ?)) ORDER BY "
     "\"name\" DESC NULLS FIRST, \"id\" DESC LIMIT ? OFFSET ?", "t:bob|i:7|i:10|i:0",
     "SELECT \"name\", \"id\"" FROM " WHERE ((\"name\", \"id\") < ($1, $2)) ORDER BY "
     "\"name\" DESC NULLS FIRST, \"id\" DESC LIMIT $3 OFFSET $4", "t:bob|t:7|i:10|i:0"},
    {"nullable ascending read backwards (prev), NULL boundary", {{NAME, false}}, 1, true, false,
     {KN, KI(7)}, 2,
     "SELECT \"name\", \"id\"" FROM " WHERE (\"name\" IS NOT NULL OR (\"name\" IS NULL AND \"id\" < ?)) "
     "ORDER BY \"name\" DESC NULLS FIRST, \"id\" DESC LIMIT ? OFFSET ?", "i:7|i:10|i:0",
     "SELECT \"name\", \"id\"" FROM " WHERE (\"name\" IS NOT NULL OR (\"name\" IS NULL AND \"id\" < $1)) "
     "ORDER BY \"name\" DESC NULLS FIRST, \"id\" DESC LIMIT $2 OFFSET $3", "t:7|i:10|i:0"},
    {"nullable descending read backwards (prev), NULL boundary", {{NAME, true}}, 1, true, false,
     {KN, KI(7)}, 2,
     "SELECT \"name\", \"id\"" FROM " WHERE ((\"name\" IS NULL AND \"id\" > ?)) ORDER BY \"name\" ASC "
     "NULLS LAST, \"id\" ASC LIMIT ? OFFSET ?", "i:7|i:10|i:0",
     "SELECT \"name\", \"id\"" FROM " WHERE ((\"name\" IS NULL AND \"id\" > $1)) ORDER BY \"name\" ASC "
     "NULLS LAST, \"id\" ASC LIMIT $2 OFFSET $3", "t:7|i:10|i:0"},
    {"three keys, nullable middle, mixed directions", {{N, false}, {SCORE, true}}, 2, false, false,
     {KI(3), KR(1.5), KI(7)}, 3,
     "SELECT \"n\", \"score\", \"id\"" FROM " WHERE (\"n\" > ? OR (\"n\" = ? AND (\"score\", \"id\") "
     "< (?, ?))) ORDER BY \"n\" ASC, \"score\" DESC NULLS FIRST, \"id\" DESC LIMIT ? OFFSET ?",
     "i:3|i:3|r:1.5|i:7|i:10|i:0",
     "SELECT \"n\", \"score\", \"id\"" FROM " WHERE (\"n\" > $1 OR (\"n\" = $1 AND (\"score\", \"id\") "
     "< ($2, $3))) ORDER BY \"n\" ASC, \"score\" DESC NULLS FIRST, \"id\" DESC LIMIT $4 OFFSET $5",
     "t:3|t:1.5|t:7|i:10|i:0"},
    {"three keys, NULL middle value, mixed directions", {{N, false}, {SCORE, true}}, 2, false,
     false, {KI(3), KN, KI(7)}, 3,
     "SELECT \"n\", \"score\", \"id\"" FROM " WHERE (\"n\" > ? OR (\"n\" = ? AND \"score\" IS NOT NULL) "
     "OR (\"n\" = ? AND \"score\" IS NULL AND \"id\" < ?)) ORDER BY \"n\" ASC, \"score\" DESC NULLS "
     "FIRST, \"id\" DESC LIMIT ? OFFSET ?", "i:3|i:3|i:3|i:7|i:10|i:0",
     "SELECT \"n\", \"score\", \"id\"" FROM " WHERE (\"n\" > $1 OR (\"n\" = $1 AND \"score\" IS NOT NULL) "
     "OR (\"n\" = $1 AND \"score\" IS NULL AND \"id\" < $2)) ORDER BY \"n\" ASC, \"score\" DESC NULLS "
     "FIRST, \"id\" DESC LIMIT $3 OFFSET $4", "t:3|t:7|i:10|i:0"},
    {"seek joins the filters", {{0}}, 0, false, true, {KI(5)}, 1,
     "SELECT \"id\"" FROM " WHERE \"n\" > ? AND (\"id\" > ?) ORDER BY \"id\" ASC LIMIT ? OFFSET ?",
     "i:1|i:5|i:10|i:0",
     "SELECT \"id\"" FROM " WHERE \"n\" > $1::bigint AND (\"id\" > $2) ORDER BY \"id\" ASC LIMIT $3 "
     "OFFSET $4", "t:1|t:5|i:10|i:0"},
};
// clang-format on

Test(cursor_sql, keyset_predicates_for_both_dialects)
{
    struct db_table *t = dbt_table("main", "s", s_cols, SEEKI_ARRAY_LEN(s_cols), true);
    struct db_filter f = {.col = N, .op = DB_F_GT, .a = (char *)"1"};
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(cases); i++) {
        const struct seekcase *c = &cases[i];
        struct db_query q = {.table = t,
                             .sorts = c->sorts,
                             .nsorts = c->nsorts,
                             .filters = c->filter ? &f : NULL,
                             .nfilters = c->filter ? 1 : 0,
                             .reverse = c->reverse,
                             .seek = c->keys,
                             .nseek = c->nkeys,
                             .keys_only = true,
                             .limit = 10};
        dbt_check_select(DB_SQL_SQLITE, &q, c->what, c->lite, c->lite_params);
        dbt_check_select(DB_SQL_PG, &q, c->what, c->pg, c->pg_params);
    }
    dbt_table_destroy(t);
}

static const struct dbt_col r_cols[] = {{"a", DB_VT_TEXT, false, false, NULL}};

Test(cursor_sql, row_id_tie_breaker_and_with_keys_select_list)
{
    struct db_table *t = dbt_table("main", "r", r_cols, 1, true);
    struct db_sort s = {0, false};
    struct db_keyval k[2] = {KT("x"), KI(4)};
    struct db_query q = {.table = t, .sorts = &s, .nsorts = 1, .seek = k, .nseek = 2,
                         .with_keys = true, .limit = 10};
    dbt_check_select(DB_SQL_SQLITE, &q, "rowid",
              "SELECT \"a\", \"a\", rowid FROM \"main\".\"r\" WHERE ((\"a\", rowid) > (?, ?)) "
              "ORDER BY \"a\" ASC, rowid ASC LIMIT ? OFFSET ?",
              "t:x|i:4|i:10|i:0");
    dbt_check_select(DB_SQL_PG, &q, "ctid",
              "SELECT \"a\", \"a\", ctid FROM \"main\".\"r\" WHERE ((\"a\", ctid) > ($1, $2)) "
              "ORDER BY \"a\" ASC, ctid ASC LIMIT $3 OFFSET $4",
              "t:x|t:4|i:10|i:0");
    dbt_table_destroy(t);
}

/* The UNION ALL's outer ORDER BY names output columns by position: after
 * the table's columns with with_keys, the column itself without; each branch
 * reads limit + offset rows, the outer query applies the OFFSET. */
Test(cursor_sql, union_orders_by_output_position_and_branches_read_limit_plus_offset)
{
    struct db_table *t = dbt_table("main", "s", s_cols, SEEKI_ARRAY_LEN(s_cols), true);
    struct db_sort s = {SCORE, false};
    struct db_keyval k[2] = {KR(2.5), KI(9)};
    struct db_query q = {.table = t, .sorts = &s, .nsorts = 1, .seek = k, .nseek = 2,
                         .with_keys = true, .limit = 10, .offset = 5};
    dbt_check_select(DB_SQL_SQLITE, &q, "with_keys",
              "SELECT * FROM (SELECT \"id\", \"name\", \"n\", \"score\", \"score\", \"id\" FROM "
              "\"main\".\"s\" WHERE (\"score\", \"id\") > (?, ?) ORDER BY \"score\" ASC, \"id\" "
              "ASC LIMIT ?) UNION ALL SELECT * FROM (SELECT \"id\", \"name\", \"n\", \"score\", "
              "\"score\", \"id\" FROM \"main\".\"s\" WHERE \"score\" IS NULL ORDER BY \"score\" "
              "ASC, \"id\" ASC LIMIT ?) ORDER BY 5 ASC NULLS LAST, 6 ASC LIMIT ? OFFSET ?",
              "r:2.5|i:9|i:15|i:15|i:10|i:5");
    q.with_keys = false;
    dbt_check_select(DB_SQL_PG, &q, "plain select list",
              "(SELECT \"id\", \"name\", \"n\", \"score\" FROM \"main\".\"s\" WHERE (\"score\", "
              "\"id\") > ($1, $2) ORDER BY \"score\" ASC, \"id\" ASC LIMIT $3) UNION ALL (SELECT "
              "\"id\", \"name\", \"n\", \"score\" FROM \"main\".\"s\" WHERE \"score\" IS NULL "
              "ORDER BY \"score\" ASC, \"id\" ASC LIMIT $4) ORDER BY 4 ASC NULLS LAST, 1 ASC "
              "LIMIT $5 OFFSET $6",
              "t:2.5|t:9|i:15|i:15|i:10|i:5");
    /* no LIMIT (an export): the branches would be unbounded, so the OR form */
    q.limit = -1;
    q.offset = 0;
    dbt_check_select(DB_SQL_SQLITE, &q, "no limit",
              "SELECT \"id\", \"name\", \"n\", \"score\" FROM \"main\".\"s\" WHERE ((\"score\" > ? "
              "OR \"score\" IS NULL) OR (\"score\" = ? AND \"id\" > ?)) ORDER BY \"score\" ASC "
              "NULLS LAST, \"id\" ASC",
              "r:2.5|r:2.5|i:9");
    dbt_table_destroy(t);
}

Test(cursor_sql, a_seek_with_the_wrong_number_of_keys_is_refused)
{
    struct db_table *t = dbt_table("main", "s", s_cols, SEEKI_ARRAY_LEN(s_cols), true);
    struct db_keyval k[2] = {KI(1), KI(2)};
    struct db_query q = {.table = t, .seek = k, .nseek = 2, .limit = 10};
    struct db_sql s;
    struct seeki_err err;
    seeki_err_clear(&err);
    cr_expect_eq(db_sql_select(DB_SQL_SQLITE, &q, &s, &err), SEEKI_E_BAD_PARAM);
    cr_expect(strstr(err.msg, "Invalid cursor") != NULL, "%s", err.msg);
    dbt_table_destroy(t);
}

/* A stand-in engine: db_index_serves only needs the dialect. */
static const struct db_engine_ops lite_ops = {.kind_name = "sqlite", .dialect = DB_SQL_SQLITE};
static const struct db_engine_ops pg_ops = {.kind_name = "postgres", .dialect = DB_SQL_PG};

static void add_index(struct db_table *t, const size_t *cols, size_t n, bool unique)
{
    t->indexes = xrealloc(t->indexes, (t->nindexes + 1) * sizeof *t->indexes);
    struct db_index *ix = &t->indexes[t->nindexes++];
    ix->cols = xmalloc(n * sizeof *ix->cols);
    memcpy(ix->cols, cols, n * sizeof *ix->cols);
    ix->ncols = n;
    ix->unique = unique;
}

Test(cursor_sql, index_serves_decides_numbered_jumps)
{
    struct db_engine lite = {.ops = &lite_ops}, pg = {.ops = &pg_ops};
    struct db_table *t = dbt_table("main", "s", s_cols, SEEKI_ARRAY_LEN(s_cols), true);
    const size_t on_n[] = {N}, on_name[] = {NAME}, on_n_id[] = {N, ID};
    add_index(t, on_n, 1, false);
    add_index(t, on_name, 1, false);
    struct db_sort by_n = {N, false}, by_n_desc = {N, true}, by_name = {NAME, false};
    struct db_sort mixed[] = {{N, false}, {ID, true}};
    struct db_query q = {.table = t};
    cr_expect(db_index_serves(&lite, &q), "rowid order is the table itself");
    q.sorts = &by_n, q.nsorts = 1;
    cr_expect(db_index_serves(&lite, &q), "index on n + implicit rowid");
    cr_expect_not(db_index_serves(&pg, &q), "PostgreSQL index on n lacks id");
    q.sorts = &by_n_desc;
    cr_expect(db_index_serves(&lite, &q), "backwards walk of the n index");
    q.sorts = &by_name;
    cr_expect_not(db_index_serves(&lite, &q), "SQLite cannot walk NULLS LAST on an index");
    cr_expect_not(db_index_serves(&pg, &q), "PostgreSQL index on name lacks id");
    q.sorts = mixed, q.nsorts = 2;
    cr_expect_not(db_index_serves(&lite, &q), "mixed directions");
    add_index(t, on_n_id, 2, false);
    q.sorts = &by_n, q.nsorts = 1;
    cr_expect(db_index_serves(&pg, &q), "PostgreSQL index on (n, id)");
    struct db_order_key *keys = NULL;
    cr_expect_eq(db_order_keys(&pg, &q, &keys), 2);
    cr_expect(keys[0].col == N && keys[1].col == ID && !keys[1].desc);
    free(keys);
    dbt_table_destroy(t);
}
