/*
 * tests/test_gen_lexer.c: unit tests of the ABNF lexer of mwgen
 * (gen/lexer.re): every token kind, white space and continuation lines,
 * comments kept or skipped, the NUL sentinel, positions and errors.
 */
#include <string.h>

#include "abnf.h"
#include "check.h"

static const char *const kind_names[] = {
	"T_EOF", "T_END", "T_RULENAME", "T_DEFAS", "T_INCAS", "T_OLDDEF",
	"T_SLASH", "T_LPAREN", "T_RPAREN", "T_LBRACK", "T_RBRACK", "T_REPEAT",
	"T_CHARVAL", "T_NUMVAL", "T_PROSE", "T_COMMENT", "T_ERROR"
};

static const char *
kname(enum mwg_tok k)
{
	if ((unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]))
		return kind_names[k];
	return "?";
}

/* text made printable for a check's name: one line, visible bytes only */
static const char *
esc(const char *s)
{
	static char bufs[2][256];
	static int which;
	char *b = bufs[which ^= 1];
	size_t n = 0;

	for (; *s != '\0' && n + 5 < sizeof(bufs[0]); s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			b[n++] = (char)c;
		else
			n += (size_t)snprintf(b + n, sizeof(bufs[0]) - n, "\\x%02x",
			    c);
	}
	b[n] = '\0';
	return b;
}

/* The token has this kind and covers exactly text. */
static int
is(const struct mwg_token *t, enum mwg_tok kind, const char *text)
{
	return t->kind == kind && t->n == strlen(text) &&
	    memcmp(t->s, text, t->n) == 0;
}

static int
at(const struct mwg_token *t, int line, int col)
{
	return t->loc.line == line && t->loc.col == col;
}

/* Lexes a NUL-terminated string (the literal's own NUL is the sentinel). */
static void
start(struct mwg_lexer *lx, const char *text, int keep)
{
	mwg_lex_init(lx, 3, text, strlen(text));
	lx->keep_comments = keep;
}

/* The whole text is exactly one token of kind (then T_EOF). */
static void
single(const char *text, enum mwg_tok kind)
{
	struct mwg_lexer lx;
	struct mwg_token t;

	start(&lx, text, 0);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, kind, text) && at(&t, 1, 1) && !t.ws_before,
	    "lex '%s' is one %s (got %s, %zu bytes)", esc(text), kname(kind),
	    kname(t.kind), t.n);
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_EOF && at(&t, 1, (int)strlen(text) + 1),
	    "lex '%s' then T_EOF at 1:%zu", esc(text), strlen(text) + 1);
}

/* The text starts with a T_ERROR token of n bytes with a message. */
static void
error_token(const char *text, size_t n, const char *msgpart)
{
	struct mwg_lexer lx;
	struct mwg_token t;

	start(&lx, text, 0);
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_ERROR && t.n == n && t.msg != NULL &&
	    strstr(t.msg, msgpart) != NULL && at(&t, 1, 1),
	    "lex '%s' is a %zu-byte T_ERROR '%s' (got %s, %zu bytes, '%s')",
	    esc(text), n, msgpart, kname(t.kind), t.n,
	    t.msg ? t.msg : "(null)");
}

static void
test_init(void)
{
	struct mwg_lexer lx;
	const char *text = "abc";

	mwg_lex_init(&lx, 7, text, 3);
	CHECK(lx.cur == text && lx.lim == text + 3 && lx.line_start == text &&
	    lx.file == 7 && lx.line == 1 && lx.ws == 0 && lx.keep_comments == 0,
	    "mwg_lex_init sets up the lexer (comments skipped by default)");
}

