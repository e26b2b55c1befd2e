/*
 * diag.h - the diagnostic queue.  Every pass (front ends, validator) queues
 * records of code, severity, span, message and note; one renderer prints
 * them in the compiler convention (file:line:col, source line, caret), a
 * second one as JSON.  The severity of a code comes from the rule catalogue.
 */
#ifndef CORSC_DIAG_H
#define CORSC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>

#include "source.h"

/* A place in an input file.  line and col are 1-based, col counts characters. */
struct span {
	const struct source *src;   /* NULL: no place (a whole-file problem) */
	size_t offset;              /* byte offset of the first character */
	size_t len;                 /* length in bytes, at least 1 for a caret */
	unsigned line, col;
};

/* A span over [offset, offset+len) of src, with line and column filled in. */
struct span span_at(const struct source *src, size_t offset, size_t len);
/* A span from a 1-based line and column (the YAML front end). */
struct span span_linecol(const struct source *src, unsigned line, unsigned col, size_t len);

enum severity { SEV_ERROR, SEV_WARNING };

struct diag {
	char code[5];               /* "E001" */
	enum severity severity;
	struct span span;
	char *message;
	char *note;                 /* may be NULL */
};

#define DIAG_MAX_ERRORS 50

struct diag_queue {
	struct diag *v;
	size_t n, cap;
	size_t nerrors, nwarnings;
	size_t dropped;             /* errors not queued past DIAG_MAX_ERRORS */
	bool werror;                /* warnings count as errors */
};

void diag_init(struct diag_queue *q);
void diag_release(struct diag_queue *q);

/*
 * Queue a diagnostic with the given rule code; its severity is the one of
 * the rule catalogue.  note may be NULL.  Returns false once the error cap
 * is reached (callers may stop early).
 */
bool diag_emit(struct diag_queue *q, const char *code, struct span span,
	       const char *note, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
bool diag_emitv(struct diag_queue *q, const char *code, struct span span,
		const char *note, const char *fmt, va_list ap);

/* True when the queue holds an error (or, under werror, a warning). */
bool diag_failed(const struct diag_queue *q);
/* True when the error cap was reached. */
bool diag_capped(const struct diag_queue *q);

/* Sort by file position (stable), so output reads top to bottom. */
void diag_sort(struct diag_queue *q);

enum diag_format { DIAG_TEXT, DIAG_JSON };

/* Render every record to out.  color: use ANSI colours (text only). */
void diag_print(const struct diag_queue *q, FILE *out, enum diag_format fmt, bool color);

/* A JSON string literal for s (n bytes) appended to a strbuf. */
struct strbuf;
void json_quote(struct strbuf *sb, const char *s, size_t n);

#endif
