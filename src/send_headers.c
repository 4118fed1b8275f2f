/*
 * src/send_headers.c: mailwire-send -t, as sendmail does it: the
 * recipients of To, Cc and Bcc (RFC 5322 3.6.3), and the header block
 * without Bcc. The block is held, at most HDR_MAX octets.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "send.h"

/* Appends header octets; the bound is HDR_MAX. */
static void
hdr_put(unsigned char **b, size_t *n, size_t *cap, const void *p, size_t k)
{
	if (*n + k > HDR_MAX)
		die(EX_DATAERR, "the header block is over %d octets",
		    HDR_MAX);
	if (*n + k > *cap) {
		size_t nc = *cap ? *cap * 2 : 4096;

		while (nc < *n + k)
			nc *= 2;
		if ((*b = realloc(*b, nc)) == NULL)
			die(EX_OSERR, "out of memory");
		*cap = nc;
	}
	memcpy(*b + *n, p, k);
	*n += k;
}

/*
 * The recipients of an address-list (RFC 5322 3.4): "a@b", "Name <a@b>",
 * "a@b (comment)", "group: a@b, c@d;". Comments are dropped, a route
 * ("@x,@y:a@b") is dropped, quoted strings kept as written.
 */
static void
parse_list(const char *s, size_t n)
{
	char el[1024], ang[1024];
	size_t en = 0, an = 0;
	int quote = 0, comment = 0, angle = 0, have_angle = 0;

	for (size_t i = 0; i <= n; i++) {
		char ch = i < n ? s[i] : ',';
		char *d = angle ? ang : el;
		size_t *dn = angle ? &an : &en;

		if (quote) {
			if (*dn < sizeof(el) - 2)
				d[(*dn)++] = ch;
			if (ch == '\\' && i + 1 < n && *dn < sizeof(el) - 2)
				d[(*dn)++] = s[++i];
			else if (ch == '"')
				quote = 0;
			continue;
		}
		if (comment > 0) {
			if (ch == '\\')
				i++;
			else if (ch == '(')
				comment++;
			else if (ch == ')')
				comment--;
			continue;
		}
		if (ch == '(') {
			comment = 1;
		} else if (ch == '"') {
			quote = 1;
			if (*dn < sizeof(el) - 2)
				d[(*dn)++] = ch;
		} else if (ch == '<' && !angle) {
			angle = 1;
			an = 0;
		} else if (ch == '>' && angle) {
			angle = have_angle = 1;
			angle = 0;
		} else if (ch == ':' && !angle) {
			en = 0;		/* a group's display name */
		} else if ((ch == ',' || ch == ';') && !angle) {
			const char *a = have_angle ? ang : el;
			size_t k = have_angle ? an : en, b = 0, c;

			while (b < k && isspace((unsigned char)a[b]))
				b++;
			while (k > b && isspace((unsigned char)a[k - 1]))
				k--;
			/* RFC 5322 4.4: an obsolete route before the
			 * address */
			if (b < k && a[b] == '@' && (c = (size_t)((const char *)
			    memchr(a + b, ':', k - b) - a)) < k)
				b = c + 1;
			if (k > b)
				add_rcpt(a + b, k - b, EX_DATAERR);
			en = an = 0;
			have_angle = 0;
		} else if (ch == '\r' || ch == '\n') {
			/* folding */
		} else if (*dn < sizeof(el) - 2) {
			d[(*dn)++] = ch;
		}
	}
}

/* -t: reads the header block, takes To, Cc and Bcc's recipients and
 * keeps the block without Bcc (sendmail -t). */
unsigned char *
send_read_header(FILE *in, size_t *len)
{
	unsigned char *raw = NULL, *out = NULL;
	size_t rn = 0, rcap = 0, on = 0, ocap = 0, line = 0;
	int ch;

	/* up to and with the empty line that ends the header */
	for (;;) {
		unsigned char c8;

		if ((ch = getc(in)) == EOF)
			break;
		c8 = (unsigned char)ch;
		hdr_put(&raw, &rn, &rcap, &c8, 1);
		if (c8 == '\n' && (rn == 1 || raw[rn - 2] == '\n' ||
		    (raw[rn - 2] == '\r' && (rn == 2 || raw[rn - 3] == '\n'))))
			break;
	}
	if (ferror(in))
		die(EX_NOINPUT, "reading the message: %s", strerror(errno));
	for (size_t i = 0; i < rn;) {
		size_t e = i, colon;
		int bcc;

		/* one field: its first line and the folded ones after */
		while (e < rn && raw[e] != '\n')
			e++;
		line++;
		if (e == i || (e == i + 1 && raw[i] == '\r')) {
			hdr_put(&out, &on, &ocap, raw + i, rn - i);
			break;		/* the empty line */
		}
		for (colon = i; colon < e && raw[colon] != ':' &&
		    raw[colon] > 0x20 && raw[colon] < 0x7f; colon++)
			;
		if (colon == i || colon >= e || raw[colon] != ':')
			die(EX_DATAERR, "-t: header line %zu is not a header "
			    "field", line);
		while (e < rn && e + 1 < rn && (raw[e + 1] == ' ' ||
		    raw[e + 1] == '\t')) {
			e++;
			while (e < rn && raw[e] != '\n')
				e++;
			line++;
		}
		if (e < rn)
			e++;	/* the LF */
		bcc = colon - i == 3 && strncasecmp((char *)raw + i, "bcc",
		    3) == 0;
		if (bcc || (colon - i == 2 && (strncasecmp((char *)raw + i,
		    "to", 2) == 0 || strncasecmp((char *)raw + i, "cc", 2) ==
		    0)))
			parse_list((char *)raw + colon + 1, e - colon - 1);
		if (!bcc)
			hdr_put(&out, &on, &ocap, raw + i, e - i);
		i = e;
	}
	free(raw);
	*len = on;
	return out;
}
