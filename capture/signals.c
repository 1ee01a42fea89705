/* SPDX-License-Identifier: MIT */
/* aa-capture's signals through a signalfd (signals.h). */
#include <err.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "signals.h"

/* What aa-capture was started with, for the command it runs. */
static sigset_t saved_mask;
static struct sigaction saved_pipe;

int signals_open(int with_quit)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	if (with_quit)
		sigaddset(&set, SIGQUIT);
	sigaction(SIGPIPE, &ign, &saved_pipe);
	if (sigprocmask(SIG_BLOCK, &set, &saved_mask) != 0) {
		warn("sigprocmask");
		return -1;
	}
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		warn("signalfd");
	return fd;
}

void signals_read(int fd, struct cap_signals *sig)
{
	struct signalfd_siginfo info[8];
	ssize_t n;

	while ((n = read(fd, info, sizeof(info))) > 0) {
		for (size_t i = 0; i < (size_t)n / sizeof(info[0]); i++) {
			/* kill(2), sigqueue(3), tgkill(2) give codes <= 0; the
			 * terminal's signals come with SI_KERNEL. */
			int by_process = info[i].ssi_code <= 0;

			switch (info[i].ssi_signo) {
			case SIGINT:
				sig->stop = 1;
				sig->forward |= by_process ? 1u << SIGINT : 0;
				break;
			case SIGQUIT: sig->forward |= by_process ? 1u << SIGQUIT : 0; break;
			case SIGTERM:
				sig->stop = 1;
				sig->forward |= 1u << SIGTERM;
				break;
			case SIGHUP: sig->rotate = 1; break;
			case SIGUSR1: sig->stats = 1; break;
			case SIGCHLD: sig->child = 1; break;
			}
		}
	}
}

void signals_restore(void)
{
	sigaction(SIGPIPE, &saved_pipe, NULL);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
}
