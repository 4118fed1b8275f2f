/*
 * gen/sentence.c: random sentences of a rule (seedable, depth-bounded) and
 * the libFuzzer dictionary of a start rule's terminals.
 */
#include <ctype.h>
#include <string.h>

#include "abnf.h"

#define EXTRA_REPS 3	/* repetitions beyond the minimum, at most */
#define MAX_STEPS 4000000	/* nested repeats of empty strings end here */

void
mwg_rng_seed(struct mwg_rng *r, uint64_t seed)
{
	r->s = seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
	if (r->s == 0)
		r->s = 1;
}

/* xorshift64*: the same sequence on every platform */
uint64_t
mwg_rng_next(struct mwg_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

static uint64_t
below(struct mwg_rng *r, uint64_t n)
{
	return n ? mwg_rng_next(r) % n : 0;
}

struct gen {
	struct mwg_grammar	*g;
	struct mwg_rng		*rng;
	int			 profile;
	int			 maxdepth;
	unsigned char		*buf;
	size_t			 len, cap;
	unsigned long		 steps;
	int			 overflow;
};

/* Shortest sentence length of n, so that deep sentences can end. */
static unsigned long minlen_rule(struct mwg_grammar *, struct mwg_rule *, int);

static unsigned long
minlen(struct mwg_grammar *g, struct mwg_node *n, int p)
{
	unsigned long m = 0, best = (unsigned long)-1;

	switch (n->kind) {
	case N_ALT:
		for (size_t i = 0; i < n->nkids; i++) {
			m = minlen(g, n->kids[i], p);
			best = m < best ? m : best;
		}
		return best;
	case N_CAT:
		for (size_t i = 0; i < n->nkids; i++)
			m += minlen(g, n->kids[i], p);
		return m;
	case N_REP:
		return (unsigned long)n->min * minlen(g, n->kids[0], p);
	case N_REF: {
		struct mwg_rule *r = mwg_lookup(g, n->text, n->len, p);

		return r ? minlen_rule(g, r, p) : 0;
	}
	case N_CHAR:
		return n->len;
	case N_RANGE:
		return 1;
	case N_SEQ:
		return n->nvals;
	case N_WHEN:
		if (!(g->lenient_mask >> n->lo & 1))
			return (unsigned long)-1 / 4;	/* not to be taken */
		return minlen(g, n->kids[0], p);
	default:
		return 0;
	}
}

static unsigned long
minlen_rule(struct mwg_grammar *g, struct mwg_rule *r, int p)
{
	struct mwg_node **alts;
	unsigned long best = (unsigned long)-1;
	size_t n;

	if (r->minlen[p + 1] >= 0)
		return (unsigned long)r->minlen[p + 1];
	r->minlen[p + 1] = 0;	/* guard; the checks forbid recursion */
	alts = mwg_alts_ref(g, r, p, &n);
	for (size_t i = 0; i < n; i++) {
		unsigned long m = minlen(g, alts[i], p);

		best = m < best ? m : best;
	}
	r->minlen[p + 1] = n ? (long)best : 0;
	return (unsigned long)r->minlen[p + 1];
}

static void
put(struct gen *s, unsigned c)
{
	if (s->len == s->cap) {
		s->overflow = 1;
		return;
	}
	s->buf[s->len++] = (unsigned char)c;
}

static void gen_node(struct gen *, struct mwg_node *, int);

/* A leniency's alternative is taken only while that leniency is on. */
static int
enabled(const struct gen *s, const struct mwg_node *n)
{
	return n->kind != N_WHEN || (s->g->lenient_mask >> n->lo & 1);
}

static void
gen_alts(struct gen *s, struct mwg_node **alts, size_t n, int depth)
{
	size_t pick = 0, on = 0;

	for (size_t i = 0; i < n; i++)
		on += enabled(s, alts[i]);
	if (on == 0)
		return;
	if (depth > s->maxdepth) {
		unsigned long best = (unsigned long)-1;

		for (size_t i = 0; i < n; i++) {
			unsigned long m = minlen(s->g, alts[i], s->profile);

			if (enabled(s, alts[i]) && m < best) {
				best = m;
				pick = i;
			}
		}
	} else {
		size_t k = (size_t)below(s->rng, on);

		for (pick = 0; pick < n; pick++)
			if (enabled(s, alts[pick]) && k-- == 0)
				break;
	}
	gen_node(s, alts[pick], depth);
}

static void
gen_node(struct gen *s, struct mwg_node *n, int depth)
{
	struct mwg_node **alts;
	uint64_t count;

	if (s->overflow)
		return;
	if (++s->steps > MAX_STEPS) {
		s->overflow = 1;
		return;
	}
	switch (n->kind) {
	case N_ALT:
		gen_alts(s, n->kids, n->nkids, depth);
		break;
	case N_CAT:
		for (size_t i = 0; i < n->nkids; i++)
			gen_node(s, n->kids[i], depth);
		break;
	case N_REP:
		count = (uint64_t)n->min;
		if (depth <= s->maxdepth) {
			uint64_t room = n->max < 0 ? EXTRA_REPS :
			    (uint64_t)(n->max - n->min);

			count += below(s->rng, (room < EXTRA_REPS ? room :
			    EXTRA_REPS) + 1);
		}
		for (uint64_t i = 0; i < count && !s->overflow; i++)
			gen_node(s, n->kids[0], depth + 1);
		break;
	case N_REF: {
		struct mwg_rule *r = mwg_lookup(s->g, n->text, n->len, s->profile);
		size_t k;

		if (r == NULL)
			break;
		alts = mwg_alts_ref(s->g, r, s->profile, &k);
		gen_alts(s, alts, k, depth + 1);
		break;
	}
	case N_CHAR:
		for (size_t i = 0; i < n->len; i++) {
			int c = (unsigned char)n->text[i];

			/* RFC 5234 2.3: any case must be accepted */
			if (n->ci && isalpha(c) && below(s->rng, 2))
				c = islower(c) ? toupper(c) : tolower(c);
			put(s, (unsigned)c);
		}
		break;
	case N_RANGE:
		put(s, (unsigned)(n->lo + below(s->rng, n->hi - n->lo + 1)));
		break;
	case N_SEQ:
		for (size_t i = 0; i < n->nvals; i++)
			put(s, (unsigned)n->vals[i]);
		break;
	case N_WHEN:
		gen_node(s, n->kids[0], depth);
		break;
	case N_PROSE:
		break;
	}
}

size_t
mwg_sentence(struct mwg_grammar *g, struct mwg_rule *r, int profile,
    struct mwg_rng *rng, int maxdepth, unsigned char *buf, size_t cap)
{
	struct mwg_node **alts;
	struct gen s;
	size_t n;

	memset(&s, 0, sizeof(s));
	s.g = g;
	s.rng = rng;
	s.profile = profile;
	s.maxdepth = maxdepth;
	s.buf = buf;
	s.cap = cap;
	alts = mwg_alts_ref(g, r, profile, &n);
	gen_alts(&s, alts, n, 0);
	return s.overflow ? (size_t)-1 : s.len;
}

/* Dictionary entries: strings and numeric sequences, each once. */
struct dict {
	struct mwg_grammar	*g;
	int			 profile;
	FILE			*out;
	const char		*seen[4096];
	size_t			 seenlen[4096];
	size_t			 nseen;
};

static void
entry(struct dict *d, const unsigned char *s, size_t n)
{
	char *copy;

	if (n == 0)
		return;
	for (size_t i = 0; i < d->nseen; i++)
		if (d->seenlen[i] == n && memcmp(d->seen[i], s, n) == 0)
			return;
	if (d->nseen == sizeof(d->seen) / sizeof(d->seen[0]))
		return;
	copy = mwg_strndup(d->g, (const char *)s, n);
	d->seen[d->nseen] = copy;
	d->seenlen[d->nseen++] = n;
	fputc('"', d->out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fprintf(d->out, "\\%c", s[i]);
		else if (s[i] >= 0x20 && s[i] < 0x7f)
			fputc(s[i], d->out);
		else
			fprintf(d->out, "\\x%02X", s[i]);
	}
	fputs("\"\n", d->out);
}

static void
dict_node(struct mwg_node *n, void *arg)
{
	struct dict *d = arg;
	unsigned char b[256];

	switch (n->kind) {
	case N_CHAR:
		entry(d, (const unsigned char *)n->text, n->len);
		break;
	case N_SEQ:
		for (size_t i = 0; i < n->nvals && i < sizeof(b); i++)
			b[i] = (unsigned char)n->vals[i];
		entry(d, b, n->nvals < sizeof(b) ? n->nvals : sizeof(b));
		break;
	case N_RANGE:
		if (n->lo == n->hi) {
			b[0] = (unsigned char)n->lo;
			entry(d, b, 1);
		}
		break;
	default:
		break;
	}
}

int
mwg_emit_dict(struct mwg_grammar *g, struct mwg_rule **starts, size_t n,
    int profile, FILE *out)
{
	static struct dict d;

	memset(&d, 0, sizeof(d));
	d.g = g;
	d.profile = profile;
	d.out = out;
	fputs("# Generated by mwgen: the terminals of the start rules.\n", out);
	for (size_t i = 0; i < n; i++)
		mwg_visit(g, starts[i], profile, dict_node, &d);
	return 0;
}
