/* SPDX-License-Identifier: MIT */
/*
 * openloop: the load of the live-capture benchmark (bench-live.sh): an
 * openat/close loop on one regular file, at a target rate or flat out; with
 * --rw, a write/read loop on one fd of that file instead (a write of 64
 * bytes, an lseek back, a read of them: two recorded syscalls per round,
 * each counted as one operation); with --exec BYTES, a loop of fork, exec of
 * /bin/true with an argv of BYTES in all (each item followed by its NUL),
 * and wait.
 *
 *   openloop --path FILE [--rw | --exec BYTES] [--rate N] [--seconds S] [--wait]
 *
 * Creates FILE if needed, then (with --wait) sleeps until SIGUSR1, so that a
 * tracer can be attached to its pid before the first open. Then opens and
 * closes FILE for S seconds (default 3): N opens per second (paced against
 * the clock, sleeping between batches of about a millisecond's worth), or
 * as fast as it can when N is 0 (default). Prints one line on stdout:
 *   OPENS SECONDS OPENS_PER_SECOND CPU_NS_PER_OPEN   (with --exec: execs)
 * the last its own CPU time (user and system: the BPF programs a tracer
 * attached run in it) per operation, which other loads of the machine
 * disturb far less than the rate.
 * Every open (read, write, exec) must succeed: one that fails ends it with status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_wait.h"

static void usage(void)
{
	fprintf(stderr, "usage: openloop --path FILE [--rw | --exec BYTES] [--rate N] [--seconds S] [--wait]\n");
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

static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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

/* argv of /bin/true: "true", then items of 99 letters up to bytes in all. */
static char **exec_argv(size_t bytes)
{
	size_t n = bytes / 100 + 3, k = 0, used = 5;
	char **v = calloc(n, sizeof(*v));

	if (!v || bytes < 5)
		return NULL;
	v[k++] = "true";
	while (used < bytes) {
		size_t len = bytes - used > 100 ? 99 : bytes - used - 1;
		char *item = malloc(len + 1);

		if (!item)
			return NULL;
		memset(item, 'a', len);
		item[len] = 0;
		v[k++] = item;
		used += len + 1;
	}
	return v;
}

/* One fork, exec and wait of /bin/true with argv. */
static void fork_exec(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execv("/bin/true", argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "openloop: exec of /bin/true failed\n");
		exit(1);
	}
}

/* One write and one read of 64 bytes at the start of fd: two operations. */
static void write_read(int fd)
{
	static char buf[64];

	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || lseek(fd, 0, SEEK_SET) != 0 ||
	    read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || lseek(fd, 0, SEEK_SET) != 0) {
		fprintf(stderr, "openloop: write/read: %s\n", strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"path", required_argument, NULL, 'p'},
		{"rate", required_argument, NULL, 'r'},
		{"seconds", required_argument, NULL, 's'},
		{"wait", no_argument, NULL, 'w'},
		{"exec", required_argument, NULL, 'e'},
		{"rw", no_argument, NULL, 'i'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	double rate = 0, seconds = 3, exec_bytes = 0;
	char **xargv = NULL;
	int wait = 0, rw = 0, c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': path = optarg; break;
		case 'r': rate = parse_num(optarg, "--rate"); break;
		case 's': seconds = parse_num(optarg, "--seconds"); break;
		case 'w': wait = 1; break;
		case 'e': exec_bytes = parse_num(optarg, "--exec"); break;
		case 'i': rw = 1; break;
		default: usage();
		}
	}
	if (!path || optind != argc || seconds <= 0)
		usage();
	if (exec_bytes && !(xargv = exec_argv((size_t)exec_bytes))) {
		fprintf(stderr, "openloop: --exec: at least 5 bytes (\"true\" and its NUL)\n");
		return 2;
	}

	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "openloop: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (!rw)
		close(fd);

	if (wait)
		bench_wait_usr1();

	/* A batch is about a millisecond of opens at the target rate, so that
	 * the pacing costs a clock read per batch, not per open. */
	unsigned long long batch = rate > 0 ? (unsigned long long)(rate / 1000) : xargv ? 16 : 256;
	if (batch < 1)
		batch = 1;
	batch += rw & batch; /* whole rounds of two */
	unsigned long long opens = 0;
	double t0 = mono(), t = t0, end = t0 + seconds, c0 = cpu();
	while (t < end) {
		for (unsigned long long i = 0; i < batch; i += 1 + rw) {
			if (xargv)
				fork_exec(xargv);
			else if (rw)
				write_read(fd);
			else
				open_close(path);
		}
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
	printf("%llu %.6f %.1f %.1f\n", opens, t - t0, (double)opens / (t - t0), (cpu() - c0) * 1e9 / (double)opens);
	return 0;
}
