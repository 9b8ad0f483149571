/* Validation of seeki.toml through cfg_load: defaults, every key, and a table
 * of invalid files each checked for the exact "PATH:LINE:COLUMN: " prefix and
 * the key / suggestion in the message. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "helpers.h"
#include "log.h"
#include "util/mem.h"

static void setup(void)
{
    log_configure("error", NULL, 0); /* keep "loaded ..." lines out of the output */
    setenv("HOME", th_tmpdir(), 1);
}

TestSuite(config, .init = setup, .fini = th_cleanup);

Test(config, minimal_postgres_file_gets_every_default)
{
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(th_load_text("[database]\nurl = \"postgres://u@h/db\"\n", &c, &e), SEEKI_E_OK,
                 "%s", e.msg);
    cr_assert_str_eq(c->path, th_config_path());
    cr_assert_str_eq(c->dir, th_tmpdir());
    cr_assert_str_eq(c->server_host, "127.0.0.1");
    cr_assert_eq(c->server_port, 3141);
    cr_assert_eq(c->db_kind, CFG_DB_POSTGRES);
    cr_assert_str_eq(c->db_url, "postgres://u@h/db");
    cr_assert_null(c->sqlite_path);
    cr_assert_eq(c->max_connections, 5);
    cr_assert_eq(c->nschemas, 1);
    cr_assert_str_eq(c->schemas[0], "public");
    cr_assert_eq(c->statement_timeout_ms, 30000);
    cr_assert_not(c->include_set);
    cr_assert_eq(c->ninclude, 0);
    cr_assert_eq(c->nexclude, 0);
    cr_assert_eq(c->nlabels, 0);
    cr_assert_str_eq(c->title, "SeeKi");
    cr_assert_null(c->subtitle);
    cr_assert_not(c->ssh.enabled);
    cr_assert_null(c->secrets.key_passphrase);
    cr_assert_null(c->secrets.db_password);
    cr_assert_not_null(c->secrets.path);
    cfg_destroy(c);
}

static const char full_file[] =
    "[server]\n"
    "host = \"0.0.0.0\"\n"
    "port = 8080\n"
    "\n"
    "[database]\n"
    "kind = \"postgres\"\n"
    "url = \"postgresql://reporting:s3cret@10.0.12.7:5432/autoconnect?sslmode=require\"\n"
    "max_connections = 12\n"
    "schemas = [\"public\", \"sales\", \"public\"]\n"
    "statement_timeout_ms = 5000\n"
    "\n"
    "[tables]\n"
    "include = [\"orders\", \"sales.invoices\"]\n"
    "exclude = [\"secret_stuff\"]\n"
    "\n"
    "[display.tables]\n"
    "orders = \"Orders\"\n"
    "\"sales.invoices\" = \"Invoices\"\n"
    "\n"
    "[display.columns.orders]\n"
    "customer_id = \"Customer\"\n"
    "\n"
    "[display.columns.\"sales.invoices\"]\n"
    "\"total.gross\" = \"Gross total\"\n"
    "\n"
    "[branding]\n"
    "title = \"Fleet\"\n"
    "subtitle = \"Read-only\"\n"
    "\n"
    "[ssh]\n"
    "host = \"bastion.example.com\"\n"
    "port = 2222\n"
    "username = \"jlim\"\n"
    "auth_method = \"key\"\n"
    "key_path = \"~/.ssh/id_ed25519\"\n"
    "known_hosts_file = \"known_hosts\"\n"
    "host_key_policy = \"strict\"\n"
    "keepalive_seconds = 0\n"
    "connect_timeout_seconds = 300\n";

