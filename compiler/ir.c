/*
 * ir.c - constructors of the raw IR, shared by both front ends so that the
 * same policy gives the same IR (and the same E002/E003) from either.
 */
#include "ir.h"
#include "strbuf.h"

#include <stdio.h>
#include <string.h>

struct ir_file *ir_file_new(const struct source *src)
{
	struct arena *a = arena_new();
	struct ir_file *f = arena_alloc(a, sizeof(*f));
	f->arena = a;
	f->src = src;
	return f;
}

void ir_file_free(struct ir_file *f)
{
	if (f)
		arena_free(f->arena);
}

struct ir_policy *ir_policy_add(struct ir_file *f, const char *name, size_t len,
				struct span name_span, struct span span)
{
	struct ir_policy *p = arena_alloc(f->arena, sizeof(*p));
	p->name = arena_strndup(f->arena, name, len);
	p->name_span = name_span;
	p->span = span;
	if (f->npolicies == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct ir_policy **v = arena_alloc(f->arena, cap * sizeof(*v));
		if (f->npolicies)
			memcpy(v, f->policies, f->npolicies * sizeof(*v));
		f->policies = v;
		f->cap = cap;
	}
	f->policies[f->npolicies++] = p;
	return p;
}

struct ir_stmt *ir_stmt_begin(struct ir_file *f, struct ir_policy *p,
			      const char *key, size_t keylen, struct span key_span,
			      struct diag_queue *dq)
{
	/* the YAML reader gives YAML keys, the parser keywords */
	int k = f->yaml ? stmt_lookup_yaml(key, keylen) : stmt_lookup(key, keylen);
	if (k < 0) {
		char note[256], names[200];
		snprintf(note, sizeof(note), "a policy takes %s",
			 stmt_keyword_list(names, sizeof(names), " and "));
		diag_emit(dq, "E002", key_span, note, "unknown statement '%.*s'",
			  (int)(keylen > 64 ? 64 : keylen), key);
		return NULL;
	}
	struct ir_stmt *s = &p->stmt[k];
	const char *kw = f->yaml ? stmt_yaml_key((enum stmt_kind)k) : stmt_keyword((enum stmt_kind)k);
	if (s->present) {
		char note[128];
		snprintf(note, sizeof(note), "'%s' was first given at line %u; "
			 "each statement may appear once per policy",
			 kw, s->key_span.line);
		diag_emit(dq, "E003", key_span, note, "'%s' repeated in policy '%s'",
			  kw, p->name);
		diag_add_related(dq, s->key_span, "'%s' is first given here", kw);
		return NULL;
	}
	s->present = true;
	s->key_span = key_span;
	return s;
}

void ir_stmt_reserve(struct ir_file *f, struct ir_stmt *s, size_t n)
{
	if (n <= s->cap - s->nvalues)
		return;
	size_t cap = s->nvalues + n;
	struct ir_value *v;
	if (cap < 1024) {
		v = arena_alloc(f->arena, cap * sizeof(*v));
		if (s->nvalues)
			memcpy(v, s->values, s->nvalues * sizeof(*v));
	} else {
		/* a long list (thousands of origins): resized in place, no copies left behind */
		v = arena_grow(f->arena, s->values, s->nvalues * sizeof(*v), cap * sizeof(*v));
	}
	s->values = v;
	s->cap = cap;
}

void ir_stmt_take_value(struct ir_file *f, struct ir_stmt *s, const char *text,
			size_t len, bool quoted, struct span span)
{
	/* arena arrays grow by doubling (old ones stay in the arena) */
	if (s->nvalues == s->cap)
		ir_stmt_reserve(f, s, s->cap ? s->cap : 1);
	struct ir_value *v = &s->values[s->nvalues++];
	v->text = text;
	v->len = len;
	v->quoted = quoted;
	v->span = span;
}

void ir_stmt_add_value(struct ir_file *f, struct ir_stmt *s, const char *text,
		       size_t len, bool quoted, struct span span)
{
	ir_stmt_take_value(f, s, arena_strndup(f->arena, text, len), len, quoted, span);
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* SPEC 5: nginx/cors-http.conf and apache/cors-server.conf hold the
 * server-level state; a policy's file must never take their place. */
static const char *const reserved_names[] = { "http", "server" };

enum name_problem policy_name_problem(const char *name, size_t len, size_t *at)
{
	if (len == 0)
		return NAME_EMPTY;
	if (!is_alpha((unsigned char)name[0]))
		return NAME_FIRST;
	for (size_t i = 1; i < len; i++) {
		int c = (unsigned char)name[i];
		if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_') {
			if (at)
				*at = i;
			return NAME_CHAR;
		}
	}
	if (len > 64)
		return NAME_LONG;
	for (size_t i = 0; i < ARRAY_SIZE(reserved_names); i++)
		if (len == strlen(reserved_names[i]) &&
		    ascii_strncasecmp(name, reserved_names[i], len) == 0)
			return NAME_RESERVED;
	return NAME_OK;
}

bool policy_name_ok(const char *name)
{
	return policy_name_problem(name, strlen(name), NULL) == NAME_OK;
}

bool ir_name_check(const char *name, size_t len, struct span span, struct diag_queue *dq)
{
	const char *note = "a policy name is a letter, then letters, digits, '-' or '_', "
			   "at most 64 characters";
	int shown = (int)(len > 64 ? 64 : len);
	size_t at = 0;
	switch (policy_name_problem(name, len, &at)) {
	case NAME_OK:
		return true;
	case NAME_EMPTY:
		diag_emit(dq, "E001", span, note, "empty policy name");
		break;
	case NAME_FIRST:
		diag_emit(dq, "E001", span, note, "policy name '%.*s' does not start with a letter",
			  shown, name);
		break;
	case NAME_CHAR: {
		int c = (unsigned char)name[at];
		diag_emit(dq, "E001", span, note, "policy name '%.*s' contains '%c'",
			  shown, name, c >= 0x20 && c < 0x7f ? c : '?');
		break;
	}
	case NAME_LONG:
		diag_emit(dq, "E001", span, note, "policy name is %zu characters long, at most 64 are allowed",
			  len);
		break;
	case NAME_RESERVED:
		diag_emit(dq, "E001", span, "cors-http.conf (nginx) and cors-server.conf (apache) "
			  "hold server-level state: rename the policy",
			  "policy name '%.*s' is reserved", (int)len, name);
		break;
	}
	return false;
}

const char *const cors_response_headers[CORS_NHEADERS] = {
	"Access-Control-Allow-Origin",
	"Access-Control-Allow-Credentials",
	"Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers",
	"Access-Control-Max-Age",
	"Access-Control-Allow-Private-Network",
	"Access-Control-Expose-Headers",
};

char *name_list_value(const struct name_list *l)
{
	struct strbuf sb = STRBUF_INIT;
	if (l->any)
		sb_putc(&sb, '*');
	for (size_t i = 0; i < l->n; i++) {
		if (l->any && strcmp(l->names[i], "*") == 0)
			continue;
		if (sb.len)
			sb_puts(&sb, ", ");
		sb_puts(&sb, l->names[i]);
	}
	if (sb.failed)
		die_oom();
	char *s = sb_detach(&sb, NULL);
	return s ? s : xstrdup("");
}
