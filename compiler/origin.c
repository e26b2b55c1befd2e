/*
 * origin.c - parse an origin or origin pattern as written in a policy
 * (SPEC section 3), with one precise diagnostic per problem, and match a
 * request's Origin against one parsed origin, byte for byte (README).
 */
#include "origin.h"
#include "fixit.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LABEL 63
#define MAX_HOST 253

static bool is_lower(int c) { return c >= 'a' && c <= 'z'; }
static bool is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }

/* A character of a DNS label as corsc accepts it: [a-z0-9_-]. */
static bool is_label_char(int c)
{
	return is_lower(c) || is_digit(c) || c == '-' || c == '_';
}

/*
 * What the parsing steps look for in a byte, one table lookup a byte
 * (most bytes of an origin are none of these but B_LABEL).
 */
enum {
	B_BAD = 1,        /* a control byte, space or DEL: no origin holds it */
	B_HIGH = 2,       /* >= 0x80 */
	B_COLON = 4,
	B_AUTH_END = 8,   /* '/', '?', '#': the authority ends */
	B_BRACKET = 16,   /* '[' or ']' */
	B_LABEL = 32,     /* is_label_char */
	B_COMMA = 64,     /* ',': never in an origin */
};

static const unsigned char *byte_classes(void)
{
	static unsigned char cls[256];
	static bool ready;
	if (!ready) {
		for (int c = 0; c < 256; c++)
			cls[c] = (unsigned char)((c <= ' ' || c == 0x7f ? B_BAD : 0) |
						 (c >= 0x80 ? B_HIGH : 0) | (c == ':' ? B_COLON : 0) |
						 (c == '/' || c == '?' || c == '#' ? B_AUTH_END : 0) |
						 (c == '[' || c == ']' ? B_BRACKET : 0) |
						 (c == ',' ? B_COMMA : 0) |
						 (is_label_char(c) ? B_LABEL : 0));
		ready = true;
	}
	return cls;
}

