# npm-tools.sh - sourced by the tests that need an npm package: npm_tools NAME
# MARKER installs the packages pinned in tests/NAME/package-lock.json under
# build/npm/NAME (CORSC_NPM_DIR overrides build/npm) unless they are there
# already (MARKER, a path under node_modules, exists and the lock is the
# same), then prints that folder.  Messages go to standard error.
npm_tools() {
	_dir=${CORSC_NPM_DIR:-$TOP/build/npm}/$1
	if ! cmp -s "$TOP/tests/$1/package-lock.json" "$_dir/package-lock.json" ||
	   [ ! -e "$_dir/node_modules/$2" ]; then
		echo "installing the npm packages of tests/$1/package-lock.json into $_dir" >&2
		rm -rf "$_dir" && mkdir -p "$_dir"
		cp "$TOP/tests/$1/package.json" "$TOP/tests/$1/package-lock.json" "$_dir/"
		(cd "$_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2 ||
			{ echo "npm ci failed in $_dir" >&2; rm -rf "$_dir"; return 1; }
		cp "$TOP/tests/$1/package-lock.json" "$_dir/package-lock.json"
	fi
	echo "$_dir"
}
