"""A private three-host network for the SSH tunnel tests (standard library only).

    laptop  10.231.1.2 ──veth── 10.231.1.1  bastion  10.231.2.1 ──veth── 10.231.2.2  database
                                            (sshd)   fd00:231:2::1        fd00:231:2::2 (PostgreSQL)
                                            10.231.4.2
                                                │ veth
    far     10.231.3.2 ──veth── 10.231.3.1  edge  10.231.4.1
                                  (edge.test; its own sshd on port 2022 and its own user,
                                   started by Lab.start_edge(); it alone resolves bastion.inner)

The far namespace is the laptop of the jump-host tests: from there only the
edge is reachable, from the edge only the bastion, from the bastion only the
database (a chain laptop -> edge -> inner bastion -> database).

Each host is a network namespace whose names carry the test run's PID; there
are no default routes and the bastion does not forward, so the database is
reachable from the laptop only through an SSH session to the bastion. The
bastion runs a real OpenSSH sshd (its own config, host key, and a throwaway
login user), started and stopped by PID. /etc/netns/<bastion>/hosts gives the
bastion a name for the database (db.internal), so host names are resolved
where ssh resolves them: on the bastion.

Everything is removed by cleanup(), which is registered with atexit too:
namespaces, veths (they go with their namespace), the user, /etc/netns
entries, processes and temp directories. When namespaces cannot be created
(not root, no iproute2), available() says why and the tests fall back to a
loopback-only sshd (Lab(loopback=True)).
"""
import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SSHD = "/usr/sbin/sshd"

LAPTOP_ADDR = "10.231.1.2"
BASTION_ADDR = "10.231.1.1"       # what the laptop connects to
BASTION_DB_ADDR = "10.231.2.1"    # the bastion's side of the database link
DB_ADDR = "10.231.2.2"
DB_ADDR6 = "fd00:231:2::2"
BLACKHOLE_ADDR = "10.231.1.99"    # routed to a MAC nobody has: SYNs vanish
DB_BLACKHOLE_ADDR = "10.231.2.99"  # the same on the database link, seen from the bastion
DB_NAME_ON_BASTION = "db.internal"
FAR_ADDR = "10.231.3.2"
EDGE_ADDR = "10.231.3.1"          # what the far laptop connects to
EDGE_INNER_ADDR = "10.231.4.1"
BASTION_EDGE_ADDR = "10.231.4.2"  # the bastion as the edge sees it
EDGE_NAME = "edge.test"           # resolvable in the far namespace only
BASTION_NAME_ON_EDGE = "bastion.inner"  # resolvable on the edge only
EDGE_SSHD_PORT = 2022


def run(argv, check=True, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    r = subprocess.run(argv, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), r.returncode,
                                                    (r.stderr or "").strip()))
    return r


