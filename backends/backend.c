/*
 * backend.c - the table of backends and the in-memory file set they fill.
 */
#include "backend.h"

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
