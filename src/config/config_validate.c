/* The validator: walks the JSON image of seeki.toml (from the TOML bridge or a
 * wizard request body) and fills struct cfg with the defaults and rules of
 * SPEC §2. Every rule about a particular key lives here (secrets: secrets.c;
 * URLs and paths: config_url.c). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"
#include "log.h"
#include "util/mem.h"
#include "util/secret.h"

static const char *const val_top_keys[] = {"server",  "database", "tables", "columns",
                                           "display", "branding", "ssh",    NULL};
static const char *const val_top_keys_secrets[] = {
    "server", "database", "tables", "columns", "display", "branding", "ssh", "secrets", NULL};
static const char *const val_server_keys[] = {"host", "port", NULL};
static const char *const val_database_keys[] = {
    "kind", "url", "max_connections", "schemas", "statement_timeout_ms", NULL};
static const char *const val_tables_keys[] = {"include", "exclude", NULL};
static const char *const val_columns_keys[] = {"exclude", NULL};
static const char *const val_display_keys[] = {"tables", "columns", "sensitive", "labels", NULL};
/* display.sensitive when unset (SPEC §10) */
static const char *const val_sensitive_default[] = {"*password*",    "*passwd*",  "*secret*",
                                                    "*token*",       "*api_key*", "ssn",
                                                    "*card_number*", "iban",      NULL};
static const char *const val_branding_keys[] = {"title", "subtitle", NULL};
static const char *const val_ssh_keys[] = {"host",
                                           "port",
                                           "username",
                                           "auth_method",
                                           "key_path",
                                           "known_hosts_file",
                                           "host_key_policy",
                                           "keepalive_seconds",
                                           "connect_timeout_seconds",
                                           "jump",
                                           "host_key_fingerprint",
                                           "certificate_path",
                                           NULL};
static const char *const val_kinds[] = {"postgres", "sqlite", NULL};
static const char *const val_auth[] = {"key", "agent", "password", NULL};
static const char *const val_policies[] = {"accept-new", "strict", NULL};

void cfg_set_defaults(struct cfg *c)
{
    c->server_host = xstrdup("127.0.0.1");
    c->server_port = 3141;
    c->db_kind = CFG_DB_POSTGRES;
    c->max_connections = 5;
    c->schemas = xcalloc(2, sizeof *c->schemas);
    c->schemas[0] = xstrdup("public");
    c->nschemas = 1;
    c->statement_timeout_ms = 30000;
    c->title = xstrdup("SeeKi");
    size_t ns = 0;
    while (val_sensitive_default[ns])
        ns++;
    c->sensitive = xcalloc(ns + 1, sizeof *c->sensitive);
    for (c->nsensitive = 0; c->nsensitive < ns; c->nsensitive++)
        c->sensitive[c->nsensitive] = xstrdup(val_sensitive_default[c->nsensitive]);
}

static enum seeki_code val_server(struct cfg_sect *root, struct cfg *c)
{
    struct cfg_sect s;
    enum seeki_code rc = cfg_sect_open(root, "server", &s);
    if (rc == SEEKI_E_OK)
        rc = cfg_sect_keys(&s, val_server_keys);
    if (rc == SEEKI_E_OK)
        rc = cfg_get_string(&s, "host", 0, &c->server_host);
    if (rc == SEEKI_E_OK)
        rc = cfg_get_int(&s, "port", 1, 65535, NULL, &c->server_port);
    /* "[::1]" is accepted and stored bare, the form bind(2) wants. */
    size_t hl = strlen(c->server_host);
    if (rc == SEEKI_E_OK && hl > 2 && c->server_host[0] == '[' && c->server_host[hl - 1] == ']') {
        char *bare = xstrndup(c->server_host + 1, hl - 2);
        free(c->server_host);
        c->server_host = bare;
    }
    cfg_sect_free(&s);
    return rc;
}

