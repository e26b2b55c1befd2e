#!/usr/bin/env python3
# The soak: policies from the seeded generator (gen.py), compiled by corsc,
# served by real nginx, Apache and Caddy at server and location scope, and
# every answer compared with `corsc eval` by diff.py's comparison (the same
# function as the differential test, not a second one).  Each generated file
# is also checked (exit 0), built, and converted to the other language and
# back (same normalized policies, same server files).  Servers start once
# and are reloaded for each batch of files.  A mismatch prints the seed and a
# minimized reproduction: the smallest policy and request that still differ.
#
#   soak.py --corsc C --top T --seed S --n N [--batch B] [--requests R]
#           [--files F,...]   (fixed files served too: tests/regressions/)
import argparse
import concurrent.futures
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diff  # noqa: E402
import gen  # noqa: E402
import harness  # noqa: E402
from harness import Fatal, log  # noqa: E402

MAX_POLICIES_PER_FILE = 4
PARALLEL = 8                 # connections at once, over every server and site
SHOW = 3                     # mismatches minimized and printed in full


def build(corsc, f, outdir):
    """corsc build for serving; E2E_BREAK damages the output on purpose (the
    soak must then report mismatches and minimize them)."""
    pols = {p["name"]: p for p in harness.corsc_build(corsc, f, outdir)}
    if os.environ.get("E2E_BREAK"):
        harness.apply_break(os.environ["E2E_BREAK"], outdir)
    return pols


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def nginx_joins_origins():
    """nginx before 1.23 gives its configuration only the first Origin line."""
    r = run([harness.binary("nginx"), "-v"])
    m = re.search(r"nginx/(\d+)\.(\d+)", r.stderr + r.stdout)
    return bool(m) and (int(m.group(1)), int(m.group(2))) >= (1, 23)


class TwoOrigins(diff.Req):
    """A request with two Origin header lines.  `seen` is the Origin value the
    server's configuration sees: both joined by ", " (never allowed: it holds
    a comma), or only the first where the server shows only that (nginx < 1.23)."""
    __slots__ = ("second", "seen")

    def __init__(self, kind, origin, second, method, acrm=None, seen=None, status=200):
        super().__init__(kind, origin, method, acrm, (), None, status)
        self.second, self.seen = second, seen

    def eval_key(self):
        return (self.seen,) + super().eval_key()[1:]

    def wire(self, prefix):
        method, path, h, body = super().wire(prefix)
        i = [n for n, _ in h].index("Origin")
        h.insert(i + 1, ("Origin", self.second))
        return method, path, h, body


# ---------------------------------------------------------------- servers

def _children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return set(int(x) for x in f.read().split())
    except OSError:
        return set()


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return False


