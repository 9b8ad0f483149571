/* Internals shared by the db/ files and their unit tests (nothing outside db/
 * includes this): the engine vtable every backend implements, the common
 * engine header they embed, catalog building, type mapping, cursor signing
 * and the generic connection pool (pool.c); the SQL builder has its own header
 * (db/sql/sql.h). Engines (db/sqlite/, db/pg/) plug in by filling struct
 * db_engine_ops and calling the shared helpers. */
#ifndef SEEKI_DB_INT_H
#define SEEKI_DB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "db/engine.h"
#include "util/buf.h"
#include "util/err.h"

/* ---- engine vtable ------------------------------------------------------ */

struct db_pool_want;
struct db_counts;


/* An open rows iterator. Engines embed this as the first member of their own
 * iterator struct and cast back in their ops. */
struct db_iter_ops {
    /* See db_iter_next in engine.h. */
    enum seeki_code (*next)(struct db_iter *it, const struct db_cell **row, struct seeki_err *err);
    /* Releases the iterator and returns its pooled connection. */
    void (*close)(struct db_iter *it);
};

struct db_iter {
    const struct db_iter_ops *ops;
};

/* The SQL dialect an engine speaks (db/sql/ writes both). */
enum db_dialect {
    DB_SQL_SQLITE, /* "ident", ? placeholders, seeki_icontains() for case-insensitive matching */
    DB_SQL_PG      /* "ident", $1..$n placeholders, ILIKE, typed casts */
};

struct db_sql; /* db/sql/sql.h */

struct db_engine_ops {
    const char *kind_name;      /* "sqlite" or "postgres" (db_kind_name) */
    enum db_dialect dialect;
    const char *default_schema; /* tables here are named bare: "main" / "public" */
    /* db/counts.c counts a view in line when its estimate is below this
     * (and within a short budget); larger ones are counted in the background. */
    int64_t count_inline_below;
    /* Reads every relation of the selected schemas (not yet filtered by
     * tables.include/exclude). Each table must have schema, relname, kind,
     * row_estimate, has_rowid, pk/npk and its columns (name, data_type,
     * vtype, elem_vtype, is_nullable, is_primary_key, position) filled; name
     * and the display names stay NULL (db_catalog_build sets them). On
     * success the caller owns *tables (db_tables_free). Called once, from
     * db_open. */
    enum seeki_code (*load_tables)(struct db_engine *e, struct db_table **tables, size_t *n,
                                   struct seeki_err *err);
    enum seeki_code (*rows_open)(struct db_engine *e, const struct db_query *q,
                                 struct db_iter **out, struct seeki_err *err);
    /* Cheap, never counts: the best estimate of q's rows at hand (the
     * catalog's for a whole table, the planner's for a search or filters;
     * -1 when there is none) and q's table's change token (DB_VERSION_MAX
     * bytes incl. NUL: it differs once the table's rows or the server's life
     * changed; *tracked false when only a restart can be seen, e.g. a view). */
    enum seeki_code (*estimate)(struct db_engine *e, const struct db_query *q, int64_t *n,
                                char *version, bool *tracked, struct seeki_err *err);
    /* Counts q's rows exactly within budget_ms (SEEKI_E_TIMEOUT past it),
     * borrowing as want says (NULL: a page); stops early once want->gone
     * says so (also while the statement runs). */
    enum seeki_code (*count)(struct db_engine *e, const struct db_query *q, int budget_ms,
                             const struct db_pool_want *want, int64_t *n, struct seeki_err *err);
    /* Runs one read-only statement built by db/sql/ other than a page (the
     * column statistics, db/stats.c) under the statement timeout, and
     * hands its rows out through an iterator as wide as its result. q names
     * the table and filters for error messages. Errors: as rows_open. */
    enum seeki_code (*sql_open)(struct db_engine *e, const struct db_sql *sql,
                                const struct db_query *q, struct db_iter **out,
                                struct seeki_err *err);
    enum seeki_code (*ping)(struct db_engine *e, struct seeki_err *err);
    /* Frees the engine's own state (pool, handles) and the struct itself;
     * the catalog is freed by db_close before this runs. */
    void (*destroy)(struct db_engine *e);
    /* Optional: called once by db_open after the catalog is built (the
     * engine may log its startup line, e.g. the table count). */
    void (*opened)(struct db_engine *e);
};

