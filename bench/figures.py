#!/usr/bin/env python3
"""The figures of issue #15, each beside an anchor measured in the same run.

On a generated PostgreSQL 15 table (1,000,000 rows of mixed types with NULLs,
quotes and unicode; VACUUM ANALYZEd; the sort column k indexed as (k, id)),
served by a throwaway server (tests/harness/pgserver.py) and, for figure 4,
through a real OpenSSH sshd on loopback (tests/harness/netns.py, loopback
mode: its own host key, config and login user, stopped by PID):

  1  50-row page 1 sorted by k: p50/p99 at c=1, req/s at c=5 and c=50 (wrk)
     vs pgbench running the page SQL SeeKi issues (captured from
     SEEKI_LOG=db=trace) at the same concurrency, simple and -M prepared
  2  numbered jump to page DEPTH vs PostgreSQL's own OFFSET and the
     index-only boundary query; cursor next at that depth; page=last
  3  CSV export of every row (rows/s) vs psql \\copy and bench/pgcsv_probe
     (libpq single-row mode, CSV written in C: the limit)
  4  through SeeKi's own tunnel vs psql/pgbench through `ssh -N -L`, one sshd
     per cipher (sshd_config Ciphers forces it on both clients); startup to
     listening vs `ssh -N -L` to forward-ready
  5  page 1 p99 and /api/status p99 while 4 large exports run
  6  peak RSS (VmHWM) of seeki during the export and at c=50, idle VmRSS,
     vs psql's VmHWM during \\copy

Every figure prints the median of several runs, the ratio SeeKi / anchor and
the target of issue #15 with whether it is met. SEEKI_BENCH_QUICK=1 runs a
smoke version (100,000 rows, short runs). Writes the table to
build/bench/results.md and the latency-vs-concurrency plot to
docs/benchmarks-latency.png (gnuplot). Needs root for figure 4 (the sshd
login user); without root, figure 4 is reported as not measured.
Run by `make bench` (SEEKI_BIN and PGCSV_PROBE pick the binaries)."""
import glob
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "harness"))
import netns  # noqa: E402
from pgserver import PG_BIN, SUPERPASS, SUPERUSER, PgServer, free_port  # noqa: E402

QUICK = os.environ.get("SEEKI_BENCH_QUICK") == "1"
ROWS = 100_000 if QUICK else 1_000_000
PS = 50
DEPTH = ROWS * 9 // 10 // PS      # page 18,000 of 1M rows: 90% deep
REPS = 1 if QUICK else 5          # runs per throughput/export figure (median printed)
N = 3 if QUICK else 7             # requests per slow latency figure (median printed)
DUR = 2 if QUICK else 5           # seconds per wrk/pgbench run
CONC = (1, 5, 50)
CIPHERS = ("chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com")
TABLE = "bench_rows"
BIN = os.environ.get("SEEKI_BIN", str(ROOT / "build" / "seeki"))
PROBE = os.environ.get("PGCSV_PROBE", str(ROOT / "build" / "pgcsv_probe"))
OUT = Path(os.environ.get("SEEKI_BENCH_OUT", str(ROOT / "build" / "bench")))
PLOT = Path(os.environ.get("SEEKI_BENCH_PLOT", str(ROOT / "docs" / "benchmarks-latency.png")))
PSQL, PGBENCH = PG_BIN + "/psql", PG_BIN + "/pgbench"
PAGE1 = "/api/tables/%s/rows?sort=k:asc&page_size=%d" % (TABLE, PS)
EXPORT = "/api/export/%s/csv?sort=k:asc" % TABLE

NAME = ("CASE WHEN i % 13 = 0 THEN NULL WHEN i % 5 = 0 THEN 'O''Brien \"q\", ' || i "
        "WHEN i % 3 = 0 THEN 'Zürich ☃ 日本語 ' || i WHEN i % 17 = 0 THEN '' "
        "ELSE 'name ' || i END")


def log(msg):
    print("bench: " + msg, flush=True)


# ---- the data ----------------------------------------------------------------

