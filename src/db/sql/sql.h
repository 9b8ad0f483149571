/* The only place SQL text is built from request input (ARCHITECTURE.md
 * "Boundaries"): db/sql/build.c (SELECT, COUNT, WHERE, ORDER BY, LIMIT),
 * db/sql/seek.c (keyset predicates) and db/sql/filter.c (the filter
 * language), for both dialects. Engines call db_sql_select / db_sql_count
 * and bind the parameters; nothing outside db/ includes this header. */
#ifndef SEEKI_DB_SQL_H
#define SEEKI_DB_SQL_H

#include "db/db_int.h"

/* How the filter language and the SQL builder treat a value type, decided
 * in one place (build.c): text, other (compared by its text form), integer,
 * decimal, date, timestamp, boolean. */
enum db_vclass { DB_VC_TEXT, DB_VC_OTHER, DB_VC_INT, DB_VC_DEC, DB_VC_DATE, DB_VC_TS, DB_VC_BOOL };
enum db_vclass db_vclass_of(enum db_vtype v);

/* The SQL function SeeKi registers on SQLite connections for search and
 * "contains" filters (db/sqlite/fold.c): seeki_icontains(text, needle). */
#define DB_SQLITE_ICONTAINS "seeki_icontains"


/* How a parameter is bound. PostgreSQL always binds the text; SQLite binds
 * i / d for INT / REAL so comparisons stay numeric even without affinity. */
enum db_param_kind {
    DB_PARAM_TEXT,
    DB_PARAM_INT,
    DB_PARAM_REAL,
    DB_PARAM_BLOB /* SQLite only (a cursor's BLOB key): text holds len raw bytes */
};

struct db_param {
    enum db_param_kind kind;
    char *text; /* owned; always set (the value's text form); NUL-terminated */
    int64_t i;  /* DB_PARAM_INT */
    double d;   /* DB_PARAM_REAL */
    size_t len; /* DB_PARAM_BLOB: bytes in text */
};

/* One built statement: SQL text plus its parameters in placeholder order. */
struct db_sql {
    char *text;
    struct db_param *params;
    size_t nparams;
    size_t cap; /* allocated params */
};

/* Builds SELECT <all columns in order> FROM "schema"."rel" WHERE <filters
 * AND search> ORDER BY <sorts, then primary key or rowid/ctid> LIMIT/OFFSET
 * for q. Identifiers come only from q->table (the live catalog) and are
 * quoted; every request value is a parameter. Errors: SEEKI_E_BAD_PARAM for
 * a column index out of range or a bad operand (filters are normally
 * validated by db_filter_parse already), SEEKI_E_INTERNAL when the SQL text
 * would exceed BUF_MAX_SQL. On error *out is left empty. */
enum seeki_code db_sql_select(enum db_dialect d, const struct db_query *q, struct db_sql *out,
                              struct seeki_err *err) SEEKI_MUST_CHECK;
/* SELECT COUNT(*) with the same FROM and WHERE as db_sql_select. */
enum seeki_code db_sql_count(enum db_dialect d, const struct db_query *q, struct db_sql *out,
                             struct seeki_err *err) SEEKI_MUST_CHECK;
void db_sql_free(struct db_sql *s); /* NULL accepted; leaves *s empty */

/* labels.c: SELECT key[, label[, label2]] FROM ref WHERE key IN (vals…)
 * LIMIT n, for ref's label column(s) (ref->label_col >= 0). Values bind as
 * their cell kind (SQLite) or text (PostgreSQL). */
enum seeki_code db_sql_labels(enum db_dialect d, const struct db_table *ref, size_t key_col,
                              const struct db_keyval *vals, size_t n, struct db_sql *out,
                              struct seeki_err *err) SEEKI_MUST_CHECK;

/* The full order of q in dialect d (see db_order_keys in engine.h): heap
 * array in *out (NULL when the count is 0). */
size_t db_sql_order_keys(enum db_dialect d, const struct db_query *q, struct db_order_key **out);

/* Appends ident quoted for SQL ("a""b"); -1 when out is full. */
int db_sql_quote_ident(struct buf *out, const char *ident) SEEKI_MUST_CHECK;

/* ---- the statement under construction, shared by build.c and seek.c ----- */

/* A statement under construction: text grows in `text` (bounded by
 * BUF_MAX_SQL; an append that does not fit sets `full`, reported by the
 * caller), parameters go to `out`, which owns their text. */
struct sqlb {
    enum db_dialect d;
    const struct db_table *t;
    struct buf text;
    struct db_sql *out;
    bool full; /* an append hit BUF_MAX_SQL */
};

