/*
 * mailwire-send: sends one message with the client engine
 * (mailwire/client.h) through the client adapter (mailwire/io_client.h),
 * STARTTLS required by default, with a sendmail-compatible mode. The body
 * is streamed from its file or stdin piece by piece as the engine asks;
 * only the header block of -t is held (at most HDR_MAX octets). Prints
 * one line per recipient on stdout; the exit status is sysexits.h's.
 * Here: the options, the session and the results; -t's header is read in
 * send_headers.c, the message in send_message.c, -v in transcript.c.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <mailwire/client.h>
#include <mailwire/crypto_openssl.h>
#include <mailwire/io_client.h>
#include <mailwire/io_tls.h>
#include <mailwire/mech.h>

#include "send.h"
#include "transcript.h"

static const char *progname = "mailwire-send";

/* ---- the options ------------------------------------------------------- */

static struct {
	const char	*server;
	const char	*from;
	const char	*message;	/* NULL: stdin */
	const char	*ca_file, *cert, *key;
	const char	*user, *password_file, *helo;
	int		 tls;		/* enum mw_client_tls */
	int		 tls_given, insecure, lmtp, verbose, tflag;
	int		 auth;		/* -1: none, MW_AUTH__COUNT: auto */
	int		 pipelining, chunking;
	uint64_t	 timeout[MW_CLIENT_T__COUNT];
} opt = { .tls = MW_CLIENT_TLS_REQUIRED, .auth = -1, .pipelining = 1,
	.chunking = 1 };

/* The recipients, in order, without duplicates. */
static char	**g_rcpt;
static size_t	  g_nrcpt, g_caprcpt;

static void
usage(FILE *f, int status)
{
	fprintf(f,
	    "usage: mailwire-send [--server HOST[:PORT]] [--from ADDR]\n"
	    "    [--to ADDR ...] [--tls starttls|implicit|opportunistic|none]\n"
	    "    [--ca-file FILE] [--insecure] [--tls-cert FILE --tls-key FILE]\n"
	    "    [--auth MECH|auto] [--user NAME [--password-file FILE]]\n"
	    "    [--helo NAME] [--timeout STATE=SECONDS ...]\n"
	    "    [--pipelining auto|off] [--chunking auto|off] [--lmtp]\n"
	    "    [--message FILE] [-t] [-i] [-f ADDR] [-v] [ADDR ...]\n"
	    "The password comes from --password-file (its first line) or\n"
	    "MAILWIRE_PASSWORD. STATE: connect greeting ehlo starttls auth\n"
	    "mail rcpt data block end quit. Ignored sendmail flags: -oXXX\n"
	    "(-oi is -i), -odX, -eX, -U, -n, -m, -bm, -F/-B/-N/-R/-V/-X ARG.\n");
	exit(status);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* RFC 5321 4.1.2 as the engine takes it: no space, control octet, <, >;
 * at most MW_CLIENT_PATH_MAX octets. */
static int
addr_ok(const char *a, int empty_ok)
{
	size_t n = strlen(a);

	if ((n == 0 && !empty_ok) || n > MW_CLIENT_PATH_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)a[i];

		if (ch <= 0x20 || ch == 0x7f || ch == '<' || ch == '>')
			return 0;
	}
	return 1;
}

void
add_rcpt(const char *a, size_t n, int status)
{
	char *s;

	if ((s = malloc(n + 1)) == NULL)
		die(EX_OSERR, "out of memory");
	memcpy(s, a, n);
	s[n] = '\0';
	if (!addr_ok(s, 0))
		die(status, "bad recipient address: \"%s\"", s);
	for (size_t i = 0; i < g_nrcpt; i++)
		if (strcmp(g_rcpt[i], s) == 0) {
			free(s);
			return;
		}
	if (g_nrcpt == g_caprcpt) {
		size_t nc = g_caprcpt ? g_caprcpt * 2 : 8;
		char **r = realloc(g_rcpt, nc * sizeof(*r));

		if (r == NULL)
			die(EX_OSERR, "out of memory");
		g_rcpt = r;
		g_caprcpt = nc;
	}
	g_rcpt[g_nrcpt++] = s;
}

