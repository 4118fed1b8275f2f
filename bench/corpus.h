/* bench/corpus.h: the shared benchmark inputs (bench/corpus.c). */
#ifndef MW_BENCH_CORPUS_H
#define MW_BENCH_CORPUS_H

#include <stddef.h>

extern const char *const mw_bench_mix[], *const mw_bench_heavy[],
    *const mw_bench_invalid[], *const mw_bench_single[], *const mw_bench_ehlo[];
extern const size_t mw_bench_nmix, mw_bench_nheavy, mw_bench_ninvalid,
    mw_bench_nsingle, mw_bench_nehlo;

/* Parses buf[0..len) with a new command parser, whole or appended 1-64
 * octets a call (always the same sequence of sizes), as a caller filling
 * a line buffer would; returns how many calls gave a result. */
size_t	mw_bench_commands(const unsigned char *buf, size_t len, int chunked);

#endif
