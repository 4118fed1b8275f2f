#!/bin/sh
# tests/test_send_interop.sh: mailwire-send (the client engine over real
# sockets) against real servers: Postfix's smtp-sink (PIPELINING, LMTP,
# reject and disconnect faults), Python's aiosmtpd (AUTH), exim4 on
# loopback (STARTTLS, PLAIN and CRAM-MD5), and a hostile server
# (tests/hostile_server.py) that misbehaves one way per scenario. The
# peers come from tests/peers/install.sh (run by `make test` as root).
#
#	env SINK=build/bin/mailwire-sink SEND=build/bin/mailwire-send \
#	    sh tests/test_send_interop.sh
set -u
LIB_NAME=send-interop
SINK=${SINK:-build/bin/mailwire-sink}
SEND=${SEND:-build/bin/mailwire-send}
. tests/sink_lib.sh

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

lib_ready || exit 0
if [ ! -x "$SEND" ]; then
	skip "$SEND not built"
	exit 0
fi

MSG=$T/msg
printf 'From: <a@example.test>\nTo: <b@example.test>\nSubject: interop\n\nHello.\n.dot line\nBye.\n' >"$MSG"
# what a server receives: CRLF line ends
sed 's/$/\r/' "$MSG" >"$T/msg.crlf"

# bg NAME COMMAND...: starts a server that prints its port first; sets
# PORT and PID
bg() {
	n=$1; shift
	"$@" >"$T/$n.port" 2>"$T/$n.err" &
	PID=$!
	PIDS="$PIDS $PID"
	i=0
	while [ $i -lt 100 ] && [ ! -s "$T/$n.port" ]; do
		sleep 0.05; i=$((i + 1))
	done
	PORT=$(head -1 "$T/$n.port")
	[ -n "$PORT" ]
}

# send OUT ARGS...: runs mailwire-send; stdout in OUT.out, stderr in
# OUT.err; sets RC
send() {
	o=$1; shift
	timeout 60 "$SEND" "$@" >"$T/$o.out" 2>"$T/$o.err"
	RC=$?
}

# expect_rc NAME WANT: RC is WANT
expect_rc() {
	if [ "$RC" -eq "$2" ]; then ok "$1"; else
		notok "$1 (exit $RC, want $2)"
		sed 's/^/#   /' "$T/last.out" "$T/last.err" 2>/dev/null |
		    head -20
	fi
}

# ---- the hostile server ------------------------------------------------
hostile() {
	"$PY" tests/hostile_server.py --list >"$T/scenarios" 2>&1 ||
		{ notok "hostile_server.py --list"; return; }
	while IFS='	' read -r sc expect desc; do
		want=$(printf '%s' "$expect" | sed 's/.*(\([0-9]*\))/\1/')
		tls="--tls none"
		extra=
		case $sc in
		starttls-*)
			bg "h-$sc" "$PY" tests/hostile_server.py --scenario "$sc" \
			    --port 0 --cert "$T/cert.pem" --key "$T/key.pem" ||
			    { notok "$sc: server did not start"; continue; }
			tls="--tls starttls --ca-file $T/cert.pem";;
		*)
			bg "h-$sc" "$PY" tests/hostile_server.py --scenario "$sc" \
			    --port 0 ||
			    { notok "$sc: server did not start"; continue; };;
		esac
		[ "$sc" = silent-after-data ] && extra="--timeout end=2"
		# shellcheck disable=SC2086
		send last --server "127.0.0.1:$PORT" $tls $extra \
		    --from a@example.test --to b@example.test --message "$MSG"
		kill "$PID" 2>/dev/null
		if [ "$RC" -ne "$want" ]; then
			notok "hostile $sc: exit $RC, want $want ($desc)"
			sed 's/^/#   /' "$T/last.out" "$T/last.err" | head -10
			continue
		fi
		if [ "$want" -ne 0 ]; then
			# a clear error, and no recipient reported delivered
			if grep -q ': delivered' "$T/last.out"; then
				notok "hostile $sc: a recipient reported delivered"
				continue
			fi
			if ! grep -q '^mailwire-send: ' "$T/last.err" &&
			    ! grep -q 'failure' "$T/last.out"; then
				notok "hostile $sc: no error message"
				continue
			fi
		elif ! grep -q '^b@example.test: delivered' "$T/last.out"; then
			notok "hostile $sc: exit 0 but not reported delivered"
			continue
		fi
		ok "hostile $sc: exit $want, $(head -c 60 "$T/last.err" |
		    head -1)"
	done <"$T/scenarios"
}

