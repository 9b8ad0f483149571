"""GET /api/tables/{t}/count: the view's count with the rows route's search
and filters (sort and paging ignored), its errors, and agreement with /rows.
Both engines (SEEKI_TEST_ENGINE=postgres). The background path on a large
table is tests/pg/test_counts.py and tests/e2e/counts.test.mjs."""
import fixture_db as F
from harness import qs


def count(client, table, params=(), status=200):
    q = qs(params)
    return client.get_json("/api/tables/%s/count%s" % (table, "?" + q if q else ""),
                           status=status)


def test_count_of_a_table(client):
    assert count(client, "drivers") == {"total_rows": len(F.DRIVERS), "total_rows_exact": True,
                                        "count_pending": False}


def test_count_follows_search_and_filters_like_rows(client):
    for params in ({"filter.is_active": "yes"}, {"search": "a"},
                   {"search": "a", "filter.is_active": "no", "sort": "name:desc", "page": "3"}):
        c = count(client, "drivers", params)
        r = client.rows("drivers", dict(params, page="1"))
        assert c["total_rows"] == r["total_rows"], params
        assert c["total_rows_exact"] is True and c["count_pending"] is False


def test_count_errors_are_those_of_rows(client):
    e = count(client, "nope", status=404)
    assert e == {"error": "Table 'nope' not found"}
    e = count(client, "drivers", {"filter.nope": "1"}, status=400)
    assert "nope" in e["error"]
    r = client.request("POST", "/api/tables/drivers/count")
    assert r.status == 405