void db_sqlb_puts(struct sqlb *b, const char *s);
/* Starts a statement for q's table into out (emptied). */
void db_sqlb_init(struct sqlb *b, enum db_dialect d, const struct db_query *q, struct db_sql *out);
/* Ends it: on rc == SEEKI_E_OK (and the text fitting BUF_MAX_SQL) out gets
 * the text; otherwise out is emptied and the error returned. */
enum seeki_code db_sqlb_finish(struct sqlb *b, enum seeki_code rc,
                               struct seeki_err *err) SEEKI_MUST_CHECK;
/* Checks q's sort and filter column indexes against its table. */
enum seeki_code db_sqlb_check(const struct db_query *q, struct seeki_err *err) SEEKI_MUST_CHECK;
/* Appends ident quoted ("a""b"). */
void db_sqlb_ident(struct sqlb *b, const char *ident);
/* " FROM "schema"."rel"" of the statement's table. */
void db_sqlb_from(struct sqlb *b);
/* Adds a parameter (text owned by the statement from now on) and writes its
 * placeholder. */
void db_sqlb_param_take(struct sqlb *b, enum db_param_kind kind, char *text, int64_t i, double d);
void db_sqlb_param_ref(struct sqlb *b, size_t n); /* PostgreSQL: $n again */
void db_sqlb_param_int(struct sqlb *b, int64_t v);
/* One order key as an expression: its quoted column, or the row id. */
void db_sqlb_key_expr(struct sqlb *b, const struct db_order_key *k);
/* "SELECT <select list> FROM "schema"."rel"" for q (columns, with_keys /
 * keys_only order keys). */
void db_sqlb_select_from(struct sqlb *b, const struct db_query *q);
/* " WHERE <filters> AND (<search>)" for q; nothing when it has neither. */
enum seeki_code db_sqlb_where(struct sqlb *b, const struct db_query *q, struct seeki_err *err);
/* " LIMIT ? OFFSET ?" (or the OFFSET alone) for q. */
void db_sqlb_limit(struct sqlb *b, const struct db_query *q);

/* seek.c: the keyset predicate "strictly after q->seek in read order"
 * (parenthesized, to be AND-ed to the WHERE). SEEKI_E_BAD_PARAM when the
 * seek's key count does not match the order. */
enum seeki_code db_sqlb_seek(struct sqlb *b, const struct db_query *q, struct seeki_err *err);
/* seek.c: when q's seek is best read as a UNION ALL of index ranges (an
 * ascending read with a nullable key and a non-NULL boundary, see
 * docs/internals/paging.md "The seek"), writes the whole page statement and
 * sets *done; else writes nothing and clears *done. */
enum seeki_code db_sqlb_seek_union(struct sqlb *b, const struct db_query *q, bool *done,
                                   struct seeki_err *err);

/* ---- column statistics (stats.c) ------------------------------------------ */

/* Where a statistics statement reads the column's values: every matching
 * row, the first limit matching rows, or (PostgreSQL tables) the matching
 * rows of a TABLESAMPLE SYSTEM (pct) REPEATABLE sample, so all statements
 * of one answer see the same sample. */
enum db_stats_src { DB_STATS_SRC_ALL, DB_STATS_SRC_LIMIT, DB_STATS_SRC_SAMPLE };
/* The statements of one answer: COUNT(*), COUNT(v), COUNT(DISTINCT v)
 * [, MIN(v), MAX(v)] [, AVG(v)]; the smallest / largest non-NULL value by
 * ORDER BY (types whose MIN/MAX aggregate is not known to exist); the at
 * most DB_STATS_TOP_MAX most frequent non-NULL values with their counts. */
enum db_stats_stmt { DB_STATS_AGG, DB_STATS_MIN, DB_STATS_MAX, DB_STATS_TOP };

struct db_stats_plan {
    enum db_stats_src src;
    int64_t limit;     /* DB_STATS_SRC_LIMIT */
    double sample_pct; /* DB_STATS_SRC_SAMPLE: 0 < pct <= 100 */
    bool avg;          /* AGG adds AVG(v) (numbers) */
    bool minmax;       /* AGG adds MIN(v), MAX(v) (before AVG) */
    bool as_text;      /* read v as its text form (PostgreSQL types without equality/order) */
};

/* Builds statement what over column col of q's table with q's search and
 * filters (sorts, paging and seek are ignored). */
enum seeki_code db_sql_stats(enum db_dialect d, const struct db_query *q, size_t col,
                             const struct db_stats_plan *p, enum db_stats_stmt what,
                             struct db_sql *out, struct seeki_err *err) SEEKI_MUST_CHECK;

/* True when q has no search and no effective filter, so a table-wide
 * estimate describes it (build.c). */
bool db_query_is_plain(const struct db_query *q);

#endif
