/* SPDX-License-Identifier: MIT */
/*
 * -z COMMAND: run on each finished output file as `COMMAND FILE`, through
 * execvp without a shell, so that a file name with spaces or quotes stays
 * one argument. The children are reaped on SIGCHLD and waited for at exit.
 */
#ifndef AA_CAP_POSTCMD_H
#define AA_CAP_POSTCMD_H

/* Starts COMMAND FILE; returns 0, or -1 after printing why (fork failed). */
int postcmd_start(const char *command, const char *file);

/* Reaps the commands that have finished, without waiting, reporting one that
 * failed in one line. Returns 1 while some are still running, else 0. */
int postcmd_reap(void);

#endif /* AA_CAP_POSTCMD_H */
