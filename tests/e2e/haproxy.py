#!/usr/bin/env python3
# HAProxy beyond the differential test (tests/t-haproxy.sh):
# - `haproxy -c` on every example, both ways of attaching a policy (the named
#   defaults of haproxy/cors.cfg loaded with -f files and with a conf.d
#   folder; the fragments pasted in a frontend, a backend and a listen);
# - the version guard stops an older HAProxy with corsc's message;
# - HAProxy's own answers (503 with the backend down, deny, redirect, auth,
#   return) carry exactly what `corsc eval` says, in frontend and backend scope;
# - nothing leaks into sections that use no policy; the first section with
#   CORS rules owns the request (a frontend's policy over a backend's).
import argparse
import glob
import http.client
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Fatal, log  # noqa: E402

ALERT = "corsc: these CORS rules need HAProxy 2.5 or later"


def haproxy_check(files, what):
    r = subprocess.run([harness.binary("haproxy"), "-c"] + sum([["-f", f] for f in files], []),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout


def check_example(corsc, policy_file, tmp):
    """`haproxy -c` on one example, both ways; a list of failures."""
    bad = []
    out = os.path.join(tmp, "build")
    pols = harness.corsc_build(corsc, policy_file, out, targets=("haproxy", "json"))
    names = [p["name"] for p in pols]
    cfg = os.path.join(out, "haproxy", "cors.cfg")
    base = os.path.join(tmp, "base.cfg")
    with open(base, "w") as f:
        f.write(harness.HAPROXY_BASE)
    port = harness.free_port()
    site = ["backend app", "    server up 127.0.0.1:9", ""]
    for n in names:
        site += ["frontend fe-%s from cors-%s" % (n, n), "    bind 127.0.0.1:%d" % port,
                 "    default_backend app", ""]
        site += ["backend be-%s" % n] + harness.haproxy_fragment(out, n) + ["    server up 127.0.0.1:9", ""]
    n0 = names[0]
    site += ["listen li", "    bind 127.0.0.1:%d" % port] + harness.haproxy_fragment(out, n0)
    site += ["    server up 127.0.0.1:9", "", "frontend fe-frag", "    bind 127.0.0.1:%d" % port]
    site += harness.haproxy_fragment(out, n0) + ["    default_backend app", ""]
    site_cfg = os.path.join(tmp, "site.cfg")
    with open(site_cfg, "w") as f:
        f.write("\n".join(site) + "\n")
    rc, text = haproxy_check([base, cfg, site_cfg], "files")
    if rc != 0:
        bad.append("haproxy -c -f base.cfg -f cors.cfg -f site.cfg: exit %d\n%s" % (rc, text[-2000:]))
    # a conf.d folder: the fragments sit next to cors.cfg and are not loaded
    d = os.path.join(tmp, "conf.d")
    os.makedirs(d)
    shutil.copy(base, os.path.join(d, "10-base.cfg"))
    shutil.copy(cfg, os.path.join(d, "50-cors.cfg"))
    shutil.copy(site_cfg, os.path.join(d, "90-site.cfg"))
    for frag in glob.glob(os.path.join(out, "haproxy", "*.fragment")):
        shutil.copy(frag, d)
    rc, text = haproxy_check([d], "conf.d")
    if rc != 0:
        bad.append("haproxy -c -f conf.d/: exit %d\n%s" % (rc, text[-2000:]))
    # the version guard, as an HAProxy older than 2.5 would see it
    for path in [cfg, os.path.join(out, "haproxy", "cors-%s.fragment" % n0)]:
        with open(path) as f:
            text = f.read()
        if "version_before(2.5)" not in text:
            bad.append("%s: no version guard" % os.path.basename(path))
            continue
        old = os.path.join(tmp, "old-" + os.path.basename(path))
        with open(old, "w") as f:
            f.write(text.replace("version_before(2.5)", "version_before(99.0)"))
        if path.endswith(".fragment"):
            with open(old) as f:
                lines = ["    " + l.rstrip("\n") for l in f if not l.startswith("#")]
            with open(old, "w") as f:
                f.write("backend be-old\n" + "\n".join(lines) + "\n    server up 127.0.0.1:9\n")
        rc, text = haproxy_check([base, old], "old")
        if rc == 0 or ALERT not in text:
            bad.append("%s under an older HAProxy: exit %d, alert %s\n%s"
                       % (os.path.basename(path), rc, "given" if ALERT in text else "missing", text[-800:]))
    return bad


# ---------------------------------------------------------------- live answers

class Route:
    def __init__(self, name, port, path, policy, status, proxied):
        self.name, self.port, self.path, self.policy = name, port, path, policy
        self.status, self.proxied = status, proxied      # policy None: no CORS at all


def live(corsc, top, tmp, procs):
    pf = os.path.join(top, "tests", "haproxy", "own.cors")
    out = os.path.join(tmp, "build")
    harness.corsc_build(corsc, pf, out, targets=("haproxy", "json"))
    if os.environ.get("E2E_BREAK"):
        harness.apply_break(os.environ["E2E_BREAK"], out)
    up = harness.Upstream(procs, tmp)
    dead = harness.free_port()
    p_own, p_be, p_leak, p_pub = (harness.free_port() for _ in range(4))
    base = os.path.join(tmp, "base.cfg")
    with open(base, "w") as f:
        f.write(harness.HAPROXY_BASE)
    frag = lambda n: harness.haproxy_fragment(out, n)  # noqa: E731
    L = ["backend app", "    server up 127.0.0.1:%d" % up.port, "",
         "backend down", "    retries 0", "    server gone 127.0.0.1:%d" % dead, "",
         # frontend scope, named defaults: HAProxy's own answers
         "frontend fe-own from cors-api", "    bind 127.0.0.1:%d" % p_own,
         "    http-request deny if { path_beg /deny }",
         "    http-request redirect location /elsewhere if { path_beg /redir }",
         "    http-request auth realm corsc if { path_beg /auth }",
         "    http-request return status 200 content-type text/plain string ok if { path_beg /ret }",
         "    use_backend down if { path_beg /down }",
         "    use_backend be-other if { path_beg /owned }",
         "    default_backend app", "",
         # backend scope, fragments; the frontend has no policy
         "frontend fe-be", "    bind 127.0.0.1:%d" % p_be,
         "    use_backend be-other if { path_beg /other }",
         "    use_backend be-other-down if { path_beg /down }",
         "    default_backend app", "",
         "backend be-other"] + frag("other") + [
         "    http-request deny if { path_beg /other/deny }",
         "    server up 127.0.0.1:%d" % up.port, "",
         "backend be-other-down"] + frag("other") + [
         "    retries 0", "    server gone 127.0.0.1:%d" % dead, "",
         # origins *: a listen with the fragment
         "listen li-pub", "    bind 127.0.0.1:%d" % p_pub] + frag("pub") + [
         "    http-request deny if { path_beg /deny }",
         "    server up 127.0.0.1:%d" % up.port, "",
         # after cors.cfg, naming no defaults: no CORS rules may reach it
         "frontend fe-leak", "    bind 127.0.0.1:%d" % p_leak, "    default_backend app", ""]
    site = os.path.join(tmp, "site.cfg")
    with open(site, "w") as f:
        f.write("\n".join(L) + "\n")
    argv = [harness.binary("haproxy"), "-f", base, "-f", os.path.join(out, "haproxy", "cors.cfg"), "-f", site]
    rc, text = haproxy_check([base, os.path.join(out, "haproxy", "cors.cfg"), site], "live")
    if rc != 0:
        raise Fatal("haproxy -c failed:\n%s\n%s" % (text[-2000:], "\n".join(L)))
    log_path = os.path.join(tmp, "haproxy.out")
    proc = procs.start("haproxy", argv + ["-db"], log_path)
    for port in (p_own, p_be, p_leak, p_pub):
        harness.wait_port(port, proc, "haproxy", log_path)

    routes = [
        Route("app", p_own, "/x", "api", 200, True),
        Route("app 404", p_own, "/x/s404", "api", 404, True),
        Route("app 500", p_own, "/x/s500", "api", 500, True),
        Route("down 503", p_own, "/down", "api", 503, False),
        Route("deny 403", p_own, "/deny", "api", 403, False),
        Route("redirect 302", p_own, "/redir", "api", 302, False),
        Route("auth 401", p_own, "/auth", "api", 401, False),
        Route("return 200", p_own, "/ret", "api", 200, False),
        # the frontend's policy owns requests routed to a backend with another
        Route("frontend owns", p_own, "/owned", "api", 200, True),
        Route("backend app", p_be, "/other/x", "other", 200, True),
        Route("backend 500", p_be, "/other/s500", "other", 500, True),
        Route("backend deny", p_be, "/other/deny", "other", 403, False),
        Route("backend down", p_be, "/down", "other", 503, False),
        Route("no policy", p_be, "/x", None, 200, True),
        Route("any", p_pub, "/x", "pub", 200, True),
        Route("any deny", p_pub, "/deny", "pub", 403, False),
        Route("leak", p_leak, "/x", None, 200, True),
    ]
    origins = [None, "https://app.example.com", "https://a.tenants.example.com", "http://localhost:3000",
               "https://other.example.net", "https://evil.example", "https://app.example.com.evil.net"]
    failures, count = [], 0
    for rt in routes:
        for origin in origins:
            for kind in ("actual", "preflight", "pna"):
                count += 1
                bad = one(corsc, pf, rt, origin, kind)
                if bad:
                    failures.append("%s %s %s: %s" % (rt.name, origin, kind, "; ".join(bad)))
    # documented (README): a header name over 255 bytes is refused by HAProxy's
    # parser with a 400 that no rule sees, so it carries no CORS header
    count += 1
    c = http.client.HTTPConnection("127.0.0.1", p_own, timeout=20)
    c.request("GET", "/x", headers={"Origin": "https://app.example.com",
                                    "X" * (harness.HAPROXY_MAX_HEADER_NAME + 1): "v"})
    r = c.getresponse()
    r.read()
    if r.status != 400 or any(n.lower().startswith("access-control-") for n, _ in r.getheaders()):
        failures.append("long header name: status %d, headers %s (README: 400 without CORS headers)"
                        % (r.status, r.getheaders()))
    c.close()
    procs.stop(proc)
    return count, failures


def one(corsc, pf, rt, origin, kind):
    preflight = kind != "actual" and origin is not None
    h = {} if origin is None else {"Origin": origin}
    method = "GET"
    if kind != "actual":
        method = "OPTIONS"
        h["Access-Control-Request-Method"] = "PUT"
        if kind == "pna":
            h["Access-Control-Request-Private-Network"] = "true"
    c = http.client.HTTPConnection("127.0.0.1", rt.port, timeout=20)
    c.request(method, rt.path, headers=h)
    r = c.getresponse()
    body = r.read()
    items = r.getheaders()
    c.close()
    lower = [(n.lower(), v) for n, v in items]
    ac = [(n, v) for n, v in lower if n.startswith("access-control-")]
    vary = {t.strip().lower() for n, v in lower if n == "vary" for t in v.split(",") if t.strip()}
    upstream = any(n == "x-upstream" for n, _ in lower)
    bad = []
    if rt.policy is None:
        # untouched: the application's own headers, its status, preflights reach it
        if not upstream or r.status != rt.status:
            bad.append("status %d, upstream %s" % (r.status, upstream))
        if len(ac) != 7 or "origin" in vary:
            bad.append("a section without a policy was changed: %s vary %s" % (ac, sorted(vary)))
        return bad
    exp = harness.corsc_eval(corsc, pf, rt.policy, origin, "PUT" if kind != "actual" else "GET",
                             [], preflight, kind == "pna")
    want = {n.lower(): v for n, v in exp["headers"] if n.lower().startswith("access-control-")}
    names = [n for n, _ in ac]
    if len(set(names)) != len(names):
        bad.append("duplicated %s" % names)
    if dict(ac) != want:
        bad.append("headers %s, want %s" % (dict(ac), want))
    want_vary = any(n.lower() == "vary" and "origin" in v.lower() for n, v in exp["headers"])
    if ("origin" in vary) != want_vary:
        bad.append("vary %s, want Origin %s" % (sorted(vary), "in it" if want_vary else "absent"))
    if exp["preflight"]:
        if r.status != 204 or body or upstream:
            bad.append("preflight: status %d, body %r, reached the application %s" % (r.status, body[:40], upstream))
    else:
        if r.status != rt.status or upstream != rt.proxied:
            bad.append("status %d (want %d), reached the application %s" % (r.status, rt.status, upstream))
    return bad


def many_origins(corsc, tmp, procs):
    """3,000 exact origins (lines of -m str acls spread over djb2 buckets) and
    two patterns: every 29th origin is allowed, near misses are not, nor two
    Origin lines.  The policy's name holds a '-' (its variables' names end in
    'big.list')."""
    os.makedirs(tmp)
    pf = os.path.join(tmp, "big.cors")
    exact = ["https://o%d.big.example" % i for i in range(3000)]
    with open(pf, "w") as f:
        f.write("policy big-list {\n    origins %s;\n}\n" % ", ".join(
            '"%s"' % o for o in exact + ["https://*.p.big.example", "http://localhost:*",
                                         "https://**.deep.big.example"]))
    out = os.path.join(tmp, "build")
    harness.corsc_build(corsc, pf, out, targets=("haproxy", "json"))
    with open(os.path.join(out, "haproxy", "cors.cfg")) as f:
        text = f.read()
    nb = text.count("-m int ")
    if nb < 2:
        return 0, ["many origins: %d buckets, want several" % nb]
    if "set-var(txn.corsc_allowed.big.list)" not in text:
        return 0, ["many origins: no variable txn.corsc_allowed.big.list"]
    base = os.path.join(tmp, "base.cfg")
    with open(base, "w") as f:
        f.write(harness.HAPROXY_BASE)
    port = harness.free_port()
    site = os.path.join(tmp, "site.cfg")
    with open(site, "w") as f:
        f.write("frontend fe from cors-big-list\n    bind 127.0.0.1:%d\n"
                "    http-request return status 200 content-type text/plain string ok\n" % port)
    log_path = os.path.join(tmp, "haproxy.out")
    proc = procs.start("haproxy", [harness.binary("haproxy"), "-f", base, "-f",
                                   os.path.join(out, "haproxy", "cors.cfg"), "-f", site, "-db"], log_path)
    harness.wait_port(port, proc, "haproxy", log_path)
    want = {o: True for o in exact[::29] + [exact[-1], "https://a.p.big.example", "http://localhost:3"]}
    want.update({o: False for o in ["https://o1.big.example.net", "https://o12x.big.example",
                                    "https://O1.big.example", "https://o3000.big.example",
                                    "https://a.b.p.big.example", "https://o1.big.example:443"]})
    # a host is at most 253 characters (labels of 63 and the suffix's 16)
    deep = lambda n: "https://%s.deep.big.example" % ".".join(
        ["a" * 63] * 3 + ["a" * (n - 16 - 1 - 3 * 64)])
    want.update({deep(253): True, deep(254): False})
    bad = []
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    for o, allowed in want.items():
        c.request("GET", "/", headers={"Origin": o})
        r = c.getresponse()
        r.read()
        if (r.getheader("Access-Control-Allow-Origin") == o) != allowed:
            bad.append("many origins: %s %s" % (o, "refused" if allowed else "allowed"))
    c.putrequest("GET", "/")
    c.putheader("Origin", exact[0])
    c.putheader("Origin", exact[0])
    c.endheaders()
    r = c.getresponse()
    r.read()
    if r.getheader("Access-Control-Allow-Origin") is not None or "Origin" not in (r.getheader("Vary") or ""):
        bad.append("many origins: two Origin lines: ACAO %s, Vary %s"
                   % (r.getheader("Access-Control-Allow-Origin"), r.getheader("Vary")))
    c.close()
    procs.stop(proc)
    return len(want) + 1, bad


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corsc", default=os.environ.get("CORSC"))
    ap.add_argument("--top", default=os.environ.get("TOP"))
    ap.add_argument("--tmp")
    args = ap.parse_args()
    if "haproxy" in harness.missing_servers():
        log("haproxy is not installed (.ci/deps test installs it)")
        return 1
    tmp, own_tmp = harness.make_tmp(args.tmp)
    procs = harness.Processes()
    try:
        files = sorted(glob.glob(os.path.join(args.top, "examples", "*"))) + [
            os.path.join(args.top, "tests", "e2e", "kitchen-sink.cors"),
            os.path.join(args.top, "tests", "caddy", "odd-names.cors"),
            os.path.join(args.top, "tests", "haproxy", "own.cors")]
        fails = []
        for i, f in enumerate(files):
            bad = check_example(args.corsc, f, os.path.join(tmp, "c%d" % i))
            fails += ["%s: %s" % (os.path.basename(f), b) for b in bad]
        log("haproxy -c: %d policy files, both ways, conf.d, version guard: %d failures"
            % (len(files), len(fails)))
        count, live_fails = live(args.corsc, args.top, os.path.join(tmp, "live"), procs)
        n, big = many_origins(args.corsc, os.path.join(tmp, "big"), procs)
        count += n
        live_fails += big
        log("haproxy answers: %d requests, %d failures" % (count, len(live_fails)))
        for b in fails + live_fails:
            log("FAIL " + b)
        return 1 if fails or live_fails or count == 0 else 0
    except Fatal as e:
        log("ERROR: %s" % e)
        return 1
    finally:
        procs.stop_all()
        if own_tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
