"""The real seeki binary browsing PostgreSQL through an SSH bastion (SPEC §3,
docs/ssh-tunneling.md): the headline promise of the "SSH tunneling" issue.

seeki runs INSIDE the laptop namespace of tests/harness/netns.py (the database
is reachable from there only through the bastion's sshd), with a fresh $HOME
(its own ~/.ssh) per test and a config in the seed's shape. Every HTTP request
is made from inside the same namespace (a python client run through
`ip netns exec`), so nothing here can reach the database except through the
tunnel. Works with SEEKI_BIN=build/asan/seeki too: any sanitizer report fails.
Run with: /usr/bin/python3 -m pytest tests/tunnel -q"""
import base64
import json
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

import netns
from conftest import DB_PASS, ROOT, ssh_add, start_ssh_agent

sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import harness  # noqa: E402  (the seeki process/HTTP harness of the integration suite)

PASSPHRASE = "correct horse battery"
# the seed's database password is "s3cret"; the lab's is "s3cret-Tunnel"
SECRETS = ("s3cret", DB_PASS, PASSPHRASE)
harness.register_secret(*SECRETS)


@pytest.fixture(autouse=True)
def _lab_password_is_a_secret(lab):
    harness.register_secret(lab.password)
SCALE = harness.SCALE

VEHICLES = [
    # id, plate, active, added, note
    (1, "KA-01-1234", True, "2024-02-29", None),
    (2, 'MH "12", x', False, "2023-12-31", ""),
    (3, "DL-3C-0007", None, None, "spare"),
]


@pytest.fixture(scope="module")
def slab(lab):
    """The session lab plus one more table with varied types (additive: the
    probe tests only use drivers)."""
    def lit(v):
        if v is None:
            return "NULL"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        return "'%s'" % v.replace("'", "''")
    values = ",".join("(%s)" % ",".join(lit(x) for x in row) for row in VEHICLES)
    lab.pg.psql("CREATE TABLE IF NOT EXISTS vehicles(id int primary key, plate text, "
                "active boolean, added date, note text);"
                "INSERT INTO vehicles VALUES %s ON CONFLICT DO NOTHING;"
                "GRANT SELECT ON vehicles TO %s;" % (values, "reporting"), db="autoconnect")
    if not os.access(harness.BIN, os.X_OK):
        pytest.fail("seeki binary not found: %s (build it with make, or set SEEKI_BIN)"
                    % harness.BIN)
    return lab


def seed_config(client, lab, **ssh):
    """seeki.toml in the seed's shape: [database] kind/url and [ssh]
    host/port/username/auth_method/key_path (the lab's sshd listens on
    lab.sshd_port, 2222, instead of 22)."""
    s = {"key_path": "~/keys/id_ed25519"}
    s.update(ssh)
    return client.write_config(s)


