/*
 * tests/test_sasl_digest.c: the DIGEST-MD5 client (src/sasl_digest.c)
 * against RFC 2831 4's two example exchanges, an independent computation
 * of the response (OpenSSL's MD5 over concatenated strings), the wire
 * level, and challenges that must be refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <mailwire/base64.h>
#include <mailwire/crypto_openssl.h>
#include <mailwire/sasl.h>

#include "check.h"
#include "../src/sasl_int.h"

static struct mw_crypto ossl;

/* A provider whose random octets are a counter, so nonces are known. */
static unsigned char rand_next;

static int
fixed_random(void *ctx, unsigned char *out, size_t n)
{
	(void)ctx;
	while (n-- > 0)
		*out++ = rand_next++;
	return 0;
}

static int
failing_hash(void *ctx, enum mw_hash h, const struct mw_iov *iov,
    size_t niov, unsigned char *out)
{
	(void)ctx;
	(void)h;
	(void)iov;
	(void)niov;
	(void)out;
	return -1;
}

/* ---- the reference: RFC 2831 2.1.2.1 with strings glued together ---- */

static void
md5(const void *s, size_t n, unsigned char out[16])
{
	unsigned int len = 16;

	EVP_Digest(s, n, out, &len, EVP_md5(), NULL);
}

