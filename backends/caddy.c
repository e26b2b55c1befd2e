/*
 * caddy.c - the Caddy 2.6 backend: caddy/cors.caddy, one snippet
 * (cors-NAME) per policy, each a `route` of header directives and a
 * `respond` for preflights, answering as SPEC section 6 says.
 */
#include "backend.h"
#include "caddy.h"

#include <stdlib.h>
#include <string.h>

/* ---- Caddyfile tokens ---- */

/*
 * Bytes that make a token need quotes; '#' '@' '{' '}' only at its start.
 * A backslash is literal in a bare token; a literal still gets quotes for
 * it, to stay clear of escapes, but a regex needs it bare.
 */
static bool needs_quotes(const char *s, size_t len, enum caddy_token_kind kind)
{
	if (len == 0 || strchr("#@{}", s[0]))
		return true;
	for (size_t i = 0; i < len; i++)
		if (s[i] == ' ' || s[i] == '"' || s[i] == '`' ||
		    (s[i] == '\\' && kind == CADDY_LITERAL))
			return true;
	return false;
}

bool caddy_token(struct strbuf *sb, const char *s, size_t len, enum caddy_token_kind kind)
{
	bool dquote = false, backslash = false, backtick = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e)
			return false;
		if ((c == '{' || c == '}') && kind == CADDY_LITERAL)
			return false;
		if (c == '{' && i + 1 < len && s[i + 1] == '$')
			return false;
		dquote |= c == '"';
		backslash |= c == '\\';
		backtick |= c == '`';
	}
	if (!needs_quotes(s, len, kind)) {
		sb_add(sb, s, len);
		return true;
	}
	/* Inside "...", a backslash escapes the next byte; inside `...`, nothing does. */
	char q;
	if (!dquote && !backslash)
		q = '"';
	else if (!backtick)
		q = '`';
	else
		return false;
	sb_putc(sb, q);
	sb_add(sb, s, len);
	sb_putc(sb, q);
	return true;
}

/* ---- origin patterns as anchored RE2 ---- */

#define LABEL "[a-z0-9_-]{1,63}"

static void regex_literal(struct strbuf *sb, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (strchr("\\.+*?()|[]{}^$", s[i]))
			sb_putc(sb, '\\');
		sb_putc(sb, s[i]);
	}
}

static bool has_prefix(const char *s, size_t len, const char *pre)
{
	size_t n = strlen(pre);
	return len >= n && memcmp(s, pre, n) == 0;
}

/*
 * One alternative of the origin regex, from the canonical text and the
 * pattern's wildcard fields ("**.eu.example.com" after the scheme,
 * "localhost:*").  False if the text does not have the shape the
 * fields describe.
 */
static bool origin_regex(struct strbuf *sb, const struct origin *o)
{
	const char *t = o->text;
	size_t len = strlen(t);

	if (o->kind != ORIGIN_PATTERN) {
		regex_literal(sb, t, len);
		return true;
	}
	const char *sep = strstr(t, "://");
	if (!sep)
		return false;
	size_t head = (size_t)(sep - t) + 3;
	regex_literal(sb, t, head);
	t += head;
	len -= head;
	if (o->wild == WILD_ONE) {
		if (!has_prefix(t, len, "*."))
			return false;
		sb_puts(sb, LABEL "\\.");
		t += 2;
		len -= 2;
	} else if (o->wild == WILD_MULTI) {
		if (!has_prefix(t, len, "**."))
			return false;
		sb_puts(sb, "(?:" LABEL "\\.)+");
		t += 3;
		len -= 3;
	}
	bool any_port = o->port_any;
	if (any_port) {
		if (len < 2 || memcmp(t + len - 2, ":*", 2) != 0)
			return false;
		len -= 2;
	}
	if (len == 0 || memchr(t, '*', len))
		return false;
	regex_literal(sb, t, len);
	if (any_port)
		sb_puts(sb, "(?::[0-9]{1,5})?");
	return true;
}

/*
 * Exact origins as one trie-shaped alternation: common prefixes factored
 * out, so Go's regexp follows one branch per character instead of trying
 * thousands of alternatives.  v[lo..hi) is sorted and free of duplicates;
 * depth characters of each are already written.
 */
