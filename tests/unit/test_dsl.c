/*
 * test_dsl.c - the policy-language front end: scanner tokens and spans, the
 * raw IR it builds, every syntax error with its place, recovery, the cap.
 * dsl_parse is called directly, without the validator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "parser.h"
#undef yylex
#include "lexer.h"
#include "testutil.h"

static void parse_n(struct parsed *p, const char *text, size_t len)
{
	parse_with(p, "t.cors", text, len, dsl_parse);
}

static void parse(struct parsed *p, const char *text)
{
	parse_n(p, text, strlen(text));
}

static const struct ir_stmt *stmt(const struct parsed *p, size_t policy, enum stmt_kind k)
{
	CU_ASSERT_FATAL(policy < p->f->npolicies);
	return &p->f->policies[policy]->stmt[k];
}

/* ---- the scanner on its own ---- */

struct scanned {
	int kind;
	char text[64];
	unsigned line, col;
	size_t len;
};

/* Scan text into at most max tokens; returns how many (EOF not counted). */
static size_t scan(const char *text, struct scanned *out, size_t max, struct diag_queue *dq)
{
	struct source *src = source_from_string("s.cors", text, strlen(text));
	struct ir_file *f = ir_file_new(src);
	struct dsl_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.f = f;
	ctx.dq = dq;
	ctx.line = ctx.col = 1;
	yyscan_t sc;
	CU_ASSERT_FATAL(dsl_scan_lex_init_extra(&ctx, &sc) == 0);
	YY_BUFFER_STATE b = dsl_scan__scan_bytes(src->text, (int)src->len, sc);
	size_t n = 0;
	for (;;) {
		DSL_YYSTYPE v;
		struct span loc;
		memset(&v, 0, sizeof(v));
		int k = dsl_scan_lex(&v, &loc, sc);
		if (k == 0 || n == max)
			break;
		struct scanned *t = &out[n++];
		t->kind = k;
		/* copied out of the arena, which goes away below */
		snprintf(t->text, sizeof(t->text), "%.*s",
			 v.w.text ? (int)v.w.len : 0, v.w.text ? v.w.text : "");
		t->line = loc.line;
		t->col = loc.col;
		t->len = loc.len;
	}
	dsl_scan__delete_buffer(b, sc);
	dsl_scan_lex_destroy(sc);
	ir_file_free(f);
	source_free(src);
	return n;
}

static void test_scanner_tokens_and_spans(void)
{
	struct diag_queue dq;
	diag_init(&dq);
	struct scanned t[16];
	size_t n = scan("policy api {\n  origins \"a\\\"b\", *; # c\n}\n", t, 16, &dq);
	CU_ASSERT_EQUAL(dq.n, 0);
	CU_ASSERT_EQUAL_FATAL(n, 9);
	CU_ASSERT_EQUAL(t[0].kind, TOK_POLICY);
	CU_ASSERT_EQUAL(t[1].kind, TOK_WORD);
	CU_ASSERT_STRING_EQUAL(t[1].text, "api");
	CU_ASSERT_EQUAL(t[1].line, 1);
	CU_ASSERT_EQUAL(t[1].col, 8);
	CU_ASSERT_EQUAL(t[1].len, 3);
	CU_ASSERT_EQUAL(t[2].kind, '{');
	CU_ASSERT_EQUAL(t[3].kind, TOK_WORD);
	CU_ASSERT_EQUAL(t[3].line, 2);
	CU_ASSERT_EQUAL(t[3].col, 3);
	CU_ASSERT_EQUAL(t[4].kind, TOK_STRING);
	CU_ASSERT_STRING_EQUAL(t[4].text, "a\"b");
	CU_ASSERT_EQUAL(t[4].col, 11);
	CU_ASSERT_EQUAL(t[4].len, 6);          /* "a\"b" as written */
	CU_ASSERT_EQUAL(t[5].kind, ',');
	CU_ASSERT_EQUAL(t[6].kind, TOK_WORD);
	CU_ASSERT_STRING_EQUAL(t[6].text, "*");
	CU_ASSERT_EQUAL(t[7].kind, ';');
	CU_ASSERT_EQUAL(t[8].kind, '}');
	CU_ASSERT_EQUAL(t[8].line, 3);
	CU_ASSERT_EQUAL(t[8].col, 1);
	diag_release(&dq);
}

