/*
 * fixit.c - fix-its made on the source text (see fixit.h), and the
 * application of all of them that corsc fix performs.
 */
#include "fixit.h"
#include "strbuf.h"
#include "util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	s[0] = '\0';
	va_start(ap, fmt);
	if (n > 0)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_white(char c)
{
	return is_blank(c) || c == '\n' || c == '\r';
}

/* The first offset from i on (before end) that is not white space. */
static size_t skip_white(const char *t, size_t i, size_t end)
{
	while (i < end && is_white(t[i]))
		i++;
	return i;
}

/*
 * The quote around the value written at span ('"' or '\''), 0 for a bare
 * word, or -1 when the bytes there are not exactly the value (escapes, a
 * scalar over several lines): then no fix is certain.
 */
static int written_as(struct span span, const char *text, size_t len)
{
	const struct source *src = span.src;
	if (!src || span.offset + span.len > src->len)
		return -1;
	const char *t = src->text + span.offset;
	if (span.len == len && memcmp(t, text, len) == 0)
		return 0;
	if (span.len == len + 2 && (t[0] == '"' || t[0] == '\'') && t[len + 1] == t[0] &&
	    memcmp(t + 1, text, len) == 0)
		return t[0];
	return -1;
}

struct span fixit_sub_span(struct span span, const char *text, size_t len,
			   const char *part, size_t n)
{
	int q = written_as(span, text, len);
	if (q < 0 || part < text || part + n > text + len)
		return span;
	/* counted from the span's own column, as the front end counted it (a BOM) */
	size_t from = (q ? 1 : 0) + (size_t)(part - text);
	const char *t = span.src->text + span.offset;
	struct span sub = span;
	sub.offset += from;
	sub.len = n ? n : 1;
	for (size_t i = 0; i < from; i++) {
		if (t[i] == '\n')
			return span_at(span.src, sub.offset, sub.len);
		if (((unsigned char)t[i] & 0xC0) != 0x80)
			sub.col++;
	}
	return sub;
}

static struct span raw_span(const struct source *src, size_t offset, size_t len)
{
	return span_at(src, offset, len);
}

void fixit_replace_value(struct diag_queue *dq, struct span span, const char *text,
			 size_t len, const char *repl)
{
	int q = written_as(span, text, len);
	if (q < 0 || strpbrk(repl, "\"'\\\n\r\t") != NULL)
		return;
	char *s = q ? xasprintf("%c%s%c", q, repl, q) : xstrdup(repl);
	diag_add_edit(dq, span, s);
	free(s);
}

/* The end of the line at e (its '\r\n' or '\n' included), or n at the end; SIZE_MAX if more follows. */
static size_t line_end(const char *t, size_t n, size_t e, bool comment_ok)
{
	while (e < n && is_blank(t[e]))
		e++;
	if (comment_ok && e < n && t[e] == '#')
		while (e < n && t[e] != '\n' && t[e] != '\r')
			e++;
	if (e < n && t[e] == '\r')
		e++;
	if (e < n && t[e] == '\n')
		return e + 1;
	return e == n ? n : SIZE_MAX;
}

/*
 * The only value of a statement goes: the statement goes, when it is
 * plainly "key value;" (.cors) or "key: value", "key: [value]", "key:" and
 * one "- value" line (YAML), with nothing else between; its lines go whole
 * when it has them to itself (a YAML comment at their end with them).
 * Called for W101/W102 (an expose-headers list of what a script can read
 * anyway, or never): without the statement a script reads the same.
 */
