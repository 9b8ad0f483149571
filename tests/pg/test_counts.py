"""Counts that never hold a page up, and a pool that never wedges (issue #15,
#16 item 4), against the 1,000,000-row table `big` of conftest.py.

Each test starts its own seeki (its own application_name, so the activity it
sees in pg_stat_activity is its own, and an empty count cache)."""
import http.client
import socket
import threading
import time

import pytest

from conftest import BIG_N, Env, config


class Server:
    def __init__(self, reader_url, app, db_extra=""):
        self.app = app
        self.env = Env(config(reader_url + "?application_name=" + app, db_extra=db_extra))
        self.srv = self.env.server()
        self.srv.start()
        self.client = self.srv.client()

    def close(self):
        try:
            if self.srv.alive():
                self.srv.stop_and_check()
        finally:
            if self.srv.alive():
                self.srv.kill()
            self.env.close()


@pytest.fixture
def server(reader_url, request):
    made = []

    def start(db_extra=""):
        s = Server(reader_url, "seeki_%s" % request.node.name[-40:].replace("-", "_"), db_extra)
        made.append(s)
        return s

    yield start
    for s in made:
        s.close()


def k_below(limit):
    return sum(1 for g in range(1, BIG_N + 1) if (g * 7919) % 1000003 < limit)


def backends(pg, app, active_only=False):
    extra = " AND state = 'active'" if active_only else ""
    return int(pg.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s' "
                       "AND backend_type = 'client backend'%s;" % (app, extra)).strip() or 0)


def test_a_large_table_answers_with_the_estimate_then_the_exact_count(server):
    s = server()
    p = s.client.rows("big", {"page_size": "50"})
    assert len(p["rows"]) == 50
    # the page did not wait for count(*): an estimate, and the count running
    assert p["total_rows_exact"] is False and p["count_pending"] is True, p
    assert abs(p["total_rows"] - BIG_N) <= BIG_N // 100, p["total_rows"]  # ANALYZEd: close
    c = s.client.get_json("/api/tables/big/count")
    assert c == {"total_rows": BIG_N, "total_rows_exact": True, "count_pending": False}
    # the next page gets it from the cache
    p2 = s.client.rows("big", {"page_size": "50", "page": "2"})
    assert (p2["total_rows"], p2["total_rows_exact"], p2["count_pending"]) == (BIG_N, True, False)
    # page=last is now the real last page (1,000,000 / 50 = 20,000 full pages)
    last = s.client.rows("big", {"page_size": "50", "page": "last"})
    assert last["page"] == 20000 and last["rows"][-1]["id"] == BIG_N
    assert last["next_cursor"] is None
    assert "counted 'big' in the background: %d rows" % BIG_N in s.srv.log()


def test_a_filtered_view_is_counted_in_the_background_on_its_own(server):
    s = server()
    want = k_below(500000)
    p = s.client.rows("big", {"page_size": "5", "filter.k": "<500000"})
    assert p["total_rows_exact"] is False and p["count_pending"] is True, p
    assert 0.5 * want <= p["total_rows"] <= 1.5 * want, (p["total_rows"], want)  # the planner's
    c = s.client.get_json("/api/tables/big/count?filter.k=%3C500000")
    assert c == {"total_rows": want, "total_rows_exact": True, "count_pending": False}
    # the unfiltered view is another entry: not counted yet
    p = s.client.rows("big", {"page_size": "5"})
    assert p["total_rows_exact"] is False and p["count_pending"] is True


def test_small_views_are_counted_in_line(server):
    s = server()
    p = s.client.rows("big", {"page_size": "5", "filter.k": "<1000"})
    assert (p["total_rows"], p["total_rows_exact"], p["count_pending"]) == (k_below(1000), True,
                                                                           False)
    c = s.client.get_json("/api/tables/sales.items/count")
    assert c == {"total_rows": 2, "total_rows_exact": True, "count_pending": False}


