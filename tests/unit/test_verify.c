/*
 * test_verify.c - `corsc verify` without a network: the response comparison
 * (verify_compare.c) case by case and on random, odd header sets (odd
 * casing, whitespace, duplicates, shuffled order), the exposure audit, the
 * plan (deterministic, every refused-origin class, judged by eval), and the
 * curl command lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "origin.h"
#include "testutil.h"
#include "verify.h"

static const char *const policy_text =
	"policy api {\n"
	"    origins \"https://app.example.com\", \"https://*.tenants.example.com\";\n"
	"    methods GET, POST, PUT, DELETE;\n"
	"    allow-headers Content-Type, Authorization;\n"
	"    expose-headers X-Request-ID;\n"
	"    credentials true;\n"
	"    max-age 10m;\n"
	"}\n"
	"policy open {\n"
	"    origins \"https://a.example.com\";\n"
	"    methods GET, PUT;\n"
	"    allow-headers Authorization, X-A;\n"
	"}\n"
	"policy any {\n"
	"    origins *;\n"
	"    expose-headers *;\n"
	"}\n";

static struct compilation comp;
static bool compiled;

static const struct policy *policy(const char *name)
{
	if (!compiled) {
		compile_string(&comp, "verify.cors", policy_text, FORMAT_DSL);
		compiled = true;
		CU_ASSERT_FATAL(!diag_failed(&comp.dq));
	}
	for (size_t i = 0; i < comp.ir->nresolved; i++)
		if (strcmp(comp.ir->resolved[i].name, name) == 0)
			return &comp.ir->resolved[i];
	CU_FAIL_FATAL("no such policy");
	return NULL;
}

/* A request judged by eval, as the plan makes them. */
static void make_request(struct verify_request *rq, const struct policy *p, const char *origin,
			 const char *method, bool preflight, const char *acrh, bool pna)
{
	memset(rq, 0, sizeof(*rq));
	rq->id = 1;
	rq->cls = "test";
	rq->kind = preflight ? "preflight" : "simple";
	rq->origin = origin ? xstrdup(origin) : NULL;
	rq->method = xstrdup(method);
	rq->preflight = preflight;
	rq->acrh = acrh ? xstrdup(acrh) : NULL;
	rq->pna = pna;
	struct eval_request req = { rq->origin, rq->method, NULL, 0, preflight, pna };
	eval_policy(p, &req, &rq->expect);
}

static void free_request(struct verify_request *rq)
{
	free(rq->origin);
	free(rq->method);
	free(rq->acrh);
	eval_response_free(&rq->expect);
}

/* Header lines "Name: value" separated by '\n' into an answer. */
static void make_answer(struct verify_answer *a, int status, const char *lines)
{
	memset(a, 0, sizeof(*a));
	a->sent = true;
	a->status = status;
	a->http_version = "1.1";
	const char *p = lines;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *colon = memchr(p, ':', n);
		if (colon)
			verify_answer_add(a, p, (size_t)(colon - p), colon + 1, n - (size_t)(colon - p) - 1);
		p += n + (nl ? 1 : 0);
	}
}

/* The findings as "severity:kind" joined by ",", in order. */
static void kinds(const struct verify_findings *f, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t i = 0; i < f->n; i++) {
		const char *sev = f->v[i].sev == VSEV_ERROR ? "error" :
				  f->v[i].sev == VSEV_WARNING ? "warning" : "note";
		size_t len = strlen(out);
		snprintf(out + len, size - len, "%s%s:%s", len ? "," : "", sev, f->v[i].kind);
	}
}

struct compare_case {
	const char *policy, *origin, *method;
	bool preflight, pna;
	int status;
	const char *headers;
	const char *want;      /* the findings, "severity:kind,..." */
};

#define ACAO "Access-Control-Allow-Origin: "
#define APP "https://app.example.com"
#define CREDS "Access-Control-Allow-Credentials: true\n"
#define PF_OK "Access-Control-Allow-Methods: GET, POST, PUT, DELETE\n" \
	      "Access-Control-Allow-Headers: Content-Type, Authorization\n" \
	      "Access-Control-Max-Age: 600\n"

