/* SPDX-License-Identifier: MIT */
/* What the benchmarks share: the clock, a program run and timed, a file's
 * size, a capture written and timed. Each failure ends the program with a
 * line naming `who` (the benchmark) and exit status 1 or 2. */
#ifndef AAT_BENCHRUN_H
#define AAT_BENCHRUN_H

#include "recs.h"
#include "writer.h"

/* Monotonic seconds. */
double aat_now(void);

/* Runs argv (by PATH) with stdout to out_path (NULL: /dev/null) and returns
 * its wall time; *cpu (when not NULL) gets its CPU time, user and system,
 * all threads. Exit status 1 if it fails. */
double aat_run_timed(const char *who, char *const argv[], const char *out_path, double *cpu);

long long aat_file_size(const char *who, const char *path);

/* aat_write_capture of all of recs to path with opts, timed (the open and
 * the close included). */
double aat_write_timed(const char *who, const struct aat_recs *recs, const char *path,
		       const struct aa_writer_opts *opts);

#endif
