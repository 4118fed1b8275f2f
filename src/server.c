/*
 * src/server.c: the SMTP/LMTP server session engine (mailwire/server.h):
 * configuration, init, the input and output buffers, the reply writer
 * and the event loop. Pure: no I/O, clock or allocation. The command
 * parser (command.h), the DATA/BDAT codec (data.h) and the SASL machines
 * (sasl.h) do the parsing; the session is divided between this file,
 * server_cmd.c (sequencing, RFC 5321 4.1.4, 4.3.2), server_ehlo.c (the
 * EHLO reply), server_body.c (DATA, BDAT, end of message), server_auth.c
 * (AUTH, RFC 4954) and server_decide.c (the embedder's decisions).
 */
#include <string.h>

#include <mailwire/server.h>

#include "server_int.h"

static const char *const ev_names[] = {
	"MW_EV_NONE", "MW_EV_CONNECT", "MW_EV_HELO", "MW_EV_MAIL", "MW_EV_RCPT",
	"MW_EV_DATA", "MW_EV_BODY", "MW_EV_MESSAGE", "MW_EV_AUTH",
	"MW_EV_AUTH_FAILED", "MW_EV_STARTTLS", "MW_EV_RSET", "MW_EV_CLOSE",
	"MW_EV_ETRN"
};

static const char *const close_names[] = {
	"", "quit", "eof", "timeout", "errors", "rejected", "desync",
	"shutdown"
};

const char *
mw_server_ev_name(enum mw_server_ev ev)
{
	return (unsigned)ev < sizeof(ev_names) / sizeof(ev_names[0]) ?
	    ev_names[ev] : "MW_EV_UNKNOWN";
}

const char *
mw_server_close_name(enum mw_server_close r)
{
	return (unsigned)r < sizeof(close_names) / sizeof(close_names[0]) ?
	    close_names[r] : "";
}

void
mw_server_config_init(struct mw_server_config *cfg)
{
	if (cfg == NULL)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->extensions = MW_SERVER_EXT_DEFAULT;
	cfg->max_rcpts = MW_SERVER_MAX_RCPTS_DEFAULT;
	cfg->max_errors = MW_SERVER_MAX_ERRORS_DEFAULT;
	cfg->timeout = MW_SERVER_TIMEOUT_DEFAULT;
	mw_cmd_config_init(&cfg->cmd);
	cfg->data_bare = MW_DATA_BARE_REJECT;
	cfg->data_longline = MW_DATA_LONG_ACCEPT;
}

/* ---- output ------------------------------------------------------------ */

static size_t
out_room(struct mw_server *s)
{
	if (s->out_cap - s->out_len < RESERVE && s->sent > 0) {
		memmove(s->out, s->out + s->sent, s->out_len - s->sent);
		s->out_len -= s->sent;
		s->flush -= s->sent;
		s->sent = 0;
	}
	return s->out_cap - s->out_len;
}

void
mw__srv_put(struct mw_server *s, const char *p, size_t n)
{
	/* RESERVE is checked before every step, so this always fits; if a
	 * bug made it not, the reply is cut rather than memory overrun */
	if (n > s->out_cap - s->out_len)
		n = s->out_cap - s->out_len;
	memcpy(s->out + s->out_len, p, n);
	s->out_len += n;
}

void
mw__srv_puts(struct mw_server *s, const char *p)
{
	mw__srv_put(s, p, strlen(p));
}

void
mw__srv_putnum(struct mw_server *s, uint64_t v)
{
	struct mw__out o = { s->out + s->out_len, s->out_cap - s->out_len, 0 };

	mw__put_u64(&o, v);
	if (o.len <= o.cap)
		s->out_len += o.len;
}

int
mw__srv_esc_on(const struct mw_server *s)
{
	return (s->cfg.extensions & MW_SERVER_ENHANCEDSTATUSCODES) != 0;
}

/* One reply line: code, '-' or ' ', the enhanced status code when
 * ENHANCEDSTATUSCODES is offered (RFC 2034 3), a, b. */
void
mw__srv_line(struct mw_server *s, int code, char sep, const char *esc,
    const char *a, const char *b)
{
	char c[4];

	c[0] = (char)('0' + code / 100);
	c[1] = (char)('0' + code / 10 % 10);
	c[2] = (char)('0' + code % 10);
	c[3] = sep;
	mw__srv_put(s, c, 4);
	if (esc != NULL && mw__srv_esc_on(s)) {
		mw__srv_puts(s, esc);
		if (a != NULL || b != NULL)
			mw__srv_put(s, " ", 1);
	}
	if (a != NULL)
		mw__srv_puts(s, a);
	if (a != NULL && b != NULL)
		mw__srv_put(s, " ", 1);
	if (b != NULL)
		mw__srv_puts(s, b);
	mw__srv_put(s, "\r\n", 2);
	if (sep == ' ')
		mw__srv_answered(s);
}

