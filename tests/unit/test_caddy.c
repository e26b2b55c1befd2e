/*
 * test_caddy.c - the Caddy backend on hand-built policies: Caddyfile
 * quoting with hostile input, origin regexes, and the snippet's structure.
 */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "caddy.h"
#include "testutil.h"

/* ---- caddy_token ---- */

/* The token for s, or NULL if refused; the caller frees. */
static char *token(const char *s, size_t len, enum caddy_token_kind kind)
{
	struct strbuf sb = STRBUF_INIT;
	if (!caddy_token(&sb, s, len, kind)) {
		CU_ASSERT_EQUAL(sb.len, 0);   /* nothing written when refused */
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb, NULL);
}

static void check_token(const char *in, const char *want)
{
	char *got = token(in, strlen(in), CADDY_LITERAL);
	if (!want) {
		CU_ASSERT_PTR_NULL(got);
	} else {
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_STRING_EQUAL(got, want);
	}
	free(got);
}

static void test_token_bare_and_quoted(void)
{
	check_token("Content-Type", "Content-Type");
	check_token("*", "*");
	check_token("GET, POST", "\"GET, POST\"");
	check_token("", "\"\"");
	check_token("#frag", "\"#frag\"");          /* a comment at token start */
	check_token("a#b", "a#b");                   /* not a comment inside */
	check_token("@m", "\"@m\"");                 /* a matcher token */
	check_token("X`y", "\"X`y\"");               /* a backtick starts a raw token */
	check_token("a\"b", "`a\"b`");               /* quotes: raw token */
	check_token("a\\b", "`a\\b`");               /* backslash: raw token */
	check_token("!#$%&'*+-.^_`|~", "\"!#$%&'*+-.^_`|~\"");
}

static void test_token_refused(void)
{
	check_token("a{b", NULL);                   /* placeholder at run time */
	check_token("a}b", NULL);
	check_token("{http.request.uri}", NULL);
	check_token("a\nb", NULL);                  /* would end the line */
	check_token("a\tb", NULL);
	check_token("a\rb", NULL);
	check_token("\x7f", NULL);
	check_token("caf\xc3\xa9", NULL);
	check_token("`\"", NULL);                   /* no quoting carries both */
	check_token("`\\", NULL);
	char *got = token("a\0b", 3, CADDY_LITERAL);
	CU_ASSERT_PTR_NULL(got);
}

static void test_token_expression(void)
{
	const char *x = "{h.Origin} in ['a', 'b'] || {h.Origin}.matches(r'^[a-z]{1,63}\\.x$')";
	char *got = token(x, strlen(x), CADDY_EXPRESSION);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_EQUAL(got[0], '`');                /* raw: backslashes stay as they are */
	CU_ASSERT_EQUAL(strncmp(got + 1, x, strlen(x)), 0);
	CU_ASSERT_STRING_EQUAL(got + 1 + strlen(x), "`");
	free(got);
	got = token("{h.Origin}", 10, CADDY_EXPRESSION);   /* '{' first would open a block */
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, "`{h.Origin}`");
	free(got);
	/* '}' first would close the block (found by make mutate: untested) */
	got = token("}.x", 3, CADDY_EXPRESSION);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, "`}.x`");
	free(got);
	CU_ASSERT_PTR_NULL(token("x{$HOME}", 8, CADDY_EXPRESSION));   /* environment variable */
	CU_ASSERT_PTR_NULL(token("a b\n", 4, CADDY_EXPRESSION));
	CU_ASSERT_PTR_NULL(token("'`' \\", 5, CADDY_EXPRESSION));   /* a backtick and a backslash */
}

/* ---- hand-built policies ---- */

struct fixture {
	struct arena *a;
	struct policy p[4];
	size_t n;
};

static struct policy *add_policy(struct fixture *f, const char *name)
{
	struct policy *p = &f->p[f->n++];
	memset(p, 0, sizeof(*p));
	p->name = arena_strdup(f->a, name);
	return p;
}

