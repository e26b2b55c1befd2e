/*
 * verify_report.c - what `corsc verify` prints: a curl command line per
 * request, and the report as text (a table per origin class, then the
 * findings), JSON (one document: plan, answers, findings) or JUnit XML (one
 * test case per request).  Bytes from the endpoint never reach a terminal or
 * an XML file unescaped.
 */
#include <stdlib.h>
#include <string.h>

#include "verify.h"
#include "diag.h"
#include "util.h"

#define TEXT_PER_KIND 3          /* findings of one kind shown in full in the text report */

static void sq(struct strbuf *out, const char *s)
{
	sb_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_puts(out, "'\\''");
		else
			sb_putc(out, *s);
	}
	sb_putc(out, '\'');
}

/* A --header whose value must not end up in a CI log. */
static bool secret_header(const char *h, size_t nlen)
{
	static const char *const words[] = { "cookie", "auth", "token", "secret", "key", "session",
					      "password" };
	char name[128];
	if (nlen >= sizeof(name))
		return true;
	for (size_t i = 0; i < nlen; i++)
		name[i] = (char)ascii_tolower((unsigned char)h[i]);
	name[nlen] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strstr(name, words[i]))
			return true;
	return false;
}

void verify_curl_command(const struct verify_options *o, const struct verify_request *rq,
			 struct strbuf *out)
{
	struct strbuf h = STRBUF_INIT;
	if (rq->preflight)
		sb_puts(out, "curl -sS -o /dev/null -D - -X OPTIONS");
	else if (strcmp(rq->method, "HEAD") == 0)
		sb_puts(out, "curl -sS -I");
	else
		sb_puts(out, "curl -sS -o /dev/null -D -");
	if (rq->origin) {
		sb_printf(&h, "Origin: %s", rq->origin);
		sb_puts(out, " -H ");
		sq(out, sb_str(&h));
		sb_reset(&h);
	}
	if (rq->preflight) {
		sb_printf(&h, "Access-Control-Request-Method: %s", rq->method);
		sb_puts(out, " -H ");
		sq(out, sb_str(&h));
		sb_reset(&h);
		if (rq->acrh) {
			sb_printf(&h, "Access-Control-Request-Headers: %s", rq->acrh);
			sb_puts(out, " -H ");
			sq(out, sb_str(&h));
			sb_reset(&h);
		}
	}
	if (rq->pna)
		sb_puts(out, " -H 'Access-Control-Request-Private-Network: true'");
	for (size_t i = 0; i < o->nheaders; i++) {
		const char *colon = strchr(o->headers[i], ':');
		size_t nlen = colon ? (size_t)(colon - o->headers[i]) : strlen(o->headers[i]);
		sb_puts(out, " -H ");
		if (secret_header(o->headers[i], nlen)) {
			sb_add(&h, o->headers[i], nlen);
			sb_puts(&h, ": <the value given with --header>");
			sq(out, sb_str(&h));
			sb_reset(&h);
		} else {
			sq(out, o->headers[i]);
		}
	}
	if (o->cacert) {
		sb_puts(out, " --cacert ");
		sq(out, o->cacert);
	}
	for (size_t i = 0; i < o->nresolve; i++) {
		sb_puts(out, " --resolve ");
		sq(out, o->resolve[i]);
	}
	sb_putc(out, ' ');
	sq(out, o->url);
	sb_release(&h);
}

/* Text from the endpoint: printable ASCII kept, anything else as '?'. */
static void safe_text(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		sb_putc(out, c >= 0x20 && c < 0x7F ? (char)c : '?');
	}
}

static void xml_text(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': sb_puts(out, "&amp;"); break;
		case '<': sb_puts(out, "&lt;"); break;
		case '>': sb_puts(out, "&gt;"); break;
		case '"': sb_puts(out, "&quot;"); break;
		case '\'': sb_puts(out, "&apos;"); break;
		case '\n': sb_puts(out, "&#10;"); break;
		default:
			sb_putc(out, c >= 0x20 && c < 0x7F ? (char)c : '?');
		}
	}
}

