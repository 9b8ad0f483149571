"""The SQLite fixture database and seeki.toml the integration tests serve.

Everything here is plain data plus a builder, so tests compute their expected
answers from the same rows the server reads (see expected_* helpers below).
Only the standard library is used.
"""
import json
import random
import sqlite3
from functools import cmp_to_key

LONG_BIO = "The quick brown fox jumps over the lazy dog. " * 140  # ~6,300 chars

# drivers: one row per edge case. Columns in table order.
DRIVER_COLS = [
    "id", "name", "nickname", "city", "is_active", "rating", "age", "hired_on",
    "last_seen", "updated_at", "prefs", "photo", "bio", "supervisor_id",
]
DRIVER_TYPES = {
    "id": "INTEGER", "name": "TEXT", "nickname": "TEXT", "city": "TEXT",
    "is_active": "BOOLEAN", "rating": "REAL", "age": "INTEGER", "hired_on": "DATE",
    "last_seen": "DATETIME", "updated_at": "TIMESTAMP", "prefs": "JSON", "photo": "BLOB",
    "bio": "TEXT", "supervisor_id": "INTEGER",
}
DRIVER_DISPLAY_TYPES = {
    "id": "Number", "name": "Text", "nickname": "Text", "city": "Text",
    "is_active": "Yes/No", "rating": "Decimal", "age": "Number", "hired_on": "Date",
    "last_seen": "Date & Time", "updated_at": "Date & Time", "prefs": "JSON",
    "photo": "Binary", "bio": "Text", "supervisor_id": "Number",
}
# NOT NULL columns (id is declared NOT NULL explicitly so the answer is unambiguous).
DRIVER_NOT_NULL = {"id", "name"}

DRIVERS = [
    dict(id=1, name="Alice Smith", nickname="Al", city="Boston", is_active=1, rating=4.5,
         age=34, hired_on="2026-04-01", last_seen="2026-04-01 08:00:00",
         updated_at="2026-04-01 08:00:00", prefs='{"theme":"dark","n":1}',
         photo=b"\x00\xff\x10", bio="Drives the morning route.", supervisor_id=None),
    dict(id=2, name="Bob Jones", nickname=None, city="Chicago", is_active=0, rating=None,
         age=45, hired_on="2026-03-15", last_seen="2026-03-20 12:30:00",
         updated_at="2026-03-20 12:30:00", prefs=None, photo=None, bio=None, supervisor_id=1),
    dict(id=3, name="Carol 100% Real", nickname="", city="Denver", is_active=1, rating=3.25,
         age=29, hired_on="2025-12-31", last_seen="2025-12-31 23:59:59",
         updated_at="2025-12-31 23:59:59", prefs="[1,2,3]", photo=None,
         bio="Likes night shifts.", supervisor_id=1),
    dict(id=4, name="Dave_Under", nickname="   ", city="Boston", is_active=None, rating=2.0,
         age=51, hired_on="2026-04-30", last_seen="2026-05-01 00:00:00",
         updated_at="2026-05-01 00:00:00", prefs='{"nested":{"a":[true,false,null]}}',
         photo=b"", bio="Prefers the coast road.", supervisor_id=2),
    dict(id=5, name="José Núñez", nickname="Zoë", city="São Paulo", is_active=1, rating=5.0,
         age=38, hired_on="2026-05-01", last_seen="2026-04-15 10:30:00",
         updated_at="2026-04-15 10:30:00", prefs='{"langs":["pt","es"]}', photo=None,
         bio="Łukasz covers his shifts.", supervisor_id=1),
    dict(id=6, name="山田 太郎", nickname="Ngọc", city="Tokyo", is_active=0, rating=1.5,
         age=62, hired_on=None, last_seen=None, updated_at=None, prefs=None, photo=None,
         bio="日本語のメモ", supervisor_id=None),
    dict(id=7, name='Eve "Quotes", Comma', nickname="line1\nline2", city="New York, NY",
         is_active=1, rating=4.0, age=40, hired_on="2026-04-10",
         last_seen="2026-04-30 23:59:59", updated_at="2026-04-30 23:59:59", prefs=None,
         photo=None, bio='She said "hi", then left.\nSecond line.', supervisor_id=5),
    dict(id=8, name="frank lower", nickname="FRANK", city="boston", is_active=0, rating=None,
         age=30, hired_on="2026-02-28", last_seen="2026-02-28 17:45:00",
         updated_at="2026-02-28 17:45:00", prefs='{"big":12345678901234567890}', photo=None,
         bio=None, supervisor_id=5),
    dict(id=9, name="Grace Hopper", nickname="Amazing Grace", city="Arlington", is_active=1,
         rating=4.75, age=85, hired_on="2026-04-20", last_seen="2026-04-20 09:15:00",
         updated_at="2026-04-20 09:15:00", prefs=None, photo=None, bio=LONG_BIO,
         supervisor_id=2),
    dict(id=10, name="Heidi Null", nickname=None, city=None, is_active=None, rating=None,
         age=None, hired_on=None, last_seen=None, updated_at=None, prefs=None, photo=None,
         bio=None, supervisor_id=None),
]
# Columns of display type Text (the ones global search looks at).
DRIVER_TEXT_COLS = ["name", "nickname", "city", "bio"]

