/*
 * test_yaml.c - the YAML front end alone (yaml_parse on a fresh ir_file):
 * the schema, values as written, every structural and syntax error with its
 * place, hostile input (deep nesting, alias bombs, NULs), and the malformed corpus.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontend.h"
#include "ir.h"
#include "testutil.h"

static void parse_len(struct parsed *p, const char *text, size_t len)
{
	parse_with(p, "t.yaml", text, len, yaml_parse);
}

static void parse(struct parsed *p, const char *text)
{
	parse_len(p, text, strlen(text));
}

/* Exactly one diagnostic, code at line:col, whose message contains what. */
static void expect_one(const char *text, const char *code, unsigned line, unsigned col,
		       const char *what)
{
	struct parsed p;
	parse(&p, text);
	CU_ASSERT_EQUAL(p.dq.n, 1);
	const struct diag *d = diag_at(&p, code, line, col);
	CU_ASSERT_PTR_NOT_NULL(d);
	if (!d || p.dq.n != 1) {
		fprintf(stderr, "\n  input: %s\n  want %s %u:%u (%s), got:\n", text, code, line, col, what);
		for (size_t i = 0; i < p.dq.n; i++)
			fprintf(stderr, "    %s %u:%u %s\n", p.dq.v[i].code, p.dq.v[i].span.line,
				p.dq.v[i].span.col, p.dq.v[i].message);
	}
	if (d && what)
		CU_ASSERT_PTR_NOT_NULL(strstr(d->message, what));
	done(&p);
}

static const struct ir_stmt *stmt(const struct parsed *p, size_t i, enum stmt_kind k)
{
	CU_ASSERT_FATAL(i < p->f->npolicies);
	return &p->f->policies[i]->stmt[k];
}

static bool value_is(const struct ir_stmt *s, size_t i, const char *text, bool quoted)
{
	return s->present && i < s->nvalues && s->values[i].len == strlen(text) &&
	       memcmp(s->values[i].text, text, s->values[i].len) == 0 &&
	       s->values[i].quoted == quoted;
}

/* ---- the schema ---- */

static void test_every_statement(void)
{
	struct parsed p;
	parse(&p,
	      "policies:\n"
	      "  api:\n"
	      "    origins: [\"https://app.example.com\", 'https://*.t.example.com']\n"
	      "    methods: [GET, POST]\n"
	      "    allow-headers: [Content-Type, Authorization]\n"
	      "    expose-headers: [X-Request-ID]\n"
	      "    credentials: true\n"
	      "    max-age: 10m\n"
	      "    private-network: false\n"
	      "  assets:\n"
	      "    origins: \"*\"\n"
	      "    max-age: 600\n");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 2);
	const struct ir_policy *api = p.f->policies[0];
	CU_ASSERT_STRING_EQUAL(api->name, "api");
	CU_ASSERT_EQUAL(api->name_span.line, 2);
	CU_ASSERT_EQUAL(api->name_span.col, 3);
	CU_ASSERT_FALSE(api->damaged);
	const struct ir_stmt *o = stmt(&p, 0, ST_ORIGINS);
	CU_ASSERT_EQUAL(o->nvalues, 2);
	CU_ASSERT_TRUE(value_is(o, 0, "https://app.example.com", true));
	CU_ASSERT_TRUE(value_is(o, 1, "https://*.t.example.com", true));
	CU_ASSERT_EQUAL(o->key_span.line, 3);
	CU_ASSERT_EQUAL(o->key_span.col, 5);
	CU_ASSERT_EQUAL(o->values[0].span.line, 3);
	CU_ASSERT_EQUAL(o->values[0].span.col, 15);
	CU_ASSERT_EQUAL(o->values[0].span.len, 25);   /* with its quotes */
	const struct ir_stmt *m = stmt(&p, 0, ST_METHODS);
	CU_ASSERT_EQUAL(m->nvalues, 2);
	CU_ASSERT_TRUE(value_is(m, 0, "GET", false));
	CU_ASSERT_TRUE(value_is(m, 1, "POST", false));
	CU_ASSERT_EQUAL(m->values[1].span.col, 20);
	CU_ASSERT_TRUE(value_is(stmt(&p, 0, ST_ALLOW_HEADERS), 1, "Authorization", false));
	CU_ASSERT_TRUE(value_is(stmt(&p, 0, ST_EXPOSE_HEADERS), 0, "X-Request-ID", false));
	CU_ASSERT_TRUE(value_is(stmt(&p, 0, ST_CREDENTIALS), 0, "true", false));
	CU_ASSERT_TRUE(value_is(stmt(&p, 0, ST_MAX_AGE), 0, "10m", false));
	CU_ASSERT_TRUE(value_is(stmt(&p, 0, ST_PRIVATE_NETWORK), 0, "false", false));
	CU_ASSERT_STRING_EQUAL(p.f->policies[1]->name, "assets");
	CU_ASSERT_TRUE(value_is(stmt(&p, 1, ST_ORIGINS), 0, "*", true));
	CU_ASSERT_TRUE(value_is(stmt(&p, 1, ST_MAX_AGE), 0, "600", false));
	CU_ASSERT_FALSE(stmt(&p, 1, ST_METHODS)->present);
	CU_ASSERT_FALSE(stmt(&p, 1, ST_CREDENTIALS)->present);
	done(&p);
}

