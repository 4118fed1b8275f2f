/*
 * gen/emit_ragel.c: Ragel machine definitions, one .rl per grammar file,
 * an umbrella grammar.rl that includes them in dependency order (Ragel needs
 * a definition before its use), captures.rl with the capture hooks, and
 * captures.h with their ids and the scanners of runs (put_run). Output is reproducible: no dates, versions or
 * absolute paths, rules in ABNF order except where a dependency must come
 * first.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "abnf.h"

/* Ragel 6 keywords and built-in machines a rule name must not shadow. */
static const char *const reserved[] = {
	"machine", "include", "import", "action", "access", "variable", "write",
	"getkey", "export", "prepush", "postpop", "alphtype", "range", "when",
	"inwhen", "outwhen", "eof", "err", "lerr", "to", "from", "nfaprepush",
	"nfapostpop", "main", "any", "ascii", "extend", "alpha", "digit",
	"alnum", "lower", "upper", "xdigit", "cntrl", "graph", "print", "punct",
	"space", "zlen", "empty", "null", NULL
};

static void
plain_name(const char *name, char *buf, size_t n)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 3 < n; i++)
		buf[i] = name[i] == '-' || name[i] == '.' ? '_' : name[i];
	buf[i] = '\0';
	for (const char *const *k = reserved; *k != NULL; k++)
		if (strcmp(*k, buf) == 0) {
			strcat(buf, "_r");	/* RFC name shadows a Ragel word */
			break;
		}
}

/* The base rule for a profile rule that overrides or extends it. */
static struct mwg_rule *
canonical(struct mwg_grammar *g, struct mwg_rule *r)
{
	if (r->profile >= 0 && r->in_base) {
		struct mwg_rule *b = mwg_lookup(g, r->key, strlen(r->key), -1);

		if (b != NULL)
			return b;
	}
	return r;
}

/* The profile a reference to r means within profile p: -1 for the base one. */
static int
effective(struct mwg_grammar *g, struct mwg_rule *r, int p)
{
	if (r->profile >= 0)
		return r->profile;
	return mwg_affected(g, r, p) ? p : -1;
}

const char *
mwg_ragel_name(struct mwg_grammar *g, struct mwg_rule *r, int p, char *buf,
    size_t n)
{
	char plain[256];
	int eff;

	r = canonical(g, r);
	eff = effective(g, r, p);
	plain_name(r->name, plain, sizeof(plain));
	if (eff >= 0 && r->profile < 0)
		snprintf(buf, n, "%s_%s", g->profiles[eff], plain);
	else
		snprintf(buf, n, "%s", plain);
	return buf;
}

struct unit {
	struct mwg_rule	*r;
	int		 profile;	/* -1: base */
	int		 file;
};

struct emitter {
	struct mwg_grammar	*g;
	struct unit		*units;
	size_t			 nunits, cap;
	int			*state;		/* per rule x (profile + 1) */
	int			 np;
	int			 failed;
};

static int *
ustate(struct emitter *e, struct mwg_rule *r, int eff)
{
	size_t i;

	for (i = 0; i < e->g->nrules; i++)
		if (e->g->rules[i] == r)
			break;
	return &e->state[i * (size_t)e->np + (size_t)(eff + 1)];
}

static int
profile_file(struct mwg_grammar *g, int p)
{
	for (int f = 0; f < g->nfiles; f++)
		if (g->files[f].profile == p)
			return f;
	return 0;
}

static void visit(struct emitter *, struct mwg_rule *, int);

struct vctx {
	struct emitter	*e;
	int		 eff;
};

