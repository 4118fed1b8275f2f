/*
 * src/esc.rl: enhanced status codes (RFC 3463). Syntax comes only from
 * the generated status_code machine; this file holds the glue: the
 * capture hooks record the numeric fields, and C checks what RFC 3463 2
 * says in prose ("without leading zero digits").
 */
#include <mailwire/esc.h>

#include "esc_int.h"

#include "captures.h"

struct fields {
	const unsigned char	*start[3];
	const unsigned char	*end[3];
};

static void
capture(struct fields *f, int id, const unsigned char *p, int leave)
{
	int i = id == MW__CAP_class ? 0 : id == MW__CAP_subject ? 1 :
	    id == MW__CAP_detail ? 2 : -1;

	if (i < 0)
		return;
	if (leave)
		f->end[i] = p;
	else
		f->start[i] = p;
}

#define MW_CAPTURE_ENTER(id)	capture(&f, (id), p, 0)
#define MW_CAPTURE_LEAVE(id)	capture(&f, (id), p, 1)

%%{
machine esc;
alphtype unsigned char;
include grammar "grammar.rl";

main := status_code;

write data noerror noentry;
}%%

mw_err
mw_esc_parse(const char *s, size_t len, struct mw_esc *esc)
{
	const unsigned char *p = (const unsigned char *)s, *pe, *eof;
	struct fields f = { { NULL, NULL, NULL }, { NULL, NULL, NULL } };
	unsigned short klass, subject, detail;
	int cs;

	if (s == NULL || esc == NULL)
		return MW_ERR_INVAL;
	pe = eof = p + len;
	%% write init;
	%% write exec;
	if (cs < esc_first_final || !mw__esc_field(f.start[0], f.end[0], &klass) ||
	    !mw__esc_field(f.start[1], f.end[1], &subject) ||
	    !mw__esc_field(f.start[2], f.end[2], &detail))
		return MW_ERR_SYNTAX;
	esc->klass = (unsigned char)klass;
	esc->subject = subject;
	esc->detail = detail;
	return MW_ERR_OK;
}

static size_t
number(char *d, unsigned v)
{
	char tmp[3];
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && n < sizeof(tmp));
	while (n > 0)
		d[i++] = tmp[--n];
	return i;
}

size_t
mw_esc_format(const struct mw_esc *esc, char *buf, size_t len)
{
	size_t n = 0;

	if (esc == NULL || buf == NULL || len < MW_ESC_MAX ||
	    (esc->klass != 2 && esc->klass != 4 && esc->klass != 5) ||
	    esc->subject > 999 || esc->detail > 999)
		return 0;
	buf[n++] = (char)('0' + esc->klass);
	buf[n++] = '.';
	n += number(buf + n, esc->subject);
	buf[n++] = '.';
	n += number(buf + n, esc->detail);
	buf[n] = '\0';
	return n;
}