static void
test_single_tokens(void)
{
	/* rule names: a letter, then letters, digits and hyphens */
	single("a", T_RULENAME);
	single("rule", T_RULENAME);
	single("Rule-Name", T_RULENAME);
	single("r2d2", T_RULENAME);
	single("UTF8-non-ascii", T_RULENAME);
	single("x-", T_RULENAME);
	single("A1-2-b", T_RULENAME);
	/* definitions */
	single("=", T_DEFAS);
	single("=/", T_INCAS);
	single("::=", T_OLDDEF);
	/* punctuation */
	single("/", T_SLASH);
	single("(", T_LPAREN);
	single(")", T_RPAREN);
	single("[", T_LBRACK);
	single("]", T_RBRACK);
	/* repeats */
	single("*", T_REPEAT);
	single("3", T_REPEAT);
	single("12", T_REPEAT);
	single("1*", T_REPEAT);
	single("*5", T_REPEAT);
	single("2*4", T_REPEAT);
	single("0*1", T_REPEAT);
	/* char-vals */
	single("\"abc\"", T_CHARVAL);
	single("\"\"", T_CHARVAL);
	single("\" \"", T_CHARVAL);
	single("\"a b!#~<>;\"", T_CHARVAL);
	single("%s\"Ab\"", T_CHARVAL);
	single("%S\"Ab\"", T_CHARVAL);
	single("%i\"x\"", T_CHARVAL);
	single("%I\"x\"", T_CHARVAL);
	/* num-vals */
	single("%x41", T_NUMVAL);
	single("%x41-5A", T_NUMVAL);
	single("%X41-5a", T_NUMVAL);
	single("%x0D.0A", T_NUMVAL);
	single("%x48.45.4C.4C.4F", T_NUMVAL);
	single("%d13.10", T_NUMVAL);
	single("%d65-90", T_NUMVAL);
	single("%D9", T_NUMVAL);
	single("%b0101", T_NUMVAL);
	single("%B1-11", T_NUMVAL);
	single("%b1.0.1", T_NUMVAL);
	/* prose */
	single("<text>", T_PROSE);
	single("<as defined in RFC 5322, section 3.2.3>", T_PROSE);
	single("<>", T_PROSE);
	/* a comment kept as a token */
	{
		struct mwg_lexer lx;
		struct mwg_token t;

		start(&lx, "; a comment\twith a tab", 1);
		mwg_lex_next(&lx, &t);
		CHECK(is(&t, T_COMMENT, "; a comment\twith a tab") &&
		    at(&t, 1, 1), "lex a comment with a tab as one T_COMMENT");
		mwg_lex_next(&lx, &t);
		CHECK(t.kind == T_EOF, "lex a comment at the end of the text "
		    "then T_EOF");
	}
}

static void
test_rule_line(void)
{
	static const struct {
		enum mwg_tok	 kind;
		const char	*text;
		int		 col;
		int		 ws;
	} want[] = {
		{ T_RULENAME, "my-rule2", 1, 0 },
		{ T_DEFAS, "=", 10, 1 },
		{ T_REPEAT, "1*", 12, 1 },
		{ T_LPAREN, "(", 14, 0 },
		{ T_RULENAME, "ALPHA", 15, 0 },
		{ T_SLASH, "/", 21, 1 },
		{ T_RULENAME, "DIGIT", 23, 1 },
		{ T_RPAREN, ")", 28, 0 },
		{ T_LBRACK, "[", 30, 1 },
		{ T_CHARVAL, "\"-\"", 31, 0 },
		{ T_RBRACK, "]", 34, 0 },
		{ T_NUMVAL, "%x2E", 36, 1 },
		{ T_PROSE, "<p>", 41, 1 },
		{ T_REPEAT, "3", 45, 1 },
		{ T_CHARVAL, "%s\"X\"", 46, 0 },
		{ T_END, "\n", 51, 0 },
		{ T_RULENAME, "b", 1, 0 },
		{ T_INCAS, "=/", 3, 1 },
		{ T_RULENAME, "c", 6, 1 },
		{ T_EOF, "", 7, 0 },
	};
	const char *text = "my-rule2 = 1*(ALPHA / DIGIT) [\"-\"] %x2E <p> "
	    "3%s\"X\"\nb =/ c";
	struct mwg_lexer lx;
	struct mwg_token t;
	size_t i;

	start(&lx, text, 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int line = i < 16 ? 1 : 2;

		mwg_lex_next(&lx, &t);
		CHECK(is(&t, want[i].kind, want[i].text) &&
		    at(&t, line, want[i].col) && t.ws_before == want[i].ws &&
		    t.loc.file == 3,
		    "rule line token %zu is %s '%s' at %d:%d ws %d (got %s "
		    "%.*s at %d:%d ws %d)", i, kname(want[i].kind),
		    want[i].kind == T_END ? "\\n" : want[i].text, line,
		    want[i].col, want[i].ws, kname(t.kind),
		    (int)(t.kind == T_END ? 0 : t.n), t.s,
		    t.loc.line, t.loc.col, t.ws_before);
	}
	/* T_EOF repeats at the end */
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_EOF && at(&t, 2, 7) && t.n == 0,
	    "T_EOF again after T_EOF, at the same place");
}

