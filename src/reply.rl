/*
 * src/reply.rl: the client's reply parser. The syntax is only the
 * machines generated from grammar/: Reply_line and Greeting (RFC 5321
 * 4.2), ehlo_ok_rsp (4.1.1.1), the extensions' EHLO lines, status_code
 * (RFC 3463, run as mw_esc_parse runs it), UTF8_non_ascii (RFC 6532),
 * and mwgen's scanner of textstring's runs (captures.h). This file
 * holds the glue: a framing machine, intersected with the grammar, whose
 * actions mark the third octet and the end of every line; the capture
 * hooks; and C for what the RFCs say in prose (one code for every line,
 * 4.2; the enhanced code's class, RFC 3463 2) and for the limits of
 * 4.5.3.1.5.
 *
 * One pass: the caller's bytes go through the machine once, across as
 * many calls as it takes; the state between calls is the machine's state
 * and a few offsets. A bound is enforced by never handing the machine an
 * octet beyond it, so a reply that never ends costs at most max_total
 * octets of reading, and a line at most max_line.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mailwire/esc.h>
#include <mailwire/reply.h>

#include "captures.h"
#include "esc_int.h"

enum {
	ST_FRESH,	/* between replies, nothing given */
	ST_PARTIAL,	/* part of a reply given */
	ST_DONE,	/* a reply complete; its result in rp->reply */
	ST_FAILED	/* a sticky error */
};

/* One run of the reply machine over a piece of the reply. */
struct run {
	struct mw_reply_parser	*rp;
	const unsigned char	*buf;	/* the caller's buffer */
	const unsigned char	*sb;	/* what the machine is fed: buf, or */
	uint32_t		 so;	/* a stand-in for buf[so] */
	uint32_t		 n;	/* the line being read */
	int			 done;
};

/* An EHLO line before its keyword is seen. */
static const struct mw_reply_line blank_line = {
	{ 0, 0 }, { 0, 0 }, { 0, 0 }, MW_CAP_NONE, 0
};

static void
fail(struct mw_reply_parser *rp, mw_err err, enum mw_reply_cause cause,
    uint32_t off)
{
	rp->state = ST_FAILED;
	rp->err = err;
	rp->cause = cause;
	rp->err_off = off;
}

/*
 * The actions of the reply machines work on feed()'s locals. Offsets
 * are into the caller's buffer (OFF), also while a stand-in octet is fed.
 *
 * NEXT_CODE: the third octet of a line after the first. RFC 5321 4.2:
 * every line but the last begins "with the reply code, followed
 * immediately by <->", the last "with the reply code, followed
 * immediately by <SP>": one code for the whole reply. A line with another
 * code is not part of this reply: fatal.
 *
 * EOL: the LF ending line n. The line's start and LF are kept (finish()
 * turns them into its text); a line whose code is followed by "-"
 * announces another (RFC 5321 4.2.1), so the limit on lines is known to
 * be crossed here. (Computing the text here instead costs more than it
 * saves: Ragel copies an action into every transition that runs it.)
 *
 * The hooks: an ehlo-keyword, where the first ehlo-param starts (the
 * parameters run to the line end; none start at offset 0, so 0 is none),
 * and the mechanisms of a line that may be an auth-ehlo-line.
 *
 * Runs. textstring is a run of one class of octets (1*(x)); mwgen gives
 * it a scanner, mw__run_textstring (captures.h), from the grammar. Its
 * entering hook fires on a run's first octet, and the machine is then in
 * the state that loops on the class: it would read every octet of the run
 * by that one transition, with no action. So the hook moves p to the
 * run's last octet (the machine's ++p reads the octet that ends it), and
 * the state is the same as if it had read them one by one. That holds in
 * the product only where the other machines loop on those octets too: the
 * framing does on every octet but LF and NUL (neither is textstring's);
 * the tagger of MW_REPLY_EHLO follows keywords on every line (also in the
 * text of an error reply to EHLO), so in that mode textstring is not
 * skipped, and ehlo-param, also a run of one class, is the tagger's to
 * read for the same reason.
 *
 * One run is skipped in MW_REPLY_EHLO: ehlo-greet, which only the first
 * line has (RFC 5321 4.1.1.1: the server's domain, then its greeting).
 * The grammar and the framing loop on its octets there (but NUL: the run
 * ends at a NUL, greet_run), and the tagger may not (a first line
 * "250-AUTH PLAIN" is followed as an auth-ehlo-line). Skipping leaves the
 * machine in another state than reading octet by octet would, but one
 * that differs only in the tagger's part; the tagger accepts every line
 * (its fallback, any octets to the LF, is part of every state it is in
 * within a line), so the language ahead, the errors and their offsets are
 * the same, and after the LF both states are the start of the next line.
 * What does differ is the tag of the first line, which is never used: it
 * is the domain line (decode_ehlo sets MW_CAP_NONE; t_auth adds nothing
 * for line 0; finish() clears every tag of an error reply).
 */
#define OFF(p)	((uint32_t)((p) - sb) + so)

