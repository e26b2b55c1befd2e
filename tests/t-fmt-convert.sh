#!/bin/sh
# corsc fmt and corsc convert: fmt gives the canonical layout (golden file),
# keeps every comment, is idempotent, --check tells; convert both ways keeps
# the policies: `build -t json` gives the same bytes before and after.
set -u
: "${CORSC:?}" "${TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=1; }
json() { "$CORSC" build -t json "$@" 2> "$tmp/err" || { cat "$tmp/err"; echo "BUILD FAILED: $*"; }; }

# fmt: the golden layout, idempotence, --check, comments kept
"$CORSC" fmt "$TOP/tests/fmt/messy.cors" > "$tmp/messy.cors" || bad "fmt messy.cors failed"
diff -u "$TOP/tests/fmt/messy.expected" "$tmp/messy.cors" || bad "fmt output differs from tests/fmt/messy.expected"
"$CORSC" fmt "$tmp/messy.cors" > "$tmp/again.cors" && cmp -s "$tmp/messy.cors" "$tmp/again.cors" || bad "fmt is not idempotent"
"$CORSC" fmt --check "$tmp/messy.cors" || bad "fmt --check fails on formatted output"
"$CORSC" fmt --check "$TOP/tests/fmt/messy.cors" 2> /dev/null && bad "fmt --check passes an unformatted file"
[ "$(grep -c '#' "$TOP/tests/fmt/messy.cors")" = "$(grep -c '#' "$tmp/messy.cors")" ] || bad "fmt lost comments"
[ "$(json "$TOP/tests/fmt/messy.cors")" = "$(json "$tmp/messy.cors")" ] || bad "fmt changed the policies"
printf 'policy a { origins "https://a.example.com" ' | "$CORSC" fmt - > /dev/null 2>&1 && bad "fmt accepts a syntax error"
# blank lines between comment blocks, and "} # comment" on its brace's line
"$CORSC" fmt "$TOP/tests/fmt/comments.cors" > "$tmp/comments.cors" || bad "fmt comments.cors failed"
diff -u "$TOP/tests/fmt/comments.expected" "$tmp/comments.cors" || bad "fmt output differs from tests/fmt/comments.expected"
"$CORSC" fmt --check "$TOP/tests/fmt/comments.expected" || bad "fmt --check fails on comments.expected"

n=0
for f in "$TOP"/examples/*; do
	case $f in *.yaml|*.yml) other=dsl; ext=cors ;; *) other=yaml; ext=yaml ;; esac
	b=${f##*/}
	"$CORSC" convert --to $other "$f" > "$tmp/$b.$ext" || { bad "convert $b"; continue; }
	case $f in *.yaml|*.yml) back=yaml; bext=yaml ;; *) back=dsl; bext=cors ;; esac
	"$CORSC" convert --to $back "$tmp/$b.$ext" > "$tmp/$b.back.$bext" || { bad "convert back $b"; continue; }
	a=$(json "$f"); c=$(json "$tmp/$b.$ext"); d=$(json "$tmp/$b.back.$bext")
	[ -n "$a" ] && [ "$a" = "$c" ] && [ "$a" = "$d" ] || bad "round trip changes $b"
	case $f in *.cors)
		"$CORSC" fmt --check "$f" || bad "example $b is not in canonical layout" ;;
	esac
	n=$((n + 1))
done
"$CORSC" convert --to yaml "$TOP/tests/fmt/messy.cors" > "$tmp/m.yaml" || bad "convert messy"
[ "$(json "$TOP/tests/fmt/messy.cors")" = "$(json "$tmp/m.yaml")" ] || bad "convert messy.cors to yaml changes it"
"$CORSC" convert "$TOP/examples/spa-api.cors" > /dev/null 2>&1; [ $? -eq 2 ] || bad "convert without --to must exit 2"
echo "$n examples round-tripped"

# convert keeps every comment, in order, both ways; long lists one entry a line
comments() { grep -o '#.*' "$1" | grep -v '^#[^ ]*"' ; }
for f in "$TOP/tests/fmt/messy.cors" "$TOP/tests/fmt/comments.cors" "$TOP/tests/fmt/comments.yaml"; do
	b=${f##*/}
	case $f in *.yaml) to=dsl; ext=cors ;; *) to=yaml; ext=yaml ;; esac
	out="$tmp/c-$b.$ext"
	"$CORSC" convert --to $to "$f" > "$out" || { bad "convert $b"; continue; }
	[ "$(comments "$f" | sed 's/ *$//')" = "$(comments "$out")" ] ||
		{ bad "convert --to $to $b lost or moved comments"; diff -u "$f" "$out"; }
	[ "$(json "$f")" = "$(json "$out")" ] || bad "convert --to $to $b changes the policies"
done
{ printf 'policy many {\n    origins '; i=1; while [ $i -lt 40 ]; do printf '"https://host%d.example.com", ' $i; i=$((i + 1)); done
  printf '"https://last.example.com";\n}\n'; } > "$tmp/many.cors"
"$CORSC" convert --to yaml "$tmp/many.cors" > "$tmp/many.yaml" || bad "convert many.cors"
[ "$(awk 'length > 80' "$tmp/many.yaml" | wc -l)" -eq 0 ] || bad "convert --to yaml writes lines over 80 columns"
[ "$(json "$tmp/many.cors")" = "$(json "$tmp/many.yaml")" ] || bad "convert many.cors changes it"
[ $n -gt 0 ] && [ $fail -eq 0 ]
