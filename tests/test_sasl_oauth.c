/*
 * tests/test_sasl_oauth.c: the OAUTHBEARER (RFC 7628) and XOAUTH2
 * clients (src/sasl_oauth.c): RFC 7628 4.1's initial responses byte for
 * byte and as base64, the error exchanges of 4.3 and 4.4, Google's
 * XOAUTH2 example, tokens and names that must be refused, and the
 * scanner of the error JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/base64.h>
#include <mailwire/crypto_openssl.h>
#include <mailwire/sasl.h>

#include "check.h"
#include "../src/sasl_int.h"

static struct mw_crypto ossl;
static struct mw_sasl_client cl;
static unsigned char out[MW_SASL_RESP_MAX + 64];
static size_t outlen;

static const char token[] = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";

static int
out_is(const void *want, size_t n)
{
	return outlen == n && memcmp(out, want, n) == 0;
}

/* out equals the string literal s */
#define OUT_IS(s)	out_is(s, sizeof(s) - 1)

/* s with control characters shown as '.', for a one-line check name */
static const char *
visn(const void *p, size_t n)
{
	static char buf[512];
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n && i < sizeof(buf) - 1; i++)
		buf[i] = s[i] < 0x20 ? '.' : (char)s[i];
	buf[i] = 0;
	return buf;
}

static const char *
vis(const char *s)
{
	return visn(s, strlen(s));
}

static mw_err
initial(enum mw_auth_mech mech, const struct mw_sasl_creds *cr, int *has)
{
	mw_err err;

	outlen = 0;
	*has = -1;
	if ((err = mw_sasl_client_start(&cl, mech, cr, &ossl)) != MW_ERR_OK)
		return err;
	return mw_sasl_client_initial(&cl, out, sizeof(out), &outlen, has);
}

/* The 334 text (base64 of json) through the wire level. */
static mw_err
reply334(const char *json, unsigned char *line, size_t *len)
{
	unsigned char b64[4096];
	size_t n = 0;

	mw_base64_encode((const unsigned char *)json, strlen(json), b64,
	    sizeof(b64), &n);
	*len = 0;
	return mw_sasl_client_reply334(&cl, b64, n, line, 4096, len);
}

