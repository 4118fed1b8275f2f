/*
 * tests/check.h: the smallest test harness. Each check prints one line,
 * "ok - name" or "not ok - name: why", and tests/run.sh adds them up into
 * the final "N passed, N failed" line. A test binary exits non-zero if any
 * of its checks failed.
 */
#ifndef MW_TEST_CHECK_H
#define MW_TEST_CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		check_passed++;						\
		printf("ok - ");					\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	} else {							\
		check_failed++;						\
		printf("not ok - ");					\
		printf(__VA_ARGS__);					\
		printf(" (%s:%d: %s)\n", __FILE__, __LINE__, #cond);	\
	}								\
} while (0)

static inline int
check_done(void)
{
	fflush(stdout);
	return check_failed != 0;
}

#endif