static void
test_adjacent(void)
{
	struct mwg_lexer lx;
	struct mwg_token t;

	/* "=/" is one token; "= /" is two */
	start(&lx, "= /", 0);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_DEFAS, "="), "'= /' starts with T_DEFAS");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_SLASH, "/") && t.ws_before, "'= /' then T_SLASH");
	/* a repeat then its element with no space */
	start(&lx, "1a", 0);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_REPEAT, "1"), "'1a' starts with the repeat '1'");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "a") && !t.ws_before && at(&t, 1, 2),
	    "'1a' then the rule name 'a' with no white space before it");
	/* two strings with no space between: two tokens, no ws */
	start(&lx, "\"a\"\"b\"", 0);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_CHARVAL, "\"a\""), "'\"a\"\"b\"' starts with \"a\"");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_CHARVAL, "\"b\"") && !t.ws_before && at(&t, 1, 4),
	    "'\"a\"\"b\"' then \"b\" with no white space before it");
	/* a num-val stops where its syntax stops */
	start(&lx, "%x41-5A.42", 0);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_NUMVAL, "%x41-5A"), "'%%x41-5A.42': the range ends "
	    "before '.'");
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_ERROR && at(&t, 1, 8), "'%%x41-5A.42': then '.' is "
	    "an unexpected character");
	start(&lx, "%d1.2-3", 0);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_NUMVAL, "%d1.2"), "'%%d1.2-3': the concatenation ends "
	    "before '-'");
	start(&lx, "%b012", 0);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_NUMVAL, "%b01"), "'%%b012': binary digits stop at 2");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_REPEAT, "2") && !t.ws_before,
	    "'%%b012': then '2' is a repeat");
	/* a hyphen may not start a rule name */
	start(&lx, "-a", 0);
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_ERROR && t.n == 1, "'-a': '-' is an unexpected "
	    "character");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "a") && !t.ws_before,
	    "'-a': then the rule name 'a'");
	/* ':' alone, '::' and ':=' are not '::=' */
	start(&lx, ":=", 0);
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_ERROR && t.n == 1, "':=' is not a definition");
}

static void
test_errors(void)
{
	/* unterminated char-vals: the token runs to the bad byte */
	error_token("\"abc", 4, "unterminated");
	error_token("\"abc\nx", 4, "unterminated");
	error_token("\"a\tb\"", 2, "unterminated or invalid quoted string");
	error_token("%s\"ab", 5, "unterminated");
	error_token("%i\"", 3, "unterminated");
	error_token("\"caf\xc3\xa9\"", 4, "only %x20-21 / %x23-7E");
	/* malformed num-vals: just the "%x" */
	error_token("%x", 2, "malformed numeric value");
	error_token("%xZZ", 2, "malformed numeric value");
	error_token("%d", 2, "malformed numeric value");
	error_token("%b2", 2, "malformed numeric value");
	error_token("%B", 2, "malformed numeric value");
	/* a "%" with nothing valid after it */
	error_token("%", 1, "unexpected character");
	error_token("%q41", 1, "unexpected character");
	/* unterminated prose */
	error_token("<text", 5, "unterminated prose value");
	error_token("<te\txt>", 3, "unterminated prose value");
	error_token("<a\n>", 2, "unterminated prose value");
	/* characters that start no token */
	error_token("@", 1, "unexpected character");
	error_token("#", 1, "unexpected character");
	error_token("{", 1, "unexpected character");
	error_token("!", 1, "unexpected character");
	error_token(":", 1, "unexpected character");
	error_token("_a", 1, "unexpected character");
	error_token("\x01", 1, "unexpected character");
	error_token("\x7f", 1, "unexpected character");
	error_token("\x80", 1, "unexpected character");
	error_token("\xff", 1, "unexpected character");
	error_token("\r", 1, "unexpected character");
	error_token("\rx", 1, "unexpected character");
	error_token("\f", 1, "unexpected character");
	/* a comment with a byte outside %x20-7E / HTAB, kept or not */
	error_token("; caf\xc3\xa9", 6, "a comment may hold only");
	error_token(";\x01", 2, "a comment may hold only");
	{
		struct mwg_lexer lx;
		struct mwg_token t;

		start(&lx, "; bad \x7f here\nx", 1);
		mwg_lex_next(&lx, &t);
		CHECK(t.kind == T_ERROR && t.n == 7 && at(&t, 1, 1),
		    "a kept comment with DEL is a T_ERROR up to the DEL");
		mwg_lex_next(&lx, &t);
		CHECK(is(&t, T_RULENAME, "here") && t.ws_before,
		    "lexing goes on after the bad comment byte");
	}
	/* the lexer goes on after an error, with no white space flag */
	{
		struct mwg_lexer lx;
		struct mwg_token t;

		start(&lx, "a @b", 0);
		mwg_lex_next(&lx, &t);
		mwg_lex_next(&lx, &t);
		CHECK(t.kind == T_ERROR && at(&t, 1, 3) && t.ws_before,
		    "'a @b': '@' is a T_ERROR at 1:3 after white space");
		mwg_lex_next(&lx, &t);
		CHECK(is(&t, T_RULENAME, "b") && !t.ws_before,
		    "'a @b': then 'b' with no white space before it");
	}
}

