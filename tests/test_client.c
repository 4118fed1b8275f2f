/*
 * tests/test_client.c: the client session engine (mailwire/client.h) in
 * memory. Dialogues are scripts (tests/cases/client/NAME.txt), read in
 * order:
 *
 *	# comment
 *	! option [value]	configuration and messages, before the dialogue
 *	S: text			server bytes; CRLF is added unless the line
 *				ends in \c; escapes \r \n \t \\ \xHH.
 *				Consecutive S: lines are one segment.
 *	C: text			a line the client must have sent (CRLF added)
 *				before the next S: segment is fed
 *	E: text			an event, as the test caller logs it
 *	T:			the TLS handshake: the engine must ask for it;
 *				TFAIL: the handshake fails
 *	EOF			the server closes
 *	WAIT			the clock passes the engine's deadline;
 *				WAIT n: the clock moves n ms
 *
 * Each script runs with each S: segment fed whole, byte by byte, split in
 * two at every offset, with the output drained one octet at a time, and
 * with body pieces given by pointer instead of copied; the transcript
 * (output, the point at which each segment was fed) and the event log
 * must be the same every time and equal the C: and E: lines. The caller
 * submits the "! msg" messages in order at each READY, then quits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/client.h>
#include <mailwire/crypto_openssl.h>
#include <mailwire/server.h>

#include "check.h"
#include "script.h"

#define B(s)	((const unsigned char *)(s))

static struct mw_crypto crypto;

static void
addf(struct str *s, const char *fmt, ...)
{
	char b[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	adds(s, b);
}

/* ---- scripts ----------------------------------------------------------- */

enum { IT_S, IT_C, IT_TLS, IT_TLSFAIL, IT_EOF, IT_WAIT };

#define MAXIT	128
#define MAXMSG	4
#define MAXRCPT	16

struct msgdef {
	struct mw_client_msg	m;
	struct mw_client_rcpt	r[MAXRCPT];
	struct mw_client_result	res[MAXRCPT];
	char			text[2048];	/* the strings of m and r */
	struct str		body;
	size_t			piece;
};

struct script {
	const char		*name;
	struct mw_client_config	 cfg;
	struct mw_sasl_creds	 creds;
	char			 user[64], pass[64];
	int			 noconnect, noquit, holdbody;
	uint64_t		 settimeout[MW_CLIENT_T__COUNT];
	struct msgdef		 msg[MAXMSG];
	int			 nmsg;
	int			 kind[MAXIT];
	struct str		 item[MAXIT];
	uint64_t		 wait[MAXIT];
	int			 nit;
	struct str		 want_out, want_ev;
	int			 has_ev;
};

/* "! msg FROM RCPT[,RCPT] [key=value | flag]..."; a RCPT is
 * addr[/notify=a+b][/orcpt=addr]; FROM "<>" is the null path. */
static void
msg_option(struct script *sc, char *args)
{
	struct msgdef *d = &sc->msg[sc->nmsg++];
	char *save = NULL, *tok, *t = d->text;

	memset(d, 0, sizeof(*d));
	d->piece = 1 << 20;
	adds(&d->body, "Subject: test\r\n\r\nHello.\r\n");
	tok = strtok_r(args, " ", &save);
	strcpy(t, strcmp(tok, "<>") == 0 ? "" : tok);
	d->m.from = t;
	t += strlen(t) + 1;
	tok = strtok_r(NULL, " ", &save);
	for (char *s2 = NULL, *r = strtok_r(tok, ",", &s2); r != NULL;
	    r = strtok_r(NULL, ",", &s2)) {
		struct mw_client_rcpt *rc = &d->r[d->m.nrcpts++];
		char *s3 = NULL, *part = strtok_r(r, "/", &s3);

		strcpy(t, part);
		rc->addr = t;
		t += strlen(t) + 1;
		while ((part = strtok_r(NULL, "/", &s3)) != NULL) {
			if (strncmp(part, "notify=", 7) == 0) {
				rc->notify |= strstr(part, "never") ?
				    MW_NOTIFY_NEVER : 0;
				rc->notify |= strstr(part, "success") ?
				    MW_NOTIFY_SUCCESS : 0;
				rc->notify |= strstr(part, "failure") ?
				    MW_NOTIFY_FAILURE : 0;
				rc->notify |= strstr(part, "delay") ?
				    MW_NOTIFY_DELAY : 0;
			} else if (strncmp(part, "orcpt=", 6) == 0) {
				strcpy(t, part + 6);
				rc->orcpt = t;
				t += strlen(t) + 1;
			}
		}
	}
	d->m.rcpts = d->r;
	d->m.results = d->res;
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		if (strncmp(tok, "size=", 5) == 0)
			d->m.size = strtoull(tok + 5, NULL, 10);
		else if (strcmp(tok, "body=7bit") == 0)
			d->m.body = MW_CLIENT_BODY_7BIT;
		else if (strcmp(tok, "body=8bitmime") == 0)
			d->m.body = MW_CLIENT_BODY_8BITMIME;
		else if (strcmp(tok, "body=binarymime") == 0)
			d->m.body = MW_CLIENT_BODY_BINARYMIME;
		else if (strcmp(tok, "utf8") == 0)
			d->m.smtputf8 = 1;
		else if (strcmp(tok, "ret=full") == 0)
			d->m.ret = MW_CLIENT_RET_FULL;
		else if (strcmp(tok, "ret=hdrs") == 0)
			d->m.ret = MW_CLIENT_RET_HDRS;
		else if (strncmp(tok, "envid=", 6) == 0) {
			strcpy(t, tok + 6);
			d->m.envid = t;
			t += strlen(t) + 1;
		} else if (strcmp(tok, "requiretls") == 0)
			d->m.requiretls = 1;
		else if (strcmp(tok, "bdat") == 0)
			d->m.bdat = 1;
		else {
			fprintf(stderr, "%s: bad msg token %s\n", sc->name,
			    tok);
			abort();
		}
	}
}

