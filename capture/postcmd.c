/* SPDX-License-Identifier: MIT */
/* -z COMMAND on each finished file (postcmd.h). */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pathfind.h"
#include "postcmd.h"

/* The commands still running, each with the file it was given. */
struct running {
	pid_t pid;
	char *file;
};

static struct running *running;
static size_t nrunning, running_cap;
static struct postcmd_counts counts;

int postcmd_check(const char *command, char *why, size_t size)
{
	char path[PATH_MAX];
	int r = path_find(command, path, sizeof(path));

	if (r == 0)
		return 0;
	if (!*command)
		snprintf(why, size, "empty command");
	else if (strchr(command, '/'))
		snprintf(why, size, "%s", r == EACCES ? "not an executable file" : strerror(r));
	else
		snprintf(why, size, "no executable of that name on PATH%s",
			 strchr(command, ' ') ? " (no shell runs it: the whole text is the program's name)"
					      : "");
	return -1;
}

static int remember(pid_t pid, const char *file)
{
	if (nrunning == running_cap) {
		size_t cap = running_cap ? 2 * running_cap : 8;
		struct running *grown = realloc(running, cap * sizeof(*grown));
		if (!grown)
			return -1;
		running = grown;
		running_cap = cap;
	}
	running[nrunning].file = strdup(file);
	if (!running[nrunning].file)
		return -1;
	running[nrunning++].pid = pid;
	return 0;
}

static void child(const char *command, const char *file)
{
	static const int capture_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1 };

	/* Its own process group: the terminal's SIGINT is for the capture. One
	 * sent to the capture's group before this, still pending (blocked), is
	 * discarded by ignoring it once. */
	setpgid(0, 0);
	for (size_t i = 0; i < sizeof(capture_signals) / sizeof(capture_signals[0]); i++) {
		signal(capture_signals[i], SIG_IGN);
		signal(capture_signals[i], SIG_DFL);
	}
	/* The capture blocks its signals for signalfd: the child must not. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* Standard input may be the capture's own input (-r -). */
	int null = open("/dev/null", O_RDONLY);
	if (null > 0) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	char *const argv[] = { (char *)command, (char *)file, NULL };
	execvp(command, argv);
	fprintf(stderr, "aa-capture: -z %s: %s\n", command, strerror(errno));
	_exit(127);
}

int postcmd_start(const char *command, const char *file)
{
	pid_t pid;

	counts.started++;
	pid = fork();
	if (pid < 0) {
		warn("-z %s: fork", command);
		counts.failed++;
		return -1;
	}
	if (pid == 0)
		child(command, file);
	setpgid(pid, pid); /* also here: no moment where a Ctrl-C reaches it */
	if (remember(pid, file) != 0)
		warnx("-z %s: out of memory: %s may be replaced before it has run", command, file);
	return 0;
}

/* The file the running command pid was given ("?" if not known). */
static const char *file_of(pid_t pid)
{
	for (size_t i = 0; i < nrunning; i++)
		if (running[i].pid == pid)
			return running[i].file;
	return "?";
}

static void forget(pid_t pid)
{
	for (size_t i = 0; i < nrunning; i++) {
		if (running[i].pid == pid) {
			free(running[i].file);
			running[i] = running[--nrunning];
			return;
		}
	}
}

/* Counts a command that has ended, reports a failure, and forgets it. */
static void ended(pid_t pid, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		counts.ok++;
	} else {
		counts.failed++;
		/* 127: the child has said why it could not run. */
		if (WIFEXITED(status) && WEXITSTATUS(status) != 127)
			warnx("-z command on %s (pid %d) exited with status %d", file_of(pid),
			      (int)pid, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			warnx("-z command on %s (pid %d) killed by signal %d", file_of(pid),
			      (int)pid, WTERMSIG(status));
	}
	forget(pid);
}

/* Only its own children: the command aa-capture records is another, waited
 * for by runcmd.c. */
int postcmd_reap(void)
{
	int status;

	for (size_t i = 0; i < nrunning;) {
		pid_t pid = waitpid(running[i].pid, &status, WNOHANG);

		if (pid == 0 || (pid < 0 && errno == EINTR)) {
			i++;
			continue;
		}
		if (pid < 0) /* not our child any more: nothing to wait for */
			forget(running[i].pid);
		else
			ended(pid, status); /* running[i] is now another, or none */
	}
	return nrunning > 0;
}

void postcmd_wait_file(const char *file)
{
	static int told;
	int status;

	for (size_t i = 0; i < nrunning; i++) {
		if (strcmp(running[i].file, file) != 0)
			continue;
		pid_t pid = running[i].pid;
		if (!told++)
			warnx("%s: waiting for its -z command (pid %d) before replacing it: the files"
			      " come faster than -z finishes them (said once)",
			      file, (int)pid);
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				forget(pid); /* not our child any more: nothing to wait for */
				return;
			}
		}
		ended(pid, status);
		return;
	}
}

void postcmd_get_counts(struct postcmd_counts *c)
{
	*c = counts;
	c->running = nrunning;
}

void postcmd_print(FILE *f)
{
	fprintf(f, "aa-capture: -z ran on %" PRIu64 " file%s: %" PRIu64 " ok, %" PRIu64
		   " failed, %zu still running\n",
		counts.started, counts.started == 1 ? "" : "s", counts.ok, counts.failed, nrunning);
	fflush(f);
}
