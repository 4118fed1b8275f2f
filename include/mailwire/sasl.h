/*
 * mailwire/sasl.h: SMTP AUTH (RFC 4954) and its SASL mechanisms (RFC 4422)
 * as sans-I/O state machines, one per mechanism and side.
 *
 * Two levels:
 *  - the mechanism level (mw_sasl_client_step, mw_sasl_server_step) works
 *    on decoded messages: a challenge in, the next response out;
 *  - the wire level (mw_sasl_client_auth_line, mw_sasl_client_reply334,
 *    mw_sasl_server_auth, mw_sasl_server_line) adds what RFC 4954 says of
 *    the SMTP exchange: base64, "=" for an empty initial response, "*" to
 *    cancel, the 12288-octet line limit, the reply codes and enhanced
 *    status codes of RFC 4954 6. The session engines use this level.
 *
 * The machines are pure: no I/O, no clock (the time comes in), no
 * allocation, no globals. Their state is a fixed-size struct the caller
 * allocates; every output goes to a buffer the caller passes. Hashes,
 * HMAC, PBKDF2 and random octets come from a mw_crypto provider
 * (mailwire/crypto.h).
 *
 * Identities and passwords are octet strings, compared exactly. SASLprep
 * (RFC 4013) is implemented for ASCII only, where it is the identity map
 * except that control characters are prohibited: a name or password with
 * a non-ASCII octet is refused with MW_ERR_UNSUPPORTED by the mechanisms
 * that call for SASLprep (SCRAM, RFC 5802 5.1), never silently passed on.
 */
#ifndef MAILWIRE_SASL_H
#define MAILWIRE_SASL_H

#include <stddef.h>
#include <stdint.h>

#include <mailwire/crypto.h>
#include <mailwire/error.h>
#include <mailwire/mech.h>

/* RFC 4616 2: authzid, authcid and passwd are accepted up to 255 octets;
 * mailwire uses the same bound for every mechanism. */
#define MW_SASL_NAME_MAX	255
/* RFC 4954 4: a response line of more than 12288 octets of base64 (CRLF
 * not counted) is refused with 500 5.5.6. */
#define MW_SASL_LINE_MAX	12288
/* The longest decoded challenge or response a machine accepts: every
 * message of the mechanisms below fits (names are at most 255 octets);
 * a longer one is refused as malformed. */
#define MW_SASL_MSG_MAX		2048
/* The longest response a client makes: what a 12288-octet line of base64
 * carries (RFC 4954 4). OAuth 2.0 access tokens of a few kilobytes (RFC
 * 7628) need more than MW_SASL_MSG_MAX. */
#define MW_SASL_RESP_MAX	(MW_SASL_LINE_MAX / 4 * 3)
/* Characters of a nonce this side makes (SCRAM, DIGEST-MD5 cnonce,
 * CRAM-MD5 challenge): 6 random bits each, 144 bits in all. */
#define MW_SASL_NONCE_LEN	24
/* The longest AUTH command line (RFC 5321 4.5.3.1.4), CRLF included. */
#define MW_SASL_AUTH_LINE_MAX	512

/* What each side implements. */
#define MW_SASL_CLIENT_MECHS						\
	(MW_AUTH_BIT(MW_AUTH_PLAIN) | MW_AUTH_BIT(MW_AUTH_LOGIN) |	\
	 MW_AUTH_BIT(MW_AUTH_CRAM_MD5) | MW_AUTH_BIT(MW_AUTH_DIGEST_MD5) |	\
	 MW_AUTH_BIT(MW_AUTH_SCRAM_SHA_1) |				\
	 MW_AUTH_BIT(MW_AUTH_SCRAM_SHA_256) |				\
	 MW_AUTH_BIT(MW_AUTH_XOAUTH2) | MW_AUTH_BIT(MW_AUTH_OAUTHBEARER) |	\
	 MW_AUTH_BIT(MW_AUTH_EXTERNAL))
#define MW_SASL_SERVER_MECHS						\
	(MW_AUTH_BIT(MW_AUTH_PLAIN) | MW_AUTH_BIT(MW_AUTH_LOGIN) |	\
	 MW_AUTH_BIT(MW_AUTH_CRAM_MD5) |				\
	 MW_AUTH_BIT(MW_AUTH_SCRAM_SHA_1) |				\
	 MW_AUTH_BIT(MW_AUTH_SCRAM_SHA_256) |				\
	 MW_AUTH_BIT(MW_AUTH_EXTERNAL))
