/*
 * gen/grammar.c: the grammar model of mwgen: files, namespaces (the base
 * grammar and one per @profile), diagnostics, and the checks that must pass
 * before anything is emitted.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "abnf.h"

struct mwg_arena {
	struct mwg_arena	*next;
	size_t			 used, cap;
	unsigned char		 mem[];
};

struct mwg_grammar *
mwg_new(FILE *diag)
{
	struct mwg_grammar *g = calloc(1, sizeof(*g));

	if (g == NULL)
		abort();
	g->diag = diag;
	return g;
}

void
mwg_free(struct mwg_grammar *g)
{
	struct mwg_arena *a, *n;

	if (g == NULL)
		return;
	for (a = g->arena; a != NULL; a = n) {
		n = a->next;
		free(a);
	}
	free(g);
}

void *
mwg_alloc(struct mwg_grammar *g, size_t n)
{
	struct mwg_arena *a = g->arena;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (a == NULL || a->cap - a->used < n) {
		size_t cap = n > 65536 ? n : 65536;

		if ((a = malloc(sizeof(*a) + cap)) == NULL)
			abort();
		a->next = g->arena;
		a->used = 0;
		a->cap = cap;
		g->arena = a;
	}
	p = a->mem + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *
mwg_strndup(struct mwg_grammar *g, const char *s, size_t n)
{
	char *d = mwg_alloc(g, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
mwg_fmtloc(struct mwg_grammar *g, struct mwg_loc loc, char *buf, size_t n)
{
	snprintf(buf, n, "%s:%d:%d", g->files[loc.file].path, loc.line, loc.col);
	return buf;
}

/* file:line:col: kind: message, then the source line and a caret under col. */
static void
report(struct mwg_grammar *g, struct mwg_loc loc, const char *kind,
    const char *fmt, va_list ap)
{
	const struct mwg_file *f;
	const char *s, *e;
	char where[512];
	int line;

	if (g->diag == NULL)
		return;
	f = &g->files[loc.file];
	fprintf(g->diag, "%s: %s: ", mwg_fmtloc(g, loc, where, sizeof(where)),
	    kind);
	vfprintf(g->diag, fmt, ap);
	fputc('\n', g->diag);
	for (s = f->text, line = 1; line < loc.line && s < f->text + f->len; s++)
		if (*s == '\n')
			line++;
	for (e = s; e < f->text + f->len && *e != '\n' && *e != '\r'; e++)
		;
	fprintf(g->diag, "%.*s\n", (int)(e - s), s);
	for (int i = 1; i < loc.col && s + i - 1 < e; i++)
		fputc(s[i - 1] == '\t' ? '\t' : ' ', g->diag);
	fputs("^\n", g->diag);
}

void
mwg_error(struct mwg_grammar *g, struct mwg_loc loc, const char *fmt, ...)
{
	va_list ap;

	g->nerrors++;
	va_start(ap, fmt);
	report(g, loc, "error", fmt, ap);
	va_end(ap);
}

int
mwg_profile_index(struct mwg_grammar *g, const char *name)
{
	for (int i = 0; i < g->nprofiles; i++)
		if (strcmp(g->profiles[i], name) == 0)
			return i;
	g->profiles[g->nprofiles] = name;
	return g->nprofiles++;
}

int
mwg_leniency_index(struct mwg_grammar *g, const char *name)
{
	for (int i = 0; i < g->nleniencies; i++)
		if (strcmp(g->leniencies[i], name) == 0)
			return i;
	return -1;
}

void
mwg_set_lenient(struct mwg_grammar *g, unsigned mask)
{
	if (mask == g->lenient_mask)
		return;
	g->lenient_mask = mask;
	for (size_t i = 0; i < g->nrules; i++)	/* shortest sentences change */
		for (int k = 0; k <= MWG_MAX_FILES; k++)
			g->rules[i]->minlen[k] = -1;
}

