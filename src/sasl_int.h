/*
 * src/sasl_int.h: the inside of the SASL machines (mailwire/sasl.h). The
 * public structs are opaque storage; these are what lives in them. Each
 * mechanism is a table of functions (mw__*_client, mw__*_server) that
 * src/sasl.c dispatches to; the wire level (base64, RFC 4954 replies)
 * stays in src/sasl.c, so a mechanism sees decoded messages only.
 */
#ifndef MW_SASL_INT_H
#define MW_SASL_INT_H

#include <stddef.h>

#include <mailwire/sasl.h>

#include "out.h"
#include "sasl_digest.h"
#include "sasl_scram.h"

/* How a server step ended. */
enum mw__verdict {
	MW__CONTINUE,		/* 334: out holds the next challenge */
	MW__SUCCESS,		/* 235 2.7.0 */
	MW__FAIL,		/* 535 5.7.8: wrong credentials, unknown user,
				 * authzid refused, malformed message */
	MW__TEMPFAIL,		/* 454 4.7.0 (also a crypto failure) */
	MW__TOO_WEAK,		/* 534 5.7.9 */
	MW__TRANSITION,		/* 432 4.7.12 */
	MW__IR_REFUSED		/* 501 5.7.0: an initial response to a
				 * mechanism where the server speaks first
				 * (RFC 4954 4) */
};

struct mw__client {
	enum mw_auth_mech		 mech;
	int				 step;		/* the mechanism's */
	int				 complete;	/* done, server verified
							 * where it can be */
	int				 withheld;	/* initial response left
							 * out of the AUTH line */
	size_t				 withheld_len;	/* its length, in out */
	int				 cancelled;
	const struct mw_sasl_creds	*cr;
	const struct mw_crypto		*crypto;
	const struct mw__client_ops	*ops;
	char				 oauth_status[64];
	unsigned char			 in[MW_SASL_MSG_MAX];	/* wire: decoded
								 * challenge */
	unsigned char			 out[MW_SASL_RESP_MAX];	/* wire: raw
								 * response */
	union {
		struct mw__scram_client		scram;
		struct mw__digest_client	digest;
	} m;
};

struct mw__server {
	enum mw_auth_mech			 mech;
	int					 step;
	int					 authenticated;
	int					 done;	/* replied
							 * with a final code */
	const struct mw_sasl_server_config	*cfg;
	struct mw_sasl_session			 sess;
	const struct mw__server_ops		*ops;
	unsigned char				 authcid[MW_SASL_NAME_MAX];
	size_t					 authcid_len;
	unsigned char				 authzid[MW_SASL_NAME_MAX];
	size_t					 authzid_len;
	unsigned char				 in[MW_SASL_MSG_MAX];
	unsigned char				 out[MW_SASL_MSG_MAX];
	union {
		struct mw__scram_server		scram;
		struct {
			unsigned char	challenge[320];
			size_t		len;
		}				cram;
	} m;
};

struct mw__client_ops {
	/* checks c->cr has what the mechanism needs */
	mw_err	(*start)(struct mw__client *c);
	/* *has = 0 if the server speaks first */
	mw_err	(*initial)(struct mw__client *c, unsigned char *out, size_t cap,
		    size_t *outlen, int *has);
	mw_err	(*step)(struct mw__client *c, const unsigned char *in, size_t n,
		    unsigned char *out, size_t cap, size_t *outlen);
};

struct mw__server_ops {
	/* has = 0: no response yet (AUTH without initial response). On
	 * MW__SUCCESS the mechanism has called mw__server_identity. *err is
	 * set only for the caller's errors (MW_ERR_NOSPACE). */
	enum mw__verdict (*step)(struct mw__server *s, const unsigned char *in,
		    size_t n, int has, unsigned char *out, size_t cap,
		    size_t *outlen, mw_err *err);
};

extern const struct mw__client_ops mw__plain_client, mw__login_client,
    mw__cram_client, mw__digest_client, mw__scram_client,
    mw__xoauth2_client, mw__oauthbearer_client, mw__external_client;
extern const struct mw__server_ops mw__plain_server, mw__login_server,
    mw__cram_server, mw__scram_server, mw__external_server;

/* ---- helpers in src/sasl.c, for the mechanisms ---- */

static inline struct mw__client *
mw__client(struct mw_sasl_client *c)
{
	return (struct mw__client *)(void *)c->u.b;
}

static inline struct mw__server *
mw__server(struct mw_sasl_server *s)
{
	return (struct mw__server *)(void *)s->u.b;
}

/* The length of a NUL-terminated string, 0 for NULL. */
size_t	mw__strlen(const char *s);

/* Non-zero if s (NUL-terminated, NULL: empty) holds a control character
 * (0x00-0x1F, 0x7F). */
int	mw__has_ctl(const char *s);


/* out[0..2n) = s[0..n) in lower-case hex (RFC 2195 2, RFC 2831 2.1.2.1) */
void	mw__hex(const unsigned char *s, size_t n, unsigned char *out);

/* The initial response of a mechanism where the server speaks first
 * (LOGIN, CRAM-MD5, DIGEST-MD5): none. */
mw_err	mw__no_initial(struct mw__client *c, unsigned char *out, size_t cap,
	    size_t *outlen, int *has);

/* SASLprep (RFC 4013) of ASCII text: the identity, but control
 * characters are prohibited (MW_ERR_INVAL) and non-ASCII octets are not
 * implemented (MW_ERR_UNSUPPORTED). */
mw_err	mw__saslprep_ascii(const unsigned char *s, size_t n);

/* n printable characters (the base64 alphabet, so never "," or "=")
 * from crypto->random, 6 bits each: octet b gives alphabet[b & 63]. The
 * machines take MW_SASL_NONCE_LEN. Non-zero on failure. */
int	mw__nonce(const struct mw_crypto *crypto, unsigned char *out, size_t n);

/* The user's secrets: cfg->lookup, or the table. */
enum mw_sasl_lookup mw__lookup(struct mw__server *s,
	    const unsigned char *authcid, size_t n, struct mw_sasl_secret *sec);

/* The verdict for a lookup that found no usable user. */
enum mw__verdict mw__lookup_verdict(enum mw_sasl_lookup l);

/* Is the password pw right for sec (plain, else a SCRAM key)?
 * MW__SUCCESS, MW__FAIL, or MW__TEMPFAIL if crypto failed. Constant time
 * in the password's content. */
enum mw__verdict mw__check_password(struct mw__server *s,
	    const struct mw_sasl_secret *sec, const unsigned char *pw, size_t n);

/* Records who authenticated; authzid empty: none asked for. Checks the
 * authorization (cfg->authorize, or equality): MW__SUCCESS or MW__FAIL. */
enum mw__verdict mw__server_identity(struct mw__server *s,
	    const unsigned char *authcid, size_t cn,
	    const unsigned char *authzid, size_t zn);

/* RFC 5802 3: keys from a password (in src/sasl_scram.rl). */
mw_err	mw__scram_derive(const struct mw_crypto *crypto, enum mw_hash h,
	    const unsigned char *pw, size_t pwlen, const unsigned char *salt,
	    size_t saltlen, unsigned iterations, struct mw_sasl_scram_keys *out);

#endif
