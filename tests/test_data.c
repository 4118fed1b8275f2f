/*
 * tests/test_data.c: the DATA codec and BDAT counting (mailwire/data.h).
 *
 * Every decoder case runs whole, split at every offset, byte by byte,
 * with output buffers of 2, 7 and 64 octets, in span mode, and through
 * mw_data_skip (alone, and after decoding the first piece), each piece
 * in an allocation of its exact size so ASan sees any read past it; all
 * runs must agree with each other, with the expected bytes where the
 * case gives them, and with a byte-at-a-time reference decoder written
 * from RFC 5321 4.5.2 and 2.3.8. The end offset is also checked against
 * the plain definition: the first CRLF "." CRLF of CRLF + input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/data.h>

#include "check.h"

#define L(s)	(const unsigned char *)(s), sizeof(s) - 1

/* --- helpers ----------------------------------------------------------- */

struct buf {
	unsigned char	*p;
	size_t		 len, cap;
};

static void
put(struct buf *b, const void *s, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 16;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			abort();
	}
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
}

struct result {
	struct buf		 out;
	int			 ended;
	uint64_t		 end;
	struct mw_data_events	 ev;
	const struct mw_data_reply *reply;
	int			 misuse;	/* an API contract broken */
};

static void
result_free(struct result *r)
{
	free(r->out.p);
	memset(r, 0, sizeof(*r));
}

static int
same_events(const struct mw_data_events *a, const struct mw_data_events *b)
{
	if (a->mask != b->mask)
		return 0;
	for (int i = 0; i < MW_DATA_NEV; i++)
		if ((a->mask & (1u << i)) && (a->first[i] != b->first[i] ||
		    a->count[i] != b->count[i]))
			return 0;
	return 1;
}

static int
same(const struct result *a, const struct result *b)
{
	return !a->misuse && !b->misuse && a->out.len == b->out.len &&
	    (a->out.len == 0 || memcmp(a->out.p, b->out.p, a->out.len) == 0) &&
	    a->ended == b->ended && (!a->ended || a->end == b->end) &&
	    same_events(&a->ev, &b->ev) && a->reply == b->reply;
}

/* Splits: cuts[] are the piece boundaries (increasing, within n). */
struct split {
	size_t	cuts[8];
	int	ncuts;
	int	bytewise;
};

/* the piece [s, e) in its own allocation */
static unsigned char *
piece(const unsigned char *in, size_t s, size_t e)
{
	unsigned char *p = malloc(e - s ? e - s : 1);

	if (p == NULL)
		abort();
	memcpy(p, in + s, e - s);
	return p;
}

static size_t
next_cut(const struct split *sp, size_t s, size_t n, int *ci)
{
	if (sp->bytewise)
		return s < n ? s + 1 : n;
	while (*ci < sp->ncuts && sp->cuts[*ci] <= s)
		(*ci)++;
	if (*ci < sp->ncuts)
		return sp->cuts[(*ci)++];
	return n;
}

/* mw_data_decode over the pieces, into buffers of outcap octets */
static void
run_copy(const unsigned char *in, size_t n, const struct split *sp,
    size_t outcap, const struct mw_data_config *cfg, struct result *r)
{
	struct mw_data_dec d;
	unsigned char *out = malloc(outcap);
	size_t s = 0;
	int ci = 0, first = 1;

	memset(r, 0, sizeof(*r));
	mw_data_dec_init(&d, cfg);
	while (first || s < n) {
		size_t e = next_cut(sp, s, n, &ci), off = 0;
		unsigned char *p = piece(in, s, e);

		first = 0;
		for (int guard = 0;; guard++) {
			size_t used, made;
			mw_err err = mw_data_decode(&d, p + off, e - s - off,
			    &used, out, outcap, &made);

			put(&r->out, out, made);
			off += used;
			if (err == MW_ERR_OK) {
				r->ended = 1;
				r->end = mw_data_dec_offset(&d);
				if (r->end != s + off)
					r->misuse = 1;
				break;
			}
			if (err == MW_ERR_AGAIN) {
				if (off != e - s)
					r->misuse = 1;
				break;
			}
			if (err != MW_ERR_NOSPACE || (used == 0 && made == 0) ||
			    guard > 100000) {
				r->misuse = 1;
				break;
			}
		}
		free(p);
		s = e;
		if (r->ended || r->misuse)
			break;
	}
	if (!r->ended && mw_data_dec_offset(&d) != n)
		r->misuse = 1;
	if (mw_data_dec_size(&d) != r->out.len)
		r->misuse = 1;
	r->ev = *mw_data_dec_events(&d);
	r->reply = mw_data_dec_reply(&d);
	free(out);
}

/* mw_data_next over the pieces */
static void
run_span(const unsigned char *in, size_t n, const struct split *sp,
    const struct mw_data_config *cfg, struct result *r)
{
	struct mw_data_dec d;
	size_t s = 0;
	int ci = 0, first = 1;

	memset(r, 0, sizeof(*r));
	mw_data_dec_init(&d, cfg);
	while (first || s < n) {
		size_t e = next_cut(sp, s, n, &ci), off = 0;
		unsigned char *p = piece(in, s, e);

		first = 0;
		for (int guard = 0;; guard++) {
			const unsigned char *span;
			size_t used, len;
			mw_err err = mw_data_next(&d, p + off, e - s - off,
			    &used, &span, &len);

			put(&r->out, span, len);
			off += used;
			if (err == MW_ERR_OK) {
				r->ended = 1;
				r->end = mw_data_dec_offset(&d);
				break;
			}
			if (err != MW_ERR_AGAIN || guard > 100000) {
				r->misuse = 1;
				break;
			}
			if (off == e - s && used == 0 && len == 0)
				break;
			if (used == 0 && len == 0)
				r->misuse = 1;
		}
		free(p);
		s = e;
		if (r->ended || r->misuse)
			break;
	}
	if (mw_data_dec_size(&d) != r->out.len)
		r->misuse = 1;
	r->ev = *mw_data_dec_events(&d);
	r->reply = mw_data_dec_reply(&d);
}

/*
 * mw_data_skip over the pieces; with decode_first, the first piece is
 * decoded and the rest skipped (a message refused midway)
 */
static void
run_skip(const unsigned char *in, size_t n, const struct split *sp,
    int decode_first, struct result *r)
{
	struct mw_data_dec d;
	unsigned char out[4096];
	size_t s = 0;
	int ci = 0, first = 1;

	memset(r, 0, sizeof(*r));
	mw_data_dec_init(&d, NULL);
	while (first || s < n) {
		size_t e = next_cut(sp, s, n, &ci), used, made;
		unsigned char *p = piece(in, s, e);
		mw_err err;

		if (first && decode_first && e - s <= sizeof(out))
			err = mw_data_decode(&d, p, e - s, &used, out,
			    sizeof(out), &made);
		else
			err = mw_data_skip(&d, p, e - s, &used);
		first = 0;
		free(p);
		if (err == MW_ERR_OK) {
			r->ended = 1;
			r->end = mw_data_dec_offset(&d);
			if (r->end != s + used)
				r->misuse = 1;
			break;
		}
		if (err != MW_ERR_AGAIN || used != e - s) {
			r->misuse = 1;
			break;
		}
		s = e;
	}
	if (mw_data_skip(&d, (const unsigned char *)"x", 1, &s) !=
	    (r->ended ? MW_ERR_STATE : MW_ERR_AGAIN))
		r->misuse = 1;
}