def build_table(pg):
    pg.psql("CREATE DATABASE bench;")
    # synchronous commit on: VACUUM can then mark every page all-visible
    # (index-only scans without heap fetches; see bench/cursor.py)
    pg.psql("SET synchronous_commit = on;\n"
            "CREATE TABLE %s (id bigint PRIMARY KEY, k integer NOT NULL, name text, "
            "amount numeric(12,2), ratio double precision, active boolean, "
            "created timestamptz, day date, uid uuid, doc jsonb, note varchar(80));\n"
            "INSERT INTO %s SELECT i, (i * 104729) %% 99991, %s,\n"
            " CASE WHEN i %% 7 = 0 THEN NULL ELSE (i %% 100000) / 100.0 END, i / 3.0,\n"
            " CASE WHEN i %% 5 = 0 THEN NULL ELSE i %% 2 = 0 END,\n"
            " timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute',\n"
            " date '2020-01-01' + (i %% 3000)::int, md5(i::text)::uuid,\n"
            " jsonb_build_object('n', i, 's', 'x\"y', 'u', 'é'),\n"
            " CASE WHEN i %% 4 = 0 THEN NULL ELSE E'line one\\nline, \"two\"' END\n"
            "FROM generate_series(1::bigint, %d) i;\n"
            "CREATE INDEX %s_k ON %s (k, id);\n" % (TABLE, TABLE, NAME, ROWS, TABLE, TABLE),
            db="bench")
    pg.psql("VACUUM ANALYZE %s;" % TABLE, db="bench")
    vm = pg.psql("SELECT relpages, relallvisible FROM pg_class WHERE relname = '%s';" % TABLE,
                 db="bench").strip().split("|")
    if vm[0] != vm[1]:
        log("warning: VACUUM left pages not all-visible (%s of %s)" % (vm[1], vm[0]))
    return pg.psql("SELECT pg_size_pretty(pg_total_relation_size('%s'));" % TABLE,
                   db="bench").strip()


# ---- processes ---------------------------------------------------------------

class Procs:
    """Every process the bench starts, stopped by PID at the end."""

    def __init__(self):
        self.live = []

    def add(self, p):
        self.live.append(p)
        return p

    def stop(self, p, timeout=10):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if p in self.live:
            self.live.remove(p)

    def stop_all(self):
        for p in list(self.live):
            self.stop(p, 5)


PROCS = Procs()


class Seeki:
    """seeki --config cfg on a free port, stderr in a file (a trace log never
    blocks on a full pipe). startup = spawn to the "listening on" line."""

    def __init__(self, cfg, logpath, level="info", home=None):
        self.logpath = logpath
        env = dict(os.environ, SEEKI_LOG=level)
        if home:
            env["HOME"] = home
        logf = open(logpath, "w")
        t0 = time.perf_counter()
        self.proc = PROCS.add(subprocess.Popen([BIN, "--config", cfg, "--port", "0"],
                                               stderr=logf, stdout=subprocess.DEVNULL, env=env))
        logf.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            m = re.search(r"listening on http://[^\s:]+:(\d+)", Path(logpath).read_text())
            if m:
                self.startup = time.perf_counter() - t0
                self.port = int(m.group(1))
                self.base = "http://127.0.0.1:%d" % self.port
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.002)
        PROCS.stop(self.proc)
        raise RuntimeError("seeki did not start:\n" + Path(logpath).read_text()[-3000:])

    def stop(self):
        PROCS.stop(self.proc)

    def mark(self):
        return len(Path(self.logpath).read_text())

    def traced(self, mark):
        text = Path(self.logpath).read_text()[mark:]
        return [m.group(1).strip() for m in re.finditer(r"TRACE db: postgres: (.*)", text)]


def get(port, path):
    """One GET on a fresh connection: (seconds, status, body)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    t0 = time.perf_counter()
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    dt = time.perf_counter() - t0
    c.close()
    return dt, r.status, body


def timed(port, path, n):
    get(port, path)  # warm: pool, plan, cache
    return [get(port, path)[0] for _ in range(n)]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))]


def med(xs):
    return statistics.median(xs)


def rss(pid):
    out = {}
    for line in Path("/proc/%d/status" % pid).read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmHWM", "VmRSS"):
            out[k] = int(v.split()[0]) / 1024.0  # MiB
    return out


def reset_hwm(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0); False when refused."""
    try:
        Path("/proc/%d/clear_refs" % pid).write_text("5")
        return True
    except OSError:
        return False


# ---- load generators ---------------------------------------------------------