static void trie_regex(struct strbuf *sb, const char *const *v, size_t lo, size_t hi, size_t depth)
{
	bool opt = false;
	if (lo < hi && v[lo][depth] == '\0') {      /* one string ends here */
		opt = true;
		lo++;
	}
	if (lo == hi)
		return;
	size_t groups = 0;
	for (size_t i = lo; i < hi; groups++) {
		size_t j = i + 1;
		while (j < hi && v[j][depth] == v[i][depth])
			j++;
		i = j;
	}
	bool paren = opt || groups > 1;
	if (paren)
		sb_puts(sb, "(?:");
	for (size_t i = lo, g = 0; i < hi; g++) {
		size_t j = i + 1;
		while (j < hi && v[j][depth] == v[i][depth])
			j++;
		/* the group's common prefix: sorted, so that of its first and last */
		size_t lcp = depth + 1;
		while (v[i][lcp] != '\0' && v[i][lcp] == v[j - 1][lcp])
			lcp++;
		if (g)
			sb_putc(sb, '|');
		regex_literal(sb, v[i] + depth, lcp - depth);
		trie_regex(sb, v, i, j, lcp);
		i = j;
	}
	if (paren)
		sb_puts(sb, opt ? ")?" : ")");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ^(?:EXACT-TRIE|pattern|pattern)$ over all origins of p. */
static bool policy_regex(struct strbuf *re, const struct policy *p, struct strbuf *err)
{
	const char **exact = xmalloc((p->norigins ? p->norigins : 1) * sizeof(*exact));
	size_t nexact = 0;
	for (size_t i = 0; i < p->norigins; i++)
		if (p->origins[i].kind != ORIGIN_PATTERN)
			exact[nexact++] = p->origins[i].text;
	qsort(exact, nexact, sizeof(*exact), cmp_str);
	size_t n = 0;                      /* drop duplicates (the validator already did) */
	for (size_t i = 0; i < nexact; i++)
		if (n == 0 || strcmp(exact[n - 1], exact[i]) != 0)
			exact[n++] = exact[i];

	sb_puts(re, "^(?:");
	bool first = true;
	if (n) {
		trie_regex(re, exact, 0, n, 0);
		first = false;
	}
	free(exact);
	for (size_t i = 0; i < p->norigins; i++) {
		if (p->origins[i].kind != ORIGIN_PATTERN)
			continue;
		if (!first)
			sb_putc(re, '|');
		first = false;
		if (!origin_regex(re, &p->origins[i])) {
			sb_printf(err, "policy \"%s\": origin pattern \"%s\" has an unexpected form",
				  p->name, p->origins[i].text);
			return false;
		}
	}
	sb_puts(re, ")$");
	return true;
}

/* ---- the snippet ---- */

struct emitter {
	struct strbuf *sb;
	struct strbuf *err;
	const struct policy *p;
	const char *re;        /* the origin regex; NULL for origins * */
};

static void indent(struct strbuf *sb, int depth)
{
	sb_repeat(sb, '\t', (size_t)depth);
}

/* A literal token, or an error naming what could not be written. */
static bool put_token(struct emitter *e, const char *s, const char *what)
{
	if (caddy_token(e->sb, s, strlen(s), CADDY_LITERAL))
		return true;
	sb_printf(e->err, "policy \"%s\": %s cannot be written safely in a Caddyfile", e->p->name,
		  what);
	return false;
}

/* The list of a name_list joined by ", " ("*" first), as one token. */
static bool put_list(struct emitter *e, const struct name_list *l, const char *what)
{
	struct strbuf v = STRBUF_INIT;
	bool ok = true;

	if (l->any)
		sb_putc(&v, '*');
	for (size_t i = 0; i < l->n; i++) {
		const char *n = l->names[i];
		bool token = n[0] != '\0';
		for (const char *c = n; *c; c++)
			token &= is_tchar((unsigned char)*c);
		if (!token) {
			sb_printf(e->err, "policy \"%s\": %s entry is not an RFC 9110 token",
				  e->p->name, what);
			ok = false;
			break;
		}
		if (v.len)
			sb_puts(&v, ", ");
		sb_puts(&v, n);
	}
	if (ok && v.failed) {
		sb_puts(e->err, "out of memory");
		ok = false;
	}
	ok = ok && put_token(e, sb_str(&v), what);
	sb_release(&v);
	return ok;
}

/*
 * The origin test on its own line: allowed reads the variable that the
 * route's first handler sets when the origin regex matched (so the regex
 * runs once per request, however many matchers need it); otherwise the
 * non-empty test.
 */
static void put_origin_test(struct emitter *e, int depth, bool allowed)
{
	indent(e->sb, depth);
	if (allowed && e->re)
		sb_printf(e->sb, "vars cors-%s-allowed 1\n", e->p->name);
	else
		sb_puts(e->sb, "header_regexp Origin .\n");
}

static void put_acrm_test(struct emitter *e, int depth)
{
	indent(e->sb, depth);
	sb_puts(e->sb, "header_regexp Access-Control-Request-Method .\n");
}

/* Open "@cors-NAME.SUFFIX {". */
static void open_matcher(struct emitter *e, const char *suffix)
{
	sb_printf(e->sb, "\t\t@cors-%s.%s {\n", e->p->name, suffix);
}

static void put_matchers(struct emitter *e)
{
	struct strbuf *sb = e->sb;

	if (e->re) {
		/* the one place the origin regex runs */
		open_matcher(e, "origin");
		sb_puts(sb, "\t\t\theader_regexp Origin ");
		sb_puts(sb, e->re);      /* bare and safe: checked in put_policy */
		sb_puts(sb, "\n\t\t}\n");
	}

	/* every preflight, answered here whatever the origin */
	open_matcher(e, "preflight");
	sb_puts(sb, "\t\t\tmethod OPTIONS\n");
	put_origin_test(e, 3, false);
	put_acrm_test(e, 3);
	sb_puts(sb, "\t\t}\n");

	if (e->re) {
		open_matcher(e, "preflight-allowed");
		sb_puts(sb, "\t\t\tmethod OPTIONS\n");
		put_origin_test(e, 3, true);
		put_acrm_test(e, 3);
		sb_puts(sb, "\t\t}\n");
	}

	/* every other request from an allowed origin (any request for origins *) */
	open_matcher(e, "actual");
	if (e->re)
		put_origin_test(e, 3, true);
	sb_puts(sb, "\t\t\tnot {\n\t\t\t\tmethod OPTIONS\n");
	if (!e->re)
		put_origin_test(e, 4, false);
	put_acrm_test(e, 4);
	sb_puts(sb, "\t\t\t}\n\t\t}\n");

	if (e->p->private_network) {
		open_matcher(e, "private-network");
		sb_puts(sb, "\t\t\tmethod OPTIONS\n");
		put_origin_test(e, 3, true);
		put_acrm_test(e, 3);
		sb_puts(sb, "\t\t\theader Access-Control-Request-Private-Network true\n\t\t}\n");
	}
}

static void put_field(struct emitter *e, const char *name)
{
	sb_printf(e->sb, "\t\t\t%s ", name);
}

/* ACAO and ACAC, the same on preflights and other requests. */
static void put_origin_fields(struct emitter *e)
{
	put_field(e, "Access-Control-Allow-Origin");
	sb_puts(e->sb, e->re ? "{http.request.header.Origin}\n" : "*\n");
	if (e->p->credentials) {
		put_field(e, "Access-Control-Allow-Credentials");
		sb_puts(e->sb, "true\n");
	}
}

/* The three header blocks; deferred ones end with "defer". */
static bool put_header_blocks(struct emitter *e, bool deferred)
{
	const struct policy *p = e->p;
	const char *end = deferred ? "\t\t\tdefer\n\t\t}\n" : "\t\t}\n";

	sb_printf(e->sb, "\t\theader @cors-%s.%s {\n", p->name,
		  e->re ? "preflight-allowed" : "preflight");
	put_origin_fields(e);
	if (p->methods.set) {
		put_field(e, "Access-Control-Allow-Methods");
		if (!put_list(e, &p->methods, "a method"))
			return false;
		sb_putc(e->sb, '\n');
	}
	if (p->allow_headers.set) {
		put_field(e, "Access-Control-Allow-Headers");
		if (!put_list(e, &p->allow_headers, "an allow-headers"))
			return false;
		sb_putc(e->sb, '\n');
	}
	if (p->max_age_set) {
		put_field(e, "Access-Control-Max-Age");
		sb_printf(e->sb, "%lu\n", p->max_age);
	}
	sb_puts(e->sb, end);

	if (p->private_network) {
		sb_printf(e->sb, "\t\theader @cors-%s.private-network {\n", p->name);
		put_field(e, "Access-Control-Allow-Private-Network");
		sb_puts(e->sb, "true\n");
		sb_puts(e->sb, end);
	}

	sb_printf(e->sb, "\t\theader @cors-%s.actual {\n", p->name);
	put_origin_fields(e);
	if (p->expose_headers.set) {
		put_field(e, "Access-Control-Expose-Headers");
		if (!put_list(e, &p->expose_headers, "an expose-headers"))
			return false;
		sb_putc(e->sb, '\n');
	}
	sb_puts(e->sb, end);
	return true;
}

static bool valid_name(const char *name)
{
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
		return false;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			return false;
	return true;
}

static bool put_policy(struct strbuf *sb, const struct policy *p, struct strbuf *err)
{
	struct strbuf re = STRBUF_INIT;
	struct emitter e = { sb, err, p, NULL };
	bool ok = false;

	if (!valid_name(p->name)) {
		sb_puts(err, "a policy name is not a letter followed by letters, digits, '-' or '_'");
		return false;
	}
	if (!p->any_origin) {
		if (p->norigins == 0) {
			sb_printf(err, "policy \"%s\" has no origins", p->name);
			return false;
		}
		if (!policy_regex(&re, p, err))
			goto out;
		if (re.failed) {
			sb_puts(err, "out of memory");
			goto out;
		}
		struct strbuf check = STRBUF_INIT;
		bool safe = caddy_token(&check, sb_str(&re), re.len, CADDY_REGEX) &&
			    check.len == re.len;    /* bare: a token exactly as built */
		sb_release(&check);
		if (!safe) {
			sb_printf(err, "policy \"%s\": an origin cannot be written safely in a Caddyfile",
				  p->name);
			goto out;
		}
		e.re = sb_str(&re);
	}

	sb_printf(sb, "\n# Policy \"%s\", origins ", p->name);
	if (p->any_origin)
		sb_putc(sb, '*');
	for (size_t i = 0; i < p->norigins; i++)
		sb_printf(sb, "%s%s", i ? ", " : "", p->origins[i].text);
	sb_printf(sb, ".\n(cors-%s) {\n\troute {\n", p->name);
	put_matchers(&e);
	if (e.re)
		sb_printf(sb, "\t\tvars @cors-%s.origin cors-%s-allowed 1\n", p->name, p->name);
	sb_puts(sb, "\t\t# Set at once, for the error responses Caddy writes itself (they skip\n"
		    "\t\t# deferred operations).\n");
	if (!put_header_blocks(&e, false))
		goto out;
	if (e.re)
		sb_puts(sb, "\t\theader +Vary Origin\n");
	sb_puts(sb, "\t\t# When the response is written, after the application's headers:\n"
		    "\t\t# deferred operations run last to first, so its Access-Control-*\n"
		    "\t\t# headers are deleted first, then the policy's set again.\n");
	if (!put_header_blocks(&e, true))
		goto out;
	sb_puts(sb, "\t\theader -Access-Control-*\n");
	sb_printf(sb, "\t\trespond @cors-%s.preflight 204\n\t}\n}\n", p->name);
	ok = true;
out:
	sb_release(&re);
	return ok;
}

/* The input file name in a comment: printable ASCII, the rest as \xNN. */
static void put_comment_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c > 0x7e || c == '\\')
			sb_printf(sb, "\\x%02x", c);
		else
			sb_putc(sb, (char)c);
	}
}

bool emit_caddy(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;

	sb_puts(&sb, "# Generated by corsc " CORSC_VERSION " from ");
	put_comment_text(&sb, ctx->input ? ctx->input : "-");
	sb_puts(&sb, ". Do not edit.\n"
		"#\n"
		"# Import this file once at the top of the Caddyfile (import PATH/cors.caddy),\n"
		"# then write \"import cors-NAME\" inside the site, handle or route block that\n"
		"# serves the policy's resources. Each snippet is a route: in a site block it\n"
		"# runs after the handle blocks, so it covers only the requests they leave\n"
		"# to the site level, and an import inside a handle block wins over it.\n"
		"# Needs Caddy 2.6 or later, standard modules only.\n");
	for (size_t i = 0; i < ctx->npolicies; i++) {
		if (!put_policy(&sb, &ctx->policies[i], err)) {
			sb_release(&sb);
			return false;
		}
	}
	if (!out_set_add(out, "caddy/cors.caddy", &sb)) {
		sb_puts(err, "out of memory");
		return false;
	}
	return true;
}
