#!/bin/sh
# Editor support: the TextMate grammar (VS Code) tokenized as VS Code does,
# with vscode-textmate and vscode-oniguruma (pinned in
# tests/editors/package-lock.json, installed into build/npm/editors when
# missing), and the Vim syntax file read by Vim itself, on every example and
# a file of corner cases; the scopes of keywords, names, strings, origins,
# booleans and comments checked by tests/editors/expect.py.  Both are
# installed by make install.
set -u
: "${CORSC:?}" "${TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=1; }
command -v node > /dev/null && command -v npm > /dev/null ||
	{ echo "node and npm are not installed (.ci/deps test installs them)"; exit 1; }
command -v vim > /dev/null || { echo "vim is not installed (.ci/deps test installs it)"; exit 1; }

files="$TOP/examples/*.cors $TOP/tests/fmt/messy.cors $TOP/tests/editors/tricky.cors"

# ---- TextMate ----
. "$TOP/tests/npm-tools.sh"
tools=$(npm_tools editors vscode-textmate) || { echo "cannot install the TextMate tokenizer"; exit 1; }
cp "$TOP/tests/editors/tokenize.js" "$tools/tokenize.js"
grammar=$TOP/editors/vscode/syntaxes/cors.tmLanguage.json
# shellcheck disable=SC2086
node "$tools/tokenize.js" "$grammar" $files > "$tmp/tokens.json" || bad "tokenize failed"
python3 "$TOP/tests/editors/expect.py" textmate "$tmp/tokens.json" || bad "TextMate scopes"
# the extension's manifest points at the grammar and the language
python3 - "$TOP/editors/vscode" <<'PY' || bad "VS Code extension manifest"
import json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "package.json")))
c = m["contributes"]
assert c["languages"][0]["extensions"] == [".cors"]
g = c["grammars"][0]
assert g["scopeName"] == "source.cors" and g["language"] == c["languages"][0]["id"]
assert json.load(open(os.path.join(d, g["path"])))["scopeName"] == "source.cors"
json.load(open(os.path.join(d, c["languages"][0]["configuration"])))
PY
# the check can fail: without its origin rule the grammar must not pass
python3 - "$grammar" "$tmp/degraded.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
g["repository"]["origin"] = g["repository"]["string"]
json.dump(g, open(sys.argv[2], "w"))
PY
# shellcheck disable=SC2086
node "$tools/tokenize.js" "$tmp/degraded.json" $files > "$tmp/degraded-tokens.json" &&
	python3 "$TOP/tests/editors/expect.py" textmate "$tmp/degraded-tokens.json" > /dev/null &&
	bad "a grammar without origins passed the scope check"

# ---- Vim (the installed files, found through ftdetect as a user's Vim would) ----
make -s -C "$TOP" install DESTDIR="$tmp/dest" PREFIX=/opt/corsc > "$tmp/log" 2>&1 || { cat "$tmp/log"; bad "make install"; }
vimdir=$tmp/dest/opt/corsc/share/vim/vimfiles
for f in syntax/cors.vim ftdetect/cors.vim; do
	[ -f "$vimdir/$f" ] || bad "not installed: vim $f"
done
for f in package.json language-configuration.json syntaxes/cors.tmLanguage.json; do
	cmp -s "$tmp/dest/opt/corsc/share/corsc/vscode/$f" "$TOP/editors/vscode/$f" || bad "not installed: vscode $f"
done
n=0 pairs=
for f in $files; do
	n=$((n + 1))
	cp "$f" "$tmp/in$n.cors"
	timeout 60 vim -u NONE -i NONE -N -Es --cmd "set rtp^=$vimdir" --cmd 'filetype on' --cmd 'syntax on' \
		-c "let g:dump_to='$tmp/vim$n.out'" -c "source $TOP/tests/editors/vim-dump.vim" -c 'qa!' \
		"$tmp/in$n.cors" < /dev/null > /dev/null 2>&1
	[ -s "$tmp/vim$n.out" ] || bad "vim wrote nothing for $f"
	pairs="$pairs $tmp/in$n.cors $tmp/vim$n.out"
done
# shellcheck disable=SC2086
python3 "$TOP/tests/editors/expect.py" vim $pairs || bad "Vim scopes"
# a .cors file that Vim does not recognize has no syntax: the check can fail
printf 'policy x { origins *; }\n' > "$tmp/plain.txt"
vim -u NONE -i NONE -N -Es --cmd "set rtp^=$vimdir" --cmd 'filetype on' --cmd 'syntax on' \
	-c "let g:dump_to='$tmp/plain.out'" -c "source $TOP/tests/editors/vim-dump.vim" -c 'qa!' \
	"$tmp/plain.txt" < /dev/null > /dev/null 2>&1
grep -q corsPolicy "$tmp/plain.out" && bad "Vim highlighted a .txt file as a policy"
# the README's two lines that hand the extension to VS Code, against an
# installation with PREFIX=/usr/local under DESTDIR and a home of our own
make -s -C "$TOP" install DESTDIR="$tmp/dest" PREFIX=/usr/local > "$tmp/log" 2>&1 || { cat "$tmp/log"; bad "make install"; }
python3 - "$TOP/README.md" > "$tmp/link.sh" <<'PY'
import re, sys
m = re.search(r"<!-- recipe: vscode-link -->\n```sh\n(.*?)```", open(sys.argv[1]).read(), re.S)
print(m.group(1) if m else "false")
PY
mkdir "$tmp/home"
sed "s|/usr/local|$tmp/dest/usr/local|g" "$tmp/link.sh" | HOME=$tmp/home sh -e || bad "the README's VS Code lines fail"
ext=$(find "$tmp/home/.vscode/extensions" -mindepth 1 -maxdepth 1 2>/dev/null)
[ -n "$ext" ] && [ -f "$ext/package.json" ] && [ -f "$ext/syntaxes/cors.tmLanguage.json" ] ||
	bad "the README's VS Code lines do not give VS Code the extension: '$ext'"
make -s -C "$TOP" uninstall DESTDIR="$tmp/dest" PREFIX=/usr/local > /dev/null 2>&1 || bad "make uninstall"
make -s -C "$TOP" uninstall DESTDIR="$tmp/dest" PREFIX=/opt/corsc > /dev/null 2>&1 || bad "make uninstall"
[ -z "$(find "$tmp/dest" -type f)" ] || bad "left after uninstall: $(find "$tmp/dest" -type f)"

[ $fail -eq 0 ] && echo "editors: TextMate and Vim scopes as expected in $n files"
exit $fail
