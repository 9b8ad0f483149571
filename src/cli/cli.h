/* Command-line front end: argument parsing, the startup/shutdown sequence
 * (main.c) and `seeki check` (check.c). */
#ifndef SEEKI_CLI_H
#define SEEKI_CLI_H

#include <stdbool.h>

#include "util/err.h"

/* Exit statuses (also documented in docs/errors.md). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1  /* config, database or startup failure */
#define CLI_EXIT_USAGE 2 /* bad command line */

struct cli_args {
    bool check;            /* `seeki check` */
    bool demo;             /* --demo */
    bool help;
    bool version;
    const char *config;    /* --config PATH (borrowed from argv) */
    const char *host;      /* --host H */
    int port;              /* --port P; -1 = not given (0 = any free port) */
};

/* Parses argv. On a usage error returns SEEKI_E_BAD_PARAM with a message that
 * ends with a pointer to --help. */
enum seeki_code cli_parse_args(int argc, char **argv, struct cli_args *out, struct seeki_err *err)
    SEEKI_MUST_CHECK;
void cli_print_help(void);

/* Where --demo keeps its database: $SEEKI_DEMO_DB, else
 * $XDG_DATA_HOME/seeki/demo.db, else ~/.local/share/seeki/demo.db. Heap string. */
char *cli_demo_path(void);

struct cfg;
struct tunnel;
struct tunnel_open_info;
/* With [ssh] in c: opens the tunnel (exit-1 message in err on failure; info,
 * when non-NULL, says which step failed); sets *out to NULL without [ssh]. */
enum seeki_code cli_open_tunnel(const struct cfg *c, struct tunnel_open_info *info,
                                struct tunnel **out, struct seeki_err *err) SEEKI_MUST_CHECK;

/* `seeki check`: prints one ✓/✗ line (with advice) per step to stdout and
 * returns the process exit status. */
int cli_check(const struct cli_args *args);

#endif
