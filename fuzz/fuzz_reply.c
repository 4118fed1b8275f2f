/*
 * fuzz/fuzz_reply.c: the reply parser on arbitrary bytes, in every mode,
 * strict and lenient. Properties, not only crashes:
 *  - whole, byte by byte, and split in two (the second part in a moved
 *    buffer) give the same outcome;
 *  - what the generated grammar alone accepts (the acceptors of `mwgen
 *    acceptor`: Reply-line, Greeting, ehlo-ok-rsp), with one code on every
 *    line, no NUL and within the bounds, parses, whole; whatever parses,
 *    the grammar accepts: so every sentence of the corpus (seeded with
 *    `mwgen sentences`) parses, or is rejected for its codes alone;
 *  - every span of a result lies inside the reply;
 *  - a reply with its CRLFs made LFs reads the same with the bare-lf
 *    leniency.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/reply.h>

#include "accept.h"
#include "captures.h"

#define MAX_INPUT	40000

static int (*acc_reply)(const unsigned char *, size_t);
static int (*acc_greeting)(const unsigned char *, size_t);
static int (*acc_ehlo)(const unsigned char *, size_t);

static void
find_acceptors(void)
{
	const struct mwg_acceptor *a;

	for (a = mwg_acceptors; a->rule != NULL; a++) {
		if (a->profile != NULL)
			continue;
		if (strcmp(a->rule, "Reply-line") == 0)
			acc_reply = a->accept;
		else if (strcmp(a->rule, "Greeting") == 0)
			acc_greeting = a->accept;
		else if (strcmp(a->rule, "ehlo-ok-rsp") == 0)
			acc_ehlo = a->accept;
	}
	if (acc_reply == NULL || acc_greeting == NULL || acc_ehlo == NULL)
		abort();
}

/* An outcome, field by field (struct copies would carry padding). */
struct outcome {
	mw_err			err;
	enum mw_reply_cause	cause;
	uint32_t		err_off;
	size_t			used;
	const struct mw_reply	*reply;		/* valid if err is OK */
	struct mw_reply_parser	rp;
};

static void
keep(struct outcome *o, const struct mw_reply_parser *rp, mw_err err,
    size_t used)
{
	o->err = err;
	o->used = used;
	o->cause = err == MW_ERR_OK ? MW_REPLY_E_NONE : rp->cause;
	o->err_off = err == MW_ERR_OK ? 0 : rp->err_off;
	o->rp = *rp;
	o->reply = &o->rp.reply;
}

static int
same_span(struct mw_span a, struct mw_span b)
{
	return a.off == b.off && a.len == b.len;
}

static void
same(const struct outcome *x, const struct outcome *y)
{
	const struct mw_reply *a = x->reply, *b = y->reply;

	if (x->err != y->err || x->cause != y->cause ||
	    x->err_off != y->err_off || x->used != y->used)
		abort();
	if (x->err != MW_ERR_OK)
		return;
	if (a->code != b->code || a->nlines != b->nlines || a->len != b->len ||
	    a->warnings != b->warnings || a->has_esc != b->has_esc ||
	    a->has_ehlo != b->has_ehlo)
		abort();
	if (a->has_esc && (a->esc.klass != b->esc.klass ||
	    a->esc.subject != b->esc.subject || a->esc.detail != b->esc.detail))
		abort();
	for (unsigned i = 0; i < a->nlines; i++) {
		const struct mw_reply_line *l = &a->lines[i], *m = &b->lines[i];

		if (!same_span(l->text, m->text) ||
		    !same_span(l->keyword, m->keyword) ||
		    !same_span(l->params, m->params) || l->cap != m->cap ||
		    l->auth_old != m->auth_old)
			abort();
	}
	if (!a->has_ehlo)
		return;
	if (a->ehlo.caps != b->ehlo.caps || a->ehlo.auth != b->ehlo.auth ||
	    a->ehlo.size != b->ehlo.size ||
	    a->ehlo.mailmax != b->ehlo.mailmax ||
	    a->ehlo.rcptmax != b->ehlo.rcptmax ||
	    a->ehlo.rcptdomainmax != b->ehlo.rcptdomainmax ||
	    a->ehlo.auth_old != b->ehlo.auth_old ||
	    a->ehlo.nunknown != b->ehlo.nunknown ||
	    memcmp(a->ehlo.line, b->ehlo.line, sizeof(a->ehlo.line)) != 0 ||
	    memcmp(a->ehlo.unknown, b->ehlo.unknown, a->ehlo.nunknown) != 0)
		abort();
}

static int
inside(struct mw_span s, size_t used)
{
	return s.off <= used && s.len <= used - s.off;
}

