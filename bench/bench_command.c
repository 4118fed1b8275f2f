/*
 * bench/bench_command.c: the command parser's speed, next to memchr over
 * the same bytes in the same run (the floor of any line-based parser),
 * as ratios. Runs alternate (parser, memchr, parser, memchr, ...) and the
 * medians are reported, so a noisy machine moves both alike.
 * Usage: bench_command [seconds]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mailwire/command.h>

#include "bench.h"

#define ROUNDS	9

static unsigned char scratch[1 << 16];

/* A realistic session mix (RFC 5321 Appendix D, with extension
 * parameters as real clients send them), and one with heavy parameters. */
static const char *const mix[] = {
	"EHLO client.example.org\r\n",
	"MAIL FROM:<jane.doe@example.org> SIZE=48213 BODY=8BITMIME\r\n",
	"RCPT TO:<john@example.com>\r\n",
	"RCPT TO:<\"quoted name\"@example.net> NOTIFY=SUCCESS,FAILURE\r\n",
	"RCPT TO:<postmaster@[192.0.2.7]>\r\n",
	"DATA\r\n",
	"RSET\r\n",
	"NOOP\r\n",
	"MAIL FROM:<> BODY=7BIT\r\n",
	"RCPT TO:<list-owner@lists.example.org> ORCPT=rfc822;list-owner@lists.example.org\r\n",
	"QUIT\r\n",
};
static const char *const heavy[] = {
	"MAIL FROM:<bounce-12345-abcdef@mailer.example.org> SIZE=1048576 "
	    "BODY=8BITMIME AUTH=sender+40example.org RET=HDRS "
	    "ENVID=QQ314159-2718281828 REQUIRETLS MT-PRIORITY=3\r\n",
	"RCPT TO:<@relay1.example,@relay2.example:user@[IPv6:2001:db8::42]> "
	    "NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;user+40example.com "
	    "RRVS=2026-11-22T10:00:00Z;C\r\n",
};
static const char *const invalid[] = {
	"FOO BAR\r\n",
	"MAIL FROM:<a@b\r\n",
	"RCPT TO:<a@[300.1.1.1]>\r\n",
	"MAIL FROM:<a@b> SIZE=x\r\n",
	"HELO\r\n",
};

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

/* Parses buf whole, or in chunks of 1-64 bytes when chunked, as a caller
 * appending to a line buffer would. */
static size_t
parse_all(const unsigned char *buf, size_t len, int chunked)
{
	struct mw_cmd_config cfg;
	struct mw_cmd_parser p;
	struct mw_cmd c;
	size_t at = 0, used, have, n = 0;
	uint32_t rng = 12345;

	mw_cmd_config_init(&cfg);
	mw_cmd_init(&p, &cfg, scratch, sizeof(scratch));
	have = chunked ? 0 : len;
	while (at < len) {
		if (chunked && at + have < len) {
			rng = rng * 1103515245 + 12345;
			have += 1 + (rng >> 16) % 64;
			if (at + have > len)
				have = len - at;
		}
		if (mw_cmd_parse(&p, buf + at, have, &used, &c) == MW_ERR_OK)
			n++;
		at += used;
		have -= used;
		if (used == 0 && !chunked)
			break;
	}
	return n;
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
bench(const char *name, const char *const *lines, size_t nlines,
    double seconds, int chunked)
{
	static unsigned char buf[1 << 20];	/* in L2 on this machine class */
	double tp[ROUNDS], tm[ROUNDS];
	size_t count, len = build(buf, sizeof(buf) / 4, lines, nlines, &count);
	long reps = 1;
	double t0;

	/* calibrate to about seconds / (2 * ROUNDS) per measurement */
	for (;;) {
		t0 = bench_now();
		for (long r = 0; r < reps; r++)
			sink += parse_all(buf, len, chunked);
		if (bench_now() - t0 > seconds / (2 * ROUNDS) / 4)
			break;
		reps *= 2;
	}
	reps *= 4;
	for (int i = 0; i < ROUNDS; i++) {
		t0 = bench_now();
		for (long r = 0; r < reps; r++)
			sink += parse_all(buf, len, chunked);
		tp[i] = (bench_now() - t0) / (double)reps;
		t0 = bench_now();
		for (long r = 0; r < reps; r++)
			sink += memchr_all(buf, len);
		tm[i] = (bench_now() - t0) / (double)reps;
	}
	qsort(tp, ROUNDS, sizeof(double), bench_cmp);
	qsort(tm, ROUNDS, sizeof(double), bench_cmp);
	printf("| %-28s | %8.1f | %7.2f | %7.2f | %5.2f | %5.1fx |\n", name,
	    (double)count / tp[ROUNDS / 2] / 1e6, (double)len / tp[ROUNDS / 2] / 1e9,
	    (double)len / tm[ROUNDS / 2] / 1e9,
	    (tp[ROUNDS - 1] - tp[0]) / tp[ROUNDS / 2],
	    tp[ROUNDS / 2] / tm[ROUNDS / 2]);
}

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5;

	if (seconds <= 0)
		seconds = 5;
	printf("command parser, single thread, %d alternating rounds, medians\n",
	    ROUNDS);
	printf("| input                        | M cmd/s  | GB/s    | memchr  "
	    "| sprd  | vs memchr |\n|---|---|---|---|---|---|\n");
	bench("realistic mix, whole", mix, sizeof(mix) / sizeof(mix[0]),
	    seconds / 5, 0);
	bench("realistic mix, 1-64 B chunks", mix, sizeof(mix) / sizeof(mix[0]),
	    seconds / 5, 1);
	bench("heavy parameters", heavy, sizeof(heavy) / sizeof(heavy[0]),
	    seconds / 5, 0);
	bench("invalid lines", invalid, sizeof(invalid) / sizeof(invalid[0]),
	    seconds / 5, 0);
	printf("targets (issue 3): >= 45 M cmd/s and >= 1.5 GB/s on the mix; "
	    "chunked <= 1.3x whole; every class >= 1 GB/s\n");
	return sink == 0;
}
