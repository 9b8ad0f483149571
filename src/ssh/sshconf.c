/* ~/.ssh/config for the bastion: a small reader for the five settings SeeKi
 * honours (HostName, Port, User, IdentityFile, UserKnownHostsFile) with
 * ssh(1)'s Host/Match/Include rules and "first value wins", and the merge
 * with seeki.toml (values set there win). libssh's own config processing is
 * switched off (session.c) so that precedence stays exactly this. */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "ssh/ssh_int.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/path.h"
#include "util/secret.h"

#define SSHCONF_MAX_ARGS 64

const char *tunnel_home(void)
{
    const char *h = path_home();
    return h ? h : "/";
}

const char *tunnel_local_user(void)
{
    static char name[256];
    struct passwd *pw = getpwuid(getuid());
    if (pw && pw->pw_name)
        snprintf(name, sizeof name, "%s", pw->pw_name);
    else
        snprintf(name, sizeof name, "%lu", (unsigned long)getuid());
    return name;
}

/* ---- pattern matching ------------------------------------------------------- */

/* Glob with * and ?, ASCII case-insensitive, over the whole of s. */
static bool sshconf_glob(const char *p, size_t plen, const char *s)
{
    if (plen == 0)
        return *s == '\0';
    if (*p == '*') {
        for (;;) {
            if (sshconf_glob(p + 1, plen - 1, s))
                return true;
            if (*s == '\0')
                return false;
            s++;
        }
    }
    if (*s == '\0')
        return false;
    if (*p != '?' && tolower((unsigned char)*p) != tolower((unsigned char)*s))
        return false;
    return sshconf_glob(p + 1, plen - 1, s + 1);
}

bool tunnel_pattern_match(const char *patterns, const char *name)
{
    bool matched = false;
    const char *p = patterns;
    while (*p) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        bool neg = *p == '!';
        if (neg)
            p++;
        size_t n = strcspn(p, ", \t");
        if (sshconf_glob(p, n, name)) {
            if (neg)
                return false;
            matched = true;
        }
        p += n;
    }
    return matched;
}

/* ---- tokens -------------------------------------------------------------------- */

char *tunnel_expand_tokens(const char *in, const struct tunnel_tokens *t)
{
    struct buf b;
    buf_init(&b, 0);
    const char *s = in;
    int rc = 0;
    if (s[0] == '~' && (s[1] == '/' || s[1] == '\0')) {
        rc |= buf_puts(&b, t->home ? t->home : "~");
        s++;
    }
    for (; *s; s++) {
        if (*s != '%' || s[1] == '\0') {
            rc |= buf_putc(&b, *s);
            continue;
        }
        const char *v = NULL;
        char num[16];
        switch (s[1]) {
        case '%': v = "%"; break;
        case 'd': v = t->home; break;
        case 'h': v = t->hostname; break;
        case 'n': v = t->host; break;
        case 'r': v = t->user; break;
        case 'u': v = t->local_user; break;
        case 'p':
            snprintf(num, sizeof num, "%d", t->port);
            v = num;
            break;
        default: break;
        }
        if (v) {
            rc |= buf_puts(&b, v);
            s++;
        } else {
            rc |= buf_putc(&b, *s);
        }
    }
    (void)rc; /* unbounded buffer: appends cannot fail */
    return buf_take(&b);
}

/* ---- the reader -------------------------------------------------------------- */

struct sshconf_ctx {
    const char *host, *home, *local_user;
    struct tunnel_sshconf *out;
    struct seeki_err *err;
    int depth;
};

/* Splits s (modified in place) into whitespace-separated args, honouring
 * double quotes. Returns the count; more than max args are dropped. */
static int sshconf_split(char *s, char **argv, int max)
{
    int n = 0;
    while (*s) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s || *s == '#')
            break;
        char *start = s, *w = s;
        bool quoted = false;
        while (*s && (quoted || !isspace((unsigned char)*s))) {
            if (*s == '"')
                quoted = !quoted;
            else
                *w++ = *s;
            s++;
        }
        if (*s)
            s++;
        *w = '\0';
        if (n < max)
            argv[n++] = start;
    }
    return n;
}

static enum seeki_code sshconf_text(struct sshconf_ctx *c, const char *text, const char *label);
static enum seeki_code sshconf_load_ctx(struct sshconf_ctx *c, const char *path);