UNIT = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(base, path, c, dur=DUR):
    """wrk -c c: {'rps', 'p50', 'p99' (ms), 'errors'}."""
    r = subprocess.run(["wrk", "-t", str(min(c, 2)), "-c", str(c), "-d", "%ds" % dur,
                        "--timeout", "60s", "--latency", base + path],
                       capture_output=True, text=True, timeout=dur + 120)
    out = r.stdout
    res = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "errors": 0}
    for p in ("50", "99"):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s|m)\s*$" % p, out, re.M)
        res["p" + p] = float(m.group(1)) * UNIT[m.group(2)] if m else float("nan")
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    e = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["errors"] = (int(m.group(1)) if m else 0) + (sum(map(int, e.groups())) if e else 0)
    if res["errors"]:
        log("warning: wrk -c %d %s: %d errors/non-2xx" % (c, path, res["errors"]))
    return res


def medians(runs):
    """The per-key median of a list of result dicts (numeric keys only)."""
    return {k: med([r[k] for r in runs]) for k in runs[0] if k != "lat"}


def wrk_med(base, path, c, reps=REPS, dur=DUR):
    return medians([wrk(base, path, c, dur) for _ in range(reps)])


class Db:
    """Where the anchors connect: PostgreSQL directly or a forwarded port."""

    def __init__(self, port, host="127.0.0.1", db="bench"):
        self.host, self.port, self.db = host, port, db

    def env(self):
        return dict(os.environ, PGPASSWORD=SUPERPASS, PGSSLMODE="disable")

    def conninfo(self):
        return "host=%s port=%d dbname=%s user=%s password=%s sslmode=disable" % (
            self.host, self.port, self.db, SUPERUSER, SUPERPASS)


def pgbench(db, script, c, dur=DUR, prepared=False, tx=None):
    """pgbench -n -f script -c c -j c: {'tps', 'p50', 'p99' (ms)} from its
    per-transaction log."""
    d = tempfile.mkdtemp(prefix="seeki-pgb-")
    try:
        f = os.path.join(d, "script.sql")
        Path(f).write_text(script)
        argv = [PGBENCH, "-n", "-f", f, "-c", str(c), "-j", str(c), "-h", db.host,
                "-p", str(db.port), "-U", SUPERUSER, "-l", "--log-prefix", d + "/log"]
        argv += ["-t", str(tx)] if tx else ["-T", str(dur)]
        if prepared:
            argv += ["-M", "prepared"]
        argv.append(db.db)
        r = subprocess.run(argv, capture_output=True, text=True, env=db.env(),
                           timeout=(dur if not tx else 600) + 120)
        if r.returncode != 0:
            raise RuntimeError("pgbench failed: %s\n%s" % (r.stderr[-2000:], script[:500]))
        lat = []
        for lf in glob.glob(d + "/log.*"):
            for line in Path(lf).read_text().splitlines():
                parts = line.split()
                if len(parts) >= 3:
                    lat.append(int(parts[2]) / 1000.0)
        tps = float(re.search(r"tps = ([\d.]+)", r.stdout).group(1))
        return {"tps": tps, "p50": pct(lat, 50), "p99": pct(lat, 99), "lat": lat}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def pgbench_med(db, script, c, prepared=False, reps=REPS, dur=DUR):
    return medians([pgbench(db, script, c, dur, prepared) for _ in range(reps)])


def bind(sql, values):
    """sql with $n replaced by untyped literals, the way SeeKi binds them."""
    def lit(m):
        return "'%s'" % str(values[int(m.group(1)) - 1]).replace("'", "''")
    return re.sub(r"\$(\d+)", lit, sql) + ";\n"


def export_seeki(port):
    """Seconds for the whole CSV export through curl to /dev/null; checks size."""
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} "
                        "%{time_total}", "http://127.0.0.1:%d%s" % (port, EXPORT)],
                       capture_output=True, text=True, timeout=600)
    code, size, secs = r.stdout.split()
    if code != "200":
        raise RuntimeError("export answered %s" % code)
    return float(secs), int(size)


def run_sampled(argv, env):
    """Runs argv with stdout to /dev/null, polling its VmHWM: (seconds, MiB)."""
    t0 = time.perf_counter()
    p = PROCS.add(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   env=env))
    hwm = 0.0
    while p.poll() is None:
        try:
            hwm = max(hwm, rss(p.pid).get("VmHWM", 0.0))
        except (OSError, ValueError):
            pass
        time.sleep(0.01)
    dt = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    PROCS.stop(p)
    if p.returncode != 0:
        raise RuntimeError("%s failed: %s" % (argv[0], err[-2000:]))
    return dt, hwm


def export_psql(db, sql):
    return run_sampled([PSQL, "-X", "-q", "-h", db.host, "-p", str(db.port), "-U", SUPERUSER,
                        "-d", db.db, "-c", "\\copy (%s) TO STDOUT WITH CSV HEADER" % sql],
                       db.env())


