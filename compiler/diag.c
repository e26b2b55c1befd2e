/*
 * diag.c - queue diagnostics and render them as compiler-style text or as
 * JSON lines.  Input bytes that reach a message or a source excerpt are made
 * safe for a terminal and for JSON here, whatever the input holds.
 */
#include "diag.h"
#include "fixit.h"
#include "rules.h"
#include "strbuf.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define DIAG_MAX_RECORDS 1000

struct span span_at(const struct source *src, size_t offset, size_t len)
{
	struct span s = { src, offset, len, 0, 0 };
	if (src)
		source_linecol(src, offset, &s.line, &s.col);
	return s;
}

struct span span_linecol(const struct source *src, unsigned line, unsigned col, size_t len)
{
	struct span s = { src, 0, len, line, col };
	if (src)
		s.offset = source_offset(src, line, col);
	return s;
}

void diag_init(struct diag_queue *q)
{
	memset(q, 0, sizeof(*q));
}

void diag_release(struct diag_queue *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->v[i].message);
		free(q->v[i].note);
		for (size_t j = 0; j < q->v[i].nrelated; j++)
			free(q->v[i].related[j].message);
		free(q->v[i].related);
		for (size_t j = 0; j < q->v[i].nfix; j++)
			free(q->v[i].fix[j].text);
		free(q->v[i].fix);
	}
	free(q->v);
	diag_init(q);
}

bool diag_capped(const struct diag_queue *q)
{
	return q->nerrors >= DIAG_MAX_ERRORS || q->n >= DIAG_MAX_RECORDS;
}

bool diag_emitv(struct diag_queue *q, const char *code, struct span span,
		const char *note, const char *fmt, va_list ap)
{
	const struct rule *r = rule_find(code);
	enum severity sev = r ? r->severity : SEV_ERROR;

	q->last_kept = false;
	if (diag_capped(q)) {
		q->dropped++;
		if (sev == SEV_ERROR)
			q->nerrors++;
		else
			q->nwarnings++;
		return false;
	}

	/* a first try in a small buffer; a longer message is formatted again */
	if (!fmt)
		fmt = "";   /* never the case; tells gcc 12 under -fsanitize=undefined */
	char small[256];
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n < 0)
		n = 0;
	char *msg = xmalloc((size_t)n + 1);
	if ((size_t)n < sizeof(small))
		memcpy(msg, small, (size_t)n + 1);
	else
		vsnprintf(msg, (size_t)n + 1, fmt, ap);

	xgrow(&q->v, &q->cap, q->n + 1, sizeof(struct diag));
	struct diag *d = &q->v[q->n++];
	memset(d, 0, sizeof(*d));
	snprintf(d->code, sizeof(d->code), "%s", code);
	d->severity = sev;
	d->span = span;
	if (d->span.len == 0)
		d->span.len = 1;
	d->message = msg;
	d->note = note ? xstrdup(note) : NULL;
	q->last_kept = true;
	if (sev == SEV_ERROR)
		q->nerrors++;
	else
		q->nwarnings++;
	return !diag_capped(q);
}

bool diag_emit(struct diag_queue *q, const char *code, struct span span,
	       const char *note, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool ok = diag_emitv(q, code, span, note, fmt, ap);
	va_end(ap);
	return ok;
}

