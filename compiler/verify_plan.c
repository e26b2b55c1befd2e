/*
 * verify_plan.c - the requests `corsc verify` sends, derived from the policy
 * alone (SPEC section 8): origins the policy allows (a bounded sample of its
 * exact origins, origins synthesized for its patterns) and the refused-origin
 * classes misconfiguration scanners probe, each judged by eval_policy().
 * Deterministic: the same policy and bound give the same requests in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"
#include "origin.h"
#include "util.h"

#define SAMPLE_EXACT 8          /* exact origins probed as allowed */
#define SAMPLE_PATTERNS 8       /* patterns probed as allowed */
#define SAMPLE_BASES 3          /* origins (and patterns) the refused classes are built from */
#define MAX_METHOD_PREFLIGHTS 8
#define PROBE "corsc-probe"
#define PROBE_HEADER "x-corsc-probe"

struct probe_origin {
	const char *cls;
	char *origin;               /* NULL: no Origin header */
};

struct origin_list {
	struct probe_origin *v;
	size_t n, cap;
	bool have_none;
};

static char *fmt_origin(const char *scheme, const char *pre, const char *host, const char *post,
			int port)
{
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "%s://%s%s%s", scheme, pre, host, post);
	if (port >= 0)
		sb_printf(&sb, ":%d", port);
	if (sb.failed)
		die_oom();
	return sb_detach(&sb, NULL);
}

/* Add an origin (taken over) unless the list has it already: the first class wins. */
static void add(struct origin_list *L, const char *cls, char *origin)
{
	if (!origin) {
		if (L->have_none)
			return;
		L->have_none = true;
	} else {
		for (size_t i = 0; i < L->n; i++)
			if (L->v[i].origin && strcmp(L->v[i].origin, origin) == 0) {
				free(origin);
				return;
			}
	}
	xgrow(&L->v, &L->cap, L->n + 1, sizeof(*L->v));
	L->v[L->n].cls = cls;
	L->v[L->n].origin = origin;
	L->n++;
}

