/*
 * fix_cmd.c - corsc fix (see fix_cmd.h).
 */
#include "fix_cmd.h"
#include "fixit.h"
#include "inputs.h"
#include "outdir.h"
#include "strbuf.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fix one file; *changed tells whether its text changed.  Returns false on an I/O error. */
static bool fix_one(const char *path, enum input_format fmt, bool check, bool *changed)
{
	char err[8192];
	struct source *orig = source_read(path, err, sizeof(err));
	if (!orig) {
		fprintf(stderr, "corsc: %s\n", err);
		return false;
	}
	struct strbuf text = STRBUF_INIT;
	sb_add(&text, orig->text, orig->len);
	size_t left = 0;
	for (int round = 0; round < FIX_MAX_ROUNDS; round++) {
		struct compilation c;
		compile_source(&c, source_from_string(orig->name, text.buf ? text.buf : "",
						      text.len), fmt, false);
		const struct diag **applied = xcalloc(c.dq.n ? c.dq.n : 1, sizeof(*applied));
		struct strbuf next = STRBUF_INIT;
		size_t n = fixit_apply(c.src, &c.dq, &next, applied);
		for (size_t i = 0; i < n; i++)
			printf("%s:%u:%u: %s[%s]: %s\n", orig->name, applied[i]->span.line,
			       applied[i]->span.col, check ? "would fix" : "fixed",
			       applied[i]->code, applied[i]->message);
		left = c.dq.n - n;
		free(applied);
		compilation_free(&c);
		if (next.failed || text.failed)
			die_oom();
		if (n == 0) {
			sb_release(&next);
			break;
		}
		sb_release(&text);
		text = next;
		left = 0;
		if (check)
			break;      /* the first round tells enough */
	}
	*changed = text.len != orig->len || memcmp(text.buf ? text.buf : "", orig->text, text.len) != 0;
	bool ok = true;
	if (*changed && !check &&
	    !file_replace(orig->name, text.buf ? text.buf : "", text.len, -1, err, sizeof(err))) {
		fprintf(stderr, "corsc: %s\n", err);
		ok = false;
	}
	if (ok && !check && left > 0)
		fprintf(stderr, "corsc: %s: %zu diagnostic%s without a certain fix remain "
			"(corsc check %s)\n", orig->name, left, left == 1 ? "" : "s", orig->name);
	sb_release(&text);
	source_free(orig);
	return ok;
}

int fix_files(char *const *files, size_t nfiles, enum input_format format, bool check)
{
	struct input_list in;
	char err[8192];
	if (!inputs_collect(files, nfiles, PICK_POLICIES, &in, err, sizeof(err))) {
		fprintf(stderr, "corsc: %s\n", err);
		return 2;
	}
	for (size_t i = 0; i < in.n; i++)
		if (strcmp(in.v[i].path, "-") == 0) {
			fprintf(stderr, "corsc: fix rewrites files in place, not standard input\n"
				"try 'corsc --help'\n");
			inputs_release(&in);
			return 2;
		}
	int rc = 0;
	for (size_t i = 0; i < in.n; i++) {
		enum input_format fmt = in.v[i].found ? FORMAT_AUTO : format;
		if (fmt == FORMAT_AUTO)
			fmt = format_for_path(in.v[i].path);
		bool changed = false;
		if (!fix_one(in.v[i].path, fmt, check, &changed))
			rc = 2;
		else if (check && changed && rc == 0)
			rc = 1;
	}
	inputs_release(&in);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "corsc: cannot write to standard output\n");
		rc = 2;
	}
	return rc;
}