static const char *
basename_noext(struct mwg_grammar *g, const char *path)
{
	const char *b = strrchr(path, '/'), *dot;

	b = b ? b + 1 : path;
	dot = strrchr(b, '.');
	return mwg_strndup(g, b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
}

int
mwg_add_text(struct mwg_grammar *g, const char *path, const char *text,
    size_t len)
{
	struct mwg_file *f;
	char *copy;
	int i;

	if (g->nfiles == MWG_MAX_FILES) {
		fprintf(g->diag ? g->diag : stderr, "%s: too many grammar files\n",
		    path);
		g->nerrors++;
		return -1;
	}
	i = g->nfiles++;
	f = &g->files[i];
	f->path = mwg_strndup(g, path, strlen(path));
	f->base = basename_noext(g, path);
	copy = mwg_alloc(g, len + 1);	/* NUL sentinel for the lexer */
	memcpy(copy, text, len);
	f->text = copy;
	f->len = len;
	f->profile = -1;
	for (int j = 0; j < i; j++) {
		if (strcmp(g->files[j].base, f->base) == 0) {
			fprintf(g->diag ? g->diag : stderr,
			    "%s: a grammar file of the same name came before\n", path);
			g->nerrors++;
			return -1;
		}
	}
	return mwg_parse_file(g, i);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (fp == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		r = fread(buf + n, 1, cap - n, fp);
		n += r;
		if (r == 0)
			break;
	}
	fclose(fp);
	*len = n;
	return buf;
}

int
mwg_add_file(struct mwg_grammar *g, const char *path)
{
	size_t len;
	char *text = slurp(path, &len);
	int r;

	if (text == NULL) {
		fprintf(g->diag ? g->diag : stderr, "%s: cannot read\n", path);
		g->nerrors++;
		return -1;
	}
	r = mwg_add_text(g, path, text, len);
	free(text);
	return r;
}

static unsigned
hashkey(const char *s, size_t n)
{
	unsigned h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)tolower((unsigned char)s[i])) * 16777619u;
	return h;
}

static struct mwg_rule *
find(struct mwg_grammar *g, const char *name, size_t len, int profile)
{
	unsigned h = hashkey(name, len) % (sizeof(g->hash) / sizeof(g->hash[0]));

	for (struct mwg_rule *r = g->hash[h]; r != NULL; r = r->next_hash)
		if (r->profile == profile && strlen(r->key) == len &&
		    strncasecmp(r->key, name, len) == 0)
			return r;
	return NULL;
}

struct mwg_rule *
mwg_lookup(struct mwg_grammar *g, const char *name, size_t len, int profile)
{
	struct mwg_rule *r = NULL;

	if (profile >= 0)
		r = find(g, name, len, profile);
	return r ? r : find(g, name, len, -1);
}

static struct mwg_rule *
intern(struct mwg_grammar *g, const struct mwg_def *d, int profile)
{
	size_t len = strlen(d->name);
	unsigned h = hashkey(d->name, len) % (sizeof(g->hash) / sizeof(g->hash[0]));
	struct mwg_rule *r = find(g, d->name, len, profile);
	char *key;

	if (r != NULL)
		return r;
	r = mwg_alloc(g, sizeof(*r));
	r->name = d->name;
	key = mwg_strndup(g, d->name, len);
	for (char *k = key; *k; k++)
		*k = (char)tolower((unsigned char)*k);
	r->key = key;
	r->profile = profile;
	r->file = d->loc.file;
	r->capture = -1;
	r->order = -1;
	r->affected = mwg_alloc(g, (size_t)(MWG_MAX_FILES) * sizeof(int));
	r->minlen = mwg_alloc(g, (size_t)(MWG_MAX_FILES + 1) * sizeof(long));
	for (int i = 0; i < MWG_MAX_FILES; i++)
		r->affected[i] = -1;
	for (int i = 0; i <= MWG_MAX_FILES; i++)
		r->minlen[i] = -1;
	r->alts = mwg_alloc(g, (size_t)(MWG_MAX_FILES + 1) * sizeof(*r->alts));
	r->nalts = mwg_alloc(g, (size_t)(MWG_MAX_FILES + 1) * sizeof(*r->nalts));
	r->next_hash = g->hash[h];
	g->hash[h] = r;
	if (g->nrules == g->caprules) {
		size_t ncap = g->caprules ? g->caprules * 2 : 128;
		struct mwg_rule **nr = mwg_alloc(g, ncap * sizeof(*nr));

		if (g->nrules)
			memcpy(nr, g->rules, g->nrules * sizeof(*nr));
		g->rules = nr;
		g->caprules = ncap;
	}
	g->rules[g->nrules++] = r;
	return r;
}

