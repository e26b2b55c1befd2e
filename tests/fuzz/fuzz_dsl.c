/* fuzz_dsl.c - libFuzzer target: the policy-language front end and the validator. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one(data, size, FORMAT_DSL, false);
}
