/*
 * mailwire/data.h: the message body on the wire. DATA transparency (RFC
 * 5321 4.5.2) in both directions and BDAT chunk counting (RFC 3030).
 *
 * The decoder (server side, after the 354 reply) removes the dot that
 * stuffs a line and ends the message only at CRLF "." CRLF, the CRLF being
 * the end of the previous line (or the end of the DATA command line, so
 * ".\r\n" right after 354 is an empty message). Bare CR and bare LF are
 * never line ends (RFC 5321 2.3.8): they are refused or normalised to
 * CRLF by policy, so no sequence other than CRLF.CRLF (LF.LF, CR.CR,
 * LF.CRLF, CRLF.LF, ...) can end a message here while ending it elsewhere
 * (SMTP smuggling, CVE-2023-51764/51765/51766).
 *
 * The encoder (client side) stuffs every line that starts with a dot,
 * sends every bare CR and bare LF as CRLF, and ends the body with CRLF
 * before ".\r\n".
 *
 * Everything is incremental (any split of the input gives the same output
 * and events), allocation-free and works on caller-owned fixed-size
 * structs. Offsets and sizes are 64-bit.
 */
#ifndef MAILWIRE_DATA_H
#define MAILWIRE_DATA_H

#include <stddef.h>
#include <stdint.h>

#include <mailwire/error.h>

/* Policy for bare CR and bare LF in a received body (RFC 5321 2.3.8). */
#define MW_DATA_BARE_REJECT	0	/* refuse the message at its end (default) */
#define MW_DATA_BARE_NORMALIZE	1	/* deliver each as CRLF */

/* Policy for text lines over 1000 octets with CRLF (RFC 5321 4.5.3.1.6). */
#define MW_DATA_LONG_ACCEPT	0	/* report the event, keep the line as is */
#define MW_DATA_LONG_REJECT	1	/* decoder: refuse at the end; encoder:
					   stop with MW_ERR_LIMIT */

/* The longest text line content: 1000 octets less the CRLF. The dot that
 * stuffs a line is not counted (RFC 5321 4.5.3.1.6). */
#define MW_DATA_LINE_MAX	998

/* Events, as bits; the bit number indexes first[] and count[]. */
#define MW_DATA_EV_BARE_LF	0x01	/* an LF not preceded by CR */
#define MW_DATA_EV_BARE_CR	0x02	/* a CR not followed by LF */
#define MW_DATA_EV_LONG_LINE	0x04	/* a line with over 998 octets of text */
#define MW_DATA_EV_TOO_BIG	0x08	/* the body passed the size limit */
#define MW_DATA_NEV		4

/* The events met so far; read-only for the caller. */
struct mw_data_events {
	unsigned	 mask;			/* MW_DATA_EV_* bits met */
	uint64_t	 first[MW_DATA_NEV];	/* input offset of the first of each */
	uint64_t	 count[MW_DATA_NEV];	/* how many of each */
};

/* An SMTP reply for a refused message or chunk. */
struct mw_data_reply {
	int		 code;		/* reply code (RFC 5321 4.2), e.g. 550 */
	const char	*esc;		/* enhanced status code (RFC 3463) */
	const char	*text;		/* short text, no CRLF */
};

struct mw_data_config {
	unsigned	 bare;		/* MW_DATA_BARE_* */
	unsigned	 longline;	/* MW_DATA_LONG_* */
	uint64_t	 max_size;	/* decoded octets allowed; 0: no limit */
};

/* The decoder. Fields are private: use the functions. */
struct mw_data_dec {
	uint64_t		 off;		/* wire octets consumed */
	uint64_t		 size;		/* decoded octets produced */
	uint64_t		 lstart;	/* wire offset of the line's text */
	uint64_t		 max_size;
	struct mw_data_events	 ev;
	unsigned char		 state;
	unsigned char		 bare;
	unsigned char		 longline;
};

/* The encoder. Fields are private: use the functions. */
struct mw_data_enc {
	uint64_t		 off;		/* body octets consumed */
	uint64_t		 size;		/* wire octets produced */
	uint64_t		 lstart;	/* body offset of the line's text */
	struct mw_data_events	 ev;
	unsigned char		 state;
	unsigned char		 longline;
};

