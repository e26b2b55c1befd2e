/*
 * ir.h - the intermediate representation both front ends build.
 *
 * Two layers.  The front ends fill the raw layer (struct ir_policy): each
 * statement with the values as written and their spans, nothing judged.
 * The validator reads the raw layer, queues diagnostics, and fills the
 * resolved layer (struct policy): normalized origins, methods, headers,
 * durations in seconds.  Backends, eval and the JSON dump read only the
 * resolved layer.  Everything lives in the arena of the ir_file.
 */
#ifndef CORSC_IR_H
#define CORSC_IR_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "stmt.h"
#include "util.h"

/* One value as written: a word, a string (quoted), or a YAML scalar. */
struct ir_value {
	const char *text;     /* unescaped bytes, NUL-terminated */
	size_t len;           /* may hold NUL bytes from YAML escapes */
	bool quoted;          /* a "string" in the policy language, a quoted YAML scalar */
	struct span span;
};

struct ir_stmt {
	bool present;
	struct span key_span;  /* the keyword */
	struct ir_value *values;
	size_t nvalues, cap;
};

struct ir_policy {
	const char *name;
	struct span name_span;
	struct span span;      /* the whole policy, or its keyword */
	struct ir_stmt stmt[ST__COUNT];
	bool damaged;          /* the parser recovered from an error inside it */
};

/* ---- resolved layer (filled by validate) ---- */

enum origin_kind { ORIGIN_EXACT, ORIGIN_PATTERN, ORIGIN_NULL };
enum origin_wild { WILD_NONE, WILD_ONE /* "*." */, WILD_MULTI /* "**." */ };

struct origin {
	enum origin_kind kind;
	const char *text;      /* canonical serialization (lower case, no default port) */
	const char *scheme;    /* "http", "https", ...; NULL for null */
	const char *host;      /* exact host, or for a pattern the part after "*." / "**." */
	enum origin_wild wild;
	int port;              /* -1: none (default port) */
	bool port_any;         /* ":*" */
	struct span span;
};

/* A header name or method list.  any: "*" was given. */
struct name_list {
	bool set;              /* the statement was present */
	bool any;              /* "*" */
	const char **names;    /* as written, duplicates removed, source order */
	size_t n;
};

struct origin_index;       /* hash of exact origins (origin.c) */

struct policy {
	const char *name;
	struct span span;
	bool any_origin;       /* origins * */
	struct origin *origins;
	size_t norigins;
	struct name_list methods;
	struct name_list allow_headers;    /* any + "Authorization" in names: "*, Authorization" */
	struct name_list expose_headers;
	bool credentials;
	bool private_network;
	bool max_age_set;
	unsigned long max_age; /* seconds */
	struct origin_index *index;   /* built by validate for matching */
};

/*
 * The response headers of CORS and Private Network Access that a policy
 * owns (an application's copies are removed), in the order eval prints them.
 */
#define CORS_NHEADERS 7
extern const char *const cors_response_headers[CORS_NHEADERS];

/*
 * A name list as a header value: "*", the names joined by ", ", or for
 * allow-headers "*, Authorization" (the wildcard never covers Authorization,
 * so the policy language lets it be named next to "*").  The caller frees it.
 */
char *name_list_value(const struct name_list *l);

struct ir_file {
	struct arena *arena;
	const struct source *src;
	struct ir_policy **policies;   /* raw, source order */
	size_t npolicies, cap;
	struct policy *resolved;       /* validate: one per valid raw policy, source order */
	size_t nresolved;
	bool yaml;                     /* read by the YAML front end (for the wording of notes) */
};

struct ir_file *ir_file_new(const struct source *src);
/* Frees the arena and everything in it; indexes are arena-allocated too. */
void ir_file_free(struct ir_file *f);

/* ---- constructors for the front ends ---- */

struct ir_policy *ir_policy_add(struct ir_file *f, const char *name, size_t len,
				struct span name_span, struct span span);

/*
 * NAME of SPEC section 1, written once: what is wrong with name[0..len)
 * (*at: the index of a bad character), or NAME_OK.  The front ends (through
 * ir_name_check) and every backend that makes file or variable names of it
 * ask this one function.
 */
enum name_problem { NAME_OK, NAME_EMPTY, NAME_FIRST, NAME_CHAR, NAME_LONG, NAME_RESERVED };
enum name_problem policy_name_problem(const char *name, size_t len, size_t *at);
bool policy_name_ok(const char *name);

/*
 * Check a policy name against NAME of SPEC section 1 (a letter, then letters,
 * digits, '-' or '_', at most 64 characters); queue E001 at span if not.
 * Both front ends call it before ir_policy_add.
 */
bool ir_name_check(const char *name, size_t len, struct span span, struct diag_queue *dq);

/*
 * Start statement key (as written) in policy p.  An unknown key queues E002,
 * a repeated one E003 (with a note naming the first); both return NULL and
 * the caller drops the values.
 */
struct ir_stmt *ir_stmt_begin(struct ir_file *f, struct ir_policy *p,
			      const char *key, size_t keylen, struct span key_span,
			      struct diag_queue *dq);
void ir_stmt_add_value(struct ir_file *f, struct ir_stmt *s, const char *text,
		       size_t len, bool quoted, struct span span);
/* The same for text that already lives in f's arena: it is not copied. */
void ir_stmt_take_value(struct ir_file *f, struct ir_stmt *s, const char *text,
			size_t len, bool quoted, struct span span);
/* Room for n more values in s, when the caller knows the count (optional). */
void ir_stmt_reserve(struct ir_file *f, struct ir_stmt *s, size_t n);

#endif