#define MW_CAPTURE_ENTER(id)	do {					\
	switch (id) {							\
	case MW__CAP_ehlo_keyword:					\
		lines[n].keyword.off = OFF(p);				\
		break;							\
	case MW__CAP_ehlo_param:					\
		if (lines[n].params.off == 0)				\
			lines[n].params.off = OFF(p);			\
		break;							\
	case MW__CAP_sasl_mech:						\
		mstart = OFF(p);					\
		break;							\
	case MW__CAP_textstring:					\
		if (!ehlo)						\
			p = mw__run_textstring(p + 1, pe) - 1;		\
		break;							\
	case MW__CAP_ehlo_greet:					\
		p = greet_run(p + 1, pe) - 1;				\
		break;							\
	default:							\
		break;							\
	}								\
} while (0)

#define MW_CAPTURE_LEAVE(id)	do {					\
	switch (id) {							\
	case MW__CAP_ehlo_keyword:					\
		lines[n].keyword.len = OFF(p) - lines[n].keyword.off;	\
		break;							\
	case MW__CAP_sasl_mech:						\
		mechs |= 1u << mw_auth_mech_lookup(buf + mstart, OFF(p) - mstart);	\
		break;							\
	default:							\
		break;							\
	}								\
} while (0)

/* The grammar's leniencies (grammar/lenient.abnf) the reply machines use. */
#define MW_LENIENT(id)	(((id) == MW__LENIENT_bare_lf && \
			 (lenient & MW_REPLY_LENIENT_BARE_LF) != 0) || \
			 ((id) == MW__LENIENT_sp_no_text && \
			 (lenient & MW_REPLY_LENIENT_SP_NO_TEXT) != 0))

#define TAG(c)		(lines[n].cap = (c))

%%{
machine reply;
alphtype unsigned char;
include grammar "grammar.rl";

action next_code {
	if (((buf[ls] ^ buf[0]) | (buf[ls + 1] ^ buf[1]) |
	    (buf[ls + 2] ^ buf[2])) != 0) {
		fail(rp, MW_ERR_SYNTAX, MW_REPLY_E_MISMATCH, ls);
		fbreak;
	}
}

action eol {
	uint32_t start = ls;

	lines[n].text.off = start;
	lines[n].text.len = OFF(p);
	ls = OFF(p) + 1;
	n++;
	mechs = 0;
	if (buf[start + 3] == '-') {
		if (n >= rp->max_lines) {
			fail(rp, MW_ERR_LIMIT, MW_REPLY_E_TOO_MANY_LINES, ls);
			fbreak;
		}
		lines[n] = blank_line;
	}
}

action done { r->done = 1; fbreak; }

# The EHLO lines whose extensions grammar/ defines: a line that matches
# one whole, up to its line end, is tagged with its capability, so a
# keyword is recognised (and its parameters checked) in the same pass;
# "SIZEX" matches none. Other keywords are looked up by name afterwards:
# DELIVERBY, MT-PRIORITY and FUTURERELEASE are reported with their raw
# parameters (tagging them by deliverby_ehlo_line, mt_priority_ehlo and
# futurerelease_ehlo_line too costs 100 KB of code: RFC 3339 date-time).
# Ragel runs the actions of one transition in the order they were
# embedded, and machines are built where they are used: the tagger comes
# before the framing in reply_ehlo, so a tag runs before the end of its
# line when both are on one LF (a bare LF, with the leniency).
action t_size		{ TAG(MW_CAP_SIZE); }
action t_pipelining	{ TAG(MW_CAP_PIPELINING); }
action t_8bitmime	{ TAG(MW_CAP_8BITMIME); }
action t_binarymime	{ TAG(MW_CAP_BINARYMIME); }
action t_chunking	{ TAG(MW_CAP_CHUNKING); }
action t_dsn		{ TAG(MW_CAP_DSN); }
action t_esc		{ TAG(MW_CAP_ENHANCEDSTATUSCODES); }
action t_smtputf8	{ TAG(MW_CAP_SMTPUTF8); }
action t_starttls	{ TAG(MW_CAP_STARTTLS); }
# (the first line is the domain: "250 AUTH PLAIN" advertises nothing)
action t_auth {
	TAG(MW_CAP_AUTH);
	if (n > 0)
		rp->reply.ehlo.auth |= mechs;
}
action t_requiretls	{ TAG(MW_CAP_REQUIRETLS); }
action t_limits		{ TAG(MW_CAP_LIMITS); }

ehlo_tags =
	  size_ehlo_line %t_size
	| pipelining_ehlo_line %t_pipelining
	| eightbitmime_ehlo_line %t_8bitmime
	| binarymime_ehlo_line %t_binarymime
	| chunking_ehlo_line %t_chunking
	| dsn_ehlo_line %t_dsn
	| enhancedstatuscodes_ehlo_line %t_esc
	| smtputf8_ehlo_line %t_smtputf8
	| starttls_ehlo_line %t_starttls
	| auth_ehlo_line %t_auth
	| requiretls_ehlo_line %t_requiretls
	| limits_ehlo_line %t_limits;

# Lines, as the caller's octets run: a line's code is its first three
# octets; an LF ends it. Every reply of the grammar is made of such lines
# (three octets of code, CRLF after them), so intersecting places the
# actions and takes one thing away: NUL, which RFC 5321's ehlo-greet
# admits (%d0-9) and which no client should pass on (C strings, logs).
octet = any - LF - 0;
framing = octet{3} octet* LF @eol ( octet{3} @next_code octet* LF @eol )*;

# After the code and its separator, a tagged line or any other; or a bare
# code and its line end (with the bare-lf leniency, only three octets).
tagger = ( ( any - LF ){4} ( ehlo_tags CR? LF | ( any - LF )* LF ) |
	( any - LF ){0,3} LF )*;

# RFC 5321 4.2: any reply.
reply_any = Reply_line & framing;
# RFC 5321 4.2, 3.1: a 220 greeting is a Greeting; the server may also
# answer the connection with another code (554, 421): a Reply-line.
reply_greeting = ( Greeting | ( Reply_line - ( "220" any* ) ) ) & framing;
# RFC 5321 4.1.1.1: a 250 reply to EHLO is an ehlo-ok-rsp; an error
# (4.3.2: 502, 504, 550, 421 ...) is a Reply-line.
reply_ehlo = ( ehlo_ok_rsp | ( Reply_line - ( "250" any* ) ) ) & tagger &
	framing;

any_reply := reply_any @done;
greeting_reply := reply_greeting @done;
ehlo_reply := reply_ehlo @done;

write data;
}%%

