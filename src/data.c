/*
 * src/data.c: the DATA transparency codec (RFC 5321 4.5.2) in both
 * directions, and BDAT chunk counting (RFC 3030). See docs/DATA.md.
 *
 * The bytes are not walked one at a time. Input goes 64 octets at a
 * time; the byte state machine runs only at "candidates": a bare LF, a
 * bare CR, a dot at a line start, and the octet where a line passes 998
 * octets. A CR in a block's last octet is a candidate too, so the
 * machine, not the block, waits for the octet that follows. Everything
 * between candidates is copied (or spanned) as is.
 *
 * blocks() is the hot loop over whole blocks without a candidate (with
 * SSE2 a vector test, two movemasks per block); classify() finds the
 * first candidate of a block exactly, from CR, LF and '.' bit masks built
 * with SSE2 or, with MW_DATA_PORTABLE or without SSE2, eight octets at a
 * time in a 64-bit word. mw_data_skip() only looks for CRLF.CRLF.
 */
#include <string.h>

#include <mailwire/data.h>

#if defined(__SSE2__) && !defined(MW_DATA_PORTABLE)
#include <emmintrin.h>
#define MW_DATA_SSE2 1
#endif

#if defined(__GNUC__)
#define HOT	inline __attribute__((always_inline))
#else
#define HOT	inline
#endif

/* decoder states */
#define DEC_BOL		0	/* at a line start: after CRLF, or after 354 */
#define DEC_TEXT	1	/* inside a line */
#define DEC_CR		2	/* after a CR in a line (delivered already) */
#define DEC_DOT		3	/* after a dot at a line start (dropped) */
#define DEC_DOTCR	4	/* after "." CR at a line start (CR held) */
#define DEC_END		5	/* CRLF.CRLF seen */

/* encoder states */
#define ENC_BOL		0	/* at a line start of the output */
#define ENC_TEXT	1	/* inside a line */
#define ENC_CRSEEN	2	/* a CR went as CRLF; an LF next is its own */
#define ENC_LIMIT	3	/* a long line was refused (sticky) */
#define ENC_DONE	4	/* ".\r\n" written */

/* bdat states */
#define BDAT_IDLE	0	/* between chunks */
#define BDAT_CHUNK	1	/* octets of a chunk are to come */
#define BDAT_DONE	2	/* the LAST chunk was received */

#define REFUSED_SIZE	1
#define REFUSED_SEQ	2

static const unsigned char crlf[2] = { '\r', '\n' };
static const unsigned char nothing[1];

/*
 * The replies. Bare CR/LF: 550 (a policy refusal, as Postfix's
 * smtpd_forbid_bare_newline) with 5.5.2, since the peer broke SMTP's line
 * syntax (RFC 5321 2.3.8), not the message format. Long lines: 5.6.0, the
 * content must be re-encoded (quoted-printable, base64) to pass. Size:
 * 552 as RFC 1870 6.1 words it, 5.3.4 as RFC 3463 3.4 codes it.
 */
static const struct mw_data_reply reply_size = {
	552, "5.3.4", "Message size exceeds fixed maximum message size"
};
static const struct mw_data_reply reply_bare_lf = {
	550, "5.5.2", "Message refused: bare <LF> received (RFC 5321 2.3.8)"
};
static const struct mw_data_reply reply_bare_cr = {
	550, "5.5.2", "Message refused: bare <CR> received (RFC 5321 2.3.8)"
};
static const struct mw_data_reply reply_long = {
	550, "5.6.0",
	"Message refused: text line over 1000 octets (RFC 5321 4.5.3.1.6)"
};
static const struct mw_data_reply reply_seq = {
	503, "5.5.1", "Bad sequence of commands: BDAT after BDAT LAST"
};

/* --- the block scan ---------------------------------------------------- */

/*
 * Eight octets in a 64-bit word, for the portable scan and the short
 * tails. eq() sets the high bit of each octet of w that equals the octet
 * in pat, exactly (no borrow runs into the next octet). The word is
 * assembled little-endian from bytes, which compilers turn into one load
 * where that is the native order.
 */
#define LO7	UINT64_C(0x7f7f7f7f7f7f7f7f)
#define HI1	UINT64_C(0x8080808080808080)
#define ALL(c)	(UINT64_C(0x0101010101010101) * (c))

static HOT uint64_t
load64(const unsigned char *s)
{
	return (uint64_t)s[0] | (uint64_t)s[1] << 8 | (uint64_t)s[2] << 16 |
	    (uint64_t)s[3] << 24 | (uint64_t)s[4] << 32 |
	    (uint64_t)s[5] << 40 | (uint64_t)s[6] << 48 |
	    (uint64_t)s[7] << 56;
}

static HOT uint64_t
eq(uint64_t w, uint64_t pat)
{
	uint64_t x = w ^ pat;

	return ~(((x & LO7) + LO7) | x) & HI1;
}

struct blk {
	uint64_t	cr, lf, dot;	/* bit i: octet i is that */
};

#if defined(MW_DATA_SSE2)
static HOT uint64_t
bits(__m128i a, __m128i b, __m128i c, __m128i d, __m128i x)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, x)) |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, x)) << 16 |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, x)) << 32 |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(d, x)) << 48;
}