static void
option(struct script *sc, char *l)
{
	static char none[1];
	char *k = strtok(l, " "), *v = strtok(NULL, "");

	if (v == NULL)
		v = none;
	if (strcmp(k, "msg") == 0)
		msg_option(sc, v);
	else if (strcmp(k, "body") == 0) {
		struct msgdef *d = &sc->msg[sc->nmsg - 1];
		char *o = malloc(strlen(v) + 1);
		size_t n = unescape(v, strlen(v), o);

		d->body.n = 0;
		add(&d->body, o, n);
		free(o);
	} else if (strcmp(k, "repeat") == 0) {	/* body: v = "N text" */
		struct msgdef *d = &sc->msg[sc->nmsg - 1];
		unsigned long n = strtoul(v, &v, 10);
		char *o = malloc(strlen(v) + 1);
		size_t m = unescape(v + 1, strlen(v + 1), o);

		d->body.n = 0;
		for (unsigned long i = 0; i < n; i++)
			add(&d->body, o, m);
		free(o);
	} else if (strcmp(k, "piece") == 0)
		sc->msg[sc->nmsg - 1].piece = strtoul(v, NULL, 10);
	else if (strcmp(k, "lmtp") == 0)
		sc->cfg.lmtp = 1;
	else if (strcmp(k, "tls") == 0)
		sc->cfg.tls = strcmp(v, "off") == 0 ? MW_CLIENT_TLS_OFF :
		    strcmp(v, "opportunistic") == 0 ?
		    MW_CLIENT_TLS_OPPORTUNISTIC : strcmp(v, "implicit") == 0 ?
		    MW_CLIENT_TLS_IMPLICIT : MW_CLIENT_TLS_REQUIRED;
	else if (strcmp(k, "nopipelining") == 0)
		sc->cfg.pipelining = 0;
	else if (strcmp(k, "nochunking") == 0)
		sc->cfg.chunking = 0;
	else if (strcmp(k, "plaintext_auth") == 0)
		sc->cfg.plaintext_auth = 1;
	else if (strcmp(k, "auth") == 0) {	/* user pass [MECH] */
		char *u = strtok(v, " "), *p = strtok(NULL, " "),
		    *m = strtok(NULL, " ");

		snprintf(sc->user, sizeof(sc->user), "%s", u);
		snprintf(sc->pass, sizeof(sc->pass), "%s", p);
		sc->creds.authcid = sc->user;
		sc->creds.password = sc->pass;
		sc->creds.host = "mx.example.com";
		sc->cfg.creds = &sc->creds;
		sc->cfg.crypto = &crypto;
		if (m != NULL)
			sc->cfg.auth_mechs = MW_AUTH_BIT(mw_auth_mech_lookup(
			    B(m), strlen(m)));
	} else if (strcmp(k, "timeout") == 0 || strcmp(k, "settimeout") == 0) {
		char *name = strtok(v, " "), *ms = strtok(NULL, " ");
		enum mw_client_timer t = mw_client_timer_lookup(name);

		if (t == MW_CLIENT_T__COUNT)
			abort();
		if (k[0] == 't')
			sc->cfg.timeout[t] = strtoull(ms, NULL, 10);
		else
			sc->settimeout[t] = strtoull(ms, NULL, 10);
	} else if (strcmp(k, "noconnect") == 0)
		sc->noconnect = 1;
	else if (strcmp(k, "holdbody") == 0)
		sc->holdbody = 1;
	else if (strcmp(k, "noquit") == 0)
		sc->noquit = 1;
	else if (strcmp(k, "longline") == 0)
		sc->cfg.longline = MW_DATA_LONG_REJECT;
	else if (strcmp(k, "maxlines") == 0)
		sc->cfg.reply.max_lines = (uint32_t)strtoul(v, NULL, 10);
	else if (strcmp(k, "bare_lf") == 0)
		sc->cfg.reply.lenient |= MW_REPLY_LENIENT_BARE_LF;
	else if (strcmp(k, "strict") == 0)
		sc->cfg.reply.lenient = 0;
	else {
		fprintf(stderr, "%s: unknown option %s\n", sc->name, k);
		abort();
	}
}

static void
script_init(struct script *sc, const char *name)
{
	memset(sc, 0, sizeof(*sc));
	sc->name = name;
	mw_client_config_init(&sc->cfg);
	sc->cfg.helo = "client.example";
	sc->cfg.tls = MW_CLIENT_TLS_OFF;
}