static void test_scanner_words(void)
{
	struct diag_queue dq;
	diag_init(&dq);
	struct scanned t[8];
	/* every tchar but '#'; "policyx" is a word; an unquoted URL is one word */
	size_t n = scan("!$%&'*+-.^_`|~aZ09 policyx https://a.example.com:8443 x#c", t, 8, &dq);
	CU_ASSERT_EQUAL(dq.n, 0);
	CU_ASSERT_EQUAL_FATAL(n, 4);
	CU_ASSERT_STRING_EQUAL(t[0].text, "!$%&'*+-.^_`|~aZ09");
	CU_ASSERT_EQUAL(t[1].kind, TOK_WORD);
	CU_ASSERT_STRING_EQUAL(t[1].text, "policyx");
	CU_ASSERT_STRING_EQUAL(t[2].text, "https://a.example.com:8443");
	CU_ASSERT_STRING_EQUAL(t[3].text, "x");   /* '#' starts a comment */
	diag_release(&dq);
}

static void test_utf8_columns(void)
{
	struct parsed p;
	/* é is two bytes, one column; 日本 six bytes, two columns */
	parse(&p, "policy a { origins \"https://é.example\", \"日本\", \"x\"; }");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	const struct ir_stmt *s = stmt(&p, 0, ST_ORIGINS);
	CU_ASSERT_EQUAL_FATAL(s->nvalues, 3);
	CU_ASSERT_EQUAL(s->values[0].span.col, 20);
	CU_ASSERT_EQUAL(s->values[1].span.col, 41);
	CU_ASSERT_EQUAL(s->values[1].span.len, 8);
	CU_ASSERT_EQUAL(s->values[2].span.col, 47);
	CU_ASSERT_STRING_EQUAL(s->values[1].text, "日本");
	done(&p);
}

static void test_string_escapes(void)
{
	struct parsed p;
	parse(&p, "policy a { origins \"a\\\"b\\\\c\", \"\"; }");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	const struct ir_stmt *s = stmt(&p, 0, ST_ORIGINS);
	CU_ASSERT_EQUAL_FATAL(s->nvalues, 2);
	CU_ASSERT_STRING_EQUAL(s->values[0].text, "a\"b\\c");
	CU_ASSERT_EQUAL(s->values[0].len, 5);
	CU_ASSERT_TRUE(s->values[0].quoted);
	CU_ASSERT_EQUAL(s->values[1].len, 0);
	CU_ASSERT_TRUE(s->values[1].quoted);
	done(&p);
}

static void test_comments(void)
{
	struct parsed p;
	parse(&p, "# head\npolicy a { # after the brace\n  origins \"x\"; # \"not a string\n"
		  "  # methods GET;\n} # end");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 1);
	CU_ASSERT_TRUE(stmt(&p, 0, ST_ORIGINS)->present);
	CU_ASSERT_FALSE(stmt(&p, 0, ST_METHODS)->present);
	done(&p);

	parse(&p, "# only\n  # comments\n");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	CU_ASSERT_EQUAL(p.f->npolicies, 0);
	done(&p);

	parse(&p, "");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	CU_ASSERT_EQUAL(p.f->npolicies, 0);
	done(&p);
}

