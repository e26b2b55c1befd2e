#!/bin/sh
# corsc verify against hand-made HTTP answers (tests/verify/wire.py): trailers,
# a 103 before the answer, a body past the read limit, a header twice in
# another case, '*' with credentials, a redirect, bytes that are not HTTP, an
# endpoint that never finishes its headers.  One Python process serves them
# on loopback and ends with the test.
set -u
: "${CORSC:?}" "${TOP:?}"
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed (a test dependency)"; exit 1; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy
exec python3 "$TOP/tests/verify/wire.py" "$CORSC"
