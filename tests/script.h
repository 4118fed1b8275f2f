/*
 * tests/script.h: what the scripted-dialogue tests of the two engines
 * (test_client.c, test_server.c) share: a growing byte string and the
 * scripts' backslash escapes.
 */
#ifndef MW_TEST_SCRIPT_H
#define MW_TEST_SCRIPT_H

#include <stdlib.h>
#include <string.h>

/* A growing byte string (the test may allocate; the engine does not). */
struct str {
	char	*p;
	size_t	 n, cap;
};

static void
add(struct str *s, const void *p, size_t n)
{
	if (s->n + n + 1 > s->cap) {
		s->cap = (s->n + n + 1) * 2;
		if ((s->p = realloc(s->p, s->cap)) == NULL)
			abort();
	}
	memcpy(s->p + s->n, p, n);
	s->n += n;
	s->p[s->n] = '\0';
}

static void
adds(struct str *s, const char *p)
{
	add(s, p, strlen(p));
}

static int
same(const struct str *a, const struct str *b)
{
	return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

static size_t
unescape(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 >= n) {
			out[o++] = s[i];
			continue;
		}
		switch (s[++i]) {
		case 'r': out[o++] = '\r'; break;
		case 'n': out[o++] = '\n'; break;
		case 't': out[o++] = '\t'; break;
		case '0': out[o++] = '\0'; break;
		case 'x': {
			char h[3] = { s[i + 1], s[i + 2], 0 };

			out[o++] = (char)strtol(h, NULL, 16);
			i += 2;
			break;
		}
		default: out[o++] = s[i]; break;
		}
	}
	return o;
}

#endif