static enum seeki_code sshconf_include(struct sshconf_ctx *c, const char *label, int lineno,
                                       const char *arg)
{
    if (c->depth >= TUNNEL_SSHCONF_MAX_DEPTH)
        return seeki_fail(c->err, SEEKI_E_CONFIG,
                          "%s:%d: Include nested more than %d deep; remove the Include loop "
                          "from your ssh config",
                          label, lineno, TUNNEL_SSHCONF_MAX_DEPTH);
    struct tunnel_tokens tk = {.home = c->home, .local_user = c->local_user, .host = c->host};
    char *pat = tunnel_expand_tokens(arg, &tk);
    if (pat[0] != '/') {
        char *abs = xasprintf("%s/.ssh/%s", c->home, pat);
        free(pat);
        pat = abs;
    }
    glob_t g;
    memset(&g, 0, sizeof g);
    enum seeki_code rc = SEEKI_E_OK;
    if (glob(pat, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc && rc == SEEKI_E_OK; i++) {
            c->depth++;
            rc = sshconf_load_ctx(c, g.gl_pathv[i]);
            c->depth--;
        }
    }
    globfree(&g);
    free(pat);
    return rc;
}

/* Evaluates a Match line's criteria (AND-ed; a leading ! negates one). */
static bool sshconf_match(struct sshconf_ctx *c, char **argv, int argc)
{
    const char *hostname = c->out->hostname ? c->out->hostname : c->host;
    const char *user = c->out->user ? c->out->user : c->local_user;
    for (int i = 0; i < argc; i++) {
        const char *crit = argv[i];
        bool neg = crit[0] == '!';
        if (neg)
            crit++;
        bool r;
        if (strcasecmp(crit, "all") == 0) {
            r = true;
        } else if (i + 1 < argc && (strcasecmp(crit, "host") == 0)) {
            r = tunnel_pattern_match(argv[++i], hostname);
        } else if (i + 1 < argc && strcasecmp(crit, "originalhost") == 0) {
            r = tunnel_pattern_match(argv[++i], c->host);
        } else if (i + 1 < argc && strcasecmp(crit, "user") == 0) {
            r = tunnel_pattern_match(argv[++i], user);
        } else if (i + 1 < argc && strcasecmp(crit, "localuser") == 0) {
            r = tunnel_pattern_match(argv[++i], c->local_user);
        } else {
            /* exec, canonical, final, ...: SeeKi never runs commands, so such a
             * block is treated as not matching. */
            log_debug("ssh", "ssh config: Match %s is not supported; block skipped", crit);
            return false;
        }
        if (r == neg)
            return false;
    }
    return true;
}

static void sshconf_set(char **dst, const char *v)
{
    if (*dst == NULL)
        *dst = xstrdup(v);
}

static enum seeki_code sshconf_line(struct sshconf_ctx *c, char *line, const char *label,
                                    int lineno, bool *active)
{
    char *s = line;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0' || *s == '#')
        return SEEKI_E_OK;
    char *kw = s;
    while (*s && !isspace((unsigned char)*s) && *s != '=')
        s++;
    char *kwend = s;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '=')
        s++;
    *kwend = '\0';
    char *argv[SSHCONF_MAX_ARGS];
    int argc = sshconf_split(s, argv, SSHCONF_MAX_ARGS);

    if (strcasecmp(kw, "Host") == 0) {
        *active = false;
        for (int i = 0; i < argc; i++) {
            if (argv[i][0] == '!' && tunnel_pattern_match(argv[i] + 1, c->host)) {
                *active = false;
                break;
            }
            if (argv[i][0] != '!' && tunnel_pattern_match(argv[i], c->host))
                *active = true;
        }
        return SEEKI_E_OK;
    }
    if (strcasecmp(kw, "Match") == 0) {
        *active = sshconf_match(c, argv, argc);
        return SEEKI_E_OK;
    }
    if (!*active || argc == 0)
        return SEEKI_E_OK;
    if (strcasecmp(kw, "Include") == 0) {
        for (int i = 0; i < argc; i++) {
            enum seeki_code rc = sshconf_include(c, label, lineno, argv[i]);
            if (rc != SEEKI_E_OK)
                return rc;
        }
        return SEEKI_E_OK;
    }
    struct tunnel_sshconf *o = c->out;
    if (strcasecmp(kw, "HostName") == 0) {
        sshconf_set(&o->hostname, argv[0]);
    } else if (strcasecmp(kw, "User") == 0) {
        sshconf_set(&o->user, argv[0]);
    } else if (strcasecmp(kw, "UserKnownHostsFile") == 0) {
        sshconf_set(&o->known_hosts, argv[0]);
    } else if (strcasecmp(kw, "CertificateFile") == 0) {
        if (strcasecmp(argv[0], "none") != 0)
            sshconf_set(&o->certificate, argv[0]);
    } else if (strcasecmp(kw, "ProxyJump") == 0) {
        if (!o->proxyjump && !o->proxycommand)
            o->proxyjump = xstrdup(argv[0]);
    } else if (strcasecmp(kw, "ProxyCommand") == 0) {
        if (!o->proxycommand && !o->proxyjump) {
            o->proxycommand = xstrdup(argv[0]);
            o->proxycommand_first = true;
        }
    } else if (strcasecmp(kw, "Port") == 0) {
        char *end = NULL;
        errno = 0;
        long v = strtol(argv[0], &end, 10);
        if (errno || end == argv[0] || *end || v < 1 || v > 65535)
            return seeki_fail(c->err, SEEKI_E_CONFIG,
                              "%s:%d: Port '%.40s' is not a port number (1-65535); fix it "
                              "there (ssh reads the same file)",
                              label, lineno, argv[0]);
        if (o->port == 0)
            o->port = (int)v;
    } else if (strcasecmp(kw, "IdentityFile") == 0) {
        if (strcasecmp(argv[0], "none") != 0 && o->nidentity < TUNNEL_SSHCONF_MAX_IDENTITIES) {
            o->identity = xrealloc(o->identity, (o->nidentity + 1) * sizeof *o->identity);
            o->identity[o->nidentity++] = xstrdup(argv[0]);
        }
    }
    return SEEKI_E_OK;
}

