/*
 * diag_github.c - the diagnostics as GitHub Actions workflow commands, one
 * line per diagnostic, so that they show on the pull request's lines:
 *     ::error file=F,line=L,col=C,endColumn=E,title=E020::message
 * escaped as the runner unescapes them (%25, %0D, %0A; in properties also
 * %3A and %2C).
 */
#include "diag.h"
#include "strbuf.h"

#include <string.h>

/* Text as the runner reads it back: prop also escapes ':' and ','. */
static void put_escaped(struct strbuf *sb, const char *s, bool prop)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c == '%') {
			sb_puts(sb, "%25");
		} else if (c == '\r') {
			sb_puts(sb, "%0D");
		} else if (c == '\n') {
			sb_puts(sb, "%0A");
		} else if (prop && c == ':') {
			sb_puts(sb, "%3A");
		} else if (prop && c == ',') {
			sb_puts(sb, "%2C");
		} else if ((c < 0x20 && c != '\t') || c == 0x7F) {
			sb_putc(sb, '?');   /* nothing a log should interpret */
		} else if (c >= 0x80) {
			size_t l = diag_utf8_len(p + i, n - i);
			if (l == 0) {
				sb_putc(sb, '?');
				i++;
			} else {
				sb_add(sb, s + i, l);
				i += l;
			}
			continue;
		} else {
			sb_putc(sb, (char)c);
		}
		i++;
	}
}

void diag_render_github(const struct diag_queue *q, struct strbuf *sb)
{
	for (size_t i = 0; i < q->n; i++) {
		const struct diag *d = &q->v[i];
		sb_puts(sb, diag_is_error(q, d) ? "::error " : "::warning ");
		if (d->span.src) {
			unsigned el, ec;
			diag_span_end(&d->span, &el, &ec);
			sb_puts(sb, "file=");
			put_escaped(sb, d->span.src->name, true);
			sb_printf(sb, ",line=%u,col=%u,", d->span.line, d->span.col);
			if (el == d->span.line)
				sb_printf(sb, "endColumn=%u,", ec);
			else
				sb_printf(sb, "endLine=%u,", el);
		}
		sb_puts(sb, "title=");
		put_escaped(sb, d->code, true);
		sb_puts(sb, "::");
		put_escaped(sb, d->message, false);
		if (d->note) {
			sb_puts(sb, "%0Anote: ");
			put_escaped(sb, d->note, false);
		}
		for (size_t j = 0; j < d->nrelated; j++) {
			const struct span *s = &d->related[j].span;
			sb_puts(sb, "%0A");
			if (s->src) {
				put_escaped(sb, s->src->name, false);
				sb_printf(sb, ":%u:%u: ", s->line, s->col);
			}
			put_escaped(sb, d->related[j].message, false);
		}
		sb_putc(sb, '\n');
	}
	if (q->dropped)
		sb_printf(sb, "::warning title=corsc::too many diagnostics, %zu more not shown\n",
			  q->dropped);
	else if (diag_capped(q))
		sb_printf(sb, "::warning title=corsc::%s\n", DIAG_STOPPED);
}
