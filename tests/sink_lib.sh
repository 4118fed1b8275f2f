# tests/sink_lib.sh: what the mailwire-sink tests (test_sink.sh,
# test_interop.sh) share. Source it after setting LIB_NAME (the prefix of
# each result line) and SINK; it makes the temp dir $T, removed on exit
# with every sink started, the result helpers, a self-signed certificate
# ($T/cert.pem, $T/key.pem, for mx.test and 127.0.0.1) and a users file
# ($T/users: alice:wonderland, bob:builder).
T=$(mktemp -d "${TMPDIR:-/tmp}/mw-$LIB_NAME.XXXXXX") || exit 1
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "ok - $LIB_NAME: $1"; }
notok() { echo "not ok - $LIB_NAME: $1"; }
skip() { echo "skipped - $LIB_NAME: $1"; }
check() {	# check NAME COMMAND...
	name=$1; shift
	if "$@" >"$T/last.log" 2>&1; then ok "$name"; else
		notok "$name"; sed 's/^/#   /' "$T/last.log" | head -20; fi
}
fails() { ! "$@"; }	# fails COMMAND...: the command must fail

# lib_ready: 0 if the sink is built and python3 and openssl are here (the
# certificate and users file are made then); else a skipped line
lib_ready() {
	if [ ! -x "$SINK" ]; then
		skip "$SINK not built"
		return 1
	fi
	if ! command -v python3 >/dev/null || ! command -v openssl >/dev/null
	then
		skip "python3 and openssl are needed"
		return 1
	fi
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mx.test \
	    -addext "subjectAltName=DNS:mx.test,IP:127.0.0.1" \
	    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 ||
		{ notok "openssl req"; return 1; }
	printf 'alice:wonderland\nbob:builder\n' >"$T/users"
}

# start NAME ARGS...: runs the sink, sets PORT and PID
start() {
	n=$1; shift
	rm -f "$T/$n.out"
	timeout 300 "$SINK" --hostname mx.test "$@" >"$T/$n.out" \
	    2>"$T/$n.err" &
	PID=$!
	PIDS="$PIDS $PID"
	i=0
	while [ $i -lt 100 ] && ! grep -qs '^listening on' "$T/$n.out"; do
		sleep 0.05; i=$((i + 1))
	done
	PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$T/$n.out" |
	    head -1)
	[ -n "$PORT" ]
}

# stop PID: SIGTERM, must exit 0 within 10 s
stop() {
	kill -TERM "$1" 2>/dev/null
	i=0
	while [ $i -lt 100 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then echo "still running"; return 1; fi
	wait "$1"
	r=$?
	[ $r -eq 0 ] || { echo "exit status $r"; cat "$T"/*.err | tail -20; }
	return $r
}

# expect DIR FILE FROM RCPT...: exactly one message in DIR/new, equal to
# Return-Path, one Delivered-To per RCPT and FILE; nothing in DIR/tmp.
# Empties new/ for the next check.
expect() {
	st=0
	expect1 "$@" || st=1
	rm -f "$1/new/"* "$1/tmp/"*
	return $st
}
expect1() {
	d=$1 f=$2
	printf 'Return-Path: <%s>\r\n' "$3" >"$T/want"
	shift 3
	for rc in "$@"; do
		printf 'Delivered-To: %s\r\n' "$rc" >>"$T/want"
	done
	cat "$f" >>"$T/want"
	n=$(ls "$d/new" | wc -l)
	[ "$n" -eq 1 ] || { echo "$n messages in new/"; return 1; }
	[ -z "$(ls "$d/tmp")" ] || { echo "files left in tmp/"; return 1; }
	cmp "$d/new/"* "$T/want"
}
