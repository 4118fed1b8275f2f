/*
 * mailwire/esc.h: enhanced mail system status codes (RFC 3463, used in
 * replies by RFC 2034), such as 5.1.1. The syntax is the machine generated
 * from grammar/rfc3463.abnf; the rule that RFC 3463 section 2 states only
 * in prose (no leading zero digits) is checked on the captured fields.
 */
#ifndef MAILWIRE_ESC_H
#define MAILWIRE_ESC_H

#include <stddef.h>

#include <mailwire/error.h>

/* "c.sss.ddd" plus NUL */
#define MW_ESC_MAX	10

struct mw_esc {
	unsigned char	klass;		/* 2 (success), 4 (transient), 5 (permanent) */
	unsigned short	subject;	/* 0-999 */
	unsigned short	detail;		/* 0-999 */
};

/*
 * Parses s[0..len), which must be exactly one status-code.
 * Returns MW_ERR_OK and fills *esc, MW_ERR_SYNTAX if s is not a status
 * code of RFC 3463 section 2 (a class other than 2, 4, 5, a field of more
 * than three digits or with a leading zero, anything before or after), or
 * MW_ERR_INVAL if s or esc is NULL. *esc is untouched on error.
 */
mw_err	mw_esc_parse(const char *s, size_t len, struct mw_esc *esc);

/*
 * Writes esc as "c.s.d" and a NUL into buf (MW_ESC_MAX bytes suffice).
 * Returns the length without the NUL, or 0 if esc is not a valid status
 * code or buf is too small.
 */
size_t	mw_esc_format(const struct mw_esc *esc, char *buf, size_t len);

#endif
