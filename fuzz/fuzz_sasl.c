/*
 * fuzz/fuzz_sasl.c: the SASL machines (mailwire/sasl.h) on arbitrary
 * messages: each server machine fed mutated client responses, each client
 * machine fed mutated server challenges, at the mechanism level and at
 * the RFC 4954 wire level.
 *
 * The input: d[0] picks the machine (low 4 bits: one of the 6 server and
 * 9 client mechanisms, see targets[]), how the messages are given (bit 4:
 * 0 = decoded messages, 1 = wire lines, i.e. the base64 text of SMTP's
 * 334 exchange as written) and a variant (bits 5-7, VAR_*); d[1] holds
 * flags (FL_*) and, in the VAR_CRYPTO_FAIL variant, which crypto call
 * fails; the rest is the messages, each ended by octet 0xFF (a last one
 * without it counts if it is not empty). The server's first message is
 * the initial response of "AUTH mech ir" (as written, in wire form: "="
 * or base64) unless FL_NO_IR.
 *
 * The crypto is real (libcrypto's hashes, HMAC and PBKDF2 through
 * mw_crypto_openssl) but the random source is a fixed generator, restarted
 * for every exchange, so that runs reproduce and a recorded valid exchange
 * (fuzz/corpus/sasl/) stays valid; PBKDF2 runs at most FUZZ_ITER_CAP
 * iterations (the users' keys take ITER), so that a server-first message
 * naming a million iterations costs no more than a small one.
 *
 * Properties, abort() on violation:
 *  - a server says 235 only to a response that proves the right password:
 *    PLAIN and LOGIN carry exactly the user's password; CRAM-MD5's digest
 *    and SCRAM's ClientProof equal what this file computes independently
 *    from the password and the exchange as sent; EXTERNAL only for the
 *    identity the session proved; and the identity reported is the one
 *    that was proved, acting as another only where authorize allows;
 *  - every reply code is one of sasl.h's list, with its enhanced status
 *    code; 454, 534 and 432 only when the lookup (or the crypto) said so;
 *    538 exactly when the mechanism needs TLS and there is none;
 *  - a line that is not canonical base64 is 501 5.5.2 (server) or
 *    cancelled with "*" (client); "*" is 501 5.7.0; an overlong line is
 *    500 5.5.6;
 *  - the wire level and the mechanism level agree on the same messages
 *    (codes, challenges and responses after decoding);
 *  - outputs lie within the caps; challenges and responses on the wire are
 *    canonical base64 and fit MW_SASL_MSG_MAX decoded; the AUTH line fits
 *    512 octets;
 *  - a client never sends the password except in PLAIN and LOGIN, nor the
 *    token except in XOAUTH2 and OAUTHBEARER;
 *  - mw_sasl_client_finish is never OK for SCRAM and DIGEST-MD5 unless
 *    the server proved itself: not without a v= or rspauth, and never for
 *    the same challenges with both the right and a wrong password; nor
 *    for any mechanism before its last message was sent;
 *  - a failing crypto call never lets its step succeed;
 *  - the client never runs PBKDF2 with more than MW__SCRAM_ITER_MAX
 *    iterations (a hostile server's i=);
 *  - the secrets a lookup callback returns are freed after each step:
 *    ASan reports a machine that keeps their pointers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/base64.h>
#include <mailwire/crypto_openssl.h>
#include <mailwire/sasl.h>

#include "sasl_scram.h"		/* MW__SCRAM_ITER_MAX */

#define PASSWORD	"right-password"
#define OTHER_PW	"other-password"	/* user "other" */
#define WRONG_PW	"wrong-password"
#define TOKEN		"right-token"
#define SALT		"fuzz-salt"
#define ITER		1	/* the users' SCRAM keys: fast */
#define FUZZ_ITER_CAP	16
#define HOST		"mx.example.net"
#define NOW		1700000000u	/* the CRAM-MD5 timestamp */

#define MAX_INPUT	16384
#define MAX_MSGS	12
#define SEP		0xff

/* d[0] bits 5-7 */
#define VAR_CRYPTO_FAIL	1	/* d[1] & FL_FAIL_MASK: the call that fails */
#define VAR_ALT		2	/* server: SCRAM keys only, no password;
				 * client: authzid "admin" */
#define VAR_CALLBACK	4	/* server: lookup and authorize callbacks
				 * (with VAR_ALT: small output buffers);
				 * client: small output buffers */
/* d[1] */
#define FL_NO_IR	0x80	/* server: AUTH without initial response */
#define FL_NO_TLS	0x40	/* server: no TLS, PLAIN and LOGIN need it */
#define FL_NO_EXTERNAL	0x20	/* server: no TLS client identity */
#define FL_FAIL_MASK	0x1f

#define SMALL_CAP	40

struct target {
	int			server;
	enum mw_auth_mech	mech;
};

static const struct target targets[16] = {
	{ 1, MW_AUTH_PLAIN }, { 1, MW_AUTH_LOGIN }, { 1, MW_AUTH_CRAM_MD5 },
	{ 1, MW_AUTH_SCRAM_SHA_1 }, { 1, MW_AUTH_SCRAM_SHA_256 },
	{ 1, MW_AUTH_EXTERNAL },
	{ 0, MW_AUTH_PLAIN }, { 0, MW_AUTH_LOGIN }, { 0, MW_AUTH_CRAM_MD5 },
	{ 0, MW_AUTH_DIGEST_MD5 }, { 0, MW_AUTH_SCRAM_SHA_1 },
	{ 0, MW_AUTH_SCRAM_SHA_256 }, { 0, MW_AUTH_XOAUTH2 },
	{ 0, MW_AUTH_OAUTHBEARER }, { 0, MW_AUTH_EXTERNAL },
	{ 0, MW_AUTH_SCRAM_SHA_256 }
};

/* ---- base64, written apart from src/ so that it can judge it ---------- */

