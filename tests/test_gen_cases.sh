#!/bin/sh
# tests/test_gen_cases.sh MWGEN: every tests/cases/gen/NAME.abnf is a grammar
# with one kind of mistake; `MWGEN check` must fail on it and print exactly
# tests/cases/gen/NAME.err on stderr (file:line:col: error: message, the
# source line and a caret line). If NAME.start exists it is passed as
# --start. Run from the top of the source tree: the diagnostics hold the
# relative path of the case.
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 MWGEN" >&2
	exit 2
fi
mwgen=$1
dir=tests/cases/gen
failed=0
ran=0
tmp=${TMPDIR:-/tmp}/mwgen-cases.$$
trap 'rm -f "$tmp.err" "$tmp.out"' EXIT
trap 'exit 1' INT TERM

if [ ! -x "$mwgen" ]; then
	echo "not ok - gen cases: $mwgen is not an executable"
	exit 1
fi

for abnf in "$dir"/*.abnf; do
	[ -e "$abnf" ] || continue
	name=${abnf##*/}
	name=${name%.abnf}
	ran=$((ran + 1))
	if [ ! -f "$dir/$name.err" ]; then
		echo "not ok - gen case $name: $dir/$name.err is missing"
		failed=$((failed + 1))
		continue
	fi
	if [ -f "$dir/$name.start" ]; then
		"$mwgen" check --start "$dir/$name.start" "$abnf" \
		    >"$tmp.out" 2>"$tmp.err"
	else
		"$mwgen" check "$abnf" >"$tmp.out" 2>"$tmp.err"
	fi
	st=$?
	if [ "$st" -ne 0 ] && [ "$st" -lt 128 ] &&
	    cmp -s "$tmp.err" "$dir/$name.err"; then
		echo "ok - gen case $name"
		continue
	fi
	failed=$((failed + 1))
	if [ "$st" -eq 0 ]; then
		echo "not ok - gen case $name: mwgen check accepted it (exit 0)"
	elif [ "$st" -ge 128 ]; then
		echo "not ok - gen case $name: mwgen died (exit $st)"
	else
		echo "not ok - gen case $name: the diagnostics differ"
	fi
	diff "$dir/$name.err" "$tmp.err" | sed 's/^/    /'
	if [ -s "$tmp.out" ]; then
		echo "    and it wrote to stdout:"
		sed 's/^/    /' "$tmp.out"
	fi
done

if [ "$ran" -eq 0 ]; then
	echo "not ok - gen cases: none found in $dir (run from the top directory)"
	exit 1
fi
[ "$failed" -eq 0 ]
