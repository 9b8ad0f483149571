"""Foreign keys, referenced-by and labels (SPEC §9) over real HTTP, on SQLite
and (SEEKI_TEST_ENGINE=postgres) on PostgreSQL, from relations_db's rows:
/columns' foreign_keys, referenced_by and references (single, composite, a key
to an excluded table left out, a key across schemas on PostgreSQL), labels of a
page (display.labels and first + last name), labels=off, a failing label query
that drops the labels but not the page, and the startup error of a
display.labels entry naming a column that does not exist."""
import itertools
import re
import sqlite3

import pytest

import relations_db as R
from conftest import ENGINE
from harness import TempDir, base_env, run_seeki, SeekiServer

_dbs = itertools.count(1)
GARAGES = "ops.garages" if ENGINE == "postgres" else "garages"


class RelEnv:
    """A fresh relations database (its own file, or its own PostgreSQL database)."""

    def __init__(self, tmp, pg_server, extra=R.LABEL_CONFIG):
        self.dir = tmp.path
        self.home = tmp.path / "home"
        self.home.mkdir()
        self.db = tmp.path / "rel.db"
        self.pg = pg_server
        self.pg_db = None
        url = None
        if pg_server is not None:
            self.pg_db = "seeki_rel_%d" % next(_dbs)
            pg_server.psql("CREATE DATABASE %s;" % self.pg_db)
            pg_server.psql(R.build_pg_sql(), db=self.pg_db)
            url = pg_server.url(db=self.pg_db)
        else:
            R.build_sqlite(str(self.db))
        self.config = tmp.path / "seeki.toml"
        self.config.write_text(R.config_text(str(self.db), pg_url=url, extra=extra))
        self.env = base_env(self.home)

    def server(self):
        return SeekiServer(["--config", str(self.config), "--port", "0"], self.env, self.dir)

    def execute(self, sql):
        """Changes the database behind SeeKi's back."""
        if self.pg is not None:
            self.pg.psql(sql, db=self.pg_db)
        else:
            con = sqlite3.connect(str(self.db))
            con.executescript(sql)
            con.close()


@pytest.fixture(scope="module")
def rel_env(pg_server):
    tmp = TempDir()
    try:
        yield RelEnv(tmp, pg_server)
    finally:
        tmp.close()


@pytest.fixture(scope="module")
def rel(rel_env):
    srv = rel_env.server()
    try:
        srv.start()
        yield srv.client()
    except BaseException:
        srv.kill()
        raise
    srv.stop_and_check()


def columns(client, table):
    return client.get_json("/api/tables/%s/columns" % table)


def test_single_column_keys_and_references(rel):
    j = columns(rel, "journeys")
    assert j["foreign_keys"] == [
        {"columns": ["vehicle_id"], "table": "vehicles", "ref_columns": ["id"]},
        {"columns": ["driver_id"], "table": "drivers", "ref_columns": ["id"]},
    ]
    refs = {c["name"]: c["references"] for c in j["columns"]}
    assert refs == {"id": None, "vehicle_id": {"table": "vehicles", "column": "id"},
                    "driver_id": {"table": "drivers", "column": "id"}, "note": None}
    assert j["referenced_by"] == []


def test_key_to_an_excluded_table_is_left_out(rel):
    v = columns(rel, "vehicles")
    assert v["foreign_keys"] == [{"columns": ["depot_id"], "table": "depots",
                                  "ref_columns": ["id"]}]
    assert {c["name"]: c["references"] for c in v["columns"]}["secret_id"] is None
    assert v["referenced_by"] == [{"table": "journeys", "columns": ["vehicle_id"],
                                   "ref_columns": ["id"]}]
    names = [t["name"] for t in rel.get_json("/api/tables")["tables"]]
    assert "hidden_stuff" not in names


def test_composite_key_both_sides(rel):
    a = columns(rel, "assignments")
    assert a["foreign_keys"] == [
        {"columns": ["depot_id", "day"], "table": "shifts", "ref_columns": ["depot_id", "day"]},
        {"columns": ["driver_id"], "table": "drivers", "ref_columns": ["id"]},
    ]
    refs = {c["name"]: c["references"] for c in a["columns"]}
    assert refs["depot_id"] is None and refs["day"] is None  # part of a composite key
    s = columns(rel, "shifts")
    assert s["referenced_by"] == [{"table": "assignments", "columns": ["depot_id", "day"],
                                   "ref_columns": ["depot_id", "day"]}]
    d = columns(rel, "drivers")
    assert sorted(r["table"] for r in d["referenced_by"]) == ["assignments", "journeys"]


def test_key_across_schemas_uses_the_public_name(rel):
    d = columns(rel, "depots")
    assert d["foreign_keys"] == [{"columns": ["garage_id"], "table": GARAGES,
                                  "ref_columns": ["id"]}]
    g = columns(rel, GARAGES)
    assert g["referenced_by"] == [{"table": "depots", "columns": ["garage_id"],
                                   "ref_columns": ["id"]}]


def expected_labels(rows):
    vids = {r["vehicle_id"] for r in rows if r["vehicle_id"] is not None}
    dids = {r["driver_id"] for r in rows}
    return {"vehicle_id": {str(v): R.vehicle_label(v) for v in vids},
            "driver_id": {str(d): R.driver_label(d) for d in dids if R.driver_label(d)}}


