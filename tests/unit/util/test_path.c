/* util/path.h (the one home-directory rule) and util/clock.h. */
#include <criterion/criterion.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/path.h"

Test(path, home_from_env_then_passwd)
{
    char *saved = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    setenv("HOME", "/srv/someone", 1);
    cr_expect_str_eq(path_home(), "/srv/someone");
    setenv("HOME", "", 1); /* empty counts as unset */
    struct passwd *pw = getpwuid(getuid());
    cr_assert_not_null(pw);
    cr_expect_str_eq(path_home(), pw->pw_dir);
    unsetenv("HOME");
    cr_expect_str_eq(path_home(), pw->pw_dir);
    if (saved)
        setenv("HOME", saved, 1);
    free(saved);
}

Test(clock, monotonic_ms_and_s_agree)
{
    int64_t a = clock_ms();
    double s = clock_s();
    usleep(20000);
    int64_t b = clock_ms();
    cr_expect_geq(b - a, 20);
    cr_expect_geq(clock_s() - s, 0.02);
    cr_expect_leq((double)a / 1000.0 - s, 0.01);
}
