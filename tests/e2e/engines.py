# The two browser engines of the browser tests, driven the same way: one
# page server on 127.0.0.1 plays many .test origins; the engine loads one top
# page, whose script POSTs its results back to the page server; then the
# engine is stopped by its process id.  No driver, no network but loopback.
#
#   Chromium: --headless, .test mapped to 127.0.0.1 and every other name to
#             "not found" (--host-resolver-rules).
#   Firefox:  --headless --no-remote --profile DIR; the profile's user.js maps
#             the .test names to loopback (network.dns.localDomains), sends
#             every other host to a dead loopback proxy, and turns off
#             updates, telemetry, captive-portal and connectivity checks,
#             safe browsing, remote settings, push, DoH and prefetching.
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import time

import harness
from harness import Fatal

ENGINES = ("chromium", "firefox")
BINARIES = {"chromium": ("chromium",), "firefox": ("firefox-esr", "firefox")}
NAMES = {"chromium": "Chromium", "firefox": "Firefox"}
# a loopback port where nothing listens (discard): Firefox's proxy for every
# host that is not under .test
DEAD_PROXY_PORT = 9


def binary(engine):
    for b in BINARIES[engine]:
        p = shutil.which(b)
        if p:
            return p
    return None


def missing_engines():
    return [e for e in ENGINES if binary(e) is None]


def version(engine):
    """'Chromium 156' / 'Firefox 153': the name and major version."""
    env = dict(os.environ)
    env["HOME"] = env.get("TMPDIR", "/tmp")
    r = subprocess.run([binary(engine), "--version"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
                       env=env, timeout=60)
    m = re.search(r"(\d+)\.\d+", r.stdout)
    if not m:
        raise Fatal("cannot read the version of %s: %r" % (engine, r.stdout))
    return "%s %s" % (NAMES[engine], m.group(1))


# ---------------------------------------------------------------- page server

class PageServer:
    """One handler on `nports` loopback ports; plays every .test origin (Host
    is ignored).  GET serves self.pages; POST /result?run=ID stores a JSON
    body under ID; any path under /x/ goes to self.api(handler) (set by the
    caller), which answers it itself."""

    def __init__(self, nports=2):
        self.pages = {}
        self.results = {}
        self.api = None
        self.cond = threading.Condition()
        me = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _api(self):
                if self.path.startswith("/x/") and me.api:
                    me.api(self)
                    return True
                return False

            def do_GET(self):
                if self._api():
                    return
                body = me.pages.get(self.path.split("?", 1)[0])
                st = 200 if body is not None else 404
                self.reply(st, (body or "not found").encode(), "text/html; charset=utf-8")

            def do_POST(self):
                if self._api():
                    return
                n = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(n)
                m = re.match(r"/result\?run=([A-Za-z0-9_.-]+)$", self.path)
                if not m:
                    self.reply(404, b"not found", "text/plain")
                    return
                try:
                    value = json.loads(data.decode())
                except ValueError as e:
                    value = {"__bad__": str(e)}
                with me.cond:
                    me.results[m.group(1)] = value
                    me.cond.notify_all()
                self.reply(204, b"", None)

            def _other(self):
                if not self._api():
                    self.reply(404, b"", None)

            def __getattr__(self, name):
                # any other method, in any case (a script's "patch" arrives as written)
                if name.startswith("do_"):
                    return self._other
                raise AttributeError(name)

            def reply(self, status, body, ctype, headers=()):
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                self.send_header("Cache-Control", "no-store")
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass   # a browser closing a kept-alive connection is no news

        self.servers = []
        for _ in range(nports):
            srv = Server(("127.0.0.1", 0), H)
            srv.daemon_threads = True
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                             daemon=True).start()
            self.servers.append(srv)
        self.port_list = [s.server_address[1] for s in self.servers]

    def wait_result(self, run_id, proc, timeout, what):
        """The JSON the page POSTed under run_id; Fatal if the engine exits
        or the time runs out first."""
        deadline = time.time() + timeout
        with self.cond:
            while run_id not in self.results:
                if proc.poll() is not None:
                    raise Fatal("%s exited (status %s) before the page reported"
                                % (what, proc.returncode))
                left = deadline - time.time()
                if left <= 0:
                    raise Fatal("%s: the page did not report within %.0fs" % (what, timeout))
                self.cond.wait(min(left, 0.5))
            return self.results.pop(run_id)

    def close(self):
        for s in self.servers:
            s.shutdown()
            s.server_close()


