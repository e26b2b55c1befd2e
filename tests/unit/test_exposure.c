/*
 * test_exposure.c - the script's view of a CORS response (exposure.c),
 * case by case from the Fetch standard: safelisted names, the exposed list,
 * "*" with and without credentials, Set-Cookie, an unparsable list.
 */
#include <string.h>

#include "exposure.h"
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

void register_exposure(void)
{
	static const struct test_case t[] = {
		{ "Fetch standard cases", test_cases },
		{ NULL, NULL },
	};
	register_cases("exposure", t);
}
