"""Column statistics on the 1,000,000-row table (SPEC §10): past 100,000
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
