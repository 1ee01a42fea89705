/* SPDX-License-Identifier: MIT */
/*
 * The snapshot a live aa-capture writes of the processes already running
 * (root and BPF; skipped otherwise). A process started before the capture,
 * as pid 1 of a pid namespace of its own, in a cgroup of its own, under
 * other ids, with an argv of spaces, a byte that is not UTF-8 and a
 * 3000-byte item, is in the file as /proc showed it; so is its child, and
 * kthreadd with an empty argv and no exe; the capture itself is not.
 * --pid, --comm, --events and --no-snapshot choose what is in it; an argv
 * longer than the BPF programs' limit is cut there and marked; it is read
 * before -Z gives up root.
 */
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <sched.h>

#include "cap_test.h"
#include "snap_strings.h"

#define SUBJECT_UID 4343
#define SUBJECT_GID 4242
#define BIG_ITEM 3000
#define ARGV_MAX (128u << 10) /* the BPF programs' default */

/* The process the tests look for, and what is known of it from outside. */
static struct subject {
	pid_t helper;     /* its parent, which made the pid namespace */
	pid_t pid;
	char cgroup[512]; /* its cgroup's directory; "" when cgroup v2 is not mounted */
	uint64_t before_ns, after_ns; /* CLOCK_MONOTONIC around its start */
	uint8_t *argv;    /* its items, each with its NUL (malloc'd) */
	size_t argv_len;
} sub;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Where cgroup v2 is mounted, from /proc/mounts; 0 when nowhere. */
static int cgroup2_mount(char *out, size_t size)
{
	char dev[256], mnt[512], type[64];
	FILE *f = fopen("/proc/mounts", "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fscanf(f, "%255s %511s %63s %*[^\n]", dev, mnt, type) == 3)
		if (strcmp(type, "cgroup2") == 0 && snprintf(out, size, "%s", mnt) < (int)size)
			found = 1;
	fclose(f);
	return found;
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		_exit(120);
	close(fd);
}

/* The subject's child: sh runs `sleep 1000` and waits for it. */
static pid_t child_of(pid_t pid)
{
	char path[64], buf[64];
	FILE *f;
	long c = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f))
		c = strtol(buf, NULL, 10);
	if (f)
		fclose(f);
	return (pid_t)c;
}

static size_t read_proc(pid_t pid, const char *name, uint8_t *buf, size_t size)
{
	char path[64];
	size_t n = 0;
	ssize_t r;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while (n < size && (r = read(fd, buf + n, size - n)) > 0)
		n += (size_t)r;
	close(fd);
	return n;
}

/*
 * Starts /bin/sh with argv (it must run `sleep 1000` and wait) as pid 1 of
 * a new pid namespace, in a new cgroup when cgroup v2 is there, as
 * SUBJECT_UID and SUBJECT_GID, and waits until it runs its child sleep.
 */
static void start_subject(const char *const *argv)
{
	char cgroot[256];
	int p[2];

	if (geteuid() != 0)
		cr_skip_test("live capture needs root (BPF)");
	sub.argv_len = 0;
	for (const char *const *a = argv; *a; a++)
		sub.argv_len += strlen(*a) + 1;
	sub.argv = malloc(sub.argv_len);
	cr_assert_not_null(sub.argv);
	sub.argv_len = 0;
	for (const char *const *a = argv; *a; a++) {
		memcpy(sub.argv + sub.argv_len, *a, strlen(*a) + 1);
		sub.argv_len += strlen(*a) + 1;
	}
	sub.cgroup[0] = 0;
	if (cgroup2_mount(cgroot, sizeof(cgroot))) {
		snprintf(sub.cgroup, sizeof(sub.cgroup), "%s/aa-snapshot-test-%d", cgroot, (int)getpid());
		cr_assert_eq(mkdir(sub.cgroup, 0755), 0, "mkdir %s: %s", sub.cgroup, strerror(errno));
	}
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	fflush(NULL);
	sub.before_ns = mono_ns();
	sub.helper = fork();
	cr_assert(sub.helper >= 0);
	if (sub.helper == 0) {
		if (unshare(CLONE_NEWPID) != 0)
			_exit(121);
		pid_t pid = fork();
		if (pid == 0) {
			char procs[600];
			snprintf(procs, sizeof(procs), "%s/cgroup.procs", sub.cgroup);
			if (sub.cgroup[0])
				write_str(procs, "0"); /* this process */
			if (setgroups(0, NULL) || setgid(SUBJECT_GID) || setuid(SUBJECT_UID))
				_exit(122);
			execv("/bin/sh", (char *const *)argv);
			_exit(123);
		}
		if (write(p[1], &pid, sizeof(pid)) != sizeof(pid))
			_exit(124);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[1]);
	cr_assert_eq(read(p[0], &sub.pid, sizeof(sub.pid)), (ssize_t)sizeof(sub.pid), "the subject started");
	sub.after_ns = mono_ns();
	close(p[0]);
	for (int waited = 0; !child_of(sub.pid); waited += 10) {
		cr_assert_lt(waited, 10000, "sh started its sleep within 10 s");
		cap_sleep_ms(10);
	}
}

