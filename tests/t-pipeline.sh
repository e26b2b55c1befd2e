#!/bin/sh
# Pipelines (SPEC section 4): several FILEs and directories as one set of
# policies, in byte order of their paths whatever the order given; E004
# across files located at both; fmt over many files (--check, -w); GitHub
# workflow commands read back as the runner reads them, with hostile file
# names and messages; --diagnostics-file written all or nothing.
set -u
: "${CORSC:?}" "${TOP:?}"
command -v python3 > /dev/null || { echo "python3 is not installed"; exit 1; }
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# ---- a tree of policy files ----
d=$tmp/pol
mkdir -p "$d/sub/deeper" "$d/.hidden" "$d/B"
printf 'policy api {\n    origins "https://app.example.com";\n    methods GET, POST;\n}\n' > "$d/api.cors"
printf 'policies:\n  assets:\n    origins: "*"\n' > "$d/sub/assets.YAML"
printf 'policies:\n  partners:\n    origins: ["https://p.example.net"]\n' > "$d/sub/deeper/partners.yml"
printf 'policy upper { origins "https://u.example.com"; }\n' > "$d/B/Upper.CORS"
printf 'policy hidden { origins *; }\n' > "$d/.hidden/h.cors"     # skipped: hidden folder
printf 'not a policy\n' > "$d/README.md"                          # skipped: not a policy file
printf '{"policies": {"x": {"origins": "*"}}}\n' > "$d/x.json"    # skipped in a walk (.json only when named)

"$CORSC" check "$d" 2> "$tmp/err" || bad "check of a folder: $(cat "$tmp/err")"
"$CORSC" build -t json "$d" > "$tmp/json" 2> "$tmp/err" || bad "build of a folder: $(cat "$tmp/err")"
# the policies in byte order of their paths: B/Upper.CORS, api.cors, sub/assets.YAML, sub/deeper/partners.yml
names=$(python3 -c 'import json,sys; t=open(sys.argv[1]).read(); t=t[t.index("\n")+1:]; print(" ".join(p["name"] for p in json.loads(t)["policies"]))' "$tmp/json")
[ "$names" = "upper api assets partners" ] || bad "policies of a folder, in path order: got '$names'"

# the same bytes whatever the order the files are given in
mkdir "$tmp/o1" "$tmp/o2"
(cd "$d" && "$CORSC" build -t all -t json -o "$tmp/o1" api.cors sub/assets.YAML B/Upper.CORS sub/deeper/partners.yml) || bad "build o1"
(cd "$d" && "$CORSC" build -t all -t json -o "$tmp/o2" sub/deeper/partners.yml B/Upper.CORS sub/assets.YAML api.cors) || bad "build o2"
diff -r "$tmp/o1" "$tmp/o2" > /dev/null || bad "the output depends on the order of the files given"
# each generated file's header names the inputs, sorted
grep -q "from B/Upper.CORS, api.cors, sub/assets.YAML, sub/deeper/partners.yml; do not edit" "$tmp/o1/nginx/cors-api.conf" ||
	bad "nginx header does not name the inputs: $(head -n 1 "$tmp/o1/nginx/cors-api.conf")"
for f in "$tmp"/o1/apache/cors-api.conf "$tmp"/o1/caddy/cors.caddy; do
	grep -q "B/Upper.CORS, api.cors, sub/assets.YAML, sub/deeper/partners.yml" "$f" || bad "header of ${f#$tmp/o1/} does not name the inputs"
done
# a file given twice (by itself and in its folder) is read once
"$CORSC" check "$d" "$d/api.cors" "$d/./api.cors" 2> "$tmp/err" || bad "a file given twice: $(cat "$tmp/err")"
# .json named on the command line is YAML
"$CORSC" check "$d/x.json" 2> "$tmp/err" || bad ".json is YAML: $(cat "$tmp/err")"
# standard input among files
printf 'policy stdin { origins *; }\n' | "$CORSC" check --format dsl - "$d/api.cors" 2> "$tmp/err" || bad "stdin with a file: $(cat "$tmp/err")"
# a folder without policy files, a missing operand: exit 2 naming it
mkdir "$tmp/empty"
"$CORSC" check "$tmp/empty" 2> "$tmp/err"
[ $? -eq 2 ] && grep -q "no .cors, .yaml or .yml file under '$tmp/empty'" "$tmp/err" || bad "empty folder: $(cat "$tmp/err")"
"$CORSC" check "$d" "$tmp/missing.cors" 2> "$tmp/err"
[ $? -eq 2 ] && grep -q "missing.cors" "$tmp/err" || bad "missing operand: $(cat "$tmp/err")"
"$CORSC" eval "$d/api.cors" "$d/api.cors" --policy api --origin https://app.example.com > /dev/null 2>&1
[ $? -eq 2 ] || bad "eval takes one FILE"

