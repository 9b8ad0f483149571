/* The lookup order of SPEC §2: --config exactly, else ./seeki.toml, else
 * $XDG_CONFIG_HOME/seeki/config.toml (default ~/.config/seeki/config.toml);
 * nothing found is SEEKI_E_NO_CONFIG listing the searched paths. Each test
 * chdirs into its own mkdtemp directory and sets HOME/XDG_CONFIG_HOME. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "helpers.h"
#include "log.h"
#include "util/mem.h"

static const char local_cfg[] = "[branding]\ntitle = \"local\"\n[database]\nurl = \"sqlite:l.db\"\n";
static const char xdg_cfg[] = "[branding]\ntitle = \"xdg\"\n[database]\nurl = \"sqlite:x.db\"\n";
static const char home_cfg[] = "[branding]\ntitle = \"home\"\n[database]\nurl = \"sqlite:h.db\"\n";

static char *work, *home, *xdg;

static void setup(void)
{
    log_configure("error", NULL, 0);
    const char *t = th_tmpdir();
    work = xasprintf("%s/work", t);
    home = xasprintf("%s/home", t);
    xdg = xasprintf("%s/xdg", t);
    free(th_write(t, "work/.keep", "", 0600));
    free(th_write(t, "home/.keep", "", 0600));
    cr_assert_eq(chdir(work), 0);
    setenv("HOME", home, 1);
    unsetenv("XDG_CONFIG_HOME");
}

static void teardown(void)
{
    free(work);
    free(home);
    free(xdg);
    th_cleanup();
}

TestSuite(lookup, .init = setup, .fini = teardown);

static struct cfg *load_ok(const char *explicit_path)
{
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(cfg_load(explicit_path, &c, &e), SEEKI_E_OK, "%s", e.msg);
    return c;
}

Test(lookup, local_file_wins_over_user_files)
{
    free(th_write(work, "seeki.toml", local_cfg, 0600));
    free(th_write(home, ".config/seeki/config.toml", home_cfg, 0600));
    setenv("XDG_CONFIG_HOME", xdg, 1);
    free(th_write(xdg, "seeki/config.toml", xdg_cfg, 0600));
    struct cfg *c = load_ok(NULL);
    cr_assert_str_eq(c->title, "local");
    char *want = xasprintf("%s/seeki.toml", work);
    cr_assert_str_eq(c->path, want, "absolute path");
    cr_assert_str_eq(c->dir, work);
    char *db = xasprintf("%s/l.db", work);
    cr_assert_str_eq(c->sqlite_path, db);
    free(db);
    free(want);
    cfg_destroy(c);
}

Test(lookup, xdg_config_home_is_next)
{
    setenv("XDG_CONFIG_HOME", xdg, 1);
    free(th_write(xdg, "seeki/config.toml", xdg_cfg, 0600));
    free(th_write(home, ".config/seeki/config.toml", home_cfg, 0600));
    struct cfg *c = load_ok(NULL);
    cr_assert_str_eq(c->title, "xdg", "XDG_CONFIG_HOME replaces ~/.config");
    char *db = xasprintf("%s/seeki/x.db", xdg);
    cr_assert_str_eq(c->sqlite_path, db, "relative sqlite path resolves beside the file");
    free(db);
    cfg_destroy(c);
}

Test(lookup, home_dot_config_is_the_default)
{
    free(th_write(home, ".config/seeki/config.toml", home_cfg, 0600));
    struct cfg *c = load_ok(NULL);
    cr_assert_str_eq(c->title, "home");
    char *want = xasprintf("%s/.config/seeki/config.toml", home);
    cr_assert_str_eq(c->path, want);
    free(want);
    cfg_destroy(c);

    /* A relative XDG_CONFIG_HOME is ignored (XDG spec). */
    setenv("XDG_CONFIG_HOME", "relative/dir", 1);
    c = load_ok(NULL);
    cr_assert_str_eq(c->title, "home");
    cfg_destroy(c);
}

Test(lookup, nothing_found_is_no_config_listing_paths)
{
    setenv("XDG_CONFIG_HOME", xdg, 1);
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(cfg_load(NULL, &c, &e), SEEKI_E_NO_CONFIG, "%s", e.msg);
    cr_assert_null(c);
    char *want = xasprintf("No configuration file found (looked for %s/seeki.toml and "
                           "%s/seeki/config.toml)",
                           work, xdg);
    cr_assert(strncmp(e.msg, want, strlen(want)) == 0, "want %s\ngot  %s", want, e.msg);
    cr_assert(strstr(e.msg, "--config") != NULL, "says what to do: %s", e.msg);
    free(want);
}

Test(lookup, explicit_missing_file_is_an_error_even_with_local_file)
{
    free(th_write(work, "seeki.toml", local_cfg, 0600));
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(cfg_load("nope/seeki.toml", &c, &e), SEEKI_E_CONFIG);
    cr_assert_str_eq(e.msg, "Config file 'nope/seeki.toml' not found (--config). Check the "
                            "path, or run seeki without --config to use the setup wizard.");
    cr_assert_null(c);
}

Test(lookup, explicit_relative_path_becomes_absolute_and_sets_dir)
{
    free(th_write(work, "seeki.toml", local_cfg, 0600));
    free(th_write(work, "conf/other.toml", "[database]\nurl = \"sqlite:../data/o.db\"\n", 0600));
    struct cfg *c = load_ok("./conf/other.toml");
    char *want = xasprintf("%s/conf/other.toml", work);
    char *dir = xasprintf("%s/conf", work);
    char *db = xasprintf("%s/conf/../data/o.db", work);
    cr_assert_str_eq(c->path, want);
    cr_assert_str_eq(c->dir, dir);
    cr_assert_str_eq(c->sqlite_path, db, "sqlite:relative resolves against the config's dir");
    cr_assert_str_eq(c->title, "SeeKi", "exactly that file, nothing merged");
    free(want);
    free(dir);
    free(db);
    cfg_destroy(c);
}

Test(lookup, malformed_local_file_is_an_error_not_setup_mode)
{
    free(th_write(work, "seeki.toml", "[database\n", 0600));
    free(th_write(home, ".config/seeki/config.toml", home_cfg, 0600));
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(cfg_load(NULL, &c, &e), SEEKI_E_CONFIG);
    char *want = xasprintf("%s/seeki.toml:1:10: ", work);
    cr_assert(strncmp(e.msg, want, strlen(want)) == 0, "want %s\ngot  %s", want, e.msg);
    free(want);
}

Test(lookup, a_directory_or_unreadable_file_names_the_path)
{
    struct cfg *c = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(cfg_load(home, &c, &e), SEEKI_E_CONFIG);
    char *want = xasprintf("Config file '%s' is not a regular file", home);
    cr_assert(strncmp(e.msg, want, strlen(want)) == 0, "%s", e.msg);
    free(want);
    if (geteuid() != 0) { /* root reads anything */
        char *p = th_write(work, "seeki.toml", local_cfg, 0000);
        cr_assert_eq(cfg_load(NULL, &c, &e), SEEKI_E_CONFIG);
        cr_assert(strstr(e.msg, p) && strstr(e.msg, "Permission denied"), "%s", e.msg);
        free(p);
    }
}
