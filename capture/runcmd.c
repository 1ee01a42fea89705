/* SPDX-License-Identifier: MIT */
/* The command aa-capture records (runcmd.h). */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cap_opts.h"
#include "pathfind.h"
#include "privdrop.h"
#include "runcmd.h"

/* The child's exit status when it could not take the user's identity (it
 * has said why), or aa-capture is gone: it never stopped, never ran the
 * command. */
#define PREP_FAILED 125

static int set_env(const struct runcmd_user *u)
{
	if (u->home && setenv("HOME", u->home, 1) != 0)
		return -1;
	return setenv("USER", u->name, 1) || setenv("LOGNAME", u->name, 1) ? -1 : 0;
}

/* The child, from fork to exec. Every system call before the SIGSTOP runs
 * before the programs are attached, so none of them is recorded; after the
 * SIGCONT the next one the programs record is the exec. */
__attribute__((noreturn)) static void child(char *const argv[], const struct runcmd_user *u, pid_t parent)
{
	char path[PATH_MAX];
	int found, e;

	signals_restore();
	if (u->change && privdrop_groups("the command's user", u->name, u->uid, u->gid) != 0)
		_exit(PREP_FAILED);
	if (u->change && set_env(u) != 0) {
		fprintf(stderr, "aa-capture: the command's user %s: setenv: %s\n", u->name, strerror(errno));
		_exit(PREP_FAILED);
	}
	/* As the user: what it may execute. The PATH search is done now, so
	 * that the one exec recorded is the one that runs the program. */
	found = path_find(argv[0], path, sizeof(path));
	/* Killed with aa-capture should it die before letting it go (set after
	 * the identity change, which clears it); the command itself outlives
	 * aa-capture, as strace's and perf's do. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(PREP_FAILED);
	/* A raw kill: raise() would block and unblock signals around it. */
	syscall(SYS_kill, getpid(), SIGSTOP);
	prctl(PR_SET_PDEATHSIG, 0);
	if (found == ENOENT && !strchr(argv[0], '/')) {
		fprintf(stderr, "aa-capture: %s: command not found\n", argv[0]);
		_exit(127);
	}
	/* A program that is not there or cannot run is still tried: its
	 * failed exec is recorded, with its errno. */
	e = ENAMETOOLONG;
	if (found != ENAMETOOLONG) {
		execv(path, argv);
		e = errno;
	}
	fprintf(stderr, "aa-capture: %s: %s\n", argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126); /* as a shell says it */
}

int runcmd_status(const struct runcmd *rc)
{
	if (WIFEXITED(rc->wait_status))
		return WEXITSTATUS(rc->wait_status);
	return 128 + (WIFSIGNALED(rc->wait_status) ? WTERMSIG(rc->wait_status) : 0);
}

int runcmd_start(struct runcmd *rc, char *const argv[], const struct runcmd_user *u)
{
	int st;

	pid_t self = getpid();

	memset(rc, 0, sizeof(*rc));
	fflush(NULL); /* nothing buffered written twice */
	rc->pid = fork();
	if (rc->pid < 0) {
		warn("%s: fork", argv[0]);
		rc->pid = 0;
		return CAP_EXIT_USAGE;
	}
	if (rc->pid == 0)
		child(argv, u, self);
	for (;;) {
		if (waitpid(rc->pid, &st, WUNTRACED) < 0) {
			if (errno == EINTR)
				continue;
			warn("%s: waitpid", argv[0]);
			runcmd_abort(rc);
			return CAP_EXIT_USAGE;
		}
		if (!WIFSTOPPED(st))
			break;
		if (WSTOPSIG(st) == SIGSTOP)
			return -1; /* at its exec, waiting */
		kill(rc->pid, SIGCONT); /* a Ctrl-Z meanwhile: on to its own stop */
	}
	rc->reaped = 1;
	rc->wait_status = st;
	if (WIFEXITED(st) && WEXITSTATUS(st) == PREP_FAILED)
		return CAP_EXIT_PRIV;
	warnx("%s: ended before it could start (status %d)", argv[0], runcmd_status(rc));
	return runcmd_status(rc);
}

void runcmd_release(struct runcmd *rc)
{
	if (rc->pid && !rc->reaped && !rc->released)
		kill(rc->pid, SIGCONT);
	rc->released = 1;
}

int runcmd_reap(struct runcmd *rc)
{
	int st;

	if (rc->pid && !rc->reaped && waitpid(rc->pid, &st, WNOHANG) == rc->pid) {
		rc->reaped = 1;
		rc->wait_status = st;
	}
	return rc->reaped;
}

void runcmd_forward(struct runcmd *rc, struct cap_signals *sig)
{
	for (int s = 1; s < 32 && sig->forward; s++) {
		if (!(sig->forward & (1u << s)))
			continue;
		sig->forward &= ~(1u << s);
		/* A signal for a command still stopped waits in it until its exec. */
		if (rc->pid && !rc->reaped && kill(rc->pid, s) != 0 && !rc->warned++)
			warn("cannot pass %s on to the command (pid %d)", strsignal(s), (int)rc->pid);
	}
}

void runcmd_wait(struct runcmd *rc, int sig_fd)
{
	struct pollfd pfd = { .fd = sig_fd, .events = POLLIN };
	struct cap_signals sig = { 0 };

	while (!runcmd_reap(rc)) {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			warn("poll"); /* then waited for without passing signals on */
			while (waitpid(rc->pid, &rc->wait_status, 0) < 0 && errno == EINTR)
				;
			rc->reaped = 1;
			return;
		}
		signals_read(sig_fd, &sig);
		runcmd_forward(rc, &sig);
	}
}

void runcmd_abort(struct runcmd *rc)
{
	int st = SIGKILL;

	if (!rc->pid || rc->reaped)
		return;
	kill(rc->pid, SIGKILL);
	while (waitpid(rc->pid, &st, 0) < 0 && errno == EINTR)
		;
	rc->reaped = 1;
	rc->wait_status = st;
}
