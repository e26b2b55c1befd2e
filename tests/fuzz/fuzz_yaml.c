/* fuzz_yaml.c - libFuzzer target: the YAML front end and the validator. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one(data, size, FORMAT_YAML, false);
}
