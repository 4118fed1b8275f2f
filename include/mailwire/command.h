/*
 * mailwire/command.h: the server-side SMTP command parser. Its syntax is
 * the machines generated from grammar/ (RFC 5321 4.1.1 and the extension
 * RFCs); the constraints the RFCs state in prose (limits of 4.5.3.1, Snum
 * 0-255, IPv6 group counts, one of each parameter, ...) are checked on the
 * captured spans.
 *
 * Incremental and zero-copy: the caller keeps the bytes of the current
 * command line contiguous from offset 0 of its buffer and appends what
 * arrives; each call resumes where the last one stopped, so every byte is
 * examined once, and the state is constant in size. Results are spans
 * (offsets) into that buffer, valid until the caller drops the line.
 *
 *	struct mw_cmd_parser p;
 *	struct mw_cmd cmd;
 *	size_t used;
 *
 *	mw_cmd_config_init(&cfg);
 *	mw_cmd_init(&p, &cfg, scratch, sizeof(scratch));
 *	for (;;) {
 *		append what the socket gives to buf[0..len)
 *		err = mw_cmd_parse(&p, buf, len, &used, &cmd);
 *		drop buf[0..used)		(used may be > 0 with AGAIN)
 *		if (err == MW_ERR_OK)
 *			answer cmd: cmd.error == MW_CMD_OK, or mw_cmd_reply()
 *	}
 */
#ifndef MAILWIRE_COMMAND_H
#define MAILWIRE_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include <mailwire/error.h>
#include <mailwire/span.h>

enum mw_verb {
	MW_VERB_NONE,
	MW_VERB_EHLO,
	MW_VERB_HELO,
	MW_VERB_MAIL,
	MW_VERB_RCPT,
	MW_VERB_DATA,
	MW_VERB_RSET,
	MW_VERB_VRFY,
	MW_VERB_EXPN,
	MW_VERB_HELP,
	MW_VERB_NOOP,
	MW_VERB_QUIT,
	MW_VERB_STARTTLS,	/* RFC 3207 */
	MW_VERB_AUTH,		/* RFC 4954 */
	MW_VERB_BDAT,		/* RFC 3030 */
	MW_VERB_LHLO,		/* RFC 2033, with cfg.lmtp */
	MW_VERB_ETRN,		/* RFC 1985 */
	MW_VERB__COUNT
};

/* "EHLO" for MW_VERB_EHLO; "" for MW_VERB_NONE or out of range. */
const char	*mw_verb_name(enum mw_verb);

/*
 * Why a command line was refused, with the reply a server sends for it:
 * X(name, code, enhanced code (RFC 3463), text).
 */
#define MW_CMD_ERRORS(X)						\
	X(OK,		    250, "2.0.0", "OK")				\
	X(UNRECOGNIZED,	    500, "5.5.1", "Command unrecognized")	\
	X(NOT_LMTP,	    500, "5.5.1",				\
	    "Command unrecognized: this is LMTP, send LHLO")		\
	X(LINE_TOO_LONG,    500, "5.5.2", "Line too long")		\
	X(BARE_LF,	    500, "5.5.2", "Bare LF: lines end with CRLF")	\
	X(BARE_CR,	    500, "5.5.2", "Bare CR in a command line")	\
	X(NUL,		    500, "5.5.2", "NUL byte in a command line")	\
	X(SYNTAX,	    501, "5.5.4", "Syntax error in parameters or arguments") \
	X(NUMBER,	    501, "5.5.4", "Number too large")		\
	X(PATH_TOO_LONG,    501, "5.1.3", "Path too long")		\
	X(LOCAL_TOO_LONG,   501, "5.1.3", "Local part too long")	\
	X(DOMAIN_TOO_LONG,  501, "5.1.3", "Domain too long")		\
	X(BAD_LITERAL,	    501, "5.1.3", "Invalid address literal")	\
	X(PARAM_SYNTAX,	    501, "5.5.4", "Invalid parameter value")	\
	X(PARAM_DUPLICATE,  501, "5.5.4", "Duplicate parameter")	\
	X(PARAM_TOO_MANY,   501, "5.5.4", "Too many parameters")	\
	X(PARAM_VALUE_NOT_IMPLEMENTED, 504, "5.5.4",			\
	    "Parameter value not implemented")				\
	X(PARAM_UNKNOWN,    555, "5.5.4",				\
	    "MAIL FROM/RCPT TO parameter not recognized or not implemented") \
	X(PARAM_WRONG_VERB, 555, "5.5.4",				\
	    "Parameter not allowed with this command")			\
	X(NON_ASCII_ADDRESS, 553, "5.6.7",				\
	    "Non-ASCII address requires SMTPUTF8")

enum mw_cmd_error {
#define MW__CMD_ERR_ENUM(name, code, esc, text) MW_CMD_##name,
	MW_CMD_ERRORS(MW__CMD_ERR_ENUM)
#undef MW__CMD_ERR_ENUM
	MW_CMD__COUNT
};

