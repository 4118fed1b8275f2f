#!/bin/sh
# tests/test_send.sh: mailwire-send against mailwire-sink (every --tls
# mode, certificate verification, each AUTH mechanism, LMTP, pipelining,
# chunking, sendmail's -t/-f/-i) and against small Python stubs (a server
# that never speaks, one that refuses some recipients, one that answers
# garbage). Each message that arrives is compared byte for byte.
#
#	SINK=build/bin/mailwire-sink SEND=build/bin/mailwire-send \
#	    sh tests/test_send.sh
SINK=${SINK:-build/bin/mailwire-sink}
SEND=${SEND:-build/bin/mailwire-send}
LIB_NAME=send
. "$(dirname "$0")/sink_lib.sh"
lib_ready || exit 0
if [ ! -x "$SEND" ]; then
	skip "$SEND not built"
	exit 0
fi

# run NAME ARGS...: mailwire-send with stdout, stderr and the exit status
# in $T/NAME.out, .err, .rc (never fails itself)
run() {
	n=$1; shift
	timeout 30 "$SEND" "$@" >"$T/$n.out" 2>"$T/$n.err"
	echo $? >"$T/$n.rc"
}
# is NAME STATUS: the exit status of run NAME was STATUS
is() {
	r=$(cat "$T/$1.rc")
	[ "$r" = "$2" ] || { echo "exit $r, wanted $2"; cat "$T/$1.out" \
	    "$T/$1.err" | head -30; return 1; }
}
# has NAME out|err REGEX: a line of its stdout/stderr matches
has() {
	grep -E -q -- "$3" "$T/$1.$2" || { echo "no /$3/ in $1.$2:"; \
	    head -40 "$T/$1.$2"; return 1; }
}
hasnt() {
	! grep -E -q -- "$3" "$T/$1.$2" || { echo "/$3/ in $1.$2:"; \
	    grep -E -- "$3" "$T/$1.$2" | head; return 1; }
}
# ok_run NAME STATUS [out|err REGEX]...: is, then every has
ok_run() {
	n=$1 s=$2; shift 2
	is "$n" "$s" || return 1
	while [ $# -ge 2 ]; do has "$n" "$1" "$2" || return 1; shift 2; done
}
# before NAME A B: the first line matching A comes before the first
# matching B in NAME's stderr
before() {
	a=$(grep -n -E -- "$2" "$T/$1.err" | head -1 | cut -d: -f1)
	b=$(grep -n -E -- "$3" "$T/$1.err" | head -1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] ||
		{ echo "/$2/ at ${a:-none}, /$3/ at ${b:-none}"; return 1; }
}

# the message: a leading dot, a lone dot, bare LF line ends, no final
# line end; and what must arrive (CRLF, the last line ended)
printf 'From: a@client.test\nSubject: test\n\n.leading dot\n.\n..two\r\nbare cr\rlast' \
    >"$T/msg"
printf 'From: a@client.test\r\nSubject: test\r\n\r\n.leading dot\r\n.\r\n..two\r\nbare cr\r\nlast\r\n' \
    >"$T/want.msg"
echo wonderland >"$T/pw"
echo wrong >"$T/badpw"
CA="--ca-file $T/cert.pem"
FROM="--from sender@client.test"

# ---- STARTTLS sink with AUTH --------------------------------------------
MD=$T/md
start s1 --listen 127.0.0.1:0 --maildir "$MD" --tls-cert "$T/cert.pem" \
    --tls-key "$T/key.pem" --users "$T/users" -v ||
	{ notok "sink starts"; exit 0; }
P1=$PORT
S1=$PID
SRV="--server 127.0.0.1:$P1"

run st $SRV $FROM --to r1@mx.test --to r2@mx.test $CA --message "$T/msg" -v
check "--tls starttls (default) with --ca-file: delivered" \
    ok_run st 0 out '^r1@mx\.test: delivered \(250 2\.0\.0 ' \
    out '^r2@mx\.test: delivered \(250 ' err '^C: STARTTLS' \
    err '^\* TLS established \(TLSv1\.[23] '
check "dots and bare line ends arrive byte for byte (CRLF)" \
    expect "$MD" "$T/want.msg" sender@client.test r1@mx.test r2@mx.test

run stdin $SRV $FROM --to r1@mx.test $CA <"$T/msg"
check "the message from stdin" ok_run stdin 0 out '^r1@mx\.test: delivered'
check "stdin's message byte for byte" \
    expect "$MD" "$T/want.msg" sender@client.test r1@mx.test

run noca $SRV $FROM --to r1@mx.test --message "$T/msg"
check "no CA: verification fails, exit 77, clear message" \
    ok_run noca 77 err '^mailwire-send: TLS: certificate verify failed' \
    out '^r1@mx\.test: permanent failure \(TLS: certificate verify failed'
check "nothing delivered without verification" \
    sh -c "[ -z \"\$(ls '$MD/new')\" ]"
run badname --server "localhost:$P1" $FROM --to r1@mx.test $CA \
    --message "$T/msg"
check "a name the certificate lacks: exit 77 (hostname mismatch)" \
    ok_run badname 77 err 'certificate verify failed: hostname mismatch'
run insecure $SRV $FROM --to r1@mx.test --insecure --message "$T/msg"
check "--insecure: delivered without the CA" \
    ok_run insecure 0 out '^r1@mx\.test: delivered'
rm -f "$MD/new/"*
run badca $SRV $FROM --to r1@mx.test --ca-file "$T/nonexistent.pem" \
    --message "$T/msg"
check "an unreadable CA file is exit 78" ok_run badca 78 err 'CA file'

run opp $SRV $FROM --to r1@mx.test $CA --tls opportunistic \
    --message "$T/msg" -v
check "--tls opportunistic uses the offered STARTTLS" \
    ok_run opp 0 out 'delivered' err '^C: STARTTLS' err '^\* TLS established'
run none $SRV $FROM --to r1@mx.test --tls none --message "$T/msg" -v
check "--tls none: no STARTTLS, delivered" \
    ok_run none 0 out 'delivered' err '^C: MAIL FROM'
check "--tls none sent no STARTTLS" \
    sh -c "grep -q '^C: MAIL FROM' '$T/none.err' && \
    ! grep -q '^C: STARTTLS' '$T/none.err'"
rm -f "$MD/new/"*

# ---- AUTH ---------------------------------------------------------------
for m in auto PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256; do
	run "a-$m" $SRV $FROM --to r1@mx.test $CA --message "$T/msg" \
	    --user alice --password-file "$T/pw" --auth $m -v
	want=$m
	[ $m = auto ] && want=SCRAM-SHA-256	# the strongest offered
	check "--auth $m, right password: delivered" \
	    ok_run "a-$m" 0 out '^r1@mx\.test: delivered' \
	    err "^C: AUTH $want" err '^S: 235 '
	check "--auth $m: the password is nowhere in the transcript" \
	    sh -c "grep -q '^C: \*\*\*\$\|^C: AUTH [A-Z0-9-]* \*\*\*\$' \
	        '$T/a-$m.err' && ! grep -q -e wonderland \
	        -e AGFsaWNlAHdvbmRlcmxhbmQ -e d29uZGVybGFuZA '$T/a-$m.err'"
	run "b-$m" $SRV $FROM --to r1@mx.test $CA --message "$T/msg" \
	    --user alice --password-file "$T/badpw" --auth $m
	check "--auth $m, wrong password: exit 77" \
	    ok_run "b-$m" 77 err '^mailwire-send: authentication failed: 535' \
	    out '^r1@mx\.test: permanent failure \(authentication failed'
done
check "every AUTH message arrived" \
    sh -c "[ \$(ls '$MD/new' | wc -l) -eq 6 ]"
check "sink -v: the AUTH secrets are *** there too" \
    sh -c "grep -q '^\[[0-9]*\] C: \*\*\*\$' '$T/s1.err' && \
    grep -q '^\[[0-9]*\] C: AUTH PLAIN \*\*\*\$' '$T/s1.err' && \
    ! grep -q -e wonderland -e AGFsaWNlAHdvbmRlcmxhbmQ \
    -e d29uZGVybGFuZA '$T/s1.err'"
rm -f "$MD/new/"*
MAILWIRE_PASSWORD=wonderland run env $SRV $FROM --to r1@mx.test $CA \
    --message "$T/msg" --user alice
check "the password from MAILWIRE_PASSWORD" ok_run env 0 out 'delivered'
MAILWIRE_PASSWORD=wrong run env2 $SRV $FROM --to r1@mx.test $CA \
    --message "$T/msg" --user alice
check "a wrong MAILWIRE_PASSWORD: exit 77" ok_run env2 77
run nopw $SRV $FROM --to r1@mx.test $CA --message "$T/msg" --user alice \
    --password-file "$T/nonexistent"
check "an unreadable password file is exit 78" ok_run nopw 78
run plainclear $SRV $FROM --to r1@mx.test --tls none --message "$T/msg" \
    --user alice --password-file "$T/pw" --auth PLAIN
check "PLAIN where the server offers it only under TLS: exit 77" \
    ok_run plainclear 77 err 'no usable authentication mechanism'
rm -f "$MD/new/"*

# ---- the transcript: HELO, pipelining, chunking --------------------------
run helo $SRV $FROM --to r1@mx.test --to r2@mx.test $CA \
    --message "$T/msg" --helo client.example -v
check "--helo is in the transcript" ok_run helo 0 err '^C: EHLO client\.example$'
check "-v summarises the body (no body line printed)" \
    sh -c "grep -q '^C: <[0-9]* octets of message>' '$T/helo.err' && \
    ! grep -q 'leading dot' '$T/helo.err'"
check "--pipelining auto: the RCPTs go before MAIL's reply" \
    before helo '^C: RCPT TO:<r2@' '^S: 250 2\.1\.0'
run nopipe $SRV $FROM --to r1@mx.test --to r2@mx.test $CA \
    --message "$T/msg" --pipelining off --chunking off -v
nopipe_order() {
	is nopipe 0 && before nopipe '^S: 250 2\.1\.0' '^C: RCPT TO:<r1@' &&
	    before nopipe '^S: 250 2\.1\.5' '^C: RCPT TO:<r2@'
}
check "--pipelining off: each RCPT after the reply before it" nopipe_order
check "--chunking auto: BDAT (the sink offers CHUNKING)" \
    ok_run helo 0 err '^C: BDAT [0-9]+ LAST$'
check "--chunking off: DATA" \
    ok_run nopipe 0 err '^C: DATA$' err '^C: <8 lines, [0-9]+ octets of message>'
check "--chunking off: no BDAT" \
    sh -c "grep -q '^C: DATA' '$T/nopipe.err' && \
    ! grep -q '^C: BDAT' '$T/nopipe.err'"
# the sink's -v (src/transcript.c, shared): the same summaries
check "sink -v: a BDAT chunk and a DATA body are summarised, not printed" \
    sh -c "grep -q '^\[[0-9]*\] C: <[0-9]* octets of message>\$' '$T/s1.err' && \
    grep -q '^\[[0-9]*\] C: <8 lines, [0-9]* octets of message>\$' \
    '$T/s1.err' && ! grep -q 'leading dot' '$T/s1.err'"
rm -f "$MD/new/"*
run chunkoff $SRV $FROM --to r1@mx.test $CA --message "$T/msg" \
    --chunking off
check "--chunking off: DATA, byte for byte too" \
    expect "$MD" "$T/want.msg" sender@client.test r1@mx.test
rm -f "$MD/new/"*

# ---- sendmail mode ------------------------------------------------------
printf '%s\n' 'From: Sender <sender@client.test>' \
    'To: "Doe, Jo" <to1@mx.test>, to2@mx.test (two),' \
    '	Third <to3@mx.test>' \
    'Cc: team: cc1@mx.test, Cc Two <cc2@mx.test>;' \
    'Bcc: hidden@mx.test' \
    '  , hidden2@mx.test' \
    'Subject: sendmail mode' '' '.' 'body' >"$T/tmsg"
printf '%s\r\n' 'From: Sender <sender@client.test>' \
    'To: "Doe, Jo" <to1@mx.test>, to2@mx.test (two),' \
    '	Third <to3@mx.test>' \
    'Cc: team: cc1@mx.test, Cc Two <cc2@mx.test>;' \
    'Subject: sendmail mode' '' '.' 'body' >"$T/twant"
run tmode $SRV $CA -t -i -oi -oem -odi -F "Some Name" -f env@client.test \
    arg@mx.test <"$T/tmsg"
check "-t: recipients from To, Cc, Bcc (folded, groups, names) and args" \
    ok_run tmode 0 out '^arg@mx\.test: delivered' out '^to1@mx\.test: delivered' \
    out '^to2@mx\.test: delivered' out '^to3@mx\.test: delivered' \
    out '^cc1@mx\.test: delivered' out '^cc2@mx\.test: delivered' \
    out '^hidden@mx\.test: delivered' out '^hidden2@mx\.test: delivered'
check "-t: Bcc removed, -f the sender, the rest byte for byte" \
    expect "$MD" "$T/twant" env@client.test arg@mx.test to1@mx.test \
    to2@mx.test to3@mx.test cc1@mx.test cc2@mx.test hidden@mx.test \
    hidden2@mx.test
printf 'Subject: nobody\n\nbody\n' >"$T/norcpt"
run tnone $SRV $CA -t --from a@client.test --message "$T/norcpt"
check "-t without recipients: exit 65" ok_run tnone 65 err 'no recipients'
printf 'not a header\n\nbody\n' >"$T/badhdr"
run tbad $SRV $CA -t --from a@client.test --message "$T/badhdr"
check "-t with a malformed header: exit 65" ok_run tbad 65
{ printf 'To: a@mx.test\nX-Long: '; head -c 1100000 /dev/zero | tr '\0' x;
    printf '\n\nbody\n'; } >"$T/bighdr"
run tbig $SRV $CA -t --from a@client.test --message "$T/bighdr"
check "-t with a header block over 1 MiB: exit 65" ok_run tbig 65 \
    err 'header block'
check "nothing delivered by the refused -t runs" \
    sh -c "[ -z \"\$(ls '$MD/new')\" ]"

# ---- usage and local errors ----------------------------------------------
run usage1 --bogus-option
check "an unknown option is exit 64" ok_run usage1 64 err '^usage:'
run usage2 $SRV $FROM $CA --message "$T/msg"
check "no recipients is exit 64" ok_run usage2 64
run usage3 $SRV $FROM --to r1@mx.test --timeout nosuch=3 --message "$T/msg"
check "an unknown timer is exit 64" ok_run usage3 64 err 'no state nosuch'
run usage4 --server "127.0.0.1:99999" $FROM --to r1@mx.test \
    --message "$T/msg"
check "a bad port is exit 64" ok_run usage4 64
run nofile $SRV $FROM --to r1@mx.test $CA --message "$T/nonexistent"
check "a missing message file is exit 66" \
    ok_run nofile 66 err '^mailwire-send: .*nonexistent: No such file'
run help --help
check "--help prints the usage, exit 0" ok_run help 0 out '^usage:'
stop "$S1" >/dev/null

# ---- implicit TLS, plain sink, LMTP ---------------------------------------
MD2=$T/md2
if start s2 --listen 127.0.0.1:0 --maildir "$MD2" --tls-cert "$T/cert.pem" \
    --tls-key "$T/key.pem" --tls-implicit; then
	run imp --server "127.0.0.1:$PORT" $FROM --to r1@mx.test $CA \
	    --tls implicit --message "$T/msg" -v
	check "--tls implicit: delivered" \
	    ok_run imp 0 out '^r1@mx\.test: delivered' \
	    err '^\* TLS established'
	check "implicit TLS: the handshake before the greeting" \
	    before imp '^\* TLS established' '^S: 220 '
	check "implicit TLS: byte for byte" \
	    expect "$MD2" "$T/want.msg" sender@client.test r1@mx.test
	run impnoca --server "127.0.0.1:$PORT" $FROM --to r1@mx.test \
	    --tls implicit --message "$T/msg"
	check "--tls implicit without the CA: exit 77" \
	    ok_run impnoca 77 err 'TLS: certificate verify failed'
	stop "$PID" >/dev/null
else
	notok "implicit TLS sink starts"
fi
MD3=$T/md3
if start s3 --listen 127.0.0.1:0 --maildir "$MD3"; then
	run req --server "127.0.0.1:$PORT" $FROM --to r1@mx.test \
	    --message "$T/msg"
	check "STARTTLS required but not offered: exit 69" \
	    ok_run req 69 err 'STARTTLS is required but not offered'
	run opp2 --server "127.0.0.1:$PORT" $FROM --to r1@mx.test \
	    --tls opportunistic --message "$T/msg"
	check "--tls opportunistic without STARTTLS: delivered in the clear" \
	    ok_run opp2 0 out 'delivered'
	check "opportunistic in the clear: byte for byte" \
	    expect "$MD3" "$T/want.msg" sender@client.test r1@mx.test
	stop "$PID" >/dev/null
else
	notok "plain sink starts"
fi
MD4=$T/md4
if start s4 --listen 127.0.0.1:0 --maildir "$MD4" --lmtp; then
	run lmtp --server "127.0.0.1:$PORT" --lmtp --tls none $FROM \
	    --to r1@mx.test --to r2@mx.test --message "$T/msg" -v
	check "--lmtp: LHLO and a reply per recipient" \
	    ok_run lmtp 0 err '^C: LHLO ' out '^r1@mx\.test: delivered' \
	    out '^r2@mx\.test: delivered'
	check "--lmtp: byte for byte" \
	    expect "$MD4" "$T/want.msg" sender@client.test r1@mx.test r2@mx.test
	stop "$PID" >/dev/null
else
	notok "LMTP sink starts"
fi

# ---- stubs: silence, refusals, garbage ------------------------------------
cat >"$T/stub.py" <<'EOF'
# stub.py MODE PORTFILE: silent (accepts, never speaks), refuse (550 for
# bad*, 451 for tmp*), garbage (a malformed EHLO reply), limits (refuse,
# with RFC 9422 LIMITS RCPTMAX=1; each message body goes to PORTFILE.N)
import socket, sys, threading
mode, portfile = sys.argv[1:3]
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(8)
open(portfile + ".tmp", "w").write(str(ls.getsockname()[1]))
import os; os.rename(portfile + ".tmp", portfile)
def serve(c):
    f = c.makefile("rb")
    if mode == "silent":
        f.read()
        return
    c.sendall(b"220 stub.test ESMTP\r\n")
    while True:
        l = f.readline()
        if not l:
            return
        u = l.upper()
        if u.startswith(b"EHLO"):
            if mode == "garbage":
                c.sendall(b"25O stub\r\n")
            elif mode == "limits":
                c.sendall(b"250-stub.test\r\n250-LIMITS RCPTMAX=1\r\n"
                    b"250 ENHANCEDSTATUSCODES\r\n")
            else:
                c.sendall(b"250-stub.test\r\n250 ENHANCEDSTATUSCODES\r\n")
        elif u.startswith(b"MAIL"):
            c.sendall(b"250 2.1.0 ok\r\n")
        elif u.startswith(b"RCPT"):
            if b"<BAD" in u:
                c.sendall(b"550 5.1.1 no such user\r\n")
            elif b"<TMP" in u:
                c.sendall(b"451 4.3.0 try later\r\n")
            else:
                c.sendall(b"250 2.1.5 ok\r\n")
        elif u.startswith(b"DATA"):
            c.sendall(b"354 go\r\n")
            body = b""
            while True:
                l = f.readline()
                if l in (b".\r\n", b""):
                    break
                body += l
            n = 0
            while os.path.exists("%s.%d" % (portfile, n)):
                n += 1
            open("%s.%d" % (portfile, n), "wb").write(body)
            c.sendall(b"250 2.0.0 queued\r\n")
        elif u.startswith(b"RSET"):
            c.sendall(b"250 2.0.0 ok\r\n")
        elif u.startswith(b"QUIT"):
            c.sendall(b"221 2.0.0 bye\r\n")
            return
        else:
            c.sendall(b"502 5.5.1 no\r\n")
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
# stub MODE: starts it, sets SPORT
stub() {
	rm -f "$T/$1.port"
	timeout 120 python3 "$T/stub.py" "$1" "$T/$1.port" &
	PIDS="$PIDS $!"
	i=0
	while [ $i -lt 100 ] && [ ! -s "$T/$1.port" ]; do
		sleep 0.05; i=$((i + 1))
	done
	SPORT=$(cat "$T/$1.port" 2>/dev/null)
	[ -n "$SPORT" ]
}
if stub silent; then
	t0=$(date +%s)
	run silent --server "127.0.0.1:$SPORT" $FROM --to r1@mx.test \
	    --tls none --timeout greeting=1 --message "$T/msg"
	t1=$(date +%s)
	check "--timeout greeting=1 against a silent server: exit 75" \
	    ok_run silent 75 err '^mailwire-send: .*timeout in greeting' \
	    out '^r1@mx\.test: temporary failure \(timeout in greeting\)'
	check "the greeting timer fired within 1 to 4 s" \
	    sh -c "[ $((t1 - t0)) -ge 1 ] && [ $((t1 - t0)) -le 4 ]"
	run silent2 --server "127.0.0.1:$SPORT" $FROM --to r1@mx.test \
	    --tls implicit --insecure --timeout connect=1 --message "$T/msg"
	check "an implicit TLS handshake that never ends: timeout in connect" \
	    ok_run silent2 75 err '^mailwire-send: .*timeout in connect'
else
	notok "silent stub starts"
fi
if stub refuse; then
	run mixed --server "127.0.0.1:$SPORT" $FROM --to good@mx.test \
	    --to bad@mx.test --to good2@mx.test --tls none --message "$T/msg"
	check "a refused recipient among accepted ones: mixed lines, exit 69" \
	    ok_run mixed 69 out '^good@mx\.test: delivered \(250 2\.0\.0 queued\)$' \
	    out '^bad@mx\.test: permanent failure \(550 5\.1\.1 no such user\)$' \
	    out '^good2@mx\.test: delivered'
	run mixed2 --server "127.0.0.1:$SPORT" $FROM --to good@mx.test \
	    --to bad@mx.test --to tmp@mx.test --tls none --message "$T/msg"
	check "4xx and 5xx refusals: exit 75 (75 before 69)" \
	    ok_run mixed2 75 out '^tmp@mx\.test: temporary failure \(451 4\.3\.0 try later\)$' \
	    out '^bad@mx\.test: permanent failure \(550 '
	run allbad --server "127.0.0.1:$SPORT" $FROM --to bad@mx.test \
	    --tls none --message "$T/msg"
	check "every recipient refused: exit 69" ok_run allbad 69
	run norauth --server "127.0.0.1:$SPORT" $FROM --to good@mx.test \
	    --tls none --user alice --password-file "$T/pw" --message "$T/msg"
	check "AUTH asked for but not offered: exit 77" ok_run norauth 77 \
	    err 'no usable authentication mechanism'
else
	notok "refusing stub starts"
fi
if stub garbage; then
	run garbage --server "127.0.0.1:$SPORT" $FROM --to r1@mx.test \
	    --tls none --message "$T/msg"
	check "a malformed reply: exit 76, protocol error" \
	    ok_run garbage 76 err '^mailwire-send: protocol error' \
	    out '^r1@mx\.test: permanent failure \(protocol error'
else
	notok "garbage stub starts"
fi
if stub limits; then
	run limits --server "127.0.0.1:$SPORT" $FROM --to a1@mx.test \
	    --to a2@mx.test --tls none --message "$T/msg"
	check "RCPTMAX=1: two transactions, the body read twice from the file" \
	    ok_run limits 0 out '^a1@mx\.test: delivered' \
	    out '^a2@mx\.test: delivered'
	# the stub stores the dot-stuffed wire form
	sed 's/^\./../' "$T/want.msg" >"$T/want.wire"
	check "RCPTMAX=1: both copies byte for byte" \
	    sh -c "cmp '$T/limits.port.0' '$T/want.wire' && \
	    cmp '$T/limits.port.1' '$T/want.wire'"
	cat "$T/msg" | run limits2 --server "127.0.0.1:$SPORT" $FROM \
	    --to a1@mx.test --to a2@mx.test --tls none
	check "RCPTMAX=1 from a pipe: the rest is a temporary failure (75)" \
	    ok_run limits2 75 out '^a1@mx\.test: delivered' \
	    out '^a2@mx\.test: temporary failure \(.*cannot be re-read'
else
	notok "limits stub starts"
fi
run refused --server 127.0.0.1:1 $FROM --to r1@mx.test --tls none \
    --message "$T/msg"
check "connection refused: exit 75" \
    ok_run refused 75 err '^mailwire-send: connect to 127\.0\.0\.1:1: Connection refused$' \
    out '^r1@mx\.test: temporary failure \(connect to'
