#!/bin/sh
# Browser test: headless Chromium fetch()es from many .test origins to real
# nginx, Apache and Caddy configured with corsc's output for tests/e2e/browser.cors.in.
# E2E_BREAK=nginx-no-always (etc.) damages the output on purpose, as in t-e2e-diff.sh.
set -u
: "${CORSC:?}" "${TOP:?}"
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed for the end-to-end tests (a test dependency)"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/corsc-e2e-browser.XXXXXX") || exit 1
pid=
cleanup() {
	# the Python driver stops every server it started, by process id
	if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' INT TERM HUP
python3 "$TOP/tests/e2e/browser.py" --corsc "$CORSC" --top "$TOP" --tmp "$tmp" &
pid=$!
wait "$pid"
rc=$?
pid=
exit $rc
