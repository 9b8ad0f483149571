/* Authentication to the bastion: private key files (OpenSSH's permission rule,
 * encrypted keys only with ssh.key_passphrase, decrypted in memory only), the
 * running ssh-agent (SSH_AUTH_SOCK), or a password from .seeki.secrets (with
 * keyboard-interactive as the fallback some sshd configurations need). Every
 * failure is one line that names the key, agent socket or secrets file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "ssh/ssh_int.h"
#include "util/buf.h"
#include "util/mem.h"

#define AUTH_KBDINT_ROUNDS 4

/* "jump host" or "bastion", for messages. */
static const char *auth_role(const struct tunnel_params *p)
{
    return p->hop < p->nhops ? "jump host" : "bastion";
}

enum seeki_code tunnel_key_check_mode(const char *path, const struct tunnel_params *p,
                                      struct seeki_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return seeki_fail(err, SEEKI_E_SSH,
                          "Cannot read SSH key '%s': %s. Set ssh.key_path in %s to your private "
                          "key file (e.g. ~/.ssh/id_ed25519)",
                          path, strerror(errno), p->config_path);
    if (!S_ISREG(st.st_mode))
        return seeki_fail(err, SEEKI_E_SSH,
                          "SSH key '%s' is not a regular file. Set ssh.key_path in %s to your "
                          "private key file",
                          path, p->config_path);
    /* OpenSSH refuses a key the user owns when group or others have any
     * permission on it, so it cannot have leaked to them unnoticed. */
    if (st.st_uid == getuid() && (st.st_mode & 077) != 0)
        return seeki_fail(err, SEEKI_E_SSH,
                          "SSH key permissions %04o for '%s' are too open: it is readable or "
                          "writable by group or others, and ssh refuses such keys too. Run "
                          "`chmod 600 %s` and start SeeKi again",
                          (unsigned)(st.st_mode & 07777), path, path);
    return SEEKI_E_OK;
}

/* libssh asks for a passphrase only for an encrypted key: note that it asked
 * and refuse, so the first import attempt tells "encrypted" from "broken". */
static int auth_note_prompt(const char *prompt, char *buf, size_t len, int echo, int verify,
                            void *userdata)
{
    (void)prompt, (void)buf, (void)len, (void)echo, (void)verify;
    *(bool *)userdata = true;
    return -1;
}

/* Loads path into *key. The passphrase stays in memory; no file is written. */
static enum seeki_code auth_load_key(const char *path, const struct tunnel_params *p,
                                     ssh_key *key, struct seeki_err *err)
{
    bool encrypted = false;
    *key = NULL;
    if (ssh_pki_import_privkey_file(path, NULL, auth_note_prompt, &encrypted, key) == SSH_OK)
        return SEEKI_E_OK;
    *key = NULL;
    if (!encrypted)
        return seeki_fail(err, SEEKI_E_SSH,
                          "Cannot load SSH key '%s': it is not a private key SeeKi can read "
                          "(OpenSSH or PEM format; ed25519, ecdsa or rsa). Point ssh.key_path "
                          "in %s at the private half, not the .pub file",
                          path, p->config_path);
    if (!p->key_passphrase)
        return seeki_fail(err, SEEKI_E_SSH,
                          "Passphrase-protected SSH keys are not supported without "
                          "ssh.key_passphrase: '%s' is encrypted. Load it into your agent with "
                          "`ssh-add %s` and set auth_method = \"agent\" in %s, or put the "
                          "passphrase in %s as ssh.key_passphrase (file mode 0600)",
                          path, path, p->config_path, p->secrets_path);
    if (ssh_pki_import_privkey_file(path, p->key_passphrase, NULL, NULL, key) == SSH_OK)
        return SEEKI_E_OK;
    *key = NULL;
    return seeki_fail(err, SEEKI_E_SSH,
                      "SSH key '%s' could not be decrypted with ssh.key_passphrase from %s: the "
                      "passphrase is wrong. Fix it there, or use `ssh-add %s` with "
                      "auth_method = \"agent\"",
                      path, p->secrets_path, path);
}