static void remove_statement(struct diag_queue *dq, const struct ir_stmt *s, const struct ir_value *v)
{
	const struct source *src = v->span.src;
	const char *t = src->text;
	size_t n = src->len, k = s->key_span.offset, a = v->span.offset, b = a + v->span.len;
	if (s->key_span.src != src || k + s->key_span.len > a)
		return;
	size_t ls = k;                  /* the key's line, blanks only before it */
	while (ls > 0 && is_blank(t[ls - 1]))
		ls--;
	bool own_line = ls == 0 || t[ls - 1] == '\n';
	size_t c = k + s->key_span.len;
	while (c < a && is_blank(t[c]))
		c++;
	if (c < a && t[c] == ':') {     /* YAML */
		c++;
		while (c < a && is_blank(t[c]))
			c++;
		bool flow = c < a && t[c] == '[';
		if (flow) {
			c++;
			while (c < a && is_blank(t[c]))
				c++;
		} else if (c < a) {     /* a block list: "key:" and "- value" on the next line */
			size_t nl = line_end(t, n, c, false);
			if (nl == SIZE_MAX || nl > a)
				return;
			c = nl;
			while (c < a && is_blank(t[c]))
				c++;
			if (c < a && t[c] == '-')
				c++;
			while (c < a && is_blank(t[c]))
				c++;
		}
		if (c != a || !own_line)
			return;
		size_t e = b;
		while (e < n && is_blank(t[e]))
			e++;
		if (flow && e < n && t[e] == ']')
			e++;
		else if (flow)
			return;
		e = line_end(t, n, e, true);
		if (e == SIZE_MAX)
			return;
		diag_add_edit(dq, raw_span(src, ls, e - ls), "");
		return;
	}
	/* .cors: "key value;" */
	if (c != a || c == k + s->key_span.len)
		return;
	size_t e = skip_white(t, b, n);
	if (e >= n || t[e] != ';')
		return;
	e++;
	size_t le = line_end(t, n, e, false);
	if (own_line && le != SIZE_MAX) {
		diag_add_edit(dq, raw_span(src, ls, le - ls), "");
		return;
	}
	while (e < n && is_blank(t[e]))
		e++;
	diag_add_edit(dq, raw_span(src, k, e - k), "");
}

void fixit_remove_value(struct diag_queue *dq, const struct ir_stmt *s, size_t i)
{
	const struct ir_value *v = &s->values[i];
	if (written_as(v->span, v->text, v->len) < 0)
		return;
	if (s->nvalues < 2) {
		remove_statement(dq, s, v);
		return;
	}
	const struct source *src = v->span.src;
	const char *t = src->text;
	size_t n = src->len, a = v->span.offset, b = a + v->span.len;

	/* A YAML block item: "  - value" alone on its line goes, line and all. */
	size_t p = a;
	while (p > 0 && is_blank(t[p - 1]))
		p--;
	if (p > 0 && t[p - 1] == '-') {
		size_t ls = p - 1;
		while (ls > 0 && is_blank(t[ls - 1]))
			ls--;
		if (ls > 0 && t[ls - 1] != '\n')
			return;
		size_t e = b;
		while (e < n && is_blank(t[e]))
			e++;
		if (e < n && t[e] == '#')     /* its comment on the line goes with it */
			while (e < n && t[e] != '\n' && t[e] != '\r')
				e++;
		if (e < n && t[e] == '\r')
			e++;
		if (e < n && t[e] == '\n')
			e++;
		else if (e < n)
			return;
		diag_add_edit(dq, raw_span(src, ls, e - ls), "");
		return;
	}
	/* Not the last: the value, its ',' and the blanks after it. */
	size_t e = skip_white(t, b, n);
	if (e < n && t[e] == ',') {
		e++;
		while (e < n && is_blank(t[e]))
			e++;
		diag_add_edit(dq, raw_span(src, a, e - a), "");
		return;
	}
	/*
	 * The last: from the end of the one before (the ',' and the blanks
	 * between); when a comment lies between, the ',' and the value alone,
	 * so that the comment stays.
	 */
	if (i == 0 || s->values[i - 1].span.src != src)
		return;
	size_t pe = s->values[i - 1].span.offset + s->values[i - 1].span.len;
	if (pe > a)
		return;
	size_t c = skip_white(t, pe, a);
	if (c >= a || t[c] != ',')
		return;
	size_t r = skip_white(t, c + 1, a);
	if (r == a) {
		diag_add_edit(dq, raw_span(src, pe, b - pe), "");
	} else if (t[r] == '#') {
		diag_add_edit(dq, raw_span(src, c, 1), "");
		diag_add_edit(dq, raw_span(src, a, b - a), "");
	}
}

void fixit_add_authorization(struct diag_queue *dq, const struct ir_value *star, bool yaml)
{
	int qc = written_as(star->span, star->text, star->len);
	if (qc < 0)
		return;
	const struct source *src = star->span.src;
	const char *t = src->text;
	size_t n = src->len, a = star->span.offset, b = a + star->span.len;
	struct span at_end = raw_span(src, b, 0);
	if (!yaml) {
		diag_add_edit(dq, at_end, ", Authorization");
		return;
	}
	size_t p = a;
	while (p > 0 && is_white(t[p - 1]))
		p--;
	char before = p > 0 ? t[p - 1] : '\0';
	if (before == '[' || before == ',') {
		diag_add_edit(dq, at_end, ", Authorization");
	} else if (before == ':') {
		char *s = qc ? xasprintf("[%c*%c, Authorization]", qc, qc)
			     : xstrdup("[\"*\", Authorization]");
		diag_add_edit(dq, star->span, s);
		free(s);
	} else if (before == '-') {
		/* a block item: a new "- Authorization" line after it, same indent */
		size_t ls = p - 1;
		while (ls > 0 && t[ls - 1] != '\n')
			ls--;
		size_t e = b;
		while (e < n && t[e] != '\n' && t[e] != '\r')
			e++;
		bool crlf = e < n && t[e] == '\r';
		char *s = xasprintf("%s%.*s- Authorization", crlf ? "\r\n" : "\n",
				    (int)(p - 1 - ls), t + ls);
		diag_add_edit(dq, raw_span(src, e, 0), s);
		free(s);
	}
}