Test(config, every_key_is_read)
{
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(th_load_text(full_file, &c, &e), SEEKI_E_OK, "%s", e.msg);
    cr_assert_str_eq(c->server_host, "0.0.0.0");
    cr_assert_eq(c->server_port, 8080);
    cr_assert_eq(c->db_kind, CFG_DB_POSTGRES);
    cr_assert_eq(c->max_connections, 12);
    cr_assert_eq(c->nschemas, 2, "duplicates dropped, got %zu", c->nschemas);
    cr_assert_str_eq(c->schemas[0], "public");
    cr_assert_str_eq(c->schemas[1], "sales");
    cr_assert_eq(c->statement_timeout_ms, 5000);
    cr_assert(c->include_set);
    cr_assert_eq(c->ninclude, 2);
    cr_assert_str_eq(c->include[1], "sales.invoices");
    cr_assert_eq(c->nexclude, 1);
    cr_assert_str_eq(c->exclude[0], "secret_stuff");
    cr_assert_eq(c->nlabels, 4);
    cr_assert_str_eq(cfg_table_label(c, "orders"), "Orders");
    cr_assert_str_eq(cfg_table_label(c, "sales.invoices"), "Invoices");
    cr_assert_str_eq(cfg_column_label(c, "orders", "customer_id"), "Customer");
    cr_assert_str_eq(cfg_column_label(c, "sales.invoices", "total.gross"), "Gross total");
    cr_assert_null(cfg_column_label(c, "orders", "total.gross"));
    cr_assert_str_eq(c->title, "Fleet");
    cr_assert_str_eq(c->subtitle, "Read-only");
    cr_assert(c->ssh.enabled);
    cr_assert_str_eq(c->ssh.host, "bastion.example.com");
    cr_assert_eq(c->ssh.port, 2222);
    cr_assert_str_eq(c->ssh.username, "jlim");
    cr_assert_eq(c->ssh.auth_method, CFG_AUTH_KEY);
    char *key = xasprintf("%s/.ssh/id_ed25519", th_tmpdir());
    char *kh = xasprintf("%s/known_hosts", th_tmpdir());
    cr_assert_str_eq(c->ssh.key_path, key);
    cr_assert_str_eq(c->ssh.known_hosts_file, kh, "relative paths resolve beside the config");
    free(key);
    free(kh);
    cr_assert_eq(c->ssh.host_key_policy, CFG_HOSTKEY_STRICT);
    cr_assert_eq(c->ssh.keepalive_seconds, 0);
    cr_assert_eq(c->ssh.connect_timeout_seconds, 300);
    cfg_destroy(c);
}

Test(config, ssh_defaults_follow_the_seed_shape)
{
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(th_load_text("[database]\n"
                              "kind = \"postgres\"\n"
                              "url = \"postgres://reporting:s3cret@10.0.12.7:5432/autoconnect\"\n"
                              "\n"
                              "[ssh]\n"
                              "host = \"bastion.example.com\"\n"
                              "auth_method = \"agent\"\n",
                              &c, &e),
                 SEEKI_E_OK, "%s", e.msg);
    cr_assert(c->ssh.enabled);
    cr_assert_eq(c->ssh.port, 22);
    cr_assert_not(c->ssh.port_set, "absent: ~/.ssh/config's Port may apply");
    cr_assert_not(c->ssh.known_hosts_set);
    cr_assert_not(c->ssh.jump_set);
    cr_assert_null(c->ssh.host_key_fingerprint);
    cr_assert_null(c->ssh.username, "~/.ssh/config may supply it");
    cr_assert_null(c->ssh.key_path);
    cr_assert_eq(c->ssh.auth_method, CFG_AUTH_AGENT);
    char *kh = xasprintf("%s/.ssh/known_hosts", th_tmpdir());
    cr_assert_str_eq(c->ssh.known_hosts_file, kh);
    free(kh);
    cr_assert_eq(c->ssh.host_key_policy, CFG_HOSTKEY_ACCEPT_NEW);
    cr_assert_eq(c->ssh.keepalive_seconds, 15);
    cr_assert_eq(c->ssh.connect_timeout_seconds, 10);
    cfg_destroy(c);
}