# The part of every top page that sends the results home.
POST_JS = """
function report(value) {
  return fetch("/result?run=" + RUN, {method: "POST", body: JSON.stringify(value),
                                      headers: {"Content-Type": "text/plain"}});
}
"""


# ---------------------------------------------------------------- engines

FIREFOX_PREFS = {
    # every host that is not under .test goes to a dead proxy on loopback
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": DEAD_PROXY_PORT,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": DEAD_PROXY_PORT,
    "network.proxy.socks": "127.0.0.1",
    "network.proxy.socks_port": DEAD_PROXY_PORT,
    "network.proxy.socks_remote_dns": True,
    "network.proxy.no_proxies_on": ".test",
    "network.proxy.allow_hijacking_localhost": False,
    "network.proxy.failover_direct": False,
    "network.trr.mode": 5,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.predictor.enabled": False,
    "network.http.speculative-parallel-limit": 0,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "dom.security.https_first": False,
    "dom.security.https_only_mode": False,
    "app.update.enabled": False,
    "app.update.auto": False,
    "app.update.checkInstallTime": False,
    "app.normandy.enabled": False,
    "app.normandy.api_url": "",
    "app.shield.optoutstudies.enabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.server": "",
    "toolkit.telemetry.archive.enabled": False,
    "browser.ping-centre.telemetry": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "browser.safebrowsing.provider.google4.updateURL": "",
    "browser.search.update": False,
    "browser.search.geoip.url": "",
    "browser.region.update.enabled": False,
    "browser.region.network.url": "",
    "browser.aboutHomeSnippets.updateUrl": "",
    "browser.newtabpage.enabled": False,
    "browser.newtabpage.activity-stream.feeds.telemetry": False,
    "browser.newtabpage.activity-stream.telemetry": False,
    "browser.newtabpage.activity-stream.feeds.section.topstories": False,
    "browser.startup.page": 0,
    "browser.startup.homepage": "about:blank",
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.shell.checkDefaultBrowser": False,
    "browser.tabs.warnOnClose": False,
    "browser.sessionstore.resume_from_crash": False,
    "browser.contentblocking.report.monitor.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.blocklist.enabled": False,
    "extensions.systemAddon.update.enabled": False,
    # honoured only with MOZ_REMOTE_SETTINGS_DEVTOOLS=1 in the environment
    "services.settings.server": "http://127.0.0.1:%d/v1" % DEAD_PROXY_PORT,
    "services.sync.enabled": False,
    "identity.fxaccounts.enabled": False,
    "dom.push.enabled": False,
    "dom.push.connection.enabled": False,
    "media.gmp-manager.url": "",
    "media.gmp-gmpopenh264.enabled": False,
    "geo.enabled": False,
    "geo.provider.network.url": "",
    "network.lna.address_space.public.override": "",
    "toolkit.startup.max_resumed_crashes": -1,
    "datareporting.usage.uploadEnabled": False,
    "browser.discovery.enabled": False,
    "extensions.pocket.enabled": False,
    # a 401 to a fetch() from a frame opens a login dialog by default (2),
    # which nobody answers in headless mode: the script gets the 401 instead,
    # as in Chromium (the auth shapes of tests/e2e/shapes.py)
    "network.auth.subresource-http-auth-allow": 0,
}


