/*
 * verify_compare.c - one answer against what eval_policy() says the policy
 * gives its request (SPEC section 8's errors and warnings), and the exposure
 * audit over all answers (notes, through exposure.h: one model of what a
 * script can read).  Pure functions of their inputs; no I/O.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"
#include "exposure.h"
#include "util.h"

void verify_answer_add(struct verify_answer *a, const char *name, size_t nlen,
		       const char *value, size_t vlen)
{
	xgrow(&a->h, &a->cap, a->nh + 1, sizeof(*a->h));
	while (vlen && (value[0] == ' ' || value[0] == '\t')) {
		value++;
		vlen--;
	}
	while (vlen && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t' ||
			value[vlen - 1] == '\r' || value[vlen - 1] == '\n'))
		vlen--;
	a->h[a->nh].name = xstrndup(name, nlen);
	a->h[a->nh].value = xstrndup(value, vlen);
	a->nh++;
}

void verify_answer_free(struct verify_answer *a)
{
	for (size_t i = 0; i < a->nh; i++) {
		free(a->h[i].name);
		free(a->h[i].value);
	}
	free(a->h);
	free(a->error);
	memset(a, 0, sizeof(*a));
}

char *verify_header_join(const struct verify_answer *a, const char *name, size_t *count)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0;
	for (size_t i = 0; i < a->nh; i++) {
		if (ascii_strcasecmp(a->h[i].name, name) != 0)
			continue;
		if (n++)
			sb_puts(&sb, ", ");
		sb_puts(&sb, a->h[i].value);
	}
	if (count)
		*count = n;
	if (!n)
		return NULL;
	if (sb.failed)
		die_oom();
	if (!sb.buf)
		return xstrdup("");
	return sb_detach(&sb, NULL);
}

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die_oom();
	char *s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* Append a finding; got and want are taken over (NULL allowed). */
static void add(struct verify_findings *out, enum verify_severity sev, const char *kind,
		size_t ri, char *message, char *got, char *want)
{
	xgrow(&out->v, &out->cap, out->n + 1, sizeof(*out->v));
	struct verify_finding *f = &out->v[out->n++];
	f->sev = sev;
	f->kind = kind;
	f->req = ri;
	f->message = message;
	f->got = got;
	f->want = want;
	if (sev == VSEV_ERROR)
		out->nerrors++;
	else if (sev == VSEV_WARNING)
		out->nwarnings++;
	else
		out->nnotes++;
}

void verify_findings_free(struct verify_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].message);
		free(f->v[i].got);
		free(f->v[i].want);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* "Name: value", or "no Name" when value is NULL. */
static char *show(const char *name, const char *value)
{
	return value ? xprintf("%s: %s", name, value) : xprintf("no %s", name);
}

static const char *expected(const struct eval_response *e, const char *name)
{
	for (size_t i = 0; i < e->nh; i++)
		if (ascii_strcasecmp(e->h[i].name, name) == 0)
			return e->h[i].value;
	return NULL;
}

/* ---- comma-separated lists (methods, header names, Vary) ---- */

struct list {
	char **v;
	size_t n, cap;
};

