/*
 * test_apache.c - the Apache backend on hand-built policies: quoting of
 * values, origins and patterns, and the structure of a policy file.
 * Behaviour on a real apache2 is tests/t-apache.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "apache.h"
#include "backend.h"
#include "testutil.h"

/* ---- building policies by hand ---- */

static struct origin exact(const char *text)
{
	struct origin o = { .kind = strcmp(text, "null") ? ORIGIN_EXACT : ORIGIN_NULL,
			    .text = text, .port = -1 };
	return o;
}

static struct name_list list(struct arena *a, bool any, const char *const *names, size_t n)
{
	struct name_list l = { .set = true, .any = any, .n = n };
	l.names = arena_alloc(a, (n ? n : 1) * sizeof(*l.names));
	for (size_t i = 0; i < n; i++)
		l.names[i] = arena_strdup(a, names[i]);
	return l;
}

/* Emit one policy; returns its file (caller frees) or NULL with err filled. */
static char *emit_one(const struct policy *p, struct strbuf *err)
{
	struct emit_ctx ctx = { .input = "api.cors", .policies = p, .npolicies = 1 };
	struct out_set set;
	out_set_init(&set);
	char *data = NULL;
	if (emit_apache(&ctx, &set, err)) {
		CU_ASSERT_EQUAL_FATAL(set.n, 1);
		char want[128];
		snprintf(want, sizeof(want), "apache/cors-%s.conf", p->name);
		CU_ASSERT_STRING_EQUAL(set.v[0].path, want);
		data = xstrdup(set.v[0].data);
	}
	out_set_release(&set);
	return data;
}

/* Lines of text that start with prefix. */
static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	for (const char *p = text; p && *p; ) {
		if (*prefix != ' ')
			p += strspn(p, " ");    /* lines inside <If> are indented */
		n += strncmp(p, prefix, len) == 0;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

/* ---- quoting ---- */

static char *quote_value(const char *s, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	if (!apache_header_value(&sb, s, err)) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb, NULL);
}

