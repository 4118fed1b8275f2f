/* src/esc_int.h: what the reply parser shares with src/esc.rl. */
#ifndef MW_ESC_INT_H
#define MW_ESC_INT_H

#include <stddef.h>

/* A field s[0..e - s) of 1 to 3 digits (the grammar's bound) into *v; 0
 * for a leading zero (RFC 3463 2: "without leading zero digits") or a
 * NULL or empty span. Inline: the reply parser calls it twice a reply. */
static inline int
mw__esc_field(const unsigned char *s, const unsigned char *e,
    unsigned short *v)
{
	unsigned n = 0;

	if (s == NULL || e == NULL || e <= s || (e - s > 1 && *s == '0'))
		return 0;
	for (; s < e; s++)
		n = n * 10 + (unsigned)(*s - '0');
	*v = (unsigned short)n;
	return 1;
}

#endif
