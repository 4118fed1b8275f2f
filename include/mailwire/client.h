/*
 * mailwire/client.h: the SMTP (RFC 5321) and LMTP (RFC 2033) client
 * session engine, sans-I/O. It owns no socket, reads no clock and
 * allocates nothing: the caller hands it the bytes the server sent, takes
 * the bytes to send, passes the time in, and feeds the message body when
 * the engine asks for it, piece by piece (a 1 GB body never needs to be in
 * memory).
 *
 *	struct mw_client c;			(caller-allocated, fixed size)
 *	static unsigned char buf[MW_CLIENT_BUF_SIZE];
 *
 *	mw_client_config_init(&cfg);
 *	cfg.helo = "printer.example.com";
 *	mw_client_init(&c, &cfg, buf, sizeof(buf));
 *	connect; mw_client_connected(&c);
 *	for (;;) {
 *		while (mw_client_next(&c, now_ms, &ev) == MW_ERR_OK)
 *			READY: mw_client_submit() or mw_client_quit();
 *			BODY: fill ev.buf, mw_client_body() (or give a pointer
 *			    with mw_client_body_ptr());
 *			STARTTLS: send the output, run the handshake,
 *			    mw_client_tls_done();
 *			RCPT, MESSAGE: results; CLOSE: send the output, close
 *		mw_client_output(&c, &p, &n): send p[0..n),
 *		    mw_client_output_ack()
 *		mw_client_input_buf(&c, &p, &cap): read into p[0..cap),
 *		    mw_client_input_ack() (or mw_client_input_eof())
 *		wait for the socket or until mw_client_deadline(&c)
 *	}
 *
 * Every reply is matched to the command it answers, in order (RFC 2920
 * 3.1); a reply that arrives before its command was wholly handed to
 * mw_client_output_ack(), or with no command outstanding, is a protocol
 * error (a server that answers what it has not read is lying, or an
 * attacker is injecting). No recipient is reported delivered unless a 250
 * reply to the end of its message data was parsed.
 */
#ifndef MAILWIRE_CLIENT_H
#define MAILWIRE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <mailwire/crypto.h>
#include <mailwire/data.h>
#include <mailwire/error.h>
#include <mailwire/esc.h>
#include <mailwire/reply.h>
#include <mailwire/sasl.h>

/* The output area: the longest line the engine writes (a SASL response of
 * MW_SASL_LINE_MAX octets and CRLF, RFC 4954 4) must fit. */
#define MW_CLIENT_OUT_SIZE	16384
/* The body area of MW_CLIENT_EV_BODY (the caller may also pass a pointer
 * of any length). */
#define MW_CLIENT_BODY_SIZE	4096
/* A buffer for the default reply limits: output, body and an input area
 * of one whole reply (MW_REPLY_TOTAL_MAX). A device may lower
 * cfg.reply.max_lines and pass less: the input area must hold
 * max_total octets. */
#define MW_CLIENT_BUF_SIZE	(MW_CLIENT_OUT_SIZE + MW_CLIENT_BODY_SIZE + \
				 MW_REPLY_TOTAL_MAX)
/* Reply text kept in a result (the first line, truncated). */
#define MW_CLIENT_TEXT_MAX	200
/* Commands awaiting their replies: the largest pipelined group (RFC 2920). */
#define MW_CLIENT_QUEUE		32
/* Addresses (RFC 5321 4.5.3.1.3: a path is at most 256 octets, brackets
 * included), ENVID (RFC 3461 4.4: 100) and ORCPT (RFC 3461 4.2: 500). */
#define MW_CLIENT_PATH_MAX	254
#define MW_CLIENT_ENVID_MAX	100
#define MW_CLIENT_ORCPT_MAX	500

/* X(NAME, name, default seconds). RFC 5321 4.5.3.2 gives greeting (2), MAIL
 * (3), RCPT (4), DATA initiation (5), data block (6) and end of data (7);
 * the others are mailwire's: connect (the adapter's TCP and implicit TLS
 * set-up), EHLO/HELO/LHLO (as MAIL), STARTTLS (its reply and the
 * handshake), each AUTH step, QUIT. RSET uses mail. */