/* Length of a printable excerpt of the origin for messages. */
static int shown(size_t len)
{
	return (int)(len > 100 ? 100 : len);
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * The last label of host looks like a number: a browser's URL parser then
 * reads the whole host as an IPv4 address (WHATWG URL "ends in a number").
 */
static bool ends_in_number(const char *h, size_t n)
{
	size_t end = n, start;
	if (end > 0 && h[end - 1] == '.')
		end--;
	start = end;
	while (start > 0 && h[start - 1] != '.')
		start--;
	const char *l = h + start;
	size_t ll = end - start;
	if (all_digits(l, ll))
		return true;
	if (ll >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
		for (size_t i = 2; i < ll; i++)
			if (!strchr("0123456789abcdefABCDEF", l[i]))
				return false;
		return true;
	}
	return false;
}

/*
 * The list, loaded once per process (reading and parsing it costs more than
 * a thousand lookups) and kept until exit: the one piece of process-wide
 * state in corsc, read-only once made.
 */
static const psl_ctx_t *psl_list(void)
{
	static const psl_ctx_t *list;
	static bool loaded;
	if (!loaded) {
		psl_ctx_t *latest = psl_latest(NULL);
		list = latest ? latest : psl_builtin();
		loaded = true;
	}
	return list;
}

/* Is suffix (the part after "*." or "**.") a public suffix? */
static bool is_public_suffix(const char *suffix)
{
	/*
	 * The newest list available: the system's file if it is newer than the
	 * one built into libpsl.  NO_STAR_RULE: a name unknown to the list
	 * (localhost, test) is not a public suffix just because every TLD
	 * would be under the list's implicit "*" rule.
	 */
	const psl_ctx_t *psl = psl_list();
	return psl && psl_is_public_suffix2(psl, suffix, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

/* The E010 note for a host with non-ASCII characters: its punycode form. */
static void punycode_note(char *note, size_t size, const char *scheme, size_t slen,
			  const char *host, size_t hlen, const char *rest,
			  char *fixed, size_t fsize)
{
	fixed[0] = '\0';
	char *h = xstrndup(host, hlen), *ascii = NULL;
	int rc = idn2_to_ascii_8z(h, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
	if (rc != IDN2_OK) {
		ascii = NULL;
		rc = idn2_to_ascii_8z(h, &ascii, IDN2_TRANSITIONAL | IDN2_NFC_INPUT);
	}
	if (rc == IDN2_OK && ascii) {
		for (char *p = ascii; *p; p++)
			*p = (char)ascii_tolower((unsigned char)*p);
		snprintf(note, size, "write %.*s://%s%s (the punycode form a browser sends)",
			 (int)slen, scheme, ascii, rest);
		int n = snprintf(fixed, fsize, "%.*s://%s%s", (int)slen, scheme, ascii, rest);
		if (n < 0 || (size_t)n >= fsize)
			fixed[0] = '\0';
	} else {
		snprintf(note, size, "write the host in its punycode (xn--) form; "
			 "this one is not a valid internationalized name (%s)", idn2_strerror(rc));
	}
	idn2_free(ascii);
	free(h);
}

/*
 * An IPv6 address as the WHATWG URL standard serializes a host: eight
 * pieces in lower-case hex without leading zeros, the first longest run of
 * two or more zero pieces written "::".
 */
static void ipv6_serialize(const struct in6_addr *a, char *out, size_t size)
{
	unsigned piece[8];
	for (int i = 0; i < 8; i++)
		piece[i] = (unsigned)a->s6_addr[2 * i] << 8 | a->s6_addr[2 * i + 1];
	int best = -1, bestlen = 1;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && piece[j] == 0)
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; i < 8 && n < size; i++) {
		if (i == best) {
			n += (size_t)snprintf(out + n, size - n, i == 0 ? "::" : ":");
			i += bestlen - 1;
			continue;
		}
		n += (size_t)snprintf(out + n, size - n, "%x%s", piece[i], i < 7 ? ":" : "");
	}
}

/* ---- parsing, in steps ---- */

/* A part of the origin text: the bytes text[off, off + len). */
struct part {
	size_t off, len;
};

/*
 * One origin being parsed: its text as read, where it is written, and its
 * parts as the steps find them.  Each step checks one part and, on a fault,
 * queues one diagnostic underlining that part (fault()) and returns false.
 */
struct oparse {
	struct arena *a;
	const char *text;
	size_t len;
	struct span span;
	struct diag_queue *dq;
	struct origin *out;
	struct part scheme;    /* before "://" */
	size_t sep;            /* offset of "://" */
	struct part auth;      /* after "://": host and port */
	struct part host;      /* the whole host: wildcard prefix, brackets and all */
	struct part name;      /* the host after a wildcard prefix */
	struct part port;      /* the digits (or '*') after ':' */
	bool has_port;
	bool nonascii;         /* a byte >= 0x80 somewhere */
	char *note;            /* room for a note made of parts (NOTE_SIZE bytes) */
};

#define NOTE_SIZE 512

/* The whole origin as written, quotes and all: a fault of the whole. */
#define WHOLE ((struct part){ 0, SIZE_MAX })

static struct part part_of(const struct oparse *p, const char *from, size_t n)
{
	return (struct part){ (size_t)(from - p->text), n };
}

/* The span of part pt: a caret at its first byte when it is empty. */
static struct span part_span(const struct oparse *p, struct part pt)
{
	if (pt.len == SIZE_MAX)
		return p->span;
	return fixit_sub_span(p->span, p->text, p->len, p->text + pt.off, pt.len);
}

static void fault(struct oparse *p, const char *code, struct part pt, const char *note,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void fault(struct oparse *p, const char *code, struct part pt, const char *note,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_emitv(p->dq, code, part_span(p, pt), note, fmt, ap);
	va_end(ap);
}

#define SHOWN(p) shown((p)->len), (p)->text

/* Step 1: bytes no origin holds, whatever else is wrong; finds "://". */
static bool scan_bytes(struct oparse *p)
{
	const char *t = p->text;
	const unsigned char *cls = byte_classes();
	unsigned seen = 0;
	p->sep = SIZE_MAX;
	for (size_t i = 0; i < p->len; i++) {
		unsigned char c = (unsigned char)t[i];
		unsigned k = cls[c];
		seen |= k;
		if (!(k & (B_BAD | B_COLON | B_COMMA)))
			continue;
		if (k & B_COMMA) {
			/* Never in an origin (SPEC section 6): two of them in one
			   string, as an environment variable holds them, most likely. */
			bool two = false;
			for (size_t j = i + 1; j + 3 <= p->len && !two; j++)
				two = memcmp(t + j, "://", 3) == 0;
			fault(p, "E010", (struct part){ i, 1 },
			      two ? "list each origin as a value of its own: "
				    "\"https://a.example\", \"https://b.example\" "
				    "(in YAML: [\"https://a.example\", \"https://b.example\"])"
				  : "remove the ',': an origin never holds one",
			      "malformed origin '%.*s': %s ',' at character %zu", SHOWN(p),
			      two ? "two origins in one string," : "a", i + 1);
			return false;
		}
		if (!(k & B_BAD)) {
			if (p->sep == SIZE_MAX && i + 3 <= p->len && t[i + 1] == '/' && t[i + 2] == '/')
				p->sep = i;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			size_t n = 1;
			while (i + n < p->len && t[i + n] && strchr(" \t\n\r", t[i + n]))
				n++;
			fault(p, "E010", (struct part){ i, n }, "remove the whitespace: an origin has none",
			      "malformed origin '%.*s': whitespace at character %zu", SHOWN(p), i + 1);
			return false;
		}
		fault(p, "E010", (struct part){ i, 1 }, "remove the control character",
		      "malformed origin: control character 0x%02x at character %zu", c, i + 1);
		return false;
	}
	p->nonascii = (seen & B_HIGH) != 0;
	return true;
}

/*
 * Step 2: the scheme, up to "://": a letter, then letters, digits, '+',
 * '-', '.' (RFC 3986); not file, whose pages send Origin: null.
 */
static bool check_scheme(struct oparse *p)
{
	const char *t = p->text;
	if (p->sep == SIZE_MAX) {
		if (t[0] == '*') {
			fault(p, "E011", (struct part){ 0, 0 }, "a pattern needs a scheme too: write "
			      "https://*.example.com", "origin pattern '%.*s' has no scheme", SHOWN(p));
			return false;
		}
		if (p->len == 4 && ascii_strncasecmp(t, "null", 4) == 0) {
			fault(p, "E010", WHOLE, "the opaque origin is written null, in lower case",
			      "malformed origin '%.*s'", SHOWN(p));
			return false;
		}
		/* underline a broken separator (https:/x, https//x), else where the scheme goes */
		struct part at = { 0, 0 };
		const char *c = memchr(t, ':', p->len);
		if (c) {
			at = part_of(p, c, 1);
			while (at.off + at.len < p->len && t[at.off + at.len] == '/')
				at.len++;
		} else {
			for (size_t i = 0; i + 1 < p->len; i++)
				if (t[i] == '/' && t[i + 1] == '/') {
					at = (struct part){ i, 2 };
					break;
				}
		}
		fault(p, "E010", at, "write an origin as scheme://host[:port], e.g. https://app.example.com",
		      at.off > 0 ? "malformed origin '%.*s': bad '://' after the scheme"
				 : "malformed origin '%.*s': missing scheme and '://'", SHOWN(p));
		return false;
	}
	p->scheme = (struct part){ 0, p->sep };
	if (p->sep == 0 || !(is_lower((unsigned char)t[0]) || is_upper((unsigned char)t[0]))) {
		fault(p, "E010", p->sep ? p->scheme : (struct part){ 0, 3 },
		      "the scheme starts with a letter: write https://... or http://...",
		      "malformed origin '%.*s': bad or missing scheme", SHOWN(p));
		return false;
	}
	for (size_t i = 1; i < p->sep; i++) {
		int c = (unsigned char)t[i];
		if (!is_lower(c) && !is_upper(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') {
			fault(p, "E010", p->scheme, "a scheme is letters, digits, '+', '-' and '.'",
			      "malformed origin '%.*s': bad scheme", SHOWN(p));
			return false;
		}
	}
	if (p->sep == 4 && ascii_strncasecmp(t, "file", 4) == 0) {
		fault(p, "E010", p->scheme, "a page loaded from file: sends Origin: null, never a "
		      "file:// origin; allow \"null\" if such pages may use the resource (W104 says "
		      "what else sends it)", "malformed origin '%.*s': browsers never send a file: origin",
		      SHOWN(p));
		return false;
	}
	return true;
}

/* Step 3: the authority, after "://": no path, query, fragment or user info. */
static bool check_authority(struct oparse *p)
{
	const char *t = p->text, *end = t + p->len;
	const char *auth = t + p->sep + 3, *ae = auth;
	const unsigned char *cls = byte_classes();
	while (ae < end && !(cls[(unsigned char)*ae] & B_AUTH_END))
		ae++;
	if (ae < end) {
		const char *what, *fix;
		if (*ae == '/' && ae + 1 == end) {
			what = "trailing slash";
			fix = "remove the trailing '/': an origin ends after the host or port";
		} else if (*ae == '/') {
			what = "path";
			fix = "an origin has no path: CORS compares scheme, host and port only; "
			      "attach the policy to the path in the server configuration instead";
		} else if (*ae == '?') {
			what = "query";
			fix = "remove the query: an origin is scheme://host[:port] only";
		} else {
			what = "fragment";
			fix = "remove the fragment: an origin is scheme://host[:port] only";
		}
		fault(p, "E010", part_of(p, ae, (size_t)(end - ae)), fix, "malformed origin '%.*s': %s",
		      SHOWN(p), what);
		if (ae + 1 == end && *ae == '/') {
			char *cut = xstrndup(t, p->len - 1);
			fixit_replace_value(p->dq, p->span, t, p->len, cut);
			free(cut);
		}
		return false;
	}
	p->auth = part_of(p, auth, (size_t)(ae - auth));
	const char *at = memchr(auth, '@', p->auth.len);
	if (at) {
		fault(p, "E010", part_of(p, auth, (size_t)(at - auth) + 1),
		      "remove the 'user@' part: browsers never send user info in Origin",
		      "malformed origin '%.*s': user info", SHOWN(p));
		return false;
	}
	if (p->auth.len == 0) {
		fault(p, "E010", (struct part){ p->sep, 3 }, "write the host after '://'",
		      "malformed origin '%.*s': empty host", SHOWN(p));
		return false;
	}
	return true;
}

/* Step 4: split the authority into host and port ([v6]:port or name:port). */
static bool split_host_port(struct oparse *p)
{
	const char *auth = p->text + p->auth.off, *ae = auth + p->auth.len;
	const char *he = ae;           /* end of the host */
	if (auth[0] == '[') {
		const char *rb = memchr(auth, ']', p->auth.len);
		if (!rb) {
			fault(p, "E010", p->auth, "an IPv6 address is written in brackets: "
			      "https://[2001:db8::1]", "malformed origin '%.*s': bad host, missing ']'",
			      SHOWN(p));
			return false;
		}
		he = rb + 1;
		if (he < ae && *he != ':') {
			fault(p, "E010", part_of(p, he, (size_t)(ae - he)),
			      "after ']' comes ':' and the port, or nothing",
			      "malformed origin '%.*s': bad host", SHOWN(p));
			return false;
		}
	} else {
		/* one scan: the first bracket (a fault whatever the colons), else the colons */
		const unsigned char *cls = byte_classes();
		const char *colon = NULL, *q = NULL;
		bool colons = false;
		for (const char *b = auth; b < ae; b++) {
			unsigned k = cls[(unsigned char)*b];
			if (k & B_BRACKET) {
				q = b;
				break;
			}
			if (k & B_COLON) {
				colons |= colon != NULL;
				colon = colon ? colon : b;
			}
		}
		if (q) {
			if (auth[0] == '*') {
				fault(p, "E011", part_of(p, auth, (size_t)(ae - auth)),
				      "a wildcard stands for DNS labels, never for part of an IP "
				      "address: list the addresses",
				      "wildcard in an IP address origin '%.*s'", SHOWN(p));
				return false;
			}
			fault(p, "E010", part_of(p, q, (size_t)(ae - q)), "an IPv6 address is written "
			      "in brackets, as the whole host: https://[2001:db8::1]",
			      "malformed origin '%.*s': bad host", SHOWN(p));
			return false;
		}
		if (colons) {
			fault(p, "E010", p->auth, "an IPv6 address is written in brackets: "
			      "https://[2001:db8::1]",
			      "malformed origin '%.*s': bad host, more than one ':'", SHOWN(p));
			return false;
		}
		if (colon)
			he = colon;
	}
	p->host = part_of(p, auth, (size_t)(he - auth));
	if (he < ae) {
		p->has_port = true;
		p->port = part_of(p, he + 1, (size_t)(ae - he - 1));
	}
	return true;
}

/* Step 5: the port: '*', or 1 to 65535 without leading zeros. */
static bool check_port(struct oparse *p)
{
	if (!p->has_port)
		return true;
	const char *port = p->text + p->port.off;
	size_t plen = p->port.len;
	if (plen == 1 && port[0] == '*') {
		p->out->port_any = true;
		return true;
	}
	if (plen == 0) {
		fault(p, "E010", (struct part){ p->port.off - 1, 1 }, "remove the ':' or write a port after it",
		      "malformed origin '%.*s': bad port, empty", SHOWN(p));
		return false;
	}
	if (!all_digits(port, plen)) {
		fault(p, "E010", p->port, "a port is a number from 1 to 65535, or '*' for any port",
		      "malformed origin '%.*s': bad port '%.*s'", SHOWN(p), shown(plen), port);
		return false;
	}
	if (port[0] == '0') {
		fault(p, "E010", p->port, plen == 1 ? "port 0 cannot be used; a port is a number from 1 "
		      "to 65535" : "write the port without leading zeros, as a browser sends it",
		      "malformed origin '%.*s': bad port '%.*s'", SHOWN(p), shown(plen), port);
		return false;
	}
	int v = 0;
	for (size_t i = 0; i < plen && i < 6; i++)
		v = v * 10 + (port[i] - '0');
	if (plen > 5 || v > 65535) {
		fault(p, "E010", p->port, "a port is a number from 1 to 65535",
		      "malformed origin '%.*s': bad port '%.*s', out of range", SHOWN(p), shown(plen), port);
		return false;
	}
	p->out->port = v;
	return true;
}

/*
 * Step 6: the host as a whole: present, ASCII (else its punycode form is
 * named), a wildcard only as the whole leftmost label and never over an IP
 * address, lower case.  Sets p->name, the host after the wildcard prefix.
 */
static bool check_host_form(struct oparse *p)
{
	const char *t = p->text, *host = t + p->host.off;
	size_t hlen = p->host.len;
	if (hlen == 0) {
		fault(p, "E010", (struct part){ p->sep, 3 }, "write the host after '://'",
		      "malformed origin '%.*s': empty host", SHOWN(p));
		return false;
	}
	if (p->nonascii)
		for (size_t i = 0; i < hlen; i++)
			if ((unsigned char)host[i] >= 0x80) {
				char rest[16] = "", fixed[MAX_HOST + 64];
				if (p->out->port_any)
					snprintf(rest, sizeof(rest), ":*");
				else if (p->out->port >= 0)
					snprintf(rest, sizeof(rest), ":%d", p->out->port);
				punycode_note(p->note, NOTE_SIZE, t, p->scheme.len, host, hlen, rest,
					      fixed, sizeof(fixed));
				fault(p, "E010", p->host, p->note, "malformed origin '%.*s': non-ASCII host",
				      SHOWN(p));
				if (fixed[0])
					fixit_replace_value(p->dq, p->span, t, p->len, fixed);
				return false;
			}

	/* the wildcard prefix */
	const char *h = host;
	size_t hn = hlen;
	struct origin *out = p->out;
	if (hn >= 3 && memcmp(h, "**.", 3) == 0) {
		out->wild = WILD_MULTI;
		h += 3;
		hn -= 3;
	} else if (hn >= 2 && memcmp(h, "*.", 2) == 0) {
		out->wild = WILD_ONE;
		h += 2;
		hn -= 2;
	}
	p->name = part_of(p, h, hn);
	const char *st = memchr(h, '*', hn);
	if (st || (out->wild != WILD_NONE && hn == 0)) {
		const char *ls = host, *le = host + hlen;    /* the label holding the '*' */
		if (st) {
			for (ls = st; ls > host && ls[-1] != '.'; ls--)
				;
			for (le = st; le < host + hlen && *le != '.'; le++)
				;
		}
		fault(p, "E011", part_of(p, ls, (size_t)(le - ls)), "a wildcard is the whole leftmost "
		      "label: '*.' for one label, '**.' for one or more, e.g. https://*.example.com",
		      "misplaced wildcard in origin '%.*s'", SHOWN(p));
		return false;
	}
	if (out->wild != WILD_NONE && ((hn > 0 && h[0] == '[') || ends_in_number(h, hn))) {
		fault(p, "E011", p->host, "a wildcard stands for DNS labels, never for part of an IP "
		      "address: list the addresses", "wildcard in an IP address origin '%.*s'", SHOWN(p));
		return false;
	}

	/* lower case only, as a browser serializes it (strict: no silent fix) */
	const char *u1 = NULL, *u2 = NULL;     /* the first and last upper-case letter */
	bool scheme_upper = false;
	for (size_t i = 0; i < p->scheme.len; i++)
		if (is_upper((unsigned char)t[i])) {
			u1 = u1 ? u1 : t + i;
			u2 = t + i;
			scheme_upper = true;
		}
	for (size_t i = 0; i < hlen; i++)
		if (is_upper((unsigned char)host[i])) {
			u1 = u1 ? u1 : host + i;
			u2 = host + i;
		}
	if (u1) {
		char *low = arena_strndup(p->a, t, p->len);
		for (char *q = low; *q; q++)
			*q = (char)ascii_tolower((unsigned char)*q);
		snprintf(p->note, NOTE_SIZE, "write %s: browsers send the scheme and host in lower "
			 "case and corsc matches Origin byte for byte", low);
		fault(p, "E010", part_of(p, u1, (size_t)(u2 - u1) + 1), p->note,
		      "malformed origin '%.*s': upper case in the %s", SHOWN(p),
		      scheme_upper ? "scheme" : "host");
		return false;
	}
	return true;
}

/*
 * Step 7a: an IPv6 host, [address], as the WHATWG URL standard serializes
 * it (browsers send that form).  Writes the canonical host into canon.
 */
static bool check_ipv6(struct oparse *p, char *canon, size_t size)
{
	const char *host = p->text + p->host.off;
	size_t ilen = p->host.len - 2;
	struct part inner = { p->host.off + 1, ilen };
	char in[64], back[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	bool ok = ilen > 0 && ilen < sizeof(in);
	if (ok) {
		memcpy(in, host + 1, ilen);
		in[ilen] = '\0';
		ok = inet_pton(AF_INET6, in, &a6) == 1;
	}
	if (!ok) {
		/* the part at fault: a group of more than four hex digits or a non-hex one */
		struct part bad = ilen ? inner : p->host;
		for (size_t i = 0, start = 0; ilen && ilen < sizeof(in) && i <= ilen; i++) {
			if (i < ilen && host[1 + i] != ':')
				continue;
			size_t n = i - start;
			bool hex = n <= 4;
			for (size_t k = start; k < i && hex; k++)
				hex = strchr("0123456789abcdefABCDEF", host[1 + k]) != NULL;
			bool tail = i == ilen && memchr(host + 1 + start, '.', n);   /* a dotted IPv4 tail */
			if (!hex && !tail) {
				bad = (struct part){ inner.off + start, n };
				break;
			}
			start = i + 1;
		}
		fault(p, "E010", bad, "write a valid IPv6 address in brackets, e.g. [::1]",
		      "malformed origin '%.*s': bad IPv6 address", SHOWN(p));
		return false;
	}
	/*
	 * The WHATWG URL standard's serialization, which browsers send: RFC 5952
	 * compression, but always hex, never a dotted IPv4 tail (inet_ntop
	 * writes ::ffff:127.0.0.1; a browser [::ffff:7f00:1]).
	 */
	ipv6_serialize(&a6, back, sizeof(back));
	if (strcmp(in, back) != 0) {
		snprintf(p->note, NOTE_SIZE, "write %.*s://[%s]%.*s: browsers send the form of "
			 "the WHATWG URL standard (RFC 5952 compression, always hex)", (int)p->scheme.len,
			 p->text, back, (int)(p->auth.len - p->host.len), host + p->host.len);
		fault(p, "E010", inner, p->note,
		      "malformed origin '%.*s': IPv6 address not in canonical form", SHOWN(p));
		return false;
	}
	snprintf(canon, size, "[%s]", back);
	return true;
}

/*
 * Step 7b: a host ending in a number is an IPv4 address to a browser: four
 * decimal numbers 0-255 without leading zeros, the form it sends.
 */
static bool check_ipv4(struct oparse *p)
{
	const char *h = p->text + p->name.off;
	size_t hn = p->name.len, start = 0, parts = 0;
	struct part bad = p->name;
	bool ok = true;
	for (size_t i = 0; i <= hn && ok; i++) {
		if (i < hn && h[i] != '.')
			continue;
		size_t n = i - start;
		int v = 0;
		for (size_t k = start; k < i && k < start + 4; k++)
			v = is_digit((unsigned char)h[k]) ? v * 10 + (h[k] - '0') : 1000;
		if (n == 0 || n > 3 || v > 255 || (n > 1 && h[start] == '0')) {
			ok = false;
			bad = (struct part){ p->name.off + (n ? start : i < hn ? i : hn - 1), n ? n : 1 };
		}
		parts++;
		start = i + 1;
	}
	if (ok && parts == 4)
		return true;
	fault(p, "E010", bad, "a host ending in a number is an IPv4 address: write four decimal "
	      "numbers 0-255 without leading zeros, e.g. 127.0.0.1",
	      "malformed origin '%.*s': bad IPv4 address", SHOWN(p));
	return false;
}

/* RFC 3492's adapt(). */
static uint32_t puny_adapt(uint32_t delta, uint32_t npoints, bool first)
{
	uint32_t k = 0;
	delta = first ? delta / 700 : delta / 2;
	delta += delta / npoints;
	while (delta > 455) {    /* ((base - tmin) * tmax) / 2 */
		delta /= 35;
		k += 36;
	}
	return k + 36 * delta / (delta + 38);
}

/*
 * Whether s (a label without its "xn--") decodes as punycode (RFC 3492) to
 * code points a host may hold.  A browser's URL parser refuses a label that
 * does not: no page has such an origin.
 */
static bool punycode_decodes(const char *s, size_t len)
{
	size_t in = 0, out = 0;
	for (size_t j = len; j > 0; j--)
		if (s[j - 1] == '-') {
			out = j - 1;    /* the basic code points before the last '-' */
			in = j;
			break;
		}
	if (len == 0 || in == len)
		return false;       /* nothing encoded: an xn-- label must encode something */
	uint32_t n = 128, bias = 72, i = 0;
	while (in < len) {
		uint32_t oldi = i, w = 1;
		for (uint32_t k = 36;; k += 36) {
			if (in >= len)
				return false;
			int c = (unsigned char)s[in++];
			uint32_t digit = c >= 'a' && c <= 'z' ? (uint32_t)(c - 'a')
				       : c >= '0' && c <= '9' ? (uint32_t)(c - '0' + 26) : 36;
			if (digit >= 36 || digit > (UINT32_MAX - i) / w)
				return false;
			i += digit * w;
			uint32_t t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
			if (digit < t)
				break;
			if (w > UINT32_MAX / (36 - t))
				return false;
			w *= 36 - t;
		}
		out++;
		bias = puny_adapt(i - oldi, (uint32_t)out, oldi == 0);
		if (i / out > 0x10FFFF - n)
			return false;
		n += i / (uint32_t)out;
		i %= (uint32_t)out;
		if (n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF))
			return false;
		i++;
	}
	return true;
}

/*
 * Step 7c: a DNS name (after a wildcard prefix): labels of [a-z0-9_-], at
 * most 63 characters each and 253 in all, no trailing dot.
 */
static bool check_labels(struct oparse *p)
{
	const char *h = p->text + p->name.off;
	size_t n = p->name.len;
	if (n > MAX_HOST) {
		fault(p, "E010", p->name, "a host name has at most 253 characters",
		      "malformed origin '%.*s': the host is %zu characters long", SHOWN(p), n);
		return false;
	}
	if (h[n - 1] == '.') {
		fault(p, "E010", part_of(p, h + n - 1, 1), "remove the trailing dot: 'example.com.' is "
		      "another origin than 'example.com', which a browser sends only for a page loaded "
		      "from the dotted name (Chromium sends http://example.com.:3999 then); corsc takes "
		      "the usual name, without it",
		      "malformed origin '%.*s': trailing dot in the host", SHOWN(p));
		return false;
	}
	const unsigned char *cls = byte_classes();
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && h[i] != '.') {
			int c = (unsigned char)h[i];
			if (!(cls[c] & B_LABEL)) {
				fault(p, "E010", part_of(p, h + i, 1), "a host is made of labels of letters, "
				      "digits, '-' and '_', separated by dots",
				      "malformed origin '%.*s': bad host, '%c' is not allowed in a host name",
				      SHOWN(p), c);
				return false;
			}
			continue;
		}
		if (i == start) {
			fault(p, "E010", part_of(p, h + (i < n ? i : n - 1), 1),
			      "every label between dots needs at least one character",
			      "malformed origin '%.*s': bad host, empty label", SHOWN(p));
			return false;
		}
		if (i - start > MAX_LABEL) {
			fault(p, "E010", part_of(p, h + start, i - start), "a DNS label has at most 63 characters",
			      "malformed origin '%.*s': bad host, a label of %zu characters", SHOWN(p),
			      i - start);
			return false;
		}
		if (i - start >= 4 && memcmp(h + start, "xn--", 4) == 0 &&
		    !punycode_decodes(h + start + 4, i - start - 4)) {
			fault(p, "E010", part_of(p, h + start, i - start), "an xn-- label is the "
			      "punycode of a non-ASCII label; write the name as the browser shows it "
			      "in its address bar, or as corsc's note for the non-ASCII form gives it",
			      "malformed origin '%.*s': bad punycode label '%.*s'", SHOWN(p),
			      (int)(i - start), h + start);
			return false;
		}
		start = i + 1;
	}
	/* the shortest name a pattern matches ("x." and the host) is a DNS name too */
	if (p->out->wild != WILD_NONE && n + 2 > MAX_HOST) {
		fault(p, "E010", p->host, "a host name has at most 253 characters, and the wildcard's "
		      "label takes at least two more", "malformed origin '%.*s': no host this pattern "
		      "matches fits in 253 characters", SHOWN(p));
		return false;
	}
	return true;
}

/* Step 8: a pattern's wildcard must not stand over a public suffix (libpsl). */
static bool check_public_suffix(struct oparse *p, const char *name)
{
	if (p->out->wild == WILD_NONE || !is_public_suffix(name))
		return true;
	snprintf(p->note, NOTE_SIZE, "'%s' is a public suffix: anyone can register a name "
		 "under it; name your own domain, e.g. %.*s://%s.%s", name, (int)p->scheme.len, p->text,
		 p->out->wild == WILD_ONE ? "*.your-domain" : "**.your-domain", name);
	fault(p, "E012", p->host, p->note, "wildcard over the public suffix '%s' in origin '%.*s'",
	      name, SHOWN(p));
	return false;
}

/*
 * Step 9: the canonical text, scheme and host, in one arena block: the
 * scheme, the host written as given (or the IPv6 canonical form) and the
 * port, the default port dropped (W109, after step 8 on the host).
 */
static bool canonical(struct oparse *p, const char *host, size_t hn)
{
	struct origin *out = p->out;
	size_t sl = p->scheme.len;
	const char *wild = out->wild == WILD_ONE ? "*." : out->wild == WILD_MULTI ? "**." : "";
	size_t wl = strlen(wild);
	bool dflt = !out->port_any && out->port >= 0 &&
		    ((sl == 4 && memcmp(p->text, "http", 4) == 0 && out->port == 80) ||
		     (sl == 5 && memcmp(p->text, "https", 5) == 0 && out->port == 443));
	char portbuf[16] = "";
	size_t pl = 0;
	if (out->port_any) {
		memcpy(portbuf, ":*", 3);
		pl = 2;
	} else if (out->port >= 0 && !dflt) {
		portbuf[0] = ':';
		pl = 1 + (size_t)(p->port.len);
		memcpy(portbuf + 1, p->text + p->port.off, p->port.len);
	}
	/* "scheme://[wild]host[:port]\0scheme\0host\0" */
	size_t tl = sl + 3 + wl + hn + pl;
	char *b = arena_alloc(p->a, tl + 1 + sl + 1 + hn + 1);
	char *q = b;
	memcpy(q, p->text, sl);
	memcpy(q + sl, "://", 3);
	memcpy(q + sl + 3, wild, wl);
	memcpy(q + sl + 3 + wl, host, hn);
	memcpy(q + sl + 3 + wl + hn, portbuf, pl);
	q[tl] = '\0';
	out->text = b;
	out->scheme = memcpy(b + tl + 1, p->text, sl);
	b[tl + 1 + sl] = '\0';
	out->host = memcpy(b + tl + 1 + sl + 1, host, hn);
	b[tl + 1 + sl + 1 + hn] = '\0';
	out->kind = (out->wild != WILD_NONE || out->port_any) ? ORIGIN_PATTERN : ORIGIN_EXACT;
	if (!check_public_suffix(p, out->host))
		return false;
	if (dflt) {
		snprintf(p->note, NOTE_SIZE, "write %s: browsers never send the default port, "
			 "so corsc drops it", out->text);
		diag_emit(p->dq, "W109", part_span(p, (struct part){ p->port.off - 1, p->port.len + 1 }),
			  p->note, "default port %d in origin '%.*s'", out->port, SHOWN(p));
		out->port = -1;
		fixit_replace_value(p->dq, p->span, p->text, p->len, out->text);
	}
	return true;
}

bool origin_parse(struct arena *a, const char *text, size_t len, struct span span,
		  struct origin *out, struct diag_queue *dq)
{
	memset(out, 0, sizeof(*out));
	out->span = span;
	out->port = -1;
	if (len == 4 && memcmp(text, "null", 4) == 0) {
		out->kind = ORIGIN_NULL;
		out->text = "null";
		diag_emit(dq, "W104", span, "sandboxed iframes, file: pages and some redirects all "
			  "send Origin: null; allow it only if any of them may use the resource",
			  "the 'null' origin is allowed");
		return true;
	}
	if (len == 0) {
		diag_emit(dq, "E010", span, "write an origin as scheme://host[:port], "
			  "e.g. https://app.example.com", "malformed origin: empty string");
		return false;
	}
	char note[NOTE_SIZE];       /* not cleared: only a fault writes it, before using it */
	struct oparse p = { .a = a, .text = text, .len = len, .span = span, .dq = dq, .out = out,
			    .note = note };
	if (!scan_bytes(&p) || !check_scheme(&p) || !check_authority(&p) || !split_host_port(&p) ||
	    !check_port(&p) || !check_host_form(&p))
		return false;

	/* the host itself: IPv6, IPv4 or a DNS name */
	const char *name = text + p.name.off;
	size_t nn = p.name.len;
	char v6[INET6_ADDRSTRLEN + 2];
	if (name[0] == '[') {
		if (!check_ipv6(&p, v6, sizeof(v6)))
			return false;
		name = v6;
		nn = strlen(v6);
	} else if (ends_in_number(name, nn)) {
		if (!check_ipv4(&p))
			return false;
	} else if (!check_labels(&p)) {
		return false;
	}
	return canonical(&p, name, nn);
}

/* ---- matching ---- */

/* Is s[0..n) one label: 1 to 63 of [a-z0-9_-]? */
static bool is_label(const char *s, size_t n)
{
	if (n == 0 || n > MAX_LABEL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_label_char((unsigned char)s[i]))
			return false;
	return true;
}

/* Is s[0..n) one or more labels separated by single dots? */
static bool is_labels(const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++)
		if (i == n || s[i] == '.') {
			if (!is_label(s + start, i - start))
				return false;
			start = i + 1;
		}
	return true;
}

bool origin_match(const struct origin *o, const char *req, size_t len)
{
	if (!o || !req)
		return false;
	if (o->kind == ORIGIN_NULL)
		return len == 4 && memcmp(req, "null", 4) == 0;
	if (o->kind == ORIGIN_EXACT)
		return strlen(o->text) == len && memcmp(req, o->text, len) == 0;

	size_t sl = strlen(o->scheme);
	if (len < sl + 3 || memcmp(req, o->scheme, sl) != 0 || memcmp(req + sl, "://", 3) != 0)
		return false;
	const char *h = req + sl + 3;
	size_t hn = len - sl - 3;

	/* The port, from the end: ':' and digits. */
	size_t d = 0;
	while (d < hn && is_digit((unsigned char)h[hn - 1 - d]))
		d++;
	bool has_port = d > 0 && d < hn && h[hn - 1 - d] == ':';
	if (o->port_any) {
		if (has_port) {
			/* a port a browser sends: 1-65535, no leading zero */
			long v = 0;
			for (size_t i = hn - d; i < hn && d <= 5; i++)
				v = v * 10 + (h[i] - '0');
			if (d > 5 || h[hn - d] == '0' || v > 65535)
				return false;
			hn -= d + 1;
		}
	} else if (o->port >= 0) {
		char want[16];
		int wl = snprintf(want, sizeof(want), ":%d", o->port);
		if (!has_port || d + 1 != (size_t)wl || memcmp(h + hn - wl, want, (size_t)wl) != 0)
			return false;
		hn -= (size_t)wl;
	}

	size_t ol = strlen(o->host);
	if (o->wild == WILD_NONE)
		return hn == ol && memcmp(h, o->host, ol) == 0;
	/* prefix "." host, a DNS name: 253 characters at most (labels: is_label) */
	if (hn > MAX_HOST || hn < ol + 2 || memcmp(h + hn - ol, o->host, ol) != 0 || h[hn - ol - 1] != '.')
		return false;
	size_t pn = hn - ol - 1;
	return o->wild == WILD_ONE ? is_label(h, pn) : is_labels(h, pn);
}