static void test_header_value_quoting(void)
{
	struct strbuf err = STRBUF_INIT;
	static const struct { const char *in, *out; } cases[] = {
		{ "GET, POST", "\"GET, POST\"" },
		{ "X-100%", "\"X-100%%\"" },
		{ "%{HOME}e", "\"%%{HOME}e\"" },
		{ "!#$%&'*+-.^_`|~", "\"!#$%%&'*+-.^_`|~\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "a\\b", "\"a\\\\\\\\b\"" },
		{ "$HOME $ {x}", "\"$HOME $ {x}\"" },
		{ "", "\"\"" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *q = quote_value(cases[i].in, &err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		CU_ASSERT_STRING_EQUAL(q, cases[i].out);
		free(q);
	}
	CU_ASSERT_EQUAL(err.len, 0);
	sb_release(&err);
}

static void test_header_value_refusals(void)
{
	static const char *bad[] = { "a\nb", "a\rb", "tab\there", "caf\xc3\xa9", "del\x7f",
				     "${APACHE_LOG_DIR}", "x${y}", "expr=%{REMOTE_ADDR}", "EXPR=1" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct strbuf err = STRBUF_INIT;
		char *q = quote_value(bad[i], &err);
		CU_ASSERT_PTR_NULL(q);
		CU_ASSERT_TRUE(err.len > 0);
		free(q);
		sb_release(&err);
	}
	/* "expr=" only counts at the start */
	struct strbuf err = STRBUF_INIT;
	char *q = quote_value("x-expr=", &err);
	CU_ASSERT_PTR_NOT_NULL(q);
	free(q);
	sb_release(&err);
}

static char *regex_of(const struct origin *o, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	if (!apache_origin_regex(&sb, o, err)) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb, NULL);
}

static void test_origin_regex(void)
{
	struct strbuf err = STRBUF_INIT;
	static const struct { const char *in, *out; } cases[] = {
		{ "https://*.example.com", "m#^https://[a-z0-9_-]{1,63}\\.example\\.com$#" },
		{ "https://**.eu.example.com",
		  "m#^https://(?=[a-z0-9_.-]{1,253}(?![a-z0-9_.-]))(?:[a-z0-9_-]{1,63}\\.)+eu\\.example\\.com$#" },
		{ "http://localhost:*", "m#^http://localhost(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?$#" },
		{ "http://[::1]:*", "m#^http://\\[::1\\](?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?$#" },
		{ "https://*.a-b.example.com:8443", "m#^https://[a-z0-9_-]{1,63}\\.a-b\\.example\\.com:8443$#" },
		{ "git+ssh://*.x.example", "m#^git\\+ssh://[a-z0-9_-]{1,63}\\.x\\.example$#" },
	};
	struct arena *a = arena_new();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct origin o = origin_of(a, cases[i].in);
		char *r = regex_of(&o, &err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_STRING_EQUAL(r, cases[i].out);
		free(r);
	}
	/* hand-built: the validator refuses each of these hosts */
	static const char *bad[] = { "https://*.ex#ample.com", "https://*.ex$ample.com",
				     "https://*.ex'ample.com", "https://*.ex\\ample.com",
				     "https://*.ex%{x}.com", "https://*.ex\"a.com" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct strbuf e = STRBUF_INIT;
		struct origin o = { .kind = ORIGIN_PATTERN, .text = bad[i], .scheme = "https",
				    .host = bad[i] + strlen("https://*."), .wild = WILD_ONE,
				    .port = -1 };
		CU_ASSERT_PTR_NULL(regex_of(&o, &e));
		CU_ASSERT_TRUE(e.len > 0);
		sb_release(&e);
	}
	sb_release(&err);
	arena_free(a);
}

static void test_expr_string(void)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	CU_ASSERT_TRUE(apache_expr_string(&sb, "http://[::1]:8080", &err));
	CU_ASSERT_TRUE(apache_expr_string(&sb, "null", &err));
	CU_ASSERT_STRING_EQUAL(sb_str(&sb), "'http://[::1]:8080''null'");
	static const char *bad[] = { "https://a'b.com", "https://a\\b.com", "https://%{x}",
				     "https://$1.com", "https://a b.com", "https://a\nb" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		sb_reset(&err);
		CU_ASSERT_FALSE(apache_expr_string(&sb, bad[i], &err));
		CU_ASSERT_TRUE(err.len > 0);
	}
	sb_release(&sb);
	sb_release(&err);
}

/* ---- whole files ---- */