/* --- the reference decoder: one octet at a time, from the RFC text ---- */

static void
ref_event(struct mw_data_events *ev, unsigned bit, uint64_t pos)
{
	int i = 0;

	while (!(bit & (1u << i)))
		i++;
	if (!(ev->mask & bit))
		ev->first[i] = pos;
	ev->mask |= bit;
	ev->count[i]++;
}

static void
ref_put(struct result *r, uint64_t max, unsigned char c, size_t at)
{
	if (r->out.len == max && !(r->ev.mask & MW_DATA_EV_TOO_BIG))
		ref_event(&r->ev, MW_DATA_EV_TOO_BIG, at);
	put(&r->out, &c, 1);
}

static void
ref_decode(const unsigned char *in, size_t n, const struct mw_data_config *cfg,
    struct result *r)
{
	uint64_t max = cfg != NULL && cfg->max_size ? cfg->max_size : UINT64_MAX;
	int norm = cfg != NULL && cfg->bare == MW_DATA_BARE_NORMALIZE;
	int rejlong = cfg != NULL && cfg->longline == MW_DATA_LONG_REJECT;
	size_t i = 0, lstart = 0;
	int bol = 1;		/* the DATA command's CRLF came before */

	memset(r, 0, sizeof(*r));
	while (i < n) {
		unsigned char c = in[i];

		if (bol && c == '.') {
			/* a lone "." line ends; else the dot is dropped */
			if (i + 1 == n || (in[i + 1] == '\r' && i + 2 == n))
				break;	/* not known yet: held back */
			if (in[i + 1] == '\r' && in[i + 2] == '\n') {
				r->ended = 1;
				r->end = i + 3;
				break;
			}
			lstart = ++i;
			bol = 0;
			continue;
		}
		bol = 0;
		if (c == '\r' && i + 1 < n && in[i + 1] == '\n') {
			ref_put(r, max, '\r', i);
			ref_put(r, max, '\n', i + 1);
			lstart = i += 2;
			bol = 1;
		} else if (c == '\r') {
			ref_put(r, max, '\r', i);
			if (i + 1 == n)
				break;	/* bare or not: not known yet */
			ref_event(&r->ev, MW_DATA_EV_BARE_CR, i);
			if (norm)
				ref_put(r, max, '\n', i);
			lstart = ++i;
		} else if (c == '\n') {
			ref_event(&r->ev, MW_DATA_EV_BARE_LF, i);
			if (norm)
				ref_put(r, max, '\r', i);
			ref_put(r, max, '\n', i);
			lstart = ++i;
		} else {
			if (i - lstart == 998)
				ref_event(&r->ev, MW_DATA_EV_LONG_LINE, i);
			ref_put(r, max, c, i);
			i++;
		}
	}
	/* the reply, in the documented order */
	{
		/* the replies are the library's constants: take them from a
		 * decoder brought into each state, so only the choice is
		 * compared here */
		static const struct mw_data_reply *size, *lf, *cr, *lng;
		struct mw_data_dec d;
		struct mw_data_config c = { 0, MW_DATA_LONG_REJECT, 1 };
		size_t u, m;
		unsigned char o[8];

		if (size == NULL) {
			mw_data_dec_init(&d, &c);
			mw_data_decode(&d, L("ab"), &u, o, sizeof(o), &m);
			size = mw_data_dec_reply(&d);
			mw_data_dec_init(&d, NULL);
			mw_data_decode(&d, L("\n"), &u, o, sizeof(o), &m);
			lf = mw_data_dec_reply(&d);
			mw_data_dec_init(&d, NULL);
			mw_data_decode(&d, L("\rx"), &u, o, sizeof(o), &m);
			cr = mw_data_dec_reply(&d);
			c.max_size = 0;
			mw_data_dec_init(&d, &c);
			for (int k = 0; k < 999; k++)
				mw_data_decode(&d, L("x"), &u, o, sizeof(o), &m);
			lng = mw_data_dec_reply(&d);
		}
		if (r->ev.mask & MW_DATA_EV_TOO_BIG)
			r->reply = size;
		else if (!norm && (r->ev.mask & MW_DATA_EV_BARE_LF))
			r->reply = lf;
		else if (!norm && (r->ev.mask & MW_DATA_EV_BARE_CR))
			r->reply = cr;
		else if (rejlong && (r->ev.mask & MW_DATA_EV_LONG_LINE))
			r->reply = lng;
	}
}

/* the first CRLF.CRLF of CRLF + input, as an end offset into input */
static int
plain_end(const unsigned char *in, size_t n, uint64_t *end)
{
	for (size_t i = 0; i + 3 <= n; i++) {
		int crlf_before = i == 0 || (i >= 2 && in[i - 2] == '\r' &&
		    in[i - 1] == '\n');

		if (crlf_before && in[i] == '.' && in[i + 1] == '\r' &&
		    in[i + 2] == '\n') {
			*end = i + 3;
			return 1;
		}
	}
	return 0;
}

/* --- the decoder checked every way ------------------------------------ */

static char why[256];

static int
decoder_agrees(const unsigned char *in, size_t n,
    const struct mw_data_config *cfg, const struct result *want)
{
	static const size_t caps[] = { 4096, 2, 7, 64 };
	struct result ref, r;
	struct split sp;
	uint64_t pe;
	int ok = 1, pended = plain_end(in, n, &pe);

	why[0] = '\0';
	ref_decode(in, n, cfg, &ref);
	if (ref.ended != pended || (pended && ref.end != pe)) {
		snprintf(why, sizeof(why), "reference end %d/%llu, plain %d/%llu",
		    ref.ended, (unsigned long long)ref.end, pended,
		    (unsigned long long)pe);
		ok = 0;
	}
	if (ok && want != NULL && !same(want, &ref)) {
		snprintf(why, sizeof(why), "reference differs from the case");
		ok = 0;
	}
	/* whole, every single cut, byte by byte, a three-way cut */
	for (size_t cut = 0; ok && cut <= n + 3; cut++) {
		memset(&sp, 0, sizeof(sp));
		if (cut == n + 1) {
			sp.bytewise = 1;
		} else if (cut == n + 2) {
			sp.ncuts = 3;
			sp.cuts[0] = n / 3;
			sp.cuts[1] = n / 2;
			sp.cuts[2] = n / 2 + 1 <= n ? n / 2 + 1 : n;
		} else if (cut <= n) {
			sp.ncuts = 1;
			sp.cuts[0] = cut;
		}
		for (size_t c = 0; ok && c < sizeof(caps) / sizeof(caps[0]);
		    c++) {
			/* small buffers on fewer splits: the cost is squared */
			if (c > 0 && cut % 5 != 0 && cut < n + 1)
				continue;
			run_copy(in, n, &sp, caps[c] < 2 * n + 8 ? caps[c] :
			    2 * n + 8, cfg, &r);
			if (!same(&r, &ref)) {
				snprintf(why, sizeof(why), "copy, cut %zu%s, "
				    "out %zu: %s", cut, sp.bytewise ?
				    " (bytewise)" : "", caps[c], r.misuse ?
				    "API misuse" : "differs");
				ok = 0;
			}
			result_free(&r);
		}
		if (!ok)
			break;
		run_span(in, n, &sp, cfg, &r);
		if (!same(&r, &ref)) {
			snprintf(why, sizeof(why), "span, cut %zu: %s", cut,
			    r.misuse ? "API misuse" : "differs");
			ok = 0;
		}
		result_free(&r);
		for (int df = 0; ok && df < 2; df++) {
			run_skip(in, n, &sp, df, &r);
			if (r.misuse || r.ended != ref.ended ||
			    (r.ended && r.end != ref.end)) {
				snprintf(why, sizeof(why), "skip%s, cut %zu: %s",
				    df ? " after decoding" : "", cut, r.misuse ?
				    "API misuse" : "end differs");
				ok = 0;
			}
			result_free(&r);
		}
	}
	result_free(&ref);
	return ok;
}