static int
on_off(const char *o, const char *v)
{
	if (strcmp(v, "auto") == 0)
		return 1;
	if (strcmp(v, "off") == 0)
		return 0;
	fprintf(stderr, "%s: %s: auto or off, not %s\n", progname, o, v);
	usage(stderr, EX_USAGE);
	return 0;
}

static void
set_timeout(const char *v)
{
	const char *eq = strchr(v, '=');
	char name[32], *e;
	enum mw_client_timer t;
	double s;

	if (eq == NULL || (size_t)(eq - v) >= sizeof(name))
		die(EX_USAGE, "--timeout: STATE=SECONDS, not %s", v);
	memcpy(name, v, (size_t)(eq - v));
	name[eq - v] = '\0';
	if ((t = mw_client_timer_lookup(name)) == MW_CLIENT_T__COUNT)
		die(EX_USAGE, "--timeout: no state %s (connect greeting ehlo "
		    "starttls auth mail rcpt data block end quit)", name);
	errno = 0;
	s = strtod(eq + 1, &e);
	if (errno != 0 || e == eq + 1 || *e != '\0' || !(s > 0) ||
	    s > 7 * 86400)
		die(EX_USAGE, "--timeout %s: not a number of seconds", v);
	opt.timeout[t] = (uint64_t)(s * 1000 + 0.5);
	if (opt.timeout[t] == 0)
		opt.timeout[t] = 1;
}

/* The password: --password-file's first line, or MAILWIRE_PASSWORD. */
static char *
password(void)
{
	static char pw[1024];
	FILE *f;

	if (opt.password_file == NULL) {
		const char *e = getenv("MAILWIRE_PASSWORD");

		if (e == NULL)
			return NULL;
		snprintf(pw, sizeof(pw), "%s", e);
		return pw;
	}
	if ((f = fopen(opt.password_file, "r")) == NULL)
		die(EX_CONFIG, "%s: %s", opt.password_file, strerror(errno));
	if (fgets(pw, sizeof(pw), f) == NULL) {
		if (ferror(f))
			die(EX_CONFIG, "%s: %s", opt.password_file,
			    strerror(errno));
		pw[0] = '\0';
	}
	fclose(f);
	pw[strcspn(pw, "\r\n")] = '\0';
	return pw;
}

/* The host name for EHLO: gethostname(), kept to letters, digits, '-'
 * and '.' (RFC 5321 4.1.1.1: a Domain). */
static const char *
default_helo(void)
{
	static char hn[256];
	char raw[256];
	size_t o = 0;

	if (gethostname(raw, sizeof(raw) - 1) != 0)
		raw[0] = '\0';
	raw[sizeof(raw) - 1] = '\0';
	for (size_t i = 0; raw[i] != '\0' && o < sizeof(hn) - 1; i++)
		if (isalnum((unsigned char)raw[i]) || raw[i] == '-' ||
		    raw[i] == '.')
			hn[o++] = raw[i];
	hn[o] = '\0';
	while (o > 0 && hn[o - 1] == '.')
		hn[--o] = '\0';
	if (o == 0 || hn[0] == '.' || hn[0] == '-')
		snprintf(hn, sizeof(hn), "localhost");
	return hn;
}

