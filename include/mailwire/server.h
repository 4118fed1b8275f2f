/*
 * mailwire/server.h: the SMTP (RFC 5321) and LMTP (RFC 2033) server
 * session engine, sans-I/O. It owns no socket, reads no clock and
 * allocates nothing: the caller hands it the bytes the client sent, takes
 * the bytes to send back, passes the time in and answers the engine's
 * events with decisions.
 *
 *	struct mw_server s;			(caller-allocated, fixed size)
 *	static unsigned char buf[MW_SERVER_BUF_SIZE];
 *
 *	mw_server_config_init(&cfg);
 *	cfg.hostname = "mx.example.com";
 *	mw_server_init(&s, &cfg, buf, sizeof(buf));
 *	for (;;) {
 *		while (mw_server_next(&s, now_ms, &ev) == MW_ERR_OK)
 *			handle ev; for a decision event call
 *			mw_server_accept() or mw_server_reject();
 *			MW_EV_CLOSE: send the output, then close
 *		mw_server_output(&s, &p, &n): send p[0..n), mw_server_output_ack()
 *		mw_server_input_buf(&s, &p, &cap): read into p[0..cap),
 *		    mw_server_input_ack() (or mw_server_input_eof())
 *		wait for the socket or until mw_server_deadline(&s)
 *	}
 *
 * Replies are queued in the output buffer and released (made visible to
 * mw_server_output) when the client must wait for them: when no whole
 * command is left in the input (RFC 2920 3.2 batches), after a reply the
 * client waits for (354, 334, 220 to STARTTLS, 221, 421) and when the
 * buffer is full; never held are the replies to EHLO/HELO, DATA, VRFY,
 * EXPN, NOOP and refused lines (RFC 2920 3.2 (5), (6)), nor, when
 * PIPELINING is not offered, any reply. They are never reordered or
 * dropped: commands are answered in order whether PIPELINING is offered
 * or not.
 *
 * Pointers in an event (line, data, authzid) are valid until the next call
 * of mw_server_next() or mw_server_input_buf() (which may move the
 * unprocessed input to the front of the buffer).
 */
#ifndef MAILWIRE_SERVER_H
#define MAILWIRE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <mailwire/command.h>
#include <mailwire/data.h>
#include <mailwire/error.h>
#include <mailwire/sasl.h>

/* Offered extensions (struct mw_server_config extensions) beside the
 * MW_EXT_* of mailwire/command.h (those whose parameters the command
 * parser knows). MW_EXT_AUTH is ignored: AUTH is offered when
 * cfg.sasl is set. */
#define MW_SERVER_PIPELINING		(1u << 16)	/* RFC 2920 */
#define MW_SERVER_CHUNKING		(1u << 17)	/* RFC 3030 */
#define MW_SERVER_ENHANCEDSTATUSCODES	(1u << 18)	/* RFC 2034 */
#define MW_SERVER_STARTTLS		(1u << 19)	/* RFC 3207 */
/* RFC 1985: ETRN; the embedder starts its queue on MW_EV_ETRN. */
#define MW_SERVER_ETRN			(1u << 20)

/* Defaults: PIPELINING, CHUNKING, ENHANCEDSTATUSCODES, SIZE, 8BITMIME,
 * BINARYMIME, DSN, SMTPUTF8. STARTTLS needs a TLS adapter; REQUIRETLS,
 * MT-PRIORITY, FUTURERELEASE, DELIVERBY and RRVS need the embedder to
 * implement what they promise, so they are off by default. */
#define MW_SERVER_EXT_DEFAULT						\
	(MW_SERVER_PIPELINING | MW_SERVER_CHUNKING |			\
	 MW_SERVER_ENHANCEDSTATUSCODES | MW_EXT_SIZE | MW_EXT_8BITMIME |	\
	 MW_EXT_BINARYMIME | MW_EXT_DSN | MW_EXT_SMTPUTF8)

