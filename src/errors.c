/*
 * src/errors.c: names and messages of mw_err, from the one table in
 * mailwire/error.h.
 */
#include <mailwire/mailwire.h>

static const struct {
	const char	*name;
	const char	*message;
	int		 fatal;
} errors[] = {
#define MW__ERR_ROW(name, fatal, msg) { "MW_ERR_" #name, msg, fatal },
	MW_ERRORS(MW__ERR_ROW)
#undef MW__ERR_ROW
};

const char *
mw_err_name(mw_err err)
{
	if ((unsigned)err >= MW_ERR__COUNT)
		return "MW_ERR_UNKNOWN";
	return errors[err].name;
}

const char *
mw_err_message(mw_err err)
{
	if ((unsigned)err >= MW_ERR__COUNT)
		return "unknown error";
	return errors[err].message;
}

int
mw_err_is_fatal(mw_err err)
{
	if ((unsigned)err >= MW_ERR__COUNT)
		return 1;
	return errors[err].fatal;
}

const char *
mw_version(void)
{
	return MW_VERSION;
}