def export_probe(db, sql):
    return run_sampled([PROBE, db.conninfo(), sql], db.env())


# ---- results -------------------------------------------------------------------

class Table:
    def __init__(self):
        self.rows = []

    def add(self, fig, what, seeki, anchor, anchor_what, ratio=None, target="", met=None):
        self.rows.append((fig, what, seeki, anchor, anchor_what, ratio, target, met))
        r = "" if ratio is None else " ratio %.2f" % ratio
        t = "" if not target else " target %s: %s" % (
            target, {True: "met", False: "MISSED", None: "-"}[met])
        log("[%s] %s: SeeKi %s | %s %s%s%s" % (fig, what, seeki, anchor_what, anchor, r, t))

    def markdown(self):
        out = ["| # | figure | SeeKi | anchor (same run) | ratio | target | met |",
               "|---|---|---|---|---|---|---|"]
        for fig, what, seeki, anchor, anchor_what, ratio, target, met in self.rows:
            out.append("| %s | %s | %s | %s %s | %s | %s | %s |" % (
                fig, what, seeki, anchor_what, anchor,
                "" if ratio is None else ("%.2f" % ratio if ratio >= 0.1 else "%.2g" % ratio), target,
                {True: "yes", False: "**no**", None: ""}[met]))
        return "\n".join(out)


T = Table()
PLOTDATA = {}


def ms(x):
    return "%.2f ms" % x if x < 100 else "%.0f ms" % x


# ---- figures -------------------------------------------------------------------

def capture(sk, path):
    mark = sk.mark()
    get(sk.port, path)
    time.sleep(0.05)
    return sk.traced(mark)


def page_sql(stmts):
    return [s for s in stmts if s.startswith('SELECT "id"')][0]


def fig1(sk, db, sql):
    page = bind(page_sql(sql["page1"]), [PS, 0])
    # every statement a page sends: the table facts (estimate + change token),
    # then the page; the count runs once per view in the background
    facts = [s for s in sql["page1"] if "pg_class" in s]
    every = "".join(bind(s, ["public", "bench_rows"]) for s in facts) + page
    count = [s for s in sql["page1"] if "COUNT(" in s]
    for c in CONC:
        # interleaved runs: a burst of load on this shared machine hits all three
        runs = [(wrk(sk.base, PAGE1, c), pgbench(db, page, c), pgbench(db, page, c,
                                                                        prepared=True))
                for _ in range(REPS)]
        s, a, p = (medians([r[i] for r in runs]) for i in range(3))
        PLOTDATA[c] = (s["p50"], s["p99"], a["p50"], a["p99"], p["p50"])
        if c == 1:
            T.add(1, "page 1 p50, c=1", ms(s["p50"]), ms(a["p50"]), "pgbench p50",
                  s["p50"] / a["p50"], "≤ anchor + 1 ms", s["p50"] <= a["p50"] + 1)
            T.add(1, "page 1 p99, c=1", ms(s["p99"]), ms(a["p99"]), "pgbench p99",
                  s["p99"] / a["p99"])
            T.add(1, "page 1 p50, c=1 (prepared anchor)", ms(s["p50"]), ms(p["p50"]),
                  "pgbench -M prepared p50", s["p50"] / p["p50"])
        T.add(1, "page 1 req/s, c=%d" % c, "%.1f req/s" % s["rps"], "%.0f tps" % a["tps"],
              "pgbench", s["rps"] / a["tps"], "≥ 0.8" if c > 1 else "",
              s["rps"] >= 0.8 * a["tps"] if c > 1 else None)
        T.add(1, "page 1 req/s, c=%d (prepared anchor)" % c, "%.1f req/s" % s["rps"],
              "%.0f tps" % p["tps"], "pgbench -M prepared", s["rps"] / p["tps"])
        if c > 1:
            T.add(1, "page 1 p50 / p99, c=%d" % c, "%s / %s" % (ms(s["p50"]), ms(s["p99"])),
                  "%s / %s" % (ms(a["p50"]), ms(a["p99"])), "pgbench", s["p99"] / a["p99"])
    # what SeeKi pays on every page today: all its statements, and the count alone
    w = pgbench_med(db, every, 1)
    T.add(1, "page 1 p50, c=1, vs every statement SeeKi sends for a page (table facts, "
          "page)", ms(PLOTDATA[1][0]), ms(w["p50"]), "pgbench p50",
          PLOTDATA[1][0] / w["p50"])
    if count:
        k = pgbench_med(db, count[0] + ";\n", 1)
        T.add(1, "COUNT(*) of the table (once per view, in the background)", "", ms(k["p50"]),
              "pgbench p50")


