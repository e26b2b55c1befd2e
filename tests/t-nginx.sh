#!/bin/sh
# Real nginx: every example's nginx output, and a file of hard cases (10,000
# exact origins, a list longer than one nginx parameter, '$' in a header
# name, every kind of pattern), must pass `nginx -t` without a warning and
# answer as SPEC section 6 says, included in a server and in a location.
set -u
: "${CORSC:?}" "${TOP:?}"
command -v nginx > /dev/null || { echo "nginx is not installed"; exit 77; }
command -v python3 > /dev/null || { echo "python3 is not installed"; exit 77; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2> /dev/null; wait "$pid" 2> /dev/null; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! "$CORSC" check "$TOP/examples/spa-api.cors" > /dev/null 2>&1; then
	echo "corsc cannot compile examples/spa-api.cors yet (front end or validator missing)"
	exit 77
fi

# ---- the hard cases ----
python3 - "$tmp/hard.cors" << 'EOF'
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
EOF

# ---- the client: requests and what SPEC section 6 says about them ----
cat > "$tmp/check.py" << 'EOF'
import http.client, json, re, sys

policies = {p["name"]: p for p in json.load(open(sys.argv[1]))["policies"]}
name, ports = sys.argv[2], [int(x) for x in sys.argv[3:]]
p = policies[name]
any_origin = p["origins"] == ["*"]
fails = 0

def pattern_re(o):
    # README: "*." one label, "**." one or more, ":*" no port or 1-5 digits
    m = re.fullmatch(r"([a-z0-9+.-]+)://(\*\.|\*\*\.)?(.+?)(:\*|:[0-9]+)?", o)
    scheme, wild, host, port = m.groups()
    label = "[a-z0-9_-]{1,63}"
    r = re.escape(scheme) + "://"
    r += {None: "", "*.": label + r"\.", "**.": "(?:" + label + r"\.)+"}[wild]
    r += re.escape(host)
    r += {None: "", ":*": "(?::[0-9]{1,5})?"}.get(port, re.escape(port or ""))
    return re.compile(r)

def allows(origin):
    if any_origin:
        return True
    if not origin:
        return False
    return any(pattern_re(o).fullmatch(origin) if o != "null" else origin == "null"
               for o in p["origins"])

def listval(l):
    # "*" first (any), then the names; "*, Authorization" for allow-headers
    if l and l[0] == "*":
        return ", ".join(["*"] + [x for x in l[1:] if x != "*"])
    return ", ".join(l)

def expected(origin, preflight, pn):
    h = {}
    ok = allows(origin)
    if preflight and ok:
        h["access-control-allow-origin"] = "*" if any_origin else origin
        if p["credentials"] and not any_origin:
            h["access-control-allow-credentials"] = "true"
        if p["methods"] is not None:
            h["access-control-allow-methods"] = listval(p["methods"])
        if p["allow-headers"] is not None:
            h["access-control-allow-headers"] = listval(p["allow-headers"])
        if p["max-age"] is not None:
            h["access-control-max-age"] = str(p["max-age"])
        if p["private-network"] and pn:
            h["access-control-allow-private-network"] = "true"
    elif not preflight and ok:
        h["access-control-allow-origin"] = "*" if any_origin else origin
        if p["credentials"] and not any_origin:
            h["access-control-allow-credentials"] = "true"
        if p["expose-headers"] is not None:
            h["access-control-expose-headers"] = listval(p["expose-headers"])
    return h

def origins_to_try():
    out = [None, "", "https://evil.example.net", "null", "NULL"]
    if any_origin:
        return out + ["https://anything.example.org"]
    for o in p["origins"][:3] + p["origins"][-3:]:
        inst = o.replace("**.", "a.b.").replace("*.", "x1.").replace(":*", ":8080")
        out += [inst, inst.replace(":8080", ""), inst.upper(), inst[:8] + inst[8:].upper(),
                inst + ".", inst + "x", "x" + inst, inst.replace("x1.", "a.b."),
                inst.replace("x1.", ""), inst.replace(":8080", ":123456")]
    return sorted(set(out), key=lambda x: (x is None, x or ""))

def request(port, method, path, headers):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request(method, path, headers=headers)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status, [(k.lower(), v) for k, v in r.getheaders()]

def check(port, method, path, origin, acrm=None, pn=None):
    global fails
    headers = {}
    if origin is not None:
        headers["Origin"] = origin
    if acrm is not None:
        headers["Access-Control-Request-Method"] = acrm
    if pn is not None:
        headers["Access-Control-Request-Private-Network"] = pn
    preflight = method == "OPTIONS" and bool(origin) and bool(acrm)
    status, got = request(port, method, path, headers)
    ac = [(k, v) for k, v in got if k.startswith("access-control-")]
    vary = [x.strip() for k, v in got if k == "vary" for x in v.split(",")]
    want = expected(origin, preflight, pn == "true")
    want_status = 204 if preflight else (404 if path == "/missing" else 200)
    problems = []
    if status != want_status:
        problems.append("status %d, want %d" % (status, want_status))
    if sorted(ac) != sorted(want.items()):
        problems.append("Access-Control-* %r, want %r" % (sorted(ac), sorted(want.items())))
    if ("Origin" in vary) == any_origin:
        problems.append("Vary %r (any origin: %s)" % (vary, any_origin))
    if vary.count("Origin") > 1:
        problems.append("Vary: Origin twice")
    if not preflight and path != "/static" and "Accept-Encoding" not in vary:
        problems.append("the upstream's Vary was lost: %r" % vary)
    if problems:
        fails += 1
        print("FAIL %s port %d: %s %s Origin=%r ACRM=%r PN=%r: %s"
              % (name, port, method, path, origin, acrm, pn, "; ".join(problems)))

n = 0
for port in ports:
    for o in origins_to_try():
        for path in ("/", "/missing", "/static"):
            check(port, "GET", path, o)
        check(port, "OPTIONS", "/", o, "PUT", "true")
        check(port, "OPTIONS", "/static", o, "DELETE")
        check(port, "OPTIONS", "/", o, "")
        check(port, "OPTIONS", "/", o, "GET", "TRUE")
        check(port, "POST", "/", o, "PUT")
        n += 8
print("%s: %d requests, %d failed" % (name, n, fails))
sys.exit(1 if fails else 0)
EOF

free_ports() {
	python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}

fail=0 runs=0
run_one() {   # $1: policy file
	in=$1 base=${1##*/}
	out="$tmp/out-$base" run="$tmp/run-$base"
	mkdir -p "$out" "$run"
	(cd "$(dirname "$in")" && "$CORSC" build -t nginx -t json -o "$out" "$base") > "$run/build.log" 2>&1 ||
		{ echo "FAIL build $base"; cat "$run/build.log"; fail=1; return; }
	names=$(cd "$out/nginx" && ls cors-*.conf | grep -v '^cors-http\.conf$' | sed 's/^cors-//; s/\.conf$//')
	set -- $names
	ports=$(free_ports $((1 + 2 * $#)))
	set -- $ports
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
		for n in $names; do
			# the policy at server level, then inside a location
			echo "  server { listen 127.0.0.1:$1; include $out/nginx/cors-$n.conf;"
			echo "    location / { proxy_pass http://127.0.0.1:$up; }"
			echo "    location /static { return 200 \"static\\n\"; } }"
			echo "  server { listen 127.0.0.1:$2;"
			echo "    location / { include $out/nginx/cors-$n.conf; proxy_pass http://127.0.0.1:$up; }"
			echo "    location /static { include $out/nginx/cors-$n.conf; return 200 \"static\\n\"; } }"
			shift 2
		done
		echo "}"
	} > "$run/nginx.conf"
	if ! nginx -t -q -p "$run" -e "$run/error.log" -c "$run/nginx.conf" > "$run/t.log" 2>&1 ||
	   grep -E '\[(warn|emerg|alert|crit|error)\]' "$run/t.log" "$run/error.log"; then
		echo "FAIL nginx -t for $base"; cat "$run/t.log"; fail=1; return
	fi
	: > "$run/error.log"
	nginx -p "$run" -e "$run/error.log" -c "$run/nginx.conf" &
	pid=$!
	set -- $ports
	shift
	i=0
	while ! python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2> /dev/null; do
		i=$((i + 1)); [ $i -lt 50 ] || { echo "FAIL nginx did not start for $base"; cat "$run/error.log"; fail=1; break; }
		sleep 0.1
	done
	for n in $names; do
		python3 "$tmp/check.py" "$out/json/policies.json" "$n" "$1" "$2" || fail=1
		shift 2
	done
	kill "$pid"; wait "$pid" 2> /dev/null; pid=
	runs=$((runs + 1))
}

for ex in "$TOP"/examples/*; do
	run_one "$ex"
done
run_one "$tmp/hard.cors"

# the hard cases really are hard: sized hash, a split list, a '$'
h="$tmp/out-hard.cors/nginx"
grep -q '^map_hash_bucket_size' "$h/cors-http.conf" || { echo "FAIL no map_hash sizes for 10,000 origins"; fail=1; }
grep -q 'allow_headers_2' "$h/cors-long-list.conf" 2> /dev/null || grep -q 'allow_headers_2' "$h/cors-Long-List.conf" ||
	{ echo "FAIL the long list was not split"; fail=1; }
grep -q 'geo \$cors__dollar' "$h/cors-http.conf" || { echo "FAIL no \$cors__dollar"; fail=1; }
echo "$runs nginx runs"
[ $runs -gt 0 ] && [ $fail -eq 0 ]
