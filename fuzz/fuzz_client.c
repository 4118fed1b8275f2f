/*
 * fuzz/fuzz_client.c: the client engine against a mutated server. The
 * first byte picks the configuration (LMTP, PIPELINING, BDAT, TLS mode,
 * AUTH, reply limits), the second the size of the pieces the server's
 * stream is fed in (none crossing a line end, each fed once the client's
 * output was sent); the rest is that stream. The caller sends two
 * messages, then quits; at the end the server closes and the clock runs
 * out, so every session ends.
 * Properties: no recipient is reported delivered unless a reply starting
 * "250" arrived after the client sent the end of that message's data
 * (CRLF.CRLF, or all of BDAT ... LAST); no event follows
 * MW_CLIENT_EV_CLOSE; the session always closes; every engine call
 * succeeds or says why it cannot; the output is CRLF lines (no bare CR or
 * LF outside a BDAT chunk, whose body here has none).
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/client.h>
#include <mailwire/crypto_openssl.h>

static unsigned char buf[MW_CLIENT_BUF_SIZE];
static struct mw_client c;
static unsigned char out[1 << 20];
static size_t outlen, scanned;

static const unsigned char body[] =
    "Subject: fuzz\r\n\r\n.dot line\r\nbody\r\n";

/* Where the end of the message's data was first sent (a message split
 * by RCPTMAX has one per transaction): the input offset fed by then;
 * (size_t)-1 if not since the last message ended. */
static size_t end_in;

static void
scan_output(size_t fed)
{
	size_t from = scanned > 8 ? scanned - 8 : 0;

	for (size_t i = from; i + 5 <= outlen; i++) {
		/* DATA (the body here has no CRLF.CRLF of its own, and a
		 * message asking for BDAT may go by DATA) */
		if (memcmp(out + i, "\r\n.\r\n", 5) == 0 &&
		    i + 5 > scanned && end_in == (size_t)-1)
			end_in = fed;
		/* BDAT ... LAST: the chunk (the whole body) follows */
		if (i + 7 + sizeof(body) - 1 <= outlen &&
		    memcmp(out + i, " LAST\r\n", 7) == 0 &&
		    i + 7 + sizeof(body) - 1 > scanned && end_in == (size_t)-1)
			end_in = fed;
	}
	scanned = outlen;
}

/* A line of in[from..to) starting with 250. */
static int
has_250(const uint8_t *in, size_t from, size_t to)
{
	for (size_t i = from; i + 3 <= to; i++)
		if ((i == 0 || in[i - 1] == '\n') &&
		    memcmp(in + i, "250", 3) == 0)
			return 1;
	return 0;
}

/* A recipient reported delivered must have a 250 reply, and a line
 * starting 250 must have come after the end of the data was sent. */
