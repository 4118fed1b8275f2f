/*
 * tests/test_command.c: the command parser. Every case file given on the
 * command line (the .in files of tests/cases/command) is parsed under three
 * configurations (strict, SMTPUTF8 offered, every leniency on) whole, byte
 * by byte, split at every offset and in random chunks: the results must be
 * identical. Then each limit of RFC 5321 4.5.3.1 at n-1, n and n+1, the
 * skipping of overlong lines, and the API's edge cases.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/command.h>

#include "check.h"

#define MAXCMDS 256

static unsigned char scratch[1 << 16];

struct run {
	struct mw_cmd	cmd[MAXCMDS];
	size_t		n;
	size_t		maxbuf;		/* most the caller had to keep */
	int		bad;		/* an API misuse was reported */
};

/* Feeds in[0..n) in chunks ending at cuts[], as a caller would: append,
 * parse while complete, drop what the parser says. */
static void
feed(const struct mw_cmd_config *cfg, const unsigned char *in, size_t n,
    const size_t *cuts, size_t ncuts, struct run *r)
{
	static unsigned char buf[1 << 16];
	struct mw_cmd_parser p;
	size_t len = 0, at = 0, used;

	memset(r, 0, sizeof(*r));
	if (mw_cmd_init(&p, cfg, scratch, sizeof(scratch)) != MW_ERR_OK) {
		r->bad = 1;
		return;
	}
	for (size_t c = 0; c <= ncuts; c++) {
		size_t end = c < ncuts ? cuts[c] : n;

		memcpy(buf + len, in + at, end - at);
		len += end - at;
		at = end;
		if (len > r->maxbuf)
			r->maxbuf = len;
		for (;;) {
			struct mw_cmd cmd;
			mw_err e = mw_cmd_parse(&p, buf, len, &used, &cmd);

			if (used > len) {
				r->bad = 1;
				return;
			}
			memmove(buf, buf + used, len - used);
			len -= used;
			if (e != MW_ERR_OK)
				break;
			if (r->n < MAXCMDS)
				r->cmd[r->n++] = cmd;
		}
	}
}

/* The filled part of a result: before the parameters, and those used. */
static int
same_cmd(const struct mw_cmd *a, const struct mw_cmd *b)
{
	return memcmp(a, b, offsetof(struct mw_cmd, params)) == 0 &&
	    memcmp(a->params, b->params, a->nparams * sizeof(a->params[0])) == 0;
}

static int
same(const struct run *a, const struct run *b)
{
	if (a->bad || b->bad || a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (!same_cmd(&a->cmd[i], &b->cmd[i]))
			return 0;
	return 1;
}

static unsigned char *
slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *b = malloc(1 << 16);

	*n = fp ? fread(b, 1, 1 << 16, fp) : 0;
	if (fp)
		fclose(fp);
	return b;
}

static void
splits(const char *name, const unsigned char *in, size_t n,
    const struct mw_cmd_config *cfg, const char *cfgname)
{
	static struct run whole, other;
	static size_t cuts[1 << 16];
	int ok = 1;
	uint64_t rng = 0x9E3779B97F4A7C15ULL ^ n;

	feed(cfg, in, n, NULL, 0, &whole);
	for (size_t i = 0; i + 1 < n; i++)
		cuts[i] = i + 1;
	feed(cfg, in, n, cuts, n ? n - 1 : 0, &other);
	CHECK(same(&whole, &other), "%s (%s): byte by byte = whole (%zu commands)",
	    name, cfgname, whole.n);
	for (size_t k = 1; k < n && ok; k++) {
		cuts[0] = k;
		feed(cfg, in, n, cuts, 1, &other);
		ok = same(&whole, &other);
		if (!ok)
			printf("# %s (%s): split at %zu differs\n", name, cfgname, k);
	}
	CHECK(ok, "%s (%s): split at each of %zu offsets = whole", name, cfgname,
	    n);
	for (int round = 0; round < 20 && ok; round++) {
		size_t nc = 0, at = 0;

		while (at < n) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			at += 1 + rng % 64;
			if (at < n)
				cuts[nc++] = at;
		}
		feed(cfg, in, n, cuts, nc, &other);
		ok = same(&whole, &other);
	}
	CHECK(ok, "%s (%s): 20 random 1-64 byte chunkings = whole", name, cfgname);
}

