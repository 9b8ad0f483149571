/* Catalog building shared by the engines: from the raw relations an engine
 * found, apply tables.include / tables.exclude, drop the columns
 * columns.exclude names (so nothing downstream can select, search, filter,
 * sort or export them), mark display.sensitive columns, name tables (SPEC
 * §4: bare in the default schema, schema.table elsewhere, both qualified on
 * a clash), attach display names and sort; plus the lookups routes use
 * (db_find_table, db_find_column). */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/db_int.h"
#include "db/engine.h"
#include "log.h"
#include "util/buf.h"
#include "util/mem.h"

void db_table_free(struct db_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ncols; i++) {
        free(t->cols[i].name);
        free(t->cols[i].display_name);
        free(t->cols[i].data_type);
    }
    free(t->cols);
    free(t->pk);
    for (size_t i = 0; i < t->nindexes; i++)
        free(t->indexes[i].cols);
    free(t->indexes);
    db_fkeys_free(t->fkeys, t->nfkeys);
    free(t->refby);
    free(t->name);
    free(t->schema);
    free(t->relname);
    free(t->display_name);
    memset(t, 0, sizeof *t);
}

void db_tables_free(struct db_table *t, size_t n)
{
    if (!t)
        return;
    for (size_t i = 0; i < n; i++)
        db_table_free(&t[i]);
    free(t);
}

void db_catalog_free(struct db_catalog *cat)
{
    if (!cat)
        return;
    db_tables_free(cat->tables, cat->ntables);
    cat->tables = NULL;
    cat->ntables = 0;
}

size_t db_table_drop_columns(struct db_table *t, const bool *keep, struct buf *names)
{
    long *map = xcalloc(t->ncols ? t->ncols : 1, sizeof *map); /* old index -> new, or -1 */
    size_t j = 0;
    for (size_t i = 0; i < t->ncols; i++) {
        if (keep[i]) {
            map[i] = (long)j;
            t->cols[j++] = t->cols[i];
            continue;
        }
        map[i] = -1;
        if (names) {
            if (names->len)
                buf_must_append(names, ", ", 2);
            buf_must_append(names, t->cols[i].name, strlen(t->cols[i].name));
        }
        free(t->cols[i].name);
        free(t->cols[i].data_type);
        free(t->cols[i].display_name);
    }
    size_t dropped = t->ncols - j;
    t->ncols = j;
    bool pk_ok = true;
    for (size_t k = 0; k < t->npk; k++) {
        pk_ok = pk_ok && map[t->pk[k]] >= 0;
        t->pk[k] = pk_ok ? (size_t)map[t->pk[k]] : 0;
    }
    if (!pk_ok) { /* a key with a column left out cannot order or identify rows */
        for (size_t i = 0; i < t->ncols; i++)
            t->cols[i].is_primary_key = false;
        free(t->pk);
        t->pk = NULL;
        t->npk = 0;
    }
    size_t nix = 0;
    for (size_t x = 0; x < t->nindexes; x++) {
        struct db_index *ix = &t->indexes[x];
        bool ok = true;
        for (size_t k = 0; k < ix->ncols; k++) {
            ok = ok && map[ix->cols[k]] >= 0;
            ix->cols[k] = ok ? (size_t)map[ix->cols[k]] : 0;
        }
        if (ok)
            t->indexes[nix++] = *ix;
        else
            free(ix->cols);
    }
    t->nindexes = nix;
    free(map);
    return dropped;
}

/* columns.exclude: does glob name column col of t? Entries are
 * table.column or schema.table.column globs (fnmatch, case-sensitive like
 * the names; '*' also spans dots, so "*.password_hash" matches in every
 * schema). */
static bool catalog_col_excluded(const char *glob, const struct db_table *t, const char *col)
{
    char *bare = xasprintf("%s.%s", t->relname, col);
    char *full = xasprintf("%s.%s.%s", t->schema, t->relname, col);
    bool hit = fnmatch(glob, bare, 0) == 0 || fnmatch(glob, full, 0) == 0;
    free(bare);
    free(full);
    return hit;
}

/* Drops every column columns.exclude names, and marks display.sensitive
 * columns. used[k] records that exclude entry k matched something. */