/* The part every engine shares. Engines embed it as their first member. */
struct db_engine {
    const struct db_engine_ops *ops;
    const struct cfg *cfg;     /* borrowed: must outlive the engine */
    struct db_catalog catalog; /* built once in db_open, immutable after */
    struct db_counts *counts;  /* the count cache and its worker (counts.c) */
    struct db_bounds *bounds;  /* recently served pages' last rows (bounds.c) */
};

/* ---- counts (counts.c) ----------------------------------------------------- */

/* Starts the background counter of e (db_open, once the catalog is built)
 * and stops it, cancelling a running count (db_close, before the engine's
 * destroy). */
struct db_counts *db_counts_start(struct db_engine *e);
void db_counts_stop(struct db_counts *c); /* NULL ok */

/* ---- page boundaries (bounds.c) ------------------------------------------------ */

struct db_bounds;
struct db_bounds *db_bounds_new(void);
void db_bounds_free(struct db_bounds *b); /* NULL ok */
#ifdef SEEKI_UNIT
/* Test hook: the thresholds (estimates below small are counted in line with
 * inline_ms; cached counts live ttl_ms). */
void db_counts_set_limits(int64_t small, int inline_ms, int ttl_ms);
#endif

/* SQLite engine (sqlite/sqlite.c): opens cfg->sqlite_path read-only and fills *out
 * with an engine whose catalog is still empty (db_open loads it). */
enum seeki_code litedb_open(const struct cfg *cfg, struct db_engine **out,
                            struct seeki_err *err) SEEKI_MUST_CHECK;

/* PostgreSQL engine (pg/pg.c): builds the connection parameters from
 * cfg->db_url (tunnel_port > 0: through 127.0.0.1:tunnel_port), connects
 * once (a failure is SEEKI_E_DB_UNAVAILABLE with the troubleshooting
 * message; never the password or URL), checks the session is read-only and
 * fills *out with an engine whose catalog is still empty. */
enum seeki_code pgdb_open(const struct cfg *cfg, int tunnel_port, struct db_engine **out,
                          struct seeki_err *err) SEEKI_MUST_CHECK;


/* ---- catalog (catalog.c) ------------------------------------------------ */

/* Turns the raw relations an engine found into the public catalog: applies
 * tables.include / tables.exclude (bare or schema-qualified names; a name in
 * both hides the table with a warning), names each table (bare in
 * default_schema, else schema.table; both qualified when a bare name exists
 * in two shown schemas), sets display names (config labels first, else
 * db_display_name), sorts by name and resolves relations
 * (db_catalog_relations). Takes ownership of raw (an array of nraw tables,
 * freed or moved into out). Fails only on a bad display.labels entry. */
enum seeki_code db_catalog_build(const struct cfg *cfg, const char *default_schema,
                                 struct db_table *raw, size_t nraw, struct db_catalog *out,
                                 struct seeki_err *err) SEEKI_MUST_CHECK;
/* relations.c, run last by db_catalog_build: resolves the raw foreign
 * keys against the shown tables (keys towards hidden tables or unreadable
 * columns are dropped), fills referenced_by lists and label columns
 * (display.labels, else SPEC §9's heuristic). A display.labels entry naming
 * a column its table does not have is SEEKI_E_CONFIG
 * "path:line:col: … did you mean '<nearest column>'?". */
enum seeki_code db_catalog_relations(const struct cfg *cfg, struct db_catalog *cat,
                                     struct seeki_err *err) SEEKI_MUST_CHECK;
/* Frees n keys' members (raw and resolved), then the array. NULL ok. */
void db_fkeys_free(struct db_fkey *f, size_t n);
void db_catalog_free(struct db_catalog *cat);      /* frees the tables; cat itself is caller's */
/* Removes the columns of t whose keep[i] is false (columns.exclude, or
 * PostgreSQL columns the role may not SELECT): frees them, closes the gaps,
 * and remaps the primary key and indexes onto the remaining columns -- a
 * key or index that used a removed column is dropped, so nothing built
 * from the table ever names one. Positions are left as they are. Appends
 * the removed names to names (", "-separated) when names is not NULL.
 * Returns how many were removed. */
