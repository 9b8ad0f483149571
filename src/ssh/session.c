/* One SSH session to the bastion: libssh options (no automatic config, agent
 * or identity probing: SeeKi decides), the blocking connect within
 * ssh.connect_timeout_seconds, host-key policy, authentication, and the test
 * forward to the database. The transport is always an fd SeeKi made: a TCP
 * socket (dial.c) or, behind jump hosts, a socketpair end (chain.c). Builds the one-line startup messages of SPEC §3
 * ("SSH connection failed (host=H:P, user=U): <stage>: <reason>. ..."). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "ssh/ssh_int.h"
#include "util/mem.h"
#include "util/clock.h"

/* Sets the options that make libssh do exactly what SeeKi decided. */
static int session_options(ssh_session s, const struct tunnel_params *p, int fd)
{
    bool no = false;
    unsigned port = (unsigned)p->port;
    long timeout = p->timeout_s;
    socket_t sfd = fd;
    int rc = 0;
    /* Our own reader already applied ~/.ssh/config with seeki.toml winning. */
    rc |= ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
    rc |= ssh_options_set(s, SSH_OPTIONS_HOST, p->hostname);
    rc |= ssh_options_set(s, SSH_OPTIONS_PORT, &port);
    rc |= ssh_options_set(s, SSH_OPTIONS_USER, p->user);
    /* Used by libssh only to prefer the host-key type already on record;
     * verification itself is tunnel_hostkey_verify's. A pinned bastion's
     * known_hosts is never read at all. */
    rc |= ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, p->pin_fp ? "/dev/null" : p->known_hosts);
    if (p->pin_fp)
        rc |= ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
    rc |= ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
    /* The transport: our TCP socket (dial.c) or a socketpair end (chain.c). */
    rc |= ssh_options_set(s, SSH_OPTIONS_FD, &sfd);
    return rc;
}

enum seeki_code tunnel_session_open_fd(const struct tunnel_params *p, int fd, ssh_session *out,
                                       struct seeki_err *err)
{
    *out = NULL;
    ssh_session s = ssh_new();
    if (!s) {
        close(fd);
        return seeki_fail(err, SEEKI_E_INTERNAL, "libssh could not create a session");
    }
    enum seeki_code rc;
    char eb[400];
    if (session_options(s, p, fd) != 0) {
        rc = tunnel_fail_conn(err, p, TUNNEL_STAGE_CONNECT, "invalid SSH settings (%s)",
                              tunnel_ssh_error(s, eb, sizeof eb));
        goto fail;
    }
    double t0 = clock_s();
    if (ssh_connect(s) != SSH_OK) {
        tunnel_note_stage(p, TUNNEL_CHECK_HANDSHAKE, false, t0, "%s", "");
        if (tunnel_aborting(p->abort)) {
            rc = seeki_fail(err, SEEKI_E_SSH, "SSH connection cancelled: SeeKi is shutting down");
            goto fail;
        }
        /* The TCP connection (or the previous hop's channel) is up: whatever
         * fails now is the SSH handshake. */
        rc = tunnel_fail_conn(err, p, TUNNEL_STAGE_HANDSHAKE,
                              "%s. Something answered on that port but the SSH handshake "
                              "failed: check that the port is the SSH port of %s and that its "
                              "sshd is healthy",
                              tunnel_ssh_error(s, eb, sizeof eb),
                              p->nhops > 1 && p->hop < p->nhops ? "that jump host"
                                                                 : "the bastion");
        goto fail;
    }
    const char *cipher = ssh_get_cipher_in(s);
    tunnel_note_stage(p, TUNNEL_CHECK_HANDSHAKE, true, t0, "%s", cipher ? cipher : "");
    t0 = clock_s();
    rc = tunnel_hostkey_verify(s, p, err);
    if (rc != SEEKI_E_OK) {
        tunnel_note_stage(p, TUNNEL_CHECK_HOST_KEY, false, t0, "%s", "");
        goto fail;
    }
    if (p->info) {
        ssh_key k = NULL;
        char *fp = NULL;
        if (ssh_get_server_publickey(s, &k) == SSH_OK && k)
            fp = tunnel_fingerprint(k);
        ssh_key_free(k);
        tunnel_note_stage(p, TUNNEL_CHECK_HOST_KEY, true, t0, "%s %s", fp ? fp : "SHA256:?",
                          p->pin_fp ? "matches ssh.host_key_fingerprint"
                                    : "verified against known_hosts");
        free(fp);
    }
    t0 = clock_s();
    rc = tunnel_authenticate(s, p, err);
    tunnel_note_stage(p, TUNNEL_CHECK_AUTH, rc == SEEKI_E_OK, t0, "%s", "");
    if (rc != SEEKI_E_OK) {
        tunnel_note_step(p, TUNNEL_STEP_AUTH); /* agent/password messages of their own */
        goto fail;
    }
    *out = s;
    return SEEKI_E_OK;
fail:
    tunnel_session_free(s);
    return rc;
}

