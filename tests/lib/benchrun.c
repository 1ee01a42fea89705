/* SPDX-License-Identifier: MIT */
/* The benchmarks' shared steps (benchrun.h). */
#include "benchrun.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "capio.h"

extern char **environ;

static void die(const char *who, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", who, what, strerror(errno));
	exit(2);
}

double aat_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double aat_run_timed(const char *who, char *const argv[], const char *out_path, double *cpu)
{
	struct rusage ru;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null",
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	double t0 = aat_now();
	if ((errno = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) != 0)
		die(who, argv[0]);
	if (wait4(pid, &st, 0, &ru) < 0)
		die(who, "waitpid");
	double secs = aat_now() - t0;
	posix_spawn_file_actions_destroy(&fa);
	if (cpu)
		*cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "%s: %s failed\n", who, argv[0]);
		exit(1);
	}
	return secs;
}

long long aat_file_size(const char *who, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		die(who, path);
	return (long long)st.st_size;
}

double aat_write_timed(const char *who, const struct aat_recs *recs, const char *path,
		       const struct aa_writer_opts *opts)
{
	double t0 = aat_now();
	int rc = aat_write_capture(path, recs, 0, recs->n, opts, 0, NULL);
	double secs = aat_now() - t0;
	if (rc) {
		fprintf(stderr, "%s: writing %s: %s\n", who, path, aa_error_name(rc));
		exit(1);
	}
	return secs;
}
