/* The engine interface's front door: db_open picks the backend by
 * cfg->db_kind and loads the catalog through it; every other call dispatches
 * through the engine's function table (struct db_engine_ops in db_int.h);
 * counts go through db/counts.c. */
#include <stdlib.h>
#include <string.h>

#include "db/db_int.h"
#include "db/engine.h"
#include "log.h"
#include "util/clock.h"

enum seeki_code db_open(const struct cfg *cfg, const struct db_open_opts *opts,
                        struct db_engine **out, struct seeki_err *err)
{
    *out = NULL;
    struct db_engine *e = NULL;
    struct db_table *raw = NULL;
    size_t nraw = 0;
    enum seeki_code rc;
    switch (cfg->db_kind) {
    case CFG_DB_SQLITE:
        rc = litedb_open(cfg, &e, err);
        break;
    case CFG_DB_POSTGRES:
    default:
        /* the tunnel port matters to PostgreSQL only */
        rc = pgdb_open(cfg, opts ? opts->tunnel_port : 0, &e, err);
        break;
    }
    if (rc != SEEKI_E_OK)
        return rc;
    int64_t t0 = clock_ms();
    rc = e->ops->load_tables(e, &raw, &nraw, err);
    if (rc != SEEKI_E_OK)
        goto fail;
    rc = db_catalog_build(cfg, e->ops->default_schema, raw, nraw, &e->catalog, err);
    if (rc != SEEKI_E_OK)
        goto fail;
    log_info("db", "%s catalog loaded: %zu of %zu relations shown (%lld ms)", e->ops->kind_name,
             e->catalog.ntables, nraw, (long long)(clock_ms() - t0));
    if (e->ops->opened)
        e->ops->opened(e);
    e->counts = db_counts_start(e);
    *out = e;
    return SEEKI_E_OK;
fail:
    db_close(e);
    return rc;
}

void db_close(struct db_engine *e)
{
    if (!e)
        return;
    db_counts_stop(e->counts); /* before the catalog: its jobs point into it */
    e->counts = NULL;
    db_catalog_free(&e->catalog);
    e->ops->destroy(e);
}

const char *db_kind_name(const struct db_engine *e)
{
    return e->ops->kind_name;
}

const struct db_catalog *db_catalog(const struct db_engine *e)
{
    return &e->catalog;
}

enum seeki_code db_rows_open(struct db_engine *e, const struct db_query *q, struct db_iter **out,
                             struct seeki_err *err)
{
    *out = NULL;
    return e->ops->rows_open(e, q, out, err);
}

enum seeki_code db_iter_next(struct db_iter *it, const struct db_cell **row, struct seeki_err *err)
{
    *row = NULL;
    return it->ops->next(it, row, err);
}

void db_iter_close(struct db_iter *it)
{
    if (it)
        it->ops->close(it);
}

enum seeki_code db_ping(struct db_engine *e, struct seeki_err *err)
{
    return e->ops->ping(e, err);
}

enum db_dialect db_engine_dialect(const struct db_engine *e)
{
    return e->ops->dialect;
}
