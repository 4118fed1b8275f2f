/*
 * fuzz/fuzz_client.c: the client engine against a mutated server. The
 * first byte picks the configuration (LMTP, PIPELINING, BDAT, TLS mode,
 * AUTH, reply limits), the second the size of the pieces the server's
 * stream is fed in (none crossing a line end, each fed once the client's
 * output was sent) and, with its top bit, that a third byte picks the
 * message body, how it is handed over and its type (below; else it is
 * the CRLF body "Subject: fuzz..." in one piece); the rest is that
 * stream. The caller sends two messages, then quits; at the end the
 * server closes and the clock runs out, so every session ends.
 * The body byte: bits 0-2 the body (the CRLF one, bare LF, bare CR, no
 * final line end, empty, mixed line ends ending in CR, one octet, or
 * one taken from the input: a length octet, then that many octets, up to
 * 64), bit 3 BODY=BINARYMIME, bits 4-6 the piece size (0 whole, 1-6,
 * 7 the cycle 1 2 0 3 with empty pieces), bit 7 the end of the body
 * given as a separate empty last piece. Pieces alternate between the
 * event's buffer and the caller's pointer.
 * Properties: no recipient is reported delivered unless a reply starting
 * "250" arrived after the client sent the end of that message's data
 * (CRLF.CRLF, or all of BDAT ... LAST); no event follows
 * MW_CLIENT_EV_CLOSE; the session always closes; every engine call
 * succeeds or says why it cannot; body pieces are asked for in order.
 * And the output, read as the server reads it, is command lines of
 * printable ASCII ending in CRLF, each "BDAT n[ LAST]" followed by
 * exactly n octets (n > 0 unless LAST), and after the 354 to DATA a
 * dot-stuffed body ended by CRLF.CRLF: what a transaction sends of the
 * body, the BDAT chunks joined or the DATA lines unstuffed, is a prefix
 * of the body's canonical form, and all of it once the end of data is
 * sent. The canonical form is computed here independently (RFC 5321
 * 2.3.8; mailwire/client.h): each CR LF pair, lone CR and lone LF as
 * CRLF, and CRLF added to a non-empty body not ending in CR or LF; a
 * BINARYMIME body goes as it is.
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

/* The bodies the body byte picks (7: from the input). */
static const struct { const char *p; size_t n; } bodies[7] = {
#define B(s) { s, sizeof(s) - 1 }
	B("Subject: fuzz\r\n\r\n.dot line\r\nbody\r\n"),
	B("Subject: fuzz\n\n.dot line\nbody\n"),
	B("Subject: fuzz\r\r.dot line\rbody\r"),
	B("Subject: fuzz\r\n\r\n.dot line\r\nbody"),
	B(""),
	B("a\r\n.\r\n\r\r\n\n.\n..\r\n.x\rend\r"),
	B("x"),
#undef B
};

/* The message body (raw), its canonical form and how it is given. */
static unsigned char body[256];
static size_t blen;
static unsigned char canon[2 * sizeof(body) + 2];
static size_t canon_len;
static unsigned psize;		/* 0 whole, 1-6, 7 the cycle */
static int sep_last;		/* the last piece is an empty one */

/* Handing the body over: what was given of this pull. */
static size_t given, npiece, nempty;
static int last_given;

/* Where the end of the message's data was first sent (a message split
 * by RCPTMAX has one per transaction): the input offset fed by then;
 * (size_t)-1 if not since the last message ended. */
static size_t end_in;

/* Reading the output as the server would: the position, what is being
 * read (a command line, a BDAT chunk of chunk_left octets, a DATA body),
 * the octets of the body this transaction sent so far (acc), and where
 * DATA bodies start (the output queued when the body was first asked
 * for after a 354). */
enum { P_LINE, P_CHUNK, P_DATA };
static size_t ppos;
static int pmode, plast, after_data;
static uint64_t chunk_left;
static size_t acc;
#define MAXSTARTS 64
static size_t dstart[MAXSTARTS];
static size_t ndstart;

static void
make_canon(int raw)
{
	canon_len = 0;
	if (raw) {
		memcpy(canon, body, blen);
		canon_len = blen;
		return;
	}
	for (size_t i = 0; i < blen; i++) {
		if (body[i] == '\r' || body[i] == '\n') {
			if (body[i] == '\r' && i + 1 < blen &&
			    body[i + 1] == '\n')
				i++;
			canon[canon_len++] = '\r';
			canon[canon_len++] = '\n';
		} else
			canon[canon_len++] = body[i];
	}
	if (blen > 0 && body[blen - 1] != '\r' && body[blen - 1] != '\n') {
		canon[canon_len++] = '\r';
		canon[canon_len++] = '\n';
	}
}

/* Body octets p[0..n) sent: they must continue the canonical form. */
static void
body_octets(const unsigned char *p, size_t n)
{
	if (n > canon_len - acc || memcmp(p, canon + acc, n) != 0)
		abort();	/* not the body as it should be sent */
	acc += n;
}

/* The end of the data was sent: all of the body. */
static void
body_end(size_t fed)
{
	if (acc != canon_len)
		abort();	/* a body cut short */
	acc = 0;
	if (end_in == (size_t)-1)
		end_in = fed;
}

static int
is_dstart(size_t pos)
{
	for (size_t i = 0; i < ndstart; i++)
		if (dstart[i] == pos)
			return 1;
	return 0;
}

/* The next whole line at ppos (up to its LF): its length, 0 if not all
 * of it is out yet. */
static size_t
line_at(void)
{
	const unsigned char *lf = memchr(out + ppos, '\n', outlen - ppos);

	return lf == NULL ? 0 : (size_t)(lf - (out + ppos)) + 1;
}

