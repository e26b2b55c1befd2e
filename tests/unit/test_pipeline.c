/*
 * test_pipeline.c - several files as one set of policies (E004 across files,
 * located at both), related locations in every renderer, the GitHub
 * workflow-command escaping and the SARIF fields code scanning reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "diag.h"
#include "rules.h"
#include "strbuf.h"
#include "testutil.h"
#include "util.h"

static char *render(const struct diag_queue *q, enum diag_format fmt)
{
	struct strbuf sb = STRBUF_INIT;
	diag_render(q, &sb, fmt, false);
	CU_ASSERT_FALSE(sb.failed);
	size_t n;
	char *s = sb_detach(&sb, &n);
	return s ? s : calloc(1, 1);
}

static void add_string(struct program *p, const char *name, const char *text)
{
	struct source *src = source_from_string(name, text, strlen(text));
	program_add(p, src, format_for_path(name));
}

static void test_program_e004_across_files(void)
{
	struct program p;
	program_init(&p, false);
	add_string(&p, "a.cors", "policy api { origins \"https://a.example.com\"; }\n");
	add_string(&p, "b.yaml", "policies:\n  other:\n    origins: \"*\"\n  API:\n    origins: \"*\"\n");
	program_link(&p);
	CU_ASSERT_EQUAL_FATAL(p.dq.n, 1);
	const struct diag *d = &p.dq.v[0];
	CU_ASSERT_STRING_EQUAL(d->code, "E004");
	CU_ASSERT_STRING_EQUAL(d->span.src->name, "b.yaml");
	CU_ASSERT_EQUAL(d->span.line, 4);
	CU_ASSERT_EQUAL(d->span.col, 3);
	CU_ASSERT_EQUAL_FATAL(d->nrelated, 1);
	CU_ASSERT_STRING_EQUAL(d->related[0].span.src->name, "a.cors");
	CU_ASSERT_EQUAL(d->related[0].span.line, 1);
	CU_ASSERT_EQUAL(d->related[0].span.col, 8);

	char *text = render(&p.dq, DIAG_TEXT);
	CU_ASSERT_STRING_EQUAL(text,
		"b.yaml:4:3: error[E004]: policy name 'API' is already used\n"
		"  API:\n"
		"  ^~~\n"
		"a.cors:1:8: note: policy 'api' is first defined here\n"
		"policy api { origins \"https://a.example.com\"; }\n"
		"       ^~~\n"
		"  note: names equal after case-folding and '-'/'_' would give the same output files\n");
	free(text);
	char *json = render(&p.dq, DIAG_JSON);
	CU_ASSERT_PTR_NOT_NULL(strstr(json, ",\"related\":[{\"file\":\"a.cors\",\"line\":1,"
				      "\"column\":8,\"length\":3,\"message\":\"policy 'api' is "
				      "first defined here\"}]}\n"));
	free(json);
	program_free(&p);
}

static void test_program_merges_policies(void)
{
	struct program p;
	program_init(&p, false);
	add_string(&p, "a.cors", "policy one { origins *; }\npolicy two { origins *; }\n");
	add_string(&p, "b.YML", "policies:\n  three:\n    origins: \"*\"\n");
	program_link(&p);
	CU_ASSERT_EQUAL(p.dq.n, 0);
	CU_ASSERT_EQUAL_FATAL(p.npolicies, 3);
	CU_ASSERT_STRING_EQUAL(p.policies[0].name, "one");
	CU_ASSERT_STRING_EQUAL(p.policies[1].name, "two");
	CU_ASSERT_STRING_EQUAL(p.policies[2].name, "three");
	program_free(&p);
}

static void test_format_by_extension_any_case(void)
{
	CU_ASSERT_EQUAL(format_for_path("a.yaml"), FORMAT_YAML);
	CU_ASSERT_EQUAL(format_for_path("a.YAML"), FORMAT_YAML);
	CU_ASSERT_EQUAL(format_for_path("a.Yml"), FORMAT_YAML);
	CU_ASSERT_EQUAL(format_for_path("a.json"), FORMAT_YAML);
	CU_ASSERT_EQUAL(format_for_path("a.JSON"), FORMAT_YAML);
	CU_ASSERT_EQUAL(format_for_path("a.CORS"), FORMAT_DSL);
	CU_ASSERT_EQUAL(format_for_path("yaml"), FORMAT_DSL);
	CU_ASSERT_EQUAL(format_for_path("a.yaml.cors"), FORMAT_DSL);
}

/* Diagnostics from one hostile source: a name with every character the runner reads. */
static void hostile_queue(struct diag_queue *q, struct source **src)
{
	const char *text = "policy api {\n    origins *;\n    credentials true;\n}\n";
	*src = source_from_string("we,ird:na%me\r\nx.cors", text, strlen(text));
	diag_init(q);
	size_t off = (size_t)(strchr(text, '*') - text);
	diag_emit(q, "E020", span_at(*src, off, 1), "list the origins: 100% sure",
		  "msg with %s", "a,b:c%d\r\nnext\x1b[31m");
	size_t w = (size_t)(strstr(text, "credentials") - text);
	diag_emit(q, "W105", span_at(*src, w, 11), NULL, "plain warning");
	diag_add_related(q, span_at(*src, 7, 3), "see %s", "here, too");
}

