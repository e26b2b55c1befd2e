/*
 * apache.c - the Apache httpd 2.4 backend: one apache/cors-NAME.conf per
 * policy, included in a <VirtualHost>, <Location> or <Directory>.  It needs
 * no server-level state, so it writes no cors-server.conf.
 *
 * The design of a policy file (checked on Debian 12's apache2, see
 * tests/t-apache.sh):
 *   - mod_setenvif sets CORSC_ORIGIN_NAME when the request's Origin matches.
 *     Exact origins: one anchored PCRE regex, the sorted origins written as
 *     a trie (origin_trie.c), so that each group's branches fail at their
 *     first byte and a lookup costs the Origin's length, not the number of
 *     origins (ap_expr's -in list compares them one by one: at 10,000 it
 *     cost Apache more than half its throughput).  ap_expr reads at most
 *     8 KB of a regex, so a long list is several regexes in one expression
 *     that picks the one to try with a binary search (string < and >=).
 *     Patterns: their anchored regexes joined in one alternation.  Byte-exact
 *     and case-sensitive, like the -in list was.  No RewriteMap: mod_rewrite
 *     in <Location>/<Directory> refuses requests under Options None, meets
 *     the user's own RewriteRules, and a txt: map is read line by line for
 *     every Origin it has not seen.  The Origin is read with req_novary(),
 *     so nothing is added to Vary behind our back.
 *   - mod_alias answers a preflight with 204 before any handler or proxy:
 *     "Redirect 204" inside <If> (req_novary again).  Such a 204 carries only
 *     mod_headers' "always" table.  Not mod_rewrite: in <Location> and
 *     <Directory> it refuses every request with 403 under Options None.
 *     In <Location>, mod_alias evaluates that <If> while it maps the URL,
 *     before mod_setenvif's per-directory test has run (headers without the
 *     origin's): the <If> also asks for CORSC_TESTED_NAME (set with the test;
 *     in <VirtualHost> before the mapping) or a file name (set by the
 *     mapping), so in <Location> the 204 comes in the fixups, after the test.
 *     The same <If> holds "Require all granted": <If> sections merge after
 *     every other section, so a preflight (which never carries credentials)
 *     is answered even where the resource needs a login.
 *   - mod_headers first unsets every Access-Control-* header in both tables
 *     (a proxied or as-is application puts its own in either), then sets
 *     the policy's in the "always" table, each under an expr= condition.
 *     All of it inside <If "true">: merged after .htaccess files, so a
 *     legacy .htaccess that sets Access-Control-* cannot undo the policy.
 *     A policy whose answer does not depend on Origin also takes Origin out
 *     of a Vary that an enclosing scope's policy merged into that table.
 */
#include "apache.h"
#include "backend.h"
#include "origin.h"
#include "origin_trie.h"
#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A preflight: OPTIONS with a non-empty Origin and Access-Control-Request-Method. */
static const char preflight_expr[] =
	"%{REQUEST_METHOD} == 'OPTIONS' && -n req_novary('Origin')"
	" && -n req_novary('Access-Control-Request-Method')";

/*
 * The bytes a literal needs escaped in a PCRE regex inside ap_expr's
 * m#...#: PCRE's metacharacters and the delimiter.
 */
#define EXACT_META "\\^$.|?*+()[]{}#"

/*
 * ap_expr reads a regex into a buffer of 8 KB (MAX_STRING_LEN): a longer one
 * is "Could not parse expression".  The exact origins, and the patterns,
 * go into as few regexes of at most this many bytes as they fit.
 */
#define REGEX_MAX 8000

/* ---- quoting ---- */

bool apache_header_value(struct strbuf *sb, const char *s, struct strbuf *err)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f) {
			sb_printf(err, "header value \"%s\" holds byte 0x%02x, which no header "
				  "value may hold", s, *p);
			return false;
		}
	}
	/* Neither has an escape that mod_headers would undo; no token holds them. */
	if (strstr(s, "${")) {
		sb_printf(err, "header value \"%s\" holds \"${\", which Apache would read as "
			  "a variable", s);
		return false;
	}
	if (ascii_strncasecmp(s, "expr=", 5) == 0) {
		sb_printf(err, "header value \"%s\" starts with \"expr=\", which mod_headers "
			  "would read as an expression", s);
		return false;
	}
	sb_putc(sb, '"');
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '%':   /* mod_headers: a format specifier */
			sb_puts(sb, "%%");
			break;
		case '\\':  /* the configuration reader, then mod_headers, each unescape one level */
			sb_puts(sb, "\\\\\\\\");
			break;
		case '"':   /* the configuration reader; mod_headers keeps the quote */
			sb_puts(sb, "\\\"");
			break;
		default:
			sb_putc(sb, *p);
		}
	}
	sb_putc(sb, '"');
	return true;
}

