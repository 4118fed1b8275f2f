/*
 * src/parse_reply.c: `mailwire-parse replies`: SMTP replies on stdin, one
 * JSON object per complete reply on stdout (docs/REPLY.md gives the
 * schema). After an error the stream is out of step, so the error is the
 * last object. Not part of the core: it reads and prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mailwire/reply.h>

#include "json.h"
#include "parse_tool.h"

static int
usage(void)
{
	fprintf(stderr, "usage: mailwire-parse replies [--greeting | --ehlo | "
	    "--utf8] [--lenient=NAME[,NAME]]\n"
	    "           [--max-line=N] [--max-lines=N] [--max-total=N] "
	    "< replies\n"
	    "leniencies: bare-lf, auth-eq, sp-no-text\n");
	return 2;
}

/* "--name=N": the number, in *v. */
static int
number(const char *arg, const char *name, uint32_t *v)
{
	size_t k = strlen(name);
	char *end;
	unsigned long n;

	if (strncmp(arg, name, k) != 0 || arg[k] != '=')
		return 0;
	errno = 0;
	n = strtoul(arg + k + 1, &end, 10);
	if (errno != 0 || end == arg + k + 1 || *end != '\0' ||
	    n > 0xffffffffUL)
		return -1;
	*v = (uint32_t)n;
	return 1;
}

/* "--lenient=NAME[,NAME]", as `mailwire-parse commands` takes it. */
static int
lenient(char *list, unsigned *bits)
{
	for (char *w = strtok(list, ","); w != NULL; w = strtok(NULL, ",")) {
		if (strcmp(w, "bare-lf") == 0)
			*bits |= MW_REPLY_LENIENT_BARE_LF;
		else if (strcmp(w, "auth-eq") == 0)
			*bits |= MW_REPLY_LENIENT_AUTH_EQ;
		else if (strcmp(w, "sp-no-text") == 0)
			*bits |= MW_REPLY_LENIENT_SP_NO_TEXT;
		else {
			fprintf(stderr, "mailwire-parse: no leniency %s\n", w);
			return 0;
		}
	}
	return 1;
}

/* "ehlo": upper-cased keyword to its parameters; the first line of a
 * keyword counts (RFC 5321 4.1.1.1 lists each keyword once). */
static void
put_ehlo(FILE *fp, const struct mw_reply *r, const unsigned char *buf)
{
	int first = 1;

	fputc('{', fp);
	for (unsigned i = 1; i < r->nlines; i++) {
		const struct mw_reply_line *l = &r->lines[i];
		char kw[MW_REPLY_LINE_MAX];
		unsigned j, k;
		int seen = 0;

		if (l->cap == MW_CAP_NONE || l->keyword.len >= sizeof(kw))
			continue;
		for (j = 0; j < l->keyword.len; j++) {
			unsigned char c = buf[l->keyword.off + j];

			if (c >= 'a' && c <= 'z')
				c = (unsigned char)(c - 'a' + 'A');
			kw[j] = (char)c;
		}
		kw[j] = '\0';
		for (k = 1; k < i && !seen; k++) {
			const struct mw_reply_line *m = &r->lines[k];

			if (m->cap == MW_CAP_NONE || m->keyword.len != j)
				continue;
			seen = 1;
			for (unsigned c = 0; c < j && seen; c++) {
				unsigned char x = buf[m->keyword.off + c];

				if (x >= 'a' && x <= 'z')
					x = (unsigned char)(x - 'a' + 'A');
				seen = x == (unsigned char)kw[c];
			}
		}
		if (seen)
			continue;
		json_key(fp, &first, kw);
		json_str(fp, buf + l->params.off,
		    l->params.off ? l->params.len : 0);
	}
	fputc('}', fp);
}

