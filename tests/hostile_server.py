#!/usr/bin/env python3
"""hostile_server.py: an SMTP server that misbehaves on purpose, one way per
scenario, to check that an SMTP client (mailwire-send) gives a clear error
each time instead of hanging, crashing or reporting a wrong success.

Python 3 standard library only (3.9 or later).

    hostile_server.py --scenario NAME [--port 0] [--cert C --key K] [--verbose]
    hostile_server.py --list

The server binds 127.0.0.1 (--host to change), prints the bound port as the
first and only line of its standard output, and serves every connection
(one thread each) with the scenario until SIGTERM or SIGINT (exit 0).
Diagnostics go to standard error, only with --verbose.

Each scenario is a normal small SMTP server (220 greeting; EHLO answered
with PIPELINING, 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8, and STARTTLS when
--cert/--key are given and TLS is not yet on; HELO; MAIL, RCPT, RSET, NOOP
250; DATA 354; end of data 250; QUIT 221) except for its one hostile twist.
A twist on the reply to EHLO applies to every EHLO, so with --cert it hits
the first, plaintext one. The STARTTLS scenarios need --cert and --key.

What a correct client must do ("expect" in --list):

    delivered  exit 0   the message is reported delivered
    protocol   exit 76  EX_PROTOCOL: the server misbehaved; not delivered
    tempfail   exit 75  EX_TEMPFAIL: not delivered, try again later
    permfail   exit 69  a permanent failure, not delivered (69 EX_UNAVAILABLE
                        is an assumption: mailwire-send's code for a 5xx)

In every case but "delivered" no recipient may be reported delivered.

scenario                expect     the twist; what a correct client does
----------------------  ---------  ---------------------------------------------
mismatch-multiline      protocol   EHLO reply "250-hostile.test ..." then
                                   "251 PIPELINING": lines with other codes
                                   (RFC 5321 4.2, MW_REPLY_E_MISMATCH)
mismatch-data-end       protocol   end of data answered "250-2.0.0 Ok: queued"
                                   then "550 5.0.0 not really": never reported
                                   delivered (MW_REPLY_E_MISMATCH)
endless-reply           protocol   after the EHLO reply's first line, "250-xxx"
                                   lines forever (up to --endless-bytes, 10 MB,
                                   or until the client closes): an error at
                                   the line bound (64 lines,
                                   MW_REPLY_E_TOO_MANY_LINES), not a hang or
                                   memory growth
long-line               protocol   EHLO answered by one line of 100,000 octets
                                   ("250 xxx...") without CRLF, then silence:
                                   an error once 512 octets are read
                                   (MW_REPLY_E_LINE_TOO_LONG), not a timeout
early-reply             protocol   the EHLO reply is followed, in the same
                                   write, by "250 2.1.0", "250 2.1.5" and
                                   "354" for MAIL, RCPT, DATA not yet sent
                                   (the server then does not answer those
                                   commands): unsolicited replies
                                   (MW_CLIENT_CLOSE_UNSOLICITED)
early-greeting-extra    protocol   two greetings, "220 hostile.test ESMTP hi"
                                   and "220 hostile.test again", in one write
                                   before EHLO: the second is unsolicited
starttls-injection      delivered  the 220 to STARTTLS is followed in the same
                                   write by plaintext "250 injected" lines
                                   (CVE-2011-0411); then the TLS handshake and
                                   normal service. A correct client discards
                                   every octet after the 220 (RFC 3207 4.2, 6)
                                   and DELIVERS the message (exit 0); a client
                                   that reads the injected lines as replies
                                   gets out of step and fails or lies
starttls-extra-lines    delivered  the reply to STARTTLS is a valid multi-line
                                   220 ("220-2.0.0 Ready", "220 2.0.0 go
                                   ahead") followed by junk (text, NUL, 0xFF);
                                   the junk is discarded, the message delivered
bad-code                protocol   MAIL answered "2x0 2.1.0 ok"
                                   (MW_REPLY_E_CODE)
bad-code-low            protocol   the greeting is "099 hi" (a code below 200,
                                   MW_REPLY_E_CODE)
no-code                 protocol   RCPT answered "Recipient ok" with no code
                                   (MW_REPLY_E_CODE)
bare-lf                 protocol   every reply ends in LF alone: an error at the
                                   greeting (MW_REPLY_E_BARE_LF) with the reply
                                   parser strict, the engine's default; a
                                   client that sets MW_REPLY_LENIENT_BARE_LF
                                   delivers instead (exit 0)
wrong-success-after-421 tempfail   end of data answered "421 4.3.0 closing"
                                   and the connection closed
                                   (MW_CLIENT_CLOSE_SERVICE): not delivered
success-after-421       tempfail   end of data answered "421 4.3.0 closing"
                                   and "250 2.0.0 Ok: queued" in one write,
                                   then closed: the 421 ends the session, the
                                   250 after it is never a success
close-mid-reply         tempfail   the end-of-data reply stops after "25" and
                                   the connection closes: the outcome is
                                   unknown, so not delivered, try again
                                   (MW_CLIENT_CLOSE_EOF, cause MW_REPLY_E_EOF)
silent-after-data       tempfail   the body is read, the final dot is never
                                   answered, the connection kept open (up to
                                   --hold seconds): the end-of-data timer
                                   fires (RFC 5321 4.5.3.2.7, 10 minutes by
                                   default; give the client a short one)
8bit-garbage            protocol   MAIL answered "250 2.1.0 Sender ok" with a
                                   NUL and 0xFF 0xFE octets in the text
                                   (MW_REPLY_E_NUL: the first fault)
invalid-enhanced        delivered  end of data answered "250 5.0.0 Ok: queued"
                                   (enhanced class 5 on a 2yz reply). The
                                   client acts on the reply code only (RFC
                                   5321 4.2: "MUST determine its actions only
                                   by the reply code, not by the text"; the
                                   enhanced code is text that RFC 2034 4 and
                                   RFC 3463 2 say must agree with it): the
                                   message was accepted, so delivered, exit 0;
                                   the malformed enhanced code is not used
                                   (the parser's MW_REPLY_W_ESC_CLASS,
                                   has_esc 0) and at most warned about.
                                   Failing here would make a retry send a
                                   duplicate of a message the server took
invalid-enhanced-fail   permfail   end of data answered "550 2.0.0 Ok" (the
                                   mirror case): the reply code wins, a
                                   permanent failure, never delivered
"""

