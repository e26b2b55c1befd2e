#!/usr/bin/env python3
# Deployment-shape matrix (SPEC section 6, "Scope"): corsc's output included
# the way people really deploy it -- a reverse proxy to an application with
# its own CORS headers, static files with compression, a login on a path,
# redirects, error pages, internal redirects, .htaccess, one policy at
# server level and another in a location (both ways round), nested
# policies, TLS with HTTP/2 -- on real nginx, Apache, Caddy and HAProxy, every answer
# compared with `corsc eval` (diff.compare: status, every Access-Control-*
# header, duplicates, Vary).  Shapes a server makes impossible to cover from
# the included file are "documented": the test asserts the behaviour the
# README and the generated file's header describe, and the remedy they give
# runs as a shape of its own.  Then a sample goes through headless Chromium
# and Firefox ESR (engines.py, the same scenarios) from an allowed and a
# refused origin.
import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import diff  # noqa: E402
import engines  # noqa: E402
from harness import Fatal, log  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REFUSED = "https://evil.example"
USER, PASSWORD = "corsc", "s3cret-pw"
AUTH = ("Authorization", "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode())
MIN_SHAPES = 10            # per server, documented ones not counted
STATIC_TEXT = ("corsc static file\n" * 200)   # long enough to be compressed


# ---------------------------------------------------------------- shapes

class Req2(diff.Req):
    """A request whose expected answer is eval's for another origin (two Origin headers)."""
    __slots__ = ("eval_origin",)

    def eval_key(self):
        k = super().eval_key()
        return (self.eval_origin,) + k[1:]


class Probe:
    """Requests to one path prefix of a shape, and what they must get.
    actual: "app" (the application answers, status from the path), an int (the
    server answers that status itself) or {app status: (status, from_app)};
    doc: for a documented shape, a function (probe, r, exp, status, items,
    body) -> problems that asserts the documented behaviour instead;
    two_origins: "first" (the server sees only the first line) or "none".
    """

    def __init__(self, prefix, policy, actual="app", extra=(), app_vary=("accept-encoding",),
                 optional_vary=(), doc=None, two_origins=None, statuses=(200, 404, 500), post=None):
        self.post = post          # the status the server itself gives a POST, if it differs
        self.prefix, self.policy, self.actual, self.extra = prefix, policy, actual, tuple(extra)
        self.app_vary, self.optional_vary = app_vary, optional_vary
        self.doc, self.two_origins, self.statuses = doc, two_origins, statuses

    def want(self, r):
        """(status, from_app, app_vary) for an actual request."""
        if self.post is not None and r.method == "POST":
            return self.post, False, ()
        if self.actual == "app":
            return r.status, True, self.app_vary
        if isinstance(self.actual, int):
            return self.actual, False, ()
        st, from_app = self.actual[r.status]
        return st, from_app, self.app_vary if from_app else ()

    def compare(self, exp, r, status, items, body):
        """diff.compare with this probe's expectations."""
        if r.kind == "preflight":
            return diff.compare(exp, r, status, items, body)
        want, from_app, app_vary = self.want(r)
        return diff.compare(exp, r, status, items, body, want_status=want, from_app=from_app,
                            app_vary=app_vary, optional_vary=self.optional_vary)


# ---- documented behaviours (README "Shapes a server makes impossible")

def ac_names(items):
    return [n.lower() for n, v in items if n.lower().startswith("access-control-")]


def app_ac_names():
    import upstream
    return [n.lower() for n, v in upstream.APP_HEADERS if n.lower().startswith("access-control-")]


def doc_answered_first(status):
    """The server answers every request with `status` before the policy runs: no Access-Control-*."""
    def check(probe, r, exp, got, items, body, ev):
        bad = []
        if got != status:
            bad.append("documented: status %d before the policy runs, got %d" % (status, got))
        if ac_names(items):
            bad.append("documented: no Access-Control-* header, got %s" % ac_names(items))
        return bad
    return check


def doc_unscoped_page(probe, r, exp, got, items, body, ev):
    """Pages the server makes in another scope carry no policy; what the app answers is as eval says."""
    want, from_app, _ = probe.want(r) if r.kind != "preflight" else (204, False, ())
    if r.kind == "preflight" or from_app or want == 200:     # not an error page
        return probe.compare(exp, r, got, items, body)
    bad = []
    if got != want:
        bad.append("status: expected %d, got %d" % (want, got))
    if ac_names(items) or "origin" in diff.vary_tokens(v for n, v in items if n.lower() == "vary"):
        bad.append("documented: the page carries no Access-Control-* and no Vary: Origin, got %s"
                   % [(n, v) for n, v in items if n.lower().startswith("access-control-") or n.lower() == "vary"])
    return bad


def doc_app_headers_pass(probe, r, exp, got, items, body, ev):
    """Requests that end in a scope without the policy: the application's own headers pass."""
    if r.kind == "preflight":
        return probe.compare(exp, r, got, items, body)
    bad = []
    if sorted(ac_names(items)) != sorted(app_ac_names()):
        bad.append("documented: exactly the application's own Access-Control-* headers, got %s" % ac_names(items))
    if got != r.status:
        bad.append("status: expected the application's %d, got %d" % (r.status, got))
    return bad


def doc_preflight_reaches_app(probe, r, exp, got, items, body, ev):
    """Preflights go on to the application (answered with its status), with the policy's headers."""
    if r.kind != "preflight":
        return probe.compare(exp, r, got, items, body)
    e = dict(exp)
    e["preflight"] = False
    return diff.compare(e, r, got, items, body)


doc_preflight_reaches_app.reaches_app = True


def doc_no_policy(probe, r, exp, got, items, body, ev):
    """The policy never runs: every request reaches the application, whose own headers pass."""
    bad = []
    if sorted(ac_names(items)) != sorted(app_ac_names()):
        bad.append("documented: exactly the application's own Access-Control-* headers, got %s" % ac_names(items))
    if got != r.status or [v for n, v in items if n.lower() == "x-upstream"] != ["hit"]:
        bad.append("documented: the application's answer %d, got %d" % (r.status, got))
    return bad


doc_no_policy.reaches_app = True


def doc_preflight_answered(status):
    """Preflights answered with `status` (and a body) before the policy's 204, with its headers."""
    def check(probe, r, exp, got, items, body, ev):
        if r.kind != "preflight":
            return probe.compare(exp, r, got, items, body)
        bad = [b for b in diff.compare(exp, r, got, items, b"") if not b.startswith("status:")]
        if got != status:
            bad.append("documented: preflight answered %d, got %d" % (status, got))
        return bad
    return check


def doc_preflight_bare(probe, r, exp, got, items, body, ev):
    """Preflights answered 204 by the enclosing scope before this policy's origin test: no Access-Control-*."""
    if r.kind != "preflight":
        return probe.compare(exp, r, got, items, body)
    bad = []
    if got != 204:
        bad.append("documented: preflight answered 204, got %d" % got)
    if ac_names(items):
        bad.append("documented: no Access-Control-* header, got %s" % ac_names(items))
    return bad


def doc_forward_auth_first(probe, r, exp, got, items, body, ev):
    """The auth service's own 404 answers first, its own Access-Control-* headers passed on."""
    bad = []
    if got != 404:
        bad.append("documented: the auth service's 404 first, got %d" % got)
    if sorted(ac_names(items)) != sorted(app_ac_names()):
        bad.append("documented: exactly the auth service's own Access-Control-* headers, got %s" % ac_names(items))
    return bad


doc_forward_auth_first.reaches_app = True


def doc_actual_unscoped(probe, r, exp, got, items, body, ev):
    """Preflights as the policy says; other requests end outside its scope: no Access-Control-*, no Vary: Origin."""
    if r.kind == "preflight":
        return probe.compare(exp, r, got, items, body)
    bad = []
    want, _, _ = probe.want(r)
    if got != want:
        bad.append("status: expected %d, got %d" % (want, got))
    if ac_names(items) or "origin" in diff.vary_tokens(v for n, v in items if n.lower() == "vary"):
        bad.append("documented: no Access-Control-* and no Vary: Origin, got %s"
                   % [(n, v) for n, v in items if n.lower().startswith("access-control-") or n.lower() == "vary"])
    return bad


def doc_preflight_of(other):
    """Preflights answered by the enclosing scope's policy `other` (eval of it)."""
    def check(probe, r, exp, got, items, body, ev):
        if r.kind == "preflight":
            return probe.compare(ev(other), r, got, items, body)
        return probe.compare(exp, r, got, items, body)
    check.other = other
    return check


def doc_policy_of(other):
    """Every answer is the enclosing scope's policy `other` (HAProxy: the first section owns the request)."""
    def check(probe, r, exp, got, items, body, ev):
        return probe.compare(ev(other), r, got, items, body)
    check.other = other
    check.all_requests = True
    return check


def doc_acao_replaced(value):
    """The site's own header directive runs after the policy: its Access-Control-Allow-Origin wins."""
    def check(probe, r, exp, got, items, body, ev):
        e = dict(exp)
        hs = [(n, v) for n, v in exp["headers"] if n != "Access-Control-Allow-Origin"]
        e["headers"] = [("Access-Control-Allow-Origin", value)] + hs
        return probe.compare(e, r, got, items, body)
    return check


class Shape:
    def __init__(self, server, name, what, probes, documented=None, scheme="http"):
        self.server, self.name, self.what, self.probes = server, name, what, probes
        self.documented = documented      # the README's name of the limitation shown
        self.scheme = scheme
        self.port = None
        self.requests = 0
        self.mismatches = []


def allowed_origins(pol):
    if pol["origins"] == ["*"]:
        return ["https://anything.example"]
    out = []
    for o in pol["origins"][:2]:
        out.append(diff.origin_candidates(o)[0][0])
    return out


def probe_requests(pol, probe):
    allowed = allowed_origins(pol)
    a = allowed[0]
    meths = [m for m in (pol["methods"] or []) if m not in ("GET", "HEAD", "POST", "*")]
    m1 = meths[0] if meths else "PUT"
    hdrs = [h.lower() for h in (pol["allow-headers"] or []) if h != "*"][:2]
    extra = list(probe.extra)
    R = diff.Req
    st = probe.statuses
    reqs = [
        R("preflight", a, "OPTIONS", m1, hdrs, extra=extra),
        R("preflight", a, "OPTIONS", "DELETE", ["x-unlisted"], "true", extra=extra),
        R("preflight", REFUSED, "OPTIONS", m1, hdrs, extra=extra),
        R("actual", a, "GET", status=st[0], extra=extra),
        R("actual", a, "POST", status=st[1 % len(st)], extra=extra),
        R("actual", a, "GET", status=st[2 % len(st)], extra=extra),
        R("actual", REFUSED, "GET", status=st[0], extra=extra),
        R("actual", None, "GET", status=st[1 % len(st)], extra=extra),
        R("actual", allowed[-1], "HEAD", status=st[0], extra=extra),
    ]
    if len(allowed) > 1:
        reqs.append(R("preflight", allowed[1], "OPTIONS", m1, hdrs[:1], extra=extra))
    if probe.two_origins:
        for kind in ("preflight", "actual"):
            r = Req2(kind, a, "OPTIONS" if kind == "preflight" else "GET",
                     m1 if kind == "preflight" else None, hdrs if kind == "preflight" else (),
                     status=st[0], extra=extra + [("Origin", REFUSED)])
            # eval refuses the joined value as malformed: harness.corsc_eval
            # then asks for an origin that matches nothing (SPEC section 6)
            r.eval_origin = a if probe.two_origins == "first" else "%s, %s" % (a, REFUSED)
            reqs.append(r)
    return reqs


def nginx_shapes():
    S = []
    S.append(Shape("nginx", "proxy", "server-level policy, reverse proxy to an application with its own CORS headers",
                   [Probe("/app/", "api")]))
    S.append(Shape("nginx", "static-gzip", "policy in a location serving static files with gzip",
                   [Probe("/static/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          extra=[("Accept-Encoding", "gzip")], optional_vary=("accept-encoding",))]))
    S.append(Shape("nginx", "auth", "auth_basic on a location with the policy: preflights before the login",
                   [Probe("/secret/", "api", actual=401), Probe("/secret/", "api", extra=[AUTH])]))
    S.append(Shape("nginx", "auth-server", "server-level policy, auth_basic in a location",
                   [Probe("/secret/", "api", actual=401), Probe("/secret/", "api", extra=[AUTH])]))
    S.append(Shape("nginx", "redirects", "server-level policy, return 301 and rewrite ... permanent in locations",
                   [Probe("/old/", "api", actual=301), Probe("/rw/", "api", actual=301)]))
    S.append(Shape("nginx", "error-page", "error_page to a location that includes the same policy (the remedy)",
                   [Probe("/err/", "api", actual={200: (200, True), 404: (404, False), 500: (500, False)})]))
    S.append(Shape("nginx", "error-page-bare", "error_page to a location without the policy",
                   [Probe("/err/", "api", actual={200: (200, True), 404: (404, False), 500: (500, False)},
                          statuses=(404, 500, 404), doc=doc_unscoped_page)],
                   documented="error pages and named locations"))
    S.append(Shape("nginx", "try-files", "try_files to a named location that includes the same policy (the remedy)",
                   [Probe("/tf/", "api")]))
    S.append(Shape("nginx", "try-files-bare", "try_files to a named location without the policy",
                   [Probe("/tf/", "api", doc=doc_app_headers_pass)],
                   documented="error pages and named locations"))
    S.append(Shape("nginx", "mixed-locations", "one policy in location /, another in location /pub/ (the remedy)",
                   [Probe("/app/", "api"), Probe("/pub/", "public")]))
    S.append(Shape("nginx", "mixed-locations-rev", "public in location /, api in location /api/ (the remedy)",
                   [Probe("/app/", "public"), Probe("/api/", "api")]))
    S.append(Shape("nginx", "server-and-location", "api at server level, public in location /pub/",
                   [Probe("/app/", "api"), Probe("/pub/", "public", doc=doc_preflight_of("api"))],
                   documented="a policy at server level and another in a location"))
    S.append(Shape("nginx", "server-and-location-rev", "public at server level, api in location /api/",
                   [Probe("/app/", "public"), Probe("/api/", "api", doc=doc_preflight_of("public"))],
                   documented="a policy at server level and another in a location"))
    S.append(Shape("nginx", "nested", "api in location /n/, partner in the nested location /n/partner/",
                   [Probe("/n/", "api"), Probe("/n/partner/", "partner")]))
    S.append(Shape("nginx", "nested-bare", "a location nested in the policy's location, without its own include",
                   [Probe("/n/up/", "api", doc=doc_preflight_reaches_app)],
                   documented="a location nested in the policy's location"))
    S.append(Shape("nginx", "tls-h2", "TLS and HTTP/2, server-level policy", [Probe("/app/", "api")], scheme="https"))
    S.append(Shape("nginx", "two-origins", "two Origin header lines: nginx 1.22 sees the first",
                   [Probe("/app/", "api", two_origins="first")], documented="two Origin headers"))
    # explore21: more layouts people write (each its own server block)
    S.append(Shape("nginx", "own-headers-same-level", "the user's add_header and proxy_hide_header next to the "
                   "include, in the same location: both apply", [Probe("/app/", "api")]))
    S.append(Shape("nginx", "regex-location", "policy in a regex location (location ~ ^/rx/), proxy_pass",
                   [Probe("/rx/", "api")]))
    S.append(Shape("nginx", "alias", "policy in a location served with alias",
                   [Probe("/al/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          app_vary=())]))
    S.append(Shape("nginx", "limit-except", "limit_except GET POST { deny all; } next to the policy: preflights "
                   "get its 403 (its block is a nested location, without the policy's return 204)",
                   [Probe("/le/", "api", doc=doc_preflight_answered(403))],
                   documented="limit_except without OPTIONS"))
    S.append(Shape("nginx", "limit-except-options", "limit_except GET POST OPTIONS { deny all; } next to the policy "
                   "(the remedy)", [Probe("/le/", "api")]))
    S.append(Shape("nginx", "limit-except-server", "server-level policy, limit_except GET POST { deny all; } in a "
                   "location (the other remedy)", [Probe("/le/", "api")]))
    S.append(Shape("nginx", "auth-request", "auth_request to an internal location that says 401",
                   [Probe("/ar/", "api", actual=401)]))
    S.append(Shape("nginx", "satisfy-any", "satisfy any with allow/deny and auth_basic",
                   [Probe("/sa/", "api", actual=401), Probe("/sa/", "api", extra=[AUTH])]))
    S.append(Shape("nginx", "if-in-location", "an if block in the policy's location that matches every request",
                   [Probe("/if/", "api")]))
    S.append(Shape("nginx", "server-return", "server-level policy, then return 301 at server level",
                   [Probe("/any/", "api", actual=301)]))
    S.append(Shape("nginx", "server-return-location", "return 301 at server level, the policy only in a location: "
                   "the server's rewrite phase answers before any location",
                   [Probe("/api/", "api", actual=301, doc=doc_answered_first(301))],
                   documented="a server-level return before the policy's location"))
    S.append(Shape("nginx", "dir-slash-index", "static directory: the trailing-slash 301, then index (an "
                   "internal redirect to index.txt) and autoindex",
                   [Probe("/ix/", "api", actual={200: (301, False), 404: (404, False), 500: (404, False)},
                          app_vary=()),
                    Probe("/ix/s200/?", "api", actual={200: (200, False), 404: (200, False), 500: (200, False)},
                          app_vary=(), post=405),
                    Probe("/ai/?", "api", actual={200: (200, False), 404: (200, False), 500: (200, False)},
                          app_vary=(), post=403)]))
    return S


def nginx_conf(shapes, d, up, www, tmp, tls):
    proxy = "proxy_pass http://127.0.0.1:%d;" % up
    inc = lambda p: "include %s/cors-%s.conf;" % (d, p)  # noqa: E731
    body = {
        "proxy": "%s location / { %s }" % (inc("api"), proxy),
        "static-gzip": ("root %s; default_type text/plain; gzip on; gzip_types text/plain; gzip_min_length 1; "
                        "gzip_vary on; location /static/ { %s }" % (www, inc("api"))),
        "auth": ("location /secret/ { %s auth_basic corsc; auth_basic_user_file %s/htpasswd; %s }"
                 % (inc("api"), os.path.dirname(tmp), proxy)),
        "auth-server": ("%s location /secret/ { auth_basic corsc; auth_basic_user_file %s/htpasswd; %s }"
                        % (inc("api"), os.path.dirname(tmp), proxy)),
        "redirects": ("%s location /old/ { return 301 /new/; } location /rw/ { rewrite ^/rw/(.*)$ /new/$1 permanent; }"
                      " location / { %s }" % (inc("api"), proxy)),
        "error-page": ("root %s; location /err/ { %s %s proxy_intercept_errors on; error_page 404 500 /errpage/index.txt; }"
                       " location /errpage/ { %s internal; }" % (www, inc("api"), proxy, inc("api"))),
        "error-page-bare": ("root %s; location /err/ { %s %s proxy_intercept_errors on; error_page 404 500 /errpage/index.txt; }"
                            " location /errpage/ { internal; }" % (www, inc("api"), proxy)),
        "try-files": "root %s; location /tf/ { %s try_files $uri @app; } location @app { %s %s }"
                     % (www, inc("api"), inc("api"), proxy),
        "try-files-bare": "root %s; location /tf/ { %s try_files $uri @app; } location @app { %s }"
                          % (www, inc("api"), proxy),
        "mixed-locations": "location / { %s %s } location /pub/ { %s %s }" % (inc("api"), proxy, inc("public"), proxy),
        "mixed-locations-rev": "location / { %s %s } location /api/ { %s %s }" % (inc("public"), proxy, inc("api"), proxy),
        "server-and-location": "%s location / { %s } location /pub/ { %s %s }" % (inc("api"), proxy, inc("public"), proxy),
        "server-and-location-rev": "%s location / { %s } location /api/ { %s %s }" % (inc("public"), proxy, inc("api"), proxy),
        "nested": "location /n/ { %s %s location /n/partner/ { %s %s } }" % (inc("api"), proxy, inc("partner"), proxy),
        "nested-bare": "location /n/ { %s %s location /n/up/ { client_max_body_size 1m; %s } }" % (inc("api"), proxy, proxy),
        "tls-h2": "%s location / { %s }" % (inc("api"), proxy),
        "two-origins": "%s location / { %s }" % (inc("api"), proxy),
        "own-headers-same-level": ("location / { %s add_header Strict-Transport-Security max-age=60 always; "
                                   "proxy_hide_header X-Powered-By; %s }" % (inc("api"), proxy)),
        "regex-location": "location ~ ^/rx/ { %s %s }" % (inc("api"), proxy),
        "alias": "location /al/ { %s alias %s/static/; default_type text/plain; }" % (inc("api"), www),
        "limit-except": "location /le/ { %s limit_except GET POST { deny all; } %s }" % (inc("api"), proxy),
        "limit-except-server": "%s location /le/ { limit_except GET POST { deny all; } %s }" % (inc("api"), proxy),
        "limit-except-options": "location /le/ { %s limit_except GET POST OPTIONS { deny all; } %s }" % (
            inc("api"), proxy),
        "auth-request": ("location /ar/ { %s auth_request /_auth; %s } location = /_auth { internal; return 401; }"
                         % (inc("api"), proxy)),
        "satisfy-any": ("location /sa/ { %s satisfy any; allow 192.0.2.1; deny all; auth_basic corsc; "
                        "auth_basic_user_file %s/htpasswd; %s }" % (inc("api"), os.path.dirname(tmp), proxy)),
        "if-in-location": "location /if/ { %s if ($http_x_e2e_id) { set $e2e 1; } %s }" % (inc("api"), proxy),
        "server-return": "%s return 301 /elsewhere/;" % inc("api"),
        "server-return-location": "return 301 /elsewhere/; location /api/ { %s %s }" % (inc("api"), proxy),
        "dir-slash-index": ("root %s; default_type text/plain; location /ix/ { %s index index.txt; } "
                            "location /ai/ { %s autoindex on; }" % (www, inc("api"), inc("api"))),
    }
    L = []
    if os.geteuid() == 0:
        L.append("user %s %s;" % harness._unprivileged())
    L += ["daemon off;", "master_process on;", "worker_processes 1;", "pid %s/nginx.pid;" % tmp,
          "error_log %s/error.log warn;" % tmp, "events { worker_connections 512; }", "http {",
          "    access_log off;", "    include %s/cors-http.conf;" % d]
    for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        L.append("    %s_temp_path %s/%s_temp;" % (t, tmp, t))
    for s in shapes:
        if s.scheme == "https":
            listen = "listen 127.0.0.1:%d ssl http2; ssl_certificate %s; ssl_certificate_key %s;" % (
                s.port, tls["cert"], tls["key"])
        else:
            listen = "listen 127.0.0.1:%d;" % s.port
        L.append("    server { # %s\n        %s\n        %s\n    }" % (s.name, listen, body[s.name]))
    L.append("}")
    return "\n".join(L) + "\n"


def apache_shapes():
    S = []
    S.append(Shape("apache", "proxy", "policy in <VirtualHost>, ProxyPass to an application with its own CORS headers",
                   [Probe("/app/", "api")]))
    S.append(Shape("apache", "static-deflate", "policy in <Directory>, static files with mod_deflate",
                   [Probe("/static/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          extra=[("Accept-Encoding", "gzip")], optional_vary=("accept-encoding",))]))
    S.append(Shape("apache", "auth", "Basic auth in the <Location> with the policy: preflights before the login",
                   [Probe("/secret/", "api", actual=401), Probe("/secret/", "api", extra=[AUTH])]))
    S.append(Shape("apache", "auth-vhost", "policy in <VirtualHost>, Basic auth in a <Location>",
                   [Probe("/secret/", "api", actual=401), Probe("/secret/", "api", extra=[AUTH])]))
    S.append(Shape("apache", "redirects", "policy in <VirtualHost>, Redirect, and RewriteRule [R=301] after "
                   "RewriteCond %{REQUEST_METHOD} !=OPTIONS (the remedy)",
                   [Probe("/old/", "api", actual=301), Probe("/rw/", "api", actual=301)]))
    S.append(Shape("apache", "rewrite-redirect-bare", "policy in <VirtualHost>, RewriteRule [R=301] in <VirtualHost>",
                   [Probe("/rw/", "api", actual=301, doc=doc_preflight_answered(301))],
                   documented="RewriteRule with [R] in <VirtualHost>"))
    S.append(Shape("apache", "error-document", "policy in <Directory>, ErrorDocument 404 to a page in a "
                   "<Location> that includes the same policy (the remedy)",
                   [Probe("/static/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          app_vary=())]))
    S.append(Shape("apache", "error-document-bare", "policy in <Directory>, ErrorDocument 404 to a page outside it",
                   [Probe("/static/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          app_vary=(), doc=doc_unscoped_page)],
                   documented="error pages and named locations"))
    S.append(Shape("apache", "rewrite-internal", "policy in <Directory>, a front controller: RewriteRule to index.txt",
                   [Probe("/fc/", "api", actual={200: (200, False), 404: (200, False), 500: (200, False)})]))
    S.append(Shape("apache", "htaccess", "policy in <Directory>, a legacy .htaccess that sets Access-Control-* itself",
                   [Probe("/ht/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)})]))
    S.append(Shape("apache", "vhost-and-location", "api in <VirtualHost>, public in <Location /pub/>",
                   [Probe("/app/", "api"), Probe("/pub/", "public")]))
    S.append(Shape("apache", "vhost-and-location-rev", "public in <VirtualHost>, api in <Location /api/>",
                   [Probe("/app/", "public"), Probe("/api/", "api")]))
    S.append(Shape("apache", "nested", "api in <Location /n/>, partner in <Location /n/partner/>",
                   [Probe("/n/", "api"), Probe("/n/partner/", "partner")]))
    S.append(Shape("apache", "tls-h2", "TLS and HTTP/2 (mod_ssl, mod_http2), policy in <VirtualHost>",
                   [Probe("/app/", "api")], scheme="https"))
    S.append(Shape("apache", "two-origins", "two Origin header lines: Apache joins them, no origin matches",
                   [Probe("/app/", "api", two_origins="none")]))
    # explore21: more layouts people write
    S.append(Shape("apache", "dir-slash-index", "policy in <Directory>: mod_dir's DirectorySlash 301, then "
                   "DirectoryIndex (an internal redirect to index.txt)",
                   [Probe("/ix/", "api", actual={200: (301, False), 404: (404, False), 500: (404, False)},
                          app_vary=()),
                    Probe("/ix/s200/?", "api", actual={200: (200, False), 404: (200, False), 500: (200, False)},
                          app_vary=())]))
    S.append(Shape("apache", "fallback-resource", "policy in <Directory>, FallbackResource for missing files",
                   [Probe("/fc/", "api", actual={200: (200, False), 404: (200, False), 500: (200, False)},
                          app_vary=())]))
    S.append(Shape("apache", "alias", "Alias to a folder, the policy in its <Location>",
                   [Probe("/al/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          app_vary=())]))
    S.append(Shape("apache", "location-static", "policy in <Location>, static files from the DocumentRoot",
                   [Probe("/static/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          app_vary=())]))
    S.append(Shape("apache", "vhost-static", "policy in <VirtualHost>, static files from the DocumentRoot",
                   [Probe("/static/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          app_vary=())]))
    S.append(Shape("apache", "auth-location-static", "Basic auth and the policy in a <Location> over static files",
                   [Probe("/static/", "api", actual=401),
                    Probe("/static/", "api", extra=[AUTH], actual={200: (200, False), 404: (404, False),
                                                                   500: (404, False)}, app_vary=())]))
    S.append(Shape("apache", "location-sethandler", "policy in <Location> with SetHandler to a proxy (as for "
                   "PHP-FPM), no ProxyPass: the application sees another path (always 200)",
                   [Probe("/sh/", "api", actual={200: (200, True), 404: (200, True), 500: (200, True)})]))
    S.append(Shape("apache", "vhost-and-location-static", "public in <VirtualHost>, api in <Location /static/> over "
                   "static files: the outer policy answers preflights before the inner origin test",
                   [Probe("/static/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          app_vary=(), doc=doc_preflight_bare)],
                   documented="a policy in <Location> over files inside a <VirtualHost> with a policy"))
    S.append(Shape("apache", "directory-and-location-static", "public in the DocumentRoot's <Directory>, api in "
                   "<Location /static/> over static files (the remedy)",
                   [Probe("/static/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          app_vary=()),
                    Probe("/ai/", "public", actual={200: (404, False), 404: (404, False), 500: (404, False)},
                          app_vary=())]))
    S.append(Shape("apache", "location-redirect", "a Redirect in the <Location> that includes the policy: mod_alias "
                   "answers while the URL is mapped, before the origin test",
                   [Probe("/old/", "api", actual=301, doc=doc_answered_first(301))],
                   documented="a mod_alias Redirect in or into a policy's `<Location>`"))
    S.append(Shape("apache", "directory-redirect", "a Redirect in the <Directory> that includes the policy (the "
                   "remedy)", [Probe("/static/", "api", actual=301)]))
    S.append(Shape("apache", "location-rewrite-out", "an internal RewriteRule in the policy's <Location> to a file "
                   "outside it: the answer comes from that other scope",
                   [Probe("/rwo/", "api", actual={200: (200, False), 404: (200, False), 500: (200, False)},
                          app_vary=(), doc=doc_actual_unscoped)],
                   documented="error pages and named locations"))
    S.append(Shape("apache", "location-rewrite-in", "an internal RewriteRule in the policy's <Location> to a file "
                   "in another <Location> with the same policy (the remedy)",
                   [Probe("/rwo/", "api", actual={200: (200, False), 404: (200, False), 500: (200, False)},
                          app_vary=())]))
    S.append(Shape("apache", "files-denied", "policy in <Directory>, <Files> with Require all denied (403)",
                   [Probe("/static/", "api", actual={200: (403, False), 404: (404, False), 500: (404, False)},
                          app_vary=())]))
    S.append(Shape("apache", "location-match", "policy in <LocationMatch>, ProxyPass",
                   [Probe("/lm/", "api")]))
    S.append(Shape("apache", "redirect-match", "policy in <VirtualHost>, RedirectMatch 301 in <VirtualHost>",
                   [Probe("/rm/", "api", actual=301)]))
    S.append(Shape("apache", "require-denied", "policy in <VirtualHost>, a <Location> with Require all denied",
                   [Probe("/dn/", "api", actual=403)]))
    S.append(Shape("apache", "error-document-url", "policy in <Directory>, ErrorDocument 404 to a full URL (302)",
                   [Probe("/static/", "api", actual={200: (200, False), 404: (302, False), 500: (302, False)},
                          app_vary=())]))
    S.append(Shape("apache", "proxy-error-override", "policy in <VirtualHost>, ProxyErrorOverride On with "
                   "ErrorDocument strings",
                   [Probe("/app/", "api", actual={200: (200, True), 404: (404, False), 500: (500, False)})]))
    return S


def apache_conf(shapes, d, up, www, tmp, tls):
    target = "http://127.0.0.1:%d" % up
    inc = lambda p: "Include %s/cors-%s.conf" % (d, p)  # noqa: E731
    dirs = lambda sub, extra="": ('<Directory %s/%s>\n    Require all granted\n    %s\n    %s\n</Directory>'  # noqa: E731
                                  % (www, sub, inc("api"), extra))
    body = {
        "proxy": "%s\nProxyPass / %s/" % (inc("api"), target),
        "static-deflate": ("DocumentRoot %s\n%s\nAddOutputFilterByType DEFLATE text/plain"
                           % (www, dirs("static", "ForceType text/plain"))),
        "auth": ("<Location /secret/>\n    %s\n    AuthType Basic\n    AuthName corsc\n    AuthUserFile %s/htpasswd\n"
                 "    Require valid-user\n    ProxyPass %s/secret/\n</Location>" % (inc("api"), os.path.dirname(tmp), target)),
        "auth-vhost": ("%s\n<Location /secret/>\n    AuthType Basic\n    AuthName corsc\n    AuthUserFile %s/htpasswd\n"
                       "    Require valid-user\n</Location>\nProxyPass / %s/" % (inc("api"), os.path.dirname(tmp), target)),
        "redirects": ("%s\nRedirect 301 /old/ /new/\nRewriteEngine On\nRewriteCond %%{REQUEST_METHOD} !=OPTIONS\n"
                      "RewriteRule ^/rw/(.*)$ /new/$1 [R=301,L]\nProxyPass /old/ !\nProxyPass / %s/" % (inc("api"), target)),
        "rewrite-redirect-bare": ("%s\nRewriteEngine On\nRewriteRule ^/rw/(.*)$ /new/$1 [R=301,L]\nProxyPass / %s/"
                                  % (inc("api"), target)),
        "error-document": ("DocumentRoot %s\n%s\nErrorDocument 404 /errpage/index.txt\n<Location /errpage/>\n    %s\n"
                           "</Location>" % (www, dirs("static", "ForceType text/plain"), inc("api"))),
        "error-document-bare": ("DocumentRoot %s\n%s\nErrorDocument 404 /errpage/index.txt"
                                % (www, dirs("static", "ForceType text/plain"))),
        "rewrite-internal": ("DocumentRoot %s\n%s" % (www, dirs("fc", "ForceType text/plain\n    RewriteEngine On\n"
                                                                 "    RewriteCond %{REQUEST_FILENAME} !-f\n"
                                                                 "    RewriteRule ^ index.txt [L]"))),
        "htaccess": "DocumentRoot %s\n%s" % (www, dirs("ht", "AllowOverride All\n    ForceType text/plain")),
        "vhost-and-location": ("%s\n<Location /pub/>\n    %s\n</Location>\nProxyPass / %s/"
                               % (inc("api"), inc("public"), target)),
        "vhost-and-location-rev": ("%s\n<Location /api/>\n    %s\n</Location>\nProxyPass / %s/"
                                   % (inc("public"), inc("api"), target)),
        "nested": ("<Location /n/>\n    %s\n</Location>\n<Location /n/partner/>\n    %s\n</Location>\nProxyPass / %s/"
                   % (inc("api"), inc("partner"), target)),
        "tls-h2": ("SSLEngine on\nSSLCertificateFile %s\nSSLCertificateKeyFile %s\nProtocols h2 http/1.1\n%s\n"
                   "ProxyPass / %s/" % (tls["cert"], tls["key"], inc("api"), target)),
        "two-origins": "%s\nProxyPass / %s/" % (inc("api"), target),
        "dir-slash-index": "DocumentRoot %s\n%s" % (www, dirs("ix", "ForceType text/plain\n    DirectoryIndex index.txt")),
        "fallback-resource": "DocumentRoot %s\n%s" % (www, dirs("fc", "ForceType text/plain\n"
                                                                  "    FallbackResource /fc/index.txt")),
        "alias": ("Alias /al/ %s/static/\n<Directory %s/static>\n    Require all granted\n    ForceType text/plain\n"
                  "</Directory>\n<Location /al/>\n    %s\n</Location>" % (www, www, inc("api"))),
        "location-static": ("DocumentRoot %s\n<Directory %s/static>\n    Require all granted\n    ForceType text/plain\n"
                            "</Directory>\n<Location /static/>\n    %s\n</Location>" % (www, www, inc("api"))),
        "vhost-static": ("DocumentRoot %s\n%s\n<Directory %s/static>\n    Require all granted\n    ForceType text/plain\n"
                         "</Directory>" % (www, inc("api"), www)),
        "auth-location-static": ("DocumentRoot %s\n<Directory %s/static>\n    Require all granted\n    ForceType text/plain\n"
                                 "</Directory>\n<Location /static/>\n    %s\n    AuthType Basic\n    AuthName corsc\n"
                                 "    AuthUserFile %s/htpasswd\n    Require valid-user\n</Location>"
                                 % (www, www, inc("api"), os.path.dirname(tmp))),
        "location-sethandler": ('<Location /sh/>\n    %s\n    SetHandler "proxy:%s"\n</Location>' % (inc("api"), target)),
        "vhost-and-location-static": ("DocumentRoot %s\n%s\n<Directory %s/static>\n    Require all granted\n"
                                      "    ForceType text/plain\n</Directory>\n<Location /static/>\n    %s\n</Location>"
                                      % (www, inc("public"), www, inc("api"))),
        "directory-and-location-static": ("DocumentRoot %s\n<Directory %s>\n    Require all granted\n    %s\n"
                                          "    ForceType text/plain\n</Directory>\n<Location /static/>\n    %s\n</Location>"
                                          % (www, www, inc("public"), inc("api"))),
        "location-redirect": ("<Location /old/>\n    %s\n    Redirect 301 /new/\n</Location>\nProxyPass /old/ !\n"
                              "ProxyPass / %s/" % (inc("api"), target)),
        "directory-redirect": "DocumentRoot %s\n%s" % (www, dirs("static", "Redirect 301 /new/")),
        "location-rewrite-out": ("DocumentRoot %s\n<Directory %s>\n    Require all granted\n    ForceType text/plain\n"
                                 "</Directory>\n<Location /rwo/>\n    %s\n    RewriteEngine On\n"
                                 "    RewriteRule ^ /static/s200 [L]\n</Location>" % (www, www, inc("api"))),
        "location-rewrite-in": ("DocumentRoot %s\n<Directory %s>\n    Require all granted\n    ForceType text/plain\n"
                                "</Directory>\n<Location /rwo/>\n    %s\n    RewriteEngine On\n"
                                "    RewriteRule ^ /static/s200 [L]\n</Location>\n<Location /static/>\n    %s\n"
                                "</Location>" % (www, www, inc("api"), inc("api"))),
        "files-denied": "DocumentRoot %s\n%s" % (www, dirs("static", "ForceType text/plain\n"
                                                              "    <Files s200>\n        Require all denied\n    </Files>")),
        "location-match": ("<LocationMatch \"^/lm/\">\n    %s\n</LocationMatch>\nProxyPass / %s/" % (inc("api"), target)),
        "redirect-match": "%s\nRedirectMatch 301 ^/rm/(.*)$ /new/$1\nProxyPass /rm/ !\nProxyPass / %s/" % (inc("api"), target),
        "require-denied": ("%s\n<Location /dn/>\n    Require all denied\n</Location>\nProxyPass / %s/"
                           % (inc("api"), target)),
        "error-document-url": ("DocumentRoot %s\n%s\nErrorDocument 404 http://127.0.0.1:9/missing"
                               % (www, dirs("static", "ForceType text/plain"))),
        "proxy-error-override": ("%s\nProxyErrorOverride On\nErrorDocument 404 \"not here\"\nErrorDocument 500 \"broken\"\n"
                                 "ProxyPass / %s/" % (inc("api"), target)),
    }
    run = os.path.join(tmp, "run")
    os.makedirs(run, exist_ok=True)
    L = ["ServerRoot %s" % tmp, "ServerName 127.0.0.1", "PidFile %s/apache.pid" % tmp,
         "DefaultRuntimeDir %s" % run, "ErrorLog %s/error.log" % tmp, "LogLevel warn"]
    mods = harness._apache_modules(os.path.dirname(d)) + [
        "ssl", "socache_shmcb", "http2", "deflate", "filter", "mime", "auth_basic", "authn_core", "authn_file",
        "authz_user", "dir"]
    seen = []
    for m in mods:
        if m not in seen:
            seen.append(m)
            L.append("LoadModule %s_module %s/mod_%s.so" % (m, harness.APACHE_MODULES, m))
    if os.geteuid() == 0:
        L += ["User %s" % harness._unprivileged()[0], "Group %s" % harness._unprivileged()[1]]
    L += ["StartServers 1", "ServerLimit 2", "ThreadsPerChild 32", "MaxRequestWorkers 64",
          "KeepAlive On", "MaxKeepAliveRequests 0", "Timeout 30", "TypesConfig /etc/mime.types"]
    for s in shapes:
        L.append("Listen 127.0.0.1:%d" % s.port)
    for s in shapes:
        L += ["# %s" % s.name, "<VirtualHost 127.0.0.1:%d>" % s.port,
              "\n".join("    " + x for x in body[s.name].split("\n")), "</VirtualHost>"]
    return "\n".join(L) + "\n"


def caddy_shapes():
    S = []
    S.append(Shape("caddy", "proxy", "site-level policy, reverse_proxy to an application with its own CORS headers",
                   [Probe("/app/", "api")]))
    S.append(Shape("caddy", "static-encode", "site-level policy, file_server with encode gzip",
                   [Probe("/static/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          extra=[("Accept-Encoding", "gzip")], optional_vary=("accept-encoding",))]))
    S.append(Shape("caddy", "auth", "basicauth and the policy in one route block (the remedy)",
                   [Probe("/secret/", "api", actual=401), Probe("/secret/", "api", extra=[AUTH])]))
    S.append(Shape("caddy", "auth-site", "site-level basicauth next to a site-level import",
                   [Probe("/secret/", "api", actual=401, doc=doc_answered_first(401))],
                   documented="directives that Caddy sorts before the policy"))
    S.append(Shape("caddy", "auth-handle", "basicauth next to the import inside a handle block",
                   [Probe("/secret/", "api", actual=401, doc=doc_answered_first(401))],
                   documented="directives that Caddy sorts before the policy"))
    S.append(Shape("caddy", "auth-handle-route", "inside a handle block, basicauth after the import in a route block "
                   "(the remedy)", [Probe("/secret/", "api", actual=401), Probe("/secret/", "api", extra=[AUTH])]))
    S.append(Shape("caddy", "redirects", "redir and the policy in one route block (the remedy)",
                   [Probe("/old/", "api", actual=301)]))
    S.append(Shape("caddy", "redirects-site", "site-level redir next to a site-level import",
                   [Probe("/old/", "api", actual=301, doc=doc_answered_first(301))],
                   documented="directives that Caddy sorts before the policy"))
    S.append(Shape("caddy", "error-pages", "site-level policy, handle_errors serving an error page",
                   [Probe("/static/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          app_vary=())]))
    S.append(Shape("caddy", "handle-path", "handle_path and a rewrite inside handle blocks with the policy",
                   [Probe("/hp/", "api"), Probe("/rw/", "api")]))
    S.append(Shape("caddy", "site-with-handles", "site-level import, the site's answers made inside handle blocks",
                   [Probe("/app/", "api", doc=doc_no_policy)],
                   documented="directives that Caddy sorts before the policy"))
    S.append(Shape("caddy", "site-and-handle", "api at site level, public inside handle /pub/*",
                   [Probe("/app/", "api"), Probe("/pub/", "public")]))
    S.append(Shape("caddy", "site-and-handle-rev", "public at site level, api inside handle /api/*",
                   [Probe("/app/", "public"), Probe("/api/", "api")]))
    S.append(Shape("caddy", "nested", "api inside handle /n/*, partner in a handle nested in it",
                   [Probe("/n/", "api"), Probe("/n/partner/", "partner")]))
    S.append(Shape("caddy", "user-header", "the site's own header directive sets Access-Control-Allow-Origin",
                   [Probe("/app/", "api", doc=doc_acao_replaced("*"))],
                   documented="your own Access-Control-* header directives"))
    S.append(Shape("caddy", "tls-h2", "TLS and HTTP/2, site-level policy", [Probe("/app/", "api")], scheme="https"))
    S.append(Shape("caddy", "two-origins", "two Origin header lines: Caddy joins them, no origin matches",
                   [Probe("/app/", "api", two_origins="none")]))
    # explore21: more layouts people write
    ST = {200: (200, False), 404: (200, False), 500: (200, False)}
    S.append(Shape("caddy", "try-files", "site-level policy, try_files to a front controller, file_server",
                   [Probe("/tf/", "api", actual=ST, app_vary=())]))
    S.append(Shape("caddy", "browse", "site-level policy, file_server browse (a directory listing)",
                   [Probe("/ai/?", "api", actual=ST, app_vary=())]))
    S.append(Shape("caddy", "errors-respond", "site-level policy, file_server, handle_errors answering with respond",
                   [Probe("/static/", "api", actual={200: (200, False), 404: (404, False), 500: (404, False)},
                          app_vary=())]))
    S.append(Shape("caddy", "dead-upstream", "site-level policy, reverse_proxy to an upstream that is down: "
                   "Caddy's own 502", [Probe("/app/", "api", actual=502)]))
    S.append(Shape("caddy", "encode-zstd", "site-level policy, encode zstd gzip before reverse_proxy",
                   [Probe("/app/", "api", extra=[("Accept-Encoding", "zstd, gzip")],
                          optional_vary=("accept-encoding",))]))
    S.append(Shape("caddy", "rewrite-site", "site-level rewrite and policy, reverse_proxy",
                   [Probe("/rw/", "api")]))
    S.append(Shape("caddy", "strip-prefix", "site-level uri strip_prefix and policy, reverse_proxy",
                   [Probe("/sp/", "api")]))
    S.append(Shape("caddy", "forward-auth-site", "site-level forward_auth (to a service that says 404) next to a "
                   "site-level import", [Probe("/app/", "api", actual=404, doc=doc_forward_auth_first)],
                   documented="directives that Caddy sorts before the policy"))
    S.append(Shape("caddy", "forward-auth-route", "forward_auth after the import in one route block (the remedy)",
                   [Probe("/app/", "api", actual={200: (404, True), 404: (404, True), 500: (404, True)})]))
    S.append(Shape("caddy", "body-limit", "site-level request_body max_size 1: a POST with a body gets "
                   "Caddy's own error (502 on 2.6)", [Probe("/app/", "api", post=502)]))
    return S


def caddy_conf(shapes, d, up, www, tmp, tls, bcrypt):
    target = "127.0.0.1:%d" % up
    auth = "basicauth /secret/* {\n\t%s %s\n}" % (USER, bcrypt)
    body = {
        "proxy": "import cors-api\nreverse_proxy %s" % target,
        "static-encode": "root * %s\nencode gzip\nimport cors-api\nfile_server" % www,
        "auth": "route {\n\timport cors-api\n\t%s\n\treverse_proxy %s\n}" % (auth.replace("\n", "\n\t"), target),
        "auth-site": "%s\nimport cors-api\nreverse_proxy %s" % (auth, target),
        "auth-handle": "handle /secret/* {\n\t%s\n\timport cors-api\n\treverse_proxy %s\n}" % (
            auth.replace("\n", "\n\t"), target),
        "auth-handle-route": "handle /secret/* {\n\troute {\n\t\timport cors-api\n\t\t%s\n\t\treverse_proxy %s\n\t}\n}" % (
            auth.replace("\n", "\n\t\t"), target),
        "redirects": "route {\n\timport cors-api\n\tredir /old/* /new/ 301\n\treverse_proxy %s\n}" % target,
        "redirects-site": "import cors-api\nredir /old/* /new/ 301\nreverse_proxy %s" % target,
        "error-pages": ("root * %s\nimport cors-api\nfile_server\nhandle_errors {\n\trewrite * /static/errpage.txt\n"
                        "\tfile_server\n}" % www),
        "handle-path": ("handle_path /hp/* {\n\timport cors-api\n\treverse_proxy %s\n}\n"
                        "handle /rw/* {\n\timport cors-api\n\trewrite * /app{uri}\n\treverse_proxy %s\n}"
                        % (target, target)),
        "site-with-handles": "import cors-api\nhandle /app/* {\n\treverse_proxy %s\n}\nhandle {\n\trespond 404\n}" % target,
        "site-and-handle": ("import cors-api\nhandle /pub/* {\n\timport cors-public\n\treverse_proxy %s\n}\n"
                            "reverse_proxy %s" % (target, target)),
        "site-and-handle-rev": ("import cors-public\nhandle /api/* {\n\timport cors-api\n\treverse_proxy %s\n}\n"
                                "reverse_proxy %s" % (target, target)),
        "nested": ("handle /n/* {\n\timport cors-api\n\thandle /n/partner/* {\n\t\timport cors-partner\n"
                   "\t\treverse_proxy %s\n\t}\n\treverse_proxy %s\n}" % (target, target)),
        "user-header": ("header {\n\t-Server\n\tAccess-Control-Allow-Origin *\n}\nimport cors-api\nreverse_proxy %s"
                        % target),
        "tls-h2": "tls %s %s\nimport cors-api\nreverse_proxy %s" % (tls["cert"], tls["key"], target),
        "two-origins": "import cors-api\nreverse_proxy %s" % target,
        "try-files": "root * %s\nimport cors-api\ntry_files {path} /fc/index.txt\nfile_server" % www,
        "browse": "root * %s\nimport cors-api\nfile_server browse" % www,
        "errors-respond": ("root * %s\nimport cors-api\nfile_server\nhandle_errors {\n\trespond \"{err.status_code} "
                           "error\"\n}" % www),
        "dead-upstream": "import cors-api\nreverse_proxy 127.0.0.1:%d" % harness.free_port(),
        "encode-zstd": "encode zstd gzip\nimport cors-api\nreverse_proxy %s" % target,
        "rewrite-site": "rewrite /rw/* /app{uri}\nimport cors-api\nreverse_proxy %s" % target,
        "strip-prefix": "uri strip_prefix /sp\nimport cors-api\nreverse_proxy %s" % target,
        "forward-auth-site": "forward_auth %s {\n\turi /auth/s404\n}\nimport cors-api\nreverse_proxy %s" % (target, target),
        "forward-auth-route": ("route {\n\timport cors-api\n\tforward_auth %s {\n\t\turi /auth/s404\n\t}\n"
                               "\treverse_proxy %s\n}" % (target, target)),
        "body-limit": "request_body {\n\tmax_size 1\n}\nimport cors-api\nreverse_proxy %s" % target,
    }
    L = ["{", "\tadmin off", "\tauto_https off", "\tskip_install_trust", "}", "", "import %s/cors.caddy" % d, ""]
    for s in shapes:
        addr = "https://cors.test:%d" % s.port if s.scheme == "https" else "http://:%d" % s.port
        L += ["# %s" % s.name, addr + " {", "\tbind 127.0.0.1",
              "\n".join("\t" + x for x in body[s.name].split("\n")), "}", ""]
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- fixtures

def make_www(www):
    for sub in ("static", "ht", "fc", "errpage", "tf", "ix/s200", "ai"):
        os.makedirs(os.path.join(www, sub), exist_ok=True)
    with open(os.path.join(www, "ix", "s200", "index.txt"), "w") as f:
        f.write("directory index\n")
    with open(os.path.join(www, "ai", "listed.txt"), "w") as f:
        f.write("listed\n")
    with open(os.path.join(www, "static", "s200"), "w") as f:
        f.write(STATIC_TEXT)
    with open(os.path.join(www, "static", "errpage.txt"), "w") as f:
        f.write("error page\n")
    with open(os.path.join(www, "errpage", "index.txt"), "w") as f:
        f.write("error page\n")
    with open(os.path.join(www, "fc", "index.txt"), "w") as f:
        f.write("front controller\n")
    with open(os.path.join(www, "ht", "s200"), "w") as f:
        f.write("behind .htaccess\n")
    # A legacy .htaccess that sets CORS itself, in both of mod_headers' tables.
    with open(os.path.join(www, "ht", ".htaccess"), "w") as f:
        f.write('Header always set Access-Control-Allow-Origin "*"\n'
                'Header set Access-Control-Allow-Methods "GET, OPTIONS"\n'
                'Header set Access-Control-Expose-Headers "X-Legacy"\n')
    os.chmod(www, 0o755)
    for root, dirs, files in os.walk(www):
        for x in dirs:
            os.chmod(os.path.join(root, x), 0o755)
        for x in files:
            os.chmod(os.path.join(root, x), 0o644)


def make_tls(tmp):
    """A test CA and a certificate for cors.test and 127.0.0.1, made here."""
    d = os.path.join(tmp, "tls")
    os.makedirs(d, exist_ok=True)

    def ossl(*args):
        r = subprocess.run(["openssl"] + list(args), cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise Fatal("openssl %s failed:\n%s" % (" ".join(args), r.stdout))
    ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=corsc e2e test CA",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    ossl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=cors.test")
    with open(os.path.join(d, "ext"), "w") as f:
        f.write("subjectAltName=DNS:cors.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    ossl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
         "-out", "server.pem", "-days", "2", "-extfile", "ext")
    for n in os.listdir(d):
        os.chmod(os.path.join(d, n), 0o644)
    os.chmod(d, 0o755)
    return {"ca": os.path.join(d, "ca.pem"), "cert": os.path.join(d, "server.pem"),
            "key": os.path.join(d, "server.key")}


def make_htpasswd(tmp):
    """bcrypt at a low cost: all three servers read it (Caddy needs bcrypt)."""
    r = subprocess.run(["htpasswd", "-nbB", "-C", "4", USER, PASSWORD], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise Fatal("htpasswd failed: %s" % r.stderr)
    line = r.stdout.strip()
    with open(os.path.join(tmp, "htpasswd"), "w") as f:
        f.write(line + "\n")
    os.chmod(os.path.join(tmp, "htpasswd"), 0o644)
    return line.split(":", 1)[1]


def haproxy_shapes():
    S = []
    S.append(Shape("haproxy", "proxy", "frontend from cors-api (cors.cfg loaded with -f), proxy to an application "
                   "with its own CORS headers", [Probe("/app/", "api")]))
    S.append(Shape("haproxy", "backend-scope", "the fragment at the top of a backend, a frontend without policy",
                   [Probe("/app/", "api")]))
    S.append(Shape("haproxy", "frontend-fragment", "the fragment at the top of a frontend", [Probe("/app/", "api")]))
    S.append(Shape("haproxy", "listen", "the fragment at the top of a listen section", [Probe("/app/", "api")]))
    S.append(Shape("haproxy", "down-503", "frontend from cors-api, its backend's server down: HAProxy's own 503",
                   [Probe("/app/", "api", actual=503)]))
    S.append(Shape("haproxy", "down-503-backend", "the fragment in a backend whose server is down: HAProxy's own 503",
                   [Probe("/app/", "api", actual=503)]))
    S.append(Shape("haproxy", "http-error", "server down, the 503 page replaced by http-error in the frontend",
                   [Probe("/app/", "api", actual=503)]))
    S.append(Shape("haproxy", "deny", "frontend from cors-api, http-request deny after it",
                   [Probe("/app/", "api", actual=403)]))
    S.append(Shape("haproxy", "redirect", "frontend from cors-api, http-request redirect ... code 301",
                   [Probe("/old/", "api", actual=301)]))
    S.append(Shape("haproxy", "auth", "frontend from cors-api, http-request auth on /secret/: preflights before it",
                   [Probe("/secret/", "api", actual=401), Probe("/secret/", "api", extra=[AUTH])]))
    S.append(Shape("haproxy", "return", "frontend from cors-api, http-request return answers itself",
                   [Probe("/ret/", "api", actual=200)]))
    S.append(Shape("haproxy", "mixed-backends", "a frontend without policy, api in one backend, public in another "
                   "(the remedy)", [Probe("/app/", "api"), Probe("/pub/", "public")]))
    S.append(Shape("haproxy", "frontend-and-backend", "api on the frontend, public on the backend of /pub/",
                   [Probe("/app/", "api"), Probe("/pub/", "public", doc=doc_policy_of("api"))],
                   documented="a policy on a frontend and another on its backend"))
    S.append(Shape("haproxy", "tls-h2", "TLS and HTTP/2 (bind ssl alpn h2), frontend from cors-api",
                   [Probe("/app/", "api")], scheme="https"))
    S.append(Shape("haproxy", "two-origins", "two Origin header lines: no origin matches (req.fhdr_cnt)",
                   [Probe("/app/", "api", two_origins="none")]))
    # explore21: more layouts people write
    S.append(Shape("haproxy", "frontend-deny-backend-policy", "a frontend without policy that denies, its backend "
                   "with the fragment: the frontend's answer carries no policy",
                   [Probe("/app/", "api", actual=403, doc=doc_answered_first(403))],
                   documented="answers a frontend makes before a backend with a policy"))
    S.append(Shape("haproxy", "backend-deny", "a frontend without policy, the deny in the backend after the fragment "
                   "(the remedy)", [Probe("/app/", "api", actual=403)]))
    S.append(Shape("haproxy", "redirect-scheme", "frontend from cors-api, http-request redirect scheme https",
                   [Probe("/app/", "api", actual=302)]))
    S.append(Shape("haproxy", "errorfile", "frontend from cors-api, server down, errorfile 503 of the user's own",
                   [Probe("/app/", "api", actual=503)]))
    S.append(Shape("haproxy", "deny-status", "frontend from cors-api, http-request deny deny_status 429",
                   [Probe("/app/", "api", actual=429)]))
    S.append(Shape("haproxy", "return-own-acao", "frontend from cors-api, the user's http-request return with "
                   "its own Access-Control-Allow-Origin", [Probe("/ret/", "api", actual=200)]))
    S.append(Shape("haproxy", "response-own-acao", "frontend from cors-api, the user's http-response set-header "
                   "Access-Control-Allow-Origin *", [Probe("/app/", "api")]))
    return S


def haproxy_conf(shapes, d, up, tmp, tls):
    """site.cfg: every shape a section on its own port; loaded after base.cfg
    (defaults cors-base) and corsc's cors.cfg."""
    dead = harness.free_port()
    frag = lambda p: harness.haproxy_fragment(os.path.dirname(d), p)  # noqa: E731
    errfile = os.path.join(tmp, "503.http")
    with open(errfile, "w") as f:
        f.write("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nAccess-Control-Allow-Origin: *\r\n"
                "Content-Length: 5\r\nConnection: close\r\n\r\ndown\n")
    pem = os.path.join(tmp, "server-with-key.pem")
    with open(pem, "w") as f:
        f.write(open(tls["cert"]).read() + open(tls["key"]).read())
    L = ["userlist corsc_users", "    user %s insecure-password %s" % (USER, PASSWORD), "",
         "backend app", "    server up 127.0.0.1:%d" % up, "",
         "backend down", "    retries 0", "    server gone 127.0.0.1:%d" % dead, "",
         "backend b-api"] + frag("api") + ["    server up 127.0.0.1:%d" % up, "",
         "backend b-public"] + frag("public") + ["    server up 127.0.0.1:%d" % up, "",
         "backend b-api-down"] + frag("api") + ["    retries 0", "    server gone 127.0.0.1:%d" % dead, "",
         "backend b-api-deny"] + frag("api") + ["    http-request deny", "    server up 127.0.0.1:%d" % up, ""]
    for s in shapes:
        bind = "    bind 127.0.0.1:%d" % s.port
        if s.scheme == "https":
            bind += " ssl crt %s alpn h2,http/1.1" % pem
        api = "frontend s-%s from cors-api" % s.name
        plain = "frontend s-%s" % s.name
        body = {
            "proxy": [api, bind, "    default_backend app"],
            "backend-scope": [plain, bind, "    default_backend b-api"],
            "frontend-fragment": [plain, bind] + frag("api") + ["    default_backend app"],
            "listen": ["listen s-listen", bind] + frag("api") + ["    server up 127.0.0.1:%d" % up],
            "down-503": [api, bind, "    default_backend down"],
            "down-503-backend": [plain, bind, "    default_backend b-api-down"],
            "http-error": [api, bind, "    http-error status 503 content-type text/plain string \"down\"",
                           "    default_backend down"],
            "deny": [api, bind, "    http-request deny", "    default_backend app"],
            "redirect": [api, bind, "    http-request redirect location /new/ code 301", "    default_backend app"],
            "auth": [api, bind, "    http-request auth realm corsc if !{ http_auth(corsc_users) }",
                     "    default_backend app"],
            "return": [api, bind, "    http-request return status 200 content-type text/plain string ok",
                       "    default_backend app"],
            "mixed-backends": [plain, bind, "    use_backend b-public if { path_beg /pub/ }",
                               "    default_backend b-api"],
            "frontend-and-backend": [api, bind, "    use_backend b-public if { path_beg /pub/ }",
                                     "    default_backend app"],
            "tls-h2": [api, bind, "    default_backend app"],
            "two-origins": [api, bind, "    default_backend app"],
            "frontend-deny-backend-policy": [plain, bind, "    http-request deny", "    default_backend b-api"],
            "backend-deny": [plain, bind, "    default_backend b-api-deny"],
            "redirect-scheme": [api, bind, "    http-request redirect scheme https", "    default_backend app"],
            "errorfile": [api, bind, "    errorfile 503 %s" % errfile, "    default_backend down"],
            "deny-status": [api, bind, "    http-request deny deny_status 429", "    default_backend app"],
            "return-own-acao": [api, bind, "    http-request return status 200 content-type text/plain string ok "
                                "hdr Access-Control-Allow-Origin \"*\" hdr Access-Control-Allow-Credentials true",
                                "    default_backend app"],
            "response-own-acao": [api, bind, "    http-response set-header Access-Control-Allow-Origin \"*\"",
                                  "    http-response add-header Access-Control-Max-Age 5", "    default_backend app"],
        }
        L += ["# shape %s" % s.name] + body[s.name] + [""]
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- sending

def curl_send(tls, port, method, path, headers, body):
    """HTTPS with HTTP/2 through curl (Python's standard library has no HTTP/2)."""
    argv = ["curl", "-sS", "--http2", "--cacert", tls["ca"], "--resolve", "cors.test:%d:127.0.0.1" % port,
            "-D", "-", "-o", "/dev/null", "-w", "\\n%{http_version}", "--max-time", "20"]
    argv += ["--head"] if method == "HEAD" else ["-X", method]
    for n, v in headers:
        argv += ["-H", "%s: %s" % (n, v)]
    if body is not None:
        argv += ["--data-binary", body.decode()]
    argv.append("https://cors.test:%d%s" % (port, path))
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise Fatal("curl failed (%d): %s" % (r.returncode, r.stderr))
    lines = r.stdout.replace("\r", "").split("\n")
    version = lines[-1].strip()
    status, items = None, []
    for line in lines[:-1]:
        if line.startswith("HTTP/"):
            status, items = int(line.split()[1]), []
        elif ":" in line:
            n, v = line.split(":", 1)
            items.append((n.strip(), v.strip()))
    return status, items, b"", version


# ---------------------------------------------------------------- checking

def check_one(probe, r, exp, status, items, body, ev):
    """The differences, as text lines."""
    if probe.doc:
        return probe.doc(probe, r, exp, status, items, body, ev)
    return probe.compare(exp, r, status, items, body)


def start_server(server, shapes, procs, stmp, outdir, up, www, tls, bcrypt):
    """Write the server's configuration with every shape on its own port, check
    it, start the server and wait for every port.  Returns the Popen."""
    d = os.path.join(outdir, server)
    os.makedirs(stmp, exist_ok=True)
    os.chmod(stmp, 0o755)
    used = set()
    for s in shapes:
        # free_port() may give a port it gave just before (it is free again)
        s.port = harness.free_port()
        while s.port in used:
            s.port = harness.free_port()
        used.add(s.port)
    env = None
    if server == "nginx":
        conf = os.path.join(stmp, "nginx.conf")
        text = nginx_conf(shapes, d, up.port, www, stmp, tls)
        check = [harness.binary("nginx"), "-t", "-p", stmp, "-c", conf]
        argv = [harness.binary("nginx"), "-p", stmp, "-c", conf]
    elif server == "apache":
        conf = os.path.join(stmp, "apache2.conf")
        text = apache_conf(shapes, d, up.port, www, stmp, tls)
        env = dict(os.environ)
        env.pop("APACHE_CONFDIR", None)
        check = [harness.binary("apache"), "-t", "-d", stmp, "-f", conf]
        argv = [harness.binary("apache"), "-d", stmp, "-f", conf, "-DFOREGROUND"]
    elif server == "haproxy":
        conf = os.path.join(stmp, "site.cfg")
        text = haproxy_conf(shapes, d, up.port, stmp, tls)
        base = os.path.join(stmp, "base.cfg")
        with open(base, "w") as f:
            f.write(harness.HAPROXY_BASE)
        files = ["-f", base, "-f", os.path.join(d, "cors.cfg"), "-f", conf]
        check = [harness.binary("haproxy"), "-c"] + files
        argv = [harness.binary("haproxy")] + files + ["-db"]
    else:
        conf = os.path.join(stmp, "Caddyfile")
        text = caddy_conf(shapes, d, up.port, www, stmp, tls, bcrypt)
        env = dict(os.environ)
        for k in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
            env[k] = os.path.join(stmp, "caddy-home")
        os.makedirs(env["HOME"], exist_ok=True)
        check = [harness.binary("caddy"), "validate", "--config", conf, "--adapter", "caddyfile"]
        argv = [harness.binary("caddy"), "run", "--config", conf, "--adapter", "caddyfile"]
    with open(conf, "w") as f:
        f.write(text)
    r = subprocess.run(check, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise Fatal("%s failed:\n%s\n--- %s\n%s" % (" ".join(check[:2]), r.stdout[-3000:], conf, text))
    log_path = os.path.join(stmp, server + ".out")
    proc = procs.start(server, argv, log_path, env=env, cwd=stmp)
    try:
        for s in shapes:
            harness.wait_port(s.port, proc, server, log_path, timeout=30)
    except BaseException:
        procs.stop(proc)
        raise
    return proc


def run_server(server, shapes, procs, tmp, outdir, up, www, tls, bcrypt, oracle, pols):
    proc = start_server(server, shapes, procs, os.path.join(tmp, "srv-" + server), outdir, up, www, tls, bcrypt)
    ids = []
    try:
        n = 0
        for s in shapes:
            client = diff.Client(s.port) if s.scheme == "http" else None
            for probe in s.probes:
                pol = pols[probe.policy]
                for r in probe_requests(pol, probe):
                    n += 1
                    rid = "shape-%s-%s-%d" % (server, s.name, n)
                    method, path, h, body = r.wire(probe.prefix)
                    h = h + [("X-E2E-ID", rid)]
                    if client:
                        status, items, data = client.send(method, path, h, body)
                    else:
                        status, items, data, version = curl_send(tls, s.port, method, path, h, body)
                        if version != "2":
                            s.mismatches.append("%s %s: HTTP/%s, expected HTTP/2" % (method, path, version))
                    exp = oracle.get(pol, r)
                    if r.kind == "preflight":
                        ids.append((rid, s, probe, r))
                    bad = check_one(probe, r, exp, status, items, data,
                                    lambda name, r=r: oracle.get(pols[name], r))
                    s.requests += 1
                    if bad:
                        other = getattr(probe.doc, "other", None)
                        want = oracle.get(pols[other], r) if other and r.kind == "preflight" else exp
                        s.mismatches.append(
                            "%s (policy %s)\n    request: %s    expected (corsc eval): %s\n    got %d: %s\n    %s"
                            % (s.name, probe.policy, r.describe(probe.prefix), json.dumps(want["headers"]),
                               status, [(k, v) for k, v in items if k.lower().startswith("access-control-")
                                        or k.lower() in ("vary", "x-upstream", "location")], "\n    ".join(bad)))
            if client:
                client.close()
    finally:
        procs.stop(proc)
    return ids


def check_nginx_missing_http(tmp, outdir):
    """Without cors-http.conf, nginx -t names no file: line 2 of every policy
    file quotes the message it gives, so that a search for it finds the cause."""
    d = os.path.join(outdir, "nginx")
    t = os.path.join(tmp, "nginx-no-http")
    os.makedirs(t, exist_ok=True)
    conf = os.path.join(t, "nginx.conf")
    with open(conf, "w") as f:
        f.write("pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\n    server {\n"
                "        listen 127.0.0.1:%d;\n        include %s/cors-api.conf;\n    }\n}\n"
                % (t, t, harness.free_port(), d))
    r = subprocess.run([harness.binary("nginx"), "-t", "-p", t, "-c", conf], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    m = re.search(r'unknown "[a-z_]+" variable', r.stdout)
    if r.returncode == 0 or not m:
        return ["nginx -t without cors-http.conf: expected an unknown variable error, got:\n" + r.stdout]
    bad = []
    for name in sorted(os.listdir(d)):
        if name == "cors-http.conf":
            continue
        with open(os.path.join(d, name)) as f:
            line2 = f.read().split("\n")[1]
        if "cors-http.conf" not in line2 or m.group(0) not in line2:
            bad.append("%s, line 2, does not name cors-http.conf and quote nginx's %r: %r"
                       % (name, m.group(0), line2))
    return bad


# ---------------------------------------------------------------- browser sample

# Shapes of each server that also go through the browsers (Chromium and
# Firefox ESR, tests/e2e/engines.py), one page load per engine for all of them.
BROWSER_SAMPLE = {
    "nginx": ["auth", "error-page", "mixed-locations", "tls-h2"],
    "apache": ["auth", "htaccess", "vhost-and-location", "error-document", "tls-h2", "location-static"],
    "caddy": ["auth", "site-and-handle", "error-pages", "tls-h2"],
    "haproxy": ["auth", "mixed-backends", "down-503", "tls-h2"],
}
# Where an engine departs from the Fetch standard in a scenario of the sample:
# {(server, shape, scenario index): {engine: {"ok": bool}}}, checked like
# browser.py's `engines` (never skipped).  None measured so far.
BROWSER_ENGINE_DIFFS = {}


def browser_scenarios(shape):
    """(origin key, method, status, headers, credentials, ok, probe) for one
    shape; ok is the Fetch standard's answer."""
    out = []
    for probe in shape.probes:
        if probe.extra or probe.doc:
            continue
        # a custom header needs a preflight; PUT too, where the answer is the application's
        m = "PUT" if probe.actual == "app" or isinstance(probe.actual, int) else "GET"
        if probe.policy == "api":
            out += [("A", m, 200, {"X-Custom": "1"}, "include", True, probe),
                    ("A", "GET", 404, {}, "include", True, probe),
                    ("E", m, 200, {"X-Custom": "1"}, "omit", False, probe),
                    ("E", "GET", 200, {}, "omit", False, probe)]
        elif probe.policy == "public":
            out += [("E", "GET", 200, {}, "omit", True, probe),
                    ("A", "GET", 404, {}, "omit", True, probe),
                    ("E", "PUT", 200, {"X-Custom": "1"}, "omit", False, probe),
                    ("A", "GET", 200, {}, "include", False, probe)]   # "*" with credentials
    return out


def browser_table(shapes_by_server):
    """The scenario list of the sample, the same for every engine:
    [(name, scenario)], name = server-shape-index."""
    out = []
    for server, shapes in shapes_by_server:
        for s in shapes:
            base = ("https://cors.test:%d" % s.port) if s.scheme == "https" else (
                "http://api.example.test:%d" % s.port)
            for i, (key, method, st, hdrs, creds, ok, probe) in enumerate(browser_scenarios(s)):
                init = {"method": method, "headers": hdrs, "credentials": creds, "mode": "cors",
                        "cache": "no-store"}
                if method in ("POST", "PUT"):
                    init["body"] = "x"
                want, from_app, _ = probe.want(diff.Req("actual", None, method, status=st))
                name = "%s-%s-%d" % (server, s.name, i)
                out.append((name, dict(server=server, shape=s.name, key=key, method=method, ok=ok,
                                       status=want, from_app=from_app, policy=probe.policy, init=init,
                                       url="%s%ss%d" % (base, probe.prefix, st),
                                       engines=BROWSER_ENGINE_DIFFS.get((server, s.name, i), {}))))
    return out


def browser_pages(ps, table, engine):
    """Register one engine's pages (one frame per server and origin, browser.py's
    FRAME and TOP); returns (top URL, run id)."""
    import browser
    frames = {}
    for name, sc in table:
        sid = "%s-%s" % (engine, name)
        frames.setdefault((sc["server"], sc["key"]), []).append(
            {"id": sid, "url": "%s?s=%s" % (sc["url"], sid), "init": sc["init"], "read": ["x-request-id"]})
    urls = []
    for (server, key), items in sorted(frames.items()):
        path = "/shapes-%s/frame-%s-%s" % (engine, server, key)
        ps.pages[path] = browser.FRAME % {"key": key, "keyj": json.dumps(server + "/" + key),
                                          "scen": json.dumps(items)}
        urls.append(ps.origin(key) + path)
    run = "shapes-" + engine
    ps.pages["/shapes-%s/top" % engine] = browser.TOP % {"frames": json.dumps(urls), "run": json.dumps(run),
                                                         "post": engines.POST_JS}
    return "http://top.test:%d/shapes-%s/top" % (ps.ports["P"], engine), run


def browser_check(table, results, engine):
    """Mismatches of one engine's run, as text lines."""
    import browser
    got = {r["id"]: r for items in results.values() for r in items}
    bad = []
    for name, sc in table:
        sid = "%s-%s" % (engine, name)
        r = got.get(sid)
        ok = sc["engines"].get(engine, {}).get("ok", sc["ok"])
        what = "%s %s %s from %s: %s %s (policy %s)" % (engine, sc["server"], sc["shape"],
                                                        browser.ORIGINS[sc["key"]][0], sc["method"],
                                                        sc["url"].split("/", 3)[-1], sc["policy"])
        rid = ("rid-" + sid) if sc["from_app"] else None
        problem = None
        if r is None:
            problem = "no result (the frame did not report)"
        elif not ok:
            if r["ok"] or not r["error"].startswith("TypeError"):
                problem = "expected a TypeError (blocked)%s, got %s" % (
                    "" if ok == sc["ok"] else " as %s does" % engine, r)
        elif not r["ok"]:
            problem = "expected success, got %s" % r["error"]
        elif r["status"] != sc["status"]:
            problem = "expected status %d, got %d" % (sc["status"], r["status"])
        elif r["headers"]["x-request-id"] != rid:
            problem = "X-Request-ID seen by the script: expected %r, got %r" % (rid, r["headers"]["x-request-id"])
        if problem:
            bad.append("%s: %s" % (what, problem))
    return bad


def run_browser(procs, tmp, corsc, servers, up, www, tls, bcrypt, build_corsc=None, want_engines=None):
    """A sample of the shapes through headless Chromium and Firefox ESR (one page
    load each, same scenarios), from the policy's allowed origin and from a
    refused one.  Returns the number of mismatches."""
    import browser
    want_engines = want_engines or list(engines.ENGINES)
    unknown = [e for e in want_engines if e not in engines.ENGINES]
    if unknown:
        log("ERROR: unknown engine %s (one of %s)" % (", ".join(unknown), ", ".join(engines.ENGINES)))
        return 1
    gone = [e for e in engines.missing_engines() if e in want_engines]
    if gone:
        log("ERROR: %s not installed (.ci/deps test installs chromium and firefox-esr)" % ", ".join(gone))
        return 1
    ps = engines.PageServer()
    ps.ports = {"P": ps.port_list[0], "Q": ps.port_list[1]}
    ps.origin = lambda key: browser.origin_of(ps, key)
    running = []
    try:
        with open(os.path.join(HERE, "shapes-browser.cors.in")) as f:
            text = f.read().replace("@PORT@", str(ps.ports["P"]))
        pfile = os.path.join(tmp, "shapes-browser.cors")
        with open(pfile, "w") as f:
            f.write(text)
        outdir = os.path.join(tmp, "build-browser")
        harness.corsc_build(build_corsc or corsc, pfile, outdir)
        brk = os.environ.get("E2E_BREAK", "")
        if brk:
            harness.apply_break(brk, outdir)
        sample = []
        for server in servers:
            shapes = [s for s in all_shapes([server])[server] if s.name in BROWSER_SAMPLE[server]]
            running.append(start_server(server, shapes, procs, os.path.join(tmp, "browser-" + server),
                                        outdir, up, www, tls, bcrypt))
            sample.append((server, shapes))
        table = browser_table(sample)
        names = set(name for name, _ in table)
        stale = ["%s-%s-%d" % k for k in BROWSER_ENGINE_DIFFS if k[0] in servers and "%s-%s-%d" % k not in names]
        if stale:
            log("ERROR: BROWSER_ENGINE_DIFFS names scenarios the sample does not have: " + ", ".join(stale))
            return 1
        nshapes = sum(len(shapes) for _, shapes in sample)
        results = {}
        for engine in want_engines:
            url, run = browser_pages(ps, table, engine)
            t0 = time.time()
            results[engine] = engines.run_page(engine, procs, ps, os.path.join(tmp, "browser-run-" + engine),
                                               url, run, browser.hosts() + ["cors.test"], timeout=150,
                                               ca=tls["ca"])
            log("%s: %d scenarios over %d shapes of %s (%.1fs)"
                % (engines.version(engine), len(table), nshapes, ", ".join(servers), time.time() - t0))
    finally:
        for p in running:
            procs.stop(p)
        ps.close()
    nbad = 0
    for engine in want_engines:
        bad = browser_check(table, results[engine], engine)
        for b in bad:
            log("MISMATCH browser " + b)
        log("%-8s %d browser scenarios over %d shapes: %d mismatches" % (engine, len(table), nshapes, len(bad)))
        nbad += len(bad)
    for name, sc in table:
        for engine, d in sorted(sc["engines"].items()):
            if "ok" in d and d["ok"] != sc["ok"]:
                log("expected per engine (departs from the standard): %s %s: the standard says %s, %s does %s"
                    % (engine, name, "success" if sc["ok"] else "blocked", engine,
                       "success" if d["ok"] else "blocked"))
    return nbad


# ---------------------------------------------------------------- main

def all_shapes(servers):
    table = {"nginx": nginx_shapes, "apache": apache_shapes, "caddy": caddy_shapes, "haproxy": haproxy_shapes}
    return {s: table[s]() for s in servers}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corsc", default=os.environ.get("CORSC"))
    ap.add_argument("--top", default=os.environ.get("TOP"))
    ap.add_argument("--tmp")
    ap.add_argument("--servers", default=",".join(harness.SERVERS))
    ap.add_argument("--shapes", default="", help="comma-separated shape names (default: all)")
    ap.add_argument("--no-browser", action="store_true", help="skip the browser sample")
    ap.add_argument("--engines", default=",".join(engines.ENGINES), help="browser engines of the sample")
    ap.add_argument("--list", action="store_true", help="print the matrix and exit")
    ap.add_argument("--edit", help="prototyping: a shell command run in the build folder before the servers start")
    ap.add_argument("--build-corsc", help="another corsc whose output the servers run (eval stays --corsc's): "
                    "shows that an older backend fails the matrix")
    args = ap.parse_args()
    wanted = [s for s in args.servers.split(",") if s]
    if args.list:
        for server, shapes in all_shapes(wanted).items():
            for s in shapes:
                print("%-7s %-24s %s%s" % (server, s.name, s.what,
                                           " [documented: %s]" % s.documented if s.documented else ""))
        return 0
    if not args.corsc:
        log("need --corsc (or CORSC)")
        return 2
    for tool in ("openssl", "curl", "htpasswd"):
        if not shutil.which(tool):
            log("%s is needed (listed in .ci/deps)" % tool)
            return 1
    missing = [s for s in harness.missing_servers() if s in wanted]
    servers = [s for s in wanted if s not in missing]
    matrix = all_shapes(servers)
    only = set(x for x in args.shapes.split(",") if x)
    for server in servers:
        counted = [s for s in matrix[server] if not s.documented]
        if len(counted) < MIN_SHAPES and not only:
            log("ERROR: only %d shapes for %s (need %d)" % (len(counted), server, MIN_SHAPES))
            return 1
        if only:
            matrix[server] = [s for s in matrix[server] if s.name in only]

    # Every documented shape is named in the README's "Deployment shapes" (SPEC 6).
    if args.top:
        with open(os.path.join(args.top, "README.md")) as f:
            readme = f.read()
        sec = readme.split("## Deployment shapes", 1)[-1].split("\n## ", 1)[0]
        norm = lambda t: re.sub(r"[`\\]", "", t).lower()  # noqa: E731
        named = set(norm(m) for m in re.findall(r"\*\*([^*]+(?:\\\*[^*]*)*)\*\*", sec))
        for server in servers:
            for s in matrix[server]:
                if s.documented and norm(s.documented) not in named:
                    log("ERROR: README.md, Deployment shapes, does not name %r (%s %s)"
                        % (s.documented, server, s.name))
                    return 1

    tmp, own_tmp = harness.make_tmp(args.tmp, "corsc-e2e-shapes.")
    os.chmod(tmp, 0o755)
    procs = harness.Processes()
    t0 = time.time()
    try:
        up = harness.Upstream(procs, tmp)
        www = os.path.join(tmp, "www")
        make_www(www)
        tls = make_tls(tmp)
        bcrypt = make_htpasswd(tmp)
        pfile = os.path.join(HERE, "shapes.cors")
        outdir = os.path.join(tmp, "build")
        pols = {p["name"]: p for p in harness.corsc_build(args.corsc, pfile, outdir)}
        if args.build_corsc:
            harness.corsc_build(args.build_corsc, pfile, outdir)
            log("the servers run the output of %s" % args.build_corsc)
        if args.edit:
            subprocess.run(args.edit, shell=True, cwd=outdir, check=True)
        brk = os.environ.get("E2E_BREAK", "")
        if brk:
            log("E2E_BREAK=%s: corsc's %s output was damaged on purpose; mismatches expected"
                % (brk, harness.apply_break(brk, outdir)))
        oracle = diff.Oracle(args.corsc)
        jobs = []
        for server in servers:
            for s in matrix[server]:
                for probe in s.probes:
                    reqs = probe_requests(pols[probe.policy], probe)
                    jobs.append((pfile, pols[probe.policy], reqs))
                    if getattr(probe.doc, "other", None):
                        jobs.append((pfile, pols[probe.doc.other], reqs))
        oracle.fill(jobs, workers=2 * (os.cpu_count() or 2))
        log("%d corsc eval answers (%.1fs)" % (oracle.calls, time.time() - t0))

        errors, ids = [], []
        if "nginx" in servers:
            for e in check_nginx_missing_http(tmp, outdir):
                errors.append("ERROR nginx: " + e)
                log(errors[-1])
        for server in servers:
            t1 = time.time()
            try:
                ids += run_server(server, matrix[server], procs, tmp, outdir, up, www, tls, bcrypt, oracle, pols)
            except Fatal as e:
                errors.append("ERROR %s: %s" % (server, e))
                log(errors[-1])
                continue
            log("%s: %d shapes (%.1fs)" % (server, len(matrix[server]), time.time() - t1))
        seen = up.seen_ids()
        for rid, s, probe, r in ids:
            if rid in seen and not getattr(probe.doc, "reaches_app", False):
                s.mismatches.append("%s: preflight %s reached the application\n    request: %s"
                                    % (s.name, rid, r.describe(probe.prefix)))
        nbad = 0
        for server in servers:
            for s in matrix[server]:
                for m in s.mismatches[:4]:
                    log("MISMATCH %s %s" % (server, m))
                nbad += len(s.mismatches)
                log("%-6s %-24s %3d requests, %d mismatches  %s%s" % (
                    server, s.name, s.requests, len(s.mismatches),
                    "(documented: %s) " % s.documented if s.documented else "", s.what))
        if not args.no_browser and not errors and not only:
            nbad += run_browser(procs, tmp, args.corsc, servers, up, www, tls, bcrypt, args.build_corsc,
                                [e for e in args.engines.split(",") if e])
        total = sum(s.requests for server in servers for s in matrix[server])
        log("e2e-shapes: %d shapes, %d requests to %s, %d mismatches, %d errors, %.1fs"
            % (sum(len(matrix[s]) for s in servers), total, ", ".join(servers) or "no server", nbad,
               len(errors), time.time() - t0))
        return harness.exit_status(nbad or errors, missing, bool(servers))
    except Fatal as e:
        log("ERROR: %s" % e)
        return 1
    finally:
        procs.stop_all()
        if own_tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