void
mw__srv_reply(struct mw_server *s, int code, const char *esc, const char *text)
{
	mw__srv_line(s, code, ' ', esc, text, NULL);
}

/* The client waits for what is queued (RFC 2920 3.2). */
void
mw__srv_flush(struct mw_server *s)
{
	s->flush = s->out_len;
}

/*
 * A reply is complete. Commands are always processed and answered in the
 * order received, whether PIPELINING is offered or not (RFC 2920 3.2 (1),
 * RFC 5321 4.1.1: one reply per command), and pipelined input is never
 * refused or dropped (3.2 (9)). Only a server that offers PIPELINING may
 * hold replies to send a group as a unit (3.2 (2)); one that does not has
 * told its client to wait for every reply, so each is released at once.
 */
void
mw__srv_answered(struct mw_server *s)
{
	if (!(s->cfg.extensions & MW_SERVER_PIPELINING))
		mw__srv_flush(s);
}

/* ---- session state ----------------------------------------------------- */

static uint32_t
parser_ext(const struct mw_server *s)
{
	uint32_t e = s->cfg.extensions & MW_EXT_ALL &
	    ~(MW_EXT_AUTH | MW_EXT_REQUIRETLS);

	if (s->cfg.sasl != NULL)
		e |= MW_EXT_AUTH;	/* MAIL AUTH= (RFC 4954 5) */
	/* RFC 8689 2: offered only under TLS */
	if (s->tls && (s->cfg.extensions & MW_EXT_REQUIRETLS))
		e |= MW_EXT_REQUIRETLS;
	return e;
}

static mw_err
parser_init(struct mw_server *s)
{
	struct mw_cmd_config cc = s->cfg.cmd;

	cc.extensions = parser_ext(s);
	cc.lmtp = s->cfg.lmtp;	/* RFC 2033 4.1: LHLO, not HELO/EHLO */
	/* the scratch area sits right after the output area */
	return mw_cmd_init(&s->parser, &cc, s->out + s->out_cap,
	    s->in - (s->out + s->out_cap));
}

void
mw__srv_end_trx(struct mw_server *s)
{
	s->trx = TRX_NONE;
	s->rcpts = 0;
	s->body = 0;
	s->size = 0;
	s->refusal_code = 0;
	s->binarymime = 0;
}

/* The current command is done: its line leaves the buffer. */
void
mw__srv_done_cmd(struct mw_server *s)
{
	s->start += s->cur;
	s->cur = 0;
	s->have_cmd = 0;
	s->head = HEAD_UNKNOWN;
}

void
mw__srv_close(struct mw_server *s, enum mw_server_close why, int code,
    const char *esc, const char *text)
{
	if (code != 0 && s->out_cap - s->out_len >= 512) {
		/* RFC 5321 3.8: 421 names the host */
		mw__srv_line(s, code, ' ', esc, s->cfg.hostname, text);
		s->close_code = code;
		s->close_esc = esc;
	}
	mw__srv_flush(s);
	s->reason = why;
	s->state = ST_CLOSE;
	s->decide = 0;
}

/* A command the engine refuses on its own: counted, and past the limit
 * the session ends instead (421 4.7.0). */
void
mw__srv_bad(struct mw_server *s, int code, const char *esc, const char *text)
{
	s->errors++;
	if (s->cfg.max_errors != 0 && s->errors > s->cfg.max_errors) {
		mw__srv_close(s, MW_CLOSE_ERRORS, 421, "4.7.0",
		    "Too many errors, closing transmission channel");
		return;
	}
	mw__srv_reply(s, code, esc, text);
}

void
mw__srv_event(struct mw_server_event *ev, enum mw_server_ev type,
    enum mw_verb verb)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->verb = verb;
}

const struct mw_param *
mw__srv_param(const struct mw_cmd *c, enum mw_param_kind kind)
{
	for (unsigned i = 0; i < c->nparams; i++)
		if (c->params[i].kind == kind)
			return &c->params[i];
	return NULL;
}

/* ---- init, buffers ----------------------------------------------------- */

int
mw__srv_text_ok(const char *t, size_t max)
{
	size_t n = 0;

	for (; t[n] != '\0'; n++)
		if ((unsigned char)t[n] < 0x20 || (unsigned char)t[n] > 0x7e ||
		    n >= max)
			return 0;
	return 1;
}

