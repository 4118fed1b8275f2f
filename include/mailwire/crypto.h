/*
 * mailwire/crypto.h: the crypto the SASL machines need, reached through a
 * table of functions the caller provides, so firmware can plug in its own
 * (a hardware hash engine, mbedTLS, ...). The core calls only these; it
 * contains no hash code and links no crypto library. mailwire ships one
 * provider on OpenSSL's libcrypto (mailwire/crypto_openssl.h), outside the
 * core archive.
 *
 * Every function returns 0 on success and non-zero on failure; the SASL
 * machines turn a failure into MW_ERR_CRYPTO.
 */
#ifndef MAILWIRE_CRYPTO_H
#define MAILWIRE_CRYPTO_H

#include <stddef.h>

enum mw_hash {
	MW_HASH_MD5,		/* CRAM-MD5 (RFC 2195), DIGEST-MD5 (RFC 2831) */
	MW_HASH_SHA1,		/* SCRAM-SHA-1 (RFC 5802) */
	MW_HASH_SHA256,		/* SCRAM-SHA-256 (RFC 7677) */
	MW_HASH__COUNT
};

/* The longest digest of the hashes above (SHA-256). */
#define MW_HASH_MAX	32

/* The digest length of h in octets: 16, 20, 32; 0 outside the enum. */
size_t	mw_hash_len(enum mw_hash h);

/* One piece of a message that is hashed without being copied together. */
struct mw_iov {
	const void	*p;
	size_t		 n;
};

struct mw_crypto {
	void	*ctx;		/* passed to every function */

	/* out[0..mw_hash_len(h)) = H(iov[0] | iov[1] | ...) */
	int	(*hash)(void *ctx, enum mw_hash h, const struct mw_iov *iov,
		    size_t niov, unsigned char *out);

	/* out[0..mw_hash_len(h)) = HMAC-H(key, iov[0] | iov[1] | ...)
	 * (RFC 2104) */
	int	(*hmac)(void *ctx, enum mw_hash h, const unsigned char *key,
		    size_t keylen, const struct mw_iov *iov, size_t niov,
		    unsigned char *out);

	/* out[0..outlen) = PBKDF2 with HMAC-H (RFC 8018 5.2); SCRAM's Hi()
	 * (RFC 5802 2.2) is PBKDF2 with outlen = mw_hash_len(h). */
	int	(*pbkdf2)(void *ctx, enum mw_hash h, const unsigned char *pass,
		    size_t passlen, const unsigned char *salt, size_t saltlen,
		    unsigned iterations, unsigned char *out, size_t outlen);

	/* out[0..n) = octets from a cryptographically strong random source
	 * (the client nonces of SCRAM and DIGEST-MD5, the server nonces) */
	int	(*random)(void *ctx, unsigned char *out, size_t n);
};

/*
 * Compares a[0..n) and b[0..n) in time that depends on n only; 0 if equal.
 * The SASL machines compare every secret (proofs, digests, passwords)
 * with it.
 */
int	mw_ct_compare(const unsigned char *a, const unsigned char *b, size_t n);

#endif
