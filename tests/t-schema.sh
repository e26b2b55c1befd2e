#!/bin/sh
# The JSON Schema of the YAML format (doc/corsc.schema.json) accepts every
# YAML example and rejects wrong types and unknown keys, checked with the
# jsonschema validator from Debian (python3-jsonschema, draft 2020-12).
# Then the schema and corsc itself judge one corpus (tests/schema/valid and
# invalid): both must accept every valid file and refuse every invalid one,
# since editors trust the schema and pipelines trust the tool.
set -u
: "${TOP:?}" "${CORSC:?}"
python3 -c 'import jsonschema, yaml' 2> /dev/null || { echo "python3-jsonschema or python3-yaml missing"; exit 77; }
python3 - "$TOP" <<'PY'
import glob, os, sys, json
import jsonschema, yaml
top = sys.argv[1]
schema = json.load(open(os.path.join(top, "doc/corsc.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
fail = 0
examples = sorted(glob.glob(os.path.join(top, "examples/*.yaml")) + glob.glob(os.path.join(top, "examples/*.yml")))
for f in examples:
    errs = list(v.iter_errors(yaml.safe_load(open(f))))
    if errs:
        fail = 1
        print("schema rejects", f, ":", errs[0].message)
bad = {
    "unknown key": "policies:\n  a:\n    origins: '*'\n    colour: blue\n",
    "no origins": "policies:\n  a:\n    methods: [GET]\n",
    "credentials string": "policies:\n  a:\n    origins: '*'\n    credentials: 'yes'\n",
    "bad duration": "policies:\n  a:\n    origins: '*'\n    max-age: 10 minutes\n",
    "bad name": "policies:\n  9a:\n    origins: '*'\n",
    "header with space": "policies:\n  a:\n    origins: '*'\n    allow-headers: ['X Y']\n",
    "empty list": "policies:\n  a:\n    origins: []\n",
    "top key": "policy:\n  a:\n    origins: '*'\n",
}
for name, text in bad.items():
    if not list(v.iter_errors(yaml.safe_load(text))):
        fail = 1
        print("schema accepts a bad file:", name)
print("%d examples valid, %d bad files rejected" % (len(examples), len(bad)))
sys.exit(1 if fail or not examples else 0)
PY
[ $? -eq 0 ] || exit 1

python3 - "$TOP" "$CORSC" <<'PY'
import glob, json, os, subprocess, sys
import jsonschema, yaml
top, corsc = sys.argv[1], sys.argv[2]
v = jsonschema.Draft202012Validator(json.load(open(os.path.join(top, "doc/corsc.schema.json"))))
fail = n = 0
for want in ("valid", "invalid"):
    files = sorted(glob.glob(os.path.join(top, "tests/schema", want, "*")))
    if not files:
        print("no files in tests/schema/" + want); fail = 1
    for f in files:
        n += 1
        schema_ok = not list(v.iter_errors(yaml.safe_load(open(f, encoding="utf-8"))))
        r = subprocess.run([corsc, "check", "--format", "yaml", f], capture_output=True, text=True)
        tool_ok = r.returncode == 0
        if r.returncode not in (0, 1):
            print("corsc check exit %d on %s: %s" % (r.returncode, f, r.stderr.strip())); fail = 1
        for who, ok in (("schema", schema_ok), ("corsc", tool_ok)):
            if ok != (want == "valid"):
                fail = 1
                print("%s %s %s" % (who, "accepts" if ok else "refuses", os.path.relpath(f, top)))
                if who == "corsc":
                    print(r.stderr.rstrip())
print("%d corpus files: schema and corsc agree" % n if not fail else "schema and corsc disagree")
sys.exit(fail)
PY
