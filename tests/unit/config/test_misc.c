/* The small public helpers: SEEKI_BIND parsing, --host/--port overrides,
 * label lookups, the demo config, cfg_from_json without positions, and the
 * walker's edit distance / suggestion. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_int.h"
#include "log.h"

static void setup(void)
{
    log_configure("error", NULL, 0);
}

TestSuite(misc, .init = setup);

static const struct bind_case {
    const char *spec;
    const char *host; /* NULL: keep the configured host */
    int port;         /* 0: must be rejected */
} bind_cases[] = {
    {"127.0.0.1:3141", "127.0.0.1", 3141},
    {"0.0.0.0:1", "0.0.0.0", 1},
    {"localhost:65535", "localhost", 65535},
    {"[::1]:8080", "::1", 8080},
    {"[fe80::1%eth0]:80", "fe80::1%eth0", 80},
    {":9000", NULL, 9000},
    {"3141", NULL, 0},
    {"host:", NULL, 0},
    {"host:0", NULL, 0},
    {"host:65536", NULL, 0},
    {"host:99999", NULL, 0},
    {"host:12a", NULL, 0},
    {"host:-1", NULL, 0},
    {"::1:3141", NULL, 0},
    {"[::1]3141", NULL, 0},
    {"[::1]", NULL, 0},
    {"[]:80", NULL, 0},
    {"", NULL, 0},
};

Test(misc, bind_specs_table)
{
    for (size_t i = 0; i < sizeof bind_cases / sizeof bind_cases[0]; i++) {
        const struct bind_case *bc = &bind_cases[i];
        char *host = (char *)"garbage";
        int port = -1;
        struct seeki_err e = {0};
        enum seeki_code rc = cfg_parse_bind(bc->spec, &host, &port, &e);
        if (bc->port) {
            cr_expect_eq(rc, SEEKI_E_OK, "['%s'] %s", bc->spec, e.msg);
            cr_expect_eq(port, bc->port, "['%s'] port %d", bc->spec, port);
            if (bc->host)
                cr_expect(host && strcmp(host, bc->host) == 0, "['%s'] host %s", bc->spec,
                          host ? host : "(null)");
            else
                cr_expect_null(host, "['%s']", bc->spec);
        } else {
            cr_expect_eq(rc, SEEKI_E_BAD_PARAM, "['%s'] must be rejected", bc->spec);
            cr_expect_null(host, "['%s']", bc->spec);
            cr_expect_eq(port, 0, "['%s']", bc->spec);
            cr_expect(strstr(e.msg, "SEEKI_BIND") && strstr(e.msg, "[::1]:3141"),
                      "['%s'] message: %s", bc->spec, e.msg);
        }
        free(host);
    }
}

Test(misc, override_bind)
{
    struct cfg *c = cfg_new_demo("/tmp/demo.db");
    struct seeki_err e = {0};
    cr_assert_eq(cfg_override_bind(c, NULL, 0, &e), SEEKI_E_OK);
    cr_assert_str_eq(c->server_host, "127.0.0.1");
    cr_assert_eq(c->server_port, 3141);
    cr_assert_eq(cfg_override_bind(c, "[::1]", 8080, &e), SEEKI_E_OK);
    cr_assert_str_eq(c->server_host, "::1");
    cr_assert_eq(c->server_port, 8080);
    cr_assert_eq(cfg_override_bind(c, NULL, 70000, &e), SEEKI_E_BAD_PARAM);
    cr_assert(strstr(e.msg, "70000") && strstr(e.msg, "1 to 65535"), "%s", e.msg);
    cr_assert_eq(cfg_override_bind(c, "", 0, &e), SEEKI_E_BAD_PARAM);
    cr_assert_eq(cfg_override_bind(c, "0.0.0.0", -1, &e), SEEKI_E_BAD_PARAM);
    cr_assert_str_eq(c->server_host, "::1", "unchanged after a refused override");
    cr_assert_eq(c->server_port, 8080);
    cfg_destroy(c);
}

Test(misc, demo_config)
{
    struct cfg *c = cfg_new_demo("/var/tmp/seeki-demo.db");
    cr_assert_eq(c->db_kind, CFG_DB_SQLITE);
    cr_assert_str_eq(c->sqlite_path, "/var/tmp/seeki-demo.db");
    cr_assert_str_eq(c->db_url, "sqlite:///var/tmp/seeki-demo.db");
    cr_assert_null(c->path);
    cr_assert_str_eq(c->title, "SeeKi");
    cr_assert_eq(c->max_connections, 5);
    cr_assert_not(c->ssh.enabled);
    cfg_destroy(c);
    cfg_destroy(NULL);

    char cwd[4096];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    c = cfg_new_demo("demo.db");
    char want[4200];
    snprintf(want, sizeof want, "%s/demo.db", cwd);
    cr_assert_str_eq(c->sqlite_path, want, "relative demo path made absolute");
    cfg_destroy(c);

    c = cfg_new_demo(""); /* setup mode: bind address only */
    cr_assert_str_eq(c->server_host, "127.0.0.1");
    cr_assert_eq(c->server_port, 3141);
    cr_assert_null(c->db_url);
    cr_assert_null(c->sqlite_path);
    cr_assert_str_eq(c->dir, cwd);
    cfg_destroy(c);
}

static struct cfg *from_json_ok(const char *text)
{
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    cr_assert_not_null(doc, "%s", je.text);
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(cfg_from_json(doc, NULL, "/srv/seeki", 0, &c, &e), SEEKI_E_OK, "%s", e.msg);
    json_decref(doc);
    return c;
}

