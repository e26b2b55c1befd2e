#!/bin/sh
# The Caddy backend against the real Caddy: every example compiled, imported
# in a site (at site level, in handle and route blocks, behind reverse_proxy),
# `caddy validate` and `caddy fmt` clean, then SPEC section 6 checked request
# by request with an upstream that sets its own CORS headers and Vary.
set -eu
: "${CORSC:?}" "${TOP:?}"
for tool in caddy python3 curl; do
	command -v "$tool" > /dev/null || { echo "skip: $tool is not installed"; exit 77; }
done

tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/config" XDG_DATA_HOME="$tmp/home/data"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

# The policy names of a policies.json, then three free ports on the loopback.
names_and_ports() {
	python3 -c 'import json, socket, sys
names = [p["name"] for p in json.load(open(sys.argv[1]))["policies"]]
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s), " ".join(names))' "$1"
}

# The checker: reads policies.json, sends requests, compares with SPEC section 6.
cat > "$tmp/check.py" << 'EOF'
import http.client, json, re, sys

policies = {p["name"]: p for p in json.load(open(sys.argv[1]))["policies"]}
port = int(sys.argv[2])
routes = json.loads(sys.argv[3])       # [[path prefix, policy name], ...]
down = sys.argv[4]                     # prefix answered by Caddy itself (502)
LABEL = "[a-z0-9_-]{1,63}"
failures = 0
count = 0

def pattern(text):
    if "://" not in text:
        return re.escape(text)
    scheme, rest = text.split("://", 1)
    r = re.escape(scheme + "://")
    if rest.startswith("**."):
        r += "(?=[a-z0-9_.-]{1,253}(?![a-z0-9_.-]))(?:%s\\.)+" % LABEL; rest = rest[3:]
    elif rest.startswith("*."):
        r += "%s\\." % LABEL; rest = rest[2:]
    port_any = rest.endswith(":*")
    if port_any:
        rest = rest[:-2]
    r += re.escape(rest)
    if port_any:
        r += "(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?"
    return r

def is_any(p):
    return p["origins"] == ["*"]

def allowed(p, origin):
    if not origin:
        return False
    if is_any(p):
        return True
    return any(re.fullmatch(pattern(o), origin, re.ASCII) for o in p["origins"])

def samples(p):
    """Origins to try: matching ones made from each entry, and near misses."""
    out = ["https://evil.example", "null"]
    for o in p["origins"]:
        if o == "*":
            out.append("https://any.example")
            continue
        t = o.replace("**.", "a.b.").replace("*.", "x.")
        for s in (t.replace(":*", ":3000"), t.replace(":*", "")):
            out += [s, s.upper(), s + ".evil.net", s + "/", s.replace("://", "://evil-")]
        if "*." in o and "**." not in o:
            out.append(o.replace("*.", "x.y.").replace(":*", ""))
        if "**." in o:
            out += [long_instance(o, n) for n in (253, 254)]
    return list(dict.fromkeys(out))

def long_instance(o, n):
    # an instance of a "**." pattern whose host has n characters, labels of 63 at most;
    # RE2 has no lookahead, so corsc's Caddy output refuses the 254-character one with a
    # second CEL test (backends/caddy.c); pattern() above bounds the host as the other
    # servers' models do
    scheme, rest = o.split("://", 1)
    suffix = rest[3:].replace(":*", "")
    left, labels = n - len(suffix) - 1, []
    while left > 0:
        l = min(63, left) - (left - min(63, left) == 1)
        labels.append("a" * l)
        left -= l + (left > l)
    return "%s://%s.%s" % (scheme, ".".join(labels), suffix)

def expect(p, origin, preflight, pna):
    """The Access-Control-* headers SPEC section 6 gives, and whether Vary has Origin."""
    h = {}
    ok = is_any(p) or allowed(p, origin)
    if ok:
        h["Access-Control-Allow-Origin"] = "*" if is_any(p) else origin
        if p["credentials"]:
            h["Access-Control-Allow-Credentials"] = "true"
        if preflight:
            if p["methods"] is not None:
                h["Access-Control-Allow-Methods"] = ", ".join(p["methods"])
            if p["allow-headers"] is not None:
                h["Access-Control-Allow-Headers"] = ", ".join(p["allow-headers"])
            if p["max-age"] is not None:
                h["Access-Control-Max-Age"] = str(p["max-age"])
            if p["private-network"] and pna:
                h["Access-Control-Allow-Private-Network"] = "true"
        elif p["expose-headers"] is not None:
            h["Access-Control-Expose-Headers"] = ", ".join(p["expose-headers"])
    return h, not is_any(p)

conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

def request(method, path, headers):
    global conn
    try:
        conn.request(method, path, headers=headers)
        r = conn.getresponse()
    except (http.client.HTTPException, OSError):
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(method, path, headers=headers)
        r = conn.getresponse()
    body = r.read()
    return r.status, r.getheaders(), body

def check(what, p, method, path, hdrs, want_status, preflight, proxied):
    global failures, count
    count += 1
    origin = hdrs.get("Origin")
    status, headers, body = request(method, path, hdrs)
    want, vary_origin = expect(p, origin, preflight, hdrs.get("Access-Control-Request-Private-Network") == "true")
    got, dup, vary = {}, [], []
    for k, v in headers:
        if k.lower().startswith("access-control-"):
            if k in got:
                dup.append(k)
            got[k] = v
        if k.lower() == "vary":
            vary += [x.strip() for x in v.split(",")]
    errs = []
    if status != want_status:
        errs.append("status %d, want %d" % (status, want_status))
    if dup:
        errs.append("duplicated: %s" % dup)
    if got != want:
        errs.append("headers %s, want %s" % (got, want))
    if ("Origin" in vary) != vary_origin:
        errs.append("Vary %s, want Origin %s" % (vary, "in it" if vary_origin else "absent"))
    upstream = any(k.lower() == "x-upstream" for k, _ in headers)
    if upstream != proxied:
        errs.append("reached the upstream: %s" % upstream)
    if proxied and "Accept-Encoding" not in vary:
        errs.append("upstream Vary lost: %s" % vary)
    if preflight and body:
        errs.append("preflight body %r" % body[:40])
    if errs:
        failures += 1
        print("FAIL %s %s %s %s: %s" % (what, method, path, hdrs, "; ".join(errs)))

seen = set()
for prefix, name in routes:
    p = policies[name]
    # the reference matcher itself: a few facts of SPEC section 3 and the README
    if not is_any(p):
        for o in p["origins"]:
            s = o.replace("**.", "a.b.").replace("*.", "x.").replace(":*", ":1")
            assert allowed(p, s) and not allowed(p, s.upper()) or s == s.upper(), s
        assert not allowed(p, "https://evil.example")
    # every request kind for a few origins on the policy's first block, the
    # main kinds for every sample origin; a block met again gets the few only
    few = [None, "", "https://evil.example"] + [o for o in samples(p) if allowed(p, o)][:2]
    if not is_any(p):
        few.append(few[-1].upper())
    first = name not in seen
    seen.add(name)
    for o in (few + samples(p) if first else few):
        full = first and o in few
        base = {} if o is None else {"Origin": o}
        is_pf = bool(o)
        pf = dict(base, **{"Access-Control-Request-Method": "PUT"})
        check(name, p, "GET", prefix + "/ok", base, 200, False, True)
        check(name, p, "OPTIONS", prefix + "/ok", pf, 204 if is_pf else 200, is_pf, not is_pf)
        if not full:
            continue
        for leaf, st in (("nf", 404), ("err", 500)):
            check(name, p, "GET", "%s/%s" % (prefix, leaf), base, st, False, True)
        check(name, p, "POST", prefix + "/ok", base, 200, False, True)
        # OPTIONS without Access-Control-Request-Method is not a preflight
        check(name, p, "OPTIONS", prefix + "/ok", base, 200, False, True)
        check(name, p, "OPTIONS", prefix + "/nf", dict(pf, **{"Access-Control-Request-Headers": "content-type"}),
              204 if is_pf else 404, is_pf, not is_pf)
        pna = dict(pf, **{"Access-Control-Request-Private-Network": "true"})
        check(name, p, "OPTIONS", prefix + "/ok", pna, 204 if is_pf else 200, is_pf, not is_pf)
        pna["Access-Control-Request-Private-Network"] = "TRUE"
        check(name, p, "OPTIONS", prefix + "/ok", pna, 204 if is_pf else 200, is_pf, not is_pf)
        empty = dict(base, **{"Access-Control-Request-Method": ""})
        check(name, p, "OPTIONS", prefix + "/ok", empty, 200, False, True)

# Caddy's own error (the upstream is down) still carries the policy's headers
name = routes[0][1]
for o in [None, "https://evil.example"] + [o for o in samples(policies[name]) if allowed(policies[name], o)][:3]:
    check("down", policies[name], "GET", down + "/x", {} if o is None else {"Origin": o}, 502, False, False)