/* BDAT chunk accounting (RFC 3030). Fields are private. */
struct mw_bdat {
	uint64_t	 total;		/* octets of accepted chunks */
	uint64_t	 max_size;	/* UINT64_MAX: no limit */
	uint64_t	 remaining;	/* octets of the current chunk to come */
	unsigned char	 state;
	unsigned char	 last;		/* the current chunk is BDAT ... LAST */
	unsigned char	 discard;	/* the current chunk is read and dropped */
	unsigned char	 refused;	/* why the transaction failed, or 0 */
};

/*
 * Prepares d for one message, right after the 354 reply. cfg may be NULL
 * for the defaults: bare CR/LF rejected, long lines accepted and
 * reported, no size limit. Unknown policy values count as the default.
 */
void	mw_data_dec_init(struct mw_data_dec *d, const struct mw_data_config *cfg);

/*
 * Decodes in[0..inlen) into out[0..outlen), which must not overlap.
 * Sets *consumed to the input octets used and *produced to the octets
 * written. Bytes of out past *produced may have been overwritten. An
 * outlen of 2 or more always allows progress.
 *
 * Returns MW_ERR_OK when the end of data was reached: *consumed counts
 * the terminating ".\r\n", and what follows in the input is the next
 * command. MW_ERR_AGAIN when all of in was consumed without reaching the
 * end; MW_ERR_NOSPACE when out is full before in is consumed (call again
 * with the rest of in); MW_ERR_STATE after the end was reached;
 * MW_ERR_INVAL for NULL arguments (out may be NULL if outlen is 0).
 * A refused message is not an error: see mw_data_dec_reply().
 */
mw_err	mw_data_decode(struct mw_data_dec *d, const unsigned char *in,
	    size_t inlen, size_t *consumed, unsigned char *out, size_t outlen,
	    size_t *produced);

/*
 * Decodes without copying: sets *span and *spanlen to the next piece of
 * the decoded body, which points into in or into constant storage (an
 * inserted or held-back CR or LF), and *consumed to the input octets
 * used. Call again with in + *consumed.
 *
 * Returns MW_ERR_OK when the end of data was reached (*span is the last
 * piece, possibly empty); MW_ERR_AGAIN otherwise (when *consumed equals
 * inlen, more input is needed); MW_ERR_STATE after the end; MW_ERR_INVAL
 * for NULL arguments.
 */
mw_err	mw_data_next(struct mw_data_dec *d, const unsigned char *in,
	    size_t inlen, size_t *consumed, const unsigned char **span,
	    size_t *spanlen);

/*
 * Passes over the rest of the message without decoding it: consumes in
 * up to and including the terminating ".\r\n", found exactly as the
 * decoder finds it (CRLF "." CRLF, nothing else). For a message already
 * refused, or a relay passing the body on unchanged. The offset follows;
 * events and the decoded size do not. Decoding may resume after it (the
 * line length count starts again). Sets *consumed.
 *
 * Returns MW_ERR_OK at the end, MW_ERR_AGAIN when all of in was consumed,
 * MW_ERR_STATE after the end, MW_ERR_INVAL for NULL arguments.
 */
mw_err	mw_data_skip(struct mw_data_dec *d, const unsigned char *in,
	    size_t inlen, size_t *consumed);

/* Non-zero once the end of data was reached. */
int	mw_data_dec_done(const struct mw_data_dec *d);

/* Wire octets consumed so far, counting the terminating ".\r\n". */
uint64_t	mw_data_dec_offset(const struct mw_data_dec *d);

/* Decoded octets so far: the body including the CRLF before the final dot. */
uint64_t	mw_data_dec_size(const struct mw_data_dec *d);

/* The events met so far; first[] holds wire offsets. Never NULL. */
const struct mw_data_events	*mw_data_dec_events(const struct mw_data_dec *d);

/*
 * The reply that refuses the message, or NULL if the policies accept it
 * so far. Once the end is reached, a non-NULL reply is the answer to the
 * final dot and nothing of the message may be delivered. In order: the
 * size limit (552 5.3.4), bare LF and bare CR under MW_DATA_BARE_REJECT
 * (550 5.5.2), long lines under MW_DATA_LONG_REJECT (550 5.6.0).
 */
const struct mw_data_reply	*mw_data_dec_reply(const struct mw_data_dec *d);

