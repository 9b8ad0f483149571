/* Logging: one line per event on stderr, `LEVEL module: message`.
 * Levels come from SEEKI_LOG ("info", or "info,ssh=debug,db=trace"). The
 * macros check the level before formatting. User-supplied text must be passed
 * as an argument, never as the format; the finished line has control
 * characters escaped and is truncated to LOG_LINE_MAX bytes. Thread-safe:
 * each line is written with one write(2).
 * Never log a password, passphrase or full connection URL: log
 * `host:port/db user=U` instead. */
#ifndef SEEKI_LOG_H
#define SEEKI_LOG_H

#include <stdbool.h>

enum log_level {
    LOG_ERROR = 0, /* something failed; the user must act */
    LOG_WARN,      /* something is off but SeeKi continues */
    LOG_INFO,      /* lifecycle: listening, tunnel up, config loaded */
    LOG_DEBUG,     /* per-request detail useful when diagnosing */
    LOG_TRACE      /* everything, e.g. SQL text (never values) */
};

#define LOG_LINE_MAX 2048

/* Parses a SEEKI_LOG spec; on a malformed spec keeps the default (info) and
 * returns -1 with a message in msg (size msgsz). NULL or "" means info. */
int log_configure(const char *spec, char *msg, unsigned msgsz);
bool log_enabled(enum log_level level, const char *module);
void log_write(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Redirects output to fd (tests); default 2. */
void log_set_fd(int fd);

#define LOG_AT(level, module, ...)                                                                 \
    do {                                                                                           \
        if (log_enabled((level), (module)))                                                        \
            log_write((level), (module), __VA_ARGS__);                                             \
    } while (0)
#define log_error(module, ...) LOG_AT(LOG_ERROR, module, __VA_ARGS__)
#define log_warn(module, ...) LOG_AT(LOG_WARN, module, __VA_ARGS__)
#define log_info(module, ...) LOG_AT(LOG_INFO, module, __VA_ARGS__)
#define log_debug(module, ...) LOG_AT(LOG_DEBUG, module, __VA_ARGS__)
#define log_trace(module, ...) LOG_AT(LOG_TRACE, module, __VA_ARGS__)

#endif
