"""The Chromium runner of the deployment-shape matrix's browser sample
(tests/e2e/shapes.py): a page server that plays every .test origin, frames
that fetch and report, and one headless Chromium run that dumps the DOM
(SERVER-NOTES: --dump-dom).  The two-engine browser test (browser.py) drives
both engines through engines.py instead; this older runner serves the shape
sample, which runs in Chromium only.
"""
import base64
import http.server
import json
import os
import re
import shutil
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from browser import ORIGINS  # noqa: E402  (the page origins, one table)
from harness import Fatal  # noqa: E402


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
  document.body.textContent = "FRAME-RESULT:" + JSON.stringify(results);
  parent.postMessage({key: %(keyj)s, results}, "*");
});
</script>
"""

TOP = """<!doctype html><meta charset="utf-8"><title>e2e</title><pre id="out">running</pre><script>
const FRAMES = %(frames)s;
const got = {};
let done = false;
function finish() {
  if (done) return;
  done = true;
  const text = JSON.stringify(got);
  document.getElementById("out").textContent =
    "E2E-RESULT:" + btoa(unescape(encodeURIComponent(text))) + ":E2E-END";
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
setTimeout(finish, 25000);
</script>
"""


class PageServer:
    """One handler on two ports; plays every .test origin (Host is ignored)."""

    def __init__(self):
        self.pages = {}
        pages = self.pages

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                body = pages.get(self.path.split("?", 1)[0])
                st = 200 if body is not None else 404
                body = (body or "not found").encode()
                self.send_response(st)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.servers = []
        for _ in range(2):
            srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
            srv.daemon_threads = True
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
            self.servers.append(srv)
        self.ports = {"P": self.servers[0].server_address[1], "Q": self.servers[1].server_address[1]}

    def origin(self, key):
        host, which = ORIGINS[key]
        return "http://%s:%d" % (host, self.ports[which])

    def close(self):
        for s in self.servers:
            s.shutdown()
            s.server_close()


def build_template(corsc, name, port, tmp, outdir):
    """corsc build of tests/e2e/NAME with @PORT@ replaced by the page server's
    port; returns {policy name: normalized policy}."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), name)) as f:
        text = f.read().replace("@PORT@", str(port))
    pfile = os.path.join(tmp, name[:-len(".in")] if name.endswith(".in") else name)
    with open(pfile, "w") as f:
        f.write(text)
    return {p["name"]: p for p in harness.corsc_build(corsc, pfile, outdir)}


def run_chromium(procs, tmp, url, extra_args=()):
    prof = os.path.join(tmp, "profile")
    os.makedirs(prof, exist_ok=True)
    out, err = os.path.join(tmp, "dom.html"), os.path.join(tmp, "chromium.err")
    env = dict(os.environ)
    env["HOME"] = prof
    argv = [shutil.which("chromium") or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-quic", "--disable-extensions",
            # one renderer for all frames, so that virtual time waits for their fetches
            "--disable-site-isolation-trials", "--disable-features=IsolateOrigins,site-per-process",
            "--user-data-dir=" + prof, "--host-resolver-rules=MAP *.test 127.0.0.1",
            "--virtual-time-budget=30000"] + list(extra_args) + ["--dump-dom", url]
    with open(out, "wb") as o, open(err, "ab") as e:
        p = harness.subprocess.Popen(argv, stdin=harness.subprocess.DEVNULL, stdout=o, stderr=e,
                                     env=env, start_new_session=True)
    procs.procs.append(("chromium", p))
    try:
        p.wait(90)
    except harness.subprocess.TimeoutExpired:
        raise Fatal("chromium did not finish within 90s:\n" + harness.tail(err))
    finally:
        procs.stop(p)
    with open(out, errors="replace") as f:
        dom = f.read()
    m = re.search(r"E2E-RESULT:([A-Za-z0-9+/=]*):E2E-END", dom)
    if not m:
        raise Fatal("no results in the page (exit %s):\n%s\n%s" % (p.returncode, dom[-2000:], harness.tail(err)))
    return json.loads(base64.b64decode(m.group(1)).decode())


