/* Internals shared by the config/ files (not for other modules): the toml++
 * bridge, the position tree it produces, and the section walker the
 * validator (config_validate.c) and the secrets loader (secrets.c) share.
 * Nothing here is thread-safe; everything runs once at startup or once per
 * wizard request. */
#ifndef SEEKI_CONFIG_INT_H
#define SEEKI_CONFIG_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "config/config.h"
#include "util/err.h"

/* ---- toml++ bridge (toml_bridge.cpp, the only C++ file) ----------------
 *
 * Position tree. For every member of a TOML table the bridge records one
 * position entry, a JSON array [line, column, sub] (1-based, as toml++
 * counts them). line/column are where the member's key starts; for array
 * elements, where the element starts. sub is:
 *   - for a table value: an object mapping each member name to its entry,
 *   - for an array value: an array holding one entry per element,
 *   - otherwise null.
 * The root of the tree is the member object of the document itself. Keys are
 * stored verbatim (never joined into dotted paths), so a quoted key such as
 * "public.orders" keeps its position without any escaping rules. */

/* Syntax errors in files holding secrets: leave out toml++'s ", saw '...'"
 * fragment, which may quote a few characters of a secret value. */
#define CFG_TOML_REDACT 1u

/* Parses TOML text (len bytes, need not be NUL-terminated) into *doc (a JSON
 * object: tables -> objects, arrays -> arrays, strings, integers ->
 * json_integer, floats -> json_real, booleans; dates and times -> their TOML
 * text as strings) and *pos (the position tree above). path labels error
 * messages. Both outputs are owned by the caller (json_decref); they are NULL
 * on failure. A syntax error is SEEKI_E_CONFIG "PATH:LINE:COLUMN: <toml++'s
 * description>. <hint>". Strings or keys holding U+0000 and non-finite floats
 * (nan, inf: no SeeKi setting takes them) are rejected the same way. Never
 * lets a C++ exception escape; allocation failure aborts like xmalloc. */
enum seeki_code cfg_toml_parse(const char *text, size_t len, const char *path, unsigned flags,
                               json_t **doc, json_t **pos, struct seeki_err *err) SEEKI_MUST_CHECK;

/* ---- validation context -------------------------------------------------- */

struct cfg_ctx {
    const char *label;     /* file path (with positions) or a source label; may be NULL */
    bool has_pos;          /* positions available: prefix errors with label:line:col */
    const char *base_dir;  /* absolute directory relative paths resolve against */
    struct seeki_err *err; /* may be NULL */
};

/* One table being validated. name is its dotted display path ("" for the
 * document root, "ssh", "display.columns.\"public.orders\""). obj is NULL
 * when the table is absent. possub maps member names to position entries
 * (NULL without positions); posent is the table's own entry (NULL for the
 * root or without positions). All pointers are borrowed from the document. */
struct cfg_sect {
    struct cfg_ctx *ctx;
    char *name; /* owned: free with cfg_sect_free */
    json_t *obj;
    json_t *possub;
    json_t *posent;
};

/* cfg_get_string flags. */
#define CFG_REQUIRED 1u    /* absent is an error */
#define CFG_SECRET 2u      /* never quote the value in a message */
#define CFG_ALLOW_EMPTY 4u /* "" is accepted */

/* Fails with SEEKI_E_CONFIG, prefixing "LABEL:LINE:COL: " when posent (a
 * position entry) is known, "LABEL: " when only a label is known. */
enum seeki_code cfg_fail_at(struct cfg_ctx *ctx, json_t *posent, const char *fmt, ...)
    SEEKI_PRINTF(3, 4);

/* Heap string "prefix.key" with key quoted TOML-style ("public.orders" ->
 * "\"public.orders\"") unless it is a bare key; prefix "" gives just key. */
char *cfg_key_path(const char *prefix, const char *key);

/* The root section of a document (pos may be NULL). */
void cfg_sect_root(struct cfg_ctx *ctx, json_t *doc, json_t *pos, struct cfg_sect *out);
/* Opens member key of parent as a sub-table; absent leaves out->obj NULL.
 * A non-table value is an error. */
enum seeki_code cfg_sect_open(struct cfg_sect *parent, const char *key, struct cfg_sect *out)
    SEEKI_MUST_CHECK;
