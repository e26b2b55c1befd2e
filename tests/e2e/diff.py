#!/usr/bin/env python3
# Differential test: every example policy, served by real nginx, Apache and
# Caddy through corsc's output only, must answer hundreds of generated requests
# exactly as `corsc eval` (the reference semantics, SPEC section 6) says.
import argparse
import concurrent.futures
import glob
import http.client
import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Fatal, log  # noqa: E402

MIN_REQUESTS = 200          # per example file, server and include mode
SHOW_MISMATCHES = 8         # printed in full per job; all are counted

# ---------------------------------------------------------------- origins

ORIGIN_RE = re.compile(r"^([a-z][a-z0-9+.-]*)://(\*\*?\.)?(\[[^\]]*\]|[^:/\[\]]+)(?::(\*|\d+))?$")


def origin_candidates(o):
    """Origins a request may carry, for one origin or pattern of a policy:
    (the ones it should match, near misses: other scheme, other port, extra or
    missing label, suffix tricks, upper case, trailing dot ...).  Which is which
    is only a guess for coverage: `corsc eval` decides."""
    if o == "*":
        return (["https://anything.example", "http://localhost:1234", "null",
                 "https://a.b.c.example.org:8443", "HTTPS://UPPER.EXAMPLE"], [])
    if o == "null":
        return (["null"], ["NULL", "Null", "nul"])
    m = ORIGIN_RE.match(o)
    if not m:
        raise Fatal("cannot parse origin %r from policies.json" % o)
    scheme, wild, host, port = m.group(1), m.group(2) or "", m.group(3), m.group(4)
    other = "http" if scheme == "https" else "https"
    default = {"http": "80", "https": "443"}.get(scheme, "1")

    if port is None:
        ports, near_ports = [""], [":8443", ":" + default, ":"]
    elif port == "*":
        ports, near_ports = ["", ":1", ":3000", ":65535", ":99999"], [":123456", ":", ":x1", ":-1"]
    else:
        ports, near_ports = [":" + port], ["", ":%d" % (int(port) + 1), ":0" + port, ":" + port + "0"]

    dotted = host.replace(".", "x", 1) if "." in host else host + "x"
    if wild == "":
        hosts = [host]
        near_hosts = [host + ".", host.upper(), host[:1].upper() + host[1:], "x" + host,
                      "x." + host, host + ".evil.net", "evil-" + host, dotted, host[1:],
                      host + "x"]
    elif wild == "*.":
        hosts = ["a." + host, "tenant-1." + host, "x" * 63 + "." + host, "a_b." + host]
        near_hosts = [host, "." + host, "a.b." + host, "x" * 64 + "." + host, "A." + host,
                      "*." + host, "a!b." + host, "a." + host + ".", "a." + host + ".evil.net",
                      "evil-" + host, "a" + host, "a." + dotted, "a.." + host]
    else:  # "**."
        hosts = ["a." + host, "a.b." + host, "x-1.y_2.z." + host]
        near_hosts = [host, "." + host, "a.." + host, "A.b." + host, "a." + host + ".",
                      "a." + host + ".evil.net", "evil-" + host, "a" + host, "a." + dotted]

    match = []
    for i, h in enumerate(hosts):
        for j, p in enumerate(ports):
            if i == 0 or j == 0 or (i + j) % 2 == 0:
                match.append("%s://%s%s" % (scheme, h, p))
    h0, p0 = hosts[0], ports[-1] if port == "*" else ports[0]
    base = "%s://%s%s" % (scheme, h0, p0)
    near = ["%s://%s%s" % (other, h0, p0), "%s://%s%s" % (scheme.upper(), h0, p0)]
    near += ["%s://%s%s" % (scheme, h0, p) for p in near_ports]
    near += ["%s://%s%s" % (scheme, h, p0) for h in near_hosts]
    near += [base + "/", base + "/path", base + "#", "%s://user@%s%s" % (scheme, h0, p0)]
    near += ["x" + base, "." + base]           # junk before the scheme
    return match, near


# Asked of every policy: no Origin, an empty one, the opaque origin, strangers.
EXTRA_ORIGINS = [None, "", "null", "https://evil.example", "http://127.0.0.1", "http://localhost",
                 "https://app.example.com", "file://", "https://app.example.com:443",
                 "http://[::1]:8080", "https://xn--bcher-kva.example", "https://a.b.c.d.e.example.org",
                 "https://example.com", "https://*", "*", "https://evil.example/app.example.com",
                 "chrome-extension://abcdefghijklmnop"]


