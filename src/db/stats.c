/* Column statistics (db_stats, SPEC §10): decides how much of the table to
 * read -- all matching rows when a count finds at most DB_STATS_EXACT_MAX,
 * else a PostgreSQL TABLESAMPLE sized from the row estimate, else a LIMIT --
 * then runs the statements db/sql/stats.c builds through the engine's
 * sql_open (each under the statement timeout) and keeps the values as the
 * engine produced them, so the API encodes them exactly like cells. */
#include <stdlib.h>
#include <string.h>

#include "db/db_int.h"
#include "db/engine.h"
#include "db/sql/sql.h"
#include "log.h"

struct db_cell db_keyval_cell(const struct db_keyval *v)
{
    struct db_cell c = {
        .kind = (enum db_cell_kind)v->kind, .i = v->i, .d = v->d, .s = v->s, .len = v->len};
    return c;
}

void db_stats_free(struct db_stats *s)
{
    if (!s)
        return;
    free(s->min.s);
    free(s->max.s);
    free(s->avg.s);
    for (size_t i = 0; i < s->ntop; i++)
        free(s->top[i].s);
    memset(s, 0, sizeof *s);
}

static int64_t stats_i64(const struct db_cell *c)
{
    switch (c->kind) {
    case DB_CELL_INT:
        return c->i;
    case DB_CELL_REAL:
        return (int64_t)c->d;
    case DB_CELL_TEXT:
        return strtoll(c->s, NULL, 10);
    default:
        return 0;
    }
}

/* Runs one statement; row_fn sees each row. */
typedef void (*stats_row_fn)(struct db_stats *s, const struct db_stats_plan *p,
                             const struct db_cell *row);

static enum seeki_code stats_run(struct db_engine *e, const struct db_query *q, size_t col,
                                 const struct db_stats_plan *p, enum db_stats_stmt what,
                                 struct db_stats *s, stats_row_fn fn, struct seeki_err *err)
{
    struct db_sql sql;
    enum seeki_code rc = db_sql_stats(db_engine_dialect(e), q, col, p, what, &sql, err);
    if (rc != SEEKI_E_OK)
        return rc;
    struct db_iter *it = NULL;
    rc = e->ops->sql_open(e, &sql, q, &it, err);
    db_sql_free(&sql);
    while (rc == SEEKI_E_OK) {
        const struct db_cell *row = NULL;
        rc = db_iter_next(it, &row, err);
        if (rc != SEEKI_E_OK || !row)
            break;
        fn(s, p, row);
    }
    db_iter_close(it);
    return rc;
}

static void stats_agg_row(struct db_stats *s, const struct db_stats_plan *p,
                          const struct db_cell *row)
{
    s->count = stats_i64(&row[0]);
    s->nulls = s->count - stats_i64(&row[1]);
    s->distinct = stats_i64(&row[2]);
    size_t i = 3;
    if (p->minmax) {
        free(s->min.s);
        free(s->max.s);
        db_keyval_from_cell(&s->min, &row[i++]);
        db_keyval_from_cell(&s->max, &row[i++]);
    }
    if (p->avg) {
        free(s->avg.s);
        db_keyval_from_cell(&s->avg, &row[i]);
    }
}

static void stats_min_row(struct db_stats *s, const struct db_stats_plan *p,
                          const struct db_cell *row)
{
    (void)p;
    free(s->min.s);
    db_keyval_from_cell(&s->min, &row[0]);
}

static void stats_max_row(struct db_stats *s, const struct db_stats_plan *p,
                          const struct db_cell *row)
{
    (void)p;
    free(s->max.s);
    db_keyval_from_cell(&s->max, &row[0]);
}

static void stats_top_row(struct db_stats *s, const struct db_stats_plan *p,
                          const struct db_cell *row)
{
    (void)p;
    if (s->ntop >= DB_STATS_TOP_MAX)
        return;
    db_keyval_from_cell(&s->top[s->ntop], &row[0]);
    s->top_count[s->ntop++] = stats_i64(&row[1]);
}

static bool stats_is_number(enum db_vtype v)
{
    return v == DB_VT_INT || v == DB_VT_BIGINT || v == DB_VT_FLOAT || v == DB_VT_NUMERIC;
}

/* MIN()/MAX() aggregates serve the column (one pass, no sort): always on
 * SQLite; on PostgreSQL for the types known to have them (enums, uuid,
 * arrays, json and others take the ORDER BY ... LIMIT 1 statements). */
