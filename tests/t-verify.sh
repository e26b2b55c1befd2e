#!/bin/sh
# corsc verify (SPEC section 8) against real nginx, Apache and Caddy on
# loopback: passes on corsc's own output for every example policy, fails with
# the right finding on deliberately wrong configurations, TLS with a test CA
# and HTTP/2, no answer = exit 2, and the safety rules from the application's
# request log.  The driver is tests/verify/servers.py.
set -u
: "${CORSC:?}" "${TOP:?}"
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed (a test dependency)"; exit 1; }
# every request stays on loopback: no proxy from the environment
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy
tmp=$(mktemp -d "${TMPDIR:-/tmp}/corsc-verify.XXXXXX") || exit 1
pid=
cleanup() {
	if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' INT TERM HUP
python3 "$TOP/tests/verify/servers.py" --corsc "$CORSC" --top "$TOP" --tmp "$tmp" "$@" &
pid=$!
wait "$pid"
rc=$?
pid=
exit $rc
