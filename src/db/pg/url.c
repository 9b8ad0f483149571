/* db_pg_target: the host and port in database.url as libpq reads them, for
 * the SSH tunnel's direct-tcpip channels (see pgurl.h). */
#include <errno.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "db/pg/url.h"
#include "util/mem.h"

static const char *pgurl_value(const PQconninfoOption *opts, const char *key)
{
    for (const PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, key) == 0)
            return o->val && *o->val ? o->val : NULL;
    return NULL;
}

enum seeki_code db_pg_target(const struct cfg *cfg, char **host, int *port,
                             struct seeki_err *err)
{
    *host = NULL;
    *port = 0;
    const char *where = cfg->path ? cfg->path : "the config";
    if (!cfg->db_url || !*cfg->db_url)
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "database.url is empty in %s; set it to the database's URL as the "
                          "bastion sees it, e.g. postgres://user@10.0.12.7:5432/db",
                          where);
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(cfg->db_url, &perr);
    if (!opts) {
        /* libpq's message can quote parts of the URL: do not pass it on. */
        PQfreemem(perr);
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "database.url in %s is not a valid PostgreSQL URL; write it as "
                          "postgres://user:password@host:port/dbname (percent-encode special "
                          "characters)",
                          where);
    }
    enum seeki_code rc = SEEKI_E_OK;
    const char *h = pgurl_value(opts, "hostaddr");
    const char *which = "host";
    if (h)
        which = "hostaddr";
    else
        h = pgurl_value(opts, "host");
    const char *p = pgurl_value(opts, "port");
    if (!h) {
        rc = seeki_fail(err, SEEKI_E_CONFIG,
                        "database.url in %s names no host; with [ssh] it must name the database "
                        "host as the bastion sees it, e.g. postgres://user@10.0.12.7:5432/db",
                        where);
    } else if (strchr(h, ',')) {
        rc = seeki_fail(err, SEEKI_E_CONFIG,
                        "database.url in %s names several hosts (%s list); an SSH tunnel "
                        "forwards to exactly one, so keep only the one the bastion should reach",
                        where, which);
    } else if (h[0] == '/' || h[0] == '@') {
        rc = seeki_fail(err, SEEKI_E_CONFIG,
                        "database.url in %s names a unix socket (%s); an SSH tunnel forwards "
                        "TCP only, so use the database's TCP address as the bastion sees it",
                        where, h);
    } else if (p && strchr(p, ',')) {
        rc = seeki_fail(err, SEEKI_E_CONFIG,
                        "database.url in %s names several ports; an SSH tunnel forwards to "
                        "exactly one host and port",
                        where);
    } else {
        long v = DB_PG_DEFAULT_PORT;
        if (p) {
            char *end = NULL;
            errno = 0;
            v = strtol(p, &end, 10);
            if (errno || end == p || *end || v < 1 || v > 65535)
                rc = seeki_fail(err, SEEKI_E_CONFIG,
                                "database.url in %s has port '%.20s', which is not 1-65535; fix "
                                "the port after the host",
                                where, p);
        }
        if (rc == SEEKI_E_OK) {
            *host = xstrdup(h);
            *port = (int)v;
        }
    }
    PQconninfoFree(opts);
    return rc;
}
