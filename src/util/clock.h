/* The monotonic clock, read one way everywhere (timeouts, durations in log
 * lines, keepalive): never the wall clock, which jumps. */
#ifndef SEEKI_UTIL_CLOCK_H
#define SEEKI_UTIL_CLOCK_H

#include <stdint.h>

int64_t clock_ms(void); /* milliseconds on CLOCK_MONOTONIC */
double clock_s(void);   /* seconds on CLOCK_MONOTONIC, with a fraction */

#endif
