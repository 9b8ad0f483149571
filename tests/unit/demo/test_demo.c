/* Unit tests for the demo database builder (db/demo*.c): it builds the
 * promised tables, view, indexes and awkward values; it builds once; two
 * builds are byte-identical; failures are clear and leave no temp file. Each
 * test builds into its own mkdtemp directory and prints the build time. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "demo/demo.h"
#include "demo/demo_int.h"
#include "util/mem.h"

/* ---------------------------------------------------------------- helpers */

static char *tmpdir_new(void)
{
    char *d = xstrdup("/tmp/seeki-demo-test-XXXXXX");
    cr_assert_not_null(mkdtemp(d), "mkdtemp: %s", strerror(errno));
    return d;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    chmod(p, 0700); /* undo a test's chmod so the tree can be removed */
    return remove(p);
}

static void tmpdir_free(char *d)
{
    chmod(d, 0700);
    nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(d);
}

static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Builds the demo at path, asserting success, and prints how long it took. */
static void build_ok(const char *path)
{
    struct seeki_err err = {0};
    int64_t t0 = ms_now();
    enum seeki_code code = demo_create(path, &err);
    cr_assert_eq(code, SEEKI_E_OK, "demo_create(%s) = %s: %s", path, seeki_code_name(code),
                 err.msg);
    fprintf(stderr, "demo build: %lld ms (%s)\n", (long long)(ms_now() - t0), path);
}

static sqlite3 *open_ro(const char *path)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    cr_assert_eq(rc, SQLITE_OK, "open %s: %s", path, sqlite3_errstr(rc));
    return db;
}

/* The single integer a query returns. */
static int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    cr_assert_eq(rc, SQLITE_OK, "prepare [%s]: %s", sql, sqlite3_errmsg(db));
    rc = sqlite3_step(st);
    cr_assert_eq(rc, SQLITE_ROW, "step [%s]: %s", sql, sqlite3_errmsg(db));
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The single text a query returns (static buffer, for short answers). */
static const char *q_text(sqlite3 *db, const char *sql)
{
    static char out[256];
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "prepare [%s]: %s", sql,
                 sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "step [%s]: %s", sql, sqlite3_errmsg(db));
    const unsigned char *s = sqlite3_column_text(st, 0);
    snprintf(out, sizeof out, "%s", s ? (const char *)s : "(null)");
    sqlite3_finalize(st);
    return out;
}

/* Names in dir other than "." and "..", joined by spaces ("" when empty). */
static char *dir_listing(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "opendir %s: %s", dir, strerror(errno));
    char *out = xstrdup("");
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *n = xasprintf("%s%s%s", out, *out ? " " : "", e->d_name);
        free(out);
        out = n;
    }
    closedir(d);
    return out;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "fopen %s: %s", path, strerror(errno));
    struct stat st;
    cr_assert_eq(fstat(fileno(f), &st), 0);
    unsigned char *b = xmalloc((size_t)st.st_size + 1);
    *len = fread(b, 1, (size_t)st.st_size, f);
    cr_assert_eq(*len, (size_t)st.st_size, "short read of %s", path);
    fclose(f);
    return b;
}

/* ------------------------------------------------------------------ tests */

