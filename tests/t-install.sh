#!/bin/sh
# make install / uninstall into a temporary DESTDIR with PREFIX; the man pages
# render without warnings; bash completion completes commands, targets, codes.
set -u
: "${CORSC:?}" "${TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=1; }
make -s -C "$TOP" install DESTDIR="$tmp/dest" PREFIX=/opt/corsc > "$tmp/log" 2>&1 || { cat "$tmp/log"; bad "make install"; }
for f in bin/corsc share/man/man1/corsc.1 share/man/man5/corsc.cors.5 share/bash-completion/completions/corsc share/corsc/corsc.schema.json; do
	[ -f "$tmp/dest/opt/corsc/$f" ] || bad "not installed: $f"
done
"$tmp/dest/opt/corsc/bin/corsc" --version | grep -q '^corsc [0-9]' || bad "installed binary does not run"
if command -v man > /dev/null; then
	for m in man1/corsc.1 man5/corsc.cors.5; do
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$tmp/dest/opt/corsc/share/man/$m" 2>&1 > /dev/null)
		[ -z "$w" ] || bad "man page warnings for $m: $w"
	done
fi
# completion, with the two bash-completion helpers it uses stubbed; targets
# come from the installed corsc --help
out=$(PATH="$tmp/dest/opt/corsc/bin:$PATH" bash -c '
	_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
	_filedir() { COMPREPLY=(FILES); }
	complete() { :; }
	. "$1"
	try() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _corsc; echo "${COMPREPLY[*]}"; }
	try corsc b; try corsc build -t ng; try corsc explain e02; try corsc build --we
' _ "$tmp/dest/opt/corsc/share/bash-completion/completions/corsc")
expected="build
nginx
E020 E021 E022 E023 E024
--werror"
[ "$out" = "$expected" ] || bad "completion gave: $out"
make -s -C "$TOP" uninstall DESTDIR="$tmp/dest" PREFIX=/opt/corsc > /dev/null 2>&1 || bad "make uninstall"
left=$(find "$tmp/dest" -type f)
[ -z "$left" ] || bad "left after uninstall: $left"
[ $fail -eq 0 ] && echo "install, man pages, completion, uninstall: ok"
exit $fail