/* --- hand-written decoder cases --------------------------------------- */

#define NONE	((long long)-1)

struct dcase {
	const char	*name;
	const char	*in;
	size_t		 inlen;
	unsigned	 bare;
	const char	*out;
	size_t		 outlen;
	long long	 end;
	unsigned	 events;
};

#define DC(name, in, bare, out, end, ev) \
	{ name, in, sizeof(in) - 1, bare, out, sizeof(out) - 1, end, ev }
#define REJ	MW_DATA_BARE_REJECT
#define NRM	MW_DATA_BARE_NORMALIZE
#define BLF	MW_DATA_EV_BARE_LF
#define BCR	MW_DATA_EV_BARE_CR

static const struct dcase dcases[] = {
	DC("empty message: .CRLF right after 354", ".\r\n", REJ, "", 3, 0),
	DC("one empty line", "\r\n.\r\n", REJ, "\r\n", 5, 0),
	DC("one line", "a\r\n.\r\n", REJ, "a\r\n", 6, 0),
	DC("stuffed first line", "..\r\n.\r\n", REJ, ".\r\n", 7, 0),
	DC("stuffed first line with text", "..a\r\nb\r\n.\r\n", REJ,
	    ".a\r\nb\r\n", 11, 0),
	DC("stuffed lines", "a\r\n..\r\n...\r\n.b\r\n.\r\n", REJ,
	    "a\r\n.\r\n..\r\nb\r\n", 19, 0),
	DC("dot inside a line", "a.\r\nb .\r\n.\r\n", REJ, "a.\r\nb .\r\n",
	    12, 0),
	DC("rest after the end", "a\r\n.\r\nQUIT\r\n", REJ, "a\r\n", 6, 0),
	DC("blank lines", "\r\n\r\n\r\n.\r\n", REJ, "\r\n\r\n\r\n", 9, 0),
	DC("no end: CRLF only", "\r\n", REJ, "\r\n", NONE, 0),
	DC("no end: lone dot", ".", REJ, "", NONE, 0),
	DC("no end: dot CR", ".\r", REJ, "", NONE, 0),
	DC("no end: text", "abc", REJ, "abc", NONE, 0),
	DC("no end: nothing", "", REJ, "", NONE, 0),
	/* the smuggling sequences: never an end */
	DC("LF.LF is no end", "a\n.\nb", REJ, "a\n.\nb", NONE, BLF),
	DC("CR.CR is no end", "a\r.\rb", REJ, "a\r.\rb", NONE, BCR),
	DC("LF.CRLF is no end", "a\n.\r\nb", REJ, "a\n.\r\nb", NONE, BLF),
	DC("CRLF.LF is no end", "a\r\n.\nb", REJ, "a\r\n\nb", NONE, BLF),
	DC("CRLF.CR CRLF is no end", "a\r\n.\r\r\nb", REJ, "a\r\n\r\r\nb",
	    NONE, BCR),
	DC("CR.CRLF is no end", "a\r.\r\nb", REJ, "a\r.\r\nb", NONE, BCR),
	DC("NUL before the dot is no end", "a\r\n\0.\r\nb", REJ,
	    "a\r\n\0.\r\nb", NONE, 0),
	DC("space before the dot is no end", "a\r\n .\r\nb", REJ,
	    "a\r\n .\r\nb", NONE, 0),
	DC("dot space is no end", "a\r\n. \r\nb", REJ, "a\r\n \r\nb", NONE,
	    0),
	DC("LF at the start, then .CRLF, is no end", "\n.\r\nb", REJ,
	    "\n.\r\nb", NONE, BLF),
	DC("CR at the start, then .CRLF, is no end", "\r.\r\nb", REJ,
	    "\r.\r\nb", NONE, BCR),
	DC(".LF right after 354 is no end", ".\nb", REJ, "\nb", NONE, BLF),
	DC(".CR x right after 354 is no end", ".\rx", REJ, "\rx", NONE, BCR),
	DC("CR LF LF . CR LF is no end", "a\r\n\n.\r\nb", REJ,
	    "a\r\n\n.\r\nb", NONE, BLF),
	DC("CR CR LF . CR LF is the end", "a\r\r\n.\r\nb", REJ, "a\r\r\n", 7,
	    BCR),
	DC("LF.LF then the real end", "a\n.\nb\r\n.\r\n", REJ, "a\n.\nb\r\n",
	    10, BLF),
	DC("LF.CRLF then the real end", "a\n.\r\n.\r\n", REJ, "a\n.\r\n", 8,
	    BLF),
	DC("CRLF.CR CRLF then the real end", "a\r\n.\r\r\n.\r\n", REJ,
	    "a\r\n\r\r\n", 10, BCR),
	DC("smuggled command after LF.LF", "x\n.\nMAIL FROM:<e@v>\r\n.\r\n",
	    REJ, "x\n.\nMAIL FROM:<e@v>\r\n", 24, BLF),
	/* normalisation */
	DC("normalize bare LF and CR", "a\nb\rc\r\n.\r\n", NRM,
	    "a\r\nb\r\nc\r\n", 10, BLF | BCR),
	DC("normalize LF.LF: a dot after a bare LF stays", "a\n.\n.\r\n", NRM,
	    "a\r\n.\r\n.\r\n", NONE, BLF),
	DC("normalize .LF right after 354: no line start follows", ".\n.\r\n",
	    NRM, "\r\n.\r\n", NONE, BLF),
	DC("normalize .CR x", ".\rx\r\n.\r\n", NRM, "\r\nx\r\n", 8, BCR),
	DC("normalize CRLF.CR CRLF", "a\r\n.\r\r\n.\r\n", NRM,
	    "a\r\n\r\n\r\n", 10, BCR),
	DC("normalize CR CR LF", "a\r\r\nb\r\n.\r\n", NRM, "a\r\n\r\nb\r\n",
	    10, BCR),
	DC("normalize LF LF", "\n\n.\r\n", NRM, "\r\n\r\n.\r\n", NONE, BLF),
	DC("reject keeps the octets", "a\nb\rc\r\n.\r\n", REJ, "a\nb\rc\r\n",
	    10, BLF | BCR),
};

