/*
 * mailwire/span.h: a piece of the caller's buffer, as an offset and a
 * length, so a parser's result stays valid when the caller moves its
 * buffer and a parser's state stays constant in size (marks are offsets).
 */
#ifndef MAILWIRE_SPAN_H
#define MAILWIRE_SPAN_H

#include <stdint.h>

struct mw_span {
	uint32_t	off;	/* from the start of the buffer the result is for */
	uint32_t	len;	/* 0 with off 0: absent */
};

#endif
