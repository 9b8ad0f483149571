/* Catalog building shared by the engines: naming across schemas, clashes,
 * include/exclude (with the both-lists warning), labels, sorting and the
 * route lookups db_find_table / db_find_column. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbtest.h"
#include "log.h"
#include "util/mem.h"

static const struct dbt_col cols_a[] = {{"id", DB_VT_INT, false, true, NULL},
                                        {"supervisor_id", DB_VT_INT, true, false, NULL},
                                        {"createdAt", DB_VT_TIMESTAMP, true, false, NULL}};

static struct {
    const char *schema, *rel;
} raw_names[] = {{"public", "orders"},       {"sales", "orders"}, {"public", "users"},
                 {"sales", "leads"},         {"audit", "log"},    {"public", "a.b"},
                 {"public", "vehicle_types"}};
#define NRAW (sizeof raw_names / sizeof raw_names[0])

static struct db_table *raw_tables(void)
{
    struct db_table *raw = xcalloc(NRAW, sizeof *raw);
    for (size_t i = 0; i < NRAW; i++)
        dbt_table_fill(&raw[i], raw_names[i].schema, raw_names[i].rel, cols_a, 3, true);
    return raw;
}

static struct cfg *test_cfg(void)
{
    return cfg_new_demo("/nonexistent/seeki-test.db");
}

static void add_label(struct cfg *c, const char *table, const char *column, const char *label)
{
    c->labels = xrealloc(c->labels, (c->nlabels + 1) * sizeof *c->labels);
    c->labels[c->nlabels].table = xstrdup(table);
    c->labels[c->nlabels].column = xstrdup(column);
    c->labels[c->nlabels].label = xstrdup(label);
    c->nlabels++;
}

Test(catalog, names_bare_qualified_and_clashing_sorted)
{
    struct cfg *cfg = test_cfg();
    struct db_catalog cat;
    cr_assert_eq(db_catalog_build(cfg, "public", raw_tables(), NRAW, &cat, NULL), SEEKI_E_OK);
    static const char *const want[] = {"a.b",          "audit.log", "public.orders", "sales.leads",
                                       "sales.orders", "users",     "vehicle_types"};
    cr_assert_eq(cat.ntables, 7);
    for (size_t i = 0; i < cat.ntables; i++)
        cr_expect_str_eq(cat.tables[i].name, want[i], "table %zu: %s, want %s", i,
                         cat.tables[i].name, want[i]);
    const struct db_table *t = NULL;
    struct seeki_err err;
    cr_expect_eq(db_find_table(&cat, "users", &t, &err), SEEKI_E_OK);
    cr_expect_str_eq(t->relname, "users");
    cr_expect_str_eq(t->display_name, "Users");
    cr_expect_eq(db_find_table(&cat, "public.users", &t, &err), SEEKI_E_OK);
    cr_expect_str_eq(t->name, "users");
    cr_expect_eq(db_find_table(&cat, "vehicle_types", &t, &err), SEEKI_E_OK);
    cr_expect_str_eq(t->display_name, "Vehicle Types");
    cr_expect_eq(db_find_table(&cat, "a.b", &t, &err), SEEKI_E_OK);
    cr_expect_str_eq(t->schema, "public");
    cr_expect_eq(db_find_table(&cat, "sales.orders", &t, &err), SEEKI_E_OK);
    cr_expect_str_eq(t->schema, "sales");
    cr_expect_eq(db_find_table(&cat, "public.orders", &t, &err), SEEKI_E_OK);
    cr_expect_str_eq(t->schema, "public");

    cr_expect_eq(db_find_table(&cat, "orders", &t, &err), SEEKI_E_BAD_PARAM);
    cr_expect_null(t);
    cr_expect_str_eq(err.msg, "Table name 'orders' is ambiguous: it exists in 2 schemas "
                              "('public.orders', 'sales.orders'); use the qualified name");
    cr_expect_eq(db_find_table(&cat, "nope", &t, &err), SEEKI_E_NOT_FOUND);
    cr_expect_str_eq(err.msg, "Table 'nope' not found");
    cr_expect_eq(db_find_table(&cat, "leads", &t, &err), SEEKI_E_NOT_FOUND);
    cr_expect_str_eq(err.msg, "Table 'leads' not found");
    cr_expect_eq(db_find_table(&cat, "sales.", &t, &err), SEEKI_E_NOT_FOUND);
    cr_expect_eq(db_find_table(&cat, "", &t, &err), SEEKI_E_NOT_FOUND);

    /* columns */
    cr_assert_eq(db_find_table(&cat, "users", &t, &err), SEEKI_E_OK);
    cr_expect_eq(db_find_column(t, "createdAt"), 2);
    cr_expect_eq(db_find_column(t, "createdat"), -1);
    cr_expect_eq(db_find_column(t, "nope"), -1);
    cr_expect_str_eq(t->cols[1].display_name, "Supervisor");
    cr_expect_str_eq(t->cols[2].display_name, "Created At");
    db_catalog_free(&cat);
    cfg_destroy(cfg);
}

