/*
 * mailwire-sink: a real SMTP/LMTP server on the engine (mailwire/server.h)
 * and the adapters (mailwire/io.h, mailwire/io_tls.h) that delivers to a
 * Maildir or discards. A message is acknowledged only once it is durably
 * in new/: written to tmp/, fsync, renamed into new/, the directory
 * fsynced, then 250 (RFC 5321 6.1: the server takes responsibility with
 * the 250).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <mailwire/crypto_openssl.h>
#include <mailwire/io.h>
#include <mailwire/io_tls.h>
#include <mailwire/server.h>

#include "transcript.h"

#define MAX_LISTEN	16

static struct mw_io_loop *g_loop;
static const char *g_maildir;	/* NULL: --discard */
static int g_newfd = -1;	/* new/, for fsync */
static char g_host[256];	/* sanitised host name for file names */
static unsigned long g_seq;
static int g_verbose;
static int g_lmtp;

/* A session's state. */
struct sess {
	char		 sender[600];
	char		**rcpt;
	size_t		 nrcpt, caprcpt;
	FILE		*tmp;
	char		 tmppath[PATH_MAX];
	char		 name[300];
	int		 result;	/* LMTP: the delivery's outcome */
	struct tr	 tr;		/* -v */
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: mailwire-sink --listen ADDR:PORT [--listen ...]\n"
	    "    (--maildir DIR | --discard) [--hostname NAME]\n"
	    "    [--tls-cert FILE --tls-key FILE [--tls-implicit]]\n"
	    "    [--users FILE [--auth-required] [--auth-requires-tls |\n"
	    "     --no-auth-requires-tls]]\n"
	    "    [--max-recipients N] [--max-message-size BYTES]\n"
	    "    [--timeout SECONDS] [--max-errors N] [--max-connections N]\n"
	    "    [--lmtp] [--etrn]"
	    " [--lenient bare-lf,space-after-colon,no-brackets] [-v]\n");
	exit(2);
}

static unsigned long long
number(const char *opt, const char *s)
{
	char *e;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno != 0 || e == s || *e != '\0' || s[0] == '-') {
		fprintf(stderr, "mailwire-sink: %s: not a number: %s\n", opt, s);
		exit(2);
	}
	return v;
}

/* ---- transcript -------------------------------------------------------- */

static void
on_log(void *arg, struct mw_io_conn *c, enum mw_io_dir dir,
    const unsigned char *p, size_t n)
{
	struct sess *ss = mw_io_conn_data(c);
	struct tr last;
	char tag[32];

	(void)arg;
	if (dir == MW_IO_NOTE) {
		fprintf(stderr, "[%llu] * %.*s (%s)\n",
		    (unsigned long long)mw_io_conn_id(c), (int)n,
		    (const char *)p, mw_io_conn_peer(c));
		return;
	}
	if (ss == NULL) {
		/* after CLOSE: the last reply (221, 421) */
		if (dir == MW_IO_SERVER) {
			snprintf(tag, sizeof(tag), "[%llu] ",
			    (unsigned long long)mw_io_conn_id(c));
			tr_init(&last, tag);
			tr_server(&last, p, n);
			tr_flush(&last);
		}
		return;
	}
	if (dir == MW_IO_CLIENT)
		tr_client(&ss->tr, p, n);
	else
		tr_server(&ss->tr, p, n);
}

/* ---- Maildir ----------------------------------------------------------- */

static void
drop_tmp(struct sess *ss)
{
	if (ss->tmp != NULL) {
		fclose(ss->tmp);
		ss->tmp = NULL;
		unlink(ss->tmppath);
	}
}

static void
reset(struct sess *ss)
{
	drop_tmp(ss);
	for (size_t i = 0; i < ss->nrcpt; i++)
		free(ss->rcpt[i]);
	ss->nrcpt = 0;
	ss->sender[0] = '\0';
}

static void
span(char *dst, size_t cap, const unsigned char *line, struct mw_span sp)
{
	size_t n = sp.len < cap - 1 ? sp.len : cap - 1;

	memcpy(dst, line + sp.off, n);
	dst[n] = '\0';
}

