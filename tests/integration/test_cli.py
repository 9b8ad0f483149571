"""The seeki command line as a process (SPEC §1, §2): version/help/options,
exit codes and messages for bad configurations, `seeki check`, the secrets
file permission check, lookup order, bind overrides and clean shutdown."""
import os
import re
import signal
import socket
import subprocess
import time

import pytest

import fixture_db as F
from harness import BIN, REPO, SCALE, SeekiServer, register_secret, run_seeki, running

VERSION = (REPO / "VERSION").read_text().strip()
PASSWORD = "Sup3r-S3cret-Pw"
register_secret(PASSWORD)


def write_config(dirpath, text, name="seeki.toml"):
    p = dirpath / name
    p.write_text(text)
    return p


def sqlite_config(db_path, extra=""):
    return '[database]\nkind = "sqlite"\nurl = "sqlite://%s"\n%s' % (db_path, extra)


def combined(cp):
    return cp.stdout + cp.stderr


# --- version, help, options -------------------------------------------------------

def test_version(tmp):
    cp = run_seeki(["--version"], tmp.env, tmp.path)
    assert cp.returncode == 0, cp.stderr
    assert re.fullmatch(r"seeki \d+\.\d+\.\d+\n?", cp.stdout), repr(cp.stdout)
    assert cp.stdout.strip() == "seeki " + VERSION


def test_help(tmp):
    cp = run_seeki(["--help"], tmp.env, tmp.path)
    assert cp.returncode == 0, cp.stderr
    out = combined(cp)
    for word in ("--config", "--demo", "--port", "--host", "check", "--version"):
        assert word in out, "--help does not mention %s:\n%s" % (word, out)


def test_unknown_option_exit_2_with_hint(tmp):
    cp = run_seeki(["--frobnicate"], tmp.env, tmp.path)
    assert cp.returncode == 2, (cp.returncode, cp.stderr)
    assert "--frobnicate" in cp.stderr, cp.stderr
    assert "--help" in cp.stderr, cp.stderr


def test_option_missing_its_value_exit_2(tmp):
    cp = run_seeki(["--config"], tmp.env, tmp.path)
    assert cp.returncode == 2, (cp.returncode, cp.stderr)
    assert "--config" in cp.stderr, cp.stderr


@pytest.mark.parametrize("port", ["abc", "70000", "-1"])
def test_bad_port_option_rejected(tmp, port):
    db = tmp.path / "f.db"
    F.build(str(db))
    cfg = write_config(tmp.path, sqlite_config(db))
    cp = run_seeki(["--config", str(cfg), "--port", port], tmp.env, tmp.path)
    assert cp.returncode == 2, (cp.returncode, cp.stderr)
    assert "--port" in cp.stderr and port in cp.stderr, cp.stderr


# --- configuration errors ---------------------------------------------------------

def test_missing_database_file_exit_1_names_path(tmp):
    missing = tmp.path / "no-such-dir" / "missing.db"
    cfg = write_config(tmp.path, sqlite_config(missing))
    cp = run_seeki(["--config", str(cfg), "--port", "0"], tmp.env, tmp.path)
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    assert str(missing) in cp.stderr, cp.stderr
    assert not (tmp.path / "no-such-dir").exists(), "seeki created the database directory"


def test_malformed_toml_exit_1_with_line_and_column(tmp):
    cfg = write_config(tmp.path, '[database]\nkind "sqlite"\nurl = "sqlite:///x.db"\n')
    cp = run_seeki(["--config", str(cfg), "--port", "0"], tmp.env, tmp.path)
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    assert re.search(r"seeki\.toml:2:\d+", cp.stderr), cp.stderr


def test_unclosed_string_exit_1_with_line(tmp):
    cfg = write_config(tmp.path, '[database]\nkind = "sqlite"\nurl = "sqlite:///x.db\n'
                                 '[server]\nport = 3141\n')
    cp = run_seeki(["--config", str(cfg), "--port", "0"], tmp.env, tmp.path)
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    assert re.search(r"seeki\.toml:3:\d+", cp.stderr), cp.stderr