static void jstr(struct strbuf *out, const char *s)
{
	if (s)
		json_quote(out, s, strlen(s));
	else
		sb_puts(out, "null");
}

static const char *sev_name(enum verify_severity s)
{
	return s == VSEV_ERROR ? "error" : s == VSEV_WARNING ? "warning" : "note";
}

/* "OPTIONS PUT" style summary of a request. */
static void describe(const struct verify_request *rq, struct strbuf *out)
{
	if (rq->preflight) {
		sb_printf(out, "OPTIONS %s", rq->method);
		if (rq->acrh) {
			size_t n = 1;
			for (const char *c = rq->acrh; *c; c++)
				n += *c == ',';
			if (n == 1)
				sb_printf(out, " [%s]", rq->acrh);
			else
				sb_printf(out, " [%zu headers]", n);
		}
		if (rq->pna)
			sb_puts(out, " +private-network");
	} else {
		sb_puts(out, rq->method);
	}
}

/* The worst finding of request ri: 0 error, 1 warning, 2 note, 3 none. */
static int worst(const struct verify_findings *f, size_t ri)
{
	int w = 3;
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].req == ri && (int)f->v[i].sev < w)
			w = (int)f->v[i].sev;
	return w;
}

static void text_report(const struct verify_run *r, struct strbuf *out)
{
	const struct verify_plan *plan = r->plan;
	sb_printf(out, "corsc verify: policy '%s' (%s) against ", r->policy->name, r->file);
	safe_text(out, r->opt->url);
	sb_printf(out, "\n%zu requests planned", plan->planned);
	if (plan->planned > plan->n)
		sb_printf(out, ", %zu kept by --max-requests", plan->n);
	sb_printf(out, ", %zu sent\n", r->sent);
	sb_puts(out, "\nper origin class: the policy's verdict, origin, requests sent/planned, result\n");

	/* The table: one block per origin class, in plan order of first appearance. */
	const char **classes = xcalloc(plan->n + 1, sizeof(char *));
	size_t nc = 0;
	for (size_t i = 0; i < plan->n; i++) {
		size_t k = 0;
		while (k < nc && strcmp(classes[k], plan->v[i].cls) != 0)
			k++;
		if (k == nc)
			classes[nc++] = plan->v[i].cls;
	}
	/*
	 * One line per origin: what the policy says, how many requests, and
	 * which of them went wrong (the requests themselves are in --report json).
	 */
	struct strbuf err = STRBUF_INIT, warn = STRBUF_INIT, d = STRBUF_INIT;
	bool *grouped = xcalloc(plan->n + 1, sizeof(bool));
	for (size_t k = 0; k < nc; k++) {
		sb_printf(out, "\n%s\n", classes[k]);
		for (size_t i = 0; i < plan->n; i++) {
			const struct verify_request *rq = &plan->v[i];
			if (grouped[i] || strcmp(rq->cls, classes[k]) != 0)
				continue;
			size_t nreq = 0, nsent = 0, nok = 0;
			const char *status = NULL;
			sb_reset(&err);
			sb_reset(&warn);
			for (size_t j = i; j < plan->n; j++) {
				const struct verify_request *q = &plan->v[j];
				if (grouped[j] || strcmp(q->cls, rq->cls) != 0 ||
				    (q->origin == NULL) != (rq->origin == NULL) ||
				    (q->origin && strcmp(q->origin, rq->origin) != 0))
					continue;
				grouped[j] = true;
				nreq++;
				const struct verify_answer *a = &r->answers[j];
				if (!a->sent)
					continue;
				nsent++;
				if (a->error) {
					status = "NO ANSWER";
					sb_printf(&err, " #%zu", q->id);
					continue;
				}
				int w = worst(r->findings, j);
				if (w == VSEV_ERROR)
					sb_printf(&err, " #%zu", q->id);
				else if (w == VSEV_WARNING)
					sb_printf(&warn, " #%zu", q->id);
				else
					nok++;
			}
			sb_reset(&d);
			sb_printf(&d, "%zu/%zu", nsent, nreq);
			sb_printf(out, "  %-7s %-46s %6s  ", rq->expect.allowed ? "allow" : "refuse",
				  rq->origin ? rq->origin : "(no Origin)", sb_str(&d));
			if (nok == nsent && nsent)
				sb_puts(out, "ok");
			if (err.len)
				sb_printf(out, "%s%s", status ? status : "ERROR", sb_str(&err));
			if (warn.len)
				sb_printf(out, "%swarning%s", err.len ? "; " : "", sb_str(&warn));
			if (nsent < nreq)
				sb_printf(out, "%s%zu not sent", nsent ? "; " : "", nreq - nsent);
			sb_putc(out, '\n');
		}
	}
	free(grouped);
	sb_release(&err);
	sb_release(&warn);
	sb_release(&d);
	free(classes);

	/* The findings, errors first; a kind shown TEXT_PER_KIND times, then counted. */
	const struct verify_findings *f = r->findings;
	if (f->n)
		sb_puts(out, "\nfindings\n");
	struct strbuf cmd = STRBUF_INIT;
	for (int sev = VSEV_ERROR; sev <= VSEV_NOTE; sev++) {
		bool *done = xcalloc(f->n + 1, sizeof(bool));
		for (size_t i = 0; i < f->n; i++) {
			const struct verify_finding *x = &f->v[i];
			if ((int)x->sev != sev || done[i])
				continue;
			size_t shown = 0, more = 0, last = (size_t)-1;
			struct strbuf ids = STRBUF_INIT;
			for (size_t j = i; j < f->n; j++) {
				const struct verify_finding *y = &f->v[j];
				if ((int)y->sev != sev || strcmp(y->kind, x->kind) != 0 || done[j])
					continue;
				done[j] = true;
				/* notes are few (one per header name): all shown */
				if (sev != VSEV_NOTE && shown++ >= TEXT_PER_KIND) {
					if (y->req == last)
						continue;
					last = y->req;
					if (more++ < 24)
						sb_printf(&ids, " #%zu", plan->v[y->req].id);
					continue;
				}
				last = y->req;
				const struct verify_request *rq = &plan->v[y->req];
				sb_printf(out, "\n%s[%s]: ", sev_name(y->sev), y->kind);
				safe_text(out, y->message);
				sb_printf(out, "\n  request #%zu (%s, %s): ", rq->id, rq->cls, rq->kind);
				sb_reset(&cmd);
				verify_curl_command(r->opt, rq, &cmd);
				safe_text(out, sb_str(&cmd));
				sb_puts(out, "\n  got:    ");
				safe_text(out, y->got ? y->got : "");
				sb_puts(out, "\n  policy: ");
				safe_text(out, y->want ? y->want : "");
				sb_putc(out, '\n');
			}
			if (more)
				sb_printf(out, "  ... and %zu more %s[%s]: requests%s%s\n", more,
					  sev_name((enum verify_severity)sev), x->kind, sb_str(&ids),
					  more > 24 ? " ..." : "");
			sb_release(&ids);
		}
		free(done);
	}
	sb_release(&cmd);

	sb_putc(out, '\n');
	if (r->fatal) {
		sb_printf(out, "result: NO ANSWER to request #%zu: ", plan->v[r->fatal_req].id);
		safe_text(out, r->fatal);
		sb_putc(out, '\n');
	} else {
		sb_printf(out, "result: %s: ", r->exit_status == 0 ? "PASS" : "FAIL");
	}
	sb_printf(out, "%zu error%s, %zu warning%s, %zu note%s in %zu requests\n",
		  f->nerrors, f->nerrors == 1 ? "" : "s", f->nwarnings, f->nwarnings == 1 ? "" : "s",
		  f->nnotes, f->nnotes == 1 ? "" : "s", r->sent);
}

