/* The database target of a PostgreSQL URL, for the SSH tunnel: which host and
 * port the bastion must reach. Parsed by libpq (PQconninfoParse), never by
 * hand, so every URL and key=value form libpq accepts works the same here. */
#ifndef SEEKI_DB_PGURL_H
#define SEEKI_DB_PGURL_H

#include "config/config.h"
#include "util/err.h"

#define DB_PG_DEFAULT_PORT 5432

/* Extracts the database host and port from cfg->db_url (a PostgreSQL URL or
 * conninfo string). *host is a heap string: a host name, an IPv4 literal or an
 * IPv6 literal without brackets (hostaddr wins over host when both are given,
 * since that is the address libpq would connect to). *port defaults to 5432.
 * Errors (SEEKI_E_CONFIG, message never contains the URL or its password):
 * the URL does not parse; it names several hosts or ports (a tunnel forwards
 * to exactly one); it names no host or a unix-socket directory; the port is
 * not 1-65535. On error *host is NULL. */
enum seeki_code db_pg_target(const struct cfg *cfg, char **host, int *port,
                             struct seeki_err *err) SEEKI_MUST_CHECK;

#endif
