/*
 * src/io_posix.c: the server engine on non-blocking sockets and epoll
 * (mailwire/io.h). One thread, many sessions; level-triggered epoll with
 * each connection's interest recomputed after it has been run as far as
 * it can go. Outside the core: it reads the clock and allocates one block
 * per connection, and the engine's buffers, which idle sessions give back
 * (mw_server_detach) to a pool the loop keeps.
 */
/* accept4(2) and SOCK_NONBLOCK are Linux's, like epoll */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mailwire/io.h>

#define MAX_LISTEN	16
#define MAX_EVENTS	64
/* Free engine buffers kept for reuse; more are freed. Only connections
 * that are not idle hold one, and one connection runs at a time. */
#define POOL_MAX	64

enum kind { K_LISTEN, K_CONN, K_WAKE };

enum cstate {
	C_HANDSHAKE,	/* TLS handshake (implicit or after STARTTLS) */
	C_RUN		/* the engine runs */
};

struct listener {
	enum kind		 kind;	/* first: the epoll tag */
	int			 fd;
	int			 implicit;
};

struct mw_io_conn {
	enum kind		 kind;	/* first: the epoll tag */
	struct mw_io_conn	*prev, *next;
	struct mw_io_loop	*loop;
	int			 fd;
	uint64_t		 id;
	void			*data;
	void			*tls;	/* the transport's state, or NULL */
	enum cstate		 state;
	int			 greeted;	/* mw_server_next was called */
	int			 hs_want;	/* handshake blocked on */
	int			 rd_want, wr_want;	/* read/write blocked on */
	uint32_t		 events;	/* registered with epoll */
	int			 eof;		/* input_eof given */
	int			 starttls;	/* waiting to start TLS */
	int			 closed;	/* MW_EV_CLOSE seen */
	int			 broken;	/* writing failed */
	uint64_t		 io_deadline;	/* handshake, last output */
	char			 peer[64];
	unsigned char		 peer_id[256];	/* TLS client identity */
	size_t			 peer_id_len;
	struct mw_server	 s;
	unsigned char		*buf;	/* the engine's; NULL: detached */
};

/* A free buffer: its first octets link the pool. */
struct pooled {
	struct pooled		*next;
};

struct mw_io_loop {
	struct mw_io_config	 cfg;
	int			 ep;
	int			 wake;		/* eventfd of mw_io_stop */
	enum kind		 wake_kind;
	struct listener		 ls[MAX_LISTEN];
	int			 nls;
	struct mw_io_conn	*conns;
	unsigned		 nconns;
	uint64_t		 next_id;
	volatile sig_atomic_t	 stop;
	int			 stopping;	/* listeners closed */
	uint64_t		 stop_at;	/* end of the grace period */
	int			 aborted;
	struct pooled		*pool;		/* free engine buffers */
	unsigned		 npool;
};

uint64_t
mw_io_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
mw_io_config_init(struct mw_io_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_conns = 1024;
	cfg->stop_grace = 5000;
	cfg->io_timeout = 30000;
}

void *
mw_io_conn_data(const struct mw_io_conn *c)
{
	return c->data;
}

void
mw_io_conn_set_data(struct mw_io_conn *c, void *data)
{
	c->data = data;
}

const char *
mw_io_conn_peer(const struct mw_io_conn *c)
{
	return c->peer;
}

uint64_t
mw_io_conn_id(const struct mw_io_conn *c)
{
	return c->id;
}

int
mw_io_conn_tls(const struct mw_io_conn *c)
{
	return c->tls != NULL && c->state == C_RUN;
}

