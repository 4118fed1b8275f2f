/*
 * tests/test_sasl.c: the SASL machines together (mailwire/sasl.h): the
 * RFC 4954 wire level (its examples, "=", "*", base64, the line limits,
 * every reply code of RFC 4954 6), PLAIN (RFC 4616's examples), the
 * mechanism choice, and every mechanism both sides have, client against
 * server in memory, with right and wrong passwords. The mechanisms' own
 * test vectors are in tests/test_sasl_*.c.
 */
#include <stdio.h>
#include <string.h>

#include <mailwire/base64.h>
#include <mailwire/crypto_openssl.h>
#include <mailwire/sasl.h>
#include <mailwire/xtext.h>

#include "check.h"

#define B(s)	((const unsigned char *)(s))

static struct mw_crypto crypto;
static struct mw_sasl_scram_keys k1, k256;

static struct mw_sasl_user users[] = {
	{ "test", { B("1234"), 4, NULL, NULL } },
	{ "tim", { B("tanstaaftanstaaf"), 16, NULL, NULL } },
	{ "Kurt", { B("xipj3plmq"), 9, NULL, NULL } },
	{ "user", { B("pencil"), 6, &k1, &k256 } },
	{ "keysonly", { NULL, 0, &k1, &k256 } },	/* password "pencil" */
};

static struct mw_sasl_server_config
config(void)
{
	struct mw_sasl_server_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.crypto = &crypto;
	cfg.mechs = MW_SASL_SERVER_MECHS;
	cfg.hostname = "mx.example.com";
	cfg.users = users;
	cfg.nusers = sizeof(users) / sizeof(users[0]);
	return cfg;
}

static const struct mw_sasl_session tls_session = {
	1, B("client.example.com"), 18, 1700000000
};

/* The server's answer to an AUTH line given as text ("AUTH PLAIN xyz"). */
static mw_err
auth(struct mw_sasl_server *s, const struct mw_sasl_server_config *cfg,
    const struct mw_sasl_session *sess, const char *line, unsigned char *out,
    size_t cap, struct mw_sasl_reply *rep)
{
	const char *mech = line + 5, *sp = strchr(mech, ' ');
	size_t mlen = sp ? (size_t)(sp - mech) : strlen(mech);

	return mw_sasl_server_auth(s, cfg, sess, B(mech), mlen,
	    sp ? B(sp + 1) : NULL, sp ? strlen(sp + 1) : 0, sp != NULL, out,
	    cap, rep);
}

static int
is(const struct mw_sasl_reply *rep, int code, const char *esc)
{
	if (rep->code != code)
		return 0;
	if (esc == NULL)
		return rep->esc == NULL;
	return rep->esc != NULL && strcmp(rep->esc, esc) == 0;
}

