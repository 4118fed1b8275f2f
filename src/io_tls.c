/*
 * src/io_tls.c: the OpenSSL transport of mailwire/io_tls.h. Non-blocking:
 * every call maps OpenSSL's WANT_READ/WANT_WRITE to the loop's
 * MW_IO_WANT_*, so the handshake runs inside the epoll loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <mailwire/io_tls.h>

struct mw_io_tls {
	SSL_CTX		*ctx;
	int		 verify;	/* client certificates asked for */
};

static void
ssl_error(char *err, size_t cap, const char *what, const char *file)
{
	unsigned long e = ERR_get_error();
	char b[256];

	ERR_error_string_n(e, b, sizeof(b));
	snprintf(err, cap, "%s%s%s: %s", what, file ? " " : "",
	    file ? file : "", e ? b : "failed");
	ERR_clear_error();
}

struct mw_io_tls *
mw_io_tls_new(const char *cert_file, const char *key_file, const char *ca_file,
    char *err, size_t cap)
{
	struct mw_io_tls *t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	if ((t->ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		ssl_error(err, cap, "SSL_CTX_new", NULL);
		free(t);
		return NULL;
	}
	/* RFC 8314 4.1: TLS 1.2 or later */
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* the loop writes what the engine releases, and may offer a
	 * different pointer for the rest after a partial write */
	SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(t->ctx, cert_file) != 1) {
		ssl_error(err, cap, "certificate", cert_file);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(t->ctx, key_file, SSL_FILETYPE_PEM) !=
	    1) {
		ssl_error(err, cap, "private key", key_file);
		goto fail;
	}
	if (SSL_CTX_check_private_key(t->ctx) != 1) {
		ssl_error(err, cap, "key does not match certificate", NULL);
		goto fail;
	}
	if (ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(t->ctx, ca_file, NULL) !=
		    1) {
			ssl_error(err, cap, "CA file", ca_file);
			goto fail;
		}
		/* asked for, not required: clients without one go on */
		SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
		SSL_CTX_set_session_id_context(t->ctx,
		    (const unsigned char *)"mailwire", 8);
		t->verify = 1;
	}
	return t;
fail:
	SSL_CTX_free(t->ctx);
	free(t);
	return NULL;
}

void
mw_io_tls_free(struct mw_io_tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

static void *
tls_open(void *arg, int fd)
{
	struct mw_io_tls *t = arg;
	SSL *ssl;

	if ((ssl = SSL_new(t->ctx)) == NULL)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		ERR_clear_error();
		return NULL;
	}
	SSL_set_accept_state(ssl);
	return ssl;
}

/* OpenSSL's result r of a call on ssl as MW_IO_*. */
static int
map(SSL *ssl, int r)
{
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return MW_IO_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return MW_IO_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		/* the error queue is per thread: leave nothing behind for
		 * the next connection's calls; and after a fatal error
		 * no close_notify may be sent */
		ERR_clear_error();
		SSL_set_quiet_shutdown(ssl, 1);
		return MW_IO_ERROR;
	}
}

static int
tls_handshake(void *arg)
{
	SSL *ssl = arg;
	int r = SSL_do_handshake(ssl);

	if (r == 1)
		return 1;
	r = map(ssl, r);
	return r == 0 ? MW_IO_ERROR : r;
}

static ssize_t
tls_read(void *arg, unsigned char *buf, size_t n)
{
	SSL *ssl = arg;
	size_t got = 0;
	int r = SSL_read_ex(ssl, buf, n, &got);

	if (r == 1)
		return (ssize_t)got;
	return map(ssl, r);
}

static ssize_t
tls_write(void *arg, const unsigned char *buf, size_t n)
{
	SSL *ssl = arg;
	size_t put = 0;
	int r = SSL_write_ex(ssl, buf, n, &put);

	if (r == 1)
		return (ssize_t)put;
	r = map(ssl, r);
	return r == 0 ? MW_IO_ERROR : r;
}

static int
tls_peer(void *arg, unsigned char *id, size_t cap, size_t *n)
{
	SSL *ssl = arg;
	X509 *cert;
	int len;

	*n = 0;
	if ((cert = SSL_get1_peer_certificate(ssl)) == NULL)
		return 0;
	if (SSL_get_verify_result(ssl) != X509_V_OK) {
		X509_free(cert);
		return 0;
	}
	len = X509_NAME_get_text_by_NID(X509_get_subject_name(cert),
	    NID_commonName, (char *)id, (int)cap);
	X509_free(cert);
	if (len <= 0 || (size_t)len >= cap)
		return 0;
	*n = (size_t)len;
	return 0;
}

static void
tls_close(void *arg)
{
	SSL *ssl = arg;

	/* RFC 8446 6.1: close_notify, without waiting for the peer's */
	if (SSL_is_init_finished(ssl))
		SSL_shutdown(ssl);
	ERR_clear_error();
	SSL_free(ssl);
}

void
mw_io_tls_transport(struct mw_io_tls *tls, struct mw_io_transport *t)
{
	memset(t, 0, sizeof(*t));
	t->open = tls_open;
	t->handshake = tls_handshake;
	t->read = tls_read;
	t->write = tls_write;
	t->peer = tls_peer;
	t->close = tls_close;
	t->arg = tls;
}
