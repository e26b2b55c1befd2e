/*
 * main.c - the command line of SPEC section 4: subcommands, options, exit
 * status.  0 success (warnings allowed), 1 the policy file has errors (or
 * warnings under --werror), 2 usage or I/O error.
 */
#include "backend.h"
#include "compile.h"
#include "eval.h"
#include "exposure.h"
#include "output.h"
#include "rules.h"
#include "strbuf.h"
#include "util.h"
#include "version.h"
#include "writer.h"
#include "frontend.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_ERRORS 1
#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: corsc build   [-t nginx|apache|caddy|json|all]... [-o DIR] [--werror] FILE\n"
	"       corsc check   [--werror] FILE\n"
	"       corsc eval    FILE --policy NAME --origin ORIGIN [--method M]\n"
	"                     [--header NAME]... [--preflight] [--private-network]\n"
	"                     [--response-header NAME]...\n"
	"       corsc explain CODE\n"
	"       corsc fmt     [--check] FILE\n"
	"       corsc convert --to dsl|yaml FILE\n"
	"\n"
	"common options:\n"
	"  --format dsl|yaml         input language (default: by extension; needed for -)\n"
	"  --diagnostics text|json   how diagnostics are printed on standard error\n"
	"  -h, --help                this help\n"
	"  --version                 version of corsc and of the libraries it runs with\n"
	"\n"
	"FILE may be - for standard input.  build without -o prints every file to\n"
	"standard output after a line '# ==> PATH <=='.\n"
	"exit status: 0 success, 1 errors in the policy file, 2 usage or I/O error\n";

enum {
	OPT_WERROR = 256, OPT_FORMAT, OPT_DIAG, OPT_VERSION, OPT_POLICY, OPT_ORIGIN,
	OPT_METHOD, OPT_HEADER, OPT_PREFLIGHT, OPT_PNA, OPT_CHECK, OPT_TO,
	OPT_RESPONSE_HEADER,
};

static const struct option long_options[] = {
	{ "target", required_argument, NULL, 't' },
	{ "output", required_argument, NULL, 'o' },
	{ "werror", no_argument, NULL, OPT_WERROR },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "diagnostics", required_argument, NULL, OPT_DIAG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "origin", required_argument, NULL, OPT_ORIGIN },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "header", required_argument, NULL, OPT_HEADER },
	{ "preflight", no_argument, NULL, OPT_PREFLIGHT },
	{ "private-network", no_argument, NULL, OPT_PNA },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "to", required_argument, NULL, OPT_TO },
	{ "response-header", required_argument, NULL, OPT_RESPONSE_HEADER },
	{ NULL, 0, NULL, 0 },
};

struct options {
	const char *cmd;
	const char *file;
	const char *outdir;
	bool targets[4];           /* index into backends[] */
	bool any_target;
	bool werror;
	enum input_format format;
	enum diag_format diag;
	const char *policy, *origin, *method, *to;
	const char **headers;
	size_t nheaders;
	bool preflight, pna, check;
	bool seen_eval_opt, seen_build_opt;
	const char **rheaders;     /* eval --response-header: the script's view */
	size_t nrheaders;
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("corsc: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\ntry 'corsc --help'\n", stderr);
	return EXIT_USAGE;
}

static bool use_color(void)
{
	const char *term = getenv("TERM");
	return isatty(STDERR_FILENO) && getenv("NO_COLOR") == NULL &&
	       term && strcmp(term, "dumb") != 0;
}

static void print_version(void)
{
	struct strbuf sb = STRBUF_INIT;
	version_libraries(&sb);
	printf("corsc %s (%s)\n", CORSC_VERSION, sb_str(&sb));
	sb_release(&sb);
}

/* Load and compile o->file; prints diagnostics.  Returns an exit status, or -1 to go on. */
static int load(const struct options *o, struct compilation *c)
{
	enum input_format fmt = o->format;
	if (fmt == FORMAT_AUTO) {
		if (strcmp(o->file, "-") == 0)
			return usage_error("%s", "reading standard input needs --format dsl|yaml");
		fmt = format_for_path(o->file);
	}
	char err[512];
	struct source *src = source_read(o->file, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "corsc: %s\n", err);
		return EXIT_USAGE;
	}
	compile_source(c, src, fmt, o->werror);
	diag_print(&c->dq, stderr, o->diag, o->diag == DIAG_TEXT && use_color());
	if (diag_failed(&c->dq)) {
		compilation_free(c);
		return EXIT_ERRORS;
	}
	return -1;
}

