#!/bin/sh
# HAProxy: `haproxy -c` on every example both ways (named defaults loaded with
# -f files or a conf.d folder; fragments in a frontend, backend and listen),
# the version guard, HAProxy's own answers (503, deny, redirect, auth, return)
# against corsc eval, no rules leaking into other sections (tests/e2e/haproxy.py).
exec sh "$TOP/tests/e2e/run" haproxy
