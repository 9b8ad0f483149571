/* Labels of foreign-key values in rows answers (api/labels.c, SPEC §9). */
#ifndef SEEKI_API_LABELS_H
#define SEEKI_API_LABELS_H

#include <stdbool.h>

#include "db/engine.h"
#include "util/buf.h"

struct api_labels;

/* A collector for one page of t; NULL (every call below accepts it) when
 * off (labels=off) or there is no database. */
struct api_labels *api_labels_new(struct db_engine *db, const struct db_table *t, bool off);
/* Notes the key values of one row (t->ncols cells). */
void api_labels_add(struct api_labels *l, const struct db_cell *row);
/* Runs the label queries and appends ,"labels":{…} to out (nothing for
 * NULL). A failed query leaves "labels":{} and logs one WARN. Returns
 * non-zero only when out is full. */
int api_labels_write(struct api_labels *l, struct buf *out) SEEKI_MUST_CHECK;
void api_labels_free(struct api_labels *l);

#endif
