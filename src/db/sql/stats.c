/* Column statistics SQL (SPEC §10), both dialects: every statement reads the
 * column through one source subquery -- the matching rows of the table
 * (the rows route's WHERE: filters and search, from build.c), optionally
 * bounded by a LIMIT or drawn from a TABLESAMPLE -- and aggregates over its
 * single column v:
 *
 *   SELECT COUNT(*), COUNT(v), COUNT(DISTINCT v)[, MIN(v), MAX(v)][, AVG(v)]
 *     FROM (src) AS s
 *   SELECT v FROM (src) AS s WHERE v IS NOT NULL ORDER BY v [DESC] LIMIT 1
 *     (min/max of PostgreSQL types without a known MIN/MAX aggregate)
 *   SELECT v, COUNT(*) FROM (src) AS s WHERE v IS NOT NULL GROUP BY v
 *     ORDER BY 2 DESC, 1 LIMIT 10
 *
 * The column comes only from the live catalog; request values are bound
 * parameters (through db_sqlb_where); the sample percentage is computed by
 * db/stats.c from the row estimate, never taken from a request. */
#include <stdio.h>
#include <string.h>

#include "db/sql/sql.h"

static void stats_source(struct sqlb *b, const struct db_query *q, const struct db_column *c,
                         const struct db_stats_plan *p, enum seeki_code *rc, struct seeki_err *err)
{
    db_sqlb_puts(b, " FROM (SELECT ");
    db_sqlb_ident(b, c->name);
    if (p->as_text && b->d == DB_SQL_PG)
        db_sqlb_puts(b, "::text");
    db_sqlb_puts(b, " AS v");
    db_sqlb_from(b);
    if (p->src == DB_STATS_SRC_SAMPLE && b->d == DB_SQL_PG) {
        char pct[64];
        double v = p->sample_pct > 0 && p->sample_pct <= 100 ? p->sample_pct : 100;
        snprintf(pct, sizeof pct, " TABLESAMPLE SYSTEM (%.6f) REPEATABLE (0)", v);
        db_sqlb_puts(b, pct);
    }
    *rc = db_sqlb_where(b, q, err);
    if (p->src == DB_STATS_SRC_LIMIT) {
        db_sqlb_puts(b, " LIMIT ");
        db_sqlb_param_int(b, p->limit);
    }
    db_sqlb_puts(b, ") AS s");
}

enum seeki_code db_sql_stats(enum db_dialect d, const struct db_query *q, size_t col,
                             const struct db_stats_plan *p, enum db_stats_stmt what,
                             struct db_sql *out, struct seeki_err *err)
{
    struct sqlb b;
    memset(out, 0, sizeof *out);
    enum seeki_code rc = db_sqlb_check(q, err);
    if (rc != SEEKI_E_OK)
        return rc;
    if (col >= q->table->ncols)
        return seeki_fail(err, SEEKI_E_BAD_PARAM, "Column #%zu is out of range for table '%s'", col,
                          q->table->name);
    const struct db_column *c = &q->table->cols[col];
    db_sqlb_init(&b, d, q, out);
    switch (what) {
    case DB_STATS_AGG:
        db_sqlb_puts(&b, "SELECT COUNT(*), COUNT(v), COUNT(DISTINCT v)");
        if (p->minmax)
            db_sqlb_puts(&b, ", MIN(v), MAX(v)");
        if (p->avg)
            db_sqlb_puts(&b, d == DB_SQL_PG ? ", AVG(v)::float8" : ", AVG(v)");
        stats_source(&b, q, c, p, &rc, err);
        break;
    case DB_STATS_MIN:
    case DB_STATS_MAX:
        db_sqlb_puts(&b, "SELECT v");
        stats_source(&b, q, c, p, &rc, err);
        db_sqlb_puts(&b, what == DB_STATS_MIN ? " WHERE v IS NOT NULL ORDER BY v ASC LIMIT 1"
                                              : " WHERE v IS NOT NULL ORDER BY v DESC LIMIT 1");
        break;
    case DB_STATS_TOP:
    default: {
        char tail[96];
        db_sqlb_puts(&b, "SELECT v, COUNT(*)");
        stats_source(&b, q, c, p, &rc, err);
        snprintf(tail, sizeof tail,
                 " WHERE v IS NOT NULL GROUP BY v ORDER BY 2 DESC, 1 ASC LIMIT %d",
                 DB_STATS_TOP_MAX);
        db_sqlb_puts(&b, tail);
        break;
    }
    }
    return db_sqlb_finish(&b, rc, err);
}