Test(catalog, include_exclude_and_conflict_warning)
{
    struct cfg *cfg = test_cfg();
    static const char *const inc[] = {"orders", "sales.leads", "users", "audit.log", NULL};
    static const char *const exc[] = {"public.orders", "users", "log", NULL};
    cfg->include_set = true;
    cfg->include = dbt_strv(&cfg->ninclude, inc);
    cfg->exclude = dbt_strv(&cfg->nexclude, exc);
    char path[] = "/tmp/seeki-db-log-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    log_set_fd(fd);
    struct db_catalog cat;
    cr_assert_eq(db_catalog_build(cfg, "public", raw_tables(), NRAW, &cat, NULL), SEEKI_E_OK);
    log_set_fd(2);
    /* orders (bare) takes both schemas, public.orders is excluded; users is in
     * both lists; log is excluded by its bare name */
    cr_assert_eq(cat.ntables, 2);
    cr_expect_str_eq(cat.tables[0].name, "sales.leads");
    cr_expect_str_eq(cat.tables[1].name, "sales.orders");
    const struct db_table *t;
    struct seeki_err err;
    cr_expect_eq(db_find_table(&cat, "users", &t, &err), SEEKI_E_NOT_FOUND);
    cr_expect_str_eq(err.msg, "Table 'users' not found");
    cr_expect_eq(db_find_table(&cat, "public.orders", &t, &err), SEEKI_E_NOT_FOUND);

    char logbuf[4096] = {0};
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, logbuf, sizeof logbuf - 1);
    close(fd);
    unlink(path);
    cr_assert(n > 0);
    cr_expect(strstr(logbuf, "WARN db: table public.users is named in both tables.include and "
                             "tables.exclude; it stays hidden") != NULL,
              "log was: %s", logbuf);
    cr_expect(strstr(logbuf, "table audit.log is named in both") != NULL, "log was: %s", logbuf);
    cr_expect(strstr(logbuf, "orders") == NULL, "a narrower exclude is no conflict: %s", logbuf);
    db_catalog_free(&cat);
    cfg_destroy(cfg);
}

Test(catalog, empty_include_shows_nothing)
{
    struct cfg *cfg = test_cfg();
    cfg->include_set = true;
    struct db_catalog cat;
    cr_assert_eq(db_catalog_build(cfg, "public", raw_tables(), NRAW, &cat, NULL), SEEKI_E_OK);
    cr_expect_eq(cat.ntables, 0);
    db_catalog_free(&cat);
    cfg_destroy(cfg);
}

