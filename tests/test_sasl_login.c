/*
 * tests/test_sasl_login.c: LOGIN (draft-murchison-sasl-login) through the
 * public API: the client with both prompt variants ("Username:" /
 * "Password:" and "User Name" / "Password") at mechanism and wire level,
 * the server's flow with and without an initial response, refusals, and
 * client against server in memory.
 */
#include <string.h>

#include <mailwire/base64.h>
#include <mailwire/crypto_openssl.h>
#include <mailwire/sasl.h>

#include "check.h"

static struct mw_crypto ossl;
static struct mw_sasl_scram_keys keys1, keys256;

static const struct mw_sasl_user users[] = {
	{ "tim", { (const unsigned char *)"tanstaaftanstaaf", 16, NULL,
	    NULL } },
	{ "nul", { (const unsigned char *)"a\0b", 3, NULL, NULL } },
	/* no password stored, only SCRAM keys (sasl.h: mw_sasl_secret) */
	{ "s256", { NULL, 0, NULL, &keys256 } },
	{ "s1", { NULL, 0, &keys1, NULL } },
};

static struct mw_sasl_server_config cfg;
static struct mw_sasl_session sess;
static enum mw_sasl_lookup lookup_answer;

static enum mw_sasl_lookup
lookup(void *arg, enum mw_auth_mech mech, const unsigned char *authcid,
    size_t n, struct mw_sasl_secret *out)
{
	(void)arg, (void)out;
	/* the mechanism and the name arrive as sent */
	if (mech != MW_AUTH_LOGIN || n != 3 || memcmp(authcid, "tim", 3) != 0)
		return MW_SASL_NO_USER;
	return lookup_answer;
}

static void
reset_cfg(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.crypto = &ossl;
	cfg.mechs = MW_SASL_SERVER_MECHS;
	cfg.users = users;
	cfg.nusers = sizeof(users) / sizeof(users[0]);
	memset(&sess, 0, sizeof(sess));
}

static int
eq(const unsigned char *p, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(p, s, n) == 0;
}

/* out[0..n) is base64 of s, then CRLF */
static int
eq64(const unsigned char *p, size_t n, const char *s)
{
	unsigned char dec[256];
	size_t len;
	int ctl;

	return n >= 2 && memcmp(p + n - 2, "\r\n", 2) == 0 &&
	    mw_base64_decode(p, n - 2, dec, sizeof(dec), &len, &ctl) ==
	    MW_ERR_OK && eq(dec, len, s);
}

