/*
 * bench/bench_ceiling.c: a measuring stick for the 10-line EHLO target
 * (2.5 GB/s), not part of the library. It holds a hand-written SSE2
 * parser of complete 250 ehlo-ok-rsp replies that does, on the
 * benchmark's replies, the checks and the decoding mw_reply_parse does in
 * MW_REPLY_EHLO (code and separator of every line, CRLF, the text's
 * octets, the first line's Domain, each keyword's syntax and exact
 * match, the parameters' separators, SIZE and the AUTH mechanisms) and
 * fills the same struct mw_reply fields, with none of the library's
 * other duties: no input split across calls, no bounds, no leniencies,
 * no LIMITS, no error causes (a reply it cannot take aborts the run).
 * It is a line-at-a-time design (one vector scan a line for its LF, its
 * controls, its spaces and its keyword octets, then scalar work a line),
 * the kind that could be generated to replace the octet-at-a-time
 * machine. Before timing, both parsers run over the whole stream and
 * must agree field by field, so the reference cannot skip work.
 *
 * It runs in alternating rounds with mw_reply_parse and memchr over the
 * same 24 KiB of replies (bench_reply's), and prints the medians. The
 * syntax here is written by hand, which the library never does: this file
 * is only a bound on what a validating parser of this input reaches on
 * the machine it runs on.
 *
 *     bench_ceiling [seconds]     (default 6)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/mech.h>
#include <mailwire/reply.h>

#include "bench.h"
#include "corpus.h"

#if defined(__SSE2__)
#include <emmintrin.h>

#define ROUNDS		9
#define BUF_BYTES	(24 * 1024)

static const char *const caps[MW_CAP__COUNT] = {
#define CAPNAME(name, kw) kw,
	MW_EHLO_CAPS(CAPNAME)
#undef CAPNAME
};

/* a keyword's (length, first and last octet) to its capability: no two
 * of the 18 collide in 64 slots */
static struct {
	uint8_t		len, cap;
	char		kw[24];
} slot[64];
static unsigned char mechc[256];

static unsigned
hash(const unsigned char *p, size_t n)
{
	return ((unsigned)n + (p[0] | 0x20u) + (p[n - 1] | 0x20u) * 2u) & 63;
}

static void
init(void)
{
	for (int c = 0; c < 256; c++)
		mechc[c] = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_';
	for (unsigned i = 0; i < MW_CAP__COUNT; i++) {
		size_t n = strlen(caps[i]);
		unsigned h = hash((const unsigned char *)caps[i], n);

		if (slot[h].len != 0)
			abort();
		slot[h].len = (uint8_t)n;
		slot[h].cap = (uint8_t)i;
		for (size_t k = 0; k < n; k++)	/* folded: digits, '-' stay */
			slot[h].kw[k] = (char)(caps[i][k] | 0x20);
	}
}

static uint64_t
load8(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* the capability named by p[0..n), case-insensitive (RFC 5321 2.4), or
 * MW_CAP_UNKNOWN; p may be read 8 octets past n */
static unsigned
lookup(const unsigned char *p, size_t n)
{
	unsigned h = hash(p, n);
	const unsigned char *k = (const unsigned char *)slot[h].kw;
	size_t i;

	if (slot[h].len != n)
		return MW_CAP_UNKNOWN;
	for (i = 0; i + 8 <= n; i += 8)
		if ((load8(p + i) | 0x2020202020202020u) != load8(k + i))
			return MW_CAP_UNKNOWN;
	if (i < n && ((load8(p + i) | 0x2020202020202020u) ^ load8(k + i)) &
	    ((1ull << (8 * (n - i))) - 1))
		return MW_CAP_UNKNOWN;
	return slot[h].cap;
}

/* octets of one line in masks: bit i for b[ls + i], i < 64 */
struct masks {
	uint64_t	lf, bad, sp, kw, dot, dash, greet;
};

static int
scan(const unsigned char *b, size_t ls, size_t len, struct masks *m)
{
	const __m128i lf = _mm_set1_epi8('\n'), sp = _mm_set1_epi8(' '),
	    lo = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < 64 && ls + i < len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(b + ls + i));
		__m128i f = _mm_or_si128(v, lo);
		__m128i al = _mm_and_si128(_mm_cmpgt_epi8(f,
		    _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(f,
		    _mm_set1_epi8('z' + 1)));
		__m128i dg = _mm_and_si128(_mm_cmpgt_epi8(v,
		    _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v,
		    _mm_set1_epi8('9' + 1)));
		uint64_t l = (uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));

		m->lf |= l << i;
		m->bad |= (uint64_t)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmplt_epi8(v, lo), _mm_cmpeq_epi8(v, del))) << i;
		m->sp |= (uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sp)) << i;
		__m128i da = _mm_cmpeq_epi8(v, _mm_set1_epi8('-'));

		m->kw |= (uint64_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    al, dg), da)) << i;
		m->dash |= (uint64_t)_mm_movemask_epi8(da) << i;
		m->dot |= (uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
		    _mm_set1_epi8('.'))) << i;
		/* what ehlo-greet refuses: NUL, CR, 8-bit (and LF) */
		m->greet |= (uint64_t)_mm_movemask_epi8(_mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_setzero_si128()),
		    _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))),
		    _mm_cmplt_epi8(v, _mm_setzero_si128()))) << i;
		if (l != 0)
			return 1;
	}
	return 0;
}

