"""The SSH tunnel against a real OpenSSH sshd on a private network.

The laptop namespace runs tunnel_probe (SeeKi's tunnel code, unchanged); the
database is reachable from there only through the bastion. Every startup
failure must end the probe with exit 1 and one ERROR line that starts with the
seed's wording (SPEC §3) and never contains a secret."""
import os
import signal
import stat
import subprocess
import time

import pytest

import netns
from conftest import DB_PASS

SECRET_PASSPHRASE = "correct horse battery"


def error_line(out):
    """The one ERROR line of a failed start (asserting there is exactly one)."""
    lines = [l for l in out.splitlines() if l.startswith("ERROR ")]
    assert len(lines) == 1, "expected exactly one ERROR line, got:\n" + out
    return lines[0]


def assert_no_secrets(out, *secrets):
    for s in (DB_PASS, SECRET_PASSPHRASE) + secrets:
        assert s not in out, "a secret leaked into the output:\n" + out
    # the same runs serve the ASan+UBSan build: its reports fail the test
    for bad in ("Sanitizer", "runtime error:"):
        assert bad not in out, "sanitizer report:\n" + out


# -- the network itself ---------------------------------------------------------

def test_database_unreachable_from_laptop_except_through_bastion(lab):
    if lab.loopback:
        pytest.skip("loopback fallback: no private network to check")
    ok, secs, why = lab.tcp_connect("laptop", netns.DB_ADDR, lab.pg.port)
    assert not ok and secs < 1.0, "laptop reached the database directly (%s)" % why
    ok, _, why = lab.tcp_connect("bastion", netns.DB_ADDR, lab.pg.port)
    assert ok, "the bastion cannot reach the database: %s" % why


# -- key authentication, first contact, forwarding --------------------------------

def test_ed25519_key_first_contact_and_forwarding(client, lab):
    key = client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519"})
    p = client.start()
    assert p.cmd("query SELECT current_user") == "OK reporting"
    assert p.cmd("query SELECT count(*) FROM drivers") == "OK 500"
    if not lab.loopback:
        # the database saw the bastion's address, not the laptop's
        assert p.cmd("query SELECT inet_client_addr()::text").startswith("OK 10.231.2.1")
    st = p.status()
    assert st["state"] == "up"
    assert st["bastion"] == "%s@%s:%d" % (lab.user, lab.bastion_addr, lab.sshd_port)
    assert int(st["local_port"]) == p.port
    assert p.cmd("unavailable") == "UP"
    assert p.quit() == 0
    log = p.stderr()
    assert ("SSH tunnel ready: 127.0.0.1:%d \u2192 %s:%d via %s@%s:%d"
            % (p.port, lab.db_addr, lab.pg.port, lab.user, lab.bastion_addr, lab.sshd_port)) in log
    # first contact: known_hosts written 0600 in a new ~/.ssh 0700, fingerprint logged
    kh = client.known_hosts()
    assert stat.S_IMODE(os.stat(os.path.dirname(kh)).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(kh).st_mode) == 0o600
    with open(kh) as f:
        entry = f.read()
    assert entry.startswith("[%s]:%d ssh-ed25519 " % (lab.bastion_addr, lab.sshd_port))
    assert lab.hostkey_fingerprint() in log
    assert_no_secrets(log)
    assert key not in entry


def test_existing_ssh_dir_and_known_hosts_modes_are_kept(client, lab):
    client.keygen()
    os.makedirs(os.path.join(client.home, ".ssh"), mode=0o755)
    os.chmod(os.path.join(client.home, ".ssh"), 0o755)
    kh = client.known_hosts()
    with open(kh, "w") as f:
        f.write("# mine\nother.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOj4a2cEg5x+49QBkTWAVat2FoRE5sIaNokYcDSGk7Mx")
    os.chmod(kh, 0o644)
    client.write_config({"key_path": "~/keys/id_ed25519"})
    p = client.start()
    assert p.quit() == 0
    assert stat.S_IMODE(os.stat(os.path.dirname(kh)).st_mode) == 0o755
    assert stat.S_IMODE(os.stat(kh).st_mode) == 0o644
    lines = open(kh).read().splitlines()
    assert lines[0] == "# mine" and lines[1].startswith("other.example ")
    assert lines[2].startswith("[%s]:%d ssh-ed25519 " % (lab.bastion_addr, lab.sshd_port))


