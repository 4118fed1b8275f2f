/*
 * tests/test_base64.c: base64 (RFC 4648) as SMTP AUTH needs it: the RFC
 * 4648 10 vectors both ways, every invalid form (white space, line
 * breaks, padding, "=" inside, other alphabets, non-canonical pad bits),
 * bounds, and round trips of every length 0..300.
 */
#include <stdint.h>
#include <string.h>

#include <mailwire/base64.h>

#include "check.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* s with control and 8-bit bytes as \xNN, for check names */
static const char *
shown(const char *s, size_t n)
{
	static char buf[128];
	size_t i, k = 0;

	for (i = 0; i < n && k + 5 < sizeof(buf); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f)
			buf[k++] = (char)c;
		else
			k += (size_t)snprintf(buf + k, sizeof(buf) - k,
			    "\\x%02x", c);
	}
	buf[k] = '\0';
	return buf;
}

static int
decodes(const char *s, const char *want, size_t wn)
{
	unsigned char out[64];
	size_t len = 999;
	int ctl = -1;

	return mw_base64_decode((const unsigned char *)s, strlen(s), out,
	    sizeof(out), &len, &ctl) == MW_ERR_OK && len == wn &&
	    memcmp(out, want, wn) == 0 && ctl == 0;
}

/* refused with MW_ERR_SYNTAX, nothing written */
static int
refused(const char *s, size_t n)
{
	unsigned char out[64];
	size_t i, len = 999;
	int ctl = -1;

	memset(out, 0xa5, sizeof(out));
	if (mw_base64_decode((const unsigned char *)s, n, out, sizeof(out),
	    &len, &ctl) != MW_ERR_SYNTAX || len != 999 || ctl != -1)
		return 0;
	for (i = 0; i < sizeof(out); i++)
		if (out[i] != 0xa5)
			return 0;
	return 1;
}

static int
encodes(const char *s, const char *want)
{
	unsigned char out[64];
	size_t len = 999;

	return mw_base64_encode((const unsigned char *)s, strlen(s), out,
	    sizeof(out), &len) == MW_ERR_OK && len == strlen(want) &&
	    memcmp(out, want, len) == 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned char
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned char)((rng * 0x2545f4914f6cdd1dull) >> 56);
}

static void
vectors(void)
{
	/* RFC 4648 10 */
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(encodes(v[i][0], v[i][1]), "encode \"%s\" = \"%s\"",
		    v[i][0], v[i][1]);
		CHECK(decodes(v[i][1], v[i][0], strlen(v[i][0])),
		    "decode \"%s\" = \"%s\"", v[i][1], v[i][0]);
	}
	/* RFC 4954 4's example: "\0tim\0tanstaaftanstaaf" (RFC 4616 4) */
	{
		static const unsigned char plain[] =
		    "\0tim\0tanstaaftanstaaf";
		const char *t = "AHRpbQB0YW5zdGFhZnRhbnN0YWFm";
		unsigned char out[64];
		size_t len = 0;
		int ctl = 0;

		CHECK(mw_base64_encode(plain, sizeof(plain) - 1, out,
		    sizeof(out), &len) == MW_ERR_OK && len == strlen(t) &&
		    memcmp(out, t, len) == 0, "encode the RFC 4616 example");
		CHECK(mw_base64_decode((const unsigned char *)t, strlen(t),
		    out, sizeof(out), &len, &ctl) == MW_ERR_OK &&
		    len == sizeof(plain) - 1 &&
		    memcmp(out, plain, len) == 0 && ctl == 1,
		    "decode the RFC 4616 example, NUL reported as control");
	}
}

