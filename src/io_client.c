/*
 * src/io_client.c: the client adapter of mailwire/io_client.h. One
 * session, one non-blocking socket, poll(): the engine's deadline is the
 * only timer (connect, then each command's), so a silent or slow server
 * can hold the caller no longer than the engine allows.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <mailwire/io_client.h>

static const char *const status_names[] = {
#define MW__IO_CLIENT_STATUS_NAME(n, s) s,
	MW_IO_CLIENT_STATUSES(MW__IO_CLIENT_STATUS_NAME)
#undef MW__IO_CLIENT_STATUS_NAME
};

const char *
mw_io_client_status_name(enum mw_io_client_status s)
{
	if ((unsigned)s >= MW_IO_CLIENT__COUNT)
		return "";
	return status_names[s];
}

void
mw_io_client_config_init(struct mw_io_client_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = 25;
}

int
mw_io_client_split(const char *server, char *host, size_t cap,
    unsigned *port)
{
	const char *h = server, *p = NULL, *colon;
	size_t hn;

	if (server == NULL || host == NULL || cap == 0)
		return -1;
	if (server[0] == '[') {
		const char *rb = strchr(server, ']');

		if (rb == NULL)
			return -1;
		h = server + 1;
		hn = (size_t)(rb - h);
		if (rb[1] == ':')
			p = rb + 2;
		else if (rb[1] != '\0')
			return -1;
	} else if ((colon = strchr(server, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		hn = (size_t)(colon - server);
		p = colon + 1;
	} else
		hn = strlen(server);	/* a name, or an IPv6 literal */
	if (hn == 0 || hn >= cap || memchr(h, ']', hn) != NULL ||
	    memchr(h, '[', hn) != NULL)
		return -1;
	if (p != NULL) {
		unsigned long v = 0;

		if (*p == '\0' || strlen(p) > 5)
			return -1;
		for (const char *q = p; *q != '\0'; q++) {
			if (*q < '0' || *q > '9')
				return -1;
			v = v * 10 + (unsigned long)(*q - '0');
		}
		if (v == 0 || v > 65535)
			return -1;
		*port = (unsigned)v;
	}
	memcpy(host, h, hn);
	host[hn] = '\0';
	return 0;
}

/* ---- the run's state ---------------------------------------------------- */

struct run {
	const struct mw_io_client_config *cfg;
	struct mw_io_client_result	*res;
	struct mw_client		*c;
	int				 fd;
	void				*t;	/* the TLS state; NULL: plain */
	int				 eof;	/* no more input */
	int				 broken; /* no more output */
};

static void
note(struct run *r, const char *fmt, const char *a)
{
	char b[300];

	if (r->cfg->log == NULL)
		return;
	snprintf(b, sizeof(b), fmt, a);
	r->cfg->log(r->cfg->arg, MW_IO_CLIENT_NOTE, (const unsigned char *)b,
	    strlen(b));
}

static void
sys_fail(struct run *r, enum mw_io_client_status st, const char *what, int e)
{
	r->res->status = st;
	r->res->sys_errno = e;
	snprintf(r->res->error, sizeof(r->res->error), "%s%s%s", what,
	    what[0] != '\0' ? ": " : "", strerror(e));
}

/* Milliseconds from now to the engine's deadline, for poll(): -1 none. */
static int
wait_ms(uint64_t deadline)
{
	uint64_t now = mw_io_now();

	if (deadline == UINT64_MAX)
		return -1;
	if (deadline <= now)
		return 0;
	return deadline - now > 3600000 ? 3600000 : (int)(deadline - now);
}

static void
addr_text(const struct sockaddr *sa, char *out, size_t cap)
{
	char h[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, h, sizeof(h));
		snprintf(out, cap, "[%s]:%u", h, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, h, sizeof(h));
		snprintf(out, cap, "%s:%u", h, ntohs(s4->sin_port));
	}
}

/* One address: 1 connected (r->fd), 0 refused (*err), -1 timed out. */
static int
try_addr(struct run *r, const struct addrinfo *ai, int *err)
{
	struct pollfd pfd;
	socklen_t sl = sizeof(*err);
	int fd, n;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1) {
		*err = errno;
		return 0;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto done;
	if (errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		return 0;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	for (;;) {
		n = poll(&pfd, 1, wait_ms(mw_client_deadline(r->c)));
		if (n == -1 && errno == EINTR)
			continue;
		break;
	}
	if (n == 0) {
		close(fd);
		return -1;
	}
	if (n == -1) {
		*err = errno;
		close(fd);
		return 0;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &sl) != 0)
		*err = errno;
	if (*err != 0) {
		close(fd);
		return 0;
	}
done:
	r->fd = fd;
	return 1;
}

