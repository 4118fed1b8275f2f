/*
 * tests/test_sasl_cram.c: CRAM-MD5 (RFC 2195) through the public API:
 * RFC 2195's example both ways (mechanism and wire level), the server's
 * challenge form, client against server in memory, wrong passwords (no
 * one-digit change of the digest is accepted), malformed responses, an
 * initial response (RFC 4954 4), lookups that fail, crypto that fails.
 */
#include <stdint.h>
#include <string.h>

#include <mailwire/base64.h>
#include <mailwire/crypto_openssl.h>
#include <mailwire/sasl.h>

#include "check.h"
#include "../src/sasl_int.h"

/* RFC 2195 2 */
static const char rfc_challenge[] = "<1896.697170952@postoffice.reston.mci.net>";
static const char rfc_response[] = "tim b913a602c7eda7a495b4e6e7334d3890";
static const char rfc_challenge64[] =
    "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
static const char rfc_response64[] =
    "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw";

static struct mw_crypto ossl;

/* s with control octets as \xNN, for check names */
static const char *
shown(const char *s)
{
	static char buf[128];
	size_t k = 0;

	for (; *s && k + 5 < sizeof(buf); s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f)
			buf[k++] = (char)c;
		else
			k += (size_t)snprintf(buf + k, sizeof(buf) - k,
			    "\\x%02x", c);
	}
	buf[k] = '\0';
	return buf;
}

/* The OpenSSL provider, but random octets are all `fill` and a failure
 * can be switched on. */
struct fake {
	unsigned char	fill;
	int		fail_hmac, fail_random;
};

static int
f_hash(void *ctx, enum mw_hash h, const struct mw_iov *iov, size_t niov,
    unsigned char *out)
{
	(void)ctx;
	return ossl.hash(ossl.ctx, h, iov, niov, out);
}

static int
f_hmac(void *ctx, enum mw_hash h, const unsigned char *key, size_t keylen,
    const struct mw_iov *iov, size_t niov, unsigned char *out)
{
	if (((struct fake *)ctx)->fail_hmac)
		return -1;
	return ossl.hmac(ossl.ctx, h, key, keylen, iov, niov, out);
}

static int
f_random(void *ctx, unsigned char *out, size_t n)
{
	struct fake *f = ctx;

	if (f->fail_random)
		return -1;
	memset(out, f->fill, n);
	return 0;
}

static struct fake fk;
static const struct mw_crypto fake = { &fk, f_hash, f_hmac, NULL, f_random };

static const struct mw_sasl_user users[] = {
	{ "tim", { (const unsigned char *)"tanstaaftanstaaf", 16, NULL,
	    NULL } },
	{ "nopass", { NULL, 0, NULL, NULL } },
	{ "sp ace", { (const unsigned char *)"pw", 2, NULL, NULL } },
};

static struct mw_sasl_server_config cfg;
static struct mw_sasl_session sess;

static void
reset_cfg(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.crypto = &ossl;
	cfg.mechs = MW_SASL_SERVER_MECHS;
	cfg.hostname = "postoffice.reston.mci.net";
	cfg.users = users;
	cfg.nusers = sizeof(users) / sizeof(users[0]);
	memset(&sess, 0, sizeof(sess));
	sess.now = 697170952;
}

static enum mw_sasl_lookup lookup_answer;

static enum mw_sasl_lookup
lookup(void *arg, enum mw_auth_mech mech, const unsigned char *authcid,
    size_t n, struct mw_sasl_secret *out)
{
	(void)arg, (void)mech, (void)authcid, (void)n, (void)out;
	return lookup_answer;
}

/* Starts a server exchange and takes its first challenge (raw). */
static int
server_challenge(struct mw_sasl_server *s, unsigned char *ch, size_t cap,
    size_t *len)
{
	struct mw_sasl_reply rep;

	if (mw_sasl_server_start(s, &cfg, &sess, MW_AUTH_CRAM_MD5, &rep) !=
	    MW_ERR_OK || rep.code != 0)
		return -1;
	if (mw_sasl_server_step(s, NULL, 0, 0, ch, cap, &rep) != MW_ERR_OK ||
	    rep.code != 334 || rep.done)
		return -1;
	*len = rep.len;
	return 0;
}

