/* Builds the bundled demo database for `seeki --demo` (SPEC §8), once: makes
 * the parent directories, fills a temp file beside the target in a single
 * transaction (rows from fill.c), fsyncs it, renames it into place and
 * fsyncs the directory, so an interrupted build never leaves a half-built
 * demo where SeeKi would serve it. */
#include "demo/demo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "demo/demo_int.h"
#include "log.h"
#include "util/mem.h"
#include "store/store.h"
#include "util/clock.h"

#define DEMO_REMEDY "set SEEKI_DEMO_DB to a writable path (for example /tmp/seeki-demo.db)"

/* Set up before the first page is written: no journal and no syncs while
 * building (the temp file is thrown away on any failure and synced once at
 * the end), sorting in memory, and a 16 MiB page cache (a bigger one was not
 * faster and doubled peak memory to ~60 MB). */
static const char pragmas_sql[] = "PRAGMA page_size = 4096;"
                                  "PRAGMA journal_mode = OFF;"
                                  "PRAGMA synchronous = OFF;"
                                  "PRAGMA locking_mode = EXCLUSIVE;"
                                  "PRAGMA temp_store = MEMORY;"
                                  "PRAGMA cache_size = -16384;";

/* Turns a failed SQLite call into the caller's error: file-system trouble
 * (cannot open, read-only, I/O, disk full) is SEEKI_E_IO with a remedy; any
 * other code is a SeeKi bug (SEEKI_E_DB). db may be NULL. */
static enum seeki_code sqlite_fail(sqlite3 *db, int rc, const char *stage, const char *path,
                                   struct seeki_err *err)
{
    const char *reason = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    int sys = db ? sqlite3_system_errno(db) : 0;
    char os[160] = "";
    if (sys)
        snprintf(os, sizeof os, " (%s)", strerror(sys));
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return seeki_fail(
            err, SEEKI_E_IO,
            "Cannot build the demo database '%s' while %s: the disk is full or the "
            "file too large: %s%s. Free some space, or set SEEKI_DEMO_DB to a path on "
            "another disk.",
            path, stage, reason, os);
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
    case SQLITE_NOLFS:
        return seeki_fail(err, SEEKI_E_IO,
                          "Cannot build the demo database '%s' while %s: %s%s. Check that its "
                          "directory is writable and has about 50 MB free, or %s.",
                          path, stage, reason, os, DEMO_REMEDY);
    default:
        return seeki_fail(err, SEEKI_E_DB,
                          "Building the demo database '%s' failed while %s: %s (SQLite code %d). "
                          "This is a bug in SeeKi: please report it with this message.",
                          path, stage, reason, rc);
    }
}

/* Creates and fills the SQLite file tmp and closes it (unsynced). */
static enum seeki_code build_file(const char *tmp, const char *path, struct seeki_err *err)
{
    sqlite3 *db = NULL;
    const char *stage = "creating the file";
    int rc = sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        stage = "setting up the file";
        rc = sqlite3_exec(db, pragmas_sql, NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK) {
        stage = "starting the transaction";
        rc = sqlite3_exec(db, "BEGIN; PRAGMA user_version = " DEMO_STR(DEMO_SCHEMA_VERSION) ";",
                          NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK)
        rc = demo_populate(db, &stage);
    if (rc == SQLITE_OK) {
        stage = "writing the file (commit)";
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    enum seeki_code code = SEEKI_E_OK;
    if (rc != SQLITE_OK)
        code = sqlite_fail(db, rc, stage, path, err);
    rc = sqlite3_close(db); /* every statement is finalized: never SQLITE_BUSY */
    if (code == SEEKI_E_OK && rc != SQLITE_OK)
        code = sqlite_fail(NULL, rc, "closing the file", path, err);
    return code;
}

char *demo_tmp_path(const char *path, bool journal)
{
    return xasprintf("%s.tmp.%ld%s", path, (long)getpid(), journal ? "-journal" : "");
}

enum seeki_code demo_create(const char *path, struct seeki_err *err)
{
    if (!path || !*path || path[strlen(path) - 1] == '/')
        return seeki_fail(err, SEEKI_E_IO, "The demo database path '%s' does not name a file; %s.",
                          path ? path : "", DEMO_REMEDY);
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return seeki_fail(err, SEEKI_E_IO,
                              "The demo database path '%s' is a directory; remove it or %s.", path,
                              DEMO_REMEDY);
        return SEEKI_E_OK; /* built once; delete the file to rebuild */
    }
    if (errno != ENOENT && errno != ENOTDIR)
        return seeki_fail(err, SEEKI_E_IO, "Cannot check the demo database '%s': %s; %s.", path,
                          strerror(errno), DEMO_REMEDY);

    char *dir = store_dir_of(path);
    char *tmp = demo_tmp_path(path, false);
    char *tmp_journal = demo_tmp_path(path, true);
    enum seeki_code code = SEEKI_E_OK;
    char bad[512];
    if (store_mkdirs(dir, bad, sizeof bad) != 0) {
        code = errno == ENOTDIR
                   ? seeki_fail(err, SEEKI_E_IO,
                                "Cannot create the demo database '%s': '%s' is not a directory; %s.",
                                path, bad, DEMO_REMEDY)
                   : seeki_fail(err, SEEKI_E_IO,
                                "Cannot create directory '%s' for the demo database '%s': %s; %s.",
                                bad, path, strerror(errno), DEMO_REMEDY);
        goto fail;
    }
    (void)unlink(tmp); /* left by a crashed build that had our pid */

    log_info("db", "building the demo database at %s (once; takes a few seconds)", path);
    int64_t t0 = clock_ms();
    code = build_file(tmp, path, err);
    if (code != SEEKI_E_OK)
        goto fail;
    bool placed = false;
    if (store_commit(tmp, path, &placed) != 0) {
        if (!placed) {
            code = seeki_fail(err, SEEKI_E_IO,
                              "Cannot flush the finished demo database '%s' to disk and move it "
                              "to '%s': %s; %s.",
                              tmp, path, strerror(errno), DEMO_REMEDY);
            goto fail;
        }
        log_warn("db", "demo database %s is in place, but syncing its directory failed: %s", path,
                 strerror(errno));
    }
    log_info("db", "demo database ready: %d tables, %d rows in %lld ms", 5,
             DEMO_DEPOTS + DEMO_VEHICLES + DEMO_DRIVERS + DEMO_JOURNEYS + DEMO_TELEMETRY,
             (long long)(clock_ms() - t0));
    free(tmp_journal);
    free(tmp);
    free(dir);
    return SEEKI_E_OK;

fail:
    (void)unlink(tmp);
    (void)unlink(tmp_journal);
    free(tmp_journal);
    free(tmp);
    free(dir);
    return code;
}
