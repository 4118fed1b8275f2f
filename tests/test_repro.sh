#!/bin/sh
# tests/test_repro.sh MWGEN: generated output is reproducible: generating
# twice (and running Ragel twice) gives the same bytes as each other and as
# the build, with no absolute path or date in it.
set -u
mwgen=$1
B=${B:-build}
RAGEL=${RAGEL:-ragel -G2}
args="--start grammar/start.list --captures grammar/captures.list grammar/*.abnf"
work=$B/repro
rm -rf "$work"
mkdir -p "$work"
for i in 1 2; do
	rm -rf "$work/gen"
	$mwgen ragel -o "$work/gen" $args || { echo "not ok - mwgen ragel failed"; exit 1; }
	$mwgen acceptor -o "$work/gen/acceptors.rl" $args
	$RAGEL -I"$work/gen" -o "$work/gen/acceptors.c" "$work/gen/acceptors.rl"
	$mwgen dict -s mail,rcpt,Reply-line $args > "$work/gen/smtp.dict"
	$mwgen sentences -s mail -n 50 --seed 7 $args > "$work/gen/sentences.txt"
	mv "$work/gen" "$work/run$i"
done
if diff -r "$work/run1" "$work/run2" >/dev/null; then
	echo "ok - two generations give the same bytes ($(ls "$work/run1" | wc -l) files)"
else
	echo "not ok - two generations differ:"
	diff -r "$work/run1" "$work/run2" | head -20
fi
same=1
for f in "$B"/gen/*.rl "$B"/gen/captures.h; do
	case $f in */acceptors.rl) continue ;; esac
	cmp -s "$f" "$work/run1/$(basename "$f")" || { same=0; echo "# differs: $f"; }
done
[ $same -eq 1 ] && echo "ok - the build's generated machines equal a fresh generation" ||
	echo "not ok - the build's generated machines differ from a fresh generation"
abs=$(pwd)
if grep -rlF "$abs" "$work/run1" >/dev/null; then
	echo "not ok - generated output holds the absolute path $abs"
else
	echo "ok - no absolute path in generated output"
fi
if grep -rlE '20[0-9][0-9]-[01][0-9]-[0-3][0-9]|[0-9]{2}:[0-9]{2}:[0-9]{2}' \
    "$work/run1"/*.rl "$work/run1"/*.h "$work/run1"/*.c >/dev/null; then
	echo "not ok - generated output holds a date or time"
else
	echo "ok - no date or time in generated output"
fi
