#!/bin/sh
# tests/test_interop.sh: mailwire-sink against more real peers from
# Debian's packages (tests/test_sink.sh has smtplib and swaks):
#   - msmtp: plain, STARTTLS (our self-signed certificate as trust file, and
#     with the certificate check off), implicit TLS, AUTH PLAIN, LOGIN,
#     CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256, a wrong password, a large
#     message; each delivered message byte for byte in new/, exactly once;
#   - Postfix's smtp-source: hundreds of messages over parallel sessions,
#     a connection per message and many messages per connection, SMTP and
#     LMTP; -N numbers each message's recipient, so every message carries
#     its own identity: each number 1..N is found exactly once, byte for
#     byte, and nothing is left in tmp/;
#   - GNU gsasl --smtp: authentication only (it sends no mail), over
#     STARTTLS and in plaintext, every mechanism both sides have;
#   - the load test of issue 7: 10,000 messages over 100 concurrent
#     sessions (smtp-source -d), each found exactly once. It takes tens of
#     seconds (two fsyncs per message in one thread), so it runs with
#     MW_LOAD=1; the default run sends 1,000 over 20 sessions;
#   - clients that disconnect in the middle of DATA or BDAT (many at once,
#     at every kind of point, FIN and RST) while another session delivers:
#     only that message is delivered and nothing is left in tmp/; SIGTERM
#     with sessions in the middle of DATA leaves nothing either.
# A peer that is not installed is a "skipped" line. Every step is bounded
# by timeout(1).
#
#	SINK=path/to/mailwire-sink [MW_LOAD=1] sh tests/test_interop.sh
SINK=${SINK:-build/bin/mailwire-sink}
MW_LOAD=${MW_LOAD:-0}
LIB_NAME=interop
. "$(dirname "$0")/sink_lib.sh"
lib_ready || exit 0

# nothing DIR: nothing in DIR/new nor DIR/tmp (waits up to 2 s for tmp/)
nothing() {
	i=0
	while [ $i -lt 20 ] && [ -n "$(ls "$1/tmp")" ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ -z "$(ls "$1/new")" ] || { echo "in new/:"; ls -l "$1/new"; return 1; }
	[ -z "$(ls "$1/tmp")" ] || { echo "in tmp/:"; ls -l "$1/tmp"; return 1; }
}

# mkmsg ID FILE: a message with its own Message-ID; it has From, Date and
# Message-ID, so msmtp sends it unaltered
mkmsg() {
	printf 'From: a@client.test\r\nTo: rcpt1@mx.test\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <%s@client.test>\r\nSubject: %s\r\n\r\nline one\r\n.leading dot\r\n..two dots\r\n.\r\n\r\nlast line\r\n' "$1" "$1" >"$2"
}

MD=$T/md1
SENT_FROM=sender@client.test

# ---- msmtp -------------------------------------------------------------
if ! command -v msmtp >/dev/null; then
	skip "msmtp not installed (apt-get install msmtp)"
elif start m1 --listen 127.0.0.1:0 --maildir "$MD" --tls-cert "$T/cert.pem" \
    --tls-key "$T/key.pem" --users "$T/users" -v; then
	ok "msmtp: sink starts ($PORT)"
	M1=$PID
	: >"$T/msmtprc"	# no system or user configuration is read
	chmod 600 "$T/msmtprc"
	MS="timeout 20 msmtp -C $T/msmtprc --host=127.0.0.1 --port=$PORT \
	    --domain=client.test --from=$SENT_FROM"
	TLS="--tls=on --tls-starttls=on --tls-trust-file=$T/cert.pem"
	# msmtp TEST-NAME FILE MSMTP-ARGS...: sends FILE to rcpt1, rcpt2
	msmtp_send() {
		mname=$1 f=$2; shift 2
		check "msmtp $mname" \
		    sh -c "$MS $* rcpt1@mx.test rcpt2@mx.test <'$f'"
		check "msmtp $mname: delivered byte for byte, once" \
		    expect "$MD" "$f" $SENT_FROM rcpt1@mx.test rcpt2@mx.test
	}
	mkmsg msmtp-plain "$T/msg"
	msmtp_send "plain" "$T/msg"
	for m in plain login cram-md5 scram-sha-1 scram-sha-256; do
		mkmsg "msmtp-$m" "$T/msg"
		msmtp_send "STARTTLS (trust file) + AUTH $m" "$T/msg" $TLS \
		    --auth=$m --user=alice "--passwordeval='echo wonderland'"
	done
	mkmsg msmtp-nocheck "$T/msg"
	msmtp_send "STARTTLS, tls_certcheck off, AUTH on" "$T/msg" \
	    --tls=on --tls-starttls=on --tls-certcheck=off --auth=on \
	    --user=bob "--passwordeval='echo builder'"
	# a large message: 4000 lines of up to 998 octets, many dot lines
	python3 - "$T/big" <<'EOF'