static void test_github_escaping(void)
{
	struct diag_queue q;
	struct source *src;
	hostile_queue(&q, &src);
	char *out = render(&q, DIAG_GITHUB);
	CU_ASSERT_STRING_EQUAL(out,
		"::error file=we%2Cird%3Ana%25me%0D%0Ax.cors,line=2,col=13,endColumn=14,title=E020::"
		"msg with a,b:c%25d%0D%0Anext?[31m%0Anote: list the origins: 100%25 sure\n"
		"::warning file=we%2Cird%3Ana%25me%0D%0Ax.cors,line=3,col=5,endColumn=16,title=W105::"
		"plain warning%0Awe,ird:na%25me%0D%0Ax.cors:1:8: see here, too\n");
	free(out);
	/* under --werror every command is ::error */
	q.werror = true;
	out = render(&q, DIAG_GITHUB);
	CU_ASSERT_PTR_NULL(strstr(out, "::warning"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "::error file=we%2Cird%3Ana%25me%0D%0Ax.cors,line=3,"));
	free(out);
	diag_release(&q);
	source_free(src);
}

static void test_github_no_place(void)
{
	struct diag_queue q;
	diag_init(&q);
	diag_emit(&q, "E001", span_at(NULL, 0, 0), NULL, "no policy");
	char *out = render(&q, DIAG_GITHUB);
	CU_ASSERT_STRING_EQUAL(out, "::error title=E001::no policy\n");
	free(out);
	diag_release(&q);
}

static void test_sarif_fields(void)
{
	struct diag_queue q;
	struct source *src;
	hostile_queue(&q, &src);
	char *out = render(&q, DIAG_SARIF);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"version\":\"2.1.0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"name\":\"corsc\",\"version\":\"" CORSC_VERSION "\""));
	/* every rule of the catalogue, with its default level */
	for (size_t i = 0; i < nrules; i++) {
		char want[128];
		snprintf(want, sizeof(want), "{\"id\":\"%s\",\"shortDescription\":", rules[i].code);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"defaultConfiguration\":{\"level\":\"warning\"}"));
	/* results: rule, its index, level, message with the note, region with its end */
	char want[256];
	snprintf(want, sizeof(want), "{\"ruleId\":\"E020\",\"ruleIndex\":%zu,\"level\":\"error\","
		 "\"message\":{\"text\":\"msg with a,b:c%%d\\r\\nnext\\u001b[31m\\n"
		 "note: list the origins: 100%% sure\"}", (size_t)(rule_find("E020") - rules));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"artifactLocation\":{\"uri\":"
				      "\"we%2Cird%3Ana%25me%0D%0Ax.cors\"},\"region\":{\"startLine\":2,"
				      "\"startColumn\":13,\"endLine\":2,\"endColumn\":14}"));
	/* the message links to its related location, so that code scanning shows it */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"message\":{\"text\":\"plain warning\\n[see here, too](1)\"}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"relatedLocations\":[{\"id\":1,\"physicalLocation\":"
				      "{\"artifactLocation\":{\"uri\":\"we%2Cird%3Ana%25me%0D%0Ax.cors\"},"
				      "\"region\":{\"startLine\":1,\"startColumn\":8,\"endLine\":1,"
				      "\"endColumn\":11}},\"message\":{\"text\":\"see here, too\"}}]"));
	free(out);
	diag_release(&q);
	source_free(src);
}

