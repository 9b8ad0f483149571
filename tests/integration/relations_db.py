"""The relations fixture (SPEC §9): a small fleet with foreign keys, the same
rows in SQLite and in PostgreSQL, and the answers computed from these rows.

    depots(id, name, garage_id -> garages)      garages: ops.garages on PostgreSQL
    vehicles(id, plate, depot_id -> depots, secret_id -> hidden_stuff)  hidden_stuff is excluded
    drivers(id, first_name, last_name)           label: first_name + last_name
    journeys(id, vehicle_id -> vehicles, driver_id -> drivers, note)
    shifts(depot_id, day, title)  primary key (depot_id, day)
    assignments(id, depot_id, day, driver_id): (depot_id, day) -> shifts, driver_id -> drivers
"""
import sqlite3

GARAGES = [(1, "Main garage"), (2, "Annex")]
DEPOTS = [(1, "North", 1), (2, "South", 2), (3, "East", None)]
VEHICLES = [(i, "V-%02d" % i, i % 3 + 1, None) for i in range(1, 11)]
DRIVERS = [(1, "Ann", "Lee"), (2, "Bo", "Chen"), (3, "Cy", "Diaz"), (4, "Di", "Evans"),
           (5, "Ed", "Fox"), (6, "Flo", "Gray"), (7, None, "Solo"), (8, None, None)]
JOURNEYS_N = 120
JOURNEYS = [(i, None if i % 11 == 0 else (i * 7) % 10 + 1, (i * 3) % 8 + 1, "trip %d" % i)
            for i in range(1, JOURNEYS_N + 1)]
SHIFTS = [(1, "2026-04-01", "Early"), (1, "2026-04-02", "Late"), (2, "2026-04-01", "Night")]
ASSIGNMENTS = [(1, 1, "2026-04-01", 1), (2, 1, "2026-04-02", 2), (3, 2, "2026-04-01", 1),
               (4, 1, "2026-04-01", 3)]
HIDDEN = [(1, "nope")]

# display.labels.vehicles = "plate" (vehicles has no column the heuristic picks)
LABEL_CONFIG = '[display.labels]\nvehicles = "plate"\n'


def vehicle_label(vid):
    return VEHICLES[vid - 1][1]


def driver_label(did):
    first, last = DRIVERS[did - 1][1:]
    parts = [p for p in (first, last) if p]
    return " ".join(parts) if parts else None


def _ddl(pg):
    garages = "ops.garages" if pg else "garages"
    pre = ["CREATE SCHEMA ops;"] if pg else []
    return pre + [
        "CREATE TABLE %s (id integer PRIMARY KEY, name text);" % garages,
        "CREATE TABLE depots (id integer PRIMARY KEY, name text, "
        "garage_id integer REFERENCES %s(id));" % garages,
        "CREATE TABLE hidden_stuff (id integer PRIMARY KEY, name text);",
        "CREATE TABLE vehicles (id integer PRIMARY KEY, plate text NOT NULL, "
        "depot_id integer REFERENCES depots(id), secret_id integer REFERENCES hidden_stuff(id));",
        "CREATE TABLE drivers (id integer PRIMARY KEY, first_name text, last_name text);",
        "CREATE TABLE journeys (id integer PRIMARY KEY, vehicle_id integer REFERENCES vehicles, "
        "driver_id integer REFERENCES drivers(id), note text);",
        "CREATE TABLE shifts (depot_id integer, day text, title text, PRIMARY KEY (depot_id, day));",
        "CREATE TABLE assignments (id integer PRIMARY KEY, depot_id integer, day text, "
        "driver_id integer REFERENCES drivers(id), "
        "FOREIGN KEY (depot_id, day) REFERENCES shifts(depot_id, day));",
    ]


def _lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'%s'" % v.replace("'", "''")


def _inserts(pg):
    garages = "ops.garages" if pg else "garages"
    data = [(garages, GARAGES), ("depots", DEPOTS), ("hidden_stuff", HIDDEN),
            ("vehicles", VEHICLES), ("drivers", DRIVERS), ("journeys", JOURNEYS),
            ("shifts", SHIFTS), ("assignments", ASSIGNMENTS)]
    return ["INSERT INTO %s VALUES %s;" % (t, ", ".join("(%s)" % ", ".join(_lit(v) for v in r)
                                                        for r in rows))
            for t, rows in data]


def build_sqlite(path):
    con = sqlite3.connect(path)
    con.executescript("\n".join(_ddl(False) + _inserts(False)))
    con.commit()
    con.close()


def build_pg_sql():
    return "\n".join(_ddl(True) + _inserts(True) + ["ANALYZE;"])


def config_text(db_path, pg_url=None, extra=LABEL_CONFIG):
    if pg_url:
        database = 'kind = "postgres"\nurl = "%s"\nschemas = ["public", "ops"]' % pg_url
    else:
        database = 'kind = "sqlite"\nurl = "sqlite://%s"' % db_path
    return ("[server]\nhost = \"127.0.0.1\"\n\n[database]\n%s\n\n[tables]\n"
            "exclude = [\"hidden_stuff\"]\n\n%s" % (database, extra))
