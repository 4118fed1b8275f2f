/*
 * src/send.h: what the files of mailwire-send share. Programs only: they
 * use stdio and exit().
 */
#ifndef MW_SEND_H
#define MW_SEND_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* -t holds the header block in memory: a bound, or a message with an
 * endless header would take all of it */
#define HDR_MAX		(1024 * 1024)

/* src/mailwire-send.c */
/* "mailwire-send: " and the message on stderr, then exit(status). */
void	die(int status, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));
/* One recipient, unless it is already there; a bad address dies with
 * status. */
void	add_rcpt(const char *a, size_t n, int status);

/* src/send_headers.c */
/* sendmail -t: reads the header block from in, adds the recipients of
 * To, Cc and Bcc, and returns the block without Bcc (*len octets). */
unsigned char	*send_read_header(FILE *in, size_t *len);

/* src/send_message.c: the message, streamed as the engine asks */
struct send_msg {
	FILE		*in;
	off_t		 start;		/* the body's offset in; -1: a pipe */
	unsigned char	*hdr;		/* -t: the header block to send */
	size_t		 hdrlen, hdrpos;
	int		 in_eof, err;
	uint64_t	 given;		/* octets handed to the engine */
	uint64_t	 size;		/* the SIZE= estimate; 0: unknown */
};

/* Opens path (NULL: stdin); with tflag, takes its header first. */
void	send_msg_open(struct send_msg *, const char *path, int tflag);
/* Back to the body's start: 0, or -1 for a pipe. */
int	send_msg_rewind(struct send_msg *);
/* The next octets into out[0..cap); *last once the input is all given. */
size_t	send_msg_fill(struct send_msg *, unsigned char *out, size_t cap,
	    int *last);

#endif
