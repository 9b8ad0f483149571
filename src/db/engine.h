/* The database engine interface: one API over PostgreSQL (db/pg.c, libpq) and
 * SQLite (db/sqlite.c). Engines are a function-pointer table chosen at open
 * time (struct db_engine_ops in db_int.h). Only db/ speaks SQL; callers hand in
 * a resolved struct db_query (identifiers already checked against the live
 * catalog, values still raw text) and get cells back through an iterator.
 *
 * Threading: an engine is shared by all HTTP threads. Each db_rows_open /
 * db_count borrows one pooled connection (at most cfg.max_connections in all)
 * and returns it on close, so every call is safe from any thread.
 * Read-only by construction: engines only issue SELECTs and catalog reads. */
#ifndef SEEKI_DB_ENGINE_H
#define SEEKI_DB_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/buf.h"
#include "util/err.h"

/* How a column's values are encoded (JSON, CSV) and filtered. The display
 * type (db_display_type) follows from it. */
enum db_vtype {
    DB_VT_INT,         /* smallint, integer, sqlite INTEGER: JSON number */
    DB_VT_BIGINT,      /* number when |v| <= 2^53-1, else string of digits */
    DB_VT_FLOAT,       /* real, double: number; NaN/±Infinity as strings */
    DB_VT_NUMERIC,     /* numeric: string, exact text form */
    DB_VT_MONEY,       /* money: string */
    DB_VT_BOOL,        /* true/false */
    DB_VT_TEXT,        /* char, varchar, text, citext, name, enum */
    DB_VT_DATE,        /* "YYYY-MM-DD", "infinity", "-infinity" */
    DB_VT_TIMESTAMP,   /* "YYYY-MM-DD HH:MM:SS[.f]" */
    DB_VT_TIMESTAMPTZ, /* "YYYY-MM-DDTHH:MM:SS[.f]Z" */
    DB_VT_TIME,        /* time, timetz: text form */
    DB_VT_INTERVAL,    /* text form */
    DB_VT_UUID,        /* string */
    DB_VT_JSON,        /* inlined JSON value */
    DB_VT_NETWORK,     /* inet, cidr, macaddr: text form */
    DB_VT_BYTEA,       /* "\x" + hex, capped at 1024 bytes in JSON */
    DB_VT_ARRAY,       /* JSON array; elements by db_column.elem_vtype */
    DB_VT_OTHER        /* text form; display type is the SQL type name */
};

enum db_table_kind { DB_TABLE, DB_VIEW, DB_MATVIEW, DB_FOREIGN };

struct db_column {
    char *name;          /* as in the database (any characters) */
    char *display_name;  /* override, else derived (db_display_name) */
    char *data_type;     /* SQL type: format_type() text, or SQLite's declared type */
    enum db_vtype vtype;
    enum db_vtype elem_vtype; /* arrays only */
    bool is_nullable;
    bool is_primary_key;
    bool no_order;       /* the type has no ordering (json, point, xml): not sortable */
    bool sensitive;      /* the name matches display.sensitive: the UI masks its cells */
    int position;        /* 1-based ordinal in the table */
    /* When the column alone is a foreign key (SPEC §9 "references"): the
     * referenced table's public name and column, borrowed from the catalog
     * (set by db_catalog_build); else NULL. */
    const char *ref_table;
    const char *ref_column;
};

/* A b-tree index on plain columns, used to decide whether a sort can be
 * served by an index (keyset numbered jumps). Expression and partial indexes
 * are not listed. */
struct db_index {
    size_t *cols;  /* indexes into db_table.cols, in key order */
    size_t ncols;
    bool unique;
};

/* A foreign key of a table (SPEC §9). Engines fill the raw part (names as
 * in the database; ref_cols_raw entries NULL = the referenced table's
 * primary key, in key order); db_catalog_build resolves it against the
 * shown tables and drops keys towards hidden tables or unknown columns. */
