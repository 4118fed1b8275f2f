/*
 * gen/runs.c: mwgen runs, a pass over the C that Ragel's -G2 style wrote
 * for a machine. A state that goes to itself, with no action, on a set of
 * octets (a Domain label's letters and digits, an Atom's atext, ...) reads
 * a run of them one octet at a time, each through the state's comparisons.
 * This pass reads the machine from Ragel's XML (ragel -x: every state's
 * transitions as key ranges, target and action) and puts, at the head of
 * each such state, a loop that skips the run with a table lookup an octet:
 * the state after the run, and the actions done, are those of reading the
 * octets one by one, since each of them was that self-transition. Octets
 * with a condition (a leniency) are left to the state's own code. Nothing
 * here knows any syntax: the sets are the machine's.
 *
 * Usage: mwgen runs [--pure MACHINE]... MACHINE.xml IN.c OUT.c
 * --pure MACHINE: the including file defines the capture hooks of that
 * machine (the generated actions mw_enter_RULE and mw_leave_RULE) to do
 * nothing, so a self-loop with only those is a run too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abnf.h"

#define MAX_SETS	32	/* one bit each in the table */
#define MAX_ACTIONS	4096

struct loop {
	char		 machine[64];
	long		 state;
	int		 set;		/* index into sets */
	int		 placed;	/* put in the code (once per "write exec") */
};

struct runs {
	const char	*const *pure;	/* machines whose hooks do nothing */
	int		 npure;
	/* of the machine being read: which actions do nothing, and which
	 * action tables hold only those */
	uint8_t		 empty_action[MAX_ACTIONS];
	uint8_t		 empty_table[MAX_ACTIONS];
	uint8_t		 sets[MAX_SETS][32];	/* bitmaps of octets */
	int		 nsets;
	struct loop	*loops;
	size_t		 nloops, cap;
};

static int
bit(const uint8_t *m, int c)
{
	return (m[c >> 3] >> (c & 7)) & 1;
}

static int
count(const uint8_t *m)
{
	int n = 0;

	for (int c = 0; c < 256; c++)
		n += bit(m, c);
	return n;
}

static int
add_loop(struct runs *r, const char *machine, long state, const uint8_t *m)
{
	int k;

	for (k = 0; k < r->nsets; k++)
		if (memcmp(r->sets[k], m, 32) == 0)
			break;
	if (k == r->nsets) {
		if (r->nsets == MAX_SETS)
			return 0;	/* past the table's bits: left as it is */
		memcpy(r->sets[r->nsets++], m, 32);
	}
	if (r->nloops == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->loops = realloc(r->loops, r->cap * sizeof(*r->loops));
		if (r->loops == NULL)
			return -1;
	}
	snprintf(r->loops[r->nloops].machine, sizeof(r->loops[0].machine),
	    "%s", machine);
	r->loops[r->nloops].state = state;
	r->loops[r->nloops].set = k;
	r->loops[r->nloops].placed = 0;
	r->nloops++;
	return 0;
}

static int
is_pure(const struct runs *r, const char *machine)
{
	for (int i = 0; i < r->npure; i++)
		if (strcmp(r->pure[i], machine) == 0)
			return 1;
	return 0;
}

