/*
 * src/sasl.c: the SASL machines' common part (mailwire/sasl.h): dispatch
 * to the mechanisms (src/sasl_*.c), the RFC 4954 wire level (base64, "=",
 * "*", line limits, reply codes) and the helpers the mechanisms share.
 */
#include <string.h>

#include <mailwire/base64.h>

#include "sasl_int.h"

_Static_assert(sizeof(struct mw__client) <= sizeof(((struct mw_sasl_client *)0)->u.b),
    "struct mw_sasl_client is too small for its state");
_Static_assert(sizeof(struct mw__server) <= sizeof(((struct mw_sasl_server *)0)->u.b),
    "struct mw_sasl_server is too small for its state");

static const char b64abc[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
mw__strlen(const char *s)
{
	return s == NULL ? 0 : strlen(s);
}

int
mw__has_ctl(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

void
mw__hex(const unsigned char *s, size_t n, unsigned char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = (unsigned char)digits[s[i] >> 4];
		out[2 * i + 1] = (unsigned char)digits[s[i] & 15];
	}
}

mw_err
mw__no_initial(struct mw__client *c, unsigned char *out, size_t cap,
    size_t *outlen, int *has)
{
	(void)c, (void)out, (void)cap;
	*outlen = 0;
	*has = 0;
	return MW_ERR_OK;
}

/* RFC 4013 2.3 prohibits the ASCII control characters (RFC 3454 C.2.1);
 * on other ASCII, SASLprep maps nothing (2.1) and normalises nothing. */
mw_err
mw__saslprep_ascii(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 0x80)
			return MW_ERR_UNSUPPORTED;
		if (s[i] < 0x20 || s[i] == 0x7f)
			return MW_ERR_INVAL;
	}
	return MW_ERR_OK;
}

