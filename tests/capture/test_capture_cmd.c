/* SPDX-License-Identifier: MIT */
/*
 * aa-capture -- COMMAND [ARGS], end to end on the live ring buffer (root
 * and BPF, skipped otherwise; the usage errors run as anyone): the command's
 * exec with its exact argv is its first record, it and its descendants are
 * recorded and nothing else, its last records (its exit) are in the file,
 * aa-capture exits with its status (128 + N by signal, 127 and 126 when it
 * cannot run, the file still whole), SIGTERM and kill's SIGINT are passed on
 * while the terminal's Ctrl-C does not stop the capture, -u runs it as
 * another user, and the options that contradict a command are refused.
 */
#include <poll.h>
#include <pty.h>
#include <pwd.h>

#include "cap_test.h"

TestSuite(capture_cmd, .init = cap_setup, .fini = cap_teardown, .timeout = 120);

/* Starts aa-capture with args, stdout into out_path and stderr into
 * err_path (NULL: ours), stdin /dev/null. */
static pid_t spawn_out(const char *const *args, const char *out_path, const char *err_path)
{
	char *bin = cap_bin();
	const char *argv[64] = { bin };
	size_t n = 1;

	while (*args && n < 63)
		argv[n++] = *args++;
	fflush(NULL);
	pid_t pid = aat_fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		dup2(in, 0);
		if (out_path)
			dup2(open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
		if (err_path)
			dup2(open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
		execv(bin, (char *const *)argv);
		_exit(99);
	}
	free(bin);
	return pid;
}

static void need_live(void)
{
	if (geteuid() != 0)
		cr_skip_test("live capture needs root (BPF)");
}

/* aa-capture's status; skips when BPF is not there (its "aa-capture:
 * loading ..." error before the command ever ran). */
static int finish(pid_t pid, const char *errf)
{
	int rc = cap_wait(pid);
	char *msg = cap_slurp(errf);

	if (rc == 4 && !strstr(msg, "aa-capture: ready"))
		cr_skip_test("BPF is not available here: %s", msg);
	free(msg);
	return rc;
}

static int run_live(const char *const *args, const char *out, const char *errf)
{
	need_live();
	return finish(spawn_out(args, out, errf), errf);
}

/* The records of a whole, closed file, one after the other. */
struct rec_list {
	struct aat_recs raw;
	struct aa_event *ev;
	size_t n;
};

static void read_all(const char *path, struct rec_list *l)
{
	struct cap_file_info fi;

	cap_read_one(path, &fi); /* intact and closed */
	l->raw = fi.recs;
	l->n = fi.recs.n;
	l->ev = calloc(l->n + 1, sizeof(*l->ev));
	cr_assert_not_null(l->ev);
	for (size_t i = 0; i < l->n; i++)
		aa_parse(aat_recs_at(&l->raw, i), l->raw.len[i], &l->ev[i]);
}

static void free_all(struct rec_list *l)
{
	free(l->ev);
	aat_recs_free(&l->raw);
}

static uint32_t pid_of(const struct aa_event *ev)
{
	uint32_t pid = 0;

	cr_assert(aa_event_pid(ev, &pid), "a record of a known type");
	return pid;
}

/* The command's pid: that of the first record, a task exec (or, for a
 * program that could not run, aa-capture's child as it was). */
static uint32_t command_pid(const struct rec_list *l)
{
	cr_assert_gt(l->n, 0, "the file holds records");
	return pid_of(&l->ev[0]);
}

/* The exit code recorded for pid, -1 if none. */
static int exit_code_of(const struct rec_list *l, uint32_t pid)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ev[i].type == AA_TYPE_EXIT && l->ev[i].exit->pid == pid)
			return l->ev[i].exit->exit_code;
	return -1;
}

