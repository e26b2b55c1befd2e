#!/bin/sh
# --diagnostics sarif: the log validated by the SARIF validator the format's
# maintainers publish (@microsoft/sarif-multitool, its validate command;
# pinned in tests/sarif/package-lock.json, installed into build/npm/sarif
# when missing), and the fields GitHub code scanning reads checked against
# the JSON diagnostics of the same run.  A broken log must fail validation,
# so that the validator is known to be looking.
set -u
: "${CORSC:?}" "${TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=1; }

command -v npm > /dev/null || { echo "npm is not installed (.ci/deps test installs it)"; exit 1; }
. "$TOP/tests/npm-tools.sh"
tools=$(npm_tools sarif .bin/sarif-multitool) || { echo "cannot install the SARIF validator"; exit 1; }
# the package's postinstall would make the tool executable; scripts are not run
chmod u+x "$tools"/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool 2> /dev/null
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

# validate LOG...: run the validator once over the logs; fail on any error,
# and on any warning but SARIF2005 (corsc has no home page to give as the
# tool's informationUri).  The multitool passes a log it cannot read (a level
# "fatal") without a word, so each log must show up in its report (by that
# SARIF2005 warning), and each is also checked against the SARIF 2.1.0 schema
# that the same package ships (sarif-2.1.0.json), with python3-jsonschema.
schema=$tools/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json
[ -s "$schema" ] || { echo "the SARIF schema is missing from the multitool package: $schema"; exit 1; }
validate() {
	python3 - "$schema" "$@" <<'PY' || return 1
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.validators.validator_for(schema)(schema)
bad = 0
for f in sys.argv[2:]:
    for e in list(v.iter_errors(json.load(open(f))))[:10]:
        print("  schema: %s: %s: %s" % (f, "/".join(map(str, e.absolute_path)), e.message[:200]))
        bad = 1
sys.exit(bad)
PY
	rm -f "$tmp/val.sarif"
	(cd "$tmp" && timeout 600 "$tools/node_modules/.bin/sarif-multitool" validate "$@" \
		--output "$tmp/val.sarif") > "$tmp/val.log" 2>&1
	vrc=$?
	[ -s "$tmp/val.sarif" ] || { echo "validator wrote no report (exit $vrc):"; cat "$tmp/val.log"; return 1; }
	python3 - "$tmp/val.sarif" "$@" <<'PY'
import json, os, sys, urllib.parse
log = json.load(open(sys.argv[1]))
results = [r for run in log["runs"] for r in run.get("results", [])]
bad = [r for r in results
       if r.get("level", "warning") == "error"
       or (r.get("level", "warning") == "warning" and r["ruleId"] != "SARIF2005")]
for r in bad:
    print("  %s %s: %s" % (r.get("level", "warning"), r["ruleId"], r["message"].get("text", r["message"])))
read = set()
for r in results:
    if r["ruleId"] == "SARIF2005":
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        read.add(os.path.basename(urllib.parse.unquote(urllib.parse.urlparse(uri).path)))
unread = [f for f in sys.argv[2:] if os.path.basename(f) not in read]
for f in unread:
    print("  the validator did not read %s" % f)
sys.exit(1 if bad or unread else 0)
PY
}

# fields CODE-SCANNING reads, and the results equal to the JSON diagnostics
check_fields() {   # SARIF JSONL
	python3 - "$1" "$2" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
# every diagnostic; not the last line's note that the run was capped (code null)
diags = [d for d in (json.loads(l) for l in open(sys.argv[2]) if l.strip()) if d["code"] is not None]
assert log["version"] == "2.1.0"
assert len(log["runs"]) == 1
run = log["runs"][0]
drv = run["tool"]["driver"]
assert drv["name"] == "corsc" and drv["version"] and drv["semanticVersion"], drv
rules = drv["rules"]
ids = [r["id"] for r in rules]
import os, re
catalogue = re.findall(r'\{ "([EW][0-9]{3})", (?:ERR|WARN),', open(os.path.join(os.environ["TOP"], "compiler/rules.c")).read())
assert len(catalogue) >= 30 and len(ids) == len(set(ids)) and sorted(ids) == sorted(catalogue), (ids, catalogue)
for r in rules:
    for k in ("shortDescription", "fullDescription", "help"):
        assert r[k]["text"].strip(), (r["id"], k)
    assert len(r["shortDescription"]["text"]) <= 1024
    assert r["help"]["markdown"].strip()
    assert r["defaultConfiguration"]["level"] == ("error" if r["id"][0] == "E" else "warning"), r
res = run["results"]
assert len(res) == len(diags), (len(res), len(diags))
for x, d in zip(res, diags):
    assert x["ruleId"] == d["code"] and rules[x["ruleIndex"]]["id"] == d["code"], (x, d)
    assert x["level"] == d["severity"], (x, d)
    assert x["message"]["text"].startswith(d["message"])
    loc = x["locations"][0]["physicalLocation"]
    uri = loc["artifactLocation"]["uri"]
    assert not uri.startswith(("/", "file:")), "a relative input gives a relative uri: " + uri
    reg = loc["region"]
    assert (reg["startLine"], reg["startColumn"]) == (d["line"], d["column"]), (reg, d)
    assert reg["endLine"] > reg["startLine"] or reg["endColumn"] > reg["startColumn"], reg
    rel = x.get("relatedLocations", [])
    assert len(rel) == len(d.get("related", [])), (x, d)
    for a, b in zip(rel, d.get("related", [])):
        r = a["physicalLocation"]["region"]
        assert (r["startLine"], r["startColumn"]) == (b["line"], b["column"]) and a["message"]["text"] == b["message"]
print("%d results, %d with related locations" % (len(res), sum(1 for x in res if x.get("relatedLocations"))))
PY
}

