"""Column statistics on PostgreSQL (SPEC §10). On the 1,000,000-row table: past 100,000
matching rows PostgreSQL reads a TABLESAMPLE SYSTEM sample of about 100,000
rows (the percentage from reltuples) and says exact:false; below, the
figures are exact. Block sampling varies in size, so the sampled figures are
checked for what they must be whatever blocks were drawn."""
from conftest import BIG_N
from harness import qs

PRIME = 1000003


def stats(client, column, params=()):
    q = qs(params)
    return client.get_json("/api/tables/big/stats/%s%s" % (column, "?" + q if q else ""))


def test_sampled_number_column(client):
    s = stats(client, "k")
    assert s["exact"] is False
    # ~10% of the blocks: far from all rows, near 100,000
    assert 30000 <= s["count"] <= 300000, s
    assert s["nulls"] == 0
    assert s["distinct"] == s["count"]  # k is a permutation: no repeats in any sample
    assert 0 <= s["min"] < s["max"] < PRIME
    assert abs(s["avg"] - PRIME / 2) < PRIME * 0.05, s
    assert s["top"] is None


def test_sampled_is_repeatable_and_consistent(client):
    a, b = stats(client, "id"), stats(client, "id")
    assert a == b  # REPEATABLE: the same blocks for every statement and request
    assert a["exact"] is False and a["distinct"] == a["count"]
    assert 1 <= a["min"] <= a["max"] <= BIG_N


def test_sampled_text_column_top(client):
    s = stats(client, "label")
    assert s["exact"] is False and 30000 <= s["count"] <= 300000
    assert len(s["top"]) == 10 and all(t["count"] == 1 for t in s["top"])
    vals = [t["value"] for t in s["top"]]
    assert vals == sorted(vals) and all(v.startswith("row ") for v in vals)


def test_sampled_with_filter(client):
    s = stats(client, "k", {"filter.k": "<500000"})
    assert s["exact"] is False
    assert 10000 <= s["count"] <= 200000, s
    assert s["max"] < 500000


def test_exact_below_the_bound(client):
    s = stats(client, "k", {"filter.id": "<=1000"})
    assert s["exact"] is True
    ks = [(g * 7919) % PRIME for g in range(1, 1001)]
    assert (s["count"], s["distinct"], s["min"], s["max"]) == (1000, 1000, min(ks), max(ks))
    assert abs(s["avg"] - sum(ks) / 1000) < 1e-6


def test_every_type_has_statistics(client):
    """type_zoo holds a column of every supported PostgreSQL type (cases.py):
    each one answers its figures (never a 500 for a type without MIN, an
    ordering or equality: enums, uuid, json, point, arrays, bytea, ...), with
    min/max exactly when the column sorts and avg for the numbers."""
    cols = client.get_json("/api/tables/type_zoo/columns")["columns"]
    rows = client.get_json("/api/tables/type_zoo/rows?page_size=1000")["rows"]
    assert len(cols) > 20
    for c in cols:
        r = client.get("/api/tables/type_zoo/stats/%s" % c["name"])
        assert r.status == 200, (c["name"], c["data_type"], r.body[:300])
        s = r.json()
        values = [row[c["name"]] for row in rows]
        nonnull = [v for v in values if v is not None]
        assert s["exact"] is True and s["count"] == len(rows), (c["name"], s)
        assert s["nulls"] == len(values) - len(nonnull), (c["name"], s)
        numeric = c["display_type"] in ("Number", "Decimal")
        assert (s["avg"] is not None) == (numeric and bool(nonnull)), (c["name"], s)
        has_minmax = c["sortable"] and c["display_type"] != "Yes/No"
        if has_minmax and nonnull:
            assert s["min"] in nonnull and s["max"] in nonnull, (c["name"], s)
        else:
            assert s["min"] is None and s["max"] is None, (c["name"], s)
        if numeric:
            assert s["top"] is None, (c["name"], s)
        else:
            assert sum(t["count"] for t in s["top"]) <= len(nonnull), (c["name"], s)
            for t in s["top"]:
                assert t["value"] in nonnull, (c["name"], t)  # encoded exactly like cells


def test_statement_timeout_and_grants(client):
    """Every statistics statement runs under database.statement_timeout_ms
    (2 s for the session server; the view sleeps 3 s), and a table the role
    may not read answers 403 as /rows does; the server keeps serving."""
    r = client.get("/api/tables/slow/stats/one")
    assert r.status == 504, (r.status, r.body[:300])
    assert "database.statement_timeout_ms" in r.json()["error"]
    r = client.get("/api/tables/secret_stuff/stats/secret")
    assert r.status == 403, (r.status, r.body[:300])
    assert r.json()["error"].startswith("Permission denied for table secret_stuff")
    assert stats(client, "k", {"filter.id": "<=10"})["count"] == 10
