/*
 * origin_regex.c - an origin or origin pattern as a regular expression, from
 * the IR's fields (scheme, host, wildcard, port), in the dialect of each
 * server: the one conversion every backend uses.  tests/unit/test_origin.c
 * checks it against origin_match on the cases of SPEC section 3.
 */
#include "origin.h"

#include <stdbool.h>
#include <string.h>

/*
 * ":*": no port, or a port as a browser sends it: 1 to 65535, without
 * leading zeros (origin_match's rule, written out as digits).
 */
#define ANY_PORT "(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|" \
		 "[1-5][0-9]{4}|[1-9][0-9]{0,3}))?"

/* A DNS name is at most 253 characters, a label 63 (origin_match's bound). */
#define MAX_HOST 253
#define MAX_LABEL 63
#define LABEL "[a-z0-9_-]"

/*
 * One dialect: the bytes that need a backslash to stand for themselves,
 * and whether it has lookahead, which bounds a "**." host to 253
 * characters.  RE2 has none, and Go refuses nested counted repetitions of
 * more than 1000 copies ("(?:x{1,63}\.){1,125}"), so in RE2 a "**." host
 * is bounded per label only (README "Decisions").
 */
struct regex_dialect {
	const char *meta;
	bool lookahead;
};

static const struct regex_dialect dialects[] = {
	/*
	 * PCRE (nginx, Apache httpd's ap_regex): every metacharacter, and '/'
	 * and '#', which delimit m#...# in ap_expr and start a comment in
	 * extended mode.
	 */
	[REGEX_PCRE] = { "\\^$.|?*+()[]{}/#", true },
	/* RE2 (Caddy's Go regexp, in a CEL raw string): its metacharacters. */
	[REGEX_RE2] = { "\\^$.|?*+()[]{}", false },
	/*
	 * HAProxy 2.6 (Debian builds it with PCRE2): PCRE2's metacharacters,
	 * and '#'; HAProxy's own quoting of the argument is the backend's.
	 */
	[REGEX_HAPROXY] = { "\\^$.|?*+()[]{}#", true },
};

_Static_assert(sizeof(dialects) / sizeof(dialects[0]) == REGEX__COUNT, "a dialect a flavour");

static void literal(struct strbuf *sb, const char *s, const char *meta)
{
	for (; *s; s++) {
		unsigned char u = (unsigned char)*s;   /* no dialect's metacharacter is alphanumeric */
		bool plain = (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z');
		if (!plain && strchr(meta, *s))
			sb_putc(sb, '\\');
		sb_putc(sb, *s);
	}
}

/* n in decimal, as "%zu" writes it */
static void put_number(struct strbuf *sb, size_t n)
{
	char d[24];
	size_t i = sizeof(d);
	do {
		d[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	sb_add(sb, d + i, sizeof(d) - i);
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
	/* room: the longest prefix, its last '.' included, that keeps the host in 253 */
	size_t hl = strlen(o->host), room = hl + 2 <= MAX_HOST ? MAX_HOST - hl : 2;
	if (o->wild == WILD_ONE) {
		size_t most = room - 1 < MAX_LABEL ? room - 1 : MAX_LABEL;
		sb_puts(sb, LABEL "{1,");   /* not sb_printf: once per pattern and backend */
		put_number(sb, most);
		sb_puts(sb, "}\\.");
	} else if (o->wild == WILD_MULTI) {
		/* the host: 253 characters at most, up to the ':' of a port or the end */
		if (d->lookahead)
			sb_printf(sb, "(?=[a-z0-9_.-]{1,%d}(?![a-z0-9_.-]))", MAX_HOST);
		sb_puts(sb, "(?:" LABEL "{1,63}\\.)+");
	}
	literal(sb, o->host, d->meta);
	if (o->port_any) {
		sb_puts(sb, ANY_PORT);
	} else if (o->port >= 0) {
		sb_putc(sb, ':');
		put_number(sb, (size_t)o->port);
	}
}
