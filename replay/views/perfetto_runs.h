/* SPDX-License-Identifier: MIT */
/*
 * export --perfetto's runs still going: for each process whose program's
 * slice is open (from its fork or exec), when it started, its name and its
 * args, until the next exec or its exit ends it and the slice is written
 * whole ("X"), so that a viewer need not pair begins with ends across
 * processes that run at once. A hash table of live processes: memory is
 * bounded by them, not by the file. Private to aa-replay.
 */
#ifndef AA_PERFETTO_RUNS_H
#define AA_PERFETTO_RUNS_H

#include <stddef.h>
#include <stdint.h>

struct pf_run {
	uint64_t key;      /* origin << 32 | pid, +1: 0 is a free slot */
	uint64_t start_ns;
	char name[16];     /* the slice's name: the comm at its start */
	char *args;        /* JSON members of its args, malloc'd */
	size_t args_len;
};

struct pf_runs {
	struct pf_run *slot;
	size_t cap, used; /* cap a power of 2, used at most half of it */
};

/* The key of pid of origin. */
static inline uint64_t pf_run_key(uint32_t origin, uint32_t pid)
{
	return ((uint64_t)origin << 32 | pid) + 1;
}

/* The run of key, or NULL. */
struct pf_run *pf_run_find(struct pf_runs *t, uint64_t key);
/* A new empty run of key (none must be there), or NULL out of memory. */
struct pf_run *pf_run_add(struct pf_runs *t, uint64_t key);
/* Forgets r (its args freed); pointers into the table are then stale. */
void pf_run_remove(struct pf_runs *t, struct pf_run *r);
/* The runs in no order: the first after prev (NULL: the first), or NULL. */
struct pf_run *pf_run_next(struct pf_runs *t, struct pf_run *prev);
void pf_runs_free(struct pf_runs *t);

#endif