# freeport: a TCP port free on 127.0.0.1 now (for servers that cannot
# report a port the kernel picked)
freeport() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# outcome NAME WANT ARGS...: mailwire-send ARGS exits WANT
outcome() {
	n=$1 w=$2; shift 2
	send last "$@"
	expect_rc "$n" "$w"
}

# lines WANT: stdout has WANT recipient lines saying delivered
delivered() {
	c=$(grep -c ': delivered' "$T/last.out")
	[ "$c" -eq "$1" ] || { echo "$c delivered, want $1"; cat "$T/last.out"; return 1; }
}

# ---- Postfix's smtp-sink -------------------------------------------------
smtpsink() {
	SS=/usr/sbin/smtp-sink
	[ -x "$SS" ] || { skip "smtp-sink: not installed"; return; }
	for mode in "pipelining" "no-pipelining -p" "lmtp -L" \
	    "rcpt-450 -r rcpt" "rcpt-500 -f rcpt" "data-500 -f data" \
	    "quit-at-data -q data" "421-at-mail -Q mail"; do
		sm=${mode%% *}
		opt=${mode#"$sm"}
		P=$(freeport)
		# shellcheck disable=SC2086
		"$SS" -u nobody $opt "127.0.0.1:$P" 10 2>"$T/ss.err" &
		sp=$!
		PIDS="$PIDS $sp"
		i=0
		while [ $i -lt 100 ] && ! "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $P)).close()" 2>/dev/null; do
			sleep 0.05; i=$((i + 1))
		done
		lmtp=
		[ "$sm" = lmtp ] && lmtp=--lmtp
		send last --server "127.0.0.1:$P" --tls none $lmtp -v \
		    --from a@example.test --to b@example.test \
		    --to c@example.test --message "$MSG"
		kill "$sp" 2>/dev/null
		# the line after MAIL in the transcript: a RCPT when pipelined
		after=$(grep -A1 '^C: MAIL FROM' "$T/last.err" | sed -n 2p)
		case $sm in
		pipelining|no-pipelining|lmtp)
			check "smtp-sink $sm: both delivered" delivered 2
			expect_rc "smtp-sink $sm: exit 0" 0;;
		esac
		case $sm in
		pipelining|lmtp)
			check "smtp-sink $sm: MAIL and RCPTs in one write" \
			    test "${after%%<*}" = "C: RCPT TO:";;
		no-pipelining)
			check "smtp-sink $sm: MAIL waits for its reply" \
			    test "${after%% *}" = "S:";;
		rcpt-450|quit-at-data|421-at-mail)
			check "smtp-sink $sm: none delivered" delivered 0
			expect_rc "smtp-sink $sm: temporary failure, exit 75" 75;;
		rcpt-500|data-500)
			check "smtp-sink $sm: none delivered" delivered 0
			expect_rc "smtp-sink $sm: permanent failure, exit 69" 69;;
		esac
	done
}

# ---- Python's aiosmtpd, with AUTH ---------------------------------------
aiosmtpd() {
	if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
		skip "aiosmtpd: python3-aiosmtpd is not installed"
		return
	fi
	mkdir -p "$T/aio/new" "$T/aio/tmp" "$T/aio/cur"
	bg aio "$PY" tests/peers/aiosmtpd_server.py --port 0 --hostname mx.test \
	    --maildir "$T/aio" --user alice --password wonderland \
	    --cert "$T/cert.pem" --key "$T/key.pem" --auth-require-tls \
	    --reject reject@example.test ||
		{ notok "aiosmtpd did not start"; cat "$T/aio.err"; return; }
	for mech in PLAIN LOGIN CRAM-MD5 auto; do
		MAILWIRE_PASSWORD=wonderland send last --server "127.0.0.1:$PORT" \
		    --tls starttls --ca-file "$T/cert.pem" --auth "$mech" \
		    --user alice --from a@example.test --to b@example.test \
		    --message "$MSG"
		expect_rc "aiosmtpd: STARTTLS, AUTH $mech, exit 0" 0
		check "aiosmtpd: AUTH $mech: the message as sent" \
		    expect "$T/aio" "$T/msg.crlf" a@example.test b@example.test
	done
	MAILWIRE_PASSWORD=wrong send last --server "127.0.0.1:$PORT" \
	    --tls starttls --ca-file "$T/cert.pem" --auth PLAIN --user alice \
	    --from a@example.test --to b@example.test --message "$MSG"
	expect_rc "aiosmtpd: wrong password, exit 77" 77
	check "aiosmtpd: wrong password: nothing delivered" delivered 0
	MAILWIRE_PASSWORD=wonderland send last --server "127.0.0.1:$PORT" \
	    --tls starttls --ca-file "$T/cert.pem" --auth auto --user alice \
	    --from a@example.test --to b@example.test \
	    --to reject@example.test --message "$MSG"
	expect_rc "aiosmtpd: one recipient refused (550), exit 69" 69
	check "aiosmtpd: the other delivered" delivered 1
	check "aiosmtpd: the refused one reported" \
	    grep -q '^reject@example.test: permanent failure (550' "$T/last.out"
	check "aiosmtpd: the message as sent to the accepted one" \
	    expect "$T/aio" "$T/msg.crlf" a@example.test b@example.test
	kill "$PID" 2>/dev/null
}

