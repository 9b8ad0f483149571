"""Keyset cursors (SPEC §5 "Deep pages") over real HTTP, on either engine.

A 1,000,000-row table (duplicate sort values, NULLs, indexes on the sort
columns) for depth checks, a 20,000-row table for full walks and a table
without a primary key (row id / ctid tie-breaker): walking next_cursor from
page 1 to the end and prev_cursor back visits every row once, in the OFFSET
order; cursor page k equals OFFSET page k for single and multi-column sorts
with mixed directions; a numbered jump on an index-served order never falls
back to OFFSET; page=last equals the last OFFSET page; tampered and foreign
tokens are 400.

SEEKI_TEST_ENGINE=postgres loads the same rows (same formulas, via
generate_series) into a throwaway PostgreSQL 15 (tests/harness/pgserver.py),
with the PostgreSQL form of the same indexes -- (grp, id) and (k, id), which
is what SQLite's (grp) and (k) are on a rowid table -- VACUUM ANALYZEd so
index-only scans apply, and computes every reference page with an OFFSET
query against PostgreSQL itself (psql). Otherwise a SQLite file and
reference queries against it.
"""
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import SeekiServer, TempDir, base_env  # noqa: E402

ENGINE = os.environ.get("SEEKI_TEST_ENGINE", "sqlite")
BIG = 1_000_000
SMALL = 20_000
NOPK = 3_000  # 3001 is prime, so n = i * 7919 % 3001 is a permutation of 1..3000

COLS = {"big": ("id", "grp", "k", "label"), "small": ("id", "grp", "k", "label"),
        "nopk": ("n", "grp", "label")}

# One formula per column, valid in both dialects (i is the 1-based row number).
GRP = "CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 7919) % 500 END"
K = "(i * 104729) % 997"
LABEL = "CASE WHEN i % 13 = 0 THEN NULL ELSE 'L' || (i % 37) END"
NOPK_N = "(i * 7919) % 3001"
NOPK_GRP = "CASE WHEN i % 7 = 0 THEN NULL ELSE i % 9 END"

SQLITE_SCHEMA = """
CREATE TABLE {name} (
  id INTEGER PRIMARY KEY,
  grp INTEGER,                 -- duplicates and NULLs
  k INTEGER NOT NULL,          -- duplicates, never NULL
  label TEXT                   -- duplicates and NULLs
);
"""


def build_sqlite(path):
    db = sqlite3.connect(path)
    rows = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < ?) "
    for name, n in (("big", BIG), ("small", SMALL)):
        db.executescript(SQLITE_SCHEMA.format(name=name))
        db.execute(rows + "INSERT INTO %s SELECT i, %s, %s, %s FROM r" % (name, GRP, K, LABEL),
                   (n,))
        db.execute("CREATE INDEX %s_grp ON %s(grp)" % (name, name))
        db.execute("CREATE INDEX %s_k ON %s(k)" % (name, name))
    db.execute("CREATE TABLE nopk (n INTEGER, grp INTEGER, label TEXT)")
    db.execute(rows + "INSERT INTO nopk SELECT %s, %s, %s FROM r" % (NOPK_N, NOPK_GRP, LABEL),
               (NOPK,))
    db.commit()
    db.close()


def pg_load_sql():
    """The same tables for PostgreSQL; bigint arithmetic, as SQLite's is."""
    # The harness runs PostgreSQL with synchronous_commit=off; an async commit
    # defers the tuples' hint bits, and VACUUM then leaves the visibility map
    # unset (every index-only scan fetches the heap). Load with a synchronous
    # commit so VACUUM can mark every page all-visible.
    out = ["SET synchronous_commit = on;"]
    for name, n in (("big", BIG), ("small", SMALL)):
        out.append("CREATE TABLE %s (id integer PRIMARY KEY, grp integer, k integer NOT NULL, "
                   "label text);" % name)
        out.append("INSERT INTO %s SELECT i, %s, %s, %s FROM generate_series(1::bigint, %d) i;"
                   % (name, GRP, K, LABEL, n))
        # SQLite's index on (grp) of a rowid table is an index on (grp, rowid);
        # in PostgreSQL the same thing is spelled out.
        out.append("CREATE INDEX %s_grp ON %s (grp, id);" % (name, name))
        out.append("CREATE INDEX %s_k ON %s (k, id);" % (name, name))
    out.append("CREATE TABLE nopk (n integer, grp integer, label text);")
    out.append("INSERT INTO nopk SELECT %s, %s, %s FROM generate_series(1::bigint, %d) i;"
               % (NOPK_N, NOPK_GRP, LABEL, NOPK))
    return "\n".join(out)


