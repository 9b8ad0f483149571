/* The pure parts of the PostgreSQL engine (no server needed, unit-tested in
 * tests/unit/db/test_msg.c): connection parameters built from
 * database.url by libpq's own parser, and the mapping of connection and
 * statement failures onto SeeKi codes and messages (never the URL or the
 * password). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "db/pg/pg_int.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/secret.h"

/* ---- connection parameters ------------------------------------------------ */

static void params_set(struct pgdb_params *p, const char *key, const char *val)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->keys[i], key) == 0) {
            free(p->vals[i]);
            p->vals[i] = xstrdup(val);
            return;
        }
    p->keys = xrealloc(p->keys, (p->n + 2) * sizeof *p->keys);
    p->vals = xrealloc(p->vals, (p->n + 2) * sizeof *p->vals);
    p->keys[p->n] = xstrdup(key);
    p->vals[p->n] = xstrdup(val);
    p->n++;
    p->keys[p->n] = NULL;
    p->vals[p->n] = NULL;
}

const char *pgdb_params_get(const struct pgdb_params *p, const char *key)
{
    for (size_t i = 0; p && i < p->n; i++)
        if (strcmp(p->keys[i], key) == 0)
            return p->vals[i];
    return NULL;
}

void pgdb_params_free(struct pgdb_params *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->keys[i]);
        secret_free(p->vals[i]); /* may be the password */
    }
    free(p->keys);
    free(p->vals);
    free(p);
}

enum seeki_code pgdb_params_build(const struct cfg *cfg, int tunnel_port, struct pgdb_params **out,
                                  struct seeki_err *err)
{
    *out = NULL;
    const char *where = cfg->path ? cfg->path : "the config";
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(cfg->db_url ? cfg->db_url : "", &perr);
    if (!opts) {
        PQfreemem(perr); /* libpq's message may quote the URL: not passed on */
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "database.url in %s is not a valid PostgreSQL URL; write it as "
                          "postgres://user:password@host:port/dbname (percent-encode special "
                          "characters) or as key=value pairs (host=... dbname=...)",
                          where);
    }
    struct pgdb_params *p = xcalloc(1, sizeof *p);
    p->keys = xcalloc(1, sizeof *p->keys);
    p->vals = xcalloc(1, sizeof *p->vals);
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (o->val && *o->val)
            params_set(p, o->keyword, o->val);
    PQconninfoFree(opts);

    if (!pgdb_params_get(p, "password") && cfg->secrets.db_password && *cfg->secrets.db_password)
        params_set(p, "password", cfg->secrets.db_password);
    if (tunnel_port > 0) {
        char port[16];
        snprintf(port, sizeof port, "%d", tunnel_port);
        params_set(p, "hostaddr", "127.0.0.1");
        params_set(p, "port", port);
        if (!pgdb_params_get(p, "host"))
            params_set(p, "host", "localhost");
    }
    if (!pgdb_params_get(p, "application_name"))
        params_set(p, "application_name", "seeki");
    params_set(p, "client_encoding", "UTF8");
    if (!pgdb_params_get(p, "connect_timeout"))
        params_set(p, "connect_timeout", "10");
    int timeout = cfg->statement_timeout_ms > 0 ? cfg->statement_timeout_ms : 30000;
    struct buf o;
    buf_init(&o, 0);
    const char *user_opts = pgdb_params_get(p, "options");
    if (user_opts) {
        buf_must_append(&o, user_opts, strlen(user_opts));
        buf_must_putc(&o, ' ');
    }
    char tail[320];
    int tn = snprintf(tail, sizeof tail,
                      "-c default_transaction_read_only=on -c statement_timeout=%d "
                      "-c DateStyle=ISO -c IntervalStyle=postgres -c TimeZone=UTC "
                      "-c extra_float_digits=1 -c standard_conforming_strings=on",
                      timeout);
    buf_must_append(&o, tail, (size_t)tn);
    params_set(p, "options", buf_str(&o));
    buf_free(&o);
    *out = p;
    return SEEKI_E_OK;
}

/* ---- connection failures ---------------------------------------------------- */

struct pg_connreason {
    const char *needle; /* substring of libpq's message (case-insensitive) */
    const char *reason;
    const char *hint; /* %s = host:port */
};

