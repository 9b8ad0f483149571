/* Filter expressions (SPEC §5), from a table: every accepted form per column
 * type with the operator and operands it yields, and every rejection with
 * its message. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dbtest.h"

#define NUM_FORMS "Accepted forms: 42, =42, >42, >=42, <42, <=42, 10..20, is null, is not null"
#define DEC_FORMS                                                                                  \
    "Accepted forms: 4.5, =4.5, >4.5, >=4.5, <4.5, <=4.5, 1.5..20, is null, is not null"
#define DATE_FORMS                                                                                 \
    "Accepted forms: 2026, 2026-04, 2026-04-15, >2026-04-01, >=2026-04-01, <2026-04-01, "          \
    "<=2026-04-01, 2026-01-01..2026-03-31, is null, is not null"
#define BOOL_FORMS "Accepted forms: yes, no, y, n, true, false, t, f, 1, 0, is null, is not null"

struct fcase {
    const char *col; /* column name; its vtype comes from cols[] */
    const char *expr;
    enum db_filter_op op; /* expected op when ok */
    const char *a, *b;
    const char *err; /* non-NULL: expected exact message (prefix when ending in "...") */
};

// clang-format off
static const struct {
    const char *name;
    enum db_vtype vt;
} cols[] = {
    {"age", DB_VT_BIGINT},      {"qty", DB_VT_INT},        {"score", DB_VT_FLOAT},
    {"amount", DB_VT_NUMERIC},  {"price", DB_VT_MONEY},    {"born", DB_VT_DATE},
    {"seen", DB_VT_TIMESTAMP},  {"at", DB_VT_TIMESTAMPTZ}, {"active", DB_VT_BOOL},
    {"name", DB_VT_TEXT},       {"tags", DB_VT_JSON},      {"uid", DB_VT_UUID},
};
// clang-format on

