/*
 * bench/corpus.c: the inputs the parser benchmarks share (bench_command,
 * bench_reply, bench_count): a realistic session mix (RFC 5321 Appendix
 * D, with extension parameters as real clients send them), one with heavy
 * parameters, refused lines, Postfix's single-line answers to a
 * transaction, and a 10-line EHLO reply; and the way bench_command and
 * bench_count feed the commands to the parser.
 */
#include <stdint.h>

#include <mailwire/command.h>

#include "corpus.h"

const char *const mw_bench_mix[] = {
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
const size_t mw_bench_nmix = sizeof(mw_bench_mix) / sizeof(mw_bench_mix[0]);

const char *const mw_bench_heavy[] = {
	"MAIL FROM:<bounce-12345-abcdef@mailer.example.org> SIZE=1048576 "
	    "BODY=8BITMIME AUTH=sender+40example.org RET=HDRS "
	    "ENVID=QQ314159-2718281828 REQUIRETLS MT-PRIORITY=3\r\n",
	"RCPT TO:<@relay1.example,@relay2.example:user@[IPv6:2001:db8::42]> "
	    "NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;user+40example.com "
	    "RRVS=2026-11-22T10:00:00Z;C\r\n",
};
const size_t mw_bench_nheavy = sizeof(mw_bench_heavy) / sizeof(mw_bench_heavy[0]);

/* lines a server refuses: an unknown verb, a path cut short, an address
 * literal out of range, a bad parameter value, a verb without argument */
const char *const mw_bench_invalid[] = {
	"FOO BAR\r\n",
	"MAIL FROM:<a@b\r\n",
	"RCPT TO:<a@[300.1.1.1]>\r\n",
	"MAIL FROM:<a@b> SIZE=x\r\n",
	"HELO\r\n",
};
const size_t mw_bench_ninvalid = sizeof(mw_bench_invalid) / sizeof(mw_bench_invalid[0]);

const char *const mw_bench_single[] = {
	"220 mail.example.org ESMTP Postfix\r\n",
	"250 2.1.0 Ok\r\n",
	"250 2.1.5 Ok\r\n",
	"354 End data with <CR><LF>.<CR><LF>\r\n",
	"250 2.0.0 Ok: queued as 4ABCD1234E\r\n",
	"221 2.0.0 Bye\r\n",
	"250 2.0.0 Ok\r\n",
	"550 5.1.1 <nobody@example.org>: Recipient address rejected\r\n",
};
const size_t mw_bench_nsingle = sizeof(mw_bench_single) / sizeof(mw_bench_single[0]);

const char *const mw_bench_ehlo[] = {
	"250-mail.example.org Hello client.example.net [192.0.2.1]\r\n"
	"250-SIZE 52428800\r\n"
	"250-8BITMIME\r\n"
	"250-PIPELINING\r\n"
	"250-AUTH PLAIN LOGIN\r\n"
	"250-CHUNKING\r\n"
	"250-STARTTLS\r\n"
	"250-ENHANCEDSTATUSCODES\r\n"
	"250-DSN\r\n"
	"250 SMTPUTF8\r\n",
};
const size_t mw_bench_nehlo = sizeof(mw_bench_ehlo) / sizeof(mw_bench_ehlo[0]);

size_t
mw_bench_commands(const unsigned char *buf, size_t len, int chunked)
{
	static unsigned char scratch[1 << 16];
	struct mw_cmd_config cfg;
	struct mw_cmd_parser p;
	struct mw_cmd c;
	size_t at = 0, used, have = chunked ? 0 : len, n = 0;
	uint32_t rng = 12345;

	mw_cmd_config_init(&cfg);
	mw_cmd_init(&p, &cfg, scratch, sizeof(scratch));
	while (at < len) {
		if (chunked && at + have < len) {
			rng = rng * 1103515245 + 12345;
			have += 1 + (rng >> 16) % 64;
			if (at + have > len)
				have = len - at;
		}
		if (mw_cmd_parse(&p, buf + at, have, &used, &c) == MW_ERR_OK)
			n++;
		else if (used == 0 && at + have == len)
			break;		/* all of it given: no progress left */
		at += used;
		have -= used;
	}
	return n;
}
