#!/bin/sh
# One out-of-memory policy: whatever allocation fails (an x* allocator, the
# arena or a string buffer), corsc stops with "corsc: fatal: out of memory"
# and exit 2 - never exit 1 (which means "the policy file has errors"), never
# a crash.  realloc is made to fail above a size by a preloaded shim, for
# several sizes, so that each kind of buffer runs out first in some run.
set -u
: "${CORSC:?}" "${TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
cat > "$tmp/shim.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
/* realloc fails for more than $OOM_ABOVE bytes */
void *realloc(void *p, size_t n)
{
	static void *(*real)(void *, size_t);
	const char *s = getenv("OOM_ABOVE");
	if (s && n > strtoull(s, NULL, 10)) {
		errno = ENOMEM;
		return NULL;
	}
	if (!real)
		real = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	return real(p, n);
}
C
${CC:-cc} -shared -fPIC -o "$tmp/shim.so" "$tmp/shim.c" -ldl || { echo "cannot build the shim"; exit 1; }
python3 - "$tmp/big.cors" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("policy big {\n    origins ")
    f.write(",\n        ".join('"https://host%d.partner.example.com"' % i for i in range(20000)))
    f.write(";\n    methods GET, PUT;\n}\n")
PY
"$CORSC" build -t all -t json "$TOP/examples/spa-api.cors" > /dev/null || { echo "plain build failed"; exit 1; }
ran_out=0
for above in 4096 65536 262144 1048576 4194304; do
	for t in nginx apache caddy json; do
		LD_PRELOAD="$tmp/shim.so" OOM_ABOVE=$above "$CORSC" build -t $t "$tmp/big.cors" \
			> /dev/null 2> "$tmp/err"
		rc=$?
		case $rc in
		0) ;;
		2) if grep -qx "corsc: fatal: out of memory" "$tmp/err"; then
			ran_out=$((ran_out + 1))
		   else
			echo "realloc above $above, -t $t: exit 2 without the out-of-memory message: $(head -n 3 "$tmp/err")"
			fail=1
		   fi ;;
		*) echo "realloc above $above, -t $t: exit $rc (want 0 or 2): $(head -n 3 "$tmp/err")"; fail=1 ;;
		esac
	done
done
[ $ran_out -gt 0 ] || { echo "no run ran out of memory: the shim did nothing"; fail=1; }
[ $fail -eq 0 ] && echo "out of memory: exit 2 with one message in $ran_out runs, never another status"
exit $fail
