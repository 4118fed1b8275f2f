#!/bin/sh
# tests/test_parse_cases.sh PROGRAM SUBCOMMAND: every tests/cases/SUB/*.in
# run through `PROGRAM SUBCOMMAND $(cat NAME.args)` gives NAME.out exactly.
set -u
prog=$1
sub=$2
case $sub in
commands) dir=tests/cases/command ;;
replies) dir=tests/cases/reply ;;
*) dir=tests/cases/$sub ;;
esac
tmp=${B:-build}/tests/parse-$sub.out
for in in "$dir"/*.in; do
	name=${in%.in}
	args=$(cat "$name.args" 2>/dev/null)
	# shellcheck disable=SC2086
	"$prog" "$sub" $args < "$in" > "$tmp" 2>&1
	if cmp -s "$tmp" "$name.out"; then
		echo "ok - mailwire-parse $sub $(basename "$name") ($(wc -l < "$tmp") lines)"
	else
		echo "not ok - mailwire-parse $sub $(basename "$name"):"
		diff "$name.out" "$tmp" | head -10 | sed 's/^/    /'
	fi
done