static void json_report(const struct verify_run *r, struct strbuf *out)
{
	const struct verify_plan *plan = r->plan;
	struct strbuf tmp = STRBUF_INIT;
	sb_puts(out, "{\"corsc_verify\":1,\"file\":");
	jstr(out, r->file);
	sb_puts(out, ",\"policy\":");
	jstr(out, r->policy->name);
	sb_puts(out, ",\"url\":");
	jstr(out, r->opt->url);
	sb_printf(out, ",\"max_requests\":%zu,\"planned\":%zu,\"sent\":%zu,\n\"plan\":[",
		  r->opt->max_requests, plan->planned, r->sent);
	for (size_t i = 0; i < plan->n; i++) {
		const struct verify_request *rq = &plan->v[i];
		sb_printf(out, "%s\n{\"id\":%zu,\"class\":", i ? "," : "", rq->id);
		jstr(out, rq->cls);
		sb_puts(out, ",\"kind\":");
		jstr(out, rq->kind);
		sb_puts(out, ",\"http_method\":");
		jstr(out, rq->preflight ? "OPTIONS" : rq->method);
		sb_puts(out, ",\"origin\":");
		jstr(out, rq->origin);
		sb_puts(out, ",\"request_method\":");
		jstr(out, rq->preflight ? rq->method : NULL);
		sb_puts(out, ",\"request_headers\":");
		jstr(out, rq->acrh);
		sb_printf(out, ",\"private_network\":%s,\"curl\":", rq->pna ? "true" : "false");
		sb_reset(&tmp);
		verify_curl_command(r->opt, rq, &tmp);
		jstr(out, sb_str(&tmp));
		sb_puts(out, ",\"expect\":");
		sb_reset(&tmp);
		eval_format_json(&rq->expect, &tmp);
		if (tmp.len && tmp.buf[tmp.len - 1] == '\n')
			tmp.buf[--tmp.len] = '\0';
		sb_puts(out, sb_str(&tmp));
		sb_putc(out, '}');
	}
	sb_puts(out, "],\n\"answers\":[");
	size_t na = 0;
	for (size_t i = 0; i < plan->n; i++) {
		const struct verify_answer *a = &r->answers[i];
		if (!a->sent)
			continue;
		sb_printf(out, "%s\n{\"id\":%zu,", na++ ? "," : "", plan->v[i].id);
		if (a->error) {
			sb_puts(out, "\"error\":");
			jstr(out, a->error);
			sb_putc(out, '}');
			continue;
		}
		sb_printf(out, "\"status\":%d,\"http_version\":", a->status);
		jstr(out, a->http_version);
		sb_puts(out, ",\"headers\":[");
		for (size_t k = 0; k < a->nh; k++) {
			sb_puts(out, k ? ",[" : "[");
			jstr(out, a->h[k].name);
			sb_putc(out, ',');
			jstr(out, a->h[k].value);
			sb_putc(out, ']');
		}
		sb_puts(out, "]}");
	}
	sb_puts(out, "],\n\"findings\":[");
	const struct verify_findings *f = r->findings;
	for (size_t i = 0; i < f->n; i++) {
		const struct verify_finding *x = &f->v[i];
		sb_printf(out, "%s\n{\"severity\":\"%s\",\"kind\":", i ? "," : "", sev_name(x->sev));
		jstr(out, x->kind);
		sb_printf(out, ",\"request\":%zu,\"message\":", plan->v[x->req].id);
		jstr(out, x->message);
		sb_puts(out, ",\"got\":");
		jstr(out, x->got);
		sb_puts(out, ",\"policy\":");
		jstr(out, x->want);
		sb_puts(out, ",\"curl\":");
		sb_reset(&tmp);
		verify_curl_command(r->opt, &plan->v[x->req], &tmp);
		jstr(out, sb_str(&tmp));
		sb_putc(out, '}');
	}
	sb_printf(out, "],\n\"result\":{\"exit\":%d,\"errors\":%zu,\"warnings\":%zu,\"notes\":%zu,"
		  "\"no_answer\":", r->exit_status, f->nerrors, f->nwarnings, f->nnotes);
	if (r->fatal) {
		sb_printf(out, "{\"request\":%zu,\"cause\":", plan->v[r->fatal_req].id);
		jstr(out, r->fatal);
		sb_putc(out, '}');
	} else {
		sb_puts(out, "null");
	}
	sb_puts(out, "}}\n");
	sb_release(&tmp);
}

