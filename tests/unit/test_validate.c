/*
 * test_validate.c - every rule of SPEC section 7: for each code a trigger and
 * a near miss, with code, severity, line and column; and the resolved layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "origin.h"
#include "testutil.h"
#include "validate.h"

/*
 * A small builder of raw IR from a subset of the policy language (policy,
 * statements, words, "strings" with \" and \\), through the constructors of
 * ir.h, so that the validator is tested alone, with the spans a front end
 * gives (a string's span starts at its opening quote).
 */
static size_t skip_space(const char *t, size_t i)
{
	while (t[i] == ' ' || t[i] == '\n' || t[i] == '\t')
		i++;
	return i;
}

static size_t word_end(const char *t, size_t i)
{
	while (t[i] && is_tchar((unsigned char)t[i]) && t[i] != '#')
		i++;
	return i;
}

static void build_ir(struct compilation *c, const char *text)
{
	memset(c, 0, sizeof(*c));
	diag_init(&c->dq);
	c->src = source_from_string("t.cors", text, strlen(text));
	c->ir = ir_file_new(c->src);
	struct ir_file *f = c->ir;
	size_t i = skip_space(text, 0);
	while (strncmp(text + i, "policy", 6) == 0) {
		i = skip_space(text, i + 6);
		size_t ne = word_end(text, i);
		struct span ns = span_at(c->src, i, ne - i);
		struct ir_policy *p = ir_policy_add(f, text + i, ne - i, ns, ns);
		i = skip_space(text, ne);
		CU_ASSERT_EQUAL_FATAL(text[i], '{');
		i = skip_space(text, i + 1);
		while (text[i] && text[i] != '}') {
			size_t ke = word_end(text, i);
			struct ir_stmt *s = ir_stmt_begin(f, p, text + i, ke - i,
							  span_at(c->src, i, ke - i), &c->dq);
			i = skip_space(text, ke);
			while (text[i] && text[i] != ';') {
				size_t start = i;
				char buf[256];
				size_t n = 0;
				bool quoted = text[i] == '"';
				if (quoted) {
					for (i++; text[i] && text[i] != '"'; i++) {
						if (text[i] == '\\')
							i++;
						buf[n++] = text[i];
					}
					i++;
				} else {
					i = word_end(text, i);
					memcpy(buf, text + start, i - start);
					n = i - start;
				}
				CU_ASSERT_FATAL(n < sizeof(buf) && i > start);
				if (s)
					ir_stmt_add_value(f, s, buf, n, quoted, span_at(c->src, start, i - start));
				i = skip_space(text, i);
				if (text[i] == ',')
					i = skip_space(text, i + 1);
			}
			CU_ASSERT_EQUAL_FATAL(text[i], ';');
			i = skip_space(text, i + 1);
		}
		CU_ASSERT_EQUAL_FATAL(text[i], '}');
		i = skip_space(text, i + 1);
	}
	CU_ASSERT_EQUAL_FATAL(text[i], '\0');
	validate(f, &c->dq);
	diag_sort(&c->dq);
}

/* ---- expectations ---- */

/*
 * expect: a space-separated list of
 *   CODE@LINE:COL   a diagnostic with that code at that place (severity from the code)
 *   !CODE           no diagnostic with that code
 *   clean           no diagnostic at all
 */
static void dump(const struct compilation *c)
{
	for (size_t i = 0; i < c->dq.n; i++)
		fprintf(stderr, "    got %s@%u:%u %s\n", c->dq.v[i].code, c->dq.v[i].span.line,
			c->dq.v[i].span.col, c->dq.v[i].message);
}

static void check_expect(const struct compilation *c, const char *text, const char *expect)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", expect);
	bool bad = false;
	for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
		if (strcmp(tok, "clean") == 0) {
			CU_ASSERT_EQUAL(c->dq.n, 0);
			bad |= c->dq.n != 0;
		} else if (tok[0] == '!') {
			CU_ASSERT_PTR_NULL(find_diag(c, tok + 1));
			bad |= find_diag(c, tok + 1) != NULL;
		} else {
			char code[5];
			unsigned line, col;
			CU_ASSERT_FATAL(sscanf(tok, "%4s@%u:%u", code, &line, &col) == 3);
			bool found = false;
			for (size_t i = 0; i < c->dq.n; i++) {
				const struct diag *d = &c->dq.v[i];
				if (strcmp(d->code, code) == 0 && d->span.line == line &&
				    d->span.col == col &&
				    d->severity == (code[0] == 'E' ? SEV_ERROR : SEV_WARNING) &&
				    d->message && d->message[0])
					found = true;
			}
			CU_ASSERT_TRUE(found);
			bad |= !found;
		}
	}
	if (bad) {
		fprintf(stderr, "\n  expected %s for:\n%s\n", expect, text);
		dump(c);
	}
}

