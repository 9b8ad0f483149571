/* Unit tests for src/db/pgurl.c (db_pg_target): the database host and port
 * the tunnel forwards to, for every URL/conninfo form, from a table. Errors
 * must never quote the URL's password. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "db/pg/url.h"
#include "util/mem.h"

struct url_case {
    const char *url;
    const char *host; /* NULL = error expected */
    int port;
    const char *err;  /* fragment of the error */
};

static const struct url_case url_cases[] = {
    {"postgres://reporting:s3cret@10.0.12.7:5432/autoconnect", "10.0.12.7", 5432, NULL},
    {"postgresql://u:s3cret@db.internal/app", "db.internal", 5432, NULL},
    {"postgres://u:s3cret@[fd00::7]:6432/app?sslmode=verify-full", "fd00::7", 6432, NULL},
    {"postgres://u:s3cret@my-db.abc123.eu-west-1.rds.amazonaws.com:5433/app",
     "my-db.abc123.eu-west-1.rds.amazonaws.com", 5433, NULL},
    {"postgres://u:s%40cret@h:1/d", "h", 1, NULL},
    {"postgres://u:s3cret@db.internal/app?hostaddr=10.1.2.3", "10.1.2.3", 5432, NULL},
    {"host=db.internal port=7000 user=u password=s3cret dbname=d", "db.internal", 7000, NULL},
    {"postgres://u:s3cret@a:1,b:2/app", NULL, 0, "several hosts"},
    {"postgres://u:s3cret@/app?host=/var/run/postgresql", NULL, 0, "unix socket"},
    {"postgres://u:s3cret@/app", NULL, 0, "names no host"},
    {"postgres://u:s3cret@h:99999/app", NULL, 0, "not 1-65535"},
    {"postgres://u:s3cret@h:1/app?port=1,2", NULL, 0, "several ports"},
    {"postgres://u:s3cret@h/app?nonsense=1", NULL, 0, "not a valid PostgreSQL URL"},
    {"", NULL, 0, "database.url is empty"},
};

Test(pgurl, target_table)
{
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(url_cases); i++) {
        const struct url_case *c = &url_cases[i];
        struct cfg cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.db_url = (char *)c->url;
        cfg.path = "/x/seeki.toml";
        char *host = (char *)"unset";
        int port = -1;
        struct seeki_err err;
        seeki_err_clear(&err);
        enum seeki_code rc = db_pg_target(&cfg, &host, &port, &err);
        if (c->host) {
            cr_expect_eq(rc, SEEKI_E_OK, "%s: %s", c->url, err.msg);
            cr_expect_str_eq(host ? host : "(null)", c->host, "%s", c->url);
            cr_expect_eq(port, c->port, "%s: port %d", c->url, port);
        } else {
            cr_expect_eq(rc, SEEKI_E_CONFIG, "%s: should fail", c->url);
            cr_expect_null(host, "%s", c->url);
            cr_expect(strstr(err.msg, c->err) != NULL, "%s: '%s' not in '%s'", c->url, c->err,
                      err.msg);
            cr_expect(strstr(err.msg, "s3cret") == NULL, "password leaked: %s", err.msg);
            cr_expect(strstr(err.msg, "/x/seeki.toml") != NULL, "names the file: %s", err.msg);
        }
        free(host);
    }
}