static bool origin_char_ok(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	switch (c) {   /* a switch, not strchr: several bytes of every origin */
	case '-': case '.': case '_': case ':': case '/': case '[': case ']': case '+':
		return true;
	default:
		return false;
	}
}

static bool refuse_origin(const char *origin, int c, struct strbuf *err)
{
	if (c >= 0x20 && c < 0x7f)
		sb_printf(err, "origin \"%s\" holds '%c', which corsc cannot write safely "
			  "into an Apache expression", origin, c);
	else
		sb_printf(err, "origin \"%s\" holds byte 0x%02x, which corsc cannot write "
			  "safely into an Apache expression", origin, (unsigned char)c);
	return false;
}

bool apache_expr_string(struct strbuf *sb, const char *origin, struct strbuf *err)
{
	for (const char *p = origin; *p; p++)
		if (!origin_char_ok((unsigned char)*p))
			return refuse_origin(origin, (unsigned char)*p, err);
	sb_putc(sb, '\'');
	sb_puts(sb, origin);
	sb_putc(sb, '\'');
	return true;
}

bool apache_origin_regex(struct strbuf *sb, const struct origin *o, struct strbuf *err)
{
	for (const char *p = o->text; *p; p++)
		if (!origin_char_ok((unsigned char)*p) && !(*p == '*' && o->kind == ORIGIN_PATTERN))
			return refuse_origin(o->text, (unsigned char)*p, err);
	sb_puts(sb, "m#^");
	origin_regex(sb, o, REGEX_PCRE);
	sb_puts(sb, "$#");
	return true;
}

/* ---- one policy ---- */

/* origin_test: the plan has rows that need the origin allowed (mod_setenvif). */
static void put_header_comment(struct strbuf *sb, const struct emit_ctx *ctx,
			       const struct policy *p, bool origin_test)
{
	sb_printf(sb, "# cors-%s.conf - CORS policy \"%s\" for Apache httpd 2.4.19 or later.\n",
		  p->name, p->name);
	sb_puts(sb, "# Generated by corsc " CORSC_VERSION " from ");
	put_comment_text(sb, ctx->input ? ctx->input : "<unknown>");
	sb_puts(sb, ": do not edit.\n"
		"#\n"
		"# Include it inside the <VirtualHost>, <Location> or <Directory> that serves\n"
		"# the policy's resources:\n");
	sb_printf(sb, "#     Include /etc/corsc/apache/cors-%s.conf\n", p->name);
	if (!origin_test)
		sb_puts(sb, "# Modules: headers, alias, authz_core (Debian: a2enmod headers alias).\n");
	else
		sb_puts(sb, "# Modules: headers, alias, setenvif, authz_core (Debian: a2enmod headers\n"
			"# alias setenvif).\n");
	sb_puts(sb, "# A preflight (OPTIONS with Origin and Access-Control-Request-Method) is\n"
		"# answered here with 204 and never reaches the handler or proxy behind;\n"
		"# it needs no login (\"Require all granted\" for preflights only: they\n"
		"# never carry credentials).  The headers are set inside <If \"true\">, so\n"
		"# a .htaccess that sets Access-Control-* itself cannot undo them.\n"
		"# Not covered from here (README, \"Deployment shapes\"):\n"
		"#   - an ErrorDocument page, or an internal RewriteRule's target, outside\n"
		"#     this scope: include this file in that page's <Location> too;\n"
		"#   - a RewriteRule with [R] in <VirtualHost> context runs before the\n"
		"#     preflight answer: put RewriteCond %{REQUEST_METHOD} !=OPTIONS before it;\n"
		"#   - this file in a <Location> that serves files (no ProxyPass) inside a\n"
		"#     <VirtualHost> that includes another policy: the outer one answers\n"
		"#     the preflight first, without these headers; include the outer one\n"
		"#     in the DocumentRoot's <Directory> instead;\n"
		"#   - a mod_alias Redirect in (or into) the <Location> that includes this\n"
		"#     file answers before its origin test: no Access-Control-* on it;\n"
		"#     include the policy in <VirtualHost> or <Directory> there.\n");
	if (origin_test)
		sb_printf(sb, "# Sets the environment variable CORSC_ORIGIN_%s when the origin is allowed\n"
			  "# (and CORSC_TESTED_%s on every request).\n", p->name, p->name);
	sb_putc(sb, '\n');
}

