/*
 * tests/test_sasl_external.c: EXTERNAL (RFC 4422 appendix A) through the
 * public API: the client's initial response with and without an authzid,
 * the server with and without external credentials, authorization of an
 * authzid, the UTF-8-without-NUL syntax of RFC 4422 A.1 (every 1- and
 * 2-octet string, and the 3- and 4-octet boundaries), client against
 * server in memory.
 */
#include <string.h>

#include <mailwire/sasl.h>

#include "check.h"

static const unsigned char cert_id[] = "CN=tim,O=Example";
#define CERT_LEN	(sizeof(cert_id) - 1)

static struct mw_sasl_server_config cfg;
static struct mw_sasl_session sess;

static int
authorize(void *arg, const unsigned char *cid, size_t cn,
    const unsigned char *zid, size_t zn)
{
	(void)arg;
	/* CN=tim may act as postmaster, and as no one else */
	return cn == CERT_LEN && memcmp(cid, cert_id, cn) == 0 && zn == 10 &&
	    memcmp(zid, "postmaster", 10) == 0;
}

static void
reset(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.mechs = MW_SASL_SERVER_MECHS;
	memset(&sess, 0, sizeof(sess));
	sess.tls = 1;
	sess.external = cert_id;
	sess.external_len = CERT_LEN;
}

static int
eq(const unsigned char *p, size_t n, const void *s, size_t sn)
{
	return n == sn && memcmp(p, s, n) == 0;
}

/* The server's reply code to the initial response in[0..n) (has 0: no
 * initial response, then in[0..n) answers the empty challenge). */
static int
server(const void *in, size_t n, int has, struct mw_sasl_server *s,
    struct mw_sasl_reply *rep)
{
	unsigned char out[64];

	if (mw_sasl_server_start(s, &cfg, &sess, MW_AUTH_EXTERNAL, rep) !=
	    MW_ERR_OK || rep->code != 0)
		return -1;
	if (!has) {
		if (mw_sasl_server_step(s, NULL, 0, 0, out, sizeof(out), rep) !=
		    MW_ERR_OK)
			return -1;
		if (rep->code != 334)
			return rep->code;
		if (rep->len != 0)
			return -2;
	}
	if (mw_sasl_server_step(s, in, n, 1, out, sizeof(out), rep) !=
	    MW_ERR_OK)
		return -1;
	return rep->code;
}

static void
client(void)
{
	struct mw_sasl_creds cr = { NULL, NULL, NULL, NULL, NULL, 0, NULL,
	    NULL };
	struct mw_sasl_client c;
	unsigned char out[600];
	char big[300];
	size_t len;
	int has = -1;

	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_OK && mw_sasl_client_initial(&c, out, sizeof(out), &len,
	    &has) == MW_ERR_OK && has == 1 && len == 0,
	    "client: no authzid: an empty initial response");
	CHECK(mw_sasl_client_finish(&c) == MW_ERR_OK, "client: finish");
	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_OK && mw_sasl_client_auth_line(&c, out, sizeof(out),
	    &len) == MW_ERR_OK && eq(out, len, "AUTH EXTERNAL =\r\n", 17),
	    "client: AUTH EXTERNAL = (RFC 4954 4)");
	cr.authzid = "";
	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_OK && mw_sasl_client_initial(&c, out, sizeof(out), &len,
	    &has) == MW_ERR_OK && has == 1 && len == 0,
	    "client: authzid \"\" is none");
	cr.authzid = "postmaster";
	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_OK && mw_sasl_client_initial(&c, out, sizeof(out), &len,
	    &has) == MW_ERR_OK && has == 1 && eq(out, len, "postmaster", 10),
	    "client: the authzid is the initial response");
	CHECK(mw_sasl_client_auth_line(&c, out, sizeof(out), &len) ==
	    MW_ERR_OK && eq(out, len, "AUTH EXTERNAL cG9zdG1hc3Rlcg==\r\n", 32),
	    "client: AUTH EXTERNAL cG9zdG1hc3Rlcg==");
	CHECK(mw_sasl_client_initial(&c, out, 9, &len, &has) ==
	    MW_ERR_NOSPACE, "client: NOSPACE");

	/* RFC 4422 A.1: "There are no additional challenges" */
	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_OK && mw_sasl_client_step(&c, (const unsigned char *)"x", 1,
	    out, sizeof(out), &len) == MW_ERR_AUTH,
	    "client: a non-empty challenge is refused");
	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_OK && mw_sasl_client_step(&c, NULL, 0, out, sizeof(out),
	    &len) == MW_ERR_OK && eq(out, len, "postmaster", 10) &&
	    mw_sasl_client_step(&c, NULL, 0, out, sizeof(out), &len) ==
	    MW_ERR_AUTH, "client: an empty challenge gets the response once "
	    "(RFC 4422 5.1)");
	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_OK && mw_sasl_client_reply334(&c, (const unsigned char *)"",
	    0, out, sizeof(out), &len) == MW_ERR_OK &&
	    eq(out, len, "cG9zdG1hc3Rlcg==\r\n", 18),
	    "client: wire: an empty 334 gets the response in base64");

	/* RFC 4422 A.1 syntax, and the bound */
	cr.authzid = "p\xc3\xb6stmaster";
	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_OK, "client: a UTF-8 authzid");
	cr.authzid = "p\xf6stmaster";
	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_INVAL, "client: a Latin-1 authzid is INVAL");
	memset(big, 'z', sizeof(big));
	big[256] = '\0';
	cr.authzid = big;
	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_INVAL, "client: a 256-octet authzid is INVAL");
	big[255] = '\0';
	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_OK, "client: a 255-octet authzid is fine");
}

