/*
 * bench/bench_memory.c: the per-session memory of the engines on this
 * host: sizeof of each session structure (and the members that weigh
 * most) and the recommended buffers, against the 8 KiB per-session target.
 * Prints a markdown table and "kv mem NAME BYTES" lines for
 * scripts/bench.sh.
 */
#include <stdio.h>

#include "sizes.h"

#define TARGET	8192

static void
row(const char *name, size_t n)
{
	printf("| %-34s | %8zu | %7.2f |\n", name, n, (double)n / 1024.0);
}

int
main(void)
{
	size_t srv = sizeof(struct mw_server) + MW_SERVER_BUF_SIZE;
	size_t cli = sizeof(struct mw_client) + MW_CLIENT_BUF_SIZE;

	printf("per-session memory on this host (sizeof, octets)\n\n");
	printf("| structure / member                 |   octets |     KiB |\n"
	    "|---|---|---|\n");
#define X(n, t)		row(#t, sizeof(t));
#define M(n, t, m)	row("  ." #m, sizeof(((t *)0)->m));
	MW_BENCH_SIZES(X, M)
#undef X
#undef M
	row("MW_SERVER_BUF_SIZE", MW_SERVER_BUF_SIZE);
	row("MW_CLIENT_BUF_SIZE", MW_CLIENT_BUF_SIZE);
	printf("\n");
	printf("| per session (target 8 KiB)         |   octets | target | "
	    "verdict |\n|---|---|---|---|\n");
	printf("| server: struct + MW_SERVER_BUF_SIZE | %8zu | %6d | %s "
	    "(%.2fx) |\n", srv, TARGET, srv <= TARGET ? "met" : "missed",
	    (double)srv / TARGET);
	printf("| client: struct + MW_CLIENT_BUF_SIZE | %8zu | %6d | %s "
	    "(%.2fx) |\n", cli, TARGET, cli <= TARGET ? "met" : "missed",
	    (double)cli / TARGET);
#define X(n, t)		printf("kv mem " #n " %zu\n", sizeof(t));
#define M(n, t, m)	printf("kv mem " #n "." #m " %zu\n", \
			    sizeof(((t *)0)->m));
	MW_BENCH_SIZES(X, M)
#undef X
#undef M
	printf("kv mem MW_SERVER_BUF_SIZE %d\n", MW_SERVER_BUF_SIZE);
	printf("kv mem MW_CLIENT_BUF_SIZE %d\n", (int)MW_CLIENT_BUF_SIZE);
	printf("kv mem server_session %zu\n", srv);
	printf("kv mem client_session %zu\n", cli);
	return 0;
}