static void test_scalar_and_sequence_forms(void)
{
	struct parsed p;
	parse(&p,
	      "policies:\n"
	      "  a:\n"
	      "    origins: https://a.example\n"
	      "    methods:\n"
	      "      - GET\n"
	      "      - \"PUT\"\n"
	      "    expose-headers: X-One\n"
	      "    allow-headers: [\"*\", Authorization]\n"
	      "  b: {origins: [https://b.example], methods: DELETE}\n");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 2);
	const struct ir_stmt *o = stmt(&p, 0, ST_ORIGINS);
	CU_ASSERT_EQUAL(o->nvalues, 1);
	CU_ASSERT_TRUE(value_is(o, 0, "https://a.example", false));
	const struct ir_stmt *m = stmt(&p, 0, ST_METHODS);
	CU_ASSERT_EQUAL(m->nvalues, 2);
	CU_ASSERT_TRUE(value_is(m, 0, "GET", false));
	CU_ASSERT_TRUE(value_is(m, 1, "PUT", true));
	CU_ASSERT_EQUAL(m->values[1].span.line, 6);
	CU_ASSERT_EQUAL(m->values[1].span.col, 9);
	CU_ASSERT_TRUE(value_is(stmt(&p, 0, ST_EXPOSE_HEADERS), 0, "X-One", false));
	const struct ir_stmt *ah = stmt(&p, 0, ST_ALLOW_HEADERS);
	CU_ASSERT_EQUAL(ah->nvalues, 2);
	CU_ASSERT_TRUE(value_is(ah, 0, "*", true));
	CU_ASSERT_TRUE(value_is(ah, 1, "Authorization", false));
	CU_ASSERT_TRUE(value_is(stmt(&p, 1, ST_ORIGINS), 0, "https://b.example", false));
	CU_ASSERT_TRUE(value_is(stmt(&p, 1, ST_METHODS), 0, "DELETE", false));
	done(&p);
}

static void test_values_pass_through(void)
{
	struct parsed p;
	/* block scalars are not quoted; meaning is the validator's */
	parse(&p,
	      "policies:\n"
	      "  api:\n"
	      "    origins: 'it''s'\n"
	      "    credentials: yes\n"
	      "    max-age: -1\n"
	      "    methods: |\n"
	      "      GET\n");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	CU_ASSERT_TRUE(value_is(stmt(&p, 0, ST_ORIGINS), 0, "it's", true));
	CU_ASSERT_TRUE(value_is(stmt(&p, 0, ST_CREDENTIALS), 0, "yes", false));
	CU_ASSERT_TRUE(value_is(stmt(&p, 0, ST_MAX_AGE), 0, "-1", false));
	CU_ASSERT_TRUE(value_is(stmt(&p, 0, ST_METHODS), 0, "GET\n", false));
	done(&p);
}

