/*
 * mailwire/error.h: the error enum of every mailwire function, its names
 * and messages. One table (MW_ERRORS) feeds the enum, mw_err_name() and
 * mw_err_message(), so they cannot drift apart.
 *
 * A peer's bad command is not an error of the engine: it gets its SMTP
 * reply and the session goes on. These errors are for the caller: bad
 * arguments, buffers too small, or input that desynchronises a stream
 * (fatal and sticky).
 */
#ifndef MAILWIRE_ERROR_H
#define MAILWIRE_ERROR_H

/* X(name, fatal, message) */
#define MW_ERRORS(X)							\
	X(OK,		0, "no error")					\
	X(AGAIN,	0, "more input is needed")			\
	X(INVAL,	0, "invalid argument")				\
	X(NOSPACE,	0, "the caller's buffer is too small")		\
	X(STATE,	0, "the call does not fit the current state")	\
	X(SYNTAX,	0, "the input does not match the grammar")	\
	X(LIMIT,	0, "a configured limit was exceeded")		\
	X(AUTH,		0, "authentication failed, or the peer did not prove itself") \
	X(UNSUPPORTED,	0, "the input needs a feature mailwire does not implement") \
	X(CRYPTO,	0, "the crypto provider failed")		\
	X(DESYNC,	1, "the input cannot be resynchronised; the stream is lost")

typedef enum mw_err {
#define MW__ERR_ENUM(name, fatal, msg) MW_ERR_##name,
	MW_ERRORS(MW__ERR_ENUM)
#undef MW__ERR_ENUM
	MW_ERR__COUNT
} mw_err;

/* "MW_ERR_AGAIN" for MW_ERR_AGAIN; "MW_ERR_UNKNOWN" outside the enum. */
const char	*mw_err_name(mw_err err);

/* A one-line English message, no trailing newline; never NULL. */
const char	*mw_err_message(mw_err err);

/* Non-zero if err ends the stream it came from (sticky). */
int		 mw_err_is_fatal(mw_err err);

#endif
