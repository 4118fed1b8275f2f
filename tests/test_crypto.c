/*
 * tests/test_crypto.c: the OpenSSL provider (mailwire/crypto_openssl.h)
 * against RFC 2202 (HMAC-MD5, HMAC-SHA-1), RFC 4231 (HMAC-SHA-256 cases
 * 1-2), RFC 6070 (PBKDF2-HMAC-SHA1, the cheap cases) and the "abc" digests
 * of RFC 1321, FIPS 180; iov splitting; mw_hash_len and mw_ct_compare.
 */
#include <string.h>

#include <mailwire/crypto.h>
#include <mailwire/crypto_openssl.h>

#include "check.h"

static struct mw_crypto cr;

static const char *
hex(const unsigned char *p, size_t n)
{
	static char buf[2 * 64 + 1];
	static const char x[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n && i < 64; i++) {
		buf[2 * i] = x[p[i] >> 4];
		buf[2 * i + 1] = x[p[i] & 15];
	}
	buf[2 * i] = '\0';
	return buf;
}

static void
fill(unsigned char *p, int c, size_t n)
{
	memset(p, c, n);
}

static int
hmac_is(enum mw_hash h, const unsigned char *key, size_t keylen,
    const void *data, size_t n, const char *want)
{
	unsigned char out[MW_HASH_MAX];
	struct mw_iov iov = { data, n };

	return cr.hmac(cr.ctx, h, key, keylen, &iov, 1, out) == 0 &&
	    strcmp(hex(out, mw_hash_len(h)), want) == 0;
}

static int
hash_is(enum mw_hash h, const void *data, size_t n, const char *want)
{
	unsigned char out[MW_HASH_MAX];
	struct mw_iov iov = { data, n };

	return cr.hash(cr.ctx, h, &iov, 1, out) == 0 &&
	    strcmp(hex(out, mw_hash_len(h)), want) == 0;
}

static int
pbkdf2_is(const char *pass, size_t pl, const char *salt, size_t sl,
    unsigned it, size_t dklen, const char *want)
{
	unsigned char out[64];

	return cr.pbkdf2(cr.ctx, MW_HASH_SHA1, (const unsigned char *)pass, pl,
	    (const unsigned char *)salt, sl, it, out, dklen) == 0 &&
	    strcmp(hex(out, dklen), want) == 0;
}

/* RFC 2202 2 and 3: the seven test cases of each hash */
static void
rfc2202(enum mw_hash h, const char *name, const char *const want[7])
{
	static const char *const lb1 =
	    "Test Using Larger Than Block-Size Key - Hash Key First";
	static const char *const lb2 = "Test Using Larger Than Block-Size Key "
	    "and Larger Than One Block-Size Data";
	unsigned char key[80], data[50];
	size_t kl = h == MW_HASH_MD5 ? 16 : 20, i;

	fill(key, 0x0b, kl);
	CHECK(hmac_is(h, key, kl, "Hi There", 8, want[0]),
	    "RFC 2202 HMAC-%s test case 1", name);
	CHECK(hmac_is(h, (const unsigned char *)"Jefe", 4,
	    "what do ya want for nothing?", 28, want[1]),
	    "RFC 2202 HMAC-%s test case 2", name);
	fill(key, 0xaa, kl);
	fill(data, 0xdd, 50);
	CHECK(hmac_is(h, key, kl, data, 50, want[2]),
	    "RFC 2202 HMAC-%s test case 3", name);
	for (i = 0; i < 25; i++)
		key[i] = (unsigned char)(i + 1);
	fill(data, 0xcd, 50);
	CHECK(hmac_is(h, key, 25, data, 50, want[3]),
	    "RFC 2202 HMAC-%s test case 4", name);
	fill(key, 0x0c, kl);
	CHECK(hmac_is(h, key, kl, "Test With Truncation", 20, want[4]),
	    "RFC 2202 HMAC-%s test case 5", name);
	fill(key, 0xaa, 80);
	CHECK(hmac_is(h, key, 80, lb1, strlen(lb1), want[5]),
	    "RFC 2202 HMAC-%s test case 6", name);
	CHECK(hmac_is(h, key, 80, lb2, strlen(lb2), want[6]),
	    "RFC 2202 HMAC-%s test case 7", name);
}