static enum seeki_code sshconf_text(struct sshconf_ctx *c, const char *text, const char *label)
{
    bool active = true; /* lines before the first Host/Match apply to every host */
    const char *p = text;
    int lineno = 0;
    enum seeki_code rc = SEEKI_E_OK;
    while (*p && rc == SEEKI_E_OK) {
        lineno++;
        size_t n = strcspn(p, "\n");
        char *line = xstrndup(p, n);
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[l - 1] = '\0';
        rc = sshconf_line(c, line, label, lineno, &active);
        free(line);
        p += n;
        if (*p == '\n')
            p++;
    }
    return rc;
}

enum seeki_code tunnel_sshconf_parse(const char *text, const char *label, const char *host,
                                     const char *home, const char *local_user,
                                     struct tunnel_sshconf *out, struct seeki_err *err)
{
    struct sshconf_ctx c = {
        .host = host, .home = home, .local_user = local_user, .out = out, .err = err};
    return sshconf_text(&c, text, label);
}

enum seeki_code tunnel_sshconf_load(const char *path, const char *host, const char *home,
                                    const char *local_user, struct tunnel_sshconf *out,
                                    struct seeki_err *err)
{
    struct sshconf_ctx c = {
        .host = host, .home = home, .local_user = local_user, .out = out, .err = err};
    return sshconf_load_ctx(&c, path);
}

/* Reads path and parses it in c (keeping c's Include depth). */
static enum seeki_code sshconf_load_ctx(struct sshconf_ctx *c, const char *path)
{
    struct seeki_err *err = c->err;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return SEEKI_E_OK;
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "Cannot read ssh config '%s': %s. Fix its permissions (ssh reads the "
                          "same file) or move it aside",
                          path, strerror(errno));
    }
    struct buf b;
    buf_init(&b, TUNNEL_SSHCONF_MAX_BYTES);
    char chunk[4096];
    size_t n;
    enum seeki_code rc = SEEKI_E_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf_append(&b, chunk, n) != 0) {
            rc = seeki_fail(err, SEEKI_E_CONFIG,
                            "ssh config '%s' is larger than %u bytes; SeeKi does not read it. "
                            "Shorten it",
                            path, TUNNEL_SSHCONF_MAX_BYTES);
            break;
        }
    }
    fclose(f);
    if (rc == SEEKI_E_OK)
        rc = sshconf_text(c, buf_str(&b), path);
    buf_free(&b);
    return rc;
}

void tunnel_sshconf_free(struct tunnel_sshconf *c)
{
    if (!c)
        return;
    free(c->hostname);
    free(c->user);
    free(c->known_hosts);
    free(c->proxyjump);
    free(c->proxycommand);
    free(c->certificate);
    strv_free(c->identity, c->nidentity);
    memset(c, 0, sizeof *c);
}

/* ---- merge with seeki.toml -------------------------------------------------- */

