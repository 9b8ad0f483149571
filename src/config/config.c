/* Loading the configuration: the lookup order of SPEC §2, reading the file,
 * handing it to the TOML bridge and the validator, then the secrets file.
 * Also the small public helpers: demo config, bind overrides (--host/--port,
 * SEEKI_BIND), label lookups and cfg_destroy. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_int.h"
#include "log.h"
#include "util/file.h"
#include "util/mem.h"
#include "util/secret.h"

/* A config file larger than this is certainly not a SeeKi config. */
#define LOAD_MAX_BYTES (1u << 20)

/* path made absolute against the current directory (symlinks kept). */
static char *load_absolute(const char *path)
{
    if (path[0] == '/')
        return xstrdup(path);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return xstrdup(path);
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    return xasprintf("%s%s%s", cwd, strcmp(cwd, "/") == 0 ? "" : "/", path);
}

static char *load_dirname(const char *abs)
{
    const char *slash = strrchr(abs, '/');
    if (!slash || slash == abs)
        return xstrdup("/");
    return xstrndup(abs, (size_t)(slash - abs));
}

/* Does path exist? A stat failure other than "not there" is an error. */
static enum seeki_code load_probe(const char *path, bool *found, struct seeki_err *err)
{
    struct stat st;
    *found = false;
    if (stat(path, &st) == 0) {
        *found = true;
        return SEEKI_E_OK;
    }
    if (errno == ENOENT || errno == ENOTDIR)
        return SEEKI_E_OK;
    return seeki_fail(err, SEEKI_E_CONFIG,
                      "Config file '%s' cannot be checked: %s; fix the permissions of its "
                      "directory or pass --config PATH",
                      path, strerror(errno));
}

/* $XDG_CONFIG_HOME/seeki/config.toml, else ~/.config/seeki/config.toml;
 * NULL when neither can be formed. */
static char *load_user_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/') /* the XDG spec ignores relative values */
        return xasprintf("%s/seeki/config.toml", xdg);
    const char *home = cfg_home_dir();
    return home ? xasprintf("%s/.config/seeki/config.toml", home) : NULL;
}

char *cfg_user_path(void)
{
    return load_user_path();
}

/* Chooses the file per the lookup order; *out is owned (absolute). */
static enum seeki_code load_find(const char *explicit_path, char **out, struct seeki_err *err)
{
    bool found = false;
    enum seeki_code rc;
    *out = NULL;
    if (explicit_path) {
        if (!*explicit_path)
            return seeki_fail(err, SEEKI_E_CONFIG,
                              "--config was given an empty path; pass the config file's path");
        if ((rc = load_probe(explicit_path, &found, err)) != SEEKI_E_OK)
            return rc;
        if (!found)
            return seeki_fail(err, SEEKI_E_CONFIG,
                              "Config file '%s' not found (--config). Check the path, or run "
                              "seeki without --config to use the setup wizard.",
                              explicit_path);
        *out = load_absolute(explicit_path);
        return SEEKI_E_OK;
    }
    char *local = load_absolute("seeki.toml");
    char *user = load_user_path();
    if ((rc = load_probe(local, &found, err)) == SEEKI_E_OK && found) {
        *out = local;
        free(user);
        return SEEKI_E_OK;
    }
    if (rc == SEEKI_E_OK && user && (rc = load_probe(user, &found, err)) == SEEKI_E_OK && found) {
        *out = user;
        free(local);
        return SEEKI_E_OK;
    }
    if (rc == SEEKI_E_OK)
        rc = seeki_fail(err, SEEKI_E_NO_CONFIG,
                        "No configuration file found (looked for %s%s%s); create one (see "
                        "docs/configuration.md), pass --config PATH, or finish the setup "
                        "wizard",
                        local, user ? " and " : "", user ? user : "");
    free(local);
    free(user);
    return rc;
}

enum seeki_code cfg_load(const char *explicit_path, struct cfg **out, struct seeki_err *err)
{
    char *path = NULL, *text = NULL;
    size_t len = 0;
    json_t *doc = NULL, *pos = NULL;
    struct cfg *c = NULL;
    *out = NULL;

    enum seeki_code rc = load_find(explicit_path, &path, err);
    if (rc != SEEKI_E_OK)
        goto fail;
    if ((rc = file_read_all(path, "Config file", LOAD_MAX_BYTES, &text, &len, NULL, err)) !=
        SEEKI_E_OK)
        goto fail;
    if ((rc = cfg_toml_parse(text, len, path, 0, &doc, &pos, err)) != SEEKI_E_OK)
        goto fail;

    c = xcalloc(1, sizeof *c);
    c->path = path;
    path = NULL;
    c->dir = load_dirname(c->path);
    cfg_set_defaults(c);
    struct cfg_ctx ctx = {.label = c->path, .has_pos = true, .base_dir = c->dir, .err = err};
    if ((rc = cfg_validate(&ctx, doc, pos, false, c)) != SEEKI_E_OK)
        goto fail;
    if ((rc = cfg_secrets_load(c->dir, &c->secrets, err)) != SEEKI_E_OK)
        goto fail;
    log_debug("config", "loaded %s (%s database%s)", c->path,
             c->db_kind == CFG_DB_SQLITE ? "sqlite" : "postgres",
             c->ssh.enabled ? ", through an SSH tunnel" : "");
    *out = c;
    c = NULL;
fail:
    cfg_destroy(c);
    json_decref(pos);
    json_decref(doc);
    free(text);
    free(path);
    return rc;
}

