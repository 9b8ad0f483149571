/* PostgreSQL types (pg_type.typname after domains, typcategory) -> SeeKi's
 * value types (SPEC §4). */
#include <string.h>

#include "db/pg/pg_int.h"
#include "util/mem.h"

struct pg_typemap {
    const char *typname;
    enum db_vtype vtype;
};

static const struct pg_typemap pg_types[] = {
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
        for (size_t i = 0; i < SEEKI_ARRAY_LEN(pg_types); i++)
            if (strcmp(pg_types[i].typname, typname) == 0)
                return pg_types[i].vtype;
    /* Enums and other string-category types read as text. */
    if (typcategory == 'E' || typcategory == 'S')
        return DB_VT_TEXT;
    return DB_VT_OTHER;
}
