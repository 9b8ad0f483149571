"""/api/export/{t}/csv over real HTTP: headers, display-name header row,
RFC 4180 quoting, NULL vs empty string, the same sort/search/filters as the
rows route, and a 200,000-row export of the demo log table (SPEC §5)."""
import csv
import http.client
import io
import json
import time

import pytest

import fixture_db as F
from harness import SCALE, qs, tpath


def parse_csv(text):
    """Strict RFC 4180 parser keeping NULL (unquoted empty field -> None) apart
    from the empty string (quoted "" -> ''). Records end with \\n."""
    records, rec, i, n = [], [], 0, len(text)
    if n == 0:
        return records
    while True:
        if i < n and text[i] == '"':
            i += 1
            val = []
            while True:
                j = text.find('"', i)
                assert j >= 0, "unterminated quoted field at offset %d" % i
                val.append(text[i:j])
                if j + 1 < n and text[j + 1] == '"':
                    val.append('"')
                    i = j + 2
                    continue
                i = j + 1
                break
            rec.append("".join(val))
            assert i == n or text[i] in ",\n", "garbage after quoted field at %d: %r" % (
                i, text[i:i + 20])
        else:
            j = i
            while j < n and text[j] not in ",\n":
                assert text[j] != '"', "bare quote in unquoted field at %d" % j
                j += 1
            rec.append(text[i:j] if j > i else None)
            i = j
        if i >= n:
            records.append(rec)
            break
        if text[i] == ",":
            i += 1
            continue
        i += 1  # "\n"
        records.append(rec)
        rec = []
        if i >= n:
            break
    return records


def export(client, table, params=()):
    q = qs(params)
    r = client.get("/api/export/%s/csv%s" % (tpath(table), "?" + q if q else ""))
    assert r.status == 200, "export %s: %d %r" % (table, r.status, r.body[:500])
    return r


def csv_value(col, v):
    """The CSV text SPEC §5 says a drivers cell becomes (None = NULL)."""
    if v is None:
        return None
    t = F.DRIVER_TYPES[col]
    if t == "BOOLEAN":
        return "true" if v else "false"
    if t == "BLOB":
        return F.blob_json(v)
    return v


def test_export_headers(client):
    r = export(client, "drivers")
    assert r.headers.get("content-type", "").startswith("text/csv")
    cd = r.headers.get("content-disposition", "")
    assert cd.startswith("attachment"), cd
    assert 'filename="drivers.csv"' in cd, cd


def test_export_header_row_is_display_names(client):
    cols = client.get_json("/api/tables/drivers/columns")["columns"]
    recs = parse_csv(export(client, "drivers").text)
    assert recs[0] == [c["display_name"] for c in cols]
    assert recs[0][1] == "Full Name"
    assert recs[0][-1] == "Supervisor"


def test_export_line_ends_are_lf(client):
    body = export(client, "drivers").body
    assert b"\r\n" not in body
    assert body.endswith(b"\n")


def test_export_every_value(client):
    recs = parse_csv(export(client, "drivers").text)
    assert len(recs) == 1 + len(F.DRIVERS)
    for src, rec in zip(F.DRIVERS, recs[1:]):
        assert len(rec) == len(F.DRIVER_COLS), rec
        for col, got in zip(F.DRIVER_COLS, rec):
            want = csv_value(col, src[col])
            t = F.DRIVER_TYPES[col]
            if want is None:
                assert got is None, "row %d %s: got %r, want NULL (empty field)" % (
                    src["id"], col, got)
            elif t in ("INTEGER", "REAL"):
                assert got is not None and float(got) == float(want), (src["id"], col, got)
            elif t == "JSON":
                assert json.loads(got) == json.loads(want), (src["id"], col, got)
            else:
                assert got == want, "row %d %s: got %r, want %r" % (src["id"], col, got, want)


def test_export_null_vs_empty_string_raw(client):
    lines = export(client, "drivers", {"filter.id": "2..4",
                                       "sort": "id:asc"}).text.split("\n")
    # nickname is the 3rd column: NULL -> empty field, "" -> "", "   " kept.
    assert lines[1].startswith('2,Bob Jones,,Chicago,false,'), lines[1]
    assert lines[2].startswith('3,Carol 100% Real,"",Denver,true,'), lines[2]
    assert lines[3].split(",")[2].strip('"') == "   ", lines[3]


