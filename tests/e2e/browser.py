#!/usr/bin/env python3
# Browser test: headless Chromium and Firefox ESR load pages from many .test
# origins (one page server) whose fetch() calls go to nginx, Apache and Caddy
# configured with corsc's output for browser.cors.in; each call must succeed
# or fail, and show exactly the response headers, as the policy says.  One
# scenario list for both engines: where an engine departs from the Fetch
# standard, the scenario records what that engine does (never skipped).
# Which response headers a script can read is what `corsc eval
# --response-header` says: the browsers check corsc's script's view.
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engines  # noqa: E402
import harness  # noqa: E402
from harness import Fatal, log  # noqa: E402

MIN_SCENARIOS = 30

# The page origins: key -> (host, which page-server port: "P" is the one in
# browser.cors, "Q" another one).
ORIGINS = {
    "A": ("app.example.test", "P"),               # strict's exact origin
    "A2": ("app.example.test", "Q"),              # same host, other port
    "T": ("acme.tenant.example.test", "P"),       # *.tenant
    "TT": ("a.b.tenant.example.test", "P"),       # two labels: not *.
    "TN": ("tenant.example.test", "P"),           # no label
    "TH": ("evil-tenant.example.test", "P"),      # suffix trick
    "D": ("x.y.deep.example.test", "Q"),          # **.deep with :*
    "D1": ("z.deep.example.test", "P"),           # **.deep, one label
    "E": ("evil.test", "P"),                      # unrelated site
    "ES": ("app.example.test.evil.test", "P"),    # suffix trick
}

POLICIES = ("strict", "tenants", "anyport", "open")
# Response headers the scripts read, with the value the application sends
# (x-request-id: rid-<scenario id>).
READ = {"x-request-id": None, "x-other": "other", "x-upstream-secret": "s3cret",
        "content-type": "text/plain", "set-cookie": "e2e_session=abc123; Path=/; SameSite=None"}

# Where an engine departs from the Fetch standard: the scenario's `ok` is the
# standard's answer, and these engines do otherwise (checked, not skipped).
AUTHZ_UNDER_STAR = {"chromium": dict(ok=True), "firefox": dict(ok=True)}


def scenarios():
    """Each: origin key, policy, method, status, request headers, credentials,
    whether the fetch succeeds by the standard (ok), and `engines`: what an
    engine does instead where it departs from the standard."""
    S = []

    def s(origin, policy, method="GET", status=200, headers=None, creds="omit", ok=True,
          engines=None):
        S.append(dict(origin=origin, policy=policy, method=method, status=status,
                      headers=headers or {}, creds=creds, ok=ok, engines=engines or {}))

    json_ct = {"Content-Type": "application/json"}
    # strict: exact origin, credentials, listed methods and headers
    s("A", "strict")
    s("A", "strict", creds="include")
    s("A", "strict", "POST", creds="include")                       # simple POST
    s("A", "strict", "PUT", headers=json_ct, creds="include")       # preflight
    s("A", "strict", "DELETE", creds="include")
    s("A", "strict", "PATCH", ok=False)                             # not listed
    s("A", "strict", headers={"X-Custom": "1"}, creds="include")
    s("A", "strict", headers={"X-Unlisted": "1"}, ok=False)
    s("A", "strict", headers={"Authorization": "Bearer x"}, ok=False)
    s("A", "strict", status=404, creds="include")                   # errors carry CORS too
    s("A", "strict", status=500)
    s("A", "strict", "PUT", status=500, headers={"X-Custom": "1"}, creds="include")
    s("A2", "strict", ok=False)                                     # other port
    s("E", "strict", ok=False)
    s("ES", "strict", ok=False)
    s("T", "strict", ok=False)
    # tenants: *.tenant (one label, exact port) and **.deep with any port; no credentials
    s("T", "tenants")
    s("T", "tenants", creds="include", ok=False)                    # no Allow-Credentials
    s("T", "tenants", "PUT", headers={"X-Tenant": "acme"})
    s("T", "tenants", "DELETE", ok=False)
    s("T", "tenants", status=500)
    s("T", "tenants", "POST", headers=json_ct, ok=False)            # Content-Type not allowed
    s("TT", "tenants", ok=False)
    s("TN", "tenants", ok=False)
    s("TH", "tenants", ok=False)
    s("D", "tenants")
    s("D", "tenants", "PUT", headers={"X-Tenant": "deep"})
    s("D1", "tenants", status=404)
    s("A", "tenants", ok=False)
    s("E", "tenants", ok=False)
    # anyport: http://app.example.test:* with credentials, no methods (only simple ones)
    s("A", "anyport", creds="include")
    s("A2", "anyport", creds="include")
    s("A2", "anyport", "POST", creds="include")
    s("A", "anyport", "PUT", ok=False)
    s("A", "anyport", headers={"X-Custom": "1"}, ok=False)          # no allow-headers
    s("ES", "anyport", ok=False)
    # open: origins *, methods *, allow-headers * (not Authorization), expose *
    s("E", "open")
    s("A", "open")
    s("E", "open", creds="include", ok=False)                       # * with credentials
    s("E", "open", "PUT", headers={"X-Anything": "1"})
    s("T", "open", "PATCH", status=404, headers={"X-Other-Thing": "2"})
    s("E", "open", "PUT", headers={"Content-Type": "application/json", "X-Anything": "1"})
    # Authorization under "allow-headers *": the Fetch standard says the
    # wildcard never covers it (W103); both engines let it through.
    s("E", "open", headers={"Authorization": "Bearer x"}, ok=False, engines=AUTHZ_UNDER_STAR)
    s("T", "open", "PUT", headers={"Authorization": "Bearer x", "X-Anything": "1"}, ok=False,
      engines=AUTHZ_UNDER_STAR)
    s("D", "open", "DELETE", status=500)
    return S