/* The reply code to response r[0..n) after a fresh challenge (which
 * is replaced by RFC 2195's if rfc). */
static int
answer(const char *r, size_t n, int rfc, struct mw_sasl_reply *rep)
{
	struct mw_sasl_server s;
	unsigned char ch[256];
	size_t len;
	struct mw_sasl_reply r0;

	if (rep == NULL)
		rep = &r0;
	if (server_challenge(&s, ch, sizeof(ch), &len) != 0)
		return -1;
	if (rfc) {
		struct mw__server *x = mw__server(&s);

		memcpy(x->m.cram.challenge, rfc_challenge,
		    sizeof(rfc_challenge) - 1);
		x->m.cram.len = sizeof(rfc_challenge) - 1;
	}
	if (mw_sasl_server_step(&s, (const unsigned char *)r, n, 1, ch,
	    sizeof(ch), rep) != MW_ERR_OK)
		return -1;
	return rep->code;
}

static void
client_rfc(void)
{
	struct mw_sasl_creds cr = { "tim", NULL, "tanstaaftanstaaf", NULL,
	    NULL, 0, NULL, NULL };
	struct mw_sasl_client c;
	unsigned char out[128];
	size_t len;
	int has = -1;

	CHECK(mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &ossl) ==
	    MW_ERR_OK, "client: start");
	CHECK(mw_sasl_client_initial(&c, out, sizeof(out), &len, &has) ==
	    MW_ERR_OK && has == 0, "client: no initial response (RFC 2195 2)");
	CHECK(mw_sasl_client_step(&c, (const unsigned char *)rfc_challenge,
	    strlen(rfc_challenge), out, sizeof(out), &len) == MW_ERR_OK &&
	    len == strlen(rfc_response) && memcmp(out, rfc_response, len) == 0,
	    "client: RFC 2195 example: \"%s\"", rfc_response);
	CHECK(mw_sasl_client_step(&c, (const unsigned char *)rfc_challenge,
	    strlen(rfc_challenge), out, sizeof(out), &len) == MW_ERR_AUTH,
	    "client: a second challenge is refused");
	CHECK(mw_sasl_client_finish(&c) == MW_ERR_OK, "client: finish");

	/* wire level: RFC 2195 2's base64 lines */
	CHECK(mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &ossl) ==
	    MW_ERR_OK && mw_sasl_client_auth_line(&c, out, sizeof(out),
	    &len) == MW_ERR_OK && len == 15 &&
	    memcmp(out, "AUTH CRAM-MD5\r\n", 15) == 0,
	    "client: AUTH CRAM-MD5 without initial response");
	CHECK(mw_sasl_client_reply334(&c,
	    (const unsigned char *)rfc_challenge64, strlen(rfc_challenge64),
	    out, sizeof(out), &len) == MW_ERR_OK &&
	    len == strlen(rfc_response64) + 2 &&
	    memcmp(out, rfc_response64, len - 2) == 0 &&
	    memcmp(out + len - 2, "\r\n", 2) == 0,
	    "client: RFC 2195 example in base64");

	/* errors */
	CHECK(mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &ossl) ==
	    MW_ERR_OK && mw_sasl_client_step(&c, NULL, 0, out, sizeof(out),
	    &len) == MW_ERR_AUTH, "client: an empty challenge is refused");
	CHECK(mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &ossl) ==
	    MW_ERR_OK && mw_sasl_client_step(&c,
	    (const unsigned char *)rfc_challenge, strlen(rfc_challenge), out,
	    strlen(rfc_response) - 1, &len) == MW_ERR_NOSPACE &&
	    mw_sasl_client_step(&c, (const unsigned char *)rfc_challenge,
	    strlen(rfc_challenge), out, strlen(rfc_response), &len) ==
	    MW_ERR_OK && len == strlen(rfc_response),
	    "client: NOSPACE one octet short, then the exact room works");
	cr.password = NULL;
	CHECK(mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &ossl) ==
	    MW_ERR_INVAL, "client: no password is INVAL");
	cr.password = "";
	CHECK(mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &ossl) ==
	    MW_ERR_INVAL, "client: an empty password is INVAL");
	cr.password = "tanstaaftanstaaf";
	cr.authcid = NULL;
	CHECK(mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &ossl) ==
	    MW_ERR_INVAL, "client: no user name is INVAL");
	cr.authcid = "tim";
	CHECK(mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, NULL) ==
	    MW_ERR_INVAL, "client: no crypto provider is INVAL");
	fk.fail_hmac = 1;
	CHECK(mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &fake) ==
	    MW_ERR_OK && mw_sasl_client_step(&c,
	    (const unsigned char *)rfc_challenge, strlen(rfc_challenge), out,
	    sizeof(out), &len) == MW_ERR_CRYPTO,
	    "client: a failing HMAC is MW_ERR_CRYPTO");
	fk.fail_hmac = 0;
}

