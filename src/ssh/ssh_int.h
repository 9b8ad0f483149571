/* Internals shared by the src/ssh/ files (not for other modules): the
 * resolved connection parameters (seeki.toml merged with ~/.ssh/config), the
 * ssh_config reader, host-key policy, authentication and session set-up.
 * Only src/ssh/ includes this header (it pulls in libssh). Nothing here is
 * thread-safe by itself: tunnel.c calls it from the startup thread before the
 * I/O thread exists, and afterwards only from the I/O thread. */
#ifndef SEEKI_SSH_INT_H
#define SEEKI_SSH_INT_H

#include <libssh/libssh.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "config/config.h"
#include "ssh/tunnel.h"
#include "util/err.h"

/* ---- ~/.ssh/config (sshconf.c) ---------------------------------------------
 * The five settings SeeKi takes from an OpenSSH client config for the bastion
 * host. First obtained value wins, as in ssh(1); IdentityFile accumulates.
 * Strings are raw (tokens such as %h and ~ not yet expanded); NULL/0 when the
 * file does not set them. */
struct tunnel_sshconf {
    char *hostname;    /* HostName */
    int port;          /* Port, 0 when unset */
    char *user;        /* User */
    char **identity;   /* IdentityFile, in file order */
    size_t nidentity;
    char *known_hosts; /* first path of UserKnownHostsFile */
    char *certificate; /* CertificateFile (the first) */
    char *proxyjump;   /* ProxyJump as written (comma list or "none") */
    char *proxycommand; /* ProxyCommand as written: SeeKi refuses it (it needs a shell) */
    bool proxycommand_first; /* ProxyCommand came before ProxyJump (first wins in ssh) */
};

#define TUNNEL_SSHCONF_MAX_BYTES (1u << 20) /* one config file, Include'd files each */
#define TUNNEL_SSHCONF_MAX_DEPTH 16         /* Include nesting */
#define TUNNEL_SSHCONF_MAX_IDENTITIES 32

/* Parses config text (label names it in messages, e.g. "/home/u/.ssh/config")
 * and fills out with what applies to host (the name as written in seeki.toml).
 * Host and Match blocks are honoured: Match supports all, host,
 * originalhost, user, localuser (others, notably exec, never match: SeeKi
 * runs no commands). Include is read relative to home/.ssh. A malformed
 * value for one of the five settings is SEEKI_E_CONFIG "LABEL:LINE: ...".
 * out must be zeroed or previously filled by this function (values already
 * set are kept: first wins). */
enum seeki_code tunnel_sshconf_parse(const char *text, const char *label, const char *host,
                                     const char *home, const char *local_user,
                                     struct tunnel_sshconf *out, struct seeki_err *err)
    SEEKI_MUST_CHECK;
/* Reads path (an absent file is fine: out stays as it was). */
enum seeki_code tunnel_sshconf_load(const char *path, const char *host, const char *home,
                                    const char *local_user, struct tunnel_sshconf *out,
                                    struct seeki_err *err) SEEKI_MUST_CHECK;
void tunnel_sshconf_free(struct tunnel_sshconf *c);

/* ssh_config pattern-list matching: whitespace- or comma-separated patterns
 * with * and ?, case-insensitive; a matching !pattern vetoes. */
bool tunnel_pattern_match(const char *patterns, const char *name);

/* Expands a leading "~" and the tokens %% %d (home) %h (hostname) %n
 * (host as written) %p %r (remote user) %u (local user). Unknown tokens stay
 * as they are. Heap string. */
struct tunnel_tokens {
    const char *home, *hostname, *host, *user, *local_user;
    int port;
};
char *tunnel_expand_tokens(const char *in, const struct tunnel_tokens *t);

/* ---- cancelling blocking set-up (dial.c) ------------------------------------
 * Set-up (TCP connect, handshake, auth, channel opens) is blocking libssh
 * work on the I/O thread while reconnecting. tunnel_close must not wait a
 * whole connect timeout for it: fds being set up are registered here, and
 * tunnel_abort_all shuts them down (shutdown(2), never close), which makes
 * the blocked poll inside libssh return at once. An fd is unregistered
 * before anyone closes it. */
#define TUNNEL_ABORT_MAX 16
struct tunnel_abort {
    pthread_mutex_t mu;
    bool stopping;
    int wake_fd;            /* readable once stopping (the tunnel's wake pipe), -1 none */
    int fds[TUNNEL_ABORT_MAX];
    size_t nfds;
};
void tunnel_abort_init(struct tunnel_abort *a, int wake_fd);
void tunnel_abort_destroy(struct tunnel_abort *a);
/* Registers fd; false (fd not registered) when stopping already. a may be NULL (true). */
bool tunnel_abort_add(struct tunnel_abort *a, int fd);
void tunnel_abort_remove(struct tunnel_abort *a, int fd);
bool tunnel_aborting(struct tunnel_abort *a);
/* Sets stopping and shuts every registered fd down. */
void tunnel_abort_all(struct tunnel_abort *a);

