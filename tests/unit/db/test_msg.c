/* Unit tests for the PostgreSQL engine's pure parts (db/pg_msg.c): connection
 * parameters from database.url (secrets, tunnel port, session options), the
 * startup/runtime messages for failed connections, SQLSTATE mapping and
 * EXPLAIN parsing. No server needed. */
#include <criterion/criterion.h>
#include <string.h>

#include "db/pg/pg_int.h"

static struct cfg pgt_cfg(const char *url)
{
    struct cfg c;
    memset(&c, 0, sizeof c);
    c.db_url = (char *)url;
    c.statement_timeout_ms = 1500;
    c.max_connections = 2;
    c.path = (char *)"/etc/seeki.toml";
    return c;
}

Test(pg_params, url_parsed_by_libpq_with_session_options)
{
    struct cfg c = pgt_cfg("postgres://bob:pw@db.example:6543/shop?sslmode=verify-full");
    struct pgdb_params *p = NULL;
    cr_assert_eq(pgdb_params_build(&c, 0, &p, NULL), SEEKI_E_OK);
    cr_assert_str_eq(pgdb_params_get(p, "host"), "db.example");
    cr_assert_str_eq(pgdb_params_get(p, "port"), "6543");
    cr_assert_str_eq(pgdb_params_get(p, "dbname"), "shop");
    cr_assert_str_eq(pgdb_params_get(p, "user"), "bob");
    cr_assert_str_eq(pgdb_params_get(p, "password"), "pw");
    cr_assert_str_eq(pgdb_params_get(p, "sslmode"), "verify-full");
    cr_assert_str_eq(pgdb_params_get(p, "application_name"), "seeki");
    cr_assert_str_eq(pgdb_params_get(p, "client_encoding"), "UTF8");
    cr_assert_null(pgdb_params_get(p, "hostaddr"));
    const char *o = pgdb_params_get(p, "options");
    cr_assert(strstr(o, "-c default_transaction_read_only=on"));
    cr_assert(strstr(o, "-c statement_timeout=1500"));
    cr_assert(strstr(o, "-c TimeZone=UTC"));
    cr_assert(strstr(o, "-c DateStyle=ISO"));
    cr_assert(strstr(o, "-c IntervalStyle=postgres"));
    /* NULL-terminated arrays for PQconnectdbParams */
    cr_assert_null(p->keys[p->n]);
    cr_assert_null(p->vals[p->n]);
    pgdb_params_free(p);
}

Test(pg_params, tunnel_port_keeps_host_for_tls)
{
    struct cfg c = pgt_cfg("host=10.0.12.7 port=5432 dbname=app user=u sslmode=verify-full");
    struct pgdb_params *p = NULL;
    cr_assert_eq(pgdb_params_build(&c, 40001, &p, NULL), SEEKI_E_OK);
    cr_assert_str_eq(pgdb_params_get(p, "host"), "10.0.12.7");
    cr_assert_str_eq(pgdb_params_get(p, "hostaddr"), "127.0.0.1");
    cr_assert_str_eq(pgdb_params_get(p, "port"), "40001");
    pgdb_params_free(p);
}

Test(pg_params, secrets_password_only_when_url_has_none)
{
    struct cfg c = pgt_cfg("postgres://bob@h/db");
    c.secrets.db_password = (char *)"from-secrets";
    struct pgdb_params *p = NULL;
    cr_assert_eq(pgdb_params_build(&c, 0, &p, NULL), SEEKI_E_OK);
    cr_assert_str_eq(pgdb_params_get(p, "password"), "from-secrets");
    pgdb_params_free(p);
    c.db_url = (char *)"postgres://bob:inurl@h/db";
    cr_assert_eq(pgdb_params_build(&c, 0, &p, NULL), SEEKI_E_OK);
    cr_assert_str_eq(pgdb_params_get(p, "password"), "inurl");
    pgdb_params_free(p);
}

Test(pg_params, user_options_and_application_name_kept)
{
    struct cfg c = pgt_cfg("postgres://h/db?application_name=mine&options=-c%20work_mem%3D4MB");
    struct pgdb_params *p = NULL;
    cr_assert_eq(pgdb_params_build(&c, 0, &p, NULL), SEEKI_E_OK);
    cr_assert_str_eq(pgdb_params_get(p, "application_name"), "mine");
    const char *o = pgdb_params_get(p, "options");
    cr_assert(strncmp(o, "-c work_mem=4MB -c default_transaction_read_only=on", 50) == 0, "%s", o);
    pgdb_params_free(p);
}

Test(pg_params, bad_url_never_quoted)
{
    struct cfg c = pgt_cfg("postgres://bob:s3cret@h:99999999999/db?bogus_key=1");
    struct pgdb_params *p = NULL;
    struct seeki_err err = {0};
    cr_assert_eq(pgdb_params_build(&c, 0, &p, &err), SEEKI_E_CONFIG);
    cr_assert_null(p);
    cr_assert_null(strstr(err.msg, "s3cret"));
    cr_assert(strstr(err.msg, "database.url in /etc/seeki.toml"));
}

struct conn_case {
    const char *libpq;
    bool startup;
    const char *want; /* substring */
};

