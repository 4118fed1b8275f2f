/*
 * mailwire/io_tls.h: a TLS transport (mailwire/io.h) on OpenSSL's libssl,
 * for STARTTLS (RFC 3207) and implicit TLS (RFC 8314 3.3). Server side
 * only; TLS 1.2 and later (RFC 8314 4.1). Outside the core archive; link
 * -lssl -lcrypto.
 */
#ifndef MAILWIRE_IO_TLS_H
#define MAILWIRE_IO_TLS_H

#include <stddef.h>

#include <mailwire/io.h>

struct mw_io_tls;

/*
 * A server context with the certificate chain and the private key from
 * PEM files. ca_file (NULL: none) names the CAs whose client
 * certificates are asked for and verified; a verified certificate's
 * subject CN is the identity mw_server_tls() gets (SASL EXTERNAL). A
 * client without a certificate is still served. Returns NULL and writes
 * the reason to err[0..cap) on failure.
 */
struct mw_io_tls *mw_io_tls_new(const char *cert_file, const char *key_file,
	    const char *ca_file, char *err, size_t cap);

/* Fills t with the transport's functions for the loop's cfg.tls; tls
 * must outlive the loop. */
void	mw_io_tls_transport(struct mw_io_tls *tls, struct mw_io_transport *t);

/* Frees the context (after the loop). */
void	mw_io_tls_free(struct mw_io_tls *tls);

#endif
