/* Shared helpers for the config unit tests: a private mkdtemp directory per
 * test (removed at the end), file writing with a mode, and loading a config
 * text through cfg_load. */
#ifndef SEEKI_TEST_CONFIG_HELPERS_H
#define SEEKI_TEST_CONFIG_HELPERS_H

#include <stdbool.h>
#include <sys/types.h>

#include "config/config.h"

/* Creates a fresh temporary directory; returns its absolute path (static
 * storage, one per process: Criterion forks each test). */
const char *th_tmpdir(void);
/* Removes the directory made by th_tmpdir and everything below it. */
void th_cleanup(void);
/* Writes text to dir/rel (creating parent directories) with mode; returns
 * the full path (heap). */
char *th_write(const char *dir, const char *rel, const char *text, mode_t mode);
/* Writes text as DIR/seeki.toml and loads it with --config. */
enum seeki_code th_load_text(const char *text, struct cfg **out, struct seeki_err *err);
/* "DIR/seeki.toml" for the current th_tmpdir (static storage). */
const char *th_config_path(void);

#endif