static void test_nul_escape_keeps_length(void)
{
	struct parsed p;
	parse(&p, "policies:\n  api:\n    origins: \"https://a\\0.example\"\n");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	const struct ir_stmt *o = stmt(&p, 0, ST_ORIGINS);
	CU_ASSERT_EQUAL_FATAL(o->nvalues, 1);
	CU_ASSERT_EQUAL(o->values[0].len, 18);
	CU_ASSERT_EQUAL(memcmp(o->values[0].text, "https://a\0.example", 18), 0);
	CU_ASSERT_TRUE(o->values[0].quoted);
	done(&p);
}

static void test_empty_files(void)
{
	static const char *const texts[] = {
		"", "\n", "# only a comment\n", "policies: {}\n", "---\n", "--- # nothing\n...\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		struct parsed p;
		parse(&p, texts[i]);
		CU_ASSERT_EQUAL(p.dq.n, 0);
		CU_ASSERT_EQUAL(p.f->npolicies, 0);
		done(&p);
	}
}

static void test_duplicate_policies_both_added(void)
{
	struct parsed p;
	parse(&p, "policies:\n  api: {origins: a}\n  api: {origins: b}\n");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 2);
	CU_ASSERT_TRUE(value_is(stmt(&p, 1, ST_ORIGINS), 0, "b", false));
	CU_ASSERT_EQUAL(p.f->policies[1]->name_span.line, 3);
	done(&p);
}

static void test_columns_count_characters(void)
{
	struct parsed p;
	/* a two-byte character before the value: its column counts it once */
	parse(&p, "policies:\n  api: {origins: [\"\xc3\xa9\", x]}\n");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	const struct ir_stmt *o = stmt(&p, 0, ST_ORIGINS);
	CU_ASSERT_EQUAL_FATAL(o->nvalues, 2);
	CU_ASSERT_EQUAL(o->values[1].span.col, 24);
	CU_ASSERT_EQUAL(o->values[0].span.len, 4);    /* "é" in bytes, quotes included */
	done(&p);
	expect_one("policies:\n  \xc3\xa9\xc3\xa9: {origins: x}\n", "E001", 2, 3,
		   "does not start with a letter");
	/* the refused policy is still read for its errors */
	parse(&p, "policies:\n  \xc3\xa9: {bad: 1}\n  api: {\xc3\xa9: x}\n");
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E002", 2, 7));
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E002", 3, 9));
	CU_ASSERT_EQUAL(p.f->npolicies, 1);
	done(&p);
	/* a byte-order mark is one character, as libyaml and source.c count it */
	expect_one("\xef\xbb\xbfpolicies: {a: {bogus: 1}}\n", "E002", 1, 17, "bogus");
	/* CRLF line ends */
	expect_one("policies:\r\n  api:\r\n    bogus: 1\r\n", "E002", 3, 5, "bogus");
}

/* ---- structural errors ---- */