static void
test_comments(void)
{
	const char *text = "a = b ; the rest\n; whole line\nc";
	struct mwg_lexer lx;
	struct mwg_token t;

	/* kept */
	start(&lx, text, 1);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "b"), "kept comments: 'b' first");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_COMMENT, "; the rest") && at(&t, 1, 7) && t.ws_before,
	    "kept comments: '; the rest' at 1:7 is a T_COMMENT");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_END, "\n") && at(&t, 1, 17) && t.ws_before,
	    "kept comments: then T_END (the comment counts as white space)");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_COMMENT, "; whole line") && at(&t, 2, 1) &&
	    !t.ws_before, "kept comments: a whole-line comment at 2:1");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_END, "\n") && at(&t, 2, 13),
	    "kept comments: its line end is a T_END");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "c") && at(&t, 3, 1) && !t.ws_before,
	    "kept comments: then 'c' at 3:1");
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_EOF, "kept comments: T_EOF");

	/* skipped: the comment is white space and disappears */
	start(&lx, text, 0);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_END, "\n") && at(&t, 1, 17) && t.ws_before,
	    "skipped comments: 'b' then T_END with ws_before");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_END, "\n") && at(&t, 2, 13) && t.ws_before,
	    "skipped comments: a whole-line comment leaves only its T_END");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "c") && at(&t, 3, 1) && !t.ws_before,
	    "skipped comments: then 'c' at 3:1 with no ws_before");

	/* a comment directly after a token separates it from the next */
	start(&lx, "a;x\n b", 0);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "b") && t.ws_before && at(&t, 2, 2),
	    "'a;x<nl> b': the comment and continuation are white space");
	/* a comment at the end of the text */
	start(&lx, "a ; end", 0);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_EOF && at(&t, 1, 8), "a skipped comment at the end "
	    "of the text, then T_EOF");
	/* an empty comment */
	start(&lx, ";\n", 1);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_COMMENT, ";"), "';' alone is a comment");
	/* ';' inside a string or prose is not a comment */
	start(&lx, "\";\" <;>", 1);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_CHARVAL, "\";\""), "';' inside a string is no comment");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_PROSE, "<;>"), "';' inside prose is no comment");
}