/* RFC 5321 4.5.3.2.7: the server timeout, 5 minutes, in milliseconds. */
#define MW_SERVER_TIMEOUT_DEFAULT	300000u
/* RFC 5321 4.5.3.1.8: at least 100 recipients must be accepted. */
#define MW_SERVER_MAX_RCPTS_DEFAULT	100u
/* Bad commands a session may send; the next one gets 421 and the close. */
#define MW_SERVER_MAX_ERRORS_DEFAULT	10u
/* The longest text an embedder may give mw_server_accept/_reject. */
#define MW_SERVER_TEXT_MAX		256
/* The output area: the largest step output (a 334 challenge of a
 * 2048-octet SASL message in base64, an EHLO reply) must fit twice. */
#define MW_SERVER_OUT_MIN		8192
/* A buffer that fits the default limits with AUTH: input for a 12288
 * octet AUTH response line (RFC 4954 4), output, parser scratch and,
 * with AUTH, the SASL exchange's state (struct mw_sasl_server). */
#define MW_SERVER_BUF_SIZE		32768

struct mw_server_config {
	/* The host name in the greeting, EHLO and 221 replies (required;
	 * no space, CR or LF; at most 255 octets). */
	const char			*hostname;
	/* The greeting's text after the host name; NULL: "ESMTP" ("LMTP"). */
	const char			*greeting;
	uint32_t			 extensions;	/* offered: MW_EXT_* |
							 * MW_SERVER_* */
	int				 lmtp;		/* RFC 2033: LHLO, one reply
							 * per recipient */
	uint64_t			 max_size;	/* message octets; 0: no
							 * limit (RFC 1870) */
	uint32_t			 max_rcpts;	/* per message; 0: no limit */
	uint32_t			 max_errors;	/* per session; 0: no limit */
	uint64_t			 timeout;	/* ms without input */
	int				 auth_required;	/* 530 5.7.0 for MAIL
							 * before AUTH (RFC 4954 6) */
	int				 tls_required;	/* 530 5.7.0 before
							 * STARTTLS (RFC 3207 4) */
	int				 plaintext_auth; /* offer and allow PLAIN
							 * and LOGIN without TLS */
	/* AUTH with the SASL machines; NULL: no AUTH. Must outlive the
	 * session. */
	const struct mw_sasl_server_config *sasl;
	/* FUTURERELEASE (RFC 4865 3): the two EHLO parameters, required
	 * when MW_EXT_FUTURERELEASE is offered. */
	uint32_t			 futurerelease_interval;
	const char			*futurerelease_date;
	/* The command parser's leniencies and limits (its extensions are
	 * set by the engine from what is offered). */
	struct mw_cmd_config		 cmd;
	/* DATA policies (mailwire/data.h): bare CR/LF and long lines;
	 * max_size is taken from above. */
	unsigned			 data_bare;
	unsigned			 data_longline;
};

/* Sets the defaults above (hostname NULL: the caller sets it). */
void	mw_server_config_init(struct mw_server_config *cfg);

