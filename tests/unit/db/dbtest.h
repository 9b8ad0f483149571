/* Helpers shared by the db module's unit tests: hand-built tables and
 * configs, and a compact text rendering of SQL parameters for assertions. */
#ifndef SEEKI_TEST_DBTEST_H
#define SEEKI_TEST_DBTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "db/sql/sql.h"
#include "db/sqlite/sqlite_int.h"
#include "db/engine.h"

struct dbt_col {
    const char *name;
    enum db_vtype vt;
    bool nullable;
    bool pk;
    const char *data_type; /* NULL: "t" */
};

/* A heap table (free with dbt_table_destroy); name = relname in "main" and
 * "public", else schema.relname. Primary key columns in column order. */
struct db_table *dbt_table(const char *schema, const char *rel, const struct dbt_col *cols,
                           size_t n, bool has_rowid);
void dbt_table_destroy(struct db_table *t);

/* Fills *t in place (for arrays of raw tables handed to db_catalog_build). */
void dbt_table_fill(struct db_table *t, const char *schema, const char *rel,
                    const struct dbt_col *cols, size_t n, bool has_rowid);

/* "i:50|t:%ab%|r:4.5": one entry per parameter (kind:text). Heap string. */
char *dbt_params(const struct db_sql *s);

/* Builds q's page statement for dialect d and expects exactly want and
 * want_params (dbt_params form); what names the case in failure messages. */
void dbt_check_select(enum db_dialect d, const struct db_query *q, const char *what,
                      const char *want, const char *want_params);

/* A string list for cfg include/exclude (NULL-terminated input). */
char **dbt_strv(size_t *n, const char *const *items);

#endif
