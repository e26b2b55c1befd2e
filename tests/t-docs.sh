#!/bin/sh
# t-docs.sh - every example of README.md and the manual pages, run as shown:
# policies check clean, transcripts print what they show, commands exit 0,
# server snippets pass nginx -t, apache2 -t, caddy validate and haproxy -c
# (tests/docs/check_docs.py says how each kind of block is taken).
set -u
: "${CORSC:?}" "${TOP:?}"
for tool in nginx /usr/sbin/apache2 caddy /usr/sbin/haproxy python3; do
	command -v "$tool" > /dev/null || { echo "missing $tool (.ci/deps test installs it)"; exit 1; }
done
exec python3 "$TOP/tests/docs/check_docs.py" "$TOP" "$CORSC"
