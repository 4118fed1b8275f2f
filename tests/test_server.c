/*
 * tests/test_server.c: the server session engine (mailwire/server.h) in
 * memory. Dialogues are scripts (the files tests/cases/server/NAME.txt, and some
 * generated here for limits):
 *
 *	# comment
 *	! option [value]	configuration, before the first C: line
 *	C: text			client bytes; CRLF is added unless the line
 *				ends in \c; escapes \r \n \t \\ \xHH
 *	S: text			a server reply line (CRLF added)
 *	E: text			an event, as the test embedder logs it
 *	T:			the TLS handshake: everything before is fed,
 *				the engine must be waiting for it
 *	EOF			the client closes its side
 *	WAIT			the clock passes the engine's deadline
 *	SHUTDOWN		the server goes down (mw_server_shutdown)
 *
 * Each script runs with its input fed whole, byte by byte, and split in
 * two at every offset of every segment (between T: and EOF markers); the
 * server's output and the event log must be the same every time and equal
 * the S: lines (and the E: lines, if the script has any). The test
 * embedder decides by the names it sees (see decide()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/crypto_openssl.h>
#include <mailwire/server.h>

#include "check.h"
#include "script.h"

#define B(s)	((const unsigned char *)(s))
#define MAXIO	(1 << 20)

static struct mw_crypto crypto;
static struct mw_sasl_user users[] = {
	{ "test", { B("1234"), 4, NULL, NULL } },
	{ "blocked", { B("secret"), 6, NULL, NULL } },
};
static struct mw_sasl_server_config sasl, sasl_fail;

/* A crypto provider whose every call fails (RFC 4954 6: 454). */
static int
fail_hash(void *ctx, enum mw_hash h, const struct mw_iov *iov, size_t niov,
    unsigned char *out)
{
	(void)ctx, (void)h, (void)iov, (void)niov, (void)out;
	return -1;
}

static int
fail_hmac(void *ctx, enum mw_hash h, const unsigned char *key, size_t keylen,
    const struct mw_iov *iov, size_t niov, unsigned char *out)
{
	(void)ctx, (void)h, (void)key, (void)keylen, (void)iov, (void)niov;
	(void)out;
	return -1;
}

static int
fail_pbkdf2(void *ctx, enum mw_hash h, const unsigned char *pass,
    size_t passlen, const unsigned char *salt, size_t saltlen,
    unsigned iterations, unsigned char *out, size_t outlen)
{
	(void)ctx, (void)h, (void)pass, (void)passlen, (void)salt;
	(void)saltlen, (void)iterations, (void)out, (void)outlen;
	return -1;
}

static int
fail_random(void *ctx, unsigned char *out, size_t n)
{
	(void)ctx, (void)out, (void)n;
	return -1;
}

static const struct mw_crypto crypto_fail = {
	NULL, fail_hash, fail_hmac, fail_pbkdf2, fail_random
};

/* ---- scripts ----------------------------------------------------------- */

enum { SEG_END, SEG_TLS, SEG_EOF, SEG_WAIT, SEG_SHUTDOWN };

#define MAXSEG 8

struct script {
	const char		*name;
	struct mw_server_config	 cfg;
	int			 implicit_tls;
	int			 connect;	/* 0 accept, or a reject code */
	struct str		 seg[MAXSEG];
	int			 action[MAXSEG];
	int			 nseg;
	struct str		 want_out, want_ev;
	int			 has_ev;
	uint64_t		 chunk_at;	/* test_chunk: drain step */
};

static uint32_t
ext_bit(const char *name)
{
	static const struct { const char *n; uint32_t b; } t[] = {
		{ "pipelining", MW_SERVER_PIPELINING },
		{ "chunking", MW_SERVER_CHUNKING },
		{ "esc", MW_SERVER_ENHANCEDSTATUSCODES },
		{ "starttls", MW_SERVER_STARTTLS },
		{ "size", MW_EXT_SIZE }, { "8bitmime", MW_EXT_8BITMIME },
		{ "binarymime", MW_EXT_BINARYMIME }, { "dsn", MW_EXT_DSN },
		{ "smtputf8", MW_EXT_SMTPUTF8 },
		{ "requiretls", MW_EXT_REQUIRETLS },
		{ "mtpriority", MW_EXT_MTPRIORITY },
		{ "futurerelease", MW_EXT_FUTURERELEASE },
		{ "deliverby", MW_EXT_DELIVERBY }, { "rrvs", MW_EXT_RRVS },
		{ "etrn", MW_SERVER_ETRN },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].n, name) == 0)
			return t[i].b;
	fprintf(stderr, "unknown extension %s\n", name);
	abort();
}

static void
option(struct script *sc, char *l)
{
	char *k = strtok(l, " "), *v = strtok(NULL, " ");
	unsigned long long n = v ? strtoull(v, NULL, 10) : 0;

	if (strcmp(k, "lmtp") == 0)
		sc->cfg.lmtp = 1;
	else if (strcmp(k, "on") == 0)
		sc->cfg.extensions |= ext_bit(v);
	else if (strcmp(k, "off") == 0)
		sc->cfg.extensions &= ~ext_bit(v);
	else if (strcmp(k, "max_size") == 0)
		sc->cfg.max_size = n;
	else if (strcmp(k, "max_rcpts") == 0)
		sc->cfg.max_rcpts = (uint32_t)n;
	else if (strcmp(k, "max_errors") == 0)
		sc->cfg.max_errors = (uint32_t)n;
	else if (strcmp(k, "auth") == 0)
		sc->cfg.sasl = &sasl;
	else if (strcmp(k, "auth_crypto_fails") == 0)
		sc->cfg.sasl = &sasl_fail;
	else if (strcmp(k, "auth_required") == 0)
		sc->cfg.auth_required = 1;
	else if (strcmp(k, "tls_required") == 0)
		sc->cfg.tls_required = 1;
	else if (strcmp(k, "plaintext_auth") == 0)
		sc->cfg.plaintext_auth = 1;
	else if (strcmp(k, "tls") == 0)
		sc->implicit_tls = 1;
	else if (strcmp(k, "connect") == 0)
		sc->connect = (int)n;
	else if (strcmp(k, "bare") == 0)
		sc->cfg.data_bare = MW_DATA_BARE_NORMALIZE;
	else if (strcmp(k, "lenient_bare_lf") == 0)
		sc->cfg.cmd.lenient |= MW_LENIENT_BARE_LF;
	else if (strcmp(k, "futurerelease") == 0) {
		sc->cfg.extensions |= MW_EXT_FUTURERELEASE;
		sc->cfg.futurerelease_interval = 604800;
		sc->cfg.futurerelease_date = "2030-01-01T00:00:00Z";
	} else {
		fprintf(stderr, "unknown option %s\n", k);
		abort();
	}
}

static void
script_init(struct script *sc, const char *name)
{
	memset(sc, 0, sizeof(*sc));
	sc->name = name;
	mw_server_config_init(&sc->cfg);
	sc->cfg.hostname = "mx.example.com";
}

static void
script_free(struct script *sc)
{
	for (int i = 0; i < MAXSEG; i++)
		free(sc->seg[i].p);
	free(sc->want_out.p);
	free(sc->want_ev.p);
}