static void
script_free(struct script *sc)
{
	for (int i = 0; i < MAXIT; i++)
		free(sc->item[i].p);
	for (int i = 0; i < MAXMSG; i++)
		free(sc->msg[i].body.p);
	free(sc->want_out.p);
	free(sc->want_ev.p);
}

static void
new_item(struct script *sc, int kind)
{
	if (sc->nit >= MAXIT)
		abort();
	sc->kind[sc->nit++] = kind;
}

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
	} else if (strncmp(buf, "S:", 2) == 0) {
		const char *t = n > 3 ? buf + 3 : "";
		size_t tn = strlen(t);
		int cont = tn >= 2 && strcmp(t + tn - 2, "\\c") == 0;

		if (sc->nit == 0 || sc->kind[sc->nit - 1] != IT_S)
			new_item(sc, IT_S);
		m = unescape(t, cont ? tn - 2 : tn, o);
		add(&sc->item[sc->nit - 1], o, m);
		if (!cont)
			add(&sc->item[sc->nit - 1], "\r\n", 2);
	} else if (strncmp(buf, "C:", 2) == 0) {
		const char *t = n > 3 ? buf + 3 : "";
		size_t tn = strlen(t);
		int cont = tn >= 2 && strcmp(t + tn - 2, "\\c") == 0;

		m = unescape(t, cont ? tn - 2 : tn, o);
		if (sc->nit == 0 || sc->kind[sc->nit - 1] != IT_C)
			new_item(sc, IT_C);
		add(&sc->item[sc->nit - 1], o, m);
		add(&sc->want_out, o, m);
		if (!cont) {
			add(&sc->item[sc->nit - 1], "\r\n", 2);
			add(&sc->want_out, "\r\n", 2);
		}
	} else if (strncmp(buf, "E: ", 3) == 0) {
		adds(&sc->want_ev, buf + 3);
		adds(&sc->want_ev, "\n");
		sc->has_ev = 1;
	} else if (strcmp(buf, "T:") == 0) {
		new_item(sc, IT_TLS);
	} else if (strcmp(buf, "TFAIL:") == 0) {
		new_item(sc, IT_TLSFAIL);
	} else if (strcmp(buf, "EOF") == 0) {
		new_item(sc, IT_EOF);
	} else if (strncmp(buf, "WAIT", 4) == 0) {
		new_item(sc, IT_WAIT);
		sc->wait[sc->nit - 1] = strtoull(buf + 4, NULL, 10);
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

/* ---- the caller -------------------------------------------------------- */

struct run {
	struct mw_client	 c;
	unsigned char		 buf[MW_CLIENT_BUF_SIZE];
	struct str		 out, ev, tr;
	int			 nextmsg, tls_wait, closed, fatal;
	uint64_t		 now;
	size_t			 drain;		/* octets per output call */
	int			 byptr;		/* body by pointer */
	int			 hold_body;	/* answer no BODY event */
	struct script		*sc;
};

static const char *const status_names[] = { "pending", "delivered",
	"tempfail", "permfail" };

static void
log_result(struct run *r, const char *what, const struct mw_client_result *x)
{
	char esc[MW_ESC_MAX] = "-";

	if (x->has_esc)
		mw_esc_format(&x->esc, esc, sizeof(esc));
	addf(&r->ev, "%s %s %s %d %s %s\n", what, status_names[x->status],
	    mw_client_why_name(x->why), x->code, esc, x->text);
}

static void
on_event(struct run *r, const struct mw_client_event *ev)
{
	struct mw_client *c = &r->c;
	struct msgdef *d;
	char w[32];

	switch (ev->type) {
	case MW_CLIENT_EV_READY:
		adds(&r->ev, "READY\n");
		if (r->nextmsg < r->sc->nmsg) {
			d = &r->sc->msg[r->nextmsg++];
			if (mw_client_submit(c, &d->m) != MW_ERR_OK)
				r->fatal = 1;
		} else if (!r->sc->noquit && mw_client_quit(c) != MW_ERR_OK)
			r->fatal = 1;
		break;
	case MW_CLIENT_EV_STARTTLS:
		adds(&r->ev, "STARTTLS\n");
		r->tls_wait = 1;
		break;
	case MW_CLIENT_EV_BODY: {
		size_t n, left;
		int last;

		d = &r->sc->msg[r->nextmsg - 1];
		if (r->hold_body)
			break;
		if (ev->offset > d->body.n) {
			r->fatal = 1;
			break;
		}
		left = d->body.n - (size_t)ev->offset;
		n = left < d->piece ? left : d->piece;
		if (!r->byptr && n > ev->cap)
			n = ev->cap;
		last = n == left;
		if (r->byptr) {
			if (mw_client_body_ptr(c, B(d->body.p) +
			    ev->offset, n, last) != MW_ERR_OK)
				r->fatal = 1;
		} else {
			memcpy(ev->buf, d->body.p + ev->offset, n);
			if (mw_client_body(c, n, last) != MW_ERR_OK)
				r->fatal = 1;
		}
		break;
	}
	case MW_CLIENT_EV_RCPT:
		snprintf(w, sizeof(w), "RCPT %zu", ev->rcpt);
		log_result(r, w, ev->result);
		break;
	case MW_CLIENT_EV_MESSAGE:
		d = &r->sc->msg[r->nextmsg - 1];
		addf(&r->ev, "MESSAGE delivered=%zu failed=%zu\n",
		    ev->delivered, ev->failed);
		log_result(r, " msg", ev->result);
		for (size_t i = 0; i < d->m.nrcpts; i++) {
			snprintf(w, sizeof(w), " %zu", i);
			log_result(r, w, &d->res[i]);
		}
		break;
	case MW_CLIENT_EV_CLOSE:
		addf(&r->ev, "CLOSE %s", mw_client_close_name(ev->reason));
		if (ev->reason == MW_CLIENT_CLOSE_TIMEOUT)
			addf(&r->ev, " %s", mw_client_timer_name(ev->timer));
		if (ev->cause != MW_REPLY_E_NONE)
			addf(&r->ev, " %s", mw_reply_cause_name(ev->cause));
		if (ev->result->code != 0)
			addf(&r->ev, " %d", ev->result->code);
		adds(&r->ev, "\n");
		r->closed = 1;
		break;
	default:
		r->fatal = 1;
	}
}

static size_t
drain(struct run *r)
{
	const unsigned char *p;
	size_t n, all = 0;

	for (;;) {
		if (mw_client_output(&r->c, &p, &n) != MW_ERR_OK) {
			r->fatal = 1;
			return all;
		}
		if (n == 0)
			return all;
		if (r->drain != 0 && n > r->drain)
			n = r->drain;
		add(&r->out, p, n);
		all += n;
		if (mw_client_output_ack(&r->c, n) != MW_ERR_OK)
			r->fatal = 1;
		if (r->drain != 0)
			return all;
	}
}

static void
drive(struct run *r)
{
	struct mw_client_event ev;
	mw_err e;

	for (int guard = 0; guard < 1000000; guard++) {
		e = mw_client_next(&r->c, r->now, &ev);
		if (e == MW_ERR_OK) {
			if (r->closed)
				r->fatal = 1;	/* nothing after CLOSE */
			on_event(r, &ev);
			continue;
		}
		if (drain(r) > 0)
			continue;
		if (e != MW_ERR_AGAIN && e != MW_ERR_STATE)
			r->fatal = 1;
		return;
	}
	r->fatal = 1;
}

static void
feed(struct run *r, const char *in, size_t n, size_t step, size_t cut)
{
	size_t at = 0;

	while (at < n && !r->closed) {
		unsigned char *b;
		size_t cap, take = n - at;

		if (mw_client_input_buf(&r->c, &b, &cap) != MW_ERR_OK) {
			r->fatal = 1;
			return;
		}
		if (cap == 0)
			break;	/* the handshake: the rest is never read */
		if (step != 0 && take > step)
			take = step;
		if (cut > at && take > cut - at)
			take = cut - at;
		if (take > cap)
			take = cap;
		memcpy(b, in + at, take);
		if (mw_client_input_ack(&r->c, take) != MW_ERR_OK)
			r->fatal = 1;
		at += take;
		drive(r);
	}
}

static void
run_reset(struct run *r)
{
	memset(&r->c, 0, sizeof(r->c));
	memset((char *)r + offsetof(struct run, out), 0,
	    sizeof(*r) - offsetof(struct run, out));
}

static void
run_script(struct run *r, struct script *sc, size_t step, int cutit,
    size_t cut, size_t drainstep, int byptr)
{
	size_t want = 0;

	run_reset(r);
	r->now = 1000;
	r->drain = drainstep;
	r->byptr = byptr;
	r->sc = sc;
	r->hold_body = sc->holdbody;
	if (mw_client_init(&r->c, &sc->cfg, r->buf, sizeof(r->buf)) !=
	    MW_ERR_OK) {
		r->fatal = 1;
		return;
	}
	for (unsigned t = 0; t < MW_CLIENT_T__COUNT; t++)
		if (sc->settimeout[t] != 0 &&
		    mw_client_set_timeout(&r->c, t, sc->settimeout[t]) !=
		    MW_ERR_OK)
			r->fatal = 1;
	if (!sc->noconnect && mw_client_connected(&r->c) != MW_ERR_OK)
		r->fatal = 1;
	drive(r);
	for (int i = 0; i < sc->nit; i++) {
		switch (sc->kind[i]) {
		case IT_C:
			want += sc->item[i].n;
			break;
		case IT_S:
			/* the transcript: where the client was when the
			 * server spoke */
			addf(&r->tr, "S%d@%zu%s ", i, r->out.n,
			    r->out.n == want ? "" : "!");
			feed(r, sc->item[i].p, sc->item[i].n, step,
			    i == cutit ? cut : 0);
			break;
		case IT_TLS:
		case IT_TLSFAIL:
			if (!r->tls_wait || mw_client_tls_done(&r->c,
			    sc->kind[i] == IT_TLS) != MW_ERR_OK)
				r->fatal = 1;
			r->tls_wait = 0;
			drive(r);
			break;
		case IT_EOF:
			mw_client_input_eof(&r->c);
			drive(r);
			break;
		case IT_WAIT:
			if (sc->wait[i] != 0)
				r->now += sc->wait[i];
			else if (mw_client_deadline(&r->c) == UINT64_MAX)
				r->fatal = 1;	/* no timer runs */
			else
				r->now = mw_client_deadline(&r->c);
			drive(r);
			break;
		}
	}
}

static void
run_free(struct run *r)
{
	free(r->out.p);
	free(r->ev.p);
	free(r->tr.p);
	memset(&r->out, 0, sizeof(r->out));
	memset(&r->ev, 0, sizeof(r->ev));
	memset(&r->tr, 0, sizeof(r->tr));
}

static struct run R, X;

static int
same_run(const struct run *a, const struct run *b)
{
	return !b->fatal && same(&a->out, &b->out) && same(&a->ev, &b->ev) &&
	    same(&a->tr, &b->tr);
}

static void
check_script(struct script *sc)
{
	int bad = 0;

	run_script(&R, sc, 0, -1, 0, 0, 0);
	CHECK(!R.fatal, "%s: every engine call succeeds, nothing after CLOSE",
	    sc->name);
	CHECK(same(&R.out, &sc->want_out) && strchr(R.tr.p ? R.tr.p : "",
	    '!') == NULL, "%s: the client's lines, in their place", sc->name);
	if (!same(&R.out, &sc->want_out) || strchr(R.tr.p ? R.tr.p : "", '!'))
		printf("# got:\n%s# want:\n%s# transcript: %s\n",
		    R.out.p ? R.out.p : "",
		    sc->want_out.p ? sc->want_out.p : "",
		    R.tr.p ? R.tr.p : "");
	if (sc->has_ev) {
		CHECK(same(&R.ev, &sc->want_ev), "%s: events", sc->name);
		if (!same(&R.ev, &sc->want_ev))
			printf("# got:\n%s# want:\n%s", R.ev.p ? R.ev.p : "",
			    sc->want_ev.p);
	}
	if (getenv("MW_DUMP"))
		fprintf(stderr, "== %s\n%s", sc->name, R.ev.p ? R.ev.p : "");
	run_script(&X, sc, 1, -1, 0, 0, 0);
	CHECK(same_run(&R, &X), "%s: byte by byte, the same", sc->name);
	run_free(&X);
	run_script(&X, sc, 0, -1, 0, 1, 0);
	CHECK(same_run(&R, &X), "%s: output drained one octet at a time, the "
	    "same", sc->name);
	if (!same_run(&R, &X))
		printf("# got:\n%s%s%s\n", X.out.p ? X.out.p : "", X.ev.p ?
		    X.ev.p : "", X.tr.p ? X.tr.p : "");
	run_free(&X);
	run_script(&X, sc, 3, -1, 0, 7, 1);
	CHECK(same_run(&R, &X), "%s: input by 3, output by 7, body by "
	    "pointer, the same", sc->name);
	run_free(&X);
	for (int i = 0; i < sc->nit && !bad; i++) {
		if (sc->kind[i] != IT_S)
			continue;
		for (size_t c = 1; c < sc->item[i].n && !bad; c++) {
			run_script(&X, sc, 0, i, c, 0, 0);
			if (!same_run(&R, &X)) {
				bad = 1;
				printf("# %s: differs when segment %d is cut "
				    "at %zu\n# got:\n%s%s", sc->name, i, c,
				    X.out.p ? X.out.p : "",
				    X.ev.p ? X.ev.p : "");
			}
			run_free(&X);
		}
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

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0) {
		if (fp != NULL)
			fclose(fp);
		return NULL;
	}
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

static struct script SC;

static void
case_file(const char *path)
{
	char *text = slurp(path);
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (text == NULL) {
		CHECK(0, "%s: readable", path);
		return;
	}
	script_init(&SC, name);
	script_text(&SC, text);
	check_script(&SC);
	script_free(&SC);
	free(text);
}

/* ---- the API's edges --------------------------------------------------- */

static void
test_api(void)
{
	static struct mw_client c;
	static unsigned char buf[MW_CLIENT_BUF_SIZE];
	struct mw_client_config cfg;
	struct mw_client_rcpt rc = { "b@example.net", 0, NULL };
	struct mw_client_result res;
	struct mw_client_msg m;
	struct mw_client_event ev;

	mw_client_config_init(&cfg);
	CHECK(mw_client_init(&c, &cfg, buf, sizeof(buf)) == MW_ERR_INVAL,
	    "api: no helo is refused");
	cfg.helo = "bad name";
	CHECK(mw_client_init(&c, &cfg, buf, sizeof(buf)) == MW_ERR_INVAL,
	    "api: a helo with a space is refused");
	cfg.helo = "client.example";
	CHECK(mw_client_init(&c, &cfg, buf, sizeof(buf) - 1) ==
	    MW_ERR_NOSPACE, "api: a buffer short of one reply is refused");
	cfg.reply.max_lines = 8;
	cfg.reply.max_total = 8 * MW_REPLY_LINE_MAX;
	CHECK(mw_client_init(&c, &cfg, buf, MW_CLIENT_OUT_SIZE +
	    MW_CLIENT_BODY_SIZE + 8 * MW_REPLY_LINE_MAX) == MW_ERR_OK,
	    "api: smaller reply limits take a smaller buffer");
	cfg.reply.max_lines = 0;
	cfg.reply.max_total = 0;
	cfg.creds = (const struct mw_sasl_creds *)&rc;
	CHECK(mw_client_init(&c, &cfg, buf, sizeof(buf)) == MW_ERR_INVAL,
	    "api: AUTH without crypto is refused");
	cfg.creds = NULL;
	CHECK(mw_client_init(&c, &cfg, buf, sizeof(buf)) == MW_ERR_OK,
	    "api: init");
	CHECK(mw_client_next(&c, 0, &ev) == MW_ERR_AGAIN &&
	    mw_client_deadline(&c) == 60000, "api: the connect timer runs "
	    "from the first call");
	CHECK(mw_client_tls_done(&c, 1) == MW_ERR_STATE &&
	    mw_client_body(&c, 1, 1) == MW_ERR_STATE,
	    "api: calls out of place are refused");
	memset(&m, 0, sizeof(m));
	m.from = "a@example.org";
	m.rcpts = &rc;
	m.nrcpts = 1;
	m.results = &res;
	CHECK(mw_client_submit(&c, &m) == MW_ERR_OK &&
	    mw_client_submit(&c, &m) == MW_ERR_STATE,
	    "api: one message at a time");
	c.have_msg = 0;
	m.from = "a b@example.org";
	CHECK(mw_client_submit(&c, &m) == MW_ERR_INVAL,
	    "api: a space in an address is refused");
	m.from = "a@example.org>";
	CHECK(mw_client_submit(&c, &m) == MW_ERR_INVAL,
	    "api: a bracket in an address is refused");
	m.from = "a\r\n@example.org";
	CHECK(mw_client_submit(&c, &m) == MW_ERR_INVAL,
	    "api: CRLF in an address is refused (no command injection)");
	m.from = "\xc3\xa9@example.org";
	CHECK(mw_client_submit(&c, &m) == MW_ERR_INVAL,
	    "api: UTF-8 without SMTPUTF8 is refused");
	m.smtputf8 = 1;
	CHECK(mw_client_submit(&c, &m) == MW_ERR_OK,
	    "api: UTF-8 with SMTPUTF8");
	c.have_msg = 0;
	m.from = "";
	rc.notify = MW_NOTIFY_NEVER | MW_NOTIFY_DELAY;
	CHECK(mw_client_submit(&c, &m) == MW_ERR_INVAL,
	    "api: NOTIFY=NEVER with another value is refused (RFC 3461 4.1)");
	rc.notify = 0;
	m.nrcpts = 0;
	CHECK(mw_client_submit(&c, &m) == MW_ERR_INVAL,
	    "api: a message without recipients is refused");
	CHECK(mw_client_timer_lookup("block") == MW_CLIENT_T_BLOCK &&
	    mw_client_timer_lookup("nope") == MW_CLIENT_T__COUNT &&
	    strcmp(mw_client_timer_name(MW_CLIENT_T_END), "end") == 0 &&
	    mw_client_timer_name(MW_CLIENT_T__COUNT) == NULL,
	    "api: timer names");
	CHECK(strcmp(mw_client_ev_name(MW_CLIENT_EV_BODY),
	    "MW_CLIENT_EV_BODY") == 0 && strcmp(mw_client_ev_name(99),
	    "MW_CLIENT_EV_UNKNOWN") == 0 && strcmp(mw_client_close_name(
	    MW_CLIENT_CLOSE_UNSOLICITED), "unsolicited") == 0,
	    "api: event and close names");
	CHECK(mw_client_set_timeout(&c, MW_CLIENT_T__COUNT,
	    1) == MW_ERR_INVAL &&
	    mw_client_set_timeout(&c, MW_CLIENT_T_MAIL, 0) == MW_ERR_INVAL,
	    "api: bad timer overrides are refused");
}

/* ---- replies before their command was sent ------------------------------ */

/* Feeds s before the client's output was taken: the reply answers a
 * command the server cannot have read. */
static void
test_early(void)
{
	static const char *const cases[] = {
		/* the EHLO reply together with the greeting */
		"220 mx.example.com ESMTP\r\n250 mx.example.com\r\n",
		/* a greeting with an extra reply */
		"220 mx.example.com ESMTP\r\n221 bye\r\n",
	};

	for (size_t k = 0; k < 2; k++) {
		static struct run r;
		static struct script sc;
		unsigned char *b;
		size_t cap, n = strlen(cases[k]);

		script_init(&sc, "early");
		run_reset(&r);
		r.sc = &sc;
		mw_client_init(&r.c, &sc.cfg, r.buf, sizeof(r.buf));
		mw_client_connected(&r.c);
		mw_client_input_buf(&r.c, &b, &cap);
		memcpy(b, cases[k], n);
		mw_client_input_ack(&r.c, n);
		drive(&r);
		CHECK(!r.fatal && r.closed && r.ev.p != NULL &&
		    strcmp(r.ev.p, "CLOSE unsolicited\n") == 0,
		    "early %zu: a reply before its command is an error", k);
		run_free(&r);
		script_free(&sc);
	}
	/* RFC 3207 5: bytes after the 220 to STARTTLS, in the same read,
	 * are discarded and counted, never read as a reply */
	{
		static struct run r;
		static struct script sc;

		script_init(&sc, "starttls-discard");
		sc.cfg.tls = MW_CLIENT_TLS_REQUIRED;
		run_reset(&r);
		r.sc = &sc;
		mw_client_init(&r.c, &sc.cfg, r.buf, sizeof(r.buf));
		mw_client_connected(&r.c);
		feed(&r, "220 mx ESMTP\r\n", 14, 0, 0);
		feed(&r, "250-mx\r\n250 STARTTLS\r\n", 22, 0, 0);
		feed(&r, "220 Go\r\n250-x\r\n250 AUTH PLAIN\r\n", 31, 0, 0);
		CHECK(!r.fatal && r.tls_wait &&
		    mw_client_discarded(&r.c) == 23 &&
		    mw_client_tls_done(&r.c, 1) == MW_ERR_OK,
		    "starttls: 23 injected octets discarded");
		drive(&r);
		CHECK(r.out.p != NULL && strcmp(r.out.p,
		    "EHLO client.example\r\n"
		    "STARTTLS\r\nEHLO client.example\r\n") == 0 &&
		    mw_client_caps(&r.c)->caps == 0,
		    "starttls: EHLO again, the old capabilities forgotten");
		run_free(&r);
		script_free(&sc);
	}
	/* a reply while the body is being sent (before the final dot) */
	{
		static struct run r;
		static struct script sc;
		unsigned char *b;
		size_t cap;

		script_init(&sc, "early-body");
		script_text(&sc, "! msg a@example.org b@example.net\n"
		    "! piece 4\n");
		run_reset(&r);
		r.sc = &sc;
		mw_client_init(&r.c, &sc.cfg, r.buf, sizeof(r.buf));
		mw_client_connected(&r.c);
		feed(&r, "220 mx ESMTP\r\n", 14, 0, 0);
		feed(&r, "250 mx\r\n", 8, 0, 0);
		feed(&r, "250 ok\r\n", 8, 0, 0);
		feed(&r, "250 ok\r\n", 8, 0, 0);
		/* DATA sent; 354 arrives, and the client starts the body;
		 * the caller is slow: the first piece is not out yet */
		r.hold_body = 1;
		feed(&r, "354 go\r\n", 8, 0, 0);
		mw_client_input_buf(&r.c, &b, &cap);
		memcpy(b, "250 delivered\r\n", 15);
		mw_client_input_ack(&r.c, 15);
		drive(&r);
		CHECK(!r.fatal && r.closed && strstr(r.ev.p,
		    "MESSAGE delivered=0 failed=1") != NULL && strstr(r.ev.p,
		    "CLOSE unsolicited") != NULL, "early: a 250 before the end "
		    "of data delivers nothing");
		run_free(&r);
		script_free(&sc);
	}
}

/* ---- against the server engine ------------------------------------------ */

static uint64_t
fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/*
 * The client engine talks to the server engine (mailwire/server.h) in
 * memory: STARTTLS (both sides told the handshake is done), AUTH
 * SCRAM-SHA-256 with the server proving itself, PIPELINING, a 1 MiB body
 * with dot lines pulled by pointer in 64 KiB pieces, DATA or BDAT, SMTP or
 * LMTP. The server must get the body unchanged.
 */
static void
loopback(int lmtp, int bdat)
{
	static struct mw_server s;
	static unsigned char sbuf[MW_SERVER_BUF_SIZE];
	static struct mw_client c;
	static unsigned char cbuf[MW_CLIENT_BUF_SIZE];
	static unsigned char body[1 << 20];
	static struct mw_sasl_user users[1];
	static struct mw_sasl_scram_keys keys;
	struct mw_sasl_server_config sasl;
	struct mw_server_config scfg;
	struct mw_client_config ccfg;
	struct mw_sasl_creds creds;
	struct mw_client_rcpt rc[3] = { { "r1@example.net", 0, NULL },
	    { "r2@example.net", MW_NOTIFY_FAILURE, "r2@example.net" },
	    { "r3@example.net", 0, NULL } };
	struct mw_client_result res[3];
	struct mw_client_msg m;
	uint64_t want, got = 14695981039346656037ull, now = 0;
	size_t gotn = 0, delivered = 0, messages = 0;
	int ctls = 0, stls = 0, cclosed = 0, sclosed = 0, sent = 0, authed = 0;
	int bad = 0;

	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (i % 61 == 60) ? '\n' : (i % 61 == 0) ? '.' :
		    (unsigned char)('a' + i % 26);
	for (size_t i = 0; i < sizeof(body); i++)	/* CRLF lines */
		if (body[i] == '\n')
			body[i - 1] = '\r';
	body[sizeof(body) - 2] = '\r';
	body[sizeof(body) - 1] = '\n';
	want = fnv(14695981039346656037ull, body, sizeof(body));
	mw_sasl_scram_keys(&crypto, MW_HASH_SHA256, "1234",
	    B("saltsaltsalt"), 12, 4096, &keys);
	memset(users, 0, sizeof(users));
	users[0].name = "test";
	users[0].secret.scram_sha256 = &keys;
	memset(&sasl, 0, sizeof(sasl));
	sasl.crypto = &crypto;
	sasl.mechs = MW_SASL_SERVER_MECHS;
	sasl.hostname = "mx.example.com";
	sasl.users = users;
	sasl.nusers = 1;
	mw_server_config_init(&scfg);
	scfg.hostname = "mx.example.com";
	scfg.extensions |= MW_SERVER_STARTTLS;
	scfg.lmtp = lmtp;
	scfg.sasl = &sasl;
	scfg.tls_required = 1;
	scfg.auth_required = 1;
	mw_client_config_init(&ccfg);
	ccfg.helo = "client.example";
	ccfg.lmtp = lmtp;
	memset(&creds, 0, sizeof(creds));
	creds.authcid = "test";
	creds.password = "1234";
	ccfg.creds = &creds;
	ccfg.crypto = &crypto;
	memset(&m, 0, sizeof(m));
	m.from = "a@example.org";
	m.rcpts = rc;
	m.nrcpts = 3;
	m.results = res;
	m.size = sizeof(body);
	m.bdat = bdat;
	if (mw_server_init(&s, &scfg, sbuf, sizeof(sbuf)) != MW_ERR_OK ||
	    mw_client_init(&c, &ccfg, cbuf, sizeof(cbuf)) != MW_ERR_OK ||
	    mw_client_connected(&c) != MW_ERR_OK)
		bad = 1;
	for (int guard = 0; guard < 100000 && !bad; guard++) {
		struct mw_client_event cev;
		struct mw_server_event sev;
		const unsigned char *o;
		unsigned char *in;
		size_t n, cap, moved = 0;
		int evs = 0;

		while (mw_client_next(&c, now, &cev) == MW_ERR_OK) {
			evs++;
			switch (cev.type) {
			case MW_CLIENT_EV_READY:
				if (!sent++)
					bad |= mw_client_submit(&c, &m) != 0;
				else
					bad |= mw_client_quit(&c) != 0;
				break;
			case MW_CLIENT_EV_BODY: {
				size_t k = sizeof(body) - cev.offset;

				if (k > 65536)
					k = 65536;
				bad |= mw_client_body_ptr(&c, body + cev.offset,
				    k, cev.offset + k == sizeof(body)) != 0;
				break;
			}
			case MW_CLIENT_EV_STARTTLS:
				ctls = 1;
				break;
			case MW_CLIENT_EV_MESSAGE:
				messages++;
				delivered = cev.delivered;
				break;
			case MW_CLIENT_EV_CLOSE:
				cclosed = 1;
				bad |= cev.reason != MW_CLIENT_CLOSE_QUIT;
				break;
			default:
				break;
			}
		}
		while (mw_server_next(&s, now, &sev) == MW_ERR_OK) {
			evs++;
			switch (sev.type) {
			case MW_EV_BODY:
				got = fnv(got, sev.data, sev.len);
				gotn += sev.len;
				break;
			case MW_EV_STARTTLS:
				stls = 1;
				break;
			case MW_EV_AUTH:
				authed = 1;
				bad |= mw_server_accept(&s, NULL) != 0;
				break;
			case MW_EV_CLOSE:
				sclosed = 1;
				break;
			case MW_EV_CONNECT: case MW_EV_HELO: case MW_EV_MAIL:
			case MW_EV_RCPT: case MW_EV_DATA: case MW_EV_MESSAGE:
				bad |= mw_server_accept(&s, NULL) != 0;
				break;
			default:
				break;
			}
		}
		if (ctls && stls) {
			ctls = stls = 0;
			bad |= mw_server_tls(&s, NULL, 0) != 0;
			bad |= mw_client_tls_done(&c, 1) != 0;
			continue;
		}
		mw_client_output(&c, &o, &n);
		mw_server_input_buf(&s, &in, &cap);
		if (n > cap)
			n = cap;
		if (n > 0) {
			memcpy(in, o, n);
			mw_server_input_ack(&s, n);
			mw_client_output_ack(&c, n);
			moved += n;
		}
		mw_server_output(&s, &o, &n);
		mw_client_input_buf(&c, &in, &cap);
		if (n > cap)
			n = cap;
		if (n > 0) {
			memcpy(in, o, n);
			mw_client_input_ack(&c, n);
			mw_server_output_ack(&s, n);
			moved += n;
		}
		now += 1;
		if (moved == 0 && evs == 0)
			break;
	}
	CHECK(!bad && cclosed && sclosed && authed && messages == 1 &&
	    delivered == 3 && gotn == sizeof(body) && got == want &&
	    res[0].status == MW_CLIENT_DELIVERED,
	    "loopback %s %s: STARTTLS, SCRAM-SHA-256, 1 MiB by pointer, "
	    "delivered unchanged", lmtp ? "lmtp" : "smtp",
	    bdat ? "bdat" : "data");
}

int
main(int argc, char **argv)
{
	mw_crypto_openssl(&crypto);
	test_api();
	test_early();
	loopback(0, 0);
	loopback(0, 1);
	loopback(1, 0);
	for (int i = 1; i < argc; i++)
		case_file(argv[i]);
	return check_done();
}
