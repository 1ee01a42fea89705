/* SPDX-License-Identifier: MIT */
#include "memcap.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

int aat_cap_memory(size_t margin)
{
	long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	int ok = fscanf(f, "%ld", &pages) == 1;
	fclose(f);
	if (!ok)
		return -1;
	rlim_t cap = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + margin;
	struct rlimit rl = {cap, cap};
	return setrlimit(RLIMIT_AS, &rl);
}

#define BLOCK (64u * 1024) /* under malloc's mmap threshold: freed blocks merge */

void aat_leave_memory(size_t leave)
{
	size_t n = leave / BLOCK;
	void **kept = malloc((n + 1) * sizeof(*kept));

	for (size_t i = 0; kept && i < n; i++)
		kept[i] = malloc(BLOCK);
	/* Whatever else the arena or the address space still holds. */
	aat_cap_memory(0);
	for (size_t size = BLOCK; size; size /= 2)
		while (malloc(size))
			;
	for (size_t i = 0; kept && i < n; i++)
		free(kept[i]);
	free(kept);
}
