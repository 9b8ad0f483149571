"""A table dropped while SeeKi runs is 'gone' (404 with advice), not a server
fault (500), for rows and export; other tables keep working. Uses its own
SQLite file; the PostgreSQL mapping (SQLSTATE 42P01) is unit-tested in
tests/unit/db/test_msg.c."""
import sqlite3

from harness import SeekiServer, running


def test_dropped_table_is_404_and_the_rest_keeps_working(tmp):
    db = tmp.path / "g.db"
    con = sqlite3.connect(db)
    con.executescript("create table gone(id integer primary key, x text);"
                      "insert into gone values (1, 'x');"
                      "create table stays(id integer primary key, y text);"
                      "insert into stays values (7, 'y');")
    con.commit()
    cfg = tmp.path / "seeki.toml"
    cfg.write_text('[database]\nkind = "sqlite"\nurl = "sqlite://%s"\n' % db)
    srv = SeekiServer(["--config", str(cfg), "--port", "0"], tmp.env, tmp.path)
    with running(srv):
        c = srv.client()
        assert c.get_json("/api/tables/gone/rows")["rows"] == [{"id": 1, "x": "x"}]
        con.execute("drop table gone")
        con.commit()
        con.close()
        for path in ("/api/tables/gone/rows", "/api/export/gone/csv"):
            body = c.get_json(path, status=404)
            assert body["error"].startswith("Table 'gone' not found"), body
            assert "restart SeeKi" in body["error"], body
        assert c.get_json("/api/tables/stays/rows")["rows"] == [{"id": 7, "y": "y"}]
    assert "Internal server error" not in srv.log()
