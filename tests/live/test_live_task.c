/* SPDX-License-Identifier: MIT */
/* Live capture of task records: the raw wait status at exit (a kill -9, an
 * exit 137 and a core dump told apart), fork records of processes that do
 * not exec, and every field checked against what /proc says of the live
 * process. Needs root; skipped otherwise. */
#include <errno.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "live_strings.h"
#include "files.h"

/* The task record of `kind` of the process whose exec record has args. */
static struct aa_event task_of_exec(const struct live_run *run, const char *args, uint8_t kind)
{
	long e = live_find_exec(run, args), t;

	cr_assert_geq(e, 0, "no exec of %s", args);
	t = live_find_task(run, 0, live_event(run, (size_t)e).exec->pid, kind);
	cr_assert_geq(t, 0, "no task record %u of %s", kind, args);
	return live_event(run, (size_t)t);
}

Test(live_task, kill_9_and_exit_137_differ_in_the_wait_status, .timeout = 30)
{
	struct aa_live_opts o = { 0 };
	struct live_run run;
	struct aa_event k9, e137;
	long x;

	live_require_root();
	live_run_script(&run, "/bin/sh -c 'kill -9 $$' k9; /bin/sh -c 'exit 137' e137; true", &o, -1);
	k9 = task_of_exec(&run, "/bin/sh -c kill -9 $$ k9", AA_TASK_EXIT);
	e137 = task_of_exec(&run, "/bin/sh -c exit 137 e137", AA_TASK_EXIT);
	cr_assert_eq(k9.task->exit_status, 9, "kill -9: status %#x", k9.task->exit_status);
	cr_assert_eq(e137.task->exit_status, 137 << 8, "exit 137: status %#x", e137.task->exit_status);
	/* The seed's exit records cannot tell them apart; each comes after
	 * its task record, with its time stamp. */
	LIVE_FOREACH(&run, i, ev) {
		if (ev.type == AA_TYPE_TASK && ev.task->kind == AA_TASK_EXIT &&
		    (ev.task->pid == k9.task->pid || ev.task->pid == e137.task->pid)) {
			size_t j = i + 1;

			while (j < run.recs.n && (live_event(&run, j).type != AA_TYPE_EXIT ||
						  live_event(&run, j).exit->pid != ev.task->pid))
				j++;
			cr_assert_lt(j, run.recs.n, "no exit record after the task record");
			cr_assert_eq(live_event(&run, j).exit->timestamp_ns, ev.task->timestamp_ns);
			cr_assert_eq(live_event(&run, j).exit->exit_code, 137);
		}
	}
	x = live_find_task(&run, 0, (uint32_t)run.pid, AA_TASK_EXIT);
	cr_assert_geq(x, 0);
	cr_assert_eq(live_event(&run, (size_t)x).task->exit_status, 0);
	live_run_free(&run);
}

static int segv_with_core(void)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

	if (setrlimit(RLIMIT_CORE, &unlimited))
		return 1;
	/* The default action: under ASan (make SAN=1) its own handler would
	 * catch the signal and exit instead. */
	signal(SIGSEGV, SIG_DFL);
	kill(getpid(), SIGSEGV);
	return 2;
}

/* The machine's core_pattern while a test has replaced it. */
static char g_old_core[512];