enum mw_server_ev {
	MW_EV_NONE,
	/* Decision: accept sends the 220 greeting; reject with 421 closes,
	 * with another code (554, RFC 5321 3.1) answers every command but
	 * QUIT with 503. */
	MW_EV_CONNECT,
	/* Decision: EHLO, HELO or LHLO (verb); the domain is
	 * cmd->domain. Accept sends the EHLO/LHLO capabilities or 250. */
	MW_EV_HELO,
	/* Decision: MAIL FROM (cmd->mailbox, null_path, params; size is the
	 * SIZE= value or 0). Accept starts the transaction. */
	MW_EV_MAIL,
	/* Decision: RCPT TO; rcpt is the number accepted so far. */
	MW_EV_RCPT,
	/* Decision: the message body is about to start: verb DATA (accept
	 * sends 354) or BDAT (first chunk; accept reads it). */
	MW_EV_DATA,
	/* data[0..len): the next piece of the message, dot-unstuffed. */
	MW_EV_BODY,
	/* Decision: the whole message arrived (size octets). LMTP: once per
	 * accepted recipient, rcpt its index (RFC 2033 4.2). */
	MW_EV_MESSAGE,
	/* Decision: the SASL exchange succeeded: data[0..len) is the
	 * authcid, authzid[0..authzid_len) the authzid. Accept sends 235. */
	MW_EV_AUTH,
	/* Information: an AUTH exchange failed with code/esc. */
	MW_EV_AUTH_FAILED,
	/* Action: the 220 is queued; send the output, run the TLS handshake
	 * on the connection, then call mw_server_tls(). Every byte received
	 * before it was discarded (RFC 3207 5, CVE-2011-0411). */
	MW_EV_STARTTLS,
	/* Information: the mail transaction ended without a message (RSET,
	 * HELO/EHLO, message refused by a limit or policy (code/esc), the
	 * close): the embedder forgets it. */
	MW_EV_RSET,
	/* Action: send what output is left and close; reason says why.
	 * mw_server_next() returns MW_ERR_STATE from then on. */
	MW_EV_CLOSE,
	/* Decision (with MW_SERVER_ETRN offered, after EHLO, outside a
	 * transaction): ETRN, RFC 1985. cmd->arg is the node as written,
	 * cmd->etrn_option '@' (the domain and its subdomains), '#' (a
	 * queue name) or 0, cmd->domain the node's domain. Accept sends
	 * 250 (start the queue after answering); reject with 458 ("Unable
	 * to queue messages for node") or 459 ("Node not allowed"). */
	MW_EV_ETRN
};

enum mw_server_close {
	MW_CLOSE_NONE,
	MW_CLOSE_QUIT,		/* 221 */
	MW_CLOSE_EOF,		/* the client closed the connection */
	MW_CLOSE_TIMEOUT,	/* 421 4.4.2 (RFC 5321 4.5.3.2.7) */
	MW_CLOSE_ERRORS,	/* 421 4.7.0: too many bad commands */
	MW_CLOSE_REJECTED,	/* the embedder answered 421 */
	MW_CLOSE_DESYNC,	/* 421 4.5.0: input that cannot be resynchronised
				 * (a BDAT line whose chunk size is unknown) */
	MW_CLOSE_SHUTDOWN	/* 421 4.3.2: mw_server_shutdown() */
};

struct mw_server_event {
	enum mw_server_ev	 type;
	enum mw_verb		 verb;	/* the command behind the event */
	/* HELO, MAIL, RCPT: the parsed command; its spans are offsets into
	 * line. */
	const struct mw_cmd	*cmd;
	const unsigned char	*line;
	const unsigned char	*data;	/* BODY: a piece; AUTH: authcid */
	size_t			 len;
	const unsigned char	*authzid;
	size_t			 authzid_len;
	unsigned		 rcpt;	/* RCPT, MESSAGE: see above */
	uint64_t		 size;	/* MAIL: SIZE=; MESSAGE: octets */
	int			 code;	/* RSET, AUTH_FAILED, CLOSE: the reply */
	const char		*esc;	/* sent, or 0/NULL */
	enum mw_server_close	 reason;	/* CLOSE */
};

