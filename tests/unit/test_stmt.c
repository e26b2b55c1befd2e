/*
 * test_stmt.c - the statement table (compiler/stmt.c): a statement in the
 * table is known everywhere, the policy language (scanner, parser), YAML,
 * the validator, both writers, the notes, corsc explain and the JSON Schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "stmt.h"
#include "testutil.h"
#include "writer.h"

/* One value of the kind a statement takes, as the policy language writes it. */
static const char *dsl_sample(enum stmt_value v)
{
	switch (v) {
	case SV_ORIGIN: return "\"https://app.example.com\"";
	case SV_METHOD: return "PUT";
	case SV_HEADER: return "X-Request-ID";
	case SV_BOOL: return "true";
	case SV_DURATION: return "10m";
	}
	return "?";
}

static const char *yaml_sample(enum stmt_value v)
{
	return v == SV_ORIGIN ? "https://app.example.com" : dsl_sample(v);
}

static void test_table_lookup(void)
{
	for (int k = 0; k < ST__COUNT; k++) {
		const struct stmt_info *si = stmt_info((enum stmt_kind)k);
		CU_ASSERT_PTR_NOT_NULL_FATAL(si->keyword);
		CU_ASSERT_PTR_NOT_NULL_FATAL(si->yaml_key);
		CU_ASSERT_PTR_NOT_NULL(si->takes);
		CU_ASSERT_EQUAL(stmt_lookup(si->keyword, strlen(si->keyword)), k);
		CU_ASSERT_EQUAL(stmt_lookup_yaml(si->yaml_key, strlen(si->yaml_key)), k);
		CU_ASSERT_STRING_EQUAL(stmt_keyword((enum stmt_kind)k), si->keyword);
		CU_ASSERT_EQUAL(stmt_is_list((enum stmt_kind)k), si->list);
		/* a one-value statement says what to write when given more */
		CU_ASSERT_TRUE(si->list || (si->one_note && *si->one_note));
		/* 'policy' is the one word the scanner keeps for itself */
		CU_ASSERT_NOT_EQUAL(strcmp(si->keyword, "policy"), 0);
	}
	CU_ASSERT_EQUAL(stmt_lookup("policy", 6), -1);
	CU_ASSERT_EQUAL(stmt_lookup("origin", 6), -1);
}

/* Every row is read by the parser and the YAML reader, passes the validator
   and comes back out of both writers. */
static void test_known_everywhere(void)
{
	for (int k = 0; k < ST__COUNT; k++) {
		const struct stmt_info *si = stmt_info((enum stmt_kind)k);
		const char *origins = k == ST_ORIGINS ? "" : "origins \"https://a.example.com\"; ";
		char dsl[512], yaml[512];
		snprintf(dsl, sizeof(dsl), "policy p { %s%s %s; }\n", origins, si->keyword,
			 dsl_sample(si->value));
		snprintf(yaml, sizeof(yaml), "policies:\n  p:\n%s    %s: %s\n",
			 k == ST_ORIGINS ? "" : "    origins: https://a.example.com\n",
			 si->yaml_key, yaml_sample(si->value));
		const char *texts[2] = { dsl, yaml };
		enum input_format fmts[2] = { FORMAT_DSL, FORMAT_YAML };
		for (int i = 0; i < 2; i++) {
			struct compilation c;
			compile_string(&c, i ? "t.yaml" : "t.cors", texts[i], fmts[i]);
			size_t errors = 0;
			for (size_t d = 0; d < c.dq.n; d++)
				errors += c.dq.v[d].code[0] == 'E';
			if (errors) {
				fprintf(stderr, "\n%s: %s: %s\n", si->keyword, c.dq.v[0].code,
					c.dq.v[0].message);
			}
			CU_ASSERT_EQUAL(errors, 0);
			CU_ASSERT_EQUAL_FATAL(c.ir->npolicies, 1);
			const struct ir_stmt *s = &c.ir->policies[0]->stmt[k];
			CU_ASSERT_TRUE(s->present);
			CU_ASSERT_EQUAL(s->nvalues, 1);
			CU_ASSERT_EQUAL(c.ir->nresolved, 1);

			struct strbuf out = STRBUF_INIT;
			char want[128];
			write_dsl(c.ir, NULL, 0, &out);
			snprintf(want, sizeof(want), "%s ", si->keyword);
			CU_ASSERT_PTR_NOT_NULL(out.buf && strstr(out.buf, want));
			sb_release(&out);
			write_yaml(c.ir, NULL, 0, &out);
			snprintf(want, sizeof(want), "%s:", si->yaml_key);
			CU_ASSERT_PTR_NOT_NULL(out.buf && strstr(out.buf, want));
			sb_release(&out);
			compilation_free(&c);
		}
	}
}