static void list_split(struct list *l, const char *s)
{
	memset(l, 0, sizeof(*l));
	if (!s)
		return;
	const char *p = s;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *b = p;
		while (*p && *p != ',')
			p++;
		const char *e = p;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > b) {
			xgrow(&l->v, &l->cap, l->n + 1, sizeof(char *));
			l->v[l->n++] = xstrndup(b, (size_t)(e - b));
		}
		if (!*p)
			break;
		p++;
	}
}

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static bool list_has(const struct list *l, const char *s, bool fold)
{
	for (size_t i = 0; i < l->n; i++)
		if (fold ? ascii_strcasecmp(l->v[i], s) == 0 : strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/*
 * Entries of a missing from b, joined by ", "; NULL when none.  With
 * star_covers, a "*" in b covers every entry but `except` (Fetch: the
 * wildcard of a request without credentials; never Authorization).
 */
static char *list_missing(const struct list *a, const struct list *b, bool fold,
			  bool star_covers, const char *except)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0;
	bool star = star_covers && list_has(b, "*", false);
	for (size_t i = 0; i < a->n; i++)
		if (!list_has(b, a->v[i], fold) &&
		    !(star && !(except && ascii_strcasecmp(a->v[i], except) == 0))) {
			if (n++)
				sb_puts(&sb, ", ");
			sb_puts(&sb, a->v[i]);
		}
	if (sb.failed)
		die_oom();
	return n ? sb_detach(&sb, NULL) : NULL;
}

/*
 * A list header of a preflight or response: every entry the policy names
 * must be there (error, kind_missing), more entries are a warning.
 */
static void compare_list(struct verify_findings *out, size_t ri, const char *name,
			 const char *want, const char *got, bool fold, bool star_covers,
			 const char *except, const char *kind_missing, const char *what,
			 const char *kind_extra)
{
	struct list w, g;
	list_split(&w, want);
	list_split(&g, got);
	char *miss = list_missing(&w, &g, fold, star_covers, except);
	char *extra = list_missing(&g, &w, fold, false, NULL);
	if (miss)
		add(out, VSEV_ERROR, kind_missing, ri,
		    xprintf("%s lacks %s: %s", name, what, miss),
		    show(name, got), show(name, want));
	else if (extra)
		add(out, VSEV_WARNING, kind_extra, ri,
		    xprintf("%s names more than the policy: %s", name, extra),
		    show(name, got), show(name, want));
	free(miss);
	free(extra);
	list_free(&w);
	list_free(&g);
}

static bool vary_has_origin(const char *vary)
{
	struct list l;
	list_split(&l, vary);
	bool ok = list_has(&l, "Origin", true) || list_has(&l, "*", false);
	list_free(&l);
	return ok;
}

void verify_compare(const struct policy *p, const struct verify_request *rq, size_t ri,
		    const struct verify_answer *a, struct verify_findings *out)
{
	const struct eval_response *e = &rq->expect;
	const char *const *names = cors_response_headers;
	enum { ACAO, ACAC, ACAM, ACAH, MAXAGE, ACAPN, ACEH };
	char *got[CORS_NHEADERS];
	size_t count[CORS_NHEADERS];
	bool dup[CORS_NHEADERS];

	for (int k = 0; k < CORS_NHEADERS; k++) {
		got[k] = verify_header_join(a, names[k], &count[k]);
		dup[k] = count[k] > 1;
		if (dup[k])
			add(out, VSEV_ERROR, "duplicate-header", ri,
			    xprintf("%s appears %zu times (browsers then reject the response)",
				    names[k], count[k]),
			    show(names[k], got[k]), show(names[k], expected(e, names[k])));
	}
	const char *w_acao = expected(e, names[ACAO]);
	const char *w_acac = expected(e, names[ACAC]);
	bool got_creds = got[ACAC] && strcmp(got[ACAC], "true") == 0 && !dup[ACAC];
	bool want_creds = w_acac != NULL;
	/* the request's credentials mode, as the policy means it: '*' is then a literal name */
	bool creds = p->credentials && !p->any_origin;

	/* Access-Control-Allow-Origin */
	if (!dup[ACAO]) {
		if (!w_acao && got[ACAO] && !got[ACAO][0]) {
			/* an empty value passes no browser's check: a departure, not a hole */
			add(out, VSEV_WARNING, "empty-allow-origin", ri,
			    xstrdup("an empty Access-Control-Allow-Origin where the policy sends none"),
			    show(names[ACAO], got[ACAO]),
			    xstrdup("no Access-Control-* header (origin refused)"));
		} else if (!w_acao && got[ACAO]) {
			const char *who = rq->origin ? "an origin the policy refuses"
						     : "a request without Origin";
			if (got_creds)
				add(out, VSEV_ERROR, "refused-origin-allowed", ri,
				    xprintf("critical: %s is allowed, with credentials", who),
				    xprintf("Access-Control-Allow-Origin: %s, "
					    "Access-Control-Allow-Credentials: true", got[ACAO]),
				    xstrdup("no Access-Control-* header (origin refused)"));
			else
				add(out, VSEV_ERROR, "refused-origin-allowed", ri,
				    xprintf("%s gets Access-Control-Allow-Origin", who),
				    show(names[ACAO], got[ACAO]),
				    xstrdup("no Access-Control-* header (origin refused)"));
		} else if (w_acao && !got[ACAO]) {
			add(out, VSEV_ERROR, "allowed-origin-refused", ri,
			    xstrdup(rq->origin ? "an origin the policy allows gets no Access-Control-Allow-Origin"
				    : "a request without Origin gets no Access-Control-Allow-Origin: the "
				      "policy gives '*' to every answer (a cache may serve this one to a "
				      "cross-origin request)"),
			    show(names[ACAO], NULL), show(names[ACAO], w_acao));
		} else if (w_acao && strcmp(w_acao, got[ACAO]) != 0) {
			add(out, VSEV_ERROR, "allow-origin-differs", ri,
			    xstrdup("Access-Control-Allow-Origin has another value than the policy gives"),
			    show(names[ACAO], got[ACAO]), show(names[ACAO], w_acao));
		}
	}
	/* the answer could pass a browser's CORS check */
	bool passes = got[ACAO] && got[ACAO][0] && !dup[ACAO];

	/* Access-Control-Allow-Credentials (with a refused origin already named above) */
	if (!dup[ACAC] && !(!w_acao && got[ACAO])) {
		bool same = (!w_acac && !got[ACAC]) || (w_acac && got[ACAC] && !strcmp(w_acac, got[ACAC]));
		if (!same)
			add(out, passes || want_creds ? VSEV_ERROR : VSEV_WARNING, "credentials-differ", ri,
			    xstrdup(want_creds ? "credentials: the policy allows them, the answer does not"
					       : "credentials: the answer allows them, the policy does not"),
			    show(names[ACAC], got[ACAC]), show(names[ACAC], w_acac));
	}

	/* A preflight the policy allows: an ok status, the methods and headers. */
	if (rq->preflight && w_acao && (a->status < 200 || a->status > 299))
		add(out, VSEV_ERROR, "preflight-not-ok", ri,
		    xprintf("a preflight the policy allows is answered with status %d, not 200-299",
			    a->status),
		    xprintf("status %d", a->status), xstrdup("status 204 (any 200-299 passes)"));

	const char *w;
	w = expected(e, names[ACAM]);
	if (!dup[ACAM]) {
		if (w)
			compare_list(out, ri, names[ACAM], w, got[ACAM], false, !creds, NULL,
				     "preflight-lacks-method", "a method the policy allows", "longer-method-list");
		else if (got[ACAM])
			add(out, VSEV_WARNING, "unexpected-header", ri,
			    xprintf("%s where the policy gives none", names[ACAM]),
			    show(names[ACAM], got[ACAM]), show(names[ACAM], NULL));
	}
	w = expected(e, names[ACAH]);
	if (!dup[ACAH]) {
		if (w)
			compare_list(out, ri, names[ACAH], w, got[ACAH], true, !creds, "Authorization",
				     "preflight-lacks-header", "a header the policy allows", "longer-header-list");
		else if (got[ACAH])
			add(out, VSEV_WARNING, "unexpected-header", ri,
			    xprintf("%s where the policy gives none", names[ACAH]),
			    show(names[ACAH], got[ACAH]), show(names[ACAH], NULL));
	}
	w = expected(e, names[MAXAGE]);
	if (!dup[MAXAGE] && (w ? !got[MAXAGE] || strcmp(w, got[MAXAGE]) : got[MAXAGE] != NULL))
		add(out, VSEV_WARNING, "max-age-differs", ri,
		    xstrdup("Access-Control-Max-Age differs from the policy's max-age"),
		    show(names[MAXAGE], got[MAXAGE]), show(names[MAXAGE], w));
	w = expected(e, names[ACAPN]);
	if (!dup[ACAPN] && (w ? !got[ACAPN] || strcmp(w, got[ACAPN]) : got[ACAPN] != NULL))
		add(out, rq->pna && (w || passes) ? VSEV_ERROR : VSEV_WARNING,
		    "private-network-differs", ri,
		    xstrdup(w ? "Private Network Access: the policy allows it, the answer does not"
			      : "Private Network Access: the answer allows it, the policy does not"),
		    show(names[ACAPN], got[ACAPN]), show(names[ACAPN], w));
	w = expected(e, names[ACEH]);
	if (!dup[ACEH]) {
		if (w)
			compare_list(out, ri, names[ACEH], w, got[ACEH], true, !creds, NULL,
				     "expose-lacks-header", "a header the policy exposes", "longer-expose-list");
		else if (got[ACEH])
			add(out, VSEV_WARNING, "unexpected-header", ri,
			    xprintf("%s where the policy gives none", names[ACEH]),
			    show(names[ACEH], got[ACEH]), show(names[ACEH], NULL));
	}

	/* Vary: Origin wherever the answer depends on the origin (every policy but '*'). */
	if (expected(e, "Vary")) {
		char *vary = verify_header_join(a, "Vary", NULL);
		if (!vary_has_origin(vary))
			add(out, VSEV_ERROR, "vary-lacks-origin", ri,
			    xstrdup("Vary lacks Origin: a cache may give this answer to another origin"),
			    show("Vary", vary), xstrdup("Vary containing Origin"));
		free(vary);
	}
	for (int k = 0; k < CORS_NHEADERS; k++)
		free(got[k]);
}

/* ---- the exposure audit ---- */

/* Connection-level headers a script never sees as part of the resource. */
static bool hop_by_hop(const char *name)
{
	static const char *const names[] = {
		"Connection", "Keep-Alive", "Transfer-Encoding", "Proxy-Connection", "Upgrade",
		"Trailer", "TE",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (ascii_strcasecmp(name, names[i]) == 0)
			return true;
	return ascii_strncasecmp(name, "Access-Control-", 15) == 0;
}

/* The policy's expose-headers statement, for the notes. */
static char *policy_exposes(const struct policy *p)
{
	if (!p->expose_headers.set)
		return xstrdup("no expose-headers");
	char *v = name_list_value(&p->expose_headers);
	char *s = xprintf("expose-headers %s", v);
	free(v);
	return s;
}

void verify_audit_exposure(const struct policy *p, const struct verify_plan *plan,
			   const struct verify_answer *answers, struct verify_findings *out)
{
	struct list seen = { 0 };       /* hidden headers already noted */
	struct list sent = { 0 };       /* every header name an allowed answer carried */
	size_t first = (size_t)-1;      /* the first audited request */
	for (size_t i = 0; i < plan->n; i++) {
		const struct verify_request *rq = &plan->v[i];
		const struct verify_answer *a = &answers[i];
		if (!a->sent || a->error || rq->preflight || !rq->expect.allowed)
			continue;
		size_t nacao;
		char *acao = verify_header_join(a, "Access-Control-Allow-Origin", &nacao);
		bool passes = acao && nacao == 1;
		free(acao);
		if (!passes)
			continue;
		if (first == (size_t)-1)
			first = i;
		char *expose = verify_header_join(a, "Access-Control-Expose-Headers", NULL);
		bool creds = p->credentials && !p->any_origin;
		for (size_t k = 0; k < a->nh; k++) {
			const char *name = a->h[k].name;
			if (!list_has(&sent, name, true)) {
				xgrow(&sent.v, &sent.cap, sent.n + 1, sizeof(char *));
				sent.v[sent.n++] = xstrdup(name);
			}
			if (hop_by_hop(name) || list_has(&seen, name, true))
				continue;
			enum exposure ex = exposure_of(name, expose, creds);
			if (exposure_readable(ex))
				continue;
			xgrow(&seen.v, &seen.cap, seen.n + 1, sizeof(char *));
			seen.v[seen.n++] = xstrdup(name);
			add(out, VSEV_NOTE, "not-readable", i,
			    xprintf("a script on an allowed origin cannot read %s: %s", name,
				    exposure_reason(ex)),
			    xprintf("%s: %s", name, a->h[k].value), policy_exposes(p));
		}
		free(expose);
	}
	const struct name_list *ex = &p->expose_headers;
	if (first != (size_t)-1 && ex->set && !ex->any) {
		for (size_t k = 0; k < ex->n; k++) {
			if (list_has(&sent, ex->names[k], true))
				continue;
			add(out, VSEV_NOTE, "exposed-never-sent", first,
			    xprintf("the policy exposes %s, but no answer carried it", ex->names[k]),
			    xprintf("no %s in any answer to an allowed origin", ex->names[k]),
			    xprintf("expose-headers lists %s", ex->names[k]));
		}
	}
	list_free(&seen);
	list_free(&sent);
}

/* ---- order ---- */

/* Kinds in the order a reader should see them: what lets an attacker in first. */
static int kind_rank(const struct verify_finding *f)
{
	static const char *const order[] = {
		"refused-origin-allowed", "credentials-differ", "duplicate-header",
		"allowed-origin-refused", "allow-origin-differs", "preflight-not-ok",
		"preflight-lacks-method", "preflight-lacks-header", "private-network-differs",
		"expose-lacks-header", "vary-lacks-origin",
	};
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		if (strcmp(f->kind, order[i]) == 0)
			return (int)i * 2 + (strncmp(f->message, "critical", 8) == 0 ? 0 : 1);
	return 100;
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct verify_finding *a = pa, *b = pb;
	if (a->sev != b->sev)
		return (int)a->sev - (int)b->sev;
	int ra = kind_rank(a), rb = kind_rank(b);
	if (ra != rb)
		return ra - rb;
	if (ra == 100 && strcmp(a->kind, b->kind) != 0)
		return strcmp(a->kind, b->kind);
	if (a->req != b->req)
		return a->req < b->req ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void verify_findings_sort(struct verify_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		f->v[i].seq = i;
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), cmp_finding);
}