static void
tohex(const unsigned char *h, char *out)
{
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

/* user, realm and pass as they are hashed (after any ISO 8859-1
 * conversion); authzid NULL for none. */
static void
ref(const char *user, const char *realm, const char *pass, const char *nonce,
    const char *cnonce, const char *authzid, const char *uri, char resp[33],
    char rspauth[33])
{
	unsigned char buf[2048], h[16];
	char ha1[33], ha2[33];
	int n;

	n = snprintf((char *)buf, sizeof(buf), "%s:%s:%s", user, realm, pass);
	md5(buf, (size_t)n, h);
	memcpy(buf, h, 16);
	n = 16 + snprintf((char *)buf + 16, sizeof(buf) - 16, ":%s:%s%s%s",
	    nonce, cnonce, authzid ? ":" : "", authzid ? authzid : "");
	md5(buf, (size_t)n, h);
	tohex(h, ha1);
	for (int pass2 = 0; pass2 < 2; pass2++) {
		n = snprintf((char *)buf, sizeof(buf), "%s%s",
		    pass2 ? ":" : "AUTHENTICATE:", uri);
		md5(buf, (size_t)n, h);
		tohex(h, ha2);
		n = snprintf((char *)buf, sizeof(buf),
		    "%s:%s:00000001:%s:auth:%s", ha1, nonce, cnonce, ha2);
		md5(buf, (size_t)n, h);
		tohex(h, pass2 ? rspauth : resp);
	}
}

/* ---- helpers ---- */

static struct mw_sasl_client cl;
static unsigned char out[4096];
static size_t outlen;

static struct mw__client *
start(const struct mw_sasl_creds *cr, const struct mw_crypto *crypto,
    mw_err *err)
{
	*err = mw_sasl_client_start(&cl, MW_AUTH_DIGEST_MD5, cr, crypto);
	return mw__client(&cl);
}

static mw_err
respond(const struct mw_sasl_creds *cr, const char *chal, const char *cnonce)
{
	mw_err err;
	struct mw__client *x = start(cr, &ossl, &err);

	unsigned char *exact;
	size_t n = strlen(chal);

	if (err != MW_ERR_OK)
		return err;
	/* a heap copy of exactly n octets: ASan catches any over-read */
	if ((exact = malloc(n + 1)) == NULL)
		return MW_ERR_NOSPACE;
	memcpy(exact, chal, n);
	outlen = 0;
	err = mw__digest_respond(x, exact, n, (const unsigned char *)cnonce,
	    strlen(cnonce), out, sizeof(out), &outlen);
	free(exact);
	return err;
}

static int
out_is(const char *want)
{
	return outlen == strlen(want) && memcmp(out, want, outlen) == 0;
}

/* The value of directive name= in out (after "," or at the start). */
static int
out_has(const char *dir)
{
	size_t n = strlen(dir);

	for (size_t i = 0; i + n <= outlen; i++)
		if ((i == 0 || out[i - 1] == ',') &&
		    memcmp(out + i, dir, n) == 0 &&
		    (i + n == outlen || out[i + n] == ','))
			return 1;
	return 0;
}

static mw_err
step(const char *in)
{
	size_t n = strlen(in);
	unsigned char *exact = malloc(n + 1);
	mw_err err;

	if (exact == NULL)
		return MW_ERR_NOSPACE;
	memcpy(exact, in, n);	/* exactly n octets, for ASan */
	outlen = 0;
	err = mw_sasl_client_step(&cl, exact, n, out, sizeof(out), &outlen);
	free(exact);
	return err;
}

/* ---- the tests ---- */

static const struct mw_sasl_creds chris = {
	.authcid = "chris", .password = "secret",
	.host = "elwood.innosoft.com", .service = "imap",
};

static void
rfc_examples(void)
{
	struct mw_sasl_creds acap = chris;
	char r[33], a[33];
	mw_err err;

	/* RFC 2831 4, the IMAP example: the response byte for byte */
	err = respond(&chris, "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tE"
	    "QGm2hh\",qop=\"auth\",algorithm=md5-sess,charset=utf-8",
	    "OA6MHXh6VqTrRk");
	CHECK(err == MW_ERR_OK, "RFC 2831 4 IMAP: step one (%s)",
	    mw_err_name(err));
	CHECK(out_is("charset=utf-8,username=\"chris\",realm=\"elwood.innosof"
	    "t.com\",nonce=\"OA6MG9tEQGm2hh\",nc=00000001,cnonce=\"OA6MHXh6Vq"
	    "TrRk\",digest-uri=\"imap/elwood.innosoft.com\",response=d388dad9"
	    "0d4bbd760a152321f2143af7,qop=auth"),
	    "RFC 2831 4 IMAP: the digest-response is the RFC's, byte for "
	    "byte: %.*s", (int)outlen, out);
	CHECK(mw_sasl_client_finish(&cl) == MW_ERR_AUTH,
	    "RFC 2831 4 IMAP: a 235 before rspauth is not trusted");
	err = step("rspauth=ea40f60335c427b5527b84dbabcdfffd");
	CHECK(err == MW_ERR_OK && outlen == 0,
	    "RFC 2831 4 IMAP: rspauth=ea40f603... matches, empty response "
	    "(%s)", mw_err_name(err));
	CHECK(mw_sasl_client_finish(&cl) == MW_ERR_OK,
	    "RFC 2831 4 IMAP: complete, 235 accepted");
	CHECK(step("rspauth=ea40f60335c427b5527b84dbabcdfffd") ==
	    MW_ERR_AUTH, "a challenge after rspauth is refused");

	/* the reference agrees with the RFC */
	ref("chris", "elwood.innosoft.com", "secret", "OA6MG9tEQGm2hh",
	    "OA6MHXh6VqTrRk", NULL, "imap/elwood.innosoft.com", r, a);
	CHECK(strcmp(r, "d388dad90d4bbd760a152321f2143af7") == 0 &&
	    strcmp(a, "ea40f60335c427b5527b84dbabcdfffd") == 0,
	    "the test's reference computes RFC 2831 4's values");

	/* RFC 2831 4, the ACAP example */
	acap.service = "acap";
	err = respond(&acap, "realm=\"elwood.innosoft.com\",nonce=\"OA9BSXrbu"
	    "RhWay\",qop=\"auth\",algorithm=md5-sess,charset=utf-8",
	    "OA9BSuZWMSpW8m");
	CHECK(err == MW_ERR_OK && out_is("charset=utf-8,username=\"chris\","
	    "realm=\"elwood.innosoft.com\",nonce=\"OA9BSXrbuRhWay\",nc=000000"
	    "01,cnonce=\"OA9BSuZWMSpW8m\",digest-uri=\"acap/elwood.innosoft.c"
	    "om\",response=6084c6db3fede7352c551284490fd0fc,qop=auth"),
	    "RFC 2831 4 ACAP: the digest-response is the RFC's: %.*s",
	    (int)outlen, out);
	CHECK(step("rspauth=2f0b3d7c3c2e486600ef710726aa2eae") == MW_ERR_OK &&
	    mw_sasl_client_finish(&cl) == MW_ERR_OK,
	    "RFC 2831 4 ACAP: rspauth=2f0b3d7c... matches");
}

static void
wire(void)
{
	/* RFC 2831 4's IMAP challenge as base64, as a 334 carries it */
	static const char chal64[] = "cmVhbG09ImVsd29vZC5pbm5vc29mdC5jb20iLG5v"
	    "bmNlPSJPQTZNRzl0RVFHbTJoaCIscW9wPSJhdXRoIixhbGdvcml0aG09bWQ1LXNl"
	    "c3MsY2hhcnNldD11dGYtOA==";
	struct mw_crypto fixed = ossl;
	struct mw_sasl_creds cr = chris;
	struct mw__client *x;
	unsigned char line[4096], dec[4096];
	char want[256], cn[MW_SASL_NONCE_LEN + 1], r[33], a[33];
	size_t len, dlen;
	int ctl, has;
	mw_err err;

	fixed.random = fixed_random;
	cr.service = NULL;	/* "smtp" */
	rand_next = 0;
	x = start(&cr, &fixed, &err);
	CHECK(err == MW_ERR_OK, "wire: start");
	err = mw_sasl_client_initial(&cl, line, sizeof(line), &len, &has);
	CHECK(err == MW_ERR_OK && has == 0,
	    "wire: no initial response (the server speaks first)");
	err = mw_sasl_client_auth_line(&cl, line, sizeof(line), &len);
	CHECK(err == MW_ERR_OK && len == 17 &&
	    memcmp(line, "AUTH DIGEST-MD5\r\n", 17) == 0,
	    "wire: AUTH DIGEST-MD5 without initial response");
	err = mw_sasl_client_reply334(&cl, (const unsigned char *)chal64,
	    strlen(chal64), line, sizeof(line), &len);
	CHECK(err == MW_ERR_OK && len > 2 && line[len - 2] == '\r' &&
	    line[len - 1] == '\n', "wire: the response line (%s)",
	    mw_err_name(err));
	dlen = 0;
	err = mw_base64_decode(line, len - 2, dec, sizeof(dec), &dlen, &ctl);
	/* the cnonce: 24 characters from the counter, alphabet[b & 63] */
	for (int i = 0; i < MW_SASL_NONCE_LEN; i++)
		cn[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/"[i];
	cn[MW_SASL_NONCE_LEN] = 0;
	ref("chris", "elwood.innosoft.com", "secret", "OA6MG9tEQGm2hh", cn,
	    NULL, "smtp/elwood.innosoft.com", r, a);
	snprintf(want, sizeof(want), "charset=utf-8,username=\"chris\",realm="
	    "\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",nc=00000001,cno"
	    "nce=\"%s\",digest-uri=\"smtp/elwood.innosoft.com\",response=%s,q"
	    "op=auth", cn, r);
	CHECK(err == MW_ERR_OK && dlen == strlen(want) &&
	    memcmp(dec, want, dlen) == 0,
	    "wire: base64 digest-response with a 24-character cnonce from "
	    "mw__nonce, digest-uri smtp/host: %.*s", (int)dlen, dec);
	CHECK(memcmp(x->m.digest.rspauth, a, 32) == 0,
	    "wire: the expected rspauth is kept");
	/* rspauth, then the empty response, then 235 */
	snprintf(want, sizeof(want), "rspauth=%s", a);
	mw_base64_encode((const unsigned char *)want, strlen(want), line,
	    sizeof(line), &len);
	err = mw_sasl_client_reply334(&cl, line, len, dec, sizeof(dec), &dlen);
	CHECK(err == MW_ERR_OK && dlen == 2 && memcmp(dec, "\r\n", 2) == 0,
	    "wire: rspauth answered by an empty line (%s)", mw_err_name(err));
	CHECK(mw_sasl_client_finish(&cl) == MW_ERR_OK,
	    "wire: 235 after rspauth: finished");

	/* a wrong rspauth: the client cancels */
	rand_next = 0;
	start(&cr, &fixed, &err);
	mw_sasl_client_reply334(&cl, (const unsigned char *)chal64,
	    strlen(chal64), line, sizeof(line), &len);
	a[0] = a[0] == '0' ? '1' : '0';
	snprintf(want, sizeof(want), "rspauth=%s", a);
	mw_base64_encode((const unsigned char *)want, strlen(want), line,
	    sizeof(line), &len);
	err = mw_sasl_client_reply334(&cl, line, len, dec, sizeof(dec), &dlen);
	CHECK(err == MW_ERR_AUTH && dlen == 3 && memcmp(dec, "*\r\n", 3) == 0,
	    "wire: a wrong rspauth is MW_ERR_AUTH and cancels with *");
	CHECK(mw_sasl_client_finish(&cl) == MW_ERR_AUTH,
	    "wire: a 235 after a wrong rspauth is not trusted");

	/* a malformed challenge: cancelled */
	start(&cr, &fixed, &err);
	mw_base64_encode((const unsigned char *)"nonce=\"x\"", 9, line,
	    sizeof(line), &len);
	err = mw_sasl_client_reply334(&cl, line, len, dec, sizeof(dec), &dlen);
	CHECK(err == MW_ERR_AUTH && dlen == 3 && memcmp(dec, "*\r\n", 3) == 0,
	    "wire: a challenge without algorithm cancels");
}

static void
rspauth_forms(void)
{
	static const char *const bad[] = {
		"rspauth=ea40f60335c427b5527b84dbabcdfffe",	/* wrong */
		"rspauth=EA40F60335C427B5527B84DBABCDFFFD",	/* not LHEX */
		"rspauth=\"ea40f60335c427b5527b84dbabcdfffd\"",	/* quoted */
		"rspauth=ea40f60335c427b5527b84dbabcdfff",	/* short */
		"rspauth=ea40f60335c427b5527b84dbabcdfffdd",	/* long */
		"rspauth=ea40f60335c427b5527b84dbabcdfffd,x=y",	/* more */
		("rspauth=ea40f60335c427b5527b84dbabcdfffd,"
		    "rspauth=ea40f60335c427b5527b84dbabcdfffd"),
		"response=ea40f60335c427b5527b84dbabcdfffd",
		"rspauth=",
		"",
	};
	static const char *const good[] = {
		"rspauth=ea40f60335c427b5527b84dbabcdfffd",
		"RSPAUTH = ea40f60335c427b5527b84dbabcdfffd ",
		",rspauth=ea40f60335c427b5527b84dbabcdfffd,",
	};
	static const char chal[] = "realm=\"elwood.innosoft.com\",nonce=\"OA6"
	    "MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,charset=utf-8";
	mw_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		respond(&chris, chal, "OA6MHXh6VqTrRk");
		CHECK(step(bad[i]) == MW_ERR_AUTH &&
		    mw_sasl_client_finish(&cl) == MW_ERR_AUTH,
		    "rspauth refused: \"%s\"", bad[i]);
	}
	respond(&chris, chal, "OA6MHXh6VqTrRk");
	CHECK(step(bad[0]) == MW_ERR_AUTH && step(good[0]) == MW_ERR_AUTH &&
	    mw_sasl_client_finish(&cl) == MW_ERR_AUTH,
	    "after a wrong rspauth the right one is refused too");
	start(&chris, &ossl, &err);
	CHECK(step("nonce=\"n\"") == MW_ERR_AUTH && step(chal) == MW_ERR_AUTH,
	    "after a malformed challenge a good one is refused too");
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		respond(&chris, chal, "OA6MHXh6VqTrRk");
		CHECK(step(good[i]) == MW_ERR_OK &&
		    mw_sasl_client_finish(&cl) == MW_ERR_OK,
		    "rspauth accepted: \"%s\" (case-insensitive name, LWS, "
		    "null list elements)", good[i]);
	}
}