def expected_ok(sc, engine):
    return sc["engines"].get(engine, {}).get("ok", sc["ok"])


def script_views(corsc, pfile, ps, scen):
    """corsc eval --response-header for every (policy, origin) of the scenarios:
    {(policy, origin key): the "script" object of its JSON answer}."""
    views = {}
    for sc in scen:
        key = (sc["policy"], sc["origin"])
        if key in views:
            continue
        argv = [corsc, "eval", pfile, "--policy", sc["policy"], "--origin", ps.origin(sc["origin"]),
                "--diagnostics", "json"]
        for h in READ:
            argv += ["--response-header", h]
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            views[key] = json.loads(r.stdout)["script"]
        except (ValueError, KeyError, TypeError):
            raise Fatal("corsc eval gave no script's view (exit %d): %s\n%s%s"
                        % (r.returncode, " ".join(argv), r.stdout, r.stderr))
    return views


def expected_headers(view, sid):
    """What the script reads, by corsc eval: the value, or None (hidden)."""
    want = {}
    for h in view["headers"]:
        name = h["name"]
        if h["readable"]:
            want[name] = "rid-" + sid if name == "x-request-id" else READ[name]
        else:
            want[name] = None
    return want


# ---------------------------------------------------------------- pages

FRAME = """<!doctype html><meta charset="utf-8"><title>%(key)s</title><script>
const S = %(scen)s;
Promise.all(S.map(async (s) => {
  const r = {id: s.id};
  try {
    const resp = await fetch(s.url, s.init);
    r.ok = true; r.status = resp.status; r.headers = {};
    for (const h of s.read) r.headers[h] = resp.headers.get(h);
    await resp.text();
  } catch (e) {
    r.ok = false; r.error = e.name + ": " + e.message;
  }
  return r;
})).then((results) => {
  parent.postMessage({key: %(keyj)s, results}, "*");
});
</script>
"""

TOP = """<!doctype html><meta charset="utf-8"><title>e2e</title><body><script>
const RUN = %(run)s;
%(post)s
const FRAMES = %(frames)s;
const got = {};
let done = false;
function finish() {
  if (done) return;
  done = true;
  report(got);
}
addEventListener("message", (e) => {
  got[e.data.key] = e.data.results;
  if (Object.keys(got).length === FRAMES.length) finish();
});
for (const u of FRAMES) {
  const f = document.createElement("iframe");
  f.src = u;
  document.body.appendChild(f);
}
setTimeout(finish, 60000);
</script>
"""


def hosts():
    return sorted({h for h, _ in ORIGINS.values()} | {"api.example.test", "top.test"})


