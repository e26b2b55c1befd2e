/*
 * origin.h - origins and origin patterns (SPEC section 3): parsing with
 * precise diagnostics, normalization, and matching a request's Origin.
 * The validator and eval both use this one matcher.
 */
#ifndef CORSC_ORIGIN_H
#define CORSC_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "ir.h"
#include "strbuf.h"

/*
 * Parse one origin or pattern as written in a policy into *out (strings in
 * arena a).  Queues E010/E011/E012/W104/W109 as they apply, at span.
 * Returns false if the origin is unusable (an error was queued).
 */
bool origin_parse(struct arena *a, const char *text, size_t len, struct span span,
		  struct origin *out, struct diag_queue *dq);

/* Does request origin (the Origin header, exactly as sent) match o? */
bool origin_match(const struct origin *o, const char *req, size_t len);

/* The regex dialects of the servers corsc writes for. */
enum regex_flavour {
	REGEX_PCRE,        /* nginx and Apache httpd */
	REGEX_RE2,         /* Caddy (Go's regexp) */
	REGEX_HAPROXY,     /* HAProxy 2.6 and later, PCRE2 on Debian */
	REGEX__COUNT
};

/*
 * Append to sb, without anchors, a regex in flavour fl that matches exactly
 * the request origins origin_match(o, ...) accepts.  Built from o's fields
 * (kind, scheme, host, wild, port, port_any), not from its text.
 */
void origin_regex(struct strbuf *sb, const struct origin *o, enum regex_flavour fl);

/*
 * Build p->index over p's origins (exact origins hashed, patterns kept in
 * a list), in arena a.  Called by the validator.
 */
void origin_index_build(struct arena *a, struct policy *p);

/* Does the request origin match any origin of p?  Uses p->index. */
bool policy_allows_origin(const struct policy *p, const char *req, size_t len);

#endif
