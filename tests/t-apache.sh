#!/bin/sh
# t-apache.sh - the Apache backend on a real apache2 (Debian 12's 2.4): every
# example, and a policy with awkward names, is compiled, included in a
# <VirtualHost>, a <Location> and a <Directory>, passes apache2 -t, and is
# then served and asked the questions of SPEC section 6 by an HTTP client.
set -eu
: "${CORSC:?}" "${TOP:?}"
APACHE2=${APACHE2:-/usr/sbin/apache2}
MODULES=${APACHE_MODULES:-/usr/lib/apache2/modules}
[ -x "$APACHE2" ] || { echo "skip: no apache2 at $APACHE2"; exit 77; }
# Debian's own python3 first: a version-manager shim can take seconds to start.
PY=$(command -v /usr/bin/python3 || command -v python3 || true)
[ -n "$PY" ] || { echo "skip: no python3"; exit 77; }
command -v curl > /dev/null || { echo "skip: no curl"; exit 77; }

tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2> /dev/null || true
		wait "$pid" 2> /dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
chmod 755 "$tmp"   # the server's children may run as nobody

# Header names and methods with every awkward token character Apache could trip on.
cat > "$tmp/awkward.cors" <<'EOF'
policy awkward_names {
    origins "https://app.example.com", "https://*.x-y.example.com:8443", "http://[::1]:*";
    methods GET, X-100%, !$%&'*+-.^_`|~;
    allow-headers "X-100%", "A#B$C", "%t", "$HOME", "x'y`z|~^";
    expose-headers X-Request-ID, "X-%%";
    credentials true;
    private-network true;
    max-age 60;
}
EOF

# Exact origins past one regex of ap_expr's (8 KB): several, picked by a binary
# search on the sorted origins.  Hosts that are prefixes of one another
# (t1, t10, t100), ports, IPv6, a scheme other than http(s), in no order.
"$PY" - "$tmp/many.cors" <<'EOF'
import sys
o = []
for i in range(1500):
    o.append("https://t%d.tenants.example.com" % i)
    o.append("http://portal-%d.example.org:%d" % (i, 8000 + i % 7))
for i in range(200):
    o.append("http://[2001:db8::%x]:3000" % (i + 1))
    o.append("git+ssh://h%d.example" % i)
o.sort(key=lambda s: (s[::-1], len(s)))
with open(sys.argv[1], "w") as f:
    f.write("policy many {\n    origins %s,\n        \"https://*.preview.example.com\";\n"
            "    methods GET, PUT;\n    expose-headers X-Total;\n}\n"
            % ",\n        ".join('"%s"' % x for x in o))
EOF

# ---- compile ----
mkdir -p "$tmp/out"
for ex in "$TOP"/examples/* "$tmp/awkward.cors" "$tmp/many.cors"; do
	base=${ex##*/}
	mkdir -p "$tmp/out/$base"
	if ! "$CORSC" build -t apache -t json -o "$tmp/out/$base" "$ex" 2> "$tmp/err"; then
		echo "build failed: $base"
		cat "$tmp/err"
		exit 1
	fi
done

# ---- configure (the script writes httpd.conf and the case list) ----
cat > "$tmp/check.py" <<'EOF'
import concurrent.futures, http.client, json, os, re, socket, sys, time

tmp, mode = sys.argv[1], sys.argv[2]

