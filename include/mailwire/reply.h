/*
 * mailwire/reply.h: the client side's reply parser. SMTP replies (RFC 5321
 * 4.2: Greeting, Reply-line; 4.1.1.1: ehlo-ok-rsp) are recognised by
 * machines generated from grammar/; this parser adds what the RFCs state
 * in prose: every line of a reply carries the same code (4.2), the
 * enhanced status code's class matches the reply's (RFC 3463 2), and the
 * limits of RFC 5321 4.5.3.1.5. EHLO replies are decoded into a fixed-size
 * capability set.
 *
 * Incremental and zero-copy: the caller keeps the bytes of the current
 * reply contiguous in its own buffer, from offset 0, and appends what
 * arrives; every call passes the whole (buf, len) and the parser resumes
 * where it stopped, never scanning a byte twice. Results are spans
 * (offset, length) into that buffer. The state is constant in size; the
 * parser allocates nothing and does no I/O.
 *
 * A client that trusts a malformed reply can be made to act on text the
 * server never meant as a reply (CVE-2020-8794): every error here is fatal
 * for the stream, and sticky.
 */
#ifndef MAILWIRE_REPLY_H
#define MAILWIRE_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include <mailwire/error.h>
#include <mailwire/esc.h>
#include <mailwire/mech.h>
#include <mailwire/span.h>

/* Line spans a result holds: the largest max_lines can be (at most 255). */
#define MW_REPLY_LINES		64
/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets, code and CRLF
 * included. The default max_line. */
#define MW_REPLY_LINE_MAX	512
/* The default max_total: every line at its longest. */
#define MW_REPLY_TOTAL_MAX	(MW_REPLY_LINES * MW_REPLY_LINE_MAX)
/* The largest max_line or max_total accepted (offsets are 32-bit). */
#define MW_REPLY_BOUND_MAX	(1u << 30)

/* What the next reply answers; each selects a grammar (mw_reply_expect). */
enum mw_reply_mode {
	MW_REPLY_ANY,		/* Reply-line (RFC 5321 4.2): every reply */
	MW_REPLY_GREETING,	/* a 220 reply must be a Greeting (4.2);
				 * other codes (554, 421) a Reply-line */
	MW_REPLY_EHLO,		/* a 250 reply must be an ehlo-ok-rsp
				 * (4.1.1.1), decoded into mw_reply.ehlo;
				 * other codes a Reply-line */
	MW_REPLY_UTF8,		/* Reply-line whose text may hold UTF-8
				 * (RFC 6531 3.7.4.2: the reply to VRFY or
				 * EXPN sent with SMTPUTF8) */
	MW_REPLY_MODE__COUNT
};

/*
 * Leniencies: bits of mw_reply_config.lenient, all off by default. Each
 * accepts one thing real servers send that the RFC grammar does not.
 */
/* A line may end in LF alone (RFC 5321 2.3.8 says CRLF); the generated
 * grammar's bare-lf leniency. A bare CR stays an error. */
#define MW_REPLY_LENIENT_BARE_LF	(1u << 0)
/* EHLO lines "AUTH=mech ..." (the pre-RFC 2554 draft form that Postfix's
 * broken_sasl_auth_clients still sends beside "AUTH mech ..."): read as
 * the AUTH line it stands for. */
#define MW_REPLY_LENIENT_AUTH_EQ	(1u << 1)
/* A last line of the code, a SP and no text ("250 " CRLF): RFC 5321
 * 4.2.1's prose says servers SHOULD send that SP, but its ABNF (Reply-line:
 * [ SP textstring ], textstring = 1*...) has no such line. Read as the
 * bare code. */
#define MW_REPLY_LENIENT_SP_NO_TEXT	(1u << 2)
#define MW_REPLY_LENIENT__ALL		(MW_REPLY_LENIENT_BARE_LF | \
					 MW_REPLY_LENIENT_AUTH_EQ | \
					 MW_REPLY_LENIENT_SP_NO_TEXT)

struct mw_reply_config {
	uint32_t	max_line;	/* octets a line, code and line end
					 * included; 0: MW_REPLY_LINE_MAX */
	uint32_t	max_lines;	/* lines a reply; 0: MW_REPLY_LINES,
					 * which is also the most */
	uint32_t	max_total;	/* octets a reply;
					 * 0: MW_REPLY_TOTAL_MAX */
	unsigned	lenient;	/* MW_REPLY_LENIENT_* bits; 0: strict */
};