static struct mw_cmd
one(const struct mw_cmd_config *cfg, const char *line)
{
	static struct run r;

	feed(cfg, (const unsigned char *)line, strlen(line), NULL, 0, &r);
	if (r.n != 1) {
		struct mw_cmd none;

		memset(&none, 0, sizeof(none));
		none.error = MW_CMD__COUNT;
		return none;
	}
	return r.cmd[0];
}

/* A line of exactly total octets, CRLF included: prefix, then filler. */
static char *
line_of(char *buf, const char *prefix, size_t total, char fill)
{
	size_t n = strlen(prefix);

	memcpy(buf, prefix, n);
	memset(buf + n, fill, total - 2 - n);
	memcpy(buf + total - 2, "\r\n", 3);
	return buf;
}

static void
limits(void)
{
	static char b[4096], local[300], dom[300];
	struct mw_cmd_config cfg;
	struct mw_cmd c;

	mw_cmd_config_init(&cfg);
	for (size_t t = cfg.max_line - 1; t <= cfg.max_line + 1; t++) {
		c = one(&cfg, line_of(b, "NOOP ", t, 'x'));
		CHECK(c.error == (t <= cfg.max_line ? MW_CMD_OK :
		    MW_CMD_LINE_TOO_LONG), "NOOP line of %zu octets (limit %u): %s",
		    t, cfg.max_line, mw_cmd_error_name(c.error));
	}
	for (size_t t = cfg.max_mail_line - 1; t <= cfg.max_mail_line + 1; t++) {
		c = one(&cfg, line_of(b, "MAIL FROM:<a@b> X-LONG=", t, 'v'));
		CHECK(c.error == (t <= cfg.max_mail_line ? MW_CMD_OK :
		    MW_CMD_LINE_TOO_LONG), "MAIL line of %zu octets (limit %u): %s",
		    t, cfg.max_mail_line, mw_cmd_error_name(c.error));
	}
	for (size_t t = cfg.max_rcpt_line - 1; t <= cfg.max_rcpt_line + 1; t++) {
		c = one(&cfg, line_of(b, "RCPT TO:<a@b> X-LONG=", t, 'v'));
		CHECK(c.error == (t <= cfg.max_rcpt_line ? MW_CMD_OK :
		    MW_CMD_LINE_TOO_LONG), "RCPT line of %zu octets (limit %u): %s",
		    t, cfg.max_rcpt_line, mw_cmd_error_name(c.error));
	}
	c = one(&cfg, line_of(b, "HELO ", cfg.max_line + 1, 'x'));
	CHECK(c.error == MW_CMD_LINE_TOO_LONG, "HELO gets no MAIL allowance");
	/* ETRN (RFC 1985) and LHLO (RFC 2033) lines: 512 like any command */
	for (size_t t = cfg.max_line - 1; t <= cfg.max_line + 1; t++) {
		c = one(&cfg, line_of(b, "ETRN #", t, 'q'));
		CHECK(c.error == (t <= cfg.max_line ? MW_CMD_OK :
		    MW_CMD_LINE_TOO_LONG) && (c.error != MW_CMD_OK ||
		    (c.verb == MW_VERB_ETRN && c.etrn_option == '#' &&
		    c.arg.len == t - 7)), "ETRN line of %zu octets (limit %u): %s",
		    t, cfg.max_line, mw_cmd_error_name(c.error));
	}
	cfg.lmtp = 1;
	c = one(&cfg, line_of(b, "LHLO ", cfg.max_line + 1, 'x'));
	CHECK(c.error == MW_CMD_LINE_TOO_LONG, "LHLO gets no MAIL allowance");
	cfg.lmtp = 0;
	for (size_t k = cfg.max_local - 1; k <= cfg.max_local + 1; k++) {
		memset(local, 'l', k);
		local[k] = '\0';
		snprintf(b, sizeof(b), "RCPT TO:<%s@b>\r\n", local);
		c = one(&cfg, b);
		CHECK(c.error == (k <= cfg.max_local ? MW_CMD_OK :
		    MW_CMD_LOCAL_TOO_LONG), "local part of %zu: %s", k,
		    mw_cmd_error_name(c.error));
	}
	for (size_t k = cfg.max_domain - 1; k <= cfg.max_domain + 1; k++) {
		/* EHLO, ETRN (RFC 1985) and LHLO (RFC 2033, LMTP) */
		static const struct { const char *verb; int lmtp; } d[] = {
			{ "EHLO ", 0 }, { "ETRN @", 0 }, { "LHLO ", 1 } };

		memset(dom, 'd', k);
		dom[k] = '\0';
		for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
			cfg.lmtp = d[i].lmtp;
			snprintf(b, sizeof(b), "%s%s\r\n", d[i].verb, dom);
			c = one(&cfg, b);
			CHECK(c.error == (k <= cfg.max_domain ? MW_CMD_OK :
			    MW_CMD_DOMAIN_TOO_LONG), "%.4s domain of %zu: %s",
			    d[i].verb, k, mw_cmd_error_name(c.error));
		}
		cfg.lmtp = 0;
	}
	/* the path with its brackets: "<" local "@" domain ">" */
	for (size_t k = cfg.max_path - 1; k <= cfg.max_path + 1; k++) {
		memset(local, 'l', 60);
		local[60] = '\0';
		memset(dom, 'd', k - 63);
		dom[k - 63] = '\0';
		snprintf(b, sizeof(b), "MAIL FROM:<%s@%s>\r\n", local, dom);
		c = one(&cfg, b);
		CHECK(c.error == (k <= cfg.max_path ? MW_CMD_OK :
		    MW_CMD_PATH_TOO_LONG), "path of %zu: %s", k,
		    mw_cmd_error_name(c.error));
	}
	for (size_t k = 99; k <= 101; k++) {
		memset(local, 'e', k);
		local[k] = '\0';
		snprintf(b, sizeof(b), "MAIL FROM:<a@b> ENVID=%s\r\n", local);
		c = one(&cfg, b);
		CHECK(c.error == (k <= 100 ? MW_CMD_OK : MW_CMD_PARAM_SYNTAX),
		    "ENVID of %zu (RFC 3461 4.4): %s", k, mw_cmd_error_name(c.error));
	}
	for (int k = MW_CMD_MAX_PARAMS - 1; k <= MW_CMD_MAX_PARAMS + 1; k++) {
		size_t n = (size_t)snprintf(b, sizeof(b), "MAIL FROM:<a@b>");

		for (int i = 0; i < k; i++)
			n += (size_t)snprintf(b + n, sizeof(b) - n, " X%d=1", i);
		snprintf(b + n, sizeof(b) - n, "\r\n");
		c = one(&cfg, b);
		CHECK(c.error == (k <= MW_CMD_MAX_PARAMS ? MW_CMD_OK :
		    MW_CMD_PARAM_TOO_MANY) && (k > MW_CMD_MAX_PARAMS ||
		    c.nparams == (unsigned)k), "%d parameters: %s", k,
		    mw_cmd_error_name(c.error));
	}
	c = one(&cfg, "MAIL FROM:<a@b> SIZE=18446744073709551615\r\n");
	CHECK(c.error == MW_CMD_OK && c.params[0].number == UINT64_MAX,
	    "SIZE=2^64-1 decodes");
	c = one(&cfg, "MAIL FROM:<a@b> SIZE=18446744073709551616\r\n");
	CHECK(c.error == MW_CMD_NUMBER, "SIZE=2^64 overflows: 501");
	c = one(&cfg, "BDAT 18446744073709551616\r\n");
	CHECK(c.error == MW_CMD_NUMBER, "BDAT 2^64 overflows: 501");
	c = one(&cfg, "MAIL FROM:<a@b> BY=-999999999;RT\r\n");
	CHECK(c.error == MW_CMD_OK && (int64_t)c.params[0].number == -999999999 &&
	    c.params[0].mode == 'R' && c.params[0].trace, "BY decodes time, mode, trace");
	c = one(&cfg, "MAIL FROM:<a@b> MT-PRIORITY=-4\r\n");
	CHECK(c.error == MW_CMD_OK && (int64_t)c.params[0].number == -4,
	    "MT-PRIORITY=-4 decodes");
	c = one(&cfg, "RCPT TO:<a@b> NOTIFY=FAILURE,DELAY\r\n");
	CHECK(c.error == MW_CMD_OK && c.params[0].number == (MW_NOTIFY_FAILURE |
	    MW_NOTIFY_DELAY), "NOTIFY decodes to flags");
	c = one(&cfg, "MAIL FROM:<a@b> AUTH=a+0Ab\r\n");
	CHECK(c.error == MW_CMD_OK && c.params[0].ctl && c.params[0].decoded.len
	    == 3 && scratch[c.params[0].decoded.off + 1] == '\n',
	    "a decoded control character is reported");
	cfg.extensions &= ~MW_EXT_BINARYMIME;
	c = one(&cfg, "MAIL FROM:<a@b> BODY=BINARYMIME\r\n");
	CHECK(c.error == MW_CMD_PARAM_VALUE_NOT_IMPLEMENTED,
	    "BODY=BINARYMIME without BINARYMIME offered: 504");
	cfg.extensions &= ~MW_EXT_DSN;
	c = one(&cfg, "RCPT TO:<a@b> NOTIFY=NEVER\r\n");
	CHECK(c.error == MW_CMD_PARAM_UNKNOWN, "NOTIFY without DSN offered: 555");
	mw_cmd_config_init(&cfg);
	c = one(&cfg, "MAIL FROM:<a@b> X-MINE=1 Y\r\n");
	CHECK(c.error == MW_CMD_OK && c.nparams == 2 &&
	    c.params[0].kind == MW_PARAM_UNKNOWN && c.params[1].has_value == 0,
	    "unknown parameters come back as generic ones");
	cfg.strict_params = 1;
	c = one(&cfg, "MAIL FROM:<a@b> X-MINE=1\r\n");
	CHECK(c.error == MW_CMD_PARAM_UNKNOWN, "strict: unknown parameter is 555");
}

