"""Round-1 review debts of the tunnel (issue #19), each against the real sshd
of tests/harness/netns.py through tunnel_probe:
- an explicit ssh.port / ssh.username in seeki.toml beats ~/.ssh/config,
  even when it is the default value (port = 22);
- a channel open that hangs after startup is given up after
  ssh.connect_timeout_seconds (the client is closed, the reason logged);
- tunnel_close during a reconnect does not wait for the connect timeout."""
import os
import signal
import time

import pytest

import netns


def _needs_netns(lab):
    if lab.loopback:
        pytest.skip("loopback fallback: needs the private network")


def test_explicit_port_22_and_username_beat_ssh_config(client, lab):
    _needs_netns(lab)
    client.keygen()
    os.makedirs(os.path.join(client.home, ".ssh"), mode=0o700)
    with open(os.path.join(client.home, ".ssh", "config"), "w") as f:
        # nothing listens on 2299: following this Port would fail to connect
        f.write("Host %s\n  Port 2299\n  User nobody\n" % lab.bastion_addr)
    client.write_config({"key_path": "~/keys/id_ed25519", "port": 22})
    assert "port = 22\n" in open(client.cfg).read()
    p = client.start()
    assert p.status()["bastion"] == "%s@%s:22" % (lab.user, lab.bastion_addr)
    assert p.cmd("query SELECT 22") == "OK 22"
    assert p.quit() == 0
    # without port in seeki.toml the Port line applies (and fails: nothing there)
    client.write_config({"key_path": "~/keys/id_ed25519", "port": None})
    rc, out, _ = client.fail()
    assert rc == 1
    assert "SSH connection failed (host=%s:2299, user=%s): connect: " % (
        lab.bastion_addr, lab.user) in out, out


def test_channel_open_that_hangs_after_startup_times_out(client, lab):
    _needs_netns(lab)
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519", "connect_timeout_seconds": 2})
    p = client.start()
    assert p.cmd("query SELECT 1") == "OK 1"
    lab.blackhole("bastion", netns.DB_ADDR)   # the bastion's connects to the db now hang
    try:
        r = p.cmd("query SELECT 2", timeout=60)
        assert r.startswith("FAIL"), r
        # the tunnel gave the client up (libpq's own connect_timeout is 10 s and
        # would say "timeout expired")
        assert "timeout expired" not in r, r
        want = ("Port forward failed: the bastion could not reach %s:%d (no answer within 2 s "
                "(ssh.connect_timeout_seconds)" % (netns.DB_ADDR, lab.pg.port))
        deadline = time.time() + 5
        while want not in p.stderr() and time.time() < deadline:
            time.sleep(0.1)
        assert want in p.stderr(), p.stderr()
        assert p.status()["state"] == "up", "one hanging forward must not drop the session"
    finally:
        lab.blackhole("bastion", netns.DB_ADDR, on=False)
    assert p.cmd("query SELECT 3") == "OK 3"
    assert p.quit() == 0


def _dial_hangs(lab, pids):
    lab.blackhole("laptop", netns.BASTION_ADDR)
    for pid in pids:
        netns.signal_tree(pid, signal.SIGKILL)
    return lambda: lab.blackhole("laptop", netns.BASTION_ADDR, on=False)


def _handshake_hangs(lab, pids):
    # the listener stops: TCP connects complete (kernel backlog), no banner comes
    os.kill(lab.sshd.pid, signal.SIGSTOP)
    for pid in pids:
        netns.signal_tree(pid, signal.SIGKILL)
    return lambda: os.kill(lab.sshd.pid, signal.SIGCONT)


@pytest.mark.parametrize("stall", [_dial_hangs, _handshake_hangs], ids=["tcp", "handshake"])
def test_close_during_a_reconnect_does_not_wait_the_connect_timeout(client, lab, stall):
    _needs_netns(lab)
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519", "keepalive_seconds": 1,
                         "connect_timeout_seconds": 60})
    p = client.start()
    pids = lab.sshd_sessions()
    assert pids
    undo = stall(lab, pids)
    try:
        assert p.cmd("wait reconnecting 10").startswith("OK")
        time.sleep(2.5)   # the first attempt (after 1 s of backoff) is now in flight
        st = p.status()
        assert st["state"] == "reconnecting" and st["attempt"] == "1", st
        t0 = time.time()
        assert p.quit(timeout=30) == 0
        took = time.time() - t0
    finally:
        undo()
    # a whole connect timeout would be 60 s; 10 s is generous for the shutdown
    assert took < 10, "tunnel_close waited %.1f s during a reconnect" % took
    assert "SSH tunnel reconnect attempt" not in p.stderr(), p.stderr()
