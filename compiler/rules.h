/*
 * rules.h - the rule catalogue: one table of every diagnostic code, read by
 * the diagnostics (severity), the validator, `corsc explain` and the tests.
 */
#ifndef CORSC_RULES_H
#define CORSC_RULES_H

#include <stddef.h>

#include "diag.h"

struct rule {
	const char *code;         /* "E020" */
	enum severity severity;
	const char *summary;      /* one line, the rule of SPEC section 7 */
	const char *explanation;  /* what the rule protects against */
	const char *example;      /* an input that triggers it */
	const char *fix;          /* how to fix it */
};

extern const struct rule rules[];
extern const size_t nrules;

/* The rule of code (case-insensitive), or NULL. */
const struct rule *rule_find(const char *code);
/* What Chromium and Firefox were seen doing for the rule of code (the
 * "Browsers:" section of corsc explain), or NULL. */
const char *rule_browsers(const char *code);

#endif
