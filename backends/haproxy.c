/*
 * haproxy.c - the HAProxy 2.6 backend: the response plan (response.c) as
 * http-request and http-after-response rules, written twice from one
 * renderer: as named defaults sections in haproxy/cors.cfg (loaded with -f,
 * used as `frontend X from cors-NAME`) and as haproxy/cors-NAME.fragment
 * (pasted or templated at the top of a frontend, backend or listen).
 */
#include "backend.h"
#include "haproxy.h"
#include "origin.h"
#include "response.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- words ---- */

static bool bare_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == ':' || c == '/' || c == '.' || c == '-' || c == '_' || c == '[' || c == ']';
}

bool haproxy_word(struct strbuf *sb, const char *s, size_t len, enum hap_word_kind kind)
{
	bool bare = len > 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e)
			return false;
		bare &= bare_byte(c);
	}
	if (bare) {
		sb_add(sb, s, len);
		return true;
	}
	/*
	 * Inside double quotes HAProxy unescapes \\ \" \$ (and would expand
	 * ${NAME}); '#', '\'' and spaces are ordinary.  A log-format string
	 * then reads %% as one '%'.
	 */
	sb_putc(sb, '"');
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\\' || c == '"' || c == '$')
			sb_putc(sb, '\\');
		else if (c == '%' && kind == HAP_LOG_FORMAT)
			sb_putc(sb, '%');
		sb_putc(sb, c);
	}
	sb_putc(sb, '"');
	return true;
}

bool haproxy_regex_word(struct strbuf *sb, const char *re, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)re[i];
		if (c < 0x20 || c > 0x7e || c == '\'')
			return false;
	}
	sb_putc(sb, '\'');
	sb_add(sb, re, len);
	sb_putc(sb, '\'');
	return true;
}

/* ---- the rules of one policy ---- */

/*
 * HAProxy reads at most 64 words a line: an exact-origin acl line holds 5
 * of its own, so 50 origins leave room.  A line and a regex also stay within
 * a byte budget (PCRE2 refuses patterns of some hundred kilobytes).
 */
#define ORIGINS_PER_LINE 50
#define LINE_BUDGET 16000
#define ORIGIN_MAX 8000

/*
 * The variables; their names allow only [A-Za-z0-9._] (SERVER-NOTES).  The
 * owner's name is shared by every section; the others end in the policy's
 * name ('-' written as '.', which policy names never hold), so that only the
 * owner's rules set them and a test of one needs no separate owner test:
 * allowed holds the request's Origin (what Access-Control-Allow-Origin
 * echoes), set when it matches.
 */
#define V_POLICY "txn.corsc_policy"
#define V_OK "txn.corsc_allowed."
#define V_PF "txn.corsc_preflight."
#define V_PNA "txn.corsc_pna."
#define V_BUCKET "txn.corsc_bucket."
#define V_ORIGIN "txn.corsc_origin."
#define FHDR "req.fhdr(origin)"
#define VAR_NAME_MAX 96

struct emitter {
	const struct emit_ctx *ctx;
	struct strbuf *sb;
	struct strbuf *err;
	const struct response_plan *plan;
	const struct policy *p;
	const char *indent;
	char vn[VAR_NAME_MAX];   /* the policy's name as a variable name's end */
};

/* NAME with '-' as '.' (policy_name_ok: at most 64 characters) */
static void var_name(char *vn, const char *name)
{
	size_t i = 0;
	for (; name[i] && i + 1 < VAR_NAME_MAX; i++)
		vn[i] = name[i] == '-' ? '.' : name[i];
	vn[i] = '\0';
}

static void rule(struct emitter *e, const char *text)
{
	sb_puts(e->sb, e->indent);
	sb_puts(e->sb, text);
}

/* " { var(txn.corsc_policy) -m str NAME }": the policy owns the request. */
static void owner(struct emitter *e)
{
	sb_printf(e->sb, " { var(" V_POLICY ") -m str %s }", e->p->name);
}

/* " { var(txn.corsc_allowed.NAME) -m found }": the owner's, and its Origin matches. */
static void allowed(struct emitter *e)
{
	sb_printf(e->sb, " { var(" V_OK "%s) -m found }", e->vn);
}

/* " [!]{ var(txn.corsc_preflight.NAME) -m bool }": the owner's, and a preflight. */
static void preflight(struct emitter *e, bool yes)
{
	sb_printf(e->sb, " %s{ var(" V_PF "%s) -m bool }", yes ? "" : "!", e->vn);
}

