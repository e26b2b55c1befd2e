#!/bin/sh
# `corsc eval` on the examples: the exact text and JSON answers of SPEC
# section 6 for a handful of requests, and its usage errors (exit 2).
set -u
: "${CORSC:?}" "${TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0 n=0
nl='
'

# expect NAME EXPECTED-STDOUT -- FILE ARGS...: exit 0, nothing on stderr, exact stdout
expect() {
	name=$1 want=$2; shift 3
	file=$1; shift
	n=$((n + 1))
	(cd "$TOP" && "$CORSC" eval "examples/$file" "$@") > "$tmp/out" 2> "$tmp/err"
	rc=$?
	printf '%s\n' "$want" > "$tmp/want"
	if [ $rc -ne 0 ] || [ -s "$tmp/err" ] || ! cmp -s "$tmp/want" "$tmp/out"; then
		echo "FAIL $name (exit $rc)"; cat "$tmp/err"
		diff "$tmp/want" "$tmp/out"
		fail=1
	fi
}

# expect_usage NAME MESSAGE-PART ARGS...: exit 2, message on stderr, nothing on stdout
expect_usage() {
	name=$1 msg=$2; shift 2
	n=$((n + 1))
	(cd "$TOP" && "$CORSC" eval "$@") > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne 2 ] || [ -s "$tmp/out" ] || ! grep -qF -- "$msg" "$tmp/err"; then
		echo "FAIL $name (exit $rc, want 2 and '$msg')"; cat "$tmp/err" "$tmp/out"
		fail=1
	fi
}

API_PREFLIGHT="Access-Control-Allow-Origin: https://app.example.com
Access-Control-Allow-Credentials: true
Access-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE
Access-Control-Allow-Headers: Content-Type, Authorization, X-CSRF-Token
Access-Control-Max-Age: 600
Vary: Origin"

for f in spa-api.cors spa-api.yaml; do
	expect "$f preflight, text" "HTTP/1.1 204 No Content$nl$API_PREFLIGHT" -- \
		$f --policy api --origin https://app.example.com --preflight --method PUT \
		--header Content-Type --header X-CSRF-Token
	expect "$f preflight, json" '{"preflight":true,"status":204,"allowed":true,"headers":[["Access-Control-Allow-Origin","https://app.example.com"],["Access-Control-Allow-Credentials","true"],["Access-Control-Allow-Methods","GET, POST, PUT, PATCH, DELETE"],["Access-Control-Allow-Headers","Content-Type, Authorization, X-CSRF-Token"],["Access-Control-Max-Age","600"],["Vary","Origin"]]}' -- \
		$f --policy api --origin https://app.example.com --preflight --method PUT --diagnostics json
	expect "$f preflight, not allowed" "HTTP/1.1 204 No Content${nl}Vary: Origin" -- \
		$f --policy api --origin https://evil.example.net --preflight --method DELETE
	expect "$f actual, allowed" "(the application's response, status unchanged)
Access-Control-Allow-Origin: https://admin.example.com
Access-Control-Allow-Credentials: true
Access-Control-Expose-Headers: X-Request-ID, X-RateLimit-Remaining
Vary: Origin" -- $f --policy api --origin https://admin.example.com
	expect "$f actual, json" '{"preflight":false,"status":null,"allowed":true,"headers":[["Access-Control-Allow-Origin","https://admin.example.com"],["Access-Control-Allow-Credentials","true"],["Access-Control-Expose-Headers","X-Request-ID, X-RateLimit-Remaining"],["Vary","Origin"]]}' -- \
		$f --policy api --origin https://admin.example.com --method POST --diagnostics json
	expect "$f trailing dot, json" '{"preflight":false,"status":null,"allowed":false,"headers":[["Vary","Origin"]]}' -- \
		$f --policy api --origin https://app.example.com. --diagnostics json
	expect "$f --preflight with --no-origin" "(the application's response, status unchanged)${nl}Vary: Origin" -- \
		$f --policy api --no-origin --preflight --method PUT
done

