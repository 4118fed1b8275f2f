/*
 * bench/bench_command.c: the command parser's speed, next to memchr over
 * the same bytes in the same run (the floor of any line-based parser)
 * and memcpy of them, as ratios. Runs alternate (parser, memchr, memcpy,
 * parser, ...) and the medians are reported, so a noisy machine moves all
 * alike; sprd is the parser's (max - min) / median over the rounds.
 * Usage: bench_command [seconds] [quick]
 * quick: only the mix (whole), heavy parameters and invalid lines, 5
 * rounds, one "kv command NAME M-cmd/s GB/s" line each (scripts/bench.sh
 * styles, and comparing two builds in turn).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "corpus.h"

#define ROUNDS_MAX	9

static int ROUNDS = ROUNDS_MAX, quick;



static size_t
build(unsigned char *buf, size_t cap, const char *const *lines, size_t n,
    size_t *count)
{
	size_t len = 0;

	*count = 0;
	for (size_t i = 0;; i++) {
		size_t l = strlen(lines[i % n]);

		if (len + l > cap)
			break;
		memcpy(buf + len, lines[i % n], l);
		len += l;
		(*count)++;
	}
	return len;
}

static volatile size_t sink;

static unsigned char copybuf[1 << 18];

static size_t
memcpy_all(const unsigned char *buf, size_t len)
{
	memcpy(copybuf, buf, len);
	return copybuf[len / 2];
}

static size_t
memchr_all(const unsigned char *buf, size_t len)
{
	const unsigned char *p = buf, *e = buf + len;
	size_t n = 0;

	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		p++;
		n++;
	}
	return n;
}

static void
bench(const char *name, const char *key, const char *const *lines,
    size_t nlines, double seconds, int chunked)
{
	static unsigned char buf[1 << 20];	/* in L2 on this machine class */
	double tp[ROUNDS_MAX], tm[ROUNDS_MAX], tc[ROUNDS_MAX];
	size_t count, len = build(buf, sizeof(buf) / 4, lines, nlines, &count);
	long reps = 1;
	double t0;

	/* calibrate to about seconds / (3 * ROUNDS) per measurement */
	for (;;) {
		t0 = bench_now();
		for (long r = 0; r < reps; r++)
			sink += mw_bench_commands(buf, len, chunked);
		if (bench_now() - t0 > seconds / (3 * ROUNDS) / 4)
			break;
		reps *= 2;
	}
	reps *= 4;
	for (int i = 0; i < ROUNDS; i++) {
		t0 = bench_now();
		for (long r = 0; r < reps; r++)
			sink += mw_bench_commands(buf, len, chunked);
		tp[i] = (bench_now() - t0) / (double)reps;
		tm[i] = bench_per_call(memchr_all, buf, len, reps, &sink);
		tc[i] = bench_per_call(memcpy_all, buf, len, reps, &sink);
	}
	qsort(tp, (size_t)ROUNDS, sizeof(double), bench_cmp);
	qsort(tm, (size_t)ROUNDS, sizeof(double), bench_cmp);
	qsort(tc, (size_t)ROUNDS, sizeof(double), bench_cmp);
	if (quick) {
		printf("kv command %s %.3f %.4f\n", key,
		    (double)count / tp[ROUNDS / 2] / 1e6,
		    (double)len / tp[ROUNDS / 2] / 1e9);
		return;
	}
	/* min-max: the fastest and slowest round, M commands/s */
	printf("| %-28s | %8.1f | %5.1f-%5.1f | %7.2f | %7.2f | %7.2f | %5.2f "
	    "| %10.1fx | %10.1fx |\n", name,
	    (double)count / tp[ROUNDS / 2] / 1e6,
	    (double)count / tp[ROUNDS - 1] / 1e6, (double)count / tp[0] / 1e6,
	    (double)len / tp[ROUNDS / 2] / 1e9,
	    (double)len / tm[ROUNDS / 2] / 1e9,
	    (double)len / tc[ROUNDS / 2] / 1e9,
	    (tp[ROUNDS - 1] - tp[0]) / tp[ROUNDS / 2],
	    tp[ROUNDS / 2] / tm[ROUNDS / 2], tp[ROUNDS / 2] / tc[ROUNDS / 2]);
	printf("kv command %s %.3f %.4f\n", key,
	    (double)count / tp[ROUNDS / 2] / 1e6,
	    (double)len / tp[ROUNDS / 2] / 1e9);
}

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5;

	if (seconds <= 0)
		seconds = 5;
	if (argc > 2 && strcmp(argv[2], "quick") == 0) {
		quick = 1;
		ROUNDS = 5;
		bench("realistic mix, whole", "mix", mw_bench_mix,
		    mw_bench_nmix, seconds / 3, 0);
		bench("heavy parameters", "heavy", mw_bench_heavy,
		    mw_bench_nheavy, seconds / 3, 0);
		bench("invalid lines", "invalid", mw_bench_invalid,
		    mw_bench_ninvalid, seconds / 3, 0);
		return sink == 0;
	}
	printf("command parser, single thread, %d alternating rounds (parser, "
	    "memchr, memcpy), medians; min-max: slowest-fastest round\n\n",
	    ROUNDS);
	printf("| input                        | M cmd/s  | min-max     | GB/s    "
	    "| memchr  | memcpy  | sprd  | time/memchr | time/memcpy |\n"
	    "|---|---|---|---|---|---|---|---|---|\n");
	bench("realistic mix, whole", "mix", mw_bench_mix, mw_bench_nmix,
	    seconds / 5, 0);
	bench("realistic mix, 1-64 B chunks", "mix_chunked", mw_bench_mix,
	    mw_bench_nmix, seconds / 5, 1);
	bench("heavy parameters", "heavy", mw_bench_heavy,
	    mw_bench_nheavy, seconds / 5, 0);
	bench("heavy parameters, 1-64 B chunks", "heavy_chunked", mw_bench_heavy,
	    mw_bench_nheavy, seconds / 5, 1);
	bench("invalid lines", "invalid", mw_bench_invalid,
	    mw_bench_ninvalid, seconds / 5, 0);
	printf("targets (issue 3): >= 45 M cmd/s and >= 1.5 GB/s on the mix; "
	    "chunked <= 1.3x whole; every class >= 1 GB/s\n");
	return sink == 0;
}
