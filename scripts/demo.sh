#!/bin/sh
# scripts/demo.sh: the `make run` demo, end to end over real sockets.
# Starts mailwire-sink on loopback with a throwaway self-signed
# certificate and a users file, sends one message with mailwire-send over
# STARTTLS (RFC 3207) with AUTH SCRAM-SHA-256 (RFC 7677) and one with
# CRAM-MD5 (RFC 2195), shows each transcript (-v, secrets masked) and the
# messages as the sink delivered them to its Maildir, then stops the sink.
set -u
B=${B:-build}
SINK=$B/bin/mailwire-sink
SEND=$B/bin/mailwire-send

for p in "$SINK" "$SEND"; do
	[ -x "$p" ] || { echo "demo: $p is not built (make all)" >&2; exit 1; }
done
command -v openssl >/dev/null ||
	{ echo "demo: openssl is missing (make installs it)" >&2; exit 1; }

D=$(mktemp -d "${TMPDIR:-/tmp}/mailwire-demo.XXXXXX") || exit 1
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say() { printf '\n== %s\n' "$*"; }

say "a throwaway certificate for mx.demo and 127.0.0.1, and a users file"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=mx.demo \
    -addext "subjectAltName=DNS:mx.demo,IP:127.0.0.1" \
    -keyout "$D/key.pem" -out "$D/cert.pem" >/dev/null 2>&1 ||
	{ echo "demo: openssl req failed" >&2; exit 1; }
printf 'alice:wonderland\n' >"$D/users"
printf 'wonderland\n' >"$D/password"
echo "users: alice (password in a file, never on the command line)"

say "mailwire-sink: STARTTLS offered, AUTH required after TLS, Maildir"
"$SINK" --listen 127.0.0.1:0 --hostname mx.demo --maildir "$D/Maildir" \
    --tls-cert "$D/cert.pem" --tls-key "$D/key.pem" \
    --users "$D/users" --auth-required >"$D/sink.out" 2>"$D/sink.err" &
PID=$!
i=0
while [ $i -lt 100 ] && ! grep -q '^listening on' "$D/sink.out"; do
	sleep 0.05; i=$((i + 1))
done
PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$D/sink.out" | head -1)
[ -n "$PORT" ] || { echo "demo: the sink did not start" >&2;
	cat "$D/sink.err" >&2; exit 1; }
cat "$D/sink.out"

st=0
for mech in SCRAM-SHA-256 CRAM-MD5; do
	cat >"$D/msg" <<EOF
From: Scanner <scanner@printer.demo>
To: Alice <alice@mx.demo>
Subject: Scan to e-mail, AUTH $mech

Page 1 of 1 was scanned.
.a line that starts with a dot arrives as it was written
EOF
	say "mailwire-send --tls starttls --auth $mech -v"
	echo "\$ mailwire-send --server 127.0.0.1:$PORT --tls starttls" \
	    "--ca-file cert.pem --auth $mech --user alice" \
	    "--password-file password --from scanner@printer.demo" \
	    "--to alice@mx.demo --message msg -v"
	"$SEND" --server "127.0.0.1:$PORT" --tls starttls \
	    --ca-file "$D/cert.pem" --auth "$mech" --user alice \
	    --password-file "$D/password" --from scanner@printer.demo \
	    --to alice@mx.demo --message "$D/msg" -v
	r=$?
	echo "(exit status $r)"
	[ $r -eq 0 ] || st=1
done

say "the Maildir: what the sink delivered"
for f in "$D/Maildir/new/"*; do
	[ -f "$f" ] || { echo "(nothing delivered)"; st=1; break; }
	echo "--- new/$(basename "$f")"
	tr -d '\r' <"$f"
done

say "stopping the sink (SIGTERM)"
kill -TERM "$PID"
wait "$PID"
r=$?
PID=
echo "mailwire-sink exited with status $r"
[ $r -eq 0 ] || st=1
if [ $st -eq 0 ]; then echo; echo "demo: ok"; else echo; echo "demo: FAILED"; fi
exit $st