Test(demo, builds_tables_view_indexes_and_declared_types)
{
    char *dir = tmpdir_new();
    char *path = xasprintf("%s/demo.db", dir);
    build_ok(path);
    sqlite3 *db = open_ro(path);

    static const struct {
        const char *sql;
        int64_t want;
    } counts[] = {
        {"SELECT count(*) FROM depots", DEMO_DEPOTS},
        {"SELECT count(*) FROM vehicles", 120},
        {"SELECT count(*) FROM drivers", 80},
        {"SELECT count(*) FROM journeys", 20000},
        {"SELECT count(*) FROM telemetry_log", 210000},
        {"SELECT count(*) FROM sqlite_master WHERE type = 'view' AND name = 'active_drivers'", 1},
        {"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", 5},
        {"SELECT (SELECT count(*) FROM active_drivers) = "
         "(SELECT count(*) FROM drivers WHERE is_active = 1)",
         1},
        {"PRAGMA user_version", DEMO_SCHEMA_VERSION},
    };
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(counts); i++)
        cr_expect_eq(q_int(db, counts[i].sql), counts[i].want, "[%s] = %lld, want %lld",
                     counts[i].sql, (long long)q_int(db, counts[i].sql), (long long)counts[i].want);
    cr_expect_geq(q_int(db, "SELECT count(*) FROM telemetry_log"), 200000);
    int64_t active = q_int(db, "SELECT count(*) FROM active_drivers");
    cr_expect(active > 40 && active < 80, "active_drivers has %lld rows", (long long)active);
    cr_expect_str_eq(q_text(db, "PRAGMA integrity_check"), "ok");

    /* Declared types exactly as SeeKi's SQLite type mapping expects them. */
    static const struct {
        const char *table, *column, *type;
    } types[] = {
        {"vehicles", "id", "INTEGER"},
        {"vehicles", "plate", "TEXT"},
        {"vehicles", "year", "INTEGER"},
        {"vehicles", "is_electric", "BOOLEAN"},
        {"vehicles", "odometer_km", "REAL"},
        {"vehicles", "purchased_on", "DATE"},
        {"vehicles", "notes", "TEXT"},
        {"vehicles", "specs", "JSON"},
        {"drivers", "hired_at", "DATETIME"},
        {"drivers", "is_active", "BOOLEAN"},
        {"drivers", "supervisor_id", "INTEGER"},
        {"drivers", "rating", "REAL"},
        {"journeys", "started_at", "TIMESTAMP"},
        {"journeys", "ended_at", "TIMESTAMP"},
        {"journeys", "cargo", "JSON"},
        {"telemetry_log", "recorded_at", "TIMESTAMP"},
        {"telemetry_log", "level", "TEXT"},
        {"telemetry_log", "payload", "JSON"},
        {"depots", "photo", "BLOB"},
        {"depots", "is_24h", "BOOLEAN"},
    };
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(types); i++) {
        char *sql = xasprintf("SELECT type FROM pragma_table_info('%s') WHERE name = '%s'",
                              types[i].table, types[i].column);
        cr_expect_str_eq(q_text(db, sql), types[i].type, "%s.%s declared as %s, want %s",
                         types[i].table, types[i].column, q_text(db, sql), types[i].type);
        free(sql);
    }
    cr_expect_eq(q_int(db, "SELECT pk FROM pragma_table_info('journeys') WHERE name = 'id'"), 1);

    /* An index leads with each column users are likely to sort by. */
    static const char *const sorted[][2] = {
        {"journeys", "started_at"},
        {"telemetry_log", "recorded_at"},
        {"telemetry_log", "vehicle_id"},
    };
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(sorted); i++) {
        char *sql = xasprintf("SELECT count(*) FROM pragma_index_list('%s') l, "
                              "pragma_index_info(l.name) c WHERE c.seqno = 0 AND c.name = '%s'",
                              sorted[i][0], sorted[i][1]);
        cr_expect_geq(q_int(db, sql), 1, "no index on %s(%s)", sorted[i][0], sorted[i][1]);
        free(sql);
    }
    sqlite3_close(db);
    free(path);
    tmpdir_free(dir);
}