/*
 * Prepares e for one body. longline is MW_DATA_LONG_REJECT (lines over
 * 998 octets stop the encoder) or MW_DATA_LONG_ACCEPT (sent unchanged and
 * reported; RFC 5321 4.5.3.1.6 allows a server to refuse them).
 */
void	mw_data_enc_init(struct mw_data_enc *e, unsigned longline);

/*
 * Encodes body octets in[0..inlen) into wire form in out[0..outlen)
 * (not overlapping):
 * a dot before every line that starts with one, bare CR and bare LF as
 * CRLF. Sets *consumed and *produced as mw_data_decode() does; bytes of
 * out past *produced may have been overwritten; an outlen of 2 or more
 * always allows progress.
 *
 * Returns MW_ERR_AGAIN when all of in was consumed, MW_ERR_NOSPACE when
 * out is full first, MW_ERR_LIMIT (sticky) when a line would pass 998
 * octets under MW_DATA_LONG_REJECT (*consumed stops at its 999th octet),
 * MW_ERR_STATE after mw_data_encode_end(), MW_ERR_INVAL for NULL
 * arguments.
 */
mw_err	mw_data_encode(struct mw_data_enc *e, const unsigned char *in,
	    size_t inlen, size_t *consumed, unsigned char *out, size_t outlen,
	    size_t *produced);

/*
 * Ends the body: writes CRLF if the last line is not ended, then ".\r\n"
 * (at most 5 octets) into out, and sets *produced. Returns MW_ERR_OK,
 * MW_ERR_NOSPACE (nothing written), MW_ERR_LIMIT after a refused long
 * line, MW_ERR_STATE if already ended, or MW_ERR_INVAL.
 */
mw_err	mw_data_encode_end(struct mw_data_enc *e, unsigned char *out,
	    size_t outlen, size_t *produced);

/* Wire octets produced so far. */
uint64_t	mw_data_enc_size(const struct mw_data_enc *e);

/* The events met so far (first[] holds body offsets). Never NULL. */
const struct mw_data_events	*mw_data_enc_events(const struct mw_data_enc *e);

/* "bare-lf", "bare-cr", "long-line", "too-big" for one MW_DATA_EV_* bit;
 * "unknown" for anything else. */
const char	*mw_data_event_name(unsigned ev);

/*
 * Prepares b for one transaction (after MAIL, or RSET). max_size is the
 * largest message in octets, 0 for no limit beyond 2^64 - 1.
 */
void	mw_bdat_init(struct mw_bdat *b, uint64_t max_size);

/*
 * Starts a chunk of chunk_size octets (the first argument of BDAT); last
 * is non-zero for BDAT ... LAST. The chunk's octets follow the command
 * and must be passed through mw_bdat_feed() whatever this returns, except
 * for the first MW_ERR_STATE case below.
 *
 * Returns MW_ERR_OK; MW_ERR_LIMIT if the running total would pass the
 * limit or 2^64 - 1 (the chunk is to be read and discarded, then refused
 * with mw_bdat_reply(); the transaction has failed and later chunks get
 * the same); MW_ERR_STATE if the previous chunk is not complete (nothing
 * changes) or if BDAT LAST was already received (RFC 3030 2: 503; the
 * chunk is discarded); MW_ERR_INVAL if b is NULL.
 */
mw_err	mw_bdat_begin(struct mw_bdat *b, uint64_t chunk_size, int last);

/*
 * Of avail octets received, sets *take to how many belong to the current
 * chunk (no dot processing: RFC 3030 counts octets exactly). Returns
 * MW_ERR_OK when the chunk is complete, MW_ERR_AGAIN when more octets are
 * to come, MW_ERR_STATE if no chunk was begun, MW_ERR_INVAL for NULL.
 */
mw_err	mw_bdat_feed(struct mw_bdat *b, size_t avail, size_t *take);

/* Octets of the transaction's accepted chunks so far. */
uint64_t	mw_bdat_total(const struct mw_bdat *b);

/* Non-zero once the whole BDAT LAST chunk was received. */
int	mw_bdat_done(const struct mw_bdat *b);

/*
 * The reply to send when the current chunk is complete, or NULL if the
 * chunk is accepted (then 250, or the outcome of delivery after LAST):
 * 552 5.3.4 over the size limit, 503 5.5.1 for a chunk after LAST.
 */
const struct mw_data_reply	*mw_bdat_reply(const struct mw_bdat *b);

#endif