static void
visit_refs(struct emitter *e, struct mwg_node *n, int eff)
{
	if (n->kind == N_REF) {
		struct mwg_rule *r = mwg_lookup(e->g, n->text, n->len, eff);

		if (r != NULL)
			visit(e, r, eff);
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		visit_refs(e, n->kids[i], eff);
}

static void
visit(struct emitter *e, struct mwg_rule *r, int p)
{
	struct mwg_node **alts;
	int eff, *st;
	size_t n;

	r = canonical(e->g, r);
	eff = effective(e->g, r, p);
	st = ustate(e, r, eff);
	if (*st != 0)
		return;
	*st = 1;
	if (r->main == NULL && !(r->profile >= 0) && eff < 0)
		return;		/* undefined: reported by the checks */
	alts = mwg_alts_ref(e->g, r, eff, &n);
	for (size_t i = 0; i < n; i++)
		visit_refs(e, alts[i], eff);
	if (e->nunits == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 256;
		if ((e->units = realloc(e->units, e->cap * sizeof(*e->units))) == NULL)
			abort();
	}
	e->units[e->nunits].r = r;
	e->units[e->nunits].profile = eff;
	e->units[e->nunits].file = eff >= 0 && r->profile < 0 ?
	    profile_file(e->g, eff) : r->file;
	e->nunits++;
	*st = 2;
}

/* Rules in file order, each in source order, then their profile variants. */
static void
order_units(struct emitter *e)
{
	struct mwg_grammar *g = e->g;

	for (size_t d = 0; d < g->ndefs; d++) {
		const struct mwg_def *def = g->defs[d];
		struct mwg_rule *r;
		int prof = g->files[def->loc.file].profile;

		if (def->incremental || def->prose_only)
			continue;
		r = mwg_lookup(g, def->name, strlen(def->name), prof);
		if (r == NULL)
			continue;
		if (prof >= 0 && r->profile < 0)
			visit(e, r, -1);	/* a base rule of a profile file */
		visit(e, r, prof);
	}
	for (int p = 0; p < g->nprofiles; p++)
		for (size_t i = 0; i < g->nrules; i++)
			if (g->rules[i]->profile < 0 && g->rules[i]->main != NULL)
				visit(e, g->rules[i], p);
}

static void
put_char(FILE *out, const char *s, size_t n, int ci)
{
	int letters = 0;

	if (n == 0) {
		fputs("zlen", out);
		return;
	}
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' || s[i] == '"')
			fputc('\\', out);
		fputc(s[i], out);
		letters |= isalpha((unsigned char)s[i]) != 0;
	}
	fputc('"', out);
	if (ci && letters)
		fputc('i', out);	/* RFC 5234 2.3 */
}

static void
put_node(struct emitter *e, FILE *out, struct mwg_node *n, int p)
{
	char name[300];

	switch (n->kind) {
	case N_ALT:
		if (n->nkids == 1) {
			put_node(e, out, n->kids[0], p);
			break;
		}
		fputs("( ", out);
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				fputs(" | ", out);
			put_node(e, out, n->kids[i], p);
		}
		fputs(" )", out);
		break;
	case N_CAT:
		fputs("( ", out);
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				fputc(' ', out);
			put_node(e, out, n->kids[i], p);
		}
		fputs(" )", out);
		break;
	case N_REP:
		if (n->max < 0 && n->kids[0]->kind == N_REP &&
		    n->kids[0]->min == 0 && n->kids[0]->max == 1) {
			/* n*[x] is *x (RFC 9422 writes 0*[...]); Ragel warns
			 * about a star over a machine that accepts "" */
			fputs("( ", out);
			put_node(e, out, n->kids[0]->kids[0], p);
			fputs(" )*", out);
			break;
		}
		fputs("( ", out);
		put_node(e, out, n->kids[0], p);
		fputs(" )", out);
		if (n->min == 0 && n->max == 1)
			fputc('?', out);
		else if (n->min == 0 && n->max < 0)
			fputc('*', out);
		else if (n->min == 1 && n->max < 0)
			fputc('+', out);
		else if (n->max < 0)
			fprintf(out, "{%d,}", n->min);
		else if (n->min == n->max)
			fprintf(out, "{%d}", n->min);
		else if (n->min == 0)
			fprintf(out, "{,%d}", n->max);
		else
			fprintf(out, "{%d,%d}", n->min, n->max);
		break;
	case N_REF: {
		struct mwg_rule *r = mwg_lookup(e->g, n->text, n->len, p);

		fputs(r ? mwg_ragel_name(e->g, r, p, name, sizeof(name)) : "zlen",
		    out);
		break;
	}
	case N_CHAR:
		put_char(out, n->text, n->len, n->ci);
		break;
	case N_RANGE:
		if (n->lo == n->hi)
			fprintf(out, "0x%02lx", n->lo);
		else
			fprintf(out, "0x%02lx..0x%02lx", n->lo, n->hi);
		break;
	case N_SEQ:
		fputs("( ", out);
		for (size_t i = 0; i < n->nvals; i++)
			fprintf(out, "%s0x%02lx", i ? " " : "", n->vals[i]);
		fputs(" )", out);
		break;
	case N_PROSE:
		fputs("zlen", out);	/* rejected by the checks */
		break;
	case N_WHEN:
		fputs("( ( ", out);
		put_node(e, out, n->kids[0], p);
		plain_name(e->g->leniencies[n->lo], name, sizeof(name));
		fprintf(out, " ) inwhen mw_lenient_%s )", name);
		break;
	}
}