struct db_fkey {
    char *ref_schema;    /* raw: the referenced relation */
    char *ref_relname;
    char **cols_raw;     /* raw: ncols column names of this table */
    char **ref_cols_raw; /* raw: ncols referenced column names (NULL: the primary key) */
    size_t ncols;
    /* resolved by db_catalog_build: */
    size_t ref_table; /* index into db_catalog.tables */
    size_t *cols;     /* ncols indexes into this table's cols */
    size_t *ref_cols; /* ncols indexes into the referenced table's cols */
};

/* A foreign key of another shown table pointing here. */
struct db_fkref {
    size_t table; /* index into db_catalog.tables of the child table */
    size_t fkey;  /* index into that table's fkeys */
};

struct db_table {
    char *name;          /* public name: bare in public/main, else schema.table */
    char *schema;        /* schema ("main" for SQLite) */
    char *relname;       /* relation name inside the schema */
    char *display_name;
    enum db_table_kind kind;
    int64_t row_estimate; /* -1 when unknown */
    struct db_column *cols;
    size_t ncols;
    size_t *pk;          /* indexes into cols of the primary key, in key order */
    size_t npk;
    bool has_rowid;      /* physical row id usable for stable order (rowid/ctid) */
    struct db_index *indexes; /* plain b-tree indexes on columns (no expressions, not partial) */
    size_t nindexes;
    struct db_fkey *fkeys;   /* foreign keys towards shown tables (resolved) */
    size_t nfkeys;
    struct db_fkref *refby;  /* foreign keys of shown tables pointing here */
    size_t nrefby;
    /* The label column(s) other tables show for a key into this one
     * (display.labels.<table>, else SPEC §9's heuristic): -1 = none;
     * label_col2 >= 0 for a first_name + last_name pair. */
    long label_col;
    long label_col2;
};

/* An immutable snapshot of the allowed tables (include/exclude applied),
 * sorted by name. Owned by the engine; valid until db_close. */
struct db_catalog {
    struct db_table *tables;
    size_t ntables;
};

struct db_sort {
    size_t col;  /* index into table->cols */
    bool desc;
};

/* Filter operators after parsing an expression against a column's type
 * (db_filter_parse). a/b hold the operand(s) as text in the form the engine
 * binds (dates normalized, booleans as "1"/"0"). */
enum db_filter_op {
    DB_F_CONTAINS,  /* case-insensitive substring (text; other types by text form) */
    DB_F_EQ,        /* exact, case-sensitive for text */
    DB_F_GT,
    DB_F_GE,
    DB_F_LT,
    DB_F_LE,
    DB_F_BETWEEN,   /* a <= v <= b (inclusive) */
    DB_F_RANGE,     /* a <= v < b (date prefix like 2026-04) */
    DB_F_BOOL,      /* a is "1" (true) or "0" (false); NULL matches neither */
    DB_F_IS_NULL,
    DB_F_NOT_NULL,
    DB_F_NONE       /* empty expression: no condition (the SQL builder skips it) */
};

struct db_filter {
    size_t col;
    enum db_filter_op op;
    char *a; /* owned; NULL when the op takes no operand */
    char *b; /* owned; BETWEEN/RANGE upper bound */
};

/* A resolved read request. All pointers are borrowed for the call. */
struct db_query {
    const struct db_table *table;
    const struct db_sort *sorts;
    size_t nsorts;
    const char *search;         /* NULL or "" = no search */
    const struct db_filter *filters;
    size_t nfilters;
    int64_t offset;             /* rows to skip, >= 0 */
    int64_t limit;              /* rows to return; -1 = all (export) */
    bool reverse;               /* read in reversed order (page=last): offset counts
                                 * from the end; db_iter_next hands the page
                                 * back in forward order. Needs limit >= 0
                                 * and an order (sorts, or
                                 * db_table_has_order_key). */
    /* Keyset paging (docs/internals/paging.md). seek: NULL, or the order-key
     * values (db_order_keys, one per key) of a boundary row; only rows
     * strictly after it in the read order are returned (with reverse: rows
     * before it in forward order, read backwards, handed back forwards). */
    const struct db_keyval *seek;
    size_t nseek;
    /* with_keys: each row carries, after its table->ncols cells, one more
     * cell per order key (db_order_keys order), so callers can build cursors
     * even when the tie-breaker is the physical row id, which is no column.
     * keys_only: rows hold only those order-key cells (numbered-jump
     * boundary lookups, which an index can answer alone). Engines size their
     * rows from the statement's result columns, not from table->ncols. */
    bool with_keys;
    bool keys_only;
    /* Who is asking (both optional). bulk: an export, which takes one of the
     * pool's bulk slots (at most max_connections - 1 at once, 1 when it is
     * 1; waiters served in arrival order, up to the statement timeout) so
     * pages always keep a connection. gone(gone_arg): true once the client
     * has left, so a wait for a connection gives up early. */
    bool bulk;
    bool (*gone)(void *arg);
    void *gone_arg;
};

