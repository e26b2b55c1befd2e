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

static void test_token_regex(void)
{
	char *got = token("^[a-z]{1,63}$", 13, CADDY_REGEX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, "^[a-z]{1,63}$");
	free(got);
	CU_ASSERT_PTR_NULL(token("x{$HOME}", 8, CADDY_REGEX));   /* environment variable */
	CU_ASSERT_PTR_NULL(token("a b\n", 4, CADDY_REGEX));
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
	struct origin *o = arena_alloc(f->a, (p->norigins + 1) * sizeof(*o));
	if (p->norigins)
		memcpy(o, p->origins, p->norigins * sizeof(*o));
	o[p->norigins] = (struct origin){ .kind = kind, .text = arena_strdup(f->a, text),
					  .wild = wild, .port = -1, .port_any = port_any };
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

static void test_origin_regex(void)
{
	struct fixture f;
	fixture_init(&f);
	api_policy(&f);
	struct strbuf err = STRBUF_INIT;
	char *out = emit(&f, "api.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	/* exact origins first, as a trie; then the patterns in source order */
	const char *re = "header_regexp Origin ^(?:(?:https://app\\.example\\.com|null)"
			 "|https://[a-z0-9_-]{1,63}\\.preview\\.example\\.com"
			 "|https://(?:[a-z0-9_-]{1,63}\\.)+eu\\.example\\.com"
			 "|http://localhost(?::[0-9]{1,5})?"
			 "|http://\\[::1\\](?::[0-9]{1,5})?"
			 ")$\n";
	CU_ASSERT_EQUAL(count(out, re), 1);   /* once: @cors-api.origin sets a variable */
	CU_ASSERT_EQUAL(count(out, "\t\tvars @cors-api.origin cors-api-allowed 1\n"), 1);
	CU_ASSERT_EQUAL(count(out, "\t\t\tvars cors-api-allowed 1\n"), 2);   /* preflight-allowed, actual */
	CU_ASSERT_EQUAL(count(out, "header_regexp Origin .\n"), 1);
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

	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n(cors-api) {\n\troute {\n\t\t@cors-api.origin {\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t\t@cors-api.preflight {\n\t\t\tmethod OPTIONS\n"));
	/* each header block twice: at once, then deferred */
	CU_ASSERT_EQUAL(count(out, "\t\theader @cors-api.preflight-allowed {\n"), 2);
	CU_ASSERT_EQUAL(count(out, "\t\theader @cors-api.actual {\n"), 2);
	CU_ASSERT_EQUAL(count(out, "\t\t\tdefer\n"), 2);
	CU_ASSERT_EQUAL(count(out, "\t\theader +Vary Origin\n"), 1);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Origin {http.request.header.Origin}\n"), 4);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Credentials true\n"), 4);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Methods \"GET, POST, DELETE\"\n"), 2);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Headers \"Content-Type, Authorization\"\n"), 2);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Max-Age 600\n"), 2);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Expose-Headers X-Request-ID\n"), 2);
	CU_ASSERT_EQUAL(count(out, "Private-Network"), 0);

	/* the delete is the last header directive (it runs first), then the 204 */
	const char *last_defer = strstr(out, "\t\t\tdefer\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(last_defer);
	last_defer = strstr(last_defer + 1, "\t\t\tdefer\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(last_defer);
	const char *del = strstr(out, "\t\theader -Access-Control-*\n");
	const char *resp = strstr(out, "\t\trespond @cors-api.preflight 204\n\t}\n}\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(del);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT(last_defer < del && del < resp);
	CU_ASSERT_STRING_EQUAL(resp, "\t\trespond @cors-api.preflight 204\n\t}\n}\n");

	/* deterministic */
	char *again = emit(&f, "api.cors", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT_STRING_EQUAL(out, again);
	free(again);
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
	CU_ASSERT_EQUAL(count(out, "preflight-allowed"), 0);
	CU_ASSERT_EQUAL(count(out, "{http.request.header.Origin}"), 0);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Origin *\n"), 4);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Expose-Headers *\n"), 2);
	CU_ASSERT_EQUAL(count(out, "Credentials"), 0);
	CU_ASSERT_EQUAL(count(out, "Max-Age"), 0);
	CU_ASSERT_EQUAL(count(out, "Allow-Headers"), 0);
	/* the actual matcher is "not a preflight" */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t\t@cors-assets.actual {\n\t\t\tnot {\n"
					   "\t\t\t\tmethod OPTIONS\n"
					   "\t\t\t\theader_regexp Origin .\n"
					   "\t\t\t\theader_regexp Access-Control-Request-Method .\n"
					   "\t\t\t}\n\t\t}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t\theader @cors-assets.preflight {\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "respond @cors-assets.preflight 204\n"));
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
					   "\t\t\tvars cors-dev_1-allowed 1\n"
					   "\t\t\theader_regexp Access-Control-Request-Method .\n"
					   "\t\t\theader Access-Control-Request-Private-Network true\n"));
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Private-Network true\n"), 2);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Methods *\n"), 2);
	CU_ASSERT_EQUAL(count(out, "Access-Control-Allow-Headers \"*, Authorization\"\n"), 2);
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

	/* a pattern whose text disagrees with its fields */
	fixture_init(&f);
	p = add_policy(&f, "w");
	add_origin(&f, p, ORIGIN_PATTERN, "https://x.example.com", WILD_ONE, false);
	expect_refused(&f, "policy \"w\": origin pattern \"https://x.example.com\"");
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
		{ "token: regex", test_token_regex },
		{ "header comment", test_header_comment },
		{ "origin regex", test_origin_regex },
		{ "snippet structure", test_structure },
		{ "origins *", test_any_origin },
		{ "private network, odd names, two policies", test_private_network_and_lists },
		{ "refusals", test_refusals },
		{ "no policies", test_no_policies },
		{ NULL, NULL },
	};
	register_cases("caddy", cases);
}