Test(capture_cmd, its_exec_and_descendants_are_recorded_and_nothing_else)
{
	char *path = aat_path(dir, "run.pcapng"), *errf = aat_path(dir, "err.txt");
	static const char script[] = "ls / >/dev/null; cat /etc/hostname >/dev/null; exit 0";
	static const char want_argv[] = "sh\0-c\0ls / >/dev/null; cat /etc/hostname >/dev/null; exit 0"
					"\0marker\0two words";
	struct rec_list l;

	need_live();
	/* Busy beside it all along: none of this may reach the file. */
	fflush(NULL);
	pid_t noise = aat_fork(); /* (a loop: killed whatever way the test ends) */
	cr_assert(noise >= 0);
	if (noise == 0) {
		execl("/bin/sh", "sh", "-c", "while :; do cat /etc/hostname >/dev/null; done", (char *)NULL);
		_exit(99);
	}
	int rc = run_live((const char *[]){ "-q", "-w", path, "--", "sh", "-c", script, "marker",
					    "two words", NULL },
			  NULL, errf);
	kill(noise, SIGKILL);
	cap_wait(noise);
	cr_assert_eq(rc, 0, "the command's status 0: %s", cap_slurp(errf));

	read_all(path, &l);
	uint32_t sh = command_pid(&l), followed[64] = { sh };
	size_t nfollowed = 1;
	int execs = 0, children = 0, argv_ok = 0;

	cr_expect(l.ev[0].type == AA_TYPE_TASK && l.ev[0].task->kind == AA_TASK_EXEC,
		  "the first record is the command's exec");
	for (size_t i = 0; i < l.n; i++) {
		const struct aa_event *ev = &l.ev[i];
		uint32_t pid = pid_of(ev);
		int known = 0;

		if (ev->type == AA_TYPE_TASK && ev->task->kind == AA_TASK_FORK) {
			for (size_t j = 0; j < nfollowed; j++)
				known |= followed[j] == ev->task->ppid;
			cr_expect(known, "record %zu: a fork of %u, not followed", i, ev->task->ppid);
			cr_assert_lt(nfollowed, 64);
			followed[nfollowed++] = pid;
		}
		known = 0;
		for (size_t j = 0; j < nfollowed; j++)
			known |= followed[j] == pid;
		cr_expect(known, "record %zu (%s) of pid %u: neither the command nor its descendant", i,
			  aa_type_name(ev->type), pid);
		cr_expect_neq(pid, (uint32_t)noise, "nothing of the process beside it");
		if (ev->type == AA_TYPE_EXEC) {
			execs++;
			children += ev->exec->pid != sh && ev->exec->ppid == sh;
		}
		if (ev->type == AA_TYPE_STRING && ev->string->kind == AA_STRING_ARGV && pid == sh &&
		    ev->string->total_len == sizeof(want_argv))
			argv_ok = !memcmp(ev->string->data, want_argv, sizeof(want_argv));
	}
	cr_expect_eq(execs, 3, "sh, ls and cat: %d execs", execs);
	cr_expect_eq(children, 2, "ls and cat are sh's children");
	cr_expect(argv_ok, "the command's argv exact, the item with a space whole");
	cr_expect_eq(exit_code_of(&l, sh), 0);
	free_all(&l);
	free(path);
	free(errf);
}

/* Nothing missed at its start, nothing at its end: the first record is its
 * exec, its first write is there, and the last record is its exit. */