static void
put_reply(FILE *fp, const struct mw_reply *r, const unsigned char *buf,
    int ehlo)
{
	char esc[MW_ESC_MAX];
	int first = 1, wfirst = 1;

	fputc('{', fp);
	json_key(fp, &first, "ok");
	fputs("true", fp);
	json_key(fp, &first, "code");
	fprintf(fp, "%u", r->code);
	json_key(fp, &first, "lines");
	fputc('[', fp);
	for (unsigned i = 0; i < r->nlines; i++) {
		if (i > 0)
			fputc(',', fp);
		json_str(fp, buf + r->lines[i].text.off, r->lines[i].text.len);
	}
	fputc(']', fp);
	json_key(fp, &first, "esc");
	if (r->has_esc && mw_esc_format(&r->esc, esc, sizeof(esc)) > 0)
		json_str(fp, esc, strlen(esc));
	else
		fputs("null", fp);
	if (r->warnings != 0) {
		json_key(fp, &first, "warnings");
		fputc('[', fp);
		for (unsigned w = 0; w < MW_REPLY_W__COUNT; w++) {
			const char *name = mw_reply_warning_name(w);

			if (!(r->warnings & (1u << w)))
				continue;
			if (!wfirst)
				fputc(',', fp);
			wfirst = 0;
			json_str(fp, name, strlen(name));
		}
		fputc(']', fp);
	}
	if (ehlo) {
		json_key(fp, &first, "ehlo");
		if (r->has_ehlo)
			put_ehlo(fp, r, buf);
		else
			fputs("null", fp);
	}
	fputs("}\n", fp);
}

static void
put_error(FILE *fp, const struct mw_reply_parser *rp)
{
	const char *name = mw_reply_cause_name(rp->cause);
	const char *msg = mw_reply_cause_message(rp->cause);
	int first = 1;

	fputc('{', fp);
	json_key(fp, &first, "ok");
	fputs("false", fp);
	json_key(fp, &first, "error");
	json_str(fp, name, strlen(name));
	json_key(fp, &first, "message");
	json_str(fp, msg, strlen(msg));
	json_key(fp, &first, "offset");
	fprintf(fp, "%u", (unsigned)rp->err_off);
	fputs("}\n", fp);
}

int
mwp_replies(int argc, char **argv)
{
	struct mw_reply_config cfg = { 0, 0, 0, 0 };
	enum mw_reply_mode mode = MW_REPLY_ANY;
	struct mw_reply_parser rp;
	unsigned char *buf;
	size_t cap, len = 0;
	int eof = 0, rc = 0;

	for (int i = 1; i < argc; i++) {
		int k;

		if (strcmp(argv[i], "--ehlo") == 0)
			mode = MW_REPLY_EHLO;
		else if (strcmp(argv[i], "--greeting") == 0)
			mode = MW_REPLY_GREETING;
		else if (strcmp(argv[i], "--utf8") == 0)
			mode = MW_REPLY_UTF8;
		else if (strncmp(argv[i], "--lenient=", 10) == 0) {
			if (!lenient(argv[i] + 10, &cfg.lenient))
				return usage();
		} else if ((k = number(argv[i], "--max-line", &cfg.max_line)) ||
		    (k = number(argv[i], "--max-lines", &cfg.max_lines)) ||
		    (k = number(argv[i], "--max-total", &cfg.max_total))) {
			if (k < 0)
				return usage();
		} else
			return usage();
	}
	if (mw_reply_init(&rp, &cfg) != MW_ERR_OK) {
		fprintf(stderr, "mailwire-parse replies: bad limits\n");
		return 2;
	}
	(void)mw_reply_expect(&rp, mode);
	/* the parser never needs more than max_total octets of one reply */
	cap = (size_t)rp.max_total + 4096;
	if ((buf = malloc(cap)) == NULL) {
		perror("mailwire-parse replies");
		return 2;
	}
	for (;;) {
		size_t used = 0;
		mw_err err = mw_reply_parse(&rp, buf, len, &used);

		if (err == MW_ERR_OK) {
			put_reply(stdout, &rp.reply, buf,
			    mode == MW_REPLY_EHLO);
			memmove(buf, buf + used, len - used);
			len -= used;
			continue;
		}
		if (err == MW_ERR_AGAIN && !eof && len < cap) {
			ssize_t n = read(STDIN_FILENO, buf + len, cap - len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				perror("mailwire-parse replies: stdin");
				rc = 2;
				break;
			}
			if (n == 0)
				eof = 1;
			len += (size_t)n;
			continue;
		}
		if (err == MW_ERR_AGAIN)
			err = mw_reply_eof(&rp);
		if (err != MW_ERR_OK) {
			put_error(stdout, &rp);
			rc = 1;
		}
		break;
	}
	free(buf);
	if (fflush(stdout) != 0)
		rc = 2;
	return rc;
}
