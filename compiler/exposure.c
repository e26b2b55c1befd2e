/*
 * exposure.c - the script's view of a CORS response: which response headers
 * `fetch()` lets a script read (Fetch standard, main fetch step "CORS-exposed
 * header-name list" and the CORS filtered response).
 */
#include <string.h>

#include "exposure.h"
#include "util.h"

static bool eq_ci(const char *a, size_t alen, const char *b)
{
	return strlen(b) == alen && ascii_strncasecmp(a, b, alen) == 0;
}

bool exposure_safelisted(const char *name, size_t len)
{
	static const char *const names[] = {
		"Cache-Control", "Content-Language", "Content-Length", "Content-Type",
		"Expires", "Last-Modified", "Pragma",
	};
	for (size_t k = 0; k < ARRAY_SIZE(names); k++)
		if (eq_ci(name, len, names[k]))
			return true;
	return false;
}

bool exposure_forbidden(const char *name, size_t len)
{
	return eq_ci(name, len, "Set-Cookie") || eq_ci(name, len, "Set-Cookie2");
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Walk the #field-name list of Access-Control-Expose-Headers.  Returns false
 * when an element is not a token (the whole list then fails to parse and
 * exposes nothing); *listed and *star tell whether name and "*" occur.
 */
static bool scan_list(const char *list, const char *name, size_t len, bool *listed, bool *star)
{
	*listed = *star = false;
	const char *p = list;
	for (;;) {
		while (is_ows(*p))
			p++;
		const char *b = p;
		while (*p && *p != ',' && !is_ows(*p))
			p++;
		size_t n = (size_t)(p - b);
		while (is_ows(*p))
			p++;
		if (*p && *p != ',')
			return false;          /* whitespace inside an element */
		for (size_t i = 0; i < n; i++)
			if (!is_tchar((unsigned char)b[i]))
				return false;
		if (n == 1 && b[0] == '*')
			*star = true;
		if (n && n == len && ascii_strncasecmp(b, name, n) == 0)
			*listed = true;
		if (!*p)
			return true;
		p++;                           /* the comma; empty elements are allowed */
	}
}

enum exposure exposure_of(const char *name, const char *expose, bool credentialed)
{
	size_t len = strlen(name);
	if (exposure_forbidden(name, len))
		return HIDDEN_FORBIDDEN;
	if (exposure_safelisted(name, len))
		return EXPOSE_SAFELISTED;
	if (!expose)
		return HIDDEN_NOT_EXPOSED;
	bool listed, star;
	if (!scan_list(expose, name, len, &listed, &star))
		return HIDDEN_BAD_LIST;
	if (listed)
		return EXPOSE_LISTED;
	if (star)
		return credentialed ? HIDDEN_WILDCARD_LITERAL : EXPOSE_WILDCARD;
	return HIDDEN_NOT_EXPOSED;
}

bool exposure_readable(enum exposure e)
{
	return e == EXPOSE_SAFELISTED || e == EXPOSE_LISTED || e == EXPOSE_WILDCARD;
}

const char *exposure_reason(enum exposure e)
{
	switch (e) {
	case EXPOSE_SAFELISTED:
		return "a CORS-safelisted response header: always readable";
	case EXPOSE_LISTED:
		return "named in Access-Control-Expose-Headers";
	case EXPOSE_WILDCARD:
		return "Access-Control-Expose-Headers is '*' and the request has no credentials";
	case HIDDEN_NOT_EXPOSED:
		return "neither CORS-safelisted nor named in Access-Control-Expose-Headers";
	case HIDDEN_WILDCARD_LITERAL:
		return "only '*' would expose it, and with credentials '*' is a literal header name";
	case HIDDEN_FORBIDDEN:
		return "Set-Cookie and Set-Cookie2 are never exposed to scripts";
	case HIDDEN_BAD_LIST:
		return "Access-Control-Expose-Headers is not a list of header names: it exposes nothing";
	}
	return "?";
}