static void
test_continuation(void)
{
	struct mwg_lexer lx;
	struct mwg_token t;

	/* newline + space: white space, the rule goes on */
	start(&lx, "a =\n b", 0);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "b") && t.ws_before && at(&t, 2, 2),
	    "LF + space continues the rule: 'b' at 2:2 with ws_before");
	/* newline + tab */
	start(&lx, "a =\n\tb", 0);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "b") && t.ws_before && at(&t, 2, 2),
	    "LF + tab continues the rule: 'b' at 2:2 with ws_before");
	/* CRLF + space */
	start(&lx, "a =\r\n  b", 0);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "b") && t.ws_before && at(&t, 2, 3),
	    "CRLF + space continues the rule: 'b' at 2:3");
	/* newline + anything else: T_END */
	start(&lx, "a =\nb", 0);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_END, "\n") && at(&t, 1, 4),
	    "LF + letter is T_END at the LF (1:4)");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "b") && !t.ws_before && at(&t, 2, 1),
	    "after T_END: 'b' at 2:1 with no ws_before");
	/* CRLF line end: one T_END of two bytes */
	start(&lx, "a\r\nb\r\n", 0);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_END, "\r\n") && at(&t, 1, 2),
	    "CRLF + letter is one 2-byte T_END at 1:2");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "b") && at(&t, 2, 1) && !t.ws_before,
	    "after a CRLF T_END: 'b' at 2:1");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_END, "\r\n") && at(&t, 2, 2),
	    "a CRLF at the end of the text is a T_END");
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_EOF && at(&t, 3, 1), "then T_EOF at 3:1");
	/* blank lines: one T_END each */
	start(&lx, "a\n\n\nb", 0);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_END && at(&t, 1, 2), "blank lines: T_END 1");
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_END && at(&t, 2, 1), "blank lines: T_END 2");
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_END && at(&t, 3, 1), "blank lines: T_END 3");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "b") && at(&t, 4, 1), "blank lines: 'b' at "
	    "4:1");
	/* a line of blanks then a line end: continuation, then T_END */
	start(&lx, "a\n  \nb", 0);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_END && at(&t, 2, 3) && t.ws_before,
	    "a blank line of spaces continues the rule, then ends it at 2:3");
	/* several continuation lines and comments */
	start(&lx, "a = b ; one\n  ; two\n\t/ c\n", 0);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_SLASH, "/") && at(&t, 3, 2) && t.ws_before,
	    "comments on continuation lines are skipped: '/' at 3:2");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "c") && at(&t, 3, 4),
	    "continuation lines: 'c' at 3:4");
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_END && at(&t, 3, 5), "continuation lines: T_END at "
	    "3:5");
	/* trailing white space before a line end */
	start(&lx, "a  \t\nb", 0);
	mwg_lex_next(&lx, &t);
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_END && at(&t, 1, 5) && t.ws_before,
	    "trailing white space, then T_END at 1:5");
	/* leading white space on the first line */
	start(&lx, "  a", 0);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "a") && at(&t, 1, 3) && t.ws_before,
	    "leading white space: 'a' at 1:3 with ws_before");
}

static void
test_nul(void)
{
	struct mwg_lexer lx;
	struct mwg_token t;
	static const char text[] = "a \0 b";	/* NUL inside, NUL at the end */

	mwg_lex_init(&lx, 0, text, sizeof(text) - 1);
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "a"), "NUL inside: 'a' first");
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_ERROR && t.n == 1 && t.s == text + 2 &&
	    at(&t, 1, 3) && t.msg != NULL && strstr(t.msg, "NUL") != NULL,
	    "a NUL inside the text is a 1-byte T_ERROR at 1:3 (NUL byte)");
	mwg_lex_next(&lx, &t);
	CHECK(is(&t, T_RULENAME, "b") && at(&t, 1, 5),
	    "after the NUL lexing goes on: 'b' at 1:5");
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_EOF && t.s == text + 5 && t.n == 0,
	    "the NUL sentinel at the end is T_EOF");
	mwg_lex_next(&lx, &t);
	CHECK(t.kind == T_EOF && t.s == text + 5,
	    "T_EOF does not move past the sentinel");

	/* a NUL at the very start; an empty text */
	{
		static const char two[] = "\0";

		mwg_lex_init(&lx, 0, two, 1);
		mwg_lex_next(&lx, &t);
		CHECK(t.kind == T_ERROR && t.n == 1,
		    "a NUL as the first byte of a 1-byte text is T_ERROR");
		mwg_lex_next(&lx, &t);
		CHECK(t.kind == T_EOF && at(&t, 1, 2),
		    "then the sentinel is T_EOF at 1:2");
		mwg_lex_init(&lx, 0, "", 0);
		mwg_lex_next(&lx, &t);
		CHECK(t.kind == T_EOF && at(&t, 1, 1) && t.n == 0,
		    "an empty text is T_EOF at 1:1");
	}
	/* NUL inside a string, prose, comment */
	{
		static const char s[] = "\"a\0b\"";
		static const char p[] = "<a\0b>";
		static const char c[] = ";a\0b";

		mwg_lex_init(&lx, 0, s, sizeof(s) - 1);
		mwg_lex_next(&lx, &t);
		CHECK(t.kind == T_ERROR && t.n == 2,
		    "a NUL inside a string ends it as unterminated");
		mwg_lex_next(&lx, &t);
		CHECK(t.kind == T_ERROR && t.n == 1 && t.s == s + 2 &&
		    strstr(t.msg, "NUL") != NULL, "then the NUL itself");
		mwg_lex_init(&lx, 0, p, sizeof(p) - 1);
		mwg_lex_next(&lx, &t);
		CHECK(t.kind == T_ERROR && t.n == 2 &&
		    strstr(t.msg, "prose") != NULL,
		    "a NUL inside prose ends it as unterminated");
		mwg_lex_init(&lx, 0, c, sizeof(c) - 1);
		lx.keep_comments = 1;
		mwg_lex_next(&lx, &t);
		CHECK(is(&t, T_COMMENT, ";a"), "a NUL ends a comment");
		mwg_lex_next(&lx, &t);
		CHECK(t.kind == T_ERROR && t.s == c + 2 &&
		    strstr(t.msg, "NUL") != NULL, "then the NUL is a T_ERROR");
	}
	/* a text shorter than its buffer: lim is the end */
	{
		static const char buf[] = "ab\0cd";

		mwg_lex_init(&lx, 0, buf, 2);
		mwg_lex_next(&lx, &t);
		CHECK(is(&t, T_RULENAME, "ab"), "len 2 of \"ab\\0cd\": 'ab'");
		mwg_lex_next(&lx, &t);
		CHECK(t.kind == T_EOF && t.s == buf + 2,
		    "len 2 of \"ab\\0cd\": the NUL at lim is T_EOF");
	}
}

