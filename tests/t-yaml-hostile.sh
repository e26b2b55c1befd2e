#!/bin/sh
# Hostile YAML through the whole CLI: 100,000-deep nesting (block and flow)
# and an alias bomb must end in a located E001 and exit 1, quickly, never a crash.
set -eu
: "${CORSC:?}" "${TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

# expect FILE LINE:COL - exit status 1 and an E001 at that place
expect() {
	rc=0
	"$CORSC" check --diagnostics json "$1" > /dev/null 2> "$tmp/err" || rc=$?
	if [ "$rc" -ne 1 ]; then
		echo "FAIL ${1##*/}: exit $rc, want 1"; head -n 5 "$tmp/err"; fail=1; return
	fi
	line=${2%:*} col=${2#*:}
	if ! python3 "$TOP/tests/diag-check.py" "$tmp/err" E001 "$line:$col" > "$tmp/why"; then
		echo "FAIL ${1##*/}: $(cat "$tmp/why")"; head -n 5 "$tmp/err"; fail=1; return
	fi
	echo "ok ${1##*/}"
}

awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; print "" }' > "$tmp/flow-deep.yaml"
expect "$tmp/flow-deep.yaml" 1:17

# policies: {api: {origins: {a: {a: ... 100,000 mappings deep
awk 'BEGIN { printf "policies: {api: {origins: "; for (i = 0; i < 100000; i++) printf "{a: "; print "" }' \
	> "$tmp/map-deep.yaml"
expect "$tmp/map-deep.yaml" 1:79

# block sequences, each one level deeper: "- - - - ..."
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "- "; print "x" }' > "$tmp/block-deep.yaml"
expect "$tmp/block-deep.yaml" 1:33

expect "$TOP/tests/malformed/alias-bomb.yaml" 6:24
[ $fail -eq 0 ]