class SqliteRef:
    like = "LIKE"
    rowid = "rowid"

    def __init__(self, path):
        self.db = sqlite3.connect(path)

    def query(self, table, sql):
        return [dict(zip(COLS[table], r)) for r in self.db.execute(sql)]

    def close(self):
        self.db.close()


class PgRef:
    like = "ILIKE"  # what SeeKi's filter and search use on PostgreSQL
    rowid = "ctid"

    def __init__(self, pg, db):
        self.pg, self.db = pg, db

    def query(self, table, sql):
        # one JSON object per row, in the subquery's order
        out = self.pg.psql("SET work_mem = '256MB';\nSELECT row_to_json(t) FROM (%s) t;" % sql,
                           db=self.db)
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def close(self):
        pass


@pytest.fixture(scope="module")
def env():
    tmp = TempDir("seeki-cursor-")
    pg = None
    ref = None
    try:
        home = tmp.path / "home"
        home.mkdir()
        t0 = time.monotonic()
        if ENGINE == "postgres":
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
            from pgserver import PgServer
            pg = PgServer().start()
            pg.psql("CREATE DATABASE seeki_cursors;")
            pg.psql(pg_load_sql(), db="seeki_cursors")
            # VACUUM sets the visibility map, so index-only scans read no heap
            pg.psql("VACUUM ANALYZE;", db="seeki_cursors")
            vm = pg.psql("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'big';",
                         db="seeki_cursors").strip().split("|")
            assert vm[0] == vm[1], "VACUUM left pages not all-visible: %s" % vm
            ref = PgRef(pg, "seeki_cursors")
            database = 'kind = "postgres"\nurl = "%s"' % pg.url(db="seeki_cursors")
        else:
            db = tmp.path / "cursors.db"
            build_sqlite(str(db))
            ref = SqliteRef(str(db))
            database = 'kind = "sqlite"\nurl = "sqlite://%s"' % db
        print("built the %s tables in %.1f s" % (ENGINE, time.monotonic() - t0))
        cfg = tmp.path / "seeki.toml"
        cfg.write_text("[server]\nhost = \"127.0.0.1\"\n\n[database]\n%s\n" % database)
        senv = base_env(home)
        senv["SEEKI_LOG"] = "info,api=debug"  # the OFFSET fallback is said at debug
        srv = SeekiServer(["--config", str(cfg), "--port", "0"], senv, tmp.path,
                          name="seeki cursors")
        try:
            srv.start()
            yield srv, srv.client(), ref
        except BaseException:
            srv.kill()
            raise
        srv.stop_and_check()
    finally:
        if ref:
            ref.close()
        if pg:
            pg.cleanup()
        tmp.close()


# (query parameters, the same filter/search as SQL for the reference; {like}
# is LIKE on SQLite and ILIKE on PostgreSQL, as SeeKi writes them)
VIEWS = [
    ([], ""),
    ([("sort", "grp:asc")], ""),
    ([("sort", "grp:desc")], ""),
    ([("sort", "k:asc")], ""),
    ([("sort", "k:desc"), ("sort", "label:asc")], ""),
    ([("sort", "label:desc"), ("sort", "grp:asc")], ""),
    ([("sort", "grp:asc"), ("filter.label", "L1"), ("search", "L")],
     "WHERE label {like} '%L1%' AND (label {like} '%L%')"),
]
IDS = ["&".join("%s=%s" % p for p in v[0]) or "pk" for v in VIEWS]
# Views of `big` whose numbered jumps an index serves (a boundary lookup and a
# seek, no OFFSET). SQLite cannot walk an index in NULLS LAST order for the
# nullable grp; a PostgreSQL b-tree on (grp, id) gives exactly SPEC's order.
SERVED = {"sqlite": {0, 3}, "postgres": {0, 1, 2, 3, 6}}[ENGINE]

