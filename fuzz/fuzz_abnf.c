/*
 * fuzz/fuzz_abnf.c: the generator's ABNF front end (lexer, parser, checks)
 * and, for grammars that pass, its emitters. The input is up to three
 * grammar files separated by a line "%%", so @profile, `=/` across files
 * and placeholders are reached. Properties beyond "no crash, no leak":
 * every sentence generated from a checked grammar is deterministic for its
 * seed, and emitting twice gives the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abnf.h"

#define SENTENCE_CAP 4096

static size_t
emit(struct mwg_grammar *g, char **buf)
{
	size_t len = 0;
	FILE *fp = open_memstream(buf, &len);

	if (fp == NULL)
		abort();
	mwg_emit_acceptor(g, fp);
	fclose(fp);
	return len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char a[SENTENCE_CAP], b[SENTENCE_CAP];
	struct mwg_grammar *g = mwg_new(NULL);
	const char *p = (const char *)data, *end = p + size;
	char name[32];
	int nfile = 0;

	while (p <= end && nfile < 3) {
		const char *sep = NULL;

		for (const char *q = p; q + 4 <= end; q++)
			if (memcmp(q, "\n%%\n", 4) == 0) {
				sep = q;
				break;
			}
		snprintf(name, sizeof(name), "f%d.abnf", nfile++);
		mwg_add_text(g, name, p, (size_t)((sep ? sep + 1 : end) - p));
		if (sep == NULL)
			break;
		p = sep + 4;
	}
	if (g->nerrors == 0 && mwg_check(g) == 0) {
		char *e1 = NULL, *e2 = NULL;
		size_t l1, l2;

		for (size_t i = 0; i < g->nrules && i < 64; i++) {
			struct mwg_rule *r = g->rules[i];

			for (int prof = -1; prof < g->nprofiles; prof++) {
				struct mwg_rng r1, r2;
				size_t n1, n2;

				if (r->profile >= 0 && r->profile != prof)
					continue;
				mwg_rng_seed(&r1, i);
				mwg_rng_seed(&r2, i);
				n1 = mwg_sentence(g, r, prof, &r1, 6, a, sizeof(a));
				n2 = mwg_sentence(g, r, prof, &r2, 6, b, sizeof(b));
				if (n1 != n2 || (n1 != (size_t)-1 && memcmp(a, b, n1)))
					abort();	/* a seed must give one sentence */
			}
		}
		l1 = emit(g, &e1);
		l2 = emit(g, &e2);
		if (l1 != l2 || memcmp(e1, e2, l1) != 0)
			abort();		/* emission must be reproducible */
		free(e1);
		free(e2);
	}
	mwg_free(g);
	return 0;
}
