/*
 * tests/test_gen_parse.c: the ABNF parser and grammar model of mwgen
 * (gen/parse.c, gen/grammar.c): every RFC 5234 / RFC 7405 construct as a
 * node tree, =/ alternatives, prose placeholders, comments, continuation
 * lines, rule-name case, the mailwire directives and profiles; then the
 * checks, the sentence generator, the dictionary and the Ragel output.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "abnf.h"
#include "check.h"

/* ---- helpers ---- */

static char diagbuf[1 << 16];

/* A grammar whose diagnostics go to a temporary file. */
static struct mwg_grammar *
gnew(void)
{
	FILE *diag = tmpfile();

	if (diag == NULL) {
		perror("tmpfile");
		exit(2);
	}
	return mwg_new(diag);
}

static int
add(struct mwg_grammar *g, const char *path, const char *text)
{
	return mwg_add_text(g, path, text, strlen(text));
}

/* A grammar of one file; *ok says it parsed and checked without error. */
static struct mwg_grammar *
one(const char *text, int *ok)
{
	struct mwg_grammar *g = gnew();
	int r = add(g, "t.abnf", text);

	*ok = r == 0 && g->nerrors == 0 && mwg_check(g) == 0 &&
	    g->nerrors == 0;
	return g;
}

/* Everything written to the grammar's diagnostics so far. */
static const char *
diag(struct mwg_grammar *g)
{
	size_t n;

	if (g->diag == NULL)
		return "";
	fflush(g->diag);
	rewind(g->diag);
	n = fread(diagbuf, 1, sizeof(diagbuf) - 1, g->diag);
	diagbuf[n] = '\0';
	fseek(g->diag, 0, SEEK_END);
	return diagbuf;
}

static void
gfree(struct mwg_grammar *g)
{
	if (g->diag != NULL)
		fclose(g->diag);
	mwg_free(g);
}

/* Writes text to a new temporary file; the caller unlinks path. */
static void
tmpwrite(char *path, size_t n, const char *text)
{
	int fd;

	snprintf(path, n, "/tmp/mwgen-test-XXXXXX");
	if ((fd = mkstemp(path)) < 0) {
		perror("mkstemp");
		exit(2);
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror("write");
		exit(2);
	}
	close(fd);
}

/* Reads a start (or captures) list given as text. */
static void
list(struct mwg_grammar *g, const char *text, int captures)
{
	char path[64];

	tmpwrite(path, sizeof(path), text);
	mwg_read_list(g, path, captures);
	unlink(path);
}

static struct mwg_rule *
rule(struct mwg_grammar *g, const char *name, int profile)
{
	return mwg_lookup(g, name, strlen(name), profile);
}

/* The alternatives of a rule, or 0 if it is missing. */
static size_t
alts(struct mwg_grammar *g, const char *name, int profile,
    struct mwg_node **out, size_t max)
{
	struct mwg_rule *r = rule(g, name, profile);

	return r ? mwg_alts(g, r, profile, out, max) : 0;
}

/* The only alternative of a base rule, or NULL. */
static struct mwg_node *
only(struct mwg_grammar *g, const char *name)
{
	struct mwg_node *a[8];

	return alts(g, name, -1, a, 8) == 1 ? a[0] : NULL;
}

/* The first definition (=, =/ or placeholder) named name, as written. */
static struct mwg_def *
def(struct mwg_grammar *g, const char *name)
{
	for (size_t i = 0; i < g->ndefs; i++)
		if (strcmp(g->defs[i]->name, name) == 0)
			return g->defs[i];
	return NULL;
}

static int
is_char(const struct mwg_node *n, const char *text, int ci)
{
	return n != NULL && n->kind == N_CHAR && n->len == strlen(text) &&
	    memcmp(n->text, text, n->len) == 0 && n->ci == ci;
}

static int
is_ref(const struct mwg_node *n, const char *name)
{
	return n != NULL && n->kind == N_REF && strcmp(n->text, name) == 0 &&
	    n->len == strlen(name);
}

static int
is_range(const struct mwg_node *n, unsigned long lo, unsigned long hi)
{
	return n != NULL && n->kind == N_RANGE && n->lo == lo && n->hi == hi;
}

static int
is_rep(const struct mwg_node *n, int min, int max)
{
	return n != NULL && n->kind == N_REP && n->min == min &&
	    n->max == max && n->nkids == 1;
}

static int
is_seq(const struct mwg_node *n, size_t nv, ...)
{
	va_list ap;
	int ok;

	if (n == NULL || n->kind != N_SEQ || n->nvals != nv)
		return 0;
	ok = 1;
	va_start(ap, nv);
	for (size_t i = 0; i < nv; i++)
		if (n->vals[i] != va_arg(ap, unsigned long))
			ok = 0;
	va_end(ap);
	return ok;
}

static struct mwg_node *
kid(const struct mwg_node *n, size_t i)
{
	return n != NULL && i < n->nkids ? n->kids[i] : NULL;
}

/* ---- the model of each construct ---- */

static void
test_alternation_concatenation(void)
{
	struct mwg_node *a[8], *n;
	int ok;
	struct mwg_grammar *g = one("; @library\n"
	    "alt = \"x\" / \"y\" / ref\n"
	    "cat = \"x\" ref \"y\"\n"
	    "mix = \"a\" \"b\" / ref / \"c\" ref\n"
	    "ref = \"r\"\n", &ok);

	CHECK(ok, "alternation/concatenation grammar checks: %s", diag(g));
	CHECK(alts(g, "alt", -1, a, 8) == 3 && is_char(a[0], "x", 1) &&
	    is_char(a[1], "y", 1) && is_ref(a[2], "ref"),
	    "alternation: three alternatives \"x\", \"y\", ref");
	n = def(g, "alt") ? def(g, "alt")->alt : NULL;
	CHECK(n != NULL && n->kind == N_ALT && n->nkids == 3,
	    "alternation: the definition is an N_ALT of 3");
	n = only(g, "cat");
	CHECK(n != NULL && n->kind == N_CAT && n->nkids == 3 &&
	    is_char(kid(n, 0), "x", 1) && is_ref(kid(n, 1), "ref") &&
	    is_char(kid(n, 2), "y", 1),
	    "concatenation: one N_CAT of \"x\" ref \"y\"");
	CHECK(alts(g, "mix", -1, a, 8) == 3 && a[0]->kind == N_CAT &&
	    a[0]->nkids == 2 && is_ref(a[1], "ref") && a[2]->kind == N_CAT &&
	    is_ref(kid(a[2], 1), "ref"),
	    "concatenation binds tighter than alternation");
	CHECK(is_ref(only(g, "cat") ? kid(only(g, "cat"), 1) : NULL, "ref") &&
	    only(g, "ref") != NULL && is_char(only(g, "ref"), "r", 1),
	    "a single element is not wrapped in an N_CAT");
	gfree(g);
}

static void
test_groups_options(void)
{
	struct mwg_node *n, *m;
	int ok;
	struct mwg_grammar *g = one("; @library\n"
	    "grp = \"x\" (\"y\" / \"z\") \"w\"\n"
	    "one = (\"x\")\n"
	    "opt = [\"x\"]\n"
	    "opt2 = \"a\" [\"b\" \"c\" / \"d\"]\n"
	    "nest = ((\"a\" / [\"b\"]) \"c\")\n", &ok);

	CHECK(ok, "group/option grammar checks: %s", diag(g));
	n = only(g, "grp");
	m = kid(n, 1);
	CHECK(n != NULL && n->kind == N_CAT && n->nkids == 3 && m != NULL &&
	    m->kind == N_ALT && m->nkids == 2 && is_char(kid(m, 0), "y", 1) &&
	    is_char(kid(m, 1), "z", 1), "group: (\"y\" / \"z\") is an N_ALT "
	    "of two inside the N_CAT");
	n = only(g, "one");
	CHECK(n != NULL && n->kind == N_ALT && n->nkids == 1 &&
	    is_char(kid(n, 0), "x", 1), "group of one: an N_ALT of one");
	n = only(g, "opt");
	CHECK(is_rep(n, 0, 1) && kid(n, 0)->kind == N_ALT &&
	    is_char(kid(kid(n, 0), 0), "x", 1),
	    "option [\"x\"]: N_REP 0..1 of the N_ALT");
	n = only(g, "opt2");
	m = kid(n, 1);
	CHECK(n != NULL && n->kind == N_CAT && is_rep(m, 0, 1) &&
	    kid(m, 0)->nkids == 2 && kid(kid(m, 0), 0)->kind == N_CAT &&
	    is_char(kid(kid(m, 0), 1), "d", 1),
	    "option with an alternation inside: [\"b\" \"c\" / \"d\"]");
	n = only(g, "nest");
	m = kid(n, 0);	/* (("a" / ["b"]) "c"): the group's only N_CAT */
	CHECK(n != NULL && n->kind == N_ALT && m != NULL && m->kind == N_CAT &&
	    kid(m, 0)->kind == N_ALT && is_rep(kid(kid(m, 0), 1), 0, 1),
	    "nested groups and options");
	gfree(g);
}

