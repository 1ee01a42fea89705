/* SPDX-License-Identifier: MIT */
/*
 * Two capture files of the same records compared block by block: the same
 * blocks and chunk boundaries, every RECORDS chunk byte for byte, the STATS
 * and END chunks equal in content; only the wall-clock times (EPB and chunk
 * time stamps, ISBs, STATS written_ns, END ended_ns and the crc of the
 * ISBs, META start_ns) may differ, and with them the compressed lengths of
 * META, STATS and END. For a writer run twice, or with and without threads.
 */
#ifndef AAT_CAPSAME_H
#define AAT_CAPSAME_H

#include <stddef.h>

/* The number of chunks compared, or -1 with why (one line) saying where they differ. */
long aat_same_capture(const char *a, const char *b, char *why, size_t why_size);

#endif
