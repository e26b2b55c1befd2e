/*
 * eval.c - the reference semantics of SPEC section 6 and the README's
 * decisions: the headers a server running corsc's output sends for one
 * request.  A pure function; the end-to-end tests compare real servers with it.
 */
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "origin.h"
#include "util.h"

/* Every header eval can produce, in the order a response lists them. */
enum {
	H_ALLOW_ORIGIN,
	H_ALLOW_CREDENTIALS,
	H_ALLOW_METHODS,
	H_ALLOW_HEADERS,
	H_MAX_AGE,
	H_ALLOW_PRIVATE_NETWORK,
	H_EXPOSE_HEADERS,
	H_VARY,
	H__COUNT
};

_Static_assert(H_VARY == CORS_NHEADERS, "the enum follows cors_response_headers");

/* The policy's headers in cors_response_headers order, then Vary. */
static const char *header_name(int which)
{
	return which < CORS_NHEADERS ? cors_response_headers[which] : "Vary";
}

_Static_assert(H__COUNT <= EVAL_MAX_HEADERS, "EVAL_MAX_HEADERS too small");

/* Callers add headers in enum order, so the response is in the fixed order. */
static void add(struct eval_response *res, int which, char *value)
{
	res->h[res->nh].name = header_name(which);
	res->h[res->nh].value = value;
	res->nh++;
}

static bool nonempty(const char *s)
{
	return s && *s;
}

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
	bool any = p->any_origin;    /* SPEC: then credentials is false (E020) */
	res->allowed = any || (origin && policy_allows_origin(p, origin, strlen(origin)));

	if (preflight) {
		res->status = 204;
		if (res->allowed) {
			add(res, H_ALLOW_ORIGIN, xstrdup(any ? "*" : origin));
			if (p->credentials && !any)
				add(res, H_ALLOW_CREDENTIALS, xstrdup("true"));
			if (p->methods.set)
				add(res, H_ALLOW_METHODS, name_list_value(&p->methods));
			if (p->allow_headers.set)
				add(res, H_ALLOW_HEADERS, name_list_value(&p->allow_headers));
			if (p->max_age_set) {
				struct strbuf sb = STRBUF_INIT;
				sb_printf(&sb, "%lu", p->max_age);
				if (sb.failed)
					die_oom();
				add(res, H_MAX_AGE, sb_detach(&sb, NULL));
			}
			if (p->private_network && req->private_network)
				add(res, H_ALLOW_PRIVATE_NETWORK, xstrdup("true"));
		}
	} else {
		res->status = 0;
		if (res->allowed) {
			add(res, H_ALLOW_ORIGIN, xstrdup(any ? "*" : origin));
			if (p->credentials && !any)
				add(res, H_ALLOW_CREDENTIALS, xstrdup("true"));
			if (p->expose_headers.set)
				add(res, H_EXPOSE_HEADERS, name_list_value(&p->expose_headers));
		}
	}
	if (!any)
		add(res, H_VARY, xstrdup("Origin"));
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
