/*
 * yaml_reader.c - the YAML front end (SPEC section 2): libyaml's event API
 * driven by an explicit, bounded stack, building the raw IR with the shared
 * constructors of ir.h.  Structure only: scalars pass through as text.
 */
#include "frontend.h"
#include "ir.h"
#include "strbuf.h"
#include "util.h"
#include "writer.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

/* The schema needs 4 levels (document, policies, policy, list). */
#define YAML_MAX_DEPTH 16

enum frame_kind {
	FR_TOP,       /* the document mapping: "policies" */
	FR_POLICIES,  /* policy name -> policy */
	FR_POLICY,    /* statement key -> value */
	FR_LIST,      /* the values of a list statement */
	FR_SKIP,      /* a collection already reported, read to its end */
};

struct frame {
	enum frame_kind kind;
	bool want_value;         /* mappings: the next node is a value, not a key */
	bool skip_value;         /* ... and it is skipped (its key was refused) */
	bool merge_value;        /* ... after a merge key '<<': its alias is not reported again */
	size_t start;            /* byte offset of the collection's start */
	struct span key_span;    /* mappings: the key of the value that comes next */
	/* FR_POLICIES: the name of the policy that comes next */
	const char *name;
	size_t name_len;
	bool name_ok;
	/* FR_POLICY: the policy; FR_POLICY and FR_LIST: the statement being read */
	struct ir_policy *policy;
	struct ir_stmt *stmt;
	enum stmt_kind sk;
	/* FR_LIST: entries so far */
	size_t nitems;
};

struct reader {
	struct ir_file *f;
	const struct source *src;
	struct diag_queue *dq;
	struct frame stack[YAML_MAX_DEPTH];
	size_t depth;
	size_t ndocs;
	struct span extra_doc;      /* the start of the second document, if any */
	bool have_policies;
	struct span policies_span;
	struct ir_policy *policy;   /* the policy being read: errors damage it */
	struct ir_stmt *open_stmt;  /* the statement whose value is being read */
	bool stmt_bad;              /* ... and an error was found in it: drop it */
	bool stop;
	/* libyaml marks count characters: a cursor maps them to byte offsets */
	size_t cur_index, cur_offset;
	size_t ascii_end;           /* text[0, ascii_end) is ASCII: there a character is a byte */
};

enum node_type { NODE_SCALAR, NODE_SEQ, NODE_MAP, NODE_ALIAS };

static const char *const node_names[] = {
	[NODE_SCALAR] = "a scalar",
	[NODE_SEQ] = "a list",
	[NODE_MAP] = "a mapping",
	[NODE_ALIAS] = "an alias",
};

/* ---- positions ---- */

/* Byte offset of the character with libyaml index idx (walks from the last one). */
/* The length of the ASCII start of t[0, len): eight bytes a step. */
static size_t ascii_prefix(const char *t, size_t len)
{
	size_t i = 0;
	for (uint64_t w; i + 8 <= len; i += 8) {
		memcpy(&w, t + i, 8);
		if (w & 0x8080808080808080ull)
			break;
	}
	while (i < len && (unsigned char)t[i] < 0x80)
		i++;
	return i;
}

static size_t offset_of(struct reader *r, size_t idx)
{
	const unsigned char *t = (const unsigned char *)r->src->text;
	size_t len = r->src->len;
	if (idx <= r->ascii_end) {
		/* what the walk below finds there, without walking */
		r->cur_index = r->cur_offset = idx;
		return idx;
	}
	while (r->cur_index < idx && r->cur_offset < len) {
		r->cur_offset++;
		while (r->cur_offset < len && (t[r->cur_offset] & 0xC0) == 0x80)
			r->cur_offset++;
		r->cur_index++;
	}
	while (r->cur_index > idx && r->cur_offset > 0) {
		r->cur_offset--;
		while (r->cur_offset > 0 && (t[r->cur_offset] & 0xC0) == 0x80)
			r->cur_offset--;
		r->cur_index--;
	}
	if (r->cur_index < idx)         /* past the end of the text */
		return len;
	return r->cur_offset;
}