static void
malformed(void)
{
	static const struct {
		const char	*chal;
		mw_err		 err;
		const char	*why;
	} t[] = {
		{ "realm=\"r\",nonce=\"abc\",nonce=\"abc\",algorithm=md5-sess",
		    MW_ERR_AUTH, "duplicate nonce (2.1.1)" },
		{ "realm=\"r\",qop=\"auth\",algorithm=md5-sess",
		    MW_ERR_AUTH, "missing nonce" },
		{ "nonce=\"abc\",qop=\"auth\"", MW_ERR_AUTH,
		    "missing algorithm" },
		{ "nonce=\"abc\",algorithm=md5", MW_ERR_AUTH,
		    "algorithm=md5, not md5-sess" },
		{ "nonce=\"abc\",algorithm=md5-sess,algorithm=md5-sess",
		    MW_ERR_AUTH, "duplicate algorithm" },
		{ "nonce=\"abc\",algorithm=\"md5-sess\"", MW_ERR_AUTH,
		    "algorithm quoted (the rule is a token)" },
		{ "nonce=abc,algorithm=md5-sess", MW_ERR_AUTH,
		    "nonce not quoted" },
		{ "nonce=\"abc\",algorithm=md5-sess,charset=utf-8,"
		    "charset=utf-8", MW_ERR_AUTH, "duplicate charset" },
		{ "nonce=\"abc\",algorithm=md5-sess,charset=iso-8859-1",
		    MW_ERR_AUTH, "charset other than utf-8" },
		{ "nonce=\"abc\",algorithm=md5-sess,qop=\"auth\",qop=\"auth\"",
		    MW_ERR_AUTH, "duplicate qop" },
		{ "nonce=\"abc\",algorithm=md5-sess,maxbuf=1,maxbuf=2",
		    MW_ERR_AUTH, "duplicate maxbuf" },
		{ "nonce=\"abc\",algorithm=md5-sess,maxbuf=12a",
		    MW_ERR_AUTH, "maxbuf not digits" },
		{ "nonce=\"abc\",algorithm=md5-sess,maxbuf=12345678901",
		    MW_ERR_AUTH, "maxbuf of 11 digits" },
		{ "nonce=\"abc\",algorithm=md5-sess,stale=true,stale=true",
		    MW_ERR_AUTH, "duplicate stale" },
		{ "nonce=\"abc\",algorithm=md5-sess,stale=false",
		    MW_ERR_AUTH, "stale other than true" },
		{ "nonce=\"abc\",algorithm=md5-sess,cipher=\"des\","
		    "cipher=\"3des\"", MW_ERR_AUTH, "duplicate cipher" },
		{ "realm=\"elwood,nonce=\"abc\",algorithm=md5-sess",
		    MW_ERR_AUTH, "a quote that swallows the rest" },
		{ "nonce=\"abc\",algorithm=md5-sess,realm=\"r", MW_ERR_AUTH,
		    "unterminated quote" },
		{ "nonce=\"abc\\\",algorithm=md5-sess", MW_ERR_AUTH,
		    "an escaped closing quote leaves it unterminated" },
		{ "nonce=\"abc\",algorithm=md5-sess,realm=\"r\\", MW_ERR_AUTH,
		    "a backslash at the end" },
		{ "nonce=\"a\rb\",algorithm=md5-sess", MW_ERR_AUTH,
		    "CR in a quoted-string" },
		{ "nonce=\"a\\\nb\",algorithm=md5-sess", MW_ERR_AUTH,
		    "an escaped LF in a quoted-string" },
		{ "nonce=\"a\\\001b\",algorithm=md5-sess", MW_ERR_AUTH,
		    "an escaped control character" },
		{ "nonce=\"\",algorithm=md5-sess", MW_ERR_AUTH,
		    "an empty nonce" },
		{ "nonce=\"abc\" algorithm=md5-sess", MW_ERR_AUTH,
		    "directives without a comma" },
		{ "nonce=\"abc\",algorithm", MW_ERR_AUTH,
		    "a directive without =" },
		{ "nonce=\"abc\",algorithm=", MW_ERR_AUTH,
		    "a directive without a value" },
		{ "nonce=\"abc\",=x,algorithm=md5-sess", MW_ERR_AUTH,
		    "a value without a name" },
		{ "nonce=\"abc\",algorithm=md5-sess,x=a/b", MW_ERR_AUTH,
		    "a separator in an auth-param token" },
		{ "nonce=\"abc\",algorithm=md5-sess,qop=\"\"", MW_ERR_AUTH,
		    "qop with no option (1#)" },
		{ "nonce=\"abc\",algorithm=md5-sess,qop=\"auth int\"",
		    MW_ERR_AUTH, "qop list without a comma" },
		{ "nonce=\"abc\",algorithm=md5-sess,qop=auth", MW_ERR_AUTH,
		    "qop not quoted" },
		{ "nonce=\"abc\",algorithm=md5-sess,\n realm=\"r\"",
		    MW_ERR_AUTH, "a bare LF (LWS is CRLF 1*(SP|HT))" },
		{ "nonce=\"abc\",algorithm=md5-sess,\r\nrealm=\"r\"",
		    MW_ERR_AUTH, "CRLF without the SP of folding" },
		{ "nonce=\"abc\",algorithm=md5-sess,qop=\"auth-int,auth-conf\"",
		    MW_ERR_UNSUPPORTED, "qop without auth" },
		{ "", MW_ERR_AUTH, "an empty challenge" },
		{ " , ,", MW_ERR_AUTH, "only null elements" },
	};
	char buf[4096];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		mw_err err = respond(&chris, t[i].chal, "cn");

		CHECK(err == t[i].err && outlen == 0 &&
		    mw__client(&cl)->step == 0,
		    "refused with %s: %s (%s)", mw_err_name(t[i].err), t[i].why,
		    mw_err_name(err));
	}

	/* bounds */
	memset(buf, 0, sizeof(buf));
	strcpy(buf, "algorithm=md5-sess,nonce=\"");
	memset(buf + strlen(buf), 'n', 255);
	strcat(buf, "\"");
	CHECK(respond(&chris, buf, "cn") == MW_ERR_OK,
	    "a nonce of 255 octets is taken");
	buf[strlen(buf) - 1] = 'n';
	strcat(buf, "\"");
	CHECK(respond(&chris, buf, "cn") == MW_ERR_AUTH,
	    "a nonce of 256 octets is refused");
	strcpy(buf, "algorithm=md5-sess,nonce=\"x\",realm=\"a\",realm=\"");
	memset(buf + strlen(buf), 'r', 256);
	strcat(buf, "\"");
	CHECK(respond(&chris, buf, "cn") == MW_ERR_AUTH,
	    "a second realm of 256 octets is refused too");
	strcpy(buf, "algorithm=md5-sess,nonce=\"x\",x=\"");
	memset(buf + strlen(buf), 'x', 2047 - strlen(buf) - 1);
	strcat(buf, "\"");
	CHECK(strlen(buf) == 2047 && respond(&chris, buf, "cn") == MW_ERR_OK,
	    "a challenge of 2047 octets is taken (an auth-param is not "
	    "bounded beyond it)");
	strcpy(buf, "algorithm=md5-sess,nonce=\"x\",x=\"");
	memset(buf + strlen(buf), 'x', 2048 - strlen(buf) - 1);
	strcat(buf, "\"");
	CHECK(strlen(buf) == 2048 && respond(&chris, buf, "cn") ==
	    MW_ERR_AUTH, "a challenge of 2048 octets is refused (2.1.1: "
	    "\"MUST be less than 2048 bytes\")");
}

