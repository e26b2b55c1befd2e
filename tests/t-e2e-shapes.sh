#!/bin/sh
# Deployment-shape matrix: corsc's output included the way people deploy it
# (proxy, static files, auth, redirects, error pages, internal redirects,
# .htaccess, mixed and nested policies, TLS + HTTP/2) on real nginx, Apache
# and Caddy, compared with `corsc eval`, and a sample through Chromium and Firefox ESR
# (tests/e2e/shapes.py).  E2E_BREAK=apache-login-first (or apache-htaccess-wins,
# nginx-no-always, ...) damages the output on purpose.
exec sh "$TOP/tests/e2e/run" shapes
