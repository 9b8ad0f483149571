/* Human-facing names and types: derived display names for tables and columns
 * (snake_case / camelCase -> Title Case, trailing _id dropped), display types
 * for the UI and table kind names (the engines' type mappings are in
 * db/pg/types.c and db/sqlite/types.c). Pure functions, no database access. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/db_int.h"
#include "db/engine.h"
#include "util/buf.h"
#include "util/mem.h"

/* Words shown in capitals wherever they appear as a whole word. */
static const char *const names_acronyms[] = {"id",   "url",   "uuid", "ip",  "api",  "json",
                                             "http", "https", "sql",  "csv", "html", "vat",
                                             "sku",  "gps",   "utc",  "ssn", "iban", "pdf"};

static bool names_is_lower(char ch)
{
    return ch >= 'a' && ch <= 'z';
}

static bool names_is_upper(char ch)
{
    return ch >= 'A' && ch <= 'Z';
}

static bool names_is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Bytes that belong to a word: ASCII letters and digits, and every byte of a
 * multi-byte UTF-8 character (those are never case-mapped). */
static bool names_is_word(char ch)
{
    return names_is_lower(ch) || names_is_upper(ch) || names_is_digit(ch) ||
           (unsigned char)ch >= 0x80;
}

struct names_word {
    const char *s;
    size_t n;
};

static bool names_is_acronym(const char *s, size_t n)
{
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(names_acronyms); i++)
        if (strlen(names_acronyms[i]) == n && strncasecmp(names_acronyms[i], s, n) == 0)
            return true;
    return false;
}

/* Splits ident into words at separators (any ASCII byte that is not a letter
 * or digit), at lower->Upper and digit->Upper ("createdAt", "line2Total") and
 * before the last capital of a run followed by a lower-case letter
 * ("HTTPStatus" -> HTTP, Status). Returns the number of words (<= max). */
static size_t names_split(const char *ident, struct names_word *w, size_t max)
{
    size_t nw = 0;
    size_t i = 0, len = strlen(ident);
    while (i < len && nw < max) {
        while (i < len && !names_is_word(ident[i]))
            i++;
        if (i >= len)
            break;
        size_t start = i++;
        while (i < len && names_is_word(ident[i])) {
            char prev = ident[i - 1], cur = ident[i];
            bool next_lower = i + 1 < len && names_is_lower(ident[i + 1]);
            if (names_is_upper(cur) && (names_is_lower(prev) || names_is_digit(prev) ||
                                        (names_is_upper(prev) && next_lower)))
                break;
            i++;
        }
        w[nw].s = ident + start;
        w[nw].n = i - start;
        nw++;
    }
    return nw;
}

static char *names_display(const char *ident, bool keep_id)
{
    struct names_word words[64];
    if (!ident)
        return xstrdup("");
    size_t nw = names_split(ident, words, SEEKI_ARRAY_LEN(words));
    if (nw == 0)
        return xstrdup(ident);
    /* An identifier without lower-case letters (FIRST_NAME) is shouting, not
     * a run of acronyms: title-case it like first_name. */
    bool all_caps = true;
    for (const char *p = ident; *p; p++)
        if (names_is_lower(*p))
            all_caps = false;
    /* supervisor_id -> Supervisor; a lone "id" stays (as "ID"). */
    if (!keep_id && nw > 1 && words[nw - 1].n == 2 && strncasecmp(words[nw - 1].s, "id", 2) == 0)
        nw--;

    struct buf b;
    buf_init(&b, 0);
    for (size_t k = 0; k < nw; k++) {
        const char *s = words[k].s;
        size_t n = words[k].n;
        if (k > 0)
            buf_must_putc(&b, ' ');
        bool acronym = names_is_acronym(s, n);
        for (size_t j = 0; j < n; j++) {
            char ch = s[j];
            if (acronym || j == 0)
                ch = (char)toupper((unsigned char)ch);
            else if (all_caps)
                ch = (char)tolower((unsigned char)ch);
            /* else: keep ("Status", and acronyms such as HTTP in HTTPStatus) */
            buf_must_putc(&b, ch);
        }
    }
    return buf_take(&b);
}

char *db_display_name(const char *ident)
{
    return names_display(ident, false);
}

char *db_display_name_keep_id(const char *ident)
{
    return names_display(ident, true);
}

const char *db_display_type(const struct db_column *c)
{
    switch (c->vtype) {
    case DB_VT_INT:
    case DB_VT_BIGINT:
        return "Number";
    case DB_VT_FLOAT:
    case DB_VT_NUMERIC:
        return "Decimal";
    case DB_VT_MONEY:
        return "Currency";
    case DB_VT_BOOL:
        return "Yes/No";
    case DB_VT_TEXT:
        return "Text";
    case DB_VT_DATE:
        return "Date";
    case DB_VT_TIMESTAMP:
    case DB_VT_TIMESTAMPTZ:
        return "Date & Time";
    case DB_VT_TIME:
        return "Time";
    case DB_VT_INTERVAL:
        return "Duration";
    case DB_VT_UUID:
        return "UUID";
    case DB_VT_JSON:
        return "JSON";
    case DB_VT_NETWORK:
        return "Network";
    case DB_VT_BYTEA:
        return "Binary";
    case DB_VT_ARRAY:
        return "List";
    case DB_VT_OTHER:
        break;
    }
    return c->data_type && *c->data_type ? c->data_type : "Text";
}

const char *db_table_kind_name(enum db_table_kind k)
{
    switch (k) {
    case DB_TABLE:
        return "table";
    case DB_VIEW:
        return "view";
    case DB_MATVIEW:
        return "materialized_view";
    case DB_FOREIGN:
        return "foreign_table";
    }
    return "table";
}

bool db_vtype_is_text(enum db_vtype v)
{
    return v == DB_VT_TEXT;
}
