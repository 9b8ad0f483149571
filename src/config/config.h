/* Typed SeeKi configuration. config/ is the only module that knows TOML
 * exists: it finds the file (lookup order of SPEC §2), parses it through the
 * toml++ bridge into a JSON tree, validates every key and fills struct cfg.
 * The same validator serves the setup wizard's JSON bodies.
 * A struct cfg is immutable after loading and may be read from any thread. */
#ifndef SEEKI_CONFIG_H
#define SEEKI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

enum cfg_db_kind { CFG_DB_POSTGRES, CFG_DB_SQLITE };
enum cfg_auth { CFG_AUTH_KEY, CFG_AUTH_AGENT, CFG_AUTH_PASSWORD };
enum cfg_hostkey_policy { CFG_HOSTKEY_ACCEPT_NEW, CFG_HOSTKEY_STRICT };

struct cfg_ssh {
    bool enabled;            /* an [ssh] table was present */
    char *host;              /* required when enabled */
    int port;                /* 1-65535, default 22 */
    bool port_set;           /* ssh.port was written in the file (it then beats
                              * ~/.ssh/config's Port, even when it is 22) */
    char *username;          /* may be NULL when ~/.ssh/config supplies User */
    enum cfg_auth auth_method;
    char *key_path;          /* "~" already expanded; NULL unless given */
    char *known_hosts_file;  /* "~" expanded; default $HOME/.ssh/known_hosts */
    bool known_hosts_set;    /* ssh.known_hosts_file was written (beats UserKnownHostsFile) */
    enum cfg_hostkey_policy host_key_policy; /* default accept-new */
    int keepalive_seconds;   /* >= 0, default 15; 0 disables */
    int connect_timeout_seconds; /* 1-300, default 10 */
    bool jump_set;           /* ssh.jump was written ([] = no jump hosts, not even
                              * ProxyJump from ~/.ssh/config) */
    char **jump;             /* "[user@]host[:port]" hops before the bastion, in order */
    size_t njump;
    char *host_key_fingerprint; /* "SHA256:..." pin for the bastion, NULL when unset */
    char *certificate_path;  /* OpenSSH user certificate for the key, "~" expanded; NULL unset */
};

/* Splits one jump host, "[user@]host[:port]" or "[user@][v6addr][:port]"
 * (ssh.jump entries, ~/.ssh/config ProxyJump items). *user is NULL and *port
 * 0 when not written; *host is never empty. Heap strings. SEEKI_E_CONFIG
 * naming spec (and what is wrong with it) on a bad value; label (NULL ok)
 * prefixes the message. */
enum seeki_code cfg_parse_jump(const char *spec, const char *label, char **user, char **host,
                               int *port, struct seeki_err *err) SEEKI_MUST_CHECK;

/* One display-name override: display.tables.<table> (column == NULL) or
 * display.columns.<table>.<column>. */
struct cfg_label {
    char *table;
    char *column; /* NULL for a table label */
    char *label;
};

/* display.labels.<table> = "<column>": the column other tables show as the
 * label of a key into <table> (SPEC §9). Checked against the catalog at
 * startup (db_catalog_build). */
struct cfg_label_col {
    char *table;
    char *column;
    int line, col; /* where the value is in the file; 0 when unknown */
};

/* Optional .seeki.secrets beside the config file (mode must be 0600-ish:
 * not readable by group or others). All fields may be NULL. */
struct cfg_secrets {
    char *path;            /* where it was looked for (even if absent) */
    char *key_passphrase;  /* ssh.key_passphrase */
    char *ssh_password;    /* ssh.password */
    char *db_password;     /* database.password: used when the URL has none */
};

struct cfg {
    char *path;       /* the file loaded (absolute); NULL for --demo */
    char *dir;        /* its directory (relative sqlite paths resolve here) */

    char *server_host; /* default "127.0.0.1" */
    int server_port;   /* 1-65535, default 3141 */

    enum cfg_db_kind db_kind;   /* default postgres */
    char *db_url;               /* ${ENV} expanded; may hold a password: never log it */
    char *sqlite_path;          /* sqlite only: absolute file path from db_url */
    int max_connections;        /* 1-100, default 5 */
    char **schemas;             /* non-empty, default {"public"} */
    size_t nschemas;
    int statement_timeout_ms;   /* >= 1, default 30000 */

    bool include_set;           /* tables.include given (even if empty) */
    char **include;
    size_t ninclude;
    char **exclude;
    size_t nexclude;

    char **col_exclude; /* columns.exclude: table.column / schema.table.column globs */
    size_t ncol_exclude;
    char **sensitive; /* display.sensitive: column-name globs (case-insensitive);
                       * the built-in list when unset, none for [] */
    size_t nsensitive;

    struct cfg_label *labels;   /* display.tables and display.columns */
    size_t nlabels;
    struct cfg_label_col *label_cols; /* display.labels */
    size_t nlabel_cols;

