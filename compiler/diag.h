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

/* Another place a diagnostic refers to ("first defined here"), with its own excerpt. */
struct diag_related {
	struct span span;
	char *message;
};

/*
 * One edit of a fix-it: replace the bytes of span with text (an insertion
 * when span.len is 0).  The edits of one diagnostic form one fix, applied
 * together (clang's fix-it hints); the renderers carry them as data.
 */
struct diag_edit {
	struct span span;
	char *text;
};

struct diag {
	char code[5];               /* "E001" */
	enum severity severity;
	struct span span;
	char *message;
	char *note;                 /* may be NULL */
	struct diag_related *related;   /* other places, in the order added */
	size_t nrelated;
	struct diag_edit *fix;          /* the edits of its fix-it, if it has one */
	size_t nfix;
};

#define DIAG_MAX_ERRORS 50
/* The notice when checking stopped at the cap before more were found (the
   parser and the validator stop there, so nothing was dropped or counted). */
#define DIAG_STOPPED "too many diagnostics, checking stopped here: the rest of the input " \
	"was not checked"

struct diag_queue {
	struct diag *v;
	size_t n, cap;
	size_t nerrors, nwarnings;
	size_t dropped;             /* errors not queued past DIAG_MAX_ERRORS */
	bool werror;                /* warnings count as errors */
	bool last_kept;             /* the last diag_emit queued its record */
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

/*
 * Add a related location to the record queued last (nothing if that record
 * was dropped past the cap).  The message says what is there, in git's style.
 */
void diag_add_related(struct diag_queue *q, struct span span, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Add an edit to the fix-it of the record queued last (nothing if that
 * record was dropped): replace span (len bytes, 0 to insert) with text.
 */
void diag_add_edit(struct diag_queue *q, struct span span, const char *text);

/* True when the queue holds an error (or, under werror, a warning). */
bool diag_failed(const struct diag_queue *q);
/* True when the error cap was reached. */
bool diag_capped(const struct diag_queue *q);

/*
 * Sort by file (byte order of the names, as the inputs are read), then by
 * position (stable), so output reads top to bottom.
 */
void diag_sort(struct diag_queue *q);

enum diag_format { DIAG_TEXT, DIAG_JSON, DIAG_SARIF, DIAG_GITHUB };

/* Render every record to out.  color: use ANSI colours (text only). */
void diag_print(const struct diag_queue *q, FILE *out, enum diag_format fmt, bool color);
/* The same, appended to sb. */
struct strbuf;
void diag_render(const struct diag_queue *q, struct strbuf *sb, enum diag_format fmt, bool color);

/* The renderers for CI (diag_sarif.c, diag_github.c), called by diag_render. */
void diag_render_sarif(const struct diag_queue *q, struct strbuf *sb);
void diag_render_github(const struct diag_queue *q, struct strbuf *sb);

/* Whether d is shown as an error (an error, or any diagnostic under werror). */
bool diag_is_error(const struct diag_queue *q, const struct diag *d);
/* The line and column just past the end of d's span (SARIF's endLine, endColumn). */
void diag_span_end(const struct span *s, unsigned *line, unsigned *col);
/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t diag_utf8_len(const unsigned char *s, size_t n);

/* A JSON string literal for s (n bytes) appended to a strbuf. */
void json_quote(struct strbuf *sb, const char *s, size_t n);

#endif
