#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static char *capture(void (*fn)(void))
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    log_set_fd(fds[1]);
    fn();
    log_set_fd(2);
    close(fds[1]);
    static char out[8192];
    ssize_t n = read(fds[0], out, sizeof out - 1);
    close(fds[0]);
    out[n > 0 ? n : 0] = '\0';
    return out;
}

static void emit_basic(void)
{
    log_info("db", "opened %s", "x.db");
    log_debug("db", "hidden");
}

Test(log, writes_level_module_message_lines)
{
    cr_assert_eq(log_configure("info", NULL, 0), 0);
    cr_assert_str_eq(capture(emit_basic), "INFO db: opened x.db\n");
}

static void emit_modules(void)
{
    log_debug("ssh", "visible");
    log_debug("db", "hidden");
    log_trace("db", "hidden too");
}

Test(log, per_module_levels)
{
    cr_assert_eq(log_configure("info,ssh=debug", NULL, 0), 0);
    cr_assert_str_eq(capture(emit_modules), "DEBUG ssh: visible\n");
    cr_assert(log_enabled(LOG_DEBUG, "ssh"));
    cr_assert(!log_enabled(LOG_DEBUG, "db"));
}

Test(log, bad_spec_keeps_info_and_explains)
{
    char msg[512];
    cr_assert_eq(log_configure("loud", msg, sizeof msg), -1);
    cr_assert(strstr(msg, "SEEKI_LOG='loud'"), "%s", msg);
    cr_assert(log_enabled(LOG_INFO, "db"));
    cr_assert(!log_enabled(LOG_DEBUG, "db"));
}

static void emit_control(void)
{
    log_warn("http", "path %s", "a\nINFO fake: line");
}

Test(log, escapes_control_characters_in_user_text)
{
    cr_assert_eq(log_configure(NULL, NULL, 0), 0);
    cr_assert_str_eq(capture(emit_control), "WARN http: path a\\x0aINFO fake: line\n");
}