static void
append_inc(struct mwg_rule *r, struct mwg_def *d)
{
	struct mwg_def **pp = &r->incs;

	while (*pp != NULL)
		pp = &(*pp)->next_in_rule;
	*pp = d;
}

/* A definition of `name` outside any profile. */
static int
in_base(struct mwg_grammar *g, const char *name)
{
	for (size_t i = 0; i < g->ndefs; i++)
		if (g->files[g->defs[i]->loc.file].profile < 0 &&
		    strcasecmp(g->defs[i]->name, name) == 0)
			return 1;
	return 0;
}

static void
duplicate(struct mwg_grammar *g, const struct mwg_def *d,
    const struct mwg_def *first)
{
	char where[512];

	mwg_error(g, d->loc, "duplicate definition of rule %s (first defined at "
	    "%s)", d->name, mwg_fmtloc(g, first->loc, where, sizeof(where)));
}

/* Sorts the definitions into namespaces: duplicate, placeholder and `=/`. */
static void
build_namespaces(struct mwg_grammar *g)
{
	for (size_t i = 0; i < g->ndefs; i++) {
		struct mwg_def *d = g->defs[i];
		int prof = g->files[d->loc.file].profile;
		struct mwg_rule *r;

		/* A profile scopes only its changes to other files' rules; a
		 * name it introduces (bdat-cmd in RFC 3030) is a base rule, and
		 * a placeholder stands for the base rule it names. */
		if (prof >= 0 && (!in_base(g, d->name) || d->prose_only))
			prof = -1;
		r = intern(g, d, prof);
		if (prof >= 0 && in_base(g, d->name))
			r->in_base = 1;
		if (d->incremental) {
			append_inc(r, d);
		} else if (d->prose_only) {
			/* several RFCs may point at one rule (ALPHA =
			 * <as defined in RFC 5234>); the first is kept */
			if (r->placeholder == NULL)
				r->placeholder = d;
		} else if (r->main != NULL) {
			duplicate(g, d, r->main);
		} else {
			r->main = d;
			r->file = d->loc.file;
			r->name = d->name;
		}
	}
	for (size_t i = 0; i < g->nrules; i++) {
		struct mwg_rule *r = g->rules[i];

		if (r->main != NULL)
			continue;
		if (r->profile >= 0 && r->in_base)
			continue;	/* only extends the base rule */
		if (r->placeholder != NULL) {
			mwg_error(g, r->placeholder->loc, "rule %s is described only "
			    "in prose and no grammar file defines it",
			    r->placeholder->name);
		} else if (r->incs != NULL) {
			mwg_error(g, r->incs->loc, "incremental alternative '=/' for "
			    "rule %s, which is not defined", r->incs->name);
		}
		if (r->placeholder != NULL)
			r->file = r->placeholder->loc.file;
		else if (r->incs != NULL)
			r->file = r->incs->loc.file;
	}
}

/* Collects r's alternatives in profile into out (if not NULL); returns
 * how many there are. */
static size_t
collect_alts(struct mwg_grammar *g, struct mwg_rule *r, int profile,
    struct mwg_node **out, size_t max)
{
	struct mwg_rule *base = NULL, *pr = NULL;
	size_t n = 0;
	const struct mwg_def *d;

	if (r->profile >= 0) {
		pr = r;
		if (r->in_base)
			base = find(g, r->key, strlen(r->key), -1);
	} else {
		base = r;
		if (profile >= 0)
			pr = find(g, r->key, strlen(r->key), profile);
	}
	if (pr != NULL && pr->main != NULL) {
		d = pr->main;
	} else {
		d = base ? base->main : NULL;
	}
#define PUT(d) do {						\
	for (size_t i = 0; i < (d)->alt->nkids; i++, n++)		\
		if (out != NULL && n < max)				\
			out[n] = (d)->alt->kids[i];			\
} while (0)
	if (d != NULL)
		PUT(d);
	if (base != NULL && (pr == NULL || pr->main == NULL))
		for (d = base->incs; d != NULL; d = d->next_in_rule)
			PUT(d);
	if (pr != NULL)
		for (d = pr->incs; d != NULL; d = d->next_in_rule)
			PUT(d);
#undef PUT
	return n;
}

