/*
 * test_exposure.c - the script's view of a CORS response (exposure.c),
 * case by case from the Fetch standard: safelisted names, the exposed list,
 * "*" with and without credentials, Set-Cookie, an unparsable list.
 */
#include <string.h>

#include "eval.h"
#include "exposure.h"
#include "strbuf.h"
#include "testutil.h"

struct exposure_case {
	const char *name, *expose;
	bool credentialed;
	enum exposure want;
};

static const struct exposure_case cases[] = {
	{ "Content-Type", NULL, false, EXPOSE_SAFELISTED },
	{ "content-length", NULL, true, EXPOSE_SAFELISTED },
	{ "PRAGMA", "X-A", false, EXPOSE_SAFELISTED },
	{ "Date", NULL, false, HIDDEN_NOT_EXPOSED },
	{ "X-Request-ID", NULL, false, HIDDEN_NOT_EXPOSED },
	{ "X-Request-ID", "X-Request-ID", false, EXPOSE_LISTED },
	{ "x-request-id", "X-Request-ID, X-Other", true, EXPOSE_LISTED },
	{ "X-Other", "X-Request-ID,X-Other", false, EXPOSE_LISTED },
	{ "X-Other", " X-Request-ID ,\tX-Other ", false, EXPOSE_LISTED },
	{ "X-Other", "X-Request-ID,, ,X-Other", false, EXPOSE_LISTED },
	{ "X-Req", "X-Request-ID", false, HIDDEN_NOT_EXPOSED },
	{ "X-Request-ID-2", "X-Request-ID", false, HIDDEN_NOT_EXPOSED },
	{ "X-Anything", "*", false, EXPOSE_WILDCARD },
	{ "X-Anything", "X-A, *", false, EXPOSE_WILDCARD },
	{ "X-Anything", "*", true, HIDDEN_WILDCARD_LITERAL },
	{ "X-A", "X-A, *", true, EXPOSE_LISTED },
	{ "Set-Cookie", "Set-Cookie", false, HIDDEN_FORBIDDEN },
	{ "set-cookie2", "*", false, HIDDEN_FORBIDDEN },
	{ "Set-Cookie", NULL, false, HIDDEN_FORBIDDEN },
	{ "X-A", "X-A X-B", false, HIDDEN_BAD_LIST },
	{ "X-A", "X-A, \"X-B\"", false, HIDDEN_BAD_LIST },
	{ "X-A", "", false, HIDDEN_NOT_EXPOSED },
};

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct exposure_case *c = &cases[i];
		enum exposure got = exposure_of(c->name, c->expose, c->credentialed);
		if (got != c->want)
			fprintf(stderr, "\nexposure_of(%s, %s, %d) = %d, want %d\n", c->name,
				c->expose ? c->expose : "NULL", c->credentialed, got, c->want);
		CU_ASSERT_EQUAL(got, c->want);
		CU_ASSERT_EQUAL(exposure_readable(got),
				c->want == EXPOSE_SAFELISTED || c->want == EXPOSE_LISTED ||
				c->want == EXPOSE_WILDCARD);
		CU_ASSERT(strlen(exposure_reason(got)) > 10);
	}
}

/* The Fetch standard's CORS check: Allow-Origin, credentials, Allow-Credentials. */
struct check_case {
	const char *acao, *acac, *origin;
	bool credentialed, want;
};

static const struct check_case checks[] = {
	{ NULL, NULL, "https://a.example", false, false },
	{ "*", NULL, "https://a.example", false, true },
	{ "*", "true", "https://a.example", true, false },
	{ "https://a.example", NULL, "https://a.example", false, true },
	{ "https://a.example", NULL, "https://a.example", true, false },
	{ "https://a.example", "true", "https://a.example", true, true },
	{ "https://a.example", "TRUE", "https://a.example", true, false },
	{ "https://b.example", "true", "https://a.example", true, false },
	{ "https://A.example", NULL, "https://a.example", false, false },
	{ "null", NULL, "null", false, true },
};

static void test_cors_check(void)
{
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		const struct check_case *c = &checks[i];
		const char *why = NULL;
		bool got = exposure_cors_check(c->acao, c->acac, c->origin, c->credentialed, &why);
		if (got != c->want)
			fprintf(stderr, "\nexposure_cors_check(%s, %s, %s, %d) = %d\n",
				c->acao ? c->acao : "NULL", c->acac ? c->acac : "NULL", c->origin,
				c->credentialed, got);
		CU_ASSERT_EQUAL(got, c->want);
		CU_ASSERT_EQUAL(why == NULL, c->want);
	}
}

/* The script's view of an eval response, as text and as a JSON member. */
static void test_view_format(void)
{
	struct eval_response res;
	memset(&res, 0, sizeof(res));
	res.allowed = true;
	res.h[0].name = "Access-Control-Allow-Origin";
	res.h[0].value = (char *)"https://a.example";
	res.h[1].name = "Access-Control-Expose-Headers";
	res.h[1].value = (char *)"X-A, *";
	res.nh = 2;
	const char *names[] = { "X-A", "X-B", "Pragma" };
	struct exposure_view v = { "https://a.example", false, names, 3 };

	struct strbuf sb = STRBUF_INIT;
	exposure_format_text(&res, &v, &sb);
	CU_ASSERT_STRING_EQUAL(sb_str(&sb),
		"\nA script on https://a.example (fetch without credentials) can read these response headers:\n"
		"    X-A     named in Access-Control-Expose-Headers\n"
		"    X-B     Access-Control-Expose-Headers is '*' and the request has no credentials\n"
		"    Pragma  a CORS-safelisted response header: always readable\n"
		"(The same fetch with credentials would reject: a request with credentials needs "
		"Access-Control-Allow-Credentials: true.)\n");
	sb_reset(&sb);

	/* with credentials the response fails the CORS check: nothing readable */
	v.credentialed = true;
	sb_puts(&sb, "{\"x\":1}\n");
	exposure_format_json(&res, &v, &sb);
	CU_ASSERT_STRING_EQUAL(sb_str(&sb),
		"{\"x\":1,\"script\":{\"origin\":\"https://a.example\",\"credentials\":true,"
		"\"response\":false,\"why\":\"a request with credentials needs "
		"Access-Control-Allow-Credentials: true\",\"other_credentials\":{\"response\":true},"
		"\"headers\":[{\"name\":\"X-A\",\"readable\":false,\"why\":\"no-response\","
		"\"reason\":\"a request with credentials needs Access-Control-Allow-Credentials: true\"},"
		"{\"name\":\"X-B\",\"readable\":false,\"why\":\"no-response\",\"reason\":\"a request "
		"with credentials needs Access-Control-Allow-Credentials: true\"},{\"name\":\"Pragma\","
		"\"readable\":false,\"why\":\"no-response\",\"reason\":\"a request with credentials "
		"needs Access-Control-Allow-Credentials: true\"}]}}\n");
	sb_reset(&sb);

	/* no Origin: no script's view */
	v.origin = NULL;
	exposure_format_text(&res, &v, &sb);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb_str(&sb), "No Origin"));
	sb_reset(&sb);
	sb_puts(&sb, "{}\n");
	exposure_format_json(&res, &v, &sb);
	CU_ASSERT_STRING_EQUAL(sb_str(&sb), "{\"script\":null}\n");
	sb_release(&sb);
}

void register_exposure(void)
{
	static const struct test_case t[] = {
		{ "Fetch standard cases", test_cases },
		{ "the CORS check", test_cors_check },
		{ "the script's view as text and JSON", test_view_format },
		{ NULL, NULL },
	};
	register_cases("exposure", t);
}