static void
parse_args(int argc, char **argv)
{
	int i, ddash = 0;

	for (i = 1; i < argc; i++) {
		char *a = argv[i], *v = NULL, lbuf[64];
		const char *eq;

#define NEEDV()	do {							\
		if (v == NULL) {					\
			if (i + 1 >= argc) {				\
				fprintf(stderr, "%s: %s needs a value\n", \
				    progname, a);			\
				usage(stderr, EX_USAGE);		\
			}						\
			v = argv[++i];					\
		}							\
	} while (0)

		if (ddash || a[0] != '-' || a[1] == '\0') {
			add_rcpt(a, strlen(a), EX_USAGE);
			continue;
		}
		if (strcmp(a, "--") == 0) {
			ddash = 1;
			continue;
		}
		/* --opt=value */
		if (a[1] == '-' && (eq = strchr(a, '=')) != NULL &&
		    (size_t)(eq - a) < sizeof(lbuf)) {
			memcpy(lbuf, a, (size_t)(eq - a));
			lbuf[eq - a] = '\0';
			v = (char *)eq + 1;
			a = lbuf;
		}
		if (strcmp(a, "--server") == 0) {
			NEEDV();
			opt.server = v;
		} else if (strcmp(a, "--from") == 0 || strcmp(a, "-f") == 0 ||
		    strcmp(a, "-r") == 0) {
			NEEDV();
			opt.from = v;
		} else if (strncmp(a, "-f", 2) == 0 && a[1] == 'f') {
			opt.from = a + 2;	/* sendmail's -fADDR */
		} else if (strcmp(a, "--to") == 0) {
			NEEDV();
			add_rcpt(v, strlen(v), EX_USAGE);
		} else if (strcmp(a, "--tls") == 0) {
			NEEDV();
			opt.tls_given = 1;
			if (strcmp(v, "starttls") == 0)
				opt.tls = MW_CLIENT_TLS_REQUIRED;
			else if (strcmp(v, "implicit") == 0)
				opt.tls = MW_CLIENT_TLS_IMPLICIT;
			else if (strcmp(v, "opportunistic") == 0)
				opt.tls = MW_CLIENT_TLS_OPPORTUNISTIC;
			else if (strcmp(v, "none") == 0)
				opt.tls = MW_CLIENT_TLS_OFF;
			else
				die(EX_USAGE, "--tls: starttls, implicit, "
				    "opportunistic or none, not %s", v);
		} else if (strcmp(a, "--ca-file") == 0) {
			NEEDV();
			opt.ca_file = v;
		} else if (strcmp(a, "--insecure") == 0) {
			opt.insecure = 1;
		} else if (strcmp(a, "--tls-cert") == 0) {
			NEEDV();
			opt.cert = v;
		} else if (strcmp(a, "--tls-key") == 0) {
			NEEDV();
			opt.key = v;
		} else if (strcmp(a, "--auth") == 0) {
			NEEDV();
			if (strcmp(v, "auto") == 0)
				opt.auth = MW_AUTH__COUNT;
			else {
				enum mw_auth_mech m = mw_auth_mech_lookup(
				    (const unsigned char *)v, strlen(v));

				if (m == MW_AUTH_OTHER ||
				    (MW_SASL_CLIENT_MECHS & MW_AUTH_BIT(m)) == 0)
					die(EX_USAGE, "--auth: unknown or "
					    "unsupported mechanism %s", v);
				opt.auth = (int)m;
			}
		} else if (strcmp(a, "--user") == 0) {
			NEEDV();
			opt.user = v;
		} else if (strcmp(a, "--password-file") == 0) {
			NEEDV();
			opt.password_file = v;
		} else if (strcmp(a, "--helo") == 0) {
			NEEDV();
			opt.helo = v;
		} else if (strcmp(a, "--timeout") == 0) {
			NEEDV();
			set_timeout(v);
		} else if (strcmp(a, "--pipelining") == 0) {
			NEEDV();
			opt.pipelining = on_off(a, v);
		} else if (strcmp(a, "--chunking") == 0) {
			NEEDV();
			opt.chunking = on_off(a, v);
		} else if (strcmp(a, "--lmtp") == 0) {
			opt.lmtp = 1;
		} else if (strcmp(a, "--message") == 0) {
			NEEDV();
			opt.message = v;
		} else if (strcmp(a, "-t") == 0) {
			opt.tflag = 1;
		} else if (strcmp(a, "-i") == 0 || strcmp(a, "-oi") == 0) {
			/* a lone "." is never special: the encoder stuffs
			 * every leading dot (RFC 5321 4.5.2) */
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			opt.verbose = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout, 0);
		} else if (strchr("FBNRVXL", a[1]) != NULL && a[1] != '\0' &&
		    a[0] == '-' && a[1] != '-') {
			/* sendmail's flags with an argument, ignored */
			if (a[2] == '\0')
				NEEDV();
		} else if (a[1] == 'o' || a[1] == 'e' || strcmp(a, "-U") == 0 ||
		    strcmp(a, "-n") == 0 || strcmp(a, "-m") == 0 ||
		    strcmp(a, "-bm") == 0 || strcmp(a, "-G") == 0) {
			/* -oem, -odi, -oee, -em ...: ignored */
		} else {
			fprintf(stderr, "%s: unknown option %s\n", progname, a);
			usage(stderr, EX_USAGE);
		}
