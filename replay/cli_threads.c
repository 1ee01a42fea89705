/* SPDX-License-Identifier: MIT */
/*
 * -T N / --threads N and --single-thread of the reading commands: how many
 * threads read capture files (aa_replay_opts.threads), for every input of
 * the run. Counted as zstd -T# and aa-capture -T count them: N threads
 * that decompress and check chunks beside the one that parses and prints;
 * 0, the default, one per CPU this process may run on (the printing thread
 * does about a third of a replay's work: bench_core under callgrind); for a
 * view (tree, follow, ps, report: cli_input.view 1; diff: 2, its two texts
 * made at once) the CPUs its own threads leave, shared among them: there
 * those threads do most of the work, and a reader more only competes with
 * them for the CPUs (make bench-views). So diff on 2 CPUs reads each file
 * in the thread that makes its text;
 * --single-thread (as zstd's) none, everything in the printing thread.
 */
#include <sched.h>
#include <stdlib.h>

#include "cli.h"

#define THREADS_MAX 64

static unsigned asked; /* 0: one per CPU */
static int single;

int cli_threads_option(const char *cmd, int opt, const char *arg)
{
	char *end;
	long v;

	if (opt == CLI_OPT_SINGLE_THREAD) {
		single = 1;
		return 1;
	}
	if (opt != 'T') /* -T and --threads */
		return 0;
	v = strtol(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || v < 0 || v > THREADS_MAX)
		return cli_usage(cmd, "-T %s: not a thread count from 0 (one per CPU) to %d", arg,
				 THREADS_MAX);
	asked = (unsigned)v;
	single = 0;
	return 1;
}

unsigned cli_threads(int view)
{
	cpu_set_t set;
	int cpus;

	if (single)
		return 0;
	if (asked)
		return asked;
	cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
	if (view > 0)
		cpus = cpus > view ? (cpus - view) / view : 0;
	return cpus > THREADS_MAX ? THREADS_MAX : (unsigned)cpus;
}
