/*
 * src/transcript.c: the -v transcript of the programs (transcript.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "transcript.h"

void
tr_init(struct tr *t, const char *tag)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->tag, sizeof(t->tag), "%s", tag);
}

void
tr_print(const struct tr *t, const char *who, const char *s, size_t n,
    int trunc)
{
	char out[TR_LINE * 4 + 16];
	size_t o = 0;

	for (size_t i = 0; i < n && o < sizeof(out) - 8; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f)
			out[o++] = (char)ch;
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o,
			    "\\x%02x", ch);
	}
	out[o] = '\0';
	fprintf(stderr, "%s%s: %s%s\n", t->tag, who, out, trunc ? "..." : "");
}

/* s[0..n) starts with p, ignoring case (p is upper case). */
static int
prefix(const char *s, size_t n, const char *p)
{
	size_t pn = strlen(p);

	if (n < pn)
		return 0;
	for (size_t i = 0; i < pn; i++)
		if (toupper((unsigned char)s[i]) != p[i])
			return 0;
	return 1;
}

/* RFC 3030 2: "BDAT" SP chunk-size [SP "LAST"]: the size; 0 for any
 * other line, which the server answers without reading a chunk. */
static uint64_t
bdat_size(const char *l, size_t n)
{
	uint64_t v = 0;
	size_t i = 5;

	if (!prefix(l, n, "BDAT ") || i >= n || !isdigit((unsigned char)l[i]))
		return 0;
	for (; i < n && isdigit((unsigned char)l[i]); i++) {
		unsigned d = (unsigned)(l[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	if (i == n || (n - i == 5 && prefix(l + i, 5, " LAST")))
		return v;
	return 0;
}

/* A whole client line (no CRLF): RFC 4954 secrets masked, a DATA body
 * summarised. */
static void
client_line(struct tr *t)
{
	const char *l = t->c.buf;
	size_t n = t->c.n;
	char b[128];

	if (t->in_data) {
		if (n == 1 && l[0] == '.') {
			snprintf(b, sizeof(b), "<%llu lines, %llu octets of "
			    "message>", (unsigned long long)t->lines,
			    (unsigned long long)t->octets);
			tr_print(t, "C", b, strlen(b), 0);
			tr_print(t, "C", ".", 1, 0);
			t->in_data = 0;
		} else {
			t->lines++;
			t->octets += t->c.octets;
		}
		return;
	}
	if (t->auth_wait) {
		/* a SASL response: it may carry the password; "*" cancels */
		if (n == 1 && l[0] == '*')
			tr_print(t, "C", "*", 1, 0);
		else
			tr_print(t, "C", "***", 3, 0);
		return;
	}
	if (prefix(l, n, "AUTH ")) {
		/* AUTH mechanism [initial-response] */
		const char *sp = memchr(l + 5, ' ', n - 5);

		if (sp != NULL) {
			snprintf(b, sizeof(b), "%.*s ***",
			    (int)(sp - l > 100 ? 100 : sp - l), l);
			tr_print(t, "C", b, strlen(b), 0);
			return;
		}
	}
	tr_print(t, "C", l, n, t->c.trunc);
	if (!t->c.trunc && (t->bdat_left = bdat_size(l, n)) > 0)
		t->octets = 0;
}

static void
server_line(struct tr *t)
{
	const char *l = t->s.buf;
	size_t n = t->s.n;

	tr_print(t, "S", l, n, t->s.trunc);
	/* the last line of a reply */
	if (n == 3 || (n >= 4 && l[3] == ' ')) {
		t->auth_wait = memcmp(l, "334", 3) == 0;
		if (memcmp(l, "354", 3) == 0) {
			t->in_data = 1;
			t->lines = t->octets = 0;
		}
	}
}

static void
end_line(struct tr *t, struct tr_dir *d)
{
	if (d == &t->c)
		client_line(t);
	else
		server_line(t);
	d->n = 0;
	d->octets = 0;
	d->trunc = 0;
}

static void
feed(struct tr *t, struct tr_dir *d, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (d == &t->c && t->bdat_left > 0) {
			/* RFC 3030 2: the chunk's octets, not lines */
			size_t k = n - i < t->bdat_left ? n - i :
			    (size_t)t->bdat_left;
			char b[64];

			t->bdat_left -= k;
			t->octets += k;
			i += k - 1;
			if (t->bdat_left == 0) {
				snprintf(b, sizeof(b), "<%llu octets of "
				    "message>", (unsigned long long)t->octets);
				tr_print(t, "C", b, strlen(b), 0);
			}
			continue;
		}
		d->octets++;
		if (p[i] == '\n') {
			if (d->n > 0 && d->buf[d->n - 1] == '\r')
				d->n--;
			end_line(t, d);
		} else if (d->n < TR_LINE)
			d->buf[d->n++] = (char)p[i];
		else
			d->trunc = 1;
	}
}

void
tr_client(struct tr *t, const unsigned char *p, size_t n)
{
	feed(t, &t->c, p, n);
}

void
tr_server(struct tr *t, const unsigned char *p, size_t n)
{
	feed(t, &t->s, p, n);
}

void
tr_flush(struct tr *t)
{
	if (t->c.octets > 0)
		end_line(t, &t->c);
	if (t->s.octets > 0)
		end_line(t, &t->s);
}
