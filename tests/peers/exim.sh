#!/bin/sh
# tests/peers/exim.sh: a real Exim 4 (Debian's exim4-daemon-light) as an
# interop peer on 127.0.0.1, without installing the exim4 packages (they
# conflict with postfix, which the tests need for smtp-sink/smtp-source)
# and without systemd.
#
#	sh tests/peers/exim.sh install
#	sh tests/peers/exim.sh start DIR PORT CERT KEY
#	sh tests/peers/exim.sh stop DIR
#
# install (root; idempotent, silent and quick when done): `apt-get download
#   exim4-daemon-light`, `dpkg-deb -x` it into build/peers/exim ($EXIM_HOME),
#   installs with apt-get only the shared libraries its binary needs (the
#   .deb's Depends less exim4-base and debconf), and creates the system
#   user Debian-exim (the binary has that exim_user compiled in and will not
#   even print its version without it). Not as root: prints the commands
#   and exits 1.
# start: writes DIR/exim.conf, copies CERT and KEY to DIR/tls, starts the
#   daemon on 127.0.0.1:PORT (PORT >= 1024) and returns once it answers
#   "220". Its pid is in DIR/pid. Silent on success; on failure, says why
#   on stderr (with DIR/log/paniclog) and exits 1.
# stop: SIGTERM to the daemon's process group (its sessions and deliveries
#   too), SIGKILL after 5 s; removes DIR/pid. Quiet if nothing runs.
#
# What the peer does:
#   - EHLO: SIZE, 8BITMIME, PIPELINING, PIPECONNECT, AUTH, CHUNKING,
#     STARTTLS, SMTPUTF8, HELP (CHUNKING and PIPECONNECT are Exim 4.96's
#     defaults). Host name mx.test.
#   - STARTTLS with CERT/KEY (GnuTLS; TLS 1.3 with swaks/OpenSSL).
#   - AUTH, user alice, password wonderland: CRAM-MD5 is offered in
#     plaintext and after TLS; PLAIN and LOGIN only after STARTTLS (in
#     plaintext, "AUTH PLAIN ..." gets "504 PLAIN authentication mechanism
#     not supported"). EXIM_AUTH_CLEARTEXT=1 at start offers them in
#     plaintext too. Wrong password: "535 Incorrect authentication data".
#     AUTH is optional: mail is accepted without it.
#   - RCPT: any address @example.test is accepted ("250 Accepted"), except
#     reject@example.test: "550 no such user here", and
#     defer@example.test: "451 try again later"; any other domain:
#     "550 relay not permitted".
#   - DATA/BDAT: a message with a header "X-Mailwire-Reject:" is refused
#     after its end with "550 rejected by content"; others get
#     "250 OK id=...". EXIM_SIZE_LIMIT (default 50M) sets SIZE.
#   - Delivery: each accepted message to DIR/maildir/new/ (Maildir, one
#     file per message and recipient), with Return-path:, Envelope-to: and
#     Delivery-date: added at the top and Exim's Received: line. Delivery
#     runs in a separate process just after the "250 OK id=...": poll for
#     the file. Logs: DIR/log/mainlog (one "<=" line per message received,
#     "=>" per delivery), rejectlog, paniclog.
#
# How it runs, and why (see tests/peers/README for the whole story):
# Exim run with -C (an alternate configuration) gives up root: the daemon
# binds the port, then runs as Debian-exim, and so does every session and
# delivery (deliver_drop_privilege). So everything the peer uses must be
# reachable by Debian-exim: DIR and every directory above it need o+x (a
# `mktemp -d` directory is 0700: chmod 755 it); start copies CERT and KEY
# into DIR/tls, owned by Debian-exim, and checks the rest. The setuid bit of
# the extracted binary is removed: it is only ever run by root here.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXIM_HOME=${EXIM_HOME:-$ROOT/build/peers/exim}
EXIM=$EXIM_HOME/usr/sbin/exim4
EUSER=Debian-exim
# the .deb's library dependencies, for the message printed to non-root
# (install itself reads them from the .deb)
LIBS="libc6 libcrypt1 libdb5.3 libgnutls-dane0 libgnutls30 libidn12 libidn2-0 libnsl2 libpcre2-8-0"

