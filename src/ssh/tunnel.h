/* The SSH tunnel through a bastion (SPEC §3). With [ssh] in the config, SeeKi
 * listens on 127.0.0.1:<free port> and forwards every TCP connection made to
 * that port as its own direct-tcpip channel of ONE SSH session to the
 * database host and port as the bastion sees them. Only src/ssh/ includes
 * libssh; the rest of SeeKi sees a local port and a status snapshot.
 * docs/internals/tunnel.md explains the design (one I/O thread owns the
 * session; keepalive; reconnect with backoff). */
#ifndef SEEKI_TUNNEL_H
#define SEEKI_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "util/err.h"

enum tunnel_state {
    TUNNEL_UP,           /* session authenticated; new connections are forwarded */
    TUNNEL_RECONNECTING, /* session lost; retrying with backoff (1 s doubling to 30 s);
                          * connections made meanwhile are closed at once */
    TUNNEL_DOWN          /* closed (tunnel_close started) or the I/O thread gave up */
};

#define TUNNEL_BASTION_MAX 300 /* "user@host:port", truncated beyond */
#define TUNNEL_ERROR_MAX SEEKI_ERR_MSG_MAX /* last error message, truncated beyond */
#define TUNNEL_HOPS_MAX 8   /* jump hosts + bastion */
#define TUNNEL_FP_MAX 128

/* A consistent snapshot of the tunnel for /api/status and the 503 path. */
struct tunnel_status {
    enum tunnel_state state;
    char bastion[TUNNEL_BASTION_MAX];  /* "user@host:port" after ~/.ssh/config is applied */
    int local_port;                    /* the 127.0.0.1 port connections go to */
    time_t since;                      /* when state last changed (UTC seconds) */
    unsigned reconnects;               /* successful reconnects since startup */
    char last_error[TUNNEL_ERROR_MAX]; /* "" when none: the reason of the last loss or
                                        * of the last failed reconnect attempt */
    unsigned attempt;                  /* reconnect attempt in progress (1-based);
                                        * 0 while up */
    /* The chain, in order: jump hosts, then the bastion ("user@host:port"). */
    char hops[TUNNEL_HOPS_MAX][TUNNEL_BASTION_MAX];
    size_t nhops;
    char host_key[TUNNEL_FP_MAX];      /* "SHA256:..." of the bastion's key ("" unknown) */
    int last_keepalive_rtt_ms;         /* bastion keepalive round trip, -1 none yet */
};

struct tunnel;

/* Opens the tunnel for cfg->ssh (which must be enabled) to db_host:db_port,
 * the database address as the bastion sees it (db_pg_target gives it; a
 * host name is passed to the bastion unresolved). In order: binds
 * 127.0.0.1:0, connects to the bastion within ssh.connect_timeout_seconds,
 * verifies its host key against the known_hosts file (appending it under
 * accept-new), authenticates, opens one test channel to the database, then
 * starts the I/O thread and logs "SSH tunnel ready: ...".
 * Every failure is SEEKI_E_SSH with the one-line message of SPEC §3 in err
 * (the caller prints it and exits 1); nothing secret is ever in err.
 * On success *out is owned by the caller: release with tunnel_close.
 * cfg is only read during the call (everything needed is copied). */
enum seeki_code tunnel_open(const struct cfg *cfg, const char *db_host, int db_port,
                            struct tunnel **out, struct seeki_err *err) SEEKI_MUST_CHECK;

/* ---- the setup wizard's variant (SPEC §7) ------------------------------------ */

/* Which step of tunnel_open failed: the wizard's "step" field. */
enum tunnel_step {
    TUNNEL_STEP_NONE,     /* success */
    TUNNEL_STEP_CONFIG,   /* settings: ~/.ssh/config, no key to use, ... -> "config" */
    TUNNEL_STEP_SSH,      /* connect or handshake -> "ssh" */
    TUNNEL_STEP_HOST_KEY, /* host key unknown (wizard), changed, revoked -> "host_key" */
    TUNNEL_STEP_AUTH,     /* key file, passphrase, agent, password, refused -> "auth" */
    TUNNEL_STEP_FORWARD   /* the bastion could not reach the database -> "forward" */
};