/* Mechanisms that send the password itself (RFC 4954 4: not offered
 * without TLS unless configured). */
#define MW_SASL_PLAINTEXT_MECHS						\
	(MW_AUTH_BIT(MW_AUTH_PLAIN) | MW_AUTH_BIT(MW_AUTH_LOGIN))

/*
 * The mechanism a client uses: the strongest in offered & allowed (sets
 * of MW_AUTH_BIT), in this order: EXTERNAL, SCRAM-SHA-256, SCRAM-SHA-1,
 * OAUTHBEARER, XOAUTH2, DIGEST-MD5, CRAM-MD5, PLAIN, LOGIN. (EXTERNAL and
 * the token mechanisms are chosen only if the caller allows them, which it
 * does when it has a client certificate or a token.) MW_AUTH_OTHER if
 * none.
 */
enum mw_auth_mech	 mw_sasl_choose(uint32_t offered, uint32_t allowed);

/* ---- client ------------------------------------------------------------ */

/* What the client authenticates with. Strings are NUL-terminated; NULL
 * and "" mean absent. The struct must outlive the exchange. */
struct mw_sasl_creds {
	const char	*authcid;	/* the user name */
	const char	*authzid;	/* act as this identity (PLAIN, SCRAM,
					 * DIGEST-MD5, OAUTHBEARER, EXTERNAL) */
	const char	*password;	/* PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5,
					 * SCRAM */
	const char	*token;		/* OAuth 2.0 bearer token (XOAUTH2,
					 * OAUTHBEARER) */
	const char	*host;		/* the server's host name: DIGEST-MD5
					 * digest-uri (required), OAUTHBEARER
					 * host= (left out if NULL) */
	unsigned	 port;		/* OAUTHBEARER port=; 0: left out */
	const char	*service;	/* DIGEST-MD5 digest-uri serv-type;
					 * NULL: "smtp" */
	const char	*realm;		/* DIGEST-MD5; NULL: the server's first
					 * realm, or none */
};

/* A client exchange's state; treat as opaque. */
struct mw_sasl_client {
	union {
		unsigned char	b[16384];
		uint64_t	align;
	} u;
};

/*
 * Starts an exchange with mechanism mech (one of MW_SASL_CLIENT_MECHS).
 * cr and crypto must outlive it. MW_ERR_INVAL if the mechanism is not
 * implemented or cr lacks what it needs (a password, a token);
 * MW_ERR_UNSUPPORTED if SCRAM's SASLprep would need more than ASCII.
 */
mw_err	mw_sasl_client_start(struct mw_sasl_client *c, enum mw_auth_mech mech,
	    const struct mw_sasl_creds *cr, const struct mw_crypto *crypto);

/*
 * The initial response (RFC 4422 3.3): *has is 1 and out[0..*outlen) the
 * response (possibly empty) for mechanisms where the client speaks first,
 * 0 for those where the server does (LOGIN, CRAM-MD5, DIGEST-MD5).
 */
mw_err	mw_sasl_client_initial(struct mw_sasl_client *c, unsigned char *out,
	    size_t cap, size_t *outlen, int *has);

/*
 * The response to the decoded challenge in[0..n). MW_ERR_AUTH if the
 * challenge is malformed, or the server failed to prove itself (SCRAM's
 * verifier, DIGEST-MD5's rspauth) or reported an error (SCRAM's e=, the
 * OAuth error of OAUTHBEARER and XOAUTH2: the response is then the one
 * the mechanism prescribes, a lone %x01 or an empty response, and
 * mw_sasl_client_oauth_status tells the server's status);
 * MW_ERR_UNSUPPORTED if the server asks for what is not implemented
 * (DIGEST-MD5 without qop "auth", or non-ASCII names without
 * charset=utf-8); MW_ERR_STATE for a challenge after the last one (a
 * second OAuth error).
 */
mw_err	mw_sasl_client_step(struct mw_sasl_client *c, const unsigned char *in,
	    size_t n, unsigned char *out, size_t cap, size_t *outlen);

