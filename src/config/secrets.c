/* The optional .seeki.secrets file beside the config file (SPEC §2): TOML
 * with ssh.key_passphrase, ssh.password and database.password. It is refused
 * when group or others have any permission bit, and no message about it ever
 * contains a secret value (not even a fragment of a syntax error). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config_int.h"
#include "util/file.h"
#include "util/mem.h"
#include "util/secret.h"

/* A secrets file holds three short strings; anything larger is a mistake. */
#define SECRETS_MAX_BYTES (64u * 1024u)
#define SECRETS_FILE ".seeki.secrets"

static const char *const sec_top_keys[] = {"ssh", "database", NULL};
static const char *const sec_ssh_keys[] = {"key_passphrase", "password", NULL};
static const char *const sec_db_keys[] = {"password", NULL};

static void sec_wipe_free(char **s)
{
    secret_free(*s);
    *s = NULL;
}

void cfg_secrets_free(struct cfg_secrets *s)
{
    if (!s)
        return;
    free(s->path);
    s->path = NULL;
    sec_wipe_free(&s->key_passphrase);
    sec_wipe_free(&s->ssh_password);
    sec_wipe_free(&s->db_password);
}

enum seeki_code cfg_secrets_from_sect(struct cfg_sect *s, struct cfg_secrets *out)
{
    struct cfg_sect ssh = {0}, db = {0};
    enum seeki_code rc = cfg_sect_keys(s, sec_top_keys);
    if (rc == SEEKI_E_OK)
        rc = cfg_sect_open(s, "ssh", &ssh);
    if (rc == SEEKI_E_OK)
        rc = cfg_sect_keys(&ssh, sec_ssh_keys);
    if (rc == SEEKI_E_OK)
        rc = cfg_get_string(&ssh, "key_passphrase", CFG_SECRET, &out->key_passphrase);
    if (rc == SEEKI_E_OK)
        rc = cfg_get_string(&ssh, "password", CFG_SECRET, &out->ssh_password);
    if (rc == SEEKI_E_OK)
        rc = cfg_sect_open(s, "database", &db);
    if (rc == SEEKI_E_OK)
        rc = cfg_sect_keys(&db, sec_db_keys);
    if (rc == SEEKI_E_OK)
        rc = cfg_get_string(&db, "password", CFG_SECRET, &out->db_password);
    cfg_sect_free(&db);
    cfg_sect_free(&ssh);
    return rc;
}

enum seeki_code cfg_secrets_load(const char *dir, struct cfg_secrets *out, struct seeki_err *err)
{
    char *text = NULL;
    size_t len = 0;
    json_t *doc = NULL, *pos = NULL;
    struct stat st;
    enum seeki_code rc = SEEKI_E_OK;

    free(out->path);
    out->path = xasprintf("%s%s" SECRETS_FILE, dir,
                          *dir && dir[strlen(dir) - 1] == '/' ? "" : "/");
    if (stat(out->path, &st) != 0) {
        if (errno == ENOENT)
            return SEEKI_E_OK; /* optional */
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "Secrets file '%s' cannot be checked: %s; fix the directory's "
                          "permissions or remove the file",
                          out->path, strerror(errno));
    }
    /* Checked before reading, and again on the opened file (below). */
    if (st.st_mode & 077)
        goto too_open;
    if ((rc = file_read_all(out->path, "Secrets file", SECRETS_MAX_BYTES, &text, &len, &st,
                            err)) != SEEKI_E_OK)
        goto fail;
    if (st.st_mode & 077)
        goto too_open;
    if ((rc = cfg_toml_parse(text, len, out->path, CFG_TOML_REDACT, &doc, &pos, err)) !=
        SEEKI_E_OK)
        goto fail;

    struct cfg_ctx ctx = {.label = out->path, .has_pos = true, .base_dir = dir, .err = err};
    struct cfg_sect root;
    cfg_sect_root(&ctx, doc, pos, &root);
    rc = cfg_secrets_from_sect(&root, out);
    cfg_sect_free(&root);
    goto fail; /* shared cleanup; rc tells success */

too_open:
    rc = seeki_fail(err, SEEKI_E_CONFIG,
                    "Secrets file permissions %04o for '%s' are too open; run: chmod 600 %s",
                    (unsigned)(st.st_mode & 07777), out->path, out->path);
fail:
    json_decref(pos);
    json_decref(doc);
    secret_free_n(text, len);
    return rc;
}
