/*
 * test_eval.c - the reference semantics of SPEC section 6 (eval.c), case by
 * case, and the origin index (origin_index.c) at scale.  Expected headers are
 * written from SPEC section 6, the README's decisions and the Fetch standard.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "origin.h"
#include "testutil.h"

/* ---- the policies the table refers to, by name ---- */

struct named_policy { const char *name, *text; };

static const struct named_policy policies[] = {
	{ "api",
	  "policy api {\n"
	  "    origins \"https://app.example.com\", \"https://admin.example.com\";\n"
	  "    methods GET, POST, PUT, DELETE;\n"
	  "    allow-headers Content-Type, Authorization;\n"
	  "    expose-headers X-Request-ID, X-RateLimit-Remaining;\n"
	  "    credentials true;\n"
	  "    max-age 10m;\n"
	  "}\n" },
	{ "assets",
	  "policy assets {\n"
	  "    origins *;\n"
	  "    methods GET, HEAD;\n"
	  "    expose-headers *;\n"
	  "    max-age 2h;\n"
	  "}\n" },
	{ "bare", "policy bare { origins \"https://a.example.com\"; }\n" },
	{ "anybare", "policy anybare { origins *; }\n" },
	{ "zero", "policy zero { origins \"https://a.example.com\"; max-age 0; }\n" },
	{ "pna",
	  "policy pna {\n"
	  "    origins \"http://localhost:*\", \"https://intranet.example.com\";\n"
	  "    methods *;\n"
	  "    allow-headers *, Authorization;\n"
	  "    private-network true;\n"
	  "}\n" },
	{ "wild",
	  "policy wild {\n"
	  "    origins \"https://*.example.com\", \"https://**.eu.example.com\";\n"
	  "    credentials true;\n"
	  "}\n" },
	{ "ports", "policy ports { origins \"http://localhost:*\", \"https://app.example.com:8443\"; }\n" },
	{ "null", "policy nul { origins \"null\", \"https://a.example.com\"; }\n" },
	{ "hdrany",
	  "policy hdrany {\n"
	  "    origins \"https://a.example.com\";\n"
	  "    methods *;\n"
	  "    allow-headers *;\n"
	  "    expose-headers *;\n"
	  "}\n" },
	{ "ip", "policy ip { origins \"http://[::1]:*\", \"http://127.0.0.1:8080\"; }\n" },
	{ "nocred",
	  "policy nocred {\n"
	  "    origins \"https://a.example.com\";\n"
	  "    credentials false;\n"
	  "    expose-headers X-A;\n"
	  "    methods PUT;\n"
	  "    allow-headers X-B;\n"
	  "}\n" },
	{ NULL, NULL },
};

