/*
 * src/command.rl: the server-side command parser. The syntax is entirely
 * the machines generated from grammar/ (each command rule, each parameter
 * rule, the leniencies of grammar/lenient.abnf); this file holds the glue:
 * which verb matched, the capture hooks that record spans, the checks the
 * RFCs state in prose, and the decoding of known parameter values.
 */
#include <stddef.h>
#include <string.h>

#include <mailwire/command.h>

#include "captures.h"

/* capture state (struct mw_cmd_parser flags) */
#define F_KNOWN_VERB	0x0001u	/* a verb and its delimiter were seen */
#define F_IN_ADL	0x0002u	/* inside a source route */
#define F_IN_MAILBOX	0x0004u
#define F_IN_LOCAL	0x0008u
#define F_PATH		0x0010u	/* a Reverse-path or Forward-path began */
#define F_IPV4		0x0020u
#define F_IPV6		0x0040u
#define F_GENERAL	0x0080u
#define F_TAG_IPV6	0x0100u	/* a general literal tagged "IPv6" */
#define F_BAD_IPV6	0x0200u
#define F_BAD_SNUM	0x0400u
#define F_TOO_MANY	0x0800u
#define F_DONE		0x1000u	/* a command matched, up to its line end */

/* slots of parser marks */
enum {
	M_PATH, M_ADL, M_MAILBOX, M_LOCAL, M_DOMAIN, M_LITERAL, M_IPV6,
	M_TAG, M_SNUM, M_PARAM, M_KEYWORD, M_VALUE, M_ARG, M_IR, M_CHUNK,
	M__COUNT
};

static struct mw_span
span(uint32_t start, uint32_t end)
{
	struct mw_span s = { start, end - start };

	return s;
}

static int
ieq(const unsigned char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n && lit[i] != '\0'; i++) {
		unsigned char a = s[i], b = (unsigned char)lit[i];

		/* equal, or the same ASCII letter in the other case */
		if (a != b && ((a ^ b) != 0x20 ||
		    (unsigned char)((a | 0x20) - 'a') > 'z' - 'a'))
			return 0;
	}
	return i == n && lit[i] == '\0';
}

/* ieq with a string constant: only a span of its length is compared */
#define IEQ(s, n, lit)	((n) == sizeof(lit) - 1 && ieq((s), (n), (lit)))

/* RFC 5321 4.1.3: "No more than 6 groups in addition to the '::'" (4 in
 * the IPv4 form); the grammar allows more, so count them here. */
static int
ipv6_ok(const unsigned char *s, size_t n)
{
	int groups = 0, dcolon = 0, v4 = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.')
			v4 = 1;
		if (s[i] == ':' && i + 1 < n && s[i + 1] == ':')
			dcolon = 1;
		if (s[i] != ':' && (i == 0 || s[i - 1] == ':') && !v4)
			groups++;
	}
	if (v4)
		groups--;	/* the IPv4 part was counted as a group */
	if (!dcolon)
		return 1;	/* the full forms have exact counts */
	return groups <= (v4 ? 4 : 6);
}

/*
 * The capture hooks. Each action of the generated machine names its rule
 * with a constant id, so the switch in MW_CAPTURE_ENTER/LEAVE leaves only
 * that rule's case at each use, inline: nothing at all for the many
 * captured rules this parser does not use (Path, xtext, hexchar, ...,
 * which other parsers share), and no call per hook. OFF is the offset of
 * p in the caller's buffer (sb). The rarer checks that take a loop are
 * functions.
 */
static void
path_leave(struct mw_cmd_parser *pr, uint32_t off)
{
	if (off - pr->mark[M_PATH] > pr->cfg.max_path)
		pr->cmd.error = MW_CMD_PATH_TOO_LONG;
	if (off - pr->mark[M_PATH] == 2 && pr->cmd.mailbox.len == 0)
		pr->cmd.null_path = 1;
}

static void
ipv6_leave(struct mw_cmd_parser *pr, uint32_t off)
{
	if (!ipv6_ok(pr->scan + pr->mark[M_IPV6], off - pr->mark[M_IPV6]))
		pr->flags |= F_BAD_IPV6;
}

/* RFC 5321 4.1.3: the IPv6 tag has its own syntax */
static void
tag_leave(struct mw_cmd_parser *pr, uint32_t off)
{
	if (IEQ(pr->scan + pr->mark[M_TAG], off - pr->mark[M_TAG], "IPv6"))
		pr->flags |= F_TAG_IPV6;
}

/* RFC 5321 4.1.3: "a decimal integer value in the range 0 through 255";
 * the grammar bounds it to 3 digits */
static void
snum_leave(struct mw_cmd_parser *pr, uint32_t off)
{
	unsigned v = 0;

	for (uint32_t i = pr->mark[M_SNUM]; i < off; i++)
		v = v * 10 + (unsigned)(pr->scan[i] - '0');
	if (v > 255)
		pr->flags |= F_BAD_SNUM;
}

/* Zeroes to clear from: a copy of a constant the compiler does in a few
 * vector moves, where memset of these sizes becomes "rep stos", whose
 * start-up costs more than the rest of a short command. */
static const struct mw_cmd zero_cmd;

static void
param_enter(struct mw_cmd_parser *pr, uint32_t off)
{
	struct mw_cmd *c = &pr->cmd;

	if (c->nparams == MW_CMD_MAX_PARAMS)
		pr->flags |= F_TOO_MANY;
	else
		c->params[c->nparams] = zero_cmd.params[0];
	pr->mark[M_PARAM] = off;
}

/* Decimal digits of a validated value; 0 if it overflows 64 bits. */
static int
number(const unsigned char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n <= 19) {		/* below 10^19: cannot overflow */
		for (size_t i = 0; i < n; i++)
			x = x * 10 + (unsigned)(s[i] - '0');
		*v = x;
		return 1;
	}
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (*v > (UINT64_MAX - d) / 10)
			return 0;
		*v = *v * 10 + d;
	}
	return 1;
}