static void
put_unit(struct emitter *e, FILE *out, const struct unit *u)
{
	struct mwg_grammar *g = e->g;
	struct mwg_node alt;
	const struct mwg_def *d = u->r->main;
	char name[300], cap[256];

	if (u->profile >= 0 && u->r->profile < 0)
		fprintf(out, "# %s profile of %s\n", g->profiles[u->profile],
		    u->r->name);
	else if (d != NULL && d->rfc)
		fprintf(out, "# %s: RFC %d %s\n", u->r->name, d->rfc, d->section);
	else
		fprintf(out, "# %s: mailwire addition\n", u->r->name);
	memset(&alt, 0, sizeof(alt));
	alt.kind = N_ALT;
	alt.kids = mwg_alts_ref(g, u->r, u->profile, &alt.nkids);
	fprintf(out, "%s = ", mwg_ragel_name(g, u->r, u->profile, name,
	    sizeof(name)));
	if (u->r->capture >= 0)
		fputs("( ", out);
	put_node(e, out, &alt, u->profile);
	if (u->r->capture >= 0) {
		plain_name(g->captures[u->r->capture], cap, sizeof(cap));
		fprintf(out, " ) >mw_enter_%s %%mw_leave_%s", cap, cap);
	}
	fputs(";\n", out);
}

/*
 * Runs of one class of octets. A rule whose only alternative is a
 * repetition, 1*(x) or *(x), of one class x (ranges, single octets, and
 * rules that are such classes) matches a run of octets that only the class
 * decides. For each captured one, captures.h gets the class and a scanner
 * for its runs, so an including machine can skip a run from its capture
 * hook where its own composition allows (src/reply.rl). The class of a
 * node into in[256]; 0 if the node is not a class of single octets.
 */
static int
octet_class(struct mwg_grammar *g, const struct mwg_node *n, int depth,
    unsigned char *in)
{
	if (depth > MWG_MAX_DEPTH)
		return 0;
	switch (n->kind) {
	case N_ALT:
		for (size_t i = 0; i < n->nkids; i++)
			if (!octet_class(g, n->kids[i], depth + 1, in))
				return 0;
		return n->nkids > 0;
	case N_CAT:
		return n->nkids == 1 && octet_class(g, n->kids[0], depth + 1, in);
	case N_RANGE:
		if (n->hi > 255 || n->lo > n->hi)
			return 0;
		for (unsigned long c = n->lo; c <= n->hi; c++)
			in[c] = 1;
		return 1;
	case N_SEQ:
		if (n->nvals != 1 || n->vals[0] > 255)
			return 0;
		in[n->vals[0]] = 1;
		return 1;
	case N_CHAR: {
		unsigned char c;

		if (n->len != 1)
			return 0;
		c = (unsigned char)n->text[0];
		in[c] = 1;
		if (n->ci && isalpha(c))	/* RFC 5234 2.3 */
			in[isupper(c) ? tolower(c) : toupper(c)] = 1;
		return 1;
	}
	case N_REF: {
		struct mwg_rule *r = mwg_lookup(g, n->text, n->len, -1);
		struct mwg_node **alts;
		size_t k;

		if (r == NULL)
			return 0;
		alts = mwg_alts_ref(g, r, -1, &k);
		for (size_t i = 0; i < k; i++)
			if (!octet_class(g, alts[i], depth + 1, in))
				return 0;
		return k > 0;
	}
	default:	/* repetitions, prose, leniencies */
		return 0;
	}
}

/* Is rule r (base grammar) 1*(x) or *(x) of one class x? Its class in in. */
static int
run_class(struct mwg_grammar *g, struct mwg_rule *r, unsigned char *in)
{
	struct mwg_node **alts, *n;
	size_t k;

	memset(in, 0, 256);
	alts = mwg_alts_ref(g, r, -1, &k);
	if (k != 1)
		return 0;
	for (n = alts[0]; (n->kind == N_ALT || n->kind == N_CAT) &&
	    n->nkids == 1; n = n->kids[0])
		continue;
	if (n->kind != N_REP || n->min > 1 || n->max >= 0)
		return 0;
	return octet_class(g, n->kids[0], 0, in);
}

