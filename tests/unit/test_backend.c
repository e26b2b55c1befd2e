/*
 * test_backend.c - the backend table (backend.c) that -t, -t all and the
 * default read: every row complete and distinct, and every backend writes
 * only under its own folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "testutil.h"

static void test_table(void)
{
	size_t n = 0, nservers = 0;
	backend_set all = 0;
	for (const struct backend *b = backends; b->name; b++, n++) {
		CU_ASSERT_PTR_NOT_NULL(b->emit);
		CU_ASSERT_TRUE(b->name[0] != '\0' && strcmp(b->name, "all") != 0);
		CU_ASSERT_PTR_EQUAL(backend_find(b->name), b);
		CU_ASSERT_EQUAL(all & backend_bit(b), 0);      /* bits distinct */
		all |= backend_bit(b);
		if (b->server) {
			nservers++;
			CU_ASSERT_NOT_EQUAL(backend_servers() & backend_bit(b), 0);
		} else {
			CU_ASSERT_EQUAL(backend_servers() & backend_bit(b), 0);
		}
	}
	CU_ASSERT_TRUE(n >= 4 && n <= BACKENDS_MAX);
	CU_ASSERT_TRUE(nservers >= 3);
	CU_ASSERT_PTR_NULL(backend_find("all"));
	CU_ASSERT_PTR_NULL(backend_find("NGINX"));

	struct strbuf sb = STRBUF_INIT;
	backend_names(&sb, " ", true);
	CU_ASSERT_STRING_EQUAL(sb_str(&sb), "nginx apache caddy haproxy");
	sb_reset(&sb);
	backend_names(&sb, ", ", false);
	CU_ASSERT_STRING_EQUAL(sb_str(&sb), "nginx, apache, caddy, haproxy, json");
	sb_release(&sb);
}

/* Each backend's files lie under NAME/, so that -o DIR keeps them apart. */
static void test_own_folder(void)
{
	struct compilation c;
	compile_string(&c, "t.cors", "policy api {\n"
		       "    origins \"https://a.example.com\", \"https://*.b.example.com\";\n"
		       "    methods GET, PUT;\n"
		       "    credentials true;\n"
		       "}\n", FORMAT_DSL);
	CU_ASSERT_FALSE_FATAL(diag_failed(&c.dq));
	struct emit_ctx ctx = { "t.cors", c.ir->resolved, c.ir->nresolved };
	for (const struct backend *b = backends; b->name; b++) {
		struct out_set set;
		struct strbuf err = STRBUF_INIT;
		out_set_init(&set);
		CU_ASSERT_TRUE(b->emit(&ctx, &set, &err));
		CU_ASSERT_TRUE(set.n >= 1);
		size_t len = strlen(b->name);
		for (size_t i = 0; i < set.n; i++)
			CU_ASSERT_TRUE(strncmp(set.v[i].path, b->name, len) == 0 &&
				       set.v[i].path[len] == '/');
		out_set_release(&set);
		sb_release(&err);
	}
	compilation_free(&c);
}

/*
 * Every server backend makes file or variable names of a policy's name: all
 * refuse what NAME of SPEC section 1 refuses (one check, policy_name_ok),
 * as the front ends do (E001), and all accept the rest.
 */
static void test_policy_names(void)
{
	static const char *const bad[] = {
		"", "1abc", "-a", "a b", "a/../b", "a.conf", "a) {", "http", "SERVER",
		"abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",        /* 65 */
	};
	static const char *const good[] = { "a", "A-b_9", "https",
		"abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" };
	struct origin o = { .kind = ORIGIN_EXACT, .text = "https://a.example.com",
			    .scheme = "https", .host = "a.example.com", .port = -1 };
	for (const struct backend *b = backends; b->name; b++) {
		if (!b->server)
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(bad) + ARRAY_SIZE(good); i++) {
			bool want = i >= ARRAY_SIZE(bad);
			const char *name = want ? good[i - ARRAY_SIZE(bad)] : bad[i];
			struct policy p = { .name = name, .origins = &o, .norigins = 1 };
			struct emit_ctx ctx = { "t.cors", &p, 1 };
			struct out_set set;
			struct strbuf err = STRBUF_INIT;
			out_set_init(&set);
			bool got = b->emit(&ctx, &set, &err);
			if (got != want)
				fprintf(stderr, "%s: policy name '%s' %s\n", b->name, name,
					got ? "accepted" : "refused");
			CU_ASSERT_EQUAL(got, want);
			CU_ASSERT_EQUAL(policy_name_ok(name), want);
			out_set_release(&set);
			sb_release(&err);
		}
	}
}

/* The input name in every server backend's header comments: one escaping. */
static void test_comment_text(void)
{
	struct origin o = { .kind = ORIGIN_EXACT, .text = "https://a.example.com",
			    .scheme = "https", .host = "a.example.com", .port = -1 };
	struct policy p = { .name = "api", .origins = &o, .norigins = 1 };
	struct emit_ctx ctx = { "a\nadd_header X 1;\\b\x7f\xc3\xa9.cors", &p, 1 };
	const char *want = "a\\x0aadd_header X 1;\\x5cb\\x7f\\xc3\\xa9.cors";
	for (const struct backend *b = backends; b->name; b++) {
		if (!b->server)
			continue;
		struct out_set set;
		struct strbuf err = STRBUF_INIT;
		out_set_init(&set);
		CU_ASSERT_TRUE_FATAL(b->emit(&ctx, &set, &err));
		for (size_t i = 0; i < set.n; i++) {
			CU_ASSERT_PTR_NOT_NULL(strstr(set.v[i].data, want));
			CU_ASSERT_PTR_NULL(strstr(set.v[i].data, "\nadd_header X"));
		}
		out_set_release(&set);
		sb_release(&err);
	}
}

void register_backend(void)
{
	static const struct test_case cases[] = {
		{ "the table: rows, bits, servers, names", test_table },
		{ "every backend writes under its own folder", test_own_folder },
		{ "every server backend takes the names NAME allows", test_policy_names },
		{ "one escaping for comment text", test_comment_text },
		{ NULL, NULL },
	};
	register_cases("backend", cases);
}