/* Why a reply was rejected: X(NAME, message). */
#define MW_REPLY_CAUSES(X)						\
	X(NONE,		"no error")					\
	X(CODE,		"the reply code is not three digits 2yz to "	\
			"5yz (RFC 5321 4.2)")				\
	X(MISMATCH,	"a line of a multi-line reply carries another code " \
			"than the first (RFC 5321 4.2)")		\
	X(SYNTAX,	"the reply does not match Reply-line "		\
			"(RFC 5321 4.2): a bad separator or text")	\
	X(TEXT,		"a control character in the reply text "	\
			"(RFC 5321 4.2 textstring: HT, SP, printable "	\
			"US-ASCII)")					\
	X(GREETING,	"a 220 greeting that is not a Greeting "	\
			"(RFC 5321 4.2)")				\
	X(EHLO,		"a 250 reply to EHLO that is not an "		\
			"ehlo-ok-rsp (RFC 5321 4.1.1.1)")		\
	X(NUL,		"a NUL octet in the reply")			\
	X(BARE_CR,	"a CR not followed by LF (RFC 5321 2.3.8)")	\
	X(BARE_LF,	"an LF without CR before it (RFC 5321 2.3.8)")	\
	X(8BIT,		"an octet above 0x7F: reply text is US-ASCII "	\
			"(RFC 5321 4.2) unless UTF-8 is expected, and then "\
			"it must be well-formed UTF-8 (RFC 6531 3.7.4.2)") \
	X(LINE_TOO_LONG, "a reply line longer than max_line octets "	\
			"(RFC 5321 4.5.3.1.5: 512)")			\
	X(TOO_MANY_LINES, "a reply of more than max_lines lines")	\
	X(TOO_BIG,	"a reply longer than max_total octets")		\
	X(EOF,		"the input ended inside a reply")

enum mw_reply_cause {
#define MW__REPLY_CAUSE_ENUM(name, msg) MW_REPLY_E_##name,
	MW_REPLY_CAUSES(MW__REPLY_CAUSE_ENUM)
#undef MW__REPLY_CAUSE_ENUM
	MW_REPLY_E__COUNT
};

/* Things a valid reply may carry that are not used: X(NAME, message). */
#define MW_REPLY_WARNINGS(X)						\
	X(ESC_SYNTAX,	"a malformed enhanced status code "		\
			"(RFC 3463 2, RFC 2034 3) is not used")		\
	X(ESC_CLASS,	"an enhanced status code whose class is not "	\
			"the reply code's first digit (RFC 3463 2) is "	\
			"not used")					\
	X(EHLO_PARAM,	"an EHLO keyword whose parameters do not "	\
			"match its extension's syntax: the parameters "	\
			"are not used")					\
	X(EHLO_DUP,	"an EHLO keyword listed twice: the first line counts")

enum mw_reply_warning {
#define MW__REPLY_WARNING_ENUM(name, msg) MW_REPLY_W_##name,
	MW_REPLY_WARNINGS(MW__REPLY_WARNING_ENUM)
#undef MW__REPLY_WARNING_ENUM
	MW_REPLY_W__COUNT
};

/* The EHLO keywords decoded: X(NAME, keyword). */
#define MW_EHLO_CAPS(X)							\
	X(SIZE,			"SIZE")			/* RFC 1870 */	\
	X(PIPELINING,		"PIPELINING")		/* RFC 2920 */	\
	X(8BITMIME,		"8BITMIME")		/* RFC 6152 */	\
	X(BINARYMIME,		"BINARYMIME")		/* RFC 3030 */	\
	X(CHUNKING,		"CHUNKING")		/* RFC 3030 */	\
	X(DSN,			"DSN")			/* RFC 3461 */	\
	X(ENHANCEDSTATUSCODES,	"ENHANCEDSTATUSCODES")	/* RFC 2034 */	\
	X(SMTPUTF8,		"SMTPUTF8")		/* RFC 6531 */	\
	X(STARTTLS,		"STARTTLS")		/* RFC 3207 */	\
	X(AUTH,			"AUTH")			/* RFC 4954 */	\
	X(REQUIRETLS,		"REQUIRETLS")		/* RFC 8689 */	\
	X(LIMITS,		"LIMITS")		/* RFC 9422 */	\
	X(DELIVERBY,		"DELIVERBY")		/* RFC 2852 */	\
	X(MT_PRIORITY,		"MT-PRIORITY")		/* RFC 6710 */	\
	X(FUTURERELEASE,	"FUTURERELEASE")	/* RFC 4865 */	\
	X(ETRN,			"ETRN")			/* RFC 1985 */	\
	X(VRFY,			"VRFY")			/* RFC 5321 */	\
	X(HELP,			"HELP")			/* RFC 5321 */