/* The ranges of octets c with in[c] == want, into r; their number. */
static int
class_ranges(const unsigned char *in, int want, int r[][2], int max)
{
	int k = 0;

	for (int c = 0; c < 256; c++) {
		if ((in[c] != 0) != want)
			continue;
		if (k > 0 && r[k - 1][1] == c - 1) {
			r[k - 1][1] = c;
			continue;
		}
		if (k == max)
			return max + 1;
		r[k][0] = r[k][1] = c;
		k++;
	}
	return k;
}

#define RUN_RANGES_MAX	4	/* more, and the scanner is the table alone */

/*
 * The class of run rule r and mw__run_NAME(p, pe): the first octet of
 * p[0..pe) not in the class, or pe. SSE2 compares 16 octets at a time
 * against the class's ranges (or its complement's, whichever are fewer),
 * never loading beyond pe; a table does the rest.
 */
static void
put_run(struct mwg_grammar *g, FILE *out, struct mwg_rule *r,
    const char *cap, const unsigned char *in)
{
	int rin[RUN_RANGES_MAX + 1][2], rout[RUN_RANGES_MAX + 1][2];
	int nin = class_ranges(in, 1, rin, RUN_RANGES_MAX);
	int nout = class_ranges(in, 0, rout, RUN_RANGES_MAX);
	int use_out = nout < nin, nr = use_out ? nout : nin;
	int (*rg)[2] = use_out ? rout : rin;

	fprintf(out, "/* %s (%s.abnf) is a run of one class of octets:",
	    r->name, g->files[r->file].base);
	for (int k = 0; k < nin && k < RUN_RANGES_MAX; k++)
		fprintf(out, " %02x-%02x", rin[k][0], rin[k][1]);
	if (nin > RUN_RANGES_MAX)
		fputs(" and more", out);
	fprintf(out, ".\n * mw__run_%s(p, pe): the first octet of p[0..pe) "
	    "not in it, or pe. */\n#define MW__RUN_%s 1\n"
	    "static inline const unsigned char *\n"
	    "mw__run_%s(const unsigned char *p, const unsigned char *pe)\n{\n"
	    "\tstatic const unsigned char in[256] = {", cap, cap, cap);
	for (int c = 0; c < 256; c++)
		fprintf(out, "%s%d,", c % 32 ? "" : "\n\t\t", in[c] != 0);
	fputs("\n\t};\n\n", out);
	if (nr <= RUN_RANGES_MAX && nr > 0) {
		fputs("#if defined(__SSE2__) && defined(__GNUC__)\n"
		    "\twhile (pe - p >= 16) {\n"
		    "\t\t__m128i v = _mm_loadu_si128((const __m128i *)"
		    "(const void *)p), t, m;\n\t\tunsigned k;\n\n", out);
		for (int k = 0; k < nr; k++) {
			fprintf(out, "\t\tt = _mm_sub_epi8(v, _mm_set1_epi8("
			    "(char)0x%02x));\n\t\t%s_mm_cmpeq_epi8("
			    "_mm_min_epu8(t, _mm_set1_epi8((char)0x%02x)), t)%s;\n",
			    rg[k][0], k ? "m = _mm_or_si128(m, " : "m = ",
			    rg[k][1] - rg[k][0], k ? ")" : "");
		}
		fprintf(out, "\t\tk = (unsigned)_mm_movemask_epi8(m)%s;\n"
		    "\t\tif (k != 0)\n"
		    "\t\t\treturn p + __builtin_ctz(k);\n"
		    "\t\tp += 16;\n\t}\n#endif\n",
		    use_out ? "" : " ^ 0xffffu");
	}
	fputs("\twhile (p < pe && in[*p])\n\t\tp++;\n\treturn p;\n}\n\n", out);
}

static FILE *
create(struct mwg_grammar *g, const char *dir, const char *name)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL) {
		fprintf(g->diag ? g->diag : stderr, "%s: cannot write\n", path);
		g->nerrors++;
	}
	return fp;
}

/* Files in an order where each comes after the files it uses. */
static int
order_files(struct emitter *e, int *order)
{
	struct mwg_grammar *g = e->g;
	int state[MWG_MAX_FILES] = { 0 }, n = 0, stack[MWG_MAX_FILES], sp;

	for (int f = 0; f < g->nfiles; f++) {
		if (g->files[f].library < 0 || state[f])
			continue;
		/* iterative DFS, post-order */
		sp = 0;
		stack[sp++] = f;
		state[f] = 1;
		while (sp > 0) {
			int top = stack[sp - 1], next = -1;

			for (int d = 0; d < g->nfiles; d++) {
				if (!g->files[top].deps[d])
					continue;
				if (state[d] == 1) {
					fprintf(g->diag ? g->diag : stderr,
					    "%s and %s use each other's rules; Ragel needs "
					    "a definition before its use, so one of them "
					    "must move\n", g->files[top].path,
					    g->files[d].path);
					g->nerrors++;
					return -1;
				}
				if (state[d] == 0) {
					next = d;
					break;
				}
			}
			if (next >= 0) {
				state[next] = 1;
				stack[sp++] = next;
			} else {
				state[top] = 2;
				order[n++] = top;
				sp--;
			}
		}
	}
	return n;
}

