/* Internals of the PostgreSQL engine (db/pg/: pg.c, catalog.c, msg.c), shared
 * with its unit tests: the engine and connection structs, the connection
 * parameters SeeKi builds from database.url, and the mapping of libpq and
 * server errors onto SeeKi's codes and messages. Nothing outside db/ (and
 * tests/unit/db) includes this. */
#ifndef SEEKI_DB_PG_INT_H
#define SEEKI_DB_PG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "config/config.h"
#include "db/db_int.h"
#include "util/err.h"

/* One pooled connection. */
struct pg_conn {
    PGconn *pg;
    bool used; /* ran a statement before: a failure may be a stale socket */
};

struct pg_engine {
    struct db_engine base; /* first: engine.c casts */
    struct db_pool *pool;
    struct pgdb_params *params; /* connection parameters (may hold a password) */
    int timeout_ms;             /* database.statement_timeout_ms */
    bool started;               /* db_open finished: connect failures are 503s */
    /* For messages and logs only (never the password or URL): filled from
     * the first successful connection (or the failed one). */
    char where[512]; /* "host=H:P db=D user=U" */
    char user[128];
    char version[64]; /* server_version */
};

/* keyword/value arrays for PQconnectdbParams (NULL-terminated, owned). */
struct pgdb_params {
    char **keys;
    char **vals;
    size_t n;
};

/* Builds the connection parameters from cfg->db_url, parsed by libpq
 * (PQconninfoParse: URLs and key=value strings alike), then: the password
 * from cfg->secrets.db_password when the URL has none; hostaddr=127.0.0.1
 * and port=tunnel_port when tunnel_port > 0 (host is kept, so sslmode=
 * verify-full checks the real name); application_name=seeki unless the URL
 * names one; client_encoding=UTF8; connect_timeout=10 unless given; and
 * session options (appended to the URL's own `options`) pinning
 * default_transaction_read_only=on, statement_timeout, DateStyle=ISO,
 * IntervalStyle=postgres, TimeZone=UTC, extra_float_digits=1. Environment
 * (PG*) and ~/.pgpass still apply at connect time, as libpq does.
 * Errors: SEEKI_E_CONFIG when the URL does not parse (the message never
 * quotes the URL). *out is freed with pgdb_params_free. */
enum seeki_code pgdb_params_build(const struct cfg *cfg, int tunnel_port, struct pgdb_params **out,
                                  struct seeki_err *err) SEEKI_MUST_CHECK;
void pgdb_params_free(struct pgdb_params *p); /* NULL accepted */
/* The value for key, or NULL. Borrowed from p. */
const char *pgdb_params_get(const struct pgdb_params *p, const char *key);

/* Turns a failed connection attempt into a message. libpq_msg is
 * PQerrorMessage of the failed PGconn (never copied into the message
 * verbatim, since it may hold the host's details only; the reason is
 * classified: refused, authentication, no such database, no such role,
 * pg_hba, SSL, timeout, unknown host, server starting/stopping). where is
 * "host=H:P db=D user=U". startup selects the startup form ("Database
 * connection failed (where): reason. hint") over the runtime form
 * ("Database unavailable: connection failed (where): reason. hint").
 * Returns SEEKI_E_DB_UNAVAILABLE (exit 1 at startup, 503 at runtime). */
enum seeki_code pgdb_connect_error(const char *libpq_msg, const char *hostport, const char *where,
                                   bool startup, struct seeki_err *err);

/* What a failed statement means. */
struct pgdb_fail {
    const char *sqlstate; /* PG_DIAG_SQLSTATE or NULL (connection lost) */
    const char *message;  /* PG_DIAG_MESSAGE_PRIMARY or PQerrorMessage */
    bool conn_bad;        /* PQstatus() == CONNECTION_BAD afterwards */
};

/* True when the connection must be discarded: PQstatus bad, SQLSTATE class
 * 08 (connection exception), 57P01-57P03 (shutdown, crash, cannot connect)
 * or no SQLSTATE at all. */
bool pgdb_fail_is_broken(const struct pgdb_fail *f);

/* Maps a failed statement on table t (NULL for catalog/ping) to a code and
 * message: broken -> SEEKI_E_DB_UNAVAILABLE "Database unavailable: …";
 * 57014 -> SEEKI_E_TIMEOUT naming database.statement_timeout_ms (timeout_ms);
 * 42501 -> SEEKI_E_FORBIDDEN naming the grant for user; 22003/22P02/22008/
 * 22007 with filters -> SEEKI_E_BAD_PARAM naming the filtered column whose
 * value the server quoted (else every filtered column); else SEEKI_E_DB
 * with the server's primary message. */
enum seeki_code pgdb_fail_map(const struct pgdb_fail *f, const struct db_query *q,
                              const char *user, int timeout_ms, struct seeki_err *err);

/* Parses EXPLAIN (FORMAT JSON) output: the top plan's "Plan Rows".
 * Returns false when json is not that shape. */
bool pgdb_explain_rows(const char *json, int64_t *rows);

/* Catalog (catalog.c): reads every relation of cfg->schemas on c. */
enum seeki_code pgdb_load_tables(struct pg_engine *e, struct pg_conn *c, struct db_table **out,
                                 size_t *nout, struct seeki_err *err) SEEKI_MUST_CHECK;

/* types.c */
/* PostgreSQL type -> vtype. typname is pg_type.typname of the column's type
 * after resolving domains to their base type ("int4", "timestamptz",
 * "_text"); typcategory is pg_type.typcategory ('A' array, 'E' enum, 'S'
 * string, ... or 0 when unknown). An array ('A', or a typname starting with
 * '_') gives DB_VT_ARRAY: call again with the element type for elem_vtype.
 * Unknown types give DB_VT_OTHER (display type = the SQL type name). */
enum db_vtype db_pg_vtype(const char *typname, char typcategory);

#endif
