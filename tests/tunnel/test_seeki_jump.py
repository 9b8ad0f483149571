"""The real seeki binary through the two-hop chain of tests/harness/netns.py
(far laptop -> edge -> inner bastion -> database): /api/tables served through
it, /api/status.tunnel with hops, host_key and last_keepalive_rtt_ms, and
`seeki check` printing one line per hop and stage."""
import json
import os
import subprocess
import time

import pytest

import netns
from test_jump_hosts import chain_config, hop1, hop2
from test_seeki_tunnel import (NsSeeki, assert_clean, browse_and_check, run_seeki_once,
                               seeki_env, slab)  # noqa: F401  (slab is a fixture)
import harness

SCALE = harness.SCALE


class FarSeeki(NsSeeki):
    """seeki in the far namespace (behind the edge)."""

    def command(self):
        return self.lab.wrap("far", [harness.BIN] + self.args)

    def get(self, *paths, timeout=30):
        r = subprocess.run(self.lab.wrap("far", ["/usr/bin/python3", "-c", self._CODE,
                                                 str(self.port), str(timeout * SCALE)]
                                         + list(paths)),
                           capture_output=True, text=True, timeout=(timeout + 10) * SCALE)
        assert r.returncode == 0, "HTTP client failed: %s" % r.stderr
        import base64
        out = []
        for item in json.loads(r.stdout):
            assert item["status"] is not None, "GET failed (%s); log:\n%s" % (
                item.get("error"), self.log()[-4000:])
            out.append((item["status"], item["ctype"], base64.b64decode(item["body"])))
        return out


@pytest.fixture
def edge(slab):
    if slab.loopback:
        pytest.skip("loopback fallback: the jump-host chain needs the private network")
    return slab.start_edge()


def test_seeki_serves_tables_through_two_hops(slab, client, edge):
    lab = slab
    chain_config(client, lab, edge, ssh={"keepalive_seconds": 1})
    s = FarSeeki(lab, client, seeki_env(client))
    try:
        s.start()
        browse_and_check(s, lab)
        want_hops = ["%s@%s" % (edge.user, hop1(edge)), "%s@%s" % (lab.user, hop2(lab))]
        # a quiet line for over a keepalive interval (each /api/status pings
        # the database, which is traffic too): a keepalive is sent and answered
        time.sleep(3)
        t = s.get_json("/api/status")["tunnel"]
        assert t["state"] == "up" and t["bastion"] == want_hops[1], t
        assert t["hops"] == want_hops, t
        assert t["host_key"] == lab.hostkey_fingerprint(), t
        assert isinstance(t["last_keepalive_rtt_ms"], int) and t["last_keepalive_rtt_ms"] >= 0, t
        s.stop_and_check()
        assert_clean(s.log())
    finally:
        if s.alive():
            s.kill()


def test_seeki_check_prints_every_hop_and_stage(slab, client, edge):
    lab = slab
    chain_config(client, lab, edge)
    env = seeki_env(client)
    r = subprocess.run(lab.wrap("far", [harness.BIN, "check", "--config", client.cfg]), env=env,
                       cwd=client.home, capture_output=True, text=True, timeout=60 * SCALE)
    assert r.returncode == 0, r.stdout + r.stderr
    ok = "\u2713 "
    h1 = "SSH hop 1 of 2 (%s@%s): " % (edge.user, hop1(edge))
    h2 = "SSH hop 2 of 2 (%s@%s): " % (lab.user, hop2(lab))
    want = [ok + "Config: ", ok + "SSH settings: resolved",
            ok + h1 + "DNS %s resolved to %s (" % (netns.EDGE_NAME, netns.EDGE_ADDR),
            ok + h1 + "TCP connect (", ok + h1 + "handshake, ",
            ok + h1 + "host key, %s verified against known_hosts (" % edge.hostkey_fingerprint(),
            ok + h1 + "authentication (",
            ok + h2 + "TCP connect, via hop 1 (", ok + h2 + "handshake, ",
            ok + h2 + "host key, %s verified against known_hosts (" % lab.hostkey_fingerprint(),
            ok + h2 + "authentication (",
            ok + h2 + "the bastion reaches the database at %s:%d, as the bastion resolves it ("
            % (lab.db_addr, lab.pg.port),
            ok + "SSH tunnel: up via %s@%s on 127.0.0.1:" % (lab.user, hop2(lab)),
            ok + "Database: connected to postgres (", ok + "Read access: ",
            "All checks passed."]
    lines = r.stdout.splitlines()
    assert len(lines) == len(want), r.stdout
    for line, w in zip(lines, want):
        assert line.startswith(w), "want %r, got %r\n%s" % (w, line, r.stdout)
    assert_clean(r.stdout + r.stderr)

    # hop 2 refuses the user: hop 1 passes every stage, hop 2 fails at authentication
    client.write_config({"host": netns.BASTION_NAME_ON_EDGE, "port": lab.sshd_port,
                         "username": "nosuchuser", "key_path": "~/keys/id_ed25519",
                         "jump": ["%s@%s" % (edge.user, hop1(edge))]})
    r = subprocess.run(lab.wrap("far", [harness.BIN, "check", "--config", client.cfg]), env=env,
                       cwd=client.home, capture_output=True, text=True, timeout=60 * SCALE)
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    h2 = "SSH hop 2 of 2 (nosuchuser@%s): " % hop2(lab)
    assert [l[:2] for l in lines[2:7]] == [ok[:2]] * 5, r.stdout
    assert lines[10].startswith("\u2717 " + h2 + "authentication failed after "), r.stdout
    assert ("SSH connection failed (hop 2 of 2, host=%s, user=nosuchuser): authentication: "
            % hop2(lab)) in lines[10], r.stdout
    assert "Try `ssh -J %s@%s -p %d nosuchuser@%s`" % (edge.user, hop1(edge), lab.sshd_port,
                                                      netns.BASTION_NAME_ON_EDGE) in lines[10]
    assert not any("Database" in l for l in lines)