def test_export_rfc4180_quoting_raw(client):
    body = export(client, "drivers", {"filter.id": "7"}).text
    assert '"Eve ""Quotes"", Comma"' in body
    assert '"line1\nline2"' in body
    assert '"New York, NY"' in body
    assert '"She said ""hi"", then left.\nSecond line."' in body


def test_export_matches_stdlib_csv_reader(client):
    text = export(client, "drivers").text
    std = list(csv.reader(io.StringIO(text, newline="")))
    mine = [[v if v is not None else "" for v in rec] for rec in parse_csv(text)]
    assert std == mine


def _rows_all(client, table, params):
    p = client.rows(table, list(params) + [("page_size", 1000)])
    assert p["total_rows"] <= 1000
    return p


@pytest.mark.parametrize("params", [
    [("sort", "age:desc")],
    [("sort", "city:asc,rating:desc")],
    [("search", "boston")],
    [("filter.is_active", "yes"), ("sort", "rating:asc")],
    [("filter.age", ">30"), ("filter.rating", "is not null"), ("sort", "name:desc")],
    [("search", "o"), ("filter.hired_on", "2026-04")],
    [("filter.nickname", "=")],
])
def test_export_same_rows_as_rows_route(client, params):
    p = _rows_all(client, "drivers", params)
    recs = parse_csv(export(client, "drivers", params).text)
    assert [int(r[0]) for r in recs[1:]] == [r["id"] for r in p["rows"]]
    assert len(recs) - 1 == p["total_rows"]


def test_export_ignores_paging(client):
    recs = parse_csv(export(client, "events", {"page": 3, "page_size": 10}).text)
    assert len(recs) - 1 == F.EVENTS_N
    assert [int(r[0]) for r in recs[1:]] == list(range(1, F.EVENTS_N + 1))


def test_export_filtered_large_table_count(client):
    params = [("filter.category", "=alpha"), ("sort", "value:desc")]
    total = client.rows("events", params)["total_rows"]
    recs = parse_csv(export(client, "events", params).text)
    assert len(recs) - 1 == total
    assert total == sum(1 for e in F.EVENTS if e[1] == "alpha")
    vals = [None if r[2] is None else float(r[2]) for r in recs[1:]]
    want = [e["value"] for e in F.sort_rows([e for e in F.events_dicts()
                                             if e["category"] == "alpha"], [("value", True)])]
    assert vals == want


def test_export_empty_table_is_header_only(client):
    recs = parse_csv(export(client, "empty_table").text)
    assert len(recs) == 1
    assert len(recs[0]) == 2


def test_export_mixed_case_table_filename_and_spaced_header(client):
    r = export(client, "OrderLines", {"filter.item name": "widget", "sort": "line_code"})
    assert "OrderLines.csv" in r.headers.get("content-disposition", "")
    recs = parse_csv(r.text)
    assert recs[0][2] == "Price (EUR)"
    assert [x[0] for x in recs[1:]] == ["A-001", "C-003", "E-005"]


def test_export_unknown_table_is_json_404(client):
    r = client.get("/api/export/nope/csv")
    assert r.status == 404
    assert r.json() == {"error": "Table 'nope' not found"}


def test_export_bad_filter_is_json_400_before_streaming(client):
    r = client.get("/api/export/drivers/csv?" + qs({"filter.age": ">abc"}))
    assert r.status == 400
    assert "age" in r.json()["error"]


def test_export_demo_log_table_200k_rows(demo_client, demo_log_table, demo_tables):
    """Streams the whole demo log table and counts the records (values may hold
    newlines, so records are parsed, not lines)."""
    total = demo_tables[demo_log_table]["total_rows"]
    assert total >= 200000
    conn = http.client.HTTPConnection(demo_client.host, demo_client.port, timeout=120 * SCALE)
    try:
        conn.request("GET", "/api/export/%s/csv" % tpath(demo_log_table))
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.getheader("content-type", "").startswith("text/csv")
        reader = csv.reader(io.TextIOWrapper(resp, encoding="utf-8", newline=""))
        header = next(reader)
        nrec = 0
        width_bad = 0
        for rec in reader:
            nrec += 1
            if len(rec) != len(header):
                width_bad += 1
    finally:
        conn.close()
    assert nrec == total, "exported %d records, table has %d" % (nrec, total)
    assert width_bad == 0, "%d records with the wrong number of fields" % width_bad