static bool too_long(struct emitter *e, size_t len)
{
	if (len <= ORIGIN_MAX)
		return false;
	sb_printf(e->err, "policy \"%s\": an origin is too long for an HAProxy configuration line",
		  e->p->name);
	return true;
}

/*
 * HAProxy's djb2 converter: the bucket of an origin is
 * req.fhdr(origin),djb2,mod(B), computed here the same way.
 */
static uint32_t djb2(const char *s)
{
	uint32_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

/* The acl lines "acl NAME FETCH -m str ..." of exact[0..n). */
static bool put_acl_lines(struct emitter *e, const char *name, const char *fetch,
			  const char **exact, size_t n)
{
	size_t on_line = 0, line_start = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(exact[i]);
		if (on_line && (on_line == ORIGINS_PER_LINE ||
				e->sb->len - line_start + len > LINE_BUDGET)) {
			sb_putc(e->sb, '\n');
			on_line = 0;
		}
		if (!on_line) {
			line_start = e->sb->len;
			rule(e, "acl ");
			sb_printf(e->sb, "%s %s -m str", name, fetch);
		}
		sb_putc(e->sb, ' ');
		if (!haproxy_word(e->sb, exact[i], len, HAP_PATTERN)) {
			sb_printf(e->err, "policy \"%s\": an origin cannot be written safely in an "
				  "HAProxy configuration", e->p->name);
			return false;
		}
		on_line++;
	}
	if (on_line)
		sb_putc(e->sb, '\n');
	return true;
}

/* One -m reg acl line of acl NAME: "FETCH -m reg '^(?:alt)$'". */
static bool put_regex_line(struct emitter *e, const char *name, const char *fetch,
			   const struct strbuf *alt)
{
	struct strbuf re = STRBUF_INIT;
	sb_printf(&re, "^(?:%s)$", sb_str(alt));
	rule(e, "acl ");
	sb_printf(e->sb, "%s %s -m reg ", name, fetch);
	bool ok = !re.failed && haproxy_regex_word(e->sb, sb_str(&re), re.len);
	sb_release(&re);
	if (!ok) {
		sb_printf(e->err, "policy \"%s\": an origin pattern cannot be written safely in an "
			  "HAProxy configuration", e->p->name);
		return false;
	}
	sb_putc(e->sb, '\n');
	return true;
}

/*
 * The patterns, in source order, as alternations of origin_regex's regexes
 * in -m reg lines of acl NAME; *any tells whether there was one.
 */
static bool put_patterns(struct emitter *e, const char *name, const char *fetch, bool *any)
{
	struct strbuf alt = STRBUF_INIT, one = STRBUF_INIT;
	bool ok = false;

	*any = false;
	for (size_t i = 0; i < e->p->norigins; i++) {
		if (e->p->origins[i].kind != ORIGIN_PATTERN)
			continue;
		*any = true;
		sb_reset(&one);
		origin_regex(&one, &e->p->origins[i], REGEX_HAPROXY);
		if (too_long(e, one.len))
			goto out;
		if (alt.len && alt.len + 1 + one.len > LINE_BUDGET) {
			if (!put_regex_line(e, name, fetch, &alt))
				goto out;
			sb_reset(&alt);
		}
		if (alt.len)
			sb_putc(&alt, '|');
		sb_add(&alt, sb_str(&one), one.len);
	}
	if (alt.len && !put_regex_line(e, name, fetch, &alt))
		goto out;
	ok = true;
out:
	sb_release(&alt);
	sb_release(&one);
	return ok;
}

/* "http-request set-var(txn.corsc_allowed.NAME) FETCH if" */
static void set_allowed(struct emitter *e, const char *fetch)
{
	rule(e, "");
	sb_printf(e->sb, "http-request set-var(" V_OK "%s) %s if", e->vn, fetch);
}

/*
 * Whether the request's one Origin line (whole: req.hdr would split it at
 * commas) matches, as the variable txn.corsc_allowed.NAME holding it.
 * The exact origins (sorted, without duplicates) are -m str acl lines, whose
 * patterns HAProxy keeps in a tree, at most ORIGINS_PER_LINE a line; lines
 * of one acl name OR together, and the patterns' -m reg lines follow them
 * (tried only when no exact origin matched).  An acl of L lines costs L tree
 * lookups, so beyond BUCKET_MIN_LINES the exact origins are spread over
 * about sqrt(L) buckets by a hash HAProxy computes once per request (djb2):
 * a request then costs one bucket test (an acl term, all buckets in one
 * rule up to BUCKETS_PER_RULE) per bucket and the lookups of its own bucket
 * only.
 */
