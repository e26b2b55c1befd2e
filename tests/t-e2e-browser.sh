#!/bin/sh
# Browser test: headless Chromium and Firefox ESR fetch() from many .test
# origins to real nginx, Apache and Caddy configured with corsc's output for
# tests/e2e/browser.cors.in; what scripts read is checked against
# corsc eval --response-header.
# E2E_BREAK=nginx-no-always (etc.) damages the output on purpose, as in t-e2e-diff.sh.
exec sh "$TOP/tests/e2e/run" browser