expect "assets, no origin" "(the application's response, status unchanged)
Access-Control-Allow-Origin: *
Access-Control-Expose-Headers: *" -- public-assets.cors --policy assets --no-origin
expect "assets preflight" "HTTP/1.1 204 No Content
Access-Control-Allow-Origin: *
Access-Control-Allow-Methods: GET, HEAD
Access-Control-Max-Age: 7200" -- public-assets.cors --policy assets --origin https://x.example.org --preflight --method GET
expect "dev preflight, private network asked, not allowed (W111: no private-network)" "HTTP/1.1 204 No Content
Access-Control-Allow-Origin: http://localhost:5173
Access-Control-Allow-Methods: *
Access-Control-Allow-Headers: *, Authorization
Access-Control-Max-Age: 300
Vary: Origin" -- local-dev.cors --policy dev --origin http://localhost:5173 --preflight \
	--method PATCH --header Authorization --private-network
expect "dev preflight, no private network header" '{"preflight":true,"status":204,"allowed":true,"headers":[["Access-Control-Allow-Origin","http://[::1]:8080"],["Access-Control-Allow-Methods","*"],["Access-Control-Allow-Headers","*, Authorization"],["Access-Control-Max-Age","300"],["Vary","Origin"]]}' -- \
	local-dev.cors --policy dev --origin 'http://[::1]:8080' --preflight --method PUT --diagnostics json
expect "tenants, two labels under *." "(the application's response, status unchanged)${nl}Vary: Origin" -- \
	saas-tenants.cors --policy tenants --origin https://a.acme.customers.example.com
expect "admin max-age 0" "HTTP/1.1 204 No Content
Access-Control-Allow-Origin: https://admin.example.com
Access-Control-Allow-Credentials: true
Access-Control-Allow-Methods: GET, POST
Access-Control-Allow-Headers: Content-Type, X-CSRF-Token
Access-Control-Max-Age: 0
Vary: Origin" -- per-path.cors --policy admin --origin https://admin.example.com --preflight --method POST

# --response-header: the script's view (exposure.c), text and JSON
expect "script's view, credentials" "(the application's response, status unchanged)
Access-Control-Allow-Origin: https://app.example.com
Access-Control-Allow-Credentials: true
Access-Control-Expose-Headers: X-Request-ID, X-RateLimit-Remaining
Vary: Origin

A script on https://app.example.com (fetch with credentials) can read these response headers:
    x-request-id  named in Access-Control-Expose-Headers
    Content-Type  a CORS-safelisted response header: always readable
and cannot read:
    X-Internal    neither CORS-safelisted nor named in Access-Control-Expose-Headers
    Set-Cookie    Set-Cookie and Set-Cookie2 are never exposed to scripts" -- \
	spa-api.cors --policy api --origin https://app.example.com --response-header x-request-id \
	--response-header Content-Type --response-header X-Internal --response-header Set-Cookie
expect "script's view, origin not allowed" "(the application's response, status unchanged)
Vary: Origin

A script on https://evil.example (fetch with credentials) gets no response: fetch() rejects with a TypeError (no Access-Control-Allow-Origin: the origin is not allowed).
It can read none of the response headers." -- \
	spa-api.cors --policy api --origin https://evil.example --response-header X-Request-ID
expect "script's view, json" '{"preflight":false,"status":null,"allowed":true,"headers":[["Access-Control-Allow-Origin","https://admin.example.com"],["Access-Control-Allow-Credentials","true"],["Access-Control-Expose-Headers","X-Request-ID, X-RateLimit-Remaining"],["Vary","Origin"]],"script":{"origin":"https://admin.example.com","credentials":true,"response":true,"other_credentials":{"response":true},"headers":[{"name":"X-RateLimit-Remaining","readable":true,"why":"exposed","reason":"named in Access-Control-Expose-Headers"},{"name":"Set-Cookie2","readable":false,"why":"forbidden","reason":"Set-Cookie and Set-Cookie2 are never exposed to scripts"}]}}' -- \
	spa-api.cors --policy api --origin https://admin.example.com --diagnostics json \
	--response-header X-RateLimit-Remaining --response-header Set-Cookie2
expect "script's view, origins * without credentials" "(the application's response, status unchanged)
Access-Control-Allow-Origin: *
Access-Control-Expose-Headers: *

A script on https://x.example.org (fetch without credentials) can read these response headers:
    Content-Length  a CORS-safelisted response header: always readable
    ETag            Access-Control-Expose-Headers is '*' and the request has no credentials
and cannot read:
    Set-Cookie      Set-Cookie and Set-Cookie2 are never exposed to scripts
