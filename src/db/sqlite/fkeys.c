/* SQLite foreign keys (SPEC §9): PRAGMA foreign_key_list per table, one
 * struct db_fkey per key id (rows of a composite key share the id, in seq
 * order). SQLite keeps names as the DDL wrote them and compares them
 * case-insensitively, so once every table is loaded the names are turned
 * into the catalog's spelling; a key whose "to" is NULL refers to the
 * parent's primary key (resolved by db/relations.c). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "db/sqlite/sqlite_int.h"
#include "util/mem.h"

static char *fk_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    return s ? xstrdup((const char *)s) : NULL;
}

void db_sqlite_load_fkeys(sqlite3 *db, struct db_table *t)
{
    sqlite3_stmt *st = NULL;
    const char *q = "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1, "
                    "'main') ORDER BY id, seq";
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, t->relname, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
        sqlite3_finalize(st);
        return; /* no keys: the table still shows */
    }
    long cur = -1;
    struct db_fkey *f = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        long id = (long)sqlite3_column_int64(st, 0);
        if (id != cur || !f) {
            cur = id;
            t->fkeys = xrealloc(t->fkeys, (t->nfkeys + 1) * sizeof *t->fkeys);
            f = &t->fkeys[t->nfkeys++];
            memset(f, 0, sizeof *f);
            f->ref_schema = xstrdup("main");
            f->ref_relname = fk_dup(st, 1);
            if (!f->ref_relname)
                f->ref_relname = xstrdup("");
        }
        f->cols_raw = xrealloc(f->cols_raw, (f->ncols + 1) * sizeof *f->cols_raw);
        f->ref_cols_raw = xrealloc(f->ref_cols_raw, (f->ncols + 1) * sizeof *f->ref_cols_raw);
        f->cols_raw[f->ncols] = fk_dup(st, 2);
        f->ref_cols_raw[f->ncols] = fk_dup(st, 3);
        if (!f->cols_raw[f->ncols])
            f->cols_raw[f->ncols] = xstrdup("");
        f->ncols++;
    }
    sqlite3_finalize(st);
}

/* name replaced by the spelling of the matching column of t, if any. */
static void fk_canon_col(const struct db_table *t, char **name)
{
    for (size_t i = 0; *name && i < t->ncols; i++)
        if (strcasecmp(t->cols[i].name, *name) == 0) {
            free(*name);
            *name = xstrdup(t->cols[i].name);
            return;
        }
}

void db_sqlite_fkeys_canon(struct db_table *tabs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < tabs[i].nfkeys; k++) {
            struct db_fkey *f = &tabs[i].fkeys[k];
            const struct db_table *ref = NULL;
            for (size_t j = 0; j < n && !ref; j++)
                if (strcasecmp(tabs[j].relname, f->ref_relname) == 0)
                    ref = &tabs[j];
            for (size_t c = 0; c < f->ncols; c++) {
                fk_canon_col(&tabs[i], &f->cols_raw[c]);
                if (ref)
                    fk_canon_col(ref, &f->ref_cols_raw[c]);
            }
            if (ref) {
                free(f->ref_relname);
                f->ref_relname = xstrdup(ref->relname);
            }
        }
    }
}