/* "192.0.2.1:25" or "[2001:db8::1]:25" */
static void
format_addr(const struct sockaddr *sa, socklen_t len, char *out, size_t cap)
{
	char h[NI_MAXHOST], p[NI_MAXSERV];

	if (getnameinfo(sa, len, h, sizeof(h), p, sizeof(p),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(out, cap, "?");
		return;
	}
	if (sa->sa_family == AF_INET6)
		snprintf(out, cap, "[%s]:%s", h, p);
	else
		snprintf(out, cap, "%s:%s", h, p);
}

struct mw_io_loop *
mw_io_new(const struct mw_io_config *cfg)
{
	struct mw_io_loop *l;
	struct epoll_event ee;

	if (cfg == NULL || cfg->server == NULL || cfg->event == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->cfg = *cfg;
	if (l->cfg.max_conns == 0)
		l->cfg.max_conns = 1024;
	l->next_id = 1;
	l->wake_kind = K_WAKE;
	if ((l->ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(l);
		return NULL;
	}
	if ((l->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		close(l->ep);
		free(l);
		return NULL;
	}
	memset(&ee, 0, sizeof(ee));
	ee.events = EPOLLIN;
	ee.data.ptr = &l->wake_kind;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, l->wake, &ee) == -1) {
		close(l->wake);
		close(l->ep);
		free(l);
		return NULL;
	}
	return l;
}

int
mw_io_listen(struct mw_io_loop *l, const char *addr, int implicit_tls,
    char *bound, size_t cap)
{
	char host[256];
	const char *port, *h;
	struct addrinfo hints, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct epoll_event ee;
	struct listener *ls;
	int fd, one = 1;

	if (l == NULL || addr == NULL || l->nls >= MAX_LISTEN ||
	    (implicit_tls && l->cfg.tls == NULL)) {
		errno = EINVAL;
		return -1;
	}
	if (addr[0] == '[') {
		const char *e = strchr(addr, ']');

		if (e == NULL || e[1] != ':' || (size_t)(e - addr) > sizeof(host)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(host, addr + 1, (size_t)(e - addr - 1));
		host[e - addr - 1] = '\0';
		port = e + 2;
	} else {
		const char *e = strrchr(addr, ':');

		if (e == NULL || (size_t)(e - addr) >= sizeof(host)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(host, addr, (size_t)(e - addr));
		host[e - addr] = '\0';
		port = e + 1;
	}
	if (*port == '\0') {
		errno = EINVAL;
		return -1;
	}
	h = host[0] == '\0' || strcmp(host, "*") == 0 ? NULL : host;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (getaddrinfo(h, port, &hints, &res) != 0 || res == NULL) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, res->ai_protocol);
	if (fd == -1) {
		freeaddrinfo(res);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::]:25 and 0.0.0.0:25 may both be asked for */
	if (res->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, 128) == -1) {
		int e = errno;

		freeaddrinfo(res);
		close(fd);
		errno = e;
		return -1;
	}
	freeaddrinfo(res);
	if (bound != NULL && cap > 0) {
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
			format_addr((struct sockaddr *)&ss, sl, bound, cap);
		else
			snprintf(bound, cap, "%s", addr);
	}
	ls = &l->ls[l->nls];
	ls->kind = K_LISTEN;
	ls->fd = fd;
	ls->implicit = implicit_tls;
	memset(&ee, 0, sizeof(ee));
	ee.events = EPOLLIN;
	ee.data.ptr = ls;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ee) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	l->nls++;
	return 0;
}

void
mw_io_stop(struct mw_io_loop *l)
{
	uint64_t one = 1;
	ssize_t r;

	l->stop = 1;
	r = write(l->wake, &one, sizeof(one));
	(void)r;
}

/* An engine buffer (MW_SERVER_BUF_SIZE) from the pool, or a new one. */
static unsigned char *
buf_get(struct mw_io_loop *l)
{
	struct pooled *p = l->pool;

	if (p == NULL)
		return malloc(MW_SERVER_BUF_SIZE);
	l->pool = p->next;
	l->npool--;
	return (unsigned char *)p;
}

static void
buf_put(struct mw_io_loop *l, unsigned char *b)
{
	struct pooled *p = (struct pooled *)(void *)b;

	if (b == NULL)
		return;
	if (l->npool >= POOL_MAX) {
		free(b);
		return;
	}
	p->next = l->pool;
	l->pool = p;
	l->npool++;
}

/* Gives a detached session a buffer again: before it reads, times out or
 * acts on a shutdown. 0, or -1 when no memory is left. */
static int
attach(struct mw_io_conn *c)
{
	unsigned char *b;

	if (c->buf != NULL)
		return 0;
	if ((b = buf_get(c->loop)) == NULL)
		return -1;
	if (mw_server_attach(&c->s, b, MW_SERVER_BUF_SIZE) != MW_ERR_OK) {
		buf_put(c->loop, b);
		return -1;
	}
	c->buf = b;
	return 0;
}

/* An idle session gives its buffer back to the pool: nothing is in it
 * (the engine checks), and drained says the last read found nothing, so
 * no decrypted input waits inside a TLS library either. */
static void
detach(struct mw_io_conn *c, int drained)
{
	unsigned char *b;
	size_t n;

	if (c->buf == NULL || !drained || c->state != C_RUN || c->starttls ||
	    c->closed || c->eof)
		return;
	if (mw_server_detach(&c->s, &b, &n) == MW_ERR_OK) {
		buf_put(c->loop, b);
		c->buf = NULL;
	}
}

static void
note(struct mw_io_conn *c, const char *text)
{
	if (c->loop->cfg.log != NULL)
		c->loop->cfg.log(c->loop->cfg.arg, c, MW_IO_NOTE,
		    (const unsigned char *)text, strlen(text));
}

/* Frees c; the handler gets a CLOSE first if the engine gave none. */
static void
destroy(struct mw_io_conn *c)
{
	struct mw_io_loop *l = c->loop;

	if (!c->closed && c->greeted) {
		struct mw_server_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = MW_EV_CLOSE;
		ev.reason = MW_CLOSE_EOF;
		c->closed = 1;
		l->cfg.event(l->cfg.arg, c, &c->s, &ev);
	}
	if (c->tls != NULL)
		l->cfg.tls->close(c->tls);
	epoll_ctl(l->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	l->nconns--;
	buf_put(l, c->buf);
	free(c);
}

static ssize_t
conn_read(struct mw_io_conn *c, unsigned char *p, size_t n)
{
	ssize_t r;

	if (c->tls != NULL)
		return c->loop->cfg.tls->read(c->tls, p, n);
	do
		r = recv(c->fd, p, n, 0);
	while (r == -1 && errno == EINTR);
	if (r >= 0)
		return r;
	return errno == EAGAIN || errno == EWOULDBLOCK ? MW_IO_WANT_READ :
	    MW_IO_ERROR;
}

static ssize_t
conn_write(struct mw_io_conn *c, const unsigned char *p, size_t n)
{
	ssize_t r;

	if (c->tls != NULL)
		return c->loop->cfg.tls->write(c->tls, p, n);
	do
		r = send(c->fd, p, n, MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	if (r >= 0)
		return r;
	return errno == EAGAIN || errno == EWOULDBLOCK ? MW_IO_WANT_WRITE :
	    MW_IO_ERROR;
}

static uint32_t
want_bits(int want)
{
	return want == MW_IO_WANT_WRITE ? EPOLLOUT : EPOLLIN;
}

/* Registers what c waits for. */
static void
interest(struct mw_io_conn *c)
{
	uint32_t ev = 0;
	const unsigned char *o;
	size_t n = 0;

	if (c->state == C_HANDSHAKE) {
		ev = want_bits(c->hs_want);
	} else if (c->buf == NULL) {
		/* detached: idle, it waits for the client only */
		ev = want_bits(c->rd_want);
	} else {
		if (!c->eof && !c->closed && !c->starttls) {
			unsigned char *b;
			size_t cap = 0;

			if (mw_server_input_buf(&c->s, &b, &cap) == MW_ERR_OK &&
			    cap > 0)
				ev |= want_bits(c->rd_want);
		}
		if (!c->broken && mw_server_output(&c->s, &o, &n) ==
		    MW_ERR_OK && n > 0)
			ev |= want_bits(c->wr_want);
	}
	if (ev != c->events) {
		struct epoll_event ee;

		memset(&ee, 0, sizeof(ee));
		ee.events = ev;
		ee.data.ptr = c;
		epoll_ctl(c->loop->ep, EPOLL_CTL_MOD, c->fd, &ee);
		c->events = ev;
	}
}

/* The handshake finished: the engine learns that TLS is active. */
static void
tls_done(struct mw_io_conn *c)
{
	const struct mw_io_transport *t = c->loop->cfg.tls;
	size_t n = 0;

	c->state = C_RUN;
	c->io_deadline = UINT64_MAX;
	c->rd_want = MW_IO_WANT_READ;
	c->wr_want = MW_IO_WANT_WRITE;
	if (t->peer == NULL ||
	    t->peer(c->tls, c->peer_id, sizeof(c->peer_id), &n) != 0)
		n = 0;
	c->peer_id_len = n;
	mw_server_tls(&c->s, n > 0 ? c->peer_id : NULL, n);
	note(c, n > 0 ? "TLS established (client certificate)" :
	    "TLS established");
}

/*
 * Runs c as far as it goes without waiting: events, output, input, the
 * TLS handshake. Returns 0, or -1 if c was freed.
 */
static int
pump(struct mw_io_conn *c, uint64_t now)
{
	struct mw_io_loop *l = c->loop;
	struct mw_server_event ev;
	const unsigned char *o;
	unsigned char *b;
	size_t n, cap;
	ssize_t r;
	int progress, drained;

	if (attach(c) != 0) {
		note(c, "out of memory");
		destroy(c);
		return -1;
	}
	do {
		progress = 0;
		drained = 0;
		if (c->state == C_HANDSHAKE) {
			int h = l->cfg.tls->handshake(c->tls);

			if (h == 1) {
				tls_done(c);
				progress = 1;
			} else if (h == MW_IO_WANT_READ ||
			    h == MW_IO_WANT_WRITE) {
				c->hs_want = h;
				break;
			} else {
				note(c, "TLS handshake failed");
				destroy(c);
				return -1;
			}
		}
		/* events */
		while (!c->closed && !c->starttls &&
		    mw_server_next(&c->s, now, &ev) == MW_ERR_OK) {
			c->greeted = 1;
			progress = 1;
			if (ev.type == MW_EV_STARTTLS)
				c->starttls = 1;
			if (ev.type == MW_EV_CLOSE) {
				c->closed = 1;
				c->io_deadline = now + l->cfg.io_timeout;
			}
			l->cfg.event(l->cfg.arg, c, &c->s, &ev);
			if (c->starttls)
				break;
		}
		c->greeted = 1;
		/* output */
		while (mw_server_output(&c->s, &o, &n) == MW_ERR_OK && n > 0) {
			if (c->broken) {
				mw_server_output_ack(&c->s, n);
				progress = 1;
				continue;
			}
			r = conn_write(c, o, n);
			if (r > 0) {
				if (l->cfg.log != NULL)
					l->cfg.log(l->cfg.arg, c, MW_IO_SERVER,
					    o, (size_t)r);
				mw_server_output_ack(&c->s, (size_t)r);
				c->wr_want = MW_IO_WANT_WRITE;
				progress = 1;
				continue;
			}
			if (r == MW_IO_WANT_READ || r == MW_IO_WANT_WRITE) {
				c->wr_want = (int)r;
				break;
			}
			/* the peer is gone: what is left cannot be sent */
			c->broken = 1;
			progress = 1;
			if (!c->eof && !c->closed && !c->starttls) {
				c->eof = 1;
				mw_server_input_eof(&c->s);
			}
		}
		mw_server_output(&c->s, &o, &n);
		if (c->closed && (n == 0 || c->broken)) {
			destroy(c);
			return -1;
		}
		/* RFC 3207 4: the handshake starts once the 220 is out */
		if (c->starttls && n == 0) {
			if (c->broken) {
				destroy(c);
				return -1;
			}
			c->starttls = 0;
			c->tls = l->cfg.tls->open(l->cfg.tls->arg, c->fd);
			if (c->tls == NULL) {
				note(c, "TLS setup failed");
				destroy(c);
				return -1;
			}
			c->state = C_HANDSHAKE;
			c->hs_want = MW_IO_WANT_READ;
			c->io_deadline = now + l->cfg.io_timeout;
			progress = 1;
			continue;
		}
		/* input */
		if (!c->eof && !c->closed && !c->starttls &&
		    mw_server_input_buf(&c->s, &b, &cap) == MW_ERR_OK &&
		    cap > 0) {
			r = conn_read(c, b, cap);
			if (r > 0) {
				if (l->cfg.log != NULL)
					l->cfg.log(l->cfg.arg, c, MW_IO_CLIENT,
					    b, (size_t)r);
				mw_server_input_ack(&c->s, (size_t)r);
				c->rd_want = MW_IO_WANT_READ;
				progress = 1;
			} else if (r == MW_IO_WANT_READ ||
			    r == MW_IO_WANT_WRITE) {
				c->rd_want = (int)r;
				drained = 1;
			} else {
				/* 0: the client closed; an error likewise */
				c->eof = 1;
				mw_server_input_eof(&c->s);
				progress = 1;
			}
		}
	} while (progress);
	detach(c, drained);
	interest(c);
	return 0;
}

static void
accept_all(struct mw_io_loop *l, struct listener *ls, uint64_t now)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct mw_io_conn *c;
		struct epoll_event ee;
		int fd, one = 1;

		fd = accept4(ls->fd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;		/* EAGAIN; EMFILE: try later */
		}
		if (l->nconns >= l->cfg.max_conns) {
			/* RFC 5321 3.8: 421 when the service is unavailable;
			 * plaintext cannot be sent on an implicit TLS port */
			static const char busy[] =
			    "421 4.3.2 Too many connections, try later\r\n";
			ssize_t r = 0;

			if (!ls->implicit)
				r = send(fd, busy, sizeof(busy) - 1,
				    MSG_NOSIGNAL | MSG_DONTWAIT);
			(void)r;
			close(fd);
			continue;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		if ((c->buf = buf_get(l)) == NULL) {
			close(fd);
			free(c);
			continue;
		}
		c->kind = K_CONN;
		c->loop = l;
		c->fd = fd;
		c->id = l->next_id++;
		c->rd_want = MW_IO_WANT_READ;
		c->wr_want = MW_IO_WANT_WRITE;
		c->io_deadline = UINT64_MAX;
		format_addr((struct sockaddr *)&ss, sl, c->peer, sizeof(c->peer));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (mw_server_init(&c->s, l->cfg.server, c->buf,
		    MW_SERVER_BUF_SIZE) != MW_ERR_OK) {
			close(fd);
			buf_put(l, c->buf);
			free(c);
			continue;
		}
		memset(&ee, 0, sizeof(ee));
		ee.events = 0;
		ee.data.ptr = c;
		if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ee) == -1) {
			close(fd);
			buf_put(l, c->buf);
			free(c);
			continue;
		}
		c->next = l->conns;
		if (l->conns != NULL)
			l->conns->prev = c;
		l->conns = c;
		l->nconns++;
		note(c, "connected");
		if (ls->implicit) {
			/* RFC 8314 3.3: TLS from the first octet */
			c->tls = l->cfg.tls->open(l->cfg.tls->arg, fd);
			if (c->tls == NULL) {
				note(c, "TLS setup failed");
				destroy(c);
				continue;
			}
			c->state = C_HANDSHAKE;
			c->hs_want = MW_IO_WANT_READ;
			c->io_deadline = now + l->cfg.io_timeout;
		} else
			c->state = C_RUN;
		pump(c, now);
	}
}

