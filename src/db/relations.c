/* Relations in the catalog (SPEC §9), run by db_catalog_build once the shown
 * tables are named and sorted: resolves the foreign keys the engines read
 * (by name) into column indexes, keeping only keys whose referenced table
 * is shown; lists each table's referencing keys (referenced_by); and picks
 * each table's label column from display.labels or the name heuristic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/db_int.h"
#include "db/engine.h"
#include "log.h"
#include "util/mem.h"

static void rel_fkey_clear(struct db_fkey *f)
{
    free(f->ref_schema);
    free(f->ref_relname);
    for (size_t j = 0; j < f->ncols; j++) {
        free(f->cols_raw ? f->cols_raw[j] : NULL);
        free(f->ref_cols_raw ? f->ref_cols_raw[j] : NULL);
    }
    free(f->cols_raw);
    free(f->ref_cols_raw);
    free(f->cols);
    free(f->ref_cols);
    memset(f, 0, sizeof *f);
}

void db_fkeys_free(struct db_fkey *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++)
        rel_fkey_clear(&f[i]);
    free(f);
}

static long rel_find_table(const struct db_catalog *cat, const char *schema, const char *relname)
{
    for (size_t i = 0; i < cat->ntables; i++)
        if (strcmp(cat->tables[i].schema, schema) == 0 &&
            strcmp(cat->tables[i].relname, relname) == 0)
            return (long)i;
    return -1;
}

/* Resolves one raw key of t; false when it must be dropped. */
static bool rel_resolve(const struct db_catalog *cat, const struct db_table *t, struct db_fkey *f)
{
    long ri = rel_find_table(cat, f->ref_schema, f->ref_relname);
    if (ri < 0 || f->ncols == 0)
        return false; /* hidden, excluded or outside the selected schemas */
    const struct db_table *r = &cat->tables[ri];
    bool to_pk = f->ref_cols_raw == NULL || f->ref_cols_raw[0] == NULL;
    if (to_pk && r->npk != f->ncols)
        return false;
    f->ref_table = (size_t)ri;
    f->cols = xcalloc(f->ncols, sizeof *f->cols);
    f->ref_cols = xcalloc(f->ncols, sizeof *f->ref_cols);
    for (size_t j = 0; j < f->ncols; j++) {
        long c = db_find_column(t, f->cols_raw[j]);
        long rc = to_pk ? (long)r->pk[j] : db_find_column(r, f->ref_cols_raw[j]);
        if (c < 0 || rc < 0)
            return false; /* a column the role may not read */
        f->cols[j] = (size_t)c;
        f->ref_cols[j] = (size_t)rc;
    }
    return true;
}