class Server:
    """One server, started once and reloaded with each new configuration (HAProxy
    restarted); a
    marker site on its own port answers X-Gen: N once generation N is live."""

    def __init__(self, name, procs, tmp, upstream_port):
        self.name, self.procs, self.tmp, self.up = name, procs, tmp, upstream_port
        self.proc = None
        self.gen = 0
        self.marker = quiet_port()
        self.admin = quiet_port()
        self.env = None
        self.conf = None

    def _write(self, outdir, pols, sites):
        fn = {"nginx": harness._nginx, "apache": harness._apache, "caddy": harness._caddy,
              "haproxy": harness._haproxy}[self.name]
        argv, env, log_path = fn(self.tmp, outdir, pols, sites, self.up)
        self.env, self.log_path = env, log_path
        self.gen += 1
        n, g = self.gen, self.marker
        if self.name == "nginx":
            self.conf = os.path.join(self.tmp, "nginx.conf")
            s = open(self.conf).read().rstrip()
            assert s.endswith("}")
            s = s[:-1] + ("    server { listen 127.0.0.1:%d; location / { add_header X-Gen %d always; return 410; } }\n}\n"
                          % (g, n))
        elif self.name == "apache":
            self.conf = os.path.join(self.tmp, "apache2.conf")
            s = open(self.conf).read() + ("Listen 127.0.0.1:%d\n<VirtualHost 127.0.0.1:%d>\n"
                                          "    Header always set X-Gen %d\n    Redirect 410 /\n</VirtualHost>\n"
                                          % (g, g, n))
        elif self.name == "haproxy":
            self.conf = os.path.join(self.tmp, "site.cfg")
            s = open(self.conf).read() + ("\nfrontend soak-gen\n    bind 127.0.0.1:%d\n"
                                          "    http-request return status 410 hdr X-Gen %d\n" % (g, n))
        else:
            self.conf = os.path.join(self.tmp, "Caddyfile")
            s = open(self.conf).read()
            assert "\tadmin off\n" in s
            s = s.replace("\tadmin off\n", "\tadmin 127.0.0.1:%d\n" % self.admin)
            s += "http://:%d {\n\tbind 127.0.0.1\n\theader X-Gen %d\n\trespond 410\n}\n" % (g, n)
        with open(self.conf, "w") as f:
            f.write(s)
        return argv

    def _marker_gen(self):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/" % self.marker, timeout=5) as r:
                return r.headers.get("X-Gen")
        except urllib.error.HTTPError as e:
            return e.headers.get("X-Gen")
        except OSError:
            return None

    def load(self, outdir, pols, sites):
        """Start (first time) or reload with this configuration; returns when
        every port answers with it."""
        os.makedirs(self.tmp, exist_ok=True)
        argv = self._write(outdir, pols, sites)
        old = set()
        if self.name == "haproxy" and self.proc is not None:
            # HAProxy's reload re-runs the same command line, which names the
            # batch's own cors.cfg: it is restarted instead (about 0.1 s)
            self.procs.stop(self.proc)
            self.proc = None
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self.procs.start(self.name, argv, self.log_path, env=self.env, cwd=self.tmp)
        else:
            old = _children(self.proc.pid)
            if self.name == "nginx":
                os.kill(self.proc.pid, signal.SIGHUP)
            elif self.name == "apache":
                os.kill(self.proc.pid, signal.SIGUSR1)      # graceful restart
            else:
                r = run([harness.binary("caddy"), "reload", "--config", self.conf, "--adapter", "caddyfile",
                         "--address", "127.0.0.1:%d" % self.admin], env=self.env)
                if r.returncode != 0:
                    raise Fatal("caddy reload failed:\n%s%s" % (r.stdout, r.stderr[-3000:]))
        deadline = time.time() + 60
        while True:
            if self.proc.poll() is not None:
                raise Fatal("%s exited (status %s):\n%s" % (self.name, self.proc.returncode, harness.tail(self.log_path)))
            if self._marker_gen() == str(self.gen) and not any(_alive(p) for p in old):
                break
            if time.time() > deadline:
                raise Fatal("%s did not load generation %d within 60s:\n%s"
                            % (self.name, self.gen, harness.tail(self.log_path)))
            time.sleep(0.05)
        for port in sorted({s.port for s in sites}):
            harness.wait_port(port, self.proc, self.name, self.log_path)


# ---------------------------------------------------------------- one batch

_taken = set()


def quiet_port():
    """A free port below the kernel's ephemeral range: held across reloads, it
    must not be taken meanwhile by an outgoing connection (a proxy's to the
    upstream) as an ephemeral free_port() could be."""
    lo = 32768
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo = int(f.read().split()[0])
    except (OSError, ValueError):
        pass
    rnd = random.SystemRandom()
    for _ in range(1000):
        p = rnd.randrange(max(1024, lo - 20000), lo)
        if p in _taken:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                continue
        _taken.add(p)
        return p
    return harness.free_port()


class Ports:
    def __init__(self, n):
        self.outer = [quiet_port() for _ in range(n)]
        self.inner = quiet_port()

    def sites(self, names, modes):
        sites = []
        if "outer" in modes:
            sites += [harness.Site(n, "outer", self.outer[i], "/p/%s/" % n) for i, n in enumerate(names)]
        if "inner" in modes:
            sites += [harness.Site(n, "inner", self.inner, "/p/%s/" % n) for n in names]
        return sites


def requests_for(pol, rng, nreq, server, joins):
    """A seeded sample of diff.py's requests for this policy, and two-Origin ones."""
    allr = diff.policy_requests(pol)
    reqs = allr if len(allr) <= nreq else rng.sample(allr, nreq)
    a = [r.origin for r in allr if r.origin][0]
    for kind, method, acrm in (("actual", "GET", None), ("preflight", "OPTIONS", "GET")):
        seen = a if (server == "nginx" and not joins) else a + ", https://evil.example"
        reqs.append(TwoOrigins(kind, a, "https://evil.example", method, acrm, seen))
        seen = "https://evil.example" if (server == "nginx" and not joins) else "https://evil.example, " + a
        reqs.append(TwoOrigins(kind, "https://evil.example", a, method, acrm, seen))
    return reqs