static uint64_t
conn_deadline(const struct mw_io_conn *c)
{
	uint64_t d = c->io_deadline;

	if (c->state == C_RUN && !c->closed) {
		uint64_t e = mw_server_deadline(&c->s);

		if (e < d)
			d = e;
	}
	return d;
}

/* Runs the timers due at now. */
static void
timers(struct mw_io_loop *l, uint64_t now)
{
	struct mw_io_conn *c, *next;

	for (c = l->conns; c != NULL; c = next) {
		next = c->next;
		if (c->io_deadline <= now) {
			note(c, c->closed ? "output timeout" :
			    "TLS handshake timeout");
			destroy(c);
		} else if (conn_deadline(c) <= now)
			pump(c, now);
	}
}

/* Stops accepting; after the grace period, ends what is left. */
static void
stopping(struct mw_io_loop *l, uint64_t now)
{
	struct mw_io_conn *c, *next;

	if (!l->stopping) {
		l->stopping = 1;
		l->stop_at = now + l->cfg.stop_grace;
		for (int i = 0; i < l->nls; i++) {
			epoll_ctl(l->ep, EPOLL_CTL_DEL, l->ls[i].fd, NULL);
			close(l->ls[i].fd);
		}
		l->nls = 0;
	}
	if (l->aborted || now < l->stop_at)
		return;
	l->aborted = 1;
	for (c = l->conns; c != NULL; c = next) {
		next = c->next;
		if (c->state == C_HANDSHAKE || c->starttls) {
			destroy(c);
			continue;
		}
		/* RFC 5321 3.8: 421 4.3.2, then the close; a message in
		 * progress is not delivered (the engine gives RSET, then
		 * CLOSE) */
		if (!c->eof && !c->closed) {
			note(c, "shutting down");
			mw_server_shutdown(&c->s);
		}
		pump(c, now);
	}
}

