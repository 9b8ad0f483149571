#!/usr/bin/env python3
"""Keyset paging benchmark (SPEC §5 "Deep pages"): on a 1,000,000-row SQLite
table, the median latency of a cursor page (next_cursor) and of a numbered
jump at depth 18,000 (page_size 50), each as a ratio to page 1 measured in
the same run. Both ratios should stay near 1; an OFFSET read at that depth
is printed too, as the anchor of what the seek avoids.
Run by `make bench` (SEEKI_BIN picks the binary; default build/seeki).
SEEKI_BENCH_PG=1 (PostgreSQL through tests/harness/pgserver.py) is not wired
up yet."""
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROWS = 1_000_000
DEPTH = 18_000
PS = 50
N = 30


def build(path):
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE log (id INTEGER PRIMARY KEY, k INTEGER NOT NULL, msg TEXT);")
    db.execute("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < ?) "
               "INSERT INTO log SELECT i, (i * 104729) % 99991, 'message ' || i FROM r", (ROWS,))
    db.execute("CREATE INDEX log_k ON log(k)")
    db.commit()
    db.close()


def get(base, q):
    t0 = time.perf_counter()
    with urllib.request.urlopen(base + "/api/tables/log/rows?" + q) as r:
        body = json.load(r)
    return time.perf_counter() - t0, body


def median_ms(base, q, n=N):
    return statistics.median(get(base, q)[0] for _ in range(n)) * 1000


def main():
    root = Path(__file__).resolve().parent.parent
    binary = os.environ.get("SEEKI_BIN", str(root / "build" / "seeki"))
    if os.environ.get("SEEKI_BENCH_PG") == "1":
        print("cursor bench: SEEKI_BENCH_PG=1 is not implemented yet; SQLite only")
    with tempfile.TemporaryDirectory(prefix="seeki-bench-") as d:
        db = os.path.join(d, "bench.db")
        build(db)
        cfg = os.path.join(d, "seeki.toml")
        Path(cfg).write_text('[database]\nkind = "sqlite"\nurl = "sqlite://%s"\n' % db)
        proc = subprocess.Popen([binary, "--config", cfg, "--port", "0"], stderr=subprocess.PIPE,
                                text=True, env=dict(os.environ, SEEKI_LOG="info"))
        try:
            port = None
            for line in proc.stderr:
                if "listening on http://" in line:
                    port = int(line.rsplit(":", 1)[1].strip().rstrip("/"))
                    break
            if port is None:
                sys.exit("seeki did not start")
            base = "http://127.0.0.1:%d" % port
            for view, label in (("", "primary key"), ("sort=k:desc&", "indexed column, desc")):
                first = median_ms(base, view + "page_size=%d" % PS)
                jump_q = view + "page_size=%d&page=%d" % (PS, DEPTH)
                jump = median_ms(base, jump_q)
                _, deep = get(base, jump_q)
                cur = median_ms(base, view + "page_size=%d&cursor=%s" % (PS, deep["next_cursor"]))
                print("cursor bench (sqlite, %d rows, %s): page 1 %.2f ms; cursor page at depth "
                      "%d %.2f ms (ratio %.2f); numbered jump to page %d %.2f ms (ratio %.2f)"
                      % (ROWS, label, first, DEPTH, cur, cur / first, DEPTH, jump, jump / first))
            # anchor: a sort no index serves falls back to OFFSET
            first = median_ms(base, "sort=msg:asc&page_size=%d" % PS, 5)
            off = median_ms(base, "sort=msg:asc&page_size=%d&page=%d" % (PS, DEPTH), 5)
            print("cursor bench anchor: unindexed sort, OFFSET jump to page %d %.2f ms vs page 1 "
                  "%.2f ms (ratio %.2f)" % (DEPTH, off, first, off / first))
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
