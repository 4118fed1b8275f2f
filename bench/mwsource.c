/*
 * bench/mwsource.c: a load generator on the client engine, the
 * counterpart of Postfix's smtp-source for `make bench`: S sessions at
 * once over non-blocking sockets and one epoll loop, M messages in all,
 * each of L octets, no TLS and no AUTH, PIPELINING when offered (unless
 * -P). Prints one line of figures for the bench script:
 *
 *	messages=M delivered=D failed=F seconds=S cpu=C
 *
 * Usage: mwsource [-s sessions] [-m messages] [-l length] [-P] [-C]
 *	[-L] [-f from] [-t to] HOST:PORT
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include <mailwire/client.h>

struct sess {
	int			 fd;
	int			 connected, closed, out_on;
	struct mw_client	 c;
	struct mw_client_msg	 m;
	struct mw_client_result	 res;
	unsigned char		 buf[MW_CLIENT_BUF_SIZE];
};

static struct mw_client_rcpt g_rcpt;
static unsigned char *g_body;
static size_t g_len;
static long g_left, g_delivered, g_failed;
static int g_ep;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* A body of about n octets: headers, then 72-column text lines. */
static void
make_body(size_t n)
{
	static const char hdr[] = "From: <source@bench.test>\r\n"
	    "To: <sink@bench.test>\r\nSubject: mwsource\r\n\r\n";
	size_t col = 0;

	g_body = malloc(n + sizeof(hdr) + 4);
	if (g_body == NULL) {
		perror("mwsource");
		exit(1);
	}
	memcpy(g_body, hdr, sizeof(hdr) - 1);
	g_len = sizeof(hdr) - 1;
	while (g_len < sizeof(hdr) - 1 + n) {
		if (col == 72) {
			g_body[g_len++] = '\r';
			g_body[g_len++] = '\n';
			col = 0;
		} else
			g_body[g_len++] = (unsigned char)('a' + col++ % 26);
	}
	g_body[g_len++] = '\r';
	g_body[g_len++] = '\n';
}

static void
watch(struct sess *s, int out)
{
	struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0),
	    .data.ptr = s };

	if (out == s->out_on)
		return;
	s->out_on = out;
	epoll_ctl(g_ep, EPOLL_CTL_MOD, s->fd, &ev);
}

static void
finish(struct sess *s)
{
	epoll_ctl(g_ep, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	s->fd = -1;
	s->closed = 1;
}

/* Runs the engine until it waits for the socket; 0 once closed. */
static int
pump(struct sess *s)
{
	struct mw_client_event ev;
	const unsigned char *o;
	unsigned char *ib;
	size_t n, cap;
	ssize_t r;
	mw_err e;
	int moved;

	do {
		moved = 0;
		while ((e = mw_client_next(&s->c, now_ms(), &ev)) ==
		    MW_ERR_OK) {
			switch (ev.type) {
			case MW_CLIENT_EV_READY:
				if (g_left > 0) {
					g_left--;
					mw_client_submit(&s->c, &s->m);
				} else
					mw_client_quit(&s->c);
				break;
			case MW_CLIENT_EV_BODY:
				mw_client_body_ptr(&s->c, g_body + ev.offset,
				    g_len - (size_t)ev.offset, 1);
				break;
			case MW_CLIENT_EV_MESSAGE:
				g_delivered += (long)ev.delivered;
				g_failed += (long)ev.failed;
				break;
			case MW_CLIENT_EV_CLOSE:
				if (ev.reason != MW_CLIENT_CLOSE_QUIT)
					fprintf(stderr, "mwsource: session "
					    "closed: %s\n",
					    mw_client_close_name(ev.reason));
				break;
			default:
				break;
			}
		}
		if (e == MW_ERR_STATE) {
			/* closed: send what is left, then go */
			if (mw_client_output(&s->c, &o, &n) == MW_ERR_OK &&
			    n > 0)
				(void)send(s->fd, o, n, MSG_NOSIGNAL);
			finish(s);
			return 0;
		}
		if (mw_client_output(&s->c, &o, &n) == MW_ERR_OK && n > 0) {
			r = send(s->fd, o, n, MSG_NOSIGNAL);
			if (r > 0) {
				mw_client_output_ack(&s->c, (size_t)r);
				moved = 1;
			} else if (r < 0 && errno != EAGAIN && errno != EINTR) {
				mw_client_input_eof(&s->c);
				moved = 1;
			}
		}
		if (mw_client_input_buf(&s->c, &ib, &cap) == MW_ERR_OK &&
		    cap > 0) {
			r = recv(s->fd, ib, cap, 0);
			if (r > 0) {
				mw_client_input_ack(&s->c, (size_t)r);
				moved = 1;
			} else if (r == 0 || (errno != EAGAIN &&
			    errno != EINTR)) {
				mw_client_input_eof(&s->c);
				moved = 1;
			}
		}
	} while (moved);
	watch(s, mw_client_output(&s->c, &o, &n) == MW_ERR_OK && n > 0);
	return 1;
}

static int
dial(struct sess *s, const struct addrinfo *ai,
    const struct mw_client_config *cfg)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT,
	    .data.ptr = s };

	s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		return -1;
	if (connect(s->fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
	    errno != EINPROGRESS)
		return -1;
	if (mw_client_init(&s->c, cfg, s->buf, sizeof(s->buf)) != MW_ERR_OK)
		return -1;
	s->out_on = 1;
	return epoll_ctl(g_ep, EPOLL_CTL_ADD, s->fd, &ev);
}

