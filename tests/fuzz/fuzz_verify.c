/*
 * fuzz_verify.c - libFuzzer target: `corsc verify`'s comparison and reports
 * on arbitrary answers.  The first byte picks a policy and a request of its
 * plan; the rest is the answer: a status line's number, then header lines
 * "Name: value" (any bytes), as libcurl hands them over.  The comparison,
 * the exposure audit and (for a quarter of the inputs) all three reports run on it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "verify.h"

static const char policies[] =
	"policy api {\n"
	"    origins \"https://app.example.com\", \"https://*.tenants.example.com\", \"null\";\n"
	"    methods GET, POST, PUT, DELETE;\n"
	"    allow-headers Content-Type, Authorization;\n"
	"    expose-headers X-Request-ID;\n"
	"    credentials true;\n"
	"    max-age 10m;\n"
	"    private-network false;\n"
	"}\n"
	"policy any { origins *; methods *; allow-headers *; expose-headers *; }\n"
	"policy dev { origins \"http://localhost:*\", \"http://[::1]:*\"; private-network true; }\n";

static struct compilation comp;
static struct verify_plan plans[3];

static void setup(void)
{
	if (comp.ir)
		return;
	struct source *src = source_from_string("fuzz.cors", policies, sizeof(policies) - 1);
	compile_source(&comp, src, FORMAT_DSL, false);
	if (diag_failed(&comp.dq) || comp.ir->nresolved != 3)
		abort();
	for (size_t i = 0; i < 3; i++)
		verify_plan_build(&comp.ir->resolved[i], 200, &plans[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	if (size < 2)
		return 0;
	size_t pi = data[0] % 3;
	const struct policy *p = &comp.ir->resolved[pi];
	const struct verify_plan *plan = &plans[pi];
	size_t ri = data[1] % plan->n;
	struct verify_answer *answers = calloc(plan->n, sizeof(*answers));
	if (!answers)
		return 0;
	struct verify_answer *a = &answers[ri];
	a->sent = true;
	a->http_version = "1.1";
	const char *s = (const char *)data + 2, *end = (const char *)data + size;
	a->status = size > 2 ? 100 + data[2] * 2 : 200;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		const char *colon = memchr(s, ':', (size_t)(e - s));
		if (colon && colon > s) {
			/* a header line as a C string: NUL bytes end it, as libcurl's would not */
			char *line = strndup(s, (size_t)(e - s));
			size_t len = strlen(line);
			char *c = memchr(line, ':', len);
			if (c && c > line)
				verify_answer_add(a, line, (size_t)(c - line), c + 1,
						  len - (size_t)(c - line) - 1);
			free(line);
		}
		s = nl ? nl + 1 : end;
	}
	struct verify_findings f = { 0 };
	verify_compare(p, &plan->v[ri], ri, a, &f);
	verify_audit_exposure(p, plan, answers, &f);
	struct verify_options o = { .url = "http://127.0.0.1:1/", .timeout = 1, .max_requests = 200 };
	struct verify_run run = {
		.opt = &o, .file = "fuzz.cors", .policy = p, .plan = plan, .answers = answers,
		.sent = 1, .findings = &f, .exit_status = f.nerrors ? 1 : 0,
	};
	/* the reports are slow (the whole plan): one input in four renders them */
	for (int k = VREPORT_TEXT; (data[0] & 0x0c) == 0 && k <= VREPORT_JUNIT; k++) {
		struct strbuf sb = STRBUF_INIT;
		verify_report(&run, (enum verify_report)k, &sb);
		sb_release(&sb);
	}
	verify_findings_free(&f);
	verify_answer_free(a);
	free(answers);
	return 0;
}