static const char *policy_text(const char *name)
{
	for (const struct named_policy *p = policies; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p->text;
	return NULL;
}

/* Compile a named policy; NULL (and a test failure) if it does not compile. */
static const struct policy *compile_named(struct compilation *c, const char *name)
{
	const char *text = policy_text(name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	compile_string(c, "t.cors", text, FORMAT_DSL);
	CU_ASSERT_FALSE(diag_failed(&c->dq));
	CU_ASSERT_EQUAL(c->ir->nresolved, 1);
	if (diag_failed(&c->dq) || c->ir->nresolved != 1)
		return NULL;
	return &c->ir->resolved[0];
}

/* ---- the table ---- */

#define ACAO "Access-Control-Allow-Origin: "
#define ACAC "Access-Control-Allow-Credentials: true\n"
#define ACAM "Access-Control-Allow-Methods: "
#define ACAH "Access-Control-Allow-Headers: "
#define ACMA "Access-Control-Max-Age: "
#define ACAPN "Access-Control-Allow-Private-Network: true\n"
#define ACEH "Access-Control-Expose-Headers: "
#define VARY "Vary: Origin\n"
#define NONE ""

#define APP "https://app.example.com"
#define API_PRE ACAC ACAM "GET, POST, PUT, DELETE\n" ACAH "Content-Type, Authorization\n" \
	ACMA "600\n" VARY
#define API_ACT ACAC ACEH "X-Request-ID, X-RateLimit-Remaining\n" VARY

/* flags */
#define PRE 1      /* a preflight */
#define PNA 2      /* Access-Control-Request-Private-Network: true */

struct eval_case {
	const char *policy;
	const char *origin;        /* NULL: no Origin header */
	const char *method;        /* NULL: default (GET) */
	const char *headers;       /* comma-separated Access-Control-Request-Headers, or NULL */
	int flags;
	int status;                /* 204, or 0: the application answers */
	const char *expect;        /* the exact header lines, in order */
};

static const struct eval_case cases[] = {
	/* api: a list of exact origins, credentials, every header kind */
	{ "api", APP, "PUT", NULL, PRE, 204, ACAO APP "\n" API_PRE },
	{ "api", "https://admin.example.com", "POST", NULL, PRE, 204,
	  ACAO "https://admin.example.com\n" API_PRE },
	{ "api", APP, "PUT", "Content-Type", PRE, 204, ACAO APP "\n" API_PRE },
	/* the server does not judge the method or headers asked for: the browser does */
	{ "api", APP, "PATCH", NULL, PRE, 204, ACAO APP "\n" API_PRE },
	{ "api", APP, "DELETE", "X-Unknown, Authorization", PRE, 204, ACAO APP "\n" API_PRE },
	{ "api", APP, NULL, NULL, PRE, 204, ACAO APP "\n" API_PRE },
	{ "api", "https://evil.example.com", "PUT", NULL, PRE, 204, VARY },
	/* private-network false: never Allow-Private-Network */
	{ "api", APP, "PUT", NULL, PRE | PNA, 204, ACAO APP "\n" API_PRE },
	/* byte-exact origins: case and trailing dot differ */
	{ "api", "https://APP.example.com", "PUT", NULL, PRE, 204, VARY },
	{ "api", "HTTPS://app.example.com", "PUT", NULL, PRE, 204, VARY },
	{ "api", "https://app.example.com.", "PUT", NULL, PRE, 204, VARY },
	/* no Origin, or an empty one: not a preflight, the application answers */
	{ "api", NULL, "PUT", NULL, PRE, 0, VARY },
	{ "api", "", "PUT", NULL, PRE, 0, VARY },
	/* an empty Access-Control-Request-Method counts as absent: not a preflight */
	{ "api", APP, "", NULL, PRE, 0, ACAO APP "\n" API_ACT },
	/* actual requests */
	{ "api", APP, "GET", NULL, 0, 0, ACAO APP "\n" API_ACT },
	{ "api", APP, NULL, NULL, 0, 0, ACAO APP "\n" API_ACT },
	{ "api", "https://admin.example.com", "POST", NULL, 0, 0,
	  ACAO "https://admin.example.com\n" API_ACT },
	{ "api", APP, "DELETE", NULL, 0, 0, ACAO APP "\n" API_ACT },
	/* a method outside the list still gets the headers: the browser checked the preflight */
	{ "api", APP, "PATCH", NULL, 0, 0, ACAO APP "\n" API_ACT },
	{ "api", APP, "GET", NULL, PNA, 0, ACAO APP "\n" API_ACT },
	{ "api", "https://evil.example.com", "GET", NULL, 0, 0, VARY },
	{ "api", NULL, "GET", NULL, 0, 0, VARY },
	{ "api", "", "GET", NULL, 0, 0, VARY },
	{ "api", "https://app.example.com/", "GET", NULL, 0, 0, VARY },
	{ "api", "http://app.example.com", "GET", NULL, 0, 0, VARY },
	{ "api", "https://app.example.com:443", "GET", NULL, 0, 0, VARY },
	{ "api", "https://app.example.com.evil.net", "GET", NULL, 0, 0, VARY },
	{ "api", "https://evil-app.example.com", "GET", NULL, 0, 0, VARY },
	{ "api", "https://app.example.co", "GET", NULL, 0, 0, VARY },
	{ "api", "https://app.example.comm", "GET", NULL, 0, 0, VARY },
	{ "api", " https://app.example.com", "GET", NULL, 0, 0, VARY },
	{ "api", "https://app.example.com ", "GET", NULL, 0, 0, VARY },
	{ "api", "null", "GET", NULL, 0, 0, VARY },
	{ "api", "*", "GET", NULL, 0, 0, VARY },
	{ "api", "https://APP.example.com", "GET", NULL, 0, 0, VARY },
	{ "api", "https://app.example.com.", "GET", NULL, 0, 0, VARY },

	/* origins *: "*" on every response, with or without Origin, never Vary */
	{ "assets", "https://any.example.org", "GET", NULL, PRE, 204,
	  ACAO "*\n" ACAM "GET, HEAD\n" ACMA "7200\n" },
	{ "assets", "null", "GET", NULL, PRE, 204, ACAO "*\n" ACAM "GET, HEAD\n" ACMA "7200\n" },
	{ "assets", "https://x.example.org", "GET", "X-Foo", PRE | PNA, 204,
	  ACAO "*\n" ACAM "GET, HEAD\n" ACMA "7200\n" },
	{ "assets", NULL, "GET", NULL, PRE, 0, ACAO "*\n" ACEH "*\n" },
	{ "assets", "", "GET", NULL, PRE, 0, ACAO "*\n" ACEH "*\n" },
	{ "assets", "https://any.example.org", "GET", NULL, 0, 0, ACAO "*\n" ACEH "*\n" },
	{ "assets", "https://ANY.example.org.", "GET", NULL, 0, 0, ACAO "*\n" ACEH "*\n" },
	{ "assets", NULL, "GET", NULL, 0, 0, ACAO "*\n" ACEH "*\n" },
	{ "assets", "", "HEAD", NULL, 0, 0, ACAO "*\n" ACEH "*\n" },
	{ "assets", "null", "GET", NULL, PNA, 0, ACAO "*\n" ACEH "*\n" },
	{ "anybare", "https://x.example.org", "PUT", NULL, PRE, 204, ACAO "*\n" },
	{ "anybare", "https://x.example.org", "GET", NULL, 0, 0, ACAO "*\n" },
	{ "anybare", NULL, "GET", NULL, 0, 0, ACAO "*\n" },

	/* only origins: Allow-Origin and Vary, nothing else */
	{ "bare", "https://a.example.com", "POST", "Content-Type", PRE, 204,
	  ACAO "https://a.example.com\n" VARY },
	{ "bare", "https://b.example.com", "POST", NULL, PRE, 204, VARY },
	{ "bare", "https://a.example.com", "GET", NULL, 0, 0, ACAO "https://a.example.com\n" VARY },
	{ "bare", "https://b.example.com", "GET", NULL, 0, 0, VARY },
	{ "bare", NULL, "GET", NULL, 0, 0, VARY },
	{ "bare", "https://a.example.com", "GET", NULL, PRE | PNA, 204,
	  ACAO "https://a.example.com\n" VARY },

	/* max-age 0 is sent (it disables the preflight cache); never on actual responses */
	{ "zero", "https://a.example.com", "PUT", NULL, PRE, 204,
	  ACAO "https://a.example.com\n" ACMA "0\n" VARY },
	{ "zero", "https://a.example.com", "GET", NULL, 0, 0, ACAO "https://a.example.com\n" VARY },
	{ "zero", "https://b.example.com", "PUT", NULL, PRE, 204, VARY },

	/* private network access; methods * and allow-headers *, Authorization */
	{ "pna", "http://localhost:3000", "PUT", NULL, PRE | PNA, 204,
	  ACAO "http://localhost:3000\n" ACAM "*\n" ACAH "*, Authorization\n" ACAPN VARY },
	{ "pna", "http://localhost:3000", "PUT", NULL, PRE, 204,
	  ACAO "http://localhost:3000\n" ACAM "*\n" ACAH "*, Authorization\n" VARY },
	{ "pna", "https://intranet.example.com", "GET", NULL, PRE | PNA, 204,
	  ACAO "https://intranet.example.com\n" ACAM "*\n" ACAH "*, Authorization\n" ACAPN VARY },
	{ "pna", "https://evil.example.com", "GET", NULL, PRE | PNA, 204, VARY },
	{ "pna", "http://localhost:3000", "GET", NULL, PNA, 0, ACAO "http://localhost:3000\n" VARY },
	{ "pna", "https://intranet.example.com", "GET", NULL, 0, 0,
	  ACAO "https://intranet.example.com\n" VARY },

	/* a ":*" port: no port, or ':' and 1 to 5 digits */
	{ "pna", "http://localhost", "GET", NULL, 0, 0, ACAO "http://localhost\n" VARY },
	{ "pna", "http://localhost:1", "GET", NULL, 0, 0, ACAO "http://localhost:1\n" VARY },
	{ "pna", "http://localhost:65535", "GET", NULL, 0, 0, ACAO "http://localhost:65535\n" VARY },
	{ "pna", "http://localhost:", "GET", NULL, 0, 0, VARY },
	{ "pna", "http://localhost:123456", "GET", NULL, 0, 0, VARY },
	{ "pna", "http://localhost:abc", "GET", NULL, 0, 0, VARY },
	{ "pna", "http://localhost:3000/", "GET", NULL, 0, 0, VARY },
	{ "pna", "https://localhost:3000", "GET", NULL, 0, 0, VARY },
	{ "pna", "http://localhost.:3000", "GET", NULL, 0, 0, VARY },
	{ "pna", "http://LOCALHOST:3000", "GET", NULL, 0, 0, VARY },
	{ "pna", "http://sub.localhost:3000", "GET", NULL, 0, 0, VARY },
	{ "pna", "http://localhostx:3000", "GET", NULL, 0, 0, VARY },
	{ "ports", "https://app.example.com:8443", "GET", NULL, 0, 0,
	  ACAO "https://app.example.com:8443\n" VARY },
	{ "ports", "https://app.example.com", "GET", NULL, 0, 0, VARY },
	{ "ports", "https://app.example.com:8444", "GET", NULL, 0, 0, VARY },
	{ "ports", "https://app.example.com:08443", "GET", NULL, 0, 0, VARY },
	{ "ports", "http://localhost:8080", "GET", NULL, PRE, 204, ACAO "http://localhost:8080\n" VARY },

	/* "*." is one label, "**." one or more; never a regex dot */
	{ "wild", "https://a.example.com", "GET", NULL, 0, 0, ACAO "https://a.example.com\n" ACAC VARY },
	{ "wild", "https://a.example.com", "PUT", NULL, PRE, 204,
	  ACAO "https://a.example.com\n" ACAC VARY },
	{ "wild", "https://a.b.example.com", "GET", NULL, 0, 0, VARY },
	{ "wild", "https://a.b.example.com", "PUT", NULL, PRE, 204, VARY },
	{ "wild", "https://example.com", "GET", NULL, 0, 0, VARY },
	{ "wild", "https://.example.com", "GET", NULL, 0, 0, VARY },
	{ "wild", "https://evil-example.com", "GET", NULL, 0, 0, VARY },
	{ "wild", "https://a.example.com.evil.net", "GET", NULL, 0, 0, VARY },
	{ "wild", "https://aexample.com", "GET", NULL, 0, 0, VARY },
	{ "wild", "https://A.example.com", "GET", NULL, 0, 0, VARY },
	{ "wild", "https://a.example.com.", "GET", NULL, 0, 0, VARY },
	{ "wild", "http://a.example.com", "GET", NULL, 0, 0, VARY },
	{ "wild", "https://a.example.com:8443", "GET", NULL, 0, 0, VARY },
	{ "wild", "https://*.example.com", "GET", NULL, 0, 0, VARY },
	{ "wild", "https://a_b-1.example.com", "GET", NULL, 0, 0,
	  ACAO "https://a_b-1.example.com\n" ACAC VARY },
	{ "wild", "https://eu.example.com", "GET", NULL, 0, 0, ACAO "https://eu.example.com\n" ACAC VARY },
	{ "wild", "https://shop.eu.example.com", "GET", NULL, 0, 0,
	  ACAO "https://shop.eu.example.com\n" ACAC VARY },
	{ "wild", "https://shop.acme.eu.example.com", "GET", NULL, 0, 0,
	  ACAO "https://shop.acme.eu.example.com\n" ACAC VARY },
	{ "wild", "https://x.y.z.eu.example.com", "PUT", NULL, PRE, 204,
	  ACAO "https://x.y.z.eu.example.com\n" ACAC VARY },
	{ "wild", "https://a..eu.example.com", "GET", NULL, 0, 0, VARY },
	{ "wild", "https://a.b.eu.example.com.evil.net", "GET", NULL, 0, 0, VARY },
	/* 63 characters is the longest label, 64 is one too many */
	{ "wild", "https://" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" ".example.com",
	  "GET", NULL, 0, 0, ACAO "https://"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" ".example.com\n" ACAC VARY },
	{ "wild", "https://" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" ".example.com",
	  "GET", NULL, 0, 0, VARY },

	/* the opaque origin "null", allowed explicitly (W104), matched exactly */
	{ "null", "null", "GET", NULL, 0, 0, ACAO "null\n" VARY },
	{ "null", "null", "PUT", NULL, PRE, 204, ACAO "null\n" VARY },
	{ "null", "Null", "GET", NULL, 0, 0, VARY },
	{ "null", "null ", "GET", NULL, 0, 0, VARY },
	{ "null", "https://a.example.com", "GET", NULL, 0, 0, ACAO "https://a.example.com\n" VARY },

	/* wildcards in every list, without credentials */
	{ "hdrany", "https://a.example.com", "PUT", "X-Anything", PRE, 204,
	  ACAO "https://a.example.com\n" ACAM "*\n" ACAH "*\n" VARY },
	{ "hdrany", "https://a.example.com", "GET", NULL, 0, 0,
	  ACAO "https://a.example.com\n" ACEH "*\n" VARY },
	{ "hdrany", "https://b.example.com", "GET", NULL, 0, 0, VARY },

	/* IP hosts */
	{ "ip", "http://[::1]:5173", "GET", NULL, 0, 0, ACAO "http://[::1]:5173\n" VARY },
	{ "ip", "http://[::1]", "GET", NULL, 0, 0, ACAO "http://[::1]\n" VARY },
	{ "ip", "http://127.0.0.1:8080", "GET", NULL, 0, 0, ACAO "http://127.0.0.1:8080\n" VARY },
	{ "ip", "http://127.0.0.1:8081", "GET", NULL, 0, 0, VARY },
	{ "ip", "http://127.0.0.1", "GET", NULL, 0, 0, VARY },
	{ "ip", "http://[::2]:5173", "GET", NULL, 0, 0, VARY },

	/* credentials false: no Allow-Credentials anywhere */
	{ "nocred", "https://a.example.com", "GET", NULL, 0, 0,
	  ACAO "https://a.example.com\n" ACEH "X-A\n" VARY },
	{ "nocred", "https://a.example.com", "PUT", "X-B", PRE, 204,
	  ACAO "https://a.example.com\n" ACAM "PUT\n" ACAH "X-B\n" VARY },
	{ "nocred", "https://a.example.com", "PUT", "X-B", PRE | PNA, 204,
	  ACAO "https://a.example.com\n" ACAM "PUT\n" ACAH "X-B\n" VARY },
	{ "nocred", NULL, "GET", NULL, 0, 0, VARY },
};

/* The header lines of a response, one "Name: value\n" each. */
static char *header_lines(const struct eval_response *res)
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "");
	for (size_t i = 0; i < res->nh; i++)
		sb_printf(&sb, "%s: %s\n", res->h[i].name, res->h[i].value);
	return sb_detach(&sb, NULL);
}

static bool run_case(const struct eval_case *t, size_t row)
{
	struct compilation c;
	const struct policy *p = compile_named(&c, t->policy);
	if (!p) {
		compilation_free(&c);
		return false;
	}
	/* split the comma-separated request headers */
	const char *hv[8];
	char hbuf[256];
	size_t nh = 0;
	if (t->headers) {
		snprintf(hbuf, sizeof(hbuf), "%s", t->headers);
		for (char *s = strtok(hbuf, ", "); s && nh < ARRAY_SIZE(hv); s = strtok(NULL, ", "))
			hv[nh++] = s;
	}
	struct eval_request req = {
		.origin = t->origin,
		.method = t->method,
		.headers = hv,
		.nheaders = nh,
		.preflight = t->flags & PRE,
		.private_network = t->flags & PNA,
	};
	struct eval_response res;
	eval_policy(p, &req, &res);
	char *got = header_lines(&res);
	bool ok = res.status == t->status && strcmp(got, t->expect) == 0;
	/* allowed: the origin matched (or origins *), exactly when Allow-Origin is sent */
	ok = ok && res.allowed == (strncmp(t->expect, ACAO, strlen(ACAO)) == 0);
	if (!ok)
		fprintf(stderr, "\neval row %zu: policy %s, origin %s%s%s, preflight %d, pna %d\n"
			"  expected status %d:\n%s  got status %d, allowed %d:\n%s",
			row, t->policy, t->origin ? "'" : "", t->origin ? t->origin : "(none)",
			t->origin ? "'" : "", !!(t->flags & PRE), !!(t->flags & PNA),
			t->status, t->expect, res.status, res.allowed, got);
	free(got);
	eval_response_free(&res);
	compilation_free(&c);
	return ok;
}

static void test_table(void)
{
	CU_ASSERT(ARRAY_SIZE(cases) >= 80);
	size_t failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (!run_case(&cases[i], i))
			failed++;
	CU_ASSERT_EQUAL(failed, 0);
}

/* ---- the two renderers ---- */

static char *render(const struct policy *p, const struct eval_request *req, bool json)
{
	struct eval_response res;
	struct strbuf sb = STRBUF_INIT;
	eval_policy(p, req, &res);
	if (json)
		eval_format_json(&res, &sb);
	else
		eval_format_text(&res, &sb);
	eval_response_free(&res);
	return sb_detach(&sb, NULL);
}

static void test_formats(void)
{
	struct compilation c;
	const struct policy *p = compile_named(&c, "bare");
	if (!p) {
		compilation_free(&c);
		return;
	}
	struct eval_request pre = { .origin = "https://a.example.com", .method = "PUT", .preflight = true };
	struct eval_request act = { .origin = "https://b.example.com" };
	char *s = render(p, &pre, false);
	CU_ASSERT_STRING_EQUAL(s, "HTTP/1.1 204 No Content\n"
			       "Access-Control-Allow-Origin: https://a.example.com\n"
			       "Vary: Origin\n");
	free(s);
	s = render(p, &pre, true);
	CU_ASSERT_STRING_EQUAL(s, "{\"preflight\":true,\"status\":204,\"allowed\":true,\"headers\":["
			       "[\"Access-Control-Allow-Origin\",\"https://a.example.com\"],"
			       "[\"Vary\",\"Origin\"]]}\n");
	free(s);
	s = render(p, &act, false);
	CU_ASSERT_STRING_EQUAL(s, "(the application's response, status unchanged)\n"
			       "Vary: Origin\n");
	free(s);
	s = render(p, &act, true);
	CU_ASSERT_STRING_EQUAL(s, "{\"preflight\":false,\"status\":null,\"allowed\":false,"
			       "\"headers\":[[\"Vary\",\"Origin\"]]}\n");
	free(s);
	compilation_free(&c);

	p = compile_named(&c, "anybare");
	if (p) {
		struct eval_request none = { 0 };
		s = render(p, &none, true);
		CU_ASSERT_STRING_EQUAL(s, "{\"preflight\":false,\"status\":null,\"allowed\":true,"
				       "\"headers\":[[\"Access-Control-Allow-Origin\",\"*\"]]}\n");
		free(s);
	}
	compilation_free(&c);
}

/*
 * A policy built by hand (as a tool could): the JSON renderer must quote an
 * origin that no validated policy would hold.
 */
static void test_json_quoting(void)
{
	struct arena *a = arena_new();
	struct policy p = { .name = "h" };
	p.origins = arena_alloc(a, sizeof(*p.origins));
	p.origins[0].kind = ORIGIN_EXACT;
	p.origins[0].text = "https://\"q\\.example.com\x01";
	p.norigins = 1;
	origin_index_build(a, &p);
	struct eval_request req = { .origin = p.origins[0].text };
	char *s = render(&p, &req, true);
	CU_ASSERT_STRING_EQUAL(s, "{\"preflight\":false,\"status\":null,\"allowed\":true,\"headers\":["
			       "[\"Access-Control-Allow-Origin\",\"https://\\\"q\\\\.example.com\\u0001\"],"
			       "[\"Vary\",\"Origin\"]]}\n");
	free(s);
	arena_free(a);
}

/* ---- the origin index ---- */

#define NBIG 100000

static struct policy *big_policy(struct arena *a, size_t n, bool with_index)
{
	struct policy *p = arena_alloc(a, sizeof(*p));
	p->name = "big";
	p->origins = arena_alloc(a, n * sizeof(*p->origins));
	p->norigins = n;
	for (size_t i = 0; i < n; i++) {
		p->origins[i].kind = ORIGIN_EXACT;
		p->origins[i].text = arena_printf(a, "https://t%zu.example.com", i);
		p->origins[i].port = -1;
	}
	if (with_index)
		origin_index_build(a, p);
	return p;
}

static bool allows(const struct policy *p, const char *s)
{
	return policy_allows_origin(p, s, strlen(s));
}

static void test_index_big(void)
{
	struct arena *a = arena_new();
	struct policy *p = big_policy(a, NBIG, true);
	CU_ASSERT_PTR_NOT_NULL(p->index);
	size_t found = 0, near = 0;
	char buf[128];
	for (size_t i = 0; i < NBIG; i++) {
		snprintf(buf, sizeof(buf), "https://t%zu.example.com", i);
		found += allows(p, buf);
		/* near misses: one more digit, a trailing dot, a case change, a slash, a port */
		snprintf(buf, sizeof(buf), "https://t%zu.example.com", i + NBIG);
		near += allows(p, buf);
		snprintf(buf, sizeof(buf), "https://t%zu.example.com.", i);
		near += allows(p, buf);
		snprintf(buf, sizeof(buf), "https://T%zu.example.com", i);
		near += allows(p, buf);
		snprintf(buf, sizeof(buf), "https://t%zu.example.com/", i);
		near += allows(p, buf);
		snprintf(buf, sizeof(buf), "http://t%zu.example.com", i);
		near += allows(p, buf);
		snprintf(buf, sizeof(buf), "https://t%zu.example.com:443", i);
		near += allows(p, buf);
	}
	CU_ASSERT_EQUAL(found, NBIG);
	CU_ASSERT_EQUAL(near, 0);
	/* a prefix of an entry is not the entry (length is part of the key) */
	CU_ASSERT_TRUE(policy_allows_origin(p, "https://t1.example.com", 22));
	CU_ASSERT_FALSE(policy_allows_origin(p, "https://t1.example.com", 21));
	CU_ASSERT_FALSE(allows(p, ""));
	CU_ASSERT_FALSE(policy_allows_origin(p, NULL, 0));
	arena_free(a);
}

static void test_index_small(void)
{
	struct arena *a = arena_new();
	struct policy p = { .name = "s" };
	struct origin o[4] = {
		{ .kind = ORIGIN_EXACT, .text = "https://a.example.com", .port = -1 },
		{ .kind = ORIGIN_NULL, .text = "null", .port = -1 },
		{ .kind = ORIGIN_EXACT, .text = "https://a.example.com", .port = -1 },  /* duplicate */
		{ .kind = ORIGIN_EXACT, .text = "http://b.example.com:8080", .port = 8080 },
	};
	p.origins = o;
	p.norigins = 4;
	/* without an index: the same answers, by a linear scan */
	for (int pass = 0; pass < 2; pass++) {
		CU_ASSERT_TRUE(allows(&p, "https://a.example.com"));
		CU_ASSERT_TRUE(allows(&p, "null"));
		CU_ASSERT_TRUE(allows(&p, "http://b.example.com:8080"));
		CU_ASSERT_FALSE(allows(&p, "http://b.example.com"));
		CU_ASSERT_FALSE(allows(&p, "NULL"));
		CU_ASSERT_FALSE(allows(&p, "https://a.example.co"));
		CU_ASSERT_FALSE(allows(&p, ""));
		origin_index_build(a, &p);
		CU_ASSERT_PTR_NOT_NULL(p.index);
	}
	/* an Origin with a NUL byte inside is not its prefix */
	CU_ASSERT_FALSE(policy_allows_origin(&p, "null\0x", 6));

	/* no origins at all, and origins * */
	struct policy empty = { .name = "e" };
	origin_index_build(a, &empty);
	CU_ASSERT_FALSE(allows(&empty, "https://a.example.com"));
	struct policy any = { .name = "any", .any_origin = true };
	origin_index_build(a, &any);
	CU_ASSERT_TRUE(allows(&any, "https://whatever.example.org"));
	CU_ASSERT_TRUE(allows(&any, "null"));
	arena_free(a);
}

/* The linear scan (no index) and the index agree, patterns included. */
static void test_index_matches_scan(void)
{
	static const char *const names[] = { "wild", "pna", "ports", "null", "ip" };
	size_t agree = 0, total = 0;
	for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
		struct compilation c;
		const struct policy *p = compile_named(&c, names[k]);
		if (!p) {
			compilation_free(&c);
			continue;
		}
		CU_ASSERT_PTR_NOT_NULL(p->index);
		struct policy noindex = *p;
		noindex.index = NULL;
		for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
			const char *o = cases[i].origin;
			if (!o)
				continue;
			total++;
			agree += allows(p, o) == allows(&noindex, o);
		}
		compilation_free(&c);
	}
	CU_ASSERT(total > 500);
	CU_ASSERT_EQUAL(agree, total);
}

void register_eval(void)
{
	static const struct test_case t[] = {
		{ "SPEC 6 table", test_table },
		{ "text and JSON output", test_formats },
		{ "JSON quoting", test_json_quoting },
		{ "index of 100000 origins", test_index_big },
		{ "index basics", test_index_small },
		{ "index agrees with a linear scan", test_index_matches_scan },
		{ NULL, NULL },
	};
	register_cases("eval", t);
}
