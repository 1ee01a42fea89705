/* SPDX-License-Identifier: MIT */
/*
 * openloop: the load of the live-capture benchmark (bench-live.sh): an
 * openat/close loop on one regular file, at a target rate or flat out.
 *
 *   openloop --path FILE [--rate N] [--seconds S] [--wait]
 *
 * Creates FILE if needed, then (with --wait) sleeps until SIGUSR1, so that a
 * tracer can be attached to its pid before the first open. Then opens and
 * closes FILE for S seconds (default 3): N opens per second (paced against
 * the clock, sleeping between batches of about a millisecond's worth), or
 * as fast as it can when N is 0 (default). Prints one line on stdout:
 *   OPENS SECONDS OPENS_PER_SECOND
 * Every open must succeed: one that fails ends it with status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_wait.h"

static void usage(void)
{
	fprintf(stderr, "usage: openloop --path FILE [--rate N] [--seconds S] [--wait]\n");
	exit(2);
}

static double parse_num(const char *s, const char *what)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "openloop: %s: not a number >= 0: %s\n", what, s);
		exit(2);
	}
	return v;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	struct timespec ts = {.tv_sec = (time_t)t};
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* One openat and its close; the count of the caller is the count of opens. */
static void open_close(const char *path)
{
	int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "openloop: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"path", required_argument, NULL, 'p'},
		{"rate", required_argument, NULL, 'r'},
		{"seconds", required_argument, NULL, 's'},
		{"wait", no_argument, NULL, 'w'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	double rate = 0, seconds = 3;
	int wait = 0, c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': path = optarg; break;
		case 'r': rate = parse_num(optarg, "--rate"); break;
		case 's': seconds = parse_num(optarg, "--seconds"); break;
		case 'w': wait = 1; break;
		default: usage();
		}
	}
	if (!path || optind != argc || seconds <= 0)
		usage();

	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "openloop: %s: %s\n", path, strerror(errno));
		return 2;
	}
	close(fd);

	if (wait)
		bench_wait_usr1();

	/* A batch is about a millisecond of opens at the target rate, so that
	 * the pacing costs a clock read per batch, not per open. */
	unsigned long long batch = rate > 0 ? (unsigned long long)(rate / 1000) : 256;
	if (batch < 1)
		batch = 1;
	unsigned long long opens = 0;
	double t0 = mono(), t = t0, end = t0 + seconds;
	while (t < end) {
		for (unsigned long long i = 0; i < batch; i++)
			open_close(path);
		opens += batch;
		t = mono();
		if (rate > 0) {
			double due = t0 + (double)opens / rate;
			if (due > t) {
				sleep_until(due < end ? due : end);
				t = mono();
			}
		}
	}
	printf("%llu %.6f %.1f\n", opens, t - t0, (double)opens / (t - t0));
	return 0;
}