/* 64 octets at p; copies them to dst as well unless dst is NULL */
static HOT void
scan64(const unsigned char *p, unsigned char *dst, struct blk *b)
{
	__m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	__m128i v2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
	__m128i v3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));

	if (dst != NULL) {
		_mm_storeu_si128((__m128i *)(void *)dst, v0);
		_mm_storeu_si128((__m128i *)(void *)(dst + 16), v1);
		_mm_storeu_si128((__m128i *)(void *)(dst + 32), v2);
		_mm_storeu_si128((__m128i *)(void *)(dst + 48), v3);
	}
	b->cr = bits(v0, v1, v2, v3, _mm_set1_epi8('\r'));
	b->lf = bits(v0, v1, v2, v3, _mm_set1_epi8('\n'));
	b->dot = bits(v0, v1, v2, v3, _mm_set1_epi8('.'));
}
#else
/*
 * The portable scan: eight octets per 64-bit word (eq() and load64()
 * below); gather() packs the high bits eq() sets into 8 bits.
 */
static HOT uint64_t
gather(uint64_t m)
{
	return ((m >> 7) * UINT64_C(0x0102040810204080)) >> 56;
}

static HOT void
scan64(const unsigned char *p, unsigned char *dst, struct blk *b)
{
	b->cr = b->lf = b->dot = 0;
	if (dst != NULL)
		memcpy(dst, p, 64);
	for (unsigned i = 0; i < 64; i += 8) {
		uint64_t w = load64(p + i);
		uint64_t c = eq(w, ALL('\r'));
		uint64_t l = eq(w, ALL('\n'));
		uint64_t d = eq(w, ALL('.'));

		if ((c | l | d) == 0)
			continue;
		b->cr |= gather(c) << i;
		b->lf |= gather(l) << i;
		b->dot |= gather(d) << i;
	}
}
#endif

/* fewer than 64 octets: scanned from a copy padded with NULs, which are
 * none of CR, LF, '.'; so no read goes past p + n */
static void
scan_part(const unsigned char *p, size_t n, struct blk *b)
{
	unsigned char tmp[64];

	memset(tmp, 0, sizeof(tmp));
	memcpy(tmp, p, n);
	scan64(tmp, NULL, b);
}

static HOT unsigned
ctz(uint64_t x)
{
#if defined(__GNUC__)
	return (unsigned)__builtin_ctzll(x);
#else
	unsigned n = 0;

	while ((x & 1) == 0) {
		x >>= 1;
		n++;
	}
	return n;
#endif
}

/* index of the highest set bit; x != 0 */
static HOT unsigned
top(uint64_t x)
{
#if defined(__GNUC__)
	return 63u - (unsigned)__builtin_clzll(x);
#else
	unsigned n = 0;

	while (x >>= 1)
		n++;
	return n;
#endif
}

static HOT uint64_t
below(size_t k)
{
	return k >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << k) - 1;
}

/*
 * The common classification of a block of n octets whose first octet is
 * at a line start if bol is set (no CR before it is pending here: the
 * state machine keeps a CR it has seen). Returns the length k of the
 * prefix that needs no state machine; *brk gets the CR and LF positions
 * within it. lim is the index of the current line's 999th octet (RFC
 * 5321 4.5.3.1.6), or anything >= 64 if it is not in the block: a prefix
 * stops there, so the machine reports the line.
 */
static HOT size_t
classify(const struct blk *b, size_t n, int bol, uint64_t lim, uint64_t *brk)
{
	uint64_t pair = b->lf & (b->cr << 1);	/* LF of a CRLF */
	uint64_t starts = (pair << 1) | (uint64_t)(bol != 0);
	uint64_t cand = (b->lf & ~(b->cr << 1)) |	/* bare LF */
	    (b->cr & ~(b->lf >> 1)) |		/* bare CR, or CR at the end */
	    (b->dot & starts);			/* stuffing, or the end */
	size_t k = cand != 0 ? ctz(cand) : n;
	uint64_t r = (b->cr | b->lf) & below(k);
	size_t f = r != 0 ? ctz(r) : k;

	if (lim < f) {
		/* the line's text passes 998 octets before it ends */
		k = (size_t)lim;
		r = 0;
	}
	*brk = r;
	return k;
}

/*
 * The hot loop: whole blocks of avail octets at p (wire offset pos) as
 * long as none holds a candidate, copied to q unless q is NULL. Nothing
 * here waits on the data to find the next block (a predicted branch, not
 * a computed length), so the loads run ahead. Returns the octets passed;
 * *lstart and *bol follow them. It stops before a block where a line
 * could reach its 999th octet, and before a block that ends in CR (the
 * machine must see the octet after it); classify() takes those. back is
 * set if p[-1] may be read.
 */
#if defined(MW_DATA_SSE2)
/*
 * With SSE2 the candidates are found without building the masks. Beside
 * each 16 octets v, the 16 that start one before, w, are loaded (so the
 * octet before each one is at hand, across lanes and blocks). An octet is
 * expected to be an LF exactly when the octet before it is a CR; a dot
 * after an LF is counted as if it were an LF. So x = LF | (dot & LF
 * before) must equal "CR before" everywhere: a difference is a bare LF,
 * a bare CR, a CR before CR, or a dot at a line start. Two movemasks per
 * 64 octets instead of twelve. At the first block, p[-1] is the octet
 * that led to the state: in BOL it is the LF of a CRLF; in TEXT it is no
 * pending CR (a CR there was bare, which makes the block a candidate, a
 * harmless excess).
 */
