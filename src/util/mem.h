/* Allocation wrappers that abort with a message on out-of-memory, so callers
 * never handle NULL from an allocation. Everything they return is freed with
 * free(). */
#ifndef SEEKI_MEM_H
#define SEEKI_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Returns NULL for a NULL s. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Frees v[0..n) and v itself (an array of heap strings). NULL ok. */
void strv_free(char **v, size_t n);

/* Exposes a static function to unit tests (built with -DSEEKI_UNIT) while
 * keeping it static in the release binary. */
#ifdef SEEKI_UNIT
#define SEEKI_TESTABLE
#else
#define SEEKI_TESTABLE static
#endif

#define SEEKI_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