#define MW_CLIENT_TIMERS(X)						\
	X(CONNECT,	"connect",	60)				\
	X(GREETING,	"greeting",	300)				\
	X(EHLO,		"ehlo",		300)				\
	X(STARTTLS,	"starttls",	120)				\
	X(AUTH,		"auth",		120)				\
	X(MAIL,		"mail",		300)				\
	X(RCPT,		"rcpt",		300)				\
	X(DATA,		"data",		120)				\
	X(BLOCK,	"block",	180)				\
	X(END,		"end",		600)				\
	X(QUIT,		"quit",		60)

enum mw_client_timer {
#define MW__CLIENT_TIMER_ENUM(n, s, d) MW_CLIENT_T_##n,
	MW_CLIENT_TIMERS(MW__CLIENT_TIMER_ENUM)
#undef MW__CLIENT_TIMER_ENUM
	MW_CLIENT_T__COUNT
};

enum mw_client_tls {
	MW_CLIENT_TLS_REQUIRED,		/* STARTTLS or close (RFC 3207); the
					 * default */
	MW_CLIENT_TLS_OPPORTUNISTIC,	/* STARTTLS when offered */
	MW_CLIENT_TLS_OFF,		/* never */
	MW_CLIENT_TLS_IMPLICIT		/* the connection is TLS from the
					 * start (RFC 8314) */
};

struct mw_client_config {
	const char	*helo;		/* our host name for EHLO/HELO/LHLO
					 * (required; printable, no space) */
	int		 lmtp;		/* RFC 2033: LHLO, one reply per
					 * recipient after the data */
	enum mw_client_tls tls;
	/* AUTH (RFC 4954): NULL: none. With creds the session authenticates
	 * or ends (MW_CLIENT_CLOSE_AUTH_UNAVAILABLE). Must outlive it. */
	const struct mw_sasl_creds *creds;
	const struct mw_crypto *crypto;
	uint32_t	 auth_mechs;	/* allowed (MW_AUTH_BIT set); 0: every
					 * MW_SASL_CLIENT_MECHS but EXTERNAL,
					 * XOAUTH2, OAUTHBEARER */
	int		 plaintext_auth; /* allow PLAIN, LOGIN without TLS */
	int		 pipelining;	/* use PIPELINING when offered */
	int		 chunking;	/* may use BDAT when offered */
	uint64_t	 timeout[MW_CLIENT_T__COUNT]; /* ms; 0: default */
	struct mw_reply_config reply;	/* limits and leniencies */
	unsigned	 longline;	/* MW_DATA_LONG_*: for DATA bodies */
};

/* Defaults: TLS required, pipelining and chunking on, the timers above,
 * the reply leniencies MW_REPLY_LENIENT_SP_NO_TEXT and _AUTH_EQ (what
 * Postfix sends; bare LF stays an error). */
void	mw_client_config_init(struct mw_client_config *cfg);

/* DSN NOTIFY (RFC 3461 4.1) bits; NEVER stands alone. */
#define MW_NOTIFY_NEVER		1u
#define MW_NOTIFY_SUCCESS	2u
#define MW_NOTIFY_FAILURE	4u
#define MW_NOTIFY_DELAY		8u

struct mw_client_rcpt {
	const char	*addr;		/* the mailbox, without <> */
	unsigned	 notify;	/* MW_NOTIFY_*; 0: none given */
	const char	*orcpt;		/* ORCPT=rfc822;xtext(orcpt) (RFC
					 * 3461 4.2); NULL: none */
};

/*
 * The body's type. Every body but BINARYMIME is text and reaches the
 * server the same over DATA and BDAT (RFC 5321 2.3.8): a bare CR or LF
 * goes as CRLF (a CR then LF, even split between pieces, is one CRLF),
 * and a non-empty body whose last octet is neither CR nor LF gets CRLF
 * added; DATA also stuffs dots (RFC 5321 4.5.2). A BINARYMIME body goes
 * octet for octet (RFC 3030 3).
 */
enum mw_client_body {
	MW_CLIENT_BODY_NONE,		/* no BODY= */
	MW_CLIENT_BODY_7BIT,		/* RFC 6152 */
	MW_CLIENT_BODY_8BITMIME,	/* RFC 6152 */
	MW_CLIENT_BODY_BINARYMIME	/* RFC 3030: needs BDAT; as given */
};

enum mw_client_ret { MW_CLIENT_RET_NONE, MW_CLIENT_RET_FULL,
	MW_CLIENT_RET_HDRS };