static void
rfc4954_examples(void)
{
	struct mw_sasl_server_config cfg = config();
	struct mw_sasl_server s;
	struct mw_sasl_client c;
	struct mw_sasl_reply rep;
	struct mw_sasl_creds cr;
	unsigned char out[600];
	size_t n;
	mw_err err;

	/* RFC 4954 4 example 1: PLAIN with an initial response */
	memset(&cr, 0, sizeof(cr));
	cr.authzid = "test";
	cr.authcid = "test";
	cr.password = "1234";
	err = mw_sasl_client_start(&c, MW_AUTH_PLAIN, &cr, &crypto);
	CHECK(err == MW_ERR_OK, "PLAIN client starts");
	err = mw_sasl_client_auth_line(&c, out, sizeof(out), &n);
	CHECK(err == MW_ERR_OK && n == 33 &&
	    memcmp(out, "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n", 33) == 0,
	    "RFC 4954 example: the client sends AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=");
	err = auth(&s, &cfg, &tls_session, "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=",
	    out, sizeof(out), &rep);
	CHECK(err == MW_ERR_OK && is(&rep, 235, "2.7.0") && rep.done,
	    "RFC 4954 example: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ= is 235 2.7.0");
	CHECK(mw_sasl_client_finish(&c) == MW_ERR_OK,
	    "PLAIN client: 235 ends the exchange");
	{
		const unsigned char *cid, *zid;
		size_t cn, zn;

		err = mw_sasl_server_identity(&s, &cid, &cn, &zid, &zn);
		CHECK(err == MW_ERR_OK && cn == 4 && memcmp(cid, "test", 4) == 0 &&
		    zn == 4 && memcmp(zid, "test", 4) == 0,
		    "server identity: authcid test, authzid test");
	}

	/* example 2: no initial response, "334 " then the response */
	err = auth(&s, &cfg, &tls_session, "AUTH PLAIN", out, sizeof(out), &rep);
	CHECK(err == MW_ERR_OK && is(&rep, 334, NULL) && rep.len == 0 &&
	    !rep.done, "RFC 4954 example: AUTH PLAIN alone gets an empty 334");
	err = mw_sasl_server_line(&s, B("dGVzdAB0ZXN0ADEyMzQ="), 20, out,
	    sizeof(out), &rep);
	CHECK(err == MW_ERR_OK && is(&rep, 235, "2.7.0"),
	    "RFC 4954 example: the response after 334 is 235 2.7.0");
	err = mw_sasl_server_line(&s, B("dGVzdAB0ZXN0ADEyMzQ="), 20, out,
	    sizeof(out), &rep);
	CHECK(err == MW_ERR_STATE, "no line is taken after the final reply");

	/* the client side of example 2: it answers the empty 334 */
	memset(&cr, 0, sizeof(cr));
	cr.authzid = "test";
	cr.authcid = "test";
	cr.password = "1234";
	mw_sasl_client_start(&c, MW_AUTH_PLAIN, &cr, &crypto);
	err = mw_sasl_client_step(&c, B(""), 0, out, sizeof(out), &n);
	CHECK(err == MW_ERR_OK && n == 14 &&
	    memcmp(out, "test\0test\0" "1234", 14) == 0,
	    "PLAIN client answers an empty challenge with its message");

	/* example 4: EXTERNAL with "=" */
	err = auth(&s, &cfg, &tls_session, "AUTH EXTERNAL =", out, sizeof(out),
	    &rep);
	CHECK(err == MW_ERR_OK && is(&rep, 235, "2.7.0"),
	    "RFC 4954 example: AUTH EXTERNAL = is 235 with a client certificate");
	{
		struct mw_sasl_session nocert = { 1, NULL, 0, 0 };

		err = auth(&s, &cfg, &nocert, "AUTH EXTERNAL =", out,
		    sizeof(out), &rep);
		CHECK(err == MW_ERR_OK && is(&rep, 535, "5.7.8"),
		    "AUTH EXTERNAL without a certificate identity is 535 5.7.8");
	}
	memset(&cr, 0, sizeof(cr));
	mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, &crypto);
	err = mw_sasl_client_auth_line(&c, out, sizeof(out), &n);
	CHECK(err == MW_ERR_OK && n == 17 &&
	    memcmp(out, "AUTH EXTERNAL =\r\n", 17) == 0,
	    "EXTERNAL client: an empty initial response is sent as \"=\"");

	/* example 3: CRAM-MD5 takes no initial response; its challenge */
	err = auth(&s, &cfg, &tls_session, "AUTH CRAM-MD5 dGVzdA==", out,
	    sizeof(out), &rep);
	CHECK(err == MW_ERR_OK && is(&rep, 501, "5.7.0"),
	    "an initial response to CRAM-MD5 is 501 5.7.0 (RFC 4954 4)");
	memset(&cr, 0, sizeof(cr));
	cr.authcid = "rjs3";
	cr.password = "secret";
	mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &crypto);
	err = mw_sasl_client_auth_line(&c, out, sizeof(out), &n);
	CHECK(err == MW_ERR_OK && n == 15 &&
	    memcmp(out, "AUTH CRAM-MD5\r\n", 15) == 0,
	    "CRAM-MD5 client: AUTH CRAM-MD5 without initial response");
	{
		static const char ch[] = "PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNl"
		    "Zm91ci5hbmRyZXcuY211LmVkdT4=";
		unsigned char raw[100];
		size_t rn;
		int ctl;

		err = mw_sasl_client_reply334(&c, B(ch), strlen(ch), out,
		    sizeof(out), &n);
		CHECK(err == MW_ERR_OK && n > 2 && out[n - 2] == '\r' &&
		    out[n - 1] == '\n' &&
		    mw_base64_decode(out, n - 2, raw, sizeof(raw), &rn, &ctl) ==
		    MW_ERR_OK && rn == 5 + 32 && memcmp(raw, "rjs3 ", 5) == 0,
		    "RFC 4954 example: the CRAM-MD5 client answers the challenge "
		    "with \"rjs3 \" and 32 hex digits, in base64");
	}
}

