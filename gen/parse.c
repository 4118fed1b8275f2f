/*
 * gen/parse.c: recursive-descent parser for RFC 5234 ABNF (section 4) with
 * RFC 7405 case-sensitive strings, plus the mailwire directives written as
 * comments at column 1 (see grammar/README.md).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abnf.h"

struct parser {
	struct mwg_grammar	*g;
	struct mwg_lexer	 lx;
	struct mwg_token	 t;
	int			 file;
	int			 failed;	/* this rule had an error */
	int			 depth;
	int			 rfc;		/* current @rfc directive */
	const char		*section;
	int			 addition;
	int			 leniency;	/* current @leniency, or -1 */
	int			 erratum;	/* current @erratum, or 0 */
};

static void
advance(struct parser *p)
{
	for (;;) {
		mwg_lex_next(&p->lx, &p->t);
		if (p->t.kind != T_COMMENT)
			break;
	}
}

static void
fail(struct parser *p, struct mwg_loc loc, const char *msg)
{
	if (!p->failed)
		mwg_error(p->g, loc, "%s", msg);
	p->failed = 1;
}

static struct mwg_node *
node(struct parser *p, enum mwg_nkind kind, struct mwg_loc loc)
{
	struct mwg_node *n = mwg_alloc(p->g, sizeof(*n));

	n->kind = kind;
	n->loc = loc;
	return n;
}

static void
addkid(struct parser *p, struct mwg_node *n, struct mwg_node *kid, size_t *cap)
{
	if (n->nkids == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct mwg_node **k = mwg_alloc(p->g, ncap * sizeof(*k));

		if (n->nkids)
			memcpy(k, n->kids, n->nkids * sizeof(*k));
		n->kids = k;
		*cap = ncap;
	}
	n->kids[n->nkids++] = kid;
}

/* Decimal number from s[0..n); -1 if larger than MWG_MAX_REPEAT. */
static long
repnum(const char *s, size_t n)
{
	long v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > MWG_MAX_REPEAT)
			return -1;
	}
	return v;
}

static int
digitval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return (tolower(c) - 'a') + 10;
}

/* Parses the numbers of a %b/%d/%x value; returns 0 on overflow. */
static int
numval(struct parser *p, struct mwg_node *n)
{
	const char *s = p->t.s + 2, *e = p->t.s + p->t.n;
	int base = tolower((unsigned char)p->t.s[1]) == 'b' ? 2 :
	    tolower((unsigned char)p->t.s[1]) == 'd' ? 10 : 16;
	unsigned long vals[256];
	size_t nv = 0;
	char sep = 0;

	while (s < e) {
		unsigned long v = 0;

		while (s < e && *s != '.' && *s != '-') {
			v = v * (unsigned long)base + (unsigned long)digitval(*s++);
			if (v > 0x7fffffffUL)
				return 0;
		}
		if (nv == sizeof(vals) / sizeof(vals[0]))
			return 0;
		vals[nv++] = v;
		if (s < e)
			sep = *s++;
	}
	if (sep == '-') {
		n->kind = N_RANGE;
		n->lo = vals[0];
		n->hi = vals[1];
	} else if (nv == 1) {
		n->kind = N_RANGE;
		n->lo = n->hi = vals[0];
	} else {
		n->kind = N_SEQ;
		n->vals = mwg_alloc(p->g, nv * sizeof(*n->vals));
		memcpy(n->vals, vals, nv * sizeof(*n->vals));
		n->nvals = nv;
	}
	return 1;
}

static struct mwg_node *alternation(struct parser *);

static struct mwg_node *
group(struct parser *p, enum mwg_tok close, const char *what)
{
	struct mwg_loc open = p->t.loc;
	struct mwg_node *n;

	if (++p->depth > MWG_MAX_DEPTH) {
		fail(p, open, "groups and options are nested too deeply");
		return NULL;
	}
	advance(p);
	n = alternation(p);
	p->depth--;
	if (n == NULL)
		return NULL;
	if (p->t.kind != close) {
		char msg[80];

		snprintf(msg, sizeof(msg), "expected '%s' to close the %s",
		    close == T_RPAREN ? ")" : "]", what);
		fail(p, p->t.loc, msg);
		return NULL;
	}
	advance(p);
	return n;
}