static void stop_subject(void)
{
	if (sub.pid > 0)
		kill(sub.pid, SIGKILL); /* the namespace's init: all of it goes */
	if (sub.helper > 0)
		while (waitpid(sub.helper, NULL, 0) < 0 && errno == EINTR)
			;
	/* The cgroup empties once its processes are reaped. */
	for (int i = 0; sub.cgroup[0] && rmdir(sub.cgroup) != 0 && errno == EBUSY && i < 200; i++)
		cap_sleep_ms(10);
	free(sub.argv);
	memset(&sub, 0, sizeof(sub));
}

static void teardown(void)
{
	stop_subject();
	cap_teardown();
}

TestSuite(capture_snapshot, .init = cap_setup, .fini = teardown, .timeout = 120);

/* Runs a live capture of a second with args (NULL-terminated) into path;
 * its stderr into errf. Its pid in *cap_pid. */
static void capture(const char *path, const char *errf, const char *const *more, pid_t *cap_pid)
{
	const char *args[32] = { "-w", path, "--duration", "1", "--flush-ms", "100" };
	size_t n = 6;

	while (*more && n < 31)
		args[n++] = *more++;
	args[n] = NULL;
	pid_t pid = cap_spawn(args, -1, errf);
	int rc = cap_wait(pid);
	char *msg = cap_slurp(errf);
	if (rc == 4)
		cr_skip_test("BPF is not available here: %s", msg);
	cr_assert_eq(rc, 0, "aa-capture exit %d: %s", rc, msg);
	free(msg);
	if (cap_pid)
		*cap_pid = pid;
}

/* sh with an argv of spaces, a byte that is not UTF-8 and a 3000-byte item. */
static void start_odd_subject(void)
{
	static char big[BIG_ITEM + 1];

	memset(big, 'b', BIG_ITEM);
	start_subject((const char *[]){ "sh", "-c", "sleep 1000; :", "an argument with spaces",
					"not utf-8: \xff\xfe", big, NULL });
}

/* A capture with --pid of the subject and more (NULL-terminated), read back into l. */
static void capture_subject(const char *path, const char *errf, const char *const *more,
			    struct snap_list *l)
{
	const char *args[16] = { "--pid", NULL };
	char pid[16];
	size_t n = 2;

	snprintf(pid, sizeof(pid), "%d", (int)sub.pid);
	args[1] = pid;
	while (*more && n < 15)
		args[n++] = *more++;
	args[n] = NULL;
	capture(path, errf, args, NULL);
	snap_read(path, l);
}

static int comm_is(const struct aa_task_event *t, const char *name)
{
	return strncmp((const char *)t->comm, name, sizeof(t->comm)) == 0;
}