struct mwg_node **
mwg_alts_ref(struct mwg_grammar *g, struct mwg_rule *r, int profile,
    size_t *n)
{
	int k = profile + 1;

	if (r->alts[k] == NULL) {
		size_t count = collect_alts(g, r, profile, NULL, 0);

		r->alts[k] = mwg_alloc(g, (count + 1) * sizeof(**r->alts));
		r->nalts[k] = collect_alts(g, r, profile, r->alts[k], count);
	}
	*n = r->nalts[k];
	return r->alts[k];
}

size_t
mwg_alts(struct mwg_grammar *g, struct mwg_rule *r, int profile,
    struct mwg_node **out, size_t max)
{
	size_t n;
	struct mwg_node **a = mwg_alts_ref(g, r, profile, &n);

	for (size_t i = 0; i < n && i < max; i++)
		out[i] = a[i];
	return n < max ? n : max;
}

/* Calls fn on every rule reference below n. */
static void
walk_refs(struct mwg_node *n, void (*fn)(struct mwg_node *, void *), void *arg)
{
	if (n->kind == N_REF) {
		fn(n, arg);
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		walk_refs(n->kids[i], fn, arg);
}

struct refctx {
	struct mwg_grammar	*g;
	int			 profile;
	int			 result;
	int			 report;
};

static void
check_ref(struct mwg_node *n, void *arg)
{
	struct refctx *c = arg;
	struct mwg_rule *r = mwg_lookup(c->g, n->text, n->len, c->profile);

	if (r == NULL || (r->main == NULL && r->placeholder == NULL &&
	    !(r->profile >= 0 && r->in_base))) {
		if (c->report)
			mwg_error(c->g, n->loc, "undefined rule %s", n->text);
		c->result = 0;
	}
}


/* Is r's meaning in profile different from its base meaning? */
int
mwg_affected(struct mwg_grammar *g, struct mwg_rule *r, int profile);

static void
affected_ref(struct mwg_node *n, void *arg)
{
	struct refctx *c = arg;
	struct mwg_rule *r = mwg_lookup(c->g, n->text, n->len, c->profile);

	if (r != NULL && mwg_affected(c->g, r, c->profile))
		c->result = 1;
}

int
mwg_affected(struct mwg_grammar *g, struct mwg_rule *r, int profile)
{
	struct mwg_node **alts;
	struct refctx c = { g, profile, 0, 0 };
	size_t n;

	if (profile < 0)
		return 0;
	if (r->profile >= 0)
		return r->profile == profile;
	if (find(g, r->key, strlen(r->key), profile) != NULL)
		return 1;
	if (r->affected[profile] >= 0)
		return r->affected[profile];
	r->affected[profile] = 0;	/* no recursion by now; guard anyway */
	alts = mwg_alts_ref(g, r, profile, &n);
	for (size_t i = 0; i < n && !c.result; i++)
		walk_refs(alts[i], affected_ref, &c);
	r->affected[profile] = c.result;
	return c.result;
}

#define MARK_VISIT 4	/* rule marks of mwg_visit */

struct visit {
	struct mwg_grammar	*g;
	int			 profile;
	void			(*fn)(struct mwg_node *, void *);
	void			*arg;
};

static void visit_rule(struct visit *, struct mwg_rule *);

static void
visit_node(struct visit *v, struct mwg_node *n)
{
	v->fn(n, v->arg);
	if (n->kind == N_REF) {
		struct mwg_rule *r = mwg_lookup(v->g, n->text, n->len, v->profile);

		if (r != NULL)
			visit_rule(v, r);
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		visit_node(v, n->kids[i]);
}

static void
visit_rule(struct visit *v, struct mwg_rule *r)
{
	struct mwg_node **alts;
	size_t n;

	if (r->mark == MARK_VISIT)
		return;
	r->mark = MARK_VISIT;
	alts = mwg_alts_ref(v->g, r, v->profile, &n);
	for (size_t i = 0; i < n; i++)
		visit_node(v, alts[i]);
}

void
mwg_visit(struct mwg_grammar *g, struct mwg_rule *r, int profile,
    void (*fn)(struct mwg_node *, void *), void *arg)
{
	struct visit v = { g, profile, fn, arg };

	visit_rule(&v, r);
	for (size_t i = 0; i < g->nrules; i++)
		if (g->rules[i]->mark == MARK_VISIT)
			g->rules[i]->mark = 0;
}

struct reach {
	int	len;
	int	found;
};

static void
reach_node(struct mwg_node *n, void *arg)
{
	struct reach *c = arg;

	if (n->kind == N_WHEN && (int)n->lo == c->len)
		c->found = 1;
}

int
mwg_reaches_leniency(struct mwg_grammar *g, struct mwg_rule *r, int profile,
    int len)
{
	struct reach c = { len, 0 };

	mwg_visit(g, r, profile, reach_node, &c);
	return c.found;
}

/* Recursion: a finite machine cannot express it (Ragel needs definitions
 * before use), so any cycle is an error. */
struct cyc {
	struct mwg_grammar	*g;
	int			 profile;
	struct mwg_rule		**stack;	/* as deep as there are rules */
	int			 depth;
	int			 found;
};

static void visit_cycle(struct cyc *, struct mwg_rule *);

static void
cycle_ref(struct mwg_node *n, void *arg)
{
	struct cyc *c = arg;
	struct mwg_rule *r = mwg_lookup(c->g, n->text, n->len, c->profile);

	if (r != NULL && !c->found)
		visit_cycle(c, r);
}

static void
visit_cycle(struct cyc *c, struct mwg_rule *r)
{
	struct mwg_node **alts;
	size_t n;

	if (r->mark == 2)
		return;
	if (r->mark == 1) {
		char path[2048];
		size_t len = 0;
		int i = c->depth - 1;

		while (i > 0 && c->stack[i] != r)
			i--;
		for (int j = i; j < c->depth && len < sizeof(path) - 64; j++) {
			int w = snprintf(path + len, sizeof(path) - len, "%s -> ",
			    c->stack[j]->name);

			len = w < 0 || (size_t)w >= sizeof(path) - len ?
			    sizeof(path) - 1 : len + (size_t)w;
		}
		if (len < sizeof(path) - 1)
			snprintf(path + len, sizeof(path) - len, "%s", r->name);
		mwg_error(c->g, r->main ? r->main->loc : r->incs ? r->incs->loc :
		    c->stack[i]->main->loc, "rule %s is recursive (%s); a finite "
		    "machine cannot express it", r->name, path);
		c->found = 1;
		return;
	}
	r->mark = 1;
	c->stack[c->depth++] = r;
	alts = mwg_alts_ref(c->g, r, c->profile, &n);
	for (size_t i = 0; i < n && !c->found; i++)
		walk_refs(alts[i], cycle_ref, c);
	c->depth--;
	r->mark = 2;
}

struct usectx {
	struct mwg_grammar	*g;
	int			 profile;
};

static void
used_ref(struct mwg_node *n, void *arg)
{
	struct usectx *u = arg;
	struct mwg_rule *r;

	if (n->kind == N_REF &&
	    (r = mwg_lookup(u->g, n->text, n->len, u->profile)) != NULL)
		r->used |= 1u << (u->profile + 1);
}

/* Marks r and every rule it reaches as used in profile. */
static void
mark_used(struct mwg_grammar *g, struct mwg_rule *r, int profile)
{
	struct usectx u = { g, profile };

	r->used |= 1u << (profile + 1);
	mwg_visit(g, r, profile, used_ref, &u);
}

/* Octets only: the machines run on bytes. */
static void
check_values(struct mwg_grammar *g, struct mwg_node *n)
{
	switch (n->kind) {
	case N_RANGE:
		if (n->hi > 0xff)
			mwg_error(g, n->loc, "value %%x%lX is beyond one octet; "
			    "mailwire machines work on octets", n->hi);
		break;
	case N_SEQ:
		for (size_t i = 0; i < n->nvals; i++)
			if (n->vals[i] > 0xff) {
				mwg_error(g, n->loc, "value %%x%lX is beyond one octet; "
				    "mailwire machines work on octets", n->vals[i]);
				break;
			}
		break;
	case N_PROSE:
		mwg_error(g, n->loc, "a prose value inside a rule cannot be "
		    "compiled; define the rule it describes");
		break;
	default:
		for (size_t i = 0; i < n->nkids; i++)
			check_values(g, n->kids[i]);
	}
}

int
mwg_add_start(struct mwg_grammar *g, const char *name, struct mwg_loc loc)
{
	struct mwg_rule *r = find(g, name, strlen(name), -1);

	if (r == NULL) {
		for (int p = 0; p < g->nprofiles && r == NULL; p++)
			r = find(g, name, strlen(name), p);
	}
	if (r == NULL) {
		mwg_error(g, loc, "start rule %s is not defined", name);
		return -1;
	}
	r->start = 1;
	return 0;
}

/* Every rule must be reachable from a start rule unless its file is a
 * @library (RFC 5234 B.1 defines more core rules than SMTP uses). */
static void
check_unused(struct mwg_grammar *g)
{
	size_t i;

	for (i = 0; i < g->nstarts; i++) {
		if (mwg_add_start(g, g->starts[i], g->start_locs[i]) < 0)
			continue;
	}
	for (i = 0; i < g->nrules; i++) {
		struct mwg_rule *r = g->rules[i];

		if (!r->start)
			continue;
		for (int p = -1; p < g->nprofiles; p++)
			if (r->profile < 0 || r->profile == p)
				mark_used(g, mwg_lookup(g, r->key, strlen(r->key), p), p);
	}
	for (i = 0; i < g->nrules; i++) {
		struct mwg_rule *r = g->rules[i];
		const struct mwg_def *d = r->main ? r->main :
		    r->incs ? r->incs : r->placeholder;

		if (r->used || g->files[r->file].library > 0 || d == NULL)
			continue;
		mwg_error(g, d->loc, "rule %s is never used: no start rule reaches "
		    "it (list it in the start rules or remove it)", r->name);
	}
}

int
mwg_read_list(struct mwg_grammar *g, const char *path, int captures)
{
	size_t len;
	char *text = slurp(path, &len);
	int file;

	if (text == NULL) {
		fprintf(g->diag ? g->diag : stderr, "%s: cannot read\n", path);
		g->nerrors++;
		return -1;
	}
	/* keep the list as a file so errors can point into it */
	file = g->nfiles;
	if (file == MWG_MAX_FILES) {
		free(text);
		g->nerrors++;
		return -1;
	}
	g->files[file].path = mwg_strndup(g, path, strlen(path));
	g->files[file].base = "";
	g->files[file].text = mwg_strndup(g, text, len);
	g->files[file].len = len;
	g->files[file].profile = -1;
	g->files[file].library = -1;	/* marks a list, not grammar */
	g->nfiles++;
	free(text);
	if (captures) {
		g->captures = mwg_alloc(g, (len / 2 + 1) * sizeof(*g->captures));
		g->capture_locs = mwg_alloc(g, (len / 2 + 1) *
		    sizeof(*g->capture_locs));
	} else {
		g->starts = mwg_alloc(g, (len / 2 + 1) * sizeof(*g->starts));
		g->start_locs = mwg_alloc(g, (len / 2 + 1) * sizeof(*g->start_locs));
	}
	for (const char *s = g->files[file].text, *e = s + len; s < e;) {
		const char *ls = s, *le = memchr(s, '\n', (size_t)(e - s));
		int line = 1;

		le = le ? le : e;
		for (const char *q = g->files[file].text; q < ls; q++)
			line += *q == '\n';
		while (s < le) {
			const char *w;
			struct mwg_loc loc;

			while (s < le && isspace((unsigned char)*s))
				s++;
			if (s == le || *s == '#')
				break;
			for (w = s; s < le && !isspace((unsigned char)*s); s++)
				;
			loc.file = file;
			loc.line = line;
			loc.col = (int)(w - ls) + 1;
			if (captures) {
				g->capture_locs[g->ncaptures] = loc;
				g->captures[g->ncaptures++] =
				    mwg_strndup(g, w, (size_t)(s - w));
			} else {
				g->starts[g->nstarts] =
				    mwg_strndup(g, w, (size_t)(s - w));
				g->start_locs[g->nstarts++] = loc;
			}
		}
		s = le + 1;
	}
	return 0;
}

/* The definition of local name s[0..n) in namespace ns, or NULL. */
static const struct mwg_def *
ns_def(struct mwg_grammar *g, const char *ns, const char *s, size_t n)
{
	for (size_t i = 0; i < g->ndefs; i++) {
		const struct mwg_def *d = g->defs[i];
		const char *dns = g->files[d->loc.file].ns;

		if (dns != NULL && strcmp(dns, ns) == 0 && !d->prose_only &&
		    strlen(d->local) == n && strncasecmp(d->local, s, n) == 0)
			return d;
	}
	return NULL;
}

static void
qualify_refs(struct mwg_grammar *g, const char *ns, struct mwg_node *n)
{
	const struct mwg_def *d;

	if (n == NULL)
		return;
	if (n->kind == N_REF && (d = ns_def(g, ns, n->text, n->len)) != NULL) {
		n->text = d->name;
		n->len = strlen(d->name);
	}
	for (size_t i = 0; i < n->nkids; i++)
		qualify_refs(g, ns, n->kids[i]);
}

/*
 * @namespace NAME: the rules a file defines are NAME.rule, so a grammar
 * that is not SMTP's (SCRAM's value, PLAIN's authzid) keeps the RFC's
 * names without clashing. A reference in the file means the namespace's
 * rule if there is one, else the base grammar's (ALPHA, UTF8-2);
 * placeholders stay base names, as they stand for another file's rule.
 */
static void
qualify(struct mwg_grammar *g)
{
	for (size_t i = 0; i < g->ndefs; i++) {
		struct mwg_def *d = g->defs[i];
		const char *ns = g->files[d->loc.file].ns;
		size_t nl, ll;
		char *q;

		if (ns == NULL || d->prose_only)
			continue;
		nl = strlen(ns);
		ll = strlen(d->local);
		q = mwg_alloc(g, nl + ll + 2);
		memcpy(q, ns, nl);
		q[nl] = '.';
		memcpy(q + nl + 1, d->local, ll + 1);
		d->name = q;
	}
	for (size_t i = 0; i < g->ndefs; i++) {
		const char *ns = g->files[g->defs[i]->loc.file].ns;

		if (ns != NULL)
			qualify_refs(g, ns, g->defs[i]->alt);
	}
}

int
mwg_check(struct mwg_grammar *g)
{
	int before = g->nerrors;

	qualify(g);
	build_namespaces(g);
	/* a whole-rule prose value is a placeholder, handled above */
	for (size_t i = 0; i < g->ndefs; i++)
		if (!g->defs[i]->prose_only || g->defs[i]->incremental)
			check_values(g, g->defs[i]->alt);
	for (size_t i = 0; i < g->ncaptures; i++) {
		struct mwg_rule *r = mwg_lookup(g, g->captures[i],
		    strlen(g->captures[i]), -1);

		for (int p = 0; p < g->nprofiles; p++) {
			struct mwg_rule *pr = find(g, g->captures[i],
			    strlen(g->captures[i]), p);

			if (pr != NULL)
				pr->capture = (int)i;
			if (r == NULL)
				r = pr;
		}
		if (r == NULL) {
			mwg_error(g, g->capture_locs[i], "captured rule %s is not "
			    "defined", g->captures[i]);
			continue;
		}
		r->capture = (int)i;
	}
	/* undefined references, per namespace */
	for (int p = -1; p < g->nprofiles; p++) {
		for (size_t i = 0; i < g->nrules; i++) {
			struct mwg_rule *r = g->rules[i];
			struct mwg_node **alts;
			struct refctx c = { g, p, 1, 1 };
			size_t n;

			if (r->profile != p)
				continue;
			alts = mwg_alts_ref(g, r, p, &n);
			/* a profile's own alternatives only; base refs checked once */
			if (p >= 0 && r->in_base && r->main == NULL) {
				for (struct mwg_def *d = r->incs; d; d = d->next_in_rule)
					walk_refs(d->alt, check_ref, &c);
				continue;
			}
			for (size_t k = 0; k < n; k++)
				walk_refs(alts[k], check_ref, &c);
		}
	}
	if (g->nerrors != before)
		return -1;
	/* recursion, in the base grammar and in each profile */
	for (int p = -1; p < g->nprofiles; p++) {
		struct cyc c;

		memset(&c, 0, sizeof(c));
		c.g = g;
		c.profile = p;
		c.stack = mwg_alloc(g, (g->nrules + 1) * sizeof(*c.stack));
		for (size_t i = 0; i < g->nrules; i++)
			g->rules[i]->mark = 0;
		for (size_t i = 0; i < g->nrules && !c.found; i++)
			if (g->rules[i]->profile == p || g->rules[i]->profile < 0)
				visit_cycle(&c, g->rules[i]);
		for (size_t i = 0; i < g->nrules; i++)
			g->rules[i]->mark = 0;
	}
	if (g->nerrors != before)
		return -1;
	if (g->nstarts > 0)
		check_unused(g);
	return g->nerrors == before ? 0 : -1;
}