Test(catalog, labels_override_derived_names)
{
    struct cfg *cfg = test_cfg();
    add_label(cfg, "users", NULL, "People");
    add_label(cfg, "users", "createdAt", "Signed up");
    add_label(cfg, "sales.leads", NULL, "Prospects");
    add_label(cfg, "sales.leads", "supervisor_id", "Owner");
    add_label(cfg, "public.orders", NULL, "Our orders");
    struct db_catalog cat;
    cr_assert_eq(db_catalog_build(cfg, "public", raw_tables(), NRAW, &cat, NULL), SEEKI_E_OK);
    const struct db_table *t;
    cr_assert_eq(db_find_table(&cat, "users", &t, NULL), SEEKI_E_OK);
    cr_expect_str_eq(t->display_name, "People");
    cr_expect_str_eq(t->cols[2].display_name, "Signed up");
    cr_expect_str_eq(t->cols[1].display_name, "Supervisor");
    cr_assert_eq(db_find_table(&cat, "sales.leads", &t, NULL), SEEKI_E_OK);
    cr_expect_str_eq(t->display_name, "Prospects");
    cr_expect_str_eq(t->cols[1].display_name, "Owner");
    cr_assert_eq(db_find_table(&cat, "public.orders", &t, NULL), SEEKI_E_OK);
    cr_expect_str_eq(t->display_name, "Our orders");
    cr_assert_eq(db_find_table(&cat, "sales.orders", &t, NULL), SEEKI_E_OK);
    cr_expect_str_eq(t->display_name, "Orders");
    db_catalog_free(&cat);
    cfg_destroy(cfg);
}

Test(catalog, sqlite_main_schema_is_bare)
{
    struct cfg *cfg = test_cfg();
    struct db_table *raw = xcalloc(2, sizeof *raw);
    dbt_table_fill(&raw[0], "main", "zeta", cols_a, 3, true);
    dbt_table_fill(&raw[1], "main", "Alpha", cols_a, 3, true);
    struct db_catalog cat;
    cr_assert_eq(db_catalog_build(cfg, "main", raw, 2, &cat, NULL), SEEKI_E_OK);
    cr_assert_eq(cat.ntables, 2);
    cr_expect_str_eq(cat.tables[0].name, "Alpha");
    cr_expect_str_eq(cat.tables[1].name, "zeta");
    const struct db_table *t;
    cr_expect_eq(db_find_table(&cat, "main.zeta", &t, NULL), SEEKI_E_OK);
    cr_expect_eq(db_find_table(&cat, "public.zeta", &t, NULL), SEEKI_E_NOT_FOUND);
    db_catalog_free(&cat);
    db_catalog_free(NULL);
    cfg_destroy(cfg);
}

/* address_id would be "Address" beside a real address column: it keeps the
 * longer "Address ID". A lone city_id has nothing to clash with. An override
 * always wins, even when it clashes (the user chose it), and a derived name
 * that would equal an override keeps its id too. */
Test(catalog, display_names_that_would_clash_keep_their_id)
{
    static const struct dbt_col cols[] = {{"id", DB_VT_INT, false, true, NULL},
                                          {"address_id", DB_VT_INT, true, false, NULL},
                                          {"address", DB_VT_TEXT, true, false, NULL},
                                          {"city_id", DB_VT_INT, true, false, NULL},
                                          {"OwnerId", DB_VT_INT, true, false, NULL},
                                          {"holder", DB_VT_TEXT, true, false, NULL},
                                          {"zone_id", DB_VT_INT, true, false, NULL},
                                          {"region", DB_VT_TEXT, true, false, NULL}};
    struct cfg *cfg = test_cfg();
    add_label(cfg, "customer", "holder", "Owner");
    add_label(cfg, "customer", "region", "Zone");
    add_label(cfg, "customer", "city_id", "Address");
    struct db_table *raw = xcalloc(1, sizeof *raw);
    dbt_table_fill(raw, "public", "customer", cols, sizeof cols / sizeof cols[0], true);
    struct db_catalog cat;
    cr_assert_eq(db_catalog_build(cfg, "public", raw, 1, &cat, NULL), SEEKI_E_OK);
    const struct db_table *t;
    cr_assert_eq(db_find_table(&cat, "customer", &t, NULL), SEEKI_E_OK);
    const char *want[] = {"ID", "Address ID", "Address", "Address", "Owner ID", "Owner",
                          "Zone ID", "Zone"};
    for (size_t i = 0; i < t->ncols; i++)
        cr_expect_str_eq(t->cols[i].display_name, want[i], "column %s", t->cols[i].name);
    db_catalog_free(&cat);
    cfg_destroy(cfg);
}

/* columns.exclude and PostgreSQL's unreadable columns share
 * db_table_drop_columns: the remaining columns close up, and the primary
 * key and indexes follow them or go when they used a dropped column. */
