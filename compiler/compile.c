/*
 * compile.c - front end, then validator, over one source.
 */
#include "compile.h"
#include "frontend.h"
#include "validate.h"

#include <string.h>

enum input_format format_for_path(const char *path)
{
	size_t n = strlen(path);
	if ((n >= 5 && strcmp(path + n - 5, ".yaml") == 0) ||
	    (n >= 4 && strcmp(path + n - 4, ".yml") == 0))
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