/* Adds one script line. */
static void
script_line(struct script *sc, const char *l, size_t n)
{
	char *buf = malloc(n + 3), *o = malloc(n + 3);
	size_t m;

	if (buf == NULL || o == NULL)
		abort();
	memcpy(buf, l, n);
	buf[n] = '\0';
	if (n == 0 || buf[0] == '#') {
		;
	} else if (buf[0] == '!') {
		option(sc, buf + 2);
	} else if (strncmp(buf, "C: ", 3) == 0 || strcmp(buf, "C:") == 0) {
		const char *t = n > 3 ? buf + 3 : "";
		size_t tn = strlen(t);
		int cont = tn >= 2 && strcmp(t + tn - 2, "\\c") == 0;

		m = unescape(t, cont ? tn - 2 : tn, o);
		add(&sc->seg[sc->nseg], o, m);
		if (!cont)
			add(&sc->seg[sc->nseg], "\r\n", 2);
	} else if (strncmp(buf, "S: ", 3) == 0 || strcmp(buf, "S:") == 0) {
		m = unescape(n > 3 ? buf + 3 : "", n > 3 ? n - 3 : 0, o);
		add(&sc->want_out, o, m);
		add(&sc->want_out, "\r\n", 2);
	} else if (strncmp(buf, "E: ", 3) == 0) {
		adds(&sc->want_ev, buf + 3);
		adds(&sc->want_ev, "\n");
		sc->has_ev = 1;
	} else if (strcmp(buf, "T:") == 0 || strcmp(buf, "EOF") == 0 ||
	    strcmp(buf, "WAIT") == 0 || strcmp(buf, "SHUTDOWN") == 0) {
		sc->action[sc->nseg++] = buf[0] == 'T' ? SEG_TLS :
		    buf[0] == 'E' ? SEG_EOF : buf[0] == 'W' ? SEG_WAIT :
		    SEG_SHUTDOWN;
		if (sc->nseg >= MAXSEG)
			abort();
	} else {
		fprintf(stderr, "%s: bad line: %s\n", sc->name, buf);
		abort();
	}
	free(buf);
	free(o);
}

static void
script_text(struct script *sc, const char *text)
{
	const char *p = text, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		script_line(sc, p, (size_t)(nl - p));
		p = *nl ? nl + 1 : nl;
	}
}

/* ---- the embedder ------------------------------------------------------ */

struct run {
	struct mw_server	 s;
	unsigned char		 buf[MW_SERVER_BUF_SIZE];
	struct str		 out, ev, body;
	char			 rcpt[128][64];
	unsigned		 nrcpt;
	int			 tls_wait, closed, messages, nodata;
	uint64_t		 now;
	int			 fatal;		/* an engine call failed */
	size_t			 drain;		/* output bytes taken per call,
						 * 0: all there is */
	int			 stall;		/* the client reads its replies
						 * only when it cannot send */
	/* detach mode: the session gives its buffer back whenever it
	 * waits for input and may (mw_server_detach), and gets the other
	 * buffer, scribbled over, when it runs again */
	int			 detach, detached;
	unsigned		 ndetach;
	unsigned char		*cur;
	unsigned char		 buf2[MW_SERVER_BUF_SIZE];
};