Test(catalog, drop_columns_remaps_key_and_indexes)
{
    static const struct dbt_col cols[] = {{"a", DB_VT_INT, true, false, NULL},
                                          {"b", DB_VT_TEXT, true, false, NULL},
                                          {"id", DB_VT_INT, false, true, NULL},
                                          {"c", DB_VT_TEXT, true, false, NULL}};
    struct db_table *t = dbt_table("public", "t", cols, 4, true);
    t->indexes = xcalloc(2, sizeof *t->indexes);
    t->indexes[0].cols = xcalloc(2, sizeof(size_t));
    t->indexes[0].cols[0] = 3;
    t->indexes[0].cols[1] = 2;
    t->indexes[0].ncols = 2;
    t->indexes[1].cols = xcalloc(1, sizeof(size_t));
    t->indexes[1].cols[0] = 1;
    t->indexes[1].ncols = 1;
    t->nindexes = 2;
    bool keep[] = {true, false, true, true};
    struct buf names;
    buf_init(&names, 0);
    cr_assert_eq(db_table_drop_columns(t, keep, &names), 1);
    cr_expect_str_eq(names.data, "b");
    cr_assert_eq(t->ncols, 3);
    cr_expect_str_eq(t->cols[1].name, "id");
    cr_assert_eq(t->npk, 1);
    cr_expect_eq(t->pk[0], 1);
    cr_assert_eq(t->nindexes, 1); /* the index on b went with it */
    cr_expect_eq(t->indexes[0].cols[0], 2);
    cr_expect_eq(t->indexes[0].cols[1], 1);

    bool keep2[] = {true, false, true}; /* drop the key column itself */
    buf_reset(&names);
    cr_assert_eq(db_table_drop_columns(t, keep2, &names), 1);
    cr_expect_str_eq(names.data, "id");
    cr_expect_eq(t->npk, 0);
    cr_expect_null(t->pk);
    cr_expect_eq(t->nindexes, 0);
    cr_expect_str_eq(t->cols[1].name, "c");
    cr_expect(!t->cols[0].is_primary_key && !t->cols[1].is_primary_key);
    buf_free(&names);
    dbt_table_destroy(t);
}

/* columns.exclude globs match table.column and schema.table.column; the
 * default display.sensitive list marks names case-insensitively. */
Test(catalog, columns_exclude_and_sensitive)
{
    static const struct dbt_col cols[] = {{"id", DB_VT_INT, false, true, NULL},
                                          {"Password_Hash", DB_VT_TEXT, true, false, NULL},
                                          {"API_KEY", DB_VT_TEXT, true, false, NULL},
                                          {"ssn", DB_VT_TEXT, true, false, NULL},
                                          {"ssn_note", DB_VT_TEXT, true, false, NULL},
                                          {"note", DB_VT_TEXT, true, false, NULL}};
    struct db_table *raw = xcalloc(2, sizeof *raw);
    dbt_table_fill(&raw[0], "public", "users", cols, 6, true);
    dbt_table_fill(&raw[1], "sales", "users", cols, 6, true);
    struct cfg *cfg = test_cfg();
    static const char *const ex[] = {"*.note", "sales.users.ssn*", NULL};
    cfg->col_exclude = dbt_strv(&cfg->ncol_exclude, ex);
    struct db_catalog cat;
    cr_assert_eq(db_catalog_build(cfg, "public", raw, 2, &cat, NULL), SEEKI_E_OK);
    const struct db_table *pub = &cat.tables[0], *sales = &cat.tables[1];
    cr_assert_str_eq(pub->schema, "public");
    cr_assert_eq(pub->ncols, 5);
    cr_assert_eq(sales->ncols, 3);
    cr_expect_eq(db_find_column(pub, "note"), -1);
    cr_expect_eq(db_find_column(sales, "ssn"), -1);
    cr_expect_eq(db_find_column(sales, "ssn_note"), -1);
    cr_expect_eq(pub->cols[4].position, 5);
    static const bool want[] = {false, true, true, true, false};
    for (size_t i = 0; i < pub->ncols; i++)
        cr_expect_eq(pub->cols[i].sensitive, want[i], "%s", pub->cols[i].name);
    db_catalog_free(&cat);
    cfg_destroy(cfg);
}
