/*
 * nginx.c - the nginx backend: nginx/cors-http.conf (the maps of every
 * policy, included once in http {}) and nginx/cors-NAME.conf per policy
 * (add_header, *_hide_header and the preflight's 204, in server {} or location {}).
 */
#include "nginx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "origin.h"
#include "response.h"

/* nginx reads a parameter into a 4096-byte buffer; stay well below. */
#define NGX_PARAM_MAX 3000
/* The most pieces one header value is split into (see put_value_maps). */
#define NGX_MAX_CHUNKS 64

#define DOLLAR_VAR "${cors__dollar}"

static const char *const hide_modules[] = { "proxy", "fastcgi", "uwsgi", "scgi", "grpc" };

/* ---- nginx strings ---- */

/*
 * nginx's reader (ngx_conf_read_token) drops the backslash of \" \' \\ and
 * turns \t \r \n into control characters; any other backslash stays.
 */
static bool backslash_needs_double(const char *s, size_t len, size_t i)
{
	if (i + 1 == len)
		return true;      /* it would escape the closing quote */
	char c = s[i + 1];
	return c == '"' || c == '\'' || c == '\\' || c == 't' || c == 'r' || c == 'n';
}

size_t ngx_quoted_len(const char *s, size_t len, enum ngx_quote_mode mode)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return (size_t)-1;
		if (c == '"')
			n += 2;
		else if (c == '\\')
			n += backslash_needs_double(s, len, i) ? 2 : 1;
		else if (c == '$' && mode == NGX_VALUE)
			n += strlen(DOLLAR_VAR);
		else
			n++;
	}
	return n;
}

bool ngx_quote(struct strbuf *sb, const char *s, size_t len, enum ngx_quote_mode mode,
	       bool *dollar)
{
	/* most strings (every origin) need no escape: one scan, one copy */
	size_t plain = 0;
	while (plain < len) {
		unsigned char c = (unsigned char)s[plain];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '$')
			break;
		plain++;
	}
	if (plain == len) {
		sb_putc(sb, '"');
		sb_add(sb, s, len);
		sb_putc(sb, '"');
		return true;
	}
	if (ngx_quoted_len(s, len, mode) == (size_t)-1)
		return false;
	sb_putc(sb, '"');
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"') {
			sb_puts(sb, "\\\"");
		} else if (c == '\\') {
			sb_puts(sb, backslash_needs_double(s, len, i) ? "\\\\" : "\\");
		} else if (c == '$' && mode == NGX_VALUE) {
			/* nginx has no escape for '$': a geo variable holds one */
			sb_puts(sb, DOLLAR_VAR);
			if (dollar)
				*dollar = true;
		} else {
			sb_putc(sb, c);
		}
	}
	sb_putc(sb, '"');
	return true;
}

/* ---- map hash sizing: ngx_hash_init of nginx 1.22, 64-bit ---- */

#define NGX_PTR 8
#define NGX_DEFAULT_MAX 2048
#define NGX_DEFAULT_BUCKET 64      /* ngx_cacheline_size on x86-64 and arm64 */
#define NGX_BUCKET_LIMIT 8192
#define SEARCH_TRIES 64

static size_t elt_size(size_t keylen)
{
	return NGX_PTR + ((keylen + 2 + NGX_PTR - 1) & ~(size_t)(NGX_PTR - 1));
}

static uint64_t key_hash(const char *s)
{
	uint64_t k = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		k = k * 31 + (uint64_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	return k;
}

/* Do the keys fit into size buckets of bucket bytes?  load: scratch of size entries. */
static bool fits_size(const uint64_t *hash, const size_t *elt, size_t n, size_t size,
		      size_t bucket, size_t *load)
{
	memset(load, 0, size * sizeof(*load));
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)(hash[i] % size);
		load[k] += elt[i];
		if (load[k] > bucket - NGX_PTR)
			return false;
	}
	return true;
}

/* A map's keys as nginx's search sees them, computed once for every size tried. */
struct hashed_keys {
	uint64_t *hash;
	size_t *elt;          /* elt_size of each key */
	size_t n, max_elt;
};

