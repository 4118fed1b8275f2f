/*
 * src/client_int.h: what the client engine's files share (client.c: the
 * buffers, the queue, timers and the event loop; client_session.c: the
 * conversation; client_cmd.c: the MAIL and RCPT lines).
 */
#ifndef MW_CLIENT_INT_H
#define MW_CLIENT_INT_H

#include <mailwire/client.h>

#include "out.h"

/* What a queued command is (the reply it waits for). */
enum {
	Q_GREETING, Q_EHLO, Q_HELO, Q_STARTTLS, Q_AUTH, Q_MAIL, Q_RCPT,
	Q_DATA, Q_BDAT, Q_END, Q_RSET, Q_QUIT
};

/* Session states. */
enum {
	ST_CONNECT,	/* before mw_client_connected() */
	ST_SETUP,	/* greeting, EHLO, STARTTLS, AUTH: the queue leads */
	ST_TLS,		/* the handshake is the caller's */
	ST_READY,	/* idle, or starting a transaction */
	ST_TX,		/* MAIL, RCPT, DATA replies */
	ST_BODY,	/* sending the body */
	ST_END,		/* waiting for the replies to the end of data */
	ST_QUIT,	/* QUIT sent; closing whatever comes */
	ST_CLOSED
};

/* A step of the loop that wants the loop to go round again. */
#define MW__CL_CONT	((mw_err)-1)


/* The MAIL and RCPT lines (RFC 5321 4.1.1.2, 4.1.1.3, with the parameters
 * of RFC 1870, 6152, 3030, 6531, 3461, 8689). */
void	mw__cl_mail_line(const struct mw_client *c, struct mw__out *w);
void	mw__cl_rcpt_line(const struct mw_client *c, size_t i,
	    struct mw__out *w);
/* MW_ERR_OK if m is well-formed (see mw_client_submit). */
mw_err	mw__cl_check_msg(const struct mw_client_msg *m);
/* The local refusal of a message the server's capabilities cannot carry:
 * 0 if it may be sent, else fills r (RFC 1870 6, RFC 6531 3.4, RFC 6152
 * 3, RFC 3030 3, RFC 8689 4.1). */
int	mw__cl_local_refusal(const struct mw_client *c,
	    struct mw_client_result *r);

/* client.c: the output area and the queue of commands awaiting replies */
int	mw__cl_room(struct mw_client *c, size_t need);
void	mw__cl_wr_begin(struct mw_client *c, struct mw__out *w);
void	mw__cl_push(struct mw_client *c, int kind, uint32_t idx,
	    uint64_t end);
int	mw__cl_wr_commit(struct mw_client *c, struct mw__out *w, int kind,
	    uint32_t idx);
int	mw__cl_send_line(struct mw_client *c, int kind, const char *a,
	    const char *b);

/* client.c: results and the end of the session */
void	mw__cl_from_reply(struct mw_client_result *r,
	    enum mw_client_status st, const struct mw_reply *rep,
	    const unsigned char *base);
enum mw_client_status	mw__cl_fail_status(int code);
void	mw__cl_fail_pending(struct mw_client *c, size_t from, size_t to,
	    const struct mw_client_result *r, enum mw_client_status st,
	    enum mw_client_why why);
void	mw__cl_finish_msg(struct mw_client *c);
void	mw__cl_discard_input(struct mw_client *c);
void	mw__cl_close_now(struct mw_client *c);
void	mw__cl_send_quit(struct mw_client *c);
void	mw__cl_fail_session(struct mw_client *c,
	    enum mw_client_close reason, const struct mw_reply *rep,
	    const unsigned char *base, int quit);
void	mw__cl_protocol(struct mw_client *c, enum mw_client_close reason,
	    enum mw_reply_cause cause, const struct mw_reply *rep,
	    const unsigned char *base);

/* client_session.c: the conversation */
void	mw__cl_hello(struct mw_client *c);
mw_err	mw__cl_tx_start(struct mw_client *c);
mw_err	mw__cl_tx_step(struct mw_client *c);
mw_err	mw__cl_body_step(struct mw_client *c, struct mw_client_event *ev);
void	mw__cl_on_eof(struct mw_client *c);
mw_err	mw__cl_read_reply(struct mw_client *c);

#endif