def fig2(sk, db, sql, page1_p50):
    jump = "%s&page=%d" % (PAGE1, DEPTH)
    stmts = sql["jump"]
    boundary = [s for s in stmts if s.startswith('SELECT "k", "id"')]
    seek = [s for s in stmts if s.startswith('SELECT "id"') and "WHERE" in s]
    js = [t * 1000 for t in timed(sk.port, jump, N)]
    offset = bind(page_sql(sql["page1"]), [PS, (DEPTH - 1) * PS])
    off = pgbench(db, offset, 1, tx=N)["lat"]
    anchors = [("OFFSET", med(off))]
    if boundary:
        b = pgbench(db, bind(boundary[0], [1, (DEPTH - 1) * PS - 1]), 1, tx=N)["lat"]
        anchors.append(("index-only boundary", med(b)))
    best = min(anchors, key=lambda a: a[1])
    T.add(2, "numbered jump page=%d p50 (anchors: pgbench p50)" % DEPTH, ms(med(js)), ms(best[1]),
          "min(%s) =" % ", ".join("%s %s" % (n, ms(v)) for n, v in anchors),
          med(js) / best[1], "≤ 1.1", med(js) <= 1.1 * best[1])
    # a jump when a page within 10 pages was just served (SeeKi may reuse it)
    near = []
    for _ in range(N):
        get(sk.port, "%s&page=%d" % (PAGE1, DEPTH - 10))
        near.append(get(sk.port, jump)[0] * 1000)
    T.add(2, "numbered jump page=%d p50 right after page %d" % (DEPTH, DEPTH - 10),
          ms(med(near)), ms(page1_p50), "page 1 p50", med(near) / page1_p50, "≤ 1.2",
          med(near) <= 1.2 * page1_p50)
    _, _, body = get(sk.port, jump)
    import json
    cur = json.loads(body)["next_cursor"]
    cs = [t * 1000 for t in timed(sk.port, "%s&cursor=%s" % (PAGE1, cur), N)]
    T.add(2, "cursor next at depth %d p50" % DEPTH, ms(med(cs)), ms(page1_p50), "page 1 p50",
          med(cs) / page1_p50, "≤ 1.2", med(cs) <= 1.2 * page1_p50)
    if seek:
        last = json.loads(body)["rows"][-1]
        sl = pgbench(db, bind(seek[0], [last["k"], last["id"], PS, 0]), 1, tx=N)["lat"]
        T.add(2, "cursor next at depth %d p50 vs its keyset seek" % DEPTH, ms(med(cs)),
              ms(med(sl)), "pgbench seek p50", med(cs) / med(sl))
    ls = [t * 1000 for t in timed(sk.port, PAGE1 + "&page=last", N)]
    T.add(2, "page=last p50", ms(med(ls)), ms(page1_p50), "page 1 p50", med(ls) / page1_p50,
          "≤ 1.2", med(ls) <= 1.2 * page1_p50)


def fig3(sk, db, sql):
    exp = sql["export"][0]
    sk_t, hwm, ps, pr = [], [], [], []
    for _ in range(REPS):  # interleaved, as in figure 1
        reset_hwm(sk.proc.pid)
        secs, size = export_seeki(sk.port)
        sk_t.append(secs)
        hwm.append(rss(sk.proc.pid)["VmHWM"])
        ps.append(export_psql(db, exp))
        pr.append(export_probe(db, exp))
    s, p, q = ROWS / med(sk_t), ROWS / med([x[0] for x in ps]), ROWS / med([x[0] for x in pr])
    T.add(3, "CSV export of %d rows (%.0f MB of CSV)" % (ROWS, size / 1e6), "%.0fk rows/s" %
          (s / 1000), "%.0fk rows/s" % (p / 1000), "psql \\copy", s / p, "≥ 1.1", s >= 1.1 * p)
    T.add(3, "CSV export of %d rows" % ROWS, "%.0fk rows/s" % (s / 1000), "%.0fk rows/s" %
          (q / 1000), "libpq single-row probe (C)", s / q, "≥ 0.9", s >= 0.9 * q)
    return med(hwm), med([x[1] for x in ps])