static void
server_rfc(void)
{
	struct mw_sasl_reply rep;
	struct mw_sasl_server s;
	const unsigned char *cid, *zid;
	unsigned char ch[256];
	size_t cn, zn, len;

	reset_cfg();
	CHECK(answer(rfc_response, strlen(rfc_response), 1, &rep) == 235 &&
	    strcmp(rep.esc, "2.7.0") == 0 && rep.done,
	    "server: RFC 2195 example accepted, 235 2.7.0");
	CHECK(answer("tim b913a602c7eda7a495b4e6e7334d3891", 36, 1, &rep) ==
	    535 && strcmp(rep.esc, "5.7.8") == 0,
	    "server: one digit off is 535 5.7.8");

	/* identity after success */
	server_challenge(&s, ch, sizeof(ch), &len);
	memcpy(mw__server(&s)->m.cram.challenge, rfc_challenge,
	    sizeof(rfc_challenge) - 1);
	mw__server(&s)->m.cram.len = sizeof(rfc_challenge) - 1;
	CHECK(mw_sasl_server_identity(&s, &cid, &cn, &zid, &zn) ==
	    MW_ERR_STATE, "server: no identity before the end");
	mw_sasl_server_step(&s, (const unsigned char *)rfc_response,
	    strlen(rfc_response), 1, ch, sizeof(ch), &rep);
	CHECK(rep.code == 235 && mw_sasl_server_identity(&s, &cid, &cn, &zid,
	    &zn) == MW_ERR_OK && cn == 3 && memcmp(cid, "tim", 3) == 0 &&
	    zn == 3 && memcmp(zid, "tim", 3) == 0,
	    "server: identity tim, acting as tim");
}