static void test_sarif_empty_run(void)
{
	struct diag_queue q;
	diag_init(&q);
	char *out = render(&q, DIAG_SARIF);
	/* a clean run is still one log, with no results (code scanning closes alerts) */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"results\":[]}]}\n"));
	free(out);
	diag_release(&q);
}

/*
 * A fix-it in JSON and SARIF: a replacement and an insertion.  The SARIF log
 * is also written to $CORSC_TEST_SARIF_FIX when set, for t-sarif.sh to run
 * through the SARIF validators.
 */
static void test_fix_rendered(void)
{
	const char *text = "policy api {\n    origins \"https://a.example.com:443\";\n    methods get;\n}\n";
	struct source *src = source_from_string("fix.cors", text, strlen(text));
	struct diag_queue q;
	diag_init(&q);
	size_t port = (size_t)(strstr(text, ":443") - text);
	diag_emit(&q, "W109", span_at(src, port, 4), "drop it: browsers never send it",
		  "default port in 'https://a.example.com:443'");
	diag_add_edit(&q, span_at(src, port, 4), "");
	size_t get = (size_t)(strstr(text, "get") - text);
	diag_emit(&q, "E032", span_at(src, get, 3), NULL, "method 'get' can never match");
	diag_add_edit(&q, span_at(src, get, 3), "GET");
	diag_add_edit(&q, span_at(src, get + 3, 0), ", HEAD");   /* an insertion */

	char *json = render(&q, DIAG_JSON);
	CU_ASSERT_PTR_NOT_NULL(strstr(json, ",\"fix\":[{\"file\":\"fix.cors\",\"line\":2,\"column\":35,"
				      "\"length\":4,\"replacement\":\"\"}]}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, ",\"fix\":[{\"file\":\"fix.cors\",\"line\":3,\"column\":13,"
				      "\"length\":3,\"replacement\":\"GET\"},{\"file\":\"fix.cors\",\"line\":3,"
				      "\"column\":16,\"length\":0,\"replacement\":\", HEAD\"}]}\n"));
	free(json);

	char *sarif = render(&q, DIAG_SARIF);
	CU_ASSERT_PTR_NOT_NULL(strstr(sarif, "\"fixes\":[{\"description\":{\"text\":\"drop it: browsers "
				      "never send it\"},\"artifactChanges\":[{\"artifactLocation\":{\"uri\":"
				      "\"fix.cors\"},\"replacements\":[{\"deletedRegion\":{\"startLine\":2,"
				      "\"startColumn\":35,\"endLine\":2,\"endColumn\":39},\"insertedContent\":"
				      "{\"text\":\"\"}}]}]}]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sarif, "\"replacements\":[{\"deletedRegion\":{\"startLine\":3,"
				      "\"startColumn\":13,\"endLine\":3,\"endColumn\":16},\"insertedContent\":"
				      "{\"text\":\"GET\"}},{\"deletedRegion\":{\"startLine\":3,\"startColumn\":16,"
				      "\"endLine\":3,\"endColumn\":16},\"insertedContent\":{\"text\":\", HEAD\"}}]"));
	const char *out = getenv("CORSC_TEST_SARIF_FIX");
	if (out) {
		FILE *f = fopen(out, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs(sarif, f);
		CU_ASSERT_EQUAL(fclose(f), 0);
	}
	free(sarif);
	diag_release(&q);
	source_free(src);
}

static void test_span_end(void)
{
	const char *text = "ab\xc3\xa9" "cd\nxyz";
	struct source *src = source_from_string("e.cors", text, strlen(text));
	unsigned l, c;
	struct span s = span_at(src, 1, 4);       /* "bé" + "c": 3 characters */
	diag_span_end(&s, &l, &c);
	CU_ASSERT_EQUAL(l, 1);
	CU_ASSERT_EQUAL(c, 5);
	s = span_at(src, 4, 4);                   /* "cd\nx": ends on line 2 */
	diag_span_end(&s, &l, &c);
	CU_ASSERT_EQUAL(l, 2);
	CU_ASSERT_EQUAL(c, 2);
	s = span_at(src, strlen(text), 1);        /* a caret past the end */
	diag_span_end(&s, &l, &c);
	CU_ASSERT_EQUAL(l, 2);
	CU_ASSERT_EQUAL(c, s.col + 1);
	source_free(src);
}

/* arena_grow: an arena array, then a grown one, then grown again: contents kept, the rest zero */
static void test_arena_grow(void)
{
	struct arena *a = arena_new();
	int *v = arena_alloc(a, 4 * sizeof(int));
	for (int i = 0; i < 4; i++)
		v[i] = i + 1;
	for (size_t n = 4; n < 40000; n *= 2) {
		v = arena_grow(a, v, n * sizeof(int), 2 * n * sizeof(int));
		for (size_t i = 0; i < n; i++)
			if (v[i] != (int)(i < 4 ? i + 1 : 7 * i))
				CU_FAIL("arena_grow lost an element");
		for (size_t i = n; i < 2 * n; i++)
			if (v[i] != 0)
				CU_FAIL("arena_grow: the new part is not zero");
		for (size_t i = n; i < 2 * n; i++)
			v[i] = (int)(7 * i);
	}
	CU_ASSERT_PTR_NOT_NULL(arena_grow(a, NULL, 0, 16));
	arena_free(a);
}

/* 3,000 origins a policy (lists that grow past the arena) read alike from both languages */
static void test_long_origin_lists(void)
{
	struct strbuf dsl = STRBUF_INIT, yaml = STRBUF_INIT;
	sb_puts(&dsl, "policy p {\n    origins ");
	sb_puts(&yaml, "policies:\n  p:\n    origins:\n");
	for (int i = 0; i < 3000; i++) {
		sb_printf(&dsl, "%s\"https://h%d.example.com\"", i ? ", " : "", i);
		sb_printf(&yaml, "      - \"https://h%d.example.com\"\n", i);
	}
	sb_puts(&dsl, ";\n}\n");
	struct program pd, py;
	program_init(&pd, false);
	program_init(&py, false);
	add_string(&pd, "t.cors", sb_str(&dsl));
	add_string(&py, "t.yaml", sb_str(&yaml));
	program_link(&pd);
	program_link(&py);
	CU_ASSERT_EQUAL(pd.dq.n, 0);
	CU_ASSERT_EQUAL(py.dq.n, 0);
	CU_ASSERT_EQUAL_FATAL(pd.npolicies, 1);
	CU_ASSERT_EQUAL_FATAL(py.npolicies, 1);
	CU_ASSERT_EQUAL_FATAL(pd.policies[0].norigins, 3000);
	CU_ASSERT_EQUAL_FATAL(py.policies[0].norigins, 3000);
	for (size_t i = 0; i < 3000; i++) {
		char want[64];
		snprintf(want, sizeof(want), "https://h%zu.example.com", i);
		if (strcmp(pd.policies[0].origins[i].text, want) != 0 ||
		    strcmp(py.policies[0].origins[i].text, want) != 0) {
			CU_FAIL("an origin of a long list is lost or out of order");
			break;
		}
	}
	program_free(&pd);
	program_free(&py);
	sb_release(&dsl);
	sb_release(&yaml);
}

void register_pipeline(void)
{
	static const struct test_case cases[] = {
		{ "E004 across files, located at both", test_program_e004_across_files },
		{ "files merge into one set of policies", test_program_merges_policies },
		{ "format by extension in any case", test_format_by_extension_any_case },
		{ "github workflow commands escaped", test_github_escaping },
		{ "github command without a place", test_github_no_place },
		{ "sarif rules, results, regions, related", test_sarif_fields },
		{ "sarif log of a clean run", test_sarif_empty_run },
		{ "fix-its in json and sarif", test_fix_rendered },
		{ "end of a span", test_span_end },
		{ "arena_grow keeps and zeroes", test_arena_grow },
		{ "3,000 origins alike in both languages", test_long_origin_lists },
		{ NULL, NULL },
	};
	register_cases("pipeline", cases);
}