NOPK_VIEWS = [[], [("sort", "grp:asc")], [("sort", "grp:desc"), ("sort", "label:asc")]]
NOPK_IDS = ["rowid", "grp:asc", "grp:desc,label:asc"]


def reference(ref, table, view, offset, limit):
    """The OFFSET page straight from the database SeeKi reads, ordered by
    SPEC's rules: NULLs last ascending and first descending, then the primary
    key (or the row id) in the last sort's direction."""
    params, where = view
    sorts = [v.rsplit(":", 1) for k, v in params if k == "sort"]
    order = ['"%s" %s NULLS %s' % (c, d.upper(), "LAST" if d == "asc" else "FIRST")
             for c, d in sorts]
    tie = '"id"' if "id" in COLS[table] else ref.rowid
    order.append("%s %s" % (tie, sorts[-1][1].upper() if sorts else "ASC"))
    sql = "SELECT %s FROM %s %s ORDER BY %s" % (
        ", ".join('"%s"' % c for c in COLS[table]), table, where.format(like=ref.like),
        ", ".join(order))
    if limit is not None:
        sql += " LIMIT %d OFFSET %d" % (limit, offset)
    return ref.query(table, sql)


def walk(c, table, params, ps):
    """Follows next_cursor from page 1 to the end, then prev_cursor back to
    page 1; returns (rows forwards, rows backwards, pages)."""
    r = c.rows(table, params + [("page_size", ps)])
    assert r["prev_cursor"] is None
    seen, pages = list(r["rows"]), 1
    while r["next_cursor"]:
        r = c.rows(table, params + [("page_size", ps), ("cursor", r["next_cursor"])])
        pages += 1
        assert r["page"] == pages
        seen += r["rows"]
    last = pages
    back = list(r["rows"])
    while r["prev_cursor"]:
        r = c.rows(table, params + [("page_size", ps), ("cursor", r["prev_cursor"])])
        pages -= 1
        assert r["page"] == pages
        back = r["rows"] + back
    assert pages == 1
    return seen, back, last


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_walk_next_then_prev_visits_every_row_once(env, view):
    _, c, ref = env
    want = reference(ref, "small", view, 0, None)
    seen, back, _ = walk(c, "small", view[0], 500)
    assert len(seen) == len(want) and len({x["id"] for x in seen}) == len(want)
    assert seen == want
    assert back == want


@pytest.mark.parametrize("params", NOPK_VIEWS, ids=NOPK_IDS)
def test_walk_without_primary_key_uses_the_row_id(env, params):
    """No key: the tie-breaker is rowid (SQLite) or ctid (PostgreSQL), and the
    cursor carries it; n is a permutation so every row is told apart."""
    _, c, ref = env
    want = reference(ref, "nopk", (params, ""), 0, None)
    assert len(want) == NOPK
    seen, back, pages = walk(c, "nopk", params, 250)
    assert pages == NOPK // 250
    assert len({x["n"] for x in seen}) == NOPK
    assert seen == want
    assert back == want
    r = c.rows("nopk", params + [("page", "last"), ("page_size", 250)])
    assert r["rows"] == want[-250:]


def offset_fallbacks(srv, page, at_least=0):
    """How often the log said page N fell back to OFFSET. The log is read by a
    thread, so a line written just before the answer may lag: wait (briefly)
    for at_least of them."""
    deadline = time.monotonic() + 5
    while True:
        n = srv.log().count("page %d of 'big': no index serves this order" % page)
        if n >= at_least or time.monotonic() > deadline:
            return n
        time.sleep(0.02)


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_deep_pages_equal_offset_pages(env, view):
    """On 1M rows: numbered jumps and the cursor pages either side of them
    are exactly the OFFSET pages; an index-served order jumps without OFFSET."""
    srv, c, ref = env
    ps = 1000
    served = VIEWS.index(view) in SERVED
    for page in (2, 517, 999):
        before = offset_fallbacks(srv, page)
        r = c.rows("big", view[0] + [("page", page), ("page_size", ps)])
        assert r["page"] == page
        assert r["rows"] == reference(ref, "big", view, (page - 1) * ps, ps), "page %d" % page
        fell_back = offset_fallbacks(srv, page, before + (0 if served else 1)) - before
        if r["rows"]:
            assert fell_back == (0 if served else 1), (
                "page %d: %s" % (page, "read with OFFSET although an index serves the order"
                                 if served else "expected the OFFSET fallback to be logged"))
        if not r["rows"]:
            continue
        nxt = c.rows("big", view[0] + [("page_size", ps), ("cursor", r["next_cursor"])])
        assert nxt["page"] == page + 1
        assert nxt["rows"] == reference(ref, "big", view, page * ps, ps)
        prv = c.rows("big", view[0] + [("page_size", ps), ("cursor", r["prev_cursor"])])
        assert prv["page"] == page - 1
        assert prv["rows"] == reference(ref, "big", view, (page - 2) * ps, ps)


