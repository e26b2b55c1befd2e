/*
 * test_habits.c - what users of YAML and JSON write out of habit, and files
 * saved by Windows editors: accepted where the meaning is plain (a trailing
 * '---', True, a quoted duration, a byte order mark), refused with one clear
 * message that says what to write where it is not (merge keys, "GET, POST").
 */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

/* Compile text; true if it has no error.  Prints the diagnostics when want differs. */
static bool compiles(const char *name, const char *text, enum input_format fmt, bool want,
		     struct compilation *c)
{
	compile_string(c, name, text, fmt);
	bool ok = c->dq.nerrors == 0;
	if (ok != want) {
		fprintf(stderr, "\n  input: %s\n  want %s, got:\n", text, want ? "no error" : "errors");
		for (size_t i = 0; i < c->dq.n; i++)
			fprintf(stderr, "    %s %u:%u %s\n", c->dq.v[i].code, c->dq.v[i].span.line,
				c->dq.v[i].span.col, c->dq.v[i].message);
	}
	return ok;
}

static const struct policy *only_policy(const struct compilation *c)
{
	CU_ASSERT_FATAL(c->ir->nresolved == 1);
	return &c->ir->resolved[0];
}

static void test_trailing_document_marker(void)
{
	static const char *const ok[] = {
		"policies:\n  a:\n    origins: \"https://a.example.com\"\n---\n",
		"policies:\n  a:\n    origins: \"https://a.example.com\"\n---\n...\n",
		"---\npolicies:\n  a:\n    origins: \"https://a.example.com\"\n---\n---\n",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct compilation c;
		CU_ASSERT_TRUE(compiles("t.yaml", ok[i], FORMAT_YAML, true, &c));
		compilation_free(&c);
	}
	/* a second document with content is still refused, at its '---' */
	struct compilation c;
	CU_ASSERT_FALSE(compiles("t.yaml", "policies:\n  a:\n    origins: \"https://a.example.com\"\n"
				 "---\npolicies: {}\n", FORMAT_YAML, false, &c));
	const struct diag *d = find_diag(&c, "E001");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->span.line, 4);
	CU_ASSERT_EQUAL(d->span.col, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->message, "found a second"));
	compilation_free(&c);
}

static void test_yaml_core_booleans(void)
{
	static const struct { const char *v; bool ok, value; } cases[] = {
		{ "true", true, true }, { "True", true, true }, { "TRUE", true, true },
		{ "false", true, false }, { "False", true, false }, { "FALSE", true, false },
		{ "yes", false, false }, { "on", false, false }, { "\"True\"", false, false },
		{ "'true'", false, false }, { "tRUE", false, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[200];
		snprintf(text, sizeof(text), "policies:\n  a:\n    origins: \"https://a.example.com\"\n"
			 "    credentials: %s\n    private-network: %s\n", cases[i].v, cases[i].v);
		struct compilation c;
		bool ok = compiles("t.yaml", text, FORMAT_YAML, cases[i].ok, &c);
		CU_ASSERT_EQUAL(ok, cases[i].ok);
		if (ok && cases[i].ok) {
			CU_ASSERT_EQUAL(only_policy(&c)->credentials, cases[i].value);
			CU_ASSERT_EQUAL(only_policy(&c)->private_network, cases[i].value);
		} else {
			CU_ASSERT_EQUAL(count_diag(&c, "E033"), 2);
		}
		compilation_free(&c);
	}
	/* the policy language keeps its one spelling */
	struct compilation c;
	CU_ASSERT_FALSE(compiles("t.cors", "policy a { origins \"https://a.example.com\"; "
				 "credentials True; }", FORMAT_DSL, false, &c));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&c, "E033"));
	compilation_free(&c);
}

static void test_quoted_durations(void)
{
	static const struct { const char *name, *text; enum input_format fmt; unsigned long secs; } ok[] = {
		{ "t.yaml", "policies:\n  a:\n    origins: \"https://a.example.com\"\n    max-age: \"10m\"\n",
		  FORMAT_YAML, 600 },
		{ "t.yaml", "policies:\n  a:\n    origins: \"https://a.example.com\"\n    max-age: '600'\n",
		  FORMAT_YAML, 600 },
		{ "t.json", "{\"policies\": {\"a\": {\"origins\": \"https://a.example.com\", \"max-age\": \"2h\"}}}\n",
		  FORMAT_YAML, 7200 },
		{ "t.cors", "policy a { origins \"https://a.example.com\"; max-age \"1d\"; }", FORMAT_DSL, 86400 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct compilation c;
		CU_ASSERT_TRUE(compiles(ok[i].name, ok[i].text, ok[i].fmt, true, &c));
		if (c.dq.nerrors == 0) {
			CU_ASSERT_TRUE(only_policy(&c)->max_age_set);
			CU_ASSERT_EQUAL(only_policy(&c)->max_age, ok[i].secs);
		}
		compilation_free(&c);
	}
	/* quoted or not, a bad duration is E033 */
	struct compilation c;
	CU_ASSERT_FALSE(compiles("t.yaml", "policies:\n  a:\n    origins: \"https://a.example.com\"\n"
				 "    max-age: \"10 minutes\"\n", FORMAT_YAML, false, &c));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&c, "E033"));
	compilation_free(&c);
}

