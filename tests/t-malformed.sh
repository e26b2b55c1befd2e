#!/bin/sh
# The malformed corpus: for every tests/malformed/NAME.expect, `corsc check`
# on NAME.cors (or NAME.yaml) must exit as the file says (`exit N`, default 1)
# and report every `CODE LINE:COL` it lists, in the text and the JSON
# diagnostics alike.  Also a 1 MB line, generated here rather than committed.
set -u
: "${CORSC:?}" "${TOP:?}"
command -v python3 > /dev/null || { echo "python3 is not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0 n=0

# check INPUT EXPECT: run both renderers, compare with the expectations
check() {
	input=$1 expect=$2
	name=${input#$TOP/}
	want_exit=$(sed -n 's/^exit \([0-9]*\)$/\1/p' "$expect")
	want_exit=${want_exit:-1}
	for mode in text json; do
		timeout 20 "$CORSC" check --diagnostics $mode "$input" > "$tmp/out" 2> "$tmp/err"
		rc=$?
		if [ $rc -ne "$want_exit" ]; then
			echo "FAIL $name ($mode): exit $rc, want $want_exit"
			sed 's/^/    /' "$tmp/err" | head -n 20
			fail=1
			continue
		fi
		grep -E '^[EW][0-9]{3} [0-9]+:[0-9]+$' "$expect" > "$tmp/want" || true
		if [ $mode = text ]; then
			while read -r code pos; do
				# FILE:LINE:COL: error[CODE] (the file name as given)
				grep -qF "$input:$pos: error[$code]" "$tmp/err" ||
				grep -qF "$input:$pos: warning[$code]" "$tmp/err" || {
					echo "FAIL $name (text): no $code at $pos in:"
					grep -E '^[^ ].*(error|warning)\[' "$tmp/err" | sed 's/^/    /' | head -n 20
					fail=1
				}
			done < "$tmp/want"
			# and nothing more: as many diagnostics as the .expect lists
			ngot=$(grep -cE '^[^ ].*:[0-9]+:[0-9]+: (error|warning)\[[EW][0-9]{3}\]' "$tmp/err")
			nwant=$(sort -u "$tmp/want" | wc -l)
			if [ "$ngot" -ne "$nwant" ]; then
				echo "FAIL $name (text): $ngot diagnostics, the .expect lists $nwant:"
				sed 's/^/    /' "$tmp/err" | head -n 20
				fail=1
			fi
		else
			# one python run checks every expectation against the JSON lines
			python3 -c '
import json, sys
want = [l.split() for l in open(sys.argv[1])]
got = set()
for raw in open(sys.argv[2], encoding="utf-8"):
    d = json.loads(raw)          # every line must be one JSON object
    if d["code"] is None and d["severity"] == "note" and "dropped" in d:
        continue                 # the last line when the list is cut (README)
    got.add("%s %s:%s" % (d["code"], d["line"], d["column"]))
wanted = set(c + " " + p for c, p in want)
missing = sorted(wanted - got)
extra = sorted(got - wanted)     # a diagnostic the .expect does not list is a failure too
for m in missing:
    print("no " + m)
for m in extra:
    print("unexpected " + m)
sys.exit(1 if missing or extra else 0)
' "$tmp/want" "$tmp/err" > "$tmp/missing" 2>&1 || {
				echo "FAIL $name (json):"
				sed 's/^/    /' "$tmp/missing" "$tmp/err" | head -n 20
				fail=1
			}
		fi
	done
	n=$((n + 1))
}

for expect in "$TOP"/tests/malformed/*.expect; do
	[ -e "$expect" ] || continue
	base=${expect%.expect}
	input= ninputs=0
	for ext in cors yaml yml; do
		[ -e "$base.$ext" ] && input=$base.$ext && ninputs=$((ninputs + 1))
	done
	if [ $ninputs -ne 1 ]; then
		echo "FAIL ${expect#$TOP/}: want exactly one NAME.cors, NAME.yaml or NAME.yml beside it, found $ninputs"
		fail=1
		continue
	fi
	check "$input" "$expect"
done

# A 1 MB line: a statement of 250,000 values, then one error at its end.
python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("policy api {\n    origins \"https://app.example.com\"; methods A" + ",B" * 250000 + " C;\n}\n")
' "$tmp/long-line.cors"
# "    origins "https://app.example.com"; methods A" is 48 characters
echo "E001 2:$((48 + 500000 + 2))" > "$tmp/long-line.expect"
check "$tmp/long-line.cors" "$tmp/long-line.expect"

echo "$n malformed inputs checked"
[ $n -ge 24 ] && [ $fail -eq 0 ]