static void add_origin(struct fixture *f, struct policy *p, enum origin_kind kind,
		       const char *text, enum origin_wild wild, bool port_any)
{
	struct origin *o = p->origins;
	size_t n = p->norigins;
	if ((n & (n - 1)) == 0) {      /* full at 0, 1, 2, 4, ...: double */
		o = arena_alloc(f->a, (n ? 2 * n : 1) * sizeof(*o));
		if (n)
			memcpy(o, p->origins, n * sizeof(*o));
	}
	if (kind == ORIGIN_EXACT && strchr(text, '\n')) {  /* refused by origin_parse */
		o[n] = (struct origin){ .kind = kind, .text = arena_strdup(f->a, text), .port = -1 };
	} else {
		o[n] = origin_of(f->a, text);
		CU_ASSERT_EQUAL(o[n].kind, kind);
		CU_ASSERT_EQUAL(o[n].wild, wild);
		CU_ASSERT_EQUAL(o[n].port_any, port_any);
	}
	p->origins = o;
	p->norigins++;
}

static void set_list(struct fixture *f, struct name_list *l, bool any, const char *const *names,
		     size_t n)
{
	l->set = true;
	l->any = any;
	l->n = n;
	l->names = arena_alloc(f->a, (n ? n : 1) * sizeof(char *));
	for (size_t i = 0; i < n; i++)
		l->names[i] = arena_strdup(f->a, names[i]);
}

/* Emit f's policies; returns the file (caller frees) or NULL with *err filled. */
static char *emit(struct fixture *f, const char *input, struct strbuf *err)
{
	struct emit_ctx ctx = { input, f->p, f->n };
	struct out_set out;
	out_set_init(&out);
	char *data = NULL;
	if (emit_caddy(&ctx, &out, err)) {
		CU_ASSERT_EQUAL(out.n, 1);
		if (out.n == 1) {
			CU_ASSERT_STRING_EQUAL(out.v[0].path, "caddy/cors.caddy");
			CU_ASSERT_EQUAL(strlen(out.v[0].data), out.v[0].len);
			data = xstrdup(out.v[0].data);
		}
	}
	out_set_release(&out);
	return data;
}

static struct policy *api_policy(struct fixture *f)
{
	static const char *const methods[] = { "GET", "POST", "DELETE" };
	static const char *const allow[] = { "Content-Type", "Authorization" };
	static const char *const expose[] = { "X-Request-ID" };
	struct policy *p = add_policy(f, "api");
	add_origin(f, p, ORIGIN_EXACT, "https://app.example.com", WILD_NONE, false);
	add_origin(f, p, ORIGIN_PATTERN, "https://*.preview.example.com", WILD_ONE, false);
	add_origin(f, p, ORIGIN_PATTERN, "https://**.eu.example.com", WILD_MULTI, false);
	add_origin(f, p, ORIGIN_PATTERN, "http://localhost:*", WILD_NONE, true);
	add_origin(f, p, ORIGIN_PATTERN, "http://[::1]:*", WILD_NONE, true);
	add_origin(f, p, ORIGIN_NULL, "null", WILD_NONE, false);
	set_list(f, &p->methods, false, methods, 3);
	set_list(f, &p->allow_headers, false, allow, 2);
	set_list(f, &p->expose_headers, false, expose, 1);
	p->credentials = true;
	p->max_age_set = true;
	p->max_age = 600;
	return p;
}

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->a = arena_new();
}

