/*
 * mailwire/crypto_openssl.h: a mw_crypto provider (mailwire/crypto.h) on
 * OpenSSL's libcrypto. It lives outside the core archive, in
 * libmailwire-io.a beside the socket and TLS adapters; link -lcrypto.
 */
#ifndef MAILWIRE_CRYPTO_OPENSSL_H
#define MAILWIRE_CRYPTO_OPENSSL_H

#include <mailwire/crypto.h>

/* Fills c with libcrypto's hashes, HMAC, PBKDF2 and RAND_bytes. */
void	mw_crypto_openssl(struct mw_crypto *c);

#endif