struct vcase {
	const char *text;
	const char *expect;
};

static void run_ir_cases(const struct vcase *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct compilation c;
		build_ir(&c, cases[i].text);
		check_expect(&c, cases[i].text, cases[i].expect);
		compilation_free(&c);
	}
}

#define POLICY(body) "policy api {\n" body "}\n"
#define ORIGIN "    origins \"https://app.example.com\";\n"

static const struct vcase ir_cases[] = {
	/* E001: a file without policy */
	{ "", "E001@1:1" },
	{ POLICY(ORIGIN), "clean" },
	/* E002, E003 (the shared constructors) */
	{ POLICY(ORIGIN "    allow-header X-A;\n"), "E002@3:5" },
	{ POLICY(ORIGIN "    allow-headers X-A;\n"), "clean" },
	{ POLICY(ORIGIN "    origins *;\n"), "E003@3:5" },
	/* E004 */
	{ "policy api { origins *; }\npolicy API { origins *; }\n", "E004@2:8" },
	{ "policy my-api { origins *; }\npolicy My_Api { origins *; }\n", "E004@2:8" },
	/* '_' first, '-' second (make mutate: only one side was folded in a test) */
	{ "policy my_api { origins *; }\npolicy My-Api { origins *; }\n", "E004@2:8" },
	{ "policy api { origins *; }\npolicy api2 { origins *; }\n", "clean" },
	/* E005 */
	{ POLICY("    methods GET;\n"), "E005@1:8" },
	{ POLICY("    methods GET;\n" ORIGIN), "clean" },
	/* E010 */
	{ POLICY("    origins \"https://app.example.com/\";\n"), "E010@2:37" },
	{ POLICY("    origins \"https://a.example.com\", \"https://B.example.com\";\n"), "E010@2:47" },
	/* sub-spans: the part at fault (issue 16) */
	{ POLICY("    origins \"https://a.example.com:080\";\n"), "E010@2:36" },
	{ POLICY("    origins \"https://u@c.example.com\";\n"), "E010@2:22" },
	{ POLICY("    origins \"https://e..example.com\";\n"), "E010@2:24" },
	{ POLICY("    origins \"https://a.*.example.com\";\n"), "E011@2:24" },
	{ POLICY("    origins \"HTTPS://app.example.com\";\n"), "E010@2:14" },
	{ POLICY("    origins \"https://App.example.com\";\n"), "E010@2:22" },
	{ POLICY("    origins \"https://b\xC3\xBC.de:8443\";\n"), "E010@2:22" },
	{ POLICY("    origins \"http://1.2.3.999\";\n"), "E010@2:27" },    /* the bad IPv4 number */
	{ POLICY("    origins \"http://01.2.3.4\";\n"), "E010@2:21" },    /* the number with a leading zero */
	{ POLICY("    origins \"http://1.2.3\";\n"), "E010@2:21" },    /* too few numbers: the address */
	{ POLICY("    origins \"http://[::1\";\n"), "E010@2:21" },    /* missing ']': from '[' */
	{ POLICY("    origins \"http://[12345::1]\";\n"), "E010@2:22" },    /* the bad IPv6 group */
	{ POLICY("    origins \"http://[0:0::1]\";\n"), "E010@2:22" },    /* not canonical: the address */
	{ POLICY("    origins \"example.com\";\n"), "E010@2:14" },    /* missing '://': where the scheme goes */
	{ POLICY("    origins \"https:/example.com\";\n"), "E010@2:19" },    /* the broken ':/' */
	{ POLICY("    origins \"http://a .example.com\";\n"), "E010@2:22" },    /* the whitespace */
	{ POLICY("    origins \"ht_tp://a.com\";\n"), "E010@2:14" },    /* the scheme */
	{ POLICY("    origins \"http://:80\";\n"), "E010@2:18" },    /* empty host: the '://' */
	{ POLICY("    origins \"http://a:b:c\";\n"), "E010@2:21" },    /* more than one ':': host and port */
	{ POLICY("    origins \"http://*.1.2.3.4\";\n"), "E011@2:21" },    /* a wildcard over an IP address: the host */
	{ POLICY("    origins \"https://app.example.com\", \"https://b.example.com\";\n"), "clean" },
	/* E011 */
	{ POLICY("    origins \"https://*example.com\";\n"), "E011@2:22" },
	{ POLICY("    origins \"https://*.example.com\";\n"), "clean" },
	/* E012 */
	{ POLICY("    origins \"https://*.co.uk\";\n"), "E012@2:22" },
	{ POLICY("    origins \"https://*.example.co.uk\";\n"), "clean" },
	/* E013 */
	{ POLICY("    origins *, \"https://a.example.com\";\n"), "E013@2:13" },
	{ POLICY("    origins \"https://a.example.com\", *;\n"), "E013@2:38" },
	{ POLICY("    origins *;\n"), "clean" },
	/* E020 */
	{ POLICY("    origins *;\n    credentials true;\n"), "E020@2:13" },
	{ POLICY("    origins *;\n    credentials false;\n"), "clean" },
	/* E021 */
	{ POLICY(ORIGIN "    expose-headers *;\n    credentials true;\n"), "E021@3:20" },
	{ POLICY(ORIGIN "    expose-headers *;\n"), "clean" },
	/* E022 */
	{ POLICY(ORIGIN "    allow-headers *, Authorization;\n    credentials true;\n"),
	  "E022@3:19 !W103" },
	{ POLICY(ORIGIN "    allow-headers *, Authorization;\n"), "clean" },
	/* E023 */
	{ POLICY(ORIGIN "    methods *;\n    credentials true;\n"), "E023@3:13" },
	{ POLICY(ORIGIN "    methods *;\n"), "clean" },
	/* E024 */
	{ POLICY("    origins *;\n    private-network true;\n"), "E024@2:13 !W111" },
	{ POLICY(ORIGIN "    private-network true;\n"), "W111@3:21 !E024" },
	/* E030 */
	{ POLICY(ORIGIN "    allow-headers \"Content Type\";\n"), "E030@3:19" },
	{ POLICY(ORIGIN "    expose-headers X-A, \"\";\n"), "E030@3:25" },
	{ POLICY(ORIGIN "    expose-headers \"X-\xc3\xa9\";\n"), "E030@3:20" },
	{ POLICY(ORIGIN "    expose-headers *, X-A;\n"), "E030@3:20" },
	{ POLICY(ORIGIN "    allow-headers *, Authorization, X-A;\n"), "E030@3:19" },
	{ POLICY(ORIGIN "    allow-headers \"Content-Type\", X-Odd$%'^`|~!&*+.;\n"), "clean" },
	/* E031 */
	{ POLICY(ORIGIN "    methods \"GET POST\";\n"), "E031@3:13" },
	{ POLICY(ORIGIN "    methods GET, *;\n"), "E031@3:18" },
	{ POLICY(ORIGIN "    methods GET, POST;\n"), "clean" },
	/* E032 */
	{ POLICY(ORIGIN "    methods GET, put;\n"), "E032@3:18" },
	{ POLICY(ORIGIN "    methods Delete;\n"), "E032@3:13" },
	{ POLICY(ORIGIN "    methods GET, patch;\n"), "clean" },
	/* E033 */
	{ POLICY(ORIGIN "    max-age 10x;\n"), "E033@3:13" },
	{ POLICY(ORIGIN "    max-age -5;\n"), "E033@3:13" },
	{ POLICY(ORIGIN "    max-age 2147483648;\n"), "E033@3:13" },
	{ POLICY(ORIGIN "    max-age 99999999999999999999999d;\n"), "E033@3:13" },
	{ POLICY(ORIGIN "    max-age 24856d;\n"), "E033@3:13" },
	{ POLICY(ORIGIN "    max-age \"10\";\n"), "clean" },
	{ POLICY(ORIGIN "    max-age \"10 m\";\n"), "E033@3:13" },
	{ POLICY(ORIGIN "    max-age m;\n"), "E033@3:13" },
	{ POLICY(ORIGIN "    credentials True;\n"), "E033@3:17" },
	{ POLICY(ORIGIN "    credentials \"true\";\n"), "E033@3:17" },
	{ POLICY(ORIGIN "    private-network yes;\n"), "E033@3:21" },
	{ POLICY(ORIGIN "    max-age 10m;\n    credentials true;\n    private-network false;\n"),
	  "clean" },
	{ POLICY(ORIGIN "    max-age 0;\n"), "clean" },
	{ POLICY(ORIGIN "    max-age 2147483647;\n"), "W106@3:13 !E033" },
	/* E034 */
	{ POLICY(ORIGIN "    methods GET, trace;\n"), "E034@3:18 !E032" },
	{ POLICY(ORIGIN "    methods CONNECT;\n"), "E034@3:13" },
	{ POLICY(ORIGIN "    methods TRACKS, CONNECTED;\n"), "clean" },
	/* E035 */
	{ POLICY(ORIGIN "    allow-headers access-control-allow-origin;\n"), "E035@3:19" },
	{ POLICY(ORIGIN "    expose-headers Origin;\n"), "E035@3:20" },
	{ POLICY(ORIGIN "    allow-headers Origin;\n"), "E035@3:19 !W110" },
	{ POLICY(ORIGIN "    allow-headers X-Access-Control-Allow, Origin-Trial;\n"), "clean" },
	/* W101 */
	{ POLICY(ORIGIN "    expose-headers X-A, content-type;\n"), "W101@3:25" },
	{ POLICY(ORIGIN "    expose-headers Content-Range;\n"), "clean" },
	/* W102 */
	{ POLICY(ORIGIN "    expose-headers Set-Cookie;\n"), "W102@3:20" },
	{ POLICY(ORIGIN "    expose-headers Set-Cookie2;\n"), "W102@3:20" },
	{ POLICY(ORIGIN "    expose-headers Set-Cookie-Info;\n"), "clean" },
	/* W103 */
	{ POLICY(ORIGIN "    allow-headers *;\n"), "W103@3:19" },
	{ POLICY(ORIGIN "    allow-headers *, authorization;\n"), "clean" },
	/* W104 */
	{ POLICY("    origins \"null\";\n"), "W104@2:13" },
	{ POLICY("    origins \"https://null.example\";\n"), "clean" },
	/* W105 */
	{ POLICY("    origins \"http://app.example.com\";\n    credentials true;\n"), "W105@2:13" },
	{ POLICY("    origins \"http://*.example.com\";\n    credentials true;\n"), "W105@2:13" },
	{ POLICY("    origins \"http://localhost:3000\", \"http://127.0.0.2:*\", \"http://[::1]\",\n"
		 "            \"http://*.localhost:*\", \"https://app.example.com\";\n"
		 "    credentials true;\n"), "clean" },
	{ POLICY("    origins \"http://app.example.com\";\n"), "clean" },
	{ POLICY("    origins \"http://128.0.0.1\";\n    credentials true;\n"), "W105@2:13" },
	/* W106 */
	{ POLICY(ORIGIN "    max-age 3h;\n"), "W106@3:13" },
	{ POLICY(ORIGIN "    max-age 2h;\n"), "clean" },
	{ POLICY(ORIGIN "    max-age 7201;\n"), "W106@3:13" },
	/* W107 */
	{ POLICY(ORIGIN "    methods GET, POST, GET;\n"), "W107@3:24" },
	{ POLICY(ORIGIN "    allow-headers X-A, x-a;\n"), "W107@3:24" },
	{ POLICY("    origins \"https://a.example.com\", \"https://a.example.com:443\";\n"),
	  "W107@2:38 W109@2:60" },
	{ POLICY("    origins *, *;\n"), "W107@2:16 !E013" },
	{ POLICY(ORIGIN "    methods PATCH, patch;\n"), "clean" },
	/* W108 */
	{ POLICY("    origins \"https://*.example.com\", \"https://a.example.com\";\n"), "W108@2:38" },
	{ POLICY("    origins \"https://**.example.com\", \"https://a.b.example.com\";\n"), "W108@2:39" },
	{ POLICY("    origins \"https://*.example.com\", \"https://a.b.example.com\",\n"
		 "            \"https://example.com\";\n"), "clean" },
	/* W109 */
	{ POLICY("    origins \"https://app.example.com:443\";\n"), "W109@2:37" },
	{ POLICY("    origins \"https://app.example.com:8443\";\n"), "clean" },
	/* W110 */
	{ POLICY(ORIGIN "    allow-headers Cookie;\n"), "W110@3:19" },
	{ POLICY(ORIGIN "    allow-headers X-A, sec-fetch-mode, Proxy-Authorization;\n"),
	  "W110@3:24 W110@3:40" },
	{ POLICY(ORIGIN "    allow-headers X-Cookie, Secret;\n"), "clean" },
	/* W111 */
	{ POLICY(ORIGIN "    private-network true;\n"), "W111@3:21" },
	{ POLICY(ORIGIN "    private-network false;\n"), "clean" },
	{ POLICY("    origins \"http://localhost:*\";\n    private-network true;\n"), "W111@3:21" },
};