static void
evlog(struct run *r, const char *fmt, ...)
{
	char b[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	adds(&r->ev, b);
}

static void
flush_body(struct run *r)
{
	if (r->body.n == 0)
		return;
	adds(&r->ev, "BODY ");
	for (size_t i = 0; i < r->body.n; i++) {
		unsigned char c = (unsigned char)r->body.p[i];
		char e[8];

		if (c == '\r')
			adds(&r->ev, "\\r");
		else if (c == '\n')
			adds(&r->ev, "\\n");
		else if (c < 0x20 || c >= 0x7f || c == '\\') {
			snprintf(e, sizeof(e), "\\x%02x", c);
			adds(&r->ev, e);
		} else
			add(&r->ev, &c, 1);
	}
	adds(&r->ev, "\n");
	r->body.n = 0;
}

static void
copy_span(char *dst, size_t cap, const unsigned char *base, struct mw_span sp)
{
	size_t n = sp.len < cap - 1 ? sp.len : cap - 1;

	memcpy(dst, base + sp.off, n);
	dst[n] = '\0';
}

static void
decide(struct run *r, const struct script *sc, const struct mw_server_event *ev)
{
	struct mw_server *s = &r->s;
	char m[300];
	mw_err e = MW_ERR_OK;

	if (ev->type == MW_EV_RSET)
		r->body.n = 0;
	if (ev->type != MW_EV_BODY)
		flush_body(r);
	switch (ev->type) {
	case MW_EV_CONNECT:
		adds(&r->ev, "CONNECT\n");
		if (sc->connect == 0)
			e = mw_server_accept(s, NULL);
		else
			e = mw_server_reject(s, sc->connect, NULL,
			    "No service for you");
		break;
	case MW_EV_HELO:
		copy_span(m, sizeof(m), ev->line, ev->cmd->domain);
		evlog(r, "%s %s\n", mw_verb_name(ev->verb),
		    m);
		if (strcmp(m, "reject.example") == 0)
			e = mw_server_reject(s, 550, "5.7.1", "Go away");
		else
			e = mw_server_accept(s, NULL);
		break;
	case MW_EV_MAIL:
		copy_span(m, sizeof(m), ev->line, ev->cmd->mailbox);
		evlog(r, "MAIL <%s> size=%llu\n", m, (unsigned long long)ev->size);
		r->nodata = strstr(m, "nodata") != NULL;
		if (strstr(m, "rejectme"))
			e = mw_server_reject(s, 550, "5.7.1", "Sender rejected");
		else if (strstr(m, "tempfail"))
			e = mw_server_reject(s, 451, "4.3.0", NULL);
		else if (strstr(m, "closeme"))
			e = mw_server_reject(s, 421, "4.3.2", "Shutting down");
		else
			e = mw_server_accept(s, NULL);
		break;
	case MW_EV_RCPT:
		copy_span(m, sizeof(m), ev->line, ev->cmd->mailbox);
		evlog(r, "RCPT <%s> n=%u\n", m, ev->rcpt);
		if (strncmp(m, "bad", 3) == 0)
			e = mw_server_reject(s, 550, "5.1.1", "No such user");
		else if (strncmp(m, "close", 5) == 0)
			e = mw_server_reject(s, 421, NULL, NULL);
		else {
			if (r->nrcpt < 128) {
				snprintf(r->rcpt[r->nrcpt], 64, "%.63s", m);
				r->nrcpt++;
			}
			e = mw_server_accept(s, NULL);
		}
		break;
	case MW_EV_DATA:
		evlog(r, "%s\n", mw_verb_name(ev->verb));
		if (r->nodata)
			e = mw_server_reject(s, 554, "5.7.1", "No data for you");
		else
			e = mw_server_accept(s, NULL);
		break;
	case MW_EV_BODY:
		add(&r->body, ev->data, ev->len);
		if (ev->len == 0)
			r->fatal = 1;	/* never an empty piece */
		return;
	case MW_EV_MESSAGE:
		evlog(r, "MESSAGE rcpt=%u size=%llu\n", ev->rcpt,
		    (unsigned long long)ev->size);
		r->messages++;
		if (sc->cfg.lmtp && ev->rcpt < r->nrcpt &&
		    strncmp(r->rcpt[ev->rcpt], "full", 4) == 0)
			e = mw_server_reject(s, 452, "4.2.2", "Mailbox full");
		else if (strstr(r->ev.p, "REJECT"))
			e = mw_server_reject(s, 554, "5.6.0", "Content rejected");
		else
			e = mw_server_accept(s, NULL);
		if (!sc->cfg.lmtp || ev->rcpt + 1 >= r->nrcpt)
			r->nrcpt = 0;
		break;
	case MW_EV_AUTH:
		snprintf(m, sizeof(m), "%.*s", (int)ev->len, ev->data);
		evlog(r, "AUTH %s\n", m);
		if (strcmp(m, "blocked") == 0)
			e = mw_server_reject(s, 535, "5.7.8", "Account disabled");
		else
			e = mw_server_accept(s, NULL);
		break;
	case MW_EV_AUTH_FAILED:
		evlog(r, "AUTH_FAILED %d\n", ev->code);
		break;
	case MW_EV_ETRN:
		/* RFC 1985 5: 458 and 459 refuse a node */
		copy_span(m, sizeof(m), ev->line, ev->cmd->arg);
		evlog(r, "ETRN %s option=%c domain=", m,
		    ev->cmd->etrn_option ? ev->cmd->etrn_option : '-');
		copy_span(m, sizeof(m), ev->line, ev->cmd->domain);
		evlog(r, "%s\n", m);
		if (strcmp(m, "deny.example") == 0)
			e = mw_server_reject(s, 459, "4.7.1",
			    "Node deny.example not allowed");
		else if (ev->cmd->etrn_option == '#')
			e = mw_server_reject(s, 458, NULL,
			    "Unable to queue messages for node");
		else
			e = mw_server_accept(s, NULL);
		break;
	case MW_EV_STARTTLS:
		adds(&r->ev, "STARTTLS\n");
		r->tls_wait = 1;
		break;
	case MW_EV_RSET:
		/* a refused message's body is dropped: how much of it came
		 * before the refusal depends on how the input was cut */
		evlog(r, "RSET %d\n", ev->code);
		r->nrcpt = 0;
		break;
	case MW_EV_CLOSE:
		evlog(r, "CLOSE %s\n", mw_server_close_name(ev->reason));
		r->closed = 1;
		break;
	default:
		r->fatal = 1;
		break;
	}
	if (e != MW_ERR_OK)
		r->fatal = 1;
}

static void drive1(struct run *r, const struct script *sc, uint64_t now);

static size_t
drain(struct run *r)
{
	const unsigned char *p;
	size_t n, all = 0;

	for (;;) {
		if (mw_server_output(&r->s, &p, &n) != MW_ERR_OK) {
			r->fatal = 1;
			return all;
		}
		if (n == 0)
			return all;
		if (r->drain != 0 && n > r->drain)
			n = r->drain;
		all += n;
		add(&r->out, p, n);
		if (mw_server_output_ack(&r->s, n) != MW_ERR_OK)
			r->fatal = 1;
		/* a slow reader: one piece, then the engine runs again */
		if (r->drain != 0)
			return all;
	}
}

/* Detach mode: the session runs again, on the other buffer, whose old
 * contents must not matter. */
static void
reattach(struct run *r)
{
	unsigned char *b = r->cur == r->buf ? r->buf2 : r->buf;

	if (!r->detached)
		return;
	memset(b, 0xa5, MW_SERVER_BUF_SIZE);
	if (mw_server_attach(&r->s, b, MW_SERVER_BUF_SIZE) != MW_ERR_OK)
		r->fatal = 1;
	r->cur = b;
	r->detached = 0;
}

/* Detach mode: the engine waits for input; give the buffer back if it
 * is idle. While detached every call but deadline, input_eof and
 * shutdown is MW_ERR_STATE. */
static void
park(struct run *r)
{
	struct mw_server_event ev;
	const unsigned char *o;
	unsigned char *b;
	size_t n;
	uint64_t d;
	mw_err e;

	if (!r->detach || r->detached)
		return;
	d = mw_server_deadline(&r->s);
	e = mw_server_detach(&r->s, &b, &n);
	if (e == MW_ERR_STATE)
		return;
	if (e != MW_ERR_OK || b != r->cur || n != MW_SERVER_BUF_SIZE ||
	    mw_server_deadline(&r->s) != d ||
	    mw_server_detach(&r->s, &b, &n) != MW_ERR_STATE ||
	    mw_server_next(&r->s, r->now, &ev) != MW_ERR_STATE ||
	    mw_server_input_buf(&r->s, &b, &n) != MW_ERR_STATE ||
	    mw_server_input_ack(&r->s, 0) != MW_ERR_STATE ||
	    mw_server_output(&r->s, &o, &n) != MW_ERR_STATE ||
	    mw_server_output_ack(&r->s, 0) != MW_ERR_STATE ||
	    mw_server_accept(&r->s, NULL) != MW_ERR_STATE ||
	    mw_server_tls(&r->s, NULL, 0) != MW_ERR_STATE ||
	    mw_server_attach(&r->s, r->buf, 4096) != MW_ERR_NOSPACE)
		r->fatal = 1;
	r->detached = 1;
	r->ndetach++;
}

/* Runs the engine until it waits for input. */
static void
drive(struct run *r, const struct script *sc, uint64_t now)
{
	reattach(r);
	drive1(r, sc, now);
	park(r);
}

static void
drive1(struct run *r, const struct script *sc, uint64_t now)
{
	struct mw_server_event ev;
	mw_err e;

	for (int guard = 0; guard < 1000000; guard++) {
		e = mw_server_next(&r->s, now, &ev);
		if (e == MW_ERR_OK) {
			if (r->closed)
				r->fatal = 1;	/* nothing after CLOSE */
			decide(r, sc, &ev);
			continue;
		}
		/* a stalled reader takes nothing until it cannot send */
		if (r->stall && e == MW_ERR_AGAIN)
			return;
		/* blocked on output, or more output to take (a slow reader
		 * takes a piece at a time)? then go round again */
		if (drain(r) > 0)
			continue;
		if (e == MW_ERR_AGAIN)
			return;
		if (e != MW_ERR_STATE)
			r->fatal = 1;
		return;
	}
	r->fatal = 1;
}

/* Feeds in[0..n) in pieces of at most step (0: whole) with a split at
 * cut (if non-zero). */
static void
feed(struct run *r, const struct script *sc, const char *in, size_t n,
    size_t step, size_t cut)
{
	size_t at = 0;

	drive(r, sc, r->now);
	while (at < n && !r->closed && !r->tls_wait) {
		unsigned char *b;
		size_t cap, take = n - at;

		reattach(r);
		if (mw_server_input_buf(&r->s, &b, &cap) != MW_ERR_OK) {
			r->fatal = 1;
			return;
		}
		if (cap == 0 && r->stall && drain(r) > 0) {
			/* the stalled client reads once the engine stops
			 * taking its bytes */
			drive(r, sc, r->now);
			continue;
		}
		if (cap == 0)
			break;
		if (step != 0 && take > step)
			take = step;
		if (cut > at && take > cut - at)
			take = cut - at;
		if (take > cap)
			take = cap;
		memcpy(b, in + at, take);
		if (mw_server_input_ack(&r->s, take) != MW_ERR_OK)
			r->fatal = 1;
		at += take;
		drive(r, sc, r->now);
	}
	if (r->stall) {
		/* the client is done sending: now it reads everything */
		r->stall = 0;
		drive(r, sc, r->now);
		r->stall = 1;
	}
}

static void
run_script(struct run *r, const struct script *sc, size_t step, int cutseg,
    size_t cut, size_t drainstep, int stall, int detach)
{
	memset(r, 0, offsetof(struct run, buf));
	memset(&r->out, 0, sizeof(r->out));
	memset(&r->ev, 0, sizeof(r->ev));
	memset(&r->body, 0, sizeof(r->body));
	r->nrcpt = 0;
	r->tls_wait = r->closed = r->messages = r->fatal = 0;
	r->now = 1000;
	r->nodata = 0;
	r->drain = drainstep;
	r->stall = stall;
	r->detach = detach;
	r->detached = 0;
	r->ndetach = 0;
	r->cur = r->buf;
	if (mw_server_init(&r->s, &sc->cfg, r->buf, sizeof(r->buf)) !=
	    MW_ERR_OK) {
		r->fatal = 1;
		return;
	}
	if (sc->implicit_tls)
		mw_server_tls(&r->s, NULL, 0);
	for (int i = 0; i <= sc->nseg; i++) {
		feed(r, sc, sc->seg[i].p ? sc->seg[i].p : "", sc->seg[i].n, step,
		    i == cutseg ? cut : 0);
		if (i == sc->nseg)
			break;
		if (sc->action[i] == SEG_TLS) {
			reattach(r);
			if (!r->tls_wait ||
			    mw_server_tls(&r->s, NULL, 0) != MW_ERR_OK)
				r->fatal = 1;
			r->tls_wait = 0;
		} else if (sc->action[i] == SEG_EOF) {
			/* works on a detached session */
			if (mw_server_input_eof(&r->s) != MW_ERR_OK)
				r->fatal = 1;
			drive(r, sc, r->now);
		} else if (sc->action[i] == SEG_SHUTDOWN) {
			if (mw_server_shutdown(&r->s) != MW_ERR_OK)
				r->fatal = 1;
			drive(r, sc, r->now);
		} else if (sc->action[i] == SEG_WAIT) {
			uint64_t d = mw_server_deadline(&r->s);

			if (d == UINT64_MAX)
				r->fatal = 1;	/* no timer runs */
			else
				r->now = d;
			drive(r, sc, r->now);
		}
	}
	flush_body(r);
}

static void
run_free(struct run *r)
{
	free(r->out.p);
	free(r->ev.p);
	free(r->body.p);
}

static struct run R, X;
static unsigned long detached_total;

/* Whole, byte by byte, and cut at every offset of every segment. */
static void
check_script(struct script *sc)
{
	int bad = 0;

	run_script(&R, sc, 0, -1, 0, 0, 0, 0);
	CHECK(!R.fatal, "%s: every engine call succeeds, nothing after CLOSE",
	    sc->name);
	CHECK(same(&R.out, &sc->want_out), "%s: replies", sc->name);
	if (!same(&R.out, &sc->want_out))
		printf("# got:\n%s# want:\n%s", R.out.p ? R.out.p : "",
		    sc->want_out.p ? sc->want_out.p : "");
	if (sc->has_ev) {
		CHECK(same(&R.ev, &sc->want_ev), "%s: events", sc->name);
		if (!same(&R.ev, &sc->want_ev))
			printf("# got:\n%s# want:\n%s", R.ev.p ? R.ev.p : "",
			    sc->want_ev.p);
	}
	run_script(&X, sc, 1, -1, 0, 0, 0, 0);
	CHECK(!X.fatal && same(&R.out, &X.out) && same(&R.ev, &X.ev),
	    "%s: byte by byte, the same", sc->name);
	run_free(&X);
	/* a slow reader: the output taken one octet, then 7 octets at a
	 * time, the engine running between the pieces */
	run_script(&X, sc, 0, -1, 0, 1, 0, 0);
	CHECK(!X.fatal && same(&R.out, &X.out) && same(&R.ev, &X.ev),
	    "%s: output drained one octet at a time, the same", sc->name);
	run_free(&X);
	run_script(&X, sc, 3, -1, 0, 7, 0, 0);
	CHECK(!X.fatal && same(&R.out, &X.out) && same(&R.ev, &X.ev),
	    "%s: input by 3, output drained by 7, the same", sc->name);
	run_free(&X);
	/* a stalled reader: replies pile up while the client sends */
	run_script(&X, sc, 0, -1, 0, 0, 1, 0);
	CHECK(!X.fatal && same(&R.out, &X.out) && same(&R.ev, &X.ev),
	    "%s: a client that reads only when it cannot send, the same",
	    sc->name);
	if (X.fatal || !same(&R.out, &X.out))
		printf("# got:\n%s%s", X.out.p ? X.out.p : "",
		    X.ev.p ? X.ev.p : "");
	run_free(&X);
	/* detached whenever idle, on a scribbled-over buffer when run
	 * again: whole, byte by byte, and with a stalled reader */
	run_script(&X, sc, 0, -1, 0, 0, 0, 1);
	CHECK(!X.fatal && same(&R.out, &X.out) && same(&R.ev, &X.ev),
	    "%s: detached whenever idle (%u times), the same", sc->name,
	    X.ndetach);
	if (X.fatal || !same(&R.out, &X.out) || !same(&R.ev, &X.ev))
		printf("# got:\n%s%s", X.out.p ? X.out.p : "",
		    X.ev.p ? X.ev.p : "");
	detached_total += X.ndetach;
	run_free(&X);
	run_script(&X, sc, 1, -1, 0, 0, 0, 1);
	CHECK(!X.fatal && same(&R.out, &X.out) && same(&R.ev, &X.ev),
	    "%s: byte by byte, detached whenever idle (%u times), the same",
	    sc->name, X.ndetach);
	run_free(&X);
	run_script(&X, sc, 3, -1, 0, 7, 1, 1);
	CHECK(!X.fatal && same(&R.out, &X.out) && same(&R.ev, &X.ev),
	    "%s: stalled reader, detached whenever idle, the same", sc->name);
	run_free(&X);
	for (int i = 0; i <= sc->nseg && !bad; i++)
		for (size_t c = 1; c < sc->seg[i].n && !bad; c++) {
			run_script(&X, sc, 0, i, c, 0, 0, 0);
			if (X.fatal || !same(&R.out, &X.out) ||
			    !same(&R.ev, &X.ev)) {
				bad = 1;
				printf("# %s: differs when segment %d is cut "
				    "at %zu\n# got:\n%s%s", sc->name, i, c,
				    X.out.p ? X.out.p : "", X.ev.p ? X.ev.p : "");
			}
			run_free(&X);
		}
	CHECK(!bad, "%s: split in two at every offset, the same", sc->name);
	run_free(&R);
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *p;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0)
		return NULL;
	rewind(fp);
	if ((p = malloc((size_t)n + 1)) == NULL ||
	    fread(p, 1, (size_t)n, fp) != (size_t)n) {
		fclose(fp);
		free(p);
		return NULL;
	}
	fclose(fp);
	p[n] = '\0';
	return p;
}