Test(capture_cmd, its_first_record_is_its_exec_and_its_last_its_exit)
{
	char *path = aat_path(dir, "first.pcapng"), *errf = aat_path(dir, "err.txt");
	char *target = aat_path(dir, "first.txt"), script[600];
	struct rec_list l;
	int writes = 0;

	snprintf(script, sizeof(script), "echo first > %s", target);
	cr_assert_eq(run_live((const char *[]){ "-q", "-w", path, "--", "sh", "-c", script, NULL },
			      NULL, errf),
		     0);
	read_all(path, &l);
	uint32_t sh = command_pid(&l);
	cr_expect(l.ev[0].type == AA_TYPE_TASK && l.ev[0].task->kind == AA_TASK_EXEC,
		  "the first record is a task exec");
	cr_expect_str_eq((const char *)l.ev[0].task->comm, "sh");
	for (size_t i = 0; i < l.n; i++) {
		const struct aa_event *ev = &l.ev[i];
		if (ev->type == AA_TYPE_TASK)
			cr_expect_str_neq((const char *)ev->task->comm, "aa-capture",
					  "nothing of aa-capture's child before the exec");
		writes += ev->type == AA_TYPE_FILE && ev->file->syscall == AA_SYS_WRITE &&
			  ev->file->pid == sh && strstr((const char *)ev->file->path, "/first.txt") &&
			  ev->file->return_code == 6;
	}
	cr_expect_eq(writes, 1, "its write of first.txt is recorded");
	cr_expect(l.ev[l.n - 1].type == AA_TYPE_EXIT && l.ev[l.n - 1].exit->pid == sh &&
			  l.ev[l.n - 1].exit->exit_code == 0,
		  "the last record is its exit");
	free_all(&l);
	free(target);
	free(path);
	free(errf);
}

Test(capture_cmd, its_exit_status_is_passed_through)
{
	char *path = aat_path(dir, "st.pcapng"), *killed = aat_path(dir, "killed.pcapng");
	char *errf = aat_path(dir, "err.txt");
	struct rec_list l;

	cr_assert_eq(run_live((const char *[]){ "-q", "-w", path, "--", "sh", "-c", "exit 3", NULL },
			      NULL, errf),
		     3);
	read_all(path, &l);
	cr_expect_eq(exit_code_of(&l, command_pid(&l)), 3);
	free_all(&l);

	cr_assert_eq(run_live((const char *[]){ "-q", "-w", killed, "--", "sh", "-c", "kill -KILL $$", NULL },
			      NULL, errf),
		     137, "SIGKILL: 128 + 9, as a shell says");
	read_all(killed, &l);
	cr_expect_eq(exit_code_of(&l, command_pid(&l)), 137);
	free_all(&l);
	free(killed);
	free(path);
	free(errf);
}

Test(capture_cmd, a_command_that_cannot_run_gives_127_or_126_and_a_whole_file)
{
	char *path = aat_path(dir, "nf.pcapng"), *errf = aat_path(dir, "err.txt");
	char *noexec = aat_path(dir, "noexec"), *path2 = aat_path(dir, "ne.pcapng");
	struct rec_list l;
	int failed = 0;

	cr_assert_eq(run_live((const char *[]){ "-q", "-w", path, "--", "aa-no-such-command-here", "x", NULL },
			      NULL, errf),
		     127);
	char *msg = cap_slurp(errf);
	cr_expect_str_eq(msg, "aa-capture: aa-no-such-command-here: command not found\n");
	free(msg);
	read_all(path, &l); /* intact and closed */
	cr_expect_eq(exit_code_of(&l, command_pid(&l)), 127, "its exit is recorded");
	for (size_t i = 0; i < l.n; i++)
		cr_expect_neq(l.ev[i].type, AA_TYPE_EXEC);
	free_all(&l);

	/* Not executable: its failed exec is recorded, with EACCES. */
	cr_assert_eq(aat_write_file(noexec, "x", 1), 0);
	cr_assert_eq(run_live((const char *[]){ "-q", "-w", path2, "--", noexec, NULL }, NULL, errf), 126);
	read_all(path2, &l);
	for (size_t i = 0; i < l.n; i++)
		failed += l.ev[i].type == AA_TYPE_TASK && l.ev[i].task->kind == AA_TASK_EXEC_FAILED &&
			  l.ev[i].task->error == EACCES;
	cr_expect_eq(failed, 1, "one failed exec, EACCES");
	cr_expect_eq(exit_code_of(&l, command_pid(&l)), 126);
	free_all(&l);
	free(noexec);
	free(path2);
	free(path);
	free(errf);
}

