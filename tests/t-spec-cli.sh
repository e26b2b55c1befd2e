#!/bin/sh
# t-spec-cli.sh - SPEC sections 2, 4 and 5 read line by line, as an outside
# reviewer checks them: the same policies in both languages give the same
# bytes for every target once the input name is the same (standard input);
# output does not depend on the locale, time zone or SOURCE_DATE_EPOCH; a
# name used in a .cors and a .yaml file (equal after case-folding and '-'/'_')
# is E004 at both places; github diagnostics go to standard output, the other
# formats to standard error; a folder is read in byte order of the paths;
# '-o' creates its parents, and a failed build leaves no trace of them.
set -u
: "${CORSC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=1; }

cat > "$tmp/p.cors" <<'EOF'
# every statement, odd but valid values
policy api-v2 {
    origins "https://app.example.com", "https://*.t.example.com", "https://**.eu.example.com:8443",
            "http://localhost:*", "http://[::1]:8080", "https://xn--bcher-kva.example", "null";
    methods GET, PUT, PATCH, "X-CUSTOM";
    allow-headers Content-Type, "X-Request-ID", Authorization;
    expose-headers X-RateLimit-Remaining;
    credentials true;
    max-age 600;
    private-network true;
}
policy public { origins *; methods *; allow-headers *, Authorization; expose-headers *; }
policy bare { origins "https://a.example"; }
EOF
printf '\357\273\277policies:\r\n' > "$tmp/p.yaml"
cat >> "$tmp/p.yaml" <<'EOF'
  api-v2:   # a comment
    origins:
      - https://app.example.com
      - "https://*.t.example.com"
      - 'https://**.eu.example.com:8443'
      - http://localhost:*
      - "http://[::1]:8080"
      - https://xn--bcher-kva.example
      - "null"
    methods: [GET, PUT, PATCH, X-CUSTOM]
    allow-headers: [Content-Type, X-Request-ID, Authorization]
    expose-headers: X-RateLimit-Remaining
    credentials: TRUE
    max-age: "10m"
    private-network: true
  public: {origins: "*", methods: "*", allow-headers: ["*", Authorization], expose-headers: "*"}
  bare:
    origins: https://a.example
EOF

# 1. both languages, every target: the same bytes (standard input names both '<stdin>')
"$CORSC" build --format dsl -t all -t json - < "$tmp/p.cors" > "$tmp/dsl.out" 2> "$tmp/dsl.err" ||
	bad "build of the .cors: $(cat "$tmp/dsl.err")"
"$CORSC" build --format yaml -t all -t json - < "$tmp/p.yaml" > "$tmp/yaml.out" 2> "$tmp/yaml.err" ||
	bad "build of the .yaml: $(cat "$tmp/yaml.err")"
n=$(grep -c '^# ==> ' "$tmp/dsl.out")
[ "$n" -ge 10 ] || bad "only $n files printed"
cmp -s "$tmp/dsl.out" "$tmp/yaml.out" || { bad ".cors and .yaml give different bytes:"; diff "$tmp/dsl.out" "$tmp/yaml.out" | head -n 10; }
cmp -s "$tmp/dsl.err" "$tmp/yaml.err" || true   # positions differ: only the outputs must agree
# and from files, the only difference is the input's name in the headers
"$CORSC" build -t all -t json "$tmp/p.cors" 2> /dev/null | sed "s|$tmp/p.cors|INPUT|g" > "$tmp/f1"
"$CORSC" build -t all -t json "$tmp/p.yaml" 2> /dev/null | sed "s|$tmp/p.yaml|INPUT|g" > "$tmp/f2"
cmp -s "$tmp/f1" "$tmp/f2" || { bad "files differ beyond the input name:"; diff "$tmp/f1" "$tmp/f2" | head -n 10; }

# 2. deterministic whatever the environment
for env in "LC_ALL=C" "LC_ALL=C.UTF-8 TZ=Pacific/Kiritimati" "SOURCE_DATE_EPOCH=1 TZ=UTC LANG=tr_TR.UTF-8"; do
	env $env "$CORSC" build -t all -t json "$tmp/p.cors" 2> /dev/null | sed "s|$tmp/p.cors|INPUT|g" > "$tmp/f3"
	cmp -s "$tmp/f1" "$tmp/f3" || bad "output changes under $env"
