#!/bin/sh
# corsc verify without a server: usage errors (exit 2, nothing sent), a
# policy file with errors, an endpoint that refuses the connection (exit 2,
# the cause named, never a pass), and the plan in the JSON report: valid
# JSON, the same requests in the same order from run to run, eval's answers.
# Runs under ASan/UBSan and valgrind too (SAN_SHELL_TESTS).
set -u
: "${CORSC:?}" "${TOP:?}"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0 n=0
ex=$TOP/examples/spa-api.cors

# a loopback port nothing listens on (bound, then closed)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
url=http://127.0.0.1:$port/api/

# usage NAME MESSAGE-PART ARGS...: exit 2, the message on stderr, nothing on stdout
usage() {
	name=$1 msg=$2; shift 2
	n=$((n + 1))
	"$CORSC" verify "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne 2 ] || ! grep -qF -- "$msg" "$tmp/err" || [ -s "$tmp/out" ]; then
		echo "FAIL $name: exit $rc (want 2 and '$msg')"; cat "$tmp/err" "$tmp/out"
		fail=1
	fi
}

usage "no policy" "needs --policy" "$ex" "$url"
usage "no URL" "needs a URL" "$ex" --policy api
usage "no FILE" "needs FILE and URL" --policy api
usage "three arguments" "unexpected argument" "$ex" "$url" extra --policy api
usage "unknown policy" "no policy 'nope'" "$ex" --policy nope "$url"
usage "ftp URL" "only http:// and https://" "$ex" --policy api ftp://127.0.0.1/
usage "file URL" "only http:// and https://" "$ex" --policy api file:///etc/passwd
usage "bad URL" "bad URL" "$ex" --policy api "http://exa mple.com/"
usage "max-requests 0" "--max-requests" "$ex" --policy api "$url" --max-requests 0
usage "max-requests word" "--max-requests" "$ex" --policy api "$url" --max-requests many
usage "timeout 0" "--timeout takes seconds, more than 0" "$ex" --policy api "$url" --timeout 0
usage "negative delay" "--delay" "$ex" --policy api "$url" --delay -5
usage "report xml" "unknown report" "$ex" --policy api "$url" --report xml
usage "header Origin" "sets this header itself" "$ex" --policy api "$url" --header "Origin: https://x.example"
usage "header ACRM" "sets this header itself" "$ex" --policy api "$url" --header "access-control-request-method: PUT"
usage "header body" "announce a body" "$ex" --policy api "$url" --header "Content-Length: 5"
usage "header no colon" "Name: value" "$ex" --policy api "$url" --header "Cookie"
usage "header CR" "control character" "$ex" --policy api "$url" --header "$(printf 'X-A: a\rb')"
usage "resolve" "HOST:PORT:ADDRESS" "$ex" --policy api "$url" --resolve nonsense
usage "cacert missing" "cannot read" "$ex" --policy api "$url" --cacert "$tmp/none.pem"
usage "unknown option" "unknown option" "$ex" --policy api "$url" --insecure
printf 'policy bad { origins *; credentials true; }\n' > "$tmp/bad.cors"
usage "policy with errors" "nothing was sent" "$tmp/bad.cors" --policy bad "$url"

n=$((n + 1))
if ! "$CORSC" verify --help | grep -q -- '--max-requests'; then echo "FAIL --help"; fail=1; fi

# connection refused: exit 2, the cause on stderr and in the report, never a pass
for report in text json junit; do
	n=$((n + 1))
	"$CORSC" verify "$ex" --policy api "$url" --report $report > "$tmp/$report" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne 2 ] || ! grep -q "connection refused" "$tmp/err"; then
		echo "FAIL refused ($report): exit $rc"; cat "$tmp/err"; fail=1
	fi
done
grep -q "^result: NO ANSWER to request #1: connection refused" "$tmp/text" || { echo "FAIL text report of a refused connection"; cat "$tmp/text"; fail=1; }
grep -q '<error type="no-answer"' "$tmp/junit" && grep -q '<skipped' "$tmp/junit" || { echo "FAIL junit report of a refused connection"; head -20 "$tmp/junit"; fail=1; }

# the JSON plan: valid, deterministic, judged by eval
"$CORSC" verify "$ex" --policy api "$url" --report json > "$tmp/json2" 2>/dev/null
n=$((n + 1))
python3 - "$tmp/json" "$tmp/json2" "$CORSC" "$ex" <<'PY' || fail=1
import json, subprocess, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
corsc, ex = sys.argv[3:5]
bad = []
if a["plan"] != b["plan"]:
    bad.append("the plan differs between two runs")
if a["result"]["exit"] != 2 or a["result"]["no_answer"]["request"] != 1 or a["sent"] != 1:
    bad.append("result %r, sent %r" % (a["result"], a["sent"]))
classes = {r["class"] for r in a["plan"]}
for c in ("allowed", "unrelated", "prefix", "suffix", "unescaped-dot", "scheme-downgrade",
          "other-port", "subdomain", "null", "no-origin"):
    if c not in classes:
        bad.append("no %s origin in the plan" % c)
if {r["http_method"] for r in a["plan"]} != {"GET", "HEAD", "OPTIONS"}:
    bad.append("methods %r" % {r["http_method"] for r in a["plan"]})
# every expectation is what `corsc eval` says (a few of each kind)
seen = set()
for r in a["plan"]:
    key = (r["class"], r["kind"])
    # (no-origin: `corsc eval --no-origin` is not on every branch yet)
    if key in seen or r["origin"] is None:
        continue
    seen.add(key)
    argv = [corsc, "eval", ex, "--policy", "api", "--diagnostics", "json"]
    argv += ["--origin", r["origin"]]
    if r["request_method"]:
        argv += ["--method", r["request_method"], "--preflight"]
        if r["private_network"]:
            argv.append("--private-network")
    out = subprocess.run(argv, stdout=subprocess.PIPE, text=True).stdout
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if not lines or json.loads(lines[-1]) != r["expect"]:
        bad.append("#%d: eval says %s, the plan %s" % (r["id"], lines[-1:] , r["expect"]))
for m in bad:
    print("FAIL json plan:", m)
sys.exit(1 if bad else 0)
PY

echo "t-verify-cli: $n checks"
exit $fail
