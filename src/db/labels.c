/* Labels of foreign-key values (SPEC §9): for one single-column key of a
 * table and a page's distinct key values, the referenced rows' label
 * column(s) in one bound IN (…) query (db/sql/labels.c) run through the
 * engine's sql_op op, under the statement timeout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_int.h"
#include "db/sql/sql.h"
#include "util/buf.h"
#include "util/mem.h"

struct lab_acc {
    struct db_label *out;
    size_t n, cap;
};

/* Appends a cell's text form; false for NULL and blobs. */
static bool lab_text(struct buf *b, const struct db_cell *c)
{
    int bad = 0;
    switch (c->kind) {
    case DB_CELL_INT:
        bad = buf_printf(b, "%lld", (long long)c->i);
        break;
    case DB_CELL_REAL:
        bad = buf_printf(b, "%.17g", c->d);
        break;
    case DB_CELL_TEXT:
        bad = buf_append(b, c->s, c->len);
        break;
    default:
        return false;
    }
    return bad == 0;
}

static void lab_row(void *arg, const struct db_cell *row, size_t n)
{
    struct lab_acc *a = arg;
    struct buf key, label;
    buf_init(&key, 0);
    buf_init(&label, 0);
    bool ok = n >= 2 && lab_text(&key, &row[0]);
    bool any = false;
    for (size_t i = 1; ok && i < n; i++) {
        struct buf part;
        buf_init(&part, 0);
        if (lab_text(&part, &row[i]) && part.len) {
            if (any && buf_putc(&label, ' ') != 0)
                ok = false;
            if (buf_append(&label, part.data, part.len) != 0)
                ok = false;
            any = true;
        }
        buf_free(&part);
    }
    if (ok && any) {
        if (a->n == a->cap) {
            a->cap = a->cap ? a->cap * 2 : 16;
            a->out = xrealloc(a->out, a->cap * sizeof *a->out);
        }
        a->out[a->n].key = buf_take(&key);
        a->out[a->n].label = buf_take(&label);
        a->n++;
    }
    buf_free(&key);
    buf_free(&label);
}

void db_labels_free(struct db_label *l, size_t n)
{
    for (size_t i = 0; l && i < n; i++) {
        free(l[i].key);
        free(l[i].label);
    }
    free(l);
}

bool db_fkey_has_labels(const struct db_engine *e, const struct db_table *t, size_t fk)
{
    if (fk >= t->nfkeys || t->fkeys[fk].ncols != 1)
        return false;
    return e->catalog.tables[t->fkeys[fk].ref_table].label_col >= 0;
}

enum seeki_code db_labels(struct db_engine *e, const struct db_table *t, size_t fk,
                          const struct db_keyval *vals, size_t n, struct db_label **out,
                          size_t *nout, struct seeki_err *err)
{
    *out = NULL;
    *nout = 0;
    if (n == 0 || !db_fkey_has_labels(e, t, fk))
        return SEEKI_E_OK;
    const struct db_fkey *f = &t->fkeys[fk];
    const struct db_table *ref = &e->catalog.tables[f->ref_table];
    struct db_sql sql;
    enum seeki_code rc = db_sql_labels(e->ops->dialect, ref, f->ref_cols[0], vals, n, &sql, err);
    if (rc != SEEKI_E_OK)
        return rc;
    struct lab_acc acc = {0};
    /* key, then the label column (and a last name) */
    size_t ncells = ref->label_col2 >= 0 ? 3 : 2;
    struct db_query q = {.table = ref, .limit = -1};
    struct db_iter *it = NULL;
    rc = e->ops->sql_open(e, &sql, &q, &it, err);
    db_sql_free(&sql);
    while (rc == SEEKI_E_OK) {
        const struct db_cell *row = NULL;
        rc = db_iter_next(it, &row, err);
        if (rc != SEEKI_E_OK || !row)
            break;
        lab_row(&acc, row, ncells);
    }
    db_iter_close(it);
    if (rc != SEEKI_E_OK) {
        db_labels_free(acc.out, acc.n);
        return rc;
    }
    *out = acc.out;
    *nout = acc.n;
    return SEEKI_E_OK;
}