static void
chunk_leave(struct mw_cmd_parser *pr, uint32_t off)
{
	if (!number(pr->scan + pr->mark[M_CHUNK], off - pr->mark[M_CHUNK],
	    &pr->cmd.bdat_size))
		pr->cmd.error = MW_CMD_NUMBER;
}

/*
 * Runs. esmtp-value is a run of one class of octets (1*(%d33-60 /
 * %d62-126)); mwgen gives it a scanner, mw__run_esmtp_value (captures.h),
 * from the grammar. Its entering hook fires on the run's first octet, and
 * the machine is then in the state that loops on the class, with no
 * action: the hook moves p to the run's last octet (the machine's ++p
 * reads the octet that ends it), and the state is the same as if it had
 * read them one by one (as in src/reply.rl). That holds because nothing
 * else is alive in the union there: a value follows "=" in a MAIL or RCPT
 * line's parameters, where the other commands and the verb alone have
 * already failed. The SMTPUTF8 profile's value is that run or one
 * UTF8-non-ascii (rfc6531.abnf): only a value whose first octet is in the
 * run's class is skipped. pe is the line limit at most, and a scan stops
 * at pe, so fed in chunks the state is the same.
 */
#define OFF	((uint32_t)(p - sb))
#define SKIP_VALUE()	do {						\
	if (mw__run_esmtp_value(p, p + 1) != p)				\
		p = mw__run_esmtp_value(p + 1, pe) - 1;			\
} while (0)

#ifndef MW_CMD_MACHINE_ONLY
#define MW_CAPTURE_ENTER(id)	do {					\
	switch (id) {							\
	case MW__CAP_Reverse_path:					\
	case MW__CAP_Forward_path:					\
		pr->flags |= F_PATH;					\
		pr->mark[M_PATH] = OFF;					\
		/* RFC 1870 5, 3461 5.4, 4954 3, 6531 3.1, 8689 2 */	\
		pr->limit = (id) == MW__CAP_Reverse_path ?		\
		    pr->cfg.max_mail_line : pr->cfg.max_rcpt_line;	\
		break;							\
	case MW__CAP_A_d_l:						\
		pr->flags |= F_IN_ADL;					\
		pr->mark[M_ADL] = OFF;					\
		break;							\
	case MW__CAP_Mailbox:						\
		pr->flags |= F_IN_MAILBOX;				\
		pr->mark[M_MAILBOX] = OFF;				\
		break;							\
	case MW__CAP_Local_part:					\
		if (pr->flags & F_IN_MAILBOX) {				\
			pr->flags |= F_IN_LOCAL;			\
			pr->mark[M_LOCAL] = OFF;			\
		}							\
		break;							\
	case MW__CAP_Quoted_string:					\
		if (pr->flags & F_IN_LOCAL)				\
			pr->cmd.quoted = 1;				\
		break;							\
	case MW__CAP_Domain:						\
	case MW__CAP_address_literal:					\
		if (!(pr->flags & F_IN_ADL))				\
			pr->mark[M_DOMAIN] = OFF;			\
		break;							\
	case MW__CAP_IPv6_addr:						\
		pr->mark[M_IPV6] = OFF;					\
		break;							\
	case MW__CAP_Standardized_tag:					\
		pr->mark[M_TAG] = OFF;					\
		break;							\
	case MW__CAP_Snum:						\
		pr->mark[M_SNUM] = OFF;					\
		break;							\
	case MW__CAP_esmtp_param:					\
		param_enter(pr, OFF);					\
		break;							\
	case MW__CAP_esmtp_keyword:					\
		pr->mark[M_KEYWORD] = OFF;				\
		break;							\
	case MW__CAP_esmtp_value:					\
		pr->mark[M_VALUE] = OFF;				\
		SKIP_VALUE();						\
		break;							\
	case MW__CAP_String:						\
	case MW__CAP_sasl_mech:						\
	case MW__CAP_etrn_node:						\
		pr->mark[M_ARG] = OFF;					\
		break;							\
	case MW__CAP_initial_response:					\
		pr->mark[M_IR] = OFF;					\
		break;							\
	case MW__CAP_chunk_size:					\
		pr->mark[M_CHUNK] = OFF;				\
		break;							\
	case MW__CAP_end_marker:					\
		pr->cmd.bdat_last = 1;					\
		break;							\
	case MW__CAP_UTF8_non_ascii:					\
		pr->cmd.utf8 = 1;					\
		break;							\
	default:							\
		break;							\
	}								\
} while (0)