/* Raw IR that the policy-language grammar already refuses (E001). */
static const struct vcase ir_only_cases[] = {
	{ POLICY(ORIGIN "    max-age 1, 2;\n"), "E033@3:16" },
	{ POLICY(ORIGIN "    credentials true, false;\n"), "E033@3:23" },
};

static void test_rules_ir(void)
{
	run_ir_cases(ir_cases, ARRAY_SIZE(ir_cases));
	run_ir_cases(ir_only_cases, ARRAY_SIZE(ir_only_cases));
}

static void test_all_problems_reported(void)
{
	struct compilation c;
	build_ir(&c, "policy a {\n"
		     "    origins *, \"https://x.example.com/\";\n"
		     "    methods get, TRACE, \"A B\";\n"
		     "    allow-headers *, Cookie;\n"
		     "    credentials true;\n"
		     "    max-age 1w;\n"
		     "}\n"
		     "policy b { methods GET; }\n"
		     "policy A { origins \"https://*.com\"; }\n");
	static const char *codes[] = { "E013", "E020", "E010", "E032", "E034", "E031",
				       "E030", "E022", "E033", "E005", "E004", "E012" };
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		CU_ASSERT_PTR_NOT_NULL(find_diag(&c, codes[i]));
	CU_ASSERT_EQUAL(c.ir->nresolved, 0);
	/* every diagnostic has a note saying how to fix it */
	for (size_t i = 0; i < c.dq.n; i++)
		CU_ASSERT_PTR_NOT_NULL(c.dq.v[i].note);
	compilation_free(&c);
}

