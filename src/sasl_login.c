/*
 * src/sasl_login.c: LOGIN (draft-murchison-sasl-login-00, and the older
 * "specification for LOGIN" it documents), client and server. The server
 * asks for the user name, then the password; each is sent as it is, with
 * no syntax of its own (neither text gives one), so there is no grammar
 * to generate a machine from.
 *
 * The older text says the server's prompts SHOULD be "User Name" and
 * "Password"; nearly every deployed server sends "Username:" and
 * "Password:". The client does not look at the prompts: it answers the
 * first challenge with the user name and the second with the password,
 * whatever their text (that text: "The contents of both challenges are
 * ignored"), so both variants work, and so do servers that word or
 * localise the prompts otherwise. A third challenge is an error.
 *
 * The server sends "Username:" and "Password:", what clients in the field
 * are used to. It takes an initial response as the user name (many
 * clients send "AUTH LOGIN <user>") and then asks only for the password.
 */
#include <string.h>

#include "sasl_int.h"

/* ---- client ---- */

static mw_err
client_start(struct mw__client *c)
{
	size_t u = mw__strlen(c->cr->authcid), w = mw__strlen(c->cr->password);

	/* a user name and a password, each within the bound of sasl.h */
	if (u == 0 || w == 0 || u > MW_SASL_NAME_MAX || w > MW_SASL_NAME_MAX)
		return MW_ERR_INVAL;
	return MW_ERR_OK;
}

/* The first challenge gets the user name, the second the password, by
 * position and not by prompt (see the top of the file). */
static mw_err
client_step(struct mw__client *c, const unsigned char *in, size_t n,
    unsigned char *out, size_t cap, size_t *outlen)
{
	const char *s;
	size_t len;

	(void)in, (void)n;
	if (c->step == 0)
		s = c->cr->authcid;
	else if (c->step == 1)
		s = c->cr->password;
	else
		return MW_ERR_AUTH;
	len = mw__strlen(s);
	if (cap < len)
		return MW_ERR_NOSPACE;
	memcpy(out, s, len);
	*outlen = len;
	if (++c->step == 2)
		c->complete = 1;
	return MW_ERR_OK;
}

const struct mw__client_ops mw__login_client = {
	client_start, mw__no_initial, client_step
};

/* ---- server ---- */

static const char prompt_user[] = "Username:";
static const char prompt_pass[] = "Password:";

/* Sends a prompt and moves to step next; on NOSPACE nothing changes. */
static enum mw__verdict
prompt(struct mw__server *s, int next, const char *p, size_t len,
    unsigned char *out, size_t cap, size_t *outlen, mw_err *err)
{
	if (cap < len) {
		*err = MW_ERR_NOSPACE;
		return MW__FAIL;
	}
	memcpy(out, p, len);
	*outlen = len;
	s->step = next;
	return MW__CONTINUE;
}

/*
 * Keeps the user name until the password comes, in s->authcid (which
 * mw__server_identity fills again on success). A name is 1 to
 * MW_SASL_NAME_MAX octets with no control character: no user has one,
 * and a CR, LF or NUL in a name would travel on into logs and lookups.
 */
static int
keep_user(struct mw__server *s, const unsigned char *in, size_t n)
{
	size_t i;

	if (n == 0 || n > MW_SASL_NAME_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (in[i] < 0x20 || in[i] == 0x7f)
			return -1;
	memcpy(s->authcid, in, n);
	s->authcid_len = n;
	return 0;
}

static enum mw__verdict
server_step(struct mw__server *s, const unsigned char *in, size_t n, int has,
    unsigned char *out, size_t cap, size_t *outlen, mw_err *err)
{
	unsigned char user[MW_SASL_NAME_MAX];
	struct mw_sasl_secret sec;
	enum mw_sasl_lookup l;
	enum mw__verdict v;
	size_t ulen;

	switch (s->step) {
	case 0:
		/* An initial response is the user name; an empty one
		 * ("AUTH LOGIN =") names no one, so the server asks. */
		if (has && n > 0) {
			if (keep_user(s, in, n) != 0)
				return MW__FAIL;
			return prompt(s, 2, prompt_pass,
			    sizeof(prompt_pass) - 1, out, cap, outlen, err);
		}
		return prompt(s, 1, prompt_user, sizeof(prompt_user) - 1, out,
		    cap, outlen, err);
	case 1:
		if (!has || keep_user(s, in, n) != 0)
			return MW__FAIL;
		return prompt(s, 2, prompt_pass, sizeof(prompt_pass) - 1, out,
		    cap, outlen, err);
	case 2:
		s->step = 3;
		/* the name leaves s->authcid, which holds only who
		 * authenticated once the exchange has succeeded */
		ulen = s->authcid_len;
		memcpy(user, s->authcid, ulen);
		s->authcid_len = 0;
		if (!has)
			return MW__FAIL;
		l = mw__lookup(s, user, ulen, &sec);
		if (l != MW_SASL_FOUND)
			return mw__lookup_verdict(l);
		if ((v = mw__check_password(s, &sec, in, n)) != MW__SUCCESS)
			return v;
		return mw__server_identity(s, user, ulen, NULL, 0);
	default:
		return MW__FAIL;
	}
}

const struct mw__server_ops mw__login_server = { server_step };