static void
file_deps(struct emitter *e, struct mwg_node *n, int p, int file)
{
	if (n->kind == N_REF) {
		struct mwg_rule *r = mwg_lookup(e->g, n->text, n->len, p);

		if (r == NULL)
			return;
		r = canonical(e->g, r);
		for (size_t i = 0; i < e->nunits; i++) {
			const struct unit *u = &e->units[i];

			if (u->r == r && u->profile == effective(e->g, r, p)) {
				if (u->file != file)
					e->g->files[file].deps[u->file] = 1;
				break;
			}
		}
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		file_deps(e, n->kids[i], p, file);
}

static int
prepare(struct emitter *e, struct mwg_grammar *g)
{
	memset(e, 0, sizeof(*e));
	e->g = g;
	e->np = g->nprofiles + 1;
	e->state = calloc(g->nrules * (size_t)e->np + 1, sizeof(int));
	if (e->state == NULL)
		abort();
	order_units(e);
	for (size_t i = 0; i < e->nunits; i++) {
		size_t n;
		struct mwg_node **alts = mwg_alts_ref(g, e->units[i].r,
		    e->units[i].profile, &n);

		for (size_t k = 0; k < n; k++)
			file_deps(e, alts[k], e->units[i].profile, e->units[i].file);
	}
	return 0;
}

int
mwg_emit_ragel(struct mwg_grammar *g, const char *outdir)
{
	struct emitter e;
	int order[MWG_MAX_FILES], n;
	FILE *out;
	char cap[256];

	prepare(&e, g);
	if ((n = order_files(&e, order)) < 0)
		goto done;
	for (int k = 0; k < n; k++) {
		int f = order[k];
		char fname[300];

		snprintf(fname, sizeof(fname), "%s.rl", g->files[f].base);
		if ((out = create(g, outdir, fname)) == NULL)
			goto done;
		fprintf(out, "# Generated by mwgen from %s; do not edit.\n%%%%{\n"
		    "machine %s;\n\n", g->files[f].path, g->files[f].base);
		for (size_t i = 0; i < e.nunits; i++)
			if (e.units[i].file == f)
				put_unit(&e, out, &e.units[i]);
		fputs("}%%\n", out);
		fclose(out);
	}
	if ((out = create(g, outdir, "captures.rl")) == NULL)
		goto done;
	fputs("# Generated by mwgen from the captures list and the leniencies;\n"
	    "# do not edit. The including file defines MW_CAPTURE_ENTER(id),\n"
	    "# MW_CAPTURE_LEAVE(id) and MW_LENIENT(id) (a condition: is the\n"
	    "# leniency on?); ids are in captures.h.\n%%{\n"
	    "machine captures;\n\n", out);
	for (int i = 0; i < g->nleniencies; i++) {
		plain_name(g->leniencies[i], cap, sizeof(cap));
		fprintf(out, "action mw_lenient_%s { MW_LENIENT(MW__LENIENT_%s) }\n",
		    cap, cap);
	}
	for (size_t i = 0; i < g->ncaptures; i++) {
		plain_name(g->captures[i], cap, sizeof(cap));
		fprintf(out, "action mw_enter_%s { MW_CAPTURE_ENTER(MW__CAP_%s); }\n"
		    "action mw_leave_%s { MW_CAPTURE_LEAVE(MW__CAP_%s); }\n",
		    cap, cap, cap, cap);
	}
	fputs("}%%\n", out);
	fclose(out);
	if ((out = create(g, outdir, "captures.h")) == NULL)
		goto done;
	fputs("/* Generated by mwgen from the captures list; do not edit. */\n"
	    "#ifndef MW__CAPTURES_H\n#define MW__CAPTURES_H\n\nenum mw__capture {\n",
	    out);
	for (size_t i = 0; i < g->ncaptures; i++) {
		plain_name(g->captures[i], cap, sizeof(cap));
		fprintf(out, "\tMW__CAP_%s,\n", cap);
	}
	fputs("\tMW__CAP_COUNT\n};\n\nenum mw__lenient {\n", out);
	for (int i = 0; i < g->nleniencies; i++) {
		plain_name(g->leniencies[i], cap, sizeof(cap));
		fprintf(out, "\tMW__LENIENT_%s,\n", cap);
	}
	fputs("\tMW__LENIENT_COUNT\n};\n\n", out);
	/* the captured rules that are runs of one class of octets */
	for (size_t i = 0, first = 1; i < g->ncaptures; i++) {
		struct mwg_rule *r = mwg_lookup(g, g->captures[i],
		    strlen(g->captures[i]), -1);
		unsigned char in[256];

		if (r == NULL || !run_class(g, r, in))
			continue;
		if (first) {
			fputs("#if defined(__SSE2__) && defined(__GNUC__)\n"
			    "#include <emmintrin.h>\n#endif\n\n", out);
			first = 0;
		}
		plain_name(g->captures[i], cap, sizeof(cap));
		put_run(g, out, r, cap, in);
	}
	fputs("#endif\n", out);
	fclose(out);
	if ((out = create(g, outdir, "grammar.rl")) == NULL)
		goto done;
	fputs("# Generated by mwgen; do not edit. Include this machine: it\n"
	    "# includes every grammar file after the files whose rules it uses.\n"
	    "%%{\nmachine grammar;\n\ninclude captures \"captures.rl\";\n", out);
	for (int k = 0; k < n; k++)
		fprintf(out, "include %s \"%s.rl\";\n", g->files[order[k]].base,
		    g->files[order[k]].base);
	fputs("}%%\n", out);
	fclose(out);
done:
	free(e.units);
	free(e.state);
	return g->nerrors ? -1 : 0;
}

/*
 * A test harness: one machine per start rule and per profile variant of it,
 * each with a function that says whether a whole input is accepted.
 */
int
mwg_emit_acceptor(struct mwg_grammar *g, FILE *out)
{
	char name[300];
	size_t k = 0;

	fputs("/* Generated by mwgen acceptor; do not edit. */\n"
	    "#include <stddef.h>\n#include \"accept.h\"\n#include \"captures.h\"\n\n"
	    "#define MW_CAPTURE_ENTER(id) ((void)(id))\n"
	    "#define MW_CAPTURE_LEAVE(id) ((void)(id))\n"
	    "#define MW_LENIENT(id) ((mwg_lenient_mask >> (id)) & 1u)\n\n"
	    "unsigned mwg_lenient_mask;\n\n", out);
	for (size_t i = 0; i < g->nrules; i++) {
		struct mwg_rule *r = g->rules[i];

		if (!r->start)
			continue;
		for (int p = -1; p < g->nprofiles; p++) {
			if (p >= 0 && r->profile != p && !mwg_affected(g, r, p))
				continue;
			if (p < 0 && r->profile >= 0)
				continue;
			mwg_ragel_name(g, r, p, name, sizeof(name));
			fprintf(out, "%%%%{\nmachine acc_%zu;\nalphtype unsigned char;\n"
			    "include grammar \"grammar.rl\";\nmain := %s;\n"
			    "write data noerror noentry;\n}%%%%\n\n"
			    "static int\naccept_%zu(const unsigned char *p, size_t n)\n{\n"
			    "\tconst unsigned char *pe = p + n, *eof = pe;\n\tint cs;\n\n"
			    "\t%%%% write init;\n\t%%%% write exec;\n\t(void)eof;\n"
			    "\treturn cs >= acc_%zu_first_final;\n}\n\n", k, name, k, k);
			k++;
		}
	}
	fputs("const struct mwg_acceptor mwg_acceptors[] = {\n", out);
	k = 0;
	for (size_t i = 0; i < g->nrules; i++) {
		struct mwg_rule *r = g->rules[i];

		if (!r->start)
			continue;
		for (int p = -1; p < g->nprofiles; p++) {
			if (p >= 0 && r->profile != p && !mwg_affected(g, r, p))
				continue;
			if (p < 0 && r->profile >= 0)
				continue;
			fprintf(out, "\t{ \"%s\", %s%s%s, accept_%zu },\n", r->name,
			    p >= 0 ? "\"" : "", p >= 0 ? g->profiles[p] : "NULL",
			    p >= 0 ? "\"" : "", k);
			k++;
		}
	}
	fputs("\t{ NULL, NULL, NULL }\n};\n", out);
	return 0;
}