static enum seeki_code val_database(struct cfg_sect *root, struct cfg *c)
{
    struct cfg_sect s;
    char *raw_url = NULL;
    enum seeki_code rc = cfg_sect_open(root, "database", &s);
    if (rc != SEEKI_E_OK)
        goto done;
    if (!s.obj)
        goto done; /* reported by cfg_validate after the other tables */
    if ((rc = cfg_sect_keys(&s, val_database_keys)) != SEEKI_E_OK)
        goto done;
    int kind = CFG_DB_POSTGRES;
    bool kind_given = json_object_get(s.obj, "kind") != NULL;
    if ((rc = cfg_get_enum(&s, "kind", val_kinds, &kind)) != SEEKI_E_OK)
        goto done;
    c->db_kind = kind == 1 ? CFG_DB_SQLITE : CFG_DB_POSTGRES;
    /* A URL is never quoted back (it may hold a password). */
    if ((rc = cfg_get_string(&s, "url", CFG_REQUIRED | CFG_SECRET, &raw_url)) != SEEKI_E_OK)
        goto done;
    json_t *url_pos = cfg_sect_pos(&s, "url");
    if ((rc = cfg_expand_env(s.ctx, url_pos, "database.url", raw_url, &c->db_url)) != SEEKI_E_OK)
        goto done;
    if ((rc = cfg_check_db_url(s.ctx, url_pos, cfg_sect_pos(&s, "kind"), kind_given, c)) !=
        SEEKI_E_OK)
        goto done;
    if ((rc = cfg_get_int(&s, "max_connections", 1, 100, NULL, &c->max_connections)) !=
        SEEKI_E_OK)
        goto done;
    if ((rc = cfg_get_strings(&s, "schemas", true, &c->schemas, &c->nschemas, NULL)) !=
        SEEKI_E_OK)
        goto done;
    rc = cfg_get_int(&s, "statement_timeout_ms", 1, INT_MAX, "milliseconds",
                     &c->statement_timeout_ms);
done:
    secret_free(raw_url);
    cfg_sect_free(&s);
    return rc;
}

static enum seeki_code val_tables(struct cfg_sect *root, struct cfg *c)
{
    struct cfg_sect s;
    enum seeki_code rc = cfg_sect_open(root, "tables", &s);
    if (rc == SEEKI_E_OK)
        rc = cfg_sect_keys(&s, val_tables_keys);
    if (rc == SEEKI_E_OK)
        rc = cfg_get_strings(&s, "include", false, &c->include, &c->ninclude, &c->include_set);
    if (rc == SEEKI_E_OK)
        rc = cfg_get_strings(&s, "exclude", false, &c->exclude, &c->nexclude, NULL);
    if (rc == SEEKI_E_OK && c->include_set && c->ninclude == 0)
        log_warn("config", "tables.include is empty, so no table will be shown; remove the key "
                           "to show every table");
    for (size_t i = 0; rc == SEEKI_E_OK && i < c->ninclude; i++)
        for (size_t j = 0; j < c->nexclude; j++)
            if (strcmp(c->include[i], c->exclude[j]) == 0)
                log_warn("config", "table '%s' is in both tables.include and tables.exclude; "
                                   "it stays hidden",
                         c->include[i]);
    cfg_sect_free(&s);
    return rc;
}

/* [columns]: exclude globs (table.column / schema.table.column), matched at
 * catalog load (db/catalog.c). */
static enum seeki_code val_columns(struct cfg_sect *root, struct cfg *c)
{
    struct cfg_sect s;
    enum seeki_code rc = cfg_sect_open(root, "columns", &s);
    if (rc == SEEKI_E_OK)
        rc = cfg_sect_keys(&s, val_columns_keys);
    if (rc == SEEKI_E_OK)
        rc = cfg_get_strings(&s, "exclude", false, &c->col_exclude, &c->ncol_exclude, NULL);
    for (size_t i = 0; rc == SEEKI_E_OK && i < c->ncol_exclude; i++)
        if (!strchr(c->col_exclude[i], '.'))
            rc = cfg_fail_at(s.ctx, cfg_sect_pos(&s, "exclude"),
                             "`columns.exclude` entry '%s' names no table: write table.column "
                             "or schema.table.column (globs allowed, e.g. \"*.%s\")",
                             c->col_exclude[i], c->col_exclude[i]);
    cfg_sect_free(&s);
    return rc;
}