def origin_of(ps, key):
    host, which = ORIGINS[key]
    return "http://%s:%d" % (host, ps.ports[which])


def build_pages(ps, targets, scen, engine):
    """Register the pages of one engine's run for every (server, port) in
    targets: one frame per server and origin.  Returns (top URL, run id,
    {sid: (server, scenario)})."""
    frames, table = [], {}
    for server, api_port in targets:
        by_origin = {}
        for i, sc in enumerate(scen):
            sid = "%s-%s-%d" % (engine, server, i)
            table[sid] = (server, sc)
            init = {"method": sc["method"], "headers": sc["headers"], "credentials": sc["creds"],
                    "mode": "cors", "cache": "no-store"}
            if sc["method"] in ("POST", "PUT", "PATCH"):
                init["body"] = "x"
            url = "http://api.example.test:%d/p/%s/s%d?s=%s" % (api_port, sc["policy"], sc["status"], sid)
            by_origin.setdefault(sc["origin"], []).append({"id": sid, "url": url, "init": init,
                                                           "read": list(READ)})
        for key, items in sorted(by_origin.items()):
            path = "/%s/frame-%s-%s" % (engine, server, key)
            ps.pages[path] = FRAME % {"key": key, "keyj": json.dumps(server + "/" + key),
                                      "scen": json.dumps(items)}
            frames.append(ps.origin(key) + path)
    run = "browser-" + engine
    ps.pages["/%s/top" % engine] = TOP % {"frames": json.dumps(frames), "run": json.dumps(run),
                                          "post": engines.POST_JS}
    return "http://top.test:%d/%s/top" % (ps.ports["P"], engine), run, table


def check(table, results, views, engine):
    """Mismatches per server: {server: [text]}."""
    got = {}
    for key, items in results.items():
        for r in items:
            got[r["id"]] = r
    bad = {}
    for sid, (server, sc) in table.items():
        out = bad.setdefault(server, [])
        r = got.get(sid)
        desc = "%s from %s: %s %s/s%d headers=%s credentials=%s" % (
            sid, ORIGINS[sc["origin"]][0] + ":" + ORIGINS[sc["origin"]][1], sc["method"],
            sc["policy"], sc["status"], sc["headers"], sc["creds"])
        if r is None:
            out.append("%s: no result (the frame did not report)" % desc)
            continue
        ok = expected_ok(sc, engine)
        if not ok:
            if r["ok"]:
                out.append("%s: expected the fetch to be blocked%s, it succeeded (status %s, headers %s)"
                           % (desc, "" if ok == sc["ok"] else " (as %s does)" % engine,
                              r["status"], r["headers"]))
            elif not r["error"].startswith("TypeError"):
                out.append("%s: blocked, but with %s instead of a TypeError" % (desc, r["error"]))
            continue
        if not r["ok"]:
            out.append("%s: expected success, the fetch failed: %s" % (desc, r["error"]))
            continue
        if r["status"] != sc["status"]:
            out.append("%s: expected status %d, got %d" % (desc, sc["status"], r["status"]))
        view = views[(sc["policy"], sc["origin"])]
        # corsc eval's verdict on the actual response for this credentials mode
        creds = sc["creds"] == "include"
        verdict = view["response"] if creds == view["credentials"] else view["other_credentials"]["response"]
        if not verdict:
            out.append("%s: the fetch succeeded, but corsc eval --response-header says it is rejected"
                       % desc)
            continue
        want = expected_headers(view, sid)
        if r["headers"] != want:
            diffs = ["%s: corsc eval says %r, the script read %r" % (h, want[h], r["headers"].get(h))
                     for h in want if want[h] != r["headers"].get(h)]
            out.append("%s: visible headers differ: %s" % (desc, "; ".join(diffs)))
    return bad