static bool is_ip_literal(const char *host)
{
	if (host[0] == '[')
		return true;
	for (const char *p = host; *p; p++)
		if (!(*p == '.' || (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

/* host with its first dot replaced by a letter ("app.example.com" -> "appxexample.com"). */
static char *undotted(const char *host)
{
	const char *dot = strchr(host, '.');
	if (!dot || host[0] == '[')
		return NULL;
	char *s = xstrdup(host);
	s[dot - host] = 'x';
	return s;
}

/* A port for an origin's "other port" probe. */
static int other_port(const struct origin *o)
{
	if (o->port >= 0)
		return o->port < 65535 ? o->port + 1 : o->port - 1;
	return strcmp(o->scheme, "https") == 0 ? 8443 : 8080;
}

/* The origins a policy allows: its exact origins (a sample) and one or two per pattern. */
static void allowed_origins(const struct policy *p, struct origin_list *L)
{
	size_t nexact = 0, npat = 0;
	for (size_t i = 0; i < p->norigins; i++) {
		const struct origin *o = &p->origins[i];
		if (o->kind == ORIGIN_NULL) {
			add(L, "allowed", xstrdup("null"));
		} else if (o->wild == WILD_NONE && !o->port_any) {
			if (nexact++ < SAMPLE_EXACT)
				add(L, "allowed", xstrdup(o->text));
		} else if (npat++ < SAMPLE_PATTERNS) {
			const char *pre = o->wild == WILD_NONE ? "" : PROBE ".";
			int port = o->port_any ? -1 : o->port;
			add(L, "pattern", fmt_origin(o->scheme, pre, o->host, "", port));
			if (o->wild == WILD_MULTI)
				add(L, "pattern", fmt_origin(o->scheme, "a." PROBE ".", o->host, "", port));
			if (o->port_any)
				add(L, "pattern", fmt_origin(o->scheme, pre, o->host, "", 8081));
		}
	}
	if (p->any_origin)
		add(L, "allowed", xstrdup("https://" PROBE "-any.example"));
}

/* The refused-origin classes of SPEC section 8, built from the policy's own origins. */
static void refused_origins(const struct policy *p, struct origin_list *L)
{
	add(L, "unrelated", xstrdup("https://" PROBE ".example"));
	size_t nexact = 0, npat = 0;
	for (size_t i = 0; i < p->norigins; i++) {
		const struct origin *o = &p->origins[i];
		if (o->kind == ORIGIN_NULL)
			continue;
		bool pattern = o->wild != WILD_NONE;
		if (pattern ? npat++ >= SAMPLE_BASES : nexact++ >= SAMPLE_BASES)
			continue;
		const char *s = o->scheme, *h = o->host;
		/* the port a probe keeps: the origin's own, none for ":*" */
		int port = o->port_any ? -1 : o->port;
		bool ip = !pattern && is_ip_literal(h);
		const char *sub = pattern ? PROBE "." : "";
		if (!ip || h[0] != '[')
			add(L, "prefix", fmt_origin(s, sub, h, "." PROBE ".example", port));
		if (!ip)
			add(L, "suffix", fmt_origin(s, PROBE, h, "", port));
		char *u = undotted(h);
		if (u) {
			add(L, "unescaped-dot", fmt_origin(s, sub, u, "", port));
			free(u);
		}
		if (strcmp(s, "https") == 0)
			add(L, "scheme-downgrade", fmt_origin("http", sub, h, "", port));
		if (!o->port_any)
			add(L, "other-port", fmt_origin(s, sub, h, "", other_port(o)));
		if (pattern) {
			add(L, "parent", fmt_origin(s, "", h, "", port));
			if (o->wild == WILD_ONE)
				add(L, "two-labels", fmt_origin(s, "a." PROBE ".", h, "", port));
		} else if (!ip) {
			add(L, "subdomain", fmt_origin(s, PROBE ".", h, "", port));
		}
	}
	add(L, "null", xstrdup("null"));
	add(L, "no-origin", NULL);
}

/* ---- requests ---- */

static bool simple_method(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "POST");
}

static bool has_method(const struct policy *p, const char *m)
{
	if (!p->methods.set)
		return simple_method(m);
	if (p->methods.any)
		return true;
	for (size_t i = 0; i < p->methods.n; i++)
		if (strcmp(p->methods.names[i], m) == 0)
			return true;
	return false;
}

/* The method of the main preflight: the policy's first non-simple method, else its first. */
static const char *main_method(const struct policy *p)
{
	if (!p->methods.set)
		return "GET";
	if (p->methods.any || p->methods.n == 0)
		return "PUT";
	for (size_t i = 0; i < p->methods.n; i++)
		if (!simple_method(p->methods.names[i]))
			return p->methods.names[i];
	return p->methods.names[0];
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Access-Control-Request-Headers as a browser sends it for the policy's
 * allowed headers: lower case, sorted, joined by ",".  NULL when none.
 */
static char *policy_request_headers(const struct policy *p)
{
	const struct name_list *l = &p->allow_headers;
	if (!l->set)
		return NULL;
	char **names = xcalloc(l->n + 1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->names[i], "*") == 0)
			continue;
		char *s = xstrdup(l->names[i]);
		for (char *c = s; *c; c++)
			*c = (char)ascii_tolower((unsigned char)*c);
		names[n++] = s;
	}
	if (n == 0)
		names[n++] = xstrdup(PROBE_HEADER);
	qsort(names, n, sizeof(char *), cmp_str);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_putc(&sb, ',');
		sb_puts(&sb, names[i]);
		free(names[i]);
	}
	free(names);
	if (sb.failed)
		die_oom();
	return sb_detach(&sb, NULL);
}

static void add_request(struct verify_plan *plan, const struct policy *p,
			const struct probe_origin *po, const char *kind, const char *method,
			bool preflight, const char *acrh, bool pna)
{
	xgrow(&plan->v, &plan->cap, plan->n + 1, sizeof(*plan->v));
	struct verify_request *rq = &plan->v[plan->n];
	memset(rq, 0, sizeof(*rq));
	rq->id = plan->n + 1;
	rq->cls = po->cls;
	rq->kind = kind;
	rq->origin = po->origin ? xstrdup(po->origin) : NULL;
	rq->method = xstrdup(method);
	rq->preflight = preflight;
	rq->acrh = acrh ? xstrdup(acrh) : NULL;
	rq->pna = pna;

	/* The expected answer: eval_policy(), exactly as `corsc eval` computes it. */
	const char *hdrs[VERIFY_MAX_REQ_HEADERS];
	size_t nh = 0;
	char *copy = acrh ? xstrdup(acrh) : NULL, *save = NULL;
	for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL;
	     tok && nh < VERIFY_MAX_REQ_HEADERS; tok = strtok_r(NULL, ",", &save))
		hdrs[nh++] = tok;
	struct eval_request req = {
		.origin = rq->origin,
		.method = rq->method,
		.headers = hdrs,
		.nheaders = nh,
		.preflight = preflight,
		.private_network = pna,
	};
	eval_policy(p, &req, &rq->expect);
	free(copy);
	plan->n++;
}