/* A list takes two values; a one-value statement refuses the second. */
static void test_list_or_one(void)
{
	for (int k = 0; k < ST__COUNT; k++) {
		const struct stmt_info *si = stmt_info((enum stmt_kind)k);
		char dsl[512];
		snprintf(dsl, sizeof(dsl), "policy p {\n%s %s, %s;\n}\n", si->keyword,
			 dsl_sample(si->value), si->value == SV_ORIGIN
			 ? "\"https://b.example.com\"" : si->value == SV_METHOD ? "DELETE"
			 : si->value == SV_HEADER ? "X-Other" : dsl_sample(si->value));
		struct compilation c;
		compile_string(&c, "t.cors", dsl, FORMAT_DSL);
		const struct diag *d = find_diag(&c, "E001");
		if (si->list) {
			CU_ASSERT_PTR_NULL(d);
			CU_ASSERT_EQUAL(c.ir->policies[0]->stmt[k].nvalues, 2);
		} else {
			CU_ASSERT_PTR_NOT_NULL_FATAL(d);
			CU_ASSERT_PTR_NOT_NULL(strstr(d->message, "takes one value"));
			CU_ASSERT_EQUAL(d->span.line, 2);
		}
		compilation_free(&c);
	}
}

static bool names_every_keyword(const char *text)
{
	bool all = text != NULL;
	for (int k = 0; all && k < ST__COUNT; k++)
		if (!strstr(text, stmt_keyword((enum stmt_kind)k))) {
			fprintf(stderr, "\nmissing '%s' in: %s\n", stmt_keyword((enum stmt_kind)k),
				text);
			all = false;
		}
	return all;
}

/* The notes of E002 (both front ends) and corsc explain E002 name every row. */
static void test_notes(void)
{
	struct compilation c;
	compile_string(&c, "t.cors", "policy p { origins *; origin *; }\n", FORMAT_DSL);
	const struct diag *d = find_diag(&c, "E002");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_TRUE(names_every_keyword(d->note));
	compilation_free(&c);

	compile_string(&c, "t.yaml", "policies:\n  p: [1]\n", FORMAT_YAML);
	d = find_diag(&c, "E001");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_TRUE(names_every_keyword(d->note));
	compilation_free(&c);

	const struct rule *r = rule_find("E002");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_TRUE(names_every_keyword(r->explanation));
}

/* doc/corsc.schema.json: the policy's properties are exactly the YAML keys. */
static void test_schema(void)
{
	FILE *fp = fopen("doc/corsc.schema.json", "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	const char *policy = strstr(buf, "\"policy\": {");
	CU_ASSERT_PTR_NOT_NULL_FATAL(policy);
	const char *props = strstr(policy, "\"properties\": {");
	CU_ASSERT_PTR_NOT_NULL_FATAL(props);
	/* the property names: "name": at the first depth inside properties */
	int depth = 0, found = 0;
	bool seen[ST__COUNT] = { false };
	for (const char *p = props + strlen("\"properties\": {"); *p && depth >= 0; p++) {
		if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			depth--;
		} else if (*p == '"') {
			const char *end = strchr(p + 1, '"');
			CU_ASSERT_PTR_NOT_NULL_FATAL(end);
			const char *after = end + 1;
			while (*after == ' ')
				after++;
			if (depth == 0 && *after == ':') {
				int k = stmt_lookup_yaml(p + 1, (size_t)(end - p - 1));
				if (k < 0)
					fprintf(stderr, "\nschema key %.*s is no statement\n",
						(int)(end - p - 1), p + 1);
				CU_ASSERT_TRUE(k >= 0);
				if (k >= 0)
					seen[k] = true;
				found++;
			}
			p = end;
		}
	}
	CU_ASSERT_EQUAL(found, ST__COUNT);
	for (int k = 0; k < ST__COUNT; k++)
		CU_ASSERT_TRUE(seen[k]);
}

void register_stmt(void)
{
	static const struct test_case cases[] = {
		{ "lookup both ways, keywords and YAML keys", test_table_lookup },
		{ "every row: parser, YAML, validator, writers", test_known_everywhere },
		{ "list or one value", test_list_or_one },
		{ "notes and explain name every statement", test_notes },
		{ "the JSON Schema lists exactly the YAML keys", test_schema },
		{ NULL, NULL },
	};
	register_cases("stmt", cases);
}