static void
rfc4616_examples(void)
{
	struct mw_sasl_server_config cfg = config();
	struct mw_sasl_server s;
	struct mw_sasl_reply rep;
	unsigned char out[64];
	mw_err err;

	mw_sasl_server_start(&s, &cfg, &tls_session, MW_AUTH_PLAIN, &rep);
	err = mw_sasl_server_step(&s, B("\0tim\0tanstaaftanstaaf"), 21, 1, out,
	    sizeof(out), &rep);
	CHECK(err == MW_ERR_OK && is(&rep, 235, "2.7.0"),
	    "RFC 4616 4 example 1: <NUL>tim<NUL>tanstaaftanstaaf authenticates");
	mw_sasl_server_start(&s, &cfg, &tls_session, MW_AUTH_PLAIN, &rep);
	err = mw_sasl_server_step(&s, B("Ursel\0Kurt\0xipj3plmq"), 20, 1, out,
	    sizeof(out), &rep);
	CHECK(err == MW_ERR_OK && is(&rep, 535, "5.7.8"),
	    "RFC 4616 4 example 2: Kurt may not act as Ursel (535 5.7.8)");
}

static int
allow_all(void *arg, const unsigned char *c, size_t cn, const unsigned char *z,
    size_t zn)
{
	(void)arg, (void)c, (void)cn, (void)z, (void)zn;
	return 1;
}

static enum mw_sasl_lookup fixed_lookup;

static enum mw_sasl_lookup
lookup(void *arg, enum mw_auth_mech mech, const unsigned char *authcid,
    size_t n, struct mw_sasl_secret *out)
{
	(void)arg, (void)mech, (void)authcid, (void)n, (void)out;
	return fixed_lookup;
}