static const struct compare_case cases[] = {
	/* what corsc's own output sends: nothing to report */
	{ "api", APP, "GET", false, false, 200,
	  ACAO APP "\n" CREDS "Access-Control-Expose-Headers: X-Request-ID\nVary: Origin", "" },
	/* odd casing of names, spaces around values, Vary over two lines */
	{ "api", APP, "GET", false, false, 404,
	  "access-control-allow-origin:   " APP "  \nACCESS-CONTROL-ALLOW-CREDENTIALS:true\n"
	  "access-control-expose-headers: x-request-id\nVary: Accept-Encoding\nvary: ORIGIN", "" },
	{ "api", APP, "GET", false, false, 200,
	  ACAO APP "\n" CREDS "Access-Control-Expose-Headers: X-Request-ID\nVary: *", "" },
	{ "api", APP, "PUT", true, false, 204, ACAO APP "\n" CREDS PF_OK "Vary: Origin", "" },
	{ "api", APP, "PUT", true, false, 200,
	  ACAO APP "\n" CREDS "Access-Control-Allow-Methods: DELETE,PUT,POST,GET\n"
	  "Access-Control-Allow-Headers: authorization, content-type\n"
	  "Access-Control-Max-Age: 600\nVary: Origin", "" },
	/* a refused origin with nothing: right */
	{ "api", "https://evil.example", "GET", false, false, 200, "Vary: Origin", "" },
	/* duplicates, even with the same value */
	{ "api", APP, "GET", false, false, 200,
	  ACAO APP "\n" ACAO APP "\n" CREDS "Access-Control-Expose-Headers: X-Request-ID\nVary: Origin",
	  "error:duplicate-header" },
	{ "api", APP, "GET", false, false, 200,
	  ACAO APP "\naccess-control-allow-origin: *\n" CREDS
	  "Access-Control-Expose-Headers: X-Request-ID\nVary: Origin", "error:duplicate-header" },
	/* reflection: critical with credentials */
	{ "api", "https://app.example.com.evil.example", "GET", false, false, 200,
	  ACAO "https://app.example.com.evil.example\n" CREDS "Vary: Origin",
	  "error:refused-origin-allowed" },
	{ "api", "null", "GET", false, false, 200, ACAO "null\nVary: Origin",
	  "error:refused-origin-allowed" },
	{ "api", NULL, "GET", false, false, 200, ACAO "*\nVary: Origin",
	  "error:refused-origin-allowed" },
	/* an empty value for a refused origin: no browser accepts it, a warning */
	{ "api", "https://evil.example", "GET", false, false, 200,
	  "Access-Control-Allow-Origin:\nVary: Origin", "warning:empty-allow-origin" },
	/* origins *: a request without Origin gets '*' too */
	{ "any", NULL, "GET", false, false, 200, "Access-Control-Expose-Headers: *",
	  "error:allowed-origin-refused" },
	/* an allowed origin refused, or another value */
	{ "api", APP, "GET", false, false, 200, CREDS "Access-Control-Expose-Headers: X-Request-ID\n"
	  "Vary: Origin", "error:allowed-origin-refused" },
	{ "api", APP, "GET", false, false, 200, ACAO "*\n" CREDS
	  "Access-Control-Expose-Headers: X-Request-ID\nVary: Origin", "error:allow-origin-differs" },
	{ "api", APP, "GET", false, false, 200, ACAO "HTTPS://APP.EXAMPLE.COM\n" CREDS
	  "Access-Control-Expose-Headers: X-Request-ID\nVary: Origin", "error:allow-origin-differs" },
	/* credentials */
	{ "api", APP, "GET", false, false, 200, ACAO APP "\nAccess-Control-Allow-Credentials: True\n"
	  "Access-Control-Expose-Headers: X-Request-ID\nVary: Origin", "error:credentials-differ" },
	{ "open", "https://a.example.com", "GET", false, false, 200,
	  ACAO "https://a.example.com\n" CREDS "Vary: Origin", "error:credentials-differ" },
	/* Vary */
	{ "api", APP, "GET", false, false, 200, ACAO APP "\n" CREDS
	  "Access-Control-Expose-Headers: X-Request-ID\nVary: Accept-Encoding",
	  "error:vary-lacks-origin" },
	{ "api", "https://evil.example", "GET", false, false, 200, "", "error:vary-lacks-origin" },
	{ "api", APP, "GET", false, false, 200, ACAO APP "\n" CREDS
	  "Access-Control-Expose-Headers: X-Request-ID\nVary: Origins", "error:vary-lacks-origin" },
	/* preflights */
	{ "api", APP, "PUT", true, false, 405, ACAO APP "\n" CREDS PF_OK "Vary: Origin",
	  "error:preflight-not-ok" },
	{ "api", APP, "PUT", true, false, 301, ACAO APP "\n" CREDS PF_OK "Vary: Origin",
	  "error:preflight-not-ok" },
	{ "api", "https://evil.example", "PUT", true, false, 403, "Vary: Origin", "" },
	{ "api", APP, "PUT", true, false, 204, ACAO APP "\n" CREDS
	  "Access-Control-Allow-Methods: GET, POST, DELETE\n"
	  "Access-Control-Allow-Headers: Content-Type, Authorization\n"
	  "Access-Control-Max-Age: 600\nVary: Origin", "error:preflight-lacks-method" },
	{ "api", APP, "PUT", true, false, 204, ACAO APP "\n" CREDS
	  "Access-Control-Allow-Methods: get, post, put, delete\n"
	  "Access-Control-Allow-Headers: Content-Type, Authorization\n"
	  "Access-Control-Max-Age: 600\nVary: Origin", "error:preflight-lacks-method" },
	{ "api", APP, "PUT", true, false, 204, ACAO APP "\n" CREDS
	  "Access-Control-Allow-Methods: *\n"
	  "Access-Control-Allow-Headers: Content-Type, Authorization\n"
	  "Access-Control-Max-Age: 600\nVary: Origin", "error:preflight-lacks-method" },
	{ "api", APP, "PUT", true, false, 204, ACAO APP "\n" CREDS
	  "Access-Control-Allow-Methods: GET, POST, PUT, DELETE, PATCH\n"
	  "Access-Control-Allow-Headers: Content-Type, Authorization\n"
	  "Access-Control-Max-Age: 600\nVary: Origin", "warning:longer-method-list" },
	{ "api", APP, "PUT", true, false, 204, ACAO APP "\n" CREDS
	  "Access-Control-Allow-Methods: GET, POST, PUT, DELETE\n"
	  "Access-Control-Allow-Headers: Content-Type\n"
	  "Access-Control-Max-Age: 600\nVary: Origin", "error:preflight-lacks-header" },
	{ "api", APP, "PUT", true, false, 204, ACAO APP "\n" CREDS
	  "Access-Control-Allow-Methods: GET, POST, PUT, DELETE\n"
	  "Access-Control-Allow-Headers: Content-Type, Authorization\n"
	  "Access-Control-Max-Age: 7200\nVary: Origin", "warning:max-age-differs" },
	{ "api", APP, "PUT", true, false, 204, ACAO APP "\n" CREDS
	  "Access-Control-Allow-Methods: GET, POST, PUT, DELETE\n"
	  "Access-Control-Allow-Headers: Content-Type, Authorization\nVary: Origin",
	  "warning:max-age-differs" },
	/* without credentials, '*' covers the methods, and the headers but Authorization */
	{ "open", "https://a.example.com", "PUT", true, false, 204,
	  ACAO "https://a.example.com\nAccess-Control-Allow-Methods: *\n"
	  "Access-Control-Allow-Headers: Authorization, *\nVary: Origin",
	  "warning:longer-method-list,warning:longer-header-list" },
	{ "open", "https://a.example.com", "PUT", true, false, 204,
	  ACAO "https://a.example.com\nAccess-Control-Allow-Methods: GET, PUT\n"
	  "Access-Control-Allow-Headers: *\nVary: Origin", "error:preflight-lacks-header" },
	/* Private Network Access the policy does not give */
	{ "api", APP, "PUT", true, true, 204, ACAO APP "\n" CREDS PF_OK
	  "Access-Control-Allow-Private-Network: true\nVary: Origin", "error:private-network-differs" },
	/* the application's own extra header on a simple answer: a warning */
	{ "api", APP, "GET", false, false, 200, ACAO APP "\n" CREDS
	  "Access-Control-Expose-Headers: X-Request-ID\nAccess-Control-Allow-Methods: GET\n"
	  "Vary: Origin", "warning:unexpected-header" },
	{ "api", APP, "GET", false, false, 200, ACAO APP "\n" CREDS "Vary: Origin",
	  "error:expose-lacks-header" },
	/* origins *: '*', no Vary needed */
	{ "any", "https://x.example", "GET", false, false, 200,
	  ACAO "*\nAccess-Control-Expose-Headers: *", "" },
	{ "any", "https://x.example", "GET", false, false, 200,
	  ACAO "https://x.example\nAccess-Control-Expose-Headers: *", "error:allow-origin-differs" },
};

