/* Host-key policy for the bastion: SHA256 fingerprints, reading the
 * known_hosts file line by line (plain and hashed entries, [host]:port,
 * @revoked) so a changed key can be reported with FILE:LINE, and appending
 * a first-contact key under accept-new (directory 0700, file 0600, existing
 * modes never touched). A changed key is always refused, never overwritten. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "ssh/ssh_int.h"
#include "store/store.h"
#include "util/mem.h"

char *tunnel_fingerprint(const ssh_key key)
{
    unsigned char *hash = NULL;
    size_t hlen = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != SSH_OK)
        return NULL;
    char *fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
    ssh_clean_pubkey_hash(&hash);
    if (!fp)
        return NULL;
    char *out = xstrdup(fp);
    ssh_string_free_char(fp);
    return out;
}

char *tunnel_known_host_name(const char *hostname, int port)
{
    if (port == 22)
        return xstrdup(hostname);
    return xasprintf("[%s]:%d", hostname, port);
}

/* Key type as known_hosts spells it ("ssh-ed25519", "ecdsa-sha2-nistp256"). */
static const char *hk_type(const ssh_key key)
{
    const char *t = ssh_key_type_to_char(ssh_key_type(key));
    return t ? t : "unknown";
}

int tunnel_known_hosts_line(const char *line, const char *name, const ssh_key key,
                            ssh_key *known)
{
    const char *s = line;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0' || *s == '#' || *s == '\n' || *s == '\r')
        return -1;
    bool revoked = false;
    if (*s == '@') {
        size_t n = strcspn(s, " \t");
        if (n == 8 && strncmp(s, "@revoked", 8) == 0)
            revoked = true;
        else
            return -1; /* @cert-authority: host certificates are not supported */
        s += n;
        while (*s == ' ' || *s == '\t')
            s++;
    }
    char *copy = xstrdup(s);
    copy[strcspn(copy, "\r\n")] = '\0';
    struct ssh_knownhosts_entry *e = NULL;
    int rc = ssh_known_hosts_parse_line(name, copy, &e);
    free(copy);
    if (rc != SSH_OK || e == NULL || e->publickey == NULL) {
        /* SSH_AGAIN: another host; SSH_ERROR: a line libssh cannot read
         * (ssh skips those too). */
        ssh_knownhosts_entry_free(e);
        return -1;
    }
    int result;
    if (ssh_key_cmp(e->publickey, key, SSH_KEY_CMP_PUBLIC) == 0) {
        result = revoked ? TUNNEL_HK_REVOKED : TUNNEL_HK_OK;
    } else if (revoked) {
        result = -1; /* some other key is revoked: not about ours */
    } else {
        result = TUNNEL_HK_CHANGED;
        if (known) {
            *known = e->publickey;
            e->publickey = NULL;
        }
    }
    ssh_knownhosts_entry_free(e);
    return result;
}

enum seeki_code tunnel_known_hosts_lookup(const char *path, const char *name,
                                          const ssh_key key, struct tunnel_hk_lookup *out,
                                          struct seeki_err *err)
{
    memset(out, 0, sizeof *out);
    out->result = TUNNEL_HK_UNKNOWN;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return SEEKI_E_OK;
        return seeki_fail(err, SEEKI_E_SSH,
                          "Host key verification failed: cannot read known_hosts file '%s': "
                          "%s. Fix its permissions or point ssh.known_hosts_file elsewhere",
                          path, strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    int ok_line = 0, changed_line = 0, revoked_line = 0;
    ssh_key changed_key = NULL;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        ssh_key k = NULL;
        int r = tunnel_known_hosts_line(line, name, key, changed_key ? NULL : &k);
        if (r == TUNNEL_HK_OK && !ok_line)
            ok_line = lineno;
        else if (r == TUNNEL_HK_REVOKED && !revoked_line)
            revoked_line = lineno;
        else if (r == TUNNEL_HK_CHANGED && !changed_line) {
            changed_line = lineno;
            changed_key = k;
            k = NULL;
        }
        ssh_key_free(k);
    }
    free(line);
    fclose(f);
    if (revoked_line) {
        out->result = TUNNEL_HK_REVOKED;
        out->line = revoked_line;
    } else if (ok_line) {
        out->result = TUNNEL_HK_OK;
        out->line = ok_line;
    } else if (changed_line) {
        out->result = TUNNEL_HK_CHANGED;
        out->line = changed_line;
        out->known_fp = tunnel_fingerprint(changed_key);
        out->known_type = xstrdup(hk_type(changed_key));
    }
    ssh_key_free(changed_key);
    return SEEKI_E_OK;
}

