/*
 * writer.c - the raw IR written back as source.  The canonical layout of the
 * policy language: one statement a line, four spaces of indent, values
 * joined by ", ", one value a line when the line would pass 80 columns or a
 * comment sits among the values, one blank line between policies.
 */
#include "writer.h"
#include "util.h"

#include <string.h>

size_t comment_add(const struct source *src, size_t at, size_t line_start, unsigned line,
		   struct comment **v, size_t *n, size_t *cap)
{
	const char *t = src->text;
	size_t end = at;
	while (end < src->len && t[end] != '\n')
		end++;
	size_t e = end;
	while (e > at && (t[e - 1] == ' ' || t[e - 1] == '\t' || t[e - 1] == '\r'))
		e--;
	bool own = true;
	for (size_t k = line_start; k < at; k++)
		if (t[k] != ' ' && t[k] != '\t')
			own = false;
	xgrow(v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (struct comment){ at, e - at, line, own };
	return end;
}

size_t dsl_find_comments(const struct source *src, struct comment **out)
{
	struct comment *v = NULL;
	size_t n = 0, cap = 0;
	const char *t = src->text;
	size_t line_start = 0;
	unsigned line = 1;

	for (size_t i = 0; i < src->len; i++) {
		char c = t[i];
		if (c == '\n') {
			line++;
			line_start = i + 1;
		} else if (c == '"') {
			/* skip a string; an unterminated one ends at the line's end */
			for (i++; i < src->len && t[i] != '"' && t[i] != '\n'; i++)
				if (t[i] == '\\' && i + 1 < src->len && t[i + 1] != '\n')
					i++;
			if (i < src->len && t[i] == '\n')
				i--;
		} else if (c == '#') {
			i = comment_add(src, i, line_start, line, &v, &n, &cap) - 1;
		}
	}
	*out = v;
	return n;
}

static bool is_word(const struct ir_value *v)
{
	if (v->len == 0)
		return false;
	for (size_t i = 0; i < v->len; i++)
		if (!is_tchar((unsigned char)v->text[i]) || v->text[i] == '#')
			return false;
	return true;
}

/* A value in the policy language: origins always quoted (but '*'), others as written. */
static void dsl_value(struct strbuf *sb, enum stmt_kind k, const struct ir_value *v)
{
	bool star = v->len == 1 && v->text[0] == '*';
	/* header and method words lose needless quotes; a quoted boolean stays quoted */
	bool quote = stmt_info(k)->value == SV_ORIGIN ? !star
		   : !is_word(v) || (v->quoted && !stmt_is_list(k));
	if (!quote) {
		sb_add(sb, v->text, v->len);
		return;
	}
	sb_putc(sb, '"');
	for (size_t i = 0; i < v->len; i++) {
		if (v->text[i] == '"' || v->text[i] == '\\')
			sb_putc(sb, '\\');
		sb_putc(sb, v->text[i]);
	}
	sb_putc(sb, '"');
}

struct cursor {
	const struct source *src;
	const struct comment *c;
	size_t nc, next;
};

static void put_comment(struct strbuf *sb, const struct cursor *cur, const struct comment *c)
{
	sb_add(sb, cur->src->text + c->offset, c->len);
}

/* Whether the line after line `line` (1-based) is blank and starts before offset. */
static bool blank_after(const struct source *src, unsigned line, size_t offset)
{
	if (line >= src->nlines)
		return false;
	size_t len, start = src->lines[line];
	const char *t = source_line(src, line + 1, &len);
	if (start >= offset)
		return false;
	for (size_t i = 0; i < len; i++)
		if (t[i] != ' ' && t[i] != '\t' && t[i] != '\r')
			return false;
	return true;
}

/*
 * Emit, each on its own line at indent, the comments that start before
 * offset.  A blank line of the source between two comments, or at the top
 * level between the last of them and the policy that follows, is kept (one,
 * however many there were).
 */
static void flush_comments(struct strbuf *sb, struct cursor *cur, size_t offset, int indent)
{
	const struct comment *prev = NULL;
	while (cur->next < cur->nc && cur->c[cur->next].offset < offset) {
		const struct comment *c = &cur->c[cur->next++];
		if (prev && blank_after(cur->src, prev->line, c->offset))
			sb_putc(sb, '\n');
		sb_repeat(sb, ' ', (size_t)indent);
		put_comment(sb, cur, c);
		sb_putc(sb, '\n');
		prev = c;
	}
	if (prev && indent == 0 && offset < cur->src->len && blank_after(cur->src, prev->line, offset))
		sb_putc(sb, '\n');
}

/* A comment on the same line as (and after) offset, taken as a trailing comment. */
static const struct comment *trailing(struct cursor *cur, unsigned line)
{
	if (cur->next < cur->nc && !cur->c[cur->next].own_line && cur->c[cur->next].line == line)
		return &cur->c[cur->next++];
	return NULL;
}

/* The trailing comment of line `line`, if any, after a space. */
static void put_trailing(struct strbuf *sb, struct cursor *cur, unsigned line)
{
	const struct comment *tc = trailing(cur, line);
	if (tc) {
		sb_putc(sb, ' ');
		put_comment(sb, cur, tc);
	}
}

static size_t stmt_end(const struct ir_stmt *s)
{
	const struct ir_value *last = &s->values[s->nvalues - 1];
	return last->span.offset + last->span.len;
}

static unsigned stmt_end_line(const struct ir_stmt *s)
{
	return s->values[s->nvalues - 1].span.line;
}

/* The statements of p that have values, in source order; returns how many. */
static size_t source_order(const struct ir_policy *p, const struct ir_stmt **order,
			   enum stmt_kind *kinds)
{
	size_t n = 0;
	for (int k = 0; k < ST__COUNT; k++) {
		const struct ir_stmt *s = &p->stmt[k];
		if (!s->present || s->nvalues == 0)
			continue;
		size_t j = n++;
		while (j > 0 && order[j - 1]->key_span.offset > s->key_span.offset) {
			order[j] = order[j - 1];
			kinds[j] = kinds[j - 1];
			j--;
		}
		order[j] = s;
		kinds[j] = (enum stmt_kind)k;
	}
	return n;
}

enum comment_place { IN_POLICY, ON_CLOSE, AFTER_POLICY };

/*
 * Where a comment after the last statement of p belongs.  In the policy
 * language: inside p before its '}', on the line of the '}' ("} # end"), or
 * after it (then before whatever follows).  In YAML, where a policy ends
 * where the indentation does: inside p unless it stands on its own line no
 * further right than p's name.
 */
static enum comment_place comment_place(const struct ir_file *f, const struct ir_policy *p,
					const struct comment *cc)
{
	if (f->yaml) {
		unsigned line, col;
		source_linecol(f->src, cc->offset, &line, &col);
		return cc->own_line && col <= p->name_span.col ? AFTER_POLICY : IN_POLICY;
	}
	const char *t = f->src->text;
	size_t k = cc->offset;
	bool same_line = true;
	while (k > p->span.offset) {
		k--;
		if (t[k] == '\n')
			same_line = false;
		if (t[k] == '}')
			return same_line && !cc->own_line ? ON_CLOSE : AFTER_POLICY;
		if (t[k] == ';' || t[k] == '{' || t[k] == '"')
			break;
	}
	return IN_POLICY;
}

void write_dsl(const struct ir_file *f, const struct comment *c, size_t nc, struct strbuf *sb)
{
	struct cursor cur = { f->src, c, nc, 0 };

	for (size_t i = 0; i < f->npolicies; i++) {
		const struct ir_policy *p = f->policies[i];
		if (i > 0)
			sb_putc(sb, '\n');
		flush_comments(sb, &cur, p->span.offset, 0);
		sb_printf(sb, "policy %s {", p->name);
		put_trailing(sb, &cur, p->span.line);
		sb_putc(sb, '\n');
		const struct comment *tc;

		/* statements in source order */
		const struct ir_stmt *order[ST__COUNT];
		enum stmt_kind kinds[ST__COUNT];
		size_t n = source_order(p, order, kinds);
		for (size_t j = 0; j < n; j++) {
			const struct ir_stmt *s = order[j];
			const char *kw = stmt_keyword(kinds[j]);
			flush_comments(sb, &cur, s->key_span.offset, 4);

			/* one line, unless too long or a comment sits among the values */
			bool inner = cur.next < cur.nc && cur.c[cur.next].offset < stmt_end(s);
			size_t width = 4 + strlen(kw) + 2;
			for (size_t v = 0; v < s->nvalues; v++)
				width += s->values[v].len + 4;
			if (!inner && width <= 80) {
				sb_printf(sb, "    %s ", kw);
				for (size_t v = 0; v < s->nvalues; v++) {
					if (v)
						sb_puts(sb, ", ");
					dsl_value(sb, kinds[j], &s->values[v]);
				}
				sb_putc(sb, ';');
				put_trailing(sb, &cur, stmt_end_line(s));
				sb_putc(sb, '\n');
				continue;
			}
			sb_printf(sb, "    %s", kw);
			tc = trailing(&cur, s->key_span.line);
			bool first_on_kw_line = s->values[0].span.line == s->key_span.line || !tc;
			if (tc && !first_on_kw_line) {
				sb_putc(sb, ' ');
				put_comment(sb, &cur, tc);
			}
			for (size_t v = 0; v < s->nvalues; v++) {
				const struct ir_value *val = &s->values[v];
				if (v == 0 && first_on_kw_line) {
					sb_putc(sb, ' ');
				} else {
					sb_putc(sb, '\n');
					flush_comments(sb, &cur, val->span.offset, 8);
					sb_repeat(sb, ' ', 8);
				}
				dsl_value(sb, kinds[j], val);
				sb_puts(sb, v + 1 < s->nvalues ? "," : ";");
				if (tc && v == 0 && first_on_kw_line) {
					sb_putc(sb, ' ');
					put_comment(sb, &cur, tc);
					tc = NULL;
				}
				put_trailing(sb, &cur, val->span.line);
			}
			sb_putc(sb, '\n');
		}
		/* comments before the closing brace stay inside the policy */
		size_t close = i + 1 < f->npolicies ? f->policies[i + 1]->span.offset : f->src->len;
		tc = NULL;
		while (cur.next < cur.nc && cur.c[cur.next].offset < close) {
			/* a comment after this policy's '}' belongs before the next policy,
			   unless it is on the brace's own line: "} # end of api" */
			enum comment_place where = comment_place(f, p, &cur.c[cur.next]);
			if (where == ON_CLOSE)
				tc = &cur.c[cur.next++];
			if (where != IN_POLICY)
				break;
			sb_puts(sb, "    ");
			put_comment(sb, &cur, &cur.c[cur.next++]);
			sb_putc(sb, '\n');
		}
		sb_putc(sb, '}');
		if (tc) {
			sb_putc(sb, ' ');
			put_comment(sb, &cur, tc);
		}
		sb_putc(sb, '\n');
	}
	if (cur.next < cur.nc && f->npolicies)
		sb_putc(sb, '\n');
	flush_comments(sb, &cur, (size_t)-1, 0);
}

void keep_line_ends(const struct source *src, struct strbuf *sb)
{
	const char *nl = memchr(src->text, '\n', src->len);
	if (!nl || nl == src->text || nl[-1] != '\r' || sb->failed)
		return;
	struct strbuf out = STRBUF_INIT;
	const char *t = sb_str(sb);
	for (size_t i = 0; i < sb->len; i++) {
		if (t[i] == '\n')
			sb_putc(&out, '\r');
		sb_putc(&out, t[i]);
	}
	sb_release(sb);
	*sb = out;
}

/* ---- YAML ---- */

static bool yaml_plain_ok(const struct ir_value *v, bool special_ok)
{
	if (v->len == 0)
		return false;
	for (size_t i = 0; i < v->len; i++) {
		unsigned char ch = (unsigned char)v->text[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
		if (!ok)
			return false;
	}
	if (special_ok)
		return v->text[0] != '-' && v->text[0] != '.';
	/* words YAML would read as something else */
	static const char *const special[] = { "true", "false", "yes", "no", "on", "off",
					       "null", "y", "n", "~" };
	for (size_t i = 0; i < ARRAY_SIZE(special); i++)
		if (ascii_strcasecmp(v->text, special[i]) == 0)
			return false;
	return v->text[0] != '-' && v->text[0] != '.';
}

/* plain: 0 never, 1 when safe, 2 when safe even if YAML reads it as a boolean */
static void yaml_scalar(struct strbuf *sb, const struct ir_value *v, int plain)
{
	if (plain && !v->quoted && yaml_plain_ok(v, plain == 2)) {
		sb_add(sb, v->text, v->len);
		return;
	}
	sb_putc(sb, '"');
	for (size_t i = 0; i < v->len; i++) {
		unsigned char ch = (unsigned char)v->text[i];
		if (ch == '"' || ch == '\\')
			sb_printf(sb, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			sb_printf(sb, "\\x%02x", ch);
		else
			sb_putc(sb, (char)ch);
	}
	sb_putc(sb, '"');
}

/* One YAML value of statement k (a boolean or duration as written, quoted if it was). */
static void yaml_value(struct strbuf *sb, enum stmt_kind k, const struct ir_value *v)
{
	yaml_scalar(sb, v, !stmt_is_list(k) ? 2 : stmt_info(k)->value != SV_ORIGIN);
}

/*
 * The same policies in YAML, comments kept where the source had them: before
 * a policy, a statement or a list entry on lines of their own, or at the end
 * of the line they ended.  A list is written [a, b] when it fits in 80
 * columns and no comment sits among its values, else one entry a line.
 */
void write_yaml(const struct ir_file *f, const struct comment *c, size_t nc, struct strbuf *sb)
{
	struct cursor cur = { f->src, c, nc, 0 };
	if (f->npolicies) {
		/* the file's opening comments go above "policies:"; in a YAML source
		   only those not indented under it */
		size_t upto = f->policies[0]->span.offset;
		for (size_t k = 0; f->yaml && k < nc; k++) {
			unsigned line, col;
			source_linecol(f->src, c[k].offset, &line, &col);
			if (col > 1) {
				upto = c[k].offset < upto ? c[k].offset : upto;
				break;
			}
		}
		flush_comments(sb, &cur, upto, 0);
	}
	sb_puts(sb, "policies:\n");
	if (f->npolicies == 0)
		sb_puts(sb, "  {}\n");
	for (size_t i = 0; i < f->npolicies; i++) {
		const struct ir_policy *p = f->policies[i];
		flush_comments(sb, &cur, p->span.offset, 2);
		sb_printf(sb, "  %s:", p->name);
		put_trailing(sb, &cur, p->span.line);
		sb_putc(sb, '\n');
		const struct comment *tc;

		const struct ir_stmt *order[ST__COUNT];
		enum stmt_kind kinds[ST__COUNT];
		size_t n = source_order(p, order, kinds);
		for (size_t j = 0; j < n; j++) {
			const struct ir_stmt *s = order[j];
			enum stmt_kind k = kinds[j];
			flush_comments(sb, &cur, s->key_span.offset, 4);
			sb_printf(sb, "    %s:", stmt_yaml_key(k));
			bool inner = cur.next < cur.nc && cur.c[cur.next].offset < stmt_end(s);
			size_t width = 4 + strlen(stmt_yaml_key(k)) + 4;
			for (size_t v = 0; v < s->nvalues; v++)
				width += s->values[v].len + 4;
			if (!stmt_is_list(k) || (s->nvalues == 1 && s->values[0].len == 1 &&
						 s->values[0].text[0] == '*' && !inner)) {
				sb_putc(sb, ' ');
				if (stmt_is_list(k))
					sb_puts(sb, "\"*\"");
				else
					yaml_value(sb, k, &s->values[0]);
			} else if (!inner && width <= 80) {
				sb_puts(sb, " [");
				for (size_t v = 0; v < s->nvalues; v++) {
					if (v)
						sb_puts(sb, ", ");
					yaml_value(sb, k, &s->values[v]);
				}
				sb_putc(sb, ']');
			} else {
				/* one entry a line; a comment on the keyword's line stays there */
				if (s->values[0].span.line != s->key_span.line &&
				    (tc = trailing(&cur, s->key_span.line))) {
					sb_putc(sb, ' ');
					put_comment(sb, &cur, tc);
				}
				for (size_t v = 0; v < s->nvalues; v++) {
					const struct ir_value *val = &s->values[v];
					sb_putc(sb, '\n');
					flush_comments(sb, &cur, val->span.offset, 6);
					sb_puts(sb, "      - ");
					yaml_value(sb, k, val);
					if (v + 1 < s->nvalues && (tc = trailing(&cur, val->span.line))) {
						sb_putc(sb, ' ');
						put_comment(sb, &cur, tc);
					}
				}
			}
			put_trailing(sb, &cur, stmt_end_line(s));
			sb_putc(sb, '\n');
		}
		/* the comments after the last statement that belong to this policy */
		size_t next = i + 1 < f->npolicies ? f->policies[i + 1]->span.offset : f->src->len;
		while (cur.next < cur.nc && cur.c[cur.next].offset < next &&
		       comment_place(f, p, &cur.c[cur.next]) != AFTER_POLICY) {
			sb_puts(sb, "    ");
			put_comment(sb, &cur, &cur.c[cur.next++]);
			sb_putc(sb, '\n');
		}
	}
	flush_comments(sb, &cur, (size_t)-1, 0);
}

size_t find_comments(const struct ir_file *f, struct comment **out)
{
	return f->yaml ? yaml_find_comments(f->src, out) : dsl_find_comments(f->src, out);
}