static void test_compare_table(void)
{
	char got[512];
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct compare_case *c = &cases[i];
		const struct policy *p = policy(c->policy);
		struct verify_request rq;
		make_request(&rq, p, c->origin, c->method, c->preflight,
			     c->preflight ? "authorization,content-type" : NULL, c->pna);
		struct verify_answer a;
		make_answer(&a, c->status, c->headers);
		struct verify_findings f = { 0 };
		verify_compare(p, &rq, 0, &a, &f);
		kinds(&f, got, sizeof(got));
		if (strcmp(got, c->want) != 0)
			fprintf(stderr, "\ncase %zu: want '%s', got '%s'\n", i, c->want, got);
		CU_ASSERT_STRING_EQUAL(got, c->want);
		if (strstr(c->origin ? c->origin : "", "app.example.com.evil"))   /* named critical */
			CU_ASSERT(f.n && strncmp(f.v[0].message, "critical", 8) == 0);
		verify_findings_free(&f);
		verify_answer_free(&a);
		free_request(&rq);
	}
}

/* ---- random header sets ---- */

static unsigned long long rng = 0x9E3779B97F4A7C15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void random_case(char *s)
{
	for (; *s; s++)
		if (rnd(2))
			*s = (char)(rnd(2) ? ascii_toupper((unsigned char)*s) : ascii_tolower((unsigned char)*s));
}

