/*
 * src/server_cmd.c: reading command lines and sequencing them (RFC 5321
 * 4.1.4, 4.3.2; RFC 3207 4; RFC 2033 4.1).
 */
#include <string.h>

#include <mailwire/server.h>

#include "server_int.h"

static int
upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* Whether p[0..n) starts with the verb w and SP or CR: 1 yes, 0 no, -1
 * not known yet. An LF never matches, so a short line is always known. */
static int
head_is(const unsigned char *p, size_t n, const char *w)
{
	for (size_t i = 0; i < 4; i++) {
		if (i >= n)
			return -1;
		if (upper(p[i]) != w[i])
			return 0;
	}
	if (n < 5)
		return -1;
	return p[4] == ' ' || p[4] == '\r';
}

/* Looks at a line's first octets before the parser does: a BDAT line that
 * the parser refuses must not be answered as an ordinary bad command (its
 * chunk follows), and an AUTH line too long for the parser is an
 * over-long authentication exchange line. */
static void
classify(struct mw_server *s)
{
	unsigned char *p = s->in + s->start;
	size_t n = s->end - s->start;
	int b = head_is(p, n, "BDAT");
	int a = head_is(p, n, "AUTH");

	if (b == 1)
		s->head = HEAD_BDAT;
	else if (a == 1)
		s->head = HEAD_AUTH;
	else if (b == 0 && a == 0)
		s->head = HEAD_OTHER;
}

/* 1: s->cmd holds the next command; 0: more input is needed. */
int
mw__srv_read_cmd(struct mw_server *s)
{
	size_t used = 0;

	if (s->head == HEAD_UNKNOWN)
		classify(s);
	if (mw_cmd_parse(&s->parser, s->in + s->start, s->end - s->start,
	    &used, &s->cmd) == MW_ERR_OK) {
		s->cur = used;
		s->have_cmd = 1;
		return 1;
	}
	/* a refused line is dropped as it is skipped */
	s->start += used;
	return 0;
}

/* The transaction ends without a message: an open one is reported. */
int
mw__srv_reset(struct mw_server *s, struct mw_server_event *ev, enum mw_verb v)
{
	int was = s->trx;

	mw__srv_end_trx(s);
	if (was != TRX_OPEN)
		return 0;
	mw__srv_event(ev, MW_EV_RSET, v);
	return 1;
}

int
mw__srv_decision(struct mw_server *s, struct mw_server_event *ev,
    enum mw_server_ev type)
{
	mw__srv_event(ev, type, s->cmd.verb);
	ev->cmd = &s->cmd;
	ev->line = s->in + s->start;
	s->decide = type;
	return 1;
}

/* BDAT whose chunk is read and dropped, then answered (RFC 3030 2: the
 * server "MUST accept and discard" the chunk of a refused BDAT). */
