/*
 * mailwire/io_tls.h: a TLS transport (mailwire/io.h) on OpenSSL's libssl,
 * for STARTTLS (RFC 3207) and implicit TLS (RFC 8314 3.3), server side
 * (the loop of mailwire/io.h) and client side (mailwire/io_client.h);
 * TLS 1.2 and later (RFC 8314 4.1). Non-blocking: every call maps
 * OpenSSL's wants to MW_IO_WANT_*. Outside the core archive; link -lssl
 * -lcrypto.
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

/* Frees the context, server or client (after every session using it). */
void	mw_io_tls_free(struct mw_io_tls *tls);

/* ---- the client side -------------------------------------------------- */

struct mw_io_tls_client_config {
	/* PEM file of the CAs that may sign the server's certificate;
	 * NULL: the system's default store
	 * (SSL_CTX_set_default_verify_paths). */
	const char	*ca_file;
	/* Non-zero: the server's certificate is not verified (name or
	 * chain). Testing only: the session can then be intercepted. */
	int		 insecure;
	/* A client certificate chain and its key (PEM; SASL EXTERNAL, RFC
	 * 4422 Appendix A); NULL: none. Both or neither. */
	const char	*cert_file;
	const char	*key_file;
};

/* Defaults: the system store, verification on, no client certificate. */
void	mw_io_tls_client_config_init(struct mw_io_tls_client_config *cfg);

/*
 * A client context for cfg (copied; the files are read now). TLS 1.2 or
 * later, renegotiation off. Returns NULL and writes the reason to
 * err[0..cap) on failure (a CA file or certificate that cannot be loaded,
 * a key that does not match).
 */
struct mw_io_tls *mw_io_tls_client_new(const struct mw_io_tls_client_config
	    *cfg, char *err, size_t cap);

/*
 * One destination of a client context: the transport's open(arg, fd) has
 * no host argument, so the host lives here, with what the handshake
 * found. The caller owns it; it must outlive the session.
 */
struct mw_io_tls_dest {
	struct mw_io_tls	*tls;		/* a client context */
	/* The server's name as the caller knows it (no brackets): the
	 * certificate must name it (RFC 6125: DNS-ID; an IP literal must be
	 * an iPAddress SAN) and, unless an IP literal, it is sent as SNI
	 * (RFC 6066 3). Required. */
	const char		*host;
	/* Set by the handshake: */
	int			 verify_failed;	/* the certificate was
						 * rejected */
	char			 error[256];	/* why it failed, one line */
	char			 info[96];	/* "TLSv1.3 TLS_AES_256_GCM_SHA384"
						 * once done */
};

/*
 * Fills t with the client transport for dest (open() starts a client
 * session on fd towards dest->host; peer() gives nothing). dest->tls must
 * be a client context.
 */
void	mw_io_tls_client_transport(struct mw_io_tls_dest *dest,
	    struct mw_io_transport *t);

#endif