def _js(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    return json.dumps(v)


def _firefox_argv(tmp, url, hosts, public_port):
    prof = os.path.join(tmp, "profile")
    os.makedirs(prof, exist_ok=True)
    prefs = dict(FIREFOX_PREFS)
    prefs["network.dns.localDomains"] = ",".join(sorted(set(hosts)))
    if public_port:
        # the page server's port counts as a public address (Local Network Access)
        prefs["network.lna.address_space.public.override"] = "127.0.0.1:%d" % public_port
    with open(os.path.join(prof, "user.js"), "w") as f:
        for k in sorted(prefs):
            f.write("user_pref(%s, %s);\n" % (json.dumps(k), _js(prefs[k])))
    return [binary("firefox"), "--headless", "--no-remote", "--profile", prof, url]


def _chromium_argv(tmp, url, hosts, public_port):
    prof = os.path.join(tmp, "profile")
    os.makedirs(prof, exist_ok=True)
    argv = [binary("chromium"), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--no-default-browser-check", "--disable-quic",
            "--disable-extensions", "--disable-domain-reliability", "--disable-breakpad",
            "--metrics-recording-only", "--no-pings", "--disable-client-side-phishing-detection",
            "--disable-features=HttpsUpgrades,OptimizationHints,MediaRouter,Translate",
            "--user-data-dir=" + prof,
            # .test is loopback, every other name does not exist
            "--host-resolver-rules=MAP *.test 127.0.0.1, MAP * ~NOTFOUND"]
    if public_port:
        argv.append("--ip-address-space-overrides=127.0.0.1:%d=public" % public_port)
    argv.append(url)
    return argv


def trust_ca(nssdir, ca):
    """A fresh NSS database in nssdir whose only added root is the PEM file ca
    (certutil, libnss3-tools): Firefox reads it from its profile, Chromium
    from $HOME/.pki/nssdb."""
    if not shutil.which("certutil"):
        raise Fatal("certutil is needed to trust the test CA (libnss3-tools, in .ci/deps)")
    os.makedirs(nssdir, exist_ok=True)
    for argv in (["certutil", "-N", "-d", "sql:" + nssdir, "--empty-password"],
                 ["certutil", "-A", "-d", "sql:" + nssdir, "-n", "corsc e2e test CA",
                  "-t", "C,,", "-i", ca]):
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, text=True)
        if r.returncode != 0:
            raise Fatal("%s failed:\n%s" % (" ".join(argv), r.stdout))


def run_page(engine, procs, ps, tmp, url, run_id, hosts, timeout=120, public_port=None, ca=None):
    """Load url in engine (headless, its own profile under tmp) and return what
    the page POSTs under run_id.  ca: a PEM file the engine trusts as a root
    (HTTPS pages and servers of the test).  The engine is stopped by its
    process id (its process group) as soon as the results are in, or on any
    error."""
    d = os.path.join(tmp, engine)
    os.makedirs(d, exist_ok=True)
    argv = (_firefox_argv if engine == "firefox" else _chromium_argv)(d, url, hosts, public_port)
    if ca:
        trust_ca(os.path.join(d, "profile") if engine == "firefox" else os.path.join(d, ".pki", "nssdb"), ca)
    env = dict(os.environ)
    env["HOME"] = d
    env["XDG_CONFIG_HOME"] = os.path.join(d, "config")
    env["XDG_CACHE_HOME"] = os.path.join(d, "cache")
    env["MOZ_CRASHREPORTER_DISABLE"] = "1"
    env["MOZ_REMOTE_SETTINGS_DEVTOOLS"] = "1"   # let services.settings.server point to loopback
    env["MOZ_HEADLESS"] = "1"
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    log_path = os.path.join(d, "browser.log")
    p = procs.start(engine, argv, log_path, env=env, cwd=d)
    try:
        return ps.wait_result(run_id, p, timeout, "%s (pid %d)" % (engine, p.pid))
    except Fatal as e:
        raise Fatal("%s\n%s" % (e, harness.tail(log_path)))
    finally:
        procs.stop(p)