static void
server_challenges(void)
{
	struct mw_sasl_server s;
	unsigned char ch[512];
	char host[300];
	size_t len;
	struct mw_sasl_reply rep;

	reset_cfg();
	cfg.crypto = &fake;
	fk.fill = 0;
	CHECK(server_challenge(&s, ch, sizeof(ch), &len) == 0 &&
	    len == strlen("<AAAAAAAAAAAAAAAAAAAAAAAA.697170952@"
	    "postoffice.reston.mci.net>") && memcmp(ch,
	    "<AAAAAAAAAAAAAAAAAAAAAAAA.697170952@postoffice.reston.mci.net>",
	    len) == 0, "server: challenge <NONCE.NOW@hostname> (RFC 2195 2)");
	CHECK(mw__server(&s)->m.cram.len == len &&
	    memcmp(mw__server(&s)->m.cram.challenge, ch, len) == 0,
	    "server: the challenge is kept");
	fk.fill = 63;
	cfg.hostname = NULL;
	sess.now = 0;
	CHECK(server_challenge(&s, ch, sizeof(ch), &len) == 0 &&
	    len == strlen("<////////////////////////.0@localhost>") &&
	    memcmp(ch, "<////////////////////////.0@localhost>", len) == 0,
	    "server: no hostname is localhost; time 0");
	cfg.hostname = "";
	sess.now = UINT64_MAX;
	CHECK(server_challenge(&s, ch, sizeof(ch), &len) == 0 &&
	    len == strlen("<////////////////////////.18446744073709551615@"
	    "localhost>") && memcmp(ch, "<////////////////////////."
	    "18446744073709551615@localhost>", len) == 0,
	    "server: empty hostname is localhost; time 2^64-1");

	/* the challenge buffer bounds the hostname */
	memset(host, 'h', sizeof(host));
	host[80] = '\0';
	cfg.hostname = host;
	CHECK(server_challenge(&s, ch, sizeof(ch), &len) == 0 &&
	    len == 1 + 24 + 1 + 20 + 1 + 80 + 1,
	    "server: an 80-octet hostname fits");
	host[80] = 'h';
	host[sizeof(host) - 1] = '\0';
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_CRAM_MD5, &rep) ==
	    MW_ERR_OK && mw_sasl_server_step(&s, NULL, 0, 0, ch, sizeof(ch),
	    &rep) == MW_ERR_INVAL,
	    "server: a 299-octet hostname is a configuration error (INVAL)");
	cfg.hostname = "example.org";
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_CRAM_MD5, &rep) ==
	    MW_ERR_OK && mw_sasl_server_step(&s, NULL, 0, 0, ch, 10, &rep) ==
	    MW_ERR_NOSPACE && mw_sasl_server_step(&s, NULL, 0, 0, ch,
	    sizeof(ch), &rep) == MW_ERR_OK && rep.code == 334,
	    "server: NOSPACE for the challenge, then it goes on");

	/* two challenges differ with a real random source */
	{
		unsigned char c2[512];
		size_t l2;

		cfg.crypto = &ossl;
		sess.now = 1;
		CHECK(server_challenge(&s, ch, sizeof(ch), &len) == 0 &&
		    server_challenge(&s, c2, sizeof(c2), &l2) == 0 &&
		    len == l2 && memcmp(ch, c2, len) != 0,
		    "server: two challenges differ");
	}
	fk.fail_random = 1;
	cfg.crypto = &fake;
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_CRAM_MD5, &rep) ==
	    MW_ERR_OK && mw_sasl_server_step(&s, NULL, 0, 0, ch, sizeof(ch),
	    &rep) == MW_ERR_OK && rep.code == 454 &&
	    strcmp(rep.esc, "4.7.0") == 0,
	    "server: no random octets is 454 4.7.0");
	fk.fail_random = 0;
	fk.fail_hmac = 1;
	CHECK(answer(rfc_response, strlen(rfc_response), 1, &rep) == 454,
	    "server: a failing HMAC is 454");
	fk.fail_hmac = 0;
}

