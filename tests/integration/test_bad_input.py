"""Bad input over real HTTP: unknown/hidden tables, bad parameters, SQL
injection attempts, path traversal, the Host guard, oversized requests and
wrong methods (SPEC §5). Each case checks the answer AND that the server keeps
serving afterwards."""
import pytest

import fixture_db as F
from harness import qs, sha256_file, status_of, tpath


def assert_serving(client):
    r = client.get("/api/status")
    assert r.status == 200 and r.json()["mode"] == "normal"


def assert_json_error(r, status):
    assert r.status == status, "status %d, want %d; body %r" % (r.status, status, r.body[:500])
    assert r.headers.get("content-type", "").startswith("application/json"), r.headers
    body = r.json()
    assert list(body) == ["error"] and isinstance(body["error"], str) and body["error"], body
    return body["error"]


# --- unknown and hidden tables ----------------------------------------------------

@pytest.mark.parametrize("route", ["/api/tables/%s/rows", "/api/tables/%s/columns",
                                   "/api/export/%s/csv"])
@pytest.mark.parametrize("table", ["nope", "hidden_stuff", "Drivers", "main.hidden_stuff"])
def test_unknown_or_excluded_table_404(client, route, table):
    r = client.get(route % tpath(table))
    assert r.status == 404, r.body
    assert r.json() == {"error": "Table '%s' not found" % table}


def test_excluded_table_rows_never_leak(client):
    for path in ("/api/tables/hidden_stuff/rows", "/api/export/hidden_stuff/csv",
                 "/api/tables/main.hidden_stuff/rows"):
        assert b"secret 1" not in client.get(path).body


def test_table_name_with_invalid_utf8_is_404(client):
    r = client.get("/api/tables/%ff%fe/rows")
    assert r.status == 404, r.body
    assert_serving(client)


# --- bad parameters -------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"sort": "nope_col"},
    {"sort": "nope_col:desc"},
    {"sort": "age:desc,nope_col"},
    {"sort_column": "nope_col", "sort_direction": "asc"},
])
def test_unknown_sort_column_400_names_it(client, params):
    r = client.get("/api/tables/drivers/rows?" + qs(params))
    msg = assert_json_error(r, 400)
    assert "nope_col" in msg, msg


def test_bad_sort_direction_400(client):
    msg = assert_json_error(client.get("/api/tables/drivers/rows?sort=age:sideways"), 400)
    assert "sideways" in msg or "direction" in msg.lower(), msg


def test_unknown_filter_column_400_names_it(client):
    r = client.get("/api/tables/drivers/rows?" + qs({"filter.nope_col": "x"}))
    msg = assert_json_error(r, 400)
    assert "nope_col" in msg, msg


def test_excluded_column_name_from_other_table_400(client):
    # 'secret' is a column of the hidden table, not of drivers.
    msg = assert_json_error(client.get("/api/tables/drivers/rows?filter.secret=x"), 400)
    assert "secret" in msg


def test_malformed_number_filter_400_lists_accepted_forms(client):
    r = client.get("/api/tables/drivers/rows?" + qs({"filter.age": ">abc"}))
    msg = assert_json_error(r, 400)
    assert "age" in msg, msg
    assert ">abc" in msg, msg
    assert ".." in msg and ">=" in msg and "is null" in msg, \
        "message should list the accepted forms: %s" % msg


@pytest.mark.parametrize("col,expr", [
    ("age", "12abc"), ("age", "1..x"), ("rating", ">=four"), ("age", "4.5"),
    ("is_active", "maybe"), ("hired_on", "April"), ("hired_on", "2026-13"),
    ("last_seen", ">yesterday"),
])
def test_filter_value_not_fitting_type_400_names_column(client, col, expr):
    r = client.get("/api/tables/drivers/rows?" + qs({"filter." + col: expr}))
    msg = assert_json_error(r, 400)
    assert col in msg, msg


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "99999999999999999999999"])
def test_bad_page_400(client, value):
    msg = assert_json_error(client.get("/api/tables/drivers/rows?" + qs({"page": value})), 400)
    assert "page" in msg, msg


@pytest.mark.parametrize("value", ["abc", "1e3", "-"])
def test_bad_page_size_400(client, value):
    r = client.get("/api/tables/drivers/rows?" + qs({"page_size": value}))
    msg = assert_json_error(r, 400)
    assert "page_size" in msg, msg


def test_unknown_parameter_ignored(client):
    p = client.get_json("/api/tables/drivers/rows?frobnicate=1")
    assert p["total_rows"] == len(F.DRIVERS)


def test_many_filters_400_names_the_limit(client):
    params = [("filter.age", ">=1")] * 200
    r = client.get("/api/tables/drivers/rows?" + qs(params))
    msg = assert_json_error(r, 400)
    assert "64" in msg and "filter" in msg, msg
    assert_serving(client)


def test_64_filters_are_answered(client):
    params = [("filter.age", ">=1")] * 64
    p = client.get_json("/api/tables/drivers/rows?" + qs(params))
    assert [x["id"] for x in p["rows"]] == [x["id"] for x in F.DRIVERS if x["age"] is not None]


def test_foreign_cursor_is_400(client):
    r = client.get("/api/tables/drivers/rows?cursor=not-a-real-token")
    msg = assert_json_error(r, 400)
    assert msg.startswith("Invalid cursor"), msg
    assert_serving(client)


# --- SQL injection -----------------------------------------------------------------

INJECTION = "'; DROP TABLE drivers; --"


