# Shared machinery of the end-to-end tests: processes stopped by their id
# whatever happens, free loopback ports, the upstream application, and
# nginx / Apache / Caddy / HAProxy launched with nothing but corsc's output.
import atexit
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVERS = ("nginx", "apache", "caddy", "haproxy")
BINARIES = {"nginx": "nginx", "apache": "apache2", "caddy": "caddy", "haproxy": "haproxy"}
APACHE_MODULES = "/usr/lib/apache2/modules"


def log(*args):
    print(*args, flush=True)


def exit_status(failed, missing, ran=True):
    """0 all passed, 1 a failure, 77 nothing could run.  A missing server is
    not a skip of the whole test: the others are tested, and each missing one
    is a "SKIP:" line that tests/run-shell-tests counts (and CI=true fails)."""
    for s in missing:
        log("SKIP: %s not installed (.ci/deps test installs it)" % s)
    if failed:
        return 1
    if missing and not ran:
        return 77
    return 0


class Fatal(Exception):
    """Something in the test bed itself went wrong (not a mismatch)."""


# ---------------------------------------------------------------- processes

class Processes:
    """Every process the test starts, stopped by its id on exit, error or signal."""

    def __init__(self):
        self.procs = []          # (name, Popen)
        atexit.register(self.stop_all)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        self.stop_all()
        raise SystemExit(128 + signum)

    def start(self, name, argv, log_path, env=None, cwd=None):
        out = open(log_path, "ab")
        try:
            # A new session: the process id is also the group id of its workers.
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                 env=env, cwd=cwd, start_new_session=True)
        finally:
            out.close()
        self.procs.append((name, p))
        return p

    def stop(self, p, timeout=5.0):
        if p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        # Leftover workers of that process (same group, id = its pid).
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if p.poll() is None:
            p.wait(5)
        self.procs = [(n, q) for n, q in self.procs if q is not p]

    def stop_all(self):
        for name, p in list(self.procs):
            try:
                self.stop(p)
            except Exception as e:   # keep stopping the others
                log("warning: could not stop %s (pid %d): %s" % (name, p.pid, e))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, log_path, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise Fatal("%s exited with status %s before listening on %d:\n%s"
                        % (what, proc.returncode, port, tail(log_path)))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise Fatal("%s did not listen on port %d within %.0fs:\n%s" % (what, port, timeout, tail(log_path)))