# ---- E004 across files, located at both, whatever the order ----
printf 'policies:\n  other:\n    origins: "*"\n  API:\n    origins: "*"\n' > "$tmp/dup.yaml"
for order in "$d/api.cors $tmp/dup.yaml" "$tmp/dup.yaml $d/api.cors"; do
	# shellcheck disable=SC2086
	"$CORSC" check $order 2> "$tmp/err"
	rc=$?
	[ $rc -eq 1 ] || bad "E004 across files: exit $rc"
	# $tmp/dup.yaml sorts before $tmp/pol/api.cors, so it is read first
	printf '%s\n' "$d/api.cors:1:8: error[E004]: policy name 'api' is already used" \
		"policy api {" "       ^~~" "$tmp/dup.yaml:4:3: note: policy 'API' is first defined here" \
		"  API:" "  ^~~" > "$tmp/want"
	head -n 6 "$tmp/err" | cmp -s - "$tmp/want" || { bad "E004 across files ($order), text:"; cat "$tmp/err"; }
	# shellcheck disable=SC2086
	"$CORSC" check --diagnostics json $order 2> "$tmp/err"
	python3 - "$tmp/err" "$d/api.cors" "$tmp/dup.yaml" <<'PY' || bad "E004 across files, json"
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
assert len(d) == 1, d
d = d[0]
assert (d["code"], d["file"], d["line"], d["column"]) == ("E004", sys.argv[2], 1, 8), d
r = d["related"]
assert [(x["file"], x["line"], x["column"], x["length"]) for x in r] == [(sys.argv[3], 4, 3, 3)], r
PY
done
# a file that is not written on E004
mkdir "$tmp/o3"
"$CORSC" build -o "$tmp/o3" "$d/api.cors" "$tmp/dup.yaml" 2> /dev/null
[ $? -eq 1 ] && [ -z "$(ls -A "$tmp/o3")" ] || bad "a build with E004 across files wrote files"

# ---- fmt over many files ----
f=$tmp/fmt
mkdir -p "$f/x"
printf 'policy a{origins "https://a.example.com";}\n' > "$f/a.cors"
printf 'policy b {\n    origins "https://b.example.com";\n}\n' > "$f/x/b.cors"
printf 'policies:\n  y:\n    origins: "*"\n' > "$f/y.yaml"       # not the policy language: skipped in a walk
"$CORSC" fmt "$f" > "$tmp/fmt.out" 2> "$tmp/err" || bad "fmt of a folder: $(cat "$tmp/err")"
printf '%s\n' "# ==> $f/a.cors <==" "policy a {" '    origins "https://a.example.com";' "}" \
	"# ==> $f/x/b.cors <==" "policy b {" '    origins "https://b.example.com";' "}" > "$tmp/want"
cmp -s "$tmp/fmt.out" "$tmp/want" || { bad "fmt of a folder:"; diff "$tmp/want" "$tmp/fmt.out"; }
"$CORSC" fmt --check "$f" 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "a.cors is not in canonical layout" "$tmp/err" && ! grep -q "b.cors" "$tmp/err" ||
	bad "fmt --check of a folder: $(cat "$tmp/err")"
