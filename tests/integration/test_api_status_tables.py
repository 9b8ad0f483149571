"""/api/status, /api/tables, /api/tables/{t}/columns, /api/config/display and
the static UI, over real HTTP against the fixture database (SPEC §4, §5)."""
import re

import fixture_db as F
from harness import REPO, tpath

VERSION = (REPO / "VERSION").read_text().strip()


def test_status_shape(client):
    r = client.get("/api/status")
    assert r.status == 200
    assert r.headers.get("content-type", "").startswith("application/json")
    s = r.json()
    assert s["mode"] == "normal"
    assert s["version"] == VERSION
    assert s["database"] == {"kind": "sqlite", "connected": True}
    assert "tunnel" in s and s["tunnel"] is None


def _tables(client):
    return client.get_json("/api/tables")["tables"]


def test_tables_lists_exactly_the_allowed_tables_and_views(client):
    names = [t["name"] for t in _tables(client)]
    assert sorted(names) == sorted(F.EXPECTED_TABLES), names
    assert "hidden_stuff" not in names


def test_tables_are_sorted_by_name(client):
    names = [t["name"] for t in _tables(client)]
    assert names == sorted(names), names  # byte order of the name


def test_tables_object_shape_kind_and_schema(client):
    for t in _tables(client):
        assert set(t) == {"name", "schema", "display_name", "kind", "row_count_estimate"}, t
        assert t["kind"] == F.EXPECTED_TABLES[t["name"]][0], t
        assert t["schema"] == "main", t


def test_tables_display_names_override_and_derived(client):
    dn = {t["name"]: t["display_name"] for t in _tables(client)}
    assert dn["drivers"] == "Our Drivers"          # [display.tables] override
    assert dn["active_drivers"] == "Active Drivers"  # snake_case -> Title Case
    assert dn["empty_table"] == "Empty Table"
    assert dn["OrderLines"] == "Order Lines"        # CamelCase -> words


def test_tables_row_count_estimates(client):
    est = {t["name"]: t["row_count_estimate"] for t in _tables(client)}
    for name in ("drivers", "no_pk", "OrderLines", "empty_table"):
        assert est[name] == F.EXPECTED_TABLES[name][1], (name, est[name])
    # 5,003 rows: exact or a close estimate.
    assert isinstance(est["events"], int)
    assert abs(est["events"] - F.EVENTS_N) <= F.EVENTS_N // 10, est["events"]
    # A view's estimate may be unknown (null) but is never wrong.
    assert est["active_drivers"] in (None, F.EXPECTED_TABLES["active_drivers"][1])


def _columns(client, table):
    return client.get_json("/api/tables/%s/columns" % tpath(table))["columns"]


def test_columns_drivers_every_field(client):
    cols = _columns(client, "drivers")
    assert [c["name"] for c in cols] == F.DRIVER_COLS
    for c in cols:
        n = c["name"]
        assert set(c) == {"name", "display_name", "data_type", "display_type", "is_nullable",
                          "is_primary_key", "sortable", "sensitive", "references"}, c
        assert c["sortable"] is True, c  # every SQLite column sorts
        assert c["sensitive"] is False, c  # no name matches display.sensitive
        assert c["data_type"] == F.DRIVER_TYPES[n], c
        assert c["display_type"] == F.DRIVER_DISPLAY_TYPES[n], c
        assert c["is_nullable"] is (n not in F.DRIVER_NOT_NULL), c
        assert c["is_primary_key"] is (n == "id"), c


def test_columns_display_names(client):
    dn = {c["name"]: c["display_name"] for c in _columns(client, "drivers")}
    assert dn["name"] == "Full Name"          # [display.columns.drivers] override
    assert dn["supervisor_id"] == "Supervisor"  # trailing _id dropped
    assert dn["hired_on"] == "Hired On"
    assert dn["is_active"] == "Is Active"
    assert dn["last_seen"] == "Last Seen"


def test_columns_mixed_case_table_with_spaced_columns(client):
    cols = _columns(client, "OrderLines")
    assert [c["name"] for c in cols] == ["line_code", "item name", "unit price", "qty"]
    by = {c["name"]: c for c in cols}
    assert by["unit price"]["display_name"] == "Price (EUR)"  # quoted TOML key override
    assert by["unit price"]["display_type"] == "Decimal"
    assert by["line_code"]["is_primary_key"] is True
    assert [c["is_primary_key"] for c in cols] == [True, False, False, False]


def test_columns_table_without_primary_key(client):
    cols = _columns(client, "no_pk")
    assert [(c["name"], c["data_type"], c["is_primary_key"]) for c in cols] == [
        ("n", "INTEGER", False), ("label", "TEXT", False)]


def test_columns_view(client):
    cols = _columns(client, "active_drivers")
    assert [c["name"] for c in cols] == ["id", "name", "city"]
    assert [c["display_type"] for c in cols] == ["Number", "Text", "Text"]


def test_config_display_branding_and_overrides(client):
    d = client.get_json("/api/config/display")
    assert d["branding"]["title"] == "Fleet Browser"
    assert d["branding"]["subtitle"] == "Integration fixture"
    assert d["tables"] == {"drivers": "Our Drivers"}
    assert d["columns"] == {"drivers": {"name": "Full Name"},
                            "OrderLines": {"unit price": "Price (EUR)"}}


def test_static_root_serves_html(client):
    r = client.get("/")
    assert r.status == 200
    assert r.headers.get("content-type", "").startswith("text/html")
    assert b"<html" in r.body.lower()


def test_static_index_html_same_as_root(client):
    root = client.get("/")
    idx = client.get("/index.html")
    assert idx.status == 200
    assert idx.headers.get("content-type", "").startswith("text/html")
    assert idx.body == root.body


def test_unknown_api_route_is_json_404(client):
    r = client.get("/api/nope")
    assert r.status == 404
    assert isinstance(r.json().get("error"), str)


def test_log_lines_have_level_module_message_form(client, server_proc):
    client.get("/api/status")
    lines = [ln for ln in server_proc.log().splitlines() if ln.strip()]
    assert lines, "server logged nothing"
    bad = [ln for ln in lines
           if not re.match(r"^(ERROR|WARN|INFO|DEBUG|TRACE) [A-Za-z0-9_.-]+: \S", ln)]
    assert not bad, "log lines not in `LEVEL module: message` form: %r" % bad
    assert any(re.match(r"^INFO http: SeeKi listening on http://127\.0\.0\.1:\d+$", ln)
               for ln in lines), lines


def test_query_values_not_logged_at_info(client, server_proc):
    marker = "QueryValueMarker4711"
    client.get("/api/tables/drivers/rows?search=%s&filter.name=%s" % (marker, marker))
    client.get("/api/export/drivers/csv?search=%s" % marker)
    assert marker not in server_proc.log()