static void
servers(void)
{
	struct mw_sasl_server s;
	struct mw_sasl_reply rep;
	unsigned char out[64], big[300];
	const unsigned char *cid, *zid;
	size_t cn, zn;

	reset();
	CHECK(server("", 0, 1, &s, &rep) == 235 &&
	    strcmp(rep.esc, "2.7.0") == 0, "server: empty authzid: 235 2.7.0");
	CHECK(mw_sasl_server_identity(&s, &cid, &cn, &zid, &zn) == MW_ERR_OK &&
	    eq(cid, cn, cert_id, CERT_LEN) && eq(zid, zn, cert_id, CERT_LEN),
	    "server: identity is the certificate's, acting as itself");
	CHECK(server(cert_id, CERT_LEN, 1, &s, &rep) == 235,
	    "server: authzid equal to the certificate's identity: 235");
	CHECK(server("bob", 3, 1, &s, &rep) == 535 &&
	    strcmp(rep.esc, "5.7.8") == 0 &&
	    mw_sasl_server_identity(&s, &cid, &cn, &zid, &zn) == MW_ERR_STATE,
	    "server: another authzid without authorize: 535 5.7.8");
	cfg.authorize = authorize;
	CHECK(server("postmaster", 10, 1, &s, &rep) == 235 &&
	    mw_sasl_server_identity(&s, &cid, &cn, &zid, &zn) == MW_ERR_OK &&
	    eq(cid, cn, cert_id, CERT_LEN) && eq(zid, zn, "postmaster", 10),
	    "server: an authzid authorize allows: 235, acting as postmaster");
	CHECK(server("root", 4, 1, &s, &rep) == 535,
	    "server: an authzid authorize refuses: 535");
	cfg.authorize = NULL;

	/* no initial response: an empty challenge, then the response */
	CHECK(server("", 0, 0, &s, &rep) == 235,
	    "server: no initial response: 334 (empty), then 235");
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_EXTERNAL, &rep) ==
	    MW_ERR_OK && mw_sasl_server_step(&s, NULL, 0, 0, out, sizeof(out),
	    &rep) == MW_ERR_OK && rep.code == 334 && mw_sasl_server_step(&s,
	    NULL, 0, 0, out, sizeof(out), &rep) == MW_ERR_OK &&
	    rep.code == 535, "server: a second step with no response: 535");
	CHECK(mw_sasl_server_auth(&s, &cfg, &sess,
	    (const unsigned char *)"EXTERNAL", 8, NULL, 0, 0, out, sizeof(out),
	    &rep) == MW_ERR_OK && rep.code == 334 && rep.len == 0 &&
	    mw_sasl_server_line(&s, (const unsigned char *)"", 0, out,
	    sizeof(out), &rep) == MW_ERR_OK && rep.code == 235,
	    "server: wire: AUTH EXTERNAL, 334, empty line, 235");
	CHECK(mw_sasl_server_auth(&s, &cfg, &sess,
	    (const unsigned char *)"EXTERNAL", 8, (const unsigned char *)"=",
	    1, 1, out, sizeof(out), &rep) == MW_ERR_OK && rep.code == 235,
	    "server: wire: AUTH EXTERNAL = is 235");

	/* no external credentials */
	sess.external = NULL;
	CHECK(server("", 0, 1, &s, &rep) == 535,
	    "server: no certificate: 535 with an initial response");
	CHECK(server("", 0, 0, &s, &rep) == 535,
	    "server: no certificate: 535 at once without one");
	sess.external = cert_id;
	sess.external_len = 0;
	CHECK(server("", 0, 1, &s, &rep) == 535,
	    "server: an empty certificate identity: 535");
	memset(big, 'c', sizeof(big));
	sess.external = big;
	sess.external_len = 256;
	CHECK(server("", 0, 1, &s, &rep) == 535,
	    "server: a certificate identity over 255 octets: 535");
	reset();

	/* the authzid's syntax and bound */
	CHECK(server("a\0b", 3, 1, &s, &rep) == 535,
	    "server: NUL in the authzid: 535");
	memset(big, 'z', sizeof(big));
	CHECK(server(big, 256, 1, &s, &rep) == 535,
	    "server: a 256-octet authzid: 535");
	cfg.mechs = MW_AUTH_BIT(MW_AUTH_PLAIN);
	CHECK(mw_sasl_server_start(&s, &cfg, &sess, MW_AUTH_EXTERNAL, &rep) ==
	    MW_ERR_OK && rep.code == 504, "server: not offered: 504");
	reset();
}