static HOT size_t
blocks(const unsigned char *p, size_t avail, unsigned char *q, uint64_t pos,
    uint64_t *lstart, int *bol, int back)
{
	const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
	const __m128i dot = _mm_set1_epi8('.');
	uint64_t ls = *lstart, lb = ls, at;
	size_t done = 0;
	int ended = 0;
	/* a line already past 998 octets needs no guard until it ends */
	int over = ls + MW_DATA_LINE_MAX < pos;

	if (!back)
		return 0;
	while (avail - done >= 64) {
		const unsigned char *s = p + done;
		__m128i v0, v1, v2, v3, w0, w1, w2, w3, c, t, u;

		at = pos + done;
		/* RFC 5321 4.5.3.1.6: lb <= the line's start, so the 999th
		 * octet is at lb + 998 or later */
		if (s[63] == '\r' || (!over && lb + MW_DATA_LINE_MAX < at + 64))
			break;
		v0 = _mm_loadu_si128((const __m128i *)(const void *)s);
		v1 = _mm_loadu_si128((const __m128i *)(const void *)(s + 16));
		v2 = _mm_loadu_si128((const __m128i *)(const void *)(s + 32));
		v3 = _mm_loadu_si128((const __m128i *)(const void *)(s + 48));
		w0 = _mm_loadu_si128((const __m128i *)(const void *)(s - 1));
		w1 = _mm_loadu_si128((const __m128i *)(const void *)(s + 15));
		w2 = _mm_loadu_si128((const __m128i *)(const void *)(s + 31));
		w3 = _mm_loadu_si128((const __m128i *)(const void *)(s + 47));
		if (q != NULL) {
			unsigned char *o = q + done;

			_mm_storeu_si128((__m128i *)(void *)o, v0);
			_mm_storeu_si128((__m128i *)(void *)(o + 16), v1);
			_mm_storeu_si128((__m128i *)(void *)(o + 32), v2);
			_mm_storeu_si128((__m128i *)(void *)(o + 48), v3);
		}
		/* c: "CR before"; u gathers them: a CR in this block (one
		 * in s[-1] would be pending or bare, never here) */
#define MW__X(v, w) _mm_or_si128(_mm_cmpeq_epi8((v), lf), _mm_and_si128( \
	_mm_cmpeq_epi8((v), dot), _mm_cmpeq_epi8((w), lf)))
		c = _mm_cmpeq_epi8(w0, cr);
		t = _mm_xor_si128(MW__X(v0, w0), c);
		u = c;
		c = _mm_cmpeq_epi8(w1, cr);
		t = _mm_or_si128(t, _mm_xor_si128(MW__X(v1, w1), c));
		u = _mm_or_si128(u, c);
		c = _mm_cmpeq_epi8(w2, cr);
		t = _mm_or_si128(t, _mm_xor_si128(MW__X(v2, w2), c));
		u = _mm_or_si128(u, c);
		c = _mm_cmpeq_epi8(w3, cr);
		t = _mm_or_si128(t, _mm_xor_si128(MW__X(v3, w3), c));
		u = _mm_or_si128(u, c);
#undef MW__X
		if (_mm_movemask_epi8(t) != 0)
			break;
		if (_mm_movemask_epi8(u) != 0) {
			/* a line ends in this block */
			lb = at;
			over = 0;
			ended = 1;
		}
		done += 64;
	}
	if (done > 0) {
		if (ended) {
			/* the exact start: after the last LF of lb's block */
			struct blk b;

			scan64(p + (size_t)(lb - pos), NULL, &b);
			ls = lb + top(b.lf) + 1;
		}
		*lstart = ls;
		*bol = p[done - 1] == '\n';
	}
	return done;
}
#else
static HOT size_t
blocks(const unsigned char *p, size_t avail, unsigned char *q, uint64_t pos,
    uint64_t *lstart, int *bol, int back)
{
	uint64_t ls = *lstart, sol = (uint64_t)(*bol != 0);
	size_t done = 0;

	(void)back;
	while (avail - done >= 64) {
		struct blk b;
		uint64_t cand, brk;

		scan64(p + done, q != NULL ? q + done : NULL, &b);
		cand = (b.lf & ~(b.cr << 1)) | (b.cr & ~(b.lf >> 1)) |
		    (b.dot & (((b.lf & (b.cr << 1)) << 1) | sol));
		if (cand != 0 || ls + MW_DATA_LINE_MAX - (pos + done) < 64)
			break;
		brk = b.cr | b.lf;
		if (brk != 0)
			ls = pos + done + top(brk) + 1;
		sol = b.lf >> 63;
		done += 64;
	}
	*lstart = ls;
	*bol = (int)sol;
	return done;
}
#endif

/* --- events ------------------------------------------------------------ */

static void
event(struct mw_data_events *ev, unsigned bit, uint64_t pos)
{
	unsigned i = ctz(bit);

	if ((ev->mask & bit) == 0)
		ev->first[i] = pos;
	ev->mask |= bit;
	ev->count[i]++;
}

const char *
mw_data_event_name(unsigned ev)
{
	switch (ev) {
	case MW_DATA_EV_BARE_LF:
		return "bare-lf";
	case MW_DATA_EV_BARE_CR:
		return "bare-cr";
	case MW_DATA_EV_LONG_LINE:
		return "long-line";
	case MW_DATA_EV_TOO_BIG:
		return "too-big";
	default:
		return "unknown";
	}
}

