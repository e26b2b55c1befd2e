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
#include "validate.h"
#include "verify.h"
#include "version.h"
#include "writer.h"
#include "frontend.h"
#include "inputs.h"
#include "outdir.h"
#include "fix_cmd.h"

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
	"usage: corsc build   [-t TARGET|all]... [-o DIR] [--werror] FILE...\n"
	"       corsc check   [--werror] FILE...\n"
	"       corsc eval    FILE --policy NAME (--origin ORIGIN | --no-origin) [--method M]\n"
	"                     [--header NAME]... [--preflight] [--private-network]\n"
	"                     [--response-header NAME]...\n"
	"       corsc verify  FILE --policy NAME URL [options: corsc verify --help]\n"
	"       corsc explain CODE\n"
	"       corsc fmt     [--check | -w] FILE...\n"
	"       corsc fix     [--check] FILE...   apply the diagnostics' certain fixes, in place\n"
	"       corsc convert --to dsl|yaml FILE\n"
	"\n"
	"common options:\n"
	"  --format dsl|yaml         input language (default: by extension; needed for -)\n"
	"  --diagnostics text|json|sarif|github\n"
	"                            how diagnostics are printed (github: on standard output)\n"
	"  --diagnostics-file PATH   write the diagnostics to PATH instead\n"
	"  -h, --help                this help\n"
	"  --version                 version of corsc and of the libraries it runs with\n"
	"\n"
	"FILE may be - for standard input, or a directory: every .cors, .yaml and .yml\n"
	"file under it.  Several files form one set of policies.  build without -o\n"
	"prints every file to standard output after a line '# ==> PATH <=='; -o DIR\n"
	"is created when missing.\n"
	"exit status: 0 success, 1 errors in the policy file, 2 usage or I/O error\n";

enum {
	OPT_WERROR = 256, OPT_FORMAT, OPT_DIAG, OPT_VERSION, OPT_POLICY, OPT_ORIGIN,
	OPT_METHOD, OPT_HEADER, OPT_PREFLIGHT, OPT_PNA, OPT_CHECK, OPT_TO,
	OPT_NO_ORIGIN, OPT_DIAG_FILE, OPT_RESPONSE_HEADER,
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
	{ "no-origin", no_argument, NULL, OPT_NO_ORIGIN },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "header", required_argument, NULL, OPT_HEADER },
	{ "preflight", no_argument, NULL, OPT_PREFLIGHT },
	{ "private-network", no_argument, NULL, OPT_PNA },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "to", required_argument, NULL, OPT_TO },
	{ "diagnostics-file", required_argument, NULL, OPT_DIAG_FILE },
	{ "write", no_argument, NULL, 'w' },
	{ "response-header", required_argument, NULL, OPT_RESPONSE_HEADER },
	{ NULL, 0, NULL, 0 },
};