/* A method the policy does not allow, for the "unlisted method" preflight; NULL if all are. */
static const char *unlisted_method(const struct policy *p)
{
	static const char *const candidates[] = { "PATCH", "DELETE", "PUT", "PURGE" };
	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++)
		if (!has_method(p, candidates[i]))
			return candidates[i];
	return NULL;
}

void verify_plan_build(const struct policy *p, size_t max_requests, struct verify_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	struct origin_list L = { 0 };
	allowed_origins(p, &L);
	refused_origins(p, &L);

	const char *mm = main_method(p);
	char *acrh = policy_request_headers(p);
	const char *um = unlisted_method(p);
	bool header_any = p->allow_headers.any;

	/* Pass 1, every origin: a simple GET and the main preflight. */
	for (size_t i = 0; i < L.n; i++) {
		add_request(plan, p, &L.v[i], "simple", "GET", false, NULL, false);
		if (L.v[i].origin)
			add_request(plan, p, &L.v[i], "preflight", mm, true, acrh, false);
	}
	/*
	 * Pass 2, the origins the policy allows: HEAD, a preflight for each other
	 * method, an unlisted method, an unlisted header, Private Network Access.
	 * Pass 3, the refused ones: the unlisted method and Private Network Access.
	 */
	for (int pass = 2; pass <= 3; pass++) {
		for (size_t i = 0; i < L.n; i++) {
			const struct probe_origin *po = &L.v[i];
			if (!po->origin)
				continue;
			bool allowed = p->any_origin ||
				       policy_allows_origin(p, po->origin, strlen(po->origin));
			if (allowed != (pass == 2))
				continue;
			if (pass == 2) {
				add_request(plan, p, po, "simple-head", "HEAD", false, NULL, false);
				size_t nm = 0;
				for (size_t k = 0; p->methods.set && !p->methods.any && k < p->methods.n &&
						   nm < MAX_METHOD_PREFLIGHTS; k++) {
					if (strcmp(p->methods.names[k], mm) == 0)
						continue;
					add_request(plan, p, po, "preflight-method", p->methods.names[k],
						    true, NULL, false);
					nm++;
				}
			}
			if (um)
				add_request(plan, p, po, "preflight-unlisted-method", um, true, NULL, false);
			if (pass == 2 && !header_any)
				add_request(plan, p, po, "preflight-unlisted-header", mm, true,
					    PROBE_HEADER, false);
			add_request(plan, p, po, "preflight-private-network", mm, true, NULL, true);
		}
	}
	free(acrh);
	for (size_t i = 0; i < L.n; i++)
		free(L.v[i].origin);
	free(L.v);

	plan->planned = plan->n;
	if (plan->n > max_requests) {
		for (size_t i = max_requests; i < plan->n; i++) {
			free(plan->v[i].origin);
			free(plan->v[i].method);
			free(plan->v[i].acrh);
			eval_response_free(&plan->v[i].expect);
		}
		plan->n = max_requests;
	}
}

void verify_plan_free(struct verify_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->v[i].origin);
		free(plan->v[i].method);
		free(plan->v[i].acrh);
		eval_response_free(&plan->v[i].expect);
	}
	free(plan->v);
	memset(plan, 0, sizeof(*plan));
}