#define MW_CAPTURE_LEAVE(id)	do {					\
	switch (id) {							\
	case MW__CAP_Reverse_path:					\
	case MW__CAP_Forward_path:					\
		path_leave(pr, OFF);					\
		break;							\
	case MW__CAP_A_d_l:						\
		pr->flags &= ~F_IN_ADL;					\
		pr->cmd.source_route = span(pr->mark[M_ADL], OFF);	\
		break;							\
	case MW__CAP_Mailbox:						\
		pr->flags &= ~F_IN_MAILBOX;				\
		pr->cmd.mailbox = span(pr->mark[M_MAILBOX], OFF);	\
		break;							\
	case MW__CAP_Local_part:					\
		if (pr->flags & F_IN_MAILBOX) {				\
			pr->flags &= ~F_IN_LOCAL;			\
			pr->cmd.local = span(pr->mark[M_LOCAL], OFF);	\
		}							\
		break;							\
	case MW__CAP_Domain:						\
	case MW__CAP_address_literal:					\
		if (!(pr->flags & F_IN_ADL)) {				\
			pr->cmd.domain = span(pr->mark[M_DOMAIN], OFF);	\
			if ((id) == MW__CAP_address_literal)		\
				/* refined by check() */		\
				pr->cmd.literal = MW_LITERAL_GENERAL;	\
		}							\
		break;							\
	case MW__CAP_IPv4_address_literal:				\
		pr->flags |= F_IPV4;					\
		break;							\
	case MW__CAP_IPv6_address_literal:				\
		pr->flags |= F_IPV6;					\
		break;							\
	case MW__CAP_General_address_literal:				\
		pr->flags |= F_GENERAL;					\
		break;							\
	case MW__CAP_IPv6_addr:						\
		ipv6_leave(pr, OFF);					\
		break;							\
	case MW__CAP_Standardized_tag:					\
		tag_leave(pr, OFF);					\
		break;							\
	case MW__CAP_Snum:						\
		snum_leave(pr, OFF);					\
		break;							\
	case MW__CAP_esmtp_param:					\
		if (!(pr->flags & F_TOO_MANY))				\
			pr->cmd.nparams++;				\
		break;							\
	case MW__CAP_esmtp_keyword:					\
		if (pr->cmd.nparams < MW_CMD_MAX_PARAMS)		\
			pr->cmd.params[pr->cmd.nparams].keyword =	\
			    span(pr->mark[M_KEYWORD], OFF);		\
		break;							\
	case MW__CAP_esmtp_value:					\
		if (pr->cmd.nparams < MW_CMD_MAX_PARAMS) {		\
			pr->cmd.params[pr->cmd.nparams].value =		\
			    span(pr->mark[M_VALUE], OFF);		\
			pr->cmd.params[pr->cmd.nparams].has_value = 1;	\
		}							\
		break;							\
	case MW__CAP_String:						\
	case MW__CAP_sasl_mech:						\
	case MW__CAP_etrn_node:						\
		pr->cmd.arg = span(pr->mark[M_ARG], OFF);		\
		break;							\
	case MW__CAP_initial_response:					\
		pr->cmd.initial_response = span(pr->mark[M_IR], OFF);	\
		break;							\
	case MW__CAP_chunk_size:					\
		chunk_leave(pr, OFF);					\
		break;							\
	case MW__CAP_UTF8_non_ascii:					\
		pr->cmd.utf8 = 1;					\
		break;							\
	default:							\
		break;							\
	}								\
} while (0)
#else
/* bench/bench_machine.c: the machine alone, a recogniser whose hooks do
 * nothing but skip the esmtp-value runs as above (docs/PERFORMANCE.md) */
#define MW_CAPTURE_ENTER(id)	do {					\
	if ((id) == MW__CAP_esmtp_value)				\
		SKIP_VALUE();						\
} while (0)
#define MW_CAPTURE_LEAVE(id)	((void)(id))
#endif

/* The public bits follow grammar/lenient.abnf's order of leniencies. */
_Static_assert(MW_LENIENT_BARE_LF == 1u << MW__LENIENT_bare_lf &&
    MW_LENIENT_SPACE_AFTER_COLON == 1u << MW__LENIENT_space_after_colon &&
    MW_LENIENT_NO_BRACKETS == 1u << MW__LENIENT_no_brackets &&
    MW__LENIENT_sp_no_text == 3 && MW__LENIENT_COUNT == 4,
    "grammar/lenient.abnf and MW_LENIENT_* differ");

/* The leniencies the command machines use, from a copy of cfg.lenient
 * (run_line's len): sp-no-text is the replies'. */
#define MW_LENIENT(id)	((id) != MW__LENIENT_sp_no_text &&		\
			 (len & (1u << (id))) != 0)

#define VERB(v)	do {							\
	pr->cmd.verb = (v);						\
	pr->flags |= F_DONE;						\
} while (0)

%%{
machine command;
alphtype unsigned char;
include grammar "grammar.rl";

action known_verb	{ pr->flags |= F_KNOWN_VERB; }
action ehlo		{ VERB(MW_VERB_EHLO); fbreak; }
action helo		{ VERB(MW_VERB_HELO); fbreak; }
action mail		{ VERB(MW_VERB_MAIL); fbreak; }
action rcpt		{ VERB(MW_VERB_RCPT); fbreak; }
action data		{ VERB(MW_VERB_DATA); fbreak; }
action rset		{ VERB(MW_VERB_RSET); fbreak; }
action vrfy		{ VERB(MW_VERB_VRFY); fbreak; }
action expn		{ VERB(MW_VERB_EXPN); fbreak; }
action help		{ VERB(MW_VERB_HELP); fbreak; }
action noop		{ VERB(MW_VERB_NOOP); fbreak; }
action quit		{ VERB(MW_VERB_QUIT); fbreak; }
action starttls		{ VERB(MW_VERB_STARTTLS); fbreak; }
action auth		{ VERB(MW_VERB_AUTH); fbreak; }
action bdat		{ VERB(MW_VERB_BDAT); fbreak; }
action lhlo		{ VERB(MW_VERB_LHLO); fbreak; }
action etrn		{ VERB(MW_VERB_ETRN); fbreak; }

# A verb followed by its delimiter: tells 500 from 501 when the command
# itself fails (RFC 5321 4.2.4).
verb = command_verb ( SP | CR ) @known_verb;

main := (
	  ehlo @ehlo | helo @helo | mail @mail | rcpt @rcpt | data @data
	| rset @rset | vrfy @vrfy | expn @expn | help @help | noop @noop
	| quit @quit | starttls @starttls | auth_line @auth | bdat_cmd @bdat
	| lhlo @lhlo | etrn @etrn
	) | verb;

# RFC 6531 3.3: with SMTPUTF8 offered, the profile's rules
utf8 := (
	  smtputf8_ehlo @ehlo | smtputf8_helo @helo | smtputf8_mail @mail
	| smtputf8_rcpt @rcpt | data @data | rset @rset
	| smtputf8_vrfy @vrfy | smtputf8_expn @expn | smtputf8_help @help
	| smtputf8_noop @noop | quit @quit | starttls @starttls
	| auth_line @auth | bdat_cmd @bdat
	| smtputf8_lhlo @lhlo | smtputf8_etrn @etrn
	) | verb;

write data;
}%%

