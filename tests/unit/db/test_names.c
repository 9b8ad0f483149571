/* Display names, display types, table kinds and both engines' type maps. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "db/pg/pg_int.h"
#include "dbtest.h"

// clang-format off
static const struct {
    const char *ident, *want;
} name_cases[] = {
    {"supervisor_id", "Supervisor"},
    {"createdAt", "Created At"},
    {"first_name", "First Name"},
    {"id", "ID"},
    {"ID", "ID"},
    {"_id", "ID"},
    {"user_id", "User"},
    {"userId", "User"},
    {"userID", "User"},
    {"camelCaseID", "Camel Case"},
    {"HTTPStatus", "HTTP Status"},
    {"getHTTPResponseCode", "Get HTTP Response Code"},
    {"XMLParser", "XML Parser"},
    {"FIRST_NAME", "First Name"},
    {"VEHICLE_ID", "Vehicle"},
    {"api_key", "API Key"},
    {"ip_address", "IP Address"},
    {"json_payload", "JSON Payload"},
    {"line2Total", "Line2 Total"},
    {"address2", "Address2"},
    {"2fa_code", "2fa Code"},
    {"Order Date", "Order Date"},
    {"order-date", "Order Date"},
    {"__x__", "X"},
    {"vehicle_ids", "Vehicle Ids"},
    {"idle", "Idle"},
    {"identity_id_number", "Identity ID Number"},
    {"名前", "名前"},
    {"émail_address", "émail Address"},
    {"_", "_"},
    {"", ""},
};
// clang-format on

Test(names, display_names_from_a_table)
{
    for (size_t i = 0; i < sizeof name_cases / sizeof name_cases[0]; i++) {
        char *got = db_display_name(name_cases[i].ident);
        cr_expect_str_eq(got, name_cases[i].want, "db_display_name(\"%s\") = \"%s\", want \"%s\"",
                         name_cases[i].ident, got, name_cases[i].want);
        free(got);
    }
}

// clang-format off
static const struct {
    enum db_vtype vt;
    const char *data_type, *want;
} type_cases[] = {
    {DB_VT_INT, "integer", "Number"},
    {DB_VT_BIGINT, "bigint", "Number"},
    {DB_VT_FLOAT, "double precision", "Decimal"},
    {DB_VT_NUMERIC, "numeric(30,10)", "Decimal"},
    {DB_VT_MONEY, "money", "Currency"},
    {DB_VT_BOOL, "boolean", "Yes/No"},
    {DB_VT_TEXT, "character(5)", "Text"},
    {DB_VT_DATE, "date", "Date"},
    {DB_VT_TIMESTAMP, "timestamp without time zone", "Date & Time"},
    {DB_VT_TIMESTAMPTZ, "timestamp with time zone", "Date & Time"},
    {DB_VT_TIME, "time", "Time"},
    {DB_VT_INTERVAL, "interval", "Duration"},
    {DB_VT_UUID, "uuid", "UUID"},
    {DB_VT_JSON, "jsonb", "JSON"},
    {DB_VT_NETWORK, "inet", "Network"},
    {DB_VT_BYTEA, "bytea", "Binary"},
    {DB_VT_ARRAY, "integer[]", "List"},
    {DB_VT_OTHER, "point", "point"},
    {DB_VT_OTHER, "tsvector", "tsvector"},
    {DB_VT_OTHER, "", "Text"},
};
// clang-format on

Test(names, display_types_by_vtype)
{
    for (size_t i = 0; i < sizeof type_cases / sizeof type_cases[0]; i++) {
        struct db_column c = {
            .name = "c", .data_type = (char *)type_cases[i].data_type, .vtype = type_cases[i].vt};
        cr_expect_str_eq(db_display_type(&c), type_cases[i].want, "%s -> %s, want %s",
                         type_cases[i].data_type, db_display_type(&c), type_cases[i].want);
    }
}

Test(names, table_kinds_and_text_vtypes)
{
    cr_expect_str_eq(db_table_kind_name(DB_TABLE), "table");
    cr_expect_str_eq(db_table_kind_name(DB_VIEW), "view");
    cr_expect_str_eq(db_table_kind_name(DB_MATVIEW), "materialized_view");
    cr_expect_str_eq(db_table_kind_name(DB_FOREIGN), "foreign_table");
    cr_expect(db_vtype_is_text(DB_VT_TEXT));
    cr_expect(!db_vtype_is_text(DB_VT_JSON));
    cr_expect(!db_vtype_is_text(DB_VT_INT));
    cr_expect(!db_vtype_is_text(DB_VT_UUID));
}

// clang-format off
static const struct {
    const char *decl;
    enum db_vtype want;
} lite_cases[] = {
    {"INTEGER", DB_VT_BIGINT},
    {"int", DB_VT_BIGINT},
    {"BIGINT", DB_VT_BIGINT},
    {"TINYINT", DB_VT_BIGINT},
    {"UNSIGNED BIG INT", DB_VT_BIGINT},
    {"REAL", DB_VT_FLOAT},
    {"DOUBLE PRECISION", DB_VT_FLOAT},
    {"float", DB_VT_FLOAT},
    {"NUMERIC", DB_VT_NUMERIC},
    {"DECIMAL(10,2)", DB_VT_NUMERIC},
    {"BOOLEAN", DB_VT_BOOL},
    {"bool", DB_VT_BOOL},
    {"DATE", DB_VT_DATE},
    {"DATETIME", DB_VT_TIMESTAMP},
    {"TIMESTAMP", DB_VT_TIMESTAMP},
    {"timestamp with time zone", DB_VT_TIMESTAMP},
    {"TIME", DB_VT_TIME},
    {"INTERVAL", DB_VT_INTERVAL},
    {"JSON", DB_VT_JSON},
    {"jsonb", DB_VT_JSON},
    {"BLOB", DB_VT_BYTEA},
    {"TEXT", DB_VT_TEXT},
    {"VARCHAR(20)", DB_VT_TEXT},
    {"CLOB", DB_VT_TEXT},
    {"UUID", DB_VT_TEXT},
    {"", DB_VT_TEXT},
    {NULL, DB_VT_TEXT},
    {"whatever", DB_VT_TEXT},
};
// clang-format on

Test(names, sqlite_declared_types)
{
    for (size_t i = 0; i < sizeof lite_cases / sizeof lite_cases[0]; i++)
        cr_expect_eq(db_sqlite_vtype(lite_cases[i].decl), lite_cases[i].want,
                     "db_sqlite_vtype(\"%s\") = %d, want %d",
                     lite_cases[i].decl ? lite_cases[i].decl : "(null)",
                     db_sqlite_vtype(lite_cases[i].decl), lite_cases[i].want);
}

// clang-format off
static const struct {
    const char *typname;
    char cat;
    enum db_vtype want;
} pg_cases[] = {
    {"int2", 'N', DB_VT_INT},
    {"int4", 'N', DB_VT_INT},
    {"int8", 'N', DB_VT_BIGINT},
    {"float4", 'N', DB_VT_FLOAT},
    {"float8", 'N', DB_VT_FLOAT},
    {"numeric", 'N', DB_VT_NUMERIC},
    {"money", 'N', DB_VT_MONEY},
    {"bool", 'B', DB_VT_BOOL},
    {"text", 'S', DB_VT_TEXT},
    {"varchar", 'S', DB_VT_TEXT},
    {"bpchar", 'S', DB_VT_TEXT},
    {"name", 'S', DB_VT_TEXT},
    {"citext", 'S', DB_VT_TEXT},
    {"date", 'D', DB_VT_DATE},
    {"timestamp", 'D', DB_VT_TIMESTAMP},
    {"timestamptz", 'D', DB_VT_TIMESTAMPTZ},
    {"time", 'D', DB_VT_TIME},
    {"timetz", 'D', DB_VT_TIME},
    {"interval", 'T', DB_VT_INTERVAL},
    {"uuid", 'U', DB_VT_UUID},
    {"json", 'U', DB_VT_JSON},
    {"jsonb", 'U', DB_VT_JSON},
    {"inet", 'I', DB_VT_NETWORK},
    {"cidr", 'I', DB_VT_NETWORK},
    {"macaddr", 'U', DB_VT_NETWORK},
    {"bytea", 'U', DB_VT_BYTEA},
    {"_int4", 'A', DB_VT_ARRAY},
    {"_text", 0, DB_VT_ARRAY},
    {"mood", 'E', DB_VT_TEXT},
    {"point", 'G', DB_VT_OTHER},
    {"tsvector", 'U', DB_VT_OTHER},
};
// clang-format on

Test(names, postgres_type_names)
{
    for (size_t i = 0; i < sizeof pg_cases / sizeof pg_cases[0]; i++)
        cr_expect_eq(db_pg_vtype(pg_cases[i].typname, pg_cases[i].cat), pg_cases[i].want,
                     "db_pg_vtype(\"%s\", '%c') = %d, want %d", pg_cases[i].typname,
                     pg_cases[i].cat ? pg_cases[i].cat : '0',
                     db_pg_vtype(pg_cases[i].typname, pg_cases[i].cat), pg_cases[i].want);
}
