/*
 * strbuf.h - a growable string in the manner of git's strbuf: append
 * freely.  Out of memory ends corsc with exit 2 (util.h), as git's does, so a
 * buffer is never incomplete and sb_detach never hands out NULL.
 */
#ifndef CORSC_STRBUF_H
#define CORSC_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct strbuf {
	char *buf;      /* always NUL-terminated once anything was added */
	size_t len, cap;
	bool failed;    /* sticky: a format could not be expanded (vsnprintf
			   failed), contents incomplete; never for lack of memory */
};

#define STRBUF_INIT { NULL, 0, 0, false }

void sb_init(struct strbuf *sb);
void sb_release(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
void sb_add_slow(struct strbuf *sb, const char *s, size_t n);
/* Append n bytes (inline while they fit; len < cap whenever cap > 0). */
static inline void sb_add(struct strbuf *sb, const char *s, size_t n)
{
	if (!sb->failed && n < sb->cap - sb->len) {
		memcpy(sb->buf + sb->len, s, n);
		sb->len += n;
		sb->buf[sb->len] = '\0';
	} else {
		sb_add_slow(sb, s, n);
	}
}
static inline void sb_puts(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}
void sb_putc_slow(struct strbuf *sb, char c);
/* One byte: inline while there is room, since emitters append byte by byte. */
static inline void sb_putc(struct strbuf *sb, char c)
{
	if (sb->len + 1 < sb->cap) {
		sb->buf[sb->len++] = c;
		sb->buf[sb->len] = '\0';
	} else {
		sb_putc_slow(sb, c);
	}
}
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_repeat(struct strbuf *sb, char c, size_t n);
/* The contents, "" when empty; stays owned by sb. */
const char *sb_str(const struct strbuf *sb);
/* Hand the buffer to the caller, who frees it; sb is empty afterwards. */
char *sb_detach(struct strbuf *sb, size_t *len);

#endif
