"""The setup wizard through a real SSH bastion (SPEC §7, issue #17): seeki runs
in setup mode INSIDE the laptop namespace (tests/harness/netns.py), and the
wizard's POSTs are made from there too, so the database is reachable only
through the bastion. Checks: an unknown bastion key answers 409 with its
fingerprint and known_hosts is written on save only; a changed key is refused
whatever accept_host_key says; key, agent and password authentication; a
database the bastion cannot reach is step "forward".
Run with: /usr/bin/python3 -m pytest tests/tunnel/test_setup_tunnel.py -q"""
import base64
import json
import os
import stat
import subprocess

import pytest

from conftest import DB_NAME, DB_PASS, DB_USER, ssh_add, start_ssh_agent
from test_seeki_tunnel import SCALE, NsSeeki, assert_clean, harness, seeki_env

PASSPHRASE = "wizard passphrase 9"
harness.register_secret(PASSPHRASE, DB_PASS)


class SetupSeeki(NsSeeki):
    """seeki without a config (setup mode) in the laptop namespace, with
    POSTs made from inside it."""

    def __init__(self, lab, client, env):
        super().__init__(lab, client, env)
        self.args = ["--port", "0"]

    _POST = r"""
import base64, http.client, json, sys
port, timeout, path, body = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
c.request("POST", path, body=body, headers={"Content-Type": "application/json"})
r = c.getresponse()
print(json.dumps({"status": r.status, "body": base64.b64encode(r.read()).decode()}))
"""

    def post(self, route, body, timeout=60):
        r = subprocess.run(self.lab.wrap("laptop", ["/usr/bin/python3", "-c", self._POST,
                                                    str(self.port), str(timeout * SCALE),
                                                    "/api/setup/" + route, json.dumps(body)]),
                           capture_output=True, text=True, timeout=(timeout + 10) * SCALE)
        assert r.returncode == 0, "HTTP client failed: %s\nlog:\n%s" % (r.stderr, self.log())
        out = json.loads(r.stdout)
        return out["status"], json.loads(base64.b64decode(out["body"]))


@pytest.fixture
def wizard(lab, client):
    started = []

    def start(extra_env=None):
        s = SetupSeeki(lab, client, seeki_env(client, extra_env))
        started.append(s)
        s.start()
        assert "No config found" in s.log()
        return s

    yield start
    for s in started:
        if s.alive():
            s.stop_and_check()


def body_for(lab, client, ssh, secrets=None, db_port=None):
    """The wizard's body: the lab database as the bastion sees it, its password
    in secrets (never in the URL), and an [ssh] block for this lab."""
    host = lab.db_addr if ":" not in lab.db_addr else "[%s]" % lab.db_addr
    s = {"host": lab.bastion_addr, "port": lab.sshd_port, "username": lab.user}
    s.update(ssh)
    sec = {"database": {"password": DB_PASS}}
    for k, v in (secrets or {}).items():
        sec.setdefault(k, {}).update(v)
    return {"database": {"kind": "postgres",
                         "url": "postgres://%s@%s:%d/%s" % (DB_USER, host,
                                                            db_port or lab.pg.port, DB_NAME)},
            "ssh": s, "secrets": sec}


def test_unknown_key_409_then_accepted_and_written_on_save_only(lab, client, wizard):
    key = client.keygen()
    fp = lab.hostkey_fingerprint()
    s = wizard()
    body = body_for(lab, client, {"auth_method": "key", "key_path": key})
    code, r = s.post("test-connection", body)
    assert code == 409, r
    assert r["step"] == "host_key" and r["host_key"] == fp, r
    assert not os.path.exists(client.known_hosts()), "testing must never write known_hosts"
    # a wrong fingerprint does not pass either
    code, r = s.post("test-connection", dict(body, accept_host_key="SHA256:" + "A" * 43))
    assert code == 409 and r["host_key"] == fp, r
    code, r = s.post("test-connection", dict(body, accept_host_key=fp))
    assert code == 200, r
    assert r["tunnel"] == {"host_key": fp}
    public = {x["name"]: x["tables"] for x in r["schemas"]}["public"]
    drivers = [t for t in public if t["name"] == "drivers"]
    assert drivers and drivers[0]["kind"] == "table", public
    assert not os.path.exists(client.known_hosts()), "an accepted key waits for save"
    code, r = s.post("save", dict(body, accept_host_key=fp))
    assert code == 201, r
    cfg = r["config_path"]
    assert cfg == os.path.join(client.home, ".config", "seeki", "config.toml")
    kh = client.known_hosts()
    assert stat.S_IMODE(os.stat(kh).st_mode) == 0o600
    listed = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", kh],
                            capture_output=True, text=True, check=True).stdout
    assert fp in listed, listed
    text = open(cfg).read()
    assert DB_PASS not in text and "[ssh]" in text
    secrets = os.path.join(os.path.dirname(cfg), ".seeki.secrets")
    assert stat.S_IMODE(os.stat(secrets).st_mode) == 0o600 and DB_PASS in open(secrets).read()
    st = s.get_json("/api/status")
    assert st["mode"] == "normal" and st["tunnel"]["state"] == "up", st
    assert st["database"] == {"kind": "postgres", "connected": True}
    page = s.get_json("/api/tables/drivers/rows?page_size=2")
    assert page["total_rows"] == 500 and page["rows"][0] == {"id": 1, "name": "driver 1"}
    s.stop_and_check()
    assert_clean(s.log())
    # a restart loads the saved config and the tunnel, no wizard, no new key prompt
    again = NsSeeki(lab, client, seeki_env(client))
    again.args = ["--port", "0"]
    again.start()
    try:
        assert "No config found" not in again.log()
        assert again.get_json("/api/status")["tunnel"]["state"] == "up"
    finally:
        again.stop_and_check()


