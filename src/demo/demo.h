/* The bundled demo database (SPEC §8): a deterministic SQLite file of fleet
 * data, built once. This module is SeeKi's only writer of a database; it
 * depends on sqlite3, util and log only, never on db/ (which is read-only by
 * construction). */
#ifndef SEEKI_DEMO_DEMO_H
#define SEEKI_DEMO_DEMO_H

#include <stdbool.h>

#include "util/err.h"

/* Creates the demo SQLite database (SPEC §8) at path, deterministically, if it
 * does not exist yet: built in a temp file beside it, then renamed, so an
 * interrupted build never leaves a half database. demo/demo.c. */
enum seeki_code demo_create(const char *path, struct seeki_err *err) SEEKI_MUST_CHECK;
/* The file demo_create builds in before renaming it to path (and its
 * journal, with journal set), so a process stopped mid-build can remove it.
 * Heap string. */
char *demo_tmp_path(const char *path, bool journal);

#endif
