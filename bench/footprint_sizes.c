/*
 * bench/footprint_sizes.c: compiled for the embedded target by
 * scripts/bench.sh footprint; each structure of bench/sizes.h becomes a
 * zero-filled object of its size there, so "nm -S" tells its size on that
 * target without running anything.
 */
#include "sizes.h"

#define X(n, t)		char mwsz_##n[sizeof(t)];
#define M(n, t, m)	char mwsz_##n##__##m[sizeof(((t *)0)->m)];
MW_BENCH_SIZES(X, M)
#undef X
#undef M

char mwsz_MW_CLIENT_BUF_SIZE[MW_CLIENT_BUF_SIZE];
char mwsz_MW_SERVER_BUF_SIZE[MW_SERVER_BUF_SIZE];