static void
rfc7628(void)
{
	/* 4.1, IMAP (port 143) and SMTP (port 587) */
	static const char ir143[] = "n,a=user@example.com,\001host=server.ex"
	    "ample.com\001port=143\001auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhd"
	    "mlzdGEuY29tCg==\001\001";
	static const char b143[] = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2Vy"
	    "dmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRj"
	    "Mk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
	static const char b587[] = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2Vy"
	    "dmVyLmV4YW1wbGUuY29tAXBvcnQ9NTg3AWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRj"
	    "Mk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
	/* 4.3's error result, and 4.4's */
	static const char e43[] = "{\"status\":\"invalid_token\",\"scope\":\"exa"
	    "mple_scope\",\"openid-configuration\":\"https://example.com/.well"
	    "-known/openid-configuration\"}";
	static const char e44[] = "{\"status\":\"invalid_token\",\"schemes\":\""
	    "bearer mac\",\"scope\":\"https://mail.example.com/\"}";
	struct mw_sasl_creds cr = {
		.authzid = "user@example.com", .token = token,
		.host = "server.example.com", .port = 143,
	};
	unsigned char line[4096], want[600];
	size_t len;
	int has;
	mw_err err;

	err = initial(MW_AUTH_OAUTHBEARER, &cr, &has);
	CHECK(err == MW_ERR_OK && has == 1 && out_is(ir143, sizeof(ir143) - 1),
	    "RFC 7628 4.1: the initial client response, byte for byte (%s)",
	    mw_err_name(err));
	err = mw_sasl_client_auth_line(&cl, line, sizeof(line), &len);
	snprintf((char *)want, sizeof(want), "AUTH OAUTHBEARER %s\r\n", b143);
	CHECK(err == MW_ERR_OK && len == strlen((char *)want) &&
	    memcmp(line, want, len) == 0,
	    "RFC 7628 4.1: the AUTH line carries the RFC's base64: %s",
	    visn(line, len));
	CHECK(mw_sasl_client_finish(&cl) == MW_ERR_OK &&
	    strcmp(mw_sasl_client_oauth_status(&cl), "") == 0,
	    "RFC 7628 4.1: 235, finished, no status");

	cr.port = 587;
	mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl);
	err = mw_sasl_client_auth_line(&cl, line, sizeof(line), &len);
	snprintf((char *)want, sizeof(want), "AUTH OAUTHBEARER %s\r\n", b587);
	CHECK(err == MW_ERR_OK && len == strlen((char *)want) &&
	    memcmp(line, want, len) == 0,
	    "RFC 7628 4.1: the SMTP example (port 587) as the RFC has it");

	/* 4.3: the error result is answered by a lone %x01 ("AQ==") */
	mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl);
	mw_sasl_client_auth_line(&cl, line, sizeof(line), &len);
	err = reply334(e43, line, &len);
	CHECK(err == MW_ERR_AUTH && len == 6 && memcmp(line, "AQ==\r\n", 6) == 0,
	    "RFC 7628 4.3: the error JSON is answered by AQ== and reported "
	    "as MW_ERR_AUTH (%s, %s)", mw_err_name(err),
	    visn(line, len));
	CHECK(strcmp(mw_sasl_client_oauth_status(&cl), "invalid_token") == 0,
	    "RFC 7628 4.3: status \"%s\"", mw_sasl_client_oauth_status(&cl));
	CHECK(mw__client(&cl)->complete == 0,
	    "RFC 7628 4.3: after the error the mechanism is not complete");
	/* the 334 text exactly as 4.3 shows it */
	mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl);
	{
		static const char t43[] = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwi"
		    "c2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24i"
		    "OiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25m"
		    "aWd1cmF0aW9uIn0=";

		err = mw_sasl_client_reply334(&cl, (const unsigned char *)t43,
		    strlen(t43), line, sizeof(line), &len);
		CHECK(err == MW_ERR_AUTH && len == 6 &&
		    memcmp(line, "AQ==\r\n", 6) == 0 && strcmp(
		    mw_sasl_client_oauth_status(&cl), "invalid_token") == 0,
		    "RFC 7628 4.3: the RFC's base64 challenge text");
	}
	/* a second challenge after the error: cancelled */
	err = reply334(e43, line, &len);
	CHECK(err != MW_ERR_OK && len == 3 && memcmp(line, "*\r\n", 3) == 0,
	    "a second challenge after the error is cancelled (%s)",
	    mw_err_name(err));

	/* 4.4, SMTP */
	cr = (struct mw_sasl_creds){ .token = token };
	mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl);
	{
		static const char t44[] = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwi"
		    "c2NoZW1lcyI6ImJlYXJlciBtYWMiLCJzY29wZSI6Imh0dHBzOi8vbWFpbC5l"
		    "eGFtcGxlLmNvbS8ifQ==";

		err = mw_sasl_client_reply334(&cl, (const unsigned char *)t44,
		    strlen(t44), line, sizeof(line), &len);
		CHECK(err == MW_ERR_AUTH && len == 6 &&
		    memcmp(line, "AQ==\r\n", 6) == 0 && strcmp(
		    mw_sasl_client_oauth_status(&cl), "invalid_token") == 0,
		    "RFC 7628 4.4: 334 with the error JSON, C: AQ==, status "
		    "invalid_token");
	}
	(void)e44;
	/* the mechanism level */
	mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl);
	outlen = 9;
	err = mw_sasl_client_step(&cl, (const unsigned char *)e44, strlen(e44),
	    out, sizeof(out), &outlen);
	CHECK(err == MW_ERR_AUTH && out_is("\001", 1) && strcmp(
	    mw_sasl_client_oauth_status(&cl), "invalid_token") == 0,
	    "RFC 7628 4.4 at the mechanism level: %%x01 and MW_ERR_AUTH");
	err = mw_sasl_client_step(&cl, (const unsigned char *)e44, strlen(e44),
	    out, 0, &outlen);
	CHECK(err != MW_ERR_OK && err != MW_ERR_AUTH && outlen == 0,
	    "a second challenge at the mechanism level is not answered (%s)",
	    mw_err_name(err));
	mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl);
	err = mw_sasl_client_step(&cl, (const unsigned char *)e44, strlen(e44),
	    out, 0, &outlen);
	CHECK(err == MW_ERR_NOSPACE && outlen == 0 &&
	    mw__client(&cl)->step == 0, "no room for the %%x01: "
	    "MW_ERR_NOSPACE, state unchanged");
}

