"""Search and "contains" filters on SQLite over every declared type that
SeeKi reads as Text, and over the text form of the others (SQLite's own
database, whatever SEEKI_TEST_ENGINE says; tests/pg/test_text_forms.py is
the PostgreSQL counterpart). SQLite stores any value in any column, so a
Text column holding an integer is searched by the integer's text. Matching
folds case over Unicode (docs/api.md), and `%`, `_`, `\\` are literal."""
import sqlite3

import pytest

from harness import SeekiServer, TempDir, base_env

ROWS = [
    # id, t TEXT, vc VARCHAR(20), nc NCHAR(6), cl CLOB, en ENUM, untyped, js JSON,
    # num NUMERIC, bl BLOB
    (1, "Motörhead", "alpha", "ab12", "long clob text", "a", "loose one", '{"k": "Ünïcode"}',
     12.5, b"raw bytes"),
    (2, 4242, "Βήτα", "XY99", "ÇÃO", "b", None, '[1, 2]', 7, b"\x00\x01"),
    (3, "100% sure_", "gamma\\delta", None, None, None, 99, None, None, None),
]


@pytest.fixture(scope="module")
def client():
    tmp = TempDir("seeki-it-lite-text-")
    srv = None
    try:
        db = tmp.path / "forms.db"
        con = sqlite3.connect(str(db))
        con.execute("CREATE TABLE forms (id INTEGER PRIMARY KEY, t TEXT, vc VARCHAR(20), "
                    "nc NCHAR(6), cl CLOB, en ENUM, untyped, js JSON, num NUMERIC, "
                    "bl BLOB)")
        con.executemany("INSERT INTO forms VALUES (?,?,?,?,?,?,?,?,?,?)", ROWS)
        con.commit()
        con.close()
        cfg = tmp.path / "seeki.toml"
        cfg.write_text('[database]\nkind = "sqlite"\nurl = "sqlite://%s"\n' % db)
        home = tmp.path / "home"
        home.mkdir()
        srv = SeekiServer(["--config", str(cfg), "--port", "0"], base_env(home), tmp.path,
                          name="seeki (sqlite text forms)")
        srv.start()
        yield srv.client()
        srv.stop_and_check()
    finally:
        if srv is not None and srv.alive():
            srv.kill()
        tmp.close()


def ids(page):
    return [r["id"] for r in page["rows"]]


@pytest.mark.parametrize("term,want,decl", [
    ("MOTÖR", [1], "TEXT"),
    ("424", [2], "TEXT holding an integer"),
    ("ΒΉΤΑ", [2], "VARCHAR(20)"),
    ("xy9", [2], "NCHAR(6)"),
    ("LONG CLOB", [1], "CLOB"),
    ("çã", [2], "CLOB"),
    ("LOOSE", [1], "no declared type"),
    ("99", [2, 3], "XY99 in NCHAR, 99 untyped"),
    ("100%", [3], "literal %"),
    ("e_", [3], "literal _"),
    ("a\\d", [3], "literal backslash"),
])
def test_search_over_text_columns(client, term, want, decl):
    assert ids(client.rows("forms", {"search": term})) == want, decl


def test_search_skips_json_numeric_and_blob(client):
    assert ids(client.rows("forms", {"search": "ünïcode"})) == []  # only in the JSON column
    assert ids(client.rows("forms", {"search": "12.5"})) == []      # only in NUMERIC
    assert ids(client.rows("forms", {"search": "bytes"})) == []     # only in the BLOB


@pytest.mark.parametrize("col,needle,want", [
    ("t", "HEAD", [1]),
    ("t", "42", [2]),
    ("en", "B", [2]),              # ENUM is no SQLite type: read as Text
    ("js", "ÜNÏ", [1]),            # JSON by its text form, case folded
    ("bl", "BYTES", [1]),          # BLOB by its bytes read as text
    ("untyped", "9", [3]),
])
def test_contains_filter_by_text_form(client, col, needle, want):
    assert ids(client.rows("forms", {"filter." + col: needle})) == want