static void val_add_label(struct cfg *c, const char *table, const char *column, const char *label)
{
    c->labels = xrealloc(c->labels, (c->nlabels + 1) * sizeof *c->labels);
    c->labels[c->nlabels].table = xstrdup(table);
    c->labels[c->nlabels].column = xstrdup(column);
    c->labels[c->nlabels].label = xstrdup(label);
    c->nlabels++;
}

/* Every member of s is a label string; table == NULL: members are tables. */
static enum seeki_code val_labels(struct cfg_sect *s, const char *table, struct cfg *c)
{
    const char *k;
    json_t *v;
    json_object_foreach(s->obj, k, v) {
        char *label = NULL;
        enum seeki_code rc = cfg_get_string(s, k, 0, &label);
        if (rc != SEEKI_E_OK)
            return rc;
        val_add_label(c, table ? table : k, table ? k : NULL, label);
        free(label);
    }
    return SEEKI_E_OK;
}

/* display.labels: table -> label column name. */
static enum seeki_code val_label_cols(struct cfg_sect *s, struct cfg *c)
{
    const char *k;
    json_t *v;
    json_object_foreach(s->obj, k, v) {
        char *col = NULL;
        enum seeki_code rc = cfg_get_string(s, k, 0, &col);
        if (rc != SEEKI_E_OK)
            return rc;
        json_t *pe = cfg_sect_pos(s, k);
        c->label_cols = xrealloc(c->label_cols, (c->nlabel_cols + 1) * sizeof *c->label_cols);
        struct cfg_label_col *l = &c->label_cols[c->nlabel_cols++];
        l->table = xstrdup(k);
        l->column = col;
        l->line = pe ? (int)json_integer_value(json_array_get(pe, 0)) : 0;
        l->col = pe ? (int)json_integer_value(json_array_get(pe, 1)) : 0;
    }
    return SEEKI_E_OK;
}

static enum seeki_code val_display(struct cfg_sect *root, struct cfg *c)
{
    struct cfg_sect s, tabs = {0}, cols = {0}, labs = {0};
    enum seeki_code rc = cfg_sect_open(root, "display", &s);
    if (rc == SEEKI_E_OK)
        rc = cfg_sect_keys(&s, val_display_keys);
    if (rc == SEEKI_E_OK)
        rc = cfg_get_strings(&s, "sensitive", false, &c->sensitive, &c->nsensitive, NULL);
    if (rc == SEEKI_E_OK)
        rc = cfg_sect_open(&s, "tables", &tabs);
    if (rc == SEEKI_E_OK && tabs.obj)
        rc = val_labels(&tabs, NULL, c);
    if (rc == SEEKI_E_OK)
        rc = cfg_sect_open(&s, "columns", &cols);
    if (rc == SEEKI_E_OK && cols.obj) {
        const char *table;
        json_t *v;
        json_object_foreach(cols.obj, table, v) {
            struct cfg_sect t;
            (void)v;
            rc = cfg_sect_open(&cols, table, &t);
            if (rc == SEEKI_E_OK)
                rc = val_labels(&t, table, c);
            cfg_sect_free(&t);
            if (rc != SEEKI_E_OK)
                break;
        }
    }
    if (rc == SEEKI_E_OK)
        rc = cfg_sect_open(&s, "labels", &labs);
    if (rc == SEEKI_E_OK && labs.obj)
        rc = val_label_cols(&labs, c);
    cfg_sect_free(&labs);
    cfg_sect_free(&cols);
    cfg_sect_free(&tabs);
    cfg_sect_free(&s);
    return rc;
}

static enum seeki_code val_branding(struct cfg_sect *root, struct cfg *c)
{
    struct cfg_sect s;
    enum seeki_code rc = cfg_sect_open(root, "branding", &s);
    if (rc == SEEKI_E_OK)
        rc = cfg_sect_keys(&s, val_branding_keys);
    if (rc == SEEKI_E_OK)
        rc = cfg_get_string(&s, "title", 0, &c->title);
    if (rc == SEEKI_E_OK)
        rc = cfg_get_string(&s, "subtitle", CFG_ALLOW_EMPTY, &c->subtitle);
    cfg_sect_free(&s);
    return rc;
}

