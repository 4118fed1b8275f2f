/*
 * gen/rfccheck.c: checks that each rule claiming to come from an RFC
 * (`; @rfc NNNN SECTION`) is the rule that RFC's text holds in that section,
 * token for token, layout and comments aside. Pre-ABNF RFCs write `::=`,
 * which counts as `=`. The RFC texts are read from a directory (the plain
 * text files of the RFC Editor, page breaks included); a rule whose RFC is
 * absent is reported as skipped, by name.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "abnf.h"

struct rfcline {
	const char	*s;
	size_t		 n;
	int		 lineno;	/* in the RFC file */
	int		 indent;
	char		 heading[32];	/* section number if a heading */
};

struct rfctext {
	int		 number;
	int		 present;
	char		*text;
	struct rfcline	*lines;
	size_t		 nlines;
};

static int
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
is_footer(const char *s, size_t n)
{
	const char *p;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n < 8 || s[n - 1] != ']')
		return 0;
	for (p = s + n - 2; p > s && isdigit((unsigned char)*p); p--)
		;
	return p - s >= 5 && memcmp(p - 5, "[Page ", 6) == 0 &&
	    !isspace((unsigned char)s[0]);
}

/* "4.1.1.1.  Extended HELLO" -> "4.1.1.1"; "Appendix B.  x" -> "B". */
static void
heading(struct rfcline *l)
{
	const char *s = l->s, *e = l->s + l->n, *start;
	size_t k;

	l->heading[0] = '\0';
	if (l->n == 0 || isspace((unsigned char)s[0]))
		return;
	for (const char *q = s; q + 3 < e; q++)
		if (memcmp(q, "....", 4) == 0 || memcmp(q, ". . ", 4) == 0)
			return;		/* a table of contents line */
	if ((size_t)(e - s) > 9 && memcmp(s, "Appendix ", 9) == 0)
		s += 9;
	start = s;
	if (s < e && isdigit((unsigned char)*s)) {
		while (s < e && isdigit((unsigned char)*s))
			s++;
	} else if (s < e && isupper((unsigned char)*s) && s + 1 < e &&
	    (s[1] == '.' || s[1] == ' ')) {
		s++;
	} else {
		return;
	}
	while (s + 1 < e && *s == '.' && isdigit((unsigned char)s[1])) {
		s++;
		while (s < e && isdigit((unsigned char)*s))
			s++;
	}
	k = (size_t)(s - start);
	if (s < e && *s == '.')
		s++;
	if (s >= e || *s != ' ' || k == 0 || k >= sizeof(l->heading))
		return;
	while (s < e && *s == ' ')
		s++;
	if (s >= e || !(isupper((unsigned char)*s) || isdigit((unsigned char)*s)))
		return;
	memcpy(l->heading, start, k);
	l->heading[k] = '\0';
}

static void
load(struct rfctext *t, const char *dir)
{
	char path[4096];
	FILE *fp;
	size_t cap = 0, n = 0, r, nl = 0;
	char *s, *e;
	int lineno = 1, skip_blank_after = 0;

	snprintf(path, sizeof(path), "%s/rfc%d.txt", dir, t->number);
	if ((fp = fopen(path, "rb")) == NULL)
		return;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 262144;
			if ((t->text = realloc(t->text, cap)) == NULL)
				abort();
		}
		if ((r = fread(t->text + n, 1, cap - n - 1, fp)) == 0)
			break;
		n += r;
	}
	fclose(fp);
	t->text[n] = '\0';
	t->present = 1;
	for (size_t i = 0; i < n; i++)
		nl += t->text[i] == '\n';
	t->lines = calloc(nl + 2, sizeof(*t->lines));
	if (t->lines == NULL)
		abort();
	s = t->text;
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;		/* RFCXML v3 text starts with a BOM */
	for (; s < t->text + n; s = e + 1, lineno++) {
		struct rfcline *l;
		size_t len;

		e = memchr(s, '\n', (size_t)(t->text + n - s));
		if (e == NULL)
			e = t->text + n;
		len = (size_t)(e - s);
		if (len > 0 && s[len - 1] == '\r')
			len--;
		/* a page break: blank padding, footer, form feed, header, blanks */
		if (is_footer(s, len)) {
			while (t->nlines > 0 && blank(t->lines[t->nlines - 1].s,
			    t->lines[t->nlines - 1].n))
				t->nlines--;
			continue;
		}
		if (memchr(s, '\f', len) != NULL) {
			skip_blank_after = 2;	/* the header, then blank lines */
			continue;
		}
		if (skip_blank_after == 2) {
			skip_blank_after = blank(s, len) ? 2 : 1;
			if (!blank(s, len) && strncmp(s, "RFC ", 4) == 0)
				continue;
		}
		if (skip_blank_after == 1) {
			if (blank(s, len))
				continue;
			skip_blank_after = 0;
		}
		l = &t->lines[t->nlines++];
		l->s = s;
		l->n = len;
		l->lineno = lineno;
		for (l->indent = 0; (size_t)l->indent < len &&
		    s[l->indent] == ' '; l->indent++)
			;
		heading(l);
	}
}

