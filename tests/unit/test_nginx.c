/*
 * test_nginx.c - the nginx backend on hand-built policies: the escaping
 * function with hostile input, the hash sizing, and the shape of the output.
 * Behaviour with a real nginx is tests/t-nginx.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "nginx.h"
#include "testutil.h"
#include "util.h"

/* ---- building policies ---- */

static struct origin exact(struct arena *a, const char *text)
{
	struct origin o = { 0 };
	o.kind = strcmp(text, "null") == 0 ? ORIGIN_NULL : ORIGIN_EXACT;
	o.text = text;
	o.port = -1;
	if (o.kind == ORIGIN_EXACT) {
		const char *sep = strstr(text, "://");
		o.scheme = arena_strndup(a, text, (size_t)(sep - text));
		o.host = sep + 3;
	}
	return o;
}

static struct origin pattern(const char *scheme, enum origin_wild w, const char *host,
			     int port, bool port_any, const char *text)
{
	struct origin o = { 0 };
	o.kind = ORIGIN_PATTERN;
	o.scheme = scheme;
	o.wild = w;
	o.host = host;
	o.port = port;
	o.port_any = port_any;
	o.text = text;
	return o;
}

static struct name_list names(struct arena *a, bool any, const char *const *v, size_t n)
{
	struct name_list l = { true, any, arena_alloc(a, (n + 1) * sizeof(char *)), n };
	for (size_t i = 0; i < n; i++)
		l.names[i] = v[i];
	return l;
}

/* Emit; the caller releases out.  Returns emit_nginx's answer. */
static bool emit(const struct policy *p, size_t n, struct out_set *out, struct strbuf *err)
{
	struct emit_ctx ctx = { "examples/test.cors", p, n };
	out_set_init(out);
	return emit_nginx(&ctx, out, err);
}

static const char *file(const struct out_set *out, const char *path)
{
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->v[i].path, path) == 0)
			return out->v[i].data;
	return NULL;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static size_t longest_line(const char *s)
{
	size_t best = 0;
	while (*s) {
		size_t n = strcspn(s, "\n");
		if (n > best)
			best = n;
		s += n + (s[n] == '\n');
	}
	return best;
}

/* api: two exact origins (one twice), a pattern, credentials, every list. */
static struct policy api_policy(struct arena *a)
{
	static const char *const methods[] = { "GET", "POST" };
	static const char *const allow[] = { "Content-Type", "X-$Odd" };
	static const char *const expose[] = { "X-Request-ID" };
	struct policy p = { 0 };
	p.name = "My-Api";
	p.norigins = 4;
	p.origins = arena_alloc(a, p.norigins * sizeof(struct origin));
	p.origins[0] = exact(a, "https://b.example.com");
	p.origins[1] = exact(a, "https://a.example.com");
	p.origins[2] = pattern("https", WILD_ONE, "x+y.example.com", 8443, false,
			       "https://*.x+y.example.com:8443");
	p.origins[3] = exact(a, "https://b.example.com");
	p.methods = names(a, false, methods, 2);
	p.allow_headers = names(a, false, allow, 2);
	p.expose_headers = names(a, false, expose, 1);
	p.credentials = true;
	p.max_age_set = true;
	p.max_age = 600;
	return p;
}

/* ---- escaping ---- */

static char *quoted(const char *s, enum ngx_quote_mode mode, bool *ok, bool *dollar)
{
	struct strbuf sb = STRBUF_INIT;
	*ok = ngx_quote(&sb, s, strlen(s), mode, dollar);
	char *r = sb_detach(&sb, NULL);
	return r ? r : xstrdup("");
}