/* What the UI must be able to show, as queries: each must hold on the demo. */
static const struct probe {
    const char *what;
    const char *sql;
    char op; /* '>' count must exceed n, '=' count must equal n */
    int64_t n;
} probes[] = {
    {"NULL text", "SELECT count(*) FROM vehicles WHERE notes IS NULL", '>', 0},
    {"empty string", "SELECT count(*) FROM vehicles WHERE notes = ''", '>', 0},
    {"whitespace-only text",
     "SELECT count(*) FROM vehicles WHERE notes <> '' AND trim(notes, ' ' || char(9)) = ''", '>',
     0},
    {"padded text", "SELECT count(*) FROM vehicles WHERE notes LIKE ' %' AND trim(notes) <> ''",
     '>', 0},
    {"long note > 300 chars", "SELECT count(*) FROM vehicles WHERE length(notes) > 300", '>', 0},
    {"long purpose > 300 chars", "SELECT count(*) FROM journeys WHERE length(purpose) > 300", '>',
     0},
    {"purpose NULL", "SELECT count(*) FROM journeys WHERE purpose IS NULL", '>', 0},
    {"purpose empty", "SELECT count(*) FROM journeys WHERE purpose = ''", '>', 0},
    {"message with a newline",
     "SELECT count(*) FROM telemetry_log WHERE instr(message, char(10)) > 0", '>', 0},
    {"message with quotes and commas",
     "SELECT count(*) FROM telemetry_log WHERE instr(message, '\"') > 0 AND instr(message, ',') > "
     "0",
     '>', 0},
    {"message NULL", "SELECT count(*) FROM telemetry_log WHERE message IS NULL", '>', 0},
    {"José", "SELECT count(*) FROM drivers WHERE first_name = 'José'", '=', 1},
    {"Zoë", "SELECT count(*) FROM drivers WHERE first_name = 'Zoë'", '=', 1},
    {"Łukasz", "SELECT count(*) FROM drivers WHERE first_name = 'Łukasz'", '=', 1},
    {"山田", "SELECT count(*) FROM drivers WHERE last_name = '山田'", '=', 1},
    {"Ngọc", "SELECT count(*) FROM drivers WHERE first_name = 'Ngọc'", '=', 1},
    {"apostrophe in a name", "SELECT count(*) FROM drivers WHERE last_name LIKE '%''%'", '>', 0},
    {"unique e-mails", "SELECT count(*) - count(DISTINCT email) FROM drivers", '=', 0},
    {"phone NULL", "SELECT count(*) FROM drivers WHERE phone IS NULL", '>', 0},
    {"rating NULL (new hires)", "SELECT count(*) FROM drivers WHERE rating IS NULL", '>', 0},
    {"supervisor NULL", "SELECT count(*) FROM drivers WHERE supervisor_id IS NULL", '>', 0},
    {"supervisor set", "SELECT count(*) FROM drivers WHERE supervisor_id IS NOT NULL", '>', 0},
    {"is_electric only 0/1", "SELECT count(*) FROM vehicles WHERE is_electric NOT IN (0, 1)", '=',
     0},
    {"is_electric true", "SELECT count(*) FROM vehicles WHERE is_electric = 1", '>', 0},
    {"is_electric false", "SELECT count(*) FROM vehicles WHERE is_electric = 0", '>', 0},
    {"is_active false", "SELECT count(*) FROM drivers WHERE is_active = 0", '>', 0},
    {"boolean NULL", "SELECT count(*) FROM depots WHERE is_24h IS NULL", '>', 0},
    {"specs all valid JSON",
     "SELECT count(*) FROM vehicles WHERE specs IS NOT NULL AND NOT json_valid(specs)", '=', 0},
    {"specs NULL", "SELECT count(*) FROM vehicles WHERE specs IS NULL", '>', 0},
    {"JSON number past 2^53 kept exactly",
     "SELECT count(*) FROM vehicles WHERE instr(specs, '\"serial\":9007199254740995') > 0", '=', 1},
    {"cargo all valid JSON",
     "SELECT count(*) FROM journeys WHERE cargo IS NOT NULL AND NOT json_valid(cargo)", '=', 0},
    {"cargo nested arrays",
     "SELECT count(*) FROM journeys WHERE json_array_length(cargo, '$.items') > 1", '>', 0},
    {"payload all valid JSON",
     "SELECT count(*) FROM telemetry_log WHERE payload IS NOT NULL AND NOT json_valid(payload)",
     '=', 0},
    {"payload NULL", "SELECT count(*) FROM telemetry_log WHERE payload IS NULL", '>', 0},
    {"three levels", "SELECT count(DISTINCT level) FROM telemetry_log", '=', 3},
    {"error lines", "SELECT count(*) FROM telemetry_log WHERE level = 'error'", '>', 0},
    {"timestamps are ISO text",
     "SELECT count(*) FROM journeys WHERE started_at NOT GLOB "
     "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]'",
     '=', 0},
    {"log timestamps are ISO text",
     "SELECT count(*) FROM telemetry_log WHERE recorded_at NOT GLOB "
     "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]'",
     '=', 0},
    {"dates are ISO text",
     "SELECT count(*) FROM vehicles WHERE purchased_on NOT GLOB "
     "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'",
     '=', 0},
    {"nothing after the fixed now",
     "SELECT count(*) FROM telemetry_log WHERE recorded_at > '2026-04-30 09:30:00'", '=', 0},
    {"log spans months", "SELECT count(DISTINCT substr(recorded_at, 1, 7)) FROM telemetry_log", '>',
     11},
    {"journeys in progress", "SELECT count(*) FROM journeys WHERE ended_at IS NULL", '>', 0},
    {"journeys end after they start",
     "SELECT count(*) FROM journeys WHERE ended_at IS NOT NULL AND ended_at <= started_at", '=', 0},
    {"ids follow time",
     "SELECT count(*) FROM journeys a JOIN journeys b ON b.id = a.id + 1 "
     "WHERE b.started_at < a.started_at",
     '=', 0},
    {"foreign keys hold", "SELECT count(*) FROM pragma_foreign_key_check", '=', 0},
    {"blobs present", "SELECT count(*) FROM depots WHERE typeof(photo) = 'blob'", '>', 0},
    {"photos are PNGs",
     "SELECT count(*) FROM depots WHERE photo IS NOT NULL "
     "AND hex(substr(photo, 1, 8)) <> '89504E470D0A1A0A'",
     '=', 0},
    {"a photo past the 1 KiB JSON cap", "SELECT count(*) FROM depots WHERE length(photo) > 1024",
     '>', 0},
    {"statistics for the planner", "SELECT count(*) FROM sqlite_stat1", '>', 0},
};

