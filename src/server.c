/*
 * src/server.c: the SMTP/LMTP server session engine (mailwire/server.h).
 * Pure: no I/O, clock or allocation. The command parser (command.h), the
 * DATA/BDAT codec (data.h) and the SASL machines (sasl.h) do the parsing;
 * this file holds the session: sequencing (RFC 5321 4.1.4, 4.3.2), the
 * replies, pipelining (RFC 2920), STARTTLS (RFC 3207), AUTH (RFC 4954),
 * CHUNKING (RFC 3030), LMTP (RFC 2033) and the limits.
 */
#include <string.h>

#include <mailwire/esc.h>
#include <mailwire/server.h>

enum {
	ST_CONNECT,	/* MW_EV_CONNECT not yet given */
	ST_CMD,		/* reading commands */
	ST_AUTH,	/* reading an AUTH response line */
	ST_DATA,	/* reading a DATA body */
	ST_BDAT,	/* reading a BDAT chunk */
	ST_REPLIES,	/* end of message: one reply (LMTP: per recipient) */
	ST_TLS,		/* waiting for mw_server_tls() */
	ST_CLOSE,	/* closing: RSET if a transaction is open, then CLOSE */
	ST_DONE
};

enum { TRX_NONE, TRX_OPEN, TRX_FAILED };

/* The head of a command line, looked at before the parser sees it. */
enum { HEAD_UNKNOWN, HEAD_OTHER, HEAD_BDAT, HEAD_LHLO };

/* Output every step may need: the largest is a 334 challenge (base64 of
 * MW_SASL_MSG_MAX octets, 2732) or an EHLO reply (under 1300). */
#define RESERVE		3072

_Static_assert(MW_SERVER_OUT_MIN >= 2 * RESERVE, "output area too small");

static const char *const ev_names[] = {
	"MW_EV_NONE", "MW_EV_CONNECT", "MW_EV_HELO", "MW_EV_MAIL", "MW_EV_RCPT",
	"MW_EV_DATA", "MW_EV_BODY", "MW_EV_MESSAGE", "MW_EV_AUTH",
	"MW_EV_AUTH_FAILED", "MW_EV_STARTTLS", "MW_EV_RSET", "MW_EV_CLOSE"
};

static const char *const close_names[] = {
	"", "quit", "eof", "timeout", "errors", "rejected", "desync"
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

static void
put(struct mw_server *s, const char *p, size_t n)
{
	/* RESERVE is checked before every step, so this always fits; if a
	 * bug made it not, the reply is cut rather than memory overrun */
	if (n > s->out_cap - s->out_len)
		n = s->out_cap - s->out_len;
	memcpy(s->out + s->out_len, p, n);
	s->out_len += n;
}

static void
puts_(struct mw_server *s, const char *p)
{
	put(s, p, strlen(p));
}

static void
putnum(struct mw_server *s, uint64_t v)
{
	char b[24];
	size_t i = sizeof(b);

	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	put(s, b + i, sizeof(b) - i);
}

static int
esc_on(const struct mw_server *s)
{
	return (s->cfg.extensions & MW_SERVER_ENHANCEDSTATUSCODES) != 0;
}

/* One reply line: code, '-' or ' ', the enhanced status code when
 * ENHANCEDSTATUSCODES is offered (RFC 2034 3), a, b. */
static void
line(struct mw_server *s, int code, char sep, const char *esc, const char *a,
    const char *b)
{
	char c[4];

	c[0] = (char)('0' + code / 100);
	c[1] = (char)('0' + code / 10 % 10);
	c[2] = (char)('0' + code % 10);
	c[3] = sep;
	put(s, c, 4);
	if (esc != NULL && esc_on(s)) {
		puts_(s, esc);
		if (a != NULL || b != NULL)
			put(s, " ", 1);
	}
	if (a != NULL)
		puts_(s, a);
	if (a != NULL && b != NULL)
		put(s, " ", 1);
	if (b != NULL)
		puts_(s, b);
	put(s, "\r\n", 2);
}

static void
reply(struct mw_server *s, int code, const char *esc, const char *text)
{
	line(s, code, ' ', esc, text, NULL);
}

/* The client waits for what is queued (RFC 2920 3.2). */
static void
flush(struct mw_server *s)
{
	s->flush = s->out_len;
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
	/* the scratch area sits right after the output area */
	return mw_cmd_init(&s->parser, &cc, s->out + s->out_cap,
	    s->in - (s->out + s->out_cap));
}

static void
end_trx(struct mw_server *s)
{
	s->trx = TRX_NONE;
	s->rcpts = 0;
	s->body = 0;
	s->size = 0;
	s->refusal_code = 0;
	s->binarymime = 0;
}

/* The current command is done: its line leaves the buffer. */
static void
done_cmd(struct mw_server *s)
{
	s->start += s->cur;
	s->cur = 0;
	s->have_cmd = 0;
	s->head = HEAD_UNKNOWN;
	s->lhlo = 0;
}

static void
close_with(struct mw_server *s, enum mw_server_close why, int code,
    const char *esc, const char *text)
{
	if (code != 0 && s->out_cap - s->out_len >= 512) {
		/* RFC 5321 3.8: 421 names the host */
		line(s, code, ' ', esc, s->cfg.hostname, text);
		s->close_code = code;
		s->close_esc = esc;
	}
	flush(s);
	s->reason = why;
	s->state = ST_CLOSE;
	s->decide = 0;
}

/* A command the engine refuses on its own: counted, and past the limit
 * the session ends instead (421 4.7.0). */
static void
bad(struct mw_server *s, int code, const char *esc, const char *text)
{
	s->errors++;
	if (s->cfg.max_errors != 0 && s->errors > s->cfg.max_errors) {
		close_with(s, MW_CLOSE_ERRORS, 421, "4.7.0",
		    "Too many errors, closing transmission channel");
		return;
	}
	reply(s, code, esc, text);
}

static void
event(struct mw_server_event *ev, enum mw_server_ev type, enum mw_verb verb)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->verb = verb;
}