/* One entry of a query's full order: the user's sorts, then the tie-breaker
 * (primary-key columns not sorted on, ascending, else the physical row id:
 * rowid / ctid). desc is the forward direction (reverse not applied). */
struct db_order_key {
    long col;  /* index into table->cols; -1 = the physical row id */
    bool desc;
};

/* A boundary row's value for one order key, as the engine produced it
 * (struct db_cell kinds). s is owned (heap, NUL-terminated) for TEXT/BLOB. */
struct db_keyval {
    int kind;   /* enum db_cell_kind */
    int64_t i;  /* DB_CELL_INT */
    double d;   /* DB_CELL_REAL */
    char *s;    /* DB_CELL_TEXT / DB_CELL_BLOB, owned */
    size_t len; /* bytes in s */
};

/* One value as the engine produced it. Text forms follow SPEC §4 (PostgreSQL
 * returns everything as DB_CELL_TEXT; SQLite keeps its storage classes). */
enum db_cell_kind { DB_CELL_NULL, DB_CELL_INT, DB_CELL_REAL, DB_CELL_TEXT, DB_CELL_BLOB };

struct db_cell {
    enum db_cell_kind kind;
    int64_t i;       /* DB_CELL_INT */
    double d;        /* DB_CELL_REAL */
    const char *s;   /* DB_CELL_TEXT (UTF-8, not necessarily NUL-free) / DB_CELL_BLOB */
    size_t len;      /* bytes in s */
};

struct db_engine;
struct db_iter;

/* Options the caller may add to the config when opening. */
struct db_open_opts {
    int tunnel_port; /* 0: connect as the URL says; else via 127.0.0.1:tunnel_port */
};

/* Opens the engine named by cfg->db_kind, checks the database can be reached
 * (SQLite: the file exists and opens read-only), and loads the catalog.
 * opts may be NULL. Errors say what failed and what to do (exit 1 at startup). */
enum seeki_code db_open(const struct cfg *cfg, const struct db_open_opts *opts,
                        struct db_engine **out, struct seeki_err *err) SEEKI_MUST_CHECK;
void db_close(struct db_engine *e);

const char *db_kind_name(const struct db_engine *e); /* "postgres" or "sqlite" */
const struct db_catalog *db_catalog(const struct db_engine *e);

/* Looks a route's table name up: exact public name, or schema.table. Unknown,
 * hidden or excluded tables are SEEKI_E_NOT_FOUND "Table 'x' not found"; an
 * ambiguous bare name is SEEKI_E_BAD_PARAM naming the qualified candidates. */
enum seeki_code db_find_table(const struct db_catalog *cat, const char *name,
                              const struct db_table **out, struct seeki_err *err) SEEKI_MUST_CHECK;
/* Returns the column index or -1. */
long db_find_column(const struct db_table *t, const char *name);
/* True when t's rows have a stable order without a user sort: a primary key
 * or a physical row id (rowid/ctid). A reverse query (page=last) on a table
 * without one and without sorts is refused with SEEKI_E_BAD_PARAM, so the
 * caller should compute the last page's offset from the count instead. */
bool db_table_has_order_key(const struct db_table *t);

/* Runs a read. On success *out is an iterator holding one pooled connection
 * until its rows end or db_iter_close, whichever comes first (so with
 * max_connections = 1, count before opening rows or after reading them).
 * The query's first step runs here, so a timeout is reported before any
 * output. Errors: SEEKI_E_DB_UNAVAILABLE, SEEKI_E_TIMEOUT (also when every
 * pooled connection stays busy), SEEKI_E_FORBIDDEN (no SELECT grant),
 * SEEKI_E_BAD_PARAM (reverse without an order), SEEKI_E_DB. */
