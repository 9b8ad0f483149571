"""Read-only by construction: the session settings SeeKi pins, and writes
smuggled through every request parameter leave the data unchanged."""
import pytest

from harness import qs, tpath

from conftest import DB


def test_session_is_pinned_read_only(client):
    row = client.rows("session_settings")["rows"][0]
    assert row["read_only"] == "on"
    assert row["tx_read_only"] == "on"
    assert row["app"] == "seeki"
    assert row["tz"] == "UTC"
    assert row["datestyle"].startswith("ISO")
    assert row["intervalstyle"] == "postgres"
    assert row["stmt_timeout"] == "2s"
    assert row["scs"] == "on"  # the reader role's own default is off (conftest.py)


def test_search_with_a_backslash_under_a_role_without_standard_strings(client):
    # with standard_conforming_strings off, ESCAPE '\' would be an open literal
    assert client.rows("public.items", {"search": "item\\"})["rows"] == []
    assert [r["id"] for r in client.rows("public.items", {"search": "C ITE"})["rows"]] == [1]
    assert [r["id"] for r in client.rows("public.items", {"search": "ITEM"})["rows"]] == [1]


def snapshot(pg):
    return pg.psql("SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM big), "
                   "(SELECT count(*) FROM secret_stuff), (SELECT string_agg(name, ',') FROM "
                   "items), to_regclass('public.pwned') IS NULL;", db=DB)


EVIL = "x'); DELETE FROM items; CREATE TABLE pwned(i int); --"


@pytest.mark.parametrize("path,params,status", [
    ("/api/tables/public.items/rows", {"sort": "id; DELETE FROM items"}, 400),
    ("/api/tables/public.items/rows", {"sort": 'id" ; DELETE FROM items; --:asc'}, 400),
    ("/api/tables/public.items/rows", {"search": EVIL}, 200),
    ("/api/tables/public.items/rows", {"filter.name": EVIL}, 200),
    ("/api/tables/public.items/rows", {"filter.name": "=" + EVIL}, 200),
    ("/api/tables/public.items/rows", {"filter.id": ">1; DELETE FROM items"}, 400),
    ("/api/tables/public.items/rows", {"page_size": "1; DELETE FROM items"}, 400),
    ("/api/tables/%s/rows" % tpath('items"; DELETE FROM items; --'), {}, 404),
    ("/api/export/public.items/csv", {"search": EVIL}, 200),
])
def test_smuggled_writes_change_nothing(pg, client, path, params, status):
    before = snapshot(pg)
    r = client.get(path + ("?" + qs(params) if params else ""))
    assert r.status == status, (r.status, r.body[:300])
    if status == 200 and path.endswith("/rows"):
        assert r.json()["rows"] == []  # the text was a plain value
    if status == 200 and path.endswith("/csv"):
        assert r.body.count(b"\n") == 1, r.body[:300]  # the header line, no row
    assert snapshot(pg) == before