// clang-format off
static const struct fcase cases[] = {
    /* any type: null forms and empty */
    {"age", "is null", DB_F_IS_NULL, NULL, NULL, NULL},
    {"age", "  IS NULL ", DB_F_IS_NULL, NULL, NULL, NULL},
    {"age", "null", DB_F_IS_NULL, NULL, NULL, NULL},
    {"age", "is   not\tnull", DB_F_NOT_NULL, NULL, NULL, NULL},
    {"name", "Is Not Null", DB_F_NOT_NULL, NULL, NULL, NULL},
    {"name", "NULL", DB_F_IS_NULL, NULL, NULL, NULL},
    {"born", "is null", DB_F_IS_NULL, NULL, NULL, NULL},
    {"active", "is not null", DB_F_NOT_NULL, NULL, NULL, NULL},
    {"age", "", DB_F_NONE, NULL, NULL, NULL},
    {"name", "   ", DB_F_NONE, NULL, NULL, NULL},
    /* whole numbers */
    {"age", "42", DB_F_EQ, "42", NULL, NULL},
    {"age", "=42", DB_F_EQ, "42", NULL, NULL},
    {"age", " >  42 ", DB_F_GT, "42", NULL, NULL},
    {"age", ">=42", DB_F_GE, "42", NULL, NULL},
    {"age", "<42", DB_F_LT, "42", NULL, NULL},
    {"age", "<=42", DB_F_LE, "42", NULL, NULL},
    {"age", "-5", DB_F_EQ, "-5", NULL, NULL},
    {"age", "+7", DB_F_EQ, "+7", NULL, NULL},
    {"age", "10..20", DB_F_BETWEEN, "10", "20", NULL},
    {"age", " 10 .. 20 ", DB_F_BETWEEN, "10", "20", NULL},
    {"age", "-5..-1", DB_F_BETWEEN, "-5", "-1", NULL},
    {"age", "9223372036854775807", DB_F_EQ, "9223372036854775807", NULL, NULL},
    {"qty", "<=0", DB_F_LE, "0", NULL, NULL},
    {"age", ">abc", 0, NULL, NULL,
     "Filter on column 'age' (Number): '>abc' is not a number. " NUM_FORMS},
    {"age", "1.5", 0, NULL, NULL,
     "Filter on column 'age' (Number): '1.5' is not a whole number. " NUM_FORMS},
    {"qty", "1e3", 0, NULL, NULL,
     "Filter on column 'qty' (Number): '1e3' is not a whole number. " NUM_FORMS},
    {"age", "99999999999999999999", 0, NULL, NULL,
     "Filter on column 'age' (Number): '99999999999999999999' is out of range for a 64-bit "
     "whole number. " NUM_FORMS},
    {"age", "10..x", 0, NULL, NULL,
     "Filter on column 'age' (Number): '10..x' is not a number. " NUM_FORMS},
    {"age", ">", 0, NULL, NULL, "Filter on column 'age' (Number): '>' is not a number. " NUM_FORMS},
    {"age", "4 2", 0, NULL, NULL,
     "Filter on column 'age' (Number): '4 2' is not a number. " NUM_FORMS},
    {"age", "not null", 0, NULL, NULL,
     "Filter on column 'age' (Number): 'not null' is not a number. " NUM_FORMS},
    {"age", "=>5", 0, NULL, NULL,
     "Filter on column 'age' (Number): '=>5' is not a number. " NUM_FORMS},
    /* decimals */
    {"score", "4.5", DB_F_EQ, "4.5", NULL, NULL},
    {"score", ">-0.5", DB_F_GT, "-0.5", NULL, NULL},
    {"score", "<.5", DB_F_LT, ".5", NULL, NULL},
    {"score", "5.", DB_F_EQ, "5.", NULL, NULL},
    {"score", "1e3", DB_F_EQ, "1e3", NULL, NULL},
    {"score", "1.5..20", DB_F_BETWEEN, "1.5", "20", NULL},
    {"amount", ">=1E-2", DB_F_GE, "1E-2", NULL, NULL},
    {"price", "12.50", DB_F_EQ, "12.50", NULL, NULL},
    {"score", "abc", 0, NULL, NULL,
     "Filter on column 'score' (Decimal): 'abc' is not a number. " DEC_FORMS},
    {"score", "1e", 0, NULL, NULL,
     "Filter on column 'score' (Decimal): '1e' is not a number. " DEC_FORMS},
    {"score", "1.2.3", 0, NULL, NULL,
     "Filter on column 'score' (Decimal): '1.2.3' is not a number. " DEC_FORMS},
    {"score", "--1", 0, NULL, NULL,
     "Filter on column 'score' (Decimal): '--1' is not a number. " DEC_FORMS},
    {"price", "1e3", 0, NULL, NULL,
     "Filter on column 'price' (Currency): '1e3' is not a number. " DEC_FORMS},
    /* dates: a value is a period; comparisons take the whole period */
    {"born", "2026", DB_F_RANGE, "2026-01-01", "2027-01-01", NULL},
    {"born", "2026-04", DB_F_RANGE, "2026-04-01", "2026-05-01", NULL},
    {"born", "2026-12", DB_F_RANGE, "2026-12-01", "2027-01-01", NULL},
    {"born", "2026-04-15", DB_F_RANGE, "2026-04-15", "2026-04-16", NULL},
    {"born", "=2026-04-15", DB_F_RANGE, "2026-04-15", "2026-04-16", NULL},
    {"born", "2024-02-29", DB_F_RANGE, "2024-02-29", "2024-03-01", NULL},
    {"born", "2026-04-30", DB_F_RANGE, "2026-04-30", "2026-05-01", NULL},
    {"born", "2026-12-31", DB_F_RANGE, "2026-12-31", "2027-01-01", NULL},
    {"born", ">2026-04-01", DB_F_GE, "2026-04-02", NULL, NULL},
    {"born", ">=2026-04-01", DB_F_GE, "2026-04-01", NULL, NULL},
    {"born", "<2026-04", DB_F_LT, "2026-04-01", NULL, NULL},
    {"born", "<=2026-04", DB_F_LT, "2026-05-01", NULL, NULL},
    {"born", "2026-01-01..2026-03-31", DB_F_RANGE, "2026-01-01", "2026-04-01", NULL},
    {"born", "2026..2027", DB_F_RANGE, "2026-01-01", "2028-01-01", NULL},
    {"born", "2026-13", 0, NULL, NULL,
     "Filter on column 'born' (Date): '2026-13' is not a date. " DATE_FORMS},
    {"born", "2026-02-29", 0, NULL, NULL,
     "Filter on column 'born' (Date): '2026-02-29' is not a date. " DATE_FORMS},
    {"born", "2026-04-15 10", 0, NULL, NULL,
     "Filter on column 'born' (Date): '2026-04-15 10' is not a date. " DATE_FORMS},
    {"born", "26-04", 0, NULL, NULL,
     "Filter on column 'born' (Date): '26-04' is not a date. " DATE_FORMS},
    {"born", "2026/04", 0, NULL, NULL,
     "Filter on column 'born' (Date): '2026/04' is not a date. " DATE_FORMS},
    {"born", "2026-4", 0, NULL, NULL,
     "Filter on column 'born' (Date): '2026-4' is not a date. " DATE_FORMS},
    {"born", "0000", 0, NULL, NULL,
     "Filter on column 'born' (Date): '0000' is not a date. " DATE_FORMS},
    {"born", "2026-01-01..soon", 0, NULL, NULL,
     "Filter on column 'born' (Date): '2026-01-01..soon' is not a date. " DATE_FORMS},
    /* timestamps */
    {"seen", "2026-04-15", DB_F_RANGE, "2026-04-15", "2026-04-16", NULL},
    {"seen", "2026-04-15 10", DB_F_RANGE, "2026-04-15 10:00:00", "2026-04-15 11:00:00", NULL},
    {"seen", "2026-04-15T10:30", DB_F_RANGE, "2026-04-15 10:30:00", "2026-04-15 10:31:00", NULL},
    {"seen", "2026-04-15 23:59:59", DB_F_RANGE, "2026-04-15 23:59:59", "2026-04-16 00:00:00",
     NULL},
    {"seen", "2026-12-31 23:59:59", DB_F_RANGE, "2026-12-31 23:59:59", "2027-01-01 00:00:00",
     NULL},
    {"seen", "2026-01-02T03:04:05.5Z", DB_F_RANGE, "2026-01-02 03:04:05.5",
     "2026-01-02 03:04:05.6", NULL},
    {"seen", "2026-01-02 03:04:05.99", DB_F_RANGE, "2026-01-02 03:04:05.99",
     "2026-01-02 03:04:06", NULL},
    {"seen", "2026-01-02 03:04:05.000", DB_F_RANGE, "2026-01-02 03:04:05", "2026-01-02 03:04:06",
     NULL},
    {"seen", ">2026-04-15 10:30", DB_F_GE, "2026-04-15 10:31:00", NULL, NULL},
    {"seen", "<=2026-04-15 10", DB_F_LT, "2026-04-15 11:00:00", NULL, NULL},
    {"seen", "2026-04-15 22..2026-04-16 01", DB_F_RANGE, "2026-04-15 22:00:00",
     "2026-04-16 02:00:00", NULL},
    {"at", "2026-04", DB_F_RANGE, "2026-04-01", "2026-05-01", NULL},
    {"seen", "2026-04-15 24", 0, NULL, NULL,
     "Filter on column 'seen' (Date & Time): '2026-04-15 24' is not a date or time. ..."},
    {"seen", "2026-04-15 10:60", 0, NULL, NULL,
     "Filter on column 'seen' (Date & Time): '2026-04-15 10:60' is not a date or time. ..."},
    {"seen", "2026-04-15 10:3", 0, NULL, NULL,
     "Filter on column 'seen' (Date & Time): '2026-04-15 10:3' is not a date or time. ..."},
    {"at", "yesterday", 0, NULL, NULL,
     "Filter on column 'at' (Date & Time): 'yesterday' is not a date or time. Accepted forms: "
     "2026, 2026-04, 2026-04-15, 2026-04-15 10, 2026-04-15 10:30, 2026-04-15 10:30:00, "
     ">2026-04-01, >=2026-04-01 08:00, <2026-04-01, <=2026-04-01, 2026-01-01..2026-03-31 "
     "(times in UTC), is null, is not null"},
    /* booleans */
    {"active", "yes", DB_F_BOOL, "1", NULL, NULL},
    {"active", "Y", DB_F_BOOL, "1", NULL, NULL},
    {"active", "TRUE", DB_F_BOOL, "1", NULL, NULL},
    {"active", "t", DB_F_BOOL, "1", NULL, NULL},
    {"active", "1", DB_F_BOOL, "1", NULL, NULL},
    {"active", "=yes", DB_F_BOOL, "1", NULL, NULL},
    {"active", "no", DB_F_BOOL, "0", NULL, NULL},
    {"active", "N", DB_F_BOOL, "0", NULL, NULL},
    {"active", "False", DB_F_BOOL, "0", NULL, NULL},
    {"active", "f", DB_F_BOOL, "0", NULL, NULL},
    {"active", " 0 ", DB_F_BOOL, "0", NULL, NULL},
    {"active", "maybe", 0, NULL, NULL,
     "Filter on column 'active' (Yes/No): 'maybe' is not yes or no. " BOOL_FORMS},
    {"active", "2", 0, NULL, NULL,
     "Filter on column 'active' (Yes/No): '2' is not yes or no. " BOOL_FORMS},
    /* text and other types by their text form */
    {"name", "Ann", DB_F_CONTAINS, "Ann", NULL, NULL},
    {"name", "  Ann  ", DB_F_CONTAINS, "Ann", NULL, NULL},
    {"name", "=Ann", DB_F_EQ, "Ann", NULL, NULL},
    {"name", "=", DB_F_EQ, "", NULL, NULL},
    {"name", "= Ann ", DB_F_EQ, " Ann ", NULL, NULL},
    {"name", "  =x", DB_F_EQ, "x", NULL, NULL},
    {"name", "==x", DB_F_EQ, "=x", NULL, NULL},
    {"name", "50%_off", DB_F_CONTAINS, "50%_off", NULL, NULL},
    {"name", ">5", DB_F_CONTAINS, ">5", NULL, NULL},
    {"name", "1..2", DB_F_CONTAINS, "1..2", NULL, NULL},
    {"tags", "urgent", DB_F_CONTAINS, "urgent", NULL, NULL},
    {"uid", "=a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", DB_F_EQ,
     "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", NULL, NULL},
};
// clang-format on

