/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tiny shared harness for the CUnit test programs: each tests/unit/<dir>/test_<module>.c file
 * defines its suites in a table and calls sl_test_run() from main(). Exit status is non-zero when
 * any assertion failed, so meson test and the test command fail loudly.
 */
#ifndef SL_TEST_H
#define SL_TEST_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdio.h>

struct sl_test_case {
	const char *name;
	void (*fn)(void);
};

struct sl_test_suite {
	const char *name;
	const struct sl_test_case *cases; /* terminated by {NULL, NULL} */
};

static inline int sl_test_run(const struct sl_test_suite *suites)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (const struct sl_test_suite *s = suites; s->name != NULL; s++) {
		CU_pSuite cs = CU_add_suite(s->name, NULL, NULL);
		if (cs == NULL)
			return 2;
		for (const struct sl_test_case *c = s->cases; c->name != NULL; c++)
			if (CU_add_test(cs, c->name, c->fn) == NULL)
				return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	unsigned run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (run == 0) {
		fprintf(stderr, "no test ran\n");
		return 1;
	}
	return failed != 0 ? 1 : 0;
}

#endif
