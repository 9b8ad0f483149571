"""Hostile HTTP from issue #16, over real sockets, on both engines; each section
asserts the one outcome docs/api.md documents for it."""
import json

import pytest

import fixture_db as F
from harness import qs, status_of
from test_bad_input import assert_json_error, assert_serving

CSP = "default-src 'self'; frame-ancestors 'none'"


def utf8_error(param, byte, offset, part="value"):
    return ("Parameter '%s' is not valid UTF-8 (byte 0x%s at offset %d of its %s); send text "
            "as UTF-8, percent-encoded (encodeURIComponent does this)"
            % (param, byte, offset, part))


def split_raw(raw):
    """(status, {lower-case header: [values]}, body) of one raw HTTP answer."""
    head, _, body = raw.partition(b"\r\n\r\n")
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return status_of(raw), headers, body


def raw_get(client, target, host_lines, version="HTTP/1.1"):
    """One GET with exactly the given Host lines (or none), connection closed after."""
    req = "GET %s %s\r\n%sConnection: close\r\n\r\n" % (
        target, version, "".join("%s\r\n" % h for h in host_lines))
    return split_raw(client.raw(req.encode()))


# --- 1. invalid UTF-8 in parameter values ------------------------------------------------

BAD_UTF8 = [("%FF", "FF"), ("%C0%AF", "C0"), ("%ED%A0%80", "ED")]  # byte, overlong, surrogate


@pytest.mark.parametrize("route", ["/api/tables/drivers/rows", "/api/export/drivers/csv"])
@pytest.mark.parametrize("param", ["search", "filter.name", "filter.city"])
@pytest.mark.parametrize("raw,byte", BAD_UTF8)
def test_invalid_utf8_value_is_400_naming_the_parameter(client, route, param, raw, byte):
    r = client.get("%s?%s=%s" % (route, param, raw))
    assert assert_json_error(r, 400) == utf8_error(param, byte, 0)
    assert_serving(client)


def test_invalid_utf8_after_valid_text_gives_its_offset(client):
    r = client.get("/api/tables/drivers/rows?search=Jos%C3%A9%FF")
    assert assert_json_error(r, 400) == utf8_error("search", "FF", 5)


@pytest.mark.parametrize("param", ["sort", "sort_column", "page", "page_size", "cursor"])
def test_invalid_utf8_in_other_rows_parameters_is_400(client, param):
    r = client.get("/api/tables/drivers/rows?%s=%%FF" % param)
    assert assert_json_error(r, 400) == utf8_error(param, "FF", 0)


def test_invalid_utf8_sort_direction_is_400(client):
    r = client.get("/api/tables/drivers/rows?sort_column=id&sort_direction=%C0%AF")
    assert assert_json_error(r, 400) == utf8_error("sort_direction", "C0", 0)


def test_invalid_utf8_in_filter_column_name_is_400(client):
    r = client.get("/api/tables/drivers/rows?filter.na%FFme=x")
    assert assert_json_error(r, 400) == utf8_error("filter.na\ufffdme", "FF", 9, "name")


def test_export_ignores_page_page_size_and_cursor_even_with_invalid_utf8(client):
    r = client.get("/api/export/drivers/csv?page=%FF&page_size=%C0%AF&cursor=%ED%A0%80")
    assert r.status == 200, r.body[:300]
    assert r.body == client.get("/api/export/drivers/csv").body


def test_unknown_parameter_with_invalid_utf8_is_ignored(client):
    p = client.get_json("/api/tables/drivers/rows?x=%FF&%FF=1")
    assert p["total_rows"] == len(F.DRIVERS)


def test_valid_utf8_search_still_matches(client):
    p = client.get_json("/api/tables/drivers/rows?search=Jos%C3%A9")
    assert [x["id"] for x in p["rows"]] == [5]


@pytest.mark.parametrize("route", ["/api/tables/%ff%fe/rows", "/api/tables/%ff%fe/columns",
                                   "/api/export/%ff%fe/csv"])
def test_invalid_utf8_table_name_stays_404(client, route):
    r = client.get(route)
    assert assert_json_error(r, 404) == "Table '\ufffd\ufffd' not found"


# --- 2. many query parameters, long values -------------------------------------------------

@pytest.mark.parametrize("n", [100, 300, 450, 1000, 3000])
def test_many_query_parameters_get_an_answer(client, n):
    target = "/api/tables/drivers/rows?" + "&".join("p%d=1" % i for i in range(n))
    p = client.get_json(target)  # unknown parameters are ignored
    assert p["total_rows"] == len(F.DRIVERS)
    assert_serving(client)


