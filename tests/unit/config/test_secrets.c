/* .seeki.secrets: optional, refused when group/other bits are set (with the
 * real octal mode and the chmod advice), unknown keys rejected with a
 * suggestion, and no message ever containing a secret value. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "helpers.h"
#include "log.h"
#include "util/mem.h"

static const char base_cfg[] = "[database]\nurl = \"sqlite:x.db\"\n";

static void setup(void)
{
    log_configure("error", NULL, 0);
    setenv("HOME", th_tmpdir(), 1);
}

TestSuite(secrets, .init = setup, .fini = th_cleanup);

Test(secrets, absent_file_is_fine_and_path_is_known)
{
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(th_load_text(base_cfg, &c, &e), SEEKI_E_OK, "%s", e.msg);
    char *want = xasprintf("%s/.seeki.secrets", th_tmpdir());
    cr_assert_str_eq(c->secrets.path, want);
    cr_assert_null(c->secrets.key_passphrase);
    cr_assert_null(c->secrets.ssh_password);
    cr_assert_null(c->secrets.db_password);
    free(want);
    cfg_destroy(c);
}

Test(secrets, mode_0600_is_accepted_and_read)
{
    free(th_write(th_tmpdir(), ".seeki.secrets",
                  "[ssh]\nkey_passphrase = \"pass phrase\"\npassword = \"hunter2\"\n"
                  "[database]\npassword = \"db-pw\"\n",
                  0600));
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(th_load_text(base_cfg, &c, &e), SEEKI_E_OK, "%s", e.msg);
    cr_assert_str_eq(c->secrets.key_passphrase, "pass phrase");
    cr_assert_str_eq(c->secrets.ssh_password, "hunter2");
    cr_assert_str_eq(c->secrets.db_password, "db-pw");
    cfg_destroy(c);
}

Test(secrets, mode_0400_is_accepted)
{
    free(th_write(th_tmpdir(), ".seeki.secrets", "[database]\npassword = \"x\"\n", 0400));
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(th_load_text(base_cfg, &c, &e), SEEKI_E_OK, "%s", e.msg);
    cr_assert_str_eq(c->secrets.db_password, "x");
    cfg_destroy(c);
}

static const struct mode_case {
    mode_t mode;
    const char *octal;
} open_modes[] = {{0644, "0644"}, {0640, "0640"}, {0604, "0604"}, {0601, "0601"}, {0660, "0660"}};

Test(secrets, group_or_other_bits_are_refused_with_chmod_advice)
{
    for (size_t i = 0; i < sizeof open_modes / sizeof open_modes[0]; i++) {
        char *path = th_write(th_tmpdir(), ".seeki.secrets", "[ssh]\npassword = \"hunter2\"\n",
                              open_modes[i].mode);
        struct cfg *c = NULL;
        struct seeki_err e = {0};
        cr_expect_eq(th_load_text(base_cfg, &c, &e), SEEKI_E_CONFIG, "[%s]", open_modes[i].octal);
        cr_expect_null(c);
        cfg_destroy(c);
        char *want = xasprintf("Secrets file permissions %s for '%s' are too open; run: chmod "
                               "600 %s",
                               open_modes[i].octal, path, path);
        cr_expect_str_eq(e.msg, want);
        cr_expect(strstr(e.msg, "hunter2") == NULL);
        free(want);
        free(path);
    }
}

static const struct bad_secret {
    const char *name;
    const char *text;
    const char *at;
    const char *says;
} bad_secrets[] = {
    {"unknown nested key", "[ssh]\npasword = \"hunter2\"\n", "2:1",
     "unknown key 'ssh.pasword' — did you mean 'ssh.password'?"},
    {"unknown top-level key", "[databse]\npassword = \"hunter2\"\n", "1:2",
     "unknown key 'databse' — did you mean 'database'?"},
    {"key from seeki.toml", "[database]\nurl = \"postgres://u:hunter2@h/db\"\n", "2:1",
     "unknown key 'database.url'; keys allowed in [database]: password"},
    {"wrong type never quotes the value", "[database]\npassword = 12345\n", "2:1",
     "`database.password` must be a string, got an integer"},
    {"array value", "[ssh]\nkey_passphrase = [\"hunter2\"]\n", "2:1",
     "`ssh.key_passphrase` must be a string, got an array"},
    {"syntax error", "[ssh]\npassword = hunter2\n", "2:12", "Error while parsing"},
    {"syntax error quoting input", "[ssh]\npassword = \"x\"\nkey_passphrase = tru12345\n", "3:21",
     "Error while parsing boolean"},
};

Test(secrets, invalid_secrets_files_table)
{
    for (size_t i = 0; i < sizeof bad_secrets / sizeof bad_secrets[0]; i++) {
        const struct bad_secret *bs = &bad_secrets[i];
        char *path = th_write(th_tmpdir(), ".seeki.secrets", bs->text, 0600);
        struct cfg *c = NULL;
        struct seeki_err e = {0};
        cr_expect_eq(th_load_text(base_cfg, &c, &e), SEEKI_E_CONFIG, "[%s]", bs->name);
        cfg_destroy(c);
        char *prefix = xasprintf("%s:%s: ", path, bs->at);
        cr_expect(strncmp(e.msg, prefix, strlen(prefix)) == 0, "[%s]\n  want %s\n  got  %s",
                  bs->name, prefix, e.msg);
        cr_expect(strstr(e.msg, bs->says) != NULL, "[%s] want …%s… in %s", bs->name, bs->says,
                  e.msg);
        cr_expect(strstr(e.msg, "hunter2") == NULL && strstr(e.msg, "12345") == NULL,
                  "[%s] leaks a secret: %s", bs->name, e.msg);
        free(prefix);
        free(path);
    }
}

Test(secrets, wizard_json_secrets_use_the_same_rules)
{
    json_error_t je;
    json_t *doc = json_loads("{\"database\":{\"url\":\"sqlite:x.db\"},"
                             "\"secrets\":{\"database\":{\"password\":\"pw\"},"
                             "\"ssh\":{\"password\":\"sp\"}}}",
                             0, &je);
    cr_assert_not_null(doc, "%s", je.text);
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(cfg_from_json(doc, NULL, "/srv/seeki", CFG_JSON_SECRETS, &c, &e), SEEKI_E_OK,
                 "%s", e.msg);
    cr_assert_str_eq(c->secrets.db_password, "pw");
    cr_assert_str_eq(c->secrets.ssh_password, "sp");
    cr_assert_str_eq(c->secrets.path, "/srv/seeki/.seeki.secrets");
    cfg_destroy(c);

    /* Without the flag, "secrets" is an unknown key; with it, bad members
     * are rejected without quoting the value. */
    cr_assert_eq(cfg_from_json(doc, NULL, "/srv/seeki", 0, &c, &e), SEEKI_E_CONFIG);
    cr_assert_str_eq(e.msg, "unknown key 'secrets'; top-level tables allowed: server, database, "
                            "tables, columns, display, branding, ssh");
    json_decref(doc);
    doc = json_loads("{\"database\":{\"url\":\"sqlite:x.db\"},"
                     "\"secrets\":{\"ssh\":{\"passphrase\":\"hunter2\"}}}",
                     0, &je);
    cr_assert_eq(cfg_from_json(doc, "setup", NULL, CFG_JSON_SECRETS, &c, &e), SEEKI_E_CONFIG);
    cr_assert_str_eq(e.msg, "setup: unknown key 'secrets.ssh.passphrase' — did you mean "
                            "'secrets.ssh.key_passphrase'?");
    json_decref(doc);
}