/* "publickey, password" for the advice in messages. */
static void auth_methods_text(int m, char *buf, size_t n)
{
    struct buf b;
    buf_init(&b, n > 0 ? n - 1 : 1);
    static const struct {
        int bit;
        const char *name;
    } names[] = {{SSH_AUTH_METHOD_PUBLICKEY, "publickey"},
                 {SSH_AUTH_METHOD_PASSWORD, "password"},
                 {SSH_AUTH_METHOD_INTERACTIVE, "keyboard-interactive"},
                 {SSH_AUTH_METHOD_GSSAPI_MIC, "gssapi"}};
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(names); i++)
        if (m & names[i].bit)
            if (buf_printf(&b, "%s%s", b.len ? ", " : "", names[i].name) != 0)
                break;
    snprintf(buf, n, "%s", b.len ? buf_str(&b) : "none");
    buf_free(&b);
}

static enum seeki_code auth_error(ssh_session s, const struct tunnel_params *p,
                                  struct seeki_err *err)
{
    char eb[256];
    return tunnel_fail_conn(err, p, TUNNEL_STAGE_AUTH, "%s", tunnel_ssh_error(s, eb, sizeof eb));
}

/* The certificate to offer with key path: p->cert when configured, else
 * KEY-cert.pub beside the key when present (as ssh does), else NULL. */
static char *auth_cert_path(const struct tunnel_params *p, const char *key)
{
    if (p->cert)
        return xstrdup(p->cert);
    char *beside = xasprintf("%s-cert.pub", key);
    struct stat st;
    if (stat(beside, &st) == 0 && S_ISREG(st.st_mode))
        return beside;
    free(beside);
    return NULL;
}

/* Attaches the certificate at cert to key (libssh then offers the
 * *-cert-v01@openssh.com form). A certificate libssh cannot read is an
 * error naming it. */
static enum seeki_code auth_attach_cert(ssh_key key, const char *cert,
                                        const struct tunnel_params *p, struct seeki_err *err)
{
    ssh_key ck = NULL;
    if (ssh_pki_import_cert_file(cert, &ck) != SSH_OK || !ck) {
        ssh_key_free(ck);
        return seeki_fail(err, SEEKI_E_SSH,
                          "Cannot load SSH certificate '%s': it is missing or not an OpenSSH "
                          "user certificate (KEY-cert.pub as `ssh-keygen -s` writes it). Fix "
                          "ssh.certificate_path in %s (or CertificateFile in ~/.ssh/config)",
                          cert, p->config_path);
    }
    int r = ssh_pki_copy_cert_to_privkey(ck, key);
    ssh_key_free(ck);
    if (r != SSH_OK)
        return seeki_fail(err, SEEKI_E_SSH,
                          "Cannot use SSH certificate '%s' with its key. Check that it "
                          "certifies that key (`ssh-keygen -L -f %s`)",
                          cert, cert);
    return SEEKI_E_OK;
}