static const struct mw_param *
param(const struct mw_cmd *c, enum mw_param_kind kind)
{
	for (unsigned i = 0; i < c->nparams; i++)
		if (c->params[i].kind == kind)
			return &c->params[i];
	return NULL;
}

/* ---- init, buffers ----------------------------------------------------- */

static int
text_ok(const char *t, size_t max)
{
	size_t n = 0;

	for (; t[n] != '\0'; n++)
		if ((unsigned char)t[n] < 0x20 || (unsigned char)t[n] > 0x7e ||
		    n >= max)
			return 0;
	return 1;
}

mw_err
mw_server_init(struct mw_server *s, const struct mw_server_config *cfg,
    unsigned char *buf, size_t len)
{
	const struct mw_cmd_config *cc;
	size_t most, out, need;
	uint32_t ext;

	if (s == NULL || cfg == NULL || buf == NULL)
		return MW_ERR_INVAL;
	ext = cfg->extensions;
	cc = &cfg->cmd;
	if (cfg->hostname == NULL || cfg->hostname[0] == '\0' ||
	    !text_ok(cfg->hostname, 256) || strchr(cfg->hostname, ' ') ||
	    (cfg->greeting != NULL &&
	    !text_ok(cfg->greeting, MW_SERVER_TEXT_MAX + 1)))
		return MW_ERR_INVAL;
	/* RFC 3030 3: BINARYMIME needs CHUNKING */
	if ((ext & MW_EXT_BINARYMIME) && !(ext & MW_SERVER_CHUNKING))
		return MW_ERR_INVAL;
	/* RFC 4865 3: FUTURERELEASE has two parameters */
	if ((ext & MW_EXT_FUTURERELEASE) && (cfg->futurerelease_date == NULL ||
	    cfg->futurerelease_date[0] == '\0' ||
	    !text_ok(cfg->futurerelease_date, 65) ||
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
	/* input: the longest line, and an AUTH response line (RFC 4954 4)
	 * with its CRLF, plus one octet to see that a longer one is */
	need = most;
	if (cfg->sasl != NULL && need < MW_SASL_LINE_MAX + 2)
		need = MW_SASL_LINE_MAX + 2;
	out = len / 4 > MW_SERVER_OUT_MIN ? len / 4 : MW_SERVER_OUT_MIN;
	if (len < out + most + need)
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
	s->out = buf;
	s->out_cap = out;
	s->in = buf + out + most;
	s->in_cap = len - out - most;
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
	if (s->state != ST_CONNECT && s->state != ST_TLS)
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
mw_server_output(const struct mw_server *s, const unsigned char **buf,
    size_t *len)
{
	if (s == NULL || buf == NULL || len == NULL)
		return MW_ERR_INVAL;
	*buf = s->out + s->sent;
	*len = s->flush - s->sent;
	return MW_ERR_OK;
}

mw_err
mw_server_output_ack(struct mw_server *s, size_t n)
{
	if (s == NULL)
		return MW_ERR_INVAL;
	if (n > s->flush - s->sent)
		return MW_ERR_INVAL;
	s->sent += n;
	if (s->sent == s->out_len)
		s->sent = s->flush = s->out_len = 0;
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

/* ---- EHLO -------------------------------------------------------------- */

static void
ehlo_reply(struct mw_server *s, const char *text)
{
	const char *kw[24];
	uint32_t ext = s->cfg.extensions, mechs = 0;
	size_t n = 0;
	int size = -1, auth = -1, fr = -1;

	if (ext & MW_SERVER_PIPELINING)
		kw[n++] = "PIPELINING";
	if (ext & MW_EXT_SIZE) {
		size = (int)n;
		kw[n++] = "SIZE";
	}
	if (ext & MW_EXT_8BITMIME)
		kw[n++] = "8BITMIME";
	if (ext & MW_EXT_BINARYMIME)
		kw[n++] = "BINARYMIME";
	if (ext & MW_SERVER_CHUNKING)
		kw[n++] = "CHUNKING";
	if (ext & MW_EXT_DSN)
		kw[n++] = "DSN";
	if (ext & MW_SERVER_ENHANCEDSTATUSCODES)
		kw[n++] = "ENHANCEDSTATUSCODES";
	if (ext & MW_EXT_SMTPUTF8)
		kw[n++] = "SMTPUTF8";
	/* RFC 3207 4.2: not after the handshake */
	if ((ext & MW_SERVER_STARTTLS) && !s->tls)
		kw[n++] = "STARTTLS";
	if (s->cfg.sasl != NULL) {
		mechs = s->sasl_cfg.mechs;
		/* RFC 4954 4: no plaintext mechanism without TLS, and none
		 * that would be refused for its lack */
		if (!s->tls)
			mechs &= ~s->sasl_cfg.need_tls;
		/* EXTERNAL only with a certificate identity */
		if (s->peer == NULL)
			mechs &= ~MW_AUTH_BIT(MW_AUTH_EXTERNAL);
		if (mechs != 0) {
			auth = (int)n;
			kw[n++] = "AUTH";
		}
	}
	/* RFC 8689 2 */
	if ((ext & MW_EXT_REQUIRETLS) && s->tls)
		kw[n++] = "REQUIRETLS";
	if (ext & MW_EXT_MTPRIORITY)
		kw[n++] = "MT-PRIORITY";
	if (ext & MW_EXT_FUTURERELEASE) {
		fr = (int)n;
		kw[n++] = "FUTURERELEASE";
	}
	if (ext & MW_EXT_DELIVERBY)
		kw[n++] = "DELIVERBY";
	if (ext & MW_EXT_RRVS)
		kw[n++] = "RRVS";

	/* RFC 5321 4.1.1.1: ehlo-ok-rsp; no enhanced code (RFC 2034 3) */
	line(s, 250, n > 0 ? '-' : ' ', NULL, s->cfg.hostname, text);
	for (size_t i = 0; i < n; i++) {
		put(s, "250", 3);
		put(s, i + 1 < n ? "-" : " ", 1);
		puts_(s, kw[i]);
		if ((int)i == size && s->cfg.max_size != 0) {
			/* RFC 1870 4 */
			put(s, " ", 1);
			putnum(s, s->cfg.max_size);
		}
		if ((int)i == auth) {
			/* RFC 4954 3 */
			for (int m = 0; m < MW_AUTH__COUNT; m++)
				if (mechs & MW_AUTH_BIT(m)) {
					put(s, " ", 1);
					puts_(s, mw_auth_mech_name(
					    (enum mw_auth_mech)m));
				}
		}
		if ((int)i == fr) {
			/* RFC 4865 3 */
			put(s, " ", 1);
			putnum(s, s->cfg.futurerelease_interval);
			put(s, " ", 1);
			puts_(s, s->cfg.futurerelease_date);
		}
		put(s, "\r\n", 2);
	}
}

/* ---- commands ---------------------------------------------------------- */

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
 * chunk follows), and LMTP's LHLO has no rule in the parser yet. */
static void
classify(struct mw_server *s)
{
	unsigned char *p = s->in + s->start;
	size_t n = s->end - s->start;
	int b = head_is(p, n, "BDAT");
	int l = s->cfg.lmtp ? head_is(p, n, "LHLO") : 0;

	if (b == 1) {
		s->head = HEAD_BDAT;
	} else if (l == 1) {
		/* RFC 2033 4.1: LHLO has EHLO's syntax. Until the parser has
		 * the rule, the verb is rewritten in place and parsed as
		 * EHLO; lhlo remembers what the client sent. */
		memcpy(p, "EHLO", 4);
		s->head = HEAD_LHLO;
		s->lhlo = 1;
	} else if (b == 0 && l == 0) {
		s->head = HEAD_OTHER;
	}
}

/* 1: s->cmd holds the next command; 0: more input is needed. */
static int
read_cmd(struct mw_server *s)
{
	size_t used = 0;

	if (s->head == HEAD_UNKNOWN) {
		classify(s);
		if (s->head == HEAD_UNKNOWN && s->cfg.lmtp)
			return 0;
	}
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
static int
reset(struct mw_server *s, struct mw_server_event *ev, enum mw_verb v)
{
	int was = s->trx;

	end_trx(s);
	if (was != TRX_OPEN)
		return 0;
	event(ev, MW_EV_RSET, v);
	return 1;
}

static int
decision(struct mw_server *s, struct mw_server_event *ev,
    enum mw_server_ev type)
{
	event(ev, type, s->cmd.verb);
	ev->cmd = &s->cmd;
	ev->line = s->in + s->start;
	s->decide = type;
	return 1;
}

/* BDAT whose chunk is read and dropped, then answered (RFC 3030 2: the
 * server "MUST accept and discard" the chunk of a refused BDAT). */
static int
skip_chunk(struct mw_server *s, int code, const char *esc, const char *text,
    int counted)
{
	done_cmd(s);
	/* the reply may go before the chunk is read: nothing else can come
	 * between them, so the order holds */
	if (counted)
		bad(s, code, esc, text);
	else
		reply(s, code, esc, text);
	s->bdat_begun = 0;
	if (s->state != ST_CLOSE)
		s->state = ST_BDAT;
	return 0;
}

static int
begin_chunk(struct mw_server *s)
{
	mw_err e;

	e = mw_bdat_begin(&s->bdat, s->chunk, s->bdat_last);
	if (e == MW_ERR_STATE)
		/* RFC 3030 2: BDAT after LAST */
		return skip_chunk(s, 503, "5.5.1", "Bad sequence of commands",
		    1);
	done_cmd(s);
	/* MW_ERR_LIMIT: read, dropped, refused with mw_bdat_reply() */
	s->bdat_begun = 1;
	s->bdat_discard = e != MW_ERR_OK;
	s->state = ST_BDAT;
	return 0;
}

static int
bdat(struct mw_server *s, struct mw_server_event *ev)
{
	s->chunk = s->cmd.bdat_size;
	s->chunk_size = s->cmd.bdat_size;
	s->bdat_last = s->cmd.bdat_last;
	if (!(s->cfg.extensions & MW_SERVER_CHUNKING))
		return skip_chunk(s, 502, "5.5.1", "Command not implemented", 1);
	if (s->refused)
		return skip_chunk(s, 503, "5.5.1", "Bad sequence of commands", 1);
	if (s->cfg.tls_required && !s->tls)
		return skip_chunk(s, 530, "5.7.0",
		    "Must issue a STARTTLS command first", 1);
	if (s->trx == TRX_NONE)
		return skip_chunk(s, 503, "5.5.1", "Need MAIL command", 1);
	/* RFC 5321 3.3 */
	if (s->trx == TRX_OPEN && s->rcpts == 0)
		return skip_chunk(s, 554, "5.5.1", "No valid recipients", 1);
	if (s->trx == TRX_OPEN && s->body == 0) {
		decision(s, ev, MW_EV_DATA);
		ev->size = s->chunk;
		return 1;
	}
	return begin_chunk(s);
}

static int
sasl_reply(struct mw_server *s, mw_err err, struct mw_sasl_reply *rep,
    struct mw_server_event *ev)
{
	const unsigned char *cid, *zid;
	size_t cn, zn;

	if (err != MW_ERR_OK) {
		/* the crypto provider failed: RFC 4954 6 temporary failure */
		rep->code = 454;
		rep->esc = "4.7.0";
		rep->text = "Temporary authentication failure";
	}
	if (rep->code == 334) {
		/* the challenge is already in place after "334 " */
		memcpy(s->out + s->out_len, "334 ", 4);
		s->out_len += 4 + rep->len;
		put(s, "\r\n", 2);
		flush(s);
		s->state = ST_AUTH;
		s->scan = 0;
		s->longline = 0;
		return 0;
	}
	s->state = ST_CMD;
	if (rep->code == 235 &&
	    mw_sasl_server_identity(&s->sasl, &cid, &cn, &zid, &zn) == MW_ERR_OK) {
		event(ev, MW_EV_AUTH, MW_VERB_AUTH);
		ev->data = cid;
		ev->len = cn;
		ev->authzid = zid;
		ev->authzid_len = zn;
		s->decide = MW_EV_AUTH;
		return 1;
	}
	if (rep->code == 235) {
		rep->code = 454;
		rep->esc = "4.7.0";
		rep->text = "Temporary authentication failure";
	}
	/* failures count: they bound password guessing per session */
	bad(s, rep->code, rep->esc, rep->text);
	event(ev, MW_EV_AUTH_FAILED, MW_VERB_AUTH);
	ev->code = rep->code;
	ev->esc = rep->esc;
	return 1;
}

static struct mw_sasl_session
sasl_session(const struct mw_server *s)
{
	struct mw_sasl_session sess;

	sess.tls = s->tls;
	sess.external = s->peer;
	sess.external_len = s->peer_len;
	sess.now = s->now / 1000;
	return sess;
}

static int
auth(struct mw_server *s, struct mw_server_event *ev)
{
	const struct mw_cmd *c = &s->cmd;
	const unsigned char *l = s->in + s->start;
	struct mw_sasl_session sess = sasl_session(s);
	struct mw_sasl_reply rep;
	mw_err err;

	memset(&rep, 0, sizeof(rep));
	err = mw_sasl_server_auth(&s->sasl, &s->sasl_cfg, &sess, l + c->arg.off,
	    c->arg.len, l + c->initial_response.off, c->initial_response.len,
	    c->initial_response.len > 0, s->out + s->out_len + 4,
	    s->out_cap - s->out_len - 6, &rep);
	done_cmd(s);
	return sasl_reply(s, err, &rep, ev);
}

/* 1: an event; 0: go on; -1: more input is needed. */
static int
auth_line(struct mw_server *s, struct mw_server_event *ev)
{
	const unsigned char *p = s->in + s->start, *lf;
	size_t n = s->end - s->start, len, next;
	struct mw_sasl_reply rep;
	mw_err err = MW_ERR_OK;
	int bare;

	lf = memchr(p + s->scan, '\n', n - s->scan);
	if (lf == NULL) {
		if (n >= MW_SASL_LINE_MAX + 2) {
			/* RFC 4954 4: over 12288 octets; dropped as it comes,
			 * never buffered, answered at its end */
			s->longline += n;
			s->start = s->end;
			s->scan = 0;
		} else {
			s->scan = n;
		}
		return -1;
	}
	len = (size_t)(lf - p);
	next = len + 1;
	bare = !(len > 0 && p[len - 1] == '\r');
	if (!bare)
		len--;
	memset(&rep, 0, sizeof(rep));
	if (s->longline > 0 || len > MW_SASL_LINE_MAX) {
		uint64_t total = s->longline + len;

		if (total > (uint64_t)SIZE_MAX || total <= MW_SASL_LINE_MAX)
			total = MW_SASL_LINE_MAX + 1;
		err = mw_sasl_server_line(&s->sasl, NULL, (size_t)total,
		    s->out + s->out_len + 4, s->out_cap - s->out_len - 6, &rep);
	} else if (bare && !(s->cfg.cmd.lenient & MW_LENIENT_BARE_LF)) {
		/* RFC 5321 2.3.8: lines end with CRLF */
		rep.code = 501;
		rep.esc = "5.5.2";
		rep.text = "Bare LF: lines end with CRLF";
	} else {
		err = mw_sasl_server_line(&s->sasl, p, len,
		    s->out + s->out_len + 4, s->out_cap - s->out_len - 6, &rep);
	}
	s->start += next;
	s->scan = 0;
	s->longline = 0;
	return sasl_reply(s, err, &rep, ev);
}

static int
command(struct mw_server *s, struct mw_server_event *ev)
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
			done_cmd(s);
			close_with(s, MW_CLOSE_DESYNC, 421, "4.5.0",
			    "Unreadable BDAT command, closing transmission "
			    "channel");
			return 0;
		}
		mw_cmd_reply(c->error, v, &code, &esc, &text);
		done_cmd(s);
		bad(s, code, esc, text);
		return 0;
	}
	if (v == MW_VERB_BDAT)
		return bdat(s, ev);
	/* RFC 2033 4.1: an LMTP server knows LHLO, not HELO or EHLO */
	if (s->cfg.lmtp && (v == MW_VERB_HELO ||
	    (v == MW_VERB_EHLO && !s->lhlo))) {
		done_cmd(s);
		bad(s, 500, "5.5.1", "Command unrecognized: this is LMTP");
		return 0;
	}
	/* RFC 5321 3.1: after a 554 greeting, 503 to all but QUIT */
	if (s->refused && v != MW_VERB_QUIT) {
		done_cmd(s);
		bad(s, 503, "5.5.1", "Bad sequence of commands");
		return 0;
	}
	/* RFC 3207 4 */
	if (s->cfg.tls_required && !s->tls && v != MW_VERB_NOOP &&
	    v != MW_VERB_EHLO && v != MW_VERB_STARTTLS && v != MW_VERB_QUIT) {
		done_cmd(s);
		bad(s, 530, "5.7.0", "Must issue a STARTTLS command first");
		return 0;
	}
	switch (v) {
	case MW_VERB_EHLO:
	case MW_VERB_HELO:
		/* RFC 5321 4.1.4: EHLO in a transaction resets it */
		if (s->trx != TRX_NONE)
			return reset(s, ev, v);
		decision(s, ev, MW_EV_HELO);
		ev->lhlo = s->lhlo;
		return 1;
	case MW_VERB_MAIL:
		/* RFC 5321 4.1.4: HELO or EHLO first; no nested MAIL */
		if (!s->hello) {
			done_cmd(s);
			bad(s, 503, "5.5.1", "Send HELO/EHLO first");
		} else if (s->trx != TRX_NONE) {
			done_cmd(s);
			bad(s, 503, "5.5.1", "Nested MAIL command");
		} else if (s->cfg.auth_required && !s->authed) {
			/* RFC 4954 6 */
			done_cmd(s);
			bad(s, 530, "5.7.0", "Authentication required");
		} else if ((p = param(c, MW_PARAM_SIZE)) != NULL &&
		    s->cfg.max_size != 0 && p->number > s->cfg.max_size) {
			/* RFC 1870 6.1 */
			done_cmd(s);
			reply(s, 552, "5.3.4", "Message size exceeds fixed "
			    "maximum message size");
		} else {
			decision(s, ev, MW_EV_MAIL);
			ev->size = p != NULL ? p->number : 0;
			return 1;
		}
		return 0;
	case MW_VERB_RCPT:
		if (s->trx != TRX_OPEN || s->body != 0) {
			done_cmd(s);
			bad(s, 503, "5.5.1", "Need MAIL command");
		} else if (s->cfg.max_rcpts != 0 &&
		    s->rcpts >= s->cfg.max_rcpts) {
			/* RFC 5321 4.5.3.1.10 */
			done_cmd(s);
			reply(s, 452, "4.5.3", "Too many recipients");
		} else {
			decision(s, ev, MW_EV_RCPT);
			ev->rcpt = s->rcpts;
			return 1;
		}
		return 0;
	case MW_VERB_DATA:
		done_cmd(s);
		if (s->trx == TRX_NONE)
			bad(s, 503, "5.5.1", "Need MAIL command");
		else if (s->trx == TRX_FAILED || s->body != 0)
			/* RFC 3030 2: no DATA after BDAT */
			bad(s, 503, "5.5.1", "DATA not allowed after BDAT");
		else if (s->binarymime)
			/* RFC 3030 3 */
			bad(s, 503, "5.5.1", "BODY=BINARYMIME requires BDAT");
		else if (s->rcpts == 0)
			/* RFC 5321 3.3 */
			bad(s, 554, "5.5.1", "No valid recipients");
		else {
			event(ev, MW_EV_DATA, v);
			s->decide = MW_EV_DATA;
			return 1;
		}
		return 0;
	case MW_VERB_RSET:
		done_cmd(s);
		reply(s, 250, "2.0.0", "OK");
		return reset(s, ev, v);
	case MW_VERB_NOOP:
		done_cmd(s);
		reply(s, 250, "2.0.0", "OK");
		return 0;
	case MW_VERB_HELP:
		done_cmd(s);
		reply(s, 214, "2.0.0", "See RFC 5321");
		return 0;
	case MW_VERB_VRFY:
		/* RFC 5321 3.5.3 */
		done_cmd(s);
		reply(s, 252, "2.5.0", "Cannot VRFY user, but will accept "
		    "message and attempt delivery");
		return 0;
	case MW_VERB_EXPN:
		/* RFC 5321 3.5.2, 7.3: a server may disable EXPN */
		done_cmd(s);
		reply(s, 502, "5.5.1", "Command not implemented");
		return 0;
	case MW_VERB_QUIT:
		done_cmd(s);
		close_with(s, MW_CLOSE_QUIT, 221, "2.0.0",
		    "Service closing transmission channel");
		return 0;
	case MW_VERB_STARTTLS:
		done_cmd(s);
		if (!(s->cfg.extensions & MW_SERVER_STARTTLS))
			bad(s, 502, "5.5.1", "Command not implemented");
		else if (s->tls)
			/* RFC 3207 4 */
			bad(s, 503, "5.5.1", "TLS already active");
		else if (!s->hello)
			bad(s, 503, "5.5.1", "Send EHLO first");
		else if (s->trx != TRX_NONE)
			bad(s, 503, "5.5.1", "Mail transaction in progress");
		else {
			reply(s, 220, "2.0.0", "Ready to start TLS");
			flush(s);
			event(ev, MW_EV_STARTTLS, v);
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
			done_cmd(s);
			bad(s, 502, "5.5.1", "Command not implemented");
		} else if (!s->hello) {
			done_cmd(s);
			bad(s, 503, "5.5.1", "Send EHLO first");
		} else if (s->authed) {
			/* RFC 4954 4 */
			done_cmd(s);
			bad(s, 503, "5.5.1", "Already authenticated");
		} else if (s->trx != TRX_NONE) {
			/* RFC 4954 4 */
			done_cmd(s);
			bad(s, 503, "5.5.1", "Mail transaction in progress");
		} else {
			return auth(s, ev);
		}
		return 0;
	default:
		done_cmd(s);
		bad(s, 500, "5.5.1", "Command unrecognized");
		return 0;
	}
}

/* ---- message bodies ---------------------------------------------------- */

static int
message_end(struct mw_server *s, struct mw_server_event *ev,
    const struct mw_data_reply *r, uint64_t size)
{
	s->state = ST_REPLIES;
	s->index = 0;
	s->size = size;
	if (r == NULL)
		return 0;
	/* refused by a limit or policy: nothing of it is delivered */
	s->refusal_code = r->code;
	s->refusal_esc = r->esc;
	s->refusal_text = r->text;
	s->trx = TRX_FAILED;
	event(ev, MW_EV_RSET, (enum mw_verb)s->body);
	ev->code = r->code;
	ev->esc = r->esc;
	return 1;
}

static int
replies(struct mw_server *s, struct mw_server_event *ev)
{
	/* RFC 2033 4.2: LMTP answers once per accepted recipient */
	uint32_t n = s->cfg.lmtp ? s->rcpts : 1;

	if (s->index >= n) {
		end_trx(s);
		s->state = ST_CMD;
		return 0;
	}
	if (s->refusal_code != 0) {
		reply(s, s->refusal_code, s->refusal_esc, s->refusal_text);
		s->index++;
		return 0;
	}
	event(ev, MW_EV_MESSAGE, (enum mw_verb)s->body);
	ev->rcpt = s->index;
	ev->size = s->size;
	s->decide = MW_EV_MESSAGE;
	return 1;
}

static int
data(struct mw_server *s, struct mw_server_event *ev)
{
	const unsigned char *span = NULL;
	size_t used = 0, len = 0;

	if (mw_data_dec_done(&s->dec))
		return message_end(s, ev, mw_data_dec_reply(&s->dec),
		    mw_data_dec_size(&s->dec));
	if (s->start == s->end)
		return -1;
	if (mw_data_dec_reply(&s->dec) != NULL) {
		/* refused already: find the end only */
		mw_data_skip(&s->dec, s->in + s->start, s->end - s->start,
		    &used);
		s->start += used;
		return 0;
	}
	mw_data_next(&s->dec, s->in + s->start, s->end - s->start, &used,
	    &span, &len);
	s->start += used;
	if (used == 0 && len == 0 && !mw_data_dec_done(&s->dec))
		return -1;
	if (len == 0 || mw_data_dec_reply(&s->dec) != NULL)
		return 0;
	event(ev, MW_EV_BODY, MW_VERB_DATA);
	ev->data = span;
	ev->len = len;
	return 1;
}

static int
chunk(struct mw_server *s, struct mw_server_event *ev)
{
	const struct mw_data_reply *r;
	size_t avail = s->end - s->start, take;

	if (s->chunk > 0) {
		if (avail == 0)
			return -1;
		take = avail < s->chunk ? avail : (size_t)s->chunk;
		if (s->bdat_begun)
			mw_bdat_feed(&s->bdat, take, &take);
		s->start += take;
		s->chunk -= take;
		if (!s->bdat_begun || s->bdat_discard || take == 0)
			return 0;
		event(ev, MW_EV_BODY, MW_VERB_BDAT);
		ev->data = s->in + s->start - take;
		ev->len = take;
		return 1;
	}
	/* RFC 3030 2: the chunk is in; now its reply */
	s->state = ST_CMD;
	if (!s->bdat_begun)
		return 0;	/* refused: answered already */
	if ((r = mw_bdat_reply(&s->bdat)) != NULL) {
		int was = s->trx;

		reply(s, r->code, r->esc, r->text);
		s->trx = TRX_FAILED;
		if (s->bdat_last)
			end_trx(s);	/* the client may start again */
		if (was != TRX_OPEN)
			return 0;
		event(ev, MW_EV_RSET, MW_VERB_BDAT);
		ev->code = r->code;
		ev->esc = r->esc;
		return 1;
	}
	if (s->bdat_last)
		return message_end(s, ev, NULL, mw_bdat_total(&s->bdat));
	puts_(s, esc_on(s) ? "250 2.0.0 " : "250 ");
	putnum(s, s->chunk_size);
	puts_(s, " octets received\r\n");
	return 0;
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
	if (s->decide || s->state == ST_TLS || s->state == ST_DONE)
		return MW_ERR_STATE;
	s->now = now;
	if (s->fresh) {
		s->last = now;
		s->fresh = 0;
	}
	for (;;) {
		if (s->state == ST_CONNECT) {
			s->last = now;
			event(ev, MW_EV_CONNECT, MW_VERB_NONE);
			s->decide = MW_EV_CONNECT;
			return MW_ERR_OK;
		}
		if (s->state == ST_CLOSE) {
			if (s->trx == TRX_OPEN) {
				end_trx(s);
				event(ev, MW_EV_RSET, MW_VERB_NONE);
				ev->code = s->close_code;
				ev->esc = s->close_esc;
				return MW_ERR_OK;
			}
			event(ev, MW_EV_CLOSE, MW_VERB_NONE);
			ev->code = s->close_code;
			ev->esc = s->close_esc;
			ev->reason = s->reason;
			flush(s);
			s->state = ST_DONE;
			return MW_ERR_OK;
		}
		if (out_room(s) < RESERVE) {
			/* the client does not read: wait for it to */
			flush(s);
			if (!timed_out(s))
				return MW_ERR_AGAIN;
			close_with(s, MW_CLOSE_TIMEOUT, 421, "4.4.2",
			    "Timeout, closing transmission channel");
			continue;
		}
		switch (s->state) {
		case ST_CMD:
			r = s->have_cmd || read_cmd(s) ? command(s, ev) : -1;
			break;
		case ST_AUTH:
			r = auth_line(s, ev);
			break;
		case ST_DATA:
			r = data(s, ev);
			break;
		case ST_BDAT:
			r = chunk(s, ev);
			break;
		case ST_REPLIES:
			r = replies(s, ev);
			break;
		}
		if (r > 0)
			return MW_ERR_OK;
		if (r == 0)
			continue;
		if (s->eof) {
			close_with(s, MW_CLOSE_EOF, 0, NULL, NULL);
			continue;
		}
		/* RFC 5321 4.5.3.2.7 */
		if (timed_out(s)) {
			close_with(s, MW_CLOSE_TIMEOUT, 421, "4.4.2",
			    "Timeout, closing transmission channel");
			continue;
		}
		/* RFC 2920 3.2: the client waits for these replies now */
		flush(s);
		return MW_ERR_AGAIN;
	}
}

/* ---- decisions --------------------------------------------------------- */

mw_err
mw_server_accept(struct mw_server *s, const char *text)
{
	struct mw_data_config dc;
	const struct mw_param *p;

	if (s == NULL)
		return MW_ERR_INVAL;
	if (s->decide == 0)
		return MW_ERR_STATE;
	if (text != NULL && !text_ok(text, MW_SERVER_TEXT_MAX + 1))
		return MW_ERR_INVAL;
	switch (s->decide) {
	case MW_EV_CONNECT:
		/* RFC 5321 4.2: Greeting; no enhanced code (RFC 2034 3) */
		line(s, 220, ' ', NULL, s->cfg.hostname, text != NULL ? text :
		    s->cfg.greeting != NULL ? s->cfg.greeting :
		    s->cfg.lmtp ? "LMTP" : "ESMTP");
		s->state = ST_CMD;
		break;
	case MW_EV_HELO:
		if (s->cmd.verb == MW_VERB_EHLO) {
			ehlo_reply(s, text);
			s->hello = 2;
		} else {
			line(s, 250, ' ', NULL, s->cfg.hostname, text);
			s->hello = 1;
		}
		done_cmd(s);
		break;
	case MW_EV_MAIL:
		reply(s, 250, "2.1.0", text != NULL ? text : "Sender OK");
		end_trx(s);
		s->trx = TRX_OPEN;
		p = param(&s->cmd, MW_PARAM_BODY);
		s->binarymime = p != NULL && p->number == MW_BODY_BINARYMIME;
		done_cmd(s);
		break;
	case MW_EV_RCPT:
		reply(s, 250, "2.1.5", text != NULL ? text : "Recipient OK");
		s->rcpts++;
		done_cmd(s);
		break;
	case MW_EV_DATA:
		if (s->cmd.verb == MW_VERB_BDAT) {
			s->body = MW_VERB_BDAT;
			mw_bdat_init(&s->bdat, s->cfg.max_size);
			s->decide = 0;
			begin_chunk(s);
			return MW_ERR_OK;
		}
		/* RFC 5321 4.3.2: 354 has no enhanced code (RFC 2034 3) */
		line(s, 354, ' ', NULL, text != NULL ? text :
		    "End data with <CR><LF>.<CR><LF>", NULL);
		flush(s);
		dc.bare = s->cfg.data_bare;
		dc.longline = s->cfg.data_longline;
		dc.max_size = s->cfg.max_size;
		mw_data_dec_init(&s->dec, &dc);
		s->body = MW_VERB_DATA;
		s->state = ST_DATA;
		break;
	case MW_EV_MESSAGE:
		reply(s, 250, "2.0.0", text != NULL ? text :
		    "Message accepted for delivery");
		s->index++;
		break;
	case MW_EV_AUTH:
		reply(s, 235, "2.7.0", text != NULL ? text :
		    "Authentication successful");
		s->authed = 1;
		break;
	}
	s->decide = 0;
	return MW_ERR_OK;
}

mw_err
mw_server_reject(struct mw_server *s, int code, const char *esc,
    const char *text)
{
	struct mw_esc e;
	int d;

	if (s == NULL)
		return MW_ERR_INVAL;
	if (s->decide == 0)
		return MW_ERR_STATE;
	if (code < 400 || code > 599 ||
	    (text != NULL && !text_ok(text, MW_SERVER_TEXT_MAX + 1)))
		return MW_ERR_INVAL;
	if (esc != NULL && (mw_esc_parse(esc, strlen(esc), &e) != MW_ERR_OK ||
	    e.klass != code / 100))
		return MW_ERR_INVAL;
	if (esc == NULL)
		esc = code < 500 ? "4.0.0" : "5.0.0";
	if (text == NULL)
		text = "Requested action not taken";
	d = s->decide;
	s->decide = 0;
	if (s->have_cmd && !(d == MW_EV_DATA && s->cmd.verb == MW_VERB_BDAT))
		done_cmd(s);
	if (code == 421) {
		/* RFC 5321 3.8: 421 closes the session */
		close_with(s, MW_CLOSE_REJECTED, 421, esc, text);
		s->close_esc = NULL;	/* the embedder's string */
		return MW_ERR_OK;
	}
	switch (d) {
	case MW_EV_CONNECT:
		/* RFC 5321 3.1: refused; the client may only QUIT */
		line(s, code, ' ', esc, s->cfg.hostname, text);
		s->refused = 1;
		s->state = ST_CMD;
		break;
	case MW_EV_DATA:
		if (s->cmd.verb == MW_VERB_BDAT) {
			skip_chunk(s, code, esc, text, 0);
			break;
		}
		reply(s, code, esc, text);
		break;
	case MW_EV_MESSAGE:
		reply(s, code, esc, text);
		s->index++;
		break;
	default:
		reply(s, code, esc, text);
		break;
	}
	return MW_ERR_OK;
}