static int cmd_check(const struct options *o)
{
	struct compilation c;
	int rc = load(o, &c);
	if (rc >= 0)
		return rc;
	compilation_free(&c);
	return 0;
}

static int cmd_build(const struct options *o)
{
	/* A bad output folder is reported before any work, as a usage error. */
	if (o->outdir) {
		struct stat st;
		if (stat(o->outdir, &st) != 0) {
			fprintf(stderr, "corsc: output folder '%s': %s\n", o->outdir, strerror(errno));
			return EXIT_USAGE;
		}
		if (!S_ISDIR(st.st_mode)) {
			fprintf(stderr, "corsc: output folder '%s' is not a directory\n", o->outdir);
			return EXIT_USAGE;
		}
		if (access(o->outdir, W_OK | X_OK) != 0) {
			fprintf(stderr, "corsc: output folder '%s' is not writable: %s\n", o->outdir,
				strerror(errno));
			return EXIT_USAGE;
		}
	}
	struct compilation c;
	int rc = load(o, &c);
	if (rc >= 0)
		return rc;

	struct emit_ctx ctx = {
		.input = c.src->name,
		.policies = c.ir->resolved,
		.npolicies = c.ir->nresolved,
	};
	struct out_set set;
	struct strbuf err = STRBUF_INIT;
	out_set_init(&set);
	rc = 0;
	for (size_t i = 0; backends[i].name; i++) {
		bool want = o->any_target ? o->targets[i] : strcmp(backends[i].name, "json") != 0;
		if (want && !backends[i].emit(&ctx, &set, &err)) {
			fprintf(stderr, "corsc: %s backend: %s\n", backends[i].name, sb_str(&err));
			rc = EXIT_ERRORS;
			break;
		}
	}
	if (rc == 0) {
		if (o->outdir) {
			char msg[1024];
			if (!output_write(o->outdir, &set, msg, sizeof(msg))) {
				fprintf(stderr, "corsc: %s\n", msg);
				rc = EXIT_USAGE;
			}
		} else {
			for (size_t i = 0; i < set.n; i++) {
				printf("# ==> %s <==\n", set.v[i].path);
				fwrite(set.v[i].data, 1, set.v[i].len, stdout);
			}
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "corsc: cannot write to standard output\n");
				rc = EXIT_USAGE;
			}
		}
	}
	sb_release(&err);
	out_set_release(&set);
	compilation_free(&c);
	return rc;
}

static int cmd_eval(const struct options *o)
{
	if (!o->policy)
		return usage_error("%s", "eval needs --policy NAME");
	if (o->nrheaders && o->preflight)
		return usage_error("%s", "--response-header asks what a script reads from an actual "
				   "response: leave out --preflight");
	for (size_t i = 0; i < o->nrheaders; i++) {
		const char *n = o->rheaders[i];
		bool token = *n != '\0';
		for (const char *q = n; *q && token; q++)
			token = is_tchar((unsigned char)*q);
		if (!token)
			return usage_error("--response-header '%s' is not a header name (an RFC 9110 "
					   "token)", n);
	}
	struct compilation c;
	int rc = load(o, &c);
	if (rc >= 0)
		return rc;

	const struct policy *p = NULL;
	for (size_t i = 0; i < c.ir->nresolved; i++)
		if (strcmp(c.ir->resolved[i].name, o->policy) == 0)
			p = &c.ir->resolved[i];
	if (!p) {
		fprintf(stderr, "corsc: no policy '%s' in %s", o->policy, c.src->name);
		for (size_t i = 0; i < c.ir->nresolved; i++)
			fprintf(stderr, "%s'%s'", i ? ", " : " (it has ", c.ir->resolved[i].name);
		fputs(c.ir->nresolved ? ")\n" : "\n", stderr);
		compilation_free(&c);
		return EXIT_USAGE;
	}
	struct eval_request req = {
		.origin = o->origin,
		.method = o->method,
		.headers = o->headers,
		.nheaders = o->nheaders,
		.preflight = o->preflight,
		.private_network = o->pna,
	};
	struct eval_response res;
	eval_policy(p, &req, &res);
	struct strbuf sb = STRBUF_INIT;
	if (o->diag == DIAG_JSON)
		eval_format_json(&res, &sb);
	else
		eval_format_text(&res, &sb);
	if (o->nrheaders) {
		/* the script fetches with credentials when the policy allows them */
		struct exposure_view v = {
			.origin = o->origin && *o->origin ? o->origin : NULL,
			.credentialed = p->credentials && !p->any_origin,
			.names = o->rheaders,
			.nnames = o->nrheaders,
		};
		if (o->diag == DIAG_JSON)
			exposure_format_json(&res, &v, &sb);
		else
			exposure_format_text(&res, &v, &sb);
	}
	fwrite(sb_str(&sb), 1, sb.len, stdout);
	sb_release(&sb);
	eval_response_free(&res);
	compilation_free(&c);
	return 0;
}

