/*
 * src/sasl_external.rl: EXTERNAL (RFC 4422 appendix A), client and server.
 * The client's one message is the authorization identity it asks for,
 * empty for "the identity my credentials prove"; the credentials
 * themselves (a TLS client certificate) were checked outside SASL.
 *
 * RFC 4422 A.1 gives the message's syntax (external-initial-resp: UTF-8
 * without NUL); the machine generated from grammar/rfc4422.abnf checks it.
 */
#include <string.h>

#include "sasl_int.h"

#define MW_CAPTURE_ENTER(id)	((void)(id))
#define MW_CAPTURE_LEAVE(id)	((void)(id))
#define MW_LENIENT(id)		((void)(id), 0)

%%{
machine external;
alphtype unsigned char;
include grammar "grammar.rl";

main := external_initial_resp;

write data noerror noentry;
}%%

/* 0 if s[0..n) is an external-initial-resp (RFC 4422 A.1). */
static int
utf8_no_nul(const unsigned char *s, size_t n)
{
	const unsigned char *p, *pe, *eof;
	int cs;

	if (n == 0)
		return 0;	/* *( UTF8-char-no-nul ); s may be NULL */
	p = s;
	pe = eof = s + n;

	(void)eof;	/* no EOF actions in this machine */
	%% write init;
	%% write exec;
	return cs >= external_first_final ? 0 : -1;
}

/* ---- client ---- */

static mw_err
client_start(struct mw__client *c)
{
	const char *z = c->cr->authzid;
	size_t zn = mw__strlen(z);

	if (zn > MW_SASL_NAME_MAX ||
	    utf8_no_nul((const unsigned char *)z, zn) != 0)
		return MW_ERR_INVAL;
	return MW_ERR_OK;
}

/* RFC 4422 A.1: the client speaks first, with the authzid or nothing. */
static mw_err
client_initial(struct mw__client *c, unsigned char *out, size_t cap,
    size_t *outlen, int *has)
{
	size_t zn = mw__strlen(c->cr->authzid);

	if (cap < zn)
		return MW_ERR_NOSPACE;
	if (zn > 0)
		memcpy(out, c->cr->authzid, zn);
	*outlen = zn;
	*has = 1;
	c->complete = 1;
	return MW_ERR_OK;
}

/* RFC 4422 A.1: "There are no additional challenges". Only the empty
 * challenge of a server that wants the initial response it did not get
 * (RFC 4422 5.1, A.1) is answered, once. */
static mw_err
client_step(struct mw__client *c, const unsigned char *in, size_t n,
    unsigned char *out, size_t cap, size_t *outlen)
{
	int has;
	mw_err err;

	(void)in;
	if (n != 0 || c->step != 0)
		return MW_ERR_AUTH;
	if ((err = client_initial(c, out, cap, outlen, &has)) == MW_ERR_OK)
		c->step = 1;
	return err;
}

const struct mw__client_ops mw__external_client = {
	client_start, client_initial, client_step
};

/* ---- server ---- */

/*
 * Without external credentials the exchange fails at once, whether or
 * not the client sent its message (RFC 4422 A.1: "The exchange fails if
 * the client has not established its credentials via external means").
 * Without an initial response the server asks for it with an empty
 * challenge (RFC 4422 A.1). The authzid, if any, is checked by
 * mw__server_identity (equal to the external identity, or allowed by
 * cfg->authorize).
 */
static enum mw__verdict
server_step(struct mw__server *s, const unsigned char *in, size_t n, int has,
    unsigned char *out, size_t cap, size_t *outlen, mw_err *err)
{
	(void)out, (void)cap, (void)err;
	if (s->sess.external == NULL || s->sess.external_len == 0)
		return MW__FAIL;
	if (!has) {
		if (s->step++ > 0)
			return MW__FAIL;
		*outlen = 0;
		return MW__CONTINUE;
	}
	s->step = 2;
	if (utf8_no_nul(in, n) != 0)
		return MW__FAIL;
	return mw__server_identity(s, s->sess.external, s->sess.external_len,
	    in, n);
}

const struct mw__server_ops mw__external_server = { server_step };