Test(config, ssh_explicit_port_jump_and_pin)
{
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(th_load_text("[database]\nurl = \"postgres://h/db\"\n[ssh]\n"
                              "host = \"bastion\"\nport = 22\nauth_method = \"agent\"\n"
                              "known_hosts_file = \"~/.ssh/known_hosts\"\n"
                              "jump = [\"ops@edge.example.com:2222\", \"[fd00::1]\", \"inner\"]\n"
                              "host_key_fingerprint = "
                              "\"SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s\"\n",
                              &c, &e),
                 SEEKI_E_OK, "%s", e.msg);
    cr_assert(c->ssh.port_set, "port = 22 written: it must beat ~/.ssh/config");
    cr_assert(c->ssh.known_hosts_set);
    cr_assert(c->ssh.jump_set);
    cr_assert_eq(c->ssh.njump, 3);
    cr_assert_str_eq(c->ssh.jump[0], "ops@edge.example.com:2222");
    cr_assert_str_eq(c->ssh.host_key_fingerprint,
                     "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s");
    cfg_destroy(c);
}

Test(config, jump_specs_split_like_ssh)
{
    static const struct {
        const char *spec, *user, *host;
        int port;
    } ok[] = {{"ops@edge.example.com:2222", "ops", "edge.example.com", 2222},
              {"bastion-inner", NULL, "bastion-inner", 0},
              {"a@b@host", "a@b", "host", 0},
              {"[fd00::1]:2200", NULL, "fd00::1", 2200},
              {"me@[::1]", "me", "::1", 0}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char *u = NULL, *h = NULL;
        int port = -1;
        struct seeki_err e = {0};
        cr_assert_eq(cfg_parse_jump(ok[i].spec, NULL, &u, &h, &port, &e), SEEKI_E_OK, "%s: %s",
                     ok[i].spec, e.msg);
        if (ok[i].user)
            cr_expect_str_eq(u, ok[i].user, "%s", ok[i].spec);
        else
            cr_expect_null(u, "%s", ok[i].spec);
        cr_expect_str_eq(h, ok[i].host, "%s", ok[i].spec);
        cr_expect_eq(port, ok[i].port, "%s", ok[i].spec);
        free(u);
        free(h);
    }
    static const char *const bad[] = {"@host", "host:0", "host:99999", "host:x", "fd00::1",
                                      "[fd00::1", "a b", "x,y", "ssh://h", "u@", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *u = NULL, *h = NULL;
        int port = 0;
        struct seeki_err e = {0};
        cr_expect_eq(cfg_parse_jump(bad[i], "ProxyJump", &u, &h, &port, &e), SEEKI_E_CONFIG,
                     "'%s' accepted", bad[i]);
        cr_expect(strstr(e.msg, "ProxyJump: jump host '") == e.msg, "%s", e.msg);
        cr_expect_null(h);
    }
}

/* Valid files: a short file and what one field must become. */
static const struct valid_case {
    const char *name;
    const char *text;
    enum cfg_db_kind kind;
    const char *sqlite_rel; /* expected sqlite_path below the tmp dir, or absolute */
} valid_cases[] = {
    {"kind inferred from sqlite: relative", "[database]\nurl = \"sqlite:data/app.db\"\n",
     CFG_DB_SQLITE, "data/app.db"},
    {"sqlite ./relative", "[database]\nurl = \"sqlite:./app.db\"\n", CFG_DB_SQLITE, "app.db"},
    {"sqlite:///absolute", "[database]\nurl = \"sqlite:///var/lib/app.db\"\n", CFG_DB_SQLITE,
     "/var/lib/app.db"},
    {"sqlite:/absolute", "[database]\nurl = \"sqlite:/srv/app.db\"\n", CFG_DB_SQLITE,
     "/srv/app.db"},
    {"explicit sqlite kind", "[database]\nkind = \"sqlite\"\nurl = \"sqlite:x.db\"\n",
     CFG_DB_SQLITE, "x.db"},
    {"kind inferred from postgresql://", "[database]\nurl = \"postgresql://h:5432/db\"\n",
     CFG_DB_POSTGRES, NULL},
    {"multi-host postgres URL", "[database]\nurl = \"postgres://u@h1:5432,h2:5433/db\"\n",
     CFG_DB_POSTGRES, NULL},
    {"IPv6 postgres URL", "[database]\nurl = \"postgres://u@[::1]:5432/db\"\n", CFG_DB_POSTGRES,
     NULL},
    {"dotted keys at top level",
     "database.url = \"postgres://h/db\"\ndisplay.tables.orders = \"O\"\nserver.port = 1\n",
     CFG_DB_POSTGRES, NULL},
    {"empty tables are fine", "[server]\n[tables]\n[display]\n[branding]\n"
                              "[database]\nurl = \"sqlite:a.db\"\n",
     CFG_DB_SQLITE, "a.db"},
};

