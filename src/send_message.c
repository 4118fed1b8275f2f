/*
 * src/send_message.c: mailwire-send's message, from its file or stdin,
 * handed to the engine piece by piece as it asks; a file can be sent
 * again from the start.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "send.h"

/* The input, and with -t its header block read and kept. */
void
send_msg_open(struct send_msg *body, const char *path, int tflag)
{
	struct stat st;

	if (path != NULL) {
		if ((body->in = fopen(path, "rb")) == NULL)
			die(EX_NOINPUT, "%s: %s", path, strerror(errno));
	} else
		body->in = stdin;
	if (tflag)
		body->hdr = send_read_header(body->in, &body->hdrlen);
	body->start = ftello(body->in);
	/* RFC 1870 6: SIZE is an estimate; a file gives one */
	if (fstat(fileno(body->in), &st) == 0 && S_ISREG(st.st_mode) &&
	    body->start >= 0 && st.st_size >= body->start)
		body->size = (uint64_t)(st.st_size - body->start) +
		    body->hdrlen;
}

/* Back to the body's start (RFC 9422 RCPTMAX sends it again). */
int
send_msg_rewind(struct send_msg *body)
{
	if (body->start < 0 || fseeko(body->in, body->start, SEEK_SET) != 0)
		return -1;
	clearerr(body->in);
	body->hdrpos = 0;
	body->in_eof = 0;
	body->given = 0;
	return 0;
}

/*
 * The next body octets into out[0..cap), as they are: the engine sends
 * every bare CR and LF as CRLF and ends an unterminated last line, over
 * DATA and BDAT alike (RFC 5321 2.3.8).
 */
size_t
send_msg_fill(struct send_msg *body, unsigned char *out, size_t cap,
    int *last)
{
	size_t o = 0, k;

	*last = 0;
	if (body->hdrpos < body->hdrlen) {
		o = body->hdrlen - body->hdrpos;
		if (o > cap)
			o = cap;
		memcpy(out, body->hdr + body->hdrpos, o);
		body->hdrpos += o;
	}
	if (o < cap && !body->in_eof) {
		k = fread(out + o, 1, cap - o, body->in);
		if (k < cap - o) {
			if (ferror(body->in))
				body->err = errno != 0 ? errno : EIO;
			body->in_eof = 1;
		}
		o += k;
	}
	*last = body->in_eof && body->hdrpos >= body->hdrlen;
	body->given += o;
	return o;
}
