#!/usr/bin/env python3
"""bench_runtime.py - requests/s through corsc's configuration (issues 7, 20).

For nginx, Apache, Caddy and HAProxy, seven variants of one server:
  - baseline: the server with no CORS configuration;
  - floor ("constant headers"): the Access-Control-* headers and Vary that
    corsc's output sends for an allowed request, as fixed values, with no
    lookup and no condition, and for OPTIONS a 204 with the preflight's
    headers (the method is the one condition): the least any CORS
    configuration costs on that server;
  - corsc 10 / 1,000 / 10,000: corsc's output for that many exact origins
    plus 10 patterns (one policy); apache/cors-server.conf is included at
    server level when corsc writes one (SPEC section 5);
  - hand-written 1,000 / 10,000: the single-alternation regex users write.
Every variant runs at once on its own loopback port; wrk measures them in
turn, interleaved (the order rotates each round), for a few rounds.  Each
figure is given as a ratio to the baseline and to the floor of the same
round, as the median and the min-max over the rounds, so that a gap can be
told from noise.  With two CPUs or more, the servers run on the last one and
wrk on the others (taskset), so that a server, not the client, is what runs
out of CPU; and the server's own CPU time per request (from /proc, over its
process group) gives a second ratio that the client cannot cap.  Before
measuring, curl checks each variant's answers, and that the floor sends the
same CORS header names as corsc.  A benchmark, not a test: nothing here
passes or fails on a time.

Run time: servers x 7 variants x 3 kinds x BENCH_ROUNDS x BENCH_SECONDS,
about 14 minutes for the four servers with the defaults (plus ~30 s of
set-up); `make bench` adds the compile benchmark.  One server only:
bench_runtime.py CORSC nginx.

usage: bench_runtime.py CORSC [nginx|apache|caddy|haproxy]...
env:   BENCH_ROUNDS (5), BENCH_SECONDS (2), BENCH_CONNECTIONS (20)
"""
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_policies import origins_for  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "2"))
CONNS = int(os.environ.get("BENCH_CONNECTIONS", "20"))
SIZES = (10, 1000, 10000)
HAND_SIZES = (1000, 10000)
PATTERNS = 10
APACHE_MODULES = "/usr/lib/apache2/modules"
NGINX_PARAM_MAX = 4000       # nginx refuses a parameter over ~4 KB
KINDS = ("allowed", "disallowed", "preflight")
BODY = "ok\n"
# The floor ("constant headers"): what corsc's output sends for gen_policies.py's
# policy (credentials, methods, allow-headers, max-age; no expose-headers), as
# fixed values.  The origin is the allowed one of the largest size.
FLOOR_ORIGIN = "https://app%d.p0.example.com" % (10000 // 2)
FLOOR_ACTUAL = [("Access-Control-Allow-Origin", FLOOR_ORIGIN),
                ("Access-Control-Allow-Credentials", "true"),
                ("Vary", "Origin")]
FLOOR_PREFLIGHT = [("Access-Control-Allow-Methods", "GET, POST, PUT"),
                   ("Access-Control-Allow-Headers", "Content-Type"),
                   ("Access-Control-Max-Age", "600")]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Procs:
    """Every server started here, stopped by its process id (and its group) on exit."""

    def __init__(self):
        self.procs = []

    def start(self, argv, log, env=None):
        with open(log, "ab") as out:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                 env=env, start_new_session=True)
        self.procs.append(p)
        return p

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGTERM)
                    p.wait(5)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    pass
            try:
                os.killpg(p.pid, signal.SIGKILL)   # leftover workers: group id = its pid
            except (ProcessLookupError, PermissionError):
                pass
            if p.poll() is None:
                p.wait(5)
        self.procs = []


