/* Relations in the catalog (db/relations.c, db/sqlite/fkeys.c) on a real
 * SQLite file: single and composite keys, keys towards the primary key
 * ("to" NULL) and in another spelling, keys towards an excluded table
 * dropped, referenced_by lists, the label-column heuristic and
 * display.labels (override and the startup error naming the nearest
 * column). */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbtest.h"
#include "util/mem.h"

static char dir[64];
static char path[128];

static const char *const schema_sql =
    "CREATE TABLE depots (id INTEGER PRIMARY KEY, city TEXT, code TEXT);"
    "CREATE TABLE Vehicles (id INTEGER PRIMARY KEY, plate TEXT, title INTEGER,"
    " depot_id INTEGER REFERENCES depots, secret_id INTEGER REFERENCES hidden(id));"
    "CREATE TABLE drivers (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT);"
    "CREATE TABLE hidden (id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE journeys (id INTEGER PRIMARY KEY, driver_id INTEGER REFERENCES drivers(ID),"
    " vehicle_id INTEGER REFERENCES vehicles(id));"
    "CREATE TABLE shifts (depot TEXT, day TEXT, shift_name TEXT, PRIMARY KEY (depot, day));"
    "CREATE TABLE assignments (id INTEGER PRIMARY KEY, s_day TEXT, s_depot TEXT,"
    " FOREIGN KEY (s_depot, s_day) REFERENCES shifts);"
    "INSERT INTO depots VALUES (1, 'Oslo', 'OSL'), (2, 'Bergen', NULL);"
    "INSERT INTO drivers VALUES (1, 'Ann', 'Lee'), (2, 'Bo', NULL), (3, NULL, NULL);"
    "INSERT INTO Vehicles VALUES (7, 'AB-1', 5, 1, NULL), (8, 'CD-2', 6, 2, NULL);";

