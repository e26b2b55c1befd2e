/*
 * caddy.h - the Caddyfile quoting of the Caddy backend, exposed for its
 * unit tests.  emit_caddy itself is declared in backend.h.
 */
#ifndef CORSC_CADDY_H
#define CORSC_CADDY_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* How caddy_token may write a value. */
enum caddy_token_kind {
	CADDY_LITERAL,   /* a value taken literally: '{' and '}' are refused */
	CADDY_EXPRESSION, /* a CEL expression corsc built: braces are placeholders
			     or regex quantifiers; in backticks when quoted */
};

/*
 * Append s (len bytes) to sb as one Caddyfile token that Caddy reads back
 * as exactly those bytes: bare when that is safe, else in double quotes, else
 * in backticks (an expression: in backticks first).  Returns false, writing nothing, for what no token can carry
 * safely: control bytes, bytes above 0x7e, '{' or '}' in a literal (Caddy
 * expands placeholders at run time), "{$" (an environment variable when the
 * file is read), or a value holding a backtick and also '"' or '\'.
 */
bool caddy_token(struct strbuf *sb, const char *s, size_t len, enum caddy_token_kind kind);

#endif
