/* Startup glue between config, the database URL and the SSH tunnel, shared
 * by the server's startup (main.c) and `seeki check` (check.c). */
#include <stdlib.h>

#include "cli/cli.h"
#include "config/config.h"
#include "db/pg/url.h"
#include "ssh/tunnel.h"

/* With [ssh]: opens the tunnel to the database host and port of
 * database.url, as the bastion sees them. */
enum seeki_code cli_open_tunnel(const struct cfg *c, struct tunnel_open_info *info,
                                struct tunnel **out, struct seeki_err *err)
{
    *out = NULL;
    if (!c->ssh.enabled)
        return SEEKI_E_OK;
    if (c->db_kind != CFG_DB_POSTGRES)
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "[ssh] in %s tunnels to a PostgreSQL server, but database.kind is "
                          "sqlite. Remove the [ssh] block, or point database.url at PostgreSQL.",
                          c->path ? c->path : "the config");
    char *host = NULL;
    int port = 0;
    enum seeki_code rc = db_pg_target(c, &host, &port, err);
    if (rc == SEEKI_E_OK)
        rc = tunnel_open_ex(c, host, port, NULL, out, info, err);
    free(host);
    return rc;
}