print("%d requests, %d failures" % (count, failures))
sys.exit(1 if failures or count == 0 else 0)
EOF

fail=0 tested=0
# every example, and policies with odd names kept here for the quoting
for ex in "$TOP"/examples/* "$TOP"/tests/caddy/*.cors; do
	base=${ex##*/}
	rel=${ex#"$TOP"/}
	out="$tmp/out/$base"
	mkdir -p "$out"
	if [ -n "${CADDY_TEST_BUILT:-}" ]; then
		# already-built output folders, one per example (for work on the backend)
		[ -d "$CADDY_TEST_BUILT/$base" ] || continue
		cp -r "$CADDY_TEST_BUILT/$base/." "$out/"
	elif ! (cd "$TOP" && "$CORSC" build -t caddy -t json -o "$out" "$rel") 2> "$tmp/err"; then
		echo "FAIL $base: build failed"; cat "$tmp/err"; fail=1; continue
	fi
	# a failing helper (bad JSON, no port) is a failure, never an empty list
	if ! np=$(names_and_ports "$out/json/policies.json") || [ -z "$np" ]; then
		echo "FAIL $base: cannot read the policy names or find free ports"; fail=1; continue
	fi
	set -- $np
	port=$1 up=$2 dead=$3
	shift 3
	[ $# -gt 0 ] || { echo "FAIL $base: policies.json names no policy"; fail=1; continue; }
	names=$* first=$1 last=$(eval echo "\${$#}")

	# the site: first policy at site level and again in handle and route blocks,
	# every other one in its own handle block, the last one also in a handle block
	# that does not answer itself (the site-level reverse_proxy does)
	site="$tmp/site-$base"
	mkdir -p "$site"
	cp "$out/caddy/cors.caddy" "$site/cors.caddy"
	routes="[[\"/site\", \"$first\"], [\"/h-$first\", \"$first\"], [\"/r-$first\", \"$first\"], [\"/nonterminal\", \"$last\"]"
	{
		printf '{\n\tadmin off\n\tauto_https off\n\tstorage file_system %s\n}\n\n' "$tmp/storage"
		printf 'import cors.caddy\n\n'
		printf 'http://127.0.0.1:%s {\n\timport cors-%s\n' "$port" "$first"
		printf '\thandle /h-%s/* {\n\t\timport cors-%s\n\t\treverse_proxy 127.0.0.1:%s\n\t}\n' "$first" "$first" "$up"
		printf '\troute /r-%s/* {\n\t\timport cors-%s\n\t\treverse_proxy 127.0.0.1:%s\n\t}\n' "$first" "$first" "$up"
		for n in $names; do
			[ "$n" = "$first" ] && continue
			printf '\thandle /p-%s/* {\n\t\timport cors-%s\n\t\treverse_proxy 127.0.0.1:%s\n\t}\n' "$n" "$n" "$up"
			routes="$routes, [\"/p-$n\", \"$n\"]"
		done
		printf '\thandle /nonterminal/* {\n\t\timport cors-%s\n\t}\n' "$last"
		printf '\thandle /down/* {\n\t\timport cors-%s\n\t\treverse_proxy 127.0.0.1:%s\n\t}\n' "$first" "$dead"
		printf '\treverse_proxy 127.0.0.1:%s\n}\n\n' "$up"
		printf 'http://127.0.0.1:%s {\n' "$up"
		printf '\t@nf path */nf\n\t@err path */err\n'
		printf '\theader Access-Control-Allow-Origin *\n'
		printf '\theader Access-Control-Allow-Credentials true\n'
		printf '\theader access-control-expose-headers X-Upstream\n'
		printf '\theader Vary Accept-Encoding\n\theader X-Upstream 1\n'
		printf '\trespond @nf "nf" 404\n\trespond @err "err" 500\n\trespond "ok" 200\n}\n'
	} > "$site/Caddyfile"
	routes="$routes]"

	if ! caddy fmt "$site/cors.caddy" > "$tmp/fmt" 2> "$tmp/err" || ! cmp -s "$tmp/fmt" "$site/cors.caddy"; then
		echo "FAIL $base: cors.caddy is not caddy fmt clean"; diff "$site/cors.caddy" "$tmp/fmt" | head -20; cat "$tmp/err"; fail=1; continue
	fi
	if ! caddy validate --adapter caddyfile --config "$site/Caddyfile" > "$tmp/err" 2>&1; then
		echo "FAIL $base: caddy validate"; tail -n 5 "$tmp/err"; fail=1; continue
	fi
	caddy run --adapter caddyfile --config "$site/Caddyfile" > "$tmp/caddy.log" 2>&1 &
	pid=$!
	up_ok=0
	for _ in $(seq 50); do
		if curl -s -o /dev/null "http://127.0.0.1:$port/site/ok"; then
			up_ok=1; break
		fi
		sleep 0.1
	done
	if [ $up_ok = 0 ]; then
		echo "FAIL $base: caddy did not start"; tail -n 5 "$tmp/caddy.log"; fail=1
	elif python3 "$tmp/check.py" "$out/json/policies.json" "$port" "$routes" /down > "$tmp/check.log" 2>&1; then
		echo "ok $base: $(tail -n 1 "$tmp/check.log")"
	else
		echo "FAIL $base:"; head -n 30 "$tmp/check.log"; tail -n 1 "$tmp/check.log"; fail=1
	fi
	kill "$pid" 2> /dev/null || true
	wait "$pid" 2> /dev/null || true
	pid=
	tested=$((tested + 1))
done

# A list too long for one CEL expression: the origin test is one matcher,
# not { not expression A  not expression B ... }, tried part by part.  Exact
# origins spread over the whole list, and a pattern, are allowed; near
# misses and two Origin lines are not.
big="$tmp/big"
mkdir -p "$big"
python3 - "$big/big.cors" << 'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("policy big {\n    origins ")
    f.write(",\n        ".join('"https://tenant-%05d.customers.example.com"' % i for i in range(6000)))
    f.write(',\n        "https://*.pattern.example.net";\n    credentials true;\n}\n')
EOF
if ! "$CORSC" build -t caddy -o "$big/out" "$big/big.cors" 2> "$tmp/err"; then
	echo "FAIL big: build failed"; cat "$tmp/err"; fail=1
elif ! parts=$(grep -c '^			not expression `' "$big/out/caddy/cors.caddy") || [ "$parts" -lt 3 ]; then
	echo "FAIL big: fewer than three CEL parts"; fail=1
elif ! port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); then
	echo "FAIL big: no free port"; fail=1
else
	printf '{\n\tadmin off\n\tauto_https off\n\tstorage file_system %s\n}\nimport %s\nhttp://127.0.0.1:%s {\n\timport cors-big\n\trespond "ok" 200\n}\n' \
		"$tmp/storage" "$big/out/caddy/cors.caddy" "$port" > "$big/Caddyfile"
	caddy run --adapter caddyfile --config "$big/Caddyfile" > "$tmp/caddy.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && break
		sleep 0.1
	done
	# acao ORIGIN [curl options]: the Access-Control-Allow-Origin answered, or "-"
	acao() {
		o=$1; shift
		v=$(curl -s -o /dev/null -D - -H "Origin: $o" "$@" "http://127.0.0.1:$port/" |
			tr -d '\r' | sed -n 's/^Access-Control-Allow-Origin: //p')
		echo "${v:--}"
	}
	bad=0
	# every 250th origin of the policy (each part holds over 1,700), the last, and the pattern
	samples=$(for i in $(seq 0 250 5999) 5999; do printf 'https://tenant-%05d.customers.example.com ' "$i"; done)
	for o in $samples https://a.pattern.example.net; do
		[ "$(acao "$o")" = "$o" ] || { echo "FAIL big: $o not allowed on GET"; bad=1; }
		[ "$(acao "$o" -X OPTIONS -H "Access-Control-Request-Method: PUT")" = "$o" ] ||
			{ echo "FAIL big: $o not allowed on a preflight"; bad=1; }
	done
	for o in https://tenant-06000.customers.example.com https://tenant-0299.customers.example.com \
		https://a.b.pattern.example.net https://tenant-00000.customers.example.com.evil; do
		[ "$(acao "$o")" = "-" ] || { echo "FAIL big: $o allowed"; bad=1; }
	done
	[ "$(acao https://tenant-00001.customers.example.com -H "Origin: https://tenant-00001.customers.example.com")" = "-" ] ||
		{ echo "FAIL big: two Origin lines allowed"; bad=1; }
	kill "$pid" 2> /dev/null || true
	wait "$pid" 2> /dev/null || true
	pid=
	if [ $bad = 0 ]; then echo "ok big: $parts CEL parts, every part tried"; else fail=1; fi
fi

if [ $tested = 0 ]; then
	echo "FAIL: no example was tested"
	exit 1
fi
echo "$tested examples against caddy $(caddy version | cut -d' ' -f1)"
exit $fail