/* The self-loops of every state of every machine in Ragel's XML. */
static int
read_xml(struct runs *r, FILE *f)
{
	char line[4096], machine[64] = "", name[64];
	uint8_t self[32], cond[32];
	long state = -1, lo, hi, targ, id;
	char act[32];
	int off;

	while (fgets(line, sizeof(line), f) != NULL) {
		const char *s = line + strspn(line, " \t");

		if (sscanf(s, "<ragel_def name=\"%63[^\"]\"", machine) == 1) {
			memset(r->empty_action, 0, sizeof(r->empty_action));
			memset(r->empty_table, 0, sizeof(r->empty_table));
			continue;
		}
		if (sscanf(s, "<action id=\"%ld\" name=\"%63[^\"]\"", &id, name)
		    == 2) {
			if (id >= 0 && id < MAX_ACTIONS && is_pure(r, machine) &&
			    (strncmp(name, "mw_enter_", 9) == 0 ||
			    strncmp(name, "mw_leave_", 9) == 0))
				r->empty_action[id] = 1;
			continue;
		}
		if (sscanf(s, "<action_table id=\"%ld\" length=\"%ld\">%n", &id,
		    &lo, &off) == 2 && id >= 0 && id < MAX_ACTIONS) {
			const char *a = s + off;
			char *end;
			long x;
			int all = 1;

			while ((x = strtol(a, &end, 10)), end != a) {
				if (x < 0 || x >= MAX_ACTIONS || !r->empty_action[x])
					all = 0;
				a = end;
			}
			r->empty_table[id] = (uint8_t)all;
			continue;
		}
		if (sscanf(s, "<state id=\"%ld\"", &state) == 1) {
			memset(self, 0, sizeof(self));
			memset(cond, 0, sizeof(cond));
			continue;
		}
		if (state < 0)
			continue;
		if (sscanf(s, "<c>%ld %ld", &lo, &hi) == 2) {
			for (long c = lo; c <= hi && c < 256; c++)
				if (c >= 0)
					cond[c >> 3] |= (uint8_t)(1u << (c & 7));
			continue;
		}
		if (sscanf(s, "<t>%ld %ld %ld %31[^<]", &lo, &hi, &targ, act) == 4) {
			if (targ == state && (strcmp(act, "x") == 0 ||
			    ((id = strtol(act, NULL, 10)) >= 0 &&
			    id < MAX_ACTIONS && r->empty_table[id])))
				for (long c = lo; c <= hi && c < 256; c++)
					if (c >= 0)
						self[c >> 3] |= (uint8_t)(1u << (c & 7));
			continue;
		}
		if (strncmp(s, "</state>", 8) == 0) {
			for (int i = 0; i < 32; i++)
				self[i] &= (uint8_t)~cond[i];
			/* a single octet repeated is rare: not worth the test */
			if (count(self) >= 2 && add_loop(r, machine, state, self) < 0)
				return -1;
			state = -1;
		}
	}
	return 0;
}

static struct loop *
find(const struct runs *r, const char *machine, long state)
{
	for (size_t i = 0; i < r->nloops; i++)
		if (r->loops[i].state == state &&
		    strcmp(r->loops[i].machine, machine) == 0)
			return &r->loops[i];
	return NULL;
}

static void
table(const struct runs *r, FILE *out)
{
	const char *type = r->nsets <= 8 ? "unsigned char" :
	    r->nsets <= 16 ? "unsigned short" : "unsigned long";

	fprintf(out, "/* mwgen runs: bit k of an octet's entry: it is in run "
	    "set k */\nstatic const %s mw__runs[256] = {", type);
	for (int c = 0; c < 256; c++) {
		unsigned long v = 0;

		for (int k = 0; k < r->nsets; k++)
			if (bit(r->sets[k], c))
				v |= 1ul << k;
		fprintf(out, "%s%lu%s", c % 16 ? " " : "\n\t", v,
		    c < 255 ? "," : "\n};\n");
	}
}

/*
 * Where each action block "trK:" of the -G2 code goes at its end (its last
 * "goto stN;"): a self-transition with actions is "goto trK;" from the
 * state's code to a block that ends in "goto stN;".
 */
struct trs {
	long	*to;		/* by K; -1: none */
	size_t	 n, cap;
};

static int
read_trs(struct trs *t, FILE *f)
{
	char line[4096];
	long k = -1, st;

	while (fgets(line, sizeof(line), f) != NULL) {
		const char *g;

		if (sscanf(line, "tr%ld:", &k) == 1 && line[0] == 't') {
			if ((size_t)k >= t->cap) {
				size_t cap = 2 * (size_t)k + 64;
				long *to = realloc(t->to, cap * sizeof(*to));

				if (to == NULL)
					return -1;
				for (size_t i = t->cap; i < cap; i++)
					to[i] = -1;
				t->to = to;
				t->cap = cap;
			}
			continue;
		}
		if (line[0] != '\t' && line[0] != '#' && line[0] != ' ')
			k = -1;		/* another label: the block ended */
		if (k >= 0 && (g = strstr(line, "goto st")) != NULL &&
		    sscanf(g, "goto st%ld;", &st) == 1)
			t->to[k] = st;
	}
	return ferror(f) ? -1 : 0;
}

/* Whether a line of a state's code goes to state st: "goto stN;", or
 * "goto trK;" whose block ends in "goto stN;". */
static int
goes_to(const struct trs *t, const char *line, long st)
{
	const char *g = line;
	long n;

	while ((g = strstr(g, "goto ")) != NULL) {
		g += 5;
		if (sscanf(g, "st%ld;", &n) == 1 && n == st)
			return 1;
		if (sscanf(g, "tr%ld;", &n) == 1 && n >= 0 &&
		    (size_t)n < t->cap && t->to[n] == st)
			return 1;
	}
	return 0;
}