static struct hashed_keys *hash_keys(const struct ngx_hash_keys *maps, size_t nmaps)
{
	struct hashed_keys *hk = xcalloc(nmaps ? nmaps : 1, sizeof(*hk));
	for (size_t i = 0; i < nmaps; i++) {
		size_t n = maps[i].n;
		hk[i].n = n;
		hk[i].hash = xmalloc((n ? n : 1) * sizeof(*hk[i].hash));
		hk[i].elt = xmalloc((n ? n : 1) * sizeof(*hk[i].elt));
		for (size_t k = 0; k < n; k++) {
			hk[i].hash[k] = key_hash(maps[i].keys[k]);
			hk[i].elt[k] = elt_size(strlen(maps[i].keys[k]));
			if (hk[i].elt[k] > hk[i].max_elt)
				hk[i].max_elt = hk[i].elt[k];
		}
	}
	return hk;
}

static void free_hashed_keys(struct hashed_keys *hk, size_t nmaps)
{
	for (size_t i = 0; i < nmaps; i++) {
		free(hk[i].hash);
		free(hk[i].elt);
	}
	free(hk);
}

/*
 * Whether nginx's search finds a table size from start to max where every
 * bucket fits: the largest such size, found from the top.  With nginx_rule,
 * start as nginx computes it (including its jump to max - 1000 for large
 * tables); 0 if none fits (nginx then warns).
 */
static size_t search_size(const struct hashed_keys *m, size_t max, size_t bucket, bool nginx_rule)
{
	size_t n = m->n, found = 0;
	if (n && bucket < m->max_elt + NGX_PTR)
		return 0;
	size_t *load = xmalloc(max * sizeof(*load));
	size_t start = n / ((bucket - NGX_PTR) / (2 * NGX_PTR));
	if (start == 0)
		start = 1;
	if (nginx_rule && max > 10000 && n && max / n < 100)
		start = max - 1000;
	/*
	 * nginx takes the first size from start up that fits; any size in
	 * [start, max] that fits proves nginx will find one.  Searching down
	 * from max finds such a size in a few tries (a large table rarely
	 * overflows a bucket), where searching up from start may try thousands.
	 * When corsc picks the sizes itself (not nginx_rule), a bucket that
	 * finds none in SEARCH_TRIES sizes is given up for a larger one: with
	 * room for one key a bucket, thousands of keys collide at every size.
	 */
	size_t tries = nginx_rule ? SIZE_MAX : SEARCH_TRIES;
	for (size_t size = max; size >= start && size > 0 && tries > 0; size--, tries--)
		if (fits_size(m->hash, m->elt, n, size, bucket, load)) {
			found = size;
			break;
		}
	free(load);
	return found;
}

static bool fits_all(const struct hashed_keys *hk, size_t nmaps, size_t max, size_t bucket)
{
	for (size_t i = 0; i < nmaps; i++)
		if (search_size(&hk[i], max, bucket, true) == 0)
			return false;
	return true;
}

bool ngx_hash_fits(const struct ngx_hash_keys *maps, size_t nmaps, size_t max, size_t bucket)
{
	struct hashed_keys *hk = hash_keys(maps, nmaps);
	bool fits = fits_all(hk, nmaps, max, bucket);
	free_hashed_keys(hk, nmaps);
	return fits;
}

static bool choose_sizes(const struct hashed_keys *hk, size_t nmaps, size_t *max, size_t *bucket)
{
	if (fits_all(hk, nmaps, NGX_DEFAULT_MAX, NGX_DEFAULT_BUCKET))
		return false;
	/*
	 * The smallest bucket (a multiple of the cache line) with which every
	 * map finds a table of at most max(2048, twice its keys) slots: short
	 * buckets, a small table, one lookup either way.
	 */
	for (size_t b = NGX_DEFAULT_BUCKET; b <= NGX_BUCKET_LIMIT; b += NGX_DEFAULT_BUCKET) {
		size_t m = NGX_DEFAULT_MAX;
		bool ok = true;
		for (size_t i = 0; i < nmaps && ok; i++) {
			size_t cap = hk[i].n * 2 > NGX_DEFAULT_MAX ? hk[i].n * 2 : NGX_DEFAULT_MAX;
			size_t s = search_size(&hk[i], cap, b, false);
			if (s == 0)
				ok = false;
			else if (s > m)
				m = s;
		}
		if (ok && fits_all(hk, nmaps, m, b)) {
			*max = m;
			*bucket = b;
			return true;
		}
	}
	/* Not reached for keys nginx accepts at all; the largest bucket then. */
	*max = NGX_DEFAULT_MAX;
	*bucket = NGX_BUCKET_LIMIT;
	return true;
}