static void
scan_output(size_t fed)
{
	for (;;) {
		size_t n, k;
		const unsigned char *l;

		if (pmode == P_CHUNK) {
			k = outlen - ppos;
			if (k > chunk_left)
				k = (size_t)chunk_left;
			body_octets(out + ppos, k);
			ppos += k;
			chunk_left -= k;
			if (chunk_left > 0)
				break;
			pmode = P_LINE;
			if (plast)
				body_end(fed);
			continue;
		}
		if (ppos >= outlen)
			break;
		if (pmode == P_LINE && after_data) {
			/* after DATA: the body, if the 354 came */
			after_data = 0;
			if (is_dstart(ppos))
				pmode = P_DATA;
		}
		if ((n = line_at()) == 0)
			break;
		l = out + ppos;
		/* every line ends in CRLF, with no other CR or LF */
		if (n < 2 || l[n - 2] != '\r')
			abort();
		if (pmode == P_DATA) {
			if (n == 3 && l[0] == '.') {
				pmode = P_LINE;
				body_end(fed);
			} else if (l[0] == '.') {
				if (l[1] != '.')
					abort();	/* a dot not stuffed */
				body_octets(l + 1, n - 1);
			} else
				body_octets(l, n);
			ppos += n;
			continue;
		}
		/* a command: printable ASCII */
		for (size_t i = 0; i + 2 < n; i++)
			if (l[i] < 0x20 || l[i] > 0x7e)
				abort();
		ppos += n;
		if (n >= 5 && memcmp(l, "MAIL ", 5) == 0)
			acc = 0;	/* a transaction, the body again */
		else if (n == 6 && memcmp(l, "DATA", 4) == 0)
			after_data = 1;
		else if (n >= 5 && memcmp(l, "BDAT ", 5) == 0) {
			size_t i = 5;
			uint64_t sz = 0;

			if (i + 2 >= n || l[i] < '0' || l[i] > '9')
				abort();
			if (l[i] == '0' && l[i + 1] >= '0' && l[i + 1] <= '9')
				abort();	/* RFC 3030 2: no leading 0 */
			while (l[i] >= '0' && l[i] <= '9') {
				if (sz > (UINT64_MAX - 9) / 10)
					abort();
				sz = sz * 10 + (l[i++] - '0');
			}
			if (i + 2 == n)
				plast = 0;
			else if (i + 7 == n && memcmp(l + i, " LAST", 5) == 0)
				plast = 1;
			else
				abort();	/* not "BDAT n[ LAST]" */
			if (sz == 0 && !plast)
				abort();	/* an empty chunk is no chunk */
			chunk_left = sz;
			pmode = P_CHUNK;
		}
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

/* MW_CLIENT_EV_BODY: the next piece, in order, from body offset off. */
static void
give_piece(const struct mw_client_event *ev)
{
	static const size_t cycle[4] = { 1, 2, 0, 3 };
	size_t k;
	int last;
	mw_err e;

	if (ev->offset == 0 && (given > 0 || last_given)) {
		/* the body again (a new transaction) */
		given = npiece = 0;
		last_given = 0;
	}
	if (ev->offset != given || last_given)
		abort();	/* out of order, or past the end */
	if (ev->buf == NULL || ev->cap == 0)
		abort();
	if (given == blen) {
		k = 0;
		last = 1;
	} else {
		k = psize == 0 ? blen - given :
		    psize < 7 ? psize : cycle[npiece % 4];
		if (k == 0 && ++nempty > 16)
			k = 1;
		if (k > blen - given)
			k = blen - given;
		last = given + k == blen && !sep_last;
	}
	if (npiece++ % 2 == 0) {
		if (k > ev->cap)
			abort();
		memcpy(ev->buf, body + given, k);
		e = mw_client_body(&c, k, last);
	} else
		e = mw_client_body_ptr(&c, body + given, k, last);
	if (e != MW_ERR_OK)
		abort();
	given += k;
	last_given = last;
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
	size_t at = 2, chunk, fed = 0, in0;
	int closed = 0, sent = 0, eof = 0, bdat;
	unsigned sel = 0;
	uint64_t now = 0;

	if (size < 2 || size > 100000)
		return 0;
	if (data[1] & 0x80) {
		if (size < 3)
			return 0;
		sel = data[at++];
	}
	if ((sel & 7) == 7) {
		size_t n = at < size ? data[at++] % 65 : 0;

		if (n > size - at)
			n = size - at;
		memcpy(body, data + at, n);
		blen = n;
		at += n;
	} else {
		blen = bodies[sel & 7].n;
		memcpy(body, bodies[sel & 7].p, blen);
	}
	psize = (sel >> 4) & 7;
	sep_last = (sel >> 7) & 1;
	make_canon(sel & 8);
	given = npiece = nempty = 0;
	last_given = 0;
	ppos = 0;
	pmode = P_LINE;
	plast = after_data = 0;
	chunk_left = 0;
	acc = 0;
	ndstart = 0;
	in0 = at;
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
	m.size = blen;
	m.bdat = bdat;
	if (sel & 8)
		m.body = MW_CLIENT_BODY_BINARYMIME;
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
				if (ev.offset == 0 && ndstart < MAXSTARTS) {
					/* where a DATA body starts: after
					 * all the output queued so far */
					if (mw_client_output(&c, &o, &n) !=
					    MW_ERR_OK)
						abort();
					dstart[ndstart++] = outlen + n;
				}
				give_piece(&ev);
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
					if (!proven(&res[i], data + in0, fed))
						abort();
				if (ev.delivered > 0 && end_in == (size_t)-1)
					abort();
				end_in = (size_t)-1;
				/* the next message's body */
				given = npiece = 0;
				last_given = 0;
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
