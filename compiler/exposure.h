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
/* A short stable word for JSON: "safelisted", "exposed", "wildcard", ... */
const char *exposure_code(enum exposure e);

/*
 * The Fetch standard's CORS check of an actual response: acao and acac are
 * its Access-Control-Allow-Origin and -Allow-Credentials values (NULL when
 * absent).  Returns true when a script on origin gets the response; else
 * *why says what fails.
 */
bool exposure_cors_check(const char *acao, const char *acac, const char *origin,
			 bool credentialed, const char **why);

/*
 * The script's view of one response of `corsc eval` (SPEC section 4,
 * --response-header): whether fetch() from origin gets the response, and for
 * each of names whether the script can read it, and why.  credentialed: the
 * script fetches with credentials "include" (corsc eval assumes so when the
 * policy allows credentials).  origin NULL: no Origin, no script's view.
 */
struct eval_response;
struct strbuf;
struct exposure_view {
	const char *origin;
	bool credentialed;
	const char *const *names;
	size_t nnames;
};
/* Text lines after eval_format_text's. */
void exposure_format_text(const struct eval_response *res, const struct exposure_view *v,
			  struct strbuf *out);
/* Adds a "script" member to the object eval_format_json has just written at
 * the end of out (it ends in "}\n"). */
void exposure_format_json(const struct eval_response *res, const struct exposure_view *v,
			  struct strbuf *out);

#endif