ORDERLINES = [  # inserted in this (non-key) order on purpose
    ("C-003", "blue widget", 3.5, 10),
    ("A-001", "Widget", 12.0, 1),
    ("B-002", "gadget", None, 7),
    ("E-005", "WIDGET deluxe", 99.99, None),
    ("D-004", "sprocket", 0.25, 500),
]

EVENTS_N = 5003
EVENT_CATEGORIES = ["alpha", "beta", "gamma", "delta", None, ""]
NO_PK_N = 120
HIDDEN_ROWS = 3


def make_events():
    """5,003 deterministic rows: (id, category, value, created_at, flag)."""
    rnd = random.Random(20260430)
    rows = []
    for i in range(1, EVENTS_N + 1):
        cat = rnd.choice(EVENT_CATEGORIES)
        value = None if rnd.random() < 0.1 else round(rnd.uniform(-1000, 1000), 3)
        month = rnd.randint(1, 6)
        created = "2026-%02d-%02d %02d:%02d:%02d" % (
            month, rnd.randint(1, 28), rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59))
        rows.append((i, cat, value, created, rnd.randint(0, 1)))
    return rows


def make_no_pk():
    """120 rows (n, label): n is a shuffled 1..120 so insertion order != n order."""
    rnd = random.Random(7)
    ns = list(range(1, NO_PK_N + 1))
    rnd.shuffle(ns)
    labels = ["x", "y", "z"]
    return [(n, labels[n % 3]) for n in ns]


EVENTS = make_events()
NO_PK = make_no_pk()

# Names beyond ASCII, for case-insensitive search and filters (both engines
# fold the same way for Latin with diacritics, Greek and Cyrillic).
BANDS = [
    (1, "Motörhead", "United Kingdom"),
    (2, "São João da ção", "Brasil"),
    (3, "ΟΔΟΣ ΠΡΟΣ", "Ελλάδα"),
    (4, "Кино", "Россия"),
    (5, "Straße", "Deutschland"),
    (6, "ÉLAN", "France"),
    (7, "plain ascii", "nowhere"),
]


# accounts: column insight (SPEC §10). password_hash and internal_note are
# left out by columns.exclude in the fixture config; api_token, ssn and IBAN
# match the default display.sensitive list, the others do not.
ACCOUNT_COLS = ["id", "username", "password_hash", "api_token", "ssn", "IBAN", "balance",
                "internal_note"]
ACCOUNT_TYPES = {"id": "INTEGER", "username": "TEXT", "password_hash": "TEXT",
                 "api_token": "TEXT", "ssn": "TEXT", "IBAN": "TEXT", "balance": "REAL",
                 "internal_note": "TEXT"}
ACCOUNT_SHOWN = ["id", "username", "api_token", "ssn", "IBAN", "balance"]
ACCOUNT_SENSITIVE = {"api_token", "ssn", "IBAN"}
ACCOUNTS = [
    (1, "ada", "hash-zebracorn-1", "tok-aaa", "111-22-3333", "DE001", 10.5, "note-okapi-1"),
    (2, "brian", "hash-zebracorn-2", "tok-bbb", None, "FR002", None, "note-okapi-2"),
    (3, "chloe", "hash-zebracorn-3", None, "333-44-5555", None, -3.25, None),
]


