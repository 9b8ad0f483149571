/* The tunnel's failure messages (SPEC §3: "SSH connection failed (host=H:P,
 * user=U): <stage>: <reason>. ..."), and the step bookkeeping they rely on.
 * Used by session.c, auth.c, hostkeys.c and pump.c; calls nothing of theirs,
 * so no file of ssh/ calls back into the one that called it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ssh/ssh_int.h"
#include "util/clock.h"
#include "util/mem.h"

static const char *const stage_names[] = {"connect", "handshake", "authentication"};

const char *tunnel_ssh_error(ssh_session s, char *buf, size_t n)
{
    const char *e = s ? ssh_get_error(s) : NULL;
    snprintf(buf, n, "%s", e && *e ? e : "unknown error");
    size_t l = strlen(buf);
    while (l > 0 && (buf[l - 1] == '.' || buf[l - 1] == ' ' || buf[l - 1] == '\n'))
        buf[--l] = '\0';
    return buf;
}

void tunnel_note_step(const struct tunnel_params *p, enum tunnel_step step)
{
    if (p->info && p->info->step == TUNNEL_STEP_NONE)
        p->info->step = step;
}

const char *tunnel_hop_tag(const struct tunnel_params *p, char *buf, size_t n)
{
    if (p->nhops > 1)
        snprintf(buf, n, " (hop %d of %d)", p->hop, p->nhops);
    else if (n > 0)
        buf[0] = '\0';
    return buf;
}

void tunnel_hop_text(const struct tunnel_params *p, char *buf, size_t n)
{
    bool v6 = strchr(p->hostname, ':') != NULL;
    snprintf(buf, n, "%s@%s%s%s:%d", p->user, v6 ? "[" : "", p->hostname, v6 ? "]" : "",
             p->port);
}

const char *tunnel_stage_kind_name(enum tunnel_stage_kind k)
{
    switch (k) {
    case TUNNEL_CHECK_DNS: return "DNS";
    case TUNNEL_CHECK_TCP: return "TCP connect";
    case TUNNEL_CHECK_HANDSHAKE: return "handshake";
    case TUNNEL_CHECK_HOST_KEY: return "host key";
    case TUNNEL_CHECK_AUTH: return "authentication";
    case TUNNEL_CHECK_FORWARD: return "forward";
    }
    return "?";
}

void tunnel_note_stage(const struct tunnel_params *p, enum tunnel_stage_kind kind, bool ok,
                       double t0, const char *detail_fmt, ...)
{
    struct tunnel_open_info *info = p->info;
    if (!info || info->nstages >= TUNNEL_STAGES_MAX)
        return;
    struct tunnel_stage_rec *r = &info->stages[info->nstages++];
    r->hop = p->hop;
    r->nhops = p->nhops;
    tunnel_hop_text(p, r->who, sizeof r->who);
    r->kind = kind;
    r->ok = ok;
    r->ms = (clock_s() - t0) * 1000.0;
    va_list ap;
    va_start(ap, detail_fmt);
    vsnprintf(r->detail, sizeof r->detail, detail_fmt, ap);
    va_end(ap);
}

enum seeki_code tunnel_fail_conn(struct seeki_err *err, const struct tunnel_params *p,
                                 enum tunnel_stage stage, const char *fmt, ...)
{
    tunnel_note_step(p, stage == TUNNEL_STAGE_AUTH ? TUNNEL_STEP_AUTH : TUNNEL_STEP_SSH);
    char reason[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    size_t l = strlen(reason);
    bool period = l > 0 && strchr(".?!", reason[l - 1]) != NULL;
    char hop[48] = "";
    if (p->nhops > 1)
        snprintf(hop, sizeof hop, "hop %d of %d, ", p->hop, p->nhops);
    /* Behind jump hosts the same hop is reached with ssh -J and the hops
     * before it. */
    char jump[600] = "";
    if (p->via)
        snprintf(jump, sizeof jump, "-J %s ", p->via);
    return seeki_fail(err, SEEKI_E_SSH,
                      "SSH connection failed (%shost=%s:%d, user=%s): %s: %s%s Try `ssh %s-p %d "
                      "%s@%s` in a terminal and fix that first; SeeKi uses the same rules",
                      hop, p->hostname, p->port, p->user, stage_names[stage], reason,
                      period ? "" : ".", jump, p->port, p->user, p->hostname);
}

enum seeki_code tunnel_fail_forward(struct seeki_err *err, const struct tunnel_params *p,
                                    ssh_session s, const char *why)
{
    char eb[400];
    tunnel_note_step(p, TUNNEL_STEP_FORWARD);
    tunnel_ssh_error(s, eb, sizeof eb);
    /* libssh: "Channel opening failure: channel N error (CODE) TEXT": keep TEXT. */
    const char *reason = why ? why : eb;
    const char *paren = why ? NULL : strstr(eb, "error (");
    if (paren && (paren = strchr(paren, ')')) && paren[1] == ' ' && paren[2])
        reason = paren + 2;
    bool v6 = strchr(p->db_host, ':') != NULL;
    return seeki_fail(err, SEEKI_E_SSH,
                      "Port forward failed: the bastion could not reach %s%s%s:%d (%s). The "
                      "database host and port in database.url must be as the bastion sees "
                      "them: SSH into the bastion and try `psql -h %s -p %d` there, then fix "
                      "the address in database.url, or the database's listen_addresses and "
                      "firewall",
                      v6 ? "[" : "", p->db_host, v6 ? "]" : "", p->db_port, reason, p->db_host,
                      p->db_port);
}
