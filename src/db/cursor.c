/* Keyset cursors (SPEC §5 "Deep pages"): signed, opaque page tokens that
 * carry a boundary row's order-key values, and the numbered-jump helpers
 * (does an index serve the order; the boundary row at a position). SQL is
 * built by db/sql/ as always: token bytes only ever become bound values.
 * docs/internals/paging.md describes the token layout and the seek. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/sql/sql.h"
#include "db/engine.h"
#include "log.h"
#include "util/mem.h"

#define CUR_VERSION 1
#define CUR_DIGEST_LEN 16 /* bytes of the view digest kept in a token */
#define CUR_MAC_LEN 16    /* bytes of HMAC-SHA256 kept (128-bit tag) */
#define CUR_HEAD_LEN (1 + 1 + 8 + CUR_DIGEST_LEN + 2)
#define CUR_PAGE_MAX INT64_C(1000000000000)
#define CUR_TOKEN_MAX 4096 /* characters; longer input is refused unread */

/* ---- the signing key --------------------------------------------------- */

static uint8_t cur_key[DB_CURSOR_KEY_LEN];
static pthread_once_t cur_key_once = PTHREAD_ONCE_INIT;
static bool cur_key_fixed;

static void cur_key_init(void)
{
    if (cur_key_fixed)
        return;
    if (RAND_bytes(cur_key, (int)sizeof cur_key) != 1) {
        /* a predictable key would let anyone forge tokens, so stop */
        log_error("db", "OpenSSL's RAND_bytes failed; cannot create the cursor signing key");
        abort();
    }
}

static const uint8_t *cur_signing_key(void)
{
    pthread_once(&cur_key_once, cur_key_init);
    return cur_key;
}

#ifdef SEEKI_UNIT
void db_cursor_set_key(const uint8_t key[DB_CURSOR_KEY_LEN])
{
    pthread_once(&cur_key_once, cur_key_init);
    memcpy(cur_key, key, sizeof cur_key);
    cur_key_fixed = true;
}
#endif

/* ---- base64url (RFC 4648 §5, no padding) ---------------------------------- */

static const char cur_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

SEEKI_TESTABLE char *cur_b64url(const uint8_t *p, size_t n)
{
    char *out = xmalloc(n / 3 * 4 + 5);
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = cur_b64[v >> 18];
        out[o++] = cur_b64[(v >> 12) & 63];
        out[o++] = cur_b64[(v >> 6) & 63];
        out[o++] = cur_b64[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        out[o++] = cur_b64[v >> 18];
        out[o++] = cur_b64[(v >> 12) & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = cur_b64[v >> 18];
        out[o++] = cur_b64[(v >> 12) & 63];
        out[o++] = cur_b64[(v >> 6) & 63];
    }
    out[o] = '\0';
    return out;
}

static int cur_b64_val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/* Strict decoding: only the URL-safe alphabet, no padding, no stray bits.
 * NULL on any malformed input; else a heap buffer of *n bytes. */
SEEKI_TESTABLE uint8_t *cur_unb64url(const char *s, size_t *n)
{
    size_t len = strlen(s);
    if (len % 4 == 1)
        return NULL;
    uint8_t *out = xmalloc(len / 4 * 3 + 3);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = cur_b64_val(s[i]);
        if (v < 0) {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) { /* non-canonical: leftover bits must be zero */
        free(out);
        return NULL;
    }
    *n = o;
    return out;
}

/* ---- keys and the view digest ------------------------------------------------ */

size_t db_order_keys(const struct db_engine *e, const struct db_query *q,
                     struct db_order_key **out)
{
    return db_sql_order_keys(db_engine_dialect(e), q, out);
}

void db_keyval_from_cell(struct db_keyval *out, const struct db_cell *c)
{
    memset(out, 0, sizeof *out);
    out->kind = c->kind;
    out->i = c->i;
    out->d = c->d;
    if (c->kind == DB_CELL_TEXT || c->kind == DB_CELL_BLOB) {
        out->s = xmalloc(c->len + 1);
        if (c->len)
            memcpy(out->s, c->s, c->len);
        out->s[c->len] = '\0';
        out->len = c->len;
    }
}

void db_keyvals_free(struct db_keyval *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].s);
    free(v);
}

