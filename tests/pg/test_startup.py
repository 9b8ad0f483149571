"""Startup against unreachable or misconfigured PostgreSQL: exit 1 with the
troubleshooting message, never the password or URL; `seeki check`."""
import pytest

from harness import run_seeki
from pgserver import free_port

from conftest import DB, READER, READER_PW, Env, config


def start_fails(url, secrets=None):
    env = Env(config(url), secrets=secrets)
    try:
        cp = run_seeki(["--config", str(env.config), "--port", "0"], env.env, env.dir, timeout=30)
    finally:
        env.close()
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    return cp.stderr


def test_connection_refused():
    port = free_port()
    err = start_fails("postgres://bob:sekrit-pw@127.0.0.1:%d/shop" % port)
    assert ("Database connection failed (host=127.0.0.1:%d db=shop user=bob): connection "
            "refused. Is PostgreSQL running and listening on 127.0.0.1:%d?" % (port, port)) in err
    assert "sekrit-pw" not in err and "postgres://" not in err


def test_authentication_failed(pg):
    err = start_fails(pg.url(user=READER, password="wrong-pw-123", db=DB))
    assert "authentication failed" in err and "database.password" in err, err
    assert "wrong-pw-123" not in err


def test_no_such_database(pg):
    err = start_fails(pg.url(user=READER, password=READER_PW, db="nope_db"))
    assert 'database "nope_db" does not exist' in err, err


def test_sslmode_require_against_non_ssl_server(pg):
    err = start_fails(pg.url(user=READER, password=READER_PW, db=DB, extra="?sslmode=require"))
    assert "SSL" in err and "sslmode" in err, err


def test_password_from_secrets_file(pg):
    url = "postgres://%s@127.0.0.1:%d/%s" % (READER, pg.port, DB)
    env = Env(config(url, extra='[tables]\nexclude = ["secret_stuff", "slow"]\n'),
              secrets='[database]\npassword = "%s"\n' % READER_PW)
    try:
        cp = run_seeki(["check", "--config", str(env.config)], env.env, env.dir, timeout=30)
    finally:
        env.close()
    out = cp.stdout + cp.stderr
    assert cp.returncode == 0, out
    lines = [l for l in cp.stdout.splitlines() if l.strip()]
    steps = [l for l in lines if l.startswith("✓")]
    assert "✗" not in out and len(steps) >= 3, out  # config, database, every table
    assert any("Database: connected to postgres" in l for l in steps), out
    assert READER_PW not in out