/* An overlong line is skipped with bounded buffer and never runs into the
 * next command. */
static void
overlong(void)
{
	static unsigned char in[8192];
	static struct run r;
	static size_t cuts[8192];
	struct mw_cmd_config cfg;
	size_t n = 0, nc = 0;

	mw_cmd_config_init(&cfg);
	memcpy(in, "NOOP ", 5);
	n = 5;
	for (; n < 5000; n++)
		in[n] = 'x';	/* one Atom: only the limit stops it */
	/* a command-looking tail right where the limit cuts the line */
	memcpy(in + 510, "MAIL FROM:<evil@example.com> ", 29);
	memcpy(in + n, "\r\nRSET\r\n", 8);
	n += 8;
	for (size_t at = 100; at < n; at += 100)
		cuts[nc++] = at;
	feed(&cfg, in, n, cuts, nc, &r);
	CHECK(r.n == 2 && r.cmd[0].error == MW_CMD_LINE_TOO_LONG &&
	    r.cmd[1].verb == MW_VERB_RSET && r.cmd[1].error == MW_CMD_OK,
	    "a 5 KB line is one LINE_TOO_LONG, then RSET (%zu results)", r.n);
	CHECK(r.maxbuf <= cfg.max_line + 100, "the caller kept at most %zu bytes",
	    r.maxbuf);
}

