/*
 * util.h - allocation that cannot fail silently, and the arena that owns the
 * IR of one compilation.  The one out-of-memory policy of corsc: any
 * allocation that fails (x* allocators, arena, strbuf) ends the program at
 * once through die_oom, "corsc: fatal: out of memory" and exit 2, before
 * anything is written (README, Decisions).
 */
#ifndef CORSC_UTIL_H
#define CORSC_UTIL_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#define CORSC_VERSION "0.1.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *p (an array of *cap elements of size elem) so it holds need elements. */
void xgrow(void *pp, size_t *cap, size_t need, size_t elem);
_Noreturn void die_oom(void);
/* Ask for transparent huge pages in [p, p + n), memory not touched yet. */
void advise_huge(void *p, size_t n);

/*
 * An arena: many allocations, one free.  Everything the front ends, the
 * validator and the backends build for one compilation lives in one.
 */
struct arena;
struct arena *arena_new(void);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);        /* zeroed */
/*
 * An array that grows: old (old_size bytes, from arena_alloc or an earlier
 * arena_grow, or NULL) as new_size bytes, the new part zeroed.  Kept apart
 * from the blocks and resized in place where it can be, so that doubling a
 * long array leaves no old copies behind; freed with the arena.
 */
void *arena_grow(struct arena *a, void *old, size_t old_size, size_t new_size);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A string map in an arena: open addressing, fixed capacity for n keys,
 * values are pointers.  Keys are compared byte for byte (callers fold case
 * first if they need to); the key bytes must outlive the map.
 */
struct strmap;
struct strmap *strmap_new(struct arena *a, size_t n);
/* The value slot of key; *found tells whether the key was there before. */
void **strmap_slot(struct strmap *m, const char *key, size_t len, bool *found);
/* The value of key, or NULL when absent (nothing is inserted). */
void *strmap_get(const struct strmap *m, const char *key, size_t len);
uint64_t hash_bytes(const char *s, size_t n);

/* ASCII helpers, independent of the locale. */
int ascii_tolower(int c);
int ascii_toupper(int c);
int ascii_strcasecmp(const char *a, const char *b);
int ascii_strncasecmp(const char *a, const char *b, size_t n);
bool is_tchar(int c);   /* RFC 9110 token character */
bool is_token(const char *s);   /* a non-empty string of them */

#endif
