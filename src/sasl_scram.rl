/*
 * src/sasl_scram.rl: SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677),
 * client and server, without channel binding (gs2-cbind-flag "n"; the
 * -PLUS variants are not offered).
 *
 * The syntax of the four messages is only the machines generated from
 * grammar/rfc5802.abnf (client-first-message, server-first-message,
 * client-final-message, server-final-message). Their capture hooks give
 * the span of each attribute, "x=" prefix included; C checks on the spans
 * what the ABNF cannot say: attribute names are case-sensitive (RFC 5802
 * 5.1, while ABNF strings are not), the nonce, the channel binding, the
 * lengths, numbers and base64 contents. Hashes, HMAC and Hi() come from
 * the mw_crypto provider.
 */
#include <string.h>

#include <mailwire/base64.h>

#include "captures.h"
#include "sasl_int.h"

/* ---- the message machines -------------------------------------------- */

enum {
	CAP0 = MW__CAP_scram_gs2_cbind_flag,
	NCAP = MW__CAP_scram_client_final_message_without_proof - CAP0 + 1
};

#define CAP(name)	(MW__CAP_scram_##name - CAP0)

/* A captured attribute: [b, e) in the message. */
struct span {
	size_t	b, e;
	int	seen;		/* a LEAVE fired */
};

struct spans {
	const unsigned char	*s;
	struct span		 c[NCAP];
};

/*
 * The DFA runs every reading of the message at once and fires hooks on
 * each: in a client-final-message, "p=..." may be an extension or the
 * proof, and every "," after the nonce may end the part without the
 * proof. The last start and the last end win, which in an accepted
 * message are the proof and the part before it.
 */
static void
cap_enter(struct spans *sp, int id, const unsigned char *p)
{
	if (id >= CAP0 && id - CAP0 < NCAP)
		sp->c[id - CAP0].b = (size_t)(p - sp->s);
}

static void
cap_leave(struct spans *sp, int id, const unsigned char *p)
{
	if (id >= CAP0 && id - CAP0 < NCAP) {
		sp->c[id - CAP0].e = (size_t)(p - sp->s);
		sp->c[id - CAP0].seen = 1;
	}
}

#define MW_CAPTURE_ENTER(id)	cap_enter(sp, (id), p)
#define MW_CAPTURE_LEAVE(id)	cap_leave(sp, (id), p)
#define MW_LENIENT(id)		((void)(id), 0)

%%{
machine scram_cfirst;
alphtype unsigned char;
include grammar "grammar.rl";

main := scram_client_first_message;

write data noerror noentry;
}%%

static int
parse_cfirst(const unsigned char *s, size_t n, struct spans *sp)
{
	const unsigned char *p = s, *pe = s + n, *eof = pe;
	int cs;

	memset(sp, 0, sizeof(*sp));
	sp->s = s;
	%% write init;
	%% write exec;
	return cs >= scram_cfirst_first_final;
}

%%{
machine scram_sfirst;
alphtype unsigned char;
include grammar "grammar.rl";

main := scram_server_first_message;

write data noerror noentry;
}%%

static int
parse_sfirst(const unsigned char *s, size_t n, struct spans *sp)
{
	const unsigned char *p = s, *pe = s + n, *eof = pe;
	int cs;

	memset(sp, 0, sizeof(*sp));
	sp->s = s;
	%% write init;
	%% write exec;
	return cs >= scram_sfirst_first_final;
}

%%{
machine scram_cfinal;
alphtype unsigned char;
include grammar "grammar.rl";

main := scram_client_final_message;

write data noerror noentry;
}%%

static int
parse_cfinal(const unsigned char *s, size_t n, struct spans *sp)
{
	const unsigned char *p = s, *pe = s + n, *eof = pe;
	int cs;

	memset(sp, 0, sizeof(*sp));
	sp->s = s;
	%% write init;
	%% write exec;
	return cs >= scram_cfinal_first_final;
}

%%{
machine scram_sfinal;
alphtype unsigned char;
include grammar "grammar.rl";

main := scram_server_final_message;

write data noerror noentry;
}%%

static int
parse_sfinal(const unsigned char *s, size_t n, struct spans *sp)
{
	const unsigned char *p = s, *pe = s + n, *eof = pe;
	int cs;

	memset(sp, 0, sizeof(*sp));
	sp->s = s;
	%% write init;
	%% write exec;
	return cs >= scram_sfinal_first_final;
}

