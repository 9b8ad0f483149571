"""A throwaway PostgreSQL 15 server for tests.

initdb into a temp directory, start `postgres` directly (as the `postgres` OS
user when the tests run as root) on a free loopback port, and stop it by PID.
Optionally inside a network namespace (listen on that namespace's address).
Nothing here touches any other PostgreSQL on the machine.
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

PG_BIN = "/usr/lib/postgresql/15/bin"
SUPERUSER = "postgres"
SUPERPASS = "harness-superpass"


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, listen="127.0.0.1", port=None, netns=None):
        self.listen = listen
        self.port = port or free_port()
        self.netns = netns
        self.proc = None
        self.tmp = tempfile.mkdtemp(prefix="seeki-pg-")
        self.data = os.path.join(self.tmp, "data")
        self.sock = os.path.join(self.tmp, "sock")
        self.log = os.path.join(self.tmp, "postgres.log")
        self.as_root = os.geteuid() == 0
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            self.uid, self.gid = pw.pw_uid, pw.pw_gid
            os.chown(self.tmp, self.uid, self.gid)
        os.makedirs(self.sock, exist_ok=True)
        if self.as_root:
            os.chown(self.sock, self.uid, self.gid)

    # -- process helpers -------------------------------------------------
    def _wrap(self, argv):
        """Runs argv as the postgres user (and inside netns when set)."""
        if self.as_root:
            argv = ["setpriv", "--reuid=%d" % self.uid, "--regid=%d" % self.gid,
                    "--init-groups", "--"] + argv
        if self.netns:
            argv = ["ip", "netns", "exec", self.netns] + argv
        return argv

    def initdb(self):
        pwfile = os.path.join(self.tmp, "pw")
        with open(pwfile, "w") as f:
            f.write(SUPERPASS + "\n")
        if self.as_root:
            os.chown(pwfile, self.uid, self.gid)
        subprocess.run(self._wrap([
            PG_BIN + "/initdb", "-D", self.data, "-U", SUPERUSER, "--pwfile", pwfile,
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync"]),
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.unlink(pwfile)
        return self

    def start(self, timeout=30):
        if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
            self.initdb()
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(self._wrap([
            PG_BIN + "/postgres", "-D", self.data, "-p", str(self.port),
            "-k", self.sock, "-c", "listen_addresses=" + self.listen,
            # fsync off keeps loads fast; synchronous_commit stays on: after a bulk
            # load committed asynchronously VACUUM marks no page all-visible, so
            # index-only scans would fetch every heap row.
            "-c", "fsync=off", "-c", "full_page_writes=off",
            "-c", "max_connections=100", "-c", "shared_buffers=128MB",
            "-c", "log_min_messages=warning"]),
            stdout=logf, stderr=logf, start_new_session=True)
        logf.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("postgres exited at startup:\n" + self.read_log())
            r = subprocess.run(self._wrap([PG_BIN + "/pg_isready", "-q", "-h", self.sock,
                                           "-p", str(self.port)]))
            if r.returncode == 0:
                return self
            time.sleep(0.1)
        raise RuntimeError("postgres did not become ready:\n" + self.read_log())

    def stop(self, mode=signal.SIGINT, timeout=20):
        """Fast shutdown by PID (SIGINT); SIGKILL if it does not stop in time."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            return
        self.proc.send_signal(mode)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def restart(self):
        self.stop()
        return self.start()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def read_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    # -- SQL -------------------------------------------------------------
    def psql(self, sql, db="postgres", check=True):
        """Runs SQL through the unix socket as the superuser; returns stdout."""
        r = subprocess.run(self._wrap([
            PG_BIN + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
            "-h", self.sock, "-p", str(self.port), "-U", SUPERUSER, "-d", db]),
            input=sql, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("psql failed: %s\n--- SQL ---\n%s" % (r.stderr, sql[:2000]))
        return r.stdout

    def url(self, user=SUPERUSER, password=SUPERPASS, db="postgres", host=None, extra=""):
        from urllib.parse import quote
        h = host or self.listen
        return "postgres://%s:%s@%s:%d/%s%s" % (quote(user, safe=""), quote(password, safe=""),
                                                 h, self.port, db, extra)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()
