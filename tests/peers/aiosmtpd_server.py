#!/usr/bin/python3
"""tests/peers/aiosmtpd_server.py: an SMTP (or LMTP) server on Python's
aiosmtpd (Debian's python3-aiosmtpd 1.4.3), an interop peer for mailwire's
client. Run it with /usr/bin/python3 (the Debian python that has the
package; `python3` on PATH may be another one).

    /usr/bin/python3 tests/peers/aiosmtpd_server.py --port 0 --maildir DIR \\
        [--user alice --password wonderland | --users FILE] \\
        [--cert CERT --key KEY] [--auth-require-tls] [--require-starttls] \\
        [--auth-required] [--reject ADDR]... [--defer ADDR]... \\
        [--reject-data ADDR]... [--ehlo-extra KEYWORD]... [--lmtp] \\
        [--hostname mx.test] [--size N] [--smtputf8] [-v]

The first line on stdout is the bound port (--port 0 picks a free one);
it runs until SIGTERM or SIGINT, then exits 0.

--maildir DIR: each accepted message becomes one file in DIR/new (written
  in DIR/tmp, then renamed): "Return-Path: <FROM>\\r\\n", one
  "Delivered-To: RCPT\\r\\n" per accepted recipient, then the message bytes
  as received (dot-unstuffed, ending with the CRLF before the final dot),
  the format of mailwire-sink's Maildir (tests/sink_lib.sh's expect() works
  on it). Without --maildir messages are only counted (-v logs them).
AUTH: PLAIN and LOGIN (aiosmtpd's own) and CRAM-MD5 (here), with --user and
  --password, or --users FILE of user:password lines. Offered in plaintext
  unless --auth-require-tls (then only after STARTTLS; before it, AUTH gets
  "538 5.7.11 Encryption required for requested authentication
  mechanism"). Without any user, no AUTH is advertised.
  Note aiosmtpd's LOGIN username challenge is "User Name\\0" (with a NUL).
--cert/--key: STARTTLS is offered. --require-starttls: every command but
  EHLO, NOOP, STARTTLS, QUIT gets "530 Must issue a STARTTLS command first".
--auth-required: MAIL without AUTH gets "530 5.7.0 Authentication required".
--reject ADDR: RCPT TO:<ADDR> gets "550 5.1.1 <ADDR>: user unknown".
--defer ADDR: RCPT TO:<ADDR> gets "451 4.3.0 <ADDR>: try again later".
--reject-data ADDR: if ADDR is a recipient, the end of DATA gets
  "554 5.6.0 rejected by content" (SMTP: the whole message, not delivered);
  with --lmtp only that recipient gets "550 5.6.0 <ADDR>: rejected by
  content" and the others are delivered.
--ehlo-extra KEYWORD: one more EHLO line (before HELP), e.g. PIPELINING,
  which aiosmtpd does not advertise although it reads pipelined commands.
--lmtp: aiosmtpd's LMTP class: no EHLO/HELO (500), LHLO; after DATA one
  reply per accepted recipient, in RCPT order.
"""
import argparse
import asyncio
import hmac
import logging
import os
import signal
import socket
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from aiosmtpd.lmtp import LMTP


