/*
 * test_response.c - the response plan (response.c): its rows for the shapes
 * of policy SPEC section 6 describes, and that eval and the backends follow
 * it where they used to decide on their own.
 */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "eval.h"
#include "response.h"
#include "testutil.h"

struct want_row {
	enum cors_header h;
	enum plan_value kind;
	const char *value;
	unsigned when, needs;
};

static void expect_plan(const char *text, bool any, const struct want_row *want, size_t n)
{
	struct compilation c;
	compile_string(&c, "t.cors", text, FORMAT_DSL);
	CU_ASSERT_FALSE_FATAL(diag_failed(&c.dq));
	CU_ASSERT_EQUAL_FATAL(c.ir->nresolved, 1);
	struct response_plan plan;
	response_plan_make(&c.ir->resolved[0], &plan);
	CU_ASSERT_EQUAL(plan.any, any);
	CU_ASSERT_EQUAL(plan.vary_origin, !any);
	CU_ASSERT_EQUAL(plan.preflight_status, 204);
	CU_ASSERT_TRUE(plan.strip_app_headers);
	CU_ASSERT_EQUAL(plan.n, n);
	for (size_t i = 0; i < n && i < plan.n; i++) {
		const struct plan_row *r = &plan.rows[i];
		CU_ASSERT_EQUAL(r->header, want[i].h);
		CU_ASSERT_STRING_EQUAL(r->name, cors_response_headers[want[i].h]);
		CU_ASSERT_EQUAL(r->kind, want[i].kind);
		if (want[i].value && r->value) {
			CU_ASSERT_STRING_EQUAL(r->value, want[i].value);
		} else {
			CU_ASSERT_PTR_EQUAL(r->value, want[i].value);
		}
		CU_ASSERT_EQUAL(r->when, want[i].when);
		CU_ASSERT_EQUAL(r->needs, want[i].needs);
		CU_ASSERT_PTR_EQUAL(plan_row_of(&plan, want[i].h), r);
	}
	response_plan_release(&plan);
	compilation_free(&c);
}

static void test_rows(void)
{
	static const struct want_row api[] = {
		{ CH_ALLOW_ORIGIN, PLAN_ECHO_ORIGIN, NULL, PLAN_BOTH, PLAN_NEED_ALLOWED },
		{ CH_ALLOW_CREDENTIALS, PLAN_LITERAL, "true", PLAN_BOTH, PLAN_NEED_ALLOWED },
		{ CH_ALLOW_METHODS, PLAN_LITERAL, "GET, PUT", PLAN_PREFLIGHT, PLAN_NEED_ALLOWED },
		{ CH_ALLOW_HEADERS, PLAN_LITERAL, "Content-Type, Authorization", PLAN_PREFLIGHT,
		  PLAN_NEED_ALLOWED },
		{ CH_MAX_AGE, PLAN_LITERAL, "600", PLAN_PREFLIGHT, PLAN_NEED_ALLOWED },
		{ CH_ALLOW_PRIVATE_NETWORK, PLAN_LITERAL, "true", PLAN_PREFLIGHT,
		  PLAN_NEED_ALLOWED | PLAN_NEED_PNA },
		{ CH_EXPOSE_HEADERS, PLAN_LITERAL, "X-A, X-B", PLAN_ACTUAL, PLAN_NEED_ALLOWED },
	};
	expect_plan("policy api {\n"
		    "    origins \"https://a.example.com\";\n"
		    "    methods GET, PUT;\n"
		    "    allow-headers Content-Type, Authorization;\n"
		    "    expose-headers X-A, X-B;\n"
		    "    credentials true;\n"
		    "    max-age 10m;\n"
		    "    private-network true;\n"
		    "}\n", false, api, ARRAY_SIZE(api));

	static const struct want_row assets[] = {
		{ CH_ALLOW_ORIGIN, PLAN_LITERAL, "*", PLAN_BOTH, 0 },
		{ CH_ALLOW_METHODS, PLAN_LITERAL, "GET, HEAD", PLAN_PREFLIGHT, 0 },
		{ CH_EXPOSE_HEADERS, PLAN_LITERAL, "*", PLAN_ACTUAL, 0 },
	};
	expect_plan("policy assets { origins *; methods GET, HEAD; expose-headers *; }\n",
		    true, assets, ARRAY_SIZE(assets));

	static const struct want_row bare[] = {
		{ CH_ALLOW_ORIGIN, PLAN_ECHO_ORIGIN, NULL, PLAN_BOTH, PLAN_NEED_ALLOWED },
	};
	expect_plan("policy bare { origins \"https://a.example.com\"; credentials false; }\n",
		    false, bare, ARRAY_SIZE(bare));
}