static void
server_refusals(void)
{
	static const char *const bad[] = {
		"", "tim", "tim ", "timb913a602c7eda7a495b4e6e7334d3890",
		"tim b913a602c7eda7a495b4e6e7334d389",
		"tim b913a602c7eda7a495b4e6e7334d38900",
		"tim B913A602C7EDA7A495B4E6E7334D3890",
		"tim b913a602c7eda7a495b4e6e7334d389G",
		"tim b913a602c7eda7a495b4e6e7334d389 ",
		"tim  b913a602c7eda7a495b4e6e7334d3890",
		" b913a602c7eda7a495b4e6e7334d3890",
		"b913a602c7eda7a495b4e6e7334d3890",
		"tim\tb913a602c7eda7a495b4e6e7334d3890",
		"tim b913a602c7eda7a495b4e6e7334d3890\r\n",
		"tom b913a602c7eda7a495b4e6e7334d3890",
		"nopass b913a602c7eda7a495b4e6e7334d3890",
	};
	static const char hexd[] = "0123456789abcdef";
	struct mw_sasl_reply rep;
	struct mw_sasl_server s;
	unsigned char ch[256], out[512];
	char r[64], longname[300];
	size_t i, k, len;
	int wrong = 0;

	reset_cfg();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(answer(bad[i], strlen(bad[i]), 1, &rep) == 535 &&
		    strcmp(rep.esc, "5.7.8") == 0 && rep.done,
		    "server: \"%s\" is 535 5.7.8", shown(bad[i]));
	CHECK(answer("tim\0b913a602c7eda7a495b4e6e7334d3890", 36, 1, NULL) ==
	    535, "server: NUL for the space is 535");

	/* every digest with one digit changed to each other hex digit */
	for (i = 0; i < 32; i++) {
		for (k = 0; k < 16; k++) {
			memcpy(r, rfc_response, sizeof(rfc_response));
			if (r[4 + i] == hexd[k])
				continue;
			r[4 + i] = hexd[k];
			if (answer(r, strlen(r), 1, NULL) != 535)
				wrong++;
		}
	}
	CHECK(wrong == 0, "server: none of the 480 one-digit changes of the "
	    "digest is accepted (%d were)", wrong);

	/* wrong password: the client's digest for another password */
	{
		struct mw_sasl_creds cr = { "tim", NULL, "tanstaaftanstaag",
		    NULL, NULL, 0, NULL, NULL };
		struct mw_sasl_client c;

		mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &ossl);
		mw_sasl_client_step(&c, (const unsigned char *)rfc_challenge,
		    strlen(rfc_challenge), out, sizeof(out), &len);
		CHECK(answer((const char *)out, len, 1, NULL) == 535,
		    "server: the wrong password is 535");
	}

	/* a name longer than MW_SASL_NAME_MAX */
	memset(longname, 'a', 256);
	memcpy(longname + 256, rfc_response + 3, 34);
	CHECK(answer(longname, 290, 1, NULL) == 535,
	    "server: a 256-octet user name is 535");

	/* RFC 4954 4: an initial response to CRAM-MD5 is 501 5.7.0 */
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_CRAM_MD5, &rep) ==
	    MW_ERR_OK && mw_sasl_server_step(&s, (const unsigned char *)"tim",
	    3, 1, ch, sizeof(ch), &rep) == MW_ERR_OK && rep.code == 501 &&
	    strcmp(rep.esc, "5.7.0") == 0 && rep.done,
	    "server: an initial response is 501 5.7.0");
	CHECK(mw_sasl_server_auth(&s, &cfg, &sess,
	    (const unsigned char *)"CRAM-MD5", 8, (const unsigned char *)"=", 1,
	    1, out, sizeof(out), &rep) == MW_ERR_OK && rep.code == 501 &&
	    strcmp(rep.esc, "5.7.0") == 0,
	    "server: AUTH CRAM-MD5 = (empty initial response) is 501 5.7.0");

	/* lookups: no user, temporary failure, too weak, transition */
	cfg.lookup = lookup;
	lookup_answer = MW_SASL_NO_USER;
	CHECK(answer(rfc_response, strlen(rfc_response), 1, &rep) == 535,
	    "server: lookup NO_USER is 535");
	lookup_answer = MW_SASL_TEMPFAIL;
	CHECK(answer(rfc_response, strlen(rfc_response), 1, &rep) == 454 &&
	    strcmp(rep.esc, "4.7.0") == 0, "server: lookup TEMPFAIL is 454");
	lookup_answer = MW_SASL_TOO_WEAK;
	CHECK(answer(rfc_response, strlen(rfc_response), 1, &rep) == 534 &&
	    strcmp(rep.esc, "5.7.9") == 0, "server: lookup TOO_WEAK is 534");
	lookup_answer = MW_SASL_TRANSITION;
	CHECK(answer(rfc_response, strlen(rfc_response), 1, &rep) == 432 &&
	    strcmp(rep.esc, "4.7.12") == 0,
	    "server: lookup TRANSITION is 432");
	/* FOUND with no password: CRAM-MD5 needs the password itself */
	lookup_answer = MW_SASL_FOUND;
	CHECK(answer(rfc_response, strlen(rfc_response), 1, &rep) == 535,
	    "server: a user without a stored password is 535");
	cfg.lookup = NULL;

	/* not offered, TLS needed */
	cfg.mechs = MW_AUTH_BIT(MW_AUTH_PLAIN);
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_CRAM_MD5, &rep) ==
	    MW_ERR_OK && rep.code == 504, "server: not offered is 504");
	cfg.mechs = MW_SASL_SERVER_MECHS;
	cfg.need_tls = MW_AUTH_BIT(MW_AUTH_CRAM_MD5);
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_CRAM_MD5, &rep) ==
	    MW_ERR_OK && rep.code == 538, "server: TLS needed is 538");
	cfg.need_tls = 0;
}

