/* SPDX-License-Identifier: MIT */
/*
 * The signals aa-capture acts on, read from a signalfd in its main loop so
 * that nothing happens inside a handler: SIGINT and SIGTERM stop, SIGHUP
 * rotates, SIGUSR1 prints statistics, SIGCHLD reaps -z commands. SIGPIPE is
 * ignored, so that a closed standard output is an error to report.
 * With a command to record, SIGINT, SIGTERM (and SIGQUIT) are for the
 * command instead (runcmd.h): the flags below say which to pass on.
 */
#ifndef AA_CAP_SIGNALS_H
#define AA_CAP_SIGNALS_H

struct cap_signals {
	int stop;   /* SIGINT or SIGTERM arrived */
	int rotate; /* SIGHUP */
	int stats;  /* SIGUSR1 */
	int child;  /* SIGCHLD */
	/* 1u << signal number, for each SIGTERM, and each SIGINT or SIGQUIT sent
	 * by a process (kill(1)); the terminal's Ctrl-C and Ctrl-\ reach the
	 * whole foreground process group, the command too, and are not in it. */
	unsigned forward;
};

/* Blocks the signals (with_quit: SIGQUIT too) and returns a non-blocking
 * signalfd, or -1 after printing why. */
int signals_open(int with_quit);

/* Reads every pending signal from fd and sets the matching flags. */
void signals_read(int fd, struct cap_signals *sig);

/* In a child about to exec a program of its own: the signal mask and
 * SIGPIPE's action as they were before signals_open(). */
void signals_restore(void);

#endif /* AA_CAP_SIGNALS_H */