void cfg_sect_free(struct cfg_sect *s);
/* Position entry of member key (NULL when unknown). */
json_t *cfg_sect_pos(const struct cfg_sect *s, const char *key);
/* Rejects members not in known (NULL-terminated), reporting the one that
 * comes first in the file, with a nearest-name suggestion. */
enum seeki_code cfg_sect_keys(struct cfg_sect *s, const char *const *known) SEEKI_MUST_CHECK;
/* Typed getters: when the key is absent the output keeps its value (the
 * default). Strings replace *out (freeing the old value). */
enum seeki_code cfg_get_string(struct cfg_sect *s, const char *key, unsigned flags, char **out)
    SEEKI_MUST_CHECK;
enum seeki_code cfg_get_int(struct cfg_sect *s, const char *key, long long lo, long long hi,
                            const char *unit, int *out) SEEKI_MUST_CHECK;
/* names is NULL-terminated; *out becomes the index of the match. */
enum seeki_code cfg_get_enum(struct cfg_sect *s, const char *key, const char *const *names,
                             int *out) SEEKI_MUST_CHECK;
/* Array of non-empty strings (duplicates dropped). *present tells whether the
 * key was given; nonempty rejects []. */
enum seeki_code cfg_get_strings(struct cfg_sect *s, const char *key, bool nonempty,
                                char ***out, size_t *n, bool *present) SEEKI_MUST_CHECK;

/* The entry of known (NULL-terminated) nearest to word, or NULL when none is
 * close enough to be a plausible typo. */
const char *cfg_nearest(const char *word, const char *const *known);

/* ---- validator (config_validate.c) ----------------------------------------
 * Fills c (already holding defaults) from doc. allow_secrets accepts a
 * top-level "secrets" table (the wizard's JSON bodies). */
enum seeki_code cfg_validate(struct cfg_ctx *ctx, json_t *doc, json_t *pos, bool allow_secrets,
                             struct cfg *c) SEEKI_MUST_CHECK;
/* Defaults of SPEC §2 (server, database limits, schemas, branding). */
void cfg_set_defaults(struct cfg *c);

/* ---- paths, environment and URLs (config_url.c) ------------------------- */

/* $HOME, else the passwd entry's home; NULL when neither is known. Borrowed. */
const char *cfg_home_dir(void);
/* "~" and "~/x" become the home directory; a relative path is joined to
 * base_dir; an absolute one is copied. NULL with an error when ~ is used and
 * no home is known (key names the setting for the message). */
enum seeki_code cfg_expand_path(struct cfg_ctx *ctx, json_t *posent, const char *key,
                                const char *path, char **out) SEEKI_MUST_CHECK;
/* Expands ${NAME} references from the environment; an unset NAME or a
 * malformed reference is an error naming the reference and key. */
enum seeki_code cfg_expand_env(struct cfg_ctx *ctx, json_t *posent, const char *key,
                               const char *in, char **out) SEEKI_MUST_CHECK;
/* Checks database.url against kind (kind_given false: infer it), fills
 * c->db_kind and, for sqlite, c->sqlite_path. PostgreSQL URLs go through
 * libpq's PQconninfoParse; messages never contain the URL or password. */
enum seeki_code cfg_check_db_url(struct cfg_ctx *ctx, json_t *url_pos, json_t *kind_pos,
                                 bool kind_given, struct cfg *c) SEEKI_MUST_CHECK;
/* Copies msg replacing every occurrence of each non-empty needle (NULL-
 * terminated list) with "****"; for libpq messages about a URL. */
char *cfg_redact(const char *msg, const char *const *needles);

/* ---- secrets (secrets.c) ---------------------------------------------------- */

/* Validates a secrets table (file or the wizard's "secrets" object). */
enum seeki_code cfg_secrets_from_sect(struct cfg_sect *s, struct cfg_secrets *out)
    SEEKI_MUST_CHECK;
/* Loads DIR/.seeki.secrets when present (absent is fine); refuses a file
 * with group/other permission bits. Sets out->path in every case. */
enum seeki_code cfg_secrets_load(const char *dir, struct cfg_secrets *out, struct seeki_err *err)
    SEEKI_MUST_CHECK;
/* Frees the strings (wiping secret values first); out stays reusable. */
void cfg_secrets_free(struct cfg_secrets *s);

#ifdef __cplusplus
}
#endif

#endif