/* The first line (from offset k of a line whose CR is at e, both
 * relative to the line): a Domain (labels of letters, digits and inner
 * hyphens) or an address literal, then nothing or SP and the greeting;
 * 0 if not. */
static int
first_line(const unsigned char *l, const struct masks *m, unsigned k,
    unsigned e)
{
	uint64_t in = ((1ull << e) - 1) & ~((1ull << k) - 1), end, d, x;
	unsigned de;

	if (l[k] == '[') {
		end = (m->sp & in) | (1ull << e);
		de = (unsigned)__builtin_ctzll(end);
		if (l[de - 1] != ']')
			return 0;
	} else {
		end = (m->sp & in) | (1ull << e);
		de = (unsigned)__builtin_ctzll(end);
		d = ((1ull << de) - 1) & ~((1ull << k) - 1);
		x = m->dot | m->dash;
		if (de == k || (d & ~(m->kw | m->dot)) ||
		    (x >> k & 1) || (x >> (de - 1) & 1) ||
		    (m->dot & (x >> 1) & d) || (m->dash & (m->dot >> 1) & d))
			return 0;
	}
	/* ehlo-greet: no NUL, CR (but the line's) or 8-bit octet */
	return (m->greet & in & ~(1ull << e)) == 0 &&
	    (de == e || l[de] == ' ');
}

/* Parses the reply at b[0..len) into r; returns its length, 0 if not. */
static size_t
parse(const unsigned char *b, size_t len, struct mw_reply *r)
{
	struct mw_ehlo *eh = &r->ehlo;
	uint32_t code3;
	size_t ls = 0;
	unsigned n = 0;
	int last = 0;

	if (len < 6 || b[0] < '2' || b[0] > '5' || (unsigned)(b[1] - '0') > 9u ||
	    (unsigned)(b[2] - '0') > 9u)
		return 0;
	code3 = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
	r->code = (uint16_t)((b[0] - '0') * 100 + (b[1] - '0') * 10 +
	    (b[2] - '0'));
	eh->caps = eh->auth = 0;
	eh->size = 0;
	eh->nunknown = 0;
	memset(eh->line, MW_EHLO_NOLINE, sizeof(eh->line));
	while (!last) {
		struct mw_reply_line *l = &r->lines[n];
		struct masks m;
		size_t lf, ll, e, k;
		uint64_t below;

		if (n == MW_REPLY_LINES || !scan(b, ls, len, &m))
			return 0;
		lf = ls + (size_t)__builtin_ctzll(m.lf);
		ll = lf - ls;
		e = lf - 1;			/* the CR */
		if (lf >= len || ll < 5 || b[e] != '\r')
			return 0;
		below = (1ull << ll) - 1;
		if (n > 0 && ((b[ls] | (uint32_t)b[ls + 1] << 8 |
		    (uint32_t)b[ls + 2] << 16) != code3 ||
		    (m.bad & below) != 1ull << (ll - 1)))
			return 0;
		if (b[ls + 3] == ' ')
			last = 1;
		else if (b[ls + 3] != '-')
			return 0;
		l->text.off = (uint32_t)ls + 4;
		l->text.len = (uint32_t)(ll - 5);
		l->keyword.off = l->keyword.len = 0;
		l->params.off = l->params.len = 0;
		l->cap = MW_CAP_NONE;
		l->auth_old = 0;
		k = ls + 4;
		if (n == 0) {
			if (!first_line(b + ls, &m, 4, (unsigned)ll - 1))
				return 0;
		} else {
			/* ehlo-keyword *( SP ehlo-param ) */
			uint64_t sps = (m.sp & below) >> 4, ps;
			size_t kl = sps ? (size_t)__builtin_ctzll(sps) : e - k,
			    pe = k + kl;
			unsigned cap;

			if (kl == 0 || b[k] == '-' ||
			    (~m.kw >> 4) & ((1ull << kl) - 1))
				return 0;
			l->keyword.off = (uint32_t)k;
			l->keyword.len = (uint32_t)kl;
			if (pe != e) {
				ps = (m.sp >> (pe - ls)) & ((1ull << (e - pe)) - 1);
				if ((ps & (ps >> 1)) || (ps >> (e - pe - 1)) & 1)
					return 0;
				l->params.off = (uint32_t)pe + 1;
				l->params.len = (uint32_t)(e - pe - 1);
			}
			cap = lookup(b + k, kl);
			l->cap = (uint8_t)cap;
			if (cap == MW_CAP_UNKNOWN)
				eh->unknown[eh->nunknown++] = (uint8_t)n;
			else if (eh->line[cap] == MW_EHLO_NOLINE) {
				eh->line[cap] = (uint8_t)n;
				eh->caps |= 1u << cap;
				if (cap == MW_CAP_SIZE) {
					uint64_t v = 0;

					for (size_t j = pe + 1; j < e; j++) {
						if ((unsigned)(b[j] - '0') > 9u ||
						    v > UINT64_MAX / 10 - 1)
							return 0;	/* not here */
						v = v * 10 + (uint64_t)(b[j] - '0');
					}
					eh->size = v;
				} else if (cap == MW_CAP_AUTH) {
					for (size_t j = pe + 1; j < e; j++) {
						size_t s = j;

						while (j < e && b[j] != ' ') {
							if (!mechc[b[j]])
								return 0;
							j++;
						}
						if (j - s > 20)
							return 0;
						eh->auth |= 1u <<
						    mw_auth_mech_lookup(b + s, j - s);
					}
				} else if (cap == MW_CAP_LIMITS ||
				    (cap != MW_CAP_DELIVERBY &&
				    cap != MW_CAP_MT_PRIORITY &&
				    cap != MW_CAP_FUTURERELEASE && pe != e))
					return 0;	/* not in the benchmark */
			}
		}
		n++;
		ls = lf + 1;
	}
	r->nlines = (uint16_t)n;
	r->len = (uint32_t)ls;
	r->has_ehlo = 1;
	r->has_esc = 0;
	return ls;
}

