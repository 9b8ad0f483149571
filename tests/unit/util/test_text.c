/* util/text.h: UTF-8 lengths (libunistring), and the JSON / clean-text
 * writers every module uses (rows, CSV, error bodies). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/text.h"

Test(text, utf8_lengths)
{
    cr_expect_eq(text_utf8_len((const unsigned char *)"a", 1), 1);
    cr_expect_eq(text_utf8_len((const unsigned char *)"\xc3\xa9", 2), 2);
    cr_expect_eq(text_utf8_len((const unsigned char *)"\xc3\xa9", 1), 0);
    cr_expect_eq(text_utf8_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
    cr_expect_eq(text_utf8_len((const unsigned char *)"\xe0\x80\x80", 3), 0);
    cr_expect_eq(text_utf8_len((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
    cr_expect_eq(text_utf8_len((const unsigned char *)"\xf5\x80\x80\x80", 4), 0);
    cr_expect_eq(text_utf8_len((const unsigned char *)"\x80", 1), 0);
}

Test(text, utf8_rejects_surrogates_overlongs_and_truncation)
{
    cr_expect_eq(text_utf8_len((const unsigned char *)"\xed\xa0\x80", 3), 0); /* U+D800 */
    cr_expect_eq(text_utf8_len((const unsigned char *)"\xc0\xaf", 2), 0);     /* overlong / */
    cr_expect_eq(text_utf8_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 0);
    cr_expect_eq(text_utf8_len((const unsigned char *)"\xe2\x82", 2), 0);
    cr_expect_eq(text_utf8_bad_offset("ok \xc3\xa9 \xff", 7), 6);
    cr_expect_eq(text_utf8_bad_offset("ok \xc3\xa9", 5), 5);
}

static char *json_of(const char *s, size_t n)
{
    struct buf b;
    buf_init(&b, 0);
    cr_assert_eq(text_json_string(&b, s, n), 0);
    return buf_take(&b);
}

Test(text, json_string_escapes_and_replaces_invalid_bytes)
{
    char *j = json_of("a\"b\\c\n\x01\x7f", 8);
    cr_expect_str_eq(j, "\"a\\\"b\\\\c\\n\\u0001\x7f\"");
    free(j);
    j = json_of("Zo\xc3\xab \xff!", 7);
    cr_expect_str_eq(j, "\"Zo\xc3\xab \xef\xbf\xbd!\"");
    free(j);
    j = json_of("nul\0inside", 10);
    cr_expect_str_eq(j, "\"nul\\u0000inside\"");
    free(j);
}

Test(text, clean_text_keeps_valid_bytes_and_replaces_the_rest)
{
    struct buf b;
    buf_init(&b, 0);
    cr_assert_eq(text_utf8_clean(&b, "a,\"b\"\n\xc0\xafz", 9), 0);
    cr_expect_eq(b.len, 13);
    cr_expect(memcmp(b.data, "a,\"b\"\n\xef\xbf\xbd\xef\xbf\xbdz", 13) == 0);
    buf_free(&b);
}

Test(text, full_buffer_fails)
{
    struct buf b;
    buf_init(&b, 4);
    cr_expect_eq(text_json_string(&b, "abcdef", 6), -1);
    buf_free(&b);
}

static char *csv_of(const char *s)
{
    struct buf b;
    buf_init(&b, 0);
    cr_assert_eq(text_csv_field(&b, s, strlen(s)), 0);
    return buf_take(&b);
}

/* One rule for header and data fields (RFC 4180, plus the spaces that
 * spreadsheet tools trim, plus "" for the empty string). */
Test(text, csv_field_rule)
{
    static const char *const cases[][2] = {
        {"plain", "plain"},           {"", "\"\""},
        {"a,b", "\"a,b\""},           {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"two\nlines", "\"two\nlines\""}, {"cr\r", "\"cr\r\""},
        {" lead", "\" lead\""},       {"trail\t", "\"trail\t\""},
        {"mid dle", "mid dle"},       {"Zoë", "Zoë"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = csv_of(cases[i][0]);
        cr_expect_str_eq(got, cases[i][1], "csv(%s)", cases[i][0]);
        free(got);
    }
}