import argparse
import signal
import socket
import ssl
import sys
import threading

HOSTNAME = "hostile.test"
CRLF = b"\r\n"

EXPECT_EXIT = {"delivered": 0, "protocol": 76, "tempfail": 75, "permfail": 69}

# name, expect, needs TLS, one-line description (what the server does and
# what a correct client does)
SCENARIOS = [
    ("mismatch-multiline", "protocol", False,
     "EHLO reply lines carry different codes (250- then 251); "
     "correct client: protocol error, exit 76, not delivered"),
    ("mismatch-data-end", "protocol", False,
     "end-of-data reply is 250- then 550 (mismatched codes); "
     "correct client: protocol error, exit 76, never reported delivered"),
    ("endless-reply", "protocol", False,
     "after EHLO, 250-xxx continuation lines forever (to --endless-bytes); "
     "correct client: protocol error at the line bound, exit 76, no hang"),
    ("long-line", "protocol", False,
     "EHLO answered by a 100,000-octet line without CRLF; "
     "correct client: protocol error after 512 octets, exit 76, no timeout"),
    ("early-reply", "protocol", False,
     "EHLO reply followed at once by unasked 250/250/354 for MAIL, RCPT, "
     "DATA; correct client: unsolicited reply, exit 76, not delivered"),
    ("early-greeting-extra", "protocol", False,
     "two 220 greetings in one write before EHLO; "
     "correct client: unsolicited reply, exit 76, not delivered"),
    ("starttls-injection", "delivered", True,
     "220 to STARTTLS followed by plaintext 250 injected lines in the same "
     "write (CVE-2011-0411), then TLS; correct client: discards them, "
     "delivered, exit 0"),
    ("starttls-extra-lines", "delivered", True,
     "multi-line 220 to STARTTLS followed by junk, then TLS; "
     "correct client: discards the junk, delivered, exit 0"),
    ("bad-code", "protocol", False,
     "MAIL answered '2x0 2.1.0 ok'; "
     "correct client: protocol error, exit 76, not delivered"),
    ("bad-code-low", "protocol", False,
     "greeting is '099 hi'; "
     "correct client: protocol error, exit 76, not delivered"),
    ("no-code", "protocol", False,
     "RCPT answered by a line with no code; "
     "correct client: protocol error, exit 76, not delivered"),
    ("bare-lf", "protocol", False,
     "every reply ends in LF alone; correct (strict) client: protocol "
     "error, exit 76 (with bare-LF leniency on: delivered, exit 0)"),
    ("wrong-success-after-421", "tempfail", False,
     "end of data answered '421 4.3.0 closing', then close; "
     "correct client: temporary failure, exit 75, not delivered"),
    ("success-after-421", "tempfail", False,
     "end of data answered 421 then 250 in one write, then close; "
     "correct client: temporary failure, exit 75, not delivered"),
    ("close-mid-reply", "tempfail", False,
     "end-of-data reply cut after '25', connection closed; "
     "correct client: temporary failure, exit 75, not delivered"),
    ("silent-after-data", "tempfail", False,
     "final dot never answered, connection held open; correct client: "
     "end-of-data timeout, temporary failure, exit 75, not delivered"),
    ("8bit-garbage", "protocol", False,
     "MAIL reply text holds NUL and 0xFF octets; "
     "correct client: protocol error, exit 76, not delivered"),
    ("invalid-enhanced", "delivered", False,
     "end of data answered '250 5.0.0 Ok' (enhanced class mismatch); "
     "correct client: reply code wins (RFC 5321 4.2), delivered, exit 0, "
     "enhanced code ignored"),
    ("invalid-enhanced-fail", "permfail", False,
     "end of data answered '550 2.0.0 Ok' (enhanced class mismatch); "
     "correct client: reply code wins, permanent failure, not delivered"),
]
SCENARIO = {s[0]: s for s in SCENARIOS}