cp "$f/x/b.cors" "$tmp/b.before"
chmod 640 "$f/a.cors"
"$CORSC" fmt -w "$f" 2> "$tmp/err" || bad "fmt -w: $(cat "$tmp/err")"
"$CORSC" fmt --check "$f" 2> "$tmp/err" || bad "fmt --check after fmt -w: $(cat "$tmp/err")"
[ "$(stat -c %a "$f/a.cors")" = 640 ] || bad "fmt -w changed the file mode"
cmp -s "$f/x/b.cors" "$tmp/b.before" || bad "fmt -w changed a file already in layout"
[ -z "$(find "$f" -name '.*' -type f)" ] || bad "fmt -w left temporary files"
"$CORSC" fmt -w "$f/y.yaml" 2> /dev/null
[ $? -eq 2 ] || bad "fmt -w of a YAML file is a usage error"
printf 'policy broken { origins "https://a.example.com" }\n' > "$f/broken.cors"
cp "$f/broken.cors" "$tmp/broken.before"
"$CORSC" fmt -w "$f" 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "broken.cors:1:" "$tmp/err" || bad "fmt -w with a syntax error: $(cat "$tmp/err")"
cmp -s "$f/broken.cors" "$tmp/broken.before" || bad "fmt -w rewrote a file with a syntax error"
echo x | "$CORSC" fmt -w - 2> /dev/null
[ $? -eq 2 ] || bad "fmt -w - is a usage error"

# ---- GitHub workflow commands, read back as the runner does ----
# File names with the characters the runner treats specially, and a message
# that quotes input bytes (an unknown statement).
g=$tmp/gh
mkdir "$g"
nl='
'
for name in 'a,b.cors' 'c:d.cors' 'p%25q.cors' "new${nl}line.cors" 'sp ace.cors'; do
	printf 'policy p {\n    origins "https://x,y%%0A:z.example/";\n    expose-headers Content-Type;\n    zz%%0A%%25 1;\n}\n' > "$g/$name"
done
(cd "$g" && "$CORSC" check --diagnostics github -- *) > "$tmp/gh.out" 2> "$tmp/gh.err"
rc=$?
[ $rc -eq 1 ] || bad "github: exit $rc, want 1"
[ -s "$tmp/gh.err" ] && bad "github: standard error not empty: $(cat "$tmp/gh.err")"
(cd "$g" && "$CORSC" check --diagnostics json -- *) 2> "$tmp/gh.json"
python3 - "$tmp/gh.out" "$tmp/gh.json" <<'PY' || bad "github: workflow commands do not read back as the diagnostics"
import json, re, sys

def unescape_data(s):   # the runner: %0D, %0A, %25 in the message
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")

def unescape_prop(s):   # and also %3A, %2C in properties
    return (s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
             .replace("%2C", ",").replace("%25", "%"))

lines = open(sys.argv[1], "rb").read().decode().split("\n")
assert lines[-1] == "", "output does not end with a newline"
cmds = []
for l in lines[:-1]:
    m = re.fullmatch(r"::(error|warning) ([^:]*)::(.*)", l)
    assert m, "not a workflow command: %r" % l
    props = {}
    for kv in m.group(2).split(","):
        k, v = kv.split("=", 1)
        props[k] = unescape_prop(v)
    cmds.append((m.group(1), props, unescape_data(m.group(3))))
diags = [json.loads(l) for l in open(sys.argv[2])]
# three in each file, and E004 (the same policy name) in the four files read after the first
assert len(cmds) == len(diags) == 5 * 3 + 4, (len(cmds), len(diags))
for (sev, props, msg), d in zip(cmds, diags):
    assert sev == d["severity"], (sev, d)
    assert props["file"] == d["file"], (props, d["file"])
    assert props["title"] == d["code"]
    assert int(props["line"]) == d["line"] and int(props["col"]) == d["column"], (props, d)
    assert int(props["endColumn"]) == d["column"] + d["length"], (props, d)
    want = d["message"] + ("\nnote: " + d["note"] if "note" in d else "")
    for r in d.get("related", []):
        want += "\n%s:%d:%d: %s" % (r["file"], r["line"], r["column"], r["message"])
    assert msg == want, (msg, want)
