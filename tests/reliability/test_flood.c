/* SPDX-License-Identifier: MIT */
/*
 * A flood that must overflow (root): aa-capture on the smallest ring (one
 * 4 KiB page) is stopped (SIGSTOP: the slowest disk there is) while a
 * followed child makes a burst of thousands of events; then it goes on and
 * is stopped with SIGINT. Every event is either in the file or counted as
 * dropped, exactly; the drop counts in the file equal those aa-capture
 * printed and those in the kernel's own map, read here behind its back;
 * and the capture's peak memory stays small.
 */
#include "rel_test.h"

TestSuite(flood, .init = cap_setup, .fini = cap_teardown, .timeout = 60);

#define RSS_LIMIT_KB (64 * 1024)

struct flood_result {
	struct aat_recs recs;           /* what the file holds */
	struct aa_source_stats st;      /* its counters, drops among them */
	uint64_t kernel[AA_DROP_SLOTS]; /* the DROPS map, read before the capture went on */
	uint64_t printed[AA_DROP_SLOTS], printed_total;
	long long info_dropped;         /* aa-replay info --json "dropped" */
	long peak_kb;                   /* the capture's peak RSS */
	pid_t child;
};

/* Runs the burst fn(arg) in a followed child while aa-capture --events
 * events sits on a 4 KiB ring, stopped when stop is set, else draining it
 * as fast as it can; fills res. */
static void flood(const char *events, int stop, int (*fn)(void *), void *arg, struct flood_result *res)
{
	char *cap = aat_path(dir, "flood.pcapng"), *errf = aat_path(dir, "err.txt");
	char pidbuf[16], out[4096];
	struct rel_child child;
	struct rusage ru;
	int st;

	memset(res, 0, sizeof(*res));
	rel_require_root();
	rel_fork_held(&child, fn, arg);
	res->child = child.pid;
	pid_t pid = rel_start_live(cap, errf, (const char *[]){ "-w", cap, "--ring-size", "4096",
								"--flush-ms", "100", "--events", events,
								"--no-snapshot", "--pid", rel_pid_arg(&child, pidbuf, sizeof(pidbuf)),
								NULL });
	if (stop) {
		kill(pid, SIGSTOP);
		cr_assert_eq(waitpid(pid, &st, WUNTRACED), pid);
		cr_assert(WIFSTOPPED(st), "aa-capture stopped");
	}
	rel_release(&child);
	cr_assert_eq(rel_reap(&child), 0, "the burst ran to its end");
	rel_kernel_drops(pid, res->kernel);
	kill(pid, SIGCONT);
	kill(pid, SIGINT);
	cr_assert_eq(rel_wait_usage(pid, &ru), 0, "SIGINT: exit 0");
	res->peak_kb = ru.ru_maxrss;

	char *msg = cap_slurp(errf);
	cr_assert_eq(rel_printed_drops(msg, &res->printed_total, res->printed), 0,
		     "aa-capture printed its drop counts at exit: %s", msg);
	free(msg);
	cr_assert_eq(aat_read_capture(cap, NULL, &res->recs, &res->st, NULL), 0, "the file reads whole");
	cr_assert(res->st.intact, "and is intact");
	cr_assert_eq(rel_replay(out, sizeof(out), "info --json '%s'", cap), 0, "info: %s", out);
	res->info_dropped = rel_json_u64(out, "dropped");
	free(cap);
	free(errf);
}

/* The drops in the file, in the statistics and in the kernel are the same. */
static void same_drops(const struct flood_result *r)
{
	uint64_t sum = 0;

	for (int s = 0; s < AA_DROP_SLOTS; s++) {
		cr_expect_eq(r->st.drops[s], r->kernel[s], "slot %d: %" PRIu64 " in the file, %" PRIu64
			     " in the kernel's map", s, r->st.drops[s], r->kernel[s]);
		cr_expect_eq(r->printed[s], r->kernel[s], "slot %d: %" PRIu64 " printed, %" PRIu64
			     " in the kernel's map", s, r->printed[s], r->kernel[s]);
		sum += r->kernel[s];
	}
	cr_expect_eq(r->st.dropped, sum);
	cr_expect_eq(r->printed_total, sum);
	cr_expect_eq(r->info_dropped, (long long)sum, "info --json says %lld dropped, the kernel %" PRIu64,
		     r->info_dropped, sum);
	cr_expect_lt(r->peak_kb, RSS_LIMIT_KB, "aa-capture peaked at %ld kB", r->peak_kb);
}

#define OPENS 5000
#define OPENS_RUNNING 100000

static int opens; /* how many open_burst makes */

static int open_burst(void *arg)
{
	char path[4200];

	for (int i = 0; i < opens; i++) {
		snprintf(path, sizeof(path), "%s/f%d", (const char *)arg, i);
		close(open(path, O_RDONLY));
	}
	return 0;
}

