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

/* The span of the part p[0..n) of the origin text: the part at fault. */
#define PART(p, n) fixit_sub_span(span, text, len, (p), (n))

/*
 * Check the labels of a DNS host (no wildcard prefix), lower case already
 * assured.  Queues E010 and returns false on the first bad label.
 */
static bool check_labels(const char *text, size_t len, const char *h, size_t n,
			 struct span span, struct diag_queue *dq)
{
	if (n > MAX_HOST) {
		diag_emit(dq, "E010", PART(h, n), "a host name has at most 253 characters",
			  "malformed origin '%.*s': the host is %zu characters long",
			  shown(len), text, n);
		return false;
	}
	if (h[n - 1] == '.') {
		diag_emit(dq, "E010", PART(h + n - 1, 1), "remove the trailing dot: 'example.com.' is another origin than "
			  "'example.com', which a browser sends only for a page loaded from the dotted "
			  "name (Chromium sends http://example.com.:3999 then); corsc takes the usual "
			  "name, without it",
			  "malformed origin '%.*s': trailing dot in the host", shown(len), text);
		return false;
	}
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && h[i] != '.') {
			int c = (unsigned char)h[i];
			if (!is_label_char(c)) {
				diag_emit(dq, "E010", PART(h + i, 1),
					  "a host is made of labels of letters, digits, '-' and '_', "
					  "separated by dots",
					  "malformed origin '%.*s': bad host, '%c' is not allowed in a host name",
					  shown(len), text, c);
				return false;
			}
			continue;
		}
		if (i == start) {
			diag_emit(dq, "E010", PART(h + (i < n ? i : n - 1), 1), "every label between dots needs at least one character",
				  "malformed origin '%.*s': bad host, empty label", shown(len), text);
			return false;
		}
		if (i - start > MAX_LABEL) {
			diag_emit(dq, "E010", PART(h + start, i - start), "a DNS label has at most 63 characters",
				  "malformed origin '%.*s': bad host, a label of %zu characters",
				  shown(len), text, i - start);
			return false;
		}
		start = i + 1;
	}
	return true;
}

bool origin_parse(struct arena *a, const char *text, size_t len, struct span span,
		  struct origin *out, struct diag_queue *dq)
{
	char note[512];
	memset(out, 0, sizeof(*out));
	out->span = span;
	out->port = -1;