/* The TLS handshake under the engine's running timer: 1 done, 0 failed,
 * -1 timed out. */
static int
handshake(struct run *r)
{
	const struct mw_io_transport *tr = r->cfg->tls;
	struct pollfd pfd;
	int h;

	if ((r->t = tr->open(tr->arg, r->fd)) == NULL)
		return 0;
	for (;;) {
		h = tr->handshake(r->t);
		if (h == 1)
			return 1;
		if (h != MW_IO_WANT_READ && h != MW_IO_WANT_WRITE)
			return 0;
		pfd.fd = r->fd;
		pfd.events = h == MW_IO_WANT_READ ? POLLIN : POLLOUT;
		h = poll(&pfd, 1, wait_ms(mw_client_deadline(r->c)));
		if (h == 0) {
			uint64_t d = mw_client_deadline(r->c);

			/* the engine must see its deadline passed */
			while (mw_io_now() < d)
				poll(NULL, 0, wait_ms(d));
			return -1;
		}
		if (h == -1 && errno != EINTR)
			return 0;
	}
}

static void
tls_close(struct run *r)
{
	if (r->t != NULL) {
		r->cfg->tls->close(r->t);
		r->t = NULL;
	}
}

/* ---- the pump ----------------------------------------------------------- */

/* Writes some output: octets sent, or 0 with *want the poll events. */
static size_t
pump_out(struct run *r, short *want)
{
	const unsigned char *p;
	size_t n;
	ssize_t w;

	if (r->broken || mw_client_output(r->c, &p, &n) != MW_ERR_OK || n == 0)
		return 0;
	if (r->t != NULL) {
		w = r->cfg->tls->write(r->t, p, n);
		if (w == MW_IO_WANT_READ || w == MW_IO_WANT_WRITE) {
			*want |= w == MW_IO_WANT_READ ? POLLIN : POLLOUT;
			return 0;
		}
		if (w < 0)
			errno = EPIPE;
	} else {
		w = send(r->fd, p, n, MSG_NOSIGNAL);
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR)) {
			*want |= POLLOUT;
			return 0;
		}
	}
	if (w <= 0) {
		/* the server is gone: what it sent may still explain why */
		if (r->res->sys_errno == 0)
			sys_fail(r, MW_IO_CLIENT_DONE, "write", errno);
		r->broken = 1;
		return 0;
	}
	if (r->cfg->log != NULL)
		r->cfg->log(r->cfg->arg, MW_IO_CLIENT_SENT, p, (size_t)w);
	mw_client_output_ack(r->c, (size_t)w);
	return (size_t)w;
}

/* Reads some input: 1 progress (octets or the end), 0 with *want. */
static int
pump_in(struct run *r, short *want)
{
	unsigned char *b;
	size_t cap;
	ssize_t n;

	if (r->eof || mw_client_input_buf(r->c, &b, &cap) != MW_ERR_OK ||
	    cap == 0)
		return 0;
	if (r->t != NULL) {
		n = r->cfg->tls->read(r->t, b, cap);
		if (n == MW_IO_WANT_READ || n == MW_IO_WANT_WRITE) {
			*want |= n == MW_IO_WANT_READ ? POLLIN : POLLOUT;
			return 0;
		}
		if (n < 0)
			errno = ECONNRESET;
	} else {
		n = recv(r->fd, b, cap, 0);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR)) {
			*want |= POLLIN;
			return 0;
		}
	}
	if (n <= 0) {
		if (n < 0 && r->res->sys_errno == 0)
			sys_fail(r, MW_IO_CLIENT_DONE, "read", errno);
		r->eof = 1;
		mw_client_input_eof(r->c);
		return 1;
	}
	if (r->cfg->log != NULL)
		r->cfg->log(r->cfg->arg, MW_IO_CLIENT_RECEIVED, b, (size_t)n);
	mw_client_input_ack(r->c, (size_t)n);
	return 1;
}

