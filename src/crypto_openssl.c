/*
 * src/crypto_openssl.c: the mw_crypto provider on OpenSSL 3's libcrypto
 * (mailwire/crypto_openssl.h). An adapter, outside the core archive: it
 * uses only non-deprecated OpenSSL 3 interfaces (EVP digests, EVP_MAC,
 * PKCS5_PBKDF2_HMAC, RAND_bytes).
 */
#include <limits.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <mailwire/crypto_openssl.h>

static const EVP_MD *
md(enum mw_hash h)
{
	switch (h) {
	case MW_HASH_MD5:
		return EVP_md5();
	case MW_HASH_SHA1:
		return EVP_sha1();
	case MW_HASH_SHA256:
		return EVP_sha256();
	default:
		return NULL;
	}
}

static int
hash(void *ctx, enum mw_hash h, const struct mw_iov *iov, size_t niov,
    unsigned char *out)
{
	const EVP_MD *m = md(h);
	EVP_MD_CTX *c;
	size_t i;
	int ok;

	(void)ctx;
	if (m == NULL || (niov > 0 && iov == NULL) || out == NULL)
		return -1;
	if ((c = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex2(c, m, NULL);
	for (i = 0; ok && i < niov; i++)
		ok = EVP_DigestUpdate(c, iov[i].p, iov[i].n);
	ok = ok && EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

static int
hmac(void *ctx, enum mw_hash h, const unsigned char *key, size_t keylen,
    const struct mw_iov *iov, size_t niov, unsigned char *out)
{
	static const unsigned char none[1];
	const EVP_MD *m = md(h);
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	EVP_MAC_CTX *c = NULL;
	size_t i, len = (size_t)(m != NULL ? EVP_MD_get_size(m) : 0);
	int ok;

	(void)ctx;
	if (m == NULL || (keylen > 0 && key == NULL) ||
	    (niov > 0 && iov == NULL) || out == NULL)
		return -1;
	/* a NULL key would mean "keep the previous key" to EVP_MAC_init;
	 * an empty key is a key too (RFC 2104 2) */
	if (key == NULL)
		key = none;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)EVP_MD_get0_name(m), 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return -1;
	ok = (c = EVP_MAC_CTX_new(mac)) != NULL &&
	    EVP_MAC_init(c, key, keylen, params);
	for (i = 0; ok && i < niov; i++)
		ok = EVP_MAC_update(c, iov[i].p, iov[i].n);
	ok = ok && EVP_MAC_final(c, out, &len, len);
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(mac);
	return ok ? 0 : -1;
}

static int
pbkdf2(void *ctx, enum mw_hash h, const unsigned char *pass, size_t passlen,
    const unsigned char *salt, size_t saltlen, unsigned iterations,
    unsigned char *out, size_t outlen)
{
	static const unsigned char none[1];
	const EVP_MD *m = md(h);

	(void)ctx;
	/* RFC 8018 5.2: the iteration count is a positive integer */
	if (m == NULL || iterations == 0 || iterations > INT_MAX ||
	    passlen > INT_MAX || saltlen > INT_MAX || outlen == 0 ||
	    outlen > INT_MAX || (passlen > 0 && pass == NULL) ||
	    (saltlen > 0 && salt == NULL) || out == NULL)
		return -1;
	return PKCS5_PBKDF2_HMAC(pass != NULL ? (const char *)pass :
	    (const char *)none, (int)passlen, salt != NULL ? salt : none,
	    (int)saltlen, (int)iterations, m, (int)outlen, out) == 1 ? 0 : -1;
}

static int
rnd(void *ctx, unsigned char *out, size_t n)
{
	(void)ctx;
	if (n > INT_MAX || (n > 0 && out == NULL))
		return -1;
	if (n == 0)
		return 0;
	return RAND_bytes(out, (int)n) == 1 ? 0 : -1;
}

void
mw_crypto_openssl(struct mw_crypto *c)
{
	c->ctx = NULL;
	c->hash = hash;
	c->hmac = hmac;
	c->pbkdf2 = pbkdf2;
	c->random = rnd;
}