def test_a_change_to_the_table_ends_its_cached_count(server, pg):
    s = server()
    assert s.client.get_json("/api/tables/big/count")["total_rows"] == BIG_N
    assert s.client.rows("big", {"page_size": "1"})["total_rows_exact"] is True
    # The statistics counters reach other sessions when the writing session
    # ends (it flushes them on exit).
    pg.psql("INSERT INTO big VALUES (%d, 1, 'one more');" % (BIG_N + 1), db="seeki_pg")
    try:
        deadline = time.time() + 15
        while True:
            p = s.client.rows("big", {"page_size": "1"})
            if not p["total_rows_exact"]:
                break
            assert time.time() < deadline, "the cached count outlived the INSERT"
            time.sleep(0.2)
        assert p["count_pending"] is True
        c = s.client.get_json("/api/tables/big/count")
        assert (c["total_rows"], c["total_rows_exact"]) == (BIG_N + 1, True)
    finally:
        pg.psql("DELETE FROM big WHERE id = %d; ANALYZE big;" % (BIG_N + 1), db="seeki_pg")


def hold_export(s, path="/api/export/big/csv"):
    """An export whose client reads nothing: the server fills the socket
    buffer and then waits, keeping its database connection."""
    sock = socket.create_connection((s.srv.host, s.srv.port), timeout=30)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (path, s.srv.host, s.srv.port))
                 .encode())
    return sock


def test_exports_never_take_the_last_connection_and_status_never_waits(server, pg):
    s = server("max_connections = 2")
    socks = [hold_export(s) for _ in range(4)]  # 1 runs (2 - 1 bulk slots), 3 wait in line
    try:
        time.sleep(1.0)
        assert backends(pg, s.app) <= 2
        t0 = time.monotonic()
        st = s.client.get_json("/api/status")
        assert time.monotonic() - t0 < 1.0
        assert st["database"]["connected"] is True
        # pages still have their connection
        for i in range(5):
            p = s.client.rows("big", {"page_size": "10", "page": str(i + 1)})
            assert len(p["rows"]) == 10
        r = s.client.get("/")
        assert r.status == 200
    finally:
        for so in socks:
            so.close()
    # every abandoned export (the running one and those in line) lets go at once
    deadline = time.monotonic() + 1.0 * (3 if "asan" in s.srv.command()[0] else 1)
    while backends(pg, s.app, active_only=True) > 0:
        assert time.monotonic() < deadline, "a query outlived its export's client"
        time.sleep(0.05)
    assert s.client.rows("big", {"page_size": "1"})["rows"][0]["id"] == 1


def test_an_export_burst_is_served_in_turn(server):
    s = server("max_connections = 2")
    n = 8
    out = [None] * n

    def one(i):
        c = http.client.HTTPConnection(s.srv.host, s.srv.port, timeout=120)
        c.request("GET", "/api/export/big/csv?filter.id=%3C%3D20000")
        r = c.getresponse()
        out[i] = (r.status, r.read().count(b"\n"))
        c.close()

    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert out == [(200, 20001)] * n  # header + 20,000 rows each, none refused


def test_a_page_that_cannot_get_a_connection_soon_is_a_503_naming_the_pool(server):
    # One connection, held by an export whose client reads nothing. A page
    # waits for it at most its budget: the statement timeout (1.5 s) here,
    # below the 5 s default.
    s = server("max_connections = 1\nstatement_timeout_ms = 1500")
    sock = hold_export(s)
    try:
        time.sleep(0.5)
        t0 = time.monotonic()
        r = s.client.get("/api/tables/sales.items/rows", timeout=60)
        waited = time.monotonic() - t0
    finally:
        sock.close()
    assert r.status == 503, r
    assert r.json()["error"] == (
        "All 1 database connections stayed busy for 1500 ms (database.max_connections = 1); "
        "try again in a moment, or raise database.max_connections")
    assert r.headers.get("retry-after") == "1"
    assert 1.4 <= waited < 10, waited
    # the export's client left: the connection is back
    deadline = time.monotonic() + 5
    while True:
        r = s.client.get("/api/tables/sales.items/rows")
        if r.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert r.status == 200, r
