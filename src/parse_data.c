/*
 * src/parse_data.c: the "data" and "encode" subcommands of mailwire-parse,
 * around the DATA codec (mailwire/data.h). Not core: stdio, malloc and
 * OpenSSL's SHA-256 (link with -lcrypto).
 *
 *   mailwire-parse data [--bare=reject|normalize] [--long=accept|reject]
 *       [--max-size=N] < bytes-after-354
 *   {"ok":true,"end":N|null,"length":N,"sha256":"...","rest":N,
 *    "events":["bare-lf",...],"reply":null|{"code":N,"esc":"...",
 *    "text":"..."}}
 *
 *   mailwire-parse encode [--long=reject|accept] < body > wire
 *
 * data exits 0 if the message ended and is accepted, 1 if not, 2 on a
 * usage or input error. encode exits 0, 1 if a line is over 998 octets
 * under --long=reject (nothing is written then), 2 on a usage error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <mailwire/data.h>

#include "json.h"
#include "parse_tool.h"

#define CHUNK	65536

/* all of stdin; NULL on a read error */
static unsigned char *
slurp(size_t *len)
{
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, n = 0, got;

	for (;;) {
		if (cap - n < CHUNK) {
			cap = cap ? cap * 2 : CHUNK * 4;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, stdin);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(stdin)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* "--name=value": the value if arg is that option, else NULL */
static const char *
option(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) == 0 && arg[n] == '=')
		return arg + n + 1;
	return NULL;
}

static int
usage(const char *cmd)
{
	if (strcmp(cmd, "encode") == 0)
		fprintf(stderr, "usage: mailwire-parse encode "
		    "[--long=reject|accept] < body\n");
	else
		fprintf(stderr, "usage: mailwire-parse data "
		    "[--bare=reject|normalize] [--long=accept|reject] "
		    "[--max-size=N] < input\n");
	return 2;
}

static int
number(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10)
			return 0;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return 1;
}

