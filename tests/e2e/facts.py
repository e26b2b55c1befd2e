#!/usr/bin/env python3
# Browser facts: measures, in Chromium and in Firefox ESR, each fact that
# corsc's rules and explanations rest on, writes the table (fact x engine)
# doc/browser-facts.md holds, and checks that
#   - the committed doc/browser-facts.md says what the engines show now, and
#   - `corsc explain CODE` of every rule a fact belongs to says, in its
#     "Browsers:" section, what each engine was seen doing (and the
#     diagnostic's own text does not contradict it).
# `--write` rewrites doc/browser-facts.md from the observations instead of
# comparing (review the diff, then update compiler/rules.c to match).
#
# The server is the page server itself (engines.PageServer): every answer
# under /x/ is made from its query string, and every request is logged, so
# that a preflight can be counted or proven absent.
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engines  # noqa: E402
import harness  # noqa: E402
from harness import Fatal, log  # noqa: E402

DOC = "doc/browser-facts.md"
SAFELISTED = ["cache-control", "content-language", "content-length", "content-type",
              "expires", "last-modified", "pragma"]
HOSTS = ["top.test", "api.test"]

# ---------------------------------------------------------------- the probes
#
# A probe: one fetch() (or a sequence) from the top page at top.test:P to
# api.test:P/x/ID?...; the query string says how the server answers:
#   acao=origin|*|null   Access-Control-Allow-Origin (origin: the request's)
#   acac=1               Access-Control-Allow-Credentials: true
#   acam=..., acah=...   Allow-Methods / Allow-Headers on a preflight
#   age=N                Access-Control-Max-Age on a preflight
#   aceh=...             Access-Control-Expose-Headers on the actual response
# Every actual response also carries X-Foo, Set-Cookie, Set-Cookie2 and the
# seven CORS-safelisted response headers.


def probe(pid, q, method="GET", headers=None, creds="omit", read=("x-foo",), sandbox=False):
    return {"id": pid, "q": urllib.parse.urlencode(q), "method": method,
            "headers": headers or {}, "creds": creds, "read": list(read), "sandbox": sandbox}


PROBES = [
    probe("control", {"acao": "origin"}),
    probe("authz-star", {"acao": "*", "acah": "*"}, headers={"Authorization": "Bearer x"}),
    probe("authz-star-control", {"acao": "*", "acah": "*"}, headers={"X-Custom": "1"}),
    probe("cred-acah-star", {"acao": "origin", "acac": 1, "acah": "*"},
          headers={"X-Custom": "1"}, creds="include"),
    probe("cred-acah-control", {"acao": "origin", "acac": 1, "acah": "X-Custom"},
          headers={"X-Custom": "1"}, creds="include"),
    probe("cred-acam-star", {"acao": "origin", "acac": 1, "acam": "*"}, method="PUT",
          creds="include"),
    probe("cred-acam-control", {"acao": "origin", "acac": 1, "acam": "PUT"}, method="PUT",
          creds="include"),
    probe("cred-aceh-star", {"acao": "origin", "acac": 1, "aceh": "*"}, creds="include"),
    probe("aceh-star-control", {"acao": "*", "aceh": "*"}),
    probe("lower-put", {"acao": "*", "acam": "put"}, method="put"),
    probe("lower-put-control", {"acao": "*", "acam": "PUT"}, method="put"),
    probe("lower-patch", {"acao": "*", "acam": "PATCH"}, method="patch"),
    probe("lower-patch-control", {"acao": "*", "acam": "patch"}, method="patch"),
    probe("set-cookie", {"acao": "*", "aceh": "Set-Cookie, Set-Cookie2, X-Foo"},
          read=("set-cookie", "set-cookie2", "x-foo")),
    probe("set-cookie-cred", {"acao": "origin", "acac": 1, "aceh": "Set-Cookie, Set-Cookie2, X-Foo"},
          creds="include", read=("set-cookie", "set-cookie2", "x-foo")),
    probe("safelisted", {"acao": "*"}, read=SAFELISTED + ["x-foo"]),
    probe("cred-acao-star", {"acao": "*", "acac": 1}, creds="include"),
    probe("cred-acao-control", {"acao": "origin", "acac": 1}, creds="include"),
    probe("forbidden-method-TRACE", {"acao": "*", "acam": "TRACE"}, method="TRACE"),
    probe("forbidden-method-TRACK", {"acao": "*", "acam": "TRACK"}, method="TRACK"),
    probe("forbidden-method-CONNECT", {"acao": "*", "acam": "CONNECT"}, method="CONNECT"),
    probe("forbidden-header", {"acao": "*", "acah": "*"},
          headers={"Cookie": "forged=1", "Sec-Forged": "1", "Proxy-Forged": "1", "X-Custom": "1"}),
    probe("null-origin", {"acao": "null"}, sandbox=True),
    probe("null-origin-star", {"acao": "*"}, sandbox=True),
]

