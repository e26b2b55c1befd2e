/*
 * validate.c - every rule of SPEC section 7 over the raw IR, in one pass that
 * reports every problem at the element at fault, then the resolved layer
 * (struct policy) for each policy without errors, with its origin index.
 */
#include "exposure.h"
#include "fixit.h"
#include "validate.h"
#include "origin.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * What the token rule lets through.  Header names and methods must be RFC
 * 9110 tokens (E030/E031), which refuses whitespace, control characters,
 * quotes, '\', ';', ',', '{', '}', '(', ')', '/', ':', '=', '@', '[', ']',
 * '?', '<', '>' and every non-ASCII byte.  It ADMITS these, which backends
 * must still quote or escape for their language:  ! # $ % & ' * + - . ^ _ ` | ~
 * Origins, once parsed by origin.c, hold only [a-z0-9._-], ':', '/', '*',
 * '[', ']' and, in a scheme, '+'.
 */

#define MAX_AGE_LIMIT 2147483647UL   /* 2^31-1 seconds */
#define CHROMIUM_MAX_AGE 7200UL

/* Short excerpt of a value for messages (diag.c makes bytes printable). */
static int shown(size_t len)
{
	return (int)(len > 64 ? 64 : len);
}

static bool is_star(const struct ir_value *v)
{
	return v->len == 1 && v->text[0] == '*';
}

static bool eq_ci(const struct ir_value *v, const char *s)
{
	return v->len == strlen(s) && ascii_strncasecmp(v->text, s, v->len) == 0;
}

static bool prefix_ci(const struct ir_value *v, const char *p)
{
	size_t n = strlen(p);
	return v->len >= n && ascii_strncasecmp(v->text, p, n) == 0;
}