#undef NEEDV
	}
}

/* ---- the transcript (-v) ----------------------------------------------- */

static struct send_msg		body;
static struct tr		tr;
static struct mw_io_tls_dest	g_dest;

static void
on_log(void *arg, enum mw_io_client_log dir, const unsigned char *p,
    size_t n)
{
	(void)arg;
	if (dir == MW_IO_CLIENT_NOTE) {
		fprintf(stderr, "* %.*s", (int)n, (const char *)p);
		if (strncmp((const char *)p, "TLS established", n) == 0 &&
		    g_dest.info[0] != '\0')
			fprintf(stderr, " (%s)", g_dest.info);
		fputc('\n', stderr);
		return;
	}
	if (dir == MW_IO_CLIENT_SENT)
		tr_client(&tr, p, n);
	else
		tr_server(&tr, p, n);
}

/* ---- the session ------------------------------------------------------- */

static struct mw_client_rcpt	*g_rc;
static struct mw_client_result	*g_res;
static struct mw_client_msg	 g_msg;
static int			 g_submitted, g_msg_done;
static const char		*g_abort;	/* why we aborted */
static int			 g_abort_status;
static uint32_t			 g_offered;	/* AUTH mechanisms offered */
static int			 g_starttls;	/* STARTTLS offered */

static int
on_event(void *arg, struct mw_client *c, const struct mw_client_event *ev)
{
	size_t n;
	int last;

	(void)arg;
	switch (ev->type) {
	case MW_CLIENT_EV_READY:
		if (!g_submitted) {
			g_submitted = 1;
			if (mw_client_submit(c, &g_msg) != MW_ERR_OK) {
				g_abort = "the message was refused by the "
				    "engine (a malformed address?)";
				g_abort_status = EX_DATAERR;
				return -1;
			}
		} else
			mw_client_quit(c);
		break;
	case MW_CLIENT_EV_BODY:
		if (ev->offset != body.given && (ev->offset != 0 ||
		    send_msg_rewind(&body) != 0)) {
			g_abort = "the server's recipient limit needs the "
			    "message sent again and the input cannot be "
			    "re-read (use --message FILE)";
			g_abort_status = EX_TEMPFAIL;
			return -1;
		}
		n = send_msg_fill(&body, ev->buf, ev->cap, &last);
		if (body.err != 0) {
			g_abort = "reading the message failed";
			g_abort_status = EX_NOINPUT;
			return -1;
		}
		mw_client_body(c, n, last);
		break;
	case MW_CLIENT_EV_MESSAGE:
		/* done by the server's replies, not by the session's end: a
		 * later failure (QUIT's timeout) changes nothing of it */
		g_msg_done = 1;
		for (size_t i = 0; i < g_msg.nrcpts; i++)
			if (g_msg.results[i].why == MW_CLIENT_WHY_TIMEOUT ||
			    g_msg.results[i].why == MW_CLIENT_WHY_PROTOCOL ||
			    g_msg.results[i].why == MW_CLIENT_WHY_CLOSED)
				g_msg_done = 0;
		break;
	case MW_CLIENT_EV_CLOSE: {
		const struct mw_ehlo *e = mw_client_caps(c);

		g_offered = e->auth;
		g_starttls = (e->caps & (1u << MW_CAP_STARTTLS)) != 0;
		break;
	}
	default:
		break;
	}
	return 0;
}

/* ---- the outcome ------------------------------------------------------- */

