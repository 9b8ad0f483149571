"""Column insight over real HTTP on both engines (SPEC §10): columns.exclude
keeps columns out of every answer and request, display.sensitive flags
columns in /columns. The fixture config excludes accounts.password_hash and
*.internal_note (fixture_db.config_text)."""
import pytest

import fixture_db as F
from harness import SeekiServer, qs, run_seeki

SECRET_WORDS = ["zebracorn", "okapi"]  # only in the excluded columns' values


def err_of(r, status):
    assert r.status == status, "status %d, want %d: %r" % (r.status, status, r.body[:400])
    return r.json()["error"]


# --- columns.exclude ---------------------------------------------------------------

def test_exclude_columns_route_lists_only_shown(client):
    cols = client.get_json("/api/tables/accounts/columns")["columns"]
    assert [c["name"] for c in cols] == F.ACCOUNT_SHOWN


def test_exclude_rows_never_carry_the_column(client):
    r = client.get("/api/tables/accounts/rows")
    assert r.status == 200
    for w in SECRET_WORDS:
        assert w.encode() not in r.body, w
    body = r.json()
    assert [c["name"] for c in body["columns"]] == F.ACCOUNT_SHOWN
    for row in body["rows"]:
        assert list(row) == F.ACCOUNT_SHOWN
    assert len(body["rows"]) == len(F.ACCOUNTS)


def test_exclude_search_does_not_match_excluded_text(client):
    for w in SECRET_WORDS:
        assert client.rows("accounts", {"search": w})["rows"] == [], w
    # the shown text columns still match
    assert [r["id"] for r in client.rows("accounts", {"search": "chlo"})["rows"]] == [3]


def _naming(param, col):
    return {"filter." + col: "zebra"} if param == "filter" else {param: col}


@pytest.mark.parametrize("col", ["password_hash", "internal_note"])
@pytest.mark.parametrize("param", ["sort", "filter", "sort_column"])
def test_exclude_request_naming_column_is_400_as_unknown(client, col, param):
    msg = err_of(client.get("/api/tables/accounts/rows?" + qs(_naming(param, col))), 400)
    assert msg.startswith("Unknown column '%s' in " % col), msg
    listed = msg.split("are:")[1]
    assert "password_hash" not in listed and "internal_note" not in listed, msg
    # exactly the answer for a column that never existed
    other = err_of(client.get("/api/tables/accounts/rows?" + qs(_naming(param, "nosuchcol"))),
                   400)
    assert other == msg.replace(col, "nosuchcol")


def test_exclude_csv_header_and_body_lack_it(client):
    r = client.get("/api/export/accounts/csv")
    assert r.status == 200
    text = r.body.decode()
    header = text.split("\n", 1)[0]
    assert "Password" not in header and "Internal" not in header, header
    assert len(header.split(",")) == len(F.ACCOUNT_SHOWN), header
    for w in SECRET_WORDS:
        assert w not in text
    r = client.get("/api/export/accounts/csv?" + qs({"filter.password_hash": "x"}))
    assert err_of(r, 400).startswith("Unknown column 'password_hash' in filter")


def test_exclude_logged_once_at_startup(server_proc):
    lines = [l for l in server_proc.log().splitlines() if "columns.exclude leaves out" in l]
    assert len(lines) == 1, lines
    assert "accounts: password_hash, internal_note" in lines[0], lines[0]


# --- display.sensitive -------------------------------------------------------------

def test_sensitive_default_list(client):
    cols = client.get_json("/api/tables/accounts/columns")["columns"]
    flags = {c["name"]: c["sensitive"] for c in cols}
    assert flags == {c: c in F.ACCOUNT_SENSITIVE for c in F.ACCOUNT_SHOWN}
    # every column object carries the flag, false elsewhere
    for c in client.get_json("/api/tables/drivers/columns")["columns"]:
        assert c["sensitive"] is False, c
    rows_cols = client.rows("accounts")["columns"]
    assert {c["name"]: c["sensitive"] for c in rows_cols} == flags


def _server_with(fixture_env, pg_fixture_url, extra, name):
    cfg = fixture_env.dir / ("seeki-%s.toml" % name)
    cfg.write_text(F.config_text(str(fixture_env.db), extra=extra, pg_url=pg_fixture_url))
    return SeekiServer(["--config", str(cfg), "--port", "0"], fixture_env.env, fixture_env.dir,
                       name="seeki " + name)


@pytest.mark.parametrize("globs,want", [
    ('["USER*", "*lance"]', {"username", "balance"}),
    ("[]", set()),
])
def test_sensitive_custom_list(fixture_env, pg_fixture_url, globs, want):
    srv = _server_with(fixture_env, pg_fixture_url, "\n[display]\nsensitive = %s\n" % globs,
                       "sensitive")
    srv.start()
    try:
        cols = srv.client().get_json("/api/tables/accounts/columns")["columns"]
        assert {c["name"] for c in cols if c["sensitive"]} == want
    finally:
        srv.stop_and_check()


def test_exclude_schema_qualified_glob(fixture_env, pg_fixture_url):
    schema = "public" if pg_fixture_url else "main"
    srv = _server_with(fixture_env, pg_fixture_url, "", "qualified")
    cfg = fixture_env.dir / "seeki-qualified.toml"
    cfg.write_text(cfg.read_text().replace(
        'exclude = ["accounts.password_hash", "*.internal_note"]',
        'exclude = ["%s.accounts.*_hash", "%s.events.val?e", "nosuch.col"]' % (schema, schema)))
    srv.start()
    try:
        c = srv.client()
        names = [x["name"] for x in c.get_json("/api/tables/accounts/columns")["columns"]]
        assert "password_hash" not in names and "internal_note" in names, names
        names = [x["name"] for x in c.get_json("/api/tables/events/columns")["columns"]]
        assert names == ["id", "category", "created_at", "flag"], names
        log = srv.log()
        assert "columns.exclude entry 'nosuch.col' matches no column" in log, log[-2000:]
    finally:
        srv.stop_and_check()


def test_exclude_entry_without_table_is_startup_error(fixture_env, pg_fixture_url):
    srv = _server_with(fixture_env, pg_fixture_url, "", "badexclude")
    cfg = fixture_env.dir / "seeki-badexclude.toml"
    cfg.write_text(cfg.read_text().replace(
        'exclude = ["accounts.password_hash", "*.internal_note"]', 'exclude = ["password"]'))
    r = run_seeki(["check", "--config", str(cfg)], fixture_env.env, fixture_env.dir)
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "`columns.exclude` entry 'password' names no table" in out, out
