#!/usr/bin/env python3
"""Column statistics cost (SPEC §10, issue #18): on the 1,000,000-row table
of bench/cursor.py, the median latency (over N requests) of
GET /api/tables/log/stats/<column> for a number (k: count, distinct,
min/max, avg), a text column (msg: distinct, min/max, top 10) and a
nullable number with a filter, each as a ratio to the page itself
(/rows, page 1, page_size 50) measured in the same run. Past 100,000
matching rows the figures are sampled (PostgreSQL TABLESAMPLE, SQLite a
100,000-row prefix), so the cost stays bounded whatever the table size.

SQLite by default; SEEKI_BENCH_PG=1 runs the same against a throwaway
PostgreSQL 15 (tests/harness/pgserver.py). Run by `make bench`, never by
`make test`; docs/benchmarks.md has a run's figures."""
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cursor import ENGINE, PG, ROOT, ROWS, build_pg, build_sqlite, start  # noqa: E402

N = int(os.environ.get("SEEKI_BENCH_N", "15"))
QUERIES = (("rows?page_size=50", "the page (anchor)"),
           ("stats/k", "stats of k (number)"),
           ("stats/msg", "stats of msg (text, top 10)"),
           ("stats/grp?filter.grp=%3E250", "stats of grp, filter grp>250"),
           ("stats/msg?filter.id=%3C%3D50000", "stats of msg, filter id<=50000 (exact)"))


def get(base, q):
    t0 = time.perf_counter()
    with urllib.request.urlopen(base + "/api/tables/log/" + q) as r:
        body = json.load(r)
    return time.perf_counter() - t0, body


def main():
    binary = os.environ.get("SEEKI_BIN", str(ROOT / "build" / "seeki"))
    pg = None
    with tempfile.TemporaryDirectory(prefix="seeki-bench-") as d:
        try:
            if PG:
                sys.path.insert(0, str(ROOT / "tests" / "harness"))
                from pgserver import PgServer
                pg = PgServer().start()
                build_pg(pg)
                database = 'kind = "postgres"\nurl = "%s"' % pg.url(db="bench")
            else:
                db = os.path.join(d, "bench.db")
                build_sqlite(db)
                database = 'kind = "sqlite"\nurl = "sqlite://%s"' % db
            cfg = os.path.join(d, "seeki.toml")
            Path(cfg).write_text("[database]\n%s\n" % database)
            proc, base = start(binary, cfg, os.path.join(d, "seeki.log"), "info")
            try:
                times = {q: [] for q, _ in QUERIES}
                flags = {}
                for q, _ in QUERIES:  # warm: connection, plan, cache
                    _, body = get(base, q)
                    flags[q] = body.get("exact")
                for _ in range(N):  # take turns, so outside load hits all alike
                    for q, _ in QUERIES:
                        times[q].append(get(base, q)[0] * 1000)
                anchor = statistics.median(times[QUERIES[0][0]])
                for q, label in QUERIES:
                    m = statistics.median(times[q])
                    extra = "" if flags[q] is None else ", exact %s" % str(flags[q]).lower()
                    print("stats bench (%s, %d rows; median of %d): %s %.2f ms (ratio %.2f%s)"
                          % (ENGINE, ROWS, N, label, m, m / anchor, extra))
            finally:
                proc.terminate()
                proc.wait(10)
        finally:
            if pg:
                pg.cleanup()


if __name__ == "__main__":
    main()
