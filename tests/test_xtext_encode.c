/*
 * tests/test_xtext_encode.c: the xtext encoder (RFC 3461 4): every octet
 * 0..255 alone and in context, round trips through mw_xtext_decode,
 * bounds and the RFC 4954 5 AUTH= examples.
 */
#include <string.h>

#include <mailwire/xtext.h>

#include "check.h"

static int
encodes(const char *s, size_t n, const char *want)
{
	unsigned char out[256];
	size_t len = 999;

	return mw_xtext_encode((const unsigned char *)s, n, out, sizeof(out),
	    &len) == MW_ERR_OK && len == strlen(want) &&
	    memcmp(out, want, len) == 0;
}

static unsigned
rnd(unsigned *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

int
main(void)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char s[512], enc[3 * 512], dec[512];
	size_t len, dlen, n, i;
	unsigned seed = 2463534242u;
	int c, bad, ctl, clean;

	/* RFC 4954 5: "AUTH=<>" and an address; "+" and "=" are encoded */
	CHECK(encodes("<>", 2, "<>"), "<> is itself");
	CHECK(encodes("e+e@example.com", 15, "e+2Be@example.com"),
	    "+ is +2B");
	CHECK(encodes("a=b", 3, "a+3Db"), "= is +3D");
	CHECK(encodes("a b", 3, "a+20b"), "SP is +20");
	CHECK(encodes("", 0, ""), "empty is empty");
	CHECK(encodes("\r\n\0\x7f\x80\xff", 6, "+0D+0A+00+7F+80+FF"),
	    "controls and 8-bit octets are +XX, upper case");

	/* every octet: xchar (%x21-2A / %x2C-3C / %x3E-7E) as itself, any
	 * other as "+XX"; and decoded back */
	bad = 0;
	for (c = 0; c < 256; c++) {
		unsigned char in = (unsigned char)c;
		int xchar = c >= 0x21 && c <= 0x7e && c != '+' && c != '=';

		if (mw_xtext_encode(&in, 1, enc, sizeof(enc), &len) !=
		    MW_ERR_OK)
			bad++;
		else if (xchar ? len != 1 || enc[0] != in :
		    len != 3 || enc[0] != '+' || enc[1] != hex[c >> 4] ||
		    enc[2] != hex[c & 15])
			bad++;
		else if (mw_xtext_decode(enc, len, dec, sizeof(dec), &dlen,
		    &ctl) != MW_ERR_OK || dlen != 1 || dec[0] != in ||
		    ctl != (c < 0x20 || c >= 0x7f))
			bad++;
	}
	CHECK(bad == 0, "every octet 0..255 encodes and decodes back (%d wrong)",
	    bad);

	/* all 256 octets in one string */
	for (i = 0; i < 256; i++)
		s[i] = (unsigned char)i;
	CHECK(mw_xtext_encode(s, 256, enc, sizeof(enc), &len) == MW_ERR_OK &&
	    len == 256 + 2 * (256 - 92) &&
	    mw_xtext_decode(enc, len, dec, sizeof(dec), &dlen, &ctl) ==
	    MW_ERR_OK && dlen == 256 && memcmp(dec, s, 256) == 0 && ctl == 1,
	    "0..255 in one string round-trips (%zu octets)", len);

	/* random strings of every length 0..512 */
	bad = 0;
	for (n = 0; n <= 512; n++) {
		for (i = 0; i < n; i++)
			s[i] = (unsigned char)rnd(&seed);
		if (mw_xtext_encode(s, n, enc, MW_XTEXT_ENCODED_MAX(n), &len) !=
		    MW_ERR_OK || len > MW_XTEXT_ENCODED_MAX(n))
			bad++;
		else if (mw_xtext_decode(enc, len, dec, sizeof(dec), &dlen,
		    &ctl) != MW_ERR_OK || dlen != n ||
		    (n > 0 && memcmp(dec, s, n) != 0))
			bad++;
		/* one octet less room than it needs */
		else if (len > 0 && mw_xtext_encode(s, n, enc, len - 1,
		    &dlen) != MW_ERR_NOSPACE)
			bad++;
	}
	CHECK(bad == 0, "random strings of length 0..512 round-trip, "
	    "MW_XTEXT_ENCODED_MAX suffices, one less is NOSPACE (%d wrong)",
	    bad);

	/* bounds */
	memset(enc, 0xa5, 8);
	len = 999;
	CHECK(mw_xtext_encode((const unsigned char *)"ab+", 3, enc, 4,
	    &len) == MW_ERR_NOSPACE && len == 999, "4 octets for 5: NOSPACE");
	for (clean = 1, i = 0; i < 8; i++)
		clean &= enc[i] == 0xa5;
	CHECK(clean, "nothing written on NOSPACE");
	CHECK(mw_xtext_encode((const unsigned char *)"ab+", 3, enc, 5,
	    &len) == MW_ERR_OK && len == 5 && memcmp(enc, "ab+2B", 5) == 0,
	    "exactly 5 for 5");
	CHECK(mw_xtext_encode(NULL, 0, enc, 8, &len) == MW_ERR_INVAL &&
	    mw_xtext_encode(s, 0, NULL, 8, &len) == MW_ERR_INVAL &&
	    mw_xtext_encode(s, 0, enc, 8, NULL) == MW_ERR_INVAL,
	    "NULL pointers are INVAL");
	return check_done();
}