@pytest.mark.parametrize("kind,pem,bits", [("rsa", True, 2048), ("ecdsa", False, None),
                                           ("rsa", False, 3072)])
def test_other_key_types(client, kind, pem, bits):
    client.keygen("id_x", kind=kind, pem=pem, bits=bits)
    client.write_config({"key_path": "~/keys/id_x"})
    p = client.start()
    assert p.cmd("query SELECT 41 + 1") == "OK 42"
    assert p.quit() == 0


@pytest.mark.parametrize("pem", [False, True])
def test_encrypted_key_with_passphrase_from_secrets(client, pem):
    client.keygen("id_enc", passphrase=SECRET_PASSPHRASE, pem=pem,
                  kind="rsa" if pem else "ed25519")
    client.write_config({"key_path": "~/keys/id_enc"})
    client.write_secrets(key_passphrase=SECRET_PASSPHRASE)
    p = client.start()
    assert p.cmd("query SELECT 1") == "OK 1"
    assert p.quit() == 0
    assert_no_secrets(p.stderr())


def test_ssh_config_fills_host_port_user_and_identity(client, lab):
    client.keygen("bastion_key")
    os.makedirs(os.path.join(client.home, ".ssh"), mode=0o700)
    with open(os.path.join(client.home, ".ssh", "config"), "w") as f:
        f.write("Host other\n  User nobody\n\n"
                "Host jump-*\n  HostName %s\n  Port %d\n  User %s\n"
                "  IdentityFile ~/keys/bastion_key\n  UserKnownHostsFile ~/kh_from_config\n"
                "Host *\n  Port 1\n" % (lab.bastion_addr, lab.sshd_port, lab.user))
    client.write_config({"host": "jump-db", "port": None, "username": None})
    p = client.start()
    assert p.status()["bastion"] == "%s@%s:%d" % (lab.user, lab.bastion_addr, lab.sshd_port)
    assert p.cmd("query SELECT 2") == "OK 2"
    assert p.quit() == 0
    assert os.path.exists(os.path.join(client.home, "kh_from_config"))


def test_ipv6_database_literal(client, lab):
    if lab.loopback:
        pytest.skip("loopback fallback: no IPv6 database address")
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519"}, url=client.db_url(host=netns.DB_ADDR6))
    p = client.start()
    assert p.cmd("query SELECT inet_server_addr()::text") == "OK %s/128" % netns.DB_ADDR6
    assert p.quit() == 0
    assert "\u2192 [%s]:%d via" % (netns.DB_ADDR6, lab.pg.port) in p.stderr()


def test_database_host_name_is_resolved_by_the_bastion(client, lab):
    if lab.loopback:
        pytest.skip("loopback fallback: no bastion-only name")
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519"},
                        url=client.db_url(host=netns.DB_NAME_ON_BASTION))
    p = client.start()
    assert p.cmd("query SELECT inet_server_addr()::text") == "OK %s/32" % netns.DB_ADDR
    assert p.quit() == 0


# -- agent and password ----------------------------------------------------------------

