#!/bin/sh
# tests/test_rfc.sh MWGEN: every grammar/ rule that claims to come from an
# RFC is that RFC's rule, token for token (mwgen rfccheck). The RFC texts
# are not part of the project: they are read from $RFC_DIR, and the check
# reports itself skipped, by name, where they are absent.
set -u
mwgen=$1
dir=${RFC_DIR:-../shared/rfc}
if [ ! -d "$dir" ]; then
	echo "skipped - grammar-vs-RFC check: RFC_DIR $dir does not exist"
	exit 0
fi
out=$("$mwgen" rfccheck --rfc-dir "$dir" --start grammar/start.list \
    --captures grammar/captures.list grammar/*.abnf 2>&1)
st=$?
printf '%s\n' "$out" | sed -n 's/^skipped: rule \([^:]*\): \(.*\)/skipped - grammar-vs-RFC: rule \1 (\2)/p'
summary=$(printf '%s\n' "$out" | grep '^rfccheck:')
if [ $st -eq 0 ]; then
	echo "ok - grammar matches the RFC texts: ${summary#rfccheck: }"
else
	printf '%s\n' "$out" | grep -v '^skipped' | head -40
	echo "not ok - grammar differs from the RFC texts: ${summary#rfccheck: }"
fi

# the check itself must catch a changed rule: mutate one and expect a diff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp grammar/*.abnf grammar/*.list "$tmp"/
sed 's/^Snum           = 1\*3DIGIT/Snum           = 1*4DIGIT/' grammar/rfc5321.abnf > "$tmp/rfc5321.abnf"
if cmp -s grammar/rfc5321.abnf "$tmp/rfc5321.abnf"; then
	echo "not ok - the mutation for the RFC check did not apply"
elif "$mwgen" rfccheck --rfc-dir "$dir" --start "$tmp/start.list" \
    --captures "$tmp/captures.list" "$tmp"/*.abnf 2>&1 |
    grep -q "rule Snum differs from RFC 5321"; then
	echo "ok - the RFC check catches a changed repeat count (Snum 1*4DIGIT)"
else
	echo "not ok - the RFC check missed a changed repeat count"
fi
