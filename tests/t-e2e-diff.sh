#!/bin/sh
# End-to-end differential test: real nginx, Apache, Caddy and HAProxy, configured only
# with corsc's output for every example, must answer as `corsc eval` says.
# E2E_BREAK=nginx-no-always (or apache-no-unset, caddy-no-delete, haproxy-no-delete) damages the output on purpose.
exec sh "$TOP/tests/e2e/run" diff