struct options {
	const char *cmd;
	const char *file;
	const char *outdir;
	backend_set targets;       /* the backends -t named */
	bool any_target;
	bool werror;
	enum input_format format;
	enum diag_format diag;
	const char *policy, *origin, *method, *to;
	const char **headers;
	size_t nheaders;
	bool preflight, pna, check;
	bool seen_eval_opt, seen_build_opt;
	unsigned norigin_opts;     /* eval: --origin and --no-origin given */
	char *const *files;         /* build, check, fmt: the FILE operands */
	size_t nfiles;
	const char *diag_file;      /* --diagnostics-file */
	bool write;                 /* fmt -w */
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

/* The targets line of --help, from the backend table. */
static void print_usage(void)
{
	struct strbuf sb = STRBUF_INIT;
	fputs(usage_text, stdout);
	sb_puts(&sb, "targets: ");
	backend_names(&sb, ", ", false);
	sb_puts(&sb, "; all (the default): ");
	backend_names(&sb, ", ", true);
	printf("%s\n", sb_str(&sb));
	sb_release(&sb);
}

static int unknown_target(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "unknown target '%s' (");
	backend_names(&sb, ", ", false);
	sb_puts(&sb, " or all)");
	int rc = usage_error(sb_str(&sb), name);
	sb_release(&sb);
	return rc;
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

/*
 * Print the diagnostics of q as --diagnostics and --diagnostics-file say:
 * to the file (all or nothing), else github on standard output and the
 * others on standard error.  False (after a message) if they could not be
 * written.
 */
static bool report_diagnostics(const struct options *o, const struct diag_queue *q)
{
	if (!o->diag_file) {
		FILE *out = o->diag == DIAG_GITHUB ? stdout : stderr;
		diag_print(q, out, o->diag, o->diag == DIAG_TEXT && use_color());
		if (o->diag == DIAG_GITHUB && (fflush(stdout) != 0 || ferror(stdout))) {
			fprintf(stderr, "corsc: cannot write to standard output\n");
			return false;
		}
		return true;
	}
	struct strbuf sb = STRBUF_INIT;
	diag_render(q, &sb, o->diag, false);
	if (sb.failed)
		die_oom();
	char err[8192];
	bool ok = file_replace(o->diag_file, sb_str(&sb), sb.len, -1, err, sizeof(err));
	if (!ok)
		fprintf(stderr, "corsc: diagnostics file: %s\n", err);
	sb_release(&sb);
	return ok;
}

/*
 * Read and compile every input of o->files as one set of policies into p;
 * prints diagnostics.  Returns an exit status, or -1 to go on (then the
 * caller frees p, and *display, the inputs' names for headers).
 */
static int load_program(const struct options *o, struct program *p, char **display)
{
	struct input_list in;
	char err[8192];
	if (!inputs_collect(o->files, o->nfiles, PICK_POLICIES, &in, err, sizeof(err))) {
		fprintf(stderr, "corsc: %s\n", err);
		return EXIT_USAGE;
	}
	program_init(p, o->werror);
	for (size_t i = 0; i < in.n; i++) {
		const struct input *f = &in.v[i];
		enum input_format fmt = f->found ? FORMAT_AUTO : o->format;
		if (fmt == FORMAT_AUTO) {
			if (strcmp(f->path, "-") == 0) {
				inputs_release(&in);
				program_free(p);
				return usage_error("%s", "reading standard input needs --format dsl|yaml");
			}
			fmt = format_for_path(f->path);
		}
		struct source *src = source_read(f->path, err, sizeof(err));
		if (!src) {
			fprintf(stderr, "corsc: %s\n", err);
			inputs_release(&in);
			program_free(p);
			return EXIT_USAGE;
		}
		program_add(p, src, fmt);
	}
	program_link(p);
	*display = inputs_display(&in);
	inputs_release(&in);
	if (!report_diagnostics(o, &p->dq)) {
		free(*display);
		program_free(p);
		return EXIT_USAGE;
	}
	if (diag_failed(&p->dq)) {
		free(*display);
		program_free(p);
		return EXIT_ERRORS;
	}
	return -1;
}

/* Load and compile o->file, printing nothing yet.  Returns an exit status, or -1 to go on. */
static int compile_file(const struct options *o, struct compilation *c)
{
	enum input_format fmt = o->format;
	if (fmt == FORMAT_AUTO) {
		if (strcmp(o->file, "-") == 0)
			return usage_error("%s", "reading standard input needs --format dsl|yaml");
		fmt = format_for_path(o->file);
	}
	char err[8192];
	struct source *src = source_read(o->file, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "corsc: %s\n", err);
		return EXIT_USAGE;
	}
	compile_source(c, src, fmt, o->werror);
	return -1;
}

/* Load and compile o->file; prints diagnostics.  Returns an exit status, or -1 to go on. */
static int load(const struct options *o, struct compilation *c)
{
	int rc = compile_file(o, c);
	if (rc >= 0)
		return rc;
	if (!report_diagnostics(o, &c->dq)) {
		compilation_free(c);
		return EXIT_USAGE;
	}
	if (diag_failed(&c->dq)) {
		compilation_free(c);
		return EXIT_ERRORS;
	}
	return -1;
}

static int cmd_check(const struct options *o)
{
	struct program p;
	char *display;
	int rc = load_program(o, &p, &display);
	if (rc >= 0)
		return rc;
	free(display);
	program_free(&p);
	return 0;
}