struct tunnel_open_opts {
    /* Never write known_hosts. An unknown bastion key then fails with step
     * HOST_KEY and host_key_unknown set (the wizard answers 409 with the
     * fingerprint), unless accept_host_key names exactly that key. */
    bool no_write_known_hosts;
    /* "SHA256:..." the user confirmed, or NULL. Only ever lets an UNKNOWN key
     * pass; a changed key is refused whatever this says. */
    const char *accept_host_key;
    /* With accept_host_key matching an unknown key: append it to known_hosts
     * (the wizard's save step). */
    bool write_accepted_key;
};

/* One stage of one hop as `seeki check` prints it (SPEC §3: a line per hop
 * and stage with its time). */
enum tunnel_stage_kind {
    TUNNEL_CHECK_DNS,       /* hop 1's name resolved on this machine (later hops: by the
                             * hop before, inside TCP) */
    TUNNEL_CHECK_TCP,       /* TCP connect (hop 1) or the channel from the hop before */
    TUNNEL_CHECK_HANDSHAKE, /* SSH key exchange */
    TUNNEL_CHECK_HOST_KEY,  /* known_hosts / pin verdict */
    TUNNEL_CHECK_AUTH,      /* user authentication */
    TUNNEL_CHECK_FORWARD    /* the test channel to the database (bastion) */
};
#define TUNNEL_STAGES_MAX (TUNNEL_HOPS_MAX * 4 + 2)
struct tunnel_stage_rec {
    int hop, nhops;             /* 1-based position of the hop, chain length */
    char who[TUNNEL_BASTION_MAX]; /* "user@host:port" of the hop */
    enum tunnel_stage_kind kind;
    bool ok;
    double ms;                  /* how long the stage took */
    char detail[200];           /* e.g. "SHA256:... matches ~/.ssh/known_hosts:3" ("" none) */
};

struct tunnel_open_info {
    enum tunnel_step step;      /* where it failed; TUNNEL_STEP_NONE on success */
    bool host_key_unknown;      /* failed only because the key is not on record yet */
    char host_key[TUNNEL_FP_MAX]; /* "SHA256:..." of the bastion's key once seen, else "" */
    struct tunnel_stage_rec stages[TUNNEL_STAGES_MAX]; /* in the order they ran; the
                                                        * last one failed when open did */
    size_t nstages;
};
/* "DNS", "TCP connect", "handshake", "host key", "authentication", "forward". */
const char *tunnel_stage_kind_name(enum tunnel_stage_kind k);

/* tunnel_open with options (opts NULL = tunnel_open's behaviour) and, when
 * info is non-NULL, the failed step and the bastion's fingerprint. */
enum seeki_code tunnel_open_ex(const struct cfg *cfg, const char *db_host, int db_port,
                               const struct tunnel_open_opts *opts, struct tunnel **out,
                               struct tunnel_open_info *info, struct seeki_err *err)
    SEEKI_MUST_CHECK;
/* "config", "ssh", "host_key", "auth", "forward" (NULL for NONE). */
const char *tunnel_step_name(enum tunnel_step s);

/* ---- running tunnel ------------------------------------------------------------------ */

/* The local port to connect to (127.0.0.1). Fixed for the tunnel's lifetime,
 * also across reconnects. */
int tunnel_local_port(const struct tunnel *t);

/* Fills *out with a snapshot. Thread-safe (any thread, any time until
 * tunnel_close). */
void tunnel_get_status(const struct tunnel *t, struct tunnel_status *out);

/* When the tunnel is not up, writes the data routes' 503 text
 * "SSH tunnel reconnecting (attempt N): <last error>" (or "SSH tunnel is
 * down: ...") into buf (size n, always NUL-terminated) and returns true;
 * returns false and leaves buf alone while the tunnel is up. Thread-safe. */
bool tunnel_unavailable(const struct tunnel *t, char *buf, size_t n);

/* "up", "reconnecting", "down" (the /api/status strings). */
const char *tunnel_state_name(enum tunnel_state s);

/* Stops the I/O thread, closes every channel and client socket, disconnects
 * the session cleanly and frees t. Blocks until the thread has ended (at most
 * about one connect timeout when a reconnect attempt is in flight).
 * NULL ok. Not to be called concurrently with itself. */
void tunnel_close(struct tunnel *t);

#endif
