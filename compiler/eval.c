/*
 * eval.c - the reference semantics of SPEC section 6 and the README's
 * decisions: the headers a server running corsc's output sends for one
 * request, by applying the policy's response plan (response.c) to it.  A
 * pure function; the end-to-end tests compare real servers with it.
 */
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "origin.h"
#include "response.h"
#include "util.h"

/* The policy's headers in cors_response_headers order, then Vary. */
#define H_VARY CORS_NHEADERS

_Static_assert(H_VARY + 1 <= EVAL_MAX_HEADERS, "EVAL_MAX_HEADERS too small");

static bool nonempty(const char *s)
{
	return s && *s;
}

/* SPEC section 6: the response plan of p (response.c) applied to req. */
void eval_policy(const struct policy *p, const struct eval_request *req,
		 struct eval_response *res)
{
	memset(res, 0, sizeof(*res));
	const char *origin = nonempty(req->origin) ? req->origin : NULL;
	/*
	 * A preflight needs Origin and Access-Control-Request-Method; an empty
	 * one counts as absent (README), and then the application answers.
	 * A NULL method stands for the default, GET.
	 */
	bool preflight = req->preflight && origin && (!req->method || *req->method);
	struct response_plan plan;
	response_plan_make(p, &plan);
	res->allowed = plan.any || (origin && policy_allows_origin(p, origin, strlen(origin)));
	res->status = preflight ? plan.preflight_status : 0;

	for (size_t i = 0; i < plan.n; i++) {
		const struct plan_row *r = &plan.rows[i];
		if (!plan_row_applies(r, preflight, res->allowed, req->private_network))
			continue;
		res->h[res->nh].name = r->name;
		res->h[res->nh].value = xstrdup(r->kind == PLAN_ECHO_ORIGIN ? origin : r->value);
		res->nh++;
	}
	if (plan.vary_origin) {
		res->h[res->nh].name = "Vary";
		res->h[res->nh].value = xstrdup("Origin");
		res->nh++;
	}
	response_plan_release(&plan);
}

void eval_response_free(struct eval_response *res)
{
	for (size_t i = 0; i < res->nh; i++) {
		free(res->h[i].value);
		res->h[i].value = NULL;
	}
	res->nh = 0;
}

void eval_format_text(const struct eval_response *res, struct strbuf *out)
{
	if (res->status == 204)
		sb_puts(out, "HTTP/1.1 204 No Content\n");
	else if (res->status == 0)
		sb_puts(out, "(the application's response, status unchanged)\n");
	else
		sb_printf(out, "HTTP/1.1 %d\n", res->status);
	for (size_t i = 0; i < res->nh; i++)
		sb_printf(out, "%s: %s\n", res->h[i].name, res->h[i].value);
}

void eval_format_json(const struct eval_response *res, struct strbuf *out)
{
	sb_puts(out, res->status == 204 ? "{\"preflight\":true" : "{\"preflight\":false");
	if (res->status)
		sb_printf(out, ",\"status\":%d", res->status);
	else
		sb_puts(out, ",\"status\":null");
	sb_puts(out, res->allowed ? ",\"allowed\":true" : ",\"allowed\":false");
	sb_puts(out, ",\"headers\":[");
	for (size_t i = 0; i < res->nh; i++) {
		sb_puts(out, i ? ",[" : "[");
		json_quote(out, res->h[i].name, strlen(res->h[i].name));
		sb_putc(out, ',');
		json_quote(out, res->h[i].value, strlen(res->h[i].value));
		sb_putc(out, ']');
	}
	sb_puts(out, "]}\n");
}

const char *eval_origin_malformed(const char *s)
{
	if (!*s)
		return "it is empty (for a request without Origin, use --no-origin)";
	if (strcmp(s, "null") == 0)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == ',')
			return "it holds a comma: one origin only (a request with two is "
			       "refused wherever the server can see it)";
		if (*p <= ' ' || *p >= 0x7f)
			return "it holds white space or a byte outside printable ASCII";
	}
	const char *host = strstr(s, "://");
	if (!host)
		return "no scheme: an origin is scheme://host[:port], as a browser sends it "
		       "(e.g. https://app.example.com)";
	for (const char *p = s; p < host; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (p > s && ((*p >= '0' && *p <= '9') || strchr("+-.", *p)))))
			return "bad scheme";
	host += 3;
	if (strpbrk(host, "/?#"))
		return "a path, query or fragment: an origin ends after the host or port";
	if (strchr(host, '@'))
		return "user info: an origin has none";
	const char *port = NULL;
	if (*host == '[') {
		const char *close = strchr(host, ']');
		if (!close)
			return "an IPv6 address without ']'";
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return "bytes after the IPv6 address";
	} else {
		port = strchr(host, ':');
		if (port == host)
			return "no host";
		if (port)
			port++;
	}
	if (!*host)
		return "no host";
	if (port) {
		size_t n = strspn(port, "0123456789");
		if (n == 0 || n > 5 || port[n])
			return "bad port (1 to 5 digits after ':')";
	}
	return NULL;
}
