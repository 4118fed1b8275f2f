/*
 * src/sasl_digest.h: the state of the DIGEST-MD5 client (RFC 2831), kept
 * in struct mw__client (src/sasl_int.h).
 */
#ifndef MW_SASL_DIGEST_H
#define MW_SASL_DIGEST_H

#include <stddef.h>

#include <mailwire/error.h>

/* RFC 2831 2.1.2.1: response-value and rspauth are 32 LHEX. */
#define MW__DIGEST_HEX		32
/* The longest realm or nonce taken from a challenge, after unquoting.
 * RFC 2831 sets none beyond the 2048-octet challenge; the realm is a
 * name like the others (MW_SASL_NAME_MAX) and a nonce of 255 octets is
 * far above the 64 bits of entropy RFC 2831 2.1.1 recommends. */
#define MW__DIGEST_VALUE_MAX	255
/* The longest host of digest-uri (a DNS name, RFC 1035 2.3.4) and
 * serv-type (a GSSAPI service name, "smtp"). */
#define MW__DIGEST_HOST_MAX	255
#define MW__DIGEST_SERV_MAX	32

/*
 * c->step: 0 before the digest-challenge, 1 after the digest-response
 * (the rspauth is awaited), 2 after a matching rspauth (c->complete), 3
 * after a refused challenge or rspauth (every later step fails).
 */
struct mw__digest_client {
	/* RFC 2831 2.1.3: the response-auth the server must send */
	unsigned char	rspauth[MW__DIGEST_HEX];
};

struct mw__client;

/*
 * Step one with the cnonce given: parses the digest-challenge in[0..n)
 * and writes the digest-response to out, keeping the expected rspauth.
 * mw__digest_client's step calls it with a cnonce from mw__nonce; tests
 * call it with RFC 2831 4's. MW_ERR_AUTH if the challenge is malformed
 * (RFC 2831 2.1.1: a missing or repeated nonce or algorithm, ...),
 * MW_ERR_UNSUPPORTED if it offers no qop "auth" or the names need a
 * charset the server lacks, MW_ERR_NOSPACE, MW_ERR_CRYPTO.
 */
mw_err	mw__digest_respond(struct mw__client *c, const unsigned char *in,
	    size_t n, const unsigned char *cnonce, size_t cnlen,
	    unsigned char *out, size_t cap, size_t *outlen);

#endif
