/*
 * mailwire/mech.h: the SASL mechanisms (RFC 4422) mailwire knows by name.
 * One enum serves the reply parser (the AUTH line of an EHLO reply), the
 * command parser's callers and the SASL machines (mailwire/sasl.h).
 */
#ifndef MAILWIRE_MECH_H
#define MAILWIRE_MECH_H

#include <stddef.h>

/* X(NAME, name) */
#define MW_AUTH_MECHS(X)						\
	X(PLAIN,		"PLAIN")				\
	X(LOGIN,		"LOGIN")				\
	X(CRAM_MD5,		"CRAM-MD5")				\
	X(DIGEST_MD5,		"DIGEST-MD5")				\
	X(SCRAM_SHA_1,		"SCRAM-SHA-1")				\
	X(SCRAM_SHA_1_PLUS,	"SCRAM-SHA-1-PLUS")			\
	X(SCRAM_SHA_256,	"SCRAM-SHA-256")			\
	X(SCRAM_SHA_256_PLUS,	"SCRAM-SHA-256-PLUS")			\
	X(XOAUTH2,		"XOAUTH2")				\
	X(OAUTHBEARER,		"OAUTHBEARER")				\
	X(GSSAPI,		"GSSAPI")				\
	X(GS2_KRB5,		"GS2-KRB5")				\
	X(NTLM,			"NTLM")					\
	X(EXTERNAL,		"EXTERNAL")				\
	X(ANONYMOUS,		"ANONYMOUS")				\
	X(OTHER,		"(other)")

enum mw_auth_mech {
#define MW__AUTH_ENUM(name, s) MW_AUTH_##name,
	MW_AUTH_MECHS(MW__AUTH_ENUM)
#undef MW__AUTH_ENUM
	MW_AUTH__COUNT
};

/* A set of mechanisms: bit (1u << MW_AUTH_x). */
#define MW_AUTH_BIT(m)	(1u << (m))

/* The mechanism, "CRAM-MD5" for MW_AUTH_CRAM_MD5; NULL outside the enum. */
const char		*mw_auth_mech_name(enum mw_auth_mech mech);

/*
 * The mechanism named s[0..n), compared exactly (RFC 4422 3.1: sasl-mech
 * is upper case); MW_AUTH_OTHER for any other name.
 */
enum mw_auth_mech	 mw_auth_mech_lookup(const unsigned char *s, size_t n);

#endif
