/* SPDX-License-Identifier: MIT */
/*
 * The signals aa-capture acts on, read from a signalfd in its main loop so
 * that nothing happens inside a handler: SIGINT and SIGTERM stop, SIGHUP
 * rotates, SIGUSR1 prints statistics, SIGCHLD reaps -z commands. SIGPIPE is
 * ignored, so that a closed standard output is an error to report.
 */
#ifndef AA_CAP_SIGNALS_H
#define AA_CAP_SIGNALS_H

struct cap_signals {
	int stop;   /* SIGINT or SIGTERM arrived */
	int rotate; /* SIGHUP */
	int stats;  /* SIGUSR1 */
	int child;  /* SIGCHLD */
};

/* Blocks the signals and returns a non-blocking signalfd, or -1 after printing why. */
int signals_open(void);

/* Reads every pending signal from fd and sets the matching flags. */
void signals_read(int fd, struct cap_signals *sig);

#endif /* AA_CAP_SIGNALS_H */
