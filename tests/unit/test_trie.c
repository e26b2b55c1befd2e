/*
 * test_trie.c - origin_trie.c: the text of a trie regex on small sets, and
 * on generated ones that it matches every member and nothing else (checked
 * with the C library's POSIX regex, the groups written as plain ones), that
 * trie_run's length bound holds, and that the nesting cap keeps the meaning.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "origin_trie.h"
#include "testutil.h"
#include "util.h"

#define META "\\^$.|?*+()[]{}#"

static char *trie_of(const char **keys, size_t *n)
{
	trie_sort(keys, n);
	struct strbuf sb = STRBUF_INIT;
	trie_regex(&sb, keys, *n, META);
	return sb_detach(&sb, NULL);
}

/* ^(...)$ as a POSIX extended regex: (?: becomes (. */
static bool posix_compile(regex_t *re, const char *trie)
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "^(");
	for (const char *p = trie; *p; p++) {
		if (p[0] == '\\' && p[1]) {
			sb_putc(&sb, *p++);
			sb_putc(&sb, *p);
		} else if (strncmp(p, "(?:", 3) == 0) {
			sb_putc(&sb, '(');
			p += 2;
		} else {
			sb_putc(&sb, *p);
		}
	}
	sb_puts(&sb, ")$");
	int rc = regcomp(re, sb_str(&sb), REG_EXTENDED | REG_NOSUB);
	sb_release(&sb);
	return rc == 0;
}

static bool matches(const regex_t *re, const char *s)
{
	return regexec(re, s, 0, NULL, 0) == 0;
}

static void test_text(void)
{
	const char *keys[] = { "https://b.example", "https://a.example", "https://a.example.org",
			       "https://a.example", "http://[::1]:3000", "https://ab.example:8443" };
	size_t n = ARRAY_SIZE(keys);
	char *t = trie_of(keys, &n);
	CU_ASSERT_EQUAL(n, 5);    /* the duplicate is dropped */
	CU_ASSERT_STRING_EQUAL(keys[0], "http://[::1]:3000");
	CU_ASSERT_STRING_EQUAL(t, "http(?:://\\[::1\\]:3000|s://(?:a(?:\\.example(?:\\.org)?|"
			       "b\\.example:8443)|b\\.example))");
	free(t);

	const char *one[] = { "null" };
	n = 1;
	t = trie_of(one, &n);
	CU_ASSERT_STRING_EQUAL(t, "null");
	free(t);

	struct strbuf sb = STRBUF_INIT;
	trie_regex(&sb, one, 0, META);
	CU_ASSERT_EQUAL(sb.len, 0);
	sb_release(&sb);
}

/* A set of n origins of a few shapes, in arena a, some sharing long prefixes. */
static const char **make_set(struct arena *a, size_t n, unsigned seed)
{
	const char **keys = arena_alloc(a, n * sizeof(*keys));
	static const char *hosts[] = { "app", "api", "a", "b-c", "x1" };
	static const char *tails[] = { ".example.com", ".example.co", ".ex.net", ".example.com:8443", "" };
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = seed >> 8;
		keys[i] = arena_printf(a, "http%s://%s%u%s", (r & 1) ? "s" : "", hosts[r % 5],
				       (r >> 4) % 997, tails[(r >> 14) % 5]);
	}
	return keys;
}

static bool member(const char *const *keys, size_t n, const char *s)
{
	for (size_t j = 0; j < n; j++)
		if (strcmp(keys[j], s) == 0)
			return true;
	return false;
}

static void test_language(void)
{
	struct arena *a = arena_new();
	static const size_t sizes[] = { 1, 2, 3, 17, 300 };
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		size_t n = sizes[s];
		const char **keys = make_set(a, n, (unsigned)s + 7);
		char *t = trie_of(keys, &n);
		regex_t re;
		CU_ASSERT_TRUE_FATAL(posix_compile(&re, t));
		for (size_t i = 0; i < n; i++) {
			CU_ASSERT_TRUE(matches(&re, keys[i]));
			/* near misses: a byte more, a byte less, the last byte changed */
			char buf[128];
			size_t len = strlen(keys[i]);
			snprintf(buf, sizeof(buf), "%s0", keys[i]);
			CU_ASSERT_EQUAL(matches(&re, buf), member(keys, n, buf));
			memcpy(buf, keys[i], len - 1);
			buf[len - 1] = '\0';
			CU_ASSERT_EQUAL(matches(&re, buf), member(keys, n, buf));
			buf[len - 1] = '#';
			buf[len] = '\0';
			CU_ASSERT_FALSE(matches(&re, buf));
		}
		CU_ASSERT_FALSE(matches(&re, ""));
		CU_ASSERT_FALSE(matches(&re, "https://app1.example.comX"));
		regfree(&re);
		free(t);
	}
	arena_free(a);
}

/* Each key a prefix of the next: a group per key, past the nesting cap. */
static void test_nesting_cap(void)
{
	struct arena *a = arena_new();
	size_t n = 3 * TRIE_MAX_NEST;
	const char **keys = arena_alloc(a, n * sizeof(*keys));
	char host[400] = "";
	for (size_t i = 0; i < n; i++) {
		strcat(host, "a");
		keys[i] = arena_printf(a, "https://%s", host);
	}
	char *t = trie_of(keys, &n);
	size_t depth = 0, max = 0;
	for (const char *p = t; *p; p++) {
		if (strncmp(p, "(?:", 3) == 0 && ++depth > max)
			max = depth;
		if (*p == ')')
			depth--;
	}
	CU_ASSERT_EQUAL(max, TRIE_MAX_NEST + 1);
	regex_t re;
	CU_ASSERT_TRUE_FATAL(posix_compile(&re, t));
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_TRUE(matches(&re, keys[i]));
	CU_ASSERT_FALSE(matches(&re, "https://"));
	snprintf(host, sizeof(host), "%sa", keys[n - 1]);
	CU_ASSERT_FALSE(matches(&re, host));
	regfree(&re);
	free(t);
	arena_free(a);
}

/* trie_run: every run's regex within its bound, runs cover the set. */
static void test_run_bound(void)
{
	struct arena *a = arena_new();
	size_t n = 3000;
	const char **keys = make_set(a, n, 99);
	trie_sort(keys, &n);
	static const size_t limits[] = { 1, 200, 1000, 8000 };
	for (size_t l = 0; l < ARRAY_SIZE(limits); l++) {
		size_t runs = 0;
		for (size_t i = 0; i < n; runs++) {
			size_t k = trie_run(keys + i, n - i, limits[l], META);
			CU_ASSERT_TRUE_FATAL(k >= 1 && k <= n - i);
			struct strbuf sb = STRBUF_INIT;
			trie_regex(&sb, keys + i, k, META);
			CU_ASSERT_TRUE(k == 1 || sb.len <= limits[l]);
			sb_release(&sb);
			i += k;
		}
		if (limits[l] == 1)
			CU_ASSERT_EQUAL(runs, n);
		if (limits[l] == 8000)
			CU_ASSERT_TRUE(runs < 20);
	}
	arena_free(a);
}

void register_trie(void)
{
	static const struct test_case cases[] = {
		{ "sorted, distinct, prefix-factored text", test_text },
		{ "a set's regex matches its members and no near miss", test_language },
		{ "nesting stops at TRIE_MAX_NEST, same language", test_nesting_cap },
		{ "trie_run keeps every regex within its bound", test_run_bound },
		{ NULL, NULL },
	};
	register_cases("trie", cases);
}