/* The session; fields are private. */
struct mw_server {
	struct mw_server_config		 cfg;
	struct mw_sasl_server_config	 sasl_cfg;
	struct mw_cmd_parser		 parser;
	struct mw_cmd			 cmd;
	struct mw_data_dec		 dec;
	struct mw_bdat			 bdat;
	/* All that follows points into the buffer, NULL while detached:
	 * buf[0..buf_len) as given; sasl (with AUTH) the exchange's state;
	 * then the output area, the parser's scratch, the input area. */
	unsigned char			*buf;
	size_t				 buf_len;
	struct mw_sasl_server		*sasl;
	unsigned char			*in;	/* in[start..end) unprocessed */
	size_t				 in_cap, start, end;
	unsigned char			*out;	/* out[sent..flush) releasable */
	size_t				 out_cap, sent, flush, out_len;
	uint64_t			 now;	/* of this mw_server_next() */
	uint64_t			 last;	/* time of the last input */
	uint64_t			 size;	/* of the message */
	uint64_t			 chunk;	/* BDAT: octets of the chunk left */
	uint64_t			 chunk_size;
	uint64_t			 longline;	/* AUTH line: dropped */
	size_t				 cur;	/* the command line's length */
	size_t				 scan;	/* AUTH line: scanned so far */
	const unsigned char		*peer;	/* TLS client identity */
	size_t				 peer_len;
	uint32_t			 rcpts;	/* accepted recipients */
	uint32_t			 errors;
	uint32_t			 index;	/* end of message: replies sent */
	int				 state;
	int				 decide;	/* event awaiting a decision */
	int				 trx;
	int				 body;	/* 0, MW_VERB_DATA or _BDAT */
	int				 binarymime;	/* BODY=BINARYMIME */
	int				 hello;	/* 0, 1 HELO, 2 EHLO/LHLO */
	int				 tls, authed, refused, eof, fresh;
	int				 shutdown;
	int				 bdat_last, bdat_begun, bdat_discard;
	int				 head;	/* the line's verb, seen early */
	int				 have_cmd;	/* cmd parsed, not yet done */
	int				 close_code;
	const char			*close_esc;
	enum mw_server_close		 reason;
	int				 refusal_code;
	const char			*refusal_esc;
	const char			*refusal_text;
};

/*
 * Starts a session with cfg (copied) and buf[0..len), which the engine
 * divides into its input area, its output area, the command parser's
 * scratch area and, with AUTH, the SASL state; it must outlive the session
 * (or be taken back with mw_server_detach()). The input area must hold the
 * longest command line and, with AUTH, a 12288-octet response line;
 * MW_SERVER_BUF_SIZE fits the defaults.
 * Returns MW_ERR_OK; MW_ERR_INVAL for NULL arguments or a configuration
 * that does not hold together (no host name, BINARYMIME without CHUNKING,
 * FUTURERELEASE without its parameters, line limits the parser refuses);
 * MW_ERR_NOSPACE if buf is too small.
 */
mw_err	mw_server_init(struct mw_server *s, const struct mw_server_config *cfg,
	    unsigned char *buf, size_t len);

/*
 * TLS is active: for implicit TLS (RFC 8314) before the first
 * mw_server_next(), or after the handshake MW_EV_STARTTLS asked for.
 * peer[0..n) is the identity the client certificate proved (SASL
 * EXTERNAL), NULL for none; it must outlive the session. After STARTTLS
 * the session starts again without greeting: the client must send EHLO
 * (RFC 3207 4.2). MW_ERR_STATE at any other time; MW_ERR_INVAL for NULL s.
 */
mw_err	mw_server_tls(struct mw_server *s, const unsigned char *peer, size_t n);

/*
 * Where to put received bytes: *buf, room for *cap of them (0 when the
 * engine takes no input now: waiting for the TLS handshake, closed, or
 * full until mw_server_next() processes what it has). May move the
 * unprocessed input, invalidating event pointers.
 */
mw_err	mw_server_input_buf(struct mw_server *s, unsigned char **buf,
	    size_t *cap);

/* n bytes were written at the input_buf pointer. MW_ERR_INVAL if n is
 * more than the room given; MW_ERR_STATE when no input is taken. */
mw_err	mw_server_input_ack(struct mw_server *s, size_t n);

/* The client closed its side: after what is buffered, the session ends
 * (MW_CLOSE_EOF), and a message in progress is not delivered. */
mw_err	mw_server_input_eof(struct mw_server *s);

/* The server is going down (RFC 5321 3.8): at the next mw_server_next()
 * the session gets 421 4.3.2 after the replies already due and ends
 * (MW_CLOSE_SHUTDOWN); a message in progress is not delivered (RSET
 * first). Takes effect once a pending decision or TLS handshake is done. */
mw_err	mw_server_shutdown(struct mw_server *s);

/* The bytes ready to send: *buf, *len (0: nothing yet). */
mw_err	mw_server_output(const struct mw_server *s, const unsigned char **buf,
	    size_t *len);

