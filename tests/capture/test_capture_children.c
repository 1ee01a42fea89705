/* SPDX-License-Identifier: MIT */
/*
 * An aa-capture a test started ends with the test, however the test ends
 * (tests/lib/children.h): a failed assertion, or a SIGKILL (the runner's
 * timeout). This binary runs itself on one of its own "inner" tests, which
 * start an aa-capture that never ends by itself (its input a FIFO it also
 * holds open for writing) and then fail; the outer test checks that the
 * aa-capture is gone. No root needed.
 */
#include <sys/stat.h>

#include "cap_test.h"

TestSuite(capture_children, .init = cap_setup, .fini = cap_teardown, .timeout = 60);

/* The inner half: only when run by the outer tests below (AAT_CHILDREN_PIDFILE
 * set); starts aa-capture, writes its pid there, then ends as how says. */
static void inner(const char *how)
{
	const char *pidfile = getenv("AAT_CHILDREN_PIDFILE");
	char *fifo, *out, *errf, num[32];
	int fd;

	if (!pidfile)
		return;
	fifo = aat_path(dir, "in.fifo");
	out = aat_path(dir, "out.pcapng");
	errf = aat_path(dir, "err.txt");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	fd = open(fifo, O_RDWR); /* a writer always there: no end of input */
	cr_assert_geq(fd, 0);
	pid_t cap = cap_spawn((const char *[]){ "-q", "-r", "-", "-w", out, NULL }, fd, errf);
	snprintf(num, sizeof(num), "%d\n", (int)cap);
	cr_assert_eq(aat_write_file(pidfile, num, strlen(num)), 0);
	if (!strcmp(how, "kill"))
		raise(SIGKILL);
	cr_assert_fail("failing on purpose with aa-capture (pid %d) running", (int)cap);
}

Test(capture_children, inner_fails)
{
	inner("fail");
}

Test(capture_children, inner_killed)
{
	inner("kill");
}

/* Runs this binary on the inner test name (not as a worker of this run:
 * without the sandbox's variables, which Criterion's workers inherit); the
 * aa-capture it started must be gone (or a zombie of whoever adopted it)
 * within 5 s. */
static void outer(const char *name)
{
	char self[4096], cmd[8500], *pidfile = aat_path(dir, "pid"), *text;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int rc, pid;

	cr_assert_gt(n, 0);
	self[n] = 0;
	snprintf(cmd, sizeof(cmd), "env -u BXFI_MAP -u IS_SANDBOX AAT_CHILDREN_PIDFILE='%s' CRITERION_JOBS=1 '%s' --filter='capture_children/%s' "
		 ">/dev/null 2>&1", pidfile, self, name);
	rc = aat_run(cmd, NULL, 0);
	cr_assert_neq(rc, 0, "the inner test %s did not fail", name);
	text = cap_slurp(pidfile);
	pid = atoi(text);
	cr_assert_gt(pid, 0, "the inner test wrote no pid");
	for (int waited = 0;; waited += 20) {
		char path[64], comm[64] = "", state = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "re");
		if (f) {
			if (fscanf(f, "%*d (%63[^)]) %c", comm, &state) != 2)
				state = 0;
			fclose(f);
		}
		if (!f || state == 'Z' || strcmp(comm, "aa-capture"))
			break;
		if (waited >= 5000) {
			kill(pid, SIGKILL); /* (this test's own leftover) */
			cr_assert_fail("aa-capture (pid %d) still running after the test %s ended", pid, name);
		}
		cap_sleep_ms(20);
	}
	free(text);
	free(pidfile);
}

Test(capture_children, a_failed_assertion_leaves_no_capture_running)
{
	if (getenv("AAT_CHILDREN_PIDFILE"))
		return;
	outer("inner_fails");
}

Test(capture_children, a_killed_test_leaves_no_capture_running)
{
	if (getenv("AAT_CHILDREN_PIDFILE"))
		return;
	outer("inner_killed");
}
