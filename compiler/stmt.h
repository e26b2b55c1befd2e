/*
 * stmt.h - the one table of the statements of SPEC section 1.
 *
 * What a statement is called (in the policy language and in YAML), whether
 * it takes a list or one value, and what its values are: the parser, the
 * YAML reader, the writer and the validator all ask this table, so that a
 * statement added here is known everywhere (tests/unit/test_stmt.c checks
 * that it is).
 */
#ifndef CORSC_STMT_H
#define CORSC_STMT_H

#include <stdbool.h>
#include <stddef.h>

/* The statements, in canonical order (the order the writer prints them). */
enum stmt_kind {
	ST_ORIGINS,
	ST_METHODS,
	ST_ALLOW_HEADERS,
	ST_EXPOSE_HEADERS,
	ST_CREDENTIALS,
	ST_MAX_AGE,
	ST_PRIVATE_NETWORK,
	ST__COUNT
};

/* What one value of a statement is. */
enum stmt_value {
	SV_ORIGIN,      /* a quoted origin, or '*' (the policy language quotes them) */
	SV_METHOD,      /* a method token */
	SV_HEADER,      /* a header name */
	SV_BOOL,        /* true or false, unquoted */
	SV_DURATION,    /* digits with an optional unit s, m, h or d */
};

struct stmt_info {
	const char *keyword;    /* in the policy language: "allow-headers" */
	const char *yaml_key;   /* the key in YAML (and in doc/corsc.schema.json) */
	bool list;              /* a list of values, or exactly one */
	enum stmt_value value;
	const char *takes;      /* for messages: "'max-age' takes a duration" */
	const char *one_note;   /* the note when a one-value statement gets more (.cors) */
};

extern const struct stmt_info stmt_table[ST__COUNT];

static inline const struct stmt_info *stmt_info(enum stmt_kind k)
{
	return &stmt_table[k < ST__COUNT ? k : 0];
}

/* The keyword of a statement ("allow-headers"), and back (-1 if unknown). */
const char *stmt_keyword(enum stmt_kind k);
int stmt_lookup(const char *word, size_t len);
/* The same for YAML keys. */
const char *stmt_yaml_key(enum stmt_kind k);
int stmt_lookup_yaml(const char *key, size_t len);
/* True for statements whose value is a list (origins, methods, headers). */
bool stmt_is_list(enum stmt_kind k);

/*
 * Every keyword in canonical order for a note, the last two joined by last
 * ("origins, methods, ... max-age and private-network" with last " and ").
 * Returns buf.
 */
const char *stmt_keyword_list(char *buf, size_t size, const char *last);

#endif