/* ---- resolved parameters (sshconf.c) -------------------------------------- */

/* Everything the tunnel needs, copied out of struct cfg and merged with
 * ~/.ssh/config: values set in seeki.toml win. Owned strings; secrets are
 * wiped on free. */
struct tunnel_params {
    char *host;             /* ssh.host as written (for ~/.ssh/config matching) */
    char *hostname;         /* where to connect: HostName, else host */
    int port;               /* ssh.port when not 22, else Port, else 22 */
    char *user;             /* ssh.username, else User, else the local user */
    enum cfg_auth auth;
    char **keys;            /* key files to try (auth key), ~ expanded, in order */
    size_t nkeys;
    bool keys_defaulted;    /* keys are ssh's default identity files (none named) */
    char *known_hosts;      /* known_hosts file, ~ expanded */
    enum cfg_hostkey_policy policy;
    int keepalive_s;        /* 0 = off */
    int timeout_s;          /* connect timeout, >= 1 */
    char *key_passphrase;   /* secret; NULL when absent */
    char *password;         /* secret; NULL when absent */
    char *secrets_path;     /* .seeki.secrets path, for messages */
    char *config_path;      /* seeki.toml path, for messages ("seeki.toml" when unknown) */
    char *db_host;          /* database as the bastion sees it */
    int db_port;
    /* Host-key options of tunnel_open_ex (accept_fp owned). */
    bool hk_no_write;
    bool hk_write_accepted;
    char *hk_accept_fp;
    /* Borrowed during tunnel_open only (NULL in the I/O thread): where to
     * report the failed step and the fingerprint seen. */
    struct tunnel_open_info *info;
    /* Position in the chain laptop -> jump hosts -> bastion (SPEC §3 "Jump
     * hosts"): hop is 1-based, nhops 1 without jump hosts. */
    int hop, nhops;
    char *via;              /* the hops before this one, "u@h:p,u@h:p" (ssh -J), or NULL */
    char *pin_fp;           /* ssh.host_key_fingerprint (bastion only): known_hosts unused */
    char *cert;             /* ssh.certificate_path, else CertificateFile (expanded), else
                             * NULL: then KEY-cert.pub beside each key is used if present */
    struct tunnel_abort *abort; /* borrowed; NULL = not cancellable */
};

/* " (hop 1 of 2)" for messages, "" without jump hosts. */
const char *tunnel_hop_tag(const struct tunnel_params *p, char *buf, size_t n);
/* "user@host:port" ([v6] bracketed). */
void tunnel_hop_text(const struct tunnel_params *p, char *buf, size_t n);

/* Records the failed step in p->info (when set). */
void tunnel_note_step(const struct tunnel_params *p, enum tunnel_step step);
/* Records a stage of hop p that started at t0 (clock_s) in p->info (when set). */
void tunnel_note_stage(const struct tunnel_params *p, enum tunnel_stage_kind kind, bool ok,
                       double t0, const char *detail_fmt, ...) SEEKI_PRINTF(5, 6);

/* Builds p from cfg->ssh, the ssh config in conf (may be NULL), the home
 * directory and local user name. Pure: reads no files. */
void tunnel_params_merge(const struct cfg *cfg, const struct tunnel_sshconf *conf,
                         const char *home, const char *local_user, struct tunnel_params *p);
/* Reads ~/.ssh/config and merges (tunnel_params_merge); for the key method
 * with no key named anywhere, keeps the default identity files that exist. */
enum seeki_code tunnel_params_resolve(const struct cfg *cfg, const char *db_host, int db_port,
                                      struct tunnel_params *p, struct seeki_err *err)
    SEEKI_MUST_CHECK;
void tunnel_params_free(struct tunnel_params *p);

/* The whole chain: the jump hosts (ssh.jump, else ProxyJump of the bastion's
 * ~/.ssh/config entry, each with its own ~/.ssh/config entry) and the
 * bastion (tunnel_params_resolve). ProxyCommand is refused (SEEKI_E_CONFIG).
 * *jumps is a heap array of *njumps params (NULL, 0 without jump hosts). */
enum seeki_code tunnel_hops_resolve(const struct cfg *cfg, const char *db_host, int db_port,
                                    struct tunnel_params **jumps, size_t *njumps,
                                    struct tunnel_params *bastion, struct seeki_err *err)
    SEEKI_MUST_CHECK;