EHLO_TWISTS = ("mismatch-multiline", "endless-reply", "long-line",
               "early-reply")

_log_lock = threading.Lock()
VERBOSE = False


def log(msg):
    if VERBOSE:
        with _log_lock:
            sys.stderr.write("hostile_server: " + msg + "\n")
            sys.stderr.flush()


def show(data, limit=160):
    r = repr(bytes(data[:limit]))
    if len(data) > limit:
        r += "... (%d octets)" % len(data)
    return r


class Closed(Exception):
    """The session ends here (the peer left, or the scenario closes)."""


class Session(object):
    def __init__(self, cfg, sock, cid):
        self.cfg = cfg
        self.sc = cfg.scenario
        self.sock = sock
        self.cid = cid
        self.buf = bytearray()
        self.eof = False
        self.tls = False
        self.eol = b"\n" if self.sc == "bare-lf" else CRLF
        self.mail = False
        self.rcpts = 0
        self.queued = 0
        # commands already "answered" before they arrived (early-reply)
        self.preanswered = {}

    # ---- I/O ----------------------------------------------------------

    def log(self, msg):
        log("[%d] %s" % (self.cid, msg))

    def send(self, data, quiet=False):
        if not quiet:
            self.log("S: " + show(data))
        try:
            self.sock.sendall(data)
        except (OSError, ValueError) as e:
            raise Closed("send: %s" % e)

    def reply(self, *lines):
        """Sends one reply: each line already carries its code and
        separator; the scenario's line end is added."""
        self.send(b"".join(_b(l) + self.eol for l in lines))

    def fill(self):
        try:
            d = self.sock.recv(65536)
        except socket.timeout:
            raise Closed("idle timeout")
        except (OSError, ValueError) as e:
            raise Closed("recv: %s" % e)
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def readline(self, limit=65536):
        """A line with its LF, or up to limit octets of one; None at EOF
        (a last unterminated fragment is returned first)."""
        while True:
            i = self.buf.find(b"\n", 0, limit)
            if i >= 0:
                n = i + 1
                break
            if len(self.buf) >= limit:
                n = limit
                break
            if self.eof or not self.fill():
                if not self.buf:
                    return None
                n = len(self.buf)
                break
        line = bytes(self.buf[:n])
        del self.buf[:n]
        return line

    def hold(self):
        """Says nothing more; waits for the client to close (or --hold
        seconds), reading and dropping whatever it sends."""
        self.log("holding the connection, silent")
        try:
            self.sock.settimeout(self.cfg.hold)
        except OSError:
            pass
        try:
            while self.fill():
                self.log("C (ignored): " + show(self.buf))
                del self.buf[:]
        except Closed as e:
            self.log("hold ended: %s" % e)
        raise Closed("held")

    def close(self):
        """Half-closes, lets the client read what was sent (no RST over
        unread input), then closes."""
        s = self.sock
        try:
            s.shutdown(socket.SHUT_WR)
            s.settimeout(2.0)
            while s.recv(65536):
                pass
        except (OSError, ValueError):
            pass
        try:
            s.close()
        except OSError:
            pass

    # ---- the dialogue -------------------------------------------------

    def run(self):
        try:
            self.sock.settimeout(self.cfg.timeout)
            self.greeting()
            while True:
                line = self.readline()
                if line is None:
                    self.log("client closed")
                    break
                self.log("C: " + show(line))
                self.command(line)
        except Closed as e:
            self.log("end: %s" % e)
        except Exception as e:  # never let a thread die noisily
            self.log("error: %r" % (e,))
        finally:
            self.close()

    def greeting(self):
        if self.sc == "bad-code-low":
            self.reply("099 hi")
        elif self.sc == "early-greeting-extra":
            self.reply("220 %s ESMTP hi" % HOSTNAME,
                       "220 %s again" % HOSTNAME)
        else:
            self.reply("220 %s ESMTP hostile test server (%s)"
                       % (HOSTNAME, self.sc))

    def command(self, line):
        if not line.endswith(b"\n"):
            self.reply("500 5.5.2 Line too long")
            # skip the rest of the line
            while True:
                more = self.readline()
                if more is None or more.endswith(b"\n"):
                    return
        text = line.rstrip(b"\r\n").decode("latin-1")
        verb = text.split(" ", 1)[0].upper()
        if self.preanswered.get(verb, 0) > 0:
            # early-reply: answered before it was sent; say nothing now
            self.preanswered[verb] -= 1
            self.log("(already answered %s)" % verb)
            if verb == "MAIL":
                self.mail = True
            elif verb == "RCPT":
                self.rcpts += 1
            elif verb == "DATA":
                self.data()
            return
        handler = getattr(self, "cmd_" + verb.lower(), None)
        if handler is None or not verb.isalpha():
            self.reply("500 5.5.2 Command unrecognized")
            return
        handler(text)

    def ehlo_lines(self):
        lines = ["%s greets you" % HOSTNAME, "PIPELINING", "8BITMIME",
                 "ENHANCEDSTATUSCODES", "SMTPUTF8"]
        if self.cfg.ctx is not None and not self.tls:
            lines.append("STARTTLS")
        lines.append("HELP")
        return ["250-" + l for l in lines[:-1]] + ["250 " + lines[-1]]

    def reset(self):
        self.mail = False
        self.rcpts = 0

    def cmd_ehlo(self, text):
        self.reset()
        if self.sc == "mismatch-multiline":
            self.reply("250-%s greets you" % HOSTNAME, "251 PIPELINING")
        elif self.sc == "endless-reply":
            self.endless()
        elif self.sc == "long-line":
            line = b"250 " + b"x" * (100000 - 4)
            self.send(line)  # no line end
        elif self.sc == "early-reply":
            self.send(b"".join(_b(l) + self.eol for l in
                               self.ehlo_lines() +
                               ["250 2.1.0 Sender ok",
                                "250 2.1.5 Recipient ok",
                                "354 Start mail input; end with "
                                "<CRLF>.<CRLF>"]))
            self.preanswered = {"MAIL": 1, "RCPT": 1, "DATA": 1}
        else:
            self.reply(*self.ehlo_lines())

    def endless(self):
        self.send(_b("250-%s greets you" % HOSTNAME) + CRLF)
        line = b"250-" + b"x" * 72 + CRLF
        chunk = line * (65536 // len(line))
        sent = 0
        cap = self.cfg.endless_bytes
        self.log("S: %s repeated, up to %d octets" % (show(line), cap))
        while sent < cap:
            try:
                self.send(chunk, quiet=True)
            except Closed as e:
                raise Closed("endless reply stopped after %d octets: %s"
                             % (sent, e))
            sent += len(chunk)
        raise Closed("endless reply: %d octets sent, closing" % sent)

    def cmd_helo(self, text):
        self.reset()
        self.reply("250 %s" % HOSTNAME)

    def cmd_mail(self, text):
        if self.sc == "bad-code":
            self.reply("2x0 2.1.0 ok")
        elif self.sc == "8bit-garbage":
            self.reply(b"250 2.1.0 Sender ok \x00 NUL and \xff\xfe octets")
        else:
            self.reply("250 2.1.0 Sender ok")
        self.mail = True
        self.rcpts = 0

    def cmd_rcpt(self, text):
        if self.sc == "no-code":
            self.reply("Recipient ok")
        elif not self.mail:
            self.reply("503 5.5.1 Error: need MAIL command")
            return
        else:
            self.reply("250 2.1.5 Recipient ok")
        self.rcpts += 1

    def cmd_data(self, text):
        if not self.mail:
            self.reply("503 5.5.1 Error: need MAIL command")
            return
        if self.rcpts == 0:
            self.reply("554 5.5.1 Error: no valid recipients")
            return
        self.reply("354 End data with <CR><LF>.<CR><LF>")
        self.data()

    def data(self):
        """Reads the body to its final dot, then answers (the twist)."""
        n = 0
        bol = True
        while True:
            line = self.readline()
            if line is None:
                raise Closed("client closed inside the body (%d octets)" % n)
            if bol and line in (b".\r\n", b".\n"):
                break
            n += len(line)
            bol = line.endswith(b"\n")
        self.log("C: <body of %d octets> .CRLF" % n)
        self.reset()
        self.queued += 1
        sc = self.sc
        if sc == "mismatch-data-end":
            self.reply("250-2.0.0 Ok: queued as H%d" % self.queued,
                       "550 5.0.0 not really")
        elif sc == "wrong-success-after-421":
            self.reply("421 4.3.0 %s closing connection" % HOSTNAME)
            raise Closed("closed after 421")
        elif sc == "success-after-421":
            self.reply("421 4.3.0 %s closing connection" % HOSTNAME,
                       "250 2.0.0 Ok: queued as H%d" % self.queued)
            raise Closed("closed after 421 and 250")
        elif sc == "close-mid-reply":
            self.send(b"25")
            raise Closed("closed in the middle of the reply")
        elif sc == "silent-after-data":
            self.hold()
        elif sc == "invalid-enhanced":
            self.reply("250 5.0.0 Ok: queued as H%d" % self.queued)
        elif sc == "invalid-enhanced-fail":
            self.reply("550 2.0.0 Ok: rejected")
        else:
            self.reply("250 2.0.0 Ok: queued as H%d" % self.queued)

    def cmd_starttls(self, text):
        if self.cfg.ctx is None:
            self.reply("502 5.5.1 STARTTLS not offered")
            return
        if self.tls:
            self.reply("503 5.5.1 TLS already active")
            return
        if self.sc == "starttls-injection":
            # one write: the 220 and plaintext a vulnerable client would
            # take as the replies to its EHLO and MAIL after the handshake
            self.send(b"220 2.0.0 Ready to start TLS\r\n"
                      b"250 injected\r\n"
                      b"250 2.1.0 injected\r\n")
        elif self.sc == "starttls-extra-lines":
            self.send(b"220-2.0.0 Ready\r\n"
                      b"220 2.0.0 go ahead\r\n"
                      b"this is junk, not a reply\r\n"
                      b"\x00\xff\xfe junk\r\n"
                      b"250 junk")
        else:
            self.reply("220 2.0.0 Ready to start TLS")
        if self.buf:
            # RFC 3207 4.2: what the client sent before the handshake
            # does not count
            self.log("dropping %d octets sent after STARTTLS: %s"
                     % (len(self.buf), show(self.buf)))
            del self.buf[:]
        try:
            self.sock = self.cfg.ctx.wrap_socket(self.sock, server_side=True)
        except (OSError, ValueError) as e:
            raise Closed("TLS handshake failed: %s" % e)
        self.tls = True
        self.log("TLS on: %s %s" % (self.sock.version(),
                                    (self.sock.cipher() or ("?",))[0]))
        self.reset()

    def cmd_rset(self, text):
        self.reset()
        self.reply("250 2.0.0 Ok")

    def cmd_noop(self, text):
        self.reply("250 2.0.0 Ok")

    def cmd_vrfy(self, text):
        self.reply("252 2.5.0 Cannot VRFY user")

    def cmd_help(self, text):
        self.reply("214 2.0.0 See RFC 5321")

    def cmd_quit(self, text):
        self.reply("221 2.0.0 Bye")
        raise Closed("QUIT")


def _b(x):
    return x if isinstance(x, bytes) else x.encode("latin-1")


def serve(cfg, listener, stop):
    cid = 0
    while not stop.is_set():
        try:
            conn, addr = listener.accept()
        except socket.timeout:
            continue
        except OSError as e:
            if stop.is_set():
                break
            log("accept: %s" % e)
            stop.wait(0.1)
            continue
        cid += 1
        log("[%d] connection from %s:%d" % (cid, addr[0], addr[1]))
        conn.settimeout(None)
        t = threading.Thread(target=Session(cfg, conn, cid).run,
                             name="session-%d" % cid)
        t.daemon = True
        t.start()


def main(argv=None):
    global VERBOSE
    ap = argparse.ArgumentParser(
        description="An SMTP server that misbehaves in one way "
        "(a scenario) on every connection.")
    ap.add_argument("--scenario", help="the scenario (see --list)")
    ap.add_argument("--port", type=int, default=0,
                    help="port to bind (0: any free one; default 0)")
    ap.add_argument("--host", default="127.0.0.1",
                    help="address to bind (default 127.0.0.1)")
    ap.add_argument("--cert", help="PEM certificate (offers STARTTLS)")
    ap.add_argument("--key", help="PEM private key for --cert")
    ap.add_argument("--list", action="store_true",
                    help="print 'NAME<TAB>EXPECT(EXIT)<TAB>description' "
                    "for each scenario and exit")
    ap.add_argument("--verbose", action="store_true",
                    help="log the dialogues to stderr")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds a session may sit idle (default 300)")
    ap.add_argument("--hold", type=float, default=3600.0,
                    help="seconds silent-after-data keeps a connection "
                    "(default 3600)")
    ap.add_argument("--endless-bytes", type=int, default=10 * 1024 * 1024,
                    help="octets endless-reply sends at most "
                    "(default 10 MiB)")
    cfg = ap.parse_args(argv)
    VERBOSE = cfg.verbose

    if cfg.list:
        for name, expect, _tls, desc in SCENARIOS:
            sys.stdout.write("%s\t%s(%d)\t%s\n"
                             % (name, expect, EXPECT_EXIT[expect], desc))
        sys.stdout.flush()
        return 0
    if cfg.scenario is None:
        ap.error("--scenario NAME is required (see --list)")
    if cfg.scenario not in SCENARIO:
        ap.error("unknown scenario %r (see --list)" % cfg.scenario)
    if (cfg.cert is None) != (cfg.key is None):
        ap.error("--cert and --key go together")
    if SCENARIO[cfg.scenario][2] and cfg.cert is None:
        ap.error("scenario %s needs --cert and --key" % cfg.scenario)
    cfg.ctx = None
    if cfg.cert is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            ctx.load_cert_chain(cfg.cert, cfg.key)
        except (OSError, ssl.SSLError) as e:
            ap.error("cannot load --cert/--key: %s" % e)
        cfg.ctx = ctx

    try:
        family = socket.AF_INET6 if ":" in cfg.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((cfg.host, cfg.port))
        listener.listen(128)
    except OSError as e:
        sys.stderr.write("hostile_server: cannot listen on %s:%d: %s\n"
                         % (cfg.host, cfg.port, e))
        return 1
    listener.settimeout(0.2)

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    sys.stdout.write("%d\n" % listener.getsockname()[1])
    sys.stdout.flush()
    log("scenario %s on %s:%d%s" % (cfg.scenario, cfg.host,
                                    listener.getsockname()[1],
                                    " (STARTTLS offered)" if cfg.ctx else ""))
    serve(cfg, listener, stop)
    listener.close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