def test_changed_key_is_refused_even_when_accepted(lab, client, wizard):
    key = client.keygen()
    fp = lab.hostkey_fingerprint()
    other = os.path.join(client.home, "other")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other], check=True)
    os.makedirs(os.path.dirname(client.known_hosts()), mode=0o700, exist_ok=True)
    entry = "[%s]:%d %s" % (lab.bastion_addr, lab.sshd_port, open(other + ".pub").read())
    with open(client.known_hosts(), "w") as f:
        f.write(entry)
    s = wizard()
    body = body_for(lab, client, {"auth_method": "key", "key_path": key})
    for extra in ({}, {"accept_host_key": fp}):
        code, r = s.post("test-connection", dict(body, **extra))
        assert code == 422, r
        assert r["step"] == "host_key" and "host_key" not in r, r
        assert r["error"].startswith("Host key verification failed"), r
        assert fp in r["error"], r
    code, r = s.post("save", dict(body, accept_host_key=fp))
    assert code == 422 and r["step"] == "host_key", r
    assert open(client.known_hosts()).read() == entry, "known_hosts must stay untouched"
    assert not os.path.exists(os.path.join(client.home, ".config", "seeki", "config.toml"))


def test_agent_and_encrypted_key_auth(lab, client, wizard):
    key = client.keygen(passphrase=PASSPHRASE)
    fp = lab.hostkey_fingerprint()
    sock = start_ssh_agent(client)
    ssh_add(client, sock, key, PASSPHRASE)
    s = wizard({"SSH_AUTH_SOCK": sock})
    code, r = s.post("test-connection", dict(body_for(lab, client, {"auth_method": "agent"}),
                                             accept_host_key=fp))
    assert code == 200, r
    # the same key from its file: without the passphrase it is step auth
    kb = body_for(lab, client, {"auth_method": "key", "key_path": key})
    code, r = s.post("test-connection", dict(kb, accept_host_key=fp))
    assert code == 422 and r["step"] == "auth", r
    assert "Passphrase-protected" in r["error"], r
    kb = body_for(lab, client, {"auth_method": "key", "key_path": key},
                  secrets={"ssh": {"key_passphrase": PASSPHRASE}})
    code, r = s.post("test-connection", dict(kb, accept_host_key=fp))
    assert code == 200, r
    assert_clean(s.log())


def test_password_auth_and_a_wrong_password(lab, client, wizard):
    fp = lab.hostkey_fingerprint()
    harness.register_secret("not-the-ssh-pw", lab.password)
    s = wizard()
    body = body_for(lab, client, {"auth_method": "password"},
                    secrets={"ssh": {"password": "not-the-ssh-pw"}})
    code, r = s.post("test-connection", dict(body, accept_host_key=fp))
    assert code == 422 and r["step"] == "auth", r
    body = body_for(lab, client, {"auth_method": "password"},
                    secrets={"ssh": {"password": lab.password}})
    code, r = s.post("test-connection", dict(body, accept_host_key=fp))
    assert code == 200, r


def test_database_the_bastion_cannot_reach_is_step_forward(lab, client, wizard):
    key = client.keygen()
    fp = lab.hostkey_fingerprint()
    s = wizard()
    body = body_for(lab, client, {"auth_method": "key", "key_path": key}, db_port=1)
    code, r = s.post("test-connection", dict(body, accept_host_key=fp))
    assert code == 422, r
    assert r["step"] == "forward" and r["error"].startswith("Port forward failed"), r


def test_browser_walks_the_wizard_through_the_bastion(lab, client, wizard):
    """Chromium, run inside the laptop namespace like seeki, walks the four
    steps with a tunnel: the real fingerprint is shown and accepted, and the
    page ends in the grid of a table read through the bastion."""
    if not os.path.exists(os.path.join(netns_root(), "node_modules", "playwright-core")):
        pytest.fail("node_modules/playwright-core is missing: run npm ci (scripts/install-deps "
                    "--test does)")
    key = client.keygen()
    s = wizard()
    wrapper = os.path.join(client.home, "chromium-in-laptop")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec %s \"$@\"\n" % " ".join(lab.wrap("laptop", ["/usr/bin/chromium"])))
    os.chmod(wrapper, 0o755)
    host = lab.db_addr if ":" not in lab.db_addr else "[%s]" % lab.db_addr
    params = {"ssh_host": lab.bastion_addr, "ssh_port": lab.sshd_port, "ssh_user": lab.user,
              "key_path": key, "db_password": DB_PASS, "fingerprint": lab.hostkey_fingerprint(),
              "db_url": "postgres://%s@%s:%d/%s" % (DB_USER, host, lab.pg.port, DB_NAME)}
    env = dict(os.environ, CHROMIUM_WRAPPER=wrapper)
    r = subprocess.run(["node", os.path.join(netns_root(), "tests", "tunnel", "wizard_browser.mjs"),
                        "http://127.0.0.1:%d/" % s.port, json.dumps(params)],
                       capture_output=True, text=True, env=env, timeout=180 * SCALE)
    assert r.returncode == 0, "browser run failed:\n%s\n%s\nseeki log:\n%s" % (
        r.stdout, r.stderr[-3000:], s.log()[-3000:])
    assert "grid shown" in r.stdout
    assert os.path.exists(client.known_hosts())
    assert s.get_json("/api/status")["tunnel"]["state"] == "up"
    assert_clean(s.log())


def netns_root():
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
