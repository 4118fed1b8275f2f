/*
 * src/base64.rl: base64 (RFC 4648 4), strict, as RFC 4954 4 demands. The
 * syntax is only the base64 machine generated from grammar/rfc4954.abnf;
 * C adds what the grammar cannot say (canonical pad bits, RFC 4648 3.5)
 * and turns characters into values with a table.
 */
#include <stdint.h>

#include <mailwire/base64.h>

#include "captures.h"

#define MW_CAPTURE_ENTER(id)	((void)(id))
#define MW_CAPTURE_LEAVE(id)	((void)(id))
#define MW_LENIENT(id)		((void)(id), 0)

%%{
machine base64_syntax;
alphtype unsigned char;
include grammar "grammar.rl";

main := base64;

write data noerror noentry;
}%%

static const char alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* RFC 4648 4, Table 1: the value of each alphabet character. Only the
 * grammar decides what is valid; the other entries are never read. */
#define R2(c)	(c), (c) + 1
#define R4(c)	R2(c), R2((c) + 2)
#define R8(c)	R4(c), R4((c) + 4)
static const unsigned char value[256] = {
	['A'] = R8(0), R8(8), R8(16), R2(24),
	['a'] = R8(26), R8(34), R8(42), R2(50),
	['0'] = R8(52), R2(60),
	['+'] = 62,
	['/'] = 63,
};
#undef R2
#undef R4
#undef R8

/* 0x00-0x1F and 0x7F */
static int
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

mw_err
mw_base64_encode(const unsigned char *s, size_t n, unsigned char *out,
    size_t cap, size_t *outlen)
{
	size_t i, o = 0;
	uint32_t v;

	if (s == NULL || out == NULL || outlen == NULL)
		return MW_ERR_INVAL;
	/* MW_BASE64_ENCODED_LEN(n) would overflow: no buffer can hold it */
	if (n > (SIZE_MAX - 2) / 4 * 3 || cap < MW_BASE64_ENCODED_LEN(n))
		return MW_ERR_NOSPACE;
	for (i = 0; n - i >= 3; i += 3) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		out[o++] = (unsigned char)alphabet[v >> 18];
		out[o++] = (unsigned char)alphabet[v >> 12 & 63];
		out[o++] = (unsigned char)alphabet[v >> 6 & 63];
		out[o++] = (unsigned char)alphabet[v & 63];
	}
	/* RFC 4648 4: a final quantum of 8 or 16 bits, padded with "=" */
	if (n - i == 1) {
		v = (uint32_t)s[i] << 16;
		out[o++] = (unsigned char)alphabet[v >> 18];
		out[o++] = (unsigned char)alphabet[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		out[o++] = (unsigned char)alphabet[v >> 18];
		out[o++] = (unsigned char)alphabet[v >> 12 & 63];
		out[o++] = (unsigned char)alphabet[v >> 6 & 63];
		out[o++] = '=';
	}
	*outlen = o;
	return MW_ERR_OK;
}

mw_err
mw_base64_decode(const unsigned char *s, size_t n, unsigned char *out,
    size_t cap, size_t *outlen, int *ctl)
{
	const unsigned char *p = s, *pe, *eof;
	size_t i, o = 0, len, pad, full;
	uint32_t v;
	int cs, c = 0;

	if (s == NULL || out == NULL || outlen == NULL || ctl == NULL)
		return MW_ERR_INVAL;
	/* RFC 4954's base64 has no empty form; SMTP's empty response is an
	 * empty line or "=", which decode to nothing */
	if (n == 0) {
		*outlen = 0;
		*ctl = 0;
		return MW_ERR_OK;
	}
	pe = eof = s + n;
	%% write init;
	%% write exec;
	if (cs < base64_syntax_first_final)
		return MW_ERR_SYNTAX;

	/* the grammar has made n a multiple of 4 with at most two "=" */
	pad = (s[n - 1] == '=') + (s[n - 2] == '=');
	/* RFC 4648 3.5: the bits the last character carries beyond the
	 * data must be zero, or several texts would decode to one string */
	if (pad == 2 && (value[s[n - 3]] & 0x0f) != 0)
		return MW_ERR_SYNTAX;
	if (pad == 1 && (value[s[n - 2]] & 0x03) != 0)
		return MW_ERR_SYNTAX;
	len = n / 4 * 3 - pad;
	if (cap < len)
		return MW_ERR_NOSPACE;

	full = pad != 0 ? n - 4 : n;	/* the groups without "=" */
	for (i = 0; i < full; i += 4) {
		v = (uint32_t)value[s[i]] << 18 | (uint32_t)value[s[i + 1]] << 12 |
		    (uint32_t)value[s[i + 2]] << 6 | value[s[i + 3]];
		out[o] = (unsigned char)(v >> 16);
		out[o + 1] = (unsigned char)(v >> 8);
		out[o + 2] = (unsigned char)v;
		c |= is_ctl(out[o]) | is_ctl(out[o + 1]) | is_ctl(out[o + 2]);
		o += 3;
	}
	if (pad != 0) {
		v = (uint32_t)value[s[i]] << 18 | (uint32_t)value[s[i + 1]] << 12;
		if (pad == 1)
			v |= (uint32_t)value[s[i + 2]] << 6;
		out[o] = (unsigned char)(v >> 16);
		c |= is_ctl(out[o++]);
		if (pad == 1) {
			out[o] = (unsigned char)(v >> 8);
			c |= is_ctl(out[o++]);
		}
	}
	*outlen = o;
	*ctl = c;
	return MW_ERR_OK;
}