static char *sshconf_secret_dup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void tunnel_params_merge(const struct cfg *cfg, const struct tunnel_sshconf *conf,
                         const char *home, const char *local_user, struct tunnel_params *p)
{
    const struct cfg_ssh *s = &cfg->ssh;
    static const struct tunnel_sshconf none;
    if (!conf)
        conf = &none;
    memset(p, 0, sizeof *p);
    p->host = xstrdup(s->host);
    struct tunnel_tokens tk = {
        .home = home, .host = s->host, .hostname = s->host, .local_user = local_user};
    p->hostname = conf->hostname ? tunnel_expand_tokens(conf->hostname, &tk) : xstrdup(s->host);
    tk.hostname = p->hostname;
    /* ssh.port written in seeki.toml wins, even port = 22; only an absent one
     * lets ~/.ssh/config's Port apply. */
    p->port = s->port_set ? s->port : (conf->port ? conf->port : 22);
    tk.port = p->port;
    if (s->username)
        p->user = xstrdup(s->username);
    else if (conf->user)
        p->user = tunnel_expand_tokens(conf->user, &tk);
    else
        p->user = xstrdup(local_user);
    tk.user = p->user;
    p->auth = s->auth_method;
    if (s->key_path) {
        p->keys = xmalloc(sizeof *p->keys);
        p->keys[p->nkeys++] = xstrdup(s->key_path);
    } else if (conf->nidentity) {
        p->keys = xcalloc(conf->nidentity, sizeof *p->keys);
        for (size_t i = 0; i < conf->nidentity; i++)
            p->keys[p->nkeys++] = tunnel_expand_tokens(conf->identity[i], &tk);
    }
    /* Likewise known_hosts_file: only an absent one lets UserKnownHostsFile apply. */
    if (s->known_hosts_set && s->known_hosts_file)
        p->known_hosts = xstrdup(s->known_hosts_file);
    else if (conf->known_hosts)
        p->known_hosts = tunnel_expand_tokens(conf->known_hosts, &tk);
    else if (s->known_hosts_file)
        p->known_hosts = xstrdup(s->known_hosts_file);
    else
        p->known_hosts = xasprintf("%s/.ssh/known_hosts", home);
    p->policy = s->host_key_policy;
    p->keepalive_s = s->keepalive_seconds;
    p->timeout_s = s->connect_timeout_seconds > 0 ? s->connect_timeout_seconds : 10;
    p->key_passphrase = sshconf_secret_dup(cfg->secrets.key_passphrase);
    p->password = sshconf_secret_dup(cfg->secrets.ssh_password);
    p->secrets_path = xstrdup(cfg->secrets.path ? cfg->secrets.path : ".seeki.secrets");
    p->config_path = xstrdup(cfg->path ? cfg->path : "seeki.toml");
    p->hop = p->nhops = 1;
    p->pin_fp = s->host_key_fingerprint ? xstrdup(s->host_key_fingerprint) : NULL;
    if (s->certificate_path)
        p->cert = xstrdup(s->certificate_path);
    else if (conf->certificate)
        p->cert = tunnel_expand_tokens(conf->certificate, &tk);
}