done

# 3. E004 across languages, located at both, in text and JSON
printf 'policy Api_V2 {\n    origins "https://b.example";\n}\n' > "$tmp/q.cors"
"$CORSC" check "$tmp/p.yaml" "$tmp/q.cors" > "$tmp/out" 2> "$tmp/err"; rc=$?
[ $rc -eq 1 ] || bad "E004 across files: exit $rc"
grep -qF "$tmp/q.cors:1:8: error[E004]: policy name 'Api_V2' is already used" "$tmp/err" || bad "E004 not at q.cors:1:8: $(cat "$tmp/err")"
grep -qF "$tmp/p.yaml:2:3: note: policy 'api-v2' is first defined here" "$tmp/err" || bad "E004 does not name p.yaml:2:3"
"$CORSC" check --diagnostics json "$tmp/p.yaml" "$tmp/q.cors" 2>&1 | python3 -c '
import json, sys
d = [json.loads(l) for l in sys.stdin if l.strip()]
e = [x for x in d if x["code"] == "E004"]
assert len(e) == 1 and e[0]["line"] == 1 and e[0]["column"] == 8, e
r = e[0]["related"]
assert r[0]["file"].endswith("p.yaml") and (r[0]["line"], r[0]["column"]) == (2, 3), r
' || bad "E004 in JSON lacks its related place"

# 4. where each diagnostics format goes, and the exit status
printf 'policy a { origins *; credentials true; }\n' > "$tmp/e.cors"
printf 'policy a { origins "https://a.example"; expose-headers Expires, X-A; }\n' > "$tmp/w.cors"
for f in text json sarif github; do
	"$CORSC" check --diagnostics $f "$tmp/e.cors" > "$tmp/out" 2> "$tmp/err"; rc=$?
	[ $rc -eq 1 ] || bad "$f: exit $rc for an error"
	if [ $f = github ]; then
		[ -s "$tmp/out" ] && [ ! -s "$tmp/err" ] || bad "github diagnostics not on standard output alone"
		grep -qF "::error file=$tmp/e.cors,line=1,col=20,endColumn=21,title=E020::" "$tmp/out" || bad "github line: $(cat "$tmp/out")"
	else
		[ -s "$tmp/err" ] && [ ! -s "$tmp/out" ] || bad "$f diagnostics not on standard error alone"
	fi
	"$CORSC" check --diagnostics $f "$tmp/w.cors" > /dev/null 2>&1; rc=$?
	[ $rc -eq 0 ] || bad "$f: exit $rc for a warning"
	"$CORSC" check --werror --diagnostics $f "$tmp/w.cors" > /dev/null 2>&1; rc=$?
	[ $rc -eq 1 ] || bad "$f --werror: exit $rc for a warning"
done

# 5. a folder in byte order of the paths ('-' < '.' < '/'), hidden entries skipped
mkdir -p "$tmp/d/a" "$tmp/d/.hidden"
for f in a/x a-b a B; do
	n=$(printf '%s' "$f" | tr -c 'a-zA-Z' q)
	printf 'policy %s { origins "https://a.example"; max-age 9999; }\n' "$n" > "$tmp/d/$f.cors"
done
cp "$tmp/e.cors" "$tmp/d/.hidden/e.cors"
"$CORSC" check "$tmp/d" 2>&1 | sed -n "s|^$tmp/d/\([^:]*\):.*W106.*|\1|p" | tr '\n' ' ' > "$tmp/order"
[ "$(cat "$tmp/order")" = "B.cors a-b.cors a.cors a/x.cors " ] || bad "folder order: $(cat "$tmp/order")"

# 6. -o creates parents; a failed build leaves no trace of them
"$CORSC" build -o "$tmp/o/deep/er" "$tmp/e.cors" > /dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && [ ! -e "$tmp/o" ] || bad "failed build: exit $rc, $tmp/o exists: $(ls -R "$tmp/o" 2>&1 | head -n 3)"
"$CORSC" build -o "$tmp/o/deep/er" "$tmp/p.cors" > /dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && [ ! -e "$tmp/o/deep/er/json" ] && [ -f "$tmp/o/deep/er/caddy/cors.caddy" ] && [ -f "$tmp/o/deep/er/nginx/cors-http.conf" ] ||
	bad "build -o with parents: exit $rc"

