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
 * Detaching (mw_server_detach/attach): the right-password session runs
 * twice, plainly and detaching its buffer whenever it would wait for the
 * client (and trying to at other points, where it must refuse), each time
 * checking that the buffer given back is the one it holds, that every
 * call but deadline, input_eof and shutdown is MW_ERR_STATE while
 * detached, and that it never writes to a buffer it gave back; it is
 * attached to the other of two buffers, the one given back filled with
 * 0xA5. The two runs' output must be the same octet for octet and their
 * events the same in every field. A 0xFF octet about to be fed at such a
 * wait has both runs call mw_server_shutdown() there (the detached one
 * while detached), as a server going down would.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/crypto_openssl.h>
#include <mailwire/server.h>

/* Two buffers: a detached session is attached to the other one. */
static unsigned char bufs[2][MW_SERVER_BUF_SIZE];
static struct mw_server s;
/* The output of the plain run (slot 0) and of a detaching one (slot 1). */
static unsigned char outs[2][1 << 20];
static size_t outlens[2];
static unsigned char *out;
static size_t outlen;

/* The events of a run, up to MAXEV of them (the oracles compare runs):
 * the type, and a hash of every field. Runs: 0 plain, 1 detaching, 2
 * the wrong password (detaching). */
#define MAXEV	4096
static unsigned char evlog[3][MAXEV];
static uint64_t evhash[3][MAXEV];
static size_t nev[3];

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

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ull;
	return h;
}

/* Every field of an event (pointers by what they point to). */
static uint64_t
ev_hash(const struct mw_server_event *ev)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int v[5] = { (int)ev->type, (int)ev->verb, ev->code,
	    (int)ev->reason, (int)ev->rcpt };

	h = fnv(h, v, sizeof(v));
	h = fnv(h, &ev->size, sizeof(ev->size));
	h = fnv(h, &ev->len, sizeof(ev->len));
	if (ev->data != NULL)
		h = fnv(h, ev->data, ev->len);
	h = fnv(h, &ev->authzid_len, sizeof(ev->authzid_len));
	if (ev->authzid != NULL)
		h = fnv(h, ev->authzid, ev->authzid_len);
	if (ev->esc != NULL)
		h = fnv(h, ev->esc, strlen(ev->esc));
	h = fnv(h, "|", 1);
	if (ev->cmd != NULL && ev->line != NULL)
		h = fnv(h, &ev->cmd->verb, sizeof(ev->cmd->verb));
	return h;
}

/* The buffer the session holds (cur) and whether it is detached. */
static int cur, detached;

/* Calls on a detached session: MW_ERR_STATE but for deadline, input_eof
 * and shutdown (mailwire/server.h); a refused attach leaves it so. */
static void
check_detached(uint64_t dl)
{
	struct mw_server_event ev;
	const unsigned char *o;
	unsigned char *b;
	size_t n;

	if (mw_server_next(&s, 0, &ev) != MW_ERR_STATE ||
	    mw_server_next(&s, UINT64_MAX, &ev) != MW_ERR_STATE ||
	    mw_server_input_buf(&s, &b, &n) != MW_ERR_STATE ||
	    mw_server_input_ack(&s, 0) != MW_ERR_STATE ||
	    mw_server_input_ack(&s, 1) != MW_ERR_STATE ||
	    mw_server_output(&s, &o, &n) != MW_ERR_STATE ||
	    mw_server_output_ack(&s, 0) != MW_ERR_STATE ||
	    mw_server_accept(&s, NULL) != MW_ERR_STATE ||
	    mw_server_reject(&s, 550, "5.7.1", "No") != MW_ERR_STATE ||
	    mw_server_tls(&s, NULL, 0) != MW_ERR_STATE ||
	    mw_server_detach(&s, &b, &n) != MW_ERR_STATE)
		abort();
	if (mw_server_attach(&s, NULL, sizeof(bufs[0])) != MW_ERR_INVAL ||
	    mw_server_attach(&s, bufs[!cur], 16) != MW_ERR_NOSPACE ||
	    mw_server_next(&s, 0, &ev) != MW_ERR_STATE)
		abort();
	if (mw_server_deadline(&s) != dl)
		abort();
}

/* Detaches if the session is idle; MW_ERR_STATE (nothing changed) if
 * not. */
static void
try_detach(void)
{
	unsigned char *b = NULL;
	size_t len = 0;
	uint64_t dl = mw_server_deadline(&s);
	mw_err e = mw_server_detach(&s, &b, &len);

	if (e == MW_ERR_STATE) {
		if (mw_server_deadline(&s) != dl)
			abort();
		return;
	}
	if (e != MW_ERR_OK)
		abort();
	/* the buffer it holds, given back whole */
	if (b != bufs[cur] || len != sizeof(bufs[cur]))
		abort();
	if (mw_server_deadline(&s) != dl)
		abort();
	memset(b, 0xA5, len);
	detached = 1;
	check_detached(dl);
}