def fig5(sk):
    unl = wrk_med(sk.base, PAGE1, 1)
    st_unl = wrk_med(sk.base, "/api/status", 1)
    stop = threading.Event()
    done = [0]

    def exporter():
        while not stop.is_set():
            p = PROCS.add(subprocess.Popen(["curl", "-s", "-o", "/dev/null",
                                            "http://127.0.0.1:%d%s" % (sk.port, EXPORT)]))
            while p.poll() is None and not stop.is_set():
                time.sleep(0.05)
            PROCS.stop(p)
            done[0] += 1

    threads = [threading.Thread(target=exporter) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)  # the exports are streaming
        ld = wrk_med(sk.base, PAGE1, 1)
        st = wrk_med(sk.base, "/api/status", 1)
    finally:
        stop.set()
        for t in threads:
            t.join()
    T.add(5, "page 1 p99 with 4 exports running", ms(ld["p99"]), ms(unl["p99"]),
          "unloaded p99", ld["p99"] / unl["p99"], "≤ 2", ld["p99"] <= 2 * unl["p99"])
    T.add(5, "/api/status p99 with 4 exports running", ms(st["p99"]), ms(st_unl["p99"]),
          "unloaded p99", st["p99"] / st_unl["p99"], "< 50 ms", st["p99"] < 50)
    return unl


def fig6(sk, idle, export_hwm, psql_hwm):
    reset_hwm(sk.proc.pid)
    wrk(sk.base, PAGE1, 50)
    c50 = rss(sk.proc.pid)["VmHWM"]
    T.add(6, "peak RSS during the export", "%.1f MB" % export_hwm, "%.1f MB" % psql_hwm,
          "psql \\copy VmHWM", export_hwm / psql_hwm, "< 30 MB", export_hwm < 30)
    T.add(6, "peak RSS at c=50", "%.1f MB" % c50, "%.1f MB" % psql_hwm, "psql \\copy VmHWM",
          c50 / psql_hwm, "< 30 MB", c50 < 30)
    T.add(6, "idle RSS", "%.1f MB" % idle, "%.1f MB" % psql_hwm, "psql \\copy VmHWM",
          idle / psql_hwm, "< 12 MB", idle < 12)


# ---- figure 4: the tunnel --------------------------------------------------------

class Tunnel:
    """The loopback bastion (real sshd, own host key and login user) and a
    laptop $HOME with an authorized key."""

    def __init__(self, pg):
        self.pg = pg
        self.lab = netns.Lab(loopback=True, sshd_port=free_port())
        self.home = tempfile.mkdtemp(prefix="seeki-bench-laptop-")
        os.chmod(self.home, 0o700)
        self.lab.create_user()
        self.key = os.path.join(self.home, "id_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.key],
                       check=True)
        self.lab.authorize(self.key + ".pub")
        self.cfg = os.path.join(self.home, "seeki.toml")
        Path(self.cfg).write_text(
            '[database]\nkind = "postgres"\nurl = "%s"\n\n[ssh]\nhost = "127.0.0.1"\n'
            'port = %d\nusername = "%s"\nauth_method = "key"\nkey_path = "%s"\n'
            'known_hosts_file = "%s/known_hosts"\n'
            % (pg.url(db="bench", host="127.0.0.1"), self.lab.sshd_port, self.lab.user,
               self.key, self.home))

    def cipher(self, c):
        self.lab.stop_sshd()
        self.lab.start_sshd(extra="Ciphers %s" % c)

    def ssh_forward(self, cipher):
        """ssh -N -L: (process, local port, seconds to forward-ready, i.e. until a
        connect to the local port succeeds: ssh binds it after authentication)."""
        lport = free_port()
        t0 = time.perf_counter()
        p = PROCS.add(subprocess.Popen(
            ["ssh", "-N", "-F", "/dev/null", "-c", cipher, "-i", self.key, "-p",
             str(self.lab.sshd_port), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
             "-o", "StrictHostKeyChecking=accept-new", "-o",
             "UserKnownHostsFile=%s/known_hosts_openssh" % self.home, "-o",
             "ExitOnForwardFailure=yes", "-L", "127.0.0.1:%d:127.0.0.1:%d" % (lport,
                                                                           self.pg.port),
             "%s@127.0.0.1" % self.lab.user],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ,
                                                                          HOME=self.home)))
        import socket
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", lport), timeout=1).close()
                return p, lport, time.perf_counter() - t0
            except OSError:
                if p.poll() is not None:
                    break
                time.sleep(0.002)
        err = p.stderr.read().decode(errors="replace") if p.poll() is not None else ""
        PROCS.stop(p)
        raise RuntimeError("ssh -N -L did not become ready: " + err[-2000:])

    def cleanup(self):
        self.lab.cleanup()
        shutil.rmtree(self.home, ignore_errors=True)


