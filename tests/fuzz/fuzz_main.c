/* SPDX-License-Identifier: MIT */
/* libFuzzer's entry, built once per target with -DAAF_ENTRY=aaf_file and so on. */
#include <stddef.h>
#include <stdint.h>

#include "entries.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return AAF_ENTRY(data, size);
}