bool ngx_hash_sizes(const struct ngx_hash_keys *maps, size_t nmaps, size_t *max, size_t *bucket)
{
	struct hashed_keys *hk = hash_keys(maps, nmaps);
	bool sized = choose_sizes(hk, nmaps, max, bucket);
	free_hashed_keys(hk, nmaps);
	return sized;
}

/* ---- one policy ---- */

struct emitter {
	const struct emit_ctx *ctx;
	struct strbuf *err;
	bool dollar;           /* some value holds a '$': define $cors__dollar */
	bool failed;
};

/*
 * nginx keeps variable names in a hash whose buckets hold 64 bytes by
 * default (variables_hash_bucket_size): a name of more than 46 characters
 * fails nginx -t.  Ours are "cors_", a base, and a suffix of at most 17
 * ("_allow_headers_64"), so the base has at most 24 characters.
 */
#define NGX_VAR_BASE_MAX 24
#define NGX_VAR_SHORT_MAX 20

/*
 * "cors_" and the policy name in lower case with '-' as '_'; a name longer
 * than NGX_VAR_SHORT_MAX keeps its first 15 characters and adds '_' and a
 * hash of the whole, which makes 24: no short name has that length, and
 * names equal after folding are refused before (E004).
 */
static bool var_name(struct emitter *e, const struct policy *p, char *buf, size_t size)
{
	size_t n = strlen(p->name);
	if (n == 0 || n + 6 > size) {
		sb_printf(e->err, "nginx: policy name '%.64s...' is too long", p->name);
		return false;
	}
	if (!policy_name_ok(p->name)) {
		sb_puts(e->err, "nginx: policy name '");
		put_comment_text(e->err, p->name);
		sb_puts(e->err, "' is not usable in an nginx variable name");
		return false;
	}
	memcpy(buf, "cors_", 5);
	uint32_t h = 2166136261u;   /* FNV-1a of the folded name */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p->name[i];
		buf[5 + i] = c == '-' ? '_' : (char)ascii_tolower(c);
		h = (h ^ (unsigned char)buf[5 + i]) * 16777619u;
	}
	if (n > NGX_VAR_SHORT_MAX)
		n = 15 + (size_t)snprintf(buf + 5 + 15, size - 5 - 15, "_%08x", (unsigned)h);
	buf[5 + n] = '\0';
	return true;
}

/* Two long names with the same first 15 characters and the same hash. */
static bool var_names_distinct(struct emitter *e, const struct emit_ctx *ctx, char (*vars)[80])
{
	for (size_t i = 0; i < ctx->npolicies; i++) {
		if (strlen(ctx->policies[i].name) <= NGX_VAR_SHORT_MAX)
			continue;
		for (size_t j = i + 1; j < ctx->npolicies; j++) {
			if (strcmp(vars[i], vars[j]) == 0) {
				sb_printf(e->err, "nginx: policies '%s' and '%s' give the same variable "
					  "name '%s': shorten one of the names", ctx->policies[i].name,
					  ctx->policies[j].name, vars[i]);
				return false;
			}
		}
	}
	return true;
}

static void quote_or_fail(struct emitter *e, struct strbuf *sb, const char *s,
			  enum ngx_quote_mode mode, const char *what, const struct policy *p)
{
	if (ngx_quote(sb, s, strlen(s), mode, &e->dollar))
		return;
	if (!e->failed)
		sb_printf(e->err, "nginx: policy '%s': %s holds a control character, "
			  "which no nginx string can carry", p->name, what);
	e->failed = true;
}

/*
 * Maps that give variable var the value value when key (a complex value)
 * equals on (a map key), and "" otherwise.  A value longer than one nginx
 * parameter is split over var_1, var_2, ... that the caller joins; returns
 * the number of pieces (1: var itself), 0 on failure.
 */