static int
proven(const struct mw_client_result *r, const uint8_t *in, size_t fed)
{
	if (r->status != MW_CLIENT_DELIVERED)
		return 1;
	return end_in != (size_t)-1 && r->code == 250 &&
	    has_250(in, end_in, fed);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mw_crypto crypto;
	struct mw_client_config cfg;
	struct mw_sasl_creds creds;
	struct mw_client_rcpt rc[3] = { { "r1@example.net", 0, NULL },
	    { "r2@example.net", MW_NOTIFY_SUCCESS | MW_NOTIFY_DELAY,
	    "r2@example.net" }, { "r3@example.net", 0, NULL } };
	struct mw_client_result res[3];
	struct mw_client_msg m;
	struct mw_client_event ev;
	size_t at = 2, chunk, fed = 0;
	int closed = 0, sent = 0, eof = 0, bdat;
	uint64_t now = 0;

	if (size < 2 || size > 100000)
		return 0;
	mw_crypto_openssl(&crypto);
	mw_client_config_init(&cfg);
	cfg.helo = "client.example";
	cfg.lmtp = data[0] & 1;
	cfg.pipelining = (data[0] >> 1) & 1;
	bdat = (data[0] >> 2) & 1;
	cfg.tls = (enum mw_client_tls)((data[0] >> 3) & 3);
	if (data[0] & 32) {
		memset(&creds, 0, sizeof(creds));
		creds.authcid = "test";
		creds.password = "1234";
		creds.host = "mx.example.com";
		cfg.creds = &creds;
		cfg.crypto = &crypto;
		cfg.plaintext_auth = 1;
	}
	if (data[0] & 64)
		cfg.reply.lenient = MW_REPLY_LENIENT__ALL;
	if (data[0] & 128) {
		cfg.reply.max_lines = 4;
		cfg.reply.max_total = 4 * MW_REPLY_LINE_MAX;
	}
	chunk = 1 + data[1] % 64;
	memset(&m, 0, sizeof(m));
	m.from = "a@example.org";
	m.rcpts = rc;
	m.nrcpts = 3;
	m.results = res;
	m.size = sizeof(body) - 1;
	m.bdat = bdat;
	m.ret = MW_CLIENT_RET_HDRS;
	m.envid = "id+1";
	outlen = scanned = 0;
	end_in = (size_t)-1;
	if (mw_client_init(&c, &cfg, buf, sizeof(buf)) != MW_ERR_OK ||
	    mw_client_connected(&c) != MW_ERR_OK)
		abort();
	for (int guard = 0; guard < 1000000; guard++) {
		const unsigned char *o;
		unsigned char *b;
		size_t n, cap;
		mw_err e = mw_client_next(&c, now, &ev);

		if (e == MW_ERR_OK) {
			if (closed)
				abort();	/* nothing after CLOSE */
			switch (ev.type) {
			case MW_CLIENT_EV_READY:
				if (sent++ < 2) {
					e = mw_client_submit(&c, &m);
					if (e != MW_ERR_OK)
						abort();
				} else if (mw_client_quit(&c) != MW_ERR_OK)
					abort();
				break;
			case MW_CLIENT_EV_BODY:
				if (ev.offset != 0 &&
				    ev.offset != sizeof(body) - 1)
					abort();
				if (ev.offset == 0)
					memcpy(ev.buf, body, sizeof(body) - 1);
				if (mw_client_body(&c, ev.offset == 0 ?
				    sizeof(body) - 1 : 0, 1) != MW_ERR_OK)
					abort();
				break;
			case MW_CLIENT_EV_STARTTLS:
				e = mw_client_tls_done(&c, !(fed & 1));
				if (e != MW_ERR_OK)
					abort();
				break;
			case MW_CLIENT_EV_MESSAGE:
				/* the oracle: delivered only after a 250 that
				 * came after the end of the data */
				for (size_t i = 0; i < 3; i++)
					if (!proven(&res[i], data + 2, fed))
						abort();
				if (ev.delivered > 0 && end_in == (size_t)-1)
					abort();
				end_in = (size_t)-1;
				break;
			case MW_CLIENT_EV_CLOSE:
				closed = 1;
				break;
			default:
				break;
			}
			continue;
		}
		if (e != MW_ERR_AGAIN && e != MW_ERR_STATE)
			abort();
		mw_client_output(&c, &o, &n);
		if (n > 0) {
			if (outlen + n <= sizeof(out)) {
				memcpy(out + outlen, o, n);
				outlen += n;
				scan_output(fed);
			}
			mw_client_output_ack(&c, n);
			continue;
		}
		if (closed)
			break;
		mw_client_input_buf(&c, &b, &cap);
		if (at >= size || cap == 0) {
			if (at >= size && !eof) {
				eof = 1;
				mw_client_input_eof(&c);
				continue;
			}
			/* let the running timer fire */
			if (mw_client_deadline(&c) == UINT64_MAX)
				abort();	/* waiting on nothing */
			now = mw_client_deadline(&c);
			continue;
		}
		n = size - at < chunk ? size - at : chunk;
		if (n > cap)
			n = cap;
		/* a server writes a line at a time: a piece never crosses a
		 * line end, or every reply would come before its command */
		for (size_t i = 0; i < n; i++)
			if (data[at + i] == '\n') {
				n = i + 1;
				break;
			}
		memcpy(b, data + at, n);
		if (mw_client_input_ack(&c, n) != MW_ERR_OK)
			abort();
		at += n;
		fed += n;
		now += 10;
	}
	if (!closed)
		abort();	/* the session always ends */
	return 0;
}
