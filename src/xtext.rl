/*
 * src/xtext.rl: xtext (RFC 3461 4). The generated xtext machine is the
 * syntax of the decoder; its leaving hooks on xchar and hexchar emit the
 * bytes. The encoder needs no machine: it only writes xchar and hexchar.
 */
#include <mailwire/xtext.h>

#include "captures.h"

struct out {
	unsigned char	*buf;
	size_t		 cap, len;
	int		 ctl, full;
};

static int
hexval(unsigned char c)
{
	return c <= '9' ? c - '0' : c - 'A' + 10;	/* upper case: RFC 3461 4 */
}

/* RFC 3461 4: xchar = %x21-2A / %x2C-3C / %x3E-7E */
static int
xchar(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != '+' && c != '=';
}

static void
emit(struct out *o, int id, const unsigned char *p)
{
	unsigned char c;

	if (id == MW__CAP_xchar)
		c = p[-1];
	else if (id == MW__CAP_hexchar)
		c = (unsigned char)(hexval(p[-2]) << 4 | hexval(p[-1]));
	else
		return;
	if (c < 0x20 || c >= 0x7f)
		o->ctl = 1;
	if (o->len == o->cap) {
		o->full = 1;
		return;
	}
	o->buf[o->len++] = c;
}

#define MW_CAPTURE_ENTER(id)	((void)(id))
#define MW_CAPTURE_LEAVE(id)	emit(&o, (id), p)
#define MW_LENIENT(id)		((void)(id), 0)

%%{
machine xtext_decode;
alphtype unsigned char;
include grammar "grammar.rl";

main := xtext;

write data noerror noentry;
}%%

mw_err
mw_xtext_decode(const unsigned char *s, size_t n, unsigned char *out,
    size_t cap, size_t *outlen, int *ctl)
{
	const unsigned char *p = s, *pe, *eof;
	struct out o = { out, cap, 0, 0, 0 };
	int cs;

	if (s == NULL || out == NULL || outlen == NULL || ctl == NULL)
		return MW_ERR_INVAL;
	pe = eof = s + n;
	%% write init;
	%% write exec;
	if (cs < xtext_decode_first_final)
		return MW_ERR_SYNTAX;
	if (o.full)
		return MW_ERR_NOSPACE;
	*outlen = o.len;
	*ctl = o.ctl;
	return MW_ERR_OK;
}

/* RFC 3461 4: "+", "=" and octets outside "!" to "~" become "+XX" with
 * two upper case hexadecimal digits. */
mw_err
mw_xtext_encode(const unsigned char *s, size_t n, unsigned char *out,
    size_t cap, size_t *outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, len = 0, o = 0;

	if (s == NULL || out == NULL || outlen == NULL)
		return MW_ERR_INVAL;
	for (i = 0; i < n; i++) {
		len += xchar(s[i]) ? 1 : 3;
		if (len > cap)
			return MW_ERR_NOSPACE;
	}
	for (i = 0; i < n; i++) {
		if (xchar(s[i])) {
			out[o++] = s[i];
			continue;
		}
		out[o++] = '+';
		out[o++] = (unsigned char)hex[s[i] >> 4];
		out[o++] = (unsigned char)hex[s[i] & 15];
	}
	*outlen = o;
	return MW_ERR_OK;
}
