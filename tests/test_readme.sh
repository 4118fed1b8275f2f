#!/bin/sh
# tests/test_readme.sh: the embedding example in README.md compiles against
# the core archive with -Werror and runs, so the README stays true.
set -u
B=${B:-build}
CC=${CC:-cc}
dir=$B/tests/readme
mkdir -p "$dir"
sed -n '/^```c$/,/^```$/p' README.md | sed '1d;$d' > "$dir/example.c"
if [ ! -s "$dir/example.c" ]; then
	echo "not ok - README.md has no C example"
	exit 0
fi
if ! $CC -std=c11 -Wall -Wextra -Werror -Iinclude -o "$dir/example" \
    "$dir/example.c" "$B/libmailwire-core.a" 2>"$dir/cc.log"; then
	echo "not ok - the README example does not compile:"
	sed 's/^/    /' "$dir/cc.log" | head -10
	exit 0
fi
echo "ok - the README example compiles against $B/libmailwire-core.a"
out=$("$dir/example" 2.1.23)
[ "$out" = "class 2 subject 1 detail 23" ] &&
	echo "ok - the README example parses 2.1.23" ||
	echo "not ok - the README example printed '$out' for 2.1.23"
"$dir/example" 5.01.1 >/dev/null
[ $? -eq 1 ] && echo "ok - the README example rejects 5.01.1" ||
	echo "not ok - the README example accepted 5.01.1"