Test(config, valid_files_table)
{
    for (size_t i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++) {
        const struct valid_case *vc = &valid_cases[i];
        struct cfg *c = NULL;
        struct seeki_err e = {0};
        enum seeki_code rc = th_load_text(vc->text, &c, &e);
        cr_expect_eq(rc, SEEKI_E_OK, "[%s] %s", vc->name, e.msg);
        if (rc != SEEKI_E_OK)
            continue;
        cr_expect_eq(c->db_kind, vc->kind, "[%s] kind %d", vc->name, c->db_kind);
        if (vc->sqlite_rel) {
            char *want = vc->sqlite_rel[0] == '/'
                             ? xstrdup(vc->sqlite_rel)
                             : xasprintf("%s/%s", th_tmpdir(), vc->sqlite_rel);
            cr_expect(c->sqlite_path && strcmp(c->sqlite_path, want) == 0,
                      "[%s] sqlite_path %s, want %s", vc->name,
                      c->sqlite_path ? c->sqlite_path : "(null)", want);
            free(want);
        } else {
            cr_expect_null(c->sqlite_path, "[%s]", vc->name);
        }
        cfg_destroy(c);
    }
}

/* Invalid files: where the error must point ("L:C", or "" for a message
 * without a position) and what it must say. */
static const struct bad_case {
    const char *name;
    const char *text;
    const char *at;
    const char *says;
    const char *also; /* optional second fragment */
} bad_cases[] = {
    {"unclosed string", "[server]\nhost = \"abc\nport = 1\n", "2:12", "Error while parsing string",
     "missing closing quote"},
    {"missing =", "[server]\nport 3141\n", "2:6", "expected '='", "Fix the TOML syntax"},
    {"duplicate key", "[server]\nport = 1\nport = 2\n", "3:8", "cannot redefine", "given twice"},
    {"unknown top-level table with suggestion", "[databse]\nurl = \"sqlite:x.db\"\n", "1:2",
     "unknown key 'databse' — did you mean 'database'?", NULL},
    {"unknown top-level table, no near name",
     "[frobnicate]\nx = 1\n[database]\nurl = \"sqlite:x.db\"\n", "1:2",
     "unknown key 'frobnicate'; top-level tables allowed: server, database, tables, columns, "
     "display, "
     "branding, ssh",
     NULL},
    {"unknown nested key with suggestion",
     "[database]\nurl = \"sqlite:x.db\"\nmax_conections = 3\n", "3:1",
     "unknown key 'database.max_conections' — did you mean 'database.max_connections'?", NULL},
    {"first unknown key in file order", "[server]\nzzz = 1\nprot = 2\naaa = 3\n", "2:1",
     "unknown key 'server.zzz'; keys allowed in [server]: host, port", NULL},
    {"transposed ssh key",
     "[database]\nurl = \"sqlite:x.db\"\n[ssh]\nhost = \"b\"\nauth_method = \"agent\"\n"
     "usernmae = \"x\"\n",
     "6:1", "did you mean 'ssh.username'?", NULL},
    {"unknown display key", "[display]\ncolumn = {}\n", "2:1",
     "unknown key 'display.column' — did you mean 'display.columns'?", NULL},
    {"port as string", "[server]\nport = \"abc\"\n[database]\nurl = \"sqlite:x.db\"\n", "2:1",
     "`server.port` must be an integer from 1 to 65535, got \"abc\"", NULL},
    {"port zero", "[server]\nport = 0\n", "2:1",
     "`server.port` must be an integer from 1 to 65535, got 0", NULL},
    {"port too large", "[server]\nport = 65536\n", "2:1", "got 65536", NULL},
    {"port as float", "[server]\nport = 3141.0\n", "2:1", "got 3141.0", NULL},
    {"host as integer", "[server]\nhost = 127\n", "2:1", "`server.host` must be a string, got 127",
     NULL},
    {"server not a table", "server = 3\n", "1:1", "`server` must be a table ([server]), got 3",
     NULL},
    {"ssh port out of range",
     "[database]\nurl = \"sqlite:x.db\"\n[ssh]\nhost = \"b\"\nport = 70000\nauth_method = "
     "\"agent\"\n",
     "5:1", "`ssh.port` must be an integer from 1 to 65535, got 70000", NULL},
    {"jump entry without host",
     "[database]\nurl = \"sqlite:x.db\"\n[ssh]\nhost = \"b\"\nauth_method = \"agent\"\n"
     "jump = [\"edge\", \"ops@\"]\n",
     "6:1", "`ssh.jump` entry 2: jump host 'ops@' names no host", NULL},
    {"jump as string",
     "[database]\nurl = \"sqlite:x.db\"\n[ssh]\nhost = \"b\"\nauth_method = \"agent\"\n"
     "jump = \"edge\"\n",
     "6:1", "`ssh.jump` must be an array of strings", NULL},
    {"pin not sha256",
     "[database]\nurl = \"sqlite:x.db\"\n[ssh]\nhost = \"b\"\nauth_method = \"agent\"\n"
     "host_key_fingerprint = \"MD5:aa:bb\"\n",
     "6:1", "`ssh.host_key_fingerprint` must be a SHA256 fingerprint", "got \"MD5:aa:bb\""},
    {"empty schemas", "[database]\nurl = \"postgres://h/db\"\nschemas = []\n", "3:1",
     "`database.schemas` must list at least one entry", NULL},
    {"schemas with a number", "[database]\nurl = \"postgres://h/db\"\nschemas = [\"public\", 3]\n",
     "3:22", "`database.schemas[1]` must be a non-empty string, got 3", NULL},
    {"schemas as string", "[database]\nurl = \"postgres://h/db\"\nschemas = \"public\"\n", "3:1",
     "`database.schemas` must be an array of strings", "got \"public\""},
    {"kind/url mismatch", "[database]\nkind = \"sqlite\"\nurl = \"postgres://h/db\"\n", "2:1",
     "`database.kind` is \"sqlite\" but `database.url` is a postgres:// URL", "remove `kind`"},
    {"kind/url mismatch the other way", "[database]\nkind = \"postgres\"\nurl = \"sqlite:x.db\"\n",
     "2:1", "`database.kind` is \"postgres\" but `database.url` is a sqlite: URL", NULL},
    {"kind typo", "[database]\nkind = \"postgress\"\nurl = \"postgres://h/db\"\n", "2:1",
     "`database.kind` must be \"postgres\" or \"sqlite\", got \"postgress\"",
     "did you mean \"postgres\"?"},
    {"unset env var", "[database]\nurl = \"postgres://u:${SEEKI_TEST_UNSET_VAR}@h/db\"\n", "2:1",
     "`database.url` references ${SEEKI_TEST_UNSET_VAR}, but the environment variable "
     "SEEKI_TEST_UNSET_VAR is not set",
     NULL},
    {"malformed env reference", "[database]\nurl = \"postgres://u:${1BAD}@h/db\"\n", "2:1",
     "malformed environment reference", NULL},
    {"unterminated env reference", "[database]\nurl = \"postgres://u:${PW@h/db\"\n", "2:1",
     "malformed environment reference at '${'", NULL},
    {"missing database table", "[server]\nport = 1\n", "",
     "`database.url` is required; add a [database] table", NULL},
    {"missing url", "[database]\nkind = \"sqlite\"\n", "1:2", "`database.url` is required", NULL},
    {"url not a string", "[database]\nurl = 5432\n", "2:1",
     "`database.url` must be a string, got an integer", NULL},
    {"unknown scheme", "[database]\nurl = \"mysql://h/db\"\n", "2:1",
     "`database.url` must start with postgres://, postgresql:// or sqlite: (got scheme 'mysql')",
     NULL},
    {"sqlite with a host", "[database]\nurl = \"sqlite://host/x.db\"\n", "2:1",
     "names a host after sqlite://", NULL},
    {"sqlite without a path", "[database]\nurl = \"sqlite:\"\n", "2:1", "has no file path", NULL},
    {"bad postgres port", "[database]\nurl = \"postgres://u:pw@h:99999/db\"\n", "2:1",
     "the port must be a number from 1 to 65535, got \"99999\"", NULL},
    {"bad sslmode", "[database]\nurl = \"postgres://h/db?sslmode=bogus\"\n", "2:1",
     "sslmode must be", NULL},
    {"libpq rejects the URL", "[database]\nurl = \"postgres://h/db?foo=bar\"\n", "2:1",
     "is not a valid PostgreSQL URL (libpq: invalid URI query parameter: \"foo\")", NULL},
    {"max_connections too high", "[database]\nurl = \"postgres://h/db\"\nmax_connections = 101\n",
     "3:1", "`database.max_connections` must be an integer from 1 to 100, got 101", NULL},
    {"statement timeout zero", "[database]\nurl = \"postgres://h/db\"\nstatement_timeout_ms = 0\n",
     "3:1", "`database.statement_timeout_ms` must be an integer >= 1 (milliseconds), got 0", NULL},
    {"include not an array", "[tables]\ninclude = \"orders\"\n", "2:1",
     "`tables.include` must be an array of strings", NULL},
    {"exclude with empty name", "[tables]\nexclude = [\"\"]\n", "2:12",
     "`tables.exclude[0]` must be a non-empty string, got \"\"", NULL},
    {"display.tables value not a string", "[display.tables]\norders = 5\n", "2:1",
     "`display.tables.orders` must be a string, got 5", NULL},
    {"display.columns.<t> not a table", "[display.columns]\norders = \"x\"\n", "2:1",
     "`display.columns.orders` must be a table", NULL},
    {"quoted dotted table name keeps its path", "[display.columns.\"public.orders\"]\nid = 1\n",
     "2:1", "`display.columns.\"public.orders\".id` must be a string, got 1", NULL},
    {"empty title", "[branding]\ntitle = \"\"\n", "2:1", "`branding.title` must not be empty",
     NULL},
    {"ssh host missing", "[database]\nurl = \"sqlite:x.db\"\n\n[ssh]\nauth_method = \"agent\"\n",
     "4:2", "`ssh.host` is required", NULL},
    {"ssh auth_method missing", "[database]\nurl = \"sqlite:x.db\"\n[ssh]\nhost = \"b\"\n", "3:2",
     "`ssh.auth_method` is required", NULL},
    {"ssh auth_method unknown",
     "[database]\nurl = \"sqlite:x.db\"\n[ssh]\nhost = \"b\"\nauth_method = \"pubkey\"\n", "5:1",
     "`ssh.auth_method` must be \"key\", \"agent\" or \"password\", got \"pubkey\"", NULL},
    {"ssh host_key_policy unknown",
     "[database]\nurl = \"sqlite:x.db\"\n[ssh]\nhost = \"b\"\nauth_method = \"agent\"\n"
     "host_key_policy = \"accept_new\"\n",
     "6:1", "did you mean \"accept-new\"?", NULL},
    {"ssh connect timeout zero",
     "[database]\nurl = \"sqlite:x.db\"\n[ssh]\nhost = \"b\"\nauth_method = \"agent\"\n"
     "connect_timeout_seconds = 0\n",
     "6:1", "`ssh.connect_timeout_seconds` must be an integer from 1 to 300 (seconds), got 0",
     NULL},
    {"ssh keepalive negative",
     "[database]\nurl = \"sqlite:x.db\"\n[ssh]\nhost = \"b\"\nauth_method = \"agent\"\n"
     "keepalive_seconds = -1\n",
     "6:1", "`ssh.keepalive_seconds` must be an integer >= 0 (seconds; 0 disables), got -1", NULL},
    {"ssh username empty",
     "[database]\nurl = \"sqlite:x.db\"\n[ssh]\nhost = \"b\"\nusername = \"\"\n", "5:1",
     "`ssh.username` must not be empty", NULL},
    {"nan refused", "[server]\nport = nan\n", "2:8", "nan and inf are not accepted", NULL},
    {"NUL in a string", "[branding]\ntitle = \"a\\u0000b\"\n", "2:9", "U+0000", NULL},
    {"secrets table not allowed in seeki.toml", "[secrets]\nx = 1\n", "1:2",
     "unknown key 'secrets'", NULL},
};

