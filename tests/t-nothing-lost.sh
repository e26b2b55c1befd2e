#!/bin/sh
# Nothing lost: an error leaves an existing output folder byte-identical with
# no temporary files; a missing or read-only output folder gives exit 2; a full
# file system leaves the old files intact; a target that cannot be replaced, or
# a rename that fails, replaces nothing; an interrupted build leaves the whole
# folder old or new; the environment never changes the bytes.
set -u
: "${CORSC:?}" "${TOP:?}"
tmp=$(mktemp -d)
mnt=
cleanup() {
	[ -n "$mnt" ] && umount "$mnt" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=1; }
snapshot() { (cd "$1" && find . -print | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum); }

good="$TOP/examples/per-path.cors"

# section 5's cases (below), also run alone inside a user namespace
fs_cases() {
	mnt=$1
	mount -t tmpfs -o size=256k tmpfs "$mnt" || { bad "mount tmpfs"; return; }
	"$CORSC" build -o "$mnt" "$good" || bad "build into tmpfs failed"
	snapshot "$mnt" > "$tmp/before"
	mount -o remount,ro "$mnt" || { bad "remount read-only failed"; return; }
	"$CORSC" build -o "$mnt" "$TOP/examples/spa-api.cors" 2> "$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || bad "read-only output folder must exit 2, got $rc"
	[ -s "$tmp/err" ] || bad "read-only output folder gave no message"
	snapshot "$mnt" > "$tmp/after"
	cmp -s "$tmp/before" "$tmp/after" || bad "read-only failure changed the folder"
	mount -o remount,rw "$mnt" || { bad "remount read-write failed"; return; }
	# fill the file system, then build a policy whose output cannot fit
	head -c 180k /dev/zero > "$mnt/filler" || bad "cannot write the 180k filler"
	snapshot "$mnt" > "$tmp/before"
	python3 - "$tmp/big.cors" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("policy big {\n    origins ")
    f.write(",\n        ".join('"https://host%d.partner.example.com"' % i for i in range(3000)))
    f.write(";\n}\n")
PY
	"$CORSC" build -o "$mnt" "$tmp/big.cors" 2> "$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || bad "full file system must exit 2, got $rc"
	snapshot "$mnt" > "$tmp/after"
	cmp -s "$tmp/before" "$tmp/after" || bad "full file system: old files changed or temporary files left"
	umount "$mnt" && mnt=
	echo "tmpfs cases run (read-only, full)"
}
if [ "${1:-}" = --fs-cases ]; then
	# re-entered inside a user namespace: only section 5, in the caller's folder
	rm -rf "$tmp"
	tmp=$2 fail=0
	trap - EXIT INT TERM
	fs_cases "$tmp/mnt"
	exit $fail
fi
printf 'policy broken {\n    origins "https://ok.example.com";\n    credentials maybe;\n}\n' > "$tmp/broken.cors"

# 1. an error leaves the folder as it was
mkdir "$tmp/out"
"$CORSC" build -o "$tmp/out" "$good" || bad "first build failed"
snapshot "$tmp/out" > "$tmp/before"
"$CORSC" build -o "$tmp/out" "$tmp/broken.cors" 2> "$tmp/err"
rc=$?
[ $rc -eq 1 ] || bad "a policy error must exit 1, got $rc"
snapshot "$tmp/out" > "$tmp/after"
cmp -s "$tmp/before" "$tmp/after" || bad "a failed build changed the output folder"