/* The span from offset start to end, cut at the end of its first line. */
static struct span span_bytes(struct reader *r, size_t start, size_t end)
{
	size_t len = end > start ? end - start : 0;
	const char *nl = len ? memchr(r->src->text + start, '\n', len) : NULL;
	if (nl)
		len = (size_t)(nl - (r->src->text + start));
	if (len && r->src->text[start + len - 1] == '\r')
		len--;
	return span_at(r->src, start, len ? len : 1);
}

static struct span span_marks(struct reader *r, yaml_mark_t a, yaml_mark_t b)
{
	size_t start = offset_of(r, a.index);
	return span_bytes(r, start, offset_of(r, b.index));
}

static struct span span_event(struct reader *r, const yaml_event_t *ev)
{
	return span_marks(r, ev->start_mark, ev->end_mark);
}

/* ---- diagnostics ---- */

__attribute__((format(printf, 5, 6)))
static void report(struct reader *r, const char *code, struct span span,
		   const char *note, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (!diag_emitv(r->dq, code, span, note, fmt, ap))
		r->stop = true;
	va_end(ap);
	if (r->policy)
		r->policy->damaged = true;
	if (r->open_stmt)
		r->stmt_bad = true;
}

/*
 * A statement with an error in its value is left out of the IR, as the
 * policy language front end does, so that the validator does not report
 * it again as empty or missing (the policy is marked damaged).
 */
static void close_stmt(struct reader *r)
{
	struct ir_stmt *s = r->open_stmt;
	if (s && r->stmt_bad) {
		s->present = false;
		s->values = NULL;
		s->nvalues = 0;
		s->cap = 0;     /* a later statement of the same kind starts afresh */
	}
	r->open_stmt = NULL;
	r->stmt_bad = false;
}

/* At most 64 bytes of a key or name, for a message. */
static int shown(size_t len)
{
	return (int)(len > 64 ? 64 : len);
}

/* ---- the stack ---- */

static struct frame *top(struct reader *r)
{
	return r->depth ? &r->stack[r->depth - 1] : NULL;
}

static struct frame *push(struct reader *r, enum frame_kind kind, const yaml_event_t *ev)
{
	if (r->depth == YAML_MAX_DEPTH) {
		report(r, "E001", span_event(r, ev),
		       "a policy file needs 4 levels: policies, a policy, a statement, a list",
		       "nesting deeper than %d levels", YAML_MAX_DEPTH);
		r->stop = true;
		return NULL;
	}
	struct frame *fr = &r->stack[r->depth++];
	memset(fr, 0, sizeof(*fr));
	fr->kind = kind;
	fr->start = offset_of(r, ev->start_mark.index);
	return fr;
}

static void skip_node(struct reader *r, enum node_type t, const yaml_event_t *ev)
{
	if (t == NODE_SEQ || t == NODE_MAP)
		push(r, FR_SKIP, ev);
}

/* A node ended (a scalar or alias, or a collection at its end event). */
static void node_done(struct reader *r)
{
	struct frame *fr = top(r);
	if (!fr || fr->kind == FR_LIST || fr->kind == FR_SKIP)
		return;
	if (!fr->want_value) {
		fr->want_value = true;
		return;
	}
	if (fr->kind == FR_POLICY)
		close_stmt(r);
	fr->want_value = false;
	fr->skip_value = false;
	fr->merge_value = false;
	fr->stmt = NULL;
}

static void alias_error(struct reader *r, const yaml_event_t *ev)
{
	report(r, "E001", span_event(r, ev),
	       "anchors and aliases could make a small file expand enormously; write the values out",
	       "YAML aliases are not allowed in a policy file");
}

/* An explicit tag (!!binary, !!str, !custom) would change what a node means;
 * the reader only knows plain YAML, so it refuses every tag. */
static void tag_check(struct reader *r, const yaml_event_t *ev, const yaml_char_t *tag)
{
	if (tag)
		report(r, "E001", span_event(r, ev), "remove the tag: values are read as plain text",
		       "YAML tag '%.40s' is not allowed in a policy file", (const char *)tag);
}

/* A key that is not a scalar: refuse it and skip its value. */
static void bad_key(struct reader *r, struct frame *fr, enum node_type t,
		    const yaml_event_t *ev)
{
	fr->skip_value = true;
	if (t == NODE_ALIAS) {
		alias_error(r, ev);
		return;
	}
	report(r, "E001", span_event(r, ev), NULL, "a key must be a scalar, not %s",
	       node_names[t]);
	skip_node(r, t, ev);
}