static const char *op_name(enum db_filter_op op)
{
    static const char *const names[] = {"CONTAINS", "EQ",    "GT",   "GE",      "LT",       "LE",
                                        "BETWEEN",  "RANGE", "BOOL", "IS_NULL", "NOT_NULL", "NONE"};
    return (size_t)op < sizeof names / sizeof names[0] ? names[op] : "?";
}

Test(filter, every_form_and_rejection_from_a_table)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct fcase *fc = &cases[i];
        struct db_column c = {.name = (char *)fc->col, .data_type = "t"};
        bool found = false;
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
            if (strcmp(cols[k].name, fc->col) == 0) {
                c.vtype = cols[k].vt;
                found = true;
            }
        cr_assert(found, "case %zu names unknown column %s", i, fc->col);
        struct db_filter f;
        struct seeki_err err;
        seeki_err_clear(&err);
        enum seeki_code rc = db_filter_parse(&c, 3, fc->expr, &f, &err);
        if (fc->err) {
            cr_expect_eq(rc, SEEKI_E_BAD_PARAM, "[%s] '%s' accepted, want rejection", fc->col,
                         fc->expr);
            size_t n = strlen(fc->err);
            bool prefix = n > 3 && strcmp(fc->err + n - 3, "...") == 0;
            if (prefix)
                cr_expect(strncmp(err.msg, fc->err, n - 3) == 0, "[%s] '%s': got \"%s\"", fc->col,
                          fc->expr, err.msg);
            else
                cr_expect_str_eq(err.msg, fc->err, "[%s] '%s': got \"%s\"", fc->col, fc->expr,
                                 err.msg);
            cr_expect_null(f.a);
            cr_expect_null(f.b);
            continue;
        }
        cr_expect_eq(rc, SEEKI_E_OK, "[%s] '%s' rejected: %s", fc->col, fc->expr, err.msg);
        cr_expect_eq(f.col, 3);
        cr_expect_eq(f.op, fc->op, "[%s] '%s': op %s, want %s", fc->col, fc->expr, op_name(f.op),
                     op_name(fc->op));
        if (fc->a)
            cr_expect(f.a && strcmp(f.a, fc->a) == 0, "[%s] '%s': a = \"%s\", want \"%s\"", fc->col,
                      fc->expr, f.a ? f.a : "(null)", fc->a);
        else
            cr_expect_null(f.a, "[%s] '%s': a = \"%s\", want none", fc->col, fc->expr, f.a);
        if (fc->b)
            cr_expect(f.b && strcmp(f.b, fc->b) == 0, "[%s] '%s': b = \"%s\", want \"%s\"", fc->col,
                      fc->expr, f.b ? f.b : "(null)", fc->b);
        else
            cr_expect_null(f.b, "[%s] '%s': b = \"%s\", want none", fc->col, fc->expr, f.b);
        db_filter_free(&f);
    }
}

Test(filter, null_expression_is_no_filter_and_free_accepts_null)
{
    struct db_column c = {.name = "x", .data_type = "t", .vtype = DB_VT_TEXT};
    struct db_filter f;
    cr_assert_eq(db_filter_parse(&c, 0, NULL, &f, NULL), SEEKI_E_OK);
    cr_expect_eq(f.op, DB_F_NONE);
    db_filter_free(&f);
    db_filter_free(NULL);
}