static void test_credentialed_policy(void)
{
	struct arena *a = arena_new();
	struct policy p = { .name = "api", .credentials = true, .max_age_set = true,
			    .max_age = 600 };
	struct origin o[] = { exact("https://app.example.com"),
			      origin_of(a, "https://*.preview.example.com"), exact("null") };
	p.origins = o;
	p.norigins = ARRAY_SIZE(o);
	static const char *m[] = { "GET", "PUT" }, *h[] = { "Content-Type", "X-100%" },
			  *x[] = { "X-Request-ID" };
	p.methods = list(a, false, m, 2);
	p.allow_headers = list(a, false, h, 2);
	p.expose_headers = list(a, false, x, 1);

	struct strbuf err = STRBUF_INIT;
	char *f = emit_one(&p, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(strncmp(f, "# cors-api.conf - CORS policy \"api\"", 35), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "# Generated by corsc " CORSC_VERSION " from api.cors: do not edit.\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "setenvif"));
	CU_ASSERT_EQUAL(count_lines(f, "<IfModule !"), 4);
	/* every Access-Control-* header unset in both tables */
	CU_ASSERT_EQUAL(count_lines(f, "Header onsuccess unset Access-Control-"), 7);
	CU_ASSERT_EQUAL(count_lines(f, "Header always unset Access-Control-"), 7);
	CU_ASSERT_PTR_NOT_NULL(strstr(f,
		"SetEnvIfExpr \"req_novary('Origin') =~ m#^(?:https://app\\.example\\.com|null)$#\""
		" CORSC_ORIGIN_api\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f,
		"SetEnvIfExpr \"req_novary('Origin') =~ m#^https://[a-z0-9_-]{1,63}\\.preview\\.example\\.com$#\" CORSC_ORIGIN_api\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f,
		"<If \"%{REQUEST_METHOD} == 'OPTIONS' && -n req_novary('Origin') && "
		"-n req_novary('Access-Control-Request-Method') && (-n reqenv('CORSC_TESTED_api') || "
		"-n %{REQUEST_FILENAME})\">\n    Require all granted\n"
		"    Redirect 204\n</If>\n"));
	/* the marker that lets mod_alias answer while it maps the URL (explore21) */
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "\nSetEnvIfExpr \"true\" CORSC_TESTED_api\n"));
	CU_ASSERT_EQUAL(count_lines(f, "Rewrite"), 0);
	/* the headers run after every section and .htaccess file (issue 13) */
	const char *in_if = strstr(f, "\n<If \"true\">\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(in_if);
	CU_ASSERT_PTR_NULL(strstr(f, "\nHeader "));
	CU_ASSERT_EQUAL(count_lines(in_if, "Header "), count_lines(f, "Header "));
	CU_ASSERT_EQUAL(strcmp(f + strlen(f) - 6, "</If>\n"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "<IfModule !alias_module>\n    Error \"cors-api.conf needs mod_alias"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f,
		"Header always set Access-Control-Allow-Origin \"expr=%{req_novary:Origin}\" "
		"\"expr=-n reqenv('CORSC_ORIGIN_api')\"\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f,
		"Header always set Access-Control-Allow-Credentials \"true\" \"expr=-n reqenv('CORSC_ORIGIN_api')\"\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "Header always set Access-Control-Allow-Methods \"GET, PUT\" \"expr=%{REQUEST_METHOD} == 'OPTIONS'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "Header always set Access-Control-Allow-Headers \"Content-Type, X-100%%\" \"expr="));
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "Header always set Access-Control-Max-Age \"600\" \"expr="));
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "Header always set Access-Control-Expose-Headers \"X-Request-ID\" \"expr=!(%{REQUEST_METHOD} == 'OPTIONS'"));
	CU_ASSERT_PTR_NULL(strstr(f, "Access-Control-Allow-Private-Network \"true\""));
	CU_ASSERT_EQUAL(count_lines(f, "Header always merge Vary Origin"), 1);
	/* nothing reads the Origin in a way that adds to Vary */
	CU_ASSERT_PTR_NULL(strstr(f, "%{HTTP:"));
	CU_ASSERT_PTR_NULL(strstr(f, "req('"));
	CU_ASSERT_PTR_NULL(strstr(f, "${"));
	/* deterministic */
	char *g = emit_one(&p, &err);
	CU_ASSERT_STRING_EQUAL(f, g);
	free(f);
	free(g);
	sb_release(&err);
	arena_free(a);
}

static void test_any_policy(void)
{
	struct arena *a = arena_new();
	struct policy p = { .name = "assets", .any_origin = true };
	static const char *m[] = { "GET", "HEAD" };
	p.methods = list(a, false, m, 2);
	p.expose_headers = list(a, true, NULL, 0);
	static const char *h[] = { "Authorization" };
	p.allow_headers = list(a, true, h, 1);

	struct strbuf err = STRBUF_INIT;
	char *f = emit_one(&p, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "\n    Header always set Access-Control-Allow-Origin \"*\"\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "Header always set Access-Control-Allow-Headers \"*, Authorization\" \"expr=%{REQUEST_METHOD} == 'OPTIONS' && -n req_novary('Origin') && -n req_novary('Access-Control-Request-Method')\"\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "Header always set Access-Control-Expose-Headers \"*\" \"expr=!(%{REQUEST_METHOD} == 'OPTIONS' && -n req_novary('Origin') && -n req_novary('Access-Control-Request-Method'))\"\n"));
	/* no Vary: Origin of its own; takes an enclosing policy's out (issue 13) */
	CU_ASSERT_PTR_NULL(strstr(f, "merge Vary"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "\n    Header always edit* Vary \"(?i)(?:^|,)\\s*Origin\\s*(?=,|$)\" \"\"\n"
					 "    Header always unset Vary \"expr=-z resp('Vary')\"\n"));
	CU_ASSERT_PTR_NULL(strstr(f, "SetEnvIf"));
	CU_ASSERT_PTR_NULL(strstr(f, "reqenv"));
	CU_ASSERT_PTR_NULL(strstr(f, "Credentials \""));
	CU_ASSERT_PTR_NULL(strstr(f, "Max-Age \""));
	CU_ASSERT_EQUAL(count_lines(f, "<IfModule !"), 3);
	free(f);
	sb_release(&err);
	arena_free(a);
}