static void test_type_errors(void)
{
	expect_one("policies:\n  api:\n    credentials: [true]\n", "E033", 3, 18,
		   "'credentials' takes true or false, not a list");
	expect_one("policies:\n  api:\n    private-network: {a: b}\n", "E033", 3, 22,
		   "'private-network' takes true or false, not a mapping");
	expect_one("policies:\n  api:\n    max-age:\n      - 10\n", "E033", 4, 7,
		   "'max-age' takes a duration, not a list");
	expect_one("policies:\n  api:\n    origins: {a: b}\n", "E001", 3, 14,
		   "'origins' takes a value or a list of values, not a mapping");
	expect_one("policies:\n  api:\n    methods: [GET, [PUT]]\n", "E001", 3, 20,
		   "'methods' takes a list of values, found a nested list");
	expect_one("policies:\n  api:\n    expose-headers:\n      - a: b\n", "E001", 4, 9,
		   "'expose-headers' takes a list of values, found a mapping");
	expect_one("policies:\n  api:\n    origins: []\n", "E001", 3, 14, "empty list for 'origins'");
	expect_one("policies:\n  api:\n    methods:\n    origins: x\n", "E001", 3, 5,
		   "'methods' has no value");
	expect_one("policies:\n  api:\n    origins:\n      -\n      - x\n", "E001", 4, 8,
		   "empty entry in 'origins'");
	expect_one("- policies\n", "E001", 1, 1, "the document is a list, not a mapping");
	expect_one("just text\n", "E001", 1, 1, "the document is a scalar, not a mapping");
	expect_one("policies: [api]\n", "E001", 1, 11, "'policies' takes a mapping, not a list");
	expect_one("policies: api\n", "E001", 1, 11, "'policies' takes a mapping, not a scalar");
	expect_one("policies:\n", "E001", 1, 1, "'policies' has no value");
	expect_one("policies:\n  api: [origins]\n", "E001", 2, 8,
		   "policy 'api' takes a mapping, not a list");
	expect_one("policies:\n  api: x\n", "E001", 2, 8, "policy 'api' takes a mapping, not a scalar");
	expect_one("policies:\n  api:\n", "E001", 2, 3, "policy 'api' has no value");
	expect_one("policies:\n  api:\n    ? [origins]\n    : x\n", "E001", 3, 7,
		   "a key must be a scalar, not a list");
}

static void test_key_errors(void)
{
	expect_one("policies:\n  api:\n    origin: x\n", "E002", 3, 5, "unknown statement 'origin'");
	expect_one("polices: {}\n", "E002", 1, 1, "unknown key 'polices'");
	expect_one("policies:\n  api:\n    origins: a\n    origins: b\n", "E003", 4, 5,
		   "'origins' repeated in policy 'api'");
	expect_one("policies: {}\npolicies: {}\n", "E001", 2, 1, "duplicate key 'policies'");
	expect_one("policies:\n  9lives: {}\n", "E001", 2, 3, "does not start with a letter");

	/* the policy with the error is marked damaged, the others are not */
	struct parsed p;
	parse(&p, "policies:\n  a: {origin: x}\n  b: {origins: x}\n");
	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 2);
	CU_ASSERT_TRUE(p.f->policies[0]->damaged);
	CU_ASSERT_FALSE(p.f->policies[1]->damaged);
	done(&p);
	/* a refused name adds no policy */
	parse(&p, "policies:\n  a.b: {origins: x}\n");
	CU_ASSERT_EQUAL(p.f->npolicies, 0);
	done(&p);
}

