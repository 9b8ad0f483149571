/* JSON helpers for the API handlers: a byte-safe JSON string writer (used for
 * row keys and error bodies), jansson glue, and the shared column object and
 * table lookup. Everything here is reentrant. */
#include <string.h>

#include "api/api_int.h"
#include "log.h"
#include "util/mem.h"

size_t api_utf8_seq(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    unsigned cp;
    if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int api_json_string(struct buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (buf_putc(out, '"') != 0)
        return -1;
    size_t i = 0;
    while (i < n) {
        /* Copy the longest run that needs no escaping in one append. */
        size_t start = i;
        while (i < n && p[i] >= 0x20 && p[i] != '"' && p[i] != '\\' && p[i] < 0x80)
            i++;
        if (i > start && buf_append(out, s + start, i - start) != 0)
            return -1;
        if (i >= n)
            break;
        unsigned char c = p[i];
        int rc = 0;
        if (c >= 0x80) {
            size_t len = api_utf8_seq(p + i, n - i);
            if (len) {
                rc = buf_append(out, s + i, len);
                i += len;
            } else {
                rc = buf_puts(out, "\xEF\xBF\xBD"); /* U+FFFD */
                i++;
            }
        } else {
            switch (c) {
            case '"':
                rc = buf_puts(out, "\\\"");
                break;
            case '\\':
                rc = buf_puts(out, "\\\\");
                break;
            case '\n':
                rc = buf_puts(out, "\\n");
                break;
            case '\r':
                rc = buf_puts(out, "\\r");
                break;
            case '\t':
                rc = buf_puts(out, "\\t");
                break;
            case '\b':
                rc = buf_puts(out, "\\b");
                break;
            case '\f':
                rc = buf_puts(out, "\\f");
                break;
            default:
                rc = buf_printf(out, "\\u%04x", c);
                break;
            }
            i++;
        }
        if (rc != 0)
            return -1;
    }
    return buf_putc(out, '"');
}

json_t *api_jstr(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    /* Not valid UTF-8: replace the bad bytes, as api_json_string does. */
    struct buf b;
    buf_init(&b, 0); /* no maximum: appends cannot fail */
    int bad = 0;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t len = api_utf8_seq((const unsigned char *)s + i, n - i);
        if (len) {
            bad |= buf_append(&b, s + i, len);
            i += len;
        } else {
            bad |= buf_puts(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    j = bad ? NULL : json_string(buf_str(&b));
    buf_free(&b);
    return j ? j : json_string("");
}

void api_send_json(struct http_resp *resp, int status, json_t *j, unsigned long req_id)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text) {
        struct seeki_err e;
        seeki_fail(&e, SEEKI_E_INTERNAL, "could not serialise a JSON response");
        http_resp_fail(resp, &e, req_id);
        return;
    }
    http_resp_set(resp, status, API_JSON, text, strlen(text));
    free(text);
}

json_t *api_column_json(const struct db_column *c)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:b, s:b}", "name", api_jstr(c->name), "display_name",
                     api_jstr(c->display_name ? c->display_name : c->name), "data_type",
                     api_jstr(c->data_type ? c->data_type : ""), "display_type",
                     api_jstr(db_display_type(c)), "is_nullable", c->is_nullable, "is_primary_key",
                     c->is_primary_key);
}

bool api_need_db(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    if (ctx->db)
        return true;
    struct seeki_err err;
    seeki_fail(&err, SEEKI_E_DB_UNAVAILABLE,
               "Database unavailable: SeeKi has no open database connection; check the "
               "[database] section of the config and run `seeki check`");
    http_resp_fail(resp, &err, req->id);
    return false;
}

bool api_find_table(struct api_ctx *ctx, const struct http_req *req, const char *name,
                    const struct db_table **out, struct http_resp *resp)
{
    if (!api_need_db(ctx, req, resp))
        return false;
    struct seeki_err err;
    seeki_err_clear(&err);
    if (db_find_table(db_catalog(ctx->db), name, out, &err) != SEEKI_E_OK) {
        http_resp_fail(resp, &err, req->id);
        return false;
    }
    return true;
}

bool api_find_rows_req(struct api_ctx *ctx, const struct http_req *req, const char *name,
                       bool for_export, struct api_rows_req *out, struct http_resp *resp)
{
    const struct db_table *t;
    if (!api_find_table(ctx, req, name, &t, resp))
        return false;
    struct seeki_err err;
    seeki_err_clear(&err);
    if (api_params_parse(req, t, for_export, out, &err) != SEEKI_E_OK) {
        http_resp_fail(resp, &err, req->id);
        return false;
    }
    return true;
}