/* "MW_CMD_SYNTAX" for MW_CMD_SYNTAX. */
const char	*mw_cmd_error_name(enum mw_cmd_error);

/* The reply for error: *code (e.g. 501), *esc ("5.5.4") and *text. For
 * a bad address on MAIL, the sender's code 5.1.7 replaces 5.1.3. */
void		 mw_cmd_reply(enum mw_cmd_error error, enum mw_verb verb,
		    int *code, const char **esc, const char **text);

/* The extensions whose parameters the server offers (struct mw_cmd_config
 * extensions); a parameter of one not offered is MW_CMD_PARAM_UNKNOWN. */
#define MW_EXT_SIZE		(1u << 0)	/* RFC 1870 */
#define MW_EXT_8BITMIME		(1u << 1)	/* RFC 6152 */
#define MW_EXT_BINARYMIME	(1u << 2)	/* RFC 3030 */
#define MW_EXT_AUTH		(1u << 3)	/* RFC 4954 */
#define MW_EXT_DSN		(1u << 4)	/* RFC 3461 */
#define MW_EXT_SMTPUTF8		(1u << 5)	/* RFC 6531 */
#define MW_EXT_REQUIRETLS	(1u << 6)	/* RFC 8689 */
#define MW_EXT_MTPRIORITY	(1u << 7)	/* RFC 6710 */
#define MW_EXT_FUTURERELEASE	(1u << 8)	/* RFC 4865 */
#define MW_EXT_DELIVERBY	(1u << 9)	/* RFC 2852 */
#define MW_EXT_RRVS		(1u << 10)	/* RFC 7293 */
#define MW_EXT_ALL		((1u << 11) - 1)

/* Leniencies (struct mw_cmd_config lenient): each off by default; each is
 * an alternative generated from grammar/lenient.abnf. */
#define MW_LENIENT_BARE_LF		(1u << 0)	/* LF ends a line */
#define MW_LENIENT_SPACE_AFTER_COLON	(1u << 1)	/* MAIL FROM: <a@b> */
#define MW_LENIENT_NO_BRACKETS		(1u << 2)	/* MAIL FROM:a@b */

struct mw_cmd_config {
	uint32_t	extensions;	/* MW_EXT_*: default MW_EXT_ALL */
	uint32_t	lenient;	/* MW_LENIENT_*: default none */
	/* RFC 2033 4.1: LMTP. 1 accepts LHLO and refuses HELO and EHLO
	 * (MW_CMD_NOT_LMTP, 500); 0 (default) refuses LHLO as an
	 * unrecognised command. */
	int		lmtp;
	/* Unknown MAIL/RCPT parameters: 0 returns them as generic
	 * parameters (an embedder's own extension), 1 refuses the line
	 * with MW_CMD_PARAM_UNKNOWN (555). Default 0. */
	int		strict_params;
	/* Limits of RFC 5321 4.5.3.1, in octets; the line limits count the
	 * CRLF. Defaults: 512; MAIL and RCPT 512 raised by what each offered
	 * extension allows (see mw_cmd_config_init); 64; 255; 256. */
	uint32_t	max_line;
	uint32_t	max_mail_line;
	uint32_t	max_rcpt_line;
	uint32_t	max_local;
	uint32_t	max_domain;
	uint32_t	max_path;
};

/* Sets the defaults above. */
void	mw_cmd_config_init(struct mw_cmd_config *cfg);

enum mw_param_kind {
	MW_PARAM_UNKNOWN,	/* an esmtp-keyword mailwire does not know */
	MW_PARAM_SIZE,		/* number */
	MW_PARAM_BODY,		/* number: MW_BODY_* */
	MW_PARAM_AUTH,		/* decoded: xtext */
	MW_PARAM_RET,		/* number: MW_RET_* */
	MW_PARAM_ENVID,		/* decoded: xtext */
	MW_PARAM_SMTPUTF8,
	MW_PARAM_REQUIRETLS,
	MW_PARAM_MTPRIORITY,	/* number: -9..9, as (uint64_t)(int64_t) */
	MW_PARAM_HOLDFOR,	/* number: seconds */
	MW_PARAM_HOLDUNTIL,	/* value: the RFC 3339 date-time */
	MW_PARAM_BY,		/* number: by-time as (int64_t); mode, trace */
	MW_PARAM_NOTIFY,	/* number: MW_NOTIFY_* flags */
	MW_PARAM_ORCPT,		/* addr_type; decoded: xtext */
	MW_PARAM_RRVS,		/* date_time; mode 'C', 'R' or 0 */
	MW_PARAM__COUNT
};

#define MW_BODY_7BIT		1
#define MW_BODY_8BITMIME	2
#define MW_BODY_BINARYMIME	3
#define MW_RET_FULL		1
#define MW_RET_HDRS		2
#define MW_NOTIFY_NEVER		1u
#define MW_NOTIFY_SUCCESS	2u
#define MW_NOTIFY_FAILURE	4u
#define MW_NOTIFY_DELAY		8u

