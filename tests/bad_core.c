/* tests/bad_core.c: an object that allocates, so the core symbol check
 * (tests/test_core_symbols.sh) can be shown to fail when it should. */
#include <stdlib.h>

void *
bad_core_alloc(size_t n)
{
	return malloc(n);
}