/* Runs the command machine over [p, pe); returns where it stopped. */
static const unsigned char *
run_line(struct mw_cmd_parser *pr, const unsigned char *p,
    const unsigned char *pe)
{
	const unsigned char *eof = NULL;	/* a line never ends at EOF */
	const unsigned char *const sb = pr->scan;
	const uint32_t len = pr->cfg.lenient;
	int cs = pr->cs;

	(void)eof;
	(void)sb;
	(void)len;
	%% write exec;
	pr->cs = cs;
	return p;
}

#undef MW_CAPTURE_ENTER
#undef MW_CAPTURE_LEAVE
#undef MW_LENIENT
#undef OFF
#undef SKIP_VALUE

/*
 * Each known parameter is checked by its own extension's rule over the
 * whole esmtp-param text; the leaving action says which rule accepted.
 */
#define MW_CAPTURE_ENTER(id)	((void)(id))
#define MW_CAPTURE_LEAVE(id)	((void)(id))
#define MW_LENIENT(id)		((void)(id), 0)
#define OK(k)			(acc |= 1u << (k))
#define BODY_BIN		31	/* BODY=BINARYMIME: only the RFC 3030 rule */

%%{
machine param;
alphtype unsigned char;
include grammar "grammar.rl";

action size	{ OK(MW_PARAM_SIZE); }
action body	{ OK(MW_PARAM_BODY); }
action bodybin	{ OK(BODY_BIN); }
action authp	{ OK(MW_PARAM_AUTH); }
action ret	{ OK(MW_PARAM_RET); }
action envid	{ OK(MW_PARAM_ENVID); }
action utf8	{ OK(MW_PARAM_SMTPUTF8); }
action reqtls	{ OK(MW_PARAM_REQUIRETLS); }
action prio	{ OK(MW_PARAM_MTPRIORITY); }
action holdfor	{ OK(MW_PARAM_HOLDFOR); }
action holdunt	{ OK(MW_PARAM_HOLDUNTIL); }
action by	{ OK(MW_PARAM_BY); }
action notify	{ OK(MW_PARAM_NOTIFY); }
action orcpt	{ OK(MW_PARAM_ORCPT); }
action rrvs	{ OK(MW_PARAM_RRVS); }

# Each rule's action runs at the end of the text (a leaving action, done
# at EOF) if that rule accepts the whole of it; the transitions inside a
# value carry none, so its runs are skipped (mwgen runs --pure param: the
# capture hooks do nothing here).
known = size_mail_param %size | body_param %body
	| binarymime_body_param %bodybin | auth_param %authp
	| ret_parameter %ret | envid_parameter %envid
	| smtputf8_param %utf8 | requiretls_param %reqtls
	| mt_priority_param %prio | hold_for_param %holdfor
	| hold_until_param %holdunt | by_parameter %by
	| notify_parameter %notify | rrvs_param %rrvs;

main := known | orcpt_parameter %orcpt;
# RFC 6531 3.3 widens atom, and with it ORCPT's addr-type
utf8 := known | smtputf8_orcpt_parameter %orcpt;
# RFC 7293 3.1: no fractional seconds (grammar/rfc7293.abnf additions)
rrvs_value_only := rrvs_value;

write data;
}%%

/* Which rules accept s[0..n), as a bit set of kinds (0: none); entry is
 * a start state of the param machine. */
static uint32_t
run_param(const unsigned char *s, size_t n, int entry)
{
	const unsigned char *p = s, *pe = s + n, *eof = pe;
	uint32_t acc = 0;
	int cs = entry;

	(void)eof;
	%% write exec;
	return cs >= param_first_final ? acc : 0;
}

/* RFC 7293 3.1 (rrvs-value in the additions): no fractional seconds */
static int
rrvs_value_ok(const unsigned char *s, size_t n)
{
	const unsigned char *p = s, *pe = s + n, *eof = pe;
	uint32_t acc = 0;
	int cs = param_en_rrvs_value_only;

	(void)eof;
	(void)acc;
	%% write exec;
	return cs >= param_first_final;
}

#undef MW_CAPTURE_ENTER
#undef MW_CAPTURE_LEAVE
#undef MW_LENIENT

/* The known parameters, by kind; len is the name's, to compare a keyword
 * with only the names of its length. */
#define P(name, kind, verb, ext)	\
	[kind] = { name, sizeof(name) - 1, kind, verb, ext }

static const struct {
	const char	*name;
	uint8_t		 len;
	uint8_t		 kind;
	uint8_t		 verb;
	uint32_t	 ext;
} params[MW_PARAM__COUNT] = {
	[MW_PARAM_UNKNOWN] = { "", 0, MW_PARAM_UNKNOWN, MW_VERB_NONE, 0 },
	P("SIZE", MW_PARAM_SIZE, MW_VERB_MAIL, MW_EXT_SIZE),
	P("BODY", MW_PARAM_BODY, MW_VERB_MAIL, MW_EXT_8BITMIME | MW_EXT_BINARYMIME),
	P("AUTH", MW_PARAM_AUTH, MW_VERB_MAIL, MW_EXT_AUTH),
	P("RET", MW_PARAM_RET, MW_VERB_MAIL, MW_EXT_DSN),
	P("ENVID", MW_PARAM_ENVID, MW_VERB_MAIL, MW_EXT_DSN),
	P("SMTPUTF8", MW_PARAM_SMTPUTF8, MW_VERB_MAIL, MW_EXT_SMTPUTF8),
	P("REQUIRETLS", MW_PARAM_REQUIRETLS, MW_VERB_MAIL, MW_EXT_REQUIRETLS),
	P("MT-PRIORITY", MW_PARAM_MTPRIORITY, MW_VERB_MAIL, MW_EXT_MTPRIORITY),
	P("HOLDFOR", MW_PARAM_HOLDFOR, MW_VERB_MAIL, MW_EXT_FUTURERELEASE),
	P("HOLDUNTIL", MW_PARAM_HOLDUNTIL, MW_VERB_MAIL, MW_EXT_FUTURERELEASE),
	P("BY", MW_PARAM_BY, MW_VERB_MAIL, MW_EXT_DELIVERBY),
	P("NOTIFY", MW_PARAM_NOTIFY, MW_VERB_RCPT, MW_EXT_DSN),
	P("ORCPT", MW_PARAM_ORCPT, MW_VERB_RCPT, MW_EXT_DSN),
	P("RRVS", MW_PARAM_RRVS, MW_VERB_RCPT, MW_EXT_RRVS),
};