Test(config, invalid_files_table)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *bc = &bad_cases[i];
        struct cfg *c = NULL;
        struct seeki_err e = {0};
        enum seeki_code rc = th_load_text(bc->text, &c, &e);
        cr_expect_eq(rc, SEEKI_E_CONFIG, "[%s] expected SEEKI_E_CONFIG, got %s", bc->name,
                     seeki_code_name(rc));
        cr_expect_null(c, "[%s] no config on failure", bc->name);
        cfg_destroy(c);
        char *prefix = *bc->at ? xasprintf("%s:%s: ", th_config_path(), bc->at)
                               : xasprintf("%s: ", th_config_path());
        cr_expect(strncmp(e.msg, prefix, strlen(prefix)) == 0, "[%s] prefix\n  want %s\n  got  %s",
                  bc->name, prefix, e.msg);
        cr_expect(strstr(e.msg, bc->says) != NULL, "[%s] message\n  want …%s…\n  got  %s",
                  bc->name, bc->says, e.msg);
        if (bc->also)
            cr_expect(strstr(e.msg, bc->also) != NULL, "[%s] message\n  want …%s…\n  got  %s",
                      bc->name, bc->also, e.msg);
        free(prefix);
    }
}

Test(config, url_errors_never_show_the_password_or_url)
{
    static const char *const urls[] = {
        "postgres://u:s3cr%zzet@h/db",       /* libpq quotes the bad password token */
        "postgres://u:s3cret@[::1/db",       /* libpq quotes the whole URL */
        "postgres://h/db?password=s3cr%zzet", /* password as a query parameter */
        "postgres://u:s3cret@h:99999/db",    /* our own port check */
        "postgres://u:s3cret@h/db?sslmode=s3cret",
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        char *text = xasprintf("[database]\nurl = \"%s\"\n", urls[i]);
        struct cfg *c = NULL;
        struct seeki_err e = {0};
        cr_expect_eq(th_load_text(text, &c, &e), SEEKI_E_CONFIG, "[%zu] %s", i, e.msg);
        cr_expect(strstr(e.msg, "`database.url`") != NULL, "[%zu] names the key: %s", i, e.msg);
        cr_expect(strstr(e.msg, "s3cr") == NULL, "[%zu] leaks the password: %s", i, e.msg);
        cr_expect(strstr(e.msg, urls[i]) == NULL && strstr(e.msg, "@h/") == NULL &&
                      strstr(e.msg, "[::1") == NULL && strstr(e.msg, "h/db") == NULL,
                  "[%zu] leaks the URL: %s", i, e.msg);
        cfg_destroy(c);
        free(text);
    }
}