/* --- the decoder ------------------------------------------------------- */

void
mw_data_dec_init(struct mw_data_dec *d, const struct mw_data_config *cfg)
{
	if (d == NULL)
		return;
	memset(d, 0, sizeof(*d));
	d->state = DEC_BOL;
	d->max_size = UINT64_MAX;
	if (cfg != NULL) {
		d->bare = cfg->bare == MW_DATA_BARE_NORMALIZE ?
		    MW_DATA_BARE_NORMALIZE : MW_DATA_BARE_REJECT;
		d->longline = cfg->longline == MW_DATA_LONG_REJECT ?
		    MW_DATA_LONG_REJECT : MW_DATA_LONG_ACCEPT;
		if (cfg->max_size != 0)
			d->max_size = cfg->max_size;
	}
}

/* n more decoded octets, the first of them from wire offset pos; exact
 * says they map one to one onto wire octets (the offset of the octet
 * that passes the limit is then known) */
static HOT void
grow(struct mw_data_dec *d, uint64_t n, uint64_t pos, int exact)
{
	if (n > d->max_size - d->size &&
	    (d->ev.mask & MW_DATA_EV_TOO_BIG) == 0)
		event(&d->ev, MW_DATA_EV_TOO_BIG,
		    exact ? pos + (d->max_size - d->size) : pos);
	d->size += n;
}

/*
 * The decoder, for both output forms: copy into out (copy set) or return
 * a span. In span mode the span is [sp, p) of the input until something
 * other than the input's own octets must be delivered (a dropped dot, an
 * inserted or held-back CR or LF); then the call returns what it has.
 */