/* The entry state of each mode. */
static int
entry(unsigned mode)
{
	switch (mode) {
	case MW_REPLY_GREETING:
		return reply_en_greeting_reply;
	case MW_REPLY_EHLO:
		return reply_en_ehlo_reply;
	default:
		return reply_en_any_reply;
	}
}

/*
 * The end of a run of ehlo-greet that starts at p (mwgen's scanner of its
 * class), or the first NUL in it: the framing has no NUL, ehlo-greet has.
 */
static inline const unsigned char *
greet_run(const unsigned char *p, const unsigned char *pe)
{
	const unsigned char *q = mw__run_ehlo_greet(p, pe);

	while (p < q && *p != 0)
		p++;
	return p;
}

/* Feeds p[0..pe) to the reply machine; returns where it stopped. */
static const unsigned char *
feed(struct run *r, const unsigned char *p, const unsigned char *pe)
{
	struct mw_reply_parser *rp = r->rp;
	int ehlo = rp->mode == MW_REPLY_EHLO;
	struct mw_reply_line *lines = rp->reply.lines;
	const unsigned char *buf = r->buf, *sb = r->sb;
	uint32_t so = r->so, ls = rp->ls, n = r->n;
	uint32_t mstart = rp->mstart, mechs = rp->mechs;
	unsigned lenient = rp->lenient;
	int cs = rp->cs;

	%% write exec;
	rp->cs = cs;
	rp->ls = ls;
	rp->mstart = mstart;
	rp->mechs = mechs;
	rp->reply.nlines = (uint16_t)n;
	r->n = n;
	return p;
}

#undef OFF
#undef MW_CAPTURE_ENTER
#undef MW_CAPTURE_LEAVE
#undef MW_LENIENT
#undef TAG

/*
 * UTF-8 in MW_REPLY_UTF8 replies (RFC 6531 3.7.4.2): one character, by
 * the generated UTF8_non_ascii (RFC 6532 3.1). The reply machine is then
 * fed one text octet in its place (see mw_reply_parse).
 */
#define MW_CAPTURE_ENTER(id)	((void)(id))
#define MW_CAPTURE_LEAVE(id)	((void)(id))
#define MW_LENIENT(id)		0

%%{
machine utf8;
alphtype unsigned char;
include grammar "grammar.rl";

main := UTF8_non_ascii @{ fbreak; };

write data;
}%%

/* The length of the UTF-8 character at s[0..n): > 0; 0 if s is a
 * proper prefix of one; -1 if it is not UTF-8. */
static int
utf8char(const unsigned char *s, size_t n)
{
	const unsigned char *p = s, *pe = s + n, *eof = NULL;
	int cs;

	%% write init;
	%% write exec;
	if (cs == utf8_error)
		return -1;
	if (cs >= utf8_first_final)
		return (int)(p - s);
	return 0;
}

#undef MW_CAPTURE_ENTER
#undef MW_CAPTURE_LEAVE

/* Is s[0..n) the word w, regardless of case? (RFC 5321 2.4: keywords
 * are case-insensitive.) */
static int
word(const unsigned char *s, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n && w[i] != '\0'; i++) {
		unsigned char a = s[i], b = (unsigned char)w[i];

		if (a >= 'a' && a <= 'z')
			a = (unsigned char)(a - 'a' + 'A');
		if (a != b)
			return 0;
	}
	return i == n && w[i] == '\0';
}