static void
accepted(void)
{
	struct mw_sasl_creds cr = chris;
	char r[33], a[33], want[1024];
	mw_err err;

	/* LWS (with folding), null elements, case, unknown directives */
	err = respond(&chris, " , REALM = \"elwood.innosoft.com\" ,,\r\n\t"
	    "Nonce=\"OA6MG9tEQGm2hh\",qop=\" auth-int , AUTH,x-y \","
	    "opaque=\"o\",domain=\"d\",x=y,stale=TRUE,maxbuf=65536,"
	    "cipher=\"rc4, des\",algorithm=MD5-SESS , charset=UTF-8,",
	    "OA6MHXh6VqTrRk");
	CHECK(err == MW_ERR_OK && out_has("response=d388dad90d4bbd760a152321"
	    "f2143af7"), "LWS, folding, null elements, upper case, unknown "
	    "auth-params and qop options are taken (%s)", mw_err_name(err));

	/* qop-options absent: "auth" by default */
	err = respond(&chris, "nonce=\"OA6MG9tEQGm2hh\",algorithm=md5-sess",
	    "OA6MHXh6VqTrRk");
	ref("chris", "", "secret", "OA6MG9tEQGm2hh", "OA6MHXh6VqTrRk", NULL,
	    "imap/elwood.innosoft.com", r, a);
	snprintf(want, sizeof(want), "username=\"chris\",nonce=\"OA6MG9tEQG"
	    "m2hh\",nc=00000001,cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/"
	    "elwood.innosoft.com\",response=%s,qop=auth", r);
	CHECK(err == MW_ERR_OK && out_is(want), "no realm, no charset, no qop: "
	    "no realm sent, A1 with an empty realm: %.*s", (int)outlen, out);

	/* several realms: the first; the caller's wins */
	err = respond(&chris, "realm=\"one\",realm=\"two\",nonce=\"n\","
	    "algorithm=md5-sess", "c");
	ref("chris", "one", "secret", "n", "c", NULL,
	    "imap/elwood.innosoft.com", r, a);
	snprintf(want, sizeof(want), "response=%s", r);
	CHECK(err == MW_ERR_OK && out_has("realm=\"one\"") && out_has(want),
	    "several realms: the first is taken");
	cr.realm = "three";
	err = respond(&cr, "realm=\"one\",realm=\"two\",nonce=\"n\","
	    "algorithm=md5-sess", "c");
	ref("chris", "three", "secret", "n", "c", NULL,
	    "imap/elwood.innosoft.com", r, a);
	snprintf(want, sizeof(want), "response=%s", r);
	CHECK(err == MW_ERR_OK && out_has("realm=\"three\"") && out_has(want),
	    "the caller's realm is used");
	cr.realm = NULL;

	/* quoted-pairs: unescaped for the hash, escaped again on the way
	 * out; the names' quotes and backslashes escaped */
	cr.authcid = "a\"b\\c";
	cr.authzid = "z\"z";
	err = respond(&cr, "realm=\"r\\\\e\\alm\",nonce=\"n\\\"x\","
	    "algorithm=md5-sess", "c\"n");
	ref("a\"b\\c", "r\\ealm", "secret", "n\"x", "c\"n", "z\"z",
	    "imap/elwood.innosoft.com", r, a);
	snprintf(want, sizeof(want), "username=\"a\\\"b\\\\c\",realm=\"r\\\\"
	    "ealm\",nonce=\"n\\\"x\",nc=00000001,cnonce=\"c\\\"n\",digest-uri"
	    "=\"imap/elwood.innosoft.com\",response=%s,qop=auth,authzid=\"z\\"
	    "\"z\"", r);
	CHECK(err == MW_ERR_OK && out_is(want), "quoted-pairs in and out, "
	    "authzid last and in A1: %.*s", (int)outlen, out);
	CHECK(memcmp(mw__client(&cl)->m.digest.rspauth, a, 32) == 0,
	    "the rspauth expected with authzid");
	cr = chris;

	/* RFC 2831 2.1.2.1: with charset=utf-8, ISO 8859-1 characters are
	 * hashed in ISO 8859-1; other characters as UTF-8 */
	cr.authcid = "j\xc3\xb6rg";
	cr.password = "p\xc3\xa4ss\xe2\x82\xac";	/* has a euro sign */
	err = respond(&cr, "realm=\"r\xc3\xa9\",nonce=\"n\",algorithm=md5-sess,"
	    "charset=utf-8", "c");
	ref("j\xf6rg", "r\xe9", "p\xc3\xa4ss\xe2\x82\xac", "n", "c", NULL,
	    "imap/elwood.innosoft.com", r, a);
	snprintf(want, sizeof(want), "response=%s", r);
	CHECK(err == MW_ERR_OK && out_has("username=\"j\xc3\xb6rg\"") &&
	    out_has("realm=\"r\xc3\xa9\"") && out_has(want),
	    "charset=utf-8: user and realm hashed in ISO 8859-1, the "
	    "password with a euro sign as UTF-8; sent as UTF-8");
	err = respond(&cr, "nonce=\"n\",algorithm=md5-sess", "c");
	CHECK(err == MW_ERR_UNSUPPORTED && outlen == 0,
	    "non-ASCII names without charset=utf-8: MW_ERR_UNSUPPORTED");
	cr = chris;
	err = respond(&cr, "realm=\"r\xe9\",nonce=\"n\",algorithm=md5-sess",
	    "c");
	ref("chris", "r\xe9", "secret", "n", "c", NULL,
	    "imap/elwood.innosoft.com", r, a);
	snprintf(want, sizeof(want), "response=%s", r);
	CHECK(err == MW_ERR_OK && out_has(want),
	    "a server's ISO 8859-1 realm is hashed as sent");
}