/*
 * Divides buf[0..len) for a session with cfg (already checked): the SASL
 * state (with AUTH; aligned), the output area, the parser's scratch (the
 * longest line: decoding never grows it), the input area. Writes the
 * areas to s unless s is NULL. MW_ERR_NOSPACE if buf is too small.
 */
static mw_err
layout(const struct mw_server_config *cfg, unsigned char *buf, size_t len,
    struct mw_server *s)
{
	const struct mw_cmd_config *cc = &cfg->cmd;
	size_t most, need, out, pad = 0, sasl = 0, rest;

	most = cc->max_line;
	if (cc->max_mail_line > most)
		most = cc->max_mail_line;
	if (cc->max_rcpt_line > most)
		most = cc->max_rcpt_line;
	/* input: the longest line, and an AUTH response line (RFC 4954 4)
	 * with its CRLF, plus one octet to see that a longer one is */
	need = most;
	if (cfg->sasl != NULL) {
		if (need < MW_SASL_LINE_MAX + 2)
			need = MW_SASL_LINE_MAX + 2;
		pad = (_Alignof(struct mw_sasl_server) -
		    (uintptr_t)buf % _Alignof(struct mw_sasl_server)) %
		    _Alignof(struct mw_sasl_server);
		sasl = pad + sizeof(struct mw_sasl_server);
	}
	if (len < sasl)
		return MW_ERR_NOSPACE;
	rest = len - sasl;
	out = rest / 4 > MW_SERVER_OUT_MIN ? rest / 4 : MW_SERVER_OUT_MIN;
	if (rest < out + most + need)
		return MW_ERR_NOSPACE;
	if (s == NULL)
		return MW_ERR_OK;
	s->buf = buf;
	s->buf_len = len;
	s->sasl = cfg->sasl != NULL ?
	    (struct mw_sasl_server *)(void *)(buf + pad) : NULL;
	s->out = buf + sasl;
	s->out_cap = out;
	s->in = s->out + out + most;
	s->in_cap = rest - out - most;
	s->start = s->end = 0;
	s->sent = s->flush = s->out_len = 0;
	return MW_ERR_OK;
}

mw_err
mw_server_init(struct mw_server *s, const struct mw_server_config *cfg,
    unsigned char *buf, size_t len)
{
	const struct mw_cmd_config *cc;
	size_t most;
	uint32_t ext;

	if (s == NULL || cfg == NULL || buf == NULL)
		return MW_ERR_INVAL;
	ext = cfg->extensions;
	cc = &cfg->cmd;
	if (cfg->hostname == NULL || cfg->hostname[0] == '\0' ||
	    !mw__srv_text_ok(cfg->hostname, 256) || strchr(cfg->hostname, ' ')
	    ||
	    (cfg->greeting != NULL &&
	    !mw__srv_text_ok(cfg->greeting, MW_SERVER_TEXT_MAX + 1)))
		return MW_ERR_INVAL;
	/* RFC 3030 3: BINARYMIME needs CHUNKING */
	if ((ext & MW_EXT_BINARYMIME) && !(ext & MW_SERVER_CHUNKING))
		return MW_ERR_INVAL;
	/* RFC 4865 3: FUTURERELEASE has two parameters */
	if ((ext & MW_EXT_FUTURERELEASE) && (cfg->futurerelease_date == NULL ||
	    cfg->futurerelease_date[0] == '\0' ||
	    !mw__srv_text_ok(cfg->futurerelease_date, 65) ||
	    strchr(cfg->futurerelease_date, ' ')))
		return MW_ERR_INVAL;
	if (cfg->tls_required && !(ext & MW_SERVER_STARTTLS))
		return MW_ERR_INVAL;
	if (cfg->sasl != NULL && cfg->sasl->crypto == NULL)
		return MW_ERR_INVAL;
	most = cc->max_line;
	if (cc->max_mail_line > most)
		most = cc->max_mail_line;
	if (cc->max_rcpt_line > most)
		most = cc->max_rcpt_line;
	if (cc->max_line < 8 || most > 65535)
		return MW_ERR_INVAL;
	if (layout(cfg, buf, len, NULL) != MW_ERR_OK)
		return MW_ERR_NOSPACE;

	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	if (s->cfg.timeout == 0)
		s->cfg.timeout = UINT64_MAX;
	if (cfg->sasl != NULL) {
		s->sasl_cfg = *cfg->sasl;
		/* RFC 4954 4: PLAIN and LOGIN need TLS unless configured */
		if (!cfg->plaintext_auth)
			s->sasl_cfg.need_tls |= MW_SASL_PLAINTEXT_MECHS;
		s->sasl_cfg.mechs &= MW_SASL_SERVER_MECHS;
	}
	layout(cfg, buf, len, s);
	s->state = ST_CONNECT;
	if (parser_init(s) != MW_ERR_OK)
		return MW_ERR_INVAL;
	return MW_ERR_OK;
}

