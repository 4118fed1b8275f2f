/*
 * tests/test_esc.c: RFC 3463 status codes: every form the grammar allows,
 * the prose rule (no leading zeros), every way to be malformed, and
 * format/parse round trips over the whole code space.
 */
#include <string.h>

#include <mailwire/esc.h>

#include "check.h"

static int
parses(const char *s, int k, int sub, int det)
{
	struct mw_esc e = { 0, 0, 0 };

	return mw_esc_parse(s, strlen(s), &e) == MW_ERR_OK && e.klass == k &&
	    e.subject == sub && e.detail == det;
}

static int
rejects(const char *s, size_t n)
{
	struct mw_esc e = { 9, 9, 9 };

	return mw_esc_parse(s, n, &e) == MW_ERR_SYNTAX && e.klass == 9 &&
	    e.subject == 9 && e.detail == 9;
}

/* s with control and 8-bit bytes as \xNN, for check names */
static const char *
shown(const char *s)
{
	static char buf[64];
	size_t n = 0;

	for (; *s && n + 5 < sizeof(buf); s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f)
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\x%02x", c);
	}
	buf[n] = '\0';
	return buf;
}

int
main(void)
{
	static const char *const bad[] = {
		"", "2", "2.", "2.0", "2.0.", ".0.0", "3.0.0", "1.0.0", "6.1.1",
		"0.0.0", "5.01.1", "5.1.01", "5.00.0", "5.1.000", "5.1000.1",
		"5.1.1000", "5.1.1.1", "5..1", "5.1.", "5.a.1", "5.1.1 ", " 5.1.1",
		"5 .1.1", "5.1 .1", "5,1,1", "5.1.1\r\n", "x5.1.1", "5.-1.1",
		"\xd9.1.1", "55.1.1",
	};
	struct mw_esc e;
	char buf[MW_ESC_MAX], small[MW_ESC_MAX - 1];
	int roundtrip = 1;

	CHECK(parses("2.0.0", 2, 0, 0), "2.0.0");
	CHECK(parses("5.1.1", 5, 1, 1), "5.1.1");
	CHECK(parses("4.7.0", 4, 7, 0), "4.7.0");
	CHECK(parses("2.1.23", 2, 1, 23), "2.1.23 (the RFC 3463 2 example)");
	CHECK(parses("5.5.10", 5, 5, 10), "5.5.10");
	CHECK(parses("5.999.999", 5, 999, 999), "5.999.999: three digits each");
	CHECK(parses("4.100.0", 4, 100, 0), "4.100.0");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(rejects(bad[i], strlen(bad[i])), "rejects \"%s\"",
		    shown(bad[i]));
	CHECK(rejects("5.1.1\0", 6), "rejects a NUL after the code");
	CHECK(rejects("5.1\0.1", 6), "rejects a NUL inside the code");
	CHECK(mw_esc_parse(NULL, 0, &e) == MW_ERR_INVAL &&
	    mw_esc_parse("2.0.0", 5, NULL) == MW_ERR_INVAL, "NULL is INVAL");
	CHECK(mw_esc_parse("5.1.1xyz", 5, &e) == MW_ERR_OK && e.detail == 1,
	    "only len bytes are read");

	for (int k = 2; k <= 5 && roundtrip; k++) {
		if (k == 3)
			continue;
		for (int s = 0; s <= 999 && roundtrip; s++)
			for (int d = 0; d <= 999 && roundtrip; d += 37) {
				struct mw_esc in = { (unsigned char)k,
				    (unsigned short)s, (unsigned short)d }, out;
				size_t n = mw_esc_format(&in, buf, sizeof(buf));

				roundtrip = n > 0 && n == strlen(buf) &&
				    mw_esc_parse(buf, n, &out) == MW_ERR_OK &&
				    out.klass == k && out.subject == s &&
				    out.detail == d;
			}
	}
	CHECK(roundtrip, "parse(format(x)) == x over classes 2/4/5, subjects "
	    "0-999, details 0-999 in steps of 37 (last: %s)", buf);
	e.klass = 5;
	e.subject = 999;
	e.detail = 999;
	CHECK(mw_esc_format(&e, buf, sizeof(buf)) == 9 &&
	    strcmp(buf, "5.999.999") == 0, "MW_ESC_MAX holds the longest code");
	CHECK(mw_esc_format(&e, small, sizeof(small)) == 0,
	    "a buffer under MW_ESC_MAX is refused");
	e.klass = 3;
	CHECK(mw_esc_format(&e, buf, sizeof(buf)) == 0, "class 3 is not formatted");
	e.klass = 2;
	e.subject = 1000;
	CHECK(mw_esc_format(&e, buf, sizeof(buf)) == 0, "subject 1000 is not formatted");
	return check_done();
}
