"""PostgreSQL engine tests against a real throwaway PostgreSQL 15
(tests/harness/pgserver.py): one server per session, loaded once with the
fixture objects below, browsed by the real seeki binary (SEEKI_BIN, default
build/seeki) through tests/integration/harness.py. Standard library + pytest.

Run: /usr/bin/python3 -m pytest -q tests/pg
"""
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "harness"))
sys.path.insert(0, str(HERE.parent / "integration"))

import cases  # noqa: E402
from harness import SeekiServer, TempDir, base_env, register_secret  # noqa: E402
from pgserver import SUPERPASS, PgServer  # noqa: E402

DB = "seeki_pg"
READER, READER_PW = "reader", "reader pw/with:odd@chars"
BIG_N = 1_000_000
register_secret(READER_PW, SUPERPASS)

FIXTURE_SQL = cases.create_sql() + """
CREATE SCHEMA sales;
CREATE TABLE items (id integer PRIMARY KEY, name text);
CREATE TABLE sales.items (id integer PRIMARY KEY, amount numeric(10,2));
INSERT INTO items VALUES (1, 'public item');
INSERT INTO sales.items VALUES (1, 9.50), (2, 10.25);
CREATE TABLE "Mixed Case" ("Line Code" text PRIMARY KEY, "unit price" double precision,
                           "a ""quoted"" col" text);
INSERT INTO "Mixed Case" VALUES ('B', 2.5, 'b'), ('A', 1.25, 'a'), ('C', NULL, 'c');
CREATE VIEW cheap AS SELECT "Line Code", "unit price" FROM "Mixed Case" WHERE "unit price" < 2;
CREATE MATERIALIZED VIEW item_totals AS SELECT count(*) AS n FROM sales.items;
CREATE TABLE measurements (id integer, taken date NOT NULL, v double precision)
    PARTITION BY RANGE (taken);
CREATE TABLE measurements_2025 PARTITION OF measurements
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE measurements_2026 PARTITION OF measurements
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO measurements VALUES (1, '2025-06-01', 1.5), (2, '2026-02-03', 2.5),
                                (3, '2026-03-04', NULL);
CREATE TABLE empty_one (id integer PRIMARY KEY, note text);
CREATE TABLE secret_stuff (id integer PRIMARY KEY, secret text);
INSERT INTO secret_stuff VALUES (1, 'top secret');
CREATE VIEW session_settings AS SELECT
    current_setting('default_transaction_read_only') AS read_only,
    current_setting('transaction_read_only') AS tx_read_only,
    current_setting('application_name') AS app,
    current_setting('TimeZone') AS tz,
    current_setting('DateStyle') AS datestyle,
    current_setting('IntervalStyle') AS intervalstyle,
    current_setting('statement_timeout') AS stmt_timeout,
    current_setting('standard_conforming_strings') AS scs;
CREATE VIEW slow AS SELECT 1 AS one FROM pg_sleep(3);
CREATE VIEW held AS SELECT g AS n FROM generate_series(1, 5) g, pg_sleep(0.15);
CREATE TABLE big AS
    SELECT g AS id, ((g::bigint * 7919) %% 1000003)::integer AS k, 'row ' || g AS label
    FROM generate_series(1, %d) g;
ALTER TABLE big ADD PRIMARY KEY (id);
CREATE INDEX big_k ON big (k);
CREATE INDEX big_label_partial ON big (label) WHERE id < 10;
ANALYZE;
CREATE ROLE %s LOGIN PASSWORD '%s';
-- SeeKi pins it on (its LIKE ... ESCAPE '\' literals rely on it) whatever the role says
ALTER ROLE reader SET standard_conforming_strings = off;
GRANT USAGE ON SCHEMA sales TO %s;
GRANT SELECT ON ALL TABLES IN SCHEMA public, sales TO %s;
REVOKE SELECT ON secret_stuff FROM %s;
-- created after the GRANT above: only the columns granted here are readable
CREATE TABLE partly (id integer PRIMARY KEY, name text, salary numeric, ssn text);
INSERT INTO partly VALUES (1, 'Ann', 5000, '078-05-1120'), (2, 'Bo', 6000, '219-09-9999');
GRANT SELECT (id, name) ON partly TO %s;
CREATE TABLE notes_only (id integer PRIMARY KEY, note text);
INSERT INTO notes_only VALUES (2, 'second'), (1, 'first');
GRANT SELECT (note) ON notes_only TO %s;
""" % ((BIG_N, READER, READER_PW.replace("'", "''"), READER, READER, READER) + (READER,) * 2) + """
-- foreign keys over column privileges: badges.ssn refers to partly.ssn, which
-- the role may not read, so that key is not shown; badges.partly_id is
ALTER TABLE partly ADD UNIQUE (ssn);
CREATE TABLE badges (id integer PRIMARY KEY, partly_id integer REFERENCES partly (id),
                     ssn text REFERENCES partly (ssn));
INSERT INTO badges VALUES (1, 2, '219-09-9999'), (2, 1, NULL);
GRANT SELECT ON badges TO %s;
""" % READER


@pytest.fixture(scope="session")
def pg():
    srv = PgServer().start()
    try:
        srv.psql("CREATE DATABASE %s;" % DB)
        srv.psql(FIXTURE_SQL, db=DB)
        yield srv
    finally:
        srv.cleanup()


def config(url, extra="", schemas=("public", "sales"), db_extra=""):
    return ('[database]\nkind = "postgres"\nurl = "%s"\nschemas = [%s]\n%s\n%s'
            % (url, ", ".join('"%s"' % s for s in schemas), db_extra, extra))


class Env:
    """A temp dir with HOME and a seeki.toml; server() starts seeki on it."""

    def __init__(self, text, secrets=None):
        self.tmp = TempDir("seeki-pg-")
        self.dir = self.tmp.path
        self.home = self.dir / "home"
        self.home.mkdir()
        self.config = self.dir / "seeki.toml"
        self.config.write_text(text)
        if secrets is not None:
            s = self.dir / ".seeki.secrets"
            s.write_text(secrets)
            s.chmod(0o600)
        self.env = base_env(self.home)

    def server(self):
        return SeekiServer(["--config", str(self.config), "--port", "0"], self.env, self.dir,
                           name="seeki (postgres)")

    def close(self):
        self.tmp.close()


@pytest.fixture(scope="session")
def reader_url(pg):
    return pg.url(user=READER, password=READER_PW, db=DB)


@pytest.fixture(scope="session")
def seeki(pg, reader_url):
    """seeki as the SELECT-only role, max_connections = 3."""
    env = Env(config(reader_url, db_extra="max_connections = 3\nstatement_timeout_ms = 2000"))
    srv = env.server()
    try:
        srv.start()
        yield srv
    except BaseException:
        srv.kill()
        raise
    finally:
        if srv.alive():
            srv.stop_and_check()
        env.close()


@pytest.fixture(scope="session")
def client(seeki):
    return seeki.client()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        srv = getattr(item, "funcargs", {}).get("seeki")
        if srv is not None:
            rep.sections.append(("seeki log", srv.log()[-6000:]))