def serve_and_compare(servers, ports, outdir, policy_file, pols, reqs, oracle, modes, upstream, tag):
    """Load every server with outdir, send every request, compare; returns the
    mismatches [(server, site, pol, req, exp, status, items, bad)] and the count."""
    fill = []
    for s in servers:
        for name, pol in pols.items():
            fill.append((policy_file, pol, reqs[s][name]))
    oracle.fill(fill, workers=2 * (os.cpu_count() or 2))
    units = []
    for s, srv in servers.items():
        sites = ports[s].sites(list(pols), modes)    # each server its own ports
        srv.load(outdir, pols, sites)
        units += [(s, site) for site in sites]
    out, preflights, counts = [], [], []

    def one(unit):
        s, site = unit
        client = diff.Client(site.port)
        pol = pols[site.policy]
        for i, r in enumerate(reqs[s][site.policy]):
            rid = "%s-%s-%s-%s-%d" % (s, tag, site.mode, site.policy, i)
            method, path, h, body = r.wire(site.prefix)
            status, items, data = client.send(method, path, h + [("X-E2E-ID", rid)], body)
            exp = oracle.get(pol, r)
            if exp["preflight"]:
                preflights.append((rid, s, site, pol, r, exp))
            bad = diff.compare(exp, r, status, items, data)
            if bad:
                out.append((s, site, pol, r, exp, status, items, bad))
        client.close()
        counts.append(len(reqs[s][site.policy]))

    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as ex:
        list(ex.map(one, units))
    n = sum(counts)
    seen = upstream.seen_ids()
    for rid, s, site, pol, r, exp in preflights:
        if rid in seen:
            out.append((s, site, pol, r, exp, 0, [], ["preflight reached the application"]))
    return out, n


# ---------------------------------------------------------------- per file

def strip_source(text):
    """Generated files name their source; the rest must be byte-identical."""
    return re.sub(r"(?m)^(#.*) from \S+.*$", r"\1", text)


def build_tree(corsc, f, outdir):
    os.makedirs(outdir, exist_ok=True)
    r = run([corsc, "build", "-t", "all", "-t", "json", "-o", outdir, f])
    if r.returncode != 0:
        return None, r.stderr
    tree = {}
    for root, _, names in os.walk(outdir):
        for n in names:
            p = os.path.join(root, n)
            tree[os.path.relpath(p, outdir)] = strip_source(open(p).read())
    return tree, ""


def check_file(corsc, f, work):
    """corsc check exit 0, a build, and the convert round trip; problems as text."""
    probs = []
    r = run([corsc, "check", f])
    if r.returncode != 0:
        return ["corsc check exit %d on a valid generated file:\n%s" % (r.returncode, r.stderr[-2000:])]
    os.makedirs(work, exist_ok=True)
    tree, err = build_tree(corsc, f, os.path.join(work, "orig"))
    if tree is None:
        return ["corsc build failed:\n" + err[-2000:]]
    lang, other = ("yaml", "dsl") if f.endswith(".yaml") else ("dsl", "yaml")
    ext = {"dsl": ".cors", "yaml": ".yaml"}
    one = os.path.join(work, "conv" + ext[other])
    two = os.path.join(work, "back" + ext[lang])
    for src, to, dst in ((f, other, one), (one, lang, two)):
        r = run([corsc, "convert", "--to", to, src])
        if r.returncode != 0:
            return probs + ["convert --to %s failed (exit %d):\n%s" % (to, r.returncode, r.stderr[-2000:])]
        with open(dst, "w") as fh:
            fh.write(r.stdout)
    for label, g in (("converted to " + other, one), ("converted back", two)):
        t2, err = build_tree(corsc, g, os.path.join(work, label.replace(" ", "-")))
        if t2 is None:
            probs.append("%s: build failed:\n%s" % (label, err[-2000:]))
        elif t2 != tree:
            diffs = sorted(k for k in set(tree) | set(t2) if tree.get(k) != t2.get(k))
            probs.append("%s: output differs from the original's in %s" % (label, ", ".join(diffs)))
    return probs


def dsl_text(corsc, f):
    if f.endswith(".cors"):
        return open(f).read()
    r = run([corsc, "convert", "--to", "dsl", f])
    if r.returncode != 0:
        raise Fatal("convert --to dsl %s failed: %s" % (f, r.stderr))
    return r.stdout


# ---------------------------------------------------------------- minimizing

def shrink_candidates(p):
    """Smaller variants of a generator-form policy, most drastic first."""
    out = []
    if p["origins"] != "*" and len(p["origins"]) > 1:
        for i in range(len(p["origins"])):
            q = json.loads(json.dumps(p))
            del q["origins"][i]
            out.append(q)
    for key in ("methods", "allow-headers", "expose-headers", "max-age", "private-network"):
        if key in p:
            q = json.loads(json.dumps(p))
            del q[key]
            out.append(q)
            if isinstance(p[key], list) and len(p[key]) > 1:
                for i in range(len(p[key])):
                    q = json.loads(json.dumps(p))
                    del q[key][i]
                    out.append(q)
    if p.get("credentials"):
        q = json.loads(json.dumps(p))
        q["credentials"] = False
        out.append(q)
    return out


