/*
 * rules.c - the rule catalogue of SPEC section 7, one row per code.
 * The validator queues diagnostics by code; `corsc explain` prints the row.
 */
#include "rules.h"
#include "util.h"

#define ERR SEV_ERROR
#define WARN SEV_WARNING

const struct rule rules[] = {
	{ "E001", ERR, "syntax error",
	  "The file does not follow the grammar of the policy language or of YAML: an\n"
	  "unexpected token or character, an unterminated string, a missing ';' or '}'.\n"
	  "A file without any policy is also refused, since it would generate nothing.",
	  "policy api {\n    origins \"https://app.example.com\"\n}",
	  "Follow the caret: add the missing punctuation or close the string.\n"
	  "Every statement ends with ';', every policy is policy NAME { ... }." },
	{ "E002", ERR, "unknown statement or key",
	  "A policy takes only origins, methods, allow-headers, expose-headers,\n"
	  "credentials, max-age and private-network.  Anything else is most likely a\n"
	  "typo that would otherwise be ignored silently.",
	  "policy api { origins \"https://app.example.com\"; allow-header Content-Type; }",
	  "Correct the spelling of the statement (allow-headers, not allow-header)." },
	{ "E003", ERR, "a statement repeated inside one policy",
	  "Each statement may appear once per policy.  A second one would either\n"
	  "replace or extend the first, and either guess could be wrong.",
	  "policy api {\n    origins \"https://a.example.com\";\n    origins \"https://b.example.com\";\n}",
	  "Merge the values into one statement:\n    origins \"https://a.example.com\", \"https://b.example.com\";" },
	{ "E004", ERR, "two policies with the same name",
	  "Every policy gives output files named after it (cors-NAME.conf, the\n"
	  "snippet (cors-NAME)).  Names that differ only in case or in '-' versus '_'\n"
	  "would collide on case-insensitive file systems and confuse readers.",
	  "policy api { origins *; }\npolicy API { origins \"https://app.example.com\"; }",
	  "Rename one of the policies, or merge them." },
	{ "E005", ERR, "a policy without origins",
	  "origins is the one required statement: without it the policy would allow\n"
	  "no origin at all, and nothing it says would ever apply.",
	  "policy api { methods GET, POST; }",
	  "Add the origins the policy is for:\n    origins \"https://app.example.com\";\nor origins *; for a public resource." },
	{ "E010", ERR, "malformed origin",
	  "An origin is scheme://host[:port] exactly as a browser sends it in the\n"
	  "Origin header: lower-case scheme and host, no path, query, fragment, user\n"
	  "info or trailing slash, a host in ASCII (punycode), an IPv6 address in\n"
	  "brackets in its compressed form.  corsc compares Origin byte for byte, so\n"
	  "anything else could never match.  (A default port, :80 or :443, is not an\n"
	  "error: it is dropped with warning W109.)",
	  "origins \"https://app.example.com/\", \"https://Bücher.example\";",
	  "Write the origin as the note says, e.g. https://app.example.com and\n"
	  "https://xn--bcher-kva.example." },
	{ "E011", ERR, "a wildcard anywhere but the whole leftmost label",
	  "Wildcards stand for whole DNS labels at the left of a host: '*.' for one\n"
	  "label, '**.' for one or more.  Partial labels (*example.com) would match\n"
	  "evilexample.com, and wildcards in the middle or at the end of a host, in\n"
	  "an IP address, or without a scheme have no safe meaning.",
	  "origins \"https://*example.com\", \"https://a.*.example.com\", \"https://example.*\";",
	  "Use a whole leftmost label: https://*.example.com (one label) or\n"
	  "https://**.example.com (any depth)." },
	{ "E012", ERR, "a wildcard over a public suffix",
	  "Under a public suffix (com, co.uk, github.io, ... per the Public Suffix\n"
	  "List) anyone can register a name, so a wildcard over it allows origins\n"
	  "controlled by strangers.",
	  "origins \"https://*.github.io\";",
	  "Put your own registered domain under the wildcard:\n"
	  "    origins \"https://*.example.co.uk\";\nor list the exact origins (https://yourname.github.io)." },
	{ "E013", ERR, "'*' mixed with other origins",
	  "origins * already allows every origin; listing others beside it is a\n"
	  "contradiction that hides which one was meant.",
	  "origins *, \"https://app.example.com\";",
	  "Keep either origins *; or the list of origins." },
	{ "E020", ERR, "credentials true with origins *",
	  "Browsers refuse a credentialed response with Access-Control-Allow-Origin: *.\n"
	  "Reflecting any origin instead would let every site read your users' data\n"
	  "with their cookies.",
	  "policy api { origins *; credentials true; }",
	  "List the allowed origins explicitly, or set credentials false." },
	{ "E021", ERR, "credentials true with expose-headers *",
	  "With credentials, browsers read Access-Control-Expose-Headers: * as a\n"
	  "header literally named '*': no header would be exposed.",
	  "policy api { origins \"https://app.example.com\"; credentials true; expose-headers *; }",
	  "List the headers to expose: expose-headers X-Request-ID;" },
	{ "E022", ERR, "credentials true with allow-headers *",
	  "With credentials, browsers read Access-Control-Allow-Headers: * as a header\n"
	  "literally named '*': every preflight with a non-safelisted header fails.",
	  "policy api { origins \"https://app.example.com\"; credentials true; allow-headers *; }",
	  "List the headers scripts send: allow-headers Content-Type, Authorization;" },
	{ "E023", ERR, "credentials true with methods *",
	  "With credentials, browsers read Access-Control-Allow-Methods: * as a method\n"
	  "literally named '*': every preflight for PUT, DELETE, ... fails.",
	  "policy api { origins \"https://app.example.com\"; credentials true; methods *; }",
	  "List the methods: methods GET, POST, PUT, DELETE;" },
	{ "E024", ERR, "private-network true with origins *",
	  "Private Network Access (a WICG draft) lets a public site reach a device on\n"
	  "the local network; the draft refuses it for a wildcard origin, and granting\n"
	  "it to every site on the web would be a hole anyway.  (Chromium 156 and\n"
	  "Firefox 153 send no such preflight at all: see W111.)",
	  "policy dev { origins *; private-network true; }",
	  "List the origins that may reach the private network." },
	{ "E030", ERR, "a header name that is not an RFC 9110 token",
	  "A header name is a token: letters, digits and !#$%&'*+-.^_`|~.  Spaces,\n"
	  "quotes, ':', ';', non-ASCII characters and the empty name cannot name a\n"
	  "header and could not be written safely into server configuration.  '*'\n"
	  "stands alone in a header list (allow-headers also takes *, Authorization).",
	  "allow-headers \"Content Type\";",
	  "Write the header name as sent on the wire: allow-headers Content-Type;" },
	{ "E031", ERR, "a method that is not an RFC 9110 token",
	  "A method is a token: letters, digits and !#$%&'*+-.^_`|~.  Anything else\n"
	  "is not a method a browser can send.  '*' stands alone in methods.",
	  "methods \"GET POST\";",
	  "Separate methods with commas: methods GET, POST;" },
	{ "E032", ERR, "a lower-case method a browser upper-cases before sending",
	  "Browsers upper-case delete, get, head, options, post and put before\n"
	  "sending, and compare Access-Control-Allow-Methods case-sensitively: 'put'\n"
	  "would never match the PUT a browser sends.  Other methods (patch) are sent\n"
	  "as written and are allowed as written.",
	  "methods get, put;",
	  "Write them upper-case: methods GET, PUT;" },
	{ "E033", ERR, "a bad max-age or a bad boolean",
	  "max-age is a duration: digits with an optional unit s, m, h or d (bare\n"
	  "digits are seconds), at most 2147483647 seconds, not quoted, not negative.\n"
	  "credentials and private-network take true or false, lower-case, unquoted.",
	  "max-age 10 minutes;\ncredentials yes;",
	  "max-age 10m;\ncredentials true;" },
	{ "E034", ERR, "a forbidden method (CONNECT, TRACE, TRACK)",
	  "Browsers refuse to send CONNECT, TRACE and TRACK from scripts (in any\n"
	  "case), so allowing them does nothing but suggest they are used.",
	  "methods GET, TRACE;",
	  "Remove them: methods GET;" },
	{ "E035", ERR, "an Access-Control-* name, or Origin, in allow-headers or expose-headers",
	  "Access-Control-* headers and Origin belong to the CORS protocol itself:\n"
	  "the browser sets the request ones, the server the response ones.  Listing\n"
	  "them shows a misunderstanding of the policy, and scripts can never send them.",
	  "allow-headers Content-Type, Access-Control-Allow-Origin;",
	  "Remove them: allow-headers Content-Type;" },
	{ "W101", WARN, "expose-headers lists a CORS-safelisted response header",
	  "Scripts can always read Cache-Control, Content-Language, Content-Length,\n"
	  "Content-Type, Expires, Last-Modified and Pragma; exposing them is noise.",
	  "expose-headers Content-Type, X-Request-ID;",
	  "Remove them: expose-headers X-Request-ID;" },
	{ "W102", WARN, "expose-headers lists Set-Cookie or Set-Cookie2",
	  "Browsers never let scripts read Set-Cookie or Set-Cookie2, whatever\n"
	  "Access-Control-Expose-Headers says.",
	  "expose-headers Set-Cookie;",
	  "Remove it; read the cookie's effect another way (a response body field)." },
	{ "W103", WARN, "allow-headers * without Authorization",
	  "The Fetch standard excludes Authorization from the wildcard of\n"
	  "Access-Control-Allow-Headers: by the standard, a script that sends\n"
	  "Authorization passes the preflight only if Authorization is named.\n"
	  "Chromium 156 and Firefox 153 do not do so today: they let it through under\n"
	  "the bare '*' (see Browsers).  Naming it beside the wildcard is what the\n"
	  "standard asks for, and works in both.",
	  "allow-headers *;",
	  "allow-headers *, Authorization;  (if scripts send Authorization)" },
	{ "W104", WARN, "the null origin is allowed",
	  "Origin: null is sent by sandboxed iframes, file: pages, data: URLs and\n"
	  "some redirects; any site can produce it with a sandboxed iframe, so\n"
	  "allowing null is close to allowing everyone.",
	  "origins \"null\";",
	  "Remove it unless you really serve such documents, and then without credentials." },
	{ "W105", WARN, "an http:// origin with credentials",
	  "Over plain http a network attacker can inject a script into the origin and\n"
	  "read your credentialed responses.  localhost and loopback addresses are\n"
	  "exempt: they never leave the machine.",
	  "origins \"http://app.example.com\";\ncredentials true;",
	  "Use https://app.example.com." },
	{ "W106", WARN, "max-age above what browsers honour",
	  "The Fetch standard lets a browser impose a limit on Access-Control-Max-Age.\n"
	  "Their sources cap it at 7200 s (2h) in Chromium, 86400 s (24h) in Firefox\n"
	  "and 600 s (10 min) in WebKit; a cap of hours cannot be seen in a short test,\n"
	  "so these figures are not measured.  A max-age above 7200 s only misleads\n"
	  "the reader about how long a policy change takes to reach clients.",
	  "max-age 1d;",
	  "max-age 2h;" },
	{ "W107", WARN, "the same entry twice in one list",
	  "A repeated origin (same canonical form), header (compared case-\n"
	  "insensitively) or method (compared exactly) changes nothing; it is usually\n"
	  "a copy-and-paste slip hiding a missing entry.  The copy is dropped.",
	  "methods GET, POST, GET;",
	  "Remove the second one: methods GET, POST;" },
	{ "W108", WARN, "an exact origin already matched by a pattern of the same policy",
	  "The exact origin adds nothing because a pattern of the policy already\n"
	  "matches it; one of the two may not be what was meant.",
	  "origins \"https://*.example.com\", \"https://app.example.com\";",
	  "Remove the exact origin, or narrow the pattern." },
	{ "W109", WARN, "a default port in an origin",
	  "Browsers never send the default port (:80 for http, :443 for https) in\n"
	  "Origin; corsc drops it so that the origin still matches.",
	  "origins \"https://app.example.com:443\";",
	  "origins \"https://app.example.com\";" },
	{ "W110", WARN, "allow-headers lists a forbidden request header",
	  "Scripts can never set the forbidden request headers of the Fetch standard\n"
	  "(Cookie, Host, Connection, Content-Length, Referer, Proxy-*, Sec-*, ...);\n"
	  "the browser sets them itself, and they need no CORS permission.",
	  "allow-headers Content-Type, Cookie;",
	  "Remove it: allow-headers Content-Type;" },
	{ "W111", WARN, "private-network true, but the browsers tested send no Private Network Access preflight",
	  "private-network true answers a preflight that carries\n"
	  "Access-Control-Request-Private-Network: true with\n"
	  "Access-Control-Allow-Private-Network: true (Private Network Access, a WICG\n"
	  "draft).  Chromium 156 and Firefox 153 were never seen sending that\n"
	  "preflight: when a public page fetches a server on a loopback address, the\n"
	  "request does not reach the server at all, whatever it would answer (see\n"
	  "Browsers).\n"
	  "Chrome put Private Network Access preflights on hold and replaced them with\n"
	  "the Local Network Access permission prompt (Chrome 142).  The header is\n"
	  "still sent as SPEC section 6 says; it just opens nothing in these engines.",
	  "policy device { origins \"https://app.example.com\"; private-network true; }",
	  "Keep it only for clients that still send the preflight; the browsers tested\n"
	  "decide local network access themselves.  Remove it (or write\n"
	  "private-network false) to silence the warning." },
};

