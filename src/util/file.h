/* util/file.c: reading a whole regular file. */
#ifndef SEEKI_UTIL_FILE_H
#define SEEKI_UTIL_FILE_H

#include <stddef.h>
#include <sys/stat.h>

#include "util/err.h"

/* Reads a whole regular file (at most max bytes) into a NUL-terminated heap
 * buffer. what ("Config file", "Secrets file") starts error messages, which
 * are SEEKI_E_CONFIG. Anything that is not a regular file (a FIFO, a
 * directory, a device) is refused at once, without waiting on it. When st is
 * non-NULL it receives the file's fstat. */
enum seeki_code file_read_all(const char *path, const char *what, size_t max, char **out,
                              size_t *len, struct stat *st, struct seeki_err *err)
    SEEKI_MUST_CHECK;

#endif
