/*
 * src/client_cmd.c: the client engine's command lines: MAIL and RCPT with
 * their extension parameters, the checks of a submitted message, and the
 * refusals made here, before a server that lacks an extension is asked to
 * carry what it cannot.
 */
#include <string.h>

#include <mailwire/xtext.h>

#include "client_int.h"

static void
wr_xtext(struct mw__out *w, const char *s)
{
	size_t n;

	if (w->len > w->cap || mw_xtext_encode((const unsigned char *)s,
	    strlen(s), w->p + w->len, w->cap - w->len, &n) != MW_ERR_OK) {
		w->len = w->cap + 1;	/* did not fit */
		return;
	}
	w->len += n;
}

static int
has(const struct mw_client *c, enum mw_cap cap)
{
	return (c->ehlo.caps & (1u << cap)) != 0;
}

void
mw__cl_mail_line(const struct mw_client *c, struct mw__out *w)
{
	const struct mw_client_msg *m = &c->msg;

	mw__put_str(w, "MAIL FROM:<");
	mw__put_str(w, m->from);
	mw__put_str(w, ">");
	/* RFC 1870 6: the estimate, when the server takes SIZE */
	if (m->size != 0 && has(c, MW_CAP_SIZE)) {
		mw__put_str(w, " SIZE=");
		mw__put_u64(w, m->size);
	}
	/* RFC 6152 2, RFC 3030 3 (local refusals made sure it is offered) */
	if (m->body == MW_CLIENT_BODY_7BIT && has(c, MW_CAP_8BITMIME))
		mw__put_str(w, " BODY=7BIT");
	else if (m->body == MW_CLIENT_BODY_8BITMIME)
		mw__put_str(w, " BODY=8BITMIME");
	else if (m->body == MW_CLIENT_BODY_BINARYMIME)
		mw__put_str(w, " BODY=BINARYMIME");
	if (m->smtputf8)
		mw__put_str(w, " SMTPUTF8");
	/* RFC 3461 4: DSN parameters only to a server that offers DSN */
	if (has(c, MW_CAP_DSN)) {
		if (m->ret == MW_CLIENT_RET_FULL)
			mw__put_str(w, " RET=FULL");
		else if (m->ret == MW_CLIENT_RET_HDRS)
			mw__put_str(w, " RET=HDRS");
		if (m->envid != NULL && m->envid[0] != '\0') {
			mw__put_str(w, " ENVID=");
			wr_xtext(w, m->envid);
		}
	}
	if (m->requiretls)
		mw__put_str(w, " REQUIRETLS");	/* RFC 8689 4.1 */
	mw__put_str(w, "\r\n");
}

void
mw__cl_rcpt_line(const struct mw_client *c, size_t i, struct mw__out *w)
{
	const struct mw_client_rcpt *r = &c->msg.rcpts[i];
	static const char *const nn[] = { "NEVER", "SUCCESS", "FAILURE",
	    "DELAY" };
	const char *sep = " NOTIFY=";

	mw__put_str(w, "RCPT TO:<");
	mw__put_str(w, r->addr);
	mw__put_str(w, ">");
	if (has(c, MW_CAP_DSN)) {
		for (unsigned b = 0; b < 4; b++)
			if (r->notify & (1u << b)) {
				mw__put_str(w, sep);
				mw__put_str(w, nn[b]);
				sep = ",";
			}
		if (r->orcpt != NULL && r->orcpt[0] != '\0') {
			mw__put_str(w, " ORCPT=rfc822;");
			wr_xtext(w, r->orcpt);
		}
	}
	mw__put_str(w, "\r\n");
}

/* An address we can put between < and > without changing the line's
 * meaning: printable, no space, brackets or controls (RFC 5321 4.1.2);
 * octets above 0x7F only with SMTPUTF8 (RFC 6531 3.3). */