/* Spans inside the reply, indices inside the lines. */
static void
sane(const struct outcome *o)
{
	const struct mw_reply *r = o->reply;

	if (o->err != MW_ERR_OK)
		return;
	if (r->nlines == 0 || r->nlines > MW_REPLY_LINES || r->len != o->used ||
	    r->code < 200 || r->code > 559)
		abort();
	for (unsigned i = 0; i < r->nlines; i++) {
		const struct mw_reply_line *l = &r->lines[i];

		if (!inside(l->text, o->used) || !inside(l->keyword, o->used) ||
		    !inside(l->params, o->used))
			abort();
		if (l->cap != MW_CAP_NONE && (l->keyword.off < l->text.off ||
		    l->keyword.off + l->keyword.len >
		    l->text.off + l->text.len))
			abort();
	}
	if (!r->has_ehlo)
		return;
	for (unsigned c = 0; c < MW_CAP__COUNT; c++) {
		int has = (r->ehlo.caps >> c) & 1;

		if (has != (r->ehlo.line[c] != MW_EHLO_NOLINE) ||
		    (has && (r->ehlo.line[c] >= r->nlines ||
		    r->lines[r->ehlo.line[c]].cap != c)))
			abort();
	}
	if ((r->ehlo.auth != 0 && !(r->ehlo.caps & (1u << MW_CAP_AUTH))) ||
	    (r->ehlo.size != 0 && !(r->ehlo.caps & (1u << MW_CAP_SIZE))) ||
	    ((r->ehlo.mailmax | r->ehlo.rcptmax | r->ehlo.rcptdomainmax) != 0 &&
	    !(r->ehlo.caps & (1u << MW_CAP_LIMITS))))
		abort();
	for (unsigned i = 0; i < r->ehlo.nunknown; i++)
		if (r->ehlo.unknown[i] >= r->nlines ||
		    r->lines[r->ehlo.unknown[i]].cap != MW_CAP_UNKNOWN)
			abort();
}

/* The end of the input: EOF if a reply was begun; nothing (AGAIN) if not. */
static mw_err
ended(struct mw_reply_parser *rp, mw_err err)
{
	if (err != MW_ERR_AGAIN)
		return err;
	return mw_reply_eof(rp) == MW_ERR_OK ? MW_ERR_AGAIN : rp->err;
}

static void
parse_whole(const struct mw_reply_config *cfg, int mode, const uint8_t *d,
    size_t n, struct outcome *o)
{
	struct mw_reply_parser rp;
	size_t used = 0;
	mw_err err;

	if (mw_reply_init(&rp, cfg) != MW_ERR_OK ||
	    mw_reply_expect(&rp, mode) != MW_ERR_OK)
		abort();
	err = ended(&rp, mw_reply_parse(&rp, d, n, &used));
	keep(o, &rp, err, used);
}

static void
parse_split(const struct mw_reply_config *cfg, int mode, const uint8_t *d,
    size_t n, size_t at, struct outcome *o)
{
	struct mw_reply_parser rp;
	uint8_t *a, *b;
	size_t used = 0;
	mw_err err;

	if (mw_reply_init(&rp, cfg) != MW_ERR_OK ||
	    mw_reply_expect(&rp, mode) != MW_ERR_OK)
		abort();
	a = malloc(at ? at : 1);
	memcpy(a, d, at);
	err = mw_reply_parse(&rp, a, at, &used);
	free(a);
	if (err == MW_ERR_AGAIN) {
		b = malloc(n ? n : 1);
		memcpy(b, d, n);
		err = ended(&rp, mw_reply_parse(&rp, b, n, &used));
		free(b);
	}
	keep(o, &rp, err, used);
}

static void
parse_bytes(const struct mw_reply_config *cfg, int mode, const uint8_t *d,
    size_t n, struct outcome *o)
{
	struct mw_reply_parser rp;
	size_t used = 0, k;
	mw_err err = MW_ERR_AGAIN;

	if (mw_reply_init(&rp, cfg) != MW_ERR_OK ||
	    mw_reply_expect(&rp, mode) != MW_ERR_OK)
		abort();
	for (k = 1; k <= n && err == MW_ERR_AGAIN; k++)
		err = mw_reply_parse(&rp, d, k, &used);
	keep(o, &rp, ended(&rp, err), used);
}

/*
 * Would the parser's own rules let d[0..n) through as one reply: one code
 * on every line (RFC 5321 4.2), no NUL, every bound kept?
 */
static int
within(const struct mw_reply_config *cfg, const uint8_t *d, size_t n)
{
	size_t ls = 0, lines = 0;

	if (n > MW_REPLY_TOTAL_MAX || memchr(d, '\0', n) != NULL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (d[i] != '\n')
			continue;
		if (i + 1 - ls > (cfg->max_line ? cfg->max_line : 512) ||
		    i - ls < 3 || memcmp(d + ls, d, 3) != 0)
			return 0;
		lines++;
		ls = i + 1;
	}
	return lines <= MW_REPLY_LINES;
}

/* The grammar of a mode, by the acceptors alone. */
static int
grammar(int mode, const uint8_t *d, size_t n)
{
	int reply = acc_reply(d, n);

	switch (mode) {
	case MW_REPLY_GREETING:
		return acc_greeting(d, n) ||
		    (reply && !(n >= 3 && memcmp(d, "220", 3) == 0));
	case MW_REPLY_EHLO:
		return acc_ehlo(d, n) ||
		    (reply && !(n >= 3 && memcmp(d, "250", 3) == 0));
	default:
		return reply;
	}
}