# 2. a missing output folder is created with its parents (SPEC section 4), and
#    a failed build leaves no trace of it: not the folder, not its parents
"$CORSC" build -o "$tmp/nope/a/b" "$tmp/broken.cors" 2> /dev/null
rc=$?
[ $rc -eq 1 ] || bad "a policy error into a missing folder must exit 1, got $rc"
[ -e "$tmp/nope" ] && bad "a failed build left the missing output folder behind"
if command -v strace > /dev/null && strace -o /dev/null true 2> /dev/null; then
	# the first rename fails: the files are not written, the new folders go again
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o /dev/null -e trace=rename,renameat,renameat2 \
		-e inject=rename,renameat,renameat2:error=EIO:when=1 \
		"$CORSC" build -o "$tmp/nope/a/b" "$good" 2> "$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || bad "a failed rename must exit 2, got $rc: $(cat "$tmp/err")"
	[ -e "$tmp/nope" ] && bad "a failed write left the new output folders behind: $(find "$tmp/nope")"
else
	echo "note: strace cannot run here; the failed-write case of a new folder is skipped"
fi
"$CORSC" build -o "$tmp/nope/a/b" "$good" 2> "$tmp/err" || bad "build into a missing folder: $(cat "$tmp/err")"
[ -f "$tmp/nope/a/b/nginx/cors-http.conf" ] || bad "the missing output folder was not created"

# 3. an output folder that is a file
: > "$tmp/afile"
"$CORSC" build -o "$tmp/afile" "$good" 2> /dev/null
[ $? -eq 2 ] || bad "an output 'folder' that is a file must exit 2"

# 4. standard output that cannot be written
"$CORSC" build "$good" > /dev/full 2> "$tmp/err"
[ $? -eq 2 ] || bad "writing to a full standard output must exit 2"

# 5. read-only and full file systems, on a tmpfs: mounted directly (root),
#    else inside a user namespace (unshare -rm) where an ordinary user may
#    mount; only where neither is allowed is it a counted SKIP-ENV line.
mkdir "$tmp/mnt"
if mount -t tmpfs -o size=4k tmpfs "$tmp/mnt" 2> /dev/null; then
	umount "$tmp/mnt"
	fs_cases "$tmp/mnt"
elif unshare -rm true 2> /dev/null; then
	unshare -rm sh "$0" --fs-cases "$tmp" || fail=1
else
	echo "SKIP-ENV: no mount privilege and no user namespace: read-only and full file system cases not run"
fi

# 6. a build interrupted while it writes leaves no temporary file, and every
#    folder is whole: the old files or the new (strace delivers the signal as
#    the build enters the syscall; skipped with a message without strace);
#    a rename that fails leaves the folder as it was
# inject INJ: a fresh $tmp/int from the good build (kept as $tmp/int.old),
# then spa-api built into it under strace's injection INJ; rc its status
inject() {
	rm -rf "$tmp/int" "$tmp/int.old" && mkdir "$tmp/int"
	"$CORSC" build -t all -t json -o "$tmp/int" "$good" || bad "build before $1"
	cp -R "$tmp/int" "$tmp/int.old"
	# LeakSanitizer cannot run under ptrace (it exits 1): off for this run.
	# Signals back to their defaults: run in the background (nohup, sh's &)
	# SIGHUP and SIGINT arrive ignored, and corsc rightly keeps them ignored.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
		env --default-signal=HUP,INT,TERM strace -f -o /dev/null -e trace="${1%%:*}" -e inject="$1" \
		"$CORSC" build -t all -t json -o "$tmp/int" "$TOP/examples/spa-api.cors" > /dev/null 2>&1
	rc=$?
	snapshot "$tmp/int" > "$tmp/after"
	snapshot "$tmp/int.old" > "$tmp/old"
}
if command -v strace > /dev/null && strace -o /dev/null true 2> /dev/null; then
	mkdir "$tmp/ref"
	"$CORSC" build -t all -t json -o "$tmp/ref" "$TOP/examples/spa-api.cors" || bad "reference build"
	# the openat calls before the first temporary file are the dynamic
	# loader's (their number depends on the system's libraries): count them,
	# so that the signal comes as the second temporary file is created
	ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
		strace -o "$tmp/trace" -e trace=openat \
		"$CORSC" build -t all -t json -o "$tmp/ref" "$TOP/examples/spa-api.cors" > /dev/null 2>&1
	first=$(grep '^openat' "$tmp/trace" | grep -n 'O_CREAT' | head -n 1 | cut -d: -f1)
	[ -n "$first" ] || { bad "no temporary file created under strace"; first=1; }
	for inj in "rename,renameat,renameat2:signal=SIGTERM:when=2" "fsync:signal=SIGINT:when=1" \
		   "openat:signal=SIGHUP:when=$((first + 1))+" "write:signal=SIGTERM:when=2"; do
		inject "$inj"
		[ $rc -eq 0 ] && bad "interrupt ($inj): the build was not interrupted"
		left=$(find "$tmp/int" -name '.*' -type f)
		[ -z "$left" ] || bad "interrupt ($inj): temporary files left: $left"
		# the whole folder is the old one, or the old one with every new file
		# in place: never a mix
		rm -rf "$tmp/new" && cp -R "$tmp/int.old" "$tmp/new" && cp -R "$tmp/ref/." "$tmp/new/"
		snapshot "$tmp/new" > "$tmp/new.snap"
		cmp -s "$tmp/after" "$tmp/old" || cmp -s "$tmp/after" "$tmp/new.snap" ||
			bad "interrupt ($inj): the folder is neither the old one nor the new one"
	done
	# a rename that fails (the 2nd, the 4th of the set): the folder as it was
	for inj in "rename,renameat,renameat2:error=EIO:when=2" "rename,renameat,renameat2:error=ENOSPC:when=4"; do
		inject "$inj"
		[ $rc -eq 2 ] || bad "failed rename ($inj): exit 2 expected, got $rc"
		cmp -s "$tmp/after" "$tmp/old" || bad "failed rename ($inj): the folder changed"
	done