static void test_quote(void)
{
	static const struct { const char *in, *literal, *value; } cases[] = {
		{ "plain", "\"plain\"", "\"plain\"" },
		{ "", "\"\"", "\"\"" },
		{ "a\"b", "\"a\\\"b\"", "\"a\\\"b\"" },
		/* a backslash nginx would read as an escape is doubled, others kept */
		{ "a\\.b", "\"a\\.b\"", "\"a\\.b\"" },
		{ "a\\nb", "\"a\\\\nb\"", "\"a\\\\nb\"" },
		/* two backslashes: the first doubled (nginx reads a doubled one as one), the second kept */
		{ "a\\\\b", "\"a\\\\\\b\"", "\"a\\\\\\b\"" },
		{ "a\\'", "\"a\\\\'\"", "\"a\\\\'\"" },
		{ "end\\", "\"end\\\\\"", "\"end\\\\\"" },
		{ "{;} #x", "\"{;} #x\"", "\"{;} #x\"" },
		{ "X-$a", "\"X-$a\"", "\"X-${cors__dollar}a\"" },
		{ "$$", "\"$$\"", "\"${cors__dollar}${cors__dollar}\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"", "\"caf\xc3\xa9\"" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bool ok, dollar = false;
		char *l = quoted(cases[i].in, NGX_LITERAL, &ok, &dollar);
		CU_ASSERT_TRUE(ok);
		CU_ASSERT_STRING_EQUAL(l, cases[i].literal);
		CU_ASSERT_FALSE(dollar);
		CU_ASSERT_EQUAL(ngx_quoted_len(cases[i].in, strlen(cases[i].in), NGX_LITERAL) + 2, strlen(l));
		char *v = quoted(cases[i].in, NGX_VALUE, &ok, &dollar);
		CU_ASSERT_TRUE(ok);
		CU_ASSERT_STRING_EQUAL(v, cases[i].value);
		CU_ASSERT_EQUAL(dollar, strchr(cases[i].in, '$') != NULL);
		CU_ASSERT_EQUAL(ngx_quoted_len(cases[i].in, strlen(cases[i].in), NGX_VALUE) + 2, strlen(v));
		free(l);
		free(v);
	}
}

static void test_quote_refuses_control(void)
{
	static const char *const bad[] = { "a\nb", "a\rb", "\t", "x\x7f", "\x1b[0m" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct strbuf sb = STRBUF_INIT;
		sb_puts(&sb, "keep");
		CU_ASSERT_FALSE(ngx_quote(&sb, bad[i], strlen(bad[i]), NGX_VALUE, NULL));
		CU_ASSERT_STRING_EQUAL(sb_str(&sb), "keep");
		CU_ASSERT_EQUAL(ngx_quoted_len(bad[i], strlen(bad[i]), NGX_LITERAL), (size_t)-1);
		sb_release(&sb);
	}
	/* a NUL byte inside the length is a control character too */
	struct strbuf sb = STRBUF_INIT;
	CU_ASSERT_FALSE(ngx_quote(&sb, "a\0b", 3, NGX_LITERAL, NULL));
	sb_release(&sb);
}

/* ---- hash sizing ---- */

static void test_hash_sizes(void)
{
	struct arena *a = arena_new();
	struct ngx_hash_keys small = { arena_alloc(a, 3 * sizeof(char *)), 3 };
	small.keys[0] = "https://a.example.com";
	small.keys[1] = "https://b.example.com";
	small.keys[2] = "null";
	size_t max = 0, bucket = 0;
	CU_ASSERT_FALSE(ngx_hash_sizes(&small, 1, &max, &bucket));   /* defaults do */
	CU_ASSERT_TRUE(ngx_hash_fits(&small, 1, 2048, 64));

	/* 10,000 origins: the defaults warn, the sizes found do not */
	struct ngx_hash_keys big = { arena_alloc(a, 10000 * sizeof(char *)), 10000 };
	for (size_t i = 0; i < big.n; i++)
		big.keys[i] = arena_printf(a, "https://tenant-%05zu.customers.example.com", i);
	CU_ASSERT_FALSE(ngx_hash_fits(&big, 1, 2048, 64));
	CU_ASSERT_TRUE(ngx_hash_sizes(&big, 1, &max, &bucket));
	CU_ASSERT_TRUE(ngx_hash_fits(&big, 1, max, bucket));
	CU_ASSERT_EQUAL(bucket % 64, 0);
	/* both maps together: what fits the big one must fit the small one too */
	struct ngx_hash_keys both[2] = { small, big };
	size_t max2, bucket2;
	CU_ASSERT_TRUE(ngx_hash_sizes(both, 2, &max2, &bucket2));
	CU_ASSERT_TRUE(ngx_hash_fits(both, 2, max2, bucket2));

	/* one long key needs a bucket longer than the cache line */
	struct ngx_hash_keys longkey = { arena_alloc(a, sizeof(char *)), 1 };
	longkey.keys[0] = arena_printf(a, "https://%0200d.example.com", 7);
	CU_ASSERT_FALSE(ngx_hash_fits(&longkey, 1, 2048, 64));
	CU_ASSERT_TRUE(ngx_hash_sizes(&longkey, 1, &max, &bucket));
	CU_ASSERT_TRUE(bucket >= 8 + 224 + 8);
	CU_ASSERT_TRUE(ngx_hash_fits(&longkey, 1, max, bucket));
	arena_free(a);
}

/* ---- the files ---- */

static void test_files_and_maps(void)
{
	struct arena *a = arena_new();
	struct policy p = api_policy(a);
	struct out_set out;
	struct strbuf err = STRBUF_INIT;
	CU_ASSERT_TRUE_FATAL(emit(&p, 1, &out, &err));
	CU_ASSERT_EQUAL(out.n, 2);
	const char *http = file(&out, "nginx/cors-http.conf");
	const char *pol = file(&out, "nginx/cors-My-Api.conf");
	CU_ASSERT_PTR_NOT_NULL_FATAL(http);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pol);

	/* the preflight test: the method first (one hash lookup, no regex), the
	 * request's headers only for OPTIONS (a value naming a variable is lazy) */
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "map $request_method $cors__preflight {\n    default \"\";\n"
				      "    OPTIONS $cors__acrm_origin;\n}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "map $http_access_control_request_method $cors__acrm_origin {\n"
				      "    default $cors__has_origin;\n    \"\" \"\";\n}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "map $http_origin $cors__has_origin {\n    default 1;\n"));
	CU_ASSERT_PTR_NULL(strstr(http, "\"$request_method"));
	/* variables: lower case, '-' as '_' */
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "$cors_my_api_origin"));
	CU_ASSERT_PTR_NULL(strstr(http, "cors_My"));
	/* exact origins sorted, once each, in the hash; an exact hit goes to the
	 * case test, which sends upper case (and a miss) on to the patterns */
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "map $http_origin $cors_my_api_allowed {\n"
				      "    default $cors_my_api_pattern;\n"));
	const char *ea = strstr(http, "    \"https://a.example.com\" $cors_my_api_case;\n");
	const char *eb = strstr(http, "    \"https://b.example.com\" $cors_my_api_case;\n");
	CU_ASSERT_TRUE(ea && eb && ea < eb);
	CU_ASSERT_EQUAL(count(http, "\"https://b.example.com\""), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "map $http_origin $cors_my_api_case {\n    default 1;\n"
				      "    \"~[A-Z]\" $cors_my_api_pattern;\n}\n"));
	/* the pattern: anchored, every metacharacter escaped, one label, the port */
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "map $http_origin $cors_my_api_pattern {\n    default \"\";\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(http,
		"\"~^(?:(?:https://[a-z0-9_-]{1,63}\\.x\\+y\\.example\\.com:8443))$\" 1;"));
	/* the origin itself only through the one-character flag */
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "map $cors_my_api_allowed $cors_my_api_origin {\n"
				      "    default \"\";\n    1 $http_origin;\n}\n"));
	/* a preflight's rows keyed on one flag, not a key built per request */
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "map $cors__preflight $cors_my_api_pf {\n    default \"\";\n"
				      "    1 $cors_my_api_allowed;\n}\n"));
	CU_ASSERT_PTR_NULL(strstr(http, "\"$cors__preflight:$cors_my_api_allowed\""));
	/* '$' in a header name through the geo variable */
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "geo $cors__dollar {\n    default \"$\";\n}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "map $cors_my_api_pf $cors_my_api_allow_headers {\n"
				      "    default \"\";\n    1 \"Content-Type, X-${cors__dollar}Odd\";"));
	/* a small policy leaves nginx's hash sizes alone */
	CU_ASSERT_PTR_NULL(strstr(http, "map_hash"));
	CU_ASSERT_PTR_NULL(strstr(http, "before any map"));

	/* the snippet: the preflight, every header always, Vary, 35 hides */
	/* the actual-only rows set to "" before the preflight's answer, the
	 * preflight-only ones after it (the value their maps would give) */
	CU_ASSERT_PTR_NOT_NULL(strstr(pol, "if ($cors__preflight) {\n"
				      "    set $cors_my_api_expose_headers \"\";\n    return 204;\n}\n"
				      "set $cors_my_api_methods \"\";\nset $cors_my_api_allow_headers \"\";\n"
				      "set $cors_my_api_max_age \"\";\n\nadd_header "));
	CU_ASSERT_EQUAL(count(pol, "set $"), 4);
	CU_ASSERT_PTR_NULL(strstr(pol, "set $cors_my_api_origin"));
	CU_ASSERT_PTR_NULL(strstr(pol, "set $cors_my_api_credentials"));
	CU_ASSERT_EQUAL(count(pol, "\nadd_header "), 7);
	CU_ASSERT_EQUAL(count(pol, "\" always;\n"), 7);
	CU_ASSERT_PTR_NOT_NULL(strstr(pol, "add_header Vary \"Origin\" always;"));
	CU_ASSERT_PTR_NULL(strstr(pol, "add_header Access-Control-Allow-Private-Network"));
	CU_ASSERT_EQUAL(count(pol, "_hide_header Access-Control-"), 35);
	CU_ASSERT_PTR_NOT_NULL(strstr(pol, "grpc_hide_header Access-Control-Allow-Private-Network;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(pol, "# Generated by corsc " CORSC_VERSION
				      " from examples/test.cors; do not edit."));
	out_set_release(&out);
	sb_release(&err);
	arena_free(a);
}