const size_t nrules = ARRAY_SIZE(rules);

const struct rule *rule_find(const char *code)
{
	for (size_t i = 0; i < nrules; i++)
		if (ascii_strcasecmp(rules[i].code, code) == 0)
			return &rules[i];
	return NULL;
}

/*
 * What Chromium and Firefox were seen doing, per rule: the "Browsers:"
 * section of `corsc explain`.  tests/e2e/facts.py measures every fact in
 * both engines and fails when a line here no longer says what they do.
 */
#define MEASURED "Measured by tests/e2e/facts.py (table: doc/browser-facts.md):\n"

static const struct {
	const char *code, *text;
} browsers[] = {
	{ "E020",
	  MEASURED
	  "Chromium 156: rejects it ('*' never passes a request with credentials).\n"
	  "Firefox 153: rejects it ('*' never passes a request with credentials).\n"
	  "(A response with Access-Control-Allow-Origin: * and\n"
	  "Access-Control-Allow-Credentials: true, to a request with credentials.)" },
	{ "E021",
	  MEASURED
	  "Chromium 156: hides it ('*' is a literal header name).\n"
	  "Firefox 153: hides it ('*' is a literal header name).\n"
	  "(X-Foo under Access-Control-Expose-Headers: * with credentials; without\n"
	  "credentials both expose it.)" },
	{ "E022",
	  MEASURED
	  "Chromium 156: blocks it ('*' is a literal header name).\n"
	  "Firefox 153: blocks it ('*' is a literal header name).\n"
	  "(A request with credentials and X-Custom, preflight answered\n"
	  "Access-Control-Allow-Headers: *.)" },
	{ "E023",
	  MEASURED
	  "Chromium 156: blocks it ('*' is a literal method name).\n"
	  "Firefox 153: blocks it ('*' is a literal method name).\n"
	  "(A PUT with credentials, preflight answered Access-Control-Allow-Methods: *.)" },
	{ "E032",
	  MEASURED
	  "Chromium 156: sends 'put' as PUT.\n"
	  "Chromium 156: blocks it: 'put' in Allow-Methods does not match PUT.\n"
	  "Chromium 156: sends 'patch' as written and blocks it under Allow-Methods: PATCH.\n"
	  "Firefox 153: sends 'put' as PUT.\n"
	  "Firefox 153: blocks it: 'put' in Allow-Methods does not match PUT.\n"
	  "Firefox 153: sends 'patch' as written and blocks it under Allow-Methods: PATCH." },
	{ "E034",
	  MEASURED
	  "Chromium 156: refuses TRACE, TRACK and CONNECT: fetch() rejects and nothing is sent.\n"
	  "Firefox 153: refuses TRACE, TRACK and CONNECT: fetch() rejects and nothing is sent." },
	{ "W101",
	  MEASURED
	  "Chromium 156: lets a script read all seven without Access-Control-Expose-Headers.\n"
	  "Firefox 153: lets a script read all seven without Access-Control-Expose-Headers." },
	{ "W102",
	  MEASURED
	  "Chromium 156: never lets a script read Set-Cookie or Set-Cookie2.\n"
	  "Firefox 153: never lets a script read Set-Cookie or Set-Cookie2.\n"
	  "(Both named in Access-Control-Expose-Headers, with and without credentials.)" },
	{ "W103",
	  MEASURED
	  "Chromium 156: lets it through (the wildcard covers Authorization).\n"
	  "Firefox 153: lets it through (the wildcard covers Authorization).\n"
	  "(A request with Authorization, no credentials, preflight answered\n"
	  "Access-Control-Allow-Headers: *.)" },
	{ "W104",
	  MEASURED
	  "Chromium 156: sends Origin: null from a sandboxed frame, and\n"
	  "Access-Control-Allow-Origin: null lets it through.\n"
	  "Firefox 153: sends Origin: null from a sandboxed frame, and\n"
	  "Access-Control-Allow-Origin: null lets it through." },
	{ "W106",
	  MEASURED
	  "Chromium 156: reuses a preflight within its max-age (86400 s and 1000000 s\n"
	  "seen) and sends a new one when it expires or is 0.\n"
	  "Firefox 153: sends a new preflight for every request, even within max-age\n"
	  "(seen headless with a fresh profile)." },
	{ "W110",
	  MEASURED
	  "Chromium 156: drops Cookie, Sec-* and Proxy-* set by a script: neither the\n"
	  "preflight nor the request carries them.\n"
	  "Firefox 153: drops Cookie, Sec-* and Proxy-* set by a script: neither the\n"
	  "preflight nor the request carries them." },
	{ "W111",
	  MEASURED
	  "Chromium 156: sends no Access-Control-Request-Private-Network preflight, and the\n"
	  "request never reaches the server.\n"
	  "Firefox 153: sends no Access-Control-Request-Private-Network preflight, and the\n"
	  "request never reaches the server.\n"
	  "(A page made public with --ip-address-space-overrides (Chromium) or\n"
	  "network.lna.address_space.public.override (Firefox) fetches a loopback server.)" },
};

const char *rule_browsers(const char *code)
{
	for (size_t i = 0; i < ARRAY_SIZE(browsers); i++)
		if (ascii_strcasecmp(browsers[i].code, code) == 0)
			return browsers[i].text;
	return NULL;
}
