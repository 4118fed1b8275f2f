/*
 * gen/abnf.h: the ABNF front end of mwgen (RFC 5234 with RFC 7405), the
 * grammar model and the checks. The generator is a build tool, so it may
 * allocate; everything lives in one arena freed with the grammar.
 */
#ifndef MWGEN_ABNF_H
#define MWGEN_ABNF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MWG_MAX_DEPTH	200	/* nesting of groups; deeper is an error */
#define MWG_MAX_REPEAT	65535	/* n and m of n*m; larger is an error */
#define MWG_MAX_FILES	64
#define MWG_MAX_PROFILES 30	/* a bit each in mwg_rule.used */
#define MWG_MAX_LENIENCIES 16	/* a bit each in lenient masks */

struct mwg_loc {
	int	file;
	int	line;		/* 1-based */
	int	col;		/* 1-based, in bytes */
};

enum mwg_tok {
	T_EOF,
	T_END,		/* a line end not followed by white space: the rule ends */
	T_RULENAME,
	T_DEFAS,	/* = */
	T_INCAS,	/* =/ */
	T_OLDDEF,	/* ::= of pre-ABNF RFCs; only the RFC check accepts it */
	T_SLASH,
	T_LPAREN,
	T_RPAREN,
	T_LBRACK,
	T_RBRACK,
	T_REPEAT,	/* 3 or 1*20 or * */
	T_CHARVAL,	/* "..." or %s"..." or %i"..." */
	T_NUMVAL,	/* %x41-5A, %d13.10, %b1 */
	T_PROSE,	/* <...> */
	T_COMMENT,
	T_ERROR
};

struct mwg_token {
	enum mwg_tok	 kind;
	const char	*s;		/* into the file text */
	size_t		 n;
	struct mwg_loc	 loc;
	int		 ws_before;	/* white space or a continuation came before */
	const char	*msg;		/* T_ERROR */
};

struct mwg_lexer {
	const char	*cur;
	const char	*lim;		/* *lim == '\0' (sentinel) */
	const char	*line_start;
	int		 file;
	int		 line;
	int		 ws;
	int		 keep_comments;
};

void	mwg_lex_init(struct mwg_lexer *, int file, const char *text, size_t len);
void	mwg_lex_next(struct mwg_lexer *, struct mwg_token *);

enum mwg_nkind {
	N_ALT,		/* kids: alternatives */
	N_CAT,		/* kids: concatenated elements */
	N_REP,		/* kids[0] repeated min..max times (max < 0: no limit) */
	N_REF,		/* text: rule name */
	N_CHAR,		/* text/len: string; ci: case-insensitive */
	N_RANGE,	/* lo..hi */
	N_SEQ,		/* vals[nvals]: %x0D.0A */
	N_PROSE,	/* text: the prose */
	N_WHEN		/* kids[0], only while leniency lo is on */
};

struct mwg_node {
	enum mwg_nkind	  kind;
	struct mwg_loc	  loc;
	int		  min, max;
	unsigned long	  lo, hi;
	int		  ci;
	const char	 *text;
	size_t		  len;
	unsigned long	 *vals;
	size_t		  nvals;
	struct mwg_node	**kids;
	size_t		  nkids;
};

/* One `=` or `=/` as written, with where it came from. */
struct mwg_def {
	const char	*name;		/* "ns.name" in a @namespace file */
	const char	*local;		/* the name as written */
	struct mwg_loc	 loc;
	int		 incremental;
	int		 prose_only;	/* the whole definition is one prose-val */
	struct mwg_node	*alt;
	int		 rfc;		/* @rfc NNNN, 0 if none */
	const char	*section;	/* @rfc NNNN SECTION */
	int		 addition;	/* under @mailwire additions */
	int		 erratum;	/* under @erratum N: the RFC's rule as
					 * its verified erratum N corrects it */
	int		 leniency;	/* under @leniency NAME: its index, or -1 */
	const char	*text;		/* the rule as written, for the RFC check */
	size_t		 textlen;
	struct mwg_def	*next_in_rule;
};

/* A rule name in a namespace: the base grammar (profile -1) or one profile. */
struct mwg_rule {
	const char	*name;		/* spelling of its first definition */
	const char	*key;		/* lower case */
	int		 profile;
	int		 in_base;	/* profile rule that overrides a base one */
	struct mwg_def	*main;		/* the `=` definition (not a placeholder) */
	struct mwg_def	*placeholder;	/* a prose-only `=` */
	struct mwg_def	*incs;		/* `=/` definitions, in order */
	int		 file;		/* file of the definition that names it */
	unsigned	 used;		/* bit profile + 1: reached there */
	int		 capture;	/* index in the captures list, or -1 */
	int		 start;
	int		 mark;		/* scratch for graph walks */
	int		*affected;	/* per profile: -1 unknown, 0, 1 (base only) */
	long		*minlen;	/* per profile + 1: shortest sentence, -1 */
	struct mwg_node	***alts;	/* per profile + 1: cached alternatives */
	size_t		*nalts;
	int		 order;		/* emission order, -1 none */
	struct mwg_rule	*next_hash;
};

