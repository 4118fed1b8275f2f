/* src/out.c: the bounded writer of src/out.h. */
#include <string.h>

#include "out.h"

void
mw__put(struct mw__out *o, const void *s, size_t n)
{
	if (n > 0 && o->len <= o->cap && n <= o->cap - o->len)
		memcpy(o->p + o->len, s, n);
	o->len += n;
}

void
mw__put_str(struct mw__out *o, const char *s)
{
	if (s != NULL)
		mw__put(o, s, strlen(s));
}

void
mw__put_u64(struct mw__out *o, uint64_t v)
{
	char b[24];
	size_t i = sizeof(b);

	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	mw__put(o, b + i, sizeof(b) - i);
}