/* "SIZE" for MW_PARAM_SIZE; "" for MW_PARAM_UNKNOWN. */
const char	*mw_param_name(enum mw_param_kind);

struct mw_param {
	struct mw_span	keyword;	/* as written */
	struct mw_span	value;		/* after "="; off/len 0: no value */
	uint8_t		kind;		/* enum mw_param_kind */
	uint8_t		has_value;
	uint8_t		ctl;		/* decoded xtext holds a control byte */
	uint8_t		mode;		/* BY: 'N'/'R'; RRVS: 'C'/'R'/0 */
	uint8_t		trace;		/* BY: "T" given */
	uint64_t	number;
	struct mw_span	decoded;	/* into the parser's scratch area */
	struct mw_span	addr_type;	/* ORCPT */
	struct mw_span	date_time;	/* HOLDUNTIL, RRVS */
};

#define MW_CMD_MAX_PARAMS	16

enum mw_literal {
	MW_LITERAL_NONE,
	MW_LITERAL_IPV4,
	MW_LITERAL_IPV6,
	MW_LITERAL_GENERAL
};

struct mw_cmd {
	enum mw_verb		verb;
	enum mw_cmd_error	error;	/* MW_CMD_OK or why the line is refused */
	struct mw_span		line;	/* the line without its line end; empty
					 * for a refused line (skipped to its end) */
	/* EHLO/HELO/LHLO: the domain or address literal. MAIL/RCPT: the
	 * mailbox's domain or address literal (brackets included). ETRN:
	 * the node's domain (empty for a "#" queue name). */
	struct mw_span		domain;
	enum mw_literal		literal;
	/* MAIL/RCPT: the mailbox as written between < and >, without a
	 * source route ("Postmaster" for RCPT TO:<Postmaster>); empty for
	 * <>. local: its local part as written; quoted: a Quoted-string. */
	struct mw_span		mailbox;
	struct mw_span		local;
	struct mw_span		source_route;	/* RFC 5321 C: reported, ignored */
	uint8_t			null_path;	/* MAIL FROM:<> */
	uint8_t			postmaster;	/* RCPT TO:<Postmaster> */
	uint8_t			quoted;
	uint8_t			utf8;		/* 8-bit bytes in the line */
	/* VRFY/EXPN/HELP/NOOP: the String; AUTH: the mechanism; ETRN: the
	 * argument as written, option character included */
	struct mw_span		arg;
	struct mw_span		initial_response;	/* AUTH, as written: "=" means
						 * an empty response (RFC 4954 4) */
	uint8_t			smtputf8_arg;	/* VRFY/EXPN ... SMTPUTF8 */
	uint8_t			bdat_last;
	uint8_t			etrn_option;	/* ETRN: '@', '#' or 0 */
	uint64_t		bdat_size;
	unsigned		nparams;
	/* params[0..nparams): the slots after them are not written */
	struct mw_param		params[MW_CMD_MAX_PARAMS];
};

struct mw_cmd_parser {
	struct mw_cmd_config	 cfg;
	unsigned char		*scratch;
	size_t			 scratch_len;
	size_t			 scratch_used;
	int			 cs;
	int			 discarding;	/* after an error, to the line end */
	uint32_t		 pos;		/* scanned so far */
	uint32_t		 limit;		/* of this line */
	uint32_t		 mark[32];	/* capture starts, by id */
	uint32_t		 flags;		/* capture state */
	const unsigned char	*scan;		/* buf of the current call */
	struct mw_cmd		 cmd;
};

/*
 * Initialises p. scratch receives decoded xtext values; it must hold at
 * least cfg->max_mail_line bytes (decoding never grows a value).
 * Returns MW_ERR_OK, or MW_ERR_INVAL for NULL arguments, a scratch area
 * too small or limits that do not fit (a line limit under 8 or over 65535).
 */
mw_err	mw_cmd_init(struct mw_cmd_parser *p, const struct mw_cmd_config *cfg,
	    unsigned char *scratch, size_t scratch_len);

/*
 * Parses buf[0..len), which holds the current command line from its first
 * byte on (and may hold more after it).
 * Returns MW_ERR_AGAIN when no whole line is there yet, MW_ERR_OK when
 * one is: *cmd is the result (cmd->error says whether it is a valid
 * command) and the line, with its line end, is buf[0..*used). In both
 * cases the caller drops buf[0..*used) before the next call: with AGAIN,
 * *used is non-zero only while the rest of a refused line is skipped, so
 * an overlong line never needs more buffer than the limit. An overlong or
 * malformed line is consumed to its end and reported once; it never runs
 * into the next command. MW_ERR_INVAL for NULL arguments.
 */
mw_err	mw_cmd_parse(struct mw_cmd_parser *p, const unsigned char *buf,
	    size_t len, size_t *used, struct mw_cmd *cmd);

/* Forgets any partial line (after STARTTLS, RFC 3207 4.2). */
void	mw_cmd_reset(struct mw_cmd_parser *p);

#endif