static HOT mw_err
decode(struct mw_data_dec *d, const unsigned char *in, size_t inlen,
    size_t *consumed, unsigned char *out, size_t outlen, size_t *produced,
    const unsigned char **span, size_t *spanlen, const int copy)
{
	const unsigned char *p = in, *const e = in + inlen, *sp = in, *spe;
	unsigned char *q = out;
	const unsigned char *lit = NULL;
	size_t litlen = 0, eat = 0, room;
	const uint64_t base = d->off;
	unsigned state = d->state;
	const int norm = d->bare == MW_DATA_BARE_NORMALIZE;
	mw_err err;

	if (state == DEC_END) {
		err = MW_ERR_STATE;
		spe = p;
		goto done;
	}
	for (;;) {
		uint64_t pos;
		unsigned c;

		/* the fast path: whole blocks up to the next candidate */
		while (state <= DEC_TEXT && p < e) {
			struct blk b;
			uint64_t brk, ls = d->lstart;
			size_t n = (size_t)(e - p), k, avail = n;
			int bol = state == DEC_BOL;

			pos = base + (uint64_t)(p - in);
			if (copy && outlen - (size_t)(q - out) < avail)
				avail = outlen - (size_t)(q - out);
			/* short of the size limit, so grow() finds the octet */
			if ((d->ev.mask & MW_DATA_EV_TOO_BIG) == 0 &&
			    d->max_size - d->size < avail)
				avail = (size_t)(d->max_size - d->size);
			k = blocks(p, avail, copy ? q : NULL, pos, &ls, &bol,
			    p > in);
			d->lstart = ls;
			if (k > 0) {
				state = bol ? DEC_BOL : DEC_TEXT;
				d->size += k;
				p += k;
				if (copy)
					q += k;
				if (p == e)
					break;
				n = (size_t)(e - p);
				pos = base + (uint64_t)(p - in);
			}
			/* one more block, exactly: a candidate, or the tail */
			if (copy) {
				room = outlen - (size_t)(q - out);
				if (room < n)
					n = room;
				if (n == 0)
					break;
			}
			if (n >= 64) {
				n = 64;
				scan64(p, copy ? q : NULL, &b);
			} else {
				scan_part(p, n, &b);
			}
			k = classify(&b, n, state == DEC_BOL,
			    d->lstart + MW_DATA_LINE_MAX - pos, &brk);
			if (k > 0) {
				if (copy && n < 64)
					memcpy(q, p, k);
				if (brk != 0)
					d->lstart = pos + top(brk) + 1;
				state = (b.lf >> (k - 1)) & 1 ? DEC_BOL :
				    DEC_TEXT;
				grow(d, k, pos, 1);
				p += k;
				if (copy)
					q += k;
			}
			if (k < n)
				break;
		}
		if (p == e) {
			err = MW_ERR_AGAIN;
			spe = p;
			goto done;
		}

		/* the state machine, at a candidate */
		c = *p;
		pos = base + (uint64_t)(p - in);
		switch (state) {
		case DEC_BOL:
			if (c == '.') {
				/*
				 * RFC 5321 4.5.2: a line's leading period is
				 * dropped; if the line is only ".", the data
				 * ends. Either way it is not delivered.
				 */
				state = DEC_DOT;
				d->lstart = pos + 1;
				p++;
				if (!copy) {
					if (p - 1 > sp) {
						err = MW_ERR_AGAIN;
						spe = p - 1;
						goto done;
					}
					sp = p;
				}
				continue;
			}
			/* FALLTHROUGH */
		case DEC_TEXT:
			if (c == '\n')
				goto bare_lf;
			if (copy && q == out + outlen) {
				err = MW_ERR_NOSPACE;
				spe = p;
				goto done;
			}
			if (c == '\r') {
				state = DEC_CR;
				d->lstart = pos + 1;
			} else {
				if (pos - d->lstart == MW_DATA_LINE_MAX)
					event(&d->ev, MW_DATA_EV_LONG_LINE,
					    pos);
				state = DEC_TEXT;
			}
			if (copy)
				*q++ = (unsigned char)c;
			grow(d, 1, pos, 1);
			p++;
			continue;
		case DEC_CR:
			if (c == '\n') {
				if (copy && q == out + outlen) {
					err = MW_ERR_NOSPACE;
					spe = p;
					goto done;
				}
				state = DEC_BOL;
				d->lstart = pos + 1;
				if (copy)
					*q++ = '\n';
				grow(d, 1, pos, 1);
				p++;
				continue;
			}
			/*
			 * RFC 5321 2.3.8: a CR without LF ends no line. It
			 * was delivered already; normalising adds the LF.
			 * The octet after it is looked at again as text.
			 */
			if (norm) {
				lit = crlf + 1;
				litlen = 1;
				eat = 0;
				goto literal;
			}
			event(&d->ev, MW_DATA_EV_BARE_CR, pos - 1);
			state = DEC_TEXT;
			continue;
		case DEC_DOT:
			if (c == '\r') {
				/* maybe the end: hold the CR back */
				state = DEC_DOTCR;
				d->lstart = pos + 1;
				p++;
				sp = p;
				continue;
			}
			if (c == '\n')
				goto bare_lf;
			state = DEC_TEXT;
			continue;
		case DEC_DOTCR:
			if (c == '\n') {
				/* CRLF . CRLF: the end (RFC 5321 4.1.1.4) */
				state = DEC_END;
				p++;
				sp = p;
				err = MW_ERR_OK;
				spe = p;
				goto done;
			}
			/* "." CR and no LF: a stuffed line with a bare CR;
			 * the held-back CR is delivered now */
			lit = crlf;
			litlen = norm ? 2 : 1;
			eat = 0;
			goto literal;
		}
		/* NOTREACHED */
		err = MW_ERR_STATE;
		spe = p;
		goto done;

bare_lf:
		/*
		 * RFC 5321 2.3.8: an LF without CR ends no line, so it can
		 * never start the final dot's line (LF.CRLF, LF.LF are no
		 * end). Normalising delivers CRLF; else it passes as is and
		 * the message is refused at its end.
		 */
		lit = norm ? crlf : crlf + 1;
		litlen = norm ? 2 : 1;
		eat = 1;
		if (!norm && !copy) {
			/* the LF itself is delivered: the span goes on */
			event(&d->ev, MW_DATA_EV_BARE_LF, pos);
			state = DEC_TEXT;
			d->lstart = pos + 1;
			grow(d, 1, pos, 1);
			p++;
			continue;
		}
literal:
		/* deliver lit[0..litlen), consuming eat octets of input */
		if (copy) {
			if (outlen - (size_t)(q - out) < litlen) {
				err = MW_ERR_NOSPACE;
				spe = p;
				goto done;
			}
			memcpy(q, lit, litlen);
			q += litlen;
		} else if (p > sp) {
			/* first the span before it */
			err = MW_ERR_AGAIN;
			spe = p;
			goto done;
		}
		if (eat) {
			event(&d->ev, MW_DATA_EV_BARE_LF, pos);
		} else {
			event(&d->ev, MW_DATA_EV_BARE_CR, pos - 1);
		}
		state = DEC_TEXT;
		d->lstart = pos + eat;
		/* an octet added for a bare CR counts at the CR */
		grow(d, litlen, eat ? pos : pos - 1, 0);
		p += eat;
		if (!copy) {
			d->off = base + (uint64_t)(p - in);
			d->state = (unsigned char)state;
			*consumed = (size_t)(p - in);
			*span = lit;
			*spanlen = litlen;
			return MW_ERR_AGAIN;
		}
	}
done:
	d->off = base + (uint64_t)(p - in);
	d->state = (unsigned char)state;
	*consumed = (size_t)(p - in);
	if (copy) {
		*produced = (size_t)(q - out);
	} else {
		*span = sp;
		*spanlen = (size_t)(spe - sp);
	}
	return err;
}

mw_err
mw_data_decode(struct mw_data_dec *d, const unsigned char *in, size_t inlen,
    size_t *consumed, unsigned char *out, size_t outlen, size_t *produced)
{
	unsigned char dummy[1];

	if (consumed != NULL)
		*consumed = 0;
	if (produced != NULL)
		*produced = 0;
	if (d == NULL || (in == NULL && inlen != 0) || consumed == NULL ||
	    (out == NULL && outlen != 0) || produced == NULL)
		return MW_ERR_INVAL;
	return decode(d, in != NULL ? in : nothing, inlen, consumed,
	    out != NULL ? out : dummy, outlen, produced, NULL, NULL, 1);
}

