/* SPDX-License-Identifier: MIT */
/*
 * The processes already running when a live capture starts, read from /proc
 * once every BPF program is attached (what starts later the programs see):
 * per process (thread group) its AA_STRING_ARGV and AA_STRING_EXE string
 * records, then its AA_TASK_SNAPSHOT task record, all with one
 * CLOCK_MONOTONIC time stamp (format/events.h). They are held in memory
 * until the first file is open, because -Z gives up root before that, and
 * with it other users' /proc/PID/exe and /proc/PID/ns/pid.
 *
 * A process that ends while being read is left out. A field that cannot be
 * read is left as it is without /proc's answer: 0 (ids, times), "" (comm,
 * cgroup), an empty argv, no exe record.
 */
#ifndef AA_CAP_SNAPSHOT_H
#define AA_CAP_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "events.h"

struct snapshot_opts {
	unsigned events;      /* AA_TYPE_BIT() mask, 0: all; only task and string records are made */
	const uint32_t *pids; /* only these processes and their descendants (npids > 0) */
	size_t npids;
	const char *comm;     /* only processes with this comm; NULL: all */
	uint32_t argv_max;    /* bytes of argv recorded at most, as the BPF programs' */
};

/* One record, its bytes as the ring buffer would hand them out. */
struct snapshot_record {
	uint32_t len;
	union {
		struct aa_task_event task;
		struct aa_string_event string;
	} u;
};

struct snapshot {
	struct snapshot_record *recs;
	size_t n, cap;
	uint32_t processes; /* task records made */
};

/*
 * Reads every process but this one from /proc into s (zeroed first). With
 * neither the task nor the string type in o->events, reads nothing.
 * 0, or -1 when out of memory (s then holds the processes read before).
 */
int snapshot_take(struct snapshot *s, const struct snapshot_opts *o);

void snapshot_free(struct snapshot *s);

#endif /* AA_CAP_SNAPSHOT_H */