# ---- Exim 4 ----------------------------------------------------------------
exim() {
	if ! sh tests/peers/exim.sh install >"$T/exim-install.log" 2>&1; then
		skip "exim: not installed ($(head -1 "$T/exim-install.log"))"
		return
	fi
	chmod 755 "$T"
	P=$(freeport)
	if ! sh tests/peers/exim.sh start "$T/exim" "$P" "$T/cert.pem" \
	    "$T/key.pem" 2>"$T/exim.err"; then
		notok "exim did not start"; sed 's/^/#   /' "$T/exim.err"
		return
	fi
	PIDS="$PIDS $(cat "$T/exim/pid")"
	md=$T/exim/maildir/new
	k=0
	for c in "starttls PLAIN" "starttls LOGIN" "starttls CRAM-MD5" \
	    "none CRAM-MD5" "starttls auto"; do
		tls=${c% *} mech=${c#* }
		MAILWIRE_PASSWORD=wonderland send last --server "127.0.0.1:$P" \
		    --tls "$tls" --ca-file "$T/cert.pem" --auth "$mech" \
		    --user alice --from a@example.test --to b@example.test \
		    --message "$MSG"
		expect_rc "exim: --tls $tls --auth $mech, exit 0" 0
		k=$((k + 1))
	done
	# --chunking off forces DATA; the default uses BDAT (Exim offers
	# CHUNKING)
	for ch in auto off; do
		send last --server "127.0.0.1:$P" --tls starttls \
		    --ca-file "$T/cert.pem" --chunking "$ch" -v \
		    --from a@example.test --to b@example.test --message "$MSG"
		expect_rc "exim: --chunking $ch, exit 0" 0
		cp "$T/last.err" "$T/chunking-$ch.err"
		k=$((k + 1))
	done
	check "exim: --chunking auto sent BDAT" \
	    grep -q 'BDAT [0-9]* LAST' "$T/chunking-auto.err"
	check "exim: --chunking off sent DATA" \
	    fails grep -q 'BDAT' "$T/chunking-off.err"
	i=0
	while [ $i -lt 100 ] && [ "$(ls "$md" 2>/dev/null | wc -l)" -lt $k ]; do
		sleep 0.05; i=$((i + 1))
	done
	check "exim: $k messages delivered to the Maildir" \
	    test "$(ls "$md" | wc -l)" -eq $k
	check "exim: the dot line arrived unstuffed" \
	    grep -qx '.dot line' "$(ls -d "$md"/* | head -1)"
	MAILWIRE_PASSWORD=wrong send last --server "127.0.0.1:$P" \
	    --tls starttls --ca-file "$T/cert.pem" --auth CRAM-MD5 --user alice \
	    --from a@example.test --to b@example.test --message "$MSG"
	expect_rc "exim: wrong password, exit 77" 77
	outcome "exim: a deferred recipient (451), exit 75" 75 \
	    --server "127.0.0.1:$P" --ca-file "$T/cert.pem" \
	    --from a@example.test --to defer@example.test --message "$MSG"
	outcome "exim: a refused and an accepted recipient, exit 69" 69 \
	    --server "127.0.0.1:$P" --ca-file "$T/cert.pem" \
	    --from a@example.test --to reject@example.test \
	    --to b@example.test --message "$MSG"
	check "exim: the accepted one delivered" delivered 1
	outcome "exim: the certificate not trusted, exit 77" 77 \
	    --server "127.0.0.1:$P" \
	    --from a@example.test --to b@example.test --message "$MSG"
	sh tests/peers/exim.sh stop "$T/exim"
}

hostile
smtpsink
aiosmtpd
exim
