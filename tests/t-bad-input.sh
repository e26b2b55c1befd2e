#!/bin/sh
# Input that is not a policy file at all: a missing file, a directory, an
# empty file, standard input.  Usage and I/O problems exit 2 with a message
# naming the file; standard input with --format dsl reads like a file.
set -u
: "${CORSC:?}" "${TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

expect_exit() {   # WANT WHAT: compare with $rc
	if [ "$rc" -ne "$1" ]; then
		echo "FAIL $2: exit $rc, want $1"; sed 's/^/    /' "$tmp/err" | head -n 10; fail=1
	fi
}

"$CORSC" check "$tmp/no-such.cors" > /dev/null 2> "$tmp/err"
rc=$?
expect_exit 2 "missing file"
grep -q "no-such.cors" "$tmp/err" || { echo "FAIL missing file: message does not name it"; cat "$tmp/err"; fail=1; }

mkdir "$tmp/dir.cors"
"$CORSC" check "$tmp/dir.cors" > /dev/null 2> "$tmp/err"
rc=$?
expect_exit 2 "directory"
grep -q "dir.cors" "$tmp/err" || { echo "FAIL directory: message does not name it"; cat "$tmp/err"; fail=1; }

# standard input needs --format
printf 'policy a { origins "https://a.example.com"; }\n' | "$CORSC" check - > /dev/null 2> "$tmp/err"
rc=$?
expect_exit 2 "standard input without --format"

# standard input with --format dsl: the same verdict and diagnostics as the file
for text in 'policy a { origins "https://a.example.com"; methods GET; }\n' \
	    'policy a {\n  methods ;\n}\n' \
	    'origins "x";\n'; do
	printf "$text" > "$tmp/in.cors"
	(cd "$tmp" && "$CORSC" check in.cors > /dev/null 2> "$tmp/err.file")
	rc_file=$?
	printf "$text" | "$CORSC" check --format dsl - > /dev/null 2> "$tmp/err"
	rc=$?
	expect_exit $rc_file "standard input: $text"
	sed 's/^in\.cors:/<stdin>:/' "$tmp/err.file" > "$tmp/err.want"
	cmp -s "$tmp/err.want" "$tmp/err" || {
		echo "FAIL standard input: diagnostics differ from the file's for: $text"
		diff "$tmp/err.want" "$tmp/err" | head -n 10; fail=1
	}
done
printf 'policy a {\n  methods ;\n}\n' | "$CORSC" check --format dsl - > /dev/null 2> "$tmp/err"
grep -qF '<stdin>:2:10: error[E001]' "$tmp/err" ||
	{ echo "FAIL standard input: no located error"; cat "$tmp/err"; fail=1; }

# an empty file, and one of comments only: an error (no policy), with a message
: > "$tmp/empty.cors"
printf '# nothing\n   # here\n' > "$tmp/comments.cors"
for f in empty comments; do
	"$CORSC" check "$tmp/$f.cors" > /dev/null 2> "$tmp/err"
	rc=$?
	if [ $rc -ne 1 ] && [ $rc -ne 2 ]; then
		echo "FAIL $f file: exit $rc, want 1 or 2"; fail=1
	fi
	[ -s "$tmp/err" ] || { echo "FAIL $f file: no message"; fail=1; }
done

[ $fail -eq 0 ] && echo "bad input: all good"
[ $fail -eq 0 ]