#undef P

const char *
mw_param_name(enum mw_param_kind k)
{
	return (unsigned)k < MW_PARAM__COUNT ? params[k].name : "";
}

/* A hexchar's digit: upper case (RFC 3461 4), as mw_xtext_decode reads it */
static unsigned
hexval(unsigned char c)
{
	return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'A' + 10);
}

/*
 * The value of an xtext the parameter's rule has accepted (the rule
 * includes xtext, so its syntax is checked there): each xchar is itself
 * and each hexchar "+" 2HEX the octet it names, as mw_xtext_decode gives
 * them, without checking the syntax a third time.
 */
static enum mw_cmd_error
xtext(struct mw_cmd_parser *pr, const unsigned char *s, size_t n,
    struct mw_param *pa)
{
	unsigned char *o = pr->scratch + pr->scratch_used;
	size_t cap = pr->scratch_len - pr->scratch_used, len = 0, i = 0;
	int ctl = 0;

	while (i < n) {
		const unsigned char *h = memchr(s + i, '+', n - i);
		size_t run = h != NULL ? (size_t)(h - s) - i : n - i;
		unsigned char c;

		/* no room: MW_ERR_NOSPACE from mw_xtext_decode */
		if (run > cap - len)
			return MW_CMD_PARAM_SYNTAX;
		memcpy(o + len, s + i, run);	/* xchars: themselves */
		len += run;
		i += run;
		if (h == NULL)
			break;
		c = (unsigned char)(hexval(h[1]) << 4 | hexval(h[2]));
		if (c < 0x20 || c >= 0x7f)
			ctl = 1;
		if (len == cap)
			return MW_CMD_PARAM_SYNTAX;
		o[len++] = c;
		i += 3;
	}
	pa->decoded.off = (uint32_t)pr->scratch_used;
	pa->decoded.len = (uint32_t)len;
	pa->ctl = (uint8_t)ctl;
	pr->scratch_used += len;
	return MW_CMD_OK;
}

/* The value of a parameter its rule accepted, decoded. */
static enum mw_cmd_error
decode(struct mw_cmd_parser *pr, const unsigned char *b, struct mw_param *pa,
    uint32_t acc)
{
	const unsigned char *v = b + pa->value.off;
	size_t n = pa->value.len, i;
	int64_t t;

	switch (pa->kind) {
	case MW_PARAM_SIZE:
	case MW_PARAM_HOLDFOR:
		return number(v, n, &pa->number) ? MW_CMD_OK : MW_CMD_NUMBER;
	case MW_PARAM_BODY:
		if (!(acc & (1u << MW_PARAM_BODY))) {
			/* RFC 3030 3: only with BINARYMIME offered */
			if (!(pr->cfg.extensions & MW_EXT_BINARYMIME))
				return MW_CMD_PARAM_VALUE_NOT_IMPLEMENTED;
			pa->number = MW_BODY_BINARYMIME;
		} else {
			/* body-value "7BIT" / "8BITMIME" (RFC 6152 3) */
			pa->number = v[0] == '7' ? MW_BODY_7BIT :
			    MW_BODY_8BITMIME;
			if (!(pr->cfg.extensions & MW_EXT_8BITMIME) &&
			    pa->number == MW_BODY_8BITMIME)
				return MW_CMD_PARAM_VALUE_NOT_IMPLEMENTED;
		}
		return MW_CMD_OK;
	case MW_PARAM_AUTH:
		return xtext(pr, v, n, pa);
	case MW_PARAM_ENVID:
		/* RFC 3461 4.4, 5.4: "up to 100 characters" */
		if (n > 100)
			return MW_CMD_PARAM_SYNTAX;
		return xtext(pr, v, n, pa);
	case MW_PARAM_RET:
		/* ret-value "FULL" / "HDRS", any case (RFC 3461 4.3) */
		pa->number = (v[0] & ~0x20) == 'F' ? MW_RET_FULL : MW_RET_HDRS;
		return MW_CMD_OK;
	case MW_PARAM_MTPRIORITY:
		t = v[n - 1] - '0';
		pa->number = (uint64_t)(n == 2 ? -t : t);
		return MW_CMD_OK;
	case MW_PARAM_BY:
		/* by-time ";" by-mode ["T"]; RFC 2852 4: 1*9 digits */
		i = v[0] == '-' || v[0] == '+';
		for (t = 0; i < n && v[i] != ';'; i++)
			t = t * 10 + (v[i] - '0');
		pa->number = (uint64_t)(v[0] == '-' ? -t : t);
		pa->mode = (uint8_t)(v[i + 1] & ~0x20);
		pa->trace = i + 2 < n;
		return MW_CMD_OK;
	case MW_PARAM_NOTIFY:
		/* "NEVER", or SUCCESS, FAILURE and DELAY separated by ","
		 * (RFC 3461 4.1, any case): the rule accepted the value, so
		 * each element is the keyword its first letter names */
		pa->number = 0;
		for (i = 0; i < n; i++)		/* i++: the "," */
			switch (v[i] & ~0x20) {
			case 'N':
				pa->number |= MW_NOTIFY_NEVER;
				i += sizeof("NEVER") - 1;
				break;
			case 'S':
				pa->number |= MW_NOTIFY_SUCCESS;
				i += sizeof("SUCCESS") - 1;
				break;
			case 'F':
				pa->number |= MW_NOTIFY_FAILURE;
				i += sizeof("FAILURE") - 1;
				break;
			default:
				pa->number |= MW_NOTIFY_DELAY;
				i += sizeof("DELAY") - 1;
				break;
			}
		return MW_CMD_OK;
	case MW_PARAM_ORCPT:
		/* addr-type ";" xtext; an atom holds no ";" */
		for (i = 0; v[i] != ';'; i++)
			;
		pa->addr_type = span(pa->value.off, pa->value.off + (uint32_t)i);
		return xtext(pr, v + i + 1, n - i - 1, pa);
	case MW_PARAM_HOLDUNTIL:
		pa->date_time = pa->value;
		return MW_CMD_OK;
	case MW_PARAM_RRVS:
		if (!rrvs_value_ok(v, n))
			return MW_CMD_PARAM_SYNTAX;
		for (i = 0; i < n && v[i] != ';'; i++)
			;
		pa->date_time = span(pa->value.off, pa->value.off + (uint32_t)i);
		pa->mode = i < n ? (uint8_t)(v[i + 1] & ~0x20) : 0;
		return MW_CMD_OK;
	default:
		return MW_CMD_OK;
	}
}