/*
 * Whatever the order, case of names and whitespace, eval's own headers plus
 * harmless others compare clean; one Access-Control-* header twice is always
 * an error naming it; nothing crashes or leaks on arbitrary sets.
 */
static void test_compare_random(void)
{
	static const char *const origins[] = {
		APP, "https://x.tenants.example.com", "https://evil.example", "null", NULL,
		"https://a.example.com", "http://app.example.com",
	};
	static const char *const pols[] = { "api", "open", "any" };
	static const char *const junk[] = {
		"Server: x", "Date: now", "X-Request-ID: 1", "Vary: Accept-Encoding", "Content-Type: a/b",
		"Set-Cookie: a=b", "Access-Control-Allow-Origin: *", "Access-Control-Max-Age: 5",
		"Vary", "access-control-allow-credentials: false", ": empty", "X-\x01: \xff\xfe",
	};
	for (int iter = 0; iter < 3000; iter++) {
		const struct policy *p = policy(pols[rnd(ARRAY_SIZE(pols))]);
		bool pf = rnd(2);
		struct verify_request rq;
		make_request(&rq, p, origins[rnd(ARRAY_SIZE(origins))], pf ? "PUT" : "GET", pf,
			     NULL, rnd(4) == 0);
		/* eval's answer, shuffled, names in random case, spaces added */
		struct strbuf sb = STRBUF_INIT;
		size_t n = rq.expect.nh, order[EVAL_MAX_HEADERS];
		for (size_t k = 0; k < n; k++)
			order[k] = k;
		for (size_t k = n; k > 1; k--) {
			size_t j = rnd((unsigned)k), t = order[k - 1];
			order[k - 1] = order[j];
			order[j] = t;
		}
		int dup = iter % 3 == 0 && n ? (int)rnd((unsigned)n) : -1;
		bool junk_only_safe = true;
		for (size_t k = 0; k < n; k++) {
			const struct eval_header *h = &rq.expect.h[order[k]];
			char name[64];
			snprintf(name, sizeof(name), "%s", h->name);
			random_case(name);
			sb_printf(&sb, "%s:%s%s%s\n", name, rnd(2) ? " " : "", h->value, rnd(2) ? "\t" : "");
			if ((int)order[k] == dup)
				sb_printf(&sb, "%s: %s\n", h->name, h->value);
		}
		/* harmless extras: Server, Date, X-Request-ID, Content-Type */
		for (int k = rnd(4); k > 0; k--)
			sb_printf(&sb, "%s\n", junk[rnd(5)]);
		struct verify_answer a;
		make_answer(&a, pf ? 204 : 200, sb_str(&sb));
		struct verify_findings f = { 0 };
		verify_compare(p, &rq, 0, &a, &f);
		bool dup_cors = dup >= 0 && strcmp(rq.expect.h[dup].name, "Vary") != 0;
		bool has_dup = false, has_other = false;
		for (size_t k = 0; k < f.n; k++) {
			if (strcmp(f.v[k].kind, "duplicate-header") == 0 && f.v[k].sev == VSEV_ERROR &&
			    strstr(f.v[k].message, rq.expect.h[dup].name))
				has_dup = true;
			else
				has_other = true;
		}
		CU_ASSERT(has_dup == dup_cors);
		if (junk_only_safe && !dup_cors && has_other)
			fprintf(stderr, "\nrandom %d: unexpected %s: %s\n", iter, f.v[0].kind, f.v[0].message);
		CU_ASSERT(dup_cors || !has_other);
		verify_findings_free(&f);
		verify_answer_free(&a);

		/* arbitrary sets from the junk pool: no crash, no leak, findings well formed */
		sb_reset(&sb);
		for (int k = rnd(8); k > 0; k--)
			sb_printf(&sb, "%s\n", junk[rnd(ARRAY_SIZE(junk))]);
		make_answer(&a, (int)rnd(600), sb_str(&sb));
		verify_compare(p, &rq, 0, &a, &f);
		for (size_t k = 0; k < f.n; k++)
			CU_ASSERT(f.v[k].kind && f.v[k].message && f.v[k].got && f.v[k].want);
		verify_findings_free(&f);
		verify_answer_free(&a);
		sb_release(&sb);
		free_request(&rq);
	}
}

