#!/bin/sh
# Browser test: headless Chromium fetch()es from many .test origins to real
# nginx, Apache and Caddy configured with corsc's output for tests/e2e/browser.cors.in.
# E2E_BREAK=nginx-no-always (etc.) damages the output on purpose, as in t-e2e-diff.sh.
exec sh "$TOP/tests/e2e/run" browser
