#!/bin/sh
# The pipeline recipes of README.md (GitHub Actions, GitLab CI, Make, the
# example GitHub output) and the hooks of .pre-commit-hooks.yaml, run as
# their services would run them (tests/recipes/run.py says how).
set -u
: "${CORSC:?}" "${TOP:?}"
command -v python3 > /dev/null || { echo "python3 is not installed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
python3 "$TOP/tests/recipes/run.py" "$TOP" "$CORSC" "$tmp"