static int cmd_build(const struct options *o)
{
	/*
	 * A bad output folder is reported before any work, as a usage error.
	 * A missing one is created (with its parents) once the files are ready.
	 */
	if (o->outdir) {
		struct stat st;
		if (stat(o->outdir, &st) != 0) {
			if (errno != ENOENT) {
				fprintf(stderr, "corsc: output folder '%s': %s\n", o->outdir,
					strerror(errno));
				return EXIT_USAGE;
			}
		} else if (!S_ISDIR(st.st_mode)) {
			fprintf(stderr, "corsc: output folder '%s' is not a directory\n", o->outdir);
			return EXIT_USAGE;
		} else if (access(o->outdir, W_OK | X_OK) != 0) {
			fprintf(stderr, "corsc: output folder '%s' is not writable: %s\n", o->outdir,
				strerror(errno));
			return EXIT_USAGE;
		}
	}
	struct program prog;
	char *display;
	int rc = load_program(o, &prog, &display);
	if (rc >= 0)
		return rc;

	struct emit_ctx ctx = {
		.input = display,
		.policies = prog.policies,
		.npolicies = prog.npolicies,
	};
	emit_cache_begin(&ctx);
	struct out_set set;
	struct strbuf err = STRBUF_INIT;
	out_set_init(&set);
	/* with -o, each file goes to its temporary file as soon as it is made */
	struct output_sink sink = { .dir = o->outdir };
	if (o->outdir) {
		set.sink = output_sink_file;
		set.sink_ctx = &sink;
	}
	rc = 0;
	backend_set want = o->any_target ? o->targets : backend_servers();
	for (size_t i = 0; backends[i].name; i++) {
		if ((want & backend_bit(&backends[i])) && !backends[i].emit(&ctx, &set, &err)) {
			fprintf(stderr, "corsc: %s backend: %s\n", backends[i].name, sb_str(&err));
			rc = EXIT_ERRORS;
			break;
		}
	}
	if (o->outdir) {
		if (!output_sink_finish(&sink, rc == 0)) {
			fprintf(stderr, "corsc: %s\n", sink.msg);
			rc = EXIT_USAGE;
		}
	} else if (rc == 0) {
		for (size_t i = 0; i < set.n; i++) {
			printf("# ==> %s <==\n", set.v[i].path);
			fwrite(set.v[i].data, 1, set.v[i].len, stdout);
		}
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "corsc: cannot write to standard output\n");
			rc = EXIT_USAGE;
		}
	}
	sb_release(&err);
	out_set_release(&set);
	emit_cache_end();
	free(display);
	program_free(&prog);
	return rc;
}

/*
 * Print the diagnostics of q that keep(d, ctx) selects: eval shows only the
 * errors that stop it, or the warnings of the policy it evaluates.
 */
static bool print_some(const struct diag_queue *q, const struct options *o,
		       bool (*keep)(const struct diag *, const void *), const void *ctx)
{
	struct diag_queue some = *q;
	some.v = xcalloc(q->n ? q->n : 1, sizeof(*some.v));
	some.n = 0;
	for (size_t i = 0; i < q->n; i++)
		if (keep(&q->v[i], ctx))
			some.v[some.n++] = q->v[i];
	bool ok = report_diagnostics(o, &some);
	free(some.v);
	return ok;
}

static bool keep_failing(const struct diag *d, const void *ctx)
{
	const struct diag_queue *q = ctx;
	return d->severity == SEV_ERROR || q->werror;
}

/* The source range of one policy: from its keyword to the next policy's. */
struct range { const struct source *src; size_t from, to; };

static bool keep_in_range(const struct diag *d, const void *ctx)
{
	const struct range *r = ctx;
	return !d->span.src || (d->span.src == r->src && d->span.offset >= r->from &&
				d->span.offset < r->to);
}