static const struct pg_connreason pg_connreasons[] = {
    {"connection refused", "connection refused",
     "Is PostgreSQL running and listening on %s? Check host and port in database.url (and "
     "listen_addresses / port in postgresql.conf)"},
    {"password authentication failed", "authentication failed",
     "Check the user and password in database.url, or database.password in .seeki.secrets "
     "beside seeki.toml"},
    {"no password supplied", "the server asks for a password and none was given",
     "Put the password in .seeki.secrets (database.password) beside seeki.toml, in ~/.pgpass, "
     "or in database.url"},
    {"fe_sendauth", "the server asks for a password and none was given",
     "Put the password in .seeki.secrets (database.password) beside seeki.toml, in ~/.pgpass, "
     "or in database.url"},
    {"ssl is not enabled on the server", "SSL required but the server does not support SSL",
     "Set sslmode=prefer or sslmode=disable in database.url, or enable ssl on the server"},
    {"server does not support ssl", "SSL required but the server does not support SSL",
     "Set sslmode=prefer or sslmode=disable in database.url, or enable ssl on the server"},
    {"no pg_hba.conf entry", "the server's pg_hba.conf does not allow this connection",
     "Add a host line for this user and database to pg_hba.conf on the server, or try "
     "sslmode=require in database.url if only SSL connections are allowed"},
    {"does not exist", NULL, NULL}, /* role or database: see below */
    {"timeout expired", "timed out",
     "Is %s reachable from here (firewall, VPN, SSH tunnel)? Raise connect_timeout in "
     "database.url for slow links"},
    {"could not translate host name", "unknown host name",
     "Check the host name in database.url (%s), or use an IP address"},
    {"the database system is starting up", "the server is starting up",
     "Wait a moment and try again"},
    {"the database system is shutting down", "the server is shutting down",
     "Start PostgreSQL again, then retry"},
    {"the database system is in recovery mode", "the server is recovering from a crash",
     "Wait a moment and try again"},
    {"too many clients", "the server has no free connection slots",
     "Lower database.max_connections or raise max_connections on the server"},
    {"certificate", "the server's SSL certificate was not accepted",
     "Check sslmode and sslrootcert in database.url"},
    {"network is unreachable", "network unreachable",
     "Is %s reachable from here (VPN, SSH tunnel)?"},
    {"no route to host", "no route to host", "Is %s reachable from here (VPN, SSH tunnel)?"},
};

/* Copies the quoted name after `prefix "` in msg into out. */
static bool pg_quoted_after(const char *msg, const char *prefix, char *out, size_t cap)
{
    const char *p = strcasestr(msg, prefix);
    if (!p)
        return false;
    p += strlen(prefix);
    const char *q = strchr(p, '"');
    if (!q || (size_t)(q - p) >= cap)
        return false;
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = '\0';
    return true;
}

/* Copies hint into out with its one "%s" replaced by hostport. */
static void pg_hint(const char *hint, const char *hostport, char *out, size_t cap)
{
    const char *at = strstr(hint, "%s");
    if (!at) {
        snprintf(out, cap, "%s", hint);
        return;
    }
    snprintf(out, cap, "%.*s%s%s", (int)(at - hint), hint, hostport, at + 2);
}

enum seeki_code pgdb_connect_error(const char *libpq_msg, const char *hostport, const char *where,
                                   bool startup, struct seeki_err *err)
{
    const char *msg = libpq_msg ? libpq_msg : "";
    const char *head = startup ? "Database connection failed" : "Database unavailable: connection failed";
    char name[128];
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(pg_connreasons); i++) {
        const struct pg_connreason *r = &pg_connreasons[i];
        if (!strcasestr(msg, r->needle))
            continue;
        if (!r->reason) {
            if (pg_quoted_after(msg, "database \"", name, sizeof name))
                return seeki_fail(err, SEEKI_E_DB_UNAVAILABLE,
                                  "%s (%s): database \"%s\" does not exist. Check the database "
                                  "name at the end of database.url (list them with psql -l)",
                                  head, where, name);
            if (pg_quoted_after(msg, "role \"", name, sizeof name))
                return seeki_fail(err, SEEKI_E_DB_UNAVAILABLE,
                                  "%s (%s): role \"%s\" does not exist. Check the user name in "
                                  "database.url",
                                  head, where, name);
            continue;
        }
        char hint[400];
        pg_hint(r->hint, hostport, hint, sizeof hint);
        return seeki_fail(err, SEEKI_E_DB_UNAVAILABLE, "%s (%s): %s. %s", head, where, r->reason,
                          hint);
    }
    /* Unclassified: the first line of libpq's text, which names the server
     * but never the password. */
    char line[300];
    size_t n = strcspn(msg, "\n");
    if (n >= sizeof line)
        n = sizeof line - 1;
    memcpy(line, msg, n);
    line[n] = '\0';
    return seeki_fail(err, SEEKI_E_DB_UNAVAILABLE,
                      "%s (%s): %s. Check database.url and that the server is reachable", head,
                      where, *line ? line : "unknown error");
}

/* ---- statement failures ---------------------------------------------------- */

bool pgdb_fail_is_broken(const struct pgdb_fail *f)
{
    if (f->conn_bad || !f->sqlstate || !*f->sqlstate)
        return true;
    if (strncmp(f->sqlstate, "08", 2) == 0)
        return true;
    return strcmp(f->sqlstate, "57P01") == 0 || strcmp(f->sqlstate, "57P02") == 0 ||
           strcmp(f->sqlstate, "57P03") == 0;
}