static struct mwg_node *
element(struct parser *p)
{
	struct mwg_token t = p->t;
	struct mwg_node *n, *opt;

	switch (t.kind) {
	case T_RULENAME:
		n = node(p, N_REF, t.loc);
		n->text = mwg_strndup(p->g, t.s, t.n);
		n->len = t.n;
		advance(p);
		return n;
	case T_LPAREN:
		return group(p, T_RPAREN, "group");
	case T_LBRACK:
		if ((n = group(p, T_RBRACK, "option")) == NULL)
			return NULL;
		opt = node(p, N_REP, t.loc);
		opt->min = 0;
		opt->max = 1;
		opt->kids = mwg_alloc(p->g, sizeof(*opt->kids));
		opt->kids[0] = n;
		opt->nkids = 1;
		return opt;
	case T_CHARVAL:
		n = node(p, N_CHAR, t.loc);
		/* RFC 5234 2.3: case-insensitive unless %s (RFC 7405) */
		n->ci = 1;
		if (t.s[0] == '%') {
			n->ci = t.s[1] == 'i' || t.s[1] == 'I';
			t.s += 2;
			t.n -= 2;
		}
		n->text = mwg_strndup(p->g, t.s + 1, t.n - 2);
		n->len = t.n - 2;
		advance(p);
		return n;
	case T_NUMVAL:
		n = node(p, N_RANGE, t.loc);
		if (!numval(p, n)) {
			fail(p, t.loc, "numeric value too large");
			return NULL;
		}
		if (n->kind == N_RANGE && n->lo > n->hi) {
			fail(p, t.loc, "range runs backwards");
			return NULL;
		}
		advance(p);
		return n;
	case T_PROSE:
		n = node(p, N_PROSE, t.loc);
		n->text = mwg_strndup(p->g, t.s + 1, t.n - 2);
		n->len = t.n - 2;
		advance(p);
		return n;
	case T_ERROR:
		fail(p, t.loc, t.msg);
		return NULL;
	case T_OLDDEF:
		fail(p, t.loc, "'::=' is not ABNF; write '='");
		return NULL;
	case T_END:
	case T_EOF:
		fail(p, t.loc, "expected an element, found the end of the rule");
		return NULL;
	default:
		fail(p, t.loc, "expected an element (rule name, group, option, "
		    "string, numeric or prose value)");
		return NULL;
	}
}

static struct mwg_node *
repetition(struct parser *p)
{
	struct mwg_node *n, *e;
	struct mwg_token t = p->t;
	const char *star;
	long min = 1, max = 1;

	if (t.kind != T_REPEAT)
		return element(p);
	star = memchr(t.s, '*', t.n);
	if (star == NULL) {
		min = max = repnum(t.s, t.n);
	} else {
		min = star > t.s ? repnum(t.s, (size_t)(star - t.s)) : 0;
		max = star + 1 < t.s + t.n ?
		    repnum(star + 1, (size_t)(t.s + t.n - star - 1)) : -2;
	}
	if (min < 0 || max == -1) {
		fail(p, t.loc, "repeat count too large");
		return NULL;
	}
	if (max == -2)
		max = -1;
	if (max >= 0 && min > max) {
		fail(p, t.loc, "repeat minimum is larger than its maximum");
		return NULL;
	}
	if (max == 0) {
		fail(p, t.loc, "a repeat of at most 0 matches nothing");
		return NULL;
	}
	advance(p);
	if (p->t.ws_before) {
		fail(p, p->t.loc, "a repeat must be followed directly by its element");
		return NULL;
	}
	if ((e = element(p)) == NULL)
		return NULL;
	n = node(p, N_REP, t.loc);
	n->min = (int)min;
	n->max = (int)max;
	n->kids = mwg_alloc(p->g, sizeof(*n->kids));
	n->kids[0] = e;
	n->nkids = 1;
	return n;
}

static int
starts_element(enum mwg_tok k)
{
	return k == T_RULENAME || k == T_LPAREN || k == T_LBRACK ||
	    k == T_CHARVAL || k == T_NUMVAL || k == T_PROSE || k == T_REPEAT ||
	    k == T_ERROR;
}

static struct mwg_node *
concatenation(struct parser *p)
{
	struct mwg_node *n, *r;
	size_t cap = 0;

	n = node(p, N_CAT, p->t.loc);
	for (;;) {
		if ((r = repetition(p)) == NULL)
			return NULL;
		addkid(p, n, r, &cap);
		if (!starts_element(p->t.kind))
			break;
		if (!p->t.ws_before && p->t.kind != T_ERROR) {
			fail(p, p->t.loc, "elements of a concatenation must be "
			    "separated by white space");
			return NULL;
		}
	}
	return n->nkids == 1 ? n->kids[0] : n;
}

static struct mwg_node *
alternation(struct parser *p)
{
	struct mwg_node *n, *c;
	size_t cap = 0;

	n = node(p, N_ALT, p->t.loc);
	for (;;) {
		if ((c = concatenation(p)) == NULL)
			return NULL;
		addkid(p, n, c, &cap);
		if (p->t.kind != T_SLASH)
			break;
		advance(p);
	}
	return n;
}

