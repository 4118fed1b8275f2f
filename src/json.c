/*
 * src/json.c: JSON output for the programs.
 */
#include <string.h>

#include "json.h"

/* Length of a valid UTF-8 sequence at s (RFC 3629 4), or 0. */
static size_t
utf8len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

void
json_str(FILE *fp, const void *v, size_t n)
{
	const unsigned char *s = v;

	fputc('"', fp);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		size_t u;

		if (c == '"' || c == '\\') {
			fputc('\\', fp);
			fputc(c, fp);
		} else if (c == '\n') {
			fputs("\\n", fp);
		} else if (c == '\r') {
			fputs("\\r", fp);
		} else if (c == '\t') {
			fputs("\\t", fp);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(fp, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, fp);
		} else if ((u = utf8len(s + i, n - i)) > 0) {
			fwrite(s + i, 1, u, fp);
			i += u - 1;
		} else {
			fprintf(fp, "\\u%04x", c);
		}
	}
	fputc('"', fp);
}

void
json_key(FILE *fp, int *first, const char *key)
{
	if (!*first)
		fputc(',', fp);
	*first = 0;
	json_str(fp, key, strlen(key));
	fputc(':', fp);
}
