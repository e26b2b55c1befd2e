/*
 * eval.h - the reference semantics of SPEC section 6: what a server running
 * corsc's output answers to a request.  A pure function; the end-to-end
 * tests compare every real server with it.
 */
#ifndef CORSC_EVAL_H
#define CORSC_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"
#include "strbuf.h"

struct eval_request {
	const char *origin;        /* the Origin header; NULL when absent */
	const char *method;        /* request method, or for a preflight the
				      Access-Control-Request-Method; NULL: GET */
	const char **headers;      /* preflight: Access-Control-Request-Headers */
	size_t nheaders;
	bool preflight;            /* OPTIONS with Origin and Access-Control-Request-Method */
	bool private_network;      /* Access-Control-Request-Private-Network: true */
};

#define EVAL_MAX_HEADERS 8

struct eval_header {
	const char *name;
	char *value;               /* owned by the response */
};

struct eval_response {
	int status;                /* 204 when the server answers itself (preflight);
				      0 when the application answers */
	bool allowed;              /* the origin matched */
	struct eval_header h[EVAL_MAX_HEADERS];   /* fixed order, see eval.c */
	size_t nh;
};

void eval_policy(const struct policy *p, const struct eval_request *req,
		 struct eval_response *res);
void eval_response_free(struct eval_response *res);

/*
 * Why s cannot be the value of an Origin request header (SPEC section 4:
 * `corsc eval --origin`), or NULL when it can: "null", or scheme://host with
 * an optional port of 1 to 5 digits, nothing after it.  Case is not judged:
 * an upper-case origin is well formed and simply matches nothing.
 */
const char *eval_origin_malformed(const char *s);

/* Render a response as text lines or as a JSON object (with a newline). */
void eval_format_text(const struct eval_response *res, struct strbuf *out);
void eval_format_json(const struct eval_response *res, struct strbuf *out);

#endif