struct mwg_file {
	const char	*path;
	const char	*base;		/* file name without directory and .abnf */
	const char	*text;
	size_t		 len;
	int		 profile;	/* -1 or index */
	const char	*ns;		/* @namespace NAME, or NULL */
	int		 library;
	int		 order;		/* position in dependency order */
	unsigned char	 deps[MWG_MAX_FILES];
};

struct mwg_arena;

struct mwg_grammar {
	struct mwg_arena	*arena;
	FILE			*diag;		/* NULL: count errors only */
	int			 nerrors;
	int			 nwarnings;
	struct mwg_file		 files[MWG_MAX_FILES];
	int			 nfiles;
	const char		*profiles[MWG_MAX_FILES];
	int			 nprofiles;
	const char		*leniencies[MWG_MAX_LENIENCIES];
	int			 nleniencies;
	unsigned		 lenient_mask;	/* leniencies sentences may use */
	struct mwg_def		**defs;
	size_t			 ndefs, capdefs;
	struct mwg_rule		**rules;
	size_t			 nrules, caprules;
	struct mwg_rule		*hash[1024];
	const char		**captures;
	struct mwg_loc		*capture_locs;
	size_t			 ncaptures;
	const char		**starts;
	struct mwg_loc		*start_locs;
	size_t			 nstarts;
};

/* grammar.c */
struct mwg_grammar *mwg_new(FILE *diag);
void	mwg_free(struct mwg_grammar *);
void   *mwg_alloc(struct mwg_grammar *, size_t);
char   *mwg_strndup(struct mwg_grammar *, const char *, size_t);
int	mwg_add_text(struct mwg_grammar *, const char *path, const char *text,
	    size_t len);
int	mwg_add_file(struct mwg_grammar *, const char *path);
int	mwg_read_list(struct mwg_grammar *, const char *path, int captures);
int	mwg_add_start(struct mwg_grammar *, const char *name, struct mwg_loc);
int	mwg_check(struct mwg_grammar *);
struct mwg_rule *mwg_lookup(struct mwg_grammar *, const char *name, size_t len,
	    int profile);
int	mwg_profile_index(struct mwg_grammar *, const char *name);
/* Index of leniency name, or -1. */
int	mwg_leniency_index(struct mwg_grammar *, const char *name);
/* Which leniencies (bit i: leniency i) sentences may use; default none. */
void	mwg_set_lenient(struct mwg_grammar *, unsigned mask);
/* Calls fn on every node of r and of every rule it reaches in profile,
 * each rule once (it marks rules with mwg_rule.mark 4 meanwhile). */
void	mwg_visit(struct mwg_grammar *, struct mwg_rule *, int profile,
	    void (*fn)(struct mwg_node *, void *), void *arg);
/* Does r, in profile, reach an alternative of leniency `len`? */
int	mwg_reaches_leniency(struct mwg_grammar *, struct mwg_rule *, int profile,
	    int len);
int	mwg_affected(struct mwg_grammar *, struct mwg_rule *, int profile);
size_t	mwg_alts(struct mwg_grammar *, struct mwg_rule *, int profile,
	    struct mwg_node **out, size_t max);
/* The same alternatives, from a cache in the grammar's arena (valid until
 * mwg_free); *n is their number. Recursive walkers use this, so a long
 * chain of rules costs no large stack frames. */
struct mwg_node **mwg_alts_ref(struct mwg_grammar *, struct mwg_rule *,
	    int profile, size_t *n);
void	mwg_error(struct mwg_grammar *, struct mwg_loc, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
char   *mwg_fmtloc(struct mwg_grammar *, struct mwg_loc, char *buf, size_t);

/* parse.c */
int	mwg_parse_file(struct mwg_grammar *, int file);

/* The rest of the outputs. */
const char *mwg_ragel_name(struct mwg_grammar *, struct mwg_rule *, int profile,
	    char *buf, size_t);
int	mwg_emit_ragel(struct mwg_grammar *, const char *outdir);
int	mwg_emit_dict(struct mwg_grammar *, struct mwg_rule **starts, size_t n,
	    int profile, FILE *out);
int	mwg_emit_acceptor(struct mwg_grammar *, FILE *out);

struct mwg_rng {
	uint64_t	s;
};
void	mwg_rng_seed(struct mwg_rng *, uint64_t);
uint64_t mwg_rng_next(struct mwg_rng *);
/* Writes one random sentence of rule in profile to buf; returns its length,
 * or (size_t)-1 if it would not fit or took too many steps. */
size_t	mwg_sentence(struct mwg_grammar *, struct mwg_rule *, int profile,
	    struct mwg_rng *, int maxdepth, unsigned char *buf, size_t cap);

int	mwg_rfccheck(struct mwg_grammar *, const char *rfcdir, int *skipped);
/* gen/runs.c: skip loops for a -G2 machine's self-loops (mwgen runs) */
int	mwg_runs(const char *const *pure, int npure, const char *xml,
	    const char *in, const char *out, FILE *err);

#endif
