/*
 * response.c - the response plan: SPEC section 6 written once, as a table
 * of rows {header, value, when, needs}.  eval.c applies it to one request;
 * backends/nginx.c, apache.c and caddy.c render it.
 */
#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

_Static_assert(CH__COUNT == CORS_NHEADERS, "enum cors_header follows cors_response_headers");

static void add(struct response_plan *plan, enum cors_header h, enum stmt_kind stmt,
		enum plan_value kind, char *value, unsigned when, unsigned needs)
{
	struct plan_row *r = &plan->rows[plan->n++];
	r->header = h;
	r->name = cors_response_headers[h];
	r->stmt = stmt;
	r->kind = kind;
	r->value = value;
	r->when = when;
	r->needs = needs;
}

void response_plan_make(const struct policy *p, struct response_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->policy = p;
	/* SPEC 6: with origins * every request is allowed (and credentials is false, E020) */
	bool any = p->any_origin;
	unsigned allowed = any ? 0 : PLAN_NEED_ALLOWED;
	plan->any = any;
	plan->preflight_status = 204;
	plan->strip_app_headers = true;
	plan->vary_origin = !any;

	if (any)
		add(plan, CH_ALLOW_ORIGIN, ST_ORIGINS, PLAN_LITERAL, xstrdup("*"), PLAN_BOTH, 0);
	else
		add(plan, CH_ALLOW_ORIGIN, ST_ORIGINS, PLAN_ECHO_ORIGIN, NULL, PLAN_BOTH, allowed);
	if (p->credentials && !any)
		add(plan, CH_ALLOW_CREDENTIALS, ST_CREDENTIALS, PLAN_LITERAL, xstrdup("true"),
		    PLAN_BOTH, allowed);
	if (p->methods.set)
		add(plan, CH_ALLOW_METHODS, ST_METHODS, PLAN_LITERAL, name_list_value(&p->methods),
		    PLAN_PREFLIGHT, allowed);
	if (p->allow_headers.set)
		add(plan, CH_ALLOW_HEADERS, ST_ALLOW_HEADERS, PLAN_LITERAL,
		    name_list_value(&p->allow_headers), PLAN_PREFLIGHT, allowed);
	if (p->max_age_set) {
		char v[32];
		snprintf(v, sizeof(v), "%lu", p->max_age);
		add(plan, CH_MAX_AGE, ST_MAX_AGE, PLAN_LITERAL, xstrdup(v), PLAN_PREFLIGHT, allowed);
	}
	if (p->private_network)
		add(plan, CH_ALLOW_PRIVATE_NETWORK, ST_PRIVATE_NETWORK, PLAN_LITERAL, xstrdup("true"),
		    PLAN_PREFLIGHT, allowed | PLAN_NEED_PNA);
	if (p->expose_headers.set)
		add(plan, CH_EXPOSE_HEADERS, ST_EXPOSE_HEADERS, PLAN_LITERAL,
		    name_list_value(&p->expose_headers), PLAN_ACTUAL, allowed);
}

void response_plan_release(struct response_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		free((char *)plan->rows[i].value);
	memset(plan, 0, sizeof(*plan));
}

const struct plan_row *plan_row_of(const struct response_plan *plan, enum cors_header h)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->rows[i].header == h)
			return &plan->rows[i];
	return NULL;
}

bool plan_row_applies(const struct plan_row *r, bool preflight, bool allowed, bool pna)
{
	if (!(r->when & (preflight ? PLAN_PREFLIGHT : PLAN_ACTUAL)))
		return false;
	if ((r->needs & PLAN_NEED_ALLOWED) && !allowed)
		return false;
	if ((r->needs & PLAN_NEED_PNA) && !pna)
		return false;
	return true;
}

bool plan_needs(const struct response_plan *plan, unsigned n)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->rows[i].needs & n)
			return true;
	return false;
}
