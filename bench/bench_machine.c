/*
 * bench/bench_machine.c: how much of the command parser's time is its
 * generated machine. The generated command.c is built a second time with
 * MW_CMD_MACHINE_ONLY, so the line machine's capture hooks do nothing (the
 * esmtp-value runs are still skipped as in the parser), and that machine
 * (run_line) is run over the realistic mix line by line: a recogniser,
 * without spans, the RFC's prose checks, the parameters' own rules or a
 * result. It runs in turn with mw_cmd_parse of the library over the same
 * bytes; no parser built on the machine can be faster than it, and the
 * difference is what the parser does besides reading the line.
 * Usage: bench_machine [seconds]
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "corpus.h"

/* the copy's public functions get other names: the library has its own */
#define mw_cmd_config_init	mwb_cmd_config_init
#define mw_cmd_init		mwb_cmd_init
#define mw_cmd_reset		mwb_cmd_reset
#define mw_cmd_parse		mwb_cmd_parse
#define mw_cmd_error_name	mwb_cmd_error_name
#define mw_cmd_reply		mwb_cmd_reply
#define mw_verb_name		mwb_verb_name
#define mw_param_name		mwb_param_name
#define MW_CMD_MACHINE_ONLY
#include "command.c"
#undef mw_cmd_config_init
#undef mw_cmd_init
#undef mw_cmd_parse

/* the library's (include/mailwire/command.h, declared above as mwb_) */
void	mw_cmd_config_init(struct mw_cmd_config *);
mw_err	mw_cmd_init(struct mw_cmd_parser *, const struct mw_cmd_config *,
	    unsigned char *, size_t);
mw_err	mw_cmd_parse(struct mw_cmd_parser *, const unsigned char *, size_t,
	    size_t *, struct mw_cmd *);

#define ROUNDS	9

static unsigned char scratch[4096];
static volatile size_t sink;

/* Lines the machine accepts, each from its first octet to its LF. */
static size_t
machine(const unsigned char *buf, size_t len)
{
	static struct mw_cmd_parser pr;
	const unsigned char *p = buf, *e = buf + len;
	size_t n = 0;

	pr.scan = buf;
	while (p < e) {
		pr.flags = 0;
		pr.cs = command_en_main;
		p = run_line(&pr, p, e);
		if (!(pr.flags & F_DONE) || p[-1] != '\n')
			return 0;
		n++;
	}
	return n;
}

/* Commands the library parses without error. */
static size_t
parser(const unsigned char *buf, size_t len)
{
	struct mw_cmd_config cfg;
	struct mw_cmd_parser p;
	struct mw_cmd c;
	size_t at = 0, used, n = 0;

	mw_cmd_config_init(&cfg);
	mw_cmd_init(&p, &cfg, scratch, sizeof(scratch));
	while (at < len && mw_cmd_parse(&p, buf + at, len - at, &used,
	    &c) == MW_ERR_OK && c.error == MW_CMD_OK) {
		at += used;
		n++;
	}
	return n;
}

int
main(int argc, char **argv)
{
	static unsigned char buf[1 << 18];
	double seconds = argc > 1 ? atof(argv[1]) : 5, tm[ROUNDS], tp[ROUNDS];
	size_t len = 0, lines = 0, i;
	long reps = 1;

	if (seconds <= 0)
		seconds = 5;
	for (i = 0; len + 600 < sizeof(buf) / 4; i++, lines++) {
		size_t l = strlen(mw_bench_mix[i % mw_bench_nmix]);

		memcpy(buf + len, mw_bench_mix[i % mw_bench_nmix], l);
		len += l;
	}
	/* both must take every line before either is timed */
	if (machine(buf, len) != lines || parser(buf, len) != lines) {
		fprintf(stderr, "bench_machine: the machine or the parser "
		    "refused a line of the mix\n");
		return 1;
	}
	while (bench_per_call(parser, buf, len, reps, &sink) * (double)reps <=
	    seconds / (2 * ROUNDS) / 4)
		reps *= 2;
	for (int k = 0; k < ROUNDS; k++) {
		tm[k] = bench_per_call(machine, buf, len, reps, &sink);
		tp[k] = bench_per_call(parser, buf, len, reps, &sink);
	}
	bench_median(tm, ROUNDS);
	bench_median(tp, ROUNDS);
	printf("command mix, %zu lines of %zu octets, %d alternating rounds, "
	    "medians (fastest rounds)\n", lines, len, ROUNDS);
	printf("  generated machine alone: %.2f GB/s, %.1f M lines/s "
	    "(%.2f GB/s)\n", (double)len / tm[ROUNDS / 2] / 1e9,
	    (double)lines / tm[ROUNDS / 2] / 1e6, (double)len / tm[0] / 1e9);
	printf("  mw_cmd_parse:            %.2f GB/s, %.1f M commands/s "
	    "(%.2f GB/s)\n", (double)len / tp[ROUNDS / 2] / 1e9,
	    (double)lines / tp[ROUNDS / 2] / 1e6, (double)len / tp[0] / 1e9);
	printf("  the machine is %.0f%% of the parser's time; the target "
	    "(1.5 GB/s) leaves %.2f ns a command beside it, the parser "
	    "spends %.2f\n", 100 * tm[ROUNDS / 2] / tp[ROUNDS / 2],
	    ((double)len / 1.5 - tm[ROUNDS / 2] * 1e9) / (double)lines,
	    (tp[ROUNDS / 2] - tm[ROUNDS / 2]) * 1e9 / (double)lines);
	printf("kv machine mix %.4f %.4f\n", (double)len / tm[ROUNDS / 2] / 1e9,
	    (double)len / tp[ROUNDS / 2] / 1e9);
	return sink == 0;
}