static void
gs2(void)
{
	struct mw_sasl_creds cr = { .token = "t" };
	int has;
	mw_err err;

	err = initial(MW_AUTH_OAUTHBEARER, &cr, &has);
	CHECK(err == MW_ERR_OK && OUT_IS("n,,\001auth=Bearer t\001\001"),
	    "no authzid, host or port: n,, and auth alone");
	cr.authzid = "a,b=c";
	cr.port = 25;
	err = initial(MW_AUTH_OAUTHBEARER, &cr, &has);
	CHECK(err == MW_ERR_OK && OUT_IS("n,a=a=2Cb=3Dc,\001port=25\001"
	    "auth=Bearer t\001\001"),
	    "RFC 5801 saslname: , as =2C and = as =3D; port without host");
	cr.authzid = NULL;
	cr.port = 65535;
	cr.host = "mx.example.org";
	err = initial(MW_AUTH_OAUTHBEARER, &cr, &has);
	CHECK(err == MW_ERR_OK && OUT_IS("n,,\001host=mx.example.org\001"
	    "port=65535\001auth=Bearer t\001\001"), "port 65535");
	cr.authcid = "ignored@example.org";
	err = initial(MW_AUTH_OAUTHBEARER, &cr, &has);
	CHECK(err == MW_ERR_OK && OUT_IS("n,,\001host=mx.example.org\001"
	    "port=65535\001auth=Bearer t\001\001"),
	    "OAUTHBEARER sends no authcid (the token names the user)");
	err = mw_sasl_client_initial(&cl, out, 49, &outlen, &has);
	CHECK(err == MW_ERR_NOSPACE, "one octet short: MW_ERR_NOSPACE");
}

static void
xoauth2(void)
{
	/* developers.google.com/gmail/imap/xoauth2-protocol */
	static const char g[] = "user=someuser@example.com\001auth=Bearer ya2"
	    "9.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\001\001";
	static const char g64[] = "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJ"
	    "lYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0"
	    "Q2cBAQ==";
	struct mw_sasl_creds cr = {
		.authcid = "someuser@example.com",
		.token = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
	};
	unsigned char line[4096], want[300];
	size_t len;
	int has;
	mw_err err;

	err = initial(MW_AUTH_XOAUTH2, &cr, &has);
	CHECK(err == MW_ERR_OK && has == 1 && out_is(g, sizeof(g) - 1),
	    "XOAUTH2: user= ^A auth=Bearer token ^A ^A, as Google's example");
	err = mw_sasl_client_auth_line(&cl, line, sizeof(line), &len);
	snprintf((char *)want, sizeof(want), "AUTH XOAUTH2 %s\r\n", g64);
	CHECK(err == MW_ERR_OK && len == strlen((char *)want) &&
	    memcmp(line, want, len) == 0, "XOAUTH2: Google's base64");
	CHECK(mw_sasl_client_finish(&cl) == MW_ERR_OK, "XOAUTH2: 235 ends it");
	/* Google's error challenge, answered by an empty line */
	err = reply334("{\"status\":\"400\",\"schemes\":\"Bearer\",\"scope\":"
	    "\"https://mail.google.com/\"}", line, &len);
	CHECK(err == MW_ERR_AUTH && len == 2 && memcmp(line, "\r\n", 2) == 0 &&
	    strcmp(mw_sasl_client_oauth_status(&cl), "400") == 0,
	    "XOAUTH2: the error JSON is answered by an empty response, "
	    "status \"400\"");
	CHECK(mw__client(&cl)->complete == 0,
	    "XOAUTH2: after the error the mechanism is not complete");
	mw_sasl_client_start(&cl, MW_AUTH_XOAUTH2, &cr, &ossl);
	err = mw_sasl_client_step(&cl, NULL, 0, out, sizeof(out), &outlen);
	CHECK(err == MW_ERR_AUTH && outlen == 0 &&
	    strcmp(mw_sasl_client_oauth_status(&cl), "") == 0,
	    "XOAUTH2: an empty challenge (NULL, 0) is an error without status");
	mw_sasl_client_start(&cl, MW_AUTH_XOAUTH2, &cr, &ossl);
	outlen = 5;
	err = mw_sasl_client_step(&cl, (const unsigned char *)"{}", 2, out, 0,
	    &outlen);
	CHECK(err == MW_ERR_AUTH && outlen == 0 &&
	    strcmp(mw_sasl_client_oauth_status(&cl), "") == 0,
	    "XOAUTH2: an error without status, answered in a zero-sized "
	    "buffer");
}

