/*
 * mailwire/io.h: a socket adapter for the server engine (mailwire/server.h)
 * on POSIX non-blocking sockets and Linux epoll: one thread serves many
 * sessions. It lives outside the core archive (libmailwire-io.a): it reads
 * the monotonic clock, does the I/O and allocates one block per
 * connection (with its struct mw_server) and the engine's buffers
 * (MW_SERVER_BUF_SIZE): only sessions that are not idle hold one; an idle
 * session gives its buffer back (mw_server_detach) to a small pool the
 * loop keeps, and takes one again before it reads or times out.
 *
 *	struct mw_io_config cfg;
 *	struct mw_io_loop *loop;
 *
 *	mw_io_config_init(&cfg);
 *	cfg.server = &server_cfg;		(hostname, limits, sasl ...)
 *	cfg.event = handler;			(answers the decisions)
 *	loop = mw_io_new(&cfg);
 *	mw_io_listen(loop, "127.0.0.1:2525", 0, bound, sizeof(bound));
 *	mw_io_run(loop);			(until mw_io_stop())
 *	mw_io_free(loop);
 *
 * TLS is a transport (struct mw_io_transport) the loop calls for STARTTLS
 * (RFC 3207) and for listeners with implicit TLS (RFC 8314 3.3);
 * mailwire/io_tls.h has one on OpenSSL. With TLS the caller should ignore
 * SIGPIPE (the loop's own writes use MSG_NOSIGNAL; a TLS library's may not).
 */
#ifndef MAILWIRE_IO_H
#define MAILWIRE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <mailwire/server.h>

struct mw_io_loop;
struct mw_io_conn;

/* What a transport call returns besides a count of octets. */
#define MW_IO_ERROR		(-1)	/* the connection is broken */
#define MW_IO_WANT_READ		(-2)	/* call again when readable */
#define MW_IO_WANT_WRITE	(-3)	/* call again when writable */

/*
 * A TLS transport. open() starts a server-side session on the connected
 * socket fd and returns its state (NULL: failure); handshake() returns 1
 * when done, or MW_IO_WANT_READ/_WRITE/_ERROR; read() and write() return
 * octets moved (read: 0 at the peer's close) or one of MW_IO_*; peer()
 * gives the identity a verified client certificate proved (0 and *n = 0:
 * none); close() sends the close alert if it can and frees the state
 * (not the socket).
 */
struct mw_io_transport {
	void		*(*open)(void *arg, int fd);
	int		 (*handshake)(void *t);
	ssize_t		 (*read)(void *t, unsigned char *buf, size_t n);
	ssize_t		 (*write)(void *t, const unsigned char *buf, size_t n);
	int		 (*peer)(void *t, unsigned char *id, size_t cap,
			    size_t *n);
	void		 (*close)(void *t);
	void		*arg;
};

/* The transcript directions of the log hook. */
enum mw_io_dir {
	MW_IO_CLIENT,		/* octets received (after TLS) */
	MW_IO_SERVER,		/* octets sent (before TLS) */
	MW_IO_NOTE		/* the loop's own remark: NUL-terminated text */
};

struct mw_io_config {
	/* Every session's configuration (copied by mw_server_init); it and
	 * what it points to must outlive the loop. Required. */
	const struct mw_server_config	*server;
	/*
	 * Every engine event of every session, in order. For the decision
	 * events (CONNECT, HELO, MAIL, RCPT, DATA, MESSAGE, AUTH) the
	 * handler must call mw_server_accept() or mw_server_reject() on s
	 * before it returns. STARTTLS is handled by the loop and reported
	 * for information; CLOSE is the last event of a connection, after
	 * which c is freed once its output is sent. Required.
	 */
	void	(*event)(void *arg, struct mw_io_conn *c, struct mw_server *s,
		    const struct mw_server_event *ev);
	/* The transcript, when set: octets as the engine saw them. */
	void	(*log)(void *arg, struct mw_io_conn *c, enum mw_io_dir dir,
		    const unsigned char *p, size_t n);
	void	*arg;
	/* STARTTLS and implicit TLS; NULL: neither (the caller must not
	 * offer MW_SERVER_STARTTLS then). */
	const struct mw_io_transport	*tls;
	/* Connections served at once; more are answered 421 4.3.2 (RFC
	 * 5321 3.8) and closed: an unbounded count is memory exhaustion.
	 * 0: 1024. */
	unsigned	 max_conns;
	/* After mw_io_stop(): how long sessions may go on before the rest
	 * are ended as if the client had closed (a message in progress is
	 * not delivered). Milliseconds; default 5000. */
	uint64_t	 stop_grace;
	/* The TLS handshake, and the sending of the last output after the
	 * close, must end within this (ms); default 30000. The engine's
	 * timer does not run then. */
	uint64_t	 io_timeout;
};

/* Sets the defaults above. */
void	mw_io_config_init(struct mw_io_config *cfg);

/* A loop (epoll instance) for cfg, copied. NULL with errno set on
 * failure (EINVAL: a required field is missing). */
struct mw_io_loop *mw_io_new(const struct mw_io_config *cfg);

/*
 * Listens on addr ("192.0.2.1:25", "[2001:db8::1]:25", "localhost:0"; an
 * IPv6 socket is V6ONLY). implicit_tls: the session starts with a TLS
 * handshake (RFC 8314 3.3), which needs cfg.tls. The address actually
 * bound ("127.0.0.1:40123" when port 0 was asked) is written to
 * bound[0..cap) if bound is not NULL. Returns 0, or -1 with errno set
 * (EINVAL: a malformed address; the resolver's failure is EADDRNOTAVAIL).
 */
int	mw_io_listen(struct mw_io_loop *loop, const char *addr,
	    int implicit_tls, char *bound, size_t cap);

/*
 * Serves until mw_io_stop() and every session is over. Returns 0, or -1
 * with errno set if epoll fails.
 */
int	mw_io_run(struct mw_io_loop *loop);

/* Stops accepting and starts the stop_grace period. Async-signal-safe:
 * may be called from a signal handler. */
void	mw_io_stop(struct mw_io_loop *loop);

/* Closes the listeners and every connection (without their handler
 * seeing CLOSE) and frees the loop. */
void	mw_io_free(struct mw_io_loop *loop);

/* The monotonic clock in milliseconds (CLOCK_MONOTONIC), as the loop
 * passes it to mw_server_next(). */
uint64_t	mw_io_now(void);

/* The embedder's pointer for a connection (NULL at first). */
void	*mw_io_conn_data(const struct mw_io_conn *c);
void	 mw_io_conn_set_data(struct mw_io_conn *c, void *data);
/* The client's address, "192.0.2.7:51000" or "[2001:db8::7]:51000". */
const char	*mw_io_conn_peer(const struct mw_io_conn *c);
/* The connection's number, unique in the loop, from 1. */
uint64_t	 mw_io_conn_id(const struct mw_io_conn *c);
/* Non-zero once TLS is active on the connection. */
int		 mw_io_conn_tls(const struct mw_io_conn *c);

#endif