static void
plain_rules(void)
{
	struct mw_sasl_server_config cfg = config();
	struct mw_sasl_server s;
	struct mw_sasl_reply rep;
	unsigned char out[64];
	static const struct {
		const char	*msg;
		size_t		 n;
		int		 code;
		const char	*what;
	} t[] = {
		{ "\0tim\0tanstaaftanstaaf", 21, 235, "right" },
		{ "\0tim\0tanstaaftanstaafx", 22, 535, "wrong password" },
		{ "\0tim\0tanstaaftanstaa", 20, 535, "short password" },
		{ "\0nobody\0tanstaaftanstaaf", 24, 535, "unknown user" },
		{ "tim\0tim\0tanstaaftanstaaf", 24, 235, "authzid = authcid" },
		{ "\0tim\0", 5, 535, "empty password (not 1*SAFE)" },
		{ "\0\0tanstaaftanstaaf", 18, 535, "empty authcid" },
		{ "\0tim", 4, 535, "one NUL only" },
		{ "\0tim\0tanstaaf\0taaf", 19, 535, "a third NUL" },
		{ "\0tim\0tanstaaf\xff", 14, 535, "not UTF-8" },
		{ "\0tim\0tanstaaf\xc0\xaf", 15, 535, "overlong UTF-8" },
		{ "", 0, 535, "empty message" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		mw_sasl_server_start(&s, &cfg, &tls_session, MW_AUTH_PLAIN, &rep);
		mw_sasl_server_step(&s, B(t[i].msg), t[i].n, 1, out, sizeof(out),
		    &rep);
		CHECK(rep.code == t[i].code, "PLAIN server: %s is %d", t[i].what,
		    t[i].code);
	}
	{
		unsigned char big[300 * 2 + 4];

		memset(big, 'a', sizeof(big));
		big[0] = 0;
		big[300] = 0;
		mw_sasl_server_start(&s, &cfg, &tls_session, MW_AUTH_PLAIN, &rep);
		mw_sasl_server_step(&s, big, sizeof(big), 1, out, sizeof(out),
		    &rep);
		CHECK(rep.code == 535, "PLAIN server: a 299-octet authcid is 535 "
		    "(names are bounded at 255)");
	}
	cfg.authorize = allow_all;
	mw_sasl_server_start(&s, &cfg, &tls_session, MW_AUTH_PLAIN, &rep);
	mw_sasl_server_step(&s, B("Ursel\0Kurt\0xipj3plmq"), 20, 1, out,
	    sizeof(out), &rep);
	CHECK(rep.code == 235, "PLAIN server: the authorize callback lets Kurt "
	    "act as Ursel");
	{
		const unsigned char *cid, *zid;
		size_t cn, zn;

		mw_sasl_server_identity(&s, &cid, &cn, &zid, &zn);
		CHECK(cn == 4 && memcmp(cid, "Kurt", 4) == 0 && zn == 5 &&
		    memcmp(zid, "Ursel", 5) == 0,
		    "server identity: authcid Kurt, authzid Ursel");
	}
	/* a user with SCRAM keys only: PLAIN checks against them */
	cfg = config();
	mw_sasl_server_start(&s, &cfg, &tls_session, MW_AUTH_PLAIN, &rep);
	mw_sasl_server_step(&s, B("\0keysonly\0pencil"), 16, 1, out, sizeof(out),
	    &rep);
	CHECK(rep.code == 235, "PLAIN server: a password checked against "
	    "stored SCRAM keys (no password stored)");
	mw_sasl_server_start(&s, &cfg, &tls_session, MW_AUTH_PLAIN, &rep);
	mw_sasl_server_step(&s, B("\0keysonly\0pencils"), 17, 1, out,
	    sizeof(out), &rep);
	CHECK(rep.code == 535, "PLAIN server: a wrong password against stored "
	    "SCRAM keys is 535");
}

static void
wire_rules(void)
{
	struct mw_sasl_server_config cfg = config();
	struct mw_sasl_session plain = { 0, NULL, 0, 0 };
	struct mw_sasl_server s;
	struct mw_sasl_client c;
	struct mw_sasl_creds cr;
	struct mw_sasl_reply rep;
	static unsigned char big[MW_SASL_LINE_MAX + 2];
	unsigned char out[2048];
	size_t n;
	mw_err err;

	auth(&s, &cfg, &tls_session, "AUTH PLAIN", out, sizeof(out), &rep);
	mw_sasl_server_line(&s, B("*"), 1, out, sizeof(out), &rep);
	CHECK(is(&rep, 501, "5.7.0") && rep.done, "\"*\" cancels: 501 5.7.0");

	static const char *const bad[] = {
		"dGVzdAB0ZXN0ADEyMzQ", "dGVzdAB0 ZXN0ADEyMzQ=",
		"dGVzdAB0ZXN0ADEyMzQ==", "dGVz=AB0ZXN0ADEyMzQ=",
		"dGVzdAB0ZXN0ADEyMzR=", "dGVzdAB0ZXN0ADEyMzQ=\r",
		"=", "**", "dGVz\tdAB0",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		auth(&s, &cfg, &tls_session, "AUTH PLAIN", out, sizeof(out),
		    &rep);
		mw_sasl_server_line(&s, B(bad[i]), strlen(bad[i]), out,
		    sizeof(out), &rep);
		CHECK(is(&rep, 501, "5.5.2"), "a response that is not canonical "
		    "base64 (%zu) is 501 5.5.2", i);
	}
	auth(&s, &cfg, &tls_session, "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ", out,
	    sizeof(out), &rep);
	CHECK(is(&rep, 501, "5.5.2"), "an initial response that is not base64 "
	    "is 501 5.5.2");

	memset(big, 'A', sizeof(big));
	auth(&s, &cfg, &tls_session, "AUTH PLAIN", out, sizeof(out), &rep);
	mw_sasl_server_line(&s, big, MW_SASL_LINE_MAX + 1, out, sizeof(out),
	    &rep);
	CHECK(is(&rep, 500, "5.5.6"), "a response line of 12289 octets is "
	    "500 5.5.6");
	auth(&s, &cfg, &tls_session, "AUTH PLAIN", out, sizeof(out), &rep);
	mw_sasl_server_line(&s, NULL, 50000, out, sizeof(out), &rep);
	CHECK(is(&rep, 500, "5.5.6"), "the engine may pass only the length "
	    "of a line too long to keep");
	auth(&s, &cfg, &tls_session, "AUTH PLAIN", out, sizeof(out), &rep);
	mw_sasl_server_line(&s, big, MW_SASL_LINE_MAX, out, sizeof(out), &rep);
	CHECK(is(&rep, 535, "5.7.8"), "a 12288-octet line is read (and is no "
	    "PLAIN message: 535)");

	auth(&s, &cfg, &tls_session, "AUTH FOO", out, sizeof(out), &rep);
	CHECK(is(&rep, 504, "5.5.4"), "an unknown mechanism is 504 5.5.4");
	auth(&s, &cfg, &tls_session, "AUTH plain", out, sizeof(out), &rep);
	CHECK(is(&rep, 504, "5.5.4"), "mechanism names are upper case "
	    "(RFC 4422 3.1): \"plain\" is 504");
	auth(&s, &cfg, &tls_session, "AUTH DIGEST-MD5", out, sizeof(out), &rep);
	CHECK(is(&rep, 504, "5.5.4"), "a mechanism this server does not offer "
	    "is 504");
	cfg.mechs &= ~MW_AUTH_BIT(MW_AUTH_LOGIN);
	auth(&s, &cfg, &tls_session, "AUTH LOGIN", out, sizeof(out), &rep);
	CHECK(is(&rep, 504, "5.5.4"), "a mechanism switched off is 504");
	cfg = config();
	cfg.need_tls = MW_SASL_PLAINTEXT_MECHS;
	auth(&s, &cfg, &plain, "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=", out,
	    sizeof(out), &rep);
	CHECK(is(&rep, 538, "5.7.11"), "PLAIN without TLS when it needs TLS is "
	    "538 5.7.11");
	auth(&s, &cfg, &tls_session, "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=", out,
	    sizeof(out), &rep);
	CHECK(is(&rep, 235, "2.7.0"), "the same under TLS is 235");

	cfg = config();
	cfg.lookup = lookup;
	{
		static const struct {
			enum mw_sasl_lookup l;
			int code;
			const char *esc;
		} t[] = {
			{ MW_SASL_NO_USER, 535, "5.7.8" },
			{ MW_SASL_TEMPFAIL, 454, "4.7.0" },
			{ MW_SASL_TOO_WEAK, 534, "5.7.9" },
			{ MW_SASL_TRANSITION, 432, "4.7.12" },
		};
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			fixed_lookup = t[i].l;
			auth(&s, &cfg, &tls_session,
			    "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=", out, sizeof(out),
			    &rep);
			CHECK(is(&rep, t[i].code, t[i].esc), "a lookup saying %d is "
			    "%d %s", (int)t[i].l, t[i].code, t[i].esc);
		}
	}

	/* client: a challenge that is not base64 is cancelled with "*" */
	memset(&cr, 0, sizeof(cr));
	cr.authcid = "tim";
	cr.password = "tanstaaftanstaaf";
	mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &crypto);
	mw_sasl_client_auth_line(&c, out, sizeof(out), &n);
	err = mw_sasl_client_reply334(&c, B("PDE4OTYu!"), 9, out, sizeof(out),
	    &n);
	CHECK(err == MW_ERR_SYNTAX && n == 3 && memcmp(out, "*\r\n", 3) == 0,
	    "client: a challenge that is not base64 is answered \"*\" "
	    "(RFC 4954 4)");
	CHECK(mw_sasl_client_finish(&c) == MW_ERR_AUTH,
	    "client: a cancelled exchange never finishes well");

	/* client: an initial response that would pass 512 octets waits */
	{
		static char pw[256];

		memset(pw, 'p', 255);
		memset(&cr, 0, sizeof(cr));
		cr.authcid = pw + 5;
		cr.authzid = pw + 50;
		cr.password = pw;
		mw_sasl_client_start(&c, MW_AUTH_PLAIN, &cr, &crypto);
		err = mw_sasl_client_auth_line(&c, out, sizeof(out), &n);
		CHECK(err == MW_ERR_OK && n == 12 &&
		    memcmp(out, "AUTH PLAIN\r\n", 12) == 0,
		    "client: an initial response that would make AUTH longer "
		    "than 512 octets is left out (RFC 4954 4)");
		err = mw_sasl_client_reply334(&c, B(""), 0, out, sizeof(out), &n);
		CHECK(err == MW_ERR_OK && n == MW_BASE64_ENCODED_LEN(205 + 1 +
		    250 + 1 + 255) + 2, "client: ...and sent after the "
		    "empty 334");
		CHECK(mw_sasl_client_finish(&c) == MW_ERR_OK,
		    "client: then 235 finishes the exchange");
	}
}

