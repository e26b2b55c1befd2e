/*
 * source.h - one input file held in memory, with the table of line starts
 * that turns a byte offset into the line and column of a diagnostic.
 */
#ifndef CORSC_SOURCE_H
#define CORSC_SOURCE_H

#include <stddef.h>
#include <stdio.h>

#define SOURCE_MAX_BYTES (64u * 1024 * 1024)

struct source {
	char *name;      /* as given on the command line; "<stdin>" for "-" */
	char *text;      /* the bytes, NUL-terminated (the file may hold NULs too) */
	size_t len;
	size_t *lines;   /* byte offset of the start of each line */
	size_t nlines;
};

/*
 * Read path ("-" is standard input).  On failure returns NULL and writes a
 * message (without "corsc: ") into err, of size errlen.  The caller frees
 * the result with source_free().
 */
struct source *source_read(const char *path, char *err, size_t errlen);
/* A source made from a string in memory (tests, fuzzers). */
struct source *source_from_string(const char *name, const char *text, size_t len);
void source_free(struct source *src);

/* 1-based line and column (in characters, as UTF-8 code points) of offset. */
void source_linecol(const struct source *src, size_t offset,
		    unsigned *line, unsigned *col);
/* Byte offset of 1-based line and column (column counted in characters). */
size_t source_offset(const struct source *src, unsigned line, unsigned col);
/* The text of 1-based line (without its newline). */
const char *source_line(const struct source *src, unsigned line, size_t *len);

#endif
