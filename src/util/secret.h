/* Secrets (passwords, passphrases, file text that held them) are wiped with
 * explicit_bzero before their memory is freed, so the compiler cannot drop
 * the wipe as a dead store. */
#ifndef SEEKI_UTIL_SECRET_H
#define SEEKI_UTIL_SECRET_H

#include <stddef.h>

/* Wipes the NUL-terminated s and frees it. NULL ok. */
void secret_free(char *s);
/* Wipes n bytes at p and frees it. NULL ok. */
void secret_free_n(void *p, size_t n);

#endif
