/*
 * util.c - checked allocation, the compilation arena and locale-free ASCII
 * helpers.
 */
#include "util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

_Noreturn void die_oom(void)
{
	fputs("corsc: fatal: out of memory\n", stderr);
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom();
	return q;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void xgrow(void *pp, size_t *cap, size_t need, size_t elem)
{
	void **p = pp;
	size_t c = *cap;

	if (need <= c)
		return;
	if (c == 0)
		c = 8;
	while (c < need) {
		if (c > SIZE_MAX / 2 / elem)
			die_oom();
		c *= 2;
	}
	*p = xrealloc(*p, c * elem);
	*cap = c;
}

/*
 * Where the kernel offers transparent huge pages on request (Linux with THP
 * in "madvise" mode, Debian's default), ask for them in a large block not
 * yet touched: one page fault per 2 MiB instead of 512.  On a large input
 * the faults were a quarter of the compile time.  Only whole aligned 2 MiB
 * pages inside [p, p + n) are advised; anything else is a no-op.
 */
void advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t hi = ((uintptr_t)p + n) & ~(huge - 1);
	if (lo < hi)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/* ---- arena ---- */

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	_Alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct arena_block *head;
	size_t next_size;      /* the size of the next block: 64 KiB, doubling to 8 MiB */
	void **big;            /* arrays of arena_grow, malloc'd, freed with the arena */
	size_t nbig, capbig;
};

#define ARENA_MAX_BLOCK (8 * 1024 * 1024)
#define ARENA_HUGE (4 * 1024 * 1024)  /* a block this large asks for huge pages */

struct arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	for (struct arena_block *b = a->head, *n; b; b = n) {
		n = b->next;
		free(b);
	}
	for (size_t i = 0; i < a->nbig; i++)
		free(a->big[i]);
	free(a->big);
	free(a);
}

/*
 * n bytes aligned to align (a power of two) from a's current block, or from
 * a new one.  Strings take align 1: rounding each up to max_align_t cost
 * about 8 bytes a string, a tenth of the arena on a large input.
 */
static void *arena_take(struct arena *a, size_t n, size_t align)
{
	struct arena_block *b = a->head;

	if (n > SIZE_MAX - align)
		die_oom();
	size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
	if (!b || at > b->size || b->size - at < n) {
		if (a->next_size == 0)
			a->next_size = 64 * 1024;
		size_t size = n > a->next_size ? n : a->next_size;
		if (a->next_size < ARENA_MAX_BLOCK)
			a->next_size *= 2;
		/* calloc: a fresh block is zero already (and a large one is
		 * mapped zero pages, no memset), so allocations need none */
		b = xcalloc(1, sizeof(*b) + size);
		if (size >= ARENA_HUGE)
			advise_huge(b->data, size);
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
		at = 0;
	}
	void *p = b->data + at;
	b->used = at + n;
	return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
	return arena_take(a, n, _Alignof(max_align_t));
}

void *arena_grow(struct arena *a, void *old, size_t old_size, size_t new_size)
{
	size_t i = a->nbig;
	while (old && i > 0 && a->big[i - 1] != old)
		i--;
	if (old && i > 0) {
		/* one of ours already: realloc (a large one is moved by the kernel, not copied) */
		void *p = xrealloc(old, new_size);
		memset((char *)p + old_size, 0, new_size - old_size);
		a->big[i - 1] = p;
		return p;
	}
	void *p = xcalloc(1, new_size);
	if (old_size)
		memcpy(p, old, old_size);
	xgrow(&a->big, &a->capbig, a->nbig + 1, sizeof(*a->big));
	a->big[a->nbig++] = p;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_take(a, n + 1, 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	/* formatted once into a local buffer: a second pass only if it is too short */
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		die_oom();
	if ((size_t)n < sizeof(small))
		return arena_strndup(a, small, (size_t)n);
	char *p = arena_take(a, (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* ---- string map ---- */

/* 64-bit FNV-1a with a final avalanche (murmur3's fmix64) so low bits mix well. */
uint64_t hash_bytes(const char *s, size_t n)
{
	/*
	 * Eight bytes a step (FNV-1a went byte by byte: a multiply each), the
	 * last partial word zero-padded, the length mixed in; the finalizer
	 * below spreads every input bit over the result.  Only the maps of one
	 * run use it: no value is stored or compared across runs.
	 */
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	if (i < n) {
		uint64_t w = 0;
		memcpy(&w, s + i, n - i);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

struct strmap_slot {
	const char *key;      /* NULL: empty */
	size_t len;
	uint64_t hash;
	void *value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t mask;
};

struct strmap *strmap_new(struct arena *a, size_t n)
{
	/* load factor at most 2/3: short probes, and one slot is always free */
	size_t cap = 8;
	while (cap < n + n / 2 + 1) {
		if (cap > SIZE_MAX / 4 / sizeof(struct strmap_slot))
			die_oom();
		cap *= 2;
	}
	struct strmap *m = arena_alloc(a, sizeof(*m));
	m->slots = arena_alloc(a, cap * sizeof(struct strmap_slot));
	m->mask = cap - 1;
	return m;
}

void **strmap_slot(struct strmap *m, const char *key, size_t len, bool *found)
{
	uint64_t h = hash_bytes(key, len);
	for (size_t i = (size_t)h & m->mask;; i = (i + 1) & m->mask) {
		struct strmap_slot *s = &m->slots[i];
		if (!s->key) {
			s->key = key;
			s->len = len;
			s->hash = h;
			*found = false;
			return &s->value;
		}
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) {
			*found = true;
			return &s->value;
		}
	}
}

void *strmap_get(const struct strmap *m, const char *key, size_t len)
{
	uint64_t h = hash_bytes(key, len);
	for (size_t i = (size_t)h & m->mask;; i = (i + 1) & m->mask) {
		const struct strmap_slot *s = &m->slots[i];
		if (!s->key)
			return NULL;
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
			return s->value;
	}
}

/* ---- ASCII ---- */

int ascii_tolower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int ascii_toupper(int c)
{
	return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
}

int ascii_strncasecmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ca = ascii_tolower((unsigned char)a[i]);
		int cb = ascii_tolower((unsigned char)b[i]);
		if (ca != cb)
			return ca - cb;
		if (ca == 0)
			return 0;
	}
	return 0;
}

int ascii_strcasecmp(const char *a, const char *b)
{
	return ascii_strncasecmp(a, b, SIZE_MAX);
}

bool is_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!is_tchar((unsigned char)*s))
			return false;
	return true;
}
