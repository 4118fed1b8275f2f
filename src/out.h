/* src/out.h: the bounded writer the core's line and message builders
 * share (SASL, the client's commands, the server's replies). */
#ifndef MW_OUT_H
#define MW_OUT_H

#include <stddef.h>
#include <stdint.h>

/* An output buffer that counts what does not fit: after the puts, len is
 * what the whole would take, and len > cap means it did not fit (nothing
 * is written past cap). */
struct mw__out {
	unsigned char	*p;
	size_t		 cap, len;
};

void	mw__put(struct mw__out *o, const void *s, size_t n);
/* s NUL-terminated; NULL puts nothing */
void	mw__put_str(struct mw__out *o, const char *s);
/* v in decimal */
void	mw__put_u64(struct mw__out *o, uint64_t v);

#endif
