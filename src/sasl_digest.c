/*
 * src/sasl_digest.c: the DIGEST-MD5 client (RFC 2831), qop "auth" only:
 * no integrity or confidentiality layer (2.3, 2.4) and no subsequent
 * authentication (2.2). RFC 6331 made the mechanism Historic; it is here
 * because deployed servers still offer it.
 *
 * RFC 2831's grammar is not RFC 5234 ABNF but the augmented BNF of
 * HTTP/1.1 (RFC 2831 7.1): #rule lists, whose null elements are allowed,
 * and linear white space implied between any two words and separators.
 * mwgen reads ABNF only, so the digest-challenge (2.1.1) and the
 * response-auth (2.1.3) are read by the small tokenizer below, not by a
 * generated machine (docs/DECISIONS.md). It is strict:
 *  - a directive is token "=" (token / quoted-string), with the rule's own
 *    form: nonce, realm, qop and cipher quoted, the others a token;
 *  - LWS is SP, HT, or CRLF followed by SP or HT (7.2); a quoted-string
 *    holds no CR, LF or other control character but HT, not even escaped
 *    (a NUL or CRLF in a realm we echo back could cut the response);
 *  - nonce, algorithm, charset, stale, maxbuf, qop and cipher appear at
 *    most once (2.1.1); nonce and algorithm=md5-sess must appear;
 *  - every value taken is bounded (sasl_digest.h), the challenge is less
 *    than 2048 octets (2.1.1).
 */
#include <string.h>

#include "sasl_int.h"

#define SEEN_NONCE	0x01
#define SEEN_QOP	0x02
#define SEEN_STALE	0x04
#define SEEN_MAXBUF	0x08
#define SEEN_CHARSET	0x10
#define SEEN_ALGORITHM	0x20
#define SEEN_CIPHER	0x40

/* RFC 2831 2.1.1: "The size of a digest-challenge MUST be less than 2048
 * bytes." */
#define CHALLENGE_MAX	2048
/* A qop-options or cipher-opts value after unquoting: a handful of
 * tokens. */
#define LIST_MAX	255
/* RFC 2831 2.1.1 maxbuf-value = 1*DIGIT, unbounded there; it matters
 * only to the security layers (2.3, 2.4), not implemented, and 10 digits
 * cover every 32-bit size. */
#define MAXBUF_DIGITS	10
/* c->step after a refused challenge or rspauth (sasl_digest.h) */
#define STEP_FAILED	3


/* ---- the RFC 2831 7 tokenizer ---- */

struct lex {
	const unsigned char	*p;
	const unsigned char	*end;
};

/* One directive: name "=" value; val is the text inside the quotes with
 * its quoted-pairs still escaped. */
struct dir {
	const unsigned char	*name;
	size_t			 namelen;
	const unsigned char	*val;
	size_t			 vallen;
	int			 quoted;
};

/* RFC 2831 7.2: CTL */
static int
is_ctl(unsigned ch)
{
	return ch < 0x20 || ch == 0x7f;
}

/* RFC 2831 7.2: token = 1*<any CHAR except CTLs or separators> */
static int
is_tchar(unsigned ch)
{
	if (ch >= 0x80 || is_ctl(ch))
		return 0;
	switch (ch) {
	case '(': case ')': case '<': case '>': case '@': case ',':
	case ';': case ':': case '\\': case '"': case '/': case '[':
	case ']': case '?': case '=': case '{': case '}': case ' ':
		return 0;
	}
	return 1;
}

/* RFC 2831 7.2: LWS = [CRLF] 1*( SP | HT ), implied between words */
static void
skip_lws(struct lex *lx)
{
	while (lx->p < lx->end) {
		if (*lx->p == ' ' || *lx->p == '\t')
			lx->p++;
		else if (lx->end - lx->p >= 3 && lx->p[0] == '\r' &&
		    lx->p[1] == '\n' && (lx->p[2] == ' ' || lx->p[2] == '\t'))
			lx->p += 3;
		else
			break;
	}
}

