/* Paths, environment references and database URLs for the validator: "~"
 * expansion, ${NAME} expansion, the database kind/URL agreement, SQLite path
 * resolution and PostgreSQL URL syntax through libpq. Messages here never
 * contain a URL or a password: only the key, the reference or libpq's reason
 * with secrets masked. */
#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_int.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/path.h"
#include "util/secret.h"

/* Longest ${NAME} we accept (environment names are short). */
#define URL_ENV_NAME_MAX 128

const char *cfg_home_dir(void)
{
    return path_home();
}

/* dir + "/" + rel without doubling the slash. */
static char *url_join(const char *dir, const char *rel)
{
    size_t dl = strlen(dir);
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    return xasprintf("%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", rel);
}

enum seeki_code cfg_expand_path(struct cfg_ctx *ctx, json_t *posent, const char *key,
                                const char *path, char **out)
{
    *out = NULL;
    if (path[0] == '~' && (path[1] == '\0' || path[1] == '/')) {
        const char *home = cfg_home_dir();
        if (!home)
            return cfg_fail_at(ctx, posent,
                               "`%s` starts with ~ but the home directory is unknown ($HOME is "
                               "unset and there is no passwd entry); write an absolute path",
                               key);
        *out = path[1] ? url_join(home, path + 2) : xstrdup(home);
        return SEEKI_E_OK;
    }
    if (path[0] == '/' || !ctx->base_dir) {
        *out = xstrdup(path);
        return SEEKI_E_OK;
    }
    *out = url_join(ctx->base_dir, path);
    return SEEKI_E_OK;
}

static bool url_name_char(char ch, bool first)
{
    return ch == '_' || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
           (!first && ch >= '0' && ch <= '9');
}

enum seeki_code cfg_expand_env(struct cfg_ctx *ctx, json_t *posent, const char *key,
                               const char *in, char **out)
{
    struct buf b;
    buf_init(&b, 0);
    *out = NULL;
    enum seeki_code rc = SEEKI_E_OK;
    const char *p = in;
    while (*p) {
        if (p[0] != '$' || p[1] != '{') {
            if (buf_putc(&b, *p++) != 0)
                goto oom;
            continue;
        }
        const char *name = p + 2;
        const char *end = strchr(name, '}');
        size_t len = end ? (size_t)(end - name) : 0;
        bool ok = end && len > 0 && len <= URL_ENV_NAME_MAX;
        for (size_t i = 0; ok && i < len; i++)
            ok = url_name_char(name[i], i == 0);
        if (!ok) {
            /* Quote at most the would-be name: the rest may be a password. */
            rc = cfg_fail_at(ctx, posent,
                             "`%s` has a malformed environment reference at '${%.*s'; write "
                             "${NAME} with letters, digits and _ only",
                             key, end && len <= URL_ENV_NAME_MAX ? (int)len : 0, name);
            goto fail;
        }
        char vname[URL_ENV_NAME_MAX + 1];
        memcpy(vname, name, len);
        vname[len] = '\0';
        const char *val = getenv(vname);
        if (!val) {
            rc = cfg_fail_at(ctx, posent,
                             "`%s` references ${%s}, but the environment variable %s is not set; "
                             "export it before starting SeeKi",
                             key, vname, vname);
            goto fail;
        }
        if (buf_puts(&b, val) != 0)
            goto oom;
        p = end + 1;
    }
    *out = buf_take(&b);
    if (!*out)
        *out = xstrdup("");
    return SEEKI_E_OK;
oom:
    rc = seeki_fail(ctx->err, SEEKI_E_INTERNAL, "out of memory expanding `%s`", key);
fail:
    if (b.data)
        memset(b.data, 0, b.len);
    buf_free(&b);
    return rc;
}

char *cfg_redact(const char *msg, const char *const *needles)
{
    struct buf b;
    buf_init(&b, 0);
    const char *p = msg;
    while (*p) {
        size_t best = 0;
        for (size_t i = 0; needles[i]; i++) {
            size_t nl = strlen(needles[i]);
            if (nl && strncmp(p, needles[i], nl) == 0 && nl > best)
                best = nl;
        }
        int rc = best ? buf_puts(&b, "****") : buf_putc(&b, *p);
        (void)rc; /* unbounded buffer */
        p += best ? best : 1;
    }
    char *s = buf_take(&b);
    return s ? s : xstrdup("");
}

/* The password in a postgres URL's user info, raw (still percent-encoded);
 * NULL when there is none. */
static char *url_userinfo_password(const char *url)
{
    const char *auth = strstr(url, "://");
    if (!auth)
        return NULL;
    auth += 3;
    size_t alen = strcspn(auth, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@')
            at = auth + i;
    if (!at)
        return NULL;
    const char *colon = memchr(auth, ':', (size_t)(at - auth));
    return colon ? xstrndup(colon + 1, (size_t)(at - colon - 1)) : NULL;
}

/* The value of a "password=" query parameter, raw; NULL when absent. */
static char *url_query_password(const char *url)
{
    const char *q = strchr(url, '?');
    while (q) {
        q++;
        if (strncmp(q, "password=", 9) == 0)
            return xstrndup(q + 9, strcspn(q + 9, "&"));
        q = strchr(q, '&');
    }
    return NULL;
}

/* Percent-decodes s (invalid escapes kept as they are). */
static char *url_decode(const char *s)
{
    size_t n = strlen(s);
    char *d = xmalloc(n + 1), *o = d;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], '\0'};
            *o++ = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return d;
}