static void
case_file(const char *path)
{
	struct script sc;
	char *text = slurp(path);
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (text == NULL) {
		CHECK(0, "%s: readable", path);
		return;
	}
	script_init(&sc, name);
	script_text(&sc, text);
	check_script(&sc);
	script_free(&sc);
	free(text);
}

/* ---- generated dialogues: limits at n and n + 1 ------------------------ */

static void
gen_rcpts(unsigned max, unsigned n)
{
	struct script sc;
	char name[64], l[128];

	snprintf(name, sizeof(name), "rcpts-%u-of-%u", n, max);
	script_init(&sc, name);
	if (max != MW_SERVER_MAX_RCPTS_DEFAULT) {
		snprintf(l, sizeof(l), "! max_rcpts %u", max);
		script_line(&sc, l, strlen(l));
	}
	script_text(&sc, "S: 220 mx.example.com ESMTP\nC: HELO c.example\n"
	    "S: 250 mx.example.com\nC: MAIL FROM:<a@example.org>\n"
	    "S: 250 2.1.0 Sender OK");
	for (unsigned i = 0; i < n; i++) {
		snprintf(l, sizeof(l), "C: RCPT TO:<r%u@example.net>", i);
		script_line(&sc, l, strlen(l));
		/* RFC 5321 4.5.3.1.10: 452 past the limit */
		script_text(&sc, i < max ? "S: 250 2.1.5 Recipient OK" :
		    "S: 452 4.5.3 Too many recipients");
	}
	script_text(&sc, "C: DATA\nS: 354 End data with <CR><LF>.<CR><LF>\n"
	    "C: x\nC: .\nS: 250 2.0.0 Message accepted for delivery\n"
	    "C: QUIT\nS: 221 2.0.0 mx.example.com Service closing "
	    "transmission channel");
	check_script(&sc);
	script_free(&sc);
}