static void
api(void)
{
	static unsigned char small[16];
	struct mw_cmd_config cfg;
	struct mw_cmd_parser p;
	struct mw_cmd c;
	size_t used;

	mw_cmd_config_init(&cfg);
	CHECK(mw_cmd_init(&p, &cfg, small, sizeof(small)) == MW_ERR_INVAL,
	    "a scratch area under the MAIL limit is refused");
	CHECK(mw_cmd_init(NULL, &cfg, scratch, sizeof(scratch)) == MW_ERR_INVAL &&
	    mw_cmd_init(&p, NULL, scratch, sizeof(scratch)) == MW_ERR_INVAL,
	    "NULL is INVAL");
	cfg.max_line = 4;
	CHECK(mw_cmd_init(&p, &cfg, scratch, sizeof(scratch)) == MW_ERR_INVAL,
	    "a line limit under 8 is refused");
	mw_cmd_config_init(&cfg);
	mw_cmd_init(&p, &cfg, scratch, sizeof(scratch));
	CHECK(mw_cmd_parse(&p, (const unsigned char *)"MAIL FROM:<a", 12, &used,
	    &c) == MW_ERR_AGAIN && used == 0, "a partial line is AGAIN");
	mw_cmd_reset(&p);
	CHECK(mw_cmd_parse(&p, (const unsigned char *)"QUIT\r\n", 6, &used, &c)
	    == MW_ERR_OK && used == 6 && c.verb == MW_VERB_QUIT,
	    "after mw_cmd_reset a new line starts (RFC 3207 4.2)");
	CHECK(mw_cmd_parse(NULL, (const unsigned char *)"", 0, &used, &c) ==
	    MW_ERR_INVAL, "parse NULL is INVAL");
	CHECK(strcmp(mw_verb_name(MW_VERB_LHLO), "LHLO") == 0 &&
	    strcmp(mw_verb_name(MW_VERB_ETRN), "ETRN") == 0 &&
	    strcmp(mw_verb_name(MW_VERB_STARTTLS), "STARTTLS") == 0 &&
	    strcmp(mw_verb_name(MW_VERB__COUNT), "") == 0, "verb names");
	CHECK(strcmp(mw_param_name(MW_PARAM_MTPRIORITY), "MT-PRIORITY") == 0,
	    "parameter names");
	for (int e = 0; e < MW_CMD__COUNT; e++) {
		int code;
		const char *esc, *text;

		mw_cmd_reply((enum mw_cmd_error)e, MW_VERB_RCPT, &code, &esc, &text);
		if (!(code >= 250 && code < 600 && esc[0] == '0' + code / 100 &&
		    text[0] != '\0' && strncmp(mw_cmd_error_name(
		    (enum mw_cmd_error)e), "MW_CMD_", 7) == 0))
			CHECK(0, "error %d has a reply of its class", e);
	}
	{
		int code;
		const char *esc, *text;

		mw_cmd_reply(MW_CMD_LOCAL_TOO_LONG, MW_VERB_MAIL, &code, &esc, &text);
		CHECK(strcmp(esc, "5.1.7") == 0, "a bad sender address is 5.1.7");
	}
}

int
main(int argc, char **argv)
{
	struct mw_cmd_config strict, utf8, lenient, lmtp;

	mw_cmd_config_init(&strict);
	strict.extensions &= ~MW_EXT_SMTPUTF8;
	mw_cmd_config_init(&utf8);
	mw_cmd_config_init(&lenient);
	lenient.lenient = MW_LENIENT_BARE_LF | MW_LENIENT_SPACE_AFTER_COLON |
	    MW_LENIENT_NO_BRACKETS;
	lmtp = strict;
	lmtp.lmtp = 1;		/* RFC 2033 */
	for (int i = 1; i < argc; i++) {
		size_t n;
		unsigned char *in = slurp(argv[i], &n);
		const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 :
		    argv[i];

		CHECK(n > 0, "case %s read", name);
		splits(name, in, n, &strict, "strict");
		splits(name, in, n, &utf8, "smtputf8");
		splits(name, in, n, &lenient, "lenient");
		splits(name, in, n, &lmtp, "lmtp");
		free(in);
	}
	limits();
	overlong();
	api();
	return check_done();
}