elif command -v strace > /dev/null; then
	echo "SKIP-ENV: strace cannot trace here (ptrace forbidden): the interrupted-build cases not run"
else
	echo "SKIP: strace is not installed (.ci/deps test installs it): the interrupted-build cases not run"
fi

# 8. a target that cannot be replaced (a folder at nginx/cors-api.conf): exit 2
#    and no file replaced, not even those renamed before it would have been
mkdir "$tmp/blocked"
"$CORSC" build -t all -t json -o "$tmp/blocked" "$good" || bad "build before blocked target"
rm "$tmp/blocked/nginx/cors-api.conf" && mkdir "$tmp/blocked/nginx/cors-api.conf"
snapshot "$tmp/blocked" > "$tmp/before"
"$CORSC" build -t all -t json -o "$tmp/blocked" "$TOP/examples/spa-api.cors" 2> "$tmp/err"
rc=$?
[ $rc -eq 2 ] || bad "a folder at a target must exit 2, got $rc"
grep -q "nginx/cors-api.conf" "$tmp/err" || bad "message does not name the blocked target: $(cat "$tmp/err")"
snapshot "$tmp/blocked" > "$tmp/after"
cmp -s "$tmp/before" "$tmp/after" || bad "a blocked target: other files were replaced: $(diff "$tmp/before" "$tmp/after" | head -n 6)"

# 7. the same bytes whatever the locale, time zone and environment
mkdir "$tmp/e1" "$tmp/e2"
LC_ALL=C TZ=UTC "$CORSC" build -t all -t json -o "$tmp/e1" "$good" || bad "build e1"
env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 TZ=Pacific/Kiritimati LANG=tr_TR.UTF-8 HOME=/nonexistent \
	"$CORSC" build -t all -t json -o "$tmp/e2" "$good" || bad "build e2"
diff -r "$tmp/e1" "$tmp/e2" > /dev/null || bad "output depends on the environment"
find "$tmp/e1" "$tmp/e2" -name '.*' -type f | grep -q . && bad "temporary files left"

[ $fail -eq 0 ] && echo "nothing lost: all cases passed"
exit $fail