/* RFC 7628 3.2.3: the error challenge is answered with %x01; a 235 after
 * it must not count as success. */
static void
oauth_error(void)
{
	static const char json[] = "{\"status\":\"invalid_token\"}";
	struct mw_sasl_client c;
	struct mw_sasl_creds cr;
	unsigned char b64[128], out[4096];
	size_t n, bn;
	mw_err err;

	memset(&cr, 0, sizeof(cr));
	cr.authzid = "user@example.com";
	cr.token = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";
	cr.host = "server.example.com";
	cr.port = 587;
	mw_sasl_client_start(&c, MW_AUTH_OAUTHBEARER, &cr, &crypto);
	mw_sasl_client_auth_line(&c, out, sizeof(out), &n);
	CHECK(mw_sasl_client_finish(&c) == MW_ERR_OK, "OAUTHBEARER: complete "
	    "once its initial response is sent");
	mw_base64_encode(B(json), strlen(json), b64, sizeof(b64), &bn);
	err = mw_sasl_client_reply334(&c, b64, bn, out, sizeof(out), &n);
	CHECK(err == MW_ERR_AUTH && n == 6 && memcmp(out, "AQ==\r\n", 6) == 0 &&
	    strcmp(mw_sasl_client_oauth_status(&c), "invalid_token") == 0,
	    "OAUTHBEARER: the error challenge is answered with %%x01 and its "
	    "status is kept");
	CHECK(mw_sasl_client_finish(&c) == MW_ERR_AUTH, "OAUTHBEARER: a 235 "
	    "after an error challenge is not success");
}

