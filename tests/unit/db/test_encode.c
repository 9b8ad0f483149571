/* Value encoding (SPEC §4) for both engines' cells, every vtype, in JSON and
 * CSV, with the edge values: 2^53-1 vs 2^53, NaN, infinity dates, the bytea
 * cap, nested arrays, invalid UTF-8, empty vs whitespace strings. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dbtest.h"
#include "util/mem.h"

#define NUL_                                                                                       \
    {                                                                                              \
        .kind = DB_CELL_NULL                                                                       \
    }
#define I(x)                                                                                       \
    {                                                                                              \
        .kind = DB_CELL_INT, .i = (x)                                                              \
    }
#define R(x)                                                                                       \
    {                                                                                              \
        .kind = DB_CELL_REAL, .d = (x)                                                             \
    }
#define T(x)                                                                                       \
    {                                                                                              \
        .kind = DB_CELL_TEXT, .s = (x), .len = sizeof(x) - 1                                       \
    }
#define B(x)                                                                                       \
    {                                                                                              \
        .kind = DB_CELL_BLOB, .s = (x), .len = sizeof(x) - 1                                       \
    }

struct ecase {
    enum db_vtype vt, elem;
    struct db_cell cell;
    const char *json, *csv;
};

// clang-format off
static const struct ecase cases[] = {
    /* NULL, empty and whitespace */
    {DB_VT_TEXT, 0, NUL_, "null", ""},
    {DB_VT_INT, 0, NUL_, "null", ""},
    {DB_VT_TEXT, 0, T(""), "\"\"", "\"\""},
    {DB_VT_TEXT, 0, T("   "), "\"   \"", "\"   \""},
    {DB_VT_TEXT, 0, T("ab   "), "\"ab   \"", "\"ab   \""},
    {DB_VT_TEXT, 0, T("\tx"), "\"\\tx\"", "\"\tx\""},
    /* integers */
    {DB_VT_INT, 0, I(42), "42", "42"},
    {DB_VT_INT, 0, I(-7), "-7", "-7"},
    {DB_VT_BIGINT, 0, I(9007199254740991LL), "9007199254740991", "9007199254740991"},
    {DB_VT_BIGINT, 0, I(9007199254740992LL), "\"9007199254740992\"", "9007199254740992"},
    {DB_VT_BIGINT, 0, I(-9007199254740991LL), "-9007199254740991", "-9007199254740991"},
    {DB_VT_BIGINT, 0, I(-9007199254740992LL), "\"-9007199254740992\"", "-9007199254740992"},
    {DB_VT_BIGINT, 0, I(INT64_MIN), "\"-9223372036854775808\"", "-9223372036854775808"},
    {DB_VT_INT, 0, T("42"), "42", "42"},
    {DB_VT_BIGINT, 0, T("0"), "0", "0"},
    {DB_VT_BIGINT, 0, T("9007199254740991"), "9007199254740991", "9007199254740991"},
    {DB_VT_BIGINT, 0, T("9007199254740992"), "\"9007199254740992\"", "9007199254740992"},
    {DB_VT_BIGINT, 0, T("-9007199254740991"), "-9007199254740991", "-9007199254740991"},
    {DB_VT_BIGINT, 0, T("-9007199254740992"), "\"-9007199254740992\"", "-9007199254740992"},
    {DB_VT_BIGINT, 0, T("12345678901234567890"), "\"12345678901234567890\"",
     "12345678901234567890"},
    {DB_VT_BIGINT, 0, T("abc"), "\"abc\"", "abc"}, /* SQLite text in an INTEGER column */
    /* floats */
    {DB_VT_FLOAT, 0, R(1.5), "1.5", "1.5"},
    {DB_VT_FLOAT, 0, R(0.1), "0.1", "0.1"},
    {DB_VT_FLOAT, 0, R(1.0 / 3.0), "0.3333333333333333", "0.3333333333333333"},
    {DB_VT_FLOAT, 0, R(2.0), "2", "2"},
    {DB_VT_FLOAT, 0, R(1e300), "1e+300", "1e+300"},
    {DB_VT_FLOAT, 0, R(-0.0), "-0", "-0"},
    {DB_VT_FLOAT, 0, R(NAN), "\"NaN\"", "NaN"},
    {DB_VT_FLOAT, 0, R(INFINITY), "\"Infinity\"", "Infinity"},
    {DB_VT_FLOAT, 0, R(-INFINITY), "\"-Infinity\"", "-Infinity"},
    {DB_VT_FLOAT, 0, T("3.14"), "3.14", "3.14"},
    {DB_VT_FLOAT, 0, T("1.5e+20"), "1.5e+20", "1.5e+20"},
    {DB_VT_FLOAT, 0, T("NaN"), "\"NaN\"", "NaN"},
    {DB_VT_FLOAT, 0, T("Infinity"), "\"Infinity\"", "Infinity"},
    {DB_VT_FLOAT, 0, T("-Infinity"), "\"-Infinity\"", "-Infinity"},
    {DB_VT_FLOAT, 0, I(3), "3", "3"},
    /* numeric and money: exact text as strings */
    {DB_VT_NUMERIC, 0, T("1234.5000000000"), "\"1234.5000000000\"", "1234.5000000000"},
    {DB_VT_NUMERIC, 0, T("NaN"), "\"NaN\"", "NaN"},
    {DB_VT_NUMERIC, 0, I(5), "\"5\"", "5"},
    {DB_VT_NUMERIC, 0, R(2.5), "\"2.5\"", "2.5"},
    {DB_VT_MONEY, 0, T("$1,234.50"), "\"$1,234.50\"", "\"$1,234.50\""},
    /* booleans */
    {DB_VT_BOOL, 0, T("t"), "true", "true"},
    {DB_VT_BOOL, 0, T("f"), "false", "false"},
    {DB_VT_BOOL, 0, I(1), "true", "true"},
    {DB_VT_BOOL, 0, I(0), "false", "false"},
    {DB_VT_BOOL, 0, R(1.0), "true", "true"},
    {DB_VT_BOOL, 0, I(2), "2", "2"},
    {DB_VT_BOOL, 0, T("yes"), "true", "true"},
    {DB_VT_BOOL, 0, T("FALSE"), "false", "false"},
    {DB_VT_BOOL, 0, T("maybe"), "\"maybe\"", "maybe"},
    /* text escaping */
    {DB_VT_TEXT, 0, T("a,b"), "\"a,b\"", "\"a,b\""},
    {DB_VT_TEXT, 0, T("say \"hi\""), "\"say \\\"hi\\\"\"", "\"say \"\"hi\"\"\""},
    {DB_VT_TEXT, 0, T("back\\slash"), "\"back\\\\slash\"", "back\\slash"},
    {DB_VT_TEXT, 0, T("l1\nl2\r\n"), "\"l1\\nl2\\r\\n\"", "\"l1\nl2\r\n\""},
    {DB_VT_TEXT, 0, T("\x01\x1f\b\f"), "\"\\u0001\\u001f\\b\\f\"", "\x01\x1f\b\f"},
    {DB_VT_TEXT, 0, T("h\xc3\xa9llo \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x9a\x97"),
     "\"h\xc3\xa9llo \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x9a\x97\"",
     "h\xc3\xa9llo \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x9a\x97"},
    {DB_VT_TEXT, 0, T("a\xff" "b"), "\"a\xef\xbf\xbd" "b\"", "a\xef\xbf\xbd" "b"},
    {DB_VT_TEXT, 0, T("\xc3"), "\"\xef\xbf\xbd\"", "\xef\xbf\xbd"},
    {DB_VT_TEXT, 0, T("\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"", "\xef\xbf\xbd\xef\xbf\xbd"},
    {DB_VT_TEXT, 0, T("\xed\xa0\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    {DB_VT_TEXT, 0, T("\xf4\x90\x80\x80"),
     "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    {DB_VT_TEXT, 0, T("a\0b"), "\"a\\u0000b\"", NULL},
    {DB_VT_TEXT, 0, I(5), "5", "5"},   /* storage class wins: no-affinity column */
    {DB_VT_TEXT, 0, R(1.5), "1.5", "1.5"},
    /* dates and times */
    {DB_VT_DATE, 0, T("2026-04-15"), "\"2026-04-15\"", "2026-04-15"},
    {DB_VT_DATE, 0, T("infinity"), "\"infinity\"", "infinity"},
    {DB_VT_DATE, 0, T("-infinity"), "\"-infinity\"", "-infinity"},
    {DB_VT_DATE, 0, I(1700000000), "1700000000", "1700000000"},
    {DB_VT_TIMESTAMP, 0, T("2026-01-02 03:04:05.5"), "\"2026-01-02 03:04:05.5\"",
     "2026-01-02 03:04:05.5"},
    {DB_VT_TIMESTAMP, 0, T("infinity"), "\"infinity\"", "infinity"},
    {DB_VT_TIMESTAMPTZ, 0, T("2026-01-02 03:04:05.5+00"), "\"2026-01-02T03:04:05.5Z\"",
     "2026-01-02T03:04:05.5Z"},
    {DB_VT_TIMESTAMPTZ, 0, T("2026-01-02 03:04:05+00"), "\"2026-01-02T03:04:05Z\"",
     "2026-01-02T03:04:05Z"},
    {DB_VT_TIMESTAMPTZ, 0, T("2026-01-02 03:04:05.123456+00"),
     "\"2026-01-02T03:04:05.123456Z\"", "2026-01-02T03:04:05.123456Z"},
    {DB_VT_TIMESTAMPTZ, 0, T("2026-01-02 03:04:05+05:30"), "\"2026-01-02T03:04:05+05:30\"",
     "2026-01-02T03:04:05+05:30"},
    {DB_VT_TIMESTAMPTZ, 0, T("infinity"), "\"infinity\"", "infinity"},
    {DB_VT_TIMESTAMPTZ, 0, T("-infinity"), "\"-infinity\"", "-infinity"},
    {DB_VT_TIMESTAMPTZ, 0, T("0044-03-15 12:00:00+00 BC"), "\"0044-03-15 12:00:00+00 BC\"",
     "0044-03-15 12:00:00+00 BC"},
    {DB_VT_TIME, 0, T("12:00:00.25"), "\"12:00:00.25\"", "12:00:00.25"},
    {DB_VT_TIME, 0, T("12:00:00+05:30"), "\"12:00:00+05:30\"", "12:00:00+05:30"},
    {DB_VT_INTERVAL, 0, T("1 day 02:00:00"), "\"1 day 02:00:00\"", "1 day 02:00:00"},
    /* misc text forms */
    {DB_VT_UUID, 0, T("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
     "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {DB_VT_NETWORK, 0, T("192.168.0.1/24"), "\"192.168.0.1/24\"", "192.168.0.1/24"},
    {DB_VT_OTHER, 0, T("(1,2)"), "\"(1,2)\"", "\"(1,2)\""},
    /* JSON: inlined when valid, big numbers kept */
    {DB_VT_JSON, 0, T("{\"a\": 1}"), "{\"a\": 1}", "\"{\"\"a\"\": 1}\""},
    {DB_VT_JSON, 0, T("[1,2]"), "[1,2]", "\"[1,2]\""},
    {DB_VT_JSON, 0, T("123456789012345678901234567890"), "123456789012345678901234567890",
     "123456789012345678901234567890"},
    {DB_VT_JSON, 0, T("{\"n\":1e400}"), "{\"n\":1e400}", "\"{\"\"n\"\":1e400}\""},
    {DB_VT_JSON, 0, T("\"str\""), "\"str\"", "\"\"\"str\"\"\""},
    {DB_VT_JSON, 0, T("  true  "), "  true  ", "\"  true  \""},
    {DB_VT_JSON, 0, T("not json"), "\"not json\"", "not json"},
    {DB_VT_JSON, 0, T("{\"a\":}"), "\"{\\\"a\\\":}\"", "\"{\"\"a\"\":}\""},
    {DB_VT_JSON, 0, T(""), "\"\"", "\"\""},
    {DB_VT_JSON, 0, I(3), "3", "3"},
    /* binary */
    {DB_VT_BYTEA, 0, B("\x01\xab"), "\"\\\\x01ab\"", "\\x01ab"},
    {DB_VT_BYTEA, 0, B(""), "\"\\\\x\"", "\\x"},
    {DB_VT_BYTEA, 0, T("\\x01ab"), "\"\\\\x01ab\"", "\\x01ab"},
    {DB_VT_TEXT, 0, B("\xff"), "\"\\\\xff\"", "\\xff"},
    /* arrays by element type, nested */
    {DB_VT_ARRAY, DB_VT_INT, T("{1,2,NULL}"), "[1,2,null]", "\"[1,2,null]\""},
    {DB_VT_ARRAY, DB_VT_TEXT, T("{\"a b\",c,\"NULL\",NULL}"), "[\"a b\",\"c\",\"NULL\",null]",
     NULL},
    {DB_VT_ARRAY, DB_VT_INT, T("{{1,2},{3,4}}"), "[[1,2],[3,4]]", NULL},
    {DB_VT_ARRAY, DB_VT_TEXT, T("{{{a}},{{b}}}"), "[[[\"a\"]],[[\"b\"]]]", NULL},
    {DB_VT_ARRAY, DB_VT_INT, T("{}"), "[]", "[]"},
    {DB_VT_ARRAY, DB_VT_INT, T("[0:1]={1,2}"), "[1,2]", NULL},
    {DB_VT_ARRAY, DB_VT_BOOL, T("{t,f}"), "[true,false]", NULL},
    {DB_VT_ARRAY, DB_VT_BIGINT, T("{9007199254740993,1}"), "[\"9007199254740993\",1]", NULL},
    {DB_VT_ARRAY, DB_VT_FLOAT, T("{NaN,1.5,-Infinity}"), "[\"NaN\",1.5,\"-Infinity\"]", NULL},
    {DB_VT_ARRAY, DB_VT_NUMERIC, T("{1.50,2}"), "[\"1.50\",\"2\"]", NULL},
    {DB_VT_ARRAY, DB_VT_JSON, T("{\"{\\\"a\\\": 1}\",\"[2]\"}"), "[{\"a\": 1},[2]]", NULL},
    {DB_VT_ARRAY, DB_VT_TEXT, T("{\"q\\\"uote\",\"back\\\\slash\"}"),
     "[\"q\\\"uote\",\"back\\\\slash\"]", NULL},
    {DB_VT_ARRAY, DB_VT_TIMESTAMPTZ, T("{\"2026-01-02 03:04:05+00\"}"),
     "[\"2026-01-02T03:04:05Z\"]", NULL},
    {DB_VT_ARRAY, DB_VT_BYTEA, T("{\"\\\\x01\"}"), "[\"\\\\x01\"]", NULL},
    {DB_VT_ARRAY, DB_VT_INT, T("{1,2"), "\"{1,2\"", "\"{1,2\""},
    {DB_VT_ARRAY, DB_VT_INT, T("{1,,2}"), "\"{1,,2}\"", NULL},
    {DB_VT_ARRAY, DB_VT_INT, T("{1}x"), "\"{1}x\"", NULL},
};
// clang-format on

static char *enc(const struct db_column *c, const struct db_cell *v, bool csv, int *rc)
{
    struct buf b;
    buf_init(&b, 0);
    *rc = csv ? db_cell_csv(c, v, &b) : db_cell_json(c, v, &b);
    /* NUL-safe: the test strings never contain NUL except where noted */
    return buf_take(&b);
}

Test(encode, every_vtype_in_json_and_csv_from_a_table)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct ecase *ec = &cases[i];
        struct db_column c = {
            .name = "c", .data_type = "t", .vtype = ec->vt, .elem_vtype = ec->elem};
        int rc;
        char *j = enc(&c, &ec->cell, false, &rc);
        cr_expect_eq(rc, 0);
        cr_expect_str_eq(j, ec->json, "case %zu (vtype %d) json:\n got  [%s]\n want [%s]", i,
                         ec->vt, j, ec->json);
        /* the JSON is always valid JSON (jansson agrees) */
        json_error_t jerr;
        json_t *parsed = json_loads(j, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        bool bignum = strstr(j, "12345678901234567890") || strstr(j, "1e400");
        if (!bignum)
            cr_expect_not_null(parsed, "case %zu: invalid JSON [%s]: %s", i, j, jerr.text);
        json_decref(parsed);
        free(j);
        if (ec->csv) {
            char *s = enc(&c, &ec->cell, true, &rc);
            cr_expect_eq(rc, 0);
            cr_expect_str_eq(s, ec->csv, "case %zu (vtype %d) csv:\n got  [%s]\n want [%s]", i,
                             ec->vt, s, ec->csv);
            free(s);
        }
    }
}

Test(encode, csv_keeps_nul_bytes_inside_a_field)
{
    struct db_column c = {.name = "c", .data_type = "t", .vtype = DB_VT_TEXT};
    struct db_cell v = T("a\0b");
    struct buf b;
    buf_init(&b, 0);
    cr_assert_eq(db_cell_csv(&c, &v, &b), 0);
    cr_expect_eq(b.len, 3);
    cr_expect(memcmp(b.data, "a\0b", 3) == 0);
    buf_free(&b);
}

/* bytea: JSON shows the first 1024 bytes then "…(N bytes)"; CSV all of it */
Test(encode, bytea_cap_in_json_and_full_in_csv)
{
    struct db_column c = {.name = "c", .data_type = "bytea", .vtype = DB_VT_BYTEA};
    unsigned char raw[1025];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (unsigned char)i;
    struct buf hex;
    buf_init(&hex, 0);
    for (size_t i = 0; i < sizeof raw; i++)
        cr_assert_eq(buf_printf(&hex, "%02x", raw[i]), 0);
    const char *h = buf_str(&hex);

    for (int exact = 0; exact < 2; exact++) {
        size_t n = exact ? 1024 : 1025;
        struct db_cell blob = {.kind = DB_CELL_BLOB, .s = (const char *)raw, .len = n};
        int rc;
        char *j = enc(&c, &blob, false, &rc);
        char *want = exact ? xasprintf("\"\\\\x%.2048s\"", h)
                           : xasprintf("\"\\\\x%.2048s\xE2\x80\xA6(1025 bytes)\"", h);
        cr_expect_str_eq(j, want, "blob of %zu bytes", n);
        free(want);
        free(j);
        char *s = enc(&c, &blob, true, &rc);
        cr_expect_eq(strlen(s), 2 + 2 * n);
        cr_expect(strncmp(s, "\\x", 2) == 0 && strncmp(s + 2, h, 2 * n) == 0);
        free(s);

        /* PostgreSQL's text form of the same value */
        char *text = xasprintf("\\x%.*s", (int)(2 * n), h);
        struct db_cell tc = {.kind = DB_CELL_TEXT, .s = text, .len = strlen(text)};
        j = enc(&c, &tc, false, &rc);
        want = exact ? xasprintf("\"\\\\x%.2048s\"", h)
                     : xasprintf("\"\\\\x%.2048s\xE2\x80\xA6(1025 bytes)\"", h);
        cr_expect_str_eq(j, want, "bytea text of %zu bytes", n);
        free(want);
        free(j);
        s = enc(&c, &tc, true, &rc);
        cr_expect_str_eq(s, text);
        free(s);
        free(text);
    }
    buf_free(&hex);
}

Test(encode, full_buffer_fails_and_leaves_no_half_value)
{
    struct db_column c = {.name = "c", .data_type = "t", .vtype = DB_VT_TEXT};
    struct db_cell v = T("a long string value");
    struct buf b;
    buf_init(&b, 8);
    cr_assert_eq(buf_puts(&b, "[1,"), 0);
    cr_expect_eq(db_cell_json(&c, &v, &b), -1);
    cr_expect_str_eq(buf_str(&b), "[1,");
    cr_expect_eq(db_cell_csv(&c, &v, &b), -1);
    cr_expect_str_eq(buf_str(&b), "[1,");
    struct db_cell n = I(7);
    cr_expect_eq(db_cell_json(&c, &n, &b), 0);
    cr_expect_str_eq(buf_str(&b), "[1,7");
    buf_free(&b);
}

Test(encode, deep_json_is_sent_as_a_string)
{
    struct db_column c = {.name = "c", .data_type = "json", .vtype = DB_VT_JSON};
    char deep[1001];
    memset(deep, '[', 500);
    memset(deep + 500, ']', 500);
    deep[1000] = '\0';
    struct db_cell v = {.kind = DB_CELL_TEXT, .s = deep, .len = 1000};
    int rc;
    char *j = enc(&c, &v, false, &rc);
    cr_expect_eq(j[0], '"', "500 levels should not be inlined");
    free(j);
}

/* enc_is_json agrees with jansson wherever jansson can judge (it rejects
 * numbers it cannot hold, which we keep). */
Test(encode, json_checker_matches_jansson)
{
    static const char *const inputs[] = {
        "{}",          "[]",
        "1",           "-0",
        "01",          "1.",
        ".5",          "1e5",
        "1E+5",        "-",
        "\"\\u00e9\"", "\"\\x\"",
        "\"\\ud800\"", "\"\\ud83d\\ude97\"",
        "\"\\ude97\"", "\"\\ud83dx\"",
        "[1,]",        "{\"a\":1,}",
        "tru",         "null",
        " [ ] ",       "\"a\nb\"",
        "{\"a\" 1}",   "[1 2]",
        "\"\xff\"",    "{\"a\":{\"b\":[true,false,null,\"x\"]}}",
        "[1]x",        "",
        "  ",          "\"",
        "{1:2}",       "[\"\\/\"]",
        "nul",         "[-]",
        "0.0e-0",      "\"\t\"",
        "[[[[[]]]]]",  "{\"a\":1 \"b\":2}",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        const char *s = inputs[i];
        json_error_t e;
        json_t *j = json_loadb(s, strlen(s), JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
        bool want = j != NULL;
        json_decref(j);
        cr_expect_eq(enc_is_json(s, strlen(s)), want, "enc_is_json(%s) != jansson (%d)", s, want);
    }
    cr_expect(enc_is_json("99999999999999999999999", 23));
    bool integer = false;
    cr_expect(enc_is_json_number("-12", 3, &integer) && integer);
    cr_expect(enc_is_json_number("1.5e3", 5, &integer) && !integer);
    cr_expect(!enc_is_json_number("+1", 2, NULL));
    cr_expect(!enc_is_json_number("NaN", 3, NULL));
}

Test(encode, shortest_round_trip_doubles)
{
    static const double vals[] = {
        0.1, 0.2 + 0.1, 1.0 / 3, 123456789.123, 5e-324, 1.7976931348623157e308, -2.5, 100};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        char out[32];
        enc_double(vals[i], out);
        cr_expect_eq(strtod(out, NULL), vals[i], "%s does not read back", out);
    }
    char out[32];
    enc_double(0.1 + 0.2, out);
    cr_expect_str_eq(out, "0.30000000000000004");
    enc_double(0.1, out);
    cr_expect_str_eq(out, "0.1");
}