/* corsc fmt: the policy language in canonical layout, comments kept. */
static int cmd_fmt(const struct options *o)
{
	enum input_format fmt = o->format;
	if (fmt == FORMAT_AUTO) {
		if (strcmp(o->file, "-") == 0)
			fmt = FORMAT_DSL;
		else
			fmt = format_for_path(o->file);
	}
	if (fmt != FORMAT_DSL)
		return usage_error("%s", "fmt formats the policy language; "
				   "for YAML use 'corsc convert --to dsl'");
	char err[512];
	struct source *src = source_read(o->file, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "corsc: %s\n", err);
		return EXIT_USAGE;
	}
	/* syntax only: a file with semantic errors can still be formatted */
	struct diag_queue dq;
	diag_init(&dq);
	struct ir_file *f = ir_file_new(src);
	dsl_parse(f, &dq);
	diag_sort(&dq);
	diag_print(&dq, stderr, o->diag, o->diag == DIAG_TEXT && use_color());
	int rc = 0;
	if (dq.nerrors > 0) {
		rc = EXIT_ERRORS;
	} else {
		struct comment *c;
		size_t nc = dsl_find_comments(src, &c);
		struct strbuf sb = STRBUF_INIT;
		write_dsl(f, c, nc, &sb);
		free(c);
		if (sb.failed)
			die_oom();
		if (o->check) {
			if (sb.len != src->len || memcmp(sb_str(&sb), src->text, sb.len) != 0) {
				fprintf(stderr, "corsc: %s is not in canonical layout (run 'corsc fmt %s')\n",
					src->name, src->name);
				rc = EXIT_ERRORS;
			}
		} else {
			fwrite(sb_str(&sb), 1, sb.len, stdout);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "corsc: cannot write to standard output\n");
				rc = EXIT_USAGE;
			}
		}
		sb_release(&sb);
	}
	ir_file_free(f);
	diag_release(&dq);
	source_free(src);
	return rc;
}

/* corsc convert --to dsl|yaml: the same policies in the other language. */
static int cmd_convert(const struct options *o)
{
	if (!o->to || (strcmp(o->to, "dsl") && strcmp(o->to, "yaml")))
		return usage_error("%s", "convert needs --to dsl or --to yaml");
	struct compilation c;
	int rc = load(o, &c);
	if (rc >= 0)
		return rc;
	struct strbuf sb = STRBUF_INIT;
	if (strcmp(o->to, "dsl") == 0)
		write_dsl(c.ir, NULL, 0, &sb);
	else
		write_yaml(c.ir, &sb);
	if (sb.failed)
		die_oom();
	fwrite(sb_str(&sb), 1, sb.len, stdout);
	rc = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "corsc: cannot write to standard output\n");
		rc = EXIT_USAGE;
	}
	sb_release(&sb);
	compilation_free(&c);
	return rc;
}