static void test_any_origin(void)
{
	static const char *const methods[] = { "GET", "HEAD" };
	struct arena *a = arena_new();
	struct policy p = { 0 };
	p.name = "assets";
	p.any_origin = true;
	p.methods = names(a, false, methods, 2);
	p.expose_headers = names(a, true, NULL, 0);
	struct out_set out;
	struct strbuf err = STRBUF_INIT;
	CU_ASSERT_TRUE_FATAL(emit(&p, 1, &out, &err));
	const char *http = file(&out, "nginx/cors-http.conf");
	const char *pol = file(&out, "nginx/cors-assets.conf");
	CU_ASSERT_PTR_NOT_NULL(strstr(pol, "add_header Access-Control-Allow-Origin \"*\" always;"));
	CU_ASSERT_PTR_NULL(strstr(pol, "Vary"));
	CU_ASSERT_PTR_NULL(strstr(pol, "add_header Access-Control-Allow-Credentials"));
	CU_ASSERT_PTR_NULL(strstr(http, "$http_origin|"));
	CU_ASSERT_PTR_NULL(strstr(http, "geo $"));
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "map \"$cors__preflight:1\" $cors_assets_expose_headers {\n"
				      "    default \"\";\n    \":1\" \"*\";\n}"));
	out_set_release(&out);
	sb_release(&err);
	arena_free(a);
}