Test(demo, has_every_kind_of_value_the_ui_shows)
{
    char *dir = tmpdir_new();
    char *path = xasprintf("%s/demo.db", dir);
    build_ok(path);
    sqlite3 *db = open_ro(path);
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(probes); i++) {
        const struct probe *p = &probes[i];
        int64_t got = q_int(db, p->sql);
        if (p->op == '=')
            cr_expect_eq(got, p->n, "%s: [%s] = %lld, want %lld", p->what, p->sql, (long long)got,
                         (long long)p->n);
        else
            cr_expect_gt(got, p->n, "%s: [%s] = %lld, want > %lld", p->what, p->sql, (long long)got,
                         (long long)p->n);
    }
    sqlite3_close(db);
    free(path);
    tmpdir_free(dir);
}

Test(demo, second_call_on_an_existing_file_is_a_noop)
{
    char *dir = tmpdir_new();
    char *path = xasprintf("%s/demo.db", dir);
    build_ok(path);
    struct stat a, b;
    cr_assert_eq(stat(path, &a), 0);
    struct timespec pause = {0, 20 * 1000 * 1000}; /* so a rewrite would change the mtime */
    nanosleep(&pause, NULL);

    struct seeki_err err = {0};
    int64_t t0 = ms_now();
    cr_assert_eq(demo_create(path, &err), SEEKI_E_OK, "%s", err.msg);
    int64_t took = ms_now() - t0;
    cr_assert_eq(stat(path, &b), 0);
    cr_expect_eq(a.st_ino, b.st_ino, "the file was replaced");
    cr_expect_eq(a.st_size, b.st_size);
    cr_expect(a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec,
              "mtime changed: %lld.%09ld -> %lld.%09ld", (long long)a.st_mtim.tv_sec,
              a.st_mtim.tv_nsec, (long long)b.st_mtim.tv_sec, b.st_mtim.tv_nsec);
    cr_expect_lt(took, 200, "the no-op call took %lld ms", (long long)took);
    char *ls = dir_listing(dir);
    cr_expect_str_eq(ls, "demo.db");
    free(ls);

    /* Any existing file counts as built: it is never overwritten. */
    char *other = xasprintf("%s/mine.db", dir);
    FILE *f = fopen(other, "w");
    cr_assert_not_null(f);
    fputs("not a database", f);
    fclose(f);
    cr_expect_eq(demo_create(other, &err), SEEKI_E_OK, "%s", err.msg);
    cr_assert_eq(stat(other, &b), 0);
    cr_expect_eq(b.st_size, 14);
    free(other);
    free(path);
    tmpdir_free(dir);
}