def fig4(pg, tmp, sql, direct_p99, direct_start):
    if os.geteuid() != 0:
        T.add(4, "through the tunnel", "not measured", "", "(needs root: sshd login user)")
        return
    tun = Tunnel(pg)
    try:
        page = bind(page_sql(sql["page1"]), [PS, 0])
        exp = sql["export"][0]
        for cipher in CIPHERS:
            tun.cipher(cipher)
            starts = []
            for i in range(REPS):
                sk = Seeki(tun.cfg, os.path.join(tmp, "seeki-tunnel.log"), home=tun.home)
                starts.append(sk.startup * 1000)
                if i < REPS - 1:
                    sk.stop()
            fw, p = [], None
            try:
                for i in range(REPS):
                    p, lport, ready = tun.ssh_forward(cipher)
                    fw.append(ready * 1000)
                    if i < REPS - 1:
                        PROCS.stop(p)
                fdb = Db(lport)
                get(sk.port, PAGE1)
                et, pt, pgs, pbs = [], [], [], []
                for _ in range(REPS):  # interleaved, as in figure 1
                    et.append(export_seeki(sk.port)[0])
                    pt.append(export_psql(fdb, exp)[0])
                    pgs.append(wrk(sk.base, PAGE1, 1))
                    pbs.append(pgbench(fdb, page, 1))
                et, pt, pg_, pb = med(et), med(pt), medians(pgs), medians(pbs)
            finally:
                sk.stop()
                if p:
                    PROCS.stop(p)
            short = cipher.split("@")[0]
            s, a = ROWS / et, ROWS / pt
            T.add(4, "export through the tunnel (%s)" % short, "%.0fk rows/s" % (s / 1000),
                  "%.0fk rows/s" % (a / 1000), "psql via ssh -N -L", s / a, "≥ 1.0", s >= a)
            T.add(4, "50-row page through the tunnel p50 (%s)" % short, ms(pg_["p50"]),
                  ms(pb["p50"]), "pgbench via ssh -N -L p50", pg_["p50"] / pb["p50"])
            T.add(4, "50-row page through the tunnel p99 (%s)" % short, ms(pg_["p99"]),
                  ms(pb["p99"]), "pgbench via ssh -N -L p99", pg_["p99"] / pb["p99"],
                  "< anchor", pg_["p99"] < pb["p99"])
            T.add(4, "50-row page through the tunnel p99 vs direct (%s)" % short,
                  ms(pg_["p99"]), ms(direct_p99), "SeeKi direct p99", pg_["p99"] / direct_p99,
                  "≤ 1.5", pg_["p99"] <= 1.5 * direct_p99)
            T.add(4, "start to listening, with tunnel (%s)" % short, ms(med(starts)),
                  ms(med(fw)), "ssh -N -L to forward-ready", med(starts) / med(fw))
        T.add(4, "start to listening, no tunnel", ms(direct_start), "", "")
    finally:
        tun.cleanup()


# ---- main ----------------------------------------------------------------------

def plot():
    if not PLOTDATA or not shutil.which("gnuplot"):
        return
    dat = OUT / "latency.dat"
    dat.write_text("# c seeki_p50 seeki_p99 pgbench_p50 pgbench_p99 pgbench_prepared_p50 (ms)\n"
                   + "".join("%d %g %g %g %g %g\n" % ((c,) + PLOTDATA[c]) for c in sorted(PLOTDATA)))
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    script = """set terminal pngcairo size 900,560 font ",10"
set output '{png}'
set title "50-row page 1 of {rows} rows (sorted by an indexed column): latency vs concurrency"
set xlabel "concurrent clients"
set ylabel "latency (ms, log scale)"
set logscale xy
set xtics (1, 5, 50)
set grid
set key top left
plot '{dat}' u 1:2 w lp lw 2 pt 7 t 'SeeKi p50 (wrk)', \\
     '{dat}' u 1:3 w lp lw 2 pt 5 t 'SeeKi p99 (wrk)', \\
     '{dat}' u 1:4 w lp lw 2 pt 7 dt 2 t 'pgbench p50, same SQL', \\
     '{dat}' u 1:5 w lp lw 2 pt 5 dt 2 t 'pgbench p99, same SQL', \\
     '{dat}' u 1:6 w lp lw 1 pt 1 dt 3 t 'pgbench -M prepared p50'
""".format(png=PLOT, dat=dat, rows="{:,}".format(ROWS))
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    log("plot: %s" % PLOT)