static void
decoder_cases(void)
{
	for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		const struct dcase *c = &dcases[i];
		struct mw_data_config cfg = { c->bare, MW_DATA_LONG_ACCEPT, 0 };
		struct result want;
		int ok;

		ref_decode((const unsigned char *)c->in, c->inlen, &cfg, &want);
		/* the case's own bytes, end and event kinds decide */
		ok = want.out.len == c->outlen && (c->outlen == 0 ||
		    memcmp(want.out.p, c->out, c->outlen) == 0) &&
		    want.ended == (c->end != NONE) &&
		    (c->end == NONE || want.end == (uint64_t)c->end) &&
		    want.ev.mask == c->events;
		if (!ok) {
			CHECK(0, "decoder: %s: reference gives out %zu octets, "
			    "end %d/%llu, events %#x", c->name, want.out.len,
			    want.ended, (unsigned long long)want.end,
			    want.ev.mask);
			result_free(&want);
			continue;
		}
		ok = decoder_agrees((const unsigned char *)c->in, c->inlen,
		    &cfg, NULL);
		CHECK(ok, "decoder: %s, at every split%s%s", c->name,
		    ok ? "" : ": ", why);
		result_free(&want);
	}
}

/* the smuggling sequences, in pairs, around the real end, at every split,
 * at every alignment against the 64-octet blocks */
static const char *const fakes[] = {
	"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r\r\n", "\r\n\0.\r\n",
	"\r.\r\n", "\n.\r", "\r\n.\r", ".\n", "\r\n .\r\n", "\r\n.\n\r\n",
	"\n\n", "\r\r", "\r\n..\r\n", "\r\n.", "\r\n.\r\n\r", "\n\r\n",
	"\r\r\n.\r\n", "\r\n\r\n..\r\n",
};
static const size_t fakelen[] = {
	3, 3, 4, 4, 6, 6, 4, 3, 4, 2, 6, 6, 2, 2, 6, 3, 6, 3, 6, 8,
};

static void
smuggling_pairs(void)
{
	size_t nf = sizeof(fakes) / sizeof(fakes[0]);
	int bad = 0, total = 0;
	char name[400] = "";

	for (unsigned bare = 0; bare < 2; bare++)
		for (size_t a = 0; a < nf; a++)
			for (size_t b = 0; b < nf; b++) {
				struct mw_data_config cfg = { bare, 0, 0 };
				unsigned char in[64];
				size_t n = 0;

				in[n++] = 'x';
				memcpy(in + n, fakes[a], fakelen[a]);
				n += fakelen[a];
				in[n++] = 'y';
				memcpy(in + n, fakes[b], fakelen[b]);
				n += fakelen[b];
				memcpy(in + n, "z\r\n.\r\nQ", 7);
				n += 7;
				total++;
				if (!decoder_agrees(in, n, &cfg, NULL)) {
					if (!bad++)
						snprintf(name, sizeof(name),
						    "%zu+%zu %s: %s", a, b,
						    bare ? "normalize" : "reject",
						    why);
				}
			}
	CHECK(bad == 0, "decoder: %d pairs of smuggling sequences, each "
	    "policy, at every split and buffer size%s%s", total,
	    bad ? "; first failure " : "", name);
}

static void
alignments(void)
{
	size_t nf = sizeof(fakes) / sizeof(fakes[0]);
	int bad = 0, total = 0;
	char name[400] = "";

	for (size_t pad = 0; pad <= 140; pad++)
		for (size_t a = 0; a < nf; a++) {
			struct mw_data_config cfg = { (unsigned)(pad & 1), 0, 0 };
			unsigned char in[256];
			size_t n = 0;

			memset(in, 'a', pad);
			n = pad;
			memcpy(in + n, fakes[a], fakelen[a]);
			n += fakelen[a];
			memset(in + n, 'b', 70);
			n += 70;
			memcpy(in + n, "\r\n.\r\n", 5);
			n += 5;
			total++;
			if (!decoder_agrees(in, n, &cfg, NULL) && !bad++)
				snprintf(name, sizeof(name), "pad %zu seq %zu: "
				    "%s", pad, a, why);
		}
	CHECK(bad == 0, "decoder: %d smuggling sequences at offsets 0-140 "
	    "(every position in and across 64-octet blocks)%s%s", total,
	    bad ? "; first failure " : "", name);

	/* part of the marker at the very end of the input, and all of it */
	bad = total = 0;
	for (size_t pad = 0; pad <= 140; pad++)
		for (size_t m = 1; m <= 5; m++) {
			struct mw_data_config cfg = { 0, 0, 0 };
			unsigned char in[160];

			memset(in, 'a', pad);
			memcpy(in + pad, "\r\n.\r\n", m);
			total++;
			if (!decoder_agrees(in, pad + m, &cfg, NULL) && !bad++)
				snprintf(name, sizeof(name), "pad %zu, %zu octets "
				    "of the marker: %s", pad, m, why);
		}
	CHECK(bad == 0, "decoder: %d inputs ending in part of CRLF.CRLF or all "
	    "of it, at offsets 0-140%s%s", total, bad ? "; first failure " :
	    "", name);
}

/* --- line length (RFC 5321 4.5.3.1.6) -------------------------------- */

/* lines before the one measured, so that its start falls at different
 * places of the 64-octet blocks */
static const char *const before[] = {
	"", "a\r\n", "\r\n\r\n",
	"ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp\r\n",
	"pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp\r\n",
	("pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
	    "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppp\r\n"),
};

static unsigned char *
line_of(const char *pre, size_t text, int stuffed, const char *after,
    size_t *n)
{
	size_t alen = strlen(after), plen = strlen(pre);
	unsigned char *p = malloc(plen + text + 8 + alen);
	size_t k = plen;

	if (p == NULL)
		abort();
	memcpy(p, pre, plen);
	if (stuffed)
		p[k++] = '.';
	for (size_t i = 0; i < text; i++)
		p[k++] = stuffed && i == 0 ? '.' : (unsigned char)('a' + i % 26);
	p[k++] = '\r';
	p[k++] = '\n';
	memcpy(p + k, after, alen);
	*n = k + alen;
	return p;
}

static void
line_lengths(void)
{
	for (size_t pi = 0; pi < sizeof(before) / sizeof(before[0]); pi++)
	for (int stuffed = 0; stuffed < 2; stuffed++)
		for (size_t text = 997; text <= 1000; text++) {
			struct mw_data_config acc = { 0, MW_DATA_LONG_ACCEPT, 0 };
			struct mw_data_config rej = { 0, MW_DATA_LONG_REJECT, 0 };
			size_t n, plen = strlen(before[pi]);
			unsigned char *in = line_of(before[pi], text, stuffed,
			    ".\r\n", &n);
			struct result r;
			struct split whole;
			int lng = text > MW_DATA_LINE_MAX;

			memset(&whole, 0, sizeof(whole));
			run_copy(in, n, &whole, 4096, &acc, &r);
			CHECK(r.ended && r.end == n &&
			    !!(r.ev.mask & MW_DATA_EV_LONG_LINE) == lng &&
			    (!lng || r.ev.first[2] == plen + 998 + stuffed) &&
			    r.reply == NULL, "decoder: %s line of %zu octets with "
			    "CRLF (%zu on the wire) after %zu: %s", stuffed ?
			    "stuffed" : "plain", text + 2, n - 3 - plen, plen,
			    lng ? "long, reported at its 999th octet, accepted" :
			    "not long");
			result_free(&r);
			run_copy(in, n, &whole, 4096, &rej, &r);
			CHECK(lng ? r.reply != NULL && r.reply->code == 550 &&
			    strcmp(r.reply->esc, "5.6.0") == 0 : r.reply == NULL,
			    "decoder: %zu-octet line after %zu under "
			    "MW_DATA_LONG_REJECT: %s", text + 2, plen, lng ?
			    "550 5.6.0" : "accepted");
			result_free(&r);
			CHECK(decoder_agrees(in, n, &rej, NULL),
			    "decoder: %zu-octet %s line after %zu at every "
			    "split%s%s", text + 2, stuffed ? "stuffed" : "plain",
			    plen, why[0] ? ": " : "", why);
			free(in);
		}
	{
		/* a long line ended by a bare LF, and one that runs over two
		 * blocks of the scan many times */
		static unsigned char in[5000];
		struct mw_data_config acc = { 0, 0, 0 };
		struct result r;
		struct split whole;
		size_t n = 0;

		memset(in, 'x', 1200);
		n = 1200;
		in[n++] = '\n';
		memset(in + n, 'y', 2500);
		n += 2500;
		memcpy(in + n, "\r\n.\r\n", 5);
		n += 5;
		memset(&whole, 0, sizeof(whole));
		run_copy(in, n, &whole, 100000, &acc, &r);
		CHECK(r.ended && r.ev.count[2] == 2 && r.ev.first[2] == 998,
		    "decoder: two long lines counted once each, the first at "
		    "octet 998");
		result_free(&r);
		CHECK(decoder_agrees(in, n, &acc, NULL), "decoder: long lines "
		    "at every split%s%s", why[0] ? ": " : "", why);
	}
}

