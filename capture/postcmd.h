/* SPDX-License-Identifier: MIT */
/*
 * -z COMMAND: run on each finished output file as `COMMAND FILE`, through
 * execvp without a shell, so that a file name with spaces or quotes stays
 * one argument. Each command runs in its own process group, with standard
 * input from /dev/null: the terminal's Ctrl-C stops the capture, never an
 * upload half done. The children are reaped on SIGCHLD and waited for at
 * exit; a file is not replaced or removed while its command runs.
 */
#ifndef AA_CAP_POSTCMD_H
#define AA_CAP_POSTCMD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Finds COMMAND as execvp will (on PATH unless it holds a '/'): 0 when it is
 * an executable regular file, else -1 with why (one phrase) in why.
 */
int postcmd_check(const char *command, char *why, size_t size);

/* Starts COMMAND FILE; returns 0, or -1 after printing why (fork failed). */
int postcmd_start(const char *command, const char *file);

/* Reaps the commands that have finished, without waiting, reporting one that
 * failed in one line. Returns 1 while some are still running, else 0. */
int postcmd_reap(void);

/* If the command started on file still runs, waits until it has exited:
 * file may then be replaced or removed. */
void postcmd_wait_file(const char *file);

struct postcmd_counts {
	uint64_t started;
	uint64_t ok;      /* exited 0 */
	uint64_t failed;  /* exited non-zero (127: could not run), or killed */
	uint64_t running;
};

void postcmd_get_counts(struct postcmd_counts *c);

/* One line of statistics: "-z ran on N files: ...". */
void postcmd_print(FILE *f);

#endif /* AA_CAP_POSTCMD_H */