/* RFC 4954 5: the AUTH= parameter of MAIL is xtext, both ways. */
static void
auth_param(void)
{
	unsigned char enc[64], dec[64];
	size_t n, m;
	int ctl;

	CHECK(mw_xtext_encode(B("<>"), 2, enc, sizeof(enc), &n) == MW_ERR_OK &&
	    n == 2 && memcmp(enc, "<>", 2) == 0, "AUTH=<> stays <>");
	CHECK(mw_xtext_encode(B("e=mc2@example.com"), 17, enc, sizeof(enc), &n) ==
	    MW_ERR_OK && n == 19 && memcmp(enc, "e+3Dmc2@example.com", 19) == 0,
	    "RFC 4954 5 example: e=mc2@example.com is e+3Dmc2@example.com");
	CHECK(mw_xtext_decode(enc, n, dec, sizeof(dec), &m, &ctl) == MW_ERR_OK &&
	    m == 17 && memcmp(dec, "e=mc2@example.com", 17) == 0 && !ctl,
	    "...and decodes back");
}

static void
choose(void)
{
	uint32_t all = MW_SASL_CLIENT_MECHS;

	CHECK(mw_sasl_choose(all, all) == MW_AUTH_EXTERNAL,
	    "choose: EXTERNAL first when allowed");
	CHECK(mw_sasl_choose(all, all & ~MW_AUTH_BIT(MW_AUTH_EXTERNAL)) ==
	    MW_AUTH_SCRAM_SHA_256, "choose: then SCRAM-SHA-256");
	CHECK(mw_sasl_choose(MW_AUTH_BIT(MW_AUTH_PLAIN) |
	    MW_AUTH_BIT(MW_AUTH_LOGIN) | MW_AUTH_BIT(MW_AUTH_CRAM_MD5), all) ==
	    MW_AUTH_CRAM_MD5, "choose: CRAM-MD5 over PLAIN and LOGIN");
	CHECK(mw_sasl_choose(MW_AUTH_BIT(MW_AUTH_PLAIN) |
	    MW_AUTH_BIT(MW_AUTH_LOGIN), all) == MW_AUTH_PLAIN,
	    "choose: PLAIN over LOGIN");
	CHECK(mw_sasl_choose(MW_AUTH_BIT(MW_AUTH_GSSAPI), all) == MW_AUTH_OTHER,
	    "choose: nothing in common is MW_AUTH_OTHER");
	CHECK(mw_sasl_choose(all, MW_AUTH_BIT(MW_AUTH_LOGIN)) == MW_AUTH_LOGIN,
	    "choose: the caller's set limits the choice");
}

