/*
 * src/sasl_scram.h: the state of the SCRAM machines (RFC 5802, RFC 7677),
 * kept in struct mw__client / mw__server (src/sasl_int.h), and the
 * internal entries the tests use to fix the nonces of the RFC examples.
 */
#ifndef MW_SASL_SCRAM_H
#define MW_SASL_SCRAM_H

#include <stddef.h>

#include <mailwire/crypto.h>
#include <mailwire/error.h>
#include <mailwire/sasl.h>

/* The longest nonce part either side keeps: ours are MW_SASL_NONCE_LEN;
 * the RFC examples' server parts are 18 (RFC 5802 5) and 30 (RFC 7677 3). */
#define MW__SCRAM_NONCE_MAX	64

/* RFC 5802 5.1 i=: the client runs Hi() with the count the server names,
 * so a hostile server could make it spin; above this it refuses. The
 * RFCs' examples use 4096 (RFC 7677 4: "at least 4096"). */
#define MW__SCRAM_ITER_MAX	1000000u

/*
 * The client keeps only its nonce and, after the client-final message,
 * the ServerSignature it expects. The client-first-message is rebuilt
 * from the credentials (which must outlive the exchange, sasl.h) when
 * the AuthMessage is computed, rather than kept: it may take 1.6 KB.
 */
struct mw__scram_client {
	enum mw_hash	hash;
	unsigned char	nonce[MW__SCRAM_NONCE_MAX];	/* c-nonce */
	size_t		nonce_len;			/* 0: not made yet */
	unsigned char	server_sig[MW_HASH_MAX];	/* RFC 5802 3 */
};

/*
 * The server keeps the client-first-message as received (its gs2-header
 * is what the channel binding must repeat, its bare part is the start of
 * the AuthMessage), its own nonce part, the names and a copy of the
 * user's keys (the lookup's pointers live only for one step).
 */
struct mw__scram_server {
	enum mw_hash			hash;
	int				asked;	/* sent the empty challenge */
	unsigned char			cfm[MW_SASL_MSG_MAX];
	size_t				cfm_len;
	size_t				gs2_len;	/* cfm[0..gs2_len) */
	size_t				cnonce_off;	/* c-nonce in cfm */
	size_t				cnonce_len;
	unsigned char			snonce[MW__SCRAM_NONCE_MAX];
	size_t				snonce_len;	/* 0: not made yet */
	unsigned char			user[MW_SASL_NAME_MAX];
	size_t				user_len;
	unsigned char			zid[MW_SASL_NAME_MAX];
	size_t				zid_len;
	struct mw_sasl_scram_keys	keys;
};

struct mw__client;
struct mw__server;

/*
 * Tests only: fix the client's c-nonce (after mw_sasl_client_start,
 * before the initial response) or the server's nonce part (after
 * mw_sasl_server_start, before the client-first-message), as the RFC
 * examples need. The nonce is 1 to MW__SCRAM_NONCE_MAX printable
 * characters other than "," (RFC 5802 7). MW_ERR_INVAL otherwise,
 * MW_ERR_STATE once the nonce is in use.
 */
mw_err	mw__scram_client_nonce(struct mw__client *c, const unsigned char *nonce,
	    size_t n);
mw_err	mw__scram_server_nonce(struct mw__server *s, const unsigned char *nonce,
	    size_t n);

#endif