/* A null of YAML 1.2's core schema (and of JSON, and of YAML 1.1 readers such
 * as the JSON Schema's): empty, ~, null, Null or NULL, plain.  Read as text,
 * `methods: ~` would be a method named '~' (a token): a null is no value. */
static bool is_null(const yaml_event_t *ev)
{
	static const char *const words[] = { "~", "null", "Null", "NULL" };
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	if (ev->data.scalar.length == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strcmp((const char *)ev->data.scalar.value, words[i]) == 0)
			return true;
	return false;
}

static const char *scalar_text(const yaml_event_t *ev)
{
	return (const char *)ev->data.scalar.value;
}

/* The merge key of YAML 1.1 ("<<: *base"), which libyaml passes as a plain "<<". */
static bool is_merge_key(enum node_type t, const yaml_event_t *ev)
{
	return t == NODE_SCALAR && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       ev->data.scalar.length == 2 && memcmp(ev->data.scalar.value, "<<", 2) == 0;
}

/* ---- one handler per place in the schema ---- */

static void on_root(struct reader *r, enum node_type t, const yaml_event_t *ev)
{
	const char *note = "a policy file is a mapping with one key, 'policies'";
	if (r->ndocs > 1) {
		/* An empty document after the first, as a trailing '---' makes: nothing
		   to read.  Anything else would be a second set of policies. */
		if (t == NODE_SCALAR && is_null(ev))
			return;
		report(r, "E001", r->extra_doc, "put all policies under one 'policies' key",
		       "a policy file holds one YAML document, found a second");
		r->stop = true;
		return;
	}
	switch (t) {
	case NODE_MAP:
		push(r, FR_TOP, ev);
		return;
	case NODE_SCALAR:
		if (is_null(ev))    /* an empty document: no policy */
			return;
		break;
	case NODE_ALIAS:
		alias_error(r, ev);
		return;
	case NODE_SEQ:
		break;
	}
	report(r, "E001", span_event(r, ev), note, "the document is %s, not a mapping",
	       node_names[t]);
	skip_node(r, t, ev);
}

static void on_top_key(struct reader *r, struct frame *fr, enum node_type t,
		       const yaml_event_t *ev)
{
	if (t != NODE_SCALAR) {
		bad_key(r, fr, t, ev);
		return;
	}
	struct span sp = span_event(r, ev);
	const char *k = scalar_text(ev);
	size_t len = ev->data.scalar.length;
	fr->key_span = sp;
	if (len == 8 && memcmp(k, "policies", 8) == 0) {
		if (r->have_policies) {
			char note[96];
			snprintf(note, sizeof(note), "'policies' was first given at line %u",
				 r->policies_span.line);
			report(r, "E001", sp, note, "duplicate key 'policies'");
			fr->skip_value = true;
			return;
		}
		r->have_policies = true;
		r->policies_span = sp;
		return;
	}
	report(r, "E002", sp, stmt_lookup_yaml(k, len) >= 0 ?
	       "statements belong to a policy: policies: NAME: STATEMENT: VALUE" :
	       "a policy file has one top-level key, 'policies'",
	       "unknown key '%.*s'", shown(len), k);
	fr->skip_value = true;
}

static void on_policies(struct reader *r, enum node_type t, const yaml_event_t *ev,
			struct span key_span)
{
	const char *note = "'policies' maps each policy name to its statements";
	switch (t) {
	case NODE_MAP:
		push(r, FR_POLICIES, ev);
		return;
	case NODE_ALIAS:
		alias_error(r, ev);
		return;
	case NODE_SCALAR:
		if (is_null(ev)) {
			report(r, "E001", key_span, "give it at least one policy, e.g. "
			       "policies: {api: {origins: \"https://app.example.com\"}}",
			       "'policies' has no value");
			return;
		}
		break;
	case NODE_SEQ:
		break;
	}
	report(r, "E001", span_event(r, ev), note, "'policies' takes a mapping, not %s",
	       node_names[t]);
	skip_node(r, t, ev);
}

