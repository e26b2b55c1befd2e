#!/bin/sh
# valgrind over the examples (build, every target) and the malformed corpus
# (check): no leak, no memory error.
set -u
: "${CORSC:?}" "${TOP:?}"
command -v valgrind > /dev/null || { echo "valgrind is not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
vg="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"
fail=0 n=0
for f in "$TOP"/examples/* "$TOP"/tests/malformed/*.cors "$TOP"/tests/malformed/*.yaml; do
	[ -e "$f" ] || continue
	case $f in *.yaml|*.yml) fmt=yaml ;; *) fmt=dsl ;; esac
	mkdir -p "$tmp/o"
	$vg "$CORSC" build -t all -t json -o "$tmp/o" --format $fmt "$f" > /dev/null 2> "$tmp/log"
	rc=$?
	n=$((n + 1))
	if [ $rc -eq 99 ] || [ $rc -gt 2 ]; then
		echo "valgrind: ${f#$TOP/} (exit $rc)"; head -n 30 "$tmp/log"; fail=1
	fi
done
$vg "$CORSC" eval "$TOP/examples/spa-api.cors" --policy api --origin https://app.example.com \
	--preflight --method PUT --header X-A > /dev/null 2> "$tmp/log" || { echo "valgrind: eval"; cat "$tmp/log"; fail=1; }
echo "$n files under valgrind"
[ $n -gt 0 ] && [ $fail -eq 0 ]