static int cmd_eval(const struct options *o)
{
	if (!o->policy)
		return usage_error("%s", "eval needs --policy NAME");
	if (o->norigin_opts == 0)
		return usage_error("%s", "eval needs --origin ORIGIN, or --no-origin for a "
				   "request without Origin");
	if (o->norigin_opts > 1)
		return usage_error("%s", "eval takes exactly one of --origin and --no-origin");
	const char *why = o->origin ? eval_origin_malformed(o->origin) : NULL;
	if (why) {
		fprintf(stderr, "corsc: malformed --origin '%s': %s\ntry 'corsc --help'\n",
			o->origin, why);
		return EXIT_USAGE;
	}
	if (o->preflight && !o->method)
		return usage_error("%s", "--preflight needs --method M (the "
				   "Access-Control-Request-Method it asks for)");

	if (o->nrheaders && o->preflight)
		return usage_error("%s", "--response-header asks what a script reads from an actual "
				   "response: leave out --preflight");
	/* What a browser could send: a method and header names are tokens (an
	   empty --method stands for no Access-Control-Request-Method). */
	for (const char *q = o->method; q && *q; q++)
		if (!is_tchar((unsigned char)*q))
			return usage_error("--method '%s' is not a method (an RFC 9110 token)",
					   o->method);
	for (size_t i = 0; i < o->nheaders; i++)
		if (!is_token(o->headers[i]))
			return usage_error("--header '%s' is not a header name (an RFC 9110 token; "
					   "give one name per --header)", o->headers[i]);
	for (size_t i = 0; i < o->nrheaders; i++)
		if (!is_token(o->rheaders[i]))
			return usage_error("--response-header '%s' is not a header name (an RFC 9110 "
					   "token)", o->rheaders[i]);

	/* Loaded without printing: what is shown depends on the outcome. */
	struct compilation c;
	int rc = compile_file(o, &c);
	if (rc >= 0)
		return rc;
	if (diag_failed(&c.dq)) {
		bool ok = print_some(&c.dq, o, keep_failing, &c.dq);
		compilation_free(&c);
		return ok ? EXIT_ERRORS : EXIT_USAGE;
	}

	const struct policy *p = NULL;
	for (size_t i = 0; i < c.ir->nresolved; i++)
		if (strcmp(c.ir->resolved[i].name, o->policy) == 0)
			p = &c.ir->resolved[i];
	if (p) {
		struct range r = { p->span.src, p->span.offset, (size_t)-1 };
		for (size_t i = 0; i < c.ir->npolicies; i++) {
			const struct span *s = &c.ir->policies[i]->span;
			if (s->src == r.src && s->offset > r.from && s->offset < r.to)
				r.to = s->offset;
		}
		if (!print_some(&c.dq, o, keep_in_range, &r)) {
			compilation_free(&c);
			return EXIT_USAGE;
		}
	}
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

/*
 * corsc fmt: the policy language in canonical layout, comments kept.  Each
 * FILE is formatted on its own (syntax only: a file with semantic errors
 * can still be formatted); several are printed each after '# ==> PATH <=='
 * (a comment in the language), --check names those not in layout, -w
 * rewrites them in place.
 */
static int cmd_fmt(const struct options *o)
{
	struct input_list in;
	char err[8192];
	if (o->check && o->write)
		return usage_error("%s", "fmt takes --check or -w, not both");
	if (!inputs_collect(o->files, o->nfiles, PICK_DSL, &in, err, sizeof(err))) {
		fprintf(stderr, "corsc: %s\n", err);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < in.n; i++) {
		const struct input *f = &in.v[i];
		bool stdin_ = strcmp(f->path, "-") == 0;
		enum input_format fmt = f->found ? FORMAT_DSL : o->format;
		if (fmt == FORMAT_AUTO)
			fmt = stdin_ ? FORMAT_DSL : format_for_path(f->path);
		if (fmt != FORMAT_DSL) {
			inputs_release(&in);
			return usage_error("%s", "fmt formats the policy language; "
					   "for YAML use 'corsc convert --to dsl'");
		}
		if (stdin_ && o->write) {
			inputs_release(&in);
			return usage_error("%s", "fmt -w cannot rewrite standard input");
		}
	}

	struct diag_queue dq;
	diag_init(&dq);
	struct source **srcs = xcalloc(in.n, sizeof(*srcs));
	struct ir_file **files = xcalloc(in.n, sizeof(*files));
	int rc = 0;
	for (size_t i = 0; i < in.n; i++) {
		srcs[i] = source_read(in.v[i].path, err, sizeof(err));
		if (!srcs[i]) {
			fprintf(stderr, "corsc: %s\n", err);
			rc = EXIT_USAGE;
			break;
		}
		files[i] = ir_file_new(srcs[i]);
		size_t before = dq.nerrors;
		dsl_parse(files[i], &dq);
		if (dq.nerrors == before)
			validate_some_policy(files[i], &dq);
		if (dq.nerrors > before) {
			ir_file_free(files[i]);    /* not formatted */
			files[i] = NULL;
		}
	}
	if (rc == 0) {
		diag_sort(&dq);
		if (!report_diagnostics(o, &dq))
			rc = EXIT_USAGE;
		else if (dq.nerrors > 0)
			rc = EXIT_ERRORS;
	}
	for (size_t i = 0; i < in.n && rc != EXIT_USAGE; i++) {
		if (!files[i])
			continue;
		const struct source *src = srcs[i];
		struct comment *c;
		size_t nc = dsl_find_comments(src, &c);
		struct strbuf sb = STRBUF_INIT;
		write_dsl(files[i], c, nc, &sb);
		free(c);
		keep_line_ends(src, &sb);
		if (sb.failed)
			die_oom();
		bool same = sb.len == src->len && memcmp(sb_str(&sb), src->text, sb.len) == 0;
		if (o->check) {
			if (!same) {
				fprintf(stderr, "corsc: %s is not in canonical layout (run 'corsc fmt -w %s')\n",
					src->name, src->name);
				rc = EXIT_ERRORS;
			}
		} else if (o->write) {
			if (!same && !file_replace(src->name, sb_str(&sb), sb.len, -1, err, sizeof(err))) {
				fprintf(stderr, "corsc: %s\n", err);
				rc = EXIT_USAGE;
			}
		} else {
			if (in.n > 1)
				printf("# ==> %s <==\n", src->name);
			fwrite(sb_str(&sb), 1, sb.len, stdout);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "corsc: cannot write to standard output\n");
				rc = EXIT_USAGE;
			}
		}
		sb_release(&sb);
	}
	for (size_t i = 0; i < in.n; i++) {
		ir_file_free(files[i]);
		source_free(srcs[i]);
	}
	free(files);
	free(srcs);
	diag_release(&dq);
	inputs_release(&in);
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
	struct comment *cm;
	size_t ncm = find_comments(c.ir, &cm);
	if (strcmp(o->to, "dsl") == 0)
		write_dsl(c.ir, cm, ncm, &sb);
	else
		write_yaml(c.ir, cm, ncm, &sb);
	free(cm);
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

