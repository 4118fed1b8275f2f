/*
 * src/server_int.h: what the files of the server engine (src/server*.c)
 * share: the session states and the internal functions, mw__srv_*. Not
 * installed; the public API is include/mailwire/server.h.
 */
#ifndef MAILWIRE_SERVER_INT_H
#define MAILWIRE_SERVER_INT_H

#include <stddef.h>
#include <stdint.h>

#include <mailwire/server.h>

#include "out.h"

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
enum { HEAD_UNKNOWN, HEAD_OTHER, HEAD_BDAT, HEAD_AUTH };

/* Output every step may need: the largest is a 334 challenge (base64 of
 * MW_SASL_MSG_MAX octets, 2732) or an EHLO reply (under 1300). */
#define RESERVE		3072

_Static_assert(MW_SERVER_OUT_MIN >= 2 * RESERVE, "output area too small");

/* server.c: replies. line() writes one reply line: code, '-' or ' ', the
 * enhanced status code when ENHANCEDSTATUSCODES is offered (RFC 2034 3),
 * a, b; flush() releases what is queued (RFC 2920 3.2); answered() after
 * a whole reply releases it unless PIPELINING is offered. */
void	mw__srv_put(struct mw_server *s, const char *p, size_t n);
void	mw__srv_puts(struct mw_server *s, const char *p);
void	mw__srv_putnum(struct mw_server *s, uint64_t v);
int	mw__srv_esc_on(const struct mw_server *s);
void	mw__srv_line(struct mw_server *s, int code, char sep,
	    const char *esc, const char *a, const char *b);
void	mw__srv_reply(struct mw_server *s, int code, const char *esc,
	    const char *text);
void	mw__srv_flush(struct mw_server *s);
void	mw__srv_answered(struct mw_server *s);

/* server.c: session state. bad() answers a refusal the error counter
 * counts; close() queues the last reply and ends the session. */
void	mw__srv_end_trx(struct mw_server *s);
void	mw__srv_done_cmd(struct mw_server *s);
void	mw__srv_close(struct mw_server *s, enum mw_server_close why,
	    int code, const char *esc, const char *text);
void	mw__srv_bad(struct mw_server *s, int code, const char *esc,
	    const char *text);
void	mw__srv_event(struct mw_server_event *ev, enum mw_server_ev type,
	    enum mw_verb verb);
const struct mw_param *mw__srv_param(const struct mw_cmd *c,
	    enum mw_param_kind kind);
int	mw__srv_text_ok(const char *t, size_t max);

/* server_ehlo.c */
void	mw__srv_ehlo(struct mw_server *s, const char *text);

/*
 * The steps of mw_server_next(): 1 an event in *ev, 0 go on, -1 more
 * input is needed.
 */
/* server_cmd.c */
/* 1: s->cmd holds a line; 0: more input is needed */
int	mw__srv_read_cmd(struct mw_server *s);
int	mw__srv_command(struct mw_server *s, struct mw_server_event *ev);
int	mw__srv_reset(struct mw_server *s, struct mw_server_event *ev,
	    enum mw_verb v);
int	mw__srv_decision(struct mw_server *s, struct mw_server_event *ev,
	    enum mw_server_ev type);
/* server_body.c */
int	mw__srv_bdat(struct mw_server *s, struct mw_server_event *ev);
int	mw__srv_skip_chunk(struct mw_server *s, int code, const char *esc,
	    const char *text, int counted);
int	mw__srv_begin_chunk(struct mw_server *s);
int	mw__srv_data(struct mw_server *s, struct mw_server_event *ev);
int	mw__srv_chunk(struct mw_server *s, struct mw_server_event *ev);
int	mw__srv_replies(struct mw_server *s, struct mw_server_event *ev);
/* server_auth.c */
int	mw__srv_auth(struct mw_server *s, struct mw_server_event *ev);
int	mw__srv_auth_line(struct mw_server *s, struct mw_server_event *ev);

#endif
