/*
 * src/client.c: the SMTP/LMTP client session engine (mailwire/client.h):
 * the buffers, the queue of commands awaiting replies, the timers of RFC
 * 5321 4.5.3.2 and the event loop. Pure: no I/O, clock or allocation. The
 * reply parser (reply.h), the DATA encoder (data.h) and the SASL machines
 * (sasl.h) do the work on the wire; client_session.c holds the
 * conversation (what each reply means), client_cmd.c writes MAIL and RCPT.
 *
 * Every command goes through a queue with the output offset of its last
 * octet. A reply is read only when the command at the queue's head was
 * wholly sent (acknowledged by mw_client_output_ack); bytes that arrive
 * while nothing sent awaits a reply are a reply to nothing, and end the
 * session (a server must not answer what it has not read; an attacker
 * injecting replies, as after STARTTLS in CVE-2011-0411's client-side
 * twin, is caught the same way).
 */
#include <string.h>

#include "client_int.h"

static const uint64_t tdefault[] = {
#define MW__CLIENT_TIMER_DEF(n, s, d) (uint64_t)(d) * 1000,
	MW_CLIENT_TIMERS(MW__CLIENT_TIMER_DEF)
#undef MW__CLIENT_TIMER_DEF
};

static const char *const tnames[] = {
#define MW__CLIENT_TIMER_NAME(n, s, d) s,
	MW_CLIENT_TIMERS(MW__CLIENT_TIMER_NAME)
#undef MW__CLIENT_TIMER_NAME
};

static const char *const close_names[] = {
#define MW__CLIENT_CLOSE_NAME(n, s) s,
	MW_CLIENT_CLOSES(MW__CLIENT_CLOSE_NAME)
#undef MW__CLIENT_CLOSE_NAME
};

static const char *const why_names[] = {
#define MW__CLIENT_WHY_NAME(n, s) s,
	MW_CLIENT_WHYS(MW__CLIENT_WHY_NAME)
#undef MW__CLIENT_WHY_NAME
};