void tunnel_hk_lookup_free(struct tunnel_hk_lookup *l)
{
    if (!l)
        return;
    free(l->known_fp);
    free(l->known_type);
    memset(l, 0, sizeof *l);
}

enum seeki_code tunnel_known_hosts_append(const char *path, const char *name,
                                          const ssh_key key, struct seeki_err *err)
{
    char *b64 = NULL;
    if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK || !b64)
        return seeki_fail(err, SEEKI_E_SSH,
                          "Host key verification failed: cannot encode the bastion's key for "
                          "'%s'. Add it by hand with `ssh-keyscan`",
                          path);
    char *entry = xasprintf("%s %s %s\n", name, hk_type(key), b64);
    free(b64);
    enum seeki_code rc = SEEKI_E_OK;
    if (store_append_line(path, entry) != 0)
        rc = seeki_fail(err, SEEKI_E_SSH,
                        "Cannot append to known_hosts file '%s': %s. Fix its permissions (or "
                        "its directory's: mode 0700), check the disk, or set "
                        "ssh.known_hosts_file",
                        path, strerror(errno));
    free(entry);
    return rc;
}

enum seeki_code tunnel_hostkey_verify(ssh_session s, const struct tunnel_params *p,
                                      struct seeki_err *err)
{
    ssh_key srv = NULL;
    char *name = NULL, *fp = NULL;
    struct tunnel_hk_lookup l;
    memset(&l, 0, sizeof l);
    enum seeki_code rc;
    if (ssh_get_server_publickey(s, &srv) != SSH_OK || !srv) {
        char eb[256];
        rc = tunnel_fail_conn(err, p, TUNNEL_STAGE_HANDSHAKE, "no host key received (%s)",
                              tunnel_ssh_error(s, eb, sizeof eb));
        goto done;
    }
    name = tunnel_known_host_name(p->hostname, p->port);
    fp = tunnel_fingerprint(srv);
    char tag[32];
    tunnel_hop_tag(p, tag, sizeof tag);
    const char *role = p->hop < p->nhops ? "jump host" : "bastion";
    if (!fp)
        fp = xstrdup("SHA256:?");
    if (p->info)
        snprintf(p->info->host_key, sizeof p->info->host_key, "%s", fp);
    if (p->pin_fp) {
        /* ssh.host_key_fingerprint: exactly that key, known_hosts untouched
         * (SeeKi then runs under a read-only home). */
        if (strcmp(fp, p->pin_fp) == 0) {
            log_debug("ssh", "host key of %s:%d (%s %s) matches ssh.host_key_fingerprint",
                      p->hostname, p->port, hk_type(srv), fp);
            rc = SEEKI_E_OK;
        } else {
            rc = seeki_fail(err, SEEKI_E_SSH,
                            "Host key verification failed for %s:%d%s: the bastion offers %s "
                            "key %s, but ssh.host_key_fingerprint in %s pins %s. The bastion "
                            "was rebuilt, or someone is intercepting the connection: check "
                            "with your ops team, then update the pin. Do not ignore the warning",
                            p->hostname, p->port, tag, hk_type(srv), fp, p->config_path,
                            p->pin_fp);
        }
        goto done;
    }
    rc = tunnel_known_hosts_lookup(p->known_hosts, name, srv, &l, err);
    if (rc != SEEKI_E_OK)
        goto done;
    switch (l.result) {
    case TUNNEL_HK_OK:
        log_debug("ssh", "host key of %s:%d (%s %s) matches %s:%d", p->hostname, p->port,
                  hk_type(srv), fp, p->known_hosts, l.line);
        break;
    case TUNNEL_HK_REVOKED:
        rc = seeki_fail(err, SEEKI_E_SSH,
                        "Host key verification failed for %s:%d%s: the server offers %s key %s, "
                        "which %s:%d marks @revoked. Someone may be intercepting the "
                        "connection; check with your ops team. Do not ignore the warning",
                        p->hostname, p->port, tag, hk_type(srv), fp, p->known_hosts, l.line);
        break;
    case TUNNEL_HK_CHANGED:
        rc = seeki_fail(err, SEEKI_E_SSH,
                        "Host key verification failed for %s:%d%s: the host key has changed: "
                        "the %s now offers %s %s, but %s:%d records %s %s. The %s "
                        "was rebuilt, or someone is intercepting the connection: check with "
                        "your ops team before editing %s:%d (SeeKi never overwrites it; "
                        "`ssh-keygen -R '%s' -f %s` removes the old line once they confirm). "
                        "Do not ignore the warning",
                        p->hostname, p->port, tag, role, hk_type(srv), fp, p->known_hosts, l.line,
                        l.known_type, l.known_fp ? l.known_fp : "SHA256:?", role, p->known_hosts,
                        l.line, name, p->known_hosts);
        break;
    case TUNNEL_HK_UNKNOWN:
        if (p->hk_accept_fp && strcmp(p->hk_accept_fp, fp) == 0) {
            /* The user confirmed exactly this key (setup wizard). */
            if (p->hk_write_accepted) {
                rc = tunnel_known_hosts_append(p->known_hosts, name, srv, err);
                if (rc == SEEKI_E_OK)
                    log_info("ssh", "Added the confirmed host key of %s:%d (%s %s) to %s",
                             p->hostname, p->port, hk_type(srv), fp, p->known_hosts);
            }
            break;
        }
        if (p->hk_no_write) {
            if (p->info)
                p->info->host_key_unknown = true;
            rc = seeki_fail(err, SEEKI_E_SSH,
                            "Host key verification failed for %s:%d%s: %s:%d is not in %s yet; "
                            "the %s offers %s %s. Confirm that fingerprint with your ops "
                            "team, then accept it",
                            p->hostname, p->port, tag, p->hostname, p->port, p->known_hosts,
                            role, hk_type(srv), fp);
            break;
        }
        if (p->policy == CFG_HOSTKEY_STRICT) {
            char jump[600] = "";
            if (p->via)
                snprintf(jump, sizeof jump, "-J %s ", p->via);
            rc = seeki_fail(err, SEEKI_E_SSH,
                            "Host key verification failed for %s:%d%s: %s:%d is not in %s "
                            "(ssh.host_key_policy = \"strict\"; the %s offers %s %s). "
                            "Confirm that fingerprint with your ops team, then add it, e.g. "
                            "by connecting once with `ssh %s-p %d %s@%s`, or set "
                            "host_key_policy = \"accept-new\"",
                            p->hostname, p->port, tag, p->hostname, p->port, p->known_hosts,
                            role, hk_type(srv), fp, jump, p->port, p->user, p->hostname);
            break;
        }
        rc = tunnel_known_hosts_append(p->known_hosts, name, srv, err);
        if (rc == SEEKI_E_OK)
            log_warn("ssh",
                     "Permanently added the host key of %s:%d%s (%s %s) to %s (first contact, "
                     "ssh.host_key_policy = accept-new)",
                     p->hostname, p->port, tag, hk_type(srv), fp, p->known_hosts);
        break;
    }
done:
    if (rc != SEEKI_E_OK && srv)
        tunnel_note_step(p, TUNNEL_STEP_HOST_KEY);
    tunnel_hk_lookup_free(&l);
    ssh_key_free(srv);
    free(name);
    free(fp);
    return rc;
}