static size_t
token(struct lex *lx)
{
	const unsigned char *s = lx->p;

	while (lx->p < lx->end && is_tchar(*lx->p))
		lx->p++;
	return (size_t)(lx->p - s);
}

/*
 * Skips the separators of a #rule list (RFC 2831 7.1: elements separated
 * by commas and optional LWS, null elements allowed). 0 at the end of
 * the list, 1 before an element.
 */
static int
list_next(struct lex *lx)
{
	for (;;) {
		skip_lws(lx);
		if (lx->p == lx->end)
			return 0;
		if (*lx->p != ',')
			return 1;
		lx->p++;
	}
}

/* After an element: LWS, then the end or a comma. */
static int
list_sep(struct lex *lx)
{
	skip_lws(lx);
	return lx->p == lx->end || *lx->p == ',';
}

/*
 * The next directive of a 1#( name "=" value ) list. 1: d is set; 0: the
 * list is over; -1: not the grammar (an unterminated quote, a bare
 * token, a control character, ...).
 */
static int
next_dir(struct lex *lx, struct dir *d)
{
	if (!list_next(lx))
		return 0;
	d->name = lx->p;
	if ((d->namelen = token(lx)) == 0)
		return -1;
	skip_lws(lx);
	if (lx->p == lx->end || *lx->p != '=')
		return -1;
	lx->p++;
	skip_lws(lx);
	if (lx->p < lx->end && *lx->p == '"') {
		/* RFC 2831 7.2: quoted-string = ( <"> qdstr-val <"> ),
		 * qdstr-val = *( qdtext | quoted-pair ), quoted-pair =
		 * "\" CHAR */
		d->quoted = 1;
		d->val = ++lx->p;
		for (;;) {
			unsigned ch;

			if (lx->p == lx->end)
				return -1;
			ch = *lx->p;
			if (ch == '"')
				break;
			if (ch == '\\') {
				if (lx->end - lx->p < 2)
					return -1;
				ch = lx->p[1];
				if (ch >= 0x80 || (is_ctl(ch) && ch != '\t'))
					return -1;
				lx->p += 2;
				continue;
			}
			if (is_ctl(ch) && ch != '\t')
				return -1;
			lx->p++;
		}
		d->vallen = (size_t)(lx->p - d->val);
		lx->p++;
	} else {
		d->quoted = 0;
		d->val = lx->p;
		if ((d->vallen = token(lx)) == 0)
			return -1;
	}
	return list_sep(lx) ? 1 : -1;
}

/* The value of d unquoted into dst (cap octets); -1 if it is longer. */
static int
unquote(const struct dir *d, unsigned char *dst, size_t cap, size_t *len)
{
	size_t i, k = 0;

	for (i = 0; i < d->vallen; i++) {
		unsigned char ch = d->val[i];

		if (d->quoted && ch == '\\')
			ch = d->val[++i];	/* next_dir checked it is there */
		if (k == cap)
			return -1;
		dst[k++] = ch;
	}
	*len = k;
	return 0;
}

/* s[0..n) equals the literal lit, ignoring ASCII case (RFC 2831 7.1:
 * "Unless stated otherwise, the text is case-insensitive"). */
static int
eqi(const unsigned char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned a = s[i], b = (unsigned char)lit[i];

		if (b == 0)
			return 0;
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (a != b)
			return 0;
	}
	return lit[n] == 0;
}

/*
 * A quoted list of tokens, qop-list = 1#qop-value or 1#cipher-value
 * (RFC 2831 2.1.1), after unquoting. -1 if it is not one; *has_auth is
 * set if "auth" is among them.
 */
static int
token_list(const unsigned char *s, size_t n, int *has_auth)
{
	struct lex lx = { s, s + n };
	int count = 0;

	while (list_next(&lx)) {
		const unsigned char *t = lx.p;
		size_t k;

		if ((k = token(&lx)) == 0 || !list_sep(&lx))
			return -1;
		if (eqi(t, k, "auth"))
			*has_auth = 1;
		count++;
	}
	return count > 0 ? 0 : -1;
}

