/*
 * testutil.h - helpers shared by the unit tests: compile a string, look up
 * diagnostics.  Header-only (static inline) so each test file stands alone.
 */
#ifndef CORSC_TESTUTIL_H
#define CORSC_TESTUTIL_H

#include <CUnit/CUnit.h>
#include <string.h>

#include "compile.h"
#include "diag.h"

/* Compile text as the given format; the caller frees with compilation_free. */
static inline void compile_string(struct compilation *c, const char *name,
				  const char *text, enum input_format fmt)
{
	struct source *src = source_from_string(name, text, strlen(text));
	compile_source(c, src, fmt, false);
}

/* The first diagnostic with code, or NULL. */
static inline const struct diag *find_diag(const struct compilation *c, const char *code)
{
	for (size_t i = 0; i < c->dq.n; i++)
		if (strcmp(c->dq.v[i].code, code) == 0)
			return &c->dq.v[i];
	return NULL;
}

/* How many diagnostics carry code. */
static inline size_t count_diag(const struct compilation *c, const char *code)
{
	size_t n = 0;
	for (size_t i = 0; i < c->dq.n; i++)
		n += strcmp(c->dq.v[i].code, code) == 0;
	return n;
}

/* Register a suite from a NULL-terminated table of { name, fn }. */
struct test_case { const char *name; CU_TestFunc fn; };
static inline void register_cases(const char *suite, const struct test_case *t)
{
	CU_pSuite s = CU_add_suite(suite, NULL, NULL);
	for (; s && t->name; t++)
		CU_add_test(s, t->name, t->fn);
}

#endif