static void
invalid(void)
{
	static const char *const bad[] = {
		/* white space and line breaks: RFC 4954 4 MUST reject */
		" Zm9v", "Zm9v ", "Zm 9v", "Zm9v\t", "\tZm9v", "Zm9v\r\n",
		"Zm9v\n", "Zm9v\r", "Zm9v\r\nYmFy", "Zm9v\nYmFy", "Zm\r\n9v",
		/* missing padding */
		"Z", "Zg", "Zg=", "Zm8", "Zm9vY", "Zm9vYg", "Zm9vYg=",
		"Zm9vYmE",
		/* extra padding */
		"Zg===", "Zm8==", "Zm9v=", "Zm9v==", "Zm9v====", "Zg===",
		"Zm9vYmE==", "Zg====",
		/* padding alone, or too much of it */
		"=", "==", "===", "====", "Z===", "=Zg=", "==Zg",
		/* "=" in the middle */
		"Zg==Zg==", "Zm8=Zm8=", "Zm=v", "Z=9v", "=m9v", "Zm9v=mFy",
		"Zg==Zm9v", "Zm8=YmFy",
		/* other alphabets: base64url (RFC 4648 5), others */
		"Zm9v-_==", "Zm9vYm-y", "Zm9vYm_y", "Zm9v.mFy", "Zm9v!mFy",
		"Zm9v\"mFy", "Zm9v*mFy", "Zm9v:mFy", "Zm9v@mFy", "Zm9v[mFy",
		"Zm9v`mFy", "Zm9v{mFy", "Zm9v~mFy", "Zm9v\x80mFy",
		"Zm9v\xffmFy", "Zm9v\xc3\xa9mFy",
		/* non-canonical pad bits: RFC 4648 3.5 */
		"Zh==", "Zm9=", "Zm9vYh==", "Zm9vYmF=", "AB==", "AP==",
		"AAB=", "AAD=", "//==", "///=",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(refused(bad[i], strlen(bad[i])), "refuses \"%s\"",
		    shown(bad[i], strlen(bad[i])));
	CHECK(refused("Zm9v\0mFy", 8), "refuses an embedded NUL");
	CHECK(refused("Zm8\0", 4), "refuses a NUL in place of \"=\"");
	CHECK(refused("Zg=\0", 4), "refuses a NUL after one \"=\"");
}

/* Every octet in every position of a valid text: only the alphabet (and
 * "=" where padding may be) is accepted. */
static void
every_octet(void)
{
	const char *good = "Zm9vYmFy";
	unsigned char s[8], out[16];
	int c, pos, wrong = 0, ctl;
	size_t len;
	mw_err e, want;

	for (pos = 0; pos < 8; pos++) {
		for (c = 0; c < 256; c++) {
			memcpy(s, good, 8);
			s[pos] = (unsigned char)c;
			e = mw_base64_decode(s, 8, out, sizeof(out), &len, &ctl);
			/* "Zm9vYmF=" is "=" where it may be, but 'F' (5)
			 * leaves pad bits 01: refused too */
			if (c != 0 && strchr(b64, c) != NULL)
				want = MW_ERR_OK;
			else
				want = MW_ERR_SYNTAX;
			if (e != want)
				wrong++;
		}
	}
	CHECK(wrong == 0, "every octet at each of 8 positions: alphabet only "
	    "(%d wrong)", wrong);

	/* "=" is accepted where padding may be, with canonical pad bits */
	CHECK(decodes("Zm9vYmE=", "fooba", 5) && decodes("Zm9vYg==", "foob", 4),
	    "padding in the last group");
}

/* All 64*64 "xy==" and 64^3 "xyz=": accepted exactly when the unused
 * bits are zero (RFC 4648 3.5), each decoding to its bits. */
static void
pad_bits(void)
{
	unsigned char s[4], out[4];
	int a, b, c, wrong = 0, ctl, canonical;
	size_t len;
	mw_err e;

	for (a = 0; a < 64; a++) {
		for (b = 0; b < 64; b++) {
			s[0] = (unsigned char)b64[a];
			s[1] = (unsigned char)b64[b];
			s[2] = s[3] = '=';
			canonical = (b & 15) == 0;
			e = mw_base64_decode(s, 4, out, sizeof(out), &len,
			    &ctl);
			if (canonical ? e != MW_ERR_OK || len != 1 ||
			    out[0] != (a << 2 | b >> 4) : e != MW_ERR_SYNTAX)
				wrong++;
		}
	}
	CHECK(wrong == 0, "every xy==: canonical ones decode, others refused "
	    "(%d wrong)", wrong);
	wrong = 0;
	for (a = 0; a < 64; a++) {
		for (b = 0; b < 64; b++) {
			for (c = 0; c < 64; c++) {
				unsigned v = (unsigned)(a << 18 | b << 12 |
				    c << 6);

				s[0] = (unsigned char)b64[a];
				s[1] = (unsigned char)b64[b];
				s[2] = (unsigned char)b64[c];
				s[3] = '=';
				canonical = (c & 3) == 0;
				e = mw_base64_decode(s, 4, out, sizeof(out),
				    &len, &ctl);
				if (canonical ? e != MW_ERR_OK || len != 2 ||
				    out[0] != (v >> 16 & 255) ||
				    out[1] != (v >> 8 & 255) :
				    e != MW_ERR_SYNTAX)
					wrong++;
			}
		}
	}
	CHECK(wrong == 0, "every xyz=: canonical ones decode, others refused "
	    "(%d wrong)", wrong);
}

static void
bounds(void)
{
	unsigned char out[8];
	size_t len = 999;
	int ctl = -1, i, clean;

	/* encode: MW_BASE64_ENCODED_LEN exactly, nothing written if less */
	memset(out, 0xa5, sizeof(out));
	CHECK(mw_base64_encode((const unsigned char *)"fooba", 5, out, 7,
	    &len) == MW_ERR_NOSPACE && len == 999,
	    "encode: 7 octets for 8 is NOSPACE");
	for (clean = 1, i = 0; i < 8; i++)
		clean &= out[i] == 0xa5;
	CHECK(clean, "encode: nothing written on NOSPACE");
	CHECK(mw_base64_encode((const unsigned char *)"fooba", 5, out, 8,
	    &len) == MW_ERR_OK && len == 8 && memcmp(out, "Zm9vYmE=", 8) == 0,
	    "encode: exactly MW_BASE64_ENCODED_LEN is enough");
	CHECK(mw_base64_encode((const unsigned char *)"", 0, out, 0,
	    &len) == MW_ERR_OK && len == 0, "encode: empty into cap 0");
	CHECK(MW_BASE64_ENCODED_LEN(0) == 0 && MW_BASE64_ENCODED_LEN(1) == 4 &&
	    MW_BASE64_ENCODED_LEN(3) == 4 && MW_BASE64_ENCODED_LEN(4) == 8,
	    "MW_BASE64_ENCODED_LEN");
	CHECK(mw_base64_encode((const unsigned char *)"x", SIZE_MAX, out,
	    sizeof(out), &len) == MW_ERR_NOSPACE,
	    "encode: a length whose encoding overflows is NOSPACE");

	/* decode: the exact length, not MW_BASE64_DECODED_MAX */
	len = 999;
	memset(out, 0xa5, sizeof(out));
	CHECK(mw_base64_decode((const unsigned char *)"Zm9vYmE=", 8, out, 4,
	    &len, &ctl) == MW_ERR_NOSPACE && len == 999 && ctl == -1,
	    "decode: 4 octets for 5 is NOSPACE");
	for (clean = 1, i = 0; i < 8; i++)
		clean &= out[i] == 0xa5;
	CHECK(clean, "decode: nothing written on NOSPACE");
	CHECK(mw_base64_decode((const unsigned char *)"Zm9vYmE=", 8, out, 5,
	    &len, &ctl) == MW_ERR_OK && len == 5 &&
	    memcmp(out, "fooba", 5) == 0, "decode: exactly 5 octets for 5");
	CHECK(mw_base64_decode((const unsigned char *)"Zm9vYmFy", 8, out, 5,
	    &len, &ctl) == MW_ERR_NOSPACE, "decode: 5 octets for 6 is NOSPACE");
	CHECK(mw_base64_decode((const unsigned char *)"Zm9v YmFy", 9, out, 1,
	    &len, &ctl) == MW_ERR_SYNTAX,
	    "decode: syntax is checked before space");
	CHECK(mw_base64_decode((const unsigned char *)"", 0, out, 0, &len,
	    &ctl) == MW_ERR_OK && len == 0 && ctl == 0,
	    "decode: the empty text is nothing");
	CHECK(MW_BASE64_DECODED_MAX(8) == 6 && MW_BASE64_DECODED_MAX(4) == 3,
	    "MW_BASE64_DECODED_MAX");

	/* NULL pointers */
	CHECK(mw_base64_encode(NULL, 0, out, 8, &len) == MW_ERR_INVAL &&
	    mw_base64_encode(out, 0, NULL, 8, &len) == MW_ERR_INVAL &&
	    mw_base64_encode(out, 0, out, 8, NULL) == MW_ERR_INVAL,
	    "encode: NULL pointers are INVAL");
	CHECK(mw_base64_decode(NULL, 0, out, 8, &len, &ctl) == MW_ERR_INVAL &&
	    mw_base64_decode(out, 0, NULL, 8, &len, &ctl) == MW_ERR_INVAL &&
	    mw_base64_decode(out, 0, out, 8, NULL, &ctl) == MW_ERR_INVAL &&
	    mw_base64_decode(out, 0, out, 8, &len, NULL) == MW_ERR_INVAL,
	    "decode: NULL pointers are INVAL");
}

static void
controls(void)
{
	static const struct {
		const char	*text;
		int		 ctl;
	} v[] = {
		{ "AA==", 1 }, { "Hw==", 1 }, { "fw==", 1 }, { "IA==", 0 },
		{ "fg==", 0 }, { "gA==", 0 }, { "/w==", 0 }, { "Zm9vYmFy", 0 },
		{ "Zm9vAA==", 1 }, { "AGZvbw==", 1 }, { "Zm8K", 1 },
		{ "Zm9vDQo=", 1 },
	};
	unsigned char out[8];
	size_t i, len;
	int ctl;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ctl = -1;
		CHECK(mw_base64_decode((const unsigned char *)v[i].text,
		    strlen(v[i].text), out, sizeof(out), &len, &ctl) ==
		    MW_ERR_OK && ctl == v[i].ctl, "decode \"%s\": ctl %d",
		    v[i].text, v[i].ctl);
	}
}