Test(demo, two_builds_are_byte_identical_and_make_private_directories)
{
    char *dir = tmpdir_new();
    char *p1 = xasprintf("%s/one/demo.db", dir);
    char *p2 = xasprintf("%s/two/nested/deeper/demo.db", dir);
    int64_t t0 = ms_now();
    build_ok(p1);
    /* At least a second apart, so any embedded clock reading would differ. */
    int64_t gap = ms_now() - t0;
    if (gap < 1100) {
        struct timespec pause = {0, (long)(1100 - gap) * 1000000L};
        nanosleep(&pause, NULL);
    }
    build_ok(p2);

    size_t n1, n2;
    unsigned char *b1 = slurp(p1, &n1), *b2 = slurp(p2, &n2);
    cr_assert_eq(n1, n2, "sizes differ: %zu vs %zu", n1, n2);
    size_t first_diff = n1;
    for (size_t i = 0; i < n1 && first_diff == n1; i++)
        if (b1[i] != b2[i])
            first_diff = i;
    cr_expect_eq(first_diff, n1, "files differ first at byte %zu of %zu", first_diff, n1);
    fprintf(stderr, "demo database size: %zu bytes\n", n1);
    free(b1);
    free(b2);

    static const char *const made[] = {"two", "two/nested", "two/nested/deeper", "one"};
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(made); i++) {
        char *d = xasprintf("%s/%s", dir, made[i]);
        struct stat st;
        cr_assert_eq(stat(d, &st), 0, "%s: %s", d, strerror(errno));
        cr_expect_eq(st.st_mode & 0777, 0700, "%s has mode %o", d, st.st_mode & 0777);
        free(d);
    }
    static const char *const leaves[] = {"one", "two/nested/deeper"}; /* no temp files left */
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(leaves); i++) {
        char *d = xasprintf("%s/%s", dir, leaves[i]);
        char *ls = dir_listing(d);
        cr_expect_str_eq(ls, "demo.db", "%s holds: %s", d, ls);
        free(ls);
        free(d);
    }
    free(p1);
    free(p2);
    tmpdir_free(dir);
}

Test(demo, fails_clearly_when_a_parent_is_a_file)
{
    char *dir = tmpdir_new();
    char *blocker = xasprintf("%s/blocker", dir);
    FILE *f = fopen(blocker, "w");
    cr_assert_not_null(f);
    fclose(f);
    char *path = xasprintf("%s/sub/demo.db", blocker);
    struct seeki_err err = {0};
    enum seeki_code code = demo_create(path, &err);
    cr_expect_eq(code, SEEKI_E_IO, "got %s", seeki_code_name(code));
    cr_expect_neq(strstr(err.msg, path), NULL, "message does not name the path: %s", err.msg);
    cr_expect_neq(strstr(err.msg, "not a directory"), NULL, "message: %s", err.msg);
    cr_expect_neq(strstr(err.msg, "SEEKI_DEMO_DB"), NULL, "message gives no remedy: %s", err.msg);
    char *ls = dir_listing(dir);
    cr_expect_str_eq(ls, "blocker", "left behind: %s", ls);
    free(ls);
    free(path);
    free(blocker);
    tmpdir_free(dir);
}

Test(demo, fails_clearly_under_a_root_that_cannot_hold_directories)
{
    const char *path = "/proc/seeki-demo-test/demo.db";
    struct seeki_err err = {0};
    enum seeki_code code = demo_create(path, &err);
    cr_expect_eq(code, SEEKI_E_IO, "got %s", seeki_code_name(code));
    cr_expect_neq(strstr(err.msg, "/proc/seeki-demo-test"), NULL, "message: %s", err.msg);
    cr_expect_neq(strstr(err.msg, "SEEKI_DEMO_DB"), NULL, "message: %s", err.msg);
    cr_expect_eq(access("/proc/seeki-demo-test", F_OK), -1);
}

Test(demo, fails_clearly_in_a_read_only_directory)
{
    if (geteuid() == 0)
        cr_skip_test("root may write into a mode-0500 directory");
    char *dir = tmpdir_new();
    cr_assert_eq(chmod(dir, 0500), 0);
    char *path = xasprintf("%s/demo.db", dir);
    struct seeki_err err = {0};
    enum seeki_code code = demo_create(path, &err);
    cr_expect_eq(code, SEEKI_E_IO, "got %s", seeki_code_name(code));
    cr_expect_neq(strstr(err.msg, path), NULL, "message: %s", err.msg);
    cr_expect_neq(strstr(err.msg, "SEEKI_DEMO_DB"), NULL, "message: %s", err.msg);
    char *ls = dir_listing(dir);
    cr_expect_str_eq(ls, "", "left behind: %s", ls);
    free(ls);
    free(path);
    tmpdir_free(dir);
}

/* A file-size limit makes the build fail midway, like a full disk (and works
 * for root too): the error says so and the half-written temp file is gone. */