static const char *const ev_names[] = {
	"MW_CLIENT_EV_NONE", "MW_CLIENT_EV_READY", "MW_CLIENT_EV_STARTTLS",
	"MW_CLIENT_EV_BODY", "MW_CLIENT_EV_RCPT", "MW_CLIENT_EV_MESSAGE",
	"MW_CLIENT_EV_CLOSE"
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define CONT		MW__CL_CONT

const char *
mw_client_ev_name(enum mw_client_ev ev)
{
	return (unsigned)ev < NELEM(ev_names) ? ev_names[ev] :
	    "MW_CLIENT_EV_UNKNOWN";
}

const char *
mw_client_close_name(enum mw_client_close r)
{
	return (unsigned)r < NELEM(close_names) ? close_names[r] : "";
}

const char *
mw_client_timer_name(enum mw_client_timer t)
{
	return (unsigned)t < NELEM(tnames) ? tnames[t] : NULL;
}

enum mw_client_timer
mw_client_timer_lookup(const char *s)
{
	for (unsigned i = 0; s != NULL && i < NELEM(tnames); i++)
		if (strcmp(s, tnames[i]) == 0)
			return (enum mw_client_timer)i;
	return MW_CLIENT_T__COUNT;
}

const char *
mw_client_why_name(enum mw_client_why w)
{
	return (unsigned)w < NELEM(why_names) ? why_names[w] : "";
}

void
mw_client_config_init(struct mw_client_config *cfg)
{
	if (cfg == NULL)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->tls = MW_CLIENT_TLS_REQUIRED;
	cfg->pipelining = 1;
	cfg->chunking = 1;
	for (unsigned i = 0; i < MW_CLIENT_T__COUNT; i++)
		cfg->timeout[i] = tdefault[i];
	cfg->longline = MW_DATA_LONG_ACCEPT;
	/* servers in the field: Postfix's smtp-sink ends its EHLO reply
	 * with "250 " (RFC 5321 4.2.1's prose asks for the SP; the ABNF has
	 * no such line), and Postfix with broken_sasl_auth_clients sends
	 * "250-AUTH=PLAIN LOGIN" beside the proper line. A bare LF stays an
	 * error: it is how replies are smuggled. */
	cfg->reply.lenient = MW_REPLY_LENIENT_SP_NO_TEXT |
	    MW_REPLY_LENIENT_AUTH_EQ;
}

mw_err
mw_client_init(struct mw_client *c, const struct mw_client_config *cfg,
    unsigned char *buf, size_t len)
{
	size_t total;

	if (c == NULL || cfg == NULL || buf == NULL || cfg->helo == NULL ||
	    cfg->helo[0] == '\0' || strlen(cfg->helo) > 255 ||
	    cfg->tls > MW_CLIENT_TLS_IMPLICIT ||
	    (cfg->creds != NULL && cfg->crypto == NULL))
		return MW_ERR_INVAL;
	for (const char *p = cfg->helo; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return MW_ERR_INVAL;
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	for (unsigned i = 0; i < MW_CLIENT_T__COUNT; i++)
		if (c->cfg.timeout[i] == 0)
			c->cfg.timeout[i] = tdefault[i];
	if (mw_reply_init(&c->rp, &cfg->reply) != MW_ERR_OK)
		return MW_ERR_INVAL;
	total = c->rp.max_total;
	if (len < MW_CLIENT_OUT_SIZE + MW_CLIENT_BODY_SIZE ||
	    len - MW_CLIENT_OUT_SIZE - MW_CLIENT_BODY_SIZE < total)
		return MW_ERR_NOSPACE;
	c->out = buf;
	c->out_cap = MW_CLIENT_OUT_SIZE;
	c->bodybuf = buf + MW_CLIENT_OUT_SIZE;
	c->in = c->bodybuf + MW_CLIENT_BODY_SIZE;
	c->in_cap = len - MW_CLIENT_OUT_SIZE - MW_CLIENT_BODY_SIZE;
	c->tls = cfg->tls == MW_CLIENT_TLS_IMPLICIT;
	c->state = ST_CONNECT;
	c->rp_fresh = 1;
	return MW_ERR_OK;
}

/* ---- output and the queue ---------------------------------------------- */

/* Room for need octets at out[out_len..), moving unsent output down. */
int
mw__cl_room(struct mw_client *c, size_t need)
{
	if (c->out_cap - c->out_len >= need)
		return 1;
	if (c->out_sent > 0) {
		memmove(c->out, c->out + c->out_sent, c->out_len - c->out_sent);
		c->out_len -= c->out_sent;
		c->out_sent = 0;
	}
	return c->out_cap - c->out_len >= need;
}

void
mw__cl_wr_begin(struct mw_client *c, struct mw__out *w)
{
	mw__cl_room(c, c->out_cap);	/* compacts */
	w->p = c->out + c->out_len;
	w->cap = c->out_cap - c->out_len;
	w->len = 0;
}

void
mw__cl_push(struct mw_client *c, int kind, uint32_t idx, uint64_t end)
{
	struct mw_client_q *q;

	if (c->qn == 0) {
		c->head_timed = 0;
		/* input already here answers a command not yet sent */
		if (c->in_end > c->in_start)
			c->early = 1;
	}
	q = &c->q[(c->qh + c->qn) % MW_CLIENT_QUEUE];
	q->kind = (uint8_t)kind;
	q->idx = idx;
	q->end = end;
	c->qn++;
}

/* Commits w's line and queues its reply. 0 if it did not fit. */
int
mw__cl_wr_commit(struct mw_client *c, struct mw__out *w, int kind, uint32_t idx)
{
	if (w->len > w->cap)
		return 0;
	c->out_len += w->len;
	c->queued += w->len;
	mw__cl_push(c, kind, idx, c->queued);
	return 1;
}

int
mw__cl_send_line(struct mw_client *c, int kind, const char *a, const char *b)
{
	struct mw__out w;

	mw__cl_wr_begin(c, &w);
	mw__put_str(&w, a);
	if (b != NULL) {
		mw__put_str(&w, " ");
		mw__put_str(&w, b);
	}
	mw__put_str(&w, "\r\n");
	return mw__cl_wr_commit(c, &w, kind, 0);
}

/* ---- results ----------------------------------------------------------- */

void
mw__cl_from_reply(struct mw_client_result *r, enum mw_client_status st,
    const struct mw_reply *rep, const unsigned char *base)
{
	const unsigned char *t = base + rep->lines[0].text.off;
	size_t n = rep->lines[0].text.len, o = 0;

	memset(r, 0, sizeof(*r));
	r->status = st;
	r->why = MW_CLIENT_WHY_REPLY;
	r->code = rep->code;
	if (rep->has_esc) {
		r->has_esc = 1;
		r->esc = rep->esc;
		/* the text after the enhanced code (RFC 2034 4) */
		while (n > 0 && *t != ' ') {
			t++;
			n--;
		}
		while (n > 0 && *t == ' ') {
			t++;
			n--;
		}
	}
	for (size_t i = 0; i < n && o < MW_CLIENT_TEXT_MAX; i++)
		r->text[o++] = t[i] >= 0x20 && t[i] < 0x7f ? (char)t[i] : '?';
	r->text[o] = '\0';
}

enum mw_client_status
mw__cl_fail_status(int code)
{
	return code / 100 == 5 ? MW_CLIENT_PERMFAIL : MW_CLIENT_TEMPFAIL;
}

/* Every undecided recipient of the message (from `from`) gets r, or a
 * bare result (code 0) of status st and reason why. */
void
mw__cl_fail_pending(struct mw_client *c, size_t from, size_t to,
    const struct mw_client_result *r, enum mw_client_status st,
    enum mw_client_why why)
{
	struct mw_client_result bare;

	memset(&bare, 0, sizeof(bare));
	bare.status = st;
	bare.why = why;
	if (r == NULL)
		r = &bare;
	for (size_t i = from; i < to && i < c->msg.nrcpts; i++)
		if (c->msg.results[i].status == MW_CLIENT_PENDING) {
			c->msg.results[i] = *r;
			c->msg.results[i].status = st;
			c->msg.results[i].why = why;
		}
	c->mres = *r;
	c->mres.status = st;
	c->mres.why = why;
}

void
mw__cl_finish_msg(struct mw_client *c)
{
	c->have_msg = 0;
	c->pend_msg = 1;
	c->ready_sent = 0;
	c->state = ST_READY;
}

void
mw__cl_discard_input(struct mw_client *c)
{
	c->in_start = c->in_end = 0;
	c->early = 0;
	mw_reply_reset(&c->rp);
	c->rp_fresh = 1;
}

void
mw__cl_close_now(struct mw_client *c)
{
	if (c->reason == MW_CLIENT_CLOSE_NONE)
		c->reason = MW_CLIENT_CLOSE_QUIT;
	c->qn = 0;
	c->pend_close = 1;
	c->state = ST_CLOSED;
}

void
mw__cl_send_quit(struct mw_client *c)
{
	c->qn = 0;
	mw__cl_discard_input(c);
	if (!mw__cl_send_line(c, Q_QUIT, "QUIT", NULL)) {
		mw__cl_close_now(c);
		return;
	}
	c->state = ST_QUIT;
}

/*
 * The session ends for reason. rep (from base) is the reply that ended it
 * or NULL. The message in progress fails; quit: say QUIT first when the
 * stream is in step and nothing half-sent is in the output.
 */
void
mw__cl_fail_session(struct mw_client *c, enum mw_client_close reason,
    const struct mw_reply *rep, const unsigned char *base, int quit)
{
	enum mw_client_why why;
	int midway = c->state == ST_BODY || c->state == ST_QUIT;

	if (c->reason == MW_CLIENT_CLOSE_NONE)
		c->reason = reason;
	if (rep != NULL)
		mw__cl_from_reply(&c->closerep, mw__cl_fail_status(rep->code),
		    rep, base);
	if (reason == MW_CLIENT_CLOSE_TIMEOUT)
		why = MW_CLIENT_WHY_TIMEOUT;
	else if (reason == MW_CLIENT_CLOSE_PROTOCOL ||
	    reason == MW_CLIENT_CLOSE_UNSOLICITED)
		why = MW_CLIENT_WHY_PROTOCOL;
	else if (rep != NULL)
		why = MW_CLIENT_WHY_REPLY;
	else
		why = MW_CLIENT_WHY_CLOSED;
	if (c->have_msg) {
		enum mw_client_status st = MW_CLIENT_TEMPFAIL;

		if (rep != NULL && why == MW_CLIENT_WHY_REPLY)
			st = mw__cl_fail_status(rep->code);
		mw__cl_fail_pending(c, 0, c->msg.nrcpts,
		    rep != NULL ? &c->closerep : NULL, st, why);
		mw__cl_finish_msg(c);
	}
	if (quit && !midway && c->out_sent == c->out_len)
		mw__cl_send_quit(c);
	else
		mw__cl_close_now(c);
}

void
mw__cl_protocol(struct mw_client *c, enum mw_client_close reason,
    enum mw_reply_cause cause, const struct mw_reply *rep,
    const unsigned char *base)
{
	c->cause = cause;
	mw__cl_fail_session(c, reason, rep, base, 0);
}

/* ---- timers ------------------------------------------------------------ */

static int
timer_of(int kind)
{
	switch (kind) {
	case Q_GREETING: return MW_CLIENT_T_GREETING;
	case Q_EHLO: case Q_HELO: return MW_CLIENT_T_EHLO;
	case Q_STARTTLS: return MW_CLIENT_T_STARTTLS;
	case Q_AUTH: return MW_CLIENT_T_AUTH;
	case Q_RCPT: return MW_CLIENT_T_RCPT;
	case Q_DATA: return MW_CLIENT_T_DATA;
	case Q_BDAT: return MW_CLIENT_T_BLOCK;
	case Q_END: return MW_CLIENT_T_END;
	case Q_QUIT: return MW_CLIENT_T_QUIT;
	default: return MW_CLIENT_T_MAIL;	/* MAIL, RSET */
	}
}

/* The running timer and when it started; 0 if none runs. */
static int
running(const struct mw_client *c, int *t, uint64_t *since)
{
	switch (c->state) {
	case ST_CLOSED:
		return 0;
	case ST_CONNECT:
		*t = MW_CLIENT_T_CONNECT;
		*since = c->t_state;
		return c->state_timed;
	case ST_TLS:
		*t = MW_CLIENT_T_STARTTLS;
		*since = c->t_state;
		return c->state_timed;
	case ST_BODY:
		/* RFC 5321 4.5.3.2.5: each block of data */
		*t = MW_CLIENT_T_BLOCK;
		*since = c->t_progress;
		return 1;
	default:
		if (c->qn == 0 || !c->head_timed)
			return 0;
		*t = timer_of(c->q[c->qh].kind);
		*since = c->t_head;
		return 1;
	}
}

uint64_t
mw_client_deadline(const struct mw_client *c)
{
	uint64_t since, ms;
	int t;

	if (c == NULL || c->pend_close || !running(c, &t, &since))
		return UINT64_MAX;
	ms = c->cfg.timeout[t];
	return since > UINT64_MAX - ms ? UINT64_MAX : since + ms;
}

static void
on_timeout(struct mw_client *c)
{
	uint64_t since;
	int t = MW_CLIENT_T_QUIT, quit;

	running(c, &t, &since);
	c->timer = (enum mw_client_timer)t;
	if (c->state == ST_QUIT) {
		if (c->reason == MW_CLIENT_CLOSE_NONE)
			c->reason = MW_CLIENT_CLOSE_TIMEOUT;
		mw__cl_close_now(c);
		return;
	}
	/* QUIT when the server is there to read it and the stream is in
	 * step: not before the greeting, mid-handshake or mid-body */
	quit = t != MW_CLIENT_T_CONNECT && t != MW_CLIENT_T_GREETING &&
	    c->state != ST_TLS && c->state != ST_BODY;
	mw__cl_fail_session(c, MW_CLIENT_CLOSE_TIMEOUT, NULL, NULL, quit);
	/* a server that let a timer run out is not waited for again: QUIT
	 * is said (the output is sent before the close) and the session
	 * ends without a second timer for its reply */
	if (c->state == ST_QUIT)
		mw__cl_close_now(c);
}

/* ---- the loop ---------------------------------------------------------- */

static mw_err
step(struct mw_client *c, struct mw_client_event *ev)
{
	if (c->pend_rcpt) {
		ev->type = MW_CLIENT_EV_RCPT;
		ev->rcpt = c->pend_rcpt - 1;
		ev->result = &c->msg.results[ev->rcpt];
		c->pend_rcpt = 0;
		return MW_ERR_OK;
	}
	if (c->pend_msg) {
		ev->type = MW_CLIENT_EV_MESSAGE;
		for (size_t i = 0; i < c->msg.nrcpts; i++)
			if (c->msg.results[i].status == MW_CLIENT_DELIVERED)
				ev->delivered++;
			else
				ev->failed++;
		/* the message: delivered to all, or what the recipients
		 * that failed say (a temporary failure wins: retry them) */
		c->mres.status = ev->failed == 0 ? MW_CLIENT_DELIVERED :
		    MW_CLIENT_PERMFAIL;
		for (size_t i = 0; i < c->msg.nrcpts; i++)
			if (c->msg.results[i].status == MW_CLIENT_TEMPFAIL)
				c->mres.status = MW_CLIENT_TEMPFAIL;
		ev->result = &c->mres;
		c->pend_msg = 0;
		return MW_ERR_OK;
	}
	if (c->pend_tls) {
		ev->type = MW_CLIENT_EV_STARTTLS;
		c->pend_tls = 0;
		return MW_ERR_OK;
	}
	if (c->pend_close) {
		ev->type = MW_CLIENT_EV_CLOSE;
		ev->reason = c->reason;
		ev->timer = c->timer;
		ev->cause = c->cause;
		ev->result = &c->closerep;
		c->pend_close = 0;
		return MW_ERR_OK;
	}
	if (c->state == ST_CLOSED)
		return MW_ERR_STATE;
	if (c->progress) {
		c->t_progress = c->now;
		c->progress = 0;
	}
	if (c->qn > 0 && !c->head_timed) {
		c->t_head = c->now;
		c->head_timed = 1;
	}
	if (!c->state_timed) {
		c->t_state = c->now;
		c->state_timed = 1;
	}
	if (c->now >= mw_client_deadline(c)) {
		on_timeout(c);
		return CONT;
	}
	if (c->state == ST_CONNECT)
		return MW_ERR_AGAIN;
	if (c->state == ST_TLS)
		return MW_ERR_STATE;
	if (c->early && c->state != ST_QUIT) {
		mw__cl_protocol(c, MW_CLIENT_CLOSE_UNSOLICITED, MW_REPLY_E_NONE,
		    NULL,
		    NULL);
		return CONT;
	}
	if (c->state == ST_BODY)
		return mw__cl_body_step(c, ev);
	if (c->qn > 0) {
		if (c->q[c->qh].end > c->acked)
			return MW_ERR_AGAIN;	/* the command goes first */
		return mw__cl_read_reply(c);
	}
	if (c->in_end > c->in_start) {
		/* a reply with nothing asked */
		mw__cl_protocol(c, MW_CLIENT_CLOSE_UNSOLICITED, MW_REPLY_E_NONE,
		    NULL,
		    NULL);
		return CONT;
	}
	if (c->eof) {
		mw__cl_on_eof(c);
		return CONT;
	}
	if (c->state == ST_TX)
		return mw__cl_tx_step(c);
	if (c->state != ST_READY)
		return MW_ERR_AGAIN;
	if (c->have_msg)
		return mw__cl_tx_start(c);
	if (c->quit_req) {
		mw__cl_send_quit(c);
		return CONT;
	}
	if (!c->ready_sent) {
		c->ready_sent = 1;
		ev->type = MW_CLIENT_EV_READY;
		return MW_ERR_OK;
	}
	return MW_ERR_AGAIN;
}

mw_err
mw_client_next(struct mw_client *c, uint64_t now, struct mw_client_event *ev)
{
	mw_err e;

	if (c == NULL || ev == NULL)
		return MW_ERR_INVAL;
	memset(ev, 0, sizeof(*ev));
	c->now = now;
	/* each step consumes a reply, output room or a pending event: the
	 * loop ends; the bound is a guard */
	for (unsigned guard = 0; guard < 100000; guard++) {
		e = step(c, ev);
		if (e != CONT)
			return e;
	}
	return MW_ERR_AGAIN;
}

/* ---- the caller's calls ------------------------------------------------ */

mw_err
mw_client_connected(struct mw_client *c)
{
	if (c == NULL)
		return MW_ERR_INVAL;
	if (c->state != ST_CONNECT)
		return MW_ERR_STATE;
	c->state = ST_SETUP;
	/* RFC 5321 3.1: the server speaks first */
	mw__cl_push(c, Q_GREETING, 0, 0);
	return MW_ERR_OK;
}

mw_err
mw_client_set_timeout(struct mw_client *c, enum mw_client_timer t,
    uint64_t ms)
{
	if (c == NULL || (unsigned)t >= MW_CLIENT_T__COUNT || ms == 0)
		return MW_ERR_INVAL;
	c->cfg.timeout[t] = ms;
	return MW_ERR_OK;
}

mw_err
mw_client_submit(struct mw_client *c, const struct mw_client_msg *m)
{
	mw_err e;

	if (c == NULL || m == NULL)
		return MW_ERR_INVAL;
	if (c->have_msg || c->pend_msg || c->quit_req ||
	    c->state == ST_QUIT || c->state == ST_CLOSED)
		return MW_ERR_STATE;
	if ((e = mw__cl_check_msg(m)) != MW_ERR_OK)
		return e;
	c->msg = *m;
	for (size_t i = 0; i < m->nrcpts; i++)
		memset(&m->results[i], 0, sizeof(m->results[i]));
	memset(&c->mres, 0, sizeof(c->mres));
	c->have_msg = 1;
	c->checked = 0;
	c->tx_first = c->tx_end = 0;
	return MW_ERR_OK;
}

static mw_err
give_body(struct mw_client *c, const unsigned char *p, size_t n, int last)
{
	if (c->state != ST_BODY || !c->bwait)
		return MW_ERR_STATE;
	c->bsrc = p;
	c->bn = n;
	c->bpos = 0;
	c->blast = last != 0;
	c->bwait = 0;
	c->bhdr = 1;
	c->boff += n;
	c->progress = 1;
	return MW_ERR_OK;
}

mw_err
mw_client_body(struct mw_client *c, size_t n, int last)
{
	if (c == NULL || n > MW_CLIENT_BODY_SIZE)
		return MW_ERR_INVAL;
	return give_body(c, c->bodybuf, n, last);
}

mw_err
mw_client_body_ptr(struct mw_client *c, const unsigned char *p, size_t n,
    int last)
{
	if (c == NULL || (p == NULL && n > 0))
		return MW_ERR_INVAL;
	return give_body(c, p, n, last);
}

mw_err
mw_client_quit(struct mw_client *c)
{
	if (c == NULL)
		return MW_ERR_INVAL;
	if (c->state == ST_CLOSED)
		return MW_ERR_STATE;
	c->quit_req = 1;
	return MW_ERR_OK;
}

mw_err
mw_client_tls_done(struct mw_client *c, int ok)
{
	if (c == NULL)
		return MW_ERR_INVAL;
	if (c->state != ST_TLS || c->pend_tls)
		return MW_ERR_STATE;
	if (!ok) {
		mw__cl_fail_session(c, MW_CLIENT_CLOSE_TLS_FAILED, NULL, NULL,
		    0);
		return MW_ERR_OK;
	}
	/* RFC 3207 4.2: forget what the server said; EHLO again */
	c->tls = 1;
	mw__cl_discard_input(c);
	mw__cl_hello(c);
	return MW_ERR_OK;
}

mw_err
mw_client_input_buf(struct mw_client *c, unsigned char **buf, size_t *cap)
{
	if (c == NULL || buf == NULL || cap == NULL)
		return MW_ERR_INVAL;
	if (c->in_start > 0) {
		memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
		c->in_end -= c->in_start;
		c->in_start = 0;
	}
	*buf = c->in + c->in_end;
	*cap = c->in_cap - c->in_end;
	if (c->state == ST_CONNECT || c->state == ST_TLS ||
	    c->state == ST_CLOSED || c->eof)
		*cap = 0;
	return MW_ERR_OK;
}

mw_err
mw_client_input_ack(struct mw_client *c, size_t n)
{
	if (c == NULL)
		return MW_ERR_INVAL;
	if (c->state == ST_CONNECT || c->state == ST_TLS ||
	    c->state == ST_CLOSED || c->eof)
		return MW_ERR_STATE;
	if (n > c->in_cap - c->in_end)
		return MW_ERR_INVAL;
	if (n == 0)
		return MW_ERR_OK;
	c->in_end += n;
	/* a reply to nothing sent, or before its command went out */
	if (c->state != ST_QUIT &&
	    (c->qn == 0 || c->q[c->qh].end > c->acked))
		c->early = 1;
	return MW_ERR_OK;
}

mw_err
mw_client_input_eof(struct mw_client *c)
{
	if (c == NULL)
		return MW_ERR_INVAL;
	c->eof = 1;
	return MW_ERR_OK;
}

mw_err
mw_client_output(const struct mw_client *c, const unsigned char **buf,
    size_t *len)
{
	if (c == NULL || buf == NULL || len == NULL)
		return MW_ERR_INVAL;
	*buf = c->out + c->out_sent;
	*len = c->out_len - c->out_sent;
	return MW_ERR_OK;
}

mw_err
mw_client_output_ack(struct mw_client *c, size_t n)
{
	if (c == NULL)
		return MW_ERR_INVAL;
	if (n > c->out_len - c->out_sent)
		return MW_ERR_INVAL;
	c->out_sent += n;
	c->acked += n;
	if (n > 0)
		c->progress = 1;
	if (c->out_sent == c->out_len)
		c->out_sent = c->out_len = 0;
	return MW_ERR_OK;
}

const struct mw_ehlo *
mw_client_caps(const struct mw_client *c)
{
	return c != NULL ? &c->ehlo : NULL;
}

uint64_t
mw_client_discarded(const struct mw_client *c)
{
	return c != NULL ? c->discarded : 0;
}