static void put_module_guard(struct strbuf *sb, const char *file, const char *module,
			     const char *short_name)
{
	sb_printf(sb, "<IfModule !%s>\n"
		  "    Error \"%s needs mod_%s (Debian: a2enmod %s)\"\n"
		  "</IfModule>\n", module, file, short_name, short_name);
}

/* keys[at..at + n): one regex, re, of at most REGEX_MAX bytes. */
struct exact_run {
	size_t at, n;
	struct strbuf re;
};

struct exact_runs {
	struct exact_run *v;
	size_t n, cap;
};

/*
 * keys[at..at + n) as one run, or, should the nesting cap of trie_regex
 * make its regex longer than trie_run's bound promised, as two halves.
 */
static void add_run(struct exact_runs *runs, const char *const *keys, size_t at, size_t n)
{
	struct strbuf re = STRBUF_INIT;
	trie_regex(&re, keys + at, n, EXACT_META);
	if (re.len > REGEX_MAX && n > 1) {
		sb_release(&re);
		add_run(runs, keys, at, n / 2);
		add_run(runs, keys, at + n / 2, n - n / 2);
		return;
	}
	xgrow(&runs->v, &runs->cap, runs->n + 1, sizeof(*runs->v));
	runs->v[runs->n++] = (struct exact_run){ .at = at, .n = n, .re = re };
}

static void put_indent(struct strbuf *sb, int depth)
{
	sb_repeat(sb, ' ', 4 * (size_t)depth);
}

/*
 * The runs lo..hi as an ap_expr: one regex test, or a binary search on
 * the sorted origins (ap_expr's < and >= compare strings byte by byte, as
 * trie_sort sorts) down to the one run that can hold the Origin.  Each
 * line ends in a backslash: one logical configuration line.
 */
static void put_run_tree(struct strbuf *sb, const char *const *keys, const struct exact_runs *runs,
			 size_t lo, size_t hi, int depth)
{
	put_indent(sb, depth);
	if (hi - lo == 1) {
		const struct strbuf *re = &runs->v[lo].re;
		sb_puts(sb, "req_novary('Origin') =~ m#^");
		sb_add(sb, sb_str(re), re->len);
		sb_puts(sb, "$# \\\n");
		return;
	}
	size_t mid = lo + (hi - lo) / 2;
	const char *split = keys[runs->v[mid].at];
	sb_printf(sb, "req_novary('Origin') < '%s' && ( \\\n", split);
	put_run_tree(sb, keys, runs, lo, mid, depth + 1);
	put_indent(sb, depth);
	sb_printf(sb, ") || req_novary('Origin') >= '%s' && ( \\\n", split);
	put_run_tree(sb, keys, runs, mid, hi, depth + 1);
	put_indent(sb, depth);
	sb_puts(sb, ") \\\n");
}

static void put_exact_origins(struct strbuf *sb, const struct policy *p, const char *const *keys,
			      size_t n)
{
	struct exact_runs runs = { NULL, 0, 0 };
	for (size_t i = 0; i < n;) {
		size_t run = trie_run(keys + i, n - i, REGEX_MAX, EXACT_META);
		add_run(&runs, keys, i, run);
		i += run;
	}
	if (runs.n == 1) {
		sb_puts(sb, "SetEnvIfExpr \"req_novary('Origin') =~ m#^");
		sb_add(sb, sb_str(&runs.v[0].re), runs.v[0].re.len);
		sb_printf(sb, "$#\" CORSC_ORIGIN_%s\n", p->name);
	} else if (runs.n > 1) {
		sb_printf(sb, "# %zu exact origins in %zu regexes (ap_expr reads at most 8 KB of one):\n"
			  "# a binary search on the sorted origins picks the one to try.\n"
			  "SetEnvIfExpr \" \\\n", n, runs.n);
		put_run_tree(sb, keys, &runs, 0, runs.n, 1);
		sb_printf(sb, "    \" CORSC_ORIGIN_%s\n", p->name);
	}
	for (size_t i = 0; i < runs.n; i++)
		sb_release(&runs.v[i].re);
	free(runs.v);
}

