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


def snapshot(pg):
    return pg.psql("SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM big), "
                   "(SELECT count(*) FROM secret_stuff), (SELECT string_agg(name, ',') FROM "
                   "items), to_regclass('public.pwned') IS NULL;", db=DB)


EVIL = "x'); DELETE FROM items; CREATE TABLE pwned(i int); --"


@pytest.mark.parametrize("path,params", [
    ("/api/tables/public.items/rows", {"sort": "id; DELETE FROM items"}),
    ("/api/tables/public.items/rows", {"sort": 'id" ; DELETE FROM items; --:asc'}),
    ("/api/tables/public.items/rows", {"search": EVIL}),
    ("/api/tables/public.items/rows", {"filter.name": EVIL}),
    ("/api/tables/public.items/rows", {"filter.name": "=" + EVIL}),
    ("/api/tables/public.items/rows", {"filter.id": ">1; DELETE FROM items"}),
    ("/api/tables/public.items/rows", {"page_size": "1; DELETE FROM items"}),
    ("/api/tables/%s/rows" % tpath('items"; DELETE FROM items; --'), {}),
    ("/api/export/public.items/csv", {"search": EVIL}),
])
def test_smuggled_writes_change_nothing(pg, client, path, params):
    before = snapshot(pg)
    r = client.get(path + ("?" + qs(params) if params else ""))
    assert r.status in (200, 400, 404), (r.status, r.body[:300])
    if r.status == 200 and path.endswith("/rows"):
        assert r.json()["rows"] == []  # the text was a plain value
    assert snapshot(pg) == before
