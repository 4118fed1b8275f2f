/*
 * gen/main.c: mwgen, the command line of the generator.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "abnf.h"

static const char usage[] =
"usage: mwgen COMMAND [options] FILE.abnf...\n"
"commands:\n"
"  check      parse and check the grammar\n"
"  ragel      Ragel definitions, one .rl per grammar file, into -o DIR\n"
"  acceptor   a test harness .rl with one machine per start rule (-o FILE)\n"
"  dict       libFuzzer dictionary of the terminals of -s RULE[,RULE...]\n"
"  sentences  -n random sentences of -s RULE: escaped lines on stdout,\n"
"             or one file each into -o DIR\n"
"  rfccheck   compare each @rfc rule with the RFC text in --rfc-dir DIR\n"
"  runs       runs [--pure MACHINE]... MACHINE.xml IN.c OUT.c: skip loops\n"
"             for the self-loops of machines Ragel wrote in -G2 (gen/runs.c)\n"
"options:\n"
"  --start FILE      start rules (roots of the unused-rule check)\n"
"  --captures FILE   rules that get capture hooks\n"
"  -o PATH           output directory or file\n"
"  -s RULES          start rules for dict and sentences, comma-separated\n"
"  -p PROFILE        resolve rules in a @profile\n"
"  --lenient NAMES   sentences may use these @leniency alternatives\n"
"  -n N              number of sentences (default 100)\n"
"  --seed N          random seed (default 1)\n"
"  --depth N         depth beyond which sentences take the shortest way (12)\n"
"  --rfc-dir DIR     directory of rfcNNNN.txt (default ../shared/rfc)\n";

static void
escaped(FILE *out, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\':
			fputs("\\\\", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (s[i] >= 0x20 && s[i] < 0x7f)
				fputc(s[i], out);
			else
				fprintf(out, "\\x%02x", s[i]);
		}
	}
	fputc('\n', out);
}

static int
sentences(struct mwg_grammar *g, struct mwg_rule *r, int profile, long count,
    unsigned long seed, int depth, const char *outdir)
{
	static unsigned char buf[1 << 20];
	struct mwg_rng rng;

	mwg_rng_seed(&rng, seed);
	for (long i = 0; i < count; i++) {
		size_t n = mwg_sentence(g, r, profile, &rng, depth, buf, sizeof(buf));

		if (n == (size_t)-1) {
			fprintf(stderr, "mwgen: a sentence of %s is over %zu octets\n",
			    r->name, sizeof(buf));
			return -1;
		}
		if (outdir != NULL) {
			char path[4096];
			FILE *fp;

			snprintf(path, sizeof(path), "%s/%s-%lu-%ld", outdir, r->name,
			    seed, i);
			if ((fp = fopen(path, "wb")) == NULL) {
				fprintf(stderr, "mwgen: %s: %s\n", path, strerror(errno));
				return -1;
			}
			fwrite(buf, 1, n, fp);
			fclose(fp);
		} else {
			escaped(stdout, buf, n);
		}
	}
	return 0;
}

/* Resolves -s names; returns how many. */
static size_t
rules_named(struct mwg_grammar *g, char *list, int profile,
    struct mwg_rule **out, size_t max)
{
	size_t n = 0;

	for (char *w = strtok(list, ","); w != NULL && n < max;
	    w = strtok(NULL, ",")) {
		struct mwg_rule *r = mwg_lookup(g, w, strlen(w), profile);

		if (r == NULL) {
			fprintf(stderr, "mwgen: no rule %s%s%s\n", w,
			    profile >= 0 ? " in profile " : "",
			    profile >= 0 ? g->profiles[profile] : "");
			return 0;
		}
		out[n++] = r;
	}
	return n;
}

