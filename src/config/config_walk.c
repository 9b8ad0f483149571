/* The section walker under the validator: typed getters over the JSON tree
 * with positioned error messages ("PATH:LINE:COLUMN: reason"), the unknown-key
 * check and its "did you mean" suggestion. Rules about particular settings
 * live in config_validate.c and secrets.c, not here. */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"
#include "util/buf.h"
#include "util/mem.h"

/* Longest value quoted back in a message (bytes of the JSON text). */
#define WALK_QUOTE_MAX 60

enum seeki_code cfg_fail_at(struct cfg_ctx *ctx, json_t *posent, const char *fmt, ...)
{
    char reason[SEEKI_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);

    if (ctx->has_pos && posent && json_is_array(posent)) {
        json_int_t line = json_integer_value(json_array_get(posent, 0));
        json_int_t col = json_integer_value(json_array_get(posent, 1));
        return seeki_fail(ctx->err, SEEKI_E_CONFIG, "%s:%" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT ": %s",
                          ctx->label ? ctx->label : "<config>", line, col, reason);
    }
    if (ctx->label)
        return seeki_fail(ctx->err, SEEKI_E_CONFIG, "%s: %s", ctx->label, reason);
    return seeki_fail(ctx->err, SEEKI_E_CONFIG, "%s", reason);
}

static bool walk_is_bare_key(const char *k)
{
    if (!*k)
        return false;
    for (const char *p = k; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

char *cfg_key_path(const char *prefix, const char *key)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = 0;
    if (prefix && *prefix) {
        rc |= buf_puts(&b, prefix);
        rc |= buf_putc(&b, '.');
    }
    if (walk_is_bare_key(key)) {
        rc |= buf_puts(&b, key);
    } else {
        rc |= buf_putc(&b, '"');
        for (const char *p = key; *p; p++) {
            if (*p == '"' || *p == '\\')
                rc |= buf_putc(&b, '\\');
            rc |= buf_putc(&b, *p);
        }
        rc |= buf_putc(&b, '"');
    }
    (void)rc; /* unbounded buffer: appends cannot fail */
    return buf_take(&b);
}

/* A short rendering of v for "got ..." (never used for secrets). */
static void walk_describe(json_t *v, char *out, size_t n)
{
    if (json_is_object(v)) {
        snprintf(out, n, "a table");
    } else if (json_is_array(v)) {
        snprintf(out, n, "an array");
    } else if (json_is_real(v)) {
        char num[64];
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        snprintf(out, n, "%s%s", num, strpbrk(num, ".eEn") ? "" : ".0");
    } else {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (!s) {
            snprintf(out, n, "an unprintable value");
            return;
        }
        if (strlen(s) > WALK_QUOTE_MAX)
            snprintf(out, n, "%.*s…", WALK_QUOTE_MAX, s);
        else
            snprintf(out, n, "%s", s);
        free(s);
    }
}

static const char *walk_type_name(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "a table";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a float";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

void cfg_sect_root(struct cfg_ctx *ctx, json_t *doc, json_t *pos, struct cfg_sect *out)
{
    out->ctx = ctx;
    out->name = xstrdup("");
    out->obj = doc;
    out->possub = json_is_object(pos) ? pos : NULL;
    out->posent = NULL;
}

void cfg_sect_free(struct cfg_sect *s)
{
    if (s) {
        free(s->name);
        s->name = NULL;
    }
}

json_t *cfg_sect_pos(const struct cfg_sect *s, const char *key)
{
    return s->possub ? json_object_get(s->possub, key) : NULL;
}

enum seeki_code cfg_sect_open(struct cfg_sect *parent, const char *key, struct cfg_sect *out)
{
    out->ctx = parent->ctx;
    out->name = cfg_key_path(parent->name, key);
    out->obj = NULL;
    out->possub = NULL;
    out->posent = cfg_sect_pos(parent, key);
    json_t *v = parent->obj ? json_object_get(parent->obj, key) : NULL;
    if (!v)
        return SEEKI_E_OK;
    if (!json_is_object(v)) {
        char got[WALK_QUOTE_MAX + 16];
        walk_describe(v, got, sizeof got);
        return cfg_fail_at(out->ctx, out->posent, "`%s` must be a table ([%s]), got %s",
                           out->name, out->name, got);
    }
    out->obj = v;
    json_t *sub = out->posent ? json_array_get(out->posent, 2) : NULL;
    out->possub = json_is_object(sub) ? sub : NULL;
    return SEEKI_E_OK;
}

size_t cfg_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = xmalloc((lb + 1) * sizeof *row);
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}

const char *cfg_nearest(const char *word, const char *const *known)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; known[i]; i++) {
        size_t d = cfg_edit_distance(word, known[i]);
        if (d < best_d) {
            best_d = d;
            best = known[i];
        }
    }
    /* A plausible typo: at most a third of the name changed (and at least
     * one edit allowed), so "prot" -> "port" but not "foo" -> "host". */
    if (!best)
        return NULL;
    size_t len = strlen(best);
    size_t limit = len / 3 > 1 ? len / 3 : 1;
    if (len >= 4 && limit < 2)
        limit = 2;
    return best_d <= limit ? best : NULL;
}

