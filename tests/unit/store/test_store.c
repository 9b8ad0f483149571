/* store/: directories 0700 (existing ones untouched), appends that never join
 * a last line without its newline, and commit = fsync + rename + fsync dir. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "util/mem.h"

static char root[64];

static void mk_root(void)
{
    snprintf(root, sizeof root, "/tmp/seeki-store-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
}

static void rm_root(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(store, .init = mk_root, .fini = rm_root);

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

Test(store, dir_of)
{
    char *d = store_dir_of("/a/b/c.db");
    cr_expect_str_eq(d, "/a/b");
    free(d);
    d = store_dir_of("c.db");
    cr_expect_str_eq(d, ".");
    free(d);
    d = store_dir_of("/c.db");
    cr_expect_str_eq(d, "/");
    free(d);
}

Test(store, mkdirs_0700_and_existing_untouched)
{
    char *keep = xasprintf("%s/keep", root);
    cr_assert_eq(mkdir(keep, 0755), 0);
    char *deep = xasprintf("%s/keep/x/y", root);
    cr_assert_eq(store_mkdirs(deep, NULL, 0), 0);
    struct stat st;
    cr_assert_eq(stat(deep, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0700);
    cr_assert_eq(stat(keep, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0755);
    cr_expect_eq(store_mkdirs(deep, NULL, 0), 0); /* again: nothing to do */
    free(deep);
    free(keep);
}

Test(store, mkdirs_through_a_file_is_enotdir_naming_it)
{
    char *file = xasprintf("%s/plain", root);
    FILE *f = fopen(file, "w");
    cr_assert_not_null(f);
    fclose(f);
    char *under = xasprintf("%s/sub", file);
    char bad[256] = "";
    cr_expect_eq(store_mkdirs(under, bad, sizeof bad), -1);
    cr_expect_eq(errno, ENOTDIR);
    cr_expect_str_eq(bad, file);
    free(under);
    free(file);
}

Test(store, append_line_creates_0600_and_mends_a_missing_newline)
{
    char *path = xasprintf("%s/ssh/known_hosts", root);
    cr_assert_eq(store_append_line(path, "one a\n"), 0);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0600);
    FILE *f = fopen(path, "a");
    fputs("two b", f); /* a last line without its newline */
    fclose(f);
    cr_assert_eq(store_append_line(path, "three c\n"), 0);
    cr_expect_str_eq(slurp(path), "one a\ntwo b\nthree c\n");
    free(path);
}

Test(store, commit_moves_the_file_into_place)
{
    char *tmp = xasprintf("%s/f.tmp", root), *dst = xasprintf("%s/f", root);
    FILE *f = fopen(tmp, "w");
    fputs("new", f);
    fclose(f);
    bool placed = false;
    cr_assert_eq(store_commit(tmp, dst, &placed), 0);
    cr_expect(placed);
    cr_expect_str_eq(slurp(dst), "new");
    cr_expect_neq(access(tmp, F_OK), 0);
    cr_expect_eq(store_commit(tmp, dst, &placed), -1); /* tmp is gone */
    cr_expect_not(placed);
    free(tmp);
    free(dst);
}

/* store_write_new: a new 0600 file with exactly the bytes, missing
 * directories made 0700, never replacing an existing file, no temp left. */
Test(store, write_new_creates_0600_and_never_replaces)
{
    char *path = xasprintf("%s/new/dir/seeki.toml", root);
    cr_assert_eq(store_write_new(path, "a = 1\n", 6), 0, "%s", strerror(errno));
    cr_assert_str_eq(slurp(path), "a = 1\n");
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    char *dir = xasprintf("%s/new/dir", root);
    cr_assert_eq(stat(dir, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700);
    errno = 0;
    cr_assert_eq(store_write_new(path, "b = 2\n", 6), -1);
    cr_assert_eq(errno, EEXIST);
    cr_assert_str_eq(slurp(path), "a = 1\n", "the existing file is untouched");
    char *cmd = xasprintf("test $(ls -A '%s' | wc -l) -eq 1", dir);
    cr_assert_eq(system(cmd), 0, "a temporary file was left behind");
    free(cmd);
    free(dir);
    free(path);
}
