#!/usr/bin/env python3
"""Run the CI recipes of README.md and the hooks of .pre-commit-hooks.yaml
the way their services would, against a folder of policies, so that they
cannot rot.  Usage: run.py TOP CORSC WORKDIR.

- README `<!-- recipe: NAME -->` blocks: the GitHub Actions job (every `run:`
  step but the ones named "Install corsc", in bash -eo pipefail as the runner
  does, `if: always()` steps after a failure too), the GitLab CI job (its
  `script:` lines in one shell, stopping at the first failure as the runner
  does; `before_script:` installs jq and is not run), the example of GitHub
  output, and the pre-commit configuration (its hooks and `files:`).  The
  verify job runs against nginx on loopback (tests/e2e/harness.py) serving
  the policy's snippets, with STAGING_URL pointing there.  The
  Make rule is run by tests/docs/check_docs.py, with a real nginx -t.
- .pre-commit-hooks.yaml: the manifest's required keys, then each hook's
  `entry` run on the files its `files:` pattern selects, as pre-commit does
  (pre-commit itself is not installed here: it lives on PyPI).

Each recipe runs on a clean set of policies (it must pass and produce its
files) and on a broken one (it must fail, report the finding, and keep the
earlier output).  Exit status 1 on any failure.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import yaml

TOP, CORSC, WORK = sys.argv[1:4]
failures = []


def bad(msg):
    print("FAIL: " + msg)
    failures.append(msg)


def recipe(name):
    text = open(os.path.join(TOP, "README.md"), encoding="utf-8").read()
    m = re.search(r"<!-- recipe: %s -->\n```[a-z]*\n(.*?)\n```\n" % re.escape(name), text, re.S)
    if not m:
        raise SystemExit("README.md has no recipe '%s'" % name)
    return m.group(1) + "\n"


# corsc on the PATH, as the recipes expect
bindir = os.path.join(WORK, "bin")
os.makedirs(bindir, exist_ok=True)
os.symlink(CORSC, os.path.join(bindir, "corsc"))
ENV = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"])

GOOD = ["spa-api.cors", "public-assets.cors", "partners.yaml", "local-dev.cors"]
BROKEN = 'policy api {\n    origins "https://app.example.com";\n    expose-headers Content-Type;\n    methods get;\n}\n'


def workspace(name, broken=False):
    """A fresh checkout: policies/ from the examples, one file broken if asked."""
    ws = os.path.join(WORK, name)
    shutil.rmtree(ws, ignore_errors=True)
    os.makedirs(os.path.join(ws, "policies"))
    for f in GOOD:
        shutil.copy(os.path.join(TOP, "examples", f), os.path.join(ws, "policies", f))
    if broken:
        with open(os.path.join(ws, "policies", "spa-api.cors"), "w") as f:
            f.write(BROKEN)
    return ws


def sh(cmd, cwd, shell=("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"), env=None):
    return subprocess.run(list(shell) + [cmd], cwd=cwd, env=env or ENV,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)


def snapshot(d):
    out = {}
    for root, _, files in os.walk(d):
        for f in files:
            p = os.path.join(root, f)
            out[os.path.relpath(p, d)] = open(p, "rb").read()
    return out


# ---- the example of GitHub output ----
lines = recipe("github-output").splitlines()
ws = workspace("gh-output")
cat = lines.index("$ cat policies/api.cors")
run = next(i for i, l in enumerate(lines) if l.startswith("$ corsc"))
with open(os.path.join(ws, "policies", "api.cors"), "w") as f:
    f.write("\n".join(lines[cat + 1:run]) + "\n")
for g in GOOD:
    os.remove(os.path.join(ws, "policies", g))
r = sh(lines[run][2:], ws)
if r.stdout != "\n".join(lines[run + 1:]) + "\n":
    bad("README's GitHub output differs from corsc's:\n" + r.stdout)


# ---- GitHub Actions ----
def github_job(job, ws, override=None):
    """Run the steps of a job as the runner does; returns the failed step names.
    override: variables set over the job's env (as a repository variable would)."""
    failed = []
    env = dict(ENV, **{k: str(v) for k, v in job.get("env", {}).items()})
    env.update(override or {})
    for step in job["steps"]:
        if "run" not in step:
            if not step.get("uses"):
                bad("GitHub step without run or uses: %r" % step)
            continue
        name = step.get("name", step["run"])
        if name == "Install corsc":
            continue
        if failed and step.get("if") != "always()":
            continue
        if "corsc verify" in step["run"] and not (override and "STAGING_URL" in override):
            # it probes a deployed endpoint; nothing may leave loopback here
            bad("GitHub: the step '%s' would probe the README's URL" % name)
            continue
        r = sh(step["run"], ws, env=env)
        step_out[name] = r
        if r.returncode != 0:
            failed.append(name)
    return failed


wf = yaml.safe_load(recipe("github-actions"))
jobs = wf["jobs"]
if set(jobs) != {"cors", "verify"}:
    bad("GitHub: jobs %r" % sorted(jobs))