static void test_notes(void)
{
	struct compilation c;
	build_ir(&c, "policy api { origins \"https://app.example.com\"; }\n"
		     "policy x { origins \"https://b\xc3\xbc" "cher.example\"; methods put; }\n"
		     "policy Api { origins *; }\n");
	const struct diag *d = find_diag(&c, "E010");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->note, "https://xn--bcher-kva.example"));
	d = find_diag(&c, "E032");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->note, "PUT"));
	d = find_diag(&c, "E004");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	/* the first definition is a related location, not only words in the note */
	CU_ASSERT_EQUAL_FATAL(d->nrelated, 1);
	CU_ASSERT_EQUAL(d->related[0].span.line, 1);
	CU_ASSERT_EQUAL(d->related[0].span.col, 8);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->related[0].message, "'api'"));
	compilation_free(&c);
}

static void test_resolved(void)
{
	struct compilation c;
	build_ir(&c, "policy bad { origins \"https://a.example.com/\"; }\n"
		     "policy api {\n"
		     "    origins \"https://app.example.com:443\", \"https://*.t.example.com\",\n"
		     "            \"http://localhost:*\", \"https://app.example.com\";\n"
		     "    methods GET, PATCH, GET;\n"
		     "    allow-headers *, Authorization;\n"
		     "    expose-headers X-Request-ID, x-request-id;\n"
		     "    max-age 10m;\n"
		     "    private-network true;\n"
		     "}\n"
		     "policy pub { origins *; expose-headers *; }\n");
	CU_ASSERT_EQUAL_FATAL(c.ir->nresolved, 2);
	const struct policy *p = &c.ir->resolved[0];
	CU_ASSERT_STRING_EQUAL(p->name, "api");
	CU_ASSERT_FALSE(p->any_origin);
	CU_ASSERT_EQUAL_FATAL(p->norigins, 3);
	CU_ASSERT_STRING_EQUAL(p->origins[0].text, "https://app.example.com");
	CU_ASSERT_STRING_EQUAL(p->origins[1].text, "https://*.t.example.com");
	CU_ASSERT_STRING_EQUAL(p->origins[2].text, "http://localhost:*");
	CU_ASSERT_TRUE(p->methods.set);
	CU_ASSERT_FALSE(p->methods.any);
	CU_ASSERT_EQUAL_FATAL(p->methods.n, 2);
	CU_ASSERT_STRING_EQUAL(p->methods.names[0], "GET");
	CU_ASSERT_STRING_EQUAL(p->methods.names[1], "PATCH");
	CU_ASSERT_TRUE(p->allow_headers.any);
	CU_ASSERT_EQUAL_FATAL(p->allow_headers.n, 1);
	CU_ASSERT_STRING_EQUAL(p->allow_headers.names[0], "Authorization");
	CU_ASSERT_EQUAL_FATAL(p->expose_headers.n, 1);
	CU_ASSERT_STRING_EQUAL(p->expose_headers.names[0], "X-Request-ID");
	CU_ASSERT_TRUE(p->max_age_set);
	CU_ASSERT_EQUAL(p->max_age, 600);
	CU_ASSERT_FALSE(p->credentials);
	CU_ASSERT_TRUE(p->private_network);
	CU_ASSERT_TRUE(origin_match(&p->origins[1], "https://x.t.example.com", 23));

	const struct policy *q = &c.ir->resolved[1];
	CU_ASSERT_STRING_EQUAL(q->name, "pub");
	CU_ASSERT_TRUE(q->any_origin);
	CU_ASSERT_EQUAL(q->norigins, 0);
	CU_ASSERT_FALSE(q->methods.set);
	CU_ASSERT_FALSE(q->allow_headers.set);
	CU_ASSERT_TRUE(q->expose_headers.set && q->expose_headers.any);
	CU_ASSERT_EQUAL(q->expose_headers.n, 0);
	CU_ASSERT_FALSE(q->max_age_set);
	compilation_free(&c);
}