    char *title;    /* branding.title, default "SeeKi" */
    char *subtitle; /* branding.subtitle, NULL when unset */

    struct cfg_ssh ssh;
    struct cfg_secrets secrets;
};

/* Finds and loads the configuration. explicit_path is --config (NULL when not
 * given; a missing explicit file is SEEKI_E_CONFIG). With no explicit path and
 * no file in the lookup order returns SEEKI_E_NO_CONFIG (setup mode) with the
 * searched paths in err. Malformed TOML, unknown keys and invalid values are
 * SEEKI_E_CONFIG with "path:line:column: reason" (unknown keys suggest the
 * nearest known key). Also loads and permission-checks .seeki.secrets. */
enum seeki_code cfg_load(const char *explicit_path, struct cfg **out, struct seeki_err *err)
    SEEKI_MUST_CHECK;

/* Validates a JSON image of seeki.toml (the setup wizard's request bodies)
 * with exactly the rules of cfg_load. doc is borrowed (a jansson json_t *).
 * There are no source positions, so messages read "LABEL: reason" (or just
 * "reason" when source_label is NULL); every reason names the key, e.g.
 * "`server.port` must be an integer from 1 to 65535, got 0". base_dir is
 * where the config would live (relative sqlite: paths and key_path resolve
 * there; NULL = the current directory); *out gets path NULL, dir = base_dir
 * and secrets.path = base_dir/.seeki.secrets. With CFG_JSON_SECRETS a
 * top-level "secrets" object shaped like .seeki.secrets is accepted and
 * fills out->secrets; other top-level extras (e.g. accept_host_key) must be
 * removed by the caller. SEEKI_E_CONFIG on any invalid value. */
struct json_t;
#define CFG_JSON_SECRETS 1u
enum seeki_code cfg_from_json(struct json_t *doc, const char *source_label, const char *base_dir,
                              unsigned flags, struct cfg **out, struct seeki_err *err)
    SEEKI_MUST_CHECK;

/* The setup wizard's writer (config/toml_bridge.cpp): the TOML text of a JSON
 * image of seeki.toml or .seeki.secrets (objects become tables, arrays
 * arrays, strings basic strings), serialised by toml++, so what cfg_load
 * reads back is exactly doc. *out is a heap string. A null anywhere (TOML has
 * none) is SEEKI_E_CONFIG naming the key. */
enum seeki_code cfg_toml_write(struct json_t *doc, char **out, struct seeki_err *err)
    SEEKI_MUST_CHECK;

/* Where the setup wizard writes when no --config is given: the user config
 * of the lookup order, $XDG_CONFIG_HOME/seeki/config.toml, else
 * ~/.config/seeki/config.toml. Heap string; NULL when no home is known. */
char *cfg_user_path(void);

/* Whether a PostgreSQL URL carries a password (libpq parses it; a URL libpq
 * cannot parse counts as none). The wizard refuses to write such a URL. */
bool cfg_url_has_password(const char *url);

/* Parses a SEEKI_BIND value: "host:port", "[v6addr]:port" (host returned
 * without brackets) or ":port" (*host NULL: keep the configured host).
 * *host is owned by the caller. SEEKI_E_BAD_PARAM (message names the value
 * and the accepted forms) for anything else or a port outside 1-65535. */
enum seeki_code cfg_parse_bind(const char *spec, char **host, int *port, struct seeki_err *err)
    SEEKI_MUST_CHECK;

/* Configuration for `seeki --demo`: sqlite at sqlite_path (made absolute;
 * db_url "sqlite:///abs/path"), everything else default, path NULL. With
 * sqlite_path NULL or "" (setup mode's placeholder) there is no database:
 * db_url and sqlite_path are NULL. Never fails. */
struct cfg *cfg_new_demo(const char *sqlite_path);

/* Applies --host/--port/SEEKI_BIND overrides (host may be NULL, port 0 = keep;
 * "[::1]" is stored as "::1"). Returns SEEKI_E_BAD_PARAM for a port outside
 * 0-65535 or an empty host, leaving c unchanged. */
enum seeki_code cfg_override_bind(struct cfg *c, const char *host, int port,
                                  struct seeki_err *err) SEEKI_MUST_CHECK;

/* Label lookups (display.tables / display.columns); NULL when no override
 * exists. The exact table name is tried first, then its other spelling for
 * schema public ("orders" <-> "public.orders"). Returned strings live as long
 * as c. */
const char *cfg_table_label(const struct cfg *c, const char *table);
const char *cfg_column_label(const struct cfg *c, const char *table, const char *column);

/* Edit distance (Levenshtein, byte-wise), for "did you mean" suggestions. */
size_t cfg_edit_distance(const char *a, const char *b);

/* Frees everything c owns (wiping the URL and secrets first). NULL is fine. */
void cfg_destroy(struct cfg *c);

#endif