def tail(path, n=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return "(no log)"


def missing_servers():
    return [s for s in SERVERS if shutil.which(BINARIES[s]) is None and
            not os.path.exists("/usr/sbin/" + BINARIES[s])]


def binary(server):
    return shutil.which(BINARIES[server]) or "/usr/sbin/" + BINARIES[server]


def make_tmp(given=None, prefix="corsc-e2e."):
    if given:
        os.makedirs(given, exist_ok=True)
        return given, False
    return tempfile.mkdtemp(prefix=prefix), True


# ---------------------------------------------------------------- corsc

def corsc_build(corsc, policy_file, outdir, targets=("all", "json")):
    os.makedirs(outdir, exist_ok=True)
    argv = [corsc, "build"]
    for t in targets:
        argv += ["-t", t]
    argv += ["-o", outdir, policy_file]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise Fatal("%s failed (exit %d):\n%s%s" % (" ".join(argv), r.returncode, r.stdout, r.stderr))
    with open(os.path.join(outdir, "json", "policies.json")) as f:
        return json.load(f)["policies"]


# What eval is asked for an Origin it refuses as malformed (SPEC section 4):
# a server matches no origin against it (SPEC section 6), so it answers as
# for a well-formed origin that no test policy allows.
NO_MATCH_ORIGIN = "https://no-match.invalid"


def corsc_eval(corsc, policy_file, policy, origin, method, headers, preflight, pna):
    """eval's answer (JSON).  No Origin, or an empty one (README: empty headers
    are absent), is --no-origin; one that eval calls malformed is asked as
    NO_MATCH_ORIGIN, which must then be refused (or the policy is origins *)."""
    if origin is not None and origin != "":
        res = _corsc_eval(corsc, policy_file, policy, origin, method, headers, preflight, pna,
                          quiet_malformed=True)
        if res is not None:
            return res
        res = _corsc_eval(corsc, policy_file, policy, NO_MATCH_ORIGIN, method, headers, preflight, pna)
        acao = [v for n, v in res["headers"] if n == "Access-Control-Allow-Origin"]
        if res["allowed"] and acao != ["*"]:
            raise Fatal("policy %s allows %s: pick another NO_MATCH_ORIGIN" % (policy, NO_MATCH_ORIGIN))
        return res
    return _corsc_eval(corsc, policy_file, policy, None, method, headers, preflight, pna)


def _corsc_eval(corsc, policy_file, policy, origin, method, headers, preflight, pna, quiet_malformed=False):
    argv = [corsc, "eval", policy_file, "--policy", policy, "--diagnostics", "json"]
    if origin is not None:
        argv.append("--origin=" + origin)    # "=": a value may start with "-"
    else:
        argv.append("--no-origin")
    if method is not None:
        argv.append("--method=" + method)
    for h in headers:
        argv.append("--header=" + h)
    if preflight:
        argv.append("--preflight")
    if pna:
        argv.append("--private-network")
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if quiet_malformed and r.returncode == 2 and "malformed --origin" in r.stderr:
        return None
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    if r.returncode != 0 or not lines:
        raise Fatal("corsc eval failed (exit %d): %s\n%s%s"
                    % (r.returncode, " ".join(argv), r.stdout, r.stderr))
    res = json.loads(lines[-1])
    if "headers" not in res or "preflight" not in res:
        raise Fatal("corsc eval gave no verdict: %s -> %s" % (" ".join(argv), lines[-1]))
    return res


# ---------------------------------------------------------------- upstream

class Upstream:
    def __init__(self, procs, tmp):
        self.log_path = os.path.join(tmp, "upstream-requests.log")
        port_file = os.path.join(tmp, "upstream.port")
        out = os.path.join(tmp, "upstream.out")
        self.proc = procs.start("upstream", [sys.executable, os.path.join(HERE, "upstream.py"),
                                             "--log", self.log_path, "--port-file", port_file], out)
        deadline = time.time() + 10
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise Fatal("upstream did not start:\n" + tail(out))
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = int(f.read())
        wait_port(self.port, self.proc, "upstream", out)

    def seen_ids(self):
        ids = set()
        with open(self.log_path) as f:
            for line in f:
                ids.add(line.split(" ", 1)[0])
        return ids


# ---------------------------------------------------------------- breaking a backend

def apply_break(mode, outdir):
    """E2E_BREAK: damage corsc's output on purpose, to show the suite can fail."""
    if not mode:
        return None
    rules = {
        # nginx: add_header without `always` skips 4xx/5xx answers
        "nginx-no-always": ("nginx", lambda s: re.sub(r"(add_header[^;]*?)\s+always\s*;", r"\1;", s)),
        # Apache: keep the application's Access-Control-* headers (duplicates)
        "apache-no-unset": ("apache", lambda s: re.sub(r"(?m)^\s*Header\s+(onsuccess\s+)?unset\s+Access-Control-.*$",
                                                        "# (E2E_BREAK removed an unset)", s)),
        # Caddy: keep the application's Access-Control-* headers (duplicates)
        "caddy-no-delete": ("caddy", lambda s: re.sub(r"(?m)^\s*(header\s+)?-Access-Control-\S*\s*$", "", s)),
        # HAProxy: keep the application's Access-Control-* headers (duplicates)
        "haproxy-no-delete": ("haproxy", lambda s: re.sub(r"(?m)^\s*http-after-response del-header access-control-.*$",
                                                          "", s)),
        # HAProxy: http-response instead of http-after-response (its own 503/403/... lose the headers)
        "haproxy-no-after": ("haproxy", lambda s: s.replace("http-after-response set-header", "http-response set-header")),
        # Apache: preflights after the login again (tests/e2e/shapes.py auth)
        "apache-login-first": ("apache", lambda s: s.replace("    Require all granted\n", "")),
        # Apache: the headers outside <If "true">, so .htaccess runs after them (shapes.py htaccess)
        "apache-htaccess-wins": ("apache", lambda s: s.replace('<If "true">\n', "")[:-len("</If>\n")]
                                 if '<If "true">\n' in s else s),
    }
    if mode not in rules:
        raise Fatal("unknown E2E_BREAK=%s (one of %s)" % (mode, ", ".join(sorted(rules))))
    server, fn = rules[mode]
    d = os.path.join(outdir, server)
    changed = 0
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        with open(p) as f:
            s = f.read()
        t = fn(s)
        if t != s:
            changed += 1
            with open(p, "w") as f:
                f.write(t)
    if not changed:
        raise Fatal("E2E_BREAK=%s found nothing to break in %s" % (mode, d))
    return server


# ---------------------------------------------------------------- servers

class Site:
    """Where a policy is served: a port and a path prefix."""

    def __init__(self, policy, mode, port, prefix):
        self.policy, self.mode, self.port, self.prefix = policy, mode, port, prefix

    def __repr__(self):
        return "%s/%s:%d%s" % (self.policy, self.mode, self.port, self.prefix)


def plan_sites(policies, modes):
    """Per include mode: 'outer' gives each policy its own server (own port),
    'inner' gives all policies one server, a path prefix each."""
    sites = []
    if "outer" in modes:
        for name in policies:
            sites.append(Site(name, "outer", free_port(), "/p/%s/" % name))
    if "inner" in modes:
        port = free_port()
        for name in policies:
            sites.append(Site(name, "inner", port, "/p/%s/" % name))
    return sites


def _root_user():
    return os.geteuid() == 0


def _unprivileged():
    for user, group in (("nobody", "nogroup"), ("nobody", "nobody")):
        try:
            pwd.getpwnam(user)
            import grp
            grp.getgrnam(group)
            return user, group
        except KeyError:
            continue
    return "nobody", "nogroup"


def start_server(server, procs, tmp, outdir, policies, sites, upstream_port):
    """Write a minimal configuration that includes corsc's files from outdir, start
    the server, wait until every port listens.  Returns the Popen."""
    os.makedirs(tmp, exist_ok=True)
    os.chmod(tmp, 0o755)
    fn = {"nginx": _nginx, "apache": _apache, "caddy": _caddy, "haproxy": _haproxy}[server]
    argv, env, log_path = fn(tmp, outdir, policies, sites, upstream_port)
    proc = procs.start(server, argv, log_path, env=env, cwd=tmp)
    for port in sorted({s.port for s in sites}):
        wait_port(port, proc, server, log_path)
    return proc


def _nginx(tmp, outdir, policies, sites, up):
    d = os.path.join(outdir, "nginx")
    L = []
    if _root_user():
        L.append("user %s %s;" % _unprivileged())
    L += ["daemon off;", "master_process on;", "worker_processes 1;",
          "pid %s/nginx.pid;" % tmp, "error_log %s/error.log warn;" % tmp,
          "events { worker_connections 512; }", "http {", "    access_log off;"]
    for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        L.append("    %s_temp_path %s/%s_temp;" % (t, tmp, t))
    http_conf = os.path.join(d, "cors-http.conf")
    if os.path.exists(http_conf):
        L.append("    include %s;" % http_conf)
    proxy = "proxy_pass http://127.0.0.1:%d;" % up
    for s in sites:
        if s.mode == "outer":
            L += ["    server {", "        listen 127.0.0.1:%d;" % s.port,
                  "        include %s/cors-%s.conf;" % (d, s.policy),
                  "        location / { %s }" % proxy, "    }"]
    inner = [s for s in sites if s.mode == "inner"]
    if inner:
        L += ["    server {", "        listen 127.0.0.1:%d;" % inner[0].port]
        for s in inner:
            L += ["        location %s {" % s.prefix,
                  "            include %s/cors-%s.conf;" % (d, s.policy),
                  "            %s" % proxy, "        }"]
        L += ["        location / { %s }" % proxy, "    }"]
    L.append("}")
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write("\n".join(L) + "\n")
    log_path = os.path.join(tmp, "nginx.out")
    check = subprocess.run([binary("nginx"), "-t", "-p", tmp, "-c", conf],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check.returncode != 0:
        raise Fatal("nginx -t failed:\n%s\n--- %s\n%s" % (check.stdout, conf, "\n".join(L)))
    return [binary("nginx"), "-p", tmp, "-c", conf], None, log_path


def _apache_modules(outdir):
    """The modules every configuration needs, plus those the generated files ask
    for: <IfModule !X_module> guards and a "Modules: a, b" header comment."""
    want = ["mpm_event", "authz_core", "headers", "rewrite", "alias", "proxy", "proxy_http",
            "setenvif", "env"]
    d = os.path.join(outdir, "apache")
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name)) as f:
            for line in f:
                want += re.findall(r"<IfModule\s+!?([a-z0-9_]+)_module>", line)
                want += re.findall(r"\bmod_([a-z0-9_]+)\b", line)
                m = re.match(r"\s*#\s*Modules:\s*([a-z0-9_, ]+)", line)
                if m:
                    want += [w.strip() for w in m.group(1).split(",") if w.strip()]
    out = []
    for m in want:
        if m not in out and os.path.exists("%s/mod_%s.so" % (APACHE_MODULES, m)):
            out.append(m)
    return out


