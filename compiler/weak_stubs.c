/*
 * weak_stubs.c - TEMPORARY scaffolding while the modules are written in
 * parallel: weak definitions that the real ones override at link time.
 * Each reports that it is missing; this file is deleted once all exist.
 */
#include "backend.h"
#include "eval.h"
#include "frontend.h"
#include "origin.h"
#include "validate.h"

#include <stdlib.h>

#define WEAK __attribute__((weak))

static struct span nowhere(void)
{
	struct span s = { 0 };
	return s;
}

WEAK void dsl_parse(struct ir_file *f, struct diag_queue *dq)
{
	(void)f;
	diag_emit(dq, "E001", nowhere(), NULL, "the policy language front end is not built yet");
}

WEAK void yaml_parse(struct ir_file *f, struct diag_queue *dq)
{
	(void)f;
	diag_emit(dq, "E001", nowhere(), NULL, "the YAML front end is not built yet");
}

WEAK void validate(struct ir_file *f, struct diag_queue *dq)
{
	(void)f;
	diag_emit(dq, "E001", nowhere(), NULL, "the validator is not built yet");
}

WEAK void eval_policy(const struct policy *p, const struct eval_request *req,
		      struct eval_response *res)
{
	(void)p; (void)req;
	res->status = -1;
	res->nh = 0;
}

WEAK void eval_response_free(struct eval_response *res) { (void)res; }
WEAK void eval_format_text(const struct eval_response *res, struct strbuf *out)
{
	(void)res;
	sb_puts(out, "eval is not built yet\n");
}
WEAK void eval_format_json(const struct eval_response *res, struct strbuf *out)
{
	(void)res;
	sb_puts(out, "{}\n");
}

WEAK bool origin_parse(struct arena *a, const char *text, size_t len, struct span span,
			struct origin *out, struct diag_queue *dq)
{
	(void)a; (void)text; (void)len; (void)out;
	diag_emit(dq, "E010", span, NULL, "origin parsing is not built yet");
	return false;
}

WEAK bool origin_match(const struct origin *o, const char *req, size_t len)
{
	(void)o; (void)req; (void)len;
	return false;
}

WEAK void origin_index_build(struct arena *a, struct policy *p)
{
	(void)a;
	p->index = NULL;
}

WEAK bool policy_allows_origin(const struct policy *p, const char *req, size_t len)
{
	(void)p; (void)req; (void)len;
	return false;
}

#define NO_BACKEND(fn, what) \
	WEAK bool fn(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err) \
	{ (void)ctx; (void)out; sb_puts(err, what " backend is not built yet"); return false; }
NO_BACKEND(emit_nginx, "the nginx")
NO_BACKEND(emit_apache, "the Apache")
NO_BACKEND(emit_caddy, "the Caddy")