static void test_hostile_values(void)
{
	/* NUL bytes and every byte value in a header name or method: refused, no crash */
	static const struct { enum stmt_kind k; const char *code; } kinds[] = {
		{ ST_ALLOW_HEADERS, "E030" }, { ST_EXPOSE_HEADERS, "E030" }, { ST_METHODS, "E031" },
	};
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct compilation c;
		build_ir(&c, POLICY(ORIGIN));
		struct ir_policy *p = c.ir->policies[0];
		struct ir_stmt *s = &p->stmt[kinds[k].k];
		s->present = true;
		size_t ntok = 0;
		for (int b = 0; b < 256; b++) {
			char v[4] = { 'X', (char)b, 'Y', 0 };
			ir_stmt_add_value(c.ir, s, v, 3, false, p->name_span);
			ntok += is_tchar(b);
		}
		struct diag_queue dq;
		diag_init(&dq);
		validate(c.ir, &dq);
		size_t n = 0;
		for (size_t i = 0; i < dq.n; i++)
			n += strcmp(dq.v[i].code, kinds[k].code) == 0;
		/* every non-token byte is refused, up to the diagnostic cap */
		CU_ASSERT_EQUAL(n, 256 - ntok < DIAG_MAX_ERRORS ? 256 - ntok : DIAG_MAX_ERRORS);
		CU_ASSERT_EQUAL(c.ir->nresolved, 0);
		diag_release(&dq);
		compilation_free(&c);
	}
}

