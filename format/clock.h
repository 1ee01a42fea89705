/* SPDX-License-Identifier: MIT */
/* The two clocks a capture relates: records carry CLOCK_MONOTONIC, people read wall time. */
#ifndef AA_CLOCK_H
#define AA_CLOCK_H

#include <stdint.h>
#include <time.h>

uint64_t aa_clock_ns(clockid_t id);

/* CLOCK_REALTIME minus CLOCK_MONOTONIC now, in ns: add it to a record's time stamp. */
int64_t aa_mono_to_wall(void);

/*
 * A record's wall time: mono_ns + mono_to_wall, checked. A time stamp from
 * a raw stream or a file is any 64-bit value; a sum outside 0..UINT64_MAX
 * (past the year 2554, or before 1970) is clamped to that end instead of
 * wrapping, so that no input makes a signed overflow or a time that jumps.
 */
uint64_t aa_wall_ns(uint64_t mono_ns, int64_t mono_to_wall);

#endif /* AA_CLOCK_H */