def wait_port(port, proc, log, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            sys.exit("server exited (status %s):\n%s" % (proc.returncode, open(log).read()[-2000:]))
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("server did not listen on %d:\n%s" % (port, open(log).read()[-2000:]))


def pattern_regex(o):
    """What a user writes by hand for one origin or pattern of gen_policies.py."""
    if "://**." in o:
        scheme, rest = o.split("://**.")
        return scheme + "://([a-z0-9-]+\\.)+" + re.escape(rest)
    if "://*." in o:
        scheme, rest = o.split("://*.")
        return scheme + "://[a-z0-9-]+\\." + re.escape(rest)
    if o.endswith(":*"):
        return re.escape(o[:-2]) + "(:[0-9]+)?"
    return re.escape(o)


def chunks(items, limit, overhead):
    """Split items so that each '|'.join(chunk) + overhead fits in limit bytes."""
    out, cur, size = [], [], overhead
    for it in items:
        if cur and size + len(it) + 1 > limit:
            out.append(cur)
            cur, size = [], overhead
        cur.append(it)
        size += len(it) + 1
    if cur:
        out.append(cur)
    return out


# ---------------------------------------------------------------- servers

def root():
    return os.geteuid() == 0


def nginx_conf(tmp, port, variant):
    """variant: ('base',) | ('floor',) | ('corsc', outdir) | ('hand', origins)"""
    L = ["user nobody nogroup;" if root() else "", "daemon off;", "worker_processes 1;",
         "pid %s/nginx.pid;" % tmp, "error_log %s/error.log warn;" % tmp,
         "events { worker_connections 1024; }", "http {", "access_log off;"]
    for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        L.append("%s_temp_path %s/%s_temp;" % (t, tmp, t))
    note = ""
    kind = variant[0]
    if kind == "corsc":
        L.append("include %s/nginx/cors-http.conf;" % variant[1])
    L += ["server {", "listen 127.0.0.1:%d;" % port]
    if kind == "corsc":
        L.append("include %s/nginx/cors-p0.conf;" % variant[1])
    elif kind == "hand":
        res = [pattern_regex(o) for o in variant[1]]
        parts = chunks(res, NGINX_PARAM_MAX, len('"~^()$"'))
        L.append('set $cors "";')
        for part in parts:
            L += ['if ($http_origin ~* "^(%s)$") {' % "|".join(part), "set $cors $http_origin;", "}"]
        L += ["add_header Access-Control-Allow-Origin $cors always;",
              "add_header Vary Origin always;",
              "if ($request_method = OPTIONS) { return 204; }"]
        if len(parts) > 1:
            note = "%d ifs" % len(parts)
    elif kind == "floor":
        # add_header is not allowed in a server-level if: the location has
        # the three headers, its if (a level of its own) all six
        L += ["location / {", "if ($request_method = OPTIONS) {"]
        L += ['add_header %s "%s" always;' % h for h in FLOOR_ACTUAL + FLOOR_PREFLIGHT]
        L += ["return 204;", "}"]
        L += ['add_header %s "%s" always;' % h for h in FLOOR_ACTUAL]
        L += ["return 200 \"%s\";" % BODY.strip(), "}", "}", "}"]
    if kind != "floor":
        L += ["location / { return 200 \"%s\"; }" % BODY.strip(), "}", "}"]
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write("\n".join(L) + "\n")
    check(["nginx", "-t", "-q", "-p", tmp, "-c", conf])
    return ["nginx", "-p", tmp, "-c", conf], None, note


def apache_conf(tmp, port, variant):
    run = os.path.join(tmp, "run")
    docs = os.path.join(tmp, "docs")
    os.makedirs(run, exist_ok=True)
    os.makedirs(docs, exist_ok=True)
    with open(os.path.join(docs, "ok.txt"), "w") as f:
        f.write(BODY)
    L = ["ServerRoot %s" % tmp, "ServerName 127.0.0.1", "PidFile %s/apache.pid" % tmp,
         "DefaultRuntimeDir %s" % run, "ErrorLog %s/error.log" % tmp, "LogLevel warn"]
    for m in ("mpm_event", "authz_core", "headers", "rewrite", "alias", "setenvif", "env"):
        L.append("LoadModule %s_module %s/mod_%s.so" % (m, APACHE_MODULES, m))
    if root():
        L += ["User nobody", "Group nogroup"]
    L += ["StartServers 1", "ServerLimit 1", "ThreadsPerChild 64", "MaxRequestWorkers 64",
          "KeepAlive On", "MaxKeepAliveRequests 0", "Listen 127.0.0.1:%d" % port,
          "<VirtualHost 127.0.0.1:%d>" % port, "DocumentRoot %s" % docs,
          "<Directory %s>" % docs, "Require all granted", "</Directory>"]
    note = ""
    if variant[0] == "corsc":
        sc = os.path.join(variant[1], "apache", "cors-server.conf")
        if os.path.exists(sc):
            L.insert(L.index("<VirtualHost 127.0.0.1:%d>" % port), "Include %s" % sc)
        L.append("Include %s/apache/cors-p0.conf" % variant[1])
    elif variant[0] == "hand":
        # one alternation; PCRE caps a compiled pattern, so split only if refused
        res = [pattern_regex(o) for o in variant[1]]
        for limit in (None, 60000, 16000, 4000):
            parts = [res] if limit is None else chunks(res, limit, 10)
            H = ['SetEnvIf Origin "^(%s)$" CORS_ORIGIN=$0' % "|".join(p) for p in parts]
            H += ["Header always set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN",
                  "Header always merge Vary Origin",
                  "RewriteEngine On",
                  "RewriteCond %{REQUEST_METHOD} =OPTIONS",
                  "RewriteCond %{HTTP:Access-Control-Request-Method} .",
                  "RewriteRule ^ - [R=204,L]"]
            if apache_ok(tmp, L + H + ["</VirtualHost>"]):
                break
        L += H
        if len(parts) > 1:
            note = "%d SetEnvIfs" % len(parts)
    elif variant[0] == "floor":
        L += ['Header always set %s "%s"' % h for h in FLOOR_ACTUAL[:2]]
        L += ["Header always merge Vary Origin"]
        L += ['Header always set %s "%s" "expr=%%{REQUEST_METHOD} == \'OPTIONS\'"' % h
              for h in FLOOR_PREFLIGHT]
        L += ["RewriteEngine On", "RewriteCond %{REQUEST_METHOD} =OPTIONS", "RewriteRule ^ - [R=204,L]"]
    L.append("</VirtualHost>")
    conf = write_apache(tmp, L)
    check(["apache2", "-t", "-d", tmp, "-f", conf], env=apache_env())
    return ["apache2", "-d", tmp, "-f", conf, "-DFOREGROUND"], apache_env(), note


def apache_env():
    env = dict(os.environ)
    env.pop("APACHE_CONFDIR", None)
    return env


def write_apache(tmp, L):
    conf = os.path.join(tmp, "apache2.conf")
    with open(conf, "w") as f:
        f.write("\n".join(L) + "\n")
    return conf


def apache_ok(tmp, L):
    conf = write_apache(tmp, L)
    return subprocess.run(["apache2", "-t", "-d", tmp, "-f", conf], env=apache_env(),
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def caddy_conf(tmp, port, variant):
    L = ["{", "\tadmin off", "\tauto_https off", "}", ""]
    body = []
    if variant[0] == "corsc":
        L.append("import %s/caddy/cors.caddy" % variant[1])
        body.append("\timport cors-p0")
    elif variant[0] == "hand":
        res = "|".join(pattern_regex(o) for o in variant[1])
        body += ["\t@cors header_regexp Origin ^(?:%s)$" % res,
                 "\theader @cors Access-Control-Allow-Origin {http.request.header.Origin}",
                 "\theader Vary Origin",
                 "\t@preflight {", "\t\tmethod OPTIONS", "\t\theader Origin *",
                 "\t\theader Access-Control-Request-Method *", "\t}",
                 "\trespond @preflight 204"]
    elif variant[0] == "floor":
        body += ["\theader {"] + ['\t\t%s "%s"' % h for h in FLOOR_ACTUAL] + ["\t}",
                 "\t@preflight method OPTIONS",
                 "\theader @preflight {"] + ['\t\t%s "%s"' % h for h in FLOOR_PREFLIGHT] + ["\t}",
                 "\trespond @preflight 204"]
    L += ["http://127.0.0.1:%d {" % port, "\tbind 127.0.0.1"] + body + \
         ['\trespond "%s" 200' % BODY.strip(), "}"]
    conf = os.path.join(tmp, "Caddyfile")
    with open(conf, "w") as f:
        f.write("\n".join(L) + "\n")
    env = dict(os.environ, XDG_DATA_HOME=tmp, XDG_CONFIG_HOME=tmp, HOME=tmp)
    check(["caddy", "validate", "--adapter", "caddyfile", "--config", conf], env=env)
    return ["caddy", "run", "--adapter", "caddyfile", "--config", conf], env, ""


HAPROXY_BASE = """global
    nbthread 1
    maxconn 1024
defaults cors-base
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
"""


def haproxy_ok(files):
    return subprocess.run(["haproxy", "-c", "-q"] + sum([["-f", f] for f in files], []),
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def haproxy_conf(tmp, port, variant):
    """HAProxy answers 200 itself (http-request return), like nginx's return 200."""
    base = os.path.join(tmp, "base.cfg")
    with open(base, "w") as f:
        f.write(HAPROXY_BASE)
    files = [base]
    note = ""
    answer = '    http-request return status 200 content-type text/plain string "%s"' % BODY.strip()
    if variant[0] == "corsc":
        files.append(os.path.join(variant[1], "haproxy", "cors.cfg"))
        L = ["frontend fe from cors-p0", "    bind 127.0.0.1:%d" % port, answer]
    else:
        L = ["frontend fe", "    bind 127.0.0.1:%d" % port]
        if variant[0] == "hand":
            # the usual recipe: one -m reg alternation, the request's Origin echoed;
            # req.hdr() is not available in response rules, hence the variable
            # (split into several acl lines only if PCRE2 refuses one)
            res = [pattern_regex(o) for o in variant[1]]
            for limit in (None, 60000, 16000, 4000):
                parts = [res] if limit is None else chunks(res, limit, 10)
                H = ["    acl cors_ok req.hdr(origin) -m reg '^(%s)$'" % "|".join(p) for p in parts]
                H += ["    http-request return status 204 hdr Access-Control-Allow-Origin \"%[req.hdr(origin)]\" "
                      "hdr Vary Origin if METH_OPTIONS cors_ok { req.hdr(access-control-request-method) -m found }",
                      "    http-request set-var(txn.cors_origin) req.hdr(origin) if cors_ok",
                      "    http-after-response set-header Access-Control-Allow-Origin \"%[var(txn.cors_origin)]\" "
                      "if { var(txn.cors_origin) -m found }",
                      "    http-after-response add-header Vary Origin"]
                conf = os.path.join(tmp, "site.cfg")
                with open(conf, "w") as f:
                    f.write("\n".join(L + H + [answer]) + "\n")
                if haproxy_ok(files + [conf]):
                    break
            L += H
            if len(parts) > 1:
                note = "%d acl lines" % len(parts)
        elif variant[0] == "floor":
            # headers on every response of the section need http-after-response
            # (http-response skips HAProxy's own answers); the preflight's own
            # three go on its return
            L.append("    http-request return status 204 %s if METH_OPTIONS"
                     % " ".join('hdr %s "%s"' % h for h in FLOOR_PREFLIGHT))
            L += ['    http-after-response set-header %s "%s"' % h for h in FLOOR_ACTUAL[:2]]
            L.append("    http-after-response add-header Vary Origin")
        L.append(answer)
    conf = os.path.join(tmp, "site.cfg")
    with open(conf, "w") as f:
        f.write("\n".join(L) + "\n")
    files.append(conf)
    argv = ["haproxy"] + sum([["-f", f] for f in files], [])
    check(argv[:1] + ["-c", "-q"] + argv[1:])
    return argv + ["-db"], None, note


CONF = {"nginx": nginx_conf, "apache": apache_conf, "caddy": caddy_conf, "haproxy": haproxy_conf}


def check(argv, env=None):
    p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.exit("%s failed:\n%s" % (" ".join(argv), p.stdout[-3000:]))


# ---------------------------------------------------------------- wrk

def lua_script(path, method, origin, preflight):
    with open(path, "w") as f:
        f.write('wrk.method = "%s"\n' % method)
        f.write('wrk.headers["Origin"] = "%s"\n' % origin)
        if preflight:
            f.write('wrk.headers["Access-Control-Request-Method"] = "PUT"\n')


def pinning():
    """(server CPU list, client CPU list) for taskset, or None on one CPU."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2 or not shutil.which("taskset"):
        return None
    return str(cpus[-1]), ",".join(str(c) for c in cpus[:-1])


PIN = None


def pinned(argv, side):
    return argv if PIN is None else ["taskset", "-c", PIN[side]] + argv


def group_cpu(pgid):
    """CPU ticks (user + system) of every process in group pgid."""
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                t = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(t[2]) == pgid:          # fields after ')': state ppid pgrp ...
            total += int(t[11]) + int(t[12])
    return total


def wrk(url, script, pgid):
    """(requests/s, server CPU ticks per request)."""
    c0 = group_cpu(pgid)
    p = subprocess.run(pinned(["wrk", "-t1", "-c%d" % CONNS, "-d%ds" % SECONDS, "-s", script, url], 1),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    c1 = group_cpu(pgid)
    m = re.search(r"Requests/sec:\s+([0-9.]+)", p.stdout)
    if p.returncode != 0 or not m:
        sys.exit("wrk failed on %s:\n%s" % (url, p.stdout))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", p.stdout)
    if bad:
        sys.exit("wrk got %s error responses from %s" % (bad.group(1), url))
    n = int(re.search(r"(\d+) requests in", p.stdout).group(1))
    return float(m.group(1)), (c1 - c0) / max(n, 1)


def probe(url, origin, preflight):
    """One request with curl: the response must be what the variant promises."""
    argv = ["curl", "-s", "-o", "/dev/null", "-D", "-", "-H", "Origin: " + origin, url]
    if preflight:
        argv += ["-X", "OPTIONS", "-H", "Access-Control-Request-Method: PUT"]
    return subprocess.run(argv, stdout=subprocess.PIPE, text=True).stdout


def cors_names(head):
    """The names of the Access-Control-* and Vary headers of a response head."""
    return {line.split(":", 1)[0].strip().lower() for line in head.splitlines()
            if re.match(r"(?i)(access-control-|vary:)", line)}


# ---------------------------------------------------------------- main

def main():
    corsc = os.path.abspath(sys.argv[1])
    servers = sys.argv[2:] or ["nginx", "apache", "caddy", "haproxy"]
    procs = Procs()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))
    global PIN
    PIN = pinning()
    tmp = tempfile.mkdtemp(prefix="corsc-bench.")
    os.chmod(tmp, 0o755)
    try:
        run(corsc, servers, procs, tmp)
    finally:
        procs.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)


def run(corsc, servers, procs, tmp):
    outs, origins = {}, {}
    for n in SIZES:
        path = os.path.join(tmp, "p%d.cors" % n)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_policies.py"), str(n + PATTERNS),
                        "1", "dsl", path, "--patterns", str(PATTERNS)], check=True)
        out = os.path.join(tmp, "out%d" % n)
        os.makedirs(out)
        subprocess.run([corsc, "build", "-t", "all", "-o", out, path], check=True)
        outs[n] = out
        origins[n] = origins_for(0, n + PATTERNS, PATTERNS)
    scripts = {}
    for server in servers:
        if not shutil.which(server if server != "apache" else "apache2") and \
           not os.path.exists("/usr/sbin/" + (server if server != "apache" else "apache2")):
            print("%s: not installed, skipped" % server)
            continue
        variants = [("baseline", ("base",)), ("floor", ("floor",))]
        variants += [("corsc %d" % n, ("corsc", outs[n])) for n in SIZES]
        variants += [("hand-written %d" % n, ("hand", origins[n])) for n in HAND_SIZES]
        started = []
        for name, v in variants:
            d = os.path.join(tmp, "%s-%s" % (server, name.replace(" ", "")))
            os.makedirs(d)
            os.chmod(d, 0o755)
            port = free_port()
            argv, env, note = CONF[server](d, port, v)
            log = os.path.join(d, "server.out")
            p = procs.start(pinned(argv, 0), log, env)
            wait_port(port, p, log)
            started.append((name, note, "http://127.0.0.1:%d/ok.txt" % port, p.pid))
        # The allowed origin: an exact one from the middle of the variant's list
        # (a linear matcher must not be favoured by an early hit).
        for i, (name, note, url, _) in enumerate(started):
            n = int(name.split()[-1]) if name not in REFS else SIZES[-1]
            allowed = "https://app%d.p0.example.com" % (n // 2)
            sc = {}
            for k in KINDS:
                sc[k] = os.path.join(tmp, "%s-%d-%s.lua" % (server, i, k))
            lua_script(sc["allowed"], "GET", allowed, False)
            # a near miss: shares a long prefix with the allowed origins
            lua_script(sc["disallowed"], "GET", "https://app%d.p0.example.net" % (n // 2), False)
            lua_script(sc["preflight"], "OPTIONS", allowed, True)
            scripts[name] = sc
            if name == "baseline":
                continue
            h = probe(url, allowed, False).lower()
            if "access-control-allow-origin: " + allowed not in h:
                sys.exit("%s %s: no Access-Control-Allow-Origin for %s:\n%s" % (server, name, allowed, h))
            if name != "floor" and \
               "access-control-allow-origin" in probe(url, allowed[:-4] + ".net", False).lower():
                sys.exit("%s %s: a disallowed origin was allowed" % (server, name))
            hp = probe(url, allowed, True)
            if not hp.startswith("HTTP/1.1 204"):
                sys.exit("%s %s: the preflight was not answered 204" % (server, name))
            if name == "floor" or name.startswith("corsc"):
                # the floor must send what corsc sends, header for header
                got = (cors_names(h), cors_names(hp))
                want = ({n.lower() for n, _ in FLOOR_ACTUAL},
                        {n.lower() for n, _ in FLOOR_ACTUAL + FLOOR_PREFLIGHT})
                if got != want:
                    sys.exit("%s %s: CORS headers %s, the floor assumes %s" % (server, name, got, want))
        res = {(name, k): [] for name, _, _, _ in started for k in KINDS}
        print("%s: %d variants, %d rounds of %d s per figure..." % (server, len(started), ROUNDS, SECONDS),
              file=sys.stderr, flush=True)
        for r in range(ROUNDS):
            for k in KINDS:
                # rotate the order each round so no variant always runs first
                order = started[r % len(started):] + started[:r % len(started)]
                got = {name: wrk(url, scripts[name][k], pgid) for name, _, url, pgid in order}
                base, floor = got["baseline"], got["floor"]
                for name, _, _, _ in started:
                    rps, cpu = got[name]
                    res[(name, k)].append((rps, rps / base[0], base[1] / cpu if cpu else 0.0,
                                           rps / floor[0], floor[1] / cpu if cpu else 0.0))
        procs.stop_all()
        TABLES.append((server, started, res))
    report()


TABLES = []
REFS = ("baseline", "floor")


def spread(v):
    """'median min-max' of per-round ratios."""
    return "%4.2f (%4.2f-%4.2f)" % (statistics.median(v), min(v), max(v))


def report():
    for server, started, res in TABLES:
        print()
        print("Run time, %s: %d rounds of %d s (wrk -t1 -c%d), interleaved; each ratio is per round, "
              "given as median and min-max over the rounds" % (server, ROUNDS, SECONDS, CONNS))
        for k in KINDS:
            print()
            print("%-18s %-12s %7s | %-16s %-16s | %-16s %-16s"
                  % (server + " " + k, "note", "req/s", "req/s : base", "cpu : base",
                     "req/s : floor", "cpu : floor"))
            for name, note, _, _ in started:
                v = res[(name, k)]
                line = "%-18s %-12s %7.0f |" % (name, note or "-", statistics.median(x[0] for x in v))
                for a, b in ((1, 2), (3, 4)):
                    if name in REFS[:a // 3 + 1]:
                        line += " %-16s %-16s |" % ("-", "-")
                    else:
                        line += " %-16s %-16s |" % (spread([x[a] for x in v]), spread([x[b] for x in v]))
                print(line.rstrip(" |"))
    print()
    print("Ratios: req/s = the variant's requests/s over the reference's in the same round; cpu = the "
          "reference's server CPU time per request over the variant's (1.00 = as cheap; below 1 = costs "
          "more).  base = the server without CORS; floor = the constant headers: the Access-Control-* "
          "headers and Vary that corsc sends for an allowed request (and, for OPTIONS, a 204 with the "
          "preflight's headers) as fixed values, with no lookup and no condition but the method, so also "
          "on a disallowed request: the least any CORS configuration on that server costs.  A gap is real "
          "when the whole min-max range is on one side of 1.00; inside the range it is noise.")
    print("Origins: corsc N = N exact origins + %d patterns, one policy; hand-written N = the same "
          "origins as one regex alternation (nginx: if ($http_origin ~* ...), split into several "
          "ifs where one would exceed nginx's ~4 KB parameter limit; Apache: SetEnvIf Origin; "
          "Caddy: header_regexp; HAProxy: acl -m reg on req.hdr(origin), echoed with %%[req.hdr(origin)] in a 204 "
          "return and set-header %%[var(...)] in http-after-response).  allowed = GET with an allowed exact origin, disallowed = GET "
          "with an unknown origin (a near miss: app<N/2>.p0.example.net), preflight = OPTIONS with an allowed origin and "
          "Access-Control-Request-Method.  %s" % (PATTERNS, "Servers pinned to CPU %s, wrk to CPU %s."
                                                   % PIN if PIN else "Not pinned (one CPU)."))


if __name__ == "__main__":
    main()