enum seeki_code db_rows_open(struct db_engine *e, const struct db_query *q, struct db_iter **out,
                             struct seeki_err *err) SEEKI_MUST_CHECK;
/* Fetches the next row: *row points at table->ncols cells valid until the
 * next call or close; *row = NULL at the end. Rows of a reverse query come
 * back already flipped into forward order. */
enum seeki_code db_iter_next(struct db_iter *it, const struct db_cell **row,
                             struct seeki_err *err) SEEKI_MUST_CHECK;
void db_iter_close(struct db_iter *it); /* NULL accepted */

#define DB_VERSION_MAX 96 /* a table's change token, incl. the NUL */

/* How many rows match a view (db/counts.c; docs/paging.md "Counts"). */
struct db_total {
    int64_t n;    /* >= 0; an estimate unless exact */
    bool exact;   /* n is an exact count of the view as it is now */
    bool pending; /* an exact count of this view is running in the background */
    /* the table's change token when it was read ("" when tracked is false:
     * changes cannot be seen, e.g. a PostgreSQL view) */
    char version[DB_VERSION_MAX];
    bool tracked;
};

/* The best count of q's view (table, search, filters; sorts, offset and
 * limit ignored) that never waits on counting a large result: a cached
 * exact count still valid for the table (same change token, younger than
 * the cache's life), else an exact count in line when the estimate is small
 * (under a short budget), else the estimate -- and an exact count of the view
 * starts in the background (out->pending) for the next answer. Errors: as
 * db_rows_open. */
enum seeki_code db_count(struct db_engine *e, const struct db_query *q, struct db_total *out,
                         struct seeki_err *err) SEEKI_MUST_CHECK;
/* db_count, then, while the view's background count is still running, waits
 * for it up to wait_ms and answers again. */
enum seeki_code db_count_wait(struct db_engine *e, const struct db_query *q, int wait_ms,
                              struct db_total *out, struct seeki_err *err) SEEKI_MUST_CHECK;

/* ---- keyset cursors (db/cursor.c; SPEC §5 "Deep pages") ---------------------
 *
 * A cursor names a page by its neighbour's boundary row. Tokens are opaque,
 * URL-safe (base64url, no padding) and signed with HMAC-SHA256 under a key
 * drawn from getrandom() once per process, so a tampered token is rejected
 * and every token goes stale when SeeKi restarts. A token also carries a
 * digest of its view (table, sorts, search, filters, page size): it is only
 * accepted for the same view. */

/* The full order of q (sorts, then tie-breaker) for this engine's dialect.
 * *out is a heap array (free()) of the returned count; 0 (and *out NULL)
 * when q has no defined order (a view without sorts). */
size_t db_order_keys(const struct db_engine *e, const struct db_query *q,
                     struct db_order_key **out);

/* A decoded cursor. nkeys == 0 is a "numbered" cursor: it only names a page
 * (used when the boundary values are too large for a token, or the view has
 * no order), which the caller reads by page number. */
struct db_cursor {
    int64_t page;           /* the page the cursor leads to, >= 1 */
    bool prev;              /* true: the rows before keys (read backwards) */
    struct db_keyval *keys; /* owned; the boundary row's order-key values */
    size_t nkeys;
};

/* Copies a cell into a key value (TEXT/BLOB bytes duplicated). */
void db_keyval_from_cell(struct db_keyval *out, const struct db_cell *c);
void db_keyvals_free(struct db_keyval *v, size_t n); /* members of each, then the array */

/* Encodes c for the view q (table, sorts, search, filters; offset, limit,
 * reverse and seek are ignored) and page_size. Returns a heap token. When
 * the key values exceed DB_CURSOR_KEYS_MAX bytes, a numbered cursor (no
 * keys) is encoded instead. Never fails. */
#define DB_CURSOR_KEYS_MAX 1024
char *db_cursor_encode(const struct db_query *q, int64_t page_size, const struct db_cursor *c);
/* Decodes and checks token for the view q + page_size. Malformed, tampered
 * or stale tokens and tokens of another view are SEEKI_E_BAD_PARAM
 * "Invalid cursor: …" with advice; nothing in the token is ever used except
 * as bound values. On success free *out with db_cursor_free. */