int
main(int argc, char **argv)
{
	const char *cmd, *out = NULL, *profile = NULL, *startf = NULL,
	    *capf = NULL, *rfcdir = "../shared/rfc";
	char *sel = NULL, *lenient = NULL;
	long count = 100;
	unsigned long seed = 1;
	int depth = 12, prof = -1, rc = 1, i;
	struct mwg_grammar *g;
	struct mwg_rule *starts[256];
	size_t nstarts;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	if (strcmp(cmd, "runs") == 0) {
		const char *pure[16];
		int npure = 0;

		for (i = 2; i + 1 < argc && strcmp(argv[i], "--pure") == 0 &&
		    npure < 16; i += 2)
			pure[npure++] = argv[i + 1];
		if (argc - i != 3) {
			fputs(usage, stderr);
			return 2;
		}
		return mwg_runs(pure, npure, argv[i], argv[i + 1], argv[i + 2],
		    stderr) < 0;
	}
	g = mwg_new(stderr);
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (a[0] != '-') {
			mwg_add_file(g, a);
			continue;
		}
		if (v == NULL) {
			fprintf(stderr, "mwgen: %s wants a value\n%s", a, usage);
			goto done;
		}
		i++;
		if (strcmp(a, "-o") == 0)
			out = v;
		else if (strcmp(a, "-s") == 0)
			sel = argv[i];
		else if (strcmp(a, "-p") == 0)
			profile = v;
		else if (strcmp(a, "-n") == 0)
			count = strtol(v, NULL, 10);
		else if (strcmp(a, "--seed") == 0)
			seed = strtoul(v, NULL, 10);
		else if (strcmp(a, "--depth") == 0)
			depth = (int)strtol(v, NULL, 10);
		else if (strcmp(a, "--start") == 0)
			startf = v;
		else if (strcmp(a, "--captures") == 0)
			capf = v;
		else if (strcmp(a, "--rfc-dir") == 0)
			rfcdir = v;
		else if (strcmp(a, "--lenient") == 0)
			lenient = argv[i];
		else {
			fprintf(stderr, "mwgen: unknown option %s\n%s", a, usage);
			goto done;
		}
	}
	if (startf != NULL)
		mwg_read_list(g, startf, 0);
	if (capf != NULL)
		mwg_read_list(g, capf, 1);
	if (g->nerrors || mwg_check(g) < 0)
		goto done;
	if (profile != NULL) {
		for (prof = 0; prof < g->nprofiles; prof++)
			if (strcmp(g->profiles[prof], profile) == 0)
				break;
		if (prof == g->nprofiles) {
			fprintf(stderr, "mwgen: no profile %s\n", profile);
			goto done;
		}
	}
	if (lenient != NULL) {
		unsigned mask = 0;

		for (char *w = strtok(lenient, ","); w; w = strtok(NULL, ",")) {
			int k = mwg_leniency_index(g, w);

			if (k < 0) {
				fprintf(stderr, "mwgen: no leniency %s\n", w);
				goto done;
			}
			mask |= 1u << k;
		}
		mwg_set_lenient(g, mask);
	}
	if (strcmp(cmd, "check") == 0) {
		rc = 0;
	} else if (strcmp(cmd, "ragel") == 0) {
		if (out == NULL) {
			fprintf(stderr, "mwgen: ragel wants -o DIR\n");
			goto done;
		}
		mkdir(out, 0777);
		rc = mwg_emit_ragel(g, out) < 0;
	} else if (strcmp(cmd, "acceptor") == 0) {
		FILE *fp = out ? fopen(out, "w") : stdout;

		if (fp == NULL) {
			fprintf(stderr, "mwgen: %s: %s\n", out, strerror(errno));
			goto done;
		}
		rc = mwg_emit_acceptor(g, fp) < 0;
		if (out)
			fclose(fp);
	} else if (strcmp(cmd, "dict") == 0 || strcmp(cmd, "sentences") == 0) {
		if (sel == NULL || (nstarts = rules_named(g, sel, prof, starts,
		    256)) == 0) {
			fprintf(stderr, "mwgen: %s wants -s RULE\n", cmd);
			goto done;
		}
		if (cmd[0] == 'd') {
			rc = mwg_emit_dict(g, starts, nstarts, prof, stdout) < 0;
		} else {
			if (out != NULL)
				mkdir(out, 0777);
			rc = 0;
			for (size_t k = 0; k < nstarts && rc == 0; k++)
				rc = sentences(g, starts[k], prof, count, seed, depth,
				    out) < 0;
		}
	} else if (strcmp(cmd, "rfccheck") == 0) {
		int skipped;

		rc = mwg_rfccheck(g, rfcdir, &skipped) < 0;
	} else {
		fprintf(stderr, "mwgen: unknown command %s\n%s", cmd, usage);
	}
done:
	if (g->nerrors && rc == 0)
		rc = 1;
	mwg_free(g);
	return rc;
}
