/*
 * src/parse_command.c: `mailwire-parse commands`: a byte stream of client
 * commands on stdin, one JSON object per command line on stdout (schema in
 * docs/PARSE.md). It acts as a server that offers every extension mailwire
 * implements, so an unknown parameter keyword is an error (555 5.5.4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/command.h>

#include "json.h"
#include "parse_tool.h"

static void
jspan(FILE *fp, int *first, const char *key, const unsigned char *b,
    struct mw_span s)
{
	json_key(fp, first, key);
	json_str(fp, b + s.off, s.len);
}

static void
upper_key(FILE *fp, int *first, const unsigned char *s, size_t n)
{
	char key[128];
	size_t i;

	for (i = 0; i < n && i + 1 < sizeof(key); i++)
		key[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	key[i] = '\0';
	json_key(fp, first, key);
}

static void
print(FILE *fp, const struct mw_cmd *c, const unsigned char *b,
    const unsigned char *scratch, int complete)
{
	int first = 1, code;
	const char *esc, *text;

	fputc('{', fp);
	json_key(fp, &first, "ok");
	if (!complete || c->error != MW_CMD_OK) {
		mw_cmd_reply(complete ? c->error : MW_CMD_SYNTAX, c->verb, &code,
		    &esc, &text);
		fputs("false", fp);
		json_key(fp, &first, "code");
		fprintf(fp, "%d", code);
		json_key(fp, &first, "esc");
		json_str(fp, esc, strlen(esc));
		json_key(fp, &first, "error");
		if (complete)
			json_str(fp, text, strlen(text));
		else
			fputs("\"unterminated line at end of input\"", fp);
		json_key(fp, &first, "cause");
		text = complete ? mw_cmd_error_name(c->error) : "UNTERMINATED";
		json_str(fp, text, strlen(text));
		fputs("}\n", fp);
		return;
	}
	fputs("true", fp);
	json_key(fp, &first, "verb");
	json_str(fp, mw_verb_name(c->verb), strlen(mw_verb_name(c->verb)));
	switch (c->verb) {
	case MW_VERB_EHLO:
	case MW_VERB_HELO:
	case MW_VERB_LHLO:
		jspan(fp, &first, "domain", b, c->domain);
		break;
	case MW_VERB_ETRN:
		/* RFC 1985 5: the node as written; its domain unless "#" */
		jspan(fp, &first, "node", b, c->arg);
		if (c->domain.len)
			jspan(fp, &first, "domain", b, c->domain);
		if (c->etrn_option) {
			char o = (char)c->etrn_option;

			json_key(fp, &first, "option");
			json_str(fp, &o, 1);
		}
		break;
	case MW_VERB_MAIL:
	case MW_VERB_RCPT:
		jspan(fp, &first, "path", b, c->mailbox);
		if (c->mailbox.len) {
			jspan(fp, &first, "local", b, c->local);
			json_key(fp, &first, "quoted");
			fputs(c->quoted ? "true" : "false", fp);
		}
		if (c->domain.len) {
			static const char *const kinds[] = { "domain", "ipv4",
			    "ipv6", "general" };

			jspan(fp, &first, "domain", b, c->domain);
			json_key(fp, &first, "literal");
			json_str(fp, kinds[c->literal], strlen(kinds[c->literal]));
		}
		if (c->source_route.len)
			jspan(fp, &first, "source_route", b, c->source_route);
		if (c->postmaster) {
			json_key(fp, &first, "postmaster");
			fputs("true", fp);
		}
		json_key(fp, &first, "params");
		fputc('{', fp);
		for (unsigned i = 0, f2 = 1; i < c->nparams; i++) {
			const struct mw_param *pa = &c->params[i];
			int f = f2;

			upper_key(fp, &f, b + pa->keyword.off, pa->keyword.len);
			f2 = 0;
			if (pa->has_value)
				json_str(fp, b + pa->value.off, pa->value.len);
			else
				fputs("null", fp);
		}
		fputc('}', fp);
		for (unsigned i = 0; i < c->nparams; i++) {
			const struct mw_param *pa = &c->params[i];

			if (pa->decoded.len == 0 && pa->kind != MW_PARAM_AUTH &&
			    pa->kind != MW_PARAM_ENVID && pa->kind != MW_PARAM_ORCPT)
				continue;
			json_key(fp, &first, pa->kind == MW_PARAM_AUTH ? "auth" :
			    pa->kind == MW_PARAM_ENVID ? "envid" : "orcpt");
			json_str(fp, scratch + pa->decoded.off, pa->decoded.len);
			if (pa->ctl) {
				json_key(fp, &first, "control_in_xtext");
				fputs("true", fp);
			}
		}
		break;
	case MW_VERB_VRFY:
	case MW_VERB_EXPN:
	case MW_VERB_HELP:
	case MW_VERB_NOOP:
		if (c->arg.len)
			jspan(fp, &first, "arg", b, c->arg);
		break;
	case MW_VERB_AUTH:
		jspan(fp, &first, "mechanism", b, c->arg);
		if (c->initial_response.len)
			jspan(fp, &first, "initial_response", b, c->initial_response);
		break;
	case MW_VERB_BDAT:
		json_key(fp, &first, "size");
		fprintf(fp, "%llu", (unsigned long long)c->bdat_size);
		json_key(fp, &first, "last");
		fputs(c->bdat_last ? "true" : "false", fp);
		break;
	default:
		break;
	}
	fputs("}\n", fp);
}