mw_err
mw_data_next(struct mw_data_dec *d, const unsigned char *in, size_t inlen,
    size_t *consumed, const unsigned char **span, size_t *spanlen)
{
	if (consumed != NULL)
		*consumed = 0;
	if (spanlen != NULL)
		*spanlen = 0;
	if (span != NULL)
		*span = nothing;
	if (d == NULL || (in == NULL && inlen != 0) || consumed == NULL ||
	    span == NULL || spanlen == NULL)
		return MW_ERR_INVAL;
	return decode(d, in != NULL ? in : nothing, inlen, consumed, NULL, 0,
	    NULL, span, spanlen, 0);
}

/*
 * One octet of the search for CRLF . CRLF. The decoder's states double as
 * how much of the marker the last octets match: TEXT none, CR "\r", BOL
 * "\r\n" (also at the start, after the DATA line), DOT "\r\n.", DOTCR
 * "\r\n.\r".
 */
static unsigned
marker(unsigned st, unsigned c)
{
	switch (st) {
	case DEC_BOL:
		if (c == '.')
			return DEC_DOT;
		break;
	case DEC_CR:
		if (c == '\n')
			return DEC_BOL;
		break;
	case DEC_DOT:
		if (c == '\r')
			return DEC_DOTCR;
		break;
	case DEC_DOTCR:
		if (c == '\n')
			return DEC_END;
		break;
	}
	return c == '\r' ? DEC_CR : DEC_TEXT;
}

/*
 * The first whole CRLF . CRLF in p[0..n), or NULL. An LF followed by a
 * dot (loads at +1 and +2) is the rare anchor, then the CR before and the
 * CRLF after are checked: 64 octets at a time with SSE2, then (and in the
 * portable build) 8 at a time in a word, the last few one by one.
 */
static const unsigned char *
find_end(const unsigned char *p, size_t n)
{
	size_t i = 0;

#if defined(MW_DATA_SSE2)
	const __m128i lf = _mm_set1_epi8('\n'), dot = _mm_set1_epi8('.');

	while (n - i >= 64 + 4) {
		const unsigned char *s = p + i;
		__m128i a0, a1, a2, a3;

#define MW__A(o) _mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128( \
	(const __m128i *)(const void *)(s + (o) + 1)), lf), \
	_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *) \
	(s + (o) + 2)), dot))
		a0 = MW__A(0);
		a1 = MW__A(16);
		a2 = MW__A(32);
		a3 = MW__A(48);
#undef MW__A
		if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a0, a1),
		    _mm_or_si128(a2, a3))) != 0) {
			uint64_t m = (uint64_t)(unsigned)_mm_movemask_epi8(a0) |
			    (uint64_t)(unsigned)_mm_movemask_epi8(a1) << 16 |
			    (uint64_t)(unsigned)_mm_movemask_epi8(a2) << 32 |
			    (uint64_t)(unsigned)_mm_movemask_epi8(a3) << 48;

			for (; m != 0; m &= m - 1) {
				const unsigned char *c = s + ctz(m);

				if (c[0] == '\r' && c[3] == '\r' &&
				    c[4] == '\n')
					return c;
			}
		}
		i += 64;
	}
#endif
	while (n - i >= 8 + 4) {
		uint64_t m = eq(load64(p + i + 1), ALL('\n')) &
		    eq(load64(p + i + 2), ALL('.'));

		for (; m != 0; m &= m - 1) {
			const unsigned char *c = p + i + ctz(m) / 8;

			if (c[0] == '\r' && c[3] == '\r' && c[4] == '\n')
				return c;
		}
		i += 8;
	}
	for (; n >= 5 && i <= n - 5; i++)
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '.' &&
		    p[i + 3] == '\r' && p[i + 4] == '\n')
			return p + i;
	return NULL;
}

mw_err
mw_data_skip(struct mw_data_dec *d, const unsigned char *in, size_t inlen,
    size_t *consumed)
{
	const unsigned char *p = in, *e, *f, *t;
	unsigned st;

	if (consumed != NULL)
		*consumed = 0;
	if (d == NULL || (in == NULL && inlen != 0) || consumed == NULL)
		return MW_ERR_INVAL;
	if (d->state == DEC_END)
		return MW_ERR_STATE;
	if (inlen == 0)
		return MW_ERR_AGAIN;
	e = in + inlen;
	st = d->state;
	/*
	 * The machine while part of the marker is pending, except that
	 * after CRLF or CR (blank lines keep the state there) the rest of
	 * the marker is compared at once: if it is not there, no marker
	 * begins before p and the search takes over.
	 */
	while (p < e && st != DEC_TEXT && st != DEC_END) {
		if (st == DEC_BOL && e - p >= 3) {
			if (memcmp(p, ".\r\n", 3) != 0)
				break;
			p += 3;
			st = DEC_END;
		} else if (st == DEC_CR && e - p >= 4) {
			if (memcmp(p, "\n.\r\n", 4) != 0)
				break;
			p += 4;
			st = DEC_END;
		} else {
			st = marker(st, *p++);
		}
	}
	if (st != DEC_END && p < e) {
		if ((f = find_end(p, (size_t)(e - p))) != NULL) {
			p = f + 5;
			st = DEC_END;
		} else {
			/*
			 * No whole marker: what the last four octets match
			 * of it is the state (the marker is five octets, so
			 * nothing older can be part of a match).
			 */
			t = e - p > 4 ? e - 4 : p;
			for (st = DEC_TEXT; t < e; t++)
				st = marker(st, *t);
			p = e;
		}
	}
	d->off += (uint64_t)(p - in);
	d->lstart = d->off;
	d->state = (unsigned char)st;
	*consumed = (size_t)(p - in);
	return st == DEC_END ? MW_ERR_OK : MW_ERR_AGAIN;
}

