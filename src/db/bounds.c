/* Where recently served pages ended (db_bounds_remember / db_bounds_near;
 * docs/paging.md "Numbered pages"). A numbered jump costs an index scan or
 * an OFFSET over every row before it; when SeeKi served a page of the same
 * view a few pages earlier, it can seek from that page's last row and skip
 * only the pages in between. Entries are keyed by the view's digest (table,
 * sorts, search, filters, page size) and page number, and valid only under
 * the change token they were recorded with (a table whose changes SeeKi
 * cannot see is never remembered) and for BOUNDS_TTL_MS. Bounded: at most
 * BOUNDS_MAX entries, the least recently used replaced first; key values are
 * at most DB_CURSOR_KEYS_MAX bytes each (larger pages are not remembered). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_int.h"
#include "util/clock.h"
#include "util/mem.h"

#define BOUNDS_MAX 256
#define BOUNDS_TTL_MS 60000

struct bound {
    bool used;
    uint8_t view[DB_VIEW_DIGEST_LEN];
    int64_t page;
    char version[DB_VERSION_MAX];
    struct db_keyval *keys;
    size_t nkeys;
    int64_t at_ms, used_ms;
};

struct db_bounds {
    pthread_mutex_t mu;
    struct bound b[BOUNDS_MAX];
};

struct db_bounds *db_bounds_new(void)
{
    struct db_bounds *b = xcalloc(1, sizeof *b);
    pthread_mutex_init(&b->mu, NULL);
    return b;
}

static void bound_clear(struct bound *x)
{
    db_keyvals_free(x->keys, x->nkeys);
    memset(x, 0, sizeof *x);
}

void db_bounds_free(struct db_bounds *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < BOUNDS_MAX; i++)
        bound_clear(&b->b[i]);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

static struct db_keyval *keys_copy(const struct db_keyval *k, size_t n)
{
    struct db_keyval *c = xcalloc(n ? n : 1, sizeof *c);
    for (size_t i = 0; i < n; i++) {
        c[i] = k[i];
        if (k[i].s) {
            c[i].s = xmalloc(k[i].len + 1);
            memcpy(c[i].s, k[i].s, k[i].len);
            c[i].s[k[i].len] = '\0';
        }
    }
    return c;
}

static size_t keys_size(const struct db_keyval *k, size_t n)
{
    size_t sz = 0;
    for (size_t i = 0; i < n; i++)
        sz += 16 + k[i].len;
    return sz;
}

void db_bounds_remember(struct db_engine *e, const struct db_query *q, int64_t page_size,
                        int64_t page, const struct db_keyval *keys, size_t nkeys,
                        const struct db_total *tot)
{
    struct db_bounds *b = e->bounds;
    if (!b || !keys || !nkeys || !tot->tracked || !tot->version[0] ||
        keys_size(keys, nkeys) > DB_CURSOR_KEYS_MAX)
        return;
    uint8_t view[DB_VIEW_DIGEST_LEN];
    db_view_digest(q, page_size, view);
    int64_t now = clock_ms();
    pthread_mutex_lock(&b->mu);
    struct bound *slot = NULL, *free_slot = NULL, *lru = NULL;
    for (size_t i = 0; i < BOUNDS_MAX && !slot; i++) {
        struct bound *x = &b->b[i];
        if (!x->used) {
            if (!free_slot)
                free_slot = x;
        } else if (x->page == page && memcmp(x->view, view, sizeof view) == 0) {
            slot = x;
        } else if (!lru || x->used_ms < lru->used_ms) {
            lru = x;
        }
    }
    if (!slot)
        slot = free_slot ? free_slot : lru;
    bound_clear(slot);
    slot->used = true;
    memcpy(slot->view, view, sizeof view);
    slot->page = page;
    memcpy(slot->version, tot->version, sizeof slot->version);
    slot->keys = keys_copy(keys, nkeys);
    slot->nkeys = nkeys;
    slot->at_ms = slot->used_ms = now;
    pthread_mutex_unlock(&b->mu);
}

bool db_bounds_near(struct db_engine *e, const struct db_query *q, int64_t page_size,
                    int64_t page, const struct db_total *tot, int64_t *from,
                    struct db_keyval **keys, size_t *nkeys)
{
    struct db_bounds *b = e->bounds;
    *keys = NULL;
    *nkeys = 0;
    if (!b || !tot->tracked || !tot->version[0] || page < 2)
        return false;
    uint8_t view[DB_VIEW_DIGEST_LEN];
    db_view_digest(q, page_size, view);
    int64_t now = clock_ms();
    pthread_mutex_lock(&b->mu);
    struct bound *best = NULL;
    for (size_t i = 0; i < BOUNDS_MAX; i++) {
        struct bound *x = &b->b[i];
        if (!x->used || x->page >= page || x->page < page - DB_BOUNDS_NEAR ||
            memcmp(x->view, view, sizeof view) != 0)
            continue;
        if (strcmp(x->version, tot->version) != 0 || now - x->at_ms >= BOUNDS_TTL_MS) {
            bound_clear(x); /* the table changed, or too old */
            continue;
        }
        if (!best || x->page > best->page)
            best = x;
    }
    if (best) {
        best->used_ms = now;
        *from = best->page;
        *keys = keys_copy(best->keys, best->nkeys);
        *nkeys = best->nkeys;
    }
    pthread_mutex_unlock(&b->mu);
    return best != NULL;
}
