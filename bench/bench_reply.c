/*
 * bench/bench_reply.c: the reply parser's speed, single thread, in cache:
 * single-line replies and 10-line EHLO replies (decoded into the
 * capability set), each next to memchr finding every LF of the same
 * bytes, in alternating rounds; medians and the ratio parser/memchr, as a
 * markdown table (make bench collects it in build/bench/results.md). The
 * targets of the reply-parser issue are printed after it.
 *
 *     bench_reply [seconds]    (default 10; split between the runs)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mailwire/reply.h>

#include "bench.h"

#define RUNS		9
#define BUF_BYTES	(24 * 1024)	/* in L1/L2 with the parser's state */

/* Postfix's answers to one transaction, and a few others. */
static const char *const single[] = {
	"220 mail.example.org ESMTP Postfix\r\n",
	"250 2.1.0 Ok\r\n",
	"250 2.1.5 Ok\r\n",
	"354 End data with <CR><LF>.<CR><LF>\r\n",
	"250 2.0.0 Ok: queued as 4ABCD1234E\r\n",
	"221 2.0.0 Bye\r\n",
	"250 2.0.0 Ok\r\n",
	"550 5.1.1 <nobody@example.org>: Recipient address rejected\r\n",
};

static const char ehlo[] =
	"250-mail.example.org Hello client.example.net [192.0.2.1]\r\n"
	"250-SIZE 52428800\r\n"
	"250-8BITMIME\r\n"
	"250-PIPELINING\r\n"
	"250-AUTH PLAIN LOGIN\r\n"
	"250-CHUNKING\r\n"
	"250-STARTTLS\r\n"
	"250-ENHANCEDSTATUSCODES\r\n"
	"250-DSN\r\n"
	"250 SMTPUTF8\r\n";

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
};

static void
measure(const char *what, const struct stream *s, double per,
    struct result *res)
{
	double p[RUNS], m[RUNS];
	double avg = (double)s->len / (double)s->replies;

	parse_all(s);	/* warm up; aborts if a reply does not parse */
	for (int r = 0; r < RUNS; r++) {
		p[r] = rate(parse_all, s, per);
		m[r] = rate(memchr_all, s, per);
	}
	qsort(p, RUNS, sizeof(p[0]), bench_cmp);
	qsort(m, RUNS, sizeof(m[0]), bench_cmp);
	res->gbs = p[RUNS / 2] / 1e9;
	res->rps = p[RUNS / 2] / avg;
	res->lo = p[0] / 1e9;
	res->hi = p[RUNS - 1] / 1e9;
	res->memchr_gbs = m[RUNS / 2] / 1e9;
	printf("| %-34s %5.1f | %11.2f | %5.3f | %5.3f-%5.3f | %6.2f | "
	    "%5.3f |\n", what, avg, res->rps / 1e6, res->gbs, res->lo,
	    res->hi, res->memchr_gbs, res->gbs / res->memchr_gbs);
}

int
main(int argc, char **argv)
{
	const char *const ehlos[] = { ehlo };
	double seconds = argc > 1 ? atof(argv[1]) : 10.0, per;
	struct stream one, ten;
	struct result r1, r10;

	if (seconds <= 0)
		seconds = 10.0;
	per = seconds / (4.0 * RUNS);
	fill(&one, single, sizeof(single) / sizeof(single[0]), MW_REPLY_ANY);
	fill(&ten, ehlos, 1, MW_REPLY_EHLO);
	printf("reply parser, single thread, in cache (%zu-octet buffers), "
	    "%d alternating rounds of %.2f s (parser, memchr), medians\n\n",
	    (size_t)BUF_BYTES, RUNS, per);
	printf("| input (octets a reply)                   | M replies/s | "
	    "GB/s  | runs GB/s   | memchr | ratio |\n");
	printf("| ---------------------------------------- | ----------- | "
	    "----- | ----------- | ------ | ----- |\n");
	measure("single-line replies, mix", &one, per, &r1);
	measure("10-line EHLO, capabilities decoded", &ten, per, &r10);
	printf("\ntargets (reply issue): >= 50 M single-line replies/s: %s "
	    "(%.0f%%); >= 2.5 GB/s on 10-line EHLO replies: %s (%.0f%%)\n\n",
	    r1.rps >= 50e6 ? "met" : "missed", 100.0 * r1.rps / 50e6,
	    r10.gbs >= 2.5 ? "met" : "missed", 100.0 * r10.gbs / 2.5);
	free(one.buf);
	free(ten.buf);
	return 0;
}