static void
gen_errors(unsigned max, unsigned n)
{
	struct script sc;
	char name[64], l[64];

	snprintf(name, sizeof(name), "errors-%u-of-%u", n, max);
	script_init(&sc, name);
	snprintf(l, sizeof(l), "! max_errors %u", max);
	script_line(&sc, l, strlen(l));
	script_text(&sc, "S: 220 mx.example.com ESMTP");
	for (unsigned i = 0; i < n; i++) {
		script_text(&sc, "C: FOO");
		script_text(&sc, i < max ? "S: 500 5.5.1 Command unrecognized" :
		    "S: 421 4.7.0 mx.example.com Too many errors, closing "
		    "transmission channel");
	}
	if (n <= max)
		script_text(&sc, "C: NOOP\nS: 250 2.0.0 OK");
	check_script(&sc);
	script_free(&sc);
}

/* SIZE= at MAIL (RFC 1870 6.1) and the body itself (RFC 1870 6.3), at
 * the limit and one over. */
static void
gen_size(uint64_t max, uint64_t n)
{
	struct script sc;
	char name[64], l[128];

	snprintf(name, sizeof(name), "size-%llu-of-%llu",
	    (unsigned long long)n, (unsigned long long)max);
	script_init(&sc, name);
	snprintf(l, sizeof(l), "! max_size %llu", (unsigned long long)max);
	script_line(&sc, l, strlen(l));
	script_text(&sc, "S: 220 mx.example.com ESMTP\nC: HELO c.example\n"
	    "S: 250 mx.example.com");
	snprintf(l, sizeof(l), "C: MAIL FROM:<a@example.org> SIZE=%llu",
	    (unsigned long long)n);
	script_line(&sc, l, strlen(l));
	if (n > max) {
		script_text(&sc, "S: 552 5.3.4 Message size exceeds fixed "
		    "maximum message size\n"
		    "C: MAIL FROM:<a@example.org>\nS: 250 2.1.0 Sender OK");
	} else {
		script_text(&sc, "S: 250 2.1.0 Sender OK");
	}
	script_text(&sc, "C: RCPT TO:<b@example.net>\nS: 250 2.1.5 Recipient OK\n"
	    "C: DATA\nS: 354 End data with <CR><LF>.<CR><LF>");
	/* a body of n octets: lines of "x" and CRLF */
	for (uint64_t i = 0; i + 2 <= n; i += 2)
		script_text(&sc, "C:");
	if (n % 2)
		abort();
	script_text(&sc, "C: .");
	script_text(&sc, n > max ? "S: 552 5.3.4 Message size exceeds fixed maximum message size" :
	    "S: 250 2.0.0 Message accepted for delivery");
	check_script(&sc);
	script_free(&sc);
}

/* RFC 4954 4: a response line of 12288 octets is read; one more is 500
 * 5.5.6, and is never buffered whole. */
static void
gen_authline(size_t n)
{
	struct script sc;
	struct str l = { 0 };
	char name[64];

	snprintf(name, sizeof(name), "auth-line-%zu", n);
	script_init(&sc, name);
	script_text(&sc, "! auth\n! plaintext_auth\n"
	    "S: 220 mx.example.com ESMTP\nC: HELO c.example\n"
	    "S: 250 mx.example.com\nC: AUTH PLAIN\nS: 334 ");
	adds(&l, "C: ");
	for (size_t i = 0; i < n; i++)
		adds(&l, "A");
	script_line(&sc, l.p, l.n);
	free(l.p);
	/* 12288 A's are base64 of 9216 zero-ish octets: a malformed PLAIN
	 * message, 535; past the limit, 500 5.5.6 */
	script_text(&sc, n <= MW_SASL_LINE_MAX ?
	    "S: 535 5.7.8 Authentication credentials invalid" :
	    "S: 500 5.5.6 Authentication Exchange line is too long");
	script_text(&sc, "C: NOOP\nS: 250 2.0.0 OK");
	check_script(&sc);
	script_free(&sc);
}

/* RFC 5321 4.5.3.1.4: 512 octets with CRLF; 513 is 500 5.5.2. */
static void
gen_cmdline(size_t n)
{
	struct script sc;
	struct str l = { 0 };
	char name[64];

	snprintf(name, sizeof(name), "command-line-%zu", n);
	script_init(&sc, name);
	script_text(&sc, "S: 220 mx.example.com ESMTP");
	adds(&l, "C: NOOP ");
	while (l.n - 3 + 2 < n)
		adds(&l, "x");
	script_line(&sc, l.p, l.n);
	free(l.p);
	script_text(&sc, n <= 512 ? "S: 250 2.0.0 OK" :
	    "S: 500 5.5.2 Line too long");
	script_text(&sc, "C: NOOP\nS: 250 2.0.0 OK");
	check_script(&sc);
	script_free(&sc);
}

/* RFC 2920 3.1: a client may send a whole batch before it reads; the
 * replies to n pipelined NOOPs (more than the output area holds) come
 * out in order, none lost, however slowly the client reads them. */
static void
gen_noops(unsigned n)
{
	struct script sc;
	char name[64];

	snprintf(name, sizeof(name), "noops-%u", n);
	script_init(&sc, name);
	script_text(&sc, "S: 220 mx.example.com ESMTP");
	for (unsigned i = 0; i < n; i++)
		script_text(&sc, "C: NOOP");
	for (unsigned i = 0; i < n; i++)
		script_text(&sc, "S: 250 2.0.0 OK");
	script_text(&sc, "C: QUIT\nS: 221 2.0.0 mx.example.com Service "
	    "closing transmission channel");
	check_script(&sc);
	script_free(&sc);
}

/* ---- API, time, buffers ------------------------------------------------ */

static struct mw_server S;
static unsigned char buf[MW_SERVER_BUF_SIZE];

#define TIMEOUT_OUT "250 2.0.0 OK\r\n421 4.4.2 mx.example.com Timeout, " \
	"closing transmission channel\r\n"

