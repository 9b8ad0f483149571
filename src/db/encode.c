/* Value encoding (SPEC §4): one cell -> JSON text or an RFC 4180 CSV field,
 * by the column's vtype and the cell's kind. PostgreSQL hands in the server's
 * text forms (DB_CELL_TEXT); SQLite its storage classes, and a cell whose
 * storage class does not fit the column type is encoded by its class.
 * Output is always valid UTF-8 and valid JSON: bad bytes become U+FFFD. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/db_int.h"
#include "db/engine.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/text.h"

/* Bytes of bytea shown in JSON before "…(N bytes)". */
#define ENC_BYTEA_JSON_MAX 1024
/* Nesting accepted when checking JSON text; deeper values are sent as strings. */
#define ENC_JSON_DEPTH_MAX 200
/* 2^53 - 1: the largest integer every JSON reader keeps exact. */
#define ENC_SAFE_INT 9007199254740991LL

enum enc_mode {
    ENC_JSON, /* a JSON value */
    ENC_TEXT  /* the same value's text form, unquoted (CSV) */
};

/* ---- UTF-8 and strings ---------------------------------------------------- */

/* Appends s as a JSON string (quoted, escaped) or as raw text; invalid UTF-8
 * becomes U+FFFD either way (util/text.h). */
static int enc_string(struct buf *out, const char *s, size_t n, enum enc_mode mode)
{
    return mode == ENC_JSON ? text_json_string(out, s, n) : text_utf8_clean(out, s, n);
}

static int enc_cstr(struct buf *out, const char *s, enum enc_mode mode)
{
    return enc_string(out, s, strlen(s), mode);
}

/* ---- JSON text checks ---------------------------------------------------- */

/* RFC 8259 number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?. Sets
 * *integer when there is no fraction or exponent. */
SEEKI_TESTABLE bool enc_is_json_number(const char *s, size_t n, bool *integer)
{
    size_t i = 0;
    bool intg = true;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n)
        return false;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return false;
    }
    if (i < n && s[i] == '.') {
        intg = false;
        if (++i >= n || s[i] < '0' || s[i] > '9')
            return false;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        intg = false;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return false;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (integer)
        *integer = intg;
    return i == n;
}

struct enc_scan {
    const char *s;
    size_t n, i;
};

static void enc_ws(struct enc_scan *sc)
{
    while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' || sc->s[sc->i] == '\n' ||
                             sc->s[sc->i] == '\r'))
        sc->i++;
}

static bool enc_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Reads 4 hex digits (n bytes available) into *u. */
static bool enc_u4(const char *s, size_t n, unsigned *u)
{
    if (n < 4)
        return false;
    unsigned v = 0;
    for (size_t k = 0; k < 4; k++) {
        char c = s[k];
        if (!enc_hex(c))
            return false;
        v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    *u = v;
    return true;
}

static bool enc_scan_string(struct enc_scan *sc)
{
    sc->i++; /* opening quote */
    while (sc->i < sc->n) {
        unsigned char c = (unsigned char)sc->s[sc->i];
        if (c == '"') {
            sc->i++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (++sc->i >= sc->n)
                return false;
            char e = sc->s[sc->i];
            if (e == 'u') {
                /* a UTF-16 surrogate must come as a high+low pair: strict
                 * readers (jansson, Go) refuse lone ones */
                unsigned u = 0;
                if (!enc_u4(sc->s + sc->i + 1, sc->n - sc->i - 1, &u))
                    return false;
                sc->i += 5;
                if (u >= 0xDC00 && u <= 0xDFFF)
                    return false;
                if (u >= 0xD800 && u <= 0xDBFF) {
                    unsigned lo = 0;
                    if (sc->n - sc->i < 2 || sc->s[sc->i] != '\\' || sc->s[sc->i + 1] != 'u' ||
                        !enc_u4(sc->s + sc->i + 2, sc->n - sc->i - 2, &lo) || lo < 0xDC00 ||
                        lo > 0xDFFF)
                        return false;
                    sc->i += 6;
                }
            } else if (strchr("\"\\/bfnrt", e) && e) {
                sc->i++;
            } else {
                return false;
            }
            continue;
        }
        size_t l = text_utf8_len((const unsigned char *)sc->s + sc->i, sc->n - sc->i);
        if (l == 0)
            return false;
        sc->i += l;
    }
    return false;
}

static bool enc_scan_value(struct enc_scan *sc, int depth);

/* Members of an object (is_obj) or elements of an array, after the opening
 * bracket. */
static bool enc_scan_members(struct enc_scan *sc, int depth, bool is_obj)
{
    char close = is_obj ? '}' : ']';
    enc_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == close) {
        sc->i++;
        return true;
    }
    for (;;) {
        enc_ws(sc);
        if (is_obj) {
            if (sc->i >= sc->n || sc->s[sc->i] != '"' || !enc_scan_string(sc))
                return false;
            enc_ws(sc);
            if (sc->i >= sc->n || sc->s[sc->i] != ':')
                return false;
            sc->i++;
        }
        if (!enc_scan_value(sc, depth + 1))
            return false;
        enc_ws(sc);
        if (sc->i >= sc->n)
            return false;
        if (sc->s[sc->i] == close) {
            sc->i++;
            return true;
        }
        if (sc->s[sc->i] != ',')
            return false;
        sc->i++;
    }
}