/* The last number of /proc/PID/status's NSpid line. */
static uint32_t ns_pid_of(pid_t pid)
{
	char buf[4096], *line;
	size_t n = read_proc(pid, "status", (uint8_t *)buf, sizeof(buf) - 1);
	unsigned long v = 0;

	buf[n] = 0;
	line = strstr(buf, "\nNSpid:");
	cr_assert_not_null(line);
	line += 7;
	if (strchr(line, '\n'))
		*strchr(line, '\n') = 0;
	for (char *tok = strtok(line, " \t"); tok; tok = strtok(NULL, " \t"))
		v = strtoul(tok, NULL, 10);
	return (uint32_t)v;
}

Test(capture_snapshot, a_running_process_as_proc_shows_it)
{
	char *path = aat_path(dir, "s.pcapng"), *errf = aat_path(dir, "err.txt");
	char exe[4096], nspath[64];
	struct stat st, own_ns;
	struct snap_list l;
	pid_t cap;

	start_odd_subject();
	snprintf(nspath, sizeof(nspath), "/proc/%d/exe", (int)sub.pid);
	ssize_t exe_len = readlink(nspath, exe, sizeof(exe));
	cr_assert_gt(exe_len, 0);
	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/pid", (int)sub.pid);
	cr_assert_eq(stat(nspath, &st), 0);
	cr_assert_eq(stat("/proc/self/ns/pid", &own_ns), 0);
	cr_assert_neq(st.st_ino, own_ns.st_ino, "the subject has a pid namespace of its own");

	capture(path, errf, (const char *[]){ NULL }, &cap);
	snap_read(path, &l);

	const struct snap_proc *p = snap_find(&l, (uint32_t)sub.pid);
	cr_assert_not_null(p, "the subject %d is in the snapshot", (int)sub.pid);
	const struct aa_task_event *t = &p->task;
	cr_expect_eq(t->tid, (uint32_t)sub.pid);
	cr_expect_eq(t->kind, AA_TASK_SNAPSHOT);
	cr_expect_eq(t->ppid, (uint32_t)sub.helper, "ppid %u", t->ppid);
	cr_expect_eq(t->uid, SUBJECT_UID);
	cr_expect_eq(t->gid, SUBJECT_GID);
	cr_expect(comm_is(t, "sh"), "comm %.16s", (const char *)t->comm);
	cr_expect_eq(t->ns_pid, 1, "pid 1 of its namespace: %u", t->ns_pid);
	cr_expect_eq(t->pidns_ino, (uint32_t)st.st_ino);
	cr_expect_eq(t->exit_status, 0);
	cr_expect_eq(t->error, 0);
	long tick = 1000000000L / sysconf(_SC_CLK_TCK);
	cr_expect(t->start_ns + (uint64_t)tick + 1000000 >= sub.before_ns &&
			  t->start_ns <= sub.after_ns + 1000000,
		  "started within a tick of [%" PRIu64 ", %" PRIu64 "]: %" PRIu64, sub.before_ns,
		  sub.after_ns, t->start_ns);
	if (sub.cgroup[0]) {
		struct stat cg;
		cr_assert_eq(stat(sub.cgroup, &cg), 0);
		cr_expect_eq(t->cgroup_id, (uint64_t)cg.st_ino, "cgroup id %" PRIu64, t->cgroup_id);
		cr_expect_str_eq((const char *)t->cgroup, strrchr(sub.cgroup, '/') + 1);
	}
	uint8_t cmdline[16384];
	size_t cmdline_len = read_proc(sub.pid, "cmdline", cmdline, sizeof(cmdline));
	cr_assert_eq(cmdline_len, sub.argv_len, "/proc agrees on the argv");
	cr_assert(p->argv.whole, "argv whole, in order");
	cr_expect_eq(p->argv.len, sub.argv_len, "argv %u bytes", p->argv.len);
	cr_expect_eq(memcmp(p->argv.data, sub.argv, sub.argv_len), 0, "argv byte for byte");
	cr_expect_eq(p->argv.orig_len, sub.argv_len);
	cr_expect_eq(p->argv.flags, 0, "not truncated");
	cr_expect_eq(p->argv.pieces, (sub.argv_len + 1023) / 1024);
	cr_assert(p->exe.whole, "exe whole");
	cr_expect_eq(p->exe.len, (uint32_t)exe_len);
	cr_expect_eq(memcmp(p->exe.data, exe, (size_t)exe_len), 0, "exe %.*s", (int)exe_len, exe);

	/* Its child, in the same namespace and cgroup. */
	pid_t kid = child_of(sub.pid);
	const struct snap_proc *k = snap_find(&l, (uint32_t)kid);
	cr_assert_not_null(k, "the subject's child %d", (int)kid);
	cr_expect_eq(k->task.ppid, (uint32_t)sub.pid);
	cr_expect(comm_is(&k->task, "sleep"));
	cr_expect_eq(k->task.ns_pid, ns_pid_of(kid));
	cr_expect_neq(k->task.ns_pid, (uint32_t)kid);
	cr_expect_eq(k->task.pidns_ino, (uint32_t)st.st_ino);
	cr_expect(k->argv.whole && k->argv.len == sizeof("sleep\0" "1000") &&
		  memcmp(k->argv.data, "sleep\0" "1000", sizeof("sleep\0" "1000")) == 0);

	cr_expect_null(snap_find(&l, (uint32_t)cap), "aa-capture %d is not in its snapshot", (int)cap);
	for (size_t i = 0; i < l.n; i++)
		cr_expect(l.p[i].argv.whole, "pid %u: its argv came whole", l.p[i].task.pid);

	/* The statistics count the snapshot's records as any others. */
	char *msg = cap_slurp(errf), want[64];
	snprintf(want, sizeof(want), "aa-capture: %zu records written", l.records);
	cr_expect(strstr(msg, want), "%s: %s", want, msg);
	snap_free(&l);
	free(msg);
	free(path);
	free(errf);
}