/* Skips to the start of the next rule after an error. */
static void
recover(struct parser *p)
{
	while (p->t.kind != T_END && p->t.kind != T_EOF)
		advance(p);
}

static int
is_directive(const struct mwg_token *t, const char *word, const char **rest)
{
	const char *s = t->s + 1, *e = t->s + t->n;
	size_t wl = strlen(word);

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	if ((size_t)(e - s) < wl || memcmp(s, word, wl) != 0)
		return 0;
	s += wl;
	if (s < e && *s != ' ' && *s != '\t')
		return 0;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	*rest = s;
	return 1;
}

/* The one name after a directive: a letter, then letters, digits and
 * `extra`; NULL (and an error) for anything else. */
static char *
directive_name(struct parser *p, const char *s, const char *e, char extra,
    const char *what)
{
	const char *n = s;

	while (n < e && (isalnum((unsigned char)*n) || *n == extra))
		n++;
	if (n == s || n != e || !isalpha((unsigned char)*s)) {
		mwg_error(p->g, p->t.loc, "%s wants one name of letters, digits "
		    "and '%c'", what, extra);
		return NULL;
	}
	return mwg_strndup(p->g, s, (size_t)(n - s));
}

static void
directive(struct parser *p)
{
	const struct mwg_token *t = &p->t;
	struct mwg_file *f = &p->g->files[p->file];
	const char *rest, *e = t->s + t->n;
	char *end;

	if (is_directive(t, "@rfc", &rest)) {
		long n;
		const char *sec;

		errno = 0;
		n = strtol(rest, &end, 10);
		if (errno || end == rest || n <= 0 || n > 99999 ||
		    (end < e && *end != ' ')) {
			mwg_error(p->g, t->loc, "@rfc wants an RFC number and a section");
			return;
		}
		sec = end;
		while (sec < e && *sec == ' ')
			sec++;
		if (sec == e) {
			mwg_error(p->g, t->loc, "@rfc %ld wants a section", n);
			return;
		}
		end = (char *)sec;
		while (end < e && *end != ' ' && *end != '\t')
			end++;
		p->rfc = (int)n;
		p->section = mwg_strndup(p->g, sec, (size_t)(end - sec));
		p->addition = 0;
		p->leniency = -1;
		p->erratum = 0;
	} else if (is_directive(t, "@erratum", &rest)) {
		long n;

		errno = 0;
		n = strtol(rest, &end, 10);
		if (errno || end == rest || n <= 0 || end != e || p->rfc == 0) {
			mwg_error(p->g, t->loc, "@erratum wants an erratum number, "
			    "after an @rfc");
			return;
		}
		p->erratum = (int)n;
	} else if (is_directive(t, "@mailwire", &rest)) {
		if ((size_t)(e - rest) < 9 || memcmp(rest, "additions", 9) != 0) {
			mwg_error(p->g, t->loc, "write '@mailwire additions'");
			return;
		}
		p->rfc = 0;
		p->section = NULL;
		p->addition = 1;
		p->leniency = -1;
		p->erratum = 0;
	} else if (is_directive(t, "@leniency", &rest)) {
		char *name = directive_name(p, rest, e, '-', "@leniency");
		int i;

		if (name == NULL)
			return;
		if ((i = mwg_leniency_index(p->g, name)) < 0) {
			if (p->g->nleniencies == MWG_MAX_LENIENCIES) {
				mwg_error(p->g, t->loc, "more than %d leniencies",
				    MWG_MAX_LENIENCIES);
				return;
			}
			i = p->g->nleniencies;
			p->g->leniencies[p->g->nleniencies++] = name;
		}
		p->rfc = 0;
		p->section = NULL;
		p->addition = 1;
		p->leniency = i;
	} else if (is_directive(t, "@library", &rest)) {
		f->library = 1;
	} else if (is_directive(t, "@namespace", &rest)) {
		char *name = directive_name(p, rest, e, '-', "@namespace");

		if (name == NULL)
			return;
		if (f->ns != NULL || f->profile >= 0) {
			mwg_error(p->g, t->loc, "a file has one @namespace and "
			    "no @profile with it");
			return;
		}
		f->ns = name;
	} else if (is_directive(t, "@profile", &rest)) {
		char *name = directive_name(p, rest, e, '_', "@profile");

		if (name == NULL)
			return;
		if (f->profile >= 0 || f->ns != NULL) {
			mwg_error(p->g, t->loc, "a file has one @profile and "
			    "no @namespace with it");
			return;
		}
		if (p->g->nprofiles == MWG_MAX_PROFILES) {
			mwg_error(p->g, t->loc, "more than %d profiles",
			    MWG_MAX_PROFILES);
			return;
		}
		f->profile = mwg_profile_index(p->g, name);
	} else {
		const char *s = t->s + 1;

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s < e && *s == '@')
			mwg_error(p->g, t->loc, "unknown directive");
	}
}