/* A path setting: ~ expanded, relative paths joined to the config's dir. */
static enum seeki_code val_path(struct cfg_sect *s, const char *key, char **out)
{
    char *raw = NULL;
    enum seeki_code rc = cfg_get_string(s, key, 0, &raw);
    if (rc == SEEKI_E_OK && raw) {
        char *full = cfg_key_path(s->name, key);
        char *expanded = NULL;
        rc = cfg_expand_path(s->ctx, cfg_sect_pos(s, key), full, raw, &expanded);
        if (rc == SEEKI_E_OK) {
            free(*out);
            *out = expanded;
        }
        free(full);
    }
    free(raw);
    return rc;
}

/* ssh.jump: every entry must split as [user@]host[:port]. */
static enum seeki_code val_ssh_jump(struct cfg_sect *s, struct cfg_ssh *h)
{
    enum seeki_code rc =
        cfg_get_strings(s, "jump", false, &h->jump, &h->njump, &h->jump_set);
    for (size_t i = 0; rc == SEEKI_E_OK && i < h->njump; i++) {
        char *u = NULL, *host = NULL;
        int port = 0;
        struct seeki_err e;
        seeki_err_clear(&e);
        if (cfg_parse_jump(h->jump[i], NULL, &u, &host, &port, &e) != SEEKI_E_OK)
            rc = cfg_fail_at(s->ctx, cfg_sect_pos(s, "jump"), "`ssh.jump` entry %zu: %s", i + 1,
                             e.msg);
        free(u);
        free(host);
    }
    return rc;
}

/* ssh.host_key_fingerprint: "SHA256:" and 43 base64 characters, as
 * `ssh-keygen -l` prints it. */