static bool enc_scan_value(struct enc_scan *sc, int depth)
{
    if (depth > ENC_JSON_DEPTH_MAX)
        return false;
    enc_ws(sc);
    if (sc->i >= sc->n)
        return false;
    char c = sc->s[sc->i];
    if (c == '{' || c == '[') {
        sc->i++;
        return enc_scan_members(sc, depth, c == '{');
    }
    if (c == '"')
        return enc_scan_string(sc);
    static const char *const words[] = {"true", "false", "null"};
    for (size_t k = 0; k < SEEKI_ARRAY_LEN(words); k++) {
        size_t l = strlen(words[k]);
        if (sc->n - sc->i >= l && memcmp(sc->s + sc->i, words[k], l) == 0) {
            sc->i += l;
            return true;
        }
    }
    size_t start = sc->i;
    while (sc->i < sc->n && strchr("+-.eE0123456789", sc->s[sc->i]) && sc->s[sc->i])
        sc->i++;
    return sc->i > start && enc_is_json_number(sc->s + start, sc->i - start, NULL);
}

/* True when s[0..n) is one complete JSON value (RFC 8259, any top-level
 * value, surrounding whitespace allowed, numbers of any size). */
SEEKI_TESTABLE bool enc_is_json(const char *s, size_t n)
{
    struct enc_scan sc = {s, n, 0};
    if (!enc_scan_value(&sc, 0))
        return false;
    enc_ws(&sc);
    return sc.i == n;
}

/* ---- numbers ------------------------------------------------------------- */

/* The shortest of %.15g/%.16g/%.17g that reads back as the same double. */
SEEKI_TESTABLE void enc_double(double d, char out[32])
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

static int enc_real(struct buf *out, double d, bool as_string, enum enc_mode mode)
{
    if (isnan(d))
        return enc_cstr(out, "NaN", mode);
    if (isinf(d))
        return enc_cstr(out, d > 0 ? "Infinity" : "-Infinity", mode);
    char tmp[32];
    enc_double(d, tmp);
    return as_string ? enc_cstr(out, tmp, mode) : buf_puts(out, tmp);
}

/* Integer digits past 2^53-1 travel as a string so nothing rounds them. */
static int enc_int_text(struct buf *out, const char *s, size_t n, enum enc_mode mode)
{
    const char *d = s[0] == '-' ? s + 1 : s;
    size_t nd = n - (size_t)(d - s);
    bool safe = nd < 16 || (nd == 16 && memcmp(d, "9007199254740991", 16) <= 0);
    return safe ? buf_append(out, s, n) : enc_string(out, s, n, mode);
}

