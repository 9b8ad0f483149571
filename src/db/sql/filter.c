/* Column filter expressions (SPEC §5) parsed against the column's type into
 * a struct db_filter the SQL builder turns into bound parameters. Every
 * rejection names the column, its display type, the expression and the
 * forms that column accepts. No SQL here and no database access. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/sql/sql.h"
#include "db/engine.h"
#include "util/buf.h"
#include "util/mem.h"

/* The filter language reads every type it has no syntax of its own for as text. */
static enum db_vclass filter_class_of(enum db_vtype v)
{
    enum db_vclass k = db_vclass_of(v);
    return k == DB_VC_OTHER ? DB_VC_TEXT : k;
}

static const char *filter_forms(enum db_vclass fc)
{
    switch (fc) {
    case DB_VC_INT:
        return "42, =42, >42, >=42, <42, <=42, 10..20, is null, is not null";
    case DB_VC_DEC:
        return "4.5, =4.5, >4.5, >=4.5, <4.5, <=4.5, 1.5..20, is null, is not null";
    case DB_VC_DATE:
        return "2026, 2026-04, 2026-04-15, >2026-04-01, >=2026-04-01, <2026-04-01, "
               "<=2026-04-01, 2026-01-01..2026-03-31, is null, is not null";
    case DB_VC_TS:
        return "2026, 2026-04, 2026-04-15, 2026-04-15 10, 2026-04-15 10:30, "
               "2026-04-15 10:30:00, >2026-04-01, >=2026-04-01 08:00, <2026-04-01, "
               "<=2026-04-01, 2026-01-01..2026-03-31 (times in UTC), is null, is not null";
    case DB_VC_BOOL:
        return "yes, no, y, n, true, false, t, f, 1, 0, is null, is not null";
    case DB_VC_TEXT:
    case DB_VC_OTHER:
        break;
    }
    return "abc (contains, any case), =abc (exactly), = (empty), is null, is not null";
}

static enum seeki_code filter_reject(const struct db_column *c, enum db_vclass fc,
                                     const char *expr, const char *what, struct seeki_err *err)
{
    return seeki_fail(err, SEEKI_E_BAD_PARAM,
                      "Filter on column '%s' (%s): '%s' %s. Accepted forms: %s", c->name,
                      db_display_type(c), expr, what, filter_forms(fc));
}