names = sorted({p["file"] for _, p, _ in cmds})
assert names == sorted(["a,b.cors", "c:d.cors", "p%25q.cors", "new\nline.cors", "sp ace.cors"]), names
assert any(d["code"] == "E002" and "'zz%0A%25'" in d["message"] for d in diags), "E002 message"
assert any(d["code"] == "E010" and "x,y%0A:z" in d["message"] for d in diags), "E010 message"
PY
# a warning and an error from one file, and --werror turns warnings into ::error
printf 'policy p {\n    origins "https://a.example.com";\n    expose-headers Content-Type;\n    methods get;\n}\n' > "$tmp/ew.cors"
"$CORSC" check --diagnostics github "$tmp/ew.cors" > "$tmp/out" 2> /dev/null
grep -q "^::warning file=$tmp/ew.cors,line=3,col=20,endColumn=32,title=W101::" "$tmp/out" &&
	grep -q "^::error file=$tmp/ew.cors,line=4,col=13,endColumn=16,title=E032::" "$tmp/out" ||
	{ bad "github: one error and one warning"; cat "$tmp/out"; }
"$CORSC" check --werror --diagnostics github "$tmp/ew.cors" > "$tmp/out" 2> /dev/null
grep -q '^::warning' "$tmp/out" && bad "github --werror: a ::warning is left"

# ---- --diagnostics-file: there instead of standard error, all or nothing ----
"$CORSC" check --diagnostics json --diagnostics-file "$tmp/diag.json" "$tmp/ew.cors" > "$tmp/out" 2> "$tmp/err"
[ $? -eq 1 ] || bad "diagnostics-file: exit"
[ -s "$tmp/err" ] && bad "diagnostics-file: something on standard error: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && bad "diagnostics-file: something on standard output"
[ "$(wc -l < "$tmp/diag.json")" -eq 2 ] || bad "diagnostics-file: not the two diagnostics"
"$CORSC" check --diagnostics github --diagnostics-file "$tmp/diag.gh" "$tmp/ew.cors" > "$tmp/out" 2> /dev/null
[ -s "$tmp/out" ] && bad "diagnostics-file: github still on standard output"
grep -q '^::error' "$tmp/diag.gh" || bad "diagnostics-file: github not in the file"
# a clean run replaces an earlier file with an empty one (text) or an empty log (sarif)
"$CORSC" check --diagnostics-file "$tmp/diag.json" "$d/api.cors" || bad "diagnostics-file: clean run"
[ -e "$tmp/diag.json" ] && [ ! -s "$tmp/diag.json" ] || bad "diagnostics-file: a clean run left old diagnostics"
# a file that cannot be written: exit 2, the old file unchanged, no temporary file
echo old > "$tmp/keep"
mkdir "$tmp/ro" && echo old > "$tmp/ro/diag" && chmod 555 "$tmp/ro"
if [ "$(id -u)" != 0 ]; then
	"$CORSC" check --diagnostics-file "$tmp/ro/diag" "$tmp/ew.cors" 2> "$tmp/err"
	[ $? -eq 2 ] || bad "diagnostics-file in a read-only folder: exit"
	[ "$(cat "$tmp/ro/diag")" = old ] || bad "diagnostics-file: the old file changed"
fi
mkdir "$tmp/isdir"
"$CORSC" check --diagnostics-file "$tmp/isdir" "$tmp/ew.cors" 2> "$tmp/err"
[ $? -eq 2 ] && grep -q "isdir" "$tmp/err" || bad "diagnostics-file that is a folder: $(cat "$tmp/err")"
"$CORSC" check --diagnostics-file "$tmp/nofolder/diag" "$tmp/ew.cors" 2> "$tmp/err"
[ $? -eq 2 ] || bad "diagnostics-file in a missing folder: exit"
if command -v strace > /dev/null && strace -o /dev/null true 2> /dev/null; then
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o /dev/null -e trace=rename -e inject=rename:error=EIO \
		"$CORSC" check --diagnostics-file "$tmp/keep" "$tmp/ew.cors" 2> "$tmp/err"
	[ $? -eq 2 ] || bad "diagnostics-file with a failing rename: exit"
	[ "$(cat "$tmp/keep")" = old ] || bad "diagnostics-file: a failed write changed the old file"
	[ -z "$(find "$tmp" -maxdepth 1 -name '.keep.*')" ] || bad "diagnostics-file: temporary file left"
else
	echo "note: strace cannot run here; the failed-rename case is skipped"
fi

[ $fail -eq 0 ] && echo "pipeline: all cases passed"
exit $fail
