/* SQLite declared types -> SeeKi's value types (SPEC §4), by the words of the
 * declaration as SQLite's own affinity rules read them. */
#include <string.h>
#include <strings.h>

#include "db/sqlite/sqlite_int.h"

/* Case-insensitive substring test on a NUL-terminated haystack. */
static bool lite_type_has(const char *hay, const char *needle)
{
    return strcasestr(hay, needle) != NULL;
}

/* True when the declared type's first word (up to '(' or space) is word. */
static bool lite_type_first_word_is(const char *decl, const char *word)
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
    if (lite_type_has(decl, "BOOL"))
        return DB_VT_BOOL;
    if (lite_type_has(decl, "DATETIME") || lite_type_has(decl, "TIMESTAMP"))
        return DB_VT_TIMESTAMP;
    if (lite_type_first_word_is(decl, "DATE"))
        return DB_VT_DATE;
    if (lite_type_first_word_is(decl, "TIME"))
        return DB_VT_TIME;
    if (lite_type_first_word_is(decl, "INTERVAL"))
        return DB_VT_INTERVAL;
    if (lite_type_has(decl, "INT"))
        return DB_VT_BIGINT;
    if (lite_type_has(decl, "CHAR") || lite_type_has(decl, "CLOB") || lite_type_has(decl, "TEXT"))
        return DB_VT_TEXT;
    if (lite_type_has(decl, "JSON"))
        return DB_VT_JSON;
    if (lite_type_has(decl, "BLOB") || lite_type_first_word_is(decl, "BYTEA"))
        return DB_VT_BYTEA;
    if (lite_type_has(decl, "REAL") || lite_type_has(decl, "FLOA") || lite_type_has(decl, "DOUB"))
        return DB_VT_FLOAT;
    if (lite_type_has(decl, "NUMERIC") || lite_type_has(decl, "DECIMAL"))
        return DB_VT_NUMERIC;
    return DB_VT_TEXT;
}