static void
client(void)
{
	static const char *const variants[][2] = {
		{ "Username:", "Password:" },	/* what servers send */
		{ "User Name", "Password" },	/* the draft's SHOULD */
		{ "", "" },			/* no prompt at all */
		{ "Benutzername:", "Passwort:" },
	};
	struct mw_sasl_creds cr = { "tim", "ignored", "tanstaaftanstaaf", NULL,
	    NULL, 0, NULL, NULL };
	struct mw_sasl_client c;
	unsigned char out[128], enc[64];
	size_t i, len, elen;
	int has = -1;

	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		const char *u = variants[i][0], *p = variants[i][1];

		CHECK(mw_sasl_client_start(&c, MW_AUTH_LOGIN, &cr, &ossl) ==
		    MW_ERR_OK && mw_sasl_client_initial(&c, out, sizeof(out),
		    &len, &has) == MW_ERR_OK && has == 0,
		    "client \"%s\": no initial response", u);
		CHECK(mw_sasl_client_step(&c, (const unsigned char *)u,
		    strlen(u), out, sizeof(out), &len) == MW_ERR_OK &&
		    eq(out, len, "tim"), "client \"%s\": the user name", u);
		CHECK(mw_sasl_client_step(&c, (const unsigned char *)p,
		    strlen(p), out, sizeof(out), &len) == MW_ERR_OK &&
		    eq(out, len, "tanstaaftanstaaf"),
		    "client \"%s\": the password", p);
		CHECK(mw_sasl_client_step(&c, (const unsigned char *)p,
		    strlen(p), out, sizeof(out), &len) == MW_ERR_AUTH,
		    "client \"%s\": a third challenge is refused", u);
		CHECK(mw_sasl_client_finish(&c) == MW_ERR_OK,
		    "client \"%s\": finish", u);
	}

	/* wire level, both variants */
	for (i = 0; i < 2; i++) {
		const char *u = variants[i][0], *p = variants[i][1];

		CHECK(mw_sasl_client_start(&c, MW_AUTH_LOGIN, &cr, &ossl) ==
		    MW_ERR_OK && mw_sasl_client_auth_line(&c, out, sizeof(out),
		    &len) == MW_ERR_OK && eq(out, len, "AUTH LOGIN\r\n"),
		    "wire client \"%s\": AUTH LOGIN", u);
		mw_base64_encode((const unsigned char *)u, strlen(u), enc,
		    sizeof(enc), &elen);
		CHECK(mw_sasl_client_reply334(&c, enc, elen, out, sizeof(out),
		    &len) == MW_ERR_OK && eq64(out, len, "tim"),
		    "wire client: 334 %.*s -> user", (int)elen, enc);
		mw_base64_encode((const unsigned char *)p, strlen(p), enc,
		    sizeof(enc), &elen);
		CHECK(mw_sasl_client_reply334(&c, enc, elen, out, sizeof(out),
		    &len) == MW_ERR_OK && eq64(out, len, "tanstaaftanstaaf"),
		    "wire client: 334 %.*s -> password", (int)elen, enc);
		CHECK(mw_sasl_client_finish(&c) == MW_ERR_OK,
		    "wire client: finish");
	}
	/* the classic base64 prompts, as servers write them */
	CHECK(mw_sasl_client_start(&c, MW_AUTH_LOGIN, &cr, &ossl) ==
	    MW_ERR_OK && mw_sasl_client_reply334(&c,
	    (const unsigned char *)"VXNlcm5hbWU6", 12, out, sizeof(out),
	    &len) == MW_ERR_OK && eq(out, len, "dGlt\r\n") &&
	    mw_sasl_client_reply334(&c, (const unsigned char *)"UGFzc3dvcmQ6",
	    12, out, sizeof(out), &len) == MW_ERR_OK &&
	    eq(out, len, "dGFuc3RhYWZ0YW5zdGFhZg==\r\n"),
	    "wire client: VXNlcm5hbWU6 / UGFzc3dvcmQ6");
	CHECK(mw_sasl_client_reply334(&c, (const unsigned char *)"", 0, out,
	    sizeof(out), &len) == MW_ERR_AUTH && eq(out, len, "*\r\n"),
	    "wire client: a third 334 is cancelled with *");
	CHECK(mw_sasl_client_start(&c, MW_AUTH_LOGIN, &cr, &ossl) ==
	    MW_ERR_OK && mw_sasl_client_reply334(&c,
	    (const unsigned char *)"VXNlcm5hbWU", 11, out, sizeof(out),
	    &len) == MW_ERR_SYNTAX && eq(out, len, "*\r\n"),
	    "wire client: a prompt that is not base64 is cancelled");

	/* bounds and missing credentials */
	CHECK(mw_sasl_client_start(&c, MW_AUTH_LOGIN, &cr, &ossl) ==
	    MW_ERR_OK && mw_sasl_client_step(&c, NULL, 0, out, 2, &len) ==
	    MW_ERR_NOSPACE && mw_sasl_client_step(&c, NULL, 0, out, 3, &len) ==
	    MW_ERR_OK && eq(out, len, "tim") && mw_sasl_client_step(&c, NULL,
	    0, out, 15, &len) == MW_ERR_NOSPACE && mw_sasl_client_step(&c,
	    NULL, 0, out, 16, &len) == MW_ERR_OK &&
	    eq(out, len, "tanstaaftanstaaf"),
	    "client: NOSPACE keeps the position");
	cr.password = NULL;
	CHECK(mw_sasl_client_start(&c, MW_AUTH_LOGIN, &cr, &ossl) ==
	    MW_ERR_INVAL, "client: no password is INVAL");
	cr.password = "pw";
	cr.authcid = "";
	CHECK(mw_sasl_client_start(&c, MW_AUTH_LOGIN, &cr, &ossl) ==
	    MW_ERR_INVAL, "client: an empty user name is INVAL");
	{
		char big[300];

		memset(big, 'x', sizeof(big));
		big[256] = '\0';
		cr.authcid = big;
		CHECK(mw_sasl_client_start(&c, MW_AUTH_LOGIN, &cr, &ossl) ==
		    MW_ERR_INVAL, "client: a 256-octet user name is INVAL");
		big[255] = '\0';
		CHECK(mw_sasl_client_start(&c, MW_AUTH_LOGIN, &cr, &ossl) ==
		    MW_ERR_OK, "client: a 255-octet user name is fine");
	}
	cr.authcid = "tim";
	CHECK(mw_sasl_client_start(&c, MW_AUTH_LOGIN, &cr, NULL) == MW_ERR_OK,
	    "client: LOGIN needs no crypto provider");
}