# Preflight cache: the same preflighted fetch twice (cache-*), the server
# counts the preflights.  "short": max-age 2, the second fetch 3.5 s later.
CACHE = [
    ("cache-long", {"acao": "*", "acam": "PUT", "age": 86400}, 0),
    ("cache-over", {"acao": "*", "acam": "PUT", "age": 1000000}, 0),
    ("cache-zero", {"acao": "*", "acam": "PUT", "age": 0}, 0),
    ("cache-short", {"acao": "*", "acam": "PUT", "age": 2}, 3500),
]

PAGE = """<!doctype html><meta charset="utf-8"><title>facts</title><body><script>
const RUN = %(run)s;
%(post)s
const API = %(api)s;
const PROBES = %(probes)s;
const CACHE = %(cache)s;
const out = {};
async function one(p, suffix) {
  const r = {};
  const init = {method: p.method, headers: p.headers, credentials: p.creds, mode: "cors",
                cache: p.cache || "no-store"};
  if (p.method.toUpperCase() === "PUT" || p.method.toUpperCase() === "PATCH") init.body = "x";
  try {
    const resp = await fetch(API + p.id + (suffix || "") + "?" + p.q, init);
    r.ok = true; r.status = resp.status; r.headers = {};
    for (const h of p.read) r.headers[h] = resp.headers.get(h);
    await resp.text();
  } catch (e) {
    r.ok = false; r.error = e.name + ": " + e.message;
  }
  return r;
}
function sandboxed(p) {
  return new Promise((resolve) => {
    const f = document.createElement("iframe");
    f.setAttribute("sandbox", "allow-scripts");
    f.srcdoc = "<script>(" + one.toString() + ")(" + JSON.stringify(p) + ").then(" +
      "(r) => parent.postMessage({id: " + JSON.stringify(p.id) + ", r}, '*'));<\\/script>";
    f.srcdoc = f.srcdoc.replace("API +", JSON.stringify(API) + " +");
    addEventListener("message", (e) => { if (e.data.id === p.id) resolve(e.data.r); });
    document.body.appendChild(f);
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  const cache = CACHE.map(async (c) => {
    // cache "default": "no-store" also bypasses the preflight cache
    const p = {id: c.id, q: c.q, method: "PUT", headers: {}, creds: "omit", read: [],
               cache: "default"};
    out[c.id + "#1"] = await one(p);
    await sleep(c.wait);
    out[c.id + "#2"] = await one(p);
  });
  // every probe has its own URL: they run side by side
  await Promise.all(PROBES.map(async (p) => { out[p.id] = p.sandbox ? await sandboxed(p) : await one(p); }));
  await Promise.all(cache);
  await report(out);
})();
setTimeout(() => report(out), 60000);
</script>
"""

PNA_PAGE = """<!doctype html><meta charset="utf-8"><title>pna</title><body><script>
const RUN = %(run)s;
%(post)s
async function get(url) {
  const r = {};
  const ctl = new AbortController();
  const t = setTimeout(() => ctl.abort(), 5000);
  try {
    const resp = await fetch(url, {mode: "cors", cache: "no-store", signal: ctl.signal});
    r.ok = true; r.status = resp.status;
    await resp.text();
  } catch (e) {
    r.ok = false; r.error = e.name + ": " + e.message;
  }
  clearTimeout(t);
  return r;
}
(async () => {
  // control: public page to a server on its own (public) port
  const control = await get(%(control)s);
  const r = await get(%(url)s);
  r.control = control;
  await report(r);
})();
setTimeout(() => report({ok: false, error: "no answer within 40s"}), 40000);
</script>
"""


