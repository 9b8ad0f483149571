/* seeki_icontains(hay, needle) for SQLite: true when needle occurs in hay
 * ignoring case, with Unicode default case folding (libunistring's
 * u8_casefold, no normalization) on both sides, so `MOTÖRHEAD` finds
 * `Motörhead` and `ΟΔΟΣ` finds `οδος`. The needle is matched literally: `%`,
 * `_` and `\` are ordinary characters. SeeKi registers it on every SQLite
 * connection it opens; db/sql/build.c writes it for search and "contains" filters.
 * NULL hay gives NULL (no match); text that is not valid UTF-8 is compared
 * as its bytes. */
#include <stdlib.h>
#include <string.h>
#include <unicase.h>

#include <sqlite3.h>

#include "db/sql/sql.h"
#include "db/sqlite/sqlite_int.h"

/* Folded text fits here for most cells; longer ones are allocated. */
#define FOLD_STACK 512

struct fold {
    uint8_t *s; /* folded text: buf, a heap copy, or the input itself */
    size_t n;
    bool heap;
    uint8_t buf[FOLD_STACK];
};

static bool fold_is_ascii(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] & 0x80)
            return false;
    return true;
}

/* Folds s[0..n) into f. ASCII folds to its lower case (exactly what Unicode
 * folding does to it), anything else through u8_casefold. */
static void fold_text(struct fold *f, const uint8_t *s, size_t n)
{
    f->heap = false;
    if (fold_is_ascii(s, n)) {
        f->s = n <= sizeof f->buf ? f->buf : malloc(n ? n : 1);
        if (!f->s) {
            f->s = (uint8_t *)s; /* out of memory: compare as it is */
            f->n = n;
            return;
        }
        f->heap = f->s != f->buf;
        for (size_t i = 0; i < n; i++)
            f->s[i] = (uint8_t)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + ('a' - 'A') : s[i]);
        f->n = n;
        return;
    }
    size_t len = sizeof f->buf;
    uint8_t *r = u8_casefold(s, n, NULL, NULL, f->buf, &len);
    if (!r) { /* invalid UTF-8 (EILSEQ) or out of memory: the bytes as they are */
        f->s = (uint8_t *)s;
        f->n = n;
        return;
    }
    f->s = r;
    f->n = len;
    f->heap = r != f->buf;
}

static void fold_free(struct fold *f)
{
    if (f->heap)
        free(f->s);
}

/* The needle, folded once per statement (kept as SQLite auxdata). */
struct needle {
    size_t n;
    uint8_t s[];
};

static void icontains(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return; /* NULL: not a match */
    const uint8_t *hay = sqlite3_value_text(argv[0]);
    size_t hn = (size_t)sqlite3_value_bytes(argv[0]);
    const uint8_t *raw = sqlite3_value_text(argv[1]);
    size_t rn = (size_t)sqlite3_value_bytes(argv[1]);
    if (!hay || !raw) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    const struct needle *nd = sqlite3_get_auxdata(ctx, 1);
    struct fold nf = {.heap = false};
    const uint8_t *ns;
    size_t nn;
    if (nd) {
        ns = nd->s;
        nn = nd->n;
    } else {
        fold_text(&nf, raw, rn);
        ns = nf.s;
        nn = nf.n;
        /* kept for the next rows; SQLite may drop it at once, so nf stays in use */
        struct needle *copy = malloc(sizeof *copy + nn + 1);
        if (copy) {
            copy->n = nn;
            memcpy(copy->s, ns, nn);
            sqlite3_set_auxdata(ctx, 1, copy, free);
        }
    }
    if (nn == 0) {
        sqlite3_result_int(ctx, 1);
    } else {
        struct fold h;
        fold_text(&h, hay, hn);
        sqlite3_result_int(ctx, memmem(h.s, h.n, ns, nn) != NULL);
        fold_free(&h);
    }
    fold_free(&nf);
}

int db_sqlite_register_fold(sqlite3 *db)
{
    return sqlite3_create_function(db, DB_SQLITE_ICONTAINS, 2,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                   icontains, NULL, NULL);
}
