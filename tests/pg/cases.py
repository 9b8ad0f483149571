"""Type-encoding cases for the PostgreSQL engine: (PostgreSQL type, SQL literal,
expected JSON value, expected CSV field). conftest.py loads them into the
`type_zoo` table (one row per case, the case's column set, others NULL);
test_types.py asserts every value exactly; docs/encoding.md carries the same
table (render with `python3 tests/pg/cases.py`, checked by a test).
CSV None means an empty unquoted field (NULL).
"""
import json

# column name -> PostgreSQL type
COLUMNS = [
    ("c_int2", "smallint"), ("c_int4", "integer"), ("c_int8", "bigint"),
    ("c_real", "real"), ("c_float8", "double precision"), ("c_numeric", "numeric"),
    ("c_money", "money"), ("c_bool", "boolean"), ("c_char", "character(5)"),
    ("c_varchar", "character varying(20)"), ("c_text", "text"), ("c_bytea", "bytea"),
    ("c_date", "date"), ("c_time", "time without time zone"),
    ("c_timetz", "time with time zone"), ("c_ts", "timestamp without time zone"),
    ("c_tstz", "timestamp with time zone"), ("c_interval", "interval"), ("c_uuid", "uuid"),
    ("c_json", "json"), ("c_jsonb", "jsonb"), ("c_inet", "inet"), ("c_cidr", "cidr"),
    ("c_macaddr", "macaddr"), ("c_int_arr", "integer[]"), ("c_text_arr", "text[]"),
    ("c_int8_arr", "bigint[]"), ("c_mood", "mood"), ("c_posint", "posint"),
    ("c_point", "point"),
]
TYPE_OF = dict(COLUMNS)