/* --- the size limit ---------------------------------------------------- */

static void
size_limit(void)
{
	static const char body[] = "012345\r\n..x\r\n.\r\n";	/* 12 decoded */

	for (uint64_t max = 1; max <= 13; max++) {
		struct mw_data_config cfg = { 0, 0, max };
		struct result r;
		struct split whole;
		int over = max < 12;

		memset(&whole, 0, sizeof(whole));
		run_copy(L(body), &whole, 4096, &cfg, &r);
		CHECK(r.ended && r.out.len == 12 &&
		    !!(r.ev.mask & MW_DATA_EV_TOO_BIG) == over &&
		    (over ? r.reply != NULL && r.reply->code == 552 &&
		    strcmp(r.reply->esc, "5.3.4") == 0 : r.reply == NULL),
		    "decoder: 12-octet body, limit %llu: %s",
		    (unsigned long long)max, over ? "552 5.3.4" : "accepted");
		result_free(&r);
		CHECK(decoder_agrees(L(body), &cfg, NULL), "decoder: limit "
		    "%llu at every split%s%s", (unsigned long long)max,
		    why[0] ? ": " : "", why);
	}
	{
		/* normalised octets count, and the offset names the octet */
		struct mw_data_config cfg = { NRM, 0, 2 };
		struct result r;
		struct split whole;

		memset(&whole, 0, sizeof(whole));
		run_copy(L("ab\nc\r\n.\r\n"), &whole, 64, &cfg, &r);
		CHECK(r.ev.first[3] == 2 && r.reply != NULL &&
		    r.reply->code == 552, "decoder: a normalised LF passes the "
		    "limit at its own offset");
		result_free(&r);
		CHECK(decoder_agrees(L("ab\nc\r\n.\r\n"), &cfg, NULL),
		    "decoder: normalised limit at every split");
		cfg.max_size = 3;
		CHECK(decoder_agrees(L("a.\r.\rc\r\n.\r\n"), &cfg, NULL),
		    "decoder: limit on a normalised CR at every split");
	}
}

/* --- the API's edges --------------------------------------------------- */

static void
api(void)
{
	struct mw_data_dec d;
	struct mw_data_config cfg = { 7, 9, 0 };
	unsigned char out[16];
	const unsigned char *span;
	size_t used, made, len;
	mw_err err;

	mw_data_dec_init(&d, NULL);
	CHECK(mw_data_decode(NULL, L("x"), &used, out, 16, &made) ==
	    MW_ERR_INVAL && mw_data_decode(&d, NULL, 1, &used, out, 16,
	    &made) == MW_ERR_INVAL && mw_data_decode(&d, L("x"), NULL, out, 16,
	    &made) == MW_ERR_INVAL && mw_data_decode(&d, L("x"), &used, NULL,
	    16, &made) == MW_ERR_INVAL && mw_data_next(&d, L("x"), &used, NULL,
	    &len) == MW_ERR_INVAL, "decoder: NULL arguments are MW_ERR_INVAL");
	CHECK(mw_data_decode(&d, NULL, 0, &used, out, 16, &made) ==
	    MW_ERR_AGAIN && used == 0 && made == 0,
	    "decoder: no input is MW_ERR_AGAIN");
	CHECK(mw_data_decode(&d, L("x"), &used, NULL, 0, &made) ==
	    MW_ERR_NOSPACE && used == 0, "decoder: no room is MW_ERR_NOSPACE");
	CHECK(mw_data_decode(&d, L(".\r\n"), &used, NULL, 0, &made) ==
	    MW_ERR_OK && used == 3 && mw_data_dec_done(&d),
	    "decoder: the end needs no output room");
	CHECK(mw_data_decode(&d, L("x"), &used, out, 16, &made) ==
	    MW_ERR_STATE && used == 0 && mw_data_next(&d, L("x"), &used,
	    &span, &len) == MW_ERR_STATE && len == 0 &&
	    mw_data_skip(&d, L("x"), &used) == MW_ERR_STATE,
	    "decoder: after the end, MW_ERR_STATE");
	CHECK(mw_data_skip(NULL, L("x"), &used) == MW_ERR_INVAL &&
	    mw_data_skip(&d, NULL, 1, &used) == MW_ERR_INVAL &&
	    mw_data_skip(&d, L("x"), NULL) == MW_ERR_INVAL,
	    "skip: NULL arguments are MW_ERR_INVAL");
	mw_data_dec_init(&d, &cfg);
	err = mw_data_decode(&d, L("a\nb\r\n.\r\n"), &used, out, 16, &made);
	CHECK(err == MW_ERR_OK && mw_data_dec_reply(&d) != NULL &&
	    mw_data_dec_reply(&d)->code == 550 &&
	    strcmp(mw_data_dec_reply(&d)->esc, "5.5.2") == 0,
	    "decoder: unknown policy values mean reject (550 5.5.2)");
	mw_data_dec_init(&d, NULL);
	err = mw_data_decode(&d, L("x\r\n.\r\nMAIL"), &used, out, 16, &made);
	CHECK(err == MW_ERR_OK && used == 6 && made == 3 &&
	    mw_data_dec_offset(&d) == 6 && mw_data_dec_size(&d) == 3 &&
	    mw_data_dec_reply(&d) == NULL, "decoder: stops right after "
	    ".CRLF; the rest is the next command");
	CHECK(strcmp(mw_data_event_name(MW_DATA_EV_BARE_LF), "bare-lf") == 0 &&
	    strcmp(mw_data_event_name(MW_DATA_EV_BARE_CR), "bare-cr") == 0 &&
	    strcmp(mw_data_event_name(MW_DATA_EV_LONG_LINE), "long-line") == 0 &&
	    strcmp(mw_data_event_name(MW_DATA_EV_TOO_BIG), "too-big") == 0 &&
	    strcmp(mw_data_event_name(3), "unknown") == 0, "event names");
	{
		mw_data_dec_init(&d, NULL);
		err = mw_data_decode(&d, L("a\nb\rc\r\n.\r\n"), &used, out, 16,
		    &made);
		CHECK(err == MW_ERR_OK && mw_data_dec_reply(&d) != NULL &&
		    strstr(mw_data_dec_reply(&d)->text, "<LF>") != NULL &&
		    mw_data_dec_events(&d)->first[0] == 1 &&
		    mw_data_dec_events(&d)->first[1] == 3,
		    "decoder: default policy refuses bare LF, and says so; "
		    "offsets of the first of each");
		CHECK(mw_data_dec_events(NULL)->mask == 0 &&
		    mw_data_dec_reply(NULL) == NULL && !mw_data_dec_done(NULL),
		    "decoder: NULL accessors are harmless");
	}
}

