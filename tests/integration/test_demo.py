"""`seeki --demo` (SPEC §8): builds the demo database once, deterministically,
where SEEKI_DEMO_DB or XDG_DATA_HOME says, and serves the fleet tables."""
import os

import pytest

from harness import SCALE, SeekiServer, TempDir, base_env, run_seeki, running, sha256_file, tpath

FLEET = ("vehicles", "drivers", "journeys")


def test_demo_status(demo_client):
    s = demo_client.get_json("/api/status")
    assert s["mode"] == "normal"
    assert s["database"] == {"kind": "sqlite", "connected": True}


@pytest.mark.parametrize("table", FLEET)
def test_demo_serves_fleet_tables_with_rows(demo_client, demo_tables, table):
    assert table in demo_tables, sorted(demo_tables)
    p = demo_client.rows(table)
    assert p["total_rows"] > 0
    assert len(p["rows"]) == min(50, p["total_rows"])
    cols = [c["name"] for c in p["columns"]]
    assert set(p["rows"][0]) == set(cols)


def test_demo_log_table_has_200k_rows(demo_client, demo_tables, demo_log_table):
    assert demo_log_table not in FLEET
    t = demo_tables[demo_log_table]
    assert t["total_rows"] >= 200000, t
    assert t["kind"] == "table"
    # /api/tables' estimate (when known) also singles the log table out.
    est = {n: v["row_count_estimate"] for n, v in demo_tables.items()
           if v["row_count_estimate"] is not None}
    if demo_log_table in est:
        assert max(est, key=est.get) == demo_log_table, est
        assert est[demo_log_table] >= 180000, est


def test_demo_log_table_deep_page_and_last_page(demo_client, demo_log_table, demo_tables):
    total = demo_tables[demo_log_table]["total_rows"]
    last = demo_client.rows(demo_log_table, {"page": "last", "page_size": 100})
    assert last["page"] == (total + 99) // 100
    assert len(last["rows"]) == total - 100 * (last["page"] - 1)
    deep = demo_client.rows(demo_log_table, {"page": 1500, "page_size": 100})
    assert len(deep["rows"]) == 100
    assert deep["rows"] != last["rows"]


def test_demo_shows_every_display_type(demo_client, demo_tables):
    types = set()
    for name in demo_tables:
        cols = demo_client.get_json("/api/tables/%s/columns" % tpath(name))["columns"]
        types |= {c["display_type"] for c in cols}
    for want in ("Number", "Text", "Decimal", "Yes/No", "Date", "Date & Time", "JSON"):
        assert want in types, "no demo column shows %s (have %s)" % (want, sorted(types))


def test_demo_has_nulls_and_empty_strings(demo_client):
    """SPEC §8: NULLs and empty strings are there for the UI to show."""
    nulls = empties = 0
    for table in FLEET:
        cols = demo_client.get_json("/api/tables/%s/columns" % table)["columns"]
        for c in cols:
            if c["display_type"] != "Text":
                continue
            nulls += demo_client.rows(table, {"filter." + c["name"]: "is null",
                                              "page_size": 1})["total_rows"]
            empties += demo_client.rows(table, {"filter." + c["name"]: "=",
                                                "page_size": 1})["total_rows"]
    assert nulls > 0, "no NULL text values in vehicles/drivers/journeys"
    assert empties > 0, "no empty-string text values in vehicles/drivers/journeys"


def test_demo_has_booleans_and_json_values(demo_client, demo_tables):
    found_bool = found_json = False
    for table in FLEET:
        p = demo_client.rows(table, {"page_size": 200})
        kinds = {c["name"]: c["display_type"] for c in p["columns"]}
        for row in p["rows"]:
            for k, v in row.items():
                found_bool |= kinds[k] == "Yes/No" and isinstance(v, bool)
                found_json |= kinds[k] == "JSON" and isinstance(v, (dict, list))
    assert found_bool and found_json


def test_demo_has_unicode_and_long_text(demo_client):
    unicode_text = long_text = False
    for table in FLEET:
        p = demo_client.rows(table, {"page_size": 1000})
        for row in p["rows"]:
            for v in row.values():
                if isinstance(v, str):
                    unicode_text |= any(ord(ch) > 127 for ch in v)
                    long_text |= len(v) > 300
    assert unicode_text, "no non-ASCII text in the first 1000 rows of %s" % (FLEET,)
    assert long_text, "no text over 300 characters in the first 1000 rows of %s" % (FLEET,)


def test_demo_second_start_reuses_file(demo_db, demo_server):
    st = os.stat(demo_db.path)
    assert st.st_mtime_ns == demo_db.mtime_ns, "the demo database was rebuilt"
    assert st.st_ino == demo_db.inode, "the demo database was replaced"
    assert demo_server.alive()


def test_demo_build_is_fast(demo_db):
    assert demo_db.build_seconds < 30 * SCALE, "demo build + start took %.1fs" % (
        demo_db.build_seconds)


def test_demo_leaves_no_temp_files(demo_db):
    assert sorted(p.name for p in demo_db.path.parent.iterdir()) == ["demo.db"]


def test_demo_deterministic_and_default_path(demo_db):
    """Built again in another temp dir, this time at the default place
    ($XDG_DATA_HOME/seeki/demo.db, SEEKI_DEMO_DB unset): byte-identical."""
    tmp = TempDir("seeki-it-demo2-")
    try:
        home = tmp.path / "home"
        home.mkdir()
        env = base_env(home)
        srv = SeekiServer(["--demo", "--port", "0"], env, tmp.path, name="seeki --demo #2")
        with running(srv, timeout=60):
            pass
        path = home / ".local" / "share" / "seeki" / "demo.db"
        assert path.is_file(), "no demo database at %s" % path
        assert sha256_file(path) == demo_db.sha256, "two demo builds differ"
    finally:
        tmp.close()


def test_demo_unwritable_location_exit_1():
    tmp = TempDir()
    try:
        home = tmp.path / "home"
        home.mkdir()
        env = base_env(home)
        bad = "/proc/seeki-no-such-dir/demo.db"
        env["SEEKI_DEMO_DB"] = bad
        cp = run_seeki(["--demo", "--port", "0"], env, tmp.path)
    finally:
        tmp.close()
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    assert bad in cp.stderr or "/proc/seeki-no-such-dir" in cp.stderr, cp.stderr
    assert "SEEKI_DEMO_DB" in cp.stderr, cp.stderr
