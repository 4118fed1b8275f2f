/*
 * src/mailwire-parse.c: the parsers on the command line, for people and
 * for grammar-driven regression tests: stdin in, JSON lines out (schema in
 * docs/PARSE.md).
 */
#include <stdio.h>
#include <string.h>

#include "parse_tool.h"

static const struct {
	const char	*name;
	int		(*run)(int, char **);
	const char	*what;
} tools[] = {
	{ "commands", mwp_commands, "SMTP commands, as a server parses them" },
	{ "replies", mwp_replies, "SMTP replies, as a client parses them" },
	{ "data", mwp_data, "bytes after 354: end, length, SHA-256, events" },
	{ "encode", mwp_encode, "a raw body to its dot-stuffed DATA form" },
};

int
main(int argc, char **argv)
{
	if (argc >= 2)
		for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
			if (strcmp(argv[1], tools[i].name) == 0)
				return tools[i].run(argc - 1, argv + 1);
	fprintf(stderr, "usage: mailwire-parse COMMAND [options] < input\n");
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		fprintf(stderr, "  %-10s %s\n", tools[i].name, tools[i].what);
	return 2;
}