@pytest.mark.parametrize("params", [
    {"search": INJECTION},
    {"filter.name": INJECTION},
    {"filter.name": "=" + INJECTION},
    {"search": '"); DELETE FROM drivers; --'},
    {"search": "' OR '1'='1"},
    {"filter.city": "' OR 1=1 --"},
])
def test_injection_as_value_is_a_plain_value(client, fixture_env, params):
    before = sha256_file(fixture_env.db)
    p = client.rows("drivers", params)
    assert p["rows"] == [] and p["total_rows"] == 0, "value was not treated literally"
    after = client.rows("drivers")
    assert after["total_rows"] == len(F.DRIVERS)
    assert [r["id"] for r in after["rows"]] == [r["id"] for r in F.DRIVERS]
    assert sha256_file(fixture_env.db) == before, "the database file changed"


def test_injection_in_sort_is_rejected(client, fixture_env):
    before = sha256_file(fixture_env.db)
    r = client.get("/api/tables/drivers/rows?" + qs({"sort": "id; DROP TABLE drivers"}))
    assert_json_error(r, 400)
    assert client.rows("drivers")["total_rows"] == len(F.DRIVERS)
    assert sha256_file(fixture_env.db) == before


def test_injection_in_table_name_is_404(client, fixture_env):
    before = sha256_file(fixture_env.db)
    name = 'drivers"; DROP TABLE drivers; --'
    r = client.get("/api/tables/%s/rows" % tpath(name))
    assert r.status == 404
    assert r.json() == {"error": "Table '%s' not found" % name}
    assert client.rows("drivers")["total_rows"] == len(F.DRIVERS)
    assert sha256_file(fixture_env.db) == before


# --- path traversal ----------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/..%2f..%2fetc%2fpasswd",
    "/static/../../etc/passwd",
    "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/....//....//etc/passwd",
    "/index.html/../../../etc/passwd",
    "/api/../../etc/passwd",
])
def test_path_traversal_404(client, path):
    raw = client.raw(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n"
                      % (path, client.port)).encode())
    assert status_of(raw) == 404, raw[:300]
    assert b"root:" not in raw
    assert_serving(client)


# --- Host guard ----------------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example", "evil.example:%(port)d",
                                  "127.0.0.1.evil.example:%(port)d", "localhost:1",
                                  "127.0.0.2:%(port)d"])
@pytest.mark.parametrize("path", ["/api/status", "/api/tables/drivers/rows", "/"])
def test_wrong_host_403(client, host, path):
    h = host % {"port": client.port}
    r = client.get(path, headers={"Host": h})
    assert r.status == 403, (h, r.status, r.body[:200])
    assert b"Alice" not in r.body


def test_wrong_host_message_names_host(client):
    r = client.get("/api/status", headers={"Host": "evil.example"})
    msg = assert_json_error(r, 403)
    assert "evil.example" in msg, msg


@pytest.mark.parametrize("host", ["localhost:%(port)d", "127.0.0.1:%(port)d",
                                  "[::1]:%(port)d", "localhost", "127.0.0.1"])
def test_allowed_host_200(client, host):
    h = host % {"port": client.port}
    r = client.get("/api/status", headers={"Host": h})
    assert r.status == 200, (h, r.status, r.body[:200])


# --- oversized requests and methods -----------------------------------------------

def test_one_megabyte_query_string_rejected_then_serving(client):
    q = "search=" + "a" * (1 << 20)
    raw = client.raw(("GET /api/tables/drivers/rows?%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                      "Connection: close\r\n\r\n" % (q, client.port)).encode(), timeout=20)
    st = status_of(raw)
    assert st == 414, "status %r; first bytes %r" % (st, raw[:200])
    assert_serving(client)


def test_headers_over_16k_rejected_then_serving(client):
    raw = client.raw(("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Big: %s\r\n"
                      "Connection: close\r\n\r\n" % (client.port, "b" * 20000)).encode())
    st = status_of(raw)
    assert st == 431, "status %r; first bytes %r" % (st, raw[:200])
    assert_serving(client)


def test_many_headers_over_16k_rejected_then_serving(client):
    hdrs = "".join("X-H%d: %s\r\n" % (i, "h" * 500) for i in range(40))
    raw = client.raw(("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s"
                      "Connection: close\r\n\r\n" % (client.port, hdrs)).encode())
    st = status_of(raw)
    assert st == 431, "status %r; first bytes %r" % (st, raw[:200])
    assert_serving(client)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/api/tables", "/api/tables/drivers/rows", "/api/status",
                                  "/api/export/drivers/csv"])
def test_wrong_method_405(client, method, path):
    r = client.request(method, path, body=b"{}", headers={"Content-Type": "application/json"})
    assert r.status == 405, (method, path, r.status, r.body[:200])
    assert r.headers.get("allow") == "GET, HEAD", r.headers
    assert_serving(client)


def test_large_body_refused_then_serving(client):
    r = client.request("POST", "/api/tables", body=b"x" * (100 * 1024),
                       headers={"Content-Type": "application/json"})
    assert 400 <= r.status < 500, r.status
    assert_serving(client)


def test_head_request(client):
    r = client.request("HEAD", "/api/status")
    assert r.status == 200
    assert r.body == b""


def test_garbage_request_line_then_serving(client):
    raw = client.raw(b"NOT AN HTTP REQUEST\r\n\r\n")
    st = status_of(raw)
    assert st == 400, raw[:200]
    assert_serving(client)


def test_database_file_unchanged_since_created(client, fixture_env):
    # A read-only server never changes the file, whatever the module sent it.
    assert sha256_file(fixture_env.db) == fixture_env.initial_sha256