static void
hmacs(void)
{
	static const char *const md5[7] = {
		"9294727a3638bb1c13f48ef8158bfc9d",
		"750c783e6ab0b503eaa86e310a5db738",
		"56be34521d144c88dbb8c733f0e8b3f6",
		"697eaf0aca3a3aea3a75164746ffaa79",
		"56461ef2342edc00f9bab995690efd4c",
		"6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd",
		"6f630fad67cda0ee1fb1f562db3aa53e",
	};
	static const char *const sha1[7] = {
		"b617318655057264e28bc0b6fb378c8ef146be00",
		"effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
		"125d7342b9ac11cd91a39af48aa17b4f63f175d3",
		"4c9007f4026250c6bc8414f9bf50c86c2d7235da",
		"4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
		"aa4ae5e15272d00e95705637ce8a3b55ed402112",
		"e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
	};
	unsigned char key[20], out[MW_HASH_MAX];

	rfc2202(MW_HASH_MD5, "MD5", md5);
	rfc2202(MW_HASH_SHA1, "SHA-1", sha1);

	/* RFC 4231 4.2, 4.3 */
	fill(key, 0x0b, 20);
	CHECK(hmac_is(MW_HASH_SHA256, key, 20, "Hi There", 8,
	    "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7"),
	    "RFC 4231 HMAC-SHA-256 test case 1");
	CHECK(hmac_is(MW_HASH_SHA256, (const unsigned char *)"Jefe", 4,
	    "what do ya want for nothing?", 28,
	    "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843"),
	    "RFC 4231 HMAC-SHA-256 test case 2");

	/* RFC 2104 2: an empty key is a key (zero-filled to the block);
	 * OpenSSL's EVP_MAC_init takes a NULL key as "keep the old one" */
	CHECK(hmac_is(MW_HASH_MD5, NULL, 0, "", 0,
	    "74e6f7298a9c2d168935f58c001bad88"),
	    "HMAC-MD5 with an empty (NULL) key and no data");
	CHECK(hmac_is(MW_HASH_SHA256, (const unsigned char *)"", 0, "", 0,
	    "b613679a0814d9ec772f95d778c35fc5"
	    "ff1697c493715653c6c712144292c5ad"),
	    "HMAC-SHA-256 with an empty key and no data");
	CHECK(cr.hmac(cr.ctx, MW_HASH_MD5, key, 4, NULL, 0, out) == 0 &&
	    cr.hmac(cr.ctx, MW_HASH__COUNT, key, 4, NULL, 0, out) != 0,
	    "HMAC of no iov; an unknown hash fails");
}