def dedupe(xs):
    seen, out = set(), []
    for x in xs:
        k = json.dumps(x)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


# ---------------------------------------------------------------- requests

class Req:
    """One request: kind 'preflight' (OPTIONS + Access-Control-Request-Method)
    or 'actual'.  acrm None: no such header; origin None: no Origin header."""
    __slots__ = ("kind", "origin", "method", "acrm", "headers", "pna", "status", "extra")

    def __init__(self, kind, origin, method, acrm=None, headers=(), pna=None, status=200, extra=()):
        self.kind, self.origin, self.method, self.acrm = kind, origin, method, acrm
        self.headers, self.pna, self.status, self.extra = tuple(headers), pna, status, tuple(extra)

    def eval_key(self):
        """The request as `corsc eval` sees it."""
        if self.kind == "preflight":
            return (self.origin, self.acrm, self.headers, True, self.pna == "true")
        return (self.origin, self.method, (), False, self.pna == "true")

    def wire(self, prefix):
        """(method, path, [(name, value)], body) as sent."""
        path = "%ss%d" % (prefix, self.status)
        h = []
        if self.origin is not None:
            h.append(("Origin", self.origin))
        if self.kind == "preflight":
            h.append(("Access-Control-Request-Method", self.acrm))
            if self.headers:
                h.append(("Access-Control-Request-Headers", ",".join(self.headers)))
        else:
            for name in self.headers:
                h.append((name, "v-" + name.lower()))
        if self.pna is not None:
            h.append(("Access-Control-Request-Private-Network", self.pna))
        h += list(self.extra)
        body = b"{}" if self.method in ("POST", "PUT", "PATCH") else None
        return self.method, path, h, body

    def describe(self, prefix):
        method, path, h, body = self.wire(prefix)
        return "%s %s\n" % (method, path) + "".join("      %s: %s\n" % kv for kv in h)


