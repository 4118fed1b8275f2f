#!/bin/sh
# scripts/deps.sh: installs what mailwire's build and tests need from
# Debian's packages, if it is missing. As root it runs apt-get itself; as
# anyone else it stops and prints the exact command to run.
set -u

missing=""
want() {	# want PACKAGE TEST...: PACKAGE is missing if TEST fails
	pkg=$1
	shift
	"$@" >/dev/null 2>&1 || missing="$missing $pkg"
}
have() { command -v "$1"; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

want make have make
want gcc have gcc
want binutils have nm
want ragel have ragel
want re2c have re2c
want clang have clang
# clang's sanitizer and libFuzzer runtimes (Debian 12 ships clang 14)
want libclang-rt-14-dev installed libclang-rt-14-dev
want libssl-dev test -f /usr/include/openssl/ssl.h
want openssl have openssl
# peers of the interop tests: GNU SASL's command-line tool, and python3
# (the test relays, smtplib)
want gsasl have gsasl
want swaks have swaks
want msmtp have msmtp
# Postfix's smtp-source and smtp-sink (the package's daemon is kept stopped)
want postfix test -x /usr/sbin/smtp-source
want python3 installed python3
# the client's interop peers (tests/peers/README): Python's aiosmtpd; Exim
# is extracted beside postfix by tests/peers/exim.sh (their packages
# conflict)
want python3-aiosmtpd installed python3-aiosmtpd
if [ "${1:-}" = bench ]; then
	want valgrind have valgrind
	want gnuplot-nox have gnuplot
	want gcc-arm-none-eabi have arm-none-eabi-gcc
	want libnewlib-arm-none-eabi test -f /usr/lib/arm-none-eabi/include/string.h
	want golang-go have go
	want golang-github-emersion-go-smtp-dev test -d /usr/share/gocode/src/github.com/emersion/go-smtp
	# Debian 12's go-smtp package does not pull in go-sasl, which it
	# imports
	want golang-github-emersion-go-sasl-dev test -d /usr/share/gocode/src/github.com/emersion/go-sasl
fi

[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "mailwire: missing Debian packages:$missing" >&2
	echo "mailwire: run as root:  apt-get update && $cmd" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "mailwire: missing:$missing, and there is no apt-get here" >&2
	exit 1
fi
echo "mailwire: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# packages with daemons (postfix) must not start them: the tests only use
# their programs; policy-rc.d (invoke-rc.d's hook) refuses every start
policy=/usr/sbin/policy-rc.d
ours=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && ours=1
fi
# another apt-get (a parallel build) may hold the lock: wait for it
apt-get -o DPkg::Lock::Timeout=600 update -qq &&
    $cmd -o DPkg::Lock::Timeout=600 -qq >/dev/null
st=$?
[ -n "$ours" ] && rm -f "$policy"
[ -x /usr/sbin/postfix ] && /usr/sbin/postfix stop >/dev/null 2>&1
if [ $st -ne 0 ]; then
	echo "mailwire: '$cmd' failed" >&2
	exit 1
fi
exit 0