Test(capture_cmd, sigterm_is_passed_on_and_the_capture_ends_with_the_command)
{
	char *path = aat_path(dir, "term.pcapng"), *errf = aat_path(dir, "err.txt");
	char *started = aat_path(dir, "started"), *term = aat_path(dir, "term.txt"), script[1200];
	struct rec_list l;
	int wrote = 0;

	need_live();
	snprintf(script, sizeof(script),
		 "trap 'echo term > %s; exit 7' TERM; touch %s; while :; do sleep 0.05; done", term,
		 started);
	pid_t cap = spawn_out((const char *[]){ "-q", "-w", path, "--", "sh", "-c", script, NULL }, NULL, errf);
	cap_wait_file(started, cap, errf);
	kill(cap, SIGTERM);
	cr_assert_eq(finish(cap, errf), 7, "the command's status after its TERM trap");
	char *text = cap_slurp(term);
	cr_expect_str_eq(text, "term\n");
	free(text);

	read_all(path, &l); /* intact and closed */
	uint32_t sh = command_pid(&l);
	for (size_t i = 0; i < l.n; i++)
		wrote += l.ev[i].type == AA_TYPE_FILE && l.ev[i].file->pid == sh &&
			 l.ev[i].file->syscall == AA_SYS_WRITE && strstr((const char *)l.ev[i].file->path, "/term.txt");
	cr_expect_eq(wrote, 1, "its last write, in the trap, is recorded");
	cr_expect_eq(exit_code_of(&l, sh), 7);
	free_all(&l);
	free(started);
	free(term);
	free(path);
	free(errf);
}

/* Ctrl-C on aa-capture's terminal reaches the command from the terminal
 * and does not stop aa-capture; a SIGINT sent to aa-capture alone is passed
 * on. The command counts them. (A second copy of the terminal's, were
 * aa-capture to pass that on too, would mostly merge with the first while
 * pending: not something a test can see every time.) */