void diag_add_related(struct diag_queue *q, struct span span, const char *fmt, ...)
{
	if (!q->last_kept || q->n == 0)
		return;
	struct diag *d = &q->v[q->n - 1];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *msg = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	va_start(ap, fmt);
	vsnprintf(msg, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
	va_end(ap);
	d->related = xrealloc(d->related, (d->nrelated + 1) * sizeof(*d->related));
	if (span.len == 0)
		span.len = 1;
	d->related[d->nrelated].span = span;
	d->related[d->nrelated].message = msg;
	d->nrelated++;
}

void diag_add_edit(struct diag_queue *q, struct span span, const char *text)
{
	if (!q->last_kept || q->n == 0)
		return;
	struct diag *d = &q->v[q->n - 1];
	d->fix = xrealloc(d->fix, (d->nfix + 1) * sizeof(*d->fix));
	d->fix[d->nfix].span = span;        /* len 0 stays 0: an insertion */
	d->fix[d->nfix].text = xstrdup(text);
	d->nfix++;
}

bool diag_is_error(const struct diag_queue *q, const struct diag *d)
{
	return d->severity == SEV_ERROR || q->werror;
}

void diag_span_end(const struct span *s, unsigned *line, unsigned *col)
{
	*line = s->line;
	*col = s->col + 1;
	if (!s->src)
		return;
	size_t end = s->offset + (s->len ? s->len : 1);
	if (end > s->src->len) {
		/* a caret past the end of the file (a missing '}'): one column */
		if (s->offset >= s->src->len)
			return;
		end = s->src->len;
	}
	source_linecol(s->src, end, line, col);
	if (*line == s->line && *col <= s->col)
		*col = s->col + 1;
}

bool diag_failed(const struct diag_queue *q)
{
	return q->nerrors > 0 || (q->werror && q->nwarnings > 0);
}

static int cmp_diag(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;
	/* records without a place come last; then by position; then queue order */
	int xs = x->span.src == NULL, ys = y->span.src == NULL;
	if (xs != ys)
		return xs - ys;
	if (x->span.src != y->span.src) {
		int c = strcmp(x->span.src->name, y->span.src->name);
		if (c != 0)
			return c;
	}
	if (x->span.offset != y->span.offset)
		return x->span.offset < y->span.offset ? -1 : 1;
	return 0;
}

void diag_sort(struct diag_queue *q)
{
	/* insertion sort keeps equal keys in queue order (stable) */
	for (size_t i = 1; i < q->n; i++) {
		struct diag t = q->v[i];
		size_t j = i;
		while (j > 0 && cmp_diag(&q->v[j - 1], &t) > 0) {
			q->v[j] = q->v[j - 1];
			j--;
		}
		q->v[j] = t;
	}
}

size_t diag_utf8_len(const unsigned char *s, size_t n)
{
	size_t need;
	unsigned cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) { need = 2; cp = s[0] & 0x1F; }
	else if ((s[0] & 0xF0) == 0xE0) { need = 3; cp = s[0] & 0x0F; }
	else if ((s[0] & 0xF8) == 0xF0) { need = 4; cp = s[0] & 0x07; }
	else return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need;
}

static size_t utf8_len(const unsigned char *s, size_t n)
{
	return diag_utf8_len(s, n);
}

void json_quote(struct strbuf *sb, const char *s, size_t n)
{
	/* plain[c]: byte c goes in as it is (printable ASCII but '"' and '\\') */
	static bool plain[256], ready;
	if (!ready) {
		for (int c = 0x20; c < 0x7F; c++)
			plain[c] = c != '"' && c != '\\';
		ready = true;
	}
	const unsigned char *p = (const unsigned char *)s;
	sb_putc(sb, '"');
	for (size_t i = 0; i < n;) {
		/* a run of bytes that need no escape goes in with one copy */
		size_t j = i;
		while (j < n && plain[p[j]])
			j++;
		if (j > i) {
			sb_add(sb, s + i, j - i);
			i = j;
			continue;
		}
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			sb_putc(sb, '\\');
			sb_putc(sb, (char)c);
			i++;
		} else if (c == '\n') {
			sb_puts(sb, "\\n"); i++;
		} else if (c == '\t') {
			sb_puts(sb, "\\t"); i++;
		} else if (c == '\r') {
			sb_puts(sb, "\\r"); i++;
		} else if (c < 0x20 || c == 0x7F) {
			sb_printf(sb, "\\u%04x", c); i++;
		} else {
			size_t l = utf8_len(p + i, n - i);
			if (l == 0) {
				sb_puts(sb, "\\ufffd");
				i++;
			} else {
				sb_add(sb, s + i, l);
				i += l;
			}
		}
	}
	sb_putc(sb, '"');
}

/*
 * Append text made safe for a terminal: control bytes and invalid UTF-8
 * escaped.  In a source excerpt (keep_tabs) each such byte becomes one '?',
 * so that the caret below stays in its column; in a file name, message or
 * note it is written \xNN, so that a file with such a name can be found.
 */
static void term_safe(struct strbuf *sb, const char *s, size_t n, bool keep_tabs)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t l = c < 0x80 ? 1 : utf8_len(p + i, n - i);
		if (c == '\t' && keep_tabs) {
			sb_putc(sb, '\t');
		} else if (c < 0x20 || c == 0x7F || l == 0) {
			if (keep_tabs)
				sb_putc(sb, '?');
			else
				sb_printf(sb, "\\x%02X", c);
			l = 1;
		} else {
			sb_add(sb, s + i, l);
		}
		i += l;
	}
}

#define EXCERPT_WIDTH 100