class Handler:
    def __init__(self, opts, users):
        self.o = opts
        self.users = users
        self.seq = 0
        self.count = 0

    # ---- EHLO ------------------------------------------------------------
    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        session.host_name = hostname
        extra = ["250-" + k for k in self.o.ehlo_extra]
        if not self.users:  # aiosmtpd would say "250-AUTH " (nothing)
            responses = [r for r in responses if not r.startswith("250-AUTH")]
        return responses[:-1] + extra + responses[-1:]

    # ---- AUTH ------------------------------------------------------------
    def authenticator(self, server, session, envelope, mechanism, data):
        if isinstance(data, LoginPassword):
            user = data.login.decode("utf-8", "replace")
            pw = data.password.decode("utf-8", "replace")
            if user in self.users and self.users[user] == pw:
                return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False)

    async def auth_CRAM__MD5(self, server, args):
        """CRAM-MD5 (RFC 2195): aiosmtpd has no such mechanism built in"""
        if len(args) != 1:
            await server.push("501 5.5.4 CRAM-MD5 takes no initial response")
            return AuthResult(success=False, handled=True)
        self.seq += 1
        challenge = "<%d.%d.%d@%s>" % (os.getpid(), self.seq,
                                       int(time.time()), self.o.hostname)
        resp = await server.challenge_auth(challenge)
        if not isinstance(resp, bytes):    # "*" or bad base64: replied
            return AuthResult(success=False, handled=True)
        user, _, digest = resp.decode("utf-8", "replace").rpartition(" ")
        pw = self.users.get(user)
        if pw is not None:
            want = hmac.new(pw.encode(), challenge.encode(), "md5").hexdigest()
            if hmac.compare_digest(want, digest.lower()):
                return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False)

    # ---- MAIL, RCPT, DATA ------------------------------------------------
    async def handle_MAIL(self, server, session, envelope, address,
                          mail_options):
        if self.o.auth_required and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        a = address.lower()
        if a in self.o.reject:
            return "550 5.1.1 <%s>: user unknown" % address
        if a in self.o.defer:
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpts = envelope.rcpt_tos
        bad = [r for r in rcpts if r.lower() in self.o.reject_data]
        if not self.o.lmtp:
            if bad:
                return "554 5.6.0 rejected by content"
            self.deliver(envelope, rcpts)
            return "250 OK: queued"
        good = [r for r in rcpts if r.lower() not in self.o.reject_data]
        if good:
            self.deliver(envelope, good)
        replies = []
        for r in rcpts:
            if r in good:
                replies.append("250 2.0.0 <%s> delivered" % r)
            else:
                replies.append("550 5.6.0 <%s>: rejected by content" % r)
        for line in replies[:-1]:
            await server.push(line)
        return replies[-1]

    def deliver(self, envelope, rcpts):
        self.count += 1
        if self.o.verbose:
            print("message %d from <%s> to %s, %d bytes" % (
                self.count, envelope.mail_from,
                ",".join("<%s>" % r for r in rcpts),
                len(envelope.original_content)), flush=True)
        if not self.o.maildir:
            return
        head = "Return-Path: <%s>\r\n" % envelope.mail_from
        head += "".join("Delivered-To: %s\r\n" % r for r in rcpts)
        name = "%d.M%dP%dQ%d.%s" % (time.time(), time.time_ns() % 10**6,
                                     os.getpid(), self.count, self.o.hostname)
        tmp = os.path.join(self.o.maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(head.encode("utf-8") + envelope.original_content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.o.maildir, "new", name))


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--hostname", default="mx.test")
    p.add_argument("--maildir")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--users", help="file of user:password lines")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--auth-require-tls", action="store_true")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--auth-required", action="store_true")
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--defer", action="append", default=[])
    p.add_argument("--reject-data", action="append", default=[])
    p.add_argument("--ehlo-extra", action="append", default=[])
    p.add_argument("--lmtp", action="store_true")
    p.add_argument("--size", type=int, default=33554432)
    p.add_argument("--smtputf8", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true")
    o = p.parse_args()
    if (o.cert is None) != (o.key is None):
        p.error("--cert and --key go together")
    if (o.user is None) != (o.password is None):
        p.error("--user and --password go together")
    if (o.auth_require_tls or o.require_starttls) and not o.cert:
        p.error("--auth-require-tls and --require-starttls need --cert/--key")
    o.reject = {a.lower() for a in o.reject}
    o.defer = {a.lower() for a in o.defer}
    o.reject_data = {a.lower() for a in o.reject_data}
    return o


def main():
    o = parse()
    # aiosmtpd's logger "mail.log" warns on stderr of every AUTH (a
    # deprecation inside aiosmtpd itself): only errors unless -v
    logging.basicConfig(format="aiosmtpd: %(message)s")
    logging.getLogger("mail.log").setLevel(
        logging.INFO if o.verbose else logging.ERROR)
    users = {}
    if o.user is not None:
        users[o.user] = o.password
    if o.users:
        with open(o.users) as f:
            for line in f:
                line = line.rstrip("\r\n")
                if ":" in line:
                    u, pw = line.split(":", 1)
                    users[u] = pw
    if o.maildir:
        for d in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(o.maildir, d), exist_ok=True)
    ctx = None
    if o.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(o.cert, o.key)
    handler = Handler(o, users)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    cls = LMTP if o.lmtp else SMTP
    kw = dict(hostname=o.hostname, data_size_limit=o.size,
              enable_SMTPUTF8=o.smtputf8, tls_context=ctx,
              require_starttls=o.require_starttls,
              auth_required=False,     # checked in handle_MAIL
              auth_require_tls=o.auth_require_tls,
              authenticator=handler.authenticator, loop=loop)
    if not users:
        kw["auth_exclude_mechanism"] = ["PLAIN", "LOGIN", "CRAM-MD5"]
    server = loop.run_until_complete(loop.create_server(
        lambda: cls(handler, **kw), host=o.host, port=o.port,
        family=socket.AF_INET6 if ":" in o.host else socket.AF_INET,
        reuse_address=True))
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    loop.run_until_complete(stop.wait())
    server.close()
    loop.run_until_complete(server.wait_closed())
    loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
