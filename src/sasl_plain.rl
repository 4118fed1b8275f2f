/*
 * src/sasl_plain.rl: PLAIN (RFC 4616), client and server. The message's
 * syntax is the machine generated from grammar/rfc4616.abnf
 * (plain.message: UTF-8, no NUL inside a field); its capture hooks give
 * the three fields.
 */
#include <string.h>

#include "captures.h"
#include "sasl_int.h"

struct fields {
	const unsigned char	*base;
	size_t			 start[3], end[3];	/* authzid, authcid,
							 * passwd */
	int			 seen[3];
};

static int
field(int id)
{
	switch (id) {
	case MW__CAP_plain_authzid:	return 0;
	case MW__CAP_plain_authcid:	return 1;
	case MW__CAP_plain_passwd:	return 2;
	default:			return -1;
	}
}

static void
enter(struct fields *f, int id, const unsigned char *p)
{
	int i = field(id);

	if (i >= 0)
		f->start[i] = (size_t)(p - f->base);
}

static void
leave(struct fields *f, int id, const unsigned char *p)
{
	int i = field(id);

	if (i >= 0) {
		f->end[i] = (size_t)(p - f->base);
		f->seen[i] = 1;
	}
}

#define MW_CAPTURE_ENTER(id)	enter(&f, (id), p)
#define MW_CAPTURE_LEAVE(id)	leave(&f, (id), p)
#define MW_LENIENT(id)		((void)(id), 0)

%%{
machine plain;
alphtype unsigned char;
include grammar "grammar.rl";

main := plain_message;

write data noerror noentry;
}%%

/* Parses a PLAIN message; 0 if it is one. */
static int
parse(const unsigned char *s, size_t n, struct fields *fo)
{
	const unsigned char *p = s, *pe = s + n, *eof = pe;
	struct fields f;
	int cs;

	memset(&f, 0, sizeof(f));
	f.base = s;
	%% write init;
	%% write exec;
	if (cs < plain_first_final)
		return -1;
	*fo = f;
	return 0;
}

/* ---- client ---- */

static mw_err
client_start(struct mw__client *c)
{
	size_t z = mw__strlen(c->cr->authzid), u = mw__strlen(c->cr->authcid),
	    w = mw__strlen(c->cr->password);

	/* RFC 4616 2: authcid and passwd are 1*SAFE */
	if (u == 0 || w == 0 || u > MW_SASL_NAME_MAX || z > MW_SASL_NAME_MAX ||
	    w > MW_SASL_NAME_MAX)
		return MW_ERR_INVAL;
	return MW_ERR_OK;
}

static mw_err
client_initial(struct mw__client *c, unsigned char *out, size_t cap,
    size_t *outlen, int *has)
{
	const struct mw_sasl_creds *cr = c->cr;
	size_t z = mw__strlen(cr->authzid), u = mw__strlen(cr->authcid),
	    w = mw__strlen(cr->password), n = z + 1 + u + 1 + w;
	struct fields f;

	if (cap < n)
		return MW_ERR_NOSPACE;
	if (z > 0)
		memcpy(out, cr->authzid, z);
	out[z] = 0;
	memcpy(out + z + 1, cr->authcid, u);
	out[z + 1 + u] = 0;
	memcpy(out + z + 2 + u, cr->password, w);
	/* what we send must be a message the server's grammar takes */
	if (parse(out, n, &f) != 0)
		return MW_ERR_INVAL;
	*outlen = n;
	*has = 1;
	c->complete = 1;
	return MW_ERR_OK;
}

/* RFC 4616 2: the client sends one message; a challenge is an error. */
static mw_err
client_step(struct mw__client *c, const unsigned char *in, size_t n,
    unsigned char *out, size_t cap, size_t *outlen)
{
	(void)c, (void)in, (void)out, (void)cap;
	/* RFC 4422 5.1: the empty challenge of a server that wants the
	 * initial response it did not get */
	if (n == 0 && !c->step) {
		int has;

		c->step = 1;
		return client_initial(c, out, cap, outlen, &has);
	}
	return MW_ERR_AUTH;
}

const struct mw__client_ops mw__plain_client = {
	client_start, client_initial, client_step
};

/* ---- server ---- */

static enum mw__verdict
server_step(struct mw__server *s, const unsigned char *in, size_t n, int has,
    unsigned char *out, size_t cap, size_t *outlen, mw_err *err)
{
	struct mw_sasl_secret sec;
	enum mw_sasl_lookup l;
	enum mw__verdict v;
	struct fields f;
	size_t len[3];

	(void)out, (void)cap, (void)err;
	if (!has) {
		/* RFC 4422 5.1: ask for the message with an empty challenge */
		if (s->step++ > 0)
			return MW__FAIL;
		*outlen = 0;
		return MW__CONTINUE;
	}
	if (parse(in, n, &f) != 0)
		return MW__FAIL;
	for (int i = 0; i < 3; i++) {
		len[i] = f.seen[i] ? f.end[i] - f.start[i] : 0;
		if (len[i] > MW_SASL_NAME_MAX)	/* RFC 4616 2 */
			return MW__FAIL;
	}
	l = mw__lookup(s, in + f.start[1], len[1], &sec);
	if (l != MW_SASL_FOUND)
		return mw__lookup_verdict(l);
	v = mw__check_password(s, &sec, in + f.start[2], len[2]);
	if (v != MW__SUCCESS)
		return v;
	return mw__server_identity(s, in + f.start[1], len[1],
	    in + f.start[0], len[0]);
}

const struct mw__server_ops mw__plain_server = { server_step };