	if (len == 4 && memcmp(text, "null", 4) == 0) {
		out->kind = ORIGIN_NULL;
		out->text = arena_strdup(a, "null");
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
	/* Bytes that no origin holds, whatever else is wrong. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			diag_emit(dq, "E010", span, "remove the whitespace: an origin has none",
				  "malformed origin '%.*s': whitespace at character %zu",
				  shown(len), text, i + 1);
			return false;
		}
		if (c < 0x20 || c == 0x7f) {
			diag_emit(dq, "E010", span, "remove the control character",
				  "malformed origin: control character 0x%02x at character %zu",
				  c, i + 1);
			return false;
		}
	}

	const char *sep = NULL;
	for (size_t i = 0; i + 3 <= len; i++)
		if (memcmp(text + i, "://", 3) == 0) {
			sep = text + i;
			break;
		}
	if (!sep) {
		if (text[0] == '*') {
			diag_emit(dq, "E011", span, "a pattern needs a scheme too: write "
				  "https://*.example.com",
				  "origin pattern '%.*s' has no scheme", shown(len), text);
			return false;
		}
		if (len == 4 && ascii_strncasecmp(text, "null", 4) == 0) {
			diag_emit(dq, "E010", span, "the opaque origin is written null, in lower case",
				  "malformed origin '%.*s'", shown(len), text);
			return false;
		}
		diag_emit(dq, "E010", span, "write an origin as scheme://host[:port], "
			  "e.g. https://app.example.com",
			  "malformed origin '%.*s': missing scheme and '://'", shown(len), text);
		return false;
	}

	/* Scheme: a letter, then letters, digits, '+', '-', '.' (RFC 3986). */
	const char *scheme = text;
	size_t slen = (size_t)(sep - text);
	bool scheme_upper = false;
	if (slen == 0 || !(is_lower((unsigned char)scheme[0]) || is_upper((unsigned char)scheme[0]))) {
		diag_emit(dq, "E010", span, "the scheme starts with a letter: write https://... "
			  "or http://...", "malformed origin '%.*s': bad or missing scheme",
			  shown(len), text);
		return false;
	}
	for (size_t i = 0; i < slen; i++) {
		int c = (unsigned char)scheme[i];
		if (is_upper(c)) {
			scheme_upper = true;
		} else if (!is_lower(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') {
			diag_emit(dq, "E010", span, "a scheme is letters, digits, '+', '-' and '.'",
				  "malformed origin '%.*s': bad scheme", shown(len), text);
			return false;
		}
	}
	if (slen == 4 && ascii_strncasecmp(scheme, "file", 4) == 0) {
		diag_emit(dq, "E010", PART(scheme, slen), "a page loaded from file: sends Origin: "
			  "null, never a file:// origin; allow \"null\" if such pages may use the "
			  "resource (W104 says what else sends it)",
			  "malformed origin '%.*s': browsers never send a file: origin",
			  shown(len), text);
		return false;
	}

	/* Authority: up to the first '/', '?' or '#'. */
	const char *auth = sep + 3;
	const char *end = text + len;
	const char *ae = auth;
	while (ae < end && *ae != '/' && *ae != '?' && *ae != '#')
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
		diag_emit(dq, "E010", PART(ae, (size_t)(end - ae)), fix, "malformed origin '%.*s': %s",
			  shown(len), text, what);
		if (ae + 1 == end && *ae == '/') {
			char *cut = xstrndup(text, len - 1);
			fixit_replace_value(dq, span, text, len, cut);
			free(cut);
		}
		return false;
	}
	size_t alen = (size_t)(ae - auth);
	if (memchr(auth, '@', alen)) {
		const char *at = memchr(auth, '@', alen);
		diag_emit(dq, "E010", PART(auth, (size_t)(at - auth) + 1),
			  "remove the 'user@' part: browsers never send user info "
			  "in Origin", "malformed origin '%.*s': user info", shown(len), text);
		return false;
	}
	if (alen == 0) {
		diag_emit(dq, "E010", span, "write the host after '://'",
			  "malformed origin '%.*s': empty host", shown(len), text);
		return false;
	}

	/* Split host and port. */
	const char *host = auth, *port = NULL;
	size_t hlen = alen, plen = 0;
	bool bracket = auth[0] == '[';
	if (bracket) {
		const char *rb = memchr(auth, ']', alen);
		if (!rb) {
			diag_emit(dq, "E010", span, "an IPv6 address is written in brackets: "
				  "https://[2001:db8::1]",
				  "malformed origin '%.*s': bad host, missing ']'", shown(len), text);
			return false;
		}
		hlen = (size_t)(rb - auth) + 1;
		if (hlen < alen) {
			if (rb[1] != ':') {
				diag_emit(dq, "E010", span, "after ']' comes ':' and the port, or nothing",
					  "malformed origin '%.*s': bad host", shown(len), text);
				return false;
			}
			port = rb + 2;
			plen = alen - hlen - 1;
		}
	} else {
		if (memchr(auth, '[', alen) || memchr(auth, ']', alen)) {
			if (auth[0] == '*') {
				diag_emit(dq, "E011", span, "a wildcard stands for DNS labels, never for "
					  "part of an IP address: list the addresses",
					  "wildcard in an IP address origin '%.*s'", shown(len), text);
				return false;
			}
			diag_emit(dq, "E010", span, "an IPv6 address is written in brackets, "
				  "as the whole host: https://[2001:db8::1]",
				  "malformed origin '%.*s': bad host", shown(len), text);
			return false;
		}
		const char *colon = NULL;
		for (const char *q = auth; q < ae; q++)
			if (*q == ':') {
				if (colon) {
					diag_emit(dq, "E010", span, "an IPv6 address is written in "
						  "brackets: https://[2001:db8::1]",
						  "malformed origin '%.*s': bad host, more than one ':'",
						  shown(len), text);
					return false;
				}
				colon = q;
			}
		if (colon) {
			hlen = (size_t)(colon - auth);
			port = colon + 1;
			plen = (size_t)(ae - port);
		}
	}

	/* Port. */
	if (port) {
		if (plen == 1 && port[0] == '*') {
			out->port_any = true;
		} else if (plen == 0) {
			diag_emit(dq, "E010", PART(port - 1, 1), "remove the ':' or write a port after it",
				  "malformed origin '%.*s': bad port, empty", shown(len), text);
			return false;
		} else if (!all_digits(port, plen)) {
			diag_emit(dq, "E010", PART(port, plen), "a port is a number from 1 to 65535, or '*' for any port",
				  "malformed origin '%.*s': bad port '%.*s'", shown(len), text,
				  shown(plen), port);
			return false;
		} else if (port[0] == '0') {
			diag_emit(dq, "E010", PART(port, plen), plen == 1 ? "port 0 cannot be used; a port is a "
				  "number from 1 to 65535" : "write the port without leading zeros, "
				  "as a browser sends it",
				  "malformed origin '%.*s': bad port '%.*s'", shown(len), text,
				  shown(plen), port);
			return false;
		} else if (plen > 5 || atoi(port) > 65535) {
			diag_emit(dq, "E010", PART(port, plen), "a port is a number from 1 to 65535",
				  "malformed origin '%.*s': bad port '%.*s', out of range",
				  shown(len), text, shown(plen), port);
			return false;
		} else {
			out->port = atoi(port);
		}
	}
	if (hlen == 0) {
		diag_emit(dq, "E010", span, "write the host after '://'",
			  "malformed origin '%.*s': empty host", shown(len), text);
		return false;
	}

	/* Non-ASCII host: name the punycode form. */
	for (size_t i = 0; i < hlen; i++)
		if ((unsigned char)host[i] >= 0x80) {
			char rest[16] = "";
			if (out->port_any)
				snprintf(rest, sizeof(rest), ":*");
			else if (out->port >= 0)
				snprintf(rest, sizeof(rest), ":%d", out->port);
			char fixed[MAX_HOST + 64];
			punycode_note(note, sizeof(note), scheme, slen, host, hlen, rest,
				      fixed, sizeof(fixed));
			diag_emit(dq, "E010", PART(host, hlen), note,
				  "malformed origin '%.*s': non-ASCII host", shown(len), text);
			if (fixed[0])
				fixit_replace_value(dq, span, text, len, fixed);
			return false;
		}

	/* Wildcard prefix. */
	const char *h = host;
	size_t hn = hlen;
	if (hn >= 3 && memcmp(h, "**.", 3) == 0) {
		out->wild = WILD_MULTI;
		h += 3;
		hn -= 3;
	} else if (hn >= 2 && memcmp(h, "*.", 2) == 0) {
		out->wild = WILD_ONE;
		h += 2;
		hn -= 2;
	}
	if (memchr(h, '*', hn) || (out->wild != WILD_NONE && hn == 0)) {
		const char *st = memchr(h, '*', hn), *ls = host, *le = host + hlen;
		if (st) {
			for (ls = st; ls > host && ls[-1] != '.'; ls--)
				;
			for (le = st; le < host + hlen && *le != '.'; le++)
				;
		}
		diag_emit(dq, "E011", PART(ls, (size_t)(le - ls)), "a wildcard is the whole leftmost label: '*.' for one "
			  "label, '**.' for one or more, e.g. https://*.example.com",
			  "misplaced wildcard in origin '%.*s'", shown(len), text);
		return false;
	}
	if (out->wild != WILD_NONE && (bracket || (hn > 0 && h[0] == '[') || ends_in_number(h, hn))) {
		diag_emit(dq, "E011", span, "a wildcard stands for DNS labels, never for part of "
			  "an IP address: list the addresses",
			  "wildcard in an IP address origin '%.*s'", shown(len), text);
		return false;
	}

	/* Lower case only, as a browser serializes it (strict: no silent fix). */
	bool host_upper = false;
	for (size_t i = 0; i < hlen; i++)
		if (is_upper((unsigned char)host[i]))
			host_upper = true;
	if (scheme_upper || host_upper) {
		const char *u1 = NULL, *u2 = NULL;     /* the first and last upper-case letter */
		for (const char *q = text; q < host + hlen; q++)
			if (is_upper((unsigned char)*q) && (q < scheme + slen || q >= host)) {
				if (!u1)
					u1 = q;
				u2 = q;
			}
		struct span uspan = u1 ? PART(u1, (size_t)(u2 - u1) + 1) : span;
		char *low = arena_strndup(a, text, len);
		for (char *p = low; *p; p++)
			*p = (char)ascii_tolower((unsigned char)*p);
		snprintf(note, sizeof(note), "write %s: browsers send the scheme and host in lower "
			 "case and corsc matches Origin byte for byte", low);
		diag_emit(dq, "E010", uspan, note, "malformed origin '%.*s': upper case in the %s",
			  shown(len), text, scheme_upper ? "scheme" : "host");
		return false;
	}

	/* The host itself: IPv6, IPv4 or DNS name. */
	const char *canon_host;
	if (bracket) {
		char inner[64], back[INET6_ADDRSTRLEN];
		struct in6_addr a6;
		size_t ilen = hlen - 2;
		if (ilen == 0 || ilen >= sizeof(inner)) {
			diag_emit(dq, "E010", span, "write a valid IPv6 address in brackets, e.g. [::1]",
				  "malformed origin '%.*s': bad IPv6 address", shown(len), text);
			return false;
		}
		memcpy(inner, host + 1, ilen);
		inner[ilen] = '\0';
		if (inet_pton(AF_INET6, inner, &a6) != 1) {
			diag_emit(dq, "E010", span, "write a valid IPv6 address in brackets, e.g. [::1]",
				  "malformed origin '%.*s': bad IPv6 address", shown(len), text);
			return false;
		}
		/*
		 * The WHATWG URL standard's serialization, which browsers send:
		 * RFC 5952 compression, but always hex, never a dotted IPv4 tail
		 * (inet_ntop writes ::ffff:127.0.0.1; a browser [::ffff:7f00:1]).
		 */
		ipv6_serialize(&a6, back, sizeof(back));
		if (strcmp(inner, back) != 0) {
			snprintf(note, sizeof(note), "write %.*s://[%s]%.*s: browsers send the "
				 "form of the WHATWG URL standard (RFC 5952 compression, always hex)", (int)slen, scheme, back,
				 (int)(alen - hlen), host + hlen);
			diag_emit(dq, "E010", span, note,
				  "malformed origin '%.*s': IPv6 address not in canonical form",
				  shown(len), text);
			return false;
		}
		canon_host = arena_printf(a, "[%s]", back);
	} else if (out->wild == WILD_NONE && ends_in_number(h, hn)) {
		char ip[MAX_HOST + 1], back[INET_ADDRSTRLEN];
		struct in_addr a4;
		bool ok = hn < sizeof(ip);
		if (ok) {
			memcpy(ip, h, hn);
			ip[hn] = '\0';
			ok = inet_pton(AF_INET, ip, &a4) == 1 &&
			     inet_ntop(AF_INET, &a4, back, sizeof(back)) && strcmp(ip, back) == 0;
		}
		if (!ok) {
			diag_emit(dq, "E010", span, "a host ending in a number is an IPv4 address: "
				  "write four decimal numbers 0-255 without leading zeros, e.g. 127.0.0.1",
				  "malformed origin '%.*s': bad IPv4 address", shown(len), text);
			return false;
		}
		canon_host = arena_strndup(a, h, hn);
	} else {
		if (!check_labels(text, len, h, hn, span, dq))
			return false;
		/* the shortest name a pattern matches ("x." and the host) is a DNS name too */
		if (out->wild != WILD_NONE && hn + 2 > MAX_HOST) {
			diag_emit(dq, "E010", PART(host, hlen), "a host name has at most 253 characters, "
				  "and the wildcard's label takes at least two more",
				  "malformed origin '%.*s': no host this pattern matches fits in 253 "
				  "characters", shown(len), text);
			return false;
		}
		canon_host = arena_strndup(a, h, hn);
		if (out->wild != WILD_NONE && is_public_suffix(canon_host)) {
			snprintf(note, sizeof(note), "'%s' is a public suffix: anyone can register a "
				 "name under it; name your own domain, e.g. %.*s://%s.%s",
				 canon_host, (int)slen, scheme,
				 out->wild == WILD_ONE ? "*.your-domain" : "**.your-domain", canon_host);
			diag_emit(dq, "E012", PART(host, hlen), note,
				  "wildcard over the public suffix '%s' in origin '%.*s'",
				  canon_host, shown(len), text);
			return false;
		}
	}

	out->scheme = arena_strndup(a, scheme, slen);
	out->host = canon_host;
	out->kind = (out->wild != WILD_NONE || out->port_any) ? ORIGIN_PATTERN : ORIGIN_EXACT;
	char portbuf[16] = "";
	bool dflt_port = false;
	if (out->port_any)
		snprintf(portbuf, sizeof(portbuf), ":*");
	else if (out->port >= 0) {
		bool dflt = (strcmp(out->scheme, "http") == 0 && out->port == 80) ||
			    (strcmp(out->scheme, "https") == 0 && out->port == 443);
		if (dflt) {
			snprintf(note, sizeof(note), "write %s://%s%s: browsers never send the default "
				 "port, so corsc drops it", out->scheme,
				 out->wild == WILD_ONE ? "*." : out->wild == WILD_MULTI ? "**." : "",
				 out->host);
			diag_emit(dq, "W109", PART(port - 1, plen + 1), note, "default port %d in origin '%.*s'",
				  out->port, shown(len), text);
			out->port = -1;
			dflt_port = true;
		} else {
			snprintf(portbuf, sizeof(portbuf), ":%d", out->port);
		}
	}
	out->text = arena_printf(a, "%s://%s%s%s", out->scheme,
				 out->wild == WILD_ONE ? "*." : out->wild == WILD_MULTI ? "**." : "",
				 out->host, portbuf);
	if (dflt_port)
		fixit_replace_value(dq, span, text, len, out->text);
	return true;
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
	/* prefix "." host */
	if (hn < ol + 2 || memcmp(h + hn - ol, o->host, ol) != 0 || h[hn - ol - 1] != '.')
		return false;
	size_t pn = hn - ol - 1;
	return o->wild == WILD_ONE ? is_label(h, pn) : is_labels(h, pn);
}
