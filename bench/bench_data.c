/*
 * bench/bench_data.c: bench_data [seconds]. Throughput of the DATA codec
 * (mailwire/data.h) on three bodies, at sizes from 1 KiB to 64 MiB, next
 * to memcpy and memchr over the same octets in the same run:
 *
 *   text      78-column lines, 2% of them starting with a dot (stuffed)
 *   stuffed   every line starts with a dot
 *   blank     empty lines only (CRLF CRLF ...)
 *
 * For each body and size the six measurements run in turn (memcpy,
 * decode, memchr, scan, eod, encode, then again: A B A B ...), each
 * repeated for a slice of the time budget; the table shows medians in
 * GB/s (1e9 octets per second) and the ratios. decode is mw_data_decode()
 * copying into a buffer; scan is mw_data_next(), the same decoding as
 * spans without a copy; eod is mw_data_skip(), end-of-data detection
 * alone; these count wire octets. encode is mw_data_encode() plus
 * mw_data_encode_end(), counted on body octets; dec-spr and enc-spr are
 * (fastest - slowest) / median over the rounds. One thread; nothing is
 * allocated per message. Time is the thread's CPU time, so that other
 * work on a shared machine (2 cores here) does not count.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mailwire/data.h>

#include "bench.h"

#define ROUNDS	7
#define NOPS	6

enum { OP_MEMCPY, OP_DECODE, OP_MEMCHR, OP_SCAN, OP_EOD, OP_ENCODE };

struct corpus {
	unsigned char	*body;		/* raw body */
	size_t		 bodylen;
	unsigned char	*wire;		/* its DATA form, ending .CRLF */
	size_t		 wirelen;
	unsigned char	*out;		/* room for either */
	size_t		 outlen;
};

static volatile size_t sink;

static uint64_t rng = 88172645463325252u;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* a raw body of about size octets of the given kind */
static void
make_body(struct corpus *c, const char *kind, size_t size)
{
	size_t n = 0;

	c->body = malloc(size + 128);
	if (c->body == NULL)
		exit(1);
	while (n + 80 <= size || n == 0) {
		if (strcmp(kind, "blank") == 0) {
			c->body[n++] = '\r';
			c->body[n++] = '\n';
			continue;
		}
		for (int i = 0; i < 78; i++)
			c->body[n + (size_t)i] = i % 7 == 6 ? ' ' :
			    (unsigned char)('a' + rnd(26));
		if (strcmp(kind, "stuffed") == 0 || rnd(100) < 2)
			c->body[n] = '.';
		n += 78;
		c->body[n++] = '\r';
		c->body[n++] = '\n';
	}
	c->bodylen = n;
}

static void
make_wire(struct corpus *c)
{
	struct mw_data_enc e;
	size_t used, made, end;

	c->outlen = c->bodylen * 2 + 64;
	c->wire = malloc(c->outlen);
	c->out = malloc(c->outlen);
	if (c->wire == NULL || c->out == NULL)
		exit(1);
	mw_data_enc_init(&e, MW_DATA_LONG_REJECT);
	if (mw_data_encode(&e, c->body, c->bodylen, &used, c->wire, c->outlen,
	    &made) != MW_ERR_AGAIN || used != c->bodylen ||
	    mw_data_encode_end(&e, c->wire + made, c->outlen - made, &end) !=
	    MW_ERR_OK) {
		fprintf(stderr, "bench_data: encoding the corpus failed\n");
		exit(1);
	}
	c->wirelen = made + end;
	memset(c->out, 0, c->outlen);
}

/* one run of op; returns the octets it counts */
static size_t
run(struct corpus *c, int op)
{
	struct mw_data_dec d;
	struct mw_data_enc e;
	size_t used, made, total = 0;
	const unsigned char *p, *span;
	size_t left;
	mw_err err;

	switch (op) {
	case OP_MEMCPY:
		memcpy(c->out, c->wire, c->wirelen);
		sink += c->out[c->wirelen / 2];
		return c->wirelen;
	case OP_MEMCHR:
		/* the corpora hold no NUL: memchr reads every octet */
		sink += memchr(c->wire, 0, c->wirelen) == NULL;
		return c->wirelen;
	case OP_DECODE:
		mw_data_dec_init(&d, NULL);
		err = mw_data_decode(&d, c->wire, c->wirelen, &used, c->out,
		    c->outlen, &made);
		if (err != MW_ERR_OK || used != c->wirelen) {
			fprintf(stderr, "bench_data: decode: %s\n",
			    mw_err_name(err));
			exit(1);
		}
		sink += made;
		return c->wirelen;
	case OP_EOD:
		mw_data_dec_init(&d, NULL);
		err = mw_data_skip(&d, c->wire, c->wirelen, &used);
		if (err != MW_ERR_OK || used != c->wirelen) {
			fprintf(stderr, "bench_data: eod: %s\n",
			    mw_err_name(err));
			exit(1);
		}
		sink += used;
		return c->wirelen;
	case OP_SCAN:
		mw_data_dec_init(&d, NULL);
		p = c->wire;
		left = c->wirelen;
		do {
			err = mw_data_next(&d, p, left, &used, &span, &made);
			total += made;
			p += used;
			left -= used;
		} while (err == MW_ERR_AGAIN && (left > 0 || used > 0));
		if (err != MW_ERR_OK || left != 0) {
			fprintf(stderr, "bench_data: scan: %s\n",
			    mw_err_name(err));
			exit(1);
		}
		sink += total;
		return c->wirelen;
	case OP_ENCODE:
		mw_data_enc_init(&e, MW_DATA_LONG_REJECT);
		err = mw_data_encode(&e, c->body, c->bodylen, &used, c->out,
		    c->outlen, &made);
		if (err != MW_ERR_AGAIN || mw_data_encode_end(&e, c->out + made,
		    c->outlen - made, &total) != MW_ERR_OK) {
			fprintf(stderr, "bench_data: encode: %s\n",
			    mw_err_name(err));
			exit(1);
		}
		sink += made + total;
		return c->bodylen;
	}
	return 0;
}