/* n bytes of the output were sent. MW_ERR_INVAL if n is more than ready. */
mw_err	mw_server_output_ack(struct mw_server *s, size_t n);

/*
 * Runs the session at time now (milliseconds, any epoch, not going back)
 * until the next event, which it writes to *ev.
 * Returns MW_ERR_OK with an event; MW_ERR_AGAIN when nothing can happen
 * until output is sent, input arrives or the deadline passes;
 * MW_ERR_STATE while a decision is awaited, while STARTTLS waits for
 * mw_server_tls(), and after MW_EV_CLOSE; MW_ERR_INVAL for NULL
 * arguments.
 */
mw_err	mw_server_next(struct mw_server *s, uint64_t now,
	    struct mw_server_event *ev);

/*
 * Decisions, for MW_EV_CONNECT, HELO, MAIL, RCPT, DATA, MESSAGE, AUTH,
 * ETRN.
 * accept: the success reply; text (NULL: the default) replaces its text.
 * reject: code 4xx or 5xx (421 also closes the session, RFC 5321 3.8),
 * esc its enhanced status code of the same class (NULL: "c.0.0"), text
 * (NULL: a default). Texts: printable ASCII, at most MW_SERVER_TEXT_MAX.
 * MW_ERR_STATE if no decision is awaited, MW_ERR_INVAL for a bad
 * argument (nothing happens then).
 */
mw_err	mw_server_accept(struct mw_server *s, const char *text);
mw_err	mw_server_reject(struct mw_server *s, int code, const char *esc,
	    const char *text);

/*
 * An idle session needs no buffer: many waiting connections can share a
 * few. A session is idle when it waits for the client's next command and
 * holds nothing in its buffer: the greeting is given (not before
 * MW_EV_CONNECT is decided), no decision is awaited, no AUTH exchange,
 * DATA or BDAT body, end-of-message replies or STARTTLS handshake is in
 * progress, every received octet is processed (none of a partial command
 * line is held; the parser may be skipping the rest of a refused line,
 * which it does without the buffer), all output is sent and acked, and no
 * mw_server_input_eof() or mw_server_shutdown() waits to be acted on.
 * Between the chunks of a BDAT transaction a session may be idle.
 *
 * detach: gives the buffer back (*buf, *len as given to init or attach);
 * the session is detached. MW_ERR_STATE if it is not idle or already
 * detached (nothing changes then); MW_ERR_INVAL for NULL arguments.
 *
 * attach: gives a detached session buf[0..len) (any buffer that init
 * would take for the session's configuration; its contents do not
 * matter), divided as init divides it. MW_ERR_STATE if the session is not
 * detached; MW_ERR_NOSPACE if buf is too small (the session stays
 * detached); MW_ERR_INVAL for NULL arguments.
 *
 * While detached, mw_server_deadline(), mw_server_input_eof() and
 * mw_server_shutdown() work; every other call is MW_ERR_STATE, among them
 * mw_server_next(). Attach before reading from the connection (and a TLS
 * library's buffered input), when the deadline has passed (the 421 4.4.2
 * needs output room) and after input_eof or shutdown, then call
 * mw_server_next() as usual: the dialogue is the same octet for octet as
 * without detaching.
 */
mw_err	mw_server_detach(struct mw_server *s, unsigned char **buf, size_t *len);
mw_err	mw_server_attach(struct mw_server *s, unsigned char *buf, size_t len);

/* When the session times out unless input arrives (milliseconds, the
 * clock of mw_server_next); UINT64_MAX when no timer runs (a decision or
 * the TLS handshake is awaited, or the session is closed). */
uint64_t	mw_server_deadline(const struct mw_server *s);

/* "MW_EV_MAIL" for MW_EV_MAIL; "MW_EV_UNKNOWN" outside the enum. */
const char	*mw_server_ev_name(enum mw_server_ev ev);

/* "quit", "eof", "timeout", "errors", "rejected", "desync"; "" for none. */
const char	*mw_server_close_name(enum mw_server_close r);

#endif