/* A whole exchange at the wire level; returns the final code. */
static int
exchange(enum mw_auth_mech mech, const struct mw_sasl_creds *cr,
    const struct mw_sasl_server_config *cfg, int *client_ok)
{
	struct mw_sasl_client c;
	struct mw_sasl_server s;
	struct mw_sasl_reply rep;
	unsigned char line[4096], ch[4096];
	size_t n;
	const char *sp;
	int rounds = 0;

	*client_ok = 0;
	if (mw_sasl_client_start(&c, mech, cr, &crypto) != MW_ERR_OK ||
	    mw_sasl_client_auth_line(&c, line, sizeof(line), &n) != MW_ERR_OK)
		return -1;
	line[n - 2] = 0;
	sp = strchr((char *)line + 5, ' ');
	if (auth(&s, cfg, &tls_session, (char *)line, ch, sizeof(ch), &rep) !=
	    MW_ERR_OK)
		return -2;
	(void)sp;
	while (rep.code == 334 && rounds++ < 10) {
		mw_err err = mw_sasl_client_reply334(&c, ch, rep.len, line,
		    sizeof(line), &n);

		if (err != MW_ERR_OK && !(n == 3 && line[0] == '*'))
			return -3;
		if (mw_sasl_server_line(&s, line, n - 2, ch, sizeof(ch), &rep) !=
		    MW_ERR_OK)
			return -4;
	}
	*client_ok = rep.code == 235 && mw_sasl_client_finish(&c) == MW_ERR_OK;
	return rep.code;
}