/* Copy of s[0..n) without leading/trailing ASCII whitespace. */
static char *filter_trim(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* Lower-cases s and collapses whitespace runs to one space (for the null
 * keywords). Heap string. */
static char *filter_norm_words(const char *s)
{
    struct buf b;
    buf_init(&b, 0);
    bool space = false;
    for (; *s; s++) {
        if (isspace((unsigned char)*s)) {
            space = true;
            continue;
        }
        if (space && b.len)
            buf_must_putc(&b, ' ');
        space = false;
        buf_must_putc(&b, (char)tolower((unsigned char)*s));
    }
    return buf_take(&b);
}

/* ---- numbers ------------------------------------------------------------ */

enum num_check { NUM_OK, NUM_NOT_NUMBER, NUM_NOT_WHOLE, NUM_RANGE };

/* Strict decimal syntax: [+-]digits[.digits] or [+-].digits, then an
 * optional exponent when allow_exp. */
static bool filter_is_decimal(const char *s, bool allow_exp)
{
    if (*s == '+' || *s == '-')
        s++;
    size_t digits = 0;
    while (isdigit((unsigned char)*s)) {
        s++;
        digits++;
    }
    if (*s == '.') {
        s++;
        while (isdigit((unsigned char)*s)) {
            s++;
            digits++;
        }
    }
    if (digits == 0)
        return false;
    if (allow_exp && (*s == 'e' || *s == 'E')) {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return *s == '\0';
}

static enum num_check filter_check_number(enum db_vclass fc, enum db_vtype v, const char *s)
{
    if (fc == DB_VC_INT) {
        const char *p = s;
        if (*p == '+' || *p == '-')
            p++;
        if (!*p)
            return NUM_NOT_NUMBER;
        for (const char *q = p; *q; q++)
            if (!isdigit((unsigned char)*q))
                return filter_is_decimal(s, true) ? NUM_NOT_WHOLE : NUM_NOT_NUMBER;
        errno = 0;
        (void)strtoll(s, NULL, 10);
        return errno == ERANGE ? NUM_RANGE : NUM_OK;
    }
    return filter_is_decimal(s, v != DB_VT_MONEY) ? NUM_OK : NUM_NOT_NUMBER;
}

static enum seeki_code filter_number_fail(const struct db_column *c, enum db_vclass fc,
                                          const char *expr, enum num_check r, struct seeki_err *err)
{
    const char *what = r == NUM_NOT_WHOLE ? "is not a whole number"
                       : r == NUM_RANGE   ? "is out of range for a 64-bit whole number"
                                          : "is not a number";
    return filter_reject(c, fc, expr, what, err);
}

/* ---- dates -------------------------------------------------------------- */

enum date_prec { DP_YEAR, DP_MONTH, DP_DAY, DP_HOUR, DP_MINUTE, DP_SECOND, DP_FRAC };

struct date_val {
    int y, mo, d, h, mi, s;
    char frac[10]; /* fraction digits without the dot, trailing zeros removed */
    enum date_prec prec;
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t filter_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void filter_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int filter_days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* Reads exactly n digits into *v. */
static bool filter_digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        x = x * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = x;
    return true;
}

/* Parses a date or timestamp prefix: YYYY[-MM[-DD[( |T)HH[:MM[:SS[.f]]]]]]
 * with an optional trailing Z (times are UTC). */
static bool filter_parse_date(const char *s, bool allow_time, struct date_val *out)
{
    memset(out, 0, sizeof *out);
    out->mo = out->d = 1;
    const char *p = s;
    if (!filter_digits(&p, 4, &out->y) || out->y < 1)
        return false;
    out->prec = DP_YEAR;
    if (*p == '-') {
        p++;
        if (!filter_digits(&p, 2, &out->mo) || out->mo < 1 || out->mo > 12)
            return false;
        out->prec = DP_MONTH;
        if (*p == '-') {
            p++;
            if (!filter_digits(&p, 2, &out->d) || out->d < 1 ||
                out->d > filter_days_in_month(out->y, out->mo))
                return false;
            out->prec = DP_DAY;
        }
    }
    if (out->prec == DP_DAY && (*p == ' ' || *p == 'T' || *p == 't') && allow_time) {
        p++;
        while (*p == ' ')
            p++;
        if (!filter_digits(&p, 2, &out->h) || out->h > 23)
            return false;
        out->prec = DP_HOUR;
        if (*p == ':') {
            p++;
            if (!filter_digits(&p, 2, &out->mi) || out->mi > 59)
                return false;
            out->prec = DP_MINUTE;
            if (*p == ':') {
                p++;
                if (!filter_digits(&p, 2, &out->s) || out->s > 59)
                    return false;
                out->prec = DP_SECOND;
                if (*p == '.') {
                    p++;
                    size_t n = 0;
                    while (isdigit((unsigned char)*p)) {
                        if (n + 1 >= sizeof out->frac)
                            return false;
                        out->frac[n++] = *p++;
                    }
                    if (n == 0)
                        return false;
                    while (n && out->frac[n - 1] == '0')
                        out->frac[--n] = '\0';
                    if (n)
                        out->prec = DP_FRAC;
                }
            }
        }
        if (*p == 'Z' || *p == 'z')
            p++;
    }
    return *p == '\0';
}

/* Adds `unit` (seconds) to v's date and time, normalizing the calendar. */
static void filter_add_seconds(struct date_val *v, int64_t unit)
{
    int64_t t = filter_days_from_civil(v->y, v->mo, v->d) * 86400 + v->h * 3600 + v->mi * 60 + v->s;
    t += unit;
    int64_t days = t / 86400, rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    filter_civil_from_days(days, &v->y, &v->mo, &v->d);
    v->h = (int)(rem / 3600);
    v->mi = (int)(rem % 3600 / 60);
    v->s = (int)(rem % 60);
}

/* The first instant after the period v denotes (2026-04 -> 2026-05-01). */
static struct date_val filter_next(const struct date_val *v)
{
    struct date_val u = *v;
    switch (v->prec) {
    case DP_YEAR:
        u.y++;
        break;
    case DP_MONTH:
        if (++u.mo > 12) {
            u.mo = 1;
            u.y++;
        }
        break;
    case DP_DAY:
        filter_add_seconds(&u, 86400);
        break;
    case DP_HOUR:
        filter_add_seconds(&u, 3600);
        break;
    case DP_MINUTE:
        filter_add_seconds(&u, 60);
        break;
    case DP_SECOND:
        filter_add_seconds(&u, 1);
        break;
    case DP_FRAC: {
        /* Increment the last fraction digit with carry; a carry out of the
         * fraction adds a second. Trailing zeros are dropped afterwards. */
        size_t n = strlen(u.frac);
        bool carry = true;
        for (size_t i = n; i-- > 0 && carry;) {
            if (u.frac[i] == '9') {
                u.frac[i] = '0';
            } else {
                u.frac[i]++;
                carry = false;
            }
        }
        if (carry)
            filter_add_seconds(&u, 1);
        while (n && u.frac[n - 1] == '0')
            u.frac[--n] = '\0';
        if (n == 0)
            u.prec = DP_SECOND;
        break;
    }
    }
    return u;
}

/* Day-level periods format as YYYY-MM-DD (which compares correctly as text
 * against stored "YYYY-MM-DD HH:MM:SS" and "YYYY-MM-DDTHH:MM:SS" alike);
 * finer ones as YYYY-MM-DD HH:MM:SS[.f]. */
static char *filter_format_date(const struct date_val *v)
{
    if (v->prec <= DP_DAY)
        return xasprintf("%04d-%02d-%02d", v->y, v->mo, v->d);
    if (v->frac[0])
        return xasprintf("%04d-%02d-%02d %02d:%02d:%02d.%s", v->y, v->mo, v->d, v->h, v->mi, v->s,
                         v->frac);
    return xasprintf("%04d-%02d-%02d %02d:%02d:%02d", v->y, v->mo, v->d, v->h, v->mi, v->s);
}

/* ---- the parser --------------------------------------------------------- */

/* Splits "a..b" (first ".." after the first character). */
static bool filter_split_range(const char *s, char **a, char **b)
{
    const char *dots = s[0] ? strstr(s + 1, "..") : NULL;
    if (!dots)
        return false;
    *a = filter_trim(s, (size_t)(dots - s));
    *b = filter_trim(dots + 2, strlen(dots + 2));
    return true;
}

/* Reads a comparison prefix (>=, <=, >, <, =) and returns the operand after
 * it, trimmed (heap). *op is DB_F_NONE when there was no operator. */
static char *filter_take_op(const char *t, enum db_filter_op *op)
{
    static const struct {
        const char *tok;
        enum db_filter_op op;
    } ops[] = {{">=", DB_F_GE}, {"<=", DB_F_LE}, {">", DB_F_GT}, {"<", DB_F_LT}, {"=", DB_F_EQ}};
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(ops); i++) {
        size_t n = strlen(ops[i].tok);
        if (strncmp(t, ops[i].tok, n) == 0) {
            *op = ops[i].op;
            return filter_trim(t + n, strlen(t + n));
        }
    }
    *op = DB_F_NONE;
    return xstrdup(t);
}

static enum seeki_code filter_number(const struct db_column *c, enum db_vclass fc, const char *t,
                                     struct db_filter *out, struct seeki_err *err)
{
    enum db_filter_op op;
    char *operand = filter_take_op(t, &op), *a = NULL, *b = NULL;
    enum seeki_code rc = SEEKI_E_OK;
    enum num_check r;
    if (op == DB_F_NONE && filter_split_range(operand, &a, &b)) {
        r = filter_check_number(fc, c->vtype, a);
        if (r == NUM_OK)
            r = filter_check_number(fc, c->vtype, b);
        if (r != NUM_OK) {
            rc = filter_number_fail(c, fc, t, r, err);
            goto fail;
        }
        out->op = DB_F_BETWEEN;
        out->a = a;
        out->b = b;
        free(operand);
        return SEEKI_E_OK;
    }
    r = filter_check_number(fc, c->vtype, operand);
    if (r != NUM_OK) {
        rc = filter_number_fail(c, fc, t, r, err);
        goto fail;
    }
    out->op = op == DB_F_NONE ? DB_F_EQ : op;
    out->a = operand;
    return SEEKI_E_OK;
fail:
    free(b);
    free(a);
    free(operand);
    return rc;
}

static enum seeki_code filter_date(const struct db_column *c, enum db_vclass fc, const char *t,
                                   struct db_filter *out, struct seeki_err *err)
{
    const char *what = fc == DB_VC_DATE ? "is not a date" : "is not a date or time";
    bool allow_time = fc == DB_VC_TS;
    enum db_filter_op op;
    char *operand = filter_take_op(t, &op), *a = NULL, *b = NULL;
    struct date_val lo, hi;
    enum seeki_code rc = SEEKI_E_OK;
    if (op == DB_F_NONE && filter_split_range(operand, &a, &b)) {
        if (!filter_parse_date(a, allow_time, &lo) || !filter_parse_date(b, allow_time, &hi)) {
            rc = filter_reject(c, fc, t, what, err);
            goto done;
        }
        struct date_val end = filter_next(&hi);
        out->op = DB_F_RANGE;
        out->a = filter_format_date(&lo);
        out->b = filter_format_date(&end);
        goto done;
    }
    if (!filter_parse_date(operand, allow_time, &lo)) {
        rc = filter_reject(c, fc, t, what, err);
        goto done;
    }
    /* A value names a period (a year, a day, a second); comparisons compare
     * against the whole period: >2026-04 means from May on. */
    struct date_val next = filter_next(&lo);
    switch (op) {
    case DB_F_GT:
        out->op = DB_F_GE;
        out->a = filter_format_date(&next);
        break;
    case DB_F_GE:
        out->op = DB_F_GE;
        out->a = filter_format_date(&lo);
        break;
    case DB_F_LT:
        out->op = DB_F_LT;
        out->a = filter_format_date(&lo);
        break;
    case DB_F_LE:
        out->op = DB_F_LT;
        out->a = filter_format_date(&next);
        break;
    default:
        out->op = DB_F_RANGE;
        out->a = filter_format_date(&lo);
        out->b = filter_format_date(&next);
        break;
    }
done:
    free(a);
    free(b);
    free(operand);
    return rc;
}

static enum seeki_code filter_bool(const struct db_column *c, const char *t, struct db_filter *out,
                                   struct seeki_err *err)
{
    static const char *const yes[] = {"yes", "y", "true", "t", "1"};
    static const char *const no[] = {"no", "n", "false", "f", "0"};
    const char *w = t[0] == '=' ? t + 1 : t;
    while (isspace((unsigned char)*w))
        w++;
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(yes); i++) {
        if (strcasecmp(w, yes[i]) == 0 || strcasecmp(w, no[i]) == 0) {
            out->op = DB_F_BOOL;
            out->a = xstrdup(strcasecmp(w, yes[i]) == 0 ? "1" : "0");
            return SEEKI_E_OK;
        }
    }
    return filter_reject(c, DB_VC_BOOL, t, "is not yes or no", err);
}