int
mw__srv_command(struct mw_server *s, struct mw_server_event *ev)
{
	const struct mw_cmd *c = &s->cmd;
	enum mw_verb v = c->verb;
	const struct mw_param *p;
	const char *esc, *text;
	int code;

	if (c->error != MW_CMD_OK) {
		if (s->head == HEAD_BDAT) {
			/* RFC 3030 2: without a chunk size the chunk's end is
			 * unknown; what follows may be message octets and must
			 * never be taken for commands */
			mw__srv_done_cmd(s);
			mw__srv_close(s, MW_CLOSE_DESYNC, 421, "4.5.0",
			    "Unreadable BDAT command, closing transmission "
			    "channel");
			return 0;
		}
		if (s->head == HEAD_AUTH && s->cfg.sasl != NULL &&
		    c->error == MW_CMD_LINE_TOO_LONG) {
			/* RFC 4954 4: an initial response that makes the
			 * line too long is an authentication exchange line
			 * longer than the server's buffer: 500 5.5.6, an
			 * AUTH failure like any other */
			mw__srv_done_cmd(s);
			mw__srv_bad(s, 500, "5.5.6", "Authentication Exchange "
			    "line is too long");
			mw__srv_event(ev, MW_EV_AUTH_FAILED, MW_VERB_AUTH);
			ev->code = 500;
			ev->esc = "5.5.6";
			return 1;
		}
		mw_cmd_reply(c->error, v, &code, &esc, &text);
		mw__srv_done_cmd(s);
		mw__srv_bad(s, code, esc, text);
		/* RFC 2920 3.2 (6): not buffered */
		mw__srv_flush(s);
		return 0;
	}
	if (v == MW_VERB_BDAT)
		return mw__srv_bdat(s, ev);
	/* RFC 5321 3.1: after a 554 greeting, 503 to all but QUIT */
	if (s->refused && v != MW_VERB_QUIT) {
		mw__srv_done_cmd(s);
		mw__srv_bad(s, 503, "5.5.1", "Bad sequence of commands");
		return 0;
	}
	/* RFC 3207 4 */
	if (s->cfg.tls_required && !s->tls && v != MW_VERB_NOOP &&
	    v != MW_VERB_EHLO && v != MW_VERB_LHLO && v != MW_VERB_STARTTLS &&
	    v != MW_VERB_QUIT) {
		mw__srv_done_cmd(s);
		mw__srv_bad(s, 530, "5.7.0",
		    "Must issue a STARTTLS command first");
		return 0;
	}
	switch (v) {
	case MW_VERB_EHLO:
	case MW_VERB_HELO:
	case MW_VERB_LHLO:
		/* RFC 5321 4.1.4: EHLO in a transaction resets it */
		if (s->trx != TRX_NONE)
			return mw__srv_reset(s, ev, v);
		return mw__srv_decision(s, ev, MW_EV_HELO);
	case MW_VERB_ETRN:
		if ((s->cfg.extensions & MW_SERVER_ETRN) && s->hello &&
		    s->trx == TRX_NONE)
			return mw__srv_decision(s, ev, MW_EV_ETRN);
		mw__srv_done_cmd(s);
		if (!(s->cfg.extensions & MW_SERVER_ETRN))
			/* RFC 5321 4.2.4: recognised, not implemented */
			mw__srv_bad(s, 502, "5.5.1", "Command not implemented");
		else if (!s->hello)
			mw__srv_bad(s, 503, "5.5.1", "Send EHLO first");
		else
			/* RFC 1985 5: not inside a mail transaction */
			mw__srv_bad(s, 503, "5.5.1",
			    "Mail transaction in progress");
		mw__srv_flush(s);	/* RFC 2920 3.2 (5) */
		return 0;
	case MW_VERB_MAIL:
		/* RFC 5321 4.1.4: HELO or EHLO first; no nested MAIL */
		if (!s->hello) {
			mw__srv_done_cmd(s);
			mw__srv_bad(s, 503, "5.5.1", "Send HELO/EHLO first");
		} else if (s->trx != TRX_NONE) {
			mw__srv_done_cmd(s);
			mw__srv_bad(s, 503, "5.5.1", "Nested MAIL command");
		} else if (s->cfg.auth_required && !s->authed) {
			/* RFC 4954 6 */
			mw__srv_done_cmd(s);
			mw__srv_bad(s, 530, "5.7.0", "Authentication required");
		} else if ((p = mw__srv_param(c, MW_PARAM_SIZE)) != NULL &&
		    s->cfg.max_size != 0 && p->number > s->cfg.max_size) {
			/* RFC 1870 6.1 */
			mw__srv_done_cmd(s);
			mw__srv_reply(s, 552, "5.3.4",
			    "Message size exceeds fixed "
			    "maximum message size");
		} else {
			mw__srv_decision(s, ev, MW_EV_MAIL);
			ev->size = p != NULL ? p->number : 0;
			return 1;
		}
		return 0;
	case MW_VERB_RCPT:
		if (s->trx != TRX_OPEN || s->body != 0) {
			mw__srv_done_cmd(s);
			mw__srv_bad(s, 503, "5.5.1", "Need MAIL command");
		} else if (s->cfg.max_rcpts != 0 &&
		    s->rcpts >= s->cfg.max_rcpts) {
			/* RFC 5321 4.5.3.1.10 */
			mw__srv_done_cmd(s);
			mw__srv_reply(s, 452, "4.5.3", "Too many recipients");
		} else {
			mw__srv_decision(s, ev, MW_EV_RCPT);
			ev->rcpt = s->rcpts;
			return 1;
		}
		return 0;
	case MW_VERB_DATA:
		mw__srv_done_cmd(s);
		if (s->trx == TRX_NONE)
			mw__srv_bad(s, 503, "5.5.1", "Need MAIL command");
		else if (s->trx == TRX_FAILED || s->body != 0)
			/* RFC 3030 2: no DATA after BDAT */
			mw__srv_bad(s, 503, "5.5.1",
			    "DATA not allowed after BDAT");
		else if (s->binarymime)
			/* RFC 3030 3 */
			mw__srv_bad(s, 503, "5.5.1",
			    "BODY=BINARYMIME requires BDAT");
		else if (s->rcpts == 0)
			/* RFC 5321 3.3 */
			mw__srv_bad(s, 554, "5.5.1", "No valid recipients");
		else {
			mw__srv_event(ev, MW_EV_DATA, v);
			s->decide = MW_EV_DATA;
			return 1;
		}
		mw__srv_flush(s);	/* RFC 2920 3.2 (5) */
		return 0;
	case MW_VERB_RSET:
		mw__srv_done_cmd(s);
		mw__srv_reply(s, 250, "2.0.0", "OK");
		return mw__srv_reset(s, ev, v);
	case MW_VERB_NOOP:
		mw__srv_done_cmd(s);
		mw__srv_reply(s, 250, "2.0.0", "OK");
		mw__srv_flush(s);	/* RFC 2920 3.2 (5) */
		return 0;
	case MW_VERB_HELP:
		mw__srv_done_cmd(s);
		mw__srv_reply(s, 214, "2.0.0", "See RFC 5321");
		mw__srv_flush(s);
		return 0;
	case MW_VERB_VRFY:
		/* RFC 5321 3.5.3 */
		mw__srv_done_cmd(s);
		mw__srv_reply(s, 252, "2.5.0",
		    "Cannot VRFY user, but will accept "
		    "message and attempt delivery");
		mw__srv_flush(s);	/* RFC 2920 3.2 (5) */
		return 0;
	case MW_VERB_EXPN:
		/* RFC 5321 3.5.2, 7.3: a server may disable EXPN */
		mw__srv_done_cmd(s);
		mw__srv_reply(s, 502, "5.5.1", "Command not implemented");
		mw__srv_flush(s);	/* RFC 2920 3.2 (5) */
		return 0;
	case MW_VERB_QUIT:
		mw__srv_done_cmd(s);
		mw__srv_close(s, MW_CLOSE_QUIT, 221, "2.0.0",
		    "Service closing transmission channel");
		return 0;
	case MW_VERB_STARTTLS:
		mw__srv_done_cmd(s);
		if (!(s->cfg.extensions & MW_SERVER_STARTTLS))
			mw__srv_bad(s, 502, "5.5.1", "Command not implemented");
		else if (s->tls)
			/* RFC 3207 4 */
			mw__srv_bad(s, 503, "5.5.1", "TLS already active");
		else if (!s->hello)
			mw__srv_bad(s, 503, "5.5.1", "Send EHLO first");
		else if (s->trx != TRX_NONE)
			mw__srv_bad(s, 503, "5.5.1",
			    "Mail transaction in progress");
		else {
			mw__srv_reply(s, 220, "2.0.0", "Ready to start TLS");
			mw__srv_flush(s);
			mw__srv_event(ev, MW_EV_STARTTLS, v);
			/* RFC 3207 5, CVE-2011-0411: nothing received in
			 * plaintext may be taken for a command under TLS */
			ev->len = s->end - s->start;
			s->start = s->end;
			/* RFC 3207 4.2: forget what the client said */
			s->hello = 0;
			s->authed = 0;
			s->head = HEAD_UNKNOWN;
			mw_cmd_reset(&s->parser);
			s->state = ST_TLS;
			return 1;
		}
		return 0;
	case MW_VERB_AUTH:
		if (s->cfg.sasl == NULL) {
			mw__srv_done_cmd(s);
			mw__srv_bad(s, 502, "5.5.1", "Command not implemented");
		} else if (!s->hello) {
			mw__srv_done_cmd(s);
			mw__srv_bad(s, 503, "5.5.1", "Send EHLO first");
		} else if (s->authed) {
			/* RFC 4954 4 */
			mw__srv_done_cmd(s);
			mw__srv_bad(s, 503, "5.5.1", "Already authenticated");
		} else if (s->trx != TRX_NONE) {
			/* RFC 4954 4 */
			mw__srv_done_cmd(s);
			mw__srv_bad(s, 503, "5.5.1",
			    "Mail transaction in progress");
		} else {
			return mw__srv_auth(s, ev);
		}
		return 0;
	default:
		mw__srv_done_cmd(s);
		mw__srv_bad(s, 500, "5.5.1", "Command unrecognized");
		mw__srv_flush(s);	/* RFC 2920 3.2 (6) */
		return 0;
	}
}