static void
in_memory(void)
{
	struct mw_sasl_server_config cfg = config();
	static const enum mw_auth_mech mechs[] = {
		MW_AUTH_PLAIN, MW_AUTH_LOGIN, MW_AUTH_CRAM_MD5,
		MW_AUTH_SCRAM_SHA_1, MW_AUTH_SCRAM_SHA_256,
	};
	struct mw_sasl_creds cr;
	int ok, code;

	for (size_t i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
		const char *name = mw_auth_mech_name(mechs[i]);

		memset(&cr, 0, sizeof(cr));
		cr.authcid = "user";
		cr.password = "pencil";
		code = exchange(mechs[i], &cr, &cfg, &ok);
		CHECK(code == 235 && ok, "%s client against %s server: right "
		    "password is 235, and the client is satisfied", name, name);
		cr.password = "pencils";
		code = exchange(mechs[i], &cr, &cfg, &ok);
		CHECK(code == 535 && !ok, "%s client against %s server: wrong "
		    "password is 535", name, name);
		cr.password = "pencil";
		cr.authcid = "nobody";
		code = exchange(mechs[i], &cr, &cfg, &ok);
		CHECK(code == 535 && !ok, "%s: unknown user is 535", name);
		cr.authcid = "user";
		cr.authzid = "root";
		code = exchange(mechs[i], &cr, &cfg, &ok);
		CHECK(mechs[i] == MW_AUTH_LOGIN || mechs[i] == MW_AUTH_CRAM_MD5 ?
		    code == 235 : code == 535, "%s: an authzid the server does "
		    "not allow is refused (LOGIN and CRAM-MD5 cannot carry one)",
		    name);
	}
	/* SCRAM with keys only: the server never needs the password */
	memset(&cr, 0, sizeof(cr));
	cr.authcid = "keysonly";
	cr.password = "pencil";
	code = exchange(MW_AUTH_SCRAM_SHA_256, &cr, &cfg, &ok);
	CHECK(code == 235 && ok, "SCRAM-SHA-256 against stored keys only");
	code = exchange(MW_AUTH_CRAM_MD5, &cr, &cfg, &ok);
	CHECK(code == 535, "CRAM-MD5 needs a stored password: 535 without one");
	/* EXTERNAL: the identity comes from the session */
	memset(&cr, 0, sizeof(cr));
	code = exchange(MW_AUTH_EXTERNAL, &cr, &cfg, &ok);
	CHECK(code == 235 && ok, "EXTERNAL client against EXTERNAL server");
	cr.authzid = "someone-else";
	code = exchange(MW_AUTH_EXTERNAL, &cr, &cfg, &ok);
	CHECK(code == 535 && !ok, "EXTERNAL: another authzid is refused");
}

int
main(void)
{
	mw_crypto_openssl(&crypto);
	if (mw_sasl_scram_keys(&crypto, MW_HASH_SHA1, "pencil",
	    B("\x41\x25\xc2\x47\xe4\x3a\xb1\xe9\x3c\x6d\xff\x76"), 12, 4096,
	    &k1) != MW_ERR_OK ||
	    mw_sasl_scram_keys(&crypto, MW_HASH_SHA256, "pencil",
	    B("[m\x99h\x9d\x12\xce" "4\x9b\xd6\x03" "d"), 12, 4096,
	    &k256) != MW_ERR_OK) {
		printf("not ok - deriving the SCRAM keys\n");
		return 1;
	}
	rfc4954_examples();
	rfc4616_examples();
	plain_rules();
	wire_rules();
	auth_param();
	oauth_error();
	choose();
	in_memory();
	return check_done();
}