void tunnel_hops_free(struct tunnel_params *jumps, size_t njumps);

/* $HOME, else the passwd entry's home, else "/". Borrowed (static storage). */
const char *tunnel_home(void);
/* The local user name ($USER is not trusted: the passwd entry). Borrowed. */
const char *tunnel_local_user(void);

/* ---- messages (session.c) ------------------------------------------------ */

enum tunnel_stage { TUNNEL_STAGE_CONNECT, TUNNEL_STAGE_HANDSHAKE, TUNNEL_STAGE_AUTH };

/* SEEKI_E_SSH "SSH connection failed (host=H:P, user=U): STAGE: <reason>.
 * <advice> Try `ssh -p P U@H` in a terminal ..." (reason and advice are
 * printf-formatted by fmt; advice may be empty). */
enum seeki_code tunnel_fail_conn(struct seeki_err *err, const struct tunnel_params *p,
                                 enum tunnel_stage stage, const char *fmt, ...)
    SEEKI_PRINTF(4, 5);
/* libssh's error text for s with a trailing period removed, never NULL. */
const char *tunnel_ssh_error(ssh_session s, char *buf, size_t n);

/* ---- host keys (hostkeys.c) ----------------------------------------------- */

/* "SHA256:<base64 without padding>" as ssh-keygen -l prints it; heap string,
 * NULL when the key cannot be hashed. */
char *tunnel_fingerprint(const ssh_key key);
/* The known_hosts name for hostname:port: "host", or "[host]:port" when the
 * port is not 22. Heap string. */
char *tunnel_known_host_name(const char *hostname, int port);

enum tunnel_hk_result {
    TUNNEL_HK_UNKNOWN,  /* no line names this host */
    TUNNEL_HK_OK,       /* a line names this host with this key */
    TUNNEL_HK_CHANGED,  /* lines name this host, none with this key */
    TUNNEL_HK_REVOKED   /* an @revoked line holds this key */
};

/* Result of scanning a known_hosts file for one host. */
struct tunnel_hk_lookup {
    enum tunnel_hk_result result;
    int line;           /* CHANGED/REVOKED: first line that names the host; OK: the line */
    char *known_fp;     /* CHANGED: fingerprint recorded on that line (heap) */
    char *known_type;   /* CHANGED: its key type, e.g. "ssh-ed25519" (heap) */
};

/* Matches one known_hosts line (plain, hashed |1|..., [host]:port, patterns,
 * @revoked; comments and blank lines never match) against name (as from
 * tunnel_known_host_name) and key. Returns -1 when the line is not about
 * name, else a TUNNEL_HK_* value for this line alone (UNKNOWN is never
 * returned). When it names the host with another key and known is non-NULL,
 * *known receives that key (free with ssh_key_free). */
int tunnel_known_hosts_line(const char *line, const char *name, const ssh_key key,
                            ssh_key *known);
/* Scans path line by line. An absent file is UNKNOWN. A line libssh cannot
 * parse is skipped (as ssh does). Unreadable file: SEEKI_E_SSH. */
enum seeki_code tunnel_known_hosts_lookup(const char *path, const char *name,
                                          const ssh_key key, struct tunnel_hk_lookup *out,
                                          struct seeki_err *err) SEEKI_MUST_CHECK;
void tunnel_hk_lookup_free(struct tunnel_hk_lookup *l);
/* Appends "name type base64\n" to path, creating missing directories 0700
 * and the file 0600; existing modes are never changed. */
enum seeki_code tunnel_known_hosts_append(const char *path, const char *name,
                                          const ssh_key key, struct seeki_err *err)
    SEEKI_MUST_CHECK;
/* Applies the host-key policy to the connected session s (after the key
 * exchange): OK passes, CHANGED/REVOKED always fail, UNKNOWN is appended and
 * logged under accept-new and fails under strict. Failures are SEEKI_E_SSH
 * "Host key verification failed for H:P: ...". */
enum seeki_code tunnel_hostkey_verify(ssh_session s, const struct tunnel_params *p,
                                      struct seeki_err *err) SEEKI_MUST_CHECK;

/* ---- authentication (auth.c) -------------------------------------------- */

/* OpenSSH's rule for private keys: a file owned by us with any group/other
 * permission bit is refused ("SSH key permissions 0644 for 'PATH' are too
 * open ..."). A missing or unreadable file is an error naming the path. */
/* The error for auth_method = "password" without ssh.password in secrets. */
enum seeki_code tunnel_password_missing(const struct tunnel_params *p, struct seeki_err *err);
enum seeki_code tunnel_key_check_mode(const char *path, const struct tunnel_params *p,
                                      struct seeki_err *err) SEEKI_MUST_CHECK;
