/* SPDX-License-Identifier: MIT */
/* -z COMMAND on each finished file (postcmd.h). */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "postcmd.h"

int postcmd_start(const char *command, const char *file)
{
	pid_t pid = fork();

	if (pid < 0) {
		warn("-z %s: fork", command);
		return -1;
	}
	if (pid == 0) {
		/* The capture blocks its signals for signalfd: the child must not. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		char *const argv[] = { (char *)command, (char *)file, NULL };
		execvp(command, argv);
		fprintf(stderr, "aa-capture: -z %s: %s\n", command, strerror(errno));
		_exit(127);
	}
	return 0;
}

int postcmd_reap(void)
{
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == 0)
			return 1;
		if (pid < 0)
			return errno == EINTR ? 1 : 0; /* ECHILD: none left */
		if (WIFEXITED(status) && WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 127)
			warnx("-z command (pid %d) exited with status %d", (int)pid,
			      WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			warnx("-z command (pid %d) killed by signal %d", (int)pid, WTERMSIG(status));
	}
}