@pytest.fixture
def agent(client):
    sock = os.path.join(client.home, "agent.sock")
    proc = subprocess.Popen(["ssh-agent", "-D", "-a", sock], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    yield sock
    proc.kill()
    proc.wait()


def test_agent_auth(client, agent):
    key = client.keygen("id_agent", passphrase=SECRET_PASSPHRASE)
    # ssh-add reads the passphrase through SSH_ASKPASS (no terminal here)
    askpass = os.path.join(client.home, "askpass.sh")
    with open(askpass, "w") as f:
        f.write("#!/bin/sh\necho '%s'\n" % SECRET_PASSPHRASE)
    os.chmod(askpass, 0o700)
    subprocess.run(["ssh-add", key], check=True, stdin=subprocess.DEVNULL, capture_output=True,
                   env={"SSH_AUTH_SOCK": agent, "SSH_ASKPASS": askpass,
                        "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0", "PATH": "/usr/bin:/bin"})
    client.write_config({"auth_method": "agent"})
    p = client.start({"SSH_AUTH_SOCK": agent})
    assert p.cmd("query SELECT 3") == "OK 3"
    assert p.quit() == 0


def test_password_auth(client, lab):
    client.write_config({"auth_method": "password"})
    client.write_secrets(password=lab.password)
    p = client.start()
    assert p.cmd("query SELECT 4") == "OK 4"
    assert p.quit() == 0
    assert lab.password not in p.stderr()


# -- startup failures: every message, table-driven -----------------------------------------

def _encrypted(c, lab):
    c.keygen("id_enc", passphrase=SECRET_PASSPHRASE)
    c.write_config({"key_path": "~/keys/id_enc"})


def _wrong_passphrase(c, lab):
    c.keygen("id_enc", passphrase=SECRET_PASSPHRASE)
    c.write_config({"key_path": "~/keys/id_enc"})
    c.write_secrets(key_passphrase="not the passphrase")


def _open_key(c, lab):
    k = c.keygen()
    os.chmod(k, 0o644)
    c.write_config({"key_path": k})


def _wrong_user(c, lab):
    c.keygen()
    c.write_config({"key_path": "~/keys/id_ed25519", "username": "nosuchuser"})


def _unauthorized_key(c, lab):
    c.keygen(authorize=False)
    c.write_config({"key_path": "~/keys/id_ed25519"})


def _refused_port(c, lab):
    c.keygen()
    c.write_config({"key_path": "~/keys/id_ed25519", "port": lab.sshd_port + 1})


def _blackhole(c, lab):
    if lab.loopback:
        pytest.skip("loopback fallback: no black-hole address")
    c.keygen()
    c.write_config({"key_path": "~/keys/id_ed25519", "host": netns.BLACKHOLE_ADDR,
                    "connect_timeout_seconds": 2})


def _not_ssh(c, lab):
    lab.start_fake_server(lab.sshd_port + 10, b"HTTP/1.0 400 Bad Request\r\n\r\n")
    c.keygen()
    c.write_config({"key_path": "~/keys/id_ed25519", "port": lab.sshd_port + 10})


def _ssh_banner_then_hangup(c, lab):
    lab.start_fake_server(lab.sshd_port + 11, b"SSH-2.0-FakeSSH_1.0\r\n")
    c.keygen()
    c.write_config({"key_path": "~/keys/id_ed25519", "port": lab.sshd_port + 11})


def _db_refused(c, lab):
    c.keygen()
    c.write_config({"key_path": "~/keys/id_ed25519"}, url=c.db_url(port=lab.pg.port + 1))


def _db_unknown_name(c, lab):
    c.keygen()
    c.write_config({"key_path": "~/keys/id_ed25519"}, url=c.db_url(host="nosuch.invalid"))


def _db_blackhole(c, lab):
    if lab.loopback:
        pytest.skip("loopback fallback: no black-hole address")
    c.keygen()
    c.write_config({"key_path": "~/keys/id_ed25519", "connect_timeout_seconds": 2},
                   url=c.db_url(host=netns.DB_BLACKHOLE_ADDR))


def _strict_unknown(c, lab):
    c.keygen()
    c.write_config({"key_path": "~/keys/id_ed25519", "host_key_policy": "strict"})


def _no_password(c, lab):
    c.write_config({"auth_method": "password"})


def _wrong_password(c, lab):
    c.write_config({"auth_method": "password"})
    c.write_secrets(password="wrong-password-123")


def _agent_missing(c, lab):
    c.write_config({"auth_method": "agent"})


def _agent_dead(c, lab):
    c.write_config({"auth_method": "agent"})
    c.env["SSH_AUTH_SOCK"] = os.path.join(c.home, "no-agent.sock")


def _agent_empty(c, lab):
    c.write_config({"auth_method": "agent"})
    sock = os.path.join(c.home, "agent.sock")
    proc = subprocess.Popen(["ssh-agent", "-D", "-a", sock], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    c.procs.append(type("P", (), {"kill": lambda self: (proc.kill(), proc.wait())})())
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    c.env["SSH_AUTH_SOCK"] = sock


H = "{host}:{port}"
FAILURES = [
    # (id, setup, expected fragments: {host} {port} {user} {home} {kh} {db} {dbport} filled in)
    ("encrypted-key-no-passphrase", _encrypted,
     ["ERROR cli: Passphrase-protected SSH keys are not supported without ssh.key_passphrase",
      "ssh-add", 'auth_method = "agent"']),
    ("wrong-passphrase", _wrong_passphrase,
     ["could not be decrypted with ssh.key_passphrase from {home}/.seeki.secrets"]),
    ("key-too-open", _open_key,
     ["ERROR cli: SSH key permissions 0644 for '{home}/keys/id_ed25519' are too open",
      "chmod 600"]),
    ("wrong-user", _wrong_user,
     ["ERROR cli: SSH connection failed (host=" + H + ", user=nosuchuser): authentication: ",
      "`ssh -p {port} nosuchuser@{host}`"]),
    ("key-not-authorized", _unauthorized_key,
     ["ERROR cli: SSH connection failed (host=" + H + ", user={user}): authentication: ",
      "authorized_keys", "`ssh -p {port} {user}@{host}`"]),
    ("bastion-refuses", _refused_port,
     ["ERROR cli: SSH connection failed (host={host}:{port1}, user={user}): connect: ",
      "`ssh -p {port1} {user}@{host}`"]),
    ("bastion-timeout", _blackhole,
     ["ERROR cli: SSH connection failed (host=%s:{port}, user={user}): connect: timed out "
      "after 2 s (ssh.connect_timeout_seconds)" % netns.BLACKHOLE_ADDR]),
    ("not-an-ssh-server", _not_ssh,
     ["ERROR cli: SSH connection failed (host={host}:{port10}, user={user}): handshake: ",
      "`ssh -p {port10} {user}@{host}`"]),
    ("handshake-cut", _ssh_banner_then_hangup,
     ["ERROR cli: SSH connection failed (host={host}:{port11}, user={user}): handshake: ",
      "`ssh -p {port11} {user}@{host}`"]),
    ("forward-refused", _db_refused,
     ["ERROR cli: Port forward failed: the bastion could not reach {db}:{dbport1} (",
      "psql -h {db} -p {dbport1}"]),
    ("forward-unknown-name", _db_unknown_name,
     ["ERROR cli: Port forward failed: the bastion could not reach nosuch.invalid:{dbport} ("]),
    ("forward-hangs", _db_blackhole,
     ["ERROR cli: Port forward failed: the bastion could not reach %s:{dbport} (no answer "
      "within 2 s" % netns.DB_BLACKHOLE_ADDR]),
    ("strict-unknown", _strict_unknown,
     ["ERROR cli: Host key verification failed for " + H + ": " + H + " is not in {kh}",
      "{fp}"]),
    ("password-missing", _no_password,
     ["ERROR cli: SSH password auth needs ssh.password in {home}/.seeki.secrets"]),
    ("password-wrong", _wrong_password,
     ["ERROR cli: SSH connection failed (host=" + H + ", user={user}): authentication: "
      "the bastion rejected the password"]),
    ("agent-missing", _agent_missing,
     ["ERROR cli: SSH agent not available: SSH_AUTH_SOCK is not set"]),
    ("agent-dead", _agent_dead,
     ["ERROR cli: SSH agent not available: SSH_AUTH_SOCK={home}/no-agent.sock"]),
    ("agent-no-key", _agent_empty,
     ["ERROR cli: SSH agent holds no key the bastion accepts (host=" + H + ", user={user})"]),
]


# the setup wizard's "step" for each failure (SPEC §7)
STEPS = {'encrypted-key-no-passphrase': 'auth', 'wrong-passphrase': 'auth', 'key-too-open': 'auth', 'wrong-user': 'auth', 'key-not-authorized': 'auth', 'bastion-refuses': 'ssh', 'bastion-timeout': 'ssh', 'not-an-ssh-server': 'ssh', 'handshake-cut': 'ssh', 'forward-refused': 'forward', 'forward-unknown-name': 'forward', 'strict-unknown': 'host_key', 'forward-hangs': 'forward', 'password-missing': 'auth', 'password-wrong': 'auth', 'agent-missing': 'auth', 'agent-dead': 'auth', 'agent-no-key': 'auth'}


@pytest.mark.parametrize("name,setup,fragments", FAILURES, ids=[f[0] for f in FAILURES])
def test_startup_failure_messages(client, lab, name, setup, fragments):
    setup(client, lab)
    rc, out, secs = client.fail()
    assert rc == 1, out
    line = error_line(out)
    assert "STEP %s " % STEPS[name] in out, out
    subs = dict(host=lab.bastion_addr, port=lab.sshd_port, port1=lab.sshd_port + 1,
                port10=lab.sshd_port + 10, port11=lab.sshd_port + 11,
                user=lab.user, home=client.home, kh=client.known_hosts(), db=lab.db_addr,
                dbport=lab.pg.port, dbport1=lab.pg.port + 1,
                fp=lab.hostkey_fingerprint())
    for frag in fragments:
        assert frag.format(**subs) in line, "missing %r in:\n%s" % (frag.format(**subs), line)
    assert "READY" not in out
    assert_no_secrets(out, "wrong-password-123", "not the passphrase", lab.password)
    if name == "bastion-timeout":
        assert 1.5 <= secs <= 8, "connect timeout not honoured: %.1fs" % secs


# -- host keys ---------------------------------------------------------------------------

def test_rebuilt_bastion_is_refused_with_both_fingerprints(client, lab):
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519"})
    kh = client.known_hosts()
    os.makedirs(os.path.dirname(kh), mode=0o700)
    with open(kh, "w") as f:
        f.write("# line 1\nelsewhere.example ssh-ed25519 "
                "AAAAC3NzaC1lZDI1NTE5AAAAIOj4a2cEg5x+49QBkTWAVat2FoRE5sIaNokYcDSGk7Mx\n")
    p = client.start()            # first contact appends on line 3
    assert p.quit() == 0
    old_fp = lab.hostkey_fingerprint()
    before = open(kh).read()
    lab.stop_sshd()
    lab.make_hostkey()            # the bastion is rebuilt
    lab.start_sshd()
    new_fp = lab.hostkey_fingerprint()
    assert new_fp != old_fp
    rc, out, _ = client.fail()
    assert rc == 1
    line = error_line(out)
    assert line.startswith("ERROR cli: Host key verification failed for %s:%d: "
                           % (lab.bastion_addr, lab.sshd_port))
    assert new_fp in line and old_fp in line
    assert "%s:3" % kh in line
    assert "ops team" in line
    assert open(kh).read() == before, "known_hosts must never be overwritten"
    # strict refuses the changed key as well
    client.write_config({"key_path": "~/keys/id_ed25519", "host_key_policy": "strict"})
    rc, out, _ = client.fail()
    assert rc == 1 and new_fp in error_line(out) and old_fp in error_line(out)


def test_strict_accepts_a_hashed_known_entry(client, lab):
    client.keygen()
    kh = client.known_hosts()
    os.makedirs(os.path.dirname(kh), mode=0o700)
    with open(lab.hostkey + ".pub") as f:
        typ, b64 = f.read().split()[:2]
    with open(kh, "w") as f:
        f.write("[%s]:%d %s %s\n" % (lab.bastion_addr, lab.sshd_port, typ, b64))
    subprocess.run(["ssh-keygen", "-q", "-H", "-f", kh], check=True, capture_output=True)
    assert open(kh).read().startswith("|1|")
    client.write_config({"key_path": "~/keys/id_ed25519", "host_key_policy": "strict"})
    p = client.start()
    assert p.cmd("query SELECT 5") == "OK 5"
    assert p.quit() == 0


# -- lifetime: loss, keepalive, reconnect, concurrency, shutdown ------------------------------

def _session_pids(lab, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        pids = lab.sshd_sessions()
        if pids:
            return pids
        time.sleep(0.05)
    raise AssertionError("no sshd session process found")


def test_bastion_kills_session_midway_and_tunnel_recovers(client, lab):
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519", "keepalive_seconds": 2})
    p = client.start()
    assert p.cmd("open") == "OK 1"
    for pid in _session_pids(lab):
        netns.signal_tree(pid, signal.SIGKILL)
    assert p.cmd("run SELECT 1").startswith("FAIL"), "a connection over a dead session worked"
    assert p.cmd("wait up 20").startswith("OK")
    # wait until the loss was noticed and the new session is up
    deadline = time.time() + 20
    while int(p.status()["reconnects"]) < 1 and time.time() < deadline:
        time.sleep(0.1)
    st = p.status()
    assert st["state"] == "up" and int(st["reconnects"]) == 1, st
    assert "the bastion closed the SSH session" in st["last_error"]
    assert p.cmd("query SELECT 6") == "OK 6"       # new connections use the new session
    assert p.cmd("open") == "OK 1"
    assert p.quit() == 0
    log = p.stderr()
    assert "SSH tunnel re-established" in log


def test_bastion_down_reports_reconnecting_then_recovers(client, lab):
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519", "keepalive_seconds": 2})
    p = client.start()
    lab.stop_sshd()
    assert p.cmd("wait reconnecting 10").startswith("OK")
    time.sleep(1.5)  # let the first attempt fail so last_error names it
    text = p.cmd("unavailable")
    assert text.startswith("OK SSH tunnel reconnecting (attempt "), text
    assert p.cmd("query SELECT 1").startswith("FAIL")
    lab.start_sshd()
    assert p.cmd("wait up 40").startswith("OK")
    assert p.cmd("query SELECT 7") == "OK 7"
    assert p.quit() == 0


def test_keepalive_notices_a_frozen_bastion_within_two_intervals(client, lab):
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519", "keepalive_seconds": 1})
    p = client.start()
    assert p.cmd("query SELECT 1") == "OK 1"
    pids = _session_pids(lab)
    for pid in pids:
        netns.signal_tree(pid, signal.SIGSTOP)
    try:
        r = p.cmd("wait reconnecting 10")
        assert r.startswith("OK"), r
        assert float(r.split()[1]) <= 2.0 + 0.6, "took %ss for keepalive_seconds = 1" % r
        assert "stopped answering" in p.status()["last_error"]
    finally:
        for pid in pids:
            netns.signal_tree(pid, signal.SIGKILL)
            netns.signal_tree(pid, signal.SIGCONT)
    assert p.cmd("wait up 20").startswith("OK")
    assert p.quit() == 0


def test_many_concurrent_connections_share_one_session(client, lab):
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519"})
    before = lab.read_sshd_log().count("Accepted publickey for %s" % lab.user)
    p = client.start()
    assert p.cmd("concurrent 40 25", timeout=300) == "OK 1000"
    assert p.quit() == 0
    after = lab.read_sshd_log().count("Accepted publickey for %s" % lab.user)
    assert after - before == 1, "expected one SSH session for all connections"


def test_sigterm_closes_cleanly_and_leaves_no_processes(client, lab):
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519"})
    p = client.start()
    assert p.cmd("open") == "OK 1"
    assert _session_pids(lab)
    log_before = len(lab.read_sshd_log())
    p.p.send_signal(signal.SIGTERM)
    assert p.p.wait(10) == 0
    assert "SSH tunnel closed" in p.stderr()
    assert_no_secrets(p.stderr())
    deadline = time.time() + 5
    while lab.sshd_sessions() and time.time() < deadline:
        time.sleep(0.05)
    assert lab.sshd_sessions() == [], "sshd still serves a session after shutdown"
    # a clean SSH disconnect, not a dropped TCP connection
    new_log = lab.read_sshd_log()[log_before:]
    assert "Received disconnect from" in new_log, new_log


def test_multi_segment_pages_do_not_wait_on_nagle(client, lab):
    """A 64 KiB result through the tunnel must not pay the ~40 ms Nagle/delayed-ACK
    stall that `ssh -N -L` shows; measured against ssh -L in the same run."""
    key = client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519"})
    p = client.start()
    seeki = p.cmd("bench 40 64")
    assert seeki.startswith("OK"), seeki
    seeki_ms = float(seeki.split()[1])
    # the same query through a plain `ssh -N -L` for comparison (informational)
    port = netns.free_port()
    ssh = subprocess.Popen(lab.wrap("laptop", [
        "ssh", "-N", "-i", key, "-p", str(lab.sshd_port), "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "ExitOnForwardFailure=yes",
        "-L", "127.0.0.1:%d:%s:%d" % (port, lab.db_addr, lab.pg.port),
        "%s@%s" % (lab.user, lab.bastion_addr)]), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        ok = False
        for _ in range(100):
            if lab.tcp_connect("laptop", "127.0.0.1", port, 0.5)[0]:
                ok = True
                break
            time.sleep(0.05)
        plain = p.cmd("bench 40 64 %d" % port) if ok else "SKIPPED"
    finally:
        ssh.kill()
        ssh.wait()
    print("\n64 KiB page: SeeKi tunnel median %.2f ms; ssh -N -L: %s" % (seeki_ms, plain))
    assert p.quit() == 0
    assert seeki_ms < 20.0, "a 64 KiB page took %.1f ms through the tunnel" % seeki_ms


# -- data integrity and idle cost ----------------------------------------------------------

def _fnv1a64(data):
    h = 1469598103934665603
    for b in data:
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def test_large_results_and_uploads_arrive_intact(client):
    import hashlib
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519"})
    p = client.start()
    n = 20000  # ~20 MB: many times every buffer and channel window
    rows = b"".join(hashlib.md5(str(g).encode()).hexdigest().encode() * 31
                    for g in range(1, n + 1))
    got = p.cmd("fetch %d" % n, timeout=300)
    assert got == "OK %d %d %s" % (n, len(rows), _fnv1a64(rows)), got
    kb = 4096  # a 4 MiB query text upstream
    lit = bytes(ord("a") + i % 26 for i in range(kb * 1024))
    assert p.cmd("upload %d" % kb, timeout=300) == "OK " + hashlib.md5(lit).hexdigest()
    # both at once on several connections
    assert p.cmd("concurrent 8 5") == "OK 40"
    assert p.quit() == 0


def test_idle_tunnel_does_not_spin(client):
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519", "keepalive_seconds": 1})
    p = client.start()
    assert p.cmd("open") == "OK 1"   # an idle connection stays open

    def cpu():
        with open("/proc/%d/stat" % p.p.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    c0 = cpu()
    time.sleep(3)
    used = cpu() - c0
    assert used < 0.3, "idle tunnel used %.2f s CPU in 3 s" % used
    assert p.cmd("run SELECT 8") == "OK 8"  # keepalives did not disturb the open connection
    st = p.status()   # answered keepalives: never declared dead while healthy
    assert st["state"] == "up" and st["reconnects"] == "0" and st["last_error"] == "", st
    assert p.quit() == 0


# -- the setup wizard's host-key confirmation (tunnel_open_ex) -------------------------------

def test_wizard_host_key_confirmation_flow(client, lab):
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519"})
    fp = lab.hostkey_fingerprint()
    kh = client.known_hosts()
    # 1. test-connection without a confirmation: refused, fingerprint reported, nothing written
    rc, out, _ = client.fail(args=["--no-write"])
    assert rc == 1
    assert "STEP host_key unknown=1 host_key=%s" % fp in out, out
    assert fp in error_line(out)
    assert not os.path.exists(kh)
    # 2. a different fingerprint confirmed: still refused
    rc, out, _ = client.fail(args=["--no-write", "--accept", "SHA256:" + "A" * 43])
    assert rc == 1 and "STEP host_key unknown=1" in out
    # 3. the right fingerprint: connects, still writes nothing
    p = client.start(args=["--no-write", "--accept", fp])
    assert p.cmd("query SELECT 9") == "OK 9"
    assert p.quit() == 0
    assert not os.path.exists(kh)
    # 4. save: the confirmed key is written (0600 in a new 0700 ~/.ssh)
    p = client.start(args=["--no-write", "--accept", fp, "--write-accepted"])
    assert p.quit() == 0
    assert stat.S_IMODE(os.stat(kh).st_mode) == 0o600
    assert open(kh).read().startswith("[%s]:%d ssh-ed25519 " % (lab.bastion_addr, lab.sshd_port))
    # 5. now known: plain wizard test passes without confirmation
    p = client.start(args=["--no-write"])
    assert p.quit() == 0


def test_wizard_cannot_accept_a_changed_key(client, lab):
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519"})
    p = client.start()
    assert p.quit() == 0
    lab.stop_sshd()
    lab.make_hostkey()
    lab.start_sshd()
    new_fp = lab.hostkey_fingerprint()
    rc, out, _ = client.fail(args=["--no-write", "--accept", new_fp, "--write-accepted"])
    assert rc == 1
    assert "STEP host_key unknown=0 host_key=%s" % new_fp in out, out
    assert "has changed" in error_line(out)