static const struct conn_case conn_cases[] = {
    {"connection to server at \"127.0.0.1\", port 5 failed: Connection refused\n\tIs the server "
     "running on that host and accepting TCP/IP connections?\n",
     true,
     "Database connection failed (host=h:5 db=d user=u): connection refused. Is PostgreSQL "
     "running and listening on h:5?"},
    {"connection to server failed: FATAL:  password authentication failed for user \"u\"\n", true,
     "(host=h:5 db=d user=u): authentication failed. Check the user and password in "
     "database.url, or database.password in .seeki.secrets"},
    {"FATAL:  database \"shop\" does not exist\n", true,
     "database \"shop\" does not exist. Check the database name"},
    {"FATAL:  role \"zed\" does not exist\n", true, "role \"zed\" does not exist"},
    {"server does not support SSL, but SSL was required\n", true,
     "SSL required but the server does not support SSL. Set sslmode=prefer"},
    {"connection to server failed: timeout expired\n", true, "timed out. Is h:5 reachable"},
    {"could not translate host name \"nope\" to address\n", false,
     "Database unavailable: connection failed (host=h:5 db=d user=u): unknown host name"},
    {"FATAL:  the database system is shutting down\n", false, "the server is shutting down"},
    {"something new and strange\nsecond line\n", false,
     "(host=h:5 db=d user=u): something new and strange. Check database.url"},
};

Test(pg_msg, connect_errors_table)
{
    for (size_t i = 0; i < sizeof conn_cases / sizeof conn_cases[0]; i++) {
        struct seeki_err err = {0};
        enum seeki_code rc = pgdb_connect_error(conn_cases[i].libpq, "h:5",
                                                "host=h:5 db=d user=u", conn_cases[i].startup,
                                                &err);
        cr_assert_eq(rc, SEEKI_E_DB_UNAVAILABLE);
        cr_assert(strstr(err.msg, conn_cases[i].want), "case %zu: %s", i, err.msg);
        cr_assert_eq(strncmp(err.msg, conn_cases[i].startup ? "Database connection failed"
                                                            : "Database unavailable: ",
                             20),
                     0, "%s", err.msg);
    }
}

static struct db_column pgt_cols[2] = {
    {.name = (char *)"qty", .vtype = DB_VT_INT},
    {.name = (char *)"born", .vtype = DB_VT_DATE},
};
static struct db_table pgt_table = {.name = (char *)"sales.orders",
                                    .schema = (char *)"sales",
                                    .relname = (char *)"orders",
                                    .cols = pgt_cols,
                                    .ncols = 2};

struct fail_case {
    const char *state;
    const char *msg;
    bool conn_bad;
    enum seeki_code want;
    const char *want_msg;
};

static const struct fail_case fail_cases[] = {
    {"57014", "canceling statement due to statement timeout", false, SEEKI_E_TIMEOUT,
     "stopped after 1500 ms (database.statement_timeout_ms)"},
    {"42501", "permission denied for table orders", false, SEEKI_E_FORBIDDEN,
     "Permission denied for table sales.orders: grant SELECT on sales.orders to role bob"},
    {"22003", "value \"99999999999999999999\" is out of range for type bigint", false,
     SEEKI_E_BAD_PARAM, "Filter on column 'qty' of table 'sales.orders'"},
    {"22008", "date/time field value out of range: \"99999-01-01\"", false, SEEKI_E_BAD_PARAM,
     "Filter on column 'born'"},
    {"08006", "server closed the connection unexpectedly", false, SEEKI_E_DB_UNAVAILABLE,
     "Database unavailable: "},
    {"57P01", "terminating connection due to administrator command", false,
     SEEKI_E_DB_UNAVAILABLE, "Database unavailable: "},
    {NULL, "no connection to the server", true, SEEKI_E_DB_UNAVAILABLE, "Database unavailable: "},
    {"42P01", "relation \"orders\" does not exist", false, SEEKI_E_NOT_FOUND,
     "Table 'sales.orders' not found: it was dropped or renamed after SeeKi started"},
};

Test(pg_msg, statement_failures_table)
{
    struct db_filter filters[2] = {
        {.col = 0, .op = DB_F_GT, .a = (char *)"99999999999999999999"},
        {.col = 1, .op = DB_F_EQ, .a = (char *)"99999-01-01"},
    };
    struct db_query q = {.table = &pgt_table, .filters = filters, .nfilters = 2};
    for (size_t i = 0; i < sizeof fail_cases / sizeof fail_cases[0]; i++) {
        struct pgdb_fail f = {fail_cases[i].state, fail_cases[i].msg, fail_cases[i].conn_bad};
        struct seeki_err err = {0};
        cr_assert_eq(pgdb_fail_map(&f, &q, "bob", 1500, &err), fail_cases[i].want, "case %zu", i);
        cr_assert(strstr(err.msg, fail_cases[i].want_msg), "case %zu: %s", i, err.msg);
    }
}

Test(pg_msg, overflow_names_only_the_quoted_filter)
{
    struct db_filter filters[2] = {
        {.col = 0, .op = DB_F_GT, .a = (char *)"5"},
        {.col = 1, .op = DB_F_EQ, .a = (char *)"99999-01-01"},
    };
    struct db_query q = {.table = &pgt_table, .filters = filters, .nfilters = 2};
    struct pgdb_fail f = {"22008", "date/time field value out of range: \"99999-01-01\"", false};
    struct seeki_err err = {0};
    cr_assert_eq(pgdb_fail_map(&f, &q, "bob", 1, &err), SEEKI_E_BAD_PARAM);
    cr_assert(strstr(err.msg, "'born'"));
    cr_assert_null(strstr(err.msg, "'qty'"), "%s", err.msg);
}

Test(pg_msg, explain_rows)
{
    int64_t n = 0;
    cr_assert(pgdb_explain_rows("[{\"Plan\": {\"Node Type\": \"Seq Scan\", \"Plan Rows\": 4242}}]",
                                &n));
    cr_assert_eq(n, 4242);
    cr_assert_not(pgdb_explain_rows("[]", &n));
    cr_assert_not(pgdb_explain_rows("not json", &n));
    cr_assert_not(pgdb_explain_rows("[{\"Plan\": {}}]", &n));
}
