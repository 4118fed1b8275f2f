/*
 * fuzz/fuzz_command.c: the command parser on arbitrary bytes. The first
 * byte picks the configuration (strict, SMTPUTF8 offered, leniencies, LMTP) and
 * the chunking; the rest is the client's stream. Properties: the results
 * fed whole and fed in chunks are identical; every span lies inside the
 * line it belongs to; the parser never asks the caller to drop more than
 * it has.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/command.h>

#define MAXCMDS 512

static unsigned char scratch[1 << 16];

struct run {
	struct mw_cmd	cmd[MAXCMDS];
	size_t		len[MAXCMDS];
	size_t		n;
};

static void
check_spans(const struct mw_cmd *c, size_t line)
{
	const struct mw_span s[] = { c->line, c->domain, c->mailbox, c->local,
	    c->source_route, c->arg, c->initial_response };

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if ((size_t)s[i].off + s[i].len > line)
			abort();
	for (unsigned i = 0; i < c->nparams; i++)
		if ((size_t)c->params[i].keyword.off + c->params[i].keyword.len >
		    line || (size_t)c->params[i].value.off +
		    c->params[i].value.len > line)
			abort();
	if (c->nparams > MW_CMD_MAX_PARAMS || (unsigned)c->error >= MW_CMD__COUNT)
		abort();
}

static void
feed(const struct mw_cmd_config *cfg, const uint8_t *in, size_t n,
    size_t chunk, struct run *r)
{
	static unsigned char buf[1 << 17];
	struct mw_cmd_parser p;
	size_t len = 0, at = 0, used;

	r->n = 0;
	if (mw_cmd_init(&p, cfg, scratch, sizeof(scratch)) != MW_ERR_OK)
		abort();
	while (at < n || len > 0) {
		size_t take = n - at < chunk ? n - at : chunk;
		mw_err e;

		memcpy(buf + len, in + at, take);
		len += take;
		at += take;
		do {
			struct mw_cmd c;

			e = mw_cmd_parse(&p, buf, len, &used, &c);
			if (used > len)
				abort();
			if (e == MW_ERR_OK) {
				check_spans(&c, used);
				if (r->n < MAXCMDS) {
					r->cmd[r->n] = c;
					r->len[r->n++] = used;
				}
			}
			memmove(buf, buf + used, len - used);
			len -= used;
		} while (e == MW_ERR_OK);
		if (take == 0)
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, split;
	struct mw_cmd_config cfg;

	if (size < 1 || size > 60000)
		return 0;
	mw_cmd_config_init(&cfg);
	if (!(data[0] & 1))
		cfg.extensions &= ~MW_EXT_SMTPUTF8;
	cfg.lenient = (data[0] >> 1) & 7;
	cfg.strict_params = (data[0] >> 4) & 1;
	cfg.lmtp = data[0] >> 7;	/* RFC 2033 */
	feed(&cfg, data + 1, size - 1, size, &whole);
	feed(&cfg, data + 1, size - 1, 1 + ((data[0] >> 5) & 3) * 13, &split);
	if (whole.n != split.n)
		abort();
	for (size_t i = 0; i < whole.n; i++)
		if (memcmp(&whole.cmd[i], &split.cmd[i], offsetof(struct mw_cmd,
		    params)) != 0 || memcmp(whole.cmd[i].params,
		    split.cmd[i].params, whole.cmd[i].nparams *
		    sizeof(whole.cmd[i].params[0])) != 0)
			abort();
	return 0;
}