/* A statement with an error in its value is left out, so nothing cascades. */
static void test_bad_statement_dropped(void)
{
	struct parsed p;
	parse(&p, "policies:\n  a:\n    origins: x\n    methods: [GET, [PUT]]\n"
		  "    credentials: [true]\n    max-age:\n    expose-headers: []\n"
		  "    allow-headers: [A, *x]\n");
	CU_ASSERT_EQUAL(p.dq.n, 5);
	CU_ASSERT_TRUE(value_is(stmt(&p, 0, ST_ORIGINS), 0, "x", false));
	CU_ASSERT_FALSE(stmt(&p, 0, ST_METHODS)->present);
	CU_ASSERT_EQUAL(stmt(&p, 0, ST_METHODS)->nvalues, 0);
	CU_ASSERT_FALSE(stmt(&p, 0, ST_CREDENTIALS)->present);
	CU_ASSERT_FALSE(stmt(&p, 0, ST_MAX_AGE)->present);
	CU_ASSERT_FALSE(stmt(&p, 0, ST_EXPOSE_HEADERS)->present);
	CU_ASSERT_FALSE(stmt(&p, 0, ST_ALLOW_HEADERS)->present);
	CU_ASSERT_TRUE(p.f->policies[0]->damaged);
	done(&p);
	/* cut short by a syntax error */
	parse(&p, "policies:\n  a:\n    origins: [\"https://a.example\", *\n");
	CU_ASSERT_EQUAL(p.dq.n, 1);
	CU_ASSERT_FALSE(stmt(&p, 0, ST_ORIGINS)->present);
	done(&p);

	/* through the whole pipeline: the front end's error alone */
	static const char *const cases[] = {
		"policies:\n  api:\n    origins: \"https://a.example\"\n    credentials: [true]\n",
		"policies:\n  api:\n    origins: []\n",
		"policies:\n  api:\n    origins: *\n",
		"policies:\n  api:\n    origins: \"https://a.example\"\n    expose-headers:\n      - a: b\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct compilation c;
		compile_string(&c, "t.yaml", cases[i], FORMAT_YAML);
		CU_ASSERT_EQUAL(c.dq.n, 1);
		if (c.dq.n != 1)
			for (size_t j = 0; j < c.dq.n; j++)
				fprintf(stderr, "\n  case %zu: %s %u:%u %s", i, c.dq.v[j].code,
					c.dq.v[j].span.line, c.dq.v[j].span.col, c.dq.v[j].message);
		compilation_free(&c);
	}
}

/* ---- syntax errors ---- */

static void test_syntax_errors(void)
{
	expect_one("policies:\n  api:\n    origins: x\n   methods: GET\n", "E001", 4, 4,
		   "did not find expected key while parsing a block mapping");
	expect_one("policies:\n  api:\n    origins: [a, b\n", "E001", 4, 1,
		   "did not find expected ',' or ']'");
	expect_one("policies:\n  api:\n\torigins: x\n", "E001", 3, 1,
		   "found character that cannot start any token");
	expect_one("policies:\n  api:\n    origins: \"https://a\n", "E001", 4, 1,
		   "found unexpected end of stream while scanning a quoted scalar");

	struct parsed p;
	parse(&p, "policies:\n  api:\n    origins: *\n");
	CU_ASSERT_EQUAL(p.dq.n, 1);
	const struct diag *d = diag_at(&p, "E001", 3, 14);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->note);
	CU_ASSERT_STRING_EQUAL(d->note, "quote it: origins: \"*\"");
	CU_ASSERT_TRUE(p.f->policies[0]->damaged);
	done(&p);

	parse(&p, "policies:\n  api:\n    expose-headers: *\n");
	d = diag_at(&p, "E001", 3, 21);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->note, "quote it: expose-headers: \"*\"");
	done(&p);

	/* the context's place goes in the note */
	parse(&p, "policies:\n  api:\n    origins: [a, b\n");
	d = diag_at(&p, "E001", 4, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->note, "the flow sequence began at line 3, column 14");
	done(&p);
}

static void test_bytes(void)
{
	expect_one("policies:\n  api: {origins: \xff}\n", "E001", 2, 18, "invalid leading UTF-8 octet");
	expect_one("\xff\xfep\0o\0", "E001", 1, 1, "UTF-8");
	struct parsed p;
	static const char nul[] = "policies:\n  api: {origins: a\0b}\n";
	parse_len(&p, nul, sizeof(nul) - 1);
	CU_ASSERT_EQUAL(p.dq.n, 1);
	const struct diag *d = diag_at(&p, "E001", 2, 19);
	CU_ASSERT_PTR_NOT_NULL(d);
	if (d)
		CU_ASSERT_PTR_NOT_NULL(strstr(d->message, "control characters are not allowed"));
	done(&p);
}