/* RFC sysexits precedence: 76 > 77 > 65 > 75 > 69 > 0. */
static int
rank(int st)
{
	switch (st) {
	case 0:
		return 0;
	case EX_UNAVAILABLE:
		return 1;
	case EX_TEMPFAIL:
		return 2;
	case EX_DATAERR:
		return 3;
	case EX_NOPERM:
		return 4;
	case EX_PROTOCOL:
		return 5;
	default:
		return 6;	/* EX_NOINPUT, EX_OSERR: local trouble */
	}
}

static int
worse(int a, int b)
{
	return rank(b) > rank(a) ? b : a;
}

static void
reply_text(char *out, size_t cap, const struct mw_client_result *r)
{
	if (r->has_esc)
		snprintf(out, cap, "%d %d.%d.%d%s%s", r->code, r->esc.klass,
		    r->esc.subject, r->esc.detail, r->text[0] ? " " : "",
		    r->text);
	else
		snprintf(out, cap, "%d%s%s", r->code, r->text[0] ? " " : "",
		    r->text);
}

static char	g_cause[512];	/* the session's trouble, for recipients */
static int	g_session;	/* its exit status (0: none) */

/* The session-level outcome: one line on stderr, g_cause, g_session. */
static void
session_outcome(enum mw_io_client_status st, const struct
    mw_io_client_result *res, const char *server)
{
	char rt[400];
	int s = 0;

	reply_text(rt, sizeof(rt), &res->reply);
	g_cause[0] = '\0';
	switch (st) {
	case MW_IO_CLIENT_DONE:
		break;
	case MW_IO_CLIENT_ADDRESS:
		die(EX_USAGE, "--server %s: %s", server, res->error);
		break;
	case MW_IO_CLIENT_RESOLVE:
		snprintf(g_cause, sizeof(g_cause), "%s: %s", server,
		    res->error);
		g_session = EX_TEMPFAIL;
		return;
	case MW_IO_CLIENT_CONNECT:
		snprintf(g_cause, sizeof(g_cause), "connect to %s: %s",
		    res->peer[0] ? res->peer : server, res->error);
		g_session = EX_TEMPFAIL;
		return;
	case MW_IO_CLIENT_TLS:
		snprintf(g_cause, sizeof(g_cause), "TLS: %s",
		    g_dest.error[0] ? g_dest.error : res->error);
		g_session = g_dest.verify_failed ? EX_NOPERM : EX_TEMPFAIL;
		return;
	case MW_IO_CLIENT_ABORTED:
		snprintf(g_cause, sizeof(g_cause), "%s",
		    g_abort ? g_abort : res->error);
		g_session = g_abort ? g_abort_status : EX_SOFTWARE;
		return;
	default:
		snprintf(g_cause, sizeof(g_cause), "%s", res->error);
		g_session = EX_OSERR;
		return;
	}
	switch (res->reason) {
	case MW_CLIENT_CLOSE_QUIT:
	case MW_CLIENT_CLOSE_NONE:
		return;
	case MW_CLIENT_CLOSE_EOF:
		snprintf(g_cause, sizeof(g_cause), "connection closed%s%s",
		    res->error[0] ? ": " : "", res->error);
		s = EX_TEMPFAIL;
		break;
	case MW_CLIENT_CLOSE_TIMEOUT:
		snprintf(g_cause, sizeof(g_cause), "timeout in %s",
		    mw_client_timer_name(res->timer));
		s = EX_TEMPFAIL;
		break;
	case MW_CLIENT_CLOSE_PROTOCOL:
		if (res->cause != MW_REPLY_E_NONE)
			snprintf(g_cause, sizeof(g_cause), "protocol error: "
			    "%s (%s)", mw_reply_cause_name(res->cause),
			    mw_reply_cause_message(res->cause));
		else
			snprintf(g_cause, sizeof(g_cause), "protocol error: "
			    "unexpected reply %s", rt);
		s = EX_PROTOCOL;
		break;
	case MW_CLIENT_CLOSE_UNSOLICITED:
		snprintf(g_cause, sizeof(g_cause), "protocol error: a reply "
		    "before its command was sent");
		s = EX_PROTOCOL;
		break;
	case MW_CLIENT_CLOSE_GREETING:
		snprintf(g_cause, sizeof(g_cause), "refused at the greeting "
		    "(%s)", rt);
		s = res->reply.code / 100 == 4 ? EX_TEMPFAIL : EX_UNAVAILABLE;
		break;
	case MW_CLIENT_CLOSE_HELO:
		snprintf(g_cause, sizeof(g_cause), "%s refused (%s)",
		    opt.lmtp ? "LHLO" : "EHLO/HELO", rt);
		s = res->reply.code / 100 == 4 ? EX_TEMPFAIL : EX_UNAVAILABLE;
		break;
	case MW_CLIENT_CLOSE_SERVICE:
		snprintf(g_cause, sizeof(g_cause), "service not available "
		    "(%s)", rt);
		s = EX_TEMPFAIL;
		break;
	case MW_CLIENT_CLOSE_TLS_UNAVAILABLE:
		snprintf(g_cause, sizeof(g_cause), "STARTTLS is required but "
		    "not offered (--tls opportunistic or none to send "
		    "without)");
		s = EX_UNAVAILABLE;
		break;
	case MW_CLIENT_CLOSE_TLS_FAILED:
		if (res->reply.code != 0) {
			snprintf(g_cause, sizeof(g_cause), "STARTTLS refused "
			    "(%s)", rt);
			s = res->reply.code / 100 == 5 ? EX_UNAVAILABLE :
			    EX_TEMPFAIL;
		} else {
			snprintf(g_cause, sizeof(g_cause), "TLS: %s",
			    g_dest.error[0] ? g_dest.error :
			    "handshake failed");
			s = g_dest.verify_failed ? EX_NOPERM : EX_TEMPFAIL;
		}
		break;
	case MW_CLIENT_CLOSE_AUTH_UNAVAILABLE: {
		size_t o;

		o = (size_t)snprintf(g_cause, sizeof(g_cause), "no usable "
		    "authentication mechanism (offered:");
		for (int m = 0; m < MW_AUTH__COUNT && o < sizeof(g_cause) - 40;
		    m++)
			if (g_offered & MW_AUTH_BIT(m))
				o += (size_t)snprintf(g_cause + o,
				    sizeof(g_cause) - o, " %s",
				    mw_auth_mech_name((enum mw_auth_mech)m));
		snprintf(g_cause + o, sizeof(g_cause) - o, "%s)%s",
		    g_offered ? "" : " none", !res->tls &&
		    (g_offered & MW_SASL_PLAINTEXT_MECHS) ? "; PLAIN and "
		    "LOGIN need TLS, or --tls none" : "");
		s = EX_NOPERM;
		break;
	}
	case MW_CLIENT_CLOSE_AUTH_FAILED:
		snprintf(g_cause, sizeof(g_cause), "authentication failed%s%s",
		    res->reply.code ? ": " : "", res->reply.code ? rt : "");
		s = res->reply.code / 100 == 4 ? EX_TEMPFAIL : EX_NOPERM;
		break;
	case MW_CLIENT_CLOSE_ABORTED:
		snprintf(g_cause, sizeof(g_cause), "message refused here: a "
		    "line is over 998 octets (RFC 5321 4.5.3.1.6)");
		s = EX_DATAERR;
		break;
	default:
		snprintf(g_cause, sizeof(g_cause), "closed: %s",
		    mw_client_close_name(res->reason));
		s = EX_TEMPFAIL;
		break;
	}
	g_session = s;
}