# 1. the examples folder as one set (E004 for the policies written in both languages)
(cd "$TOP" && "$CORSC" check --diagnostics sarif --diagnostics-file "$tmp/examples.sarif" examples/)
rc=$?
[ $rc -eq 1 ] || bad "check examples/: exit $rc, want 1 (the same policies in both languages)"
(cd "$TOP" && "$CORSC" check --diagnostics json examples/ 2> "$tmp/examples.jsonl")
check_fields "$tmp/examples.sarif" "$tmp/examples.jsonl" || bad "examples/: SARIF fields"
grep -q '"relatedLocations"' "$tmp/examples.sarif" || bad "examples/: no related location for E004"

# 2. errors and warnings of every kind from the malformed corpus, with awkward names
mkdir "$tmp/m"
for f in "$TOP"/tests/malformed/*.cors; do
	b=${f##*/}
	cp "$f" "$tmp/m/${b%.cors} %,:#[].cors"
done
(cd "$tmp/m" && "$CORSC" check --diagnostics sarif . > /dev/null 2> "$tmp/m.sarif")
(cd "$tmp/m" && "$CORSC" check --diagnostics json . 2> "$tmp/m.jsonl")
check_fields "$tmp/m.sarif" "$tmp/m.jsonl" || bad "malformed corpus: SARIF fields"

# 3. a clean run: one log with no results; warnings under --werror are errors
"$CORSC" check --diagnostics sarif "$TOP/examples/spa-api.cors" 2> "$tmp/clean.sarif" || bad "clean run failed"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["runs"][0]["results"] == []' "$tmp/clean.sarif" ||
	bad "clean run: results not empty"
printf 'policy w {\n    origins "https://a.example.com";\n    expose-headers Content-Type;\n}\n' > "$tmp/w.cors"
"$CORSC" check --werror --diagnostics sarif "$tmp/w.cors" 2> "$tmp/w.sarif"
[ $? -eq 1 ] || bad "--werror with a warning: exit"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]; assert [x["level"] for x in r] == ["error"], r' "$tmp/w.sarif" ||
	bad "--werror: the warning is not an error in SARIF"

# 4. fix-its: no diagnostic of this corsc carries one yet, so the unit test of
#    the renderer writes its log (a replacement, a deletion, an insertion)
unit=$(dirname "$CORSC")/unit-tests
if [ -x "$unit" ]; then
	CORSC_TEST_SARIF_FIX=$tmp/fix.sarif "$unit" > "$tmp/unit.log" 2>&1 || { bad "unit tests"; tail -n 20 "$tmp/unit.log"; }
	grep -q '"fixes"' "$tmp/fix.sarif" || bad "fix-its: no fixes in the unit test's log"
else
	bad "no unit-tests beside $CORSC (make builds both)"
fi

# every log above through both validators, in one run of the multitool
validate "$tmp/examples.sarif" "$tmp/m.sarif" "$tmp/clean.sarif" "$tmp/w.sarif" "$tmp/fix.sarif" ||
	bad "the SARIF logs do not validate"

# 5. the validators are looking: a bad level fails the schema, a region that
#    ends before it starts (valid for the schema) fails the multitool
python3 - "$tmp/examples.sarif" "$tmp/broken1.sarif" "$tmp/broken2.sarif" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
log["runs"][0]["results"][0]["level"] = "fatal"
json.dump(log, open(sys.argv[2], "w"))
log = json.load(open(sys.argv[1]))
region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
region["startLine"], region["endLine"] = 5, 1
json.dump(log, open(sys.argv[3], "w"))
PY
validate "$tmp/broken1.sarif" > /dev/null && bad "a log with level 'fatal' passed validation"
python3 - "$schema" "$tmp/broken2.sarif" <<'PY' && bad "the schema alone catches the reversed region: the multitool case tests nothing"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
sys.exit(0 if list(jsonschema.validators.validator_for(schema)(schema).iter_errors(json.load(open(sys.argv[2])))) else 1)
PY
validate "$tmp/broken2.sarif" > /dev/null && bad "a region ending before its start passed the multitool"

[ $fail -eq 0 ] && echo "sarif: all logs valid"
exit $fail
