/*
 * fuzz_pipeline.c - libFuzzer target: the whole pipeline.  The first byte
 * picks the language (odd: YAML); then parse, validate, emit every target,
 * evaluate requests.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	return fuzz_one(data + 1, size - 1, (data[0] & 1) ? FORMAT_YAML : FORMAT_DSL, true);
}
