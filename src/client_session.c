/*
 * src/client_session.c: the client engine's conversation: the greeting,
 * EHLO/HELO/LHLO, STARTTLS (RFC 3207), AUTH (RFC 4954), the transactions
 * (MAIL, RCPT, DATA or BDAT, RSET; RFC 5321 3.3, RFC 2920, RFC 3030, RFC
 * 2033, RFC 9422) and what each reply means for them. client.c holds the
 * buffers, the queue, the timers and the loop.
 */
#include <string.h>

#include "client_int.h"

#define CONT		MW__CL_CONT

/* ---- the session set-up ------------------------------------------------ */

void
mw__cl_hello(struct mw_client *c)
{
	memset(&c->ehlo, 0, sizeof(c->ehlo));
	c->hello = 0;
	c->state = ST_SETUP;
	if (!mw__cl_send_line(c, Q_EHLO, c->cfg.lmtp ? "LHLO" : "EHLO",
	    c->cfg.helo))
		mw__cl_close_now(c);
}

static int
has(const struct mw_client *c, enum mw_cap cap)
{
	return (c->ehlo.caps & (1u << cap)) != 0;
}

static void
ready(struct mw_client *c)
{
	c->state = ST_READY;
	c->ready_sent = 0;
}

static void
start_auth(struct mw_client *c)
{
	uint32_t allowed = c->cfg.auth_mechs, offered = 0;
	enum mw_auth_mech m;
	struct mw__out w;
	size_t n;

	if (allowed == 0)
		allowed = MW_SASL_CLIENT_MECHS &
		    ~(MW_AUTH_BIT(MW_AUTH_EXTERNAL) |
		    MW_AUTH_BIT(MW_AUTH_XOAUTH2) |
		    MW_AUTH_BIT(MW_AUTH_OAUTHBEARER));
	/* RFC 4954 4: no password in the clear unless allowed */
	if (!c->tls && !c->cfg.plaintext_auth)
		allowed &= ~MW_SASL_PLAINTEXT_MECHS;
	if (has(c, MW_CAP_AUTH))
		offered = c->ehlo.auth;
	m = mw_sasl_choose(offered, allowed);
	if (m == MW_AUTH_OTHER || mw_sasl_client_start(&c->sasl, m,
	    c->cfg.creds, c->cfg.crypto) != MW_ERR_OK) {
		mw__cl_fail_session(c, MW_CLIENT_CLOSE_AUTH_UNAVAILABLE, NULL,
		    NULL, 1);
		return;
	}
	c->auth_err = 0;
	mw__cl_wr_begin(c, &w);
	if (mw_sasl_client_auth_line(&c->sasl, w.p, w.cap, &n) != MW_ERR_OK) {
		mw__cl_fail_session(c, MW_CLIENT_CLOSE_AUTH_UNAVAILABLE, NULL,
		    NULL, 1);
		return;
	}
	w.len = n;
	mw__cl_wr_commit(c, &w, Q_AUTH, 0);
}

/* After TLS is settled: AUTH if asked, else ready. */
static void
after_tls(struct mw_client *c)
{
	if (c->cfg.creds != NULL && !c->authed)
		start_auth(c);
	else
		ready(c);
}

/* EHLO or HELO succeeded. */
static void
hello_done(struct mw_client *c)
{
	if (!c->tls && c->cfg.tls != MW_CLIENT_TLS_OFF &&
	    has(c, MW_CAP_STARTTLS)) {
		if (!mw__cl_send_line(c, Q_STARTTLS, "STARTTLS", NULL))
			mw__cl_close_now(c);
		return;
	}
	/* RFC 3207 4: a client that requires TLS does not go on without */
	if (!c->tls && c->cfg.tls == MW_CLIENT_TLS_REQUIRED) {
		mw__cl_fail_session(c, MW_CLIENT_CLOSE_TLS_UNAVAILABLE, NULL,
		    NULL, 1);
		return;
	}
	after_tls(c);
}

/* ---- transactions ------------------------------------------------------ */

/* Sends the next RCPTs of the transaction: all that fit one pipelined
 * group (RFC 2920 3.1), or one. Returns how many. */
