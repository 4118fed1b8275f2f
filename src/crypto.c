/*
 * src/crypto.c: the parts of mailwire/crypto.h that need no provider:
 * digest lengths and the constant-time comparison of secrets.
 */
#include <mailwire/crypto.h>

size_t
mw_hash_len(enum mw_hash h)
{
	switch (h) {
	case MW_HASH_MD5:
		return 16;
	case MW_HASH_SHA1:
		return 20;
	case MW_HASH_SHA256:
		return 32;
	default:
		return 0;
	}
}

/*
 * Every octet is read and OR-ed into the difference, with no early exit,
 * so the time does not tell an attacker how long a prefix of a guessed
 * proof or password was right. The accumulator is volatile so that the
 * compiler cannot turn the loop back into a comparison that stops at the
 * first difference.
 */
int
mw_ct_compare(const unsigned char *a, const unsigned char *b, size_t n)
{
	volatile unsigned char diff = 0;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff != 0;
}
