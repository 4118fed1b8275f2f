/* bench/corpus.h: the shared benchmark inputs (bench/corpus.c). */
#ifndef MW_BENCH_CORPUS_H
#define MW_BENCH_CORPUS_H

#include <stddef.h>

extern const char *const mw_bench_mix[], *const mw_bench_heavy[],
    *const mw_bench_invalid[], *const mw_bench_single[], *const mw_bench_ehlo[];
extern const size_t mw_bench_nmix, mw_bench_nheavy, mw_bench_ninvalid,
    mw_bench_nsingle, mw_bench_nehlo;

#endif
