/*
 * src/recognize.c: mailwire-recognize, the demo of the grammar pipeline
 * until the engines exist. It reads SMTP transcripts written as "C: ..."
 * and "S: ..." lines (the dialogues of RFC 5321 Appendix D), turns each
 * client line and each whole reply into wire form (CRLF line ends) and
 * prints which start rules of grammar/ accept it, using the machines that
 * mwgen generated and Ragel compiled. Message lines after a 354 reply are
 * shown as message content up to the lone ".".
 *
 * Exit status: 0 if every command and reply was recognised, 1 if not.
 */
#include <stdio.h>
#include <string.h>

#include "accept.h"

#define MAXREPLY 8192

static int unrecognised, recognised;

static void
matches(const char *who, const unsigned char *wire, size_t n)
{
	int any = 0;

	/* rules of the base grammar first; a profile's only if nothing else */
	for (int pass = 0; pass < 2 && !any; pass++) {
		for (const struct mwg_acceptor *a = mwg_acceptors; a->rule; a++) {
			if ((pass == 0) != (a->profile == NULL))
				continue;
			if (!a->accept(wire, n))
				continue;
			printf("%s%s%s%s", any ? ", " : "    => ",
			    a->profile ? a->profile : "", a->profile ? ":" : "",
			    a->rule);
			any = 1;
		}
	}
	if (any) {
		recognised++;
		printf("\n");
	} else {
		unrecognised++;
		printf("    => no %s rule accepts this\n", who);
	}
}

static int
transcript(FILE *fp, const char *name)
{
	char line[1024];
	unsigned char reply[MAXREPLY];
	size_t rlen = 0;
	int in_data = 0;

	printf("== %s\n", name);
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t n = strcspn(line, "\r\n");
		const char *text = line + 3;

		line[n] = '\0';
		if (n < 3 || (line[0] != 'C' && line[0] != 'S') ||
		    line[1] != ':' || line[2] != ' ')
			continue;
		printf("%s\n", line);
		n -= 3;
		if (line[0] == 'C' && in_data) {
			if (strcmp(text, ".") == 0) {
				printf("    => end of data (CRLF . CRLF)\n");
				in_data = 0;
			}
			continue;
		}
		if (n + 2 > sizeof(reply) - rlen) {
			printf("    => too long for this demo\n");
			unrecognised++;
			rlen = 0;
			continue;
		}
		memcpy(reply + rlen, text, n);
		rlen += n;
		reply[rlen++] = '\r';
		reply[rlen++] = '\n';
		if (line[0] == 'C') {
			matches("client", reply, rlen);
			rlen = 0;
			continue;
		}
		if (n >= 4 && text[3] == '-')
			continue;	/* RFC 5321 4.2.1: the reply goes on */
		matches("reply", reply, rlen);
		if (strncmp(text, "354", 3) == 0)
			in_data = 1;
		rlen = 0;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		transcript(stdin, "stdin");
	} else {
		for (int i = 1; i < argc; i++) {
			FILE *fp = fopen(argv[i], "r");

			if (fp == NULL) {
				fprintf(stderr, "mailwire-recognize: cannot read %s\n",
				    argv[i]);
				return 2;
			}
			transcript(fp, argv[i]);
			fclose(fp);
		}
	}
	printf("\n%d commands and replies recognised, %d not\n", recognised,
	    unrecognised);
	return unrecognised != 0;
}
