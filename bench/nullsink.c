/*
 * bench/nullsink.c: the no-parsing baseline server for scripts/bench.sh.
 * It speaks just enough SMTP for smtp-source and SMTP clients that behave:
 * a fixed 220, a fixed reply to each command line (by its first four
 * octets: EHLO/LHLO get a multi-line 250 with PIPELINING, DATA 354, QUIT
 * 221, anything else 250), and in the message body it only looks for the
 * end of data, "CRLF . CRLF" (crudely: a carried match count across
 * reads, no unstuffing, no limits). No parsing, no validation: what is
 * left is the cost of the sockets, epoll and the line splitting, the
 * floor under any real server.
 *
 *     nullsink ADDR:PORT    prints "listening on ADDR:PORT"; SIGTERM ends it
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINE_MAX_	4096
#define RBUF		65536

struct conn {
	int		fd;
	int		data;		/* in the message body */
	int		m;		/* octets of "\r\n.\r\n" matched */
	size_t		len;		/* of the partial command line */
	char		line[LINE_MAX_];
};

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Crude: replies are short and the socket's send buffer is large. */
static int
say(struct conn *c, const char *s)
{
	size_t n = strlen(s), off = 0;

	while (off < n) {
		ssize_t w = send(c->fd, s + off, n - off, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/* Returns -1 to close. */
static int
command(struct conn *c, const char *l, size_t n)
{
	char v[4];

	for (size_t i = 0; i < 4; i++)
		v[i] = (char)(i < n ? (l[i] & ~0x20) : 0);
	if (memcmp(v, "EHLO", 4) == 0 || memcmp(v, "LHLO", 4) == 0)
		return say(c, "250-nullsink\r\n250-PIPELINING\r\n"
		    "250 8BITMIME\r\n");
	if (memcmp(v, "DATA", 4) == 0) {
		c->data = 1;
		c->m = 2;	/* the DATA line's CRLF starts the pattern */
		return say(c, "354 go ahead\r\n");
	}
	if (memcmp(v, "QUIT", 4) == 0) {
		say(c, "221 bye\r\n");
		return -1;
	}
	return say(c, "250 ok\r\n");
}

/* Consumes p[0..n) in the body; returns the octets used (the rest are
 * command lines after the end of data). */
static size_t
body(struct conn *c, const char *p, size_t n)
{
	static const char pat[] = "\r\n.\r\n";
	size_t i = 0;

	while (i < n) {
		char ch;

		if (c->m == 0) {
			const char *cr = memchr(p + i, '\r', n - i);

			if (cr == NULL)
				return n;
			i = (size_t)(cr - p);
		}
		ch = p[i++];
		if (ch == pat[c->m]) {
			if (++c->m == 5) {
				c->data = 0;
				c->m = 0;
				if (say(c, "250 ok: discarded\r\n") < 0)
					return (size_t)-1;
				return i;
			}
		} else
			c->m = ch == '\r';
	}
	return n;
}

static int
input(struct conn *c, const char *p, size_t n)
{
	while (n > 0) {
		if (c->data) {
			size_t u = body(c, p, n);

			if (u == (size_t)-1)
				return -1;
			p += u;
			n -= u;
			continue;
		}
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) + 1 : n;

		if (c->len + k > sizeof(c->line))
			return -1;
		memcpy(c->line + c->len, p, k);
		c->len += k;
		p += k;
		n -= k;
		if (nl) {
			size_t ll = c->len;

			c->len = 0;
			if (command(c, c->line, ll) < 0)
				return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	struct epoll_event ev, evs[256];
	static char rbuf[RBUF];
	char *colon;
	int ls, ep, one = 1;

	if (argc != 2 || (colon = strrchr(argv[1], ':')) == NULL) {
		fprintf(stderr, "usage: nullsink ADDR:PORT\n");
		return 2;
	}
	*colon = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "nullsink: bad address %s\n", argv[1]);
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ls, 1024) < 0) {
		perror("nullsink: listen");
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	printf("listening on %s:%s\n", argv[1], colon + 1);
	fflush(stdout);
	while (!stop) {
		int n = epoll_wait(ep, evs, 256, 500);

		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c == NULL) {
				int fd;

				while ((fd = accept4(ls, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					c = calloc(1, sizeof(*c));
					if (c == NULL) {
						close(fd);
						continue;
					}
					c->fd = fd;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY,
					    &one, sizeof(one));
					ev.events = EPOLLIN;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
					if (say(c, "220 nullsink ESMTP\r\n") < 0) {
						close(fd);
						free(c);
					}
				}
				continue;
			}
			for (;;) {
				ssize_t r = recv(c->fd, rbuf, sizeof(rbuf), 0);

				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0 && errno == EAGAIN)
					break;
				if (r <= 0 || input(c, rbuf, (size_t)r) < 0) {
					close(c->fd);	/* leaves the epoll set */
					free(c);
					break;
				}
				if ((size_t)r < sizeof(rbuf))
					break;
			}
		}
	}
	return 0;
}