/* ---- the same rules through the real front ends ---- */

static void run_lang_cases(const struct vcase *cases, size_t n, enum input_format fmt)
{
	for (size_t i = 0; i < n; i++) {
		struct compilation c;
		compile_string(&c, fmt == FORMAT_YAML ? "t.yaml" : "t.cors", cases[i].text, fmt);
		check_expect(&c, cases[i].text, cases[i].expect);
		compilation_free(&c);
	}
}

#define YPOLICY(body) "policies:\n  api:\n" body
#define YORIGIN "    origins: \"https://app.example.com\"\n"

static const struct vcase yaml_cases[] = {
	{ "policies: {}\n", "E001@1:1" },
	{ YPOLICY(YORIGIN), "clean" },
	{ YPOLICY(YORIGIN "    allow-header: X-A\n"), "E002@4:5" },
	{ YPOLICY(YORIGIN "    allow-headers: X-A\n"), "clean" },
	{ "policies:\n  api:\n    origins: \"*\"\n  API:\n    origins: \"*\"\n", "E004@4:3" },
	{ "policies:\n  api:\n    origins: \"*\"\n  api-2:\n    origins: \"*\"\n", "clean" },
	{ YPOLICY("    methods: [GET]\n"), "E005@2:3" },
	{ YPOLICY("    methods: [GET]\n" YORIGIN), "clean" },
	{ YPOLICY("    origins: [\"https://app.example.com/\"]\n"), "E010@3:39" },
	{ YPOLICY("    origins: [\"https://app.example.com\"]\n"), "clean" },
	{ YPOLICY("    origins: \"https://*example.com\"\n"), "E011@3:23" },
	{ YPOLICY("    origins: \"https://*.example.com\"\n"), "clean" },
	{ YPOLICY("    origins: \"https://*.github.io\"\n"), "E012@3:23" },
	{ YPOLICY("    origins: \"https://*.example.co.uk\"\n"), "clean" },
	{ YPOLICY("    origins: [\"*\", \"https://a.example.com\"]\n"), "E013@3:15" },
	{ YPOLICY("    origins: \"*\"\n"), "clean" },
	{ YPOLICY("    origins: \"*\"\n    credentials: true\n"), "E020@3:14" },
	{ YPOLICY("    origins: \"*\"\n    credentials: false\n"), "clean" },
	{ YPOLICY(YORIGIN "    expose-headers: \"*\"\n    credentials: true\n"), "E021@4:21" },
	{ YPOLICY(YORIGIN "    expose-headers: \"*\"\n"), "clean" },
	{ YPOLICY(YORIGIN "    allow-headers: [\"*\", Authorization]\n    credentials: true\n"),
	  "E022@4:21" },
	{ YPOLICY(YORIGIN "    allow-headers: [\"*\", Authorization]\n"), "clean" },
	{ YPOLICY(YORIGIN "    methods: \"*\"\n    credentials: true\n"), "E023@4:14" },
	{ YPOLICY(YORIGIN "    methods: \"*\"\n"), "clean" },
	{ YPOLICY("    origins: \"*\"\n    private-network: true\n"), "E024@3:14" },
	{ YPOLICY(YORIGIN "    private-network: true\n"), "W111@4:22 !E024" },
	{ YPOLICY(YORIGIN "    private-network: false\n"), "clean" },
	{ YPOLICY(YORIGIN "    allow-headers: [\"Content Type\"]\n"), "E030@4:21" },
	{ YPOLICY(YORIGIN "    allow-headers: [Content-Type]\n"), "clean" },
	{ YPOLICY(YORIGIN "    methods: [\"GET POST\"]\n"), "E031@4:15" },
	{ YPOLICY(YORIGIN "    methods: [GET, POST]\n"), "clean" },
	{ YPOLICY(YORIGIN "    methods: [GET, put]\n"), "E032@4:20" },
	{ YPOLICY(YORIGIN "    methods: [GET, patch]\n"), "clean" },
	{ YPOLICY(YORIGIN "    max-age: 10x\n"), "E033@4:14" },
	{ YPOLICY(YORIGIN "    max-age: \"10m\"\n"), "clean" },
	{ YPOLICY(YORIGIN "    max-age: \"10min\"\n"), "E033@4:14" },
	{ YPOLICY(YORIGIN "    max-age: -1\n"), "E033@4:14" },
	{ YPOLICY(YORIGIN "    credentials: yes\n"), "E033@4:18" },
	{ YPOLICY(YORIGIN "    credentials: \"true\"\n"), "E033@4:18" },
	{ YPOLICY(YORIGIN "    max-age: 10m\n    credentials: true\n"), "clean" },
	{ YPOLICY(YORIGIN "    methods: [TRACE]\n"), "E034@4:15" },
	{ YPOLICY(YORIGIN "    methods: [TRACKS]\n"), "clean" },
	{ YPOLICY(YORIGIN "    expose-headers: [Origin]\n"), "E035@4:22" },
	{ YPOLICY(YORIGIN "    expose-headers: [Origin-Trial]\n"), "clean" },
	{ YPOLICY(YORIGIN "    expose-headers: [Content-Type]\n"), "W101@4:22" },
	{ YPOLICY(YORIGIN "    expose-headers: [Content-Range]\n"), "clean" },
	{ YPOLICY(YORIGIN "    expose-headers: Set-Cookie\n"), "W102@4:21" },
	{ YPOLICY(YORIGIN "    expose-headers: X-Set-Cookie\n"), "clean" },
	{ YPOLICY(YORIGIN "    allow-headers: \"*\"\n"), "W103@4:20" },
	{ YPOLICY("    origins: \"null\"\n"), "W104@3:14" },
	{ YPOLICY("    origins: \"https://null.example\"\n"), "clean" },
	{ YPOLICY("    origins: [\"http://app.example.com\"]\n    credentials: true\n"), "W105@3:15" },
	{ YPOLICY("    origins: [\"http://localhost:3000\"]\n    credentials: true\n"), "clean" },
	{ YPOLICY(YORIGIN "    max-age: 3h\n"), "W106@4:14" },
	{ YPOLICY(YORIGIN "    max-age: 2h\n"), "clean" },
	{ YPOLICY(YORIGIN "    methods: [GET, POST, GET]\n"), "W107@4:26" },
	{ YPOLICY(YORIGIN "    methods: [PATCH, patch]\n"), "clean" },
	{ YPOLICY("    origins: [\"https://*.example.com\", \"https://a.example.com\"]\n"), "W108@3:40" },
	{ YPOLICY("    origins: [\"https://*.example.com\", \"https://a.b.example.com\"]\n"), "clean" },
	{ YPOLICY("    origins: \"https://app.example.com:443\"\n"), "W109@3:38" },
	{ YPOLICY("    origins: \"https://app.example.com:8443\"\n"), "clean" },
	{ YPOLICY(YORIGIN "    allow-headers: [Cookie]\n"), "W110@4:21" },
	{ YPOLICY(YORIGIN "    allow-headers: [X-Cookie]\n"), "clean" },
};