static void
test_repeats(void)
{
	static const struct {
		const char	*name;
		int		 min, max;
	} want[] = {
		{ "r-star", 0, -1 },
		{ "r-one", 1, -1 },
		{ "r-upto", 0, 3 },
		{ "r-range", 2, 5 },
		{ "r-exact", 3, 3 },
		{ "r-opt", 0, 1 },
		{ "r-atleast", 3, -1 },
		{ "r-onlyone", 1, 1 },
		{ "r-big", 65535, 65535 },
		{ "r-bigmax", 0, 65535 },
		{ "r-zeros", 2, 10 },
	};
	struct mwg_node *n;
	int ok;
	struct mwg_grammar *g = one("; @library\n"
	    "r-star = *\"x\"\n"
	    "r-one = 1*\"x\"\n"
	    "r-upto = *3\"x\"\n"
	    "r-range = 2*5\"x\"\n"
	    "r-exact = 3\"x\"\n"
	    "r-opt = 0*1\"x\"\n"
	    "r-atleast = 3*\"x\"\n"
	    "r-onlyone = 1*1\"x\"\n"
	    "r-big = 65535\"x\"\n"
	    "r-bigmax = *65535\"x\"\n"
	    "r-zeros = 002*010\"x\"\n"
	    "r-elems = *r-star 2(\"a\" / \"b\") 1*[\"c\"] *%x41 2<p>\n", &ok);

	/* r-elems has a prose value inside: only that error */
	CHECK(!ok && g->nerrors == 1 && strstr(diag(g), "t.abnf:13:") &&
	    strstr(diag(g), "prose value inside a rule"),
	    "repeat grammar: only the prose value in r-elems is an error");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		n = only(g, want[i].name);
		CHECK(is_rep(n, want[i].min, want[i].max) &&
		    is_char(kid(n, 0), "x", 1),
		    "repeat %s: N_REP %d..%d of \"x\" (got %d..%d)", want[i].name,
		    want[i].min, want[i].max, n ? n->min : -9, n ? n->max : -9);
	}
	n = only(g, "r-elems");
	CHECK(n != NULL && n->kind == N_CAT && n->nkids == 5 &&
	    is_rep(kid(n, 0), 0, -1) && is_ref(kid(kid(n, 0), 0), "r-star") &&
	    is_rep(kid(n, 1), 2, 2) && kid(kid(n, 1), 0)->kind == N_ALT &&
	    is_rep(kid(n, 2), 1, -1) && is_rep(kid(kid(n, 2), 0), 0, 1) &&
	    is_rep(kid(n, 3), 0, -1) && is_range(kid(kid(n, 3), 0), 0x41, 0x41) &&
	    is_rep(kid(n, 4), 2, 2) && kid(kid(n, 4), 0)->kind == N_PROSE,
	    "repeats of a rule, a group, an option, a num-val and prose");
	gfree(g);
}

static void
test_charvals(void)
{
	struct mwg_node *a[8];
	int ok;
	struct mwg_grammar *g = one("; @library\n"
	    "s = \"abc\" / %s\"AbC\" / %i\"AbC\" / %S\"x\" / %I\"y\" / \"\" / "
	    "\" !#~\" / %s\"\"\n", &ok);

	CHECK(ok, "char-val grammar checks: %s", diag(g));
	CHECK(alts(g, "s", -1, a, 8) == 8, "char-vals: 8 alternatives");
	CHECK(is_char(a[0], "abc", 1), "\"abc\" is case-insensitive "
	    "(RFC 5234 2.3)");
	CHECK(is_char(a[1], "AbC", 0), "%%s\"AbC\" is case-sensitive "
	    "(RFC 7405)");
	CHECK(is_char(a[2], "AbC", 1), "%%i\"AbC\" is case-insensitive "
	    "(RFC 7405)");
	CHECK(is_char(a[3], "x", 0), "%%S\"x\": the prefix's case does not "
	    "matter");
	CHECK(is_char(a[4], "y", 1), "%%I\"y\" is case-insensitive");
	CHECK(is_char(a[5], "", 1) && a[5]->text != NULL &&
	    a[5]->text[0] == '\0', "\"\" is an empty N_CHAR");
	CHECK(is_char(a[6], " !#~", 1), "\" !#~\": the edges of %%x20-21 / "
	    "%%x23-7E");
	CHECK(is_char(a[7], "", 0), "%%s\"\" is an empty case-sensitive N_CHAR");
	CHECK(a[1]->text[3] == '\0', "N_CHAR text is NUL-terminated");
	gfree(g);
}

static void
test_numvals(void)
{
	struct mwg_node *a[24];
	int ok;
	struct mwg_grammar *g = one("; @library\n"
	    "n = %b1010 / %b1010-1111 / %b1.10.11 / %B0\n"
	    "  / %d65-90 / %d13.10 / %d0 / %D255\n"
	    "  / %x0D.0A / %x41-5A / %xff / %XfF-Ff / %x0\n"
	    "  / %x48.45.4C.4C.4F / %d007 / %x00000041\n", &ok);
	size_t k = alts(g, "n", -1, a, 24);

	CHECK(ok, "num-val grammar checks: %s", diag(g));
	CHECK(k == 16, "num-vals: 16 alternatives (got %zu)", k);
	if (k != 16) {
		gfree(g);
		return;
	}
	CHECK(is_range(a[0], 10, 10), "%%b1010 = 10");
	CHECK(is_range(a[1], 10, 15), "%%b1010-1111 = 10..15");
	CHECK(is_seq(a[2], 3, 1UL, 2UL, 3UL), "%%b1.10.11 = N_SEQ {1,2,3}");
	CHECK(is_range(a[3], 0, 0), "%%B0 = 0");
	CHECK(is_range(a[4], 65, 90), "%%d65-90 = 65..90");
	CHECK(is_seq(a[5], 2, 13UL, 10UL), "%%d13.10 = N_SEQ {13,10}");
	CHECK(is_range(a[6], 0, 0), "%%d0 = 0");
	CHECK(is_range(a[7], 255, 255), "%%D255 = 255");
	CHECK(is_seq(a[8], 2, 13UL, 10UL), "%%x0D.0A = N_SEQ {13,10}");
	CHECK(is_range(a[9], 0x41, 0x5a), "%%x41-5A = 0x41..0x5A");
	CHECK(is_range(a[10], 255, 255), "%%xff = 255 (lower case digits)");
	CHECK(is_range(a[11], 255, 255), "%%XfF-Ff = 255..255");
	CHECK(is_range(a[12], 0, 0), "%%x0 = 0");
	CHECK(is_seq(a[13], 5, 0x48UL, 0x45UL, 0x4cUL, 0x4cUL, 0x4fUL),
	    "%%x48.45.4C.4C.4F = \"HELLO\" as an N_SEQ");
	CHECK(is_range(a[14], 7, 7), "%%d007 = 7");
	CHECK(is_range(a[15], 0x41, 0x41), "%%x00000041 = 0x41");
	gfree(g);
}