static void
test_api(void)
{
	struct mw_server_config cfg;
	struct mw_server_event ev;
	const unsigned char *o;
	unsigned char *b;
	size_t n;

	mw_server_config_init(&cfg);
	CHECK(mw_server_init(&S, &cfg, buf, sizeof(buf)) == MW_ERR_INVAL,
	    "init: no host name is MW_ERR_INVAL");
	cfg.hostname = "bad host";
	CHECK(mw_server_init(&S, &cfg, buf, sizeof(buf)) == MW_ERR_INVAL,
	    "init: a host name with a space is MW_ERR_INVAL");
	cfg.hostname = "mx.example.com";
	CHECK(mw_server_init(&S, &cfg, buf, 4096) == MW_ERR_NOSPACE,
	    "init: a small buffer is MW_ERR_NOSPACE");
	cfg.extensions &= ~MW_SERVER_CHUNKING;
	CHECK(mw_server_init(&S, &cfg, buf, sizeof(buf)) == MW_ERR_INVAL,
	    "init: BINARYMIME without CHUNKING is MW_ERR_INVAL (RFC 3030 3)");
	cfg.extensions |= MW_SERVER_CHUNKING | MW_EXT_FUTURERELEASE;
	CHECK(mw_server_init(&S, &cfg, buf, sizeof(buf)) == MW_ERR_INVAL,
	    "init: FUTURERELEASE without its parameters is MW_ERR_INVAL");
	cfg.extensions &= ~MW_EXT_FUTURERELEASE;
	cfg.tls_required = 1;
	CHECK(mw_server_init(&S, &cfg, buf, sizeof(buf)) == MW_ERR_INVAL,
	    "init: tls_required without STARTTLS is MW_ERR_INVAL");
	cfg.tls_required = 0;
	cfg.sasl = &sasl;
	CHECK(mw_server_init(&S, &cfg, buf, 16000) == MW_ERR_NOSPACE,
	    "init: with AUTH the input must hold a 12288-octet line");
	cfg.sasl = NULL;
	CHECK(mw_server_init(&S, &cfg, buf, sizeof(buf)) == MW_ERR_OK,
	    "init: defaults");
	CHECK(mw_server_accept(&S, NULL) == MW_ERR_STATE,
	    "accept without an event is MW_ERR_STATE");
	CHECK(mw_server_deadline(&S) == UINT64_MAX,
	    "no deadline before the connection is accepted");
	CHECK(mw_server_next(&S, 5000, &ev) == MW_ERR_OK &&
	    ev.type == MW_EV_CONNECT, "the first event is MW_EV_CONNECT");
	CHECK(mw_server_next(&S, 5000, &ev) == MW_ERR_STATE,
	    "next while a decision is awaited is MW_ERR_STATE");
	CHECK(mw_server_reject(&S, 250, NULL, NULL) == MW_ERR_INVAL &&
	    mw_server_reject(&S, 550, "4.1.1", NULL) == MW_ERR_INVAL &&
	    mw_server_reject(&S, 550, "5.1", NULL) == MW_ERR_INVAL &&
	    mw_server_reject(&S, 550, NULL, "a\r\nb") == MW_ERR_INVAL &&
	    mw_server_accept(&S, "two\nlines") == MW_ERR_INVAL,
	    "reject: a 2xx code, an esc of another class, a bad esc, CRLF "
	    "in the text are MW_ERR_INVAL");
	CHECK(mw_server_accept(&S, NULL) == MW_ERR_OK, "accept the connection");
	CHECK(mw_server_next(&S, 5000, &ev) == MW_ERR_AGAIN,
	    "then the engine waits for input");
	CHECK(mw_server_deadline(&S) == 5000 + MW_SERVER_TIMEOUT_DEFAULT,
	    "the deadline is 5 minutes on (RFC 5321 4.5.3.2.7)");
	mw_server_output(&S, &o, &n);
	CHECK(n == 26 && memcmp(o, "220 mx.example.com ESMTP\r\n", 26) == 0,
	    "the greeting is released");
	CHECK(mw_server_output_ack(&S, n + 1) == MW_ERR_INVAL,
	    "output_ack past the output is MW_ERR_INVAL");
	mw_server_output_ack(&S, n);
	mw_server_input_buf(&S, &b, &n);
	memcpy(b, "NOOP\r\nNO", 8);
	CHECK(mw_server_input_ack(&S, n + 1) == MW_ERR_INVAL,
	    "input_ack past the room is MW_ERR_INVAL");
	mw_server_input_ack(&S, 8);
	CHECK(mw_server_next(&S, 6000, &ev) == MW_ERR_AGAIN &&
	    mw_server_deadline(&S) == 6000 + MW_SERVER_TIMEOUT_DEFAULT,
	    "input moves the deadline");
	CHECK(mw_server_next(&S, 6000 + MW_SERVER_TIMEOUT_DEFAULT - 1, &ev) ==
	    MW_ERR_AGAIN, "a millisecond before the deadline nothing happens");
	CHECK(mw_server_next(&S, 6000 + MW_SERVER_TIMEOUT_DEFAULT, &ev) ==
	    MW_ERR_OK && ev.type == MW_EV_CLOSE &&
	    ev.reason == MW_CLOSE_TIMEOUT && ev.code == 421,
	    "at the deadline: 421 and MW_EV_CLOSE (timeout)");
	mw_server_output(&S, &o, &n);
	CHECK(n == strlen(TIMEOUT_OUT) && memcmp(o, TIMEOUT_OUT, n) == 0,
	    "the 421 4.4.2 follows the NOOP's 250");
	CHECK(mw_server_next(&S, 0, &ev) == MW_ERR_STATE,
	    "after MW_EV_CLOSE, MW_ERR_STATE");
	mw_server_input_buf(&S, &b, &n);
	CHECK(n == 0, "after MW_EV_CLOSE no input is taken");
	CHECK(strcmp(mw_server_ev_name(MW_EV_BODY), "MW_EV_BODY") == 0 &&
	    strcmp(mw_server_ev_name((enum mw_server_ev)99),
	    "MW_EV_UNKNOWN") == 0, "event names");
}

/* What mw_server_output() offers now, as a C string (for the tests). */
static const char *
pending(void)
{
	static char o[4096];
	const unsigned char *p;
	size_t n;

	mw_server_output(&S, &p, &n);
	if (n >= sizeof(o))
		n = sizeof(o) - 1;
	memcpy(o, p, n);
	o[n] = '\0';
	return o;
}

/* Which replies are released while later commands of a batch are still
 * being processed (each step stops at an event that waits for a
 * decision). RFC 2920 3.2: with PIPELINING offered the replies to MAIL
 * and RCPT may be grouped (2), those to EHLO/HELO, DATA, VRFY, EXPN,
 * NOOP, QUIT and unrecognized commands must not be buffered (5, 6).
 * Without PIPELINING offered the client was not told it may send a
 * batch: each reply is released as soon as it is written. */
static void
test_release(int pipelining)
{
	struct mw_server_config cfg;
	struct mw_server_event ev;
	unsigned char *b;
	size_t cap;
	const char *batch = "HELO c.example\r\nMAIL FROM:<a@example.org>\r\n"
	    "FROB\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\n"
	    "DATA\r\nNOOP\r\nRCPT TO:<d@example.net>\r\n";
	const char *p = pipelining ? "PIPELINING offered" :
	    "PIPELINING not offered";
	mw_err e;

	mw_server_config_init(&cfg);
	cfg.hostname = "mx.example.com";
	if (!pipelining)
		cfg.extensions &= ~MW_SERVER_PIPELINING;
	mw_server_init(&S, &cfg, buf, sizeof(buf));
	mw_server_next(&S, 0, &ev);
	mw_server_accept(&S, NULL);
	mw_server_next(&S, 0, &ev);
	mw_server_output_ack(&S, strlen(pending()));
	mw_server_input_buf(&S, &b, &cap);
	memcpy(b, batch, strlen(batch));
	mw_server_input_ack(&S, strlen(batch));
	e = mw_server_next(&S, 0, &ev);
	CHECK(e == MW_ERR_OK && ev.type == MW_EV_HELO &&
	    mw_server_accept(&S, NULL) == MW_ERR_OK, "%s: HELO", p);
	e = mw_server_next(&S, 0, &ev);
	CHECK(e == MW_ERR_OK && ev.type == MW_EV_MAIL &&
	    strcmp(pending(), "250 mx.example.com\r\n") == 0,
	    "%s: the reply to HELO is released at once (RFC 2920 3.2 (5))", p);
	mw_server_output_ack(&S, strlen(pending()));
	mw_server_accept(&S, NULL);
	e = mw_server_next(&S, 0, &ev);
	CHECK(e == MW_ERR_OK && ev.type == MW_EV_RCPT && strcmp(pending(),
	    "250 2.1.0 Sender OK\r\n500 5.5.1 Command unrecognized\r\n") == 0,
	    "%s: an unrecognized command's reply is released at once "
	    "(RFC 2920 3.2 (6))", p);
	mw_server_output_ack(&S, strlen(pending()));
	mw_server_accept(&S, NULL);
	e = mw_server_next(&S, 0, &ev);
	CHECK(e == MW_ERR_OK && ev.type == MW_EV_RCPT &&
	    strcmp(pending(), pipelining ? "" : "250 2.1.5 Recipient OK\r\n") ==
	    0, pipelining ? "%s: the replies to RCPT are grouped (RFC 2920 3.2 "
	    "(2))" : "%s: the reply to RCPT is released at once", p);
	mw_server_output_ack(&S, strlen(pending()));
	mw_server_reject(&S, 550, "5.1.1", NULL);
	e = mw_server_next(&S, 0, &ev);
	CHECK(e == MW_ERR_OK && ev.type == MW_EV_DATA &&
	    mw_server_reject(&S, 451, "4.3.0", "Try later") == MW_ERR_OK,
	    "%s: DATA", p);
	e = mw_server_next(&S, 0, &ev);
	CHECK(e == MW_ERR_OK && ev.type == MW_EV_RCPT &&
	    strcmp(pending(), pipelining ? "250 2.1.5 Recipient OK\r\n"
	    "550 5.1.1 Requested action not taken\r\n451 4.3.0 Try later\r\n"
	    "250 2.0.0 OK\r\n" : "550 5.1.1 Requested action not taken\r\n"
	    "451 4.3.0 Try later\r\n250 2.0.0 OK\r\n") == 0,
	    "%s: the replies to DATA and NOOP are released at once "
	    "(RFC 2920 3.2 (5)), in order", p);
	mw_server_output_ack(&S, strlen(pending()));
	mw_server_accept(&S, NULL);
	CHECK(mw_server_next(&S, 0, &ev) == MW_ERR_AGAIN &&
	    strcmp(pending(), "250 2.1.5 Recipient OK\r\n") == 0,
	    "%s: the batch done, the last reply is released", p);
}

