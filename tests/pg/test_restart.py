"""PostgreSQL restarting under a running SeeKi: 503 `Database unavailable`
while it is down, then recovery without restarting seeki."""
import time

from pgserver import PgServer

from conftest import Env, config


def test_restart_gives_503_then_recovers():
    pg = PgServer().start()
    try:
        pg.psql("CREATE TABLE t (id int PRIMARY KEY, v text); "
                "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 10) g;")
        env = Env(config(pg.url(), schemas=("public",), db_extra="max_connections = 2"))
        srv = env.server()
        try:
            srv.start()
            c = srv.client()
            assert c.rows("t")["total_rows"] == 10  # pooled connections now exist
            pg.stop()
            for path in ("/api/tables/t/rows", "/api/export/t/csv"):
                r = c.get(path)
                assert r.status == 503, (path, r.status, r.body[:300])
                assert r.json()["error"].startswith("Database unavailable: "), r.body
                assert "harness-superpass" not in r.text
            assert c.get_json("/api/status")["database"]["connected"] is False
            pg.start()
            deadline = time.monotonic() + 10
            while True:
                r = c.get("/api/tables/t/rows")
                if r.status == 200 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert r.status == 200, r.body
            assert r.json()["total_rows"] == 10
            assert c.get_json("/api/status")["database"]["connected"] is True
            assert srv.alive()
        finally:
            srv.stop_and_check()
            env.close()
    finally:
        pg.cleanup()
