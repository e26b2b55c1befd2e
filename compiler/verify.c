/*
 * verify.c - the command line of `corsc verify` (SPEC section 8): read the
 * policy, plan, send, compare, report.  Exit 0 the endpoint behaves as the
 * policy says, 1 errors (or warnings under --werror), 2 usage error, a
 * policy file that does not compile, or no answer at all.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "verify.h"
#include "util.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

static const char verify_usage[] =
	"usage: corsc verify FILE --policy NAME URL [--timeout SECONDS] [--max-requests N]\n"
	"                    [--delay MS] [--cacert FILE] [--resolve HOST:PORT:ADDR]...\n"
	"                    [--header NAME:VALUE]... [--report text|json|junit] [--werror]\n"
	"\n"
	"Probe URL (http or https) with requests derived from policy NAME and report\n"
	"where its answers depart from what `corsc eval` says the policy gives.\n"
	"Only GET, HEAD and OPTIONS are sent, without a body, cookies or redirects.\n"
	"\n"
	"  --policy NAME          the policy the endpoint serves\n"
	"  --timeout SECONDS      give up on a request after this long (default 10)\n"
	"  --max-requests N       send at most N requests (default 200)\n"
	"  --delay MS             wait MS milliseconds between requests (default 0)\n"
	"  --cacert FILE          trust the CA certificates in FILE (PEM)\n"
	"  --resolve H:P:ADDR     connect to ADDR for host H and port P (like curl)\n"
	"  --header 'NAME: VALUE' send this header with every request (cookies, tokens)\n"
	"  --report FORMAT        text (default), json or junit, on standard output\n"
	"  --werror               warnings fail too (exit 1)\n"
	"  --format dsl|yaml      input language of FILE (default: by extension)\n"
	"  --diagnostics text|json   how the policy file's diagnostics are printed\n"
	"exit status: 0 as the policy says, 1 errors found, 2 usage error, a policy\n"
	"file with errors, or no answer (connection refused, TLS failure, timeout, DNS)\n";

enum {
	V_POLICY = 256, V_TIMEOUT, V_MAXREQ, V_DELAY, V_CACERT, V_RESOLVE, V_HEADER,
	V_REPORT, V_WERROR, V_FORMAT, V_DIAG,
};

static const struct option verify_long[] = {
	{ "policy", required_argument, NULL, V_POLICY },
	{ "timeout", required_argument, NULL, V_TIMEOUT },
	{ "max-requests", required_argument, NULL, V_MAXREQ },
	{ "delay", required_argument, NULL, V_DELAY },
	{ "cacert", required_argument, NULL, V_CACERT },
	{ "resolve", required_argument, NULL, V_RESOLVE },
	{ "header", required_argument, NULL, V_HEADER },
	{ "report", required_argument, NULL, V_REPORT },
	{ "werror", no_argument, NULL, V_WERROR },
	{ "format", required_argument, NULL, V_FORMAT },
	{ "diagnostics", required_argument, NULL, V_DIAG },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int usage(const char *fmt, const char *arg)
{
	fputs("corsc verify: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\ntry 'corsc verify --help'\n", stderr);
	return EXIT_USAGE;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/*
 * A --header: "Name: value" with a token name and a value without control
 * characters; not one of the headers the probe itself sets, nor one that
 * would announce a body.  The normalized "Name: value" goes to *out.
 */
static bool header_ok(const char *h, char **out, const char **why)
{
	const char *colon = strchr(h, ':');
	*why = "write it as 'Name: value'";
	if (!colon || colon == h)
		return false;
	size_t nlen = (size_t)(colon - h);
	for (size_t i = 0; i < nlen; i++)
		if (!is_tchar((unsigned char)h[i])) {
			*why = "the name is not an HTTP token";
			return false;
		}
	const char *v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t') {
			*why = "the value holds a control character";
			return false;
		}
	static const char *const own[] = {
		"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers",
		"Access-Control-Request-Private-Network", "Content-Length", "Transfer-Encoding",
		"Expect",
	};
	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		if (strlen(own[i]) == nlen && ascii_strncasecmp(h, own[i], nlen) == 0) {
			*why = "verify sets this header itself (or it would announce a body)";
			return false;
		}
	struct strbuf sb = STRBUF_INIT;
	sb_add(&sb, h, nlen);
	sb_puts(&sb, ": ");
	sb_puts(&sb, v);
	if (sb.failed)
		die_oom();
	*out = sb_detach(&sb, NULL);
	return true;
}