static void render_excerpt(struct strbuf *sb, const struct span *s, bool color)
{
	size_t llen;
	const char *line = source_line(s->src, s->line, &llen);
	size_t lstart = (size_t)(line - s->src->text);
	size_t at = s->offset >= lstart ? s->offset - lstart : 0;
	if (at > llen)
		at = llen;
	size_t ulen = s->len;
	if (at + ulen > llen)
		ulen = llen > at ? llen - at : 1;
	if (ulen == 0)
		ulen = 1;

	/* A window of the line around the caret, for very long lines. */
	size_t from = 0, to = llen;
	if (llen > EXCERPT_WIDTH) {
		from = at > EXCERPT_WIDTH / 2 ? at - EXCERPT_WIDTH / 2 : 0;
		while (from > 0 && from < llen && ((unsigned char)line[from] & 0xC0) == 0x80)
			from--;
		to = from + EXCERPT_WIDTH < llen ? from + EXCERPT_WIDTH : llen;
		while (to < llen && ((unsigned char)line[to] & 0xC0) == 0x80)
			to++;
		if (ulen > to - at && to > at)
			ulen = to - at;
	}
	sb_puts(sb, from > 0 ? "..." : "");
	term_safe(sb, line + from, to - from, true);
	sb_puts(sb, to < llen ? "...\n" : "\n");

	/* Caret line: keep tabs where the source has them, one column a character. */
	if (from > 0)
		sb_puts(sb, "   ");
	for (size_t i = from; i < at && i < to;) {
		unsigned char c = (unsigned char)line[i];
		sb_putc(sb, c == '\t' ? '\t' : ' ');
		size_t l = c < 0x80 ? 1 : utf8_len((const unsigned char *)line + i, llen - i);
		i += l ? l : 1;
	}
	if (color)
		sb_puts(sb, "\033[1;32m");
	sb_putc(sb, '^');
	size_t chars = 0;
	for (size_t i = at; i < at + ulen && i < llen; i++)
		if (((unsigned char)line[i] & 0xC0) != 0x80)
			chars++;
	if (chars > 1)
		sb_repeat(sb, '~', chars - 1);
	if (color)
		sb_puts(sb, "\033[0m");
	sb_putc(sb, '\n');
}

/* ,"file":F,"line":L,"column":C,"length":N of a span */
static void json_place(struct strbuf *sb, const struct span *s)
{
	sb_puts(sb, "\"file\":");
	if (s->src)
		json_quote(sb, s->src->name, strlen(s->src->name));
	else
		sb_puts(sb, "null");
	if (s->src)
		sb_printf(sb, ",\"line\":%u,\"column\":%u,\"length\":%zu",
			  s->line, s->col, s->len);
	else
		sb_puts(sb, ",\"line\":null,\"column\":null,\"length\":null");
}

/* The place of a related location and its message, then its excerpt. */
static void render_related(struct strbuf *sb, const struct diag_related *r, bool color)
{
	if (color)
		sb_puts(sb, "\033[1m");
	if (r->span.src) {
		term_safe(sb, r->span.src->name, strlen(r->span.src->name), false);
		sb_printf(sb, ":%u:%u: ", r->span.line, r->span.col);
	}
	sb_puts(sb, color ? "\033[1;36mnote\033[0;1m: " : "note: ");
	term_safe(sb, r->message, strlen(r->message), false);
	if (color)
		sb_puts(sb, "\033[0m");
	sb_putc(sb, '\n');
	if (r->span.src && r->span.line > 0)
		render_excerpt(sb, &r->span, color);
}

/*
 * A fix-it as the lines it gives ("  fix: " and the line as it would read;
 * "  fix: remove line N" when the fix deletes whole lines).
 */
static void render_fix(struct strbuf *sb, const struct diag *d, bool color)
{
	struct strbuf fixed = STRBUF_INIT;
	if (!fixit_preview(d, &fixed)) {
		sb_release(&fixed);
		return;
	}
	const char *label = color ? "  \033[1;32mfix\033[0m: " : "  fix: ";
	const char *t = fixed.buf ? fixed.buf : "";
	size_t n = fixed.len;
	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r'))
		n--;
	if (n == 0) {
		unsigned l1 = d->fix[0].span.line, l2 = l1;
		for (size_t j = 0; j < d->nfix; j++) {
			unsigned el, ec;
			struct span e = d->fix[j].span;
			if (e.line < l1)
				l1 = e.line;
			if (e.len > 0)
				e.len--;      /* the last byte removed, not the one after */
			diag_span_end(&e, &el, &ec);
			if (el > l2)
				l2 = el;
		}
		sb_puts(sb, label);
		if (l2 > l1)
			sb_printf(sb, "remove lines %u-%u\n", l1, l2);
		else
			sb_printf(sb, "remove line %u\n", l1);
		sb_release(&fixed);
		return;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && t[j] != '\n')
			j++;
		size_t k = j > i && t[j - 1] == '\r' ? j - 1 : j;
		sb_puts(sb, i == 0 ? label : "       ");
		term_safe(sb, t + i, k - i, true);
		sb_putc(sb, '\n');
		i = j + 1;
	}
	sb_release(&fixed);
}