static void catalog_columns_filter(const struct cfg *cfg, struct db_table *t, bool *used,
                                   struct buf *gone)
{
    bool *keep = xcalloc(t->ncols ? t->ncols : 1, sizeof *keep);
    for (size_t i = 0; i < t->ncols; i++) {
        keep[i] = true;
        for (size_t k = 0; k < cfg->ncol_exclude; k++)
            if (catalog_col_excluded(cfg->col_exclude[k], t, t->cols[i].name)) {
                keep[i] = false;
                used[k] = true;
            }
    }
    struct buf names;
    buf_init(&names, 0);
    if (db_table_drop_columns(t, keep, &names) > 0) {
        if (gone->len)
            buf_must_append(gone, "; ", 2);
        char *line = xasprintf("%s.%s: %s", t->schema, t->relname, names.data);
        buf_must_append(gone, line, strlen(line));
        free(line);
        for (size_t i = 0; i < t->ncols; i++)
            t->cols[i].position = (int)i + 1;
    }
    buf_free(&names);
    free(keep);
    for (size_t i = 0; i < t->ncols; i++) {
        struct db_column *c = &t->cols[i];
        c->sensitive = false;
        for (size_t k = 0; k < cfg->nsensitive && !c->sensitive; k++)
            c->sensitive = fnmatch(cfg->sensitive[k], c->name, FNM_CASEFOLD) == 0;
    }
}

/* A config entry names t when it is t's relation name (any selected schema)
 * or its schema.relname. Comparing whole strings avoids splitting at a dot
 * that may be part of a name. */
static bool catalog_entry_names(const char *entry, const struct db_table *t)
{
    if (strcmp(entry, t->relname) == 0)
        return true;
    size_t ls = strlen(t->schema);
    return strncmp(entry, t->schema, ls) == 0 && entry[ls] == '.' &&
           strcmp(entry + ls + 1, t->relname) == 0;
}

/* How specifically a list names t: 0 not at all, 1 by its bare relation
 * name, 2 as schema.relname. */
static int catalog_listed(char *const *list, size_t n, const struct db_table *t)
{
    int best = 0;
    for (size_t i = 0; i < n; i++)
        if (catalog_entry_names(list[i], t))
            best = strcmp(list[i], t->relname) == 0 && best < 2 ? 1 : 2;
    return best;
}

/* include/exclude: unset include = all; exclude applies after include. A
 * narrower exclude refines a broader include silently (include "orders",
 * exclude "public.orders"); a table both lists name at least as precisely
 * ("users" in both, or include "audit.log" with exclude "log") is a
 * contradiction: it stays hidden, with a warning so it gets noticed. */
static bool catalog_shown(const struct cfg *cfg, const struct db_table *t)
{
    int inc = cfg->include_set ? catalog_listed(cfg->include, cfg->ninclude, t) : 0;
    int exc = catalog_listed(cfg->exclude, cfg->nexclude, t);
    bool included = !cfg->include_set || inc > 0;
    if (inc > 0 && exc > 0 && inc >= exc)
        log_warn("db",
                 "table %s.%s is named in both tables.include and tables.exclude; it stays "
                 "hidden (remove it from one of the lists)",
                 t->schema, t->relname);
    return included && exc == 0;
}