def _apache(tmp, outdir, policies, sites, up):
    d = os.path.join(outdir, "apache")
    run = os.path.join(tmp, "run")
    os.makedirs(run, exist_ok=True)
    L = ["ServerRoot %s" % tmp, "ServerName 127.0.0.1", "PidFile %s/apache.pid" % tmp,
         "DefaultRuntimeDir %s" % run, "ErrorLog %s/error.log" % tmp, "LogLevel warn"]
    for m in _apache_modules(outdir):
        L.append("LoadModule %s_module %s/mod_%s.so" % (m, APACHE_MODULES, m))
    if _root_user():
        L += ["User %s" % _unprivileged()[0], "Group %s" % _unprivileged()[1]]
    L += ["StartServers 1", "ServerLimit 2", "ThreadsPerChild 32", "MaxRequestWorkers 64",
          "KeepAlive On", "MaxKeepAliveRequests 0", "Timeout 30"]
    for port in sorted({s.port for s in sites}):
        L.append("Listen 127.0.0.1:%d" % port)
    server_conf = os.path.join(d, "cors-server.conf")
    if os.path.exists(server_conf):
        L.append("Include %s" % server_conf)
    target = "http://127.0.0.1:%d" % up
    for s in sites:
        if s.mode == "outer":
            L += ["<VirtualHost 127.0.0.1:%d>" % s.port,
                  "    Include %s/cors-%s.conf" % (d, s.policy),
                  "    ProxyPass / %s/" % target,
                  "</VirtualHost>"]
    inner = [s for s in sites if s.mode == "inner"]
    if inner:
        L.append("<VirtualHost 127.0.0.1:%d>" % inner[0].port)
        for s in inner:
            L += ["    <Location %s>" % s.prefix,
                  "        Include %s/cors-%s.conf" % (d, s.policy),
                  "        ProxyPass %s%s" % (target, s.prefix),
                  "    </Location>"]
        L.append("</VirtualHost>")
    conf = os.path.join(tmp, "apache2.conf")
    with open(conf, "w") as f:
        f.write("\n".join(L) + "\n")
    env = dict(os.environ)
    env.pop("APACHE_CONFDIR", None)
    check = subprocess.run([binary("apache"), "-t", "-d", tmp, "-f", conf], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check.returncode != 0:
        raise Fatal("apache2 -t failed:\n%s\n--- %s\n%s" % (check.stdout, conf, "\n".join(L)))
    return ([binary("apache"), "-d", tmp, "-f", conf, "-DFOREGROUND"], env,
            os.path.join(tmp, "apache.out"))


def _caddy(tmp, outdir, policies, sites, up):
    d = os.path.join(outdir, "caddy")
    L = ["{", "\tadmin off", "\tauto_https off", "}", "", "import %s/cors.caddy" % d, ""]
    target = "127.0.0.1:%d" % up
    for s in sites:
        if s.mode == "outer":
            L += ["http://:%d {" % s.port, "\tbind 127.0.0.1",
                  "\timport cors-%s" % s.policy,
                  "\treverse_proxy %s" % target, "}", ""]
    inner = [s for s in sites if s.mode == "inner"]
    if inner:
        L += ["http://:%d {" % inner[0].port, "\tbind 127.0.0.1"]
        for s in inner:
            L += ["\thandle %s* {" % s.prefix, "\t\timport cors-%s" % s.policy,
                  "\t\treverse_proxy %s" % target, "\t}"]
        L += ["\thandle {", "\t\treverse_proxy %s" % target, "\t}", "}", ""]
    conf = os.path.join(tmp, "Caddyfile")
    with open(conf, "w") as f:
        f.write("\n".join(L) + "\n")
    env = dict(os.environ)
    for k in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        env[k] = os.path.join(tmp, "caddy-home")
    os.makedirs(env["HOME"], exist_ok=True)
    check = subprocess.run([binary("caddy"), "validate", "--config", conf, "--adapter", "caddyfile"],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check.returncode != 0:
        raise Fatal("caddy validate failed:\n%s\n--- %s\n%s" % (check.stdout[-3000:], conf, "\n".join(L)))
    return ([binary("caddy"), "run", "--config", conf, "--adapter", "caddyfile"], env,
            os.path.join(tmp, "caddy.out"))


# HAProxy 2.6 refuses a request with a longer header name (400, from its parser).
HAPROXY_MAX_HEADER_NAME = 255

# tune.bufsize: the hostile corpus sends header lines of nearly 8 KB, more than
# the default 16 KB buffer (half kept for rewrites) lets HAProxy parse (400).
HAPROXY_BASE = """global
    maxconn 512
    tune.bufsize 65536
defaults cors-base
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
"""


def haproxy_fragment(outdir, policy, indent="    "):
    """haproxy/cors-NAME.fragment as pasted at the top of a section."""
    with open(os.path.join(outdir, "haproxy", "cors-%s.fragment" % policy)) as f:
        return [indent + l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]


def _haproxy(tmp, outdir, policies, sites, up):
    """Both ways of the README: 'outer' sites are frontends that use the named
    defaults of haproxy/cors.cfg (frontend scope, -f), 'inner' sites are
    backends with the fragment pasted at their top (backend scope)."""
    base = os.path.join(tmp, "base.cfg")
    with open(base, "w") as f:
        f.write(HAPROXY_BASE)
    L = ["backend app", "    server up 127.0.0.1:%d" % up, ""]
    for s in sites:
        if s.mode == "outer":
            L += ["frontend f-%s-%d from cors-%s" % (s.policy, s.port, s.policy),
                  "    bind 127.0.0.1:%d" % s.port, "    default_backend app", ""]
    inner = [s for s in sites if s.mode == "inner"]
    if inner:
        L += ["frontend f-inner", "    bind 127.0.0.1:%d" % inner[0].port]
        for s in inner:
            L.append("    use_backend b-%s if { path_beg %s }" % (s.policy, s.prefix))
        L += ["    default_backend app", ""]
        for s in inner:
            L += ["backend b-%s" % s.policy] + haproxy_fragment(outdir, s.policy)
            L += ["    server up 127.0.0.1:%d" % up, ""]
    conf = os.path.join(tmp, "site.cfg")
    with open(conf, "w") as f:
        f.write("\n".join(L) + "\n")
    argv = [binary("haproxy"), "-f", base, "-f", os.path.join(outdir, "haproxy", "cors.cfg"), "-f", conf]
    check = subprocess.run(argv[:1] + ["-c", "-q"] + argv[1:], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    if check.returncode != 0:
        raise Fatal("haproxy -c failed:\n%s\n--- %s\n%s" % (check.stdout[-3000:], conf, "\n".join(L)))
    return argv + ["-db"], None, os.path.join(tmp, "haproxy.out")
