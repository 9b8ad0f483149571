"""A label query that runs into database.statement_timeout_ms (SPEC §9): the
referenced table is locked by another session, so the label query waits and
PostgreSQL cancels it; the page still answers, with its rows and "labels":{},
and SeeKi logs one WARN naming the timeout."""
import subprocess
import time

from conftest import Env, config
from pgserver import PG_BIN

DB = "seeki_label_timeout"


def test_label_query_timeout_drops_the_labels_not_the_page(pg):
    pg.psql("CREATE DATABASE %s;" % DB)
    pg.psql("CREATE TABLE owners (id integer PRIMARY KEY, name text);\n"
            "INSERT INTO owners VALUES (1, 'Ann'), (2, 'Bo');\n"
            "CREATE TABLE pets (id integer PRIMARY KEY, owner_id integer REFERENCES owners, "
            "name text);\n"
            "INSERT INTO pets VALUES (1, 1, 'Rex'), (2, 2, 'Tom'), (3, 1, 'Fifi');", db=DB)
    env = Env(config(pg.url(db=DB), schemas=("public",), db_extra="statement_timeout_ms = 500"))
    srv = env.server()
    holder = None
    try:
        srv.start()
        c = srv.client()
        before = c.get_json("/api/tables/pets/rows")
        assert before["labels"] == {"owner_id": {"1": "Ann", "2": "Bo"}}
        holder = subprocess.Popen(
            [PG_BIN + "/psql", "-X", "-q", "-d", pg.url(db=DB), "-c",
             "BEGIN; LOCK TABLE owners IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while "t" not in pg.psql("SELECT bool_or(granted) FROM pg_locks l JOIN pg_class c "
                                 "ON c.oid = l.relation WHERE c.relname = 'owners' AND "
                                 "l.mode = 'AccessExclusiveLock';", db=DB):
            assert time.monotonic() < deadline, "the lock was never taken"
            time.sleep(0.05)
        after = c.get_json("/api/tables/pets/rows")
        assert after["rows"] == before["rows"]
        assert after["labels"] == {}
        warns = [l for l in srv.log().splitlines() if "labels of 'pets' left out" in l]
        assert len(warns) == 1 and warns[0].startswith("WARN"), srv.log()[-3000:]
        assert "database.statement_timeout_ms" in warns[0], warns[0]
        holder.wait(15)
        holder = None
        assert c.get_json("/api/tables/pets/rows")["labels"] == before["labels"]
    except BaseException:
        srv.kill()
        raise
    finally:
        if holder is not None:
            holder.kill()
            holder.wait()
        if srv.alive():
            srv.stop_and_check()
        env.close()