/* --- the encoder ------------------------------------------------------- */

struct ecase {
	const char	*name;
	const char	*in;
	size_t		 inlen;
	const char	*out;
	size_t		 outlen;
	unsigned	 events;
};

#define EC(name, in, out, ev) \
	{ name, in, sizeof(in) - 1, out, sizeof(out) - 1, ev }

static const struct ecase ecases[] = {
	EC("empty body", "", ".\r\n", 0),
	EC("no final CRLF", "a", "a\r\n.\r\n", 0),
	EC("final CRLF", "a\r\n", "a\r\n.\r\n", 0),
	EC("first line stuffed", ".a\r\n", "..a\r\n.\r\n", 0),
	EC("lone dot, no CRLF", ".", "..\r\n.\r\n", 0),
	EC("dot lines", "a\r\n.\r\n..\r\n", "a\r\n..\r\n...\r\n.\r\n", 0),
	EC("smuggling CRLF.CRLF in the body", "x\r\n.\r\nMAIL FROM:<e@v>\r\n",
	    "x\r\n..\r\nMAIL FROM:<e@v>\r\n.\r\n", 0),
	EC("LF.LF leaves as CRLF..CRLF", "a\n.\nb", "a\r\n..\r\nb\r\n.\r\n",
	    BLF),
	EC("CR.CR leaves as CRLF..CRLF", "a\r.\r", "a\r\n..\r\n.\r\n", BCR),
	EC("LF.CRLF", "a\n.\r\n", "a\r\n..\r\n.\r\n", BLF),
	EC("CRLF.LF", "a\r\n.\n", "a\r\n..\r\n.\r\n", BLF),
	EC("CR CR LF", "a\r\r\nb", "a\r\n\r\nb\r\n.\r\n", BCR),
	EC("LF alone", "\n", "\r\n.\r\n", BLF),
	EC("CR alone", "\r", "\r\n.\r\n", BCR),
	EC("CRLF alone", "\r\n", "\r\n.\r\n", 0),
	EC("LF CR", "\n\r", "\r\n\r\n.\r\n", BLF | BCR),
	EC("NUL and 8-bit pass", "\0\xff\r\n", "\0\xff\r\n.\r\n", 0),
};

static void
run_enc(const unsigned char *in, size_t n, const struct split *sp,
    size_t outcap, unsigned longline, struct result *r, mw_err *last)
{
	struct mw_data_enc e;
	unsigned char *out = malloc(outcap);
	size_t s = 0;
	int ci = 0, first = 1;

	memset(r, 0, sizeof(*r));
	*last = MW_ERR_OK;
	mw_data_enc_init(&e, longline);
	while (first || s < n) {
		size_t end = next_cut(sp, s, n, &ci), off = 0;
		unsigned char *p = piece(in, s, end);

		first = 0;
		for (int guard = 0;; guard++) {
			size_t used, made;
			mw_err err = mw_data_encode(&e, p + off, end - s - off,
			    &used, out, outcap, &made);

			put(&r->out, out, made);
			off += used;
			if (err == MW_ERR_AGAIN) {
				if (off != end - s)
					r->misuse = 1;
				break;
			}
			if (err != MW_ERR_NOSPACE || guard > 100000) {
				*last = err;
				r->end = s + off;
				break;
			}
		}
		free(p);
		s = end;
		if (*last != MW_ERR_OK)
			break;
	}
	if (*last == MW_ERR_OK) {
		size_t made;

		*last = mw_data_encode_end(&e, out, outcap, &made);
		put(&r->out, out, made);
	}
	r->ev = *mw_data_enc_events(&e);
	if (mw_data_enc_size(&e) != r->out.len)
		r->misuse = 1;
	free(out);
}

/* the encoder's output for every split and buffer equals the whole run */
static int
encoder_agrees(const unsigned char *in, size_t n, unsigned longline,
    const struct result *want, mw_err wanterr)
{
	static const size_t caps[] = { 65536, 5, 6, 64, 70 };
	struct split sp;
	int ok = 1;

	for (size_t cut = 0; ok && cut <= n + 1; cut++) {
		memset(&sp, 0, sizeof(sp));
		if (cut == n + 1) {
			sp.bytewise = 1;
		} else {
			sp.ncuts = 1;
			sp.cuts[0] = cut;
		}
		for (size_t c = 0; ok && c < sizeof(caps) / sizeof(caps[0]);
		    c++) {
			struct result r;
			mw_err err;

			if (c > 0 && cut % 7 != 0 && cut < n + 1)
				continue;
			run_enc(in, n, &sp, caps[c], longline, &r, &err);
			if (err != wanterr || r.misuse || r.out.len !=
			    want->out.len || memcmp(r.out.p, want->out.p,
			    r.out.len) != 0 || !same_events(&r.ev, &want->ev) ||
			    (err == MW_ERR_LIMIT && r.end != want->end)) {
				snprintf(why, sizeof(why), "cut %zu, out %zu: "
				    "%s, %zu octets", cut, caps[c],
				    mw_err_name(err), r.out.len);
				ok = 0;
			}
			result_free(&r);
		}
	}
	return ok;
}

static void
encoder_cases(void)
{
	for (size_t i = 0; i < sizeof(ecases) / sizeof(ecases[0]); i++) {
		const struct ecase *c = &ecases[i];
		struct result r;
		struct split whole;
		mw_err err;
		int ok;

		memset(&whole, 0, sizeof(whole));
		run_enc((const unsigned char *)c->in, c->inlen, &whole, 4096,
		    MW_DATA_LONG_REJECT, &r, &err);
		ok = err == MW_ERR_OK && r.out.len == c->outlen &&
		    memcmp(r.out.p, c->out, c->outlen) == 0 &&
		    r.ev.mask == c->events;
		why[0] = '\0';
		if (ok)
			ok = encoder_agrees((const unsigned char *)c->in,
			    c->inlen, MW_DATA_LONG_REJECT, &r, MW_ERR_OK);
		CHECK(ok, "encoder: %s, at every split%s%s", c->name,
		    why[0] ? ": " : "", why);
		result_free(&r);
	}
}