def test_unknown_table_key_suggests_nearest(tmp):
    db = tmp.path / "f.db"
    F.build(str(db))
    cfg = write_config(tmp.path, '[server]\nport = 3141\n\n[databse]\nkind = "sqlite"\n'
                                 'url = "sqlite://%s"\n' % db)
    cp = run_seeki(["--config", str(cfg), "--port", "0"], tmp.env, tmp.path)
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    assert re.search(r"seeki\.toml:4:\d+", cp.stderr), cp.stderr
    assert "did you mean 'database'" in cp.stderr, cp.stderr


def test_unknown_nested_key_suggests_nearest(tmp):
    db = tmp.path / "f.db"
    F.build(str(db))
    cfg = write_config(tmp.path, sqlite_config(db, "\n[server]\nprot = 3141\n"))
    cp = run_seeki(["--config", str(cfg), "--port", "0"], tmp.env, tmp.path)
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    assert re.search(r"seeki\.toml:6:\d+", cp.stderr), cp.stderr
    assert "prot" in cp.stderr, cp.stderr
    assert re.search(r"did you mean '(server\.)?port'", cp.stderr), cp.stderr


def test_invalid_value_names_key(tmp):
    db = tmp.path / "f.db"
    F.build(str(db))
    cfg = write_config(tmp.path, sqlite_config(db, "\n[server]\nport = 70000\n"))
    cp = run_seeki(["--config", str(cfg)], tmp.env, tmp.path)
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    assert "port" in cp.stderr and "70000" in cp.stderr, cp.stderr
    assert re.search(r"seeki\.toml:6:\d+", cp.stderr), cp.stderr


def test_config_option_missing_file_exit_1_names_it(tmp):
    missing = tmp.path / "nowhere" / "seeki.toml"
    cp = run_seeki(["--config", str(missing), "--port", "0"], tmp.env, tmp.path)
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    assert str(missing) in cp.stderr, cp.stderr


def test_secrets_file_too_open_exit_1_chmod_600(tmp):
    db = tmp.path / "f.db"
    F.build(str(db))
    cfg = write_config(tmp.path, sqlite_config(db))
    secrets = tmp.path / ".seeki.secrets"
    secrets.write_text('[database]\npassword = "%s"\n' % PASSWORD)
    os.chmod(secrets, 0o644)
    cp = run_seeki(["--config", str(cfg), "--port", "0"], tmp.env, tmp.path)
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    assert "chmod 600" in cp.stderr, cp.stderr
    assert str(secrets) in cp.stderr, cp.stderr
    assert "0644" in cp.stderr, cp.stderr
    assert PASSWORD not in combined(cp)


def test_secrets_file_0600_accepted(tmp):
    db = tmp.path / "f.db"
    F.build(str(db))
    cfg = write_config(tmp.path, sqlite_config(db))
    secrets = tmp.path / ".seeki.secrets"
    secrets.write_text('[database]\npassword = "%s"\n' % PASSWORD)
    os.chmod(secrets, 0o600)
    srv = SeekiServer(["--config", str(cfg), "--port", "0"], tmp.env, tmp.path)
    with running(srv):
        assert srv.client().get_json("/api/status")["mode"] == "normal"
    assert PASSWORD not in srv.log()


def test_password_never_logged_for_postgres_url(tmp):
    # Port 1 on loopback refuses at once; without PostgreSQL support the start
    # fails earlier. Either way: exit 1 and the password appears nowhere.
    cfg = write_config(tmp.path, '[database]\nkind = "postgres"\n'
                                 'url = "postgres://seeki:%s@127.0.0.1:1/fleet"\n' % PASSWORD)
    env = dict(tmp.env, SEEKI_LOG="trace")
    cp = run_seeki(["--config", str(cfg), "--port", "0"], env, tmp.path, timeout=30)
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    assert PASSWORD not in combined(cp), combined(cp)
    cp = run_seeki(["check", "--config", str(cfg)], env, tmp.path, timeout=30)
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    assert PASSWORD not in combined(cp), combined(cp)


# --- seeki check ------------------------------------------------------------------