/* Client against server, mechanism level and wire level. */
static void
in_memory(void)
{
	struct mw_sasl_creds cr = { "tim", NULL, "tanstaaftanstaaf", NULL,
	    NULL, 0, NULL, NULL };
	struct mw_sasl_client c;
	struct mw_sasl_server s;
	struct mw_sasl_reply rep;
	unsigned char ch[512], out[512], line[512];
	const unsigned char *cid, *zid;
	size_t len, olen, llen = 0, cn, zn;

	reset_cfg();
	CHECK(server_challenge(&s, ch, sizeof(ch), &len) == 0 &&
	    mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &ossl) ==
	    MW_ERR_OK && mw_sasl_client_step(&c, ch, len, out, sizeof(out),
	    &olen) == MW_ERR_OK && mw_sasl_server_step(&s, out, olen, 1, ch,
	    sizeof(ch), &rep) == MW_ERR_OK && rep.code == 235,
	    "in memory: client and server agree (mechanism level)");

	/* a user name with a space: the digest follows the last space */
	cr.authcid = "sp ace";
	cr.password = "pw";
	CHECK(server_challenge(&s, ch, sizeof(ch), &len) == 0 &&
	    mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &ossl) ==
	    MW_ERR_OK && mw_sasl_client_step(&c, ch, len, out, sizeof(out),
	    &olen) == MW_ERR_OK && mw_sasl_server_step(&s, out, olen, 1, ch,
	    sizeof(ch), &rep) == MW_ERR_OK && rep.code == 235 &&
	    mw_sasl_server_identity(&s, &cid, &cn, &zid, &zn) == MW_ERR_OK &&
	    cn == 6 && memcmp(cid, "sp ace", 6) == 0,
	    "in memory: a user name with a space");

	/* wire level: AUTH CRAM-MD5, 334 <b64>, <b64>, 235 */
	cr.authcid = "tim";
	cr.password = "tanstaaftanstaaf";
	CHECK(mw_sasl_client_start(&c, MW_AUTH_CRAM_MD5, &cr, &ossl) ==
	    MW_ERR_OK && mw_sasl_client_auth_line(&c, line, sizeof(line),
	    &llen) == MW_ERR_OK, "wire: AUTH line");
	CHECK(mw_sasl_server_auth(&s, &cfg, &sess, line + 5, llen - 7, NULL,
	    0, 0, out, sizeof(out), &rep) == MW_ERR_OK && rep.code == 334 &&
	    !rep.done, "wire: server answers 334");
	CHECK(mw_sasl_client_reply334(&c, out, rep.len, line, sizeof(line),
	    &llen) == MW_ERR_OK && llen > 2, "wire: client answers");
	CHECK(mw_sasl_server_line(&s, line, llen - 2, out, sizeof(out),
	    &rep) == MW_ERR_OK && rep.code == 235 && rep.done,
	    "wire: server says 235");
	CHECK(mw_sasl_client_finish(&c) == MW_ERR_OK, "wire: client finishes");

	/* wire level: "*" cancels */
	CHECK(mw_sasl_server_auth(&s, &cfg, &sess,
	    (const unsigned char *)"CRAM-MD5", 8, NULL, 0, 0, out, sizeof(out),
	    &rep) == MW_ERR_OK && rep.code == 334 &&
	    mw_sasl_server_line(&s, (const unsigned char *)"*", 1, out,
	    sizeof(out), &rep) == MW_ERR_OK && rep.code == 501,
	    "wire: * cancels with 501");
	/* wire level: the RFC response to a fresh challenge fails */
	CHECK(mw_sasl_server_auth(&s, &cfg, &sess,
	    (const unsigned char *)"CRAM-MD5", 8, NULL, 0, 0, out, sizeof(out),
	    &rep) == MW_ERR_OK && rep.code == 334 &&
	    mw_sasl_server_line(&s, (const unsigned char *)rfc_response64,
	    strlen(rfc_response64), out, sizeof(out), &rep) == MW_ERR_OK &&
	    rep.code == 535, "wire: a replayed response is 535");
}

int
main(void)
{
	mw_crypto_openssl(&ossl);
	reset_cfg();
	client_rfc();
	server_rfc();
	server_challenges();
	server_refusals();
	in_memory();
	return check_done();
}