static void
encoder_lines(void)
{
	for (size_t pi = 0; pi < sizeof(before) / sizeof(before[0]); pi++)
	for (int dot = 0; dot < 2; dot++)
		for (size_t text = 997; text <= 1000; text++) {
			size_t n, plen = strlen(before[pi]);
			unsigned char *in = line_of(before[pi], text, 0, "next",
			    &n);
			struct result r;
			struct split whole;
			mw_err err;
			int lng = text > MW_DATA_LINE_MAX;

			if (dot)
				in[plen] = '.';
			memset(&whole, 0, sizeof(whole));
			run_enc(in, n, &whole, 65536, MW_DATA_LONG_REJECT, &r,
			    &err);
			CHECK(lng ? err == MW_ERR_LIMIT && r.end == plen + 998 &&
			    r.out.len == plen + 998 + dot : err == MW_ERR_OK &&
			    r.out.len == plen + text + dot + 2 + 4 + 5,
			    "encoder: %s line of %zu octets with CRLF after %zu: "
			    "%s", dot ? "dot" : "plain", text + 2, plen, lng ?
			    "MW_ERR_LIMIT at its 999th octet" : "sent");
			why[0] = '\0';
			CHECK(encoder_agrees(in, n, MW_DATA_LONG_REJECT, &r,
			    lng ? MW_ERR_LIMIT : MW_ERR_OK),
			    "encoder: %zu-octet line after %zu, reject, every "
			    "split%s%s", text + 2, plen, why[0] ? ": " : "", why);
			result_free(&r);
			run_enc(in, n, &whole, 65536, MW_DATA_LONG_ACCEPT, &r,
			    &err);
			CHECK(err == MW_ERR_OK && r.out.len == plen + text +
			    dot + 2 + 4 + 5 && !!(r.ev.mask &
			    MW_DATA_EV_LONG_LINE) == lng && (!lng ||
			    r.ev.first[2] == plen + 998),
			    "encoder: %zu-octet line after %zu, accept: sent "
			    "unchanged%s", text + 2, plen, lng ? ", reported" : "");
			why[0] = '\0';
			CHECK(encoder_agrees(in, n, MW_DATA_LONG_ACCEPT, &r,
			    MW_ERR_OK), "encoder: %zu-octet line after %zu, "
			    "accept, every split%s%s", text + 2, plen,
			    why[0] ? ": " : "", why);
			result_free(&r);
			free(in);
		}
	{
		struct mw_data_enc e;
		unsigned char out[8];
		size_t used, made;

		mw_data_enc_init(&e, MW_DATA_LONG_REJECT);
		CHECK(mw_data_encode(NULL, L("x"), &used, out, 8, &made) ==
		    MW_ERR_INVAL && mw_data_encode(&e, L("x"), &used, NULL, 8,
		    &made) == MW_ERR_INVAL && mw_data_encode_end(&e, NULL, 5,
		    &made) == MW_ERR_INVAL, "encoder: NULL arguments");
		CHECK(mw_data_encode_end(&e, out, 2, &made) == MW_ERR_NOSPACE &&
		    made == 0 && mw_data_encode_end(&e, out, 3, &made) ==
		    MW_ERR_OK && made == 3 && mw_data_encode_end(&e, out, 8,
		    &made) == MW_ERR_STATE && mw_data_encode(&e, L("x"), &used,
		    out, 8, &made) == MW_ERR_STATE, "encoder: end needs its "
		    "room, and ends once");
		mw_data_enc_init(&e, MW_DATA_LONG_REJECT);
		CHECK(mw_data_encode(&e, L("a"), &used, out, 8, &made) ==
		    MW_ERR_AGAIN && mw_data_encode_end(&e, out, 4, &made) ==
		    MW_ERR_NOSPACE && mw_data_encode_end(&e, out, 5, &made) ==
		    MW_ERR_OK && made == 5, "encoder: an unended line needs 5 "
		    "octets at the end");
	}
}

/* --- round trip -------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1du;
}

/* the body as the decoder must return it: CR, LF, CRLF each as CRLF,
 * and a CRLF at the end of an unended last line */
static void
normalized(const unsigned char *in, size_t n, struct buf *b)
{
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\r' || in[i] == '\n') {
			put(b, "\r\n", 2);
			if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n')
				i++;
		} else {
			put(b, in + i, 1);
		}
	}
	if (b->len > 0 && b->p[b->len - 1] != '\n')
		put(b, "\r\n", 2);
}

static void
round_trip(void)
{
	static const unsigned char alpha[] = "\r\n.\r\n.a \0\xff";
	int bad = 0, n = 0, longs = 0, skipbad = 0;
	char first[160] = "";

	for (int iter = 0; iter < 3000; iter++) {
		size_t len = (size_t)(rnd() % (iter < 2000 ? 300 : 5000));
		unsigned char *body = malloc(len ? len : 1);
		struct buf want = { NULL, 0, 0 };
		struct result wire, dec;
		struct split whole, sp;
		struct mw_data_config cfg = { MW_DATA_BARE_REJECT,
		    MW_DATA_LONG_ACCEPT, 0 };
		mw_err err;
		int ok;

		/* mostly line-ish text, sometimes long runs */
		for (size_t i = 0; i < len; i++)
			body[i] = iter % 4 == 3 ? (unsigned char)rnd() :
			    rnd() % 4 ? (unsigned char)('a' + rnd() % 26) :
			    alpha[rnd() % (sizeof(alpha) - 1)];
		if (iter % 50 == 49)
			memset(body, 'q', len > 1500 ? 1500 : len);
		normalized(body, len, &want);
		memset(&whole, 0, sizeof(whole));
		run_enc(body, len, &whole, rnd() % 3 ? 1 << 16 : 7,
		    MW_DATA_LONG_ACCEPT, &wire, &err);
		memset(&sp, 0, sizeof(sp));
		sp.ncuts = 2;
		sp.cuts[0] = wire.out.len ? (size_t)(rnd() % wire.out.len) : 0;
		sp.cuts[1] = sp.cuts[0] + (wire.out.len - sp.cuts[0]) / 2;
		run_copy(wire.out.p, wire.out.len, &sp, 2 + rnd() % 200, &cfg,
		    &dec);
		{
			struct result sk;

			run_skip(wire.out.p, wire.out.len, iter % 2 ? &sp :
			    &whole, iter % 3 == 0, &sk);
			skipbad += sk.misuse || !sk.ended ||
			    sk.end != wire.out.len;
			result_free(&sk);
		}
		ok = err == MW_ERR_OK && !wire.misuse && !dec.misuse &&
		    dec.ended && dec.end == wire.out.len &&
		    dec.out.len == want.len && (want.len == 0 ||
		    memcmp(dec.out.p, want.p, want.len) == 0) &&
		    (dec.ev.mask & ~MW_DATA_EV_LONG_LINE) == 0 &&
		    dec.ev.count[2] == wire.ev.count[2] && dec.reply == NULL;
		longs += dec.ev.count[2] > 0;
		n++;
		if (!ok && !bad++)
			snprintf(first, sizeof(first), "iteration %d, %zu "
			    "octets: encode %s, decoded %zu of %zu, end %d",
			    iter, len, mw_err_name(err), dec.out.len, want.len,
			    dec.ended);
		free(body);
		free(want.p);
		result_free(&wire);
		result_free(&dec);
	}
	CHECK(bad == 0, "round trip: decode(encode(x)) is x with CRLF "
	    "normalised on %d random bodies (%d with long lines), ending "
	    "exactly at the wire's end%s%s", n, longs, bad ? "; " : "", first);
	CHECK(skipbad == 0, "round trip: mw_data_skip finds the same end on "
	    "the %d wire forms (%d wrong)", n, skipbad);
}

