/* SQLite engine internals shared by db/sqlite/sqlite.c and fold.c. */
#ifndef SEEKI_DB_SQLITE_INT_H
#define SEEKI_DB_SQLITE_INT_H

#include "db/db_int.h"

/* The SQL function behind SQLite search and "contains" filters
 * (fold.c): seeki_icontains(text, needle), Unicode case-insensitive,
 * needle literal. Registered on every SQLite connection; SQLITE_OK or an
 * SQLite error code. */
struct sqlite3;
int db_sqlite_register_fold(struct sqlite3 *db);

#ifdef SEEKI_UNIT
/* Test hook: runs sql on a pooled connection of a SQLite engine, to prove
 * that writes are refused. Not built into the release binary. */
enum seeki_code litedb_test_exec(struct db_engine *e, const char *sql,
                                 struct seeki_err *err) SEEKI_MUST_CHECK;
#endif

/* fkeys.c: the foreign keys of main.<t->relname> into t->fkeys (raw form;
 * a failure leaves the list short). */
void db_sqlite_load_fkeys(struct sqlite3 *db, struct db_table *t);
/* fkeys.c: after every table of tabs is loaded, turns the keys' table and
 * column names into the spelling of the catalog (SQLite compares names
 * case-insensitively). */
void db_sqlite_fkeys_canon(struct db_table *tabs, size_t n);

/* types.c */
/* SQLite declared type ("INTEGER", "varchar(20)", "" for none) -> vtype, by
 * the rules of SPEC §4: INT* -> DB_VT_BIGINT (SQLite integers are 64-bit),
 * REAL/FLOA/DOUB -> FLOAT, NUMERIC/DECIMAL -> NUMERIC, BOOL* -> BOOL,
 * DATE -> DATE, DATETIME/TIMESTAMP* -> TIMESTAMP, TIME -> TIME,
 * INTERVAL -> INTERVAL, JSON* -> JSON, BLOB/BYTEA -> BYTEA, else TEXT. */
enum db_vtype db_sqlite_vtype(const char *decl);

#endif
