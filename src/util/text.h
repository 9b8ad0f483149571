/* Text jobs every module shares, each written once: the length of one UTF-8
 * sequence and a whole-string check (libunistring), and appending a string
 * as a JSON string literal or as clean text. Invalid UTF-8 becomes U+FFFD in
 * both writers, so nothing SeeKi sends is ever invalid UTF-8. */
#ifndef SEEKI_UTIL_TEXT_H
#define SEEKI_UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Bytes in the well-formed UTF-8 character at s (n bytes left): 1-4, or 0
 * when the bytes there are not one (overlong, surrogate, past U+10FFFF,
 * truncated, a stray continuation byte). n > 0. */
size_t text_utf8_len(const unsigned char *s, size_t n);

/* Offset of the first byte of s[0..n) that is not well-formed UTF-8, or n
 * when all of it is. */
size_t text_utf8_bad_offset(const char *s, size_t n);

/* Appends s[0..n) as a JSON string: quoted, with '"', '\\' and control
 * characters escaped (\n \r \t \b \f by name, others \u00XX). -1 when out is
 * full (out is then partly written). */
int text_json_string(struct buf *out, const char *s, size_t n) __attribute__((warn_unused_result));

/* Appends s[0..n) as one CSV field (RFC 4180): as it is, or in double quotes
 * with quotes doubled when it holds a comma, quote, CR or LF, starts or ends
 * with a space or tab, or is empty ("" keeps it apart from NULL, which the
 * caller writes as nothing). The same rule for header and data fields. -1
 * when out is full. */
int text_csv_field(struct buf *out, const char *s, size_t n) __attribute__((warn_unused_result));

/* Appends s[0..n) as it is, but with every invalid UTF-8 byte replaced by
 * U+FFFD. -1 when out is full. */
int text_utf8_clean(struct buf *out, const char *s, size_t n) __attribute__((warn_unused_result));

#endif
