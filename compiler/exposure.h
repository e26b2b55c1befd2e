/*
 * exposure.h - which response headers a script can read from a CORS
 * response (Fetch standard, "CORS-safelisted response-header name",
 * "forbidden response-header name" and the CORS-exposed header-name list).
 * Shared by `corsc eval --response-header`, `corsc verify`'s exposure audit
 * and the validator's W101/W102, so that there is one model of it.
 */
#ifndef CORSC_EXPOSURE_H
#define CORSC_EXPOSURE_H

#include <stdbool.h>
#include <stddef.h>

enum exposure {
	EXPOSE_SAFELISTED,        /* a CORS-safelisted response header: always readable */
	EXPOSE_LISTED,            /* named in Access-Control-Expose-Headers */
	EXPOSE_WILDCARD,          /* Access-Control-Expose-Headers: * on a request without credentials */
	HIDDEN_NOT_EXPOSED,       /* neither safelisted nor exposed */
	HIDDEN_WILDCARD_LITERAL,  /* only "*" would expose it, but with credentials "*" is a literal name */
	HIDDEN_FORBIDDEN,         /* Set-Cookie, Set-Cookie2: never exposed */
	HIDDEN_BAD_LIST,          /* Access-Control-Expose-Headers is not a list of tokens: exposes nothing */
};

/* Names compared ignoring ASCII case; len bytes of name. */
bool exposure_safelisted(const char *name, size_t len);
bool exposure_forbidden(const char *name, size_t len);

/*
 * Whether a script can read response header `name` from a response that
 * passed the CORS check.  expose: the response's Access-Control-Expose-Headers
 * value (several header lines joined with ", "), or NULL when there is none;
 * credentialed: the request's credentials mode is "include".
 */
enum exposure exposure_of(const char *name, const char *expose, bool credentialed);
bool exposure_readable(enum exposure e);
/* One line saying why, e.g. "CORS-safelisted response header". */
const char *exposure_reason(enum exposure e);

#endif