static void
arguments(void)
{
	static const struct {
		struct mw_sasl_creds	cr;
		const char		*why;
	} t[] = {
		{ { .password = "p", .host = "h" }, "no user" },
		{ { .authcid = "u", .host = "h" }, "no password" },
		{ { .authcid = "u", .password = "p" }, "no host" },
		{ { .authcid = "u", .password = "p", .host = "a b" },
		    "a host with a space" },
		{ { .authcid = "u", .password = "p", .host = "[::1]" },
		    "an IPv6 literal host (not in 2.1.2's host rule)" },
		{ { .authcid = "u", .password = "p", .host = "h",
		    .service = "smtp2" }, "a serv-type with a digit" },
		{ { .authcid = "u\r\n", .password = "p", .host = "h" },
		    "a user with CRLF" },
		{ { .authcid = "u", .authzid = "z\001", .password = "p",
		    .host = "h" }, "an authzid with a control character" },
		{ { .authcid = "u", .realm = "r\n", .password = "p",
		    .host = "h" }, "a realm with LF" },
	};
	struct mw_sasl_creds cr = chris;
	char longname[300];
	mw_err err;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err = mw_sasl_client_start(&cl, MW_AUTH_DIGEST_MD5, &t[i].cr,
		    &ossl);
		CHECK(err == MW_ERR_INVAL, "start refuses %s (%s)", t[i].why,
		    mw_err_name(err));
	}
	memset(longname, 'u', 256);
	longname[256] = 0;
	cr.authcid = longname;
	CHECK(mw_sasl_client_start(&cl, MW_AUTH_DIGEST_MD5, &cr, &ossl) ==
	    MW_ERR_INVAL, "start refuses a user of 256 octets");
	longname[255] = 0;
	CHECK(mw_sasl_client_start(&cl, MW_AUTH_DIGEST_MD5, &cr, &ossl) ==
	    MW_ERR_OK, "start takes a user of 255 octets");
}

