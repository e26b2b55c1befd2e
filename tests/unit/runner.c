/*
 * runner.c - the one CUnit runner: registers every suite of tests/unit/ and
 * maps the result to an exit status of 0 or 1 (a raw count would wrap).
 * Run from the top of the repository (tests read files under tests/).
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#define SUITE(n) void register_##n(void);
#include "suites.h"
#undef SUITE

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
#define SUITE(n) register_##n();
#include "suites.h"
#undef SUITE
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failures();
	CU_ErrorCode err = CU_get_error();
	CU_cleanup_registry();
	return (failures == 0 && err == CUE_SUCCESS) ? 0 : 1;
}