/* Replaces /proc/sys/kernel/core_pattern, returning the old one in old. */
static int set_core_pattern(const char *pattern, char *old, size_t oldsize)
{
	FILE *f = fopen("/proc/sys/kernel/core_pattern", "r");
	int ok;

	if (!f)
		return -1;
	ok = fgets(old, (int)oldsize, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	old[strcspn(old, "\n")] = 0;
	f = fopen("/proc/sys/kernel/core_pattern", "w");
	if (!f)
		return -1;
	ok = fputs(pattern, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Puts the machine's core_pattern back, also after a failed assertion. */
static void restore_core_pattern(void)
{
	char mine[512];

	if (g_old_core[0] && set_core_pattern(g_old_core, mine, sizeof(mine)) == 0)
		g_old_core[0] = 0;
}

Test(live_task, a_core_dump_shows_in_the_wait_status, .timeout = 30, .fini = restore_core_pattern)
{
	struct aa_live_opts o = { 0 };
	char *dir = aat_tmpdir(), pattern[512];
	struct live_run run;
	long x;

	live_require_root();
	cr_assert_not_null(dir);
	/* A file in a directory of the test's own, not whatever handler the machine has. */
	snprintf(pattern, sizeof(pattern), "%s/core.%%p", dir);
	cr_assert_eq(set_core_pattern(pattern, g_old_core, sizeof(g_old_core)), 0);
	live_run(&run, NULL, segv_with_core, &o, -1);
	restore_core_pattern();
	cr_assert_eq(g_old_core[0], 0, "core_pattern not restored");
	cr_assert(WIFSIGNALED(run.status) && WTERMSIG(run.status) == SIGSEGV && WCOREDUMP(run.status),
		  "the child did not dump core: status %#x", run.status);
	x = live_find_task(&run, 0, (uint32_t)run.pid, AA_TASK_EXIT);
	cr_assert_geq(x, 0);
	cr_assert_eq(live_event(&run, (size_t)x).task->exit_status, run.status, "status %#x, waitpid says %#x",
		     live_event(&run, (size_t)x).task->exit_status, run.status);
	cr_assert_eq(run.status, SIGSEGV | 0x80);
	cr_assert_eq(live_exit_code(&run, (uint32_t)run.pid), 128 + SIGSEGV);
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}

/* Forks a child that exits 3 without exec; waits for it. */
static int fork_no_exec(void)
{
	pid_t kid = fork();
	int status;

	if (kid == 0)
		_exit(3);
	return waitpid(kid, &status, 0) == kid && WIFEXITED(status) && WEXITSTATUS(status) == 3 ? 0 : 1;
}

Test(live_task, a_fork_without_exec_has_its_fork_and_exit_records, .timeout = 30)
{
	struct aa_live_opts o = { 0 };
	struct live_run run;
	long f = -1, x;
	struct aa_event fev;

	live_require_root();
	live_run(&run, NULL, fork_no_exec, &o, -1);
	cr_assert(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0);
	LIVE_FOREACH(&run, i, ev)
		if (ev.type == AA_TYPE_TASK && ev.task->kind == AA_TASK_FORK && ev.task->ppid == (uint32_t)run.pid)
			f = (long)i;
	cr_assert_geq(f, 0, "no fork record of the child's child");
	fev = live_event(&run, (size_t)f);
	cr_assert_neq(fev.task->pid, (uint32_t)run.pid);
	cr_assert_eq(fev.task->tid, fev.task->pid);
	cr_assert_eq(fev.task->ns_pid, fev.task->pid, "the initial pid namespace");
	cr_assert_eq(fev.task->exit_status, 0);
	cr_assert_eq(fev.task->error, 0);
	cr_assert_geq(fev.task->timestamp_ns, fev.task->start_ns);
	x = live_find_task(&run, (size_t)f, fev.task->pid, AA_TASK_EXIT);
	cr_assert_geq(x, 0);
	cr_assert_eq(live_event(&run, (size_t)x).task->exit_status, 3 << 8);
	cr_assert_eq(live_event(&run, (size_t)x).task->start_ns, fev.task->start_ns);
	/* Its pid was new: no exec record. */
	LIVE_FOREACH(&run, i, ev)
		cr_assert(ev.type != AA_TYPE_EXEC || ev.exec->pid != fev.task->pid);
	live_run_free(&run);
}

/* The cgroup v2 mount point, or NULL. */
static char *cgroup2_root(void)
{
	FILE *f = fopen("/proc/mounts", "r");
	char dev[256], dir[512], type[64];
	char *found = NULL;

	if (!f)
		return NULL;
	while (!found && fscanf(f, "%255s %511s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2"))
			found = strdup(dir);
	fclose(f);
	return found;
}

struct in_ns {
	const char *cgroup_procs; /* the cgroup.procs to join, or NULL */
	int report;               /* write end: the grandchild's pid */
};

/*
 * Once released: a new pid namespace, and in it a process (pid 1 there)
 * that joins the test's cgroup, takes real ids 4321/2345 (effective ones
 * stay 0) and execs sleep; killed by the test. Exits with 0 when the
 * grandchild died of SIGKILL.
 */
static int body_in_ns(void *arg, int go_fd)
{
	const struct in_ns *p = arg;
	pid_t kid;
	int status;

	if (live_wait_go(go_fd) || unshare(CLONE_NEWPID))
		return 126;
	kid = fork();
	if (kid == 0) {
		if (p->cgroup_procs) {
			FILE *f = fopen(p->cgroup_procs, "w");

			if (!f || fputs("0", f) < 0 || fclose(f))
				_exit(125);
		}
		if (setresgid(2345, 0, 0) || setresuid(4321, 0, 0))
			_exit(124);
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	if (write(p->report, &kid, sizeof(kid)) != sizeof(kid))
		return 123;
	return waitpid(kid, &status, 0) == kid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : 1;
}

/* The first number after "key:" in /proc/PID/FILE (the last of the line when last). */
static long proc_field(pid_t pid, const char *file, const char *key, int last)
{
	char path[64], line[512];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':') {
			char *s = line + strlen(key) + 1, *end;

			for (;;) {
				long n = strtol(s, &end, 10);

				if (end == s)
					break;
				v = n;
				s = end;
				if (!last)
					break;
			}
		}
	}
	fclose(f);
	return v;
}

/* "0::/path" of /proc/PID/cgroup: the last component of path ("" at the root). */
static void proc_cgroup_name(pid_t pid, char *name, size_t size)
{
	char path[64], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	name[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(name, size, "%s", strrchr(line, '/') + 1);
		}
	}
	fclose(f);
}

/* start_ns (CLOCK_MONOTONIC) against /proc/PID/stat's start time (clock
 * ticks since boot, CLOCK_BOOTTIME). */
static void check_start(pid_t pid, uint64_t start_ns)
{
	char path[64], buf[1024], *p;
	unsigned long long ticks = 0;
	FILE *f;
	long hz = sysconf(_SC_CLK_TCK);
	int64_t boot_minus_mono = (int64_t)(aa_clock_ns(CLOCK_BOOTTIME) - aa_clock_ns(CLOCK_MONOTONIC));
	double diff;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	p = strrchr(buf, ')'); /* field 22, counted after the comm */
	cr_assert_not_null(p);
	cr_assert_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			    &ticks), 1);
	diff = ((double)start_ns + (double)boot_minus_mono) / 1e9 - (double)ticks / (double)hz;
	cr_assert(diff > -2.0 / hz && diff < 2.0 / hz, "start %.3f s off /proc's", diff);
}

