/*
 * fuzz/fuzz_server.c: the server engine over a whole mutated session.
 * The first byte picks the configuration (LMTP, STARTTLS, limits) and the
 * embedder's mood; the rest is the client's stream, fed in chunks. AUTH is
 * offered with the OpenSSL crypto provider and a deterministic random
 * source, for one user, "test", password "1234" (PLAIN and LOGIN without
 * TLS unless STARTTLS is offered), so the right credentials succeed.
 * Properties: no event follows MW_EV_CLOSE; no MESSAGE event without a
 * DATA event before it in its transaction; no second MW_EV_AUTH after an
 * accepted one (RFC 4954 4) until STARTTLS; the output is well-formed
 * replies (three digits, space or hyphen, CRLF, no bare CR or LF); every
 * engine call succeeds or says why it cannot. And a wrong password never
 * authenticates: the session runs again with the user's password changed;
 * the two runs are the same until the first exchange whose verdict
 * differs, and no exchange may succeed in both (the same octets cannot
 * prove two passwords).
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/crypto_openssl.h>
#include <mailwire/server.h>

static unsigned char buf[MW_SERVER_BUF_SIZE];
static struct mw_server s;
static unsigned char out[1 << 20];
static size_t outlen;

/* The events of a run, up to MAXEV of them (the oracle compares runs). */
#define MAXEV	4096
static unsigned char evlog[2][MAXEV];
static size_t nev[2];

/* The SASL servers' nonces and salts: deterministic, so that two runs of
 * the same input see the same challenges (xorshift64*). */
static uint64_t seed;

static int
det_random(void *ctx, unsigned char *p, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		seed ^= seed >> 12;
		seed ^= seed << 25;
		seed ^= seed >> 27;
		p[i] = (unsigned char)((seed * 2685821657736338717ull) >> 56);
	}
	return 0;
}

static int
rnd(const uint8_t *d, size_t n)
{
	/* a deterministic decision from the input's length and first byte */
	return n > 0 ? (int)((d[0] * 31u + n) & 7) : 0;
}

static void
check_output(void)
{
	size_t i = 0;

	while (i < outlen) {
		size_t j = i;

		if (outlen - i < 5)
			abort();
		for (int k = 0; k < 3; k++)
			if (out[i + k] < '0' || out[i + k] > '9')
				abort();
		if (out[i + 3] != ' ' && out[i + 3] != '-')
			abort();
		while (j < outlen && out[j] != '\n') {
			if (out[j] == '\r' && (j + 1 >= outlen || out[j + 1] != '\n'))
				abort();
			j++;
		}
		if (j >= outlen || out[j - 1] != '\r')
			abort();
		i = j + 1;
	}
}

/* One session over data[0..size) with the user's password pass; the
 * events go to evlog[run]. */