/* One SetEnvIfExpr for the n pattern regexes joined with '|' in alt. */
static void put_pattern_line(struct strbuf *sb, const struct policy *p, const struct strbuf *alt,
			     size_t n)
{
	sb_puts(sb, n > 1 ? "SetEnvIfExpr \"req_novary('Origin') =~ m#^(?:"
			  : "SetEnvIfExpr \"req_novary('Origin') =~ m#^");
	sb_add(sb, sb_str(alt), alt->len);
	sb_printf(sb, "%s$#\" CORSC_ORIGIN_%s\n", n > 1 ? ")" : "", p->name);
}

/*
 * The patterns' regexes (apache_origin_regex), in the policy's order, joined
 * into alternations of at most REGEX_MAX bytes: one regex test for them
 * all, not one SetEnvIfExpr each.
 */
static bool put_patterns(struct strbuf *sb, const struct policy *p, struct strbuf *err)
{
	struct strbuf alt = STRBUF_INIT, one = STRBUF_INIT;
	size_t n = 0;
	bool ok = true;
	for (size_t i = 0; ok && i < p->norigins; i++) {
		const struct origin *o = &p->origins[i];
		if (o->kind != ORIGIN_PATTERN)
			continue;
		sb_reset(&one);
		ok = apache_origin_regex(&one, o, err);
		if (!ok)
			break;
		const char *re = sb_str(&one) + 3;     /* inside m#^ ... $# */
		size_t len = one.len - 5;
		if (n && alt.len + 1 + len > REGEX_MAX) {
			put_pattern_line(sb, p, &alt, n);
			sb_reset(&alt);
			n = 0;
		}
		if (n++)
			sb_putc(&alt, '|');
		sb_add(&alt, re, len);
	}
	if (ok && n)
		put_pattern_line(sb, p, &alt, n);
	sb_release(&alt);
	sb_release(&one);
	return ok;
}

static bool put_origin_matching(struct strbuf *sb, const struct emit_ctx *ctx,
				const struct policy *p, struct strbuf *err)
{
	sb_puts(sb, "# Is the request's Origin allowed?  Compared byte for byte, as sent.\n");
	for (size_t i = 0; i < p->norigins; i++) {
		const struct origin *o = &p->origins[i];
		if (o->kind == ORIGIN_PATTERN)
			continue;
		for (const char *c = o->text; *c; c++)
			if (!origin_char_ok((unsigned char)*c))
				return refuse_origin(o->text, (unsigned char)*c, err);
	}
	/* sorted by strcmp without duplicates, as trie_sort leaves them; shared with nginx and HAProxy */
	size_t n;
	bool owned;
	const char **keys = emit_exact_sorted(ctx, p, &n, &owned);
	put_exact_origins(sb, p, keys, n);
	if (owned)
		free(keys);
	if (!put_patterns(sb, p, err))
		return false;
	sb_putc(sb, '\n');
	return true;
}

/*
 * Header always set NAME VALUE [COND] for one row of the plan: the value a
 * literal (escaped here) or the request's Origin; the condition joins the
 * row's kind of request, the origin test and the private network request
 * with &&.
 */
static bool put_row(struct strbuf *sb, const struct policy *p, const struct plan_row *r,
		    struct strbuf *err)
{
	sb_printf(sb, "Header always set %s ", r->name);
	if (r->kind == PLAN_ECHO_ORIGIN)
		sb_puts(sb, "\"expr=%{req_novary:Origin}\"");
	else if (!apache_header_value(sb, r->value, err))
		return false;

	struct strbuf cond = STRBUF_INIT;
	if (r->when == PLAN_PREFLIGHT)
		sb_puts(&cond, preflight_expr);
	else if (r->when == PLAN_ACTUAL)
		sb_printf(&cond, "!(%s)", preflight_expr);
	if (r->needs & PLAN_NEED_ALLOWED)
		sb_printf(&cond, "%s-n reqenv('CORSC_ORIGIN_%s')", cond.len ? " && " : "", p->name);
	if (r->needs & PLAN_NEED_PNA)
		sb_printf(&cond, "%sreq_novary('Access-Control-Request-Private-Network') == 'true'",
			  cond.len ? " && " : "");
	if (cond.len)
		sb_printf(sb, " \"expr=%s\"", sb_str(&cond));
	sb_putc(sb, '\n');
	bool ok = !cond.failed;
	sb_release(&cond);
	if (!ok)
		sb_puts(err, "out of memory");
	return ok;
}

static bool put_headers(struct strbuf *sb, const struct response_plan *plan, struct strbuf *err);

