"""The setup wizard's API (SPEC §7, issue #17): POST /api/setup/test-connection
and POST /api/setup/save against the real binary started without a config,
on SQLite and on a real PostgreSQL 15 (tests/harness/pgserver.py).

Each test starts its own seeki in setup mode (HOME and XDG_CONFIG_HOME in a
temp dir, so the wizard writes only there) and checks status codes, the
`step` field, the files written (modes, contents, no secret in seeki.toml),
the switch to normal mode and a restart that loads the saved file.
"""
import json
import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))

from harness import SeekiServer, TempDir, base_env, register_secret, running  # noqa: E402

READER_PASS = "wizard-reader-pw-#1"
register_secret(READER_PASS)
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def pg():
    from pgserver import SUPERPASS, PgServer
    register_secret(SUPERPASS)
    srv = PgServer().start()
    try:
        srv.psql("CREATE ROLE reader LOGIN PASSWORD '%s';" % READER_PASS)
        srv.psql("CREATE DATABASE app OWNER postgres;")
        srv.psql("""
            CREATE TABLE drivers (id int PRIMARY KEY, name text);
            INSERT INTO drivers SELECT g, 'driver ' || g FROM generate_series(1, 40) g;
            CREATE TABLE vehicles (id int PRIMARY KEY, plate text);
            CREATE VIEW driver_names AS SELECT name FROM drivers;
            CREATE SCHEMA ops;
            CREATE TABLE ops.audit (id int);
            ANALYZE;
            GRANT USAGE ON SCHEMA ops TO reader;
            GRANT SELECT ON ALL TABLES IN SCHEMA public, ops TO reader;
        """, db="app")
        yield srv
    finally:
        srv.cleanup()


class Setup:
    """A temp dir with HOME inside and a SQLite database; server() starts
    seeki there without --config (setup mode)."""

    def __init__(self, tmp):
        self.dir = tmp.path
        self.home = tmp.path / "home"
        self.home.mkdir()
        self.env = base_env(self.home)
        self.config = self.home / ".config" / "seeki" / "config.toml"
        self.secrets = self.config.parent / ".seeki.secrets"
        self.db = tmp.path / "app.db"
        con = sqlite3.connect(str(self.db))
        con.executescript(
            "CREATE TABLE trips (id INTEGER PRIMARY KEY, note TEXT);"
            "INSERT INTO trips VALUES (1, 'a'), (2, 'b'), (3, 'c');"
            'CREATE TABLE "odd ""name""" (x TEXT);'
            "CREATE VIEW trip_notes AS SELECT note FROM trips;")
        con.commit()
        con.close()

    def server(self, args=()):
        return SeekiServer(["--port", "0"] + list(args), self.env, self.dir, name="seeki setup")


@pytest.fixture
def setup():
    tmp = TempDir("seeki-setup-")
    try:
        yield Setup(tmp)
    finally:
        tmp.close()


def post(c, route, body, headers=None):
    h = dict(JSON)
    h.update(headers or {})
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return c.request("POST", "/api/setup/" + route, headers=h, body=data)


def pg_url(pg, password=None, db="app", port=None):
    cred = "reader" + (":" + password if password else "")
    return "postgres://%s@127.0.0.1:%d/%s" % (cred, port or pg.port, db)


def pg_body(pg, password=READER_PASS, **extra):
    body = {"database": {"kind": "postgres", "url": pg_url(pg)}}
    if password is not None:
        body["secrets"] = {"database": {"password": password}}
    body.update(extra)
    return body


def mode(c):
    return c.get_json("/api/status")["mode"]


# ---- test-connection ---------------------------------------------------------

def test_sqlite_test_connection_lists_tables_with_counts(setup):
    with running(setup.server()) as srv:
        c = srv.client()
        r = post(c, "test-connection", {"database": {"url": "sqlite://" + str(setup.db)}})
        assert r.status == 200, r
        body = r.json()
        assert body["tunnel"] is None
        assert [s["name"] for s in body["schemas"]] == ["main"]
        tables = {t["name"]: t for t in body["schemas"][0]["tables"]}
        assert set(tables) == {"trips", 'odd "name"', "trip_notes"}
        assert tables["trips"]["kind"] == "table"
        assert tables["trip_notes"]["kind"] == "view"
        assert tables["trips"]["row_count_estimate"] == 3
        # testing wrote nothing and changed nothing
        assert not setup.config.exists() and not setup.config.parent.exists()
        assert mode(c) == "setup"


def test_sqlite_path_missing_is_422_database(setup):
    with running(setup.server()) as srv:
        missing = setup.dir / "nope.db"
        r = post(srv.client(), "test-connection", {"database": {"url": "sqlite://" + str(missing)}})
        assert r.status == 422, r
        assert r.json()["step"] == "database"
        assert "does not exist" in r.json()["error"] and str(missing) in r.json()["error"]


