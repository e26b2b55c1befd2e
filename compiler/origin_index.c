/*
 * origin_index.c - the set of origins of one policy, for matching requests:
 * exact origins (and "null") in an open-addressing hash table, patterns in a
 * list checked one by one with origin_match().  Comparison is byte-exact.
 */
#include <stdint.h>
#include <string.h>

#include "origin.h"

/* 8 bytes a slot, so that a table of thousands stays in the cache */
struct slot {
	uint32_t hash;         /* the low half of hash_bytes() */
	uint32_t at;           /* 0: empty; else index + 1 into the policy's origins */
};

struct origin_index {
	const struct origin *origins;
	struct slot *slots;
	size_t mask;           /* capacity - 1; capacity is a power of two */
	const struct origin **patterns;
	size_t npatterns;
};

/* The text an exact entry is matched against; NULL for a pattern. */
static const char *exact_text(const struct origin *o)
{
	if (o->kind == ORIGIN_NULL)
		return "null";
	if (o->kind == ORIGIN_EXACT)
		return o->text;
	return NULL;
}

/* Is exact_text of the slot's origin s[0..n)? */
static bool slot_is(const struct origin_index *ix, const struct slot *sl, uint32_t h,
		    const char *s, size_t n)
{
	if (sl->hash != h)
		return false;
	const char *t = exact_text(&ix->origins[sl->at - 1]);
	return strlen(t) == n && memcmp(t, s, n) == 0;
}

static const struct slot *lookup(const struct origin_index *ix, const char *s, size_t n)
{
	if (!ix->slots)
		return NULL;
	uint32_t h = (uint32_t)hash_bytes(s, n);
	for (size_t i = (size_t)h & ix->mask;; i = (i + 1) & ix->mask) {
		const struct slot *sl = &ix->slots[i];
		if (!sl->at)
			return NULL;
		if (slot_is(ix, sl, h, s, n))
			return sl;
	}
}

void origin_index_build(struct arena *a, struct policy *p)
{
	struct origin_index *ix = arena_alloc(a, sizeof(*ix));
	ix->origins = p->origins;
	size_t nexact = 0, npat = 0;
	for (size_t i = 0; i < p->norigins; i++) {
		if (exact_text(&p->origins[i]))
			nexact++;
		else
			npat++;
	}
	if (nexact) {
		/* load factor at most 2/3, so probes stay short and one slot is always free */
		size_t cap = 8;
		while (cap < nexact + nexact / 2 + 1)
			cap *= 2;
		ix->slots = arena_alloc(a, cap * sizeof(*ix->slots));
		ix->mask = cap - 1;
	}
	if (npat)
		ix->patterns = arena_alloc(a, npat * sizeof(*ix->patterns));
	for (size_t i = 0; i < p->norigins; i++) {
		const struct origin *o = &p->origins[i];
		const char *t = exact_text(o);
		if (!t) {
			ix->patterns[ix->npatterns++] = o;
			continue;
		}
		size_t n = strlen(t);
		uint32_t h = (uint32_t)hash_bytes(t, n);
		size_t j = (size_t)h & ix->mask;
		for (; ix->slots[j].at; j = (j + 1) & ix->mask)
			if (slot_is(ix, &ix->slots[j], h, t, n))
				break;          /* a duplicate: already there */
		if (!ix->slots[j].at) {
			ix->slots[j].hash = h;
			ix->slots[j].at = (uint32_t)(i + 1);
		}
	}
	p->index = ix;
}

/* Without an index (a policy built by hand): the same answer, linearly. */
static bool scan_origins(const struct policy *p, const char *req, size_t len)
{
	for (size_t i = 0; i < p->norigins; i++) {
		const struct origin *o = &p->origins[i];
		const char *t = exact_text(o);
		if (t ? strlen(t) == len && memcmp(t, req, len) == 0 : origin_match(o, req, len))
			return true;
	}
	return false;
}

bool policy_allows_origin(const struct policy *p, const char *req, size_t len)
{
	if (p->any_origin)
		return true;
	if (!req || len == 0)           /* an empty Origin counts as absent */
		return false;
	const struct origin_index *ix = p->index;
	if (!ix)
		return scan_origins(p, req, len);
	if (lookup(ix, req, len))
		return true;
	for (size_t i = 0; i < ix->npatterns; i++)
		if (origin_match(ix->patterns[i], req, len))
			return true;
	return false;
}