static void on_policy_name(struct reader *r, struct frame *fr, enum node_type t,
			   const yaml_event_t *ev)
{
	if (t != NODE_SCALAR) {
		bad_key(r, fr, t, ev);
		return;
	}
	struct span sp = span_event(r, ev);
	fr->key_span = sp;
	fr->name_len = ev->data.scalar.length;
	fr->name = arena_strndup(r->f->arena, scalar_text(ev), fr->name_len);
	fr->name_ok = ir_name_check(fr->name, fr->name_len, sp, r->dq);
	if (diag_capped(r->dq))
		r->stop = true;
}

/* The note on a policy that is no mapping: the statements of the table. */
static const char *body_note(char *buf, size_t size)
{
	char names[200];
	snprintf(buf, size, "a policy maps statements (%s) to values",
		 stmt_keyword_list(names, sizeof(names), ", "));
	return buf;
}

static void on_policy_body(struct reader *r, struct frame *fr, enum node_type t,
			   const yaml_event_t *ev)
{
	char note[256];
	int n = shown(fr->name_len);
	switch (t) {
	case NODE_MAP: {
		struct ir_policy *p;
		if (fr->name_ok) {
			p = ir_policy_add(r->f, fr->name, fr->name_len, fr->key_span, fr->key_span);
		} else {
			/* read a refused policy all the same, for its errors, outside the IR */
			p = arena_alloc(r->f->arena, sizeof(*p));
			p->name = fr->name;
			p->name_span = p->span = fr->key_span;
			p->damaged = true;
		}
		struct frame *pf = push(r, FR_POLICY, ev);
		if (pf) {
			pf->policy = p;
			r->policy = p;
		}
		return;
	}
	case NODE_ALIAS:
		alias_error(r, ev);
		return;
	case NODE_SCALAR:
		if (is_null(ev)) {
			report(r, "E001", fr->key_span, body_note(note, sizeof(note)),
			       "policy '%.*s' has no value",
			       n, fr->name);
			return;
		}
		break;
	case NODE_SEQ:
		break;
	}
	report(r, "E001", span_event(r, ev), body_note(note, sizeof(note)),
	       "policy '%.*s' takes a mapping, not %s",
	       n, fr->name, node_names[t]);
	skip_node(r, t, ev);
}

static void on_stmt_key(struct reader *r, struct frame *fr, enum node_type t,
			const yaml_event_t *ev)
{
	if (t != NODE_SCALAR) {
		bad_key(r, fr, t, ev);
		return;
	}
	struct span sp = span_event(r, ev);
	fr->key_span = sp;
	fr->stmt = ir_stmt_begin(r->f, fr->policy, scalar_text(ev), ev->data.scalar.length,
				 sp, r->dq);
	if (!fr->stmt) {
		fr->skip_value = true;
		fr->policy->damaged = true;
		if (diag_capped(r->dq))
			r->stop = true;
		return;
	}
	fr->sk = (enum stmt_kind)(fr->stmt - fr->policy->stmt);
	r->open_stmt = fr->stmt;
	r->stmt_bad = false;
}

/*
 * The booleans of YAML 1.2's core schema, which YAML editors and the JSON
 * Schema accept: true, True, TRUE, false, False, FALSE (plain, not quoted).
 * Anything else (yes, on, "true") is left for the validator to refuse.
 */
static const char *yaml_bool(const yaml_event_t *ev)
{
	static const char *const spellings[][2] = {
		{ "True", "true" }, { "TRUE", "true" }, { "False", "false" }, { "FALSE", "false" },
	};
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(spellings); i++)
		if (strcmp(scalar_text(ev), spellings[i][0]) == 0)
			return spellings[i][1];
	return NULL;
}

static void add_scalar(struct reader *r, struct ir_stmt *s, enum stmt_kind k,
		       const yaml_event_t *ev)
{
	yaml_scalar_style_t style = ev->data.scalar.style;
	bool quoted = style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		      style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	const char *text = scalar_text(ev), *b;
	size_t len = ev->data.scalar.length;
	if (stmt_info(k)->value == SV_BOOL && (b = yaml_bool(ev))) {
		text = b;
		len = strlen(b);
	}
	ir_stmt_add_value(r->f, s, text, len, quoted, span_event(r, ev));
}