def seeki_env(client, extra=None):
    env = dict(client.env)
    env["XDG_CONFIG_HOME"] = os.path.join(client.home, ".config")
    env["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env["UBSAN_OPTIONS"] = os.environ.get("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env.update(extra or {})
    return env


def assert_clean(text):
    for s in SECRETS:
        assert s not in text, "a secret (%r) leaked into the output:\n%s" % (s, text)
    bad = harness.sanitizer_problems(text)
    assert not bad, "%s in output:\n%s" % (bad, text)


class NsSeeki(harness.SeekiServer):
    """harness.SeekiServer, but the process runs inside the laptop namespace.
    `ip netns exec` execs seeki in place, so self.proc.pid is seeki's PID."""

    def __init__(self, lab, client, env):
        super().__init__(["--config", client.cfg, "--port", "0"], env, client.home)
        self.lab = lab

    def command(self):
        return self.lab.wrap("laptop", [harness.BIN] + self.args)

    def start(self, timeout=20):
        return super().start(timeout)

    # -- HTTP from inside the laptop namespace -------------------------------------
    _CODE = r"""
import base64, http.client, json, sys
port, timeout, out = int(sys.argv[1]), float(sys.argv[2]), []
for path in sys.argv[3:]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        out.append({"status": r.status, "ctype": r.getheader("Content-Type"),
                    "body": base64.b64encode(body).decode()})
    except Exception as e:
        out.append({"status": None, "error": repr(e)})
    finally:
        c.close()
print(json.dumps(out))
"""

    def get(self, *paths, timeout=30):
        """GETs each path (in order, one connection each) from the laptop
        namespace; returns [(status, content_type, body bytes)]."""
        r = subprocess.run(self.lab.wrap("laptop", ["/usr/bin/python3", "-c", self._CODE,
                                                    str(self.port), str(timeout * SCALE)]
                                         + list(paths)),
                           capture_output=True, text=True, timeout=(timeout + 10) * SCALE)
        assert r.returncode == 0, "HTTP client failed: %s" % r.stderr
        out = []
        for item in json.loads(r.stdout):
            assert item["status"] is not None, "GET failed (%s); seeki %s; log:\n%s" % (
                item.get("error"), "alive" if self.alive() else "exited", self.log()[-4000:])
            out.append((item["status"], item["ctype"], base64.b64decode(item["body"])))
        return out

    def get_json(self, path, status=200):
        (code, _, body), = self.get(path)
        assert code == status, "GET %s: %d (want %d): %r\nlog:\n%s" % (
            path, code, status, body[:500], self.log()[-3000:])
        return json.loads(body)


@pytest.fixture
def seeki(slab, client):
    """Starts seeki for the client's config; afterwards kills it (by PID) if a
    test left it running, printing its log."""
    started = []

    def start(extra_env=None):
        before = set(slab.sshd_sessions())
        s = NsSeeki(slab, client, seeki_env(client, extra_env))
        started.append(s)
        s.start()
        # the sshd per-connection process serving this seeki
        deadline = time.time() + 5
        s.sessions = set()
        while not s.sessions and time.time() < deadline:
            s.sessions = set(slab.sshd_sessions()) - before
            time.sleep(0.05)
        assert s.sessions, "no sshd session appeared for seeki"
        return s

    yield start
    for s in started:
        if s.alive():
            print("---- seeki log ----\n" + s.log())
            s.kill()


def run_seeki_once(lab, client, args, extra_env=None, timeout=30):
    """Runs `seeki ARGS` in the laptop namespace to completion."""
    r = subprocess.run(lab.wrap("laptop", [harness.BIN] + list(args)), env=seeki_env(
        client, extra_env), cwd=client.home, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=timeout * SCALE)
    return r


def browse_and_check(s, lab):
    """The browsing a user does, every answer checked against the fixture."""
    tables = {t["name"]: t for t in s.get_json("/api/tables")["tables"]}
    assert {"drivers", "vehicles"} <= set(tables), tables
    assert tables["drivers"]["schema"] == "public"

    page = s.get_json("/api/tables/drivers/rows?page_size=3")
    assert page["rows"] == [{"id": 1, "name": "driver 1"}, {"id": 2, "name": "driver 2"},
                            {"id": 3, "name": "driver 3"}], page["rows"]
    assert page["total_rows"] == 500
    page = s.get_json("/api/tables/drivers/rows?page_size=2&sort=id:desc")
    assert [r["id"] for r in page["rows"]] == [500, 499]
    page = s.get_json("/api/tables/drivers/rows?filter.name=driver%2042&page_size=50")
    assert sorted(r["id"] for r in page["rows"]) == [42] + list(range(420, 430))

    page = s.get_json("/api/tables/vehicles/rows")
    assert page["rows"] == [
        {"id": 1, "plate": "KA-01-1234", "active": True, "added": "2024-02-29", "note": None},
        {"id": 2, "plate": 'MH "12", x', "active": False, "added": "2023-12-31", "note": ""},
        {"id": 3, "plate": "DL-3C-0007", "active": None, "added": None, "note": "spare"},
    ], page["rows"]

    (code, ctype, body), = s.get("/api/export/drivers/csv")
    assert code == 200 and ctype.startswith("text/csv"), (code, ctype, body[:200])
    lines = body.decode().split("\n")
    assert lines[-1] == "" and len(lines) == 502, "want header + 500 rows: %r" % body[-200:]
    assert lines[0] == "ID,Name", lines[0]
    assert lines[1] == "1,driver 1" and lines[500] == "500,driver 500"
    (code, _, body), = s.get("/api/export/vehicles/csv?sort=id:desc")
    assert code == 200
    assert body.decode().split("\n") == ["ID,Plate,Active,Added,Note",
        "3,DL-3C-0007,,,spare", '2,"MH ""12"", x",false,2023-12-31,""',
        "1,KA-01-1234,true,2024-02-29,", ""], body


def tunnel_status(s):
    st = s.get_json("/api/status")
    assert st["mode"] == "normal"
    return st


# -- 1, 2, 7: browse with a key file; first contact; SIGTERM ----------------------------

def test_seeki_browses_postgres_through_the_bastion(slab, client, seeki):
    lab = slab
    if not lab.loopback:
        ok, _, _ = lab.tcp_connect("laptop", netns.DB_ADDR, lab.pg.port, 1.0)
        assert not ok, "the laptop reaches the database directly: the test would prove nothing"
    client.keygen()
    seed_config(client, lab)
    assert not os.path.exists(client.known_hosts())
    log_before = len(lab.read_sshd_log())
    s = seeki()
    st = tunnel_status(s)
    bastion = "%s@%s:%d" % (lab.user, lab.bastion_addr, lab.sshd_port)
    t = st["tunnel"]
    assert t["state"] == "up" and t["bastion"] == bastion, st
    assert t["reconnects"] == 0 and t["last_error"] is None, st
    assert isinstance(t["local_port"], int) and 0 < t["local_port"] < 65536
    assert t["since"].endswith("Z")
    assert st["database"] == {"kind": "postgres", "connected": True}, st
    log = s.log()
    assert ("SSH tunnel ready: 127.0.0.1:%d \u2192 %s:%d via %s"
            % (t["local_port"], lab.db_addr, lab.pg.port, bastion)) in log, log
    assert "SeeKi listening on http://127.0.0.1:%d" % s.port in log

    browse_and_check(s, lab)
    if not lab.loopback:
        # PostgreSQL saw seeki's connections arrive from the bastion's address
        addrs = lab.pg.psql("SELECT DISTINCT client_addr FROM pg_stat_activity "
                            "WHERE usename = 'reporting'").split()
        assert addrs == [netns.BASTION_DB_ADDR], addrs

    # 2. first contact wrote the bastion's key to the temp $HOME's known_hosts
    kh = client.known_hosts()
    assert stat.S_IMODE(os.stat(kh).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(kh)).st_mode) == 0o700
    with open(lab.hostkey + ".pub") as f:
        typ, b64 = f.read().split()[:2]
    assert open(kh).read() == "[%s]:%d %s %s\n" % (lab.bastion_addr, lab.sshd_port, typ, b64)
    assert lab.hostkey_fingerprint() in log

    # 7. SIGTERM: exit 0, the SSH session ends with a clean disconnect
    pid = s.proc.pid
    s.stop_and_check(signal.SIGTERM)
    assert not os.path.exists("/proc/%d" % pid)
    log = s.log()
    assert "SSH tunnel closed" in log, log
    deadline = time.time() + 5
    while set(lab.sshd_sessions()) & s.sessions and time.time() < deadline:
        time.sleep(0.05)
    assert not set(lab.sshd_sessions()) & s.sessions, "sshd still serves seeki's session"
    assert "Received disconnect from" in lab.read_sshd_log()[log_before:]
    assert_clean(log)