/*
 * Reads c's records into run until the task record of `kind` for pid comes
 * (or the deadline passes); its index, or -1.
 */
static long read_until_task(struct live_child *c, struct live_run *run, uint32_t pid, uint8_t kind,
			    uint64_t deadline)
{
	while (aa_clock_ns(CLOCK_MONOTONIC) < deadline) {
		const struct aa_record *rec;
		int rc = aa_next(c->src, &rec);

		if (rc == AA_E_AGAIN)
			continue;
		cr_assert_eq(rc, 1, "aa_next: %s", aa_error_name(rc));
		aat_recs_add(&run->recs, rec->ev.raw, rec->ev.len);
		if (rec->ev.type == AA_TYPE_TASK && rec->ev.task->pid == pid && rec->ev.task->kind == kind)
			return (long)run->recs.n - 1;
	}
	return -1;
}

Test(live_task, fields_match_proc_of_the_live_process, .timeout = 30)
{
	struct aa_live_opts o = { 0 };
	char *root = cgroup2_root(), cgdir[600], procs[700], name[256], nsl[64], want_ns[64];
	struct in_ns p = { NULL, -1 };
	struct live_child c;
	struct stat cg;
	uint64_t deadline;
	long fork_i, exec_i, exit_i;
	struct live_run run;
	pid_t kid = 0;
	int rep[2], status;
	ssize_t n;

	live_require_root();
	memset(&run, 0, sizeof(run));
	cgdir[0] = 0;
	if (root) {
		snprintf(cgdir, sizeof(cgdir), "%s/aa-test-%d", root, (int)getpid());
		if (mkdir(cgdir, 0755) == 0) {
			snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgdir);
			p.cgroup_procs = procs;
		} else {
			cr_log_warn("%s: %s: the cgroup is not checked", cgdir, strerror(errno));
			cgdir[0] = 0;
		}
	}
	cr_assert_eq(pipe(rep), 0);
	p.report = rep[1];
	o.timeout_ms = 100;
	live_spawn(&c, body_in_ns, &p, &o);
	close(rep[1]);
	live_go(&c);
	cr_assert_eq(read(rep[0], &kid, sizeof(kid)), sizeof(kid));
	close(rep[0]);
	/* Records until the exec task record of the grandchild. */
	deadline = aa_clock_ns(CLOCK_MONOTONIC) + LIVE_DEADLINE_NS;
	exec_i = read_until_task(&c, &run, (uint32_t)kid, AA_TASK_EXEC, deadline);
	fork_i = live_find_task(&run, 0, (uint32_t)kid, AA_TASK_FORK);
	cr_assert(fork_i >= 0 && exec_i >= 0, "fork %ld, exec %ld of the grandchild", fork_i, exec_i);
	{
		const struct aa_task_event *t = live_event(&run, (size_t)exec_i).task;
		const struct aa_task_event *f = live_event(&run, (size_t)fork_i).task;

		/* Its own view, while it lives. */
		cr_assert_eq(t->pid, (uint32_t)kid);
		cr_assert_eq(t->tid, (uint32_t)kid);
		cr_assert_eq(t->ppid, (uint32_t)proc_field(kid, "status", "PPid", 0));
		cr_assert_eq(t->ppid, c.pid32);
		cr_assert_eq(t->uid, (uint32_t)proc_field(kid, "status", "Uid", 0), "uid %u: the real one", t->uid);
		cr_assert_eq(t->uid, 4321);
		cr_assert_eq(t->gid, (uint32_t)proc_field(kid, "status", "Gid", 0), "gid %u: the real one", t->gid);
		cr_assert_eq(t->gid, 2345);
		cr_assert_eq(t->ns_pid, (uint32_t)proc_field(kid, "status", "NSpid", 1));
		cr_assert_eq(t->ns_pid, 1, "pid 1 in its new namespace");
		snprintf(nsl, sizeof(nsl), "/proc/%d/ns/pid", (int)kid);
		n = readlink(nsl, name, sizeof(name) - 1);
		cr_assert_gt(n, 0);
		name[n] = 0;
		snprintf(want_ns, sizeof(want_ns), "pid:[%u]", t->pidns_ino);
		cr_assert_str_eq(name, want_ns);
		snprintf(nsl, sizeof(nsl), "/proc/%d/ns/pid", (int)getpid());
		n = readlink(nsl, name, sizeof(name) - 1);
		name[n > 0 ? n : 0] = 0;
		cr_assert_str_neq(name, want_ns, "not the test's own namespace");
		check_start(kid, t->start_ns);
		proc_cgroup_name(kid, name, sizeof(name));
		cr_assert_str_eq((const char *)t->cgroup, name);
		if (cgdir[0]) {
			cr_assert_eq(stat(cgdir, &cg), 0);
			cr_assert_eq(t->cgroup_id, (uint64_t)cg.st_ino);
			snprintf(name, sizeof(name), "aa-test-%d", (int)getpid());
			cr_assert_str_eq((const char *)t->cgroup, name);
		}
		cr_assert_str_eq((const char *)t->comm, "sleep");
		cr_assert_eq(t->kind, AA_TASK_EXEC);
		cr_assert_eq(t->exit_status, 0);
		cr_assert_eq(t->error, 0);
		cr_assert_eq(t->_pad[0] | t->_pad[1] | t->_pad[2], 0);
		for (size_t k = strlen((const char *)t->comm); k < sizeof(t->comm); k++)
			cr_assert_eq(t->comm[k], 0);
		for (size_t k = strlen((const char *)t->cgroup); k < sizeof(t->cgroup); k++)
			cr_assert_eq(t->cgroup[k], 0);
		/* At fork: the same process, before its cgroup, ids and program changed. */
		cr_assert_eq(f->tid, (uint32_t)kid);
		cr_assert_eq(f->ppid, c.pid32);
		cr_assert_eq(f->ns_pid, 1);
		cr_assert_eq(f->pidns_ino, t->pidns_ino);
		cr_assert_eq(f->start_ns, t->start_ns);
		cr_assert_eq(f->uid, 0);
		cr_assert_eq(f->gid, 0);
		cr_assert_str_eq((const char *)f->comm, "test_live_task");
	}
	kill(kid, SIGKILL);
	exit_i = read_until_task(&c, &run, (uint32_t)kid, AA_TASK_EXIT, deadline);
	aa_close(c.src);
	cr_assert_eq(waitpid(c.pid, &status, 0), c.pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	cr_assert_geq(exit_i, 0);
	cr_assert_eq(live_event(&run, (size_t)exit_i).task->exit_status, SIGKILL);
	cr_assert_eq(live_event(&run, (size_t)exit_i).task->uid, 4321);
	live_run_free(&run);
	if (cgdir[0])
		cr_assert_eq(rmdir(cgdir), 0, "%s: %s", cgdir, strerror(errno));
	free(root);
}

/* --events task: task records, nothing else of exec and exit. */
Test(live_task, events_task_alone, .timeout = 30)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_TASK) };
	struct live_run run;
	struct live_child c;
	long end;
	int forks = 0;

	live_require_root();
	memset(&run, 0, sizeof(run));
	live_spawn(&c, live_body_fn, (void *)fork_no_exec, &o);
	live_go(&c);
	end = read_until_task(&c, &run, c.pid32, AA_TASK_EXIT, aa_clock_ns(CLOCK_MONOTONIC) + LIVE_DEADLINE_NS);
	aa_close(c.src);
	waitpid(c.pid, NULL, 0);
	cr_assert_geq(end, 0, "no exit task record of the child");
	LIVE_FOREACH(&run, i, ev) {
		cr_assert_eq(ev.type, AA_TYPE_TASK, "record %zu of type %s", i, aa_type_name(ev.type));
		forks += ev.task->kind == AA_TASK_FORK && ev.task->ppid == c.pid32;
	}
	cr_assert_eq(forks, 1, "the fork of the child's child");
	cr_assert(live_find_task(&run, 0, c.pid32, AA_TASK_FORK) < 0, "the child was forked before the capture");
	live_run_free(&run);
}