def test_bad_url_is_422_config(setup):
    with running(setup.server()) as srv:
        c = srv.client()
        r = post(c, "test-connection", {"database": {"kind": "postgres", "url": "postgres://u@h:99999/x"}})
        assert r.status == 422, r
        assert r.json()["step"] == "config"
        assert "database.url" in r.json()["error"]
        # save validates the whole image: an unknown key names the nearest one
        r = post(c, "save", {"database": {"url": "sqlite:///x.db"}, "databse": {}})
        assert r.status == 422 and r.json()["step"] == "config", r
        assert "databse" in r.json()["error"] and "database" in r.json()["error"]


def test_postgres_test_connection_lists_schemas(pg, setup):
    with running(setup.server()) as srv:
        body = pg_body(pg)
        body["database"]["schemas"] = ["public", "ops"]
        r = post(srv.client(), "test-connection", body)
        assert r.status == 200, r
        schemas = {s["name"]: s["tables"] for s in r.json()["schemas"]}
        assert list(schemas) == ["public", "ops"]
        pub = {t["name"]: t for t in schemas["public"]}
        assert set(pub) == {"drivers", "vehicles", "driver_names"}
        assert pub["drivers"]["row_count_estimate"] == 40
        assert pub["driver_names"]["kind"] == "view"
        assert [t["name"] for t in schemas["ops"]] == ["audit"]
        assert r.json()["tunnel"] is None


def test_postgres_wrong_password_is_422_database(pg, setup):
    register_secret("not-the-password")
    with running(setup.server()) as srv:
        r = post(srv.client(), "test-connection", pg_body(pg, password="not-the-password"))
        assert r.status == 422, r
        assert r.json()["step"] == "database"
        assert "password" in r.json()["error"].lower()
        assert "not-the-password" not in r.text


def test_postgres_unreachable_host_is_422_database(pg, setup):
    from pgserver import free_port
    with running(setup.server()) as srv:
        body = {"database": {"url": pg_url(pg, port=free_port())}}
        r = post(srv.client(), "test-connection", body)
        assert r.status == 422, r
        assert r.json()["step"] == "database"
        assert "refused" in r.json()["error"]


# ---- guards -------------------------------------------------------------------

def test_cross_origin_and_wrong_content_type_are_refused(setup):
    body = {"database": {"url": "sqlite://" + str(setup.db)}}
    with running(setup.server()) as srv:
        c = srv.client()
        for route in ("test-connection", "save"):
            r = post(c, route, body, {"Origin": "http://evil.example"})
            assert r.status == 403, r
            assert "Cross-site" in r.json()["error"]
            r = post(c, route, body, {"Sec-Fetch-Site": "cross-site"})
            assert r.status == 403, r
            r = post(c, route, body, {"Content-Type": "text/plain"})
            assert r.status == 415, r
            assert "application/json" in r.json()["error"]
        # the page's own requests pass: same origin
        own = {"Origin": "http://127.0.0.1:%d" % c.port, "Sec-Fetch-Site": "same-origin",
               "Host": "127.0.0.1:%d" % c.port}
        r = post(c, "test-connection", body, own)
        assert r.status == 200, r
        r = c.get("/api/setup/save")
        assert r.status == 405 and r.headers["allow"] == "POST", r
        r = post(c, "test-connection", "{not json")
        assert r.status == 400 and "not valid JSON" in r.json()["error"], r
        r = post(c, "test-connection", b"x" * (64 * 1024 + 1))
        assert r.status == 413, r
        assert not setup.config.exists()


# ---- save -------------------------------------------------------------------

def test_save_postgres_writes_files_and_switches_to_normal_mode(pg, setup):
    body = pg_body(pg)
    body["tables"] = {"include": ["drivers", "driver_names"]}
    body["branding"] = {"title": 'Fleet "ops" \\ data', "subtitle": "Lecture seule — ünïcode"}
    body["display"] = {"tables": {"public.drivers": "Our drivers"}}
    with running(setup.server()) as srv:
        c = srv.client()
        assert mode(c) == "setup"
        assert c.get("/api/tables").status == 503
        r = post(c, "save", body)
        assert r.status == 201, r
        assert r.json() == {"config_path": str(setup.config)}
        # files: 0600, the password only in the secrets file
        assert stat.S_IMODE(os.stat(setup.config).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(setup.secrets).st_mode) == 0o600
        text = setup.config.read_text()
        assert READER_PASS not in text and "password" not in text
        assert READER_PASS in setup.secrets.read_text()
        # normal mode without a restart
        st = c.get_json("/api/status")
        assert st["mode"] == "normal" and st["database"] == {"kind": "postgres", "connected": True}
        names = [t["name"] for t in c.get_json("/api/tables")["tables"]]
        assert sorted(names) == ["driver_names", "drivers"]
        rows = c.rows("drivers", [("page_size", "5")])
        assert rows["total_rows"] == 40
        disp = c.get_json("/api/config/display")
        assert disp["branding"] == body["branding"]
        assert disp["tables"] == {"public.drivers": "Our drivers"}
        # the wizard is closed now
        r = post(c, "test-connection", body)
        assert r.status == 409 and str(setup.config) in r.json()["error"], r
        r = post(c, "save", body)
        assert r.status == 409, r
    # a restart loads the saved config: no wizard
    with running(setup.server()) as srv:
        c = srv.client()
        assert "No config found" not in srv.log()
        assert mode(c) == "normal"
        assert sorted(t["name"] for t in c.get_json("/api/tables")["tables"]) == \
            ["driver_names", "drivers"]
        assert c.get_json("/api/config/display")["branding"] == body["branding"]