def machine():
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    mem = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    pgv = subprocess.run([PG_BIN + "/postgres", "--version"], capture_output=True,
                         text=True).stdout.strip()
    sshv = subprocess.run(["ssh", "-V"], capture_output=True, text=True).stderr.strip()
    return ("%s; nproc %d; %s; RAM %.1f GiB; load avg %.1f; %s; %s; wrk %s" % (
        time.strftime("%Y-%m-%d %H:%M %Z"), os.cpu_count(), cpu.group(1) if cpu else "?",
        int(mem.group(1)) / 1048576.0 if mem else 0, os.getloadavg()[0], pgv, sshv,
        subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]))


def main():
    t_all = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="seeki-bench-")
    host = machine()
    log("machine: " + host)
    pg = None
    failed = []
    try:
        t0 = time.monotonic()
        pg = PgServer().start()
        size = build_table(pg)
        log("table %s: %d rows, %s, built in %.1f s (%s)" % (
            TABLE, ROWS, size, time.monotonic() - t0, "quick" if QUICK else "full"))
        db = Db(pg.port)
        cfg = os.path.join(tmp, "seeki.toml")
        Path(cfg).write_text('[database]\nkind = "postgres"\nurl = "%s"\n'
                             % pg.url(db="bench", host="127.0.0.1"))
        # the SQL SeeKi issues, from its trace log
        sk = Seeki(cfg, os.path.join(tmp, "trace.log"), "info,db=trace", home=tmp)
        try:
            sql = {"page1": capture(sk, PAGE1),
                   "jump": capture(sk, "%s&page=%d" % (PAGE1, DEPTH)),
                   "export": [s for s in capture(sk, EXPORT) if s.startswith("SELECT")]}
        finally:
            sk.stop()
        for k, v in sql.items():
            log("SeeKi's SQL for %s:\n    %s" % (k, "\n    ".join(v)))
        starts = []
        for _ in range(REPS):
            sk = Seeki(cfg, os.path.join(tmp, "seeki.log"), home=tmp)
            starts.append(sk.startup * 1000)
            sk.stop()
        sk = Seeki(cfg, os.path.join(tmp, "seeki.log"), home=tmp)
        get(sk.port, PAGE1)
        time.sleep(1)
        idle = rss(sk.proc.pid)["VmRSS"]
        export_hwm = psql_hwm = None
        for name, fn in (("1", lambda: fig1(sk, db, sql)),
                         ("2", lambda: fig2(sk, db, sql, PLOTDATA[1][0])),
                         ("3", lambda: fig3(sk, db, sql)),
                         ("5", lambda: fig5(sk)),
                         ("6", lambda: fig6(sk, idle, export_hwm, psql_hwm)),
                         ("4", lambda: fig4(pg, tmp, sql, PLOTDATA[1][1], med(starts)))):
            t0 = time.monotonic()
            try:
                if sk.proc.poll() is not None:
                    raise RuntimeError("seeki exited (status %s):\n%s" % (
                        sk.proc.returncode, Path(sk.logpath).read_text()[-2000:]))
                r = fn()
                if name == "3":
                    export_hwm, psql_hwm = r
                log("figure %s took %.0f s" % (name, time.monotonic() - t0))
            except Exception as e:  # report and go on: a partial table beats none
                failed.append(name)
                T.add(name, "figure %s" % name, "not measured", "", "error: %s" %
                      str(e).splitlines()[0][:200])
                traceback.print_exc()
        sk.stop()
        plot()
    finally:
        PROCS.stop_all()
        if pg:
            pg.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    head = ("SeeKi bench (issue #15), %s, %d rows, page_size %d, depth page %d; medians of %d "
            "runs (%d s each for wrk/pgbench), %d requests for single latencies; total %.0f s"
            % ("QUICK" if QUICK else "full", ROWS, PS, DEPTH, REPS, DUR, N,
               time.monotonic() - t_all))
    head += "\nmachine: %s" % host
    table = T.markdown()
    (OUT / "results.md").write_text(head + "\n\n" + table + "\n")
    print("\n" + head + "\n\n" + table + "\n", flush=True)
    if failed:
        sys.exit("bench: figure(s) %s could not be measured (see above)" % ", ".join(failed))


if __name__ == "__main__":
    main()