static void
add_def(struct mwg_grammar *g, struct mwg_def *d)
{
	if (g->ndefs == g->capdefs) {
		size_t ncap = g->capdefs ? g->capdefs * 2 : 64;
		struct mwg_def **nd = mwg_alloc(g, ncap * sizeof(*nd));

		if (g->ndefs)
			memcpy(nd, g->defs, g->ndefs * sizeof(*nd));
		g->defs = nd;
		g->capdefs = ncap;
	}
	g->defs[g->ndefs++] = d;
}

static void
rule(struct parser *p)
{
	struct mwg_token name = p->t;
	struct mwg_def *d;
	struct mwg_node *alt;

	p->failed = 0;
	advance(p);
	if (p->t.kind != T_DEFAS && p->t.kind != T_INCAS) {
		fail(p, p->t.kind == T_ERROR ? p->t.loc : p->t.loc,
		    p->t.kind == T_OLDDEF ? "'::=' is not ABNF; write '='" :
		    p->t.kind == T_ERROR ? p->t.msg :
		    "expected '=' or '=/' after the rule name");
		recover(p);
		return;
	}
	d = mwg_alloc(p->g, sizeof(*d));
	d->name = mwg_strndup(p->g, name.s, name.n);
	d->local = d->name;
	d->loc = name.loc;
	d->incremental = p->t.kind == T_INCAS;
	d->rfc = p->rfc;
	d->section = p->section;
	d->addition = p->addition;
	d->leniency = p->leniency;
	d->erratum = p->erratum;
	d->text = name.s;
	advance(p);
	p->depth = 0;
	alt = alternation(p);
	if (alt != NULL && p->t.kind != T_END && p->t.kind != T_EOF) {
		if (p->t.kind == T_RPAREN || p->t.kind == T_RBRACK)
			fail(p, p->t.loc, "unbalanced closing bracket");
		else if (p->t.kind == T_ERROR)
			fail(p, p->t.loc, p->t.msg);
		else if (p->t.kind == T_DEFAS || p->t.kind == T_INCAS)
			fail(p, p->t.loc, "unexpected '='; a new rule must start "
			    "at column 1");
		else
			fail(p, p->t.loc, "unexpected token at the end of the rule");
	}
	if (p->failed || alt == NULL) {
		recover(p);
		return;
	}
	d->textlen = (size_t)(p->t.s - d->text);
	if (d->leniency >= 0) {
		/* a leniency only adds alternatives, each behind its flag */
		if (!d->incremental) {
			mwg_error(p->g, d->loc, "a @leniency rule adds alternatives "
			    "to an existing rule: write '=/'");
			return;
		}
		for (size_t i = 0; i < alt->nkids; i++) {
			struct mwg_node *w = node(p, N_WHEN, alt->kids[i]->loc);

			w->lo = (unsigned long)d->leniency;
			w->kids = mwg_alloc(p->g, sizeof(*w->kids));
			w->kids[0] = alt->kids[i];
			w->nkids = 1;
			alt->kids[i] = w;
		}
	}
	d->alt = alt;
	d->prose_only = alt->nkids == 1 && alt->kids[0]->kind == N_PROSE;
	add_def(p->g, d);
}

int
mwg_parse_file(struct mwg_grammar *g, int file)
{
	struct mwg_file *f = &g->files[file];
	struct parser p;
	int before = g->nerrors;

	memset(&p, 0, sizeof(p));
	p.g = g;
	p.file = file;
	p.leniency = -1;
	mwg_lex_init(&p.lx, file, f->text, f->len);
	p.lx.keep_comments = 1;
	for (;;) {
		mwg_lex_next(&p.lx, &p.t);
		switch (p.t.kind) {
		case T_EOF:
			return g->nerrors == before ? 0 : -1;
		case T_END:
			continue;
		case T_COMMENT:
			if (p.t.loc.col == 1)
				directive(&p);
			continue;
		case T_RULENAME:
			if (p.t.loc.col != 1 || p.t.ws_before) {
				mwg_error(g, p.t.loc, "a rule must start at column 1");
				p.t.kind = T_ERROR;
				recover(&p);
				continue;
			}
			p.lx.keep_comments = 0;
			rule(&p);
			p.lx.keep_comments = 1;
			continue;
		case T_ERROR:
			mwg_error(g, p.t.loc, "%s", p.t.msg);
			recover(&p);
			continue;
		default:
			mwg_error(g, p.t.loc, "expected a rule name at column 1");
			recover(&p);
			continue;
		}
	}
}
