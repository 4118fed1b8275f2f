/*
 * tests/test_command_sentences.c: every sentence mwgen generates from a
 * command rule of grammar/ is a command to the parser built from the same
 * grammar: no "unrecognised" and no syntax error (the checks RFC 5321
 * states in prose, such as Snum <= 255 or the length limits, may still
 * refuse a random sentence, and are counted apart). SMTPUTF8 sentences are
 * parsed with SMTPUTF8 offered; leniency sentences with the leniency on;
 * LHLO sentences in LMTP mode, where EHLO and HELO sentences are refused
 * (RFC 2033 4.1).
 * Usage: test_command_sentences N START.list CAPTURES.list GRAMMAR.abnf...
 */
#include <stdlib.h>
#include <string.h>

#include <mailwire/command.h>

#include "abnf.h"
#include "check.h"

static unsigned char scratch[1 << 16];

static const struct {
	const char	*rule;
	enum mw_verb	 verb;
} rules[] = {
	{ "ehlo", MW_VERB_EHLO }, { "helo", MW_VERB_HELO },
	{ "mail", MW_VERB_MAIL }, { "rcpt", MW_VERB_RCPT },
	{ "data", MW_VERB_DATA }, { "rset", MW_VERB_RSET },
	{ "vrfy", MW_VERB_VRFY }, { "expn", MW_VERB_EXPN },
	{ "help", MW_VERB_HELP }, { "noop", MW_VERB_NOOP },
	{ "quit", MW_VERB_QUIT }, { "starttls", MW_VERB_STARTTLS },
	{ "auth-line", MW_VERB_AUTH }, { "bdat-cmd", MW_VERB_BDAT },
	{ "lhlo", MW_VERB_LHLO }, { "etrn", MW_VERB_ETRN },
};

/* RFC 2033 4.1: the verb LMTP has instead of HELO and EHLO */
static int
lmtp_only(enum mw_verb v)
{
	return v == MW_VERB_LHLO;
}

static int
grammar_error(enum mw_cmd_error e)
{
	return e == MW_CMD_UNRECOGNIZED || e == MW_CMD_SYNTAX ||
	    e == MW_CMD_BARE_LF || e == MW_CMD_BARE_CR || e == MW_CMD_NUL;
}

int
main(int argc, char **argv)
{
	static unsigned char buf[1 << 16];
	struct mwg_grammar *g = mwg_new(stderr);
	long per = argc > 1 ? strtol(argv[1], NULL, 10) : 0;

	if (argc < 5)
		return 2;
	for (int i = 4; i < argc; i++)
		mwg_add_file(g, argv[i]);
	mwg_read_list(g, argv[2], 0);
	mwg_read_list(g, argv[3], 1);
	CHECK(g->nerrors == 0 && mwg_check(g) == 0, "grammar loads");
	for (size_t k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
		for (int pass = 0; pass < 2; pass++) {
			int p = pass == 0 ? -1 : mwg_profile_index(g, "smtputf8");
			struct mwg_rule *r = mwg_lookup(g, rules[k].rule,
			    strlen(rules[k].rule), p);
			long ok = 0, prose = 0, bad = 0, made = 0, mode = 0;

			for (unsigned len = 0; len <= (unsigned)g->nleniencies; len++) {
				struct mw_cmd_config cfg;
				unsigned mask = len == 0 ? 0 : 1u << (len - 1);

				mw_cmd_config_init(&cfg);
				if (p < 0)
					cfg.extensions &= ~MW_EXT_SMTPUTF8;
				cfg.lenient = mask;	/* generated order = API bits */
				cfg.lmtp = lmtp_only(rules[k].verb);
				mwg_set_lenient(g, mask);
				for (long seed = 1; seed <= per; seed++) {
					struct mw_cmd_parser pr;
					struct mw_cmd c;
					struct mwg_rng rng;
					size_t n, used;
					enum mw_cmd_error e0;

					mwg_rng_seed(&rng, (uint64_t)seed);
					n = mwg_sentence(g, r, p, &rng, 8, buf, sizeof(buf));
					if (n == (size_t)-1 || n > cfg.max_line)
						continue;
					made++;
					mw_cmd_init(&pr, &cfg, scratch, sizeof(scratch));
					if (mw_cmd_parse(&pr, buf, n, &used, &c) != MW_ERR_OK ||
					    used != n || grammar_error(c.error) ||
					    (c.error == MW_CMD_OK && c.verb != rules[k].verb)) {
						if (bad++ < 3) {
							printf("# %s%s: %s on: ", p < 0 ? "" :
							    "smtputf8:", rules[k].rule,
							    mw_cmd_error_name(c.error));
							for (size_t i = 0; i < n; i++)
								printf(buf[i] >= 0x20 && buf[i] < 0x7f ?
								    "%c" : "\\x%02x", buf[i]);
							printf("\n");
						}
					} else if (c.error == MW_CMD_OK) {
						ok++;
					} else {
						prose++;
					}
					/* the other mode refuses the hello verbs with
					 * 500 and takes the rest alike */
					e0 = c.error;
					cfg.lmtp = !cfg.lmtp;
					mw_cmd_init(&pr, &cfg, scratch, sizeof(scratch));
					if (mw_cmd_parse(&pr, buf, n, &used, &c) ==
					    MW_ERR_OK && used == n &&
					    (rules[k].verb == MW_VERB_LHLO ?
					    c.error == MW_CMD_UNRECOGNIZED :
					    rules[k].verb == MW_VERB_EHLO ||
					    rules[k].verb == MW_VERB_HELO ?
					    c.error == MW_CMD_NOT_LMTP : c.error == e0))
						mode++;
					cfg.lmtp = !cfg.lmtp;
				}
			}
			mwg_set_lenient(g, 0);
			CHECK(bad == 0 && ok > 0 && mode == made, "%s%s: %ld "
			    "sentences, %ld commands, %ld refused by prose rules, "
			    "%ld grammar errors, %ld as expected in the other "
			    "LMTP mode", p < 0 ? "" : "smtputf8:", rules[k].rule,
			    made, ok, prose, bad, mode);
		}
	}
	mwg_free(g);
	return check_done();
}