class Log:
    """Every request the API sees: {probe id: [(method, {header: value})]}."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = {}

    def add(self, pid, method, headers):
        with self.lock:
            self.seen.setdefault(pid, []).append((method, headers))

    def get(self, pid):
        with self.lock:
            return list(self.seen.get(pid, []))


def make_api(reqlog):
    def api(h):
        path, _, query = h.path.partition("?")
        pid = path[len("/x/"):]
        q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        hdrs = {k.lower(): v for k, v in h.headers.items()}
        reqlog.add(pid, h.command, hdrs)
        n = int(h.headers.get("Content-Length") or 0)
        if n:
            h.rfile.read(n)
        out = []
        acao = q.get("acao")
        if acao == "origin":
            acao = h.headers.get("Origin") or "none"
        if acao:
            out.append(("Access-Control-Allow-Origin", acao))
        if q.get("acac"):
            out.append(("Access-Control-Allow-Credentials", "true"))
        if h.command == "OPTIONS":
            for key, name in (("acam", "Access-Control-Allow-Methods"),
                              ("acah", "Access-Control-Allow-Headers"),
                              ("age", "Access-Control-Max-Age")):
                if key in q:
                    out.append((name, q[key]))
            if hdrs.get("access-control-request-private-network") == "true":
                out.append(("Access-Control-Allow-Private-Network", "true"))
            h.reply(204, b"", None, out)
            return
        if "aceh" in q:
            out.append(("Access-Control-Expose-Headers", q["aceh"]))
        out += [("X-Foo", "foo"), ("Set-Cookie", "facts=1; Path=/"), ("Set-Cookie2", "facts2=1"),
                ("Content-Language", "en"), ("Expires", "Thu, 01 Jan 1970 00:00:00 GMT"),
                ("Last-Modified", "Thu, 01 Jan 1970 00:00:00 GMT"), ("Pragma", "no-cache")]
        h.reply(200, b"ok", "text/plain", out)
    return api


# ---------------------------------------------------------------- facts
#
# Each fact: an id, the rule codes it backs, the question, the Fetch
# standard's answer, and how to read an engine's answer from its results
# (res: {probe id: result}) and the server's log.  An answer is a short
# phrase; `says` turns it into the sentence `corsc explain CODE` must hold
# under "Browsers:" for that engine ("Chromium 156: <sentence>").

def _ok(res, pid):
    r = res.get(pid)
    if r is None:
        raise Fatal("probe %s did not report" % pid)
    return r["ok"]


def _control(res, pid):
    """A probe the test bed itself needs to pass: else the run means nothing."""
    if not _ok(res, pid):
        raise Fatal("control probe %s failed (%s): the test bed is broken" % (pid, res[pid].get("error")))


def _preflights(reqlog, pid):
    return [h for m, h in reqlog.get(pid) if m == "OPTIONS"]


def f_authz(res, reqlog):
    _control(res, "authz-star-control")
    return "let through" if _ok(res, "authz-star") else "blocked"


def f_cred_acah(res, reqlog):
    _control(res, "cred-acah-control")
    return "blocked" if not _ok(res, "cred-acah-star") else "let through"


def f_cred_acam(res, reqlog):
    _control(res, "cred-acam-control")
    return "blocked" if not _ok(res, "cred-acam-star") else "let through"


def f_cred_aceh(res, reqlog):
    _control(res, "aceh-star-control")
    if res["aceh-star-control"]["headers"]["x-foo"] != "foo":
        raise Fatal("Access-Control-Expose-Headers: * without credentials did not expose X-Foo")
    _control(res, "cred-aceh-star")
    return "hidden" if res["cred-aceh-star"]["headers"]["x-foo"] is None else "readable"


def f_method_sent(res, reqlog):
    _control(res, "lower-put-control")
    seen = [h.get("access-control-request-method") for h in _preflights(reqlog, "lower-put-control")]
    seen += [m for m, _ in reqlog.get("lower-put-control") if m != "OPTIONS"]
    if not seen:
        raise Fatal("the server saw no request for lower-put-control")
    return "sent as %s" % "/".join(sorted(set(seen)))


def f_lower_put(res, reqlog):
    return "let through" if _ok(res, "lower-put") else "blocked"


def f_lower_patch(res, reqlog):
    _control(res, "lower-patch-control")
    seen = {h.get("access-control-request-method") for h in _preflights(reqlog, "lower-patch-control")}
    if seen != {"patch"}:
        return "sent as %s" % "/".join(sorted(x or "?" for x in seen))
    return "let through" if _ok(res, "lower-patch") else "blocked"


def f_set_cookie(res, reqlog):
    for pid in ("set-cookie", "set-cookie-cred"):
        _control(res, pid)
        if res[pid]["headers"]["x-foo"] != "foo":
            raise Fatal("%s: X-Foo, exposed beside Set-Cookie, was not readable" % pid)
    vis = [n for pid in ("set-cookie", "set-cookie-cred") for n in ("set-cookie", "set-cookie2")
           if res[pid]["headers"][n] is not None]
    return "hidden" if not vis else "readable: " + ", ".join(sorted(set(vis)))


def f_safelisted(res, reqlog):
    _control(res, "safelisted")
    h = res["safelisted"]["headers"]
    if h["x-foo"] is not None:
        raise Fatal("safelisted: X-Foo was readable without being exposed")
    hidden = [n for n in SAFELISTED if h[n] is None]
    return "all readable" if not hidden else "hidden: " + ", ".join(hidden)


def f_cred_acao(res, reqlog):
    _control(res, "cred-acao-control")
    return "blocked" if not _ok(res, "cred-acao-star") else "let through"


def f_forbidden_method(res, reqlog):
    sent = [m for m in ("TRACE", "TRACK", "CONNECT") if reqlog.get("forbidden-method-" + m)]
    passed = [m for m in ("TRACE", "TRACK", "CONNECT") if _ok(res, "forbidden-method-" + m)]
    if not sent and not passed:
        return "refused, nothing sent"
    return "sent: %s; passed: %s" % (", ".join(sent) or "none", ", ".join(passed) or "none")


def f_forbidden_header(res, reqlog):
    _control(res, "forbidden-header")
    seen = reqlog.get("forbidden-header")
    if not any(h.get("x-custom") == "1" for m, h in seen if m != "OPTIONS"):
        raise Fatal("forbidden-header: X-Custom, sent beside them, did not arrive")
    got = set()
    for m, h in seen:
        if "forged=1" in h.get("cookie", ""):
            got.add("Cookie")
        for n in ("sec-forged", "proxy-forged"):
            if n in h:
                got.add(n.title())
        acrh = h.get("access-control-request-headers", "")
        for n in ("cookie", "sec-forged", "proxy-forged"):
            if n in [x.strip() for x in acrh.split(",")]:
                got.add(n.title() + " (in the preflight)")
    return "dropped" if not got else "sent: " + ", ".join(sorted(got))


def f_null(res, reqlog):
    origins = {h.get("origin") for m, h in reqlog.get("null-origin") + reqlog.get("null-origin-star")}
    if origins != {"null"}:
        return "sends Origin %s" % ", ".join(sorted(str(o) for o in origins))
    ok = _ok(res, "null-origin")
    return "sends null; Allow-Origin: null " + ("lets it through" if ok else "does not")


def _cache(reqlog, pid):
    n = len(_preflights(reqlog, pid))
    if n not in (1, 2):
        raise Fatal("%s: %d preflights (expected 1 or 2)" % (pid, n))
    return n == 1


def f_cache(res, reqlog):
    for c, _, _ in CACHE:
        for k in ("#1", "#2"):
            _control(res, c + k)
    parts = []
    parts.append("max-age 86400: %s" % ("reused" if _cache(reqlog, "cache-long") else "not reused"))
    parts.append("1000000: %s" % ("reused" if _cache(reqlog, "cache-over") else "not reused"))
    parts.append("0: %s" % ("reused" if _cache(reqlog, "cache-zero") else "not reused"))
    parts.append("2, after 3.5 s: %s" % ("reused" if _cache(reqlog, "cache-short") else "not reused"))
    return "; ".join(parts)


def f_pna(res, reqlog):
    if not res["pna"].get("control", {}).get("ok"):
        raise Fatal("control probe pna-control failed (%s): the test bed is broken" % res["pna"])
    pre = _preflights(reqlog, "pna")
    sent = any(h.get("access-control-request-private-network") == "true" for h in pre)
    got = [m for m, _ in reqlog.get("pna") if m != "OPTIONS"]
    err = res["pna"].get("error", "")
    fetch = "fetch %s" % ("succeeds" if res["pna"]["ok"] else
                          "hangs (aborted after 5 s)" if err.startswith("AbortError") else "fails")
    if not got and not pre:
        # failing at once or hanging (a permission prompt?) is the same answer:
        # only the log shows which, so that load cannot change the table
        log("private network: %s" % fetch)
        return "no preflight sent, no request reaches the server"
    return ("preflight sent; " if sent else "no preflight sent; ") + fetch


class Fact:
    def __init__(self, fid, codes, question, standard, read, says):
        self.id, self.codes, self.question, self.standard = fid, codes, question, standard
        self.read, self.says = read, says


FACTS = [
    Fact("authz-star", ["W103"],
         "A request with Authorization, preflight answered `Access-Control-Allow-Headers: *` (no credentials)",
         "blocked", f_authz,
         {"let through": "lets it through (the wildcard covers Authorization)",
          "blocked": "blocks it (the wildcard does not cover Authorization)"}),
    Fact("cred-allow-origin-star", ["E020"],
         "With credentials, a response with `Access-Control-Allow-Origin: *` and `Access-Control-Allow-Credentials: true`",
         "blocked", f_cred_acao,
         {"blocked": "rejects it ('*' never passes a request with credentials)",
          "let through": "lets the script read it"}),
    Fact("cred-allow-headers-star", ["E022"],
         "With credentials, a request with X-Custom, preflight answered `Access-Control-Allow-Headers: *`",
         "blocked", f_cred_acah,
         {"blocked": "blocks it ('*' is a literal header name)",
          "let through": "lets it through ('*' acts as a wildcard)"}),
    Fact("cred-allow-methods-star", ["E023"],
         "With credentials, a PUT, preflight answered `Access-Control-Allow-Methods: *`",
         "blocked", f_cred_acam,
         {"blocked": "blocks it ('*' is a literal method name)",
          "let through": "lets it through ('*' acts as a wildcard)"}),
    Fact("cred-expose-star", ["E021"],
         "With credentials, X-Foo under `Access-Control-Expose-Headers: *` (readable without credentials in every engine, else the test fails)",
         "hidden", f_cred_aceh,
         {"hidden": "hides it ('*' is a literal header name)",
          "readable": "lets the script read it ('*' acts as a wildcard)"}),
    Fact("method-upper-cased", ["E032"],
         "`fetch()` with method `put`: the method on the wire",
         "sent as PUT", f_method_sent,
         {"sent as PUT": "sends 'put' as PUT"}),
    Fact("allow-methods-lower-put", ["E032"],
         "`fetch()` with method `put`, preflight answered `Access-Control-Allow-Methods: put`",
         "blocked", f_lower_put,
         {"blocked": "blocks it: 'put' in Allow-Methods does not match PUT",
          "let through": "lets it through: 'put' in Allow-Methods matches PUT"}),
    Fact("allow-methods-patch-case", ["E032"],
         "`fetch()` with method `patch` (sent as written), preflight answered `Access-Control-Allow-Methods: PATCH`",
         "blocked", f_lower_patch,
         {"blocked": "sends 'patch' as written and blocks it under Allow-Methods: PATCH",
          "let through": "sends 'patch' as written and lets it through under Allow-Methods: PATCH"}),
    Fact("forbidden-methods", ["E034"],
         "`fetch()` with method TRACE, TRACK or CONNECT (the preflight would allow it)",
         "refused, nothing sent", f_forbidden_method,
         {"refused, nothing sent": "refuses TRACE, TRACK and CONNECT: fetch() rejects and nothing is sent"}),
    Fact("forbidden-request-headers", ["W110"],
         "A script sets Cookie, Sec-Forged and Proxy-Forged (beside X-Custom), preflight answered `Access-Control-Allow-Headers: *`",
         "dropped", f_forbidden_header,
         {"dropped": "drops Cookie, Sec-* and Proxy-* set by a script: neither the preflight nor the request carries them"}),
    Fact("set-cookie-hidden", ["W102"],
         "Set-Cookie and Set-Cookie2 named in `Access-Control-Expose-Headers` (with and without credentials)",
         "hidden", f_set_cookie,
         {"hidden": "never lets a script read Set-Cookie or Set-Cookie2"}),
    Fact("safelisted-readable", ["W101"],
         "The seven CORS-safelisted response headers, with no `Access-Control-Expose-Headers`",
         "all readable", f_safelisted,
         {"all readable": "lets a script read all seven without Access-Control-Expose-Headers"}),
    Fact("null-origin", ["W104"],
         "A sandboxed frame (`sandbox=\"allow-scripts\"`) fetches: its Origin, and `Access-Control-Allow-Origin: null`",
         "sends null; Allow-Origin: null lets it through", f_null,
         {"sends null; Allow-Origin: null lets it through":
          "sends Origin: null from a sandboxed frame, and Access-Control-Allow-Origin: null lets it through"}),
    Fact("preflight-cache", ["W106"],
         "The same PUT twice; is the first preflight reused? (a cap of hours cannot be seen in a short test)",
         "max-age 86400: reused; 1000000: reused; 0: not reused; 2, after 3.5 s: not reused",
         f_cache, None),
    Fact("private-network-preflight", ["W111"],
         "A page the engine is told is public fetches a loopback server: is a Private Network Access preflight (`Access-Control-Request-Private-Network`) sent?",
         "preflight sent (PNA draft); fetch succeeds", f_pna,
         None),
]


CACHE_SAYS = {
    "max-age 86400: reused; 1000000: reused; 0: not reused; 2, after 3.5 s: not reused":
    "reuses a preflight within its max-age (86400 s and 1000000 s seen) "
    "and sends a new one when it expires or is 0",
    "max-age 86400: not reused; 1000000: not reused; 0: not reused; 2, after 3.5 s: not reused":
    "sends a new preflight for every request, even within max-age (seen headless with a fresh profile)",
}


def cache_says(answer):
    """The Browsers: sentence of W106 for a preflight-cache answer."""
    return CACHE_SAYS.get(answer)


def pna_says(answer):
    if answer.startswith("no preflight sent, no request reaches the server"):
        return "sends no Access-Control-Request-Private-Network preflight, and the request " \
               "never reaches the server"
    return None


def sentence(fact, answer):
    if fact.id == "preflight-cache":
        return cache_says(answer)
    if fact.id == "private-network-preflight":
        return pna_says(answer)
    return fact.says.get(answer)


# ---------------------------------------------------------------- the table

def table(versions, answers):
    names = [versions[e] for e in engines.ENGINES]
    L = ["# What Chromium and Firefox do: the facts behind corsc's rules", "",
         "Generated by `tests/e2e/facts.py` (run by `make check` as `tests/t-e2e-facts.sh`),",
         "which measures each fact in both engines, headless, against a server on",
         "loopback, and fails when this file or a rule's `corsc explain` text no longer",
         "says what the engines do.  Rewrite it with",
         "`python3 tests/e2e/facts.py --corsc build/corsc --write`.", "",
         "A cell in **bold** differs from the standard's answer (the Fetch standard; for", "the last row the Private Network Access draft).", "",
         "| fact | rules | question | standard | %s |" % " | ".join(names),
         "| --- | --- | --- | --- | %s |" % " | ".join("---" for _ in names)]
    for f in FACTS:
        cells = []
        for e in engines.ENGINES:
            a = answers[e][f.id]
            cells.append(a if a == f.standard else "**%s**" % a)
        L.append("| %s | %s | %s | %s | %s |" % (f.id, ", ".join(f.codes), f.question, f.standard,
                                                 " | ".join(cells)))
    L += ["",
          "Not measured: the cap each engine puts on `Access-Control-Max-Age` (hours; a",
          "test cannot wait that long).  The engines' sources give Chromium 7200 s and",
          "Firefox 86400 s; WebKit (not tested here) 600 s.  W106 says so.",
          "",
          "Private Network Access: the page's port is declared public with",
          "`--ip-address-space-overrides` (Chromium) and",
          "`network.lna.address_space.public.override` (Firefox); the server on",
          "another loopback port answers any `Access-Control-Request-Private-Network`",
          "preflight with `Access-Control-Allow-Private-Network: true`.", ""]
    return "\n".join(L)


def doc_facts(text):
    """{fact id: [cells]} of a table written by table(), for comparing without the versions."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"\| ([a-z0-9-]+) \| (.*) \|$", line)
        if m:
            out[m.group(1)] = [c.strip() for c in m.group(2).split(" | ")]
    return out