static int
addr_ok(const char *s, int utf8, int empty_ok)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strlen(s);
	if (n == 0)
		return empty_ok;
	if (n > MW_CLIENT_PATH_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= 0x20 || ch == 0x7f || ch == '<' || ch == '>')
			return 0;
		if (ch >= 0x80 && !utf8)
			return 0;
	}
	return 1;
}

mw_err
mw__cl_check_msg(const struct mw_client_msg *m)
{
	if (m->nrcpts == 0 || m->rcpts == NULL || m->results == NULL ||
	    !addr_ok(m->from, m->smtputf8, 1))
		return MW_ERR_INVAL;
	if (m->body > MW_CLIENT_BODY_BINARYMIME || m->ret > MW_CLIENT_RET_HDRS)
		return MW_ERR_INVAL;
	if (m->envid != NULL && strlen(m->envid) > MW_CLIENT_ENVID_MAX)
		return MW_ERR_INVAL;
	for (size_t i = 0; i < m->nrcpts; i++) {
		const struct mw_client_rcpt *r = &m->rcpts[i];

		if (!addr_ok(r->addr, m->smtputf8, 0) || r->notify > 15 ||
		    ((r->notify & MW_NOTIFY_NEVER) &&
		    r->notify != MW_NOTIFY_NEVER))
			return MW_ERR_INVAL;	/* RFC 3461 4.1 */
		if (r->orcpt != NULL && strlen(r->orcpt) > MW_CLIENT_ORCPT_MAX)
			return MW_ERR_INVAL;
	}
	return MW_ERR_OK;
}

static int
refuse(struct mw_client_result *r, enum mw_client_why why, int code,
    const char *esc, const char *text)
{
	memset(r, 0, sizeof(*r));
	r->status = code / 100 == 5 ? MW_CLIENT_PERMFAIL : MW_CLIENT_TEMPFAIL;
	r->why = why;
	r->code = code;
	r->has_esc = mw_esc_parse(esc, strlen(esc), &r->esc) == MW_ERR_OK;
	strncpy(r->text, text, MW_CLIENT_TEXT_MAX);
	return 1;
}

int
mw__cl_local_refusal(const struct mw_client *c, struct mw_client_result *r)
{
	const struct mw_client_msg *m = &c->msg;
	enum mw_client_why x = MW_CLIENT_WHY_EXTENSION;

	/* RFC 1870 6: a message over the fixed maximum is not sent */
	if (has(c, MW_CAP_SIZE) && c->ehlo.size != 0 && m->size > c->ehlo.size)
		return refuse(r, MW_CLIENT_WHY_SIZE, 552, "5.3.4",
		    "message size exceeds the server's fixed maximum");
	/* RFC 6531 3.4: without SMTPUTF8 the message cannot be sent */
	if (m->smtputf8 && !has(c, MW_CAP_SMTPUTF8))
		return refuse(r, x, 553, "5.6.7",
		    "the server does not offer SMTPUTF8");
	/* RFC 6152 3: 8-bit data only to an 8BITMIME server */
	if (m->body == MW_CLIENT_BODY_8BITMIME && !has(c, MW_CAP_8BITMIME))
		return refuse(r, x, 554, "5.6.3",
		    "the server does not offer 8BITMIME");
	/* RFC 3030 3: BINARYMIME needs BDAT */
	if (m->body == MW_CLIENT_BODY_BINARYMIME &&
	    (!has(c, MW_CAP_BINARYMIME) || !has(c, MW_CAP_CHUNKING) ||
	    !c->cfg.chunking))
		return refuse(r, x, 554, "5.6.3",
		    "the server does not offer BINARYMIME and CHUNKING");
	/* RFC 8689 4.1: REQUIRETLS only over TLS to a server offering it */
	if (m->requiretls && (!c->tls || !has(c, MW_CAP_REQUIRETLS)))
		return refuse(r, x, 550, "5.7.30",
		    "REQUIRETLS support required");
	return 0;
}