static void junit_report(const struct verify_run *r, struct strbuf *out)
{
	const struct verify_plan *plan = r->plan;
	const struct verify_findings *f = r->findings;
	size_t failures = 0, errors = r->fatal ? 1 : 0, skipped = 0;
	for (size_t i = 0; i < plan->n; i++) {
		if (!r->answers[i].sent)
			skipped++;
		else if (!r->answers[i].error) {
			int w = worst(f, i);
			if (w == VSEV_ERROR || (w == VSEV_WARNING && r->werror))
				failures++;
		}
	}
	struct strbuf name = STRBUF_INIT, cmd = STRBUF_INIT;
	sb_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	sb_printf(out, "<testsuites name=\"corsc verify\" tests=\"%zu\" failures=\"%zu\" "
		  "errors=\"%zu\" skipped=\"%zu\">\n", plan->n, failures, errors, skipped);
	sb_puts(out, "<testsuite name=\"");
	sb_printf(&name, "corsc verify %s %s", r->policy->name, r->opt->url);
	xml_text(out, sb_str(&name));
	sb_printf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
		  plan->n, failures, errors, skipped);
	for (size_t i = 0; i < plan->n; i++) {
		const struct verify_request *rq = &plan->v[i];
		const struct verify_answer *a = &r->answers[i];
		sb_reset(&name);
		sb_printf(&name, "#%zu ", rq->id);
		describe(rq, &name);
		sb_printf(&name, " Origin: %s (%s)", rq->origin ? rq->origin : "none",
			  rq->expect.allowed ? "allowed" : "refused");
		sb_puts(out, "  <testcase classname=\"corsc.verify.");
		xml_text(out, r->policy->name);
		sb_putc(out, '.');
		xml_text(out, rq->cls);
		sb_puts(out, "\" name=\"");
		xml_text(out, sb_str(&name));
		sb_puts(out, "\">\n");
		sb_reset(&cmd);
		verify_curl_command(r->opt, rq, &cmd);
		if (!a->sent) {
			sb_puts(out, "    <skipped message=\"not sent: an earlier request got no answer\"/>\n");
		} else if (a->error) {
			sb_puts(out, "    <error type=\"no-answer\" message=\"");
			xml_text(out, a->error);
			sb_puts(out, "\">");
			xml_text(out, sb_str(&cmd));
			sb_puts(out, "</error>\n");
		}
		/* One <failure> per test case (what CI viewers expect): every failing finding in it. */
		struct strbuf notes = STRBUF_INIT, fail = STRBUF_INIT;
		const struct verify_finding *first = NULL;
		for (size_t k = 0; k < f->n; k++) {
			const struct verify_finding *x = &f->v[k];
			if (x->req != i)
				continue;
			bool fails = x->sev == VSEV_ERROR || (x->sev == VSEV_WARNING && r->werror);
			struct strbuf *to = fails ? &fail : &notes;
			if (fails && !first)
				first = x;
			sb_printf(to, "%s[%s]: %s\nrequest: %s\ngot:    %s\npolicy: %s\n",
				  sev_name(x->sev), x->kind, x->message, sb_str(&cmd),
				  x->got ? x->got : "", x->want ? x->want : "");
		}
		if (first) {
			sb_puts(out, "    <failure type=\"");
			xml_text(out, first->kind);
			sb_puts(out, "\" message=\"");
			xml_text(out, first->message);
			sb_puts(out, "\">");
			xml_text(out, sb_str(&fail));
			sb_puts(out, "</failure>\n");
		}
		sb_release(&fail);
		if (notes.len) {
			sb_puts(out, "    <system-out>");
			xml_text(out, sb_str(&notes));
			sb_puts(out, "</system-out>\n");
		}
		sb_release(&notes);
		sb_puts(out, "  </testcase>\n");
	}
	sb_puts(out, "</testsuite>\n</testsuites>\n");
	sb_release(&name);
	sb_release(&cmd);
}

void verify_report(const struct verify_run *run, enum verify_report kind, struct strbuf *out)
{
	switch (kind) {
	case VREPORT_TEXT: text_report(run, out); break;
	case VREPORT_JSON: json_report(run, out); break;
	case VREPORT_JUNIT: junit_report(run, out); break;
	}
}
