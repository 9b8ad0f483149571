/* Argument parsing and help text for the seeki command (SPEC §1). */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/mem.h"
#include "util/path.h"

void cli_print_help(void)
{
    printf("SeeKi %s - a read-only, spreadsheet-like browser for your database\n"
           "\n"
           "Usage:\n"
           "  seeki [--config PATH] [--host H] [--port P]   serve the configured database\n"
           "  seeki --demo [--host H] [--port P]            serve the bundled demo database\n"
           "  seeki check [--config PATH]                   check config, database and tables\n"
           "  seeki --version | --help\n"
           "\n"
           "Config lookup: --config, else ./seeki.toml, else\n"
           "$XDG_CONFIG_HOME/seeki/config.toml (~/.config/seeki/config.toml).\n"
           "With no config file SeeKi starts in setup mode.\n"
           "\n"
           "Environment:\n"
           "  SEEKI_LOG      error|warn|info|debug|trace, per module: info,db=debug\n"
           "  SEEKI_BIND     host:port, overrides [server]\n"
           "  SEEKI_DEMO_DB  where --demo keeps its database\n"
           "\n"
           "Docs: README.md and docs/ in the SeeKi source tree.\n",
           SEEKI_VERSION);
}

static int args_port(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > 65535)
        return -1;
    *out = (int)v;
    return 0;
}

enum seeki_code cli_parse_args(int argc, char **argv, struct cli_args *out, struct seeki_err *err)
{
    memset(out, 0, sizeof *out);
    out->port = -1;
    int i = 1;
    if (argc > 1 && strcmp(argv[1], "check") == 0) {
        out->check = true;
        i = 2;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        bool takes = strcmp(a, "--config") == 0 || strcmp(a, "--host") == 0 ||
                     strcmp(a, "--port") == 0;
        if (takes) {
            if (i + 1 >= argc)
                return seeki_fail(err, SEEKI_E_BAD_PARAM, "Option %s needs a value. See seeki --help.",
                                  a);
            val = argv[++i];
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            out->help = true;
        } else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            out->version = true;
        } else if (strcmp(a, "--demo") == 0) {
            out->demo = true;
        } else if (strcmp(a, "--config") == 0) {
            out->config = val;
        } else if (strcmp(a, "--host") == 0) {
            out->host = val;
        } else if (strcmp(a, "--port") == 0) {
            if (args_port(val, &out->port) != 0)
                return seeki_fail(err, SEEKI_E_BAD_PARAM,
                                  "--port '%s' is not a port number (0-65535). See seeki --help.",
                                  val);
        } else {
            return seeki_fail(err, SEEKI_E_BAD_PARAM, "Unknown option '%s'. See seeki --help.", a);
        }
    }
    if (out->demo && out->config)
        return seeki_fail(err, SEEKI_E_BAD_PARAM,
                          "--demo and --config cannot be used together. See seeki --help.");
    return SEEKI_E_OK;
}

static const char *args_home(void)
{
    const char *h = path_home();
    return h ? h : "/";
}

char *cli_demo_path(void)
{
    const char *p = getenv("SEEKI_DEMO_DB");
    if (p && *p)
        return xstrdup(p);
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && *xdg)
        return xasprintf("%s/seeki/demo.db", xdg);
    return xasprintf("%s/.local/share/seeki/demo.db", args_home());
}
