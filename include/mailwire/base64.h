/*
 * mailwire/base64.h: base64 (RFC 4648 4), strict, as RFC 4954 4 demands of
 * SMTP AUTH ("servers and clients MUST reject (and not ignore) any
 * character not explicitly allowed by the BASE64 alphabet"). The syntax is
 * the base64 machine generated from grammar/rfc4954.abnf: no white space,
 * no line breaks, padding exactly as RFC 4648 3.2 requires. Beyond the
 * grammar, the pad bits of the last group must be zero (RFC 4648 3.5: the
 * encoding is canonical), so one text decodes from exactly one string.
 */
#ifndef MAILWIRE_BASE64_H
#define MAILWIRE_BASE64_H

#include <stddef.h>

#include <mailwire/error.h>

/* Octets the encoding of n octets takes (no terminating NUL). */
#define MW_BASE64_ENCODED_LEN(n)	(((n) + 2) / 3 * 4)
/* The most octets a text of n base64 characters decodes to. */
#define MW_BASE64_DECODED_MAX(n)	((n) / 4 * 3)

/*
 * Encodes s[0..n) into out (cap octets). *outlen is the encoded length.
 * Returns MW_ERR_OK, MW_ERR_NOSPACE if cap < MW_BASE64_ENCODED_LEN(n)
 * (nothing is written then), MW_ERR_INVAL for NULL pointers.
 */
mw_err	mw_base64_encode(const unsigned char *s, size_t n, unsigned char *out,
	    size_t cap, size_t *outlen);

/*
 * Decodes the base64 text s[0..n) into out (cap octets). The empty text
 * decodes to nothing (RFC 4954's base64 rule has no empty form; SMTP
 * writes an empty response as an empty line or "="). *outlen is the
 * decoded length; *ctl is set non-zero if a decoded octet is a control
 * character (0x00-0x1F, 0x7F), for callers that expect text.
 * Returns MW_ERR_OK, MW_ERR_SYNTAX if s is not canonical base64,
 * MW_ERR_NOSPACE if cap is too small, MW_ERR_INVAL for NULL pointers.
 */
mw_err	mw_base64_decode(const unsigned char *s, size_t n, unsigned char *out,
	    size_t cap, size_t *outlen, int *ctl);

#endif