static size_t
send_rcpts(struct mw_client *c)
{
	size_t sent = 0;
	int pipe = c->cfg.pipelining && has(c, MW_CAP_PIPELINING);

	while (c->tx_next < c->tx_end && c->qn < MW_CLIENT_QUEUE) {
		struct mw__out w;

		mw__cl_wr_begin(c, &w);
		mw__cl_rcpt_line(c, c->tx_next, &w);
		if (!mw__cl_wr_commit(c, &w, Q_RCPT, (uint32_t)c->tx_next))
			break;
		c->tx_next++;
		sent++;
		if (!pipe)
			break;
	}
	return sent;
}

static void
tx_done(struct mw_client *c)
{
	c->state = ST_READY;
	if (c->mail_ok == 0 || c->tx_end >= c->msg.nrcpts)
		mw__cl_finish_msg(c);
	else
		c->tx_first = c->tx_end;	/* RFC 9422 RCPTMAX */
}

mw_err
mw__cl_tx_start(struct mw_client *c)
{
	struct mw_client_result r;
	struct mw__out w;
	size_t max;

	/* RFC 5321 4.1.1.5: a transaction left open is reset first */
	if (c->need_rset) {
		if (!mw__cl_send_line(c, Q_RSET, "RSET", NULL))
			return MW_ERR_AGAIN;
		return CONT;
	}
	if (!c->checked) {
		c->checked = 1;
		if (mw__cl_local_refusal(c, &r)) {
			mw__cl_fail_pending(c, 0, c->msg.nrcpts, &r, r.status,
			    r.why);
			mw__cl_finish_msg(c);
			return CONT;
		}
	}
	/* RFC 9422 4.1: MAILMAX transactions a session */
	if (c->ehlo.mailmax != 0 && c->ntx >= c->ehlo.mailmax) {
		mw__cl_fail_pending(c, c->tx_first, c->msg.nrcpts, NULL,
		    MW_CLIENT_TEMPFAIL, MW_CLIENT_WHY_MAILMAX);
		mw__cl_finish_msg(c);
		return CONT;
	}
	max = c->msg.nrcpts - c->tx_first;
	/* RFC 9422 4.2: RCPTMAX recipients a transaction */
	if (c->ehlo.rcptmax != 0 && max > c->ehlo.rcptmax)
		max = c->ehlo.rcptmax;
	mw__cl_wr_begin(c, &w);
	mw__cl_mail_line(c, &w);
	if (!mw__cl_wr_commit(c, &w, Q_MAIL, 0))
		return MW_ERR_AGAIN;
	c->tx_end = c->tx_first + max;
	c->tx_next = c->tx_first;
	c->lmtp_k = c->tx_first;
	c->ntx++;
	c->mail_ok = -1;
	c->nacc = 0;
	c->boff = 0;
	c->use_bdat = c->msg.body == MW_CLIENT_BODY_BINARYMIME ||
	    (c->msg.bdat && c->cfg.chunking && has(c, MW_CAP_CHUNKING));
	c->state = ST_TX;
	/* RFC 2920 3.1: MAIL and the RCPTs in one group */
	if (c->cfg.pipelining && has(c, MW_CAP_PIPELINING))
		send_rcpts(c);
	return CONT;
}

static void
start_body(struct mw_client *c)
{
	c->state = ST_BODY;
	c->bsrc = NULL;
	c->bn = c->bpos = 0;
	c->blast = c->bwait = c->bhdr = 0;
	c->chunk_left = 0;
	c->bprev = '\n';	/* an empty body is at a line start */
	c->boff = 0;
	c->progress = 1;
	mw_data_enc_init(&c->enc, c->cfg.longline);
}

/* RCPT replies are all in: DATA, BDAT, or the end of the transaction. */
mw_err
mw__cl_tx_step(struct mw_client *c)
{
	if (c->mail_ok == 0) {
		tx_done(c);
		return CONT;
	}
	if (c->tx_next < c->tx_end) {
		if (send_rcpts(c) == 0)
			return MW_ERR_AGAIN;
		return CONT;
	}
	/*
	 * RFC 2920 3.1: DATA may end the group, but then a server that
	 * accepts it after every RCPT failed must be sent a lone dot. DATA
	 * is withheld instead until the RCPT replies are in, and not sent
	 * at all when none was accepted (the transaction is reset).
	 */
	if (c->nacc == 0) {
		c->need_rset = 1;
		tx_done(c);
		return CONT;
	}
	if (c->use_bdat) {
		start_body(c);
		return CONT;
	}
	if (!mw__cl_send_line(c, Q_DATA, "DATA", NULL))
		return MW_ERR_AGAIN;
	return CONT;
}

/* Recipients of this transaction that RCPT accepted: still pending with
 * a 2xx code. */
