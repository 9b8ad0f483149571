"""Fixtures for the SSH tunnel tests: one private network per test session
(laptop / bastion with a real sshd / database with a real PostgreSQL, see
tests/harness/netns.py), a fresh laptop $HOME per test, and a driver for
tunnel_probe (tests/tunnel/tunnel_probe.c) running inside the laptop
namespace. Run with: /usr/bin/python3 -m pytest tests/tunnel -q
The probe binary is $TUNNEL_PROBE, else build/t/tunnel_probe (built here when
missing). Without namespaces the suite fails; SEEKI_TUNNEL_LOOPBACK=1 asks for
the reduced loopback fallback (isolation checks skipped) instead."""
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))

import netns  # noqa: E402
from pgserver import PgServer  # noqa: E402

DB_USER, DB_PASS, DB_NAME = "reporting", "s3cret-Tunnel", "autoconnect"


def probe_binary():
    env = os.environ.get("TUNNEL_PROBE")
    if env:
        return env
    path = os.path.join(ROOT, "build", "t", "tunnel_probe")
    if not os.path.exists(path):
        subprocess.run(["make", "-s", "-f", "Makefile", "-f", "tests/tunnel/Makefile.inc",
                        "B=build/t", "UNIT=1", "build/t/tunnel_probe"], cwd=ROOT, check=True)
    return path


@pytest.fixture(scope="session")
def lab():
    if os.geteuid() != 0:
        pytest.fail("the SSH tunnel tests need root: they create a login user for sshd and "
                    "network namespaces. Run make test as root (or with sudo)")
    reason = netns.available()
    if reason and not os.environ.get("SEEKI_TUNNEL_LOOPBACK"):
        pytest.fail("network namespaces are unavailable (%s). The tunnel tests prove isolation "
                    "in namespaces; set SEEKI_TUNNEL_LOOPBACK=1 to run the reduced loopback "
                    "suite instead" % reason)
    if os.environ.get("SEEKI_TUNNEL_LOOPBACK") and not reason:
        reason = "SEEKI_TUNNEL_LOOPBACK is set"
    lab = netns.Lab(loopback=reason is not None,
                    sshd_port=netns.free_port() if reason else 2222)
    if reason:
        print("\nnetwork namespaces unavailable (%s): falling back to a loopback sshd; "
              "the isolation checks are skipped" % reason)
    pg = None
    try:
        lab.build_network()
        lab.create_user()
        lab.start_sshd()
        listen = lab.db_addr if lab.loopback else "%s,%s" % (netns.DB_ADDR, netns.DB_ADDR6)
        pg = PgServer(listen=listen, netns=None if lab.loopback else lab.ns["db"])
        pg.initdb()
        with open(os.path.join(pg.data, "pg_hba.conf"), "a") as f:
            f.write("host all all 10.231.0.0/16 scram-sha-256\n"
                    "host all all fd00::/8 scram-sha-256\n")
        pg.start()
        pg.psql("CREATE ROLE %s LOGIN PASSWORD '%s';" % (DB_USER, DB_PASS))
        pg.psql("CREATE DATABASE %s OWNER %s;" % (DB_NAME, DB_USER))
        pg.psql("CREATE TABLE drivers(id int primary key, name text);"
                "INSERT INTO drivers SELECT g, 'driver ' || g FROM generate_series(1, 500) g;"
                "GRANT SELECT ON drivers TO %s;" % DB_USER, db=DB_NAME)
        lab.pg = pg
        lab.probe = probe_binary()
        yield lab
    finally:
        if pg:
            pg.cleanup()
        lab.cleanup()