size_t db_table_drop_columns(struct db_table *t, const bool *keep, struct buf *names);
void db_table_free(struct db_table *t);            /* frees t's members, not t */
void db_tables_free(struct db_table *t, size_t n); /* members of each, then the array */

/* ---- cursor signing (cursor.c; OpenSSL's libcrypto) ---------------------- */

#define DB_CURSOR_KEY_LEN 32 /* HMAC-SHA256 key */
#define DB_VIEW_DIGEST_LEN 32

/* SHA-256 over what makes a view: table, sorts, search, filters and the page
 * size (cursor tokens carry it; bounds.c keys its memory by it). */
void db_view_digest(const struct db_query *q, int64_t page_size, uint8_t out[DB_VIEW_DIGEST_LEN]);

#ifdef SEEKI_UNIT
/* cursor.c test hooks: a fixed signing key (tests need reproducible tokens),
 * and base64url both ways. */
void db_cursor_set_key(const uint8_t key[DB_CURSOR_KEY_LEN]);
char *cur_b64url(const uint8_t *p, size_t n);
uint8_t *cur_unb64url(const char *s, size_t *n);
#endif

/* ---- connection pool (pool.c) ------------------------------------------- */

/* A generic pool of at most max connections, created lazily through the
 * connect callback and closed through disconnect. Thread-safe: any thread
 * may get/put. A caller that finds every connection busy waits up to
 * wait_ms for one to come back. */
struct db_pool_ops {
    /* Opens one connection into *conn; on failure returns the code (err
     * filled) and leaves *conn NULL. */
    enum seeki_code (*connect)(void *ctx, void **conn, struct seeki_err *err);
    void (*disconnect)(void *ctx, void *conn);
};

struct db_pool;

/* What a borrower asks for. A NULL want is a page with the pool's budget. */
struct db_pool_want {
    bool bulk;   /* an export or a background count: at most max - 1 at once, FIFO */
    int wait_ms; /* 0: the pool's budget; < 0: do not wait at all */
    /* Optional: true when whoever asked has gone (checked every 100 ms while
     * waiting; the wait then ends with SEEKI_E_BUSY). */
    bool (*gone)(void *arg);
    void *gone_arg;
};

/* max >= 1; wait_ms is a page's budget for a busy pool. ctx is passed to the
 * callbacks and borrowed for the pool's life. */
struct db_pool *db_pool_new(int max, int wait_ms, const struct db_pool_ops *ops, void *ctx);
/* Borrows a connection (idle first, else a new one while fewer than max
 * exist, else waits; bulk borrowers also wait for a bulk slot, in arrival
 * order). Errors: the connect callback's, or SEEKI_E_BUSY when the pool
 * stayed busy for the budget (the message names database.max_connections). */
enum seeki_code db_pool_get(struct db_pool *p, const struct db_pool_want *want, void **conn,
                            struct seeki_err *err) SEEKI_MUST_CHECK;
/* Returns a connection; broken = true closes it instead of keeping it. */
void db_pool_put(struct db_pool *p, void *conn, bool broken);
/* Closes idle connections and frees the pool. Every borrowed connection
 * must have been returned. NULL accepted. */
void db_pool_destroy(struct db_pool *p);
/* Connections currently open (idle + borrowed); for tests and status. */
int db_pool_open_count(struct db_pool *p);

/* A page's budget for a busy pool (capped at the statement timeout): short,
 * so a burst is answered 503 at once instead of hanging. */
#define DB_POOL_WAIT_MS 5000
/* The pool budget engines give db_pool_new for a statement timeout. */
int db_pool_wait_for(int timeout_ms);
/* What q's borrower asks of the pool: a page, or (q->bulk) an export with
 * the statement timeout as its budget; q->gone carried over. q may be NULL
 * (a page). */
void db_pool_want_of(const struct db_query *q, int timeout_ms, struct db_pool_want *out);

/* ---- small shared helpers ------------------------------------------------ */


#ifdef SEEKI_UNIT
/* encode.c internals exposed to the unit tests (SEEKI_TESTABLE). */
bool enc_is_json_number(const char *s, size_t n, bool *integer);
bool enc_is_json(const char *s, size_t n);
void enc_double(double d, char out[32]);
#endif

/* The dialect an engine speaks (its ops' dialect). */
enum db_dialect db_engine_dialect(const struct db_engine *e);


#endif