/*
 * The parameter of LIMITS (RFC 9422 3), by the generated limits_param
 * run over a line already tagged as a limits-ehlo-line; the hooks name
 * the limits. RFC 9422 4 registers MAILMAX, RCPTMAX and RCPTDOMAINMAX,
 * each with a decimal integer value; others are skipped, as RFC 9422 3
 * asks of clients.
 */
struct limits {
	uint32_t	start;		/* of the name or value being read */
	int		limit;		/* the limit named, or -1 */
	uint32_t	value[3];
	int		bad;
};

static void
limits_hook(struct limits *li, const unsigned char *s, int id, uint32_t off,
    int leave)
{
	static const char *const names[3] = {
		"MAILMAX", "RCPTMAX", "RCPTDOMAINMAX"
	};
	uint32_t i, n = off - li->start;
	uint64_t v = 0;

	if (!leave) {
		li->start = off;
		return;
	}
	s += li->start;
	if (id == MW__CAP_limit_name) {
		li->limit = -1;
		for (i = 0; i < 3; i++)
			if (word(s, n, names[i]))
				li->limit = (int)i;
		return;
	}
	if (id != MW__CAP_limit_value || li->limit < 0)
		return;
	for (i = 0; i < n && v <= UINT32_MAX; i++) {
		if (s[i] < '0' || s[i] > '9') {
			v = UINT64_MAX;
			break;
		}
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	/* no limit of 0 or beyond 32 bits is believed */
	if (v == 0 || v > UINT32_MAX)
		li->bad = 1;
	else if (li->value[li->limit] == 0)
		li->value[li->limit] = (uint32_t)v;
	li->limit = -1;
}

#define MW_CAPTURE_ENTER(id)	do {					\
	if ((id) == MW__CAP_limit_name || (id) == MW__CAP_limit_value)	\
		limits_hook(li, s, (id), (uint32_t)(p - s), 0);		\
} while (0)
#define MW_CAPTURE_LEAVE(id)	do {					\
	if ((id) == MW__CAP_limit_name || (id) == MW__CAP_limit_value)	\
		limits_hook(li, s, (id), (uint32_t)(p - s), 1);		\
} while (0)

%%{
machine limits;
alphtype unsigned char;
include grammar "grammar.rl";

main := limits_param;

write data;
}%%

static void
limits_run(struct limits *li, const unsigned char *s, size_t n)
{
	const unsigned char *p = s, *pe = s + n, *eof = pe;
	int cs;

	%% write init;
	%% write exec;
	if (cs < limits_first_final)
		li->bad = 1;
}

#undef MW_CAPTURE_ENTER
#undef MW_CAPTURE_LEAVE

/*
 * The enhanced status code that starts a reply's text (RFC 2034 3 (4)): the
 * generated status_code (RFC 3463 2) and the SP that always follows it,
 * run in place. This is what mw_esc_parse does over the code's span (the
 * same machine, the same check of the prose rule), without first looking
 * for the SP and without a call: a third of a single-line reply's time
 * went there. tests/test_reply.c checks the two agree.
 */
#define MW_CAPTURE_ENTER(id)	do {					\
	if ((id) == MW__CAP_subject)					\
		f[0] = p;						\
	else if ((id) == MW__CAP_detail)				\
		f[2] = p;						\
} while (0)
#define MW_CAPTURE_LEAVE(id)	do {					\
	if ((id) == MW__CAP_subject)					\
		f[1] = p;						\
	else if ((id) == MW__CAP_detail)				\
		f[3] = p;						\
} while (0)

%%{
machine esc_code;
alphtype unsigned char;
include grammar "grammar.rl";

main := status_code SP @{ fbreak; };

write data noerror noentry;
}%%

/* The status code and SP at the start of s[0..n) into *esc; 0 if there is
 * none (*esc untouched). */
static int
esc_code(const unsigned char *s, size_t n, struct mw_esc *esc)
{
	const unsigned char *p = s, *pe = s + n;
	const unsigned char *f[4] = { NULL, NULL, NULL, NULL };
	unsigned short subject, detail;
	int cs;

	%% write init;
	%% write exec;
	if (cs < esc_code_first_final || f[1] == NULL || f[3] == NULL ||
	    !mw__esc_field(f[0], f[1], &subject) ||
	    !mw__esc_field(f[2], f[3], &detail))
		return 0;
	esc->klass = (unsigned char)(s[0] - '0');
	esc->subject = subject;
	esc->detail = detail;
	return 1;
}

#undef MW_CAPTURE_ENTER
#undef MW_CAPTURE_LEAVE
#undef MW_LENIENT

static const char *const cause_names[] = {
#define MW__CAUSE_NAME(name, msg) "MW_REPLY_E_" #name,
	MW_REPLY_CAUSES(MW__CAUSE_NAME)
#undef MW__CAUSE_NAME
};
static const char *const cause_messages[] = {
#define MW__CAUSE_MSG(name, msg) msg,
	MW_REPLY_CAUSES(MW__CAUSE_MSG)
#undef MW__CAUSE_MSG
};
static const char *const warning_names[] = {
#define MW__WARNING_NAME(name, msg) "MW_REPLY_W_" #name,
	MW_REPLY_WARNINGS(MW__WARNING_NAME)
#undef MW__WARNING_NAME
};
static const char *const warning_messages[] = {
#define MW__WARNING_MSG(name, msg) msg,
	MW_REPLY_WARNINGS(MW__WARNING_MSG)
#undef MW__WARNING_MSG
};
static const char *const cap_names[] = {
#define MW__CAP_NAME(name, kw) kw,
	MW_EHLO_CAPS(MW__CAP_NAME)
#undef MW__CAP_NAME
};