/* ---- the exposure audit ---- */

static void test_exposure_audit(void)
{
	const struct policy *p = policy("api");
	struct verify_plan plan = { 0 };
	plan.n = plan.planned = 1;
	plan.v = xcalloc(1, sizeof(*plan.v));
	make_request(&plan.v[0], p, APP, "GET", false, NULL, false);
	struct verify_answer a;
	make_answer(&a, 200, ACAO APP "\n" CREDS "Access-Control-Expose-Headers: X-Request-ID, *\n"
		    "Vary: Origin\nX-Secret: 1\nx-secret: 2\nContent-Type: text/plain\n"
		    "Set-Cookie: a=b\nConnection: keep-alive");
	struct verify_findings f = { 0 };
	verify_audit_exposure(p, &plan, &a, &f);
	char got[512];
	kinds(&f, got, sizeof(got));
	/* Vary, X-Secret (once), Set-Cookie hidden; X-Request-ID exposed but never sent */
	CU_ASSERT_STRING_EQUAL(got, "note:not-readable,note:not-readable,note:not-readable,"
			       "note:exposed-never-sent");
	bool star_literal = false;
	for (size_t i = 0; i < f.n; i++)
		if (strstr(f.v[i].message, "X-Secret") && strstr(f.v[i].message, "literal"))
			star_literal = true;
	CU_ASSERT(star_literal);     /* with credentials, '*' exposes nothing */
	verify_findings_free(&f);
	verify_answer_free(&a);
	verify_plan_free(&plan);
}

/* ---- the plan ---- */

static bool plan_has(const struct verify_plan *plan, const char *cls, const char *origin)
{
	for (size_t i = 0; i < plan->n; i++)
		if (strcmp(plan->v[i].cls, cls) == 0 &&
		    (origin ? plan->v[i].origin && strcmp(plan->v[i].origin, origin) == 0
			    : plan->v[i].origin == NULL))
			return true;
	return false;
}

