/* Human-facing names and types: derived display names for tables and columns
 * (snake_case / camelCase -> Title Case, trailing _id dropped), display types
 * for the UI, table kind names, and the declared-type -> vtype mappings of
 * both engines (SPEC §4). Pure functions, no database access. */
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

/* Case-insensitive substring test on a NUL-terminated haystack. */
static bool names_has(const char *hay, const char *needle)
{
    return strcasestr(hay, needle) != NULL;
}

/* True when the declared type's first word (up to '(' or space) is word. */
static bool names_first_word_is(const char *decl, const char *word)
{
    while (*decl == ' ')
        decl++;
    size_t n = strlen(word);
    if (strncasecmp(decl, word, n) != 0)
        return false;
    char after = decl[n];
    return after == '\0' || after == ' ' || after == '(';
}

enum db_vtype db_sqlite_vtype(const char *decl)
{
    if (!decl || !*decl)
        return DB_VT_TEXT;
    /* Order matters: DATETIME contains DATE and TIME, INTERVAL and POINT
     * contain INT, TIMESTAMP contains TIME. */
    if (names_has(decl, "BOOL"))
        return DB_VT_BOOL;
    if (names_has(decl, "DATETIME") || names_has(decl, "TIMESTAMP"))
        return DB_VT_TIMESTAMP;
    if (names_first_word_is(decl, "DATE"))
        return DB_VT_DATE;
    if (names_first_word_is(decl, "TIME"))
        return DB_VT_TIME;
    if (names_first_word_is(decl, "INTERVAL"))
        return DB_VT_INTERVAL;
    if (names_has(decl, "INT"))
        return DB_VT_BIGINT;
    if (names_has(decl, "CHAR") || names_has(decl, "CLOB") || names_has(decl, "TEXT"))
        return DB_VT_TEXT;
    if (names_has(decl, "JSON"))
        return DB_VT_JSON;
    if (names_has(decl, "BLOB") || names_first_word_is(decl, "BYTEA"))
        return DB_VT_BYTEA;
    if (names_has(decl, "REAL") || names_has(decl, "FLOA") || names_has(decl, "DOUB"))
        return DB_VT_FLOAT;
    if (names_has(decl, "NUMERIC") || names_has(decl, "DECIMAL"))
        return DB_VT_NUMERIC;
    return DB_VT_TEXT;
}

struct names_pgmap {
    const char *typname;
    enum db_vtype vtype;
};

static const struct names_pgmap names_pg[] = {
    {"int2", DB_VT_INT},
    {"int4", DB_VT_INT},
    {"oid", DB_VT_INT},
    {"int8", DB_VT_BIGINT},
    {"float4", DB_VT_FLOAT},
    {"float8", DB_VT_FLOAT},
    {"numeric", DB_VT_NUMERIC},
    {"money", DB_VT_MONEY},
    {"bool", DB_VT_BOOL},
    {"text", DB_VT_TEXT},
    {"varchar", DB_VT_TEXT},
    {"bpchar", DB_VT_TEXT},
    {"char", DB_VT_TEXT},
    {"name", DB_VT_TEXT},
    {"citext", DB_VT_TEXT},
    {"date", DB_VT_DATE},
    {"timestamp", DB_VT_TIMESTAMP},
    {"timestamptz", DB_VT_TIMESTAMPTZ},
    {"time", DB_VT_TIME},
    {"timetz", DB_VT_TIME},
    {"interval", DB_VT_INTERVAL},
    {"uuid", DB_VT_UUID},
    {"json", DB_VT_JSON},
    {"jsonb", DB_VT_JSON},
    {"inet", DB_VT_NETWORK},
    {"cidr", DB_VT_NETWORK},
    {"macaddr", DB_VT_NETWORK},
    {"macaddr8", DB_VT_NETWORK},
    {"bytea", DB_VT_BYTEA},
};

enum db_vtype db_pg_vtype(const char *typname, char typcategory)
{
    if (typcategory == 'A' || (typname && typname[0] == '_'))
        return DB_VT_ARRAY;
    if (typname)
        for (size_t i = 0; i < SEEKI_ARRAY_LEN(names_pg); i++)
            if (strcmp(names_pg[i].typname, typname) == 0)
                return names_pg[i].vtype;
    /* Enums and other string-category types read as text. */
    if (typcategory == 'E' || typcategory == 'S')
        return DB_VT_TEXT;
    return DB_VT_OTHER;
}