static void test_every_statement(void)
{
	struct parsed p;
	parse(&p,
	      "policy api {\n"
	      "    origins        \"https://app.example.com\", \"https://*.t.example.com\";\n"
	      "    methods        GET, POST, \"PUT\";\n"
	      "    allow-headers  *, Authorization;\n"
	      "    expose-headers X-Request-ID;\n"
	      "    credentials    true;\n"
	      "    max-age        10m;\n"
	      "    private-network false;\n"
	      "}\n");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 1);
	const struct ir_policy *pol = p.f->policies[0];
	CU_ASSERT_STRING_EQUAL(pol->name, "api");
	CU_ASSERT_EQUAL(pol->name_span.line, 1);
	CU_ASSERT_EQUAL(pol->name_span.col, 8);
	CU_ASSERT_FALSE(pol->damaged);
	static const size_t want[ST__COUNT] = {
		[ST_ORIGINS] = 2, [ST_METHODS] = 3, [ST_ALLOW_HEADERS] = 2,
		[ST_EXPOSE_HEADERS] = 1, [ST_CREDENTIALS] = 1, [ST_MAX_AGE] = 1,
		[ST_PRIVATE_NETWORK] = 1,
	};
	for (int k = 0; k < ST__COUNT; k++) {
		CU_ASSERT_TRUE(pol->stmt[k].present);
		CU_ASSERT_EQUAL(pol->stmt[k].nvalues, want[k]);
		CU_ASSERT_EQUAL(pol->stmt[k].key_span.line, (unsigned)k + 2);
		CU_ASSERT_EQUAL(pol->stmt[k].key_span.col, 5);
	}
	const struct ir_stmt *m = &pol->stmt[ST_METHODS];
	CU_ASSERT_STRING_EQUAL(m->values[0].text, "GET");
	CU_ASSERT_FALSE(m->values[0].quoted);
	CU_ASSERT_TRUE(m->values[2].quoted);
	CU_ASSERT_EQUAL(m->values[1].span.line, 3);
	CU_ASSERT_EQUAL(m->values[1].span.col, 25);
	CU_ASSERT_EQUAL(m->values[1].span.len, 4);
	CU_ASSERT_STRING_EQUAL(pol->stmt[ST_ALLOW_HEADERS].values[0].text, "*");
	CU_ASSERT_STRING_EQUAL(pol->stmt[ST_MAX_AGE].values[0].text, "10m");
	CU_ASSERT_STRING_EQUAL(pol->stmt[ST_PRIVATE_NETWORK].values[0].text, "false");
	done(&p);
}

static void test_multiple_policies(void)
{
	struct parsed p;
	parse(&p, "policy a { origins *; }\npolicy b{origins \"x\";}policy policy { methods policy; }\n");
	CU_ASSERT_EQUAL(p.dq.n, 0);
	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 3);
	CU_ASSERT_STRING_EQUAL(p.f->policies[0]->name, "a");
	CU_ASSERT_STRING_EQUAL(p.f->policies[1]->name, "b");
	CU_ASSERT_STRING_EQUAL(p.f->policies[2]->name, "policy");
	CU_ASSERT_FALSE(stmt(&p, 0, ST_ORIGINS)->values[0].quoted);  /* the lone '*' */
	CU_ASSERT_TRUE(stmt(&p, 1, ST_ORIGINS)->values[0].quoted);
	CU_ASSERT_STRING_EQUAL(stmt(&p, 2, ST_METHODS)->values[0].text, "policy");
	done(&p);
}

/* ---- errors ---- */

/*
 * Where an error points: a missing token ("missing ';' ...", "missing '}'
 * ...", "missing value ...", "missing '{' ...") just after the previous
 * token; a token in the way ("expected ... found 'POST'", "unexpected '}'")
 * at that token; a trailing ',' at the comma; a lexical error at the exact
 * character (a string's opening quote when it is unterminated).
 */
struct error_case {
	const char *input;
	const char *code;
	unsigned line, col;
	const char *message;   /* a part of it */
};