/* ---- checks on the spans ----------------------------------------------- */

/*
 * The attribute at id, if its name is exactly c: RFC 5802 5.1, "attribute
 * names are ... case-sensitive" (the ABNF's "r=" also matches "R=").
 * *v, *vn: the value after "x=".
 */
static int
attr(const struct spans *sp, int id, unsigned char c, const unsigned char **v,
    size_t *vn)
{
	const struct span *a = &sp->c[id];

	if (!a->seen || a->e < a->b + 2 || sp->s[a->b] != c ||
	    sp->s[a->b + 1] != '=')
		return 0;
	*v = sp->s + a->b + 2;
	*vn = a->e - a->b - 2;
	return 1;
}

/*
 * The extensions in s[b..e), "attr-val *("," attr-val)" by the grammar.
 * RFC 5802 5.1: optional extensions "use as-yet unassigned attribute
 * names" and unknown ones "MUST be ignored"; an attribute the RFC
 * assigns, here, is one repeated or out of its fixed place, and makes the
 * message malformed.
 */
static int
extensions_ok(const unsigned char *s, size_t b, size_t e)
{
	static const char assigned[] = "amnrcspvie";
	size_t i = b;

	while (i < e) {
		if (memchr(assigned, s[i], sizeof(assigned) - 1) != NULL)
			return 0;
		while (i < e && s[i] != ',')
			i++;
		i++;
	}
	return 1;
}

/*
 * saslname (RFC 5802 7) decoded into out[0..MW_SASL_NAME_MAX). RFC 5802
 * 5.1: "," and "=" are sent as "=2C" and "=3D", and a "=" not followed by
 * either fails the authentication; the grammar's "=2C" also matches
 * "=2c", the prose does not.
 */
static int
saslname_decode(const unsigned char *s, size_t n, unsigned char *out,
    size_t *outlen)
{
	size_t i, k = 0;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '=') {
			if (n - i < 3)
				return 0;
			if (s[i + 1] == '2' && s[i + 2] == 'C')
				c = ',';
			else if (s[i + 1] == '3' && s[i + 2] == 'D')
				c = '=';
			else
				return 0;
			i += 2;
		}
		if (k == MW_SASL_NAME_MAX)
			return 0;	/* sasl.h: names up to 255 octets */
		out[k++] = c;
	}
	*outlen = k;
	return 1;
}

/* posit-number (RFC 5802 7) up to MW__SCRAM_ITER_MAX */
static int
count_decode(const unsigned char *s, size_t n, unsigned *out)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > MW__SCRAM_ITER_MAX)
			return 0;
	}
	if (v < 1)
		return 0;
	*out = (unsigned)v;
	return 1;
}

/* ---- output ------------------------------------------------------------ */

static void
put_b64(struct mw__out *w, const unsigned char *s, size_t n)
{
	size_t k = MW_BASE64_ENCODED_LEN(n);

	if (w->len <= w->cap && k <= w->cap - w->len)
		mw_base64_encode(s, n, w->p + w->len, w->cap - w->len, &k);
	w->len += k;
}

/* RFC 5802 5.1: saslname, with "," and "=" as "=2C" and "=3D" */
static void
put_saslname(struct mw__out *w, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == ',')
			mw__put_str(w, "=2C");
		else if (s[i] == '=')
			mw__put_str(w, "=3D");
		else
			mw__put(w, s + i, 1);
	}
}