static void test_plan(void)
{
	const struct policy *p = policy("api");
	struct verify_plan a, b;
	verify_plan_build(p, 200, &a);
	verify_plan_build(p, 200, &b);
	CU_ASSERT(a.n == b.n && a.n > 20 && a.n <= 200);
	for (size_t i = 0; i < a.n && i < b.n; i++) {
		CU_ASSERT(a.v[i].id == i + 1);
		CU_ASSERT_STRING_EQUAL(a.v[i].cls, b.v[i].cls);
		CU_ASSERT_STRING_EQUAL(a.v[i].method, b.v[i].method);
		CU_ASSERT((a.v[i].origin == NULL) == (b.v[i].origin == NULL));
		if (a.v[i].origin && b.v[i].origin)
			CU_ASSERT_STRING_EQUAL(a.v[i].origin, b.v[i].origin);
		/* the expectation is eval's: allowed exactly when the policy matches */
		const char *o = a.v[i].origin;
		CU_ASSERT(a.v[i].expect.allowed == (o && policy_allows_origin(p, o, strlen(o))));
		/* only GET, HEAD, or a preflight */
		CU_ASSERT(a.v[i].preflight || !strcmp(a.v[i].method, "GET") ||
			  !strcmp(a.v[i].method, "HEAD"));
	}
	CU_ASSERT(plan_has(&a, "allowed", APP));
	CU_ASSERT(plan_has(&a, "pattern", "https://corsc-probe.tenants.example.com"));
	CU_ASSERT(plan_has(&a, "unrelated", "https://corsc-probe.example"));
	CU_ASSERT(plan_has(&a, "prefix", "https://app.example.com.corsc-probe.example"));
	CU_ASSERT(plan_has(&a, "suffix", "https://corsc-probeapp.example.com"));
	CU_ASSERT(plan_has(&a, "unescaped-dot", "https://appxexample.com"));
	CU_ASSERT(plan_has(&a, "scheme-downgrade", "http://app.example.com"));
	CU_ASSERT(plan_has(&a, "other-port", "https://app.example.com:8443"));
	CU_ASSERT(plan_has(&a, "subdomain", "https://corsc-probe.app.example.com"));
	CU_ASSERT(plan_has(&a, "parent", "https://tenants.example.com"));
	CU_ASSERT(plan_has(&a, "two-labels", "https://a.corsc-probe.tenants.example.com"));
	CU_ASSERT(plan_has(&a, "null", "null"));
	CU_ASSERT(plan_has(&a, "no-origin", NULL));
	/* preflights for PUT and DELETE, never the methods themselves */
	bool put = false, del = false;
	for (size_t i = 0; i < a.n; i++) {
		put |= a.v[i].preflight && !strcmp(a.v[i].method, "PUT");
		del |= a.v[i].preflight && !strcmp(a.v[i].method, "DELETE");
	}
	CU_ASSERT(put && del);
	verify_plan_free(&b);
	/* --max-requests keeps the first N */
	verify_plan_build(p, 5, &b);
	CU_ASSERT(b.n == 5 && b.planned == a.n);
	for (size_t i = 0; i < b.n; i++)
		CU_ASSERT_STRING_EQUAL(a.v[i].method, b.v[i].method);
	verify_plan_free(&a);
	verify_plan_free(&b);
}

static void test_curl_command(void)
{
	const struct policy *p = policy("api");
	const char *hdrs[] = { "X-Env: staging", "Cookie: s=secret" };
	const char *res[] = { "api.example.com:443:127.0.0.1" };
	struct verify_options o = {
		.url = "https://api.example.com/it's", .timeout = 5, .max_requests = 10,
		.cacert = "ca.pem", .resolve = res, .nresolve = 1, .headers = hdrs, .nheaders = 2,
	};
	struct verify_request rq;
	make_request(&rq, p, APP, "PUT", true, "authorization,content-type", false);
	struct strbuf sb = STRBUF_INIT;
	verify_curl_command(&o, &rq, &sb);
	CU_ASSERT_STRING_EQUAL(sb_str(&sb),
		"curl -sS -o /dev/null -D - -X OPTIONS -H 'Origin: https://app.example.com' "
		"-H 'Access-Control-Request-Method: PUT' "
		"-H 'Access-Control-Request-Headers: authorization,content-type' "
		"-H 'X-Env: staging' -H 'Cookie: <the value given with --header>' "
		"--cacert 'ca.pem' --resolve 'api.example.com:443:127.0.0.1' "
		"'https://api.example.com/it'\\''s'");
	free_request(&rq);
	sb_reset(&sb);
	make_request(&rq, p, NULL, "HEAD", false, NULL, false);
	o.nheaders = 0;
	o.cacert = NULL;
	o.nresolve = 0;
	verify_curl_command(&o, &rq, &sb);
	CU_ASSERT_STRING_EQUAL(sb_str(&sb), "curl -sS -I 'https://api.example.com/it'\\''s'");
	free_request(&rq);
	sb_release(&sb);
}

static void test_cleanup(void)
{
	if (compiled)
		compilation_free(&comp);
	compiled = false;
}

void register_verify(void)
{
	static const struct test_case t[] = {
		{ "compare: table", test_compare_table },
		{ "compare: random header sets", test_compare_random },
		{ "exposure audit", test_exposure_audit },
		{ "plan", test_plan },
		{ "curl command line", test_curl_command },
		{ "cleanup", test_cleanup },
		{ NULL, NULL },
	};
	register_cases("verify", t);
}