/* How often needle occurs in hay. */
static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void test_header_comment(void)
{
	struct fixture f;
	fixture_init(&f);
	api_policy(&f);
	struct strbuf err = STRBUF_INIT;
	char *out = emit(&f, "examples/api.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	const char *want = "# Generated by corsc " CORSC_VERSION " from examples/api.cors. Do not edit.\n";
	CU_ASSERT_EQUAL(strncmp(out, want, strlen(want)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "import cors-NAME"));
	free(out);

	/* a hostile input name stays inside its comment */
	out = emit(&f, "a\nb}\\.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "from a\\x0ab}\\x5c.cors. Do not edit.\n"));
	free(out);
	sb_release(&err);
	arena_free(f.a);
}

static void test_origin_test(void)
{
	struct fixture f;
	fixture_init(&f);
	api_policy(&f);
	struct strbuf err = STRBUF_INIT;
	char *out = emit(&f, "api.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	/* exact origins sorted in a CEL list, then the patterns, in source order */
	const char *x = "\t\t@cors-api.allowed expression `{http.request.header.Origin} in "
			"['https://app.example.com', 'null'] || {http.request.header.Origin}.matches("
			"r'^(?:https://[a-z0-9_-]{1,63}\\.preview\\.example\\.com"
			"|https://(?:[a-z0-9_-]{1,63}\\.)+eu\\.example\\.com"
			"|http://localhost(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?"
			"|http://\\[::1\\](?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?"
			")$') && !{http.request.header.Origin}.matches(r'://[a-z0-9_.-]{254}')`\n";
	/* the "**." pattern: RE2 has no lookahead, so a second test bounds the host to 253 */
	CU_ASSERT_EQUAL(count(out, x), 1);
	CU_ASSERT_EQUAL(count(out, " expression "), 1);
	/* evaluated once, by the route of the allowed origins; no variable */
	CU_ASSERT_EQUAL(count(out, "@cors-api.allowed"), 2);
	CU_ASSERT_EQUAL(count(out, "\t\troute @cors-api.allowed {\n"), 1);
	CU_ASSERT_EQUAL(count(out, "vars"), 0);
	CU_ASSERT_EQUAL(count(out, "header_regexp Origin .\n"), 1);
	free(out);
	sb_release(&err);
	arena_free(f.a);
}

/* Many exact origins: CEL expressions of at most ~80 KB, each origin in one. */
static void test_origin_parts(void)
{
	struct fixture f;
	fixture_init(&f);
	struct policy *p = add_policy(&f, "big");
	char o[64];
	for (int i = 0; i < 6000; i++) {
		snprintf(o, sizeof(o), "https://app%d.tenant.example.com", i);
		add_origin(&f, p, ORIGIN_EXACT, o, WILD_NONE, false);
	}
	add_origin(&f, p, ORIGIN_EXACT, "https://app1.tenant.example.com", WILD_NONE, false);
	add_origin(&f, p, ORIGIN_PATTERN, "https://*.x.example.com", WILD_ONE, false);
	struct strbuf err = STRBUF_INIT;
	char *out = emit(&f, "big.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	size_t parts = count(out, " expression `");
	CU_ASSERT(parts >= 3 && parts <= 4);
	/* one matcher: not { not expression A  not expression B ... } is A or B or ... */
	CU_ASSERT_EQUAL(count(out, "\t\t@cors-big.allowed not {\n\t\t\tnot expression `"), 1);
	CU_ASSERT_EQUAL(count(out, "\t\t\tnot expression `"), parts);
	CU_ASSERT_EQUAL(count(out, "@cors-big.allowed"), 2);
	CU_ASSERT_EQUAL(count(out, "vars"), 0);
	const char *end_not = strstr(out, "')`\n\t\t}\n\t\t@cors-big.preflight {\n");
	CU_ASSERT_PTR_NOT_NULL(end_not);
	CU_ASSERT_EQUAL(count(out, "'https://app1.tenant.example.com'"), 1);  /* duplicate dropped */
	CU_ASSERT_EQUAL(count(out, "'https://app5999.tenant.example.com'"), 1);
	CU_ASSERT_EQUAL(count(out, ".matches(r'"), 1);
	/* each expression fits Caddy's limit of 100,000 code points, with room to spare */
	for (const char *l = strstr(out, " expression `"); l; l = strstr(l + 1, " expression `")) {
		const char *end = strchr(l, '\n');
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		CU_ASSERT((size_t)(end - l) < 90000);
	}
	/* the patterns go with the last part */
	const char *last = out;
	for (const char *l = out; (l = strstr(l, " expression `")) != NULL; l++)
		last = l;
	CU_ASSERT_PTR_NOT_NULL(strstr(last, ".matches(r'^(?:https://[a-z0-9_-]{1,63}\\.x\\.example\\.com)$')`\n"));
	free(out);
	sb_release(&err);
	arena_free(f.a);

	/* many patterns: several regexes, each whole */
	fixture_init(&f);
	p = add_policy(&f, "pat");
	for (int i = 0; i < 4000; i++) {
		snprintf(o, sizeof(o), "https://*.t%d.example.com", i);
		add_origin(&f, p, ORIGIN_PATTERN, o, WILD_ONE, false);
	}
	out = emit(&f, "pat.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	parts = count(out, " expression `");
	CU_ASSERT(parts >= 2);
	CU_ASSERT_EQUAL(count(out, ".matches(r'^(?:"), parts);
	CU_ASSERT_EQUAL(count(out, "\t\t\tnot expression `{http.request.header.Origin}.matches("), parts);
	CU_ASSERT_EQUAL(count(out, ")$')`\n"), parts);
	CU_ASSERT_EQUAL(count(out, " in ['"), 0);
	CU_ASSERT_EQUAL(count(out, "|https://[a-z0-9_-]{1,63}\\.t3999\\.example\\.com)$')`\n"), 1);
	free(out);
	sb_release(&err);
	arena_free(f.a);
}

static void test_structure(void)
{
	struct fixture f;
	fixture_init(&f);
	api_policy(&f);
	struct strbuf err = STRBUF_INIT;
	char *out = emit(&f, "api.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);

	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n(cors-api) {\n\troute {\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t\t@cors-api.preflight {\n\t\t\tmethod OPTIONS\n"));
	/* the preflight block once; the other block twice: at once, then deferred */
	CU_ASSERT_EQUAL(count(out, "\t\t\theader @cors-api.preflight-allowed {\n"), 1);
	CU_ASSERT_EQUAL(count(out, "\t\t\theader {\n"), 2);
	CU_ASSERT_EQUAL(count(out, "header {\n"), 2);
	CU_ASSERT_EQUAL(count(out, "\t\t\t\tdefer\n"), 1);
	CU_ASSERT_EQUAL(count(out, "\t\theader +Vary Origin\n"), 1);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Origin {http.request.header.Origin}\n"), 3);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Credentials true\n"), 3);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Methods \"GET, POST, DELETE\"\n"), 1);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Headers \"Content-Type, Authorization\"\n"), 1);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Max-Age 600\n"), 1);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Expose-Headers X-Request-ID\n"), 2);
	CU_ASSERT_EQUAL(count(out, "Private-Network"), 0);

	/*
	 * In route order: the origin test, Vary, the route of the allowed
	 * origins (the preflight's block and its 204, the other block at once,
	 * deferred), the 204 to any other preflight, and the delete last (it
	 * runs first when the response is written).
	 */
	const char *test = strstr(out, "\t\t@cors-api.allowed expression ");
	const char *vary = strstr(out, "\t\theader +Vary Origin\n");
	const char *route = strstr(out, "\t\troute @cors-api.allowed {\n");
	const char *pre = strstr(out, "\t\t\theader @cors-api.preflight-allowed {\n");
	const char *resp = strstr(out, "\t\t\trespond @cors-api.preflight-allowed 204\n");
	const char *now = strstr(out, "\t\t\theader {\n");
	const char *later = now ? strstr(now + 1, "\t\t\theader {\n") : NULL;
	const char *def = strstr(out, "\t\t\t\tdefer\n\t\t\t}\n\t\t}\n");
	const char *other = strstr(out, "\t\trespond @cors-api.preflight 204\n");
	const char *del = strstr(out, "\t\theader -Access-Control-*\n");
	CU_ASSERT_FATAL(test && vary && route && pre && resp && now && later && def && other && del);
	CU_ASSERT(test < vary && vary < route && route < pre && pre < resp && resp < now &&
		  now < later && later < def && def < other && other < del);
	CU_ASSERT_STRING_EQUAL(del, "\t\theader -Access-Control-*\n\t}\n}\n");

	/* deterministic */
	char *again = emit(&f, "api.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT_STRING_EQUAL(out, again);
	free(again);
	free(out);
	sb_release(&err);
	arena_free(f.a);
}

/*
 * The preflight matchers, exactly: OPTIONS with a non-empty Origin and a
 * non-empty Access-Control-Request-Method (SPEC 6: a preflight carries both;
 * an OPTIONS without one goes to the application); for a listed-origins
 * policy the allowed one is used only inside the route of the allowed
 * origins, where the Origin is known to be there.
 */
static void test_preflight_matcher(void)
{
	struct fixture f;
	fixture_init(&f);
	api_policy(&f);
	struct strbuf err = STRBUF_INIT;
	char *out = emit(&f, "api.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t\t@cors-api.preflight {\n"
					    "\t\t\tmethod OPTIONS\n"
					    "\t\t\theader_regexp Origin .\n"
					    "\t\t\theader_regexp Access-Control-Request-Method .\n"
					    "\t\t}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t\t@cors-api.preflight-allowed {\n"
					    "\t\t\tmethod OPTIONS\n"
					    "\t\t\theader_regexp Access-Control-Request-Method .\n"
					    "\t\t}\n"));
	CU_ASSERT_EQUAL(count(out, "@cors-api.preflight {\n"), 1);
	CU_ASSERT_EQUAL(count(out, "@cors-api.preflight-allowed {\n"), 2);  /* matcher, header block */
	/* the 204s answer every preflight, allowed or not, and nothing else */
	CU_ASSERT_EQUAL(count(out, "\t\t\trespond @cors-api.preflight-allowed 204\n"), 1);
	CU_ASSERT_EQUAL(count(out, "\t\trespond @cors-api.preflight 204\n"), 1);
	CU_ASSERT_EQUAL(count(out, "respond "), 2);
	free(out);
	sb_release(&err);
	arena_free(f.a);
}

static void test_any_origin(void)
{
	static const char *const methods[] = { "GET", "HEAD" };
	struct fixture f;
	fixture_init(&f);
	struct policy *p = add_policy(&f, "assets");
	p->any_origin = true;
	set_list(&f, &p->methods, false, methods, 2);
	set_list(&f, &p->expose_headers, true, NULL, 0);
	struct strbuf err = STRBUF_INIT;
	char *out = emit(&f, "assets.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(count(out, "Vary"), 0);
	CU_ASSERT_EQUAL(count(out, "expression"), 0);
	CU_ASSERT_EQUAL(count(out, "vars"), 0);
	CU_ASSERT_EQUAL(count(out, "preflight-allowed"), 0);
	CU_ASSERT_EQUAL(count(out, "{http.request.header.Origin}"), 0);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Origin *\n"), 3);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Expose-Headers *\n"), 2);
	CU_ASSERT_EQUAL(count(out, "Credentials"), 0);
	CU_ASSERT_EQUAL(count(out, "Max-Age"), 0);
	CU_ASSERT_EQUAL(count(out, "Allow-Headers"), 0);
	/* after the preflight's 204, every request is another request: no matcher */
	CU_ASSERT_EQUAL(count(out, "\t\theader {\n"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t\theader @cors-assets.preflight {\n"));
	const char *resp = strstr(out, "respond @cors-assets.preflight 204\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT(resp < strstr(out, "\t\theader {\n"));
	free(out);
	sb_release(&err);
	arena_free(f.a);
}

static void test_private_network_and_lists(void)
{
	static const char *const allow[] = { "Authorization" };
	static const char *const odd[] = { "X`Odd", "A|B" };
	struct fixture f;
	fixture_init(&f);
	struct policy *p = add_policy(&f, "dev_1");
	add_origin(&f, p, ORIGIN_PATTERN, "http://localhost:*", WILD_NONE, true);
	set_list(&f, &p->methods, true, NULL, 0);
	set_list(&f, &p->allow_headers, true, allow, 1);
	set_list(&f, &p->expose_headers, false, odd, 2);
	p->private_network = true;
	struct policy *q = add_policy(&f, "second");
	add_origin(&f, q, ORIGIN_EXACT, "https://b.example", WILD_NONE, false);
	struct strbuf err = STRBUF_INIT;
	char *out = emit(&f, "dev.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t\t@cors-dev_1.private-network {\n"
					   "\t\t\tmethod OPTIONS\n"
					   "\t\t\theader_regexp Access-Control-Request-Method .\n"
					   "\t\t\theader Access-Control-Request-Private-Network true\n"));
	CU_ASSERT_EQUAL(count(out, "\t\t\theader @cors-dev_1.private-network "
				   "Access-Control-Allow-Private-Network true\n"), 1);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Methods *\n"), 1);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Headers \"*, Authorization\"\n"), 1);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Expose-Headers \"X`Odd, A|B\"\n"), 2);
	CU_ASSERT_EQUAL(count(out, "Credentials"), 0);
	/* both snippets, in order; second has no methods line */
	const char *a = strstr(out, "(cors-dev_1) {");
	const char *b = strstr(out, "(cors-second) {");
	CU_ASSERT(a && b && a < b);
	CU_ASSERT_EQUAL(count(b ? b : "", "Allow-Methods"), 0);
	free(out);
	sb_release(&err);
	arena_free(f.a);
}