for j in jobs.values():
    if sum(1 for s in j["steps"] if s.get("name") == "Install corsc") != 1:
        bad("GitHub: a job without exactly one 'Install corsc' step")
step_out = {}
ws = workspace("gh")
failed = github_job(jobs["cors"], ws)
if failed:
    bad("GitHub: clean policies, failed steps %r: %s" % (failed, [step_out[f].stderr for f in failed]))
if not os.path.isfile(os.path.join(ws, "build/cors/nginx/cors-http.conf")):
    bad("GitHub: the build step wrote no nginx snippets")
log = json.load(open(os.path.join(ws, "corsc.sarif")))
if log["runs"][0]["results"] != []:
    bad("GitHub: clean policies gave SARIF results")

step_out = {}
ws = workspace("gh-broken", broken=True)
failed = github_job(jobs["cors"], ws)
if failed != ["Check the policies"]:
    bad("GitHub: broken policy, failed steps %r (want only the check)" % failed)
out = step_out.get("Check the policies")
if not out or not re.search(r"^::error file=policies/spa-api\.cors,line=4,col=13,.*title=E032::", out.stdout, re.M):
    bad("GitHub: no ::error annotation for the broken policy: %r" % (out.stdout if out else None))
log = json.load(open(os.path.join(ws, "corsc.sarif")))
codes = sorted(r["ruleId"] for r in log["runs"][0]["results"])
if codes != ["E032", "W101"]:
    bad("GitHub: SARIF results %r" % codes)
if os.path.exists(os.path.join(ws, "build")):
    bad("GitHub: a failed job built snippets")
# the verify job: its one command is shaped as corsc verify takes it (SPEC section 8)
vsteps = [s for s in jobs["verify"]["steps"] if "corsc verify" in s.get("run", "")]
if len(vsteps) != 1 or not re.fullmatch(r'corsc verify policies/\S+\.cors --policy \S+ "\$STAGING_URL" '
                                        r'--report junit > verify\.xml', vsteps[0]["run"].strip()):
    bad("GitHub: the verify step %r" % vsteps)

# ... and run against a deployment on loopback: nginx with the snippets of
# policies/api.cors in front of the test application (tests/e2e/harness.py),
# STAGING_URL pointing at it.  The step passes there, and fails once the
# policy in the repository no longer matches what is deployed.
sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
import harness  # noqa: E402

os.chmod(WORK, 0o755)   # the server's workers run unprivileged
procs = harness.Processes()
try:
    os.makedirs(os.path.join(WORK, "up"))
    up = harness.Upstream(procs, os.path.join(WORK, "up"))
    ws = workspace("gh-verify")
    shutil.copy(os.path.join(TOP, "examples", "spa-api.cors"), os.path.join(ws, "policies", "api.cors"))
    deployed = os.path.join(WORK, "deployed")
    names = [p["name"] for p in harness.corsc_build(CORSC, os.path.join(ws, "policies", "api.cors"), deployed)]
    sites = harness.plan_sites(names, ["outer"])
    harness.start_server("nginx", procs, os.path.join(WORK, "nginx"), deployed, names, sites, up.port)
    site = [x for x in sites if x.policy == "api"][0]
    url = {"STAGING_URL": "http://127.0.0.1:%d%s" % (site.port, site.prefix)}
    step_out = {}
    failed = github_job(jobs["verify"], ws, url)
    out = step_out.get("Verify the deployed endpoint")
    if failed or out is None:
        bad("GitHub verify job against the deployment: failed %r %s" % (failed, out.stderr if out else ""))
    else:
        suite = open(os.path.join(ws, "verify.xml")).read()
        if "<testsuite" not in suite or "<failure" in suite:
            bad("GitHub verify job: verify.xml is not a passing JUnit report:\n" + suite[:1000])
    # the policy in the repository allows another origin than the deployment
    with open(os.path.join(ws, "policies", "api.cors"), "w") as f:
        f.write('policy api {\n    origins "https://elsewhere.example.com";\n}\n')
    step_out = {}
    failed = github_job(jobs["verify"], ws, url)
    if failed != ["Verify the deployed endpoint"] or "<failure" not in open(os.path.join(ws, "verify.xml")).read():
        bad("GitHub verify job: a deployment that departs from the policy passed (%r)" % failed)
except harness.Fatal as e:
    bad("GitHub verify job: test bed: %s" % e)
finally:
    procs.stop_all()

# ---- GitLab CI ----
gl = yaml.safe_load(recipe("gitlab-ci"))["cors"]
if gl["artifacts"]["reports"]["codequality"] != "gl-code-quality-report.json":
    bad("GitLab: no codequality report")
if subprocess.run(["sh", "-c", "command -v jq"], stdout=subprocess.DEVNULL).returncode != 0:
    bad("GitLab: jq is not installed (.ci/deps test installs it)")


def gitlab(ws):
    # the runner feeds the script lines to one shell and stops at the first failure
    script = "set -e\n" + "\n".join(gl["script"]) + "\n"
    return sh(script, ws, shell=("bash", "-c"))