def deviations(scen):
    """Lines naming every scenario where an engine departs from the standard."""
    out = []
    for sc in scen:
        for engine, d in sorted(sc["engines"].items()):
            if "ok" in d and d["ok"] != sc["ok"]:
                out.append("%s: %s %s/s%d headers=%s from %s: the standard says %s, %s does %s"
                           % (engine, sc["method"], sc["policy"], sc["status"], sc["headers"],
                              ORIGINS[sc["origin"]][0], "success" if sc["ok"] else "blocked",
                              engine, "success" if d["ok"] else "blocked"))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corsc", default=os.environ.get("CORSC"))
    ap.add_argument("--top", default=os.environ.get("TOP"))
    ap.add_argument("--tmp")
    ap.add_argument("--servers", default=",".join(harness.SERVERS))
    ap.add_argument("--engines", default=",".join(engines.ENGINES))
    args = ap.parse_args()
    if not args.corsc:
        log("need --corsc (or CORSC)")
        return 2
    wanted = [s for s in args.servers.split(",") if s]
    missing = [s for s in harness.missing_servers() if s in wanted]
    want_engines = [e for e in args.engines.split(",") if e]
    gone = [e for e in engines.missing_engines() if e in want_engines]
    if gone:
        # both are in .ci/deps: a missing engine is a failure, not a skip
        log("ERROR: %s not installed (.ci/deps test installs chromium and firefox-esr)"
            % ", ".join(gone))
        return 1
    servers = [s for s in wanted if s not in missing]
    scen = scenarios()
    if len(scen) < MIN_SCENARIOS:
        log("only %d scenarios (need %d)" % (len(scen), MIN_SCENARIOS))
        return 1

    tmp, own_tmp = harness.make_tmp(args.tmp, "corsc-e2e-browser.")
    procs = harness.Processes()
    ps = None
    t0 = time.time()
    nbad = 0
    try:
        upstream = harness.Upstream(procs, tmp)
        ps = engines.PageServer()
        ps.ports = {"P": ps.port_list[0], "Q": ps.port_list[1]}
        ps.origin = lambda key: origin_of(ps, key)
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "browser.cors.in")) as f:
            text = f.read().replace("@PORT@", str(ps.ports["P"]))
        pfile = os.path.join(tmp, "browser.cors")
        with open(pfile, "w") as f:
            f.write(text)
        outdir = os.path.join(tmp, "build")
        pols = {p["name"]: p for p in harness.corsc_build(args.corsc, pfile, outdir)}
        if set(pols) != set(POLICIES):
            raise Fatal("browser.cors.in gave policies %s, expected %s" % (sorted(pols), sorted(POLICIES)))
        views = script_views(args.corsc, pfile, ps, scen)
        brk = os.environ.get("E2E_BREAK", "")
        if brk:
            log("E2E_BREAK=%s: corsc's %s output was damaged on purpose"
                % (brk, harness.apply_break(brk, outdir)))
        # every server at once, one page load per engine for all of them
        targets, running = [], []
        try:
            for server in servers:
                sites = harness.plan_sites(list(pols), ["inner"])
                running.append(harness.start_server(server, procs, os.path.join(tmp, "srv-" + server),
                                                    outdir, pols, sites, upstream.port))
                targets.append((server, sites[0].port))
            results = {}
            for engine in want_engines:
                url, run, table = build_pages(ps, targets, scen, engine)
                t1 = time.time()
                got = engines.run_page(engine, procs, ps, os.path.join(tmp, "run-" + engine), url, run,
                                       hosts(), timeout=150)
                log("%s: %d scenarios from %d origins against %d servers (%.1fs)"
                    % (engines.version(engine), len(table), len({sc["origin"] for sc in scen}),
                       len(servers), time.time() - t1))
                results[engine] = (table, got)
        finally:
            for proc in running:
                procs.stop(proc)
        for engine in want_engines:
            table, got = results[engine]
            bad = check(table, got, views, engine)
            for server in servers:
                for b in bad.get(server, []):
                    log("MISMATCH %s %s %s" % (engine, server, b))
                nbad += len(bad.get(server, []))
                log("%-8s %-6s %d browser scenarios: %d mismatches"
                    % (engine, server, len(scen), len(bad.get(server, []))))
        for line in deviations(scen):
            log("expected per engine (departs from the standard): " + line)
        log("e2e-browser: %d scenarios x %d servers x %d engines, %d mismatches, %.1fs"
            % (len(scen), len(servers), len(want_engines), nbad, time.time() - t0))
        return harness.exit_status(nbad, missing, bool(servers))
    except Fatal as e:
        log("ERROR: %s" % e)
        return 1
    finally:
        procs.stop_all()
        if ps:
            ps.close()
        if own_tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