/* random wire input: the decoder against the reference at every split */
static void
random_wire(void)
{
	static const unsigned char alpha[] = "\r\n.\r\n.\r\n.a\0";
	int bad = 0;
	char first[400] = "";

	for (int iter = 0; iter < 400; iter++) {
		unsigned char in[160];
		size_t n = (size_t)(rnd() % sizeof(in));
		struct mw_data_config cfg = { (unsigned)(iter & 1),
		    (unsigned)(iter >> 1 & 1), iter % 3 ? 0 : 1 + rnd() % 50 };

		for (size_t i = 0; i < n; i++)
			in[i] = rnd() % 3 ? alpha[rnd() % (sizeof(alpha) - 1)] :
			    'x';
		if (!decoder_agrees(in, n, &cfg, NULL) && !bad++)
			snprintf(first, sizeof(first), "iteration %d: %s", iter,
			    why);
	}
	CHECK(bad == 0, "decoder: 400 random wire inputs rich in CR, LF and "
	    "dots, each policy and limit, at every split%s%s", bad ? "; " :
	    "", first);
}

/* --- BDAT (RFC 3030) ---------------------------------------------------- */

static void
bdat(void)
{
	struct mw_bdat b;
	size_t take;
	mw_err err;

	mw_bdat_init(&b, 100);
	CHECK(mw_bdat_feed(&b, 10, &take) == MW_ERR_STATE && take == 0,
	    "bdat: feed before BDAT is MW_ERR_STATE");
	CHECK(mw_bdat_begin(&b, 60, 0) == MW_ERR_OK &&
	    mw_bdat_begin(&b, 1, 0) == MW_ERR_STATE,
	    "bdat: BDAT before the chunk is complete is MW_ERR_STATE");
	err = mw_bdat_feed(&b, 25, &take);
	CHECK(err == MW_ERR_AGAIN && take == 25 && mw_bdat_total(&b) == 25,
	    "bdat: part of a chunk");
	err = mw_bdat_feed(&b, 1000, &take);
	CHECK(err == MW_ERR_OK && take == 35 && mw_bdat_total(&b) == 60 &&
	    mw_bdat_reply(&b) == NULL, "bdat: the chunk takes exactly its "
	    "count; the rest is the next command");
	CHECK(mw_bdat_begin(&b, 40, 0) == MW_ERR_OK &&
	    mw_bdat_feed(&b, 40, &take) == MW_ERR_OK &&
	    mw_bdat_total(&b) == 100 && mw_bdat_reply(&b) == NULL,
	    "bdat: a total of exactly the limit is accepted");
	CHECK(mw_bdat_begin(&b, 0, 0) == MW_ERR_OK &&
	    mw_bdat_feed(&b, 5, &take) == MW_ERR_OK && take == 0,
	    "bdat: BDAT 0 at the limit");
	CHECK(mw_bdat_begin(&b, 1, 0) == MW_ERR_LIMIT &&
	    mw_bdat_feed(&b, 5, &take) == MW_ERR_OK && take == 1 &&
	    mw_bdat_total(&b) == 100 && mw_bdat_reply(&b) != NULL &&
	    mw_bdat_reply(&b)->code == 552 &&
	    strcmp(mw_bdat_reply(&b)->esc, "5.3.4") == 0,
	    "bdat: one octet over the limit: read, discarded, 552 5.3.4");
	CHECK(mw_bdat_begin(&b, 0, 1) == MW_ERR_LIMIT &&
	    mw_bdat_feed(&b, 0, &take) == MW_ERR_OK && mw_bdat_done(&b) &&
	    mw_bdat_reply(&b)->code == 552, "bdat: the failed transaction "
	    "stays failed, even for BDAT 0 LAST");
	CHECK(mw_bdat_begin(&b, 3, 0) == MW_ERR_STATE &&
	    mw_bdat_reply(&b)->code == 503 && mw_bdat_feed(&b, 9, &take) ==
	    MW_ERR_OK && take == 3, "bdat: BDAT after LAST: 503, its octets "
	    "read and dropped");

	mw_bdat_init(&b, 0);
	CHECK(mw_bdat_begin(&b, UINT64_MAX - 5, 0) == MW_ERR_OK &&
	    mw_bdat_feed(&b, SIZE_MAX, &take) == (SIZE_MAX >= UINT64_MAX - 5 ?
	    MW_ERR_OK : MW_ERR_AGAIN), "bdat: a chunk of 2^64 - 6 octets");
	while (b.remaining != 0)
		mw_bdat_feed(&b, SIZE_MAX, &take);
	CHECK(mw_bdat_total(&b) == UINT64_MAX - 5 &&
	    mw_bdat_begin(&b, 6, 0) == MW_ERR_LIMIT,
	    "bdat: no limit, and a chunk that would wrap 64 bits is refused");
	mw_bdat_init(&b, 0);
	CHECK(mw_bdat_begin(&b, UINT64_MAX, 0) == MW_ERR_OK, "bdat: 2^64 - 1 "
	    "fits when nothing came before");
	mw_bdat_init(&b, 10);
	CHECK(mw_bdat_begin(&b, UINT64_MAX, 1) == MW_ERR_LIMIT &&
	    mw_bdat_begin(&b, 1, 0) == MW_ERR_STATE,
	    "bdat: a huge chunk against a limit is refused at once and must "
	    "still be read");
	mw_bdat_init(&b, 10);
	CHECK(mw_bdat_begin(&b, 7, 0) == MW_ERR_OK &&
	    mw_bdat_feed(&b, 7, &take) == MW_ERR_OK &&
	    mw_bdat_begin(&b, UINT64_MAX - 3, 0) == MW_ERR_LIMIT &&
	    mw_bdat_total(&b) == 7, "bdat: total + chunk wrapping to below "
	    "the limit is refused (7 + 2^64 - 4 = 3 mod 2^64)");
	mw_bdat_init(&b, 10);
	CHECK(mw_bdat_begin(&b, 10, 1) == MW_ERR_OK &&
	    mw_bdat_feed(&b, 4, &take) == MW_ERR_AGAIN && !mw_bdat_done(&b) &&
	    mw_bdat_feed(&b, 6, &take) == MW_ERR_OK && mw_bdat_done(&b) &&
	    mw_bdat_total(&b) == 10 && mw_bdat_reply(&b) == NULL,
	    "bdat: BDAT 10 LAST against a limit of 10");
	/* a body of dots and CRLF.CRLF is counted, never interpreted */
	mw_bdat_init(&b, 0);
	CHECK(mw_bdat_begin(&b, 11, 1) == MW_ERR_OK &&
	    mw_bdat_feed(&b, 16, &take) == MW_ERR_OK && take == 11,
	    "bdat: \"..\\r\\n.\\r\\n\" inside a chunk is only octets");
	CHECK(mw_bdat_begin(NULL, 1, 0) == MW_ERR_INVAL &&
	    mw_bdat_feed(&b, 1, NULL) == MW_ERR_INVAL &&
	    mw_bdat_reply(NULL) == NULL && mw_bdat_total(NULL) == 0,
	    "bdat: NULL arguments");
}

int
main(void)
{
#if defined(MW_DATA_PORTABLE)
	printf("# portable scan (MW_DATA_PORTABLE)\n");
#endif
	decoder_cases();
	smuggling_pairs();
	alignments();
	line_lengths();
	size_limit();
	api();
	random_wire();
	encoder_cases();
	encoder_lines();
	round_trip();
	bdat();
	return check_done();
}
