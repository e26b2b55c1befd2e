/*
 * apache.h - the quoting rules of Apache httpd 2.4 configuration files, as
 * the Apache backend (apache.c) uses them; exposed for the unit tests.
 */
#ifndef CORSC_APACHE_H
#define CORSC_APACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/*
 * Append s as one double-quoted argument holding a literal mod_headers value:
 * % is written %%, a backslash \\\\ (the configuration reader and mod_headers
 * each undo one level), a quote \".  Refuses (false, reason in err) control
 * characters and bytes outside ASCII, which no header value may hold, and
 * "${" and a leading "expr=", for which Apache has no escape.
 */
bool apache_header_value(struct strbuf *sb, const char *s, struct strbuf *err);

/*
 * Append origin text as a single-quoted ap_expr string ('https://a.example'),
 * for use inside a double-quoted expression.  Refuses any character outside
 * A-Z a-z 0-9 and - . _ : / [ ] +, which no canonical origin holds.
 */
bool apache_expr_string(struct strbuf *sb, const char *origin, struct strbuf *err);

/*
 * Append an anchored PCRE regex, m#^...$#, for an origin pattern: the
 * regex of origin_regex.  Refuses, like apache_expr_string, an origin whose
 * text holds a character no canonical origin holds.
 */
struct origin;
bool apache_origin_regex(struct strbuf *sb, const struct origin *o, struct strbuf *err);

#endif