def codequality(ws):
    rep = json.load(open(os.path.join(ws, "gl-code-quality-report.json")))
    for i in rep:
        assert set(i) >= {"description", "check_name", "fingerprint", "severity", "location"}, i
        assert i["severity"] in ("info", "minor", "major", "critical", "blocker"), i
        assert isinstance(i["location"]["path"], str) and isinstance(i["location"]["lines"]["begin"], int), i
    assert len({i["fingerprint"] for i in rep}) == len(rep), "fingerprints not unique"
    return rep


ws = workspace("gl")
r = gitlab(ws)
if r.returncode != 0:
    bad("GitLab: clean policies failed: " + r.stderr)
elif codequality(ws) != []:
    bad("GitLab: clean policies gave Code Quality issues")
if not os.path.isfile(os.path.join(ws, "build/cors/caddy/cors.caddy")):
    bad("GitLab: the job built nothing")
ws = workspace("gl-broken", broken=True)
r = gitlab(ws)
if r.returncode == 0:
    bad("GitLab: the job passed with a broken policy")
rep = codequality(ws)
if sorted((i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in rep) != \
        [("E032", "major", "policies/spa-api.cors", 4), ("W101", "minor", "policies/spa-api.cors", 3)]:
    bad("GitLab: Code Quality report %r" % rep)
if os.path.exists(os.path.join(ws, "build")):
    bad("GitLab: a failed job built snippets")

# ---- pre-commit hooks ----
hooks = yaml.safe_load(open(os.path.join(TOP, ".pre-commit-hooks.yaml")))
ids = [h.get("id") for h in hooks]
if ids != ["corsc-check", "corsc-fmt"]:
    bad("pre-commit: hooks %r" % ids)
for h in hooks:
    missing = {"id", "name", "entry", "language"} - set(h)
    if missing:
        bad("pre-commit: %s lacks %s" % (h.get("id"), sorted(missing)))
    if h.get("language") != "system":
        bad("pre-commit: %s: language %r" % (h.get("id"), h.get("language")))


def run_hook(hook, ws, files):
    """As pre-commit: the files matching `files` (and not `exclude`), after the entry."""
    inc = re.compile(hook.get("files", ""))
    exc = re.compile(hook["exclude"]) if "exclude" in hook else None
    sel = [f for f in files if inc.search(f) and not (exc and exc.search(f))]
    before = snapshot(os.path.join(ws, "policies"))
    r = subprocess.run(shlex.split(hook["entry"]) + hook.get("args", []) + sel, cwd=ws, env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    changed = snapshot(os.path.join(ws, "policies")) != before
    # pre-commit fails a hook that exits non-zero or changes files
    return r, sel, r.returncode != 0 or changed


byid = {h["id"]: h for h in hooks}
ws = workspace("pc")
files = sorted("policies/" + f for f in GOOD) + ["README.md"]
r, sel, failed = run_hook(byid["corsc-check"], ws, files)
if failed or sel != ["policies/local-dev.cors", "policies/public-assets.cors", "policies/spa-api.cors"]:
    bad("pre-commit corsc-check, clean: failed=%s selected %r %s" % (failed, sel, r.stderr))
r, sel, failed = run_hook(byid["corsc-fmt"], ws, files)
if failed:
    bad("pre-commit corsc-fmt, clean: " + r.stderr)
ws = workspace("pc-broken", broken=True)
r, sel, failed = run_hook(byid["corsc-check"], ws, files)
if not failed or "policies/spa-api.cors:4:13: error[E032]" not in r.stderr:
    bad("pre-commit corsc-check, broken: failed=%s %s" % (failed, r.stderr))
with open(os.path.join(ws, "policies", "messy.cors"), "w") as f:
    f.write('policy messy{origins "https://m.example.com";}\n')
r, sel, failed = run_hook(byid["corsc-fmt"], ws, files + ["policies/messy.cors"])
if not failed or open(os.path.join(ws, "policies", "messy.cors")).read() != \
        'policy messy {\n    origins "https://m.example.com";\n}\n':
    bad("pre-commit corsc-fmt did not rewrite a messy file: " + r.stderr)

# the README's pre-commit configuration: hooks of this repository, a files:
# pattern that picks policies in both languages and nothing else
cfg = yaml.safe_load(recipe("pre-commit-config"))
used = [h for r in cfg["repos"] for h in r["hooks"]]
if sorted(h["id"] for h in used) != sorted(byid):
    bad("pre-commit config: hooks %r" % [h["id"] for h in used])
for h in used:
    pat = re.compile(h.get("files", byid[h["id"]]["files"]))
    picked = [f for f in ["policies/a.cors", "policies/b.yaml", "policies/c.yml", "README.md",
                          ".github/workflows/ci.yml", "other/x.cors"] if pat.search(f)]
    want = {"corsc-check": ["policies/a.cors", "policies/b.yaml", "policies/c.yml"],
            "corsc-fmt": ["policies/a.cors", "other/x.cors"]}[h["id"]]
    if picked != want:
        bad("pre-commit config: %s picks %r" % (h["id"], picked))

print("recipes: %d failures" % len(failures))
sys.exit(1 if failures else 0)
