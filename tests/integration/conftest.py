"""pytest fixtures for the SeeKi integration suite (see README.md here).

`fixture_env` builds the SQLite fixture database and seeki.toml in a temp dir
(one per test module); `server_proc` starts the real binary on it with
--port 0 (one server per module) and `client` talks to it; on teardown it sends
SIGTERM to that PID and fails unless the exit code is 0 and the log holds no
sanitizer or SEEKI_ASSERT report. The demo fixtures build the demo database
once per session in a temp dir and share one `seeki --demo` server.

SEEKI_TEST_ENGINE=postgres serves the same fixture rows from a throwaway
PostgreSQL 15 (tests/harness/pgserver.py, one per session, loaded once by
fixture_db.build_pg_sql) instead of the SQLite file; the few tests that are
about SQLite itself are skipped there (PG_SKIPS, with the reason).
"""
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fixture_db  # noqa: E402
from harness import SeekiServer, TempDir, base_env, sha256_file, tpath  # noqa: E402

ENGINE = os.environ.get("SEEKI_TEST_ENGINE", "sqlite")

# Tests about SQLite itself, skipped when the fixture lives in PostgreSQL.
PG_SKIPS = {
    "test_status_shape": "asserts database.kind == sqlite; tests/pg checks the postgres status",
    "test_columns_drivers_every_field": "asserts SQLite declared types; tests/pg/test_types.py "
                                        "checks PostgreSQL data_type",
    "test_tables_object_shape_kind_and_schema": "asserts SQLite's schema name main (PostgreSQL "
                                                "says public)",
    "test_columns_table_without_primary_key": "asserts SQLite declared types (INTEGER/TEXT)",
}


class FixtureEnv:
    def __init__(self, tmp, pg_url=None):
        self.dir = tmp.path
        self.home = tmp.path / "home"
        self.home.mkdir()
        self.db = tmp.path / "fixture.db"
        # Built for postgres too, where the server never opens it: checksum
        # assertions then hold trivially (tests/pg/test_readonly.py covers
        # PostgreSQL's read-only guarantee).
        fixture_db.build(str(self.db))
        self.initial_sha256 = sha256_file(self.db)
        self.config = tmp.path / "seeki.toml"
        self.config.write_text(fixture_db.config_text(str(self.db), pg_url=pg_url))
        self.env = base_env(self.home)

    def server(self, extra_args=(), env=None, name="seeki"):
        return SeekiServer(["--config", str(self.config), "--port", "0"] + list(extra_args),
                           env or self.env, self.dir, name=name)


@pytest.fixture(scope="session")
def pg_server():
    """PostgreSQL engine only: one throwaway server for the session (None on SQLite)."""
    if ENGINE != "postgres":
        yield None
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
    from pgserver import SUPERPASS, PgServer
    from harness import register_secret
    register_secret(SUPERPASS)
    pg = PgServer().start()
    try:
        yield pg
    finally:
        pg.cleanup()


@pytest.fixture(scope="session")
def pg_fixture_url(pg_server):
    """PostgreSQL engine only: the database holding the fixture rows."""
    if pg_server is None:
        return None
    pg_server.psql("CREATE DATABASE seeki_it;")
    pg_server.psql(fixture_db.build_pg_sql(), db="seeki_it")
    return pg_server.url(db="seeki_it")


@pytest.fixture(scope="module")
def fixture_env(pg_fixture_url):
    tmp = TempDir()
    try:
        yield FixtureEnv(tmp, pg_url=pg_fixture_url)
    finally:
        tmp.close()


def pytest_collection_modifyitems(config, items):
    if ENGINE != "postgres":
        return
    for item in items:
        reason = PG_SKIPS.get(item.originalname or item.name)
        if reason:
            item.add_marker(pytest.mark.skip(reason="postgres engine: " + reason))


@pytest.fixture(scope="module")
def server_proc(fixture_env):
    srv = fixture_env.server()
    try:
        srv.start()
        yield srv
    except BaseException:
        srv.kill()
        raise
    srv.stop_and_check()


@pytest.fixture(scope="module")
def client(server_proc):
    return server_proc.client()


# --- demo database (built once per session) --------------------------------

class DemoDb:
    def __init__(self, tmp):
        self.dir = tmp.path
        self.home = tmp.path / "home"
        self.home.mkdir()
        self.path = tmp.path / "demo" / "demo.db"
        self.env = base_env(self.home)
        self.env["SEEKI_DEMO_DB"] = str(self.path)

    def server(self):
        return SeekiServer(["--demo", "--port", "0"], self.env, self.dir, name="seeki --demo")


@pytest.fixture(scope="session")
def demo_db():
    """Builds the demo database by starting `seeki --demo` once, then stops it.
    Records the build time, mtime and inode so reuse can be checked."""
    tmp = TempDir("seeki-it-demo-")
    try:
        d = DemoDb(tmp)
        srv = d.server()
        t0 = time.monotonic()
        try:
            srv.start(timeout=60)
        except BaseException:
            srv.kill()
            raise
        d.build_seconds = time.monotonic() - t0
        srv.stop_and_check()
        assert d.path.is_file(), "seeki --demo did not create SEEKI_DEMO_DB=%s" % d.path
        st = os.stat(d.path)
        d.mtime_ns, d.inode, d.sha256 = st.st_mtime_ns, st.st_ino, sha256_file(d.path)
        yield d
    finally:
        tmp.close()


@pytest.fixture(scope="session")
def demo_server(demo_db):
    """A second `seeki --demo` on the already built file, shared by the demo
    and export modules."""
    srv = demo_db.server()
    try:
        srv.start(timeout=60)
        yield srv
    except BaseException:
        srv.kill()
        raise
    srv.stop_and_check()


@pytest.fixture(scope="session")
def demo_client(demo_server):
    return demo_server.client()


@pytest.fixture(scope="session")
def demo_tables(demo_client):
    """{name: exact row count via /rows total_rows} for every demo table."""
    tables = demo_client.get_json("/api/tables")["tables"]
    out = {}
    for t in tables:
        r = demo_client.get_json("/api/tables/%s/rows?page_size=1" % tpath(t["name"]))
        out[t["name"]] = dict(t, total_rows=r["total_rows"])
    return out


@pytest.fixture(scope="session")
def demo_log_table(demo_tables):
    """The log table: the demo table with the most rows (its name is not fixed)."""
    name = max(demo_tables, key=lambda n: demo_tables[n]["total_rows"])
    return name


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failing test, attach the log of the server(s) it talked to."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        for name in ("server_proc", "demo_server"):
            srv = getattr(item, "funcargs", {}).get(name)
            if srv is not None:
                rep.sections.append(("seeki log (%s)" % name, srv.log()[-8000:]))


@pytest.fixture
def tmp():
    """A temp dir with its own HOME and a clean environment (t.env) for one
    seeki process; removed afterwards."""
    t = TempDir()
    (t.path / "home").mkdir()
    t.env = base_env(t.path / "home")
    try:
        yield t
    finally:
        t.close()
