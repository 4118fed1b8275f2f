#!/bin/sh
# tests/test_clang.sh: hand-written C is clean under -Wall -Wextra -Werror
# with clang as well as with the build's compiler (gcc by default).
set -u
CLANG=${CLANG:-clang}
B=${B:-build}
fail=0
n=0
for f in gen/*.c src/*.c tests/*.c fuzz/*.c; do
	case $f in
	src/*) flags="-Iinclude -Igen -I$B/gen" ;;
	*) flags="-Iinclude -Isrc -Igen -Itests -I$B/gen" ;;
	esac
	n=$((n + 1))
	if ! out=$($CLANG -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
	    $flags -fsyntax-only "$f" 2>&1); then
		echo "not ok - clang warns on $f"
		printf '%s\n' "$out" | head -10 | sed 's/^/    /'
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "ok - clang -Wall -Wextra -Werror: $n hand-written C files clean"
exit 0