static enum seeki_code auth_key(ssh_session s, const struct tunnel_params *p, int methods,
                                struct seeki_err *err)
{
    char mt[128];
    auth_methods_text(methods, mt, sizeof mt);
    if (!(methods & SSH_AUTH_METHOD_PUBLICKEY))
        return tunnel_fail_conn(err, p, TUNNEL_STAGE_AUTH,
                                "the %s does not accept public keys for user %s (it offers: "
                                "%s). Check the user name or switch ssh.auth_method",
                                auth_role(p), p->user, mt);
    struct buf tried;
    buf_init(&tried, 2048);
    char *cert_tried = NULL;
    enum seeki_code rc = SEEKI_E_OK;
    for (size_t i = 0; i < p->nkeys; i++) {
        rc = tunnel_key_check_mode(p->keys[i], p, err);
        if (rc != SEEKI_E_OK)
            goto done;
        char *cert = auth_cert_path(p, p->keys[i]);
        /* With a certificate: the certified key first, then the plain key
         * (which authorized_keys may list as well), as ssh does. */
        for (int with_cert = cert ? 1 : 0; with_cert >= 0; with_cert--) {
            ssh_key key = NULL;
            rc = auth_load_key(p->keys[i], p, &key, err);
            if (rc == SEEKI_E_OK && with_cert)
                rc = auth_attach_cert(key, cert, p, err);
            if (rc != SEEKI_E_OK) {
                ssh_key_free(key);
                free(cert);
                goto done;
            }
            int r = ssh_userauth_publickey(s, NULL, key);
            ssh_key_free(key);
            if (r == SSH_AUTH_SUCCESS) {
                log_debug("ssh", "authenticated as %s with key %s%s%s", p->user, p->keys[i],
                          with_cert ? " and certificate " : "", with_cert ? cert : "");
                free(cert);
                goto done;
            }
            if (r == SSH_AUTH_ERROR) {
                free(cert);
                rc = auth_error(s, p, err);
                goto done;
            }
            if (with_cert && !cert_tried)
                cert_tried = xstrdup(cert);
        }
        if (buf_printf(&tried, "%s'%s'%s%s%s", tried.len ? ", " : "", p->keys[i],
                       cert ? " (also with certificate '" : "", cert ? cert : "",
                       cert ? "')" : "") != 0) {
            free(cert);
            continue; /* the list is only for the message: a long one is cut */
        }
        free(cert);
    }
    if (cert_tried)
        /* libssh 0.10 cannot read a certificate's validity or principals, and
         * the bastion does not say why it refused: name what to check. */
        rc = tunnel_fail_conn(err, p, TUNNEL_STAGE_AUTH,
                              "the %s did not accept key %s for user %s. The certificate "
                              "may have expired, not list %s as a principal, or not be signed "
                              "by a CA the %s trusts: check with `ssh-keygen -L -f %s`, "
                              "and ask for a new certificate if needed",
                              auth_role(p), buf_str(&tried), p->user, p->user, auth_role(p),
                              cert_tried);
    else
        rc = tunnel_fail_conn(err, p, TUNNEL_STAGE_AUTH,
                              "the %s did not accept key %s for user %s. Check "
                              "the user name and that the key's public half (.pub) is in "
                              "~%s/.ssh/authorized_keys on the %s",
                              auth_role(p), buf_str(&tried), p->user, p->user, auth_role(p));
done:
    free(cert_tried);
    buf_free(&tried);
    return rc;
}

