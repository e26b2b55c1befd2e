#!/bin/sh
# corsc fix and the fix-its (issue 16).  For every tests/fix/CODE-*.cors and
# .yaml: check shows CODE with a "fix:" line and a JSON "fix"; fix --check
# exits 1 and leaves the file alone; fix applies it (comments kept) and the
# file then passes check --werror; a meaning-preserving fix (W107, W109)
# leaves build -t json equal, one that removes what never mattered (W101,
# W102, W108) leaves what eval says a script can read equal.  Then all.cors
# and all.yaml, a file with every fix-it, and the usage errors.
set -u
: "${CORSC:?}" "${TOP:?}"
command -v python3 > /dev/null || { echo "python3 is not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0 n=0
bad() { echo "FAIL $*"; fail=1; }

# the names of a file's policies and the first origin of each, for eval
policies() { "$CORSC" build -t json "$1" 2>/dev/null | grep -v '^#' | python3 -c '
import json, sys
text = sys.stdin.read()
for p in (json.loads(text)["policies"] if text.strip() else []):
    o = [x for x in p.get("origins", []) if "*" not in x] or ["https://zz.example.com"]
    print(p["name"], o[0])'; }

# what a script can read after a fetch, for every policy of a file (and origin of list $2)
readable() {
	while read -r name origin; do
		"$CORSC" eval "$1" --policy "$name" --origin "$origin" --response-header Content-Type \
			--response-header Content-Length --response-header Cache-Control \
			--response-header Set-Cookie --response-header Set-Cookie2 \
			--response-header X-A --response-header X-B --response-header X-Request-ID \
			2> /dev/null | sed -n '/^A script/,$p'
	done < "$2"
}

for f in "$TOP"/tests/fix/[EW][0-9]*; do
	base=${f##*/}
	code=${base%%-*}
	t="$tmp/$base"
	cp "$f" "$t"
	n=$((n + 1))
	"$CORSC" check "$t" > /dev/null 2> "$tmp/text"
	grep -q "\[$code\]" "$tmp/text" || bad "$base: no $code"
	grep -q '^  fix: ' "$tmp/text" || bad "$base: no 'fix:' line in the text diagnostics"
	"$CORSC" check --diagnostics json "$t" > /dev/null 2> "$tmp/json"
	python3 -c '
import json, sys
fixes = [d for d in map(json.loads, open(sys.argv[1])) if d["code"] == sys.argv[2] and d.get("fix")]
assert fixes, "no JSON fix for " + sys.argv[2]
for d in fixes:
    for e in d["fix"]:
        assert e["line"] >= 1 and e["column"] >= 1 and "replacement" in e, e
' "$tmp/json" "$code" || bad "$base: JSON fix"
	"$CORSC" build -t json "$t" > "$tmp/before.json" 2> /dev/null
	policies "$t" > "$tmp/policies"
	readable "$t" "$tmp/policies" > "$tmp/before.read"
	"$CORSC" fix --check "$t" > "$tmp/out" 2>&1
	[ $? -eq 1 ] || bad "$base: fix --check does not exit 1"
	cmp -s "$f" "$t" || bad "$base: fix --check changed the file"
	grep -q "would fix\[$code\]" "$tmp/out" || bad "$base: fix --check does not name $code"
	"$CORSC" fix "$t" > "$tmp/out" 2>&1 || bad "$base: fix exits $?"
	grep -q "fixed\[$code\]" "$tmp/out" || bad "$base: fix does not name $code"
	"$CORSC" check --werror "$t" > /dev/null 2> "$tmp/err" || {
		bad "$base: not clean after fix"; sed 's/^/    /' "$tmp/err" "$t" | head -n 30; }
	"$CORSC" fix --check "$t" > /dev/null 2>&1 || bad "$base: fix --check after fix is not 0"
	# every comment on a line of its own, and every one that says it stays, is kept
	# (a comment at the end of a removed "- item" line goes with the item)
	{ grep '^[[:space:]]*#' "$f"; grep -o '#.*stays.*' "$f"; } | while IFS= read -r c; do
		grep -qF -- "$c" "$t" || echo "lost: $c"
	done > "$tmp/lost"
	[ -s "$tmp/lost" ] && bad "$base: comment lost: $(cat "$tmp/lost")"
	case $code in
	W107|W109)
		"$CORSC" build -t json "$t" > "$tmp/after.json" 2> /dev/null
		cmp -s "$tmp/before.json" "$tmp/after.json" || bad "$base: build -t json changed" ;;
	W101|W102|W108)
		readable "$t" "$tmp/policies" > "$tmp/after.read"
		[ -s "$tmp/before.read" ] || bad "$base: eval said nothing"
		cmp -s "$tmp/before.read" "$tmp/after.read" || bad "$base: what scripts can read changed" ;;
	esac
done

# a file with every fix-it becomes one that check --werror accepts, comments kept
for f in "$TOP"/tests/fix/all.cors "$TOP"/tests/fix/all.yaml; do
	n=$((n + 1))
	t="$tmp/${f##*/}"
	cp "$f" "$t"
	"$CORSC" fix "$t" > "$tmp/out" 2>&1 || bad "${f##*/}: fix exits $?"
	for c in W101 W102 W103 W107 W108 W109 E010 E032; do
		grep -q "fixed\[$c\]" "$tmp/out" || bad "${f##*/}: $c not fixed"
	done
	"$CORSC" check --werror "$t" > /dev/null 2> "$tmp/err" || {
		bad "${f##*/}: not clean after fix"; sed 's/^/    /' "$tmp/err" | head -n 20; }
	grep -q '# comment stays' "$t" || bad "${f##*/}: comment lost"
done

# usage: standard input cannot be rewritten; --check on a clean file is 0
n=$((n + 1))
"$CORSC" fix --format dsl - < "$TOP"/tests/fix/all.cors > /dev/null 2>&1
[ $? -eq 2 ] || bad "fix - does not exit 2"
"$CORSC" fix "$tmp/nonexistent.cors" > /dev/null 2>&1
[ $? -eq 2 ] || bad "fix of a missing file does not exit 2"
"$CORSC" fix --check "$TOP"/examples > /dev/null 2>&1 || bad "fix --check examples/ is not 0"

echo "$n fix cases"
[ $fail -eq 0 ]