def test_labels_of_a_page(rel):
    for page in (1, 2, 3):
        r = rel.get_json("/api/tables/journeys/rows?page_size=50&page=%d" % page)
        assert len(r["rows"]) == (50 if page < 3 else R.JOURNEYS_N - 100)
        assert r["labels"] == expected_labels(r["rows"]), page
    # a filtered page: only the values on it
    r = rel.get_json("/api/tables/journeys/rows?filter.driver_id==7")
    assert r["labels"]["driver_id"] == {"7": "Solo"}
    assert set(r["labels"]["vehicle_id"]) == {str(x["vehicle_id"]) for x in r["rows"]
                                              if x["vehicle_id"] is not None}


def test_labels_heuristic_name_column_and_no_label(rel):
    v = rel.get_json("/api/tables/vehicles/rows")
    assert v["labels"] == {"depot_id": {"1": "North", "2": "South", "3": "East"}}
    d = rel.get_json("/api/tables/depots/rows")
    assert d["labels"] == {"garage_id": {"1": "Main garage", "2": "Annex"}}
    # shifts has title: the composite key gets no labels, driver_id does
    a = rel.get_json("/api/tables/assignments/rows")
    assert a["labels"] == {"driver_id": {"1": "Ann Lee", "2": "Bo Chen", "3": "Cy Diaz"}}
    assert rel.get_json("/api/tables/drivers/rows")["labels"] == {}


def test_labels_off(rel):
    r = rel.get_json("/api/tables/journeys/rows?labels=off")
    assert "labels" not in r
    assert len(r["rows"]) == 50
    on = rel.get_json("/api/tables/journeys/rows?labels=on")
    assert on["rows"] == r["rows"] and on["labels"]
    bad = rel.get_json("/api/tables/journeys/rows?labels=maybe", status=400)
    assert bad["error"].startswith("Parameter 'labels' must be on or off, got 'maybe'")


def test_failing_label_query_drops_labels_not_the_page(pg_server):
    tmp = TempDir()
    try:
        env = RelEnv(tmp, pg_server)
        srv = env.server()
        srv.start()
        try:
            c = srv.client()
            before = c.get_json("/api/tables/journeys/rows")
            assert before["labels"]["driver_id"]
            env.execute("ALTER TABLE drivers RENAME TO drivers_gone;")
            after = c.get_json("/api/tables/journeys/rows")
            assert after["rows"] == before["rows"]
            assert after["labels"] == {}
            warns = [l for l in srv.log().splitlines()
                     if "labels of 'journeys' left out of this page (the rows are fine)" in l]
            assert len(warns) == 1 and warns[0].startswith("WARN"), srv.log()
            # keys into tables that are still there keep their labels
            assert c.get_json("/api/tables/vehicles/rows")["labels"]["depot_id"]["1"] == "North"
        except BaseException:
            srv.kill()
            raise
        srv.stop_and_check()
    finally:
        tmp.close()


def test_display_labels_unknown_column_is_a_startup_error(pg_server):
    tmp = TempDir()
    try:
        extra = "[display.labels]\ndrivers = \"last_name\"\nvehicles = \"plat\"\n"
        env = RelEnv(tmp, pg_server, extra=extra)
        text = env.config.read_text()
        line = text.splitlines().index('vehicles = "plat"') + 1
        r = run_seeki(["--config", str(env.config), "--port", "0"], env.env, env.dir)
        assert r.returncode == 1, r
        want = ("%s:%d:1: display.labels.vehicles names column 'plat', which table 'vehicles' "
                "does not have; did you mean 'plate'?" % (env.config, line))
        assert want in r.stderr, r.stderr
    finally:
        tmp.close()


def test_demo_relations_and_labels(demo_client):
    j = demo_client.get_json("/api/tables/journeys/rows?page_size=50")
    refs = {c["name"]: c["references"] for c in j["columns"]}
    assert refs["vehicle_id"] == {"table": "vehicles", "column": "id"}
    assert refs["driver_id"] == {"table": "drivers", "column": "id"}
    vehicles = {r["id"]: r for r in demo_client.get_json(
        "/api/tables/vehicles/rows?page_size=1000")["rows"]}
    drivers = {r["id"]: r for r in demo_client.get_json(
        "/api/tables/drivers/rows?page_size=1000")["rows"]}
    vids = {r["vehicle_id"] for r in j["rows"]}
    dids = {r["driver_id"] for r in j["rows"] if r["driver_id"] is not None}
    assert j["labels"]["vehicle_id"] == {str(v): vehicles[v]["plate"] for v in vids}
    assert j["labels"]["driver_id"] == {
        str(d): "%s %s" % (drivers[d]["first_name"], drivers[d]["last_name"]) for d in dids}
    v = demo_client.get_json("/api/tables/vehicles/columns")
    assert v["foreign_keys"] == [{"columns": ["depot_id"], "table": "depots",
                                  "ref_columns": ["id"]}]
    assert sorted(r["table"] for r in v["referenced_by"]) == ["journeys", "telemetry_log"]
