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
#include "frontend.h"
#include "origin.h"

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

/* A source run through one front end only (no validator), for front-end tests. */
struct parsed {
	struct source *src;
	struct ir_file *f;
	struct diag_queue dq;
};

static inline void parse_with(struct parsed *p, const char *name, const char *text, size_t len,
			      void (*front)(struct ir_file *, struct diag_queue *))
{
	p->src = source_from_string(name, text, len);
	p->f = ir_file_new(p->src);
	diag_init(&p->dq);
	front(p->f, &p->dq);
}

static inline void done(struct parsed *p)
{
	ir_file_free(p->f);
	diag_release(&p->dq);
	source_free(p->src);
}

/* The diagnostic with code at line:col, or NULL. */
static inline const struct diag *diag_at(const struct parsed *p, const char *code,
					 unsigned line, unsigned col)
{
	for (size_t i = 0; i < p->dq.n; i++) {
		const struct diag *d = &p->dq.v[i];
		if (strcmp(d->code, code) == 0 && d->span.line == line && d->span.col == col)
			return d;
	}
	return NULL;
}

/* Register a suite from a NULL-terminated table of { name, fn }. */
struct test_case { const char *name; CU_TestFunc fn; };
static inline void register_cases(const char *suite, const struct test_case *t)
{
	CU_pSuite s = CU_add_suite(suite, NULL, NULL);
	for (; s && t->name; t++)
		CU_add_test(s, t->name, t->fn);
}

/*
 * An origin as the validator makes it from text (origin_parse, diagnostics
 * dropped), its strings in arena a.  A test failure if text is refused.
 */
static inline struct origin origin_of(struct arena *a, const char *text)
{
	struct origin o;
	struct diag_queue dq;
	diag_init(&dq);
	struct span sp = { 0 };
	CU_ASSERT_TRUE(origin_parse(a, text, strlen(text), sp, &o, &dq));
	diag_release(&dq);
	return o;
}

#endif
