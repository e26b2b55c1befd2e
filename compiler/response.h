/*
 * response.h - the response plan of SPEC section 6: for one resolved policy,
 * which CORS header goes out on which request, and the decisions that are
 * not headers.  eval applies the plan to one request; every backend renders
 * it in its server's language.  No backend decides on its own which header
 * a request gets.
 */
#ifndef CORSC_RESPONSE_H
#define CORSC_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"

/* The headers a plan can hold: cors_response_headers in that order. */
enum cors_header {
	CH_ALLOW_ORIGIN,
	CH_ALLOW_CREDENTIALS,
	CH_ALLOW_METHODS,
	CH_ALLOW_HEADERS,
	CH_MAX_AGE,
	CH_ALLOW_PRIVATE_NETWORK,
	CH_EXPOSE_HEADERS,
	CH__COUNT
};

/* Which responses a row goes on (bits). */
enum plan_when {
	PLAN_PREFLIGHT = 1,    /* the server's own 204 to a preflight */
	PLAN_ACTUAL = 2,       /* every other response, of any status */
	PLAN_BOTH = 3,
};

/* What the request must also have for a row to apply (bits; 0: nothing, "any"). */
enum plan_need {
	PLAN_NEED_ALLOWED = 1, /* its Origin matches the policy's origins */
	PLAN_NEED_PNA = 2,     /* Access-Control-Request-Private-Network: true */
};

/* Where a row's value comes from. */
enum plan_value {
	PLAN_LITERAL,          /* the bytes in value */
	PLAN_ECHO_ORIGIN,      /* the request's Origin, as sent */
};

struct plan_row {
	enum cors_header header;
	const char *name;      /* cors_response_headers[header] */
	enum stmt_kind stmt;   /* the statement it comes from, for messages and names */
	enum plan_value kind;
	const char *value;     /* PLAN_LITERAL: owned by the plan; else NULL */
	unsigned when;         /* enum plan_when bits */
	unsigned needs;        /* enum plan_need bits */
};

struct response_plan {
	const struct policy *policy;
	bool any;              /* origins *: every request counts as allowed */
	int preflight_status;  /* a preflight is answered by the server with this (204) */
	bool strip_app_headers;/* the application's cors_response_headers are removed */
	bool vary_origin;      /* Vary: Origin merged into every response (unless any) */
	struct plan_row rows[CH__COUNT];   /* in cors_response_headers order */
	size_t n;
};

/* The plan of p; release it with response_plan_release. */
void response_plan_make(const struct policy *p, struct response_plan *plan);
void response_plan_release(struct response_plan *plan);

/* The row of header h, or NULL when the plan never sends it. */
const struct plan_row *plan_row_of(const struct response_plan *plan, enum cors_header h);

/*
 * Does row r go on a response to a request that is (not) a preflight, whose
 * origin is (not) allowed, and that does (not) ask for private network access?
 */
bool plan_row_applies(const struct plan_row *r, bool preflight, bool allowed, bool pna);

/* Is some row of the plan conditional on need n (an enum plan_need bit)? */
bool plan_needs(const struct response_plan *plan, unsigned n);

#endif