enum mw_client_status {
	MW_CLIENT_PENDING,	/* not decided yet (RCPT accepted: code 2xx) */
	MW_CLIENT_DELIVERED,	/* 250 after the end of data */
	MW_CLIENT_TEMPFAIL,	/* retry later */
	MW_CLIENT_PERMFAIL	/* do not retry */
};

/* Why a result is what it is: X(NAME, name). */
#define MW_CLIENT_WHYS(X)						\
	X(REPLY,	"reply")	/* the server's reply (code) */	\
	X(SIZE,		"size")		/* over SIZE (RFC 1870 6) */	\
	X(EXTENSION,	"extension")	/* needs an extension the	\
					 * server lacks */		\
	X(TIMEOUT,	"timeout")					\
	X(PROTOCOL,	"protocol")	/* the server misbehaved */	\
	X(CLOSED,	"closed")	/* the session ended first */	\
	X(MAILMAX,	"mailmax")	/* RFC 9422 MAILMAX reached: try \
					 * again in a new session */	\
	X(LOCAL,	"local")	/* the body was refused here */

enum mw_client_why {
#define MW__CLIENT_WHY_ENUM(n, s) MW_CLIENT_WHY_##n,
	MW_CLIENT_WHYS(MW__CLIENT_WHY_ENUM)
#undef MW__CLIENT_WHY_ENUM
	MW_CLIENT_WHY__COUNT
};

struct mw_client_result {
	enum mw_client_status	status;
	enum mw_client_why	why;
	int			code;	/* the reply code; 0: none (a timeout,
					 * a closed session); local reasons
					 * carry the code a server would have
					 * sent */
	int			has_esc;
	struct mw_esc		esc;	/* RFC 3463, when has_esc */
	char			text[MW_CLIENT_TEXT_MAX + 1]; /* the first
					 * line's text after the enhanced
					 * code, NUL-terminated */
};

/* A message. Pointers must stay valid until its MW_CLIENT_EV_MESSAGE. */
struct mw_client_msg {
	const char			*from;	/* "" for the null path */
	const struct mw_client_rcpt	*rcpts;
	size_t				 nrcpts;
	struct mw_client_result		*results; /* nrcpts, filled in */
	uint64_t			 size;	/* SIZE= (RFC 1870); 0: not
						 * given */
	enum mw_client_body		 body;
	int				 smtputf8;	/* RFC 6531 */
	enum mw_client_ret		 ret;		/* RFC 3461 4.3 */
	const char			*envid;		/* RFC 3461 4.4 */
	int				 requiretls;	/* RFC 8689 */
	int				 bdat;	/* BDAT when CHUNKING is offered
						 * (always for BINARYMIME) */
};

enum mw_client_ev {
	MW_CLIENT_EV_NONE,
	/* Idle: submit a message (mw_client_submit) or quit. */
	MW_CLIENT_EV_READY,
	/* Action: the 220 to STARTTLS arrived, every byte buffered after it
	 * was discarded (RFC 3207 5); send the output, run the handshake,
	 * then mw_client_tls_done(). */
	MW_CLIENT_EV_STARTTLS,
	/* Action: the next body octets, from body offset `offset` (0 again
	 * when a transaction restarts the body: RFC 9422 RCPTMAX splits).
	 * Write up to cap octets into buf and call mw_client_body(), or
	 * call mw_client_body_ptr(). */
	MW_CLIENT_EV_BODY,
	/* Information: the reply to RCPT for recipient `rcpt`. */
	MW_CLIENT_EV_RCPT,
	/* The message is done: every results[] entry is final; result is
	 * the message's (the reply to the end of data, or what failed);
	 * delivered, failed count recipients. */
	MW_CLIENT_EV_MESSAGE,
	/* Action: send what output is left and close. */
	MW_CLIENT_EV_CLOSE
};

/* X(NAME, name) */
#define MW_CLIENT_CLOSES(X)						\
	X(NONE,			"")					\
	X(QUIT,			"quit")		/* after QUIT */	\
	X(EOF,			"eof")		/* the server closed */	\
	X(TIMEOUT,		"timeout")	/* ev.timer fired */	\
	X(PROTOCOL,		"protocol")	/* a malformed reply	\
						 * (ev.cause) or an	\
						 * unexpected code */	\
	X(UNSOLICITED,		"unsolicited")	/* a reply before its	\
						 * command was sent */	\
	X(GREETING,		"greeting")	/* refused (554) */	\
	X(HELO,			"helo")		/* EHLO/HELO refused */	\
	X(SERVICE,		"service")	/* 421 (RFC 5321 3.8) */ \
	X(TLS_UNAVAILABLE,	"tls-unavailable")			\
	X(TLS_FAILED,		"tls-failed")				\
	X(AUTH_UNAVAILABLE,	"auth-unavailable")			\
	X(AUTH_FAILED,		"auth-failed")				\
	X(ABORTED,		"aborted")	/* the body could not be \
						 * sent (a long line	\
						 * under LONG_REJECT) */