/* Attaches the detached session to the other buffer, which it gave back
 * (or never had) and must not have written to since. */
static void
reattach(void)
{
	uint64_t dl = mw_server_deadline(&s);
	unsigned char *b = bufs[!cur];

	for (size_t i = 0; i < sizeof(bufs[0]); i++)
		if (b[i] != 0xA5)
			abort();	/* written after it was given back */
	if (mw_server_attach(&s, b, sizeof(bufs[0])) != MW_ERR_OK)
		abort();
	cur = !cur;
	detached = 0;
	if (mw_server_attach(&s, bufs[!cur], sizeof(bufs[0])) !=
	    MW_ERR_STATE || mw_server_deadline(&s) != dl)
		abort();
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
 * events go to evlog[run], the output to outs[slot]; dmode: detach. */
static void
session(const uint8_t *data, size_t size, const char *pass, int run,
    int slot, int dmode)
{
	struct mw_sasl_user users[1] = {
		{ "test", { (const unsigned char *)pass, 4, NULL, NULL } },
	};
	struct mw_sasl_server_config sasl;
	struct mw_crypto crypto;
	struct mw_server_config cfg;
	struct mw_server_event ev;
	size_t at = 1, chunk;
	int closed = 0, data_seen = 0, eof = 0, mood, authed = 0, shut = 0;
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
	out = outs[slot];
	outlen = 0;
	cur = detached = 0;
	if (dmode)
		memset(bufs[1], 0xA5, sizeof(bufs[1]));
	if (mw_server_init(&s, &cfg, bufs[0], sizeof(bufs[0])) != MW_ERR_OK)
		abort();
	for (int guard = 0; guard < 1000000; guard++) {
		const unsigned char *o;
		unsigned char *b;
		size_t n, cap;
		mw_err e = mw_server_next(&s, now, &ev);

		if (e == MW_ERR_OK) {
			if (closed)
				abort();	/* nothing after CLOSE */
			if (nev[run] < MAXEV) {
				evhash[run][nev[run]] = ev_hash(&ev);
				evlog[run][nev[run]++] = (unsigned char)ev.type;
			}
			mood = rnd(data + at - 1, size - at);
			/* no detaching with an event in hand (a decision, or
			 * its pointers live) */
			if (dmode && (data[at - 1] & 0x10))
				try_detach();
			if (detached)
				abort();
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
				/* a reply is queued, or the session goes on */
				if (dmode && (data[at - 1] & 0x20)) {
					try_detach();
					if (detached)
						abort();
				}
				break;
			default:
				break;
			}
			continue;
		}
		if (e == MW_ERR_STATE && !closed)
			abort();	/* only a decision or TLS can be awaited */
		if (mw_server_output(&s, &o, &n) != MW_ERR_OK)
			abort();
		if (n > 0) {
			/* output not yet sent: not idle */
			if (dmode && (data[at - 1] & 0x40)) {
				try_detach();
				if (detached)
					abort();
			}
			if (outlen + n <= sizeof(outs[0])) {
				memcpy(out + outlen, o, n);
				outlen += n;
			}
			if (mw_server_output_ack(&s, n) != MW_ERR_OK)
				abort();
			continue;
		}
		if (closed)
			break;
		/* the session waits for the client: give the buffer back */
		if (dmode)
			try_detach();
		if (!shut && at < size && data[at] == 0xFF) {
			shut = 1;
			if (mw_server_shutdown(&s) != MW_ERR_OK)
				abort();
			if (detached)
				reattach();
			continue;
		}
		if (at >= size) {
			if (!eof) {
				eof = 1;
				if (mw_server_input_eof(&s) != MW_ERR_OK)
					abort();
			} else
				now += MW_SERVER_TIMEOUT_DEFAULT; /* time out */
			if (detached)
				reattach();
			continue;
		}
		if (detached)
			reattach();
		if (mw_server_input_buf(&s, &b, &cap) != MW_ERR_OK)
			abort();
		if (cap == 0) {
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
	if (detached)
		abort();
	outlens[slot] = outlen;
	check_output();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 100000)
		return 0;
	session(data, size, "1234", 0, 0, 0);
	session(data, size, "1234", 1, 1, 1);
	/* detaching changes nothing the client or the embedder sees */
	if (outlens[0] != outlen || memcmp(outs[0], out, outlen) != 0)
		abort();
	if (nev[0] != nev[1])
		abort();
	for (size_t i = 0; i < nev[0]; i++)
		if (evlog[0][i] != evlog[1][i] || evhash[0][i] != evhash[1][i])
			abort();
	session(data, size, "1235", 2, 1, 1);
	/* the runs agree until a verdict differs; none succeeds in both */
	for (size_t i = 0; i < nev[0] && i < nev[2]; i++) {
		if (evlog[0][i] == MW_EV_AUTH && evlog[2][i] == MW_EV_AUTH)
			abort();	/* a wrong password authenticated */
		if (evlog[0][i] != evlog[2][i])
			break;
	}
	return 0;
}