/* One recipient's line and status. */
static int
report(size_t i, const struct mw_io_client_result *res)
{
	const struct mw_client_result *r = &g_res[i];
	const char *a = g_rcpt[i];
	char rt[sizeof(g_cause) + 32];

	if (!g_submitted || r->status == MW_CLIENT_PENDING) {
		int s = g_session != 0 ? g_session : EX_TEMPFAIL;

		printf("%s: %s failure (%s)\n", a, s == EX_TEMPFAIL ?
		    "temporary" : "permanent", g_cause[0] ? g_cause :
		    "not sent");
		return s;
	}
	if (r->code != 0)
		reply_text(rt, sizeof(rt), r);
	else if (r->why == MW_CLIENT_WHY_TIMEOUT)
		snprintf(rt, sizeof(rt), "timeout in %s",
		    mw_client_timer_name(res->timer));
	else if (r->why == MW_CLIENT_WHY_PROTOCOL)
		snprintf(rt, sizeof(rt), "%s", g_cause[0] ? g_cause :
		    "protocol error");
	else if (r->why == MW_CLIENT_WHY_CLOSED)
		snprintf(rt, sizeof(rt), "%s", g_cause[0] ? g_cause :
		    "connection closed");
	else
		snprintf(rt, sizeof(rt), "%s", mw_client_why_name(r->why));
	switch (r->status) {
	case MW_CLIENT_DELIVERED:
		printf("%s: delivered (%s)\n", a, rt);
		return 0;
	case MW_CLIENT_TEMPFAIL:
		printf("%s: temporary failure (%s)\n", a, rt);
		return r->why == MW_CLIENT_WHY_PROTOCOL ? EX_PROTOCOL :
		    EX_TEMPFAIL;
	default:
		printf("%s: permanent failure (%s)\n", a, rt);
		if (r->why == MW_CLIENT_WHY_SIZE || r->why == MW_CLIENT_WHY_LOCAL)
			return EX_DATAERR;
		if (r->why == MW_CLIENT_WHY_PROTOCOL)
			return EX_PROTOCOL;
		return EX_UNAVAILABLE;
	}
}