static size_t put_value_maps(struct emitter *e, struct strbuf *sb, const struct policy *p,
			     const char *key, const char *on, const char *var,
			     const char *value, const char *what)
{
	size_t len = strlen(value);
	size_t starts[NGX_MAX_CHUNKS + 1], n = 0, cur = 0;
	starts[n++] = 0;
	for (size_t i = 0; i < len; i++) {
		size_t w = ngx_quoted_len(value + i, 1, NGX_VALUE);
		if (w == (size_t)-1)
			w = 1;   /* quote_or_fail reports it */
		if (value[i] == '\\')
			w = 2;   /* a piece may end with it: count it doubled */
		if (cur + w > NGX_PARAM_MAX) {
			if (n == NGX_MAX_CHUNKS) {
				if (!e->failed)
					sb_printf(e->err, "nginx: policy '%s': the %s value is longer "
						  "than nginx can hold (%zu bytes)", p->name, what, len);
				e->failed = true;
				return 0;
			}
			starts[n++] = i;
			cur = 0;
		}
		cur += w;
	}
	starts[n] = len;
	for (size_t k = 0; k < n; k++) {
		char *piece = xstrndup(value + starts[k], starts[k + 1] - starts[k]);
		sb_printf(sb, "map %s $%s", key, var);
		if (n > 1)
			sb_printf(sb, "_%zu", k + 1);
		sb_printf(sb, " {\n    default \"\";\n    %s ", on);
		quote_or_fail(e, sb, piece, NGX_VALUE, what, p);
		sb_puts(sb, ";\n}\n");
		free(piece);
	}
	return n;
}

/* "$var" or "$var_1$var_2..." for the add_header of a value split in n pieces. */
static void put_value_ref(struct strbuf *sb, const char *var, size_t n)
{
	sb_putc(sb, '"');
	if (n == 1)
		sb_printf(sb, "$%s", var);
	for (size_t k = 1; n > 1 && k <= n; k++)
		sb_printf(sb, "${%s_%zu}", var, k);
	sb_putc(sb, '"');
}

static bool has_upper(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return true;
	return false;
}

/* A map key that nginx hashes exactly (ignoring case): lower case, no regex. */
static bool hashable(const struct origin *o)
{
	return o->kind != ORIGIN_PATTERN && !has_upper(o->text);
}

/* The exact origins of p that go into the hash, sorted, without duplicates. */
static struct ngx_hash_keys exact_keys(const struct emit_ctx *ctx, const struct policy *p)
{
	size_t n;
	bool owned;
	const char **sorted = emit_exact_sorted(ctx, p, &n, &owned);
	struct ngx_hash_keys k = { xmalloc((n ? n : 1) * sizeof(char *)), 0 };
	for (size_t i = 0; i < n; i++)
		if (!has_upper(sorted[i]))
			k.keys[k.n++] = sorted[i];
	if (owned)
		free(sorted);
	return k;
}

/*
 * $V_allowed: "1" if p allows the request's Origin, else ""; $V_origin: then
 * the Origin, else "".  nginx's hash ignores case but corsc matches byte for
 * byte (README), so the hash only says "some key equals Origin ignoring
 * case"; its value, $V_case, then insists that Origin has no upper-case
 * letter (every hashed key is lower case) and otherwise, like a miss, goes
 * on to the patterns ($V_pattern).  A map's value that names a variable is
 * evaluated only when it is chosen: an exact origin costs one hash lookup
 * and one unanchored "[A-Z]" regex, and the pattern regexes run only when no
 * exact origin matched.  The chain gives a flag, not the origin, so that
 * $V_origin's map hashes one character, not the whole Origin again.
 */
