/*
 * caddy.c - the Caddy 2.6 backend: caddy/cors.caddy, one snippet
 * (cors-NAME) per policy, each a `route` of header directives and a
 * `respond` for preflights, answering as SPEC section 6 says.
 */
#include "backend.h"
#include "caddy.h"
#include "origin.h"
#include "response.h"

#include <stdlib.h>
#include <string.h>

/* ---- Caddyfile tokens ---- */

/* what a byte of a token is, for caddy_token's one scan (0: nothing special) */
enum { T_BAD = 1, T_BRACE = 2, T_SPACE = 4, T_DQUOTE = 8, T_BACKSLASH = 16, T_BACKTICK = 32 };

static unsigned char token_class(unsigned char c)
{
	if (c < 0x20 || c > 0x7e)
		return T_BAD;
	switch (c) {
	case '{': case '}': return T_BRACE;
	case ' ': return T_SPACE;
	case '"': return T_DQUOTE;
	case '\\': return T_BACKSLASH;
	case '`': return T_BACKTICK;
	default: return 0;
	}
}

bool caddy_token(struct strbuf *sb, const char *s, size_t len, enum caddy_token_kind kind)
{
	static unsigned char cls[256];
	static bool cls_ready;
	if (!cls_ready) {
		for (int c = 0; c < 256; c++)
			cls[c] = token_class((unsigned char)c);
		cls_ready = true;
	}
	unsigned seen = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char k = cls[(unsigned char)s[i]];
		if (k == 0)
			continue;
		if (k & T_BAD)
			return false;
		if ((k & T_BRACE) && kind == CADDY_LITERAL)
			return false;
		if (s[i] == '{' && i + 1 < len && s[i + 1] == '$')
			return false;
		seen |= k;
	}
	bool dquote = seen & T_DQUOTE, backslash = seen & T_BACKSLASH, backtick = seen & T_BACKTICK;
	/*
	 * Bytes that make a token need quotes; '#' '@' '{' '}' only at its
	 * start.  A backslash is literal in a bare token; a literal still gets
	 * quotes for it, to stay clear of escapes, but a regex needs it bare.
	 */
	bool quotes = len == 0 || strchr("#@{}", s[0]) || (seen & (T_SPACE | T_DQUOTE | T_BACKTICK)) ||
		(backslash && kind == CADDY_LITERAL);
	if (!quotes) {
		sb_add(sb, s, len);
		return true;
	}
	/* Inside "...", a backslash escapes the next byte; inside `...`, nothing does. */
	char q;
	if (kind == CADDY_EXPRESSION && !backtick)
		q = '`';
	else if (!dquote && !backslash)
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

/*
 * The origin test, as CEL expressions for Caddy's `expression` matcher.
 * Exact origins go in a list literal: Caddy compiles its programs with
 * cel-go's OptOptimize, which turns `x in [constants]` into a hash-set
 * lookup, and a constant `matches` pattern into an RE2 program built once.
 * Caddy refuses an expression over 100,000 code points (after it rewrites
 * the placeholder into a function call), so a long list is cut in parts,
 * each its own matcher.
 */
#define CEL_BUDGET 80000
#define ORIGIN_PH "{http.request.header.Origin}"