static int
accepted(const struct mw_client *c, size_t i)
{
	return c->msg.results[i].status == MW_CLIENT_PENDING &&
	    c->msg.results[i].code / 100 == 2;
}

static void
end_reply(struct mw_client *c, const struct mw_reply *rep,
    const unsigned char *base, size_t i)
{
	/* RFC 5321 4.1.1.4: only 250 delivers; RFC 2033 4.2 per recipient */
	mw__cl_from_reply(&c->msg.results[i], rep->code == 250 ?
	    MW_CLIENT_DELIVERED : mw__cl_fail_status(rep->code), rep, base);
}

/* ---- the body ---------------------------------------------------------- */

static mw_err
ask_body(struct mw_client *c, struct mw_client_event *ev)
{
	c->bwait = 1;
	ev->type = MW_CLIENT_EV_BODY;
	ev->buf = c->bodybuf;
	ev->cap = MW_CLIENT_BODY_SIZE;
	ev->offset = c->boff;
	return MW_ERR_OK;
}

static uint32_t
end_count(const struct mw_client *c)
{
	return c->cfg.lmtp ? (uint32_t)c->nacc : 1;
}

/*
 * BDAT line ends. RFC 3030 3: only a BINARYMIME body goes as given. Any
 * other is text, whose lines end in CRLF (RFC 5321 2.3.8, RFC 5322 2.3),
 * so it is sent as the DATA encoder sends it (less the dot-stuffing):
 * a CR as CRLF, an LF right after a CR as nothing (it is that CRLF's),
 * any other LF as CRLF, and a non-empty body whose last octet is neither
 * CR nor LF ends with an added CRLF, in the LAST chunk. The server gets
 * the same octets over DATA and over BDAT. The state between pieces is
 * the body's last octet so far (bprev; LF for none).
 */
static int
bdat_raw(const struct mw_client *c)
{
	return c->msg.body == MW_CLIENT_BODY_BINARYMIME;
}

/* The octets the piece bsrc[0..bn) is sent as, with the added line end
 * if it is the last. */
static uint64_t
bdat_size(const struct mw_client *c)
{
	const unsigned char *p = c->bsrc;
	unsigned prev = c->bprev;
	uint64_t n = c->bn;

	if (bdat_raw(c))
		return n;
	/* each CR counts 2, an LF 2 or (after a CR) 0, the rest 1 */
	for (size_t i = 0; i < c->bn; i++) {
		unsigned ch = p[i];

		n += (uint64_t)(ch == '\r') + (ch == '\n') -
		    (uint64_t)2 * (ch == '\n' && prev == '\r');
		prev = ch;
	}
	if (c->blast && prev != '\r' && prev != '\n')
		n += 2;
	return n;
}

/* Sends what is left of the current chunk. MW_ERR_OK once it is all out
 * (the piece consumed), MW_ERR_AGAIN when the output is full. */
static mw_err
bdat_copy(struct mw_client *c)
{
	static const unsigned char crlf[2] = { '\r', '\n' };
	const int raw = bdat_raw(c);

	while (c->chunk_left > 0 || (!c->bhdr && c->bpos < c->bn)) {
		size_t k = c->bn - c->bpos, room;
		/* bsrc may be NULL for an empty piece */
		const unsigned char *p = k > 0 ? c->bsrc + c->bpos : NULL;
		unsigned ch = k > 0 ? *p : 0;

		if (!raw && (k == 0 || ch == '\r' || ch == '\n')) {
			if (k > 0 && ch == '\n' && c->bprev == '\r') {
				/* the LF of a CRLF already sent */
				c->bpos++;
				c->bprev = '\n';
				continue;
			}
			/* a line end; k == 0: the one the LAST chunk adds */
			if (c->chunk_left < 2)
				break;		/* cannot happen: counted */
			if (!mw__cl_room(c, 2))
				return MW_ERR_AGAIN;
			memcpy(c->out + c->out_len, crlf, 2);
			c->out_len += 2;
			c->queued += 2;
			c->chunk_left -= 2;
			if (k > 0) {
				c->bpos++;
				c->bprev = ch;
			} else
				c->bprev = '\n';
			continue;
		}
		if (!mw__cl_room(c, 1))
			return MW_ERR_AGAIN;
		room = c->out_cap - c->out_len;
		if (k > room)
			k = room;
		if (k > c->chunk_left)
			k = (size_t)c->chunk_left;
		if (!raw)
			for (size_t i = 1; i < k; i++)
				if (p[i] == '\r' || p[i] == '\n') {
					k = i;
					break;
				}
		if (k == 0)
			break;			/* cannot happen: counted */
		memcpy(c->out + c->out_len, p, k);
		c->out_len += k;
		c->queued += k;
		c->bpos += k;
		c->chunk_left -= k;
		c->bprev = p[k - 1];
	}
	return MW_ERR_OK;
}