import random, sys
r = random.Random(7)
with open(sys.argv[1], "wb") as f:
    f.write(b"From: a@client.test\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n"
            b"Message-ID: <msmtp-big@client.test>\r\nSubject: big\r\n\r\n")
    for i in range(4000):
        n = r.choice((0, 1, 2, 76, 500, 998))
        line = bytes(r.choice(b"abcxyz .:;-") for _ in range(n))
        if i % 7 == 0:
            line = (b"." + line)[:998]
        f.write(line + b"\r\n")
EOF
	msmtp_send "STARTTLS + AUTH scram-sha-256, $(wc -c <"$T/big") octets" \
	    "$T/big" $TLS --auth=scram-sha-256 --user=alice \
	    "--passwordeval='echo wonderland'"
	mkmsg msmtp-wrong "$T/msg"
	check "msmtp wrong password fails" fails sh -c \
	    "$MS $TLS --auth=plain --user=alice --passwordeval='echo nope' \
	    rcpt1@mx.test <'$T/msg'"
	check "msmtp wrong password: nothing delivered" nothing "$MD"
	check "msmtp AUTH plain without TLS is refused" fails sh -c \
	    "$MS --tls=off --auth=plain --user=alice \
	    --passwordeval='echo wonderland' rcpt1@mx.test <'$T/msg'"
	check "msmtp AUTH plain without TLS: nothing delivered" nothing "$MD"
	check "msmtp: SIGTERM" stop $M1
else
	notok "msmtp: sink starts"
	sed 's/^/#   /' "$T/m1.err"
fi

MD=$T/md2
if command -v msmtp >/dev/null &&
    start m2 --listen 127.0.0.1:0 --maildir "$MD" --tls-cert "$T/cert.pem" \
    --tls-key "$T/key.pem" --tls-implicit --users "$T/users"; then
	MS="timeout 20 msmtp -C $T/msmtprc --host=127.0.0.1 --port=$PORT \
	    --domain=client.test --from=$SENT_FROM"
	mkmsg msmtp-implicit "$T/msg"
	msmtp_send "implicit TLS + AUTH cram-md5" "$T/msg" --tls=on \
	    --tls-starttls=off --tls-trust-file="$T/cert.pem" \
	    --auth=cram-md5 --user=bob "--passwordeval='echo builder'"
	check "msmtp implicit TLS: SIGTERM" stop $PID
elif command -v msmtp >/dev/null; then
	notok "msmtp: implicit TLS sink starts"
fi

# ---- gsasl --smtp (authentication only) ----------------------------------
MD=$T/md3
if ! command -v gsasl >/dev/null; then
	skip "gsasl not installed (apt-get install gsasl)"