enum seeki_code db_cursor_decode(const struct db_query *q, int64_t page_size, const char *token,
                                 struct db_cursor *out, struct seeki_err *err) SEEKI_MUST_CHECK;
void db_cursor_free(struct db_cursor *c); /* NULL ok; leaves *c empty */

/* True when an index of q->table serves q's order (db_table.indexes), so a
 * numbered jump can find its boundary with an index-only scan. */
bool db_index_serves(const struct db_engine *e, const struct db_query *q);
/* Reads the order-key values of the row at 0-based position pos of q's
 * order (same WHERE; q's offset, limit, seek and reverse are ignored):
 * SELECT <keys> … ORDER BY … LIMIT 1 OFFSET pos. *found is false (and
 * *keys NULL) when q has fewer rows. Errors: as db_rows_open. */
enum seeki_code db_seek_boundary(struct db_engine *e, const struct db_query *q, int64_t pos,
                                 struct db_keyval **keys, size_t *nkeys, bool *found,
                                 struct seeki_err *err) SEEKI_MUST_CHECK;

/* ---- numbered jumps from a nearby page (db/bounds.c) -------------------------
 * SeeKi remembers where recently served pages of a view ended (their last
 * row's order-key values), under the table's change token, so a numbered jump
 * to a page shortly after one of them seeks from it instead of counting rows
 * from the start. */
#define DB_BOUNDS_NEAR 10 /* a jump reuses a page at most this many before it */
void db_bounds_remember(struct db_engine *e, const struct db_query *q, int64_t page_size,
                        int64_t page, const struct db_keyval *keys, size_t nkeys,
                        const struct db_total *tot);
/* The nearest remembered page p with page - DB_BOUNDS_NEAR <= p < page of
 * q's view under the same (tracked) change token: *from = p, *keys its last
 * row's values (owned: db_keyvals_free). False when there is none. */
bool db_bounds_near(struct db_engine *e, const struct db_query *q, int64_t page_size,
                    int64_t page, const struct db_total *tot, int64_t *from,
                    struct db_keyval **keys, size_t *nkeys);

/* ---- column statistics (db/stats.c; SPEC §10) --------------------------------
 *
 * Figures for one column over q's matching rows (search and filters; sorts
 * and paging ignored). Work is bounded: up to DB_STATS_EXACT_MAX matching
 * rows every one is read and exact is true; beyond, PostgreSQL tables read
 * a TABLESAMPLE SYSTEM sample of about DB_STATS_EXACT_MAX rows (the
 * percentage from the row estimate) and everything else the first
 * DB_STATS_EXACT_MAX matching rows, and exact is false: count, nulls,
 * distinct and the top counts then describe the rows read. */
#define DB_STATS_EXACT_MAX 100000
#define DB_STATS_TOP_MAX 10

struct db_stats {
    int64_t count;    /* rows read (all matching rows when exact) */
    int64_t nulls;    /* of them, NULL in the column */
    int64_t distinct; /* distinct non-NULL values */
    bool exact;
    bool has_minmax;           /* the type is ordered (not booleans, nothing without an order) */
    bool has_avg;              /* a number (Number or Decimal, not money) */
    bool has_top;              /* not a number */
    struct db_keyval min, max; /* DB_CELL_NULL when there is no non-NULL value */
    struct db_keyval avg;      /* as a double's text or REAL; NULL when none */
    struct db_keyval top[DB_STATS_TOP_MAX]; /* most frequent first, ties by value */
    int64_t top_count[DB_STATS_TOP_MAX];
    size_t ntop;
};

/* Errors: as db_rows_open / db_count. On success free out with
 * db_stats_free (also safe after a failure). */
enum seeki_code db_stats(struct db_engine *e, const struct db_query *q, size_t col,
                         struct db_stats *out, struct seeki_err *err) SEEKI_MUST_CHECK;
void db_stats_free(struct db_stats *s);
/* A key value as a cell (borrowing its bytes), for db_cell_json. */
struct db_cell db_keyval_cell(const struct db_keyval *v);