/* RFC 3629 4, as an independent reference: decode, then check range,
 * shortest form and surrogates. */
static int
ref_utf8_no_nul(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	unsigned long cp, min;

	while (i < n) {
		unsigned char c = s[i];

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			len = 2, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			len = 3, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			len = 4, cp = c & 0x07, min = 0x10000;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* 1 if both sides accept s[0..n) as an authzid, 0 if both refuse it,
 * -1 if they disagree. The server gets s as the certificate's identity
 * too, so equality authorizes it and only the syntax can refuse it. */
static int
accepted(const unsigned char *s, size_t n)
{
	struct mw_sasl_server sv;
	struct mw_sasl_reply rep;
	struct mw_sasl_creds cr = { NULL, NULL, NULL, NULL, NULL, 0, NULL,
	    NULL };
	struct mw_sasl_client c;
	char z[8];
	int srv, cli;

	sess.external = s;
	sess.external_len = n;
	srv = server(s, n, 1, &sv, &rep);
	reset();
	memcpy(z, s, n);
	z[n] = '\0';
	cr.authzid = z;
	cli = mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_OK;
	if (memchr(s, 0, n) != NULL)
		cli = 0;	/* a C string cannot hold it */
	if (srv == 235 && cli)
		return 1;
	if (srv == 535 && !cli)
		return 0;
	return -1;
}

static void
utf8(void)
{
	static const char *const edges[] = {
		"\xe0\xa0\x80", "\xe0\x9f\xbf", "\xed\x9f\xbf", "\xed\xa0\x80",
		"\xed\xbf\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xe1\x80",
		"\xf0\x90\x80\x80", "\xf0\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80",
		"\xf0\x90\x80", "\xe1\x80\xc0", "\xf1\x80\x80\x7f",
		"\xc0\x80", "\xc1\xbf", "\xc2\x80", "\xdf\xbf", "\x80", "\xbf",
		"\xfe", "\xff", "a\xe2\x82\xac\x62", "\xe2\x82\xac\xe2\x82",
	};
	unsigned char s[4];
	int a, b, wrong = 0;
	size_t i;

	/* both sides against the reference: every 1- and 2-octet string */
	for (a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		if (accepted(s, 1) != ref_utf8_no_nul(s, 1))
			wrong++;
		for (b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			if (accepted(s, 2) != ref_utf8_no_nul(s, 2))
				wrong++;
		}
	}
	CHECK(wrong == 0, "every 1- and 2-octet authzid: accepted exactly when "
	    "it is UTF-8 (%d wrong)", wrong);
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		const unsigned char *e = (const unsigned char *)edges[i];
		size_t n = strlen(edges[i]);
		int want = ref_utf8_no_nul(e, n);

		char name[32];
		size_t k;

		for (k = 0; k < n && k < 8; k++)
			snprintf(name + 3 * k, sizeof(name) - 3 * k, "%02x ",
			    e[k]);
		name[3 * k - 1] = '\0';
		CHECK(accepted(e, n) == want, "authzid %s: %s", name,
		    want ? "accepted" : "refused");
	}
}

/* The server's check on the same strings, with equality as the
 * authorization: an authzid equal to the certificate's identity is
 * accepted exactly when it is UTF-8 without NUL. */
static void
server_utf8(void)
{
	static const unsigned char okid[] = "CN=\xc3\xa9t\xc3\xa9";
	static const unsigned char badid[] = "CN=\xe9t\xe9";
	struct mw_sasl_server s;
	struct mw_sasl_reply rep;

	reset();
	sess.external = okid;
	sess.external_len = sizeof(okid) - 1;
	CHECK(server(okid, sizeof(okid) - 1, 1, &s, &rep) == 235,
	    "server: a UTF-8 authzid equal to the identity: 235");
	sess.external = badid;
	sess.external_len = sizeof(badid) - 1;
	CHECK(server(badid, sizeof(badid) - 1, 1, &s, &rep) == 535,
	    "server: a Latin-1 authzid, even equal to the identity: 535");
	CHECK(server("", 0, 1, &s, &rep) == 235,
	    "server: the identity itself is the caller's, not checked");
	reset();
}

static void
in_memory(void)
{
	struct mw_sasl_creds cr = { NULL, "postmaster", NULL, NULL, NULL, 0,
	    NULL, NULL };
	struct mw_sasl_client c;
	struct mw_sasl_server s;
	struct mw_sasl_reply rep;
	unsigned char line[128], out[128];
	const unsigned char *cid, *zid;
	size_t llen = 0, cn, zn;

	reset();
	cfg.authorize = authorize;
	/* "AUTH EXTERNAL <ir>" CRLF: mechanism and initial response */
	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_OK && mw_sasl_client_auth_line(&c, line, sizeof(line),
	    &llen) == MW_ERR_OK && llen > 16 &&
	    mw_sasl_server_auth(&s, &cfg, &sess, line + 5, 8, line + 14,
	    llen - 16, 1, out, sizeof(out), &rep) == MW_ERR_OK &&
	    rep.code == 235 && mw_sasl_client_finish(&c) == MW_ERR_OK &&
	    mw_sasl_server_identity(&s, &cid, &cn, &zid, &zn) == MW_ERR_OK &&
	    eq(zid, zn, "postmaster", 10),
	    "in memory: AUTH EXTERNAL cG9zdG1hc3Rlcg==, 235, as postmaster");
	cr.authzid = NULL;
	CHECK(mw_sasl_client_start(&c, MW_AUTH_EXTERNAL, &cr, NULL) ==
	    MW_ERR_OK && mw_sasl_client_auth_line(&c, line, sizeof(line),
	    &llen) == MW_ERR_OK && mw_sasl_server_auth(&s, &cfg, &sess,
	    line + 5, 8, line + 14, llen - 16, 1, out, sizeof(out), &rep) ==
	    MW_ERR_OK && rep.code == 235,
	    "in memory: AUTH EXTERNAL =, 235");
	reset();
}

int
main(void)
{
	reset();
	client();
	servers();
	utf8();
	server_utf8();
	in_memory();
	return check_done();
}