static void test_merge_keys(void)
{
	struct compilation c;
	CU_ASSERT_FALSE(compiles("t.yaml", "policies:\n  a: &b\n    origins: \"https://a.example.com\"\n"
				 "  c:\n    <<: *b\n    methods: [GET]\n", FORMAT_YAML, false, &c));
	/* one error, at the '<<', that says what it is: no alias error, no E005 after it */
	CU_ASSERT_EQUAL(c.dq.n, 1);
	const struct diag *d = find_diag(&c, "E002");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->span.line, 5);
	CU_ASSERT_EQUAL(d->span.col, 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->message, "merge keys"));
	compilation_free(&c);
	/* a quoted "<<" is just an unknown statement */
	CU_ASSERT_FALSE(compiles("t.yaml", "policies:\n  a:\n    origins: \"https://a.example.com\"\n"
				 "    \"<<\": 1\n", FORMAT_YAML, false, &c));
	d = find_diag(&c, "E002");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NULL(strstr(d->message, "merge keys"));
	compilation_free(&c);
}

static void test_notes_say_what_to_write(void)
{
	struct compilation c;
	/* a comma-separated scalar: the note shows the list */
	CU_ASSERT_FALSE(compiles("t.yaml", "policies:\n  a:\n    origins: \"https://a.example.com\"\n"
				 "    methods: GET, POST\n", FORMAT_YAML, false, &c));
	const struct diag *d = find_diag(&c, "E031");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->note, "[GET, POST]"));
	compilation_free(&c);
	/* origins: [] must not suggest leaving origins out (that is E005) */
	CU_ASSERT_FALSE(compiles("t.yaml", "policies:\n  a:\n    origins: []\n", FORMAT_YAML, false, &c));
	d = find_diag(&c, "E001");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NULL(strstr(d->note, "leave the statement out"));
	compilation_free(&c);
	/* policies: with no value must not suggest policies: {} (that is E001 too) */
	CU_ASSERT_FALSE(compiles("t.yaml", "policies:\n", FORMAT_YAML, false, &c));
	d = find_diag(&c, "E001");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NULL(strstr(d->note, "policies: {}"));
	compilation_free(&c);
	/* "no policy": the example is in the file's own language */
	CU_ASSERT_FALSE(compiles("t.yaml", "policies: {}\n", FORMAT_YAML, false, &c));
	d = find_diag(&c, "E001");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->note, "policies:"));
	CU_ASSERT_PTR_NULL(strstr(d->note, "policy api {"));
	compilation_free(&c);
	CU_ASSERT_FALSE(compiles("t.cors", "# nothing\n", FORMAT_DSL, false, &c));
	d = find_diag(&c, "E001");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->note, "policy api {"));
	compilation_free(&c);
}

static void test_byte_order_mark(void)
{
	struct compilation c;
	CU_ASSERT_TRUE(compiles("t.cors", "\xEF\xBB\xBFpolicy a { origins \"https://a.example.com\"; }\n",
				FORMAT_DSL, true, &c));
	compilation_free(&c);
	/* columns on line 1 do not count it */
	CU_ASSERT_FALSE(compiles("t.cors", "\xEF\xBB\xBFpolicy a { origins \"https://a.example.com/\"; }\n",
				 FORMAT_DSL, false, &c));
	const struct diag *d = find_diag(&c, "E010");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->span.col, 42);     /* the trailing slash */
	compilation_free(&c);
	/* anywhere else it is named, not shown as an invisible character */
	CU_ASSERT_FALSE(compiles("t.cors", "policy a { origins \"https://a.example.com\"; }\xEF\xBB\xBF\n",
				 FORMAT_DSL, false, &c));
	d = find_diag(&c, "E001");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->message, "byte order mark"));
	CU_ASSERT_EQUAL(d->span.col, 46);
	compilation_free(&c);
}

void register_habits(void)
{
	static const struct test_case t[] = {
		{ "a trailing '---' is no second document", test_trailing_document_marker },
		{ "YAML 1.2 core booleans", test_yaml_core_booleans },
		{ "quoted durations", test_quoted_durations },
		{ "merge keys: one clear error", test_merge_keys },
		{ "notes say what to write", test_notes_say_what_to_write },
		{ "byte order mark", test_byte_order_mark },
		{ NULL, NULL },
	};
	register_cases("habits", t);
}