static const struct error_case errors[] = {
	/* cors-http.conf and cors-server.conf are the server-level files */
	{ "policy http { origins *; }", "E001", 1, 8, "policy name 'http' is reserved" },
	{ "policy Server { origins *; }", "E001", 1, 8, "policy name 'Server' is reserved" },
	/* lexical */
	{ "policy a { origins \"abc;\n}", "E001", 1, 20, "unterminated string" },
	{ "policy a { origins \"abc\\", "E001", 1, 20, "unterminated string" },
	{ "policy a { origins \"a\\nb\"; }", "E001", 1, 22, "unknown escape '\\n'" },
	{ "policy a { origins \"a\tb\"; }", "E001", 1, 22, "tab character in string" },
	{ "policy a { origins \"a\x01" "b\"; }", "E001", 1, 22, "control character \\x01" },
	{ "policy a { origins \"é\xff\"; }", "E001", 1, 22, "invalid UTF-8 byte \\xff in string" },
	{ "policy a { origins \"\xed\xa0\x80\"; }", "E001", 1, 21, "invalid UTF-8" },  /* a surrogate */
	{ "policy a { origins \"\xc0\xaf\"; }", "E001", 1, 21, "invalid UTF-8" },      /* overlong */
	{ "policy a {\n  @origins \"x\"; }", "E001", 2, 3, "unexpected character '@'" },
	{ "policy a { origins \"x\"; }\n\x01", "E001", 2, 1, "unexpected control character \\x01" },
	{ "policy a { é }", "E001", 1, 12, "unexpected character 'é'" },
	{ "policy a { \xfe }", "E001", 1, 12, "invalid UTF-8 byte \\xfe" },
	{ "# comment \xff\npolicy a { origins *; }", "E001", 1, 11, "invalid UTF-8 byte \\xff in comment" },
	{ "policy a { origins \"x\"; } # \x80", "E001", 1, 29, "invalid UTF-8" },
	/* syntax */
	{ "policy a {\n  methods GET\n  origins \"x\";\n}", "E001", 2, 14, "missing ';' after 'methods' statement" },
	{ "policy a { methods GET }", "E001", 1, 23, "missing ';' after 'methods' statement" },
	{ "policy a { methods GET POST; }", "E001", 1, 24, "expected ',' or ';' after 'GET', found 'POST'" },
	{ "policy a { methods ; }", "E001", 1, 19, "missing value after 'methods'" },
	{ "policy a { methods GET,; }", "E001", 1, 23, "trailing ',' in 'methods' list" },
	{ "policy a { methods GET, {; }", "E001", 1, 25, "expected a value after ',', found '{'" },
	{ "policy a { origins \"x\";", "E001", 1, 24, "missing '}' at end of file for policy 'a'" },
	{ "policy a { origins \"x\";\npolicy b { origins \"y\"; }", "E001", 1, 24, "missing '}' at end of policy 'a'" },
	{ "policy a\n  origins \"x\";\n}", "E001", 1, 9, "missing '{' after 'policy a'" },
	{ "policy my api { origins \"x\"; }", "E001", 1, 11, "expected '{' after 'policy my', found 'api'" },
	{ "policy { origins \"x\"; }", "E001", 1, 7, "missing policy name" },
	{ "policy \"api\" { origins \"x\"; }", "E001", 1, 8, "a policy name is a word, not a string" },
	{ "policy 9a { origins \"x\"; }", "E001", 1, 8, "does not start with a letter" },
	{ "policy a.b { origins \"x\"; }", "E001", 1, 8, "contains '.'" },
	{ "policy a { origins \"x\"; }\n}", "E001", 2, 1, "unexpected '}'" },
	{ "origins \"x\";\npolicy a { origins \"x\"; }", "E001", 1, 1, "expected a policy, found 'origins'" },
	{ "policy a { \"x\"; }", "E001", 1, 12, "expected a statement, found string \"x\"" },
	{ "policy a { origins \"x\";; }", "E001", 1, 24, "unexpected ';'" },
	/* statement-level checks */
	{ "policy a { origins https://a.example.com; }", "E001", 1, 20,
	  "an origin is a quoted string: write \"https://a.example.com\"" },
	{ "policy a { origins \"x\", example.com; }", "E001", 1, 25, "an origin is a quoted string" },
	{ "policy a { origins *; credentials true, false; }", "E001", 1, 41, "'credentials' takes one value" },
	{ "policy a { origins *; private-network true false; }", "E001", 1, 44, "expected ',' or ';' after 'true', found 'false'" },
	{ "policy a { origins *; private-network true, false; }", "E001", 1, 45, "'private-network' takes one value" },
	{ "policy a { origins *; max-age 1, 2; }", "E001", 1, 34, "'max-age' takes one value" },
	{ "policy a { origins *; origin \"x\"; }", "E002", 1, 23, "unknown statement 'origin'" },
	{ "policy a {\n origins *;\n origins \"x\"; }", "E003", 3, 2, "'origins' repeated in policy 'a'" },
	{ NULL, NULL, 0, 0, NULL },
};