#define TIMEOUT_421 "421 4.4.2 mx.example.com Timeout, closing " \
	"transmission channel\r\n"

/* A client that sends and never reads: the replies fill the output area,
 * the engine stops taking commands (it waits for the client to read), and
 * at the deadline it gives up: 421 4.4.2, MW_EV_CLOSE (timeout), with
 * every reply before it intact and in order. */
static void
test_stalled_timeout(void)
{
	struct mw_server_config cfg;
	struct mw_server_event ev;
	const unsigned char *o;
	unsigned char *b;
	size_t n, cap, sent = 0, nl = 0;
	mw_err e;

	mw_server_config_init(&cfg);
	cfg.hostname = "mx.example.com";
	CHECK(mw_server_init(&S, &cfg, buf, sizeof(buf)) == MW_ERR_OK &&
	    mw_server_next(&S, 0, &ev) == MW_ERR_OK &&
	    mw_server_accept(&S, NULL) == MW_ERR_OK,
	    "stalled: the session starts");
	/* NOOPs until the engine takes no more: their replies (14 octets
	 * each) fill the output area long before the input area is full */
	for (int i = 0; i < 100000; i++) {
		mw_server_input_buf(&S, &b, &cap);
		if (cap < 6)
			break;
		memcpy(b, "NOOP\r\n", 6);
		mw_server_input_ack(&S, 6);
		sent++;
		if (mw_server_next(&S, 10, &ev) != MW_ERR_AGAIN)
			break;
	}
	mw_server_output(&S, &o, &n);
	CHECK(sent < 100000 && n > 0 && n <= MW_SERVER_BUF_SIZE / 4,
	    "stalled: input stops being taken while the output is full");
	e = mw_server_next(&S, 10 + MW_SERVER_TIMEOUT_DEFAULT - 1, &ev);
	CHECK(e == MW_ERR_AGAIN, "stalled: nothing before the deadline");
	e = mw_server_next(&S, 10 + MW_SERVER_TIMEOUT_DEFAULT, &ev);
	CHECK(e == MW_ERR_OK && ev.type == MW_EV_CLOSE &&
	    ev.reason == MW_CLOSE_TIMEOUT && ev.code == 421,
	    "stalled: at the deadline, MW_EV_CLOSE (timeout) with 421");
	mw_server_output(&S, &o, &n);
	for (size_t i = 0; i + 1 < n; i++)
		if (o[i] == '\r' && o[i + 1] == '\n')
			nl++;
	CHECK(n > strlen(TIMEOUT_421) && memcmp(o + n - strlen(TIMEOUT_421),
	    TIMEOUT_421, strlen(TIMEOUT_421)) == 0 &&
	    memcmp(o, "220 mx.example.com ESMTP\r\n250 2.0.0 OK\r\n", 40) == 0,
	    "stalled: the 421 4.4.2 comes last, after the replies");
	CHECK(nl >= 3 && nl - 2 <= sent,
	    "stalled: one reply per command taken, none invented");
}

/* Feeds p to S and runs it to its next stop at time now. */
static mw_err
put_in(const char *p, uint64_t now, struct mw_server_event *ev)
{
	unsigned char *b;
	size_t cap;

	mw_server_input_buf(&S, &b, &cap);
	memcpy(b, p, strlen(p));
	mw_server_input_ack(&S, strlen(p));
	return mw_server_next(&S, now, ev);
}

/* Takes all output released, as a C string. */
static const char *
take_out(void)
{
	const char *o = pending();

	mw_server_output_ack(&S, strlen(o));
	return o;
}

static unsigned char buf2[MW_SERVER_BUF_SIZE];

/* Detach and attach (mw_server_detach): refused unless idle, and a
 * detached session times out like any other once given a buffer. */