static void
hashes(void)
{
	unsigned char out[MW_HASH_MAX];

	/* RFC 1321 A.5, FIPS 180-2 appendices A and B */
	CHECK(hash_is(MW_HASH_MD5, "abc", 3,
	    "900150983cd24fb0d6963f7d28e17f72"), "MD5(\"abc\")");
	CHECK(hash_is(MW_HASH_SHA1, "abc", 3,
	    "a9993e364706816aba3e25717850c26c9cd0d89d"), "SHA-1(\"abc\")");
	CHECK(hash_is(MW_HASH_SHA256, "abc", 3,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
	    "SHA-256(\"abc\")");
	CHECK(hash_is(MW_HASH_MD5, "", 0, "d41d8cd98f00b204e9800998ecf8427e"),
	    "MD5(\"\")");
	CHECK(cr.hash(cr.ctx, MW_HASH_MD5, NULL, 0, out) == 0 &&
	    strcmp(hex(out, 16), "d41d8cd98f00b204e9800998ecf8427e") == 0,
	    "MD5 of no iov is MD5(\"\")");
	CHECK(cr.hash(cr.ctx, (enum mw_hash)99, NULL, 0, out) != 0,
	    "an unknown hash fails");
}

/* The same message in 1, 2 or 3 pieces (empty pieces included) gives
 * the same hash and HMAC. */
static void
splitting(void)
{
	static const char msg[] = "<1896.697170952@postoffice.reston.mci.net>"
	    " and some more text to cross a 64-octet block";
	size_t n = sizeof(msg) - 1, i, j;
	unsigned char whole[MW_HASH_MAX], part[MW_HASH_MAX];
	struct mw_iov iov[3];
	int h, bad = 0;

	for (h = 0; h < MW_HASH__COUNT; h++) {
		size_t hl = mw_hash_len((enum mw_hash)h);
		unsigned char hw[MW_HASH_MAX], hp[MW_HASH_MAX];

		iov[0].p = msg;
		iov[0].n = n;
		if (cr.hash(cr.ctx, (enum mw_hash)h, iov, 1, whole) != 0 ||
		    cr.hmac(cr.ctx, (enum mw_hash)h,
		    (const unsigned char *)"key", 3, iov, 1, hw) != 0) {
			bad++;
			continue;
		}
		for (i = 0; i <= n; i++) {
			for (j = i; j <= n; j++) {
				iov[0].p = msg;
				iov[0].n = i;
				iov[1].p = msg + i;
				iov[1].n = j - i;
				iov[2].p = msg + j;
				iov[2].n = n - j;
				if (cr.hash(cr.ctx, (enum mw_hash)h, iov, 3,
				    part) != 0 || memcmp(part, whole, hl) != 0)
					bad++;
				if (cr.hmac(cr.ctx, (enum mw_hash)h,
				    (const unsigned char *)"key", 3, iov, 3,
				    hp) != 0 || memcmp(hp, hw, hl) != 0)
					bad++;
			}
		}
	}
	CHECK(bad == 0, "hash and HMAC over 3 iovs split at every pair of "
	    "offsets equal the whole (%d wrong)", bad);
}

static void
pbkdf2s(void)
{
	unsigned char out[32];

	/* RFC 6070 2, without the 16777216-iteration case */
	CHECK(pbkdf2_is("password", 8, "salt", 4, 1, 20,
	    "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
	    "RFC 6070 PBKDF2-HMAC-SHA1 c=1");
	CHECK(pbkdf2_is("password", 8, "salt", 4, 2, 20,
	    "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
	    "RFC 6070 PBKDF2-HMAC-SHA1 c=2");
	CHECK(pbkdf2_is("password", 8, "salt", 4, 4096, 20,
	    "4b007901b765489abead49d926f721d065a429c1"),
	    "RFC 6070 PBKDF2-HMAC-SHA1 c=4096");
	CHECK(pbkdf2_is("passwordPASSWORDpassword", 24,
	    "saltSALTsaltSALTsaltSALTsaltSALTsalt", 36, 4096, 25,
	    "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"),
	    "RFC 6070 PBKDF2-HMAC-SHA1 dkLen=25");
	CHECK(pbkdf2_is("pass\0word", 9, "sa\0lt", 5, 4096, 16,
	    "56fa6aa75548099dcc37d7f03425e0c3"),
	    "RFC 6070 PBKDF2-HMAC-SHA1 with NULs");
	CHECK(cr.pbkdf2(cr.ctx, MW_HASH_SHA1, (const unsigned char *)"p", 1,
	    (const unsigned char *)"s", 1, 0, out, 20) != 0,
	    "PBKDF2 with 0 iterations fails (RFC 8018 5.2)");
	CHECK(cr.pbkdf2(cr.ctx, MW_HASH_SHA256, NULL, 0, NULL, 0, 1, out,
	    32) == 0, "PBKDF2 with an empty password and salt");
}

static void
randoms(void)
{
	unsigned char a[32], b[32];

	CHECK(cr.random(cr.ctx, a, sizeof(a)) == 0 &&
	    cr.random(cr.ctx, b, sizeof(b)) == 0 &&
	    memcmp(a, b, sizeof(a)) != 0, "two random draws differ");
	CHECK(cr.random(cr.ctx, a, 0) == 0, "a random draw of 0 octets");
}

static void
compare(void)
{
	unsigned char a[64], b[64];
	size_t i;
	int bit, bad = 0;

	for (i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (unsigned char)(i * 37 + 11);
	CHECK(mw_ct_compare(a, b, 64) == 0, "mw_ct_compare: equal is 0");
	CHECK(mw_ct_compare(a, b, 0) == 0 && mw_ct_compare(NULL, NULL, 0) == 0,
	    "mw_ct_compare: empty is equal");
	for (i = 0; i < sizeof(a); i++) {
		for (bit = 0; bit < 8; bit++) {
			b[i] ^= (unsigned char)(1 << bit);
			if (mw_ct_compare(a, b, 64) == 0 ||
			    mw_ct_compare(b, a, 64) == 0)
				bad++;
			/* a difference past n is not looked at */
			if (mw_ct_compare(a, b, i) != 0)
				bad++;
			b[i] ^= (unsigned char)(1 << bit);
		}
	}
	CHECK(bad == 0, "mw_ct_compare: every one-bit difference is found, "
	    "none past n (%d wrong)", bad);
}

int
main(void)
{
	memset(&cr, 0, sizeof(cr));
	mw_crypto_openssl(&cr);
	CHECK(cr.hash != NULL && cr.hmac != NULL && cr.pbkdf2 != NULL &&
	    cr.random != NULL, "mw_crypto_openssl fills every function");
	CHECK(mw_hash_len(MW_HASH_MD5) == 16 && mw_hash_len(MW_HASH_SHA1) == 20 &&
	    mw_hash_len(MW_HASH_SHA256) == 32 &&
	    mw_hash_len(MW_HASH__COUNT) == 0 &&
	    mw_hash_len((enum mw_hash)-1) == 0, "mw_hash_len");
	hmacs();
	hashes();
	splitting();
	pbkdf2s();
	randoms();
	compare();
	return check_done();
}