(The same fetch with credentials would reject: Access-Control-Allow-Origin is '*', which a request with credentials never accepts.)" -- \
	public-assets.cors --policy assets --origin https://x.example.org --response-header Content-Length \
	--response-header ETag --response-header Set-Cookie
expect_usage "--response-header with --preflight" "leave out --preflight" examples/spa-api.cors --policy api \
	--origin https://app.example.com --preflight --method PUT --response-header X-Request-ID
expect_usage "--response-header not a token" "is not a header name" examples/spa-api.cors --policy api \
	--origin https://app.example.com --response-header "X Request"
expect_usage "--response-header empty" "is not a header name" examples/spa-api.cors --policy api \
	--origin https://app.example.com --response-header ""

expect_usage "missing --policy" "eval needs --policy" examples/spa-api.cors --origin https://app.example.com
expect_usage "unknown policy" "no policy 'nope'" examples/spa-api.cors --policy nope --origin https://app.example.com
expect_usage "no FILE" "needs a FILE" --policy api

# SPEC section 4: exactly one of --origin and --no-origin; a malformed origin
# and --preflight without --method are usage errors.
S=examples/spa-api.cors
expect_usage "neither --origin nor --no-origin" "eval needs --origin ORIGIN, or --no-origin" $S --policy api
expect_usage "--origin and --no-origin" "exactly one of --origin and --no-origin" \
	$S --policy api --origin https://app.example.com --no-origin
expect_usage "--origin twice" "exactly one of --origin and --no-origin" \
	$S --policy api --origin https://app.example.com --origin https://admin.example.com
expect_usage "origin without scheme" "malformed --origin 'app.example.com': no scheme" \
	$S --policy api --origin app.example.com
expect_usage "origin with a trailing slash" "malformed --origin 'https://app.example.com/': a path" \
	$S --policy api --origin https://app.example.com/
expect_usage "two origins in one" "holds a comma" \
	$S --policy api --origin "https://app.example.com, https://admin.example.com"
expect_usage "empty origin" "use --no-origin" $S --policy api --origin ""
expect_usage "bad port" "bad port" $S --policy api --origin https://app.example.com:123456
expect_usage "user info" "user info" $S --policy api --origin https://u@app.example.com
expect_usage "--preflight without --method" "--preflight needs --method" \
	$S --policy api --origin https://app.example.com --preflight
# Well formed, not matching (byte-exact): answered, not refused as usage.
expect "upper case origin" "(the application's response, status unchanged)${nl}Vary: Origin" -- \
	spa-api.cors --policy api --origin HTTPS://APP.EXAMPLE.COM
expect "null origin" "(the application's response, status unchanged)${nl}Vary: Origin" -- \
	spa-api.cors --policy api --origin null

# Only the chosen policy's warnings, or the errors that stop evaluation.
cat > "$tmp/two.cors" <<'EOF2'
policy a {
    origins "https://a.example", "https://a.example";
}
policy b {
    origins "https://b.example";
    methods GET, GET;
}
EOF2
diag_case() {   # NAME WANT-EXIT WANT-STDERR-PART NOT-IN-STDERR FILE ARGS...
	name=$1 want=$2 has=$3 hasnt=$4 file=$5; shift 5
	n=$((n + 1))
	"$CORSC" eval "$file" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne "$want" ] || { [ -n "$has" ] && ! grep -qF -- "$has" "$tmp/err"; } ||
	   { [ -n "$hasnt" ] && grep -qF -- "$hasnt" "$tmp/err"; }; then
		echo "FAIL $name (exit $rc, want $want)"; cat "$tmp/err"
		fail=1
	fi
}
diag_case "warnings of policy a only" 0 "origin 'https://a.example' twice" "'GET' twice" \
	"$tmp/two.cors" --policy a --origin https://a.example
diag_case "warnings of policy b only" 0 "'GET' twice" "https://a.example' twice" \
	"$tmp/two.cors" --policy b --origin https://b.example
sed 's#"https://b.example"#"https://b.example/"#' "$tmp/two.cors" > "$tmp/bad.cors"
diag_case "an error stops evaluation, alone" 1 "error[E010]" "warning" \
	"$tmp/bad.cors" --policy a --origin https://a.example
[ -s "$tmp/out" ] && { echo "FAIL an error stops evaluation: an answer was printed"; fail=1; }

echo "$n eval cases"
[ $fail -eq 0 ]
