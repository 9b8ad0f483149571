"""Every PostgreSQL type's JSON and CSV encoding (SPEC §4), asserted exactly
from tests/pg/cases.py, plus the catalog's data_type / display_type."""
import csv
import io
import json
from pathlib import Path

import pytest

import cases
from harness import qs

REPO = Path(__file__).resolve().parents[2]
DISPLAY = {
    "smallint": "Number", "integer": "Number", "bigint": "Number", "real": "Decimal",
    "double precision": "Decimal", "numeric": "Decimal", "money": "Currency",
    "boolean": "Yes/No", "character(5)": "Text", "character varying(20)": "Text",
    "text": "Text", "bytea": "Binary", "date": "Date", "time without time zone": "Time",
    "time with time zone": "Time", "timestamp without time zone": "Date & Time",
    "timestamp with time zone": "Date & Time", "interval": "Duration", "uuid": "UUID",
    "json": "JSON", "jsonb": "JSON", "inet": "Network", "cidr": "Network",
    "macaddr": "Network", "integer[]": "List", "text[]": "List", "bigint[]": "List",
    "mood": "Text", "posint": "Number", "point": "point",
}


@pytest.fixture(scope="module")
def zoo_rows(client):
    r = client.get("/api/tables/type_zoo/rows?page_size=1000")
    assert r.status == 200, r.body[:500]
    # parse big integers exactly: a float would hide a rounding bug
    doc = json.loads(r.text, parse_float=float, parse_int=int)
    return {row["id"]: row for row in doc["rows"]}


def test_columns_types(client):
    cols = client.get_json("/api/tables/type_zoo/columns")["columns"]
    got = {c["name"]: (c["data_type"], c["display_type"]) for c in cols}
    for name, typ in cases.COLUMNS:
        assert got[name] == (typ, DISPLAY[typ]), name
    assert cols[0]["name"] == "id" and cols[0]["is_primary_key"] is True


@pytest.mark.parametrize("i,case", list(enumerate(cases.CASES, 1)),
                         ids=["%s=%s" % (c[0], c[1][:30]) for c in cases.CASES])
def test_json_value(zoo_rows, i, case):
    col, lit, want, _ = case
    row = zoo_rows[i]
    got = row[col]
    assert got == want and type(got) is type(want), "%s %s: got %r want %r" % (
        cases.TYPE_OF[col], lit, got, want)
    others = [c for c, _ in cases.COLUMNS if c != col and row[c] is not None]
    assert others == [], "other columns should be NULL: %s" % others


def test_json_all_null_row(zoo_rows):
    row = zoo_rows[len(cases.CASES) + 1]
    assert all(row[c] is None for c, _ in cases.COLUMNS)


def test_raw_json_keeps_big_number_digits(client):
    # the number inside json must reach the client digit for digit
    body = client.get("/api/tables/type_zoo/rows?filter.c_json=is%20not%20null").text
    assert '{"big":12345678901234567890}' in body


@pytest.fixture(scope="module")
def zoo_csv(client):
    r = client.get("/api/export/type_zoo/csv")
    assert r.status == 200
    return r.text


def _raw_fields(line_block):
    """Splits one CSV record into raw (still quoted) fields."""
    out, cur, q = [], "", False
    for ch in line_block:
        if ch == '"':
            q = not q
            cur += ch
        elif ch == "," and not q:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def test_csv_values(zoo_csv):
    text = zoo_csv
    assert text.endswith("\n")
    records = []
    cur, q = "", False
    for ch in text:
        if ch == '"':
            q = not q
        if ch == "\n" and not q:
            records.append(cur)
            cur = ""
        else:
            cur += ch
    header = next(csv.reader(io.StringIO(records[0])))
    assert header[0] == "ID"
    names = ["id"] + [c for c, _ in cases.COLUMNS]
    assert len(records) == 1 + len(cases.CASES) + 1
    for i, (col, lit, _, want) in enumerate(cases.CASES, 1):
        fields = _raw_fields(records[i])
        assert len(fields) == len(names), records[i]
        assert fields[0] == str(i)
        got = fields[names.index(col)]
        assert got == want, "%s %s: CSV got %r want %r" % (cases.TYPE_OF[col], lit, got, want)
        assert all(f == "" for j, f in enumerate(fields) if j not in (0, names.index(col)))
    last = _raw_fields(records[-1])
    assert last[1:] == [""] * len(cases.COLUMNS)  # NULLs are empty, unquoted


def test_docs_encoding_table_matches_cases():
    doc = (REPO / "docs" / "encoding.md").read_text()
    assert cases.markdown() in doc, ("docs/encoding.md is out of date; paste the output of "
                                     "`python3 tests/pg/cases.py` into it")


UNSORTABLE = {"c_json", "c_point"}  # json and point have no b-tree ordering


def test_columns_say_which_types_can_be_sorted(client):
    cols = {c["name"]: c["sortable"] for c in client.get_json("/api/tables/type_zoo/columns")["columns"]}
    assert {n for n, s in cols.items() if not s} == UNSORTABLE, cols
    # jsonb, arrays, an enum and a domain over integer do order
    assert all(cols[n] for n in ("c_jsonb", "c_int_arr", "c_text_arr", "c_mood", "c_posint"))


@pytest.mark.parametrize("col", sorted(UNSORTABLE))
@pytest.mark.parametrize("how", ["sort", "sort_column"])
def test_sorting_a_column_without_ordering_is_400_naming_it(client, col, how):
    params = {"sort": col + ":asc"} if how == "sort" else {"sort_column": col}
    r = client.get("/api/tables/type_zoo/rows?" + qs(params))
    assert r.status == 400, r.body[:300]
    msg = r.json()["error"]
    assert msg.startswith("Column '%s' cannot be sorted: its type " % col), msg
    assert "has no ordering; sort by another column" in msg, msg
    r = client.get("/api/export/type_zoo/csv?" + qs(params))
    assert r.status == 400, r.body[:300]


def test_every_column_said_sortable_sorts(client):
    cols = client.get_json("/api/tables/type_zoo/columns")["columns"]
    for c in cols:
        if c["sortable"]:
            for d in ("asc", "desc"):
                r = client.get("/api/tables/type_zoo/rows?" + qs({"sort": "%s:%s" % (c["name"], d)}))
                assert r.status == 200, (c["name"], d, r.body[:300])