const char *
mw_reply_cause_name(enum mw_reply_cause cause)
{
	if ((unsigned)cause >= MW_REPLY_E__COUNT)
		return "MW_REPLY_E_UNKNOWN";
	return cause_names[cause];
}

const char *
mw_reply_cause_message(enum mw_reply_cause cause)
{
	if ((unsigned)cause >= MW_REPLY_E__COUNT)
		return "unknown reply error";
	return cause_messages[cause];
}

const char *
mw_reply_warning_name(enum mw_reply_warning w)
{
	if ((unsigned)w >= MW_REPLY_W__COUNT)
		return "MW_REPLY_W_UNKNOWN";
	return warning_names[w];
}

const char *
mw_reply_warning_message(enum mw_reply_warning w)
{
	if ((unsigned)w >= MW_REPLY_W__COUNT)
		return "unknown reply warning";
	return warning_messages[w];
}

const char *
mw_ehlo_cap_name(enum mw_cap cap)
{
	if ((unsigned)cap >= MW_CAP__COUNT)
		return NULL;
	return cap_names[cap];
}

/* The start of a reply. */
static void
begin(struct mw_reply_parser *rp)
{
	rp->cs = entry(rp->mode);
	rp->pos = 0;
	rp->ls = 0;
	rp->state = ST_FRESH;
	rp->reply.code = 0;
	rp->reply.nlines = 0;
	rp->reply.len = 0;
	rp->reply.warnings = 0;
	rp->reply.has_esc = 0;
	rp->reply.has_ehlo = 0;
	rp->reply.ehlo.auth = 0;
	rp->reply.lines[0] = blank_line;
	rp->mstart = 0;
	rp->mechs = 0;
}

mw_err
mw_reply_init(struct mw_reply_parser *rp, const struct mw_reply_config *cfg)
{
	static const struct mw_reply_config defaults = { 0, 0, 0, 0 };

	if (rp == NULL)
		return MW_ERR_INVAL;
	if (cfg == NULL)
		cfg = &defaults;
	if (cfg->max_lines > MW_REPLY_LINES ||
	    cfg->max_line > MW_REPLY_BOUND_MAX ||
	    cfg->max_total > MW_REPLY_BOUND_MAX ||
	    (cfg->lenient & ~MW_REPLY_LENIENT__ALL) != 0)
		return MW_ERR_INVAL;
	memset(rp, 0, sizeof(*rp) - sizeof(rp->reply));
	rp->max_line = cfg->max_line ? cfg->max_line : MW_REPLY_LINE_MAX;
	rp->max_lines = cfg->max_lines ? cfg->max_lines : MW_REPLY_LINES;
	rp->max_total = cfg->max_total ? cfg->max_total : MW_REPLY_TOTAL_MAX;
	rp->lenient = cfg->lenient;
	rp->mode = MW_REPLY_ANY;
	rp->err = MW_ERR_OK;
	rp->cause = MW_REPLY_E_NONE;
	begin(rp);
	return MW_ERR_OK;
}

mw_err
mw_reply_expect(struct mw_reply_parser *rp, enum mw_reply_mode mode)
{
	if (rp == NULL || (unsigned)mode >= MW_REPLY_MODE__COUNT)
		return MW_ERR_INVAL;
	if (rp->state == ST_PARTIAL || rp->state == ST_FAILED)
		return MW_ERR_STATE;
	rp->mode = mode;
	/* after a reply, its result stays until the next call of parse */
	if (rp->state == ST_FRESH)
		rp->cs = entry(mode);
	return MW_ERR_OK;
}

mw_err
mw_reply_reset(struct mw_reply_parser *rp)
{
	if (rp == NULL)
		return MW_ERR_INVAL;
	rp->err = MW_ERR_OK;
	rp->cause = MW_REPLY_E_NONE;
	rp->err_off = 0;
	begin(rp);
	return MW_ERR_OK;
}

mw_err
mw_reply_eof(struct mw_reply_parser *rp)
{
	if (rp == NULL)
		return MW_ERR_INVAL;
	if (rp->state == ST_FAILED)
		return rp->err;
	if (rp->state == ST_PARTIAL) {
		fail(rp, MW_ERR_SYNTAX, MW_REPLY_E_EOF, rp->pos);
		return rp->err;
	}
	return MW_ERR_OK;
}

/* The reply code, once the first line's three octets are read. */
static unsigned
code_of(const unsigned char *buf)
{
	return (unsigned)(buf[0] - '0') * 100 + (unsigned)(buf[1] - '0') * 10 +
	    (unsigned)(buf[2] - '0');
}