void db_cursor_free(struct db_cursor *c)
{
    if (!c)
        return;
    db_keyvals_free(c->keys, c->nkeys);
    memset(c, 0, sizeof *c);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

#define CUR_SHA256_LEN 32

/* Length-prefixed field, so no two views hash the same by concatenation. */
static void dig_field(EVP_MD_CTX *h, const char *s, size_t n)
{
    uint8_t len[8];
    put_u64(len, n);
    if (EVP_DigestUpdate(h, len, sizeof len) != 1 || EVP_DigestUpdate(h, s ? s : "", n) != 1)
        abort(); /* only on allocation failure inside OpenSSL */
}

static void dig_str(EVP_MD_CTX *h, const char *s)
{
    dig_field(h, s, s ? strlen(s) : 0);
}

/* SHA-256 (libcrypto) over what makes a view: table, sorts, search, filters
 * (by column name, operator and operands) and the page size. */
void db_view_digest(const struct db_query *q, int64_t page_size, uint8_t out[DB_VIEW_DIGEST_LEN])
{
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    if (!h || EVP_DigestInit_ex(h, EVP_sha256(), NULL) != 1)
        abort(); /* out of memory */
    char num[32];
    const struct db_table *t = q->table;
    dig_str(h, "seeki-cursor-view-v1");
    dig_str(h, t->schema);
    dig_str(h, t->relname);
    for (size_t i = 0; i < q->nsorts; i++) {
        dig_str(h, q->sorts[i].col < t->ncols ? t->cols[q->sorts[i].col].name : "?");
        dig_str(h, q->sorts[i].desc ? "desc" : "asc");
    }
    dig_str(h, "|search");
    dig_str(h, q->search && *q->search ? q->search : "");
    for (size_t i = 0; i < q->nfilters; i++) {
        const struct db_filter *f = &q->filters[i];
        if (f->op == DB_F_NONE)
            continue;
        dig_str(h, f->col < t->ncols ? t->cols[f->col].name : "?");
        int n = snprintf(num, sizeof num, "%d", (int)f->op);
        dig_field(h, num, (size_t)n);
        dig_str(h, f->a);
        dig_str(h, f->b);
    }
    int n = snprintf(num, sizeof num, "|%lld", (long long)page_size);
    dig_field(h, num, (size_t)n);
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(h, out, &len) != 1 || len != CUR_SHA256_LEN)
        abort();
    EVP_MD_CTX_free(h);
}

/* HMAC-SHA256 (libcrypto) of msg under the run's signing key. */
static void cur_mac(const uint8_t *msg, size_t n, uint8_t out[CUR_SHA256_LEN])
{
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), cur_signing_key(), DB_CURSOR_KEY_LEN, msg, n, out, &len) ||
        len != CUR_SHA256_LEN)
        abort(); /* out of memory */
}

/* ---- encode / decode -------------------------------------------------------- */

static size_t cur_keys_size(const struct db_cursor *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nkeys; i++) {
        const struct db_keyval *k = &c->keys[i];
        n += 1 + (k->kind == DB_CELL_INT || k->kind == DB_CELL_REAL ? 8 : 0) +
             (k->kind == DB_CELL_TEXT || k->kind == DB_CELL_BLOB ? 4 + k->len : 0);
    }
    return n;
}

char *db_cursor_encode(const struct db_query *q, int64_t page_size, const struct db_cursor *c)
{
    size_t ksize = cur_keys_size(c);
    size_t nkeys = c->nkeys;
    if (ksize > DB_CURSOR_KEYS_MAX || nkeys > 0xffff) {
        /* too large for a URL: a numbered cursor still leads to the page */
        ksize = 0;
        nkeys = 0;
    }
    size_t len = CUR_HEAD_LEN + ksize + CUR_MAC_LEN;
    uint8_t *p = xcalloc(1, len), *w = p;
    uint8_t dig[CUR_SHA256_LEN], mac[CUR_SHA256_LEN];
    *w++ = CUR_VERSION;
    *w++ = c->prev ? 1 : 0;
    put_u64(w, (uint64_t)c->page);
    w += 8;
    db_view_digest(q, page_size, dig);
    memcpy(w, dig, CUR_DIGEST_LEN);
    w += CUR_DIGEST_LEN;
    *w++ = (uint8_t)(nkeys >> 8);
    *w++ = (uint8_t)nkeys;
    for (size_t i = 0; i < nkeys; i++) {
        const struct db_keyval *k = &c->keys[i];
        *w++ = (uint8_t)k->kind;
        if (k->kind == DB_CELL_INT) {
            put_u64(w, (uint64_t)k->i);
            w += 8;
        } else if (k->kind == DB_CELL_REAL) {
            uint64_t bits;
            memcpy(&bits, &k->d, sizeof bits);
            put_u64(w, bits);
            w += 8;
        } else if (k->kind == DB_CELL_TEXT || k->kind == DB_CELL_BLOB) {
            for (int b = 0; b < 4; b++)
                *w++ = (uint8_t)(k->len >> (24 - 8 * b));
            if (k->len)
                memcpy(w, k->s, k->len);
            w += k->len;
        }
    }
    cur_mac(p, (size_t)(w - p), mac);
    memcpy(w, mac, CUR_MAC_LEN);
    char *tok = cur_b64url(p, len);
    free(p);
    return tok;
}

