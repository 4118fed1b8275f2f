/*
 * src/io_tls.c: the OpenSSL transport of mailwire/io_tls.h. Non-blocking:
 * every call maps OpenSSL's WANT_READ/WANT_WRITE to the loop's
 * MW_IO_WANT_*, so the handshake runs inside the epoll loop (server) or
 * the poll() loop of io_client.c (client).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <mailwire/io_tls.h>

struct mw_io_tls {
	SSL_CTX		*ctx;
	int		 verify;	/* client certificates asked for */
	int		 client;	/* a client context */
	int		 insecure;	/* client: no verification */
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

/* ---- the client side ---------------------------------------------------- */

void
mw_io_tls_client_config_init(struct mw_io_tls_client_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

struct mw_io_tls *
mw_io_tls_client_new(const struct mw_io_tls_client_config *cfg, char *err,
    size_t cap)
{
	struct mw_io_tls *t;

	if (cfg == NULL || (cfg->cert_file == NULL) != (cfg->key_file == NULL)) {
		snprintf(err, cap, "a client certificate needs its key");
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	t->client = 1;
	t->insecure = cfg->insecure;
	if ((t->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		ssl_error(err, cap, "SSL_CTX_new", NULL);
		free(t);
		return NULL;
	}
	/* RFC 8314 4.1: TLS 1.2 or later */
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (cfg->ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(t->ctx, cfg->ca_file, NULL) !=
		    1) {
			ssl_error(err, cap, "CA file", cfg->ca_file);
			goto fail;
		}
	} else if (SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
		ssl_error(err, cap, "the system's CA store", NULL);
		goto fail;
	}
	if (cfg->cert_file != NULL) {
		if (SSL_CTX_use_certificate_chain_file(t->ctx, cfg->cert_file) !=
		    1) {
			ssl_error(err, cap, "certificate", cfg->cert_file);
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(t->ctx, cfg->key_file,
		    SSL_FILETYPE_PEM) != 1) {
			ssl_error(err, cap, "private key", cfg->key_file);
			goto fail;
		}
		if (SSL_CTX_check_private_key(t->ctx) != 1) {
			ssl_error(err, cap, "key does not match certificate",
			    NULL);
			goto fail;
		}
	}
	/* RFC 6125 6.4: the chain, then the name (set per session) */
	SSL_CTX_set_verify(t->ctx, t->insecure ? SSL_VERIFY_NONE :
	    SSL_VERIFY_PEER, NULL);
	return t;
fail:
	SSL_CTX_free(t->ctx);
	free(t);
	return NULL;
}

static int
ip_literal(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

static void *
tls_client_open(void *arg, int fd)
{
	struct mw_io_tls_dest *d = arg;
	SSL *ssl;
	char b[200];
	int ip;

	d->verify_failed = 0;
	d->error[0] = d->info[0] = '\0';
	if (d->tls == NULL || !d->tls->client || d->host == NULL) {
		snprintf(d->error, sizeof(d->error), "not a client context");
		return NULL;
	}
	if ((ssl = SSL_new(d->tls->ctx)) == NULL)
		goto fail;
	if (SSL_set_fd(ssl, fd) != 1)
		goto fail;
	ip = ip_literal(d->host);
	/* RFC 6066 3: SNI carries host names, never IP literals */
	if (!ip && SSL_set_tlsext_host_name(ssl, d->host) != 1)
		goto fail;
	if (!d->tls->insecure) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);

		/* RFC 6125 6.4.3: a wildcard only as the whole left label */
		X509_VERIFY_PARAM_set_hostflags(vp,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, d->host) != 1 :
		    SSL_set1_host(ssl, d->host) != 1)
			goto fail;
	}
	SSL_set_app_data(ssl, d);
	SSL_set_connect_state(ssl);
	return ssl;
fail:
	ERR_error_string_n(ERR_get_error(), b, sizeof(b));
	ERR_clear_error();
	snprintf(d->error, sizeof(d->error), "TLS set-up: %.200s", b);
	SSL_free(ssl);
	return NULL;
}

static int
tls_client_handshake(void *arg)
{
	SSL *ssl = arg;
	struct mw_io_tls_dest *d = SSL_get_app_data(ssl);
	int r = SSL_do_handshake(ssl), e, se = errno;
	unsigned long q;
	long v;

	if (r == 1) {
		snprintf(d->info, sizeof(d->info), "%s %s", SSL_get_version(ssl),
		    SSL_get_cipher_name(ssl));
		return 1;
	}
	e = SSL_get_error(ssl, r);
	if (e == SSL_ERROR_WANT_READ)
		return MW_IO_WANT_READ;
	if (e == SSL_ERROR_WANT_WRITE)
		return MW_IO_WANT_WRITE;
	/* the reason, before the error queue is cleared */
	q = ERR_peek_last_error();
	v = SSL_get_verify_result(ssl);
	if (!d->tls->insecure && v != X509_V_OK) {
		d->verify_failed = 1;
		snprintf(d->error, sizeof(d->error),
		    "certificate verify failed: %s (host %s)",
		    X509_verify_cert_error_string(v), d->host);
	} else if (q != 0) {
		const char *rs = ERR_reason_error_string(q);

		snprintf(d->error, sizeof(d->error), "handshake failed: %s",
		    rs != NULL ? rs : "unknown reason");
	} else if (e == SSL_ERROR_SYSCALL && se != 0)
		snprintf(d->error, sizeof(d->error), "handshake failed: %s",
		    strerror(se));
	else
		snprintf(d->error, sizeof(d->error), "handshake failed: the "
		    "server closed the connection");
	ERR_clear_error();
	SSL_set_quiet_shutdown(ssl, 1);
	return MW_IO_ERROR;
}

static int
tls_client_peer(void *arg, unsigned char *id, size_t cap, size_t *n)
{
	(void)arg;
	(void)id;
	(void)cap;
	*n = 0;
	return 0;
}

void
mw_io_tls_client_transport(struct mw_io_tls_dest *dest,
    struct mw_io_transport *t)
{
	memset(t, 0, sizeof(*t));
	t->open = tls_client_open;
	t->handshake = tls_client_handshake;
	t->read = tls_read;
	t->write = tls_write;
	t->peer = tls_client_peer;
	t->close = tls_close;
	t->arg = dest;
}
