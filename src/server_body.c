/*
 * src/server_body.c: message bodies: DATA (RFC 5321 4.5.2), BDAT chunks
 * (RFC 3030) and the end-of-message replies (LMTP: RFC 2033 4.2).
 */
#include <string.h>

#include <mailwire/server.h>

#include "server_int.h"

int
mw__srv_skip_chunk(struct mw_server *s, int code, const char *esc,
    const char *text, int counted)
{
	mw__srv_done_cmd(s);
	/* the reply may go before the chunk is read: nothing else can come
	 * between them, so the order holds */
	if (counted)
		mw__srv_bad(s, code, esc, text);
	else
		mw__srv_reply(s, code, esc, text);
	s->bdat_begun = 0;
	if (s->state != ST_CLOSE)
		s->state = ST_BDAT;
	return 0;
}

int
mw__srv_begin_chunk(struct mw_server *s)
{
	mw_err e;

	e = mw_bdat_begin(&s->bdat, s->chunk, s->bdat_last);
	if (e == MW_ERR_STATE)
		/* RFC 3030 2: BDAT after LAST */
		return mw__srv_skip_chunk(s, 503, "5.5.1",
		    "Bad sequence of commands", 1);
	mw__srv_done_cmd(s);
	/* MW_ERR_LIMIT: read, dropped, refused with mw_bdat_reply() */
	s->bdat_begun = 1;
	s->bdat_discard = e != MW_ERR_OK;
	s->state = ST_BDAT;
	return 0;
}

int
mw__srv_bdat(struct mw_server *s, struct mw_server_event *ev)
{
	s->chunk = s->cmd.bdat_size;
	s->chunk_size = s->cmd.bdat_size;
	s->bdat_last = s->cmd.bdat_last;
	if (!(s->cfg.extensions & MW_SERVER_CHUNKING))
		return mw__srv_skip_chunk(s, 502, "5.5.1",
		    "Command not implemented", 1);
	if (s->refused)
		return mw__srv_skip_chunk(s, 503, "5.5.1",
		    "Bad sequence of commands", 1);
	if (s->cfg.tls_required && !s->tls)
		return mw__srv_skip_chunk(s, 530, "5.7.0",
		    "Must issue a STARTTLS command first", 1);
	if (s->trx == TRX_NONE)
		return mw__srv_skip_chunk(s, 503, "5.5.1", "Need MAIL command",
		    1);
	/* RFC 5321 3.3 */
	if (s->trx == TRX_OPEN && s->rcpts == 0)
		return mw__srv_skip_chunk(s, 554, "5.5.1",
		    "No valid recipients", 1);
	if (s->trx == TRX_OPEN && s->body == 0) {
		mw__srv_decision(s, ev, MW_EV_DATA);
		ev->size = s->chunk;
		return 1;
	}
	return mw__srv_begin_chunk(s);
}


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
	mw__srv_event(ev, MW_EV_RSET, (enum mw_verb)s->body);
	ev->code = r->code;
	ev->esc = r->esc;
	return 1;
}

int
mw__srv_replies(struct mw_server *s, struct mw_server_event *ev)
{
	/* RFC 2033 4.2: LMTP answers once per accepted recipient */
	uint32_t n = s->cfg.lmtp ? s->rcpts : 1;

	if (s->index >= n) {
		mw__srv_end_trx(s);
		s->state = ST_CMD;
		return 0;
	}
	if (s->refusal_code != 0) {
		mw__srv_reply(s, s->refusal_code, s->refusal_esc,
		    s->refusal_text);
		s->index++;
		return 0;
	}
	mw__srv_event(ev, MW_EV_MESSAGE, (enum mw_verb)s->body);
	ev->rcpt = s->index;
	ev->size = s->size;
	s->decide = MW_EV_MESSAGE;
	return 1;
}

int
mw__srv_data(struct mw_server *s, struct mw_server_event *ev)
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
	mw__srv_event(ev, MW_EV_BODY, MW_VERB_DATA);
	ev->data = span;
	ev->len = len;
	return 1;
}

int
mw__srv_chunk(struct mw_server *s, struct mw_server_event *ev)
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
		mw__srv_event(ev, MW_EV_BODY, MW_VERB_BDAT);
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

		mw__srv_reply(s, r->code, r->esc, r->text);
		s->trx = TRX_FAILED;
		if (s->bdat_last)
			/* the client may start again */
			mw__srv_end_trx(s);
		if (was != TRX_OPEN)
			return 0;
		mw__srv_event(ev, MW_EV_RSET, MW_VERB_BDAT);
		ev->code = r->code;
		ev->esc = r->esc;
		return 1;
	}
	if (s->bdat_last)
		return message_end(s, ev, NULL, mw_bdat_total(&s->bdat));
	mw__srv_puts(s, mw__srv_esc_on(s) ? "250 2.0.0 " : "250 ");
	mw__srv_putnum(s, s->chunk_size);
	mw__srv_puts(s, " octets received\r\n");
	mw__srv_answered(s);
	return 0;
}