static enum seeki_code cur_bad(struct seeki_err *err, const char *why)
{
    return seeki_fail(err, SEEKI_E_BAD_PARAM,
                      "Invalid cursor: %s. Cursors come from next_cursor/prev_cursor of an "
                      "earlier answer for the same view and go stale when SeeKi restarts; drop "
                      "the cursor parameter and ask for page=N instead",
                      why);
}

/* Reads the key values after the header; false on any inconsistency. */
static bool cur_read_keys(const uint8_t *p, size_t n, size_t nkeys, struct db_cursor *out)
{
    out->keys = xcalloc(nkeys ? nkeys : 1, sizeof *out->keys);
    for (size_t i = 0; i < nkeys; i++) {
        struct db_keyval *k = &out->keys[i];
        if (n < 1)
            return false;
        k->kind = *p++;
        n--;
        out->nkeys = i + 1;
        switch (k->kind) {
        case DB_CELL_NULL:
            break;
        case DB_CELL_INT:
        case DB_CELL_REAL: {
            if (n < 8)
                return false;
            uint64_t v = get_u64(p);
            p += 8;
            n -= 8;
            if (k->kind == DB_CELL_INT)
                k->i = (int64_t)v;
            else
                memcpy(&k->d, &v, sizeof k->d);
            break;
        }
        case DB_CELL_TEXT:
        case DB_CELL_BLOB: {
            if (n < 4)
                return false;
            size_t len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
            p += 4;
            n -= 4;
            if (len > n)
                return false;
            k->s = xmalloc(len + 1);
            memcpy(k->s, p, len);
            k->s[len] = '\0';
            k->len = len;
            p += len;
            n -= len;
            break;
        }
        default:
            return false;
        }
    }
    return n == 0;
}

enum seeki_code db_cursor_decode(const struct db_query *q, int64_t page_size, const char *token,
                                 struct db_cursor *out, struct seeki_err *err)
{
    memset(out, 0, sizeof *out);
    if (strlen(token) > CUR_TOKEN_MAX)
        return cur_bad(err, "the token is too long to be one SeeKi issued");
    size_t n = 0;
    uint8_t *p = cur_unb64url(token, &n);
    if (!p)
        return cur_bad(err, "the token is not base64url text");
    enum seeki_code rc = SEEKI_E_OK;
    uint8_t mac[CUR_SHA256_LEN], dig[CUR_SHA256_LEN];
    if (n < CUR_HEAD_LEN + CUR_MAC_LEN) {
        rc = cur_bad(err, "the token is too short");
        goto done;
    }
    size_t body = n - CUR_MAC_LEN;
    cur_mac(p, body, mac);
    if (CRYPTO_memcmp(mac, p + body, CUR_MAC_LEN) != 0) {
        rc = cur_bad(err, "its signature does not match (the token was altered, or an earlier "
                          "run of SeeKi issued it)");
        goto done;
    }
    if (p[0] != CUR_VERSION || p[1] > 1) {
        rc = cur_bad(err, "the token has an unknown format version");
        goto done;
    }
    db_view_digest(q, page_size, dig);
    if (memcmp(dig, p + 10, CUR_DIGEST_LEN) != 0) {
        rc = cur_bad(err, "it belongs to another view (a different table, sort, search, filters "
                          "or page_size)");
        goto done;
    }
    out->prev = p[1] == 1;
    uint64_t page = get_u64(p + 2);
    size_t nkeys = (size_t)p[CUR_HEAD_LEN - 2] << 8 | p[CUR_HEAD_LEN - 1];
    if (page < 1 || page > (uint64_t)CUR_PAGE_MAX ||
        !cur_read_keys(p + CUR_HEAD_LEN, body - CUR_HEAD_LEN, nkeys, out)) {
        db_cursor_free(out);
        rc = cur_bad(err, "the token's contents are inconsistent");
        goto done;
    }
    out->page = (int64_t)page;
done:
    free(p);
    return rc;
}