def test_save_round_trip_sqlite_without_secrets(setup):
    """What save writes loads back to the same configuration: awkward strings
    (quotes, backslashes, newlines, dotted keys) survive the TOML writer."""
    body = {
        "database": {"kind": "sqlite", "url": "sqlite://" + str(setup.db), "max_connections": 3},
        "tables": {"exclude": ['odd "name"']},
        "branding": {"title": "Line1\nLine2 \"q\" 'a' \\ end", "subtitle": "tab\there"},
        "display": {"tables": {"trips": "All trips", "a.b": "dotted"},
                    "columns": {"trips": {"note": "Note ✓"}}},
    }
    with running(setup.server()) as srv:
        c = srv.client()
        r = post(c, "save", body)
        assert r.status == 201, r
        assert not setup.secrets.exists(), "no secrets given: no .seeki.secrets"
        disp = c.get_json("/api/config/display")
        assert disp["branding"] == body["branding"]
        assert disp["tables"] == body["display"]["tables"]
        assert disp["columns"] == body["display"]["columns"]
        assert sorted(t["name"] for t in c.get_json("/api/tables")["tables"]) == \
            ["trip_notes", "trips"]
    with running(setup.server()) as srv:
        c = srv.client()
        assert c.get_json("/api/config/display")["branding"] == body["branding"]
        assert c.get_json("/api/config/display")["columns"] == body["display"]["columns"]


def test_save_refuses_to_overwrite_an_existing_file(setup):
    body = {"database": {"url": "sqlite://" + str(setup.db)}}
    with running(setup.server()) as srv:
        setup.config.parent.mkdir(parents=True)
        setup.config.write_text("# mine\n")
        r = post(srv.client(), "save", body)
        assert r.status == 409, r
        assert str(setup.config) in r.json()["error"] and "never overwrites" in r.json()["error"]
        assert setup.config.read_text() == "# mine\n"
        assert mode(srv.client()) == "setup"


def test_save_refuses_an_existing_secrets_file(pg, setup):
    with running(setup.server()) as srv:
        setup.secrets.parent.mkdir(parents=True)
        setup.secrets.write_text("")
        r = post(srv.client(), "save", pg_body(pg))
        assert r.status == 409 and str(setup.secrets) in r.json()["error"], r
        assert not setup.config.exists()


def test_save_refuses_a_stale_secrets_file_even_without_secrets(setup):
    """A .seeki.secrets already beside the target would be loaded with the new
    config: save refuses it although this config needs no secrets."""
    with running(setup.server()) as srv:
        setup.secrets.parent.mkdir(parents=True)
        setup.secrets.write_text("[database]\npassword = \"old\"\n")
        r = post(srv.client(), "save", {"database": {"url": "sqlite://" + str(setup.db)}})
        assert r.status == 409 and str(setup.secrets) in r.json()["error"], r
        assert not setup.config.exists()
        assert setup.secrets.read_text() == "[database]\npassword = \"old\"\n"


def test_save_refuses_a_password_in_the_url(pg, setup):
    with running(setup.server()) as srv:
        r = post(srv.client(), "save", {"database": {"url": pg_url(pg, password=READER_PASS)}})
        assert r.status == 422, r
        assert r.json()["step"] == "config" and "secrets.database.password" in r.json()["error"]
        assert not setup.config.exists() and not setup.secrets.exists()


def test_save_that_cannot_connect_writes_nothing_and_stays_in_setup(pg, setup):
    register_secret("wrong-pw")
    with running(setup.server()) as srv:
        c = srv.client()
        r = post(c, "save", pg_body(pg, password="wrong-pw"))
        assert r.status == 422 and r.json()["step"] == "database", r
        assert not setup.config.exists() and not setup.secrets.exists()
        assert mode(c) == "setup"
        # and the user can fix it and save
        r = post(c, "save", pg_body(pg))
        assert r.status == 201, r
        assert mode(c) == "normal"