int
main(int argc, char **argv)
{
	static struct mw_client_config cfg;
	static struct mw_sasl_creds creds;
	static struct mw_crypto crypto;
	static struct mw_io_transport tlst;
	static char host[256];
	struct mw_io_client_config io;
	struct mw_io_client_result res;
	struct mw_io_tls_client_config tc;
	struct mw_io_tls *tls = NULL;
	enum mw_io_client_status st;
	unsigned port;
	const char *server;
	char err[512], *pw = NULL;
	int status = 0, smtputf8 = 0;

	parse_args(argc, argv);
	server = opt.server != NULL ? opt.server : "localhost";
	/* RFC 8314 3.3: 465 for implicit TLS; RFC 2033 4: LMTP is not
	 * on 25, 24 is its registered port */
	port = opt.lmtp ? 24 : opt.tls == MW_CLIENT_TLS_IMPLICIT ? 465 : 25;
	if (mw_io_client_split(server, host, sizeof(host), &port) != 0)
		die(EX_USAGE, "--server %s: host, host:port or [IPv6]:port",
		    server);
	if (opt.helo == NULL)
		opt.helo = default_helo();
	for (const char *p = opt.helo; ; p++) {
		if (*p == '\0' && p != opt.helo)
			break;
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			die(EX_USAGE, "--helo: a host name, not \"%s\"",
			    opt.helo);
	}
	if (opt.from == NULL) {
		static char def[300];
		const char *u = getenv("LOGNAME");

		if (u == NULL || *u == '\0')
			u = getenv("USER");
		snprintf(def, sizeof(def), "%s@%s", u && *u ? u : "root",
		    opt.helo);
		opt.from = def;
	}
	if (!addr_ok(opt.from, 1))
		die(EX_USAGE, "bad sender address: \"%s\"", opt.from);
	if ((opt.cert == NULL) != (opt.key == NULL))
		die(EX_USAGE, "--tls-cert and --tls-key go together");
	if (opt.user != NULL && opt.auth == -1)
		opt.auth = MW_AUTH__COUNT;
	if (opt.auth != -1 && opt.auth != MW_AUTH_EXTERNAL &&
	    opt.user == NULL)
		die(EX_USAGE, "--auth needs --user");
	if (opt.auth == MW_AUTH_EXTERNAL && opt.cert == NULL)
		die(EX_USAGE, "--auth EXTERNAL needs --tls-cert and --tls-key");
	if (opt.auth != -1 && opt.auth != MW_AUTH_EXTERNAL &&
	    (pw = password()) == NULL)
		die(EX_USAGE, "--user needs --password-file or "
		    "MAILWIRE_PASSWORD");
	if (!opt.tflag && g_nrcpt == 0)
		die(EX_USAGE, "no recipients (--to, arguments or -t)");

	send_msg_open(&body, opt.message, opt.tflag);
	if (g_nrcpt == 0)
		die(EX_DATAERR, "-t: no recipients in To, Cc or Bcc");

	/* the configuration */
	mw_client_config_init(&cfg);
	cfg.helo = opt.helo;
	cfg.lmtp = opt.lmtp;
	cfg.tls = (enum mw_client_tls)opt.tls;
	cfg.pipelining = opt.pipelining;
	cfg.chunking = opt.chunking;
	for (int t = 0; t < MW_CLIENT_T__COUNT; t++)
		if (opt.timeout[t] != 0)
			cfg.timeout[t] = opt.timeout[t];
	mw_crypto_openssl(&crypto);
	cfg.crypto = &crypto;
	if (opt.auth != -1) {
		creds.authcid = opt.user;
		creds.host = host;
		creds.port = port;
		if (opt.auth == MW_AUTH_XOAUTH2 ||
		    opt.auth == MW_AUTH_OAUTHBEARER)
			creds.token = pw;	/* the secret is the token */
		else
			creds.password = pw;
		if (opt.auth == MW_AUTH_EXTERNAL)
			creds.authzid = opt.user;
		cfg.creds = &creds;
		cfg.auth_mechs = opt.auth == MW_AUTH__COUNT ? 0 :
		    MW_AUTH_BIT(opt.auth);
		/* RFC 4954 4: the password in the clear only when the
		 * user asked for no TLS at all */
		cfg.plaintext_auth = opt.tls == MW_CLIENT_TLS_OFF;
	}
	if (opt.tls != MW_CLIENT_TLS_OFF) {
		mw_io_tls_client_config_init(&tc);
		tc.ca_file = opt.ca_file;
		tc.insecure = opt.insecure;
		tc.cert_file = opt.cert;
		tc.key_file = opt.key;
		if ((tls = mw_io_tls_client_new(&tc, err, sizeof(err))) == NULL)
			die(EX_CONFIG, "%s", err);
		g_dest.tls = tls;
		g_dest.host = host;
		mw_io_tls_client_transport(&g_dest, &tlst);
	}

	/* the message */
	g_rc = calloc(g_nrcpt, sizeof(*g_rc));
	g_res = calloc(g_nrcpt, sizeof(*g_res));
	if (g_rc == NULL || g_res == NULL)
		die(EX_OSERR, "out of memory");
	for (size_t i = 0; i < g_nrcpt; i++) {
		g_rc[i].addr = g_rcpt[i];
		for (const char *p = g_rcpt[i]; *p; p++)
			smtputf8 |= (unsigned char)*p >= 0x80;
	}
	for (const char *p = opt.from; *p; p++)
		smtputf8 |= (unsigned char)*p >= 0x80;
	g_msg.from = opt.from;
	g_msg.rcpts = g_rc;
	g_msg.nrcpts = g_nrcpt;
	g_msg.results = g_res;
	g_msg.size = body.size;
	g_msg.smtputf8 = smtputf8;	/* RFC 6531 3.4 */
	g_msg.bdat = opt.chunking;

	/* TLS libraries may write to a closed socket */
	signal(SIGPIPE, SIG_IGN);
	mw_io_client_config_init(&io);
	io.server = server;
	io.port = port;
	io.client = &cfg;
	io.tls = tls != NULL ? &tlst : NULL;
	io.event = on_event;
	io.log = opt.verbose ? on_log : NULL;
	st = mw_io_client_run(&io, &res);

	session_outcome(st, &res, server);
	for (size_t i = 0; i < g_nrcpt; i++)
		status = worse(status, report(i, &res));
	fflush(stdout);
	if (g_cause[0] != '\0') {
		/* after the message was done, a late failure (QUIT's
		 * timeout) changes nothing delivered */
		fprintf(stderr, "%s: %s%s\n", progname, g_cause,
		    g_msg_done ? " (after the message)" : "");
		if (!g_msg_done)
			status = worse(status, g_session);
	}
	mw_io_tls_free(tls);
	return status;
}