/*
 * After the server's 235: MW_ERR_OK if the mechanism is complete (its
 * last message sent, no error reported), with the server verified where
 * the mechanism can (SCRAM, DIGEST-MD5); MW_ERR_AUTH otherwise (a 235
 * before the server proved itself must not be trusted, RFC 5802 5).
 */
mw_err	mw_sasl_client_finish(const struct mw_sasl_client *c);

/* The "status" of the error JSON an OAUTHBEARER or XOAUTH2 server sent
 * (RFC 7628 3.2.2), "" if none. */
const char *mw_sasl_client_oauth_status(const struct mw_sasl_client *c);

/*
 * Wire level. The AUTH command, "AUTH mech[ initial-response]" CRLF, into
 * out. The initial response is base64, or "=" when empty (RFC 4954 4); if
 * it would make the line longer than 512 octets it is left out, and sent
 * as the response to the server's first (empty) 334 instead.
 */
mw_err	mw_sasl_client_auth_line(struct mw_sasl_client *c, unsigned char *out,
	    size_t cap, size_t *outlen);

/*
 * The line answering "334 text": text[0..n) is the reply text after
 * "334 " (base64, possibly empty). Writes the base64 response and CRLF to
 * out. If the challenge is not base64 (RFC 4954 4: the client MUST cancel)
 * or the mechanism refuses it, writes the cancel line "*" CRLF instead
 * and returns MW_ERR_SYNTAX or the mechanism's error.
 */
mw_err	mw_sasl_client_reply334(struct mw_sasl_client *c,
	    const unsigned char *text, size_t n, unsigned char *out, size_t cap,
	    size_t *outlen);

/* ---- server ------------------------------------------------------------ */

/* RFC 5802 3: what a SCRAM server stores per user instead of the password. */
struct mw_sasl_scram_keys {
	unsigned char	stored_key[MW_HASH_MAX];	/* H(ClientKey) */
	unsigned char	server_key[MW_HASH_MAX];
	unsigned char	salt[64];
	size_t		salt_len;
	unsigned	iterations;
};

/*
 * Derives the keys a server stores for password under hash (MW_HASH_SHA1
 * or MW_HASH_SHA256), salt and iterations (RFC 5802 3), for provisioning.
 * MW_ERR_UNSUPPORTED if the password is not ASCII (SASLprep);
 * MW_ERR_INVAL for NULL arguments, a provider without hmac/hash/pbkdf2,
 * another hash, a salt that is empty or over 64 octets, 0 iterations;
 * MW_ERR_CRYPTO if the provider fails.
 */
mw_err	mw_sasl_scram_keys(const struct mw_crypto *crypto, enum mw_hash h,
	    const char *password, const unsigned char *salt, size_t salt_len,
	    unsigned iterations, struct mw_sasl_scram_keys *out);

/* A user's secrets, as the lookup gives them; absent ones are NULL. PLAIN
 * and LOGIN check a password against password or, if that is absent,
 * against a SCRAM key (so a server need not store passwords); CRAM-MD5
 * needs password; SCRAM needs its keys. */
struct mw_sasl_secret {
	const unsigned char			*password;
	size_t					 password_len;
	const struct mw_sasl_scram_keys		*scram_sha1;
	const struct mw_sasl_scram_keys		*scram_sha256;
};

/* What a credential lookup found. */
enum mw_sasl_lookup {
	MW_SASL_FOUND,
	MW_SASL_NO_USER,	/* 535 5.7.8, like a wrong password */
	MW_SASL_TEMPFAIL,	/* 454 4.7.0: the database is unavailable */
	MW_SASL_TOO_WEAK,	/* 534 5.7.9: this user needs a stronger
				 * mechanism */
	MW_SASL_TRANSITION	/* 432 4.7.12: a password transition is
				 * needed */
};

/* A table of users, for servers without a callback. */
struct mw_sasl_user {
	const char		*name;		/* authcid, NUL-terminated */
	struct mw_sasl_secret	 secret;
};

