#include <stdlib.h>
#include <string.h>

#include "util/secret.h"

void secret_free(char *s)
{
    if (s)
        secret_free_n(s, strlen(s));
}

void secret_free_n(void *p, size_t n)
{
    if (!p)
        return;
    explicit_bzero(p, n);
    free(p);
}
