"""Starts the real seeki binary and talks HTTP to it (standard library only).

SeekiServer runs one process we own (stopped by its PID only), collects its
stderr, finds the port in the `SeeKi listening on http://HOST:PORT` line, and
on stop checks the exit code and that no sanitizer / assertion report appeared.
Client wraps http.client (which never normalizes paths) and raw sockets.
"""
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LISTEN_RE = re.compile(r"SeeKi listening on http://(\[[^\]]+\]|[^:/\s]+):(\d+)")
BAD_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "SEEKI_ASSERT",
               "UndefinedBehaviorSanitizer")


def seeki_bin():
    """The binary under test: $SEEKI_BIN (absolute, or relative to the current
    directory or the repository root), default build/seeki."""
    raw = os.environ.get("SEEKI_BIN", "build/seeki")
    p = Path(raw)
    if not p.is_absolute():
        p = p if p.exists() else REPO / raw
    return str(p.resolve())


BIN = seeki_bin()
# The ASan+UBSan build is ~3x slower; scale every wait.
SCALE = float(os.environ.get("SEEKI_TEST_TIMEOUT_SCALE", "3" if "asan" in BIN else "1"))


def require_bin():
    if not os.access(BIN, os.X_OK):
        raise AssertionError(
            "seeki binary not found or not executable: %s. Build it with `make` "
            "(or `make B=build/asan UNIT=1 SAN=1 build/asan/seeki`) and point SEEKI_BIN at it."
            % BIN)


def sanitizer_problems(text):
    return [m for m in BAD_MARKERS if m in text]


# Every password and passphrase a test hands to SeeKi (register_secret): no
# log line of any run may hold one, raw or percent-encoded, nor a PostgreSQL
# URL. Every server and command runs at SEEKI_LOG=debug, so this covers the
# chattiest level too.
SECRETS = set()


def register_secret(*values):
    SECRETS.update(v for v in values if v)


def leaked_secrets(text):
    from urllib.parse import quote, quote_plus
    found = [form for v in sorted(SECRETS) for form in sorted({v, quote(v, safe=""), quote_plus(v)})
             if form in text]
    found += [u for u in ("postgres://", "postgresql://") if u in text]
    return found