struct vargs {
	const char *file, *policy, *url;
	struct verify_options o;
	enum verify_report report;
	bool werror;
	enum input_format format;
	enum diag_format diag;
	size_t rcap, hcap;
};

static void vargs_free(struct vargs *a)
{
	for (size_t i = 0; i < a->o.nheaders; i++)
		free((char *)a->o.headers[i]);
	free(a->o.headers);
	free(a->o.resolve);
}

static int parse(int argc, char **argv, struct vargs *a)
{
	const char *pos[3];
	int npos = 0;
	a->o.timeout = 10;
	a->o.max_requests = 200;
	a->format = FORMAT_AUTO;
	a->diag = DIAG_TEXT;
	optind = 1;
	opterr = 0;
	int c;
	long v;
	/* '-' first: positional arguments come back in order, between the options */
	while ((c = getopt_long(argc, argv, "-:h", verify_long, NULL)) != -1) {
		switch (c) {
		case 1:
			if (npos == 2)
				return usage("unexpected argument '%s' (verify takes FILE and URL)", optarg);
			pos[npos++] = optarg;
			break;
		case V_POLICY: a->policy = optarg; break;
		case V_TIMEOUT: {
			char *end;
			errno = 0;
			double d = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(d > 0 && d <= 3600))
				return usage("--timeout takes seconds, more than 0 and at most 3600, not '%s'", optarg);
			a->o.timeout = d;
			break;
		}
		case V_MAXREQ:
			if (!parse_long(optarg, 1, 100000, &v))
				return usage("--max-requests takes a number from 1 to 100000, not '%s'", optarg);
			a->o.max_requests = (size_t)v;
			break;
		case V_DELAY:
			if (!parse_long(optarg, 0, 600000, &v))
				return usage("--delay takes milliseconds from 0 to 600000, not '%s'", optarg);
			a->o.delay_ms = v;
			break;
		case V_CACERT:
			if (access(optarg, R_OK) != 0)
				return usage("--cacert: cannot read '%s'", optarg);
			a->o.cacert = optarg;
			break;
		case V_RESOLVE: {
			const char *c1 = strchr(optarg, ':');
			if (!c1 || c1 == optarg || !strchr(c1 + 1, ':'))
				return usage("--resolve takes HOST:PORT:ADDRESS, not '%s'", optarg);
			xgrow(&a->o.resolve, &a->rcap, a->o.nresolve + 1, sizeof(char *));
			a->o.resolve[a->o.nresolve++] = optarg;
			break;
		}
		case V_HEADER: {
			char *h;
			const char *why;
			if (!header_ok(optarg, &h, &why)) {
				fprintf(stderr, "corsc verify: --header '%s': %s\n", optarg, why);
				return EXIT_USAGE;
			}
			xgrow(&a->o.headers, &a->hcap, a->o.nheaders + 1, sizeof(char *));
			a->o.headers[a->o.nheaders++] = h;
			break;
		}
		case V_REPORT:
			if (!strcmp(optarg, "text"))
				a->report = VREPORT_TEXT;
			else if (!strcmp(optarg, "json"))
				a->report = VREPORT_JSON;
			else if (!strcmp(optarg, "junit"))
				a->report = VREPORT_JUNIT;
			else
				return usage("unknown report '%s' (text, json or junit)", optarg);
			break;
		case V_WERROR: a->werror = true; break;
		case V_FORMAT:
			if (!strcmp(optarg, "dsl"))
				a->format = FORMAT_DSL;
			else if (!strcmp(optarg, "yaml"))
				a->format = FORMAT_YAML;
			else
				return usage("unknown format '%s' (dsl or yaml)", optarg);
			break;
		case V_DIAG:
			if (!strcmp(optarg, "text"))
				a->diag = DIAG_TEXT;
			else if (!strcmp(optarg, "json"))
				a->diag = DIAG_JSON;
			else
				return usage("unknown diagnostics format '%s' (text or json)", optarg);
			break;
		case 'h':
			fputs(verify_usage, stdout);
			return 0;
		case ':':
			return usage("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (npos != 2)
		return usage("%s", npos ? "verify needs a URL after FILE" : "verify needs FILE and URL");
	if (!a->policy)
		return usage("%s", "verify needs --policy NAME");
	a->file = pos[0];
	a->url = pos[1];
	a->o.url = a->url;
	struct strbuf err = STRBUF_INIT;
	if (!verify_url_ok(a->url, &err)) {
		fprintf(stderr, "corsc verify: %s\n", sb_str(&err));
		sb_release(&err);
		return EXIT_USAGE;
	}
	sb_release(&err);
	return -1;
}

/* Compile the file; NULL policy with an exit status on failure. */
static const struct policy *load(const struct vargs *a, struct compilation *c, int *rc)
{
	enum input_format fmt = a->format;
	if (fmt == FORMAT_AUTO) {
		if (strcmp(a->file, "-") == 0) {
			*rc = usage("%s", "reading standard input needs --format dsl|yaml");
			return NULL;
		}
		fmt = format_for_path(a->file);
	}
	char err[8192];
	struct source *src = source_read(a->file, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "corsc: %s\n", err);
		*rc = EXIT_USAGE;
		return NULL;
	}
	compile_source(c, src, fmt, false);
	diag_print(&c->dq, stderr, a->diag, false);
	if (diag_failed(&c->dq)) {
		fprintf(stderr, "corsc verify: %s has errors: nothing was sent\n", c->src->name);
		compilation_free(c);
		*rc = EXIT_USAGE;
		return NULL;
	}
	for (size_t i = 0; i < c->ir->nresolved; i++)
		if (strcmp(c->ir->resolved[i].name, a->policy) == 0)
			return &c->ir->resolved[i];
	fprintf(stderr, "corsc verify: no policy '%s' in %s", a->policy, c->src->name);
	for (size_t i = 0; i < c->ir->nresolved; i++)
		fprintf(stderr, "%s'%s'", i ? ", " : " (it has ", c->ir->resolved[i].name);
	fputs(c->ir->nresolved ? ")\n" : "\n", stderr);
	compilation_free(c);
	*rc = EXIT_USAGE;
	return NULL;
}

int verify_main(int argc, char **argv)
{
	struct vargs a;
	memset(&a, 0, sizeof(a));
	int rc = parse(argc, argv, &a);
	if (rc >= 0) {
		vargs_free(&a);
		return rc;
	}
	struct compilation c;
	const struct policy *p = load(&a, &c, &rc);
	if (!p) {
		vargs_free(&a);
		return rc;
	}

	struct verify_plan plan;
	verify_plan_build(p, a.o.max_requests, &plan);
	struct verify_answer *answers = xcalloc(plan.n + 1, sizeof(*answers));
	bool fatal = false;
	struct strbuf err = STRBUF_INIT;
	size_t sent = verify_send(&a.o, &plan, answers, &fatal, &err);
	if (err.len) {
		fprintf(stderr, "corsc verify: %s\n", sb_str(&err));
		rc = EXIT_USAGE;
	} else {
		struct verify_findings f = { 0 };
		const char *cause = NULL;
		size_t fatal_req = 0;
		for (size_t i = 0; i < plan.n; i++) {
			if (!answers[i].sent)
				continue;
			if (answers[i].error) {
				cause = answers[i].error;
				fatal_req = i;
				continue;
			}
			verify_compare(p, &plan.v[i], i, &answers[i], &f);
		}
		verify_audit_exposure(p, &plan, answers, &f);
		verify_findings_sort(&f);
		if (fatal)
			rc = EXIT_USAGE;
		else if (f.nerrors || (a.werror && f.nwarnings))
			rc = EXIT_FAIL;
		else
			rc = 0;
		struct verify_run run = {
			.opt = &a.o, .file = c.src->name, .policy = p, .plan = &plan,
			.answers = answers, .sent = sent, .fatal = cause, .fatal_req = fatal_req,
			.findings = &f, .werror = a.werror, .exit_status = rc,
		};
		struct strbuf out = STRBUF_INIT;
		verify_report(&run, a.report, &out);
		if (out.failed)
			die_oom();
		fwrite(sb_str(&out), 1, out.len, stdout);
		sb_release(&out);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "corsc: cannot write to standard output\n");
			rc = EXIT_USAGE;
		}
		if (cause)
			fprintf(stderr, "corsc verify: no answer from %s to request #%zu: %s\n",
				a.url, plan.v[fatal_req].id, cause);
		verify_findings_free(&f);
	}
	sb_release(&err);
	for (size_t i = 0; i < plan.n; i++)
		verify_answer_free(&answers[i]);
	free(answers);
	verify_plan_free(&plan);
	compilation_free(&c);
	vargs_free(&a);
	return rc;
}
