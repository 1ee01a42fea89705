/* SPDX-License-Identifier: MIT */
/*
 * -T N, --threads N of the reading commands: how many threads read a
 * capture file (aa_replay_opts.threads), for every input of the run.
 * Counted as zstd -T# counts them: N in all, the one that parses and hands
 * out the records included, so -T 1 reads in one thread (no worker) and
 * -T 0, the default, uses one thread per CPU this process may run on.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define THREADS_MAX 64

static unsigned asked; /* 0: one per CPU */

const char *cli_threads_shortopt(const struct option *longopts)
{
	for (; longopts && longopts->name; longopts++)
		if (longopts->val == CLI_OPT_THREADS)
			return "T:";
	return "";
}

int cli_threads_option(const char *cmd, int opt, const char *arg)
{
	char *end;
	long v;

	if (opt != 'T' && opt != CLI_OPT_THREADS)
		return 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end || v < 0 || v > THREADS_MAX + 1)
		return cli_usage(cmd, "-T %s: not a thread count from 0 (one per CPU) to %d", arg,
				 THREADS_MAX + 1);
	asked = (unsigned)v;
	return 1;
}

unsigned cli_threads(void)
{
	unsigned n = asked;

	if (!n) {
		cpu_set_t set;
		int cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
		n = cpus < 1 ? 1 : cpus > THREADS_MAX + 1 ? THREADS_MAX + 1 : (unsigned)cpus;
	}
	return n - 1; /* the workers beside the thread that parses */
}
