#!/bin/sh
# t-cli.sh - the command line as people misuse it: options before the command,
# one dash for a long option, an option that swallows the next, standard output
# that cannot be written, long and non-UTF-8 file names, fmt on an empty or a
# CRLF file, the notice when JSON diagnostics are capped.
set -u
: "${CORSC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=1; }
# run CMD...: sets rc, out (stdout), err (stderr)
run() { "$@" > "$tmp/out" 2> "$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }

printf 'policy a {\n    origins "https://a.example.com";\n}\n' > "$tmp/ok.cors"
printf 'policy a {\n    origins "https://a.example.com";\n    expose-headers Content-Type;\n}\n' > "$tmp/warn.cors"

# global options before the command
run "$CORSC" --werror check "$tmp/ok.cors"; [ $rc -eq 0 ] || bad "--werror before check: exit $rc: $err"
run "$CORSC" --werror check "$tmp/warn.cors"; [ $rc -eq 1 ] || bad "--werror before check ignored: exit $rc"
run "$CORSC" --diagnostics json check "$tmp/warn.cors"
case $err in '{"code":"W101"'*) ;; *) bad "--diagnostics json before check: $err" ;; esac
run "$CORSC" -t nginx build "$tmp/ok.cors"
case $out in '# ==> nginx/cors-http.conf <=='*) ;; *) bad "-t nginx before build: exit $rc: $err" ;; esac
run "$CORSC" --format dsl eval - --policy a --origin https://a.example.com < "$tmp/ok.cors"
case $out in *"Access-Control-Allow-Origin: https://a.example.com"*) ;; *) bad "--format before eval: $err" ;; esac
run "$CORSC" --format dsl verify "$tmp/ok.cors" --policy a http://127.0.0.1:1/ --report json
[ $rc -eq 2 ] && case $err in *"connection refused"*) true ;; *) false ;; esac ||
	bad "an option before verify: exit $rc: $err"
run "$CORSC" --werror; [ $rc -eq 2 ] && case $err in *"no command given"*) true ;; *) false ;; esac ||
	bad "no command: exit $rc: $err"

# the long forms the completion offers: --target, --output
run "$CORSC" build --target nginx --output "$tmp/long-out" "$tmp/ok.cors"
[ $rc -eq 0 ] && [ -f "$tmp/long-out/nginx/cors-a.conf" ] && [ ! -d "$tmp/long-out/apache" ] ||
	bad "build --target nginx --output DIR: exit $rc: $err"

# a long option with one dash, an unknown short option in a cluster
run "$CORSC" check -werror "$tmp/ok.cors"
[ $rc -eq 2 ] && case $err in *"'-werror'"*"--werror"*) true ;; *) false ;; esac || bad "check -werror: exit $rc: $err"
run "$CORSC" check -wq "$tmp/ok.cors"
[ $rc -eq 2 ] && case $err in *"'-q' in '-wq'"*) true ;; *) false ;; esac || bad "check -wq: exit $rc: $err"
# an option that swallows the next one
run "$CORSC" build -o -t nginx "$tmp/ok.cors"
[ $rc -eq 2 ] && case $err in *"'-o' needs a value, not the option '-t'"*) true ;; *) false ;; esac ||
	bad "build -o -t: exit $rc: $err"
[ ! -e nginx ] && [ ! -e ./-t ] || bad "build -o -t wrote something"

# standard output that cannot be written is an I/O error (exit 2), for every command
if [ -w /dev/full ]; then
	for cmd in "--help" "--version" "explain E010" "check --diagnostics github $tmp/warn.cors" \
		"eval $tmp/ok.cors --policy a --origin https://a.example.com" \
		"build -t nginx $tmp/ok.cors" "fmt $tmp/ok.cors" "convert --to yaml $tmp/ok.cors"; do
		# shellcheck disable=SC2086
		"$CORSC" $cmd > /dev/full 2> "$tmp/err"; rc=$?
		[ $rc -eq 2 ] && grep -q "cannot write to standard output" "$tmp/err" ||
			bad "corsc $cmd > /dev/full: exit $rc: $(cat "$tmp/err")"
	done
else
	bad "/dev/full is missing: the write-failure cases cannot run"
fi

# fmt: an empty file is E001 as for check; a CRLF file keeps its line ends
: > "$tmp/empty.cors"
run "$CORSC" fmt "$tmp/empty.cors"
[ $rc -eq 1 ] && case $err in *"E001"*"no policy"*) true ;; *) false ;; esac || bad "fmt on an empty file: exit $rc: $err"
printf '# only a comment\n' > "$tmp/comment.cors"
run "$CORSC" fmt --check "$tmp/comment.cors"; [ $rc -eq 1 ] || bad "fmt --check on a comment-only file: exit $rc"
printf '# a Windows file\r\npolicy a {\r\n    origins "https://a.example.com";\r\n}\r\n' > "$tmp/crlf.cors"
run "$CORSC" fmt --check "$tmp/crlf.cors"; [ $rc -eq 0 ] || bad "fmt --check on a canonical CRLF file: exit $rc: $err"
printf 'policy a { origins "https://a.example.com"; }\r\n' > "$tmp/crlf2.cors"
"$CORSC" fmt "$tmp/crlf2.cors" > "$tmp/crlf2.out" || bad "fmt crlf2"
[ "$(tr -d '\r' < "$tmp/crlf2.out" | wc -l)" = "$(grep -c "$(printf '\r')\$" "$tmp/crlf2.out")" ] ||
	bad "fmt of a CRLF file does not end every line in CR LF"

# file names: long paths keep the reason, bytes that are not UTF-8 are shown as \xNN
long=$tmp/$(printf '%0300d' 0)/$(printf '%0250d' 0).cors
run "$CORSC" check "$long"
[ $rc -eq 2 ] && case $err in *"name too long"*|*"No such file"*) true ;; *) false ;; esac || bad "a long path lost its reason: $err"
odd=$(printf '%s/odd\377name.cors' "$tmp")
printf 'policy a { origins "https://a.example.com/"; }\n' > "$odd"
run "$CORSC" check "$odd"
case $err in *'odd\xFFname.cors:1:42: error[E010]'*) ;; *) bad "non-UTF-8 file name: $err" ;; esac

# JSON diagnostics over the cap end with a note that says how many more
{ echo 'policy a {'; i=0; while [ $i -lt 80 ]; do echo "    origins \"x$i\";"; i=$((i + 1)); done; echo '}'; } > "$tmp/many.cors"
run "$CORSC" check --diagnostics json "$tmp/many.cors"
last=$(printf '%s\n' "$err" | tail -n 1)
case $last in '{"code":null,"severity":"note","message":"too many diagnostics, '*'"dropped":'*) ;;
	*) bad "capped JSON diagnostics end without a note: $last" ;; esac
printf '%s\n' "$err" | python3 -c 'import sys, json; [json.loads(l) for l in sys.stdin]' || bad "capped JSON is not JSON lines"

[ $fail -eq 0 ] && echo "command line: all cases passed"
exit $fail
