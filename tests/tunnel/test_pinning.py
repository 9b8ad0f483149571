"""ssh.host_key_fingerprint (SPEC §3 "Pinning", issue #19): exactly the pinned
key is accepted for the bastion and known_hosts is neither read nor written
for it, so SeeKi runs with a read-only home (the original SeeKi failed under
systemd ProtectHome=read-only). The home is made read-only with a real
read-only bind mount (root ignores permission bits)."""
import contextlib
import os
import subprocess

import pytest

from test_tunnel import error_line


@contextlib.contextmanager
def read_only(path):
    subprocess.run(["mount", "--bind", path, path], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", path], check=True)
        with pytest.raises(OSError):
            open(os.path.join(path, "probe-write"), "w").close()
        yield
    finally:
        subprocess.run(["umount", path], check=True)


def test_pinned_bastion_works_with_a_read_only_home(client, lab):
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519",
                         "host_key_fingerprint": lab.hostkey_fingerprint()})
    with read_only(client.home):
        p = client.start()
        assert p.cmd("query SELECT 10") == "OK 10"
        st = p.status()
        assert st["host_key"] == lab.hostkey_fingerprint()
        assert p.quit() == 0
        # without the pin the same home cannot record the first contact
        client_cfg = open(client.cfg).read()
        assert "host_key_fingerprint" in client_cfg
    assert not os.path.exists(os.path.join(client.home, ".ssh")), "known_hosts was written"
    assert "Permanently added" not in p.stderr()
    client.write_config({"key_path": "~/keys/id_ed25519"})
    with read_only(client.home):
        rc, out, _ = client.fail()
    assert rc == 1
    assert "Cannot append to known_hosts file '%s'" % client.known_hosts() in error_line(out), out


def test_pin_ignores_known_hosts_entirely(client, lab):
    """A known_hosts line recording another key for the bastion would be a
    changed key; with the pin the file is not even read."""
    client.keygen()
    other = client.keygen("other_host_key", authorize=False)
    with open(other + ".pub") as f:
        typ, b64 = f.read().split()[:2]
    kh = client.known_hosts()
    os.makedirs(os.path.dirname(kh), mode=0o700)
    with open(kh, "w") as f:
        f.write("[%s]:%d %s %s\n" % (lab.bastion_addr, lab.sshd_port, typ, b64))
    before = open(kh).read()
    client.write_config({"key_path": "~/keys/id_ed25519",
                         "host_key_fingerprint": lab.hostkey_fingerprint()})
    p = client.start()
    assert p.cmd("query SELECT 11") == "OK 11"
    assert p.quit() == 0
    assert open(kh).read() == before


def test_wrong_pin_is_refused(client, lab):
    client.keygen()
    other = client.keygen("other_host_key", authorize=False)
    out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", other + ".pub"],
                         capture_output=True, text=True, check=True).stdout
    wrong = out.split()[1]
    client.write_config({"key_path": "~/keys/id_ed25519", "host_key_fingerprint": wrong})
    rc, out, _ = client.fail()
    assert rc == 1
    err = error_line(out)
    assert err.startswith("ERROR cli: Host key verification failed for %s:%d: the bastion offers "
                          "ssh-ed25519 key %s, but ssh.host_key_fingerprint in %s pins %s."
                          % (lab.bastion_addr, lab.sshd_port, lab.hostkey_fingerprint(),
                             client.cfg, wrong)), err
    assert "STEP host_key " in out
    assert not os.path.exists(client.known_hosts())


def test_malformed_pin_is_a_config_error(client, lab):
    client.keygen()
    client.write_config({"key_path": "~/keys/id_ed25519", "host_key_fingerprint": "MD5:12:34"})
    rc, out, _ = client.fail()
    assert rc != 0
    assert "`ssh.host_key_fingerprint` must be a SHA256 fingerprint" in out, out