/* ---- labels of foreign-key values (db/labels.c; SPEC §9) ------------------ */

/* One referenced row's label: key is the referenced column's value as text
 * (numbers in their plain text form), label the label column's text
 * (first_name + last_name joined by a space). Both owned. */
struct db_label {
    char *key;
    char *label;
};

/* True when fk (index into t->fkeys) is a single-column key whose
 * referenced table has a label column. */
bool db_fkey_has_labels(const struct db_engine *e, const struct db_table *t, size_t fk);
/* Labels of the n values (the key column's cells of a page, distinct, at
 * most one page) in one bound SELECT … WHERE key IN (…) on the referenced
 * table, under the statement timeout. Values without a referenced row or
 * with a NULL label are left out. Nothing when !db_fkey_has_labels. Errors:
 * as db_rows_open (the caller drops the labels, never the page). Free *out
 * with db_labels_free. */
enum seeki_code db_labels(struct db_engine *e, const struct db_table *t, size_t fk,
                          const struct db_keyval *vals, size_t n, struct db_label **out,
                          size_t *nout, struct seeki_err *err) SEEKI_MUST_CHECK;
void db_labels_free(struct db_label *l, size_t n); /* NULL ok */

/* Cheap liveness check through the pool (status route, seeki check). Never
 * waits for a busy pool: SEEKI_E_BUSY when every connection is lent out. */
enum seeki_code db_ping(struct db_engine *e, struct seeki_err *err) SEEKI_MUST_CHECK;

/* --- helpers shared by API and engines (db/names.c, db/filter.c, db/encode.c) --- */

/* "Text", "Number", "Decimal", "Yes/No", "Date", "Date & Time", "Time",
 * "Duration", "JSON", "UUID", "Network", "Currency", "Binary", "List"; for
 * DB_VT_OTHER the column's data_type. Never NULL. */
const char *db_display_type(const struct db_column *c);
/* supervisor_id -> "Supervisor", createdAt -> "Created At". Heap string. */
char *db_display_name(const char *ident);
/* The same without dropping a trailing id: address_id -> "Address ID" (used
 * when "Address" is already another column's name). Heap string. */
char *db_display_name_keep_id(const char *ident);
const char *db_table_kind_name(enum db_table_kind k); /* "table", "view", ... */
/* Text-like columns take part in search. */
bool db_vtype_is_text(enum db_vtype v);

/* Parses a filter expression (SPEC §5) for column c (index col). On a value
 * that does not fit the type returns SEEKI_E_BAD_PARAM naming the column and
 * showing the accepted forms. out->a/b are heap strings (db_filter_free).
 * An empty or all-blank expression is not an error: it gives op DB_F_NONE,
 * which the SQL builder skips, so callers may pass every filter through.
 * Date/timestamp values name a period (2026-04 = all of April, UTC) and
 * comparisons take the whole period: >2026-04 is from May on, <=2026-04
 * through April; they come out as DB_F_GE/DB_F_LT/DB_F_RANGE with the bounds
 * computed ("2026-05-01"). Booleans come out as DB_F_BOOL with a = "1"/"0". */
enum seeki_code db_filter_parse(const struct db_column *c, size_t col, const char *expr,
                                struct db_filter *out, struct seeki_err *err) SEEKI_MUST_CHECK;
void db_filter_free(struct db_filter *f);

/* Value encoding (SPEC §4), db/encode.c. Both append text to out and return
 * -1 only when out's maximum is reached.
 * db_cell_json appends one JSON value as text (null for NULL): numbers keep
 * their exact text, JSON columns are inlined as they are (so big numbers stay
 * exact), strings are escaped.
 * db_cell_csv appends one RFC 4180 field (quoted when needed; NULL is an empty
 * field, "" is a quoted empty string ""), with the same text forms as JSON
 * (booleans true/false, bytea in full). */
int db_cell_json(const struct db_column *c, const struct db_cell *v, struct buf *out)
    SEEKI_MUST_CHECK;
int db_cell_csv(const struct db_column *c, const struct db_cell *v, struct buf *out)
    SEEKI_MUST_CHECK;

#endif