/* Maildir: tmp/NAME, with NAME time.MusecPpidQseq.host. 0 or -1. */
static int
open_tmp(struct sess *ss)
{
	struct timeval tv;
	int fd;

	gettimeofday(&tv, NULL);
	snprintf(ss->name, sizeof(ss->name), "%lld.M%06ldP%ldQ%lu.%s",
	    (long long)tv.tv_sec, (long)tv.tv_usec, (long)getpid(), ++g_seq,
	    g_host);
	snprintf(ss->tmppath, sizeof(ss->tmppath), "%s/tmp/%s", g_maildir,
	    ss->name);
	fd = open(ss->tmppath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	if ((ss->tmp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(ss->tmppath);
		return -1;
	}
	/* RFC 5321 4.4: the final delivery adds Return-Path */
	fprintf(ss->tmp, "Return-Path: <%s>\r\n", ss->sender);
	for (size_t i = 0; i < ss->nrcpt; i++)
		fprintf(ss->tmp, "Delivered-To: %s\r\n", ss->rcpt[i]);
	return 0;
}

/* tmp/ -> new/, durably. 0 or -1 (nothing in new/ then). */
static int
deliver(struct sess *ss)
{
	char newpath[PATH_MAX];
	FILE *f = ss->tmp;
	int bad;

	ss->tmp = NULL;
	bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	snprintf(newpath, sizeof(newpath), "%s/new/%s", g_maildir, ss->name);
	if (bad || rename(ss->tmppath, newpath) != 0) {
		unlink(ss->tmppath);
		return -1;
	}
	/* the rename is durable only once the directory is */
	if (fsync(g_newfd) != 0) {
		unlink(newpath);
		return -1;
	}
	return 0;
}

/* ---- events ------------------------------------------------------------ */

static void
on_event(void *arg, struct mw_io_conn *c, struct mw_server *s,
    const struct mw_server_event *ev)
{
	struct sess *ss = mw_io_conn_data(c);
	char m[600];

	(void)arg;
	switch (ev->type) {
	case MW_EV_CONNECT:
		if ((ss = calloc(1, sizeof(*ss))) == NULL) {
			mw_server_reject(s, 421, "4.3.0", "Out of memory");
			return;
		}
		snprintf(m, sizeof(m), "[%llu] ",
		    (unsigned long long)mw_io_conn_id(c));
		tr_init(&ss->tr, m);
		mw_io_conn_set_data(c, ss);
		mw_server_accept(s, NULL);
		break;
	case MW_EV_HELO:
		mw_server_accept(s, NULL);
		break;
	case MW_EV_MAIL:
		reset(ss);
		if (!ev->cmd->null_path)
			span(ss->sender, sizeof(ss->sender), ev->line,
			    ev->cmd->mailbox);
		mw_server_accept(s, NULL);
		break;
	case MW_EV_RCPT:
		span(m, sizeof(m), ev->line, ev->cmd->mailbox);
		if (ss->nrcpt == ss->caprcpt) {
			size_t nc = ss->caprcpt ? ss->caprcpt * 2 : 8;
			char **r = realloc(ss->rcpt, nc * sizeof(*r));

			if (r == NULL) {
				mw_server_reject(s, 452, "4.3.1",
				    "Out of memory");
				return;
			}
			ss->rcpt = r;
			ss->caprcpt = nc;
		}
		if ((ss->rcpt[ss->nrcpt] = strdup(m)) == NULL) {
			mw_server_reject(s, 452, "4.3.1", "Out of memory");
			return;
		}
		ss->nrcpt++;
		mw_server_accept(s, NULL);
		break;
	case MW_EV_DATA:
		drop_tmp(ss);
		if (g_maildir != NULL && open_tmp(ss) != 0) {
			mw_server_reject(s, 451, "4.3.0",
			    "Cannot store the message");
			return;
		}
		mw_server_accept(s, NULL);
		break;
	case MW_EV_BODY:
		if (ss->tmp != NULL)
			fwrite(ev->data, 1, ev->len, ss->tmp);
		break;
	case MW_EV_MESSAGE:
		/* LMTP (RFC 2033 4.2): one file for all recipients, its
		 * outcome answered for each */
		if (!g_lmtp || ev->rcpt == 0) {
			ss->result = 0;
			if (g_maildir != NULL)
				ss->result = ss->tmp != NULL ? deliver(ss) : -1;
			if (g_verbose)
				fprintf(stderr, "[%llu] * %s %s (%llu octets)\n",
				    (unsigned long long)mw_io_conn_id(c),
				    ss->result == 0 ? "delivered" :
				    "delivery failed",
				    g_maildir ? ss->name : "(discarded)",
				    (unsigned long long)ev->size);
		}
		if (ss->result == 0)
			mw_server_accept(s, NULL);
		else
			mw_server_reject(s, 451, "4.3.0",
			    "Local error in delivery");
		break;
	case MW_EV_AUTH:
		mw_server_accept(s, NULL);
		break;
	case MW_EV_ETRN:
		/* RFC 1985: a sink holds no queue to start */
		if (g_verbose) {
			span(m, sizeof(m), ev->line, ev->cmd->arg);
			fprintf(stderr, "[%llu] * ETRN %s\n",
			    (unsigned long long)mw_io_conn_id(c), m);
		}
		mw_server_accept(s, "OK, no messages waiting for node");
		break;
	case MW_EV_RSET:
		if (ss != NULL)
			reset(ss);
		break;
	case MW_EV_CLOSE:
		if (g_verbose)
			fprintf(stderr, "[%llu] * closed: %s\n",
			    (unsigned long long)mw_io_conn_id(c),
			    mw_server_close_name(ev->reason));
		if (ss != NULL) {
			reset(ss);
			free(ss->rcpt);
			free(ss);
			mw_io_conn_set_data(c, NULL);
		}
		break;
	default:
		break;
	}
}

/* ---- users ------------------------------------------------------------- */

static struct mw_sasl_user *
load_users(const char *file, const struct mw_crypto *cr, size_t *n)
{
	FILE *f = fopen(file, "r");
	char line[1024];
	struct mw_sasl_user *u = NULL;
	size_t cap = 0;

	*n = 0;
	if (f == NULL) {
		fprintf(stderr, "mailwire-sink: %s: %s\n", file, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon, *pw;
		size_t len = strcspn(line, "\r\n");
		struct mw_sasl_scram_keys *k1, *k256;
		unsigned char salt[16];

		line[len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if ((colon = strchr(line, ':')) == NULL || colon == line) {
			fprintf(stderr, "mailwire-sink: %s: expected "
			    "user:password\n", file);
			exit(1);
		}
		*colon = '\0';
		pw = colon + 1;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((u = realloc(u, cap * sizeof(*u))) == NULL)
				abort();
		}
		memset(&u[*n], 0, sizeof(u[*n]));
		u[*n].name = strdup(line);
		u[*n].secret.password = (unsigned char *)strdup(pw);
		u[*n].secret.password_len = strlen(pw);
		k1 = calloc(1, sizeof(*k1));
		k256 = calloc(1, sizeof(*k256));
		if (u[*n].name == NULL || u[*n].secret.password == NULL ||
		    k1 == NULL || k256 == NULL)
			abort();
		/* RFC 5802 5.1: SCRAM stores keys with a random salt; a
		 * non-ASCII password (no SASLprep) gets no SCRAM keys */
		if (cr->random(cr->ctx, salt, sizeof(salt)) == MW_ERR_OK &&
		    mw_sasl_scram_keys(cr, MW_HASH_SHA1, pw, salt, sizeof(salt),
		    4096, k1) == MW_ERR_OK &&
		    mw_sasl_scram_keys(cr, MW_HASH_SHA256, pw, salt,
		    sizeof(salt), 4096, k256) == MW_ERR_OK) {
			u[*n].secret.scram_sha1 = k1;
			u[*n].secret.scram_sha256 = k256;
		} else {
			free(k1);
			free(k256);
		}
		(*n)++;
	}
	fclose(f);
	return u;
}

/* ---- main -------------------------------------------------------------- */

static void
on_signal(int sig)
{
	(void)sig;
	if (g_loop != NULL)
		mw_io_stop(g_loop);
}

static void
make_dir(const char *a, const char *b)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s%s%s", a, b ? "/" : "", b ? b : "");
	if (mkdir(p, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "mailwire-sink: %s: %s\n", p, strerror(errno));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	static struct mw_server_config cfg;
	static struct mw_sasl_server_config sasl;
	static struct mw_crypto crypto;
	static struct mw_io_transport tlst;
	struct mw_io_config io;
	const char *listen_on[MAX_LISTEN];
	int nlisten = 0, discard = 0, implicit = 0;
	const char *cert = NULL, *key = NULL, *users = NULL, *hostname = NULL;
	int auth_required = 0, auth_tls = 1;
	struct mw_io_tls *tls = NULL;
	struct sigaction sa;
	char bound[128], err[512];

	mw_server_config_init(&cfg);
	mw_io_config_init(&io);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDV()	do { if (v == NULL) usage(); i++; } while (0)

		if (strcmp(a, "--listen") == 0) {
			NEEDV();
			if (nlisten >= MAX_LISTEN)
				usage();
			listen_on[nlisten++] = v;
		} else if (strcmp(a, "--hostname") == 0) {
			NEEDV();
			hostname = v;
		} else if (strcmp(a, "--maildir") == 0) {
			NEEDV();
			g_maildir = v;
		} else if (strcmp(a, "--discard") == 0) {
			discard = 1;
		} else if (strcmp(a, "--tls-cert") == 0) {
			NEEDV();
			cert = v;
		} else if (strcmp(a, "--tls-key") == 0) {
			NEEDV();
			key = v;
		} else if (strcmp(a, "--tls-implicit") == 0) {
			implicit = 1;
		} else if (strcmp(a, "--users") == 0) {
			NEEDV();
			users = v;
		} else if (strcmp(a, "--auth-required") == 0) {
			auth_required = 1;
		} else if (strcmp(a, "--auth-requires-tls") == 0) {
			auth_tls = 1;
		} else if (strcmp(a, "--no-auth-requires-tls") == 0) {
			auth_tls = 0;
		} else if (strcmp(a, "--max-recipients") == 0) {
			NEEDV();
			cfg.max_rcpts = (uint32_t)number(a, v);
		} else if (strcmp(a, "--max-message-size") == 0) {
			NEEDV();
			cfg.max_size = number(a, v);
		} else if (strcmp(a, "--timeout") == 0) {
			NEEDV();
			cfg.timeout = number(a, v) * 1000;
		} else if (strcmp(a, "--max-errors") == 0) {
			NEEDV();
			cfg.max_errors = (uint32_t)number(a, v);
		} else if (strcmp(a, "--max-connections") == 0) {
			NEEDV();
			io.max_conns = (unsigned)number(a, v);
			if (io.max_conns == 0)
				usage();
		} else if (strcmp(a, "--lmtp") == 0) {
			g_lmtp = cfg.lmtp = 1;
		} else if (strcmp(a, "--etrn") == 0) {
			cfg.extensions |= MW_SERVER_ETRN;	/* RFC 1985 */
		} else if (strcmp(a, "--lenient") == 0) {
			char list[256], *w, *save;

			NEEDV();
			snprintf(list, sizeof(list), "%s", v);
			for (w = strtok_r(list, ",", &save); w != NULL;
			    w = strtok_r(NULL, ",", &save)) {
				if (strcmp(w, "bare-lf") == 0)
					cfg.cmd.lenient |= MW_LENIENT_BARE_LF;
				else if (strcmp(w, "space-after-colon") == 0)
					cfg.cmd.lenient |=
					    MW_LENIENT_SPACE_AFTER_COLON;
				else if (strcmp(w, "no-brackets") == 0)
					cfg.cmd.lenient |=
					    MW_LENIENT_NO_BRACKETS;
				else {
					fprintf(stderr, "mailwire-sink: unknown "
					    "leniency %s (bare-lf, "
					    "space-after-colon, no-brackets)\n",
					    w);
					exit(2);
				}
			}
		} else if (strcmp(a, "-v") == 0) {
			g_verbose = 1;
		} else
			usage();
#undef NEEDV
	}
	if (nlisten == 0 || (g_maildir == NULL) == !discard ||
	    (cert == NULL) != (key == NULL) || (implicit && cert == NULL) ||
	    (auth_required && users == NULL))
		usage();

	if (hostname == NULL) {
		static char hn[256];

		if (gethostname(hn, sizeof(hn) - 1) != 0 || hn[0] == '\0')
			snprintf(hn, sizeof(hn), "localhost");
		hostname = hn;
	}
	cfg.hostname = hostname;
	/* Maildir: '/' and ':' cannot be in the host part of a name */
	for (size_t i = 0, o = 0; hostname[i] != '\0' && o < sizeof(g_host) - 5;
	    i++) {
		if (hostname[i] == '/')
			o += (size_t)snprintf(g_host + o, 5, "\\057");
		else if (hostname[i] == ':')
			o += (size_t)snprintf(g_host + o, 5, "\\072");
		else
			g_host[o++] = hostname[i];
	}
	if (g_maildir != NULL) {
		char p[PATH_MAX];

		make_dir(g_maildir, NULL);
		make_dir(g_maildir, "tmp");
		make_dir(g_maildir, "new");
		make_dir(g_maildir, "cur");
		snprintf(p, sizeof(p), "%s/new", g_maildir);
		if ((g_newfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
		    -1) {
			fprintf(stderr, "mailwire-sink: %s: %s\n", p,
			    strerror(errno));
			return 1;
		}
	}
	if (cert != NULL) {
		if ((tls = mw_io_tls_new(cert, key, NULL, err, sizeof(err))) ==
		    NULL) {
			fprintf(stderr, "mailwire-sink: %s\n", err);
			return 1;
		}
		mw_io_tls_transport(tls, &tlst);
		io.tls = &tlst;
		if (!implicit)
			cfg.extensions |= MW_SERVER_STARTTLS;
	}
	mw_crypto_openssl(&crypto);
	if (users != NULL) {
		sasl.crypto = &crypto;
		/* EXTERNAL needs client certificates, which are not asked
		 * for here */
		sasl.mechs = MW_SASL_SERVER_MECHS &
		    ~MW_AUTH_BIT(MW_AUTH_EXTERNAL);
		sasl.hostname = hostname;
		sasl.users = load_users(users, &crypto, &sasl.nusers);
		cfg.sasl = &sasl;
		cfg.auth_required = auth_required;
		/* RFC 4954 4: PLAIN and LOGIN only under TLS unless told */
		cfg.plaintext_auth = !auth_tls;
	}

	signal(SIGPIPE, SIG_IGN);
	io.server = &cfg;
	io.event = on_event;
	io.log = g_verbose ? on_log : NULL;
	/* SIGTERM: a message being received gets this long to finish */
	io.stop_grace = 3000;
	if ((g_loop = mw_io_new(&io)) == NULL) {
		fprintf(stderr, "mailwire-sink: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < nlisten; i++) {
		if (mw_io_listen(g_loop, listen_on[i], implicit, bound,
		    sizeof(bound)) != 0) {
			fprintf(stderr, "mailwire-sink: %s: %s\n", listen_on[i],
			    strerror(errno));
			return 1;
		}
		printf("listening on %s\n", bound);
	}
	fflush(stdout);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (mw_io_run(g_loop) != 0) {
		fprintf(stderr, "mailwire-sink: epoll: %s\n", strerror(errno));
		return 1;
	}
	mw_io_free(g_loop);
	mw_io_tls_free(tls);
	if (g_newfd != -1)
		close(g_newfd);
	return 0;
}