enum seeki_code cfg_from_json(struct json_t *doc, const char *source_label, const char *base_dir,
                              unsigned flags, struct cfg **out, struct seeki_err *err)
{
    *out = NULL;
    struct cfg *c = xcalloc(1, sizeof *c);
    char cwd[4096];
    if (!base_dir)
        base_dir = getcwd(cwd, sizeof cwd) ? cwd : "/";
    c->dir = xstrdup(base_dir);
    c->secrets.path = xasprintf("%s%s.seeki.secrets", c->dir,
                                c->dir[strlen(c->dir) - 1] == '/' ? "" : "/");
    cfg_set_defaults(c);
    struct cfg_ctx ctx = {.label = source_label, .has_pos = false, .base_dir = c->dir,
                          .err = err};
    enum seeki_code rc = cfg_validate(&ctx, doc, NULL, flags & CFG_JSON_SECRETS, c);
    if (rc != SEEKI_E_OK) {
        cfg_destroy(c);
        return rc;
    }
    *out = c;
    return SEEKI_E_OK;
}

struct cfg *cfg_new_demo(const char *sqlite_path)
{
    struct cfg *c = xcalloc(1, sizeof *c);
    cfg_set_defaults(c);
    c->db_kind = CFG_DB_SQLITE;
    if (!sqlite_path || !*sqlite_path) {
        /* Setup mode's placeholder: defaults (bind address), no database. */
        char cwd[4096];
        c->dir = xstrdup(getcwd(cwd, sizeof cwd) ? cwd : "/");
        return c;
    }
    char *abs = load_absolute(sqlite_path);
    c->dir = load_dirname(abs);
    c->db_url = xasprintf("sqlite://%s", abs);
    c->sqlite_path = abs;
    return c;
}

static bool bind_port(const char *s, int *port)
{
    long v = 0;
    if (!*s || strlen(s) > 5)
        return false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v < 1 || v > 65535)
        return false;
    *port = (int)v;
    return true;
}

enum seeki_code cfg_parse_bind(const char *spec, char **host, int *port, struct seeki_err *err)
{
    *host = NULL;
    *port = 0;
    const char *colon = strrchr(spec, ':');
    char *h = NULL;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (close && close > spec + 1 && close[1] == ':' && bind_port(close + 2, port))
            h = xstrndup(spec + 1, (size_t)(close - spec - 1));
    } else if (colon && strchr(spec, ':') == colon && bind_port(colon + 1, port)) {
        h = colon > spec ? xstrndup(spec, (size_t)(colon - spec)) : NULL;
        if (!h) {
            return SEEKI_E_OK; /* ":3141": keep the host, change the port */
        }
    }
    if (!h) {
        *port = 0;
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "Bind address '%.200s' (SEEKI_BIND) is not HOST:PORT with a port from "
                          "1 to 65535; write e.g. 127.0.0.1:3141 or [::1]:3141",
                          spec);
    }
    *host = h;
    return SEEKI_E_OK;
}

enum seeki_code cfg_override_bind(struct cfg *c, const char *host, int port,
                                  struct seeki_err *err)
{
    if (port < 0 || port > 65535)
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "--port %d is out of range; give a port from 1 to 65535", port);
    if (host && !*host)
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "--host is empty; give an address such as 127.0.0.1");
    if (host) {
        size_t hl = strlen(host);
        char *h = hl > 2 && host[0] == '[' && host[hl - 1] == ']' ? xstrndup(host + 1, hl - 2)
                                                                 : xstrdup(host);
        free(c->server_host);
        c->server_host = h;
    }
    if (port)
        c->server_port = port;
    return SEEKI_E_OK;
}

/* Exact name first; "x" and "public.x" name the same table (public tables
 * are listed bare). */
static const char *label_find(const struct cfg *c, const char *table, const char *column)
{
    for (int pass = 0; pass < 2; pass++) {
        const char *want = table;
        char *alt = NULL;
        if (pass == 1) {
            if (strncmp(table, "public.", 7) == 0)
                want = table + 7;
            else if (!strchr(table, '.'))
                want = alt = xasprintf("public.%s", table);
            else
                return NULL;
        }
        for (size_t i = 0; i < c->nlabels; i++) {
            const struct cfg_label *l = &c->labels[i];
            if (strcmp(l->table, want) != 0)
                continue;
            if (column ? l->column && strcmp(l->column, column) == 0 : !l->column) {
                free(alt);
                return l->label;
            }
        }
        free(alt);
    }
    return NULL;
}

const char *cfg_table_label(const struct cfg *c, const char *table)
{
    return c && table ? label_find(c, table, NULL) : NULL;
}

const char *cfg_column_label(const struct cfg *c, const char *table, const char *column)
{
    return c && table && column ? label_find(c, table, column) : NULL;
}

void cfg_destroy(struct cfg *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->dir);
    free(c->server_host);
    secret_free(c->db_url); /* may hold a password */
    free(c->sqlite_path);
    strv_free(c->schemas, c->nschemas);
    strv_free(c->include, c->ninclude);
    strv_free(c->exclude, c->nexclude);
    strv_free(c->col_exclude, c->ncol_exclude);
    strv_free(c->sensitive, c->nsensitive);
    for (size_t i = 0; i < c->nlabels; i++) {
        free(c->labels[i].table);
        free(c->labels[i].column);
        free(c->labels[i].label);
    }
    free(c->labels);
    for (size_t i = 0; i < c->nlabel_cols; i++) {
        free(c->label_cols[i].table);
        free(c->label_cols[i].column);
    }
    free(c->label_cols);
    free(c->title);
    free(c->subtitle);
    free(c->ssh.host);
    free(c->ssh.username);
    free(c->ssh.key_path);
    free(c->ssh.known_hosts_file);
    strv_free(c->ssh.jump, c->ssh.njump);
    free(c->ssh.host_key_fingerprint);
    free(c->ssh.certificate_path);
    cfg_secrets_free(&c->secrets);
    free(c);
}
