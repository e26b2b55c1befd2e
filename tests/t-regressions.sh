#!/bin/sh
# Inputs that once crashed, hung or leaked (found by fuzzing or by hand):
# each must now give exit 0 or 1 (never a signal, never 2) within 10 seconds.
set -u
: "${CORSC:?}" "${TOP:?}"
fail=0 n=0
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
echo "$n regression inputs"
[ $n -gt 0 ] && [ $fail -eq 0 ]