mw_err
mw_server_tls(struct mw_server *s, const unsigned char *peer, size_t n)
{
	if (s == NULL || (peer == NULL && n > 0))
		return MW_ERR_INVAL;
	if (s->buf == NULL || (s->state != ST_CONNECT && s->state != ST_TLS))
		return MW_ERR_STATE;
	s->tls = 1;
	s->peer = peer;
	s->peer_len = n;
	if (parser_init(s) != MW_ERR_OK)
		return MW_ERR_INVAL;
	if (s->state == ST_TLS) {
		s->state = ST_CMD;
		s->fresh = 1;	/* the handshake was activity */
	}
	return MW_ERR_OK;
}

static int
reading(const struct mw_server *s)
{
	return s->state != ST_TLS && s->state != ST_CLOSE &&
	    s->state != ST_DONE && !s->eof;
}

mw_err
mw_server_input_buf(struct mw_server *s, unsigned char **buf, size_t *cap)
{
	if (s == NULL || buf == NULL || cap == NULL)
		return MW_ERR_INVAL;
	if (s->buf == NULL)
		return MW_ERR_STATE;
	if (s->start > 0) {
		memmove(s->in, s->in + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	*buf = s->in + s->end;
	*cap = reading(s) ? s->in_cap - s->end : 0;
	return MW_ERR_OK;
}

mw_err
mw_server_input_ack(struct mw_server *s, size_t n)
{
	if (s == NULL)
		return MW_ERR_INVAL;
	if (s->buf == NULL)
		return MW_ERR_STATE;
	if (n == 0)
		return MW_ERR_OK;
	if (!reading(s))
		return MW_ERR_STATE;
	if (n > s->in_cap - s->end)
		return MW_ERR_INVAL;
	s->end += n;
	s->fresh = 1;
	return MW_ERR_OK;
}

mw_err
mw_server_input_eof(struct mw_server *s)
{
	if (s == NULL)
		return MW_ERR_INVAL;
	s->eof = 1;
	return MW_ERR_OK;
}

mw_err
mw_server_shutdown(struct mw_server *s)
{
	if (s == NULL)
		return MW_ERR_INVAL;
	s->shutdown = 1;
	return MW_ERR_OK;
}

mw_err
mw_server_output(const struct mw_server *s, const unsigned char **buf,
    size_t *len)
{
	if (s == NULL || buf == NULL || len == NULL)
		return MW_ERR_INVAL;
	if (s->buf == NULL)
		return MW_ERR_STATE;
	*buf = s->out + s->sent;
	*len = s->flush - s->sent;
	return MW_ERR_OK;
}

mw_err
mw_server_output_ack(struct mw_server *s, size_t n)
{
	if (s == NULL)
		return MW_ERR_INVAL;
	if (s->buf == NULL)
		return MW_ERR_STATE;
	if (n > s->flush - s->sent)
		return MW_ERR_INVAL;
	s->sent += n;
	if (s->sent == s->out_len)
		s->sent = s->flush = s->out_len = 0;
	return MW_ERR_OK;
}

/* Idle: waiting for the next command with nothing in the buffer (see
 * mailwire/server.h). The parser's state, the transaction's, BDAT's and
 * the decoder's are in the struct; the SASL state matters only in
 * ST_AUTH; event pointers only until the next call. */
static int
idle(const struct mw_server *s)
{
	return s->buf != NULL && s->state == ST_CMD && s->decide == 0 &&
	    !s->have_cmd && s->cur == 0 && s->start == s->end &&
	    s->out_len == 0 && !s->eof && !s->shutdown;
}

mw_err
mw_server_detach(struct mw_server *s, unsigned char **buf, size_t *len)
{
	if (s == NULL || buf == NULL || len == NULL)
		return MW_ERR_INVAL;
	if (!idle(s))
		return MW_ERR_STATE;
	*buf = s->buf;
	*len = s->buf_len;
	s->buf = NULL;
	s->buf_len = 0;
	s->sasl = NULL;
	s->in = s->out = NULL;
	s->in_cap = s->out_cap = 0;
	s->start = s->end = 0;
	s->parser.scratch = NULL;
	s->parser.scratch_len = 0;
	return MW_ERR_OK;
}

mw_err
mw_server_attach(struct mw_server *s, unsigned char *buf, size_t len)
{
	size_t most;

	if (s == NULL || buf == NULL)
		return MW_ERR_INVAL;
	if (s->buf != NULL)
		return MW_ERR_STATE;
	if (layout(&s->cfg, buf, len, s) != MW_ERR_OK)
		return MW_ERR_NOSPACE;
	/* the parser keeps its place (a line start, or skipping a refused
	 * line): only its scratch area moves, so it is not initialised
	 * again; it holds nothing while the session is idle */
	most = (size_t)(s->in - (s->out + s->out_cap));
	s->parser.scratch = s->out + s->out_cap;
	s->parser.scratch_len = most;
	s->parser.scratch_used = 0;
	return MW_ERR_OK;
}

uint64_t
mw_server_deadline(const struct mw_server *s)
{
	if (s == NULL || s->decide || s->state == ST_TLS ||
	    s->state == ST_CLOSE || s->state == ST_DONE ||
	    s->state == ST_CONNECT)
		return UINT64_MAX;
	if (s->cfg.timeout > UINT64_MAX - s->last)
		return UINT64_MAX;
	return s->last + s->cfg.timeout;
}
/* ---- the loop ---------------------------------------------------------- */

static int
timed_out(const struct mw_server *s)
{
	return s->now > s->last && s->now - s->last >= s->cfg.timeout;
}

mw_err
mw_server_next(struct mw_server *s, uint64_t now, struct mw_server_event *ev)
{
	int r = 0;

	if (s == NULL || ev == NULL)
		return MW_ERR_INVAL;
	/* a detached session is attached first (mw_server_attach) */
	if (s->buf == NULL || s->decide || s->state == ST_TLS ||
	    s->state == ST_DONE)
		return MW_ERR_STATE;
	s->now = now;
	if (s->fresh) {
		s->last = now;
		s->fresh = 0;
	}
	for (;;) {
		if (s->state == ST_CONNECT) {
			s->last = now;
			mw__srv_event(ev, MW_EV_CONNECT, MW_VERB_NONE);
			s->decide = MW_EV_CONNECT;
			return MW_ERR_OK;
		}
		if (s->state == ST_CLOSE) {
			if (s->trx == TRX_OPEN) {
				mw__srv_end_trx(s);
				mw__srv_event(ev, MW_EV_RSET, MW_VERB_NONE);
				ev->code = s->close_code;
				ev->esc = s->close_esc;
				return MW_ERR_OK;
			}
			mw__srv_event(ev, MW_EV_CLOSE, MW_VERB_NONE);
			ev->code = s->close_code;
			ev->esc = s->close_esc;
			ev->reason = s->reason;
			mw__srv_flush(s);
			s->state = ST_DONE;
			return MW_ERR_OK;
		}
		if (s->shutdown) {
			/* RFC 5321 3.8: a server going down says 421 */
			mw__srv_close(s, MW_CLOSE_SHUTDOWN, 421, "4.3.2",
			    "Service shutting down, closing transmission "
			    "channel");
			continue;
		}
		if (out_room(s) < RESERVE) {
			/* the client does not read: wait for it to */
			mw__srv_flush(s);
			if (!timed_out(s))
				return MW_ERR_AGAIN;
			mw__srv_close(s, MW_CLOSE_TIMEOUT, 421, "4.4.2",
			    "Timeout, closing transmission channel");
			continue;
		}
		switch (s->state) {
		case ST_CMD:
			r = s->have_cmd || mw__srv_read_cmd(s) ?
			    mw__srv_command(s, ev) : -1;
			break;
		case ST_AUTH:
			r = mw__srv_auth_line(s, ev);
			break;
		case ST_DATA:
			r = mw__srv_data(s, ev);
			break;
		case ST_BDAT:
			r = mw__srv_chunk(s, ev);
			break;
		case ST_REPLIES:
			r = mw__srv_replies(s, ev);
			break;
		}
		if (r > 0)
			return MW_ERR_OK;
		if (r == 0)
			continue;
		if (s->eof) {
			mw__srv_close(s, MW_CLOSE_EOF, 0, NULL, NULL);
			continue;
		}
		/* RFC 5321 4.5.3.2.7 */
		if (timed_out(s)) {
			mw__srv_close(s, MW_CLOSE_TIMEOUT, 421, "4.4.2",
			    "Timeout, closing transmission channel");
			continue;
		}
		/* RFC 2920 3.2: the client waits for these replies now */
		mw__srv_flush(s);
		return MW_ERR_AGAIN;
	}
}