int
main(int argc, char **argv)
{
	struct mw_client_config cfg;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	struct epoll_event evs[256];
	const char *from = "source@bench.test", *to = "sink@bench.test";
	long sessions = 1, messages = 1000, length = 1000;
	char host[256], *port;
	struct sess *ss;
	double t0, c0;
	long live, i;
	int opt, n;

	mw_client_config_init(&cfg);
	cfg.helo = "mwsource.bench.test";
	cfg.tls = MW_CLIENT_TLS_OFF;
	cfg.chunking = 0;
	while ((opt = getopt(argc, argv, "s:m:l:PCLf:t:")) != -1) {
		switch (opt) {
		case 's': sessions = atol(optarg); break;
		case 'm': messages = atol(optarg); break;
		case 'l': length = atol(optarg); break;
		case 'P': cfg.pipelining = 0; break;
		case 'C': cfg.chunking = 1; break;
		case 'L': cfg.lmtp = 1; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || sessions < 1 || messages < 0 ||
	    length < 0 || strlen(argv[optind]) >= sizeof(host))
		goto usage;
	strcpy(host, argv[optind]);
	if ((port = strrchr(host, ':')) == NULL)
		goto usage;
	*port++ = '\0';
	if (getaddrinfo(host, port, &hints, &ai) != 0) {
		fprintf(stderr, "mwsource: cannot resolve %s\n", host);
		return 1;
	}
	make_body((size_t)length);
	g_rcpt.addr = to;
	g_left = messages;
	if ((g_ep = epoll_create1(0)) < 0 ||
	    (ss = calloc((size_t)sessions, sizeof(*ss))) == NULL) {
		perror("mwsource");
		return 1;
	}
	t0 = (double)now_ms();
	c0 = cpu_s();
	for (i = 0; i < sessions; i++) {
		ss[i].m.from = from;
		ss[i].m.rcpts = &g_rcpt;
		ss[i].m.nrcpts = 1;
		ss[i].m.results = &ss[i].res;
		if (dial(&ss[i], ai, &cfg) < 0) {
			perror("mwsource: connect");
			return 1;
		}
	}
	live = sessions;
	while (live > 0) {
		n = epoll_wait(g_ep, evs, 256, 1000);
		if (n < 0 && errno != EINTR) {
			perror("mwsource: epoll_wait");
			return 1;
		}
		for (int k = 0; k < n; k++) {
			struct sess *s = evs[k].data.ptr;

			if (s->closed)
				continue;
			if (!s->connected) {
				int err = 0;
				socklen_t l = sizeof(err);

				getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err,
				    &l);
				if (err != 0) {
					fprintf(stderr, "mwsource: connect: "
					    "%s\n", strerror(err));
					finish(s);
					live--;
					continue;
				}
				s->connected = 1;
				mw_client_connected(&s->c);
			}
			if (!pump(s))
				live--;
		}
	}
	printf("messages=%ld delivered=%ld failed=%ld seconds=%.3f "
	    "cpu=%.3f\n", messages, g_delivered, g_failed,
	    ((double)now_ms() - t0) / 1000.0, cpu_s() - c0);
	freeaddrinfo(ai);
	return g_delivered == messages ? 0 : 1;
usage:
	fprintf(stderr, "usage: mwsource [-s sessions] [-m messages] "
	    "[-l length] [-P] [-C] [-L] [-f from] [-t to] HOST:PORT\n");
	return 2;
}