/* The index of the lowest bit set in x (x != 0). */
static unsigned
lowest(uint32_t x)
{
#if defined(__GNUC__)
	return (unsigned)__builtin_ctz(x);
#else
	unsigned n = 0;

	while ((x & 1) == 0) {
		x >>= 1;
		n++;
	}
	return n;
#endif
}

/* esmtp-keywords are case-insensitive (RFC 5321 2.4); ASCII only */
static int
same_keyword(const unsigned char *b, const struct mw_span *x,
    const struct mw_span *y)
{
	if (x->len != y->len)
		return 0;
	for (uint32_t i = 0; i < x->len; i++)
		if ((b[x->off + i] | 0x20) != (b[y->off + i] | 0x20))
			return 0;
	return 1;
}

/* RFC 5321 4.1.1.11 and each extension's rules for its parameters. */
static enum mw_cmd_error
check_params(struct mw_cmd_parser *pr, const unsigned char *b)
{
	struct mw_cmd *c = &pr->cmd;
	enum mw_cmd_error e;

	for (unsigned i = 0; i < c->nparams; i++) {
		struct mw_param *pa = &c->params[i];
		const unsigned char *kw = b + pa->keyword.off;
		unsigned k;
		uint32_t acc, any;

		/* RFC 5321 4.1.1.11 and each extension: a parameter once */
		for (unsigned j = 0; j < i; j++)
			if (same_keyword(b, &c->params[j].keyword, &pa->keyword))
				return MW_CMD_PARAM_DUPLICATE;
		/* Each known rule begins with its keyword: the one that
		 * accepts the parameter names it. Only a parameter none
		 * accepts (unknown, or known with a bad value) is looked up. */
		acc = run_param(kw, pa->keyword.len + (pa->has_value ?
		    pa->value.len + 1 : 0), (pr->cfg.extensions & MW_EXT_SMTPUTF8) ?
		    param_en_utf8 : param_en_main);
		any = acc & (1u << BODY_BIN) ? acc | 1u << MW_PARAM_BODY : acc;
		if (any != 0)
			k = lowest(any);
		else
			for (k = MW_PARAM_UNKNOWN + 1; k < MW_PARAM__COUNT; k++)
				if (params[k].len == pa->keyword.len &&
				    ieq(kw, pa->keyword.len, params[k].name))
					break;
		if (k == MW_PARAM__COUNT) {
			pa->kind = MW_PARAM_UNKNOWN;
			if (pr->cfg.strict_params)
				return MW_CMD_PARAM_UNKNOWN;
			continue;
		}
		pa->kind = params[k].kind;
		if (!(pr->cfg.extensions & params[k].ext))
			return MW_CMD_PARAM_UNKNOWN;
		if (params[k].verb != c->verb)
			return MW_CMD_PARAM_WRONG_VERB;
		if (!(acc & (1u << pa->kind)) && !(pa->kind == MW_PARAM_BODY &&
		    (acc & (1u << BODY_BIN))))
			return MW_CMD_PARAM_SYNTAX;
		if ((e = decode(pr, b, pa, acc)) != MW_CMD_OK)
			return e;
	}
	return MW_CMD_OK;
}

/* RFC 2033 4.1: LMTP has LHLO where SMTP has HELO and EHLO ("not
 * present in LMTP", 500 recommended). The grammar has all three verbs;
 * which a server takes is its mode. */
static enum mw_cmd_error
mode(const struct mw_cmd_parser *pr, enum mw_verb v)
{
	if (pr->cfg.lmtp)
		return v == MW_VERB_EHLO || v == MW_VERB_HELO ?
		    MW_CMD_NOT_LMTP : MW_CMD_OK;
	return v == MW_VERB_LHLO ? MW_CMD_UNRECOGNIZED : MW_CMD_OK;
}

#define WORD4(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
				 (uint32_t)(c) << 8 | (uint32_t)(d))

/* The verb of a refused line whose verb the grammar knows (command-verb),
 * among those mode() tells apart (mode() says which of them this mode
 * refuses). A command-verb is letters, so its first four octets with 0x20
 * set are the lower-case verb: one compare of a word with each. */
static enum mw_verb
hello_verb(const unsigned char *b)
{
	uint32_t w = WORD4(b[0], b[1], b[2], b[3]) | 0x20202020u;

	return w == WORD4('e', 'h', 'l', 'o') ? MW_VERB_EHLO :
	    w == WORD4('h', 'e', 'l', 'o') ? MW_VERB_HELO :
	    w == WORD4('l', 'h', 'l', 'o') ? MW_VERB_LHLO : MW_VERB_NONE;
}

/* RFC 5321 4.1.3 and 4.5.3.1.1-2: an address literal and the lengths of
 * the local part and domain (zero for a command that has none). */