/* The filtered columns whose operand the server quoted in msg; else all
 * filtered columns. Written into out as 'a', 'b'. */
static void pg_filter_cols(const struct db_query *q, const char *msg, char *out, size_t cap)
{
    out[0] = '\0';
    size_t len = 0;
    for (int pass = 0; pass < 2 && len == 0; pass++) {
        for (size_t i = 0; i < q->nfilters; i++) {
            const struct db_filter *f = &q->filters[i];
            if (f->op == DB_F_NONE || f->op == DB_F_IS_NULL || f->op == DB_F_NOT_NULL)
                continue;
            bool hit = pass == 1;
            char quoted[256];
            for (int k = 0; k < 2 && !hit; k++) {
                const char *v = k ? f->b : f->a;
                if (!v)
                    continue;
                snprintf(quoted, sizeof quoted, "\"%s\"", v);
                hit = strstr(msg, quoted) != NULL;
            }
            if (!hit)
                continue;
            int w = snprintf(out + len, cap - len, "%s'%s'", len ? ", " : "",
                             q->table->cols[f->col].name);
            if (w < 0 || (size_t)w >= cap - len)
                return;
            len += (size_t)w;
        }
    }
}

enum seeki_code pgdb_fail_map(const struct pgdb_fail *f, const struct db_query *q,
                              const char *user, int timeout_ms, struct seeki_err *err)
{
    const char *msg = f->message && *f->message ? f->message : "unknown error";
    char line[400];
    size_t n = strcspn(msg, "\n");
    if (n >= sizeof line)
        n = sizeof line - 1;
    memcpy(line, msg, n);
    line[n] = '\0';
    const char *what = q && q->table ? q->table->name : NULL;
    if (pgdb_fail_is_broken(f))
        return seeki_fail(err, SEEKI_E_DB_UNAVAILABLE,
                          "Database unavailable: the connection to PostgreSQL was lost (%s); "
                          "SeeKi reconnects by itself once the server is back, so retry in a "
                          "moment",
                          line);
    const char *st = f->sqlstate;
    if (strcmp(st, "57014") == 0)
        return seeki_fail(err, SEEKI_E_TIMEOUT,
                          "Query on %s%s%s was stopped after %d ms "
                          "(database.statement_timeout_ms); narrow it with a search or filters, "
                          "or raise database.statement_timeout_ms",
                          what ? "table '" : "the database", what ? what : "", what ? "'" : "",
                          timeout_ms);
    if (strcmp(st, "42P01") == 0 && what)
        return seeki_fail(err, SEEKI_E_NOT_FOUND,
                          "Table '%s' not found: it was dropped or renamed after SeeKi started; "
                          "restart SeeKi to reload the table list",
                          what);
    if (strcmp(st, "42501") == 0 && what)
        return seeki_fail(err, SEEKI_E_FORBIDDEN,
                          "Permission denied for table %s: grant SELECT on %s to role %s "
                          "(GRANT SELECT ON \"%s\".\"%s\" TO \"%s\";)",
                          what, what, user ? user : "?", q->table->schema, q->table->relname,
                          user ? user : "?");
    if (q && q->table && q->nfilters &&
        (strcmp(st, "22003") == 0 || strcmp(st, "22P02") == 0 || strcmp(st, "22008") == 0 ||
         strcmp(st, "22007") == 0)) {
        char cols[300];
        pg_filter_cols(q, msg, cols, sizeof cols);
        if (cols[0])
            return seeki_fail(err, SEEKI_E_BAD_PARAM,
                              "Filter on column %s of table '%s': the value does not fit the "
                              "column's type (%s); use a smaller value or one of the accepted "
                              "forms",
                              cols, what, line);
    }
    return seeki_fail(err, SEEKI_E_DB, "PostgreSQL error on %s%s%s (SQLSTATE %s): %s",
                      what ? "table '" : "the catalog", what ? what : "", what ? "'" : "", st,
                      line);
}

bool pgdb_explain_rows(const char *text, int64_t *rows)
{
    json_error_t je;
    json_t *doc = json_loads(text ? text : "", JSON_DECODE_ANY, &je);
    bool ok = false;
    json_t *first = json_is_array(doc) ? json_array_get(doc, 0) : NULL;
    json_t *plan = first ? json_object_get(first, "Plan") : NULL;
    json_t *pr = plan ? json_object_get(plan, "Plan Rows") : NULL;
    if (json_is_number(pr)) {
        double d = json_number_value(pr);
        if (d >= 0 && d < 9e18) {
            *rows = (int64_t)(d + 0.5);
            ok = true;
        }
    }
    json_decref(doc);
    return ok;
}
