/* Growable byte buffer with a named maximum. Appends past the maximum fail
 * (return -1) and leave the buffer unchanged, so callers can turn an
 * oversized input into a clear error instead of unbounded memory use. The
 * contents are always NUL-terminated. Not thread-safe; one owner. */
#ifndef SEEKI_BUF_H
#define SEEKI_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data;  /* NUL-terminated; NULL until the first append */
    size_t len;  /* bytes used, excluding the NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* largest len allowed; 0 means SIZE_MAX */
};

/* Common limits (bytes). */
#define BUF_MAX_SQL (1u << 20)
#define BUF_MAX_BODY (64u * 1024u)

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b); /* releases storage; b may be reused after buf_init */
void buf_reset(struct buf *b); /* len = 0, keeps storage */
int buf_append(struct buf *b, const void *p, size_t n) __attribute__((warn_unused_result));
int buf_puts(struct buf *b, const char *s) __attribute__((warn_unused_result));
int buf_putc(struct buf *b, char c) __attribute__((warn_unused_result));
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)))
__attribute__((warn_unused_result));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Returns the heap string and leaves b empty (ownership moves to the caller). */
char *buf_take(struct buf *b);
/* "" when empty, never NULL. */
const char *buf_str(const struct buf *b);

/* For scratch buffers made with buf_init(b, 0) (no maximum), where an append
 * cannot fail: they abort if one ever does (out of memory aborts anyway). */
void buf_must_putc(struct buf *b, char c);
void buf_must_append(struct buf *b, const void *p, size_t n);

#endif