def gen(modules):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    cases, seen = [], set()
    for ex in sorted(os.listdir(f"{tmp}/out")):
        pols = json.load(open(f"{tmp}/out/{ex}/json/policies.json"))["policies"]
        for p in pols:
            conf = f"{tmp}/out/{ex}/apache/cors-{p['name']}.conf"
            text = open(conf).read().split("\n", 2)[2]   # the input's name aside
            if text in seen:
                continue   # the same policy from the other front end
            seen.add(text)
            cases.append({"n": len(cases), "example": ex, "policy": p, "conf": conf})
    for d in ("logs", "app", "docs/d"):
        os.makedirs(f"{tmp}/{d}", exist_ok=True)
    open(f"{tmp}/app/ok", "w").write("app\n")
    open(f"{tmp}/docs/d/ok", "w").write("doc\n")
    # a 500 from an application that sets its own CORS headers
    for d in ("app", "docs/d"):
        open(f"{tmp}/{d}/err.asis", "w").write(
            "Status: 500 Internal Server Error\nAccess-Control-Allow-Origin: *\n"
            "Access-Control-Allow-Methods: DELETE\nVary: Accept-Encoding\nX-App: hit\n"
            "Content-Type: text/plain\n\nboom\n")
    root = os.geteuid() == 0
    c = [f'ServerRoot "{tmp}"', f'PidFile "{tmp}/httpd.pid"', f'ErrorLog "{tmp}/logs/error.log"',
         "LogLevel warn", f'Mutex "file:{tmp}/logs" default', f"Listen 127.0.0.1:{port}",
         "ServerName 127.0.0.1"]
    if root:
        c += ["User nobody", "Group nogroup"]
    for m in ("mpm_event", "authz_core", "headers", "alias", "setenvif", "proxy",
              "proxy_http", "asis", "mime"):
        c.append(f"LoadModule {m}_module {modules}/mod_{m}.so")
    c += ["TypesConfig /dev/null", "AddHandler send-as-is asis", 'LogFormat "%m %U %>s" short',
          # the application: its own CORS headers on every status
          f"<VirtualHost 127.0.0.1:{port}>", "    ServerName 127.0.0.1",
          f'    DocumentRoot "{tmp}/app"', f'    CustomLog "{tmp}/logs/app.log" short',
          '    Header always set Access-Control-Allow-Origin "*"',
          '    Header always set Access-Control-Allow-Methods "DELETE"',
          '    Header always set Access-Control-Expose-Headers "X-App"',
          "    Header always merge Vary Accept-Encoding", "    Header always set X-App hit",
          "</VirtualHost>"]
    for k in cases:
        n, f = k["n"], k["conf"]
        c += [f"<VirtualHost 127.0.0.1:{port}>", f"    ServerName vh-{n}.test",
              f"    ProxyPass / http://127.0.0.1:{port}/", f'    Include "{f}"', "</VirtualHost>",
              f"<VirtualHost 127.0.0.1:{port}>", f"    ServerName loc-{n}.test",
              f"    ProxyPass /p/ http://127.0.0.1:{port}/", "    <Location /p/>",
              "        Options None",
              f'        Include "{f}"', "    </Location>", "</VirtualHost>",
              f"<VirtualHost 127.0.0.1:{port}>", f"    ServerName dir-{n}.test",
              f'    DocumentRoot "{tmp}/docs"', f'    <Directory "{tmp}/docs/d">',
              "        Options None",   # hardened, as CIS asks: must not matter
              f'        Include "{f}"', "    </Directory>", "</VirtualHost>"]
    open(f"{tmp}/httpd.conf", "w").write("\n".join(c) + "\n")
    json.dump({"port": port, "cases": cases}, open(f"{tmp}/cases.json", "w"))
    print(port)

# ---- an independent matcher (README: byte-exact, label rules) ----
LABEL = re.compile(r"[a-z0-9_-]{1,63}")

def origin_matches(o, req):
    if o == req:
        return True
    if "://" not in o or "*" not in o:
        return False
    scheme, rest = o.split("://", 1)
    if not req.startswith(scheme + "://"):
        return False
    r = req[len(scheme) + 3:]
    if rest.endswith(":*"):
        rest = rest[:-2]
        # a port as browsers send it: 1-65535, no leading zero
        m = re.fullmatch(r"(.*?)(:[1-9][0-9]{0,4})?", r, re.S)
        if m.group(2) and int(m.group(2)[1:]) > 65535:
            return False
        r = m.group(1)
    wild = 2 if rest.startswith("**.") else 1 if rest.startswith("*.") else 0
    host = rest[wild + 1:] if wild else rest
    if not wild:
        return r == host
    if len(r) > 253:        # a DNS name: 253 characters at most
        return False
    if not r.endswith("." + host):
        return False
    labels = r[:-len(host) - 1].split(".")
    if wild == 1 and len(labels) != 1:
        return False
    return all(LABEL.fullmatch(l) for l in labels)

def allowed(p, origin):
    if p["origins"] == ["*"]:
        return True
    return bool(origin) and any(origin_matches(o, origin) for o in p["origins"])