static bool walk_known(const char *k, const char *const *known)
{
    for (size_t i = 0; known[i]; i++)
        if (strcmp(k, known[i]) == 0)
            return true;
    return false;
}

/* Does entry a come before entry b in the file? Unknown positions sort last. */
static bool walk_before(json_t *a, json_t *b)
{
    if (!a)
        return false;
    if (!b)
        return true;
    json_int_t la = json_integer_value(json_array_get(a, 0));
    json_int_t lb = json_integer_value(json_array_get(b, 0));
    if (la != lb)
        return la < lb;
    return json_integer_value(json_array_get(a, 1)) < json_integer_value(json_array_get(b, 1));
}

enum seeki_code cfg_sect_keys(struct cfg_sect *s, const char *const *known)
{
    if (!s->obj)
        return SEEKI_E_OK;
    const char *bad = NULL;
    json_t *bad_pos = NULL;
    const char *k;
    json_t *v;
    json_object_foreach(s->obj, k, v) {
        (void)v;
        if (walk_known(k, known))
            continue;
        json_t *p = cfg_sect_pos(s, k);
        if (!bad || walk_before(p, bad_pos)) {
            bad = k;
            bad_pos = p;
        }
    }
    if (!bad)
        return SEEKI_E_OK;

    char *full = cfg_key_path(s->name, bad);
    const char *near = cfg_nearest(bad, known);
    enum seeki_code rc;
    if (near) {
        char *nfull = cfg_key_path(s->name, near);
        rc = cfg_fail_at(s->ctx, bad_pos, "unknown key '%s' — did you mean '%s'?", full, nfull);
        free(nfull);
    } else {
        struct buf list;
        buf_init(&list, 0);
        for (size_t i = 0; known[i]; i++)
            if (buf_printf(&list, "%s%s", i ? ", " : "", known[i]) != 0)
                break;
        if (*s->name)
            rc = cfg_fail_at(s->ctx, bad_pos, "unknown key '%s'; keys allowed in [%s]: %s", full,
                             s->name, buf_str(&list));
        else
            rc = cfg_fail_at(s->ctx, bad_pos, "unknown key '%s'; top-level tables allowed: %s",
                             full, buf_str(&list));
        buf_free(&list);
    }
    free(full);
    return rc;
}

/* Fetches member key: *v is NULL when absent; *pe its position entry. */
static json_t *walk_member(struct cfg_sect *s, const char *key, json_t **pe)
{
    *pe = cfg_sect_pos(s, key);
    if (!*pe)
        *pe = s->posent; /* point at the table when the key itself is unknown */
    return s->obj ? json_object_get(s->obj, key) : NULL;
}

enum seeki_code cfg_get_string(struct cfg_sect *s, const char *key, unsigned flags, char **out)
{
    json_t *pe;
    json_t *v = walk_member(s, key, &pe);
    char *full = cfg_key_path(s->name, key);
    enum seeki_code rc = SEEKI_E_OK;
    if (!v) {
        if (flags & CFG_REQUIRED)
            rc = cfg_fail_at(s->ctx, pe, "`%s` is required; add %s = \"...\"%s%s%s", full, key,
                             *s->name ? " under [" : "", s->name, *s->name ? "]" : "");
        goto done;
    }
    if (!json_is_string(v)) {
        if (flags & CFG_SECRET) {
            rc = cfg_fail_at(s->ctx, pe, "`%s` must be a string, got %s", full,
                             walk_type_name(v));
        } else {
            char got[WALK_QUOTE_MAX + 16];
            walk_describe(v, got, sizeof got);
            rc = cfg_fail_at(s->ctx, pe, "`%s` must be a string, got %s", full, got);
        }
        goto done;
    }
    if (!(flags & CFG_ALLOW_EMPTY) && json_string_length(v) == 0) {
        rc = cfg_fail_at(s->ctx, pe, "`%s` must not be empty; give a value or remove the key",
                         full);
        goto done;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        rc = cfg_fail_at(s->ctx, pe, "`%s` contains the character U+0000; remove it", full);
        goto done;
    }
    free(*out);
    *out = xstrdup(json_string_value(v));
done:
    free(full);
    return rc;
}

