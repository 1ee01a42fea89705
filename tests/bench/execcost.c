/* SPDX-License-Identifier: MIT */
/*
 * execcost: how long from an exec to the new program's first instruction
 * (its main), for bench-tls.sh: what holding a program until its files are
 * probed for TLS stacks costs it.
 *
 *   execcost --runs N [--fresh DIR] PROGRAM
 *
 * Forks and execs PROGRAM --now N times (with --fresh, each time a new copy
 * of it in DIR, made before the clock starts: a file no one has mapped);
 * PROGRAM --now prints CLOCK_MONOTONIC at its main's start. Prints the median
 * and the mean of (that time - the time before fork), in microseconds:
 *   MEDIAN_US MEAN_US
 * Built twice: as is, and (execcost_tls, -DWITH_OPENSSL) with OpenSSL's
 * libssl.a linked in, a program that carries a TLS stack of its own.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef WITH_OPENSSL
#include <openssl/ssl.h>
#endif

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int copy(const char *from, const char *to)
{
	char buf[1 << 16];
	int in = open(from, O_RDONLY | O_CLOEXEC), out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ssize_t n = 0;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out))
		n = -1;
	return in < 0 || out < 0 || n < 0 ? -1 : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One exec of path: the time from before the fork to its main. */
static int one(const char *path, uint64_t *ns)
{
	char line[32] = "";
	int p[2], status;
	uint64_t t0, t1;
	ssize_t n;
	pid_t pid;

	if (pipe(p))
		return -1;
	t0 = now_ns();
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execl(path, path, "--now", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	n = pid > 0 ? read(p[0], line, sizeof(line) - 1) : -1;
	close(p[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) || n <= 0)
		return -1;
	line[n] = 0;
	t1 = strtoull(line, NULL, 10);
	*ns = t1 > t0 ? t1 - t0 : 0;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "now", no_argument, NULL, 'n' },
		{ "runs", required_argument, NULL, 'r' },
		{ "fresh", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *fresh = NULL;
	uint64_t *ns, sum = 0;
	int runs = 20, c;

	if (argc == 2 && !strcmp(argv[1], "--now")) { /* first thing: the measured instant */
		printf("%llu\n", (unsigned long long)now_ns());
		return 0;
	}
#ifdef WITH_OPENSSL
	if (argc > 1000) /* never: keeps SSL_write and SSL_read linked in */
		return SSL_write(NULL, NULL, 0) + SSL_read(NULL, NULL, 0);
#endif
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			runs = atoi(optarg);
		else if (c == 'f')
			fresh = optarg;
		else
			return 2;
	}
	if (optind != argc - 1 || runs < 1 || !(ns = calloc((size_t)runs, sizeof(*ns)))) {
		fprintf(stderr, "usage: execcost --runs N [--fresh DIR] PROGRAM\n");
		return 2;
	}
	for (int i = 0; i < runs; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s", argv[optind]);
		if (fresh) {
			snprintf(path, sizeof(path), "%s/prog.%d.%d", fresh, (int)getpid(), i);
			if (copy(argv[optind], path))
				return perror(path), 1;
		}
		if (one(path, &ns[i]))
			return fprintf(stderr, "execcost: %s failed\n", path), 1;
		if (fresh)
			unlink(path);
		sum += ns[i];
	}
	qsort(ns, (size_t)runs, sizeof(*ns), cmp_u64);
	printf("%.1f %.1f\n", ns[runs / 2] / 1000.0, sum / 1000.0 / runs);
	free(ns);
	return 0;
}
