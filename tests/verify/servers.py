#!/usr/bin/env python3
# `corsc verify` against real servers on loopback (tests/t-verify.sh):
#  - passes (exit 0, no error, no warning) on corsc's own output on nginx,
#    Apache, Caddy and HAProxy for every policy of every file in examples/;
#  - HAProxy: the circulating native recipe (Origin reflected with
#    credentials) is critical; the application's headers kept, and
#    http-response instead of http-after-response on its own 503, are caught;
#  - fails (exit 1) with the right finding and request on deliberately wrong
#    configurations: origin reflection with credentials, an unanchored regex
#    with unescaped dots, add_header without always, the application's own
#    Access-Control-Allow-Origin kept (duplicated), no Vary: Origin, a preflight
#    passed to an application that answers 405;
#  - works over TLS with a test CA (--cacert, --resolve) and HTTP/2, and
#    gives exit 2 with the cause when there is no answer;
#  - sends only GET, HEAD and OPTIONS, no body, no cookie, follows no
#    redirect and stays within --max-requests and --delay, as the
#    application's own request log shows.
# Servers are started with tests/e2e/harness.py and stopped by process id.
import argparse
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import harness  # noqa: E402
from harness import Fatal, log  # noqa: E402

BROKEN = os.path.join(HERE, "broken.cors")
FAILED = []


def fail(what, detail=""):
    FAILED.append(what)
    log("FAIL %s" % what)
    if detail:
        log("    " + detail.replace("\n", "\n    "))


def ok(what):
    log("ok   %s" % what)


def verify(corsc, policy_file, policy, url, *extra, timeout=20, report="json"):
    """Run corsc verify; returns (exit status, parsed report or None, stdout, stderr)."""
    argv = [corsc, "verify", policy_file, "--policy", policy, url, "--report", report,
            "--timeout", str(timeout)] + list(extra)
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=600)
    doc = None
    if report == "json" and r.stdout.startswith("{"):
        doc = json.loads(r.stdout)
    return r.returncode, doc, r.stdout, r.stderr


def findings(doc, severity=None, kind=None):
    return [f for f in doc["findings"] if (severity is None or f["severity"] == severity)
            and (kind is None or f["kind"] == kind)]


def request(doc, rid):
    return doc["plan"][rid - 1]


def summary(doc):
    lines = []
    for f in doc["findings"][:6]:
        lines.append("%s[%s] #%d %s" % (f["severity"], f["kind"], f["request"], f["message"]))
    return "\n".join(lines)


def expect_finding(name, rc, doc, err, kind, cls=None, origin=None, check=None):
    """Exit 1 and an error of this kind, on a request of origin class cls (or origin)."""
    if rc != 1 or doc is None:
        fail(name, "exit %d (want 1)\n%s" % (rc, err[-2000:]))
        return None
    for f in findings(doc, "error", kind):
        rq = request(doc, f["request"])
        if cls and rq["class"] != cls:
            continue
        if origin and rq["origin"] != origin:
            continue
        if check and not check(f, rq):
            continue
        if not f["curl"].startswith("curl ") or (rq["origin"] and rq["origin"] not in f["curl"]):
            fail(name, "the finding does not name its request: %s" % f["curl"])
            return None
        ok("%s: error[%s] on #%d %s %s" % (name, kind, rq["id"], rq["class"], rq["origin"]))
        return f
    fail(name, "no error[%s]%s%s; findings:\n%s" % (kind, " for class " + cls if cls else "",
                                                    " for " + origin if origin else "",
                                                    summary(doc)))
    return None


def replay(name, f, want_re):
    """Run the finding's curl command line as printed: it must show the same thing."""
    if not shutil.which("curl"):
        fail(name + " (replay)", "curl is not installed (a test dependency)")
        return
    r = subprocess.run(shlex.split(f["curl"]), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=60)
    if r.returncode != 0 or not re.search(want_re, r.stdout, re.I | re.M):
        fail(name + " (replay)", "%s\nexit %d, output:\n%s%s" % (f["curl"], r.returncode,
                                                                  r.stdout, r.stderr))
    else:
        ok(name + ": the finding's curl command shows it again")