static unsigned char *buf;
static size_t blen;
static volatile size_t sink;
static struct mw_reply ref;

static void
ref_all(void)
{
	for (size_t off = 0, u; off < blen; off += u) {
		if ((u = parse(buf + off, blen - off, &ref)) == 0)
			abort();
		sink += ref.nlines + ref.ehlo.caps;
	}
}

static void
mw_all(void)
{
	struct mw_reply_parser rp;
	size_t used;

	if (mw_reply_init(&rp, NULL) != MW_ERR_OK ||
	    mw_reply_expect(&rp, MW_REPLY_EHLO) != MW_ERR_OK)
		abort();
	for (size_t off = 0; off < blen; off += used) {
		if (mw_reply_parse(&rp, buf + off, blen - off, &used) !=
		    MW_ERR_OK)
			abort();
		sink += rp.reply.nlines + rp.reply.ehlo.caps;
	}
}

static void
memchr_all(void)
{
	const unsigned char *p = buf, *e = buf + blen;

	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		p++;
		sink++;
	}
}

/* Every reply of the stream, by both parsers: the same fields. */
static int
same(void)
{
	struct mw_reply_parser rp;
	size_t used, off = 0;

	if (mw_reply_init(&rp, NULL) != MW_ERR_OK)
		return 0;
	while (off < blen) {
		const struct mw_reply *a = &rp.reply;
		const struct mw_ehlo *x = &a->ehlo, *y = &ref.ehlo;

		if (mw_reply_expect(&rp, MW_REPLY_EHLO) != MW_ERR_OK ||
		    mw_reply_parse(&rp, buf + off, blen - off, &used) !=
		    MW_ERR_OK || parse(buf + off, blen - off, &ref) != used ||
		    a->code != ref.code || a->nlines != ref.nlines ||
		    a->warnings != 0 || x->caps != y->caps ||
		    x->auth != y->auth || x->size != y->size ||
		    x->nunknown != y->nunknown ||
		    memcmp(x->line, y->line, sizeof(x->line)) != 0 ||
		    memcmp(x->unknown, y->unknown, x->nunknown) != 0)
			return 0;
		for (unsigned i = 0; i < a->nlines; i++) {
			const struct mw_reply_line *p = &a->lines[i],
			    *q = &ref.lines[i];

			if (p->text.off != q->text.off ||
			    p->text.len != q->text.len ||
			    (i > 0 && (p->keyword.off != q->keyword.off ||
			    p->keyword.len != q->keyword.len ||
			    (p->params.len != 0 &&
			    p->params.off != q->params.off) ||
			    p->params.len != q->params.len)) ||
			    p->cap != q->cap)
				return 0;
		}
		off += used;
	}
	return 1;
}

