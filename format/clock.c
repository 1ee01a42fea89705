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

uint64_t aa_wall_ns(uint64_t mono_ns, int64_t mono_to_wall)
{
	uint64_t wall;

	if (mono_to_wall >= 0)
		return __builtin_add_overflow(mono_ns, (uint64_t)mono_to_wall, &wall) ? UINT64_MAX
										      : wall;
	/* -(INT64_MIN) does not fit an int64_t; as uint64_t it does. */
	uint64_t back = (uint64_t)0 - (uint64_t)mono_to_wall;
	return mono_ns >= back ? mono_ns - back : 0;
}