#define BUCKET_MIN_LINES 4
#define BUCKETS_PER_RULE 15

static bool put_match(struct emitter *e)
{
	size_t m;
	bool owned, ok = false, pat;
	const char **exact = emit_exact_sorted(e->ctx, e->p, &m, &owned);
	const char **bucket = xmalloc((m ? m : 1) * sizeof(*bucket));
	size_t *first = NULL;

	for (size_t i = 0; i < m; i++)
		if (too_long(e, strlen(exact[i])))
			goto out;
	size_t lines = (m + ORIGINS_PER_LINE - 1) / ORIGINS_PER_LINE, nb = 1;
	if (lines > BUCKET_MIN_LINES)
		while (nb * nb < lines)
			nb++;
	if (nb == 1) {
		/* one acl: the exact lines, then the patterns' */
		if (!put_acl_lines(e, "corsc_allowed", FHDR, exact, m) ||
		    !put_patterns(e, "corsc_allowed", FHDR, &pat))
			goto out;
		set_allowed(e, FHDR);
		owner(e);
		sb_puts(e->sb, " { req.fhdr_cnt(origin) eq 1 } corsc_allowed\n");
		ok = true;
		goto out;
	}
	/* the bucket of each origin, hashed once; then each bucket's origins in order */
	first = xcalloc(nb + 1, sizeof(*first));
	size_t *of = xmalloc(m * sizeof(*of));
	for (size_t i = 0; i < m; i++) {
		of[i] = djb2(exact[i]) % nb;
		first[of[i] + 1]++;
	}
	for (size_t b = 0; b < nb; b++)
		first[b + 1] += first[b];
	size_t *at = xmalloc(nb * sizeof(*at));
	memcpy(at, first, nb * sizeof(*at));
	for (size_t i = 0; i < m; i++)
		bucket[at[of[i]]++] = exact[i];
	free(at);
	free(of);
	/*
	 * the acls first (a rule can only name an acl defined above it); a
	 * bucket's lines read the Origin from a variable, which costs less
	 * than a header fetch each
	 */
	char var[sizeof(V_ORIGIN) + VAR_NAME_MAX + 8];
	snprintf(var, sizeof(var), "var(" V_ORIGIN "%s)", e->vn);
	for (size_t b = 0; b < nb; b++) {
		size_t k = first[b + 1] - first[b];
		if (k == 0)
			continue;
		char name[48];
		snprintf(name, sizeof(name), "corsc_allowed_%zu", b);
		if (!put_acl_lines(e, name, var, bucket + first[b], k))
			goto out;
		rule(e, "");
		sb_printf(e->sb, "acl corsc_bucket_%zu var(" V_BUCKET "%s) -m int %zu\n", b, e->vn, b);
	}
	if (!put_patterns(e, "corsc_pattern", var, &pat))
		goto out;
	if (pat) {
		rule(e, "");
		sb_printf(e->sb, "acl corsc_one var(" V_BUCKET "%s) -m found\n", e->vn);
	}
	/* the owner's one Origin line, then its bucket, once */
	rule(e, "");
	sb_printf(e->sb, "http-request set-var(" V_ORIGIN "%s) " FHDR " if", e->vn);
	owner(e);
	sb_puts(e->sb, " { req.fhdr_cnt(origin) eq 1 }\n");
	rule(e, "");
	sb_printf(e->sb, "http-request set-var(" V_BUCKET "%s) %s,djb2,mod(%zu) if { %s -m found }\n",
		  e->vn, var, nb, var);
	/*
	 * One rule ORs BUCKETS_PER_RULE buckets ("BUCKET_B ALLOWED_B || ..."):
	 * an acl term costs less than a rule, and the bucket test fails for
	 * every bucket but one; the patterns are the last rule's last term.
	 * 3 words a bucket + 8 stay within HAProxy's 64 words a line.
	 */
	size_t in_rule = 0, left = 0;
	for (size_t b = 0; b < nb; b++)
		left += first[b + 1] > first[b];
	for (size_t b = 0; b < nb; b++) {
		if (first[b + 1] == first[b])
			continue;
		if (in_rule == BUCKETS_PER_RULE) {
			sb_putc(e->sb, '\n');
			in_rule = 0;
		}
		if (in_rule == 0)
			set_allowed(e, var);
		else
			sb_puts(e->sb, " ||");
		sb_printf(e->sb, " corsc_bucket_%zu corsc_allowed_%zu", b, b);
		in_rule++;
		if (--left == 0 && pat)
			sb_puts(e->sb, " || corsc_one corsc_pattern");
	}
	if (in_rule)
		sb_putc(e->sb, '\n');
	ok = true;
out:
	if (owned)
		free(exact);
	free(bucket);
	free(first);
	return ok;
}

