#!/bin/sh
# Golden files: every example compiled for every target must give exactly the
# bytes under tests/golden/EXAMPLE/TARGET/.  `make golden` rewrites them
# (review the diff before committing).
set -eu
: "${CORSC:?}" "${TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0 n=0
# every target of the backend table, as corsc --help lists them
targets=$("$CORSC" --help | sed -n 's/^targets: \([^;]*\);.*/\1/p' | tr -d ,)
[ -n "$targets" ] || { echo "no targets line in corsc --help"; exit 1; }
for ex in "$TOP"/examples/*; do
	base=${ex##*/}
	g="$TOP/tests/golden/$base"
	for target in $targets; do
		[ -d "$g/$target" ] || { echo "missing golden files: tests/golden/$base/$target"; fail=1; continue; }
		out="$tmp/$base-$target"
		mkdir -p "$out"
		# run from the top so the input name in header comments is examples/NAME
		(cd "$TOP" && "$CORSC" build -t "$target" -o "$out" "examples/$base") || { echo "build failed: $base $target"; fail=1; continue; }
		if ! diff -r "$g/$target" "$out/$target" > "$tmp/diff"; then
			echo "golden mismatch: $base $target"; head -n 40 "$tmp/diff"; fail=1
		fi
		n=$((n + 1))
	done
done
echo "$n golden comparisons"
[ "$n" -gt 0 ] && [ $fail -eq 0 ]