mw_err
mw__cl_body_step(struct mw_client *c, struct mw_client_event *ev)
{
	size_t used, prod;
	mw_err e;

	if (c->bwait)
		return MW_ERR_STATE;
	if (c->use_bdat) {
		if ((e = bdat_copy(c)) != MW_ERR_OK)
			return e;
		if (c->bhdr) {
			struct mw__out w;
			uint64_t n = bdat_size(c);

			c->bhdr = 0;
			/* a piece that adds nothing (empty, or the LF of a
			 * CRLF split across pieces) is no chunk */
			if (n == 0 && !c->blast) {
				if (c->bn > 0)
					c->bprev = '\n';
				c->bpos = c->bn;
				return ask_body(c, ev);
			}
			/* RFC 3030 2: BDAT chunk-size [LAST]; the size is of
			 * the octets as sent */
			mw__cl_wr_begin(c, &w);
			mw__put_str(&w, "BDAT ");
			mw__put_u64(&w, n);
			mw__put_str(&w, c->blast ? " LAST\r\n" : "\r\n");
			if (w.len > w.cap) {
				c->bhdr = 1;
				return MW_ERR_AGAIN;
			}
			c->out_len += w.len;
			c->queued += w.len;
			mw__cl_push(c, c->blast ? Q_END : Q_BDAT,
			    c->blast ? end_count(c) : 0, c->queued + n);
			c->chunk_left = n;
			return CONT;
		}
		if (c->qn > 0) {
			/* the chunk is out: its reply's timer starts */
			c->head_timed = 0;
			c->state = c->blast ? ST_END : ST_TX;
			return CONT;
		}
		return ask_body(c, ev);
	}
	while (c->bpos < c->bn) {
		if (!mw__cl_room(c, 2))
			return MW_ERR_AGAIN;
		e = mw_data_encode(&c->enc, c->bsrc + c->bpos, c->bn - c->bpos,
		    &used, c->out + c->out_len, c->out_cap - c->out_len, &prod);
		c->bpos += used;
		c->out_len += prod;
		c->queued += prod;
		if (e == MW_ERR_LIMIT) {
			struct mw_client_result r;

			/* RFC 5321 4.5.3.1.6: a line over 998 octets; DATA
			 * cannot be taken back, so the connection goes */
			memset(&r, 0, sizeof(r));
			r.why = MW_CLIENT_WHY_LOCAL;
			r.code = 554;
			r.has_esc = 1;
			r.esc.klass = 5;
			r.esc.subject = 6;
			strcpy(r.text, "a body line is over 998 octets");
			mw__cl_fail_pending(c, 0, c->msg.nrcpts, &r,
			    MW_CLIENT_PERMFAIL, MW_CLIENT_WHY_LOCAL);
			mw__cl_finish_msg(c);
			c->reason = MW_CLIENT_CLOSE_ABORTED;
			mw__cl_close_now(c);
			return CONT;
		}
		if (used == 0 && prod == 0)
			return MW_ERR_AGAIN;
	}
	if (!c->blast)
		return ask_body(c, ev);
	if (!mw__cl_room(c, 5))
		return MW_ERR_AGAIN;
	if (mw_data_encode_end(&c->enc, c->out + c->out_len,
	    c->out_cap - c->out_len, &prod) != MW_ERR_OK)
		return MW_ERR_AGAIN;
	c->out_len += prod;
	c->queued += prod;
	mw__cl_push(c, Q_END, end_count(c), c->queued);
	c->state = ST_END;
	return CONT;
}

/* ---- replies ----------------------------------------------------------- */

