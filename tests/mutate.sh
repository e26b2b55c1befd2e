#!/bin/sh
# tests/mutate.sh PATCHES "t-a.sh t-b.sh ...": mutation testing (make mutate).
# Each "# mutant N: what" section of PATCHES is a one-line patch; it is
# applied alone to a copy of the tree (never to the tree itself), the copy is
# rebuilt, and the unit tests then the named shell tests run against it until
# one fails (the mutant is killed) or all pass (it survives).  A mutant that
# does not apply or compile is counted apart.  Prints the score and every
# survivor; exits 1 if any survived.  Not part of make check or CI.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
patches=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tests=${2:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/corsc-mutate.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
tree=$work/tree
mkdir -p "$tree" "$work/m"
(cd "$TOP" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$tree") || exit 1

# one file per mutant: m/N.patch, m/N.what
awk -v d="$work/m" '
	/^# mutant [0-9]+: / { n = $3; sub(":", "", n); f = d "/" n ".patch";
			       w = $0; sub(/^# mutant [0-9]+: /, "", w); print w > (d "/" n ".what"); next }
	f { print > f }' "$patches"
total=$(ls "$work/m" | grep -c '\.patch$')
[ "$total" -gt 0 ] || { echo "no mutants in $1"; exit 1; }

suite() {   # runs the suite in the copy; prints what failed first, exit 1 then
	if ! "$tree/build/unit-tests" > "$work/log" 2>&1; then echo "unit tests"; return 1; fi
	for t in $tests; do
		if ! CORSC="$tree/build/corsc" TESTS="$t" sh "$tree/tests/run-shell-tests" > "$work/log" 2>&1; then
			echo "$t"; return 1
		fi
	done
	return 0
}

echo "mutate: building the copy and running the suite without a mutant"
make -C "$tree" -j2 build/corsc build/unit-tests > "$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
if ! why=$(suite); then
	echo "mutate: the suite fails without any mutant ($why):"; tail -30 "$work/log"; exit 1
fi
killed=0 survived=0 broken=0 survivors=
for p in $(ls "$work/m"/*.patch | sort -t/ -k1 -V); do
	n=$(basename "$p" .patch)
	what=$(cat "$work/m/$n.what")
	if ! (cd "$tree" && patch -p1 --quiet --no-backup-if-mismatch < "$p") > /dev/null 2>&1; then
		echo "mutant $n: does not apply ($what)"; broken=$((broken + 1)); continue
	fi
	if ! make -C "$tree" -j2 build/corsc build/unit-tests > "$work/build.log" 2>&1; then
		echo "mutant $n: does not compile ($what)"; broken=$((broken + 1))
	elif why=$(suite); then
		echo "SURVIVED mutant $n: $what"; survived=$((survived + 1))
		survivors="$survivors
    $n: $what"
	else
		echo "mutant $n: killed by $why ($what)"; killed=$((killed + 1))
	fi
	(cd "$tree" && patch -p1 -R --quiet --no-backup-if-mismatch < "$p") > /dev/null 2>&1 ||
		{ echo "mutate: cannot take mutant $n back out"; exit 1; }
done
valid=$((killed + survived))
echo "mutation score: $killed of $valid killed ($((valid ? 100 * killed / valid : 0))%), $broken did not apply or compile"
[ -n "$survivors" ] && echo "survivors:$survivors"
[ $survived -eq 0 ]