class Client:
    """One laptop: a fresh $HOME (0700) with keys, seeki.toml, secrets."""

    def __init__(self, lab):
        self.lab = lab
        self.home = tempfile.mkdtemp(prefix="seeki-laptop-")
        os.chmod(self.home, 0o700)
        self.keys = os.path.join(self.home, "keys")
        os.makedirs(self.keys, mode=0o700)
        self.cfg = os.path.join(self.home, "seeki.toml")
        self.secrets = os.path.join(self.home, ".seeki.secrets")
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
                    "SEEKI_LOG": "info"}
        self.procs = []
        self.ns = "laptop"   # the namespace this laptop runs in ("far" behind the edge)

    def keygen(self, name="id_ed25519", kind="ed25519", passphrase="", pem=False,
               authorize=True, bits=None):
        path = os.path.join(self.keys, name)
        argv = ["ssh-keygen", "-q", "-t", kind, "-N", passphrase, "-C", name, "-f", path]
        if pem:
            argv += ["-m", "PEM"]
        if bits:
            argv += ["-b", str(bits)]
        subprocess.run(argv, check=True)
        if authorize:
            self.lab.authorize(path + ".pub")
        return path

    def db_url(self, host=None, port=None):
        host = host or self.lab.db_addr
        if ":" in host:
            host = "[%s]" % host
        return "postgres://%s:%s@%s:%d/%s" % (DB_USER, DB_PASS, host,
                                               port or self.lab.pg.port, DB_NAME)

    def write_config(self, ssh=None, url=None, **kw):
        """ssh: dict of [ssh] keys (defaults: this lab's bastion and user, key auth)."""
        s = {"host": self.lab.bastion_addr, "port": self.lab.sshd_port,
             "username": self.lab.user, "auth_method": "key"}
        s.update(ssh or {})
        lines = ["[database]", 'kind = "postgres"', 'url = "%s"' % (url or self.db_url()), "",
                 "[ssh]"]
        for k, v in s.items():
            if v is None:
                continue
            if isinstance(v, list):
                v = "[%s]" % ", ".join('"%s"' % x for x in v)
            elif not isinstance(v, int):
                v = '"%s"' % v
            lines.append("%s = %s" % (k, v))
        with open(self.cfg, "w") as f:
            f.write("\n".join(lines) + "\n")
        return self.cfg

    def write_secrets(self, key_passphrase=None, password=None, mode=0o600):
        lines = ["[ssh]"]
        if key_passphrase is not None:
            lines.append('key_passphrase = "%s"' % key_passphrase)
        if password is not None:
            lines.append('password = "%s"' % password)
        with open(self.secrets, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(self.secrets, mode)

    def start(self, extra_env=None, wait_ready=True, args=()):
        env = dict(self.env, **(extra_env or {}))
        p = Probe(self.lab, self.cfg, env, args, ns=self.ns)
        self.procs.append(p)
        if wait_ready:
            p.wait_ready()
        return p

    def fail(self, extra_env=None, timeout=60, args=()):
        """Runs the probe expecting a startup failure: returns (rc, stdout+stderr, seconds)."""
        env = dict(self.env, **(extra_env or {}))
        t0 = time.time()
        r = subprocess.run(self.lab.wrap(self.ns, [self.lab.probe, "--config", self.cfg]
                                         + list(args)),
                           input="quit\n", capture_output=True, text=True, env=env,
                           timeout=timeout)
        out = r.stdout + r.stderr
        for bad in ("Sanitizer", "runtime error:"):
            assert bad not in out, "sanitizer report:\n" + out
        return r.returncode, out, time.time() - t0

    def known_hosts(self):
        return os.path.join(self.home, ".ssh", "known_hosts")

    def cleanup(self):
        for p in self.procs:
            p.kill()
        shutil.rmtree(self.home, ignore_errors=True)


class Probe:
    def __init__(self, lab, cfg, env, args=(), ns="laptop"):
        self.lab = lab
        self.errlog = tempfile.TemporaryFile(mode="w+")
        self.p = subprocess.Popen(lab.wrap(ns, [lab.probe, "--config", cfg] + list(args)),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.errlog, text=True, env=env)
        self.port = None

    def readline(self, timeout=60):
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if not r:
            raise AssertionError("probe did not answer within %ds; stderr:\n%s"
                                 % (timeout, self.stderr()))
        return self.p.stdout.readline().strip()

    def wait_ready(self, timeout=60):
        line = self.readline(timeout)
        assert line.startswith("READY "), "probe failed to start: %r\n%s" % (line, self.stderr())
        self.port = int(line.split()[1])

    def cmd(self, line, timeout=120):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.readline(timeout)

    def status(self):
        line = self.cmd("status")
        assert line.startswith("STATUS ")
        out = {}
        rest = line[len("STATUS "):]
        head, _, last = rest.partition(" last_error=")
        for kv in head.split():
            k, _, v = kv.partition("=")
            out[k] = v
        out["last_error"] = last
        return out

    def stderr(self):
        self.errlog.flush()
        self.errlog.seek(0)
        return self.errlog.read()

    def quit(self, timeout=20):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass
        rc = self.p.wait(timeout)
        err = self.stderr()
        for bad in ("Sanitizer", "runtime error:"):
            assert bad not in err, "sanitizer report:\n" + err
        return rc

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


@pytest.fixture
def client(lab):
    c = Client(lab)
    yield c
    c.cleanup()


# -- shared by test_seeki_tunnel.py (the real seeki binary) ---------------------------

def start_ssh_agent(client):
    """A real ssh-agent (-D, by PID) with its socket in the client's $HOME;
    stopped by client.cleanup(). Returns the socket path."""
    sock = os.path.join(client.home, "agent.sock")
    proc = subprocess.Popen(["ssh-agent", "-D", "-a", sock], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    client.procs.append(type("P", (), {"kill": lambda self: (proc.kill(), proc.wait())})())
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    return sock


def ssh_add(client, sock, key, passphrase):
    """Loads key into the agent at sock, answering its passphrase through
    SSH_ASKPASS (there is no terminal here)."""
    askpass = os.path.join(client.home, "askpass.sh")
    with open(askpass, "w") as f:
        f.write("#!/bin/sh\necho '%s'\n" % passphrase)
    os.chmod(askpass, 0o700)
    subprocess.run(["ssh-add", key], check=True, stdin=subprocess.DEVNULL, capture_output=True,
                   env={"SSH_AUTH_SOCK": sock, "SSH_ASKPASS": askpass,
                        "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0",
                        "PATH": "/usr/bin:/bin"})
    os.unlink(askpass)