static void test_rules_dsl(void)
{
	run_lang_cases(ir_cases, ARRAY_SIZE(ir_cases), FORMAT_DSL);
}

static void test_rules_yaml(void)
{
	run_lang_cases(yaml_cases, ARRAY_SIZE(yaml_cases), FORMAT_YAML);
}

/* Every file of examples/ compiles without any diagnostic (run from the top). */
static void test_examples_clean(void)
{
	static const char *files[] = {
		"examples/local-dev.cors", "examples/partners.yaml", "examples/per-path.cors",
		"examples/per-path.yaml", "examples/public-assets.cors", "examples/saas-tenants.cors",
		"examples/saas-tenants.yaml", "examples/spa-api.cors", "examples/spa-api.yaml",
	};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char err[256];
		struct source *src = source_read(files[i], err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL(src);
		if (!src) {
			fprintf(stderr, "\n  %s: %s\n", files[i], err);
			continue;
		}
		struct compilation c;
		compile_source(&c, src, format_for_path(files[i]), true);
		CU_ASSERT_EQUAL(c.dq.n, 0);
		CU_ASSERT_TRUE(c.ir->nresolved > 0);
		if (c.dq.n) {
			fprintf(stderr, "\n  %s:\n", files[i]);
			dump(&c);
		}
		compilation_free(&c);
	}
}

void register_validate(void)
{
	static const struct test_case cases[] = {
		{ "every rule: trigger and near miss (raw IR)", test_rules_ir },
		{ "all problems reported in one pass", test_all_problems_reported },
		{ "notes: punycode, upper-case method, first name", test_notes },
		{ "resolved policies", test_resolved },
		{ "hostile bytes in names", test_hostile_values },
		{ "every rule through the policy-language front end", test_rules_dsl },
		{ "every rule through the YAML front end", test_rules_yaml },
		{ "examples compile without any diagnostic", test_examples_clean },
		{ NULL, NULL },
	};
	register_cases("validate", cases);
}
