/*
 * exposure.c - the script's view of a CORS response: which response headers
 * `fetch()` lets a script read (Fetch standard, main fetch step "CORS-exposed
 * header-name list" and the CORS filtered response).
 */
#include <string.h>

#include "diag.h"
#include "eval.h"
#include "exposure.h"
#include "strbuf.h"
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

const char *exposure_code(enum exposure e)
{
	switch (e) {
	case EXPOSE_SAFELISTED: return "safelisted";
	case EXPOSE_LISTED: return "exposed";
	case EXPOSE_WILDCARD: return "wildcard";
	case HIDDEN_NOT_EXPOSED: return "not-exposed";
	case HIDDEN_WILDCARD_LITERAL: return "wildcard-literal";
	case HIDDEN_FORBIDDEN: return "forbidden";
	case HIDDEN_BAD_LIST: return "bad-list";
	}
	return "?";
}

/* Fetch standard, "CORS check". */
bool exposure_cors_check(const char *acao, const char *acac, const char *origin,
			 bool credentialed, const char **why)
{
	*why = NULL;
	if (!acao) {
		*why = "no Access-Control-Allow-Origin: the origin is not allowed";
		return false;
	}
	if (!credentialed && strcmp(acao, "*") == 0)
		return true;
	if (!origin || strcmp(acao, origin) != 0) {
		*why = strcmp(acao, "*") == 0
		       ? "Access-Control-Allow-Origin is '*', which a request with credentials never accepts"
		       : "Access-Control-Allow-Origin names another origin";
		return false;
	}
	if (!credentialed)
		return true;
	if (acac && strcmp(acac, "true") == 0)
		return true;
	*why = "a request with credentials needs Access-Control-Allow-Credentials: true";
	return false;
}

/* ---- the script's view of an eval response (corsc eval --response-header) ---- */

static const char *response_value(const struct eval_response *res, const char *name)
{
	for (size_t i = 0; i < res->nh; i++)
		if (ascii_strcasecmp(res->h[i].name, name) == 0)
			return res->h[i].value;
	return NULL;
}

struct view_result {
	bool passes;              /* fetch() gets the response */
	const char *why;          /* when not */
	bool other_passes;        /* the same request with the other credentials mode */
	const char *other_why;
	const char *expose;
};

static void view_compute(const struct eval_response *res, const struct exposure_view *v,
			 struct view_result *r)
{
	const char *acao = response_value(res, "Access-Control-Allow-Origin");
	const char *acac = response_value(res, "Access-Control-Allow-Credentials");
	r->expose = response_value(res, "Access-Control-Expose-Headers");
	r->passes = exposure_cors_check(acao, acac, v->origin, v->credentialed, &r->why);
	r->other_passes = exposure_cors_check(acao, acac, v->origin, !v->credentialed,
					      &r->other_why);
}

static size_t longest_name(const struct exposure_view *v)
{
	size_t w = 0;
	for (size_t i = 0; i < v->nnames; i++)
		if (strlen(v->names[i]) > w)
			w = strlen(v->names[i]);
	return w;
}

static void text_list(const struct exposure_view *v, const char *expose, bool readable,
		      struct strbuf *out)
{
	int w = (int)longest_name(v);
	for (size_t i = 0; i < v->nnames; i++) {
		enum exposure e = exposure_of(v->names[i], expose, v->credentialed);
		if (exposure_readable(e) == readable)
			sb_printf(out, "    %-*s  %s\n", w, v->names[i], exposure_reason(e));
	}
}

static size_t count_readable(const struct exposure_view *v, const char *expose, bool readable)
{
	size_t n = 0;
	for (size_t i = 0; i < v->nnames; i++)
		n += exposure_readable(exposure_of(v->names[i], expose, v->credentialed)) == readable;
	return n;
}

void exposure_format_text(const struct eval_response *res, const struct exposure_view *v,
			  struct strbuf *out)
{
	sb_putc(out, '\n');
	if (!v->origin) {
		sb_puts(out, "No Origin: not a cross-origin fetch(), so no script's view.\n");
		return;
	}
	struct view_result r;
	view_compute(res, v, &r);
	const char *mode = v->credentialed ? "with credentials" : "without credentials";
	if (!r.passes) {
		sb_printf(out, "A script on %s (fetch %s) gets no response: fetch() rejects with a "
			  "TypeError (%s).\nIt can read none of the response headers.\n",
			  v->origin, mode, r.why);
		return;
	}
	size_t nr = count_readable(v, r.expose, true), nh = v->nnames - nr;
	sb_printf(out, "A script on %s (fetch %s) can read %s:\n", v->origin, mode,
		  nr ? "these response headers" : "none of them");
	text_list(v, r.expose, true, out);
	if (nh) {
		sb_puts(out, "and cannot read:\n");
		text_list(v, r.expose, false, out);
	}
	if (!r.other_passes)
		sb_printf(out, "(The same fetch %s would reject: %s.)\n",
			  v->credentialed ? "without credentials" : "with credentials", r.other_why);
}

void exposure_format_json(const struct eval_response *res, const struct exposure_view *v,
			  struct strbuf *out)
{
	/* reopen the object eval_format_json closed */
	if (out->len >= 2 && memcmp(out->buf + out->len - 2, "}\n", 2) == 0) {
		out->len -= 2;
		out->buf[out->len] = '\0';
	} else {
		sb_putc(out, '{');
	}
	if (out->len && out->buf[out->len - 1] != '{')
		sb_putc(out, ',');
	sb_puts(out, "\"script\":");
	if (!v->origin) {
		sb_puts(out, "null}\n");
		return;
	}
	struct view_result r;
	view_compute(res, v, &r);
	sb_puts(out, "{\"origin\":");
	json_quote(out, v->origin, strlen(v->origin));
	sb_printf(out, ",\"credentials\":%s,\"response\":%s", v->credentialed ? "true" : "false",
		  r.passes ? "true" : "false");
	if (!r.passes) {
		sb_puts(out, ",\"why\":");
		json_quote(out, r.why, strlen(r.why));
	}
	/* the same request in the other credentials mode */
	sb_printf(out, ",\"other_credentials\":{\"response\":%s", r.other_passes ? "true" : "false");
	if (!r.other_passes) {
		sb_puts(out, ",\"why\":");
		json_quote(out, r.other_why, strlen(r.other_why));
	}
	sb_puts(out, "},\"headers\":[");
	for (size_t i = 0; i < v->nnames; i++) {
		enum exposure e = exposure_of(v->names[i], r.expose, v->credentialed);
		bool readable = r.passes && exposure_readable(e);
		const char *code = r.passes ? exposure_code(e) : "no-response";
		const char *why = r.passes ? exposure_reason(e) : r.why;
		sb_puts(out, i ? ",{\"name\":" : "{\"name\":");
		json_quote(out, v->names[i], strlen(v->names[i]));
		sb_printf(out, ",\"readable\":%s,\"why\":\"%s\",\"reason\":",
			  readable ? "true" : "false", code);
		json_quote(out, why, strlen(why));
		sb_putc(out, '}');
	}
	sb_puts(out, "]}}\n");
}
