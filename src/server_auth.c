/*
 * src/server_auth.c: AUTH (RFC 4954) over the SASL machines: the
 * command, the response lines and their replies.
 */
#include <string.h>

#include <mailwire/server.h>

#include "server_int.h"

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
		mw__srv_put(s, "\r\n", 2);
		mw__srv_flush(s);
		s->state = ST_AUTH;
		s->scan = 0;
		s->longline = 0;
		return 0;
	}
	s->state = ST_CMD;
	if (rep->code == 235 &&
	    mw_sasl_server_identity(s->sasl, &cid, &cn, &zid, &zn) ==
	    MW_ERR_OK) {
		mw__srv_event(ev, MW_EV_AUTH, MW_VERB_AUTH);
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
	mw__srv_bad(s, rep->code, rep->esc, rep->text);
	mw__srv_event(ev, MW_EV_AUTH_FAILED, MW_VERB_AUTH);
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

int
mw__srv_auth(struct mw_server *s, struct mw_server_event *ev)
{
	const struct mw_cmd *c = &s->cmd;
	const unsigned char *l = s->in + s->start;
	struct mw_sasl_session sess = sasl_session(s);
	struct mw_sasl_reply rep;
	mw_err err;

	memset(&rep, 0, sizeof(rep));
	err = mw_sasl_server_auth(s->sasl, &s->sasl_cfg, &sess, l + c->arg.off,
	    c->arg.len, l + c->initial_response.off, c->initial_response.len,
	    c->initial_response.len > 0, s->out + s->out_len + 4,
	    s->out_cap - s->out_len - 6, &rep);
	mw__srv_done_cmd(s);
	return sasl_reply(s, err, &rep, ev);
}

/* 1: an event; 0: go on; -1: more input is needed. */
int
mw__srv_auth_line(struct mw_server *s, struct mw_server_event *ev)
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
		err = mw_sasl_server_line(s->sasl, NULL, (size_t)total,
		    s->out + s->out_len + 4, s->out_cap - s->out_len - 6, &rep);
	} else if (bare && !(s->cfg.cmd.lenient & MW_LENIENT_BARE_LF)) {
		/* RFC 5321 2.3.8: lines end with CRLF */
		rep.code = 501;
		rep.esc = "5.5.2";
		rep.text = "Bare LF: lines end with CRLF";
	} else {
		err = mw_sasl_server_line(s->sasl, p, len,
		    s->out + s->out_len + 4, s->out_cap - s->out_len - 6, &rep);
	}
	s->start += next;
	s->scan = 0;
	s->longline = 0;
	return sasl_reply(s, err, &rep, ev);
}
