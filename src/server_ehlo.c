/*
 * src/server_ehlo.c: the EHLO/LHLO reply, built from the configuration:
 * every extension the parsers support, advertised only when enabled.
 */
#include <string.h>

#include <mailwire/server.h>

#include "server_int.h"

void
mw__srv_ehlo(struct mw_server *s, const char *text)
{
	const char *kw[24];
	uint32_t ext = s->cfg.extensions, mechs = 0;
	size_t n = 0;
	int size = -1, auth = -1, fr = -1;

	if (ext & MW_SERVER_PIPELINING)
		kw[n++] = "PIPELINING";
	if (ext & MW_EXT_SIZE) {
		size = (int)n;
		kw[n++] = "SIZE";
	}
	if (ext & MW_EXT_8BITMIME)
		kw[n++] = "8BITMIME";
	if (ext & MW_EXT_BINARYMIME)
		kw[n++] = "BINARYMIME";
	if (ext & MW_SERVER_CHUNKING)
		kw[n++] = "CHUNKING";
	if (ext & MW_EXT_DSN)
		kw[n++] = "DSN";
	if (ext & MW_SERVER_ENHANCEDSTATUSCODES)
		kw[n++] = "ENHANCEDSTATUSCODES";
	if (ext & MW_EXT_SMTPUTF8)
		kw[n++] = "SMTPUTF8";
	if (ext & MW_SERVER_ETRN)
		kw[n++] = "ETRN";	/* RFC 1985 */
	/* RFC 3207 4.2: not after the handshake */
	if ((ext & MW_SERVER_STARTTLS) && !s->tls)
		kw[n++] = "STARTTLS";
	if (s->cfg.sasl != NULL) {
		mechs = s->sasl_cfg.mechs;
		/* RFC 4954 4: no plaintext mechanism without TLS, and none
		 * that would be refused for its lack */
		if (!s->tls)
			mechs &= ~s->sasl_cfg.need_tls;
		/* EXTERNAL only with a certificate identity */
		if (s->peer == NULL)
			mechs &= ~MW_AUTH_BIT(MW_AUTH_EXTERNAL);
		if (mechs != 0) {
			auth = (int)n;
			kw[n++] = "AUTH";
		}
	}
	/* RFC 8689 2 */
	if ((ext & MW_EXT_REQUIRETLS) && s->tls)
		kw[n++] = "REQUIRETLS";
	if (ext & MW_EXT_MTPRIORITY)
		kw[n++] = "MT-PRIORITY";
	if (ext & MW_EXT_FUTURERELEASE) {
		fr = (int)n;
		kw[n++] = "FUTURERELEASE";
	}
	if (ext & MW_EXT_DELIVERBY)
		kw[n++] = "DELIVERBY";
	if (ext & MW_EXT_RRVS)
		kw[n++] = "RRVS";

	/* RFC 5321 4.1.1.1: ehlo-ok-rsp; no enhanced code (RFC 2034 3) */
	mw__srv_line(s, 250, n > 0 ? '-' : ' ', NULL, s->cfg.hostname, text);
	for (size_t i = 0; i < n; i++) {
		mw__srv_put(s, "250", 3);
		mw__srv_put(s, i + 1 < n ? "-" : " ", 1);
		mw__srv_puts(s, kw[i]);
		if ((int)i == size && s->cfg.max_size != 0) {
			/* RFC 1870 4 */
			mw__srv_put(s, " ", 1);
			mw__srv_putnum(s, s->cfg.max_size);
		}
		if ((int)i == auth) {
			/* RFC 4954 3 */
			for (int m = 0; m < MW_AUTH__COUNT; m++)
				if (mechs & MW_AUTH_BIT(m)) {
					mw__srv_put(s, " ", 1);
					mw__srv_puts(s, mw_auth_mech_name(
					    (enum mw_auth_mech)m));
				}
		}
		if ((int)i == fr) {
			/* RFC 4865 3 */
			mw__srv_put(s, " ", 1);
			mw__srv_putnum(s, s->cfg.futurerelease_interval);
			mw__srv_put(s, " ", 1);
			mw__srv_puts(s, s->cfg.futurerelease_date);
		}
		mw__srv_put(s, "\r\n", 2);
	}
}
