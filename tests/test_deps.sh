#!/bin/sh
# tests/test_deps.sh: scripts/deps.sh, run by someone who is not root on a
# machine that lacks a package, stops and prints the exact apt-get command;
# with nothing missing it says nothing and succeeds.
set -u
B=${B:-build}
dir=$(cd "$B" && pwd)/tests/deps-path
rm -rf "$dir"
mkdir -p "$dir"
# every command deps.sh looks for or uses, except ragel
for c in sh make gcc nm re2c clang openssl gsasl swaks msmtp dpkg-query grep id; do
	p=$(command -v "$c") && ln -s "$p" "$dir/$c"
done
chmod -R a+rx "$dir"
if [ "$(id -u)" -eq 0 ]; then
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	as_user() { "$@"; }
fi
script=$(pwd)/scripts/deps.sh
out=$(cd / && as_user env PATH="$dir" sh "$script" 2>&1)
st=$?
if [ $st -ne 0 ] && printf '%s\n' "$out" |
    grep -q 'run as root:  apt-get update && apt-get install -y --no-install-recommends ragel$'; then
	echo "ok - not root and without ragel, deps.sh stops with the apt-get command"
else
	echo "not ok - deps.sh without ragel as non-root (status $st): $out"
fi
out=$(sh "$script" 2>&1)
st=$?
[ $st -eq 0 ] && [ -z "$out" ] && echo "ok - deps.sh is silent when nothing is missing" ||
	echo "not ok - deps.sh with everything installed (status $st): $out"
