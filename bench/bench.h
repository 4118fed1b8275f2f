/*
 * bench/bench.h: what every benchmark shares. Times are the thread's CPU
 * time, so other load on the machine does not count against a run; each
 * benchmark alternates its runs and reports medians.
 */
#ifndef MW_BENCH_H
#define MW_BENCH_H

#include <stdlib.h>
#include <time.h>

/* Seconds of this thread's CPU time. */
static inline double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v[0..n) ascending and returns its median. */
static inline double
bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Seconds a call of fn over buf[0..len) takes, as the mean of reps calls
 * in a row; what fn returns goes to *sink so the calls are not elided. */
static inline double
bench_per_call(size_t (*fn)(const unsigned char *, size_t),
    const unsigned char *buf, size_t len, long reps, volatile size_t *sink)
{
	double t0 = bench_now();

	for (long r = 0; r < reps; r++)
		*sink += fn(buf, len);
	return (bench_now() - t0) / (double)reps;
}

#endif