/* The conditions of a row: owner, or a variable only the owner sets. */
static void row_conditions(struct emitter *e, const struct plan_row *r)
{
	if (r->needs & PLAN_NEED_ALLOWED)
		allowed(e);
	if (r->needs & PLAN_NEED_PNA)
		sb_printf(e->sb, " { var(" V_PNA "%s) -m bool }", e->vn);
	if (!(r->needs & (PLAN_NEED_ALLOWED | PLAN_NEED_PNA)))
		owner(e);
	if ((r->when & PLAN_BOTH) == PLAN_PREFLIGHT)
		preflight(e, true);
	else if ((r->when & PLAN_BOTH) == PLAN_ACTUAL)
		preflight(e, false);
}

static bool put_row(struct emitter *e, const struct plan_row *r)
{
	rule(e, "http-after-response set-header ");
	sb_puts(e->sb, r->name);
	sb_putc(e->sb, ' ');
	if (r->kind == PLAN_ECHO_ORIGIN) {
		/* (an echoing row always needs allowed: SPEC 6) */
		sb_printf(e->sb, "%%[var(" V_OK "%s)]", e->vn);
	} else if (!haproxy_word(e->sb, r->value, strlen(r->value), HAP_LOG_FORMAT)) {
		sb_printf(e->err, "policy \"%s\": %s cannot be written safely in an HAProxy "
			  "configuration", e->p->name, stmt_keyword(r->stmt));
		return false;
	}
	sb_puts(e->sb, " if");
	row_conditions(e, r);
	sb_putc(e->sb, '\n');
	return true;
}

/*
 * A row the preflight's own answer carries (hdr of http-request return)
 * rather than an http-after-response rule that every response would test:
 * a literal sent on preflights only, whatever Access-Control-Request-Private-Network.
 */
static bool on_return(const struct plan_row *r)
{
	return (r->when & PLAN_BOTH) == PLAN_PREFLIGHT && r->kind == PLAN_LITERAL &&
	       !(r->needs & PLAN_NEED_PNA);
}

/*
 * "http-request return status S [hdr NAME VALUE]... if PF[ ALLOWED]":
 * with allowed, every on_return row; without, those that do not need it.
 */
static bool put_return(struct emitter *e, bool with_allowed)
{
	const struct response_plan *plan = e->plan;
	rule(e, "");
	sb_printf(e->sb, "http-request return status %d", plan->preflight_status);
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_row *r = &plan->rows[i];
		if (!on_return(r) || (!with_allowed && (r->needs & PLAN_NEED_ALLOWED)))
			continue;
		sb_printf(e->sb, " hdr %s ", r->name);
		if (!haproxy_word(e->sb, r->value, strlen(r->value), HAP_LOG_FORMAT)) {
			sb_printf(e->err, "policy \"%s\": %s cannot be written safely in an HAProxy "
				  "configuration", e->p->name, stmt_keyword(r->stmt));
			return false;
		}
	}
	sb_puts(e->sb, " if");
	preflight(e, true);
	if (with_allowed)
		allowed(e);
	sb_putc(e->sb, '\n');
	return true;
}