/* ---- step one: digest-challenge to digest-response ---- */

struct challenge {
	unsigned char	realm[MW__DIGEST_VALUE_MAX];	/* the first */
	size_t		realm_len;
	int		has_realm;
	unsigned char	nonce[MW__DIGEST_VALUE_MAX];
	size_t		nonce_len;
	unsigned	seen;
	int		qop_auth;
	int		utf8;
};

/* RFC 2831 2.1.1. MW_ERR_AUTH if malformed, MW_ERR_UNSUPPORTED if the
 * server offers no qop we implement. */
static mw_err
parse_challenge(const unsigned char *in, size_t n, struct challenge *ch)
{
	struct lex lx;
	struct dir d;
	unsigned char scratch[LIST_MAX];
	size_t len;
	int r, any = 0;

	memset(ch, 0, sizeof(*ch));
	if (n == 0 || n >= CHALLENGE_MAX)
		return MW_ERR_AUTH;
	lx.p = in;
	lx.end = in + n;
	while ((r = next_dir(&lx, &d)) == 1) {
		unsigned bit = 0;

		any = 1;
		if (eqi(d.name, d.namelen, "realm")) {
			/* several realms are allowed; the first is taken */
			if (!d.quoted)
				return MW_ERR_AUTH;
			if (ch->has_realm) {
				if (unquote(&d, scratch, MW__DIGEST_VALUE_MAX,
				    &len) != 0)
					return MW_ERR_AUTH;
				continue;
			}
			if (unquote(&d, ch->realm, sizeof(ch->realm),
			    &ch->realm_len) != 0)
				return MW_ERR_AUTH;
			ch->has_realm = 1;
			continue;
		} else if (eqi(d.name, d.namelen, "nonce")) {
			bit = SEEN_NONCE;
			/* an empty nonce would make the response replayable */
			if (!d.quoted || unquote(&d, ch->nonce,
			    sizeof(ch->nonce), &ch->nonce_len) != 0 ||
			    ch->nonce_len == 0)
				return MW_ERR_AUTH;
		} else if (eqi(d.name, d.namelen, "qop")) {
			bit = SEEN_QOP;
			if (!d.quoted || unquote(&d, scratch, sizeof(scratch),
			    &len) != 0 ||
			    token_list(scratch, len, &ch->qop_auth) != 0)
				return MW_ERR_AUTH;
		} else if (eqi(d.name, d.namelen, "cipher")) {
			/* only for auth-conf, which is not implemented */
			int unused = 0;

			bit = SEEN_CIPHER;
			if (!d.quoted || unquote(&d, scratch, sizeof(scratch),
			    &len) != 0 || token_list(scratch, len, &unused) != 0)
				return MW_ERR_AUTH;
		} else if (eqi(d.name, d.namelen, "stale")) {
			/* stale = "stale" "=" "true"; only for subsequent
			 * authentication (2.2), which is not implemented */
			bit = SEEN_STALE;
			if (d.quoted || !eqi(d.val, d.vallen, "true"))
				return MW_ERR_AUTH;
		} else if (eqi(d.name, d.namelen, "maxbuf")) {
			/* maxbuf-value = 1*DIGIT; only for the security
			 * layers, which are not implemented */
			size_t i;

			bit = SEEN_MAXBUF;
			if (d.quoted || d.vallen > MAXBUF_DIGITS)
				return MW_ERR_AUTH;
			for (i = 0; i < d.vallen; i++)
				if (d.val[i] < '0' || d.val[i] > '9')
					return MW_ERR_AUTH;
		} else if (eqi(d.name, d.namelen, "charset")) {
			bit = SEEN_CHARSET;
			if (d.quoted || !eqi(d.val, d.vallen, "utf-8"))
				return MW_ERR_AUTH;
			ch->utf8 = 1;
		} else if (eqi(d.name, d.namelen, "algorithm")) {
			bit = SEEN_ALGORITHM;
			if (d.quoted || !eqi(d.val, d.vallen, "md5-sess"))
				return MW_ERR_AUTH;
		}
		/* anything else is an auth-param: "The client MUST ignore
		 * any unrecognized directives" (opaque and domain too) */
		if (bit != 0) {
			/* 2.1.1: "if multiple instances are present, the
			 * client should abort the authentication exchange" */
			if (ch->seen & bit)
				return MW_ERR_AUTH;
			ch->seen |= bit;
		}
	}
	if (r < 0 || !any)
		return MW_ERR_AUTH;
	/* 2.1.1: nonce and algorithm are "required and MUST appear exactly
	 * once" */
	if ((ch->seen & (SEEN_NONCE | SEEN_ALGORITHM)) !=
	    (SEEN_NONCE | SEEN_ALGORITHM))
		return MW_ERR_AUTH;
	/* qop-options "defaults to auth"; "if the client recognizes no
	 * option, it should abort" */
	if (!(ch->seen & SEEN_QOP))
		ch->qop_auth = 1;
	if (!ch->qop_auth)
		return MW_ERR_UNSUPPORTED;
	return MW_ERR_OK;
}