static void test_deterministic_and_big(void)
{
	struct arena *a = arena_new();
	struct policy p[2] = { api_policy(a), { 0 } };
	p[1].name = "many";
	p[1].norigins = 10000;
	p[1].origins = arena_alloc(a, p[1].norigins * sizeof(struct origin));
	for (size_t i = 0; i < p[1].norigins; i++)
		p[1].origins[i] = exact(a, arena_printf(a, "https://t%05zu.example.com",
							(i * 7919) % 10000));
	const char *hdr[600];
	for (size_t i = 0; i < ARRAY_SIZE(hdr); i++)
		hdr[i] = arena_printf(a, "X-Header-Number-%04zu", i);
	p[1].allow_headers = names(a, false, hdr, ARRAY_SIZE(hdr));

	struct out_set o1, o2;
	struct strbuf err = STRBUF_INIT;
	CU_ASSERT_TRUE_FATAL(emit(p, 2, &o1, &err));
	CU_ASSERT_TRUE_FATAL(emit(p, 2, &o2, &err));
	CU_ASSERT_EQUAL_FATAL(o1.n, 3);
	for (size_t i = 0; i < o1.n; i++) {
		CU_ASSERT_STRING_EQUAL(o1.v[i].path, o2.v[i].path);
		CU_ASSERT_EQUAL(o1.v[i].len, o2.v[i].len);
		CU_ASSERT_TRUE(memcmp(o1.v[i].data, o2.v[i].data, o1.v[i].len) == 0);
		/* no parameter comes near nginx's 4 KB limit */
		CU_ASSERT_TRUE(longest_line(o1.v[i].data) < 3200);
	}
	const char *http = file(&o1, "nginx/cors-http.conf");
	const char *pol = file(&o1, "nginx/cors-many.conf");
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "\nmap_hash_max_size "));
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "\nmap_hash_bucket_size "));
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "include it before any map of your own"));
	/* the hash sizes come before the first map, as nginx requires */
	CU_ASSERT_TRUE(strstr(http, "map_hash_bucket_size") < strstr(http, "\nmap "));
	/* sorted: t00000 first, t09999 last */
	CU_ASSERT_TRUE(strstr(http, "\"https://t00000.example.com\"") <
		       strstr(http, "\"https://t09999.example.com\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(pol, "add_header Access-Control-Allow-Headers "
				      "\"${cors_many_allow_headers_1}${cors_many_allow_headers_2}"));
	/* each piece of a preflight-only value set to "" for other requests */
	CU_ASSERT_PTR_NOT_NULL(strstr(pol, "\nset $cors_many_allow_headers_1 \"\";\n"
				      "set $cors_many_allow_headers_2 \"\";\n"));
	out_set_release(&o1);
	out_set_release(&o2);
	sb_release(&err);
	arena_free(a);
}

