/*
 * fuzz/fuzz_esc.c: mw_esc_parse on arbitrary bytes; whatever parses must
 * format back to the same bytes (RFC 3463 allows one spelling of each code)
 * and parse to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/esc.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mw_esc a, b;
	char buf[MW_ESC_MAX];
	size_t n;

	if (mw_esc_parse((const char *)data, size, &a) != MW_ERR_OK)
		return 0;
	n = mw_esc_format(&a, buf, sizeof(buf));
	if (n != size || memcmp(buf, data, size) != 0)
		abort();
	if (mw_esc_parse(buf, n, &b) != MW_ERR_OK || a.klass != b.klass ||
	    a.subject != b.subject || a.detail != b.detail)
		abort();
	return 0;
}