elif start g1 --listen 127.0.0.1:0 --maildir "$MD" --tls-cert "$T/cert.pem" \
    --tls-key "$T/key.pem" --users "$T/users" -v; then
	GS="timeout 20 gsasl --smtp --connect=127.0.0.1:$PORT \
	    --hostname=mx.test --quiet"
	CA=--x509-ca-file=$T/cert.pem
	for m in PLAIN LOGIN CRAM-MD5; do
		check "gsasl STARTTLS + $m" sh -c \
		    "$GS $CA -m $m -a alice -p wonderland </dev/null"
	done
	# gsasl 2.2's client, given TLS channel binding data, gives up on
	# its own after "334 " when the server offers no -PLUS mechanism
	# (it sends nothing more); without channel binding SCRAM works
	for m in SCRAM-SHA-1 SCRAM-SHA-256; do
		check "gsasl STARTTLS + $m (--no-cb)" sh -c \
		    "$GS $CA --no-cb -m $m -a bob -p builder </dev/null"
		check "gsasl plaintext $m" sh -c \
		    "$GS --no-starttls -m $m -a alice -p wonderland </dev/null"
	done
	check "gsasl plaintext CRAM-MD5" sh -c \
	    "$GS --no-starttls -m CRAM-MD5 -a alice -p wonderland </dev/null"
	check "gsasl plaintext PLAIN is refused (538)" fails sh -c \
	    "$GS --no-starttls -m PLAIN -a alice -p wonderland </dev/null"
	for m in PLAIN CRAM-MD5 SCRAM-SHA-256; do
		check "gsasl STARTTLS + $m, wrong password fails" fails sh -c \
		    "$GS $CA --no-cb -m $m -a alice -p wrong </dev/null"
	done
	if grep -q '^\[[0-9]*\] S: 538 5\.7\.11' "$T/g1.err" &&
	    grep -q '^\[[0-9]*\] S: 535' "$T/g1.err" &&
	    [ "$(grep -c '^\[[0-9]*\] S: 235' "$T/g1.err")" -eq 8 ]; then
		ok "gsasl: the sink's transcript has 8 x 235, 535, 538"
	else
		notok "gsasl: the sink's transcript has 8 x 235, 535, 538"
		grep '^\[[0-9]*\] S: 5[0-9][0-9]\|S: 235' "$T/g1.err" |
		    sed 's/^/#   /' | head -20
	fi
	skip "gsasl SCRAM with TLS channel binding: gsasl's client stops after 334 when no -PLUS is offered (client side)"
	check "gsasl: SIGTERM" stop $PID
else
	notok "gsasl: sink starts"
	sed 's/^/#   /' "$T/g1.err"
fi

# ---- Postfix's smtp-source -------------------------------------------
# verify.py DIR COUNT FROM TO BODY: smtp-source -N numbered each message's
# recipient 1..COUNT (NTO): each number is in new/ exactly once, as
# Return-Path, Delivered-To and BODY with CRLF line ends and the empty
# line smtp-source adds at the end; nothing in tmp/. Empties new/.
cat >"$T/verify.py" <<'EOF'
import os, sys
md, count, frm, to, body = sys.argv[1:6]
count = int(count)
data = open(body, "rb").read().replace(b"\n", b"\r\n") + b"\r\n"
head = b"Return-Path: <%s>\r\nDelivered-To: " % frm.encode()
seen, bad = {}, []
new = os.path.join(md, "new")
for name in os.listdir(new):
    b = open(os.path.join(new, name), "rb").read()
    i = b.find(b"\r\n", len(head))
    rcpt = b[len(head):i]
    n = rcpt[:-len(to)]
    if not b.startswith(head) or not rcpt.endswith(to.encode()) \
            or not n.isdigit():
        bad.append("%s: unexpected header %r" % (name, b[:120]))
    elif b[i + 2:] != data:
        bad.append("%s: message %s differs (%d octets)" % (name, n, len(b)))
    else:
        seen[int(n)] = seen.get(int(n), 0) + 1
for name in os.listdir(new):
    os.unlink(os.path.join(new, name))
tmp = os.listdir(os.path.join(md, "tmp"))
dup = [n for n, c in seen.items() if c != 1]
missing = [n for n in range(1, count + 1) if n not in seen]
extra = [n for n in seen if not 1 <= n <= count]
for what, l in (("bad", bad), ("more than once", dup), ("missing", missing),
        ("unexpected", extra), ("left in tmp/", tmp)):
    if l:
        print("%d %s: %s" % (len(l), what, sorted(l)[:5]))