/* After CLOSE: the last output, bounded by MW_IO_CLIENT_FLUSH_MS. */
static void
flush_out(struct run *r)
{
	uint64_t end = mw_io_now() + MW_IO_CLIENT_FLUSH_MS;
	const unsigned char *p;
	size_t n;

	while (!r->broken && mw_client_output(r->c, &p, &n) == MW_ERR_OK &&
	    n > 0) {
		struct pollfd pfd;
		short want = 0;

		if (pump_out(r, &want) > 0 || r->broken)
			continue;
		pfd.fd = r->fd;
		pfd.events = want != 0 ? want : POLLOUT;
		if (poll(&pfd, 1, wait_ms(end)) == 0)
			return;
	}
}

static enum mw_io_client_status
on_close(struct run *r, const struct mw_client_event *ev)
{
	r->res->status = MW_IO_CLIENT_DONE;
	r->res->reason = ev->reason;
	r->res->timer = ev->timer;
	r->res->cause = ev->cause;
	if (ev->result != NULL)
		r->res->reply = *ev->result;
	r->res->tls = r->t != NULL;
	r->cfg->event(r->cfg->arg, r->c, ev);
	if (r->fd != -1)
		flush_out(r);
	return MW_IO_CLIENT_DONE;
}

/* STARTTLS (RFC 3207 4): the output first, then the handshake under the
 * engine's starttls timer; 1 go on, 0 the session is over. */
static int
starttls(struct run *r)
{
	int h;

	flush_out(r);
	note(r, "TLS handshake%s", "");
	h = handshake(r);
	if (h == -1) {
		/* the engine's timer fired: it closes with TIMEOUT */
		tls_close(r);
		return 1;
	}
	if (h == 0) {
		tls_close(r);
		r->broken = r->eof = 1;
		mw_client_tls_done(r->c, 0);
		return 1;
	}
	note(r, "TLS established%s", "");
	mw_client_tls_done(r->c, 1);
	return 1;
}

static enum mw_io_client_status
session(struct run *r)
{
	struct mw_client_event ev;
	mw_err e;

	for (;;) {
		short want = 0;
		int progress;

		e = mw_client_next(r->c, mw_io_now(), &ev);
		if (e == MW_ERR_OK) {
			if (ev.type == MW_CLIENT_EV_CLOSE)
				return on_close(r, &ev);
			if (ev.type == MW_CLIENT_EV_STARTTLS) {
				starttls(r);
				continue;
			}
			if (r->cfg->event(r->cfg->arg, r->c, &ev) != 0) {
				r->res->status = MW_IO_CLIENT_ABORTED;
				snprintf(r->res->error, sizeof(r->res->error),
				    "aborted");
				return MW_IO_CLIENT_ABORTED;
			}
			continue;
		}
		if (e == MW_ERR_STATE) {
			/* a body piece the handler did not give */
			r->res->status = MW_IO_CLIENT_ABORTED;
			snprintf(r->res->error, sizeof(r->res->error),
			    "the handler left an event unanswered");
			return MW_IO_CLIENT_ABORTED;
		}
		if (e != MW_ERR_AGAIN) {
			sys_fail(r, MW_IO_CLIENT_SYSTEM, "engine", EINVAL);
			return MW_IO_CLIENT_SYSTEM;
		}
		progress = pump_out(r, &want) > 0;
		progress |= pump_in(r, &want);
		if (progress)
			continue;
		if (r->broken && !r->eof) {
			/* nothing can be sent: the engine must learn it */
			r->eof = 1;
			mw_client_input_eof(r->c);
			continue;
		}
		{
			struct pollfd pfd;
			int n;

			pfd.fd = r->fd;
			pfd.events = want;
			n = poll(&pfd, 1, wait_ms(mw_client_deadline(r->c)));
			if (n == -1 && errno != EINTR) {
				sys_fail(r, MW_IO_CLIENT_SYSTEM, "poll", errno);
				return MW_IO_CLIENT_SYSTEM;
			}
		}
	}
}

/* The connect timer fired: the engine's CLOSE (TIMEOUT, connect). */
static enum mw_io_client_status
connect_timeout(struct run *r)
{
	struct mw_client_event ev;
	uint64_t d = mw_client_deadline(r->c);

	for (;;) {
		uint64_t now = mw_io_now();

		if (mw_client_next(r->c, now > d ? now : d, &ev) != MW_ERR_OK)
			break;
		if (ev.type == MW_CLIENT_EV_CLOSE)
			return on_close(r, &ev);
	}
	sys_fail(r, MW_IO_CLIENT_SYSTEM, "connect timer", ETIMEDOUT);
	return MW_IO_CLIENT_SYSTEM;
}