static void
test_detach(void)
{
	struct mw_server_config cfg;
	struct mw_server_event ev;
	unsigned char *b;
	size_t n;
	uint64_t d;
	mw_err e;

	mw_server_config_init(&cfg);
	cfg.hostname = "mx.example.com";
	cfg.sasl = &sasl;
	cfg.plaintext_auth = 1;
	CHECK(mw_server_init(&S, &cfg, buf + 1, sizeof(buf) - 1) == MW_ERR_OK,
	    "detach: init with AUTH on an unaligned buffer");
	CHECK(mw_server_detach(&S, &b, &n) == MW_ERR_STATE,
	    "detach: refused before MW_EV_CONNECT");
	mw_server_next(&S, 0, &ev);
	CHECK(mw_server_detach(&S, &b, &n) == MW_ERR_STATE,
	    "detach: refused while a decision is awaited");
	mw_server_accept(&S, NULL);
	mw_server_next(&S, 0, &ev);
	CHECK(mw_server_detach(&S, &b, &n) == MW_ERR_STATE,
	    "detach: refused while output is unsent");
	take_out();
	CHECK(mw_server_detach(NULL, &b, &n) == MW_ERR_INVAL &&
	    mw_server_detach(&S, NULL, &n) == MW_ERR_INVAL,
	    "detach: NULL arguments are MW_ERR_INVAL");
	CHECK(mw_server_detach(&S, &b, &n) == MW_ERR_OK && b == buf + 1 &&
	    n == sizeof(buf) - 1, "detach: idle after the greeting, the "
	    "buffer given back");
	CHECK(mw_server_attach(&S, NULL, sizeof(buf2)) == MW_ERR_INVAL &&
	    mw_server_attach(&S, buf2, 20000) == MW_ERR_NOSPACE &&
	    mw_server_next(&S, 0, &ev) == MW_ERR_STATE,
	    "attach: a buffer too small for AUTH is MW_ERR_NOSPACE, the "
	    "session stays detached");
	memset(buf2, 0xa5, sizeof(buf2));
	CHECK(mw_server_attach(&S, buf2 + 3, sizeof(buf2) - 3) == MW_ERR_OK &&
	    mw_server_attach(&S, buf2, sizeof(buf2)) == MW_ERR_STATE,
	    "attach: another buffer; attaching twice is MW_ERR_STATE");
	CHECK(put_in("EHLO c.example\r\nNO", 10, &ev) == MW_ERR_OK &&
	    ev.type == MW_EV_HELO && mw_server_accept(&S, NULL) == MW_ERR_OK &&
	    mw_server_next(&S, 10, &ev) == MW_ERR_AGAIN,
	    "attach: the session goes on");
	take_out();
	CHECK(mw_server_detach(&S, &b, &n) == MW_ERR_STATE,
	    "detach: refused with part of a command line received");
	CHECK(put_in("OP\r\nAUTH PLAIN\r\n", 20, &ev) == MW_ERR_AGAIN &&
	    strcmp(take_out(), "250 2.0.0 OK\r\n334 \r\n") == 0,
	    "AUTH PLAIN: the 334");
	CHECK(mw_server_detach(&S, &b, &n) == MW_ERR_STATE,
	    "detach: refused in an AUTH exchange (its state is in the "
	    "buffer)");
	e = put_in("AHRlc3QAMTIzNA==\r\n", 30, &ev);
	CHECK(e == MW_ERR_OK && ev.type == MW_EV_AUTH &&
	    mw_server_accept(&S, NULL) == MW_ERR_OK &&
	    mw_server_next(&S, 30, &ev) == MW_ERR_AGAIN &&
	    strcmp(take_out(), "235 2.7.0 Authentication successful\r\n") == 0,
	    "AUTH PLAIN: 235");
	CHECK(put_in("MAIL FROM:<a@example.org>\r\n", 40, &ev) == MW_ERR_OK &&
	    mw_server_accept(&S, NULL) == MW_ERR_OK &&
	    put_in("RCPT TO:<b@example.net>\r\n", 40, &ev) == MW_ERR_OK &&
	    mw_server_accept(&S, NULL) == MW_ERR_OK &&
	    put_in("DATA\r\n", 40, &ev) == MW_ERR_OK &&
	    mw_server_accept(&S, NULL) == MW_ERR_OK &&
	    mw_server_next(&S, 40, &ev) == MW_ERR_AGAIN,
	    "a transaction to DATA");
	take_out();
	CHECK(mw_server_detach(&S, &b, &n) == MW_ERR_STATE,
	    "detach: refused in a DATA body");
	CHECK(put_in(".\r\n", 50, &ev) == MW_ERR_OK &&
	    ev.type == MW_EV_MESSAGE && mw_server_accept(&S, NULL) ==
	    MW_ERR_OK && mw_server_next(&S, 50, &ev) == MW_ERR_AGAIN,
	    "the message ends");
	CHECK(mw_server_detach(&S, &b, &n) == MW_ERR_STATE,
	    "detach: refused while the 250 is unsent");
	take_out();
	/* an overlong line is skipped without the buffer */
	{
		char l[700];

		memset(l, 'X', sizeof(l) - 1);
		l[sizeof(l) - 1] = '\0';
		memcpy(l, "NOOP ", 5);
		CHECK(put_in(l, 60, &ev) == MW_ERR_AGAIN &&
		    mw_server_detach(&S, &b, &n) == MW_ERR_OK && b == buf2 + 3,
		    "detach: allowed while the rest of an overlong line is "
		    "skipped");
		memset(buf, 0x5a, sizeof(buf));
		CHECK(mw_server_attach(&S, buf, sizeof(buf)) == MW_ERR_OK &&
		    put_in("XXX\r\nNOOP\r\n", 70, &ev) == MW_ERR_AGAIN &&
		    strcmp(take_out(), "500 5.5.2 Line too long\r\n"
		    "250 2.0.0 OK\r\n") == 0,
		    "attach: the overlong line is answered at its end, then "
		    "the next command");
	}
	CHECK(mw_server_detach(&S, &b, &n) == MW_ERR_OK && b == buf,
	    "detach: idle again");
	d = mw_server_deadline(&S);
	CHECK(d == 70 + MW_SERVER_TIMEOUT_DEFAULT,
	    "detached: the deadline runs");
	CHECK(mw_server_next(&S, d, &ev) == MW_ERR_STATE,
	    "detached: mw_server_next is MW_ERR_STATE, even at the deadline");
	CHECK(mw_server_attach(&S, buf2, sizeof(buf2)) == MW_ERR_OK &&
	    mw_server_next(&S, d - 1, &ev) == MW_ERR_AGAIN &&
	    mw_server_detach(&S, &b, &n) == MW_ERR_OK &&
	    mw_server_attach(&S, buf, sizeof(buf)) == MW_ERR_OK,
	    "attach before the deadline: nothing happens, idle again");
	e = mw_server_next(&S, d, &ev);
	CHECK(e == MW_ERR_OK && ev.type == MW_EV_CLOSE &&
	    ev.reason == MW_CLOSE_TIMEOUT && strcmp(pending(), TIMEOUT_421) == 0,
	    "attached at the deadline: 421 4.4.2 and MW_EV_CLOSE (timeout)");
	CHECK(mw_server_detach(&S, &b, &n) == MW_ERR_STATE,
	    "detach: refused after the close");
	/* shutdown and EOF while detached: acted on once attached */
	mw_server_config_init(&cfg);
	cfg.hostname = "mx.example.com";
	mw_server_init(&S, &cfg, buf, sizeof(buf));
	mw_server_next(&S, 0, &ev);
	mw_server_accept(&S, NULL);
	mw_server_next(&S, 0, &ev);
	take_out();
	CHECK(mw_server_detach(&S, &b, &n) == MW_ERR_OK &&
	    mw_server_shutdown(&S) == MW_ERR_OK &&
	    mw_server_next(&S, 0, &ev) == MW_ERR_STATE &&
	    mw_server_attach(&S, buf2, sizeof(buf2)) == MW_ERR_OK &&
	    mw_server_detach(&S, &b, &n) == MW_ERR_STATE &&
	    mw_server_next(&S, 0, &ev) == MW_ERR_OK &&
	    ev.type == MW_EV_CLOSE && ev.reason == MW_CLOSE_SHUTDOWN &&
	    strncmp(pending(), "421 4.3.2 ", 10) == 0,
	    "shutdown while detached: refused detach once attached, then "
	    "421 4.3.2");
}

int
main(int argc, char **argv)
{
	mw_crypto_openssl(&crypto);
	memset(&sasl, 0, sizeof(sasl));
	sasl.crypto = &crypto;
	sasl.mechs = MW_SASL_SERVER_MECHS;
	sasl.hostname = "mx.example.com";
	sasl.users = users;
	sasl.nusers = sizeof(users) / sizeof(users[0]);
	sasl_fail = sasl;
	sasl_fail.crypto = &crypto_fail;

	test_api();
	test_stalled_timeout();
	test_release(1);
	test_release(0);
	test_detach();
	for (int i = 1; i < argc; i++)
		case_file(argv[i]);
	gen_rcpts(MW_SERVER_MAX_RCPTS_DEFAULT, 100);
	gen_rcpts(MW_SERVER_MAX_RCPTS_DEFAULT, 101);
	gen_rcpts(3, 3);
	gen_rcpts(3, 4);
	gen_errors(3, 3);
	gen_errors(3, 4);
	gen_errors(MW_SERVER_MAX_ERRORS_DEFAULT, 10);
	gen_errors(MW_SERVER_MAX_ERRORS_DEFAULT, 11);
	gen_size(100, 100);
	gen_size(100, 102);
	gen_authline(MW_SASL_LINE_MAX);
	gen_authline(MW_SASL_LINE_MAX + 1);
	gen_authline(3 * MW_SASL_LINE_MAX);
	gen_noops(1200);
	gen_cmdline(512);
	gen_cmdline(513);
	CHECK(argc < 2 || detached_total > 0,
	    "the dialogues detached their buffers (%lu times)", detached_total);
	return check_done();
}
