/* SPDX-License-Identifier: MIT */
/* Children that end with the test's process (children.h). */
#include "children.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACKED_MAX 256

static pid_t tracked[TRACKED_MAX];
static size_t ntracked;
static pid_t tracker; /* the process whose exit ends them */

/* Whether pid is still a child of ours, not reaped (its status is left
 * for whoever waits for it). One reaped already is not: its pid may name
 * another process by now. */
static int ours(pid_t pid)
{
	siginfo_t si;

	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/* At exit: every child not reaped yet is killed and reaped. */
static void end_children(void)
{
	if (getpid() != tracker) /* (a forked child of the test calling exit()) */
		return;
	for (size_t i = 0; i < ntracked; i++) {
		if (!ours(tracked[i]))
			continue;
		kill(tracked[i], SIGKILL);
		while (waitpid(tracked[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
	ntracked = 0;
}

void aat_child_bind(pid_t parent)
{
	/* (the parent may have died before the prctl: then at once) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(126);
}

void aat_child_track(pid_t pid)
{
	size_t i;

	if (tracker != getpid()) { /* first use in this process (Criterion forks one per test) */
		tracker = getpid();
		ntracked = 0;
		atexit(end_children);
	}
	/* a slot of a child reaped already is reused */
	for (i = 0; i < ntracked && ours(tracked[i]); i++)
		;
	if (i < ntracked)
		tracked[i] = pid;
	else if (ntracked < TRACKED_MAX)
		tracked[ntracked++] = pid;
}

pid_t aat_fork(void)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0)
		aat_child_bind(parent);
	else if (pid > 0)
		aat_child_track(pid);
	return pid;
}