/* [*from, *to) holds section sec and its subsections. */
static int
section(const struct rfctext *t, const char *sec, size_t *from, size_t *to)
{
	size_t i, k = strlen(sec);

	for (i = 0; i < t->nlines; i++)
		if (strcmp(t->lines[i].heading, sec) == 0)
			break;
	if (i == t->nlines)
		return 0;
	*from = i;
	for (i++; i < t->nlines; i++) {
		const char *h = t->lines[i].heading;

		if (h[0] != '\0' && !(strncmp(h, sec, k) == 0 && h[k] == '.'))
			break;
	}
	*to = i;
	return 1;
}

struct toks {
	struct mwg_token	t[4096];
	size_t			n;
};

/* Tokens of one rule as written, comments and layout aside. */
static void
tokens(const char *text, size_t len, struct toks *out)
{
	struct mwg_lexer lx;
	struct mwg_token t;

	out->n = 0;
	mwg_lex_init(&lx, 0, text, len);
	for (;;) {
		mwg_lex_next(&lx, &t);
		if (t.kind == T_EOF || t.kind == T_END)
			break;
		if (t.kind == T_OLDDEF)
			t.kind = T_DEFAS;	/* pre-ABNF RFCs */
		if (out->n < sizeof(out->t) / sizeof(out->t[0]))
			out->t[out->n++] = t;
	}
}

/* The rule starting at line i, continuation lines being indented deeper;
 * returned with its indent removed, NUL-terminated (a lexer sentinel). */
