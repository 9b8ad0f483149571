/* POST /api/setup/test-connection (SPEC §7): really connects with the
 * body's database, ssh and secrets -- through a temporary tunnel when [ssh]
 * is given, with its timeouts -- and answers the selected schemas with their
 * tables and row estimates. Nothing is written: an unknown bastion key is a
 * 409 carrying its fingerprint until the body repeats it in accept_host_key,
 * and even then known_hosts stays untouched (only save writes it). */
#include <string.h>

#include "api/setup_int.h"
#include "log.h"

/* {"schemas":[{"name","tables":[{"name","kind","row_count_estimate"}]}]},
 * every selected schema in config order, empty ones included. */
static json_t *test_schemas(const struct cfg *c, const struct db_catalog *cat)
{
    json_t *schemas = json_array();
    for (size_t s = 0; s < c->nschemas; s++) {
        json_t *tables = json_array();
        for (size_t i = 0; cat && i < cat->ntables; i++) {
            const struct db_table *t = &cat->tables[i];
            /* SQLite's one schema is "main", whatever database.schemas says */
            bool here = c->db_kind == CFG_DB_SQLITE ? s == 0 : strcmp(t->schema, c->schemas[s]) == 0;
            if (!here)
                continue;
            json_t *o = json_pack("{s:o, s:s}", "name", api_jstr(t->relname), "kind",
                                  db_table_kind_name(t->kind));
            json_object_set_new(o, "row_count_estimate",
                                t->row_estimate < 0 ? json_null()
                                                    : json_integer(t->row_estimate));
            json_array_append_new(tables, o);
        }
        const char *name = c->db_kind == CFG_DB_SQLITE ? "main" : c->schemas[s];
        json_array_append_new(schemas,
                              json_pack("{s:o, s:o}", "name", api_jstr(name), "tables", tables));
        if (c->db_kind == CFG_DB_SQLITE)
            break;
    }
    return schemas;
}

void api_setup_test(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    struct setup_body b;
    if (!setup_body_parse(ctx, req, true, &b, resp))
        return;
    struct tunnel_open_opts topts = {.no_write_known_hosts = true,
                                     .accept_host_key = b.accept_host_key,
                                     .write_accepted_key = false};
    struct tunnel *t = NULL;
    struct db_engine *db = NULL;
    struct tunnel_open_info info;
    struct seeki_err err;
    seeki_err_clear(&err);
    const char *step = setup_open(b.cfg, &topts, &t, &db, &info, &err);
    if (step) {
        setup_fail(resp, step, &err, &info, req->id);
        setup_body_free(&b);
        return;
    }
    const struct db_catalog *cat = db_catalog(db);
    json_t *root = json_object();
    json_object_set_new(root, "schemas", test_schemas(b.cfg, cat));
    json_object_set_new(root, "tunnel",
                        t ? json_pack("{s:o}", "host_key", api_jstr(info.host_key)) : json_null());
    log_info("api", "req=%lu setup: test connection to %s succeeded (%zu tables%s)", req->id,
             db_kind_name(db), cat ? cat->ntables : 0, t ? ", through the SSH tunnel" : "");
    db_close(db);
    tunnel_close(t);
    setup_body_free(&b);
    api_send_json(resp, 200, root, req->id);
}
