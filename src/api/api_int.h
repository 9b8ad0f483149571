/* Internals shared by the api/ handler files (not for other modules): JSON
 * helpers around jansson and the common "find the table" step. */
#ifndef SEEKI_API_INT_H
#define SEEKI_API_INT_H

#include <jansson.h>

#include "api/api.h"
#include "http/http.h"

#define API_JSON "application/json"

/* Serialises j (reference stolen, may be NULL = internal error) as the body
 * with the given status. */
void api_send_json(struct http_resp *resp, int status, json_t *j, unsigned long req_id);

/* A json string from arbitrary bytes (invalid UTF-8 replaced by U+FFFD).
 * Never NULL. */
json_t *api_jstr(const char *s);

/* The column object shared by /columns and /rows. */
json_t *api_column_json(const struct db_column *c);

/* db_query.gone for a handler's request (arg is the struct http_req *). */
bool api_client_gone(void *arg);

/* False (with a 503 in resp) when no database is open. */
bool api_need_db(struct api_ctx *ctx, const struct http_req *req, struct http_resp *resp);

/* Looks the route's table up in the live catalog. On failure fills resp
 * (404 unknown table, 400 ambiguous name, 503 no database) and returns false. */
bool api_find_table(struct api_ctx *ctx, const struct http_req *req, const char *name,
                    const struct db_table **out, struct http_resp *resp);
/* api_find_table, then api_params_parse of req for that table (out->table is
 * it). On failure fills resp (404 / 400 …) and returns false, with nothing in
 * out to free; on success free out with api_rows_req_free. */
bool api_find_rows_req(struct api_ctx *ctx, const struct http_req *req, const char *name,
                       bool for_export, struct api_rows_req *out, struct http_resp *resp);

#endif
