/* The "labels" member of a rows answer (SPEC §9): while api_rows writes a
 * page, the values of every single-column foreign key whose referenced
 * table has a label column are collected (distinct, at most one page);
 * then one bound label query per key (db_labels) turns them into
 * "labels":{"<fk column>":{"<value as text>":"<label>"}}. A failing or
 * timed-out label query drops all labels of the page with one WARN, never
 * the page itself; labels=off skips the whole step. */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "api/labels.h"
#include "log.h"
#include "util/mem.h"
#include "util/text.h"

struct lab_key {
    size_t fk;  /* index into table->fkeys */
    size_t col; /* the key's column in table->cols */
    struct db_keyval *vals;
    size_t n, cap;
};

struct api_labels {
    struct db_engine *db;
    const struct db_table *t;
    struct lab_key *keys;
    size_t nkeys;
};

struct api_labels *api_labels_new(struct db_engine *db, const struct db_table *t, bool off)
{
    if (off || !db)
        return NULL;
    struct api_labels *l = xcalloc(1, sizeof *l);
    l->db = db;
    l->t = t;
    l->keys = xcalloc(t->nfkeys ? t->nfkeys : 1, sizeof *l->keys);
    for (size_t k = 0; k < t->nfkeys; k++)
        if (db_fkey_has_labels(db, t, k))
            l->keys[l->nkeys++] = (struct lab_key){.fk = k, .col = t->fkeys[k].cols[0]};
    return l;
}

static bool lab_same(const struct db_keyval *v, const struct db_cell *c)
{
    if (v->kind != (int)c->kind)
        return false;
    switch (c->kind) {
    case DB_CELL_INT:
        return v->i == c->i;
    case DB_CELL_REAL:
        return v->d == c->d;
    default:
        return v->len == c->len && memcmp(v->s, c->s, c->len) == 0;
    }
}

void api_labels_add(struct api_labels *l, const struct db_cell *row)
{
    for (size_t k = 0; l && k < l->nkeys; k++) {
        struct lab_key *key = &l->keys[k];
        const struct db_cell *c = &row[key->col];
        if (c->kind == DB_CELL_NULL || c->kind == DB_CELL_BLOB || key->n >= API_PAGE_SIZE_MAX)
            continue;
        bool seen = false;
        for (size_t i = 0; i < key->n && !seen; i++)
            seen = lab_same(&key->vals[i], c);
        if (seen)
            continue;
        if (key->n == key->cap) {
            key->cap = key->cap ? key->cap * 2 : 16;
            key->vals = xrealloc(key->vals, key->cap * sizeof *key->vals);
        }
        db_keyval_from_cell(&key->vals[key->n++], c);
    }
}

/* "col":{"value":"label",…} for one key. */
static int lab_put(struct buf *b, const char *col, const struct db_label *lab, size_t n)
{
    int bad = text_json_string(b, col, strlen(col));
    bad |= buf_puts(b, ":{");
    for (size_t i = 0; i < n; i++) {
        if (i)
            bad |= buf_putc(b, ',');
        bad |= text_json_string(b, lab[i].key, strlen(lab[i].key));
        bad |= buf_putc(b, ':');
        bad |= text_json_string(b, lab[i].label, strlen(lab[i].label));
    }
    bad |= buf_putc(b, '}');
    return bad;
}

int api_labels_write(struct api_labels *l, struct buf *out)
{
    if (!l)
        return 0;
    struct buf part;
    buf_init(&part, 0);
    bool failed = false;
    for (size_t k = 0; k < l->nkeys && !failed; k++) {
        struct lab_key *key = &l->keys[k];
        if (key->n == 0)
            continue;
        struct db_label *lab = NULL;
        size_t n = 0;
        struct seeki_err err;
        seeki_err_clear(&err);
        if (db_labels(l->db, l->t, key->fk, key->vals, key->n, &lab, &n, &err) != SEEKI_E_OK) {
            log_warn("api", "labels of '%s' left out of this page (the rows are fine): %s",
                     l->t->name, err.msg);
            failed = true;
            break;
        }
        if (part.len && buf_putc(&part, ',') != 0)
            failed = true;
        if (lab_put(&part, l->t->cols[key->col].name, lab, n) != 0)
            failed = true;
        db_labels_free(lab, n);
    }
    int bad = buf_puts(out, ",\"labels\":{");
    if (!failed && part.len)
        bad |= buf_append(out, part.data, part.len);
    bad |= buf_putc(out, '}');
    buf_free(&part);
    return bad;
}

void api_labels_free(struct api_labels *l)
{
    if (!l)
        return;
    for (size_t k = 0; k < l->nkeys; k++)
        db_keyvals_free(l->keys[k].vals, l->keys[k].n);
    free(l->keys);
    free(l);
}