int
mwp_commands(int argc, char **argv)
{
	static unsigned char buf[1 << 16], scratch[1 << 16];
	struct mw_cmd_config cfg;
	struct mw_cmd_parser p;
	struct mw_cmd cmd;
	size_t len = 0, n, used;

	mw_cmd_config_init(&cfg);
	cfg.strict_params = 1;
	/* without --smtputf8 the server does not offer it (RFC 6531 3.1) */
	cfg.extensions &= ~MW_EXT_SMTPUTF8;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--smtputf8") == 0) {
			cfg.extensions |= MW_EXT_SMTPUTF8;
		} else if (strncmp(argv[i], "--lenient=", 10) == 0) {
			char *list = argv[i] + 10;

			for (char *w = strtok(list, ","); w; w = strtok(NULL, ",")) {
				if (strcmp(w, "bare-lf") == 0)
					cfg.lenient |= MW_LENIENT_BARE_LF;
				else if (strcmp(w, "space-after-colon") == 0)
					cfg.lenient |= MW_LENIENT_SPACE_AFTER_COLON;
				else if (strcmp(w, "no-brackets") == 0)
					cfg.lenient |= MW_LENIENT_NO_BRACKETS;
				else {
					fprintf(stderr, "mailwire-parse: no leniency %s "
					    "(bare-lf, space-after-colon, no-brackets)\n", w);
					return 2;
				}
			}
		} else if (strcmp(argv[i], "--lmtp") == 0) {
			cfg.lmtp = 1;	/* RFC 2033 4.1 */
		} else {
			fprintf(stderr, "usage: mailwire-parse commands [--smtputf8] "
			    "[--lmtp] [--lenient=NAME[,NAME]]\n");
			return 2;
		}
	}
	if (mw_cmd_init(&p, &cfg, scratch, sizeof(scratch)) != MW_ERR_OK)
		return 1;
	for (;;) {
		n = fread(buf + len, 1, sizeof(buf) - len, stdin);
		len += n;
		for (;;) {
			mw_err err = mw_cmd_parse(&p, buf, len, &used, &cmd);

			if (err == MW_ERR_OK)
				print(stdout, &cmd, buf, scratch, 1);
			memmove(buf, buf + used, len - used);
			len -= used;
			if (err != MW_ERR_OK)
				break;
		}
		if (n == 0)
			break;
	}
	if (len > 0 || p.discarding) {	/* a last line without its end */
		memset(&cmd, 0, sizeof(cmd));
		print(stdout, &cmd, buf, scratch, 0);
	}
	return 0;
}