Test(capture_cmd, ctrl_c_reaches_the_command_and_kill_int_is_passed_on)
{
	char *path = aat_path(dir, "int.pcapng"), *errf = aat_path(dir, "err.txt");
	char *started = aat_path(dir, "started"), *ints = aat_path(dir, "ints.txt");
	char *stop = aat_path(dir, "stop"), script[1600], buf[4096];
	char *bin = cap_bin();
	int master;

	need_live();
	snprintf(script, sizeof(script),
		 "trap 'echo int >> %s' INT; touch %s; while [ ! -e %s ]; do sleep 0.05; done; exit 9", ints,
		 started, stop);
	fflush(NULL);
	pid_t self = getpid(), cap = forkpty(&master, NULL, NULL, NULL);
	cr_assert(cap >= 0, "forkpty: %s", strerror(errno));
	if (cap == 0) {
		aat_child_bind(self);
		dup2(open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
		execl(bin, bin, "-q", "-w", path, "--", "sh", "-c", script, (char *)NULL);
		_exit(99);
	}
	aat_child_track(cap);
	cap_wait_file(started, cap, errf);
	cr_assert_eq(write(master, "\003", 1), 1); /* the terminal's Ctrl-C */
	cap_sleep_ms(500);
	kill(cap, SIGINT); /* from a process: passed on */
	cap_sleep_ms(500);
	cr_assert_eq(aat_write_file(stop, "", 0), 0);
	for (;;) { /* the terminal's output, until it closes */
		struct pollfd p = { .fd = master, .events = POLLIN };
		if (poll(&p, 1, 20000) <= 0 || read(master, buf, sizeof(buf)) <= 0)
			break;
	}
	cr_assert_eq(finish(cap, errf), 9, "aa-capture ran on to the command's end");
	char *text = cap_slurp(ints);
	cr_expect_str_eq(text, "int\nint\n", "one SIGINT from the terminal, one passed on: %s", text);
	free(text);
	struct rec_list l;
	read_all(path, &l);
	cr_expect_eq(exit_code_of(&l, command_pid(&l)), 9);
	free_all(&l);
	close(master);
	free(bin);
	free(stop);
	free(ints);
	free(started);
	free(path);
	free(errf);
}

Test(capture_cmd, u_runs_the_command_as_that_user)
{
	char *path = aat_path(dir, "u.pcapng"), *errf = aat_path(dir, "err.txt");
	char *out = aat_path(dir, "out.txt"), want[512];
	struct passwd *pw = getpwnam("nobody");
	struct rec_list l;
	int execs = 0;

	if (!pw)
		cr_skip_test("no user nobody");
	snprintf(want, sizeof(want), "%u %u %s %s\n", (unsigned)pw->pw_uid, (unsigned)pw->pw_gid,
		 pw->pw_dir, pw->pw_name);
	cr_assert_eq(run_live((const char *[]){ "-q", "-u", "nobody", "-w", path, "--", "sh", "-c",
						"echo $(id -u) $(id -g) $HOME $USER", NULL },
			      out, errf),
		     0, "%s", cap_slurp(errf));
	char *text = cap_slurp(out);
	cr_expect_str_eq(text, want);
	free(text);

	read_all(path, &l);
	for (size_t i = 0; i < l.n; i++) {
		const struct aa_event *ev = &l.ev[i];
		if (ev->type == AA_TYPE_EXEC) {
			execs++;
			cr_expect_eq(ev->exec->uid, pw->pw_uid, "exec of %s as nobody", ev->exec->filename);
		} else if (ev->type == AA_TYPE_TASK) {
			cr_expect_eq(ev->task->uid, pw->pw_uid);
			cr_expect_eq(ev->task->gid, pw->pw_gid);
		}
	}
	cr_expect_geq(execs, 3, "sh and its two id's");
	free_all(&l);
	free(out);
	free(path);
	free(errf);
}

/* -c ends the capture early: the command goes on and gives the status. */
Test(capture_cmd, c_ends_the_capture_but_not_the_command)
{
	char *path = aat_path(dir, "c.pcapng"), *errf = aat_path(dir, "err.txt");
	struct rec_list l;

	cr_assert_eq(run_live((const char *[]){ "-q", "-c", "1", "-w", path, "--", "sh", "-c",
						"sleep 0.3; exit 6", NULL },
			      NULL, errf),
		     6);
	read_all(path, &l);
	cr_expect_eq(l.n, 1, "-c 1: one record");
	free_all(&l);
	free(path);
	free(errf);
}

/* Refused before anything starts (any user): the command never runs. */
Test(capture_cmd, conflicting_options_are_usage_errors)
{
	char *errf = aat_path(dir, "err.txt"), *made = aat_path(dir, "made");
	static const char *const cases[][3] = {
		{ "--pid", "1", "--pid and a command" },
		{ "-r", "-", "-r reads a raw stream" },
		{ "-w", "-", "-w - and the command" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(cap_run(NULL, errf, (const char *[]){ cases[i][0], cases[i][1], "--", "touch", made,
								   NULL }),
			     2, "%s %s with a command", cases[i][0], cases[i][1]);
		char *msg = cap_slurp(errf);
		cr_expect(strstr(msg, cases[i][2]), "%s", msg);
		free(msg);
		cr_expect_neq(access(made, F_OK), 0, "the command did not run");
	}
	/* Not without "--": a stray word (tcpdump's filter habit) is not run. */
	cr_expect_eq(cap_run(NULL, errf, (const char *[]){ "-q", "touch", made, NULL }), 2);
	char *stray = cap_slurp(errf);
	cr_expect(strstr(stray, "unexpected argument 'touch' (a command to record goes after --)"), "%s", stray);
	free(stray);
	cr_expect_neq(access(made, F_OK), 0, "the command did not run");
	cr_expect_eq(cap_run(NULL, errf, (const char *[]){ "-u", "nobody", "-w", "x.pcapng", NULL }), 2);
	char *msg = cap_slurp(errf);
	cr_expect(strstr(msg, "-u goes with a command"), "%s", msg);
	free(msg);
	if (getpwnam("nobody") && getpwnam("root")) {
		cr_expect_eq(cap_run(NULL, errf, (const char *[]){ "-Z", "root", "-u", "nobody", "--", "true", NULL }),
			     2);
		msg = cap_slurp(errf);
		cr_expect(strstr(msg, "-u nobody and -Z root"), "%s", msg);
		free(msg);
	}
	free(made);
	free(errf);
}

/* The uid of the command's exec records when they all have the same one,
 * else -1 (none, or different ones). */
static long exec_uid(const char *path)
{
	struct rec_list l;
	long uid = -1;
	int differ = 0;

	read_all(path, &l);
	for (size_t i = 0; i < l.n; i++) {
		if (l.ev[i].type != AA_TYPE_EXEC)
			continue;
		differ |= uid >= 0 && uid != (long)l.ev[i].exec->uid;
		uid = l.ev[i].exec->uid;
	}
	free_all(&l);
	return differ ? -1 : uid;
}

/* Under sudo (SUDO_UID, SUDO_GID) the command is the user's who ran sudo;
 * with -Z USER it is USER's, and aa-capture, USER too by then, still
 * passes SIGTERM on to it. */
Test(capture_cmd, sudo_uid_and_z_choose_the_command_user)
{
	char *path = aat_path(dir, "sudo.pcapng"), *zpath = aat_path(dir, "z.pcapng");
	char *errf = aat_path(dir, "err.txt"), *out = aat_path(dir, "out.txt");
	char *started = aat_path(dir, "started"), script[1200], want[64];
	struct passwd *pw = getpwnam("nobody");

	need_live();
	if (!pw)
		cr_skip_test("no user nobody");
	char id[24];
	snprintf(want, sizeof(want), "%u\n", (unsigned)pw->pw_uid);
	snprintf(id, sizeof(id), "%u", (unsigned)pw->pw_uid);
	setenv("SUDO_UID", id, 1);
	snprintf(id, sizeof(id), "%u", (unsigned)pw->pw_gid);
	setenv("SUDO_GID", id, 1);
	int rc = run_live((const char *[]){ "-q", "-w", path, "--", "sh", "-c", "id -u", NULL }, out, errf);
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	cr_assert_eq(rc, 0, "%s", cap_slurp(errf));
	char *text = cap_slurp(out);
	cr_expect_str_eq(text, want, "SUDO_UID's user");
	free(text);
	cr_expect_eq(exec_uid(path), (long)pw->pw_uid);

	/* -Z nobody writes into a directory of nobody's own. */
	cr_assert_eq(chown(dir, pw->pw_uid, pw->pw_gid), 0);
	snprintf(script, sizeof(script), "trap 'exit 7' TERM; id -u; touch %s; while :; do sleep 0.05; done",
		 started);
	pid_t cap = spawn_out((const char *[]){ "-q", "-Z", "nobody", "-w", zpath, "--", "sh", "-c", script,
						NULL },
			      out, errf);
	cap_wait_file(started, cap, errf);
	kill(cap, SIGTERM);
	cr_assert_eq(finish(cap, errf), 7, "SIGTERM passed on by aa-capture as nobody: %s", cap_slurp(errf));
	text = cap_slurp(out);
	cr_expect_str_eq(text, want, "-Z's user");
	free(text);
	struct stat st;
	cr_assert_eq(stat(zpath, &st), 0);
	cr_expect_eq(st.st_uid, pw->pw_uid, "the file created as nobody");
	cr_expect_eq(exec_uid(zpath), (long)pw->pw_uid);
	free(started);
	free(out);
	free(errf);
	free(zpath);
	free(path);
}