void diag_print(const struct diag_queue *q, FILE *out, enum diag_format fmt, bool color)
{
	struct strbuf sb = STRBUF_INIT;
	diag_render(q, &sb, fmt, color);
	if (sb.failed)
		die_oom();
	if (sb.len)
		fwrite(sb.buf, 1, sb.len, out);
	sb_release(&sb);
}

void diag_render(const struct diag_queue *q, struct strbuf *out, enum diag_format fmt, bool color)
{
	if (fmt == DIAG_SARIF) {
		diag_render_sarif(q, out);
		return;
	}
	if (fmt == DIAG_GITHUB) {
		diag_render_github(q, out);
		return;
	}
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < q->n; i++) {
		const struct diag *d = &q->v[i];
		bool err = diag_is_error(q, d);
		const char *sev = err ? "error" : "warning";
		const char *file = d->span.src ? d->span.src->name : NULL;

		if (fmt == DIAG_JSON) {
			sb_puts(&sb, "{\"code\":");
			json_quote(&sb, d->code, strlen(d->code));
			sb_printf(&sb, ",\"severity\":\"%s\",", sev);
			json_place(&sb, &d->span);
			sb_puts(&sb, ",\"message\":");
			json_quote(&sb, d->message, strlen(d->message));
			if (d->note) {
				sb_puts(&sb, ",\"note\":");
				json_quote(&sb, d->note, strlen(d->note));
			}
			if (d->nrelated) {
				sb_puts(&sb, ",\"related\":[");
				for (size_t j = 0; j < d->nrelated; j++) {
					sb_puts(&sb, j ? ",{" : "{");
					json_place(&sb, &d->related[j].span);
					sb_puts(&sb, ",\"message\":");
					json_quote(&sb, d->related[j].message,
						   strlen(d->related[j].message));
					sb_putc(&sb, '}');
				}
				sb_putc(&sb, ']');
			}
			if (d->nfix) {
				sb_puts(&sb, ",\"fix\":[");
				for (size_t j = 0; j < d->nfix; j++) {
					sb_puts(&sb, j ? ",{" : "{");
					json_place(&sb, &d->fix[j].span);
					sb_puts(&sb, ",\"replacement\":");
					json_quote(&sb, d->fix[j].text, strlen(d->fix[j].text));
					sb_putc(&sb, '}');
				}
				sb_putc(&sb, ']');
			}
			sb_puts(&sb, "}\n");
			continue;
		}

		if (color)
			sb_puts(&sb, "\033[1m");
		if (file) {
			term_safe(&sb, file, strlen(file), false);
			sb_printf(&sb, ":%u:%u: ", d->span.line, d->span.col);
		} else {
			sb_puts(&sb, "corsc: ");
		}
		if (color)
			sb_puts(&sb, err ? "\033[1;31m" : "\033[1;35m");
		sb_printf(&sb, "%s[%s]", sev, d->code);
		if (color)
			sb_puts(&sb, "\033[0;1m");
		sb_puts(&sb, ": ");
		term_safe(&sb, d->message, strlen(d->message), false);
		if (color)
			sb_puts(&sb, "\033[0m");
		sb_putc(&sb, '\n');
		if (d->span.src && d->span.line > 0)
			render_excerpt(&sb, &d->span, color);
		for (size_t j = 0; j < d->nrelated; j++)
			render_related(&sb, &d->related[j], color);
		if (d->note) {
			sb_puts(&sb, color ? "  \033[1;36mnote\033[0m: " : "  note: ");
			term_safe(&sb, d->note, strlen(d->note), false);
			sb_putc(&sb, '\n');
		}
		render_fix(&sb, d, color);
	}
	if (q->dropped && fmt == DIAG_TEXT)
		sb_printf(&sb, "corsc: too many diagnostics, %zu more not shown\n", q->dropped);
	else if (diag_capped(q) && fmt == DIAG_TEXT)   /* stopped at the cap: none counted */
		sb_printf(&sb, "corsc: %s\n", DIAG_STOPPED);
	if (q->dropped && fmt == DIAG_JSON)   /* one last line, a note with no code */
		sb_printf(&sb, "{\"code\":null,\"severity\":\"note\",\"message\":\"too many "
			  "diagnostics, %zu more not shown\",\"dropped\":%zu}\n", q->dropped, q->dropped);
	else if (diag_capped(q) && fmt == DIAG_JSON)
		sb_printf(&sb, "{\"code\":null,\"severity\":\"note\",\"message\":\"%s\","
			  "\"dropped\":0}\n", DIAG_STOPPED);
	sb_add(out, sb.buf ? sb.buf : "", sb.len);
	if (sb.failed)
		out->failed = true;
	sb_release(&sb);
}
