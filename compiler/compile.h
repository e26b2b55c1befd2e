/*
 * compile.h - the pipeline of one compilation: read the source, run the
 * front end its format calls for, validate.  Used by the command line, the
 * tests and the fuzzers alike.
 */
#ifndef CORSC_COMPILE_H
#define CORSC_COMPILE_H

#include <stdbool.h>

#include "diag.h"
#include "ir.h"
#include "source.h"

enum input_format { FORMAT_AUTO, FORMAT_DSL, FORMAT_YAML };

struct compilation {
	struct source *src;
	struct ir_file *ir;
	struct diag_queue dq;
};

/* The format of path by its extension: .yaml/.yml are YAML, the rest the policy language. */
enum input_format format_for_path(const char *path);

/* Parse and validate src (taken over by c).  fmt must not be FORMAT_AUTO. */
void compile_source(struct compilation *c, struct source *src, enum input_format fmt,
		    bool werror);
void compilation_free(struct compilation *c);

#endif
