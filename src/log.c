/* Leveled, per-module logging to stderr (see log.h). Configuration happens
 * once at startup before threads exist; afterwards it is read-only. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define LOG_MAX_MODULES 16
#define LOG_MODULE_NAME_MAX 16

static const char *const log_names[] = {"ERROR", "WARN", "INFO", "DEBUG", "TRACE"};

static struct {
    enum log_level deflt;
    int nmods;
    struct {
        char name[LOG_MODULE_NAME_MAX];
        enum log_level level;
    } mods[LOG_MAX_MODULES];
    int fd;
} log_state = {LOG_INFO, 0, {{{0}, LOG_INFO}}, 2};

static int log_parse_level(const char *s, size_t n, enum log_level *out)
{
    for (int i = 0; i <= LOG_TRACE; i++) {
        if (strlen(log_names[i]) == n && strncasecmp(log_names[i], s, n) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

int log_configure(const char *spec, char *msg, unsigned msgsz)
{
    log_state.deflt = LOG_INFO;
    log_state.nmods = 0;
    if (!spec || !*spec)
        return 0;
    enum log_level deflt = LOG_INFO;
    int nmods = 0;
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        enum log_level lv;
        if (!eq) {
            if (log_parse_level(p, n, &lv) != 0)
                goto bad;
            deflt = lv;
        } else {
            size_t mlen = (size_t)(eq - p);
            if (mlen == 0 || mlen >= LOG_MODULE_NAME_MAX || nmods >= LOG_MAX_MODULES ||
                log_parse_level(eq + 1, n - mlen - 1, &lv) != 0)
                goto bad;
            memcpy(log_state.mods[nmods].name, p, mlen);
            log_state.mods[nmods].name[mlen] = '\0';
            log_state.mods[nmods].level = lv;
            nmods++;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    log_state.deflt = deflt;
    log_state.nmods = nmods;
    return 0;
bad:
    if (msg && msgsz)
        snprintf(msg, msgsz,
                 "SEEKI_LOG='%.200s' is not understood; use a level (error, warn, info, debug, "
                 "trace), optionally followed by module=level pairs, e.g. "
                 "SEEKI_LOG=info,ssh=debug. Using info.",
                 spec);
    return -1;
}

void log_set_fd(int fd)
{
    log_state.fd = fd;
}

bool log_enabled(enum log_level level, const char *module)
{
    for (int i = 0; i < log_state.nmods; i++)
        if (strcmp(log_state.mods[i].name, module) == 0)
            return level <= log_state.mods[i].level;
    return level <= log_state.deflt;
}

void log_write(enum log_level level, const char *module, const char *fmt, ...)
{
    char raw[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    char line[LOG_LINE_MAX + 64];
    size_t o = (size_t)snprintf(line, 64, "%s %s: ", log_names[level], module);
    size_t limit = sizeof line - 8; /* room for "…\n" */
    for (const unsigned char *c = (const unsigned char *)raw; *c && o < limit; c++) {
        if (*c < 0x20 || *c == 0x7f) {
            if (o + 4 >= limit)
                break;
            o += (size_t)snprintf(line + o, 5, "\\x%02x", *c);
        } else {
            line[o++] = (char)*c;
        }
    }
    if ((size_t)n >= sizeof raw - 1 || o >= limit) {
        memcpy(line + o, "\xe2\x80\xa6", 3); /* … marks truncation */
        o += 3;
    }
    line[o++] = '\n';
    ssize_t w = write(log_state.fd, line, o);
    (void)w;
}