static void test_each_error(void)
{
	for (const struct error_case *c = errors; c->input; c++) {
		struct parsed p;
		parse(&p, c->input);
		const struct diag *d = diag_at(&p, c->code, c->line, c->col);
		if (!d || !strstr(d->message, c->message)) {
			fprintf(stderr, "\n  case %s: want %s %u:%u '%s', got:\n",
				c->input, c->code, c->line, c->col, c->message);
			for (size_t i = 0; i < p.dq.n; i++)
				fprintf(stderr, "    %s %u:%u %s\n", p.dq.v[i].code, p.dq.v[i].span.line,
					p.dq.v[i].span.col, p.dq.v[i].message);
		}
		CU_ASSERT_PTR_NOT_NULL(d);
		if (d)
			CU_ASSERT_PTR_NOT_NULL(strstr(d->message, c->message));
		done(&p);
	}
}

static void test_nul_byte(void)
{
	struct parsed p;
	static const char text[] = "policy a {\n  origins \"x\0y\";\n\0 }\n";
	parse_n(&p, text, sizeof(text) - 1);
	const struct diag *d = diag_at(&p, "E001", 2, 13);
	CU_ASSERT_PTR_NOT_NULL(d);
	if (d)
		CU_ASSERT_STRING_EQUAL(d->message, "NUL byte in string");
	d = diag_at(&p, "E001", 3, 1);
	CU_ASSERT_PTR_NOT_NULL(d);
	if (d)
		CU_ASSERT_STRING_EQUAL(d->message, "unexpected NUL byte");
	CU_ASSERT_EQUAL(p.dq.n, 2);
	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 1);
	CU_ASSERT_TRUE(p.f->policies[0]->damaged);
	CU_ASSERT_FALSE(stmt(&p, 0, ST_ORIGINS)->present);   /* the bad value drops it */
	done(&p);
}

/*
 * Recovery: every error of the file reported once, the statements around
 * them kept, the damaged flag on exactly the policies recovered in.
 */