static int enc_int(struct buf *out, int64_t v, enum enc_mode mode)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    if (v > ENC_SAFE_INT || v < -ENC_SAFE_INT)
        return enc_string(out, tmp, (size_t)n, mode);
    return buf_append(out, tmp, (size_t)n);
}

/* ---- special text forms --------------------------------------------------- */

/* 1 = true, 0 = false, -1 = not a boolean word. */
static int enc_bool_word(const char *s, size_t n)
{
    static const char *const yes[] = {"t", "true", "y", "yes", "1"};
    static const char *const no[] = {"f", "false", "n", "no", "0"};
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(yes); i++) {
        if (strlen(yes[i]) == n && strncasecmp(s, yes[i], n) == 0)
            return 1;
        if (strlen(no[i]) == n && strncasecmp(s, no[i], n) == 0)
            return 0;
    }
    return -1;
}

static bool enc_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* PostgreSQL timestamptz text under TimeZone=UTC ("2026-01-02 03:04:05.5+00")
 * -> "2026-01-02T03:04:05.5Z". Other offsets keep their "+05:30" after the T
 * form; anything unexpected (infinity, BC) is passed through unchanged. */
static int enc_timestamptz(struct buf *out, const char *s, size_t n, enum enc_mode mode)
{
    if (n < 22 || s[10] != ' ' || !enc_digits(s, 4) || s[4] != '-' || s[13] != ':' || s[16] != ':')
        return enc_string(out, s, n, mode);
    size_t i = 19;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i >= n || (s[i] != '+' && s[i] != '-'))
        return enc_string(out, s, n, mode);
    const char *off = s + i;
    size_t offn = n - i;
    for (size_t k = 1; k < offn; k++)
        if (!((off[k] >= '0' && off[k] <= '9') || off[k] == ':'))
            return enc_string(out, s, n, mode); /* " BC" and other surprises */
    bool utc =
        (offn == 3 && memcmp(off, "+00", 3) == 0) || (offn == 6 && memcmp(off, "+00:00", 6) == 0);
    struct buf t;
    buf_init(&t, 0);
    buf_must_append(&t, s, 10);
    buf_must_putc(&t, 'T');
    buf_must_append(&t, s + 11, i - 11);
    buf_must_append(&t, utc ? "Z" : off, utc ? 1 : offn);
    int rc = enc_string(out, t.data, t.len, mode);
    buf_free(&t);
    return rc;
}

static int enc_hexbytes(struct buf *out, const unsigned char *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    char chunk[512];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        chunk[k++] = hx[p[i] >> 4];
        chunk[k++] = hx[p[i] & 15];
        if (k == sizeof chunk) {
            if (buf_append(out, chunk, k) != 0)
                return -1;
            k = 0;
        }
    }
    return k ? buf_append(out, chunk, k) : 0;
}

/* A BLOB cell as "\x" + hex; in JSON capped at ENC_BYTEA_JSON_MAX bytes. */
static int enc_blob(struct buf *out, const unsigned char *p, size_t n, enum enc_mode mode)
{
    bool cap = mode == ENC_JSON && n > ENC_BYTEA_JSON_MAX;
    size_t shown = cap ? ENC_BYTEA_JSON_MAX : n;
    if (buf_puts(out, mode == ENC_JSON ? "\"\\\\x" : "\\x") != 0 ||
        enc_hexbytes(out, p, shown) != 0)
        return -1;
    if (cap && buf_printf(out, "\xE2\x80\xA6(%zu bytes)", n) != 0)
        return -1;
    return mode == ENC_JSON ? buf_putc(out, '"') : 0;
}

/* PostgreSQL bytea text ("\x0a0b..."): in JSON the first 1024 bytes, then
 * "…(N bytes)". */
