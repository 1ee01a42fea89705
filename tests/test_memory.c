/* SPDX-License-Identifier: MIT */
/*
 * Memory stays bounded whatever the file's size: replaying a file a hundred
 * times larger raises the replaying process's peak memory by less than a
 * chunk's worth, beyond the process table, whose bound is its own
 * (aa_replay_opts.max_processes: small here, as a session execs thousands). Each replay runs in a child of its own, whose peak
 * (ru_maxrss) the parent reads from wait4().
 */
#include <criterion/criterion.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capio.h"
#include "session.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(memory);

/* A session-like capture of about mb MB of records. */
static char *session_file(const char *name, double mb)
{
	struct aat_session s;
	aat_session_init(&s, 77, 1000);
	struct aat_recs recs = {0};
	static uint8_t buf[AAT_GEN_MAX];
	while (recs.used < mb * 1e6) {
		size_t len = aat_session_next(&s, buf);
		aat_recs_add(&recs, buf, len);
	}
	char *path = aat_path(dir, name);
	cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, NULL, 0, NULL), 0);
	aat_recs_free(&recs);
	return path;
}

/* Peak resident memory (KiB) of a child that replays path to the end. */
static long replay_peak_kb(const char *path)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		aa_source *src;
		const struct aa_record *rec;
		const struct aa_replay_opts opts = { .max_processes = 64 };
		if (aa_open_offline(&src, &path, 1, &opts, NULL) != 0)
			_exit(3);
		int rc;
		while ((rc = aa_next(src, &rec)) == 1)
			;
		aa_close(src);
		_exit(rc == 0 ? 0 : 4);
	}
	int st;
	struct rusage ru;
	cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the replay failed (%d)", st);
	return ru.ru_maxrss;
}

Test(memory, bounded_whatever_the_size, .timeout = 120)
{
	char *small = session_file("small.pcapng", 0.4), *big = session_file("big.pcapng", 40);
	long a = replay_peak_kb(small), b = replay_peak_kb(big);
	cr_log_info("peak %ld KiB for 0.4 MB, %ld KiB for 40 MB", a, b);
	cr_expect_lt(b - a, 1024, "replaying 40 MB took %ld KiB at the peak, 0.4 MB took %ld KiB", b, a);
	free(small);
	free(big);
}