static enum mw_io_client_status
run(struct run *r)
{
	const struct mw_io_client_config *cfg = r->cfg;
	struct addrinfo hints, *list = NULL, *ai;
	struct mw_client_event ev;
	char host[256], port[8];
	unsigned p = cfg->port != 0 ? cfg->port : 25;
	int err = 0, c = 0, g;

	if (mw_io_client_split(cfg->server, host, sizeof(host), &p) != 0) {
		r->res->status = MW_IO_CLIENT_ADDRESS;
		snprintf(r->res->error, sizeof(r->res->error),
		    "malformed address (host, host:port or [IPv6]:port)");
		return MW_IO_CLIENT_ADDRESS;
	}
	snprintf(port, sizeof(port), "%u", p);
	/* the connect timer starts with the first call */
	if (mw_client_next(r->c, mw_io_now(), &ev) != MW_ERR_AGAIN) {
		sys_fail(r, MW_IO_CLIENT_SYSTEM, "engine", EINVAL);
		return MW_IO_CLIENT_SYSTEM;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	if ((g = getaddrinfo(host, port, &hints, &list)) != 0) {
		r->res->status = MW_IO_CLIENT_RESOLVE;
		if (g == EAI_SYSTEM)
			sys_fail(r, MW_IO_CLIENT_RESOLVE, "", errno);
		else
			snprintf(r->res->error, sizeof(r->res->error), "%s",
			    gai_strerror(g));
		return MW_IO_CLIENT_RESOLVE;
	}
	for (ai = list; ai != NULL; ai = ai->ai_next) {
		addr_text(ai->ai_addr, r->res->peer, sizeof(r->res->peer));
		note(r, "connecting to %s", r->res->peer);
		if ((c = try_addr(r, ai, &err)) != 0)
			break;
	}
	freeaddrinfo(list);
	if (c == -1)
		return connect_timeout(r);
	if (c == 0) {
		sys_fail(r, MW_IO_CLIENT_CONNECT, "", err != 0 ? err :
		    EADDRNOTAVAIL);
		return MW_IO_CLIENT_CONNECT;
	}
	note(r, "connected to %s", r->res->peer);
	if (cfg->client->tls == MW_CLIENT_TLS_IMPLICIT) {
		/* RFC 8314 3.3: TLS first, under the connect timer */
		note(r, "TLS handshake%s", "");
		g = handshake(r);
		if (g == -1) {
			tls_close(r);
			return connect_timeout(r);
		}
		if (g == 0) {
			tls_close(r);
			r->res->status = MW_IO_CLIENT_TLS;
			snprintf(r->res->error, sizeof(r->res->error),
			    "TLS handshake failed");
			return MW_IO_CLIENT_TLS;
		}
		note(r, "TLS established%s", "");
	}
	mw_client_connected(r->c);
	return session(r);
}

enum mw_io_client_status
mw_io_client_run(const struct mw_io_client_config *cfg,
    struct mw_io_client_result *res)
{
	struct run r;
	unsigned char *buf;
	enum mw_io_client_status st;

	if (res == NULL)
		return MW_IO_CLIENT_SYSTEM;
	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.res = res;
	r.fd = -1;
	if (cfg == NULL || cfg->server == NULL || cfg->client == NULL ||
	    cfg->event == NULL || (cfg->client->tls != MW_CLIENT_TLS_OFF &&
	    cfg->tls == NULL)) {
		sys_fail(&r, MW_IO_CLIENT_SYSTEM, "configuration", EINVAL);
		return MW_IO_CLIENT_SYSTEM;
	}
	r.c = malloc(sizeof(*r.c));
	buf = malloc(MW_CLIENT_BUF_SIZE);
	if (r.c == NULL || buf == NULL) {
		sys_fail(&r, MW_IO_CLIENT_SYSTEM, "", ENOMEM);
		free(r.c);
		free(buf);
		return MW_IO_CLIENT_SYSTEM;
	}
	if (mw_client_init(r.c, cfg->client, buf, MW_CLIENT_BUF_SIZE) !=
	    MW_ERR_OK) {
		sys_fail(&r, MW_IO_CLIENT_SYSTEM, "client configuration",
		    EINVAL);
		st = MW_IO_CLIENT_SYSTEM;
	} else
		st = run(&r);
	res->status = st;
	tls_close(&r);
	if (r.fd != -1)
		close(r.fd);
	free(buf);
	free(r.c);
	return st;
}
