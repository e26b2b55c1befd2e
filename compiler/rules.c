/*
 * rules.c - the rule catalogue of SPEC section 7, one row per code.
 * The validator queues diagnostics by code; `corsc explain` prints the row.
 */
#include "rules.h"
#include "util.h"

#define ERR SEV_ERROR
#define WARN SEV_WARNING

const struct rule rules[] = {
	{ "E001", ERR, "syntax error", NULL, NULL, NULL },
	{ "E002", ERR, "unknown statement or key", NULL, NULL, NULL },
	{ "E003", ERR, "a statement repeated inside one policy", NULL, NULL, NULL },
	{ "E004", ERR, "two policies with the same name", NULL, NULL, NULL },
	{ "E005", ERR, "a policy without origins", NULL, NULL, NULL },
	{ "E010", ERR, "malformed origin", NULL, NULL, NULL },
	{ "E011", ERR, "a wildcard anywhere but the whole leftmost label", NULL, NULL, NULL },
	{ "E012", ERR, "a wildcard over a public suffix", NULL, NULL, NULL },
	{ "E013", ERR, "'*' mixed with other origins", NULL, NULL, NULL },
	{ "E020", ERR, "credentials true with origins *", NULL, NULL, NULL },
	{ "E021", ERR, "credentials true with expose-headers *", NULL, NULL, NULL },
	{ "E022", ERR, "credentials true with allow-headers *", NULL, NULL, NULL },
	{ "E023", ERR, "credentials true with methods *", NULL, NULL, NULL },
	{ "E024", ERR, "private-network true with origins *", NULL, NULL, NULL },
	{ "E030", ERR, "a header name that is not an RFC 9110 token", NULL, NULL, NULL },
	{ "E031", ERR, "a method that is not an RFC 9110 token", NULL, NULL, NULL },
	{ "E032", ERR, "a lower-case method a browser upper-cases before sending", NULL, NULL, NULL },
	{ "E033", ERR, "a bad max-age or a bad boolean", NULL, NULL, NULL },
	{ "E034", ERR, "a forbidden method (CONNECT, TRACE, TRACK)", NULL, NULL, NULL },
	{ "E035", ERR, "an Access-Control-* name, or Origin, in allow-headers or expose-headers", NULL, NULL, NULL },
	{ "W101", WARN, "expose-headers lists a CORS-safelisted response header", NULL, NULL, NULL },
	{ "W102", WARN, "expose-headers lists Set-Cookie or Set-Cookie2", NULL, NULL, NULL },
	{ "W103", WARN, "allow-headers * without Authorization", NULL, NULL, NULL },
	{ "W104", WARN, "the null origin is allowed", NULL, NULL, NULL },
	{ "W105", WARN, "an http:// origin with credentials", NULL, NULL, NULL },
	{ "W106", WARN, "max-age above what browsers honour", NULL, NULL, NULL },
	{ "W107", WARN, "the same entry twice in one list", NULL, NULL, NULL },
	{ "W108", WARN, "an exact origin already matched by a pattern of the same policy", NULL, NULL, NULL },
	{ "W109", WARN, "a default port in an origin", NULL, NULL, NULL },
	{ "W110", WARN, "allow-headers lists a forbidden request header", NULL, NULL, NULL },
};

const size_t nrules = ARRAY_SIZE(rules);

const struct rule *rule_find(const char *code)
{
	for (size_t i = 0; i < nrules; i++)
		if (ascii_strcasecmp(rules[i].code, code) == 0)
			return &rules[i];
	return NULL;
}