enum mw_client_close {
#define MW__CLIENT_CLOSE_ENUM(n, s) MW_CLIENT_CLOSE_##n,
	MW_CLIENT_CLOSES(MW__CLIENT_CLOSE_ENUM)
#undef MW__CLIENT_CLOSE_ENUM
	MW_CLIENT_CLOSE__COUNT
};

struct mw_client_event {
	enum mw_client_ev		 type;
	size_t				 rcpt;		/* RCPT */
	const struct mw_client_result	*result;	/* RCPT, MESSAGE;
							 * CLOSE: the reply
							 * that ended it
							 * (code 0: none) */
	size_t				 delivered, failed; /* MESSAGE */
	unsigned char			*buf;		/* BODY */
	size_t				 cap;
	uint64_t			 offset;
	enum mw_client_close		 reason;	/* CLOSE */
	enum mw_client_timer		 timer;		/* CLOSE: timeout */
	enum mw_reply_cause		 cause;		/* CLOSE: protocol */
};

/* One queued command awaiting its reply; private. */
struct mw_client_q {
	uint64_t	end;		/* output offset after its last octet */
	uint32_t	idx;		/* RCPT: recipient; END: replies left */
	uint8_t		kind;
};

/* The session; fields are private. */
struct mw_client {
	struct mw_client_config		 cfg;
	struct mw_reply_parser		 rp;
	struct mw_sasl_client		 sasl;
	struct mw_data_enc		 enc;
	struct mw_ehlo			 ehlo;
	struct mw_client_msg		 msg;
	struct mw_client_result		 mres, closerep;
	struct mw_client_q		 q[MW_CLIENT_QUEUE];
	unsigned			 qh, qn;
	unsigned char			*in, *out, *bodybuf;
	size_t				 in_cap, in_start, in_end;
	size_t				 out_cap, out_sent, out_len;
	uint64_t			 acked, queued;	/* output totals */
	uint64_t			 now, t_head, t_progress, t_state;
	uint64_t			 discarded;	/* after the 220 */
	int				 head_timed, progress, state_timed;
	int				 state, tls, authed, hello, eof, early;
	int				 rp_fresh, auth_err, quit_req;
	int				 ready_sent;
	int				 have_msg, need_rset, checked;
	int				 pend_msg, pend_close, pend_tls;
	size_t				 pend_rcpt;	/* index + 1 */
	/* the transaction */
	size_t				 tx_first, tx_end, tx_next, lmtp_k;
	int				 mail_ok;
	size_t				 nacc;
	uint32_t			 ntx;	/* transactions this session */
	int				 use_bdat;
	/* the body */
	const unsigned char		*bsrc;
	size_t				 bn, bpos;
	int				 blast, bwait, bhdr;
	uint64_t			 boff, chunk_left;
	unsigned char			 bprev;	/* BDAT: the body's last
						 * octet so far */
	/* the end */
	enum mw_client_close		 reason;
	enum mw_client_timer		 timer;
	enum mw_reply_cause		 cause;
};

/*
 * Starts a session with cfg (copied) and buf[0..len), divided into the
 * output, body and input areas; it must outlive the session.
 * MW_ERR_INVAL for NULL arguments, no helo, a bad TLS mode or reply limits,
 * AUTH without crypto; MW_ERR_NOSPACE if buf cannot hold the output and
 * body areas and one reply of cfg->reply.max_total octets.
 */
mw_err	mw_client_init(struct mw_client *c, const struct mw_client_config *cfg,
	    unsigned char *buf, size_t len);

/* The connection (and implicit TLS) is up: the greeting timer starts.
 * MW_ERR_STATE if called twice. Until then the connect timer runs. */
mw_err	mw_client_connected(struct mw_client *c);

/* Changes one timer (ms, more than 0) from now on, for the command in
 * flight too. MW_ERR_INVAL for an unknown timer or 0. */
