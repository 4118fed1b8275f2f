/*
 * bench/footprint_client.c: the client-only profile of scripts/bench.sh
 * footprint. A main that drives the client engine as firmware would
 * (one message, SASL credentials, a crypto table whose functions are
 * stubs: a device brings its own), so that linking it with every core
 * object and --gc-sections keeps exactly what such a program pulls in.
 * Built for the embedded target only; never run.
 */
#include <stddef.h>
#include <stdint.h>

#include <mailwire/client.h>

static int
hash(void *ctx, enum mw_hash h, const struct mw_iov *iov, size_t niov,
    unsigned char *out)
{
	(void)ctx, (void)h, (void)iov, (void)niov, (void)out;
	return 1;
}

static int
hmac(void *ctx, enum mw_hash h, const unsigned char *key, size_t keylen,
    const struct mw_iov *iov, size_t niov, unsigned char *out)
{
	(void)ctx, (void)h, (void)key, (void)keylen, (void)iov, (void)niov;
	(void)out;
	return 1;
}

static int
pbkdf2(void *ctx, enum mw_hash h, const unsigned char *pass, size_t passlen,
    const unsigned char *salt, size_t saltlen, unsigned iterations,
    unsigned char *out, size_t outlen)
{
	(void)ctx, (void)h, (void)pass, (void)passlen, (void)salt;
	(void)saltlen, (void)iterations, (void)out, (void)outlen;
	return 1;
}

static int
rnd(void *ctx, unsigned char *out, size_t n)
{
	(void)ctx, (void)out, (void)n;
	return 1;
}

static const struct mw_crypto crypto = { NULL, hash, hmac, pbkdf2, rnd };

/* the device's transport, left to the linker as volatile accesses */
static volatile unsigned char wire_in, wire_out;

static struct mw_client c;
static unsigned char buf[MW_CLIENT_BUF_SIZE];

int
main(void)
{
	static const struct mw_sasl_creds cr = { .authcid = "device",
	    .password = "secret" };
	static const struct mw_client_rcpt rcpt = { .addr = "ops@example.com" };
	static struct mw_client_result res;
	struct mw_client_config cfg;
	struct mw_client_msg m = { .from = "device@example.com",
	    .rcpts = &rcpt, .nrcpts = 1, .results = &res };
	struct mw_client_event ev;
	const unsigned char *out;
	unsigned char *in;
	size_t n;
	uint64_t now = 0;

	mw_client_config_init(&cfg);
	cfg.helo = "device.example.com";
	cfg.tls = MW_CLIENT_TLS_OFF;
	cfg.plaintext_auth = 1;
	cfg.creds = &cr;
	cfg.crypto = &crypto;
	cfg.auth_mechs = MW_AUTH_BIT(MW_AUTH_PLAIN) |
	    MW_AUTH_BIT(MW_AUTH_LOGIN) | MW_AUTH_BIT(MW_AUTH_CRAM_MD5) |
	    MW_AUTH_BIT(MW_AUTH_SCRAM_SHA_1) | MW_AUTH_BIT(MW_AUTH_SCRAM_SHA_256);
	if (mw_client_init(&c, &cfg, buf, sizeof(buf)) != MW_ERR_OK)
		return 1;
	mw_client_connected(&c);
	for (;;) {
		while (mw_client_next(&c, now, &ev) == MW_ERR_OK) {
			switch (ev.type) {
			case MW_CLIENT_EV_READY:
				if (mw_client_submit(&c, &m) != MW_ERR_OK)
					mw_client_quit(&c);
				break;
			case MW_CLIENT_EV_BODY:
				ev.buf[0] = 'x';
				mw_client_body(&c, 1, 1);
				break;
			case MW_CLIENT_EV_MESSAGE:
				mw_client_quit(&c);
				break;
			case MW_CLIENT_EV_CLOSE:
				return ev.reason == MW_CLIENT_CLOSE_QUIT ? 0 : 1;
			default:
				break;
			}
		}
		if (mw_client_output(&c, &out, &n) == MW_ERR_OK && n > 0) {
			wire_out = out[0];
			mw_client_output_ack(&c, n);
		}
		if (mw_client_input_buf(&c, &in, &n) == MW_ERR_OK && n > 0) {
			in[0] = wire_in;
			mw_client_input_ack(&c, 1);
		}
		now = mw_client_deadline(&c) == UINT64_MAX ? now + 1 :
		    mw_client_deadline(&c);
	}
}