# -- 3: agent auth ---------------------------------------------------------------------------

def test_seeki_browses_with_agent_auth(slab, client, seeki):
    key = client.keygen("id_agent", passphrase=PASSPHRASE)
    sock = start_ssh_agent(client)
    ssh_add(client, sock, key, PASSPHRASE)
    seed_config(client, slab, auth_method="agent", key_path=None)
    assert "key_path" not in open(client.cfg).read()
    s = seeki({"SSH_AUTH_SOCK": sock})
    assert tunnel_status(s)["tunnel"]["state"] == "up"
    page = s.get_json("/api/tables/drivers/rows?page=10&page_size=50")
    assert page["rows"][0] == {"id": 451, "name": "driver 451"} and len(page["rows"]) == 50
    s.stop_and_check()
    assert_clean(s.log())


# -- 4: the bastion kills the session mid-use ------------------------------------------------

def test_bastion_kills_session_and_seeki_recovers_without_restart(slab, client, seeki):
    lab = slab
    client.keygen()
    seed_config(client, lab, keepalive_seconds=2)
    s = seeki()
    pid = s.proc.pid
    rows_path = "/api/tables/drivers/rows?page_size=2&sort=id:desc"
    want = [{"id": 500, "name": "driver 500"}, {"id": 499, "name": "driver 499"}]
    assert s.get_json(rows_path)["rows"] == want
    for sess in s.sessions:
        netns.signal_tree(sess, signal.SIGKILL)

    seen = []            # (seconds, what) for the report on failure
    saw_reconnecting = False
    recovered = None
    t0 = time.time()
    while time.time() - t0 < 30 * SCALE:
        (sc, _, sb), (rc, _, rb) = s.get("/api/status", rows_path)
        assert sc == 200, (sc, sb)
        t = json.loads(sb)["tunnel"]
        seen.append((round(time.time() - t0, 2), t["state"], rc, rb[:120]))
        if t["state"] == "reconnecting":
            saw_reconnecting = True
            assert t["last_error"], t
        if rc == 503:
            msg = json.loads(rb)["error"]
            if msg.startswith("SSH tunnel reconnecting (attempt "):
                saw_reconnecting = True
            else:
                # the pool may meet a connection that died with the old session
                assert msg.startswith("Database unavailable: "), seen
        elif rc == 200:
            if json.loads(rb)["rows"] == want and t["state"] == "up" and t["reconnects"] >= 1:
                recovered = time.time() - t0
                break
        else:
            raise AssertionError("rows answered %d during the reconnect: %r\nseen: %r\nlog:\n%s"
                                 % (rc, rb, seen, s.log()))
        time.sleep(0.1)
    assert recovered is not None, "no recovery within 30 s: %r\nlog:\n%s" % (seen, s.log())
    print("\nrecovered after %.1f s (reconnecting seen: %s): %r" % (recovered, saw_reconnecting,
                                                                    seen))
    assert s.alive() and s.proc.pid == pid, "seeki was restarted or died"
    # the status and export keep working on the new session, and more than once
    assert s.get_json("/api/tables/drivers/rows?page_size=1")["rows"] == [
        {"id": 1, "name": "driver 1"}]
    (code, _, body), = s.get("/api/export/vehicles/csv")
    assert code == 200 and body.count(b"\n") == 4
    log = s.log()
    assert "SSH tunnel re-established" in log, log
    assert "the bastion closed the SSH session" in log, log
    s.stop_and_check()
    assert_clean(s.log())


