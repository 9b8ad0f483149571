#include <criterion/criterion.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"

Test(buf, appends_and_terminates)
{
    struct buf b;
    buf_init(&b, 0);
    cr_assert_eq(buf_puts(&b, "abc"), 0);
    cr_assert_eq(buf_printf(&b, "-%d", 42), 0);
    cr_assert_str_eq(buf_str(&b), "abc-42");
    cr_assert_eq(b.len, 6);
    buf_free(&b);
}

Test(buf, refuses_past_its_maximum_and_keeps_contents)
{
    struct buf b;
    buf_init(&b, 8);
    cr_assert_eq(buf_puts(&b, "12345678"), 0);
    cr_assert_eq(buf_putc(&b, 'x'), -1);
    cr_assert_eq(buf_printf(&b, "%s", "y"), -1);
    cr_assert_str_eq(buf_str(&b), "12345678");
    buf_free(&b);
}

Test(buf, take_moves_ownership)
{
    struct buf b;
    buf_init(&b, 0);
    cr_assert_str_eq(buf_str(&b), "");
    cr_assert_eq(buf_puts(&b, "hello"), 0);
    char *s = buf_take(&b);
    cr_assert_str_eq(s, "hello");
    cr_assert_eq(b.len, 0);
    cr_assert_str_eq(buf_str(&b), "");
    free(s);
}

Test(err, table_maps_codes_to_http_and_names)
{
    struct seeki_err e;
    cr_assert_eq(seeki_fail(&e, SEEKI_E_NOT_FOUND, "Table '%s' not found", "x"), SEEKI_E_NOT_FOUND);
    cr_assert_str_eq(e.msg, "Table 'x' not found");
    cr_assert_eq(seeki_code_http(SEEKI_E_BAD_PARAM), 400);
    cr_assert_eq(seeki_code_http(SEEKI_E_TIMEOUT), 504);
    cr_assert_eq(seeki_code_http(SEEKI_E_DB_UNAVAILABLE), 503);
    cr_assert_str_eq(seeki_code_name(SEEKI_E_FORBIDDEN), "FORBIDDEN");
    cr_assert_eq(seeki_code_http((enum seeki_code)999), 500);
    seeki_err_clear(&e);
    cr_assert_eq(e.code, SEEKI_E_OK);
}
