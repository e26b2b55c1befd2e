/*
 * strbuf.c - growable strings.  Running out of memory ends corsc (die_oom,
 * exit 2) like every other allocation; a buffer is never left short.
 */
#include "strbuf.h"
#include "util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->failed = false;
}

void sb_release(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

static bool sb_reserve(struct strbuf *sb, size_t extra)
{
	if (sb->failed)
		return false;
	if (extra > SIZE_MAX - sb->len - 1)
		die_oom();      /* more than memory can hold */
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return true;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = realloc(sb->buf, cap);
	if (!p)
		die_oom();      /* util.h: the one out-of-memory policy */
	if (cap >= (4u << 20))
		advise_huge(p + sb->len, cap - sb->len);   /* the part not written yet */
	sb->buf = p;
	sb->cap = cap;
	return true;
}

void sb_add_slow(struct strbuf *sb, const char *s, size_t n)
{
	if (!sb_reserve(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_putc_slow(struct strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_repeat(struct strbuf *sb, char c, size_t n)
{
	if (!sb_reserve(sb, n))
		return;
	memset(sb->buf + sb->len, c, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	if (sb->failed)
		return;
	/*
	 * Formatted straight into the room left (one vsnprintf when it fits,
	 * as it mostly does); only a longer text grows the buffer and is
	 * formatted again.  Measuring first cost a second vsnprintf each time.
	 */
	size_t room = sb->cap - sb->len;   /* cap > len once anything was added; else both 0 */
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(room ? sb->buf + sb->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (room)
			sb->buf[sb->len] = '\0';   /* whatever vsnprintf left there is not kept */
		sb->failed = true;
		return;
	}
	if ((size_t)n < room) {
		sb->len += (size_t)n;
		return;
	}
	if (!sb_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

const char *sb_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

char *sb_detach(struct strbuf *sb, size_t *len)
{
	char *p = sb->buf;
	if (!p) {
		p = xmalloc(1);
		p[0] = '\0';
	}
	if (len)
		*len = sb->len;
	sb_init(sb);
	return p;
}
