/*
 * src/sasl_oauth.c: the OAuth 2.0 bearer token clients, OAUTHBEARER (RFC
 * 7628) and Google's XOAUTH2. Both send everything in the initial
 * response; a challenge from the server is the error JSON of RFC 7628
 * 3.2.2, which the client answers as the mechanism prescribes (3.2.3: a
 * lone %x01; XOAUTH2: an empty response) so that the server can end the
 * exchange with its failure reply.
 */
#include <string.h>

#include "sasl_int.h"

/* RFC 7628 3.1: kvsep = %x01 */
#define KVSEP	"\001"
/* The deepest nesting of objects and arrays in the error result's members
 * that the scanner skips (it does not recurse further); the error result
 * of RFC 7628 3.2.2 is one flat object. */
#define JSON_DEPTH	8

/*
 * RFC 6750 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" /
 * "+" / "/" ) *"=". Anything else could end the kvpair (RFC 7628 3.1
 * value admits CR and LF, never %x01) or smuggle another key.
 */
static int
b64token(const char *s)
{
	size_t i = 0;

	if (s == NULL)
		return 0;
	while ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
	    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.' ||
	    s[i] == '_' || s[i] == '~' || s[i] == '+' || s[i] == '/')
		i++;
	if (i == 0)
		return 0;
	while (s[i] == '=')
		i++;
	return s[i] == '\0';
}

/* RFC 5801 4: saslname, with "," as "=2C" and "=" as "=3D" */
static void
put_saslname(struct mw__out *o, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ',')
			mw__put_str(o, "=2C");
		else if (*s == '=')
			mw__put_str(o, "=3D");
		else
			mw__put(o, s, 1);
	}
}

/*
 * RFC 7628 3.1: client-resp = (gs2-header kvsep *kvpair kvsep), with
 * gs2-header = "n," [ "a=" saslname ] "," (RFC 5801 4: no channel
 * binding), then host, port and auth kvpairs, as in 4.1's example.
 */
static void
oauthbearer_ir(const struct mw_sasl_creds *cr, struct mw__out *o)
{
	mw__put_str(o, "n,");
	if (mw__strlen(cr->authzid) > 0) {
		mw__put_str(o, "a=");
		put_saslname(o, cr->authzid);
	}
	mw__put_str(o, "," KVSEP);
	if (mw__strlen(cr->host) > 0) {
		mw__put_str(o, "host=");
		mw__put_str(o, cr->host);
		mw__put_str(o, KVSEP);
	}
	if (cr->port != 0) {
		/* RFC 7628 3.1: "a decimal positive integer string without
		 * leading zeros" */
		mw__put_str(o, "port=");
		mw__put_u64(o, cr->port);
		mw__put_str(o, KVSEP);
	}
	mw__put_str(o, "auth=Bearer ");
	mw__put_str(o, cr->token);
	mw__put_str(o, KVSEP KVSEP);
}

/* XOAUTH2 (developers.google.com/gmail/imap/xoauth2-protocol):
 * "user=" authcid ^A "auth=Bearer " token ^A ^A */
static void
xoauth2_ir(const struct mw_sasl_creds *cr, struct mw__out *o)
{
	mw__put_str(o, "user=");
	mw__put_str(o, cr->authcid);
	mw__put_str(o, KVSEP "auth=Bearer ");
	mw__put_str(o, cr->token);
	mw__put_str(o, KVSEP KVSEP);
}

static mw_err
oauth_start(struct mw__client *c, int bearer)
{
	const struct mw_sasl_creds *cr = c->cr;
	struct mw__out o = { NULL, 0, 0 };
	const char *s;

	c->step = 0;
	c->oauth_status[0] = '\0';
	if (!b64token(cr->token))
		return MW_ERR_INVAL;
	if (bearer) {
		/* saslname = 1*( UTF8-char-safe / "=2C" / "=3D" ) (RFC 5801
		 * 4); control characters are refused as well */
		if (mw__strlen(cr->authzid) > MW_SASL_NAME_MAX ||
		    mw__has_ctl(cr->authzid))
			return MW_ERR_INVAL;
		/* RFC 7628 3.1: value = *(VCHAR / SP / HTAB / CR / LF); a
		 * host name is VCHARs */
		if (mw__strlen(cr->host) > MW_SASL_NAME_MAX)
			return MW_ERR_INVAL;
		for (s = cr->host; s != NULL && *s != '\0'; s++)
			if ((unsigned char)*s <= 0x20 ||
			    (unsigned char)*s >= 0x7f)
				return MW_ERR_INVAL;
		if (cr->port > 65535)
			return MW_ERR_INVAL;
		oauthbearer_ir(cr, &o);
	} else {
		/* the user name ends at the %x01 after it */
		if (mw__strlen(cr->authcid) == 0 ||
		    mw__strlen(cr->authcid) > MW_SASL_NAME_MAX ||
		    mw__has_ctl(cr->authcid))
			return MW_ERR_INVAL;
		xoauth2_ir(cr, &o);
	}
	/* the whole response must fit the machine's message buffer
	 * (sasl.h MW_SASL_RESP_MAX); a longer token is refused here rather
	 * than at the first step */
	if (o.len > MW_SASL_RESP_MAX)
		return MW_ERR_INVAL;
	return MW_ERR_OK;
}