static bool put_policy(struct strbuf *sb, const struct emit_ctx *ctx,
		       const struct response_plan *plan, struct strbuf *err)
{
	const struct policy *p = plan->policy;
	char file[128];
	snprintf(file, sizeof(file), "cors-%s.conf", p->name);

	bool origin_test = plan_needs(plan, PLAN_NEED_ALLOWED);
	put_header_comment(sb, ctx, p, origin_test);
	put_module_guard(sb, file, "headers_module", "headers");
	put_module_guard(sb, file, "alias_module", "alias");
	put_module_guard(sb, file, "authz_core_module", "authz_core");
	if (origin_test)
		put_module_guard(sb, file, "setenvif_module", "setenvif");
	sb_putc(sb, '\n');

	if (origin_test && !put_origin_matching(sb, ctx, p, err))
		return false;

	if (origin_test)
		sb_printf(sb, "# The preflight's answer waits until the test above has run: in\n"
			  "# <VirtualHost> it runs first; in <Location> mod_alias would answer\n"
			  "# before it, while the URL is mapped (no file name yet).\n"
			  "SetEnvIfExpr \"true\" CORSC_TESTED_%s\n\n", p->name);
	sb_printf(sb, "# A preflight is answered here, for every origin, with %d, login or not.\n",
		  plan->preflight_status);
	if (origin_test)
		sb_printf(sb, "<If \"%s && (-n reqenv('CORSC_TESTED_%s') || -n %%{REQUEST_FILENAME})\">\n",
			  preflight_expr, p->name);
	else
		sb_printf(sb, "<If \"%s\">\n", preflight_expr);
	sb_printf(sb, "    Require all granted\n"
		  "    Redirect %d\n"
		  "</If>\n\n", plan->preflight_status);

	sb_puts(sb, "# Merged after every other section and .htaccess file: these run last.\n"
		"<If \"true\">\n");
	struct strbuf body = STRBUF_INIT;
	bool ok = put_headers(&body, plan, err);
	for (const char *line = sb_str(&body); ok && *line;) {   /* indented in <If> */
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (n)
			sb_puts(sb, "    ");
		sb_add(sb, line, n);
		sb_putc(sb, '\n');
		line += n + (nl != NULL);
	}
	if (body.failed) {
		ok = false;
		sb_puts(err, "out of memory");
	}
	sb_release(&body);
	sb_puts(sb, "</If>\n");
	return ok;
}

/* The Header lines of a plan, in the order they run. */
static bool put_headers(struct strbuf *sb, const struct response_plan *plan, struct strbuf *err)
{
	if (plan->strip_app_headers) {
		sb_puts(sb, "# The application's own Access-Control-* headers never reach the client.\n");
		for (size_t i = 0; i < CORS_NHEADERS; i++)
			sb_printf(sb, "Header onsuccess unset %s\n"
				  "Header always unset %s\n",
				  cors_response_headers[i], cors_response_headers[i]);
	}
	if (!plan->vary_origin)
		sb_puts(sb, "# The answer does not depend on Origin: take Origin out of a Vary that an\n"
			"# enclosing scope's policy merged (the application's own Vary is kept).\n"
			"Header always edit* Vary \"(?i)(?:^|,)\\s*Origin\\s*(?=,|$)\" \"\"\n"
			"Header always unset Vary \"expr=-z resp('Vary')\"\n");
	sb_putc(sb, '\n');

	sb_puts(sb, "# The policy's headers, on every status.\n");
	for (size_t i = 0; i < plan->n; i++)
		if (!put_row(sb, plan->policy, &plan->rows[i], err))
			return false;
	if (plan->vary_origin)
		sb_puts(sb, "Header always merge Vary Origin\n");
	return true;
}

bool emit_apache(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err)
{
	for (size_t i = 0; i < ctx->npolicies; i++) {
		const struct policy *p = &ctx->policies[i];
		if (!policy_name_ok(p->name)) {
			sb_printf(err, "policy name \"%s\" cannot name an Apache file", p->name);
			return false;
		}
		struct strbuf sb = STRBUF_INIT;
		struct response_plan plan;
		response_plan_make(p, &plan);
		bool ok = put_policy(&sb, ctx, &plan, err);
		response_plan_release(&plan);
		if (!ok) {
			sb_release(&sb);
			sb_printf(err, " (policy \"%s\")", p->name);
			return false;
		}
		char path[128];
		snprintf(path, sizeof(path), "apache/cors-%s.conf", p->name);
		if (!out_set_add(out, path, &sb)) {
			sb_puts(err, "out of memory");
			return false;
		}
	}
	return true;
}
