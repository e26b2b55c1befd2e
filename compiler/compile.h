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

/*
 * The format of path by its extension, in any case: .yaml, .yml and .json
 * are YAML, the rest the policy language.
 */
enum input_format format_for_path(const char *path);

/* Parse and validate src (taken over by c).  fmt must not be FORMAT_AUTO. */
void compile_source(struct compilation *c, struct source *src, enum input_format fmt,
		    bool werror);
void compilation_free(struct compilation *c);

/*
 * Several input files compiled as one set of policies: each is parsed and
 * validated on its own, into one diagnostic queue; then names are checked
 * across files (E004 at both places).  Add the files in the order they are
 * read (byte order of their paths), then link.
 */
struct program {
	struct source **srcs;
	struct ir_file **files;
	size_t n, cap;
	struct diag_queue dq;
	struct policy *policies;       /* after program_link: every file's, in order */
	size_t npolicies;
};

void program_init(struct program *p, bool werror);
/* Parse and validate src (taken over by p).  fmt must not be FORMAT_AUTO. */
void program_add(struct program *p, struct source *src, enum input_format fmt);
/* Names across files, the policies gathered, the diagnostics sorted. */
void program_link(struct program *p);
void program_free(struct program *p);

#endif