/* Values the parser accepts but the checks reject, and parse errors. */
static void
test_value_errors(void)
{
	static const struct {
		const char	*text;
		const char	*msg;
	} bad[] = {
		{ "a = %x100\n", "value %x100 is beyond one octet" },
		{ "a = %x41-100\n", "value %x100 is beyond one octet" },
		{ "a = %x41.1FF\n", "value %x1FF is beyond one octet" },
		{ "a = %d256\n", "beyond one octet" },
		{ "a = %b100000000\n", "beyond one octet" },
		{ "a = %x7FFFFFFF\n", "value %x7FFFFFFF is beyond one octet" },
		{ "a = %x80000000\n", "numeric value too large" },
		{ "a = %d99999999999999999999\n", "numeric value too large" },
		{ "a = %x5A-41\n", "range runs backwards" },
		{ "a = %d2-1\n", "range runs backwards" },
		{ "a = 5*3\"x\"\n", "repeat minimum is larger than its maximum" },
		{ "a = 65536\"x\"\n", "repeat count too large" },
		{ "a = 1*65536\"x\"\n", "repeat count too large" },
		{ "a = 99999999999999999999*\"x\"\n", "repeat count too large" },
		{ "a = *0\"x\"\n", "a repeat of at most 0 matches nothing" },
		{ "a = 0\"x\"\n", "a repeat of at most 0 matches nothing" },
		{ "a = 3 \"x\"\n", "a repeat must be followed directly" },
		{ "a = 3\n", "expected an element, found the end of the rule" },
		{ "a = \"x\" *\n", "expected an element, found the end" },
		{ "a = \"a\"\"b\"\n", "must be separated by white space" },
		{ "a = (\"a\")\"b\"\n", "must be separated by white space" },
		{ "a = \"a\"(\"b\")\n", "must be separated by white space" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ok;
		struct mwg_grammar *g = one(bad[i].text, &ok);

		CHECK(!ok && g->nerrors == 1 && strstr(diag(g), bad[i].msg),
		    "'%.*s' is one error: %s", (int)strlen(bad[i].text) - 1,
		    bad[i].text, bad[i].msg);
		gfree(g);
	}
}

static void
test_depth(void)
{
	char text[2048];
	size_t n;
	int ok;
	struct mwg_grammar *g;
	struct mwg_node *p;
	int depth;

	for (int deep = MWG_MAX_DEPTH; deep <= MWG_MAX_DEPTH + 1; deep++) {
		n = (size_t)snprintf(text, sizeof(text), "; @library\na = ");
		for (int i = 0; i < deep; i++)
			text[n++] = i % 2 ? '[' : '(';
		text[n++] = '"';
		text[n++] = 'x';
		text[n++] = '"';
		for (int i = deep - 1; i >= 0; i--)
			text[n++] = i % 2 ? ']' : ')';
		text[n++] = '\n';
		text[n] = '\0';
		g = one(text, &ok);
		if (deep == MWG_MAX_DEPTH) {
			CHECK(ok, "%d nested groups and options parse",
			    MWG_MAX_DEPTH);
			depth = 0;
			for (p = only(g, "a"); p != NULL && p->kind != N_CHAR;
			    p = kid(p, 0))
				depth += p->kind == N_ALT;
			CHECK(p != NULL && depth == MWG_MAX_DEPTH,
			    "%d nested groups give %d nested N_ALTs (got %d)",
			    MWG_MAX_DEPTH, MWG_MAX_DEPTH, depth);
		} else {
			CHECK(!ok && g->nerrors == 1 &&
			    strstr(diag(g), "nested too deeply") &&
			    strstr(diag(g), "t.abnf:2:205: error"),
			    "%d nested groups: one error at the 201st bracket",
			    deep);
		}
		gfree(g);
	}
}

static void
test_incremental(void)
{
	struct mwg_node *a[8];
	int ok;
	struct mwg_grammar *g;

	/* in the same file, in either case */
	g = one("; @library\n"
	    "a = \"x\"\n"
	    "b = \"q\"\n"
	    "a =/ \"y\" / \"z\"\n"
	    "A =/ b\n", &ok);
	CHECK(ok, "=/ in the same file checks: %s", diag(g));
	CHECK(alts(g, "a", -1, a, 8) == 4 && is_char(a[0], "x", 1) &&
	    is_char(a[1], "y", 1) && is_char(a[2], "z", 1) && is_ref(a[3], "b"),
	    "=/ adds alternatives after the = ones, in order");
	CHECK(def(g, "A") != NULL && def(g, "A")->incremental &&
	    !def(g, "a")->incremental, "the def of =/ is incremental");
	CHECK(rule(g, "a", -1) != NULL && rule(g, "a", -1)->incs != NULL &&
	    rule(g, "a", -1)->incs->next_in_rule != NULL &&
	    rule(g, "a", -1)->incs->next_in_rule->next_in_rule == NULL,
	    "the rule keeps its two =/ definitions");
	gfree(g);

	/* across files, =/ first */
	g = gnew();
	CHECK(add(g, "one.abnf", "; @library\nc =/ \"2\"\n") == 0 &&
	    add(g, "two.abnf", "; @library\nc = \"1\"\nc =/ \"3\"\n") == 0 &&
	    mwg_check(g) == 0, "=/ across files checks: %s", diag(g));
	CHECK(alts(g, "c", -1, a, 8) == 3 && is_char(a[0], "1", 1) &&
	    is_char(a[1], "2", 1) && is_char(a[2], "3", 1),
	    "=/ across files: the = alternative first, then =/ in file order");
	CHECK(rule(g, "c", -1)->main != NULL &&
	    rule(g, "c", -1)->main->loc.file == 1 &&
	    rule(g, "c", -1)->file == 1, "the rule belongs to the file of its =");
	gfree(g);
}

static void
test_placeholders(void)
{
	struct mwg_node *a[8];
	struct mwg_grammar *g;
	struct mwg_rule *r;

	for (int order = 0; order < 2; order++) {
		static const char *const user = "; @library\n"
		    "a = \"(\" b \")\"\n"
		    "b = <defined in the other file>\n";
		static const char *const supplier = "; @library\nb = \"q\"\n";

		g = gnew();
		add(g, order ? "supplier.abnf" : "user.abnf",
		    order ? supplier : user);
		add(g, order ? "user.abnf" : "supplier.abnf",
		    order ? user : supplier);
		CHECK(g->nerrors == 0 && mwg_check(g) == 0 && g->nerrors == 0,
		    "a prose placeholder supplied by another file checks (%s "
		    "first): %s", order ? "supplier" : "user", diag(g));
		r = rule(g, "b", -1);
		CHECK(r != NULL && r->main != NULL && r->placeholder != NULL &&
		    r->placeholder->prose_only && !r->main->prose_only &&
		    r->main->loc.file == (order ? 0 : 1),
		    "the placeholder and the definition are one rule");
		CHECK(alts(g, "b", -1, a, 8) == 1 && is_char(a[0], "q", 1),
		    "the rule's alternatives are the real definition");
		gfree(g);
	}
}

static void
test_comments_continuation(void)
{
	struct mwg_node *a[8], *n;
	int ok;
	struct mwg_grammar *g;

	g = one("; first line comment\n"
	    ";\n"
	    "; @library\n"
	    "a = \"x\" ; after an element\n"
	    "    ; a comment-only continuation line\n"
	    "    / \"y\"; right after a token\n"
	    "\t/ ( ; inside a group\n"
	    "      \"p\" ; between\n"
	    "      \"q\"\n"
	    "    ) ; after the group\n"
	    "\n"
	    "; between rules\n"
	    "   ; indented comment line\n"
	    "b = [ ; inside an option\n"
	    "  \"z\" ] ; end\n"
	    "; last line without a line end", &ok);
	CHECK(ok, "comments everywhere check: %s", diag(g));
	CHECK(alts(g, "a", -1, a, 8) == 3 && is_char(a[0], "x", 1) &&
	    is_char(a[1], "y", 1) && a[2]->kind == N_ALT &&
	    kid(a[2], 0)->kind == N_CAT && kid(a[2], 0)->nkids == 2,
	    "comments and continuation lines: a = \"x\" / \"y\" / (\"p\" \"q\")");
	n = only(g, "b");
	CHECK(is_rep(n, 0, 1) && is_char(kid(kid(n, 0), 0), "z", 1),
	    "an option spread over two lines with comments");
	CHECK(def(g, "b") != NULL && def(g, "b")->loc.line == 14 &&
	    def(g, "b")->loc.col == 1, "rule b is at 14:1");
	gfree(g);

	/* CRLF line ends and tab continuation */
	g = one("; @library\r\n"
	    "a = \"x\"\r\n"
	    "\t\"y\" ; c\r\n"
	    " \"z\"\r\n"
	    "b = a\r\n", &ok);
	CHECK(ok, "CRLF grammar checks: %s", diag(g));
	n = only(g, "a");
	CHECK(n != NULL && n->kind == N_CAT && n->nkids == 3 &&
	    is_char(kid(n, 2), "z", 1), "CRLF continuation lines make one "
	    "concatenation");
	CHECK(def(g, "b") != NULL && def(g, "b")->loc.line == 5,
	    "CRLF: rule b is on line 5");
	gfree(g);

	/* a rule at the end of the text without a line end */
	g = one("; @library\na = \"x\"", &ok);
	CHECK(ok && is_char(only(g, "a"), "x", 1),
	    "a rule may end at the end of the text");
	gfree(g);

	/* a comment at column 1 ends a rule: the next line is no continuation */
	g = one("; @library\na = \"x\"\n; note\n  / \"y\"\n", &ok);
	CHECK(!ok && strstr(diag(g), "t.abnf:4:3: error: expected a rule name "
	    "at column 1"), "a comment line at column 1 ends the rule");
	gfree(g);
}

static void
test_rule_names(void)
{
	struct mwg_rule *r;
	struct mwg_node *n;
	int ok;
	struct mwg_grammar *g = one("; @library\n"
	    "a = digit DiGiT DIGIT alpha-2\n"
	    "DIGIT = %x30-39\n"
	    "Alpha-2 = %x41-5A\n", &ok);

	CHECK(ok, "rule names in any case resolve: %s", diag(g));
	r = rule(g, "digit", -1);
	CHECK(r != NULL && strcmp(r->name, "DIGIT") == 0 &&
	    strcmp(r->key, "digit") == 0 && r == rule(g, "Digit", -1),
	    "mwg_lookup is case-insensitive; the name keeps its spelling");
	CHECK(rule(g, "ALPHA-2", -1) != NULL &&
	    strcmp(rule(g, "ALPHA-2", -1)->name, "Alpha-2") == 0,
	    "a hyphenated name resolves in any case");
	CHECK(rule(g, "digi", -1) == NULL && rule(g, "digits", -1) == NULL &&
	    mwg_lookup(g, "digits", 5, -1) == r,
	    "mwg_lookup compares whole names (and honours len)");
	n = only(g, "a");
	CHECK(n != NULL && n->nkids == 4 && is_ref(kid(n, 0), "digit") &&
	    is_ref(kid(n, 1), "DiGiT"), "references keep their spelling");
	gfree(g);

	/* a duplicate in another case is a duplicate */
	g = one("; @library\nab = \"x\"\nAB = \"y\"\n", &ok);
	CHECK(!ok && strstr(diag(g), "t.abnf:3:1: error: duplicate definition "
	    "of rule AB (first defined at t.abnf:2:1)"),
	    "AB after ab is a duplicate definition");
	gfree(g);
}

static void
test_directives(void)
{
	struct mwg_grammar *g;
	struct mwg_def *d;
	int ok;

	g = one("; @rfc 5321 4.1.2\n"
	    "a = b c d e\n"
	    "; @mailwire additions\n"
	    "b = \"b\"\n"
	    "   ; @rfc 1 1 (indented: a comment, not a directive)\n"
	    "c = \"c\" ; @rfc 2 2 (after a rule: a comment)\n"
	    "; @rfc 1870   3  trailing words\n"
	    "d = \"d\"\n"
	    ";\t@rfc 99999 A.1\n"
	    "e = \"e\"\n"
	    "; @library\n", &ok);
	CHECK(ok, "directives grammar checks: %s", diag(g));
	d = def(g, "a");
	CHECK(d != NULL && d->rfc == 5321 && d->section != NULL &&
	    strcmp(d->section, "4.1.2") == 0 && !d->addition,
	    "; @rfc 5321 4.1.2 applies to the next rule");
	d = def(g, "b");
	CHECK(d != NULL && d->rfc == 0 && d->section == NULL && d->addition,
	    "; @mailwire additions marks the next rule an addition");
	d = def(g, "c");
	CHECK(d != NULL && d->rfc == 0 && d->addition,
	    "comments not at column 1 are no directives");
	d = def(g, "d");
	CHECK(d != NULL && d->rfc == 1870 && strcmp(d->section, "3") == 0 &&
	    !d->addition, "@rfc with more blanks; words after the section");
	d = def(g, "e");
	CHECK(d != NULL && d->rfc == 99999 && strcmp(d->section, "A.1") == 0,
	    "@rfc after a tab; a lettered section");
	CHECK(g->files[0].library == 1 && g->files[0].profile == -1,
	    "; @library at the end still marks the file a library");
	d = def(g, "a");
	CHECK(d != NULL && d->text != NULL && d->textlen == 11 &&
	    memcmp(d->text, "a = b c d e", 11) == 0,
	    "a definition keeps its text as written");
	gfree(g);

	/* a file that is no library: its unused rules are errors */
	g = gnew();
	add(g, "lib.abnf", "; @library\nx = \"1\"\ny = \"2\"\n");
	add(g, "app.abnf", "top = x\nz = \"3\"\n");
	list(g, "top\n", 0);
	CHECK(mwg_check(g) < 0 && g->nerrors == 1 &&
	    strstr(diag(g), "app.abnf:2:1: error: rule z is never used"),
	    "unused rules: only the one outside the @library file");
	CHECK(rule(g, "x", -1)->used && !rule(g, "y", -1)->used &&
	    rule(g, "top", -1)->start, "used and start marks");
	gfree(g);

	/* directive errors */
	{
		static const struct {
			const char	*text;
			const char	*msg;
		} bad[] = {
			{ "; @rfc\n", "@rfc wants an RFC number and a section" },
			{ "; @rfc x 1\n", "@rfc wants an RFC number and a section" },
			{ "; @rfc 0 1\n", "@rfc wants an RFC number and a section" },
			{ "; @rfc 100000 1\n", "@rfc wants an RFC number" },
			{ "; @rfc 12x 1\n", "@rfc wants an RFC number" },
			{ "; @rfc 5321\n", "@rfc 5321 wants a section" },
			{ "; @rfc 5321   \n", "@rfc 5321 wants a section" },
			{ "; @mailwire\n", "write '@mailwire additions'" },
			{ "; @mailwire addition\n", "write '@mailwire additions'" },
			{ "; @profile\n", "@profile wants one name" },
			{ "; @profile 8bit\n", "@profile wants one name" },
			{ "; @profile a-b\n", "@profile wants one name" },
			{ "; @profile a b\n", "@profile wants one name" },
			{ "; @profile a\n; @profile b\n", "d.abnf:2:1: error: a file "
			  "has one @profile" },
			{ "; @profile a\n; @profile a\n", "d.abnf:2:1: error: a file "
			  "has one @profile" },
			{ ";@foo\n", "unknown directive" },
			{ ";@\n", "unknown directive" },
			{ ";@rfc\n", "@rfc wants an RFC number and a section" },
			{ "; @ rfc 1 1\n", "unknown directive" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			g = gnew();
			add(g, "d.abnf", bad[i].text);
			CHECK(g->nerrors == 1 && strstr(diag(g), bad[i].msg) &&
			    strstr(diag(g), ": error: ") != NULL &&
			    (strstr(diag(g), "d.abnf:1:1: error: ") != NULL ||
			    strstr(bad[i].msg, "d.abnf:2:1: error") != NULL),
			    "directive '%.*s' is one error: %s",
			    (int)strcspn(bad[i].text, "\n"), bad[i].text,
			    bad[i].msg);
			gfree(g);
		}
	}
	/* words that merely start with '@' inside a comment are fine */
	g = one("; @library\n; mail to postmaster@example\na = \"x\" ; @x\n", &ok);
	CHECK(ok, "'@' later in a comment is no directive: %s", diag(g));
	gfree(g);
}

/* The example of the brief: u8 extends sub; top uses sub; other does not. */
static const char base_text[] =
    "; @rfc 1234 5.6\n"
    "top = \"<\" sub \">\" [ other ]\n"
    "sub = %x41-5A\n"
    "other = 2*5\"ab\" / %s\"Cd\" / %i\"x\" / %x0D.0A / 3DIGIT / \"\"\n"
    "; @mailwire additions\n"
    "DIGIT = %x30-39\n"
    "lonely = \"l\"\n";
static const char u8_text[] =
    "; @profile u8\n"
    "sub =/ %x80-FF\n"
    "vrfy = \"V\" sub\n";

static struct mwg_grammar *
profile_grammar(void)
{
	struct mwg_grammar *g = gnew();

	add(g, "base.abnf", base_text);
	add(g, "u8.abnf", u8_text);
	list(g, "top\nvrfy\nlonely\n", 0);
	list(g, "sub\nother\n", 1);
	return g;
}

static void
test_profiles(void)
{
	struct mwg_grammar *g = profile_grammar();
	struct mwg_node *a[8];
	struct mwg_rule *sub, *top, *other, *vrfy, *psub;
	int u8;

	CHECK(g->nerrors == 0 && mwg_check(g) == 0 && g->nerrors == 0,
	    "profile grammar checks: %s", diag(g));
	u8 = mwg_profile_index(g, "u8");
	CHECK(u8 == 0 && g->nprofiles == 1 && strcmp(g->profiles[0], "u8") == 0,
	    "@profile u8 is profile 0");
	CHECK(g->files[0].profile == -1 && g->files[1].profile == 0,
	    "the @profile file belongs to its profile");
	sub = rule(g, "sub", -1);
	top = rule(g, "top", -1);
	other = rule(g, "other", -1);
	psub = rule(g, "sub", u8);
	vrfy = rule(g, "vrfy", u8);
	CHECK(sub != NULL && sub->profile == -1 && psub != NULL &&
	    psub != sub && psub->profile == u8 && psub->in_base &&
	    psub->main == NULL && psub->incs != NULL,
	    "sub =/ in the profile is a profile rule extending the base one");
	CHECK(vrfy != NULL && vrfy->profile == -1 && !vrfy->in_base &&
	    rule(g, "vrfy", -1) == vrfy && vrfy->file == 1,
	    "a rule a profile file introduces is a base rule of that file");
	CHECK(rule(g, "top", u8) == top,
	    "lookup in the profile falls back to the base rule");
	CHECK(alts(g, "sub", -1, a, 8) == 1 && is_range(a[0], 0x41, 0x5a),
	    "base sub: one alternative");
	CHECK(alts(g, "sub", u8, a, 8) == 2 && is_range(a[0], 0x41, 0x5a) &&
	    is_range(a[1], 0x80, 0xff), "u8 sub: the base one plus %%x80-FF");
	CHECK(mwg_alts(g, psub, u8, a, 8) == 2,
	    "mwg_alts of the profile rule itself: both alternatives");
	CHECK(mwg_affected(g, sub, u8) && mwg_affected(g, top, u8),
	    "sub and top (which uses it) are affected in u8");
	CHECK(!mwg_affected(g, other, u8) &&
	    !mwg_affected(g, rule(g, "DIGIT", -1), u8),
	    "other and DIGIT are not affected in u8");
	CHECK(!mwg_affected(g, sub, -1) && !mwg_affected(g, top, -1),
	    "nothing is affected in the base grammar");
	CHECK(mwg_affected(g, vrfy, u8) && mwg_affected(g, psub, u8) &&
	    !mwg_affected(g, vrfy, -1),
	    "the profile rule and the new rule using sub are affected in u8");
	CHECK(sub->capture == 0 && psub->capture == 0 && other->capture == 1 &&
	    top->capture == -1, "captures: list index on base and profile rules");
	gfree(g);

	/* a profile redefinition replaces the base alternatives */
	g = gnew();
	add(g, "b.abnf", "; @library\nx = \"1\" / \"2\"\nx =/ \"3\"\ny = x\n");
	add(g, "p.abnf", "; @profile p\n; @library\nx = \"9\"\n");
	CHECK(mwg_check(g) == 0, "profile redefinition checks: %s", diag(g));
	CHECK(alts(g, "x", 0, a, 8) == 1 && is_char(a[0], "9", 1) &&
	    alts(g, "x", -1, a, 8) == 3,
	    "a profile = replaces the base = and =/ alternatives");
	CHECK(mwg_affected(g, rule(g, "y", -1), 0),
	    "a rule using a redefined rule is affected");
	gfree(g);

	/* a profile may not reach an undefined rule */
	g = gnew();
	add(g, "b.abnf", "; @library\nx = \"1\"\n");
	add(g, "p.abnf", "; @profile p\nx =/ nothere\n");
	CHECK(mwg_check(g) < 0 && strstr(diag(g), "p.abnf:2:6: error: undefined "
	    "rule nothere"), "an undefined rule in a profile =/ is reported");
	gfree(g);

	/* recursion only in a profile */
	g = gnew();
	add(g, "b.abnf", "; @library\nx = \"1\"\ny = x\n");
	add(g, "p.abnf", "; @profile p\nx =/ \"(\" y \")\"\n");
	CHECK(mwg_check(g) < 0 && strstr(diag(g), "is recursive"),
	    "recursion through a profile =/ is reported: %s", diag(g));
	gfree(g);
}

static void
test_checks(void)
{
	static const struct {
		const char	*text;
		const char	*starts;
		const char	*msg;
	} bad[] = {
		{ "a = b\n", NULL, "t.abnf:1:5: error: undefined rule b" },
		{ "a = \"x\"\nb = \"y\"\nb = \"z\"\n", "a b",
		  "t.abnf:3:1: error: duplicate definition of rule b "
		  "(first defined at t.abnf:2:1)" },
		{ "a = \"x\"\nb = \"y\"\n", "a",
		  "t.abnf:2:1: error: rule b is never used" },
		{ "a = \"x\" a / \"y\"\n", "a",
		  "t.abnf:1:1: error: rule a is recursive (a -> a)" },
		{ "a = b\nb = [c]\nc = *(a)\n", "a",
		  "t.abnf:1:1: error: rule a is recursive (a -> b -> c -> a)" },
		{ "a = \"x\" <prose>\n", "a",
		  "t.abnf:1:9: error: a prose value inside a rule" },
		{ "a = \"x\" / <prose>\n", "a",
		  "t.abnf:1:11: error: a prose value inside a rule" },
		{ "a = <prose>\n", "a",
		  "t.abnf:1:1: error: rule a is described only in prose" },
		{ "a =/ \"x\"\n", "a",
		  "t.abnf:1:1: error: incremental alternative '=/' for rule a, "
		  "which is not defined" },
		{ "a = \"x\"\n", "a nosuch",
		  ":1:3: error: start rule nosuch is not defined" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mwg_grammar *g = gnew();

		add(g, "t.abnf", bad[i].text);
		if (bad[i].starts)
			list(g, bad[i].starts, 0);
		CHECK(g->nerrors == 0 && mwg_check(g) < 0 && g->nerrors == 1 &&
		    strstr(diag(g), bad[i].msg),
		    "check %zu: one error '%s' (got: %s)", i, bad[i].msg,
		    diag(g));
		gfree(g);
	}

	/* the start list: rules are roots; a start in a profile is allowed */
	{
		struct mwg_grammar *g = profile_grammar();

		CHECK(mwg_check(g) == 0 && rule(g, "vrfy", 0)->start &&
		    rule(g, "vrfy", 0)->used && rule(g, "DIGIT", -1)->used,
		    "start rules of the base grammar and of a profile");
		gfree(g);
	}
	/* the captures list must name rules */
	{
		struct mwg_grammar *g = gnew();

		add(g, "t.abnf", "; @library\na = \"x\"\n");
		list(g, "a nosuch\n", 1);
		CHECK(mwg_check(g) < 0 && g->ncaptures == 2 &&
		    strstr(diag(g), "nosuch is not defined"),
		    "a captures list naming no rule is an error");
		gfree(g);
	}
	/* two grammar files of one name */
	{
		struct mwg_grammar *g = gnew();

		add(g, "x/t.abnf", "; @library\na = \"x\"\n");
		CHECK(add(g, "y/t.abnf", "; @library\nb = \"x\"\n") < 0 &&
		    strstr(diag(g), "y/t.abnf: a grammar file of the same name "
		    "came before"), "two grammar files of one base name");
		gfree(g);
	}
	/* too many files */
	{
		struct mwg_grammar *g = gnew();
		char path[32];
		int r = 0;

		for (int i = 0; i <= MWG_MAX_FILES && r == 0; i++) {
			snprintf(path, sizeof(path), "f%d.abnf", i);
			r = add(g, path, "; @library\n");
		}
		CHECK(r < 0 && g->nfiles == MWG_MAX_FILES &&
		    strstr(diag(g), "too many grammar files"),
		    "more than %d grammar files is an error", MWG_MAX_FILES);
		gfree(g);
	}
	/* the parser goes on after an error and reports the next one */
	{
		int ok;
		struct mwg_grammar *g = one("a = (\"x\"\n"
		    "b = \"y\" ]\n"
		    "c = good\n"
		    "  d = \"z\"\n"
		    "e ::= \"z\"\n"
		    "f = \"ok\"\n", &ok);

		CHECK(!ok && g->nerrors == 4 && g->ndefs == 1 &&
		    strcmp(g->defs[0]->name, "f") == 0 &&
		    strstr(diag(g), "t.abnf:1:9: error: expected ')'") &&
		    strstr(diag(g), "t.abnf:2:9: error: unbalanced closing") &&
		    strstr(diag(g), "t.abnf:4:5: error: unexpected '='") &&
		    strstr(diag(g), "t.abnf:5:3: error: '::=' is not ABNF"),
		    "four parse errors in one file (c goes on into the indented "
		    "d), each reported once; the good rule f is kept: %s",
		    diag(g));
		gfree(g);
	}
	/* no diagnostics stream: errors are only counted */
	{
		struct mwg_grammar *g = mwg_new(NULL);

		CHECK(add(g, "t.abnf", "a = (\n") < 0 && g->nerrors == 1,
		    "mwg_new(NULL) counts errors without printing");
		mwg_free(g);
	}
}

static void rmtree(const char *);
static char *slurp(const char *, size_t *);

/* Known generator bugs: each of these fails until the bug is fixed. */
static int
in_child(void (*fn)(void))
{
	pid_t pid;
	int st;

	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
long_names_cycle(void)
{
	/* a cycle of 12 rules with 200-character names */
	static char text[8192];
	struct mwg_grammar *g = mwg_new(NULL);
	size_t n = 0;

	for (int i = 0; i < 12; i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "r%d-", i);
		for (int k = 0; k < 200; k++)
			text[n++] = 'x';
		n += (size_t)snprintf(text + n, sizeof(text) - n, " = r%d-",
		    (i + 1) % 12);
		for (int k = 0; k < 200; k++)
			text[n++] = 'x';
		text[n++] = '\n';
	}
	text[n] = '\0';
	add(g, "t.abnf", text);
	if (mwg_check(g) == 0 || g->nerrors != 1)
		_exit(1);
	mwg_free(g);
}

static void
test_known_bugs(void)
{
	char text[16384];
	size_t n = 0;
	int ok, st;
	struct mwg_grammar *g;

	/* a chain of 300 rules is not recursive */
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "r%d = r%d\n", i, i + 1);
	snprintf(text + n, sizeof(text) - n, "r300 = \"x\"\n");
	g = gnew();
	add(g, "chain.abnf", text);
	list(g, "r0\n", 0);
	ok = mwg_check(g) == 0;
	CHECK(ok, "a chain of 300 rules that use each other is no recursion "
	    "(grammar.c visit_cycle: depth 256 taken as a cycle): %.120s",
	    diag(g));
	gfree(g);

	/* the path of a recursion with long names fits its buffer */
	st = in_child(long_names_cycle);
	CHECK(st == 0, "a recursion through 12 rules of 200-character names "
	    "is one error, and no crash (grammar.c visit_cycle: path[2048] "
	    "overflows; child status %d)", st);

	/* an =/ alternative that is only prose cannot be compiled either */
	g = one("; @library\na = \"x\"\na =/ <more>\n", &ok);
	CHECK(!ok && strstr(diag(g), "t.abnf:3:6: error: a prose value inside "
	    "a rule cannot be compiled"),
	    "a =/ <prose> alternative is an error (grammar.c mwg_check skips "
	    "every prose_only definition)");
	gfree(g);

	/* "; @foo" is an unknown directive like ";@foo" */
	{
		static const char *const unknown[] = {
			"; @foo\n", "; @rfcs 1 1\n", "; @Library\n", ";\t@x\n"
		};

		for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]);
		    i++) {
			g = gnew();
			add(g, "t.abnf", unknown[i]);
			CHECK(g->nerrors == 1 && strstr(diag(g), "t.abnf:1:1: "
			    "error: unknown directive"), "'%.*s' is an unknown "
			    "directive (parse.c directive: only ';@...' is "
			    "caught, not '; @...')",
			    (int)strcspn(unknown[i], "\n"), unknown[i]);
			gfree(g);
		}
	}

	/* a rule a profile file introduces is a base rule: it needs its base
	 * machine too (the acceptor of a start rule uses it) */
	{
		char dir[] = "/tmp/mwgen-ragel-XXXXXX", path[4096], all[8192];
		size_t len;
		const char *s;

		if (mkdtemp(dir) != NULL) {
			g = gnew();
			add(g, "b.abnf", "top = \"<\" sub \">\"\nsub = %x41-5A\n");
			add(g, "p.abnf", "; @profile u8\nsub =/ %x80-FF\n"
			    "vrfy = \"V\" sub\n");
			list(g, "top\nvrfy\n", 0);
			ok = mwg_check(g) == 0 && mwg_emit_ragel(g, dir) == 0;
			snprintf(path, sizeof(path), "%s/b.rl", dir);
			s = slurp(path, &len);
			snprintf(all, sizeof(all), "%s", s ? s : "");
			snprintf(path, sizeof(path), "%s/p.rl", dir);
			s = slurp(path, &len);
			snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s",
			    s ? s : "");
			CHECK(ok && strstr(all, "\nu8_vrfy = ") != NULL &&
			    strstr(all, "\nvrfy = ") != NULL,
			    "a rule new in a profile file that uses a changed rule "
			    "gets both machines, vrfy and u8_vrfy (emit_ragel.c "
			    "order_units visits it only in its file's profile)");
			gfree(g);
			rmtree(dir);
		}
	}

	/* a lexer error right after an element is reported as itself */
	g = one("; @library\na = \"a\"@\n", &ok);
	CHECK(!ok && strstr(diag(g), "t.abnf:2:8: error: unexpected character"),
	    "'\"a\"@' reports the unexpected character, not missing white "
	    "space (parse.c concatenation)");
	gfree(g);
}