static int
is_ascii(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 0x80)
			return 0;
	return 1;
}

/*
 * RFC 2831 2.1.2.1: with charset=utf-8, a string whose characters all
 * lie in ISO 8859-1 is converted to ISO 8859-1 before it is hashed, so
 * that stored H({ username, ":", realm, ":", passwd }) are shared with
 * HTTP Digest. As section 8's sample code and Cyrus SASL, this is done
 * for the realm too. Returns s itself if the string has another
 * character; buf has room for n octets.
 */
static const unsigned char *
latin1(const unsigned char *s, size_t n, unsigned char *buf, size_t *len)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < 0x80) {
			buf[k++] = s[i];
		} else if ((s[i] == 0xc2 || s[i] == 0xc3) && i + 1 < n &&
		    s[i + 1] >= 0x80 && s[i + 1] <= 0xbf) {
			buf[k++] = (unsigned char)(((s[i] & 0x03) << 6) |
			    (s[i + 1] & 0x3f));
			i++;
		} else {
			*len = n;
			return s;
		}
	}
	*len = k;
	return buf;
}

/* Clears secrets from the stack (the volatile keeps the stores). */
static void
wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

struct span {
	const unsigned char	*p;
	size_t			 n;
};

struct inputs {
	struct span	user, realm, pass, nonce, cnonce, authzid, uri;
	int		utf8;
};

/*
 * RFC 2831 2.1.2.1 and 2.1.3: response-value (A2 = "AUTHENTICATE:"
 * digest-uri) into resp and the server's rspauth (A2 = ":" digest-uri)
 * into rspauth, both 32 LHEX. Non-zero if the crypto provider failed.
 */
