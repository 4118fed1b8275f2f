/*
 * src/xtext.rl: xtext decoding (RFC 3461 4). The generated xtext machine
 * is the syntax; its leaving hooks on xchar and hexchar emit the bytes.
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
