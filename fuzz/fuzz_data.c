/*
 * fuzz/fuzz_data.c: the DATA codec (mailwire/data.h) on arbitrary bytes.
 * The first octet picks the policies, a size limit and how the input is
 * cut; the rest is the input. Properties, each an abort() if broken:
 *
 *   - decoding whole, decoding in pieces into small buffers, and decoding
 *     as spans give the same octets, end, events and reply;
 *   - the end is the first CRLF "." CRLF of CRLF + input (or none), and
 *     mw_data_skip, alone or after decoding a first piece, finds it too;
 *   - encoding whole and in pieces give the same wire form, and decoding
 *     that wire form returns the input with CR, LF and CRLF as CRLF (and a
 *     CRLF after an unended last line), ending exactly at its end, with no
 *     bare CR or LF and as many long lines as the encoder reported.
 *
 * Every piece lives in an allocation of its own size, so ASan sees any
 * read past it, and every output buffer too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/data.h>

struct out {
	unsigned char	*p;
	size_t		 len, cap;
};

static void
put(struct out *o, const void *s, size_t n)
{
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2 + 64;
		if ((o->p = realloc(o->p, o->cap)) == NULL)
			abort();
	}
	if (n > 0)
		memcpy(o->p + o->len, s, n);
	o->len += n;
}

struct run {
	struct out		 out;
	int			 ended;
	uint64_t		 end;
	struct mw_data_events	 ev;
	const struct mw_data_reply *reply;
};

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185u;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44du;
	return x ^ (x >> 33);
}

/* up to 8 cut points in [0, n], increasing */
static size_t
cuts(uint64_t seed, size_t n, size_t *c)
{
	size_t k = (size_t)(seed % 9), prev = 0;

	for (size_t i = 0; i < k; i++) {
		seed = mix(seed + i);
		c[i] = prev + (n - prev ? (size_t)(seed % (n - prev + 1)) : 0);
		prev = c[i];
	}
	return k;
}

static unsigned char *
dup(const unsigned char *s, size_t n)
{
	unsigned char *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	memcpy(p, s, n);
	return p;
}

/* mode 0: mw_data_decode; 1: mw_data_next; 2: skip; 3: decode the first
 * piece, skip the rest */
static void
decode(const unsigned char *in, size_t n, const struct mw_data_config *cfg,
    const size_t *c, size_t nc, size_t outcap, int mode, struct run *r)
{
	struct mw_data_dec d;
	unsigned char *buf = malloc(outcap ? outcap : 1);
	size_t s = 0;

	if (buf == NULL)
		abort();
	memset(r, 0, sizeof(*r));
	mw_data_dec_init(&d, cfg);
	for (size_t i = 0; i <= nc && !r->ended; i++) {
		size_t e = i < nc ? c[i] : n, off = 0;
		unsigned char *p = dup(in + s, e - s);

		for (int guard = 0;; guard++) {
			const unsigned char *span;
			size_t used = 0, made = 0;
			mw_err err;

			if (mode == 0 || (mode == 3 && i == 0)) {
				err = mw_data_decode(&d, p + off, e - s - off,
				    &used, buf, outcap, &made);
				put(&r->out, buf, made);
			} else if (mode == 1) {
				err = mw_data_next(&d, p + off, e - s - off,
				    &used, &span, &made);
				put(&r->out, span, made);
			} else {
				err = mw_data_skip(&d, p + off, e - s - off,
				    &used);
			}
			off += used;
			if (err == MW_ERR_OK) {
				r->ended = 1;
				r->end = mw_data_dec_offset(&d);
				if (r->end != s + off)
					abort();
				break;
			}
			if (err == MW_ERR_AGAIN && off == e - s &&
			    (mode != 1 || made == 0))
				break;
			if ((err != MW_ERR_AGAIN && err != MW_ERR_NOSPACE) ||
			    (used == 0 && made == 0) || guard > 1000000)
				abort();
		}
		free(p);
		s = e;
	}
	if (mode < 2 && mw_data_dec_size(&d) != r->out.len)
		abort();
	r->ev = *mw_data_dec_events(&d);
	r->reply = mw_data_dec_reply(&d);
	free(buf);
}

static int
same(const struct run *a, const struct run *b, int events)
{
	if (a->ended != b->ended || (a->ended && a->end != b->end))
		return 0;
	if (!events)
		return 1;
	if (a->out.len != b->out.len || (a->out.len &&
	    memcmp(a->out.p, b->out.p, a->out.len) != 0) ||
	    a->ev.mask != b->ev.mask || a->reply != b->reply)
		return 0;
	for (int i = 0; i < MW_DATA_NEV; i++)
		if ((a->ev.mask & (1u << i)) && (a->ev.first[i] !=
		    b->ev.first[i] || a->ev.count[i] != b->ev.count[i]))
			return 0;
	return 1;
}