/* The octet at e stopped the machine: name the cause. */
static void
classify(struct mw_reply_parser *rp, const unsigned char *buf, uint32_t e,
    uint32_t n)
{
	unsigned char c = buf[e];
	uint32_t ls = rp->ls, k = e - ls;
	unsigned code = n > 0 || e >= 3 ? code_of(buf) : 0;
	enum mw_reply_cause cause;

	if (c == '\0')
		cause = MW_REPLY_E_NUL;
	else if (c == '\n' && (e == 0 || buf[e - 1] != '\r') &&
	    !(rp->lenient & MW_REPLY_LENIENT_BARE_LF))
		cause = MW_REPLY_E_BARE_LF;
	else if (c != '\n' && e > ls && buf[e - 1] == '\r')
		cause = MW_REPLY_E_BARE_CR;
	else if (c >= 0x80)
		cause = MW_REPLY_E_8BIT;
	else if (k < 3) {
		/* a digit where a code goes, on a later line: another code */
		uint32_t i;
		int digits = n > 0;

		for (i = 0; i <= k && digits; i++)
			digits = buf[ls + i] >= '0' && buf[ls + i] <= '9';
		if (digits) {
			/* where the line starts, as the mismatch action says */
			fail(rp, MW_ERR_SYNTAX, MW_REPLY_E_MISMATCH, ls);
			return;
		}
		cause = MW_REPLY_E_CODE;
	} else if (k >= 4 && (c < 0x20 || c == 0x7f) && c != '\t' &&
	    c != '\r' && c != '\n')
		cause = MW_REPLY_E_TEXT;
	else if (rp->mode == MW_REPLY_GREETING && code == 220)
		cause = MW_REPLY_E_GREETING;
	else if (rp->mode == MW_REPLY_EHLO && code == 250)
		cause = MW_REPLY_E_EHLO;
	else
		cause = MW_REPLY_E_SYNTAX;
	fail(rp, MW_ERR_SYNTAX, cause, e);
}

/* A bound is the reason the octet at lim is not read. */
static void
bound_fail(struct mw_reply_parser *rp, uint32_t lim)
{
	if (lim - rp->ls >= rp->max_line)
		fail(rp, MW_ERR_LIMIT, MW_REPLY_E_LINE_TOO_LONG,
		    rp->ls + rp->max_line);
	else
		fail(rp, MW_ERR_LIMIT, MW_REPLY_E_TOO_BIG, rp->max_total);
}

/*
 * The enhanced status code of the first line (RFC 2034 3 (4): the text is
 * "prefaced with a status code", "always followed by one or more
 * spaces"). Text that starts with a digit and a dot is taken to be one;
 * if it does not parse (RFC 3463 2), or its class is not the reply's
 * (RFC 3463 2: "the class ... must match the first digit of the reply
 * code" in spirit: a 2.x.x on a 5yz reply cannot be trusted), it is not
 * used and the reply says so in a warning.
 */
static void
first_esc(struct mw_reply *rep, const unsigned char *buf)
{
	unsigned klass = (unsigned)(buf[0] - '0');	/* the code's first */
	const unsigned char *s = buf + rep->lines[0].text.off;
	size_t n = rep->lines[0].text.len;

	if (n < 2 || s[0] < '0' || s[0] > '9' || s[1] != '.')
		return;
	/* parsed in place: left alone on error */
	if (!esc_code(s, n, &rep->esc)) {
		rep->warnings |= 1u << MW_REPLY_W_ESC_SYNTAX;
		return;
	}
	if (rep->esc.klass != klass) {
		rep->warnings |= 1u << MW_REPLY_W_ESC_CLASS;
		return;
	}
	rep->has_esc = 1;
}

/* Is cap one of the keywords tagged by the reply machine? */
static int
tagged_cap(unsigned cap)
{
	switch (cap) {
	case MW_CAP_SIZE: case MW_CAP_PIPELINING: case MW_CAP_8BITMIME:
	case MW_CAP_BINARYMIME: case MW_CAP_CHUNKING: case MW_CAP_DSN:
	case MW_CAP_ENHANCEDSTATUSCODES: case MW_CAP_SMTPUTF8:
	case MW_CAP_STARTTLS: case MW_CAP_AUTH: case MW_CAP_REQUIRETLS:
	case MW_CAP_LIMITS:
		return 1;
	default:
		return 0;
	}
}

/*
 * The capability set of an ehlo-ok-rsp. A tagged line matched its
 * extension's rule; an untagged one is looked up by name: a keyword of a
 * tagged extension whose line did not match its rule is still advertised
 * (RFC 5321 4.1.1.1: the keyword names the extension), but its parameters
 * are not used.
 */
