/*
 * stmt.c - the statement table (stmt.h).
 */
#include "stmt.h"

#include <stdio.h>
#include <string.h>

const struct stmt_info stmt_table[ST__COUNT] = {
	[ST_ORIGINS] = { "origins", "origins", true, SV_ORIGIN, "origins", NULL },
	[ST_METHODS] = { "methods", "methods", true, SV_METHOD, "methods", NULL },
	[ST_ALLOW_HEADERS] = { "allow-headers", "allow-headers", true, SV_HEADER,
			       "header names", NULL },
	[ST_EXPOSE_HEADERS] = { "expose-headers", "expose-headers", true, SV_HEADER,
				"header names", NULL },
	[ST_CREDENTIALS] = { "credentials", "credentials", false, SV_BOOL,
			     "true or false", "write 'true' or 'false'" },
	[ST_MAX_AGE] = { "max-age", "max-age", false, SV_DURATION, "a duration",
			 "write one duration, such as 'max-age 10m;'" },
	[ST_PRIVATE_NETWORK] = { "private-network", "private-network", false, SV_BOOL,
				 "true or false", "write 'true' or 'false'" },
};

const char *stmt_keyword(enum stmt_kind k)
{
	return k < ST__COUNT ? stmt_table[k].keyword : "?";
}

const char *stmt_yaml_key(enum stmt_kind k)
{
	return k < ST__COUNT ? stmt_table[k].yaml_key : "?";
}

static int lookup(const char *word, size_t len, bool yaml)
{
	for (int k = 0; k < ST__COUNT; k++) {
		const char *name = yaml ? stmt_table[k].yaml_key : stmt_table[k].keyword;
		if (strlen(name) == len && memcmp(name, word, len) == 0)
			return k;
	}
	return -1;
}

int stmt_lookup(const char *word, size_t len)
{
	return lookup(word, len, false);
}

int stmt_lookup_yaml(const char *key, size_t len)
{
	return lookup(key, len, true);
}

bool stmt_is_list(enum stmt_kind k)
{
	return k < ST__COUNT && stmt_table[k].list;
}

const char *stmt_keyword_list(char *buf, size_t size, const char *last)
{
	size_t n = 0;
	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (int k = 0; k < ST__COUNT && n < size; k++) {
		const char *sep = k == 0 ? "" : k == ST__COUNT - 1 ? last : ", ";
		int w = snprintf(buf + n, size - n, "%s%s", sep, stmt_table[k].keyword);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	return buf;
}