static void
arguments(void)
{
	static const char *const bad[] = {
		NULL, "", "abc def", "abc\001", "abc\r\n", "=abc", "ab=c",
		"abc==x", "a\"b", "a,b", "a\xc3\xa9", "a=\001", "Bearer\tx",
	};
	static const char *const good[] = {
		"a", "abc==", "A-._~+/9=", "Z/+==", "0",
	};
	struct mw_sasl_creds cr = { .authcid = "u", .host = "h" };
	char big[MW_SASL_RESP_MAX + 64];
	int has;
	mw_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr.token = bad[i];
		CHECK(mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr,
		    &ossl) == MW_ERR_INVAL && mw_sasl_client_start(&cl,
		    MW_AUTH_XOAUTH2, &cr, &ossl) == MW_ERR_INVAL,
		    "a token that is not b64token is refused: %s",
		    bad[i] ? vis(bad[i]) : "(null)");
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cr.token = good[i];
		CHECK(mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr,
		    &ossl) == MW_ERR_OK && mw_sasl_client_start(&cl,
		    MW_AUTH_XOAUTH2, &cr, &ossl) == MW_ERR_OK,
		    "b64token accepted: %s", good[i]);
	}
	cr.token = "t";
	cr.authcid = NULL;
	CHECK(mw_sasl_client_start(&cl, MW_AUTH_XOAUTH2, &cr, &ossl) ==
	    MW_ERR_INVAL, "XOAUTH2 without a user");
	cr.authcid = "u\001x";
	CHECK(mw_sasl_client_start(&cl, MW_AUTH_XOAUTH2, &cr, &ossl) ==
	    MW_ERR_INVAL, "XOAUTH2 with %%x01 in the user");
	cr.authcid = "u";
	cr.authzid = "z\001";
	CHECK(mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl) ==
	    MW_ERR_INVAL, "OAUTHBEARER with %%x01 in the authzid");
	cr.authzid = NULL;
	cr.host = "h x";
	CHECK(mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl) ==
	    MW_ERR_INVAL, "a host with a space");
	cr.host = "h\001port=1";
	CHECK(mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl) ==
	    MW_ERR_INVAL, "a host smuggling a kvpair");
	cr.host = "h";
	cr.port = 65536;
	CHECK(mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl) ==
	    MW_ERR_INVAL, "port 65536");
	cr.port = 0;

	/* the response must fit MW_SASL_RESP_MAX; a long one goes after an
	 * empty 334 (RFC 4954 4) */
	memset(big, 'A', sizeof(big));
	big[MW_SASL_RESP_MAX - 25] = 0;	/* "n,,^Ahost=h^Aauth=Bearer " + 2 */
	cr.token = big;
	err = initial(MW_AUTH_OAUTHBEARER, &cr, &has);
	CHECK(err == MW_ERR_OK && outlen == MW_SASL_RESP_MAX,
	    "a response of MW_SASL_RESP_MAX octets is taken (%s, %zu)",
	    mw_err_name(err), outlen);
	big[MW_SASL_RESP_MAX - 25] = 'A';
	big[MW_SASL_RESP_MAX - 24] = 0;
	CHECK(mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl) ==
	    MW_ERR_INVAL, "one octet more is refused at start");
	big[600] = 0;
	{
		unsigned char line[4096], dec[4096];
		size_t len, dlen;
		int ctl;

		mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl);
		err = mw_sasl_client_auth_line(&cl, line, sizeof(line), &len);
		CHECK(err == MW_ERR_OK && len == 18 &&
		    memcmp(line, "AUTH OAUTHBEARER\r\n", 18) == 0,
		    "a 600-octet token: AUTH without initial response");
		err = mw_sasl_client_reply334(&cl, (const unsigned char *)"",
		    0, line, sizeof(line), &len);
		dlen = 0;
		if (err == MW_ERR_OK && len >= 2)
			mw_base64_decode(line, len - 2, dec, sizeof(dec),
			    &dlen, &ctl);
		CHECK(err == MW_ERR_OK && dlen == 600 + 25 &&
		    memcmp(dec, "n,,\001host=h\001auth=Bearer AAA", 26) == 0,
		    "... and the response after the empty 334");
		CHECK(mw_sasl_client_finish(&cl) == MW_ERR_OK,
		    "... then 235 ends it");
	}
}

