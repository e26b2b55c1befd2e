#!/bin/sh
# Browser facts: measures in headless Chromium and Firefox ESR each fact
# corsc's rules rest on (tests/e2e/facts.py), and fails when
# doc/browser-facts.md or a rule's `corsc explain` no longer says what they do.
exec sh "$TOP/tests/e2e/run" facts