def base_env(home):
    """A clean environment: no SEEKI_* from the caller, HOME/XDG inside home so
    nothing outside the test's temp dir is read or written."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEEKI_")}
    env["SEEKI_LOG"] = "debug"
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(Path(home) / ".config")
    env["XDG_DATA_HOME"] = str(Path(home) / ".local" / "share")
    # Keep the caller's sanitizer options (scripts/run-tests sets them); default
    # to reporting leaks and stopping at the first UB report.
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return env


class TempDir:
    """A temp dir removed on close() even when a test failed."""

    def __init__(self, prefix="seeki-it-"):
        self.path = Path(tempfile.mkdtemp(prefix=prefix))

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_seeki(args, env, cwd, timeout=20):
    """Runs seeki to completion (for commands that must exit by themselves).
    Fails when it does not exit in time (e.g. it started serving instead) or
    when a sanitizer reported anything. Returns CompletedProcess (text)."""
    require_bin()
    try:
        cp = subprocess.run([BIN] + list(args), env=env, cwd=str(cwd), capture_output=True,
                            timeout=timeout * SCALE, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = (e.stderr or b"").decode("utf-8", "replace")
        raise AssertionError("seeki %s did not exit within %ss; stderr:\n%s"
                             % (" ".join(args), timeout * SCALE, out)) from None
    cp.stdout = cp.stdout.decode("utf-8", "replace")
    cp.stderr = cp.stderr.decode("utf-8", "replace")
    bad = sanitizer_problems(cp.stderr + cp.stdout)
    assert not bad, "seeki %s: %s in output:\n%s" % (" ".join(args), bad, cp.stderr)
    leaked = leaked_secrets(cp.stderr + cp.stdout)
    assert not leaked, "seeki %s printed a secret or URL %s:\n%s" % (" ".join(args), leaked,
                                                                     cp.stderr)
    return cp


class SeekiServer:
    """One seeki process we started. start() waits for the listening line."""

    def __init__(self, args, env, cwd, name="seeki"):
        self.args = list(args)
        self.env = env
        self.cwd = str(cwd)
        self.name = name
        self.proc = None
        self.lines = []
        self.out_lines = []
        self.host = None
        self.port = None
        self._listening = threading.Event()
        self._lock = threading.Lock()

    def _read(self, stream, sink, watch):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace")
            with self._lock:
                sink.append(line)
            if watch and not self._listening.is_set():
                m = LISTEN_RE.search(line)
                if m:
                    self.host = m.group(1)
                    self.port = int(m.group(2))
                    self._listening.set()
        stream.close()

    def command(self):
        """The argv that starts seeki; subclasses may wrap it (e.g. ip netns exec)."""
        return [BIN] + self.args

    def start(self, timeout=15):
        require_bin()
        self.proc = subprocess.Popen(self.command(), env=self.env, cwd=self.cwd,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self._threads = [
            threading.Thread(target=self._read, args=(self.proc.stderr, self.lines, True),
                             daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stdout, self.out_lines, False),
                             daemon=True),
        ]
        for t in self._threads:
            t.start()
        deadline = time.monotonic() + timeout * SCALE
        while time.monotonic() < deadline:
            if self._listening.wait(0.05):
                return self
            if self.proc.poll() is not None:
                for t in self._threads:
                    t.join(2)
                raise AssertionError("%s exited with %s before listening; log:\n%s"
                                     % (self.describe(), self.proc.returncode, self.log()))
        self.kill()
        raise AssertionError("%s printed no 'SeeKi listening on' line within %ss; log:\n%s"
                             % (self.describe(), timeout * SCALE, self.log()))

    def describe(self):
        return "seeki " + " ".join(self.args)

    def log(self):
        with self._lock:
            return "".join(self.lines) + "".join(self.out_lines)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait(10)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Sends sig to our PID, waits, and returns the exit code (None when it
        had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout * SCALE)
            except subprocess.TimeoutExpired:
                self.kill()
                for t in self._threads:
                    t.join(2)
                return None
        for t in self._threads:
            t.join(5)
        return self.proc.returncode

    def stop_and_check(self, sig=signal.SIGTERM):
        """Stops and asserts a clean exit (code 0, no sanitizer/assert report)."""
        rc = self.stop(sig)
        log = self.log()
        assert rc == 0, "%s: exit code %r after %s (want 0); log:\n%s" % (
            self.describe(), rc, signal.Signals(sig).name, log)
        bad = sanitizer_problems(log)
        assert not bad, "%s: %s in log:\n%s" % (self.describe(), bad, log)
        leaked = leaked_secrets(log)
        assert not leaked, "%s logged a secret or URL %s:\n%s" % (self.describe(), leaked, log)

    def client(self):
        return Client(self)


@contextmanager
def running(srv, timeout=15):
    """Starts srv; afterwards stops it and checks a clean exit. When the body
    fails, the process is killed and its log printed (pytest shows it)."""
    try:
        srv.start(timeout)
        yield srv
    except BaseException:
        srv.kill()
        print("---- %s log ----\n%s" % (srv.describe(), srv.log()))
        raise
    srv.stop_and_check()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> value
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise AssertionError("response (status %d, Content-Type %r) is not JSON: %s; body: %r"
                                 % (self.status, self.headers.get("content-type"), e,
                                    self.body[:500])) from None

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:200])


def qs(params):
    """Query string with %20 for spaces (list of pairs keeps repeats/order)."""
    if isinstance(params, dict):
        params = list(params.items())
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote, safe="")


def tpath(table):
    """A table name as one percent-encoded path segment."""
    return urllib.parse.quote(table, safe="")


class Client:
    def __init__(self, server):
        self.server = server
        self.host = server.host.strip("[]")
        self.port = server.port
        self.base_url = "http://%s:%d" % (server.host, server.port)

    def _died(self, err):
        srv = self.server
        state = "still running" if srv.alive() else "exited with %s" % srv.proc.returncode
        return AssertionError("request failed (%s: %s); server %s; log tail:\n%s"
                              % (type(err).__name__, err, state, srv.log()[-4000:]))

    def request(self, method, path, headers=None, body=None, timeout=30):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout * SCALE)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            return Response(r.status, hdrs, data)
        except (OSError, http.client.HTTPException) as e:
            raise self._died(e) from None
        finally:
            conn.close()

    def get(self, path, headers=None, timeout=30):
        return self.request("GET", path, headers=headers, timeout=timeout)

    def get_json(self, path, status=200, headers=None):
        r = self.get(path, headers=headers)
        assert r.status == status, "GET %s: status %d, want %d; body: %r" % (
            path, r.status, status, r.body[:1000])
        return r.json()

    def rows(self, table, params=(), status=200):
        q = qs(params)
        return self.get_json("/api/tables/%s/rows%s" % (tpath(table), "?" + q if q else ""),
                             status=status)

    def raw(self, data, timeout=10, read_limit=1 << 20):
        """Sends raw bytes and returns everything read until the server closes
        (or read_limit / timeout). Send errors (reset, broken pipe) are
        tolerated: the server may answer and close before reading it all."""
        s = socket.create_connection((self.host, self.port), timeout=timeout * SCALE)
        out = b""
        try:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            try:
                while len(out) < read_limit:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    out += chunk
            except ConnectionResetError:
                pass
            except socket.timeout:
                pass
        finally:
            s.close()
        return out


def status_of(raw_response):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw_response)
    return int(m.group(1)) if m else None