static void
failures(void)
{
	static const char chal[] = "realm=\"elwood.innosoft.com\",nonce=\"OA6"
	    "MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,charset=utf-8";
	struct mw_crypto bad = ossl;
	struct mw__client *x;
	size_t need;
	mw_err err;

	/* too small a buffer: nothing changes, a retry works */
	x = start(&chris, &ossl, &err);
	outlen = 0;
	err = mw__digest_respond(x, (const unsigned char *)chal, strlen(chal),
	    (const unsigned char *)"OA6MHXh6VqTrRk", 14, out, 100, &outlen);
	CHECK(err == MW_ERR_NOSPACE && outlen == 0 && x->step == 0,
	    "a short buffer: MW_ERR_NOSPACE, state unchanged");
	err = mw__digest_respond(x, (const unsigned char *)chal, strlen(chal),
	    (const unsigned char *)"OA6MHXh6VqTrRk", 14, out, sizeof(out),
	    &outlen);
	need = outlen;
	CHECK(err == MW_ERR_OK && x->step == 1, "the retry works");
	x = start(&chris, &ossl, &err);
	err = mw__digest_respond(x, (const unsigned char *)chal, strlen(chal),
	    (const unsigned char *)"OA6MHXh6VqTrRk", 14, out, need, &outlen);
	CHECK(err == MW_ERR_OK && outlen == need,
	    "a buffer of exactly the response's length is enough");
	x = start(&chris, &ossl, &err);
	err = mw__digest_respond(x, (const unsigned char *)chal, strlen(chal),
	    (const unsigned char *)"OA6MHXh6VqTrRk", 14, out, need - 1,
	    &outlen);
	CHECK(err == MW_ERR_NOSPACE, "one octet less is not");

	/* no challenge at all */
	start(&chris, &ossl, &err);
	CHECK(mw_sasl_client_step(&cl, NULL, 0, out, sizeof(out), &outlen) ==
	    MW_ERR_AUTH, "an empty challenge (NULL, 0) is refused");

	/* the crypto provider fails */
	bad.hash = failing_hash;
	x = start(&chris, &bad, &err);
	CHECK(step(chal) == MW_ERR_CRYPTO && x->step == 0,
	    "a failing hash: MW_ERR_CRYPTO");
	bad = ossl;
	bad.random = NULL;
	start(&chris, &bad, &err);
	CHECK(step(chal) == MW_ERR_CRYPTO, "no random source: MW_ERR_CRYPTO");
}

int
main(void)
{
	mw_crypto_openssl(&ossl);
	CHECK(sizeof(struct mw__digest_client) <= 2048,
	    "the DIGEST-MD5 state is %zu octets",
	    sizeof(struct mw__digest_client));
	rfc_examples();
	wire();
	rspauth_forms();
	malformed();
	accepted();
	arguments();
	failures();
	return check_done();
}