def test_check_good_config_exit_0(tmp):
    db = tmp.path / "f.db"
    F.build(str(db))
    cfg = write_config(tmp.path, sqlite_config(db))
    cp = run_seeki(["check", "--config", str(cfg)], tmp.env, tmp.path)
    out = combined(cp)
    assert cp.returncode == 0, out
    assert "✓" in out and "✗" not in out, out
    assert "SeeKi listening" not in out  # check serves nothing


def test_check_missing_database_exit_1(tmp):
    missing = tmp.path / "missing.db"
    cfg = write_config(tmp.path, sqlite_config(missing))
    cp = run_seeki(["check", "--config", str(cfg)], tmp.env, tmp.path)
    out = combined(cp)
    assert cp.returncode == 1, out
    assert "✗" in out, out
    assert str(missing) in out, out
    assert "✓" in out, "the config step itself passed and should say so:\n" + out


def test_check_malformed_config_exit_1(tmp):
    cfg = write_config(tmp.path, '[database\nurl = 1\n')
    cp = run_seeki(["check", "--config", str(cfg)], tmp.env, tmp.path)
    out = combined(cp)
    assert cp.returncode == 1, out
    assert "✗" in out and re.search(r"seeki\.toml:1:\d+", out), out


# --- lookup order, setup mode, binding, signals ------------------------------------

def test_config_found_in_current_directory(tmp):
    db = tmp.path / "f.db"
    F.build(str(db))
    write_config(tmp.path, sqlite_config(db))
    srv = SeekiServer(["--port", "0"], tmp.env, tmp.path)
    with running(srv):
        c = srv.client()
        assert c.get_json("/api/status")["mode"] == "normal"
        assert c.rows("drivers")["total_rows"] == len(F.DRIVERS)


def test_config_found_in_xdg_config_home(tmp):
    db = tmp.path / "f.db"
    F.build(str(db))
    d = tmp.path / "home" / ".config" / "seeki"
    d.mkdir(parents=True)
    write_config(d, sqlite_config(db), name="config.toml")
    cwd = tmp.path / "empty"
    cwd.mkdir()
    srv = SeekiServer(["--port", "0"], tmp.env, cwd)
    with running(srv):
        assert srv.client().rows("drivers")["total_rows"] == len(F.DRIVERS)


def test_no_config_starts_setup_mode(tmp):
    cwd = tmp.path / "empty"
    cwd.mkdir()
    srv = SeekiServer(["--port", "0"], tmp.env, cwd)
    with running(srv):
        c = srv.client()
        assert c.get_json("/api/status")["mode"] == "setup"
        r = c.get("/api/tables")
        assert r.status == 503, r.body
        assert "setup mode" in r.json()["error"]


def test_host_override_binds_there(tmp):
    db = tmp.path / "f.db"
    F.build(str(db))
    cfg = write_config(tmp.path, sqlite_config(db))
    srv = SeekiServer(["--config", str(cfg), "--host", "127.0.0.2", "--port", "0"],
                      tmp.env, tmp.path)
    with running(srv):
        assert srv.host == "127.0.0.2", srv.log()
        c = srv.client()
        r = c.get("/api/status", headers={"Host": "127.0.0.2:%d" % srv.port})
        assert r.status == 200, r.body


def test_seeki_bind_env_overrides_server_section(tmp):
    db = tmp.path / "f.db"
    F.build(str(db))
    cfg = write_config(tmp.path, sqlite_config(db, '\n[server]\nhost = "127.0.0.1"\n'
                                                   'port = 3141\n'))
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    env = dict(tmp.env, SEEKI_BIND="127.0.0.1:%d" % port)
    srv = SeekiServer(["--config", str(cfg)], env, tmp.path)
    with running(srv):
        assert srv.port == port, srv.log()
        assert srv.client().get_json("/api/status")["mode"] == "normal"