die() { echo "exim.sh: $*" >&2; exit 1; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

ready() {	# ready: 0 if exim is extracted, runs and its user exists
	[ -x "$EXIM" ] && id "$EUSER" >/dev/null 2>&1 &&
	    ! ldd "$EXIM" 2>/dev/null | grep -q 'not found'
}

do_install() {
	ready && return 0
	if [ "$(id -u)" -ne 0 ]; then
		cat >&2 <<EOF
exim.sh: exim is not installed in $EXIM_HOME; as root run
  sh tests/peers/exim.sh install
which does:
  apt-get update
  cd \$(mktemp -d) && apt-get download exim4-daemon-light
  apt-get install -y --no-install-recommends $LIBS
  dpkg-deb -x exim4-daemon-light_*.deb $EXIM_HOME
  chmod u-s $EXIM
  useradd --system --user-group --no-create-home --home-dir /var/spool/exim4 --shell /usr/sbin/nologin $EUSER
EOF
		exit 1
	fi
	command -v apt-get >/dev/null 2>&1 || die "no apt-get here"
	export DEBIAN_FRONTEND=noninteractive
	tmp=$(mktemp -d) || exit 1
	chmod 755 "$tmp"	# apt-get download runs as _apt
	trap 'rm -rf "$tmp"' EXIT
	if [ ! -x "$EXIM" ]; then
		echo "exim.sh: apt-get download exim4-daemon-light"
		if ! (cd "$tmp" && apt-get download -q exim4-daemon-light \
		    >/dev/null 2>&1); then
			apt-get update -qq >/dev/null 2>&1
			(cd "$tmp" && apt-get download -q exim4-daemon-light \
			    >/dev/null 2>&1) ||
				die "apt-get download exim4-daemon-light failed"
		fi
		deb=$(ls "$tmp"/exim4-daemon-light_*.deb) || exit 1
		# Depends: "exim4-base (>= 4.96), debconf (>= 0.5) |
		# debconf-2.0, libc6 (>= 2.34), ...": the first of each
		# alternative, without its version
		deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
		    sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' |
		    grep -v -x -e exim4-base -e debconf -e '')
		missing=
		for p in $deps; do
			installed "$p" || missing="$missing $p"
		done
		if [ -n "$missing" ]; then
			echo "exim.sh: apt-get install$missing"
			apt-get install -y -qq --no-install-recommends $missing \
			    >/dev/null ||
				{ apt-get update -qq >/dev/null 2>&1 &&
				  apt-get install -y -qq --no-install-recommends \
				    $missing >/dev/null; } ||
				die "apt-get install$missing failed"
		fi
		rm -rf "$EXIM_HOME.new"
		mkdir -p "$(dirname "$EXIM_HOME")"
		dpkg-deb -x "$deb" "$EXIM_HOME.new" || die "dpkg-deb -x failed"
		chmod u-s "$EXIM_HOME.new/usr/sbin/exim4"
		dpkg-deb -f "$deb" Version >"$EXIM_HOME.new/VERSION"
		rm -rf "$EXIM_HOME"
		mv "$EXIM_HOME.new" "$EXIM_HOME" || exit 1
		echo "exim.sh: exim4 $(cat "$EXIM_HOME/VERSION") in $EXIM_HOME"
	fi
	if ! id "$EUSER" >/dev/null 2>&1; then
		echo "exim.sh: useradd $EUSER"
		useradd --system --user-group --no-create-home \
		    --home-dir /var/spool/exim4 --shell /usr/sbin/nologin \
		    "$EUSER" || die "useradd $EUSER failed"
	fi
	if ldd "$EXIM" | grep -q 'not found'; then
		ldd "$EXIM" | grep 'not found' >&2
		die "libraries missing for $EXIM"
	fi
	ready || die "install failed"
}

alive() {	# alive PID: PID runs this exim
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null &&
	    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q exim4
}

# banner PORT: 0 if 127.0.0.1:PORT answers 220
banner() {
	timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 &&
	    IFS= read -r l <&3 && case $l in 220*) exit 0;; esac; exit 1' \
	    "$1" 2>/dev/null
}

do_start() {
	[ $# -eq 4 ] || die "usage: exim.sh start DIR PORT CERT KEY"
	dir=$1 port=$2 cert=$3 key=$4
	[ "$(id -u)" -eq 0 ] || die "start needs root (exim drops to $EUSER)"
	ready || die "exim is not installed: sh tests/peers/exim.sh install"
	case $port in ''|*[!0-9]*) die "bad port '$port'";; esac
	[ "$port" -ge 1024 ] || die "port $port < 1024: the daemon runs as $EUSER"
	[ -r "$cert" ] && [ -r "$key" ] || die "cannot read $cert or $key"
	mkdir -p "$dir" && dir=$(cd "$dir" && pwd) || exit 1
	case $dir in *[!A-Za-z0-9_./-]*) die "DIR '$dir': only [A-Za-z0-9_./-]";; esac
	if [ -f "$dir/pid" ] && alive "$(cat "$dir/pid")"; then
		die "already running in $dir (pid $(cat "$dir/pid"))"
	fi
	rm -f "$dir/pid"
	mkdir -p "$dir/spool" "$dir/log" "$dir/maildir" "$dir/tls" || exit 1
	cp "$cert" "$dir/tls/cert.pem" && cp "$key" "$dir/tls/key.pem" || exit 1
	chmod 755 "$dir"
	chmod 600 "$dir/tls/key.pem"
	chown -R "$EUSER:$EUSER" "$dir/spool" "$dir/log" "$dir/maildir" \
	    "$dir/tls" || exit 1
	if command -v setpriv >/dev/null 2>&1 &&
	    ! setpriv --reuid="$EUSER" --regid="$EUSER" --clear-groups \
	    sh -c 'test -w "$0/spool" && test -r "$0/tls/key.pem"' "$dir"; then
		die "user $EUSER cannot reach $dir: a directory above it is not searchable (chmod o+x it, e.g. chmod 755 on a mktemp -d)"
	fi
	if [ "${EXIM_AUTH_CLEARTEXT:-0}" = 1 ]; then
		adv='true'
	else
		adv='${if def:tls_in_cipher}'
	fi
	cat >"$dir/exim.conf" <<EOF