# -- 5: startup failures from the seeki binary -------------------------------------------------

def _wrong_user(c, lab):
    c.keygen()
    seed_config(c, lab, username="nosuchuser")


def _changed_host_key(c, lab):
    c.keygen()
    seed_config(c, lab)
    other = c.keygen("other_host_key", authorize=False)
    with open(other + ".pub") as f:
        typ, b64 = f.read().split()[:2]
    os.makedirs(os.path.dirname(c.known_hosts()), mode=0o700)
    with open(c.known_hosts(), "w") as f:
        f.write("# reviewed by ops\n[%s]:%d %s %s\n" % (lab.bastion_addr, lab.sshd_port, typ, b64))
    os.chmod(c.known_hosts(), 0o600)
    out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", other + ".pub"],
                         capture_output=True, text=True, check=True).stdout
    c.old_fp = out.split()[1]


def _db_unreachable(c, lab):
    if lab.loopback:
        pytest.skip("loopback fallback: no black-hole address")
    c.keygen()
    c.write_config({"key_path": "~/keys/id_ed25519", "connect_timeout_seconds": 2},
                   url=c.db_url(host=netns.DB_BLACKHOLE_ADDR))


def _db_refused(c, lab):
    c.keygen()
    c.write_config({"key_path": "~/keys/id_ed25519"}, url=c.db_url(port=lab.pg.port + 1))


def _encrypted_key(c, lab):
    c.keygen("id_enc", passphrase=PASSPHRASE)
    seed_config(c, lab, key_path="~/keys/id_enc")


def _password_no_secrets(c, lab):
    seed_config(c, lab, auth_method="password", key_path=None)


STARTUP_FAILURES = [
    ("wrong-user", _wrong_user,
     ["SSH connection failed (host={host}:{port}, user=nosuchuser): authentication: ",
      "ssh -p {port} nosuchuser@{host}"]),
    ("changed-host-key", _changed_host_key,
     ["Host key verification failed for {host}:{port}: ", "{fp}", "{old_fp}", "{kh}:2"]),
    ("db-unreachable", _db_unreachable,
     ["Port forward failed: the bastion could not reach %s:{dbport} (" % netns.DB_BLACKHOLE_ADDR]),
    ("db-refused", _db_refused,
     ["Port forward failed: the bastion could not reach {db}:{dbport1} ("]),
    ("encrypted-key", _encrypted_key,
     ["Passphrase-protected SSH keys are not supported", "ssh-add", 'auth_method = "agent"']),
    ("password-no-secrets", _password_no_secrets,
     ["SSH password auth needs ssh.password in {home}/.seeki.secrets"]),
]