def test_debug_log_has_one_line_per_request(tmp):
    db = tmp.path / "f.db"
    F.build(str(db))
    cfg = write_config(tmp.path, sqlite_config(db))
    env = dict(tmp.env, SEEKI_LOG="debug")
    srv = SeekiServer(["--config", str(cfg), "--port", "0"], env, tmp.path)
    with running(srv):
        c = srv.client()
        assert c.get("/api/tables/drivers/columns").status == 200
        assert c.get("/api/tables/nope/rows").status == 404
        time.sleep(0.2)
        log = srv.log()
    assert re.search(r"^DEBUG http: .*GET /api/tables/drivers/columns.* 200\b", log, re.M), log
    assert re.search(r"^DEBUG http: .*GET /api/tables/nope/rows.* 404\b", log, re.M), log


def test_busy_port_exit_1_with_advice(tmp, server_proc):
    cp = run_seeki(["--config", str(server_proc_config(server_proc)), "--port",
                    str(server_proc.port)], tmp.env, tmp.path)
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    assert str(server_proc.port) in cp.stderr, cp.stderr
    assert "--port" in cp.stderr or "SEEKI_BIND" in cp.stderr, cp.stderr


def server_proc_config(srv):
    return srv.args[srv.args.index("--config") + 1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_clean_shutdown_exit_0(fixture_env, sig):
    srv = fixture_env.server()
    try:
        srv.start()
        assert srv.client().rows("drivers")["total_rows"] == len(F.DRIVERS)
    except BaseException:
        srv.kill()
        raise
    srv.stop_and_check(sig)  # exit code 0, no sanitizer report


def test_shutdown_while_export_in_flight(fixture_env):
    """SIGTERM while a CSV export is being read still exits 0 without leaks."""
    srv = fixture_env.server()
    try:
        srv.start()
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        s.sendall(b"GET /api/export/events/csv HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"
                  % srv.port)
        first = s.recv(100)
        assert first.startswith(b"HTTP/1.1 200"), first
    except BaseException:
        srv.kill()
        raise
    try:
        srv.stop_and_check(signal.SIGTERM)
    finally:
        s.close()


# --- signals during a slow startup -------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_while_connecting_stops_at_once(tmp, sig):
    """A database that accepts the connection and never answers (connect_timeout=0:
    libpq waits for ever) holds startup in the connect step. A signal must stop
    SeeKi there, with exit 1 and a line naming the step; before the fix the
    signals were blocked until startup finished, so it never stopped."""
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(4)
    port = lst.getsockname()[1]
    cfg = write_config(tmp.path, '[database]\nkind = "postgres"\nurl = '
                       '"postgres://u:pw@127.0.0.1:%d/db?connect_timeout=0"\n' % port)
    proc = subprocess.Popen([BIN, "--config", str(cfg), "--port", "0"], env=tmp.env,
                            cwd=str(tmp.path), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    conn = None
    try:
        lst.settimeout(30)
        conn, _ = lst.accept()  # seeki is now inside the database connect
        proc.send_signal(sig)
        try:
            _, err = proc.communicate(timeout=15 * SCALE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail("seeki did not stop on %s while connecting to the database" % sig.name)
        err = err.decode("utf-8", "replace")
        assert proc.returncode == 1, (proc.returncode, err)
        assert ("INFO cli: received %s while connecting to the database; stopped before SeeKi "
                "was listening" % sig.name) in err, err
        assert "pw@" not in err and "postgres://" not in err, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if conn:
            conn.close()
        lst.close()


@pytest.mark.parametrize("which", ["config", "secrets"])
def test_a_fifo_as_config_or_secrets_is_refused_at_once(tmp, which):
    """Opening a FIFO for reading waits for a writer: SeeKi must refuse it
    (exit 1, one line) instead of hanging. run_seeki fails the test if SeeKi
    does not exit by itself."""
    fifo = tmp.path / ("seeki.toml" if which == "config" else ".seeki.secrets")
    if which == "secrets":
        db = tmp.path / "f.db"
        F.build(str(db))
        cfg = write_config(tmp.path, sqlite_config(db))
    else:
        cfg = fifo
    os.mkfifo(str(fifo), 0o600)
    cp = run_seeki(["--config", str(cfg), "--port", "0"], tmp.env, tmp.path, timeout=15)
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    what = "Config file" if which == "config" else "Secrets file"
    assert "%s '%s' is not a regular file (a FIFO); point SeeKi at a regular file" % (
        what, fifo) in cp.stderr, cp.stderr