def minimize(corsc, srv, mode, ports, pol, r, upstream, work):
    """The smallest policy (and request) on which srv still differs from eval."""
    k = [0]

    def differs(p, req):
        k[0] += 1
        d = os.path.join(work, "min-%d" % k[0])
        os.makedirs(d, exist_ok=True)
        f = os.path.join(d, "min.cors")
        with open(f, "w") as fh:
            fh.write(gen.to_dsl([p]))
        try:
            pols = build(corsc, f, os.path.join(d, "out"))
        except Fatal:
            return False                       # not a valid policy any more
        oracle = diff.Oracle(corsc)
        got, _ = serve_and_compare({srv.name: srv}, ports, os.path.join(d, "out"), f, pols,
                                   {srv.name: {p["name"]: [req]}}, oracle, [mode], upstream, "min%d" % k[0])
        return bool(got)

    p = gen.from_normalized(pol)
    if not differs(p, r):
        return None, r                         # not reproducible alone
    changed = True
    while changed and k[0] < 200:
        changed = False
        for q in shrink_candidates(p):
            if differs(q, r):
                p, changed = q, True
                break
    if r.kind == "preflight":                  # then the request
        for rr in (diff.Req(r.kind, r.origin, r.method, r.acrm, (), r.pna, r.status),
                   diff.Req(r.kind, r.origin, r.method, r.acrm, r.headers, None, r.status),
                   diff.Req(r.kind, r.origin, r.method, r.acrm, r.headers, r.pna, 200)):
            if type(r) is diff.Req and differs(p, rr):
                r = rr
    return p, r


# ---------------------------------------------------------------- coverage

FEATURES = ("dsl file", "yaml file", "exact origin", "*.", "**.", ":*", "null", "origins *", "IPv4", "IPv6",
            "port", "methods *", "odd method", "allow-headers *", "*, Authorization", "odd header",
            "'#' in a header", "expose-headers *", "credentials", "private-network", "max-age 0",
            "max-age above 7200", "several policies")


