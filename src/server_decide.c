/*
 * src/server_decide.c: the embedder's decisions, mw_server_accept()
 * and mw_server_reject().
 */
#include <string.h>

#include <mailwire/esc.h>
#include <mailwire/server.h>

#include "server_int.h"

mw_err
mw_server_accept(struct mw_server *s, const char *text)
{
	struct mw_data_config dc;
	const struct mw_param *p;

	if (s == NULL)
		return MW_ERR_INVAL;
	if (s->decide == 0)
		return MW_ERR_STATE;
	if (text != NULL && !mw__srv_text_ok(text, MW_SERVER_TEXT_MAX + 1))
		return MW_ERR_INVAL;
	switch (s->decide) {
	case MW_EV_CONNECT:
		/* RFC 5321 4.2: Greeting; no enhanced code (RFC 2034 3) */
		mw__srv_line(s, 220, ' ', NULL, s->cfg.hostname,
		    text != NULL ? text :
		    s->cfg.greeting != NULL ? s->cfg.greeting :
		    s->cfg.lmtp ? "LMTP" : "ESMTP");
		s->state = ST_CMD;
		break;
	case MW_EV_HELO:
		if (s->cmd.verb != MW_VERB_HELO) {	/* EHLO, LHLO */
			mw__srv_ehlo(s, text);
			s->hello = 2;
		} else {
			mw__srv_line(s, 250, ' ', NULL, s->cfg.hostname, text);
			s->hello = 1;
		}
		mw__srv_flush(s);	/* RFC 2920 3.2 (5) */
		mw__srv_done_cmd(s);
		break;
	case MW_EV_MAIL:
		mw__srv_reply(s, 250, "2.1.0", text != NULL ? text :
		    "Sender OK");
		mw__srv_end_trx(s);
		s->trx = TRX_OPEN;
		p = mw__srv_param(&s->cmd, MW_PARAM_BODY);
		s->binarymime = p != NULL && p->number == MW_BODY_BINARYMIME;
		mw__srv_done_cmd(s);
		break;
	case MW_EV_RCPT:
		mw__srv_reply(s, 250, "2.1.5", text != NULL ? text :
		    "Recipient OK");
		s->rcpts++;
		mw__srv_done_cmd(s);
		break;
	case MW_EV_DATA:
		if (s->cmd.verb == MW_VERB_BDAT) {
			s->body = MW_VERB_BDAT;
			mw_bdat_init(&s->bdat, s->cfg.max_size);
			s->decide = 0;
			mw__srv_begin_chunk(s);
			return MW_ERR_OK;
		}
		/* RFC 5321 4.3.2: 354 has no enhanced code (RFC 2034 3) */
		mw__srv_line(s, 354, ' ', NULL, text != NULL ? text :
		    "End data with <CR><LF>.<CR><LF>", NULL);
		mw__srv_flush(s);
		dc.bare = s->cfg.data_bare;
		dc.longline = s->cfg.data_longline;
		dc.max_size = s->cfg.max_size;
		mw_data_dec_init(&s->dec, &dc);
		s->body = MW_VERB_DATA;
		s->state = ST_DATA;
		break;
	case MW_EV_MESSAGE:
		mw__srv_reply(s, 250, "2.0.0", text != NULL ? text :
		    "Message accepted for delivery");
		s->index++;
		break;
	case MW_EV_AUTH:
		mw__srv_reply(s, 235, "2.7.0", text != NULL ? text :
		    "Authentication successful");
		s->authed = 1;
		break;
	case MW_EV_ETRN:
		/* RFC 1985 5: "250 OK, queuing for node <x> started" */
		mw__srv_reply(s, 250, "2.0.0", text != NULL ? text :
		    "Queuing for node started");
		mw__srv_flush(s);	/* RFC 2920 3.2 (5) */
		mw__srv_done_cmd(s);
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
	    (text != NULL && !mw__srv_text_ok(text, MW_SERVER_TEXT_MAX + 1)))
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
		mw__srv_done_cmd(s);
	if (code == 421) {
		/* RFC 5321 3.8: 421 closes the session */
		mw__srv_close(s, MW_CLOSE_REJECTED, 421, esc, text);
		s->close_esc = NULL;	/* the embedder's string */
		return MW_ERR_OK;
	}
	switch (d) {
	case MW_EV_CONNECT:
		/* RFC 5321 3.1: refused; the client may only QUIT */
		mw__srv_line(s, code, ' ', esc, s->cfg.hostname, text);
		s->refused = 1;
		s->state = ST_CMD;
		break;
	case MW_EV_DATA:
		if (s->cmd.verb == MW_VERB_BDAT) {
			mw__srv_skip_chunk(s, code, esc, text, 0);
			break;
		}
		mw__srv_reply(s, code, esc, text);
		mw__srv_flush(s);	/* RFC 2920 3.2 (5) */
		break;
	case MW_EV_HELO:
	case MW_EV_ETRN:
		mw__srv_reply(s, code, esc, text);
		mw__srv_flush(s);	/* RFC 2920 3.2 (5) */
		break;
	case MW_EV_MESSAGE:
		mw__srv_reply(s, code, esc, text);
		s->index++;
		break;
	default:
		mw__srv_reply(s, code, esc, text);
		break;
	}
	return MW_ERR_OK;
}
