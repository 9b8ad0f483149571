/* Test helpers (see helpers.h). */
#include "helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/mem.h"

static char th_dir[256];
static char th_cfg[512];

const char *th_tmpdir(void)
{
    if (!th_dir[0]) {
        snprintf(th_dir, sizeof th_dir, "/tmp/seeki-cfg-test-XXXXXX");
        cr_assert_not_null(mkdtemp(th_dir), "mkdtemp failed: %s", strerror(errno));
        /* /tmp may be a symlink; tests compare against the real path. */
        char *real = realpath(th_dir, NULL);
        cr_assert_not_null(real);
        snprintf(th_dir, sizeof th_dir, "%s", real);
        free(real);
    }
    return th_dir;
}

static int th_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    chmod(path, 0700);
    return remove(path);
}

void th_cleanup(void)
{
    if (th_dir[0]) {
        if (chdir("/") != 0)
            perror("chdir /");
        nftw(th_dir, th_rm, 16, FTW_DEPTH | FTW_PHYS);
        th_dir[0] = '\0';
    }
}

static void th_mkdirs(const char *path)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0700);
            *s = '/';
        }
    }
    free(p);
}

char *th_write(const char *dir, const char *rel, const char *text, mode_t mode)
{
    char *path = xasprintf("%s/%s", dir, rel);
    th_mkdirs(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
    size_t len = strlen(text);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    cr_assert_eq(fchmod(fd, mode), 0);
    close(fd);
    return path;
}

const char *th_config_path(void)
{
    snprintf(th_cfg, sizeof th_cfg, "%s/seeki.toml", th_tmpdir());
    return th_cfg;
}

enum seeki_code th_load_text(const char *text, struct cfg **out, struct seeki_err *err)
{
    free(th_write(th_tmpdir(), "seeki.toml", text, 0600));
    return cfg_load(th_config_path(), out, err);
}