def features(path, pols):
    """The features of SPEC 1-3 one generated file exercises."""
    f = {"yaml file" if path.endswith(".yaml") else "dsl file"}
    if len(pols) > 1:
        f.add("several policies")
    odd = set(gen.ODD) - {"-", "_"}
    for p in pols:
        if p["origins"] == "*":
            f.add("origins *")
        else:
            for o in p["origins"]:
                f.add("null" if o == "null" else "**." if "://**." in o else "*." if "://*." in o
                      else "exact origin")
                f.update(k for k, ok in ((":*", o.endswith(":*")), ("IPv6", "[" in o),
                                         ("IPv4", re.search(r"://[0-9.]+(:|$)", o) is not None),
                                         ("port", re.search(r":[0-9]+$", o) is not None)) if ok)
        m, a, e = p.get("methods"), p.get("allow-headers"), p.get("expose-headers")
        if m == "*":
            f.add("methods *")
        elif m and any(set(x) & odd for x in m):
            f.add("odd method")
        if a == ["*"]:
            f.add("allow-headers *")
        elif a == ["*", "Authorization"]:
            f.add("*, Authorization")
        for h in (a or []) + (e if isinstance(e, list) else []):
            if set(h) & odd:
                f.add("odd header")
            if "#" in h:
                f.add("'#' in a header")
        if e == "*":
            f.add("expose-headers *")
        if p.get("credentials"):
            f.add("credentials")
        if p.get("private-network"):
            f.add("private-network")
        if p.get("max-age") in ("0",):
            f.add("max-age 0")
        if p.get("max-age") and p["max-age"].isdigit() and int(p["max-age"]) > 7200:
            f.add("max-age above 7200")
    return f


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corsc", default=os.environ.get("CORSC"))
    ap.add_argument("--top", default=os.environ.get("TOP"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=10, help="generated files")
    ap.add_argument("--batch", type=int, default=12, help="files per server reload")
    ap.add_argument("--requests", type=int, default=36, help="sampled requests per policy, server and scope")
    ap.add_argument("--files", default="", help="fixed policy files served as well (comma-separated)")
    ap.add_argument("--servers", default=",".join(harness.SERVERS))
    ap.add_argument("--modes", default="outer,inner")
    ap.add_argument("--tmp")
    args = ap.parse_args()
    if not args.corsc:
        log("need --corsc (or CORSC)")
        return 2
    wanted = [s for s in args.servers.split(",") if s]
    missing = [s for s in harness.missing_servers() if s in wanted]
    names = [s for s in wanted if s not in missing]
    modes = args.modes.split(",")
    tmp, own_tmp = harness.make_tmp(args.tmp, prefix="corsc-soak.")
    os.chmod(tmp, 0o755)
    procs = harness.Processes()
    t0 = time.time()
    joins = nginx_joins_origins()
    rng = random.Random(args.seed)
    nfiles = npol = nreq = 0
    problems, mismatches = [], []
    try:
        upstream = harness.Upstream(procs, tmp)
        servers = {s: Server(s, procs, os.path.join(tmp, "srv", s), upstream.port) for s in names}
        gdir = os.path.join(tmp, "gen")
        os.makedirs(gdir)
        files = [(f, None) for f in args.files.split(",") if f]
        seen = set()
        for i in range(args.n):
            path, gp = gen.write_file(rng, os.path.join(gdir, "gen-%d-%d" % (args.seed, i)), prefix="f%d_" % i)
            files.append((path, i))
            seen |= features(path, gp)
        lacking = [x for x in FEATURES if x not in seen]
        log("generated %d files covering %d of %d features%s" % (args.n, len(FEATURES) - len(lacking), len(FEATURES),
                                                              ": lacking " + ", ".join(lacking) if lacking else ""))
        if lacking and args.n >= 40:
            problems.append("the generator covered too little: " + ", ".join(lacking))
        ports = {s: Ports(args.batch * MAX_POLICIES_PER_FILE + 8) for s in names}
        for b in range(0, len(files), args.batch):
            chunk = files[b:b + args.batch]
            texts = []
            for f, i in chunk:
                nfiles += 1
                probs = check_file(args.corsc, f, os.path.join(tmp, "work", os.path.basename(f)))
                for prob in probs:
                    problems.append("PROBLEM seed %d file %s:\n    %s\n--- %s\n%s" % (
                        args.seed, "#%s" % i if i is not None else f, prob.replace("\n", "\n    "),
                        os.path.basename(f), open(f).read()))
                    log(problems[-1])
                if not any(p.startswith("corsc check") for p in probs):
                    texts.append(dsl_text(args.corsc, f))
            bfile = os.path.join(tmp, "batch-%d.cors" % b)
            with open(bfile, "w") as fh:
                fh.write("\n".join(texts))
            bout = os.path.join(tmp, "batch-%d" % b)
            pols = build(args.corsc, bfile, bout)
            npol += len(pols)
            reqs = {s: {n: requests_for(p, random.Random("%d/%s" % (args.seed, n)), args.requests, s, joins)
                        for n, p in pols.items()} for s in names}
            got, n = serve_and_compare(servers, ports, bout, bfile, pols, reqs, diff.Oracle(args.corsc),
                                       modes, upstream, "b%d" % b)
            nreq += n
            for m in got:
                mismatches.append(m)
                s, site, pol, r, exp, status, items, bad = m
                if len(mismatches) <= SHOW:
                    log("MISMATCH seed %d (files %d-%d) %s %s scope, policy %s:\n    request: %s    %s"
                        % (args.seed, b, b + len(chunk) - 1, s, "server" if site.mode == "outer" else "location",
                           pol["name"], r.describe(site.prefix), "\n    ".join(bad)))
                    mp, mr = minimize(args.corsc, servers[s], site.mode, ports, pol, r, upstream,
                                      os.path.join(tmp, "min-%d" % len(mismatches)))
                    if mp is None:
                        log("    (does not differ with that policy alone)")
                    else:
                        log("    minimized reproduction (%s, %s scope):\n%s    request: %s"
                            % (s, "server" if site.mode == "outer" else "location",
                               gen.to_dsl([mp]), mr.describe("/p/%s/" % mp["name"])))
            log("batch %d: %d files, %d policies, %d requests, %d mismatches so far (%.0fs)"
                % (b // args.batch, len(chunk), len(pols), n, len(mismatches), time.time() - t0))
        log("soak seed %d: %d files, %d policies, %d requests to %s at %s scope: %d mismatches, "
            "%d file problems, %.0fs" % (args.seed, nfiles, npol, nreq, ", ".join(names) or "no server",
                                         "/".join("server" if m == "outer" else "location" for m in modes),
                                         len(mismatches), len(problems), time.time() - t0))
        return harness.exit_status(mismatches or problems, missing, bool(names))
    except Fatal as e:
        log("ERROR (seed %d): %s" % (args.seed, e))
        return 1
    finally:
        procs.stop_all()
        if own_tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