/* Independent of the encoder under test: bit by bit. */
static size_t
ref_encode(const unsigned char *s, size_t n, char *out)
{
	size_t bit, k = 0;

	for (bit = 0; bit < n * 8; bit += 6) {
		unsigned v = 0, j;

		for (j = 0; j < 6; j++) {
			size_t b = bit + j;

			v <<= 1;
			if (b < n * 8)
				v |= (unsigned)(s[b / 8] >> (7 - b % 8)) & 1;
		}
		out[k++] = b64[v];
	}
	while (k % 4 != 0)
		out[k++] = '=';
	return k;
}

static void
round_trips(void)
{
	unsigned char s[300], enc[400], dec[300];
	char ref[400];
	size_t n, i, elen, dlen, rlen;
	int bad = 0, ctl, want_ctl, trial;

	for (trial = 0; trial < 4; trial++) {
		for (n = 0; n <= 300; n++) {
			want_ctl = 0;
			for (i = 0; i < n; i++) {
				s[i] = trial == 0 ? (unsigned char)i : rnd();
				want_ctl |= s[i] < 0x20 || s[i] == 0x7f;
			}
			rlen = ref_encode(s, n, ref);
			if (mw_base64_encode(s, n, enc, sizeof(enc), &elen) !=
			    MW_ERR_OK || elen != MW_BASE64_ENCODED_LEN(n) ||
			    elen != rlen || memcmp(enc, ref, rlen) != 0) {
				bad++;
				continue;
			}
			/* into exactly the room it needs */
			if (mw_base64_decode(enc, elen, dec, n, &dlen, &ctl) !=
			    MW_ERR_OK || dlen != n ||
			    (n > 0 && memcmp(dec, s, n) != 0) ||
			    ctl != want_ctl)
				bad++;
			if (n > 0 && mw_base64_decode(enc, elen, dec, n - 1,
			    &dlen, &ctl) != MW_ERR_NOSPACE)
				bad++;
		}
	}
	CHECK(bad == 0, "round trips of every length 0..300, 4 rounds, against "
	    "a bitwise reference encoder (%d wrong)", bad);
}

int
main(void)
{
	vectors();
	invalid();
	every_octet();
	pad_bits();
	bounds();
	controls();
	round_trips();
	return check_done();
}