static void make_db(void)
{
    snprintf(dir, sizeof dir, "/tmp/seeki-reltest-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(db, schema_sql, NULL, NULL, &msg), SQLITE_OK, "%s", msg);
    sqlite3_close(db);
}

static void drop_db(void)
{
    unlink(path);
    rmdir(dir);
}

TestSuite(relations, .init = make_db, .fini = drop_db);

static struct cfg *cfg_hiding(void)
{
    struct cfg *c = cfg_new_demo(path);
    static const char *const ex[] = {"hidden", NULL};
    c->exclude = dbt_strv(&c->nexclude, ex);
    return c;
}

static void add_label_col(struct cfg *c, const char *table, const char *col)
{
    c->label_cols = xrealloc(c->label_cols, (c->nlabel_cols + 1) * sizeof *c->label_cols);
    c->label_cols[c->nlabel_cols++] =
        (struct cfg_label_col){.table = xstrdup(table), .column = xstrdup(col)};
}

static struct db_engine *open_ok(struct cfg *c)
{
    struct db_engine *e = NULL;
    struct seeki_err err;
    seeki_err_clear(&err);
    cr_assert_eq(db_open(c, NULL, &e, &err), SEEKI_E_OK, "db_open: %s", err.msg);
    return e;
}

static const struct db_table *tab(struct db_engine *e, const char *name)
{
    const struct db_table *t = NULL;
    struct seeki_err err;
    cr_assert_eq(db_find_table(db_catalog(e), name, &t, &err), SEEKI_E_OK, "%s", name);
    return t;
}

static const char *ref_name(struct db_engine *e, const struct db_fkey *f)
{
    return db_catalog(e)->tables[f->ref_table].name;
}

Test(relations, keys_resolved_hidden_dropped_composite_in_key_order)
{
    struct cfg *c = cfg_hiding();
    struct db_engine *e = open_ok(c);
    const struct db_table *v = tab(e, "Vehicles");
    /* depot_id -> depots.id (to the primary key); secret_id -> hidden: dropped */
    cr_assert_eq(v->nfkeys, 1);
    cr_expect_str_eq(v->cols[v->fkeys[0].cols[0]].name, "depot_id");
    cr_expect_str_eq(ref_name(e, &v->fkeys[0]), "depots");
    const struct db_table *d = tab(e, "depots");
    cr_expect_str_eq(d->cols[v->fkeys[0].ref_cols[0]].name, "id");

    /* journeys: keys in column order; names written in another case resolve */
    const struct db_table *j = tab(e, "journeys");
    cr_assert_eq(j->nfkeys, 2);
    cr_expect_str_eq(j->cols[j->fkeys[0].cols[0]].name, "driver_id");
    cr_expect_str_eq(ref_name(e, &j->fkeys[0]), "drivers");
    cr_expect_str_eq(j->cols[j->fkeys[1].cols[0]].name, "vehicle_id");
    cr_expect_str_eq(ref_name(e, &j->fkeys[1]), "Vehicles");

    /* composite, to the primary key, in key order (depot, day) */
    const struct db_table *a = tab(e, "assignments"), *s = tab(e, "shifts");
    cr_assert_eq(a->nfkeys, 1);
    cr_assert_eq(a->fkeys[0].ncols, 2);
    cr_expect_str_eq(a->cols[a->fkeys[0].cols[0]].name, "s_depot");
    cr_expect_str_eq(a->cols[a->fkeys[0].cols[1]].name, "s_day");
    cr_expect_str_eq(s->cols[a->fkeys[0].ref_cols[0]].name, "depot");
    cr_expect_str_eq(s->cols[a->fkeys[0].ref_cols[1]].name, "day");

    /* referenced_by */
    cr_assert_eq(v->nrefby, 1);
    cr_expect_str_eq(db_catalog(e)->tables[v->refby[0].table].name, "journeys");
    cr_expect_eq(v->refby[0].fkey, 1);
    cr_expect_eq(tab(e, "drivers")->nrefby, 1);
    cr_expect_eq(tab(e, "journeys")->nrefby, 0);
    db_close(e);
    cfg_destroy(c);
}

Test(relations, label_columns_by_heuristic)
{
    struct cfg *c = cfg_hiding();
    struct db_engine *e = open_ok(c);
    const struct db_table *d = tab(e, "depots");
    cr_expect_str_eq(d->cols[d->label_col].name, "code"); /* no name/title: code */
    const struct db_table *dr = tab(e, "drivers");
    cr_expect_str_eq(dr->cols[dr->label_col].name, "first_name");
    cr_expect_str_eq(dr->cols[dr->label_col2].name, "last_name");
    const struct db_table *s = tab(e, "shifts");
    cr_expect_str_eq(s->cols[s->label_col].name, "shift_name"); /* <singular>_name */
    /* Vehicles.title is not Text, plate is not a label name: none */
    cr_expect_eq(tab(e, "Vehicles")->label_col, -1);
    cr_expect_eq(tab(e, "journeys")->label_col, -1);
    db_close(e);
    cfg_destroy(c);
}

Test(relations, display_labels_override_and_unknown_column)
{
    struct cfg *c = cfg_hiding();
    add_label_col(c, "Vehicles", "plate");
    add_label_col(c, "main.depots", "city");
    add_label_col(c, "hidden", "name"); /* not shown: ignored with a warning */
    struct db_engine *e = open_ok(c);
    const struct db_table *v = tab(e, "Vehicles"), *d = tab(e, "depots");
    cr_expect_str_eq(v->cols[v->label_col].name, "plate");
    cr_expect_str_eq(d->cols[d->label_col].name, "city");
    db_close(e);
    cfg_destroy(c);

    c = cfg_hiding();
    add_label_col(c, "drivers", "lst_name");
    struct seeki_err err;
    seeki_err_clear(&err);
    e = NULL;
    cr_assert_eq(db_open(c, NULL, &e, &err), SEEKI_E_CONFIG);
    cr_expect_null(e);
    cr_expect_str_eq(err.msg, "display.labels.drivers names column 'lst_name', which table "
                              "'drivers' does not have; did you mean 'last_name'?");
    cfg_destroy(c);
}