enum mw_cap {
#define MW__CAP_ENUM(name, kw) MW_CAP_##name,
	MW_EHLO_CAPS(MW__CAP_ENUM)
#undef MW__CAP_ENUM
	MW_CAP__COUNT,
	MW_CAP_UNKNOWN = 254,	/* a keyword line, keyword not above */
	MW_CAP_NONE = 255	/* not a keyword line */
};

/* No line: a value of mw_ehlo.line[]. */
#define MW_EHLO_NOLINE	255

/* The capability set of an ehlo-ok-rsp. */
struct mw_ehlo {
	uint32_t	caps;		/* bit (1u << MW_CAP_x): advertised */
	uint32_t	auth;		/* bit (1u << MW_AUTH_x): listed */
	uint64_t	size;		/* SIZE's parameter; 0: none, or
					 * no fixed maximum (RFC 1870 3) */
	uint32_t	mailmax;	/* LIMITS (RFC 9422); 0: not given */
	uint32_t	rcptmax;
	uint32_t	rcptdomainmax;
	uint8_t		auth_old;	/* an "AUTH=" line was read */
	uint8_t		line[MW_CAP__COUNT]; /* the line of each capability
					 * (an index of mw_reply.lines): its
					 * parameters, raw, are that line's
					 * params; MW_EHLO_NOLINE if absent */
	uint8_t		nunknown;	/* keywords not in enum mw_cap */
	uint8_t		unknown[MW_REPLY_LINES]; /* their line indices */
};

struct mw_reply_line {
	struct mw_span	text;		/* after the code and its separator, up
					 * to the line end (excluded); length 0
					 * for a bare code */
	struct mw_span	keyword;	/* ehlo-ok-rsp lines after the first:
					 * the ehlo-keyword; else absent */
	struct mw_span	params;		/* ...and its parameters as one span
					 * (from the first ehlo-param to the
					 * line end); absent if none */
	uint8_t		cap;		/* enum mw_cap of keyword,
					 * MW_CAP_UNKNOWN, or MW_CAP_NONE */
	uint8_t		auth_old;	/* an "AUTH=" line (leniency) */
};

/* A complete reply. Spans are into the caller's buffer. */
struct mw_reply {
	uint16_t	code;		/* 200 to 559 */
	uint16_t	nlines;		/* 1 to max_lines */
	uint32_t	len;		/* octets, the line ends included */
	uint32_t	warnings;	/* bit (1u << MW_REPLY_W_x) */
	uint8_t		has_esc;	/* esc holds the first line's code */
	uint8_t		has_ehlo;	/* ehlo holds the capability set */
	struct mw_esc	esc;		/* RFC 3463 / RFC 2034 */
	struct mw_ehlo	ehlo;		/* MW_REPLY_EHLO and code 250 */
	struct mw_reply_line lines[MW_REPLY_LINES];
};

/*
 * The parser. Every field is the parser's own; read the result in reply
 * after MW_ERR_OK (it stays valid until the next mw_reply_parse call) and
 * the error in cause and err_off after an error.
 */
