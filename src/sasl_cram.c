/*
 * src/sasl_cram.c: CRAM-MD5 (RFC 2195), client and server. RFC 2195
 * gives the messages in prose only, no ABNF: the challenge is "in the
 * syntax of a msg-id" (RFC 2195 2, citing RFC 822) and the response is
 * "the user name, a space, and the digest" as 32 lower-case hexadecimal
 * digits (RFC 2195 2). The few checks below follow that prose.
 */
#include <stdint.h>
#include <string.h>

#include "sasl_int.h"

#define DIGEST_HEX	32		/* RFC 2195 2: 16 octets, in hex */


/* out[0..32) = lower-case hex of HMAC-MD5(key, text) (RFC 2195 2); 0 if
 * it worked. */
static int
digest(const struct mw_crypto *crypto, const unsigned char *key,
    size_t keylen, const unsigned char *text, size_t n, unsigned char *out)
{
	unsigned char mac[MW_HASH_MAX];
	struct mw_iov iov = { text, n };

	if (crypto == NULL || crypto->hmac == NULL ||
	    crypto->hmac(crypto->ctx, MW_HASH_MD5, key, keylen, &iov, 1,
	    mac) != 0)
		return -1;
	mw__hex(mac, DIGEST_HEX / 2, out);
	return 0;
}

/* ---- client ---- */

static mw_err
client_start(struct mw__client *c)
{
	size_t u = mw__strlen(c->cr->authcid), w = mw__strlen(c->cr->password);

	if (u == 0 || w == 0 || u > MW_SASL_NAME_MAX || w > MW_SASL_NAME_MAX ||
	    c->crypto == NULL || c->crypto->hmac == NULL)
		return MW_ERR_INVAL;
	return MW_ERR_OK;
}

/*
 * RFC 2195 2: response = user SP hex(HMAC-MD5(password, challenge)). The
 * challenge is taken as the octets it is: it only feeds the HMAC, and
 * servers differ in how closely they follow the msg-id form. An empty
 * challenge cannot be one, and a second challenge has no place.
 */
static mw_err
client_step(struct mw__client *c, const unsigned char *in, size_t n,
    unsigned char *out, size_t cap, size_t *outlen)
{
	const struct mw_sasl_creds *cr = c->cr;
	size_t u = mw__strlen(cr->authcid), w = mw__strlen(cr->password);

	if (c->step != 0 || n == 0)
		return MW_ERR_AUTH;
	if (cap < u + 1 + DIGEST_HEX)
		return MW_ERR_NOSPACE;
	if (digest(c->crypto, (const unsigned char *)cr->password, w, in, n,
	    out + u + 1) != 0)
		return MW_ERR_CRYPTO;
	memcpy(out, cr->authcid, u);
	out[u] = ' ';
	*outlen = u + 1 + DIGEST_HEX;
	c->step = 1;
	c->complete = 1;
	return MW_ERR_OK;
}

const struct mw__client_ops mw__cram_client = {
	client_start, mw__no_initial, client_step
};

/* ---- server ---- */

/* Appends s[0..n) at *k in buf; the caller has checked the room. */
static void
put(unsigned char *buf, size_t *k, const void *s, size_t n)
{
	memcpy(buf + *k, s, n);
	*k += n;
}

/*
 * RFC 2195 2: "<" random "." timestamp "@" hostname ">", a msg-id. The
 * random part is a fresh nonce (base64 characters, all atext), so a
 * recorded response never answers another challenge; the timestamp is
 * the session's clock (the core reads none).
 */
static enum mw__verdict
challenge(struct mw__server *s, unsigned char *out, size_t cap,
    size_t *outlen, mw_err *err)
{
	unsigned char *ch = s->m.cram.challenge, nonce[MW_SASL_NONCE_LEN];
	unsigned char digits[20];	/* 2^64 - 1 has 20 */
	const char *host = s->cfg->hostname;
	size_t k = 0, nd = 0, hl, len, chcap = sizeof(s->m.cram.challenge);
	uint64_t now = s->sess.now;

	if (host == NULL || *host == '\0')
		host = "localhost";
	hl = mw__strlen(host);
	do {
		digits[sizeof(digits) - ++nd] = (unsigned char)('0' + now % 10);
		now /= 10;
	} while (now != 0);
	len = 1 + sizeof(nonce) + 1 + nd + 1 + hl + 1;
	/* the challenge buffer bounds the host name: a configuration
	 * error, not the client's */
	if (hl > chcap || len > chcap) {
		*err = MW_ERR_INVAL;
		return MW__TEMPFAIL;
	}
	if (cap < len) {
		*err = MW_ERR_NOSPACE;
		return MW__FAIL;
	}
	if (mw__nonce(s->cfg->crypto, nonce, sizeof(nonce)) != 0)
		return MW__TEMPFAIL;
	put(ch, &k, "<", 1);
	put(ch, &k, nonce, sizeof(nonce));
	put(ch, &k, ".", 1);
	put(ch, &k, digits + sizeof(digits) - nd, nd);
	put(ch, &k, "@", 1);
	put(ch, &k, host, hl);
	put(ch, &k, ">", 1);
	s->m.cram.len = k;
	memcpy(out, ch, k);
	*outlen = k;
	s->step = 1;
	return MW__CONTINUE;
}

/* RFC 2195 2: user SP 32 lower-case hex digits. The user name is what
 * comes before the last space, so a name with a space still works. */
static int
parse(const unsigned char *in, size_t n, size_t *ulen)
{
	size_t i;

	if (n < 1 + 1 + DIGEST_HEX || in[n - DIGEST_HEX - 1] != ' ')
		return -1;
	for (i = n - DIGEST_HEX; i < n; i++)
		if (!((in[i] >= '0' && in[i] <= '9') ||
		    (in[i] >= 'a' && in[i] <= 'f')))
			return -1;
	*ulen = n - DIGEST_HEX - 1;
	return *ulen <= MW_SASL_NAME_MAX ? 0 : -1;
}

static enum mw__verdict
server_step(struct mw__server *s, const unsigned char *in, size_t n, int has,
    unsigned char *out, size_t cap, size_t *outlen, mw_err *err)
{
	unsigned char want[DIGEST_HEX];
	struct mw_sasl_secret sec;
	enum mw_sasl_lookup l;
	size_t ulen;

	switch (s->step) {
	case 0:
		/* RFC 4954 4: the server speaks first; an initial
		 * response, even "=", is refused with 501 */
		if (has)
			return MW__IR_REFUSED;
		return challenge(s, out, cap, outlen, err);
	case 1:
		s->step = 2;
		if (!has || parse(in, n, &ulen) != 0)
			return MW__FAIL;
		l = mw__lookup(s, in, ulen, &sec);
		if (l != MW_SASL_FOUND)
			return mw__lookup_verdict(l);
		/* the digest needs the password itself (RFC 2195 2); SCRAM
		 * keys cannot stand in for it */
		if (sec.password == NULL)
			return MW__FAIL;
		if (digest(s->cfg->crypto, sec.password, sec.password_len,
		    s->m.cram.challenge, s->m.cram.len, want) != 0)
			return MW__TEMPFAIL;
		if (mw_ct_compare(want, in + n - DIGEST_HEX, DIGEST_HEX) != 0)
			return MW__FAIL;
		return mw__server_identity(s, in, ulen, NULL, 0);
	default:
		return MW__FAIL;
	}
}

const struct mw__server_ops mw__cram_server = { server_step };