/* ---- sentences ---- */

static size_t
sentence(struct mwg_grammar *g, const char *name, int profile,
    uint64_t seed, int depth, unsigned char *buf, size_t cap)
{
	struct mwg_rng rng;
	struct mwg_rule *r = rule(g, name, profile);

	if (r == NULL)
		return (size_t)-1;
	mwg_rng_seed(&rng, seed);
	return mwg_sentence(g, r, profile, &rng, depth, buf, cap);
}

static int
is_ci(const unsigned char *s, const char *lit)
{
	for (; *lit; s++, lit++)
		if (tolower(*s) != tolower((unsigned char)*lit))
			return 0;
	return 1;
}

/* x 2DIGIT ["-" 1*3ALPHA] with x case-insensitive */
static int
valid_item(const unsigned char *s, size_t n)
{
	size_t k;

	if (n < 3 || (s[0] != 'x' && s[0] != 'X') || !isdigit(s[1]) ||
	    !isdigit(s[2]))
		return 0;
	if (n == 3)
		return 1;
	if (s[3] != '-' || n < 5 || n > 7)
		return 0;
	for (k = 4; k < n; k++)
		if (!((s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z')))
			return 0;
	return 1;
}

static void
test_sentences(void)
{
	unsigned char b1[4096], b2[4096];
	int ok;
	struct mwg_grammar *g = one("; @library\n"
	    "item = \"x\" 2DIGIT [\"-\" 1*3ALPHA]\n"
	    "DIGIT = %x30-39\n"
	    "ALPHA = %x41-5A / %x61-7A\n"
	    "crlf = %x0D.0A\n"
	    "abc = %x41-43\n"
	    "word = \"abc\"\n"
	    "exact = %s\"abc\"\n"
	    "mixed = %i\"a1-B\"\n"
	    "pairs = 2*5\"ab\"\n"
	    "choice = %s\"Cd\" / %i\"x\" / crlf\n"
	    "nest = 1*(\"a\" / n2)\n"
	    "n2 = 1*(\"b\" / n3)\n"
	    "n3 = 1*(\"c\" / n4)\n"
	    "n4 = 1*\"d\"\n"
	    "long = \"abcdef\"\n"
	    "empty = \"\" / *\"\"\n", &ok);
	size_t n1, n2;
	int same = 1, differ = 0, lower = 0, upper = 0, mixed = 0, bad = 0;
	int seen_cd = 0, seen_x = 0, seen_X = 0, seen_crlf = 0, seen_opt = 0;
	size_t maxlow = 0, maxhigh = 0;

	CHECK(ok, "sentence grammar checks: %s", diag(g));
	/* determinism */
	for (uint64_t seed = 1; seed <= 50; seed++) {
		n1 = sentence(g, "nest", -1, seed, 12, b1, sizeof(b1));
		n2 = sentence(g, "nest", -1, seed, 12, b2, sizeof(b2));
		if (n1 != n2 || n1 == (size_t)-1 || memcmp(b1, b2, n1) != 0)
			same = 0;
		n2 = sentence(g, "nest", -1, seed + 1000, 12, b2, sizeof(b2));
		if (n1 != n2 || memcmp(b1, b2, n1) != 0)
			differ++;
	}
	CHECK(same, "the same seed gives the same sentence");
	CHECK(differ > 25, "other seeds give other sentences (%d of 50 differ)",
	    differ);
	{
		struct mwg_rng r1, r2;
		int eq = 1;

		mwg_rng_seed(&r1, 42);
		mwg_rng_seed(&r2, 42);
		for (int i = 0; i < 100; i++)
			eq &= mwg_rng_next(&r1) == mwg_rng_next(&r2);
		mwg_rng_seed(&r2, 43);
		CHECK(eq && mwg_rng_next(&r1) != mwg_rng_next(&r2),
		    "mwg_rng: seeded sequences repeat and differ by seed");
		mwg_rng_seed(&r1, 0);
		CHECK(r1.s != 0 && mwg_rng_next(&r1) != 0,
		    "mwg_rng: seed 0 still gives a working generator");
	}
	/* case variation of case-insensitive strings only */
	for (uint64_t seed = 1; seed <= 200; seed++) {
		n1 = sentence(g, "word", -1, seed, 12, b1, sizeof(b1));
		if (n1 != 3 || !is_ci(b1, "abc"))
			bad++;
		else if (memcmp(b1, "abc", 3) == 0)
			lower++;
		else if (memcmp(b1, "ABC", 3) == 0)
			upper++;
		else
			mixed++;
		n1 = sentence(g, "exact", -1, seed, 12, b1, sizeof(b1));
		if (n1 != 3 || memcmp(b1, "abc", 3) != 0)
			bad++;
		n1 = sentence(g, "mixed", -1, seed, 12, b1, sizeof(b1));
		if (n1 != 4 || !is_ci(b1, "a1-b") || b1[1] != '1' || b1[2] != '-')
			bad++;
	}
	CHECK(bad == 0, "char-val sentences match their strings (%d bad)", bad);
	CHECK(lower > 0 && upper > 0 && mixed > 0,
	    "\"abc\" comes in lower, upper and mixed case (%d/%d/%d)", lower,
	    upper, mixed);
	/* structure */
	bad = 0;
	for (uint64_t seed = 1; seed <= 300; seed++) {
		n1 = sentence(g, "item", -1, seed, 12, b1, sizeof(b1));
		if (n1 == (size_t)-1 || !valid_item(b1, n1))
			bad++;
		seen_opt += n1 > 3;
		n1 = sentence(g, "crlf", -1, seed, 12, b1, sizeof(b1));
		if (n1 != 2 || b1[0] != '\r' || b1[1] != '\n')
			bad++;
		n1 = sentence(g, "abc", -1, seed, 12, b1, sizeof(b1));
		if (n1 != 1 || b1[0] < 'A' || b1[0] > 'C')
			bad++;
		n1 = sentence(g, "pairs", -1, seed, 12, b1, sizeof(b1));
		if (n1 == (size_t)-1 || n1 % 2 || n1 < 4 || n1 > 10)
			bad++;
		for (size_t k = 0; n1 != (size_t)-1 && k + 1 < n1; k += 2)
			if (!is_ci(b1 + k, "ab"))
				bad++;
		n1 = sentence(g, "choice", -1, seed, 12, b1, sizeof(b1));
		if (n1 == 2 && memcmp(b1, "Cd", 2) == 0)
			seen_cd++;
		else if (n1 == 1 && b1[0] == 'x')
			seen_x++;
		else if (n1 == 1 && b1[0] == 'X')
			seen_X++;
		else if (n1 == 2 && memcmp(b1, "\r\n", 2) == 0)
			seen_crlf++;
		else
			bad++;
		n1 = sentence(g, "empty", -1, seed, 12, b1, sizeof(b1));
		if (n1 != 0)
			bad++;
	}
	CHECK(bad == 0, "sentences of small rules have their structure (%d "
	    "bad)", bad);
	CHECK(seen_opt > 0 && seen_opt < 300, "the option of item is sometimes "
	    "taken and sometimes not (%d of 300)", seen_opt);
	CHECK(seen_cd && seen_x && seen_X && seen_crlf, "every alternative of "
	    "choice comes up (%d/%d/%d/%d)", seen_cd, seen_x, seen_X,
	    seen_crlf);
	/* depth bounds the length */
	for (uint64_t seed = 1; seed <= 300; seed++) {
		n1 = sentence(g, "nest", -1, seed, 0, b1, sizeof(b1));
		if (n1 != (size_t)-1 && n1 > maxlow)
			maxlow = n1;
		n1 = sentence(g, "nest", -1, seed, 30, b1, sizeof(b1));
		if (n1 != (size_t)-1 && n1 > maxhigh)
			maxhigh = n1;
		n1 = sentence(g, "nest", -1, seed, 0, b1, sizeof(b1));
		for (size_t k = 0; n1 != (size_t)-1 && k < n1; k++)
			if (tolower(b1[k]) < 'a' || tolower(b1[k]) > 'd')
				bad++;
	}
	CHECK(maxlow >= 1 && maxlow <= 8, "with depth 0 sentences stay short "
	    "(longest %zu)", maxlow);
	CHECK(maxhigh > maxlow, "with depth 30 sentences get longer (longest "
	    "%zu)", maxhigh);
	CHECK(bad == 0, "nested sentences use only their letters");
	/* the buffer bounds the sentence */
	n1 = sentence(g, "long", -1, 1, 12, b1, 6);
	n2 = sentence(g, "long", -1, 1, 12, b1, 5);
	CHECK(n1 == 6 && n2 == (size_t)-1, "a sentence that fits is written; "
	    "one that does not returns (size_t)-1");
	gfree(g);

	/* profile sentences */
	g = profile_grammar();
	CHECK(mwg_check(g) == 0, "profile grammar checks for sentences");
	{
		int base_high = 0, u8_high = 0, u8_bad = 0;

		for (uint64_t seed = 1; seed <= 300; seed++) {
			n1 = sentence(g, "top", -1, seed, 12, b1, sizeof(b1));
			for (size_t k = 0; n1 != (size_t)-1 && k < n1; k++)
				base_high += b1[k] >= 0x80;
			n1 = sentence(g, "top", 0, seed, 12, b1, sizeof(b1));
			if (n1 == (size_t)-1 || n1 < 3 || b1[0] != '<' ||
			    b1[2] != '>')
				u8_bad++;
			else
				u8_high += b1[1] >= 0x80;
			n1 = sentence(g, "vrfy", 0, seed, 12, b1, sizeof(b1));
			if (n1 != 2 || (b1[0] != 'v' && b1[0] != 'V') ||
			    (b1[1] < 0x80 && (b1[1] < 'A' || b1[1] > 'Z')))
				u8_bad++;
		}
		CHECK(base_high == 0, "base sentences of top never hold a byte "
		    ">= 0x80");
		CHECK(u8_high > 0 && u8_high < 300, "u8 sentences of top hold "
		    "a byte >= 0x80 in %d of 300", u8_high);
		CHECK(u8_bad == 0, "u8 sentences of top and vrfy have their "
		    "structure");
	}
	gfree(g);
}

/* ---- outputs ---- */

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	static char buf[1 << 16];
	size_t n;

	*len = 0;
	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void
test_dict(void)
{
	static const char want[] =
	    "# Generated by mwgen: the terminals of the start rules.\n"
	    "\"HELO\"\n"
	    "\" \"\n"
	    "\"-\"\n"
	    "\".\"\n"
	    "\"com\"\n"
	    "\"QUIT\"\n"
	    "\"\\x0D\\x0A\"\n"
	    "\"\\\"\"\n"
	    "\"\\\\\"\n";
	int ok;
	struct mwg_grammar *g = one("; @library\n"
	    "top = \"HELO\" SP dom CRLF / \"QUIT\" CRLF / %x22 / \"\\\" / \"\"\n"
	    "dom = 1*(%x61-7A / \"-\") [\".\" dom2]\n"
	    "dom2 = \"com\" / %d46 / \"QUIT\"\n"
	    "SP = %x20\n"
	    "CRLF = %x0D.0A\n"
	    "unused = \"zzz\"\n", &ok);
	struct mwg_rule *start;
	FILE *out = tmpfile();
	char got[4096], again[4096];
	size_t n, m;

	CHECK(ok, "dict grammar checks: %s", diag(g));
	start = rule(g, "top", -1);
	CHECK(mwg_emit_dict(g, &start, 1, -1, out) == 0, "mwg_emit_dict "
	    "succeeds");
	rewind(out);
	n = fread(got, 1, sizeof(got) - 1, out);
	got[n] = '\0';
	CHECK(strcmp(got, want) == 0, "the dictionary has each terminal once, "
	    "escaped, in rule order:\n%s", got);
	/* twice: the same again */
	rewind(out);
	CHECK(mwg_emit_dict(g, &start, 1, -1, out) == 0, "mwg_emit_dict again");
	fflush(out);
	rewind(out);
	m = fread(again, 1, sizeof(again) - 1, out);
	again[m] = '\0';
	CHECK(m == n && strcmp(again, want) == 0,
	    "a second dictionary is the same");
	fclose(out);
	gfree(g);

	/* a profile's dictionary has its own terminals */
	g = gnew();
	add(g, "b.abnf", "; @library\ntop = \"<\" sub \">\"\nsub = \"s\"\n");
	add(g, "p.abnf", "; @profile p\n; @library\nsub =/ %xC3.A9\n");
	CHECK(mwg_check(g) == 0, "profile dict grammar checks: %s", diag(g));
	start = rule(g, "top", -1);
	out = tmpfile();
	mwg_emit_dict(g, &start, 1, -1, out);
	fflush(out);
	rewind(out);
	n = fread(got, 1, sizeof(got) - 1, out);
	got[n] = '\0';
	CHECK(strstr(got, "\"s\"\n") && !strstr(got, "\\xC3"),
	    "the base dictionary lacks the profile's terminal");
	rewind(out);
	mwg_emit_dict(g, &start, 1, 0, out);
	fflush(out);
	rewind(out);
	n = fread(got, 1, sizeof(got) - 1, out);
	got[n] = '\0';
	CHECK(strstr(got, "\"s\"\n") && strstr(got, "\"\\xC3\\xA9\"\n"),
	    "the profile dictionary has it: %s", got);
	fclose(out);
	gfree(g);
}

/* Position of needle in hay, or -1. */
static long
pos(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p ? (long)(p - hay) : -1;
}

static void
rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
test_ragel(void)
{
	char dir[] = "/tmp/mwgen-ragel-XXXXXX", path[4096];
	struct mwg_grammar *g;
	const char *s;
	char base[1 << 15];
	size_t len;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp: cannot make a directory");
		return;
	}
	g = gnew();
	add(g, "grammar/base.abnf",
	    "; @rfc 1234 5.6\n"
	    "top = \"<\" sub \">\" [ lst ] end\n"
	    "lst = 2*5(\"ab\" / %s\"Cd\" / %i\"x\" / %i\"1\") / 3digit / "
	    "*4\"-\" / 1*\"+\" / 3*\"#\" / *\"!\" / \"\" / %x22 / \"\\\"\n"
	    "sub = %x41-5A\n"
	    "; @mailwire additions\n"
	    "digit = %x30-39\n"
	    "end = main-line\n"
	    "main-line = %x0D.0A\n");
	add(g, "grammar/u8.abnf",
	    "; @profile u8\n"
	    "sub =/ %x80-FF\n");
	list(g, "top\n", 0);
	list(g, "sub\nlst\n", 1);
	CHECK(g->nerrors == 0 && mwg_check(g) == 0, "ragel grammar checks: %s",
	    diag(g));
	CHECK(mwg_emit_ragel(g, dir) == 0, "mwg_emit_ragel succeeds: %s",
	    diag(g));
	CHECK(count_files(dir) == 5, "five files: base.rl, u8.rl, grammar.rl, "
	    "captures.rl, captures.h (got %d)", count_files(dir));

	snprintf(path, sizeof(path), "%s/base.rl", dir);
	s = slurp(path, &len);
	CHECK(s != NULL, "base.rl is written");
	snprintf(base, sizeof(base), "%s", s ? s : "");
	s = base;
	CHECK(pos(s, "# Generated by mwgen from grammar/base.abnf; do not "
	    "edit.\n%%{\nmachine base;\n\n") == 0,
	    "base.rl starts with its header and machine name");
	CHECK(len > 4 && strcmp(s + len - 4, "}%%\n") == 0,
	    "base.rl ends its Ragel block");
	CHECK(pos(s, "\"ab\"i") > 0 && pos(s, "\"x\"i") > 0,
	    "case-insensitive strings are \"...\"i");
	CHECK(pos(s, "\"Cd\"") > 0 && pos(s, "\"Cd\"i") < 0,
	    "a %%s string has no i");
	CHECK(pos(s, "\"1\"") > 0 && pos(s, "\"1\"i") < 0,
	    "a string without letters needs no i");
	CHECK(pos(s, "sub = ( 0x41..0x5a ) >mw_enter_sub %mw_leave_sub;\n") > 0,
	    "a range is 0x41..0x5a; a captured rule gets its hooks");
	CHECK(pos(s, "\nlst = ( ") > 0 && pos(s, " >mw_enter_lst %mw_leave_lst;"
	    "\n") > 0, "the second captured rule gets its hooks too");
	CHECK(pos(s, "){2,5}") > 0 && pos(s, "( digit_r ){3}") > 0 &&
	    pos(s, "( \"-\" ){,4}") > 0 && pos(s, "( \"+\" )+") > 0 &&
	    pos(s, "( \"#\" ){3,}") > 0 && pos(s, "( \"!\" )*") > 0 &&
	    pos(s, "( lst )?") > 0,
	    "repeats: {2,5} {3} {,4} + {3,} * ?");
	CHECK(pos(s, " zlen ") > 0 || pos(s, "| zlen") > 0,
	    "an empty string is zlen");
	CHECK(pos(s, "0x22") > 0 && pos(s, "\"\\\\\"") > 0,
	    "a quote is 0x22; a backslash string is escaped");
	CHECK(pos(s, "\ndigit_r = 0x30..0x39;\n") > 0,
	    "a rule named like a Ragel builtin gets _r");
	CHECK(pos(s, "\nmain_line = ( 0x0d 0x0a );\n") > 0,
	    "a hyphen becomes '_'; %%x0D.0A is a concatenation");
	CHECK(pos(s, "# digit: mailwire addition\n") > 0 &&
	    pos(s, "# sub: RFC 1234 5.6\n") > 0,
	    "each rule has its source comment");
	CHECK(pos(s, "\nsub = ") > 0 && pos(s, "\nsub = ") < pos(s, "\ntop = ") &&
	    pos(s, "\ndigit_r = ") < pos(s, "\nlst = ") &&
	    pos(s, "\nlst = ") < pos(s, "\ntop = ") &&
	    pos(s, "\nmain_line = ") < pos(s, "\nend = ") &&
	    pos(s, "\nend = ") < pos(s, "\ntop = "),
	    "every rule is defined before its use");
	CHECK(pos(s, "u8_") < 0, "base.rl has no profile variants");

	snprintf(path, sizeof(path), "%s/u8.rl", dir);
	s = slurp(path, &len);
	CHECK(s != NULL && pos(s, "machine u8;") > 0 &&
	    pos(s, "# u8 profile of sub\nu8_sub = ") > 0 &&
	    pos(s, "0x41..0x5a | 0x80..0xff") > 0 &&
	    pos(s, ">mw_enter_sub %mw_leave_sub;") > 0 &&
	    pos(s, "\nu8_top = ( \"<\" u8_sub \">\" ( lst )? end );") > 0 &&
	    pos(s, "\nu8_sub = ") < pos(s, "\nu8_top = ") &&
	    pos(s, "u8_lst") < 0 && pos(s, "u8_end") < 0,
	    "u8.rl: u8_sub and u8_top, which use the base lst and end:\n%s",
	    s ? s : "");

	snprintf(path, sizeof(path), "%s/grammar.rl", dir);
	s = slurp(path, &len);
	CHECK(s != NULL && pos(s, "machine grammar;") > 0 &&
	    pos(s, "include captures \"captures.rl\";\n") > 0 &&
	    pos(s, "include base \"base.rl\";\n") > 0 &&
	    pos(s, "include base \"base.rl\";\n") <
	    pos(s, "include u8 \"u8.rl\";\n") &&
	    pos(s, "include captures") < pos(s, "include base"),
	    "grammar.rl includes captures, then base, then u8");

	snprintf(path, sizeof(path), "%s/captures.rl", dir);
	s = slurp(path, &len);
	CHECK(s != NULL && pos(s, "machine captures;") > 0 &&
	    pos(s, "action mw_enter_sub { MW_CAPTURE_ENTER(MW__CAP_sub); }\n"
	    "action mw_leave_sub { MW_CAPTURE_LEAVE(MW__CAP_sub); }\n") > 0 &&
	    pos(s, "action mw_enter_lst {") > pos(s, "action mw_leave_sub"),
	    "captures.rl: enter and leave actions in list order");

	snprintf(path, sizeof(path), "%s/captures.h", dir);
	s = slurp(path, &len);
	CHECK(s != NULL && pos(s, "enum mw__capture {\n\tMW__CAP_sub,\n"
	    "\tMW__CAP_lst,\n\tMW__CAP_COUNT\n};") > 0,
	    "captures.h: the ids in list order, then the count");
	{
		char name[64];

		CHECK(strcmp(mwg_ragel_name(g, rule(g, "sub", -1), 0, name,
		    sizeof(name)), "u8_sub") == 0 &&
		    strcmp(mwg_ragel_name(g, rule(g, "sub", 0), 0, name,
		    sizeof(name)), "u8_sub") == 0 &&
		    strcmp(mwg_ragel_name(g, rule(g, "sub", -1), -1, name,
		    sizeof(name)), "sub") == 0 &&
		    strcmp(mwg_ragel_name(g, rule(g, "lst", -1), 0, name,
		    sizeof(name)), "lst") == 0 &&
		    strcmp(mwg_ragel_name(g, rule(g, "main-line", -1), -1,
		    name, sizeof(name)), "main_line") == 0,
		    "mwg_ragel_name: u8_sub, sub, lst, main_line");
	}
	gfree(g);
	rmtree(dir);

	/* files are included after the files whose rules they use */
	if (mkdtemp(strcpy(dir, "/tmp/mwgen-ragel-XXXXXX")) == NULL)
		return;
	g = gnew();
	add(g, "a.abnf", "; @library\nx = y \"1\"\n");
	add(g, "m.abnf", "; @library\nw = \"w\"\n");
	add(g, "z.abnf", "; @library\ny = \"2\" w\n");
	CHECK(mwg_check(g) == 0 && mwg_emit_ragel(g, dir) == 0,
	    "three files emit: %s", diag(g));
	snprintf(path, sizeof(path), "%s/grammar.rl", dir);
	s = slurp(path, &len);
	CHECK(s != NULL && pos(s, "include m ") > 0 &&
	    pos(s, "include m ") < pos(s, "include z ") &&
	    pos(s, "include z ") < pos(s, "include a "),
	    "file order: m before z (z uses w), z before a (a uses y)");
	gfree(g);
	rmtree(dir);

	/* two files using each other's rules cannot be ordered */
	if (mkdtemp(strcpy(dir, "/tmp/mwgen-ragel-XXXXXX")) == NULL)
		return;
	g = gnew();
	add(g, "a.abnf", "; @library\nx = y\nv = \"v\"\n");
	add(g, "b.abnf", "; @library\ny = v\n");
	CHECK(mwg_check(g) == 0, "mutual files check");
	CHECK(mwg_emit_ragel(g, dir) < 0 && strstr(diag(g), "use each other's "
	    "rules"), "mwg_emit_ragel rejects files that use each other");
	gfree(g);
	rmtree(dir);
}

int
main(void)
{
	test_alternation_concatenation();
	test_groups_options();
	test_repeats();
	test_charvals();
	test_numvals();
	test_value_errors();
	test_depth();
	test_incremental();
	test_placeholders();
	test_comments_continuation();
	test_rule_names();
	test_directives();
	test_profiles();
	test_checks();
	test_sentences();
	test_dict();
	test_ragel();
	test_known_bugs();
	return check_done();
}
