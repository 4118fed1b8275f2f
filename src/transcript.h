/*
 * src/transcript.h: the -v transcript of mailwire-sink and mailwire-send.
 * Each direction's octets become "C:" and "S:" lines on stderr, other
 * than printable ASCII escaped as \xNN; RFC 4954 secrets are "***" and a
 * message body is summarised. Not part of the core: it uses stdio.
 */
#ifndef MW_TRANSCRIPT_H
#define MW_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

/* a longer line is shown cut, with "..." */
#define TR_LINE		1024

/* One direction's line being assembled. */
struct tr_dir {
	char		 buf[TR_LINE];
	size_t		 n;
	uint64_t	 octets;	/* the whole line's, uncut */
	int		 trunc;
};

/* One session's transcript: zeroed, then tr_init(). */
struct tr {
	char		 tag[32];	/* before each line: "[7] " or "" */
	struct tr_dir	 c, s;
	int		 auth_wait;	/* the last reply was 334 */
	int		 in_data;	/* after 354, until the lone "." */
	uint64_t	 bdat_left;	/* BDAT chunk octets still to come */
	uint64_t	 lines, octets;	/* of the body so far */
};

void	tr_init(struct tr *, const char *tag);
/* The client's octets (after TLS) and the server's. */
void	tr_client(struct tr *, const unsigned char *p, size_t n);
void	tr_server(struct tr *, const unsigned char *p, size_t n);
/* Prints the lines not ended yet, as they are. */
void	tr_flush(struct tr *);
/* One line: "<tag><who>: <s escaped>", "..." after it if trunc. */
void	tr_print(const struct tr *, const char *who, const char *s, size_t n,
	    int trunc);

#endif