/*
 * A reply parsed strictly, its CRLFs turned into LFs, parsed with the
 * bare-lf leniency: the same reply (the offsets aside).
 */
static void
same_with_lf(const struct outcome *x, int mode, const uint8_t *d)
{
	struct mw_reply_config cfg = { 0, 0, 0, MW_REPLY_LENIENT_BARE_LF };
	const struct mw_reply *a = x->reply, *b;
	struct outcome y;
	uint8_t *lf = malloc(x->used ? x->used : 1);
	size_t n = 0;

	for (size_t i = 0; i < x->used; i++)
		if (!(d[i] == '\r' && i + 1 < x->used && d[i + 1] == '\n'))
			lf[n++] = d[i];
	parse_whole(&cfg, mode, lf, n, &y);
	free(lf);
	b = y.reply;
	if (y.err != MW_ERR_OK || y.used != n || a->code != b->code ||
	    a->nlines != b->nlines || a->warnings != b->warnings ||
	    a->has_esc != b->has_esc || a->has_ehlo != b->has_ehlo)
		abort();
	for (unsigned i = 0; i < a->nlines; i++) {
		const struct mw_reply_line *l = &a->lines[i], *m = &b->lines[i];

		if (l->text.len != m->text.len ||
		    l->keyword.len != m->keyword.len ||
		    l->params.len != m->params.len || l->cap != m->cap)
			abort();
	}
	if (a->has_ehlo && (a->ehlo.caps != b->ehlo.caps ||
	    a->ehlo.auth != b->ehlo.auth || a->ehlo.size != b->ehlo.size ||
	    a->ehlo.mailmax != b->ehlo.mailmax ||
	    a->ehlo.rcptmax != b->ehlo.rcptmax ||
	    a->ehlo.rcptdomainmax != b->ehlo.rcptdomainmax ||
	    a->ehlo.nunknown != b->ehlo.nunknown ||
	    memcmp(a->ehlo.line, b->ehlo.line, sizeof(a->ehlo.line)) != 0))
		abort();
}

static int
has_8bit(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (d[i] >= 0x80)
			return 1;
	return 0;
}

static int
has_sp_eol(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (d[i] == ' ' && (d[i + 1] == '\r' || d[i + 1] == '\n'))
			return 1;
	return 0;
}

static int
has_auth_eq(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i + 5 <= n; i++)
		if ((d[i] | 0x20) == 'a' && (d[i + 1] | 0x20) == 'u' &&
		    (d[i + 2] | 0x20) == 't' && (d[i + 3] | 0x20) == 'h' &&
		    d[i + 4] == '=')
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const unsigned lenients[] = {
		0, MW_REPLY_LENIENT_BARE_LF, MW_REPLY_LENIENT_AUTH_EQ,
		MW_REPLY_LENIENT_SP_NO_TEXT, MW_REPLY_LENIENT__ALL
	};
	struct outcome whole, other;

	if (acc_reply == NULL)
		find_acceptors();
	if (n > MAX_INPUT)
		return 0;
	for (int mode = 0; mode < MW_REPLY_MODE__COUNT; mode++)
		for (unsigned l = 0; l < sizeof(lenients) / sizeof(lenients[0]);
		    l++) {
			struct mw_reply_config cfg = { 0, 0, 0, lenients[l] };
			size_t at[4] = { n > 0, n / 3, n / 2, n - (n > 0) };
			int oracle;

			parse_whole(&cfg, mode, d, n, &whole);
			sane(&whole);
			for (int i = 0; i < 4; i++) {
				parse_split(&cfg, mode, d, n, at[i], &other);
				same(&whole, &other);
			}
			if (n <= 600) {
				parse_bytes(&cfg, mode, d, n, &other);
				same(&whole, &other);
			}
			if (cfg.lenient == 0 && whole.err == MW_ERR_OK)
				same_with_lf(&whole, mode, d);
			/* the oracle knows the grammar's leniencies, not the
			 * parser's stand-ins (UTF-8 text, "AUTH=", "250 ") */
			if (mode == MW_REPLY_UTF8 && has_8bit(d, n))
				continue;
			if ((cfg.lenient & MW_REPLY_LENIENT_SP_NO_TEXT) &&
			    has_sp_eol(d, n))
				continue;
			if ((cfg.lenient & MW_REPLY_LENIENT_AUTH_EQ) &&
			    mode == MW_REPLY_EHLO && has_auth_eq(d, n))
				continue;
			/* the grammar's leniencies: bare-lf, and sp-no-text's
			 * EHLO reply ending in a bare "250" line */
			mwg_lenient_mask =
			    (cfg.lenient & MW_REPLY_LENIENT_BARE_LF ?
			    1u << MW__LENIENT_bare_lf : 0) |
			    (cfg.lenient & MW_REPLY_LENIENT_SP_NO_TEXT ?
			    1u << MW__LENIENT_sp_no_text : 0);
			oracle = grammar(mode, d, n) && within(&cfg, d, n);
			if (oracle &&
			    (whole.err != MW_ERR_OK || whole.used != n))
				abort();
			if (whole.err == MW_ERR_OK &&
			    !grammar(mode, d, whole.used))
				abort();
		}
	return 0;
}