static enum seeki_code val_ssh_pin(struct cfg_sect *s, struct cfg_ssh *h)
{
    enum seeki_code rc = cfg_get_string(s, "host_key_fingerprint", 0, &h->host_key_fingerprint);
    if (rc != SEEKI_E_OK || !h->host_key_fingerprint)
        return rc;
    const char *fp = h->host_key_fingerprint;
    bool ok = strncmp(fp, "SHA256:", 7) == 0 && strlen(fp + 7) == 43;
    for (const char *q = fp + 7; ok && *q; q++)
        ok = (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
             *q == '+' || *q == '/';
    if (!ok)
        return cfg_fail_at(s->ctx, cfg_sect_pos(s, "host_key_fingerprint"),
                           "`ssh.host_key_fingerprint` must be a SHA256 fingerprint as "
                           "`ssh-keygen -l -f KEY.pub` prints it (\"SHA256:\" and 43 "
                           "characters), got \"%.60s\"",
                           fp);
    return SEEKI_E_OK;
}

static enum seeki_code val_ssh(struct cfg_sect *root, struct cfg *c)
{
    struct cfg_sect s;
    struct cfg_ssh *h = &c->ssh;
    enum seeki_code rc = cfg_sect_open(root, "ssh", &s);
    if (rc != SEEKI_E_OK || !s.obj)
        goto done;
    h->enabled = true;
    h->port = 22;
    h->keepalive_seconds = 15;
    h->connect_timeout_seconds = 10;
    h->host_key_policy = CFG_HOSTKEY_ACCEPT_NEW;
    if ((rc = cfg_sect_keys(&s, val_ssh_keys)) != SEEKI_E_OK)
        goto done;
    if ((rc = cfg_get_string(&s, "host", CFG_REQUIRED, &h->host)) != SEEKI_E_OK)
        goto done;
    if ((rc = cfg_get_int(&s, "port", 1, 65535, NULL, &h->port)) != SEEKI_E_OK)
        goto done;
    h->port_set = json_object_get(s.obj, "port") != NULL;
    if ((rc = cfg_get_string(&s, "username", 0, &h->username)) != SEEKI_E_OK)
        goto done;
    if (!json_object_get(s.obj, "auth_method")) {
        rc = cfg_fail_at(s.ctx, s.posent,
                         "`ssh.auth_method` is required; add auth_method = \"agent\" (or "
                         "\"key\" with key_path, or \"password\") under [ssh]");
        goto done;
    }
    int auth = 0;
    if ((rc = cfg_get_enum(&s, "auth_method", val_auth, &auth)) != SEEKI_E_OK)
        goto done;
    h->auth_method = auth == 0 ? CFG_AUTH_KEY : auth == 1 ? CFG_AUTH_AGENT : CFG_AUTH_PASSWORD;
    if ((rc = val_path(&s, "key_path", &h->key_path)) != SEEKI_E_OK)
        goto done;
    if (!json_object_get(s.obj, "known_hosts_file")) {
        rc = cfg_expand_path(s.ctx, s.posent, "ssh.known_hosts_file", "~/.ssh/known_hosts",
                             &h->known_hosts_file);
        if (rc != SEEKI_E_OK)
            goto done;
    } else if ((rc = val_path(&s, "known_hosts_file", &h->known_hosts_file)) != SEEKI_E_OK) {
        goto done;
    } else {
        h->known_hosts_set = true;
    }
    if ((rc = val_ssh_jump(&s, h)) != SEEKI_E_OK)
        goto done;
    if ((rc = val_ssh_pin(&s, h)) != SEEKI_E_OK)
        goto done;
    if ((rc = val_path(&s, "certificate_path", &h->certificate_path)) != SEEKI_E_OK)
        goto done;
    int policy = 0;
    if ((rc = cfg_get_enum(&s, "host_key_policy", val_policies, &policy)) != SEEKI_E_OK)
        goto done;
    h->host_key_policy = policy == 1 ? CFG_HOSTKEY_STRICT : CFG_HOSTKEY_ACCEPT_NEW;
    if ((rc = cfg_get_int(&s, "keepalive_seconds", 0, INT_MAX, "seconds; 0 disables",
                          &h->keepalive_seconds)) != SEEKI_E_OK)
        goto done;
    rc = cfg_get_int(&s, "connect_timeout_seconds", 1, 300, "seconds",
                     &h->connect_timeout_seconds);
done:
    cfg_sect_free(&s);
    return rc;
}

enum seeki_code cfg_validate(struct cfg_ctx *ctx, json_t *doc, json_t *pos, bool allow_secrets,
                             struct cfg *c)
{
    if (!json_is_object(doc))
        return cfg_fail_at(ctx, NULL, "the configuration must be a table (a JSON object), got "
                                      "another kind of value");
    struct cfg_sect root;
    cfg_sect_root(ctx, doc, pos, &root);
    enum seeki_code rc =
        cfg_sect_keys(&root, allow_secrets ? val_top_keys_secrets : val_top_keys);
    if (rc == SEEKI_E_OK)
        rc = val_server(&root, c);
    if (rc == SEEKI_E_OK)
        rc = val_database(&root, c);
    if (rc == SEEKI_E_OK)
        rc = val_tables(&root, c);
    if (rc == SEEKI_E_OK)
        rc = val_columns(&root, c);
    if (rc == SEEKI_E_OK)
        rc = val_display(&root, c);
    if (rc == SEEKI_E_OK)
        rc = val_branding(&root, c);
    if (rc == SEEKI_E_OK)
        rc = val_ssh(&root, c);
    /* A missing [database] is reported last, so a positioned error about
     * another table (often the reason it seems missing) comes first. */
    if (rc == SEEKI_E_OK && !json_object_get(doc, "database"))
        rc = cfg_fail_at(ctx, NULL,
                         "`database.url` is required; add a [database] table with url = "
                         "\"postgres://user@host:5432/dbname\" or \"sqlite:///path/to/file.db\"");
    if (rc == SEEKI_E_OK && allow_secrets) {
        struct cfg_sect sec;
        rc = cfg_sect_open(&root, "secrets", &sec);
        if (rc == SEEKI_E_OK && sec.obj)
            rc = cfg_secrets_from_sect(&sec, &c->secrets);
        cfg_sect_free(&sec);
    }
    cfg_sect_free(&root);
    return rc;
}