static void
test_positions(void)
{
	struct mwg_lexer lx;
	struct mwg_token t;
	const char *text = "r1 = x\n\t; c\n  / y\nr2 = %x41\r\n\r\n"
	    "r3 = \"s\" <p>\n";
	int n = 0;
	struct { int line, col; enum mwg_tok k; } seen[32];

	start(&lx, text, 0);
	do {
		mwg_lex_next(&lx, &t);
		seen[n].line = t.loc.line;
		seen[n].col = t.loc.col;
		seen[n].k = t.kind;
		n++;
	} while (t.kind != T_EOF && n < 32);
	CHECK(n == 17, "positions: 17 tokens (got %d)", n);
	if (n != 17)
		return;
	CHECK(seen[0].line == 1 && seen[0].col == 1 && seen[0].k == T_RULENAME,
	    "positions: r1 at 1:1");
	CHECK(seen[2].line == 1 && seen[2].col == 6, "positions: x at 1:6");
	CHECK(seen[3].line == 3 && seen[3].col == 3 && seen[3].k == T_SLASH,
	    "positions: '/' at 3:3 after a continued comment line");
	CHECK(seen[4].line == 3 && seen[4].col == 5, "positions: y at 3:5");
	CHECK(seen[5].line == 3 && seen[5].col == 6 && seen[5].k == T_END,
	    "positions: T_END at 3:6");
	CHECK(seen[6].line == 4 && seen[6].col == 1, "positions: r2 at 4:1");
	CHECK(seen[8].line == 4 && seen[8].col == 6 && seen[8].k == T_NUMVAL,
	    "positions: %%x41 at 4:6");
	CHECK(seen[9].line == 4 && seen[9].col == 10 && seen[9].k == T_END,
	    "positions: CRLF T_END at 4:10");
	CHECK(seen[10].line == 5 && seen[10].col == 1 && seen[10].k == T_END,
	    "positions: empty CRLF line T_END at 5:1");
	CHECK(seen[11].line == 6 && seen[11].col == 1, "positions: r3 at 6:1");
	CHECK(seen[13].line == 6 && seen[13].col == 6 && seen[13].k == T_CHARVAL,
	    "positions: string at 6:6");
	CHECK(seen[14].line == 6 && seen[14].col == 10 && seen[14].k == T_PROSE,
	    "positions: prose at 6:10");
	CHECK(seen[15].line == 6 && seen[15].col == 13 && seen[15].k == T_END,
	    "positions: T_END at 6:13");
	CHECK(seen[16].line == 7 && seen[16].col == 1 && seen[16].k == T_EOF,
	    "positions: T_EOF at 7:1");
	/* columns count bytes, a tab is one */
	start(&lx, "\t\ta", 0);
	mwg_lex_next(&lx, &t);
	CHECK(t.loc.col == 3, "columns count bytes: a tab is one column");
}

int
main(void)
{
	test_init();
	test_single_tokens();
	test_rule_line();
	test_adjacent();
	test_errors();
	test_comments();
	test_continuation();
	test_nul();
	test_positions();
	return check_done();
}