mw_err	mw_client_set_timeout(struct mw_client *c, enum mw_client_timer t,
	    uint64_t ms);

/*
 * Submits a message; the engine sends it when the session is ready.
 * MW_ERR_STATE if a message is in progress or the session is closing;
 * MW_ERR_INVAL for a malformed message (no recipients, an address with
 * a space, control octet, <, > or over MW_CLIENT_PATH_MAX, 8-bit without
 * smtputf8, NEVER with other NOTIFY bits, an ENVID or ORCPT too long,
 * results NULL). Results start as MW_CLIENT_PENDING.
 */
mw_err	mw_client_submit(struct mw_client *c, const struct mw_client_msg *m);

/* The body piece for MW_CLIENT_EV_BODY: n octets written to ev.buf
 * (n <= ev.cap); last: the body ends after them. MW_ERR_STATE when no
 * body is asked for, MW_ERR_INVAL for n over the room. */
mw_err	mw_client_body(struct mw_client *c, size_t n, int last);

/* The same with the caller's p[0..n), any length; p must stay valid
 * until the next MW_CLIENT_EV_BODY, MESSAGE or CLOSE event. */
mw_err	mw_client_body_ptr(struct mw_client *c, const unsigned char *p,
	    size_t n, int last);

/* Ends the session with QUIT once the message in progress is done. */
mw_err	mw_client_quit(struct mw_client *c);

/* The STARTTLS handshake ended: ok non-zero if it succeeded (EHLO is sent
 * again, RFC 3207 4.2), 0 if not (the session closes,
 * MW_CLIENT_CLOSE_TLS_FAILED). MW_ERR_STATE unless it was asked for. */
mw_err	mw_client_tls_done(struct mw_client *c, int ok);

/* Where to put received bytes (*cap 0: none taken now: before connected,
 * during the handshake, after the close). May move buffered input. */
mw_err	mw_client_input_buf(struct mw_client *c, unsigned char **buf,
	    size_t *cap);
/* n bytes were written there. MW_ERR_INVAL if more than the room;
 * MW_ERR_STATE when no input is taken. */
mw_err	mw_client_input_ack(struct mw_client *c, size_t n);
/* The server closed its side. */
mw_err	mw_client_input_eof(struct mw_client *c);
/* The bytes to send (valid until the next mw_client_next). */
mw_err	mw_client_output(const struct mw_client *c, const unsigned char **buf,
	    size_t *len);
/* n of them were sent. MW_ERR_INVAL if more than ready. */
mw_err	mw_client_output_ack(struct mw_client *c, size_t n);

/*
 * Runs the session at time now (ms, any epoch, not going back) until the
 * next event. MW_ERR_OK with *ev; MW_ERR_AGAIN when nothing can happen
 * until output is sent, input arrives, the caller submits or quits, or
 * the deadline passes; MW_ERR_STATE while a body piece or the TLS
 * handshake is awaited and after MW_CLIENT_EV_CLOSE; MW_ERR_INVAL.
 */
mw_err	mw_client_next(struct mw_client *c, uint64_t now,
	    struct mw_client_event *ev);

/* When the running timer fires (ms, the clock of mw_client_next);
 * UINT64_MAX when none runs (idle, or closed). */
uint64_t	mw_client_deadline(const struct mw_client *c);

/* The server's EHLO capabilities (all 0 after HELO, before EHLO). */
const struct mw_ehlo	*mw_client_caps(const struct mw_client *c);

/* Octets discarded after the 220 to STARTTLS (an injection attempt). */
uint64_t	mw_client_discarded(const struct mw_client *c);

/* "MW_CLIENT_EV_READY" for MW_CLIENT_EV_READY; "MW_CLIENT_EV_UNKNOWN". */
const char	*mw_client_ev_name(enum mw_client_ev ev);
/* "quit", "timeout", ...; "" for none or outside the enum. */
const char	*mw_client_close_name(enum mw_client_close r);
/* "mail" for MW_CLIENT_T_MAIL; NULL outside the enum. */
const char	*mw_client_timer_name(enum mw_client_timer t);
/* The timer named s ("rcpt"); MW_CLIENT_T__COUNT if none. */
enum mw_client_timer	mw_client_timer_lookup(const char *s);
/* "reply", "timeout", ...; "" outside the enum. */
const char	*mw_client_why_name(enum mw_client_why w);

#endif
