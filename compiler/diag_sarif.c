/*
 * diag_sarif.c - the diagnostics of a run as one SARIF 2.1.0 log, the format
 * GitHub code scanning and other CI dashboards read: the rule catalogue as
 * the tool's rules, one result per diagnostic with its regions, related
 * locations and fix-it.
 */
#include "diag.h"
#include "rules.h"
#include "strbuf.h"
#include "util.h"

#include <string.h>

/* A file name as a relative URI reference: unreserved bytes and '/' as they are. */
static void put_uri(struct strbuf *sb, const char *name)
{
	struct strbuf u = STRBUF_INIT;
	if (name[0] == '/')
		sb_puts(&u, "file://");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || c == '/')
			sb_putc(&u, (char)c);
		else
			sb_printf(&u, "%%%02X", c);
	}
	json_quote(sb, u.buf ? u.buf : "", u.len);
	if (u.failed)
		sb->failed = true;
	sb_release(&u);
}

/* Message text, with '[', ']' and '\\' escaped when the message holds links. */
static void put_message_text(struct strbuf *m, const char *s, bool escape)
{
	for (; *s; s++) {
		if (escape && (*s == '[' || *s == ']' || *s == '\\'))
			sb_putc(m, '\\');
		sb_putc(m, *s);
	}
}

static void put_text(struct strbuf *sb, const char *s)
{
	json_quote(sb, s, strlen(s));
}