print("%d distinct messages found" % len(seen))
sys.exit(1 if bad or dup or missing or extra or tmp else 0)
EOF
printf 'From: a@client.test\nSubject: smtp-source\n\nline one\n.leading dot\n..two dots\n.\n\nlast line\n' >"$T/src"

# source NAME MAILDIR COUNT SECONDS SMTP-SOURCE-ARGS...: sends COUNT
# numbered messages in at most SECONDS, checks them, reports the time
source_run() {
	sname=$1 d=$2 count=$3 secs=$4; shift 4
	t0=$(date +%s)
	if timeout "$secs" smtp-source -N -m "$count" -F "$T/src" \
	    -f from@client.test -t to@mx.test -M client.test "$@" \
	    >"$T/last.log" 2>&1; then
		ok "smtp-source $sname ($(($(date +%s) - t0)) s)"
	else
		notok "smtp-source $sname (status $?, $(($(date +%s) - t0)) s)"
		sed 's/^/#   /' "$T/last.log" | head -20
	fi
	check "smtp-source $sname: each of the $count found once, byte for byte" \
	    timeout 120 python3 "$T/verify.py" "$d" "$count" \
	    from@client.test to@mx.test "$T/src"
}

MD=$T/md4
if ! command -v smtp-source >/dev/null; then
	skip "smtp-source not installed (apt-get install postfix)"
elif start p1 --listen 127.0.0.1:0 --maildir "$MD"; then
	P1=$PID
	A=127.0.0.1:$PORT
	source_run "500 messages, 20 parallel sessions, one per message" \
	    "$MD" 500 60 -s 20 $A
	source_run "500 messages over 20 sessions (-d)" "$MD" 500 60 -d -s 20 $A
	if [ "$MW_LOAD" = 1 ]; then
		source_run "load: 10000 messages over 100 concurrent sessions" \
		    "$MD" 10000 240 -d -s 100 $A
		source_run "load: 10000 messages, 100 at once, one session each" \
		    "$MD" 10000 240 -s 100 $A
	else
		source_run "load (small; MW_LOAD=1 for 10000 over 100): 1000 messages over 20 sessions" \
		    "$MD" 1000 60 -d -s 20 $A
	fi
	check "smtp-source: SIGTERM" stop $P1
else
	notok "smtp-source: sink starts"
	sed 's/^/#   /' "$T/p1.err"
fi

MD=$T/md5
if command -v smtp-source >/dev/null &&
    start p2 --listen 127.0.0.1:0 --maildir "$MD" --lmtp; then
	source_run "LMTP: 300 messages over 10 sessions (-d)" "$MD" 300 60 \
	    -L -d -s 10 127.0.0.1:$PORT
	check "smtp-source LMTP: SIGTERM" stop $PID
elif command -v smtp-source >/dev/null; then
	notok "smtp-source: LMTP sink starts"
fi

# ---- disconnects in the middle of DATA and BDAT -------------------------
cat >"$T/abort.py" <<'EOF'
# abort.py PORT GOOD-FILE: many sessions at once, each leaving in the middle
# of a message in its own way, three times over, while one session sends
# GOOD-FILE whole; the script ends when every session is over
import smtplib, socket, struct, sys, threading
port, good = int(sys.argv[1]), sys.argv[2]
errors = []