static int enc_bytea_text(struct buf *out, const char *s, size_t n, enum enc_mode mode)
{
    size_t keep = 2 + 2 * ENC_BYTEA_JSON_MAX;
    if (mode != ENC_JSON || n <= keep || s[0] != '\\' || s[1] != 'x')
        return enc_string(out, s, n, mode);
    struct buf t;
    buf_init(&t, 0);
    buf_must_append(&t, s, keep);
    char tail[48];
    int tn = snprintf(tail, sizeof tail, "\xE2\x80\xA6(%zu bytes)", (n - 2) / 2);
    buf_must_append(&t, tail, (size_t)tn);
    int rc = enc_string(out, t.data, t.len, mode);
    buf_free(&t);
    return rc;
}

/* ---- PostgreSQL arrays ---------------------------------------------------- */

static int enc_value(const struct db_column *c, enum db_vtype vt, const struct db_cell *v,
                     enum enc_mode mode, struct buf *out);

struct enc_arr {
    const char *s;
    size_t n, i;
    const struct db_column *c;
};

/* 1 = parsed, 0 = not an array literal, -1 = out full. */
static int enc_arr_parse(struct enc_arr *a, struct buf *out, int depth)
{
    if (depth > ENC_JSON_DEPTH_MAX || a->i >= a->n || a->s[a->i] != '{')
        return 0;
    a->i++;
    if (buf_putc(out, '[') != 0)
        return -1;
    if (a->i < a->n && a->s[a->i] == '}') {
        a->i++;
        return buf_putc(out, ']') != 0 ? -1 : 1;
    }
    for (bool first = true;; first = false) {
        if (!first && buf_putc(out, ',') != 0)
            return -1;
        while (a->i < a->n && a->s[a->i] == ' ')
            a->i++;
        if (a->i >= a->n)
            return 0;
        int rc;
        if (a->s[a->i] == '{') {
            rc = enc_arr_parse(a, out, depth + 1);
        } else {
            struct buf el;
            buf_init(&el, 0);
            bool quoted = a->s[a->i] == '"';
            bool ok = true;
            if (quoted) {
                for (a->i++; a->i < a->n && a->s[a->i] != '"'; a->i++) {
                    if (a->s[a->i] == '\\' && ++a->i >= a->n)
                        break;
                    buf_must_putc(&el, a->s[a->i]);
                }
                ok = a->i < a->n;
                a->i++;
            } else {
                while (a->i < a->n && a->s[a->i] != ',' && a->s[a->i] != '}')
                    buf_must_putc(&el, a->s[a->i++]);
                while (el.len && el.data[el.len - 1] == ' ')
                    el.data[--el.len] = '\0';
                ok = el.len > 0;
            }
            struct db_cell cell = {.kind = DB_CELL_TEXT, .s = buf_str(&el), .len = el.len};
            if (!quoted && el.len == 4 && strncasecmp(el.data, "NULL", 4) == 0)
                cell.kind = DB_CELL_NULL;
            enum db_vtype et = a->c->elem_vtype == DB_VT_ARRAY ? DB_VT_TEXT : a->c->elem_vtype;
            rc = ok ? (enc_value(a->c, et, &cell, ENC_JSON, out) != 0 ? -1 : 1) : 0;
            buf_free(&el);
        }
        if (rc != 1)
            return rc;
        while (a->i < a->n && a->s[a->i] == ' ')
            a->i++;
        if (a->i >= a->n)
            return 0;
        if (a->s[a->i] == '}') {
            a->i++;
            return buf_putc(out, ']') != 0 ? -1 : 1;
        }
        if (a->s[a->i] != ',')
            return 0;
        a->i++;
    }
}

/* "{1,2,NULL}", "{{1,2},{3,4}}", "[0:1]={1,2}" -> JSON arrays; anything that
 * does not parse is sent as a string. In text mode the JSON is the text. */