struct mw_reply_parser {
	/* settings */
	uint32_t	max_line, max_lines, max_total;
	unsigned	lenient;
	unsigned	mode;		/* enum mw_reply_mode */
	/* the reply in progress */
	int		cs;		/* the machine's state */
	uint32_t	pos;		/* octets scanned */
	uint32_t	ls;		/* where the current line starts */
	unsigned	state;		/* fresh, partial, done, failed */
	uint32_t	mstart;		/* the SASL mechanism being read */
	uint32_t	mechs;		/* those of the AUTH line being read */
	/* the outcome */
	mw_err		err;		/* sticky once not OK or AGAIN */
	enum mw_reply_cause cause;	/* why */
	uint32_t	err_off;	/* where: the offset of the octet at
					 * fault, or of the bound crossed */
	struct mw_reply	reply;
};

/*
 * Sets rp up with cfg (NULL: the defaults: 512-octet lines, MW_REPLY_LINES
 * lines, MW_REPLY_TOTAL_MAX octets, strict) to expect MW_REPLY_ANY.
 * Returns MW_ERR_OK, or MW_ERR_INVAL if rp is NULL, cfg->max_lines is above
 * MW_REPLY_LINES, a bound is above MW_REPLY_BOUND_MAX, or cfg->lenient has
 * unknown bits.
 */
mw_err	mw_reply_init(struct mw_reply_parser *rp,
	    const struct mw_reply_config *cfg);

/*
 * Sets what the next reply answers (the greeting, EHLO, VRFY with
 * SMTPUTF8, anything else); it stays so until changed. Only between
 * replies (the last result stays readable): returns MW_ERR_STATE if part
 * of a reply was given or the parser failed, MW_ERR_INVAL for a NULL rp or
 * an unknown mode, else MW_ERR_OK.
 */
mw_err	mw_reply_expect(struct mw_reply_parser *rp, enum mw_reply_mode mode);

/*
 * Parses the reply at the start of buf[0..len). buf holds the bytes of the
 * current reply from its first octet, contiguous; each call passes them all
 * again with what arrived appended (the buffer may move between calls).
 * Returns:
 *   MW_ERR_OK      a complete reply: *used is its length (consume it; the
 *                  next call starts the next reply at offset 0) and
 *                  rp->reply holds it until the next call;
 *   MW_ERR_AGAIN   not complete yet; *used is 0;
 *   MW_ERR_SYNTAX  the reply is malformed (rp->cause, rp->err_off);
 *   MW_ERR_LIMIT   a bound was crossed (rp->cause: LINE_TOO_LONG,
 *                  TOO_MANY_LINES, TOO_BIG);
 *   MW_ERR_INVAL   rp or used NULL, buf NULL with len > 0, or len shorter
 *                  than what the previous calls of this reply passed.
 * SYNTAX and LIMIT are fatal for the stream (the client cannot find the
 * next reply) and sticky: every later call returns them until
 * mw_reply_reset. No octet beyond the bounds is ever read.
 */
mw_err	mw_reply_parse(struct mw_reply_parser *rp, const void *buf, size_t len,
	    size_t *used);

/*
 * The stream ended. Returns MW_ERR_OK if no reply is in progress, the
 * sticky error if the parser failed, else MW_ERR_SYNTAX with cause
 * MW_REPLY_E_EOF (sticky); MW_ERR_INVAL for a NULL rp.
 */
mw_err	mw_reply_eof(struct mw_reply_parser *rp);

/*
 * Forgets the reply in progress and any error, keeping the settings and
 * the mode: for a new connection. MW_ERR_INVAL for a NULL rp.
 */
mw_err	mw_reply_reset(struct mw_reply_parser *rp);

/* "MW_REPLY_E_MISMATCH" for MW_REPLY_E_MISMATCH; "MW_REPLY_E_UNKNOWN"
 * outside the enum. */
const char	*mw_reply_cause_name(enum mw_reply_cause cause);
/* A one-line message citing the RFC; never NULL. */
const char	*mw_reply_cause_message(enum mw_reply_cause cause);
/* "MW_REPLY_W_ESC_CLASS" for MW_REPLY_W_ESC_CLASS; "MW_REPLY_W_UNKNOWN"
 * outside the enum. */
const char	*mw_reply_warning_name(enum mw_reply_warning w);
/* A one-line message; never NULL. */
const char	*mw_reply_warning_message(enum mw_reply_warning w);
/* The keyword, "SIZE" for MW_CAP_SIZE; NULL outside the enum. */
const char	*mw_ehlo_cap_name(enum mw_cap cap);

#endif