def candidates(p, conf):
    """Request origins to try: instances of each origin, and near misses;
    with several regexes, the origins either side of each split point."""
    pos, neg = [], ["https://evil.example", "null" if "null" not in p["origins"] else "Null"]
    exact = sorted(o.encode() for o in p["origins"] if "*" not in o)
    edges = []
    for split in re.findall(r"req_novary\('Origin'\) < '([^']*)'", open(conf).read()):
        i = exact.index(split.encode())
        edges += [x.decode() for x in exact[max(i - 1, 0):i + 1]]
        neg += [split[:-1], split + "0", split[:-1] + chr(ord(split[-1]) + 1)]
    if edges:
        edges += [exact[0].decode(), exact[-1].decode()]
    for o in p["origins"][:4] + [o for o in p["origins"][4:] if "*" in o] + edges:
        if o == "*":
            pos.append("https://anything.example")
            continue
        insts = [o]
        if o.endswith(":*"):
            b = o[:-2]
            insts = [b, b + ":8080"]
            neg += [b + ":123456", b + ":"]
        out = []
        for i in insts:
            if "://**." in i:
                out += [i.replace("**.", "a.", 1), i.replace("**.", "a.b-c.", 1)]
                # hosts of 253 and 254 characters, labels of 63 at most
                for n in (253, 254):
                    left = n - len(i.split("://**.", 1)[1].split(":")[0]) - 1
                    labels = []
                    while left > 0:
                        l = min(63, left) - (left - min(63, left) == 1)
                        labels.append("a" * l)
                        left -= l + (left > l)
                    (out if n == 253 else neg).append(i.replace("**", ".".join(labels), 1))
                neg += [i.replace("**.", "", 1), i.replace("**.", "a..", 1),
                        i.replace("**.", "a.x%s." % ("y" * 63), 1)]
            elif "://*." in i:
                out += [i.replace("*.", "t_1.", 1), i.replace("*.", "x" * 63 + ".", 1)]
                neg += [i.replace("*.", "a.b.", 1), i.replace("*.", "", 1),
                        i.replace("*.", "evil-", 1), i.replace("*.", "A.", 1),
                        i.replace("*.", "x" * 64 + ".", 1)]
            else:
                out.append(i)
        pos += out
    for o in list(pos):
        neg += [o.upper(), o + ".", o + "/", o + ".evil.net"]
    neg = [n for n in dict.fromkeys(neg) if n not in pos]
    for o in pos:
        assert allowed(p, o), (p["name"], o)
    return pos, neg

def joined(l):
    return ", ".join(l)

def expected(p, origin, preflight, pna):
    """The Access-Control-* headers SPEC section 6 asks for, and the Vary rule."""
    any_ = p["origins"] == ["*"]
    h = {}
    if allowed(p, origin):
        h["access-control-allow-origin"] = "*" if any_ else origin
        if p["credentials"]:
            h["access-control-allow-credentials"] = "true"
        if preflight:
            if p["methods"] is not None:
                h["access-control-allow-methods"] = joined(p["methods"])
            if p["allow-headers"] is not None:
                h["access-control-allow-headers"] = joined(p["allow-headers"])
            if p["max-age"] is not None:
                h["access-control-max-age"] = str(p["max-age"])
            if p["private-network"] and pna:
                h["access-control-allow-private-network"] = "true"
        elif p["expose-headers"] is not None:
            h["access-control-expose-headers"] = joined(p["expose-headers"])
    return h, not any_

failures = []
port = None

conns = {}

def request(host, method, path, headers, retry=True):
    c = conns.get(host) or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conns[host] = c
    try:
        c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        c.putheader("Host", host)
        for k, v in headers:
            c.putheader(k, v)
        c.endheaders()
        r = c.getresponse()
        r.read()
    except (http.client.HTTPException, OSError):
        c.close()
        del conns[host]
        if not retry:
            raise
        return request(host, method, path, headers, False)
    if r.will_close:
        c.close()
        del conns[host]
    return r.status, r.getheaders()

def check(case, ctx, method, path, headers, want_status, preflight):
    p = case["policy"]
    host = f"{ctx}-{case['n']}.test"
    status, hs = request(host, method, path, headers)
    hd = dict(headers)
    origin = hd.get("Origin")
    want, vary_origin = expected(p, origin, preflight,
                                 hd.get("Access-Control-Request-Private-Network") == "true")
    got, vary = {}, []
    where = f"{case['example']}/{p['name']} {ctx} {method} {path} {headers}"
    for k, v in hs:
        lk = k.lower()
        if lk.startswith("access-control-"):
            if lk in got:
                failures.append(f"{where}: {k} twice")
            got[lk] = v
        if lk == "vary":
            vary += [t.strip() for t in v.split(",") if t.strip()]
    names = {k.lower() for k, _ in hs}
    if status != want_status:
        failures.append(f"{where}: status {status}, want {want_status}")
    if got != want:
        failures.append(f"{where}: headers {got}, want {want}")
    if preflight:
        if "x-app" in names or "allow" in names:
            failures.append(f"{where}: the preflight reached the application")
        if vary != (["Origin"] if vary_origin else []):
            failures.append(f"{where}: preflight Vary {vary}, want {'Origin' if vary_origin else 'none'}")
    else:
        if vary_origin != ("Origin" in vary):
            failures.append(f"{where}: Vary {vary}, Origin {'missing' if vary_origin else 'added'}")
        if "x-app" in names and "Accept-Encoding" not in vary:
            failures.append(f"{where}: Vary {vary} lost the application's Accept-Encoding")
    return status

