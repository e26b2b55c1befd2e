#!/bin/sh
# The build itself: with many jobs (make -j8) bison and flex each run once for
# the two files they write (grouped targets, GNU make 4.3 '&:'), never twice
# at once on the same files.  make -n lists the recipes make would run.
set -u
: "${TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
b="$tmp/build"
make -n -j8 -C "$TOP" BUILD="$b" "$b/grammar/parser.c" "$b/grammar/parser.h" \
	"$b/grammar/lexer.c" "$b/grammar/lexer.h" > "$tmp/plan" 2>&1 || { cat "$tmp/plan"; exit 1; }
nb=$(grep -c '^bison ' "$tmp/plan")
nf=$(grep -c '^flex ' "$tmp/plan")
[ "$nb" -eq 1 ] || { echo "bison would run $nb times:"; grep '^bison ' "$tmp/plan"; fail=1; }
[ "$nf" -eq 1 ] || { echo "flex would run $nf times:"; grep '^flex ' "$tmp/plan"; fail=1; }
# and the real thing: a parallel build from nothing gives a working corsc
make -s -j8 -C "$TOP" BUILD="$b" "$b/grammar/parser.o" "$b/grammar/lexer.o" > "$tmp/log" 2>&1 ||
	{ echo "make -j8 of the grammar failed:"; tail -n 20 "$tmp/log"; fail=1; }
[ $fail -eq 0 ] && echo "grammar: bison once, flex once, parallel build ok"
exit $fail