/*
 * The subcommand: the first operand, wherever it stands among the options
 * (corsc --werror check f.cors as well as corsc check --werror f.cors).
 * Returns its index in argv, or 0 when there is none.
 */
static int find_command(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return i + 1 < argc ? i + 1 : 0;
		if (a[0] != '-' || a[1] == '\0')
			return i;
		if (a[1] == '-') {                 /* --name or --name=value */
			if (strchr(a, '='))
				continue;
			for (const struct option *lo = long_options; lo->name; lo++)
				if (strcmp(a + 2, lo->name) == 0 && lo->has_arg == required_argument)
					i++;   /* its value */
		} else if (a[2] == '\0' && (a[1] == 't' || a[1] == 'o')) {
			i++;
		}
	}
	return 0;
}

/* The argument that holds short option ch (as in -werror), or NULL. */
static const char *short_cluster(int argc, char **argv, int ch)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] && argv[i][1] != '-' && strchr(argv[i] + 1, ch))
			return argv[i];
	return NULL;
}

static int unknown_option(int argc, char **argv)
{
	if (optopt == 0)   /* an unknown --long option: getopt has passed it */
		return usage_error("unknown option '%s'", argv[optind - 1]);
	const char *arg = short_cluster(argc, argv, optopt);
	if (arg && arg[2]) {
		for (const struct option *lo = long_options; lo->name; lo++)
			if (strcmp(arg + 1, lo->name) == 0) {
				fprintf(stderr, "corsc: unknown option '%s': a long option takes two "
					"dashes, --%s\ntry 'corsc --help'\n", arg, lo->name);
				return EXIT_USAGE;
			}
		fprintf(stderr, "corsc: unknown option '-%c' in '%s'\ntry 'corsc --help'\n",
			optopt, arg);
		return EXIT_USAGE;
	}
	fprintf(stderr, "corsc: unknown option '-%c'\ntry 'corsc --help'\n", optopt);
	return EXIT_USAGE;
}

/*
 * Every command ends here: what was written to standard output must have
 * arrived (corsc eval > /dev/full is an I/O error, exit 2, not a success).
 */