def build(path):
    """Creates the fixture database at path (must not exist)."""
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE drivers (
            id INTEGER PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            nickname TEXT,
            city TEXT,
            is_active BOOLEAN,
            rating REAL,
            age INTEGER,
            hired_on DATE,
            last_seen DATETIME,
            updated_at TIMESTAMP,
            prefs JSON,
            photo BLOB,
            bio TEXT,
            supervisor_id INTEGER
        );
        CREATE TABLE no_pk (n INTEGER, label TEXT);
        CREATE TABLE empty_table (id INTEGER PRIMARY KEY NOT NULL, label TEXT);
        CREATE TABLE "OrderLines" (
            line_code TEXT PRIMARY KEY NOT NULL,
            "item name" TEXT,
            "unit price" REAL,
            qty INTEGER
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY NOT NULL,
            category TEXT,
            value REAL,
            created_at DATETIME,
            flag BOOLEAN
        );
        CREATE TABLE hidden_stuff (id INTEGER PRIMARY KEY NOT NULL, secret TEXT);
        CREATE TABLE bands (id INTEGER PRIMARY KEY NOT NULL, name TEXT, country TEXT);
        CREATE TABLE accounts (id INTEGER PRIMARY KEY NOT NULL, username TEXT,
            password_hash TEXT, api_token TEXT, ssn TEXT, "IBAN" TEXT, balance REAL,
            internal_note TEXT);
        CREATE VIEW active_drivers AS
            SELECT id, name, city FROM drivers WHERE is_active = 1;
    """)
    con.executemany(
        "INSERT INTO drivers (%s) VALUES (%s)" % (
            ", ".join(DRIVER_COLS), ", ".join("?" * len(DRIVER_COLS))),
        [tuple(r[c] for c in DRIVER_COLS) for r in DRIVERS])
    con.executemany("INSERT INTO no_pk VALUES (?, ?)", NO_PK)
    con.executemany('INSERT INTO "OrderLines" VALUES (?, ?, ?, ?)', ORDERLINES)
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?)", EVENTS)
    con.executemany("INSERT INTO bands VALUES (?, ?, ?)", BANDS)
    con.executemany("INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ACCOUNTS)
    con.executemany("INSERT INTO hidden_stuff VALUES (?, ?)",
                    [(i, "secret %d" % i) for i in range(1, HIDDEN_ROWS + 1)])
    con.commit()
    con.close()


def config_text(db_path, extra="", pg_url=None):
    """seeki.toml for the fixture database (port is overridden with --port 0).
    With pg_url the same configuration points at the PostgreSQL copy."""
    if pg_url:
        database = 'kind = "postgres"\nurl = "%s"' % pg_url
    else:
        database = 'kind = "sqlite"\nurl = "sqlite://%s"' % db_path
    return """# SeeKi integration-test configuration
[server]
host = "127.0.0.1"
port = 3141

[database]
%s

[tables]
exclude = ["hidden_stuff"]

[columns]
exclude = ["accounts.password_hash", "*.internal_note"]

[display.tables]
drivers = "Our Drivers"

[display.columns.drivers]
name = "Full Name"

[display.columns.OrderLines]
"unit price" = "Price (EUR)"

