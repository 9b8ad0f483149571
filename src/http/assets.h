/* Web assets embedded at build time by tools/embed.c (build/.../gen/assets.c).
 * The table is static, read-only data: safe from any thread. */
#ifndef SEEKI_ASSETS_H
#define SEEKI_ASSETS_H

#include <stddef.h>

struct asset {
    const char *path;          /* URL path, e.g. "/index.html" */
    const unsigned char *data; /* len bytes (plus a trailing NUL) */
    size_t len;
    const char *mime;          /* Content-Type */
};

extern const struct asset assets_table[];
extern const size_t assets_count;

/* Returns the asset for a URL path ("/" means "/index.html"), or NULL. */
const struct asset *assets_find(const char *path);

#endif