def policy_requests(pol):
    """The requests for one normalized policy (from policies.json)."""
    origins, key_origins, key_near = [], [], []
    for i, o in enumerate(pol["origins"]):
        match, near = origin_candidates(o)
        # every variant for the first patterns, a sample for long lists
        origins += match + near if i < 4 else [match[0]] + near[:1]
        key_origins.append(match[0])
        key_near += near[:1]
    # the full cross product for a few origins: some that match, one near miss, none
    key_origins = dedupe(key_origins[:3] + key_near[:1] + ["https://evil.example", None])
    origins = dedupe(origins + EXTRA_ORIGINS)

    meths = pol["methods"] if pol["methods"] else []
    pf_methods = dedupe([m for m in meths if m != "*"] +
                        ["GET", "POST", "PUT", "DELETE", "PATCH", "PURGE"])
    allowed = [h.lower() for h in (pol["allow-headers"] or []) if h != "*"]
    header_sets = dedupe([[], allowed[:2], ["x-unlisted"], allowed[:1] + ["x-unlisted"],
                          ["authorization"]])
    actual_methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
    statuses = [200, 404, 500]
    custom = [h for h in (pol["allow-headers"] or []) if h != "*"][:1] or ["X-Custom"]

    reqs = []
    for i, o in enumerate(origins):
        reqs.append(Req("actual", o, "GET", status=statuses[i % 3]))
        reqs.append(Req("actual", o, actual_methods[i % len(actual_methods)], headers=custom,
                        pna="true" if i % 2 == 0 else None, status=statuses[(i + 1) % 3]))
        reqs.append(Req("preflight", o, "OPTIONS", pf_methods[i % len(pf_methods)],
                        header_sets[i % len(header_sets)], "true" if (i // 2) % 2 == 0 else None))
        reqs.append(Req("preflight", o, "OPTIONS", pf_methods[(i + 1) % len(pf_methods)],
                        header_sets[(i + 1) % len(header_sets)],
                        None if (i // 2) % 2 == 0 else "true", status=404))
    for o in key_origins:
        for j, m in enumerate(pf_methods):           # every method, with and without PNA
            for pna in (None, "true"):
                reqs.append(Req("preflight", o, "OPTIONS", m, header_sets[j % len(header_sets)], pna))
        for hs in header_sets:                       # every header set
            reqs.append(Req("preflight", o, "OPTIONS", pf_methods[0], hs, None, status=500))
        for m in actual_methods:                     # every method and status
            for st in statuses:
                reqs.append(Req("actual", o, m, status=st))
    first = key_origins[0]
    # Not preflights: the application answers them (README: empty headers are absent).
    reqs.append(Req("preflight", None, "OPTIONS", "PUT"))
    reqs.append(Req("preflight", "", "OPTIONS", "PUT"))
    reqs.append(Req("preflight", first, "OPTIONS", ""))
    reqs.append(Req("actual", first, "OPTIONS", status=500))
    # Private Network Access only for exactly "true".
    for v in ("TRUE", "1", "false", ""):
        reqs.append(Req("preflight", first, "OPTIONS", "GET", (), v))
    # Forwarding headers must not confuse the server.
    reqs.append(Req("actual", first, "GET", extra=[("X-Forwarded-Host", "evil.example")]))
    return reqs


# ---------------------------------------------------------------- expectations

class Oracle:
    """`corsc eval` answers, cached per (normalized policy, request)."""

    def __init__(self, corsc):
        self.corsc = corsc
        self.cache = {}
        self.calls = 0

    def fill(self, jobs, workers):
        todo = {}
        for policy_file, pol, reqs in jobs:
            pk = json.dumps(pol, sort_keys=True)
            for r in reqs:
                k = (pk,) + r.eval_key()
                if k not in self.cache and k not in todo:
                    todo[k] = (policy_file, pol["name"], r.eval_key())

        def one(item):
            k, (f, name, (origin, method, headers, preflight, pna)) = item
            return k, harness.corsc_eval(self.corsc, f, name, origin, method, headers, preflight, pna)

        with concurrent.futures.ThreadPoolExecutor(workers) as ex:
            for k, res in ex.map(one, todo.items()):
                self.cache[k] = res
        self.calls += len(todo)

    def get(self, pol, r):
        return self.cache[(json.dumps(pol, sort_keys=True),) + r.eval_key()]


# ---------------------------------------------------------------- comparing

def vary_tokens(values):
    out = set()
    for v in values:
        for t in v.split(","):
            t = t.strip().lower()
            if t:
                out.add(t)
    return out


def compare(exp, r, status, headers, body, want_status=None, from_app=True,
            app_vary=("accept-encoding",), optional_vary=()):
    """Differences between a response and eval's answer, as text lines.
    For a request that is not a preflight: want_status is the status expected
    (default: the application's r.status), from_app whether the application
    answers it (X-Upstream), app_vary the Vary tokens the answer adds besides
    eval's, optional_vary tokens it may add (tests/e2e/shapes.py)."""
    bad = []
    lower = [(n.lower(), v) for n, v in headers]
    got_ac = [(n, v) for n, v in lower if n.startswith("access-control-")]
    names = [n for n, _ in got_ac]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        bad.append("duplicated: " + ", ".join(dups))
    want_ac = {n.lower(): v for n, v in exp["headers"] if n.lower().startswith("access-control-")}
    got = {}
    for n, v in got_ac:
        got.setdefault(n, v)
    if got != want_ac:
        for n in sorted(set(got) | set(want_ac)):
            if got.get(n) != want_ac.get(n):
                bad.append("%s: expected %r, got %r" % (n, want_ac.get(n), got.get(n)))
    want_vary = vary_tokens(v for n, v in exp["headers"] if n.lower() == "vary")
    if not exp["preflight"]:
        want_vary.update(app_vary)           # the application's own Vary is kept
    got_vary = vary_tokens(v for n, v in lower if n == "vary")
    if not want_vary <= got_vary or not got_vary <= want_vary | set(optional_vary):
        bad.append("vary: expected %s, got %s" % (sorted(want_vary), sorted(got_vary)))
    upstream = [v for n, v in lower if n == "x-upstream"]
    if exp["preflight"]:
        if status != exp["status"]:
            bad.append("status: expected %s (answered by the server), got %d" % (exp["status"], status))
        if body:
            bad.append("preflight body not empty: %r" % body[:60])
        if upstream:
            bad.append("preflight reached the application (X-Upstream in the answer)")
    else:
        want = r.status if want_status is None else want_status
        if status != want:
            bad.append("status: expected %s %d, got %d" % ("the application's" if from_app else "the server's",
                                                           want, status))
        if from_app and upstream != ["hit"]:
            bad.append("the answer did not come from the application (X-Upstream %r)" % upstream)
        if not from_app and upstream:
            bad.append("the answer came from the application (X-Upstream %r), expected the server's own" % upstream)
    return bad


# ---------------------------------------------------------------- one server

class Client:
    """Keep-alive HTTP/1.1 client with raw control of the request headers."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def send(self, method, path, headers, body):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
            try:
                c = self.conn
                c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                c.putheader("Host", "127.0.0.1:%d" % self.port)
                for n, v in headers:
                    c.putheader(n, v)
                if body is not None:
                    c.putheader("Content-Length", str(len(body)))
                c.endheaders(body)
                resp = c.getresponse()
                data = resp.read()
                items = resp.msg.items()
                if resp.will_close:
                    self.close()
                return resp.status, items, data
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self.close()
                if attempt == 2:
                    raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Job:
    def __init__(self, server, name, policy_file, outdir, policies, reqs_by_policy, tmp):
        self.server, self.name, self.policy_file, self.outdir = server, name, policy_file, outdir
        self.policies = policies            # name -> normalized policy
        self.reqs_by_policy = reqs_by_policy
        self.tmp = tmp
        self.counts = {}                    # mode -> requests
        self.mismatches = []                # text blocks
        self.nmismatch = 0
        self.preflight_ids = []
        self.seconds = 0.0


def run_job(job, procs, upstream, oracle, modes):
    t0 = time.time()
    sites = harness.plan_sites(list(job.policies), modes)
    proc = harness.start_server(job.server, procs, job.tmp, job.outdir, job.policies, sites, upstream.port)
    try:
        clients = {}
        n = 0
        for site in sites:
            pol = job.policies[site.policy]
            client = clients.setdefault(site.port, Client(site.port))
            for r in job.reqs_by_policy[site.policy]:
                n += 1
                rid = "%s-%s-%d" % (job.server, job.name, n)
                method, path, h, body = r.wire(site.prefix)
                status, items, data = client.send(method, path, h + [("X-E2E-ID", rid)], body)
                exp = oracle.get(pol, r)
                if exp["preflight"]:
                    job.preflight_ids.append((rid, site, r, exp))
                bad = compare(exp, r, status, items, data)
                job.counts[site.mode] = job.counts.get(site.mode, 0) + 1
                if bad:
                    job.nmismatch += 1
                    if len(job.mismatches) < SHOW_MISMATCHES:
                        job.mismatches.append(mismatch_text(job, site, r, exp, status, items, bad))
        for c in clients.values():
            c.close()
    finally:
        procs.stop(proc)
    job.seconds = time.time() - t0


def mismatch_text(job, site, r, exp, status, items, bad):
    want = "".join("      %s: %s\n" % (n, v) for n, v in exp["headers"])
    got = "".join("      %s: %s\n" % (n, v) for n, v in items
                  if n.lower().startswith("access-control-") or n.lower() in ("vary", "x-upstream"))
    return ("MISMATCH %s %s (%s, policy %s, %s include)\n    request: %s"
            "    expected (corsc eval: preflight=%s status=%s):\n%s    got status %d:\n%s    %s\n"
            % (job.server, job.name, job.policy_file, site.policy, "server-level" if site.mode == "outer"
               else "location-level", r.describe(site.prefix), exp["preflight"], exp["status"], want,
               status, got, "\n    ".join(bad)))


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corsc", default=os.environ.get("CORSC"))
    ap.add_argument("--top", default=os.environ.get("TOP"))
    ap.add_argument("--tmp", help="work folder (default: a new temporary one, removed)")
    ap.add_argument("--servers", default=",".join(harness.SERVERS))
    ap.add_argument("--examples", default=None, help="comma-separated policy files (default: examples/* and tests/e2e/kitchen-sink.cors)")
    ap.add_argument("--modes", default="outer,inner", help="outer: server/VirtualHost/site; inner: location/Location/handle")
    ap.add_argument("--jobs", type=int, default=3, help="servers run side by side")
    args = ap.parse_args()
    if not args.corsc or not args.top:
        log("need --corsc and --top (or CORSC and TOP)")
        return 2
    brk = os.environ.get("E2E_BREAK", "")
    wanted = [s for s in args.servers.split(",") if s]
    missing = [s for s in harness.missing_servers() if s in wanted]
    servers = [s for s in wanted if s not in missing]
    modes = args.modes.split(",")
    files = args.examples.split(",") if args.examples else sorted(
        glob.glob(os.path.join(args.top, "examples", "*.cors")) +
        glob.glob(os.path.join(args.top, "examples", "*.yaml")) +
        glob.glob(os.path.join(args.top, "examples", "*.yml"))) + [
        os.path.join(args.top, "tests", "e2e", "kitchen-sink.cors")]
    if not files:
        log("no example policy files found")
        return 1

    tmp, own_tmp = harness.make_tmp(args.tmp)
    procs = harness.Processes()
    t0 = time.time()
    try:
        upstream = harness.Upstream(procs, tmp)
        oracle = Oracle(args.corsc)
        jobs, eval_jobs = [], []
        broken = None
        for f in files:
            base = os.path.basename(f)
            outdir = os.path.join(tmp, "build", base)
            os.makedirs(outdir, exist_ok=True)
            pols = {p["name"]: p for p in harness.corsc_build(args.corsc, f, outdir)}
            if brk:
                broken = harness.apply_break(brk, outdir)
            reqs = {name: policy_requests(p) for name, p in pols.items()}
            for name, p in pols.items():
                eval_jobs.append((f, p, reqs[name]))
            for s in servers:
                jobs.append(Job(s, base, f, outdir, pols, reqs, os.path.join(tmp, "srv", s, base)))
        oracle.fill(eval_jobs, workers=2 * (os.cpu_count() or 2))
        log("%d policy files, %d corsc eval answers (%.1fs)" % (len(files), oracle.calls, time.time() - t0))
        if brk:
            log("E2E_BREAK=%s: corsc's %s output was damaged on purpose; mismatches expected" % (brk, broken))

        def go(job):
            run_job(job, procs, upstream, oracle, modes)
            return job

        errors = []
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
            futs = {ex.submit(go, j): j for j in jobs}
            for fut in concurrent.futures.as_completed(futs):
                j = futs[fut]
                try:
                    fut.result()
                except Fatal as e:
                    errors.append("ERROR %s %s: %s" % (j.server, j.name, e))
                    log(errors[-1])
                    continue
                for m in j.mismatches:
                    log(m)
                log("%-6s %-20s %s: %d mismatches (%.1fs)" % (
                    j.server, j.name, ", ".join("%s %d requests" % (("server-level" if k == "outer" else "location-level"), v)
                                                for k, v in sorted(j.counts.items())),
                    j.nmismatch, j.seconds))

        # Preflights must never reach the application.
        seen = upstream.seen_ids()
        leaked = 0
        for j in jobs:
            for rid, site, r, exp in j.preflight_ids:
                if rid in seen:
                    leaked += 1
                    j.nmismatch += 1
                    if leaked <= SHOW_MISMATCHES:
                        log("MISMATCH %s %s: preflight %s reached the application\n    request: %s"
                            % (j.server, j.name, rid, r.describe(site.prefix)))
        # Coverage: enough requests everywhere.
        for j in jobs:
            for mode in modes:
                if j.counts.get(mode, 0) < MIN_REQUESTS and not any(j.server in e and j.name in e for e in errors):
                    errors.append("ERROR %s %s %s: only %d requests (need %d)"
                                  % (j.server, j.name, mode, j.counts.get(mode, 0), MIN_REQUESTS))
                    log(errors[-1])
        total = sum(sum(j.counts.values()) for j in jobs)
        bad = sum(j.nmismatch for j in jobs)
        pre = sum(len(j.preflight_ids) for j in jobs)
        log("e2e-diff: %d requests (%d preflights) to %s, %d mismatches, %d errors, %.1fs"
            % (total, pre, ", ".join(servers) or "no server", bad, len(errors), time.time() - t0))
        return harness.exit_status(bad or errors, missing, bool(servers))
    except Fatal as e:
        log("ERROR: %s" % e)
        return 1
    finally:
        procs.stop_all()
        if own_tmp:
            import shutil
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
