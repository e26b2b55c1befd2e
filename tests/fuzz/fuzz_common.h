/*
 * fuzz_common.h - shared body of the libFuzzer targets: compile the input,
 * render its diagnostics both ways, and (pipeline) emit every target and
 * evaluate requests.  Any crash, leak or sanitizer report is a bug.
 */
#ifndef CORSC_FUZZ_COMMON_H
#define CORSC_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "compile.h"
#include "eval.h"

static void fuzz_render(const struct compilation *c)
{
	FILE *null = fopen("/dev/null", "w");
	if (!null)
		return;
	diag_print(&c->dq, null, DIAG_TEXT, true);
	diag_print(&c->dq, null, DIAG_JSON, false);
	fclose(null);
}

static void fuzz_backends_and_eval(const struct compilation *c, const uint8_t *data, size_t size)
{
	if (diag_failed(&c->dq))
		return;
	struct emit_ctx ctx = { "fuzz", c->ir->resolved, c->ir->nresolved };
	for (const struct backend *b = backends; b->name; b++) {
		struct out_set set;
		struct strbuf err = STRBUF_INIT;
		out_set_init(&set);
		b->emit(&ctx, &set, &err);
		out_set_release(&set);
		sb_release(&err);
	}
	/* Requests: every origin of every policy as written, plus the input's
	 * last bytes as a hostile origin, as preflight and actual. */
	size_t tail = size > 40 ? 40 : size;
	char *raw = strndup((const char *)data + size - tail, tail);
	for (size_t i = 0; i < c->ir->nresolved; i++) {
		const struct policy *p = &c->ir->resolved[i];
		for (size_t j = 0; j <= p->norigins; j++) {
			const char *o = j < p->norigins ? p->origins[j].text : raw;
			for (int pf = 0; pf < 2; pf++) {
				const char *hdrs[] = { "X-Custom", "Authorization" };
				struct eval_request req = { o, "PUT", hdrs, 2, pf, pf };
				struct eval_response res;
				eval_policy(p, &req, &res);
				struct strbuf sb = STRBUF_INIT;
				eval_format_text(&res, &sb);
				eval_format_json(&res, &sb);
				sb_release(&sb);
				eval_response_free(&res);
			}
		}
	}
	free(raw);
}

static int fuzz_one(const uint8_t *data, size_t size, enum input_format fmt, bool pipeline)
{
	struct source *src = source_from_string(fmt == FORMAT_YAML ? "fuzz.yaml" : "fuzz.cors",
						(const char *)data, size);
	struct compilation c;
	compile_source(&c, src, fmt, false);
	fuzz_render(&c);
	if (pipeline)
		fuzz_backends_and_eval(&c, data, size);
	compilation_free(&c);
	return 0;
}

#endif
