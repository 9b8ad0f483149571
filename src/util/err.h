/* Error codes shared by every module: one X-macro table yields the enum, the
 * code's name, its HTTP status, its process exit status and a default text.
 * Fallible functions return an enum seeki_code and fill an optional
 * struct seeki_err with the specific message (what failed, the object, the
 * reason, what to do next). docs/errors.md documents every code. */
#ifndef SEEKI_ERR_H
#define SEEKI_ERR_H

#include <stdarg.h>
#include <stddef.h>

/*  X(NAME,            http, exit, default text) */
#define SEEKI_ERR_MAP(X)                                                                           \
    X(OK, 200, 0, "OK")                                                                            \
    X(BAD_PARAM, 400, 2, "Bad request parameter")                                                  \
    X(NOT_FOUND, 404, 1, "Not found")                                                              \
    X(FORBIDDEN, 403, 1, "Forbidden")                                                              \
    X(URI_TOO_LONG, 414, 1, "Request URI too long")                                                \
    X(CONFLICT, 409, 1, "Conflict")                                                                \
    X(SETUP_MODE, 503, 1, "This endpoint is not available in setup mode")                          \
    X(DB_UNAVAILABLE, 503, 1, "Database unavailable")                                              \
    X(TUNNEL_RECONNECTING, 503, 1, "SSH tunnel reconnecting")                                      \
    X(BUSY, 503, 1, "All database connections busy")                                               \
    X(TIMEOUT, 504, 1, "Statement timeout")                                                        \
    X(CONFIG, 500, 1, "Invalid configuration")                                                     \
    X(NO_CONFIG, 500, 1, "No configuration file found")                                            \
    X(IO, 500, 1, "I/O error")                                                                     \
    X(DB, 500, 1, "Database error")                                                                \
    X(SSH, 500, 1, "SSH error")                                                                    \
    X(INTERNAL, 500, 1, "Internal server error")

enum seeki_code {
#define SEEKI_X_ENUM(name, http, exitc, text) SEEKI_E_##name,
    SEEKI_ERR_MAP(SEEKI_X_ENUM)
#undef SEEKI_X_ENUM
        SEEKI_E__COUNT
};

/* Maximum length of one error message including the NUL; longer messages are
 * truncated (never overflowed). */
#define SEEKI_ERR_MSG_MAX 1024

struct seeki_err {
    enum seeki_code code; /* SEEKI_E_OK until something fails */
    char msg[SEEKI_ERR_MSG_MAX];
};

#if defined(__GNUC__)
#define SEEKI_MUST_CHECK __attribute__((warn_unused_result))
#define SEEKI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SEEKI_MUST_CHECK
#define SEEKI_PRINTF(a, b)
#endif

/* Fills err (when non-NULL) with code and the formatted message and returns
 * code, so callers can write `return seeki_fail(err, SEEKI_E_X, "...")`. */
enum seeki_code seeki_fail(struct seeki_err *err, enum seeki_code code, const char *fmt, ...)
    SEEKI_PRINTF(3, 4);
enum seeki_code seeki_vfail(struct seeki_err *err, enum seeki_code code, const char *fmt,
                            va_list ap) SEEKI_PRINTF(3, 0);

/* Resets err to SEEKI_E_OK with an empty message. NULL is accepted. */
void seeki_err_clear(struct seeki_err *err);

/* Static facts about a code; never NULL. */
const char *seeki_code_name(enum seeki_code code);
const char *seeki_code_text(enum seeki_code code);
int seeki_code_http(enum seeki_code code);
int seeki_code_exit(enum seeki_code code);

#endif
