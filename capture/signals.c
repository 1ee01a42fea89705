/* SPDX-License-Identifier: MIT */
/* aa-capture's signals through a signalfd (signals.h). */
#include <err.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "signals.h"

int signals_open(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
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
			switch (info[i].ssi_signo) {
			case SIGINT:
			case SIGTERM: sig->stop = 1; break;
			case SIGHUP: sig->rotate = 1; break;
			case SIGUSR1: sig->stats = 1; break;
			case SIGCHLD: sig->child = 1; break;
			}
		}
	}
}
