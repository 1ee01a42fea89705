/* SPDX-License-Identifier: MIT */
/*
 * Live-test helpers (header only, included by the tests/live/test_*.c):
 * runs a bash script as a followed child while the live source captures it,
 * and keeps a copy of every record until the script's own exit record, the
 * workload's final marker.
 */
#ifndef AA_LIVE_CAPTURE_H
#define AA_LIVE_CAPTURE_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aa_live.h"
#include "clock.h"
#include "recs.h"

#define LIVE_DEADLINE_NS (30ull * 1000000000ull)

/*
 * One test at a time: each loads its own programs into the one kernel, and
 * two captures in parallel would compete for the CPUs they measure (the
 * zero-drop bursts). Criterion reads CRITERION_JOBS in main(), after this.
 * (In parallel, Criterion 2.4's runner also leaks 48 bytes under ASan.)
 */
__attribute__((constructor)) static void live_one_job(void)
{
	setenv("CRITERION_JOBS", "1", 0);
}

static inline void live_require_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("live capture needs root (BPF): run the live tests as root");
}

/* A child process held back until the capture follows it. */
struct live_child {
	pid_t pid;
	uint32_t pid32;
	int go;          /* write end of the release pipe */
	aa_source *src;  /* the live source following the child */
};

/* In the child: waits for the release; 0 once released. */
static inline int live_wait_go(int go_fd)
{
	char byte;
	int ok = read(go_fd, &byte, 1) == 1;

	close(go_fd);
	return ok ? 0 : -1;
}

/*
 * Forks a child that exits with body(arg, go_fd) (body calls live_wait_go()
 * when it is ready to be watched), then opens the live source with opts
 * following the child (opts->pids set here, so its descendants are followed).
 */
static inline void live_spawn(struct live_child *c, int (*body)(void *arg, int go_fd), void *arg,
			      struct aa_live_opts *opts)
{
	struct aa_error_info err;
	int go[2], rc;

	cr_assert_eq(pipe(go), 0);
	c->pid = fork();
	cr_assert_geq(c->pid, 0);
	if (c->pid == 0) {
		close(go[1]);
		_exit(body(arg, go[0]));
	}
	close(go[0]);
	c->go = go[1];
	c->pid32 = (uint32_t)c->pid;
	opts->pids = &c->pid32;
	opts->npids = 1;
	rc = aa_open_live(&c->src, opts, &err);
	if (rc) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		cr_assert_fail("aa_open_live: %s: %s", aa_error_name(rc), err.detail);
	}
}

/* Releases the child. */
static inline void live_go(struct live_child *c)
{
	char byte = 1;

	cr_assert_eq(write(c->go, &byte, 1), 1);
	close(c->go);
}

/* The body of a child that, once released, runs fn(). */
static inline int live_body_fn(void *fn, int go_fd)
{
	return live_wait_go(go_fd) ? 126 : ((int (*)(void))fn)();
}

struct live_script {
	const char *script;
	int keep_fd;
};

/* The body of a child that, once released, execs bash -c script with fd 9 = keep_fd. */
static inline int live_body_script(void *arg, int go_fd)
{
	const struct live_script *s = arg;

	if (live_wait_go(go_fd))
		return 126;
	if (s->keep_fd >= 0 && (s->keep_fd == 9 ? fcntl(9, F_SETFD, 0) : dup2(s->keep_fd, 9)) < 0)
		return 126;
	execl("/bin/bash", "bash", "-c", s->script, (char *)NULL);
	return 127;
}

struct live_run {
	struct aat_recs recs; /* every record, in ring order */
	pid_t pid;            /* the bash running the script */
	int status;           /* its wait status */
	uint64_t drops[AA_DROP_SLOTS];
	int saw_end;          /* its exit record arrived */
};

/*
 * Runs `bash -c script` (or, when script is NULL, fn() in the forked child,
 * which exits with fn's return) with fd 9 = keep_fd (if >= 0), capturing
 * with opts, and keeps every record up to the child's own exit record.
 */
static inline void live_run(struct live_run *run, const char *script, int (*fn)(void),
			    struct aa_live_opts *opts, int keep_fd)
{
	struct live_script sc = { script, keep_fd };
	struct live_child c;
	uint64_t deadline;
	aa_source *src;
	int rc;

	memset(run, 0, sizeof(*run));
	if (!opts->timeout_ms)
		opts->timeout_ms = 100;
	if (script)
		live_spawn(&c, live_body_script, &sc, opts);
	else
		live_spawn(&c, live_body_fn, (void *)fn, opts);
	run->pid = c.pid;
	src = c.src;
	live_go(&c);
	deadline = aa_clock_ns(CLOCK_MONOTONIC) + LIVE_DEADLINE_NS;
	while (!run->saw_end && aa_clock_ns(CLOCK_MONOTONIC) < deadline) {
		const struct aa_record *rec;

		rc = aa_next(src, &rec);
		if (rc == AA_E_AGAIN)
			continue;
		cr_assert_eq(rc, 1, "aa_next: %s: %s", aa_error_name(rc), aa_source_error(src)->detail);
		aat_recs_add(&run->recs, rec->ev.raw, rec->ev.len);
		if (rec->ev.type == AA_TYPE_EXIT && rec->ev.exit->pid == c.pid32)
			run->saw_end = 1;
	}
	aa_live_drops(src, run->drops);
	aa_close(src);
	waitpid(run->pid, &run->status, 0);
	cr_assert(run->saw_end, "the script's exit record never came");
}

static inline void live_run_script(struct live_run *run, const char *script, struct aa_live_opts *opts,
				   int keep_fd)
{
	live_run(run, script, NULL, opts, keep_fd);
}

/* Record i of the run, parsed; aborts the test when it is not valid. */
static inline struct aa_event live_event(const struct live_run *run, size_t i)
{
	struct aa_event ev;

	cr_assert_eq(aa_parse(aat_recs_at(&run->recs, i), run->recs.len[i], &ev), 0,
		     "record %zu (%u bytes) does not parse", i, run->recs.len[i]);
	return ev;
}

#define LIVE_FOREACH(run, i, ev) \
	for (size_t i = 0; i < (run)->recs.n; i++) \
		for (struct aa_event ev = live_event((run), i), *once_ = &ev; once_; once_ = NULL)

/* The first exec record whose args are exactly `args`, or -1. */
static inline long live_find_exec(const struct live_run *run, const char *args)
{
	LIVE_FOREACH(run, i, ev)
		if (ev.type == AA_TYPE_EXEC && !strcmp((const char *)ev.exec->args, args))
			return (long)i;
	return -1;
}

/* The exit code recorded for pid, or INT32_MIN when there is none. */
static inline int32_t live_exit_code(const struct live_run *run, uint32_t pid)
{
	LIVE_FOREACH(run, i, ev)
		if (ev.type == AA_TYPE_EXIT && ev.exit->pid == pid)
			return ev.exit->exit_code;
	return INT32_MIN;
}

/* The first file record of this syscall and path (for rename: the old
 * path) from pid (0: any), or -1. */
static inline long live_find_file(const struct live_run *run, uint32_t pid, uint32_t syscall, const char *path)
{
	LIVE_FOREACH(run, i, ev)
		if (ev.type == AA_TYPE_FILE && ev.file->syscall == syscall && (!pid || ev.file->pid == pid) &&
		    !strcmp((const char *)ev.file->path, path))
			return (long)i;
	return -1;
}

static inline void live_run_free(struct live_run *run)
{
	aat_recs_free(&run->recs);
}

#endif /* AA_LIVE_CAPTURE_H */