/* Every rule of one policy, each line starting with e->indent. */
static bool put_rules(struct emitter *e)
{
	const struct response_plan *plan = e->plan;
	const char *name = e->p->name;

	/* the first section on the request's way that has CORS rules owns it */
	rule(e, "http-request set-var(" V_POLICY ") ");
	sb_printf(e->sb, "str(%s) unless { var(" V_POLICY ") -m found }\n", name);
	if (plan_needs(plan, PLAN_NEED_ALLOWED) && !put_match(e))
		return false;
	/* a preflight: OPTIONS with a non-empty Origin and Access-Control-Request-Method */
	/* (the cheapest test first: most requests are not OPTIONS) */
	rule(e, "");
	sb_printf(e->sb, "http-request set-var(" V_PF "%s) bool(true) if METH_OPTIONS", e->vn);
	owner(e);
	sb_puts(e->sb, " { req.fhdr(origin) -m len 1: }"
		       " { req.fhdr(access-control-request-method) -m len 1: }\n");
	if (plan_needs(plan, PLAN_NEED_PNA)) {
		rule(e, "");
		sb_printf(e->sb, "http-request set-var(" V_PNA "%s) bool(true) if", e->vn);
		preflight(e, true);
		sb_puts(e->sb, " { req.fhdr(access-control-request-private-network) -m str true }\n");
	}
	/* the preflight's own headers on its answer, when allowed and otherwise */
	bool split = false;
	for (size_t i = 0; i < plan->n; i++)
		if (on_return(&plan->rows[i]) && (plan->rows[i].needs & PLAN_NEED_ALLOWED))
			split = true;
	if ((split && !put_return(e, true)) || !put_return(e, false))
		return false;
	/*
	 * every response, HAProxy's own (503, deny, redirect, auth, return)
	 * included; a preflight's answer is the return above, which has no
	 * application headers to strip (and its hdr rows must stay)
	 */
	if (plan->strip_app_headers) {
		rule(e, "http-after-response del-header access-control- -m beg if");
		preflight(e, false);
		owner(e);
		sb_putc(e->sb, '\n');
	}
	for (size_t i = 0; i < plan->n; i++)
		if (!on_return(&plan->rows[i]) && !put_row(e, &plan->rows[i]))
			return false;
	if (plan->vary_origin) {
		rule(e, "http-after-response add-header Vary Origin if");
		owner(e);
		sb_puts(e->sb, " !{ res.hdr(vary) -m str -i origin }\n");
	}
	return true;
}

/* ---- the files ---- */

static void put_generated(struct strbuf *sb, const struct emit_ctx *ctx)
{
	sb_puts(sb, "# Generated by corsc " CORSC_VERSION " from ");
	put_comment_text(sb, ctx->input ? ctx->input : "-");
	sb_puts(sb, ". Do not edit.\n#\n");
}

/* Named defaults with HTTP rules need 2.5; Debian 12 has 2.6. */
static const char version_guard[] =
	".if version_before(2.5)\n"
	".alert \"corsc: these CORS rules need HAProxy 2.5 or later (2.6 is tested)\"\n"
	".endif\n";

static const char caveats[] =
	"# Every response of the section carries the policy's headers (http-after-response),\n"
	"# HAProxy's own 503, deny, redirect, auth and return answers included; only the\n"
	"# 400 HAProxy sends for a request it cannot parse gets none (HAProxy 2.6 refuses\n"
	"# a header name of 256 bytes or more that way). The first section on\n"
	"# a request's way that has CORS rules owns it: a policy in a frontend governs\n"
	"# the requests of its backends too (put policies on the backends to have one per\n"
	"# backend), and a backend's policy never sees what a frontend answers itself\n"
	"# (its deny, redirect, auth, return: put those in the backend, after these rules).\n"
	"# Needs HAProxy 2.5 or later (2.6 tested), in mode http; no Lua, no maps.\n";

/*
 * The rules of every policy, rendered once without indent into rules
 * (policy i's from at[i] to at[i + 1]): cors.cfg takes them with a tab
 * before each line, the fragments as they are.
 */
static bool render_rules(const struct emit_ctx *ctx, struct strbuf *rules, size_t *at,
			 struct strbuf *err)
{
	for (size_t i = 0; i < ctx->npolicies; i++) {
		struct response_plan plan;
		response_plan_make(&ctx->policies[i], &plan);
		struct emitter e = { ctx, rules, err, &plan, plan.policy, "", "" };
		var_name(e.vn, plan.policy->name);
		at[i] = rules->len;
		bool ok = put_rules(&e);
		response_plan_release(&plan);
		if (!ok)
			return false;
	}
	at[ctx->npolicies] = rules->len;
	return true;
}

/* text[0..len), whole lines, each after a tab */
static void put_indented(struct strbuf *sb, const char *text, size_t len)
{
	const char *end = text + len;
	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = nl ? (size_t)(nl - text) + 1 : (size_t)(end - text);
		sb_putc(sb, '\t');
		sb_add(sb, text, n);
		text += n;
	}
}