static void
session(const uint8_t *data, size_t size, const char *pass, int run)
{
	struct mw_sasl_user users[1] = {
		{ "test", { (const unsigned char *)pass, 4, NULL, NULL } },
	};
	struct mw_sasl_server_config sasl;
	struct mw_crypto crypto;
	struct mw_server_config cfg;
	struct mw_server_event ev;
	size_t at = 1, chunk;
	int closed = 0, data_seen = 0, eof = 0, mood, authed = 0;
	uint64_t now = 0;

	mw_crypto_openssl(&crypto);
	crypto.random = det_random;
	seed = 0x9e3779b97f4a7c15ull;
	nev[run] = 0;
	memset(&sasl, 0, sizeof(sasl));
	sasl.crypto = &crypto;
	sasl.mechs = MW_SASL_SERVER_MECHS;
	sasl.hostname = "mx.example.com";
	sasl.users = users;
	sasl.nusers = 1;
	mw_server_config_init(&cfg);
	cfg.hostname = "mx.example.com";
	cfg.lmtp = data[0] & 1;
	if (data[0] & 2)
		cfg.extensions |= MW_SERVER_STARTTLS;
	cfg.max_rcpts = (data[0] & 4) ? 3 : 100;
	cfg.max_size = (data[0] & 8) ? 64 : 0;
	cfg.max_errors = (data[0] & 16) ? 2 : 10;
	if (data[0] & 32)
		cfg.cmd.lenient = MW_LENIENT_BARE_LF;
	cfg.sasl = &sasl;
	/* RFC 4954 4: PLAIN and LOGIN before TLS only without STARTTLS */
	cfg.plaintext_auth = !(data[0] & 2);
	chunk = 1 + (data[0] >> 6) * 37;
	outlen = 0;
	if (mw_server_init(&s, &cfg, buf, sizeof(buf)) != MW_ERR_OK)
		abort();
	for (int guard = 0; guard < 1000000; guard++) {
		const unsigned char *o;
		unsigned char *b;
		size_t n, cap;
		mw_err e = mw_server_next(&s, now, &ev);

		if (e == MW_ERR_OK) {
			if (closed)
				abort();	/* nothing after CLOSE */
			if (nev[run] < MAXEV)
				evlog[run][nev[run]++] = (unsigned char)ev.type;
			mood = rnd(data + at - 1, size - at);
			switch (ev.type) {
			case MW_EV_CLOSE:
				closed = 1;
				break;
			case MW_EV_STARTTLS:
				if (mw_server_tls(&s, NULL, 0) != MW_ERR_OK)
					abort();
				authed = 0;	/* RFC 3207 4.2 */
				break;
			case MW_EV_DATA:
				data_seen = 1;
				goto decide;
			case MW_EV_MESSAGE:
				if (!data_seen)
					abort();
				goto decide;
			case MW_EV_RSET:
				data_seen = 0;
				break;
			case MW_EV_BODY:
				if (ev.len == 0 || ev.data == NULL)
					abort();
				break;
			case MW_EV_AUTH:
				/* RFC 4954 4: not twice; only "test" exists */
				if (authed || ev.len != 4 ||
				    memcmp(ev.data, "test", 4) != 0)
					abort();
				if (mood < 5)
					authed = 1;
				goto decide;
			case MW_EV_CONNECT:
			case MW_EV_HELO:
			case MW_EV_MAIL:
			case MW_EV_RCPT:
			decide:
				if (mood == 7)
					e = mw_server_reject(&s, 421, NULL, NULL);
				else if (mood >= 5)
					e = mw_server_reject(&s, 550, "5.7.1",
					    "No");
				else
					e = mw_server_accept(&s, NULL);
				if (e != MW_ERR_OK)
					abort();
				break;
			default:
				break;
			}
			continue;
		}
		if (e == MW_ERR_STATE && !closed)
			abort();	/* only a decision or TLS can be awaited */
		mw_server_output(&s, &o, &n);
		if (n > 0) {
			if (outlen + n <= sizeof(out)) {
				memcpy(out + outlen, o, n);
				outlen += n;
			}
			mw_server_output_ack(&s, n);
			continue;
		}
		if (closed)
			break;
		mw_server_input_buf(&s, &b, &cap);
		if (at >= size || cap == 0) {
			if (at >= size && !eof) {
				eof = 1;
				mw_server_input_eof(&s);
				continue;
			}
			now += MW_SERVER_TIMEOUT_DEFAULT;	/* time out */
			continue;
		}
		n = size - at < chunk ? size - at : chunk;
		if (n > cap)
			n = cap;
		memcpy(b, data + at, n);
		if (mw_server_input_ack(&s, n) != MW_ERR_OK)
			abort();
		at += n;
		now += 10;
	}
	if (!closed)
		abort();	/* the session always ends */
	check_output();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 100000)
		return 0;
	session(data, size, "1234", 0);
	session(data, size, "1235", 1);
	/* the runs agree until a verdict differs; none succeeds in both */
	for (size_t i = 0; i < nev[0] && i < nev[1]; i++) {
		if (evlog[0][i] == MW_EV_AUTH && evlog[1][i] == MW_EV_AUTH)
			abort();	/* a wrong password authenticated */
		if (evlog[0][i] != evlog[1][i])
			break;
	}
	return 0;
}