Test(demo, fails_clearly_when_the_disk_fills_and_leaves_no_temp_file)
{
    char *dir = tmpdir_new();
    char *path = xasprintf("%s/demo.db", dir);
    struct rlimit old, lim;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 1 << 20;
    signal(SIGXFSZ, SIG_IGN); /* get EFBIG instead of being killed */
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    struct seeki_err err = {0};
    enum seeki_code code = demo_create(path, &err);
    setrlimit(RLIMIT_FSIZE, &old);

    cr_expect_eq(code, SEEKI_E_IO, "got %s: %s", seeki_code_name(code), err.msg);
    cr_expect_neq(strstr(err.msg, path), NULL, "message does not name the path: %s", err.msg);
    cr_expect(strstr(err.msg, "disk is full") || strstr(err.msg, "SEEKI_DEMO_DB"),
              "message gives no remedy: %s", err.msg);
    char *ls = dir_listing(dir);
    cr_expect_str_eq(ls, "", "left behind: %s", ls);
    free(ls);
    fprintf(stderr, "disk-full message: %s\n", err.msg);
    free(path);
    tmpdir_free(dir);
}

Test(demo, rejects_a_path_that_names_a_directory)
{
    char *dir = tmpdir_new();
    struct seeki_err err = {0};
    cr_expect_eq(demo_create(dir, &err), SEEKI_E_IO);
    cr_expect_neq(strstr(err.msg, "is a directory"), NULL, "message: %s", err.msg);
    char *slash = xasprintf("%s/new/", dir);
    cr_expect_eq(demo_create(slash, &err), SEEKI_E_IO);
    cr_expect_neq(strstr(err.msg, "does not name a file"), NULL, "message: %s", err.msg);
    cr_expect_eq(demo_create("", &err), SEEKI_E_IO);
    free(slash);
    tmpdir_free(dir);
}

/* ------------------------------------------------------- pure helpers */

Test(demo, formats_timestamps)
{
    static const struct {
        int64_t t;
        const char *want;
    } cases[] = {
        {0, "1970-01-01 00:00:00"},
        {-1, "1969-12-31 23:59:59"},
        {951782400, "2000-02-29 00:00:00"},
        {1709251199, "2024-02-29 23:59:59"},
        {DEMO_NOW, "2026-04-30 09:30:00"},
        {4102444800LL, "2100-01-01 00:00:00"},
        {253402300799LL, "9999-12-31 23:59:59"},
        {-62167219200LL, "0000-01-01 00:00:00"},
    };
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(cases); i++) {
        char out[20];
        demo_format_ts(cases[i].t, out);
        cr_expect_str_eq(out, cases[i].want, "t=%lld: got %s, want %s", (long long)cases[i].t, out,
                         cases[i].want);
    }
    cr_expect_eq(demo_days_from_civil(1970, 1, 1), 0);
    cr_expect_eq(demo_days_from_civil(2026, 4, 30) * 86400 + 9 * 3600 + 1800, DEMO_NOW);
    cr_expect_eq(demo_days_from_civil(2000, 3, 1) - demo_days_from_civil(2000, 2, 28), 2);
    cr_expect_eq(demo_days_from_civil(1900, 3, 1) - demo_days_from_civil(1900, 2, 28), 1);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

Test(demo, png_photos_are_well_formed)
{
    static const struct {
        unsigned w;
        uint32_t ihdr_crc; /* from Python's zlib.crc32(b"IHDR" + data) */
    } cases[] = {{16, 0x90916836u}, {24, 0x6f15aaafu}};
    const unsigned char rgb[3] = {10, 20, 30};
    unsigned char *out = xmalloc(3 * 64 * 64 + 64 + 128);
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(cases); i++) {
        unsigned w = cases[i].w;
        size_t n = demo_png(out, w, rgb);
        size_t raw = (size_t)w * (1 + 3 * w);
        cr_expect_eq(n, 8 + 25 + 12 + (2 + 5 + raw + 4) + 12, "w=%u size %zu", w, n);
        cr_expect_eq(memcmp(out, "\x89PNG\r\n\x1a\n", 8), 0);
        cr_expect_eq(be32(out + 8), 13);
        cr_expect_eq(memcmp(out + 12, "IHDR", 4), 0);
        cr_expect_eq(be32(out + 16), w);
        cr_expect_eq(be32(out + 20), w);
        cr_expect_eq(be32(out + 29), cases[i].ihdr_crc, "w=%u IHDR crc %08x", w, be32(out + 29));
        cr_expect_eq(be32(out + 33), 2 + 5 + raw + 4);
        cr_expect_eq(memcmp(out + 37, "IDAT", 4), 0);
        cr_expect_eq(memcmp(out + n - 12, "\0\0\0\0IEND\xae\x42\x60\x82", 12), 0);
    }
    free(out);
}