# 7. fmt -w, fix and --diagnostics-file write through a symbolic link: the
#    file it points to is edited, the link stays a link
mkdir -p "$tmp/ln/real"
printf 'policy a {origins "https://a.example:443";}\n' > "$tmp/ln/real/p.cors"
ln -s real/p.cors "$tmp/ln/fix.cors"
"$CORSC" fix "$tmp/ln/fix.cors" > /dev/null 2>&1 || bad "fix through a link: exit $?"
[ -L "$tmp/ln/fix.cors" ] || bad "fix replaced the symbolic link by a file"
grep -qF '"https://a.example"' "$tmp/ln/real/p.cors" || bad "fix left the linked file unfixed: $(cat "$tmp/ln/real/p.cors")"
ln -s real/p.cors "$tmp/ln/fmt.cors"
"$CORSC" fmt -w "$tmp/ln/fmt.cors" > /dev/null 2>&1 || bad "fmt -w through a link: exit $?"
[ -L "$tmp/ln/fmt.cors" ] || bad "fmt -w replaced the symbolic link by a file"
"$CORSC" fmt --check "$tmp/ln/real/p.cors" 2> /dev/null || bad "fmt -w left the linked file unformatted"
ln -s real/diag.txt "$tmp/ln/diag.txt"
: > "$tmp/ln/real/diag.txt"
"$CORSC" check --diagnostics-file "$tmp/ln/diag.txt" "$tmp/w.cors" 2> /dev/null
[ -L "$tmp/ln/diag.txt" ] && grep -q W101 "$tmp/ln/real/diag.txt" || bad "--diagnostics-file did not write through its link"

# 8. more errors than are shown (50): every format says the list is cut, also
#    when checking stopped at the cap (one error in each of 60 policies)
i=0
while [ $i -lt 60 ]; do
	i=$((i + 1))
	printf 'policy p%d { origins "https://a%d.example/"; }\n' $i $i
done > "$tmp/cap.cors"
"$CORSC" check "$tmp/cap.cors" 2> "$tmp/err"; rc=$?
[ $rc -eq 1 ] && [ "$(grep -c 'error\[E010\]' "$tmp/err")" -eq 50 ] || bad "cap: exit $rc, $(grep -c 'error\[' "$tmp/err") errors shown"
tail -n 1 "$tmp/err" | grep -q '^corsc: too many diagnostics' || bad "text does not say the list is cut: $(tail -n 1 "$tmp/err")"
"$CORSC" check --diagnostics json "$tmp/cap.cors" 2>&1 | tail -n 1 | grep -q '^{"code":null,"severity":"note","message":"too many diagnostics' ||
	bad "json does not say the list is cut"
"$CORSC" check --diagnostics github "$tmp/cap.cors" 2> /dev/null | tail -n 1 | grep -q '^::warning title=corsc::too many diagnostics' ||
	bad "github does not say the list is cut"

# 9. eval: a --method or --header a browser could not send is a usage error,
#    as a malformed --origin is
for args in "--method P_T --method 'P T'" "--method PUT --header 'X-A, X-B'" "--method PUT --header ''"; do
	eval "\"\$CORSC\" eval \"\$tmp/p.cors\" --policy bare --origin https://a.example --preflight $args" \
		> "$tmp/out" 2> "$tmp/err"; rc=$?
	[ $rc -eq 2 ] && grep -q 'RFC 9110 token' "$tmp/err" && [ ! -s "$tmp/out" ] ||
		bad "eval $args: exit $rc: $(cat "$tmp/err")"
done
"$CORSC" eval "$tmp/p.cors" --policy bare --origin https://a.example --preflight --method PUT \
	--header X-A --header x-a > /dev/null 2>&1 || bad "eval with token headers: exit $?"

[ $fail -eq 0 ] && echo "SPEC sections 2, 4, 5: both languages, environment, E004, diagnostics, folders, -o"
exit $fail