static int enc_array_text(const struct db_column *c, const char *s, size_t n, enum enc_mode mode,
                          struct buf *out)
{
    size_t start = 0;
    if (n && s[0] == '[') { /* explicit bounds: skip to '=' */
        const char *eq = memchr(s, '=', n);
        if (eq)
            start = (size_t)(eq - s) + 1;
    }
    struct enc_arr a = {s, n, start, c};
    size_t mark = out->len;
    int rc = enc_arr_parse(&a, out, 0);
    if (rc == 1 && a.i == n)
        return 0;
    if (rc < 0)
        return -1;
    out->len = mark; /* not an array literal: undo and send the text */
    if (out->data)
        out->data[mark] = '\0';
    return enc_string(out, s, n, mode);
}

/* ---- dispatch ------------------------------------------------------------- */

static int enc_text_cell(const struct db_column *c, enum db_vtype vt, const char *s, size_t n,
                         enum enc_mode mode, struct buf *out)
{
    bool integer = false;
    switch (vt) {
    case DB_VT_INT:
    case DB_VT_BIGINT:
    case DB_VT_FLOAT:
        if (enc_is_json_number(s, n, &integer))
            return integer ? enc_int_text(out, s, n, mode) : buf_append(out, s, n);
        return enc_string(out, s, n, mode); /* NaN, Infinity, or stray text */
    case DB_VT_BOOL: {
        int b = enc_bool_word(s, n);
        if (b >= 0)
            return buf_puts(out, b ? "true" : "false");
        return enc_string(out, s, n, mode);
    }
    case DB_VT_TIMESTAMPTZ:
        return enc_timestamptz(out, s, n, mode);
    case DB_VT_JSON:
        if (enc_is_json(s, n))
            return buf_append(out, s, n);
        return enc_string(out, s, n, mode);
    case DB_VT_BYTEA:
        return enc_bytea_text(out, s, n, mode);
    case DB_VT_ARRAY:
        return enc_array_text(c, s, n, mode, out);
    default:
        return enc_string(out, s, n, mode);
    }
}

static int enc_value(const struct db_column *c, enum db_vtype vt, const struct db_cell *v,
                     enum enc_mode mode, struct buf *out)
{
    bool numeric_text = vt == DB_VT_NUMERIC || vt == DB_VT_MONEY;
    switch (v->kind) {
    case DB_CELL_NULL:
        return mode == ENC_JSON ? buf_puts(out, "null") : 0;
    case DB_CELL_INT:
        if (vt == DB_VT_BOOL && (v->i == 0 || v->i == 1))
            return buf_puts(out, v->i ? "true" : "false");
        if (numeric_text) {
            char tmp[24];
            snprintf(tmp, sizeof tmp, "%lld", (long long)v->i);
            return enc_cstr(out, tmp, mode);
        }
        return enc_int(out, v->i, mode);
    case DB_CELL_REAL:
        if (vt == DB_VT_BOOL && (v->d == 0.0 || v->d == 1.0))
            return buf_puts(out, v->d != 0.0 ? "true" : "false");
        return enc_real(out, v->d, numeric_text, mode);
    case DB_CELL_TEXT:
        return enc_text_cell(c, vt, v->s ? v->s : "", v->s ? v->len : 0, mode, out);
    case DB_CELL_BLOB:
        return enc_blob(out, (const unsigned char *)v->s, v->s ? v->len : 0, mode);
    }
    return buf_puts(out, "null");
}

int db_cell_json(const struct db_column *c, const struct db_cell *v, struct buf *out)
{
    size_t mark = out->len;
    if (enc_value(c, c->vtype, v, ENC_JSON, out) == 0)
        return 0;
    out->len = mark; /* leave no half value behind */
    if (out->data)
        out->data[mark] = '\0';
    return -1;
}

int db_cell_csv(const struct db_column *c, const struct db_cell *v, struct buf *out)
{
    if (v->kind == DB_CELL_NULL)
        return 0;
    struct buf t;
    buf_init(&t, out->max);
    int rc = enc_value(c, c->vtype, v, ENC_TEXT, &t);
    size_t mark = out->len;
    if (rc == 0)
        rc = text_csv_field(out, buf_str(&t), t.len);
    buf_free(&t);
    if (rc != 0) {
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
        return -1;
    }
    return 0;
}