def available():
    """None when namespaces work here, else the reason they do not."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if not shutil.which("ip"):
        return "iproute2 (ip) is not installed"
    name = "seeki-probe-%d" % os.getpid()
    r = run(["ip", "netns", "add", name], check=False)
    if r.returncode != 0:
        return "ip netns add failed: " + r.stderr.strip()
    run(["ip", "netns", "del", name], check=False)
    return None


def _children(pid):
    """PIDs whose parent is pid (from /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may contain spaces, so split after ')'
        fields = st[st.rfind(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append(int(d))
    return out


def descendants(pid):
    todo, out = [pid], []
    while todo:
        p = todo.pop()
        for c in _children(p):
            out.append(c)
            todo.append(c)
    return out


def signal_tree(pid, sig):
    """Signals pid and every descendant, by PID."""
    for p in [pid] + descendants(pid):
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


class Lab:
    """The namespaces, the bastion's sshd and its login user."""

    def __init__(self, loopback=False, sshd_port=2222):
        self.pid = os.getpid()
        self.loopback = loopback
        tag = "%d" % self.pid
        self.ns = {} if loopback else {
            "laptop": "seeki-%s-laptop" % tag,
            "bastion": "seeki-%s-bastion" % tag,
            "db": "seeki-%s-db" % tag,
            "edge": "seeki-%s-edge" % tag,
            "far": "seeki-%s-far" % tag,
        }
        self.user = "skt%s" % tag[-8:]
        self.password = "pw-%s-tunnel" % tag
        self.tmp = tempfile.mkdtemp(prefix="seeki-lab-")
        os.chmod(self.tmp, 0o755)
        self.sshd_port = sshd_port
        self.sshd = None
        self.hostkey = None
        self.user_created = False
        self.netns_etc = None
        self.extra = []          # other processes started on the bastion (by PID)
        self.edge = None         # EdgeHost once start_edge() ran
        self.netns_etc_more = []
        self._cleaned = False
        atexit.register(self.cleanup)

    # -- addresses as the tests see them --------------------------------------
    @property
    def bastion_addr(self):
        return "127.0.0.1" if self.loopback else BASTION_ADDR

    @property
    def db_addr(self):
        return "127.0.0.1" if self.loopback else DB_ADDR

    def wrap(self, host, argv):
        """argv run inside host's namespace (unchanged on loopback)."""
        if self.loopback or host is None:
            return list(argv)
        return ["ip", "netns", "exec", self.ns[host]] + list(argv)

    # -- network ---------------------------------------------------------------
    def _ip(self, host, *args):
        run(self.wrap(host, ["ip"] + list(args)))

    def build_network(self):
        if self.loopback:
            return self
        for n in self.ns.values():
            run(["ip", "netns", "add", n])
        la, lb = "sl%d" % (self.pid % 10**7), "sb%d" % (self.pid % 10**7)
        ba, da = "sd%d" % (self.pid % 10**7), "sq%d" % (self.pid % 10**7)
        run(["ip", "link", "add", la, "netns", self.ns["laptop"], "type", "veth",
             "peer", "name", lb, "netns", self.ns["bastion"]])
        run(["ip", "link", "add", ba, "netns", self.ns["bastion"], "type", "veth",
             "peer", "name", da, "netns", self.ns["db"]])
        fa, fe = "sf%d" % (self.pid % 10**7), "se%d" % (self.pid % 10**7)
        ea, eb = "si%d" % (self.pid % 10**7), "sj%d" % (self.pid % 10**7)
        run(["ip", "link", "add", fa, "netns", self.ns["far"], "type", "veth",
             "peer", "name", fe, "netns", self.ns["edge"]])
        run(["ip", "link", "add", ea, "netns", self.ns["edge"], "type", "veth",
             "peer", "name", eb, "netns", self.ns["bastion"]])
        self.db_link = ba   # the bastion's interface towards the database
        self.laptop_link = la
        for host in ("laptop", "bastion", "db", "edge", "far"):
            self._ip(host, "link", "set", "lo", "up")
            # No forwarding anywhere: the bastion must not route laptop -> db.
            run(self.wrap(host, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=0"]))
            run(self.wrap(host, ["sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=0"]))
        self._ip("laptop", "addr", "add", LAPTOP_ADDR + "/24", "dev", la)
        self._ip("laptop", "link", "set", la, "up")
        self._ip("bastion", "addr", "add", BASTION_ADDR + "/24", "dev", lb)
        self._ip("bastion", "link", "set", lb, "up")
        self._ip("bastion", "addr", "add", BASTION_DB_ADDR + "/24", "dev", ba)
        self._ip("bastion", "addr", "add", "fd00:231:2::1/64", "dev", ba, "nodad")
        self._ip("bastion", "link", "set", ba, "up")
        self._ip("db", "addr", "add", DB_ADDR + "/24", "dev", da)
        self._ip("db", "addr", "add", DB_ADDR6 + "/64", "dev", da, "nodad")
        self._ip("db", "link", "set", da, "up")
        self._ip("far", "addr", "add", FAR_ADDR + "/24", "dev", fa)
        self._ip("far", "link", "set", fa, "up")
        self._ip("edge", "addr", "add", EDGE_ADDR + "/24", "dev", fe)
        self._ip("edge", "link", "set", fe, "up")
        self._ip("edge", "addr", "add", EDGE_INNER_ADDR + "/24", "dev", ea)
        self._ip("edge", "link", "set", ea, "up")
        self._ip("bastion", "addr", "add", BASTION_EDGE_ADDR + "/24", "dev", eb)
        self._ip("bastion", "link", "set", eb, "up")
        for host, hosts in (("far", "%s %s\n" % (EDGE_ADDR, EDGE_NAME)),
                            ("edge", "%s %s\n" % (BASTION_EDGE_ADDR, BASTION_NAME_ON_EDGE))):
            d = "/etc/netns/" + self.ns[host]
            os.makedirs(d, exist_ok=True)
            self.netns_etc_more.append(d)
            with open(d + "/hosts", "w") as f:
                f.write("127.0.0.1 localhost\n" + hosts)
            with open(d + "/resolv.conf", "w") as f:
                f.write("# no DNS inside the test network\noptions timeout:1 attempts:1\n")
        # A neighbour that never answers: connects to it hang until timeout.
        self._ip("laptop", "neigh", "add", BLACKHOLE_ADDR, "lladdr", "02:00:00:00:de:ad",
                 "dev", la, "nud", "permanent")
        self._ip("bastion", "neigh", "add", DB_BLACKHOLE_ADDR, "lladdr", "02:00:00:00:be:ef",
                 "dev", ba, "nud", "permanent")
        # Name resolution on the bastion only (ip netns exec bind-mounts these).
        self.netns_etc = "/etc/netns/" + self.ns["bastion"]
        os.makedirs(self.netns_etc, exist_ok=True)
        with open(self.netns_etc + "/hosts", "w") as f:
            f.write("127.0.0.1 localhost\n%s %s\n" % (DB_ADDR, DB_NAME_ON_BASTION))
        with open(self.netns_etc + "/resolv.conf", "w") as f:
            f.write("# no DNS inside the test network\noptions timeout:1 attempts:1\n")
        return self

    def tcp_connect(self, host, addr, port, timeout=3.0):
        """Tries a TCP connect from host's namespace; returns (ok, seconds, error)."""
        code = ("import socket,time,sys\nt=time.time()\n"
                "try:\n s=socket.create_connection((sys.argv[1],int(sys.argv[2])),"
                "timeout=float(sys.argv[3]));print('OK',time.time()-t)\n"
                "except Exception as e:\n print('ERR',time.time()-t,e)\n")
        r = run(self.wrap(host, ["/usr/bin/python3", "-c", code, addr, str(port),
                                 str(timeout)]), check=False)
        parts = r.stdout.strip().split(" ", 2)
        return parts[0] == "OK", float(parts[1]), (parts[2] if len(parts) > 2 else "")

    # -- the login user ---------------------------------------------------------
    def create_user(self):
        self.home = os.path.join(self.tmp, "bastion-home")
        os.makedirs(self.home, mode=0o755)
        run(["useradd", "-M", "-N", "-d", self.home, "-s", "/bin/sh", self.user])
        self.user_created = True
        # sshd (UsePAM no) refuses a locked account, even for keys: set a password.
        run(["chpasswd"], input="%s:%s\n" % (self.user, self.password))
        pw = pwd.getpwnam(self.user)
        os.chown(self.home, pw.pw_uid, pw.pw_gid)
        self.authdir = os.path.join(self.tmp, "authorized_keys")
        os.makedirs(self.authdir, mode=0o755)
        open(os.path.join(self.authdir, self.user), "w").close()
        return self

    def authorize(self, pubkey_path):
        with open(pubkey_path) as src, open(os.path.join(self.authdir, self.user), "a") as dst:
            dst.write(src.read())

    # -- sshd ----------------------------------------------------------------------
    def make_hostkey(self):
        d = os.path.join(self.tmp, "sshd")
        os.makedirs(d, exist_ok=True)
        key = os.path.join(d, "ssh_host_ed25519_key")
        for p in (key, key + ".pub"):
            if os.path.exists(p):
                os.unlink(p)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "seeki-test-bastion",
             "-f", key])
        self.hostkey = key
        return key

    def hostkey_fingerprint(self):
        out = run(["ssh-keygen", "-l", "-E", "sha256", "-f", self.hostkey + ".pub"]).stdout
        return out.split()[1]

    def start_sshd(self, extra=""):
        # sshd's privilege-separation directory (the openssh-server package's
        # own). It is left in place at cleanup: removing it would break any
        # other sshd on the machine, including a concurrent test run's.
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        if not self.hostkey:
            self.make_hostkey()
        d = os.path.join(self.tmp, "sshd")
        self.sshd_conf = os.path.join(d, "sshd_config")
        self.sshd_log = os.path.join(d, "sshd.log")
        # Besides sshd_port: port 22 (tests of an explicit `port = 22`) and the
        # address the edge reaches it on (jump-host tests).
        listen = "ListenAddress %s" % self.bastion_addr
        ports = "Port %d" % self.sshd_port
        if not self.loopback:
            listen += "\nListenAddress %s" % BASTION_EDGE_ADDR
            ports += "\nPort 22"
        # A user CA the bastion trusts (certificate tests: sign_user_key).
        self.user_ca = os.path.join(d, "user_ca")
        if not os.path.exists(self.user_ca):
            run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "seeki-test-user-ca",
                 "-f", self.user_ca])
        with open(self.sshd_conf, "w") as f:
            f.write("""{listen}
{ports}
HostKey {hostkey}
PidFile {dir}/sshd.pid
AuthorizedKeysFile {authdir}/%u
TrustedUserCAKeys {user_ca}.pub
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers {user}
AllowTcpForwarding yes
PermitOpen any
X11Forwarding no
PrintMotd no
ClientAliveInterval 0
MaxStartups 200
MaxSessions 200
LogLevel VERBOSE
{extra}
""".format(listen=listen, ports=ports, hostkey=self.hostkey, dir=d, user_ca=self.user_ca,
                authdir=self.authdir, user=self.user, extra=extra))
        # The log is appended across restarts: wait for a "listening" line
        # written after this start, not an old one.
        log_start = os.path.getsize(self.sshd_log) if os.path.exists(self.sshd_log) else 0
        logf = open(self.sshd_log, "ab")
        self.sshd = subprocess.Popen(self.wrap("bastion", [SSHD, "-D", "-f", self.sshd_conf,
                                                           "-E", self.sshd_log]),
                                     stdout=logf, stderr=logf, start_new_session=True)
        logf.close()
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.sshd.poll() is not None:
                raise RuntimeError("sshd exited at start:\n" + self.read_sshd_log())
            with open(self.sshd_log, errors="replace") as f:
                f.seek(log_start)
                if "Server listening on" in f.read():
                    return self
            time.sleep(0.05)
        raise RuntimeError("sshd did not start:\n" + self.read_sshd_log())

    def stop_sshd(self):
        """Stops sshd and every session process it forked (by PID)."""
        if self.sshd is None:
            return
        pids = [self.sshd.pid] + descendants(self.sshd.pid)
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.sshd.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self.sshd = None

    def sshd_sessions(self):
        """PIDs of sshd's per-connection processes (direct children of the listener)."""
        if self.sshd is None:
            return []
        root = self.sshd.pid
        # ip netns exec execs sshd in place, so root is sshd itself.
        return _children(root)

    def start_fake_server(self, port, greeting):
        """A TCP server on the bastion that sends greeting (bytes) to every
        client and hangs up: something that is not (quite) an SSH server."""
        code = ("import socket,sys\ns=socket.socket();s.setsockopt(socket.SOL_SOCKET,"
                "socket.SO_REUSEADDR,1)\ns.bind((sys.argv[1],int(sys.argv[2])));s.listen(8)\n"
                "print('up',flush=True)\n"
                "while True:\n c,_=s.accept()\n c.sendall(bytes.fromhex(sys.argv[3]))\n"
                " c.close()\n")
        p = subprocess.Popen(self.wrap("bastion", ["/usr/bin/python3", "-c", code,
                                                   self.bastion_addr, str(port),
                                                   greeting.hex()]),
                             stdout=subprocess.PIPE, text=True, start_new_session=True)
        self.extra.append(p)
        assert p.stdout.readline().strip() == "up"
        return p

    def sign_user_key(self, pubkey_path, principals, validity="+1h", ca=None):
        """Signs pubkey_path with the bastion's user CA (or another CA key):
        writes KEY-cert.pub beside it (ssh-keygen -s) and returns its path."""
        run(["ssh-keygen", "-q", "-s", ca or self.user_ca, "-I", "seeki-test", "-n",
             ",".join(principals), "-V", validity, pubkey_path])
        return pubkey_path[:-len(".pub")] + "-cert.pub"

    def blackhole(self, host, addr, on=True):
        """Makes addr unreachable from host (its SYNs vanish: a permanent
        neighbour entry with a MAC nobody has), or reachable again (on=False).
        host is "laptop" (addr: the bastion) or "bastion" (addr: the database)."""
        dev = self.laptop_link if host == "laptop" else self.db_link
        if on:
            self._ip(host, "neigh", "replace", addr, "lladdr", "02:00:00:00:0f:0f", "dev", dev,
                     "nud", "permanent")
        else:
            run(self.wrap(host, ["ip", "neigh", "del", addr, "dev", dev]), check=False)

    def start_edge(self):
        """The edge host of the jump-host tests (idempotent): its own login
        user and sshd on EDGE_ADDR:EDGE_SSHD_PORT."""
        if self.edge is None:
            self.edge = EdgeHost(self)
        if self.edge.sshd is None:
            self.edge.start_sshd()
        return self.edge

    def read_sshd_log(self):
        try:
            with open(self.sshd_log, errors="replace") as f:
                return f.read()
        except (OSError, AttributeError):
            return ""

    # -- teardown --------------------------------------------------------------
    def cleanup(self):
        if self._cleaned:
            return
        self._cleaned = True
        self.stop_sshd()
        if self.edge:
            self.edge.cleanup()
        for p in self.extra:
            if p.poll() is None:
                p.kill()
                p.wait()
        if self.user_created:
            run(["userdel", "-f", self.user], check=False)
            self.user_created = False
        for n in self.ns.values():
            run(["ip", "netns", "del", n], check=False)
        if self.netns_etc:
            shutil.rmtree(self.netns_etc, ignore_errors=True)
        for d in self.netns_etc_more:
            shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


class EdgeHost:
    """The first hop of the jump-host chain: a real sshd in the edge
    namespace on a non-22 port, with a login user of its own (ske<pid>)."""

    def __init__(self, lab):
        self.lab = lab
        self.user = "ske%s" % ("%d" % lab.pid)[-8:]
        self.password = "pw-%d-edge" % lab.pid
        self.tmp = os.path.join(lab.tmp, "edge")
        os.makedirs(self.tmp, mode=0o755)
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home, mode=0o755)
        run(["useradd", "-M", "-N", "-d", self.home, "-s", "/bin/sh", self.user])
        self.user_created = True
        run(["chpasswd"], input="%s:%s\n" % (self.user, self.password))
        pw = pwd.getpwnam(self.user)
        os.chown(self.home, pw.pw_uid, pw.pw_gid)
        self.authfile = os.path.join(self.tmp, "authorized_keys")
        open(self.authfile, "w").close()
        self.port = EDGE_SSHD_PORT
        self.addr = EDGE_ADDR
        self.sshd = None
        self.hostkey = None

    def authorize(self, pubkey_path):
        with open(pubkey_path) as src, open(self.authfile, "a") as dst:
            dst.write(src.read())

    def make_hostkey(self):
        key = os.path.join(self.tmp, "ssh_host_ed25519_key")
        for p in (key, key + ".pub"):
            if os.path.exists(p):
                os.unlink(p)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "seeki-test-edge", "-f", key])
        self.hostkey = key
        return key

    def hostkey_fingerprint(self):
        out = run(["ssh-keygen", "-l", "-E", "sha256", "-f", self.hostkey + ".pub"]).stdout
        return out.split()[1]

    def start_sshd(self):
        if not self.hostkey:
            self.make_hostkey()
        self.conf = os.path.join(self.tmp, "sshd_config")
        self.log = os.path.join(self.tmp, "sshd.log")
        with open(self.conf, "w") as f:
            f.write("""ListenAddress {addr}
Port {port}
HostKey {hostkey}
PidFile {dir}/sshd.pid
AuthorizedKeysFile {authfile}
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers {user}
AllowTcpForwarding yes
PermitOpen any
X11Forwarding no
PrintMotd no
MaxStartups 200
MaxSessions 200
LogLevel VERBOSE
""".format(addr=self.addr, port=self.port, hostkey=self.hostkey, dir=self.tmp,
                authfile=self.authfile, user=self.user))
        log_start = os.path.getsize(self.log) if os.path.exists(self.log) else 0
        logf = open(self.log, "ab")
        self.sshd = subprocess.Popen(self.lab.wrap("edge", [SSHD, "-D", "-f", self.conf,
                                                            "-E", self.log]),
                                     stdout=logf, stderr=logf, start_new_session=True)
        logf.close()
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.sshd.poll() is not None:
                raise RuntimeError("edge sshd exited at start:\n" + self.read_log())
            with open(self.log, errors="replace") as f:
                f.seek(log_start)
                if "Server listening on" in f.read():
                    return self
            time.sleep(0.05)
        raise RuntimeError("edge sshd did not start:\n" + self.read_log())

    def stop_sshd(self):
        if self.sshd is None:
            return
        for p in [self.sshd.pid] + descendants(self.sshd.pid):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.sshd.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self.sshd = None

    def sessions(self):
        return _children(self.sshd.pid) if self.sshd else []

    def read_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except (OSError, AttributeError):
            return ""

    def cleanup(self):
        self.stop_sshd()
        if self.user_created:
            run(["userdel", "-f", self.user], check=False)
            self.user_created = False


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