static void print_wrapped(const char *label, const char *text)
{
	if (!text)
		return;
	printf("%s\n", label);
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		printf(n ? "    %.*s\n" : "\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
	putchar('\n');
}

static int cmd_explain(const char *code)
{
	const struct rule *r = rule_find(code);
	if (!r) {
		fprintf(stderr, "corsc: unknown diagnostic code '%s'\n"
			"the codes are E001-E005, E010-E013, E020-E024, E030-E035 and W101-W111\n",
			code);
		return EXIT_USAGE;
	}
	printf("%s (%s): %s\n\n", r->code, r->severity == SEV_ERROR ? "error" : "warning",
	       r->summary);
	print_wrapped("Why:", r->explanation);
	print_wrapped("Example:", r->example);
	print_wrapped("Fix:", r->fix);
	print_wrapped("Browsers:", rule_browsers(r->code));
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	memset(&o, 0, sizeof(o));
	o.format = FORMAT_AUTO;
	o.diag = DIAG_TEXT;

	size_t hcap = 0, rhcap = 0;
	int c;
	/* A subcommand comes first; options may follow in any order. */
	if (argc >= 2 && argv[1][0] != '-') {
		o.cmd = argv[1];
		argv++;
		argc--;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:o:h", long_options, NULL)) != -1) {
		switch (c) {
		case 't': {
			o.any_target = true;
			o.seen_build_opt = true;
			if (strcmp(optarg, "all") == 0) {
				o.targets[0] = o.targets[1] = o.targets[2] = true;
				break;
			}
			const struct backend *b = backend_find(optarg);
			if (!b)
				return usage_error("unknown target '%s' (nginx, apache, caddy, json or all)", optarg);
			o.targets[b - backends] = true;
			break;
		}
		case 'o': o.outdir = optarg; o.seen_build_opt = true; break;
		case OPT_WERROR: o.werror = true; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "dsl") == 0)
				o.format = FORMAT_DSL;
			else if (strcmp(optarg, "yaml") == 0)
				o.format = FORMAT_YAML;
			else
				return usage_error("unknown format '%s' (dsl or yaml)", optarg);
			break;
		case OPT_DIAG:
			if (strcmp(optarg, "text") == 0)
				o.diag = DIAG_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o.diag = DIAG_JSON;
			else
				return usage_error("unknown diagnostics format '%s' (text or json)", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case OPT_VERSION:
			print_version();
			return 0;
		case OPT_POLICY: o.policy = optarg; o.seen_eval_opt = true; break;
		case OPT_ORIGIN: o.origin = optarg; o.seen_eval_opt = true; break;
		case OPT_METHOD: o.method = optarg; o.seen_eval_opt = true; break;
		case OPT_HEADER:
			xgrow(&o.headers, &hcap, o.nheaders + 1, sizeof(char *));
			o.headers[o.nheaders++] = optarg;
			o.seen_eval_opt = true;
			break;
		case OPT_PREFLIGHT: o.preflight = true; o.seen_eval_opt = true; break;
		case OPT_RESPONSE_HEADER:
			xgrow(&o.rheaders, &rhcap, o.nrheaders + 1, sizeof(char *));
			o.rheaders[o.nrheaders++] = optarg;
			o.seen_eval_opt = true;
			break;
		case OPT_PNA: o.pna = true; o.seen_eval_opt = true; break;
		case OPT_CHECK: o.check = true; break;
		case OPT_TO: o.to = optarg; break;
		case ':':
			free(o.headers);
			free(o.rheaders);
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			free(o.headers);
			free(o.rheaders);
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}

	int rc;
	if (!o.cmd) {
		rc = usage_error("%s", "no command given");
		goto out;
	}
	int nargs = argc - optind;
	if (strcmp(o.cmd, "explain") == 0) {
		rc = nargs == 1 ? cmd_explain(argv[optind])
				: usage_error("%s", "explain takes one diagnostic code");
		goto out;
	}
	if (strcmp(o.cmd, "build") && strcmp(o.cmd, "check") && strcmp(o.cmd, "eval") &&
	    strcmp(o.cmd, "fmt") && strcmp(o.cmd, "convert")) {
		rc = usage_error("unknown command '%s'", o.cmd);
		goto out;
	}
	if (nargs != 1) {
		rc = usage_error(nargs ? "%s takes exactly one FILE" : "%s needs a FILE", o.cmd);
		goto out;
	}
	o.file = argv[optind];
	if (strcmp(o.cmd, "eval") != 0 && o.seen_eval_opt) {
		rc = usage_error("%s does not take --policy, --origin, --method, --header, "
				 "--preflight or --private-network", o.cmd);
		goto out;
	}
	if (strcmp(o.cmd, "build") != 0 && o.seen_build_opt) {
		rc = usage_error("%s does not take -t or -o", o.cmd);
		goto out;
	}
	if (o.check && strcmp(o.cmd, "fmt") != 0) {
		rc = usage_error("%s does not take --check", o.cmd);
		goto out;
	}
	if (o.to && strcmp(o.cmd, "convert") != 0) {
		rc = usage_error("%s does not take --to", o.cmd);
		goto out;
	}
	if (strcmp(o.cmd, "build") == 0)
		rc = cmd_build(&o);
	else if (strcmp(o.cmd, "fmt") == 0)
		rc = cmd_fmt(&o);
	else if (strcmp(o.cmd, "convert") == 0)
		rc = cmd_convert(&o);
	else if (strcmp(o.cmd, "check") == 0)
		rc = cmd_check(&o);
	else
		rc = cmd_eval(&o);
out:
	free(o.headers);
	free(o.rheaders);
	return rc;
}