/* Authenticates s (connected, host key verified) with p->auth. */
enum seeki_code tunnel_authenticate(ssh_session s, const struct tunnel_params *p,
                                    struct seeki_err *err) SEEKI_MUST_CHECK;

/* ---- session (session.c) ------------------------------------------------- */

/* The TCP connection to p->hostname:p->port within p->timeout_s (every
 * address getaddrinfo gives, in order), TCP_NODELAY set. Cancelled by
 * p->abort. Failure: the "connect" stage message. */
enum seeki_code tunnel_dial(const struct tunnel_params *p, int *fd, struct seeki_err *err)
    SEEKI_MUST_CHECK;
/* Runs SSH over fd (a connected TCP socket or a socketpair end carried by the
 * previous hop): handshake, host key, authentication, all blocking within
 * p->timeout_s. fd is the session's from here on, also on failure (closed
 * then). On success *out is connected, authenticated and still blocking. */
enum seeki_code tunnel_session_open_fd(const struct tunnel_params *p, int fd, ssh_session *out,
                                       struct seeki_err *err) SEEKI_MUST_CHECK;
/* Opens one direct-tcpip channel to p->db_host:p->db_port and closes it
 * again (blocking). Failure: SEEKI_E_SSH "Port forward failed: ...". */
enum seeki_code tunnel_forward_test(ssh_session s, const struct tunnel_params *p,
                                    struct seeki_err *err) SEEKI_MUST_CHECK;
/* "Port forward failed: the bastion could not reach DBHOST:DBPORT (reason). ..."
 * for a failed channel open on s; why overrides libssh's reason when non-NULL. */
enum seeki_code tunnel_fail_forward(struct seeki_err *err, const struct tunnel_params *p,
                                    ssh_session s, const char *why);
/* Disconnects cleanly (SSH_MSG_DISCONNECT actually sent, when connected),
 * frees, and closes the fd it ran over. The session must not be in any
 * ssh_event, nor its fd registered in a tunnel_abort. NULL ok. */
void tunnel_session_free(ssh_session s);

/* ---- keepalive (chain.c) ---------------------------------------------------- */

struct tunnel_ka {
    struct ssh_counter_struct rx_sock, rx_raw; /* libssh counters (bytes/packets in) */
    uint64_t last_rx_bytes;
    double last_rx_at;  /* monotonic seconds of the last byte from the server */
    double last_ka_at;  /* monotonic seconds of the last keepalive sent */
    double ka_sent_at;  /* when the keepalive now outstanding was sent, 0 = none */
    int rtt_ms;         /* round trip of the last answered keepalive, -1 unknown */
};
/* Starts watching s (installs the counters). */
void tunnel_ka_start(struct tunnel_ka *k, ssh_session s);
void tunnel_ka_stop(ssh_session s);
/* The reason s is lost (closed, or silent for 2 x interval), else NULL; sends
 * a keepalive after an interval of silence. who names the peer in the
 * reason ("the bastion", "the jump host edge:2222 (hop 1 of 2)"). */
const char *tunnel_ka_check(struct tunnel_ka *k, ssh_session s, int interval_s, const char *who,
                            char *buf, size_t n);
/* Milliseconds until the next keepalive decision, at most cap_ms. */
int tunnel_ka_wait_ms(const struct tunnel_ka *k, int interval_s, int cap_ms);

/* ---- the chain of sessions (chain.c) ------------------------------------------ */

struct tunnel_relay;
struct tunnel_chain {
    struct tunnel_relay *relays; /* one per jump host, in order */
    size_t nrelays;
    ssh_session bastion;         /* authenticated, still blocking */
};
/* Connects hop by hop: TCP to the first hop; for each jump host, after its
 * session is up, a direct-tcpip channel to the next hop and a socketpair
 * whose one end the next session runs over and whose other end a relay
 * thread pumps to that channel (docs/architecture.md says why). Every hop's
 * host key is verified. On failure nothing is left open. */
enum seeki_code tunnel_chain_open(const struct tunnel_params *jumps, size_t njumps,
                                  const struct tunnel_params *bastion,
                                  struct tunnel_chain *out, struct seeki_err *err)
    SEEKI_MUST_CHECK;
/* A jump host's relay ended: writes why (naming the hop) and returns true. */
bool tunnel_chain_lost(struct tunnel_chain *c, char *buf, size_t n);
/* Keepalive round trip (ms) of each jump host into rtt (n entries), -1 unknown. */
void tunnel_chain_rtts(struct tunnel_chain *c, int *rtt, size_t n);
/* Frees the bastion session (clean disconnect, while the relays still carry
 * it), then stops the relays from the innermost out. Zeroes c. */
void tunnel_chain_close(struct tunnel_chain *c);

#endif
