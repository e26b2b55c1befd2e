/*
 * json.c - the canonical JSON dump of the resolved policies
 * (DIR/json/policies.json).  It names no input file and no source position,
 * so the same policy from either front end gives the same bytes.
 */
#include "backend.h"
#include "diag.h"

#include <string.h>

static void put_str(struct strbuf *sb, const char *s)
{
	json_quote(sb, s, strlen(s));
}

static void put_list(struct strbuf *sb, const char *key, const struct name_list *l)
{
	sb_printf(sb, ",\n      \"%s\": ", key);
	if (!l->set) {
		sb_puts(sb, "null");
		return;
	}
	sb_putc(sb, '[');
	size_t k = 0;
	if (l->any) {
		sb_puts(sb, "\"*\"");
		k++;
	}
	for (size_t i = 0; i < l->n; i++, k++) {
		sb_puts(sb, k ? ", " : "");
		put_str(sb, l->names[i]);
	}
	sb_putc(sb, ']');
}

bool emit_json(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;

	sb_puts(&sb, "{\n  \"generated-by\": \"corsc " CORSC_VERSION
		" (do not edit; the normalized policies)\",\n  \"policies\": [");
	for (size_t i = 0; i < ctx->npolicies; i++) {
		const struct policy *p = &ctx->policies[i];
		sb_puts(&sb, i ? ",\n    {\n" : "\n    {\n");
		sb_puts(&sb, "      \"name\": ");
		put_str(&sb, p->name);
		sb_puts(&sb, ",\n      \"origins\": [");
		if (p->any_origin)
			sb_puts(&sb, "\"*\"");
		for (size_t j = 0; j < p->norigins; j++) {
			sb_puts(&sb, j ? ", " : "");
			put_str(&sb, p->origins[j].text);
		}
		sb_putc(&sb, ']');
		put_list(&sb, "methods", &p->methods);
		put_list(&sb, "allow-headers", &p->allow_headers);
		put_list(&sb, "expose-headers", &p->expose_headers);
		sb_printf(&sb, ",\n      \"credentials\": %s", p->credentials ? "true" : "false");
		if (p->max_age_set)
			sb_printf(&sb, ",\n      \"max-age\": %lu", p->max_age);
		else
			sb_puts(&sb, ",\n      \"max-age\": null");
		sb_printf(&sb, ",\n      \"private-network\": %s\n    }",
			  p->private_network ? "true" : "false");
	}
	sb_puts(&sb, ctx->npolicies ? "\n  ]\n}\n" : "]\n}\n");
	if (!out_set_add(out, "json/policies.json", &sb)) {
		sb_puts(err, "out of memory");
		return false;
	}
	return true;
}
