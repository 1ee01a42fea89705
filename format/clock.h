/* SPDX-License-Identifier: MIT */
/* The two clocks a capture relates: records carry CLOCK_MONOTONIC, people read wall time. */
#ifndef AA_CLOCK_H
#define AA_CLOCK_H

#include <stdint.h>
#include <time.h>

uint64_t aa_clock_ns(clockid_t id);

/* CLOCK_REALTIME minus CLOCK_MONOTONIC now, in ns: add it to a record's time stamp. */
int64_t aa_mono_to_wall(void);

#endif /* AA_CLOCK_H */