/* A text column of t named name (case-insensitive), or -1. */
static long rel_text_col(const struct db_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (db_vtype_is_text(t->cols[i].vtype) && strcasecmp(t->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* drivers -> driver, categories -> category, address -> address. */
static char *rel_singular(const char *name)
{
    size_t n = strlen(name);
    if (n > 3 && strcasecmp(name + n - 3, "ies") == 0)
        return xasprintf("%.*sy", (int)(n - 3), name);
    if (n > 1 && (name[n - 1] == 's' || name[n - 1] == 'S') && name[n - 2] != 's' &&
        name[n - 2] != 'S')
        return xasprintf("%.*s", (int)(n - 1), name);
    return xstrdup(name);
}

/* SPEC §9's heuristic: name, title, label, full_name, display_name,
 * <singular>_name, code; else first_name + last_name. */
static void rel_guess_label(struct db_table *t)
{
    char *sing = rel_singular(t->relname);
    char *own = xasprintf("%s_name", sing);
    const char *names[] = {"name", "title", "label", "full_name", "display_name", own, "code"};
    for (size_t i = 0; i < sizeof names / sizeof *names && t->label_col < 0; i++)
        t->label_col = rel_text_col(t, names[i]);
    free(own);
    free(sing);
    if (t->label_col >= 0)
        return;
    long first = rel_text_col(t, "first_name"), last = rel_text_col(t, "last_name");
    if (first >= 0 && last >= 0) {
        t->label_col = first;
        t->label_col2 = last;
    }
}

/* The column of t nearest to name (for the message). */
static const char *rel_nearest_col(const struct db_table *t, const char *name)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < t->ncols; i++) {
        size_t d = cfg_edit_distance(name, t->cols[i].name);
        if (d < best_d) {
            best_d = d;
            best = t->cols[i].name;
        }
    }
    return best;
}

/* display.labels: each entry must name a shown table's existing column. */
static enum seeki_code rel_config_labels(const struct cfg *cfg, struct db_catalog *cat,
                                         struct seeki_err *err)
{
    for (size_t i = 0; i < cfg->nlabel_cols; i++) {
        const struct cfg_label_col *l = &cfg->label_cols[i];
        struct db_table *t = NULL;
        for (size_t k = 0; k < cat->ntables && !t; k++) {
            struct db_table *c = &cat->tables[k];
            size_t ls = strlen(c->schema);
            if (strcmp(l->table, c->name) == 0 ||
                (strncmp(l->table, c->schema, ls) == 0 && l->table[ls] == '.' &&
                 strcmp(l->table + ls + 1, c->relname) == 0))
                t = c;
        }
        if (!t) {
            log_warn("db",
                     "display.labels names table '%s', which SeeKi does not show; the entry "
                     "is ignored (check the name, tables.include and tables.exclude)",
                     l->table);
            continue;
        }
        long col = db_find_column(t, l->column);
        if (col >= 0) {
            t->label_col = col;
            t->label_col2 = -1;
            continue;
        }
        char where[600] = "";
        if (cfg->path && l->line > 0)
            snprintf(where, sizeof where, "%s:%d:%d: ", cfg->path, l->line, l->col);
        else if (cfg->path)
            snprintf(where, sizeof where, "%s: ", cfg->path);
        const char *near = rel_nearest_col(t, l->column);
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "%sdisplay.labels.%s names column '%s', which table '%s' does not "
                          "have; did you mean '%s'?",
                          where, l->table, l->column, t->name, near ? near : "");
    }
    return SEEKI_E_OK;
}

/* Keys in column order (SQLite lists them last declared first). */
static int rel_fkey_cmp(const void *a, const void *b)
{
    const struct db_fkey *x = a, *y = b;
    return x->cols[0] < y->cols[0] ? -1 : x->cols[0] > y->cols[0];
}

enum seeki_code db_catalog_relations(const struct cfg *cfg, struct db_catalog *cat,
                                     struct seeki_err *err)
{
    for (size_t i = 0; i < cat->ntables; i++) {
        struct db_table *t = &cat->tables[i];
        size_t keep = 0;
        for (size_t k = 0; k < t->nfkeys; k++) {
            struct db_fkey f = t->fkeys[k];
            t->fkeys[k] = (struct db_fkey){0};
            if (rel_resolve(cat, t, &f))
                t->fkeys[keep++] = f;
            else
                rel_fkey_clear(&f);
        }
        t->nfkeys = keep;
        if (t->nfkeys > 1)
            qsort(t->fkeys, t->nfkeys, sizeof *t->fkeys, rel_fkey_cmp);
        t->label_col = t->label_col2 = -1;
    }
    for (size_t i = 0; i < cat->ntables; i++) {
        struct db_table *t = &cat->tables[i];
        for (size_t k = 0; k < t->nfkeys; k++) {
            struct db_table *r = &cat->tables[t->fkeys[k].ref_table];
            r->refby = xrealloc(r->refby, (r->nrefby + 1) * sizeof *r->refby);
            r->refby[r->nrefby++] = (struct db_fkref){.table = i, .fkey = k};
            struct db_fkey *f = &t->fkeys[k];
            if (f->ncols == 1 && !t->cols[f->cols[0]].ref_table) {
                t->cols[f->cols[0]].ref_table = r->name;
                t->cols[f->cols[0]].ref_column = r->cols[f->ref_cols[0]].name;
            }
        }
        rel_guess_label(t);
    }
    return rel_config_labels(cfg, cat, err);
}