/* One server step on raw text; the reply code. */
static int
step(struct mw_sasl_server *s, const char *in, size_t n, int has,
    unsigned char *out, size_t *len, struct mw_sasl_reply *rep)
{
	if (mw_sasl_server_step(s, (const unsigned char *)in, n, has, out, 256,
	    rep) != MW_ERR_OK)
		return -1;
	*len = rep->len;
	return rep->code;
}

/* A whole exchange: AUTH LOGIN [ir], user, password; the final code. */
static int
exchange(const char *ir, size_t irn, int has_ir, const char *user,
    size_t un, const char *pw, size_t pn, struct mw_sasl_server *s,
    struct mw_sasl_reply *rep)
{
	unsigned char out[256];
	size_t len;
	int code;

	if (mw_sasl_server_start(s, &cfg, &sess, MW_AUTH_LOGIN, rep) !=
	    MW_ERR_OK || rep->code != 0)
		return -1;
	code = step(s, ir, irn, has_ir, out, &len, rep);
	if (code != 334)
		return code;
	if (eq(out, len, "Username:")) {
		code = step(s, user, un, 1, out, &len, rep);
		if (code != 334)
			return code;
	}
	if (!eq(out, len, "Password:"))
		return -2;
	return step(s, pw, pn, 1, out, &len, rep);
}