int
mwp_data(int argc, char **argv)
{
	struct mw_data_config cfg = { MW_DATA_BARE_REJECT, MW_DATA_LONG_ACCEPT,
	    0 };
	struct mw_data_dec d;
	const struct mw_data_events *ev;
	const struct mw_data_reply *reply;
	unsigned char *in, *out, md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	size_t len, off = 0;
	EVP_MD_CTX *ctx;
	mw_err err = MW_ERR_AGAIN;
	int first = 1, ok;

	for (int i = 1; i < argc; i++) {
		const char *v;

		if ((v = option(argv[i], "--bare")) != NULL) {
			if (strcmp(v, "reject") == 0)
				cfg.bare = MW_DATA_BARE_REJECT;
			else if (strcmp(v, "normalize") == 0)
				cfg.bare = MW_DATA_BARE_NORMALIZE;
			else
				return usage(argv[0]);
		} else if ((v = option(argv[i], "--long")) != NULL) {
			if (strcmp(v, "accept") == 0)
				cfg.longline = MW_DATA_LONG_ACCEPT;
			else if (strcmp(v, "reject") == 0)
				cfg.longline = MW_DATA_LONG_REJECT;
			else
				return usage(argv[0]);
		} else if ((v = option(argv[i], "--max-size")) != NULL) {
			if (!number(v, &cfg.max_size))
				return usage(argv[0]);
		} else {
			return usage(argv[0]);
		}
	}
	if ((in = slurp(&len)) == NULL) {
		fprintf(stderr, "mailwire-parse data: cannot read stdin\n");
		return 2;
	}
	if ((out = malloc(CHUNK)) == NULL || (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		fprintf(stderr, "mailwire-parse data: out of memory\n");
		free(in);
		free(out);
		return 2;
	}
	mw_data_dec_init(&d, &cfg);
	/* decoded through a fixed buffer, as a server would */
	do {
		size_t used, made;

		err = mw_data_decode(&d, in + off, len - off, &used, out, CHUNK,
		    &made);
		off += used;
		EVP_DigestUpdate(ctx, out, made);
	} while (err == MW_ERR_NOSPACE);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	ev = mw_data_dec_events(&d);
	reply = mw_data_dec_reply(&d);
	ok = err == MW_ERR_OK && reply == NULL;

	printf("{");
	json_key(stdout, &first, "ok");
	printf(ok ? "true" : "false");
	json_key(stdout, &first, "end");
	if (err == MW_ERR_OK)
		printf("%llu", (unsigned long long)mw_data_dec_offset(&d));
	else
		printf("null");
	json_key(stdout, &first, "length");
	printf("%llu", (unsigned long long)mw_data_dec_size(&d));
	json_key(stdout, &first, "sha256");
	printf("\"");
	for (unsigned i = 0; i < mdlen; i++)
		printf("%02x", md[i]);
	printf("\"");
	json_key(stdout, &first, "rest");
	printf("%zu", err == MW_ERR_OK ? len - off : (size_t)0);
	json_key(stdout, &first, "events");
	printf("[");
	for (unsigned bit = 1, n = 0; bit < 1u << MW_DATA_NEV; bit <<= 1) {
		const char *name = mw_data_event_name(bit);

		if ((ev->mask & bit) == 0)
			continue;
		if (n++ > 0)
			printf(",");
		json_str(stdout, name, strlen(name));
	}
	printf("]");
	json_key(stdout, &first, "reply");
	if (reply == NULL) {
		printf("null");
	} else {
		int f = 1;

		printf("{");
		json_key(stdout, &f, "code");
		printf("%d", reply->code);
		json_key(stdout, &f, "esc");
		json_str(stdout, reply->esc, strlen(reply->esc));
		json_key(stdout, &f, "text");
		json_str(stdout, reply->text, strlen(reply->text));
		printf("}");
	}
	printf("}\n");
	free(in);
	free(out);
	if (fflush(stdout) != 0)
		return 2;
	return ok ? 0 : 1;
}

int
mwp_encode(int argc, char **argv)
{
	struct mw_data_enc e;
	unsigned longline = MW_DATA_LONG_REJECT;
	unsigned char *in, *out;
	size_t len, cap, used, made, end;
	mw_err err;

	for (int i = 1; i < argc; i++) {
		const char *v = option(argv[i], "--long");

		if (v != NULL && strcmp(v, "reject") == 0)
			longline = MW_DATA_LONG_REJECT;
		else if (v != NULL && strcmp(v, "accept") == 0)
			longline = MW_DATA_LONG_ACCEPT;
		else
			return usage(argv[0]);
	}
	if ((in = slurp(&len)) == NULL) {
		fprintf(stderr, "mailwire-parse encode: cannot read stdin\n");
		return 2;
	}
	/* at most every octet doubles (a dot, a bare CR or LF), plus the
	 * final CRLF . CRLF */
	cap = len * 2 + 5;
	if ((out = malloc(cap)) == NULL) {
		fprintf(stderr, "mailwire-parse encode: out of memory\n");
		free(in);
		return 2;
	}
	mw_data_enc_init(&e, longline);
	err = mw_data_encode(&e, in, len, &used, out, cap, &made);
	if (err == MW_ERR_AGAIN)
		err = mw_data_encode_end(&e, out + made, cap - made, &end);
	if (err == MW_ERR_LIMIT) {
		fprintf(stderr, "mailwire-parse encode: a line passes 998 "
		    "octets at body offset %llu (RFC 5321 4.5.3.1.6); "
		    "--long=accept sends it unchanged\n",
		    (unsigned long long)mw_data_enc_events(&e)->first[2]);
		free(in);
		free(out);
		return 1;
	}
	if (err != MW_ERR_OK) {
		fprintf(stderr, "mailwire-parse encode: %s\n",
		    mw_err_message(err));
		free(in);
		free(out);
		return 2;
	}
	if (fwrite(out, 1, made + end, stdout) != made + end ||
	    fflush(stdout) != 0) {
		free(in);
		free(out);
		return 2;
	}
	free(in);
	free(out);
	return 0;
}