def test_sixteen_thousand_empty_parameters_get_an_answer(client):
    p = client.get_json("/api/tables/drivers/rows?" + "&" * 16000)
    assert p["total_rows"] == len(F.DRIVERS)


def test_many_parameters_before_a_real_one_still_apply_it(client):
    target = ("/api/tables/drivers/rows?" + "&".join("p%d=1" % i for i in range(1000))
              + "&" + qs([("filter.city", "boston")]))
    p = client.get_json(target)
    assert sorted(x["id"] for x in p["rows"]) == [1, 4, 8]


@pytest.mark.parametrize("target", [
    "/api/tables/drivers/rows?" + "&".join("p%d=1" % i for i in range(5000)),  # 38.9 KB
    "/api/tables/drivers/rows?search=" + "a" * 40000,
    "/api/tables/drivers/rows?" + "&" * 40000,
])
def test_request_target_past_the_connection_memory_is_414(client, target):
    st, headers, body = split_raw(client.raw(
        ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n"
         % (target, client.port)).encode()))
    assert st == 414, "status %r; body %r" % (st, body[:200])
    assert_serving(client)


@pytest.mark.parametrize("length", [4000, 16000, 30000])
def test_long_search_value_is_answered(client, length):
    p = client.get_json("/api/tables/drivers/rows?search=" + "q" * length)
    assert p["rows"] == [] and p["total_rows"] == 0


# --- 3. the Host header (RFC 9112 section 3.2) -------------------------------------------

def test_http11_without_host_is_400(client):
    st, headers, body = raw_get(client, "/api/status", [])
    assert st == 400, body
    assert headers["content-type"] == ["application/json"]
    assert json.loads(body) == {"error": "HTTP/1.1 request without a Host header; send one, "
                                         "e.g. open SeeKi at http://127.0.0.1:%d" % client.port}


@pytest.mark.parametrize("version", ["HTTP/1.1", "HTTP/1.0"])
@pytest.mark.parametrize("hosts", [
    ["Host: 127.0.0.1:%(port)d", "Host: 127.0.0.1:%(port)d"],
    ["Host: localhost", "host: evil.example"],
    ["HOST: evil.example", "Host: localhost:%(port)d"],
])
def test_more_than_one_host_is_400(client, version, hosts):
    st, headers, body = raw_get(client, "/api/status", [h % {"port": client.port} for h in hosts],
                                version)
    assert st == 400, body
    assert json.loads(body) == {"error": "Request has 2 Host headers; send exactly one, e.g. "
                                         "open SeeKi at http://127.0.0.1:%d" % client.port}


@pytest.mark.parametrize("target", ["/api/status", "/api/tables/drivers/rows?page_size=1", "/"])
def test_http10_without_host_is_served(client, target):
    st, headers, body = raw_get(client, target, [], "HTTP/1.0")
    assert st == 200, body[:300]


def test_http10_with_a_foreign_host_is_403(client):
    st, headers, body = raw_get(client, "/api/status", ["Host: evil.example"], "HTTP/1.0")
    assert st == 403, body


# --- 4. hardening headers on every response ----------------------------------------------

@pytest.mark.parametrize("target,status", [
    ("/", 200), ("/index.html", 200), ("/app.css", 200), ("/js/app.js", 200),
    ("/favicon.svg", 200), ("/api/status", 200), ("/api/tables", 200),
    ("/api/tables/drivers/columns", 200), ("/api/tables/drivers/rows", 200),
    ("/api/export/drivers/csv", 200), ("/api/config/display", 200),
    ("/nope", 404), ("/api/nope", 404), ("/api/tables/nope/rows", 404),
    ("/api/tables/drivers/rows?page=abc", 400), ("/api/tables/drivers/rows?search=%zz", 400),
])
def test_every_response_carries_csp_and_referrer_policy(client, target, status):
    r = client.get(target)
    assert r.status == status, r.body[:300]
    assert r.headers.get("content-security-policy") == CSP
    assert r.headers.get("referrer-policy") == "no-referrer"
    assert r.headers.get("x-content-type-options") == "nosniff"


@pytest.mark.parametrize("req,status", [
    ("GET / HTTP/1.1\r\nHost: evil.example\r\n", 403),
    ("POST /api/status HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n", 405),
    ("GET /api/status HTTP/1.1\r\n", 400),
])
def test_refusals_carry_csp_and_referrer_policy(client, req, status):
    st, headers, body = split_raw(client.raw((req + "Connection: close\r\n\r\n").encode()))
    assert st == status, body
    assert headers["content-security-policy"] == [CSP]
    assert headers["referrer-policy"] == ["no-referrer"]