static void
auth334(struct mw_client *c, const struct mw_reply *rep,
    const unsigned char *base)
{
	struct mw__out w;
	size_t n;
	mw_err e;

	mw__cl_wr_begin(c, &w);
	/* RFC 4954 4: a challenge that is not base64 is cancelled ("*") */
	e = mw_sasl_client_reply334(&c->sasl, base + rep->lines[0].text.off,
	    rep->lines[0].text.len, w.p, w.cap, &n);
	if (e != MW_ERR_OK)
		c->auth_err = 1;
	if (e == MW_ERR_NOSPACE || e == MW_ERR_INVAL) {
		mw__cl_fail_session(c, MW_CLIENT_CLOSE_AUTH_FAILED, rep, base,
		    1);
		return;
	}
	w.len = n;
	mw__cl_wr_commit(c, &w, Q_AUTH, 0);
}

static void
on_reply(struct mw_client *c, struct mw_client_q q, const struct mw_reply *rep,
    const unsigned char *base)
{
	int code = rep->code, cls = code / 100;
	int fail = cls == 4 || cls == 5;

	/* RFC 5321 3.8: 421 to anything: the server is going away */
	if (code == 421 && q.kind != Q_QUIT) {
		mw__cl_fail_session(c, MW_CLIENT_CLOSE_SERVICE, rep, base, 0);
		return;
	}
	switch (q.kind) {
	case Q_GREETING:
		if (code == 220)
			mw__cl_hello(c);
		else if (fail)	/* RFC 5321 3.1: 554, then QUIT */
			mw__cl_fail_session(c, MW_CLIENT_CLOSE_GREETING, rep,
			    base, 1);
		else
			break;
		return;
	case Q_EHLO:
		if (code == 250) {
			if (rep->has_ehlo)
				c->ehlo = rep->ehlo;
			c->hello = 2;
			hello_done(c);
		} else if ((code == 500 || code == 502) && !c->cfg.lmtp) {
			/* RFC 5321 3.2: an old server; HELO instead */
			if (!mw__cl_send_line(c, Q_HELO, "HELO", c->cfg.helo))
				mw__cl_close_now(c);
		} else if (fail)
			mw__cl_fail_session(c, MW_CLIENT_CLOSE_HELO, rep, base,
			    1);
		else
			break;
		return;
	case Q_HELO:
		if (code == 250) {
			c->hello = 1;
			hello_done(c);
		} else if (fail)
			mw__cl_fail_session(c, MW_CLIENT_CLOSE_HELO, rep, base,
			    1);
		else
			break;
		return;
	case Q_STARTTLS:
		if (code == 220) {
			/* RFC 3207 5: nothing sent before the handshake
			 * counts; whatever came with the 220 is dropped */
			c->discarded += c->in_end - c->in_start;
			mw__cl_discard_input(c);
			c->state = ST_TLS;
			c->state_timed = 0;
			c->pend_tls = 1;
		} else if (fail && c->cfg.tls == MW_CLIENT_TLS_REQUIRED)
			mw__cl_fail_session(c, MW_CLIENT_CLOSE_TLS_UNAVAILABLE,
			    rep,
			    base, 1);
		else if (fail)
			after_tls(c);
		else
			break;
		return;
	case Q_AUTH:
		if (code == 334)
			auth334(c, rep, base);
		else if (code == 235) {
			/* RFC 5802 5: a 235 from a server that did not
			 * prove itself is not trusted */
			if (c->auth_err ||
			    mw_sasl_client_finish(&c->sasl) != MW_ERR_OK)
				mw__cl_fail_session(c,
				    MW_CLIENT_CLOSE_AUTH_FAILED,
				    rep, base, 1);
			else {
				c->authed = 1;
				ready(c);
			}
		} else if (fail)
			mw__cl_fail_session(c, MW_CLIENT_CLOSE_AUTH_FAILED, rep,
			    base,
			    1);
		else
			break;
		return;
	case Q_RSET:
		if (code != 250)
			break;
		c->need_rset = 0;
		return;
	case Q_MAIL:
		/* RFC 5321 4.3.2: each command's success codes; any other
		 * positive code is a protocol error, never a success */
		if (code == 250)
			c->mail_ok = 1;
		else if (fail) {
			struct mw_client_result r;

			c->mail_ok = 0;
			mw__cl_from_reply(&r, mw__cl_fail_status(code), rep,
			    base);
			mw__cl_fail_pending(c, c->tx_first, c->msg.nrcpts, &r,
			    r.status, MW_CLIENT_WHY_REPLY);
		} else
			break;
		return;
	case Q_RCPT:
		if (c->mail_ok == 0)
			return;		/* the MAIL failure stands */
		if (code == 250 || code == 251) {
			mw__cl_from_reply(&c->msg.results[q.idx],
			    MW_CLIENT_PENDING,
			    rep, base);
			c->nacc++;
		} else if (fail) {
			mw__cl_from_reply(&c->msg.results[q.idx],
			    mw__cl_fail_status(code),
			    rep, base);
			c->mres = c->msg.results[q.idx];
		} else
			break;
		c->pend_rcpt = q.idx + 1;
		return;
	case Q_DATA:
	case Q_BDAT:
		if (q.kind == Q_DATA && code == 354)
			start_body(c);
		else if (q.kind == Q_BDAT && code == 250) {
			c->state = ST_BODY;
			c->bwait = 0;
		} else if (fail) {
			struct mw_client_result r;

			mw__cl_from_reply(&r, mw__cl_fail_status(code), rep,
			    base);
			for (size_t i = c->tx_first; i < c->tx_end; i++)
				if (accepted(c, i))
					c->msg.results[i] = r;
			c->mres = r;
			c->need_rset = 1;
			tx_done(c);
		} else
			break;
		return;
	case Q_END:
		if (cls != 2 && !fail)
			break;
		if (cls == 2 && code != 250)
			break;		/* RFC 5321 4.1.1.4: 250 */
		mw__cl_from_reply(&c->mres, code == 250 ? MW_CLIENT_DELIVERED :
		    mw__cl_fail_status(code), rep, base);
		if (c->cfg.lmtp) {
			/* RFC 2033 4.2: the next accepted recipient's */
			while (c->lmtp_k < c->tx_end && !accepted(c, c->lmtp_k))
				c->lmtp_k++;
			if (c->lmtp_k < c->tx_end)
				end_reply(c, rep, base, c->lmtp_k++);
			if (q.idx > 1) {
				/* more to come: the queue holds the rest */
				c->q[c->qh].kind = Q_END;
				c->q[c->qh].idx = q.idx - 1;
				c->q[c->qh].end = q.end;
				c->qn = 1;
				c->head_timed = 0;
				return;
			}
		} else
			for (size_t i = c->tx_first; i < c->tx_end; i++)
				if (accepted(c, i))
					end_reply(c, rep, base, i);
		tx_done(c);
		return;
	case Q_QUIT:
		mw__cl_close_now(c);
		return;
	}
	/* a code this command cannot get */
	mw__cl_protocol(c, MW_CLIENT_CLOSE_PROTOCOL, MW_REPLY_E_NONE, rep,
	    base);
}