[branding]
title = "Fleet Browser"
subtitle = "Integration fixture"
%s""" % (database, extra)


# --- the same data in PostgreSQL (SEEKI_TEST_ENGINE=postgres) -----------------

# SQLite declared type -> the equivalent PostgreSQL type.
PG_TYPES = {"INTEGER": "integer", "TEXT": "text", "BOOLEAN": "boolean",
            "REAL": "double precision", "DATE": "date", "DATETIME": "timestamp",
            "TIMESTAMP": "timestamp", "JSON": "json", "BLOB": "bytea"}


def pg_literal(v, pg_type):
    """A SQL literal for v in a column of pg_type."""
    if v is None:
        return "NULL"
    if pg_type == "boolean":
        return "true" if v else "false"
    if isinstance(v, bytes):
        return "'\\x%s'::bytea" % v.hex()
    if isinstance(v, (int, float)):
        return repr(v)
    return "'%s'" % str(v).replace("'", "''")


def _pg_insert(table, cols, types, rows):
    head = "INSERT INTO %s (%s) VALUES\n" % (table, ", ".join('"%s"' % c for c in cols))
    vals = ",\n".join("(%s)" % ", ".join(pg_literal(v, types[c]) for c, v in zip(cols, r))
                      for r in rows)
    return head + vals + ";\n"


def build_pg_sql():
    """SQL creating the fixture tables and rows in a PostgreSQL database, with
    the same names, rows and order-relevant properties as build()."""
    dt = {c: PG_TYPES[t] for c, t in DRIVER_TYPES.items()}
    cols = ",\n".join('"%s" %s%s%s' % (c, dt[c], " PRIMARY KEY" if c == "id" else "",
                                       " NOT NULL" if c in DRIVER_NOT_NULL else "")
                      for c in DRIVER_COLS)
    sql = ["CREATE TABLE drivers (%s);" % cols,
           "CREATE TABLE no_pk (n integer, label text);",
           "CREATE TABLE empty_table (id integer PRIMARY KEY NOT NULL, label text);",
           'CREATE TABLE "OrderLines" (line_code text PRIMARY KEY NOT NULL, "item name" text, '
           '"unit price" double precision, qty integer);',
           "CREATE TABLE events (id integer PRIMARY KEY NOT NULL, category text, "
           "value double precision, created_at timestamp, flag boolean);",
           "CREATE TABLE hidden_stuff (id integer PRIMARY KEY NOT NULL, secret text);",
           "CREATE TABLE bands (id integer PRIMARY KEY NOT NULL, name text, country text);",
           'CREATE TABLE accounts (id integer PRIMARY KEY NOT NULL, username text, '
           'password_hash text, api_token text, ssn text, "IBAN" text, '
           'balance double precision, internal_note text);',
           "CREATE VIEW active_drivers AS SELECT id, name, city FROM drivers "
           "WHERE is_active;"]
    sql.append(_pg_insert("drivers", DRIVER_COLS, dt,
                          [tuple(r[c] for c in DRIVER_COLS) for r in DRIVERS]))
    sql.append(_pg_insert("no_pk", ["n", "label"], {"n": "integer", "label": "text"}, NO_PK))
    sql.append(_pg_insert('"OrderLines"', ["line_code", "item name", "unit price", "qty"],
                          {"line_code": "text", "item name": "text",
                           "unit price": "double precision", "qty": "integer"}, ORDERLINES))
    sql.append(_pg_insert("events", ["id", "category", "value", "created_at", "flag"],
                          {"id": "integer", "category": "text", "value": "double precision",
                           "created_at": "timestamp", "flag": "boolean"}, EVENTS))
    sql.append(_pg_insert("bands", ["id", "name", "country"],
                          {"id": "integer", "name": "text", "country": "text"}, BANDS))
    sql.append(_pg_insert("hidden_stuff", ["id", "secret"], {"id": "integer", "secret": "text"},
                          [(i, "secret %d" % i) for i in range(1, HIDDEN_ROWS + 1)]))
    sql.append(_pg_insert("accounts", ACCOUNT_COLS,
                          {c: PG_TYPES[t] for c, t in ACCOUNT_TYPES.items()}, ACCOUNTS))
    sql.append("ANALYZE;")
    return "\n".join(sql)


EXPECTED_TABLES = {  # public name -> (kind, row count)
    "OrderLines": ("table", len(ORDERLINES)),
    "bands": ("table", len(BANDS)),
    "accounts": ("table", len(ACCOUNTS)),
    "active_drivers": ("view", sum(1 for r in DRIVERS if r["is_active"] == 1)),
    "drivers": ("table", len(DRIVERS)),
    "empty_table": ("table", 0),
    "events": ("table", EVENTS_N),
    "no_pk": ("table", NO_PK_N),
}


# --- expected answers -------------------------------------------------------

def driver_ids(pred):
    return [r["id"] for r in DRIVERS if pred(r)]


def sort_rows(rows, keys):
    """Sorts dict rows by [(col, desc)] with NULLs last ascending and first
    descending (SPEC §5); Python's sort is stable so earlier order breaks ties."""
    def cmp(a, b):
        for col, desc in keys:
            x, y = a[col], b[col]
            if x is None and y is None:
                continue
            if x is None:
                return -1 if desc else 1
            if y is None:
                return 1 if desc else -1
            if x != y:
                r = -1 if x < y else 1
                return -r if desc else r
        return 0
    return sorted(rows, key=cmp_to_key(cmp))


def events_dicts():
    return [dict(id=e[0], category=e[1], value=e[2], created_at=e[3], flag=e[4])
            for e in EVENTS]


def blob_json(b):
    return "\\x" + b.hex()


def json_value(col, v):
    """The JSON value SPEC §4 says a drivers cell becomes."""
    if v is None:
        return None
    t = DRIVER_TYPES[col]
    if t == "BOOLEAN":
        return bool(v)
    if t == "JSON":
        return json.loads(v)
    if t == "BLOB":
        return blob_json(v)
    return v