static void put_origin_maps(struct emitter *e, struct strbuf *sb, const struct policy *p,
			    const char *v, const struct ngx_hash_keys *keys)
{
	struct strbuf re = STRBUF_INIT;
	size_t npatterns = 0;
	for (size_t i = 0; i < p->norigins; i++)
		npatterns += !hashable(&p->origins[i]);
	char pattern[100];
	if (npatterns)
		snprintf(pattern, sizeof(pattern), "$%s_pattern", v);
	else
		snprintf(pattern, sizeof(pattern), "\"\"");
	if (keys->n) {
		sb_printf(sb, "map $http_origin $%s_allowed {\n    default %s;\n", v, pattern);
		for (size_t i = 0; i < keys->n; i++) {
			sb_puts(sb, "    ");
			quote_or_fail(e, sb, keys->keys[i], NGX_LITERAL, "an origin", p);
			sb_printf(sb, " $%s_case;\n", v);
		}
		sb_puts(sb, "}\n");
		sb_printf(sb, "map $http_origin $%s_case {\n    default 1;\n"
			  "    \"~[A-Z]\" %s;\n}\n", v, pattern);
		if (npatterns)
			sb_printf(sb, "map $http_origin $%s_pattern {\n    default \"\";\n", v);
	} else {
		sb_printf(sb, "map $http_origin $%s_allowed {\n    default \"\";\n", v);
	}
	/*
	 * The patterns as few alternations as nginx's parameter length allows:
	 * one regex call each (most of a call is its setup), not one a pattern.
	 */
	struct strbuf one = STRBUF_INIT;
	size_t inre = 0;
	for (size_t i = 0; i <= p->norigins; i++) {
		const struct origin *o = i < p->norigins ? &p->origins[i] : NULL;
		if (o && hashable(o))
			continue;
		if (o) {
			sb_reset(&one);
			sb_puts(&one, "(?:");
			origin_regex(&one, o, REGEX_PCRE);
			sb_puts(&one, ")");
			if (one.failed)
				die_oom();
		}
		size_t add = o ? ngx_quoted_len(sb_str(&one), one.len, NGX_LITERAL) : 0;
		if (inre && (!o || add == (size_t)-1 ||
			     ngx_quoted_len(sb_str(&re), re.len, NGX_LITERAL) + 1 + add + 4 > NGX_PARAM_MAX)) {
			sb_puts(&re, ")$");
			if (re.failed)
				die_oom();
			sb_puts(sb, "    ");
			quote_or_fail(e, sb, sb_str(&re), NGX_LITERAL, "an origin", p);
			sb_puts(sb, " 1;\n");
			inre = 0;
		}
		if (!o)
			break;
		if (!inre) {
			sb_reset(&re);
			sb_puts(&re, "~^(?:");
		} else {
			sb_putc(&re, '|');
		}
		sb_add(&re, sb_str(&one), one.len);
		inre++;
	}
	sb_release(&one);
	if (npatterns || !keys->n)
		sb_puts(sb, "}\n");
	sb_printf(sb, "map $%s_allowed $%s_origin {\n    default \"\";\n    1 $http_origin;\n}\n", v, v);
	sb_release(&re);
}

/* How many pieces each row's value was split into (0: not sent by a map). */
struct pieces {
	size_t n[CH__COUNT];
};

/* "cors_NAME_" + the statement's keyword with '_' for '-': a row's variable. */
static void row_var(char *buf, size_t size, const char *v, const struct plan_row *r)
{
	int n = snprintf(buf, size, "%s_%s", v, stmt_keyword(r->stmt));
	for (int i = (int)strlen(v); i < n && (size_t)i < size; i++)
		if (buf[i] == '-')
			buf[i] = '_';
}

/*
 * The map key and the value it must have for row r to apply: the request's
 * kind ($cors__preflight: "1" or ""), whether the origin is allowed
 * ($V_allowed, or "1" when the row needs nothing), and for a private network
 * row the request's Access-Control-Request-Private-Network.
 */
static void row_condition(const struct plan_row *r, const char *v, char *key, size_t ksize,
			  char *on, size_t osize)
{
	char allowed[100];
	if (r->needs & PLAN_NEED_ALLOWED)
		snprintf(allowed, sizeof(allowed), "$%s_allowed", v);
	else
		snprintf(allowed, sizeof(allowed), "1");
	const char *pna = r->needs & PLAN_NEED_PNA
		? ":$http_access_control_request_private_network" : "";
	const char *kind = r->when == PLAN_PREFLIGHT ? "1:" : r->when == PLAN_ACTUAL ? ":" : "";

	if (r->when != PLAN_BOTH && !*pna && (r->needs & PLAN_NEED_ALLOWED)) {
		/* one variable, not a key built per request (put_kind_maps) */
		snprintf(key, ksize, "$%s_%s", v, r->when == PLAN_PREFLIGHT ? "pf" : "act");
		snprintf(on, osize, "1");
		return;
	}
	if (r->when == PLAN_PREFLIGHT && !*pna) {
		snprintf(key, ksize, "$cors__preflight");
		snprintf(on, osize, "1");
		return;
	}
	if (r->when == PLAN_BOTH && !*pna)
		snprintf(key, ksize, "%s", allowed);
	else if (r->when == PLAN_BOTH)
		snprintf(key, ksize, "\"%s%s\"", allowed, pna);
	else
		snprintf(key, ksize, "\"$cors__preflight:%s%s\"", allowed, pna);
	if (*pna)       /* README: only for Access-Control-Request-Private-Network: true exactly */
		snprintf(on, osize, "\"~^%s1:true$\"", kind);
	else if (r->when == PLAN_BOTH)
		snprintf(on, osize, "1");
	else
		snprintf(on, osize, "\"%s1\"", kind);
}

