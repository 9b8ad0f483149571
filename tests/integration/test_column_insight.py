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


# --- GET /api/tables/{t}/stats/{column} --------------------------------------------

import sqlite3  # noqa: E402

from harness import tpath  # noqa: E402


def stats(client, table, column, params=(), status=200):
    q = qs(params)
    return client.get_json("/api/tables/%s/stats/%s%s" % (tpath(table), tpath(column),
                                                           "?" + q if q else ""), status=status)


def sql_figures(fixture_env, table, column, where="1=1", args=()):
    """The expected figures, computed by sqlite3 on the fixture file (the
    PostgreSQL copy holds the same rows)."""
    con = sqlite3.connect(str(fixture_env.db))
    try:
        src = 'SELECT "%s" AS v FROM "%s" WHERE %s' % (column, table, where)
        n, nn, d = con.execute("SELECT COUNT(*), COUNT(v), COUNT(DISTINCT v) FROM (%s)" % src,
                               args).fetchone()
        avg, lo, hi = con.execute("SELECT AVG(v), MIN(v), MAX(v) FROM (%s)" % src,
                                  args).fetchone()
        top = con.execute("SELECT v, COUNT(*) FROM (%s) WHERE v IS NOT NULL GROUP BY v "
                          "ORDER BY 2 DESC, 1 LIMIT 10" % src, args).fetchall()
    finally:
        con.close()
    return dict(count=n, nulls=n - nn, distinct=d, avg=avg, min=lo, max=hi, top=top)


def test_stats_text_column_exact(client, fixture_env):
    s = stats(client, "events", "category")
    want = sql_figures(fixture_env, "events", "category")
    assert list(s) == ["column", "count", "nulls", "distinct", "min", "max", "avg", "top",
                       "exact"]
    assert s["column"] == "category" and s["exact"] is True
    assert (s["count"], s["nulls"], s["distinct"]) == (F.EVENTS_N, want["nulls"], 5)
    assert want["nulls"] == sum(1 for e in F.EVENTS if e[1] is None) > 0
    assert (s["min"], s["max"], s["avg"]) == ("", "gamma", None)
    assert [(t["value"], t["count"]) for t in s["top"]] == want["top"]


def test_stats_number_column_exact(client, fixture_env):
    s = stats(client, "events", "value")
    want = sql_figures(fixture_env, "events", "value")
    assert s["exact"] is True and s["top"] is None
    assert (s["count"], s["nulls"], s["distinct"]) == (want["count"], want["nulls"],
                                                       want["distinct"])
    assert want["nulls"] > 0
    assert (s["min"], s["max"]) == (want["min"], want["max"])
    assert s["avg"] == pytest.approx(want["avg"], rel=1e-9)


def test_stats_with_search_and_filter(client, fixture_env):
    params = {"search": "ALP", "filter.flag": "yes", "filter.value": ">0"}
    s = stats(client, "events", "value", params)
    want = sql_figures(fixture_env, "events", "value",
                       "category LIKE '%alp%' AND flag = 1 AND value > 0")
    assert 0 < s["count"] == want["count"] < F.EVENTS_N
    assert s["avg"] == pytest.approx(want["avg"], rel=1e-9)
    assert (s["min"], s["max"], s["nulls"]) == (want["min"], want["max"], 0)
    # the same filter on the rows route counts the same rows
    assert client.rows("events", dict(params, page_size="1"))["total_rows"] == s["count"]
    s = stats(client, "drivers", "city", {"filter.city": "boston"})
    assert (s["count"], s["distinct"]) == (3, 2)
    assert [(t["value"], t["count"]) for t in s["top"]] == [("Boston", 2), ("boston", 1)]


def test_stats_boolean_and_nulls(client):
    s = stats(client, "drivers", "is_active")
    assert (s["count"], s["nulls"], s["distinct"]) == (10, 2, 2)
    assert (s["min"], s["max"], s["avg"]) == (None, None, None)
    assert s["top"] == [{"value": True, "count": 5}, {"value": False, "count": 3}]
    s = stats(client, "drivers", "rating")  # REAL with NULLs, values like cells
    assert s["nulls"] == 3 and s["min"] == 1.5 and s["max"] == 5.0
    assert s["avg"] == pytest.approx((4.5 + 3.25 + 2.0 + 5.0 + 1.5 + 4.0 + 4.75) / 7)


def test_stats_values_encoded_like_cells(client):
    s = stats(client, "drivers", "prefs")  # JSON: inlined, big numbers exact
    assert s["distinct"] == 5 and s["nulls"] == 5
    assert all(t["count"] == 1 for t in s["top"])
    vals = [t["value"] for t in s["top"]]
    assert {"big": 12345678901234567890} in vals and [1, 2, 3] in vals
    body = client.get("/api/tables/drivers/stats/prefs").body
    assert b"12345678901234567890" in body
    s = stats(client, "drivers", "hired_on")
    assert (s["min"], s["max"]) == ("2025-12-31", "2026-05-01")


def test_stats_empty_match(client):
    s = stats(client, "events", "category", {"search": "no-such-text"})
    assert s == {"column": "category", "count": 0, "nulls": 0, "distinct": 0, "min": None,
                 "max": None, "avg": None, "top": [], "exact": True}


@pytest.mark.parametrize("col", ["nope", "password_hash", "internal_note"])
def test_stats_unknown_or_excluded_column_404(client, col):
    r = client.get("/api/tables/accounts/stats/%s" % col)
    assert r.status == 404, r.body
    assert r.json() == {"error": "Column '%s' not found in table 'accounts'; GET "
                                 "/api/tables/{t}/columns lists its columns" % col}


def test_stats_bad_input(client):
    assert client.get("/api/tables/nope/stats/x").status == 404
    r = client.get("/api/tables/events/stats/value?" + qs({"filter.value": ">abc"}))
    assert r.status == 400 and "value" in r.json()["error"]
    r = client.get("/api/tables/events/stats/value?" + qs({"filter.password_hash": "x"}))
    assert r.status == 400
    assert r.json()["error"].startswith("Unknown column 'password_hash' in filter")
    assert client.get("/api/tables/events/stats/").status == 404
    assert client.get("/api/tables/events/stats/a/b").status == 404


def test_stats_sqlite_large_table_reads_a_bounded_prefix(demo_client, demo_log_table,
                                                         demo_tables):
    """The demo's log table has over 100,000 rows: SQLite reads the first
    100,000 matching rows and says exact:false; a filter that leaves fewer
    makes the figures exact again."""
    total = demo_tables[demo_log_table]["total_rows"]
    assert total > 100000
    cols = demo_client.get_json("/api/tables/%s/columns" % tpath(demo_log_table))["columns"]
    pk = next(c["name"] for c in cols if c["is_primary_key"])
    s = stats(demo_client, demo_log_table, pk)
    assert s["exact"] is False and s["count"] == 100000 and s["nulls"] == 0
    assert s["distinct"] == 100000
    s = stats(demo_client, demo_log_table, pk, {"filter." + pk: "<=5000"})
    assert s["exact"] is True
    assert (s["count"], s["distinct"], s["min"], s["max"]) == (5000, 5000, 1, 5000)
    assert s["avg"] == pytest.approx(2500.5)
