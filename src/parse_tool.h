/*
 * src/parse_tool.h: the subcommands of mailwire-parse, one function each,
 * in their own files (argv[0] is the subcommand name; each returns the
 * program's exit status). Programs only: they use stdio.
 */
#ifndef MW_PARSE_TOOL_H
#define MW_PARSE_TOOL_H

int	mwp_commands(int argc, char **argv);	/* src/parse_command.c */
int	mwp_replies(int argc, char **argv);	/* src/parse_reply.c */
int	mwp_data(int argc, char **argv);	/* src/parse_data.c */
int	mwp_encode(int argc, char **argv);	/* src/parse_data.c */

#endif