static int
compute(const struct mw_crypto *cr, const struct inputs *x,
    unsigned char resp[MW__DIGEST_HEX], unsigned char rspauth[MW__DIGEST_HEX])
{
	unsigned char ubuf[MW_SASL_NAME_MAX], rbuf[MW__DIGEST_VALUE_MAX];
	unsigned char pbuf[MW_SASL_NAME_MAX];
	unsigned char h[16], ha1[MW__DIGEST_HEX], ha2[MW__DIGEST_HEX];
	struct mw_iov iov[9];
	struct span u = x->user, r = x->realm, p = x->pass;
	int pass, rc = -1;

	if (x->utf8) {
		u.p = latin1(u.p, u.n, ubuf, &u.n);
		r.p = latin1(r.p, r.n, rbuf, &r.n);
		p.p = latin1(p.p, p.n, pbuf, &p.n);
	}
	/* A1 = { H( { username-value, ":", realm-value, ":", passwd } ),
	 *      ":", nonce-value, ":", cnonce-value [ ":", authzid-value ] } */
	iov[0] = (struct mw_iov){ u.p, u.n };
	iov[1] = (struct mw_iov){ ":", 1 };
	iov[2] = (struct mw_iov){ r.p, r.n };
	iov[3] = (struct mw_iov){ ":", 1 };
	iov[4] = (struct mw_iov){ p.p, p.n };
	if (cr->hash(cr->ctx, MW_HASH_MD5, iov, 5, h) != 0)
		goto out;
	iov[0] = (struct mw_iov){ h, sizeof(h) };
	iov[1] = (struct mw_iov){ ":", 1 };
	iov[2] = (struct mw_iov){ x->nonce.p, x->nonce.n };
	iov[3] = (struct mw_iov){ ":", 1 };
	iov[4] = (struct mw_iov){ x->cnonce.p, x->cnonce.n };
	iov[5] = (struct mw_iov){ ":", 1 };
	iov[6] = (struct mw_iov){ x->authzid.p, x->authzid.n };
	if (cr->hash(cr->ctx, MW_HASH_MD5, iov, x->authzid.n > 0 ? 7 : 5,
	    h) != 0)
		goto out;
	mw__hex(h, sizeof(h), ha1);
	for (pass = 0; pass < 2; pass++) {
		/* HEX(H(A2)) */
		iov[0] = pass == 0 ? (struct mw_iov){ "AUTHENTICATE:", 13 } :
		    (struct mw_iov){ ":", 1 };
		iov[1] = (struct mw_iov){ x->uri.p, x->uri.n };
		if (cr->hash(cr->ctx, MW_HASH_MD5, iov, 2, h) != 0)
			goto out;
		mw__hex(h, sizeof(h), ha2);
		/* HEX(KD(HEX(H(A1)), { nonce-value, ":" nc-value, ":",
		 * cnonce-value, ":", qop-value, ":", HEX(H(A2)) })),
		 * KD(k, s) = H({k, ":", s}) */
		iov[0] = (struct mw_iov){ ha1, sizeof(ha1) };
		iov[1] = (struct mw_iov){ ":", 1 };
		iov[2] = (struct mw_iov){ x->nonce.p, x->nonce.n };
		iov[3] = (struct mw_iov){ ":00000001:", 10 };
		iov[4] = (struct mw_iov){ x->cnonce.p, x->cnonce.n };
		iov[5] = (struct mw_iov){ ":auth:", 6 };
		iov[6] = (struct mw_iov){ ha2, sizeof(ha2) };
		if (cr->hash(cr->ctx, MW_HASH_MD5, iov, 7, h) != 0)
			goto out;
		mw__hex(h, sizeof(h), pass == 0 ? resp : rspauth);
	}
	rc = 0;
out:
	wipe(pbuf, sizeof(pbuf));
	wipe(h, sizeof(h));
	wipe(ha1, sizeof(ha1));
	return rc;
}

/* RFC 2831 7.2: a quoted-string, with <"> and "\" as quoted-pairs */
static void
putq(struct mw__out *o, const unsigned char *s, size_t n)
{
	size_t i;

	mw__put(o, "\"", 1);
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			mw__put(o, "\\", 1);
		mw__put(o, s + i, 1);
	}
	mw__put(o, "\"", 1);
}

/* What the mechanism needs of cr, and the bounds the buffers of
 * mw__digest_respond rely on. */