static mw_err
oauth_initial(struct mw__client *c, unsigned char *out, size_t cap,
    size_t *outlen, int *has, int bearer)
{
	struct mw__out o = { out, cap, 0 };

	*outlen = 0;
	*has = 1;
	if (bearer)
		oauthbearer_ir(c->cr, &o);
	else
		xoauth2_ir(c->cr, &o);
	if (o.len > cap)
		return MW_ERR_NOSPACE;
	*outlen = o.len;
	/* nothing more to do or verify: a 235 ends it well */
	if (c->step == 0)
		c->complete = 1;
	return MW_ERR_OK;
}

/* ---- the error JSON (RFC 7628 3.2.2, RFC 8259) ---- */

struct json {
	const unsigned char	*p;
	const unsigned char	*end;
};

/* RFC 8259 2: ws = *( %x20 / %x09 / %x0A / %x0D ) */
static void
json_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
json_lit(struct json *j, const char *lit)
{
	size_t n = mw__strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

static int
is_hex(unsigned ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	    (ch >= 'A' && ch <= 'F');
}

/*
 * RFC 8259 7: a string, at its opening quote. With dst (the member names
 * and the status), only the escapes \" \\ \/ are decoded and any other
 * is refused; the first cap octets go to dst and *len is the whole
 * decoded length. Without dst every escape is checked and skipped. 0, or
 * -1 if refused.
 */
static int
json_string(struct json *j, unsigned char *dst, size_t cap, size_t *len)
{
	size_t k = 0;

	if (j->p == j->end || *j->p != '"')
		return -1;
	j->p++;
	for (;;) {
		unsigned ch;

		if (j->p == j->end)
			return -1;
		ch = *j->p++;
		if (ch == '"')
			break;
		if (ch < 0x20)
			return -1;
		if (ch == '\\') {
			if (j->p == j->end)
				return -1;
			ch = *j->p++;
			switch (ch) {
			case '"': case '\\': case '/':
				break;
			case 'b': case 'f': case 'n': case 'r': case 't':
				if (dst != NULL)
					return -1;
				break;
			case 'u':
				if (dst != NULL || j->end - j->p < 4 ||
				    !is_hex(j->p[0]) || !is_hex(j->p[1]) ||
				    !is_hex(j->p[2]) || !is_hex(j->p[3]))
					return -1;
				j->p += 4;
				break;
			default:
				return -1;
			}
		}
		if (dst != NULL && k < cap)
			dst[k] = (unsigned char)ch;
		k++;
	}
	*len = k;
	return 0;
}

/* RFC 8259 6: number = [ minus ] int [ frac ] [ exp ] */
static int
json_number(struct json *j)
{
	const unsigned char *s;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0') {
		j->p++;
	} else {
		s = j->p;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
		if (j->p == s)
			return -1;
	}
	if (j->p < j->end && *j->p == '.') {
		s = ++j->p;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
		if (j->p == s)
			return -1;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		s = j->p;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
		if (j->p == s)
			return -1;
	}
	return 0;
}

/* Skips one value (RFC 8259 3) at depth (1 for a member of the top
 * object), with objects and arrays nested at most JSON_DEPTH deep. */
static int
json_skip(struct json *j, int depth)
{
	size_t len;

	json_ws(j);
	if (j->p == j->end)
		return -1;
	switch (*j->p) {
	case '"':
		return json_string(j, NULL, 0, &len);
	case 't':
		return json_lit(j, "true");
	case 'f':
		return json_lit(j, "false");
	case 'n':
		return json_lit(j, "null");
	case '{':
	case '[': {
		unsigned char close = *j->p == '{' ? '}' : ']';

		if (depth > JSON_DEPTH)
			return -1;
		j->p++;
		json_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		for (;;) {
			if (close == '}') {
				json_ws(j);
				if (json_string(j, NULL, 0, &len) != 0)
					return -1;
				json_ws(j);
				if (j->p == j->end || *j->p++ != ':')
					return -1;
			}
			if (json_skip(j, depth + 1) != 0)
				return -1;
			json_ws(j);
			if (j->p == j->end)
				return -1;
			if (*j->p == close) {
				j->p++;
				return 0;
			}
			if (*j->p++ != ',')
				return -1;
		}
	}
	default:
		return json_number(j);
	}
}