static char *
extract(const struct rfctext *t, size_t i, size_t *len)
{
	size_t cap = 0, n = 0, j;
	int ind = t->lines[i].indent;
	char *buf = NULL;

	for (j = i; j < t->nlines; j++) {
		const struct rfcline *l = &t->lines[j];

		if (j > i && (blank(l->s, l->n) || l->indent <= ind))
			break;
		if (cap - n < l->n + 2) {
			cap = (cap + l->n + 2) * 2;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		memcpy(buf + n, l->s + ind, l->n - (size_t)ind);
		n += l->n - (size_t)ind;
		buf[n++] = '\n';
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int
starts_rule(const struct rfcline *l, const char *name)
{
	size_t k = strlen(name);
	const char *s = l->s + l->indent, *e = l->s + l->n;

	if ((size_t)(e - s) <= k || strncmp(s, name, k) != 0)
		return 0;
	s += k;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	return s < e && (*s == '=' || (e - s >= 3 && memcmp(s, "::=", 3) == 0));
}

static int
same(const struct mwg_token *a, const struct mwg_token *b)
{
	if (a->kind == T_DEFAS && b->kind == T_DEFAS)
		return 1;	/* `::=` of pre-ABNF RFCs is `=` */
	return a->kind == b->kind && a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
}

/* Where a token of a rule's text stands in its grammar file. */
static struct mwg_loc
inrule(const struct mwg_def *d, const struct mwg_token *t)
{
	struct mwg_loc l = d->loc;

	if (t->loc.line == 1)
		l.col = d->loc.col + t->loc.col - 1;
	else
		l.col = t->loc.col;
	l.line = d->loc.line + t->loc.line - 1;
	return l;
}

static int
check_def(struct mwg_grammar *g, const struct mwg_def *d,
    const struct rfctext *t)
{
	static struct toks want, have;
	size_t from, to, first = (size_t)-1;
	char *text;
	size_t len;

	if (!section(t, d->section, &from, &to)) {
		mwg_error(g, d->loc, "rule %s cites RFC %d section %s, which that "
		    "RFC does not have", d->name, d->rfc, d->section);
		return -1;
	}
	tokens(d->text, d->textlen, &have);
	for (size_t i = from; i < to; i++) {
		size_t k;

		if (!starts_rule(&t->lines[i], d->local))
			continue;
		text = extract(t, i, &len);
		tokens(text, len, &want);
		for (k = 0; k < want.n && k < have.n && same(&want.t[k],
		    &have.t[k]); k++)
			;
		if (k == want.n && k == have.n) {
			free(text);
			return 0;
		}
		if (first == (size_t)-1) {
			first = i;
			/* keep the differing token's text for the message */
			if (k < want.n) {
				char tok[64];

				snprintf(tok, sizeof(tok), "%.*s", (int)(want.t[k].n <
				    60 ? want.t[k].n : 60), want.t[k].s);
				mwg_error(g, k < have.n ? inrule(d, &have.t[k]) : d->loc,
				    "rule %s differs from RFC %d %s (rfc%d.txt:%d): the "
				    "RFC has '%s' %s", d->name, d->rfc, d->section,
				    d->rfc, t->lines[i].lineno, tok, k < have.n ?
				    "here" : "after the end of this rule");
			} else {
				mwg_error(g, inrule(d, &have.t[k]), "rule %s differs from RFC "
				    "%d %s (rfc%d.txt:%d): the RFC rule ends before "
				    "this", d->name, d->rfc, d->section, d->rfc,
				    t->lines[i].lineno);
			}
		}
		free(text);
	}
	if (first == (size_t)-1)
		mwg_error(g, d->loc, "rule %s is not in RFC %d section %s",
		    d->name, d->rfc, d->section);
	return -1;
}

int
mwg_rfccheck(struct mwg_grammar *g, const char *rfcdir, int *skipped)
{
	static struct rfctext texts[64];
	size_t ntexts = 0;
	int before = g->nerrors, checked = 0;

	*skipped = 0;
	for (size_t i = 0; i < g->ndefs; i++) {
		const struct mwg_def *d = g->defs[i];
		struct rfctext *t = NULL;

		if (d->addition)
			continue;
		if (d->rfc == 0) {
			mwg_error(g, d->loc, "rule %s has no source: put it under "
			    "'; @rfc NNNN SECTION' or '; @mailwire additions'",
			    d->name);
			continue;
		}
		for (size_t k = 0; k < ntexts; k++)
			if (texts[k].number == d->rfc)
				t = &texts[k];
		if (t == NULL && ntexts < sizeof(texts) / sizeof(texts[0])) {
			t = &texts[ntexts++];
			t->number = d->rfc;
			load(t, rfcdir);
		}
		if (t == NULL || !t->present) {
			printf("skipped: rule %s: %s/rfc%d.txt is absent\n", d->name,
			    rfcdir, d->rfc);
			(*skipped)++;
			continue;
		}
		if (d->erratum) {
			/* the RFC's text is wrong here; the erratum's is not
			 * in the RFC file, so the rule is named, not compared */
			printf("erratum: rule %s: RFC %d %s as corrected by "
			    "verified erratum %d\n", d->local, d->rfc, d->section,
			    d->erratum);
			continue;
		}
		check_def(g, d, t);
		checked++;
	}
	printf("rfccheck: %d rules checked against their RFC text, %d skipped, "
	    "%d differ\n", checked, *skipped, g->nerrors - before);
	for (size_t k = 0; k < ntexts; k++) {
		free(texts[k].text);
		free(texts[k].lines);
	}
	return g->nerrors == before ? 0 : -1;
}