static void on_stmt_value(struct reader *r, struct frame *fr, enum node_type t,
			  const yaml_event_t *ev)
{
	const char *key = stmt_yaml_key(fr->sk);
	bool list = stmt_is_list(fr->sk);
	switch (t) {
	case NODE_SCALAR:
		if (is_null(ev))
			report(r, "E001", fr->key_span,
			       fr->sk == ST_ORIGINS && ev->data.scalar.length
				       ? "the opaque origin is written quoted: \"null\"" : NULL,
			       "'%s' has no value", key);
		else
			add_scalar(r, fr->stmt, fr->sk, ev);
		return;
	case NODE_ALIAS:
		alias_error(r, ev);
		return;
	case NODE_SEQ:
		if (list) {
			struct frame *lf = push(r, FR_LIST, ev);
			if (lf) {
				lf->stmt = fr->stmt;
				lf->sk = fr->sk;
			}
			return;
		}
		report(r, "E033", span_event(r, ev), NULL, "'%s' takes %s, not a list",
		       key, stmt_info(fr->sk)->takes);
		break;
	case NODE_MAP:
		if (list)
			report(r, "E001", span_event(r, ev), NULL,
			       "'%s' takes a value or a list of values, not a mapping", key);
		else
			report(r, "E033", span_event(r, ev), NULL, "'%s' takes %s, not a mapping",
			       key, stmt_info(fr->sk)->takes);
		break;
	}
	skip_node(r, t, ev);
}

static void on_list_item(struct reader *r, struct frame *fr, enum node_type t,
			 const yaml_event_t *ev)
{
	const char *key = stmt_yaml_key(fr->sk);
	fr->nitems++;
	switch (t) {
	case NODE_SCALAR:
		if (is_null(ev) && ev->data.scalar.length == 0)
			report(r, "E001", span_event(r, ev), NULL, "empty entry in '%s'", key);
		else if (is_null(ev))
			report(r, "E001", span_event(r, ev),
			       fr->sk == ST_ORIGINS ? "the opaque origin is written quoted: \"null\""
						    : "remove it, or quote it if it is meant as text",
			       "YAML null '%s' in '%s'", scalar_text(ev), key);
		else
			add_scalar(r, fr->stmt, fr->sk, ev);
		return;
	case NODE_ALIAS:
		alias_error(r, ev);
		return;
	case NODE_SEQ:
	case NODE_MAP:
		report(r, "E001", span_event(r, ev), NULL, "'%s' takes a list of values, found %s",
		       key, t == NODE_SEQ ? "a nested list" : "a mapping");
		skip_node(r, t, ev);
		return;
	}
}

/* A node event (scalar, alias, start of a collection): dispatch by place. */
static void on_node(struct reader *r, enum node_type t, const yaml_event_t *ev)
{
	struct frame *fr = top(r);
	if (!fr) {
		on_root(r, t, ev);
	} else if (fr->kind == FR_SKIP || (fr->want_value && fr->skip_value)) {
		if (t == NODE_ALIAS && !(fr->want_value && fr->merge_value))
			alias_error(r, ev);
		skip_node(r, t, ev);
	} else if (fr->kind != FR_LIST && !fr->want_value && is_merge_key(t, ev)) {
		report(r, "E002", span_event(r, ev), "write the keys out where they belong "
		       "(anchors and aliases are refused too)",
		       "YAML merge keys ('<<') are not supported");
		fr->skip_value = fr->merge_value = true;
		if (fr->kind == FR_POLICY)
			fr->policy->damaged = true;   /* no E005 for the origins it would have merged */
	} else if (fr->kind == FR_LIST) {
		on_list_item(r, fr, t, ev);
	} else if (!fr->want_value) {
		if (fr->kind == FR_TOP)
			on_top_key(r, fr, t, ev);
		else if (fr->kind == FR_POLICIES)
			on_policy_name(r, fr, t, ev);
		else
			on_stmt_key(r, fr, t, ev);
	} else {
		if (fr->kind == FR_TOP)
			on_policies(r, t, ev, fr->key_span);
		else if (fr->kind == FR_POLICIES)
			on_policy_body(r, fr, t, ev);
		else
			on_stmt_value(r, fr, t, ev);
	}
	if (t == NODE_SCALAR || t == NODE_ALIAS)
		node_done(r);
}

