/* tests/bad_core.c: an object that allocates and calls a crypto library,
 * so the core symbol check (tests/test_core_symbols.sh) can be shown to
 * fail when it should. Compiled only, never linked. */
#include <stdlib.h>

const void *EVP_sha256(void);

void *
bad_core_alloc(size_t n)
{
	return malloc(n);
}

const void *
bad_core_hash(void)
{
	return EVP_sha256();
}
