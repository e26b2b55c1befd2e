/*
 * origin_trie.h - a set of literal strings (exact origins) as one
 * prefix-factored regex alternation: a trie written as nested groups, so
 * a regex engine that tries the branches of a group in turn fails each
 * branch at its first byte and a match costs the length of the subject,
 * not the number of strings.  Used by the Apache backend.
 */
#ifndef CORSC_ORIGIN_TRIE_H
#define CORSC_ORIGIN_TRIE_H

#include <stddef.h>

#include "strbuf.h"

/*
 * Sort keys[0..*n) by byte order and drop duplicates, in place; *n becomes
 * the number of distinct keys.  The strings themselves are not copied.
 */
void trie_sort(const char **keys, size_t *n);

/*
 * Append a regex that matches exactly the strings keys[0..n) (sorted and
 * distinct, as trie_sort leaves them; n >= 1), without anchors.  It has
 * no top-level alternation (a set with no common prefix is one group), so
 * the caller writes ^...$ around it as it is.  Every byte in meta (which
 * holds no letter or digit: those are never looked up) is written with a
 * backslash before it.  Groups are non-capturing (?:...) and nest at
 * most TRIE_MAX_NEST deep (PCRE refuses more than 250); below that depth
 * the rest of a subtree is a plain alternation of its suffixes.
 */
#define TRIE_MAX_NEST 64
void trie_regex(struct strbuf *sb, const char *const *keys, size_t n, const char *meta);

/*
 * How many of keys[0..n) (sorted and distinct, n >= 1) to take into one
 * regex of at most max bytes: as many as an upper bound of trie_regex's
 * length allows, and at least one.  The bound holds while the groups nest
 * less than TRIE_MAX_NEST deep; past that the caller checks the length.
 */
size_t trie_run(const char *const *keys, size_t n, size_t max, const char *meta);

#endif