int
mw_data_dec_done(const struct mw_data_dec *d)
{
	return d != NULL && d->state == DEC_END;
}

uint64_t
mw_data_dec_offset(const struct mw_data_dec *d)
{
	return d != NULL ? d->off : 0;
}

uint64_t
mw_data_dec_size(const struct mw_data_dec *d)
{
	return d != NULL ? d->size : 0;
}

const struct mw_data_events *
mw_data_dec_events(const struct mw_data_dec *d)
{
	static const struct mw_data_events none;

	return d != NULL ? &d->ev : &none;
}

const struct mw_data_reply *
mw_data_dec_reply(const struct mw_data_dec *d)
{
	if (d == NULL)
		return NULL;
	if (d->ev.mask & MW_DATA_EV_TOO_BIG)
		return &reply_size;
	if (d->bare == MW_DATA_BARE_REJECT) {
		if (d->ev.mask & MW_DATA_EV_BARE_LF)
			return &reply_bare_lf;
		if (d->ev.mask & MW_DATA_EV_BARE_CR)
			return &reply_bare_cr;
	}
	if (d->longline == MW_DATA_LONG_REJECT &&
	    (d->ev.mask & MW_DATA_EV_LONG_LINE))
		return &reply_long;
	return NULL;
}

/* --- the encoder ------------------------------------------------------- */

void
mw_data_enc_init(struct mw_data_enc *e, unsigned longline)
{
	if (e == NULL)
		return;
	memset(e, 0, sizeof(*e));
	e->state = ENC_BOL;
	e->longline = longline == MW_DATA_LONG_ACCEPT ? MW_DATA_LONG_ACCEPT :
	    MW_DATA_LONG_REJECT;
}

mw_err
mw_data_encode(struct mw_data_enc *en, const unsigned char *in, size_t inlen,
    size_t *consumed, unsigned char *out, size_t outlen, size_t *produced)
{
	const unsigned char *p = in, *e;
	unsigned char *q = out, *qe;
	uint64_t base;
	unsigned state;
	mw_err err;

	if (consumed != NULL)
		*consumed = 0;
	if (produced != NULL)
		*produced = 0;
	if (en == NULL || (in == NULL && inlen != 0) || consumed == NULL ||
	    (out == NULL && outlen != 0) || produced == NULL)
		return MW_ERR_INVAL;
	if (en->state == ENC_LIMIT)
		return MW_ERR_LIMIT;
	if (en->state == ENC_DONE)
		return MW_ERR_STATE;
	if (inlen == 0)
		return MW_ERR_AGAIN;
	if (outlen == 0)
		return MW_ERR_NOSPACE;
	e = in + inlen;
	qe = out + outlen;
	base = en->off;
	state = en->state;
	for (;;) {
		uint64_t pos;
		unsigned c;

		while (state <= ENC_TEXT && p < e) {
			struct blk b;
			uint64_t brk, ls = en->lstart;
			size_t n = (size_t)(e - p), k;
			int bol = state == ENC_BOL;

			pos = base + (uint64_t)(p - in);
			if ((size_t)(qe - q) < n)
				n = (size_t)(qe - q);
			k = blocks(p, n, q, pos, &ls, &bol, p > in);
			en->lstart = ls;
			if (k > 0) {
				state = bol ? ENC_BOL : ENC_TEXT;
				p += k;
				q += k;
				n -= k;
				pos += k;
			}
			if (n == 0)
				break;
			if (n >= 64) {
				n = 64;
				scan64(p, q, &b);
			} else {
				scan_part(p, n, &b);
			}
			k = classify(&b, n, state == ENC_BOL,
			    en->lstart + MW_DATA_LINE_MAX - pos, &brk);
			if (k > 0) {
				if (n < 64)
					memcpy(q, p, k);
				if (brk != 0)
					en->lstart = pos + top(brk) + 1;
				state = (b.lf >> (k - 1)) & 1 ? ENC_BOL :
				    ENC_TEXT;
				p += k;
				q += k;
			}
			if (k < n)
				break;
		}
		if (p == e) {
			err = MW_ERR_AGAIN;
			break;
		}
		c = *p;
		pos = base + (uint64_t)(p - in);
		if (state == ENC_CRSEEN) {
			if (c == '\n') {
				/* the LF of a CRLF, already sent */
				en->lstart = pos + 1;
				p++;
			} else {
				event(&en->ev, MW_DATA_EV_BARE_CR, pos - 1);
			}
			state = ENC_BOL;
			continue;
		}
		if (c == '\r' || c == '\n' || (state == ENC_BOL && c == '.')) {
			if (qe - q < 2) {
				err = MW_ERR_NOSPACE;
				break;
			}
			if (c == '.') {
				/* RFC 5321 4.5.2: one more period before it */
				*q++ = '.';
				*q++ = '.';
				state = ENC_TEXT;
			} else {
				/*
				 * RFC 5321 2.3.8: a client sends CR and LF
				 * only as CRLF; a CR is sent as CRLF at once,
				 * and an LF right after it is its own.
				 */
				*q++ = '\r';
				*q++ = '\n';
				en->lstart = pos + 1;
				if (c == '\n')
					event(&en->ev, MW_DATA_EV_BARE_LF, pos);
				state = c == '\r' ? ENC_CRSEEN : ENC_BOL;
			}
			p++;
			continue;
		}
		if (q == qe) {
			err = MW_ERR_NOSPACE;
			break;
		}
		if (pos - en->lstart == MW_DATA_LINE_MAX) {
			/* RFC 5321 4.5.3.1.6: at most 998 octets and CRLF */
			event(&en->ev, MW_DATA_EV_LONG_LINE, pos);
			if (en->longline == MW_DATA_LONG_REJECT) {
				state = ENC_LIMIT;
				err = MW_ERR_LIMIT;
				break;
			}
		}
		*q++ = (unsigned char)c;
		state = ENC_TEXT;
		p++;
	}
	en->off = base + (uint64_t)(p - in);
	en->size += (uint64_t)(q - out);
	en->state = (unsigned char)state;
	*consumed = (size_t)(p - in);
	*produced = (size_t)(q - out);
	return err;
}