int
mw__nonce(const struct mw_crypto *crypto, unsigned char *out, size_t n)
{
	if (crypto == NULL || crypto->random == NULL ||
	    crypto->random(crypto->ctx, out, n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)b64abc[out[i] & 63];
	return 0;
}

enum mw_auth_mech
mw_sasl_choose(uint32_t offered, uint32_t allowed)
{
	static const enum mw_auth_mech order[] = {
		MW_AUTH_EXTERNAL, MW_AUTH_SCRAM_SHA_256, MW_AUTH_SCRAM_SHA_1,
		MW_AUTH_OAUTHBEARER, MW_AUTH_XOAUTH2, MW_AUTH_DIGEST_MD5,
		MW_AUTH_CRAM_MD5, MW_AUTH_PLAIN, MW_AUTH_LOGIN
	};
	uint32_t both = offered & allowed & MW_SASL_CLIENT_MECHS;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (both & MW_AUTH_BIT(order[i]))
			return order[i];
	return MW_AUTH_OTHER;
}

/* ---- client ------------------------------------------------------------ */

static const struct mw__client_ops *
client_ops(enum mw_auth_mech mech)
{
	switch (mech) {
	case MW_AUTH_PLAIN:		return &mw__plain_client;
	case MW_AUTH_LOGIN:		return &mw__login_client;
	case MW_AUTH_CRAM_MD5:		return &mw__cram_client;
	case MW_AUTH_DIGEST_MD5:	return &mw__digest_client;
	case MW_AUTH_SCRAM_SHA_1:
	case MW_AUTH_SCRAM_SHA_256:	return &mw__scram_client;
	case MW_AUTH_XOAUTH2:		return &mw__xoauth2_client;
	case MW_AUTH_OAUTHBEARER:	return &mw__oauthbearer_client;
	case MW_AUTH_EXTERNAL:		return &mw__external_client;
	default:			return NULL;
	}
}

mw_err
mw_sasl_client_start(struct mw_sasl_client *c, enum mw_auth_mech mech,
    const struct mw_sasl_creds *cr, const struct mw_crypto *crypto)
{
	const struct mw__client_ops *ops = client_ops(mech);
	struct mw__client *x;
	mw_err err;

	if (c == NULL || cr == NULL)
		return MW_ERR_INVAL;
	x = mw__client(c);
	memset(x, 0, sizeof(*x));
	if (ops == NULL)
		return MW_ERR_INVAL;
	x->mech = mech;
	x->cr = cr;
	x->crypto = crypto;
	if ((err = ops->start(x)) != MW_ERR_OK)
		return err;
	x->ops = ops;
	return MW_ERR_OK;
}

mw_err
mw_sasl_client_initial(struct mw_sasl_client *c, unsigned char *out,
    size_t cap, size_t *outlen, int *has)
{
	struct mw__client *x;

	if (c == NULL || out == NULL || outlen == NULL || has == NULL)
		return MW_ERR_INVAL;
	x = mw__client(c);
	if (x->ops == NULL)
		return MW_ERR_STATE;
	return x->ops->initial(x, out, cap, outlen, has);
}

mw_err
mw_sasl_client_step(struct mw_sasl_client *c, const unsigned char *in,
    size_t n, unsigned char *out, size_t cap, size_t *outlen)
{
	struct mw__client *x;

	if (c == NULL || (in == NULL && n > 0) || out == NULL || outlen == NULL)
		return MW_ERR_INVAL;
	x = mw__client(c);
	if (x->ops == NULL || x->cancelled)
		return MW_ERR_STATE;
	*outlen = 0;
	return x->ops->step(x, in, n, out, cap, outlen);
}

mw_err
mw_sasl_client_finish(const struct mw_sasl_client *c)
{
	const struct mw__client *x;

	if (c == NULL)
		return MW_ERR_INVAL;
	x = (const struct mw__client *)(const void *)c->u.b;
	/* RFC 5802 5: for SCRAM and DIGEST-MD5, complete means the server
	 * proved itself too; for the others, the last message was sent and
	 * no error came back */
	if (x->ops == NULL || x->cancelled || x->withheld || !x->complete)
		return MW_ERR_AUTH;
	return MW_ERR_OK;
}

const char *
mw_sasl_client_oauth_status(const struct mw_sasl_client *c)
{
	if (c == NULL)
		return "";
	return ((const struct mw__client *)(const void *)c->u.b)->oauth_status;
}

/* out[0..cap) = s[0..n) in base64, "=" for the empty string if eq, then
 * CRLF if crlf; *len is the length. */
static mw_err
put_b64(unsigned char *out, size_t cap, size_t *len, const unsigned char *s,
    size_t n, int eq, int crlf)
{
	size_t k = 0;
	mw_err err;

	if (n == 0 && eq) {
		if (cap < 1)
			return MW_ERR_NOSPACE;
		out[k++] = '=';
	} else if (n > 0) {
		if ((err = mw_base64_encode(s, n, out, cap, &k)) != MW_ERR_OK)
			return err;
	}
	if (crlf) {
		if (cap - k < 2)
			return MW_ERR_NOSPACE;
		out[k++] = '\r';
		out[k++] = '\n';
	}
	*len = k;
	return MW_ERR_OK;
}

mw_err
mw_sasl_client_auth_line(struct mw_sasl_client *c, unsigned char *out,
    size_t cap, size_t *outlen)
{
	struct mw__client *x;
	const char *name;
	size_t nl, raw, len, k;
	int has;
	mw_err err;

	if (c == NULL || out == NULL || outlen == NULL)
		return MW_ERR_INVAL;
	x = mw__client(c);
	if (x->ops == NULL)
		return MW_ERR_STATE;
	name = mw_auth_mech_name(x->mech);
	nl = strlen(name);
	err = x->ops->initial(x, x->out, sizeof(x->out), &raw, &has);
	if (err != MW_ERR_OK)
		return err;
	len = 5 + nl + 2;		/* "AUTH " name CRLF */
	if (has)
		len += 1 + (raw == 0 ? 1 : MW_BASE64_ENCODED_LEN(raw));
	/* RFC 4954 4: an initial response that would make the command too
	 * long is sent after the server's empty 334 instead */
	if (has && len > MW_SASL_AUTH_LINE_MAX) {
		x->withheld = 1;
		x->withheld_len = raw;
		has = 0;
		len = 5 + nl + 2;
	}
	if (cap < len)
		return MW_ERR_NOSPACE;
	memcpy(out, "AUTH ", 5);
	memcpy(out + 5, name, nl);
	k = 5 + nl;
	if (has) {
		out[k++] = ' ';
		if ((err = put_b64(out + k, cap - k, &len, x->out, raw, 1, 0)) !=
		    MW_ERR_OK)
			return err;
		k += len;
	}
	out[k++] = '\r';
	out[k++] = '\n';
	*outlen = k;
	return MW_ERR_OK;
}

static mw_err
cancel(struct mw__client *x, unsigned char *out, size_t cap, size_t *outlen,
    mw_err why)
{
	x->cancelled = 1;
	if (cap < 3)
		return MW_ERR_NOSPACE;
	memcpy(out, "*\r\n", 3);	/* RFC 4954 4 */
	*outlen = 3;
	return why;
}

mw_err
mw_sasl_client_reply334(struct mw_sasl_client *c, const unsigned char *text,
    size_t n, unsigned char *out, size_t cap, size_t *outlen)
{
	struct mw__client *x;
	size_t inlen, raw = 0;
	int ctl;
	mw_err err, serr;

	if (c == NULL || (text == NULL && n > 0) || out == NULL ||
	    outlen == NULL)
		return MW_ERR_INVAL;
	x = mw__client(c);
	if (x->ops == NULL || x->cancelled)
		return MW_ERR_STATE;
	if (x->withheld) {
		/* RFC 4422 5.1: the server asks for the initial response
		 * with an empty challenge */
		if (n != 0)
			return cancel(x, out, cap, outlen, MW_ERR_SYNTAX);
		x->withheld = 0;
		return put_b64(out, cap, outlen, x->out, x->withheld_len, 0, 1);
	}
	err = mw_base64_decode(text, n, x->in, sizeof(x->in), &inlen, &ctl);
	if (err == MW_ERR_NOSPACE)
		return cancel(x, out, cap, outlen, MW_ERR_LIMIT);
	if (err != MW_ERR_OK)	/* RFC 4954 4: MUST cancel */
		return cancel(x, out, cap, outlen, MW_ERR_SYNTAX);
	serr = x->ops->step(x, x->in, inlen, x->out, sizeof(x->out), &raw);
	if (serr != MW_ERR_OK) {
		/* the OAuth mechanisms answer an error challenge with the
		 * response RFC 7628 3.2.3 prescribes; the others cancel */
		if (serr != MW_ERR_AUTH || (x->mech != MW_AUTH_OAUTHBEARER &&
		    x->mech != MW_AUTH_XOAUTH2))
			return cancel(x, out, cap, outlen, serr);
	}
	err = put_b64(out, cap, outlen, x->out, raw, 0, 1);
	return err != MW_ERR_OK ? err : serr;
}

/* ---- server ------------------------------------------------------------ */

static const struct mw__server_ops *
server_ops(enum mw_auth_mech mech)
{
	switch (mech) {
	case MW_AUTH_PLAIN:		return &mw__plain_server;
	case MW_AUTH_LOGIN:		return &mw__login_server;
	case MW_AUTH_CRAM_MD5:		return &mw__cram_server;
	case MW_AUTH_SCRAM_SHA_1:
	case MW_AUTH_SCRAM_SHA_256:	return &mw__scram_server;
	case MW_AUTH_EXTERNAL:		return &mw__external_server;
	default:			return NULL;
	}
}

static void
reply(struct mw_sasl_reply *rep, int code, const char *esc, const char *text)
{
	rep->code = code;
	rep->esc = esc;
	rep->text = text;
	rep->len = 0;
	rep->done = code != 334;
}

/* RFC 4954 4 and 6: each outcome's code and enhanced status code. */
static void
verdict_reply(struct mw__server *x, enum mw__verdict v,
    struct mw_sasl_reply *rep)
{
	switch (v) {
	case MW__CONTINUE:
		reply(rep, 334, NULL, NULL);
		return;
	case MW__SUCCESS:
		x->authenticated = 1;
		reply(rep, 235, "2.7.0", "Authentication Succeeded");
		break;
	case MW__TEMPFAIL:
		reply(rep, 454, "4.7.0", "Temporary authentication failure");
		break;
	case MW__TOO_WEAK:
		reply(rep, 534, "5.7.9", "Authentication mechanism is too weak");
		break;
	case MW__TRANSITION:
		reply(rep, 432, "4.7.12", "A password transition is needed");
		break;
	case MW__IR_REFUSED:
		reply(rep, 501, "5.7.0", "This mechanism takes no initial "
		    "response");
		break;
	case MW__FAIL:
	default:
		reply(rep, 535, "5.7.8", "Authentication credentials invalid");
		break;
	}
	x->done = 1;
}

mw_err
mw_sasl_server_start(struct mw_sasl_server *s,
    const struct mw_sasl_server_config *cfg,
    const struct mw_sasl_session *sess, enum mw_auth_mech mech,
    struct mw_sasl_reply *rep)
{
	const struct mw__server_ops *ops = server_ops(mech);
	struct mw__server *x;

	if (s == NULL || cfg == NULL || rep == NULL)
		return MW_ERR_INVAL;
	x = mw__server(s);
	memset(x, 0, sizeof(*x));
	memset(rep, 0, sizeof(*rep));
	x->cfg = cfg;
	x->mech = mech;
	if (sess != NULL)
		x->sess = *sess;
	if (ops == NULL || (unsigned)mech >= 32 ||
	    !(cfg->mechs & MW_SASL_SERVER_MECHS & MW_AUTH_BIT(mech))) {
		/* RFC 4954 4 */
		reply(rep, 504, "5.5.4", "Unrecognized authentication type");
		x->done = 1;
		return MW_ERR_OK;
	}
	if ((cfg->need_tls & MW_AUTH_BIT(mech)) && !x->sess.tls) {
		reply(rep, 538, "5.7.11", "Encryption required for requested "
		    "authentication mechanism");
		x->done = 1;
		return MW_ERR_OK;
	}
	x->ops = ops;
	return MW_ERR_OK;
}

mw_err
mw_sasl_server_step(struct mw_sasl_server *s, const unsigned char *in,
    size_t n, int has, unsigned char *out, size_t cap,
    struct mw_sasl_reply *rep)
{
	struct mw__server *x;
	enum mw__verdict v;
	size_t len = 0;
	mw_err err = MW_ERR_OK;

	if (s == NULL || (in == NULL && n > 0) || out == NULL || rep == NULL)
		return MW_ERR_INVAL;
	x = mw__server(s);
	if (x->ops == NULL || x->done)
		return MW_ERR_STATE;
	if (has && n > MW_SASL_MSG_MAX)
		v = MW__FAIL;	/* longer than any message of ours */
	else
		v = x->ops->step(x, in, n, has, out, cap, &len, &err);
	if (err != MW_ERR_OK)
		return err;
	verdict_reply(x, v, rep);
	if (v == MW__CONTINUE)
		rep->len = len;
	return MW_ERR_OK;
}

/* Runs a step on a decoded response and base64-encodes the challenge. */
static mw_err
wire_step(struct mw__server *x, const unsigned char *in, size_t n, int has,
    unsigned char *out, size_t cap, struct mw_sasl_reply *rep)
{
	struct mw_sasl_server *s = (struct mw_sasl_server *)(void *)x;
	size_t len;
	mw_err err;

	err = mw_sasl_server_step(s, in, n, has, x->out, sizeof(x->out), rep);
	if (err != MW_ERR_OK || rep->code != 334)
		return err;
	if ((err = put_b64(out, cap, &len, x->out, rep->len, 0, 0)) !=
	    MW_ERR_OK)
		return err;
	rep->len = len;
	return MW_ERR_OK;
}

/* Decodes a base64 response into x->in: 501 5.5.2 if it is not base64
 * (RFC 4954 4), 535 if it is longer than any message of ours. */
static int
decode(struct mw__server *x, const unsigned char *s, size_t n, size_t *len,
    struct mw_sasl_reply *rep)
{
	int ctl;
	mw_err err = mw_base64_decode(s, n, x->in, sizeof(x->in), len, &ctl);

	if (err == MW_ERR_OK)
		return 0;
	if (err == MW_ERR_NOSPACE)
		verdict_reply(x, MW__FAIL, rep);
	else {
		reply(rep, 501, "5.5.2", "Cannot decode the response");
		x->done = 1;
	}
	return -1;
}

mw_err
mw_sasl_server_auth(struct mw_sasl_server *s,
    const struct mw_sasl_server_config *cfg,
    const struct mw_sasl_session *sess, const unsigned char *mech,
    size_t mlen, const unsigned char *ir, size_t irlen, int has_ir,
    unsigned char *out, size_t cap, struct mw_sasl_reply *rep)
{
	struct mw__server *x;
	size_t n = 0;
	mw_err err;

	if (s == NULL || (mech == NULL && mlen > 0) ||
	    (has_ir && ir == NULL && irlen > 0) || out == NULL || rep == NULL)
		return MW_ERR_INVAL;
	err = mw_sasl_server_start(s, cfg, sess,
	    mw_auth_mech_lookup(mech, mlen), rep);
	if (err != MW_ERR_OK || rep->code != 0)
		return err;
	x = mw__server(s);
	if (has_ir) {
		if (irlen > MW_SASL_LINE_MAX) {
			reply(rep, 500, "5.5.6", "Authentication Exchange line "
			    "is too long");
			x->done = 1;
			return MW_ERR_OK;
		}
		/* RFC 4954 4: "=" is a present, empty initial response */
		if (!(irlen == 1 && ir[0] == '=') &&
		    decode(x, ir, irlen, &n, rep) != 0)
			return MW_ERR_OK;
	}
	return wire_step(x, x->in, n, has_ir, out, cap, rep);
}

mw_err
mw_sasl_server_line(struct mw_sasl_server *s, const unsigned char *line,
    size_t n, unsigned char *out, size_t cap, struct mw_sasl_reply *rep)
{
	struct mw__server *x;
	size_t len;

	if (s == NULL || out == NULL || rep == NULL)
		return MW_ERR_INVAL;
	x = mw__server(s);
	if (x->ops == NULL || x->done)
		return MW_ERR_STATE;
	if (n > MW_SASL_LINE_MAX) {
		/* RFC 4954 4 */
		reply(rep, 500, "5.5.6", "Authentication Exchange line is too "
		    "long");
		x->done = 1;
		return MW_ERR_OK;
	}
	if (line == NULL && n > 0)
		return MW_ERR_INVAL;
	if (n == 1 && line[0] == '*') {
		/* RFC 4954 4: the client cancels */
		reply(rep, 501, "5.7.0", "Authentication cancelled");
		x->done = 1;
		return MW_ERR_OK;
	}
	if (decode(x, line, n, &len, rep) != 0)
		return MW_ERR_OK;
	return wire_step(x, x->in, len, 1, out, cap, rep);
}

mw_err
mw_sasl_server_identity(const struct mw_sasl_server *s,
    const unsigned char **authcid, size_t *cn, const unsigned char **authzid,
    size_t *zn)
{
	const struct mw__server *x;

	if (s == NULL || authcid == NULL || cn == NULL || authzid == NULL ||
	    zn == NULL)
		return MW_ERR_INVAL;
	x = (const struct mw__server *)(const void *)s->u.b;
	if (!x->authenticated)
		return MW_ERR_STATE;
	*authcid = x->authcid;
	*cn = x->authcid_len;
	if (x->authzid_len > 0) {
		*authzid = x->authzid;
		*zn = x->authzid_len;
	} else {
		*authzid = x->authcid;
		*zn = x->authcid_len;
	}
	return MW_ERR_OK;
}

enum mw_sasl_lookup
mw_sasl_table_lookup(const struct mw_sasl_user *users, size_t n,
    const unsigned char *authcid, size_t len, struct mw_sasl_secret *out)
{
	for (size_t i = 0; i < n && users != NULL; i++) {
		const char *name = users[i].name;

		if (name != NULL && strlen(name) == len &&
		    memcmp(name, authcid, len) == 0) {
			*out = users[i].secret;
			return MW_SASL_FOUND;
		}
	}
	return MW_SASL_NO_USER;
}

enum mw_sasl_lookup
mw__lookup(struct mw__server *x, const unsigned char *authcid, size_t n,
    struct mw_sasl_secret *sec)
{
	const struct mw_sasl_server_config *cfg = x->cfg;

	memset(sec, 0, sizeof(*sec));
	if (cfg->lookup != NULL)
		return cfg->lookup(cfg->arg, x->mech, authcid, n, sec);
	return mw_sasl_table_lookup(cfg->users, cfg->nusers, authcid, n, sec);
}

enum mw__verdict
mw__lookup_verdict(enum mw_sasl_lookup l)
{
	switch (l) {
	case MW_SASL_TEMPFAIL:		return MW__TEMPFAIL;
	case MW_SASL_TOO_WEAK:		return MW__TOO_WEAK;
	case MW_SASL_TRANSITION:	return MW__TRANSITION;
	default:			return MW__FAIL;
	}
}

enum mw__verdict
mw__check_password(struct mw__server *x, const struct mw_sasl_secret *sec,
    const unsigned char *pw, size_t n)
{
	const struct mw_crypto *crypto = x->cfg->crypto;
	const struct mw_sasl_scram_keys *k;
	struct mw_sasl_scram_keys got;
	enum mw_hash h;

	if (sec->password != NULL) {
		unsigned char a[MW_HASH_MAX], b[MW_HASH_MAX];
		struct mw_iov va = { sec->password, sec->password_len };
		struct mw_iov vb = { pw, n };

		/* comparing digests hides the length as well as the content */
		if (crypto == NULL || crypto->hash == NULL ||
		    crypto->hash(crypto->ctx, MW_HASH_SHA256, &va, 1, a) != 0 ||
		    crypto->hash(crypto->ctx, MW_HASH_SHA256, &vb, 1, b) != 0)
			return MW__TEMPFAIL;
		return mw_ct_compare(a, b, sizeof(a)) == 0 ? MW__SUCCESS :
		    MW__FAIL;
	}
	/* no password stored: derive the SCRAM key and compare (RFC 5802 3) */
	if ((k = sec->scram_sha256) != NULL)
		h = MW_HASH_SHA256;
	else if ((k = sec->scram_sha1) != NULL)
		h = MW_HASH_SHA1;
	else
		return MW__FAIL;
	if (mw__saslprep_ascii(pw, n) != MW_ERR_OK)
		return MW__FAIL;
	if (mw__scram_derive(crypto, h, pw, n, k->salt, k->salt_len,
	    k->iterations, &got) != MW_ERR_OK)
		return MW__TEMPFAIL;
	return mw_ct_compare(got.stored_key, k->stored_key, mw_hash_len(h)) ==
	    0 ? MW__SUCCESS : MW__FAIL;
}

enum mw__verdict
mw__server_identity(struct mw__server *x, const unsigned char *authcid,
    size_t cn, const unsigned char *authzid, size_t zn)
{
	const struct mw_sasl_server_config *cfg = x->cfg;

	if (cn == 0 || cn > MW_SASL_NAME_MAX || zn > MW_SASL_NAME_MAX)
		return MW__FAIL;
	if (zn > 0 && !(zn == cn && memcmp(authzid, authcid, cn) == 0)) {
		/* RFC 4422 3.4.1: acting as another identity needs leave */
		if (cfg->authorize == NULL ||
		    !cfg->authorize(cfg->arg, authcid, cn, authzid, zn))
			return MW__FAIL;
	}
	memcpy(x->authcid, authcid, cn);
	x->authcid_len = cn;
	if (zn > 0)
		memcpy(x->authzid, authzid, zn);
	x->authzid_len = zn;
	return MW__SUCCESS;
}