struct mw_sasl_server_config {
	const struct mw_crypto	*crypto;
	uint32_t		 mechs;		/* offered: a subset of
						 * MW_SASL_SERVER_MECHS */
	uint32_t		 need_tls;	/* refused with 538 5.7.11
						 * without TLS (RFC 4954 4) */
	const char		*hostname;	/* in the CRAM-MD5 challenge */
	/* The user's secrets, from a callback or, if it is NULL, the table.
	 * Pointers set in *out must stay valid until the step returns. */
	enum mw_sasl_lookup	(*lookup)(void *arg, enum mw_auth_mech mech,
				    const unsigned char *authcid, size_t n,
				    struct mw_sasl_secret *out);
	/* May authcid act as authzid (both non-empty)? Non-zero: yes. NULL:
	 * only if they are equal. */
	int			(*authorize)(void *arg,
				    const unsigned char *authcid, size_t cn,
				    const unsigned char *authzid, size_t zn);
	void			*arg;
	const struct mw_sasl_user *users;
	size_t			 nusers;
};

/* What the session around the exchange knows. */
struct mw_sasl_session {
	int			 tls;		/* the connection is encrypted */
	const unsigned char	*external;	/* EXTERNAL: the identity the
						 * TLS client certificate
						 * proved; NULL: none */
	size_t			 external_len;
	uint64_t		 now;		/* seconds since the epoch:
						 * the CRAM-MD5 timestamp */
};

/* A server exchange's state; treat as opaque. */
struct mw_sasl_server {
	union {
		unsigned char	b[8192];
		uint64_t	align;
	} u;
};

/* What the server answers. */
struct mw_sasl_reply {
	int		 code;	/* 334, 235, 432, 454, 500, 501, 504, 534,
				 * 535, 538 */
	const char	*esc;	/* enhanced status code (RFC 4954 6), e.g.
				 * "2.7.0"; NULL with 334 */
	const char	*text;	/* the reply text after esc; NULL with 334 */
	size_t		 len;	/* 334: the challenge's length in out */
	int		 done;	/* the exchange is over (every code but 334) */
};

/*
 * Mechanism level. Starts an exchange with mech; cfg must outlive it.
 * rep is 504 5.5.4 if mech is not offered, 538 5.7.11 if it needs TLS
 * and sess->tls is 0; otherwise rep->code is 0 and steps follow.
 */
mw_err	mw_sasl_server_start(struct mw_sasl_server *s,
	    const struct mw_sasl_server_config *cfg,
	    const struct mw_sasl_session *sess, enum mw_auth_mech mech,
	    struct mw_sasl_reply *rep);

/*
 * One step: in[0..n) is the client's decoded response; has is 0 when
 * there is none (an AUTH command without initial response). The next
 * challenge goes to out (rep->code 334, rep->len), or rep tells the end.
 */
mw_err	mw_sasl_server_step(struct mw_sasl_server *s, const unsigned char *in,
	    size_t n, int has, unsigned char *out, size_t cap,
	    struct mw_sasl_reply *rep);

/*
 * Wire level. The AUTH command: mech[0..mlen) as the command parser gave
 * it; ir[0..irlen) the initial response as written (base64 or "="), has_ir
 * 0 if there was none. A 334 challenge is written to out in base64.
 */
mw_err	mw_sasl_server_auth(struct mw_sasl_server *s,
	    const struct mw_sasl_server_config *cfg,
	    const struct mw_sasl_session *sess, const unsigned char *mech,
	    size_t mlen, const unsigned char *ir, size_t irlen, int has_ir,
	    unsigned char *out, size_t cap, struct mw_sasl_reply *rep);

/*
 * A client response line, without its CRLF: "*" cancels (501 5.7.0), a
 * line that is not base64 is 501 5.5.2, one longer than
 * MW_SASL_LINE_MAX is 500 5.5.6 (the engine may pass just its length
 * then, with line NULL).
 */
mw_err	mw_sasl_server_line(struct mw_sasl_server *s, const unsigned char *line,
	    size_t n, unsigned char *out, size_t cap, struct mw_sasl_reply *rep);

/* After 235: who authenticated (authcid) and who they act as (authzid,
 * authcid's value when none was asked for). */
mw_err	mw_sasl_server_identity(const struct mw_sasl_server *s,
	    const unsigned char **authcid, size_t *cn,
	    const unsigned char **authzid, size_t *zn);

/* A lookup over cfg->users (the one used when cfg->lookup is NULL). */
enum mw_sasl_lookup mw_sasl_table_lookup(const struct mw_sasl_user *users,
	    size_t n, const unsigned char *authcid, size_t len,
	    struct mw_sasl_secret *out);

#endif