static void test_private_network(void)
{
	struct arena *a = arena_new();
	struct policy p = { .name = "dev", .private_network = true };
	struct origin o[] = { origin_of(a, "http://localhost:*") };
	p.origins = o;
	p.norigins = 1;
	struct strbuf err = STRBUF_INIT;
	char *f = emit_one(&p, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "Header always set Access-Control-Allow-Private-Network \"true\" \"expr=%{REQUEST_METHOD} == 'OPTIONS' && -n req_novary('Origin') && -n req_novary('Access-Control-Request-Method') && -n reqenv('CORSC_ORIGIN_dev') && req_novary('Access-Control-Request-Private-Network') == 'true'\"\n"));
	/* no exact origins: no -in list */
	CU_ASSERT_PTR_NULL(strstr(f, "-in"));
	CU_ASSERT_PTR_NULL(strstr(f, "Allow-Methods \""));
	free(f);
	sb_release(&err);
	arena_free(a);
}

/*
 * The regexes of f that start with start, up to their "$#": each at most
 * 8,000 bytes (ap_expr reads 8 KB of one); returns how often word occurs in them.
 */
static size_t words_in_regexes(const char *f, const char *start, const char *word)
{
	size_t seen = 0, wlen = strlen(word);
	for (const char *l = strstr(f, start); l; l = strstr(l + 1, start)) {
		const char *end = strstr(l, "$#");
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		CU_ASSERT_TRUE((size_t)(end - l) <= 8000);
		for (const char *q = l; q < end; q++)
			seen += strncmp(q, word, wlen) == 0;
	}
	return seen;
}

/* Regexes of at most 8 KB (ap_expr's limit), found by a binary search. */
static void test_many_origins_are_chunked(void)
{
	struct arena *a = arena_new();
	struct policy p = { .name = "partners" };
	p.norigins = 3001;
	p.origins = arena_alloc(a, p.norigins * sizeof(struct origin));
	for (size_t i = 0; i < p.norigins; i++)
		p.origins[i] = exact(arena_printf(a, "https://p%zu.example", (i * 7919) % 3001));
	struct strbuf err = STRBUF_INIT;
	char *f = emit_one(&p, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(count_lines(f, "SetEnvIfExpr "), 2);      /* and CORSC_TESTED_ */
	size_t regexes = count_lines(f, "req_novary('Origin') =~ m#^https://p");
	CU_ASSERT_TRUE(regexes >= 3);
	/* a binary search: one comparison pair per inner node */
	CU_ASSERT_EQUAL(count_lines(f, "req_novary('Origin') < '"), regexes - 1);
	CU_ASSERT_EQUAL(count_lines(f, ") || req_novary('Origin') >= '"), regexes - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "    \" CORSC_ORIGIN_partners\n"));
	/* every origin once, every regex within the limit */
	CU_ASSERT_EQUAL(words_in_regexes(f, "m#^https://p", "example"), 3001);
	free(f);
	sb_release(&err);
	arena_free(a);
}

