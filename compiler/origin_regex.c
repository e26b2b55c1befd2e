/*
 * origin_regex.c - an origin or origin pattern as a regular expression, from
 * the IR's fields (scheme, host, wildcard, port), in the dialect of each
 * server: the one conversion every backend uses.  tests/unit/test_origin.c
 * checks it against origin_match on the cases of SPEC section 3.
 */
#include "origin.h"

#include <string.h>

/*
 * One dialect: the bytes that need a backslash to stand for themselves,
 * and the pieces for "*." (one label), "**." (one or more) and ":*" (any
 * port or none).  A label is what origin_match's is_label accepts.
 */
/*
 * ":*": no port, or a port as a browser sends it: 1 to 65535, without
 * leading zeros (origin_match's rule, written out as digits).
 */
#define ANY_PORT "(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|" \
		 "[1-5][0-9]{4}|[1-9][0-9]{0,3}))?"

struct regex_dialect {
	const char *meta;
	const char *one_label;
	const char *labels;
	const char *any_port;
};

static const struct regex_dialect dialects[] = {
	/*
	 * PCRE (nginx, Apache httpd's ap_regex): every metacharacter, and '/'
	 * and '#', which delimit m#...# in ap_expr and start a comment in
	 * extended mode.
	 */
	[REGEX_PCRE] = { "\\^$.|?*+()[]{}/#", "[a-z0-9_-]{1,63}\\.",
			 "(?:[a-z0-9_-]{1,63}\\.)+", ANY_PORT },
	/* RE2 (Caddy's Go regexp, in a CEL raw string): its metacharacters. */
	[REGEX_RE2] = { "\\^$.|?*+()[]{}", "[a-z0-9_-]{1,63}\\.",
			"(?:[a-z0-9_-]{1,63}\\.)+", ANY_PORT },
	/*
	 * HAProxy 2.6 (Debian builds it with PCRE2): PCRE2's metacharacters,
	 * and '#'; HAProxy's own quoting of the argument is the backend's.
	 */
	[REGEX_HAPROXY] = { "\\^$.|?*+()[]{}#", "[a-z0-9_-]{1,63}\\.",
			    "(?:[a-z0-9_-]{1,63}\\.)+", ANY_PORT },
};

_Static_assert(sizeof(dialects) / sizeof(dialects[0]) == REGEX__COUNT, "a dialect a flavour");

static void literal(struct strbuf *sb, const char *s, const char *meta)
{
	for (; *s; s++) {
		if (strchr(meta, *s))
			sb_putc(sb, '\\');
		sb_putc(sb, *s);
	}
}

void origin_regex(struct strbuf *sb, const struct origin *o, enum regex_flavour fl)
{
	const struct regex_dialect *d = &dialects[fl];
	if (o->kind == ORIGIN_NULL) {
		literal(sb, "null", d->meta);
		return;
	}
	literal(sb, o->scheme, d->meta);
	sb_puts(sb, "://");
	if (o->wild == WILD_ONE)
		sb_puts(sb, d->one_label);
	else if (o->wild == WILD_MULTI)
		sb_puts(sb, d->labels);
	literal(sb, o->host, d->meta);
	if (o->port_any)
		sb_puts(sb, d->any_port);
	else if (o->port >= 0)
		sb_printf(sb, ":%d", o->port);
}