/* libpq's own checks are lax about ports and sslmode; check those too. */
static const char *url_check_options(PQconninfoOption *opts, const char **bad_value)
{
    static const char *const modes[] = {"disable", "allow",     "prefer",
                                        "require", "verify-ca", "verify-full"};
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !*o->val)
            continue;
        if (strcmp(o->keyword, "port") == 0) {
            /* One port per host, comma-separated for multi-host URLs. */
            const char *p = o->val;
            while (*p) {
                size_t len = strcspn(p, ",");
                long port = 0;
                bool ok = len > 0 && len <= 5;
                for (size_t i = 0; ok && i < len; i++) {
                    ok = p[i] >= '0' && p[i] <= '9';
                    port = port * 10 + (p[i] - '0');
                }
                if (!ok || port < 1 || port > 65535) {
                    *bad_value = o->val;
                    return "the port must be a number from 1 to 65535";
                }
                p += len + (p[len] == ',');
            }
        } else if (strcmp(o->keyword, "sslmode") == 0) {
            bool ok = false;
            for (size_t i = 0; i < SEEKI_ARRAY_LEN(modes); i++)
                ok = ok || strcmp(o->val, modes[i]) == 0;
            if (!ok) {
                *bad_value = o->val;
                return "sslmode must be disable, allow, prefer, require, verify-ca or "
                       "verify-full";
            }
        }
    }
    return NULL;
}

static enum seeki_code url_check_postgres(struct cfg_ctx *ctx, json_t *url_pos, const char *url)
{
    char *pw_user = url_userinfo_password(url);
    char *pw_query = url_query_password(url);
    char *pw_user_dec = pw_user ? url_decode(pw_user) : NULL;
    char *pw_query_dec = pw_query ? url_decode(pw_query) : NULL;
    const char *needles[] = {url, pw_user, pw_query, pw_user_dec, pw_query_dec, NULL};
    /* NULL entries end the list early; compact it. */
    const char *list[SEEKI_ARRAY_LEN(needles)];
    size_t nl = 0;
    for (size_t i = 0; i + 1 < SEEKI_ARRAY_LEN(needles); i++)
        if (needles[i] && *needles[i])
            list[nl++] = needles[i];
    list[nl] = NULL;

    /* libpq may quote the whole URL or one part of it; every such copy of
     * the URL or a password is masked. A very short password may also mask
     * innocent letters of the message: better garbled than leaked. */
    enum seeki_code rc = SEEKI_E_OK;
    char *pqerr = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &pqerr);
    if (!opts) {
        char *clean = cfg_redact(pqerr ? pqerr : "unknown error", list);
        size_t cl = strlen(clean);
        while (cl && (clean[cl - 1] == '\n' || clean[cl - 1] == ' '))
            clean[--cl] = '\0';
        rc = cfg_fail_at(ctx, url_pos,
                         "`database.url` is not a valid PostgreSQL URL (libpq: %s); write "
                         "postgres://user:password@host:port/dbname and percent-encode special "
                         "characters in each part (e.g. @ as %%40)",
                         clean);
        free(clean);
    } else {
        const char *bad = NULL;
        const char *why = url_check_options(opts, &bad);
        if (why) {
            bool secret = false;
            for (size_t i = 0; i < nl; i++)
                secret = secret || strstr(bad, list[i]) != NULL;
            rc = cfg_fail_at(ctx, url_pos, "`database.url` is not usable: %s, got \"%s\"", why,
                             secret ? "****" : bad);
        }
        PQconninfoFree(opts);
    }
    if (pqerr)
        PQfreemem(pqerr);
    secret_free(pw_user);
    secret_free(pw_query);
    secret_free(pw_user_dec);
    secret_free(pw_query_dec);
    return rc;
}

static enum seeki_code url_check_sqlite(struct cfg_ctx *ctx, json_t *url_pos, struct cfg *c)
{
    const char *rest = c->db_url + strlen("sqlite:");
    const char *path;
    if (strncmp(rest, "//", 2) == 0) {
        /* sqlite:///abs/path: an empty authority, then an absolute path. */
        if (rest[2] != '/')
            return cfg_fail_at(ctx, url_pos,
                               "`database.url` names a host after sqlite:// ; write "
                               "sqlite:///absolute/path.db or sqlite:relative/path.db");
        path = rest + 2;
    } else {
        path = rest;
    }
    if (!*path || strcmp(path, "/") == 0)
        return cfg_fail_at(ctx, url_pos,
                           "`database.url` has no file path after sqlite: ; write "
                           "sqlite:///absolute/path.db or sqlite:relative/path.db");
    free(c->sqlite_path);
    if (path[0] == '/') {
        c->sqlite_path = xstrdup(path);
    } else {
        char cwd[4096];
        const char *base = ctx->base_dir;
        if (!base)
            base = getcwd(cwd, sizeof cwd);
        if (!base)
            return cfg_fail_at(ctx, url_pos,
                               "`database.url` has a relative SQLite path but the current "
                               "directory is unknown; write sqlite:///absolute/path.db");
        c->sqlite_path = url_join(base, path);
    }
    return SEEKI_E_OK;
}

