/* SPDX-License-Identifier: MIT */
#include "clock.h"

uint64_t aa_clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t aa_mono_to_wall(void)
{
	/* The wall clock read between two monotonic reads halves the error. */
	uint64_t m1 = aa_clock_ns(CLOCK_MONOTONIC);
	uint64_t r = aa_clock_ns(CLOCK_REALTIME);
	uint64_t m2 = aa_clock_ns(CLOCK_MONOTONIC);
	return (int64_t)(r - (m1 + (m2 - m1) / 2));
}
