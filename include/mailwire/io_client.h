/*
 * mailwire/io_client.h: runs one client session (mailwire/client.h) over a
 * POSIX socket: resolves and connects under the engine's connect timer,
 * runs implicit TLS (RFC 8314 3.3) or STARTTLS (RFC 3207) through a
 * transport (mailwire/io.h; mailwire/io_tls.h has one on OpenSSL), and
 * pumps the engine's output and input with poll() until its deadline.
 * It lives outside the core archive (libmailwire-io.a): it reads the
 * monotonic clock (mw_io_now()), does the I/O and allocates the session
 * and its MW_CLIENT_BUF_SIZE buffer for the length of the call.
 *
 *	struct mw_io_client_config cfg;
 *	struct mw_io_client_result res;
 *
 *	mw_io_client_config_init(&cfg);
 *	cfg.server = "mx.example.net:25";
 *	cfg.client = &client_cfg;		(helo, tls mode, creds ...)
 *	cfg.tls = &transport;			(unless client_cfg.tls is OFF)
 *	cfg.event = handler;			(READY: submit or quit ...)
 *	switch (mw_io_client_run(&cfg, &res)) ...
 *
 * Plain writes use MSG_NOSIGNAL; a TLS library's writes may raise SIGPIPE,
 * so a caller that uses TLS should ignore SIGPIPE.
 */
#ifndef MAILWIRE_IO_CLIENT_H
#define MAILWIRE_IO_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <mailwire/client.h>
#include <mailwire/io.h>

/* The transcript directions of the log hook. */
enum mw_io_client_log {
	MW_IO_CLIENT_SENT,	/* octets sent (before TLS) */
	MW_IO_CLIENT_RECEIVED,	/* octets received (after TLS) */
	MW_IO_CLIENT_NOTE	/* the adapter's own remark: NUL-terminated
				 * text ("connected to 192.0.2.1:25") */
};

/* After the engine's CLOSE event, how long the last output (QUIT) may
 * take to go out before the socket is closed anyway (ms). */
#define MW_IO_CLIENT_FLUSH_MS	5000

struct mw_io_client_config {
	/* "host", "host:port", "192.0.2.1:25", "[2001:db8::1]:25" or
	 * "2001:db8::1" (an IPv6 literal without a port). Required. */
	const char			*server;
	/* The port when server names none; default 25. */
	unsigned			 port;
	/* The session's configuration (copied by mw_client_init); its tls
	 * mode decides implicit TLS or STARTTLS. It and what it points to
	 * must outlive the call. Required. */
	const struct mw_client_config	*client;
	/* The TLS transport; required unless client->tls is
	 * MW_CLIENT_TLS_OFF. Its open() must start a client session. */
	const struct mw_io_transport	*tls;
	/*
	 * Every engine event, in order. READY: call mw_client_submit() or
	 * mw_client_quit() on c before returning (else the session idles
	 * until the server gives up); BODY: mw_client_body() or
	 * mw_client_body_ptr(); RCPT, MESSAGE: results; CLOSE: the last
	 * event (STARTTLS is run by the adapter and not passed on).
	 * Returns 0, or -1 to abort: the connection is closed at once,
	 * without QUIT, and nothing in progress is delivered. Required.
	 */
	int	(*event)(void *arg, struct mw_client *c,
		    const struct mw_client_event *ev);
	/* The transcript, when set: octets as the engine saw them. */
	void	(*log)(void *arg, enum mw_io_client_log dir,
		    const unsigned char *p, size_t n);
	void	*arg;
};

/* Sets the defaults above (port 25, everything else none). */
void	mw_io_client_config_init(struct mw_io_client_config *cfg);

/* How a run ended: X(NAME, name). */
#define MW_IO_CLIENT_STATUSES(X)					\
	X(DONE,		"done")		/* the engine's CLOSE event was	\
					 * delivered: see reason (a	\
					 * connect timeout too) */	\
	X(ADDRESS,	"address")	/* server is malformed */	\
	X(RESOLVE,	"resolve")	/* the name did not resolve	\
					 * (error: the resolver's text) */ \
	X(CONNECT,	"connect")	/* no address took the		\
					 * connection (sys_errno: the	\
					 * last address's) */		\
	X(TLS,		"tls")		/* the implicit TLS handshake	\
					 * failed (the transport's state \
					 * says why: mw_io_tls_dest) */	\
	X(ABORTED,	"aborted")	/* the handler returned -1 */	\
	X(SYSTEM,	"system")	/* a bad configuration, out of	\
					 * memory, poll() failed	\
					 * (sys_errno) */

enum mw_io_client_status {
#define MW__IO_CLIENT_STATUS_ENUM(n, s) MW_IO_CLIENT_##n,
	MW_IO_CLIENT_STATUSES(MW__IO_CLIENT_STATUS_ENUM)
#undef MW__IO_CLIENT_STATUS_ENUM
	MW_IO_CLIENT__COUNT
};

struct mw_io_client_result {
	enum mw_io_client_status status;
	/* CONNECT, SYSTEM: the errno; DONE: the read or write error that
	 * ended the session (0: none; the engine saw the end of input). */
	int			 sys_errno;
	/* One line for a person: "Connection refused", "Name or service
	 * not known", "poll: ..."; "" for DONE without an I/O error. */
	char			 error[256];
	/* The address connected to (or tried last): "192.0.2.1:25". */
	char			 peer[64];
	/* DONE: the CLOSE event's reason, timer (TIMEOUT) and cause
	 * (PROTOCOL), and the reply that ended the session (code 0: none);
	 * tls: TLS was up at the end. */
	enum mw_client_close	 reason;
	enum mw_client_timer	 timer;
	enum mw_reply_cause	 cause;
	struct mw_client_result	 reply;
	int			 tls;
};

/*
 * Splits server ("host[:port]", "[v6]:port", "v6") into the host (no
 * brackets) in host[0..cap) and the port (*port unchanged when none is
 * given). Returns 0, or -1 for a malformed string (an empty host, a port
 * that is not 1 to 65535, unbalanced brackets, a host over cap - 1).
 */
int	mw_io_client_split(const char *server, char *host, size_t cap,
	    unsigned *port);

/*
 * Runs one session for cfg: resolves (getaddrinfo, which the timer does
 * not bound), connects to each address in turn and runs implicit TLS,
 * all within the engine's connect timer, then the session to its CLOSE
 * event, sends the last output (at most MW_IO_CLIENT_FLUSH_MS), closes.
 * Returns res->status (filled in every case).
 */
enum mw_io_client_status mw_io_client_run(const struct mw_io_client_config *cfg,
	    struct mw_io_client_result *res);

/* "done", "resolve", ...; "" outside the enum. */
const char	*mw_io_client_status_name(enum mw_io_client_status s);

#endif
