/* Every file SeeKi writes goes through here (ARCHITECTURE.md "store/"):
 * directories created 0700, appends that end on a line boundary and reach
 * the disk, and files built under a temporary name, synced and renamed into
 * place, so a crash never leaves half a file. The functions return 0, or -1
 * with errno set; callers write the message (they know what the file is). */
#ifndef SEEKI_STORE_STORE_H
#define SEEKI_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>

/* The directory part of path: "." when it has none, "/" for "/x". Heap. */
char *store_dir_of(const char *path);

/* mkdir -p dir with mode 0700 for each missing component; existing
 * directories keep their mode. A component that exists but is not a
 * directory fails with ENOTDIR. On failure the component that failed is
 * copied to bad (bad may be NULL). */
int store_mkdirs(const char *dir, char *bad, size_t badn);

/* Appends line (which ends in '\n') to path, creating it 0600 (and its
 * missing directories 0700); a last line without its newline gets one first,
 * so the entry never joins it; then fsync. */
int store_append_line(const char *path, const char *line);

/* fsync of a file, or of a directory with dir = true. */
int store_fsync(const char *path, bool dir);

/* Makes the finished temporary file tmp the file path: fsync tmp, rename it
 * over path, fsync the directory. When only the last step fails, *placed is
 * true (the file is in place but its directory entry may not be durable). */
int store_commit(const char *tmp, const char *path, bool *placed);

/* Creates path with exactly len bytes of data and mode 0600 (missing
 * directories 0700), never replacing anything: the data goes to a temporary
 * file beside it, is synced, and is linked into place (EEXIST when path
 * exists by then), then the directory is synced. Nothing is left behind on
 * failure. The setup wizard writes seeki.toml and .seeki.secrets with it. */
int store_write_new(const char *path, const char *data, size_t len);

#endif