static void test_refuses_control_character(void)
{
	static const char *const allow[] = { "X-Ok", "X-Bad\nadd_header Evil 1" };
	struct arena *a = arena_new();
	struct policy p = api_policy(a);
	p.allow_headers = names(a, false, allow, 2);
	struct out_set out;
	struct strbuf err = STRBUF_INIT;
	CU_ASSERT_FALSE(emit(&p, 1, &out, &err));
	CU_ASSERT_EQUAL(out.n, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb_str(&err), "control character"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sb_str(&err), "My-Api"));
	out_set_release(&out);
	sb_release(&err);
	arena_free(a);
}

/* Many patterns: alternations of several, each one nginx parameter at most. */
static void test_pattern_alternations(void)
{
	struct arena *a = arena_new();
	struct policy p = api_policy(a);
	p.norigins = 300;
	p.origins = arena_alloc(a, p.norigins * sizeof(struct origin));
	for (size_t i = 0; i < p.norigins; i++) {
		const char *host = arena_printf(a, "tenant%03zu.example.com", i);
		p.origins[i] = pattern("https", WILD_ONE, host, -1, false,
				       arena_printf(a, "https://*.%s", host));
	}
	struct out_set out;
	struct strbuf err = STRBUF_INIT;
	CU_ASSERT_TRUE_FATAL(emit(&p, 1, &out, &err));
	const char *http = file(&out, "nginx/cors-http.conf");
	CU_ASSERT_PTR_NOT_NULL_FATAL(http);
	/* no exact origin: the patterns are the origin map itself */
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "map $http_origin $cors_my_api_allowed {\n    default \"\";\n"));
	CU_ASSERT_PTR_NULL(strstr(http, "_case"));
	size_t lines = 0;
	for (const char *q = http; (q = strstr(q, "    \"~^(?:(?:https://")); q++) {
		const char *end = strstr(q, ")$\" 1;\n");
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		CU_ASSERT_TRUE((size_t)(end - q) < 3000);
		CU_ASSERT_PTR_NULL(memchr(q, '\n', (size_t)(end - q)));
		lines++;
	}
	CU_ASSERT_TRUE(lines > 1 && lines < 30);
	for (size_t i = 0; i < p.norigins; i += 37) {
		char *one = arena_printf(a, "(?:https://[a-z0-9_-]{1,63}\\.tenant%03zu\\.example\\.com)", i);
		CU_ASSERT_EQUAL(count(http, one), 1);
	}
	CU_ASSERT_EQUAL(count(http, "\\.example\\.com)"), p.norigins);
	out_set_release(&out);
	sb_release(&err);
	arena_free(a);
}

