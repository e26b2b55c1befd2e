/*
 * writer.h - write the raw IR back out as source: the policy language in
 * canonical layout (corsc fmt, corsc convert --to dsl), comments kept when
 * given, or YAML (corsc convert --to yaml).
 */
#ifndef CORSC_WRITER_H
#define CORSC_WRITER_H

#include "ir.h"
#include "strbuf.h"

/* A '#' comment of the source: its bytes (without the newline) and place. */
struct comment {
	size_t offset, len;
	unsigned line;
	bool own_line;      /* nothing but whitespace before it on its line */
};

/*
 * Record the '#' comment at byte `at` (its line starts at line_start) in
 * *v; returns the offset of the end of its line.  Both finders use it.
 */
size_t comment_add(const struct source *src, size_t at, size_t line_start, unsigned line,
		   struct comment **v, size_t *n, size_t *cap);
/* Every comment of a policy-language source, in order.  The caller frees *out. */
size_t dsl_find_comments(const struct source *src, struct comment **out);
/* Every comment of a YAML source, in order, found with libyaml's scanner so
   that a '#' inside a scalar is not one (yaml_reader.c).  The caller frees *out. */
size_t yaml_find_comments(const struct source *src, struct comment **out);
/* The comments of f's source, whichever language it is written in. */
size_t find_comments(const struct ir_file *f, struct comment **out);

/* The policy language in canonical layout; comments may be NULL. */
void write_dsl(const struct ir_file *f, const struct comment *c, size_t nc, struct strbuf *sb);
/* If src's first line ends in CR LF, end every line of sb so (fmt keeps a
   Windows file's line ends, so that --check can pass). */
void keep_line_ends(const struct source *src, struct strbuf *sb);
/* The same policies in YAML; comments may be NULL. */
void write_yaml(const struct ir_file *f, const struct comment *c, size_t nc, struct strbuf *sb);

#endif