static void
encode(const unsigned char *in, size_t n, const size_t *c, size_t nc,
    size_t outcap, struct run *r)
{
	struct mw_data_enc e;
	unsigned char *buf = malloc(outcap);
	size_t s = 0, made;

	if (buf == NULL)
		abort();
	memset(r, 0, sizeof(*r));
	mw_data_enc_init(&e, MW_DATA_LONG_ACCEPT);
	for (size_t i = 0; i <= nc; i++) {
		size_t end = i < nc ? c[i] : n, off = 0;
		unsigned char *p = dup(in + s, end - s);

		for (int guard = 0;; guard++) {
			size_t used;
			mw_err err = mw_data_encode(&e, p + off, end - s - off,
			    &used, buf, outcap, &made);

			put(&r->out, buf, made);
			off += used;
			if (err == MW_ERR_AGAIN && off == end - s)
				break;
			if (err != MW_ERR_NOSPACE || guard > 1000000)
				abort();
		}
		free(p);
		s = end;
	}
	if (mw_data_encode_end(&e, buf, outcap, &made) != MW_ERR_OK)
		abort();
	put(&r->out, buf, made);
	if (mw_data_enc_size(&e) != r->out.len)
		abort();
	r->ev = *mw_data_enc_events(&e);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mw_data_config cfg;
	struct run whole, other, wire, back;
	struct out want = { NULL, 0, 0 };
	size_t c[8] = { 0 }, nc, pe = 0;
	uint64_t seed;
	int pended = 0;

	if (size < 1)
		return 0;
	cfg.bare = data[0] & 1;
	cfg.longline = data[0] >> 1 & 1;
	cfg.max_size = data[0] & 4 ? (uint64_t)(data[0] >> 3) * 3 : 0;
	data++;
	size--;
	seed = mix(size * 0x9e3779b97f4a7c15u ^ (size ? data[size / 2] : 0) ^
	    (uint64_t)data[-1] << 8);

	/* the decoder, every way */
	decode(data, size, &cfg, c, 0, 2 * size + 16, 0, &whole);
	nc = cuts(seed, size, c);
	decode(data, size, &cfg, c, nc, 2 + (size_t)(seed % 61), 0, &other);
	if (!same(&whole, &other, 1))
		abort();
	free(other.out.p);
	decode(data, size, &cfg, c, nc, 0, 1, &other);
	if (!same(&whole, &other, 1))
		abort();
	free(other.out.p);
	for (int mode = 2; mode <= 3; mode++) {
		decode(data, size, &cfg, c, nc, 4096, mode, &other);
		if (!same(&whole, &other, 0))
			abort();
		free(other.out.p);
	}
	for (size_t i = 0; i + 3 <= size && !pended; i++)
		if ((i == 0 || (i >= 2 && data[i - 2] == '\r' &&
		    data[i - 1] == '\n')) && data[i] == '.' &&
		    data[i + 1] == '\r' && data[i + 2] == '\n') {
			pended = 1;
			pe = i + 3;
		}
	if (whole.ended != pended || (pended && whole.end != pe))
		abort();
	free(whole.out.p);

	/* the encoder, and back */
	encode(data, size, c, 0, 2 * size + 16, &wire);
	encode(data, size, c, nc, 5 + (size_t)(seed % 67), &other);
	if (other.out.len != wire.out.len || memcmp(other.out.p, wire.out.p,
	    wire.out.len) != 0 || other.ev.mask != wire.ev.mask)
		abort();
	free(other.out.p);
	cfg.bare = MW_DATA_BARE_REJECT;
	cfg.longline = MW_DATA_LONG_ACCEPT;
	cfg.max_size = 0;
	nc = cuts(mix(seed), wire.out.len, c);
	decode(wire.out.p, wire.out.len, &cfg, c, nc, 2 + (size_t)(seed % 97),
	    0, &back);
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\r' || data[i] == '\n') {
			put(&want, "\r\n", 2);
			if (data[i] == '\r' && i + 1 < size && data[i + 1] == '\n')
				i++;
		} else {
			put(&want, data + i, 1);
		}
	}
	if (want.len > 0 && want.p[want.len - 1] != '\n')
		put(&want, "\r\n", 2);
	if (!back.ended || back.end != wire.out.len ||
	    back.out.len != want.len || (want.len &&
	    memcmp(back.out.p, want.p, want.len) != 0) ||
	    (back.ev.mask & ~MW_DATA_EV_LONG_LINE) != 0 ||
	    back.ev.count[2] != wire.ev.count[2] || back.reply != NULL)
		abort();
	free(back.out.p);
	free(wire.out.p);
	free(want.p);
	return 0;
}