Test(capture_snapshot, a_kernel_thread_has_an_empty_argv_and_no_exe)
{
	char *path = aat_path(dir, "k.pcapng"), *errf = aat_path(dir, "err.txt");
	uint8_t comm[32] = { 0 };
	struct snap_list l;

	if (geteuid() != 0)
		cr_skip_test("live capture needs root (BPF)");
	if (read_proc(2, "comm", comm, sizeof(comm) - 1) == 0 || strcmp((char *)comm, "kthreadd\n") != 0)
		cr_skip_test("pid 2 is not kthreadd here");
	capture(path, errf, (const char *[]){ "-q", "--comm", "kthreadd", NULL }, NULL);
	snap_read(path, &l);
	cr_assert_eq(l.n, 1, "--comm kthreadd: one process, %zu", l.n);
	const struct snap_proc *p = snap_find(&l, 2);
	cr_assert_not_null(p);
	cr_expect(comm_is(&p->task, "kthreadd"));
	cr_expect_eq(p->task.ppid, 0);
	cr_expect(p->argv.whole, "an argv record");
	cr_expect_eq(p->argv.total_len, 0);
	cr_expect_eq(p->argv.pieces, 1, "an empty string is one piece");
	cr_expect_eq(p->argv.orig_len, 0);
	cr_expect_not(p->exe.present, "no exe");
	cr_expect_eq(l.strings, 1, "one string record in all");
	snap_free(&l);
	free(path);
	free(errf);
}

Test(capture_snapshot, with_pid_only_it_and_its_children)
{
	char *path = aat_path(dir, "p.pcapng"), *errf = aat_path(dir, "err.txt");
	struct snap_list l;

	start_odd_subject();
	capture_subject(path, errf, (const char *[]){ "--events", "task,string", NULL }, &l);
	cr_assert_eq(l.n, 2, "the subject and its child: %zu", l.n);
	cr_expect_not_null(snap_find(&l, (uint32_t)sub.pid));
	cr_expect_not_null(snap_find(&l, (uint32_t)child_of(sub.pid)));
	cr_expect_eq(l.orphans, 0);
	/* Nothing else happens in that tree: these are all the file holds, as the statistics say. */
	char *msg = cap_slurp(errf), want[64];
	snprintf(want, sizeof(want), "task 2, string %zu,", l.strings);
	cr_expect(strstr(msg, want), "%s: %s", want, msg);
	cr_expect_eq(l.records, l.strings + 2);
	snap_free(&l);
	free(msg);
	free(path);
	free(errf);
}