Test(config, env_references_are_expanded)
{
    setenv("SEEKI_TEST_PW", "p%40ss", 1);
    setenv("SEEKI_TEST_HOST", "db.internal", 1);
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(th_load_text("[database]\n"
                              "url = \"postgres://u:${SEEKI_TEST_PW}@${SEEKI_TEST_HOST}:5432/"
                              "db$x\"\n",
                              &c, &e),
                 SEEKI_E_OK, "%s", e.msg);
    /* Values are inserted as they are (no encoding); a lone $ stays. */
    cr_assert_str_eq(c->db_url, "postgres://u:p%40ss@db.internal:5432/db$x");
    cfg_destroy(c);
}

Test(config, table_in_include_and_exclude_is_warned_about)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    log_configure("warn", NULL, 0);
    log_set_fd(fds[1]);
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(th_load_text("[database]\nurl = \"sqlite:x.db\"\n"
                              "[tables]\ninclude = [\"orders\", \"drivers\"]\n"
                              "exclude = [\"drivers\"]\n",
                              &c, &e),
                 SEEKI_E_OK, "%s", e.msg);
    log_set_fd(2);
    close(fds[1]);
    char out[1024] = {0};
    ssize_t n = read(fds[0], out, sizeof out - 1);
    close(fds[0]);
    cr_assert(n > 0, "a warning was logged");
    cr_assert(strstr(out, "WARN config: table 'drivers' is in both tables.include and "
                          "tables.exclude; it stays hidden") != NULL,
              "%s", out);
    cr_assert(strstr(out, "orders") == NULL, "only the overlapping name: %s", out);
    cr_assert_eq(c->ninclude, 2);
    cr_assert_eq(c->nexclude, 1);
    cfg_destroy(c);
}