static int catalog_cmp(const void *a, const void *b)
{
    const struct db_table *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* Display-name override for the table: its public name, else schema.rel. */
static const char *catalog_table_label(const struct cfg *cfg, const struct db_table *t,
                                       const char *qualified)
{
    const char *l = cfg_table_label(cfg, t->name);
    return l ? l : cfg_table_label(cfg, qualified);
}

static const char *catalog_column_label(const struct cfg *cfg, const struct db_table *t,
                                        const char *qualified, const char *col)
{
    const char *l = cfg_column_label(cfg, t->name, col);
    return l ? l : cfg_column_label(cfg, qualified, col);
}

/* Column display names: the override from display.columns, else derived
 * (address_id -> "Address"). A derived name that dropped a trailing id keeps
 * it ("Address ID") when another column of the table already shows the
 * shorter name; overrides always win, even when they clash (the user chose). */
static void catalog_column_names(const struct cfg *cfg, struct db_table *t, const char *qualified)
{
    bool *derived = xcalloc(t->ncols ? t->ncols : 1, sizeof *derived);
    for (size_t k = 0; k < t->ncols; k++) {
        struct db_column *c = &t->cols[k];
        const char *cl = catalog_column_label(cfg, t, qualified, c->name);
        derived[k] = cl == NULL;
        c->display_name = cl ? xstrdup(cl) : db_display_name(c->name);
    }
    for (size_t k = 0; k < t->ncols; k++) {
        struct db_column *c = &t->cols[k];
        if (!derived[k])
            continue;
        char *longer = db_display_name_keep_id(c->name);
        bool clash = false;
        if (strcmp(longer, c->display_name) != 0)
            for (size_t j = 0; j < t->ncols && !clash; j++)
                clash = j != k && strcasecmp(t->cols[j].display_name, c->display_name) == 0;
        if (clash) {
            free(c->display_name);
            c->display_name = longer;
        } else {
            free(longer);
        }
    }
    free(derived);
}

enum seeki_code db_catalog_build(const struct cfg *cfg, const char *default_schema,
                                 struct db_table *raw, size_t nraw, struct db_catalog *out,
                                 struct seeki_err *err)
{
    out->tables = xcalloc(nraw ? nraw : 1, sizeof *out->tables);
    out->ntables = 0;
    for (size_t i = 0; i < nraw; i++) {
        if (catalog_shown(cfg, &raw[i]))
            out->tables[out->ntables++] = raw[i]; /* moves ownership */
        else
            db_table_free(&raw[i]);
    }
    free(raw);

    bool *used = xcalloc(cfg->ncol_exclude + 1, sizeof *used);
    struct buf gone;
    buf_init(&gone, 0);
    for (size_t i = 0; i < out->ntables; i++)
        catalog_columns_filter(cfg, &out->tables[i], used, &gone);
    if (gone.len)
        log_info("db", "columns.exclude leaves out %s", gone.data);
    for (size_t k = 0; k < cfg->ncol_exclude; k++)
        if (!used[k])
            log_warn("db",
                     "columns.exclude entry '%s' matches no column of a shown table; check the "
                     "spelling (table.column or schema.table.column)",
                     cfg->col_exclude[k]);
    buf_free(&gone);
    free(used);

    for (size_t i = 0; i < out->ntables; i++) {
        struct db_table *t = &out->tables[i];
        bool clash = false;
        for (size_t j = 0; j < out->ntables; j++)
            if (j != i && strcmp(out->tables[j].relname, t->relname) == 0 &&
                strcmp(out->tables[j].schema, t->schema) != 0)
                clash = true;
        bool bare = strcmp(t->schema, default_schema) == 0 && !clash;
        char *qualified = xasprintf("%s.%s", t->schema, t->relname);
        t->name = bare ? xstrdup(t->relname) : xstrdup(qualified);
        if (clash && strcmp(t->schema, default_schema) == 0)
            log_info("db", "table %s also exists in another schema; both are shown qualified",
                     qualified);
        const char *tl = catalog_table_label(cfg, t, qualified);
        t->display_name = tl ? xstrdup(tl) : db_display_name(t->relname);
        catalog_column_names(cfg, t, qualified);
        free(qualified);
    }
    qsort(out->tables, out->ntables, sizeof *out->tables, catalog_cmp);
    return db_catalog_relations(cfg, out, err);
}

long db_find_column(const struct db_table *t, const char *name)
{
    if (!t || !name)
        return -1;
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

enum seeki_code db_find_table(const struct db_catalog *cat, const char *name,
                              const struct db_table **out, struct seeki_err *err)
{
    *out = NULL;
    if (!cat || !name)
        return seeki_fail(err, SEEKI_E_NOT_FOUND, "Table '%s' not found", name ? name : "");
    for (size_t i = 0; i < cat->ntables; i++) {
        if (strcmp(cat->tables[i].name, name) == 0) {
            *out = &cat->tables[i];
            return SEEKI_E_OK;
        }
    }
    /* schema.table is always accepted, also for tables named bare */
    for (size_t i = 0; i < cat->ntables; i++) {
        const struct db_table *t = &cat->tables[i];
        size_t ls = strlen(t->schema);
        if (strncmp(name, t->schema, ls) == 0 && name[ls] == '.' &&
            strcmp(name + ls + 1, t->relname) == 0) {
            *out = t;
            return SEEKI_E_OK;
        }
    }
    /* a bare name that exists in several schemas: say which ones */
    size_t hits = 0;
    struct buf cands;
    buf_init(&cands, 512);
    for (size_t i = 0; i < cat->ntables; i++) {
        if (strcmp(cat->tables[i].relname, name) == 0) {
            if (buf_printf(&cands, "%s'%s'", hits ? ", " : "", cat->tables[i].name) != 0)
                (void)0; /* a very long list is cut short; the message says enough */
            hits++;
        }
    }
    enum seeki_code rc;
    if (hits > 1)
        rc = seeki_fail(err, SEEKI_E_BAD_PARAM,
                        "Table name '%s' is ambiguous: it exists in %zu schemas (%s); use the "
                        "qualified name",
                        name, hits, buf_str(&cands));
    else
        rc = seeki_fail(err, SEEKI_E_NOT_FOUND, "Table '%s' not found", name);
    buf_free(&cands);
    return rc;
}