enum seeki_code tunnel_params_resolve(const struct cfg *cfg, const char *db_host, int db_port,
                                      struct tunnel_params *p, struct seeki_err *err)
{
    const char *home = tunnel_home();
    const char *lu = tunnel_local_user();
    struct tunnel_sshconf conf;
    memset(&conf, 0, sizeof conf);
    memset(p, 0, sizeof *p);
    char *path = xasprintf("%s/.ssh/config", home);
    enum seeki_code rc = tunnel_sshconf_load(path, cfg->ssh.host, home, lu, &conf, err);
    free(path);
    if (rc != SEEKI_E_OK)
        goto done;
    tunnel_params_merge(cfg, &conf, home, lu, p);
    p->db_host = xstrdup(db_host);
    p->db_port = db_port;
    if (p->auth == CFG_AUTH_KEY && p->nkeys == 0) {
        /* ssh's default identities, in its order of preference. */
        static const char *const defaults[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
        p->keys = xcalloc(SEEKI_ARRAY_LEN(defaults), sizeof *p->keys);
        for (size_t i = 0; i < SEEKI_ARRAY_LEN(defaults); i++) {
            char *k = xasprintf("%s/.ssh/%s", home, defaults[i]);
            struct stat st;
            if (stat(k, &st) == 0)
                p->keys[p->nkeys++] = k;
            else
                free(k);
        }
        p->keys_defaulted = true;
        if (p->nkeys == 0)
            rc = seeki_fail(err, SEEKI_E_CONFIG,
                            "ssh.key_path is not set in %s, ~/.ssh/config names no "
                            "IdentityFile for %s, and none of ~/.ssh/id_ed25519, "
                            "~/.ssh/id_ecdsa, ~/.ssh/id_rsa exists. Set ssh.key_path to your "
                            "private key, or use auth_method = \"agent\"",
                            p->config_path, p->host);
    }
done:
    tunnel_sshconf_free(&conf);
    return rc;
}

void tunnel_params_free(struct tunnel_params *p)
{
    if (!p)
        return;
    free(p->host);
    free(p->hostname);
    free(p->user);
    strv_free(p->keys, p->nkeys);
    free(p->known_hosts);
    secret_free(p->key_passphrase);
    secret_free(p->password);
    free(p->secrets_path);
    free(p->config_path);
    free(p->db_host);
    free(p->hk_accept_fp);
    free(p->via);
    free(p->pin_fp);
    free(p->cert);
    memset(p, 0, sizeof *p);
}

/* ---- jump hosts --------------------------------------------------------------- */

void tunnel_hops_free(struct tunnel_params *jumps, size_t njumps)
{
    for (size_t i = 0; i < njumps; i++)
        tunnel_params_free(&jumps[i]);
    free(jumps);
}

/* "ProxyCommand is not supported" for host's ssh config entry. */
static enum seeki_code sshconf_no_proxycommand(const char *host, const char *config_path,
                                               struct seeki_err *err)
{
    return seeki_fail(err, SEEKI_E_CONFIG,
                      "~/.ssh/config sets ProxyCommand for %s: SeeKi does not support "
                      "ProxyCommand, because it runs a command through a shell and SeeKi never "
                      "spawns programs. Use ProxyJump there, or list the jump hosts in ssh.jump "
                      "in %s (e.g. jump = [\"user@jumphost:22\"])",
                      host, config_path);
}

/* The params of jump host spec (from ssh.jump or ProxyJump), with its own
 * ~/.ssh/config entry: the spec's user and port win, then that entry, then
 * the local user and 22 (as ssh -J does). Auth method, timeouts, policy and
 * secrets are the [ssh] ones; the key is the entry's IdentityFile, else
 * ssh.key_path, else ssh's default identities. */
static enum seeki_code sshconf_jump(const struct cfg *cfg, const char *spec, const char *label,
                                    const char *home, const char *lu, struct tunnel_params *p,
                                    struct seeki_err *err)
{
    char *user = NULL, *host = NULL;
    int port = 0;
    enum seeki_code rc = cfg_parse_jump(spec, label, &user, &host, &port, err);
    if (rc != SEEKI_E_OK)
        return rc;
    struct tunnel_sshconf conf;
    memset(&conf, 0, sizeof conf);
    char *path = xasprintf("%s/.ssh/config", home);
    rc = tunnel_sshconf_load(path, host, home, lu, &conf, err);
    free(path);
    if (rc == SEEKI_E_OK && conf.proxycommand && strcasecmp(conf.proxycommand, "none") != 0)
        log_info("ssh", "~/.ssh/config's ProxyCommand for jump host %s is ignored: the hop "
                 "before it carries the connection", host);
    if (rc == SEEKI_E_OK) {
        struct cfg c = *cfg;
        c.ssh.host = host;
        c.ssh.port = port ? port : 22;
        c.ssh.port_set = port != 0;
        c.ssh.username = user; /* NULL: the entry's User, else the local user */
        if (conf.nidentity)
            c.ssh.key_path = NULL;
        c.ssh.host_key_fingerprint = NULL; /* the pin is the bastion's only */
        c.ssh.certificate_path = NULL;     /* the entry's CertificateFile, or KEY-cert.pub */
        tunnel_params_merge(&c, &conf, home, lu, p);
        if (p->auth == CFG_AUTH_KEY && p->nkeys == 0) {
            static const char *const defaults[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
            p->keys = xcalloc(SEEKI_ARRAY_LEN(defaults), sizeof *p->keys);
            for (size_t i = 0; i < SEEKI_ARRAY_LEN(defaults); i++) {
                char *k = xasprintf("%s/.ssh/%s", home, defaults[i]);
                struct stat st;
                if (stat(k, &st) == 0)
                    p->keys[p->nkeys++] = k;
                else
                    free(k);
            }
            p->keys_defaulted = true;
            if (p->nkeys == 0)
                rc = seeki_fail(err, SEEKI_E_CONFIG,
                                "No SSH key for jump host %s: ~/.ssh/config names no "
                                "IdentityFile for it, ssh.key_path is not set in %s, and none "
                                "of ~/.ssh/id_ed25519, ~/.ssh/id_ecdsa, ~/.ssh/id_rsa exists. "
                                "Add an IdentityFile for it, or use auth_method = \"agent\"",
                                host, p->config_path);
        }
    }
    tunnel_sshconf_free(&conf);
    free(user);
    free(host);
    return rc;
}

enum seeki_code tunnel_hops_resolve(const struct cfg *cfg, const char *db_host, int db_port,
                                    struct tunnel_params **jumps, size_t *njumps,
                                    struct tunnel_params *bastion, struct seeki_err *err)
{
    *jumps = NULL;
    *njumps = 0;
    enum seeki_code rc = tunnel_params_resolve(cfg, db_host, db_port, bastion, err);
    if (rc != SEEKI_E_OK)
        return rc;
    const char *home = tunnel_home();
    const char *lu = tunnel_local_user();
    /* The bastion's own entry again, for ProxyJump / ProxyCommand. */
    struct tunnel_sshconf conf;
    memset(&conf, 0, sizeof conf);
    char *path = xasprintf("%s/.ssh/config", home);
    rc = tunnel_sshconf_load(path, cfg->ssh.host, home, lu, &conf, err);
    free(path);
    char **specs = NULL;
    size_t nspecs = 0;
    const char *label = NULL;
    if (rc != SEEKI_E_OK)
        goto done;
    if (cfg->ssh.jump_set) {
        specs = cfg->ssh.jump;
        nspecs = cfg->ssh.njump;
        label = "ssh.jump";
    } else if (conf.proxycommand && conf.proxycommand_first &&
               strcasecmp(conf.proxycommand, "none") != 0) {
        rc = sshconf_no_proxycommand(cfg->ssh.host, bastion->config_path, err);
        goto done;
    } else if (conf.proxyjump && strcasecmp(conf.proxyjump, "none") != 0) {
        /* ProxyJump host1,host2: split the comma list. */
        char *copy = xstrdup(conf.proxyjump);
        for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            specs = xrealloc(specs, (nspecs + 1) * sizeof *specs);
            specs[nspecs++] = xstrdup(tok);
        }
        free(copy);
        label = "ProxyJump in ~/.ssh/config";
    }
    if (nspecs + 1 > TUNNEL_HOPS_MAX) {
        rc = seeki_fail(err, SEEKI_E_CONFIG,
                        "%s lists %zu jump hosts; SeeKi supports at most %d. Shorten the chain",
                        label, nspecs, TUNNEL_HOPS_MAX - 1);
        goto done;
    }
    if (nspecs) {
        *jumps = xcalloc(nspecs, sizeof **jumps);
        for (size_t i = 0; i < nspecs && rc == SEEKI_E_OK; i++) {
            rc = sshconf_jump(cfg, specs[i], label, home, lu, &(*jumps)[i], err);
            if (rc == SEEKI_E_OK)
                (*njumps)++;
        }
    }
    if (rc != SEEKI_E_OK)
        goto done;
    /* Positions, and the ssh -J list each hop is reached with. */
    struct buf via;
    buf_init(&via, 0);
    for (size_t i = 0; i <= *njumps; i++) {
        struct tunnel_params *hp = i < *njumps ? &(*jumps)[i] : bastion;
        hp->hop = (int)i + 1;
        hp->nhops = (int)*njumps + 1;
        hp->db_host = hp->db_host ? hp->db_host : xstrdup(db_host);
        hp->db_port = db_port;
        if (i > 0)
            hp->via = xstrdup(buf_str(&via));
        char t[TUNNEL_BASTION_MAX];
        tunnel_hop_text(hp, t, sizeof t);
        if (buf_printf(&via, "%s%s", i ? "," : "", t) != 0)
            break; /* unbounded buffer: cannot fail */
    }
    buf_free(&via);
done:
    if (!cfg->ssh.jump_set)
        strv_free(specs, nspecs);
    tunnel_sshconf_free(&conf);
    if (rc != SEEKI_E_OK) {
        tunnel_hops_free(*jumps, *njumps);
        *jumps = NULL;
        *njumps = 0;
        tunnel_params_free(bastion);
    }
    return rc;
}