static void emit_defaults(const struct emit_ctx *ctx, struct strbuf *sb,
			  const struct strbuf *rules, const size_t *at)
{
	put_generated(sb, ctx);
	sb_puts(sb,
		"# Load this file after the one that defines your own defaults section, named\n"
		"# cors-base (mode http, timeouts, log: what every proxy should inherit), and\n"
		"# before the files whose sections use it:\n"
		"#     haproxy -f base.cfg -f cors.cfg -f site.cfg   (or a conf.d folder, -f DIR,\n"
		"#     whose *.cfg files load in name order: 10-base.cfg, 50-cors.cfg, 90-site.cfg)\n"
		"# It defines one named defaults section per policy, `defaults cors-NAME from\n"
		"# cors-base`; attach a policy to a frontend or a backend with\n"
		"#     frontend api from cors-NAME      (or: backend app from cors-NAME)\n"
		"# A cors-NAME section serves frontends or backends, not both; a listen section\n"
		"# cannot use one: paste haproxy/cors-NAME.fragment there instead. The file ends\n"
		"# with `defaults from cors-base`, so sections after it that name no defaults get\n"
		"# cors-base's settings and no CORS rules.\n");
	sb_puts(sb, caveats);
	sb_puts(sb, version_guard);
	for (size_t i = 0; i < ctx->npolicies; i++) {
		const char *name = ctx->policies[i].name;
		sb_printf(sb, "\n# Policy \"%s\".\ndefaults cors-%s from cors-base\n\tmode http\n",
			  name, name);
		put_indented(sb, rules->buf + at[i], at[i + 1] - at[i]);
	}
	sb_puts(sb, "\n# What follows uses cors-base alone, without CORS rules.\ndefaults from cors-base\n");
}

static void emit_fragment(const struct emit_ctx *ctx, const struct policy *p, struct strbuf *sb,
			  const char *rules, size_t len)
{
	put_generated(sb, ctx);
	sb_printf(sb,
		  "# The rules of policy \"%s\", to paste (or template) at the top of the\n"
		  "# frontend, backend or listen section that serves its resources, before that\n"
		  "# section's own http-request rules, in mode http:\n"
		  "#     backend app\n"
		  "#         <the lines below>\n"
		  "#         server app1 127.0.0.1:8080\n"
		  "# The same rules as `defaults cors-%s` in haproxy/cors.cfg; this file is not\n"
		  "# a configuration of its own (its name does not end in .cfg, so a conf.d\n"
		  "# folder loaded with -f skips it). Variables: txn.corsc_*.\n", p->name, p->name);
	sb_puts(sb, caveats);
	sb_puts(sb, version_guard);
	sb_add(sb, rules, len);
}

bool emit_haproxy(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < ctx->npolicies; i++) {
		const struct policy *p = &ctx->policies[i];
		if (!policy_name_ok(p->name)) {
			sb_puts(err, "a policy name is not a letter followed by letters, digits, '-' or '_'");
			return false;
		}
		if (!p->any_origin && p->norigins == 0) {
			sb_printf(err, "policy \"%s\" has no origins", p->name);
			return false;
		}
	}
	struct strbuf rules = STRBUF_INIT;
	size_t *at = xmalloc((ctx->npolicies + 1) * sizeof(*at));
	if (!render_rules(ctx, &rules, at, err) || rules.failed) {
		if (rules.failed && !err->len)
			sb_puts(err, "out of memory");
		free(at);
		sb_release(&rules);
		goto fail;
	}
	emit_defaults(ctx, &sb, &rules, at);
	if (!out_set_add(out, "haproxy/cors.cfg", &sb))
		goto oom_rules;
	for (size_t i = 0; i < ctx->npolicies; i++) {
		const struct policy *p = &ctx->policies[i];
		emit_fragment(ctx, p, &sb, rules.buf + at[i], at[i + 1] - at[i]);
		struct strbuf path = STRBUF_INIT;
		sb_printf(&path, "haproxy/cors-%s.fragment", p->name);
		bool added = !path.failed && out_set_add(out, sb_str(&path), &sb);
		sb_release(&path);
		if (!added)
			goto oom_rules;
	}
	free(at);
	sb_release(&rules);
	return true;
oom_rules:
	free(at);
	sb_release(&rules);
	sb_puts(err, "out of memory");
	return false;
fail:
	sb_release(&sb);
	return false;
}