/* Policy names are the same after case-folding and '-' == '_' (file names). */
static bool same_name(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = ascii_tolower((unsigned char)*a), y = ascii_tolower((unsigned char)*b);
		if (x == '_')
			x = '-';
		if (y == '_')
			y = '-';
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

/* Index of the first byte of v that is not a token character, or len. */
static size_t bad_tchar(const struct ir_value *v)
{
	for (size_t i = 0; i < v->len; i++)
		if (!is_tchar((unsigned char)v->text[i]))
			return i;
	return v->len;
}

static const char *describe_byte(char *buf, size_t size, unsigned char c)
{
	if (c == ' ')
		snprintf(buf, size, "a space");
	else if (c == '\t')
		snprintf(buf, size, "a tab");
	else if (c < 0x20 || c == 0x7f)
		snprintf(buf, size, "control character 0x%02x", c);
	else if (c >= 0x80)
		snprintf(buf, size, "a non-ASCII character");
	else
		snprintf(buf, size, "'%c'", c);
	return buf;
}

/* E030/E031: v must be a token.  what: "header name" or "method". */
static bool check_token(const struct ir_value *v, const char *code, const char *what,
			struct diag_queue *dq)
{
	char b[40];
	const char *note = strcmp(code, "E030") == 0
		? "a header name is a token: letters, digits and !#$%&'*+-.^_`|~, e.g. X-Request-ID"
		: "a method is a token: letters, digits and !#$%&'*+-.^_`|~, e.g. PATCH";
	if (v->len == 0) {
		diag_emit(dq, code, v->span, note, "empty %s", what);
		return false;
	}
	size_t i = bad_tchar(v);
	if (i < v->len && v->text[i] == ',')
		note = "several values are a list: [GET, POST] in YAML, or GET, POST "
		       "without quotes in the policy language";
	if (i < v->len) {
		diag_emit(dq, code, v->span, note, "%s '%.*s' is not a token: it contains %s",
			  what, shown(v->len), v->text,
			  describe_byte(b, sizeof(b), (unsigned char)v->text[i]));
		return false;
	}
	return true;
}

/*
 * W107 helper: remembers the values of one list; seen() gives the earlier
 * equal value (case-folded when ci), or NULL.  A hash, so that a list of
 * 100,000 entries costs linear time.
 */
struct seen_set {
	struct arena *arena;
	struct strmap *map;
	bool ci;
};

static void seen_init(struct seen_set *ss, struct arena *a, size_t n, bool ci)
{
	ss->arena = a;
	ss->map = strmap_new(a, n);
	ss->ci = ci;
}

static const struct ir_value *seen(struct seen_set *ss, const struct ir_value *v)
{
	const char *key = v->text;
	if (ss->ci) {
		char *low = arena_strndup(ss->arena, v->text, v->len);
		for (size_t i = 0; i < v->len; i++)
			low[i] = (char)ascii_tolower((unsigned char)low[i]);
		key = low;
	}
	bool found;
	void **slot = strmap_slot(ss->map, key, v->len, &found);
	if (found)
		return *slot;
	*slot = (void *)v;
	return NULL;
}

static void warn_duplicate(const struct ir_stmt *s, size_t i, const struct ir_value *first,
			   const char *key, struct diag_queue *dq)
{
	const struct ir_value *v = &s->values[i];
	char note[160];
	snprintf(note, sizeof(note), "first given at line %u, column %u; remove this one",
		 first->span.line, first->span.col);
	diag_emit(dq, "W107", v->span, note, "'%.*s' twice in %s", shown(v->len), v->text, key);
	diag_add_related(dq, first->span, "'%.*s' is first given here",
			 shown(first->len), first->text);
	fixit_remove_value(dq, s, i);
}

/* The single value of a scalar statement, or NULL after E033. */
static const struct ir_value *scalar(const struct ir_stmt *s, enum stmt_kind k,
				     const char *expect, struct diag_queue *dq)
{
	if (s->nvalues == 0) {
		diag_emit(dq, "E033", s->key_span, expect, "'%s' without a value", stmt_keyword(k));
		return NULL;
	}
	if (s->nvalues > 1) {
		diag_emit(dq, "E033", s->values[1].span, expect, "'%s' takes one value",
			  stmt_keyword(k));
		return NULL;
	}
	return &s->values[0];
}

/* A boolean statement: unquoted true or false, case-sensitive. */
static bool check_bool(const struct ir_stmt *s, enum stmt_kind k, bool *out,
		       struct diag_queue *dq)
{
	const char *expect = "write true or false, in lower case and without quotes";
	*out = false;
	if (!s->present)
		return true;
	const struct ir_value *v = scalar(s, k, expect, dq);
	if (!v)
		return false;
	bool t = v->len == 4 && memcmp(v->text, "true", 4) == 0;
	bool f = v->len == 5 && memcmp(v->text, "false", 5) == 0;
	if (v->quoted || !(t || f)) {
		diag_emit(dq, "E033", v->span, expect, "bad boolean %s'%.*s' for '%s'",
			  v->quoted ? "(quoted) " : "", shown(v->len), v->text, stmt_keyword(k));
		return false;
	}
	*out = t;
	return true;
}

/* max-age: DURATION = digits [s|m|h|d], at most 2^31-1 seconds; quoted or not
   (JSON has no unquoted 10m, and the JSON Schema allows the string form). */
static bool check_max_age(const struct ir_stmt *s, unsigned long *out, struct diag_queue *dq)
{
	const char *expect = "write a duration: digits, then s, m, h or d (bare digits are "
			     "seconds), e.g. max-age 10m";
	const struct ir_value *v = scalar(s, ST_MAX_AGE, expect, dq);
	if (!v)
		return false;
	const char *why = NULL;
	size_t n = v->len, digits = 0;
	unsigned long mult = 1, secs = 0;
	if (n == 0)
		why = "empty";
	else if (v->text[0] == '-')
		why = "negative";
	else {
		char unit = v->text[n - 1];
		if (unit == 's' || unit == 'm' || unit == 'h' || unit == 'd') {
			mult = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 86400;
			n--;
		}
		for (digits = 0; digits < n && v->text[digits] >= '0' && v->text[digits] <= '9'; digits++) {
			if (secs <= MAX_AGE_LIMIT)
				secs = secs * 10 + (unsigned long)(v->text[digits] - '0');
		}
		if (digits == 0 || digits < n)
			why = "not a duration";
		else if (secs > MAX_AGE_LIMIT / mult)
			why = "too large (more than 2147483647 seconds)";
		else
			secs *= mult;
	}
	if (why) {
		diag_emit(dq, "E033", v->span, expect, "bad max-age '%.*s': %s",
			  shown(v->len), v->text, why);
		return false;
	}
	if (secs > CHROMIUM_MAX_AGE)
		diag_emit(dq, "W106", v->span, "by their sources Chromium caps the preflight cache "
			  "at 7200 s (2h), Firefox at 86400 s (24h) and WebKit at 600 s; write "
			  "max-age 2h or less",
			  "max-age of %lu seconds is above what browsers honour", secs);
	*out = secs;
	return true;
}

static bool is_loopback_host(const char *host)
{
	size_t n = strlen(host);
	if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return true;
	if (n > 10 && strcmp(host + n - 10, ".localhost") == 0)
		return true;
	struct in_addr a;
	if (inet_pton(AF_INET, host, &a) == 1)
		return (ntohl(a.s_addr) >> 24) == 127;
	return false;
}

/* A growing arena array of names, for a resolved name_list. */
static void list_add(struct arena *a, struct name_list *l, size_t cap, const char *s, size_t n)
{
	if (!l->names)
		l->names = arena_alloc(a, (cap ? cap : 1) * sizeof(*l->names));
	l->names[l->n++] = arena_strndup(a, s, n);
}

/* ---- origins ---- */

static bool check_origins(struct ir_file *f, const struct ir_policy *p, bool credentials,
			  bool private_network, struct policy *out, struct diag_queue *dq)
{
	const struct ir_stmt *s = &p->stmt[ST_ORIGINS];
	bool ok = true;
	if (!s->present || s->nvalues == 0) {
		if (s->present)
			diag_emit(dq, "E005", s->key_span, "list at least one origin, or '*' for any",
				  "empty origins list in policy '%s'", p->name);
		else if (!p->damaged)
			diag_emit(dq, "E005", p->name_span, "add a statement such as "
				  "origins \"https://app.example.com\";",
				  "policy '%s' has no origins", p->name);
		return false;
	}

	const struct ir_value *star = NULL;
	size_t nstar = 0;
	for (size_t i = 0; i < s->nvalues; i++)
		if (is_star(&s->values[i])) {
			if (!star)
				star = &s->values[i];
			else
				warn_duplicate(s, i, star, "origins", dq);
			nstar++;
		}
	if (star) {
		out->any_origin = true;
		if (nstar < s->nvalues) {
			diag_emit(dq, "E013", star->span, "'*' allows every origin and stands alone: "
				  "remove it, or remove the other origins",
				  "'*' mixed with other origins");
			ok = false;
		}
		if (credentials) {
			diag_emit(dq, "E020", star->span, "list the allowed origins explicitly",
				  "credentials true with origins * is rejected by every browser");
			ok = false;
		}
		if (private_network) {
			diag_emit(dq, "E024", star->span, "list the allowed origins explicitly: "
				  "browsers refuse private network access to a wildcard origin",
				  "private-network true with origins *");
			ok = false;
		}
	}

	out->origins = arena_alloc(f->arena, s->nvalues * sizeof(*out->origins));
	/* the maps of the checks below live only until this function returns */
	struct arena *scratch = arena_new();
	/*
	 * The canonical texts seen so far, for W107: a hash set of 8-byte
	 * slots (hash, index + 1 into out->origins), small enough to stay in
	 * the cache where a strmap of 10,000 origins did not.
	 */
	size_t tcap = 8;
	while (tcap < s->nvalues + s->nvalues / 2 + 1)
		tcap *= 2;
	struct text_slot { uint32_t hash, at; } *texts = arena_alloc(scratch, tcap * sizeof(*texts));
	for (size_t i = 0; i < s->nvalues; i++) {
		const struct ir_value *v = &s->values[i];
		if (is_star(v))
			continue;
		struct origin o;
		if (!origin_parse(f->arena, v->text, v->len, v->span, &o, dq)) {
			ok = false;
			continue;
		}
		size_t tlen = strlen(o.text);
		uint64_t h = hash_bytes(o.text, tlen);
		const struct origin *dup = NULL;
		size_t t = (size_t)h & (tcap - 1);
		for (; texts[t].at; t = (t + 1) & (tcap - 1)) {
			const struct origin *seen = &out->origins[texts[t].at - 1];
			if (texts[t].hash == (uint32_t)h && strcmp(seen->text, o.text) == 0) {
				dup = seen;
				break;
			}
		}
		if (!dup) {
			texts[t].hash = (uint32_t)h;
			texts[t].at = (uint32_t)(out->norigins + 1);
		}
		if (dup) {
			char note[160];
			snprintf(note, sizeof(note), "'%s' was first given at line %u, column %u; "
				 "remove this one", dup->text, dup->span.line, dup->span.col);
			diag_emit(dq, "W107", v->span, note, "origin '%s' twice in origins", o.text);
			diag_add_related(dq, dup->span, "'%s' is first given here", dup->text);
			fixit_remove_value(dq, s, i);
			continue;
		}
		if (credentials && o.kind != ORIGIN_NULL && strcmp(o.scheme, "http") == 0 &&
		    !is_loopback_host(o.host))
			diag_emit(dq, "W105", v->span, "use https://: over plain http a network "
				  "attacker can inject a script into that origin and read the "
				  "credentialed responses", "http:// origin '%s' with credentials",
				  o.text);
		out->origins[out->norigins++] = o;
	}

	/*
	 * W108: an exact origin that a pattern of the same policy already
	 * matches.  Patterns are filed by their host (the part after "*." or
	 * "**."); an exact host is looked up with each of its suffixes, so the
	 * cost is a few lookups per origin, not one match per pattern.
	 */
	size_t npatterns = 0;
	for (size_t j = 0; j < out->norigins; j++)
		npatterns += out->origins[j].kind == ORIGIN_PATTERN;
	struct strmap *by_host = strmap_new(scratch, npatterns);
	size_t *next = arena_alloc(scratch, (out->norigins + 1) * sizeof(size_t));
	/* the lengths of the patterns' hosts: a suffix of another length needs no lookup */
	uint64_t host_len[4] = { 0, 0, 0, 0 };
	bool long_host = false;
	for (size_t j = 0; j < out->norigins; j++) {
		const struct origin *pat = &out->origins[j];
		if (pat->kind != ORIGIN_PATTERN)
			continue;
		size_t hl = strlen(pat->host);
		if (hl < 256)
			host_len[hl / 64] |= (uint64_t)1 << (hl % 64);
		else
			long_host = true;
		bool found;
		void **slot = strmap_slot(by_host, pat->host, hl, &found);
		next[j] = found ? (size_t)(uintptr_t)*slot : 0;   /* chain of index + 1 */
		*slot = (void *)(uintptr_t)(j + 1);
	}
	for (size_t i = 0; i < out->norigins && npatterns; i++) {
		const struct origin *e = &out->origins[i];
		if (e->kind != ORIGIN_EXACT || !e->host)
			continue;
		const struct origin *hit = NULL;
		const char *end = e->host + strlen(e->host);
		for (const char *h = e->host, *dot; h && !hit;
		     h = (dot = memchr(h, '.', (size_t)(end - h))) ? dot + 1 : NULL) {
			size_t hl = (size_t)(end - h);
			if (hl < 256 ? !(host_len[hl / 64] >> (hl % 64) & 1) : !long_host)
				continue;
			void *head = strmap_get(by_host, h, hl);
			for (size_t j = (size_t)(uintptr_t)head; j && !hit; j = next[j - 1]) {
				const struct origin *pat = &out->origins[j - 1];
				if (origin_match(pat, e->text, strlen(e->text)))
					hit = pat;
			}
		}
		if (hit) {
			char note[200];
			snprintf(note, sizeof(note), "the pattern '%s' at line %u already "
				 "allows it; remove one of them", hit->text, hit->span.line);
			diag_emit(dq, "W108", e->span, note, "origin '%s' is already matched "
				  "by a pattern", e->text);
			diag_add_related(dq, hit->span, "the pattern '%s' is given here", hit->text);
			for (size_t k = 0; k < s->nvalues; k++)
				if (s->values[k].span.offset == e->span.offset &&
				    s->values[k].span.src == e->span.src) {
					fixit_remove_value(dq, s, k);
					break;
				}
		}
	}
	arena_free(scratch);
	return ok;
}

/* ---- methods ---- */

static bool check_methods(struct ir_file *f, const struct ir_policy *p, bool credentials,
			  struct name_list *out, struct diag_queue *dq)
{
	static const char *const upcased[] = { "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT" };
	static const char *const forbidden[] = { "CONNECT", "TRACE", "TRACK" };
	const struct ir_stmt *s = &p->stmt[ST_METHODS];
	bool ok = true;
	if (!s->present)
		return true;
	out->set = true;
	if (s->nvalues == 0) {
		diag_emit(dq, "E031", s->key_span, "list at least one method, or leave the "
			  "statement out", "empty methods list");
		return false;
	}
	struct seen_set ss;
	seen_init(&ss, f->arena, s->nvalues, false);
	for (size_t i = 0; i < s->nvalues; i++) {
		const struct ir_value *v = &s->values[i];
		const struct ir_value *dup = seen(&ss, v);
		if (dup) {
			warn_duplicate(s, i, dup, "methods", dq);
			continue;
		}
		if (is_star(v)) {
			out->any = true;
			/* The grammar gives '*' alone; a list around it is refused here. */
			if (s->nvalues > 1) {
				diag_emit(dq, "E031", v->span, "'*' stands alone: write methods *; "
					  "or list the methods", "'*' mixed with other methods");
				ok = false;
			}
			if (credentials) {
				diag_emit(dq, "E023", v->span, "list the methods: with credentials a "
					  "browser reads '*' as a method named '*'",
					  "credentials true with methods *");
				ok = false;
			}
			continue;
		}
		if (!check_token(v, "E031", "method", dq)) {
			ok = false;
			continue;
		}
		bool bad = false;
		for (size_t k = 0; k < ARRAY_SIZE(forbidden); k++)
			if (eq_ci(v, forbidden[k])) {
				diag_emit(dq, "E034", v->span, "remove it: browsers refuse to send "
					  "CONNECT, TRACE and TRACK from scripts",
					  "forbidden method '%.*s'", shown(v->len), v->text);
				bad = true;
			}
		for (size_t k = 0; k < ARRAY_SIZE(upcased) && !bad; k++)
			if (eq_ci(v, upcased[k]) && memcmp(v->text, upcased[k], v->len) != 0) {
				char note[120];
				snprintf(note, sizeof(note), "write %s: browsers upper-case it before "
					 "sending and compare the allowed methods case-sensitively",
					 upcased[k]);
				diag_emit(dq, "E032", v->span, note, "method '%.*s' can never match",
					  shown(v->len), v->text);
				fixit_replace_value(dq, v->span, v->text, v->len, upcased[k]);
				bad = true;
			}
		if (bad) {
			ok = false;
			continue;
		}
		list_add(f->arena, out, s->nvalues, v->text, v->len);
	}
	return ok;
}

/* ---- header lists ---- */

static bool is_forbidden_request_header(const struct ir_value *v)
{
	/* Fetch standard, "forbidden request-header" (Origin is E035 instead). */
	static const char *const names[] = {
		"Accept-Charset", "Accept-Encoding", "Connection", "Content-Length",
		"Cookie", "Cookie2", "Date", "DNT", "Expect", "Host", "Keep-Alive",
		"Referer", "Set-Cookie", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Via",
	};
	for (size_t k = 0; k < ARRAY_SIZE(names); k++)
		if (eq_ci(v, names[k]))
			return true;
	return prefix_ci(v, "Proxy-") || prefix_ci(v, "Sec-");
}

static bool is_safelisted_response_header(const struct ir_value *v)
{
	return exposure_safelisted(v->text, v->len);
}

static bool check_headers(struct ir_file *f, const struct ir_policy *p, enum stmt_kind k,
			  bool credentials, struct name_list *out, struct diag_queue *dq)
{
	const struct ir_stmt *s = &p->stmt[k];
	bool allow = k == ST_ALLOW_HEADERS, ok = true;
	const char *key = stmt_keyword(k);
	if (!s->present)
		return true;
	out->set = true;
	if (s->nvalues == 0) {
		diag_emit(dq, "E030", s->key_span, "list at least one header name, or leave the "
			  "statement out", "empty %s list", key);
		return false;
	}
	const struct ir_value *star = NULL, *authz = NULL;
	for (size_t i = 0; i < s->nvalues; i++) {
		if (is_star(&s->values[i]) && !star)
			star = &s->values[i];
		if (eq_ci(&s->values[i], "Authorization") && !authz)
			authz = &s->values[i];
	}
	struct seen_set ss;
	seen_init(&ss, f->arena, s->nvalues, true);
	for (size_t i = 0; i < s->nvalues; i++) {
		const struct ir_value *v = &s->values[i];
		const struct ir_value *dup = seen(&ss, v);
		if (dup) {
			warn_duplicate(s, i, dup, key, dq);
			continue;
		}
		if (is_star(v)) {
			out->any = true;
			/*
			 * The grammar: '*' alone, or (allow-headers only) '*, Authorization'.
			 * Anything else beside it is refused at the '*' (E030).
			 */
			size_t others = s->nvalues - 1 - (allow && authz ? 1 : 0);
			if (others > 0) {
				diag_emit(dq, "E030", v->span, allow
					  ? "'*' stands alone, or with Authorization only: it already "
					    "covers every other header"
					  : "'*' stands alone: it already covers every header",
					  "'*' mixed with other names in %s", key);
				ok = false;
			}
			if (credentials) {
				diag_emit(dq, allow ? "E022" : "E021", v->span,
					  allow ? "list the headers: with credentials a browser reads "
						  "'*' as a header named '*'"
						: "list the headers to expose: with credentials a "
						  "browser reads '*' as a header named '*'",
					  "credentials true with %s *", key);
				ok = false;
			} else if (allow && !authz) {
				diag_emit(dq, "W103", v->span, "write allow-headers *, Authorization; "
					  "if scripts send Authorization (Chromium 156 and Firefox "
					  "153 let it through under '*' today; the standard does not)",
					  "allow-headers * does not cover Authorization by the Fetch "
					  "standard");
				fixit_add_authorization(dq, v, f->yaml);
			}
			continue;
		}
		if (!check_token(v, "E030", "header name", dq)) {
			ok = false;
			continue;
		}
		if (prefix_ci(v, "Access-Control-") || eq_ci(v, "Origin")) {
			diag_emit(dq, "E035", v->span, eq_ci(v, "Origin")
				  ? "remove it: the browser sets Origin itself"
				  : "remove it: the CORS headers are the browser's and the server's, "
				    "never a script's", "'%.*s' in %s", shown(v->len), v->text, key);
			ok = false;
			continue;
		}
		if (allow && is_forbidden_request_header(v))
			diag_emit(dq, "W110", v->span, "remove it: the browser sets it and scripts can "
				  "never send it", "forbidden request header '%.*s' in allow-headers",
				  shown(v->len), v->text);
		if (!allow && is_safelisted_response_header(v)) {
			diag_emit(dq, "W101", v->span, "remove it: scripts can always read the "
				  "CORS-safelisted response headers",
				  "'%.*s' is already readable", shown(v->len), v->text);
			fixit_remove_value(dq, s, i);
		}
		if (!allow && exposure_forbidden(v->text, v->len)) {
			diag_emit(dq, "W102", v->span, "remove it: browsers never expose "
				  "Set-Cookie to scripts, whatever the server says",
				  "'%.*s' can never be exposed", shown(v->len), v->text);
			fixit_remove_value(dq, s, i);
		}
		list_add(f->arena, out, s->nvalues, v->text, v->len);
	}
	return ok;
}

/* ---- policies ---- */

static bool check_policy(struct ir_file *f, const struct ir_policy *p, struct policy *out,
			 struct diag_queue *dq)
{
	bool ok = true;
	memset(out, 0, sizeof(*out));
	out->name = p->name;
	out->span = p->span;
	ok &= check_bool(&p->stmt[ST_CREDENTIALS], ST_CREDENTIALS, &out->credentials, dq);
	ok &= check_bool(&p->stmt[ST_PRIVATE_NETWORK], ST_PRIVATE_NETWORK,
			 &out->private_network, dq);
	ok &= check_origins(f, p, out->credentials, out->private_network, out, dq);
	/* W111 (E024 already covers origins *) */
	const struct ir_stmt *pn = &p->stmt[ST_PRIVATE_NETWORK];
	if (out->private_network && !out->any_origin && pn->nvalues > 0)
		diag_emit(dq, "W111", pn->values[0].span, "Chromium 156 and Firefox 153 send no "
			  "Access-Control-Request-Private-Network preflight: the header opens "
			  "nothing in them (corsc explain W111)",
			  "private-network true, but no browser tested sends the Private Network "
			  "Access preflight");
	ok &= check_methods(f, p, out->credentials, &out->methods, dq);
	ok &= check_headers(f, p, ST_ALLOW_HEADERS, out->credentials, &out->allow_headers, dq);
	ok &= check_headers(f, p, ST_EXPOSE_HEADERS, out->credentials, &out->expose_headers, dq);
	if (p->stmt[ST_MAX_AGE].present) {
		out->max_age_set = check_max_age(&p->stmt[ST_MAX_AGE], &out->max_age, dq);
		ok &= out->max_age_set;
	}
	return ok && !p->damaged;
}

/* E004 at p, the later of two policies with clashing names; q is shown as related. */
static void report_same_name(struct diag_queue *dq, const struct ir_policy *p,
			     const struct ir_policy *q)
{
	diag_emit(dq, "E004", p->name_span, "names equal after case-folding and '-'/'_' "
		  "would give the same output files", "policy name '%s' is already used", p->name);
	diag_add_related(dq, q->name_span, "policy '%s' is first defined here", q->name);
}

void validate_some_policy(const struct ir_file *f, struct diag_queue *dq)
{
	if (f->npolicies > 0)
		return;
	struct span at = span_linecol(f->src, 1, 1, 1);
	diag_emit(dq, "E001", at, f->yaml
		  ? "define one, e.g. policies: {api: {origins: \"https://app.example.com\"}}"
		  : "define one, e.g. policy api { origins \"https://app.example.com\"; }",
		  "no policy in %s", f->src ? f->src->name : "the input");
}

void validate(struct ir_file *f, struct diag_queue *dq)
{
	f->resolved = arena_alloc(f->arena, (f->npolicies ? f->npolicies : 1) * sizeof(*f->resolved));
	f->nresolved = 0;

	for (size_t i = 0; i < f->npolicies; i++) {
		const struct ir_policy *p = f->policies[i];
		bool ok = true;
		for (size_t j = 0; j < i; j++)
			if (same_name(f->policies[j]->name, p->name)) {
				report_same_name(dq, p, f->policies[j]);
				ok = false;
				break;
			}
		struct policy *r = &f->resolved[f->nresolved];
		if (check_policy(f, p, r, dq) && ok)
			f->nresolved++;
		if (diag_capped(dq))
			break;
	}

	if (dq->nerrors == 0)
		validate_some_policy(f, dq);

	for (size_t i = 0; i < f->nresolved; i++)
		origin_index_build(f->arena, &f->resolved[i]);
}

void validate_across(struct ir_file *const *files, size_t nfiles, struct diag_queue *dq)
{
	for (size_t i = 1; i < nfiles; i++)
		for (size_t k = 0; k < files[i]->npolicies; k++) {
			const struct ir_policy *p = files[i]->policies[k];
			const struct ir_policy *q = NULL;
			for (size_t j = 0; j < i && !q; j++)
				for (size_t m = 0; m < files[j]->npolicies && !q; m++)
					if (same_name(files[j]->policies[m]->name, p->name))
						q = files[j]->policies[m];
			if (q) {
				report_same_name(dq, p, q);
				if (diag_capped(dq))
					return;
			}
		}
}