static void
server(void)
{
	struct mw_sasl_server s;
	struct mw_sasl_reply rep;
	unsigned char out[256];
	const unsigned char *cid, *zid;
	char longname[300];
	size_t len, cn, zn;

	reset_cfg();
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_LOGIN, &rep) ==
	    MW_ERR_OK && step(&s, NULL, 0, 0, out, &len, &rep) == 334 &&
	    eq(out, len, "Username:") && rep.esc == NULL && !rep.done,
	    "server: no initial response: 334 Username:");
	CHECK(step(&s, "tim", 3, 1, out, &len, &rep) == 334 &&
	    eq(out, len, "Password:"), "server: user: 334 Password:");
	CHECK(mw_sasl_server_identity(&s, &cid, &cn, &zid, &zn) ==
	    MW_ERR_STATE, "server: no identity before the end");
	CHECK(step(&s, "tanstaaftanstaaf", 16, 1, out, &len, &rep) == 235 &&
	    strcmp(rep.esc, "2.7.0") == 0 && rep.done,
	    "server: password: 235 2.7.0");
	CHECK(mw_sasl_server_identity(&s, &cid, &cn, &zid, &zn) == MW_ERR_OK &&
	    eq(cid, cn, "tim") && eq(zid, zn, "tim"),
	    "server: identity tim acting as tim");

	/* initial response = user name */
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_LOGIN, &rep) ==
	    MW_ERR_OK && step(&s, "tim", 3, 1, out, &len, &rep) == 334 &&
	    eq(out, len, "Password:"),
	    "server: initial response tim: 334 Password: at once");
	CHECK(step(&s, "tanstaaftanstaaf", 16, 1, out, &len, &rep) == 235,
	    "server: initial response, then password: 235");
	CHECK(exchange("", 0, 1, "tim", 3, "tanstaaftanstaaf", 16, &s,
	    &rep) == 235, "server: an empty initial response (=) asks for the "
	    "user name");

	/* refusals */
	CHECK(exchange(NULL, 0, 0, "tim", 3, "tanstaaftanstaag", 16, &s,
	    &rep) == 535 && strcmp(rep.esc, "5.7.8") == 0,
	    "server: wrong password is 535 5.7.8");
	CHECK(mw_sasl_server_identity(&s, &cid, &cn, &zid, &zn) ==
	    MW_ERR_STATE, "server: no identity after a failure");
	CHECK(exchange(NULL, 0, 0, "tim", 3, "tanstaaftanstaa", 15, &s,
	    &rep) == 535, "server: a prefix of the password is 535");
	CHECK(exchange(NULL, 0, 0, "tim", 3, "tanstaaftanstaaff", 17, &s,
	    &rep) == 535, "server: the password and more is 535");
	CHECK(exchange(NULL, 0, 0, "tim", 3, "", 0, &s, &rep) == 535,
	    "server: an empty password is 535");
	CHECK(exchange(NULL, 0, 0, "tom", 3, "tanstaaftanstaaf", 16, &s,
	    &rep) == 535, "server: an unknown user is 535");
	CHECK(exchange(NULL, 0, 0, "Tim", 3, "tanstaaftanstaaf", 16, &s,
	    &rep) == 535, "server: user names compare exactly");
	CHECK(exchange(NULL, 0, 0, "", 0, "tanstaaftanstaaf", 16, &s,
	    &rep) == 535, "server: an empty user name is 535");
	CHECK(exchange(NULL, 0, 0, "tim\r\n", 5, "tanstaaftanstaaf", 16, &s,
	    &rep) == 535, "server: a user name with CR LF is 535");
	CHECK(exchange(NULL, 0, 0, "t\0m", 3, "tanstaaftanstaaf", 16, &s,
	    &rep) == 535, "server: a user name with NUL is 535");
	CHECK(exchange("tim\n", 4, 1, NULL, 0, "tanstaaftanstaaf", 16, &s,
	    &rep) == 535, "server: an initial response with LF is 535");
	CHECK(exchange(NULL, 0, 0, "nul", 3, "a\0b", 3, &s, &rep) == 235,
	    "server: a password with NUL compares as octets");
	CHECK(exchange(NULL, 0, 0, "nul", 3, "a", 1, &s, &rep) == 535,
	    "server: ... and its prefix before the NUL is wrong");
	memset(longname, 'a', sizeof(longname));
	CHECK(exchange(NULL, 0, 0, longname, 256, "x", 1, &s, &rep) == 535,
	    "server: a 256-octet user name is 535");

	/* checked against stored SCRAM keys instead of a password */
	CHECK(exchange(NULL, 0, 0, "s256", 4, "pencil", 6, &s, &rep) == 235,
	    "server: the password checked against SCRAM-SHA-256 keys: 235");
	CHECK(exchange(NULL, 0, 0, "s256", 4, "pencii", 6, &s, &rep) == 535,
	    "server: a wrong password against SCRAM-SHA-256 keys: 535");
	CHECK(exchange(NULL, 0, 0, "s1", 2, "pencil", 6, &s, &rep) == 235,
	    "server: the password checked against SCRAM-SHA-1 keys: 235");
	CHECK(exchange(NULL, 0, 0, "s1", 2, "Pencil", 6, &s, &rep) == 535,
	    "server: a wrong password against SCRAM-SHA-1 keys: 535");

	/* lookups */
	cfg.lookup = lookup;
	lookup_answer = MW_SASL_TEMPFAIL;
	CHECK(exchange(NULL, 0, 0, "tim", 3, "x", 1, &s, &rep) == 454 &&
	    strcmp(rep.esc, "4.7.0") == 0, "server: lookup TEMPFAIL is 454");
	lookup_answer = MW_SASL_TOO_WEAK;
	CHECK(exchange(NULL, 0, 0, "tim", 3, "x", 1, &s, &rep) == 534 &&
	    strcmp(rep.esc, "5.7.9") == 0, "server: lookup TOO_WEAK is 534");
	lookup_answer = MW_SASL_TRANSITION;
	CHECK(exchange(NULL, 0, 0, "tim", 3, "x", 1, &s, &rep) == 432 &&
	    strcmp(rep.esc, "4.7.12") == 0,
	    "server: lookup TRANSITION is 432");
	lookup_answer = MW_SASL_FOUND;
	CHECK(exchange(NULL, 0, 0, "tim", 3, "x", 1, &s, &rep) == 535,
	    "server: a user with no secret is 535");
	cfg.lookup = NULL;

	/* NOSPACE for a prompt: nothing changes, the step can be retried */
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_LOGIN, &rep) ==
	    MW_ERR_OK && mw_sasl_server_step(&s, NULL, 0, 0, out, 8, &rep) ==
	    MW_ERR_NOSPACE && step(&s, NULL, 0, 0, out, &len, &rep) == 334 &&
	    eq(out, len, "Username:"), "server: NOSPACE, then the prompt");

	/* RFC 4954 4: not offered without TLS when configured so */
	cfg.need_tls = MW_SASL_PLAINTEXT_MECHS;
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_LOGIN, &rep) ==
	    MW_ERR_OK && rep.code == 538 && strcmp(rep.esc, "5.7.11") == 0,
	    "server: LOGIN without TLS when it needs TLS is 538 5.7.11");
	sess.tls = 1;
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_LOGIN, &rep) ==
	    MW_ERR_OK && rep.code == 0, "server: ... and goes on with TLS");
	reset_cfg();
}