enum seeki_code cfg_check_db_url(struct cfg_ctx *ctx, json_t *url_pos, json_t *kind_pos,
                                 bool kind_given, struct cfg *c)
{
    const char *url = c->db_url;
    bool is_sqlite = strncmp(url, "sqlite:", 7) == 0;
    bool is_pg = strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
    if (!is_sqlite && !is_pg) {
        size_t scheme = strcspn(url, ":/@");
        bool show = url[scheme] == ':' && scheme > 0 && scheme < 20;
        return cfg_fail_at(ctx, url_pos,
                           "`database.url` must start with postgres://, postgresql:// or "
                           "sqlite:%s%.*s%s",
                           show ? " (got scheme '" : "", show ? (int)scheme : 0, url,
                           show ? "')" : "");
    }
    enum cfg_db_kind url_kind = is_sqlite ? CFG_DB_SQLITE : CFG_DB_POSTGRES;
    if (kind_given && url_kind != c->db_kind)
        return cfg_fail_at(ctx, kind_pos ? kind_pos : url_pos,
                           "`database.kind` is \"%s\" but `database.url` is a %s URL; make them "
                           "agree, or remove `kind` to infer it from the URL",
                           c->db_kind == CFG_DB_SQLITE ? "sqlite" : "postgres",
                           is_sqlite ? "sqlite:" : "postgres://");
    c->db_kind = url_kind;
    if (is_sqlite)
        return url_check_sqlite(ctx, url_pos, c);
    return url_check_postgres(ctx, url_pos, url);
}

/* ---- jump hosts ------------------------------------------------------------- */

enum seeki_code cfg_parse_jump(const char *spec, const char *label, char **user, char **host,
                               int *port, struct seeki_err *err)
{
    *user = *host = NULL;
    *port = 0;
    const char *pre = label ? label : "";
    const char *sep = label ? ": " : "";
    const char *at = strrchr(spec, '@');
    const char *h = at ? at + 1 : spec;
    if (at && at == spec)
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "%s%sjump host '%.100s' has an empty user before '@'; write "
                          "user@host[:port] or just host",
                          pre, sep, spec);
    if (strncmp(spec, "ssh://", 6) == 0 || strpbrk(spec, " \t,/") != NULL)
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "%s%sjump host '%.100s' is not [user@]host[:port] (one host per "
                          "entry, no spaces, commas or ssh:// URLs)",
                          pre, sep, spec);
    const char *hend, *colon = NULL;
    if (*h == '[') {
        hend = strchr(h, ']');
        if (!hend || (hend[1] != '\0' && hend[1] != ':'))
            return seeki_fail(err, SEEKI_E_CONFIG,
                              "%s%sjump host '%.100s': an IPv6 address goes in brackets, "
                              "e.g. [fd00::1]:2222",
                              pre, sep, spec);
        colon = hend[1] == ':' ? hend + 1 : NULL;
        h++;
    } else {
        colon = strchr(h, ':');
        if (colon && strchr(colon + 1, ':'))
            return seeki_fail(err, SEEKI_E_CONFIG,
                              "%s%sjump host '%.100s': an IPv6 address goes in brackets, "
                              "e.g. [fd00::1]:2222",
                              pre, sep, spec);
        hend = colon ? colon : h + strlen(h);
    }
    if (hend == h)
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "%s%sjump host '%.100s' names no host; write user@host[:port]", pre,
                          sep, spec);
    if (colon) {
        char *end = NULL;
        errno = 0;
        long v = strtol(colon + 1, &end, 10);
        if (errno || end == colon + 1 || *end || v < 1 || v > 65535)
            return seeki_fail(err, SEEKI_E_CONFIG,
                              "%s%sjump host '%.100s' has port '%.20s'; a port is 1-65535", pre,
                              sep, spec, colon + 1);
        *port = (int)v;
    }
    *host = xstrndup(h, (size_t)(hend - h));
    if (at)
        *user = xstrndup(spec, (size_t)(at - spec));
    return SEEKI_E_OK;
}

bool cfg_url_has_password(const char *url)
{
    if (!url || strncmp(url, "sqlite:", 7) == 0)
        return false;
    char *pqerr = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &pqerr);
    PQfreemem(pqerr);
    if (!opts)
        return false;
    bool has = false;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
            has = true;
    PQconninfoFree(opts);
    return has;
}
