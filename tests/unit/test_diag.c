/*
 * test_diag.c - the diagnostic queue and its two renderers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "rules.h"
#include "testutil.h"

static char *render(struct diag_queue *q, enum diag_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	diag_print(q, f, fmt, false);
	fclose(f);
	return buf;
}

static void test_text_caret(void)
{
	const char *text = "policy api {\n    origins *;\n}\n";
	struct source *src = source_from_string("api.cors", text, strlen(text));
	struct diag_queue q;
	diag_init(&q);
	size_t off = (size_t)(strchr(text, '*') - text);
	diag_emit(&q, "E020", span_at(src, off, 1), "list the allowed origins explicitly",
		  "credentials true with origins * is rejected by every browser");
	char *out = render(&q, DIAG_TEXT);
	CU_ASSERT_STRING_EQUAL(out,
		"api.cors:2:13: error[E020]: credentials true with origins * is rejected by every browser\n"
		"    origins *;\n"
		"            ^\n"
		"  note: list the allowed origins explicitly\n");
	CU_ASSERT_TRUE(diag_failed(&q));
	free(out);
	diag_release(&q);
	source_free(src);
}

static void test_json_and_werror(void)
{
	const char *text = "a\n\tb \"x\"\n";
	struct source *src = source_from_string("w.cors", text, strlen(text));
	struct diag_queue q;
	diag_init(&q);
	diag_emit(&q, "W107", span_at(src, 3, 1), NULL, "duplicate \"%s\"", "b\x01");
	CU_ASSERT_FALSE(diag_failed(&q));
	char *out = render(&q, DIAG_JSON);
	CU_ASSERT_STRING_EQUAL(out,
		"{\"code\":\"W107\",\"severity\":\"warning\",\"file\":\"w.cors\",\"line\":2,"
		"\"column\":2,\"length\":1,\"message\":\"duplicate \\\"b\\u0001\\\"\"}\n");
	free(out);
	q.werror = true;
	CU_ASSERT_TRUE(diag_failed(&q));
	out = render(&q, DIAG_TEXT);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "w.cors:2:2: error[W107]: duplicate \"b\\x01\"\n\tb \"x\"\n\t^\n"));
	free(out);
	diag_release(&q);
	source_free(src);
}

static void test_columns_count_characters(void)
{
	const char *text = "\xc3\xa9\xc3\xa9x";   /* "ééx" */
	struct source *src = source_from_string("u.cors", text, strlen(text));
	struct span s = span_at(src, 4, 1);
	CU_ASSERT_EQUAL(s.line, 1);
	CU_ASSERT_EQUAL(s.col, 3);
	struct span t = span_linecol(src, 1, 3, 1);
	CU_ASSERT_EQUAL(t.offset, 4);
	source_free(src);
}

static void test_error_cap(void)
{
	struct source *src = source_from_string("c.cors", "x", 1);
	struct diag_queue q;
	diag_init(&q);
	for (int i = 0; i < DIAG_MAX_ERRORS + 10; i++)
		diag_emit(&q, "E001", span_at(src, 0, 1), NULL, "error %d", i);
	CU_ASSERT_EQUAL(q.n, DIAG_MAX_ERRORS);
	CU_ASSERT_EQUAL(q.dropped, 10);
	CU_ASSERT_TRUE(diag_capped(&q));
	diag_release(&q);
	source_free(src);
}

static void test_every_rule_in_catalogue(void)
{
	static const char *codes[] = {
		"E001", "E002", "E003", "E004", "E005", "E010", "E011", "E012", "E013",
		"E020", "E021", "E022", "E023", "E024", "E030", "E031", "E032", "E033",
		"E034", "E035", "W101", "W102", "W103", "W104", "W105", "W106", "W107",
		"W108", "W109", "W110", "W111",
	};
	CU_ASSERT_EQUAL(nrules, sizeof(codes) / sizeof(codes[0]));
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const struct rule *r = rule_find(codes[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->severity, codes[i][0] == 'E' ? SEV_ERROR : SEV_WARNING);
	}
	CU_ASSERT_PTR_NULL(rule_find("E999"));
}

void register_diag(void)
{
	static const struct test_case cases[] = {
		{ "text renderer with caret and note", test_text_caret },
		{ "json renderer, escaping, werror", test_json_and_werror },
		{ "columns count characters", test_columns_count_characters },
		{ "error cap", test_error_cap },
		{ "rule catalogue has every code", test_every_rule_in_catalogue },
		{ NULL, NULL },
	};
	register_cases("diag", cases);
}