/*
 * The "status" member of the error result (RFC 7628 3.2.2), a string of
 * at most 63 printable ASCII octets (an OAuth error code, RFC 6749
 * 5.2), into status (64 octets). The text must be one JSON object
 * (RFC 8259) whose members have distinct-enough names: a second
 * "status" is refused, as a name or status with an escape this scanner
 * does not decode. Refused or absent: status is "".
 */
static void
oauth_status(const unsigned char *in, size_t n, char *status)
{
	struct json j;
	unsigned char name[8], val[63];
	size_t len, vlen = 0, i;
	int found = 0;

	status[0] = '\0';
	if (in == NULL)
		return;
	j.p = in;
	j.end = in + n;
	json_ws(&j);
	if (j.p == j.end || *j.p++ != '{')
		return;
	json_ws(&j);
	if (j.p < j.end && *j.p == '}') {
		j.p++;
	} else {
		for (;;) {
			json_ws(&j);
			if (json_string(&j, name, sizeof(name), &len) != 0)
				return;
			json_ws(&j);
			if (j.p == j.end || *j.p++ != ':')
				return;
			json_ws(&j);
			if (len == 6 && memcmp(name, "status", 6) == 0) {
				if (found || json_string(&j, val, sizeof(val),
				    &vlen) != 0 || vlen > sizeof(val))
					return;
				found = 1;
			} else if (json_skip(&j, 1) != 0) {
				return;
			}
			json_ws(&j);
			if (j.p == j.end)
				return;
			if (*j.p == '}') {
				j.p++;
				break;
			}
			if (*j.p++ != ',')
				return;
		}
	}
	json_ws(&j);
	if (j.p != j.end || !found)
		return;
	for (i = 0; i < vlen; i++)
		if (val[i] < 0x20 || val[i] > 0x7e)
			return;
	memcpy(status, val, vlen);
	status[vlen] = '\0';
}

/*
 * A challenge is the error result: answer it (bearer: a lone %x01, RFC
 * 7628 3.2.3; XOAUTH2: empty), keep its status, and report the failure.
 * The server's 535 (or similar) follows.
 */
static mw_err
oauth_step(struct mw__client *c, const unsigned char *in, size_t n,
    unsigned char *out, size_t cap, size_t *outlen, int bearer)
{
	*outlen = 0;
	c->complete = 0;
	if (c->step != 0) {
		/* after the error result only the server's failure reply
		 * may come (3.2.3); a second challenge is not answered, so
		 * that a server cannot keep the client in a loop (the wire
		 * level cancels) */
		return MW_ERR_STATE;
	}
	if (bearer) {
		if (cap < 1)
			return MW_ERR_NOSPACE;
		out[0] = 0x01;
		*outlen = 1;
	}
	oauth_status(in, n, c->oauth_status);
	c->step = 1;
	return MW_ERR_AUTH;
}

static mw_err
oauthbearer_start(struct mw__client *c)
{
	return oauth_start(c, 1);
}

static mw_err
oauthbearer_initial(struct mw__client *c, unsigned char *out, size_t cap,
    size_t *outlen, int *has)
{
	return oauth_initial(c, out, cap, outlen, has, 1);
}

static mw_err
oauthbearer_step(struct mw__client *c, const unsigned char *in, size_t n,
    unsigned char *out, size_t cap, size_t *outlen)
{
	return oauth_step(c, in, n, out, cap, outlen, 1);
}

static mw_err
xoauth2_start(struct mw__client *c)
{
	return oauth_start(c, 0);
}

static mw_err
xoauth2_initial(struct mw__client *c, unsigned char *out, size_t cap,
    size_t *outlen, int *has)
{
	return oauth_initial(c, out, cap, outlen, has, 0);
}

static mw_err
xoauth2_step(struct mw__client *c, const unsigned char *in, size_t n,
    unsigned char *out, size_t cap, size_t *outlen)
{
	return oauth_step(c, in, n, out, cap, outlen, 0);
}

const struct mw__client_ops mw__oauthbearer_client = {
	oauthbearer_start,
	oauthbearer_initial,
	oauthbearer_step
};

const struct mw__client_ops mw__xoauth2_client = {
	xoauth2_start,
	xoauth2_initial,
	xoauth2_step
};