def explain(corsc, code):
    r = subprocess.run([corsc, "explain", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise Fatal("corsc explain %s: exit %d %s" % (code, r.returncode, r.stderr))
    return r.stdout


def browsers_section(text):
    m = re.search(r"^Browsers:\n((?:    .*\n|\n)*)", text, re.M)
    return " ".join(m.group(1).split()) if m else ""


def check_rules(corsc, versions, answers):
    """Every fact's rules say in `corsc explain`'s Browsers: section what each
    engine does.  Returns a list of problems."""
    bad = []
    for f in FACTS:
        for code in f.codes:
            text = browsers_section(explain(corsc, code))
            if not text:
                bad.append("corsc explain %s has no Browsers: section (fact %s)" % (code, f.id))
                continue
            for e in engines.ENGINES:
                s = sentence(f, answers[e][f.id])
                if s is None:
                    bad.append("fact %s: %s answered %r, which no rule text describes yet: "
                               "update facts.py and compiler/rules.c" % (f.id, versions[e], answers[e][f.id]))
                    continue
                want = "%s: %s" % (versions[e], s)
                if want not in text:
                    bad.append("corsc explain %s does not say %r (fact %s); it says: %s"
                               % (code, want, f.id, text))
    return bad


# The diagnostics' own words must not contradict the engines: for a fact,
# when an engine's answer makes them false, phrases the diagnostic of a
# policy must not hold.
CONTRADICTIONS = [
    # W103 must not claim the wildcard blocks Authorization while an engine lets it through
    ("authz-star", lambda a: a == "let through", "W103", "policy p { origins *; allow-headers *; }",
     ["failed preflight", "does not cover Authorization\"", "never covers"]),
    # W111 must not claim no engine sends the preflight once one does
    ("private-network-preflight", lambda a: a.startswith("preflight sent"), "W111",
     "policy p { origins \"https://a.example\"; private-network true; }",
     ["send no", "no browser tested sends"]),
]


def check_diagnostics(corsc, answers, tmp):
    bad = []
    for fid, falsifies, code, policy, phrases in CONTRADICTIONS:
        who = [e for e in engines.ENGINES if falsifies(answers[e][fid])]
        path = os.path.join(tmp, "d-%s.cors" % code)
        with open(path, "w") as fh:
            fh.write(policy + "\n")
        r = subprocess.run([corsc, "check", "--diagnostics", "json", path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        diags = [json.loads(l) for l in r.stderr.splitlines() if l.startswith("{")]
        mine = [d for d in diags if d.get("code") == code]
        if not mine:
            bad.append("%s: corsc check gave no %s for %r" % (fid, code, policy))
            continue
        if not who:
            continue
        text = json.dumps(mine)
        for ph in phrases:
            if ph in text:
                bad.append("%s's diagnostic says %r, but %s answered %s (fact %s)"
                           % (code, ph.strip('"'), ", ".join(who), answers[who[0]][fid], fid))
    return bad


# ---------------------------------------------------------------- main

def run_engine(engine, procs, ps, tmp, reqlog):
    P = ps.port_list[0]
    run = "facts-" + engine
    probes = [dict(p, id="%s-%s" % (engine, p["id"])) for p in PROBES]
    cache = [{"id": "%s-%s" % (engine, c), "q": urllib.parse.urlencode(q), "wait": w} for c, q, w in CACHE]
    ps.pages["/facts-%s" % engine] = PAGE % {
        "run": json.dumps(run), "post": engines.POST_JS, "api": json.dumps("http://api.test:%d/x/" % P),
        "probes": json.dumps(probes), "cache": json.dumps(cache)}
    t = time.time()
    res = engines.run_page(engine, procs, ps, os.path.join(tmp, "facts-" + engine),
                           "http://top.test:%d/facts-%s" % (P, engine), run, HOSTS, timeout=120)
    # Private Network Access: the page's port is public, the server's another one
    Q = ps.port_list[1]
    run2 = "pna-" + engine
    ps.pages["/pna-%s" % engine] = PNA_PAGE % {
        "run": json.dumps(run2), "post": engines.POST_JS,
        "url": json.dumps("http://api.test:%d/x/%s-pna?acao=origin" % (Q, engine)),
        "control": json.dumps("http://api.test:%d/x/%s-pna-control?acao=origin" % (P, engine))}
    res2 = engines.run_page(engine, procs, ps, os.path.join(tmp, "pna-" + engine),
                            "http://top.test:%d/pna-%s" % (P, engine), run2, HOSTS, timeout=90,
                            public_port=P)
    log("%s: facts measured (%.1fs)" % (engine, time.time() - t))
    prefix = engine + "-"
    out = {k[len(prefix):]: v for k, v in res.items() if k.startswith(prefix)}
    out["pna"] = res2

    class View:
        def get(self, pid):
            return reqlog.get(prefix + pid)
    return out, View()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corsc", default=os.environ.get("CORSC"))
    ap.add_argument("--top", default=os.environ.get("TOP") or
                    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    ap.add_argument("--tmp")
    ap.add_argument("--write", action="store_true", help="rewrite %s from the observations" % DOC)
    args = ap.parse_args()
    if not args.corsc:
        log("need --corsc (or CORSC)")
        return 2
    gone = engines.missing_engines()
    if gone:
        log("ERROR: %s not installed (.ci/deps test installs chromium and firefox-esr)" % ", ".join(gone))
        return 1
    tmp, own_tmp = harness.make_tmp(args.tmp, "corsc-e2e-facts.")
    procs = harness.Processes()
    ps = None
    t0 = time.time()
    try:
        ps = engines.PageServer()
        reqlog = Log()
        ps.api = make_api(reqlog)
        versions = {e: engines.version(e) for e in engines.ENGINES}
        answers = {}
        for e in engines.ENGINES:
            res, view = run_engine(e, procs, ps, tmp, reqlog)
            answers[e] = {f.id: f.read(res, view) for f in FACTS}
        for f in FACTS:
            log("%-26s standard: %-12s %s" % (f.id, f.standard, "  ".join(
                "%s: %s" % (versions[e], answers[e][f.id]) for e in engines.ENGINES)))
        text = table(versions, answers)
        doc = os.path.join(args.top, DOC)
        bad = []
        if args.write:
            with open(doc, "w") as fh:
                fh.write(text)
            log("wrote %s" % doc)
        else:
            try:
                with open(doc) as fh:
                    old = fh.read()
            except OSError as e:
                raise Fatal("cannot read %s: %s" % (doc, e))
            if old != text:
                was, now = doc_facts(old), doc_facts(text)
                if was != now or not was:
                    for fid in sorted(set(was) | set(now)):
                        if was.get(fid) != now.get(fid):
                            bad.append("%s, fact %s: the file says %s, the engines show %s"
                                       % (DOC, fid, was.get(fid), now.get(fid)))
                    bad.append("%s does not say what the engines do now (rerun with --write "
                               "and update compiler/rules.c); the observed table:\n%s" % (DOC, text))
                else:
                    # same facts, other versions: still true, but say so
                    log("note: %s names other versions than %s (the facts agree); "
                        "rerun with --write" % (DOC, ", ".join(versions.values())))
        bad += check_rules(args.corsc, versions, answers)
        bad += check_diagnostics(args.corsc, answers, tmp)
        for b in bad:
            log("MISMATCH " + b)
        log("e2e-facts: %d facts x %d engines, %d mismatches, %.1fs"
            % (len(FACTS), len(engines.ENGINES), len(bad), time.time() - t0))
        return 1 if bad else 0
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
