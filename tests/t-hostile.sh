#!/bin/sh
# Hostile input (tests/hostile/, outcomes in tests/hostile/MANIFEST): each
# refused input gives exit 1, an error with the expected code and place, and
# writes nothing; each accepted one builds, passes nginx -t / apache2 -t /
# caddy validate / haproxy -c and answers as corsc eval says (tests/hostile/servers.py).
# 10 MB strings are generated here, not committed.
set -u
: "${CORSC:?}" "${TOP:?}"
tmp=$(mktemp -d)
pid=
cleanup() {
	# servers.py stops every server it started, by process id
	if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' INT TERM HUP
fail=0 nref=0 nacc=0
accepted=

# refused FILE CODE LINE:COL
refused() {
	nref=$((nref + 1))
	rc=0
	timeout 60 "$CORSC" check --diagnostics json "$1" > /dev/null 2> "$tmp/err" || rc=$?
	if [ $rc -ne 1 ]; then
		echo "FAIL ${1##*/}: exit $rc, want 1 (refused $2 $3)"; head -c 600 "$tmp/err"; fail=1; return
	fi
	line=${3%:*} col=${3#*:}
	if ! python3 "$TOP/tests/diag-check.py" "$tmp/err" "$2" "$line:$col" > "$tmp/why"; then
		echo "FAIL ${1##*/}: $(cat "$tmp/why"):"; head -c 600 "$tmp/err"; echo; fail=1; return
	fi
	# nothing written: the output folder stays empty
	rm -rf "$tmp/o" && mkdir "$tmp/o"
	rc=0
	timeout 60 "$CORSC" build -t all -t json -o "$tmp/o" "$1" > /dev/null 2>&1 || rc=$?
	if [ $rc -ne 1 ] || [ -n "$(ls -A "$tmp/o")" ]; then
		echo "FAIL ${1##*/}: build exit $rc (want 1), or files written: $(ls -A "$tmp/o")"; fail=1
	fi
}

# accepted FILE: builds every target now; the servers see it below
accepted() {
	nacc=$((nacc + 1))
	rm -rf "$tmp/o" && mkdir "$tmp/o"
	rc=0
	timeout 60 "$CORSC" build -t all -t json -o "$tmp/o" "$1" > /dev/null 2> "$tmp/err" || rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL ${1##*/}: exit $rc, want 0 (accepted)"; head -c 600 "$tmp/err"; fail=1; return
	fi
	accepted="$accepted $1"
}

while read -r file outcome code at; do
	case $file in ''|'#'*) continue ;; esac
	f="$TOP/tests/hostile/$file"
	[ -e "$f" ] || { echo "FAIL $file: in MANIFEST, not in tests/hostile"; fail=1; continue; }
	case $outcome in
		accepted) accepted "$f" ;;
		refused) refused "$f" "$code" "$at" ;;
		*) echo "FAIL $file: unknown outcome '$outcome'"; fail=1 ;;
	esac
done < "$TOP/tests/hostile/MANIFEST"
# every input has an outcome
for f in "$TOP"/tests/hostile/*.cors "$TOP"/tests/hostile/*.yaml; do
	grep -q "^${f##*/} " "$TOP/tests/hostile/MANIFEST" || { echo "FAIL ${f##*/}: not in MANIFEST"; fail=1; }
done

# 10 MB strings in every position (generated)
python3 - "$tmp" <<'PY'
import sys
d, x = sys.argv[1], "x" * (10 * 1024 * 1024)
O = 'origins "https://app.example.com";'
files = {
    "big-origin.cors": 'policy a {\n    origins "https://%s";\n}\n' % x,
    "big-name.cors": "policy a%s {\n    %s\n}\n" % (x, O),
    "big-maxage.cors": "policy a {\n    %s\n    max-age %s;\n}\n" % (O, "9" * len(x)),
    "big-method.yaml": 'policies:\n  a:\n    origins: ["https://app.example.com"]\n    methods: ["%s"]\n' % ("M$" * (len(x) // 2)),
    "big-unterminated.cors": 'policy a {\n    origins "https://%s' % x,
    "big-comment.cors": "#%s\npolicy a {\n    %s\n}\n" % (x, O),
    "big-header.cors": 'policy a {\n    %s\n    allow-headers "X-%s";\n}\n' % (O, "$%`#" * (len(x) // 4)),
}
for name, text in files.items():
    with open("%s/%s" % (d, name), "w") as f:
        f.write(text)
PY
refused "$tmp/big-origin.cors" E010 2:22
refused "$tmp/big-name.cors" E001 1:8
refused "$tmp/big-maxage.cors" E033 3:13
refused "$tmp/big-unterminated.cors" E001 2:13
accepted "$tmp/big-comment.cors"
# Valid tokens, but longer than nginx can carry in 64 parameters: the nginx
# backend refuses them (exit 1, no location, nothing written).
for f in "$tmp/big-method.yaml" "$tmp/big-header.cors"; do
	nref=$((nref + 1))
	rm -rf "$tmp/o" && mkdir "$tmp/o"
	rc=0
	timeout 60 "$CORSC" build -o "$tmp/o" "$f" > /dev/null 2> "$tmp/err" || rc=$?
	if [ $rc -ne 1 ] || ! grep -q "nginx backend:.*longer than nginx can hold" "$tmp/err" || [ -n "$(ls -A "$tmp/o")" ]; then
		echo "FAIL ${f##*/}: exit $rc, want 1 and the nginx backend's refusal"; head -c 300 "$tmp/err"; fail=1
	fi
done
echo "$nref refused, $nacc accepted by corsc"

# the accepted ones on the real servers (HOSTILE_SERVERS=no: corsc alone,
# as make check-sanitize runs it)
if [ -n "$accepted" ] && [ "${HOSTILE_SERVERS:-yes}" != no ]; then
	# shellcheck disable=SC2086
	python3 "$TOP/tests/hostile/servers.py" --corsc "$CORSC" $accepted &
	pid=$!
	wait "$pid"
	rc=$?
	pid=
	case $rc in
		0) ;;
		77) [ $fail -eq 0 ] && exit 77 ;;
		*) fail=1 ;;
	esac
fi
[ $nref -ge 40 ] && [ $nacc -ge 20 ] || { echo "FAIL: corpus too small"; fail=1; }
exit $fail
