#!/bin/sh
# Real nginx: every example's nginx output, and a file of hard cases (10,000
# exact origins, a list longer than one nginx parameter, '$' in a header
# name, every kind of pattern, 300 patterns), must pass `nginx -t` without a warning and
# answer as SPEC section 6 says, included in a server and in a location.
set -u
: "${CORSC:?}" "${TOP:?}"
command -v nginx > /dev/null || { echo "nginx is not installed"; exit 77; }
command -v python3 > /dev/null || { echo "python3 is not installed"; exit 77; }
# the interpreter itself: a version manager's shim costs seconds per start
PY=$(python3 -c 'import sys; print(sys.executable)')

tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=
cleanup() {
	for p in $pids; do kill "$p" 2> /dev/null; wait "$p" 2> /dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! "$CORSC" check "$TOP/examples/spa-api.cors" > /dev/null 2>&1; then
	echo "FAIL: corsc check examples/spa-api.cors failed (a compiler regression is a failure, not a skip)"
	exit 1
fi

# ---- the hard cases ----
"$PY" - "$tmp/hard.cors" << 'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("policy many {\n    origins ")
    f.write(",\n        ".join('"https://tenant-%05d.customers.example.com"' % i for i in range(10000)))
    f.write(', "https://*.wild.example.com";\n    methods GET, POST;\n    credentials true;\n}\n')
    f.write("policy Long-List {\n    origins \"https://app.example.com\";\n    allow-headers ")
    f.write(", ".join("X-Header-Number-%04d" % i for i in range(600)))
    f.write(";\n    expose-headers X-$Dollar, X-B;\n    max-age 0;\n}\n")
    f.write('policy pats {\n    origins "http://localhost:*", "https://*.one.example.com",\n'
            '        "https://**.multi.example.com", "null", "https://*.port.example.com:8443",\n'
            '        "http://[::1]:*", "http://127.0.0.1:9000";\n'
            '    methods *;\n    allow-headers *, Authorization;\n    expose-headers *;\n'
            '    private-network true;\n}\n')
    # patterns over several alternation lines (3,000 bytes each), after exact origins
    pats = ['"https://exact-a.example.com"', '"https://exact-b.example.com"']
    pats += ['"https://*.p%03d.pats.example.com"' % i for i in range(300)]
    pats += ['"https://**.multi.pats.example.com"', '"http://dev.pats.example.com:*"']
    f.write("policy many-pats {\n    origins " + ",\n        ".join(pats) + ";\n    credentials true;\n}\n")
EOF

# ---- the client: requests and what SPEC section 6 says about them ----
# check.py MANIFEST: each line "POLICIES.JSON NAME PORT PORT" (server level,
# location level); waits for the ports, then checks every policy.
cat > "$tmp/check.py" << 'EOF'
import http.client, json, re, socket, sys, time

def pattern_re(o):
    # README: "*." one label, "**." one or more, ":*" no port or 1-5 digits
    m = re.fullmatch(r"([a-z0-9+.-]+)://(\*\.|\*\*\.)?(.+?)(:\*|:[0-9]+)?", o)
    scheme, wild, host, port = m.groups()
    label = "[a-z0-9_-]{1,63}"
    r = re.escape(scheme) + "://"
    r += {None: "", "*.": label + r"\.", "**.": "(?:" + label + r"\.)+"}[wild]
    r += re.escape(host)
    r += {None: "", ":*": "(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?"}.get(port, re.escape(port or ""))
    return re.compile(r)

def host_fits(origin):
    # README: a host is a DNS name, 253 characters at most
    host = re.sub(r":[0-9]+$", "", origin.split("://", 1)[-1])
    return len(host) <= 253

def long_instance(o, n):
    # o is "scheme://**.suffix[:port]": an instance whose host has n characters
    scheme, rest = o.split("://", 1)
    suffix, port = re.fullmatch(r"\*\*\.(.+?)(:[0-9*]+)?", rest).groups()
    left, labels = n - len(suffix) - 1, []
    while left > 0:
        l = min(63, left) - (left - min(63, left) == 1)
        labels.append("a" * l)
        left -= l + (left > l)
    return "%s://%s.%s%s" % (scheme, ".".join(labels), suffix, (port or "").replace(":*", ""))

def listval(l):
    # "*" first (any), then the names; "*, Authorization" for allow-headers
    if l and l[0] == "*":
        return ", ".join(["*"] + [x for x in l[1:] if x != "*"])
    return ", ".join(l)

class Policy:
    def __init__(self, p):
        self.p, self.name = p, p["name"]
        self.any = p["origins"] == ["*"]
        self.exact = set() if self.any else {o for o in p["origins"] if "*" not in o}
        self.patterns = [] if self.any else [pattern_re(o) for o in p["origins"] if "*" in o]

    def allows(self, origin):
        if self.any:
            return True
        if not origin:
            return False
        return origin in self.exact or (host_fits(origin) and
                                        any(r.fullmatch(origin) for r in self.patterns))

    def expected(self, origin, preflight, pn):
        p, h = self.p, {}
        if not self.allows(origin):
            return h
        h["access-control-allow-origin"] = "*" if self.any else origin
        if p["credentials"] and not self.any:
            h["access-control-allow-credentials"] = "true"
        if preflight:
            for key in ("methods", "allow-headers"):
                if p[key] is not None:
                    h["access-control-allow-" + key.replace("allow-", "")] = listval(p[key])
            if p["max-age"] is not None:
                h["access-control-max-age"] = str(p["max-age"])
            if p["private-network"] and pn:
                h["access-control-allow-private-network"] = "true"
        elif p["expose-headers"] is not None:
            h["access-control-expose-headers"] = listval(p["expose-headers"])
        return h

    def origins_to_try(self):
        out = [None, "", "https://evil.example.net", "null", "NULL", "https://anything.example.org"]
        if self.any:
            return out
        for o in self.p["origins"][:2] + self.p["origins"][-2:]:
            inst = o.replace("**.", "a.b.").replace("*.", "x1.").replace(":*", ":8080")
            out += [inst, inst.replace(":8080", ""), inst.upper(), inst[:8] + inst[8:].upper(),
                    inst + ".", inst + "x", "x" + inst, inst.replace("x1.", "a.b."),
                    inst.replace("x1.", ""), inst.replace(":8080", ":123456"),
                    inst + "|1", inst + "|", "|1" + inst]
        # hosts of 253 and 254 characters under each "**." pattern (README: 253 at most)
        out += [long_instance(o, n) for o in self.p["origins"] if "://**." in o for n in (253, 254)]
        return sorted(set(out), key=lambda x: (x is None, x or ""))

conns = {}

def request(port, method, path, headers):
    # one kept-alive connection per port; a fresh one if nginx closed it
    for attempt in (0, 1):
        c = conns.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conns[port] = c
        try:
            c.request(method, path, headers=headers)
            r = c.getresponse()
            r.read()
            return r.status, [(k.lower(), v) for k, v in r.getheaders()]
        except (http.client.HTTPException, OSError):
            c.close()
            conns.pop(port)
            if attempt:
                raise

def check(pol, port, method, path, origin, acrm=None, pn=None):
    headers = {}
    if origin is not None:
        headers["Origin"] = origin
    if acrm is not None:
        headers["Access-Control-Request-Method"] = acrm
    if pn is not None:
        headers["Access-Control-Request-Private-Network"] = pn
    preflight = method == "OPTIONS" and bool(origin) and bool(acrm)
    status, got = request(port, method, path, headers)
    ac = sorted((k, v) for k, v in got if k.startswith("access-control-"))
    vary = [x.strip() for k, v in got if k == "vary" for x in v.split(",")]
    want = sorted(pol.expected(origin, preflight, pn == "true").items())
    want_status = 204 if preflight else (404 if path == "/missing" else 200)
    problems = []
    if status != want_status:
        problems.append("status %d, want %d" % (status, want_status))
    if ac != want:
        problems.append("Access-Control-* %r, want %r" % (ac, want))
    if ("Origin" in vary) == pol.any or vary.count("Origin") > 1:
        problems.append("Vary %r (any origin: %s)" % (vary, pol.any))
    if not preflight and path != "/static" and "Accept-Encoding" not in vary:
        problems.append("the upstream's Vary was lost: %r" % vary)
    if problems:
        print("FAIL %s port %d: %s %s Origin=%r ACRM=%r PN=%r: %s"
              % (pol.name, port, method, path, origin, acrm, pn, "; ".join(problems)))
    return not problems

def wait_for(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False

fails = total = 0
for line in open(sys.argv[1]):
    path, name, *ports = line.split()
    pol = Policy({p["name"]: p for p in json.load(open(path))["policies"]}[name])
    n = f = 0
    for port in map(int, ports):
        if not wait_for(port):
            print("FAIL %s: nothing listens on port %d" % (name, port))
            f += 1
            continue
        for o in pol.origins_to_try():
            for args in [("GET", "/", o), ("GET", "/missing", o), ("GET", "/static", o),
                         ("OPTIONS", "/", o, "PUT", "true"), ("OPTIONS", "/static", o, "DELETE"),
                         ("OPTIONS", "/", o, ""), ("OPTIONS", "/", o, "GET", "TRUE"),
                         ("POST", "/", o, "PUT")]:
                n += 1
                f += not check(pol, port, *args)
    print("%s (%s): %d requests, %d failed" % (name, path.split("/")[-3], n, f))
    fails += f
    total += n
print("%d requests, %d failed" % (total, fails))
sys.exit(1 if fails or not total else 0)
EOF

# Every input is built, configured and checked by nginx -t first; then all
# the servers run at once and one client checks them (python starts slowly).
fail=0 runs=0 pids=
ninputs=0 nports=0
for in in "$TOP"/examples/* "$tmp/hard.cors"; do
	base=${in##*/}
	out="$tmp/out-$base"
	mkdir -p "$out" "$tmp/run-$base"
	if ! (cd "$(dirname "$in")" && "$CORSC" build -t nginx -t json -o "$out" "$base") > "$tmp/run-$base/build.log" 2>&1; then
		echo "FAIL build $base"; cat "$tmp/run-$base/build.log"; fail=1; continue
	fi
	names=$(cd "$out/nginx" && ls cors-*.conf | grep -v '^cors-http\.conf$' | sed 's/^cors-//; s/\.conf$//')
	echo "$base $(echo $names | wc -w)" >> "$tmp/inputs"
	nports=$((nports + 1 + 2 * $(echo $names | wc -w)))
done
ports=$("$PY" -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$nports")
set -- $ports
: > "$tmp/manifest"
while read -r base n; do
	out="$tmp/out-$base" run="$tmp/run-$base"
	names=$(cd "$out/nginx" && ls cors-*.conf | grep -v '^cors-http\.conf$' | sed 's/^cors-//; s/\.conf$//')
	up=$1; shift
	{
		echo "daemon off; master_process off; worker_processes 1;"
		echo "pid $run/nginx.pid; error_log $run/error.log info;"
		echo "events { worker_connections 64; }"
		echo "http {"
		echo "  access_log off;"
		for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $run/$t;"; done
		echo "  include $out/nginx/cors-http.conf;"
		echo "  server { listen 127.0.0.1:$up;"
		echo "    add_header Access-Control-Allow-Origin \"*\" always;"
		echo "    add_header Access-Control-Allow-Credentials \"false\" always;"
		echo "    add_header Access-Control-Expose-Headers \"X-Upstream\" always;"
		echo "    add_header Access-Control-Allow-Methods \"PATCH\" always;"
		echo "    add_header Vary \"Accept-Encoding\" always;"
		echo "    location / { return 200 \"upstream\\n\"; }"
		echo "    location /missing { return 404; } }"
		for name in $names; do
			# the policy at server level, then inside a location
			echo "  server { listen 127.0.0.1:$1; include $out/nginx/cors-$name.conf;"
			echo "    location / { proxy_pass http://127.0.0.1:$up; }"
			echo "    location /static { return 200 \"static\\n\"; } }"
			echo "  server { listen 127.0.0.1:$2;"
			echo "    location / { include $out/nginx/cors-$name.conf; proxy_pass http://127.0.0.1:$up; }"
			echo "    location /static { include $out/nginx/cors-$name.conf; return 200 \"static\\n\"; } }"
			echo "$out/json/policies.json $name $1 $2" >> "$tmp/manifest"
			shift 2
		done
		echo "}"
	} > "$run/nginx.conf"
	# nginx -t for every input at once (each takes a while with 10,000 origins)
	(nginx -t -q -p "$run" -e "$run/error.log" -c "$run/nginx.conf" > "$run/t.log" 2>&1; echo $? > "$run/t.rc") &
done < "$tmp/inputs"
wait
while read -r base n; do
	run="$tmp/run-$base"
	if [ "$(cat "$run/t.rc")" != 0 ] || grep -E '\[(warn|emerg|alert|crit|error)\]' "$run/t.log" "$run/error.log"; then
		echo "FAIL nginx -t for $base"; cat "$run/t.log"; fail=1; continue
	fi
	: > "$run/error.log"
	nginx -p "$run" -e "$run/error.log" -c "$run/nginx.conf" &
	pids="$pids $!"
	runs=$((runs + 1))
done < "$tmp/inputs"
"$PY" "$tmp/check.py" "$tmp/manifest" || fail=1
for p in $pids; do kill "$p" 2> /dev/null; wait "$p" 2> /dev/null; done
pids=

# the hard cases really are hard: sized hash, a split list, a '$'
h="$tmp/out-hard.cors/nginx"
grep -q '^map_hash_bucket_size' "$h/cors-http.conf" || { echo "FAIL no map_hash sizes for 10,000 origins"; fail=1; }
grep -q 'allow_headers_2' "$h/cors-Long-List.conf" || { echo "FAIL the long list was not split"; fail=1; }
grep -q 'geo \$cors__dollar' "$h/cors-http.conf" || { echo "FAIL no \$cors__dollar"; fail=1; }
[ "$(grep -c '^    "~^(?:(?:https://' "$h/cors-http.conf")" -gt 2 ] ||
	{ echo "FAIL the 300 patterns are not over several alternation lines"; fail=1; }
echo "$runs nginx servers"
[ $runs -gt 0 ] && [ $fail -eq 0 ]