/* A row nginx writes without a map: one value on every response. */
static bool row_inline(const struct plan_row *r)
{
	return r->kind == PLAN_LITERAL && r->when == PLAN_BOTH && r->needs == 0;
}

/*
 * $V_pf: "1" for a preflight from an allowed origin; $V_act: "1" for any
 * other request from an allowed origin.  A map's value that names a variable
 * is evaluated only when chosen, so a request of the other kind never looks
 * at the origin for these, and each row's map hashes one short value.
 */
static void put_kind_maps(struct strbuf *sb, const struct response_plan *plan, const char *v)
{
	bool pf = false, act = false;
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_row *r = &plan->rows[i];
		if (r->kind == PLAN_ECHO_ORIGIN || row_inline(r) || (r->needs & PLAN_NEED_PNA) ||
		    !(r->needs & PLAN_NEED_ALLOWED))
			continue;
		pf |= r->when == PLAN_PREFLIGHT;
		act |= r->when == PLAN_ACTUAL;
	}
	if (pf)
		sb_printf(sb, "map $cors__preflight $%s_pf {\n    default \"\";\n"
			  "    1 $%s_allowed;\n}\n", v, v);
	if (act)
		sb_printf(sb, "map $cors__preflight $%s_act {\n    default $%s_allowed;\n"
			  "    1 \"\";\n}\n", v, v);
}

/* The maps of one policy, for cors-http.conf. */
static void put_policy_maps(struct emitter *e, struct strbuf *sb, const struct response_plan *plan,
			    const char *v, const struct ngx_hash_keys *keys, struct pieces *pc)
{
	const struct policy *p = plan->policy;
	char key[256], on[64], var[128];

	sb_printf(sb, "\n# policy \"%s\" (cors-%s.conf)\n", p->name, p->name);
	memset(pc, 0, sizeof(*pc));
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_row *r = &plan->rows[i];
		if (r->kind == PLAN_ECHO_ORIGIN) {
			put_origin_maps(e, sb, p, v, keys);
			put_kind_maps(sb, plan, v);
			continue;
		}
		if (row_inline(r)) {      /* written in cors-NAME.conf: only its '$' matters here */
			e->dollar |= strchr(r->value, '$') != NULL;
			continue;
		}
		row_condition(r, v, key, sizeof(key), on, sizeof(on));
		row_var(var, sizeof(var), v, r);
		pc->n[r->header] = put_value_maps(e, sb, p, key, on, var, r->value,
						  stmt_keyword(r->stmt));
	}
}

/* set $VAR ""; for each map-sent row of one kind (the pieces of a split value too) */
static void put_sets(struct strbuf *sb, const struct response_plan *plan, const char *v,
		     const struct pieces *pc, enum plan_when when, const char *indent)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_row *r = &plan->rows[i];
		char var[128];
		size_t n = pc->n[r->header];
		if (r->when != when || r->kind == PLAN_ECHO_ORIGIN || row_inline(r) || n == 0)
			continue;
		row_var(var, sizeof(var), v, r);
		if (n == 1)
			sb_printf(sb, "%sset $%s \"\";\n", indent, var);
		for (size_t k = 1; n > 1 && k <= n; k++)
			sb_printf(sb, "%sset $%s_%zu \"\";\n", indent, var, k);
	}
}