static bool stats_minmax_agg(enum db_dialect d, const struct db_column *c)
{
    if (d == DB_SQL_SQLITE)
        return true;
    const char *t = c->data_type ? c->data_type : "";
    switch (c->vtype) {
    case DB_VT_INT:
    case DB_VT_BIGINT:
    case DB_VT_FLOAT:
    case DB_VT_NUMERIC:
    case DB_VT_MONEY:
    case DB_VT_DATE:
    case DB_VT_TIMESTAMP:
    case DB_VT_TIMESTAMPTZ:
    case DB_VT_TIME:
    case DB_VT_INTERVAL:
        return true;
    case DB_VT_TEXT:
        return strcmp(t, "text") == 0 || strncmp(t, "character varying", 17) == 0;
    default:
        return false;
    }
}

/* How much to read: exact up to DB_STATS_EXACT_MAX matching rows. */
static enum seeki_code stats_plan(struct db_engine *e, const struct db_query *q,
                                  struct db_stats_plan *p, struct seeki_err *err)
{
    struct db_total tot;
    enum seeki_code rc = db_count(e, q, &tot, err);
    if (rc != SEEKI_E_OK)
        return rc;
    int64_t n = tot.n;
    bool exact = tot.exact;
    if (exact && n <= DB_STATS_EXACT_MAX) {
        p->src = DB_STATS_SRC_ALL;
        return SEEKI_E_OK;
    }
    const struct db_table *t = q->table;
    int64_t base = t->row_estimate > n ? t->row_estimate : n;
    double pct = base > 0 ? 100.0 * (double)DB_STATS_EXACT_MAX / (double)base : 100.0;
    if (db_engine_dialect(e) == DB_SQL_PG && (t->kind == DB_TABLE || t->kind == DB_MATVIEW) &&
        pct < 100.0) {
        p->src = DB_STATS_SRC_SAMPLE;
        p->sample_pct = pct < 0.0001 ? 0.0001 : pct;
    } else {
        p->src = DB_STATS_SRC_LIMIT;
        p->limit = DB_STATS_EXACT_MAX;
    }
    return SEEKI_E_OK;
}

enum seeki_code db_stats(struct db_engine *e, const struct db_query *q, size_t col,
                         struct db_stats *out, struct seeki_err *err)
{
    memset(out, 0, sizeof *out);
    const struct db_column *c = &q->table->cols[col];
    bool pg = db_engine_dialect(e) == DB_SQL_PG;
    out->has_avg = stats_is_number(c->vtype);
    out->has_minmax = !c->no_order && c->vtype != DB_VT_BOOL;
    out->has_top = !out->has_avg;
    struct db_stats_plan p = {.avg = out->has_avg,
                              .as_text = pg && c->no_order,
                              .minmax =
                                  out->has_minmax && stats_minmax_agg(db_engine_dialect(e), c)};
    enum seeki_code rc = stats_plan(e, q, &p, err);
    if (rc != SEEKI_E_OK)
        return rc;
    out->exact = p.src == DB_STATS_SRC_ALL;
    rc = stats_run(e, q, col, &p, DB_STATS_AGG, out, stats_agg_row, err);
    if (rc == SEEKI_E_DB && p.src == DB_STATS_SRC_SAMPLE) {
        /* a relation that cannot be sampled (e.g. a foreign table's kin) */
        log_debug("db", "stats on '%s': sampling refused (%s); reading the first %d rows",
                  q->table->name, err ? err->msg : "", DB_STATS_EXACT_MAX);
        seeki_err_clear(err);
        p.src = DB_STATS_SRC_LIMIT;
        p.limit = DB_STATS_EXACT_MAX;
        rc = stats_run(e, q, col, &p, DB_STATS_AGG, out, stats_agg_row, err);
    }
    if (rc == SEEKI_E_OK && out->has_minmax && !p.minmax)
        rc = stats_run(e, q, col, &p, DB_STATS_MIN, out, stats_min_row, err);
    if (rc == SEEKI_E_OK && out->has_minmax && !p.minmax)
        rc = stats_run(e, q, col, &p, DB_STATS_MAX, out, stats_max_row, err);
    if (rc == SEEKI_E_OK && out->has_top)
        rc = stats_run(e, q, col, &p, DB_STATS_TOP, out, stats_top_row, err);
    if (rc != SEEKI_E_OK)
        db_stats_free(out);
    return rc;
}