static void
decode_ehlo(struct mw_reply *rep, const unsigned char *buf)
{
	struct mw_ehlo *e = &rep->ehlo;
	uint32_t i;

	e->caps = 0;
	e->size = 0;
	e->mailmax = e->rcptmax = e->rcptdomainmax = 0;
	e->auth_old = 0;
	e->nunknown = 0;
	memset(e->line, MW_EHLO_NOLINE, sizeof(e->line));
	rep->has_ehlo = 1;
	rep->lines[0].cap = MW_CAP_NONE;
	for (i = 1; i < rep->nlines; i++) {
		struct mw_reply_line *l = &rep->lines[i];
		const unsigned char *kw = buf + l->keyword.off;
		unsigned cap = l->cap;
		int ok = 1;

		if (cap == MW_CAP_NONE) {
			/* the bare "250" that ends a reply with the
			 * sp-no-text leniency: no keyword line */
			if (l->keyword.len == 0)
				continue;
			for (cap = 0; cap < MW_CAP__COUNT; cap++)
				if (word(kw, l->keyword.len, cap_names[cap]))
					break;
			if (cap == MW_CAP__COUNT) {
				l->cap = MW_CAP_UNKNOWN;
				e->unknown[e->nunknown++] = (uint8_t)i;
				continue;
			}
			l->cap = (uint8_t)cap;
			if (tagged_cap(cap)) {
				rep->warnings |= 1u << MW_REPLY_W_EHLO_PARAM;
				ok = 0;
			}
		}
		if (l->auth_old)
			e->auth_old = 1;
		if (e->caps & (1u << cap)) {
			/* RFC 4954 and the old form: "AUTH x" and "AUTH=x"
			 * side by side are one list; other repeats are odd */
			if (cap != MW_CAP_AUTH ||
			    (!l->auth_old &&
			    !rep->lines[e->line[cap]].auth_old))
				rep->warnings |= 1u << MW_REPLY_W_EHLO_DUP;
			if (cap != MW_CAP_AUTH)
				continue;
		} else {
			e->caps |= 1u << cap;
			e->line[cap] = (uint8_t)i;
		}
		if (!ok)
			continue;
		if (cap == MW_CAP_SIZE) {
			/* RFC 1870 3: size-param = [1*DIGIT], no bound */
			const unsigned char *s = buf + l->params.off;
			uint64_t v = 0;
			uint32_t k;

			for (k = 0; k < l->params.len; k++) {
				uint64_t d = (uint64_t)(s[k] - '0');

				/* v * 10 + d > UINT64_MAX (no division a
				 * digit: a 64-bit divide is slow) */
				if (v > UINT64_MAX / 10 ||
				    (v == UINT64_MAX / 10 && d > UINT64_MAX % 10)) {
					rep->warnings |=
					    1u << MW_REPLY_W_EHLO_PARAM;
					v = 0;
					break;
				}
				v = v * 10 + d;
			}
			e->size = v;
		} else if (cap == MW_CAP_LIMITS) {
			struct limits li;

			memset(&li, 0, sizeof(li));
			li.limit = -1;
			limits_run(&li, buf + l->params.off, l->params.len);
			if (li.bad)
				rep->warnings |= 1u << MW_REPLY_W_EHLO_PARAM;
			e->mailmax = li.value[0];
			e->rcptmax = li.value[1];
			e->rcptdomainmax = li.value[2];
		}
		/* AUTH's mechanisms were read in the pass (mw_reply_parse) */
	}
}

/* The reply is complete: what is decoded after it. */
static void
finish(struct mw_reply_parser *rp, const unsigned char *buf, uint32_t len)
{
	struct mw_reply *rep = &rp->reply;
	uint32_t i;

	rep->len = len;
	rep->code = (uint16_t)code_of(buf);
	/* each line's start and LF, kept by the machine, to its text */
	for (i = 0; i < rep->nlines; i++) {
		struct mw_reply_line *l = &rep->lines[i];
		uint32_t ls = l->text.off, lf = l->text.len, end = lf;

		if (lf > ls + 3 && buf[lf - 1] == '\r')
			end = lf - 1;
		if (end > ls + 3) {
			l->text.off = ls + 4;
			l->text.len = end - (ls + 4);
		} else {
			l->text.off = ls + 3;	/* a bare code: no text */
			l->text.len = 0;
		}
		if (l->params.off != 0)
			l->params.len = end - l->params.off;
	}
	if (rp->mode == MW_REPLY_EHLO && rep->code == 250) {
		decode_ehlo(rep, buf);
		return;
	}
	/* RFC 2034 3 (4): not the greeting; not an answer to EHLO */
	if (rp->mode == MW_REPLY_EHLO) {
		for (i = 0; i < rep->nlines; i++)
			rep->lines[i].cap = MW_CAP_NONE;
	} else if (rp->mode == MW_REPLY_GREETING && rep->code == 220)
		return;
	first_esc(rep, buf);
}

/*
 * The slow path's next piece of s[pos..lim): up to an octet the machine
 * must be fed something else for (*sp set): an octet above 0x7F
 * (MW_REPLY_UTF8), the "=" of an "AUTH=" line (MW_REPLY_LENIENT_AUTH_EQ),
 * a SP after a code (MW_REPLY_LENIENT_SP_NO_TEXT); or up to and including
 * an LF, so the line start looked at stays current; or lim.
 */