static void test_documents_and_aliases(void)
{
	expect_one("policies: {}\n---\npolicies: {}\n", "E001", 2, 1, "found a second");
	expect_one("policies:\n  a: &x {origins: o}\n  b: *x\n", "E001", 3, 6,
		   "YAML aliases are not allowed");
	expect_one("policies:\n  api:\n    origins: [&o a, *o]\n", "E001", 3, 21,
		   "YAML aliases are not allowed");
	/* an anchor alone is harmless */
	struct parsed p;
	parse(&p, "policies:\n  api: &x\n    origins: &y [a]\n");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	CU_ASSERT_TRUE(value_is(stmt(&p, 0, ST_ORIGINS), 0, "a", false));
	done(&p);
}

static void test_tags_and_reserved_names(void)
{
	/* a tag would change what a value means: !!binary "WC1B" is X-A */
	expect_one("policies:\n  api:\n    origins: [a]\n    allow-headers: !!binary \"WC1B\"\n",
		   "E001", 4, 20, "YAML tag 'tag:yaml.org,2002:binary'");
	expect_one("policies:\n  api:\n    origins: [a]\n    credentials: !!str true\n",
		   "E001", 4, 18, "is not allowed");
	expect_one("policies:\n  api: !p\n    origins: [a]\n", "E001", 2, 8, "YAML tag '!p'");
	expect_one("policies:\n  api:\n    origins: !!seq [a]\n", "E001", 3, 14, "YAML tag");
	/* found by fuzzing: a statement dropped for an alias, then the same key
	 * again, wrote through a NULL array that still claimed room for two */
	struct parsed q;
	parse(&q, "policies:\n  a:\n    origins: [o]\n    methods: [GET, *g]\n"
		  "    methods: [PUT, POST, PATCH]\n");
	CU_ASSERT_PTR_NOT_NULL(diag_at(&q, "E001", 4, 20));
	CU_ASSERT_TRUE(value_is(stmt(&q, 0, ST_METHODS), 2, "PATCH", false));
	done(&q);
	/* cors-http.conf (nginx) and cors-server.conf (apache) are not policy files */
	expect_one("policies:\n  HTTP: {origins: a}\n", "E001", 2, 3, "'HTTP' is reserved");
	expect_one("policies:\n  server: {origins: a}\n", "E001", 2, 3, "'server' is reserved");
	struct parsed p;
	parse(&p, "policies:\n  http2: {origins: a}\n  servers: {origins: a}\n");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	done(&p);
}

static void test_alias_bomb(void)
{
	const char *bomb =
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"policies: {x: {origins: *h}}\n";
	clock_t t0 = clock();
	struct parsed p;
	parse(&p, bomb);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CU_ASSERT_TRUE(secs < 1.0);
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E002", 1, 1));
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 2, 8));
	CU_ASSERT_TRUE(diag_failed(&p.dq));
	done(&p);
}

static void test_deep_nesting(void)
{
	size_t n = 100000;
	char *deep = malloc(2 * n + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(deep);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	struct parsed p;
	parse(&p, deep);
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 1, 17));
	done(&p);

	/* nested mappings inside a policy, unclosed */
	char *buf = malloc(n * 4 + 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	strcpy(buf, "policies: {api: {origins: ");
	size_t len = strlen(buf);
	for (size_t i = 0; i < n; i++, len += 4)
		memcpy(buf + len, "{a: ", 4);
	buf[len] = '\0';
	parse(&p, buf);
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 1, 27));       /* origins takes no mapping */
	const struct diag *d = diag_at(&p, "E001", 1, 27 + 13 * 4);
	CU_ASSERT_PTR_NOT_NULL(d);
	if (d)
		CU_ASSERT_PTR_NOT_NULL(strstr(d->message, "nesting deeper than 16 levels"));
	done(&p);
	free(buf);
	free(deep);
}

/* ---- the same policies from the policy language ---- */