/* "physicalLocation": the file and the region of a span. */
static void put_physical(struct strbuf *sb, const struct span *s)
{
	unsigned el, ec;
	diag_span_end(s, &el, &ec);
	sb_puts(sb, "\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
	put_uri(sb, s->src->name);
	sb_printf(sb, "},\"region\":{\"startLine\":%u,\"startColumn\":%u,"
		  "\"endLine\":%u,\"endColumn\":%u}}", s->line, s->col, el, ec);
}

/* The help of a rule: what `corsc explain CODE` prints, in plain text or Markdown. */
static void put_help(struct strbuf *sb, const struct rule *r, bool markdown)
{
	struct strbuf h = STRBUF_INIT;
	const char *fence = markdown ? "```\n" : "";
	sb_printf(&h, "%s\n\n", r->summary);
	if (r->explanation)
		sb_printf(&h, "%s\n%s\n\n", markdown ? "**Why**" : "Why:", r->explanation);
	if (r->example)
		sb_printf(&h, "%s\n%s%s\n%s\n", markdown ? "**Example**" : "Example:", fence,
			  r->example, fence);
	if (r->fix)
		sb_printf(&h, "%s\n%s\n", markdown ? "**Fix**" : "Fix:", r->fix);
	while (h.len > 0 && h.buf[h.len - 1] == '\n')
		h.buf[--h.len] = '\0';
	json_quote(sb, h.buf ? h.buf : "", h.len);
	if (h.failed)
		sb->failed = true;
	sb_release(&h);
}

static void put_rules(struct strbuf *sb)
{
	sb_puts(sb, "\"rules\":[");
	for (size_t i = 0; i < nrules; i++) {
		const struct rule *r = &rules[i];
		sb_puts(sb, i ? ",\n{" : "\n{");
		sb_puts(sb, "\"id\":");
		put_text(sb, r->code);
		sb_puts(sb, ",\"shortDescription\":{\"text\":");
		put_text(sb, r->summary);
		sb_puts(sb, "},\"fullDescription\":{\"text\":");
		put_text(sb, r->explanation ? r->explanation : r->summary);
		sb_puts(sb, "},\"help\":{\"text\":");
		put_help(sb, r, false);
		sb_puts(sb, ",\"markdown\":");
		put_help(sb, r, true);
		sb_printf(sb, "},\"defaultConfiguration\":{\"level\":\"%s\"}",
			  r->severity == SEV_ERROR ? "error" : "warning");
		sb_puts(sb, ",\"properties\":{\"tags\":[\"cors\"");
		sb_puts(sb, r->severity == SEV_ERROR ? ",\"correctness\"" : "");
		sb_puts(sb, "]}}");
	}
	sb_puts(sb, "\n]");
}

/* The region an edit replaces: empty (end = start) for an insertion. */
static void put_deleted_region(struct strbuf *sb, const struct span *s)
{
	unsigned el = s->line, ec = s->col;
	if (s->len > 0)
		source_linecol(s->src, s->offset + s->len, &el, &ec);
	sb_printf(sb, "\"deletedRegion\":{\"startLine\":%u,\"startColumn\":%u,"
		  "\"endLine\":%u,\"endColumn\":%u}", s->line, s->col, el, ec);
}

/* The fix-it of d as one SARIF fix: its edits grouped by file, in order. */
static void put_fix(struct strbuf *sb, const struct diag *d)
{
	sb_puts(sb, ",\"fixes\":[{\"description\":{\"text\":");
	put_text(sb, d->note ? d->note : d->message);
	sb_puts(sb, "},\"artifactChanges\":[");
	bool first_change = true;
	for (size_t i = 0; i < d->nfix; i++) {
		const struct source *src = d->fix[i].span.src;
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = d->fix[k].span.src == src;
		if (seen || !src)
			continue;
		sb_puts(sb, first_change ? "{" : ",{");
		first_change = false;
		sb_puts(sb, "\"artifactLocation\":{\"uri\":");
		put_uri(sb, src->name);
		sb_puts(sb, "},\"replacements\":[");
		bool first = true;
		for (size_t j = i; j < d->nfix; j++) {
			if (d->fix[j].span.src != src)
				continue;
			sb_puts(sb, first ? "{" : ",{");
			first = false;
			put_deleted_region(sb, &d->fix[j].span);
			sb_puts(sb, ",\"insertedContent\":{\"text\":");
			put_text(sb, d->fix[j].text);
			sb_puts(sb, "}}");
		}
		sb_puts(sb, "]}");
	}
	sb_puts(sb, "]}]");
}

static void put_result(struct strbuf *sb, const struct diag_queue *q, const struct diag *d)
{
	const struct rule *r = rule_find(d->code);
	sb_puts(sb, "{\"ruleId\":");
	put_text(sb, d->code);
	if (r)
		sb_printf(sb, ",\"ruleIndex\":%zu", (size_t)(r - rules));
	sb_printf(sb, ",\"level\":\"%s\"", diag_is_error(q, d) ? "error" : "warning");

	/*
	 * The message, then the note on a line of its own, then a link to each
	 * related location ("[text](id)", SARIF 3.11.6: code scanning shows the
	 * related locations a message links to).  Where there are links, a
	 * literal '[' or ']' is escaped with '\\'.
	 */
	struct strbuf m = STRBUF_INIT;
	size_t links = 0;
	for (size_t j = 0; j < d->nrelated; j++)
		links += d->related[j].span.src != NULL;
	put_message_text(&m, d->message, links > 0);
	if (d->note) {
		sb_puts(&m, "\nnote: ");
		put_message_text(&m, d->note, links > 0);
	}
	for (size_t j = 0; j < d->nrelated; j++) {
		if (!d->related[j].span.src)
			continue;
		sb_puts(&m, "\n[");
		put_message_text(&m, d->related[j].message, true);
		sb_printf(&m, "](%zu)", j + 1);
	}
	sb_puts(sb, ",\"message\":{\"text\":");
	json_quote(sb, m.buf ? m.buf : "", m.len);
	if (m.failed)
		sb->failed = true;
	sb_release(&m);
	sb_putc(sb, '}');

	if (d->span.src) {
		sb_puts(sb, ",\"locations\":[{");
		put_physical(sb, &d->span);
		sb_puts(sb, "}]");
	}
	bool any = false;
	for (size_t j = 0; j < d->nrelated; j++) {
		const struct diag_related *rl = &d->related[j];
		if (!rl->span.src)
			continue;
		sb_puts(sb, any ? ",{" : ",\"relatedLocations\":[{");
		any = true;
		sb_printf(sb, "\"id\":%zu,", j + 1);
		put_physical(sb, &rl->span);
		sb_puts(sb, ",\"message\":{\"text\":");
		put_text(sb, rl->message);
		sb_puts(sb, "}}");
	}
	if (any)
		sb_putc(sb, ']');
	size_t placed = 0;
	for (size_t j = 0; j < d->nfix; j++)
		placed += d->fix[j].span.src != NULL;
	if (placed)
		put_fix(sb, d);
	sb_putc(sb, '}');
}

void diag_render_sarif(const struct diag_queue *q, struct strbuf *sb)
{
	sb_puts(sb, "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
		"\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{"
		"\"name\":\"corsc\",\"version\":\"" CORSC_VERSION "\","
		"\"semanticVersion\":\"" CORSC_VERSION "\",");
	put_rules(sb);
	sb_puts(sb, "}},\"columnKind\":\"unicodeCodePoints\",\"results\":[");
	for (size_t i = 0; i < q->n; i++) {
		sb_puts(sb, i ? ",\n" : "\n");
		put_result(sb, q, &q->v[i]);
	}
	sb_puts(sb, q->n ? "\n]}]}\n" : "]}]}\n");
}
