#!/usr/bin/env python3
"""What Unicode case folding costs SQLite search (issue: case-insensitive
search and filters fold only ASCII on SQLite). On the demo database's
telemetry_log table (~210,000 rows), the median over N requests of
`search=TERM` answered by SeeKi (one page of 50 plus the count, both scanning
the table through seeki_icontains over every Text column), beside the anchor
measured in the same run: sqlite3 itself running the same two statements
with its built-in, ASCII-only `LIKE '%term%'` over the same columns. The ratio
is SeeKi / anchor; it includes HTTP and JSON, so it is an upper bound on the
folding's own cost. Run by `make bench` (SEEKI_BIN picks the binary)."""
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

N = int(os.environ.get("SEEKI_BENCH_N", "15"))
ROOT = Path(__file__).resolve().parent.parent
TABLE = "telemetry_log"
TERMS = ("zzz-no-match", "ÖL", "engine")


def start(binary, env, cwd):
    p = subprocess.Popen([binary, "--demo", "--port", "0"], env=env, cwd=cwd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = p.stderr.readline()
        if "listening on http://" in line:
            return p, line.split("listening on ")[1].strip()
        if not line and p.poll() is not None:
            break
    p.kill()
    sys.exit("seeki --demo did not start")


def median_ms(fn, n=N):
    fn()  # warm
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts)


def main():
    binary = os.path.abspath(os.environ.get("SEEKI_BIN", str(ROOT / "build" / "seeki")))
    with tempfile.TemporaryDirectory(prefix="seeki-bench-fold-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        db = Path(tmp) / "demo.db"
        env = dict(os.environ, HOME=str(home), SEEKI_DEMO_DB=str(db))
        proc, base = start(binary, env, tmp)
        try:
            cols = json.load(urllib.request.urlopen(base + "/api/tables/%s/columns" % TABLE))
            text_cols = [c["name"] for c in cols["columns"] if c["display_type"] == "Text"]
            con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
            rows = con.execute("SELECT count(*) FROM %s" % TABLE).fetchone()[0]
            print("search over %d Text columns of %s (%d rows), median of %d, page_size 50"
                  % (len(text_cols), TABLE, rows, N))
            print("%-14s %12s %12s %8s" % ("term", "sqlite LIKE", "SeeKi", "ratio"))
            for term in TERMS:
                pat = "%" + term + "%"
                where = " OR ".join('"%s" LIKE ?1' % c for c in text_cols)
                page = "SELECT * FROM %s WHERE %s ORDER BY rowid LIMIT 50" % (TABLE, where)
                count = "SELECT count(*) FROM %s WHERE %s" % (TABLE, where)

                def anchor():
                    con.execute(page, (pat,)).fetchall()
                    con.execute(count, (pat,)).fetchone()

                url = base + "/api/tables/%s/rows?%s" % (
                    TABLE, urllib.parse.urlencode({"search": term, "page_size": "50"}))

                def seeki():
                    urllib.request.urlopen(url).read()

                a, s = median_ms(anchor), median_ms(seeki)
                print("%-14s %9.1f ms %9.1f ms %7.2fx" % (term, a, s, s / a))
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