static void on_end(struct reader *r, const yaml_event_t *ev)
{
	struct frame *fr = top(r);
	if (!fr)
		return;
	if (fr->kind == FR_LIST && fr->nitems == 0) {
		size_t end = offset_of(r, ev->end_mark.index);
		report(r, "E001", span_bytes(r, fr->start, end),
		       stmt_info(fr->sk)->value == SV_ORIGIN
		       ? "give at least one origin, or \"*\" for any: every policy needs origins"
		       : "give at least one value, or leave the statement out",
		       "empty list for '%s'", stmt_yaml_key(fr->sk));
	}
	if (fr->kind == FR_POLICY)
		r->policy = NULL;
	r->depth--;
	node_done(r);
}

static void on_event(struct reader *r, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++r->ndocs == 2)
			r->extra_doc = span_event(r, ev);   /* judged by its first node */
		break;
	case YAML_SCALAR_EVENT:
		tag_check(r, ev, ev->data.scalar.tag);
		on_node(r, NODE_SCALAR, ev);
		break;
	case YAML_ALIAS_EVENT:
		on_node(r, NODE_ALIAS, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		tag_check(r, ev, ev->data.sequence_start.tag);
		on_node(r, NODE_SEQ, ev);
		break;
	case YAML_MAPPING_START_EVENT:
		tag_check(r, ev, ev->data.mapping_start.tag);
		on_node(r, NODE_MAP, ev);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		on_end(r, ev);
		break;
	default:
		break;
	}
}

/* ---- syntax errors ---- */

/* "while parsing a block mapping" -> "the block mapping" */
static void context_note(char *buf, size_t n, const char *ctx, struct span at)
{
	const char *what = ctx;
	const char *prefixes[] = { "while parsing ", "while scanning " };
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (strncmp(what, prefixes[i], strlen(prefixes[i])) == 0)
			what += strlen(prefixes[i]);
	if (strncmp(what, "a ", 2) == 0)
		what += 2;
	else if (strncmp(what, "an ", 3) == 0)
		what += 3;
	snprintf(buf, n, "the %s began at line %u, column %u", what, at.line, at.col);
}

/* The note for a bare '*' (or "*.example.com"), which YAML reads as an alias. */
static void alias_note(struct reader *r, char *buf, size_t n, size_t at)
{
	const char *t = r->src->text;
	size_t end = at;
	while (end < r->src->len && end - at < 64 && !strchr(" \t\r\n,[]{}#", t[end]) && t[end])
		end++;
	struct frame *fr = top(r);
	if (fr && fr->kind == FR_POLICY && fr->want_value && fr->stmt)
		snprintf(buf, n, "quote it: %s: \"%.*s\"", stmt_yaml_key(fr->sk),
			 (int)(end - at), t + at);
	else
		snprintf(buf, n, "quote it: \"%.*s\"", (int)(end - at), t + at);
}

static void syntax_error(struct reader *r, const yaml_parser_t *p)
{
	char msg[256], note[192];
	const char *problem = p->problem ? p->problem : "malformed YAML";
	const char *nt = NULL;
	struct span sp;

	if (p->error == YAML_MEMORY_ERROR)
		die_oom();
	if (p->error == YAML_READER_ERROR) {
		/* reader errors carry a byte offset, not a mark */
		const unsigned char *t = (const unsigned char *)r->src->text;
		size_t off = p->problem_offset < r->src->len ? p->problem_offset : r->src->len;
		if (strstr(problem, "UTF-8")) {
			/* libyaml points at the bad trailing byte: show the sequence from its start */
			size_t start = off, last = off;
			if (strstr(problem, "trailing")) {
				while (start > 0 && off - start < 3 && (t[start - 1] & 0xC0) == 0x80)
					start--;
				if (start > 0 && off - start < 3 && t[start - 1] >= 0xC0)
					start--;
				else
					start = off;
			} else if (strstr(problem, "incomplete")) {
				last = r->src->len - 1;
			}
			struct strbuf bytes = STRBUF_INIT;
			for (size_t i = start; i <= last && i < r->src->len; i++)
				sb_printf(&bytes, " 0x%02X", t[i]);
			snprintf(msg, sizeof(msg), "%s (%s%s)", problem,
				 start < last ? "bytes" : "byte", bytes.len ? bytes.buf : " at the end");
			sb_release(&bytes);
			off = start;
		} else if (p->problem_value >= 0)
			snprintf(msg, sizeof(msg), "%s (U+%04X)", problem, (unsigned)p->problem_value);
		else
			snprintf(msg, sizeof(msg), "%s", problem);
		sp = span_at(r->src, off, 1);
		nt = "a policy file is UTF-8 text without control characters";
	} else {
		size_t poff = offset_of(r, p->problem_mark.index);
		size_t coff = offset_of(r, p->context_mark.index);
		sp = span_at(r->src, poff, 1);
		if (p->context)
			snprintf(msg, sizeof(msg), "%s %s", problem, p->context);
		else
			snprintf(msg, sizeof(msg), "%s", problem);
		if (p->context && strcmp(p->context, "while scanning an alias") == 0 &&
		    coff < r->src->len && r->src->text[coff] == '*') {
			/* origins: *  -- the classic mistake */
			sp = span_at(r->src, coff, 1);
			alias_note(r, note, sizeof(note), coff);
			nt = note;
		} else if (poff < r->src->len && r->src->text[poff] == '\t') {
			nt = "YAML indents with spaces; tabs are not allowed";
		} else if (p->context && coff != poff) {
			context_note(note, sizeof(note), p->context, span_at(r->src, coff, 1));
			nt = note;
		}
	}
	msg[0] = (char)ascii_tolower((unsigned char)msg[0]);
	report(r, "E001", sp, nt, "%s", msg);
}