static void test_recovery(void)
{
	struct parsed p;
	parse(&p,
	      "policy a {\n"                              /* 1 */
	      "    origins \"https://a.example.com\";\n"  /* 2 */
	      "    methods GET POST;\n"                   /* 3: expected ',' or ';' */
	      "    allow-headers X-A\n"                   /* 4: missing ';' */
	      "    expose-headers X-B;\n"                 /* 5: kept */
	      "    max-age 1, 2;\n"                       /* 6: takes one value */
	      "}\n"
	      "policy b {\n"                              /* 8 */
	      "    origins \"https://b.example.com\";\n"
	      "    credentials true;\n"
	      "}\n"
	      "policy c {\n"                              /* 12 */
	      "    origins https://c.example.com;\n"      /* 13: unquoted origin */
	      "    methods GET;\n"
	      "    methods PUT;\n"                        /* 15: E003 */
	      "\n"
	      "policy d { origins \"x\"; methods ; }\n"   /* 17: missing '}' before, missing value */
	      "} }\n"                                     /* 18: stray '}' */
	      "x = 1\n");                                 /* 19: '=' */
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 3, 17));
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 4, 22));
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 6, 16));
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 13, 13));
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E003", 15, 5));
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 15, 17));   /* missing '}' of c */
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 17, 32));   /* missing value */
	/* outside a policy, one error for a run of junk up to the next policy
	   or statement keyword; the scanner still reports every bad character */
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 18, 1));
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 19, 3));    /* '=' */
	CU_ASSERT_EQUAL(p.dq.n, 9);

	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 4);
	const struct ir_policy *a = p.f->policies[0], *b = p.f->policies[1];
	CU_ASSERT_TRUE(a->damaged);
	CU_ASSERT_TRUE(a->stmt[ST_ORIGINS].present);
	CU_ASSERT_FALSE(a->stmt[ST_METHODS].present);
	CU_ASSERT_TRUE(a->stmt[ST_ALLOW_HEADERS].present);    /* taken as if ';' were there */
	CU_ASSERT_TRUE(a->stmt[ST_EXPOSE_HEADERS].present);
	CU_ASSERT_FALSE(a->stmt[ST_MAX_AGE].present);
	CU_ASSERT_FALSE(b->damaged);
	CU_ASSERT_TRUE(b->stmt[ST_CREDENTIALS].present);
	CU_ASSERT_TRUE(p.f->policies[2]->damaged);
	CU_ASSERT_FALSE(p.f->policies[2]->stmt[ST_ORIGINS].present);
	CU_ASSERT_TRUE(p.f->policies[2]->stmt[ST_METHODS].present);
	CU_ASSERT_STRING_EQUAL(p.f->policies[3]->name, "d");
	CU_ASSERT_TRUE(p.f->policies[3]->stmt[ST_ORIGINS].present);
	done(&p);
}

/* Where bison's error productions resume (parser.y), one case each. */
static void test_recovery_points(void)
{
	struct parsed p;
	/* junk to the end of a line: a 'policy' there closes the policy, the
	   missing '}' is placed after the last token before it */
	parse(&p, "policy a {\n  origins \"x\" junk junk\npolicy b { origins *; }\n");
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 2, 15));
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 2, 24));
	CU_ASSERT_EQUAL(p.dq.n, 2);
	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 2);
	CU_ASSERT_TRUE(p.f->policies[0]->damaged);
	CU_ASSERT_FALSE(p.f->policies[1]->damaged);
	done(&p);

	/* a statement keyword that starts a line ends the junk before it; one
	   in the middle of a line does not */
	parse(&p, "policy a {\n  methods GET POST origins x\n  allow-headers X-A;\n"
		  "  expose-headers X-B; }\n");
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 2, 15));
	CU_ASSERT_EQUAL(p.dq.n, 1);
	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 1);
	CU_ASSERT_FALSE(p.f->policies[0]->stmt[ST_METHODS].present);
	CU_ASSERT_FALSE(p.f->policies[0]->stmt[ST_ORIGINS].present);
	CU_ASSERT_TRUE(p.f->policies[0]->stmt[ST_ALLOW_HEADERS].present);
	CU_ASSERT_TRUE(p.f->policies[0]->stmt[ST_EXPOSE_HEADERS].present);
	done(&p);

	/* outside a policy: each stray statement once, junk silently, and any
	   'policy' starts over */
	parse(&p, "origins *;\nmethods GET, PUT;\nx y; policy a { origins *; }\n");
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 1, 1));
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 2, 1));
	CU_ASSERT_EQUAL(p.dq.n, 2);
	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 1);
	CU_ASSERT_FALSE(p.f->policies[0]->damaged);
	done(&p);

	/* a bad head: skip to '{'; the statements after it are read */
	parse(&p, "policy a b c {\n  origins *;\n  methods get\n}\n");
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 1, 10));
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 3, 14));   /* missing ';' */
	CU_ASSERT_EQUAL(p.dq.n, 2);
	CU_ASSERT_EQUAL_FATAL(p.f->npolicies, 1);
	CU_ASSERT_TRUE(p.f->policies[0]->stmt[ST_METHODS].present);
	done(&p);
}

