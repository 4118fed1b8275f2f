#!/bin/sh
# tests/test_sink.sh: mailwire-sink against real peers on this machine:
# Python's smtplib (plain, STARTTLS, implicit TLS, AUTH PLAIN/LOGIN/
# CRAM-MD5), swaks if installed (plain, --pipeline, STARTTLS + AUTH), a
# client that disconnects in the middle of DATA, SIGTERM. Every step is
# bounded by timeout(1).
#
#	SINK=path/to/mailwire-sink sh tests/test_sink.sh
SINK=${SINK:-build/bin/mailwire-sink}
LIB_NAME=sink
. "$(dirname "$0")/sink_lib.sh"
lib_ready || exit 0

PY="timeout 20 python3"
cat >"$T/send.py" <<'EOF'
# send.py PORT MODE MECH USER PASS FILE: send FILE's bytes as a message
import smtplib, ssl, sys
port, mode, mech, user, pw, path = sys.argv[1:7]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if mode == "implicit":
    s = smtplib.SMTP_SSL("127.0.0.1", int(port), timeout=10, context=ctx)
else:
    s = smtplib.SMTP("127.0.0.1", int(port), timeout=10)
s.ehlo("client.test")
if mode == "starttls":
    s.starttls(context=ctx)
    s.ehlo("client.test")
if mech != "none":
    s.user, s.password = user, pw
    meth = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login,
            "CRAM-MD5": s.auth_cram_md5}[mech]
    code, resp = s.auth(mech, meth, initial_response_ok=(mech != "LOGIN"))
    assert code == 235, (code, resp)
body = open(path, "rb").read()
refused = s.sendmail("sender@client.test", ["rcpt1@mx.test", "rcpt2@mx.test"],
    body)
assert not refused, refused
s.quit()
EOF

# the envelope every smtplib and swaks message here has
ENV="sender@client.test rcpt1@mx.test rcpt2@mx.test"

printf 'From: a@client.test\r\nSubject: test\r\n\r\nline one\r\n.leading dot\r\n..two dots\r\n\r\nlast line\r\n' >"$T/msg"

# ---- plain, with AUTH available only after STARTTLS -------------------
MD=$T/md1
if start s1 --listen 127.0.0.1:0 --maildir "$MD" --tls-cert "$T/cert.pem" \
    --tls-key "$T/key.pem" --users "$T/users" -v; then
	ok "starts and prints its port ($PORT)"
	S1=$PID
	check "smtplib plain, byte for byte in new/" \
	    sh -c "$PY '$T/send.py' $PORT plain none x x '$T/msg' && \
	    $(command -v true)"
	check "message found byte for byte with Return-Path, Delivered-To" \
	    expect "$MD" "$T/msg" $ENV
	for m in PLAIN LOGIN CRAM-MD5; do
		check "smtplib STARTTLS + AUTH $m" \
		    $PY "$T/send.py" $PORT starttls $m alice wonderland "$T/msg"
		check "AUTH $m message delivered" expect "$MD" "$T/msg" $ENV
	done
	cat >"$T/noauth.py" <<'EOF'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.ehlo("client.test")
auth = s.esmtp_features.get("auth", "")
assert "PLAIN" not in auth and "LOGIN" not in auth, auth
assert "CRAM-MD5" in auth, auth
assert "starttls" in s.esmtp_features
code, resp = s.docmd("AUTH", "PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=")
assert code == 538, (code, resp)
code, resp = s.docmd("AUTH", "CRAM-MD5")
assert code == 334, (code, resp)
code, resp = s.docmd("*")
assert code == 501, (code, resp)
s.quit()
EOF
	check "plaintext AUTH not offered before TLS, 538 when used" \
	    $PY "$T/noauth.py" $PORT
	cat >"$T/badpw.py" <<'EOF'
import smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.starttls(context=ctx)
try:
    s.login("alice", "wrong")
    sys.exit("login with a wrong password succeeded")
except smtplib.SMTPAuthenticationError as e:
    assert e.smtp_code == 535, e
s.quit()
EOF
	check "wrong password is 535" $PY "$T/badpw.py" $PORT

	# a client that disconnects in the middle of DATA
	cat >"$T/abort.py" <<'EOF'
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = c.makefile("rb")
def reply():
    while True:
        l = f.readline()
        if not l or l[3:4] != b"-":
            return l
reply()
for cmd in (b"EHLO client.test", b"MAIL FROM:<a@client.test>",
    b"RCPT TO:<b@mx.test>", b"DATA"):
    c.sendall(cmd + b"\r\n")
    r = reply()