void yaml_parse(struct ir_file *f, struct diag_queue *dq)
{
	struct reader r = { .f = f, .src = f->src, .dq = dq };
	r.ascii_end = ascii_prefix(f->src->text, f->src->len);
	yaml_parser_t parser;

	f->yaml = true;         /* ir_stmt_begin reads YAML keys */

	if (!yaml_parser_initialize(&parser))
		die_oom();
	/* UTF-8 only: a UTF-16 byte-order mark is then an encoding error */
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&parser, (const unsigned char *)f->src->text, f->src->len);
	while (!r.stop) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(&r, &parser);
			break;
		}
		bool last = ev.type == YAML_STREAM_END_EVENT;
		on_event(&r, &ev);
		yaml_event_delete(&ev);
		if (last)
			break;
	}
	close_stmt(&r);    /* a statement cut short by an error */
	yaml_parser_delete(&parser);
}

/* ---- comments (corsc convert keeps them) ---- */

/*
 * libyaml reports no comments, but its scanner gives every scalar's place: a
 * '#' outside every scalar, at the start of a line or after a blank, starts
 * a comment that runs to the end of the line.
 */
size_t yaml_find_comments(const struct source *src, struct comment **out)
{
	size_t *range = NULL, nr = 0, rcap = 0;   /* pairs [start, end) of scalars */
	yaml_parser_t parser;
	yaml_token_t tok;
	*out = NULL;
	if (!yaml_parser_initialize(&parser))
		die_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)src->text, src->len);
	for (;;) {
		if (!yaml_parser_scan(&parser, &tok))
			break;            /* the reader has reported it; keep what was found */
		yaml_token_type_t type = tok.type;
		if (type == YAML_SCALAR_TOKEN) {
			xgrow(&range, &rcap, nr + 2, sizeof(*range));
			range[nr++] = source_offset(src, (unsigned)tok.start_mark.line + 1,
						    (unsigned)tok.start_mark.column + 1);
			range[nr++] = source_offset(src, (unsigned)tok.end_mark.line + 1,
						    (unsigned)tok.end_mark.column + 1);
		}
		yaml_token_delete(&tok);
		if (type == YAML_STREAM_END_TOKEN)
			break;
	}
	yaml_parser_delete(&parser);

	struct comment *v = NULL;
	size_t n = 0, cap = 0, r = 0, line_start = 0;
	unsigned line = 1;
	const char *t = src->text;
	for (size_t i = 0; i < src->len; i++) {
		while (r < nr && range[r + 1] <= i)
			r += 2;
		if (r < nr && range[r] <= i) {           /* inside a scalar */
			if (t[i] == '\n') {
				line++;
				line_start = i + 1;
			}
			continue;
		}
		if (t[i] == '\n') {
			line++;
			line_start = i + 1;
		} else if (t[i] == '#' && (i == line_start || t[i - 1] == ' ' || t[i - 1] == '\t')) {
			i = comment_add(src, i, line_start, line, &v, &n, &cap) - 1;
		}
	}
	free(range);
	*out = v;
	return n;
}