/* What the backend refuses, with a message naming the policy. */
static void expect_refused(struct fixture *f, const char *needle)
{
	struct strbuf err = STRBUF_INIT;
	char *out = emit(f, "x.cors", &err);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb_str(&err), needle));
	free(out);
	sb_release(&err);
}

static void test_refusals(void)
{
	static const char *const bad_header[] = { "X-Ok", "X-{http.request.uri}" };
	static const char *const bad_space[] = { "X Y" };
	static const char *const bad_method[] = { "GET\n}\nrespond 200" };
	struct fixture f;

	fixture_init(&f);
	struct policy *p = add_policy(&f, "h");
	add_origin(&f, p, ORIGIN_EXACT, "https://a.example", WILD_NONE, false);
	set_list(&f, &p->expose_headers, false, bad_header, 2);
	expect_refused(&f, "policy \"h\": an expose-headers entry is not an RFC 9110 token");
	set_list(&f, &p->expose_headers, false, bad_space, 1);
	expect_refused(&f, "policy \"h\": an expose-headers entry");
	p->expose_headers.set = false;
	set_list(&f, &p->methods, false, bad_method, 1);
	expect_refused(&f, "policy \"h\": a method entry");
	arena_free(f.a);

	/* an origin that no regex token may carry */
	fixture_init(&f);
	p = add_policy(&f, "o");
	add_origin(&f, p, ORIGIN_EXACT, "https://a.example\n}", WILD_NONE, false);
	expect_refused(&f, "policy \"o\": an origin cannot be written safely");
	arena_free(f.a);

	/* a name that would break out of the snippet name */
	fixture_init(&f);
	p = add_policy(&f, "a) {");
	add_origin(&f, p, ORIGIN_EXACT, "https://a.example", WILD_NONE, false);
	expect_refused(&f, "policy name");
	arena_free(f.a);

	fixture_init(&f);
	p = add_policy(&f, "1abc");
	add_origin(&f, p, ORIGIN_EXACT, "https://a.example", WILD_NONE, false);
	expect_refused(&f, "policy name");
	arena_free(f.a);

	/* no origins and not any */
	fixture_init(&f);
	add_policy(&f, "empty");
	expect_refused(&f, "policy \"empty\" has no origins");
	arena_free(f.a);
}

static void test_no_policies(void)
{
	struct fixture f;
	fixture_init(&f);
	struct strbuf err = STRBUF_INIT;
	char *out = emit(&f, "none.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(count(out, "(cors-"), 0);
	CU_ASSERT_EQUAL(out[0], '#');
	free(out);
	sb_release(&err);
	arena_free(f.a);
}

void register_caddy(void)
{
	static const struct test_case cases[] = {
		{ "token: bare and quoted", test_token_bare_and_quoted },
		{ "token: refused", test_token_refused },
		{ "token: expression", test_token_expression },
		{ "header comment", test_header_comment },
		{ "origin test: CEL list and patterns", test_origin_test },
		{ "origin test in parts", test_origin_parts },
		{ "snippet structure", test_structure },
		{ "preflight matcher", test_preflight_matcher },
		{ "origins *", test_any_origin },
		{ "private network, odd names, two policies", test_private_network_and_lists },
		{ "refusals", test_refusals },
		{ "no policies", test_no_policies },
		{ NULL, NULL },
	};
	register_cases("caddy", cases);
}