/* Client against server, wire level, with and without the user name in
 * the AUTH line. */
static void
in_memory(void)
{
	struct mw_sasl_creds cr = { "tim", NULL, "tanstaaftanstaaf", NULL,
	    NULL, 0, NULL, NULL };
	struct mw_sasl_client c;
	struct mw_sasl_server s;
	struct mw_sasl_reply rep;
	unsigned char line[512], out[512];
	size_t llen = 0;
	int rounds = 0, ok;

	reset_cfg();
	ok = mw_sasl_client_start(&c, MW_AUTH_LOGIN, &cr, &ossl) ==
	    MW_ERR_OK && mw_sasl_client_auth_line(&c, line, sizeof(line),
	    &llen) == MW_ERR_OK && mw_sasl_server_auth(&s, &cfg, &sess,
	    (const unsigned char *)"LOGIN", 5, NULL, 0, 0, out, sizeof(out),
	    &rep) == MW_ERR_OK;
	while (ok && rep.code == 334 && rounds++ < 4)
		ok = mw_sasl_client_reply334(&c, out, rep.len, line,
		    sizeof(line), &llen) == MW_ERR_OK &&
		    mw_sasl_server_line(&s, line, llen - 2, out, sizeof(out),
		    &rep) == MW_ERR_OK;
	CHECK(ok && rep.code == 235 && rounds == 2 &&
	    mw_sasl_client_finish(&c) == MW_ERR_OK,
	    "in memory: client and server, two 334s, 235");

	cr.password = "wrong";
	rounds = 0;
	ok = mw_sasl_client_start(&c, MW_AUTH_LOGIN, &cr, &ossl) ==
	    MW_ERR_OK && mw_sasl_server_auth(&s, &cfg, &sess,
	    (const unsigned char *)"LOGIN", 5, (const unsigned char *)"dGlt", 4,
	    1, out, sizeof(out), &rep) == MW_ERR_OK;
	/* the server skipped "Username:"; this client answers by position,
	 * so it would send the user name as the password: it is refused */
	while (ok && rep.code == 334 && rounds++ < 4)
		ok = mw_sasl_client_reply334(&c, out, rep.len, line,
		    sizeof(line), &llen) == MW_ERR_OK &&
		    mw_sasl_server_line(&s, line, llen - 2, out, sizeof(out),
		    &rep) == MW_ERR_OK;
	CHECK(ok && rep.code == 535 && rounds == 1,
	    "in memory: AUTH LOGIN dGlt, then a wrong answer is 535");
}

int
main(void)
{
	mw_crypto_openssl(&ossl);
	CHECK(mw_sasl_scram_keys(&ossl, MW_HASH_SHA256, "pencil",
	    (const unsigned char *)"saltsaltsaltsalt", 16, 4096, &keys256) ==
	    MW_ERR_OK && mw_sasl_scram_keys(&ossl, MW_HASH_SHA1, "pencil",
	    (const unsigned char *)"saltsalt", 8, 4096, &keys1) == MW_ERR_OK,
	    "SCRAM keys for the users without a stored password");
	client();
	server();
	in_memory();
	return check_done();
}
