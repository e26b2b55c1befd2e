#!/bin/sh
# corsc explain: every code of SPEC section 7 answers with exit 0 and
# non-empty Why, Example and Fix sections; an unknown code exits 2.
set -u
: "${CORSC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0 n=0
for code in E001 E002 E003 E004 E005 E010 E011 E012 E013 \
	    E020 E021 E022 E023 E024 E030 E031 E032 E033 E034 E035 \
	    W101 W102 W103 W104 W105 W106 W107 W108 W109 W110 W111; do
	n=$((n + 1))
	if ! "$CORSC" explain "$code" > "$tmp/out" 2> "$tmp/err"; then
		echo "explain $code: exit status not 0"; fail=1; continue
	fi
	head -n 1 "$tmp/out" | grep -q "^$code (" || { echo "explain $code: no header line"; fail=1; }
	for section in Why: Example: Fix:; do
		# the section label, then at least one indented non-empty line
		awk -v s="$section" '$0 == s { getline; if ($0 ~ /^    [^ ]/) ok = 1 } END { exit !ok }' \
			"$tmp/out" || { echo "explain $code: empty or missing $section"; fail=1; }
	done
done
# E010's text names what is an error, not what is a warning (a default port is W109)
"$CORSC" explain E010 > "$tmp/e010"
grep -q "no default port" "$tmp/e010" && { echo "explain E010 calls a default port an error (it is W109)"; fail=1; }
grep -q "W109" "$tmp/e010" || { echo "explain E010 does not point to W109"; fail=1; }
"$CORSC" explain E999 > /dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || { echo "explain E999: exit $rc, expected 2"; fail=1; }
"$CORSC" explain w107 > /dev/null 2>&1 || { echo "explain w107 (lower case) failed"; fail=1; }
echo "$n codes explained"
exit $fail
