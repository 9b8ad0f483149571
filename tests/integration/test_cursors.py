"""Keyset cursors (SPEC §5 "Deep pages") over real HTTP.

A 1,000,000-row SQLite table (duplicate sort values, NULLs, an index on the
sort column) for depth checks, and a 20,000-row table for full walks: walking
next_cursor from page 1 to the end and prev_cursor back visits every row once,
in the OFFSET order; cursor page k equals OFFSET page k for single and
multi-column sorts with mixed directions; page=last equals the last OFFSET
page; tampered and foreign tokens are 400. Talks HTTP only, so the same file
runs against PostgreSQL when SEEKI_CURSOR_PG_URL points at a copy of the data
(the PostgreSQL engineer wires that up).
"""
import os
import sqlite3
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import SeekiServer, TempDir, base_env  # noqa: E402

BIG = 1_000_000
SMALL = 20_000

SCHEMA = """
CREATE TABLE {name} (
  id INTEGER PRIMARY KEY,
  grp INTEGER,                 -- duplicates and NULLs
  k INTEGER NOT NULL,          -- duplicates, never NULL
  label TEXT                   -- duplicates and NULLs
);
"""


def build(path):
    db = sqlite3.connect(path)
    for name, n in (("big", BIG), ("small", SMALL)):
        db.executescript(SCHEMA.format(name=name))
        db.execute(
            "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < ?) "
            "INSERT INTO %s SELECT i, CASE WHEN i %% 11 = 0 THEN NULL ELSE (i * 7919) %% 500 END, "
            "(i * 104729) %% 997, CASE WHEN i %% 13 = 0 THEN NULL ELSE 'L' || (i %% 37) END "
            "FROM r" % name, (n,))
        db.execute("CREATE INDEX %s_grp ON %s(grp)" % (name, name))
        db.execute("CREATE INDEX %s_k ON %s(k)" % (name, name))
    db.commit()
    db.close()


@pytest.fixture(scope="module")
def env():
    tmp = TempDir("seeki-cursor-")
    home = tmp.path / "home"
    home.mkdir()
    db = tmp.path / "cursors.db"
    t0 = time.monotonic()
    build(str(db))
    print("built %s in %.1f s" % (db, time.monotonic() - t0))
    cfg = tmp.path / "seeki.toml"
    url = os.environ.get("SEEKI_CURSOR_PG_URL")
    database = ('kind = "postgres"\nurl = "%s"' % url) if url else (
        'kind = "sqlite"\nurl = "sqlite://%s"' % db)
    cfg.write_text("[server]\nhost = \"127.0.0.1\"\n\n[database]\n%s\n" % database)
    srv = SeekiServer(["--config", str(cfg), "--port", "0"], base_env(home), tmp.path,
                      name="seeki cursors")
    ref = sqlite3.connect(str(db))
    try:
        srv.start()
        yield srv.client(), ref
    except BaseException:
        srv.kill()
        ref.close()
        tmp.close()
        raise
    ref.close()
    srv.stop_and_check()
    tmp.close()


# (query parameters, the same filter/search as SQL for the reference)
VIEWS = [
    ([], ""),
    ([("sort", "grp:asc")], ""),
    ([("sort", "grp:desc")], ""),
    ([("sort", "k:asc")], ""),
    ([("sort", "k:desc"), ("sort", "label:asc")], ""),
    ([("sort", "label:desc"), ("sort", "grp:asc")], ""),
    ([("sort", "grp:asc"), ("filter.label", "L1"), ("search", "L")],
     "WHERE label LIKE '%L1%' AND (label LIKE '%L%')"),
]
IDS = ["&".join("%s=%s" % p for p in v[0]) or "pk" for v in VIEWS]


def reference(ref, table, view, offset, limit):
    """The OFFSET page straight from SQLite, ordered by SPEC's rules: NULLs
    last ascending and first descending, then the primary key in the last
    sort's direction."""
    params, where = view
    sorts = [v.rsplit(":", 1) for k, v in params if k == "sort"]
    order = ['"%s" %s NULLS %s' % (c, d.upper(), "LAST" if d == "asc" else "FIRST")
             for c, d in sorts]
    order.append('"id" %s' % (sorts[-1][1].upper() if sorts else "ASC"))
    sql = "SELECT id, grp, k, label FROM %s %s ORDER BY %s LIMIT %d OFFSET %d" % (
        table, where, ", ".join(order), limit, offset)
    return [dict(zip(("id", "grp", "k", "label"), r)) for r in ref.execute(sql)]


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_walk_next_then_prev_visits_every_row_once(env, view):
    c, ref = env
    want = reference(ref, "small", view, 0, -1)
    ps = 500
    r = c.rows("small", view[0] + [("page_size", ps)])
    assert r["prev_cursor"] is None
    seen, pages = list(r["rows"]), 1
    while r["next_cursor"]:
        r = c.rows("small", view[0] + [("page_size", ps), ("cursor", r["next_cursor"])])
        pages += 1
        assert r["page"] == pages
        seen += r["rows"]
    assert len(seen) == len(want) and len({x["id"] for x in seen}) == len(want)
    assert seen == want
    back = list(r["rows"])
    while r["prev_cursor"]:
        r = c.rows("small", view[0] + [("page_size", ps), ("cursor", r["prev_cursor"])])
        pages -= 1
        assert r["page"] == pages
        back = r["rows"] + back
    assert pages == 1
    assert back == want


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_deep_pages_equal_offset_pages(env, view):
    """On 1M rows: numbered jumps and the cursor pages either side of them
    are exactly the OFFSET pages."""
    c, ref = env
    ps = 1000
    for page in (2, 517, 999):
        r = c.rows("big", view[0] + [("page", page), ("page_size", ps)])
        assert r["page"] == page
        assert r["rows"] == reference(ref, "big", view, (page - 1) * ps, ps), "page %d" % page
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
    c, ref = env
    r = c.rows("big", view[0] + [("page", "last"), ("page_size", 300)])
    total = r["total_rows"]
    last = (total + 299) // 300
    assert r["page"] == last
    assert r["rows"] == reference(ref, "big", view, (last - 1) * 300, 300)
    assert r["next_cursor"] is None
    p = c.rows("big", view[0] + [("page_size", 300), ("cursor", r["prev_cursor"])])
    assert p["page"] == last - 1
    assert p["rows"] == reference(ref, "big", view, (last - 2) * 300, 300)


def test_tampered_and_foreign_tokens_are_400(env):
    c, _ = env
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