/* Patterns: one alternation per SetEnvIfExpr, split at 8 KB. */
static void test_patterns_are_joined(void)
{
	struct arena *a = arena_new();
	struct policy p = { .name = "pat" };
	p.norigins = 3;
	p.origins = arena_alloc(a, 300 * sizeof(struct origin));
	p.origins[0] = origin_of(a, "https://*.b.example");
	p.origins[1] = exact("https://a.example");
	p.origins[2] = origin_of(a, "https://**.a.example");
	struct strbuf err = STRBUF_INIT;
	char *f = emit_one(&p, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "SetEnvIfExpr \"req_novary('Origin') =~ m#^(?:"
		"https://[a-z0-9_-]{1,63}\\.b\\.example|https://(?=[a-z0-9_.-]{1,253}(?![a-z0-9_.-]))"
		"(?:[a-z0-9_-]{1,63}\\.)+a\\.example"
		")$#\" CORSC_ORIGIN_pat\n"));
	CU_ASSERT_EQUAL(count_lines(f, "SetEnvIfExpr "), 3);      /* and CORSC_TESTED_ */
	free(f);

	p.norigins = 300;
	for (size_t i = 0; i < p.norigins; i++)
		p.origins[i] = origin_of(a, arena_printf(a, "https://*.tenant-%zu.example.com:*", i));
	f = emit_one(&p, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	size_t lines = count_lines(f, "SetEnvIfExpr ");
	CU_ASSERT_TRUE(lines >= 4 && lines < 10);
	CU_ASSERT_EQUAL(words_in_regexes(f, "m#^(?:", "tenant-"), 300);
	free(f);
	sb_release(&err);
	arena_free(a);
}

static void test_refusals_name_the_policy(void)
{
	struct arena *a = arena_new();
	struct policy p = { .name = "api" };
	struct origin o[] = { exact("https://a'b.example") };
	p.origins = o;
	p.norigins = 1;
	struct strbuf err = STRBUF_INIT;
	CU_ASSERT_PTR_NULL(emit_one(&p, &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(sb_str(&err), "a'b.example"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sb_str(&err), "policy \"api\""));

	sb_reset(&err);
	struct policy q = { .name = "x/../y", .any_origin = true };
	CU_ASSERT_PTR_NULL(emit_one(&q, &err));
	CU_ASSERT_TRUE(err.len > 0);

	sb_reset(&err);
	struct policy r = { .name = "m", .any_origin = true };
	static const char *m[] = { "GET", "P\nUT" };
	r.methods = list(a, false, m, 2);
	CU_ASSERT_PTR_NULL(emit_one(&r, &err));
	CU_ASSERT_TRUE(err.len > 0);
	sb_release(&err);
	arena_free(a);
}

static void test_input_name_in_comment(void)
{
	struct policy p = { .name = "a", .any_origin = true };
	struct emit_ctx ctx = { .input = "evil\nHeader set X y.cors", .policies = &p, .npolicies = 1 };
	struct out_set set;
	struct strbuf err = STRBUF_INIT;
	out_set_init(&set);
	CU_ASSERT_TRUE_FATAL(emit_apache(&ctx, &set, &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(set.v[0].data, "from evil\\x0aHeader set X y.cors: do not edit.\n"));
	CU_ASSERT_EQUAL(count_lines(set.v[0].data, "Header set X"), 0);
	out_set_release(&set);
	sb_release(&err);
}

static void test_no_policies_no_files(void)
{
	struct emit_ctx ctx = { .input = "x.cors", .policies = NULL, .npolicies = 0 };
	struct out_set set;
	struct strbuf err = STRBUF_INIT;
	out_set_init(&set);
	CU_ASSERT_TRUE(emit_apache(&ctx, &set, &err));
	CU_ASSERT_EQUAL(set.n, 0);
	out_set_release(&set);
	sb_release(&err);
}

void register_apache(void)
{
	static const struct test_case cases[] = {
		{ "header values: % doubled, quotes and backslashes escaped", test_header_value_quoting },
		{ "header values: control bytes, ${ and expr= refused", test_header_value_refusals },
		{ "origin patterns become anchored regexes", test_origin_regex },
		{ "exact origins become expression strings", test_expr_string },
		{ "credentialed policy: structure", test_credentialed_policy },
		{ "origins *: no Vary, no environment variable", test_any_policy },
		{ "private network only on request", test_private_network },
		{ "many exact origins: regexes within 8 KB, a binary search", test_many_origins_are_chunked },
		{ "patterns: one alternation, split at 8 KB", test_patterns_are_joined },
		{ "refusals name the policy and the value", test_refusals_name_the_policy },
		{ "input name cannot break out of the comment", test_input_name_in_comment },
		{ "no policies, no files", test_no_policies_no_files },
		{ NULL, NULL },
	};
	register_cases("apache", cases);
}
