"""Introspection and reads against PostgreSQL: kinds, naming across schemas,
odd identifiers, partitioned tables, paging/sorting/filters, errors that map
to 400/403/504."""
import pytest

from harness import tpath


def tables(client):
    return {t["name"]: t for t in client.get_json("/api/tables")["tables"]}


def test_kinds_and_names(client):
    t = tables(client)
    assert t["public.items"]["kind"] == "table" and t["public.items"]["schema"] == "public"
    assert t["sales.items"]["schema"] == "sales"
    assert "items" not in t  # clashing bare name: both qualified
    assert t["Mixed Case"]["kind"] == "table"
    assert t["cheap"]["kind"] == "view"
    assert t["item_totals"]["kind"] == "materialized_view"
    assert t["measurements"]["kind"] == "table"
    assert not any(n.startswith("measurements_") for n in t), "partitions must not be listed"
    assert t["big"]["row_count_estimate"] == 1_000_000  # reltuples after ANALYZE
    assert t["cheap"]["row_count_estimate"] is None
    assert not any(n.startswith(("pg_catalog", "information_schema")) for n in t)


def test_ambiguous_bare_name_is_400(client):
    r = client.get("/api/tables/items/rows")
    assert r.status == 400
    assert "public.items" in r.json()["error"] and "sales.items" in r.json()["error"]


def test_mixed_case_and_odd_columns(client):
    cols = client.get_json("/api/tables/%s/columns" % tpath("Mixed Case"))["columns"]
    assert [c["name"] for c in cols] == ["Line Code", "unit price", 'a "quoted" col']
    assert cols[0]["is_primary_key"] and not cols[0]["is_nullable"]
    p = client.rows("Mixed Case", {"sort": "unit price:desc"})
    assert [r["Line Code"] for r in p["rows"]] == ["C", "B", "A"]  # NULL first descending
    p = client.rows("Mixed Case", {"filter.unit price": ">=2", "search": "b"})
    assert p["rows"] == [{"Line Code": "B", "unit price": 2.5, 'a "quoted" col': "b"}]
    assert p["total_rows"] == 1 and p["total_rows_exact"] is True


def test_partitioned_table_reads_all_partitions(client):
    p = client.rows("measurements", {"sort": "taken:asc"})
    assert [r["id"] for r in p["rows"]] == [1, 2, 3]
    p = client.rows("measurements", {"filter.taken": "2026"})
    assert sorted(r["id"] for r in p["rows"]) == [2, 3]


def test_other_schema_table(client):
    p = client.rows("sales.items", {"sort": "amount:desc"})
    assert p["rows"] == [{"id": 2, "amount": "10.25"}, {"id": 1, "amount": "9.50"}]
    assert client.rows("item_totals")["rows"] == [{"n": 2}]


def test_empty_table(client):
    p = client.rows("empty_one")
    assert p["rows"] == [] and p["total_rows"] == 0 and p["total_rows_exact"] is True


def test_enum_and_domain_filters(client):
    p = client.rows("type_zoo", {"filter.c_mood": "=happy"})
    assert len(p["rows"]) == 1 and p["rows"][0]["c_mood"] == "happy"
    p = client.rows("type_zoo", {"filter.c_posint": ">41"})
    assert [r["c_posint"] for r in p["rows"]] == [42]


def test_bool_and_bigint_filters(client):
    assert len(client.rows("type_zoo", {"filter.c_bool": "yes"})["rows"]) == 1
    p = client.rows("type_zoo", {"filter.c_int8": ">9007199254740992"})
    assert [r["c_int8"] for r in p["rows"]] == ["9007199254740993"]


@pytest.mark.parametrize("col,expr", [
    ("c_numeric", ">1e999999"),
    ("c_int2", ">=99999999999999999999"),
    ("c_date", "=99999-01-01"),
])
def test_value_overflowing_the_column_is_400(client, col, expr):
    r = client.get("/api/tables/type_zoo/rows?filter.%s=%s" % (col, tpath(expr)))
    assert r.status == 400, (r.status, r.body[:300])
    assert col in r.json()["error"]


def test_no_select_grant_is_403(client):
    r = client.get("/api/tables/secret_stuff/rows")
    assert r.status == 403, r.body
    msg = r.json()["error"]
    assert msg.startswith("Permission denied for table secret_stuff: grant SELECT on "
                          "secret_stuff to role reader"), msg
    assert client.get("/api/export/secret_stuff/csv").status == 403


def test_statement_timeout_is_504(client):
    r = client.get("/api/tables/slow/rows")
    assert r.status == 504, (r.status, r.body[:300])
    assert "database.statement_timeout_ms" in r.json()["error"]
    # the connection survives: the next request is served
    assert client.rows("empty_one")["total_rows"] == 0


def test_status_is_postgres(client):
    s = client.get_json("/api/status")
    assert s["database"] == {"kind": "postgres", "connected": True}


def test_startup_log_line(seeki):
    log = seeki.log()
    assert "INFO db: connected to PostgreSQL 15." in log
    assert "/seeki_pg user=reader (" in log and " tables)" in log
    assert "reader pw" not in log and "postgres://" not in log