# (column, SQL literal, JSON value, CSV field)
CASES = [
    ("c_int2", "-32768", -32768, "-32768"),
    ("c_int4", "2147483647", 2147483647, "2147483647"),
    ("c_int8", "9007199254740991", 9007199254740991, "9007199254740991"),
    ("c_int8", "9007199254740993", "9007199254740993", "9007199254740993"),
    ("c_int8", "-9223372036854775808", "-9223372036854775808", "-9223372036854775808"),
    ("c_real", "1.5", 1.5, "1.5"),
    ("c_float8", "0.1", 0.1, "0.1"),
    ("c_float8", "'NaN'", "NaN", "NaN"),
    ("c_float8", "'Infinity'", "Infinity", "Infinity"),
    ("c_float8", "'-Infinity'", "-Infinity", "-Infinity"),
    ("c_float8", "1e300", 1e300, "1e+300"),
    ("c_numeric", "1234.5000000000", "1234.5000000000", "1234.5000000000"),
    ("c_numeric", "'NaN'", "NaN", "NaN"),
    ("c_numeric", "123456789012345678901234567890.5", "123456789012345678901234567890.5",
     "123456789012345678901234567890.5"),
    ("c_money", "1234.5", "$1,234.50", "\"$1,234.50\""),
    ("c_bool", "true", True, "true"),
    ("c_bool", "false", False, "false"),
    ("c_char", "'ab'", "ab   ", "\"ab   \""),
    ("c_varchar", "''", "", "\"\""),
    ("c_text", "'   '", "   ", "\"   \""),
    ("c_text", "'say \"hi\", bye'", "say \"hi\", bye", "\"say \"\"hi\"\", bye\""),
    ("c_text", "E'two\\nlines'", "two\nlines", "\"two\nlines\""),
    ("c_text", "'Zoë 山田'", "Zoë 山田", "Zoë 山田"),
    ("c_bytea", "'\\x00ff10'::bytea", "\\x00ff10", "\\x00ff10"),
    ("c_date", "'2026-04-30'", "2026-04-30", "2026-04-30"),
    ("c_date", "'infinity'", "infinity", "infinity"),
    ("c_date", "'-infinity'", "-infinity", "-infinity"),
    ("c_time", "'12:00:00.25'", "12:00:00.25", "12:00:00.25"),
    ("c_timetz", "'12:00:00+05:30'", "12:00:00+05:30", "12:00:00+05:30"),
    ("c_ts", "'2026-01-02 03:04:05.5'", "2026-01-02 03:04:05.5", "2026-01-02 03:04:05.5"),
    ("c_ts", "'infinity'", "infinity", "infinity"),
    ("c_tstz", "'2026-01-02 03:04:05.5+02'", "2026-01-02T01:04:05.5Z",
     "2026-01-02T01:04:05.5Z"),
    ("c_tstz", "'2026-07-01 00:00:00Z'", "2026-07-01T00:00:00Z", "2026-07-01T00:00:00Z"),
    ("c_tstz", "'-infinity'", "-infinity", "-infinity"),
    ("c_interval", "'1 day 2 hours'", "1 day 02:00:00", "1 day 02:00:00"),
    ("c_interval", "'1 year 2 mons -3 days'", "1 year 2 mons -3 days", "1 year 2 mons -3 days"),
    ("c_uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    ("c_json", "'{\"big\":12345678901234567890}'", {"big": 12345678901234567890},
     "\"{\"\"big\"\":12345678901234567890}\""),
    ("c_jsonb", "'{\"b\":[1,2,null]}'", {"b": [1, 2, None]}, "\"{\"\"b\"\": [1, 2, null]}\""),
    ("c_jsonb", "'\"just a string\"'", "just a string", "\"\"\"just a string\"\"\""),
    ("c_inet", "'10.0.0.1/8'", "10.0.0.1/8", "10.0.0.1/8"),
    ("c_cidr", "'10.0.0.0/8'", "10.0.0.0/8", "10.0.0.0/8"),
    ("c_macaddr", "'08:00:2b:01:02:03'", "08:00:2b:01:02:03", "08:00:2b:01:02:03"),
    ("c_int_arr", "'{1,NULL,3}'", [1, None, 3], "\"[1,null,3]\""),
    ("c_int_arr", "'{{1,2},{3,4}}'", [[1, 2], [3, 4]], "\"[[1,2],[3,4]]\""),
    ("c_int_arr", "'{}'", [], "[]"),
    ("c_text_arr", "ARRAY['a b', 'c\"d', NULL, 'NULL', '']",
     ["a b", "c\"d", None, "NULL", ""], "\"[\"\"a b\"\",\"\"c\\\"\"d\"\",null,\"\"NULL\"\",\"\"\"\"]\""),
    ("c_int8_arr", "'{9007199254740993,1}'", ["9007199254740993", 1],
     "\"[\"\"9007199254740993\"\",1]\""),
    ("c_mood", "'happy'", "happy", "happy"),
    ("c_posint", "42", 42, "42"),
    ("c_point", "'(1,2)'", "(1,2)", "\"(1,2)\""),
]


def create_sql():
    cols = ",\n".join('  %s %s' % (c, t) for c, t in COLUMNS)
    sql = ["CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');",
           "CREATE DOMAIN posint AS integer CHECK (VALUE > 0);",
           "CREATE TABLE type_zoo (\n  id integer PRIMARY KEY,\n%s\n);" % cols]
    for i, (col, lit, _, _) in enumerate(CASES, 1):
        sql.append("INSERT INTO type_zoo (id, %s) VALUES (%d, %s);" % (col, i, lit))
    # one row of all NULLs
    sql.append("INSERT INTO type_zoo (id) VALUES (%d);" % (len(CASES) + 1))
    return "\n".join(sql)


def _md(s):
    return s.replace("|", "\\|")


def markdown():
    """The PostgreSQL examples table of docs/encoding.md."""
    out = ["| PostgreSQL type | SQL literal | JSON | CSV field |", "|---|---|---|---|"]
    for col, lit, js, csv in CASES:
        j = json.dumps(js, ensure_ascii=False)
        c = csv.replace("\n", "\\n")
        out.append("| %s | `%s` | `%s` | `%s` |" % (TYPE_OF[col], _md(lit), _md(j), _md(c)))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
