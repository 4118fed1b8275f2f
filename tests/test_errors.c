/*
 * tests/test_errors.c: every error has a distinct name and a message, and
 * values outside the enum are named, not a crash.
 */
#include <string.h>

#include <mailwire/mailwire.h>

#include "check.h"

int
main(void)
{
	for (int i = 0; i < MW_ERR__COUNT; i++) {
		const char *n = mw_err_name((mw_err)i);

		CHECK(strncmp(n, "MW_ERR_", 7) == 0 &&
		    mw_err_message((mw_err)i)[0] != '\0', "error %d is %s: %s", i,
		    n, mw_err_message((mw_err)i));
		for (int j = 0; j < i; j++)
			if (strcmp(n, mw_err_name((mw_err)j)) == 0)
				CHECK(0, "error names are distinct (%s)", n);
	}
	CHECK(strcmp(mw_err_name(MW_ERR_OK), "MW_ERR_OK") == 0, "MW_ERR_OK name");
	CHECK(!mw_err_is_fatal(MW_ERR_AGAIN) && mw_err_is_fatal(MW_ERR_DESYNC),
	    "AGAIN is not fatal, DESYNC is");
	CHECK(strcmp(mw_err_name((mw_err)1000), "MW_ERR_UNKNOWN") == 0 &&
	    mw_err_is_fatal((mw_err)-1), "out-of-range values are named and fatal");
	CHECK(strcmp(mw_version(), MW_VERSION) == 0, "mw_version() is %s",
	    MW_VERSION);
	return check_done();
}