struct edit_ref {
	const struct diag *d;
	size_t start, end;      /* the bytes the fix covers, all its edits */
};

static int cmp_edit_ref(const void *a, const void *b)
{
	const struct edit_ref *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

static int cmp_edit(const void *a, const void *b)
{
	const struct diag_edit *const *x = a, *const *y = b;
	size_t o1 = (*x)->span.offset, o2 = (*y)->span.offset;
	return o1 < o2 ? -1 : o1 > o2;
}

/* The edits of d, in offset order (caller frees). */
static const struct diag_edit **sorted_edits(const struct diag *d)
{
	const struct diag_edit **e = xcalloc(d->nfix, sizeof(*e));
	for (size_t j = 0; j < d->nfix; j++)
		e[j] = &d->fix[j];
	qsort(e, d->nfix, sizeof(*e), cmp_edit);
	return e;
}

size_t fixit_apply(const struct source *src, const struct diag_queue *dq,
		   struct strbuf *out, const struct diag **applied)
{
	struct edit_ref *refs = xcalloc(dq->n ? dq->n : 1, sizeof(*refs));
	size_t nrefs = 0;
	for (size_t i = 0; i < dq->n; i++) {
		const struct diag *d = &dq->v[i];
		bool here = d->nfix > 0;
		size_t s = (size_t)-1, e = 0;
		for (size_t j = 0; j < d->nfix && here; j++) {
			const struct span *sp = &d->fix[j].span;
			if (sp->src != src || sp->offset + sp->len > src->len)
				here = false;
			if (sp->offset < s)
				s = sp->offset;
			if (sp->offset + sp->len > e)
				e = sp->offset + sp->len;
		}
		if (here)
			refs[nrefs++] = (struct edit_ref){ d, s, e };
	}
	qsort(refs, nrefs, sizeof(*refs), cmp_edit_ref);

	size_t done = 0, at = 0;
	for (size_t i = 0; i < nrefs; i++) {
		if (refs[i].start < at)
			continue;          /* overlaps one taken: the next round */
		const struct diag_edit **e = sorted_edits(refs[i].d);
		for (size_t j = 0; j < refs[i].d->nfix; j++) {
			sb_add(out, src->text + at, e[j]->span.offset - at);
			sb_puts(out, e[j]->text);
			at = e[j]->span.offset + e[j]->span.len;
		}
		free(e);
		applied[done++] = refs[i].d;
	}
	sb_add(out, src->text + at, src->len - at);
	free(refs);
	return done;
}

bool fixit_preview(const struct diag *d, struct strbuf *out)
{
	if (d->nfix == 0)
		return false;
	const struct source *src = d->fix[0].span.src;
	size_t s = (size_t)-1, e = 0;
	for (size_t j = 0; j < d->nfix; j++) {
		const struct span *sp = &d->fix[j].span;
		if (!src || sp->src != src || sp->offset + sp->len > src->len)
			return false;
		if (sp->offset < s)
			s = sp->offset;
		if (sp->offset + sp->len > e)
			e = sp->offset + sp->len;
	}
	while (s > 0 && src->text[s - 1] != '\n')
		s--;
	/* a fix that ends with a whole line removed ends there */
	if (!(e > s && src->text[e - 1] == '\n'))
		while (e < src->len && src->text[e] != '\n')
			e++;
	const struct diag_edit **ed = sorted_edits(d);
	size_t at = s;
	for (size_t j = 0; j < d->nfix; j++) {
		sb_add(out, src->text + at, ed[j]->span.offset - at);
		sb_puts(out, ed[j]->text);
		at = ed[j]->span.offset + ed[j]->span.len;
	}
	if (e > at)
		sb_add(out, src->text + at, e - at);
	free(ed);
	return true;
}