static const char abc[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t
b64(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i, k = 0;

	for (i = 0; i + 2 < n; i += 3) {
		out[k++] = abc[s[i] >> 2];
		out[k++] = abc[(s[i] & 3) << 4 | s[i + 1] >> 4];
		out[k++] = abc[(s[i + 1] & 15) << 2 | s[i + 2] >> 6];
		out[k++] = abc[s[i + 2] & 63];
	}
	if (n - i == 1) {
		out[k++] = abc[s[i] >> 2];
		out[k++] = abc[(s[i] & 3) << 4];
		out[k++] = '=';
		out[k++] = '=';
	} else if (n - i == 2) {
		out[k++] = abc[s[i] >> 2];
		out[k++] = abc[(s[i] & 3) << 4 | s[i + 1] >> 4];
		out[k++] = abc[(s[i + 1] & 15) << 2];
		out[k++] = '=';
	}
	return k;
}

static int
val(unsigned char c)
{
	const char *p = c != 0 ? strchr(abc, c) : NULL;

	return p != NULL ? (int)(p - abc) : -1;
}

/* RFC 4648 4 strictly: whole groups, padding only at the end, zero pad
 * bits (3.5). out holds n / 4 * 3 octets. -1 if s[0..n) is not that. */
static int
unb64(const unsigned char *s, size_t n, unsigned char *out, size_t *len)
{
	size_t i, k = 0;

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		int v[4], pad = 0;

		for (int j = 0; j < 4; j++) {
			if (s[i + j] == '=' && i + 4 == n && j >= 2) {
				v[j] = 0;
				pad++;
				continue;
			}
			if (pad > 0 || (v[j] = val(s[i + j])) < 0)
				return -1;
		}
		out[k++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (pad == 2) {
			if (v[1] & 15)
				return -1;
			break;
		}
		out[k++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		if (pad == 1) {
			if (v[2] & 3)
				return -1;
			break;
		}
		out[k++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
	}
	*len = k;
	return 0;
}

static int
contains(const unsigned char *s, size_t n, const char *w)
{
	size_t m = strlen(w);

	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(s + i, w, m) == 0)
			return 1;
	return 0;
}

/* contains(), ignoring the case of ASCII letters (an ABNF string) */
static int
contains_nocase(const unsigned char *s, size_t n, const char *w)
{
	size_t m = strlen(w), j;

	for (size_t i = 0; i + m <= n; i++) {
		for (j = 0; j < m; j++)
			if ((s[i + j] | 0x20) != (w[j] | 0x20))
				break;
		if (j == m)
			return 1;
	}
	return 0;
}

static int
eq(const unsigned char *s, size_t n, const char *w)
{
	return w != NULL && strlen(w) == n && memcmp(s, w, n) == 0;
}

/* A copy of s[0..n) in its own heap block, so ASan sees any over-read. */
static unsigned char *
dup(const unsigned char *s, size_t n)
{
	unsigned char *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	memcpy(p, s, n);
	return p;
}

/* ---- a real provider with a fixed random source ----------------------- */

struct det {
	uint64_t	state;
	unsigned	calls;
	unsigned	fail_at;	/* 1-based; 0: no call fails */
	int		failed;		/* since the caller cleared it */
	unsigned	max_iter;	/* the most iterations asked */
};

static struct mw_crypto real;

static int
tick(struct det *d)
{
	if (d->fail_at != 0 && ++d->calls == d->fail_at) {
		d->failed = 1;
		return -1;
	}
	return 0;
}

static int
det_hash(void *ctx, enum mw_hash h, const struct mw_iov *iov, size_t niov,
    unsigned char *out)
{
	if (tick(ctx) != 0)
		return -1;
	return real.hash(real.ctx, h, iov, niov, out);
}

static int
det_hmac(void *ctx, enum mw_hash h, const unsigned char *key, size_t keylen,
    const struct mw_iov *iov, size_t niov, unsigned char *out)
{
	if (tick(ctx) != 0)
		return -1;
	return real.hmac(real.ctx, h, key, keylen, iov, niov, out);
}

static int
det_pbkdf2(void *ctx, enum mw_hash h, const unsigned char *pass,
    size_t passlen, const unsigned char *salt, size_t saltlen,
    unsigned iterations, unsigned char *out, size_t outlen)
{
	struct det *d = ctx;

	if (iterations > d->max_iter)
		d->max_iter = iterations;
	if (tick(d) != 0)
		return -1;
	if (iterations > FUZZ_ITER_CAP)
		iterations = FUZZ_ITER_CAP;
	return real.pbkdf2(real.ctx, h, pass, passlen, salt, saltlen,
	    iterations, out, outlen);
}

/* splitmix64 */
static int
det_random(void *ctx, unsigned char *out, size_t n)
{
	struct det *d = ctx;

	if (tick(d) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint64_t z = (d->state += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		out[i] = (unsigned char)(z ^ (z >> 31));
	}
	return 0;
}

static void
det_start(struct det *d, struct mw_crypto *c, unsigned fail_at)
{
	memset(d, 0, sizeof(*d));
	d->state = 0x6d61696c77697265ULL;	/* "mailwire" */
	d->fail_at = fail_at;
	c->ctx = d;
	c->hash = det_hash;
	c->hmac = det_hmac;
	c->pbkdf2 = det_pbkdf2;
	c->random = det_random;
}

/* ---- the users --------------------------------------------------------- */

static struct mw_sasl_scram_keys keys[2][2];	/* [user][sha1, sha256] */
static struct mw_sasl_user users[2], users_keys_only[2];
static const char *const names[2] = { "user", "other" };
static const char *const passwords[2] = { PASSWORD, OTHER_PW };

static void
setup(void)
{
	mw_crypto_openssl(&real);
	for (int u = 0; u < 2; u++) {
		if (mw_sasl_scram_keys(&real, MW_HASH_SHA1, passwords[u],
		    (const unsigned char *)SALT, strlen(SALT), ITER,
		    &keys[u][0]) != MW_ERR_OK ||
		    mw_sasl_scram_keys(&real, MW_HASH_SHA256, passwords[u],
		    (const unsigned char *)SALT, strlen(SALT), ITER,
		    &keys[u][1]) != MW_ERR_OK)
			abort();
		users[u].name = names[u];
		users[u].secret.password = (const unsigned char *)passwords[u];
		users[u].secret.password_len = strlen(passwords[u]);
		users[u].secret.scram_sha1 = &keys[u][0];
		users[u].secret.scram_sha256 = &keys[u][1];
		users_keys_only[u] = users[u];
		users_keys_only[u].secret.password = NULL;
		users_keys_only[u].secret.password_len = 0;
	}
}

/* The password of the user named s[0..n), NULL if none. */
static const char *
password_of(const unsigned char *s, size_t n)
{
	for (int u = 0; u < 2; u++)
		if (eq(s, n, names[u]))
			return passwords[u];
	return NULL;
}

/* The lookup callback: "temp", "weak" and "old" get their codes, the
 * others the table; what it finds is copied to heap blocks freed after
 * the step, so that a machine keeping the pointers reads freed memory. */
struct look {
	int		 keys_only;
	int		 said_temp, said_weak, said_old;
	void		*heap[8];
	int		 nheap;
};

struct secret_copy {
	unsigned char			pw[32];
	struct mw_sasl_scram_keys	k1, k256;
};

static enum mw_sasl_lookup
lookup(void *arg, enum mw_auth_mech mech, const unsigned char *cid, size_t n,
    struct mw_sasl_secret *out)
{
	struct look *a = arg;
	struct secret_copy *c;
	enum mw_sasl_lookup l;

	(void)mech;
	if (eq(cid, n, "temp")) {
		a->said_temp = 1;
		return MW_SASL_TEMPFAIL;
	}
	if (eq(cid, n, "weak")) {
		a->said_weak = 1;
		return MW_SASL_TOO_WEAK;
	}
	if (eq(cid, n, "old")) {
		a->said_old = 1;
		return MW_SASL_TRANSITION;
	}
	l = mw_sasl_table_lookup(a->keys_only ? users_keys_only : users, 2,
	    cid, n, out);
	if (l != MW_SASL_FOUND || a->nheap == 8)
		return l;
	if ((c = malloc(sizeof(*c))) == NULL)
		abort();
	a->heap[a->nheap++] = c;
	if (out->password != NULL) {
		memcpy(c->pw, out->password, out->password_len);
		out->password = c->pw;
	}
	c->k1 = *out->scram_sha1;
	c->k256 = *out->scram_sha256;
	out->scram_sha1 = &c->k1;
	out->scram_sha256 = &c->k256;
	return l;
}

static void
look_free(struct look *a)
{
	for (int i = 0; i < a->nheap; i++)
		free(a->heap[i]);
	a->nheap = 0;
}

/* "user" may act as "admin"; no one else as anyone else. */
static int
authorize(void *arg, const unsigned char *cid, size_t cn,
    const unsigned char *zid, size_t zn)
{
	(void)arg;
	return eq(cid, cn, "user") && eq(zid, zn, "admin");
}

/* May cid act as zid (zid empty: as itself) under this configuration? */
static int
may_act(int callbacks, const unsigned char *cid, size_t cn,
    const unsigned char *zid, size_t zn)
{
	if (zn == 0 || (zn == cn && memcmp(zid, cid, cn) == 0))
		return 1;
	return callbacks && authorize(NULL, cid, cn, zid, zn);
}

/* ---- the input --------------------------------------------------------- */

struct input {
	const struct target	*t;
	int			 wire;		/* messages are wire lines */
	unsigned		 var;
	unsigned		 flags;
	unsigned		 fail_at;
	const unsigned char	*msg[MAX_MSGS];
	size_t			 len[MAX_MSGS];
	int			 n;
};

/* ---- transcript -------------------------------------------------------- */

struct entry {
	int		 server;	/* 1: challenge, 0: response */
	unsigned char	*p;
	size_t		 n;
};

struct transcript {
	struct entry	e[2 * MAX_MSGS + 4];
	int		n;
};

static void
tr_add(struct transcript *t, int server, const unsigned char *p, size_t n)
{
	if (t->n == (int)(sizeof(t->e) / sizeof(t->e[0])))
		abort();
	t->e[t->n].server = server;
	t->e[t->n].p = dup(p, n);
	t->e[t->n].n = n;
	t->n++;
}

static void
tr_free(struct transcript *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->e[i].p);
	t->n = 0;
}

/* The last entry from this side at or before index i; -1 if none. */
static int
tr_last(const struct transcript *t, int server, int i)
{
	for (; i >= 0; i--)
		if (t->e[i].server == server)
			return i;
	return -1;
}

/* ---- server oracles ---------------------------------------------------- */

struct outcome {
	mw_err		 err;
	int		 code;
	const char	*esc;
	int		 done;
	unsigned char	*chal;		/* decoded, for 334 */
	size_t		 clen;
};

static void
check_reply(const struct mw_sasl_reply *rep)
{
	static const struct {
		int		 code;
		const char	*esc;
	} codes[] = {
		{ 235, "2.7.0" }, { 432, "4.7.12" }, { 454, "4.7.0" },
		{ 500, "5.5.6" }, { 501, "5.5.2" }, { 501, "5.7.0" },
		{ 504, "5.5.4" }, { 534, "5.7.9" },
		{ 535, "5.7.8" }, { 538, "5.7.11" }
	};

	if (rep->code == 334) {
		if (rep->done || rep->esc != NULL || rep->text != NULL)
			abort();
		return;
	}
	if (!rep->done || rep->esc == NULL || rep->text == NULL ||
	    rep->text[0] == '\0')
		abort();
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (rep->code == codes[i].code &&
		    strcmp(rep->esc, codes[i].esc) == 0)
			return;
	abort();
}

/* HMAC-MD5 in lower-case hex (RFC 2195 2) */
static void
cram_digest(const char *pw, const unsigned char *ch, size_t n, char hex[33])
{
	unsigned char md[16];
	struct mw_iov v = { ch, n };

	if (real.hmac(real.ctx, MW_HASH_MD5, (const unsigned char *)pw,
	    strlen(pw), &v, 1, md) != 0)
		abort();
	for (int i = 0; i < 16; i++) {
		hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	hex[32] = '\0';
}

/* RFC 5802 3: the ClientProof for pw over the exchange as sent */
static size_t
scram_proof(enum mw_hash h, const char *pw, const unsigned char *bare,
    size_t bn, const unsigned char *sfirst, size_t sn,
    const unsigned char *wop, size_t wn, unsigned char *b64proof)
{
	unsigned char salted[MW_HASH_MAX], ck[MW_HASH_MAX], sk[MW_HASH_MAX];
	unsigned char sig[MW_HASH_MAX], proof[MW_HASH_MAX];
	size_t hl = mw_hash_len(h);
	struct mw_iov v = { "Client Key", 10 };
	struct mw_iov am[5] = {
		{ bare, bn }, { ",", 1 }, { sfirst, sn }, { ",", 1 }, { wop, wn }
	};

	if (real.pbkdf2(real.ctx, h, (const unsigned char *)pw, strlen(pw),
	    (const unsigned char *)SALT, strlen(SALT), ITER, salted, hl) != 0 ||
	    real.hmac(real.ctx, h, salted, hl, &v, 1, ck) != 0)
		abort();
	v.p = ck;
	v.n = hl;
	if (real.hash(real.ctx, h, &v, 1, sk) != 0 ||
	    real.hmac(real.ctx, h, sk, hl, am, 5, sig) != 0)
		abort();
	for (size_t i = 0; i < hl; i++)
		proof[i] = ck[i] ^ sig[i];
	return b64(proof, hl, b64proof);
}

/*
 * The server said 235 after transcript t: was the right password (or
 * identity) proved, and is the identity reported the one proved?
 */
static void
check_success(const struct input *in, struct mw_sasl_server *s,
    const struct transcript *t, const struct mw_sasl_session *sess,
    int callbacks)
{
	const unsigned char *cid, *zid;
	size_t cn, zn;
	int last = tr_last(t, 0, t->n - 1);
	const unsigned char *r;
	size_t rn;
	const char *pw;

	if (mw_sasl_server_identity(s, &cid, &cn, &zid, &zn) != MW_ERR_OK ||
	    cn == 0 || cn > MW_SASL_NAME_MAX || zn > MW_SASL_NAME_MAX)
		abort();
	if (in->t->mech == MW_AUTH_EXTERNAL) {
		if (sess->external == NULL || cn != sess->external_len ||
		    memcmp(cid, sess->external, cn) != 0)
			abort();
		/* the one message is the authzid asked for, or nothing */
		if (last >= 0 && t->e[last].n > 0 && !(t->e[last].n == zn &&
		    memcmp(t->e[last].p, zid, zn) == 0))
			abort();
		if (!may_act(callbacks, cid, cn, zid, zn))
			abort();
		return;
	}
	if (last < 0)
		abort();
	r = t->e[last].p;
	rn = t->e[last].n;
	if ((pw = password_of(cid, cn)) == NULL || !may_act(callbacks, cid,
	    cn, zid, zn))
		abort();
	switch (in->t->mech) {
	case MW_AUTH_PLAIN: {
		/* RFC 4616 2: authzid NUL authcid NUL passwd, exactly */
		const unsigned char *a = memchr(r, 0, rn), *b;

		if (a == NULL || (b = memchr(a + 1, 0, rn - (size_t)(a + 1 - r)))
		    == NULL || memchr(b + 1, 0, rn - (size_t)(b + 1 - r)) != NULL)
			abort();
		if ((size_t)(b - a - 1) != cn || memcmp(a + 1, cid, cn) != 0 ||
		    !eq(b + 1, rn - (size_t)(b + 1 - r), pw))
			abort();
		if (a > r && !((size_t)(a - r) == zn && memcmp(r, zid, zn) == 0))
			abort();
		if (a == r && !(zn == cn && memcmp(zid, cid, cn) == 0))
			abort();
		break;
	}
	case MW_AUTH_LOGIN: {
		int prev = tr_last(t, 0, last - 1);

		if (!eq(r, rn, pw) || prev < 0 ||
		    !(t->e[prev].n == cn && memcmp(t->e[prev].p, cid, cn) == 0))
			abort();
		break;
	}
	case MW_AUTH_CRAM_MD5: {
		int ch = tr_last(t, 1, last);
		char hex[33];

		/* no password stored: CRAM-MD5 cannot check one */
		if (in->var & VAR_ALT)
			abort();
		if (ch < 0)
			abort();
		cram_digest(pw, t->e[ch].p, t->e[ch].n, hex);
		if (rn != cn + 33 || memcmp(r, cid, cn) != 0 || r[cn] != ' ' ||
		    memcmp(r + cn + 1, hex, 32) != 0)
			abort();
		break;
	}
	case MW_AUTH_SCRAM_SHA_1:
	case MW_AUTH_SCRAM_SHA_256: {
		enum mw_hash h = in->t->mech == MW_AUTH_SCRAM_SHA_1 ?
		    MW_HASH_SHA1 : MW_HASH_SHA256;
		int sf = -1, cf, fin;
		const unsigned char *bare, *p;
		size_t bn, wn, pn, commas = 0;
		unsigned char want[MW_BASE64_ENCODED_LEN(MW_HASH_MAX)];

		for (int i = 0; i < t->n; i++)
			if (t->e[i].server && t->e[i].n >= 2 &&
			    memcmp(t->e[i].p, "r=", 2) == 0)
				sf = i;
		if (sf < 1 || (cf = sf - 1, t->e[cf].server) ||
		    sf + 1 >= t->n || (fin = sf + 1, t->e[fin].server))
			abort();
		/* client-first-message-bare: after the gs2-header's two
		 * commas */
		for (bare = t->e[cf].p; bare < t->e[cf].p + t->e[cf].n &&
		    commas < 2; bare++)
			if (*bare == ',')
				commas++;
		if (commas < 2)
			abort();
		bn = t->e[cf].n - (size_t)(bare - t->e[cf].p);
		/* client-final-message-without-proof "," proof, the proof
		 * last (RFC 5802 7) */
		p = NULL;
		for (size_t i = 0; i + 3 <= t->e[fin].n; i++)
			if (memcmp(t->e[fin].p + i, ",p=", 3) == 0)
				p = t->e[fin].p + i;
		if (p == NULL)
			abort();
		wn = (size_t)(p - t->e[fin].p);
		pn = t->e[fin].n - wn - 3;
		if (scram_proof(h, pw, bare, bn, t->e[sf].p, t->e[sf].n,
		    t->e[fin].p, wn, want) != pn || memcmp(p + 3, want, pn) != 0)
			abort();
		break;
	}
	default:
		abort();
	}
}

/* ---- server runs ------------------------------------------------------- */

struct srv {
	struct mw_sasl_server_config	cfg;
	struct mw_sasl_session		sess;
	struct look			look;
	struct det			det;
	struct mw_crypto		crypto;
	size_t				cap;
	int				callbacks;
};

static void
srv_setup(const struct input *in, struct srv *v)
{
	memset(v, 0, sizeof(*v));
	det_start(&v->det, &v->crypto, in->var & VAR_CRYPTO_FAIL ?
	    in->fail_at : 0);
	v->callbacks = (in->var & VAR_CALLBACK) != 0;
	v->cfg.crypto = &v->crypto;
	v->cfg.mechs = MW_SASL_SERVER_MECHS;
	v->cfg.hostname = HOST;
	if (in->flags & FL_NO_TLS)
		v->cfg.need_tls = MW_SASL_PLAINTEXT_MECHS;
	v->look.keys_only = (in->var & VAR_ALT) != 0;
	if (v->callbacks) {
		v->cfg.lookup = lookup;
		v->cfg.authorize = authorize;
		v->cfg.arg = &v->look;
	}
	v->cfg.users = in->var & VAR_ALT ? users_keys_only : users;
	v->cfg.nusers = 2;
	v->sess.tls = !(in->flags & FL_NO_TLS);
	if (!(in->flags & FL_NO_EXTERNAL)) {
		v->sess.external = (const unsigned char *)"user";
		v->sess.external_len = 4;
	}
	v->sess.now = NOW;
	v->cap = v->callbacks && (in->var & VAR_ALT) ? 16 : 2 * MW_SASL_MSG_MAX;
}

/* Checks one step's reply against what the lookups and crypto said. */
static void
check_step(struct srv *v, const struct mw_sasl_reply *rep)
{
	check_reply(rep);
	if (v->det.failed && (rep->code == 235 || rep->code == 334))
		abort();
	if (rep->code == 454 && !v->det.failed && !v->look.said_temp)
		abort();
	if (rep->code == 534 && !v->look.said_weak)
		abort();
	if (rep->code == 432 && !v->look.said_old)
		abort();
	v->det.failed = 0;
	v->look.said_temp = v->look.said_weak = v->look.said_old = 0;
	look_free(&v->look);
}

/* The 538 that start must give, or 0. */
static int
want_538(const struct input *in)
{
	return (in->flags & FL_NO_TLS) &&
	    (MW_SASL_PLAINTEXT_MECHS & MW_AUTH_BIT(in->t->mech));
}

/*
 * The mechanism level on decoded messages m[0..n) (has0: the first is an
 * initial response). Outcomes into o[], their number returned.
 */
static int
server_mech(const struct input *in, const unsigned char *const *m,
    const size_t *ml, int n, int has0, struct outcome *o)
{
	struct srv v;
	struct mw_sasl_server s;
	struct mw_sasl_reply rep;
	struct transcript t = { .n = 0 };
	unsigned char *out;
	int k = 0, i = 0, has = has0;
	mw_err err;

	srv_setup(in, &v);
	err = mw_sasl_server_start(&s, &v.cfg, &v.sess, in->t->mech, &rep);
	if (err != MW_ERR_OK)
		abort();
	if (want_538(in) != (rep.code == 538) ||
	    (rep.code != 0 && rep.code != 538))
		abort();
	if (rep.code == 538) {
		check_reply(&rep);
		o[k++] = (struct outcome){ MW_ERR_OK, 538, rep.esc, 1, NULL, 0 };
		return k;
	}
	out = malloc(v.cap);
	for (;;) {
		const unsigned char *p = has && i < n ? m[i] : NULL;
		size_t pn = has && i < n ? ml[i] : 0;
		unsigned char *cp;

		if (has && i >= n)
			break;
		cp = has ? dup(p, pn) : NULL;
		if (has)
			tr_add(&t, 0, p, pn);
		err = mw_sasl_server_step(&s, cp, pn, has, out, v.cap, &rep);
		free(cp);
		if (has)
			i++;
		has = 1;
		o[k] = (struct outcome){ err, 0, NULL, 0, NULL, 0 };
		if (err != MW_ERR_OK) {
			/* only the caller's errors: a buffer too small */
			if (err != MW_ERR_NOSPACE || v.cap >= MW_SASL_MSG_MAX)
				abort();
			k++;
			look_free(&v.look);
			break;
		}
		check_step(&v, &rep);
		o[k].code = rep.code;
		o[k].esc = rep.esc;
		o[k].done = rep.done;
		if (rep.code == 334) {
			if (rep.len > v.cap || rep.len > MW_SASL_MSG_MAX)
				abort();
			o[k].chal = dup(out, rep.len);
			o[k].clen = rep.len;
			tr_add(&t, 1, out, rep.len);
		}
		k++;
		if (rep.code == 235)
			check_success(in, &s, &t, &v.sess, v.callbacks);
		if (rep.done) {
			/* the exchange is over: no second verdict */
			if (mw_sasl_server_step(&s, NULL, 0, 1, out, v.cap,
			    &rep) == MW_ERR_OK)
				abort();
			break;
		}
	}
	free(out);
	tr_free(&t);
	return k;
}

/*
 * The wire level on lines w[0..n): w[0] is the initial response as
 * written if has0. Decoded responses go to dm[] (for the mechanism level
 * to repeat), *ndm their number; *clean is 0 if a line did not decode
 * (the exchange ends there).
 */
static int
server_wire(const struct input *in, const unsigned char *const *w,
    const size_t *wl, int n, int has0, struct outcome *o, unsigned char **dm, size_t *dml,
    int *ndm, int *clean)
{
	struct srv v;
	struct mw_sasl_server s;
	struct mw_sasl_reply rep;
	struct transcript t = { .n = 0 };
	const char *name = mw_auth_mech_name(in->t->mech);
	unsigned char *out, *dec;
	size_t dn = 0;
	int k = 0, i = 0, first = 1, bad;
	mw_err err;

	srv_setup(in, &v);
	out = malloc(v.cap);
	dec = malloc(MW_SASL_LINE_MAX);
	*clean = 1;
	for (;;) {
		int has = first ? has0 : 1;
		const unsigned char *p = has && i < n ? w[i] : NULL;
		size_t pn = has && i < n ? wl[i] : 0;
		unsigned char *cp;

		if (has && i >= n)
			break;
		/* what the line must get, by this file's decoder */
		bad = 0;
		if (has) {
			if (first && pn == 1 && p[0] == '=')
				dn = 0;		/* RFC 4954 4 */
			else if (!first && pn == 1 && p[0] == '*')
				bad = 501;
			else if (pn > MW_SASL_LINE_MAX)
				bad = 500;
			else if (unb64(p, pn, dec, &dn) != 0)
				bad = 501;
			else if (dn > MW_SASL_MSG_MAX)
				bad = 535;
			if (!bad) {
				dm[*ndm] = dup(dec, dn);
				dml[(*ndm)++] = dn;
				tr_add(&t, 0, dec, dn);
			} else
				*clean = 0;
		}
		cp = has ? dup(p, pn) : NULL;
		if (first)
			err = mw_sasl_server_auth(&s, &v.cfg, &v.sess,
			    (const unsigned char *)name, strlen(name), cp, pn,
			    has, out, v.cap, &rep);
		else
			err = mw_sasl_server_line(&s, cp, pn, out, v.cap, &rep);
		free(cp);
		if (has)
			i++;
		o[k] = (struct outcome){ err, 0, NULL, 0, NULL, 0 };
		if (err != MW_ERR_OK) {
			if (err != MW_ERR_NOSPACE ||
			    v.cap >= MW_BASE64_ENCODED_LEN(MW_SASL_MSG_MAX))
				abort();
			k++;
			look_free(&v.look);
			break;
		}
		if (first && rep.code == 0)
			abort();
		/* 538 comes before the response is looked at */
		if (first && want_538(in) != (rep.code == 538))
			abort();
		/* 501 5.5.2 for what is not base64, 501 5.7.0 for "*" */
		if (rep.code != 538 && bad != 0 && (rep.code != bad ||
		    (bad == 501 && strcmp(rep.esc, !first && pn == 1 &&
		    p[0] == '*' ? "5.7.0" : "5.5.2") != 0)))
			abort();
		if (rep.code != 538 && bad == 0 && rep.code == 501 &&
		    strcmp(rep.esc, "5.7.0") != 0)
			abort();
		check_step(&v, &rep);
		first = 0;
		o[k].code = rep.code;
		o[k].esc = rep.esc;
		o[k].done = rep.done;
		if (rep.code == 334) {
			size_t cl;

			if (rep.len > v.cap ||
			    rep.len > MW_BASE64_ENCODED_LEN(MW_SASL_MSG_MAX) ||
			    unb64(out, rep.len, dec, &cl) != 0)
				abort();
			o[k].chal = dup(dec, cl);
			o[k].clen = cl;
			tr_add(&t, 1, dec, cl);
		}
		k++;
		if (rep.code == 235)
			check_success(in, &s, &t, &v.sess, v.callbacks);
		if (rep.done) {
			if (mw_sasl_server_line(&s, (const unsigned char *)"",
			    0, out, v.cap, &rep) == MW_ERR_OK)
				abort();
			break;
		}
	}
	free(out);
	free(dec);
	tr_free(&t);
	return k;
}

static void
same_outcomes(const struct outcome *a, int na, const struct outcome *b,
    int nb)
{
	if (na != nb)
		abort();
	for (int i = 0; i < na; i++) {
		if (a[i].err != b[i].err || a[i].code != b[i].code ||
		    a[i].done != b[i].done)
			abort();
		if ((a[i].esc == NULL) != (b[i].esc == NULL) ||
		    (a[i].esc != NULL && strcmp(a[i].esc, b[i].esc) != 0))
			abort();
		if (a[i].clen != b[i].clen || (a[i].clen > 0 &&
		    memcmp(a[i].chal, b[i].chal, a[i].clen) != 0))
			abort();
	}
}

static void
free_outcomes(struct outcome *o, int n)
{
	for (int i = 0; i < n; i++)
		free(o[i].chal);
}

static void
run_server(const struct input *in)
{
	struct outcome ow[MAX_MSGS + 2], om[MAX_MSGS + 2];
	unsigned char *dm[MAX_MSGS], *lines[MAX_MSGS];
	size_t dml[MAX_MSGS] = { 0 }, ll[MAX_MSGS] = { 0 };
	int has0 = !(in->flags & FL_NO_IR), nw, nm, ndm = 0, small, clean;

	small = (in->var & VAR_CALLBACK) && (in->var & VAR_ALT);
	/* an AUTH command with an initial response needs one */
	if (has0 && in->n == 0)
		return;
	if (in->wire) {
		nw = server_wire(in, in->msg, in->len, in->n, has0, ow, dm,
		    dml, &ndm, &clean);
		/* the mechanism level on what decoded: the same, unless a
		 * line did not decode (then the wire level stopped there) */
		nm = server_mech(in, (const unsigned char *const *)dm, dml,
		    ndm, has0, om);
		if (!small && clean)
			same_outcomes(ow, nw, om, nm);
	} else {
		/* the mechanism level, then the same messages in base64 */
		nm = server_mech(in, in->msg, in->len, in->n, has0, om);
		for (int i = 0; i < in->n; i++) {
			lines[i] = malloc(MW_BASE64_ENCODED_LEN(in->len[i]) + 1);
			ll[i] = b64(in->msg[i], in->len[i], lines[i]);
			if (i == 0 && has0 && in->len[i] == 0) {
				lines[i][0] = '=';
				ll[i] = 1;
			}
		}
		nw = server_wire(in, (const unsigned char *const *)lines, ll,
		    in->n,
		    has0, ow, dm, dml, &ndm, &clean);
		/* alike, except where a message is too long for the line
		 * (500 on the wire, 535 below) */
		if (!small) {
			int over = 0;

			for (int i = 0; i < in->n; i++)
				if (in->len[i] > MW_SASL_MSG_MAX)
					over = 1;
			if (!over)
				same_outcomes(ow, nw, om, nm);
		}
		for (int i = 0; i < in->n; i++)
			free(lines[i]);
	}
	for (int i = 0; i < ndm; i++)
		free(dm[i]);
	free_outcomes(ow, nw);
	free_outcomes(om, nm);
}

/* ---- client ------------------------------------------------------------ */

struct cout {			/* one client output */
	mw_err		 err;
	unsigned char	*p;	/* decoded */
	size_t		 n;
	int		 cancel;	/* wire: "*" */
};

struct cli {
	struct mw_sasl_creds	cr;
	struct det		det;
	struct mw_crypto	crypto;
	size_t			cap;
};

static void
cli_setup(const struct input *in, struct cli *v, const char *password)
{
	memset(v, 0, sizeof(*v));
	det_start(&v->det, &v->crypto, in->var & VAR_CRYPTO_FAIL ?
	    in->fail_at : 0);
	v->cr.authcid = "user";
	v->cr.authzid = in->var & VAR_ALT ? "admin" : NULL;
	v->cr.password = password;
	v->cr.token = TOKEN;
	v->cr.host = HOST;
	v->cr.port = 587;
	v->cap = in->var & VAR_CALLBACK ? SMALL_CAP : MW_SASL_MSG_MAX;
}

/* The server put the secret into a challenge itself (a nonce, a realm):
 * the client may echo it. */
static int echoed_pw, echoed_token;

/* No secret where the mechanism must not send it. */
static void
check_leak(enum mw_auth_mech m, const unsigned char *p, size_t n)
{
	if (m != MW_AUTH_PLAIN && m != MW_AUTH_LOGIN && !echoed_pw &&
	    (contains(p, n, PASSWORD) || contains(p, n, WRONG_PW)))
		abort();
	if (m != MW_AUTH_XOAUTH2 && m != MW_AUTH_OAUTHBEARER &&
	    !echoed_token && contains(p, n, TOKEN))
		abort();
}

static int
mutual(enum mw_auth_mech m)
{
	return m == MW_AUTH_SCRAM_SHA_1 || m == MW_AUTH_SCRAM_SHA_256 ||
	    m == MW_AUTH_DIGEST_MD5;
}

static int
oauth(enum mw_auth_mech m)
{
	return m == MW_AUTH_XOAUTH2 || m == MW_AUTH_OAUTHBEARER;
}

static void
check_status(const struct mw_sasl_client *c)
{
	const char *st = mw_sasl_client_oauth_status(c);

	if (st == NULL || memchr(st, '\0', 64) == NULL)
		abort();
}

/*
 * The mechanism level on challenges m[0..n): outputs into o[] (o[0] the
 * initial response, its n 0 and p NULL when there is none), their number
 * returned; *fin is mw_sasl_client_finish's answer at the end.
 */
static int
client_mech(const struct input *in, const char *password,
    const unsigned char *const *m, const size_t *ml, int n, struct cout *o, mw_err *fin,
    int *has0)
{
	struct cli v;
	struct mw_sasl_client c;
	enum mw_auth_mech mech = in->t->mech;
	unsigned char *out, *cp;
	size_t len = 0;
	int k = 0, proved = 0, answered = 0;
	mw_err err;

	cli_setup(in, &v, password);
	if (mw_sasl_client_start(&c, mech, &v.cr, &v.crypto) != MW_ERR_OK)
		abort();
	out = malloc(v.cap);
	*has0 = 0;
	err = mw_sasl_client_initial(&c, out, v.cap, &len, has0);
	if (v.det.failed && err == MW_ERR_OK)
		abort();
	o[k++] = (struct cout){ err, err == MW_ERR_OK && *has0 ?
	    dup(out, len) : NULL, err == MW_ERR_OK && *has0 ? len : 0, 0 };
	if (err == MW_ERR_OK && *has0) {
		if (len > v.cap)
			abort();
		check_leak(mech, out, len);
	}
	for (int i = 0; err == MW_ERR_OK && i < n; i++) {
		v.det.failed = 0;
		len = 0;
		if ((mech == MW_AUTH_SCRAM_SHA_1 ||
		    mech == MW_AUTH_SCRAM_SHA_256) && ml[i] >= 2 &&
		    memcmp(m[i], "v=", 2) == 0)
			proved = 1;
		/* RFC 2831 7.1: directive names are ABNF strings, of
		 * either case */
		if (mech == MW_AUTH_DIGEST_MD5 && contains_nocase(m[i], ml[i],
		    "rspauth="))
			proved = 1;
		cp = dup(m[i], ml[i]);
		err = mw_sasl_client_step(&c, cp, ml[i], out, v.cap, &len);
		free(cp);
		check_status(&c);
		if (v.det.failed && err == MW_ERR_OK)
			abort();
		if (err == MW_ERR_OK || (err == MW_ERR_AUTH && oauth(mech))) {
			if (len > v.cap)
				abort();
			check_leak(mech, out, len);
		}
		/* RFC 7628 3.2.3: the answer to the error is fixed */
		if (err == MW_ERR_AUTH && oauth(mech) && !(mech ==
		    MW_AUTH_OAUTHBEARER ? len == 1 && out[0] == 0x01 :
		    len == 0))
			abort();
		if (err != MW_ERR_OK && !(err == MW_ERR_AUTH && oauth(mech)))
			len = 0;
		answered += err == MW_ERR_OK;
		o[k++] = (struct cout){ err, dup(out, len), len, 0 };
	}
	*fin = mw_sasl_client_finish(&c);
	if (*fin == MW_ERR_OK && mutual(mech) && !proved)
		abort();
	/* complete: LOGIN answered both prompts, CRAM-MD5 its challenge,
	 * the others sent their initial response */
	if (*fin == MW_ERR_OK && ((mech == MW_AUTH_LOGIN && answered < 2) ||
	    (mech == MW_AUTH_CRAM_MD5 && answered < 1) ||
	    (o[0].err != MW_ERR_OK)))
		abort();
	/* RFC 5802 5.1: a hostile server's i= is bounded */
	if (v.det.max_iter > MW__SCRAM_ITER_MAX)
		abort();
	free(out);
	return k;
}

/*
 * The wire level on 334 texts w[0..n): the AUTH line, then a line for
 * each. Outputs decoded into o[] like client_mech's (o[0]: the initial
 * response of the AUTH line); *extra is set when the initial response was
 * withheld, and the first empty 334 fetched it (then o[1] is that and
 * the challenges' answers start at o[2]).
 */
static int
client_wire(const struct input *in, const unsigned char *const *w,
    const size_t *wl,
    int n, struct cout *o, mw_err *fin, int *withheld)
{
	struct cli v;
	struct mw_sasl_client c;
	enum mw_auth_mech mech = in->t->mech;
	const char *name = mw_auth_mech_name(mech);
	size_t nl = strlen(name), cap, len = 0, dn;
	unsigned char *out, *dec, *cp;
	int k = 0, i = 0, cancelled = 0;
	mw_err err;

	cli_setup(in, &v, PASSWORD);
	if (mw_sasl_client_start(&c, mech, &v.cr, &v.crypto) != MW_ERR_OK)
		abort();
	cap = in->var & VAR_CALLBACK ? SMALL_CAP : MW_SASL_LINE_MAX + 2;
	out = malloc(cap);
	dec = malloc(MAX_INPUT);
	*withheld = 0;
	err = mw_sasl_client_auth_line(&c, out, cap, &len);
	if (v.det.failed && err == MW_ERR_OK)
		abort();
	o[k] = (struct cout){ err, NULL, 0, 0 };
	if (err == MW_ERR_OK) {
		/* "AUTH " name [" " (base64 / "=")] CRLF, 512 at most */
		if (len > cap || len > MW_SASL_AUTH_LINE_MAX || len < 5 + nl + 2 ||
		    memcmp(out, "AUTH ", 5) != 0 ||
		    memcmp(out + 5, name, nl) != 0 ||
		    out[len - 2] != '\r' || out[len - 1] != '\n')
			abort();
		if (len > 5 + nl + 2) {
			const unsigned char *ir = out + 5 + nl + 1;
			size_t irn = len - 2 - (5 + nl + 1);

			if (out[5 + nl] != ' ')
				abort();
			if (irn == 1 && ir[0] == '=')
				dn = 0;
			else if (irn == 0 || unb64(ir, irn, dec, &dn) != 0 ||
			    dn == 0)
				abort();
			o[k].p = dup(dec, dn);
			o[k].n = dn;
			check_leak(mech, dec, dn);
		} else if (mech != MW_AUTH_LOGIN && mech != MW_AUTH_CRAM_MD5 &&
		    mech != MW_AUTH_DIGEST_MD5)
			*withheld = 1;
	}
	k++;
	for (; err == MW_ERR_OK && !cancelled && i < n + *withheld; i++) {
		const unsigned char *p = *withheld && i == 0 ?
		    (const unsigned char *)"" : w[i - *withheld];
		size_t pn = *withheld && i == 0 ? 0 : wl[i - *withheld];
		int bad;

		bad = pn > 0 && (unb64(p, pn, dec, &dn) != 0 ||
		    dn > MW_SASL_MSG_MAX);
		v.det.failed = 0;
		len = 0;
		cp = dup(p, pn);
		err = mw_sasl_client_reply334(&c, cp, pn, out, cap, &len);
		free(cp);
		check_status(&c);
		if (v.det.failed && err == MW_ERR_OK)
			abort();
		if (err == MW_ERR_NOSPACE) {
			if (cap >= MW_SASL_LINE_MAX + 2)
				abort();
			break;
		}
		if (len > cap || len < 2 || out[len - 2] != '\r' ||
		    out[len - 1] != '\n')
			abort();
		o[k] = (struct cout){ err, NULL, 0, 0 };
		if (len == 3 && out[0] == '*') {
			/* cancelled: only with an error */
			if (err == MW_ERR_OK)
				abort();
			o[k].cancel = cancelled = 1;
		} else {
			if (unb64(out, len - 2, dec, &dn) != 0 ||
			    dn > MW_SASL_MSG_MAX)
				abort();
			if (err != MW_ERR_OK && !(err == MW_ERR_AUTH &&
			    oauth(mech)))
				abort();
			o[k].p = dup(dec, dn);
			o[k].n = dn;
			check_leak(mech, dec, dn);
		}
		/* RFC 4954 4: a challenge that is not base64 is cancelled */
		if (bad && !(cancelled && (err == MW_ERR_SYNTAX ||
		    err == MW_ERR_LIMIT)))
			abort();
		k++;
		/* the OAuth error's answer ends the exchange */
		if (err == MW_ERR_AUTH)
			break;
	}
	if (cancelled) {
		/* after "*" the machine takes nothing more */
		if (mw_sasl_client_reply334(&c, (const unsigned char *)"", 0,
		    out, cap, &len) != MW_ERR_STATE ||
		    mw_sasl_client_finish(&c) == MW_ERR_OK)
			abort();
	}
	*fin = mw_sasl_client_finish(&c);
	if (v.det.max_iter > MW__SCRAM_ITER_MAX)
		abort();
	free(out);
	free(dec);
	return k;
}

static void
free_couts(struct cout *o, int n)
{
	for (int i = 0; i < n; i++)
		free(o[i].p);
}

static void
run_client(const struct input *in)
{
	struct cout om[MAX_MSGS + 2], ow[MAX_MSGS + 2], ox[MAX_MSGS + 2];
	unsigned char *dm[MAX_MSGS], *lines[MAX_MSGS];
	const unsigned char *wl[MAX_MSGS];
	size_t dml[MAX_MSGS] = { 0 }, ll[MAX_MSGS] = { 0 };
	enum mw_auth_mech mech = in->t->mech;
	mw_err finm, finw, finx;
	int nm, nw, nx, ndm = 0, has0, hasx, withheld, all = 1;
	int small = (in->var & VAR_CALLBACK) != 0;

	/* the challenges both ways: decoded and as base64 lines */
	for (int i = 0; i < in->n; i++) {
		size_t dn;

		if (in->wire) {
			wl[i] = in->msg[i];
			ll[i] = in->len[i];
			dm[i] = malloc(in->len[i] / 4 * 3 + 1);
			if (unb64(in->msg[i], in->len[i], dm[i], &dn) != 0 ||
			    dn > MW_SASL_MSG_MAX) {
				free(dm[i]);
				all = 0;
				break;
			}
			dml[i] = dn;
			lines[i] = NULL;
		} else {
			dm[i] = dup(in->msg[i], in->len[i]);
			dml[i] = in->len[i];
			lines[i] = malloc(MW_BASE64_ENCODED_LEN(in->len[i]) + 1);
			ll[i] = b64(in->msg[i], in->len[i], lines[i]);
			wl[i] = lines[i];
			if (in->len[i] > MW_SASL_MSG_MAX)
				all = 0;
		}
		ndm++;
	}
	echoed_pw = echoed_token = 0;
	for (int i = 0; i < ndm; i++) {
		echoed_pw |= contains(dm[i], dml[i], PASSWORD) ||
		    contains(dm[i], dml[i], WRONG_PW);
		echoed_token |= contains(dm[i], dml[i], TOKEN);
	}
	nm = client_mech(in, PASSWORD, (const unsigned char *const *)dm, dml,
	    ndm, om, &finm, &has0);
	nw = client_wire(in, wl, ll, in->n, ow, &finw, &withheld);
	/* the server proves itself only to the right password */
	if (mutual(mech)) {
		nx = client_mech(in, WRONG_PW, (const unsigned char *const *)dm,
		    dml, ndm, ox, &finx, &hasx);
		if (finm == MW_ERR_OK && finx == MW_ERR_OK)
			abort();
		free_couts(ox, nx);
	}
	/* the two levels agree on what both saw */
	if (all && !small && om[0].err == MW_ERR_OK && ow[0].err == MW_ERR_OK) {
		if (has0 && !withheld && (ow[0].n != om[0].n ||
		    memcmp(ow[0].p, om[0].p, om[0].n) != 0))
			abort();
		if (withheld && (!has0 || nw < 2 || ow[1].err != MW_ERR_OK ||
		    ow[1].n != om[0].n || memcmp(ow[1].p, om[0].p, om[0].n)))
			abort();
		for (int i = 1; i < nm && i + withheld < nw; i++) {
			const struct cout *a = &om[i], *b = &ow[i + withheld];

			if (a->err != b->err)
				abort();
			if (b->cancel)
				continue;
			if (a->n != b->n || memcmp(a->p, b->p, a->n) != 0)
				abort();
		}
		int errs = 0;

		for (int i = 0; i < nm; i++)
			errs |= om[i].err != MW_ERR_OK;
		if (!errs && nm == ndm + 1 && nw == in->n + 1 + withheld &&
		    finm != finw)
			abort();
	}
	free_couts(om, nm);
	free_couts(ow, nw);
	for (int i = 0; i < ndm; i++)
		free(dm[i]);
	for (int i = 0; i < in->n && !in->wire; i++)
		free(lines[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct input in;
	size_t i, start;

	if (real.hash == NULL)
		setup();
	if (n < 2 || n > MAX_INPUT)
		return 0;
	memset(&in, 0, sizeof(in));
	in.t = &targets[d[0] & 15];
	in.wire = (d[0] >> 4) & 1;
	in.var = d[0] >> 5;
	in.flags = d[1] & ~FL_FAIL_MASK;
	in.fail_at = d[1] & FL_FAIL_MASK;
	/* each message ends at SEP; a last one without it counts if not
	 * empty */
	for (start = i = 2; i <= n && in.n < MAX_MSGS; i++) {
		if ((i == n && i > start) || (i < n && d[i] == SEP)) {
			in.msg[in.n] = d + start;
			in.len[in.n] = i - start;
			in.n++;
			start = i + 1;
		}
	}
	if (in.t->server)
		run_server(&in);
	else
		run_client(&in);
	return 0;
}