/* A label of the -G2 code at column 0: "st12:", "tr7:", "case 12:" */
static int
label(const char *line)
{
	size_t n = strcspn(line, "\n");

	if (!((line[0] >= 'a' && line[0] <= 'z') || line[0] == '_'))
		return 0;
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	return n > 1 && line[n - 1] == ':' && memchr(line, ';', n) == NULL;
}

int
mwg_runs(const char *const *pure, int npure, const char *xml, const char *in,
    const char *outp, FILE *err)
{
	static struct runs r;
	FILE *fx, *fi, *fo;
	char line[4096], machine[64] = "", name[64];
	struct trs tr = { NULL, 0, 0 };
	int rc = -1, tabled = 0, seen = 0;
	long st, pending = -1;
	size_t placed = 0;

	memset(&r, 0, sizeof(r));
	r.pure = pure;
	r.npure = npure;
	if ((fx = fopen(xml, "r")) == NULL) {
		fprintf(err, "mwgen: %s: cannot open\n", xml);
		return -1;
	}
	if (read_xml(&r, fx) < 0) {
		fclose(fx);
		fprintf(err, "mwgen: out of memory\n");
		return -1;
	}
	fclose(fx);
	if ((fi = fopen(in, "r")) == NULL) {
		fprintf(err, "mwgen: %s: cannot open\n", in);
		goto done;
	}
	if (read_trs(&tr, fi) < 0) {
		fclose(fi);
		fprintf(err, "mwgen: out of memory\n");
		goto done;
	}
	rewind(fi);
	if ((fo = fopen(outp, "w")) == NULL) {
		fclose(fi);
		fprintf(err, "mwgen: %s: cannot write\n", outp);
		goto done;
	}
	while (fgets(line, sizeof(line), fi) != NULL) {
		struct loop *l;
		const char *q;
		char tail[8];

		/* Ragel writes each machine's data (its NAME_start first)
		 * before the code that runs it */
		if (sscanf(line, "static const int %63[A-Za-z0-9_] =", name) == 1) {
			size_t n = strlen(name);

			if (n > 6 && strcmp(name + n - 6, "_start") == 0) {
				name[n - 6] = '\0';
				snprintf(machine, sizeof(machine), "%s", name);
				if (!tabled && r.nsets > 0) {
					table(&r, fo);
					tabled = 1;
				}
			}
		}
		/* Ragel's own line references name the file it wrote: name
		 * the one this pass writes instead */
		if (strncmp(line, "#line ", 6) == 0 && (q = strstr(line, in)) != NULL &&
		    q[-1] == '"' && q[strlen(in)] == '"')
			fprintf(fo, "%.*s%s%s", (int)(q - line), line, outp,
			    q + strlen(in));
		else
			fputs(line, fo);
		/* The code of a state given a loop must go to the state
		 * itself: else Ragel's XML and its C disagree on numbering,
		 * and the build stops rather than skip in the wrong state. */
		if (pending >= 0 && (label(line) ||
		    strncmp(line + strspn(line, "\t"), "_test_eof", 9) == 0)) {
			if (!seen)
				break;
			pending = -1;
		}
		if (pending >= 0 && goes_to(&tr, line, pending))
			seen = 1;
		/* a state's entry in the -G2 code: "case N:" at column 0 */
		if (sscanf(line, "case %ld%7s", &st, tail) == 2 &&
		    strcmp(tail, ":") == 0 &&
		    (l = find(&r, machine, st)) != NULL) {
			fprintf(fo, "\tif ( mw__runs[(*p)] & %luu ) {\n"
			    "\t\tdo {\n"
			    "\t\t\tif ( ++p == pe )\n"
			    "\t\t\t\tgoto _test_eof%ld;\n"
			    "\t\t} while ( mw__runs[(*p)] & %luu );\n"
			    "\t}\n", 1ul << l->set, st, 1ul << l->set);
			pending = st;
			seen = 0;
			l->placed = 1;
		}
	}
	for (size_t i = 0; i < r.nloops; i++)
		placed += r.loops[i].placed != 0;
	if ((pending >= 0 && !seen) || placed != r.nloops) {
		fprintf(err, "mwgen: %s: state %ld: the XML's self-loops and the "
		    "C code disagree (%zu of %zu loops placed)\n", in,
		    pending, placed, r.nloops);
		fclose(fi);
		fclose(fo);
		remove(outp);
		goto done;
	}
	rc = ferror(fi) || ferror(fo) ? -1 : 0;
	fclose(fi);
	if (fclose(fo) != 0)
		rc = -1;
	if (rc < 0)
		fprintf(err, "mwgen: %s: write error\n", outp);
done:
	free(r.loops);
	free(tr.to);
	return rc;
}