# written by tests/peers/exim.sh
exim_path = $EXIM
primary_hostname = mx.test
spool_directory = $dir/spool
log_file_path = $dir/log/%slog
pid_file_path = $dir/pid
local_interfaces = 127.0.0.1
daemon_smtp_ports = $port
daemon_startup_retries = 0
# no unix socket shared by daemons with the same spool path
notifier_socket =
# we are not root after -C: no re-exec for privilege, no paniclog noise
deliver_drop_privilege = true
keep_environment =
host_lookup =
rfc1413_hosts =
# every message is delivered at once, however many in a connection
smtp_accept_queue_per_connection = 0
message_size_limit = ${EXIM_SIZE_LIMIT:-50M}
domainlist local_domains = example.test
tls_advertise_hosts = *
tls_certificate = $dir/tls/cert.pem
tls_privatekey = $dir/tls/key.pem
auth_advertise_hosts = *
acl_smtp_rcpt = acl_rcpt
acl_smtp_data = acl_data

begin acl
acl_rcpt:
  deny    recipients = reject@example.test
          message = no such user here
  defer   recipients = defer@example.test
          message = try again later
  accept  domains = +local_domains
  deny    message = relay not permitted

acl_data:
  deny    condition = \${if def:h_X-Mailwire-Reject:}
          message = rejected by content
  accept

begin routers
local:
  driver = accept
  domains = +local_domains
  transport = maildir

begin transports
maildir:
  driver = appendfile
  directory = $dir/maildir
  maildir_format
  create_directory
  mode = 0644
  directory_mode = 0755
  delivery_date_add
  envelope_to_add
  return_path_add
  user = $EUSER

begin authenticators
PLAIN:
  driver = plaintext
  public_name = PLAIN
  server_advertise_condition = $adv
  server_prompts = :
  server_condition = \${if and {{eq{\$auth2}{alice}}{eq{\$auth3}{wonderland}}}}
  server_set_id = \$auth2
LOGIN:
  driver = plaintext
  public_name = LOGIN
  server_advertise_condition = $adv
  server_prompts = <| Username: | Password:
  server_condition = \${if and {{eq{\$auth1}{alice}}{eq{\$auth2}{wonderland}}}}
  server_set_id = \$auth1
CRAM:
  driver = cram_md5
  public_name = CRAM-MD5
  server_secret = \${if eq{\$auth1}{alice}{wonderland}fail}
  server_set_id = \$auth1
EOF
	chmod 644 "$dir/exim.conf"
	"$EXIM" -C "$dir/exim.conf" -bd -q10s </dev/null \
	    >"$dir/log/daemon.out" 2>&1
	i=0
	while [ $i -lt 100 ]; do
		pid=$(cat "$dir/pid" 2>/dev/null)
		if alive "$pid" && grep -q "pid=$pid.*listening for SMTP" \
		    "$dir/log/mainlog" 2>/dev/null && banner "$port"; then
			return 0
		fi
		grep -q 'daemon abandoned' "$dir/log/paniclog" 2>/dev/null &&
			break
		sleep 0.1
		i=$((i + 1))
	done
	echo "exim.sh: exim did not start on 127.0.0.1:$port" >&2
	cat "$dir/log/daemon.out" "$dir/log/paniclog" >&2 2>/dev/null
	do_stop "$dir"
	exit 1
}

do_stop() {
	[ $# -eq 1 ] || die "usage: exim.sh stop DIR"
	pid=$(cat "$1/pid" 2>/dev/null)
	if alive "$pid"; then
		kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid"
		i=0
		while [ $i -lt 50 ] && alive "$pid"; do
			sleep 0.1
			i=$((i + 1))
		done
		alive "$pid" && kill -KILL "-$pid" 2>/dev/null
	fi
	rm -f "$1/pid"
	return 0
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
install) do_install ;;
start) do_start "$@" ;;
stop) do_stop "$@" ;;
*) die "usage: exim.sh install | start DIR PORT CERT KEY | stop DIR" ;;
esac
