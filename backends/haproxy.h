/*
 * haproxy.h - the quoting of the HAProxy backend, exposed for its unit
 * tests.  emit_haproxy itself is declared in backend.h.
 */
#ifndef CORSC_HAPROXY_H
#define CORSC_HAPROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* What a word of an HAProxy configuration carries. */
enum hap_word_kind {
	HAP_PATTERN,     /* an ACL pattern (-m str): taken as is */
	HAP_LOG_FORMAT,  /* a header value: a log-format string, '%' written %% */
};

/*
 * Append s (len bytes) to sb as one word that HAProxy 2.6 reads back as
 * exactly those bytes: bare when it holds only letters, digits and
 * ":/.-_[]" (and is not empty), else in double quotes with '\', '"' and '$'
 * escaped.  Returns false, writing nothing, for control bytes and bytes
 * above 0x7e, which no word can carry into a header.
 */
bool haproxy_word(struct strbuf *sb, const char *s, size_t len, enum hap_word_kind kind);

/*
 * Append re to sb as one single-quoted word (a regex: nothing inside single
 * quotes is interpreted, '$' included).  Returns false, writing nothing, for
 * a single quote, control bytes and bytes above 0x7e.
 */
bool haproxy_regex_word(struct strbuf *sb, const char *re, size_t len);

#endif
