/* src/mech.c: the names of the SASL mechanisms (mailwire/mech.h). */
#include <mailwire/mech.h>

static const char *const mech_names[] = {
#define MW__AUTH_NAME(name, s) s,
	MW_AUTH_MECHS(MW__AUTH_NAME)
#undef MW__AUTH_NAME
};

static const unsigned char mech_lens[] = {
#define MW__AUTH_LEN(name, s) sizeof(s) - 1,
	MW_AUTH_MECHS(MW__AUTH_LEN)
#undef MW__AUTH_LEN
};

const char *
mw_auth_mech_name(enum mw_auth_mech mech)
{
	if ((unsigned)mech >= MW_AUTH__COUNT)
		return 0;
	return mech_names[mech];
}

/* RFC 4422 3.1: sasl-mech is upper case, so the names compare exactly. */
enum mw_auth_mech
mw_auth_mech_lookup(const unsigned char *s, size_t n)
{
	unsigned i;

	for (i = 0; i < MW_AUTH_OTHER; i++) {
		const char *m = mech_names[i];
		size_t k;

		if (mech_lens[i] != n)
			continue;
		for (k = 0; k < n && m[k] == (char)s[k]; k++)
			continue;
		if (k == n)
			return (enum mw_auth_mech)i;
	}
	return MW_AUTH_OTHER;
}