static void
put_uint(struct mw__out *w, unsigned v)
{
	unsigned char d[16];
	size_t k = sizeof(d);

	do {
		d[--k] = (unsigned char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	mw__put(w, d + k, sizeof(d) - k);
}

/* ---- keys (RFC 5802 3) ------------------------------------------------ */

/* Secrets leave the stack zeroed; volatile, so the stores stay. */
static void
wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

static int
crypto_ok(const struct mw_crypto *crypto)
{
	return crypto != NULL && crypto->hash != NULL &&
	    crypto->hmac != NULL && crypto->pbkdf2 != NULL;
}

static enum mw_hash
mech_hash(enum mw_auth_mech mech)
{
	return mech == MW_AUTH_SCRAM_SHA_256 ? MW_HASH_SHA256 : MW_HASH_SHA1;
}

/*
 * RFC 5802 3: SaltedPassword := Hi(Normalize(password), salt, i),
 * ClientKey := HMAC(SaltedPassword, "Client Key"), StoredKey :=
 * H(ClientKey), ServerKey := HMAC(SaltedPassword, "Server Key").
 * client_key may be NULL. Non-zero if the provider failed.
 */
static int
keys(const struct mw_crypto *crypto, enum mw_hash h, const unsigned char *pw,
    size_t pwlen, const unsigned char *salt, size_t saltlen,
    unsigned iterations, unsigned char *client_key, unsigned char *stored_key,
    unsigned char *server_key)
{
	static const char ck[] = "Client Key", sk[] = "Server Key";
	unsigned char salted[MW_HASH_MAX], client[MW_HASH_MAX];
	struct mw_iov v;
	size_t hl = mw_hash_len(h);
	int rc = -1;

	if (crypto->pbkdf2(crypto->ctx, h, pw, pwlen, salt, saltlen,
	    iterations, salted, hl) != 0)
		goto out;
	v.p = ck;
	v.n = sizeof(ck) - 1;
	if (crypto->hmac(crypto->ctx, h, salted, hl, &v, 1, client) != 0)
		goto out;
	v.p = client;
	v.n = hl;
	if (crypto->hash(crypto->ctx, h, &v, 1, stored_key) != 0)
		goto out;
	v.p = sk;
	v.n = sizeof(sk) - 1;
	if (crypto->hmac(crypto->ctx, h, salted, hl, &v, 1, server_key) != 0)
		goto out;
	if (client_key != NULL)
		memcpy(client_key, client, hl);
	rc = 0;
out:
	wipe(salted, sizeof(salted));
	wipe(client, sizeof(client));
	return rc;
}

mw_err
mw__scram_derive(const struct mw_crypto *crypto, enum mw_hash h,
    const unsigned char *pw, size_t pwlen, const unsigned char *salt,
    size_t saltlen, unsigned iterations, struct mw_sasl_scram_keys *out)
{
	if (out == NULL)
		return MW_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	/* an empty salt is no salt (RFC 5802 9: salted against dictionary
	 * attacks); the struct holds 64 octets; Hi() needs i >= 1 */
	if (!crypto_ok(crypto) || (h != MW_HASH_SHA1 && h != MW_HASH_SHA256) ||
	    (pw == NULL && pwlen > 0) || salt == NULL || saltlen == 0 ||
	    saltlen > sizeof(out->salt) || iterations < 1)
		return MW_ERR_INVAL;
	if (keys(crypto, h, pw, pwlen, salt, saltlen, iterations, NULL,
	    out->stored_key, out->server_key) != 0) {
		memset(out, 0, sizeof(*out));
		return MW_ERR_CRYPTO;
	}
	memcpy(out->salt, salt, saltlen);
	out->salt_len = saltlen;
	out->iterations = iterations;
	return MW_ERR_OK;
}

mw_err
mw_sasl_scram_keys(const struct mw_crypto *crypto, enum mw_hash h,
    const char *password, const unsigned char *salt, size_t salt_len,
    unsigned iterations, struct mw_sasl_scram_keys *out)
{
	size_t n = mw__strlen(password);
	mw_err err;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (password == NULL || out == NULL)
		return MW_ERR_INVAL;
	/* RFC 5802 2.2: Normalize() is SASLprep, ASCII only here */
	if ((err = mw__saslprep_ascii((const unsigned char *)password, n)) !=
	    MW_ERR_OK)
		return err;
	return mw__scram_derive(crypto, h, (const unsigned char *)password, n,
	    salt, salt_len, iterations, out);
}

/*
 * ClientSignature := HMAC(StoredKey, AuthMessage), AuthMessage :=
 * client-first-message-bare + "," + server-first-message + "," +
 * client-final-message-without-proof (RFC 5802 3), hashed in pieces.
 */
static int
auth_hmac(const struct mw_crypto *crypto, enum mw_hash h,
    const unsigned char *key, const unsigned char *bare, size_t bn,
    const unsigned char *sfirst, size_t sn, const unsigned char *wp,
    size_t wn, unsigned char *out)
{
	struct mw_iov v[5] = {
		{ bare, bn }, { ",", 1 }, { sfirst, sn }, { ",", 1 }, { wp, wn }
	};

	return crypto->hmac(crypto->ctx, h, key, mw_hash_len(h), v, 5, out);
}

/* 1 if s[0..n) can be a nonce part: 1*printable (RFC 5802 7) */
static int
nonce_ok(const unsigned char *s, size_t n)
{
	size_t i;

	if (s == NULL || n < 1 || n > MW__SCRAM_NONCE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == ',')
			return 0;
	return 1;
}

/* ---- client ------------------------------------------------------------ */

mw_err
mw__scram_client_nonce(struct mw__client *c, const unsigned char *nonce,
    size_t n)
{
	if (c == NULL || !nonce_ok(nonce, n))
		return MW_ERR_INVAL;
	if (c->step != 0)
		return MW_ERR_STATE;
	memcpy(c->m.scram.nonce, nonce, n);
	c->m.scram.nonce_len = n;
	return MW_ERR_OK;
}

static mw_err
client_start(struct mw__client *c)
{
	const struct mw_sasl_creds *cr = c->cr;
	const char *names[3];
	size_t i, n;
	mw_err err;

	memset(&c->m.scram, 0, sizeof(c->m.scram));
	if (c->mech != MW_AUTH_SCRAM_SHA_1 && c->mech != MW_AUTH_SCRAM_SHA_256)
		return MW_ERR_INVAL;
	if (!crypto_ok(c->crypto) || c->crypto->random == NULL)
		return MW_ERR_INVAL;
	c->m.scram.hash = mech_hash(c->mech);
	/* RFC 5802 5.1: a username is required; a password too */
	if (mw__strlen(cr->authcid) == 0 || mw__strlen(cr->password) == 0)
		return MW_ERR_INVAL;
	names[0] = cr->authcid;
	names[1] = cr->password;
	names[2] = cr->authzid;
	for (i = 0; i < 3; i++) {
		n = mw__strlen(names[i]);
		if (n > MW_SASL_NAME_MAX)
			return MW_ERR_INVAL;	/* sasl.h: 255 octets */
		/* RFC 5802 5.1, 2.2: SASLprep; ASCII only (sasl.h) */
		err = mw__saslprep_ascii((const unsigned char *)names[i], n);
		if (err != MW_ERR_OK)
			return err;
	}
	return MW_ERR_OK;
}

/*
 * client-first-message = gs2-header client-first-message-bare (RFC 5802
 * 7): "n," ["a=" authzid] "," "n=" username ",r=" c-nonce. No channel
 * binding: "n" (RFC 5802 6). *gs2 is the gs2-header's length.
 */
static void
client_first(const struct mw__client *c, struct mw__out *w, size_t *gs2)
{
	const struct mw_sasl_creds *cr = c->cr;

	mw__put_str(w, "n,");
	if (mw__strlen(cr->authzid) > 0) {
		mw__put_str(w, "a=");
		put_saslname(w, (const unsigned char *)cr->authzid,
		    strlen(cr->authzid));
	}
	mw__put_str(w, ",");
	*gs2 = w->len;
	mw__put_str(w, "n=");
	put_saslname(w, (const unsigned char *)cr->authcid,
	    strlen(cr->authcid));
	mw__put_str(w, ",r=");
	mw__put(w, c->m.scram.nonce, c->m.scram.nonce_len);
}

static mw_err
client_initial(struct mw__client *c, unsigned char *out, size_t cap,
    size_t *outlen, int *has)
{
	struct mw__scram_client *st = &c->m.scram;
	struct mw__out w = { out, cap, 0 };
	size_t gs2;

	*has = 1;	/* RFC 5802 5: the client speaks first */
	*outlen = 0;
	if (c->step != 0)
		return MW_ERR_STATE;
	if (st->nonce_len == 0) {
		/* RFC 5802 5.1 r: random, different for each exchange */
		if (mw__nonce(c->crypto, st->nonce, MW_SASL_NONCE_LEN) != 0)
			return MW_ERR_CRYPTO;
		st->nonce_len = MW_SASL_NONCE_LEN;
	}
	client_first(c, &w, &gs2);
	if (w.len > w.cap)
		return MW_ERR_NOSPACE;
	*outlen = w.len;
	return MW_ERR_OK;
}

/* The server-first-message: the client-final-message to out. */
static mw_err
client_final(struct mw__client *c, const unsigned char *in, size_t n,
    unsigned char *out, size_t cap, size_t *outlen)
{
	struct mw__scram_client *st = &c->m.scram;
	const struct mw_crypto *crypto = c->crypto;
	const struct mw_sasl_creds *cr = c->cr;
	unsigned char first[MW_SASL_MSG_MAX];
	unsigned char salt[MW_BASE64_DECODED_MAX(MW_SASL_MSG_MAX)];
	unsigned char client_key[MW_HASH_MAX], stored_key[MW_HASH_MAX];
	unsigned char server_key[MW_HASH_MAX], sig[MW_HASH_MAX];
	unsigned char proof[MW_HASH_MAX];
	struct mw__out fw = { first, sizeof(first), 0 };
	struct mw__out w = { out, cap, 0 };
	struct spans sp;
	const unsigned char *v;
	size_t vn, saltlen, gs2, i, wp, hl = mw_hash_len(st->hash);
	unsigned iterations;
	int ctl;
	mw_err err = MW_ERR_AUTH;

	if (!parse_sfirst(in, n, &sp))
		return MW_ERR_AUTH;
	/* RFC 5802 5.1 m: its presence "MUST cause authentication failure" */
	if (sp.c[CAP(reserved_mext)].seen)
		return MW_ERR_AUTH;
	/* RFC 5802 5.1 r: the nonce starts with ours; the server adds to it
	 * (s-nonce is 1*printable, RFC 5802 7 and erratum 2651) */
	if (!attr(&sp, CAP(nonce), 'r', &v, &vn) || vn <= st->nonce_len ||
	    memcmp(v, st->nonce, st->nonce_len) != 0)
		return MW_ERR_AUTH;
	/* RFC 5802 5.1 s: a base64 salt; an empty one is refused */
	if (!attr(&sp, CAP(salt), 's', &v, &vn) ||
	    mw_base64_decode(v, vn, salt, sizeof(salt), &saltlen, &ctl) !=
	    MW_ERR_OK || saltlen == 0)
		return MW_ERR_AUTH;
	/* RFC 5802 5.1 i: 1 to MW__SCRAM_ITER_MAX (a hostile server could
	 * make Hi() run for ever) */
	if (!attr(&sp, CAP(iteration_count), 'i', &v, &vn) ||
	    !count_decode(v, vn, &iterations))
		return MW_ERR_AUTH;
	if (!extensions_ok(in, sp.c[CAP(iteration_count)].e + 1, n))
		return MW_ERR_AUTH;

	/* client-final-message-without-proof: "c=" base64(gs2-header) ","
	 * nonce, the whole nonce the server sent (RFC 5802 5.1 c, r) */
	client_first(c, &fw, &gs2);
	if (fw.len > fw.cap)
		return MW_ERR_NOSPACE;
	attr(&sp, CAP(nonce), 'r', &v, &vn);
	mw__put_str(&w, "c=");
	put_b64(&w, first, gs2);
	mw__put_str(&w, ",r=");
	mw__put(&w, v, vn);
	if (w.len > w.cap)
		return MW_ERR_NOSPACE;
	wp = w.len;

	/* RFC 5802 3: ClientProof := ClientKey XOR ClientSignature;
	 * ServerSignature := HMAC(ServerKey, AuthMessage) */
	if (keys(crypto, st->hash, (const unsigned char *)cr->password,
	    strlen(cr->password), salt, saltlen, iterations, client_key,
	    stored_key, server_key) != 0 ||
	    auth_hmac(crypto, st->hash, stored_key, first + gs2,
	    fw.len - gs2, in, n, out, wp, sig) != 0 ||
	    auth_hmac(crypto, st->hash, server_key, first + gs2,
	    fw.len - gs2, in, n, out, wp, st->server_sig) != 0) {
		err = MW_ERR_CRYPTO;
		goto out;
	}
	for (i = 0; i < hl; i++)
		proof[i] = client_key[i] ^ sig[i];
	mw__put_str(&w, ",p=");
	put_b64(&w, proof, hl);
	if (w.len > w.cap) {
		err = MW_ERR_NOSPACE;
		goto out;
	}
	*outlen = w.len;
	c->step = 1;
	err = MW_ERR_OK;
out:
	wipe(client_key, sizeof(client_key));
	wipe(stored_key, sizeof(stored_key));
	wipe(server_key, sizeof(server_key));
	wipe(sig, sizeof(sig));
	wipe(proof, sizeof(proof));
	return err;
}

/* The server-final-message: the server proves itself with v=. */
static mw_err
client_verify(struct mw__client *c, const unsigned char *in, size_t n,
    size_t *outlen)
{
	struct mw__scram_client *st = &c->m.scram;
	unsigned char sig[MW_BASE64_DECODED_MAX(MW_SASL_MSG_MAX)];
	struct spans sp;
	const unsigned char *v;
	size_t vn, siglen, hl = mw_hash_len(st->hash);
	int ctl;

	if (!parse_sfinal(in, n, &sp))
		return MW_ERR_AUTH;
	/* RFC 5802 5.1 e: the server reports a failure */
	if (sp.c[CAP(server_error_value)].seen)
		return MW_ERR_AUTH;
	if (!attr(&sp, CAP(verifier), 'v', &v, &vn) ||
	    !extensions_ok(in, sp.c[CAP(verifier)].e + 1, n) ||
	    mw_base64_decode(v, vn, sig, sizeof(sig), &siglen, &ctl) !=
	    MW_ERR_OK || siglen != hl)
		return MW_ERR_AUTH;
	/* RFC 5802 3: "The client then authenticates the server by
	 * computing the ServerSignature and comparing it" */
	if (mw_ct_compare(sig, st->server_sig, hl) != 0)
		return MW_ERR_AUTH;
	c->step = 2;
	c->complete = 1;
	*outlen = 0;	/* RFC 4954 4: an empty response to the last 334 */
	return MW_ERR_OK;
}

static mw_err
client_step(struct mw__client *c, const unsigned char *in, size_t n,
    unsigned char *out, size_t cap, size_t *outlen)
{
	*outlen = 0;
	if (c->m.scram.nonce_len == 0)
		return MW_ERR_STATE;	/* no client-first-message yet */
	switch (c->step) {
	case 0:
		return client_final(c, in, n, out, cap, outlen);
	case 1:
		return client_verify(c, in, n, outlen);
	default:
		return MW_ERR_AUTH;	/* RFC 5802 5: no third challenge */
	}
}

const struct mw__client_ops mw__scram_client = {
	client_start, client_initial, client_step
};

/* ---- server ------------------------------------------------------------ */

mw_err
mw__scram_server_nonce(struct mw__server *s, const unsigned char *nonce,
    size_t n)
{
	if (s == NULL || !nonce_ok(nonce, n))
		return MW_ERR_INVAL;
	if (s->step != 0)
		return MW_ERR_STATE;
	memcpy(s->m.scram.snonce, nonce, n);
	s->m.scram.snonce_len = n;
	return MW_ERR_OK;
}

/* server-first-message = nonce "," salt "," iteration-count (RFC 5802 7):
 * "r=" c-nonce s-nonce ",s=" base64(salt) ",i=" count */
static void
server_first(const struct mw__scram_server *st, struct mw__out *w)
{
	mw__put_str(w, "r=");
	mw__put(w, st->cfm + st->cnonce_off, st->cnonce_len);
	mw__put(w, st->snonce, st->snonce_len);
	mw__put_str(w, ",s=");
	put_b64(w, st->keys.salt, st->keys.salt_len);
	mw__put_str(w, ",i=");
	put_uint(w, st->keys.iterations);
}

/* The client-first-message: the server-first-message to out. */
static enum mw__verdict
server_challenge(struct mw__server *s, const unsigned char *in, size_t n,
    unsigned char *out, size_t cap, size_t *outlen, mw_err *err)
{
	struct mw__scram_server *st = &s->m.scram;
	const struct mw_crypto *crypto = s->cfg->crypto;
	const struct mw_sasl_scram_keys *k;
	struct mw_sasl_secret sec;
	enum mw_sasl_lookup l;
	unsigned char scratch[MW_SASL_MSG_MAX];
	struct mw__out w = { scratch, sizeof(scratch), 0 };
	struct spans sp;
	const unsigned char *v, *f;
	size_t vn;

	st->hash = mech_hash(s->mech);
	if (n > sizeof(st->cfm) || !parse_cfirst(in, n, &sp))
		return MW__FAIL;
	/* RFC 5802 6: "y" (the client thinks we have no channel binding:
	 * right, no -PLUS is offered) or "n"; "p" needs binding we do not
	 * support: fail. Lower case (RFC 5802 5.1, the ABNF's are not). */
	f = in + sp.c[CAP(gs2_cbind_flag)].b;
	if (sp.c[CAP(gs2_cbind_flag)].e - sp.c[CAP(gs2_cbind_flag)].b != 1 ||
	    (f[0] != 'n' && f[0] != 'y'))
		return MW__FAIL;
	st->zid_len = 0;
	if (sp.c[CAP(authzid)].seen &&
	    (!attr(&sp, CAP(authzid), 'a', &v, &vn) ||
	    !saslname_decode(v, vn, st->zid, &st->zid_len)))
		return MW__FAIL;
	/* RFC 5802 5.1 m: "MUST cause authentication failure" */
	if (sp.c[CAP(reserved_mext)].seen)
		return MW__FAIL;
	/* RFC 5802 5.1 n: a "=" not followed by "2C" or "3D" fails; the
	 * name is SASLprep-ed (ASCII only: anything else fails) but is
	 * hashed as received */
	if (!attr(&sp, CAP(username), 'n', &v, &vn) ||
	    !saslname_decode(v, vn, st->user, &st->user_len) ||
	    mw__saslprep_ascii(st->user, st->user_len) != MW_ERR_OK)
		return MW__FAIL;
	if (!attr(&sp, CAP(nonce), 'r', &v, &vn) ||
	    !extensions_ok(in, sp.c[CAP(nonce)].e + 1, n))
		return MW__FAIL;
	memcpy(st->cfm, in, n);
	st->cfm_len = n;
	st->gs2_len = sp.c[CAP(client_first_message_bare)].b;
	st->cnonce_off = (size_t)(v - in);
	st->cnonce_len = vn;

	l = mw__lookup(s, st->user, st->user_len, &sec);
	if (l != MW_SASL_FOUND)
		return mw__lookup_verdict(l);
	k = st->hash == MW_HASH_SHA256 ? sec.scram_sha256 : sec.scram_sha1;
	if (k == NULL)
		return MW__FAIL;	/* no keys for this hash: as no user */
	/* keys the store should never hold: the server's fault */
	if (k->salt_len == 0 || k->salt_len > sizeof(k->salt) ||
	    k->iterations < 1 || !crypto_ok(crypto))
		return MW__TEMPFAIL;
	st->keys = *k;
	if (st->snonce_len == 0) {
		if (mw__nonce(crypto, st->snonce, MW_SASL_NONCE_LEN) != 0)
			return MW__TEMPFAIL;
		st->snonce_len = MW_SASL_NONCE_LEN;
	}
	/* a client nonce that leaves no room for ours within the longest
	 * message of the exchange is refused, not a caller's NOSPACE */
	server_first(st, &w);
	if (w.len > w.cap)
		return MW__FAIL;
	if (w.len > cap) {
		*err = MW_ERR_NOSPACE;
		return MW__TEMPFAIL;
	}
	memcpy(out, scratch, w.len);
	*outlen = w.len;
	s->step = 1;
	return MW__CONTINUE;
}

/* The client-final-message: the server-final-message to out. */
static enum mw__verdict
server_verify(struct mw__server *s, const unsigned char *in, size_t n,
    unsigned char *out, size_t cap, size_t *outlen, mw_err *err)
{
	struct mw__scram_server *st = &s->m.scram;
	const struct mw_crypto *crypto = s->cfg->crypto;
	unsigned char sfirst[MW_SASL_MSG_MAX];
	unsigned char dec[MW_BASE64_DECODED_MAX(MW_SASL_MSG_MAX)];
	unsigned char sig[MW_HASH_MAX], key[MW_HASH_MAX], h[MW_HASH_MAX];
	struct mw__out fw = { sfirst, sizeof(sfirst), 0 };
	struct mw__out w = { out, cap, 0 };
	struct spans sp;
	struct mw_iov iov;
	const unsigned char *v;
	size_t vn, dn, i, wp, hl = mw_hash_len(st->hash);
	enum mw__verdict verdict = MW__FAIL;
	int ctl;

	if (!parse_cfinal(in, n, &sp))
		return MW__FAIL;
	/* RFC 5802 5.1 c: the gs2-header of the client-first-message, and
	 * no channel binding data (RFC 5802 7 cbind-input: none for "n"
	 * and "y") */
	if (!attr(&sp, CAP(channel_binding), 'c', &v, &vn) ||
	    mw_base64_decode(v, vn, dec, sizeof(dec), &dn, &ctl) !=
	    MW_ERR_OK || dn != st->gs2_len ||
	    memcmp(dec, st->cfm, dn) != 0)
		return MW__FAIL;
	/* RFC 5802 5.1 r: "the same as the one sent by the server" */
	if (!attr(&sp, CAP(nonce), 'r', &v, &vn) ||
	    vn != st->cnonce_len + st->snonce_len ||
	    memcmp(v, st->cfm + st->cnonce_off, st->cnonce_len) != 0 ||
	    memcmp(v + st->cnonce_len, st->snonce, st->snonce_len) != 0)
		return MW__FAIL;
	wp = sp.c[CAP(client_final_message_without_proof)].e;
	if (!sp.c[CAP(client_final_message_without_proof)].seen ||
	    !extensions_ok(in, sp.c[CAP(nonce)].e + 1, wp))
		return MW__FAIL;
	if (!attr(&sp, CAP(proof), 'p', &v, &vn) ||
	    sp.c[CAP(proof)].b != wp + 1 ||
	    mw_base64_decode(v, vn, dec, sizeof(dec), &dn, &ctl) !=
	    MW_ERR_OK || dn != hl)
		return MW__FAIL;

	/* RFC 5802 3: ClientKey := ClientProof XOR HMAC(StoredKey,
	 * AuthMessage); the client knew the password if H(ClientKey) is
	 * StoredKey */
	server_first(st, &fw);
	if (fw.len > fw.cap)
		return MW__FAIL;	/* cannot be: it fitted before */
	if (auth_hmac(crypto, st->hash, st->keys.stored_key,
	    st->cfm + st->gs2_len, st->cfm_len - st->gs2_len, sfirst, fw.len,
	    in, wp, sig) != 0) {
		verdict = MW__TEMPFAIL;
		goto out;
	}
	for (i = 0; i < hl; i++)
		key[i] = dec[i] ^ sig[i];
	iov.p = key;
	iov.n = hl;
	if (crypto->hash(crypto->ctx, st->hash, &iov, 1, h) != 0) {
		verdict = MW__TEMPFAIL;
		goto out;
	}
	if (mw_ct_compare(h, st->keys.stored_key, hl) != 0)
		goto out;
	/* RFC 5802 5.1 a: authorization after authentication */
	if (mw__server_identity(s, st->user, st->user_len, st->zid,
	    st->zid_len) != MW__SUCCESS)
		goto out;
	/* RFC 5802 3: the server proves itself with ServerSignature :=
	 * HMAC(ServerKey, AuthMessage), sent as a 334 challenge (RFC 4954
	 * 4: additional data with success) */
	if (auth_hmac(crypto, st->hash, st->keys.server_key,
	    st->cfm + st->gs2_len, st->cfm_len - st->gs2_len, sfirst, fw.len,
	    in, wp, sig) != 0) {
		verdict = MW__TEMPFAIL;
		goto out;
	}
	mw__put_str(&w, "v=");
	put_b64(&w, sig, hl);
	if (w.len > w.cap) {
		*err = MW_ERR_NOSPACE;
		verdict = MW__TEMPFAIL;
		goto out;
	}
	*outlen = w.len;
	s->step = 2;
	verdict = MW__CONTINUE;
out:
	wipe(key, sizeof(key));
	wipe(sig, sizeof(sig));
	return verdict;
}

static enum mw__verdict
server_step(struct mw__server *s, const unsigned char *in, size_t n, int has,
    unsigned char *out, size_t cap, size_t *outlen, mw_err *err)
{
	struct mw__scram_server *st = &s->m.scram;

	*outlen = 0;
	switch (s->step) {
	case 0:
		if (!has) {
			/* RFC 4422 5.1: no initial response, so an empty
			 * challenge asks for the client-first-message */
			if (st->asked)
				return MW__FAIL;
			st->asked = 1;
			return MW__CONTINUE;
		}
		return server_challenge(s, in, n, out, cap, outlen, err);
	case 1:
		if (!has)
			return MW__FAIL;
		return server_verify(s, in, n, out, cap, outlen, err);
	case 2:
		/* RFC 4954 4: the client answers the server-final-message
		 * with an empty response */
		if (!has || n != 0)
			return MW__FAIL;
		s->step = 3;
		return MW__SUCCESS;
	default:
		return MW__FAIL;
	}
}

const struct mw__server_ops mw__scram_server = {
	server_step
};