/* cors-NAME.conf */
static void put_policy_file(struct emitter *e, struct strbuf *sb,
			    const struct response_plan *plan, const char *v, const struct pieces *pc)
{
	const struct policy *p = plan->policy;
	sb_printf(sb, "# Generated by corsc %s from ", CORSC_VERSION);
	put_comment_text(sb, e->ctx->input ? e->ctx->input : "-");
	sb_printf(sb, "; do not edit.\n"
		  "# Needs cors-http.conf in http { }; without it: unknown \"cors__preflight\" variable\n"
		  "# CORS policy \"%s\" for nginx 1.22 or later.\n"
		  "#\n"
		  "# Include it inside the server { } or location { } that serves the policy's\n"
		  "# resources (a relative path is resolved against nginx's configuration\n"
		  "# folder, /etc/nginx on Debian, not against the including file's):\n"
		  "#     include cors-%s.conf;\n"
		  "# nginx inherits add_header and *_hide_header directives only into a level\n"
		  "# that has none of its own: an add_header (or proxy_hide_header, ...) in a\n"
		  "# location nested inside the including one disables these there (next to\n"
		  "# this include, in the same block, both apply), and yours from an outer\n"
		  "# level stop here: repeat them next to it.  Preflights (OPTIONS with Origin and\n"
		  "# Access-Control-Request-Method) are answered here with %d, before any\n"
		  "# auth_basic or auth_request.\n"
		  "# Not covered from here (README, \"Deployment shapes\"), because an\n"
		  "# nginx rewrite-phase answer is not inherited into other locations:\n"
		  "#   - a policy at server level and another in a location: the server\n"
		  "#     level answers every preflight; include each policy in a location;\n"
		  "#   - a location nested in the including one, and the target of\n"
		  "#     error_page, try_files (a named location) or another internal\n"
		  "#     redirect: include this file there too;\n"
		  "#   - limit_except in the including location: preflights (OPTIONS)\n"
		  "#     get its access rules (deny all: 403); list OPTIONS in it;\n"
		  "#   - a return or rewrite ... redirect at server level answers before\n"
		  "#     any location: include this file at server level too;\n"
		  "#   - two Origin lines: nginx before 1.23 sees the first one only.\n"
		  "# Modules: headers, rewrite, map (cors-http.conf); proxy, fastcgi, uwsgi,\n"
		  "# scgi and grpc for *_hide_header (all built into nginx by default).\n\n",
		  p->name, p->name, plan->preflight_status);

	/*
	 * The preflight's answer; before it, the actual-only rows' variables
	 * are set to "", after it (other requests) the preflight-only rows':
	 * the value their maps would give, but set in the rewrite phase for
	 * a few instructions instead of an add_header's map lookup.  Where the
	 * sets do not run (a nested location inherits add_header but not the
	 * rewrite module's directives) the maps still answer.
	 */
	sb_puts(sb, "if ($cors__preflight) {\n");
	put_sets(sb, plan, v, pc, PLAN_ACTUAL, "    ");
	sb_printf(sb, "    return %d;\n}\n", plan->preflight_status);
	put_sets(sb, plan, v, pc, PLAN_PREFLIGHT, "");
	sb_putc(sb, '\n');
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_row *r = &plan->rows[i];
		char var[128];
		if (r->kind == PLAN_ECHO_ORIGIN) {
			sb_printf(sb, "add_header %s \"$%s_origin\" always;\n", r->name, v);
		} else if (row_inline(r)) {
			sb_printf(sb, "add_header %s ", r->name);
			quote_or_fail(e, sb, r->value, NGX_VALUE, stmt_keyword(r->stmt), p);
			sb_puts(sb, " always;\n");
		} else if (pc->n[r->header]) {
			row_var(var, sizeof(var), v, r);
			sb_printf(sb, "add_header %s ", r->name);
			put_value_ref(sb, var, pc->n[r->header]);
			sb_puts(sb, " always;\n");
		}
	}
	if (plan->vary_origin)
		sb_puts(sb, "add_header Vary \"Origin\" always;\n");

	if (!plan->strip_app_headers)
		return;
	sb_puts(sb, "\n# the policy's headers replace the application's own\n");
	for (size_t m = 0; m < ARRAY_SIZE(hide_modules); m++)
		for (size_t h = 0; h < CORS_NHEADERS; h++)
			sb_printf(sb, "%s_hide_header %s;\n", hide_modules[m], cors_response_headers[h]);
}

static void put_http_header(const struct emitter *e, struct strbuf *sb, bool sized)
{
	sb_printf(sb, "# Generated by corsc %s from ", CORSC_VERSION);
	put_comment_text(sb, e->ctx->input ? e->ctx->input : "-");
	sb_puts(sb, "; do not edit.\n"
		"# CORS for nginx 1.22 or later: the maps of every policy.\n"
		"#\n"
		"# Include it once inside http { }, then cors-NAME.conf where each policy\n"
		"# applies (a relative path is resolved against nginx's configuration\n"
		"# folder, /etc/nginx on Debian, not against the including file's):\n"
		"#     include cors-http.conf;\n");
	if (sized)
		sb_puts(sb, "# It sets map_hash_max_size and map_hash_bucket_size for every map of\n"
			"# http { }: include it before any map of your own, and set neither\n"
			"# yourself (nginx fixes both at the first map and allows each once).\n");
	sb_puts(sb, "# Modules: map (and geo if a header name holds '$'), built into nginx by\n"
		"# default.  Variables: $cors__* and $cors_NAME_*.\n");
}

