/*
 * backend.c - the table of backends and the in-memory file set they fill.
 */
#include "backend.h"
#include <stdint.h>

#include <stdlib.h>
#include <string.h>

const struct backend backends[] = {
	{ "nginx", emit_nginx, true },
	{ "apache", emit_apache, true },
	{ "caddy", emit_caddy, true },
	{ "haproxy", emit_haproxy, true },
	{ "json", emit_json, false },
	{ NULL, NULL, false },
};

_Static_assert(ARRAY_SIZE(backends) - 1 <= BACKENDS_MAX, "a backend_set holds every backend");

const struct backend *backend_find(const char *name)
{
	for (const struct backend *b = backends; b->name; b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

backend_set backend_bit(const struct backend *b)
{
	return (backend_set)1 << (b - backends);
}

backend_set backend_servers(void)
{
	backend_set s = 0;
	for (const struct backend *b = backends; b->name; b++)
		if (b->server)
			s |= backend_bit(b);
	return s;
}

void backend_names(struct strbuf *sb, const char *sep, bool servers_only)
{
	bool first = true;
	for (const struct backend *b = backends; b->name; b++) {
		if (servers_only && !b->server)
			continue;
		if (!first)
			sb_puts(sb, sep);
		sb_puts(sb, b->name);
		first = false;
	}
}

void put_comment_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c > 0x7e || c == '\\')
			sb_printf(sb, "\\x%02x", c);
		else
			sb_putc(sb, (char)c);
	}
}

void out_set_init(struct out_set *s)
{
	memset(s, 0, sizeof(*s));
}

void out_set_release(struct out_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].path);
		free(s->v[i].data);
	}
	free(s->v);
	out_set_init(s);
}

bool out_set_add(struct out_set *s, const char *path, struct strbuf *sb)
{
	if (sb->failed) {
		sb_release(sb);
		return false;
	}
	if (s->sink) {
		s->sink(s->sink_ctx, path, sb->len ? sb->buf : "", sb->len);
		sb_release(sb);
		return true;
	}
	xgrow(&s->v, &s->cap, s->n + 1, sizeof(struct out_file));
	struct out_file *f = &s->v[s->n++];
	f->path = xstrdup(path);
	f->data = sb_detach(sb, &f->len);
	if (!f->data)
		die_oom();
	return true;
}

/* ---- what several backends compute alike ---- */

struct exact_list {
	const char **v;
	size_t n;
	bool done;
};

static struct {
	const struct policy *policies;   /* NULL: no cache */
	size_t n;
	struct exact_list *exact;
} cache;

void emit_cache_begin(const struct emit_ctx *ctx)
{
	emit_cache_end();
	cache.policies = ctx->policies;
	cache.n = ctx->npolicies;
	cache.exact = xcalloc(cache.n ? cache.n : 1, sizeof(*cache.exact));
}

void emit_cache_end(void)
{
	for (size_t i = 0; cache.exact && i < cache.n; i++)
		free(cache.exact[i].v);
	free(cache.exact);
	cache.exact = NULL;
	cache.policies = NULL;
	cache.n = 0;
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char **exact_sorted(const struct policy *p, size_t *n)
{
	const char **v = xmalloc((p->norigins ? p->norigins : 1) * sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < p->norigins; i++)
		if (p->origins[i].kind != ORIGIN_PATTERN)
			v[k++] = p->origins[i].text;
	qsort(v, k, sizeof(*v), cmp_text);
	size_t w = 0;
	for (size_t i = 0; i < k; i++)
		if (w == 0 || strcmp(v[w - 1], v[i]) != 0)
			v[w++] = v[i];
	*n = w;
	return v;
}

const char **emit_exact_sorted(const struct emit_ctx *ctx, const struct policy *p, size_t *n,
			       bool *owned)
{
	/* which of the cached policies p is, if any (compared as addresses) */
	uintptr_t at = (uintptr_t)p, base = (uintptr_t)cache.policies;
	size_t i = cache.policies && at >= base ? (at - base) / sizeof(*p) : SIZE_MAX;
	if (i >= cache.n || cache.policies != ctx->policies || &cache.policies[i] != p) {
		*owned = true;
		return exact_sorted(p, n);
	}
	struct exact_list *l = &cache.exact[i];
	if (!l->done) {
		l->v = exact_sorted(p, &l->n);
		l->done = true;
	}
	*owned = false;
	*n = l->n;
	return l->v;
}
