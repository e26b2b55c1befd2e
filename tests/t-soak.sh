#!/bin/sh
# The soak's fixed-seed slice (make soak runs the long one): generated
# policies and the defects the soak found (tests/regressions/ files without
# a .expect), served by nginx, Apache and Caddy at server and location scope,
# every answer compared with corsc eval; each generated file also checked,
# built and converted both ways.  SOAK_SEED / SOAK_N change the slice.
set -u
: "${CORSC:?}" "${TOP:?}"
files=
for f in "$TOP"/tests/regressions/*.cors "$TOP"/tests/regressions/*.yaml; do
	[ -e "$f" ] && [ ! -e "${f%.*}.expect" ] && files="$files${files:+,}$f"
done
exec sh "$TOP/tests/e2e/run" soak --seed "${SOAK_SEED:-20261130}" --n "${SOAK_N:-36}" --batch 12 --files "$files"