static void test_applies(void)
{
	struct plan_row r = { .when = PLAN_PREFLIGHT, .needs = PLAN_NEED_ALLOWED | PLAN_NEED_PNA };
	CU_ASSERT_TRUE(plan_row_applies(&r, true, true, true));
	CU_ASSERT_FALSE(plan_row_applies(&r, false, true, true));
	CU_ASSERT_FALSE(plan_row_applies(&r, true, false, true));
	CU_ASSERT_FALSE(plan_row_applies(&r, true, true, false));
	r = (struct plan_row){ .when = PLAN_ACTUAL, .needs = 0 };
	CU_ASSERT_TRUE(plan_row_applies(&r, false, false, false));
	CU_ASSERT_FALSE(plan_row_applies(&r, true, true, true));
	r.when = PLAN_BOTH;
	CU_ASSERT_TRUE(plan_row_applies(&r, true, false, false));
	CU_ASSERT_TRUE(plan_row_applies(&r, false, false, false));
}

/* The output of backend name for p (one policy); the caller frees it. */
static char *emit_all(const char *name, const struct policy *p)
{
	struct emit_ctx ctx = { "t.cors", p, 1 };
	struct out_set set;
	struct strbuf err = STRBUF_INIT, all = STRBUF_INIT;
	out_set_init(&set);
	CU_ASSERT_TRUE(backend_find(name)->emit(&ctx, &set, &err));
	for (size_t i = 0; i < set.n; i++)
		sb_add(&all, set.v[i].data, set.v[i].len);
	out_set_release(&set);
	sb_release(&err);
	return sb_detach(&all, NULL);
}

/*
 * origins * with credentials true (E020 refuses it, so built by hand): the
 * plan sends no Access-Control-Allow-Credentials, and neither does eval or
 * any backend.  Apache and Caddy used to send it on credentials alone.
 */
static void test_no_credentials_with_any(void)
{
	struct policy p = { .name = "anycred", .any_origin = true, .credentials = true };
	struct response_plan plan;
	response_plan_make(&p, &plan);
	CU_ASSERT_PTR_NULL(plan_row_of(&plan, CH_ALLOW_CREDENTIALS));
	response_plan_release(&plan);

	struct eval_request req = { .origin = "https://a.example.com" };
	struct eval_response res;
	eval_policy(&p, &req, &res);
	for (size_t i = 0; i < res.nh; i++)
		CU_ASSERT_STRING_NOT_EQUAL(res.h[i].name, "Access-Control-Allow-Credentials");
	eval_response_free(&res);

	char *ngx = emit_all("nginx", &p), *apache = emit_all("apache", &p),
	     *caddy = emit_all("caddy", &p);
	CU_ASSERT_PTR_NULL(strstr(ngx, "add_header Access-Control-Allow-Credentials"));
	CU_ASSERT_PTR_NULL(strstr(apache, "Header always set Access-Control-Allow-Credentials"));
	CU_ASSERT_PTR_NULL(strstr(caddy, "Access-Control-Allow-Credentials true"));
	/* the same file sends the other headers: the test looks at real output */
	CU_ASSERT_PTR_NOT_NULL(strstr(ngx, "add_header Access-Control-Allow-Origin \"*\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(apache, "set Access-Control-Allow-Origin \"*\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(caddy, "Access-Control-Allow-Origin *"));
	free(ngx);
	free(apache);
	free(caddy);
}

void register_response(void)
{
	static const struct test_case cases[] = {
		{ "rows of the plan", test_rows },
		{ "when a row applies", test_applies },
		{ "no credentials with origins *, anywhere", test_no_credentials_with_any },
		{ NULL, NULL },
	};
	register_cases("response", cases);
}
