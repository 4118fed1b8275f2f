/*
 * gen/accept.h: the table that `mwgen acceptor` emits: one whole-input
 * acceptor per start rule and per profile variant of it. Tests and the
 * demo use it; the library never does.
 */
#ifndef MWGEN_ACCEPT_H
#define MWGEN_ACCEPT_H

#include <stddef.h>

struct mwg_acceptor {
	const char	*rule;
	const char	*profile;	/* NULL: the base grammar */
	int		(*accept)(const unsigned char *, size_t);
};

extern const struct mwg_acceptor mwg_acceptors[];
/* Bit i: leniency i of the grammar is on (MW_LENIENT in the machines). */
extern unsigned mwg_lenient_mask;

#endif
