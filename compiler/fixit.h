/*
 * fixit.h - fix-its: the edits a diagnostic proposes when the fix is
 * certain (SPEC section 4, corsc fix), made on the source text itself so
 * that comments and layout stay, in the policy language and YAML alike.
 * Each helper adds its edits to the diagnostic queued last, or nothing when
 * the source text at the value's span is not plainly the value (an escape,
 * a multi-line YAML scalar): a fix-it is only offered when it is certain.
 */
#ifndef CORSC_FIXIT_H
#define CORSC_FIXIT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "ir.h"

struct strbuf;

/*
 * Replace the value written at span (text, len bytes as read) by repl,
 * keeping its quotes.
 */
void fixit_replace_value(struct diag_queue *dq, struct span span, const char *text,
			 size_t len, const char *repl);
/*
 * The span of part[0..n) of the value text (len bytes) written at span: a
 * sub-span for a diagnostic that underlines only the part at fault, or span
 * itself when the bytes there are not plainly the value.
 */
struct span fixit_sub_span(struct span span, const char *text, size_t len,
			   const char *part, size_t n);
/* Remove value i of statement s with its separator (',' or a YAML "- " line). */
void fixit_remove_value(struct diag_queue *dq, const struct ir_stmt *s, size_t i);
/* allow-headers *  ->  *, Authorization (a YAML scalar becomes a flow list). */
void fixit_add_authorization(struct diag_queue *dq, const struct ir_value *star, bool yaml);

/*
 * Apply the fix-its of dq that lie in src to its text, into out.  Fixes are
 * taken in source order; one that overlaps a fix already taken waits for the
 * next round (the caller compiles again).  applied[] (room for dq->n) gets
 * the diagnostics whose fix was applied; returns their count.
 */
size_t fixit_apply(const struct source *src, const struct diag_queue *dq,
		   struct strbuf *out, const struct diag **applied);

/* The source lines a fix touches, with the fix applied (the text renderer). */
bool fixit_preview(const struct diag *d, struct strbuf *out);

#endif