Test(capture_snapshot, events_and_no_snapshot_choose_its_records)
{
	char *path = aat_path(dir, "e.pcapng"), *errf = aat_path(dir, "err.txt");
	struct snap_list l;

	start_odd_subject();
	capture_subject(path, errf, (const char *[]){ "-q", "--events", "task", NULL }, &l);
	cr_expect_eq(l.n, 2, "--events task: the task records");
	cr_expect_eq(l.strings, 0, "--events task: no string records");
	snap_free(&l);

	capture_subject(path, errf, (const char *[]){ "-q", "--events", "exec,exit", NULL }, &l);
	cr_expect_eq(l.n + l.strings, 0, "--events exec,exit: no snapshot");
	snap_free(&l);

	capture_subject(path, errf, (const char *[]){ "-q", "--no-snapshot", NULL }, &l);
	cr_expect_eq(l.n + l.strings, 0, "--no-snapshot: none");
	snap_free(&l);
	free(path);
	free(errf);
}

Test(capture_snapshot, a_long_argv_is_cut_at_the_limit_and_marked)
{
	char *path = aat_path(dir, "l.pcapng"), *errf = aat_path(dir, "err.txt");
	static char item[5][30001];
	struct snap_list l;
	size_t whole = 0;

	const char *argv[9] = { "sh", "-c", "sleep 1000; :", "x" };
	for (int i = 0; i < 5; i++) {
		memset(item[i], 'a' + i, 30000);
		argv[3 + i] = item[i];
	}
	for (int i = 0; argv[i]; i++)
		whole += strlen(argv[i]) + 1;
	cr_assert_gt(whole, ARGV_MAX);
	start_subject(argv);
	capture_subject(path, errf, (const char *[]){ "-q", NULL }, &l);
	const struct snap_proc *p = snap_find(&l, (uint32_t)sub.pid);
	cr_assert_not_null(p);
	cr_assert(p->argv.whole);
	cr_expect_eq(p->argv.total_len, ARGV_MAX);
	cr_expect_eq(p->argv.orig_len, whole, "the whole length: %u", p->argv.orig_len);
	cr_expect_eq(p->argv.flags, AA_STRING_TRUNCATED);
	cr_expect_eq(p->argv.pieces, ARGV_MAX / 1024);
	size_t off = 0;
	for (int i = 0; argv[i] && off < ARGV_MAX; i++) {
		size_t n = strlen(argv[i]) + 1;
		if (n > ARGV_MAX - off)
			n = ARGV_MAX - off;
		cr_assert_eq(memcmp(p->argv.data + off, argv[i], n), 0, "item %d", i);
		off += n;
	}
	snap_free(&l);
	free(path);
	free(errf);
}

/* /proc/PID/exe and ns/pid of another user's process need root: they are
 * read before -Z gives it up. */
Test(capture_snapshot, read_as_root_before_dropping_it)
{
	char *path = aat_path(dir, "z.pcapng"), *errf = aat_path(dir, "err.txt");
	struct passwd *pw = getpwnam("nobody");
	struct snap_list l;

	if (!pw)
		cr_skip_test("no user nobody");
	start_odd_subject();
	cr_assert_eq(chown(dir, pw->pw_uid, pw->pw_gid), 0); /* -Z writes into a directory of its own */
	capture_subject(path, errf, (const char *[]){ "-q", "-Z", "nobody", NULL }, &l);
	const struct snap_proc *p = snap_find(&l, (uint32_t)sub.pid);
	cr_assert_not_null(p);
	cr_expect(p->exe.whole && p->exe.len > 0, "its exe");
	cr_expect_neq(p->task.pidns_ino, 0, "its pid namespace");
	snap_free(&l);
	free(path);
	free(errf);
}
