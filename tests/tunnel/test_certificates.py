"""OpenSSH user certificates (issue #19): ssh.certificate_path, KEY-cert.pub
beside the key, CertificateFile in ~/.ssh/config, offered with the key to a
real sshd that trusts a user CA (TrustedUserCAKeys, tests/harness/netns.py).
The keys here are NOT in authorized_keys: only the certificate can get in.
libssh 0.10 cannot read a certificate's validity or principals, so an
expired or wrong-principal certificate is refused by the bastion and SeeKi's
message names the certificate and the `ssh-keygen -L` check."""
import os
import shutil

from test_tunnel import error_line


def cert_key(client, lab, name="id_cert", principals=None, validity="+1h"):
    key = client.keygen(name, authorize=False)
    cert = lab.sign_user_key(key + ".pub", principals or [lab.user], validity)
    return key, cert


def test_certificate_beside_the_key_is_offered(client, lab):
    key, cert = cert_key(client, lab)
    assert os.path.exists(cert)
    client.write_config({"key_path": "~/keys/id_cert"})
    before = len(lab.read_sshd_log())
    p = client.start()
    assert p.cmd("query SELECT 12") == "OK 12"
    assert p.quit() == 0
    assert "ED25519-CERT" in lab.read_sshd_log()[before:], "sshd did not see a certificate"


def test_certificate_path_and_certificate_file(client, lab):
    key, cert = cert_key(client, lab)
    elsewhere = os.path.join(client.home, "certs", "mine-cert.pub")
    os.makedirs(os.path.dirname(elsewhere))
    shutil.move(cert, elsewhere)
    # without it nothing gets in (the key is not authorized)
    client.write_config({"key_path": "~/keys/id_cert"})
    rc, out, _ = client.fail()
    assert rc == 1 and "authentication: the bastion did not accept key" in out, out
    client.write_config({"key_path": "~/keys/id_cert", "certificate_path": "~/certs/mine-cert.pub"})
    p = client.start()
    assert p.cmd("query SELECT 13") == "OK 13"
    assert p.quit() == 0
    # CertificateFile from ~/.ssh/config
    os.makedirs(os.path.join(client.home, ".ssh"), mode=0o700, exist_ok=True)
    with open(os.path.join(client.home, ".ssh", "config"), "w") as f:
        f.write("Host %s\n  CertificateFile ~/certs/mine-cert.pub\n" % lab.bastion_addr)
    client.write_config({"key_path": "~/keys/id_cert"})
    p = client.start()
    assert p.cmd("query SELECT 14") == "OK 14"
    assert p.quit() == 0


def _refused(client, lab, cert):
    rc, out, _ = client.fail()
    assert rc == 1, out
    err = error_line(out)
    assert err.startswith("ERROR cli: SSH connection failed (host=%s:%d, user=%s): "
                          "authentication: the bastion did not accept key '%s' (also with "
                          "certificate '%s') for user %s. The certificate may have expired, "
                          "not list %s as a principal"
                          % (lab.bastion_addr, lab.sshd_port, lab.user,
                             os.path.join(client.keys, "id_cert"), cert, lab.user,
                             lab.user)), err
    assert "`ssh-keygen -L -f %s`" % cert in err
    return err


def test_expired_certificate_is_refused_naming_it(client, lab):
    key, cert = cert_key(client, lab, validity="20200101:20200102")
    client.write_config({"key_path": "~/keys/id_cert"})
    _refused(client, lab, cert)


def test_wrong_principal_is_refused_naming_it(client, lab):
    key, cert = cert_key(client, lab, principals=["someone-else"])
    client.write_config({"key_path": "~/keys/id_cert"})
    _refused(client, lab, cert)


def test_unreadable_certificate_path_is_named(client, lab):
    client.keygen("id_cert", authorize=False)
    client.write_config({"key_path": "~/keys/id_cert", "certificate_path": "~/nope-cert.pub"})
    rc, out, _ = client.fail()
    assert rc == 1
    assert error_line(out).startswith("ERROR cli: Cannot load SSH certificate '%s/nope-cert.pub':"
                                      % client.home), out
