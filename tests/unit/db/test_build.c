/* SQL building for both dialects: exact SQL text and parameter lists for
 * sorts, NULL order, tie-breakers, search escaping, every filter operator,
 * reverse reads, limits and counts. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dbtest.h"

static const struct dbt_col people_cols[] = {
    {"id", DB_VT_BIGINT, false, true, NULL},        {"name", DB_VT_TEXT, true, false, "text"},
    {"age", DB_VT_BIGINT, true, false, NULL},       {"score", DB_VT_FLOAT, true, false, NULL},
    {"born", DB_VT_DATE, true, false, NULL},        {"seen", DB_VT_TIMESTAMP, true, false, NULL},
    {"active", DB_VT_BOOL, true, false, NULL},      {"tags", DB_VT_JSON, true, false, NULL},
    {"we\"ird col", DB_VT_TEXT, true, false, "character varying(20)"}, {"at", DB_VT_TIMESTAMPTZ, true, false, NULL},
    {"price", DB_VT_MONEY, true, false, NULL},      {"amount", DB_VT_NUMERIC, false, false, NULL},
};
enum { ID, NAME, AGE, SCORE, BORN, SEEN, ACTIVE, TAGS, WEIRD, AT, PRICE, AMOUNT };

#define SEL                                                                                        \
    "SELECT \"id\", \"name\", \"age\", \"score\", \"born\", \"seen\", \"active\", \"tags\", "      \
    "\"we\"\"ird col\", \"at\", \"price\", \"amount\" FROM \"main\".\"people\""

struct sqlcase {
    const char *what;
    struct db_sort sorts[4];
    size_t nsorts;
    struct db_filter filters[4];
    size_t nfilters;
    const char *search;
    bool reverse;
    int64_t limit, offset;
    const char *lite, *lite_params, *pg, *pg_params;
};

#define F(c, o, x, y)                                                                              \
    {                                                                                              \
        .col = (c), .op = (o), .a = (char *)(x), .b = (char *)(y)                                  \
    }

// clang-format off
static const struct sqlcase cases[] = {
    {"default order is the primary key", {{0}}, 0, {{0}}, 0, NULL, false, 50, 0,
     SEL " ORDER BY \"id\" ASC LIMIT ? OFFSET ?", "i:50|i:0",
     SEL " ORDER BY \"id\" ASC LIMIT $1 OFFSET $2", "i:50|i:0"},
    {"sort mix with NULL order; the pk tie-breaker follows the last sort's direction", {{NAME, false}, {AGE, true}}, 2, {{0}}, 0,
     NULL, false, 50, 100,
     SEL " ORDER BY \"name\" ASC NULLS LAST, \"age\" DESC NULLS FIRST, \"id\" DESC LIMIT ? OFFSET ?",
     "i:50|i:100",
     SEL " ORDER BY \"name\" ASC NULLS LAST, \"age\" DESC NULLS FIRST, \"id\" DESC LIMIT $1 "
         "OFFSET $2",
     "i:50|i:100"},
    {"reverse flips every key and its NULL order", {{NAME, false}, {AGE, true}}, 2, {{0}}, 0,
     NULL, true, 50, 0,
     SEL " ORDER BY \"name\" DESC NULLS FIRST, \"age\" ASC NULLS LAST, \"id\" ASC LIMIT ? OFFSET ?",
     "i:50|i:0",
     SEL " ORDER BY \"name\" DESC NULLS FIRST, \"age\" ASC NULLS LAST, \"id\" ASC LIMIT $1 "
         "OFFSET $2",
     "i:50|i:0"},
    {"sorting on the key adds no second tie-breaker", {{ID, true}}, 1, {{0}}, 0, NULL, false, 10,
     0, SEL " ORDER BY \"id\" DESC LIMIT ? OFFSET ?", "i:10|i:0",
     SEL " ORDER BY \"id\" DESC LIMIT $1 OFFSET $2", "i:10|i:0"},
    {"NOT NULL sort column has no NULLS clause", {{AMOUNT, false}}, 1, {{0}}, 0, NULL, false, 10,
     0, SEL " ORDER BY \"amount\" ASC, \"id\" ASC LIMIT ? OFFSET ?", "i:10|i:0",
     SEL " ORDER BY \"amount\" ASC, \"id\" ASC LIMIT $1 OFFSET $2", "i:10|i:0"},
    {"quoted identifier in sort", {{WEIRD, true}}, 1, {{0}}, 0, NULL, false, 5, 0,
     SEL " ORDER BY \"we\"\"ird col\" DESC NULLS FIRST, \"id\" DESC LIMIT ? OFFSET ?", "i:5|i:0",
     SEL " ORDER BY \"we\"\"ird col\" DESC NULLS FIRST, \"id\" DESC LIMIT $1 OFFSET $2", "i:5|i:0"},
    {"search escapes % _ and backslash over text columns", {{0}}, 0, {{0}}, 0, "50%_off\\", false,
     20, 0,
     SEL " WHERE (seeki_icontains(\"name\", ?) OR seeki_icontains(\"we\"\"ird col\", ?)) ORDER BY "
         "\"id\" ASC LIMIT ? OFFSET ?",
     "t:50%_off\\|t:50%_off\\|i:20|i:0",
     SEL " WHERE (\"name\" ILIKE $1 ESCAPE '\\' OR \"we\"\"ird col\" ILIKE $1 ESCAPE '\\') ORDER "
         "BY \"id\" ASC LIMIT $2 OFFSET $3",
     "t:%50\\%\\_off\\\\%|i:20|i:0"},
    {"contains on text", {{0}}, 0, {F(NAME, DB_F_CONTAINS, "Ann", NULL)}, 1, NULL, false, 1, 0,
     SEL " WHERE seeki_icontains(\"name\", ?) ORDER BY \"id\" ASC LIMIT ? OFFSET ?",
     "t:Ann|i:1|i:0",
     SEL " WHERE \"name\" ILIKE $1 ESCAPE '\\' ORDER BY \"id\" ASC LIMIT $2 OFFSET $3",
     "t:%Ann%|i:1|i:0"},
    {"contains on a number compares its text form", {{0}}, 0,
     {F(AGE, DB_F_CONTAINS, "4_", NULL)}, 1, NULL, false, 1, 0,
     SEL " WHERE seeki_icontains(CAST(\"age\" AS TEXT), ?) ORDER BY \"id\" ASC LIMIT ? OFFSET ?",
     "t:4_|i:1|i:0",
     SEL " WHERE \"age\"::text ILIKE $1 ESCAPE '\\' ORDER BY \"id\" ASC LIMIT $2 OFFSET $3",
     "t:%4\\_%|i:1|i:0"},
    {"exact text", {{0}}, 0, {F(NAME, DB_F_EQ, "", NULL)}, 1, NULL, false, 1, 0,
     SEL " WHERE \"name\" = ? ORDER BY \"id\" ASC LIMIT ? OFFSET ?", "t:|i:1|i:0",
     SEL " WHERE \"name\" = $1 ORDER BY \"id\" ASC LIMIT $2 OFFSET $3", "t:|i:1|i:0"},
    {"exact on JSON by text form", {{0}}, 0, {F(TAGS, DB_F_EQ, "[1]", NULL)}, 1, NULL, false, 1,
     0, SEL " WHERE CAST(\"tags\" AS TEXT) = ? ORDER BY \"id\" ASC LIMIT ? OFFSET ?",
     "t:[1]|i:1|i:0",
     SEL " WHERE \"tags\"::text = $1 ORDER BY \"id\" ASC LIMIT $2 OFFSET $3", "t:[1]|i:1|i:0"},
    {"number comparisons bind numbers", {{0}}, 0,
     {F(AGE, DB_F_GT, "42", NULL), F(SCORE, DB_F_LE, "4.5", NULL), F(AGE, DB_F_GE, "-1", NULL),
      F(SCORE, DB_F_LT, "1e3", NULL)},
     4, NULL, false, 1, 0,
     SEL " WHERE \"age\" > ? AND \"score\" <= ? AND \"age\" >= ? AND \"score\" < ? ORDER BY "
         "\"id\" ASC LIMIT ? OFFSET ?",
     "i:42|r:4.5|i:-1|r:1e3|i:1|i:0",
     SEL " WHERE \"age\" > $1::bigint AND \"score\" <= $2::float8 AND \"age\" >= $3::bigint AND "
         "\"score\" < $4::float8 ORDER BY \"id\" ASC LIMIT $5 OFFSET $6",
     "t:42|t:4.5|t:-1|t:1e3|i:1|i:0"},
    {"number equality and between", {{0}}, 0,
     {F(AGE, DB_F_EQ, "7", NULL), F(AGE, DB_F_BETWEEN, "10", "20"),
      F(PRICE, DB_F_EQ, "12.50", NULL), F(AMOUNT, DB_F_BETWEEN, "1", "2.5")},
     4, NULL, false, 1, 0,
     SEL " WHERE \"age\" = ? AND \"age\" BETWEEN ? AND ? AND \"price\" = ? AND \"amount\" BETWEEN "
         "? AND ? ORDER BY \"id\" ASC LIMIT ? OFFSET ?",
     "i:7|i:10|i:20|r:12.50|i:1|r:2.5|i:1|i:0",
     SEL " WHERE \"age\" = $1::bigint AND \"age\" BETWEEN $2::bigint AND $3::bigint AND \"price\" "
         "= $4::money AND \"amount\" BETWEEN $5::numeric AND $6::numeric ORDER BY \"id\" ASC "
         "LIMIT $7 OFFSET $8",
     "t:7|t:10|t:20|t:12.50|t:1|t:2.5|i:1|i:0"},
    {"date range by day compares text as stored", {{0}}, 0,
     {F(BORN, DB_F_RANGE, "2026-04-01", "2026-05-01"), F(SEEN, DB_F_GE, "2026-04-02", NULL)}, 2,
     NULL, false, 1, 0,
     SEL " WHERE (\"born\" >= ? AND \"born\" < ?) AND \"seen\" >= ? ORDER BY \"id\" ASC LIMIT ? "
         "OFFSET ?",
     "t:2026-04-01|t:2026-05-01|t:2026-04-02|i:1|i:0",
     SEL " WHERE (\"born\" >= $1::date AND \"born\" < $2::date) AND \"seen\" >= $3::timestamp "
         "ORDER BY \"id\" ASC LIMIT $4 OFFSET $5",
     "t:2026-04-01|t:2026-05-01|t:2026-04-02|i:1|i:0"},
    {"timestamp range with a time part", {{0}}, 0,
     {F(SEEN, DB_F_RANGE, "2026-04-15 10:00:00", "2026-04-15 11:00:00"),
      F(AT, DB_F_LT, "2026-04-15 10:00:00", NULL)},
     2, NULL, false, 1, 0,
     SEL " WHERE (replace(\"seen\", 'T', ' ') >= ? AND replace(\"seen\", 'T', ' ') < ?) AND "
         "replace(\"at\", 'T', ' ') < ? ORDER BY \"id\" ASC LIMIT ? OFFSET ?",
     "t:2026-04-15 10:00:00|t:2026-04-15 11:00:00|t:2026-04-15 10:00:00|i:1|i:0",
     SEL " WHERE (\"seen\" >= $1::timestamp AND \"seen\" < $2::timestamp) AND \"at\" < "
         "$3::timestamptz ORDER BY \"id\" ASC LIMIT $4 OFFSET $5",
     "t:2026-04-15 10:00:00|t:2026-04-15 11:00:00|t:2026-04-15 10:00:00|i:1|i:0"},
    {"booleans", {{0}}, 0, {F(ACTIVE, DB_F_BOOL, "1", NULL), F(ACTIVE, DB_F_BOOL, "0", NULL)}, 2,
     NULL, false, 1, 0,
     SEL " WHERE (\"active\" = ? OR lower(\"active\") IN ('true', 't', 'yes', 'y')) AND "
         "(\"active\" = ? OR lower(\"active\") IN ('false', 'f', 'no', 'n')) ORDER BY \"id\" ASC "
         "LIMIT ? OFFSET ?",
     "i:1|i:0|i:1|i:0",
     SEL " WHERE \"active\" = $1::boolean AND \"active\" = $2::boolean ORDER BY \"id\" ASC LIMIT "
         "$3 OFFSET $4",
     "t:true|t:false|i:1|i:0"},
    {"null tests and skipped empty filters", {{0}}, 0,
     {F(NAME, DB_F_IS_NULL, NULL, NULL), F(AGE, DB_F_NONE, NULL, NULL),
      F(TAGS, DB_F_NOT_NULL, NULL, NULL)},
     3, NULL, false, 1, 0,
     SEL " WHERE \"name\" IS NULL AND \"tags\" IS NOT NULL ORDER BY \"id\" ASC LIMIT ? OFFSET ?",
     "i:1|i:0",
     SEL " WHERE \"name\" IS NULL AND \"tags\" IS NOT NULL ORDER BY \"id\" ASC LIMIT $1 OFFSET $2",
     "i:1|i:0"},
    {"filters and search together number parameters in order", {{AGE, false}}, 1,
     {F(AGE, DB_F_GT, "1", NULL), F(NAME, DB_F_EQ, "x", NULL)}, 2, "a", true, 25, 75,
     SEL " WHERE \"age\" > ? AND \"name\" = ? AND (seeki_icontains(\"name\", ?) OR "
         "seeki_icontains(\"we\"\"ird col\", ?)) ORDER BY \"age\" DESC NULLS FIRST, \"id\" DESC "
         "LIMIT ? OFFSET ?",
     "i:1|t:x|t:a|t:a|i:25|i:75",
     SEL " WHERE \"age\" > $1::bigint AND \"name\" = $2 AND (\"name\" ILIKE $3 ESCAPE '\\' OR "
         "\"we\"\"ird col\" ILIKE $3 ESCAPE '\\') ORDER BY \"age\" DESC NULLS FIRST, \"id\" DESC "
         "LIMIT $4 OFFSET $5",
     "t:1|t:x|t:%a%|i:25|i:75"},
    {"export: no limit", {{0}}, 0, {{0}}, 0, NULL, false, -1, 0, SEL " ORDER BY \"id\" ASC", "",
     SEL " ORDER BY \"id\" ASC", ""},
    {"no limit with an offset", {{0}}, 0, {{0}}, 0, NULL, false, -1, 10,
     SEL " ORDER BY \"id\" ASC LIMIT -1 OFFSET ?", "i:10", SEL " ORDER BY \"id\" ASC OFFSET $1",
     "i:10"},
};
// clang-format on

static struct db_table *people(void)
{
    return dbt_table("main", "people", people_cols, sizeof people_cols / sizeof people_cols[0],
                     true);
}

Test(sql, select_for_both_dialects_from_a_table)
{
    struct db_table *t = people();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct sqlcase *c = &cases[i];
        struct db_query q = {.table = t,
                             .sorts = c->sorts,
                             .nsorts = c->nsorts,
                             .search = c->search,
                             .filters = c->filters,
                             .nfilters = c->nfilters,
                             .offset = c->offset,
                             .limit = c->limit,
                             .reverse = c->reverse};
        dbt_check_select(DB_SQL_SQLITE, &q, c->what, c->lite, c->lite_params);
        dbt_check_select(DB_SQL_PG, &q, c->what, c->pg, c->pg_params);
    }
    dbt_table_destroy(t);
}

Test(sql, count_uses_the_same_where_without_order_or_limit)
{
    struct db_table *t = people();
    struct db_filter f[] = {F(AGE, DB_F_BETWEEN, "1", "9")};
    struct db_sort s[] = {{NAME, true}};
    struct db_query q = {.table = t,
                         .sorts = s,
                         .nsorts = 1,
                         .filters = f,
                         .nfilters = 1,
                         .search = "x",
                         .limit = 50,
                         .offset = 50};
    struct db_sql out;
    cr_assert_eq(db_sql_count(DB_SQL_SQLITE, &q, &out, NULL), SEEKI_E_OK);
    cr_expect_str_eq(out.text,
                     "SELECT COUNT(*) FROM \"main\".\"people\" WHERE \"age\" BETWEEN ? AND ? AND "
                     "(seeki_icontains(\"name\", ?) OR seeki_icontains(\"we\"\"ird col\", ?))");
    char *p = dbt_params(&out);
    cr_expect_str_eq(p, "i:1|i:9|t:x|t:x");
    free(p);
    db_sql_free(&out);
    cr_assert_eq(db_sql_count(DB_SQL_PG, &q, &out, NULL), SEEKI_E_OK);
    cr_expect_str_eq(out.text,
                     "SELECT COUNT(*) FROM \"main\".\"people\" WHERE \"age\" BETWEEN $1::bigint "
                     "AND $2::bigint AND (\"name\" ILIKE $3 ESCAPE '\\' OR \"we\"\"ird col\" "
                     "ILIKE $3 ESCAPE '\\')");
    p = dbt_params(&out);
    cr_expect_str_eq(p, "t:1|t:9|t:%x%");
    free(p);
    db_sql_free(&out);
    q.nfilters = 0;
    q.search = "";
    cr_assert_eq(db_sql_count(DB_SQL_PG, &q, &out, NULL), SEEKI_E_OK);
    cr_expect_str_eq(out.text, "SELECT COUNT(*) FROM \"main\".\"people\"");
    cr_expect_eq(out.nparams, 0);
    db_sql_free(&out);
    dbt_table_destroy(t);
}

Test(sql, tie_breaker_without_primary_key_is_the_row_id)
{
    static const struct dbt_col cols[] = {{"a", DB_VT_TEXT, true, false, NULL}};
    struct db_table *t = dbt_table("sales", "log", cols, 1, true);
    struct db_sort s[] = {{0, false}};
    struct db_query q = {.table = t, .sorts = s, .nsorts = 1, .limit = 5};
    dbt_check_select(DB_SQL_SQLITE, &q, "rowid",
          "SELECT \"a\" FROM \"sales\".\"log\" ORDER BY \"a\" ASC NULLS LAST, rowid ASC LIMIT ? "
          "OFFSET ?",
          "i:5|i:0");
    dbt_check_select(DB_SQL_PG, &q, "ctid",
          "SELECT \"a\" FROM \"sales\".\"log\" ORDER BY \"a\" ASC NULLS LAST, ctid ASC LIMIT $1 "
          "OFFSET $2",
          "i:5|i:0");
    q.reverse = true;
    q.nsorts = 0;
    dbt_check_select(DB_SQL_SQLITE, &q, "rowid reversed",
          "SELECT \"a\" FROM \"sales\".\"log\" ORDER BY rowid DESC LIMIT ? OFFSET ?", "i:5|i:0");
    dbt_table_destroy(t);
}

Test(sql, row_id_shadowed_by_a_column_uses_another_alias)
{
    static const struct dbt_col cols[] = {{"rowid", DB_VT_TEXT, true, false, NULL},
                                          {"_rowid_", DB_VT_TEXT, true, false, NULL}};
    struct db_table *t = dbt_table("main", "odd", cols, 2, true);
    struct db_query q = {.table = t, .limit = 1};
    dbt_check_select(DB_SQL_SQLITE, &q, "oid",
          "SELECT \"rowid\", \"_rowid_\" FROM \"main\".\"odd\" ORDER BY oid ASC LIMIT ? OFFSET ?",
          "i:1|i:0");
    dbt_table_destroy(t);
}

Test(sql, view_without_keys_has_no_order_and_cannot_be_reversed)
{
    static const struct dbt_col cols[] = {{"n", DB_VT_INT, true, false, NULL}};
    struct db_table *t = dbt_table("main", "v", cols, 1, false);
    cr_expect(!db_table_has_order_key(t));
    struct db_query q = {.table = t, .limit = 3, .search = "zz"};
    dbt_check_select(DB_SQL_SQLITE, &q, "view",
          "SELECT \"n\" FROM \"main\".\"v\" WHERE (1 = 0) LIMIT ? OFFSET ?", "i:3|i:0");
    q.reverse = true;
    struct db_sql s;
    struct seeki_err err;
    cr_expect_eq(db_sql_select(DB_SQL_SQLITE, &q, &s, &err), SEEKI_E_BAD_PARAM);
    cr_expect_str_eq(err.msg, "Table 'v' has no primary key or row id, so it cannot be read "
                              "backwards; sort by a column first, or page forwards");
    cr_expect_null(s.text);
    /* with a sort it can */
    struct db_sort srt[] = {{0, false}};
    q.sorts = srt;
    q.nsorts = 1;
    dbt_check_select(DB_SQL_PG, &q, "view sorted reversed",
          "SELECT \"n\" FROM \"main\".\"v\" WHERE (1 = 0) ORDER BY \"n\" DESC NULLS FIRST LIMIT $1 "
          "OFFSET $2",
          "i:3|i:0");
    dbt_table_destroy(t);
}