/* opens_n opens by a followed child; stop: with the capture stopped meanwhile. */
static void open_flood(int opens_n, int stop)
{
	struct flood_result r;
	char prefix[4200];
	uint64_t delivered = 0, others = 0;

	opens = opens_n;
	flood("file", stop, open_burst, dir, &r);
	snprintf(prefix, sizeof(prefix), "%s/f", dir);
	for (size_t i = 0; i < r.recs.n; i++) {
		struct aa_event ev;
		cr_assert_eq(aa_parse(aat_recs_at(&r.recs, i), r.recs.len[i], &ev), 0);
		if (ev.type == AA_TYPE_FILE && ev.file->pid == (uint32_t)r.child &&
		    ev.file->syscall == AA_SYS_OPENAT &&
		    !strncmp((const char *)ev.file->path, prefix, strlen(prefix)))
			delivered++;
		else
			others++;
	}
	cr_log_info("opens%s: %d made, %" PRIu64 " in the file, %" PRIu64 " dropped; peak RSS %ld kB",
		    stop ? " (capture stopped)" : "", opens_n, delivered, r.kernel[AA_DROP_FILE], r.peak_kb);
	cr_expect_eq(others, 0, "only the burst's opens were followed");
	cr_expect_gt(r.kernel[AA_DROP_FILE], stop ? (uint64_t)opens_n / 2 : 0, "a 4 KiB ring overflowed");
	cr_expect_eq(delivered + r.kernel[AA_DROP_FILE], (uint64_t)opens_n, "%" PRIu64 " delivered + %"
		     PRIu64 " dropped", delivered, r.kernel[AA_DROP_FILE]);
	same_drops(&r);
	aat_recs_free(&r.recs);
}

Test(flood, opens_on_a_4k_ring_are_delivered_or_counted_exactly)
{
	open_flood(OPENS, 1);
}

/* The same while the capture drains the ring all along: records are taken
 * and dropped at once, and none is counted twice or missed. */
Test(flood, opens_while_draining_are_delivered_or_counted_exactly)
{
	open_flood(OPENS_RUNNING, 0);
}

#define EXECS 1500

static int exec_burst(void *arg)
{
	(void)arg;
	for (int i = 0; i < EXECS; i++) {
		pid_t p = fork();
		if (p < 0)
			return 1;
		if (p == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		int st;
		if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return 1;
	}
	return 0;
}

/* Each exec of true is one exec and one exit record, its argv one string
 * record; the burst's own process adds one exit. */
Test(flood, execs_on_a_4k_ring_are_delivered_or_counted_exactly)
{
	struct flood_result r;
	uint64_t execs = 0, exits = 0, strings = 0;

	flood("exec,exit,string", 1, exec_burst, NULL, &r);
	for (size_t i = 0; i < r.recs.n; i++) {
		struct aa_event ev;
		cr_assert_eq(aa_parse(aat_recs_at(&r.recs, i), r.recs.len[i], &ev), 0);
		if (ev.type == AA_TYPE_EXEC) {
			cr_expect_str_eq((const char *)ev.exec->args, "true");
			cr_expect_eq(ev.exec->ppid, (uint32_t)r.child);
			execs++;
		} else if (ev.type == AA_TYPE_STRING) {
			cr_expect(ev.string->kind == AA_STRING_ARGV && ev.string->total_len == 5 &&
				  !memcmp(ev.string->data, "true", 5), "the argv of true");
			strings++;
		} else {
			cr_assert_eq(ev.type, AA_TYPE_EXIT);
			exits++;
		}
	}
	cr_log_info("execs: %d made, %" PRIu64 " exec and %" PRIu64 " exit records in the file, %" PRIu64
		    " and %" PRIu64 " dropped; peak RSS %ld kB", EXECS, execs, exits,
		    r.kernel[AA_DROP_EXEC], r.kernel[AA_DROP_EXIT], r.peak_kb);
	cr_expect_gt(r.kernel[AA_DROP_EXEC], 0, "a 4 KiB ring overflowed");
	cr_expect_eq(execs + r.kernel[AA_DROP_EXEC], EXECS, "exec: %" PRIu64 " delivered + %" PRIu64
		     " dropped", execs, r.kernel[AA_DROP_EXEC]);
	cr_expect_eq(exits + r.kernel[AA_DROP_EXIT], EXECS + 1, "exit: %" PRIu64 " delivered + %" PRIu64
		     " dropped", exits, r.kernel[AA_DROP_EXIT]);
	cr_expect_eq(strings + r.kernel[AA_DROP_STRING], EXECS, "argv: %" PRIu64 " delivered + %" PRIu64
		     " dropped", strings, r.kernel[AA_DROP_STRING]);
	same_drops(&r);
	aat_recs_free(&r.recs);
}