@pytest.mark.parametrize("view", VIEWS[:3] + VIEWS[5:6], ids=IDS[:3] + IDS[5:6])
def test_page_last_equals_the_last_offset_page(env, view):
    _, c, ref = env
    r = c.rows("big", view[0] + [("page", "last"), ("page_size", 300)])
    total = r["total_rows"]
    # exact, or on PostgreSQL past the 200 ms count budget the ANALYZEd
    # estimate, which is exact here too; whether the budget was met depends on
    # the machine's load, so total_rows_exact is not what this test is about
    assert total == BIG
    last = (total + 299) // 300
    assert r["page"] == last
    assert r["rows"] == reference(ref, "big", view, (last - 1) * 300, 300)
    assert r["next_cursor"] is None
    p = c.rows("big", view[0] + [("page_size", 300), ("cursor", r["prev_cursor"])])
    assert p["page"] == last - 1
    assert p["rows"] == reference(ref, "big", view, (last - 2) * 300, 300)


def test_tampered_and_foreign_tokens_are_400(env):
    _, c, _ = env
    r = c.rows("small", [("sort", "grp:asc"), ("page_size", 50)])
    tok = r["next_cursor"]
    assert tok and all(ch.isalnum() or ch in "-_" for ch in tok)
    bad = tok[:20] + ("A" if tok[20] != "A" else "B") + tok[21:]
    for params in ([("sort", "grp:asc"), ("page_size", 50), ("cursor", bad)],
                   [("sort", "grp:asc"), ("page_size", 50), ("cursor", tok[:-3])],
                   [("sort", "grp:asc"), ("page_size", 50), ("cursor", "%%%")],
                   [("sort", "grp:desc"), ("page_size", 50), ("cursor", tok)],
                   [("sort", "grp:asc"), ("page_size", 51), ("cursor", tok)],
                   [("sort", "grp:asc"), ("search", "x"), ("page_size", 50), ("cursor", tok)]):
        body = c.rows("small", params, status=400)
        assert body["error"].startswith("Invalid cursor"), body
    body = c.rows("big", [("sort", "grp:asc"), ("page_size", 50), ("cursor", tok)], status=400)
    assert "another view" in body["error"]


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_a_jump_just_after_a_served_page_seeks_from_it(env, view):
    """A numbered jump a few pages after a page of the same view that was just
    served starts from that page's last row (said at debug) and gives exactly
    the OFFSET page; a jump further away, or in another view, does not."""
    srv, c, ref = env
    ps = 200
    access = "GET /api/tables/big/rows 200"

    def get(page, size):
        """The page, and how many "seeking from" lines it logged."""
        line = "page %d of 'big': seeking from page " % page
        n0, s0 = srv.log().count(access), srv.log().count(line)
        r = c.rows("big", view[0] + [("page", page), ("page_size", size)])
        # the access line is logged after the handler's lines: once the log
        # reader thread has it, it has them
        deadline = time.monotonic() + 5
        while srv.log().count(access) <= n0 and time.monotonic() < deadline:
            time.sleep(0.02)
        return r, srv.log().count(line) - s0

    get(700, ps)
    for page, hinted in ((704, 1), (709, 1), (730, 0)):
        r, used = get(page, ps)
        assert r["page"] == page
        assert r["rows"] == reference(ref, "big", view, (page - 1) * ps, ps), "page %d" % page
        assert used == hinted, (page, used)
    # the same page number in a view with another page size is its own view
    r, used = get(705, ps + 1)
    assert r["rows"] == reference(ref, "big", view, 704 * (ps + 1), ps + 1)
    assert used == 0