mw_err
mw_data_encode_end(struct mw_data_enc *e, unsigned char *out, size_t outlen,
    size_t *produced)
{
	static const unsigned char tail[5] = { '\r', '\n', '.', '\r', '\n' };
	size_t n;

	if (produced != NULL)
		*produced = 0;
	if (e == NULL || (out == NULL && outlen != 0) || produced == NULL)
		return MW_ERR_INVAL;
	if (e->state == ENC_LIMIT)
		return MW_ERR_LIMIT;
	if (e->state == ENC_DONE)
		return MW_ERR_STATE;
	/* the body must end with CRLF before the final dot (RFC 5321
	 * 4.1.1.4); after a CR or at a line start it does already */
	n = e->state == ENC_TEXT ? 5 : 3;
	if (outlen < n)
		return MW_ERR_NOSPACE;
	if (e->state == ENC_CRSEEN)
		event(&e->ev, MW_DATA_EV_BARE_CR, e->off - 1);
	memcpy(out, tail + 5 - n, n);
	e->size += n;
	e->state = ENC_DONE;
	*produced = n;
	return MW_ERR_OK;
}

uint64_t
mw_data_enc_size(const struct mw_data_enc *e)
{
	return e != NULL ? e->size : 0;
}

const struct mw_data_events *
mw_data_enc_events(const struct mw_data_enc *e)
{
	static const struct mw_data_events none;

	return e != NULL ? &e->ev : &none;
}

/* --- BDAT (RFC 3030) --------------------------------------------------- */

void
mw_bdat_init(struct mw_bdat *b, uint64_t max_size)
{
	if (b == NULL)
		return;
	memset(b, 0, sizeof(*b));
	b->max_size = max_size != 0 ? max_size : UINT64_MAX;
	b->state = BDAT_IDLE;
}

mw_err
mw_bdat_begin(struct mw_bdat *b, uint64_t chunk_size, int last)
{
	if (b == NULL)
		return MW_ERR_INVAL;
	if (b->state == BDAT_CHUNK)
		return MW_ERR_STATE;
	b->remaining = chunk_size;
	b->last = last != 0;
	if (b->state == BDAT_DONE) {
		/*
		 * RFC 3030 2: BDAT after BDAT LAST gets 503; its octets
		 * follow the command all the same and are read and dropped,
		 * or the stream would be read as commands.
		 */
		b->refused = REFUSED_SEQ;
		b->discard = 1;
		b->state = BDAT_CHUNK;
		return MW_ERR_STATE;
	}
	b->state = BDAT_CHUNK;
	/*
	 * The running total against the limit, never by adding first: a
	 * peer's chunk-size of 20 digits must not wrap the counter below the
	 * limit (max_size is UINT64_MAX without a limit). RFC 3030 2: the
	 * octets of a refused chunk are still read, then 552 is sent; once
	 * refused, the transaction stays failed until it is reset.
	 */
	if (b->refused != 0 || chunk_size > b->max_size - b->total) {
		if (b->refused == 0)
			b->refused = REFUSED_SIZE;
		b->discard = 1;
		return MW_ERR_LIMIT;
	}
	b->discard = 0;
	return MW_ERR_OK;
}

mw_err
mw_bdat_feed(struct mw_bdat *b, size_t avail, size_t *take)
{
	uint64_t n;

	if (take != NULL)
		*take = 0;
	if (b == NULL || take == NULL)
		return MW_ERR_INVAL;
	if (b->state != BDAT_CHUNK)
		return MW_ERR_STATE;
	n = (uint64_t)avail < b->remaining ? (uint64_t)avail : b->remaining;
	b->remaining -= n;
	if (!b->discard)
		b->total += n;
	*take = (size_t)n;
	if (b->remaining != 0)
		return MW_ERR_AGAIN;
	b->state = b->last ? BDAT_DONE : BDAT_IDLE;
	return MW_ERR_OK;
}

uint64_t
mw_bdat_total(const struct mw_bdat *b)
{
	return b != NULL ? b->total : 0;
}

int
mw_bdat_done(const struct mw_bdat *b)
{
	return b != NULL && b->state == BDAT_DONE;
}

const struct mw_data_reply *
mw_bdat_reply(const struct mw_bdat *b)
{
	if (b == NULL || b->refused == 0)
		return NULL;
	return b->refused == REFUSED_SEQ ? &reply_seq : &reply_size;
}
