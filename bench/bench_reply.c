/*
 * bench/bench_reply.c: the reply parser's speed, single thread, in cache:
 * single-line replies and 10-line EHLO replies (decoded into the
 * capability set), each next to memchr finding every LF of the same
 * bytes and memcpy of them, in alternating rounds; medians, the slowest
 * and fastest round and the parser's time over memchr's and memcpy's, as a
 * markdown table (scripts/bench.sh collects it in build/bench/results.md).
 * The targets of the reply-parser issue are printed after it.
 *
 *     bench_reply [seconds] [quick]    (default 10; split between the runs)
 *
 * quick: 5 rounds, only "kv reply NAME M-replies/s GB/s" lines
 * (scripts/bench.sh styles).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mailwire/reply.h>

#include "bench.h"
#include "corpus.h"

#define RUNS_MAX	9

static int RUNS = RUNS_MAX, quick;
#define BUF_BYTES	(24 * 1024)	/* in L1/L2 with the parser's state */


struct stream {
	unsigned char	*buf;
	size_t		 len;
	size_t		 replies;
	enum mw_reply_mode mode;
};

static volatile size_t sink;

/* Parses every reply of s once; returns the replies parsed. */
static size_t
parse_all(const struct stream *s)
{
	struct mw_reply_parser rp;
	size_t off = 0, used, n = 0;

	if (mw_reply_init(&rp, NULL) != MW_ERR_OK ||
	    mw_reply_expect(&rp, s->mode) != MW_ERR_OK)
		abort();
	while (off < s->len) {
		if (mw_reply_parse(&rp, s->buf + off, s->len - off, &used) !=
		    MW_ERR_OK)
			abort();
		sink += rp.reply.nlines +
		    (rp.reply.has_ehlo ? rp.reply.ehlo.caps : 0);
		off += used;
		n++;
	}
	return n;
}

/* Finds every LF of s with memchr; returns the lines. */
static size_t
memchr_all(const struct stream *s)
{
	const unsigned char *p = s->buf, *end = s->buf + s->len;
	size_t n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		n++;
	}
	sink += n;
	return n;
}

static unsigned char copybuf[BUF_BYTES];

/* Copies s with memcpy; returns its length. */
static size_t
memcpy_all(const struct stream *s)
{
	memcpy(copybuf, s->buf, s->len);
	sink += copybuf[s->len / 2];
	return s->len;
}

/* Octets per second of f over s, for about t seconds. */
static double
rate(size_t (*f)(const struct stream *), const struct stream *s, double t)
{
	double start = bench_now(), el;
	size_t octets = 0;

	do {
		for (int i = 0; i < 16; i++) {
			f(s);
			octets += s->len;
		}
		el = bench_now() - start;
	} while (el < t);
	return (double)octets / el;
}

static void
fill(struct stream *s, const char *const *replies, size_t nr,
    enum mw_reply_mode mode)
{
	size_t i = 0;

	s->buf = malloc(BUF_BYTES);
	if (s->buf == NULL)
		abort();
	s->len = 0;
	s->replies = 0;
	s->mode = mode;
	for (;;) {
		size_t k = strlen(replies[i % nr]);

		if (s->len + k > BUF_BYTES)
			break;
		memcpy(s->buf + s->len, replies[i % nr], k);
		s->len += k;
		s->replies++;
		i++;
	}
}

struct result {
	double	rps;		/* replies a second, median */
	double	gbs;		/* GB/s, median */
	double	lo, hi;		/* GB/s, slowest and fastest run */
	double	memchr_gbs;
	double	memcpy_gbs;
};

static void
measure(const char *what, const char *key, const struct stream *s,
    double per, struct result *res)
{
	double p[RUNS_MAX], m[RUNS_MAX], c[RUNS_MAX];
	double avg = (double)s->len / (double)s->replies;

	parse_all(s);	/* warm up; aborts if a reply does not parse */
	for (int r = 0; r < RUNS; r++) {
		p[r] = rate(parse_all, s, per);
		m[r] = rate(memchr_all, s, per);
		c[r] = rate(memcpy_all, s, per);
	}
	qsort(p, (size_t)RUNS, sizeof(p[0]), bench_cmp);
	qsort(m, (size_t)RUNS, sizeof(m[0]), bench_cmp);
	qsort(c, (size_t)RUNS, sizeof(c[0]), bench_cmp);
	res->gbs = p[RUNS / 2] / 1e9;
	res->rps = p[RUNS / 2] / avg;
	res->lo = p[0] / 1e9;
	res->hi = p[RUNS - 1] / 1e9;
	res->memchr_gbs = m[RUNS / 2] / 1e9;
	res->memcpy_gbs = c[RUNS / 2] / 1e9;
	if (!quick)
		printf("| %-34s %5.1f | %11.2f | %5.3f | %5.3f-%5.3f | %6.2f | "
		    "%6.2f | %6.1fx | %6.1fx |\n", what, avg, res->rps / 1e6,
		    res->gbs, res->lo, res->hi, res->memchr_gbs,
		    res->memcpy_gbs, res->memchr_gbs / res->gbs,
		    res->memcpy_gbs / res->gbs);
	printf("kv reply %s %.3f %.4f\n", key,
	    res->rps / 1e6, res->gbs);
}

int
main(int argc, char **argv)
{
		double seconds = argc > 1 ? atof(argv[1]) : 10.0, per;
	struct stream one, ten;
	struct result r1, r10;

	if (seconds <= 0)
		seconds = 10.0;
	if (argc > 2 && strcmp(argv[2], "quick") == 0) {
		quick = 1;
		RUNS = 5;
	}
	per = seconds / (6.0 * RUNS);
	fill(&one, mw_bench_single, mw_bench_nsingle, MW_REPLY_ANY);
	fill(&ten, mw_bench_ehlo, mw_bench_nehlo, MW_REPLY_EHLO);
	if (quick) {
		measure("single-line replies, mix", "single", &one, per, &r1);
		measure("10-line EHLO, capabilities decoded", "ehlo", &ten, per,
		    &r10);
		return 0;
	}
	printf("reply parser, single thread, in cache (%zu-octet buffers), "
	    "%d alternating rounds of %.2f s (parser, memchr, memcpy), "
	    "medians; min-max: slowest-fastest round\n\n",
	    (size_t)BUF_BYTES, RUNS, per);
	printf("| input (octets a reply)                   | M replies/s | "
	    "GB/s  | min-max GB/s | memchr | memcpy | time/memchr | "
	    "time/memcpy |\n");
	printf("| ---------------------------------------- | ----------- | "
	    "----- | ----------- | ------ | ------ | ------- | ------- |\n");
	measure("single-line replies, mix", "single", &one, per, &r1);
	measure("10-line EHLO, capabilities decoded", "ehlo", &ten, per, &r10);
	printf("\ntargets (reply issue): >= 50 M single-line replies/s: %s "
	    "(%.0f%%); >= 2.5 GB/s on 10-line EHLO replies: %s (%.0f%%)\n\n",
	    r1.rps >= 50e6 ? "met" : "missed", 100.0 * r1.rps / 50e6,
	    r10.gbs >= 2.5 ? "met" : "missed", 100.0 * r10.gbs / 2.5);
	free(one.buf);
	free(ten.buf);
	return 0;
}