static enum mw_cmd_error
address(struct mw_cmd_parser *pr, uint32_t f)
{
	struct mw_cmd *c = &pr->cmd;

	if (c->literal != MW_LITERAL_NONE) {
		if (f & F_IPV6)
			c->literal = MW_LITERAL_IPV6;
		else if (f & F_IPV4)
			c->literal = MW_LITERAL_IPV4;
		/* RFC 5321 4.1.3 */
		if ((f & F_BAD_SNUM) || ((f & F_IPV6) && (f & F_BAD_IPV6)) ||
		    (!(f & F_IPV6) && (f & F_TAG_IPV6)))
			return MW_CMD_BAD_LITERAL;
	}
	/* RFC 5321 4.5.3.1.1-3 */
	if (c->local.len > pr->cfg.max_local)
		return MW_CMD_LOCAL_TOO_LONG;
	if (c->domain.len > pr->cfg.max_domain)
		return MW_CMD_DOMAIN_TOO_LONG;
	return MW_CMD_OK;
}

/*
 * The checks RFC 5321 states in prose, on a command that matched. One
 * dispatch on the verb: each check is made for the verbs whose rules
 * capture what it reads (the other verbs' rules leave it zero: DATA,
 * RSET, QUIT and STARTTLS capture nothing, HELP and NOOP a String).
 */
static enum mw_cmd_error
check(struct mw_cmd_parser *pr, const unsigned char *b)
{
	struct mw_cmd *c = &pr->cmd;
	uint32_t f = pr->flags;
	enum mw_cmd_error e;

	if (c->error != MW_CMD_OK)
		return c->error;
	switch (c->verb) {
	case MW_VERB_EHLO:
	case MW_VERB_HELO:
	case MW_VERB_LHLO:
		if ((e = mode(pr, c->verb)) != MW_CMD_OK)
			return e;
		return address(pr, f);
	case MW_VERB_ETRN:
		if (b[c->arg.off] == '@' || b[c->arg.off] == '#')
			c->etrn_option = b[c->arg.off];	/* RFC 1985 5 */
		return address(pr, f);
	case MW_VERB_VRFY:
	case MW_VERB_EXPN:
		c->smtputf8_arg = c->arg.off + c->arg.len + 2 < c->line.len;
		return MW_CMD_OK;
	case MW_VERB_MAIL:
	case MW_VERB_RCPT:
		break;
	default:
		return MW_CMD_OK;
	}
	if (f & F_TOO_MANY)
		return MW_CMD_PARAM_TOO_MANY;
	if ((e = address(pr, f)) != MW_CMD_OK)
		return e;
	if (c->verb == MW_VERB_RCPT && c->mailbox.len == 0) {
		/* RFC 5321 4.1.1.3: "<Postmaster>", the one path without a
		 * domain ("<Postmaster@" Domain ">" is also a Forward-path) */
		const unsigned char *lt = memchr(b, '<', c->line.len);

		c->postmaster = 1;
		c->mailbox = span((uint32_t)(lt - b) + 1, (uint32_t)(lt - b) + 11);
		c->local = c->mailbox;
	}
	if ((e = check_params(pr, b)) != MW_CMD_OK)
		return e;
	/* RFC 6531 3.4: a UTF-8 reverse path needs the SMTPUTF8 parameter */
	if (c->verb == MW_VERB_MAIL && c->utf8) {
		unsigned i;

		for (i = 0; i < c->nparams; i++)
			if (c->params[i].kind == MW_PARAM_SMTPUTF8)
				break;
		if (i == c->nparams)
			return MW_CMD_NON_ASCII_ADDRESS;
	}
	return MW_CMD_OK;
}

/* Why a line that no command rule accepts is refused; at is where the
 * machine stopped (c the byte there). */
static enum mw_cmd_error
refusal(const struct mw_cmd_parser *pr, const unsigned char *b, uint32_t at)
{
	unsigned char c = b[at];
	enum mw_cmd_error e;

	if (c == 0)
		return MW_CMD_NUL;
	/* RFC 5321 2.3.8: CR and LF only as CRLF */
	if (c == '\n' && (at == 0 || b[at - 1] != '\r'))
		return MW_CMD_BARE_LF;
	if (c != '\n' && at > 0 && b[at - 1] == '\r')
		return MW_CMD_BARE_CR;
	/* RFC 6531 3.5: without SMTPUTF8 offered, a non-ASCII address is a
	 * 553; with it, a byte the UTF-8 rules refuse is plain bad syntax */
	if (c >= 0x80 && (pr->flags & F_PATH) &&
	    !(pr->cfg.extensions & MW_EXT_SMTPUTF8))
		return MW_CMD_NON_ASCII_ADDRESS;
	if (!(pr->flags & F_KNOWN_VERB))
		return MW_CMD_UNRECOGNIZED;
	e = mode(pr, hello_verb(b));
	return e != MW_CMD_OK ? e : MW_CMD_SYNTAX;
}

static void
start_line(struct mw_cmd_parser *pr)
{
	/* parameter slots are cleared as they are used */
	memcpy(&pr->cmd, &zero_cmd, offsetof(struct mw_cmd, params));
	pr->cs = (pr->cfg.extensions & MW_EXT_SMTPUTF8) ? command_en_utf8 :
	    command_en_main;
	pr->pos = 0;
	pr->flags = 0;
	pr->discarding = 0;
	pr->limit = pr->cfg.max_line;
	pr->scratch_used = 0;
}

void
mw_cmd_config_init(struct mw_cmd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->extensions = MW_EXT_ALL;
	cfg->max_line = 512;		/* RFC 5321 4.5.3.1.4 */
	/* MAIL: SIZE 26 (RFC 1870 5), AUTH 500 (RFC 4954 3), " RET=" and 8,
	 * " ENVID=" and 100 (RFC 3461 5.4), SMTPUTF8 10 (RFC 6531 3.1),
	 * REQUIRETLS 11 (RFC 8689 2) */
	cfg->max_mail_line = 512 + 26 + 500 + 13 + 107 + 10 + 11;
	/* RCPT: " NOTIFY=" and 28, " ORCPT=" and 500 (RFC 3461 5.4) */
	cfg->max_rcpt_line = 512 + 36 + 507;
	cfg->max_local = 64;		/* RFC 5321 4.5.3.1.1 */
	cfg->max_domain = 255;		/* 4.5.3.1.2 */
	cfg->max_path = 256;		/* 4.5.3.1.3 */
}