int
mw_io_run(struct mw_io_loop *l)
{
	struct epoll_event evs[MAX_EVENTS];

	for (;;) {
		uint64_t now = mw_io_now(), d = UINT64_MAX;
		int timeout, n;

		if (l->stop)
			stopping(l, now);
		if (l->stopping && l->conns == NULL)
			return 0;
		for (struct mw_io_conn *c = l->conns; c != NULL; c = c->next) {
			uint64_t cd = conn_deadline(c);

			if (cd < d)
				d = cd;
		}
		if (l->stopping && !l->aborted && l->stop_at < d)
			d = l->stop_at;
		if (d == UINT64_MAX)
			timeout = -1;
		else if (d <= now)
			timeout = 0;
		else if (d - now > 60000)
			timeout = 60000;
		else
			timeout = (int)(d - now);
		n = epoll_wait(l->ep, evs, MAX_EVENTS, timeout);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		now = mw_io_now();
		for (int i = 0; i < n; i++) {
			enum kind *k = evs[i].data.ptr;

			if (*k == K_WAKE) {
				uint64_t v;
				ssize_t r = read(l->wake, &v, sizeof(v));

				(void)r;
			} else if (*k == K_LISTEN) {
				if (!l->stop)
					accept_all(l, (struct listener *)k, now);
			} else {
				/* a destroyed connection cannot appear later
				 * in evs: only the one being run is freed,
				 * and epoll reports each fd once per wait */
				pump((struct mw_io_conn *)k, now);
			}
		}
		timers(l, now);
	}
}

void
mw_io_free(struct mw_io_loop *l)
{
	if (l == NULL)
		return;
	while (l->conns != NULL) {
		struct mw_io_conn *c = l->conns;

		c->closed = 1;
		destroy(c);
	}
	for (int i = 0; i < l->nls; i++)
		close(l->ls[i].fd);
	while (l->pool != NULL) {
		struct pooled *p = l->pool;

		l->pool = p->next;
		free(p);
	}
	close(l->wake);
	close(l->ep);
	free(l);
}