Test(misc, labels_with_public_fallback)
{
    struct cfg *c = from_json_ok(
        "{\"database\":{\"url\":\"sqlite:x.db\"},"
        "\"display\":{\"tables\":{\"orders\":\"Orders\",\"public.drivers\":\"Drivers\","
        "\"sales.orders\":\"Sales orders\"},"
        "\"columns\":{\"public.orders\":{\"customer_id\":\"Customer\"},"
        "\"vehicles\":{\"vin\":\"VIN\"}}}}");
    cr_assert_str_eq(c->sqlite_path, "/srv/seeki/x.db");
    cr_assert_str_eq(cfg_table_label(c, "orders"), "Orders");
    cr_assert_str_eq(cfg_table_label(c, "public.orders"), "Orders");
    cr_assert_str_eq(cfg_table_label(c, "drivers"), "Drivers");
    cr_assert_str_eq(cfg_table_label(c, "sales.orders"), "Sales orders");
    cr_assert_null(cfg_table_label(c, "sales.drivers"));
    cr_assert_null(cfg_table_label(c, "vehicles"), "only column labels exist for it");
    cr_assert_str_eq(cfg_column_label(c, "orders", "customer_id"), "Customer");
    cr_assert_str_eq(cfg_column_label(c, "public.vehicles", "vin"), "VIN");
    cr_assert_null(cfg_column_label(c, "orders", "vin"));
    cr_assert_null(cfg_column_label(c, "sales.orders", "customer_id"));
    cr_assert_null(cfg_table_label(NULL, "orders"));
    cfg_destroy(c);
}

static const struct json_bad {
    const char *name;
    const char *text;
    const char *label;
    const char *msg; /* the whole message: no positions in JSON */
} json_bad[] = {
    {"port as string", "{\"database\":{\"url\":\"sqlite:x.db\"},\"server\":{\"port\":\"abc\"}}",
     NULL, "`server.port` must be an integer from 1 to 65535, got \"abc\""},
    {"label prefix", "{\"database\":{\"url\":\"sqlite:x.db\"},\"server\":{\"port\":0}}",
     "setup request", "setup request: `server.port` must be an integer from 1 to 65535, got 0"},
    {"float from JSON", "{\"database\":{\"url\":\"sqlite:x.db\"},\"server\":{\"port\":80.5}}",
     NULL, "`server.port` must be an integer from 1 to 65535, got 80.5"},
    {"null value", "{\"database\":{\"url\":\"sqlite:x.db\"},\"branding\":{\"title\":null}}", NULL,
     "`branding.title` must be a string, got null"},
    {"unknown key", "{\"database\":{\"url\":\"sqlite:x.db\",\"schema\":[\"a\"]}}", NULL,
     "unknown key 'database.schema' — did you mean 'database.schemas'?"},
    {"not an object", "[1]", NULL,
     "the configuration must be a table (a JSON object), got another kind of value"},
    {"no database", "{}", NULL,
     "`database.url` is required; add a [database] table with url = "
     "\"postgres://user@host:5432/dbname\" or \"sqlite:///path/to/file.db\""},
};

Test(misc, from_json_errors_have_no_positions)
{
    for (size_t i = 0; i < sizeof json_bad / sizeof json_bad[0]; i++) {
        json_error_t je;
        json_t *doc = json_loads(json_bad[i].text, 0, &je);
        cr_assert_not_null(doc, "[%s] %s", json_bad[i].name, je.text);
        struct cfg *c = NULL;
        struct seeki_err e = {0};
        cr_expect_eq(cfg_from_json(doc, json_bad[i].label, NULL, 0, &c, &e), SEEKI_E_CONFIG,
                     "[%s]", json_bad[i].name);
        cr_expect_null(c);
        cr_expect_str_eq(e.msg, json_bad[i].msg, "[%s]", json_bad[i].name);
        json_decref(doc);
    }
}

Test(misc, edit_distance_and_suggestions)
{
    cr_assert_eq(cfg_edit_distance("", ""), 0);
    cr_assert_eq(cfg_edit_distance("abc", ""), 3);
    cr_assert_eq(cfg_edit_distance("databse", "database"), 1);
    cr_assert_eq(cfg_edit_distance("kitten", "sitting"), 3);
    static const char *const keys[] = {"host", "port", "username", NULL};
    cr_assert_str_eq(cfg_nearest("prot", keys), "port");
    cr_assert_str_eq(cfg_nearest("usernme", keys), "username");
    cr_assert_str_eq(cfg_nearest("hots", keys), "host");
    cr_assert_null(cfg_nearest("foo", keys));
    cr_assert_null(cfg_nearest("kind", keys));
}

Test(misc, key_paths_quote_non_bare_keys)
{
    char *p = cfg_key_path("display.columns", "public.orders");
    cr_assert_str_eq(p, "display.columns.\"public.orders\"");
    free(p);
    p = cfg_key_path("", "server");
    cr_assert_str_eq(p, "server");
    free(p);
    p = cfg_key_path("t", "a\"b\\c");
    cr_assert_str_eq(p, "t.\"a\\\"b\\\\c\"");
    free(p);
}

Test(misc, redaction_masks_every_needle)
{
    static const char *const needles[] = {"postgres://u:pw@h/db", "pw", NULL};
    char *r = cfg_redact("bad URI: \"postgres://u:pw@h/db\" token \"pw\"", needles);
    cr_assert_str_eq(r, "bad URI: \"****\" token \"****\"");
    free(r);
}