static int finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (rc != EXIT_USAGE)
			fprintf(stderr, "corsc: cannot write to standard output: %s\n",
				strerror(errno ? errno : EIO));
		rc = EXIT_USAGE;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	memset(&o, 0, sizeof(o));
	o.format = FORMAT_AUTO;
	o.diag = DIAG_TEXT;

	/* The command may stand after global options; take it out of argv. */
	int ci = find_command(argc, argv);
	if (ci > 0) {
		o.cmd = argv[ci];
		memmove(argv + ci, argv + ci + 1, (size_t)(argc - ci) * sizeof(*argv));
		argc--;
	}
	/* corsc verify parses its own options (verify.c), those before it too. */
	if (o.cmd && strcmp(o.cmd, "verify") == 0) {
		argv[0] = (char *)"verify";
		return finish(verify_main(argc, argv));
	}

	size_t hcap = 0, rhcap = 0;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:o:hw", long_options, NULL)) != -1) {
		/*
		 * an option whose value is another option: -o -t nginx.  Not a value
		 * given with '=' (--method=-|PURGE), nor one that is no option of
		 * corsc's: '-' is a token character, so a method or header may start
		 * with it (found by the soak: eval could not be asked about them).
		 */
		if (c != ':' && c != '?' && optarg && argv[optind - 1] == optarg &&
		    optarg[0] == '-' && optarg[1] != '\0' &&
		    (optarg[1] == '-' || strchr("tohw", optarg[1]) != NULL)) {
			const char *opt = argv[optind - 2];
			fprintf(stderr, "corsc: option '%s' needs a value, not the option '%s'\n"
				"try 'corsc --help'\n", opt, optarg);
			free(o.headers);
			free(o.rheaders);
			return EXIT_USAGE;
		}
		switch (c) {
		case 't': {
			o.any_target = true;
			o.seen_build_opt = true;
			if (strcmp(optarg, "all") == 0) {
				o.targets |= backend_servers();
				break;
			}
			const struct backend *b = backend_find(optarg);
			if (!b) {
				free(o.headers);
				free(o.rheaders);
				return unknown_target(optarg);
			}
			o.targets |= backend_bit(b);
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
			else if (strcmp(optarg, "sarif") == 0)
				o.diag = DIAG_SARIF;
			else if (strcmp(optarg, "github") == 0)
				o.diag = DIAG_GITHUB;
			else
				return usage_error("unknown diagnostics format '%s' "
						   "(text, json, sarif or github)", optarg);
			break;
		case OPT_DIAG_FILE: o.diag_file = optarg; break;
		case 'w': o.write = true; break;
		case 'h':
			free(o.headers);
			free(o.rheaders);
			print_usage();
			return finish(0);
		case OPT_VERSION:
			free(o.headers);
			free(o.rheaders);
			print_version();
			return finish(0);
		case OPT_POLICY: o.policy = optarg; o.seen_eval_opt = true; break;
		case OPT_ORIGIN: o.origin = optarg; o.norigin_opts++; o.seen_eval_opt = true; break;
		case OPT_NO_ORIGIN: o.norigin_opts++; o.seen_eval_opt = true; break;
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
			return unknown_option(argc, argv);
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
	    strcmp(o.cmd, "fmt") && strcmp(o.cmd, "convert") && strcmp(o.cmd, "fix")) {
		rc = usage_error("unknown command '%s'", o.cmd);
		goto out;
	}
	bool many = !strcmp(o.cmd, "build") || !strcmp(o.cmd, "check") || !strcmp(o.cmd, "fmt") ||
		    !strcmp(o.cmd, "fix");
	if (nargs < 1 || (nargs != 1 && !many)) {
		rc = usage_error(nargs ? "%s takes exactly one FILE" : "%s needs a FILE", o.cmd);
		goto out;
	}
	o.file = argv[optind];
	o.files = argv + optind;
	o.nfiles = (size_t)nargs;
	if (strcmp(o.cmd, "eval") != 0 && o.seen_eval_opt) {
		rc = usage_error("%s does not take --policy, --origin, --method, --header, "
				 "--preflight or --private-network", o.cmd);
		goto out;
	}
	if (strcmp(o.cmd, "build") != 0 && o.seen_build_opt) {
		rc = usage_error("%s does not take -t or -o", o.cmd);
		goto out;
	}
	if (o.check && strcmp(o.cmd, "fmt") != 0 && strcmp(o.cmd, "fix") != 0) {
		rc = usage_error("%s does not take --check", o.cmd);
		goto out;
	}
	if (o.write && strcmp(o.cmd, "fmt") != 0) {
		rc = usage_error("%s does not take -w", o.cmd);
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
	else if (strcmp(o.cmd, "fix") == 0)
		rc = fix_files(o.files, o.nfiles, o.format, o.check);
	else
		rc = cmd_eval(&o);
out:
	free(o.headers);
	free(o.rheaders);
	return finish(rc);
}