static enum seeki_code auth_agent(ssh_session s, const struct tunnel_params *p,
                                  struct seeki_err *err)
{
    const char *sock = getenv("SSH_AUTH_SOCK");
    if (!sock || !*sock)
        return seeki_fail(err, SEEKI_E_SSH,
                          "SSH agent not available: SSH_AUTH_SOCK is not set in SeeKi's "
                          "environment (auth_method = \"agent\" in %s). Start an agent with "
                          "`eval \"$(ssh-agent)\"`, add your key with `ssh-add`, and start SeeKi "
                          "from that shell; or use auth_method = \"key\"",
                          p->config_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    bool ok = fd >= 0 && strlen(sock) < sizeof sa.sun_path;
    if (ok) {
        memcpy(sa.sun_path, sock, strlen(sock) + 1);
        ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    }
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (!ok)
        return seeki_fail(err, SEEKI_E_SSH,
                          "SSH agent not available: SSH_AUTH_SOCK=%s cannot be reached (%s); "
                          "the agent is not running any more. Start one with "
                          "`eval \"$(ssh-agent)\"`, `ssh-add` your key, and start SeeKi from "
                          "that shell",
                          sock, strerror(e));
    int r = ssh_userauth_agent(s, NULL);
    if (r == SSH_AUTH_SUCCESS)
        return SEEKI_E_OK;
    if (r == SSH_AUTH_ERROR)
        return auth_error(s, p, err);
    bool jump = p->hop < p->nhops;
    char hop[48] = "", via[600] = "";
    if (p->nhops > 1)
        snprintf(hop, sizeof hop, "hop %d of %d, ", p->hop, p->nhops);
    if (p->via)
        snprintf(via, sizeof via, "-J %s ", p->via);
    return seeki_fail(err, SEEKI_E_SSH,
                      "SSH agent holds no key the %s accepts (%shost=%s:%d, user=%s). Run "
                      "`ssh-add -l` to see its keys, `ssh-add ~/.ssh/id_ed25519` to add yours, "
                      "and check that its public half is in ~%s/.ssh/authorized_keys on the "
                      "%s and that the user is right; try `ssh %s-p %d %s@%s`",
                      jump ? "jump host" : "bastion", hop, p->hostname, p->port, p->user,
                      p->user, jump ? "jump host" : "bastion", via, p->port, p->user,
                      p->hostname);
}

/* keyboard-interactive with the password answering every hidden prompt. */
static int auth_kbdint(ssh_session s, const char *password)
{
    int r = ssh_userauth_kbdint(s, NULL, NULL);
    for (int round = 0; r == SSH_AUTH_INFO && round < AUTH_KBDINT_ROUNDS; round++) {
        int n = ssh_userauth_kbdint_getnprompts(s);
        for (int i = 0; i < n; i++) {
            char echo = 0;
            (void)ssh_userauth_kbdint_getprompt(s, (unsigned)i, &echo);
            if (ssh_userauth_kbdint_setanswer(s, (unsigned)i, echo ? "" : password) < 0)
                return SSH_AUTH_ERROR;
        }
        r = ssh_userauth_kbdint(s, NULL, NULL);
    }
    return r;
}

enum seeki_code tunnel_password_missing(const struct tunnel_params *p, struct seeki_err *err)
{
    return seeki_fail(err, SEEKI_E_SSH,
                      "SSH password auth needs ssh.password in %s: create that file (TOML, "
                      "mode 0600) with `[ssh]` and `password = \"...\"`, or generate a key "
                      "(ssh-keygen), install its public half on the bastion and switch to "
                      "auth_method = \"key\" or \"agent\"",
                      p->secrets_path);
}

static enum seeki_code auth_password(ssh_session s, const struct tunnel_params *p, int methods,
                                     struct seeki_err *err)
{
    if (!p->password)
        return tunnel_password_missing(p, err);
    char mt[128];
    auth_methods_text(methods, mt, sizeof mt);
    int r = SSH_AUTH_DENIED;
    if (methods & SSH_AUTH_METHOD_PASSWORD)
        r = ssh_userauth_password(s, NULL, p->password);
    if (r == SSH_AUTH_DENIED && (methods & SSH_AUTH_METHOD_INTERACTIVE))
        r = auth_kbdint(s, p->password);
    if (r == SSH_AUTH_SUCCESS)
        return SEEKI_E_OK;
    if (r == SSH_AUTH_ERROR)
        return auth_error(s, p, err);
    if (!(methods & (SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_INTERACTIVE)))
        return tunnel_fail_conn(err, p, TUNNEL_STAGE_AUTH,
                                "the %s does not allow password logins (it offers: %s). "
                                "Use auth_method = \"key\" or \"agent\"",
                                auth_role(p), mt);
    return tunnel_fail_conn(err, p, TUNNEL_STAGE_AUTH,
                            "the %s rejected the password for user %s (ssh.password in "
                            "%s). Check ssh.username and the password",
                            auth_role(p), p->user, p->secrets_path);
}

enum seeki_code tunnel_authenticate(ssh_session s, const struct tunnel_params *p,
                                    struct seeki_err *err)
{
    /* Checks that need no server come first, so their advice is not hidden
     * behind a network error. */
    if (p->auth == CFG_AUTH_PASSWORD && !p->password)
        return auth_password(s, p, 0, err);
    int r = ssh_userauth_none(s, NULL);
    if (r == SSH_AUTH_SUCCESS)
        return SEEKI_E_OK;
    if (r == SSH_AUTH_ERROR)
        return auth_error(s, p, err);
    int methods = ssh_userauth_list(s, NULL);
    switch (p->auth) {
    case CFG_AUTH_KEY:
        return auth_key(s, p, methods, err);
    case CFG_AUTH_AGENT:
        return auth_agent(s, p, err);
    case CFG_AUTH_PASSWORD:
        return auth_password(s, p, methods, err);
    }
    return seeki_fail(err, SEEKI_E_INTERNAL, "unknown ssh.auth_method");
}