static bool ir_equal(const struct ir_file *a, const struct ir_file *b, bool quoting)
{
	if (a->npolicies != b->npolicies)
		return false;
	for (size_t i = 0; i < a->npolicies; i++) {
		const struct ir_policy *p = a->policies[i], *q = b->policies[i];
		if (strcmp(p->name, q->name) != 0 || p->damaged != q->damaged)
			return false;
		for (int k = 0; k < ST__COUNT; k++) {
			const struct ir_stmt *s = &p->stmt[k], *t = &q->stmt[k];
			if (s->present != t->present || s->nvalues != t->nvalues)
				return false;
			for (size_t j = 0; j < s->nvalues; j++)
				if (s->values[j].len != t->values[j].len ||
				    memcmp(s->values[j].text, t->values[j].text, s->values[j].len) != 0 ||
				    (quoting && s->values[j].quoted != t->values[j].quoted))
					return false;
		}
	}
	return true;
}

static void test_same_ir_as_policy_language(void)
{
	const char *dsl =
		"policy api {\n"
		"    origins        \"https://app.example.com\", \"https://*.tenants.example.com\";\n"
		"    methods        GET, POST, PUT, DELETE;\n"
		"    allow-headers  Content-Type, Authorization;\n"
		"    expose-headers X-Request-ID, \"X-RateLimit-Remaining\";\n"
		"    credentials    true;\n"
		"    max-age        10m;\n"
		"    private-network false;\n"
		"}\n"
		"policy assets {\n"
		"    origins \"https://cdn.example.com\";\n"
		"    methods GET, HEAD;\n"
		"    max-age 1d;\n"
		"}\n";
	const char *yaml =
		"policies:\n"
		"  api:\n"
		"    origins: [\"https://app.example.com\", \"https://*.tenants.example.com\"]\n"
		"    methods: [GET, POST, PUT, DELETE]\n"
		"    allow-headers: [Content-Type, Authorization]\n"
		"    expose-headers: [X-Request-ID, \"X-RateLimit-Remaining\"]\n"
		"    credentials: true\n"
		"    max-age: 10m\n"
		"    private-network: false\n"
		"  assets:\n"
		"    origins: \"https://cdn.example.com\"\n"
		"    methods: [GET, HEAD]\n"
		"    max-age: 1d\n";
	struct source *ds = source_from_string("t.cors", dsl, strlen(dsl));
	struct ir_file *df = ir_file_new(ds);
	struct diag_queue ddq;
	diag_init(&ddq);
	dsl_parse(df, &ddq);
	struct parsed p;
	parse(&p, yaml);
	CU_ASSERT_EQUAL(ddq.n, 0);
	CU_ASSERT_EQUAL(p.dq.n, 0);
	CU_ASSERT_EQUAL(df->npolicies, 2);
	CU_ASSERT_TRUE(ir_equal(df, p.f, true));
	done(&p);
	diag_release(&ddq);
	ir_file_free(df);
	source_free(ds);
}

/* The examples written in both languages give the same raw IR (quoting aside:
 * YAML must quote a '*' that the policy language writes bare). */
static void test_examples_same_ir(void)
{
	const char *dir = "examples";
	DIR *d = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	size_t pairs = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%.*s.cors", dir, (int)(len - 5), e->d_name);
		char err[256];
		struct source *cs = source_read(path, err, sizeof(err));
		if (!cs)
			continue;    /* a YAML-only example */
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct source *ys = source_read(path, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(ys);
		struct ir_file *cf = ir_file_new(cs), *yf = ir_file_new(ys);
		struct diag_queue cq, yq;
		diag_init(&cq);
		diag_init(&yq);
		dsl_parse(cf, &cq);
		yaml_parse(yf, &yq);
		CU_ASSERT_EQUAL(cq.n, 0);
		CU_ASSERT_EQUAL(yq.n, 0);
		CU_ASSERT_TRUE(cf->npolicies > 0);
		bool same = ir_equal(cf, yf, false);
		CU_ASSERT_TRUE(same);
		if (!same)
			fprintf(stderr, "\n  %s: raw IR differs from the .cors twin\n", path);
		pairs++;
		diag_release(&cq);
		diag_release(&yq);
		ir_file_free(cf);
		ir_file_free(yf);
		source_free(cs);
		source_free(ys);
	}
	closedir(d);
	CU_ASSERT_TRUE(pairs >= 3);
}

