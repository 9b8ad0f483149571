/* The error table's accessors and the seeki_fail helpers (see err.h). */
#include "util/err.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int http;
    int exitc;
    const char *text;
} err_table[] = {
#define SEEKI_X_ROW(name, http, exitc, text) {#name, http, exitc, text},
    SEEKI_ERR_MAP(SEEKI_X_ROW)
#undef SEEKI_X_ROW
};

static int err_valid(enum seeki_code code)
{
    return (int)code >= 0 && code < SEEKI_E__COUNT;
}

enum seeki_code seeki_vfail(struct seeki_err *err, enum seeki_code code, const char *fmt,
                            va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    }
    return code;
}

enum seeki_code seeki_fail(struct seeki_err *err, enum seeki_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    seeki_vfail(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void seeki_err_clear(struct seeki_err *err)
{
    if (err) {
        err->code = SEEKI_E_OK;
        err->msg[0] = '\0';
    }
}

const char *seeki_code_name(enum seeki_code code)
{
    return err_valid(code) ? err_table[code].name : "UNKNOWN";
}

const char *seeki_code_text(enum seeki_code code)
{
    return err_valid(code) ? err_table[code].text : "Unknown error";
}

int seeki_code_http(enum seeki_code code)
{
    return err_valid(code) ? err_table[code].http : 500;
}

int seeki_code_exit(enum seeki_code code)
{
    return err_valid(code) ? err_table[code].exitc : 1;
}
