/* SPDX-License-Identifier: MIT */
/* The files a recording touched, one entry per path, for the report. */
#ifndef AA_REPORT_FILES_H
#define AA_REPORT_FILES_H

#include <stdint.h>
#include <stdio.h>

#include "aa_replay.h"

/* Paths kept at most: past that, a file record of a new path is only counted. */
#define REPORT_FILES_MAX 50000

struct report_file {
	uint8_t *path;
	uint32_t len;
	uint32_t truncated;
	uint64_t ops[AA_SYS_FILEOP_END]; /* by enum aa_file_syscall */
	uint64_t failed;                 /* calls that returned an error */
	int64_t last_error;              /* the last one's -errno */
	uint64_t bytes_read, bytes_written;
	uint64_t first_ns, last_ns;
	uint32_t pids[4], npids;         /* the first processes that touched it */
	int changed;                     /* written, created, renamed, removed */
	int32_t renamed_to;              /* index of the new path of its last rename, -1 */
	int32_t renamed_from;            /* index of the old path, -1 */
};

struct report_files {
	struct report_file *v;
	uint32_t n, cap;
	uint32_t *slot;   /* open addressing: index + 1, 0 empty */
	uint32_t nslots;
	uint64_t untracked; /* records of paths past REPORT_FILES_MAX */
};

/*
 * Adds a file or fileop record; returns the index of its path's entry
 * (what the timeline names), or -1 when untracked or out of memory.
 */
int32_t report_files_add(struct report_files *f, const struct aa_record *rec);
/* ,"files":[...] into j. */
void report_files_json(FILE *j, const struct report_files *f, uint64_t base_ns);
void report_files_free(struct report_files *f);

#endif