/* ---- the malformed corpus: tests/malformed/NAME.yaml with NAME.expect ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	char *buf = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (*len + 4096 + 1 > cap) {
			cap = (*len + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
		size_t n = fread(buf + *len, 1, cap - *len - 1, fp);
		*len += n;
		if (n == 0)
			break;
	}
	fclose(fp);
	if (buf)
		buf[*len] = '\0';
	return buf;
}

static bool check_case(const char *dir, const char *name)
{
	char path[512];
	size_t len, elen;
	snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
	char *text = slurp(path, &len);
	snprintf(path, sizeof(path), "%s/%s.expect", dir, name);
	char *expect = slurp(path, &elen);
	bool ok = text && expect;
	if (!ok) {
		fprintf(stderr, "\n  %s: cannot read the case\n", name);
		free(text);
		free(expect);
		return false;
	}
	struct parsed p;
	parse_len(&p, text, len);
	size_t nlines = 0;
	for (char *line = strtok(expect, "\n"); line; line = strtok(NULL, "\n")) {
		char code[8];
		unsigned l, c;
		if (strncmp(line, "exit ", 5) == 0 || line[0] == '#')
			continue;
		nlines++;
		if (sscanf(line, "%7s %u:%u", code, &l, &c) != 3) {
			fprintf(stderr, "\n  %s.expect: bad line '%s'\n", name, line);
			ok = false;
		} else if (!diag_at(&p, code, l, c)) {
			fprintf(stderr, "\n  %s: no %s at %u:%u; got:", name, code, l, c);
			for (size_t i = 0; i < p.dq.n; i++)
				fprintf(stderr, " %s %u:%u", p.dq.v[i].code, p.dq.v[i].span.line,
					p.dq.v[i].span.col);
			fprintf(stderr, "\n");
			ok = false;
		}
	}
	if (nlines == 0 || !diag_failed(&p.dq)) {
		fprintf(stderr, "\n  %s: expects nothing or reports no error\n", name);
		ok = false;
	}
	done(&p);
	free(text);
	free(expect);
	return ok;
}

static void test_malformed_corpus(void)
{
	const char *dir = "tests/malformed";
	DIR *d = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), e->d_name);
		CU_ASSERT_TRUE(check_case(dir, name));
		n++;
	}
	closedir(d);
	CU_ASSERT_TRUE(n >= 24);
}

void register_yaml(void)
{
	static const struct test_case cases[] = {
		{ "every statement, values and spans", test_every_statement },
		{ "scalar and sequence forms", test_scalar_and_sequence_forms },
		{ "scalars pass through as text", test_values_pass_through },
		{ "NUL from an escape keeps its length", test_nul_escape_keeps_length },
		{ "empty files give no policy and no error", test_empty_files },
		{ "duplicate policy names are both added", test_duplicate_policies_both_added },
		{ "columns count characters", test_columns_count_characters },
		{ "wrong types", test_type_errors },
		{ "unknown and repeated keys", test_key_errors },
		{ "a statement with a bad value is dropped", test_bad_statement_dropped },
		{ "syntax errors, origins: *", test_syntax_errors },
		{ "invalid UTF-8, NUL bytes, UTF-16", test_bytes },
		{ "two documents, aliases", test_documents_and_aliases },
		{ "alias bomb", test_alias_bomb },
		{ "tags refused; http and server reserved", test_tags_and_reserved_names },
		{ "100,000-deep nesting", test_deep_nesting },
		{ "same raw IR as the policy language", test_same_ir_as_policy_language },
		{ "examples: same raw IR from .cors and .yaml", test_examples_same_ir },
		{ "malformed corpus", test_malformed_corpus },
		{ NULL, NULL },
	};
	register_cases("yaml", cases);
}
