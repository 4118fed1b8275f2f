/* src/esc_int.h: what the reply parser shares with src/esc.rl. */
#ifndef MW_ESC_INT_H
#define MW_ESC_INT_H

/* A field s[0..e - s) of 1 to 3 digits (the grammar's bound) into *v; 0
 * for a leading zero (RFC 3463 2: "without leading zero digits") or a
 * NULL or empty span. */
int	mw__esc_field(const unsigned char *s, const unsigned char *e,
	    unsigned short *v);

#endif