@pytest.mark.parametrize("name,setup,fragments", STARTUP_FAILURES,
                         ids=[f[0] for f in STARTUP_FAILURES])
def test_seeki_startup_failure(slab, client, name, setup, fragments):
    lab = slab
    setup(client, lab)
    kh_before = open(client.known_hosts()).read() if os.path.exists(client.known_hosts()) else None
    t0 = time.time()
    r = run_seeki_once(lab, client, ["--config", client.cfg, "--port", "0"])
    secs = time.time() - t0
    out = r.stdout + r.stderr
    assert r.returncode == 1, "exit %d (want 1):\n%s" % (r.returncode, out)
    errors = [line for line in r.stderr.splitlines() if line.startswith("ERROR ")]
    assert len(errors) == 1, "want exactly one ERROR line:\n" + out
    line = errors[0]
    assert line.startswith("ERROR cli: "), line
    subs = dict(host=lab.bastion_addr, port=lab.sshd_port, user=lab.user, home=client.home,
                kh=client.known_hosts(), db=lab.db_addr, dbport=lab.pg.port,
                dbport1=lab.pg.port + 1, fp=lab.hostkey_fingerprint(),
                old_fp=getattr(client, "old_fp", ""))
    for frag in fragments:
        assert frag.format(**subs) in line, "missing %r in:\n%s" % (frag.format(**subs), line)
    assert "SeeKi listening" not in out and "SSH tunnel ready" not in out, out
    assert_clean(out)
    if kh_before is not None:
        assert open(client.known_hosts()).read() == kh_before, "known_hosts was modified"
    assert secs < 15 * SCALE, "took %.1f s to fail" % secs


# -- 6: seeki check through the tunnel --------------------------------------------------------

def test_seeki_check_through_the_tunnel(slab, client):
    lab = slab
    client.keygen()
    seed_config(client, lab)
    r = run_seeki_once(lab, client, ["check", "--config", client.cfg])
    assert r.returncode == 0, r.stdout + r.stderr
    ok = "\u2713 "
    b = "SSH bastion (%s@%s:%d): " % (lab.user, lab.bastion_addr, lab.sshd_port)
    want = [ok + "Config: %s is valid" % client.cfg,
            ok + "SSH settings: resolved",
            ok + b + "DNS %s resolved to %s (" % (lab.bastion_addr, lab.bastion_addr),
            ok + b + "TCP connect (",
            ok + b + "handshake, ",
            ok + b + "host key, %s verified against known_hosts (" % lab.hostkey_fingerprint(),
            ok + b + "authentication (",
            ok + "SSH port forward: the bastion reaches the database at %s:%d, as the bastion "
            "resolves it (" % (lab.db_addr, lab.pg.port),
            ok + "SSH tunnel: up via %s@%s:%d on 127.0.0.1:" % (lab.user, lab.bastion_addr,
                                                                lab.sshd_port),
            ok + "Database: connected to postgres (",
            ok + "Read access: ",
            "All checks passed."]
    lines = r.stdout.splitlines()
    assert len(lines) == len(want), r.stdout
    for line, w in zip(lines, want):
        assert line.startswith(w), "want %r, got %r\n%s" % (w, line, r.stdout)
        if "SSH bastion" in w or "port forward" in w:
            assert line.endswith(" ms)"), line
    assert "\u2717" not in r.stdout
    assert_clean(r.stdout + r.stderr)
    assert os.path.exists(client.known_hosts())

    # and a broken step is named: a wrong user passes bastion and host key, fails auth
    seed_config(client, lab, username="nosuchuser")
    r = run_seeki_once(lab, client, ["check", "--config", client.cfg])
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    b = "SSH bastion (nosuchuser@%s:%d): " % (lab.bastion_addr, lab.sshd_port)
    assert lines[1].startswith(ok + "SSH settings") and lines[2].startswith(ok + b + "DNS")
    assert lines[3].startswith(ok + b + "TCP") and lines[4].startswith(ok + b + "handshake")
    assert lines[5].startswith(ok + b + "host key")
    assert lines[6].startswith("\u2717 " + b + "authentication failed after "), r.stdout
    assert ("ms: SSH connection failed (host=%s:%d, user=nosuchuser): authentication: "
            % (lab.bastion_addr, lab.sshd_port)) in lines[6], r.stdout
    assert "Try `ssh -p %d nosuchuser@%s`" % (lab.sshd_port, lab.bastion_addr) in lines[6]
    assert not any("Database" in l for l in lines)
    assert_clean(r.stdout + r.stderr)