/* Replies both parsers must refuse: the reference checks what it says. */
static int
refuses(void)
{
	static const char *const bad[] = {
		"250-a.example Hi\r\n251 DSN\r\n",	/* another code */
		"250-a.example Hi\r\n250 SI_ZE\r\n",	/* keyword octet */
		"250-a.example Hi\r\n250 -SIZE\r\n",	/* keyword start */
		"250-a.example Hi\r\n250 AUTH  PLAIN\r\n", /* two SPs */
		"250-a.example Hi\r\n250 AUTH PLAIN \r\n", /* SP at end */
		"250-a.example Hi\r\n250 DSN\n",	/* bare LF */
		"250-a.example Hi\r\n250 DS\x01N\r\n",	/* control */
		"250-a.example Hi\r\n250*DSN\r\n",	/* separator */
		"250--a.example Hi\r\n250 DSN\r\n",	/* label start */
		"250-a-.example Hi\r\n250 DSN\r\n",	/* label end */
		"250-a..example Hi\r\n250 DSN\r\n",	/* empty label */
		"250-a.example H\x80i\r\n250 DSN\r\n",	/* 8-bit greet */
		"250-a.example H\ri\r\n250 DSN\r\n",	/* CR in greet */
		"250-a_b.example Hi\r\n250 DSN\r\n",	/* Domain octet */
	};
	static unsigned char one[128 + 64];
	struct mw_reply_parser rp;
	size_t used;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = strlen(bad[i]);

		memset(one, 0, sizeof(one));
		memcpy(one, bad[i], n);
		if (parse(one, n, &ref) != 0 ||
		    mw_reply_init(&rp, NULL) != MW_ERR_OK ||
		    mw_reply_expect(&rp, MW_REPLY_EHLO) != MW_ERR_OK ||
		    mw_reply_parse(&rp, one, n, &used) == MW_ERR_OK)
			return 0;
	}
	return 1;
}

static double
rate(void (*f)(void), double t)
{
	double start = bench_now(), el;
	size_t octets = 0;

	do {
		for (int i = 0; i < 16; i++) {
			f();
			octets += blen;
		}
		el = bench_now() - start;
	} while (el < t);
	return (double)octets / el / 1e9;
}

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 6.0, per;
	double a[ROUNDS], m[ROUNDS], c[ROUNDS];
	size_t k, replies = 0;

	if (seconds <= 0)
		seconds = 6.0;
	per = seconds / (3.0 * ROUNDS);
	init();
	/* 64 octets of slack: the scan reads whole 16-octet blocks */
	if ((buf = calloc(1, BUF_BYTES + 64)) == NULL)
		return 1;
	for (size_t i = 0; blen + (k = strlen(mw_bench_ehlo[i %
	    mw_bench_nehlo])) <= BUF_BYTES; i++, replies++) {
		memcpy(buf + blen, mw_bench_ehlo[i % mw_bench_nehlo], k);
		blen += k;
	}
	if (!same() || !refuses()) {
		fprintf(stderr, "bench_ceiling: the reference and "
		    "mw_reply_parse disagree\n");
		return 1;
	}
	for (int i = 0; i < ROUNDS; i++) {
		a[i] = rate(ref_all, per);
		m[i] = rate(mw_all, per);
		c[i] = rate(memchr_all, per);
	}
	qsort(a, ROUNDS, sizeof(a[0]), bench_cmp);
	qsort(m, ROUNDS, sizeof(m[0]), bench_cmp);
	qsort(c, ROUNDS, sizeof(c[0]), bench_cmp);
	printf("10-line EHLO replies (%.1f octets a reply), %d alternating "
	    "rounds of %.2f s, medians (slowest-fastest round), GB/s:\n\n",
	    (double)blen / (double)replies, ROUNDS, per);
	printf("| hand-written SSE2 reference | mw_reply_parse | memchr | "
	    "reference / mw_reply_parse | reference / target 2.5 |\n");
	printf("|---|---|---|---|---|\n");
	printf("| %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %.2f | %.2fx | "
	    "%.2fx |\n", a[ROUNDS / 2], a[0], a[ROUNDS - 1],
	    m[ROUNDS / 2], m[0], m[ROUNDS - 1],
	    c[ROUNDS / 2], a[ROUNDS / 2] / m[ROUNDS / 2],
	    a[ROUNDS / 2] / 2.5);
	printf("kv ceiling ehlo %.4f %.4f\n", a[ROUNDS / 2], m[ROUNDS / 2]);
	free(buf);
	return 0;
}

#else
int
main(void)
{
	printf("bench_ceiling: x86-64 SSE2 only\n");
	return 0;
}
#endif