# ---------------------------------------------------------------- nginx by hand

def start_nginx(procs, tmp, port, server_lines, http_lines=(), listen_extra=""):
    """A minimal nginx with a hand-written server block (the wrong configurations)."""
    os.makedirs(tmp, exist_ok=True)
    os.chmod(tmp, 0o755)
    L = []
    if os.geteuid() == 0:
        L.append("user %s %s;" % harness._unprivileged())
    L += ["daemon off;", "master_process on;", "worker_processes 1;",
          "pid %s/nginx.pid;" % tmp, "error_log %s/error.log warn;" % tmp,
          "events { worker_connections 256; }", "http {", "    access_log off;"]
    for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        L.append("    %s_temp_path %s/%s_temp;" % (t, tmp, t))
    L += ["    " + x for x in http_lines]
    L += ["    server {", "        listen 127.0.0.1:%d%s;" % (port, listen_extra)]
    L += ["        " + x for x in server_lines]
    L += ["    }", "}"]
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as fh:
        fh.write("\n".join(L) + "\n")
    nginx = harness.binary("nginx")
    chk = subprocess.run([nginx, "-t", "-p", tmp, "-c", conf], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    if chk.returncode != 0:
        raise Fatal("nginx -t failed:\n%s\n%s" % (chk.stdout, "\n".join(L)))
    log_path = os.path.join(tmp, "nginx.out")
    p = procs.start("nginx", [nginx, "-p", tmp, "-c", conf], log_path, cwd=tmp)
    harness.wait_port(port, p, "nginx", log_path)
    return p


HIDE = ["proxy_hide_header %s;" % h for h in (
    "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age",
    "Access-Control-Allow-Private-Network", "Access-Control-Expose-Headers")]


# ---------------------------------------------------------------- the parts

def part_correct(args, procs, up, servers):
    """Every example policy on corsc's own output, every server: exit 0, nothing wrong."""
    examples = sorted(f for f in os.listdir(os.path.join(args.top, "examples"))
                      if f.endswith((".cors", ".yaml", ".yml")))
    if args.examples:
        examples = [e for e in examples if e in args.examples.split(",")]
    for ex in examples:
        path = os.path.join(args.top, "examples", ex)
        out = os.path.join(args.tmp, "out", ex)
        policies = [p["name"] for p in harness.corsc_build(args.corsc, path, out)]
        for server in servers:
            sites = harness.plan_sites(policies, ["outer"])
            stmp = os.path.join(args.tmp, "%s-%s" % (server, ex))
            proc = harness.start_server(server, procs, stmp, out, policies, sites, up.port)
            try:
                for s in sites:
                    # a 404 from the application: every status carries the policy (SPEC 6)
                    url = "http://127.0.0.1:%d%ss404" % (s.port, s.prefix)
                    rc, doc, _, err = verify(args.corsc, path, s.policy, url)
                    name = "%s %s/%s" % (server, ex, s.policy)
                    bad = findings(doc, "error") + findings(doc, "warning") if doc else []
                    if rc != 0 or doc is None or bad:
                        fail(name, "exit %d\n%s\n%s" % (rc, summary(doc) if doc else "", err[-1500:]))
                    elif doc["sent"] != len(doc["plan"]) or doc["sent"] < 10:
                        fail(name, "sent %d of %d" % (doc["sent"], len(doc["plan"])))
                    else:
                        ok("%s: exit 0, %d requests, %d notes" % (name, doc["sent"],
                                                                   len(findings(doc, "note"))))
            finally:
                procs.stop(proc)


def build_broken(args, name, brk=None, edit=None):
    out = os.path.join(args.tmp, "out-" + name)
    policies = [p["name"] for p in harness.corsc_build(args.corsc, BROKEN, out)]
    if brk:
        harness.apply_break(brk, out)
    if edit:
        server, fn = edit
        d = os.path.join(out, server)
        changed = 0
        for f in sorted(os.listdir(d)):
            p = os.path.join(d, f)
            with open(p) as fh:
                s = fh.read()
            t = fn(s)
            if t != s:
                changed += 1
                with open(p, "w") as fh:
                    fh.write(t)
        if not changed:
            raise Fatal("%s: the edit found nothing to change in %s" % (name, d))
    return out, policies


def part_broken(args, procs, up, up405):
    proxy = "proxy_pass http://127.0.0.1:%d;" % up.port

    # 1. origin reflection with credentials
    port = harness.free_port()
    p = start_nginx(procs, os.path.join(args.tmp, "reflect"), port, HIDE + [
        "add_header Access-Control-Allow-Origin $http_origin always;",
        "add_header Access-Control-Allow-Credentials true always;",
        "add_header Vary Origin always;",
        "location / { %s }" % proxy])
    rc, doc, _, err = verify(args.corsc, BROKEN, "api", "http://127.0.0.1:%d/api/" % port)
    f = expect_finding("reflection with credentials", rc, doc, err, "refused-origin-allowed",
                       cls="unrelated", check=lambda f, rq: f["message"].startswith("critical"))
    if f:
        replay("reflection with credentials", f,
               r"^access-control-allow-origin: https://corsc-probe\.example\s*$")
    # the JUnit report of the same run: one test case per request, failures carry the finding
    rc2, _, xml, _ = verify(args.corsc, BROKEN, "api", "http://127.0.0.1:%d/api/" % port,
                            report="junit")
    try:
        root = ET.fromstring(xml)
        cases = root.findall(".//testcase")
        fails = [c for c in cases if c.find("failure") is not None]
        if rc2 != 1 or len(cases) != len(doc["plan"]) or not fails or \
                "curl " not in (fails[0].find("failure").text or ""):
            fail("junit report", "exit %d, %d cases, %d failures" % (rc2, len(cases), len(fails)))
        else:
            ok("junit report: %d test cases, %d failures" % (len(cases), len(fails)))
    except ET.ParseError as e:
        fail("junit report", "not XML: %s\n%s" % (e, xml[:500]))
    # the same run under valgrind, every report: no leak, no memory error
    if not shutil.which("valgrind"):
        fail("valgrind", "valgrind is not installed (a test dependency)")
    else:
        for rep in ("text", "json", "junit"):
            r = subprocess.run(["valgrind", "-q", "--leak-check=full",
                                "--errors-for-leak-kinds=definite,indirect",
                                "--error-exitcode=99", args.corsc, "verify", BROKEN, "--policy",
                                "api", "http://127.0.0.1:%d/api/" % port, "--report", rep,
                                "--max-requests", "40"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               timeout=600)
            if r.returncode != 1:
                fail("valgrind (%s)" % rep, "exit %d\n%s" % (r.returncode, r.stderr[-3000:]))
            else:
                ok("valgrind (%s report): clean, exit 1" % rep)
    procs.stop(p)

    # 2. an unanchored regex with unescaped dots
    port = harness.free_port()
    p = start_nginx(procs, os.path.join(args.tmp, "regex"), port, HIDE + [
        "add_header Access-Control-Allow-Origin $bad_origin always;",
        "add_header Access-Control-Allow-Credentials $bad_creds always;",
        "add_header Vary Origin always;",
        "location / { %s }" % proxy], http_lines=[
        'map $http_origin $bad_origin { default ""; "~https://app.example.com" $http_origin; '
        '"~https://.*.tenants.example.com" $http_origin; }',
        'map $bad_origin $bad_creds { default "true"; "" ""; }'])
    url = "http://127.0.0.1:%d/api/" % port
    rc, doc, _, err = verify(args.corsc, BROKEN, "api", url)
    expect_finding("unanchored regex", rc, doc, err, "refused-origin-allowed",
                   origin="https://app.example.com.corsc-probe.example")
    expect_finding("unescaped dot in a regex", rc, doc, err, "refused-origin-allowed",
                   origin="https://appxexample.com")
    procs.stop(p)

    # 3. add_header without always: a 404 from the application has no CORS headers
    out, pol = build_broken(args, "no-always", brk="nginx-no-always")
    sites = harness.plan_sites(pol, ["outer"])
    p = harness.start_server("nginx", procs, os.path.join(args.tmp, "no-always"), out, pol,
                             sites, up.port)
    rc, doc, _, err = verify(args.corsc, BROKEN, "api",
                             "http://127.0.0.1:%d/api/s404" % sites[0].port)
    expect_finding("add_header without always", rc, doc, err, "allowed-origin-refused",
                   cls="allowed", check=lambda f, rq: not rq["request_method"])
    procs.stop(p)

    # 4. the application's own Access-Control-Allow-Origin kept next to the policy's
    if "apache" in args.servers_present:
        out, pol = build_broken(args, "dup", brk="apache-no-unset")
        sites = harness.plan_sites(pol, ["outer"])
        p = harness.start_server("apache", procs, os.path.join(args.tmp, "dup"), out, pol,
                                 sites, up.port)
        rc, doc, _, err = verify(args.corsc, BROKEN, "api",
                                 "http://127.0.0.1:%d/api/" % sites[0].port)
        expect_finding("duplicated Access-Control-Allow-Origin", rc, doc, err, "duplicate-header",
                       cls="allowed",
                       check=lambda f, rq: "Access-Control-Allow-Origin appears" in f["message"])
        procs.stop(p)

    # 5. no Vary: Origin
    out, pol = build_broken(args, "no-vary", edit=("nginx", lambda s: re.sub(
        r"(?m)^\s*add_header\s+Vary\b.*$", "# (vary removed by the test)", s)))
    sites = harness.plan_sites(pol, ["outer"])
    p = harness.start_server("nginx", procs, os.path.join(args.tmp, "no-vary"), out, pol,
                             sites, up.port)
    rc, doc, _, err = verify(args.corsc, BROKEN, "api", "http://127.0.0.1:%d/api/" % sites[0].port)
    expect_finding("no Vary: Origin", rc, doc, err, "vary-lacks-origin", cls="allowed")
    procs.stop(p)

    # 6. the preflight passed to an application that answers OPTIONS with 405
    out, pol = build_broken(args, "pf405", edit=("nginx", lambda s: re.sub(
        r"if \(\$cors__preflight\) \{[^}]*return 204;\s*\}", "# (preflight answer removed)", s)))
    sites = harness.plan_sites(pol, ["outer"])
    p = harness.start_server("nginx", procs, os.path.join(args.tmp, "pf405"), out, pol,
                             sites, up405.port)
    rc, doc, _, err = verify(args.corsc, BROKEN, "api", "http://127.0.0.1:%d/api/" % sites[0].port)
    expect_finding("preflight answered 405 by the application", rc, doc, err, "preflight-not-ok",
                   cls="allowed", check=lambda f, rq: f["got"] == "status 405")
    procs.stop(p)


def start_haproxy(procs, tmp, out, sections):
    """HAProxy with harness's base (defaults cors-base), corsc's cors.cfg from
    out (if any) and sections; returns the Popen."""
    os.makedirs(tmp, exist_ok=True)
    base = os.path.join(tmp, "base.cfg")
    with open(base, "w") as f:
        f.write(harness.HAPROXY_BASE)
    site = os.path.join(tmp, "site.cfg")
    with open(site, "w") as f:
        f.write("\n".join(sections) + "\n")
    files = ["-f", base] + (["-f", os.path.join(out, "haproxy", "cors.cfg")] if out else []) + ["-f", site]
    r = subprocess.run([harness.binary("haproxy"), "-c"] + files, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise Fatal("haproxy -c:\n%s\n%s" % (r.stdout[-2000:], "\n".join(sections)))
    log_path = os.path.join(tmp, "haproxy.out")
    p = procs.start("haproxy", [harness.binary("haproxy")] + files + ["-db"], log_path)
    for m in re.finditer(r"bind 127\.0\.0\.1:(\d+)", "\n".join(sections)):
        harness.wait_port(int(m.group(1)), p, "haproxy", log_path)
    return p


def part_haproxy(args, procs, up):
    """HAProxy: the native recipe in circulation (the request's Origin reflected
    with credentials, no allow-list) is critical; corsc's output without its
    del-header (the application's headers leak for refused origins), or with http-response instead of
    http-after-response on HAProxy's own 503, is caught; TLS with HTTP/2 passes."""
    port = harness.free_port()
    p = start_haproxy(procs, os.path.join(args.tmp, "hap-reflect"), None, [
        "frontend fe", "    bind 127.0.0.1:%d" % port,
        "    http-request set-var(txn.origin) req.hdr(origin)",
        "    http-response set-header Access-Control-Allow-Origin %[var(txn.origin)]",
        "    http-response set-header Access-Control-Allow-Credentials true",
        "    default_backend app", "backend app", "    server up 127.0.0.1:%d" % up.port])
    rc, doc, _, err = verify(args.corsc, BROKEN, "api", "http://127.0.0.1:%d/api/" % port)
    expect_finding("haproxy: Origin reflected with credentials", rc, doc, err,
                   "refused-origin-allowed", cls="unrelated",
                   check=lambda f, rq: f["message"].startswith("critical"))
    procs.stop(p)

    out, pol = build_broken(args, "hap-dup", brk="haproxy-no-delete")
    sites = harness.plan_sites(pol, ["outer"])
    p = harness.start_server("haproxy", procs, os.path.join(args.tmp, "hap-dup"), out, pol, sites, up.port)
    rc, doc, _, err = verify(args.corsc, BROKEN, "api", "http://127.0.0.1:%d/api/" % sites[0].port)
    # set-header replaces the application's header where the policy sets one;
    # for a refused origin the application's own answer leaks through
    expect_finding("haproxy: the application's Access-Control-* kept (no del-header)", rc, doc, err,
                   "refused-origin-allowed", cls="unrelated")
    procs.stop(p)

    # HAProxy's own 503 (the server is down): corsc's output passes; with
    # http-response instead of http-after-response an allowed origin is refused
    dead = harness.free_port()
    down = ["backend down", "    retries 0", "    server gone 127.0.0.1:%d" % dead]
    for name, brk in (("hap-503", None), ("hap-503-no-after", "haproxy-no-after")):
        out, pol = build_broken(args, name, brk=brk)
        port = harness.free_port()
        p = start_haproxy(procs, os.path.join(args.tmp, name), out, [
            "frontend fe from cors-api", "    bind 127.0.0.1:%d" % port, "    default_backend down"] + down)
        rc, doc, _, err = verify(args.corsc, BROKEN, "api", "http://127.0.0.1:%d/api/" % port)
        if brk is None:
            if rc != 0 or doc is None or findings(doc, "error"):
                fail("haproxy: its own 503", "exit %d\n%s\n%s" % (rc, summary(doc) if doc else "", err[-800:]))
            else:
                ok("haproxy: its own 503 carries the policy: exit 0, %d requests" % doc["sent"])
        else:
            expect_finding("haproxy: http-response skips its own 503", rc, doc, err,
                           "allowed-origin-refused", cls="allowed")
        procs.stop(p)

    if not shutil.which("openssl"):
        fail("haproxy TLS", "openssl is not installed (a test dependency)")
        return
    d = make_ca(os.path.join(args.tmp, "hap-tls"))
    pem = os.path.join(d, "server-with-key.pem")
    with open(pem, "w") as f:
        f.write(open(os.path.join(d, "server.pem")).read() + open(os.path.join(d, "server.key")).read())
    out, pol = build_broken(args, "hap-tls")
    port = harness.free_port()
    p = start_haproxy(procs, os.path.join(args.tmp, "hap-tls"), out, [
        "frontend fe from cors-api", "    bind 127.0.0.1:%d ssl crt %s alpn h2,http/1.1" % (port, pem),
        "    default_backend app", "backend app", "    server up 127.0.0.1:%d" % up.port])
    rc, doc, _, err = verify(args.corsc, BROKEN, "api", "https://verify.test:%d/api/" % port,
                             "--resolve", "verify.test:%d:127.0.0.1" % port, "--cacert", os.path.join(d, "ca.pem"))
    versions = sorted({a.get("http_version") for a in doc["answers"]}) if doc else []
    if rc != 0 or findings(doc, "error") or versions != ["2"]:
        fail("haproxy: TLS with a test CA and HTTP/2", "exit %d, HTTP versions %s\n%s\n%s"
             % (rc, versions, summary(doc) if doc else "", err[-1500:]))
    else:
        ok("haproxy: TLS with --cacert and --resolve, HTTP/2: exit 0, %d requests" % doc["sent"])
    procs.stop(p)


def make_ca(tmp):
    """A test CA and a certificate for verify.test signed by it (openssl)."""
    d = os.path.join(tmp, "tls")
    os.makedirs(d, exist_ok=True)
    def run(*a):
        r = subprocess.run(["openssl"] + list(a), cwd=d, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise Fatal("openssl %s:\n%s" % (" ".join(a), r.stdout))
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        "/CN=corsc verify test CA", "-keyout", "ca.key", "-out", "ca.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=verify.test", "-keyout",
        "server.key", "-out", "server.csr")
    with open(os.path.join(d, "ext.cnf"), "w") as fh:
        fh.write("subjectAltName=DNS:verify.test\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem")
    os.chmod(os.path.join(d, "server.key"), 0o644)
    return d


def part_tls(args, procs, up):
    if not shutil.which("openssl"):
        fail("TLS", "openssl is not installed (a test dependency)")
        return
    d = make_ca(args.tmp)
    out = os.path.join(args.tmp, "out-tls")
    harness.corsc_build(args.corsc, BROKEN, out)
    port = harness.free_port()
    n = os.path.join(out, "nginx")
    p = start_nginx(procs, os.path.join(args.tmp, "tls-nginx"), port, [
        "ssl_certificate %s/server.pem;" % d, "ssl_certificate_key %s/server.key;" % d,
        "include %s/cors-api.conf;" % n,
        "location / { proxy_pass http://127.0.0.1:%d; }" % up.port],
        http_lines=["include %s/cors-http.conf;" % n], listen_extra=" ssl http2")
    url = "https://verify.test:%d/api/" % port
    res = "verify.test:%d:127.0.0.1" % port
    rc, doc, _, err = verify(args.corsc, BROKEN, "api", url, "--resolve", res,
                             "--cacert", os.path.join(d, "ca.pem"))
    versions = sorted({a.get("http_version") for a in doc["answers"]}) if doc else []
    if rc != 0 or findings(doc, "error") or versions != ["2"]:
        fail("TLS with a test CA and HTTP/2", "exit %d, HTTP versions %s\n%s\n%s"
             % (rc, versions, summary(doc) if doc else "", err[-1500:]))
    else:
        ok("TLS with --cacert and --resolve, HTTP/2: exit 0, %d requests" % doc["sent"])
    # the same endpoint without the test CA: no answer, exit 2, the cause named
    rc, doc, txt, err = verify(args.corsc, BROKEN, "api", url, "--resolve", res, report="text")
    if rc != 2 or "TLS failure" not in err or "NO ANSWER" not in txt:
        fail("TLS without the CA", "exit %d\n%s" % (rc, err[-800:]))
    else:
        ok("TLS without the CA: exit 2, %s" % err.strip().splitlines()[-1])
    procs.stop(p)


def part_no_answer(args):
    # a port that listens but never answers: a timeout, exit 2
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    try:
        url = "http://127.0.0.1:%d/" % s.getsockname()[1]
        t0 = time.time()
        rc, doc, _, err = verify(args.corsc, BROKEN, "api", url, timeout=1)
        if rc != 2 or "timeout" not in err or doc is None or doc["result"]["no_answer"] is None:
            fail("silent endpoint", "exit %d\n%s" % (rc, err[-800:]))
        elif time.time() - t0 > 30:
            fail("silent endpoint", "took %.0fs with --timeout 1" % (time.time() - t0))
        else:
            ok("silent endpoint: exit 2 after one request, %s" % err.strip())
    finally:
        s.close()


def upstream(procs, tmp, **env):
    """tests/e2e/upstream.py in its own folder; env: UPSTREAM_* switches for it."""
    os.makedirs(tmp, exist_ok=True)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return harness.Upstream(procs, tmp)
    finally:
        for k, v in old.items():
            if v is None:
                del os.environ[k]
            else:
                os.environ[k] = v


def read_log(path):
    with open(path) as fh:
        return [l.split() for l in fh if l.strip()]


def part_safety(args, procs):
    """The application's own log: what verify sent, straight to the application."""
    up = upstream(procs, os.path.join(args.tmp, "safe-up"), UPSTREAM_LOG_HEADERS="1")
    url = "http://127.0.0.1:%d/safe/s301" % up.port
    # the whole plan of a policy with PUT and DELETE
    rc, doc, _, err = verify(args.corsc, BROKEN, "api", url)
    lines = read_log(up.log_path)
    methods = sorted({l[1] for l in lines})
    bad = [l for l in lines if l[1] not in ("GET", "HEAD", "OPTIONS") or l[3] != "body=0"
           or l[4] != "cookie=no" or l[5] != "te=-" or l[2] != "/safe/s301"]
    if doc is None or len(lines) != doc["sent"] or bad or doc["sent"] > 200 or \
            methods != ["GET", "HEAD", "OPTIONS"]:
        fail("safe methods", "exit %d, %d log lines for %s sent, methods %s, bad lines %s\n%s"
             % (rc, len(lines), doc and doc["sent"], methods, bad[:3], err[-500:]))
    else:
        ok("safe methods: %d requests in the application's log, methods %s, no body, no "
           "cookie, the redirect not followed" % (len(lines), ", ".join(methods)))
    # --max-requests and --delay
    n0 = len(lines)
    t0 = time.time()
    rc, doc, _, err = verify(args.corsc, BROKEN, "api", url, "--max-requests", "7",
                             "--delay", "150")
    took = time.time() - t0
    lines = read_log(up.log_path)[n0:]
    if doc is None or len(lines) != 7 or doc["sent"] != 7 or doc["planned"] <= 7 or took < 0.9:
        fail("--max-requests 7 --delay 150", "exit %d, %d log lines, %.2fs\n%s"
             % (rc, len(lines), took, err[-500:]))
    else:
        ok("--max-requests 7 --delay 150: 7 requests of %d planned in the log, %.2fs"
           % (doc["planned"], took))
    # a cookie only when --header gives it; its value stays out of the report
    n0 += len(lines)
    rc, doc, txt, err = verify(args.corsc, BROKEN, "api", url, "--max-requests", "3",
                               "--header", "Cookie: session=s3cr3t-value", report="text")
    lines = read_log(up.log_path)[n0:]
    if len(lines) != 3 or any(l[4] != "cookie=yes" for l in lines) or "s3cr3t-value" in txt:
        fail("--header Cookie", "%d lines %s\n%s" % (len(lines), lines, txt[-800:]))
    else:
        ok("--header Cookie: sent with each of 3 requests, its value not in the report")
    procs.stop(up.proc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corsc", default=os.environ.get("CORSC"))
    ap.add_argument("--top", default=os.environ.get("TOP"))
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--parts", default="correct,broken,tls,noanswer,safety")
    ap.add_argument("--servers", default=",".join(harness.SERVERS))
    ap.add_argument("--examples", default="", help="only these files of examples/ (comma list)")
    args = ap.parse_args()
    procs = harness.Processes()
    missing = harness.missing_servers()
    servers = [s for s in args.servers.split(",") if s not in missing]
    args.servers_present = servers
    parts = args.parts.split(",")
    try:
        up = upstream(procs, os.path.join(args.tmp, "up"))
        if "correct" in parts:
            part_correct(args, procs, up, servers)
        if "nginx" in servers:
            if "broken" in parts:
                up405 = upstream(procs, os.path.join(args.tmp, "up405"),
                                 UPSTREAM_OPTIONS_STATUS="405")
                part_broken(args, procs, up, up405)
            if "tls" in parts:
                part_tls(args, procs, up)
        if "haproxy" in servers and "broken" in parts:
            part_haproxy(args, procs, up)
        if "noanswer" in parts:
            part_no_answer(args)
        if "safety" in parts:
            part_safety(args, procs)
    except Fatal as e:
        log("test bed failure: %s" % e)
        return 1
    finally:
        procs.stop_all()
    log("verify servers: %d failed" % len(FAILED))
    return harness.exit_status(FAILED, missing, bool(servers))


if __name__ == "__main__":
    sys.exit(main())