mw_err
mw_cmd_init(struct mw_cmd_parser *p, const struct mw_cmd_config *cfg,
    unsigned char *scratch, size_t scratch_len)
{
	uint32_t most;

	if (p == NULL || cfg == NULL || scratch == NULL)
		return MW_ERR_INVAL;
	most = cfg->max_line;
	if (cfg->max_mail_line > most)
		most = cfg->max_mail_line;
	if (cfg->max_rcpt_line > most)
		most = cfg->max_rcpt_line;
	if (cfg->max_line < 8 || most > 65535 || scratch_len < most)
		return MW_ERR_INVAL;
	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	p->scratch = scratch;
	p->scratch_len = scratch_len;
	start_line(p);
	return MW_ERR_OK;
}

void
mw_cmd_reset(struct mw_cmd_parser *p)
{
	start_line(p);
}

/* Skips to the end of a refused line: LF, or CRLF (a bare LF ends a line
 * too, so a client that sends only LF gets its reply). */
static mw_err
discard(struct mw_cmd_parser *pr, const unsigned char *buf, size_t len,
    size_t *used, struct mw_cmd *out)
{
	const unsigned char *s = buf + pr->pos;
	/* A line refused for what it lacks (a verb without its argument, a
	 * path not closed) stops at its CR or LF: no memchr for that LF
	 * (invalid lines in bench_command 5% faster, docs/PERFORMANCE.md). */
	const unsigned char *lf = len - pr->pos >= 2 && s[s[0] == '\r'] == '\n' ?
	    s + (s[0] == '\r') : memchr(s, '\n', len - pr->pos);
	enum mw_cmd_error e = pr->cmd.error;

	if (lf == NULL) {
		*used = len;		/* the caller may drop what is scanned */
		pr->pos = 0;
		return MW_ERR_AGAIN;
	}
	*used = (size_t)(lf - buf) + 1;
	memcpy(out, &zero_cmd, offsetof(struct mw_cmd, params));	/* nothing kept */
	out->error = e;
	start_line(pr);
	return MW_ERR_OK;
}

mw_err
mw_cmd_parse(struct mw_cmd_parser *pr, const unsigned char *buf, size_t len,
    size_t *used, struct mw_cmd *out)
{
	if (pr == NULL || buf == NULL || used == NULL || out == NULL)
		return MW_ERR_INVAL;
	*used = 0;
	if (pr->discarding)
		return discard(pr, buf, len, used, out);
	pr->scan = buf;
	for (;;) {
		size_t stop = len < pr->limit ? len : pr->limit;

		if (pr->pos >= stop) {
			if (pr->pos < pr->limit)
				return MW_ERR_AGAIN;
			/* RFC 5321 4.5.3.1.4: "500 Line too long"; skip the rest,
			 * never taking it for the next command */
			pr->cmd.error = MW_CMD_LINE_TOO_LONG;
			pr->discarding = 1;
			return discard(pr, buf, len, used, out);
		}
		pr->pos = (uint32_t)(run_line(pr, buf + pr->pos, buf + stop) - buf);
		if (pr->flags & F_DONE) {
			uint32_t end = pr->pos - 1;	/* the LF */

			if (end > 0 && buf[end - 1] == '\r')
				end--;
			pr->cmd.line = span(0, end);
			pr->cmd.error = check(pr, buf);
			*used = pr->pos;
			memcpy(out, &pr->cmd, offsetof(struct mw_cmd, params));
			if (pr->cmd.nparams != 0)
				memcpy(out->params, pr->cmd.params,
				    pr->cmd.nparams * sizeof(pr->cmd.params[0]));
			start_line(pr);
			return MW_ERR_OK;
		}
		if (pr->cs == command_error) {
			pr->cmd.error = refusal(pr, buf, pr->pos);
			pr->discarding = 1;
			return discard(pr, buf, len, used, out);
		}
	}
}

static const struct {
	const char	*name;
	int		 code;
	const char	*esc;
	const char	*text;
} cmd_errors[] = {
#define MW__CMD_ERR_ROW(name, code, esc, text)				\
	{ "MW_CMD_" #name, code, esc, text },
	MW_CMD_ERRORS(MW__CMD_ERR_ROW)
#undef MW__CMD_ERR_ROW
};

const char *
mw_cmd_error_name(enum mw_cmd_error e)
{
	return (unsigned)e < MW_CMD__COUNT ? cmd_errors[e].name : "MW_CMD_UNKNOWN";
}

void
mw_cmd_reply(enum mw_cmd_error e, enum mw_verb verb, int *code,
    const char **esc, const char **text)
{
	if ((unsigned)e >= MW_CMD__COUNT)
		e = MW_CMD_SYNTAX;
	*code = cmd_errors[e].code;
	*esc = cmd_errors[e].esc;
	*text = cmd_errors[e].text;
	/* RFC 3463 3.2: X.1.7 is the sender's address, X.1.3 the recipient's */
	if (verb == MW_VERB_MAIL && strcmp(*esc, "5.1.3") == 0)
		*esc = "5.1.7";
}

static const char *const verbs[] = {
	"", "EHLO", "HELO", "MAIL", "RCPT", "DATA", "RSET", "VRFY", "EXPN",
	"HELP", "NOOP", "QUIT", "STARTTLS", "AUTH", "BDAT", "LHLO", "ETRN"
};
_Static_assert(sizeof(verbs) / sizeof(verbs[0]) == MW_VERB__COUNT,
    "verbs[] and enum mw_verb differ");

const char *
mw_verb_name(enum mw_verb v)
{
	return (unsigned)v < MW_VERB__COUNT ? verbs[v] : "";
}
