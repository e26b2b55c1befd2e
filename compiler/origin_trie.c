/*
 * origin_trie.c - literal strings as one prefix-factored regex alternation
 * (a trie as nested groups); see origin_trie.h.  tests/unit/test_trie.c
 * checks the text on small sets and that a set's regex matches its members
 * and nothing else.
 */
#include "origin_trie.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);   /* unsigned bytes */
}

void trie_sort(const char **keys, size_t *n)
{
	if (*n < 2)
		return;
	qsort(keys, *n, sizeof(*keys), cmp_key);
	size_t w = 1;
	for (size_t i = 1; i < *n; i++)
		if (strcmp(keys[i], keys[w - 1]) != 0)
			keys[w++] = keys[i];
	*n = w;
}

/* No dialect's metacharacters hold a letter or a digit: most bytes of a host. */
static bool is_meta(char c, const char *meta)
{
	unsigned char u = (unsigned char)c;
	if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z'))
		return false;
	return strchr(meta, c) != NULL;
}

static void put_literal(struct strbuf *sb, const char *s, size_t len, const char *meta)
{
	for (size_t i = 0; i < len; i++) {
		if (is_meta(s[i], meta))
			sb_putc(sb, '\\');
		sb_putc(sb, s[i]);
	}
}

/*
 * keys[lo..hi) share their first `at` bytes, already written: write what
 * follows.  Sorted, so the common prefix of the range is that of its first
 * and last key, and a key that ends at the branching point comes first.
 */
static void put_node(struct strbuf *sb, const char *const *keys, size_t lo, size_t hi,
		     size_t at, int nest, const char *meta)
{
	const char *first = keys[lo], *last = keys[hi - 1];
	size_t lcp = at;
	while (first[lcp] && first[lcp] == last[lcp])
		lcp++;
	put_literal(sb, first + at, lcp - at, meta);
	if (hi - lo == 1)
		return;
	bool ends = first[lcp] == '\0';   /* then at least one longer key follows */
	sb_puts(sb, "(?:");
	if (nest >= TRIE_MAX_NEST) {      /* deep enough: the suffixes, one by one */
		for (size_t i = lo + ends; i < hi; i++) {
			if (i > lo + ends)
				sb_putc(sb, '|');
			put_literal(sb, keys[i] + lcp, strlen(keys[i] + lcp), meta);
		}
	} else {
		for (size_t a = lo + ends; a < hi;) {   /* one branch per next byte */
			size_t b = a + 1;
			while (b < hi && keys[b][lcp] == keys[a][lcp])
				b++;
			if (a > lo + ends)
				sb_putc(sb, '|');
			put_node(sb, keys, a, b, lcp, nest + 1, meta);
			a = b;
		}
	}
	sb_puts(sb, ends ? ")?" : ")");
}

void trie_regex(struct strbuf *sb, const char *const *keys, size_t n, const char *meta)
{
	if (n)
		put_node(sb, keys, 0, n, 0, 0, meta);
}

static size_t literal_len(const char *s, const char *meta)
{
	size_t n = 0;
	for (; *s; s++)
		n += 1 + is_meta(*s, meta);
	return n;
}

/*
 * A key adds to the regex of the keys before it its own bytes past the
 * common prefix with the key just before, escaped, and at most 6 bytes of
 * grouping where it branches off: "(?:", "|", ")" and "?".
 */
size_t trie_run(const char *const *keys, size_t n, size_t max, const char *meta)
{
	size_t total = literal_len(keys[0], meta), i = 1;
	for (; i < n; i++) {
		size_t l = 0;
		while (keys[i][l] && keys[i][l] == keys[i - 1][l])
			l++;
		total += literal_len(keys[i] + l, meta) + 6;
		if (total > max)
			break;
	}
	return i;
}
