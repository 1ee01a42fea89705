/* SPDX-License-Identifier: MIT */
/* The --wait of the benchmark loads (header only): a tracer attaches to the
 * load's pid while it sleeps, then SIGUSR1 starts the measured part. */
#ifndef AA_BENCH_WAIT_H
#define AA_BENCH_WAIT_H

#include <signal.h>

/* Sleeps until SIGUSR1 (blocked first, so that an early one is not lost:
 * bench-live.sh sends it once the load sits in sigwait). */
static inline void bench_wait_usr1(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigwait(&set, &sig);
}

#endif /* AA_BENCH_WAIT_H */