/*
 * GB/s of op, repeated for at least slice seconds. The clock is read
 * around batches of runs long enough (20 us) that reading it, a system
 * call for the thread's CPU time, does not count.
 */
static double
measure(struct corpus *c, int op, double slice)
{
	double t0, t;
	size_t octets = 0;
	long reps = 0, nb;

	for (nb = 1;; nb *= 2) {
		t0 = bench_now();
		for (long i = 0; i < nb; i++)
			run(c, op);
		if (bench_now() - t0 >= 20e-6)
			break;
	}
	t0 = bench_now();
	do {
		for (long i = 0; i < nb; i++)
			octets += run(c, op);
		reps += nb;
		t = bench_now() - t0;
	} while (t < slice || reps < 2);
	return (double)octets / t / 1e9;
}

static double
median(double *v, int n)
{
	return bench_median(v, (size_t)n);
}

int
main(int argc, char **argv)
{
	static const char *const kinds[] = { "text", "stuffed", "blank" };
	static const size_t sizes[] = {
		1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20,
		4 << 20, 16 << 20, 64 << 20,
	};
	size_t nk = sizeof(kinds) / sizeof(kinds[0]);
	size_t ns = sizeof(sizes) / sizeof(sizes[0]);
	double seconds = argc > 1 ? atof(argv[1]) : 10;
	double slice;

	if (seconds <= 0) {
		fprintf(stderr, "usage: bench_data [seconds]\n");
		return 2;
	}
	slice = seconds / (double)(nk * ns * ROUNDS * NOPS);
#if defined(MW_DATA_PORTABLE) || !defined(__SSE2__)
	printf("bench_data: portable scan (no SSE2)\n");
#else
	printf("bench_data: SSE2 scan\n");
#endif
	printf("GB/s (thread CPU time), medians of %d alternating runs; "
	    "decode, scan, eod on wire octets, encode on body octets\n\n",
	    ROUNDS);
	printf("%-8s %5s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s\n",
	    "body", "size", "memcpy", "memchr", "decode", "/memcpy", "scan",
	    "eod", "/memchr", "encode", "/memcpy", "dec-spr", "enc-spr");
	for (size_t k = 0; k < nk; k++) {
		for (size_t s = 0; s < ns; s++) {
			struct corpus c;
			double v[NOPS][ROUNDS], m[NOPS];
			char sz[16];

			make_body(&c, kinds[k], sizes[s]);
			make_wire(&c);
			for (int r = 0; r < ROUNDS; r++)
				for (int op = 0; op < NOPS; op++)
					v[op][r] = measure(&c, op, slice);
			for (int op = 0; op < NOPS; op++)
				m[op] = median(v[op], ROUNDS);
			if (sizes[s] >= 1 << 20)
				snprintf(sz, sizeof(sz), "%zuM", sizes[s] >> 20);
			else
				snprintf(sz, sizeof(sz), "%zuK", sizes[s] >> 10);
			/* median() sorted each row: [0] slowest */
			printf("%-8s %5s %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f "
			    "%7.2f %7.2f %7.2f %7.2f %7.2f\n", kinds[k], sz,
			    m[OP_MEMCPY], m[OP_MEMCHR], m[OP_DECODE],
			    m[OP_DECODE] / m[OP_MEMCPY], m[OP_SCAN], m[OP_EOD],
			    m[OP_EOD] / m[OP_MEMCHR], m[OP_ENCODE],
			    m[OP_ENCODE] / m[OP_MEMCPY],
			    (v[OP_DECODE][ROUNDS - 1] - v[OP_DECODE][0]) /
			    m[OP_DECODE],
			    (v[OP_ENCODE][ROUNDS - 1] - v[OP_ENCODE][0]) /
			    m[OP_ENCODE]);
			printf("kv data %s %s %.3f %.3f %.3f %.3f %.3f %.3f\n",
			    kinds[k], sz, m[OP_DECODE], m[OP_EOD],
			    m[OP_ENCODE], m[OP_MEMCPY], m[OP_MEMCHR],
			    m[OP_SCAN]);
			fflush(stdout);
			free(c.body);
			free(c.wire);
			free(c.out);
		}
	}
	return 0;
}