Test(sql, out_of_range_columns_and_bad_operands_are_refused)
{
    struct db_table *t = people();
    struct db_sort s[] = {{99, false}};
    struct db_query q = {.table = t, .sorts = s, .nsorts = 1, .limit = 1};
    struct db_sql out;
    struct seeki_err err;
    cr_expect_eq(db_sql_select(DB_SQL_SQLITE, &q, &out, &err), SEEKI_E_BAD_PARAM);
    cr_expect(strstr(err.msg, "out of range") != NULL, "%s", err.msg);
    struct db_filter f[] = {F(AGE, DB_F_GT, "abc", NULL)};
    q.nsorts = 0;
    q.filters = f;
    q.nfilters = 1;
    cr_expect_eq(db_sql_select(DB_SQL_SQLITE, &q, &out, &err), SEEKI_E_BAD_PARAM);
    cr_expect_str_eq(err.msg, "Filter on column 'age': 'abc' is not a number. Use digits such as "
                              "42 or 4.5");
    cr_expect_null(out.text);
    cr_expect_eq(out.nparams, 0);
    struct db_filter g[] = {F(AGE, DB_F_BETWEEN, "1", NULL)};
    q.filters = g;
    cr_expect_eq(db_sql_count(DB_SQL_PG, &q, &out, &err), SEEKI_E_BAD_PARAM);
    dbt_table_destroy(t);
}

