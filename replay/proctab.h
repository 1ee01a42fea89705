/* SPDX-License-Identifier: MIT */
/*
 * The process table (aa_replay.h's aa_process_at): pid to incarnations,
 * bounded by AA_PROC_MAX and AA_PROC_MAX_BYTES. Private to the library.
 */
#ifndef AA_PROCTAB_H
#define AA_PROCTAB_H

#include "aa_replay.h"

struct aa_proctab;

/* At most max incarnations (0: AA_PROC_MAX). NULL when out of memory. */
struct aa_proctab *aa_proctab_new(uint32_t max);
void aa_proctab_free(struct aa_proctab *t);

/*
 * Updates the table with one delivered record (of its origin's processes),
 * of a known type, whose pid is pid (aa_event_pid's) and whose joins are j
 * (NULL when none): task records, exec and exit records. Returns the
 * process of the record's pid as of it, NULL when unknown.
 */
const struct aa_process *aa_proctab_feed(struct aa_proctab *t, const struct aa_record *rec,
					 uint32_t pid, const struct aa_joins *j);
/* pid of origin (aa_record.origin: pids of other hosts are other processes) at wall_ns. */
const struct aa_process *aa_proctab_at(const struct aa_proctab *t, uint32_t origin, uint32_t pid,
				       uint64_t wall_ns);
const struct aa_process *aa_proctab_next(const struct aa_proctab *t, const struct aa_process *prev);

#endif /* AA_PROCTAB_H */