/* columns.exclude and display.sensitive (SPEC §2, §10): the built-in list
 * when unset, the user's list replacing it, [] for none; an exclude entry
 * must name a table. */
Test(config, column_insight_keys)
{
    struct cfg *c = NULL;
    struct seeki_err e;
    cr_assert_eq(th_load_text("[database]\nurl = \"sqlite:x.db\"\n", &c, &e), SEEKI_E_OK, "%s",
                 e.msg);
    cr_expect_eq(c->ncol_exclude, 0);
    static const char *const want[] = {"*password*", "*passwd*", "*secret*",      "*token*",
                                       "*api_key*",  "ssn",      "*card_number*", "iban"};
    cr_assert_eq(c->nsensitive, 8);
    for (size_t i = 0; i < 8; i++)
        cr_expect_str_eq(c->sensitive[i], want[i]);
    cfg_destroy(c);

    cr_assert_eq(th_load_text("[database]\nurl = \"sqlite:x.db\"\n"
                              "[columns]\nexclude = [\"users.pw\", \"*.secret_*\"]\n"
                              "[display]\nsensitive = [\"notes\"]\n",
                              &c, &e),
                 SEEKI_E_OK, "%s", e.msg);
    cr_assert_eq(c->ncol_exclude, 2);
    cr_expect_str_eq(c->col_exclude[1], "*.secret_*");
    cr_assert_eq(c->nsensitive, 1);
    cr_expect_str_eq(c->sensitive[0], "notes");
    cfg_destroy(c);

    cr_assert_eq(
        th_load_text("[database]\nurl = \"sqlite:x.db\"\n[display]\nsensitive = []\n", &c, &e),
        SEEKI_E_OK, "%s", e.msg);
    cr_expect_eq(c->nsensitive, 0);
    cfg_destroy(c);

    cr_assert_eq(
        th_load_text("[database]\nurl = \"sqlite:x.db\"\n[columns]\nexclude = [\"pw\"]\n", &c, &e),
        SEEKI_E_CONFIG);
    cr_expect(strstr(e.msg, ":4:1: `columns.exclude` entry 'pw' names no table: write "
                            "table.column or schema.table.column") != NULL,
              "%s", e.msg);
    cr_assert_eq(
        th_load_text("[database]\nurl = \"sqlite:x.db\"\n[columns]\ninclude = [\"a.b\"]\n", &c, &e),
        SEEKI_E_CONFIG);
    cr_expect(strstr(e.msg, "unknown key 'columns.include'") != NULL, "%s", e.msg);
}