/* ---- numbered jumps ---------------------------------------------------------- */

static bool key_nullable_col(const struct db_table *t, const struct db_order_key *k)
{
    return k->col >= 0 && t->cols[k->col].is_nullable;
}

/* True when the table's rows are stored in row-id order (SQLite rowid
 * tables), so every SQLite index ends with the row id implicitly. */
static bool key_is_rowid(enum db_dialect d, const struct db_table *t, const struct db_order_key *k)
{
    if (d != DB_SQL_SQLITE || !t->has_rowid)
        return false;
    if (k->col < 0)
        return true;
    /* INTEGER PRIMARY KEY is an alias of the rowid */
    return t->npk == 1 && (size_t)k->col == t->pk[0] &&
           strcmp(t->cols[k->col].data_type, "INTEGER") == 0;
}

bool db_index_serves(const struct db_engine *e, const struct db_query *q)
{
    enum db_dialect d = db_engine_dialect(e);
    const struct db_table *t = q->table;
    struct db_order_key *keys = NULL;
    size_t m = db_order_keys(e, q, &keys);
    bool served = false;
    if (m == 0)
        goto done;
    for (size_t i = 1; i < m; i++)
        if (keys[i].desc != keys[0].desc)
            goto done; /* mixed directions: no single index walk */
    /* SQLite's indexes keep NULLs first and cannot give ASC NULLS LAST; a
     * PostgreSQL b-tree's default order (ASC NULLS LAST, backwards DESC NULLS
     * FIRST) is exactly SPEC's. */
    for (size_t i = 0; i < m; i++)
        if (d == DB_SQL_SQLITE && key_nullable_col(t, &keys[i]))
            goto done;
    if (key_is_rowid(d, t, &keys[0])) {
        served = true; /* the table b-tree itself */
        goto done;
    }
    for (size_t x = 0; x < t->nindexes && !served; x++) {
        const struct db_index *ix = &t->indexes[x];
        size_t i = 0;
        while (i < m && i < ix->ncols && keys[i].col >= 0 && ix->cols[i] == (size_t)keys[i].col)
            i++;
        /* every key matched, or the rest is the implicit trailing row id */
        served = i == m || (i == m - 1 && i == ix->ncols && key_is_rowid(d, t, &keys[i])) ||
                 (d == DB_SQL_SQLITE && ix->unique && i == ix->ncols && i > 0);
    }
done:
    free(keys);
    return served;
}

enum seeki_code db_seek_boundary(struct db_engine *e, const struct db_query *q, int64_t pos,
                                 struct db_keyval **keys, size_t *nkeys, bool *found,
                                 struct seeki_err *err)
{
    *keys = NULL;
    *nkeys = 0;
    *found = false;
    struct db_order_key *order = NULL;
    size_t m = db_order_keys(e, q, &order);
    free(order);
    if (m == 0)
        return seeki_fail(err, SEEKI_E_INTERNAL, "boundary lookup on '%s' without an order",
                          q->table->name);
    struct db_query b = *q;
    b.seek = NULL;
    b.nseek = 0;
    b.reverse = false;
    b.with_keys = false;
    b.keys_only = true;
    b.offset = pos;
    b.limit = 1;
    struct db_iter *it = NULL;
    enum seeki_code rc = db_rows_open(e, &b, &it, err);
    if (rc != SEEKI_E_OK)
        return rc;
    const struct db_cell *row = NULL;
    rc = db_iter_next(it, &row, err);
    if (rc == SEEKI_E_OK && row) {
        struct db_keyval *v = xcalloc(m, sizeof *v);
        for (size_t i = 0; i < m; i++)
            db_keyval_from_cell(&v[i], &row[i]);
        *keys = v;
        *nkeys = m;
        *found = true;
    }
    db_iter_close(it);
    return rc;
}