enum seeki_code cfg_get_int(struct cfg_sect *s, const char *key, long long lo, long long hi,
                            const char *unit, int *out)
{
    json_t *pe;
    json_t *v = walk_member(s, key, &pe);
    if (!v)
        return SEEKI_E_OK;
    if (hi > INT_MAX)
        hi = INT_MAX;
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
    if (json_is_integer(v) && n >= lo && n <= hi) {
        *out = (int)n;
        return SEEKI_E_OK;
    }
    char range[96];
    if (hi == INT_MAX)
        snprintf(range, sizeof range, "an integer >= %lld", lo);
    else
        snprintf(range, sizeof range, "an integer from %lld to %lld", lo, hi);
    char got[WALK_QUOTE_MAX + 16];
    walk_describe(v, got, sizeof got);
    char *full = cfg_key_path(s->name, key);
    enum seeki_code rc = cfg_fail_at(s->ctx, pe, "`%s` must be %s%s%s%s, got %s", full, range,
                                     unit ? " (" : "", unit ? unit : "", unit ? ")" : "", got);
    free(full);
    return rc;
}

enum seeki_code cfg_get_enum(struct cfg_sect *s, const char *key, const char *const *names,
                             int *out)
{
    json_t *pe;
    json_t *v = walk_member(s, key, &pe);
    if (!v)
        return SEEKI_E_OK;
    if (json_is_string(v)) {
        for (int i = 0; names[i]; i++) {
            if (strcmp(json_string_value(v), names[i]) == 0) {
                *out = i;
                return SEEKI_E_OK;
            }
        }
    }
    struct buf list;
    buf_init(&list, 0);
    for (size_t i = 0; names[i]; i++)
        if (buf_printf(&list, "%s\"%s\"", i == 0 ? "" : names[i + 1] ? ", " : " or ",
                       names[i]) != 0)
            break;
    char got[WALK_QUOTE_MAX + 16];
    walk_describe(v, got, sizeof got);
    const char *near = json_is_string(v) ? cfg_nearest(json_string_value(v), names) : NULL;
    char *full = cfg_key_path(s->name, key);
    enum seeki_code rc;
    if (near)
        rc = cfg_fail_at(s->ctx, pe, "`%s` must be %s, got %s — did you mean \"%s\"?", full,
                         buf_str(&list), got, near);
    else
        rc = cfg_fail_at(s->ctx, pe, "`%s` must be %s, got %s", full, buf_str(&list), got);
    free(full);
    buf_free(&list);
    return rc;
}

enum seeki_code cfg_get_strings(struct cfg_sect *s, const char *key, bool nonempty,
                                char ***out, size_t *n, bool *present)
{
    json_t *pe;
    json_t *v = walk_member(s, key, &pe);
    if (present)
        *present = v != NULL;
    if (!v)
        return SEEKI_E_OK;
    char *full = cfg_key_path(s->name, key);
    char **items = NULL;
    size_t count = 0;
    enum seeki_code rc = SEEKI_E_OK;
    if (!json_is_array(v)) {
        char got[WALK_QUOTE_MAX + 16];
        walk_describe(v, got, sizeof got);
        rc = cfg_fail_at(s->ctx, pe, "`%s` must be an array of strings such as [\"a\", \"b\"], got %s",
                         full, got);
        goto fail;
    }
    if (nonempty && json_array_size(v) == 0) {
        rc = cfg_fail_at(s->ctx, pe,
                         "`%s` must list at least one entry; remove the key to use the default",
                         full);
        goto fail;
    }
    json_t *elpos = pe && pe != s->posent ? json_array_get(pe, 2) : NULL;
    items = xcalloc(json_array_size(v) + 1, sizeof *items);
    size_t i;
    json_t *el;
    json_array_foreach(v, i, el) {
        json_t *ep = json_is_array(elpos) ? json_array_get(elpos, i) : NULL;
        if (!ep)
            ep = pe;
        if (!json_is_string(el) || json_string_length(el) == 0 ||
            strlen(json_string_value(el)) != json_string_length(el)) {
            char got[WALK_QUOTE_MAX + 16];
            walk_describe(el, got, sizeof got);
            rc = cfg_fail_at(s->ctx, ep, "`%s[%zu]` must be a non-empty string, got %s", full, i,
                             got);
            goto fail;
        }
        bool dup = false;
        for (size_t j = 0; j < count; j++)
            if (strcmp(items[j], json_string_value(el)) == 0)
                dup = true;
        if (!dup)
            items[count++] = xstrdup(json_string_value(el));
    }
    strv_free(*out, *n);
    *out = items;
    *n = count;
    free(full);
    return SEEKI_E_OK;
fail:
    strv_free(items, count);
    free(full);
    return rc;
}