assert r.startswith(b"354"), r
c.sendall(b"Subject: half\r\n\r\n" + b"x" * 100000 + b"\r\n")
time.sleep(0.2)
c.close()
EOF
	if $PY "$T/abort.py" $PORT >"$T/last.log" 2>&1; then
		sleep 0.5
		if [ -z "$(ls "$MD/new")" ] && [ -z "$(ls "$MD/tmp")" ]; then
			ok "disconnect in the middle of DATA leaves nothing"
		else
			notok "disconnect in the middle of DATA leaves nothing"
			ls -l "$MD/new" "$MD/tmp" | sed 's/^/#   /'
		fi
	else
		notok "disconnect in the middle of DATA (client failed)"
		sed 's/^/#   /' "$T/last.log"
	fi

	if grep -q 'wonderland\|AGFsaWNl' "$T/s1.err"; then
		notok "-v transcript masks AUTH secrets"
	elif grep -q '\* delivered' "$T/s1.err" &&
	    grep -q 'C: AUTH PLAIN \*\*\*$' "$T/s1.err"; then
		ok "-v transcript masks AUTH secrets"
	else
		notok "-v transcript (no transcript)"
	fi

	# ---- swaks ------------------------------------------------------
	if command -v swaks >/dev/null; then
		# swaks ends the data with CRLF . CRLF whether or not the
		# message ends with CRLF: give it the message without its last
		head -c -2 "$T/msg" >"$T/msg.swaks"
		SW="timeout 20 swaks --server 127.0.0.1 --port $PORT \
		    --from sender@client.test \
		    --to rcpt1@mx.test,rcpt2@mx.test --helo client.test \
		    --data @$T/msg.swaks"
		check "swaks plain" $SW
		check "swaks message delivered" expect "$MD" "$T/msg" $ENV
		check "swaks --pipeline" $SW --pipeline
		check "swaks --pipeline message delivered" expect "$MD" "$T/msg" $ENV
		for m in PLAIN LOGIN CRAM-MD5; do
			check "swaks STARTTLS + AUTH $m" $SW -tls \
			    --auth $m --auth-user bob --auth-password builder
			check "swaks AUTH $m message delivered" \
			    expect "$MD" "$T/msg" $ENV
		done
	else
		skip "swaks not installed (apt-get install swaks)"
	fi

	# SIGTERM with an idle session open: exits 0, nothing half-written,
	# and the session is told 421 4.3.2 (RFC 5321 3.8)
	timeout 15 python3 -c "
import socket, sys, time
c = socket.create_connection(('127.0.0.1', $PORT), timeout=12)
c.recv(100)
open('$T/idle.ready', 'w').close()
got = b''
while True:
    d = c.recv(512)
    if not d:
        break
    got += d
sys.stdout.write(got.decode('ascii', 'replace'))
" >"$T/idle.out" 2>&1 &
	IDLE=$!
	# SIGTERM only once the session has its greeting (a loaded machine)
	i=0
	while [ $i -lt 200 ] && [ ! -e "$T/idle.ready" ]; do
		sleep 0.05; i=$((i + 1))
	done
	check "SIGTERM: exits 0 with a session open" stop $S1
	wait $IDLE 2>/dev/null
	check "SIGTERM: the idle session gets 421 4.3.2, then the close" \
	    grep -q '^421 4.3.2 ' "$T/idle.out"
else
	notok "starts and prints its port"
	sed 's/^/#   /' "$T/s1.err"
fi

# ---- implicit TLS (RFC 8314), LMTP ------------------------------------
MD=$T/md2
if start s2 --listen 127.0.0.1:0 --maildir "$MD" --tls-cert "$T/cert.pem" \
    --tls-key "$T/key.pem" --tls-implicit --users "$T/users"; then
	check "smtplib implicit TLS + AUTH PLAIN" \
	    $PY "$T/send.py" $PORT implicit PLAIN alice wonderland "$T/msg"
	check "implicit TLS message delivered" expect "$MD" "$T/msg" $ENV
	check "SIGTERM (implicit TLS)" stop $PID
else
	notok "implicit TLS sink starts"
	sed 's/^/#   /' "$T/s2.err"
fi

MD=$T/md3
if start s3 --listen 127.0.0.1:0 --maildir "$MD" --lmtp; then
	cat >"$T/lmtp.py" <<'EOF'
import smtplib, sys
s = smtplib.LMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
refused = s.sendmail("sender@client.test", ["rcpt1@mx.test", "rcpt2@mx.test"],
    open(sys.argv[2], "rb").read())
assert not refused, refused
s.quit()
EOF
	check "smtplib LMTP" $PY "$T/lmtp.py" $PORT "$T/msg"
	check "LMTP message delivered" expect "$MD" "$T/msg" $ENV
	# RFC 2033 4.1: HELO and EHLO are not LMTP commands (500)
	check "LMTP: EHLO and HELO refused with 500, LHLO taken" $PY -c '
import smtplib, sys
s = smtplib.LMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
for c in ("EHLO", "HELO"):
    code, msg = s.docmd(c, "client.test")
    assert code == 500, (c, code, msg)
code, msg = s.docmd("LHLO", "client.test")
assert code == 250, (code, msg)
s.quit()
' $PORT
	check "SIGTERM (LMTP)" stop $PID
else
	notok "LMTP sink starts"
fi

# ---- ETRN (RFC 1985) ------------------------------------------------------
cat >"$T/etrn.py" <<'EOF'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
offered = sys.argv[2] == "on"
code, msg = s.docmd("ETRN", "example.com")
assert code == (503 if offered else 502), ("before EHLO", code, msg)
s.ehlo("client.test")
assert s.has_extn("etrn") == offered, s.esmtp_features
for node in ("example.com", "@example.com", "#queue1"):
    code, msg = s.docmd("ETRN", node)
    assert code == (250 if offered else 502), (node, code, msg)
for bad in ("", "ex ample.com", "[192.0.2.1]"):
    code, msg = s.docmd("ETRN", bad)
    assert code == 501, (bad, code, msg)
s.mail("a@client.test")
code, msg = s.docmd("ETRN", "example.com")
assert code == (503 if offered else 502), ("in a transaction", code, msg)
s.quit()
EOF
if start s4 --listen 127.0.0.1:0 --discard --etrn; then
	check "smtplib ETRN offered: 250, 501, 503" $PY "$T/etrn.py" $PORT on
	check "SIGTERM (ETRN)" stop $PID
else
	notok "ETRN sink starts"
fi
if start s5 --listen 127.0.0.1:0 --discard; then
	check "smtplib ETRN not offered: 502, 501" $PY "$T/etrn.py" $PORT off
	check "SIGTERM (no ETRN)" stop $PID
else
	notok "sink without ETRN starts"
fi
exit 0