/* nginx -t refuses a variable name of more than 46 characters (bucket size 64) */
static void test_long_policy_names(void)
{
	static const char *const allow[] = { "X-A" };
	struct arena *a = arena_new();
	struct policy p[3];
	p[0] = api_policy(a);
	p[0].name = "A-very-long-policy-name-of-exactly-sixty-four-characters-xxxxxxx";
	p[0].private_network = true;
	p[1] = api_policy(a);
	p[1].name = "a-very-long-policy-name-of-exactly-sixty-four-characters-xxxxxxy";
	p[2] = api_policy(a);
	p[2].name = "twenty-chars-exactly";
	p[2].allow_headers = names(a, false, allow, 1);
	struct out_set out;
	struct strbuf err = STRBUF_INIT;
	CU_ASSERT_TRUE(emit(p, 3, &out, &err));
	const char *http = file(&out, "nginx/cors-http.conf");
	CU_ASSERT_PTR_NOT_NULL(http);
	size_t longest = 0, nvars = 0;
	for (const char *q = http; q && (q = strchr(q, '$')); q++) {
		size_t n = 0;
		while (q[1 + n] == '_' || (q[1 + n] >= 'a' && q[1 + n] <= 'z') ||
		       (q[1 + n] >= '0' && q[1 + n] <= '9'))
			n++;
		longest = n > longest ? n : longest;
		nvars++;
	}
	CU_ASSERT_TRUE(nvars > 10);
	CU_ASSERT_TRUE(longest <= 46);
	/* the two long names share 15 characters but not their variables */
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "$cors_a_very_long_pol_"));
	CU_ASSERT_EQUAL(count(http, "map $http_origin $cors_a_very_long_pol_"), 6);   /* 3 each */
	/* a name of 20 characters is kept whole */
	CU_ASSERT_PTR_NOT_NULL(strstr(http, "$cors_twenty_chars_exactly_allow_headers"));
	out_set_release(&out);
	sb_release(&err);
	arena_free(a);
}

void register_nginx(void)
{
	static const struct test_case cases[] = {
		{ "quote: quotes, backslashes, dollars", test_quote },
		{ "quote: control characters refused", test_quote_refuses_control },
		{ "hash sizes model ngx_hash_init", test_hash_sizes },
		{ "files, maps and the snippet", test_files_and_maps },
		{ "origins * : no Vary, no origin maps", test_any_origin },
		{ "many patterns: alternations within nginx's parameter", test_pattern_alternations },
		{ "deterministic; 10,000 origins; a split list", test_deterministic_and_big },
		{ "a header that cannot be written fails", test_refuses_control_character },
		{ "long policy names: short variable names", test_long_policy_names },
		{ NULL, NULL },
	};
	register_cases("nginx", cases);
}
