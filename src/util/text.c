/* util/text.h: UTF-8 (libunistring) and the JSON string writer. The writers
 * copy runs of bytes that need nothing in one append. */
#include <string.h>
#include <unistr.h>

#include "util/text.h"

size_t text_utf8_len(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    ucs4_t uc;
    int len = u8_mbtoucr(&uc, s, n); /* -1 invalid, -2 truncated */
    return len > 0 ? (size_t)len : 0;
}

size_t text_utf8_bad_offset(const char *s, size_t n)
{
    const uint8_t *bad = u8_check((const uint8_t *)s, n);
    return bad ? (size_t)(bad - (const uint8_t *)s) : n;
}

static const char text_fffd[] = "\xEF\xBF\xBD";

static int text_write(struct buf *out, const char *s, size_t n, bool json)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0, i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t l = text_utf8_len(p + i, n - i);
        bool plain = l > 0 && !(json && (c < 0x20 || c == '"' || c == '\\'));
        if (plain) {
            i += l;
            run += l;
            continue;
        }
        if (run && buf_append(out, p + i - run, run) != 0)
            return -1;
        run = 0;
        int rc;
        if (l == 0) {
            rc = buf_append(out, text_fffd, 3);
        } else {
            static const char *const named[32] = {
                ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t"};
            if (c == '"')
                rc = buf_puts(out, "\\\"");
            else if (c == '\\')
                rc = buf_puts(out, "\\\\");
            else if (named[c])
                rc = buf_puts(out, named[c]);
            else
                rc = buf_printf(out, "\\u%04x", c);
        }
        if (rc != 0)
            return -1;
        i++;
    }
    if (run && buf_append(out, p + n - run, run) != 0)
        return -1;
    return 0;
}

int text_json_string(struct buf *out, const char *s, size_t n)
{
    if (buf_putc(out, '"') != 0 || text_write(out, s, n, true) != 0)
        return -1;
    return buf_putc(out, '"');
}

int text_utf8_clean(struct buf *out, const char *s, size_t n)
{
    return text_write(out, s, n, false);
}

/* RFC 4180: quote when the field holds a comma, quote, CR or LF, or starts
 * or ends with a space or tab (which spreadsheet tools would trim); the
 * empty string is "" so it stays apart from NULL (nothing). */
static bool text_csv_needs_quotes(const char *s, size_t n)
{
    if (n == 0)
        return true;
    if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
        return true;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            return true;
    return false;
}

int text_csv_field(struct buf *out, const char *s, size_t n)
{
    if (!text_csv_needs_quotes(s, n))
        return buf_append(out, s, n);
    if (buf_putc(out, '"') != 0)
        return -1;
    for (size_t i = 0, run = 0; i <= n; i++) {
        if (i == n || s[i] == '"') {
            if (buf_append(out, s + i - run, run) != 0 || (i < n && buf_puts(out, "\"\"") != 0))
                return -1;
            run = 0;
        } else {
            run++;
        }
    }
    return buf_putc(out, '"');
}
