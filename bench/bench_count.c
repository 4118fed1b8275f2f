/*
 * bench/bench_count.c: fixed work for instruction counts under callgrind
 * (not timed): the same inputs as bench_command, bench_reply and
 * bench_data, run a fixed number of times inside work(), so that
 *
 *     valgrind --tool=callgrind --toggle-collect=work bench_count WHAT N
 *
 * counts only the parsing and the result is repeatable. It prints
 * "units U unit-name": divide callgrind's total by U.
 *
 *     WHAT: command (the realistic mix, per command), heavy (heavy
 *     parameters, per command), command_chunked and heavy_chunked (the
 *     same in 1-64 octet calls), invalid (refused lines, per command), reply (single-line mix, per reply), ehlo
 *     (10-line EHLO decoded, per reply), decode and encode (78-column
 *     text, 2% stuffed, 64 KiB, per KiB: wire KiB for decode, body KiB
 *     for encode)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/command.h>
#include <mailwire/data.h>
#include <mailwire/reply.h>

#include "corpus.h"


#define BODY	(64 * 1024)


static unsigned char buf[1 << 17], body[BODY + 128], wire[2 * BODY + 64],
    out[2 * BODY + 64];
static size_t buflen, bodylen, wirelen, items;
static volatile size_t sink;

/* the lines, repeated to fill 16 KiB */
static void
lines(const char *const *l, size_t n)
{
	for (size_t i = 0;; i++) {
		size_t k = strlen(l[i % n]);

		if (buflen + k > 16384)
			break;
		memcpy(buf + buflen, l[i % n], k);
		buflen += k;
		items++;
	}
}

static void
text(void)
{
	struct mw_data_enc e;
	uint64_t rng = 88172645463325252u;
	size_t used, made, end;

	while (bodylen + 80 <= BODY) {
		for (int i = 0; i < 78; i++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			body[bodylen + (size_t)i] = i % 7 == 6 ? ' ' :
			    (unsigned char)('a' + rng % 26);
		}
		if (rng % 100 < 2)
			body[bodylen] = '.';
		bodylen += 78;
		body[bodylen++] = '\r';
		body[bodylen++] = '\n';
	}
	mw_data_enc_init(&e, MW_DATA_LONG_REJECT);
	if (mw_data_encode(&e, body, bodylen, &used, wire, sizeof(wire),
	    &made) != MW_ERR_AGAIN || mw_data_encode_end(&e, wire + made,
	    sizeof(wire) - made, &end) != MW_ERR_OK)
		exit(1);
	wirelen = made + end;
}

/* Every line gives a result, whole or in 1-64 octet calls. */
static void
count_commands(int chunked)
{
	if (mw_bench_commands(buf, buflen, chunked) != items)
		exit(1);
	sink += items;
}

static void
replies(enum mw_reply_mode mode)
{
	struct mw_reply_parser rp;
	size_t off = 0, used;

	if (mw_reply_init(&rp, NULL) != MW_ERR_OK ||
	    mw_reply_expect(&rp, mode) != MW_ERR_OK)
		exit(1);
	while (off < buflen) {
		if (mw_reply_parse(&rp, buf + off, buflen - off, &used) !=
		    MW_ERR_OK)
			exit(1);
		sink += rp.reply.nlines;
		off += used;
	}
}

static void
decode(void)
{
	struct mw_data_dec d;
	size_t used, made;

	mw_data_dec_init(&d, NULL);
	if (mw_data_decode(&d, wire, wirelen, &used, out, sizeof(out),
	    &made) != MW_ERR_OK)
		exit(1);
	sink += made;
}

static void
encode(void)
{
	struct mw_data_enc e;
	size_t used, made, end;

	mw_data_enc_init(&e, MW_DATA_LONG_REJECT);
	if (mw_data_encode(&e, body, bodylen, &used, out, sizeof(out),
	    &made) != MW_ERR_AGAIN || mw_data_encode_end(&e, out + made,
	    sizeof(out) - made, &end) != MW_ERR_OK)
		exit(1);
	sink += made + end;
}

/* callgrind collects only in here (--toggle-collect=work) */
__attribute__((noinline)) void work(const char *what, long n);

__attribute__((noinline)) void
work(const char *what, long n)
{
	for (long i = 0; i < n; i++) {
		if (strcmp(what, "command") == 0 || strcmp(what, "heavy") == 0 ||
		    strcmp(what, "invalid") == 0)
			count_commands(0);
		else if (strcmp(what, "command_chunked") == 0 ||
		    strcmp(what, "heavy_chunked") == 0)
			count_commands(1);
		else if (strcmp(what, "reply") == 0)
			replies(MW_REPLY_ANY);
		else if (strcmp(what, "ehlo") == 0)
			replies(MW_REPLY_EHLO);
		else if (strcmp(what, "decode") == 0)
			decode();
		else
			encode();
	}
}

int
main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;
	double units;
	const char *unit;

	if (n <= 0) {
		fprintf(stderr, "usage: bench_count command|heavy|command_chunked|"
		    "heavy_chunked|invalid|reply|ehlo|"
		    "decode|encode N\n");
		return 2;
	}
	if (strcmp(what, "command") == 0 || strcmp(what, "command_chunked") == 0)
		lines(mw_bench_mix, mw_bench_nmix), unit = "command";
	else if (strcmp(what, "heavy") == 0 || strcmp(what, "heavy_chunked") == 0)
		lines(mw_bench_heavy, mw_bench_nheavy), unit = "command";
	else if (strcmp(what, "invalid") == 0)
		lines(mw_bench_invalid, mw_bench_ninvalid),
		    unit = "command";
	else if (strcmp(what, "reply") == 0)
		lines(mw_bench_single, mw_bench_nsingle), unit = "reply";
	else if (strcmp(what, "ehlo") == 0)
		lines(mw_bench_ehlo, mw_bench_nehlo), unit = "reply";
	else if (strcmp(what, "decode") == 0 || strcmp(what, "encode") == 0)
		text(), unit = "KiB";
	else {
		fprintf(stderr, "bench_count: unknown %s\n", what);
		return 2;
	}
	work(what, n);
	if (strcmp(what, "decode") == 0)
		units = (double)wirelen / 1024.0 * (double)n;
	else if (strcmp(what, "encode") == 0)
		units = (double)bodylen / 1024.0 * (double)n;
	else
		units = (double)items * (double)n;
	printf("units %.1f %s octets %zu\n", units, unit,
	    strcmp(what, "decode") == 0 ? wirelen : strcmp(what, "encode") == 0 ?
	    bodylen : buflen);
	return sink == 0;
}