def ask(case, ctx):
    """Every question for one policy in one context; returns how many requests."""
    p = case["policy"]
    pos, neg = candidates(p, case["conf"])
    base = {"vh": "/", "loc": "/p/", "dir": "/d/"}[ctx]
    paths = ("ok", "missing", "err.asis")
    n = 0
    for i, origin in enumerate(pos + neg + [None]):
        oh = [("Origin", origin)] if origin is not None else []
        # the actual request on 200, and on 404 and 500 for a few origins
        todo = paths if i < 2 or i == len(pos) or origin is None else paths[:1]
        for path, st in zip(todo, (200, 404, 500)):
            check(case, ctx, "GET", base + path, oh, st, False); n += 1
        if origin is None:
            continue
        acrm = [("Access-Control-Request-Method", "PUT")]
        check(case, ctx, "OPTIONS", base + "pf", oh + acrm, 204, True); n += 1
        if i < len(pos):
            pna = [("Access-Control-Request-Private-Network", "true")]
            check(case, ctx, "OPTIONS", base + "pf", oh + acrm + pna, 204, True)
            pna = [("Access-Control-Request-Private-Network", "True")]
            check(case, ctx, "OPTIONS", base + "pf", oh + acrm + pna, 204, True)
            n += 2
    # not preflights: OPTIONS without Access-Control-Request-Method, or
    # with an empty one or an empty Origin, reach the application
    o = pos[0]
    for hs in ([("Origin", o)], [("Origin", o), ("Access-Control-Request-Method", "")],
               [("Origin", ""), ("Access-Control-Request-Method", "PUT")]):
        check(case, ctx, "OPTIONS", base + "ok", hs, 200, False); n += 1
    return n

def run():
    global port
    data = json.load(open(f"{tmp}/cases.json"))
    port = data["port"]
    tasks = [(case, ctx) for case in data["cases"] for ctx in ("vh", "loc", "dir")]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        n = sum(pool.map(lambda t: ask(*t), tasks))
    time.sleep(0.2)
    log = open(f"{tmp}/logs/app.log").read().split("\n")
    if any(l.startswith("OPTIONS /pf ") for l in log):
        failures.append("a preflight reached the proxied application")
    if not any(l.startswith("OPTIONS /ok ") for l in log):
        failures.append("the application log shows nothing: the test cannot see the application")
    for f in failures[:40]:
        print("FAIL", f)
    print(f"{n} requests on {len(data['cases'])} policies x 3 contexts, {len(failures)} failures")
    sys.exit(1 if failures else 0)

gen(sys.argv[3]) if mode == "gen" else run()
EOF
port=$("$PY" "$tmp/check.py" "$tmp" gen "$MODULES")

# Debian's apache2 reads these when its own envvars file is not sourced.
export APACHE_RUN_USER=nobody APACHE_RUN_GROUP=nogroup APACHE_LOG_DIR="$tmp/logs" \
	APACHE_RUN_DIR="$tmp" APACHE_LOCK_DIR="$tmp" APACHE_PID_FILE="$tmp/httpd.pid" LANG=C
if ! "$APACHE2" -t -f "$tmp/httpd.conf" > "$tmp/configtest" 2>&1; then
	echo "apache2 -t failed:"; cat "$tmp/configtest"; exit 1
fi
echo "apache2 -t: $(cat "$tmp/configtest")"

# A snippet whose module is missing must stop the configuration, not be ignored.
some=$(ls "$tmp"/out/*/apache/cors-*.conf | head -n 1)
sed -n '/^<VirtualHost/q;p' "$tmp/httpd.conf" | grep -v '^LoadModule alias_module' > "$tmp/nomod.conf"
printf '<VirtualHost 127.0.0.1:%s>\n    Include "%s"\n</VirtualHost>\n' "$port" "$some" >> "$tmp/nomod.conf"
if "$APACHE2" -t -f "$tmp/nomod.conf" > "$tmp/nomod.out" 2>&1; then
	echo "apache2 -t passed without mod_alias"; exit 1
fi
grep -q "needs mod_alias" "$tmp/nomod.out" || { cat "$tmp/nomod.out"; exit 1; }

# ---- serve and ask ----
"$APACHE2" -f "$tmp/httpd.conf" -DFOREGROUND > "$tmp/logs/stdout" 2>&1 &
pid=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$port/"; do
	i=$((i + 1))
	if [ $i -gt 50 ] || ! kill -0 "$pid" 2> /dev/null; then
		echo "apache2 did not start:"; cat "$tmp/logs/stdout" "$tmp/logs/error.log" 2> /dev/null; exit 1
	fi
	sleep 0.1
done
if ! "$PY" "$tmp/check.py" "$tmp" run; then
	echo "--- error.log"; tail -n 20 "$tmp/logs/error.log"
	exit 1
fi
# An expression Apache could not evaluate is logged, not answered: none may be.
if grep -E '\[[a-z_]+:(warn|error|crit|alert|emerg)\]' "$tmp/logs/error.log"; then
	echo "apache2 logged the above"; exit 1
fi