static enum mw_reply_mode
mode_of(int kind)
{
	return kind == Q_GREETING ? MW_REPLY_GREETING :
	    kind == Q_EHLO ? MW_REPLY_EHLO : MW_REPLY_ANY;
}

/* The stream ended. */
void
mw__cl_on_eof(struct mw_client *c)
{
	if (c->state == ST_QUIT) {
		mw__cl_close_now(c);
		return;
	}
	if (mw_reply_eof(&c->rp) != MW_ERR_OK)
		c->cause = c->rp.cause;
	mw__cl_fail_session(c, MW_CLIENT_CLOSE_EOF, NULL, NULL, 0);
}

/* Reads the reply at the head of the queue. */
mw_err
mw__cl_read_reply(struct mw_client *c)
{
	struct mw_client_q q = c->q[c->qh];
	const unsigned char *base = c->in + c->in_start;
	size_t used;
	mw_err e;

	if (c->rp_fresh) {
		mw_reply_expect(&c->rp, mode_of(q.kind));
		c->rp_fresh = 0;
	}
	e = mw_reply_parse(&c->rp, base, c->in_end - c->in_start, &used);
	if (e == MW_ERR_AGAIN) {
		if (!c->eof)
			return MW_ERR_AGAIN;
		mw__cl_on_eof(c);
		return CONT;
	}
	if (e != MW_ERR_OK) {
		/* RFC 5321 4.2, CVE-2020-8794: out of step for good */
		if (c->state == ST_QUIT)
			mw__cl_close_now(c);
		else
			mw__cl_protocol(c, MW_CLIENT_CLOSE_PROTOCOL,
			    c->rp.cause,
			    NULL, NULL);
		return CONT;
	}
	c->in_start += used;
	if (c->in_start == c->in_end)
		c->in_start = c->in_end = 0;	/* base stays valid */
	c->rp_fresh = 1;
	c->qh = (c->qh + 1) % MW_CLIENT_QUEUE;
	c->qn--;
	c->head_timed = 0;
	on_reply(c, q, &c->rp.reply, base);
	return CONT;
}

