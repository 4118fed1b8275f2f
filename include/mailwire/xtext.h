/*
 * mailwire/xtext.h: xtext (RFC 3461 4), the encoding of the AUTH=, ENVID=
 * and ORCPT= parameter values. The syntax is the machine generated from
 * grammar/rfc3461.abnf (hexchar takes upper-case hex digits only, as RFC
 * 3461 4 says).
 */
#ifndef MAILWIRE_XTEXT_H
#define MAILWIRE_XTEXT_H

#include <stddef.h>

#include <mailwire/error.h>

/*
 * Decodes the xtext s[0..n) into out (cap bytes; n bytes always suffice).
 * *outlen is the decoded length; *ctl is set non-zero if a decoded byte is
 * a control character (0x00-0x1F, 0x7F) or not ASCII, which a caller must
 * not pass on silently (RFC 3461 4: xtext carries printable text).
 * Returns MW_ERR_OK, MW_ERR_SYNTAX if s is not xtext, MW_ERR_NOSPACE if
 * cap is too small, MW_ERR_INVAL for NULL pointers.
 */
mw_err	mw_xtext_decode(const unsigned char *s, size_t n, unsigned char *out,
	    size_t cap, size_t *outlen, int *ctl);

/* The most octets the xtext encoding of n octets takes. */
#define MW_XTEXT_ENCODED_MAX(n)	((n) * 3)

/*
 * Encodes s[0..n) as xtext into out (cap octets): "+", "=", and every
 * octet outside %x21-7E become "+XX" with upper-case hex digits (RFC 3461
 * 4). *outlen is the encoded length. Returns MW_ERR_OK, MW_ERR_NOSPACE if
 * cap is too small (nothing is written then), MW_ERR_INVAL for NULL
 * pointers.
 */
mw_err	mw_xtext_encode(const unsigned char *s, size_t n, unsigned char *out,
	    size_t cap, size_t *outlen);

#endif