bool emit_nginx(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err)
{
	struct emitter e = { ctx, err, false, false };
	struct strbuf maps = STRBUF_INIT, http = STRBUF_INIT;
	struct ngx_hash_keys *keys = xcalloc(ctx->npolicies ? ctx->npolicies : 1, sizeof(*keys));
	struct pieces *pcs = xcalloc(ctx->npolicies ? ctx->npolicies : 1, sizeof(*pcs));
	struct response_plan *plans = xcalloc(ctx->npolicies ? ctx->npolicies : 1, sizeof(*plans));
	char (*vars)[80] = xcalloc(ctx->npolicies ? ctx->npolicies : 1, sizeof(*vars));
	bool ok = true;

	for (size_t i = 0; i < ctx->npolicies && ok; i++) {
		const struct policy *p = &ctx->policies[i];
		ok = var_name(&e, p, vars[i], sizeof(vars[i]));
		if (!ok)
			break;
		response_plan_make(p, &plans[i]);
		if (plan_needs(&plans[i], PLAN_NEED_ALLOWED))
			keys[i] = exact_keys(ctx, p);
		put_policy_maps(&e, &maps, &plans[i], vars[i], &keys[i], &pcs[i]);
		ok = !e.failed;
	}
	ok = ok && var_names_distinct(&e, ctx, vars);

	if (ok) {
		size_t max, bucket;
		bool sized = ngx_hash_sizes(keys, ctx->npolicies, &max, &bucket);
		put_http_header(&e, &http, sized);
		if (sized) {
			sb_puts(&http, "\n# sized for the exact origins below (a model of nginx's ngx_hash_init)\n");
			sb_printf(&http, "map_hash_max_size %zu;\nmap_hash_bucket_size %zu;\n", max, bucket);
		}
		if (e.dollar)
			sb_puts(&http, "\n# nginx has no escape for '$' in a string: ${cors__dollar} is one\n"
				"geo $cors__dollar {\n    default \"$\";\n}\n");
		/* an exact key (a hash lookup, not a regex): nginx refuses a method
		 * that is not upper case, so the map's case folding changes nothing */
		sb_puts(&http, "\n# a preflight: OPTIONS with a non-empty Origin and Access-Control-Request-Method\n"
			"# (a value that names a variable is evaluated only when chosen: another\n"
			"# method costs one lookup)\n"
			"map $request_method $cors__preflight {\n    default \"\";\n    OPTIONS $cors__acrm_origin;\n}\n"
			"map $http_access_control_request_method $cors__acrm_origin {\n"
			"    default $cors__has_origin;\n    \"\" \"\";\n}\n"
			"map $http_origin $cors__has_origin {\n    default 1;\n    \"\" \"\";\n}\n");
		/*
		 * The header goes in front of the maps in their own buffer (moved
		 * up in place), not the maps after the header: no second copy of
		 * the largest nginx file.
		 */
		size_t hl = http.len, ml = maps.len;
		sb_add(&maps, http.buf ? http.buf : "", hl);
		if (!maps.failed && hl) {
			memmove(maps.buf + hl, maps.buf, ml);
			memcpy(maps.buf, http.buf, hl);
		}
		if (http.failed)
			maps.failed = true;
		ok = out_set_add(out, "nginx/cors-http.conf", &maps);
		if (!ok)
			sb_puts(err, "out of memory");
	}
	for (size_t i = 0; i < ctx->npolicies && ok; i++) {
		struct strbuf f = STRBUF_INIT;
		char path[128];
		put_policy_file(&e, &f, &plans[i], vars[i], &pcs[i]);
		snprintf(path, sizeof(path), "nginx/cors-%s.conf", ctx->policies[i].name);
		if (e.failed) {
			sb_release(&f);
			ok = false;
			break;
		}
		ok = out_set_add(out, path, &f);
		if (!ok)
			sb_puts(err, "out of memory");
	}

	for (size_t i = 0; i < ctx->npolicies; i++) {
		free(keys[i].keys);
		response_plan_release(&plans[i]);
	}
	free(plans);
	free(keys);
	free(pcs);
	free(vars);
	sb_release(&maps);
	sb_release(&http);
	return ok;
}