Test(sql, quote_ident_doubles_quotes)
{
    struct buf b;
    buf_init(&b, 0);
    cr_assert_eq(db_sql_quote_ident(&b, "a\"b\"\"c"), 0);
    cr_expect_str_eq(buf_str(&b), "\"a\"\"b\"\"\"\"c\"");
    buf_free(&b);
    buf_init(&b, 4);
    cr_expect_eq(db_sql_quote_ident(&b, "long"), -1);
    buf_free(&b);
}

Test(sql, free_accepts_null_and_empty)
{
    struct db_sql s = {0};
    db_sql_free(&s);
    db_sql_free(NULL);
}

/* PostgreSQL compares Text columns that are not text or varchar (enums,
 * domains, citext, char(n), name) by their text form: enums have no ILIKE,
 * and an enum = 'label' with a label that is not one would be an error. */
Test(sql, pg_enum_and_other_text_types_compare_their_text_form)
{
    static const struct dbt_col cols[] = {{"id", DB_VT_INT, false, true, "integer"},
                                          {"rating", DB_VT_TEXT, true, false, "mpaa_rating"},
                                          {"code", DB_VT_TEXT, true, false, "character(6)"},
                                          {"note", DB_VT_TEXT, true, false, "text"}};
    struct db_table *t = dbt_table("public", "film", cols, 4, false);
    struct db_filter f[] = {{.col = 1, .op = DB_F_CONTAINS, .a = (char *)"pg"},
                            {.col = 1, .op = DB_F_EQ, .a = (char *)"PG-13"},
                            {.col = 2, .op = DB_F_GT, .a = (char *)"A"}};
    struct db_query q = {.table = t, .filters = f, .nfilters = 3, .search = "drama", .limit = -1};
    struct db_sql out;
    cr_assert_eq(db_sql_count(DB_SQL_PG, &q, &out, NULL), SEEKI_E_OK);
    cr_expect_str_eq(out.text,
                     "SELECT COUNT(*) FROM \"public\".\"film\" WHERE \"rating\"::text ILIKE $1 "
                     "ESCAPE '\\' AND \"rating\"::text = $2 AND \"code\"::text > $3 AND "
                     "(\"rating\"::text ILIKE $4 ESCAPE '\\' OR \"code\"::text ILIKE $4 ESCAPE '\\' "
                     "OR \"note\" ILIKE $4 ESCAPE '\\')");
    char *p = dbt_params(&out);
    cr_expect_str_eq(p, "t:%pg%|t:PG-13|t:A|t:%drama%");
    free(p);
    db_sql_free(&out);
    dbt_table_destroy(t);
}
