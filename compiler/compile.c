/*
 * compile.c - front end, then validator, over one source; and over several
 * sources that form one set of policies.
 */
#include "compile.h"
#include "frontend.h"
#include "util.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

static bool ends_with_ci(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && ascii_strcasecmp(s + n - k, suffix) == 0;
}

enum input_format format_for_path(const char *path)
{
	size_t n = strlen(path);
	if (ends_with_ci(path, n, ".yaml") || ends_with_ci(path, n, ".yml") ||
	    ends_with_ci(path, n, ".json"))
		return FORMAT_YAML;
	return FORMAT_DSL;
}

void compile_source(struct compilation *c, struct source *src, enum input_format fmt,
		    bool werror)
{
	memset(c, 0, sizeof(*c));
	diag_init(&c->dq);
	c->dq.werror = werror;
	c->src = src;
	c->ir = ir_file_new(src);
	c->ir->yaml = fmt == FORMAT_YAML;
	if (fmt == FORMAT_YAML)
		yaml_parse(c->ir, &c->dq);
	else
		dsl_parse(c->ir, &c->dq);
	if (!diag_capped(&c->dq))
		validate(c->ir, &c->dq);
	diag_sort(&c->dq);
}

void compilation_free(struct compilation *c)
{
	ir_file_free(c->ir);
	source_free(c->src);
	diag_release(&c->dq);
	memset(c, 0, sizeof(*c));
}

void program_init(struct program *p, bool werror)
{
	memset(p, 0, sizeof(*p));
	diag_init(&p->dq);
	p->dq.werror = werror;
}

void program_add(struct program *p, struct source *src, enum input_format fmt)
{
	size_t cap = p->cap;
	xgrow(&p->srcs, &cap, p->n + 1, sizeof(*p->srcs));
	xgrow(&p->files, &p->cap, p->n + 1, sizeof(*p->files));
	struct ir_file *f = ir_file_new(src);
	f->yaml = fmt == FORMAT_YAML;       /* the wording of notes, the fix-its */
	p->srcs[p->n] = src;
	p->files[p->n] = f;
	p->n++;
	if (diag_capped(&p->dq))
		return;
	if (fmt == FORMAT_YAML)
		yaml_parse(f, &p->dq);
	else
		dsl_parse(f, &p->dq);
	if (!diag_capped(&p->dq))
		validate(f, &p->dq);
}

void program_link(struct program *p)
{
	if (!diag_capped(&p->dq))
		validate_across(p->files, p->n, &p->dq);
	size_t total = 0;
	for (size_t i = 0; i < p->n; i++)
		total += p->files[i]->nresolved;
	p->policies = xcalloc(total ? total : 1, sizeof(*p->policies));
	p->npolicies = 0;
	for (size_t i = 0; i < p->n; i++)
		for (size_t j = 0; j < p->files[i]->nresolved; j++)
			p->policies[p->npolicies++] = p->files[i]->resolved[j];
	diag_sort(&p->dq);
}

void program_free(struct program *p)
{
	for (size_t i = 0; i < p->n; i++) {
		ir_file_free(p->files[i]);
		source_free(p->srcs[i]);
	}
	free(p->srcs);
	free(p->files);
	free(p->policies);
	diag_release(&p->dq);
	memset(p, 0, sizeof(*p));
}
