#!/bin/sh
# Inputs that once crashed, hung or leaked (found by fuzzing or by hand):
# each must now give exit 0 or 1 (never a signal, never 2) within 10 seconds.
set -u
: "${CORSC:?}" "${TOP:?}"
fail=0 n=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
for f in "$TOP"/tests/fuzz/regressions/*; do
	[ -e "$f" ] || continue
	case $f in *.yaml|*.yml) fmt=yaml ;; *) fmt=dsl ;; esac
	timeout 10 "$CORSC" check --format $fmt "$f" > /dev/null 2>&1
	rc=$?
	n=$((n + 1))
	if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
		echo "regression: ${f#$TOP/} exited $rc"
		fail=1
	fi
done
# Defects the soak found (tests/regressions/): NAME.expect lists exactly the
# diagnostics corsc must now give (`exit N`, default 1); a file without one
# must compile cleanly, and the soak slice of make check serves it.
for f in "$TOP"/tests/regressions/*.cors "$TOP"/tests/regressions/*.yaml; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	exp=${f%.*}.expect
	"$CORSC" check --diagnostics json "$f" > /dev/null 2> "$tmp/err"
	rc=$?
	if [ ! -e "$exp" ]; then
		[ $rc -eq 0 ] || { echo "regression: ${f#$TOP/} exited $rc, want 0"; cat "$tmp/err"; fail=1; }
		continue
	fi
	want=$(sed -n 's/^exit \([0-9]*\)$/\1/p' "$exp")
	[ $rc -eq "${want:-1}" ] || { echo "regression: ${f#$TOP/} exited $rc, want ${want:-1}"; fail=1; }
	python3 -c '
import json, sys
want = sorted(l.strip() for l in open(sys.argv[1]) if l[:1] in "EW")
got = sorted("%s %d:%d" % (d["code"], d["line"], d["column"]) for d in map(json.loads, open(sys.argv[2])))
if want != got:
    print("want %s, got %s" % (want, got)); sys.exit(1)
' "$exp" "$tmp/err" || { echo "regression: ${f#$TOP/}: diagnostics differ"; fail=1; }
done
# eval takes values that start with '-' (tests/regressions/method-leading-dash.cors)
f=$TOP/tests/regressions/method-leading-dash.cors
for args in "--method -|PURGE --header -Y" "--method=-|PURGE --header=--X"; do
	# shellcheck disable=SC2086
	out=$("$CORSC" eval "$f" --policy dash --origin https://app.example.com --preflight $args 2>&1)
	case $out in
		*"Access-Control-Allow-Methods: GET, -|PURGE"*) ;;
		*) echo "regression: eval $args: $out"; fail=1 ;;
	esac
done
echo "$n regression inputs"
[ $n -gt 0 ] && [ $fail -eq 0 ]