def session(how):
    c = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = c.makefile("rb")
    def reply():
        while True:
            l = f.readline()
            if not l or l[3:4] != b"-":
                return l
    reply()
    bdat = how.startswith("bdat")
    cmds = [b"EHLO client.test", b"MAIL FROM:<a@client.test>",
            b"RCPT TO:<b@mx.test>"]
    if how == "pipelined":
        c.sendall(b"\r\n".join(cmds + [b"DATA"]) + b"\r\nSubject: p\r\n\r\n"
                  + b"y" * 5000)
        c.close()
        return
    for cmd in cmds + ([] if bdat else [b"DATA"]):
        c.sendall(cmd + b"\r\n")
        r = reply()
    if not (bdat or r.startswith(b"354")):
        errors.append("%s: %r" % (how, r))
    body = b"Subject: half\r\n\r\n" + b"x" * 100000 + b"\r\n"
    tails = {
        "after-354": b"",
        "mid-line": b"Subject: half\r\n\r\nhalf a li",
        "big-fin": body,
        "big-rst": body,
        "dot-no-crlf": body + b".",
        "dot-cr": body + b".\r",
        "dot-stuffed": body + b"..\r\n",
        "bdat-short": b"BDAT 1000\r\n" + b"z" * 500,
        "bdat-no-last": b"BDAT 100\r\n" + b"z" * 100,
    }
    c.sendall(tails[how])
    if how == "bdat-no-last":
        r = reply()
        if not r.startswith(b"250"):
            errors.append("%s: %r" % (how, r))
    if how == "big-rst":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
    c.close()

def run(how):
    try:
        session(how)
    except Exception as e:
        errors.append("%s: %r" % (how, e))

def send_good():
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=20)
        refused = s.sendmail("sender@client.test", ["rcpt1@mx.test"],
                             open(good, "rb").read())
        assert not refused, refused
        s.quit()
    except Exception as e:
        errors.append("good: %r" % e)

hows = ["after-354", "mid-line", "big-fin", "big-rst", "dot-no-crlf",
        "dot-cr", "dot-stuffed", "bdat-short", "bdat-no-last", "pipelined"]
ts = [threading.Thread(target=run, args=(h,)) for h in hows * 3]
ts.append(threading.Thread(target=send_good))
for t in ts:
    t.start()
for t in ts:
    t.join()
if errors:
    sys.exit("\n".join(errors))
print("%d sessions" % len(ts))
EOF
MD=$T/md6
if start a1 --listen 127.0.0.1:0 --maildir "$MD"; then
	mkmsg good "$T/good"
	check "30 sessions leave mid-DATA/BDAT while one delivers" \
	    timeout 60 python3 "$T/abort.py" $PORT "$T/good"
	sleep 0.3
	check "mid-DATA disconnects: only the whole message delivered" \
	    expect "$MD" "$T/good" $SENT_FROM rcpt1@mx.test
	check "mid-DATA disconnects: the sink still serves" \
	    timeout 20 python3 "$T/abort.py" $PORT "$T/good"
	sleep 0.3
	check "mid-DATA disconnects again: only the whole message" \
	    expect "$MD" "$T/good" $SENT_FROM rcpt1@mx.test

	# SIGTERM with sessions in the middle of DATA: exits 0, nothing
	cat >"$T/hang.py" <<'EOF'
import socket, sys, threading, time
def one():
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
    f = c.makefile("rb")
    def reply():
        while True:
            l = f.readline()
            if not l or l[3:4] != b"-":
                return l
    reply()
    for cmd in (b"EHLO c", b"MAIL FROM:<a@c.test>", b"RCPT TO:<b@mx.test>",
                b"DATA"):
        c.sendall(cmd + b"\r\n")
        reply()
    c.sendall(b"Subject: hang\r\n\r\n" + b"w" * 70000 + b"\r\n")
    try:
        c.recv(100)	# until the sink closes
    except Exception:
        pass
ts = [threading.Thread(target=one) for _ in range(5)]
for t in ts: t.start()
for t in ts: t.join()
EOF
	timeout 20 python3 "$T/hang.py" $PORT >/dev/null 2>&1 &
	HANG=$!
	PIDS="$PIDS $HANG"
	sleep 1
	check "SIGTERM with 5 sessions in the middle of DATA: exits 0" stop $PID
	check "SIGTERM mid-DATA: nothing in new/ or tmp/" nothing "$MD"
	kill $HANG 2>/dev/null
	wait $HANG 2>/dev/null
else
	notok "abort: sink starts"
	sed 's/^/#   /' "$T/a1.err"
fi
exit 0