static void test_error_cap(void)
{
	struct parsed p;
	size_t n = 500;
	char *text = malloc(n * 12 + 32);
	size_t len = (size_t)sprintf(text, "policy a {\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, " methods ;\n");
	parse_n(&p, text, len);
	CU_ASSERT_TRUE(diag_capped(&p.dq));
	CU_ASSERT_EQUAL(p.dq.n, DIAG_MAX_ERRORS);
	/* the first and the last queued are in source order, one a line */
	CU_ASSERT_EQUAL(p.dq.v[0].span.line, 2);
	CU_ASSERT_EQUAL(p.dq.v[DIAG_MAX_ERRORS - 1].span.line, DIAG_MAX_ERRORS + 1);
	done(&p);
	free(text);
}

/* Hostile shapes: they end, quickly, with a located error or none. */
static void test_robust(void)
{
	struct parsed p;
	size_t n = 100000;
	char *text = malloc(2 * 1024 * 1024);

	memset(text, '{', n);
	parse_n(&p, text, n);
	CU_ASSERT_EQUAL(p.dq.n, 1);
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 1, 1));
	done(&p);

	size_t len = (size_t)sprintf(text, "policy a ");
	memset(text + len, '{', n);
	parse_n(&p, text, len + n);
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 1, 11));   /* unexpected '{' */
	CU_ASSERT_EQUAL(p.dq.n, 2);                          /* and the missing '}' */
	done(&p);

	/* a 1 MB line: one statement with 250,000 values */
	len = (size_t)sprintf(text, "policy a { origins \"x\"; methods A");
	for (size_t i = 0; i < 250000; i++) {
		memcpy(text + len, ",B", 2);
		len += 2;
	}
	len += (size_t)sprintf(text + len, "; max-age 1 2; }\n");
	parse_n(&p, text, len);
	CU_ASSERT_EQUAL(p.dq.n, 1);
	CU_ASSERT_PTR_NOT_NULL(diag_at(&p, "E001", 1, (unsigned)(34 + 500000 + 12)));
	CU_ASSERT_EQUAL(stmt(&p, 0, ST_METHODS)->nvalues, 250001);
	done(&p);

	/* binary garbage: capped, no crash */
	for (size_t i = 0; i < n; i++)
		text[i] = (char)(i * 7 + (i >> 8));
	parse_n(&p, text, n);
	CU_ASSERT_TRUE(p.dq.n > 0);
	CU_ASSERT_TRUE(p.dq.n <= DIAG_MAX_ERRORS);
	done(&p);
	free(text);
}

void register_dsl(void)
{
	static const struct test_case cases[] = {
		{ "scanner: tokens and spans", test_scanner_tokens_and_spans },
		{ "scanner: words", test_scanner_words },
		{ "columns count characters", test_utf8_columns },
		{ "string escapes, quoted flag", test_string_escapes },
		{ "comments, empty file", test_comments },
		{ "every statement kind", test_every_statement },
		{ "several policies, 'policy' as a word", test_multiple_policies },
		{ "each error: code, line, column, message", test_each_error },
		{ "NUL bytes", test_nul_byte },
		{ "recovery reports every error", test_recovery },
		{ "where recovery resumes", test_recovery_points },
		{ "error cap", test_error_cap },
		{ "hostile input", test_robust },
		{ NULL, NULL },
	};
	register_cases("dsl", cases);
}
