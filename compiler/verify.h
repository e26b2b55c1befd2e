/*
 * verify.h - `corsc verify` (SPEC section 8): a live endpoint against its
 * policy.  The plan (verify_plan.c) derives the requests from the policy
 * alone, each with the answer eval_policy() gives it; verify_http.c sends
 * them through libcurl; verify_compare.c compares every answer with its
 * expectation and audits exposure; verify_report.c renders text, JSON and
 * JUnit; verify.c is the command line.
 */
#ifndef CORSC_VERIFY_H
#define CORSC_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "eval.h"
#include "ir.h"
#include "strbuf.h"

/* ---- the plan ---- */

#define VERIFY_MAX_REQ_HEADERS 8

struct verify_request {
	size_t id;                 /* 1-based, plan order */
	const char *cls;           /* origin class: "allowed", "pattern", "prefix", ... */
	const char *kind;          /* "simple", "preflight", "preflight-method", ... */
	char *origin;              /* the Origin header; NULL: none sent */
	char *method;              /* GET or HEAD; for a preflight the Access-Control-Request-Method */
	bool preflight;            /* OPTIONS with Access-Control-Request-Method */
	char *acrh;                /* Access-Control-Request-Headers, NULL: none */
	bool pna;                  /* Access-Control-Request-Private-Network: true */
	struct eval_response expect;   /* eval_policy() of this request */
};

struct verify_plan {
	struct verify_request *v;
	size_t n, cap;
	size_t planned;            /* requests before --max-requests cut the plan */
};

/* The requests for policy p, at most max_requests of them (in plan order). */
void verify_plan_build(const struct policy *p, size_t max_requests, struct verify_plan *plan);
void verify_plan_free(struct verify_plan *plan);

/* ---- answers ---- */

struct verify_header {
	char *name;                /* as received */
	char *value;               /* optional whitespace trimmed */
};

struct verify_answer {
	bool sent;
	char *error;               /* no answer: the cause; NULL when answered */
	int status;
	const char *http_version;  /* "1.0", "1.1", "2", "3" */
	struct verify_header *h;   /* in the order received */
	size_t nh, cap;
};

void verify_answer_add(struct verify_answer *a, const char *name, size_t nlen,
		       const char *value, size_t vlen);
void verify_answer_free(struct verify_answer *a);

/* ---- findings ---- */

enum verify_severity { VSEV_ERROR, VSEV_WARNING, VSEV_NOTE };

struct verify_finding {
	enum verify_severity sev;
	const char *kind;          /* stable identifier, e.g. "refused-origin-allowed" */
	size_t req;                /* index into the plan */
	char *message;             /* what is wrong, one line */
	char *got;                 /* what came back */
	char *want;                /* what the policy says */
	size_t seq;                /* order found (a tie-breaker for sorting) */
};

struct verify_findings {
	struct verify_finding *v;
	size_t n, cap;
	size_t nerrors, nwarnings, nnotes;
};

/*
 * Compare answer a to request rq (index ri in the plan) of policy p;
 * append the errors and warnings to out.
 */
void verify_compare(const struct policy *p, const struct verify_request *rq, size_t ri,
		    const struct verify_answer *a, struct verify_findings *out);
/*
 * The exposure audit over every answer (notes): response headers a script
 * on an allowed origin cannot read, exposed headers never sent.
 */
void verify_audit_exposure(const struct policy *p, const struct verify_plan *plan,
			   const struct verify_answer *answers, struct verify_findings *out);
void verify_findings_free(struct verify_findings *f);
/* Errors, then warnings, then notes; the worst kinds first (critical before all), then by request. */
void verify_findings_sort(struct verify_findings *f);

/* The values of every header called name (ASCII case ignored) joined by ", "; NULL if none.  Caller frees. */
char *verify_header_join(const struct verify_answer *a, const char *name, size_t *count);

/* ---- sending ---- */

struct verify_options {
	const char *url;
	double timeout;            /* seconds */
	size_t max_requests;
	long delay_ms;
	const char *cacert;
	const char **resolve;
	size_t nresolve;
	const char **headers;      /* "Name: value" as given */
	size_t nheaders;
};

/*
 * Send the plan's requests in order, filling answers[] (plan->n of them).
 * Stops at the first request without an answer.  Returns the number sent.
 * *fatal is set (and the caller gets the cause from answers[i].error) on a
 * transport failure; err gets a setup failure.
 */
size_t verify_send(const struct verify_options *o, const struct verify_plan *plan,
		   struct verify_answer *answers, bool *fatal, struct strbuf *err);
/* Whether url is http:// or https:// and parses; err gets why not. */
bool verify_url_ok(const char *url, struct strbuf *err);

/* ---- reports ---- */

enum verify_report { VREPORT_TEXT, VREPORT_JSON, VREPORT_JUNIT };

struct verify_run {
	const struct verify_options *opt;
	const char *file;
	const struct policy *policy;
	const struct verify_plan *plan;
	const struct verify_answer *answers;
	size_t sent;
	const char *fatal;         /* the cause when an answer was missing, else NULL */
	size_t fatal_req;
	const struct verify_findings *findings;
	bool werror;
	int exit_status;
};

/* The curl command line that repeats request rq (shell-quoted). */
void verify_curl_command(const struct verify_options *o, const struct verify_request *rq,
			 struct strbuf *out);
void verify_report(const struct verify_run *run, enum verify_report kind, struct strbuf *out);

/* corsc verify: argv[0] is "verify".  Returns the exit status. */
int verify_main(int argc, char **argv);

#endif