/* What a CEL '...' string and a Caddyfile backtick token hold as is. */
static bool cel_safe(const char *s)
{
	/* safe[c]: letters, digits and : / . - _ [ ]; one lookup a byte of every origin */
	static bool safe[256], ready;
	if (!ready) {
		for (int c = 1; c < 256; c++)
			safe[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				  (c >= '0' && c <= '9') || strchr(":/.-_[]", c) != NULL;
		ready = true;
	}
	for (; *s; s++)
		if (!safe[(unsigned char)*s])
			return false;
	return true;
}

/*
 * The expressions under construction: terms joined by " || ", each
 * expression ended by a NUL in buf, none over CEL_BUDGET bytes.
 */
struct exprs {
	struct strbuf buf;
	size_t start;          /* where the open expression starts */
	size_t n;              /* expressions ended */
};

static void exprs_end(struct exprs *x)
{
	if (x->buf.len > x->start) {
		sb_putc(&x->buf, '\0');
		x->n++;
		x->start = x->buf.len;
	}
}

/* Room for len more bytes in the open expression?  Else end it. */
static void exprs_room(struct exprs *x, size_t len)
{
	if (x->buf.len > x->start && x->buf.len - x->start + len > CEL_BUDGET)
		exprs_end(x);
}

/* Whether one origin of p fits an expression; an error if not. */
static bool fits(const struct policy *p, size_t len, struct strbuf *err)
{
	if (len <= CEL_BUDGET / 4)
		return true;
	sb_printf(err, "policy \"%s\": an origin is too long for a Caddy expression", p->name);
	return false;
}

/*
 * One item of a term HEAD item SEP item ... TAIL: a new term (after " || ",
 * or in a new expression) when the open one would pass the budget.
 */
static void term_item(struct exprs *x, bool *open, const char *head, const char *sep,
		      const char *tail, const char *s, size_t len)
{
	if (*open && x->buf.len - x->start + strlen(sep) + len + strlen(tail) > CEL_BUDGET) {
		sb_puts(&x->buf, tail);
		exprs_end(x);
		*open = false;
	}
	if (!*open) {
		exprs_room(x, strlen(head) + len + strlen(tail) + 4);
		if (x->buf.len > x->start)
			sb_puts(&x->buf, " || ");
		sb_puts(&x->buf, head);
		*open = true;
	} else {
		sb_puts(&x->buf, sep);
	}
	sb_add(&x->buf, s, len);
}

/* The exact origins (sorted, without duplicates) as "ORIGIN in [...]" terms. */
static bool exact_terms(struct exprs *x, const char **exact, size_t n, const struct policy *p,
			struct strbuf *err)
{
	static const char head[] = ORIGIN_PH " in ['", sep[] = "', '", tail[] = "']";
	bool open = false;

	for (size_t i = 0; i < n; i++) {
		if (i && strcmp(exact[i - 1], exact[i]) == 0)
			continue;
		size_t len = strlen(exact[i]);
		if (!fits(p, len, err))
			return false;
		term_item(x, &open, head, sep, tail, exact[i], len);
	}
	if (open)
		sb_puts(&x->buf, tail);
	return true;
}

/*
 * The patterns as "ORIGIN.matches(r'^(?:...|...)$')" terms.  RE2 has no
 * lookahead, so the regex of a "**." pattern cannot bound the host to 253
 * characters (origin_regex.c); where the policy has one, each term also
 * refuses a host of 254 or more: "&& !ORIGIN.matches(r'://[a-z0-9_.-]{254}')".
 */
static bool pattern_terms(struct exprs *x, const struct policy *p, struct strbuf *err)
{
	static const char head[] = ORIGIN_PH ".matches(r'^(?:";
	static const char tail_short[] = ")$')";
	static const char tail_long[] = ")$') && !" ORIGIN_PH ".matches(r'://[a-z0-9_.-]{254}')";
	const char *tail = tail_short;
	struct strbuf re = STRBUF_INIT;
	bool open = false, ok = false;

	for (size_t i = 0; i < p->norigins; i++)
		if (p->origins[i].kind == ORIGIN_PATTERN && p->origins[i].wild == WILD_MULTI)
			tail = tail_long;

	for (size_t i = 0; i < p->norigins; i++) {
		if (p->origins[i].kind != ORIGIN_PATTERN)
			continue;
		sb_reset(&re);
		origin_regex(&re, &p->origins[i], REGEX_RE2);
		for (size_t k = 0; k < re.len; k++) {
			char c = sb_str(&re)[k];
			if (c < 0x20 || c > 0x7e || c == '\'' || c == '`') {
				sb_printf(err, "policy \"%s\": an origin cannot be written safely "
					  "in a Caddyfile", p->name);
				goto out;
			}
		}
		if (!fits(p, re.len, err))
			goto out;
		term_item(x, &open, head, "|", tail, sb_str(&re), re.len);
	}
	if (open)
		sb_puts(&x->buf, tail);
	ok = true;
out:
	sb_release(&re);
	return ok;
}

/*
 * The origin test of p: one or more CEL expressions, each ending in a NUL,
 * one after the other in x->buf.  Exact origins sorted, so the output does
 * not depend on their order; patterns in source order.
 */
static bool origin_exprs(struct exprs *x, const struct emit_ctx *ctx, const struct policy *p,
			 struct strbuf *err)
{
	for (size_t i = 0; i < p->norigins; i++) {
		if (p->origins[i].kind == ORIGIN_PATTERN)
			continue;
		if (!cel_safe(p->origins[i].text)) {
			sb_printf(err, "policy \"%s\": an origin cannot be written safely in a Caddyfile",
				  p->name);
			return false;
		}
	}
	/* sorted by strcmp without duplicates: shared with Apache, nginx and HAProxy */
	size_t nexact;
	bool owned, ok = false;
	const char **exact = emit_exact_sorted(ctx, p, &nexact, &owned);
	if (exact_terms(x, exact, nexact, p, err) && pattern_terms(x, p, err)) {
		exprs_end(x);
		ok = true;
	}
	if (owned)
		free(exact);
	return ok;
}

/* ---- the snippet ---- */

struct emitter {
	struct strbuf *sb;
	struct strbuf *err;
	const struct response_plan *plan;
	const struct policy *p;
	bool any;              /* no row needs the origin test */
	const char *in;        /* the indent of the header and respond directives */
	const struct emit_ctx *ctx;
};

/* A literal token, or an error naming what could not be written. */
static bool put_token(struct emitter *e, const char *s, const char *what)
{
	if (caddy_token(e->sb, s, strlen(s), CADDY_LITERAL))
		return true;
	sb_printf(e->err, "policy \"%s\": %s cannot be written safely in a Caddyfile", e->p->name,
		  what);
	return false;
}

/* Is a list value RFC 9110 tokens joined by ", " ("*" among them)? */
static bool token_list(const char *v)
{
	bool start = true;
	for (const char *c = v; *c; c++) {
		if (c[0] == ',' && c[1] == ' ' && !start) {
			c++;
			start = true;
		} else if (is_tchar((unsigned char)*c)) {
			start = false;
		} else {
			return false;
		}
	}
	return !start;
}

/* The value of a row, as one token. */
static bool put_row_value(struct emitter *e, const struct plan_row *r)
{
	char what[64];
	if (r->kind == PLAN_ECHO_ORIGIN) {
		sb_puts(e->sb, ORIGIN_PH);
		return true;
	}
	snprintf(what, sizeof(what), "%s %s", r->stmt == ST_METHODS ? "a" : "an",
		 r->stmt == ST_METHODS ? "method" : stmt_keyword(r->stmt));
	if (stmt_is_list(r->stmt) && !token_list(r->value)) {
		sb_printf(e->err, "policy \"%s\": %s entry is not an RFC 9110 token",
			  e->p->name, what);
		return false;
	}
	return put_token(e, r->value, what);
}

/*
 * The named matchers besides the origin test.  preflight-allowed and
 * private-network are used only inside the route of the allowed origins,
 * where the Origin is known to be there.
 */
static void put_matchers(struct emitter *e)
{
	struct strbuf *sb = e->sb;
	const char *name = e->p->name;

	sb_printf(sb, "\t\t@cors-%s.preflight {\n"
		      "\t\t\tmethod OPTIONS\n"
		      "\t\t\theader_regexp Origin .\n"
		      "\t\t\theader_regexp Access-Control-Request-Method .\n"
		      "\t\t}\n", name);
	if (!e->any)
		sb_printf(sb, "\t\t@cors-%s.preflight-allowed {\n"
			      "\t\t\tmethod OPTIONS\n"
			      "\t\t\theader_regexp Access-Control-Request-Method .\n"
			      "\t\t}\n", name);
	if (plan_needs(e->plan, PLAN_NEED_PNA)) {
		sb_printf(sb, "\t\t@cors-%s.private-network {\n\t\t\tmethod OPTIONS\n", name);
		if (e->any)     /* no origin test: any Origin */
			sb_puts(sb, "\t\t\theader_regexp Origin .\n");
		sb_puts(sb, "\t\t\theader_regexp Access-Control-Request-Method .\n"
			    "\t\t\theader Access-Control-Request-Private-Network true\n\t\t}\n");
	}
}

/*
 * The fields of the rows for one kind of request (when), in plan order; rows
 * that need a private network request are left to their own matcher.
 */
static bool put_fields(struct emitter *e, unsigned when)
{
	for (size_t i = 0; i < e->plan->n; i++) {
		const struct plan_row *r = &e->plan->rows[i];
		if (!(r->when & when) || (r->needs & PLAN_NEED_PNA))
			continue;
		sb_printf(e->sb, "%s\t%s ", e->in, r->name);
		if (!put_row_value(e, r))
			return false;
		sb_putc(e->sb, '\n');
	}
	return true;
}

/* "header @cors-NAME.SUFFIX {\n", or without a matcher for a NULL suffix. */
static void open_header(struct emitter *e, const char *suffix)
{
	if (suffix)
		sb_printf(e->sb, "%sheader @cors-%s.%s {\n", e->in, e->p->name, suffix);
	else
		sb_printf(e->sb, "%sheader {\n", e->in);
}

/* The preflight's header block and the 204: a preflight goes no further. */
static bool put_preflight(struct emitter *e)
{
	const char *m = e->any ? "preflight" : "preflight-allowed";

	sb_printf(e->sb, "%s# A preflight is answered here and goes no further.\n", e->in);
	open_header(e, m);
	if (!put_fields(e, PLAN_PREFLIGHT))
		return false;
	sb_printf(e->sb, "%s}\n", e->in);
	for (size_t i = 0; i < e->plan->n; i++) {
		const struct plan_row *r = &e->plan->rows[i];
		if (!(r->when & PLAN_PREFLIGHT) || !(r->needs & PLAN_NEED_PNA))
			continue;
		sb_printf(e->sb, "%sheader @cors-%s.private-network %s ", e->in, e->p->name, r->name);
		if (!put_row_value(e, r))
			return false;
		sb_putc(e->sb, '\n');
	}
	sb_printf(e->sb, "%srespond @cors-%s.%s %d\n", e->in, e->p->name, m,
		  e->plan->preflight_status);
	return true;
}

/*
 * The header blocks of every other request (from an allowed origin): at
 * once, then deferred.
 */
static bool put_actual(struct emitter *e)
{
	sb_printf(e->sb, "%s# Any other request: the policy's headers set at once, for the error\n"
			 "%s# responses Caddy writes itself (they skip deferred operations)...\n",
		  e->in, e->in);
	open_header(e, NULL);
	if (!put_fields(e, PLAN_ACTUAL))
		return false;
	sb_printf(e->sb, "%s}\n", e->in);
	sb_printf(e->sb, "%s# ...and again when the response is written, after the application's\n"
			 "%s# headers: deferred operations run last to first, so its\n"
			 "%s# Access-Control-* headers are deleted first, then the policy's set.\n",
		  e->in, e->in, e->in);
	open_header(e, NULL);
	if (!put_fields(e, PLAN_ACTUAL))
		return false;
	sb_printf(e->sb, "%s\tdefer\n%s}\n", e->in, e->in);
	return true;
}

/*
 * The origin test: one named matcher, @cors-NAME.allowed, evaluated once by
 * the route of the allowed origins.  One expression, or for a list longer
 * than one expression may be, not { not expression A  not expression B ... }:
 * A or B or ..., tried in turn until one holds.
 */
static bool put_origin_test(struct emitter *e)
{
	struct exprs cel = { STRBUF_INIT, 0, 0 };
	const char *name = e->p->name;
	bool ok = false;

	if (!origin_exprs(&cel, e->ctx, e->p, e->err))
		goto out;
	size_t n = cel.n;
	if (cel.buf.failed) {
		sb_puts(e->err, "out of memory");
		goto out;
	}
	sb_puts(e->sb, "\t\t# The origin test: exact origins as a CEL list (a hash set once\n"
		       "\t\t# compiled), patterns as RE2 regexes.\n");
	sb_printf(e->sb, "\t\t@cors-%s.allowed ", name);
	if (n > 1)
		sb_puts(e->sb, "not {\n");
	const char *x = sb_str(&cel.buf);
	for (size_t i = 0; i < n; i++, x += strlen(x) + 1) {
		sb_puts(e->sb, n > 1 ? "\t\t\tnot expression " : "expression ");
		if (!caddy_token(e->sb, x, strlen(x), CADDY_EXPRESSION)) {
			sb_printf(e->err, "policy \"%s\": an origin cannot be written safely in a "
				  "Caddyfile", name);
			goto out;
		}
		sb_putc(e->sb, '\n');
	}
	if (n > 1)
		sb_puts(e->sb, "\t\t}\n");
	ok = true;
out:
	sb_release(&cel.buf);
	return ok;
}

/*
 * A policy with listed origins: the origin test runs once, as the matcher
 * of a nested route that holds everything an allowed origin gets; after
 * it, the 204 to any other preflight and the delete.
 */
static bool put_listed(struct emitter *e)
{
	struct strbuf *sb = e->sb;
	const char *name = e->p->name;

	if (!put_origin_test(e))
		return false;
	put_matchers(e);
	if (e->plan->vary_origin)
		sb_puts(sb, "\t\theader +Vary Origin\n");
	sb_printf(sb, "\t\troute @cors-%s.allowed {\n", name);
	e->in = "\t\t\t";
	if (!put_preflight(e) || !put_actual(e))
		return false;
	e->in = "\t\t";
	sb_puts(sb, "\t\t}\n");
	sb_printf(sb, "\t\t# A preflight from another origin: the 204 without the policy's headers.\n"
		      "\t\trespond @cors-%s.preflight %d\n", name, e->plan->preflight_status);
	return true;
}

static bool put_policy(struct strbuf *sb, const struct emit_ctx *ctx,
		       const struct response_plan *plan, struct strbuf *err)
{
	const struct policy *p = plan->policy;
	struct emitter e = { sb, err, plan, p, !plan_needs(plan, PLAN_NEED_ALLOWED), "\t\t", ctx };

	if (!policy_name_ok(p->name)) {
		sb_puts(err, "a policy name is not a letter followed by letters, digits, '-' or '_'");
		return false;
	}
	if (!p->any_origin && p->norigins == 0) {
		sb_printf(err, "policy \"%s\" has no origins", p->name);
		return false;
	}

	sb_printf(sb, "\n# Policy \"%s\", origins ", p->name);
	if (p->any_origin)
		sb_putc(sb, '*');
	for (size_t i = 0; i < p->norigins; i++) {
		if (i)
			sb_puts(sb, ", ");
		sb_puts(sb, p->origins[i].text);   /* not sb_printf: once per origin */
	}
	sb_printf(sb, ".\n(cors-%s) {\n\troute {\n", p->name);
	if (!e.any) {
		if (!put_listed(&e))
			return false;
	} else {
		put_matchers(&e);
		if (plan->vary_origin)
			sb_puts(sb, "\t\theader +Vary Origin\n");
		if (!put_preflight(&e) || !put_actual(&e))
			return false;
	}
	if (plan->strip_app_headers)
		sb_puts(sb, "\t\t# The application's Access-Control-* headers: deleted when the response\n"
			    "\t\t# is written, before the policy's deferred ones are set.\n"
			    "\t\theader -Access-Control-*\n");
	sb_puts(sb, "\t}\n}\n");
	return true;
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
		"# Not covered from here (README, \"Deployment shapes\"): Caddy sorts the\n"
		"# directives of a site or handle block, and these run before a route:\n"
		"#   - basicauth, forward_auth and redir answer a preflight themselves\n"
		"#     (401, the auth service's answer, 3xx): write them after the import\n"
		"#     inside one route { } block;\n"
		"#   - handle blocks next to the import: import the policy inside each;\n"
		"#   - your own header directive that sets Access-Control-* runs after the\n"
		"#     policy and wins: leave those fields to the policy.\n"
		"# Needs Caddy 2.6 or later, standard modules only.\n");
	for (size_t i = 0; i < ctx->npolicies; i++) {
		struct response_plan plan;
		response_plan_make(&ctx->policies[i], &plan);
		bool ok = put_policy(&sb, ctx, &plan, err);
		response_plan_release(&plan);
		if (!ok) {
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