enum seeki_code db_filter_parse(const struct db_column *c, size_t col, const char *expr,
                                struct db_filter *out, struct seeki_err *err)
{
    memset(out, 0, sizeof *out);
    out->col = col;
    out->op = DB_F_NONE;
    if (!expr)
        return SEEKI_E_OK;
    char *t = filter_trim(expr, strlen(expr));
    char *words = filter_norm_words(t);
    enum seeki_code rc = SEEKI_E_OK;
    enum db_vclass fc = filter_class_of(c->vtype);

    if (t[0] == '\0') {
        /* empty: no filter (DB_F_NONE, skipped by the SQL builder) */
    } else if (strcmp(words, "is null") == 0 || strcmp(words, "null") == 0) {
        out->op = DB_F_IS_NULL;
    } else if (strcmp(words, "is not null") == 0) {
        out->op = DB_F_NOT_NULL;
    } else if (fc == DB_VC_INT || fc == DB_VC_DEC) {
        rc = filter_number(c, fc, t, out, err);
    } else if (fc == DB_VC_DATE || fc == DB_VC_TS) {
        rc = filter_date(c, fc, t, out, err);
    } else if (fc == DB_VC_BOOL) {
        rc = filter_bool(c, t, out, err);
    } else if (t[0] == '=') {
        /* exact: everything after the '=' as typed, spaces included */
        const char *eq = strchr(expr, '=');
        out->op = DB_F_EQ;
        out->a = xstrdup(eq + 1);
    } else {
        out->op = DB_F_CONTAINS;
        out->a = xstrdup(t);
    }
    if (rc != SEEKI_E_OK)
        db_filter_free(out);
    free(words);
    free(t);
    return rc;
}

void db_filter_free(struct db_filter *f)
{
    if (!f)
        return;
    free(f->a);
    free(f->b);
    f->a = f->b = NULL;
}