/* The status the scanner finds in json (OAUTHBEARER's step). */
static const char *
status(const char *json)
{
	struct mw_sasl_creds cr = { .token = "t" };
	size_t n = strlen(json);
	unsigned char *exact = malloc(n + 1);
	mw_err err;

	if (exact == NULL)
		return "(no memory)";
	memcpy(exact, json, n);	/* exactly n octets: ASan sees over-reads */
	mw_sasl_client_start(&cl, MW_AUTH_OAUTHBEARER, &cr, &ossl);
	err = mw_sasl_client_step(&cl, exact, n, out, sizeof(out), &outlen);
	free(exact);
	if (err != MW_ERR_AUTH || !out_is("\001", 1))
		return "(step failed)";
	return mw_sasl_client_oauth_status(&cl);
}

static void
json(void)
{
	static const struct {
		const char	*json;
		const char	*status;
	} t[] = {
		{ "{\"status\":\"invalid_token\"}", "invalid_token" },
		{ " \t\r\n{ \"status\" : \"x\" } \n", "x" },
		{ "{\"scope\":\"s\",\"status\":\"x\"}", "x" },
		{ "{\"a\":{\"b\":[1,-2.5e+3,0.0,true,false,null,{}],\"c\":[]},"
		    "\"status\":\"x\"}", "x" },
		{ "{\"a\":\"\\u00e9\\n\\t\\\"\\\\\\/\\b\\f\\r\",\"status\":\"x\"}",
		    "x" },
		{ "{\"status\":\"a\\\"b\\\\c\\/d\"}", "a\"b\\c/d" },
		{ "{\"status\":\"123456789012345678901234567890123456789012345"
		    "678901234567890123\"}",
		    "123456789012345678901234567890123456789012345678901234567"
		    "890123" },
		{ "{\"status\":\"123456789012345678901234567890123456789012345"
		    "6789012345678901234\"}", "" },
		{ "{\"status\":\"x\",\"status\":\"y\"}", "" },
		{ "{\"status\":\"\\u0041\"}", "" },
		{ "{\"status\":\"a\\nb\"}", "" },
		{ "{\"status\":\"a\tb\"}", "" },
		{ "{\"status\":\"\xc3\xa9\"}", "" },
		{ "{\"status\":400}", "" },
		{ "{\"status\":[\"x\"]}", "" },
		{ "{\"st\\u0061tus\":\"x\"}", "" },
		{ "{\"status\":\"x\"} x", "" },
		{ "{\"status\":\"x\"", "" },
		{ "{\"status\":\"x}", "" },
		{ "{\"status\" \"x\"}", "" },
		{ "{\"status\":\"x\",}", "" },
		{ "{,\"status\":\"x\"}", "" },
		{ "[\"status\",\"x\"]", "" },
		{ "{\"a\":01,\"status\":\"x\"}", "" },
		{ "{\"a\":1.,\"status\":\"x\"}", "" },
		{ "{\"a\":-,\"status\":\"x\"}", "" },
		{ "{\"a\":tru,\"status\":\"x\"}", "" },
		{ "{\"a\":\"\\x\",\"status\":\"x\"}", "" },
		{ "{\"a\":\"\\u12\",\"status\":\"x\"}", "" },
		{ "{\"a\":[1,],\"status\":\"x\"}", "" },
		{ "{\"a\":{\"b\":1,},\"status\":\"x\"}", "" },
		{ "{\"a\":[[[[[[[[1]]]]]]]],\"status\":\"x\"}", "x" },
		{ "{\"a\":[[[[[[[[[1]]]]]]]]],\"status\":\"x\"}", "" },
		{ "{}", "" },
		{ "", "" },
		{ "not json", "" },
		{ "{\"status\":\"\"}", "" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *got = status(t[i].json);

		CHECK(strcmp(got, t[i].status) == 0,
		    "error JSON %s -> status \"%s\" (got \"%s\")",
		    vis(t[i].json), t[i].status, got);
	}
}

int
main(void)
{
	mw_crypto_openssl(&ossl);
	rfc7628();
	gs2();
	xoauth2();
	arguments();
	json();
	return check_done();
}