static uint32_t
special(struct run *r, uint32_t pos, uint32_t lim, int *sp)
{
	struct mw_reply_parser *rp = r->rp;
	const unsigned char *b = r->buf;
	int utf8 = rp->mode == MW_REPLY_UTF8;
	int autheq = rp->mode == MW_REPLY_EHLO &&
	    (rp->lenient & MW_REPLY_LENIENT_AUTH_EQ);
	int sptext = (rp->lenient & MW_REPLY_LENIENT_SP_NO_TEXT) != 0;

	*sp = 0;
	for (; pos < lim; pos++) {
		unsigned char c = b[pos];

		if (c == '\n')
			return pos + 1;
		if ((utf8 && c >= 0x80) ||
		    (autheq && c == '=' && r->n >= 1 && code_of(b) == 250 &&
		    pos == rp->ls + 8 && word(b + rp->ls + 4, 4, "AUTH")) ||
		    (sptext && c == ' ' && pos == rp->ls + 3)) {
			*sp = 1;
			return pos;
		}
	}
	return lim;
}

mw_err
mw_reply_parse(struct mw_reply_parser *rp, const void *vbuf, size_t len,
    size_t *used)
{
	static const unsigned char space[1] = { ' ' }, letter[1] = { 'x' };
	const unsigned char *buf = vbuf;
	struct run r;
	uint32_t pos, lim, bound;
	int slow;

	if (rp == NULL || used == NULL || (buf == NULL && len > 0))
		return MW_ERR_INVAL;
	*used = 0;
	if (rp->state == ST_FAILED)
		return rp->err;
	if (rp->state == ST_DONE)
		begin(rp);
	if (len < rp->pos)
		return MW_ERR_INVAL;
	if (len == rp->pos)
		return MW_ERR_AGAIN;
	rp->state = ST_PARTIAL;
	r.rp = rp;
	r.buf = r.sb = buf;
	r.so = 0;
	r.n = rp->reply.nlines;
	r.done = 0;
	slow = rp->mode == MW_REPLY_UTF8 || (rp->mode == MW_REPLY_EHLO &&
	    (rp->lenient & MW_REPLY_LENIENT_AUTH_EQ)) ||
	    (rp->lenient & MW_REPLY_LENIENT_SP_NO_TEXT);
	pos = rp->pos;
	for (;;) {
		uint32_t q;
		int sp = 0, k = 1;

		bound = rp->ls + rp->max_line < rp->max_total ?
		    rp->ls + rp->max_line : rp->max_total;
		lim = len < bound ? (uint32_t)len : bound;
		if (pos >= lim)
			break;
		q = slow ? special(&r, pos, lim, &sp) : lim;
		if (q > pos) {
			pos = (uint32_t)(feed(&r, buf + pos, buf + q) - buf);
			if (r.done || rp->state == ST_FAILED)
				break;
			if (rp->cs == reply_error) {
				classify(rp, buf, pos, r.n);
				return rp->err;
			}
		}
		if (!sp)
			continue;
		/* an octet the machine is fed a stand-in for */
		if (buf[q] == ' ') {
			/* RFC 5321 4.2.1: "servers SHOULD send the <SP> if
			 * subsequent text is not sent": read as a bare code */
			if (q + 1 >= lim) {
				if (lim < bound) {
					rp->pos = pos;
					return MW_ERR_AGAIN;
				}
				bound_fail(rp, lim);
				return rp->err;
			}
			if (buf[q + 1] == '\r' || buf[q + 1] == '\n') {
				pos = q + 1;
				continue;
			}
			r.sb = space;
		} else if (buf[q] == '=') {
			r.sb = space;
			rp->reply.lines[r.n].auth_old = 1;
		} else if ((k = utf8char(buf + q, lim - q)) > 0) {
			r.sb = letter;
		} else if (k < 0) {
			fail(rp, MW_ERR_SYNTAX, MW_REPLY_E_8BIT, q);
			return rp->err;
		} else if (lim < bound) {
			/* a character cut short by the end of the input */
			rp->pos = pos;
			return MW_ERR_AGAIN;
		} else {
			bound_fail(rp, lim);
			return rp->err;
		}
		r.so = q;
		(void)feed(&r, r.sb, r.sb + 1);
		r.sb = buf;
		r.so = 0;
		if (rp->state == ST_FAILED)
			break;
		if (rp->cs == reply_error) {
			classify(rp, buf, q, r.n);
			return rp->err;
		}
		pos = q + (uint32_t)k;
	}
	if (rp->state == ST_FAILED)
		return rp->err;
	if (r.done) {
		finish(rp, buf, pos);
		rp->state = ST_DONE;
		*used = pos;
		return MW_ERR_OK;
	}
	/* the input ran out, or a bound stopped the machine */
	bound = rp->ls + rp->max_line < rp->max_total ?
	    rp->ls + rp->max_line : rp->max_total;
	if (pos >= bound) {
		bound_fail(rp, bound);
		return rp->err;
	}
	rp->pos = pos;
	return MW_ERR_AGAIN;
}