static mw_err
check_creds(const struct mw_sasl_creds *cr)
{
	const char *s;
	size_t n;

	/* names and password: bounded (sasl.h), no control characters in
	 * what goes into quoted-strings (7.2 qdtext) */
	n = mw__strlen(cr->authcid);
	if (n == 0 || n > MW_SASL_NAME_MAX || mw__has_ctl(cr->authcid))
		return MW_ERR_INVAL;
	n = mw__strlen(cr->password);
	if (n == 0 || n > MW_SASL_NAME_MAX)
		return MW_ERR_INVAL;
	if (mw__strlen(cr->authzid) > MW_SASL_NAME_MAX || mw__has_ctl(cr->authzid))
		return MW_ERR_INVAL;
	if (mw__strlen(cr->realm) > MW__DIGEST_VALUE_MAX ||
	    mw__has_ctl(cr->realm))
		return MW_ERR_INVAL;
	/* 2.1.2: host = 1*( ALPHA | DIGIT | "-" | "." ) */
	n = mw__strlen(cr->host);
	if (n == 0 || n > MW__DIGEST_HOST_MAX)
		return MW_ERR_INVAL;
	for (s = cr->host; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			return MW_ERR_INVAL;
	/* serv-type = 1*ALPHA */
	if (cr->service != NULL && *cr->service != '\0') {
		if (mw__strlen(cr->service) > MW__DIGEST_SERV_MAX)
			return MW_ERR_INVAL;
		for (s = cr->service; *s != '\0'; s++)
			if (!((*s >= 'a' && *s <= 'z') ||
			    (*s >= 'A' && *s <= 'Z')))
				return MW_ERR_INVAL;
	}
	return MW_ERR_OK;
}

mw_err
mw__digest_respond(struct mw__client *c, const unsigned char *in, size_t n,
    const unsigned char *cnonce, size_t cnlen, unsigned char *out, size_t cap,
    size_t *outlen)
{
	const struct mw_sasl_creds *cr = c->cr;
	struct challenge ch;
	struct inputs x;
	struct mw__out o = { out, cap, 0 };
	unsigned char uri[MW__DIGEST_SERV_MAX + 1 + MW__DIGEST_HOST_MAX];
	unsigned char resp[MW__DIGEST_HEX], rspauth[MW__DIGEST_HEX];
	const char *serv = cr->service != NULL && *cr->service != '\0' ?
	    cr->service : "smtp";
	size_t sn = mw__strlen(serv), hn = mw__strlen(cr->host);
	mw_err err;

	*outlen = 0;
	if (cnlen == 0 || (in == NULL && n > 0))
		return MW_ERR_INVAL;
	if ((err = check_creds(cr)) != MW_ERR_OK)
		return err;
	if ((err = parse_challenge(in, n, &ch)) != MW_ERR_OK)
		return err;

	x.utf8 = ch.utf8;
	x.user = (struct span){ (const unsigned char *)cr->authcid,
	    mw__strlen(cr->authcid) };
	x.pass = (struct span){ (const unsigned char *)cr->password,
	    mw__strlen(cr->password) };
	x.authzid = (struct span){ (const unsigned char *)cr->authzid,
	    mw__strlen(cr->authzid) };
	/* the caller's realm, else the server's first (2.1.1: "the user or
	 * client must choose one"), else none: A1 then has "" */
	if (mw__strlen(cr->realm) > 0)
		x.realm = (struct span){ (const unsigned char *)cr->realm,
		    mw__strlen(cr->realm) };
	else
		x.realm = (struct span){ ch.realm, ch.realm_len };
	x.nonce = (struct span){ ch.nonce, ch.nonce_len };
	x.cnonce = (struct span){ cnonce, cnlen };
	/* 2.1.2: without charset=utf-8 the names and password are ISO
	 * 8859-1; the caller's are octets of unknown charset, so only ASCII
	 * can be sent then, rather than a guess */
	if (!ch.utf8 && (!is_ascii(x.user.p, x.user.n) ||
	    !is_ascii(x.pass.p, x.pass.n) ||
	    (mw__strlen(cr->realm) > 0 && !is_ascii(x.realm.p, x.realm.n))))
		return MW_ERR_UNSUPPORTED;
	/* digest-uri-value = serv-type "/" host (2.1.2; check_creds
	 * checked both) */
	memcpy(uri, serv, sn);
	uri[sn] = '/';
	memcpy(uri + sn + 1, cr->host, hn);
	x.uri = (struct span){ uri, sn + 1 + hn };
	if (compute(c->crypto, &x, resp, rspauth) != 0)
		return MW_ERR_CRYPTO;

	/* in the order of RFC 2831 4's example, authzid last */
	if (ch.utf8)
		mw__put_str(&o, "charset=utf-8,");
	mw__put_str(&o, "username=");
	putq(&o, x.user.p, x.user.n);
	if (mw__strlen(cr->realm) > 0 || ch.has_realm) {
		mw__put_str(&o, ",realm=");
		putq(&o, x.realm.p, x.realm.n);
	}
	mw__put_str(&o, ",nonce=");
	putq(&o, x.nonce.p, x.nonce.n);
	mw__put_str(&o, ",nc=00000001,cnonce=");
	putq(&o, x.cnonce.p, x.cnonce.n);
	mw__put_str(&o, ",digest-uri=");
	putq(&o, x.uri.p, x.uri.n);
	mw__put_str(&o, ",response=");
	mw__put(&o, resp, sizeof(resp));
	mw__put_str(&o, ",qop=auth");
	if (x.authzid.n > 0) {
		mw__put_str(&o, ",authzid=");
		putq(&o, x.authzid.p, x.authzid.n);
	}
	if (o.len > cap)
		return MW_ERR_NOSPACE;
	memcpy(c->m.digest.rspauth, rspauth, sizeof(rspauth));
	c->step = 1;
	*outlen = o.len;
	return MW_ERR_OK;
}

/* ---- step three: response-auth ---- */

/* RFC 2831 2.1.3: response-auth = "rspauth" "=" response-value */
static mw_err
verify(struct mw__client *c, const unsigned char *in, size_t n)
{
	struct lex lx;
	struct dir d;

	if (n == 0)
		return MW_ERR_AUTH;
	lx.p = in;
	lx.end = in + n;
	if (next_dir(&lx, &d) != 1 || !eqi(d.name, d.namelen, "rspauth") ||
	    d.quoted || d.vallen != MW__DIGEST_HEX || next_dir(&lx, &d) != 0)
		return MW_ERR_AUTH;
	if (mw_ct_compare(d.val, c->m.digest.rspauth, MW__DIGEST_HEX) != 0)
		return MW_ERR_AUTH;
	return MW_ERR_OK;
}

/* ---- the ops ---- */

static mw_err
digest_start(struct mw__client *c)
{
	memset(&c->m.digest, 0, sizeof(c->m.digest));
	c->step = 0;
	return check_creds(c->cr);
}

static mw_err
digest_step(struct mw__client *c, const unsigned char *in, size_t n,
    unsigned char *out, size_t cap, size_t *outlen)
{
	unsigned char cnonce[MW_SASL_NONCE_LEN];
	mw_err err;

	*outlen = 0;
	switch (c->step) {
	case 0:
		/* 2.1.2: cnonce "MUST be different each time" */
		if (mw__nonce(c->crypto, cnonce, sizeof(cnonce)) != 0)
			return MW_ERR_CRYPTO;
		err = mw__digest_respond(c, in, n, cnonce, sizeof(cnonce),
		    out, cap, outlen);
		if (err == MW_ERR_AUTH || err == MW_ERR_UNSUPPORTED)
			c->step = STEP_FAILED;
		return err;
	case 1:
		/* the server proves it knows the password too; the answer
		 * to response-auth is empty, and 235 follows */
		if ((err = verify(c, in, n)) != MW_ERR_OK) {
			/* no second guess at the rspauth */
			c->step = STEP_FAILED;
			return err;
		}
		c->step = 2;
		c->complete = 1;
		return MW_ERR_OK;
	default:
		/* nothing comes after response-auth but the 235, nor after
		 * a failure */
		return MW_ERR_AUTH;
	}
}

const struct mw__client_ops mw__digest_client = {
	digest_start,
	mw__no_initial,
	digest_step
};