enum seeki_code tunnel_forward_test(ssh_session s, const struct tunnel_params *p,
                                    struct seeki_err *err)
{
    ssh_channel ch = ssh_channel_new(s);
    if (!ch)
        return tunnel_fail_forward(err, p, s, NULL);
    enum seeki_code rc = SEEKI_E_OK;
    double t0 = clock_s();
    int r = ssh_channel_open_forward(ch, p->db_host, p->db_port, "127.0.0.1", 0);
    bool v6 = strchr(p->db_host, ':') != NULL;
    tunnel_note_stage(p, TUNNEL_CHECK_FORWARD, r == SSH_OK, t0, "%s%s%s:%d, as the bastion resolves it",
                      v6 ? "[" : "", p->db_host, v6 ? "]" : "", p->db_port);
    if (r == SSH_AGAIN) {
        /* Blocking mode gave up after the session timeout: the bastion's own
         * connect is hanging (a firewall dropping packets, a wrong address). */
        char why[160];
        snprintf(why, sizeof why,
                 "no answer within %d s (ssh.connect_timeout_seconds): the bastion's "
                 "connection attempt hangs",
                 p->timeout_s);
        rc = tunnel_fail_forward(err, p, s, why);
    } else if (r != SSH_OK) {
        rc = tunnel_fail_forward(err, p, s, NULL);
    } else {
        ssh_channel_close(ch);
    }
    ssh_channel_free(ch);
    return rc;
}

/* libssh writes to the socket only after a poll round has seen it writable,
 * and re-arms that check after every write, while ssh_disconnect closes the
 * socket right after queueing SSH_MSG_DISCONNECT. So: flush what is queued
 * (channel closes), run one poll round that finds the socket writable, and
 * only then disconnect, so the bastion sees a clean goodbye. */
static void session_goodbye(ssh_session s)
{
    ssh_blocking_flush(s, 1000);
    if (ssh_get_poll_flags(s) & SSH_WRITE_PENDING) {
        ssh_event ev = ssh_event_new();
        if (ev && ssh_event_add_session(ev, s) == SSH_OK) {
            ssh_event_dopoll(ev, 200);
            ssh_event_remove_session(ev, s);
        }
        if (ev)
            ssh_event_free(ev);
    }
    ssh_disconnect(s);
}

void tunnel_session_free(ssh_session s)
{
    if (!s)
        return;
    /* Every session runs over an fd SeeKi gave it (SSH_OPTIONS_FD). libssh's
     * ssh_disconnect leaves such an fd open, so it is closed here; without a
     * disconnect (never connected, or the link already failed) ssh_free
     * closes it if it is still open. */
    socket_t fd = ssh_get_fd(s);
    bool disconnect = ssh_is_connected(s);
    if (disconnect)
        session_goodbye(s);
    ssh_free(s);
    if (disconnect && fd >= 0)
        close(fd);
}
